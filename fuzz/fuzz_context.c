/* fuzz_context.c - normalize_context() and normalize_model_id() on
 * arbitrary cell text; a context window that comes out must be in range. */
#include "fuzz.h"

#include "normalize/normalize.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size), why[256], id[128], variant[64];
	int64_t n;

	if (text == NULL)
		return 0;
	if (normalize_context(text, &n, why, sizeof(why)) == 0 && (n < 0 || n > 1000000000))
		abort(); /* documented: negative or over 10^9 is an error */
	if (normalize_model_id(text, id, sizeof(id), variant, sizeof(variant), why, sizeof(why)) ==
		0 &&
	    (id[0] == '\0' || strlen(id) >= sizeof(id)))
		abort();
	free(text);
	return 0;
}
