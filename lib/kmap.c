/*
 * kmap: an open-addressing hash map from a pair of 64-bit keys to dense
 * indices, for the writers' aggregations (function identities, cost lines,
 * call edges). Dense values let callers keep entries in flat arrays.
 */
#include <string.h>

#include "internal.h"

static inline size_t slot_of(uint64_t a, uint64_t b, size_t mask)
{
	uint64_t h =
		a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull) * 0xC2B2AE3D27D4EB4Full;
	h ^= h >> 31;
	return (size_t)(h * 0xff51afd7ed558ccdull >> 20) & mask;
}

static bool kmap_alloc(kmap *m, size_t slots)
{
	m->keys = budget_alloc(m->b, slots * 2 * sizeof(uint64_t));
	m->vals = budget_alloc(m->b, slots * sizeof(uint32_t));
	if (!m->keys || !m->vals) {
		budget_free(m->b, m->keys);
		budget_free(m->b, m->vals);
		m->keys = NULL;
		m->vals = NULL;
		return false;
	}
	memset(m->vals, 0, slots * sizeof(uint32_t));
	m->mask = slots - 1;
	return true;
}

bool kmap_init(kmap *m, budget *b, size_t hint)
{
	memset(m, 0, sizeof(*m));
	m->b = b;
	size_t slots = 64;
	while (slots < hint * 2)
		slots *= 2;
	return kmap_alloc(m, slots);
}

static bool kmap_grow(kmap *m)
{
	uint64_t *okeys = m->keys;
	uint32_t *ovals = m->vals;
	size_t oslots = m->mask + 1;
	if (!kmap_alloc(m, oslots * 2)) {
		m->keys = okeys;
		m->vals = ovals;
		m->mask = oslots - 1;
		return false;
	}
	for (size_t i = 0; i < oslots; i++) {
		if (!ovals[i])
			continue;
		size_t s = slot_of(okeys[2 * i], okeys[2 * i + 1], m->mask);
		while (m->vals[s])
			s = (s + 1) & m->mask;
		m->keys[2 * s] = okeys[2 * i];
		m->keys[2 * s + 1] = okeys[2 * i + 1];
		m->vals[s] = ovals[i];
	}
	budget_free(m->b, okeys);
	budget_free(m->b, ovals);
	return true;
}

uint32_t kmap_put(kmap *m, uint64_t a, uint64_t b, bool *added)
{
	if ((m->n + 1) * 2 > m->mask + 1 && !kmap_grow(m))
		return NONE;
	size_t s = slot_of(a, b, m->mask);
	for (;; s = (s + 1) & m->mask) {
		if (!m->vals[s])
			break;
		if (m->keys[2 * s] == a && m->keys[2 * s + 1] == b) {
			if (added)
				*added = false;
			return m->vals[s] - 1;
		}
	}
	if (m->n >= UINT32_MAX - 1)
		return NONE;
	m->keys[2 * s] = a;
	m->keys[2 * s + 1] = b;
	m->vals[s] = (uint32_t)++m->n;
	if (added)
		*added = true;
	return (uint32_t)(m->n - 1);
}

void kmap_free(kmap *m)
{
	if (m->vals) {
		budget_free(m->b, m->keys);
		budget_free(m->b, m->vals);
	}
	m->keys = NULL;
	m->vals = NULL;
	m->n = 0;
}
