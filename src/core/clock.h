/* clock.h - the one monotonic clock every timer reads (schedule, fetch
 * delays and retries, run durations, sd_notify's MONOTONIC_USEC). */
#ifndef LLMREF_CLOCK_H
#define LLMREF_CLOCK_H

#include <stdint.h>

int64_t clock_mono_ms(void);    /* milliseconds */
uint64_t clock_mono_usec(void); /* microseconds */
double clock_mono_sec(void);    /* seconds, for durations shown to people */

#endif
