/* pipeline.c - one background thread running tasks in order (see
 * pipeline.h). Signals stay with the threads that were there before. */
#include "autoconf.h"

#include <signal.h>
#include <string.h>

#include "core/pipeline.h"

static void *
pipeline_main(void *arg)
{
	struct pipeline *p = arg;
	struct pl_task *t;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->quit && p->next_run == NULL)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->next_run == NULL) /* quit, and nothing left to run */
			break;
		t = p->next_run;
		pthread_mutex_unlock(&p->mu);
		t->run(t);
		pthread_mutex_lock(&p->mu);
		t->ran = 1;
		p->next_run = t->next;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int
pipeline_start(struct pipeline *p)
{
	sigset_t all, old;
	int rc;

	memset(p, 0, sizeof(*p));
	if (pthread_mutex_init(&p->mu, NULL) != 0)
		return -1;
	if (pthread_cond_init(&p->cv, NULL) != 0) {
		pthread_mutex_destroy(&p->mu);
		return -1;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old); /* the thread takes none */
	rc = pthread_create(&p->th, NULL, pipeline_main, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	p->on = rc == 0;
	return p->on ? 0 : -1;
}

void
pipeline_put(struct pipeline *p, struct pl_task *t)
{
	t->next = NULL;
	t->ran = 0;
	if (!p->on) {
		t->run(t);
		t->ran = 1;
	}
	if (p->on)
		pthread_mutex_lock(&p->mu);
	if (p->tail != NULL)
		p->tail->next = t;
	else
		p->head = t;
	p->tail = t;
	p->n++;
	if (p->on && p->next_run == NULL)
		p->next_run = t;
	if (p->on) {
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
}

struct pl_task *
pipeline_take(struct pipeline *p, int wait)
{
	struct pl_task *t;

	if (p->on)
		pthread_mutex_lock(&p->mu);
	while (p->on && wait && p->head != NULL && !p->head->ran)
		pthread_cond_wait(&p->cv, &p->mu);
	t = p->head;
	if (t != NULL && t->ran) {
		p->head = t->next;
		if (p->head == NULL)
			p->tail = NULL;
		p->n--;
	} else {
		t = NULL;
	}
	if (p->on)
		pthread_mutex_unlock(&p->mu);
	return t;
}

size_t
pipeline_count(struct pipeline *p)
{
	size_t n;

	if (p->on)
		pthread_mutex_lock(&p->mu);
	n = p->n;
	if (p->on)
		pthread_mutex_unlock(&p->mu);
	return n;
}

void
pipeline_stop(struct pipeline *p)
{
	if (!p->on)
		return;
	pthread_mutex_lock(&p->mu);
	p->quit = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->th, NULL);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	p->on = 0;
}
