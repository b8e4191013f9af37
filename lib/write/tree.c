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

static int cmp_name_id(const frames *f, uint32_t a, uint32_t b)
{
	const pstr *x = &f->nodes[a].name, *y = &f->nodes[b].name;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);
	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* pprof's edge order: heavier first, then by caller, then callee name. */
static int cmp_edges(const void *a, const void *b, void *ctx)
{
	const tree *t = ctx;
	const tedge *x = &t->edges[*(const uint32_t *)a], *y = &t->edges[*(const uint32_t *)b];
	int64_t wx = abs64(x->weight), wy = abs64(y->weight);
	if (wx != wy)
		return wx > wy ? -1 : 1;
	int c = cmp_name_id(&t->f, x->src, y->src);
	return c ? c : cmp_name_id(&t->f, x->dst, y->dst);
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

pprofc_status pprofc_write_tree(pprofc_profile *p, const pprofc_tree_options *opt,
				const pprofc_sink *sink)
{
	tree t;
	size_t index = opt->sample_index;
	regexp *re = NULL;
	if (opt->peek) {
		char why[256];
		re = rx_compile(opt->peek, why, sizeof(why));
		if (!re)
			return set_error(p, PPROFC_ERR_USAGE, "invalid regular expression '%s': %s",
					 opt->peek, why);
	}
	bool have_rx = re != NULL;
	/* pprof's defaults: -tree trims its text, -peek never trims */
	bool whole = opt->json || opt->peek;
	graph_opts go = { .sample_index = index,
			  .sort_by_cum = opt->sort_by_cum,
			  .nodecount = report_count(opt->nodecount, 80, whole),
			  .nodefraction = report_fraction(opt->nodefraction, 0.005, whole),
			  .edgefraction = report_fraction(opt->edgefraction, 0.001, whole) };
	pprofc_status st = graph_build(p, &go, &t);
	if (st != PPROFC_OK) {
		rx_free(re);
		return st;
	}
	budget *b = t.b;
	out *o = budget_alloc(b, sizeof(out));
	uint32_t *in_idx = NULL, *in_start = NULL, *out_idx = NULL, *out_start = NULL;
	if (!o || !group_edges(&t, true, &in_idx, &in_start) ||
	    !group_edges(&t, false, &out_idx, &out_start))
		goto nomem;
	const row *rows = t.rows;
	size_t shown = t.shown, nrows = t.nrows, dropped = t.dropped;
	int64_t total = t.total;

	const char *type = model_str(p, p->sample_types[index].type)->s;
	const char *sunit = model_str(p, p->sample_types[index].unit)->s;
	out_init(o, sink);
	size_t matched = 0;

	if (opt->json) {
		report_json_head(o, type, sunit);
		out_str(o, ", \"total\": ");
		out_i64(o, total);
		out_str(o, ", \"nodes\": [");
		for (size_t i = 0; i < shown && !o->failed; i++) {
			uint32_t nd = rows[i].node;
			const pstr *name = &t.f.nodes[nd].name;
			if (have_rx && !rx_match(re, name->s, name->len))
				continue;
			out_str(o, matched++ ? ",\n  {\"name\": " : "\n  {\"name\": ");
			out_json_str(o, name->s, name->len);
			out_str(o, ", \"flat\": ");
			out_i64(o, rows[i].flat);
			out_str(o, ", \"cum\": ");
			out_i64(o, rows[i].cum);
			out_str(o, ", \"callers\": ");
			put_edges_json(o, &t, in_idx, in_start[nd], in_start[nd + 1], true);
			out_str(o, ", \"callees\": ");
			put_edges_json(o, &t, out_idx, out_start[nd], out_start[nd + 1], false);
			out_char(o, '}');
		}
		out_str(o, matched ? "\n]}\n" : "]}\n");
	} else {
		report_head h = { .type = type,
				  .sunit = sunit,
				  .unit = opt->unit,
				  .total = total,
				  .rows = rows,
				  .shown = shown,
				  .nrows = nrows,
				  .dropped = dropped,
				  .nodefraction = go.nodefraction,
				  .compact = opt->compact_labels };
		units_fixed uf;
		bool each;
		report_labels(o, p, &h, &uf, &each);
		out_str(o, separator);
		out_str(o, "      flat  flat%   sum%        cum   cum%   calls calls% + context "
			   "\t \t \n");
		int64_t sum = 0;
		for (size_t i = 0; i < shown && !o->failed; i++) {
			uint32_t nd = rows[i].node;
			const pstr *name = &t.f.nodes[nd].name;
			if (have_rx && !rx_match(re, name->s, name->len))
				continue;
			matched++;
			out_str(o, separator);
			for (uint32_t k = in_start[nd]; k < in_start[nd + 1]; k++) {
				const tedge *ed = &t.edges[in_idx[k]];
				put_edge_text(o, &t, ed, ed->src, rows[i].cum, &uf, sunit, each);
			}
			/* sum% adds up the functions shown (peek: matched) */
			sum = wadd(sum, rows[i].flat);
			report_columns(o, rows[i].flat, sum, rows[i].cum, total, &uf, sunit, each);
			out_str(o, "                | ");
			out_name_escaped(o, name->s, name->len);
			out_char(o, '\n');
			for (uint32_t k = out_start[nd]; k < out_start[nd + 1]; k++) {
				const tedge *ed = &t.edges[out_idx[k]];
				put_edge_text(o, &t, ed, ed->dst, rows[i].cum, &uf, sunit, each);
			}
		}
		if (shown)
			out_str(o, separator);
	}
	if (have_rx && !matched) {
		o->failed = true; /* nothing of a report with no match is kept */
		st = set_error(p, PPROFC_ERR_USAGE, "no function matches '%s'", opt->peek);
		goto done;
	}
	st = out_finish(o, &p->err);
	goto done;

nomem:
	st = set_error(p, PPROFC_ERR_NOMEM, "out of memory for the tree report");
done:
	rx_free(re);
	budget_free(b, o);
	budget_free(b, in_idx);
	budget_free(b, in_start);
	budget_free(b, out_idx);
	budget_free(b, out_start);
	graph_finish(&t);
	return st;
}
