/*
 * tree and peek: pprof's `-tree` report (and `-peek REGEX`, the same for
 * the functions whose name matches): each function's flat and cum values
 * between its callers and its callees, each call with its value and share
 * of the function's cum.
 *
 * A call's value counts every sample through it once, however often
 * recursion repeats the pair, and a function calling itself is not a call;
 * both as in pprof's graph. A call is "(inline)" when in every sample it
 * was an inlined call: the callee a line inside the caller's location.
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "units.h"

typedef struct tedge {
	uint32_t src, dst;
	int64_t weight;
	bool inline_only;
} tedge;

typedef struct tree {
	pprofc_profile *p;
	frames f;
	budget *b;
	kmap edge_map;
	tedge *edges;
	size_t nedges, cap_edges;
	/* per-stack dedupe of (src, dst): valid where stamp == stack + 1 */
	uint64_t *pair_key;
	uint32_t *pair_stamp;
	size_t pair_mask;
} tree;

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

static bool add_edge(tree *t, uint32_t s, uint32_t src, uint32_t dst, int64_t v, bool inl)
{
	uint64_t pk = (uint64_t)src << 32 | dst;
	size_t slot = (size_t)((pk * 0x9E3779B97F4A7C15ull) >> 40) & t->pair_mask;
	while (t->pair_stamp[slot] == s + 1) {
		if (t->pair_key[slot] == pk)
			return true; /* counted once per stack */
		slot = (slot + 1) & t->pair_mask;
	}
	t->pair_stamp[slot] = s + 1;
	t->pair_key[slot] = pk;
	bool added;
	uint32_t id = kmap_put(&t->edge_map, src, dst, &added);
	if (id == NONE)
		return false;
	if (added) {
		if (!vec_reserve(t->b, (void **)&t->edges, &t->cap_edges, (size_t)id + 1,
				 sizeof(tedge)))
			return false;
		t->edges[id] = (tedge){ src, dst, 0, true };
		t->nedges++;
	}
	t->edges[id].weight = wadd(t->edges[id].weight, v);
	t->edges[id].inline_only &= inl;
	return true;
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
	tree t = { .p = p, .b = &p->mem };
	size_t index = opt->sample_index;
	regex_t rx;
	bool have_rx = false;
	if (opt->peek) {
		int rc = regcomp(&rx, opt->peek, REG_EXTENDED | REG_NOSUB);
		if (rc) {
			char why[128];
			regerror(rc, &rx, why, sizeof(why));
			return set_error(p, PPROFC_ERR_USAGE, "invalid regular expression '%s': %s",
					 opt->peek, why);
		}
		have_rx = true;
	}
	pprofc_status st = frames_begin(p, index, &t.f);
	if (st != PPROFC_OK) {
		if (have_rx)
			regfree(&rx);
		return st;
	}
	budget *b = t.b;
	size_t nt = p->nsample_types, nn = t.f.nnodes;
	int64_t *flat = budget_alloc(b, (nn + 1) * sizeof(int64_t));
	int64_t *cum = budget_alloc(b, (nn + 1) * sizeof(int64_t));
	uint32_t *stamp = budget_alloc(b, (nn + 1) * sizeof(uint32_t));
	row *rows = budget_alloc(b, (nn + 1) * sizeof(row));
	out *o = budget_alloc(b, sizeof(out));
	uint32_t *in_idx = NULL, *in_start = NULL, *out_idx = NULL, *out_start = NULL;
	size_t pslots = 64;
	while (pslots < 4 * t.f.max_depth)
		pslots *= 2;
	t.pair_mask = pslots - 1;
	t.pair_key = budget_alloc(b, pslots * sizeof(uint64_t));
	t.pair_stamp = budget_alloc(b, pslots * sizeof(uint32_t));
	if (!flat || !cum || !stamp || !rows || !o || !t.pair_key || !t.pair_stamp ||
	    !kmap_init(&t.edge_map, b, 1024))
		goto nomem;
	memset(flat, 0, nn * sizeof(int64_t));
	memset(cum, 0, nn * sizeof(int64_t));
	memset(stamp, 0, nn * sizeof(uint32_t));
	memset(t.pair_stamp, 0, pslots * sizeof(uint32_t));

	const uint32_t *locs = p->stack_locs, *off = t.f.loc_off, *fnode = t.f.frame_node;
	for (uint32_t s = 0; s < p->nstacks; s++) {
		int64_t v = t.f.stack_values[(size_t)s * nt + index];
		if (v == 0)
			continue;
		uint32_t lo = p->stack_off[s], hi = p->stack_off[s + 1];
		if (lo == hi) {
			flat[t.f.nostack] = wadd(flat[t.f.nostack], v);
			cum[t.f.nostack] = wadd(cum[t.f.nostack], v);
			continue;
		}
		for (uint32_t j = lo; j < hi; j++)
			for (uint32_t k = off[locs[j]], kend = off[locs[j] + 1]; k < kend; k++) {
				uint32_t nd = fnode[k];
				if (stamp[nd] != s + 1) {
					stamp[nd] = s + 1;
					cum[nd] = wadd(cum[nd], v);
				}
			}
		uint32_t leaf = fnode[off[locs[lo]]];
		flat[leaf] = wadd(flat[leaf], v);
	}
	int64_t total = report_total(p, index);

	size_t nrows = 0;
	for (uint32_t i = 0; i < nn; i++)
		if (flat[i] || cum[i])
			rows[nrows++] = (row){ i, flat[i], cum[i], flat[i], cum[i] };
	/* pprof's cut-offs are shares of its nodes' flat sum */
	int64_t fsum = 0;
	for (size_t i = 0; i < nrows; i++)
		if (rows[i].node != t.f.nostack)
			fsum = wadd(fsum, rows[i].flat);
	int64_t edge_cut = report_cutoff(fsum, opt->edgefraction);
	size_t dropped = report_drop_rows(rows, &nrows, opt->nodefraction, t.f.nostack);
	if (!report_sort_rows(b, &t.f, rows, nrows, opt->sort_by_cum))
		goto nomem;
	size_t shown = opt->nodecount && opt->nodecount < nrows ? opt->nodecount : nrows;

	/*
	 * Calls between the functions shown, as pprof rebuilds its graph
	 * from the nodes it keeps: a call may pass through functions left
	 * out. Root first; within a location from the function the others
	 * were inlined into, inward.
	 */
	memset(stamp, 0, nn * sizeof(uint32_t)); /* now: 1 = kept */
	for (size_t i = 0; i < shown; i++)
		stamp[rows[i].node] = 1;
	for (uint32_t s = 0; s < p->nstacks; s++) {
		int64_t v = t.f.stack_values[(size_t)s * nt + index];
		uint32_t lo = p->stack_off[s], hi = p->stack_off[s + 1];
		if (v == 0 || lo == hi)
			continue;
		uint32_t parent = NONE;
		for (uint32_t j = hi; j-- > lo;) {
			uint32_t a = off[locs[j]], k = off[locs[j] + 1];
			for (uint32_t outer = k; k-- > a;) {
				uint32_t nd = fnode[k];
				if (!stamp[nd])
					continue;
				if (parent != NONE && parent != nd &&
				    !add_edge(&t, s, parent, nd, v, k + 1 != outer))
					goto nomem;
				parent = nd;
			}
		}
	}
	/* pprof's -edgefraction */
	size_t nkept = 0;
	for (size_t i = 0; i < t.nedges; i++)
		if (abs64(t.edges[i].weight) >= edge_cut)
			t.edges[nkept++] = t.edges[i];
	t.nedges = nkept;
	if (!group_edges(&t, true, &in_idx, &in_start) ||
	    !group_edges(&t, false, &out_idx, &out_start))
		goto nomem;

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
			if (have_rx && regexec(&rx, name->s, 0, NULL, 0))
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
		report_head h = { type, sunit, opt->unit, 0,	   total,
				  rows, shown, nrows,	  dropped, opt->nodefraction };
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
			if (have_rx && regexec(&rx, name->s, 0, NULL, 0))
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
	st = out_finish(o, p);
	goto done;

nomem:
	st = set_error(p, PPROFC_ERR_NOMEM, "out of memory for the tree report");
done:
	if (have_rx)
		regfree(&rx);
	kmap_free(&t.edge_map);
	budget_free(b, t.edges);
	budget_free(b, t.pair_key);
	budget_free(b, t.pair_stamp);
	budget_free(b, flat);
	budget_free(b, cum);
	budget_free(b, stamp);
	budget_free(b, rows);
	budget_free(b, o);
	budget_free(b, in_idx);
	budget_free(b, in_start);
	budget_free(b, out_idx);
	budget_free(b, out_start);
	frames_finish(&t.f);
	return st;
}
