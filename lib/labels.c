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

#include "internal.h"

bool label_keys_init(label_keys *k, pprofc_profile *p)
{
	memset(k, 0, sizeof(*k));
	k->p = p;
	return kmap_init(&k->map, &p->mem, 16);
}

uint32_t label_keys_intern(label_keys *k, const pstr *s)
{
	/* Merged by text, as pprof's maps do; a hash collision moves on to
	 * the next attempt rather than merging two keys. */
	uint64_t h = hash_bytes(s->s, s->len, 11);
	for (uint64_t attempt = 0;; attempt++) {
		bool added;
		uint32_t id = kmap_put(&k->map, h, (uint64_t)s->len | attempt << 32, &added);
		if (id == NONE)
			return NONE;
		if (added) {
			size_t cap = k->cap;
			if (!vec_reserve(&k->p->mem, (void **)&k->keys, &k->cap, (size_t)id + 1,
					 sizeof(*k->keys)))
				return NONE;
			if (k->cap != cap || !k->unit) {
				int64_t *u = budget_realloc(&k->p->mem, k->unit,
							    k->cap * sizeof(int64_t));
				if (!u)
					return NONE;
				k->unit = u;
			}
			k->keys[id] = s;
			k->unit[id] = -1;
			return id;
		}
		const pstr *t = k->keys[id];
		if (t->len == s->len && !memcmp(t->s, s->s, s->len))
			return id;
	}
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
