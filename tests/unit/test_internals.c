/* Unit tests of internal pieces: pprof-style units, the hash map, the
 * merge sort and the memory budget. Linked against the static library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "units.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_kmap),
		cmocka_unit_test(test_sort_is_stable),
		cmocka_unit_test(test_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
