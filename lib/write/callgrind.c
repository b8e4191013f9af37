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
 *
 * How: the stacks, sorted root first (sort_stacks), are the leaves of the
 * call tree in depth-first order, and the walk enters each tree node once:
 * a node's costs are complete when the walk leaves it, and every sample
 * below it passes the node's new caller/callee pairs there first. So the
 * work follows the tree's nodes, not the sum of all stack depths: stacks
 * share long root paths, and the tree has far fewer nodes than the stacks
 * have locations. The calls go to their callers' buckets as packed
 * records, then each caller's are summed and sorted while its part is
 * written. A small profile's walk sums its calls in a table first (its
 * nodes make the same few calls over and over); a large one's is walked
 * once to count each caller's records and then, in two halves on two
 * threads, once per range of callers whose records fit in
 * lib_tuning.callgrind_record_bytes, so memory stays flat however large the profile.
 */
#include <inttypes.h>
#include <string.h>

#include "core/varint.h"
#include "write/write.h"

typedef struct cgfn {
	uint32_t node, file;
	int64_t start_line;
} cgfn;

typedef struct selfcost {
	uint32_t fn;
	int64_t line;
} selfcost;

/* A call from the caller whose bucket holds it, followed by its sums: nt
 * costs, then the number of samples (calls=). */
typedef struct erec {
	int64_t line; /* the caller's line */
	uint32_t callee;
} erec;

/* A record's output order as one number, and its index. */
typedef struct rkey {
	uint64_t key;
	uint32_t idx;
} rkey;

/* A location on the current root path of the walk (a node of the call
 * tree): the last frame after it, and where its first caller/callee pairs
 * start on the pair stack (its sums are the walker's cum at its depth). */
typedef struct level {
	uint32_t fn;
	int64_t line;
	size_t pairs;
} level;

/* A caller/callee pair met for the first time on the current path. */
typedef struct pathpair {
	uint32_t from, to;
	int64_t line;
	size_t slot;   /* in pair_key */
	uint64_t hash; /* in the small profile's table (et_hash) */
} pathpair;

typedef struct cg {
	pprofc_profile *p;
	frames f;
	budget *b;
	size_t nt;
	kmap files_map, fn_map, self_map;
	pstr *files;
	size_t nfiles, cap_files;
	cgfn *fns;
	size_t nfns, cap_fns;
	/* A node's function with the first file it came with; fn_map and
	 * fn_more (fn_map's value -> function) hold the rare others. */
	uint32_t *node_fn, *fn_more;
	size_t cap_fn_more;
	selfcost *selfs;
	size_t cap_selfs;
	int64_t *self_costs;
	size_t cap_self_costs;
	uint32_t *func_cg;  /* function index -> cgfn, NONE until seen */
	uint32_t *str_file; /* string index -> file, NONE until seen */
	uint32_t *node_cg;  /* lineless/no-stack node -> cgfn */
	uint32_t *frame_cg; /* f.frames index -> cgfn (locations in use) */
	/* A location's frames as the walk wants them, when every line fits
	 * in 31 bits: one frame as 1 << 63 | line << 32 | cgfn; more as
	 * 1 << 62 | count << 32 | where they start in `multi`, each there in
	 * the form of one; else 0 (the walk then reads the frames). */
	uint64_t *loc_one, *multi;
	size_t nmulti, cap_multi;
	uint32_t unknown_file;

	/* The walk: the stacks in root-first order, each as how many root
	 * locations it shares with the one before (lcp), its length, its
	 * further locations (in sfx, one per call-tree node), its summed
	 * values and sample count. */
	uint32_t *order, *lcp, *slen, *sfx, *sfx_end;
	/* per stack, packed as varints: nt values (zigzag), its samples */
	unsigned char *sval;
	size_t norder, maxlen, nw;
	/* Where the second walker starts (0: one walker): a stack laid out
	 * with its whole path (its lcp set to 0), its place in sfx, and its
	 * half's sums. */
	size_t split;
	const uint32_t *split_sfx;
	unsigned char *split_sval;

	/* Filling: the records of callers lo..hi-1, packed, each caller's in
	 * its own bucket; unpacked one bucket at a time into `full` (records
	 * of `stride` bytes). */
	uint32_t lo, hi;
	unsigned char *recs;
	size_t stride;
	/* Each call has one record: a small profile's, summed in its table by
	 * one walker. Summing then only orders them. */
	bool unique;

	/* Writing: the events' order (the selected type first), the self
	 * costs' order and the next to write, the names defined yet. */
	size_t *ev;
	uint32_t *self_idx;
	size_t nself, si;
	bool *fl_def, *fn_def;
} cg;

/*
 * Summing the buckets of a batch of callers a..b-1: each caller's records
 * unpacked into `full` after the batch's earlier callers', its equal ones
 * summed through an index table, and its calls' order in ord[start[fn -
 * a]..start[fn - a + 1]). While one batch is written, the next is summed
 * on a second thread; each summer counts its memory in a budget of its
 * own (a budget is not shared between threads).
 */
typedef struct summer {
	const cg *c;
	budget wb;
	uint32_t a, b;
	size_t at;	       /* caller a's bucket in c->recs */
	const uint64_t *bytes; /* each caller's bucket size */
	/* index table, bmask + 1 slots: a table of its own, not kmap, since
	 * it is emptied after each caller by clearing only the slots used;
	 * a kmap made and freed per caller measured slower */
	uint32_t *bidx;
	size_t bmask;
	uint32_t *bused; /* its slots in use */
	unsigned char *full;
	rkey *keys, *ktmp;
	uint32_t *ord;
	size_t *start;
	size_t cap_full, cap_bused, cap_keys, cap_ktmp, cap_ord, cap_start;
	bool ok;
} summer;

/*
 * A walker goes over the stacks first..end-1 of the sorted order with a
 * path of its own. Two walk halves of a large profile on two threads: the
 * second enters its first stack's whole path (laid out whole), so a node
 * both halves pass through gives its pairs twice, each with its half's
 * costs, which the buckets sum like any other records.
 */
typedef struct walker {
	cg *c;
	size_t first, end;
	level *lv;
	int64_t *cum; /* per level nw sums: nt values, then the samples */
	pathpair *pp;
	size_t npp;
	/* The path's pairs, a set of its own, not kmap: pairs leave in the
	 * reverse order they came, which linear probing undoes by clearing
	 * the slot (kmap cannot remove), and 8-byte keys keep the set in a
	 * few cache lines (kmap's 24-byte slots measured slower). */
	uint64_t *pair_key; /* from << 32 | to, 0 = empty (from != to) */
	size_t pair_mask;
	/* Counting: per caller, the bytes of the records this walker gives
	 * it. Filling: fill[fn - lo], the next byte of fn's bucket to write. */
	uint64_t *per_caller;
	size_t *fill;
	bool counting;
	bool ok;
	struct etable *et; /* summing a small profile's calls */
} walker;

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

/* The function of a node in a file, numbered in order of first use. A
 * node nearly always has one file, so it is looked up by node, in an array;
 * fn_map holds only the rare second files. A map keyed by (node, file)
 * and sized for every function would be a large table to clear, a page
 * fault per page, for what the array does in one read. */
static uint32_t intern_fn(cg *c, uint32_t nid, uint32_t file, int64_t start_line)
{
	uint32_t *slot = &c->node_fn[nid];
	if (*slot != NONE) {
		if (c->fns[*slot].file == file)
			return *slot;
		bool added;
		uint32_t k = kmap_put(&c->fn_map, nid, file, &added);
		if (k == NONE)
			return NONE;
		if (!added)
			return c->fn_more[k];
		if (!vec_reserve(c->b, (void **)&c->fn_more, &c->cap_fn_more, (size_t)k + 1,
				 sizeof(uint32_t)))
			return NONE;
		slot = &c->fn_more[k];
	}
	if (c->nfns >= NONE ||
	    !vec_reserve(c->b, (void **)&c->fns, &c->cap_fns, c->nfns + 1, sizeof(cgfn)))
		return NONE;
	c->fns[c->nfns] = (cgfn){ nid, file, start_line };
	*slot = (uint32_t)c->nfns;
	return (uint32_t)c->nfns++;
}

/* A function's file, interned once per string, not per function: a
 * profile's many functions come from few files. */
static uint32_t file_of(cg *c, int64_t idx)
{
	const pstr *file = model_str(c->p, idx);
	if (!file->len)
		return c->unknown_file;
	uint32_t *slot = &c->str_file[idx]; /* a string of its own: idx is in range */
	if (*slot == NONE)
		*slot = intern_file(c, file->s, file->len);
	return *slot;
}

/* The callgrind function of a frame. */
static uint32_t frame_fn(cg *c, const frame *fr)
{
	if (fr->function != NONE) {
		uint32_t *slot = &c->func_cg[fr->function];
		if (*slot == NONE) {
			const function *fn = &c->p->functions[fr->function];
			uint32_t fid = file_of(c, fn->filename);
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

static bool add_self(cg *c, uint32_t fn, int64_t ln, const int64_t *v)
{
	bool added;
	ln = ln > 0 ? ln : 0;
	uint32_t id = kmap_put(&c->self_map, fn, (uint64_t)ln, &added);
	if (id == NONE)
		return false;
	if (added) {
		if (!vec_reserve(c->b, (void **)&c->selfs, &c->cap_selfs, id + 1, sizeof(selfcost)))
			return false;
		c->selfs[id] = (selfcost){ fn, ln };
	}
	return add_costs(c, &c->self_costs, &c->cap_self_costs, id, added, v);
}

/* Location li's frames in loc_one (and multi), when their lines allow:
 * the walk then reads one array, two for inlined frames, not three. */
static bool encode_frames(cg *c, uint32_t li)
{
	const frames *f = &c->f;
	uint32_t kb = f->loc_off[li], n = f->loc_off[li + 1] - kb;
	for (uint32_t k = kb; k < kb + n; k++)
		if (f->frames[k].line < 0 || f->frames[k].line > 0x7fffffff)
			return true;
	if (n == 1) {
		c->loc_one[li] =
			(uint64_t)1 << 63 | (uint64_t)f->frames[kb].line << 32 | c->frame_cg[kb];
		return true;
	}
	if (n == 0 || n > 0x3fffffff || c->nmulti > UINT32_MAX - n)
		return true;
	if (!vec_reserve(c->b, (void **)&c->multi, &c->cap_multi, c->nmulti + n, sizeof(uint64_t)))
		return false;
	c->loc_one[li] = (uint64_t)1 << 62 | (uint64_t)n << 32 | c->nmulti;
	for (uint32_t k = kb; k < kb + n; k++)
		c->multi[c->nmulti++] =
			(uint64_t)1 << 63 | (uint64_t)f->frames[k].line << 32 | c->frame_cg[k];
	return true;
}

/*
 * The first pass, in the profile's stack order: number the functions and
 * files in order of first appearance (root first), which fixes the
 * output's order; and sum self costs at each stack's leaf line.
 */
static bool first_pass(cg *c)
{
	const pprofc_profile *p = c->p;
	const frames *f = &c->f;
	size_t nt = c->nt;
	bool ok = false;
	/* Self costs summed per leaf location first, where locations are few
	 * beside stacks (a large profile): a dense array, not a map lookup per
	 * stack. seen[]: 1 the location's frames are numbered, 2 it is a leaf. */
	bool by_loc = p->nlocations <= 4 * (size_t)p->nstacks;
	int64_t *self_loc = NULL;
	unsigned char *seen = budget_alloc(c->b, p->nlocations + 1);
	c->loc_one = budget_alloc(c->b, (p->nlocations + 1) * sizeof(uint64_t));
	if (by_loc)
		self_loc = budget_alloc(c->b, (p->nlocations * nt + 1) * sizeof(int64_t));
	if (!seen || !c->loc_one || (by_loc && !self_loc))
		goto done;
	memset(seen, 0, p->nlocations + 1);
	memset(c->loc_one, 0, (p->nlocations + 1) * sizeof(uint64_t));
	if (by_loc)
		memset(self_loc, 0, (p->nlocations * nt + 1) * sizeof(int64_t));
	for (uint32_t s = 0; s < p->nstacks; s++) {
		if (!f->stack_count[s])
			continue;
		const int64_t *v = f->stack_values + (size_t)s * c->nt;
		uint32_t begin = p->stack_off[s], end = p->stack_off[s + 1];
		if (begin == end) {
			frame fr = { f->nostack, NONE, 0 };
			uint32_t fn = frame_fn(c, &fr);
			if (fn == NONE || !add_self(c, fn, 0, v))
				goto done;
			continue;
		}
		for (uint32_t j = end; j-- > begin;) {
			uint32_t li = p->stack_locs[j];
			if (seen[li] & 1)
				continue;
			seen[li] |= 1;
			for (uint32_t k = f->loc_off[li + 1]; k-- > f->loc_off[li];)
				if ((c->frame_cg[k] = frame_fn(c, &f->frames[k])) == NONE)
					goto done;
			if (!encode_frames(c, li))
				goto done;
		}
		uint32_t li = p->stack_locs[begin], leaf = f->loc_off[li];
		if (by_loc) {
			int64_t *dst = self_loc + (size_t)li * nt;
			for (size_t t = 0; t < nt; t++)
				dst[t] = wadd(dst[t], v[t]);
			seen[li] |= 2;
		} else if (!add_self(c, c->frame_cg[leaf], f->frames[leaf].line, v)) {
			goto done;
		}
		if (end - begin > c->maxlen)
			c->maxlen = end - begin;
	}
	for (size_t li = 0; by_loc && li < p->nlocations; li++) {
		uint32_t leaf = f->loc_off[li];
		if ((seen[li] & 2) &&
		    !add_self(c, c->frame_cg[leaf], f->frames[leaf].line, self_loc + li * nt))
			goto done;
	}
	ok = true;
done:
	budget_free(c->b, seen);
	budget_free(c->b, self_loc);
	return ok;
}

/* A call being summed in the table: its caller (NONE: an empty cell),
 * callee and the caller's line, then its nw sums, with no padding (40
 * bytes with two sample types), in a table that doubles only when three
 * quarters full: every fresh page of the table is a fault, so the fewer
 * bytes per call the better. */
typedef struct ecell {
	uint32_t caller, callee;
	int64_t line;
	int64_t v[];
} ecell;

/* A small profile's table of calls, linear probing. A table of its own, not
 * kmap: a call's sums live in its cell, so adding to them is one cache miss,
 * which the walk asks for ahead (prefetch_pair_sums), and the table is
 * cleared on the second core while the stacks are laid out. kmap keeps
 * its values apart from its keys and hides where a key's slot is; put in
 * its place, this writer measured far slower and larger on small
 * profiles. */
typedef struct etable {
	budget *b;
	unsigned char *cells;
	size_t mask, n, cell;
} etable;

static inline ecell *et_cell(const etable *t, size_t i)
{
	return (ecell *)(t->cells + i * t->cell);
}

static inline uint64_t et_hash(uint32_t from, uint32_t to, int64_t ln)
{
	uint64_t h = ((uint64_t)from << 32 | to) * 0x9E3779B97F4A7C15ull ^
		     (uint64_t)ln * 0xC2B2AE3D27D4EB4Full;
	h ^= h >> 29;
	return h * 0xff51afd7ed558ccdull >> 20;
}

static ecell *et_find(const etable *t, uint64_t h, uint32_t from, uint32_t to, int64_t ln)
{
	for (size_t i = (size_t)h & t->mask;; i = (i + 1) & t->mask) {
		ecell *e = et_cell(t, i);
		if (e->caller == NONE || (e->caller == from && e->callee == to && e->line == ln))
			return e;
	}
}

/* A table of `slots` cells, not yet cleared (et_clear). */
static bool et_reserve(etable *t, size_t slots)
{
	t->cells = budget_alloc(t->b, slots * t->cell);
	if (!t->cells)
		return false;
	t->mask = slots - 1;
	t->n = 0;
	return true;
}

static void *et_clear(void *arg)
{
	etable *t = arg;
	for (size_t i = 0; i <= t->mask; i++)
		et_cell(t, i)->caller = NONE;
	return NULL;
}

static bool et_alloc(etable *t, size_t slots)
{
	if (!et_reserve(t, slots))
		return false;
	et_clear(t);
	return true;
}

/* A pair's costs summed in the table, which doubles when three quarters
 * full. */
static inline bool edge_add(etable *t, const pathpair *q, const int64_t *v, size_t nw)
{
	if ((t->n + 1) * 4 > (t->mask + 1) * 3) {
		unsigned char *old = t->cells;
		size_t oslots = t->mask + 1;
		if (!et_alloc(t, oslots * 2)) {
			t->cells = old;
			return false;
		}
		for (size_t i = 0; i < oslots; i++) {
			const ecell *e = (const ecell *)(old + i * t->cell);
			if (e->caller != NONE) {
				memcpy(et_find(t, et_hash(e->caller, e->callee, e->line), e->caller,
					       e->callee, e->line),
				       e, t->cell);
				t->n++;
			}
		}
		budget_free(t->b, old);
	}
	ecell *e = et_find(t, q->hash, q->from, q->to, q->line);
	if (e->caller == NONE) {
		*e = (ecell){ q->from, q->to, q->line };
		for (size_t k = 0; k < nw; k++)
			e->v[k] = v[k];
		t->n++;
		return true;
	}
	for (size_t k = 0; k < nw; k++)
		e->v[k] = wadd(e->v[k], v[k]);
	return true;
}

/*
 * Buckets hold records packed as varints (callee, line, the nt costs
 * zigzagged, the samples): a large profile's calls are mostly distinct,
 * and packed they take a quarter of the room, so a quarter of the walks.
 */
static size_t packed_len(const cg *c, uint32_t callee, int64_t ln, const int64_t *v)
{
	size_t n = varint_len(callee) + varint_len(zigzag(ln)) + varint_len((uint64_t)v[c->nt]);
	for (size_t t = 0; t < c->nt; t++)
		n += varint_len(zigzag(v[t]));
	return n;
}

static unsigned char *pack(const cg *c, unsigned char *p, uint32_t callee, int64_t ln,
			   const int64_t *v)
{
	p = varint_put(p, callee);
	p = varint_put(p, zigzag(ln));
	for (size_t t = 0; t < c->nt; t++)
		p = varint_put(p, zigzag(v[t]));
	return varint_put(p, (uint64_t)v[c->nt]);
}

/* A pair's record in its caller's bucket. */
static void edge_put(walker *w, const pathpair *q, const int64_t *v)
{
	cg *c = w->c;
	size_t *at = &w->fill[q->from - c->lo];
	*at = (size_t)(pack(c, c->recs + *at, q->to, q->line, v) - c->recs);
}

/* The prefetching helpers below are always inlined: a prefetch has no
 * effect the compiler can see, so a helper left out of line is judged
 * pure and its call dropped, prefetches and all. */
#define ALWAYS_INLINE __attribute__((always_inline))

/*
 * Where a new pair's sums go when the walk leaves its node, asked for now:
 * between the two, the walk goes down the rest of the stack, so the cache
 * misses of a stack's new pairs overlap instead of each stalling the walk
 * when its node is left. The small profile's table cell (two lines: a cell
 * may cross one), or the record's place in its caller's bucket.
 */
static inline ALWAYS_INLINE void prefetch_pair_sums(walker *w, pathpair *q)
{
	const cg *c = w->c;
	if (w->et) {
		q->hash = et_hash(q->from, q->to, q->line);
		const unsigned char *e =
			(const unsigned char *)et_cell(w->et, q->hash & w->et->mask);
		__builtin_prefetch(e);
		__builtin_prefetch(e + 64);
	} else if (!w->counting && q->from >= c->lo && q->from < c->hi) {
		__builtin_prefetch(c->recs + w->fill[q->from - c->lo], 1);
	}
}

/* The caller/callee pair from -> to (at the caller's line ln) met on the
 * path: on the pair stack if the path has not had it yet. */
static inline void meet_pair(walker *w, uint32_t from, uint32_t to, int64_t ln)
{
	if (from != NONE && from != to) {
		uint64_t key = (uint64_t)from << 32 | to;
		size_t s = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 40) & w->pair_mask;
		while (w->pair_key[s] && w->pair_key[s] != key)
			s = (s + 1) & w->pair_mask;
		if (!w->pair_key[s]) {
			w->pair_key[s] = key;
			pathpair *q = &w->pp[w->npp++];
			*q = (pathpair){ from, to, ln > 0 ? ln : 0, s, 0 };
			prefetch_pair_sums(w, q);
		}
	}
}

/* Enters location li at depth d: its frames root first, each pair with
 * the frame before it that the path has not had yet goes on the pair
 * stack. */
static inline void push_level(walker *w, size_t d, uint32_t li, size_t nw)
{
	const cg *c = w->c;
	const frames *f = &c->f;
	level *v = &w->lv[d];
	v->pairs = w->npp;
	int64_t *cum = w->cum + d * nw;
	for (size_t t = 0; t < nw; t++)
		cum[t] = 0;
	uint32_t from = d ? w->lv[d - 1].fn : NONE;
	int64_t ln = d ? w->lv[d - 1].line : 0;
	uint64_t one = c->loc_one[li];
	if (one) {
		const uint64_t *e = one >> 63 ? &one : c->multi + (uint32_t)one;
		for (uint32_t k = one >> 63 ? 1 : (uint32_t)(one >> 32) & 0x3fffffff; k-- > 0;) {
			uint32_t to = (uint32_t)e[k];
			meet_pair(w, from, to, ln);
			from = to;
			ln = (int64_t)(e[k] >> 32 & 0x7fffffff);
		}
	} else {
		for (uint32_t k = f->loc_off[li + 1]; k-- > f->loc_off[li];) {
			uint32_t to = c->frame_cg[k];
			meet_pair(w, from, to, ln);
			from = to;
			ln = f->frames[k].line;
		}
	}
	v->fn = from;
	v->line = ln;
}

/* Leaves depth d: its costs are complete, so its first pairs get them
 * (every sample through this node passes each pair here first); then
 * they go to its parent. Pairs leave the table in the reverse order they
 * came, which restores it exactly (linear probing, last in first out). */
static inline bool pop_level(walker *w, size_t d, size_t nw)
{
	cg *c = w->c;
	level *v = &w->lv[d];
	const int64_t *cum = w->cum + d * nw;
	for (size_t k = w->npp; k-- > v->pairs;) {
		const pathpair *q = &w->pp[k];
		w->pair_key[q->slot] = 0;
		if (w->counting)
			w->per_caller[q->from] += packed_len(c, q->to, q->line, cum);
		else if (w->et) {
			if (!edge_add(w->et, q, cum, nw))
				return false;
		} else if (q->from >= c->lo && q->from < c->hi) {
			edge_put(w, q, cum);
		}
	}
	w->npp = v->pairs;
	if (d) {
		int64_t *up = w->cum + (d - 1) * nw;
		for (size_t t = 0; t < nw; t++)
			up[t] = wadd(up[t], cum[t]);
	}
	return true;
}

/*
 * The locations the walk enters come in no order memory could guess (a
 * node's location is anywhere in loc_one): the location 16 ahead is asked
 * for, and 8 ahead, by then in cache, an inlined location's frames, so
 * that entering a node rarely waits for memory.
 */
static inline ALWAYS_INLINE void prefetch_locations(const cg *c, const uint32_t *sfx)
{
	if (sfx + 16 < c->sfx_end)
		__builtin_prefetch(&c->loc_one[sfx[16]]);
	if (sfx + 8 < c->sfx_end) {
		uint64_t o = c->loc_one[sfx[8]];
		if (o && !(o >> 63))
			__builtin_prefetch(c->multi + (uint32_t)o);
	}
}

/*
 * Walks the call tree: the sorted stacks are its leaves in depth-first
 * order, and each stack's shared prefix with the one before says how far
 * to climb back. Each tree node is entered once, however many stacks pass
 * through it, so the cost follows the tree, not the sum of stack depths.
 */
static inline __attribute__((always_inline)) bool walk_nw(walker *w, size_t nw)
{
	const cg *c = w->c;
	size_t depth = 0, nt = nw - 1;
	const uint32_t *sfx = w->first ? c->split_sfx : c->sfx;
	const unsigned char *sv = w->first ? c->split_sval : c->sval;
	for (size_t i = w->first; i < w->end; i++) {
		uint32_t len = c->slen[i];
		while (depth > c->lcp[i])
			if (!pop_level(w, --depth, nw))
				return false;
		for (; depth < len; depth++) {
			prefetch_locations(c, sfx);
			push_level(w, depth, *sfx++, nw);
		}
		int64_t *cum = w->cum + (len - 1) * nw;
		uint64_t u;
		for (size_t t = 0; t < nt; t++) {
			sv = varint_get(sv, &u);
			cum[t] = wadd(cum[t], unzigzag(u));
		}
		sv = varint_get(sv, &u);
		cum[nt] = wadd(cum[nt], (int64_t)u);
	}
	while (depth > 0)
		if (!pop_level(w, --depth, nw))
			return false;
	return true;
}

/* The walk with its sums per call (nw) a constant for the common sample
 * type counts, so that the loops over them, in the work of every node of
 * the tree, unroll. */
static bool walk(walker *w)
{
	switch (w->c->nw) {
	case 2:
		return walk_nw(w, 2);
	case 3:
		return walk_nw(w, 3);
	case 4:
		return walk_nw(w, 4);
	default:
		return walk_nw(w, w->c->nw);
	}
}

static void *walk_thread(void *arg)
{
	walker *w = arg;
	w->ok = walk(w);
	return NULL;
}

/* Runs the walkers, the second (if any) on a thread of its own. */
static bool walk_all(walker *w, size_t n)
{
	run_both(walk_thread, &w[0], walk_thread, n > 1 ? &w[1] : NULL);
	return w[0].ok && (n < 2 || w[1].ok);
}

/* The table, after the walk: each caller's bytes counted, or the calls
 * packed into the buckets of the callers lo..hi-1. */
static void count_table(walker *w)
{
	const etable *t = w->et;
	for (size_t i = 0; i <= t->mask; i++) {
		const ecell *e = et_cell(t, i);
		if (e->caller != NONE)
			w->per_caller[e->caller] += packed_len(w->c, e->callee, e->line, e->v);
	}
}

static void pack_table(walker *w)
{
	const cg *c = w->c;
	const etable *t = w->et;
	for (size_t i = 0; i <= t->mask; i++) {
		const ecell *e = et_cell(t, i);
		if (e->caller != NONE && e->caller >= c->lo && e->caller < c->hi) {
			size_t *at = &w->fill[e->caller - c->lo];
			*at = (size_t)(pack(c, c->recs + *at, e->callee, e->line, e->v) - c->recs);
		}
	}
}

/* The stacks' sort, on a second thread while the first pass runs (they
 * share nothing but the profile, which both only read), in a budget of
 * its own. */
typedef struct sort_job {
	const pprofc_profile *p;
	budget b;
	uint32_t *order, *lcp;
	size_t n;
	bool ok;
} sort_job;

static void *sort_thread(void *arg)
{
	sort_job *j = arg;
	j->ok = sort_stacks(j->p, &j->b, j->order, j->n, j->lcp);
	return NULL;
}

/* Beside the sort, on this thread: the frames, the tables the first pass
 * fills, then the first pass. */
typedef struct prep_job {
	cg *c;
	pprofc_status st;
} prep_job;

static void *prep_thread(void *arg)
{
	prep_job *j = arg;
	cg *c = j->c;
	pprofc_profile *p = c->p;
	budget *b = c->b;
	/* Callgrind has its own positions (source lines): a function stays a
	 * function at -lines, -filefunctions (fl= names the file) and
	 * -addresses; only -files merges the functions of a file into one. */
	j->st = frames_build_at(p, &c->f,
				p->granularity == PPROFC_GRANULARITY_FILES
					? PPROFC_GRANULARITY_FILES
					: PPROFC_GRANULARITY_FUNCTIONS);
	if (j->st != PPROFC_OK)
		return NULL;
	size_t nframes = c->f.loc_off[p->nlocations];
	c->func_cg = budget_alloc(b, (p->nfunctions + 1) * sizeof(uint32_t));
	c->str_file = budget_alloc(b, (p->nstrings + 1) * sizeof(uint32_t));
	c->node_cg = budget_alloc(b, (c->f.nnodes + 1) * sizeof(uint32_t));
	c->node_fn = budget_alloc(b, (c->f.nnodes + 1) * sizeof(uint32_t));
	c->frame_cg = budget_alloc(b, (nframes + 1) * sizeof(uint32_t));
	if (!c->func_cg || !c->str_file || !c->node_cg || !c->node_fn || !c->frame_cg ||
	    !kmap_init(&c->files_map, b, 64) || !kmap_init(&c->fn_map, b, 64) ||
	    !kmap_init(&c->self_map, b, 1024))
		goto nomem;
	memset(c->func_cg, 0xff, (p->nfunctions + 1) * sizeof(uint32_t));
	memset(c->str_file, 0xff, (p->nstrings + 1) * sizeof(uint32_t));
	memset(c->node_cg, 0xff, (c->f.nnodes + 1) * sizeof(uint32_t));
	memset(c->node_fn, 0xff, (c->f.nnodes + 1) * sizeof(uint32_t));
	c->unknown_file = intern_file(c, "???", 3);
	if (c->unknown_file != NONE && first_pass(c))
		return NULL;
nomem:
	j->st = set_error(p, PPROFC_ERR_NOMEM, "out of memory for the callgrind output");
	return NULL;
}

/*
 * The sorted stacks are read in their sorted order, not in the order
 * memory holds them, so every stack's data is a cache miss: the loops over
 * them ask for a stack's data STACKS_AHEAD stacks before they read it (and
 * for what needs that data first, LOCS_AHEAD before), so that the misses
 * overlap instead of each stalling the loop in turn.
 */
enum { STACKS_AHEAD = 16, LOCS_AHEAD = 8 };

static inline ALWAYS_INLINE void prefetch_stack_count(const cg *c, size_t i, size_t end)
{
	if (i + STACKS_AHEAD < end)
		__builtin_prefetch(&c->f.stack_count[c->order[i + STACKS_AHEAD]]);
}

static inline ALWAYS_INLINE void prefetch_stack_off(const cg *c, size_t i, size_t end)
{
	if (i + STACKS_AHEAD < end)
		__builtin_prefetch(&c->p->stack_off[c->order[i + STACKS_AHEAD]]);
}

/* (in two steps: where a stack is and its sums, then its locations) */
static inline ALWAYS_INLINE void prefetch_stack(const cg *c, size_t i, size_t end)
{
	const pprofc_profile *p = c->p;
	if (i + STACKS_AHEAD < end) {
		uint32_t t = c->order[i + STACKS_AHEAD];
		__builtin_prefetch(&p->stack_off[t + 1]);
		__builtin_prefetch(&c->f.stack_values[(size_t)t * c->nt]);
		__builtin_prefetch(&c->f.stack_count[t]);
	}
	if (i + LOCS_AHEAD < end) {
		uint32_t t = c->order[i + LOCS_AHEAD];
		__builtin_prefetch(
			&p->stack_locs[p->stack_off[t + 1] - 1 - c->lcp[i + LOCS_AHEAD]]);
	}
}

/* The sorted stacks without those whose samples are all zero (they give
 * no call). A stack after dropped ones shares with the kept one before it
 * the shortest of the prefixes between them. */
static void drop_zero_stacks(cg *c)
{
	size_t n = 0;
	uint32_t shared = UINT32_MAX;
	for (size_t i = 0; i < c->norder; i++) {
		prefetch_stack_count(c, i, c->norder);
		if (c->lcp[i] < shared)
			shared = c->lcp[i];
		if (!c->f.stack_count[c->order[i]])
			continue;
		c->order[n] = c->order[i];
		c->lcp[n] = n ? shared : 0;
		n++;
		shared = UINT32_MAX;
	}
	c->norder = n;
}

static bool walker_init(cg *c, walker *w, size_t first, size_t end)
{
	*w = (walker){ .c = c, .first = first, .end = end, .ok = true };
	size_t slots = 64;
	while (slots < 4 * c->f.max_depth)
		slots *= 2;
	w->pair_mask = slots - 1;
	w->pair_key = budget_alloc(c->b, slots * sizeof(uint64_t));
	w->pp = budget_alloc(c->b, (c->f.max_depth + 1) * sizeof(pathpair));
	w->lv = budget_alloc(c->b, (c->maxlen + 1) * sizeof(level));
	w->cum = budget_alloc(c->b, (c->maxlen + 1) * c->nw * sizeof(int64_t));
	if (!w->pair_key || !w->pp || !w->lv || !w->cum)
		return false;
	memset(w->pair_key, 0, slots * sizeof(uint64_t));
	return true;
}

static void walker_free(const cg *c, walker *w)
{
	budget_free(c->b, w->pair_key);
	budget_free(c->b, w->pp);
	budget_free(c->b, w->lv);
	budget_free(c->b, w->cum);
	budget_free(c->b, w->per_caller);
	budget_free(c->b, w->fill);
}

/* A half of the layout (all of it with one walker): the stacks lo..hi-1,
 * counted first (their further locations), then written. */
typedef struct layout_part {
	cg *c;
	size_t lo, hi, nsfx;
	uint32_t *sfx;
	unsigned char *sv, *sv_end;
} layout_part;

static void *lay_out_part(void *arg)
{
	layout_part *h = arg;
	const cg *c = h->c;
	const pprofc_profile *p = c->p;
	size_t nt = c->nt;
	if (!h->sfx) {
		for (size_t i = h->lo; i < h->hi; i++) {
			uint32_t s = c->order[i];
			prefetch_stack_off(c, i, h->hi);
			h->nsfx += p->stack_off[s + 1] - p->stack_off[s] - c->lcp[i];
		}
		return NULL;
	}
	uint32_t *w = h->sfx;
	unsigned char *sv = h->sv;
	for (size_t i = h->lo; i < h->hi; i++) {
		uint32_t s = c->order[i], begin = p->stack_off[s],
			 len = p->stack_off[s + 1] - begin;
		prefetch_stack(c, i, h->hi);
		c->slen[i] = len;
		for (uint32_t d = c->lcp[i]; d < len; d++)
			*w++ = p->stack_locs[begin + len - 1 - d];
		const int64_t *v = c->f.stack_values + (size_t)s * nt;
		for (size_t t = 0; t < nt; t++)
			sv = varint_put(sv, zigzag(v[t]));
		sv = varint_put(sv, c->f.stack_count[s]);
	}
	h->sv_end = sv;
	return NULL;
}

/* The sorted stacks as the walk reads them, in order; the stack sums
 * move here from the frames, which no longer need them, packed as varints
 * (small values in a byte or two, not eight: the room freed lets a large
 * profile's call records fit in fewer walks). Each
 * walker's half is laid out on a thread of its own, its sums in a buffer
 * of their own. */
static bool lay_out(cg *c)
{
	size_t n = c->split ? 2 : 1;
	layout_part h[2] = { { c, 0, c->split ? c->split : c->norder, 0, NULL, NULL, NULL },
			     { c, c->split, c->norder, 0, NULL, NULL, NULL } };
	run_both(lay_out_part, &h[0], lay_out_part, n > 1 ? &h[1] : NULL);
	size_t nsfx = h[0].nsfx + h[1].nsfx;
	c->slen = budget_alloc(c->b, (c->norder + 1) * sizeof(uint32_t));
	c->sfx = budget_alloc(c->b, (nsfx + 1) * sizeof(uint32_t));
	if (!c->slen || !c->sfx)
		return false;
	c->sfx_end = c->sfx + nsfx;
	for (size_t k = 0; k < n; k++) {
		/* room for the longest varints; only what is written is touched */
		h[k].sv = budget_alloc(c->b, (h[k].hi - h[k].lo) * (c->nt + 1) * 10 + 1);
		if (!h[k].sv)
			goto nomem;
		h[k].sfx = c->sfx + (k ? h[0].nsfx : 0);
	}
	run_both(lay_out_part, &h[0], lay_out_part, n > 1 ? &h[1] : NULL);
	for (size_t k = 0; k < n; k++) {
		unsigned char *fit =
			budget_realloc(c->b, h[k].sv, (size_t)(h[k].sv_end - h[k].sv) + 1);
		if (fit)
			h[k].sv = fit;
	}
	c->sval = h[0].sv;
	c->split_sval = h[1].sv;
	c->split_sfx = h[1].sfx;
	budget_free(c->b, c->order);
	budget_free(c->b, c->f.stack_values);
	budget_free(c->b, c->f.stack_count);
	c->order = NULL;
	c->f.stack_values = NULL;
	c->f.stack_count = NULL;
	return true;
nomem:
	budget_free(c->b, h[0].sv);
	budget_free(c->b, h[1].sv);
	return false;
}

typedef struct lay_out_job {
	cg *c;
	bool ok;
} lay_out_job;

static void *lay_out_thread(void *arg)
{
	lay_out_job *j = arg;
	j->ok = lay_out(j->c);
	return NULL;
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

static int cmp_rec_at(const void *a, const void *b, void *ctx)
{
	const summer *sm = ctx;
	size_t stride = sm->c->stride;
	const erec *x = (const erec *)(sm->full + *(const uint32_t *)a * stride);
	const erec *y = (const erec *)(sm->full + *(const uint32_t *)b * stride);
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->callee < y->callee ? -1 : x->callee > y->callee;
}

/*
 * Self costs in output order: grouped by function with a counting sort
 * (one pass, no comparisons across the whole set), then each function's
 * few entries sorted by line.
 */
static bool order_selfs(cg *c, uint32_t *idx, size_t n, size_t nfn)
{
	uint32_t *start = budget_alloc(c->b, (nfn + 2) * sizeof(uint32_t));
	if (!start)
		return false;
	memset(start, 0, (nfn + 2) * sizeof(uint32_t));
	for (size_t i = 0; i < n; i++)
		start[c->selfs[i].fn + 1]++;
	for (size_t f = 0; f < nfn; f++)
		start[f + 1] += start[f];
	for (size_t i = 0; i < n; i++)
		idx[start[c->selfs[i].fn]++] = (uint32_t)i;
	/* start[f] is now the end of f's group, the start of f + 1's. */
	bool ok = true;
	for (size_t f = 0, lo = 0; f < nfn && ok; f++) {
		size_t hi = start[f];
		if (hi - lo > 1)
			ok = sort_ctx(c->b, idx + lo, hi - lo, sizeof(uint32_t), cmp_self, c);
		lo = hi;
	}
	budget_free(c->b, start);
	return ok;
}

/* The two sorts of keys (distinct) below move them between a and tmp,
 * pass by pass, and return the one that holds them sorted. */

/* Bottom-up merges. */
static rkey *merge_rkeys(rkey *a, size_t n, rkey *tmp)
{
	rkey *src = a, *dst = tmp;
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi) {
				/* branch-free: the keys are in no order a predictor
				 * could learn */
				bool right = src[j].key < src[i].key;
				dst[k++] = *(right ? &src[j] : &src[i]);
				j += right;
				i += !right;
			}
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		rkey *t = src;
		src = dst;
		dst = t;
	}
	return src;
}

/* A radix sort, a byte a pass from the lowest, only over the bytes that
 * are not the same in every key: a caller's calls have a few lines and
 * callees below 2^16 or so, so two or three passes. */
static rkey *radix_rkeys(rkey *a, size_t n, rkey *tmp)
{
	uint64_t any = 0, all = ~(uint64_t)0;
	for (size_t i = 0; i < n; i++) {
		any |= a[i].key;
		all &= a[i].key;
	}
	unsigned shift[8], nd = 0;
	for (unsigned d = 0; d < 8; d++)
		if ((any ^ all) >> (8 * d) & 0xff)
			shift[nd++] = 8 * d;
	size_t count[8][256];
	memset(count, 0, nd * sizeof(count[0]));
	for (size_t i = 0; i < n; i++)
		for (unsigned d = 0; d < nd; d++)
			count[d][a[i].key >> shift[d] & 0xff]++;
	rkey *src = a, *dst = tmp;
	for (unsigned d = 0; d < nd; d++) {
		size_t *c = count[d];
		for (size_t v = 0, at = 0; v < 256; v++) {
			size_t k = c[v];
			c[v] = at;
			at += k;
		}
		for (size_t i = 0; i < n; i++)
			dst[c[src[i].key >> shift[d] & 0xff]++] = src[i];
		rkey *t = src;
		src = dst;
		dst = t;
	}
	return src;
}

/* Sorts a caller's keys: insertion for a few, merges for dozens, the
 * radix sort from 64: merging takes a pass per doubling of the keys, the
 * radix sort one per key byte that differs, and a caller's keys differ in
 * two or three. */
static void sort_rkeys(rkey *a, size_t n, rkey *tmp)
{
	if (n > 16) {
		rkey *sorted = n > 64 ? radix_rkeys(a, n, tmp) : merge_rkeys(a, n, tmp);
		if (sorted != a)
			memcpy(a, sorted, n * sizeof(rkey));
		return;
	}
	for (size_t i = 1; i < n; i++) {
		rkey v = a[i];
		size_t j = i;
		for (; j > 0 && a[j - 1].key > v.key; j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
}

static inline size_t bidx_slot(const erec *e, size_t mask)
{
	uint64_t h = ((uint64_t)e->line * 0x9E3779B97F4A7C15ull) ^
		     ((uint64_t)e->callee * 0xC2B2AE3D27D4EB4Full);
	return (size_t)(h ^ h >> 32) & mask;
}

/* Room for `want` distinct records of a caller, w of which are in, after
 * the batch's base ones, and an index table at most half full. */
static bool sum_reserve(summer *sm, size_t base, size_t w, size_t want)
{
	size_t stride = sm->c->stride;
	if (!vec_reserve(&sm->wb, (void **)&sm->full, &sm->cap_full, (base + want) * stride, 1) ||
	    !vec_reserve(&sm->wb, (void **)&sm->bused, &sm->cap_bused, want, sizeof(uint32_t)))
		return false;
	if (sm->c->unique || 2 * want <= sm->bmask + 1)
		return true;
	size_t slots = sm->bmask + 1;
	while (slots < 2 * want)
		slots *= 2;
	uint32_t *t = budget_alloc(&sm->wb, slots * sizeof(uint32_t));
	if (!t)
		return false;
	memset(t, 0, slots * sizeof(uint32_t));
	for (size_t i = 0; i < w; i++) {
		size_t s = bidx_slot((const erec *)(sm->full + (base + i) * stride), slots - 1);
		while (t[s])
			s = (s + 1) & (slots - 1);
		t[s] = (uint32_t)(i + 1);
		sm->bused[i] = (uint32_t)s;
	}
	budget_free(&sm->wb, sm->bidx);
	sm->bidx = t;
	sm->bmask = slots - 1;
	return true;
}

/*
 * A caller's bucket r..end unpacked into full from `base`, its equal
 * records (same line and callee) summed on the way, so that the memory
 * follows the distinct calls, not the records (a call made from many call
 * paths has a record from each); then their order, by line and callee, in
 * ord[base..]. Returns how many distinct calls, or SIZE_MAX when out of
 * memory.
 */
static size_t sum_bucket(summer *sm, const unsigned char *r, const unsigned char *end, size_t base)
{
	const cg *c = sm->c;
	size_t w = 0, nt = c->nt, stride = c->stride;
	/* Room at the start for as many calls as the bucket may hold (a
	 * varint takes a byte at least), up to a bound: grown call by call,
	 * a caller of thousands of calls would be copied again and again. */
	size_t room = (size_t)(end - r) / (nt + 3) + 1;
	if (room > 65536)
		room = 65536;
	if (!sum_reserve(sm, base, 0, room))
		return SIZE_MAX;
	unsigned char *full = sm->full + base * stride;
	while (r < end) {
		if (w == room) {
			room *= 2;
			if (!sum_reserve(sm, base, w, room))
				return SIZE_MAX;
			full = sm->full + base * stride;
		}
		erec *e = (erec *)(full + w * stride);
		int64_t *ev = (int64_t *)(e + 1);
		uint64_t u;
		r = varint_get(r, &u);
		e->callee = (uint32_t)u;
		r = varint_get(r, &u);
		e->line = unzigzag(u);
		for (size_t t = 0; t < nt; t++) {
			r = varint_get(r, &u);
			ev[t] = unzigzag(u);
		}
		r = varint_get(r, &u);
		ev[nt] = (int64_t)u;
		if (c->unique) {
			w++;
			continue;
		}
		size_t s = bidx_slot(e, sm->bmask);
		for (;; s = (s + 1) & sm->bmask) {
			if (!sm->bidx[s]) {
				sm->bused[w] = (uint32_t)s;
				sm->bidx[s] = (uint32_t)++w;
				break;
			}
			erec *d = (erec *)(full + (sm->bidx[s] - 1) * stride);
			if (d->line == e->line && d->callee == e->callee) {
				int64_t *dv = (int64_t *)(d + 1);
				for (size_t t = 0; t < c->nw; t++)
					dv[t] = wadd(dv[t], ev[t]);
				break;
			}
		}
	}
	/* The table is empty again for the next caller: its used slots
	 * cleared, not all of it (it keeps the size of the largest). */
	for (size_t i = 0; i < w && !c->unique; i++)
		sm->bidx[sm->bused[i]] = 0;
	if (!w)
		return 0;
	if (!vec_reserve(&sm->wb, (void **)&sm->keys, &sm->cap_keys, w + 1, sizeof(rkey)) ||
	    !vec_reserve(&sm->wb, (void **)&sm->ktmp, &sm->cap_ktmp, w + 1, sizeof(rkey)) ||
	    !vec_reserve(&sm->wb, (void **)&sm->ord, &sm->cap_ord, base + w + 1, sizeof(uint32_t)))
		return SIZE_MAX;
	/* The order: by (line, callee) as one 64-bit key when every line
	 * fits in 32 bits (always, in real profiles), else by comparisons. */
	uint32_t *ord = sm->ord + base;
	bool keyed = true;
	for (size_t i = 0; i < w && keyed; i++) {
		const erec *e = (const erec *)(full + i * stride);
		keyed = e->line >= 0 && e->line <= UINT32_MAX;
		sm->keys[i] = (rkey){ (uint64_t)e->line << 32 | e->callee, (uint32_t)(base + i) };
	}
	if (keyed) {
		sort_rkeys(sm->keys, w, sm->ktmp);
		for (size_t i = 0; i < w; i++)
			ord[i] = sm->keys[i].idx;
	} else {
		for (size_t i = 0; i < w; i++)
			ord[i] = (uint32_t)(base + i);
		if (!sort_ctx(&sm->wb, ord, w, sizeof(uint32_t), cmp_rec_at, sm))
			return SIZE_MAX;
	}
	return w;
}

/* Sums the batch's callers, one after the other. */
static bool sum_batch(summer *sm)
{
	size_t n = sm->b - sm->a, at = sm->at, base = 0;
	if (!vec_reserve(&sm->wb, (void **)&sm->start, &sm->cap_start, n + 1, sizeof(size_t)))
		return false;
	sm->start[0] = 0;
	for (uint32_t fn = sm->a; fn < sm->b; fn++) {
		size_t w = sum_bucket(sm, sm->c->recs + at, sm->c->recs + at + sm->bytes[fn], base);
		if (w == SIZE_MAX)
			return false;
		at += sm->bytes[fn];
		base += w;
		sm->start[fn - sm->a + 1] = base;
	}
	return true;
}

static void *sum_thread(void *arg)
{
	summer *sm = arg;
	sm->ok = sum_batch(sm);
	return NULL;
}

static bool summer_init(summer *sm, const cg *c, const uint64_t *bytes)
{
	*sm = (summer){ .c = c, .bytes = bytes, .bmask = 63, .ok = true };
	sm->wb.limit = (c->b->limit - c->b->used) / 4;
	sm->bidx = budget_alloc(&sm->wb, (sm->bmask + 1) * sizeof(uint32_t));
	if (!sm->bidx)
		return false;
	memset(sm->bidx, 0, (sm->bmask + 1) * sizeof(uint32_t));
	return true;
}

static void summer_free(summer *sm)
{
	budget_free(&sm->wb, sm->bidx);
	budget_free(&sm->wb, sm->bused);
	budget_free(&sm->wb, sm->full);
	budget_free(&sm->wb, sm->keys);
	budget_free(&sm->wb, sm->ktmp);
	budget_free(&sm->wb, sm->ord);
	budget_free(&sm->wb, sm->start);
}

/* " v1 v2 ..." for costs t..t+k-1: room for 21 bytes each. */
static inline char *fmt_costs(char *p, const int64_t *v, const size_t *order, size_t t, size_t k)
{
	for (; k; k--, t++) {
		*p++ = ' ';
		p = fmt_i64(p, v[order[t]]);
	}
	return p;
}

/* " cost" for each sample type in `order`, then the line's end. Numbers
 * are most of a large file: formatted in place, 21 bytes of room a cost,
 * a thousand at a time. */
static void put_costs(out *o, const int64_t *v, const size_t *order, size_t nt)
{
	for (size_t t = 0; t < nt;) {
		size_t k = nt - t < 1024 ? nt - t : 1024;
		out_done(o, fmt_costs(out_room(o, 21 * k), v, order, t, k));
		t += k;
	}
	out_char(o, '\n');
}

/* "key(id)": room for 4 + 12 bytes. */
static inline char *fmt_ref(char *p, const char *key, size_t keylen, uint32_t id)
{
	memcpy(p, key, keylen);
	p[keylen] = '(';
	p = fmt_u64(p + keylen + 1, (uint64_t)id + 1);
	*p++ = ')';
	return p;
}

/* "(id) name" the first time, "(id)" after: each id is defined once. */
#define put_name(o, key, id, defined, name) \
	put_name_((o), (key), sizeof(key) - 1, id, defined, name)
static void put_name_(out *o, const char *key, size_t keylen, uint32_t id, bool *defined,
		      const pstr *name)
{
	/* a key of at most 4 bytes, "(id)" at most 12, and a space */
	char *p = fmt_ref(out_room(o, 17), key, keylen, id);
	if (!defined[id]) {
		defined[id] = true;
		*p++ = ' ';
		out_done(o, p);
		out_name_escaped(o, name->s, name->len);
		out_char(o, '\n');
		return;
	}
	*p++ = '\n';
	out_done(o, p);
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
	budget_free(c->b, c->files);
	budget_free(c->b, c->fns);
	budget_free(c->b, c->selfs);
	budget_free(c->b, c->self_costs);
	budget_free(c->b, c->func_cg);
	budget_free(c->b, c->str_file);
	budget_free(c->b, c->node_cg);
	budget_free(c->b, c->node_fn);
	budget_free(c->b, c->fn_more);
	budget_free(c->b, c->frame_cg);
	budget_free(c->b, c->loc_one);
	budget_free(c->b, c->multi);
	budget_free(c->b, c->order);
	budget_free(c->b, c->lcp);
	budget_free(c->b, c->slen);
	budget_free(c->b, c->sfx);
	budget_free(c->b, c->sval);
	budget_free(c->b, c->split_sval);
	budget_free(c->b, c->recs);
	budget_free_each(c->b, c->ev, c->self_idx, c->fl_def, c->fn_def);
	frames_finish(&c->f);
}

/* The callers from lo (before end) whose records fill at most `cap` (at
 * least one): a range for a walk, or a batch for a summer. */
static uint32_t span_end(const uint64_t *bytes, uint32_t lo, size_t end, size_t cap, size_t *ret_n)
{
	size_t n = bytes[lo];
	uint32_t hi = lo + 1;
	while (hi < end && n + bytes[hi] <= cap)
		n += bytes[hi++];
	*ret_n = n;
	return hi;
}

/* A call's lines: the callee (and its file when it is in another: after
 * each call KCachegrind resets the callee's file to the caller's), the
 * samples through the call and the callee's first line, then the
 * caller's line and the call's inclusive costs. Formatted in place: the
 * calls are most of a large file, and written piece by piece through
 * out_write they would cost more than summing them. */
static void put_call(const cg *c, out *o, const cgfn *F, const erec *e, const size_t *ev,
		     bool *fl_def, bool *fn_def)
{
	const cgfn *T = &c->fns[e->callee];
	const int64_t *v = (const int64_t *)(e + 1);
	uint64_t calls = (uint64_t)v[c->nt];
	bool cfi = T->file != F->file;
	/* Names met before (almost every call) go in the room below with
	 * the numbers; a name's first time, of any length, goes before. So
	 * do up to four costs: one room for the whole call, 17 + 17 + 68 +
	 * 21 * 4 + 1 bytes at most, so one check for room a call, not one a
	 * piece, in the phase that bounds a large file's writing. */
	bool known = (!cfi || fl_def[T->file]) && fn_def[e->callee];
	if (!known) {
		if (cfi)
			put_name(o, "cfi=", T->file, fl_def, &c->files[T->file]);
		put_name(o, "cfn=", e->callee, fn_def, &c->f.nodes[T->node].name);
	}
	size_t nc = c->nt <= 4 ? c->nt : 0;
	char *p = out_room(o, 187);
	if (known) {
		if (cfi) {
			p = fmt_ref(p, "cfi=", 4, T->file);
			*p++ = '\n';
		}
		p = fmt_ref(p, "cfn=", 4, e->callee);
		*p++ = '\n';
	}
	memcpy(p, "calls=", 6);
	p = fmt_u64(p + 6, calls ? calls : 1);
	*p++ = ' ';
	p = fmt_u64(p, T->start_line > 0 ? (uint64_t)T->start_line : 0);
	*p++ = '\n';
	p = fmt_costs(fmt_i64(p, e->line), v, ev, 0, nc);
	if (nc == c->nt) {
		*p++ = '\n';
		out_done(o, p);
	} else {
		out_done(o, p);
		put_costs(o, v, ev, c->nt);
	}
}

/* The calls are written in output order, their records lie in the order
 * they were summed: the record 4 calls ahead is asked for, so that writing
 * a call does not wait for its record. */
static inline ALWAYS_INLINE void prefetch_record(const cg *c, const unsigned char *full,
						 const uint32_t *ord, size_t i, size_t n)
{
	if (i + 4 < n)
		__builtin_prefetch(full + (size_t)ord[i + 4] * c->stride);
}

/* Function fn's part: its name, self costs, then its n summed calls. */
static void put_fn(cg *c, out *o, uint32_t fn, const unsigned char *full, const uint32_t *ord,
		   size_t n)
{
	size_t nt = c->nt;
	const cgfn *F = &c->fns[fn];
	put_name(o, "fl=", F->file, c->fl_def, &c->files[F->file]);
	put_name(o, "fn=", fn, c->fn_def, &c->f.nodes[F->node].name);
	for (; c->si < c->nself && c->selfs[c->self_idx[c->si]].fn == fn; c->si++) {
		out_i64(o, c->selfs[c->self_idx[c->si]].line);
		put_costs(o, c->self_costs + (size_t)c->self_idx[c->si] * nt, c->ev, nt);
	}
	for (size_t i = 0; i < n; i++) {
		prefetch_record(c, full, ord, i, n);
		put_call(c, o, F, (const erec *)(full + (size_t)ord[i] * c->stride), c->ev,
			 c->fl_def, c->fn_def);
	}
	out_char(o, '\n');
}

/* The writer's state beside cg: the walkers, the small profile's table of
 * calls, the two summers, and what each caller's records take. */
typedef struct cgjob {
	cg c;
	writer *w;
	walker wk[2];
	etable et;
	summer sm[2];
	uint64_t *per_caller; /* bytes of each caller's records */
	int64_t *totals;      /* per sample type */
	size_t nwalk;
	bool small;
} cgjob;

/* The events' order (the selected sample type first) and totals, and room
 * for the stacks' order. */
static bool events(cgjob *j)
{
	cg *c = &j->c;
	const pprofc_profile *p = c->p;
	size_t nt = c->nt;
	c->ev = budget_alloc(c->b, nt * sizeof(size_t));
	j->totals = budget_alloc(c->b, nt * sizeof(int64_t));
	c->order = budget_alloc(c->b, (p->nstacks + 1) * sizeof(uint32_t));
	c->lcp = budget_alloc(c->b, (p->nstacks + 1) * sizeof(uint32_t));
	if (!c->ev || !j->totals || !c->order || !c->lcp)
		return false;
	c->ev[0] = j->w->index;
	for (size_t t = 0, k = 1; t < nt; t++)
		if (t != j->w->index)
			c->ev[k++] = t;
	memset(j->totals, 0, nt * sizeof(int64_t));
	for (size_t i = 0; i < p->nsamples; i++)
		for (size_t t = 0; t < nt; t++)
			j->totals[t] = wadd(j->totals[t], p->values[i * nt + t]);
	return true;
}

/*
 * The walk visits the stacks that have frames and samples, sorted root
 * first (samples with no stack are self cost of their own). The sort
 * needs only the stacks, so it runs on a second core while the frames are
 * built and numbered (prep_thread); the stacks whose samples are all zero
 * leave after.
 */
static pprofc_status sort_and_number(cg *c)
{
	pprofc_profile *p = c->p;
	budget *b = c->b;
	for (uint32_t s = 0; s < p->nstacks; s++)
		if (p->stack_off[s + 1] > p->stack_off[s])
			c->order[c->norder++] = s;
	sort_job sj = { p, { 0, (b->limit - b->used) / 2 }, c->order, c->lcp, c->norder, false };
	prep_job pj = { c, PPROFC_OK };
	run_both(prep_thread, &pj, sort_thread, &sj);
	if (pj.st != PPROFC_OK)
		return pj.st;
	if (!sj.ok)
		return PPROFC_ERR_NOMEM;
	drop_zero_stacks(c);
	return PPROFC_OK;
}

/*
 * How the calls are summed. A walk meets at most one new pair per frame of
 * every stack: when even that many fit, as table cells and packed at their
 * longest (so in one range of callers), one walk sums them all in a table
 * (small). Else a large profile's walks go in two halves, on two threads.
 * A small profile's table is cleared on the second core while the stacks
 * are laid out on this one, so that its pages fault in there.
 */
static bool plan_walks(cgjob *j)
{
	cg *c = &j->c;
	size_t nt = c->nt, nfn = c->nfns;
	c->nw = nt + 1;
	c->stride = sizeof(erec) + c->nw * sizeof(int64_t);
	size_t longest = 5 + 10 + 10 * nt + 10;
	j->small = c->f.total_frames * (longest > c->stride ? longest : c->stride) <=
		   lib_tuning.callgrind_record_bytes;
	j->per_caller = budget_alloc(c->b, (nfn + 1) * sizeof(uint64_t));
	if (!j->per_caller)
		return false;
	memset(j->per_caller, 0, (nfn + 1) * sizeof(uint64_t));
	j->nwalk =
		!j->small && c->norder >= 2 && c->norder >= lib_tuning.callgrind_split_min ? 2 : 1;
	c->split = j->nwalk > 1 ? c->norder / 2 : 0;
	c->unique = j->small && j->nwalk == 1;
	if (c->split)
		c->lcp[c->split] = 0; /* the second walker enters at the root */
	if (j->small) {
		/* about two calls per function is common: room for them at
		 * the start saves the table's regrowth */
		size_t slots = 1024;
		while (slots * 3 < 8 * (size_t)nfn)
			slots *= 2;
		j->et.cell = sizeof(ecell) + c->nw * sizeof(int64_t);
		if (!et_reserve(&j->et, slots))
			return false;
	}
	lay_out_job lj = { c, false };
	run_both(lay_out_thread, &lj, et_clear, j->small ? &j->et : NULL);
	if (!lj.ok)
		return false;
	for (size_t k = 0; k < j->nwalk; k++)
		if (!walker_init(c, &j->wk[k], k ? c->split : 0,
				 k + 1 < j->nwalk ? c->split : c->norder))
			return false;
	return true;
}

/* The self costs' output order, and which names are defined yet. */
static bool prepare_output(cg *c)
{
	c->nself = c->self_map.n;
	c->self_idx = budget_alloc(c->b, (c->nself + 1) * sizeof(uint32_t));
	c->fl_def = budget_alloc(c->b, c->nfiles + 1);
	c->fn_def = budget_alloc(c->b, c->nfns + 1);
	if (!c->self_idx || !c->fl_def || !c->fn_def ||
	    !order_selfs(c, c->self_idx, c->nself, c->nfns))
		return false;
	memset(c->fl_def, 0, c->nfiles + 1);
	memset(c->fn_def, 0, c->nfns + 1);
	return true;
}

/*
 * The first walk. Small: it sums the calls in the table, and each caller's
 * bytes are counted from there; else it counts each caller's bytes, and
 * one walk per range of callers fills their buckets later (write_range).
 */
static bool count_calls(cgjob *j)
{
	cg *c = &j->c;
	size_t nfn = c->nfns;
	for (size_t k = 0; k < j->nwalk; k++) {
		j->wk[k].per_caller = budget_alloc(c->b, (nfn + 1) * sizeof(uint64_t));
		if (!j->wk[k].per_caller)
			return false;
		memset(j->wk[k].per_caller, 0, (nfn + 1) * sizeof(uint64_t));
		j->wk[k].counting = !j->small;
	}
	if (j->small)
		j->wk[0].et = &j->et;
	if (!walk_all(j->wk, j->nwalk))
		return false;
	if (j->small)
		count_table(&j->wk[0]);
	for (size_t k = 0; k < j->nwalk; k++) {
		j->wk[k].counting = false;
		for (size_t f = 0; f < nfn; f++)
			j->per_caller[f] += j->wk[k].per_caller[f];
	}
	return summer_init(&j->sm[0], c, j->per_caller) && summer_init(&j->sm[1], c, j->per_caller);
}

/*
 * Callers lo..hi-1 written in batches: the next batch summed on a second
 * thread while this one is written, so that summing hides behind writing.
 * The first is summed before anything is written, so the batches start
 * small and double.
 */
static bool write_batches(cgjob *j, uint32_t lo, uint32_t hi)
{
	cg *c = &j->c;
	out *o = j->w->o;
	summer *cur = &j->sm[0], *next = &j->sm[1];
	size_t batch, bcap = lib_tuning.callgrind_batch_bytes / 16;
	cur->a = lo;
	cur->b = span_end(j->per_caller, lo, hi, bcap, &batch);
	cur->at = 0;
	bool ok = sum_batch(cur);
	while (ok && cur->a < hi && !o->failed) {
		next->at = cur->at + batch;
		next->a = cur->b;
		bcap = bcap < lib_tuning.callgrind_batch_bytes / 2
			       ? bcap * 2
			       : lib_tuning.callgrind_batch_bytes;
		next->b = next->a < hi ? span_end(j->per_caller, next->a, hi, bcap, &batch) : hi;
		pthread_t t;
		bool more = next->a < hi;
		bool threaded = more && thread_start(&t, sum_thread, next);
		for (uint32_t fn = cur->a; fn < cur->b && !o->failed; fn++) {
			size_t from = cur->start[fn - cur->a];
			size_t n = cur->start[fn - cur->a + 1] - from;
			/* ord may be NULL while nothing has needed it */
			put_fn(c, o, fn, cur->full, n ? cur->ord + from : NULL, n);
		}
		if (threaded)
			pthread_join(t, NULL);
		else if (more)
			next->ok = sum_batch(next);
		ok = !more || next->ok;
		summer *x = cur;
		cur = next;
		next = x;
	}
	return ok;
}

/* Callers lo..hi-1, whose records take nrec bytes: their buckets filled
 * (from the table, or by a walk), each the first walker's records then the
 * second's, then summed and written. */
static bool write_range(cgjob *j, uint32_t lo, uint32_t hi, size_t nrec)
{
	cg *c = &j->c;
	c->lo = lo;
	c->hi = hi;
	c->recs = budget_alloc(c->b, nrec + 1);
	if (!c->recs)
		return false;
	for (size_t k = 0; k < j->nwalk; k++) {
		budget_free(c->b, j->wk[k].fill);
		j->wk[k].fill = budget_alloc(c->b, (hi - lo + 1) * sizeof(size_t));
		if (!j->wk[k].fill)
			return false;
	}
	for (size_t f = lo, at = 0; f < hi; at += j->per_caller[f++])
		for (size_t k = 0, to = at; k < j->nwalk; k++) {
			j->wk[k].fill[f - lo] = to;
			to += j->wk[k].per_caller[f];
		}
	if (j->small)
		pack_table(&j->wk[0]);
	else if (!walk_all(j->wk, j->nwalk))
		return false;
	bool ok = write_batches(j, lo, hi);
	budget_free(c->b, c->recs);
	c->recs = NULL;
	return ok;
}

/* The file: the header, each range of callers whose records fit in
 * lib_tuning.callgrind_record_bytes, the totals. */
static bool write_file(cgjob *j, const char *cmd)
{
	cg *c = &j->c;
	out *o = j->w->o;
	put_header(o, c->p, cmd, c->ev, c->nt, j->totals);
	for (uint32_t lo = 0, hi; lo < c->nfns && !o->failed; lo = hi) {
		size_t nrec = 0;
		hi = span_end(j->per_caller, lo, c->nfns, lib_tuning.callgrind_record_bytes, &nrec);
		if (!write_range(j, lo, hi, nrec))
			return false;
	}
	out_str(o, "totals:");
	put_costs(o, j->totals, c->ev, c->nt);
	return true;
}

static pprofc_status write_callgrind(writer *w, const void *cmd)
{
	pprofc_profile *p = w->p;
	cgjob j = { .c = { .p = p, .b = &p->mem, .nt = p->nsample_types }, .w = w };
	pprofc_status st;
	for (size_t k = 0; k < 2; k++) {
		j.wk[k].c = &j.c;
		j.sm[k].c = &j.c;
	}
	j.et.b = &p->mem;
	if (!events(&j))
		st = PPROFC_ERR_NOMEM;
	else
		st = sort_and_number(&j.c);
	if (st == PPROFC_OK &&
	    (!plan_walks(&j) || !prepare_output(&j.c) || !count_calls(&j) || !write_file(&j, cmd)))
		st = PPROFC_ERR_NOMEM;
	if (st == PPROFC_ERR_NOMEM)
		st = writer_nomem(w);
	for (size_t k = 0; k < 2; k++) {
		walker_free(&j.c, &j.wk[k]);
		summer_free(&j.sm[k]);
	}
	budget_free_each(j.c.b, j.et.cells, j.per_caller, j.totals);
	cg_free(&j.c);
	return st;
}

pprofc_status pprofc_write_callgrind(pprofc_profile *p, const pprofc_callgrind_options *opt,
				     const pprofc_sink *sink)
{
	WRITER_OPTIONS(pprofc_callgrind_options, o, p, opt);
	return writer_run(p, o.sample_index, WRITER_INDEX, "the callgrind output", sink,
			  write_callgrind, o.cmd);
}
