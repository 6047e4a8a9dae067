/* diff_related.h - "continue comparing": for a pair's record, the other
 * pairs of either model that have records, most-shared providers first
 * (related_pairs), from the completed halves of a diff pass. */
#ifndef LLMREF_DIFF_RELATED_H
#define LLMREF_DIFF_RELATED_H

#include <jansson.h>

#define DIFF_RELATED_MAX 10 /* related_pairs of one record at most */

/* Whether the pair (ha, hb) gets a record under the pass's pair rule. */
typedef int (*diff_pair_wanted_fn)(const void *rule, const json_t *ha, const json_t *hb);

struct diff_related;

/* A finder over halves ({id: completed half}, kept by reference, not
 * owned) and the pair rule; NULL on out of memory. */
struct diff_related *diff_related_new(const json_t *halves, diff_pair_wanted_fn wanted,
				      const void *rule);
void diff_related_free(struct diff_related *r);

/* related_pairs of the record of (a, b): a new array of at most
 * DIFF_RELATED_MAX {"models": [x, y] (x < y), "shared_providers": n}, the
 * pairs other than (a, b) with a or b that the rule gives a record,
 * ordered by n (the providers x and y share), highest first, then by x,
 * then y. NULL on out of memory. */
json_t *diff_related_pairs(struct diff_related *r, const char *a, const char *b);

/* The same from stored records ({"x|y": {"record": JSON text}}, the
 * pairs with a or b): for an export, where the pass's halves are not at
 * hand. NULL on out of memory. */
json_t *diff_related_from_stored(const json_t *stored, const char *a, const char *b);

#endif
