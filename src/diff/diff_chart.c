/* diff_chart.c - a model's price history as SVG (see diff_chart.h). */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/decimal.h"
#include "diff/diff_chart.h"

#define CH_W      720
#define CH_H      300
#define CH_LEFT   70
#define CH_RIGHT  20
#define CH_TOP    40
#define CH_BOTTOM 50
#define CH_LEGEND 18 /* a legend line's height, below the plot */
#define CH_DAY    86400LL

static const char *const palette[] = { "#1f77b4", "#d62728", "#2ca02c", "#9467bd",
				       "#ff7f0e", "#17becf", "#8c564b", "#e377c2" };

/* What is plotted: times in epoch seconds, prices as dec_t. */
struct chart {
	long long t0, t1; /* the time axis */
	dec_t max;        /* the price axis' top */
	int plot_h;       /* height of the plot area */
	struct buf out;
	int bad; /* out of memory */
};

static void ch_printf(struct chart *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
ch_printf(struct chart *c, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) || buf_append(&c->out, line, (size_t)n) != 0)
		c->bad = 1;
}

/* Text for an SVG text node or attribute. */
static void
ch_text(struct chart *c, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		const char *e = *s == '&'   ? "&amp;"
				: *s == '<' ? "&lt;"
				: *s == '>' ? "&gt;"
				: *s == '"' ? "&quot;"
					    : NULL;
		if (buf_append(&c->out, e ? e : s, e ? strlen(e) : 1) != 0)
			c->bad = 1;
	}
}

/* "YYYY-MM-DDTHH:MM:SSZ" as epoch seconds, or -1. */
static long long
ch_time(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || (end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) == NULL || *end != '\0')
		return -1;
	return (long long)timegm(&tm);
}

/* A price of a step: 1 and *d for a value ("free" is 0), 0 when there is
 * none to plot (unpriced, dynamic). */
static int
ch_price(const json_t *p, const char *side, dec_t *d)
{
	char kind[32], usd[32];
	const char *k, *v;

	snprintf(kind, sizeof(kind), "%s_kind", side);
	snprintf(usd, sizeof(usd), "%s_usd_per_mtok", side);
	k = json_string_value(json_object_get(p, kind));
	v = json_string_value(json_object_get(p, usd));
	if (k != NULL && strcmp(k, "free") == 0) {
		*d = dec_from_int(0);
		return 1;
	}
	return k != NULL && strcmp(k, "value") == 0 && v != NULL &&
	       dec_parse(v, 0, d, NULL, 0) == 0;
}

/* The axes' ranges over every step of every route: t0 the first change,
 * t1 the last one plus a tenth of the span (at least a day), so the last
 * step shows; max the highest price (at least 0.01). */
static void
ch_ranges(struct chart *c, const json_t *routes)
{
	const json_t *r, *p;
	size_t i, j;
	dec_t d;
	long long t;

	c->t0 = c->t1 = -1;
	c->max = dec_from_int(0);
	json_array_foreach(routes, i, r)
	{
		json_array_foreach(json_object_get(r, "prices"), j, p)
		{
			if ((t = ch_time(json_string_value(json_object_get(p, "valid_from")))) < 0)
				continue;
			c->t0 = c->t0 < 0 || t < c->t0 ? t : c->t0;
			c->t1 = t > c->t1 ? t : c->t1;
			if (ch_price(p, "input", &d) && dec_cmp(d, c->max) > 0)
				c->max = d;
			if (ch_price(p, "output", &d) && dec_cmp(d, c->max) > 0)
				c->max = d;
		}
	}
	if (c->t0 < 0)
		c->t0 = c->t1 = 0;
	c->t1 += (c->t1 - c->t0) / 10 > CH_DAY ? (c->t1 - c->t0) / 10 : CH_DAY;
	if (dec_cmp(c->max, (dec_t){ (__int128)10000000000000000LL }) < 0)
		c->max = (dec_t){ (__int128)10000000000000000LL }; /* 0.01 */
}

static long
ch_x(const struct chart *c, long long t)
{
	return CH_LEFT + (long)((t - c->t0) * (CH_W - CH_LEFT - CH_RIGHT) / (c->t1 - c->t0));
}

/* y of a price: exact integer arithmetic on the 10^-18 units. */
static long
ch_y(const struct chart *c, dec_t d)
{
	__int128 v = d.v, m = c->max.v;

	while (m > ((__int128)1 << 100)) { /* keep v * height within 128 bits */
		v /= 1000000;
		m /= 1000000;
	}
	return CH_TOP + c->plot_h - (long)(v * c->plot_h / (m ? m : 1));
}

/* One side of one route as a step path; nothing if no step has a price. */
static void
ch_series(struct chart *c, const json_t *prices, const char *side, const char *colour, int dashed)
{
	long x, y = -1;
	const json_t *p;
	size_t i;
	dec_t d;
	long long t;

	json_array_foreach(prices, i, p)
	{
		t = ch_time(json_string_value(json_object_get(p, "valid_from")));
		if (t < 0)
			continue;
		x = ch_x(c, t);
		if (!ch_price(p, side, &d)) { /* unpriced from here: the line stops */
			if (y >= 0)
				ch_printf(c, " H%ld\"/>\n", x);
			y = -1;
			continue;
		}
		if (y < 0)
			ch_printf(c,
				  "<path class=\"%s\" fill=\"none\" stroke=\"%s\" "
				  "stroke-width=\"2\" stroke-opacity=\"%s\"%s d=\"M%ld %ld",
				  side, colour, side[0] == 'i' ? "1" : "0.5",
				  dashed ? " stroke-dasharray=\"6 4\"" : "", x, ch_y(c, d));
		else
			ch_printf(c, " H%ld V%ld", x, ch_y(c, d));
		y = ch_y(c, d);
	}
	if (y >= 0)
		ch_printf(c, " H%ld\"/>\n", ch_x(c, c->t1));
}

/* "YYYY-MM-DD" of t. */
static void
ch_date(long long t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(out, len, "%Y-%m-%d", &tm) == 0)
		snprintf(out, len, "?");
}

/* The axes: the price scale at 0, half and the top, dates at both ends
 * and in the middle. */
static void
ch_axes(struct chart *c)
{
	long bottom = CH_TOP + c->plot_h, i;
	char label[DEC_STR_MAX], date[16];
	dec_t half;

	ch_printf(c,
		  "<g stroke=\"#999\" stroke-width=\"1\" fill=\"none\"><path d=\"M%d %d V%ld "
		  "H%d\"/></g>\n",
		  CH_LEFT, CH_TOP, bottom, CH_W - CH_RIGHT);
	half.v = c->max.v / 2;
	ch_printf(c, "<g font-family=\"sans-serif\" font-size=\"11\" fill=\"#333\">\n");
	ch_printf(c, "<text x=\"%d\" y=\"%ld\" text-anchor=\"end\">$0</text>\n", CH_LEFT - 6,
		  bottom + 4);
	ch_printf(c, "<text x=\"%d\" y=\"%ld\" text-anchor=\"end\">$%s</text>\n", CH_LEFT - 6,
		  ch_y(c, half) + 4, dec_format(half, label, sizeof(label)));
	ch_printf(c, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">$%s</text>\n", CH_LEFT - 6,
		  CH_TOP + 4, dec_format(c->max, label, sizeof(label)));
	for (i = 0; i < 3; i++) {
		long long t = c->t0 + (c->t1 - c->t0) * i / 2;
		ch_date(t, date, sizeof(date));
		ch_printf(c, "<text x=\"%ld\" y=\"%ld\" text-anchor=\"%s\">%s</text>\n", ch_x(c, t),
			  bottom + 16,
			  i == 0   ? "start"
			  : i == 1 ? "middle"
				   : "end",
			  date);
	}
	ch_printf(c, "</g>\n");
}

/* One legend line per route: its colour, provider, variant and status. */
static void
ch_legend(struct chart *c, const json_t *r, size_t i)
{
	const char *status = json_string_value(json_object_get(r, "status"));
	const char *variant = json_string_value(json_object_get(r, "variant"));
	const char *served = json_string_value(json_object_get(r, "served_by"));
	long y = CH_TOP + c->plot_h + 34 + (long)i * CH_LEGEND;

	ch_printf(
	    c,
	    "<g font-family=\"sans-serif\" font-size=\"11\"><path fill=\"none\" stroke=\"%s\" "
	    "stroke-width=\"2\"%s d=\"M%d %ld h24\"/><text x=\"%d\" y=\"%ld\">",
	    palette[i % 8],
	    status && strcmp(status, "active") != 0 ? " stroke-dasharray=\"6 4\"" : "", CH_LEFT,
	    y - 4, CH_LEFT + 30, y);
	ch_text(c, json_string_value(json_object_get(r, "provider_name")));
	if (served != NULL && served[0] != '\0') {
		ch_text(c, " via ");
		ch_text(c, served);
	}
	if (variant != NULL && variant[0] != '\0') {
		ch_text(c, " (");
		ch_text(c, variant);
		ch_text(c, ")");
	}
	if (status != NULL && strcmp(status, "active") != 0) {
		ch_text(c, ", ");
		ch_text(c, status);
	}
	ch_printf(c, ": input (solid), output (light)</text></g>\n");
}

char *
diff_chart_svg(const json_t *history, size_t *len)
{
	const json_t *routes = json_object_get(history, "routes"), *r;
	struct chart c;
	size_t i, n = json_array_size(routes);
	long height = CH_H + (long)n * CH_LEGEND;

	memset(&c, 0, sizeof(c));
	buf_init(&c.out, 64L << 20);
	c.plot_h = CH_H - CH_TOP - CH_BOTTOM;
	ch_ranges(&c, routes);
	ch_printf(&c,
		  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%ld\" "
		  "viewBox=\"0 0 %d %ld\" role=\"img\">\n<title>",
		  CH_W, height, CH_W, height);
	ch_text(&c, json_string_value(json_object_get(history, "model")));
	ch_printf(&c,
		  ": price history, USD per 1M tokens</title>\n"
		  "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n"
		  "<text x=\"%d\" y=\"22\" font-family=\"sans-serif\" font-size=\"14\">",
		  CH_LEFT);
	ch_text(&c, json_string_value(json_object_get(history, "model")));
	ch_printf(&c, ": price history (USD per 1M tokens)</text>\n");
	ch_axes(&c);
	json_array_foreach(routes, i, r)
	{
		const char *st = json_string_value(json_object_get(r, "status"));
		int dashed = st != NULL && strcmp(st, "active") != 0;
		ch_series(&c, json_object_get(r, "prices"), "input", palette[i % 8], dashed);
		ch_series(&c, json_object_get(r, "prices"), "output", palette[i % 8], dashed);
		ch_legend(&c, r, i);
	}
	ch_printf(&c, "</svg>\n");
	if (c.bad || buf_append(&c.out, "", 1) != 0) {
		buf_free(&c.out);
		return NULL;
	}
	*len = c.out.len - 1;
	return c.out.data;
}
