/*
 * mkqs.h: multikey quicksort (Bentley and Sedgewick) as a template, for
 * sequences compared digit by digit: stacks by location, names by byte,
 * folded lines by frame rank. A range is partitioned three ways on one
 * digit, then its equal part moves on to the next digit, so a long prefix
 * shared by many elements (a root path, a package name) is read once per
 * level instead of once per comparison. Pending parts go on a heap stack,
 * so no input can overflow the C stack; pivots are medians of three
 * pseudo-random picks.
 *
 * Define, then include (several times in a file, for several sorts):
 *   MKQS_NAME              the function: bool NAME(budget *, MKQS_CTX,
 *                          MKQS_T *a, const mkqs_task *first, size_t
 *                          nfirst, uint32_t *lcp)
 *   MKQS_T                 the element type
 *   MKQS_CTX               what the digits are read through
 *   MKQS_DIGIT(ctx, x, d)  digit d of element *x as a uint32_t, 0 past its
 *                          end (0 must be no real digit)
 *   MKQS_SMALL             ranges up to this size are insertion-sorted
 *   MKQS_FIRST(ctx, x, n)  optional: called on each range of first[]
 *                          while the one before it is sorted (to ask for
 *                          its digits' memory in time)
 *
 * first[] holds the ranges to sort (a range's elements share its first d
 * digits). lcp, unless NULL, gets for each element how many digits it
 * shares with the one before it, where the ranges' own boundaries were
 * set before (zero for a single range).
 */
#ifndef PPROFC_MKQS_TASK
#define PPROFC_MKQS_TASK
typedef struct mkqs_task {
	size_t lo, n, d;
} mkqs_task;
#define MKQS_CAT_(a, b) a##b
#define MKQS_CAT(a, b)	MKQS_CAT_(a, b)
#endif

static int MKQS_CAT(MKQS_NAME, _from)(MKQS_CTX ctx, const MKQS_T *x, const MKQS_T *y, size_t d)
{
	for (;; d++) {
		uint32_t u = MKQS_DIGIT(ctx, x, d), v = MKQS_DIGIT(ctx, y, d);
		if (u != v)
			return u < v ? -1 : 1;
		if (!u)
			return 0;
	}
}

static bool MKQS_NAME(budget *b, MKQS_CTX ctx, MKQS_T *a, const mkqs_task *first, size_t nfirst,
		      uint32_t *lcp)
{
	mkqs_task *st = NULL;
	size_t nst = 0, cap = 0;
	uint64_t rng = 0x9E3779B97F4A7C15ull;
	if (!vec_grow(b, (void **)&st, &cap, nfirst + 1, sizeof(*st))) /* from empty */
		return false;
	memcpy(st, first, nfirst * sizeof(*st));
	nst = nfirst;
#ifdef MKQS_FIRST
	if (nst)
		MKQS_FIRST(ctx, a + st[nst - 1].lo, st[nst - 1].n);
#endif
	while (nst) {
		mkqs_task t = st[--nst];
		MKQS_T *x = a + t.lo;
#ifdef MKQS_FIRST
		/* a range of first[] (they lie below every part of one): the
		 * next one's turn comes when this one is sorted */
		if (nst < nfirst && nst)
			MKQS_FIRST(ctx, a + st[nst - 1].lo, st[nst - 1].n);
#endif
		size_t m = t.n, base = t.lo, d = t.d;
		while (m > MKQS_SMALL) {
			uint32_t pv[3];
			for (int k = 0; k < 3; k++) {
				rng ^= rng << 13;
				rng ^= rng >> 7;
				rng ^= rng << 17;
				pv[k] = MKQS_DIGIT(ctx, &x[rng % m], d);
			}
			uint32_t piv = pv[0] < pv[1] ? (pv[1] < pv[2]	? pv[1]
							: pv[0] < pv[2] ? pv[2]
									: pv[0])
						     : (pv[0] < pv[2]	? pv[0]
							: pv[1] < pv[2] ? pv[2]
									: pv[1]);
			size_t lt = 0, i = 0, gt = m;
			while (i < gt) {
				uint32_t v = MKQS_DIGIT(ctx, &x[i], d);
				MKQS_T tmp;
				if (v < piv) {
					tmp = x[lt];
					x[lt++] = x[i];
					x[i++] = tmp;
				} else if (v > piv) {
					tmp = x[--gt];
					x[gt] = x[i];
					x[i] = tmp;
				} else {
					i++;
				}
			}
			if (!vec_reserve(b, (void **)&st, &cap, nst + 2, sizeof(*st))) {
				budget_free(b, st);
				return false;
			}
			if (lt > 1)
				st[nst++] = (mkqs_task){ base, lt, d };
			if (m - gt > 1)
				st[nst++] = (mkqs_task){ base + gt, m - gt, d };
			/* the parts meet where they differ: at digit d */
			if (lcp && lt)
				lcp[base + lt] = (uint32_t)d;
			if (lcp && gt < m)
				lcp[base + gt] = (uint32_t)d;
			if (!piv) { /* all ended here: equal elements */
				for (size_t k = lt + 1; lcp && k < gt; k++)
					lcp[base + k] = (uint32_t)d;
				m = 0;
				break;
			}
			x += lt;
			base += lt;
			m = gt - lt;
			d++;
		}
		for (size_t i = 1; i < m; i++) {
			MKQS_T v = x[i];
			size_t j = i;
			for (; j > 0 && MKQS_CAT(MKQS_NAME, _from)(ctx, &x[j - 1], &v, d) > 0; j--)
				x[j] = x[j - 1];
			x[j] = v;
		}
		for (size_t i = 1; lcp && i < m; i++) {
			size_t e = d;
			uint32_t u;
			while ((u = MKQS_DIGIT(ctx, &x[i - 1], e)) &&
			       u == MKQS_DIGIT(ctx, &x[i], e))
				e++;
			lcp[base + i] = (uint32_t)e;
		}
	}
	budget_free(b, st);
	return true;
}

#undef MKQS_NAME
#undef MKQS_T
#undef MKQS_CTX
#undef MKQS_DIGIT
#undef MKQS_SMALL
#undef MKQS_FIRST
