/* extract_impl.h - internal interface of the extract stage: the format
 * extractors the dispatcher (extract.c) calls, and the row list they all
 * fill (extract_rows.c). Not used outside extract. */
#ifndef LLMREF_EXTRACT_IMPL_H
#define LLMREF_EXTRACT_IMPL_H

#include <jansson.h>

#include "extract/extract.h"

/* Append a zeroed row; returns 0, -1 over EXTRACT_MAX_ROWS, -2 no memory. */
int extract_rows_add(struct raw_rows *rows, struct raw_row **out);
/* Tell rows->on_row (if any) of the rows before upto not yet told. */
void extract_rows_tell(struct raw_rows *rows, size_t upto);

/* A JSON number's exact text travels through jansson as the string
 * "\0#TEXT" (extract_json.c refuses documents whose strings hold NUL). */
#define EXTRACT_NUM_MARK_LEN 2
static inline int
extract_num_marked(const char *s, size_t n)
{
	return n >= EXTRACT_NUM_MARK_LEN && s[0] == '\0' && s[1] == '#';
}

/* Run src->jq_program over doc (numbers marked) in a bounded child and
 * fill out with its rows (extract_jq.c). */
enum lr_code extract_jq_rows(const struct source *src, json_t *doc, struct raw_rows *out,
			     struct lr_err *err);

/* Parse a JSON document with every number kept as its marked text;
 * *root is a new reference (extract_json.c). */
enum lr_code extract_json_load(const struct source *src, const char *body, size_t len,
			       json_t **root, struct lr_err *err);

/* An html page (libxml2's tree) as the JSON document of a jq source: its
 * json_xpath, table and text keys (extract_htmldoc.c). *root is new. */
struct _xmlDoc;
enum lr_code extract_html_doc(const struct source *src, struct _xmlDoc *doc, json_t **root,
			      struct lr_err *err);

/* An html page as UTF-8 (extract_charset.c): *body and *len moved past
 * a UTF-8 byte order mark, or to *owned (free it), the page converted
 * from the charset it declares. */
enum lr_code extract_html_utf8(const struct source *src, const char **body, size_t *len,
			       char **owned, struct lr_err *err);
/* The page parsed as extract_html parses it (characters checked first);
 * NULL with err (extract_html.c). Free with xmlFreeDoc. */
struct _xmlDoc *extract_html_parse(const struct source *src, const char *body, size_t len,
				   struct lr_err *err);
/* The HTML of a markdown body, as extract_markdown renders it: a new
 * string (free()) or NULL (extract_markdown.c). */
char *extract_markdown_html(const char *body, size_t len);

enum lr_code extract_html(const struct source *src, const char *body, size_t len,
			  struct raw_rows *out, struct lr_err *err);
enum lr_code extract_markdown(const struct source *src, const char *body, size_t len,
			      struct raw_rows *out, struct lr_err *err);
enum lr_code extract_json(const struct source *src, const char *body, size_t len,
			  struct raw_rows *out, struct lr_err *err);

#endif
