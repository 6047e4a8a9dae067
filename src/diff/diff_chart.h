/* diff_chart.h - a model's price history as an SVG chart, drawn as text
 * by llmref itself (no library, no JavaScript): per route, its input and
 * output prices in USD per 1M tokens as steps at each change, one colour
 * per route, output lighter than input, deprecated and gone routes
 * dashed, dates on the time axis. Prices are placed with exact integer
 * arithmetic on their decimal text, never through a float. */
#ifndef LLMREF_DIFF_CHART_H
#define LLMREF_DIFF_CHART_H

#include <stddef.h>

#include <jansson.h>

/* The chart of history (a history/ID.json document,
 * docs/site-history.schema.json): a malloc'd NUL-terminated SVG text of
 * *len bytes, the same for the same history, or NULL on out of memory. */
char *diff_chart_svg(const json_t *history, size_t *len);

#endif
