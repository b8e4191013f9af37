/*
 * tree and peek: pprof's `-tree` report (and `-peek REGEX`, the same for
 * the functions whose name matches): each function's flat and cum values
 * between its callers and its callees, each call with its value and share
 * of the function's cum.
 *
 * The functions and calls are pprof's trimmed graph (graph.c): a call's
 * value counts every sample through it once, however often recursion
 * repeats the pair, and a function calling itself is not a call. A call is
 * "(inline)" when in every sample it was an inlined call: the callee a line
 * inside the caller's location.
 */
#include <stdlib.h>
#include <string.h>

#include "write/write.h"

typedef graph tree;
typedef gedge tedge;

/* pprof's edge order, over edge indices. */
static int cmp_edges(const void *a, const void *b, void *ctx)
{
	const tree *t = ctx;
	return graph_cmp_edges(t, &t->edges[*(const uint32_t *)a], &t->edges[*(const uint32_t *)b]);
}

/* Edge indices grouped by an end (dst when by_dst), each group sorted;
 * start[n]..start[n + 1] is node n's group. */
static bool group_edges(tree *t, bool by_dst, uint32_t **ret_idx, uint32_t **ret_start)
{
	size_t nn = t->f.nnodes;
	uint32_t *start = budget_alloc(t->b, (nn + 2) * sizeof(uint32_t));
	uint32_t *idx = budget_alloc(t->b, (t->nedges + 1) * sizeof(uint32_t));
	if (!start || !idx) {
		budget_free(t->b, start);
		budget_free(t->b, idx);
		return false;
	}
	memset(start, 0, (nn + 2) * sizeof(uint32_t));
	for (size_t i = 0; i < t->nedges; i++)
		start[(by_dst ? t->edges[i].dst : t->edges[i].src) + 1]++;
	for (size_t n = 0; n < nn; n++)
		start[n + 1] += start[n];
	/* fill using a moving cursor, then restore the starts */
	for (size_t i = 0; i < t->nedges; i++)
		idx[start[by_dst ? t->edges[i].dst : t->edges[i].src]++] = (uint32_t)i;
	for (size_t n = nn; n > 0; n--)
		start[n] = start[n - 1];
	start[0] = 0;
	bool ok = true;
	for (size_t n = 0; n < nn && ok; n++)
		if (start[n + 1] - start[n] > 1)
			ok = sort_ctx(t->b, idx + start[n], start[n + 1] - start[n],
				      sizeof(uint32_t), cmp_edges, t);
	if (!ok) {
		budget_free(t->b, start);
		budget_free(t->b, idx);
		return false;
	}
	*ret_idx = idx;
	*ret_start = start;
	return true;
}

static const char separator[] =
	"----------------------------------------------------------+-------------\n";

static void put_edge_text(out *o, const tree *t, const tedge *e, uint32_t other, int64_t cum,
			  const units_fixed *uf, const char *sunit, bool each)
{
	char v[64], pc[64];
	report_value(v, sizeof(v), e->weight, uf, sunit, each);
	units_percent(pc, sizeof(pc), e->weight, cum);
	out_padded(o, v, 50);
	out_char(o, ' ');
	out_str(o, pc);
	out_str(o, " |   ");
	const pstr *nm = &t->f.nodes[other].name;
	out_name_escaped(o, nm->s, nm->len);
	if (e->inline_only)
		out_str(o, " (inline)");
	out_char(o, '\n');
}

static void put_edges_json(out *o, const tree *t, const uint32_t *idx, uint32_t lo, uint32_t hi,
			   bool callers)
{
	out_char(o, '[');
	for (uint32_t k = lo; k < hi; k++) {
		const tedge *e = &t->edges[idx[k]];
		const pstr *nm = &t->f.nodes[callers ? e->src : e->dst].name;
		out_str(o, k > lo ? ", {\"name\": " : "{\"name\": ");
		out_json_str(o, nm->s, nm->len);
		out_str(o, ", \"value\": ");
		out_i64(o, e->weight);
		out_str(o, e->inline_only ? ", \"inline\": true}" : ", \"inline\": false}");
	}
	out_char(o, ']');
}

/* The graph's calls into and out of each node, each group in pprof's
 * order. */
typedef struct tree_edges {
	uint32_t *in_idx, *in_start, *out_idx, *out_start;
} tree_edges;

static void tree_json(writer *w, const tree *t, const tree_edges *te, const regexp *re,
		      size_t *matched)
{
	out *o = w->o;
	report_json_head(o, w->type, w->sunit);
	out_str(o, ", \"total\": ");
	out_i64(o, t->total);
	out_str(o, ", \"nodes\": [");
	for (size_t i = 0; i < t->shown && !o->failed; i++) {
		uint32_t nd = t->rows[i].node;
		const pstr *name = &t->f.nodes[nd].name;
		if (re && !rx_match(re, name->s, name->len))
			continue;
		report_json_row(o, (*matched)++ == 0, name, t->rows[i].flat, t->rows[i].cum);
		out_str(o, ", \"callers\": ");
		put_edges_json(o, t, te->in_idx, te->in_start[nd], te->in_start[nd + 1], true);
		out_str(o, ", \"callees\": ");
		put_edges_json(o, t, te->out_idx, te->out_start[nd], te->out_start[nd + 1], false);
		out_char(o, '}');
	}
	out_str(o, *matched ? "\n]}\n" : "]}\n");
}

static void tree_text(writer *w, const pprofc_tree_options *opt, double nodefraction, const tree *t,
		      const tree_edges *te, const regexp *re, size_t *matched)
{
	out *o = w->o;
	report_head h = { .type = w->type,
			  .sunit = w->sunit,
			  .unit = opt->unit,
			  .nodefraction = nodefraction,
			  .compact = opt->compact_labels };
	report_head_rows(&h, t);
	units_fixed uf;
	bool each;
	report_labels(o, w->p, &h, &uf, &each);
	out_str(o, separator);
	out_str(o, "      flat  flat%   sum%        cum   cum%   calls calls% + context "
		   "\t \t \n");
	int64_t sum = 0;
	for (size_t i = 0; i < t->shown && !o->failed; i++) {
		const row *r = &t->rows[i];
		const pstr *name = &t->f.nodes[r->node].name;
		if (re && !rx_match(re, name->s, name->len))
			continue;
		(*matched)++;
		out_str(o, separator);
		for (uint32_t k = te->in_start[r->node]; k < te->in_start[r->node + 1]; k++) {
			const tedge *ed = &t->edges[te->in_idx[k]];
			put_edge_text(o, t, ed, ed->src, r->cum, &uf, w->sunit, each);
		}
		/* sum% adds up the functions shown (peek: matched) */
		sum = wadd(sum, r->flat);
		report_columns(o, r->flat, sum, r->cum, t->total, &uf, w->sunit, each);
		out_str(o, "                | ");
		out_name_escaped(o, name->s, name->len);
		out_char(o, '\n');
		for (uint32_t k = te->out_start[r->node]; k < te->out_start[r->node + 1]; k++) {
			const tedge *ed = &t->edges[te->out_idx[k]];
			put_edge_text(o, t, ed, ed->dst, r->cum, &uf, w->sunit, each);
		}
	}
	if (t->shown)
		out_str(o, separator);
}

/* What the tree's body is told. */
typedef struct tree_job {
	const pprofc_tree_options *opt;
	const regexp *re; /* peek's, or NULL */
	double nodefraction;
} tree_job;

static pprofc_status write_tree(writer *w, const void *ctx)
{
	const tree_job *j = ctx;
	const tree *t = &w->g;
	tree_edges te = { 0 };
	size_t matched = 0;
	pprofc_status st = PPROFC_OK;
	if (!group_edges(&w->g, true, &te.in_idx, &te.in_start) ||
	    !group_edges(&w->g, false, &te.out_idx, &te.out_start))
		st = writer_nomem(w);
	else if (j->opt->json)
		tree_json(w, t, &te, j->re, &matched);
	else
		tree_text(w, j->opt, j->nodefraction, t, &te, j->re, &matched);
	if (st == PPROFC_OK && j->re && !matched)
		st = set_error(w->p, PPROFC_ERR_USAGE, "no function matches '%s'", j->opt->peek);
	budget_free_each(w->b, te.in_idx, te.in_start, te.out_idx, te.out_start);
	return st;
}

pprofc_status pprofc_write_tree(pprofc_profile *p, const pprofc_tree_options *opt,
				const pprofc_sink *sink)
{
	WRITER_OPTIONS(pprofc_tree_options, o, p, opt);
	regexp *re = NULL;
	if (o.peek) {
		char why[256];
		re = rx_compile(o.peek, why, sizeof(why));
		if (!re)
			return set_error(p, PPROFC_ERR_USAGE, "invalid regular expression '%s': %s",
					 o.peek, why);
	}
	/* pprof's defaults: -tree trims its text, -peek never trims */
	bool whole = o.json || o.peek;
	graph_opts go = { .sample_index = o.sample_index,
			  .sort_by_cum = o.sort_by_cum,
			  .nodecount = report_count(o.nodecount, 80, whole),
			  .nodefraction = report_fraction(o.nodefraction, 0.005, whole),
			  .edgefraction = report_fraction(o.edgefraction, 0.001, whole) };
	tree_job j = { &o, re, go.nodefraction };
	pprofc_status st = writer_run_graph(p, &go, "the tree report", sink, write_tree, &j);
	rx_free(re);
	return st;
}
