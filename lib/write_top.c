/*
 * top: pprof's flat text report (`go tool pprof -top`): per function its
 * flat value (samples where it is the leaf) and cum value (samples it
 * appears in, counted once per sample however often recursion repeats it),
 * sorted, with pprof's header lines, units and percentages; or the same
 * rows as JSON with integer values for scripts.
 *
 * One deliberate difference: samples without any location are a row named
 * "[no stack]" instead of being left out of the rows (pprof leaves them out,
 * so its rows do not add up to its total).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "units.h"

typedef struct row {
	uint32_t node;
	int64_t flat, cum;
} row;

static int64_t abs64(int64_t v)
{
	return v < 0 ? (int64_t)(0 - (uint64_t)v) : v;
}

static int cmp_name(const frames *f, const row *a, const row *b)
{
	const pstr *x = &f->nodes[a->node].name, *y = &f->nodes[b->node].name;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);
	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* pprof's FlatNameOrder / CumNameOrder. */
static int cmp_rows(const frames *f, const row *a, const row *b, int by_cum)
{
	int64_t a1 = abs64(by_cum ? a->cum : a->flat), b1 = abs64(by_cum ? b->cum : b->flat);
	if (a1 != b1)
		return a1 > b1 ? -1 : 1;
	int c = cmp_name(f, a, b);
	if (c)
		return c;
	int64_t a2 = abs64(by_cum ? a->flat : a->cum), b2 = abs64(by_cum ? b->flat : b->cum);
	if (a2 != b2)
		return a2 > b2 ? -1 : 1;
	return a->node < b->node ? -1 : a->node > b->node;
}

typedef struct sort_ctx_top {
	const frames *f;
	int by_cum;
} sort_ctx_top;

static int cmp_rows_ctx(const void *a, const void *b, void *ctx)
{
	const sort_ctx_top *c = ctx;
	return cmp_rows(c->f, a, b, c->by_cum);
}

/* pprof's selectOutputUnit: one unit for the report, fine enough that the
 * smallest row still shows (scaled by 100 when far below the total). */
static const char *select_unit(const char *sample_unit, const row *r, size_t n, int64_t total)
{
	int64_t minv = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t v = abs64(r[i].flat);
		if (!v)
			v = abs64(r[i].cum);
		if (v > 0 && (minv == 0 || v < minv))
			minv = v;
	}
	int64_t maxv = total;
	if (minv == 0)
		minv = maxv;
	const char *minu, *maxu, *u;
	units_scale(minv, sample_unit, "minimum", &minu);
	units_scale(maxv, sample_unit, "minimum", &maxu);
	u = minu;
	if (strcmp(minu, maxu) && minv < INT64_MAX / 100 && minv * 100 < maxv)
		units_scale(minv * 100, sample_unit, "minimum", &u);
	return *u ? u : sample_unit;
}

static const char *basename_of(const char *path)
{
	const char *s = strrchr(path, '/');
	return s && s[1] ? s + 1 : path;
}

static void header(out *o, pprofc_profile *p, const char *type, const char *sunit,
		   const char *ounit, int64_t total)
{
	char a[64], b[64], c[64];
	if (p->nmappings) {
		const pstr *file = model_str(p, p->mappings[0].filename);
		const pstr *bid = model_str(p, p->mappings[0].build_id);
		if (file->len) {
			out_str(o, "File: ");
			const char *base = basename_of(file->s);
			out_name_escaped(o, base, file->len - (size_t)(base - file->s));
			out_char(o, '\n');
		}
		if (bid->len) {
			out_str(o, "Build ID: ");
			out_name_escaped(o, bid->s, bid->len);
			out_char(o, '\n');
		}
	}
	for (size_t i = 0; i < p->ncomments; i++) {
		const pstr *cm = model_str(p, p->comments[i]);
		if (cm->len && cm->s[0] != '#') {
			out_name_escaped(o, cm->s, cm->len);
			out_char(o, '\n');
		}
	}
	out_str(o, "Type: ");
	out_name_escaped(o, type, strlen(type));
	out_char(o, '\n');
	if (p->time_nanos) {
		time_t t = (time_t)(p->time_nanos / 1000000000);
		struct tm tm;
		if (localtime_r(&t, &tm)) {
			static const char *const mon[] = {
				"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
			};
			char zone[16];
			strftime(zone, sizeof(zone), "%Z", &tm);
			int h = tm.tm_hour % 12 ? tm.tm_hour % 12 : 12;
			out_fmt(o, "Time: %s %d, %d at %d:%02d%s (%s)\n", mon[tm.tm_mon],
				tm.tm_mday, tm.tm_year + 1900, h, tm.tm_min,
				tm.tm_hour < 12 ? "am" : "pm", zone);
		}
	}
	if (p->duration_nanos) {
		units_label(a, sizeof(a), p->duration_nanos, "nanoseconds", "auto");
		units_label(b, sizeof(b), total, sunit, ounit);
		const char *u;
		double ns = units_scale(total, sunit, "nanoseconds", &u);
		if (!strcmp(u, "ns") && ns != 0) {
			units_percent(c, sizeof(c), (int64_t)ns, p->duration_nanos);
			out_fmt(o, "Duration: %s, Total samples = %s (%s)\n", a, b, c);
		} else {
			out_fmt(o, "Duration: %s, Total samples = %s\n", a, b);
		}
	}
}

/* pprof's legend of the filters applied, each cut at 80 bytes. */
static void active_filters(out *o, const pprofc_profile *p)
{
	if (!p->filter_desc_len)
		return;
	out_str(o, "Active filters:\n");
	const char *s = p->filter_desc, *end = s + p->filter_desc_len;
	while (s < end) {
		const char *nl = memchr(s, '\0', (size_t)(end - s));
		size_t len = (size_t)(nl - s);
		out_str(o, "   ");
		out_name_escaped(o, s, len > 80 ? 80 : len);
		if (len > 80)
			out_str(o, "\xe2\x80\xa6"); /* U+2026, as pprof */
		out_char(o, '\n');
		s = nl + 1;
	}
}

pprofc_status pprofc_write_top(pprofc_profile *p, const pprofc_top_options *opt,
			       const pprofc_sink *sink)
{
	size_t index = opt->sample_index;
	frames f;
	pprofc_status st = frames_begin(p, index, &f);
	if (st != PPROFC_OK)
		return st;
	budget *b = &p->mem;
	size_t nt = p->nsample_types;
	int64_t *flat = budget_alloc(b, (f.nnodes + 1) * sizeof(int64_t));
	int64_t *cum = budget_alloc(b, (f.nnodes + 1) * sizeof(int64_t));
	uint32_t *stamp = budget_alloc(b, (f.nnodes + 1) * sizeof(uint32_t));
	uint32_t *scratch = budget_alloc(b, f.max_depth * sizeof(uint32_t));
	row *rows = budget_alloc(b, (f.nnodes + 1) * sizeof(row));
	out *o = budget_alloc(b, sizeof(out));
	if (!flat || !cum || !stamp || !scratch || !rows || !o) {
		st = set_error(p, PPROFC_ERR_NOMEM, "out of memory for the report");
		goto done;
	}
	memset(flat, 0, f.nnodes * sizeof(int64_t));
	memset(cum, 0, f.nnodes * sizeof(int64_t));
	memset(stamp, 0, f.nnodes * sizeof(uint32_t));

	for (uint32_t s = 0; s < p->nstacks; s++) {
		int64_t v = f.stack_values[(size_t)s * nt + index];
		if (v == 0)
			continue;
		size_t n = frames_expand_nodes(p, &f, s, scratch);
		for (size_t k = 0; k < n; k++) {
			uint32_t nd = scratch[k];
			if (stamp[nd] != s + 1) {
				stamp[nd] = s + 1;
				cum[nd] = wadd(cum[nd], v);
			}
		}
		flat[scratch[n - 1]] = wadd(flat[scratch[n - 1]], v);
	}
	/* pprof's total is the sum of absolute sample values, taken before
	 * any filter: percentages stay shares of the whole profile. */
	int64_t total = 0;
	if (p->prefilter_total)
		total = p->prefilter_total[index];
	else
		for (size_t i = 0; i < p->nsamples; i++)
			total = wadd(total, abs64(p->values[i * nt + index]));

	size_t nrows = 0;
	for (uint32_t i = 0; i < f.nnodes; i++)
		if (flat[i] || cum[i])
			rows[nrows++] = (row){ i, flat[i], cum[i] };
	sort_ctx_top sc = { &f, opt->sort_by_cum };
	if (!sort_ctx(b, rows, nrows, sizeof(row), cmp_rows_ctx, &sc)) {
		st = set_error(p, PPROFC_ERR_NOMEM, "out of memory for sorting the report");
		goto done;
	}
	size_t shown = opt->nodecount && opt->nodecount < nrows ? opt->nodecount : nrows;

	const char *type = model_str(p, p->sample_types[index].type)->s;
	const char *sunit = model_str(p, p->sample_types[index].unit)->s;
	out_init(o, sink);

	if (opt->json) {
		out_str(o, "{\"sample_type\": ");
		out_json_str(o, type, strlen(type));
		out_str(o, ", \"unit\": ");
		out_json_str(o, sunit, strlen(sunit));
		out_str(o, ", \"total\": ");
		out_i64(o, total);
		out_str(o, ", \"rows\": [");
		for (size_t i = 0; i < shown; i++) {
			const pstr *name = &f.nodes[rows[i].node].name;
			out_str(o, i ? ",\n  {\"name\": " : "\n  {\"name\": ");
			out_json_str(o, name->s, name->len);
			out_str(o, ", \"flat\": ");
			out_i64(o, rows[i].flat);
			out_str(o, ", \"cum\": ");
			out_i64(o, rows[i].cum);
			out_char(o, '}');
		}
		out_str(o, shown ? "\n]}\n" : "]}\n");
		st = out_finish(o, p);
		goto done;
	}

	const char *ounit = select_unit(sunit, rows, shown, total);
	header(o, p, type, sunit, ounit, total);
	active_filters(o, p);
	int64_t flatsum = 0;
	for (size_t i = 0; i < shown; i++)
		flatsum = wadd(flatsum, rows[i].flat);
	char a[64], bb[64], c[64], d[64], e[64];
	units_fixed uf;
	units_fix(&uf, sunit, ounit);
	units_label_fixed(a, sizeof(a), flatsum, &uf);
	units_percent(bb, sizeof(bb), flatsum, total);
	units_label_fixed(c, sizeof(c), total, &uf);
	const char *pct = bb;
	while (*pct == ' ')
		pct++;
	out_fmt(o, "Showing nodes accounting for %s, %s of %s total\n", a, pct, c);
	if (shown < nrows)
		out_fmt(o, "Showing top %zu nodes out of %zu\n", shown, nrows);
	out_fmt(o, "%10s %5s%% %5s%% %10s %5s%%\n", "flat", "flat", "sum", "cum", "cum");
	int64_t sum = 0;
	for (size_t i = 0; i < shown && !o->failed; i++) {
		sum = wadd(sum, rows[i].flat);
		units_label_fixed(a, sizeof(a), rows[i].flat, &uf);
		units_percent(bb, sizeof(bb), rows[i].flat, total);
		units_percent(c, sizeof(c), sum, total);
		units_label_fixed(d, sizeof(d), rows[i].cum, &uf);
		units_percent(e, sizeof(e), rows[i].cum, total);
		out_fmt(o, "%10s %s %s %10s %s  ", a, bb, c, d, e);
		const pstr *name = &f.nodes[rows[i].node].name;
		out_name_escaped(o, name->s, name->len);
		out_char(o, '\n');
	}
	st = out_finish(o, p);

done:
	budget_free(b, flat);
	budget_free(b, cum);
	budget_free(b, stamp);
	budget_free(b, scratch);
	budget_free(b, rows);
	budget_free(b, o);
	frames_finish(&f);
	return st;
}
