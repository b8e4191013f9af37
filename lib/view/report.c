/*
 * report: what the text and JSON reports share (top, tree, dot, and the
 * filters' totals): the rows per node and their order, pprof's totals and
 * cut-offs, the units the rows are shown in, and pprof's header lines.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "view/view.h"

/* The names' bytes, then their lengths: Go's string order. */
static int cmp_name(const frames *f, uint32_t a, uint32_t b)
{
	const pstr *x = &f->nodes[a].name, *y = &f->nodes[b].name;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);
	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

int report_cmp_node_names(const void *a, const void *b, void *ctx)
{
	return cmp_name(ctx, *(const uint32_t *)a, *(const uint32_t *)b);
}

int64_t report_cutoff(int64_t total, double fraction)
{
	return abs64((int64_t)((double)total * fraction));
}

size_t report_drop_rows(row *rows, size_t *nrows, double fraction, uint32_t nostack)
{
	if (!(fraction > 0))
		return 0;
	/* pprof's cut is a share of its nodes' flat sum, signed; it has no
	 * node for stackless samples */
	int64_t fsum = 0;
	for (size_t i = 0; i < *nrows; i++)
		if (rows[i].node != nostack)
			fsum = wadd(fsum, rows[i].flat);
	int64_t cut = report_cutoff(fsum, fraction);
	size_t n = 0;
	for (size_t i = 0; i < *nrows; i++)
		if (abs64(rows[i].cum) >= cut)
			rows[n++] = rows[i];
	size_t dropped = *nrows - n;
	*nrows = n;
	return dropped;
}

void report_totals(const pprofc_profile *p, size_t index, int64_t *ret_total, int64_t *ret_div)
{
	/* pprof's computeTotal: with --diff-base samples, the base's alone */
	int64_t total = 0, div = 0, btotal = 0, bdiv = 0;
	size_t nt = p->nsample_types;
	for (size_t i = 0; i < p->nsamples; i++) {
		int64_t v = abs64(p->values[i * nt + index]), d = p->values[i * nt];
		total = wadd(total, v);
		div = wadd(div, d);
		if (p->labels && sample_is_base(p, i)) {
			btotal = wadd(btotal, v);
			bdiv = wadd(bdiv, d);
		}
	}
	*ret_total = btotal > 0 ? btotal : total;
	*ret_div = btotal > 0 ? bdiv : div;
}

int64_t report_total(const pprofc_profile *p, size_t index)
{
	if (p->prefilter_total)
		return p->prefilter_total[index];
	int64_t total, div;
	report_totals(p, index, &total, &div);
	return total;
}

void report_columns(out *o, int64_t flat, int64_t sum, int64_t cum, int64_t total,
		    const units_fixed *uf, const char *sunit, bool each)
{
	char a[64], b[64], c[64], d[64], e[64];
	report_value(a, sizeof(a), flat, uf, sunit, each);
	units_percent(b, sizeof(b), flat, total);
	units_percent(c, sizeof(c), sum, total);
	report_value(d, sizeof(d), cum, uf, sunit, each);
	units_percent(e, sizeof(e), cum, total);
	/* "%10s %s %s %10s %s" piece by piece: printf would parse its format
	 * again for every row of a long report */
	out_padded(o, a, 10);
	out_char(o, ' ');
	out_str(o, b);
	out_char(o, ' ');
	out_str(o, c);
	out_char(o, ' ');
	out_padded(o, d, 10);
	out_char(o, ' ');
	out_str(o, e);
}

void report_labels(out *o, pprofc_profile *p, const report_head *h, units_fixed *uf, bool *each)
{
	/* pprof picks a unit only for "minimum"; any other -unit is used as
	 * given, and "auto" scales every value on its own. */
	const char *ounit = h->unit && *h->unit && strcmp(h->unit, "minimum")
				    ? h->unit
				    : report_unit(h->sunit, h->rows, h->shown, h->total);
	*each = !strcmp(ounit, "auto");
	units_fix(uf, h->sunit, ounit);
	if (!h->compact)
		report_header(o, p, h->type, h->mean, h->sunit, ounit, h->total);
	report_active_filters(o, p);
	int64_t flatsum = 0;
	for (size_t i = 0; i < h->shown; i++)
		flatsum = wadd(flatsum, h->rows[i].flatv);
	char a[64], b[64], c[64];
	report_value(a, sizeof(a), flatsum, uf, h->sunit, *each);
	units_percent(b, sizeof(b), flatsum, h->total);
	report_value(c, sizeof(c), h->total, uf, h->sunit, *each);
	const char *pct = b;
	while (*pct == ' ')
		pct++;
	out_fmt(o, "Showing nodes accounting for %s, %s of %s total\n", a, pct, c);
	if (h->dropped && h->total) {
		report_value(a, sizeof(a), report_cutoff(h->total, h->nodefraction), uf, h->sunit,
			     *each);
		out_fmt(o, "Dropped %zu node%s (cum <= %s)\n", h->dropped,
			h->dropped > 1 ? "s" : "", a);
	}
	if (h->dropped_edges && h->total) {
		report_value(a, sizeof(a), report_cutoff(h->total, h->edgefraction), uf, h->sunit,
			     *each);
		out_fmt(o, "Dropped %zu edge%s (freq <= %s)\n", h->dropped_edges,
			h->dropped_edges > 1 ? "s" : "", a);
	}
	if (h->total && h->shown < h->nrows)
		out_fmt(o, "Showing top %zu nodes out of %zu\n", h->shown, h->nrows);
}

/* pprof's FlatNameOrder / CumNameOrder. */
int report_cmp_rows(const frames *f, const row *a, const row *b, int by_cum)
{
	int64_t a1 = abs64(by_cum ? a->cum : a->flat), b1 = abs64(by_cum ? b->cum : b->flat);
	if (a1 != b1)
		return a1 > b1 ? -1 : 1;
	int c = cmp_name(f, a->node, b->node);
	if (c)
		return c;
	int64_t a2 = abs64(by_cum ? a->flat : a->cum), b2 = abs64(by_cum ? b->flat : b->cum);
	if (a2 != b2)
		return a2 > b2 ? -1 : 1;
	return a->node < b->node ? -1 : a->node > b->node;
}

typedef struct rows_ctx {
	const frames *f;
	int by_cum;
} rows_ctx;

static int cmp_rows_ctx(const void *a, const void *b, void *ctx)
{
	const rows_ctx *c = ctx;
	return report_cmp_rows(c->f, a, b, c->by_cum);
}

bool report_sort_rows(budget *b, const frames *f, row *rows, size_t n, int by_cum)
{
	rows_ctx c = { f, by_cum };
	return sort_ctx(b, rows, n, sizeof(row), cmp_rows_ctx, &c);
}

void report_json_head(out *o, const char *type, const char *sunit)
{
	out_str(o, "{\"sample_type\": ");
	out_json_str(o, type, strlen(type));
	out_str(o, ", \"unit\": ");
	out_json_str(o, sunit, strlen(sunit));
}

void report_json_row(out *o, bool first, const pstr *name, int64_t flat, int64_t cum)
{
	out_str(o, first ? "\n  {\"name\": " : ",\n  {\"name\": ");
	out_json_str(o, name->s, name->len);
	out_str(o, ", \"flat\": ");
	out_i64(o, flat);
	out_str(o, ", \"cum\": ");
	out_i64(o, cum);
}

/* pprof's selectOutputUnit: one unit for the report, fine enough that the
 * smallest row still shows (scaled by 100 when far below the total). */
const char *report_unit(const char *sample_unit, const row *r, size_t n, int64_t total)
{
	int64_t minv = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t v = abs64(r[i].flatv);
		if (!v)
			v = abs64(r[i].cumv);
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

void report_value(char *buf, size_t n, int64_t v, const units_fixed *uf, const char *sunit,
		  bool each)
{
	if (each)
		units_label(buf, n, v, sunit, "auto");
	else
		units_label_fixed(buf, n, v, uf);
}

static const char *basename_of(const char *path)
{
	const char *s = strrchr(path, '/');
	return s && s[1] ? s + 1 : path;
}

void report_header(out *o, pprofc_profile *p, const char *type, int mean, const char *sunit,
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
	out_str(o, mean ? "Type: mean_" : "Type: ");
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
			/* (pprof leaves the space before the missing percentage) */
			out_fmt(o, "Duration: %s, Total samples = %s \n", a, b);
		}
	}
}

/* pprof's legend of the filters applied, each cut at 80 bytes. */
void report_active_filters(out *o, const pprofc_profile *p)
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

/* The sums, with or without the --mean divisors: `means` is a constant
 * where this is inlined, so the summing without them carries no test per
 * frame and touches half the arrays. The stacks' frames are read in place,
 * leaf first (cum does not care about order); the leaf's innermost frame
 * takes the flat value. */
static inline __attribute__((always_inline)) void node_sums_at(const pprofc_profile *p,
							       const frames *f, size_t index,
							       const node_sums *ns, bool means)
{
	size_t nt = p->nsample_types;
	int64_t *flat = ns->flat, *cum = ns->cum, *flatd = ns->flatd, *cumd = ns->cumd;
	uint32_t *stamp = ns->stamp;
	const uint32_t *locs = p->stack_locs, *off = f->loc_off, *fnode = f->frame_node;
	for (uint32_t s = 0; s < p->nstacks; s++) {
		int64_t v = f->stack_values[(size_t)s * nt + index];
		int64_t d = means ? f->stack_values[(size_t)s * nt] : 0;
		if (v == 0 && d == 0)
			continue;
		uint32_t lo = p->stack_off[s], hi = p->stack_off[s + 1];
		if (lo == hi) {
			flat[f->nostack] = wadd(flat[f->nostack], v);
			cum[f->nostack] = wadd(cum[f->nostack], v);
			if (means) {
				flatd[f->nostack] = wadd(flatd[f->nostack], d);
				cumd[f->nostack] = wadd(cumd[f->nostack], d);
			}
			continue;
		}
		for (uint32_t j = lo; j < hi; j++)
			for (uint32_t k = off[locs[j]], kend = off[locs[j] + 1]; k < kend; k++) {
				uint32_t nd = fnode[k];
				if (stamp[nd] != s + 1) {
					stamp[nd] = s + 1;
					cum[nd] = wadd(cum[nd], v);
					if (means)
						cumd[nd] = wadd(cumd[nd], d);
				}
			}
		uint32_t leaf = fnode[off[locs[lo]]];
		flat[leaf] = wadd(flat[leaf], v);
		if (means)
			flatd[leaf] = wadd(flatd[leaf], d);
	}
}

void report_node_sums(const pprofc_profile *p, const frames *f, size_t index, const node_sums *ns)
{
	if (ns->flatd)
		node_sums_at(p, f, index, ns, true);
	else
		node_sums_at(p, f, index, ns, false);
}

size_t report_rows(const frames *f, const node_sums *ns, row *rows, int64_t *ret_fsum)
{
	size_t nrows = 0;
	int64_t fsum = 0;
	for (uint32_t i = 0; i < f->nnodes; i++) {
		int64_t flat = ns->flat[i], cum = ns->cum[i];
		if (!flat && !cum)
			continue;
		rows[nrows++] =
			(row){ i, flat, cum, ns->flatd ? report_mean(flat, ns->flatd[i]) : flat,
			       ns->cumd ? report_mean(cum, ns->cumd[i]) : cum };
		if (i != f->nostack)
			fsum = wadd(fsum, flat);
	}
	*ret_fsum = fsum;
	return nrows;
}

void report_head_rows(report_head *h, const graph *g)
{
	h->total = g->total;
	h->rows = g->rows;
	h->shown = g->shown;
	h->nrows = g->nrows;
	h->dropped = g->dropped;
}
