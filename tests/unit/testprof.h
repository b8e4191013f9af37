/*
 * The unit tests' reference profile, built by hand so that every expected
 * number below can be worked out on paper:
 *
 *   functions: 1 main (f.go), 2 a (f.go), 3 b (g.go)
 *   locations: 1 main:10, 2 a:20, 3 b:30, 4 b:31 inlined into a:21,
 *              5 lineless at 0xbeef
 *   samples (leaf first)           samples  cpu
 *     S1 [2 3 2 1] main a b a         1     100   recursion: a twice
 *     S2 [4 1]     main a b (inline)  1      10
 *     S3 []        no stack           1       5
 *     S4 [5 1]     main 0xbeef        1       7
 *     S5 [3 3 1]   main b b           2      50   self-recursion
 *     S6 [2 1]     main a             0       0   all zero: left out
 */
#ifndef TESTPROF_H
#define TESTPROF_H

#include "pbwriter.h"

static const char *const test_strings[] = { "",	    "samples", "count", "cpu",	"nanoseconds",
					    "main", "a",       "b",	"f.go", "g.go" };

static inline pbuf test_profile(int with_default_type)
{
	pbuf b = { 0 };
	pb_value_type(&b, 1, 2);
	pb_value_type(&b, 3, 4);
	static const uint64_t s1[] = { 2, 3, 2, 1 }, s2[] = { 4, 1 }, s4[] = { 5, 1 },
			      s5[] = { 3, 3, 1 }, s6[] = { 2, 1 };
	static const int64_t v1[] = { 1, 100 }, v2[] = { 1, 10 }, v3[] = { 1, 5 }, v4[] = { 1, 7 },
			     v5[] = { 2, 50 }, v6[] = { 0, 0 };
	pb_sample(&b, s1, 4, v1, 2);
	pb_sample(&b, s2, 2, v2, 2);
	pb_sample(&b, NULL, 0, v3, 2);
	pb_sample(&b, s4, 2, v4, 2);
	pb_sample(&b, s5, 3, v5, 2);
	pb_sample(&b, s6, 2, v6, 2);
	static const uint64_t f1[] = { 1 }, f2[] = { 2 }, f3[] = { 3 }, f4[] = { 3, 2 };
	static const int64_t l1[] = { 10 }, l2[] = { 20 }, l3[] = { 30 }, l4[] = { 31, 21 };
	pb_location(&b, 1, 0x1000, f1, l1, 1);
	pb_location(&b, 2, 0x2000, f2, l2, 1);
	pb_location(&b, 3, 0x3000, f3, l3, 1);
	pb_location(&b, 4, 0x4000, f4, l4, 2);
	pb_location(&b, 5, 0xbeef, NULL, NULL, 0);
	pb_function(&b, 1, 5, 8);
	pb_function(&b, 2, 6, 8);
	pb_function(&b, 3, 7, 9);
	pb_strings(&b, test_strings, sizeof(test_strings) / sizeof(test_strings[0]));
	if (with_default_type)
		pb_vfield(&b, 14, 1); /* default_sample_type = "samples" */
	return b;
}

/* A sink that collects output in memory, or fails after `fail_after`. */
typedef struct memsink {
	pbuf buf;
	size_t fail_after; /* 0: never fail */
} memsink;

static inline int memsink_write(void *ctx, const void *data, size_t len)
{
	memsink *m = ctx;
	if (m->fail_after && m->buf.n + len > m->fail_after)
		return -1;
	pb_raw(&m->buf, data, len);
	return 0;
}

static inline const char *memsink_str(memsink *m)
{
	pb_raw(&m->buf, "", 1);
	m->buf.n--;
	return (const char *)m->buf.d;
}

#endif
