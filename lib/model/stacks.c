/*
 * The stacks in order of their locations read from the root, for the
 * writers that walk shared prefixes once (callgrind, folded): a multikey
 * quicksort over location digits, split by root location across two cores
 * when there are many stacks.
 */
#include <string.h>

#include "model/model.h"

/* A stack being sorted: where its root location is in stack_locs (the
 * others go down from there), its length, and its index. Kept together so
 * that reading a location costs one memory access, not three. */
typedef struct sstack {
	uint32_t root, len, s;
} sstack;

/* Location d of a stack counted from the root, plus one; 0 past its end
 * (so a stack sorts before the stacks it is a prefix of). */
static inline uint32_t stack_digit(const uint32_t *locs, const sstack *x, uint32_t d)
{
	return d < x->len ? locs[x->root - d] + 1 : 0;
}

/*
 * A root group's stacks are read level by level, and each one's first
 * read of a cache line misses: the stacks of a group lie far apart in a
 * large profile's stack_locs, so without help the sort mostly waits on
 * memory. All of a cache-sized group's lines are asked for (prefetched)
 * while the group before it is sorted.
 */
static void prefetch_group(const uint32_t *locs, const sstack *x, size_t n)
{
	if (n > 2048)
		return;
	for (size_t i = 0; i < n; i++)
		for (uint32_t d = 0; d < x[i].len; d += 16)
			__builtin_prefetch(&locs[x[i].root - d]);
}

/* The stacks' sort: by location from the root. The shared prefixes come
 * out of the partitions for free (mkqs.h), for the callgrind writer's
 * walk. */
#define MKQS_NAME	       mkqs_stacks
#define MKQS_T		       sstack
#define MKQS_CTX	       const uint32_t *
#define MKQS_DIGIT(locs, x, d) stack_digit(locs, x, (uint32_t)(d))
#define MKQS_SMALL	       12
#define MKQS_FIRST	       prefetch_group
#include "core/mkqs.h"

typedef struct mkqs_job {
	const uint32_t *locs;
	budget *b;
	budget own; /* the second thread's count: budgets are not shared */
	sstack *a;
	mkqs_task *first;
	size_t nfirst;
	uint32_t *lcp;
	bool ok;
} mkqs_job;

static void *mkqs_thread(void *arg)
{
	mkqs_job *j = arg;
	j->ok = mkqs_stacks(j->b, j->locs, j->a, j->first, j->nfirst, j->lcp);
	return NULL;
}

/* Many root groups: the later ones (half the stacks) sorted on a second
 * thread; the groups are apart in a[] and lcp[], so nothing is shared. */
static bool mkqs_halves(const uint32_t *locs, budget *b, sstack *a, mkqs_task *first, size_t nfirst,
			uint32_t *lcp, size_t n)
{
	size_t h = nfirst, sum = 0;
	if (n >= lib_tuning.sort_stacks_grouped_min)
		for (h = 0; h < nfirst && sum < n / 2; h++)
			sum += first[h].n;
	if (h == 0 || h == nfirst)
		return mkqs_stacks(b, locs, a, first, nfirst, lcp);
	mkqs_job j[2] = {
		{ locs, b, { 0, 0 }, a, first, h, lcp, false },
		{ locs, NULL, { 0, b->limit - b->used }, a, first + h, nfirst - h, lcp, false }
	};
	j[1].b = &j[1].own;
	run_both(mkqs_thread, &j[0], mkqs_thread, &j[1]);
	return j[0].ok && j[1].ok;
}

bool sort_stacks(const pprofc_profile *p, budget *b, uint32_t *a, size_t n, uint32_t *lcp)
{
	const uint32_t *off = p->stack_off, *locs = p->stack_locs;
	if (n < 2) {
		if (n)
			lcp[0] = 0;
		return true;
	}
	sstack *el = budget_alloc(b, n * sizeof(sstack));
	if (!el)
		return false;
	bool ok = false;
	size_t *start = NULL;
	mkqs_task *first = NULL;
	size_t nfirst = 0;
	if (n < lib_tuning.sort_stacks_grouped_min) {
		for (size_t i = 0; i < n; i++) {
			uint32_t s = a[i];
			el[i] = (sstack){ off[s + 1] - 1, off[s + 1] - off[s], s };
		}
		first = budget_alloc(b, sizeof(*first));
		if (!first)
			goto done;
		first[nfirst++] = (mkqs_task){ 0, n, 0 };
	} else {
		/* Many stacks: partitioning them all, level after level, on
		 * their root locations would miss the cache on every read, so
		 * they are first placed by root location in one counting pass,
		 * and the rest of the sort works within cache-sized groups. */
		size_t nb = p->nlocations + 1;
		start = budget_alloc(b, (nb + 1) * sizeof(size_t));
		if (!start)
			goto done;
		memset(start, 0, (nb + 1) * sizeof(size_t));
		for (size_t i = 0; i < n; i++) {
			uint32_t s = a[i];
			start[(off[s + 1] > off[s] ? locs[off[s + 1] - 1] + 1 : 0) + 1]++;
		}
		for (size_t v = 0; v < nb; v++)
			start[v + 1] += start[v];
		size_t ngroups = 0;
		for (size_t v = 0; v < nb; v++)
			ngroups += start[v + 1] - start[v] > 1;
		first = budget_alloc(b, (ngroups + 1) * sizeof(*first));
		if (!first)
			goto done;
		for (size_t v = 0; v < nb; v++)
			if (start[v + 1] - start[v] > 1)
				first[nfirst++] =
					(mkqs_task){ start[v], start[v + 1] - start[v], 1 };
		for (size_t i = 0; i < n; i++) {
			uint32_t s = a[i];
			size_t v = off[s + 1] > off[s] ? locs[off[s + 1] - 1] + 1 : 0;
			el[start[v]++] = (sstack){ off[s + 1] - 1, off[s + 1] - off[s], s };
		}
	}
	memset(lcp, 0, n * sizeof(uint32_t));
	if (!mkqs_halves(locs, b, el, first, nfirst, lcp, n))
		goto done;
	for (size_t i = 0; i < n; i++)
		a[i] = el[i].s;
	ok = true;
done:
	budget_free(b, el);
	budget_free(b, start);
	budget_free(b, first);
	return ok;
}
