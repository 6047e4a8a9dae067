/* normalize_impl.h - internal interface between normalize_rows.c and
 * normalize_facts_rows.c. Not used outside the normalize stage. */
#ifndef LLMREF_NORMALIZE_IMPL_H
#define LLMREF_NORMALIZE_IMPL_H

#include "normalize/normalize.h"

/* Fill rec->facts (allocated here, freed by records_free) from raw for a
 * model_card, benchmarks or capabilities source. */
enum lr_code normalize_row_facts(const struct source *src, const struct raw_row *raw,
				 struct record *rec, struct lr_err *err);

#endif
