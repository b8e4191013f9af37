/*
 * top: pprof's flat text report (`go tool pprof -top`): per function its
 * flat value (samples where it is the leaf) and cum value (samples it
 * appears in, counted once per sample however often recursion repeats it),
 * sorted, with pprof's header lines, units and percentages; or the same
 * rows as JSON with integer values for scripts.
 *
 * In text, trimmed as pprof trims its report by default (-nodefraction),
 * and a row is marked " (inline)" as pprof marks it, from the calls into it
 * in pprof's graph (graph.c).
 *
 * One deliberate difference: samples without any location are a row named
 * "[no stack]" instead of being left out of the rows (pprof leaves them out,
 * so its rows do not add up to its total).
 */
#include <string.h>

#include "write/write.h"

/* The report's rows: the nodes' sums (--mean's divisors too), the rows
 * left after -nodefraction, in pprof's order, and what the text needs of
 * them. */
typedef struct top {
	node_sums s;
	row *rows;
	size_t nrows, shown, dropped;
	int64_t total, fsum;
	double nodefraction;
} top;

/* pprof's total is the sum of absolute sample values, taken before any
 * filter: percentages stay shares of the whole profile. With --mean it is
 * divided by the sum of the first values (not their absolute values). */
static int64_t top_total(const pprofc_profile *p, size_t index, bool mean)
{
	int64_t total = 0, div = 0;
	if (p->prefilter_total) {
		total = p->prefilter_total[index];
		div = p->prefilter_total[p->nsample_types + index];
	} else {
		report_totals(p, index, &total, &div);
	}
	return mean ? report_mean(total, div) : total;
}

static bool top_alloc(writer *w, top *t, bool mean)
{
	size_t nn = w->f.nnodes;
	t->s.flat = budget_alloc(w->b, (nn + 1) * sizeof(int64_t));
	t->s.cum = budget_alloc(w->b, (nn + 1) * sizeof(int64_t));
	/* with --mean: the sums of the first values, the divisors */
	if (mean) {
		t->s.flatd = budget_alloc(w->b, (nn + 1) * sizeof(int64_t));
		t->s.cumd = budget_alloc(w->b, (nn + 1) * sizeof(int64_t));
	}
	t->s.stamp = budget_alloc(w->b, (nn + 1) * sizeof(uint32_t));
	t->rows = budget_alloc(w->b, (nn + 1) * sizeof(row));
	if (!t->s.flat || !t->s.cum || (mean && (!t->s.flatd || !t->s.cumd)) || !t->s.stamp ||
	    !t->rows)
		return false;
	memset(t->s.flat, 0, nn * sizeof(int64_t));
	memset(t->s.cum, 0, nn * sizeof(int64_t));
	if (mean) {
		memset(t->s.flatd, 0, nn * sizeof(int64_t));
		memset(t->s.cumd, 0, nn * sizeof(int64_t));
	}
	memset(t->s.stamp, 0, nn * sizeof(uint32_t));
	return true;
}

/* The rows, summed, trimmed and sorted. */
static pprofc_status top_rows(writer *w, const pprofc_top_options *opt, top *t)
{
	if (!top_alloc(w, t, opt->mean))
		return writer_nomem(w);
	report_node_sums(w->p, &w->f, w->index, &t->s);
	t->total = top_total(w->p, w->index, opt->mean);
	/* pprof trims its text report, JSON is complete unless told */
	t->nodefraction = report_fraction(opt->nodefraction, 0.005, opt->json);
	size_t nodecount = report_count(opt->nodecount, 0, opt->json);
	t->nrows = report_rows(&w->f, &t->s, t->rows, &t->fsum);
	t->dropped = report_drop_rows(t->rows, &t->nrows, t->nodefraction, w->f.nostack);
	if (!report_sort_rows(w->b, &w->f, t->rows, t->nrows, opt->sort_by_cum))
		return set_error(w->p, PPROFC_ERR_NOMEM, "out of memory for sorting the report");
	t->shown = nodecount && nodecount < t->nrows ? nodecount : t->nrows;
	return PPROFC_OK;
}

static void top_json(writer *w, const pprofc_top_options *opt, const top *t)
{
	out *o = w->o;
	out_str(o, "{\"sample_type\": ");
	out_json_str(o, w->type, strlen(w->type));
	if (opt->mean)
		out_str(o, ", \"mean\": true");
	out_str(o, ", \"unit\": ");
	out_json_str(o, w->sunit, strlen(w->sunit));
	out_str(o, ", \"total\": ");
	out_i64(o, t->total);
	out_str(o, ", \"rows\": [");
	for (size_t i = 0; i < t->shown; i++) {
		report_json_row(o, i == 0, &w->f.nodes[t->rows[i].node].name, t->rows[i].flatv,
				t->rows[i].cumv);
		out_char(o, '}');
	}
	out_str(o, t->shown ? "\n]}\n" : "]}\n");
}

static pprofc_status top_text(writer *w, const pprofc_top_options *opt, const top *t)
{
	out *o = w->o;
	/* the calls into each row, between the rows shown, as pprof's graph
	 * has them: the marks (stamp's bytes are free by now) */
	uint8_t *mark = (uint8_t *)t->s.stamp;
	double edgefraction = report_fraction(opt->edgefraction, 0.001, opt->json);
	pprofc_status st =
		graph_inline_marks(w->p, &w->f, w->index, t->rows, t->shown,
				   report_cutoff(t->fsum, edgefraction), opt->mean, mark);
	if (st != PPROFC_OK)
		return st;
	report_head h = { .type = w->type,
			  .sunit = w->sunit,
			  .unit = opt->unit,
			  .mean = opt->mean,
			  .total = t->total,
			  .rows = t->rows,
			  .shown = t->shown,
			  .nrows = t->nrows,
			  .dropped = t->dropped,
			  .nodefraction = t->nodefraction,
			  .compact = opt->compact_labels };
	units_fixed uf;
	bool each;
	report_labels(o, w->p, &h, &uf, &each);
	out_fmt(o, "%10s %5s%% %5s%% %10s %5s%%\n", "flat", "flat", "sum", "cum", "cum");
	int64_t sum = 0;
	for (size_t i = 0; i < t->shown && !o->failed; i++) {
		const row *r = &t->rows[i];
		sum = wadd(sum, r->flatv);
		report_columns(o, r->flatv, sum, r->cumv, t->total, &uf, w->sunit, each);
		out_str(o, "  ");
		const pstr *name = &w->f.nodes[r->node].name;
		out_name_escaped(o, name->s, name->len);
		uint8_t m = mark[r->node];
		if (m)
			out_str(o, m == 1 ? " (inline)" : m == 3 ? " (partial-inline)" : "");
		out_char(o, '\n');
	}
	return PPROFC_OK;
}

static pprofc_status write_top(writer *w, const void *ctx)
{
	const pprofc_top_options *opt = ctx;
	top t = { 0 };
	pprofc_status st = top_rows(w, opt, &t);
	if (st == PPROFC_OK && opt->json)
		top_json(w, opt, &t);
	else if (st == PPROFC_OK)
		st = top_text(w, opt, &t);
	budget_free_each(w->b, t.s.flat, t.s.cum, t.s.flatd, t.s.cumd, t.s.stamp, t.rows);
	return st;
}

pprofc_status pprofc_write_top(pprofc_profile *p, const pprofc_top_options *opt,
			       const pprofc_sink *sink)
{
	WRITER_OPTIONS(pprofc_top_options, o, p, opt);
	return writer_run(p, o.sample_index, WRITER_FRAMES, "the report", sink, write_top, &o);
}
