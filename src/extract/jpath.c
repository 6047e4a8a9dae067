/* jpath.c - compile and evaluate the JSON path subset of jpath.h over
 * jansson values: names, quoted names, indexes and wildcards. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "extract/jpath.h"

/* Largest array index a path may name. */
#define JPATH_INDEX_MAX 1000000000ULL
/* How much of an over-long path an error message quotes. */
#define JPATH_QUOTE_MAX 40

enum jpath_kind {
	JPATH_NAME,  /* ".name" or "['name']": one object member */
	JPATH_INDEX, /* "[n]": one array element */
	JPATH_ALL,   /* ".*" or "[*]": every element or member value */
};

struct jpath_step {
	enum jpath_kind kind;
	size_t index;     /* JPATH_INDEX */
	const char *name; /* JPATH_NAME, points into jpath.names */
};

struct jpath {
	size_t nsteps;
	struct jpath_step step[JPATH_MAX_STEPS];
	/* Every name with its NUL; a name of k bytes takes at least k + 1
	 * bytes of the text after the '$', so the text length is enough. */
	char names[JPATH_MAX_TEXT];
	size_t names_used;
};

struct jpath_parser {
	const char *text;
	size_t pos; /* 0-based offset of the next character */
	struct jpath *p;
	char *why;
	size_t whylen;
};

struct jpath_walk {
	const struct jpath *p;
	jpath_visit_fn fn;
	void *ctx;
	long count;
	int stopped;
};

static void jpath_why(struct jpath_parser *ps, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
jpath_why(struct jpath_parser *ps, const char *fmt, ...)
{
	va_list ap;

	if (ps->why == NULL || ps->whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(ps->why, ps->whylen, fmt, ap);
	va_end(ap);
}

static int
jpath_isdigit(char c)
{
	return c >= '0' && c <= '9';
}

static int
jpath_isname(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || jpath_isdigit(c) || c == '_' ||
	       c == '-';
}

static char
jpath_peek(const struct jpath_parser *ps)
{
	return ps->text[ps->pos];
}

/* Report the character at the current position as unexpected. */
static int
jpath_unexpected(struct jpath_parser *ps)
{
	unsigned char c = (unsigned char)jpath_peek(ps);
	size_t at = ps->pos + 1;

	if (c == '\0')
		jpath_why(ps, "jpath: unexpected end at position %zu in '%s'", at, ps->text);
	else if (c < 0x20 || c >= 0x7f)
		jpath_why(ps,
			  "jpath: unexpected byte 0x%02x at position %zu "
			  "in '%s'",
			  (unsigned)c, at, ps->text);
	else
		jpath_why(ps, "jpath: unexpected '%c' at position %zu in '%s'", (char)c, at,
			  ps->text);
	return -1;
}

/* Consume c or fail naming the character found instead. */
static int
jpath_expect(struct jpath_parser *ps, char c)
{
	if (jpath_peek(ps) != c)
		return jpath_unexpected(ps);
	ps->pos++;
	return 0;
}

static struct jpath_step *
jpath_step_new(struct jpath_parser *ps, enum jpath_kind kind)
{
	struct jpath_step *s = &ps->p->step[ps->p->nsteps++];

	s->kind = kind;
	s->index = 0;
	s->name = NULL;
	return s;
}

/* Start a name in the names area; bytes follow with jpath_name_put. */
static char *
jpath_name_start(struct jpath_parser *ps)
{
	return ps->p->names + ps->p->names_used;
}

static int
jpath_name_put(struct jpath_parser *ps, char c)
{
	struct jpath *p = ps->p;

	if (p->names_used >= sizeof(p->names)) {
		jpath_why(ps, "jpath: names too long in '%s'", ps->text);
		return -1;
	}
	p->names[p->names_used++] = c;
	return 0;
}

/* After '.': "*" or a bare name. */
static int
jpath_parse_dot(struct jpath_parser *ps)
{
	struct jpath_step *s;

	if (jpath_peek(ps) == '*') {
		ps->pos++;
		jpath_step_new(ps, JPATH_ALL);
		return 0;
	}
	if (!jpath_isname(jpath_peek(ps)))
		return jpath_unexpected(ps);
	s = jpath_step_new(ps, JPATH_NAME);
	s->name = jpath_name_start(ps);
	while (jpath_isname(jpath_peek(ps))) {
		if (jpath_name_put(ps, jpath_peek(ps)) != 0)
			return -1;
		ps->pos++;
	}
	return jpath_name_put(ps, '\0');
}

/* After '[': digits up to ']', at most JPATH_INDEX_MAX. */
static int
jpath_parse_index(struct jpath_parser *ps)
{
	size_t start = ps->pos;
	unsigned long long v = 0;
	struct jpath_step *s;

	while (jpath_isdigit(jpath_peek(ps))) {
		v = v * 10 + (unsigned long long)(jpath_peek(ps) - '0');
		if (v > JPATH_INDEX_MAX) {
			jpath_why(ps,
				  "jpath: index too large at position %zu in "
				  "'%s' (max %llu)",
				  start + 1, ps->text, JPATH_INDEX_MAX);
			return -1;
		}
		ps->pos++;
	}
	s = jpath_step_new(ps, JPATH_INDEX);
	s->index = (size_t)v;
	return jpath_expect(ps, ']');
}

/* One character of a quoted name: plain, "\'" or "\\". */
static int
jpath_parse_quoted_char(struct jpath_parser *ps)
{
	char c = jpath_peek(ps);

	if (c == '\0')
		return jpath_unexpected(ps);
	if (c == '\\') {
		ps->pos++;
		c = jpath_peek(ps);
		if (c != '\'' && c != '\\')
			return jpath_unexpected(ps);
	}
	ps->pos++;
	return jpath_name_put(ps, c);
}

/* After "['": at least one character, then "']". */
static int
jpath_parse_quoted(struct jpath_parser *ps)
{
	struct jpath_step *s = jpath_step_new(ps, JPATH_NAME);

	s->name = jpath_name_start(ps);
	if (jpath_peek(ps) == '\'')
		return jpath_unexpected(ps);
	while (jpath_peek(ps) != '\'') {
		if (jpath_parse_quoted_char(ps) != 0)
			return -1;
	}
	ps->pos++;
	if (jpath_name_put(ps, '\0') != 0)
		return -1;
	return jpath_expect(ps, ']');
}

/* After '[': "*]", an index or a quoted name. */
static int
jpath_parse_bracket(struct jpath_parser *ps)
{
	char c = jpath_peek(ps);

	if (c == '*') {
		ps->pos++;
		jpath_step_new(ps, JPATH_ALL);
		return jpath_expect(ps, ']');
	}
	if (jpath_isdigit(c))
		return jpath_parse_index(ps);
	if (c == '\'') {
		ps->pos++;
		return jpath_parse_quoted(ps);
	}
	return jpath_unexpected(ps);
}

static int
jpath_parse_step(struct jpath_parser *ps)
{
	char c = jpath_peek(ps);

	if (c != '.' && c != '[')
		return jpath_unexpected(ps);
	if (ps->p->nsteps >= JPATH_MAX_STEPS) {
		jpath_why(ps,
			  "jpath: too many steps at position %zu in '%s' "
			  "(max %d)",
			  ps->pos + 1, ps->text, JPATH_MAX_STEPS);
		return -1;
	}
	ps->pos++;
	if (c == '.')
		return jpath_parse_dot(ps);
	return jpath_parse_bracket(ps);
}

/* Is text at most JPATH_MAX_TEXT characters? Reads no further. */
static int
jpath_length_ok(struct jpath_parser *ps)
{
	if (memchr(ps->text, '\0', JPATH_MAX_TEXT + 1) != NULL)
		return 1;
	jpath_why(ps,
		  "jpath: path too long at position %d in '%.*s...' "
		  "(max %d characters)",
		  JPATH_MAX_TEXT + 1, JPATH_QUOTE_MAX, ps->text, JPATH_MAX_TEXT);
	return 0;
}

struct jpath *
jpath_compile(const char *text, char *why, size_t whylen)
{
	struct jpath_parser ps = { .text = text, .why = why, .whylen = whylen };

	if (text == NULL) {
		jpath_why(&ps, "jpath: no path");
		return NULL;
	}
	if (!jpath_length_ok(&ps))
		return NULL;
	ps.p = calloc(1, sizeof(*ps.p));
	if (ps.p == NULL) {
		jpath_why(&ps, "jpath: out of memory");
		return NULL;
	}
	if (jpath_expect(&ps, '$') != 0)
		goto fail;
	while (jpath_peek(&ps) != '\0') {
		if (jpath_parse_step(&ps) != 0)
			goto fail;
	}
	return ps.p;
fail:
	jpath_free(ps.p);
	return NULL;
}

void
jpath_free(struct jpath *p)
{
	free(p);
}

static void jpath_walk_step(struct jpath_walk *w, size_t level, json_t *node);

/* Hand one value selected by step level on: to the callback after the
 * last step, else to the next step. */
static void
jpath_walk_next(struct jpath_walk *w, size_t level, json_t *value, const char *key)
{
	if (w->stopped || value == NULL)
		return;
	if (level + 1 < w->p->nsteps) {
		jpath_walk_step(w, level + 1, value);
		return;
	}
	w->count++;
	if (w->fn != NULL && w->fn(value, key, w->ctx) != 0)
		w->stopped = 1;
}

static void
jpath_walk_all(struct jpath_walk *w, size_t level, json_t *node)
{
	const char *key;
	json_t *value;
	size_t i;

	if (json_is_array(node)) {
		json_array_foreach(node, i, value)
		{
			jpath_walk_next(w, level, value, NULL);
			if (w->stopped)
				return;
		}
	} else if (json_is_object(node)) {
		json_object_foreach(node, key, value)
		{
			jpath_walk_next(w, level, value, key);
			if (w->stopped)
				return;
		}
	}
}

/* Apply step level to node. Recursion depth is at most the number of
 * steps, so at most JPATH_MAX_STEPS. */
static void
jpath_walk_step(struct jpath_walk *w, size_t level, json_t *node)
{
	const struct jpath_step *s = &w->p->step[level];
	json_t *child;

	switch (s->kind) {
	case JPATH_NAME:
		child = json_object_get(node, s->name);
		jpath_walk_next(w, level, child, s->name);
		break;
	case JPATH_INDEX:
		child = json_array_get(node, s->index);
		jpath_walk_next(w, level, child, NULL);
		break;
	case JPATH_ALL: jpath_walk_all(w, level, node); break;
	}
}

long
jpath_eval(const struct jpath *p, json_t *root, jpath_visit_fn fn, void *ctx)
{
	struct jpath_walk w = { .p = p, .fn = fn, .ctx = ctx };

	if (p == NULL || root == NULL)
		return 0;
	if (p->nsteps == 0) {
		w.count = 1;
		w.stopped = fn != NULL && fn(root, NULL, ctx) != 0;
	} else {
		jpath_walk_step(&w, 0, root);
	}
	return w.stopped ? -1 : w.count;
}

static int
jpath_first_cb(json_t *value, const char *key, void *ctx)
{
	json_t **out = ctx;

	*out = value;
	return 1;
}

json_t *
jpath_first(const struct jpath *p, json_t *root)
{
	json_t *first = NULL;

	jpath_eval(p, root, jpath_first_cb, &first);
	return first;
}
