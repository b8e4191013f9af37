/*
 * graph: pprof's trimmed call graph (report.newTrimmedGraph), shared by the
 * tree report and the DOT writer (and its calls by top's "(inline)" marks,
 * graph_inline_marks): per node its flat and cum values, the
 * nodes kept by -nodefraction and -nodecount, and the calls between the
 * nodes kept, rebuilt from the samples as pprof rebuilds its graph (a call
 * may pass through nodes left out: a "residual" call), then trimmed by
 * -edgefraction.
 *
 * A call's value counts every sample through it once, however often
 * recursion repeats the pair, and a node calling itself is not a call. A
 * call is inline when in every sample it was an inlined call: the callee a
 * line inside the caller's location.
 *
 * The visual mode is pprof's -dot: nodes are ordered by pprof's entropy
 * score (nodes that merely pass their callers' weight on rank low), each
 * node's labels count against -nodecount as the boxes they will be drawn
 * as, and residual calls that another path already implies are removed.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "view/view.h"

/* Records a call for stack `s` once per stack. */
static bool add_edge(graph *g, uint32_t s, uint32_t src, uint32_t dst, int64_t v, bool inl,
		     bool residual)
{
	uint64_t pk = (uint64_t)src << 32 | dst;
	size_t slot = (size_t)((pk * 0x9E3779B97F4A7C15ull) >> 40) & g->pair_mask;
	while (g->pair_stamp[slot] == s + 1) {
		if (g->pair_key[slot] == pk)
			return true; /* counted once per stack */
		slot = (slot + 1) & g->pair_mask;
	}
	g->pair_stamp[slot] = s + 1;
	g->pair_key[slot] = pk;
	bool added;
	uint32_t id = kmap_put(&g->edge_map, src, dst, &added);
	if (id == NONE)
		return false;
	if (added) {
		if (!vec_reserve(g->b, (void **)&g->edges, &g->cap_edges, (size_t)id + 1,
				 sizeof(gedge)))
			return false;
		g->edges[id] = (gedge){ src, dst, 0, true, false, false };
		g->nedges++;
	}
	g->edges[id].weight = wadd(g->edges[id].weight, v);
	g->edges[id].inline_only &= inl;
	g->edges[id].residual |= residual;
	return true;
}

/*
 * The calls between the nodes with kept[node] set, as pprof rebuilds its
 * graph from the nodes it keeps: root first; within a location from the
 * function the others were inlined into, inward. A call over nodes left
 * out is residual. With `into`, only the calls from nodes whose kept[node]
 * has bit 4 into nodes whose kept[node] has bit 2 are recorded (the walk is
 * the same). With `mean`, a stack whose value is 0 counts when its first
 * value is not, as pprof's -mean graph.
 */
static bool build_edges(graph *g, const uint8_t *kept, bool into, bool mean)
{
	pprofc_profile *p = g->p;
	size_t nt = p->nsample_types;
	kmap_free(&g->edge_map);
	g->nedges = 0;
	if (!kmap_init(&g->edge_map, g->b, 1024))
		return false;
	memset(g->pair_stamp, 0, (g->pair_mask + 1) * sizeof(uint32_t));
	const uint32_t *locs = p->stack_locs, *off = g->f.loc_off, *fnode = g->f.frame_node;
	uint8_t want = into ? 2 : 0, from = into ? 4 : 0;
	for (uint32_t s = 0; s < p->nstacks; s++) {
		int64_t v = g->f.stack_values[(size_t)s * nt + g->index];
		uint32_t lo = p->stack_off[s], hi = p->stack_off[s + 1];
		if ((v == 0 && !(mean && g->f.stack_values[(size_t)s * nt])) || lo == hi)
			continue;
		uint32_t parent = NONE;
		bool residual = false;
		for (uint32_t j = hi; j-- > lo;) {
			uint32_t a = off[locs[j]], k = off[locs[j] + 1];
			for (uint32_t outer = k; k-- > a;) {
				uint32_t nd = fnode[k];
				if (!kept[nd]) {
					residual = true;
					continue;
				}
				if (parent != NONE && parent != nd && (kept[nd] & want) == want &&
				    (kept[parent] & from) == from &&
				    !add_edge(g, s, parent, nd, v, k + 1 != outer, residual))
					return false;
				parent = nd;
				residual = false;
			}
		}
	}
	return true;
}

/* Go's math.Log (its amd64 assembly computes the same steps in the same
 * order), so that entropy scores, and pprof's node order, come out alike
 * to the last bit rather than as the C library rounds. */
static double go_log(double x)
{
	const double ln2hi = 6.93147180369123816490e-01, ln2lo = 1.90821492927058770002e-10,
		     l1 = 6.666666666666735130e-01, l2 = 3.999999999940941908e-01,
		     l3 = 2.857142874366239149e-01, l4 = 2.222219843214978396e-01,
		     l5 = 1.818357216161805012e-01, l6 = 1.531383769920937332e-01,
		     l7 = 1.479819860511658591e-01;
	if (isnan(x) || isinf(x))
		return x > 0 || isnan(x) ? x : NAN;
	if (x < 0)
		return NAN;
	if (x == 0)
		return -INFINITY;
	int ki;
	double f1 = frexp(x, &ki);
	if (f1 < M_SQRT2 / 2) {
		f1 *= 2;
		ki--;
	}
	double f = f1 - 1, k = (double)ki;
	double s = f / (2 + f), s2 = s * s, s4 = s2 * s2;
	double t1 = s2 * (l1 + s4 * (l3 + s4 * (l5 + s4 * l7)));
	double t2 = s4 * (l2 + s4 * (l4 + s4 * l6));
	double r = t1 + t2, hfsq = 0.5 * f * f;
	return k * ln2hi - ((hfsq - (s * (hfsq + r) + k * ln2lo)) - f);
}

static double go_log2(double x)
{
	int e;
	double fr = frexp(x, &e);
	if (fr == 0.5)
		return (double)(e - 1);
	return go_log(fr) * (1 / M_LN2) + (double)e;
}

/* Go's int64(float64) on amd64: out of range (and NaN) is INT64_MIN. */
static int64_t go_int64(double x)
{
	if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0))
		return INT64_MIN;
	return (int64_t)x;
}

typedef struct entropy_ctx {
	const graph *g;
	const int64_t *score;
} entropy_ctx;

/* pprof's EntropyOrder: score, name, flat (the node id settles the rest,
 * as names are unique). */
static int cmp_entropy(const void *a, const void *b, void *ctx)
{
	const entropy_ctx *c = ctx;
	const row *x = a, *y = b;
	int64_t sx = abs64(c->score[x->node]), sy = abs64(c->score[y->node]);
	if (sx != sy)
		return sx > sy ? -1 : 1;
	const pstr *nx = &c->g->f.nodes[x->node].name, *ny = &c->g->f.nodes[y->node].name;
	size_t n = nx->len < ny->len ? nx->len : ny->len;
	int r = memcmp(nx->s, ny->s, n);
	if (r || nx->len != ny->len)
		return r ? r : nx->len < ny->len ? -1 : 1;
	if (abs64(x->flat) != abs64(y->flat))
		return abs64(x->flat) > abs64(y->flat) ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

/* -frac * log2(frac) of a call's share, as pprof's edgeEntropyScore adds. */
static double entropy_term(int64_t w, int64_t total)
{
	double frac = (double)abs64(w) / (double)total;
	return -frac * go_log2(frac);
}

/*
 * Sorts the first n rows in entropy order, scored over the current calls:
 * pprof's entropyScore, (entropy of the calls in + of the calls out and
 * the node's own flat, 1 for none) * cum + flat. Per node sums, in two
 * passes over the calls.
 */
static bool sort_entropy(graph *g, size_t n)
{
	size_t nn = g->f.nnodes;
	int64_t *score = g->scratch;
	int64_t *tin = budget_alloc(g->b, (nn + 1) * sizeof(int64_t));
	int64_t *tout = budget_alloc(g->b, (nn + 1) * sizeof(int64_t));
	double *sin = budget_alloc(g->b, (nn + 1) * sizeof(double));
	double *sout = budget_alloc(g->b, (nn + 1) * sizeof(double));
	uint32_t *nin = budget_alloc(g->b, (nn + 1) * sizeof(uint32_t));
	uint32_t *nout = budget_alloc(g->b, (nn + 1) * sizeof(uint32_t));
	bool ok = tin && tout && sin && sout && nin && nout;
	if (ok) {
		memset(tin, 0, nn * sizeof(int64_t));
		memset(nin, 0, nn * sizeof(uint32_t));
		memset(nout, 0, nn * sizeof(uint32_t));
		for (size_t i = 0; i < nn; i++) {
			sin[i] = sout[i] = 0;
			tout[i] = 0;
		}
		for (size_t i = 0; i < n; i++)
			tout[g->rows[i].node] = g->rows[i].flat; /* the node's own share */
		for (size_t i = 0; i < g->nedges; i++) {
			const gedge *e = &g->edges[i];
			nin[e->dst]++;
			nout[e->src]++;
			if (e->weight > 0) {
				tin[e->dst] = wadd(tin[e->dst], abs64(e->weight));
				tout[e->src] = wadd(tout[e->src], abs64(e->weight));
			}
		}
		for (size_t i = 0; i < g->nedges; i++) {
			const gedge *e = &g->edges[i];
			if (tin[e->dst])
				sin[e->dst] += entropy_term(e->weight, tin[e->dst]);
			if (tout[e->src])
				sout[e->src] += entropy_term(e->weight, tout[e->src]);
		}
		for (size_t i = 0; i < n; i++) {
			const row *r = &g->rows[i];
			uint32_t nd = r->node;
			double s = nin[nd] ? sin[nd] : 1;
			if (!nout[nd])
				s += 1;
			else if (tout[nd])
				s += sout[nd] + (r->flat > 0 ? entropy_term(r->flat, tout[nd]) : 0);
			score[nd] = wadd(go_int64(s * (double)r->cum), r->flat);
		}
	}
	budget_free_each(g->b, tin, tout, sin, sout, nin, nout);
	entropy_ctx c = { g, score };
	return ok && sort_ctx(g->b, g->rows, n, sizeof(row), cmp_entropy, &c);
}

/* ---- labels as boxes beside the nodes (pprof's tags) -------------------- */

/* The text of interned entry id, for kmap_intern_text. */
static pstr text_of(const void *texts, uint32_t id)
{
	return ((const pstr *)texts)[id];
}

/* An interned string: a sample's labels joined, or a numeric label's text. */
static uint32_t intern_text(graph *g, const char *s, size_t len)
{
	bool added;
	uint32_t id = kmap_intern_text(&g->text_map, s, len, 5, text_of, g->texts, &added);
	if (id == NONE || !added)
		return id;
	if (!vec_reserve(g->b, (void **)&g->texts, &g->cap_texts, (size_t)id + 1, sizeof(pstr)))
		return NONE;
	char *c = budget_alloc(g->b, len + 1);
	if (!c)
		return NONE;
	memcpy(c, s, len);
	c[len] = '\0';
	g->texts[id] = (pstr){ c, (uint32_t)len };
	g->ntexts = (size_t)id + 1;
	return id;
}

typedef struct lv {
	size_t off, len; /* into lvbuf (which may move while it grows) */
	const char *s;
} lv;

static int cmp_lv(const void *a, const void *b)
{
	const lv *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);
	return c ? c : x->len < y->len ? -1 : x->len > y->len;
}

static bool put_tbuf(void *ctx, const char *s, size_t len)
{
	graph *g = ctx;
	if (!vec_reserve(g->b, (void **)&g->tbuf, &g->cap_tbuf, g->ntbuf + len + 1, 1))
		return false;
	memcpy(g->tbuf + g->ntbuf, s, len);
	g->ntbuf += len;
	return true;
}

/*
 * Sample i's string labels as pprof joins them ("key:value" sorted, joined
 * by DOT's "\n"), escaped for DOT and interned; 0 when it has none, NONE
 * when out of memory. pprof::base (a --diff-base marker) is not a label
 * here, as pprof removes it before drawing.
 */
static uint32_t sample_label_set(graph *g, size_t i)
{
	pprofc_profile *p = g->p;
	size_t n = 0;
	g->nlvbuf = 0;
	for (uint32_t j = p->label_off[i]; j < p->label_off[i + 1]; j++) {
		const label *l = &p->labels[j];
		const pstr *k = model_str(p, l->key);
		if (label_kind(l) != LABEL_STRING ||
		    (k->len == 11 && !memcmp(k->s, "pprof::base", 11)))
			continue;
		const pstr *v = model_str(p, l->str);
		size_t len = (size_t)k->len + 1 + v->len;
		if (!vec_reserve(g->b, (void **)&g->lvbuf, &g->cap_lvbuf, g->nlvbuf + len + 1, 1) ||
		    !vec_reserve(g->b, &g->lvs, &g->cap_lvs, n + 1, sizeof(lv)))
			return NONE;
		char *d = g->lvbuf + g->nlvbuf;
		memcpy(d, k->s, k->len);
		d[k->len] = ':';
		memcpy(d + k->len + 1, v->s, v->len);
		((lv *)g->lvs)[n++] = (lv){ g->nlvbuf, len, NULL };
		g->nlvbuf += len;
	}
	if (!n)
		return 0;
	lv *a = g->lvs;
	for (size_t k = 0; k < n; k++)
		a[k].s = g->lvbuf + a[k].off;
	qsort(a, n, sizeof(lv), cmp_lv);
	g->ntbuf = 0;
	for (size_t k = 0; k < n; k++)
		if ((k && !put_tbuf(g, "\\n", 2)) || !dot_escape(a[k].s, a[k].len, put_tbuf, g))
			return NONE;
	return intern_text(g, g->tbuf, g->ntbuf);
}

/* Adds v to the tag (node, set, num) as flat or cum. */
static bool add_tag(graph *g, uint32_t nd, uint32_t set, uint32_t num, int64_t numv, int64_t v,
		    bool flat)
{
	bool added;
	uint32_t id = kmap_put(&g->tag_map, (uint64_t)nd << 32 | set, num, &added);
	if (id == NONE)
		return false;
	if (added) {
		if (!vec_reserve(g->b, (void **)&g->tags, &g->cap_tags, (size_t)id + 1,
				 sizeof(gtag)))
			return false;
		g->tags[id] = (gtag){ nd, set, num, 0, 0, numv };
		g->ntags = (size_t)id + 1;
	}
	if (flat)
		g->tags[id].flat = wadd(g->tags[id].flat, v);
	else
		g->tags[id].cum = wadd(g->tags[id].cum, v);
	return true;
}

/*
 * pprof's node tags: per node, per set of string labels, the flat and cum
 * value of its samples; and per numeric "bytes" label value (as pprof
 * prints it), the same, under the sample's label set. pprof draws them as
 * boxes and, drawing, counts them against -nodecount.
 */
static bool build_tags(graph *g)
{
	pprofc_profile *p = g->p;
	size_t nt = p->nsample_types;
	if (!kmap_init(&g->tag_map, g->b, 64) || !kmap_init(&g->text_map, g->b, 64))
		return false;
	if (intern_text(g, "", 0) != 0) /* id 0: no string labels */
		return false;
	label_keys k;
	if (!label_keys_init(&k, p))
		return false;
	static const pstr bytes_key = { "bytes", 5 };
	bool ok = label_keys_scan_units(&k);
	uint32_t bytes_id = ok ? label_keys_intern(&k, &bytes_key) : NONE;
	const char *bytes_unit = bytes_id != NONE ? label_keys_unit(&k, bytes_id) : "bytes";
	g->bytes_unit = bytes_unit; /* a string of the profile's, or static */
	uint32_t *seen = g->stamp;
	memset(seen, 0, g->f.nnodes * sizeof(uint32_t));
	const uint32_t *locs = p->stack_locs, *off = g->f.loc_off, *fnode = g->f.frame_node;
	for (size_t i = 0; ok && i < p->nsamples; i++) {
		int64_t v = p->values[i * nt + g->index];
		if (v == 0 || p->label_off[i] == p->label_off[i + 1])
			continue;
		uint32_t set = sample_label_set(g, i);
		if (set == NONE) {
			ok = false;
			break;
		}
		uint32_t s = p->sample_stack[i];
		uint32_t lo = p->stack_off[s], hi = p->stack_off[s + 1];
		if (lo == hi)
			continue;
		uint32_t leaf = fnode[off[locs[lo]]];
		for (uint32_t j = p->label_off[i]; ok && j <= p->label_off[i + 1]; j++) {
			/* j == end: the string label set itself */
			uint32_t num = NONE;
			int64_t numv = 0;
			if (j < p->label_off[i + 1]) {
				const label *l = &p->labels[j];
				const pstr *key = model_str(p, l->key);
				if (label_kind(l) != LABEL_NUMERIC || key->len != 5 ||
				    memcmp(key->s, "bytes", 5))
					continue;
				char text[64];
				units_label(text, sizeof(text), l->num, bytes_unit, "minimum");
				num = intern_text(g, text, strlen(text));
				numv = l->num;
				if (num == NONE) {
					ok = false;
					break;
				}
			} else if (set == 0) {
				continue;
			}
			g->tag_stamp++;
			for (uint32_t jj = lo; ok && jj < hi; jj++)
				for (uint32_t kk = off[locs[jj]]; ok && kk < off[locs[jj] + 1];
				     kk++) {
					uint32_t nd = fnode[kk];
					if (seen[nd] == g->tag_stamp)
						continue;
					seen[nd] = g->tag_stamp;
					ok = add_tag(g, nd, set, num, numv, v, false);
				}
			ok = ok && add_tag(g, leaf, set, num, numv, v, true);
		}
	}
	label_keys_finish(&k);
	return ok;
}

/* pprof's countTags for the nodes: tags with a flat value, after
 * TrimLowFrequencyTags, at most maxNodelets (4) each. */
static void count_tags(graph *g, uint32_t *count)
{
	memset(count, 0, g->f.nnodes * sizeof(uint32_t));
	for (size_t i = 0; i < g->ntags; i++) {
		const gtag *t = &g->tags[i];
		if (t->flat != 0 && (abs64(t->flat) >= g->node_cut || abs64(t->cum) >= g->node_cut))
			count[t->node]++;
	}
}

/* ---- RemoveRedundantEdges ---------------------------------------------- */

/* pprof's edge order: heavier first, then by caller, then callee name. */
int graph_cmp_edges(const graph *g, const gedge *x, const gedge *y)
{
	int64_t wx = abs64(x->weight), wy = abs64(y->weight);
	if (x->weight != y->weight && wx != wy)
		return wx > wy ? -1 : 1;
	const pstr *a = &g->f.nodes[x->src].name, *b = &g->f.nodes[y->src].name;
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->s, b->s, n);
	if (c || a->len != b->len)
		return c ? c : a->len < b->len ? -1 : 1;
	a = &g->f.nodes[x->dst].name;
	b = &g->f.nodes[y->dst].name;
	n = a->len < b->len ? a->len : b->len;
	c = memcmp(a->s, b->s, n);
	return c ? c : a->len < b->len ? -1 : a->len > b->len;
}

static int cmp_edge_idx(const void *a, const void *b, void *ctx)
{
	const graph *g = ctx;
	return graph_cmp_edges(g, &g->edges[*(const uint32_t *)a], &g->edges[*(const uint32_t *)b]);
}

/* Whether e's source reaches e's destination by another path (callers of
 * the destination, breadth first, over the calls not removed). */
static bool redundant(graph *g, uint32_t e, const uint32_t *in_start, const uint32_t *in_idx,
		      uint32_t *queue)
{
	uint32_t src = g->edges[e].src, dst = g->edges[e].dst;
	g->tag_stamp++;
	uint32_t *seen = g->stamp;
	size_t head = 0, tail = 0;
	queue[tail++] = dst;
	seen[dst] = g->tag_stamp;
	while (head < tail) {
		uint32_t n = queue[head++];
		for (uint32_t k = in_start[n]; k < in_start[n + 1]; k++) {
			uint32_t ie = in_idx[k];
			const gedge *x = &g->edges[ie];
			if (ie == e || x->removed || seen[x->src] == g->tag_stamp)
				continue;
			if (x->src == src)
				return true;
			seen[x->src] = g->tag_stamp;
			queue[tail++] = x->src;
		}
	}
	return false;
}

static bool remove_redundant(graph *g)
{
	size_t nn = g->f.nnodes;
	uint32_t *in_start = budget_alloc(g->b, (nn + 2) * sizeof(uint32_t));
	uint32_t *in_idx = budget_alloc(g->b, (g->nedges + 1) * sizeof(uint32_t));
	uint32_t *queue = budget_alloc(g->b, (nn + 1) * sizeof(uint32_t));
	bool ok = in_start && in_idx && queue;
	if (ok) {
		memset(in_start, 0, (nn + 2) * sizeof(uint32_t));
		for (size_t i = 0; i < g->nedges; i++)
			in_start[g->edges[i].dst + 1]++;
		for (size_t n = 0; n < nn; n++)
			in_start[n + 1] += in_start[n];
		for (size_t i = 0; i < g->nedges; i++)
			in_idx[in_start[g->edges[i].dst]++] = (uint32_t)i;
		for (size_t n = nn; n > 0; n--)
			in_start[n] = in_start[n - 1];
		in_start[0] = 0;
		for (size_t n = 0; n < nn && ok; n++)
			if (in_start[n + 1] - in_start[n] > 1)
				ok = sort_ctx(g->b, in_idx + in_start[n],
					      in_start[n + 1] - in_start[n], sizeof(uint32_t),
					      cmp_edge_idx, g);
	}
	/* the nodes from last to first, each one's calls in from the lightest */
	for (size_t i = g->shown; ok && i-- > 0;) {
		uint32_t n = g->rows[i].node;
		for (uint32_t k = in_start[n + 1]; k-- > in_start[n];) {
			gedge *e = &g->edges[in_idx[k]];
			if (e->removed)
				continue;
			if (!e->residual)
				break;
			if (redundant(g, in_idx[k], in_start, in_idx, queue))
				e->removed = true;
		}
	}
	budget_free_each(g->b, in_start, in_idx, queue);
	if (!ok)
		return false;
	size_t kept = 0;
	for (size_t i = 0; i < g->nedges; i++)
		if (!g->edges[i].removed)
			g->edges[kept++] = g->edges[i];
	g->nedges = kept;
	return true;
}

/* ---- the graph ---------------------------------------------------------- */

/* pprof's selectTopNodes in visual mode: each node's boxes count too. */
static size_t select_visual(graph *g, size_t nodecount)
{
	uint32_t *count = g->stamp;
	count_tags(g, count);
	size_t total = 0;
	for (size_t i = 0; i < g->nrows; i++) {
		uint32_t t = count[g->rows[i].node];
		total += (t > 4 ? 4 : t) + 1;
		if (total >= nodecount)
			return i + 1;
	}
	return g->nrows;
}

static bool keep_first(graph *g, size_t n, uint8_t *kept)
{
	memset(kept, 0, g->f.nnodes);
	for (size_t i = 0; i < n; i++)
		kept[g->rows[i].node] = 1;
	return build_edges(g, kept, false, false);
}

/* add_edge's table of the pairs already counted for a stack: room for 4
 * times the deepest stack's frames, a power of two. */
static bool alloc_pairs(graph *g, size_t max_depth)
{
	size_t pslots = 64;
	while (pslots < 4 * max_depth)
		pslots *= 2;
	g->pair_mask = pslots - 1;
	g->pair_key = budget_alloc(g->b, pslots * sizeof(uint64_t));
	g->pair_stamp = budget_alloc(g->b, pslots * sizeof(uint32_t));
	return g->pair_key && g->pair_stamp;
}

/* What graph_build works with: per node its flat and cum sums, and which
 * nodes are kept. */
typedef struct gbuild {
	int64_t *flat, *cum;
	uint8_t *kept;
} gbuild;

/* The per-node arrays of the build and of the graph, all at once, and
 * add_edge's pair table. */
static bool alloc_graph(graph *g, gbuild *w)
{
	budget *b = g->b;
	size_t nn = g->f.nnodes;
	w->flat = budget_alloc(b, (nn + 1) * sizeof(int64_t));
	w->cum = budget_alloc(b, (nn + 1) * sizeof(int64_t));
	w->kept = budget_alloc(b, nn + 1);
	g->stamp = budget_alloc(b, (nn + 1) * sizeof(uint32_t));
	g->scratch = budget_alloc(b, (nn + 1) * sizeof(int64_t));
	g->rows = budget_alloc(b, (nn + 1) * sizeof(row));
	bool pairs = alloc_pairs(g, g->f.max_depth);
	if (!w->flat || !w->cum || !w->kept || !g->stamp || !g->scratch || !g->rows || !pairs)
		return false;
	memset(w->flat, 0, nn * sizeof(int64_t));
	memset(w->cum, 0, nn * sizeof(int64_t));
	memset(g->stamp, 0, nn * sizeof(uint32_t));
	return true;
}

/* A row for every node with a value (report_rows, as top's); pprof's
 * cut-offs, which are shares of its nodes' flat sum; and the rows
 * -nodefraction drops. */
static void make_rows(graph *g, const graph_opts *o, const node_sums *ns)
{
	int64_t fsum;
	g->nrows = report_rows(&g->f, ns, g->rows, &fsum);
	g->edge_cut = report_cutoff(fsum, o->edgefraction);
	g->node_cut = report_cutoff(fsum, o->nodefraction);
	g->dropped = report_drop_rows(g->rows, &g->nrows, o->nodefraction, g->f.nostack);
}

/*
 * The nodes shown, in order, and the calls between them. Text: rows by
 * flat or cum, the first -nodecount. Visual (-dot): entropy order, the
 * nodes' label boxes counted against -nodecount. Either way the calls are
 * rebuilt over the nodes kept when some were left out (*rebuilt).
 */
static bool select_nodes(graph *g, const graph_opts *o, uint8_t *kept, bool *rebuilt)
{
	if (!o->visual) {
		if (!report_sort_rows(g->b, &g->f, g->rows, g->nrows, o->sort_by_cum))
			return false;
		g->shown = o->nodecount && o->nodecount < g->nrows ? o->nodecount : g->nrows;
		if (!keep_first(g, g->shown, kept))
			return false;
		*rebuilt = g->shown < g->nrows;
		return true;
	}
	if (!keep_first(g, g->nrows, kept) || !sort_entropy(g, g->nrows) || !build_tags(g))
		return false;
	g->shown = o->nodecount ? select_visual(g, o->nodecount) : g->nrows;
	if (g->shown < g->nrows) {
		if (!keep_first(g, g->shown, kept) || !sort_entropy(g, g->shown))
			return false;
		*rebuilt = true;
	}
	return true;
}

/* pprof's -edgefraction; with -nodecount its count is lost unless the
 * graph was rebuilt (the trim before selecting the nodes did it). */
static void trim_edges(graph *g, const graph_opts *o, bool rebuilt)
{
	size_t nkept = 0;
	for (size_t i = 0; i < g->nedges; i++)
		if (abs64(g->edges[i].weight) >= g->edge_cut)
			g->edges[nkept++] = g->edges[i];
	g->dropped_edges = o->nodecount && !rebuilt ? 0 : g->nedges - nkept;
	g->nedges = nkept;
}

pprofc_status graph_build(pprofc_profile *p, const graph_opts *o, graph *g)
{
	memset(g, 0, sizeof(*g));
	g->p = p;
	g->b = &p->mem;
	g->index = o->sample_index;
	pprofc_status st = frames_begin(p, o->sample_index, &g->f);
	if (st != PPROFC_OK) {
		memset(g, 0, sizeof(*g));
		return st;
	}
	gbuild w;
	bool rebuilt = false, ok = alloc_graph(g, &w);
	if (ok) {
		/* each node's flat and cum, as top sums them */
		node_sums ns = { .flat = w.flat, .cum = w.cum, .stamp = g->stamp };
		report_node_sums(p, &g->f, g->index, &ns);
		memset(g->stamp, 0, g->f.nnodes * sizeof(uint32_t));
		g->total = report_total(p, g->index);
		make_rows(g, o, &ns);
		ok = select_nodes(g, o, w.kept, &rebuilt);
	}
	if (ok) {
		trim_edges(g, o, rebuilt);
		ok = !o->visual || remove_redundant(g);
	}
	budget_free_each(g->b, w.flat, w.cum, w.kept);
	if (ok)
		return PPROFC_OK;
	graph_finish(g);
	return set_error(p, PPROFC_ERR_NOMEM, "out of memory for the call graph");
}

pprofc_status graph_inline_marks(pprofc_profile *p, const frames *f, size_t index, const row *rows,
				 size_t n, int64_t edge_cut, bool mean, uint8_t *mark)
{
	size_t nn = f->nnodes;
	memset(mark, 0, nn);
	graph g;
	memset(&g, 0, sizeof(g));
	g.p = p;
	g.b = &p->mem;
	g.index = index;
	g.f = *f; /* borrowed: not finished here */
	uint8_t *kept = budget_alloc(g.b, nn + 1);
	bool ok = kept != NULL;
	/* With no negative value, a call's value is at most the cum of either
	 * end: calls from or into a node under the cut-off need not be counted
	 * (bit 1: kept, 2: may be called, 4: may call). */
	bool nonneg = true;
	size_t nt = p->nsample_types;
	for (size_t s = 0; s < p->nstacks && nonneg; s++)
		nonneg = f->stack_values[s * nt + index] >= 0;
	if (ok) {
		memset(kept, 0, nn);
		for (size_t i = 0; i < n; i++)
			kept[rows[i].node] = !nonneg || rows[i].cum >= edge_cut ? 1 | 4 : 1;
	}
	/* Only a node some location has inlined can have an inlined call
	 * into it: the calls into the others need not be counted. */
	bool any = false;
	for (size_t l = 0; ok && l < p->nlocations; l++)
		for (uint32_t k = f->loc_off[l]; k + 1 < f->loc_off[l + 1]; k++)
			if (kept[f->frame_node[k]] & 4) {
				kept[f->frame_node[k]] |= 2;
				any = true;
			}
	if (ok && any) {
		ok = alloc_pairs(&g, f->max_depth) && build_edges(&g, kept, true, mean);
		for (size_t i = 0; ok && i < g.nedges; i++)
			if (abs64(g.edges[i].weight) >= edge_cut)
				mark[g.edges[i].dst] |= g.edges[i].inline_only ? 1 : 2;
	}
	kmap_free(&g.edge_map);
	budget_free_each(g.b, kept, g.edges, g.pair_key, g.pair_stamp);
	return ok ? PPROFC_OK
		  : set_error(p, PPROFC_ERR_NOMEM, "out of memory for the report's calls");
}

void graph_finish(graph *g)
{
	budget *b = g->b;
	if (!b)
		return;
	kmap_free(&g->edge_map);
	kmap_free(&g->tag_map);
	kmap_free(&g->text_map);
	for (size_t i = 0; i < g->ntexts; i++)
		budget_free(b, (void *)g->texts[i].s);
	budget_free_each(b, g->texts, g->tags, g->tbuf, g->lvbuf, g->lvs, g->edges, g->pair_key,
			 g->pair_stamp, g->stamp, g->scratch, g->rows);
	frames_finish(&g->f);
	memset(g, 0, sizeof(*g));
}
