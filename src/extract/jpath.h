/* jpath.h - the JSON path subset used by source files, evaluated over
 * jansson values. Grammar (whitespace not allowed):
 *   path    = "$" step*
 *   step    = "." name | "." "*" | "[" index "]" | "[" "*" "]"
 *           | "[" quoted "]"
 *   name    = 1*( ALPHA / DIGIT / "_" / "-" )
 *   index   = 1*DIGIT            ; array index from 0
 *   quoted  = "'" 1*( any char but "'" and "\", or "\'" or "\\" ) "'"
 * "[*]" and ".*" select every element of an array or every member value of
 * an object (in document order). A step that does not match selects
 * nothing; it is not an error. */
#ifndef LLMREF_JPATH_H
#define LLMREF_JPATH_H

#include <stddef.h>

#include <jansson.h>

#define JPATH_MAX_STEPS 32
#define JPATH_MAX_TEXT  512

struct jpath; /* compiled path, opaque */

/* Compile text into a path. Returns a new path (free with jpath_free) or
 * NULL with a reason in why naming the offending character position. */
struct jpath *jpath_compile(const char *text, char *why, size_t whylen);
void jpath_free(struct jpath *p);

/* Callback for each selected value; key is the object member name that
 * selected it in the last step (NULL for an array element or the root).
 * Return non-zero to stop early. */
typedef int (*jpath_visit_fn)(json_t *value, const char *key, void *ctx);

/* Visit every value that p selects from root, in document order.
 * Returns the number of values visited (stopping early counts the one
 * that stopped), or -1 if the callback asked to stop. */
long jpath_eval(const struct jpath *p, json_t *root, jpath_visit_fn fn, void *ctx);

/* Convenience: the first value p selects from root, or NULL. Borrowed
 * reference (not incremented). */
json_t *jpath_first(const struct jpath *p, json_t *root);

#endif
