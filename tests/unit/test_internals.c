/* Unit tests of internal pieces: pprof-style units, the hash map, the
 * merge sort and the memory budget. Linked against the static library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "write/write.h"
#include "load/load.h"
#include "fetch/fetch.h"
#include "pbwriter.h"

static void expect_label(int64_t v, const char *from, const char *to, const char *want)
{
	char buf[64];
	units_label(buf, sizeof(buf), v, from, to);
	assert_string_equal(buf, want);
}

static void test_units(void **state)
{
	(void)state;
	/* What go tool pprof prints for the same values. */
	expect_label(1080000000, "nanoseconds", "s", "1.08s");
	expect_label(670000000, "nanoseconds", "minimum", "670ms");
	expect_label(1151135586, "bytes", "minimum", "1.07GB");
	expect_label(7072380, "bytes", "kB", "6906.62kB");
	expect_label(0, "nanoseconds", "s", "0");
	expect_label(42, "count", "minimum", "42");
	expect_label(-1500000000, "nanoseconds", "s", "-1.50s");
	expect_label(7200000000000, "nanoseconds", "minimum", "2hrs");
	/* The resolved form gives the same text. */
	static const char *const tos[] = { "s", "ms", "kB", "MB", "count", "nanoseconds" };
	static const int64_t vals[] = { 0, 1, 5, 999, 1234567, 1080000000, -2500000, 7072380 };
	for (size_t i = 0; i < sizeof(tos) / sizeof(tos[0]); i++)
		for (size_t j = 0; j < sizeof(vals) / sizeof(vals[0]); j++)
			for (int k = 0; k < 2; k++) {
				const char *from = k ? "bytes" : "nanoseconds";
				char a[64], b[64];
				units_fixed uf;
				units_fix(&uf, from, tos[i]);
				units_label(a, sizeof(a), vals[j], from, tos[i]);
				units_label_fixed(b, sizeof(b), vals[j], &uf);
				assert_string_equal(a, b);
			}
	char buf[32];
	units_percent(buf, sizeof(buf), 1, 3);
	assert_string_equal(buf, "33.33%");
	units_percent(buf, sizeof(buf), 1, 1000);
	assert_string_equal(buf, "  0.1%");
	units_percent(buf, sizeof(buf), 5, 5);
	assert_string_equal(buf, "  100%");
	units_percent(buf, sizeof(buf), 0, 0);
	assert_string_equal(buf, "    0%");
}

/* What the library's formatting replaced: printf, as pprof's Go code does
 * it (the same correctly rounded decimal). */
static void ref_label(char *buf, size_t n, int64_t value, const units_fixed *uf)
{
	char num[64];
	snprintf(num, sizeof(num), "%.2f", (double)value * uf->from / uf->to);
	size_t len = strlen(num);
	if (len > 3 && !strcmp(num + len - 3, ".00"))
		num[len - 3] = '\0';
	if (!strcmp(num, "0") || !strcmp(num, "-0"))
		snprintf(buf, n, "0");
	else
		snprintf(buf, n, "%s%s", num, uf->name);
}

static void ref_percent(char *buf, size_t n, int64_t value, int64_t total)
{
	double r = total ? fabs((double)value / (double)total) * 100 : 0;
	if (r >= 99.95 && r <= 100.05)
		snprintf(buf, n, "  100%%");
	else if (r >= 1.0)
		snprintf(buf, n, "%5.2f%%", r);
	else
		snprintf(buf, n, "%5.2g%%", r);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* The fast number formatting against printf on 400,000 values: random
 * magnitudes, exact ties (x.xx5), and values next to the edges of the
 * %g exponents. */
static void test_formatting_matches_printf(void **state)
{
	(void)state;
	static const char *const tos[] = { "s", "ms", "us", "kB", "MB", "GB", "count" };
	static const char *const froms[] = { "nanoseconds", "nanoseconds", "nanoseconds", "bytes",
					     "bytes",	    "bytes",	   "count" };
	size_t checked = 0;
	for (int i = 0; i < 200000; i++) {
		int64_t v;
		switch (i % 4) {
		case 0: /* any magnitude */
			v = (int64_t)(rnd() >> (rnd() % 64));
			break;
		case 1: /* ties in the third decimal */
			v = (int64_t)(rnd() % 100000) * 10 + 5;
			break;
		case 2:
			v = (int64_t)(rnd() % 2000000);
			break;
		default:
			v = -(int64_t)(rnd() % 100000000);
		}
		size_t u = (size_t)i % 7;
		units_fixed uf;
		units_fix(&uf, froms[u], tos[u]);
		char a[64], b[64];
		units_label_fixed(a, sizeof(a), v, &uf);
		ref_label(b, sizeof(b), v, &uf);
		if (strcmp(a, b))
			fail_msg("label of %lld in %s: %s, printf says %s", (long long)v, tos[u], a,
				 b);
		int64_t total = (int64_t)(rnd() % 1000000000) + 1;
		int64_t part = i % 3 == 0   ? (int64_t)(rnd() % (uint64_t)total)
			       : i % 3 == 1 ? (int64_t)(rnd() % ((uint64_t)total / 100 + 1))
					    : total / 1000 * (int64_t)(rnd() % 20);
		units_percent(a, sizeof(a), part, total);
		ref_percent(b, sizeof(b), part, total);
		if (strcmp(a, b))
			fail_msg("%lld of %lld: %s, printf says %s", (long long)part,
				 (long long)total, a, b);
		checked += 2;
	}
	/* Every percentage of a total of 10000 and 8192: all the exact
	 * decimal and binary ties. */
	for (int64_t t = 8192; t <= 10000; t += 1808)
		for (int64_t part = 0; part <= t; part++) {
			char a[64], b[64];
			units_percent(a, sizeof(a), part, t);
			ref_percent(b, sizeof(b), part, t);
			if (strcmp(a, b))
				fail_msg("%lld of %lld: %s, printf says %s", (long long)part,
					 (long long)t, a, b);
			checked++;
		}
	assert_true(checked > 400000);
}

static void test_kmap(void **state)
{
	(void)state;
	budget b = { 0, 1 << 30 };
	kmap m;
	assert_true(kmap_init(&m, &b, 4));
	bool added;
	for (uint64_t i = 0; i < 10000; i++)
		assert_int_equal(kmap_put(&m, i, i * 7, &added), i);
	for (uint64_t i = 0; i < 10000; i++) {
		assert_int_equal(kmap_put(&m, i, i * 7, &added), i);
		assert_false(added);
	}
	assert_int_equal(kmap_put(&m, 1, 8, &added), 10000);
	assert_true(added);
	kmap_free(&m);
	assert_int_equal(b.used, 0);
}

static int cmp_first(const void *a, const void *b, void *ctx)
{
	(void)ctx;
	const int *x = a, *y = b;
	return (x[0] > y[0]) - (x[0] < y[0]);
}

static void test_sort_is_stable(void **state)
{
	(void)state;
	budget b = { 0, 1 << 20 };
	int v[100][2];
	for (int i = 0; i < 100; i++) {
		v[i][0] = (i * 37) % 10;
		v[i][1] = i;
	}
	assert_true(sort_ctx(&b, v, 100, sizeof(v[0]), cmp_first, NULL));
	for (int i = 1; i < 100; i++) {
		assert_true(v[i - 1][0] <= v[i][0]);
		if (v[i - 1][0] == v[i][0])
			assert_true(v[i - 1][1] < v[i][1]);
	}
	assert_int_equal(b.used, 0);
}

static void test_budget(void **state)
{
	(void)state;
	budget b = { 0, 1000 };
	void *x = budget_alloc(&b, 600);
	assert_non_null(x);
	assert_null(budget_alloc(&b, 600)); /* over the limit */
	x = budget_realloc(&b, x, 900);
	assert_non_null(x);
	assert_int_equal(b.used, 900);
	assert_null(budget_realloc(&b, x, 2000));
	budget_free(&b, x);
	budget_free(&b, NULL);
	assert_int_equal(b.used, 0);
}

/* An array grown a word at a time past the size where its block gets a
 * mapping of its own, then shrunk: every word kept, the count exact. */
static void test_budget_growth(void **state)
{
	(void)state;
	budget b = { 0, 64 << 20 };
	uint64_t *a = NULL;
	size_t cap = 0, n = (size_t)3 << 17; /* 3 MB */
	for (size_t i = 0; i < n; i++) {
		assert_true(vec_reserve(&b, (void **)&a, &cap, i + 1, sizeof(*a)));
		a[i] = i * 0x9E3779B97F4A7C15ull;
	}
	assert_int_equal(b.used, cap * sizeof(*a));
	for (size_t i = 0; i < n; i++)
		assert_true(a[i] == i * 0x9E3779B97F4A7C15ull);
	size_t keep = 1000;
	a = budget_realloc(&b, a, keep * sizeof(*a));
	assert_non_null(a);
	assert_int_equal(b.used, keep * sizeof(*a));
	for (size_t i = 0; i < keep; i++)
		assert_true(a[i] == i * 0x9E3779B97F4A7C15ull);
	a = budget_realloc(&b, a, n * sizeof(*a)); /* grows again */
	assert_non_null(a);
	for (size_t i = 0; i < keep; i++)
		assert_true(a[i] == i * 0x9E3779B97F4A7C15ull);
	assert_null(budget_realloc(&b, a, (size_t)65 << 20)); /* over the limit */
	budget_free(&b, a);
	assert_int_equal(b.used, 0);
}

/* Stacks a and b compared as the sort orders them: location by location
 * from the root, a prefix first; *lcp gets the locations they share. */
static int stack_cmp(const pprofc_profile *p, uint32_t a, uint32_t b, uint32_t *lcp)
{
	uint32_t la = p->stack_off[a + 1] - p->stack_off[a],
		 lb = p->stack_off[b + 1] - p->stack_off[b];
	for (uint32_t d = 0;; d++) {
		*lcp = d;
		if (d == la || d == lb)
			return la == lb ? 0 : d == la ? -1 : 1;
		uint32_t u = p->stack_locs[p->stack_off[a + 1] - 1 - d],
			 v = p->stack_locs[p->stack_off[b + 1] - 1 - d];
		if (u != v)
			return u < v ? -1 : 1;
	}
}

/* Stacks of 1 to 20 locations out of 5, so that many share long
 * prefixes (the sort keeps a stack's next locations in its element and
 * reads them again past the fourth): sorted, grouped by root or not, each
 * in order after the one before and sharing with it what it says. */
static void test_sort_stacks(void **state)
{
	(void)state;
	pbuf b = { 0 };
	pb_value_type(&b, 1, 2);
	uint64_t rng = 12345, locs[20];
	static const int64_t one[] = { 1 };
	for (int i = 0; i < 3000; i++) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		size_t n = 1 + (rng >> 33) % 20;
		for (size_t k = 0; k < n; k++) {
			rng = rng * 6364136223846793005ull + 1442695040888963407ull;
			/* mostly the same few paths: location k+1, sometimes another */
			locs[n - 1 - k] = (rng >> 40) % 4 ? k % 5 + 1 : (rng >> 33) % 5 + 1;
		}
		pb_sample(&b, locs, n, one, 1);
	}
	static const uint64_t f1[] = { 1 };
	static const int64_t l1[] = { 1 };
	for (uint64_t id = 1; id <= 5; id++)
		pb_location(&b, id, id, f1, l1, 1);
	pb_function(&b, 1, 3, 0);
	static const char *const strs[] = { "", "cpu", "ns", "f" };
	pb_strings(&b, strs, 4);
	pprofc_profile *p = pprofc_profile_create();
	assert_int_equal(pprofc_profile_load_memory(p, b.d, b.n), PPROFC_OK);
	size_t n = p->nstacks, saved = lib_tuning.sort_stacks_grouped_min;
	assert_true(n > 1000);
	uint32_t *a = malloc(n * sizeof(uint32_t)), *lcp = malloc(n * sizeof(uint32_t));
	assert_non_null(a);
	assert_non_null(lcp);
	for (int grouped = 0; grouped < 2; grouped++) {
		lib_tuning.sort_stacks_grouped_min = grouped ? 0 : SIZE_MAX;
		for (size_t i = 0; i < n; i++)
			a[i] = (uint32_t)(n - 1 - i);
		budget bb = { 0, 1 << 30 };
		assert_true(sort_stacks(p, &bb, a, n, lcp));
		assert_int_equal(bb.used, 0);
		assert_int_equal(lcp[0], 0);
		for (size_t i = 1; i < n; i++) {
			uint32_t shared;
			assert_true(stack_cmp(p, a[i - 1], a[i], &shared) < 0);
			assert_int_equal(lcp[i], shared);
		}
	}
	lib_tuning.sort_stacks_grouped_min = saved;
	free(a);
	free(lcp);
	pprofc_profile_destroy(p);
	pb_free(&b);
}

/* A profile of 200 samples, its locations after them (so their stacks are
 * mapped from ids once the walk is over), in reverse order of id (so an
 * id is not its index plus one); bad[k] (0: none) replaces a location of
 * sample k by an id that does not exist. */
static pprofc_profile *load_late_locations(const uint64_t *bad, char *msg, size_t msglen)
{
	pbuf b = { 0 };
	pb_value_type(&b, 1, 2);
	static const int64_t one[] = { 1 };
	for (uint64_t i = 0; i < 200; i++) {
		uint64_t locs[12];
		size_t n = 1 + i % 12;
		for (size_t k = 0; k < n; k++)
			locs[k] = (i * 7 + k * 3) % 5 + 1;
		if (bad[i])
			locs[n / 2] = bad[i];
		pb_sample(&b, locs, n, one, 1);
	}
	static const uint64_t f1[] = { 1 };
	static const int64_t l1[] = { 1 };
	for (uint64_t id = 5; id >= 1; id--)
		pb_location(&b, id, id, f1, l1, 1);
	pb_function(&b, 1, 3, 0);
	static const char *const strs[] = { "", "cpu", "ns", "f" };
	pb_strings(&b, strs, 4);
	pprofc_profile *p = pprofc_profile_create();
	pprofc_status st = pprofc_profile_load_memory(p, b.d, b.n);
	snprintf(msg, msglen, "%s", st == PPROFC_OK ? "ok" : pprofc_profile_errmsg(p));
	pb_free(&b);
	return p;
}

/* The stacks' ids mapped to indices in two halves: every location of
 * both halves mapped, and the first unknown id the one reported, whether
 * it is in the first half or only in the second. */
static void test_map_stacks_halves(void **state)
{
	(void)state;
	size_t saved = lib_tuning.map_stacks_split_min;
	uint64_t bad[200] = { 0 };
	char msg[256];
	for (int split = 0; split < 2; split++) {
		lib_tuning.map_stacks_split_min = split ? 0 : SIZE_MAX;
		memset(bad, 0, sizeof(bad));
		pprofc_profile *p = load_late_locations(bad, msg, sizeof(msg));
		assert_string_equal(msg, "ok");
		for (size_t i = 0; i < 200; i++) {
			uint32_t s = p->sample_stack[i], off = p->stack_off[s];
			size_t n = 1 + i % 12;
			assert_int_equal(p->stack_off[s + 1] - off, n);
			for (size_t k = 0; k < n; k++) /* id 5 is index 0 */
				assert_int_equal(p->stack_locs[off + k],
						 5 - ((i * 7 + k * 3) % 5 + 1));
		}
		pprofc_profile_destroy(p);

		bad[150] = 17; /* in the second half only */
		pprofc_profile_destroy(load_late_locations(bad, msg, sizeof(msg)));
		assert_string_equal(msg, "location id 17 in sample 150 does not exist");
		bad[30] = 18; /* and in the first */
		pprofc_profile_destroy(load_late_locations(bad, msg, sizeof(msg)));
		assert_string_equal(msg, "location id 18 in sample 30 does not exist");
	}
	lib_tuning.map_stacks_split_min = saved;
}

/* What a name shows once escaped, whole and through escape_name's pieces. */
static void expect_escaped(const char *in, size_t len, const char *want)
{
	char buf[4 * 64 + 1];
	assert_true(len <= 64);
	*fmt_name_escaped(buf, in, len) = '\0';
	assert_string_equal(buf, want);
}

#define EXPECT_ESCAPED(in, want) expect_escaped((in), sizeof(in) - 1, (want))

static bool put_buf(void *ctx, const char *p, size_t n)
{
	char **end = ctx;
	memcpy(*end, p, n);
	*end += n;
	return true;
}

static void test_escape_names(void **state)
{
	(void)state;
	EXPECT_ESCAPED("main.run", "main.run");
	EXPECT_ESCAPED("a\0b\x1b[2J\x07\x7f\n\t", "a\\x00b\\x1b[2J\\x07\\x7f\\x0a\\x09");
	/* valid UTF-8 letters as they are, 2, 3 and 4 bytes */
	EXPECT_ESCAPED("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\xa5",
		       "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\xa5");
	/* C1 controls: raw bytes (no UTF-8) as bytes, the code points as such */
	EXPECT_ESCAPED("\x80\x9b\x9f", "\\x80\\x9b\\x9f");
	EXPECT_ESCAPED("\xc2\x80\xc2\x9b\xc2\x9f\xc2\xa0", "\\u0080\\u009b\\u009f\xc2\xa0");
	/* bidi embeddings, overrides and isolates; their neighbours kept */
	EXPECT_ESCAPED("\xe2\x80\xaa\xe2\x80\xae\xe2\x81\xa6\xe2\x81\xa9",
		       "\\u202a\\u202e\\u2066\\u2069");
	EXPECT_ESCAPED("\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa",
		       "\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa");
	/* bytes outside UTF-8 from 0xa0 pass, as pprof passes them; a cut
	 * sequence is bytes: its 0x80-0x9f continuation escaped */
	EXPECT_ESCAPED("bad\xff\xfe\xc3", "bad\xff\xfe\xc3");
	EXPECT_ESCAPED("\xe2\x80", "\xe2\\x80");
	EXPECT_ESCAPED("\xc0\x9b", "\xc0\\x9b"); /* an overlong ESC: bytes */

	/* escape_name's pieces never split a character: an override and a
	 * letter across each place a 256-byte piece could end */
	for (size_t at = 250; at < 260; at++) {
		char in[600], whole[4 * 600], pieces[4 * 600], *end = pieces;
		memset(in, 'x', sizeof(in));
		memcpy(in + at, "\xe2\x80\xae\xc3\xa9\xf0\x9f\x94\xa5\xc2\x9b", 11);
		memcpy(in + at + 256, "\xe2\x81\xa6", 3);
		*fmt_name_escaped(whole, in, sizeof(in)) = '\0';
		assert_true(escape_name(in, sizeof(in), put_buf, &end));
		*end = '\0';
		assert_string_equal(pieces, whole);
		assert_non_null(strstr(whole, "\\u202e\xc3\xa9\xf0\x9f\x94\xa5\\u009b"));
		assert_non_null(strstr(whole, "\\u2066"));
	}

	/* into a message's buffer: cut after the last character that fits */
	char msg[8];
	assert_int_equal(escape_name_buf(msg, sizeof(msg), "ab\033cdef", 7), 7);
	assert_string_equal(msg, "ab\\x1bc");
	assert_int_equal(escape_name_buf(msg, sizeof(msg), "ab\xe2\x80\xae", 5), 2);
	assert_string_equal(msg, "ab");
	assert_int_equal(escape_name_buf(msg, sizeof(msg), "\xe6\x97\xa5\xe6\x9c\xac", 6), 6);
	assert_string_equal(msg, "\xe6\x97\xa5\xe6\x9c\xac");
	assert_int_equal(escape_name_buf(msg, 1, "abc", 3), 0);
	assert_string_equal(msg, "");
}

/* pprof's regular expressions are Go's RE2 syntax, read by PCRE2 (regex.c). */
static bool rx_matches(const char *pattern, const char *s, size_t len)
{
	char why[128];
	regexp *re = rx_compile(pattern, why, sizeof(why));
	assert_non_null(re);
	bool m = rx_match(re, s, len);
	rx_free(re);
	return m;
}

#define RX_MATCHES(pattern, s) rx_matches((pattern), (s), sizeof(s) - 1)

typedef struct rx_job {
	const regexp *re;
	int wrong;
} rx_job;

static void *rx_worker(void *arg)
{
	rx_job *j = arg;
	for (int i = 0; i < 20000; i++)
		j->wrong += rx_match(j->re, "main.fib42", 10) != true ||
			    rx_match(j->re, "main.fib", 8) != false;
	return NULL;
}

static void test_regex(void **state)
{
	(void)state;
	/* RE2's syntax, unanchored like Go's MatchString */
	assert_true(RX_MATCHES("sha\\d+", "crypto/sha256.block"));
	assert_true(RX_MATCHES("(?i)MAIN\\.", "main.fib"));
	assert_true(RX_MATCHES("\\bfib\\b", "main.fib"));
	assert_false(RX_MATCHES("\\bfib\\b", "main.fibonacci"));
	assert_true(RX_MATCHES("m.*?x", "main.mix"));
	assert_true(RX_MATCHES("^[[:alpha:]]+\\.main$", "runtime.main"));
	assert_true(RX_MATCHES("\\pL+\\.fib", "main.fib"));
	/* '$' is the end of the text, as in RE2 (not before a final newline) */
	assert_false(RX_MATCHES("fib$", "main.fib\n"));
	/* \d, \w, \b are ASCII only, as in RE2 (no PCRE2_UCP): not U+0663,
	 * not e-acute, and a boundary between e-acute and x; (?i) folds
	 * Unicode case as RE2 does */
	assert_false(RX_MATCHES("\\d", "\xd9\xa3"));
	assert_false(RX_MATCHES("\\w", "\xc3\xa9"));
	assert_false(RX_MATCHES("[[:alpha:]]", "\xc3\xa9"));
	assert_true(RX_MATCHES("\\bx", "\xc3\xa9x"));
	assert_true(RX_MATCHES("(?i)\xc3\xa9", "\xc3\x89"));
	/* invalid UTF-8 in a name: no error, the valid text around it still
	 * matches, the bad bytes match nothing */
	assert_true(RX_MATCHES("fib", "main.\xff\xfe fib"));
	assert_true(RX_MATCHES("fib$", "\xc3main.fib"));
	assert_true(RX_MATCHES("^\xe6\x97\xa5", "\xe6\x97\xa5\xe6\x9c"));
	assert_false(RX_MATCHES("x", "\xff\xc3\x28\xe2\x82"));
	assert_false(RX_MATCHES("\\xff", "\xff"));
	/* the length is the subject's: embedded NULs are text, a prefix is
	 * all there is */
	assert_true(RX_MATCHES("a\\x00fib", "a\0fib"));
	assert_false(rx_matches("fib", "fibonacci", 2));
	assert_true(rx_matches("^$", "", 0));
	assert_true(rx_matches("", NULL, 0));

	/* a pattern PCRE2 (and RE2) rejects: PCRE2's reason and offset */
	char why[128];
	assert_null(rx_compile("a[", why, sizeof(why)));
	assert_string_equal(why, "missing terminating ] for character class at offset 2");
	assert_null(rx_compile("(?<", why, sizeof(why)));
	assert_null(rx_compile("a**", why, sizeof(why)));
	assert_null(rx_compile("\\C", why, sizeof(why)));
	assert_null(rx_compile("\xff", why, sizeof(why))); /* not UTF-8 */
	assert_non_null(strstr(why, "UTF-8"));
	rx_free(NULL);

	/* one regexp matched from several threads at once */
	regexp *re = rx_compile("fib\\d", why, sizeof(why));
	assert_non_null(re);
	rx_job jobs[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		jobs[i] = (rx_job){ re, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, rx_worker, &jobs[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(jobs[i].wrong, 0);
	}
	rx_free(re);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_formatting_matches_printf),
		cmocka_unit_test(test_kmap),
		cmocka_unit_test(test_sort_is_stable),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_budget_growth),
		cmocka_unit_test(test_sort_stacks),
		cmocka_unit_test(test_map_stacks_halves),
		cmocka_unit_test(test_escape_names),
		cmocka_unit_test(test_regex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
