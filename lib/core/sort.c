/*
 * sort: a stable bottom-up merge sort with a context argument for the
 * comparator (C's qsort has none, and qsort_r differs between libcs).
 */
#include <string.h>

#include "core/core.h"

/* One merge pass over runs of `width`; the element size is a constant
 * where it is inlined, so copies are moves, not calls. */
static inline void merge_pass(const char *src, char *dst, size_t n, size_t size, size_t width,
			      int (*cmp)(const void *, const void *, void *), void *ctx)
{
	for (size_t lo = 0; lo < n; lo += 2 * width) {
		size_t mid = lo + width < n ? lo + width : n;
		size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
		size_t i = lo, j = mid, k = lo;
		while (i < mid && j < hi) {
			/* take from the right only when strictly smaller: stable */
			if (cmp(src + j * size, src + i * size, ctx) < 0)
				memcpy(dst + k++ * size, src + j++ * size, size);
			else
				memcpy(dst + k++ * size, src + i++ * size, size);
		}
		memcpy(dst + k * size, src + i * size, (mid - i) * size);
		k += mid - i;
		memcpy(dst + k * size, src + j * size, (hi - j) * size);
	}
}

bool sort_ctx(budget *b, void *base, size_t n, size_t size,
	      int (*cmp)(const void *, const void *, void *), void *ctx)
{
	if (n < 2)
		return true;
	char *tmp = budget_alloc(b, n * size);
	if (!tmp)
		return false;
	char *src = base, *dst = tmp;
	/* the common sizes as constants, each its own inlined copy */
#define PASS_OF(k)                                           \
	case k:                                              \
		merge_pass(src, dst, n, k, width, cmp, ctx); \
		break
	for (size_t width = 1; width < n; width *= 2) {
		switch (size) {
			PASS_OF(4);
			PASS_OF(8);
			PASS_OF(16);
			PASS_OF(24);
		default:
			merge_pass(src, dst, n, size, width, cmp, ctx);
			break;
		}
		char *t = src;
		src = dst;
		dst = t;
	}
#undef PASS_OF
	if (src != (char *)base)
		memcpy(base, src, n * size);
	budget_free(b, tmp);
	return true;
}
