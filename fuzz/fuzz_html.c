/* fuzz_html.c - extract_page() on an arbitrary page, as HTML and as
 * Markdown, with a fixed pricing source like the shipped ones: rows by
 * XPath, fields by relative paths and XPath string functions. */
#include "fuzz.h"

#include "extract/extract.h"

static void
source_init(struct source *src, enum source_format format)
{
	memset(src, 0, sizeof(*src));
	snprintf(src->id, sizeof(src->id), "fuzz");
	src->path = (char *)"fuzz.conf";
	src->provider = (char *)"fuzz";
	src->provider_name = (char *)"Fuzz";
	src->url = (char *)"http://127.0.0.1/fuzz";
	src->file = (char *)"";
	src->kind = SOURCE_PRICING;
	src->format = format;
	src->rows = (char *)"//table//tr[td]";
	src->fields[FIELD_MODEL] = (char *)"td[1]";
	src->fields[FIELD_INPUT_PRICE] = (char *)"normalize-space(td[2])";
	src->fields[FIELD_OUTPUT_PRICE] = (char *)"substring-after(td[3], ':')";
	src->fields[FIELD_CONTEXT_WINDOW] = (char *)"td[4]//span[@class='ctx']";
	src->fields[FIELD_SERVED_BY] = (char *)"@data-provider";
	src->input_unit = UNIT_PER_1M;
	src->output_unit = UNIT_AUTO;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum source_format formats[] = { FORMAT_HTML, FORMAT_MARKDOWN };
	struct source src;
	struct raw_rows rows;
	struct lr_err err;
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		source_init(&src, formats[i]);
		memset(&err, 0, sizeof(err));
		if (extract_page(&src, (const char *)data, size, &rows, &err) == LR_OK)
			raw_rows_free(&rows);
		else if (rows.n != 0 || rows.v != NULL)
			abort(); /* documented: on error out is empty */
	}
	return 0;
}
