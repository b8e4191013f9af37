/*
 * kmap: an open-addressing hash map from a pair of 64-bit keys to dense
 * indices, for the writers' aggregations (function identities, cost lines,
 * call edges). Dense values let callers keep entries in flat arrays.
 * A slot holds its keys and value together: a probe is one cache miss, not
 * two, which is most of the cost once the map outgrows the cache.
 */
#include <string.h>

#include "core/core.h"

static inline size_t slot_of(uint64_t a, uint64_t b, size_t mask)
{
	uint64_t h =
		a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull) * 0xC2B2AE3D27D4EB4Full;
	h ^= h >> 31;
	return (size_t)(h * 0xff51afd7ed558ccdull >> 20) & mask;
}

static bool kmap_alloc(kmap *m, size_t slots)
{
	m->slots = budget_alloc(m->b, slots * sizeof(kmap_slot));
	if (!m->slots)
		return false;
	memset(m->slots, 0, slots * sizeof(kmap_slot));
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
	kmap_slot *old = m->slots;
	size_t oslots = m->mask + 1;
	if (!kmap_alloc(m, oslots * 2)) {
		m->slots = old;
		m->mask = oslots - 1;
		return false;
	}
	for (size_t i = 0; i < oslots; i++) {
		if (!old[i].val)
			continue;
		size_t s = slot_of(old[i].a, old[i].b, m->mask);
		while (m->slots[s].val)
			s = (s + 1) & m->mask;
		m->slots[s] = old[i];
	}
	budget_free(m->b, old);
	return true;
}

uint32_t kmap_put(kmap *m, uint64_t a, uint64_t b, bool *added)
{
	if ((m->n + 1) * 2 > m->mask + 1 && !kmap_grow(m))
		return NONE;
	size_t s = slot_of(a, b, m->mask);
	for (;; s = (s + 1) & m->mask) {
		kmap_slot *e = &m->slots[s];
		if (!e->val)
			break;
		if (e->a == a && e->b == b) {
			if (added)
				*added = false;
			return e->val - 1;
		}
	}
	if (m->n >= UINT32_MAX - 1)
		return NONE;
	m->slots[s] = (kmap_slot){ a, b, (uint32_t)++m->n };
	if (added)
		*added = true;
	return (uint32_t)(m->n - 1);
}

void kmap_free(kmap *m)
{
	budget_free(m->b, m->slots);
	m->slots = NULL;
	m->n = 0;
}
