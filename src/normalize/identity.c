/* identity.c - one canonical model id for every provider spelling: a fixed,
 * ordered table of small rewrite steps, then an alias table loaded from
 * aliases.conf. docs/identity.md describes each step and the alias file. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "core/file.h"
#include "normalize/identity.h"
#include "core/text.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define IDENT_WORK_MAX    (2 * IDENTITY_INPUT_MAX_BYTES) /* room for inserted '-' */
#define IDENT_WHY_MAX     192
#define IDENT_QUOTE_MAX   40 /* bytes of an input quoted in a reason */
#define IDENT_QUOTE_BUF   (IDENT_QUOTE_MAX + 4)
#define IDENT_PASSES_MAX  4 /* the step list runs until the id stops changing */
#define IDENT_ID_MAX      sizeof(((struct model_ref *)0)->id)
#define IDENT_VARIANT_MAX sizeof(((struct model_ref *)0)->variant)
#define IDENT_REGION_MAX  sizeof(((struct model_ref *)0)->region)

/* ASCII punctuation a provider id or display name may hold ('~' only as
 * its first character); anything else is refused with a reason. */
#define IDENT_PUNCT_OK " -_./:@(),+"

/* The id being rewritten and what the steps split off it. */
struct ident_work {
	const char *in; /* text the fold step reads */
	char s[IDENT_WORK_MAX];
	char variant[IDENT_VARIANT_MAX];
	char region[IDENT_REGION_MAX];
	bool bedrock; /* a Bedrock "vendor." prefix was dropped this pass */
	char why[IDENT_WHY_MAX];
};

struct ident_alias {
	char *spelling; /* rule output */
	char *target;   /* canonical id */
	int line;
};

/* Aliases in file order, indexed by an open-addressing hash of spelling. */
struct ident_table {
	struct ident_alias *v;
	size_t n, cap;
	size_t *slot; /* index + 1 into v, 0 = empty */
	size_t nslot; /* 0 or a power of two, more than 2 * n */
};

struct identity {
	struct ident_table aliases;
};

/* ---- small helpers --------------------------------------------------- */

__attribute__((format(printf, 2, 3))) static int
ident_fail(struct ident_work *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->why, sizeof(w->why), fmt, ap);
	va_end(ap);
	return -1;
}

/* Is the n bytes at p one of the words of the NULL-terminated list? */
static bool
ident_in_list(const char *const *list, const char *p, size_t n)
{
	for (; *list != NULL; list++)
		if (strlen(*list) == n && memcmp(*list, p, n) == 0)
			return true;
	return false;
}

/* Copy s into out (IDENT_QUOTE_BUF bytes) for a reason: printable ASCII
 * only, every other character (control, non-ASCII, bidi mark) as one '?',
 * cut with "..." after IDENT_QUOTE_MAX bytes. */
static void
ident_quote(const char *s, char *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	for (; *p != '\0'; p++) {
		if ((*p & 0xc0) == 0x80)
			continue; /* rest of a multi-byte character */
		if (n == IDENT_QUOTE_MAX) {
			memcpy(out + n, "...", 4);
			return;
		}
		out[n++] = *p >= 0x20 && *p < 0x7f ? (char)*p : '?';
	}
	out[n] = '\0';
}

/* ---- tokens: the parts of an id between '-' ------------------------- */

static size_t
tok_len(const char *p)
{
	return strcspn(p, "-");
}

static bool
tok_is(const char *p, const char *word)
{
	size_t n;

	if (p[0] != word[0]) /* the common case, without strlen and strncmp */
		return 0;
	n = strlen(word);
	return strncmp(p, word, n) == 0 && (p[n] == '\0' || p[n] == '-');
}

static char *
tok_next(char *p)
{
	p += tok_len(p);
	return *p == '-' ? p + 1 : NULL;
}

static char *
tok_last(char *s)
{
	char *p = strrchr(s, '-');

	return p != NULL ? p + 1 : s;
}

/* The token before the one at p (p > s). */
static char *
tok_prev(char *s, char *p)
{
	char *q = p - 1;

	while (q > s && q[-1] != '-')
		q--;
	return q;
}

/* Remove the token at p with the '-' after it; p is not the last token. */
static void
tok_remove(char *p)
{
	char *next = tok_next(p);

	memmove(p, next, strlen(next) + 1);
}

static bool
tok_in_list(const char *const *list, const char *p)
{
	return ident_in_list(list, p, tok_len(p));
}

/* Length of a parameter count at p ("1b", "405b", "8x7b", "0.5b") that
 * ends at the end of p, a '-' or a ':'; 0 if there is none. */
static size_t
ident_size_len(const char *p)
{
	size_t n = text_digits(p);

	if (n == 0)
		return 0;
	if (p[n] == 'x' && text_digits(p + n + 1) > 0)
		n += 1 + text_digits(p + n + 1);
	if (p[n] == '.' && text_digits(p + n + 1) > 0)
		n += 1 + text_digits(p + n + 1);
	if (p[n] != 'b')
		return 0;
	n++;
	return p[n] == '\0' || p[n] == '-' || p[n] == ':' ? n : 0;
}

/* Add text (len bytes) to the variant: letters and digits kept, any other
 * run as one '-'; a second variant joins the first with '-'. */
static int
ident_add_variant(struct ident_work *w, const char *text, size_t len)
{
	size_t n = strlen(w->variant), i;
	bool dash = n > 0;

	for (i = 0; i < len; i++) {
		if (!text_isalnum_lower(text[i])) {
			dash = n > 0;
			continue;
		}
		if (n + 2 + (dash ? 1 : 0) > sizeof(w->variant))
			return ident_fail(w, "has a variant longer than %zu bytes",
					  sizeof(w->variant) - 1);
		if (dash)
			w->variant[n++] = '-';
		w->variant[n++] = text[i];
		w->variant[n] = '\0';
		dash = false;
	}
	return 0;
}

/* ---- tables the steps use -------------------------------------------- */

/* Bedrock cross-region inference profile prefixes ("us.meta.llama...") and
 * bare geography path segments ("azure/eu/gpt-4o"). */
static const char *const ident_geos[] = { "us", "eu", "apac", "us-gov", "global",
					  "jp", "au", "ca",   NULL };
/* First and second words of a cloud region name. */
static const char *const ident_areas[] = {
	"us", "eu",     "ap",   "ca",           "sa",           "me",        "af",     "il", "mx",
	"cn", "europe", "asia", "northamerica", "southamerica", "australia", "africa", NULL
};
static const char *const ident_directions[] = { "north",     "south",     "east",      "west",
						"central",   "northeast", "northwest", "southeast",
						"southwest", NULL };

/* Bedrock model vendors, written "vendor.model". */
static const struct ident_vendor {
	const char *name;
	bool keep; /* the vendor word is part of the model name */
} ident_bedrock_vendors[] = {
	{ "ai21", false },       { "amazon", false },     { "anthropic", false },
	{ "cohere", false },     { "deepseek", true },    { "google", false },
	{ "meta", false },       { "minimax", false },    { "mistral", false },
	{ "moonshot", false },   { "moonshotai", false }, { "nvidia", false },
	{ "openai", false },     { "qwen", false },       { "stability", false },
	{ "twelvelabs", false }, { "writer", false },
};

/* Model families whose version number the rules know how to find. */
static const char *const ident_claude_words[] = { "opus", "sonnet", "haiku", "instant", NULL };
static const char *const ident_mistral_words[] = { "small", "medium", "large", "tiny", NULL };
static const struct ident_family {
	const char *name;
	bool drop_v;              /* "llama-v3p1": the 'v' before the version goes */
	const char *const *words; /* words allowed between name and version */
} ident_families[] = {
	{ "claude", false, ident_claude_words },
	{ "gemini", false, NULL },
	{ "gemma", false, NULL },
	{ "glm", false, NULL },
	{ "gpt", false, NULL },
	{ "jamba", false, NULL },
	{ "llama", true, NULL },
	{ "magistral", false, ident_mistral_words },
	{ "mistral", false, ident_mistral_words },
	{ "phi", false, NULL },
	{ "qwen", false, NULL },
};

/* Display-name variants: "Claude Opus 4.8 (batch)". */
static const char *const ident_variant_words[] = { "free", "batch", "extended", "thinking", NULL };

/* ---- step 1: fold ---------------------------------------------------- */

static char
ident_fold_ascii(struct ident_work *w, char c, size_t pos)
{
	if (c >= 'A' && c <= 'Z')
		return (char)(c - 'A' + 'a');
	if (text_isalnum_lower(c) || strchr(IDENT_PUNCT_OK, c) != NULL || (c == '~' && pos == 0))
		return c;
	if (c >= '\t' && c <= '\r')
		return ' ';
	if (c < 0x20 || c == 0x7f)
		ident_fail(w, "contains control character 0x%02X", (unsigned)c);
	else
		ident_fail(w, "contains '%c', which is not allowed in a model id", c);
	return '\0';
}

/* Folded form of the character c at output position pos, or '\0' after
 * setting a reason. */
static char
ident_fold_char(struct ident_work *w, unsigned long c, size_t pos)
{
	if (c < 0x80)
		return ident_fold_ascii(w, (char)c, pos);
	if (c == 0xa0 || (c >= 0x2000 && c <= 0x200a) || c == 0x202f || c == 0x205f || c == 0x3000)
		return ' ';
	if ((c >= 0x2010 && c <= 0x2015) || c == 0x2212)
		return '-';
	if (c == 0x061c || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
	    (c >= 0x2066 && c <= 0x2069))
		ident_fail(w, "contains U+%04lX, a bidirectional control character", c);
	else if ((c >= 0x200b && c <= 0x200d) || c == 0x2060 || c == 0xfeff || c == 0xad)
		ident_fail(w, "contains U+%04lX, an invisible character", c);
	else
		ident_fail(w, "contains U+%04lX; model ids are ASCII", c);
	return '\0';
}

/* Check every character, lower-case ASCII letters, make white space one
 * ' ' (none at either end), Unicode spaces ' ' and Unicode dashes '-'. */
static int
step_fold(struct ident_work *w)
{
	const unsigned char *p = (const unsigned char *)w->in;
	unsigned long cp = 0;
	size_t n = 0, k;
	char c;

	for (; *p != '\0'; p += k) {
		k = text_utf8_decode(p, &cp);
		if (k == 0)
			return ident_fail(w, "is not valid UTF-8");
		c = ident_fold_char(w, cp, n);
		if (c == '\0')
			return -1;
		if (c == ' ' && (n == 0 || w->s[n - 1] == ' '))
			continue;
		if (n + 1 >= sizeof(w->s))
			return ident_fail(w, "is too long");
		w->s[n++] = c;
	}
	while (n > 0 && w->s[n - 1] == ' ')
		n--;
	w->s[n] = '\0';
	return n > 0 ? 0 : ident_fail(w, "is empty");
}

/* ---- steps 2-4: display vendor, alias route, path -------------------- */

/* "Meta: Llama 3.2 1B Instruct" -> "Llama 3.2 1B Instruct". */
static int
step_display_vendor(struct ident_work *w)
{
	char *p = strstr(w->s, ": ");

	if (p != NULL)
		memmove(w->s, p + 2, strlen(p + 2) + 1);
	return 0;
}

/* "~anthropic/claude-opus-latest": OpenRouter's '~' alias marker goes. */
static int
step_alias_route(struct ident_work *w)
{
	if (w->s[0] == '~')
		memmove(w->s, w->s + 1, strlen(w->s));
	return 0;
}

/* Is seg (n bytes) a region: "us-east-1", "us-gov-west-1" (AWS),
 * "us-central1", "europe-west4" (Google Cloud), or a geography ("eu")? */
static bool
ident_is_region(const char *seg, size_t n)
{
	char buf[IDENT_REGION_MAX];
	const char *p;
	size_t k;

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, seg, n);
	buf[n] = '\0';
	if (ident_in_list(ident_geos, buf, n))
		return true;
	k = strcspn(buf, "-");
	if (buf[k] == '\0' || !ident_in_list(ident_areas, buf, k))
		return false;
	p = buf + k + 1;
	if (strncmp(p, "gov-", 4) == 0)
		p += 4;
	for (k = 0; p[k] >= 'a' && p[k] <= 'z'; k++)
		;
	if (!ident_in_list(ident_directions, p, k))
		return false;
	p += k;
	if (*p == '-')
		p++;
	k = text_digits(p);
	return k > 0 && k <= 2 && p[k] == '\0';
}

/* Keep the last '/' segment: provider routes ("fireworks_ai/",
 * "bedrock/", "@cf/"), "accounts/<x>/models/" and organisations go; the
 * first segment that names a region is kept in region. */
static int
step_path(struct ident_work *w)
{
	char *seg = w->s, *slash;

	while ((slash = strchr(seg, '/')) != NULL) {
		if (w->region[0] == '\0' && ident_is_region(seg, (size_t)(slash - seg))) {
			memcpy(w->region, seg, (size_t)(slash - seg));
			w->region[slash - seg] = '\0';
		}
		seg = slash + 1;
	}
	memmove(w->s, seg, strlen(seg) + 1);
	return 0;
}

/* ---- steps 5-7: Bedrock ---------------------------------------------- */

static const struct ident_vendor *
ident_bedrock_vendor_at(const char *s)
{
	size_t i, n;

	for (i = 0; i < NELEM(ident_bedrock_vendors); i++) {
		n = strlen(ident_bedrock_vendors[i].name);
		if (strncmp(s, ident_bedrock_vendors[i].name, n) == 0 && s[n] == '.' &&
		    text_isalnum_lower(s[n + 1]))
			return &ident_bedrock_vendors[i];
	}
	return NULL;
}

/* "us.meta.llama3-..." -> region "us", "meta.llama3-...". */
static int
step_bedrock_geo(struct ident_work *w)
{
	size_t i, n;

	for (i = 0; ident_geos[i] != NULL; i++) {
		n = strlen(ident_geos[i]);
		if (strncmp(w->s, ident_geos[i], n) != 0 || w->s[n] != '.' ||
		    ident_bedrock_vendor_at(w->s + n + 1) == NULL)
			continue;
		if (w->region[0] == '\0')
			memcpy(w->region, ident_geos[i], n + 1);
		memmove(w->s, w->s + n + 1, strlen(w->s + n + 1) + 1);
		break;
	}
	return 0;
}

/* "meta.llama3-..." -> "llama3-..."; "deepseek.r1" -> "deepseek-r1". */
static int
step_bedrock_vendor(struct ident_work *w)
{
	const struct ident_vendor *v = ident_bedrock_vendor_at(w->s);
	size_t n;

	if (v == NULL)
		return 0;
	n = strlen(v->name);
	w->bedrock = true;
	if (v->keep)
		w->s[n] = '-';
	else
		memmove(w->s, w->s + n + 1, strlen(w->s + n + 1) + 1);
	return 0;
}

/* Bedrock API versions before any ":variant": "-v1:0" dropped, "-v2:0" ->
 * "-v2", "-v0:2" -> "-v0.2" (a model version), and after a Bedrock vendor
 * prefix also "-1:0" dropped, "-1:2" -> "-1.2". */
static int
step_bedrock_version(struct ident_work *w)
{
	char *colon = strchr(w->s, ':'), *p, *start;
	size_t minor;
	bool v;

	if (colon == NULL || (minor = text_digits(colon + 1)) == 0 ||
	    (colon[1 + minor] != '\0' && colon[1 + minor] != ':'))
		return 0;
	for (p = colon; p > w->s && text_isdigit(p[-1]); p--)
		;
	v = p > w->s && p[-1] == 'v';
	start = v ? p - 1 : p;
	if (p == colon || start == w->s || start[-1] != '-' || (!v && !w->bedrock))
		return 0;
	if (minor == 1 && colon[1] == '0') {
		/* "-v1:0" and "-1:0" go whole, "-vN:0" keeps "-vN" */
		p = !v || (colon - p == 1 && *p == '1') ? start - 1 : colon;
		memmove(p, colon + 2, strlen(colon + 2) + 1);
	} else {
		*colon = '.';
	}
	return 0;
}

/* ---- steps 8-10: variants -------------------------------------------- */

/* Ollama-style size tags are part of the model: "llama3:70b" ->
 * "llama3-70b", "qwen3-coder:480b-cloud" -> "qwen3-coder-480b-cloud". */
static int
step_size_tag(struct ident_work *w)
{
	char *colon = strchr(w->s, ':');

	if (colon != NULL && ident_size_len(colon + 1) > 0)
		*colon = '-';
	return 0;
}

/* "llama-3.1-405b-instruct:free" -> variant "free". */
static int
step_variant(struct ident_work *w)
{
	char *colon = strchr(w->s, ':');

	if (colon == NULL)
		return 0;
	*colon = '\0';
	return ident_add_variant(w, colon + 1, strlen(colon + 1));
}

/* "Claude Opus 4.8 (batch)" -> variant "batch", for ident_variant_words. */
static int
step_display_variant(struct ident_work *w)
{
	size_t n = strlen(w->s), len;
	char *open;

	if (n == 0 || w->s[n - 1] != ')' || (open = strrchr(w->s, '(')) == NULL)
		return 0;
	len = (size_t)(w->s + n - 1 - (open + 1));
	if (!ident_in_list(ident_variant_words, open + 1, len))
		return 0;
	if (ident_add_variant(w, open + 1, len) != 0)
		return -1;
	*open = '\0';
	return 0;
}

/* ---- step 11: separators --------------------------------------------- */

/* Every character but a-z, 0-9 and a '.' between two of them becomes a
 * separator; a run of separators is one '-', none at either end. A '+' is
 * the word "plus" ("Command R+" -> "command-r-plus"). */
static int
step_separators(struct ident_work *w)
{
	char out[IDENT_WORK_MAX];
	const char *s = w->s;
	size_t i, n = 0;
	bool dash = false;
	char c;

	for (i = 0; s[i] != '\0'; i++) {
		c = s[i];
		if (c == '.' &&
		    (i == 0 || !text_isalnum_lower(s[i - 1]) || !text_isalnum_lower(s[i + 1])))
			c = '-';
		if (!text_isalnum_lower(c) && c != '.' && c != '+') {
			dash = true;
			continue;
		}
		if (n + 6 >= sizeof(out))
			return ident_fail(w, "is too long");
		if ((dash || c == '+') && n > 0)
			out[n++] = '-';
		dash = c == '+';
		if (c == '+') {
			memcpy(out + n, "plus", 4);
			n += 4;
		} else {
			out[n++] = c;
		}
	}
	out[n] = '\0';
	memcpy(w->s, out, n + 1);
	return 0;
}

/* ---- steps 12-15: names and version numbers --------------------------- */

/* "meta-llama-3.1-..." -> "llama-3.1-..."; a leading "databricks-" goes. */
static int
step_vendor_word(struct ident_work *w)
{
	char *p = w->s, *next;

	if (tok_is(p, "databricks") && tok_next(p) != NULL)
		tok_remove(p);
	while (p != NULL) {
		next = tok_next(p);
		if (next != NULL && tok_is(p, "meta") && strncmp(next, "llama", 5) == 0)
			tok_remove(p); /* p now holds the next token */
		else
			p = next;
	}
	return 0;
}

/* The family whose name starts the token at p and is followed by the end
 * of the token or a digit; *n = length of the name. */
static const struct ident_family *
ident_family_at(const char *p, size_t *n)
{
	size_t i, k;

	for (i = 0; i < NELEM(ident_families); i++) {
		k = strlen(ident_families[i].name);
		if (strncmp(p, ident_families[i].name, k) == 0 &&
		    (p[k] == '\0' || p[k] == '-' || text_isdigit(p[k]))) {
			*n = k;
			return &ident_families[i];
		}
	}
	return NULL;
}

/* "llama3" -> "llama-3", "qwen2.5" -> "qwen-2.5", "llama-v3p1" ->
 * "llama-3p1". */
static int
step_family_split(struct ident_work *w)
{
	const struct ident_family *f;
	char *p;
	size_t n = 0, len;

	for (p = w->s; p != NULL; p = tok_next(p)) {
		f = ident_family_at(p, &n);
		if (f == NULL)
			continue;
		if (text_isdigit(p[n])) {
			len = strlen(p);
			if ((size_t)(p - w->s) + len + 2 > sizeof(w->s))
				return ident_fail(w, "is too long");
			memmove(p + n + 1, p + n, len - n + 1);
			p[n] = '-';
		} else if (p[n] == '-' && f->drop_v && p[n + 1] == 'v' && text_isdigit(p[n + 2])) {
			memmove(p + n + 1, p + n + 2, strlen(p + n + 2) + 1);
		}
	}
	return 0;
}

/* A 'p' between two single digits is a decimal point: "3p1" -> "3.1",
 * "k2p5" -> "k2.5", "1p5b" -> "1.5b". */
static int
step_p_dot(struct ident_work *w)
{
	char *s = w->s;
	size_t i;

	for (i = 1; s[i] != '\0'; i++) {
		if (s[i] == 'p' && text_isdigit(s[i - 1]) && text_isdigit(s[i + 1]) &&
		    !(i >= 2 && text_isdigit(s[i - 2])) && !text_isdigit(s[i + 2]))
			s[i] = '.';
	}
	return 0;
}

/* Right after a family name (and one of its words), two one-digit tokens
 * are a version: "llama-3-2-1b" -> "llama-3.2-1b", "claude-sonnet-4-5" ->
 * "claude-sonnet-4.5"; "llama-3-8b" stays. */
static int
step_dash_dot(struct ident_work *w)
{
	char *p, *v, *d;
	size_t i;

	for (p = w->s; p != NULL; p = tok_next(p)) {
		for (i = 0; i < NELEM(ident_families) && !tok_is(p, ident_families[i].name); i++)
			;
		if (i == NELEM(ident_families) || (v = tok_next(p)) == NULL)
			continue;
		if (ident_families[i].words != NULL && tok_in_list(ident_families[i].words, v) &&
		    (v = tok_next(v)) == NULL)
			continue;
		if (tok_len(v) != 1 || !text_isdigit(*v) || (d = tok_next(v)) == NULL ||
		    tok_len(d) != 1 || !text_isdigit(*d))
			continue;
		v[1] = '.';
	}
	return 0;
}

/* ---- steps 16-18: suffixes and the final check ------------------------ */

/* Final "-maas" (Vertex model-as-a-service) and "-hf" (Hugging Face
 * weights) tokens go, as often as they occur. */
static int
step_drop_suffix(struct ident_work *w)
{
	char *last;

	while ((last = tok_last(w->s)) != w->s && (tok_is(last, "maas") || tok_is(last, "hf")))
		last[-1] = '\0';
	return 0;
}

/* A final "-turbo" after "instruct", "chat" or a parameter count is a
 * variant (Together's FP8 serving); "gpt-4-turbo", "qwen-turbo" stay. */
static int
step_turbo(struct ident_work *w)
{
	char *last = tok_last(w->s), *prev;

	if (last == w->s || !tok_is(last, "turbo"))
		return 0;
	prev = tok_prev(w->s, last);
	if (!tok_is(prev, "instruct") && !tok_is(prev, "chat") &&
	    ident_size_len(prev) != tok_len(prev))
		return 0;
	last[-1] = '\0';
	return ident_add_variant(w, "turbo", 5);
}

static int
step_check(struct ident_work *w)
{
	size_t n = strlen(w->s);

	if (n == 0)
		return ident_fail(w, "is empty once normalized");
	if (n >= IDENT_ID_MAX)
		return ident_fail(w, "is longer than %zu bytes once normalized", IDENT_ID_MAX - 1);
	return 0;
}

/* The rules, in the order they run. docs/identity.md explains each. */
static const struct ident_step {
	const char *name;
	int (*fn)(struct ident_work *);
} ident_steps[] = {
	{ "fold", step_fold },
	{ "display-vendor", step_display_vendor },
	{ "alias-route", step_alias_route },
	{ "path", step_path },
	{ "bedrock-geo", step_bedrock_geo },
	{ "bedrock-vendor", step_bedrock_vendor },
	{ "bedrock-version", step_bedrock_version },
	{ "size-tag", step_size_tag },
	{ "variant", step_variant },
	{ "display-variant", step_display_variant },
	{ "separators", step_separators },
	{ "vendor-word", step_vendor_word },
	{ "family-split", step_family_split },
	{ "p-dot", step_p_dot },
	{ "dash-dot", step_dash_dot },
	{ "drop-suffix", step_drop_suffix },
	{ "turbo", step_turbo },
	{ "check", step_check },
};

/* Rule 0, "route-bar": a routed endpoint's display name "Provider |
 * author/slug" (OpenRouter's endpoint names) is about the part after the
 * last " | ". */
static const char *
ident_after_route_bar(const char *text)
{
	const char *p, *last = NULL;

	for (p = strstr(text, " | "); p != NULL; p = strstr(p + 1, " | "))
		last = p;
	return last != NULL && last[3] != '\0' ? last + 3 : text;
}

/* Run the step list over text (at most IDENTITY_INPUT_MAX_BYTES) until
 * the id stops changing: one extra pass for almost every id, so the
 * result is always a fixed point of the rules. */
static int
ident_apply_rules(const char *text, struct ident_work *w)
{
	char prev[IDENT_WORK_MAX];
	size_t i;
	int pass;

	memset(w, 0, sizeof(*w));
	w->in = text;
	for (pass = 0; pass < IDENT_PASSES_MAX; pass++) {
		w->bedrock = false;
		for (i = 0; i < NELEM(ident_steps); i++)
			if (ident_steps[i].fn(w) != 0)
				return -1;
		if (pass > 0 && strcmp(prev, w->s) == 0)
			return 0;
		memcpy(prev, w->s, strlen(w->s) + 1);
		w->in = prev;
	}
	return ident_fail(w, "does not settle under the rules");
}

/* ---- the alias table -------------------------------------------------- */

static size_t
alias_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

static const struct ident_alias *
alias_find(const struct ident_table *t, const char *spelling)
{
	size_t i, k;

	if (t->nslot == 0)
		return NULL;
	for (i = alias_hash(spelling) & (t->nslot - 1); (k = t->slot[i]) != 0;
	     i = (i + 1) & (t->nslot - 1))
		if (strcmp(t->v[k - 1].spelling, spelling) == 0)
			return &t->v[k - 1];
	return NULL;
}

static void
alias_slot_put(size_t *slot, size_t nslot, const char *spelling, size_t index)
{
	size_t i;

	for (i = alias_hash(spelling) & (nslot - 1); slot[i] != 0; i = (i + 1) & (nslot - 1))
		;
	slot[i] = index + 1;
}

/* Make room for one more entry: array and hash index. */
static int
alias_reserve(struct ident_table *t)
{
	struct ident_alias *v;
	size_t *slot, nslot, i;

	if (t->n == t->cap) {
		v = reallocarray(t->v, t->cap > 0 ? t->cap * 2 : 64, sizeof(*v));
		if (v == NULL)
			return -1;
		t->v = v;
		t->cap = t->cap > 0 ? t->cap * 2 : 64;
	}
	if (2 * (t->n + 1) < t->nslot)
		return 0;
	nslot = t->nslot > 0 ? t->nslot * 2 : 128;
	slot = calloc(nslot, sizeof(*slot));
	if (slot == NULL)
		return -1;
	for (i = 0; i < t->n; i++)
		alias_slot_put(slot, nslot, t->v[i].spelling, i);
	free(t->slot);
	t->slot = slot;
	t->nslot = nslot;
	return 0;
}

static int
alias_add(struct ident_table *t, const char *spelling, const char *target, int line)
{
	struct ident_alias a = { NULL, NULL, line };

	if (alias_reserve(t) != 0)
		return -1;
	a.spelling = strdup(spelling);
	a.target = strdup(target);
	if (a.spelling == NULL || a.target == NULL) {
		free(a.spelling);
		free(a.target);
		return -1;
	}
	t->v[t->n] = a;
	alias_slot_put(t->slot, t->nslot, a.spelling, t->n);
	t->n++;
	return 0;
}

static void
alias_table_free(struct ident_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i].spelling);
		free(t->v[i].target);
	}
	free(t->v);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

/* ---- the alias file ---------------------------------------------------- */

/* State shared by the line reader and the inih handler. */
struct alias_ctx {
	const char *file;
	const char *pos; /* next line of the file text */
	int line;        /* number of the line last handed to inih */
	struct ident_table t;
	struct lr_err *err;
	enum lr_code code; /* LR_OK until the first error */
	int fail_line;
};

/* Record the first error as "FILE:LINE: reason"; returns 0 for inih. */
__attribute__((format(printf, 2, 3))) static int
alias_fail(struct alias_ctx *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (c->code != LR_OK)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->code = LR_ERR_CONFIG;
	c->fail_line = c->line;
	lr_err_set(c->err, LR_ERR_CONFIG, NULL, NULL, "%s:%d: %s", c->file, c->line, msg);
	return 0;
}

/* "'id'", "'id' with variant 'v'", "'id' in region 'r'" for a reason. */
static void
alias_describe(const struct ident_work *w, char *out, size_t len)
{
	int n = snprintf(out, len, "'%s'", w->s);

	if (n > 0 && (size_t)n < len && w->variant[0] != '\0')
		n += snprintf(out + n, len - (size_t)n, " with variant '%s'", w->variant);
	if (n > 0 && (size_t)n < len && w->region[0] != '\0')
		snprintf(out + n, len - (size_t)n, " in region '%s'", w->region);
}

/* A spelling must be rule output: what the rules make of some provider
 * id, so that it can match after the rules have run. */
static int
alias_check_spelling(struct alias_ctx *c, const char *name, const char *value)
{
	char q[IDENT_QUOTE_BUF], out[IDENT_WORK_MAX + 96];
	struct ident_work w;

	ident_quote(name, q);
	if (ident_apply_rules(name, &w) != 0)
		return alias_fail(c, "spelling '%s' %s", q, w.why);
	alias_describe(&w, out, sizeof(out));
	if (strcmp(w.s, value) == 0 && w.variant[0] == '\0' && w.region[0] == '\0')
		return alias_fail(
		    c, "alias '%s' is not needed: the rules already turn it into '%s'", q, w.s);
	if (strcmp(w.s, name) != 0 || w.variant[0] != '\0' || w.region[0] != '\0')
		return alias_fail(c,
				  "spelling '%s' is not rule output: the rules turn it into %s; "
				  "write that (aliases match after the rules run)",
				  q, out);
	return 1;
}

/* A target must be a canonical id: a fixed point of the rules. */
static int
alias_check_target(struct alias_ctx *c, const char *value)
{
	char q[IDENT_QUOTE_BUF], out[IDENT_WORK_MAX + 96];
	struct ident_work w;

	ident_quote(value, q);
	if (ident_apply_rules(value, &w) != 0)
		return alias_fail(c, "target '%s' is not a canonical id: it %s", q, w.why);
	alias_describe(&w, out, sizeof(out));
	if (strcmp(w.s, value) != 0 || w.variant[0] != '\0' || w.region[0] != '\0')
		return alias_fail(c, "target '%s' is not a canonical id: the rules turn it into %s",
				  q, out);
	return 1;
}

static int
alias_handler(void *user, const char *section, const char *name, const char *value)
{
	struct alias_ctx *c = user;
	const struct ident_alias *prev;
	char q[IDENT_QUOTE_BUF];

	if (c->code != LR_OK)
		return 0;
	ident_quote(name, q);
	if (strcmp(section, "aliases") != 0)
		return alias_fail(c, "'%s' is outside the [aliases] section", q);
	if (c->t.n >= IDENTITY_ALIAS_MAX_ENTRIES)
		return alias_fail(c, "more than %d aliases", IDENTITY_ALIAS_MAX_ENTRIES);
	if (alias_check_target(c, value) == 0 || alias_check_spelling(c, name, value) == 0)
		return 0;
	prev = alias_find(&c->t, name);
	if (prev != NULL)
		return alias_fail(c, "spelling '%s' is listed twice (first on line %d)", q,
				  prev->line);
	if (alias_add(&c->t, name, value, c->line) != 0) {
		c->fail_line = c->line;
		c->code = lr_err_set(c->err, LR_ERR_NOMEM, NULL, NULL, "%s:%d: out of memory",
				     c->file, c->line);
		return 0;
	}
	return 1;
}

/* Lines inih would take in a way the alias file does not allow: indented
 * lines (inih continues the previous value) and sections other than
 * [aliases]. Returns 0, or -1 after recording the error. */
static int
alias_check_line(struct alias_ctx *c, const char *line)
{
	const char *p = line + strspn(line, " \t"), *end;
	char q[IDENT_QUOTE_BUF], name[IDENT_QUOTE_BUF];

	if (*p == '\0' || *p == '\r' || *p == '\n' || *p == ';' || *p == '#')
		return 0;
	if (p != line) {
		alias_fail(c, "%s",
			   "line starts with white space (continuation lines are not allowed in "
			   "an alias file)");
		return -1;
	}
	end = strchr(p, ']');
	if (*p != '[' || end == NULL)
		return 0;
	if (strncmp(p, "[aliases]", 9) == 0 && strchr(" \t\r\n;#", p[9]) != NULL)
		return 0;
	snprintf(name, sizeof(name), "%.*s", (int)(end - p - 1 < 40 ? end - p - 1 : 40), p + 1);
	ident_quote(name, q);
	alias_fail(c, "unknown section [%s]; aliases go under [aliases]", q);
	return -1;
}

/* inih line reader over the in-memory file: counts lines and refuses lines
 * too long for inih's buffer or not allowed (alias_check_line). */
static char *
alias_reader(char *str, int num, void *stream)
{
	struct alias_ctx *c = stream;
	const char *nl;
	size_t n;

	if (*c->pos == '\0' || c->code != LR_OK)
		return NULL;
	nl = strchr(c->pos, '\n');
	n = nl != NULL ? (size_t)(nl - c->pos) + 1 : strlen(c->pos);
	c->line++;
	if (n >= (size_t)num) {
		alias_fail(c, "line longer than %d characters", num - 2);
		return NULL;
	}
	memcpy(str, c->pos, n);
	str[n] = '\0';
	c->pos += n;
	return alias_check_line(c, str) == 0 ? str : NULL;
}

/* Read a whole file of at most IDENTITY_ALIAS_FILE_MAX_BYTES into a new
 * NUL-terminated string (caller frees); NULL with err set. */
static char *
alias_read_file(const char *path, struct lr_err *err, enum lr_code *code)
{
	struct buf b;
	enum file_rc rc =
	    file_read(path, IDENTITY_ALIAS_FILE_MAX_BYTES, FILE_TEXT | FILE_PRIVATE, &b);

	*code = rc == FILE_ERR_NOMEM ? LR_ERR_NOMEM : LR_ERR_CONFIG;
	if (rc != FILE_OK) {
		lr_err_set(err, *code, NULL, NULL, "%s: %s", path,
			   file_rc_reason(rc, errno, "larger than 1 MiB"));
		return NULL;
	}
	if (b.data == NULL && (b.data = strdup("")) == NULL)
		*code = lr_err_set(err, LR_ERR_NOMEM, NULL, NULL, "%s: out of memory", path);
	return b.data;
}

/* After the whole file: no target may itself be a spelling (an alias
 * applies once, so a chain would stop half way). */
static void
alias_check_chains(struct alias_ctx *c)
{
	const struct ident_alias *a, *b;
	size_t i;

	for (i = 0; i < c->t.n && c->code == LR_OK; i++) {
		a = &c->t.v[i];
		b = alias_find(&c->t, a->target);
		if (b == NULL)
			continue;
		c->line = a->line;
		alias_fail(c,
			   "target '%s' is itself an alias spelling (line %d); point at '%s' "
			   "instead",
			   a->target, b->line, b->target);
	}
}

/* ---- public API ------------------------------------------------------- */

struct identity *
identity_new(void)
{
	return calloc(1, sizeof(struct identity));
}

void
identity_free(struct identity *id)
{
	if (id == NULL)
		return;
	alias_table_free(&id->aliases);
	free(id);
}

size_t
identity_alias_count(const struct identity *id)
{
	return id != NULL ? id->aliases.n : 0;
}

enum lr_code
identity_load_aliases(struct identity *id, const char *path, struct lr_err *err)
{
	struct alias_ctx c;
	enum lr_code code;
	char *text;
	int rc;

	if (id == NULL || path == NULL)
		return lr_err_set(err, LR_ERR_INTERNAL, NULL, NULL,
				  "identity_load_aliases: no resolver or no path");
	text = alias_read_file(path, err, &code);
	if (text == NULL)
		return code;
	memset(&c, 0, sizeof(c));
	c.file = path;
	c.pos = text;
	c.err = err;
	rc = ini_parse_stream(alias_reader, &c, alias_handler, &c);
	free(text);
	if (rc > 0 && (c.code == LR_OK || rc < c.fail_line))
		c.code = lr_err_set(err, LR_ERR_CONFIG, NULL, NULL,
				    "%s:%d: syntax error (expected [aliases] or spelling = id)",
				    path, rc);
	if (c.code == LR_OK)
		alias_check_chains(&c);
	if (c.code != LR_OK) {
		alias_table_free(&c.t);
		return c.code;
	}
	alias_table_free(&id->aliases);
	id->aliases = c.t;
	return LR_OK;
}

int
identity_resolve(const struct identity *id, const char *provider_model_id, struct model_ref *ref,
		 char *why, size_t whylen)
{
	const struct ident_alias *a = NULL;
	char q[IDENT_QUOTE_BUF];
	struct ident_work w;

	if (ref == NULL) {
		lr_why(why, whylen, "%s", "no model_ref to fill");
		return -1;
	}
	memset(ref, 0, sizeof(*ref));
	if (provider_model_id == NULL) {
		lr_why(why, whylen, "%s", "model id is missing (NULL)");
		return -1;
	}
	ident_quote(provider_model_id, q);
	if (strnlen(provider_model_id, IDENTITY_INPUT_MAX_BYTES + 1) > IDENTITY_INPUT_MAX_BYTES) {
		lr_why(why, whylen, "model id '%s' is longer than %d bytes", q,
		       IDENTITY_INPUT_MAX_BYTES);
		return -1;
	}
	provider_model_id = ident_after_route_bar(provider_model_id);
	if (ident_apply_rules(provider_model_id, &w) != 0) {
		lr_why(why, whylen, "model id '%s' %s", q, w.why);
		return -1;
	}
	if (id != NULL)
		a = alias_find(&id->aliases, w.s);
	lr_strlcpy(ref->id, a != NULL ? a->target : w.s, sizeof(ref->id));
	lr_strlcpy(ref->variant, w.variant, sizeof(ref->variant));
	lr_strlcpy(ref->region, w.region, sizeof(ref->region));
	return 0;
}
