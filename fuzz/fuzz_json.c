/* fuzz_json.c - extract_page() on an arbitrary JSON page with two fixed
 * jq sources like the shipped ones: OpenRouter's rows of objects, and
 * LiteLLM-style member names as the model with more prices. Their
 * programs are compiled once as a set, as a configuration's are, so the
 * pages go through the set's worker. */
#include "fuzz.h"

#include "extract/extract.h"

static const char *const programs[] = {
	".data[] | {model: .id, input_price: .pricing.prompt, output_price: .pricing.completion,"
	" context_window: .context_length, tier_threshold: .pricing.overrides[0]?.min_prompt_tokens,"
	" served_by: .endpoints[0]?.provider_name}",
	"to_entries[] | {model: .key, input_price: .value.input_cost_per_token?,"
	" provider: .value.litellm_provider?,"
	" prices: {cache_write: .value.cache_creation_input_token_cost?}}",
};

static struct jq_set *set;

static void
source_init(struct source *src, long index)
{
	memset(src, 0, sizeof(*src));
	snprintf(src->id, sizeof(src->id), "fuzz");
	src->path = (char *)"fuzz.conf";
	src->provider = (char *)"fuzz";
	src->provider_name = (char *)"Fuzz";
	src->url = (char *)"http://127.0.0.1/fuzz";
	src->file = (char *)"";
	src->kind = SOURCE_PRICING;
	src->format = FORMAT_JSON;
	src->input_unit = UNIT_PER_TOKEN;
	src->output_unit = UNIT_PER_TOKEN;
	src->jq_program = (char *)programs[index];
	src->jq_set = set;
	src->jq_index = index;
	src->jq_timeout_sec = 5;
	src->jq_max_memory_bytes = EXTRACT_JQ_MAX_MEMORY_BYTES;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct source src;
	struct raw_rows rows;
	struct lr_err err;
	char why[512];
	size_t bad;
	long i;

	if (set == NULL && !extract_jq_compile_all(programs, 2, &set, &bad, why, sizeof(why)))
		abort(); /* the programs are ours */
	for (i = 0; i < 2; i++) {
		source_init(&src, i);
		memset(&err, 0, sizeof(err));
		if (extract_page(&src, (const char *)data, size, &rows, &err) == LR_OK)
			raw_rows_free(&rows);
		else if (rows.n != 0 || rows.v != NULL)
			abort(); /* documented: on error out is empty */
	}
	return 0;
}
