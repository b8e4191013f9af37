/*
 * model: after decode.c has filled the raw tables, resolve and check them
 * (every invariant google/pprof's reader enforces), build dense id -> index
 * maps, and intern each sample's stack of location indices once. Writers
 * only ever see indices, never raw ids.
 */
#include <string.h>

#include "load/load.h"

/* ---- id maps ---------------------------------------------------------- */

static void idmap_free(budget *b, idmap *m)
{
	budget_free(b, m->dense);
	budget_free(b, m->keys);
	budget_free(b, m->vals);
	memset(m, 0, sizeof(*m));
}

void model_free_maps(pprofc_profile *p)
{
	idmap_free(&p->mem, &p->loc_ids);
	idmap_free(&p->mem, &p->func_ids);
	idmap_free(&p->mem, &p->map_ids);
}

static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

static inline uint32_t idmap_get(const idmap *m, uint64_t id)
{
	if (m->dense)
		return id < m->dense_len && m->dense[id] ? m->dense[id] - 1 : NONE;
	if (!m->keys)
		return NONE;
	for (size_t s = mix64(id) & m->mask;; s = (s + 1) & m->mask) {
		if (!m->vals[s])
			return NONE;
		if (m->keys[s] == id)
			return m->vals[s] - 1;
	}
}

/*
 * Builds the map for `n` records whose ids are at `ids` with `stride` bytes
 * between them, rejecting id 0 and duplicates as google/pprof does.
 */
static pprofc_status idmap_build(pprofc_profile *p, idmap *m, const void *ids, size_t n,
				 size_t stride, const char *what)
{
	if (n > UINT32_MAX - 1)
		return set_error(p, PPROFC_ERR_LIMIT, "too many %ss (%zu)", what, n);
	uint64_t maxid = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t id;
		memcpy(&id, (const char *)ids + i * stride, sizeof(id));
		if (id == 0)
			return set_error(p, PPROFC_ERR_INVALID,
					 "%s entry %zu has the reserved id 0", what, i);
		if (id > maxid)
			maxid = id;
	}
	if (maxid < 4 * (uint64_t)n + 1024) {
		m->dense_len = (size_t)maxid + 1;
		m->dense = budget_alloc(&p->mem, m->dense_len * sizeof(uint32_t));
		if (!m->dense)
			return set_error(p, PPROFC_ERR_NOMEM, "out of memory for %s ids", what);
		memset(m->dense, 0, m->dense_len * sizeof(uint32_t));
	} else {
		size_t slots = 16;
		while (slots < 2 * n)
			slots *= 2;
		m->mask = slots - 1;
		m->keys = budget_alloc(&p->mem, slots * sizeof(uint64_t));
		m->vals = budget_alloc(&p->mem, slots * sizeof(uint32_t));
		if (!m->keys || !m->vals)
			return set_error(p, PPROFC_ERR_NOMEM, "out of memory for %s ids", what);
		memset(m->vals, 0, slots * sizeof(uint32_t));
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t id;
		memcpy(&id, (const char *)ids + i * stride, sizeof(id));
		if (idmap_get(m, id) != NONE)
			return set_error(p, PPROFC_ERR_INVALID, "duplicate %s id %llu", what,
					 (unsigned long long)id);
		if (m->dense) {
			m->dense[id] = (uint32_t)i + 1;
			continue;
		}
		size_t s = mix64(id) & m->mask;
		while (m->vals[s])
			s = (s + 1) & m->mask;
		m->keys[s] = id;
		m->vals[s] = (uint32_t)i + 1;
	}
	return PPROFC_OK;
}

uint32_t model_location_index(const pprofc_profile *p, uint64_t id)
{
	return idmap_get(&p->loc_ids, id);
}

/* ---- strings ---------------------------------------------------------- */

static const pstr empty_str = { "", 0 };

const pstr *model_str(const pprofc_profile *p, int64_t idx)
{
	if (idx < 0 || (uint64_t)idx >= p->nstrings || !p->strings)
		return &empty_str;
	return &p->strings[idx];
}

bool model_check_str(pprofc_profile *p, int64_t idx, const char *what, uint64_t id)
{
	if (idx >= 0 && (uint64_t)idx < p->nstrings)
		return true;
	set_error(p, PPROFC_ERR_INVALID,
		  "string index %lld of %s %llu is out of range (%zu strings)", (long long)idx,
		  what, (unsigned long long)id, p->nstrings);
	return false;
}

/* Copies the string table out of the decompressed buffer (which is freed
 * after the samples are decoded) into one block of NUL-terminated strings. */
static pprofc_status resolve_strings(pprofc_profile *p)
{
	if (p->nstrings == 0)
		return set_error(p, PPROFC_ERR_INVALID,
				 "the string table is empty (entry 0 must be \"\")");
	if (p->strspans[0].len != 0)
		return set_error(p, PPROFC_ERR_INVALID, "string_table[0] is not the empty string");
	size_t total = 0;
	for (size_t i = 0; i < p->nstrings; i++)
		total += p->strspans[i].len + 1;
	p->strdata = budget_alloc(&p->mem, total);
	p->strings = budget_alloc(&p->mem, p->nstrings * sizeof(pstr));
	if (!p->strdata || !p->strings)
		return set_error(p, PPROFC_ERR_NOMEM, "out of memory for the string table");
	p->strdata_len = total;
	char *w = p->strdata;
	for (size_t i = 0; i < p->nstrings; i++) {
		const span *sp = &p->strspans[i];
		memcpy(w, p->buf + sp->off, sp->len);
		w[sp->len] = '\0';
		p->strings[i].s = w;
		p->strings[i].len = (uint32_t)sp->len;
		w += sp->len + 1;
	}
	budget_free(&p->mem, p->strspans);
	p->strspans = NULL;
	p->cap_strings = 0;
	return PPROFC_OK;
}

/* ---- resolution and validation ---------------------------------------- */

#define CHECK_STR(idx, what, id)                              \
	do {                                                  \
		if (!model_check_str(p, (idx), (what), (id))) \
			return PPROFC_ERR_INVALID;            \
	} while (0)

pprofc_status model_resolve(pprofc_profile *p)
{
	pprofc_status st = resolve_strings(p);
	if (st != PPROFC_OK)
		return st;

	if (p->nsample_types == 0 && p->nsamples != 0)
		return set_error(p, PPROFC_ERR_INVALID,
				 "the profile has samples but no sample types");
	for (size_t i = 0; i < p->nsample_types; i++) {
		CHECK_STR(p->sample_types[i].type, "sample type", i);
		CHECK_STR(p->sample_types[i].unit, "sample type", i);
	}
	CHECK_STR(p->period_type.type, "period type", 0);
	CHECK_STR(p->period_type.unit, "period type", 0);
	CHECK_STR(p->drop_frames, "drop_frames", 0);
	CHECK_STR(p->keep_frames, "keep_frames", 0);
	CHECK_STR(p->default_sample_type, "default_sample_type", 0);
	CHECK_STR(p->doc_url, "doc_url", 0);
	for (size_t i = 0; i < p->ncomments; i++)
		CHECK_STR(p->comments[i], "comment", i);

	/* (no &arr[0] on an empty, NULL array: that is undefined behaviour) */
	if (p->nmappings)
		st = idmap_build(p, &p->map_ids, &p->mappings[0].id, p->nmappings, sizeof(mapping),
				 "mapping");
	if (st == PPROFC_OK && p->nfunctions)
		st = idmap_build(p, &p->func_ids, &p->functions[0].id, p->nfunctions,
				 sizeof(function), "function");
	if (st == PPROFC_OK && p->nlocations)
		st = idmap_build(p, &p->loc_ids, &p->locations[0].id, p->nlocations,
				 sizeof(location), "location");
	if (st != PPROFC_OK)
		return st;

	for (size_t i = 0; i < p->nmappings; i++) {
		CHECK_STR(p->mappings[i].filename, "mapping", p->mappings[i].id);
		CHECK_STR(p->mappings[i].build_id, "mapping", p->mappings[i].id);
	}
	for (size_t i = 0; i < p->nfunctions; i++) {
		const function *f = &p->functions[i];
		CHECK_STR(f->name, "function", f->id);
		CHECK_STR(f->system_name, "function", f->id);
		CHECK_STR(f->filename, "function", f->id);
	}
	for (size_t i = 0; i < p->nlocations; i++) {
		location *l = &p->locations[i];
		/* An unknown mapping id is tolerated, as google/pprof does:
		 * the location just has no mapping. */
		if (l->mapping_id)
			l->mapping = idmap_get(&p->map_ids, l->mapping_id);
		for (uint32_t k = 0; k < l->nlines; k++) {
			line *ln = &p->lines[l->line_off + k];
			if (ln->function_id == 0)
				return set_error(p, PPROFC_ERR_INVALID,
						 "location id %llu has a line with function id 0",
						 (unsigned long long)l->id);
			ln->function = idmap_get(&p->func_ids, ln->function_id);
			if (ln->function == NONE)
				return set_error(
					p, PPROFC_ERR_INVALID,
					"function id %llu in location id %llu does not exist",
					(unsigned long long)ln->function_id,
					(unsigned long long)l->id);
		}
	}
	return PPROFC_OK;
}

/* ---- stacks ----------------------------------------------------------- */

/*
 * Stacks are interned in an open-addressing table whose slots hold the
 * stack's hash next to its id, (hash << 32) | (id + 1), 0 for empty: a
 * probe reads one slot, not the slot and then the stack, and growing
 * rehashes from the table alone. On a million distinct stacks the table
 * is far larger than the cache, so each extra read is a miss.
 */
static inline uint32_t stack_hash(const uint32_t *locs, size_t n)
{
	return (uint32_t)hash_bytes(locs, n * sizeof(*locs), 0x5eed);
}

static void stack_table_put_all(uint64_t *t, size_t mask, const uint64_t *old, size_t old_slots)
{
	for (size_t i = 0; i < old_slots; i++) {
		uint64_t e = old[i];
		if (!e)
			continue;
		size_t j = (e >> 32) & mask;
		while (t[j])
			j = (j + 1) & mask;
		t[j] = e;
	}
}

static bool stack_table_grow(pprofc_profile *p)
{
	size_t old_slots = p->stack_table ? p->stack_mask + 1 : 0;
	size_t slots = old_slots ? old_slots * 2 : 1024;
	uint64_t *t = budget_alloc(&p->mem, slots * sizeof(uint64_t));
	if (!t)
		return false;
	memset(t, 0, slots * sizeof(uint64_t));
	stack_table_put_all(t, slots - 1, p->stack_table, old_slots);
	budget_free(&p->mem, p->stack_table);
	p->stack_table = t;
	p->stack_mask = slots - 1;
	return true;
}

/* Stacks lo..hi-1 from location ids to indices, up to the first unknown
 * id. */
typedef struct map_part {
	pprofc_profile *p;
	size_t lo, hi;
	uint32_t bad_stack;
	uint64_t bad_id;
} map_part;

static void *map_part_run(void *arg)
{
	map_part *m = arg;
	pprofc_profile *p = m->p;
	m->bad_stack = NONE;
	for (size_t s = m->lo; s < m->hi; s++)
		for (uint32_t j = p->stack_off[s]; j < p->stack_off[s + 1]; j++) {
			uint32_t li = idmap_get(&p->loc_ids, p->stack_locs[j]);
			if (li == NONE) {
				m->bad_stack = (uint32_t)s;
				m->bad_id = p->stack_locs[j];
				return NULL;
			}
			p->stack_locs[j] = li;
		}
	return NULL;
}

pprofc_status model_map_stacks(pprofc_profile *p, uint32_t *ret_bad_stack, uint64_t *ret_bad_id)
{
	/* Ids map one to one onto indices, so stacks that were distinct as
	 * ids stay distinct: only the hashes change. The halves split the
	 * locations, not the stacks; the first unknown id is the first
	 * half's if it has one. */
	size_t mid = p->nstacks;
	if (p->nstack_locs >= lib_tuning.map_stacks_split_min) {
		size_t lo = 0, hi = p->nstacks;
		while (lo < hi) { /* the first stack starting past the middle */
			size_t m = lo + (hi - lo) / 2;
			if (p->stack_off[m] < p->nstack_locs / 2)
				lo = m + 1;
			else
				hi = m;
		}
		mid = lo;
	}
	map_part part[2] = { { p, 0, mid, NONE, 0 }, { p, mid, p->nstacks, NONE, 0 } };
	run_both(map_part_run, &part[0], map_part_run, mid < p->nstacks ? &part[1] : NULL);
	const map_part *bad = part[0].bad_stack != NONE ? &part[0] : &part[1];
	*ret_bad_stack = bad->bad_stack;
	if (bad->bad_stack != NONE) {
		*ret_bad_id = bad->bad_id;
		return PPROFC_OK;
	}
	if (!p->nsamples_late || !p->stack_table)
		return PPROFC_OK; /* no more lookups: the table is not needed */
	size_t mask = p->stack_mask;
	memset(p->stack_table, 0, (mask + 1) * sizeof(uint64_t));
	for (size_t s = 0; s < p->nstacks; s++) {
		uint32_t off = p->stack_off[s];
		uint64_t h = stack_hash(p->stack_locs + off, p->stack_off[s + 1] - off);
		size_t j = h & mask;
		while (p->stack_table[j])
			j = (j + 1) & mask;
		p->stack_table[j] = h << 32 | (s + 1);
	}
	return PPROFC_OK;
}

uint32_t model_stack_hash(const pprofc_profile *p, const uint32_t *locs, size_t n)
{
	uint32_t h = stack_hash(locs, n);
	if (p->stack_table)
		__builtin_prefetch(&p->stack_table[h & p->stack_mask]);
	return h;
}

pprofc_status model_intern_stack(pprofc_profile *p, const uint32_t *locs, size_t n,
				 uint32_t *ret_stack)
{
	return model_intern_hashed(p, locs, n, stack_hash(locs, n), ret_stack);
}

pprofc_status model_intern_hashed(pprofc_profile *p, const uint32_t *locs, size_t n, uint32_t h,
				  uint32_t *ret_stack)
{
	if ((p->nstacks + 1) * 2 > (p->stack_table ? p->stack_mask + 1 : 0) && !stack_table_grow(p))
		return set_error(p, PPROFC_ERR_NOMEM, "out of memory for stacks");
	size_t i = h & p->stack_mask;
	for (;; i = (i + 1) & p->stack_mask) {
		uint64_t e = p->stack_table[i];
		if (!e)
			break;
		if ((uint32_t)(e >> 32) != h)
			continue;
		uint32_t sid = (uint32_t)e - 1;
		uint32_t off = p->stack_off[sid], len = p->stack_off[sid + 1] - off;
		if (len == n && !memcmp(p->stack_locs + off, locs, n * sizeof(*locs))) {
			*ret_stack = sid;
			return PPROFC_OK;
		}
	}
	if (p->nstack_locs + n > UINT32_MAX - 1 || p->nstacks >= UINT32_MAX - 2)
		return set_error(p, PPROFC_ERR_LIMIT, "too many distinct stacks");
	/* +1: never a NULL array, even for an empty first stack */
	if (!vec_reserve(&p->mem, (void **)&p->stack_locs, &p->cap_stack_locs,
			 p->nstack_locs + n + 1, sizeof(uint32_t)) ||
	    !vec_reserve(&p->mem, (void **)&p->stack_off, &p->cap_stack_off, p->nstacks + 2,
			 sizeof(uint32_t)))
		return set_error(p, PPROFC_ERR_NOMEM, "out of memory for stacks");
	if (p->nstacks == 0)
		p->stack_off[0] = 0;
	memcpy(p->stack_locs + p->nstack_locs, locs, n * sizeof(*locs));
	p->nstack_locs += n;
	uint32_t sid = (uint32_t)p->nstacks++;
	p->stack_off[sid + 1] = (uint32_t)p->nstack_locs;
	p->stack_table[i] = (uint64_t)h << 32 | (sid + 1);
	*ret_stack = sid;
	return PPROFC_OK;
}

/* Frees what only loading needed: the decompressed buffer, the sample
 * spans, the id maps and the stack hash table. */
pprofc_status model_finish_samples(pprofc_profile *p)
{
	budget_free(&p->mem, p->buf);
	p->buf = NULL;
	p->buflen = p->bufcap = 0;
	budget_free(&p->mem, p->sample_spans);
	p->sample_spans = NULL;
	p->cap_sample_spans = 0;
	budget_free(&p->mem, p->stack_table);
	p->stack_table = NULL;
	if (p->nstacks == 0) {
		/* Keep stack_off[0] valid even for a profile with no samples. */
		if (!vec_reserve(&p->mem, (void **)&p->stack_off, &p->cap_stack_off, 1,
				 sizeof(uint32_t)))
			return set_error(p, PPROFC_ERR_NOMEM, "out of memory");
		p->stack_off[0] = 0;
	}
	model_free_maps(p);
	return PPROFC_OK;
}
