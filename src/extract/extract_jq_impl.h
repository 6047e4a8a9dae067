/* extract_jq_impl.h - what the two ways of running a jq program share:
 * a child forked for one page (extract_jq.c: a draft's program) and a
 * configuration's long-lived worker (extract_jq_worker.c: every page of
 * its compiled set). Both write rows as tagged lines; the parent reads
 * them the same way. Not used outside extract. */
#ifndef LLMREF_EXTRACT_JQ_IMPL_H
#define LLMREF_EXTRACT_JQ_IMPL_H

#include <stddef.h>
#include <sys/types.h>

#include <jq.h>

#include "core/buf.h"
#include "extract/extract_impl.h"

/* A run's exit statuses (a child's exit status, a worker's "X" line). */
#define JQ_EXIT_ERROR 3 /* an "E" line says why */
#define JQ_EXIT_NOMEM 4 /* jq could not allocate: over the memory limit */
#define JQ_EXIT_SETUP 5 /* the process could not set itself up or write */

#define JQ_OUT_BUF_BYTES    65536
#define JQ_OUT_STREAM_BYTES 8192 /* rows written when this many are buffered */
#define JQ_MSG_MAX          512

/* The rows a run writes: buffered, to fd. */
struct jq_out {
	int fd;
	size_t n;
	char buf[JQ_OUT_BUF_BYTES];
};

/* jq 1.6 compiles its whole builtin library with every program (about
 * 15 ms), so a configuration's programs are compiled together, once per
 * load, as one program: each becomes a function, and the input [index,
 * document] picks one. Its worker, forked at the first page, runs them;
 * the parent never runs a program. */
struct jq_set {
	jq_state *jq;
	pid_t worker; /* 0: none running */
	int fd;       /* the parent's end of the worker's socket, -1 if none */
};

extern char *jq_no_env[];

int jq_out_put(struct jq_out *o, const char *s, size_t n);
int jq_out_flush(struct jq_out *o);
void jq_out_error(struct jq_out *o, const char *msg);
/* Handlers for a run writing to o: errors as "E" lines, no input, no
 * memory ends the process. */
void jq_run_prepare(jq_state *jq, struct jq_out *o);
/* Every output of a started program as rows to o; returns a status. */
int jq_run_rows(struct jq_out *o, jq_state *jq);
/* A forked process stand-alone: stdin from in (-1: /dev/null), stdout
 * to out, stderr /dev/null, no other descriptor, default signals, none
 * blocked, no environment. 0 or -1. */
int jq_process_setup(int in, int out);
/* The address space in use now, in bytes (0 if unknown). */
size_t jq_vm_bytes(void);

/* The parent: a run's lines into rows, as they come. jq_read_lines reads
 * b's complete lines from r->done on, up to an "X STATUS" line (r->end
 * then holds STATUS); the first bad line sets r->rc and err (r->said if
 * it was the program's own "E" error), the rest are only skimmed for the
 * end. jq_read_end checks the page's keys. jq_parse_output does both
 * over a whole output. */
struct jq_seen {
	int emitted[FIELD_COUNT]; /* some row has the key */
	int valued[FIELD_COUNT];  /* some row has a value for it */
};
struct jq_reader {
	struct jq_seen seen;
	size_t done;     /* bytes of the output read */
	int end;         /* the X line's status; -1 until it came */
	enum lr_code rc; /* the first error */
	int said;        /* ... was an "E" line */
};
void jq_reader_init(struct jq_reader *r);
void jq_read_lines(const struct source *src, struct buf *b, struct jq_reader *r,
		   struct raw_rows *out, struct lr_err *err);
enum lr_code jq_read_end(const struct source *src, struct jq_reader *r, struct raw_rows *out,
			 struct lr_err *err);
enum lr_code jq_parse_output(const struct source *src, struct buf *b, struct raw_rows *out,
			     struct lr_err *err);
/* a failed run's reason (why: 1 timed out, 2 over the output cap; else
 * sig, or code the status). */
enum lr_code jq_run_failed(const struct source *src, int why, int sig, int code,
			   const struct buf *b, struct lr_err *err);

/* A configuration's worker (extract_jq_worker.c): run src's function of
 * its set over doc; stop it (when the set is freed). */
enum lr_code jq_worker_rows(const struct source *src, json_t *doc, struct raw_rows *out,
			    struct lr_err *err);
void jq_worker_stop(struct jq_set *set);
/* Fork the worker if there is none: 0 or -1. */
int jq_worker_start(struct jq_set *set);

#endif
