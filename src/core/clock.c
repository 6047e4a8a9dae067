/* clock.c - CLOCK_MONOTONIC in the units its callers count in. */
#include "autoconf.h"

#include <time.h>

#include "core/clock.h"

static struct timespec
clock_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts;
}

int64_t
clock_mono_ms(void)
{
	struct timespec ts = clock_now();

	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t
clock_mono_usec(void)
{
	struct timespec ts = clock_now();

	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

double
clock_mono_sec(void)
{
	struct timespec ts = clock_now();

	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
