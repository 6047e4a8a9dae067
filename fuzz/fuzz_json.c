/* fuzz_json.c - extract_page() on an arbitrary JSON page with two fixed
 * sources like the shipped ones: OpenRouter's rows of objects, and
 * LiteLLM-style member names as the model (@key). */
#include "fuzz.h"

#include "extract/extract.h"

static void
source_init(struct source *src, int keyed)
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
	if (keyed) {
		src->rows = (char *)"$.*";
		src->fields[FIELD_MODEL] = (char *)EXTRACT_JSON_KEY;
		src->fields[FIELD_INPUT_PRICE] = (char *)"$.input_cost_per_token";
		src->fields[FIELD_SERVED_BY] = (char *)"$['litellm_provider']";
		return;
	}
	src->rows = (char *)"$.data[*]";
	src->fields[FIELD_MODEL] = (char *)"$.id";
	src->fields[FIELD_INPUT_PRICE] = (char *)"$.pricing.prompt";
	src->fields[FIELD_OUTPUT_PRICE] = (char *)"$.pricing.completion";
	src->fields[FIELD_CONTEXT_WINDOW] = (char *)"$.context_length";
	src->fields[FIELD_TIER_THRESHOLD] = (char *)"$.pricing.overrides[0].min_prompt_tokens";
	src->fields[FIELD_SERVED_BY] = (char *)"$.endpoints.*";
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct source src;
	struct raw_rows rows;
	struct lr_err err;
	int keyed;

	for (keyed = 0; keyed < 2; keyed++) {
		source_init(&src, keyed);
		memset(&err, 0, sizeof(err));
		if (extract_page(&src, (const char *)data, size, &rows, &err) == LR_OK)
			raw_rows_free(&rows);
		else if (rows.n != 0 || rows.v != NULL)
			abort(); /* documented: on error out is empty */
	}
	return 0;
}
