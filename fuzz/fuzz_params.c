/* fuzz_params.c - normalize_parameters() on arbitrary model-card text (and
 * the other card cells: license, score, flag, benchmark name); a count
 * that comes out must be in the plausible range. */
#include "fuzz.h"

#include "normalize/normalize_facts.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size), why[256], id[128], name[256];
	int64_t n;
	dec_t score;
	int flag;

	if (text == NULL)
		return 0;
	if (normalize_parameters(text, &n, why, sizeof(why)) == 0 &&
	    (n < PARAMS_MIN_COUNT || n > PARAMS_MAX_COUNT))
		abort();
	if (normalize_score(text, &score, why, sizeof(why)) == 0 &&
	    (dec_is_negative(score) || dec_cmp(score, dec_from_int(SCORE_MAX)) > 0))
		abort();
	if (normalize_flag(text, &flag, why, sizeof(why)) == 0 && flag != 0 && flag != 1)
		abort();
	(void)!normalize_license(text, id, sizeof(id), name, sizeof(name), why, sizeof(why));
	(void)!normalize_benchmark_id(text, id, sizeof(id), name, sizeof(name), why, sizeof(why));
	free(text);
	return 0;
}
