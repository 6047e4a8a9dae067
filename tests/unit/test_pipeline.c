/* test_pipeline.c - the read-ahead pipeline (src/core/pipeline.c): tasks
 * run on its thread in the order put, are taken back in that order and
 * only once run; without a thread they run in pipeline_put. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/pipeline.h"
#include "tap.h"

struct task {
	struct pl_task t; /* first */
	int id;
	pthread_t ran_on;
	int order;  /* when it ran, among all */
	int linger; /* ms to take */
};

static int ran_count; /* written only by whichever thread runs the tasks */

static void
task_run(struct pl_task *t)
{
	struct task *k = (struct task *)t;
	struct timespec ts = { 0, (long)k->linger * 1000000L };

	if (k->linger > 0)
		nanosleep(&ts, NULL);
	k->ran_on = pthread_self();
	k->order = ran_count++;
}

static void
put_all(struct pipeline *p, struct task *k, int n, int linger)
{
	int i;

	for (i = 0; i < n; i++) {
		memset(&k[i], 0, sizeof(k[i]));
		k[i].t.run = task_run;
		k[i].id = i;
		k[i].linger = linger;
		pipeline_put(p, &k[i].t);
	}
}

static void
test_threaded(void)
{
	struct pipeline p;
	struct task k[8];
	struct pl_task *t, *first;
	int i, in_order = 1, elsewhere = 1, ran_before_taken = 1;

	ran_count = 0;
	tap_ok(pipeline_start(&p) == 0, "threaded: the thread starts");
	put_all(&p, k, 8, 5);
	tap_ok(pipeline_count(&p) == 8, "threaded: 8 put, 8 counted");
	first = pipeline_take(&p, 0);
	tap_ok(first == NULL || (first == &k[0].t && first->ran),
	       "threaded: without wait, only the first and only once run");
	for (i = 0; i < 8; i++) {
		t = i == 0 && first != NULL ? first : pipeline_take(&p, 1);
		in_order &= t == &k[i].t && k[i].order == i;
		elsewhere &= !pthread_equal(k[i].ran_on, pthread_self());
		ran_before_taken &= t->ran;
	}
	tap_ok(in_order, "threaded: taken in the order put, run in that order");
	tap_ok(elsewhere, "threaded: run on the pipeline's thread");
	tap_ok(ran_before_taken, "threaded: taken only once run");
	tap_ok(pipeline_count(&p) == 0 && pipeline_take(&p, 1) == NULL,
	       "threaded: empty, take returns NULL even with wait");
	put_all(&p, k, 3, 0); /* taken after the thread ran them all */
	for (i = 0; i < 3; i++)
		(void)pipeline_take(&p, 1);
	tap_ok(pipeline_count(&p) == 0, "threaded: a second round, all taken");
	pipeline_stop(&p);
	tap_ok(ran_count == 11, "threaded: every task ran once (%d)", ran_count);
}

static void
test_inline(void)
{
	struct pipeline p;
	struct task k[3];
	int i, here = 1;

	memset(&p, 0, sizeof(p)); /* never started: pthread_create failed */
	ran_count = 0;
	put_all(&p, k, 3, 0);
	for (i = 0; i < 3; i++)
		here &= pthread_equal(k[i].ran_on, pthread_self()) && k[i].order == i;
	tap_ok(here, "inline: each task runs in pipeline_put, in order");
	tap_ok(pipeline_take(&p, 0) == &k[0].t && pipeline_take(&p, 0) == &k[1].t &&
		   pipeline_take(&p, 0) == &k[2].t && pipeline_take(&p, 0) == NULL,
	       "inline: taken in order without waiting");
	pipeline_stop(&p);
}

int
main(void)
{
	test_threaded();
	test_inline();
	return tap_done();
}
