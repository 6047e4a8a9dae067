/* extract.h - turn one fetched page into raw text records: a jq program
 * over the page as a JSON document (jansson; an html or markdown page's
 * table, text or embedded JSON picked by XPath), or XPath 1.0 fields over
 * libxml2's HTML parser. No interpretation of values happens here; that
 * is normalize's job. */
#ifndef LLMREF_EXTRACT_H
#define LLMREF_EXTRACT_H

#include <stddef.h>

#include "core/err.h"
#include "vocab/vocab.h"

/* The longest value of one field. */
#define EXTRACT_FIELD_MAX_BYTES 4096
/* The most a jq program may write (its rows as JSON lines). */
#define EXTRACT_JQ_OUTPUT_MAX_BYTES (256UL * 1024 * 1024)
/* Defaults of [extract] jq_timeout and jq_max_memory. */
#define EXTRACT_JQ_TIMEOUT_SEC      10
#define EXTRACT_JQ_MAX_MEMORY_BYTES (512UL * 1024 * 1024)

/* Extract every record of src from body (len bytes). On LR_OK, out holds
 * the records (free with raw_rows_free); on error out is empty and err
 * names the source, URL and reason. Zero rows is not an error here. */
enum lr_code extract_page(const struct source *src, const char *body, size_t len,
			  struct raw_rows *out, struct lr_err *err)
    __attribute__((warn_unused_result));
/* The same, telling on_row of each row, in order, once it is complete:
 * with a configuration's jq program, while the program still runs (the
 * caller's work on a row overlaps the rest of the run). A page that fails
 * may have told some rows first. */
enum lr_code extract_page_each(const struct source *src, const char *body, size_t len,
			       struct raw_rows *out,
			       void (*on_row)(void *ctx, const struct raw_row *row), void *ctx,
			       struct lr_err *err) __attribute__((warn_unused_result));

/* Does program compile as jq (no modules)? If not, why holds jq's message. */
int extract_jq_check(const char *program, char *why, size_t len);

/* Compile a configuration's n programs together, once (jq 1.6 compiles
 * its builtins with every program): a source whose jq_set and jq_index
 * name its program in *out then only runs it. Returns 1 with *out (NULL
 * if none, or if memory ran out: each page then compiles its own); or 0
 * with *bad the first program that does not compile and why jq's message. */
int extract_jq_compile_all(const char *const *programs, size_t n, struct jq_set **out, size_t *bad,
			   char *why, size_t len);
void extract_jq_set_free(struct jq_set *set);
/* Ready src's reading for a thread other than the main one (refresh's
 * read-ahead pipeline), called on the main thread before that thread
 * starts: libxml2's global state is set up, and the configuration's jq
 * worker forked now if it has none, so that it is a copy of the main
 * thread (a worker forked on another thread holds memory only the main
 * thread's stack points to, which valgrind's leak check in it calls
 * lost). 0, or -1 (no worker yet: a page forks it, as usual). */
int extract_warm(const struct source *src);

/* What a jq source's program reads, for an editor (sources test -v): the
 * page's JSON document, numbers as their exact text, indented; for
 * markdown the HTML it renders to; how many nodes each of json_xpath,
 * table and text selected; how many rows the program gave and how many of
 * them have each field. */
struct extract_view {
	char *html;               /* markdown: the rendered HTML; else NULL */
	char *document;           /* the JSON document the program reads */
	long matched[3];          /* json_xpath, table, text: nodes; -1 = not set */
	long rows;                /* rows the program gave */
	long fields[FIELD_COUNT]; /* rows with each field not null */
	long prices;              /* rows with a prices member */
};
enum lr_code extract_view(const struct source *src, const char *body, size_t len,
			  struct extract_view *v, struct lr_err *err)
    __attribute__((warn_unused_result));
void extract_view_free(struct extract_view *v);

/* [paginate]: at most this many pages per source. */
#define EXTRACT_MAX_PAGES 1000
/* Does a [paginate] next or [fanout] items expression compile? If not,
 * why says so. */
int extract_next_check(const char *expr, char *why, size_t len);
/* The items src's [fanout] items expression gives for the list page
 * (JSON body), as text, at most max_items (more is an error); null ones
 * are left out. On LR_OK free each (*items)[i] and *items. */
enum lr_code extract_items(const struct source *src, const char *body, size_t len, char ***items,
			   size_t *n, struct lr_err *err) __attribute__((warn_unused_result));
/* The URL (or a relative reference, or "") that src's next expression
 * gives for one page of JSON body; "" when this is the last page. */
enum lr_code extract_next_url(const struct source *src, const char *body, size_t len, char *url,
			      size_t urllen, struct lr_err *err)
    __attribute__((warn_unused_result));

/* Collapse white space (including U+00A0 and U+202F) to single spaces and
 * trim, in place. Returns s. */
char *extract_squash_space(char *s);

#endif
