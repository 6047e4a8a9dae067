/* pipeline.h - tasks run in order on one background thread, taken back
 * in the same order (issue 18: a page is read while the one before it is
 * applied). Nothing is shared with the thread but the tasks it is given:
 * a task's run touches only what its caller gave it. Without a thread
 * (pthread_create failed), pipeline_put runs the task at once. */
#ifndef LLMREF_PIPELINE_H
#define LLMREF_PIPELINE_H

#include <pthread.h>
#include <stddef.h>

struct pl_task {
	void (*run)(struct pl_task *t); /* on the thread */
	struct pl_task *next;
	int ran;
};

struct pipeline {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;           /* a task put, one run, or stop */
	struct pl_task *head, *tail; /* put and not taken, oldest first */
	struct pl_task *next_run;    /* the first not yet run */
	size_t n;                    /* put and not taken */
	int on, quit;
};

/* Start the thread; 0, or -1 (tasks then run in pipeline_put). */
int pipeline_start(struct pipeline *p);
void pipeline_put(struct pipeline *p, struct pl_task *t);
/* The oldest task put, once it has run (wait: until then), or NULL when
 * none is put (or, without wait, the oldest has not run yet). */
struct pl_task *pipeline_take(struct pipeline *p, int wait);
size_t pipeline_count(struct pipeline *p);
/* Stop and join the thread; every task put must have been taken. */
void pipeline_stop(struct pipeline *p);

#endif
