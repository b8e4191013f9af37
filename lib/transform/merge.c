/*
 * merge: several profiles into one, as pprof's profile.Merge does, and the
 * edits go tool pprof makes before merging a base (Scale, Normalize,
 * SetLabel). Equal things are merged by what they are, not by their ids:
 * a mapping by its size (rounded up to 4 KiB), offset and build id or file;
 * a function by name, system name, file and start line; a location by its
 * mapping, address relative to the mapping's start, lines and is_folded; a
 * sample by its locations and labels. Only what samples reference is kept,
 * ids are renumbered 1..n in order of first use, samples whose values are
 * all zero are dropped -- so `go tool pprof` reads our merge as its own.
 *
 * The result is built in a fresh model and moved into the destination
 * handle only when complete: a failed merge leaves nothing half made.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "view/view.h"

typedef struct merger {
	pprofc_profile *p; /* the profile being built */
	/* strings by text: (hash, len | attempt << 32) -> index */
	kmap strs;
	char *sbuf;
	size_t slen, scap;
	size_t *soff; /* start of string i in sbuf */
	size_t cap_soff;
	kmap maps, funcs, locs, samples; /* (hash, attempt) -> index */
	uint32_t *locbuf;		 /* one stack, mapped */
	size_t cap_locbuf;
	label *labbuf; /* one sample's labels, mapped and ordered */
	size_t cap_labbuf;
} merger;

/* Per source: what its strings, mappings, functions, locations and stacks
 * became in the merged profile (NONE until first used). */
typedef struct source_map {
	const pprofc_profile *src;
	uint32_t *str, *map, *fn, *loc, *stack;
	int64_t *map_shift; /* address change of locations in each mapping */
} source_map;

static pprofc_status nomem(merger *m)
{
	return set_error(m->p, PPROFC_ERR_NOMEM, "out of memory merging profiles");
}

/* ---- strings ---------------------------------------------------------- */

/* String i of the merged table, for kmap_intern_text. */
static pstr merged_string(const void *table, uint32_t i)
{
	const merger *m = table;
	return (pstr){ m->sbuf + m->soff[i], (uint32_t)(m->soff[i + 1] - m->soff[i] - 1) };
}

static uint32_t add_string(merger *m, const char *s, size_t len)
{
	bool added;
	uint32_t i = kmap_intern_text(&m->strs, s, len, 0x57, merged_string, m, &added);
	if (i == NONE || !added)
		return i;
	if (!vec_reserve(&m->p->mem, (void **)&m->sbuf, &m->scap, m->slen + len + 1, 1) ||
	    !vec_reserve(&m->p->mem, (void **)&m->soff, &m->cap_soff, (size_t)i + 2,
			 sizeof(size_t)))
		return NONE;
	memcpy(m->sbuf + m->slen, s, len);
	m->sbuf[m->slen + len] = '\0';
	m->slen += len + 1;
	m->soff[i + 1] = m->slen;
	return i;
}

/* The merged index of string `idx` of the source. */
static int64_t map_string(merger *m, source_map *sm, int64_t idx)
{
	if (idx <= 0 || (uint64_t)idx >= sm->src->nstrings)
		return 0;
	if (sm->str[idx] == NONE) {
		const pstr *s = &sm->src->strings[idx];
		sm->str[idx] = add_string(m, s->s, s->len);
	}
	return sm->str[idx] == NONE ? -1 : (int64_t)sm->str[idx];
}

#define MAP_STR(var, idx)                         \
	do {                                      \
		(var) = map_string(m, sm, (idx)); \
		if ((var) < 0)                    \
			return NONE;              \
	} while (0)

/* ---- mappings, functions, locations ----------------------------------- */

/* pprof's mapping key: the size rounded up to 4 KiB (address space
 * randomization moves mappings, and sizes differ by a page), the offset,
 * and the build id, else the file. */
static uint64_t mapping_size(const mapping *m)
{
	uint64_t size = m->limit - m->start;
	return (size + 0xfff) - ((size + 0xfff) % 0x1000);
}

static int64_t mapping_who(const mapping *m)
{
	return m->build_id ? m->build_id : m->filename;
}

static bool mapping_eq(const void *ctx, uint32_t i)
{
	const mapping *a = ((const mapping *const *)ctx)[0],
		      *b = &((const mapping *const *)ctx)[1][i];
	return mapping_size(a) == mapping_size(b) && a->offset == b->offset &&
	       mapping_who(a) == mapping_who(b);
}

static uint32_t map_mapping(merger *m, source_map *sm, uint32_t mi)
{
	if (mi == NONE)
		return NONE;
	if (sm->map[mi] != NONE)
		return sm->map[mi];
	pprofc_profile *p = m->p;
	const mapping *src = &sm->src->mappings[mi];
	mapping cand = *src;
	MAP_STR(cand.filename, src->filename);
	MAP_STR(cand.build_id, src->build_id);
	uint64_t size = mapping_size(&cand);
	uint64_t h = hash_bytes(&size, sizeof(size), (uint64_t)mapping_who(&cand)) ^
		     cand.offset * 0x9E3779B97F4A7C15ull;
	const mapping *ctx[2] = { &cand, p->mappings };
	bool added;
	uint32_t i = kmap_intern(&m->maps, h, 0, mapping_eq, ctx, &added);
	if (i == NONE)
		return NONE;
	if (added) {
		if (!vec_reserve(&p->mem, (void **)&p->mappings, &p->cap_mappings, (size_t)i + 1,
				 sizeof(mapping)))
			return NONE;
		cand.id = (uint64_t)i + 1;
		p->mappings[i] = cand;
		p->nmappings = (size_t)i + 1;
	}
	sm->map[mi] = i;
	sm->map_shift[mi] = (int64_t)(p->mappings[i].start - src->start);
	return i;
}

static bool function_eq(const void *ctx, uint32_t i)
{
	const function *a = ((const function *const *)ctx)[0],
		       *b = &((const function *const *)ctx)[1][i];
	return a->name == b->name && a->system_name == b->system_name &&
	       a->filename == b->filename && a->start_line == b->start_line;
}

static uint32_t map_function(merger *m, source_map *sm, uint32_t fi)
{
	if (fi == NONE)
		return NONE;
	if (sm->fn[fi] != NONE)
		return sm->fn[fi];
	pprofc_profile *p = m->p;
	const function *src = &sm->src->functions[fi];
	function cand;
	MAP_STR(cand.name, src->name);
	MAP_STR(cand.system_name, src->system_name);
	MAP_STR(cand.filename, src->filename);
	cand.start_line = src->start_line;
	int64_t key[4] = { cand.name, cand.system_name, cand.filename, cand.start_line };
	const function *ctx[2] = { &cand, p->functions };
	bool added;
	uint32_t i = kmap_intern(&m->funcs, hash_bytes(key, sizeof(key), 0xf7), 0, function_eq, ctx,
				 &added);
	if (i == NONE)
		return NONE;
	if (added) {
		if (!vec_reserve(&p->mem, (void **)&p->functions, &p->cap_functions, (size_t)i + 1,
				 sizeof(function)))
			return NONE;
		cand.id = (uint64_t)i + 1;
		p->functions[i] = cand;
		p->nfunctions = (size_t)i + 1;
	}
	sm->fn[fi] = i;
	return i;
}

/* A location being looked up: its fields, and its lines at the end of the
 * merged line table (taken there for good only when it is new). */
typedef struct loc_cand {
	const pprofc_profile *p;
	location l;
	uint64_t rel; /* address relative to the mapping's start */
} loc_cand;

static uint64_t loc_rel(const pprofc_profile *p, const location *l)
{
	return l->mapping == NONE ? l->address : l->address - p->mappings[l->mapping].start;
}

static bool location_eq(const void *ctx, uint32_t i)
{
	const loc_cand *c = ctx;
	const location *b = &c->p->locations[i];
	if (c->l.mapping != b->mapping || c->l.is_folded != b->is_folded ||
	    c->l.nlines != b->nlines || c->rel != loc_rel(c->p, b))
		return false;
	for (uint32_t k = 0; k < b->nlines; k++) {
		const line *x = &c->p->lines[c->l.line_off + k], *y = &c->p->lines[b->line_off + k];
		if (x->function != y->function || x->line != y->line)
			return false;
	}
	return true;
}

static uint32_t map_location(merger *m, source_map *sm, uint32_t li)
{
	if (sm->loc[li] != NONE)
		return sm->loc[li];
	pprofc_profile *p = m->p;
	const pprofc_profile *s = sm->src;
	const location *src = &s->locations[li];
	loc_cand c = { .p = p, .l = *src };
	c.l.mapping = map_mapping(m, sm, src->mapping);
	if (src->mapping != NONE && c.l.mapping == NONE)
		return NONE;
	if (c.l.mapping != NONE)
		c.l.address = src->address + (uint64_t)sm->map_shift[src->mapping];
	c.rel = loc_rel(p, &c.l);
	/* The candidate's lines go where a new location's would. */
	if (!vec_reserve(&p->mem, (void **)&p->lines, &p->cap_lines, p->nlines + src->nlines + 1,
			 sizeof(line)))
		return NONE;
	c.l.line_off = (uint32_t)p->nlines;
	uint64_t h = c.rel * 0x9E3779B97F4A7C15ull ^ c.l.mapping ^ (uint64_t)c.l.is_folded << 40;
	for (uint32_t k = 0; k < src->nlines; k++) {
		const line *sl = &s->lines[src->line_off + k];
		uint32_t fi = map_function(m, sm, sl->function);
		if (sl->function != NONE && fi == NONE)
			return NONE;
		line *dl = &p->lines[p->nlines + k];
		dl->function = fi;
		dl->function_id = fi == NONE ? 0 : (uint64_t)fi + 1;
		dl->line = sl->line;
		dl->column = sl->column;
		uint64_t kv[2] = { fi, (uint64_t)sl->line };
		h = hash_bytes(kv, sizeof(kv), h);
	}
	bool added;
	uint32_t i = kmap_intern(&m->locs, h, 0, location_eq, &c, &added);
	if (i == NONE)
		return NONE;
	if (added) {
		if (!vec_reserve(&p->mem, (void **)&p->locations, &p->cap_locations, (size_t)i + 1,
				 sizeof(location)))
			return NONE;
		p->nlines += src->nlines;
		c.l.id = (uint64_t)i + 1;
		c.l.mapping_id = c.l.mapping == NONE ? 0 : (uint64_t)c.l.mapping + 1;
		p->locations[i] = c.l;
		p->nlocations = (size_t)i + 1;
	}
	sm->loc[li] = i;
	return i;
}

#undef MAP_STR

/* ---- samples ---------------------------------------------------------- */

static uint32_t map_stack(merger *m, source_map *sm, uint32_t si)
{
	if (sm->stack[si] != NONE)
		return sm->stack[si];
	const pprofc_profile *s = sm->src;
	uint32_t off = s->stack_off[si], n = s->stack_off[si + 1] - off;
	if (!vec_reserve(&m->p->mem, (void **)&m->locbuf, &m->cap_locbuf, (size_t)n + 1,
			 sizeof(uint32_t)))
		return NONE;
	for (uint32_t k = 0; k < n; k++)
		if ((m->locbuf[k] = map_location(m, sm, s->stack_locs[off + k])) == NONE)
			return NONE;
	uint32_t id;
	if (model_intern_stack(m->p, m->locbuf, n, &id) != PPROFC_OK)
		return NONE;
	sm->stack[si] = id;
	return id;
}

typedef struct sample_cand {
	const pprofc_profile *p;
	uint32_t stack;
	const label *labels;
	size_t nlabels;
} sample_cand;

static bool sample_eq(const void *ctx, uint32_t i)
{
	const sample_cand *c = ctx;
	const pprofc_profile *p = c->p;
	return p->sample_stack[i] == c->stack &&
	       p->label_off[i + 1] - p->label_off[i] == c->nlabels &&
	       (!c->nlabels ||
		!memcmp(p->labels + p->label_off[i], c->labels, c->nlabels * sizeof(label)));
}

/* pprof keeps a sample's labels in maps by key: string labels, then
 * numeric ones, each by key text, a key's values in their order. */
static int label_cmp(const pprofc_profile *p, const label *a, const label *b)
{
	int ka = label_kind(a), kb = label_kind(b);
	if (ka != kb)
		return ka == LABEL_STRING ? -1 : 1;
	const pstr *x = model_str(p, a->key), *y = model_str(p, b->key);
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static pprofc_status add_sample(merger *m, source_map *sm, size_t si)
{
	pprofc_profile *p = m->p;
	const pprofc_profile *s = sm->src;
	size_t nt = p->nsample_types;
	const int64_t *v = s->values + si * nt;
	size_t t;
	for (t = 0; t < nt && !v[t]; t++)
		;
	if (t == nt)
		return PPROFC_OK; /* pprof's merge leaves out all-zero samples */
	sample_cand c = { .p = p };
	c.stack = map_stack(m, sm, s->sample_stack[si]);
	if (c.stack == NONE)
		return nomem(m);
	uint32_t lo = s->label_off ? s->label_off[si] : 0;
	uint32_t hi = s->label_off ? s->label_off[si + 1] : 0;
	if (!vec_reserve(&p->mem, (void **)&m->labbuf, &m->cap_labbuf, (size_t)(hi - lo) + 1,
			 sizeof(label)))
		return nomem(m);
	uint64_t h = hash_bytes(&c.stack, sizeof(c.stack), 0x5a);
	for (uint32_t j = lo; j < hi; j++) {
		const label *sl = &s->labels[j];
		int kind = label_kind(sl);
		if (kind == LABEL_IGNORED)
			continue; /* pprof's decoder drops it */
		label l = { 0, 0, 0, 0 };
		if ((l.key = map_string(m, sm, sl->key)) < 0)
			return nomem(m);
		if (kind == LABEL_STRING) {
			if ((l.str = map_string(m, sm, sl->str)) < 0)
				return nomem(m);
		} else {
			l.num = sl->num;
			if ((l.num_unit = map_string(m, sm, sl->num_unit)) < 0)
				return nomem(m);
		}
		/* insertion: stable, and samples have few labels */
		size_t k = c.nlabels++;
		while (k > 0 && label_cmp(p, &m->labbuf[k - 1], &l) > 0) {
			m->labbuf[k] = m->labbuf[k - 1];
			k--;
		}
		m->labbuf[k] = l;
	}
	c.labels = m->labbuf;
	if (c.nlabels)
		h = hash_bytes(m->labbuf, c.nlabels * sizeof(label), h);
	bool added;
	uint32_t i = kmap_intern(&m->samples, h, 0, sample_eq, &c, &added);
	if (i == NONE)
		return nomem(m);
	if (!added) {
		for (t = 0; t < nt; t++)
			p->values[(size_t)i * nt + t] = wadd(p->values[(size_t)i * nt + t], v[t]);
		return PPROFC_OK;
	}
	if (i >= p->limits[PPROFC_LIMIT_SAMPLES])
		return err_set_limit(&p->err, PPROFC_ERR_LIMIT, PPROFC_LIMIT_SAMPLES,
				     "the merged profile has more than %llu samples",
				     (unsigned long long)p->limits[PPROFC_LIMIT_SAMPLES]);
	if (!vec_reserve(&p->mem, (void **)&p->values, &p->cap_values, ((size_t)i + 1) * nt + 1,
			 sizeof(int64_t)) ||
	    !vec_reserve(&p->mem, (void **)&p->sample_stack, &p->cap_sample_stack, (size_t)i + 1,
			 sizeof(uint32_t)) ||
	    !vec_reserve(&p->mem, (void **)&p->label_off, &p->cap_label_off, (size_t)i + 2,
			 sizeof(uint32_t)) ||
	    !vec_reserve(&p->mem, (void **)&p->labels, &p->cap_labels, p->nlabels + c.nlabels + 1,
			 sizeof(label)))
		return nomem(m);
	memcpy(p->values + (size_t)i * nt, v, nt * sizeof(int64_t));
	p->sample_stack[i] = c.stack;
	memcpy(p->labels + p->nlabels, m->labbuf, c.nlabels * sizeof(label));
	p->nlabels += c.nlabels;
	p->label_off[i] = (uint32_t)(p->nlabels - c.nlabels);
	p->label_off[i + 1] = (uint32_t)p->nlabels;
	p->nsamples = (size_t)i + 1;
	return PPROFC_OK;
}

/* ---- headers ---------------------------------------------------------- */

static bool same_type(const pprofc_profile *a, value_type x, const pprofc_profile *b, value_type y)
{
	const pstr *at = model_str(a, x.type), *bt = model_str(b, y.type);
	const pstr *au = model_str(a, x.unit), *bu = model_str(b, y.unit);
	return at->len == bt->len && !memcmp(at->s, bt->s, at->len) && au->len == bu->len &&
	       !memcmp(au->s, bu->s, au->len);
}

/* A ValueType as pprof prints it, "cpu/nanoseconds", at buf + w (n bytes
 * in all, w < n); the names are the profile's, escaped as the reports show
 * them. Returns the new end. */
static size_t type_text(const pprofc_profile *p, value_type t, char *buf, size_t w, size_t n)
{
	const pstr *ty = model_str(p, t.type), *u = model_str(p, t.unit);
	w += escape_name_buf(buf + w, n - w, ty->s, ty->len);
	if (w + 1 < n)
		buf[w++] = '/';
	return w + escape_name_buf(buf + w, n - w, u->s, u->len);
}

/* "[samples/count cpu/nanoseconds]", as pprof prints its ValueTypes. */
static void type_list(const pprofc_profile *p, char *buf, size_t n)
{
	size_t w = 0;
	buf[w++] = '[';
	for (size_t i = 0; i < p->nsample_types && w + 1 < n; i++) {
		if (i)
			buf[w++] = ' ';
		w = type_text(p, p->sample_types[i], buf, w, n);
	}
	if (w + 1 < n)
		buf[w++] = ']';
	buf[w] = '\0';
}

pprofc_status pprofc_profile_compatible(const pprofc_profile *a, pprofc_profile *b)
{
	if (!a->loaded || !b->loaded)
		return set_error(b, PPROFC_ERR_USAGE, "profile not loaded");
	char x[200], y[200];
	if (!same_type(a, a->period_type, b, b->period_type)) {
		type_text(a, a->period_type, x, 0, sizeof(x));
		type_text(b, b->period_type, y, 0, sizeof(y));
		return set_error(b, PPROFC_ERR_INVALID, "incompatible period types %s and %s", x,
				 y);
	}
	bool ok = a->nsample_types == b->nsample_types;
	for (size_t i = 0; ok && i < a->nsample_types; i++)
		ok = same_type(a, a->sample_types[i], b, b->sample_types[i]);
	if (!ok) {
		type_list(a, x, sizeof(x));
		type_list(b, y, sizeof(y));
		return set_error(b, PPROFC_ERR_INVALID, "incompatible sample types %s and %s", x,
				 y);
	}
	return PPROFC_OK;
}

static int64_t str_or_flag(merger *m, source_map *sm, int64_t idx, bool *bad)
{
	int64_t i = map_string(m, sm, idx);
	*bad |= i < 0;
	return i < 0 ? 0 : i;
}

static pprofc_status merge_headers(merger *m, source_map *sms, size_t n)
{
	pprofc_profile *p = m->p;
	const pprofc_profile *first = sms[0].src;
	size_t nt = first->nsample_types;
	p->sample_types = budget_alloc(&p->mem, (nt + 1) * sizeof(value_type));
	if (!p->sample_types)
		return nomem(m);
	p->nsample_types = p->cap_sample_types = nt;
	source_map *sm = &sms[0];
	bool bad = false;
#define STR(idx) str_or_flag(m, sm, (idx), &bad)
	for (size_t t = 0; t < nt; t++) {
		p->sample_types[t].type = STR(first->sample_types[t].type);
		p->sample_types[t].unit = STR(first->sample_types[t].unit);
	}
	p->period_type.type = STR(first->period_type.type);
	p->period_type.unit = STR(first->period_type.unit);
	p->drop_frames = STR(first->drop_frames);
	p->keep_frames = STR(first->keep_frames);
	p->doc_url = STR(first->doc_url);
	p->default_sample_type = 0;
	for (size_t k = 0; k < n; k++) {
		sm = &sms[k];
		const pprofc_profile *s = sm->src;
		/* pprof's combineHeaders, to the letter: a later zero time wins
		 * over an earlier one too */
		if (p->time_nanos == 0 || s->time_nanos < p->time_nanos)
			p->time_nanos = s->time_nanos;
		p->duration_nanos = wadd(p->duration_nanos, s->duration_nanos);
		if (p->period == 0 || p->period < s->period)
			p->period = s->period;
		if (!p->default_sample_type)
			p->default_sample_type = STR(s->default_sample_type);
		for (size_t c = 0; c < s->ncomments; c++) {
			int64_t idx = STR(s->comments[c]);
			size_t j;
			for (j = 0; j < p->ncomments && p->comments[j] != idx; j++)
				;
			if (j < p->ncomments)
				continue;
			if (!vec_reserve(&p->mem, (void **)&p->comments, &p->cap_comments,
					 p->ncomments + 1, sizeof(int64_t)))
				return nomem(m);
			p->comments[p->ncomments++] = idx;
		}
	}
#undef STR
	p->has_time_nanos = p->time_nanos != 0;
	return bad ? nomem(m) : PPROFC_OK;
}

/* ---- the merge -------------------------------------------------------- */

static void free_source_map(budget *b, source_map *sm)
{
	budget_free_each(b, sm->str, sm->map, sm->fn, sm->loc, sm->stack, sm->map_shift);
}

static uint32_t *nones(budget *b, size_t n)
{
	uint32_t *a = budget_alloc(b, (n + 1) * sizeof(uint32_t));
	if (a)
		memset(a, 0xff, (n + 1) * sizeof(uint32_t));
	return a;
}

static pprofc_status init_source_map(merger *m, source_map *sm, const pprofc_profile *s)
{
	budget *b = &m->p->mem;
	sm->src = s;
	sm->str = nones(b, s->nstrings);
	sm->map = nones(b, s->nmappings);
	sm->fn = nones(b, s->nfunctions);
	sm->loc = nones(b, s->nlocations);
	sm->stack = nones(b, s->nstacks);
	sm->map_shift = budget_alloc(b, (s->nmappings + 1) * sizeof(int64_t));
	if (!sm->str || !sm->map || !sm->fn || !sm->loc || !sm->stack || !sm->map_shift)
		return nomem(m);
	return PPROFC_OK;
}

/* The strings as the model keeps them: one block, NUL-terminated copies. */
static pprofc_status finish_strings(merger *m)
{
	pprofc_profile *p = m->p;
	size_t n = m->strs.n;
	p->strings = budget_alloc(&p->mem, (n + 1) * sizeof(pstr));
	if (!p->strings)
		return nomem(m);
	for (size_t i = 0; i < n; i++) {
		p->strings[i].s = m->sbuf + m->soff[i];
		p->strings[i].len = (uint32_t)(m->soff[i + 1] - m->soff[i] - 1);
	}
	p->nstrings = n;
	p->strdata = m->sbuf;
	p->strdata_len = m->slen;
	m->sbuf = NULL;
	return PPROFC_OK;
}

static void merger_free(merger *m)
{
	budget *b = &m->p->mem;
	kmap_free(&m->strs);
	kmap_free(&m->maps);
	kmap_free(&m->funcs);
	kmap_free(&m->locs);
	kmap_free(&m->samples);
	budget_free_each(b, m->sbuf, m->soff, m->locbuf, m->labbuf);
}

static bool has_zero_sample(const pprofc_profile *p)
{
	size_t nt = p->nsample_types;
	for (size_t i = 0; i < p->nsamples; i++) {
		size_t t;
		for (t = 0; t < nt && !p->values[i * nt + t]; t++)
			;
		if (t == nt)
			return true;
	}
	return false;
}

static pprofc_status merge_into(pprofc_profile *p, pprofc_profile *const *srcs, size_t n)
{
	merger m;
	memset(&m, 0, sizeof(m));
	m.p = p;
	source_map *sms = calloc(n, sizeof(*sms));
	pprofc_status st = PPROFC_OK;
	if (!sms || !kmap_init(&m.strs, &p->mem, 1024) || !kmap_init(&m.maps, &p->mem, 16) ||
	    !kmap_init(&m.funcs, &p->mem, 1024) || !kmap_init(&m.locs, &p->mem, 1024) ||
	    !kmap_init(&m.samples, &p->mem, 1024) ||
	    !vec_reserve(&p->mem, (void **)&m.soff, &m.cap_soff, 1, sizeof(size_t)))
		st = nomem(&m);
	if (st == PPROFC_OK) {
		m.soff[0] = 0;
		if (add_string(&m, "", 0) != 0)
			st = nomem(&m);
	}
	for (size_t k = 0; k < n && st == PPROFC_OK; k++)
		st = init_source_map(&m, &sms[k], srcs[k]);
	if (st == PPROFC_OK)
		st = merge_headers(&m, sms, n);
	for (size_t k = 0; k < n && st == PPROFC_OK; k++) {
		/* The first mapping is the main binary: it stays first. */
		if (p->nmappings == 0 && srcs[k]->nmappings > 0 &&
		    map_mapping(&m, &sms[k], 0) == NONE)
			st = nomem(&m);
		for (size_t i = 0; i < srcs[k]->nsamples && st == PPROFC_OK; i++)
			st = add_sample(&m, &sms[k], i);
	}
	if (st == PPROFC_OK)
		st = finish_strings(&m);
	if (st == PPROFC_OK && !p->label_off &&
	    !vec_reserve(&p->mem, (void **)&p->label_off, &p->cap_label_off, 1, sizeof(uint32_t)))
		st = nomem(&m);
	if (st == PPROFC_OK && p->nsamples == 0)
		p->label_off[0] = 0;
	if (st == PPROFC_OK && !p->stack_off &&
	    !vec_reserve(&p->mem, (void **)&p->stack_off, &p->cap_stack_off, 1, sizeof(uint32_t)))
		st = nomem(&m);
	if (st == PPROFC_OK && p->nstacks == 0)
		p->stack_off[0] = 0;
	for (size_t k = 0; k < n && sms; k++)
		free_source_map(&p->mem, &sms[k]);
	free(sms);
	merger_free(&m);
	budget_free(&p->mem, p->stack_table);
	p->stack_table = NULL;
	p->loaded = true;
	return st;
}

/* Moves what `from` holds into the fresh handle `to`, which keeps its own
 * settings; frees the shell of `from`. */
static void take(pprofc_profile *to, pprofc_profile *from)
{
	pprofc_profile keep = *to;
	*to = *from;
	to->max_size = keep.max_size;
	to->memory_set = keep.memory_set;
	to->mem.limit = keep.mem.limit;
	memcpy(to->limits, keep.limits, sizeof(to->limits));
	to->granularity = keep.granularity;
	to->noinlines = keep.noinlines;
	to->err = keep.err;
	free(from);
}

pprofc_status pprofc_profile_merge(pprofc_profile *dst, pprofc_profile *const *srcs, size_t n)
{
	if (dst->loaded)
		return set_error(dst, PPROFC_ERR_USAGE, "the destination of a merge must be empty");
	if (n == 0)
		return set_error(dst, PPROFC_ERR_USAGE, "no profiles to merge");
	uint64_t limit = 0;
	for (size_t k = 0; k < n; k++) {
		if (!srcs[k]->loaded)
			return set_error(dst, PPROFC_ERR_USAGE, "profile %zu of %zu is not loaded",
					 k + 1, n);
		if (srcs[k]->prefilter_total)
			return set_error(dst, PPROFC_ERR_USAGE,
					 "profile %zu of %zu is filtered: merge before filtering",
					 k + 1, n);
		if (k && pprofc_profile_compatible(srcs[0], srcs[k]) != PPROFC_OK)
			return set_error(dst, PPROFC_ERR_INVALID, "%s", srcs[k]->err.msg);
		limit = limit + srcs[k]->mem.limit < limit ? UINT64_MAX
							   : limit + srcs[k]->mem.limit;
	}
	pprofc_profile *acc = pprofc_profile_create();
	if (!acc)
		return set_error(dst, PPROFC_ERR_NOMEM, "out of memory");
	acc->mem.limit = dst->memory_set ? dst->mem.limit : limit;
	memcpy(acc->limits, dst->limits, sizeof(acc->limits));
	pprofc_status st = merge_into(acc, srcs, n);
	/* Samples that cancel out (a base subtracted) are dropped the way
	 * pprof does: merging the result once more, which also drops the
	 * locations, functions and mappings only they used. */
	while (st == PPROFC_OK && has_zero_sample(acc)) {
		pprofc_profile *again = pprofc_profile_create();
		if (!again) {
			st = set_error(acc, PPROFC_ERR_NOMEM, "out of memory");
			break;
		}
		again->mem.limit = acc->mem.limit;
		memcpy(again->limits, acc->limits, sizeof(again->limits));
		st = merge_into(again, &acc, 1);
		if (st != PPROFC_OK)
			acc->err = again->err;
		pprofc_profile_destroy(acc);
		acc = again;
	}
	if (st != PPROFC_OK) {
		/* (the limit too, when one was exceeded) */
		err_set_limit(&dst->err, st, acc->err.limit, "%s", acc->err.msg);
		pprofc_profile_destroy(acc);
		return st;
	}
	take(dst, acc);
	return PPROFC_OK;
}

/* ---- scaling and labels ----------------------------------------------- */

/* Go's int64(math.Round(x)): halves away from zero; out of range (and NaN)
 * gives what amd64 gives, the smallest int64, rather than undefined. */
static int64_t round_i64(double x)
{
	double r = round(x);
	if (!(r >= -9223372036854775808.0 && r < 9223372036854775808.0))
		return INT64_MIN;
	return (int64_t)r;
}

/* Drops the samples whose keep[i] is false, keeping the order. */
static void compact_samples(pprofc_profile *p, const bool *keep)
{
	size_t nt = p->nsample_types, w = 0;
	uint32_t lw = 0;
	for (size_t i = 0; i < p->nsamples; i++) {
		uint32_t lo = p->label_off ? p->label_off[i] : 0;
		uint32_t hi = p->label_off ? p->label_off[i + 1] : 0;
		if (!keep[i])
			continue;
		memmove(p->values + w * nt, p->values + i * nt, nt * sizeof(int64_t));
		p->sample_stack[w] = p->sample_stack[i];
		if (p->label_off) {
			memmove(p->labels + lw, p->labels + lo, (hi - lo) * sizeof(label));
			p->label_off[w] = lw;
			lw += hi - lo;
		}
		w++;
	}
	if (p->label_off) {
		p->label_off[w] = lw;
		p->nlabels = lw;
	}
	p->nsamples = w;
}

pprofc_status pprofc_profile_scale(pprofc_profile *p, const double *ratios, size_t n)
{
	if (!p->loaded)
		return set_error(p, PPROFC_ERR_USAGE, "profile not loaded");
	size_t nt = p->nsample_types;
	if (n != nt)
		return set_error(p, PPROFC_ERR_USAGE, "%zu scale ratios for %zu sample types", n,
				 nt);
	bool ones = true;
	for (size_t t = 0; t < nt; t++)
		ones &= ratios[t] == 1;
	if (ones)
		return PPROFC_OK;
	bool *keep = budget_alloc(&p->mem, p->nsamples + 1);
	if (!keep)
		return set_error(p, PPROFC_ERR_NOMEM, "out of memory");
	/* pprof's ScaleN: a sample stays when a scaled value is non-zero */
	for (size_t i = 0; i < p->nsamples; i++) {
		keep[i] = false;
		for (size_t t = 0; t < nt; t++) {
			if (ratios[t] == 1)
				continue;
			int64_t *v = &p->values[i * nt + t];
			*v = round_i64((double)*v * ratios[t]);
			keep[i] |= *v != 0;
		}
	}
	compact_samples(p, keep);
	budget_free(&p->mem, keep);
	return PPROFC_OK;
}

pprofc_status pprofc_profile_normalize(pprofc_profile *p, const pprofc_profile *base)
{
	if (pprofc_profile_compatible(base, p) != PPROFC_OK)
		return PPROFC_ERR_INVALID;
	size_t nt = p->nsample_types;
	double *ratios = calloc(nt + 1, sizeof(double));
	if (!ratios)
		return set_error(p, PPROFC_ERR_NOMEM, "out of memory");
	for (size_t t = 0; t < nt; t++) {
		int64_t b = pprofc_profile_total(base, t), s = pprofc_profile_total(p, t);
		ratios[t] = s == 0 ? 0.0 : (double)b / (double)s;
	}
	pprofc_status st = pprofc_profile_scale(p, ratios, nt);
	free(ratios);
	return st;
}

/* The index of a string, added to the table when missing (the table is
 * copied: this is for a handful of strings, not many). */
static int64_t string_index(pprofc_profile *p, const char *s)
{
	size_t len = strlen(s);
	for (size_t i = 0; i < p->nstrings; i++)
		if (p->strings[i].len == len && !memcmp(p->strings[i].s, s, len))
			return (int64_t)i;
	char *data = budget_alloc(&p->mem, p->strdata_len + len + 1);
	pstr *strs = budget_alloc(&p->mem, (p->nstrings + 1) * sizeof(pstr));
	if (!data || !strs) {
		budget_free(&p->mem, data);
		budget_free(&p->mem, strs);
		return -1;
	}
	if (p->strdata_len)
		memcpy(data, p->strdata, p->strdata_len);
	memcpy(data + p->strdata_len, s, len + 1);
	for (size_t i = 0; i < p->nstrings; i++) {
		strs[i].s = data + (p->strings[i].s - p->strdata);
		strs[i].len = p->strings[i].len;
	}
	strs[p->nstrings].s = data + p->strdata_len;
	strs[p->nstrings].len = (uint32_t)len;
	budget_free(&p->mem, p->strdata);
	budget_free(&p->mem, p->strings);
	p->strdata = data;
	p->strdata_len += len + 1;
	p->strings = strs;
	return (int64_t)p->nstrings++;
}

pprofc_status pprofc_profile_set_label(pprofc_profile *p, const char *key, const char *value)
{
	if (!p->loaded)
		return set_error(p, PPROFC_ERR_USAGE, "profile not loaded");
	if (!*key || !*value)
		return set_error(p, PPROFC_ERR_USAGE, "a label needs a key and a value");
	int64_t k = string_index(p, key), v = string_index(p, value);
	if (k < 0 || v < 0)
		return set_error(p, PPROFC_ERR_NOMEM, "out of memory");
	size_t n = p->nsamples;
	size_t old = p->label_off ? p->nlabels : 0;
	label *labels = budget_alloc(&p->mem, (old + n + 1) * sizeof(label));
	uint32_t *off = budget_alloc(&p->mem, (n + 1) * sizeof(uint32_t));
	if (!labels || !off || old + n > UINT32_MAX) {
		budget_free(&p->mem, labels);
		budget_free(&p->mem, off);
		return set_error(p, PPROFC_ERR_NOMEM, "out of memory");
	}
	/* pprof's SetLabel: the key's string values are replaced by `value` */
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		off[i] = (uint32_t)w;
		uint32_t lo = p->label_off ? p->label_off[i] : 0;
		uint32_t hi = p->label_off ? p->label_off[i + 1] : 0;
		for (uint32_t j = lo; j < hi; j++) {
			const label *l = &p->labels[j];
			const pstr *lk = model_str(p, l->key);
			if (label_kind(l) == LABEL_STRING && lk->len == strlen(key) &&
			    !memcmp(lk->s, key, lk->len))
				continue;
			labels[w++] = *l;
		}
		labels[w++] = (label){ k, v, 0, 0 };
	}
	off[n] = (uint32_t)w;
	budget_free(&p->mem, p->labels);
	budget_free(&p->mem, p->label_off);
	p->labels = labels;
	p->cap_labels = old + n + 1;
	p->nlabels = w;
	p->label_off = off;
	p->cap_label_off = n + 1;
	return PPROFC_OK;
}
