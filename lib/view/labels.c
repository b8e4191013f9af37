/*
 * labels: how pprof reads a sample's labels, shared by the tags and traces
 * writers. A label with a string value is a string label; else one with a
 * number or a unit is numeric; one with neither is ignored (pprof's
 * decoder drops it). Keys are compared by their text, and each numeric key
 * has one unit for the whole profile (pprof's NumLabelUnits): the first
 * unit seen for it, else "bytes" for the keys "alignment" and "request",
 * else the key's own name.
 */
#include <string.h>

#include "view/view.h"

bool label_keys_init(label_keys *k, pprofc_profile *p)
{
	memset(k, 0, sizeof(*k));
	k->p = p;
	return kmap_init(&k->map, &p->mem, 16);
}

/* The text of key id, for kmap_intern_text. */
static pstr key_text(const void *keys, uint32_t id)
{
	return *((const pstr *const *)keys)[id];
}

uint32_t label_keys_intern(label_keys *k, const pstr *s)
{
	/* Merged by text, as pprof's maps do. */
	bool added;
	uint32_t id = kmap_intern_text(&k->map, s->s, s->len, 11, key_text, k->keys, &added);
	if (id == NONE || !added)
		return id;
	size_t cap = k->cap;
	if (!vec_reserve(&k->p->mem, (void **)&k->keys, &k->cap, (size_t)id + 1, sizeof(*k->keys)))
		return NONE;
	if (k->cap != cap || !k->unit) {
		int64_t *u = budget_realloc(&k->p->mem, k->unit, k->cap * sizeof(int64_t));
		if (!u)
			return NONE;
		k->unit = u;
	}
	k->keys[id] = s;
	k->unit[id] = -1;
	return id;
}

static bool all_zero(const pprofc_profile *p, size_t i)
{
	for (size_t t = 0; t < p->nsample_types; t++)
		if (p->values[i * p->nsample_types + t])
			return false;
	return true;
}

bool label_keys_scan_units(label_keys *k)
{
	const pprofc_profile *p = k->p;
	/* pprof finds the units after dropping samples whose values are all
	 * zero: their units do not count. */
	for (size_t i = 0; i < p->nsamples; i++) {
		if (all_zero(p, i))
			continue;
		for (uint32_t j = p->label_off[i]; j < p->label_off[i + 1]; j++) {
			const label *l = &p->labels[j];
			if (label_kind(l) != LABEL_NUMERIC)
				continue;
			uint32_t id = label_keys_intern(k, model_str(p, l->key));
			if (id == NONE)
				return false;
			if (k->unit[id] < 0 && model_str(p, l->num_unit)->len)
				k->unit[id] = l->num_unit;
		}
	}
	return true;
}

const char *label_keys_unit(const label_keys *k, uint32_t id)
{
	const pstr *key = k->keys[id];
	if (k->unit[id] >= 0)
		return model_str(k->p, k->unit[id])->s;
	if ((key->len == 9 && !memcmp(key->s, "alignment", 9)) ||
	    (key->len == 7 && !memcmp(key->s, "request", 7)))
		return "bytes";
	return key->s;
}

void label_keys_finish(label_keys *k)
{
	if (!k->p)
		return;
	budget_free(&k->p->mem, k->keys);
	budget_free(&k->p->mem, k->unit);
	kmap_free(&k->map);
	memset(k, 0, sizeof(*k));
}

/* ---- one sample's labels, grouped and sorted as pprof prints them ------- */

static int cmp_lab(const void *x, const void *y, void *ctx)
{
	(void)ctx;
	const lab_ref *a = x, *b = y;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

size_t label_refs(label_keys *k, size_t i, int kind, lab_ref **refs, size_t *cap)
{
	pprofc_profile *p = k->p;
	size_t n = 0;
	for (uint32_t j = p->label_off[i]; j < p->label_off[i + 1]; j++) {
		const label *l = &p->labels[j];
		if (label_kind(l) != kind)
			continue;
		uint32_t id = label_keys_intern(k, model_str(p, l->key));
		if (id == NONE || !vec_reserve(&p->mem, (void **)refs, cap, n + 1, sizeof(lab_ref)))
			return SIZE_MAX;
		(*refs)[n++] = (lab_ref){ id, j };
	}
	/* By key, and within a key in the sample's order: one group a key,
	 * its values in the order pprof's decoder appends them. */
	if (n > 1 && !sort_ctx(&p->mem, *refs, n, sizeof(lab_ref), cmp_lab, NULL))
		return SIZE_MAX;
	return n;
}

bool linebuf_put(linebuf *lb, const char *s, size_t len)
{
	if (!vec_reserve(lb->b, (void **)&lb->s, &lb->cap, lb->n + len + 1, 1))
		return false;
	memcpy(lb->s + lb->n, s, len);
	lb->n += len;
	return true;
}

static bool put_linebuf(void *ctx, const char *p, size_t n)
{
	return linebuf_put(ctx, p, n);
}

bool linebuf_put_escaped(linebuf *lb, const char *s, size_t len)
{
	return escape_name(s, len, put_linebuf, lb);
}

bool linebuf_line(linebuf *lb)
{
	if (!vec_reserve(lb->b, (void **)&lb->off, &lb->cap_off, lb->nlines + 2, sizeof(size_t)))
		return false;
	lb->off[lb->nlines++] = lb->n;
	return true;
}

static int cmp_lines(const void *x, const void *y, void *ctx)
{
	const linebuf *lb = ctx;
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	/* Lines end in '\n' (escaped text has no other byte below 0x20), which
	 * sorts before every other byte: this is Go's string order. */
	for (;; a++, b++) {
		unsigned char ca = (unsigned char)lb->s[a], cb = (unsigned char)lb->s[b];
		if (ca != cb)
			return ca == '\n' ? -1 : cb == '\n' ? 1 : (ca < cb ? -1 : 1);
		if (ca == '\n')
			return 0;
	}
}

bool linebuf_sort(linebuf *lb)
{
	return sort_ctx(lb->b, lb->off, lb->nlines, sizeof(size_t), cmp_lines, lb);
}

const char *linebuf_get(const linebuf *lb, size_t k, size_t *ret_len)
{
	const char *s = lb->s + lb->off[k];
	const char *nl = memchr(s, '\n', (size_t)(lb->s + lb->n - s));
	*ret_len = (size_t)(nl - s);
	return s;
}

void linebuf_finish(linebuf *lb)
{
	budget_free(lb->b, lb->s);
	budget_free(lb->b, lb->off);
	lb->s = NULL;
	lb->off = NULL;
	lb->n = lb->cap = lb->nlines = lb->cap_off = 0;
}

size_t label_text_width(const char *s, size_t len)
{
	size_t w = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch == 0x7f)
			w += 4;
		else if ((ch & 0xc0) != 0x80)
			w++;
	}
	return w;
}

/* pprof's DiffBaseSample: a sample with the label pprof::base="true" came
 * from --diff-base's profile (its values negated). Read from the labels
 * each time, as pprof does, so filters on samples and labels stay in step. */
bool sample_is_base(const pprofc_profile *p, size_t i)
{
	static const char key[] = "pprof::base";
	if (!p->label_off)
		return false;
	for (uint32_t j = p->label_off[i]; j < p->label_off[i + 1]; j++) {
		const label *l = &p->labels[j];
		const pstr *k = model_str(p, l->key);
		const pstr *v = model_str(p, l->str);
		if (k->len == sizeof(key) - 1 && !memcmp(k->s, key, k->len) && v->len == 4 &&
		    !memcmp(v->s, "true", 4))
			return true;
	}
	return false;
}

pprofc_status profile_diff_base(pprofc_profile *p, uint8_t **ret)
{
	*ret = NULL;
	uint8_t *flags = NULL;
	for (size_t i = 0; i < p->nsamples; i++) {
		if (!sample_is_base(p, i))
			continue;
		if (!flags) {
			flags = budget_alloc(&p->mem, p->nsamples);
			if (!flags)
				return set_error(p, PPROFC_ERR_NOMEM, "out of memory");
			memset(flags, 0, p->nsamples);
		}
		flags[i] = 1;
	}
	*ret = flags;
	return PPROFC_OK;
}
