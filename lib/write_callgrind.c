/*
 * callgrind: the profile as a callgrind file for KCachegrind,
 * callgrind_annotate and speedscope.
 *
 * Every sample type is an event (the selected one first). A function is a
 * (name, file) pair; self cost goes to the leaf frame's source line; each
 * caller -> callee edge gets a `calls=` count of the samples through it and
 * their inclusive cost. Edges and inclusive costs are counted once per
 * sample, even when recursion repeats them, and self-calls are left out:
 * otherwise inclusive cost exceeds 100%. The count is never 0: `calls=0`
 * (what go tool pprof writes) makes callgrind_annotate add the call's cost
 * to the caller's self cost.
 */
#include <inttypes.h>
#include <string.h>

#include "internal.h"

typedef struct cgfn {
	uint32_t node, file;
	int64_t start_line;
} cgfn;

typedef struct edge {
	uint32_t caller, callee;
	int64_t line;
	uint64_t calls;
} edge;

typedef struct selfcost {
	uint32_t fn;
	int64_t line;
} selfcost;

typedef struct cg {
	pprofc_profile *p;
	frames f;
	budget *b;
	size_t nt;
	kmap files_map, fn_map, self_map, edge_map;
	pstr *files;
	size_t nfiles, cap_files;
	cgfn *fns;
	size_t cap_fns;
	selfcost *selfs;
	size_t cap_selfs;
	int64_t *self_costs;
	size_t cap_self_costs;
	/* Caller/callee pairs seen in the current stack: a small table keyed
	 * by the pair, valid where stamp == the stack's number + 1. */
	uint64_t *pair_key;
	uint32_t *pair_stamp;
	size_t pair_mask;
	edge *edges;
	size_t cap_edges;
	int64_t *edge_costs;
	size_t cap_edge_costs;
	uint32_t *func_cg; /* function index -> cgfn, NONE until seen */
	uint32_t *node_cg; /* lineless/no-stack node -> cgfn */
	uint32_t unknown_file;
} cg;

static uint32_t intern_file(cg *c, const char *s, size_t len)
{
	bool added;
	uint32_t id =
		kmap_put(&c->files_map, hash_bytes(s, len, 3), hash_bytes(s, len, 4) ^ len, &added);
	if (id == NONE || !added)
		return id;
	if (!vec_reserve(c->b, (void **)&c->files, &c->cap_files, c->nfiles + 1, sizeof(pstr)))
		return NONE;
	c->files[c->nfiles].s = s;
	c->files[c->nfiles].len = (uint32_t)len;
	c->nfiles++;
	return id;
}

static uint32_t intern_fn(cg *c, uint32_t nid, uint32_t file, int64_t start_line)
{
	bool added;
	uint32_t id = kmap_put(&c->fn_map, nid, file, &added);
	if (id == NONE || !added)
		return id;
	if (!vec_reserve(c->b, (void **)&c->fns, &c->cap_fns, id + 1, sizeof(cgfn)))
		return NONE;
	c->fns[id] = (cgfn){ nid, file, start_line };
	return id;
}

/* The callgrind function of a frame. */
static uint32_t frame_fn(cg *c, const frame *fr)
{
	if (fr->function != NONE) {
		uint32_t *slot = &c->func_cg[fr->function];
		if (*slot == NONE) {
			const function *fn = &c->p->functions[fr->function];
			const pstr *file = model_str(c->p, fn->filename);
			uint32_t fid =
				file->len ? intern_file(c, file->s, file->len) : c->unknown_file;
			*slot = fid == NONE ? NONE : intern_fn(c, fr->node, fid, fn->start_line);
		}
		return *slot;
	}
	uint32_t *slot = &c->node_cg[fr->node];
	if (*slot == NONE)
		*slot = intern_fn(c, fr->node, c->unknown_file, 0);
	return *slot;
}

static bool add_costs(cg *c, int64_t **arr, size_t *cap, uint32_t id, bool added, const int64_t *v)
{
	if (added) {
		if (!vec_reserve(c->b, (void **)arr, cap, ((size_t)id + 1) * c->nt,
				 sizeof(int64_t)))
			return false;
		memset(*arr + (size_t)id * c->nt, 0, c->nt * sizeof(int64_t));
	}
	int64_t *dst = *arr + (size_t)id * c->nt;
	for (size_t t = 0; t < c->nt; t++)
		dst[t] = wadd(dst[t], v[t]);
	return true;
}

static bool account_stack(cg *c, uint32_t s, frame *scratch, uint32_t *fnbuf)
{
	const int64_t *v = c->f.stack_values + (size_t)s * c->nt;
	uint64_t count = c->f.stack_count[s];
	size_t n = frames_expand(c->p, &c->f, s, scratch);
	for (size_t k = 0; k < n; k++)
		if ((fnbuf[k] = frame_fn(c, &scratch[k])) == NONE)
			return false;

	/* Self cost at the leaf's line. */
	bool added;
	int64_t leaf_line = scratch[n - 1].line > 0 ? scratch[n - 1].line : 0;
	uint32_t id = kmap_put(&c->self_map, fnbuf[n - 1], (uint64_t)leaf_line, &added);
	if (id == NONE)
		return false;
	if (added) {
		if (!vec_reserve(c->b, (void **)&c->selfs, &c->cap_selfs, id + 1, sizeof(selfcost)))
			return false;
		c->selfs[id] = (selfcost){ fnbuf[n - 1], leaf_line };
	}
	if (!add_costs(c, &c->self_costs, &c->cap_self_costs, id, added, v))
		return false;

	/* Calls, root to leaf; a caller/callee pair counts once per stack. */
	for (size_t k = 0; k + 1 < n; k++) {
		uint32_t from = fnbuf[k], to = fnbuf[k + 1];
		if (from == to)
			continue;
		uint64_t pk = (uint64_t)from << 32 | to;
		size_t slot = (size_t)((pk * 0x9E3779B97F4A7C15ull) >> 40) & c->pair_mask;
		bool seen = false;
		while (c->pair_stamp[slot] == s + 1) {
			if (c->pair_key[slot] == pk) {
				seen = true;
				break;
			}
			slot = (slot + 1) & c->pair_mask;
		}
		if (seen)
			continue;
		c->pair_stamp[slot] = s + 1;
		c->pair_key[slot] = pk;
		int64_t cline = scratch[k].line > 0 ? scratch[k].line : 0;
		uint32_t eid =
			kmap_put(&c->edge_map, (uint64_t)from << 32 | to, (uint64_t)cline, &added);
		if (eid == NONE)
			return false;
		if (added) {
			if (!vec_reserve(c->b, (void **)&c->edges, &c->cap_edges, eid + 1,
					 sizeof(edge)))
				return false;
			c->edges[eid] = (edge){ from, to, cline, 0 };
		}
		c->edges[eid].calls += count;
		if (!add_costs(c, &c->edge_costs, &c->cap_edge_costs, eid, added, v))
			return false;
	}
	return true;
}

/* Output order: by function, then line (then callee for edges). */
static int cmp_self(const void *a, const void *b, void *ctx)
{
	const selfcost *s = ((cg *)ctx)->selfs;
	const selfcost *x = &s[*(const uint32_t *)a], *y = &s[*(const uint32_t *)b];
	if (x->fn != y->fn)
		return x->fn < y->fn ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int cmp_edge(const void *a, const void *b, void *ctx)
{
	const edge *e = ((cg *)ctx)->edges;
	const edge *x = &e[*(const uint32_t *)a], *y = &e[*(const uint32_t *)b];
	if (x->caller != y->caller)
		return x->caller < y->caller ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->callee < y->callee ? -1 : x->callee > y->callee;
}

/*
 * Entry indices in output order: grouped by function with a counting sort
 * (one pass, no comparisons across the whole set), then each function's
 * few entries sorted by line.
 */
static bool order_by_fn(cg *c, uint32_t *idx, size_t n, size_t nfn, bool selfs)
{
	uint32_t *start = budget_alloc(c->b, (nfn + 2) * sizeof(uint32_t));
	if (!start)
		return false;
	memset(start, 0, (nfn + 2) * sizeof(uint32_t));
	for (size_t i = 0; i < n; i++)
		start[(selfs ? c->selfs[i].fn : c->edges[i].caller) + 1]++;
	for (size_t f = 0; f < nfn; f++)
		start[f + 1] += start[f];
	for (size_t i = 0; i < n; i++)
		idx[start[selfs ? c->selfs[i].fn : c->edges[i].caller]++] = (uint32_t)i;
	/* start[f] is now the end of f's group, the start of f + 1's. */
	bool ok = true;
	for (size_t f = 0, lo = 0; f < nfn && ok; f++) {
		size_t hi = start[f];
		if (hi - lo > 1)
			ok = sort_ctx(c->b, idx + lo, hi - lo, sizeof(uint32_t),
				      selfs ? cmp_self : cmp_edge, c);
		lo = hi;
	}
	budget_free(c->b, start);
	return ok;
}

static void put_costs(out *o, const int64_t *v, const size_t *order, size_t nt)
{
	for (size_t t = 0; t < nt; t++) {
		out_char(o, ' ');
		out_i64(o, v[order[t]]);
	}
	out_char(o, '\n');
}

/* "(id) name" the first time, "(id)" after: each id is defined once. */
static void put_name(out *o, const char *key, uint32_t id, bool *defined, const pstr *name)
{
	out_str(o, key);
	out_char(o, '(');
	out_u64(o, id + 1);
	out_char(o, ')');
	if (!defined[id]) {
		defined[id] = true;
		out_char(o, ' ');
		out_name_escaped(o, name->s, name->len);
	}
	out_char(o, '\n');
}

/* Event names must be identifiers: "cpu_nanoseconds". */
static void put_event_name(out *o, const pstr *type, const pstr *unit, size_t index)
{
	char name[128];
	size_t n = 0;
	for (size_t i = 0; i < type->len + 1 + unit->len && n < sizeof(name) - 24; i++) {
		char ch = i < type->len	   ? type->s[i]
			  : i == type->len ? '_'
					   : unit->s[i - type->len - 1];
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '_';
		name[n++] = ok ? ch : '_';
	}
	if (n == 0 || (name[0] >= '0' && name[0] <= '9'))
		n = (size_t)snprintf(name, sizeof(name), "event%zu", index);
	out_write(o, name, n);
}

static void put_header(out *o, pprofc_profile *p, const char *cmd, const size_t *order, size_t nt,
		       const int64_t *totals)
{
	out_str(o, "# callgrind format\nversion: 1\ncreator: pprofc " PPROFC_VERSION "\n");
	if (cmd) {
		out_str(o, "cmd: ");
		out_name_escaped(o, cmd, strlen(cmd));
		out_char(o, '\n');
	}
	out_str(o, "positions: line\nevents:");
	for (size_t t = 0; t < nt; t++) {
		const value_type *vt = &p->sample_types[order[t]];
		out_char(o, ' ');
		put_event_name(o, model_str(p, vt->type), model_str(p, vt->unit), order[t]);
		/* A repeated type/unit pair still needs a distinct event name. */
		for (size_t u = 0; u < t; u++) {
			const value_type *vu = &p->sample_types[order[u]];
			if (vu->type == vt->type && vu->unit == vt->unit) {
				out_char(o, '_');
				out_u64(o, order[t]);
				break;
			}
		}
	}
	out_str(o, "\nsummary:");
	put_costs(o, totals, order, nt);
	out_char(o, '\n');
}

static void cg_free(cg *c)
{
	kmap_free(&c->files_map);
	kmap_free(&c->fn_map);
	kmap_free(&c->self_map);
	kmap_free(&c->edge_map);
	budget_free(c->b, c->files);
	budget_free(c->b, c->fns);
	budget_free(c->b, c->selfs);
	budget_free(c->b, c->self_costs);
	budget_free(c->b, c->pair_stamp);
	budget_free(c->b, c->pair_key);
	budget_free(c->b, c->edges);
	budget_free(c->b, c->edge_costs);
	budget_free(c->b, c->func_cg);
	budget_free(c->b, c->node_cg);
	frames_finish(&c->f);
}

pprofc_status pprofc_write_callgrind(pprofc_profile *p, size_t index, const char *cmd,
				     const pprofc_sink *sink)
{
	cg c = { .p = p, .b = &p->mem, .nt = p->nsample_types };
	if (index >= p->nsample_types)
		return set_error(p, PPROFC_ERR_USAGE, "sample index %zu out of range", index);
	/* Callgrind has its own positions (source lines): a function stays a
	 * function at -lines, -filefunctions (fl= names the file) and
	 * -addresses; only -files merges the functions of a file into one. */
	pprofc_status st = frames_build_at(p, &c.f,
					   p->granularity == PPROFC_GRANULARITY_FILES
						   ? PPROFC_GRANULARITY_FILES
						   : PPROFC_GRANULARITY_FUNCTIONS);
	if (st != PPROFC_OK)
		return st;
	budget *b = c.b;
	size_t nt = c.nt;
	frame *scratch = budget_alloc(b, c.f.max_depth * sizeof(frame));
	uint32_t *fnbuf = budget_alloc(b, c.f.max_depth * sizeof(uint32_t));
	size_t *order = budget_alloc(b, nt * sizeof(size_t));
	int64_t *totals = budget_alloc(b, nt * sizeof(int64_t));
	uint32_t *self_idx = NULL, *edge_idx = NULL;
	bool *fl_def = NULL, *fn_def = NULL;
	out *o = budget_alloc(b, sizeof(out));
	c.func_cg = budget_alloc(b, (p->nfunctions + 1) * sizeof(uint32_t));
	c.node_cg = budget_alloc(b, (c.f.nnodes + 1) * sizeof(uint32_t));
	if (!scratch || !fnbuf || !order || !totals || !o || !c.func_cg || !c.node_cg ||
	    !kmap_init(&c.files_map, b, 64) || !kmap_init(&c.fn_map, b, p->nfunctions) ||
	    !kmap_init(&c.self_map, b, 1024) || !kmap_init(&c.edge_map, b, 1024))
		goto nomem;
	size_t pslots = 64;
	while (pslots < 4 * c.f.max_depth)
		pslots *= 2;
	c.pair_mask = pslots - 1;
	c.pair_key = budget_alloc(b, pslots * sizeof(uint64_t));
	c.pair_stamp = budget_alloc(b, pslots * sizeof(uint32_t));
	if (!c.pair_key || !c.pair_stamp)
		goto nomem;
	memset(c.pair_stamp, 0, pslots * sizeof(uint32_t));
	memset(c.func_cg, 0xff, (p->nfunctions + 1) * sizeof(uint32_t));
	memset(c.node_cg, 0xff, (c.f.nnodes + 1) * sizeof(uint32_t));
	c.unknown_file = intern_file(&c, "???", 3);
	if (c.unknown_file == NONE)
		goto nomem;

	order[0] = index;
	for (size_t t = 0, k = 1; t < nt; t++)
		if (t != index)
			order[k++] = t;
	memset(totals, 0, nt * sizeof(int64_t));
	for (size_t i = 0; i < p->nsamples; i++)
		for (size_t t = 0; t < nt; t++)
			totals[t] = wadd(totals[t], p->values[i * nt + t]);

	for (uint32_t s = 0; s < p->nstacks; s++)
		if (c.f.stack_count[s] && !account_stack(&c, s, scratch, fnbuf))
			goto nomem;

	size_t nself = c.self_map.n, nedge = c.edge_map.n, nfn = c.fn_map.n;
	self_idx = budget_alloc(b, (nself + 1) * sizeof(uint32_t));
	edge_idx = budget_alloc(b, (nedge + 1) * sizeof(uint32_t));
	fl_def = budget_alloc(b, c.nfiles + 1);
	fn_def = budget_alloc(b, nfn + 1);
	if (!self_idx || !edge_idx || !fl_def || !fn_def)
		goto nomem;
	memset(fl_def, 0, c.nfiles + 1);
	memset(fn_def, 0, nfn + 1);
	if (!order_by_fn(&c, self_idx, nself, nfn, true) ||
	    !order_by_fn(&c, edge_idx, nedge, nfn, false))
		goto nomem;

	out_init(o, sink);
	put_header(o, p, cmd, order, nt, totals);
	size_t si = 0, ei = 0;
	for (uint32_t fn = 0; fn < nfn && !o->failed; fn++) {
		const cgfn *F = &c.fns[fn];
		put_name(o, "fl=", F->file, fl_def, &c.files[F->file]);
		put_name(o, "fn=", fn, fn_def, &c.f.nodes[F->node].name);
		for (; si < nself && c.selfs[self_idx[si]].fn == fn; si++) {
			out_i64(o, c.selfs[self_idx[si]].line);
			put_costs(o, c.self_costs + (size_t)self_idx[si] * nt, order, nt);
		}
		for (; ei < nedge && c.edges[edge_idx[ei]].caller == fn; ei++) {
			const edge *e = &c.edges[edge_idx[ei]];
			const cgfn *T = &c.fns[e->callee];
			/* KCachegrind resets the callee's file after each call,
			 * so every call into another file names it again. */
			if (T->file != F->file)
				put_name(o, "cfi=", T->file, fl_def, &c.files[T->file]);
			put_name(o, "cfn=", e->callee, fn_def, &c.f.nodes[T->node].name);
			out_str(o, "calls=");
			out_u64(o, e->calls ? e->calls : 1);
			out_char(o, ' ');
			out_i64(o, T->start_line > 0 ? T->start_line : 0);
			out_char(o, '\n');
			out_i64(o, e->line);
			put_costs(o, c.edge_costs + (size_t)edge_idx[ei] * nt, order, nt);
		}
		out_char(o, '\n');
	}
	out_str(o, "totals:");
	put_costs(o, totals, order, nt);
	st = out_finish(o, p);
	goto done;

nomem:
	st = set_error(p, PPROFC_ERR_NOMEM, "out of memory for the callgrind output");
done:
	budget_free(b, scratch);
	budget_free(b, fnbuf);
	budget_free(b, order);
	budget_free(b, totals);
	budget_free(b, self_idx);
	budget_free(b, edge_idx);
	budget_free(b, fl_def);
	budget_free(b, fn_def);
	budget_free(b, o);
	cg_free(&c);
	return st;
}
