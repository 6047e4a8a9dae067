/* fuzz_jpath.c - jpath_compile() and jpath_eval() on arbitrary input: the
 * first line is the path, the rest the JSON document it runs over. */
#include "fuzz.h"

#include <jansson.h>

#include "extract/jpath.h"

struct visit {
	long n, stop_at;
};

static int
visit(json_t *value, const char *key, void *ctx)
{
	struct visit *v = ctx;

	if (value == NULL)
		abort();
	if (key != NULL)
		(void)strlen(key);
	return ++v->n == v->stop_at;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t plen = nl != NULL ? (size_t)(nl - data) : size;
	char *text = fuzz_strndup(data, plen), why[256];
	struct visit v = { 0, 0 };
	struct jpath *p;
	json_t *doc;

	p = text != NULL ? jpath_compile(text, why, sizeof(why)) : NULL;
	free(text);
	if (p == NULL || nl == NULL)
		goto out;
	doc = json_loadb((const char *)nl + 1, size - plen - 1,
			 JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
	if (doc != NULL) {
		long all = jpath_eval(p, doc, visit, &v);
		v.n = 0;
		v.stop_at = all > 1 ? all / 2 : 1; /* and again, stopping early */
		(void)jpath_eval(p, doc, visit, &v);
		(void)jpath_first(p, doc);
		json_decref(doc);
	}
out:
	jpath_free(p);
	return 0;
}
