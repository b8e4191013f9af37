/* Unit tests: loading (gzip and raw, limits, sample-type selection). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pprofc.h"
#include "testprof.h"

static pprofc_profile *load(const pbuf *b)
{
	pprofc_profile *p = pprofc_profile_create();
	assert_non_null(p);
	pprofc_status st = pprofc_profile_load_memory(p, b->d, b->n);
	if (st != PPROFC_OK)
		fail_msg("load failed: %s", pprofc_profile_errmsg(p));
	return p;
}

/* A profile of one sample type, one location (function 1, line 3) and the
 * given encoded Sample message: for tests of how samples are read. */
static pprofc_profile *load_one_sample(pbuf *b, const pbuf *sample)
{
	pb_value_type(b, 1, 2);
	pb_lfield(b, 2, sample);
	static const uint64_t f1[] = { 1 };
	static const int64_t l1[] = { 3 };
	pb_location(b, 1, 0, f1, l1, 1);
	pb_function(b, 1, 1, 0);
	static const char *const strs[] = { "", "x", "y" };
	pb_strings(b, strs, 3);
	return load(b);
}

static void test_raw_and_gzip_agree(void **state)
{
	(void)state;
	pbuf raw = test_profile(0), z = pb_gzip(&raw);
	pprofc_profile *a = load(&raw), *b = load(&z);
	assert_int_equal(pprofc_profile_sample_count(a), 6);
	assert_int_equal(pprofc_profile_sample_type_count(a), 2);
	assert_int_equal(pprofc_profile_total(a, 1), 172);
	assert_int_equal(pprofc_profile_total(b, 1), 172);
	assert_int_equal(pprofc_profile_total(a, 0), 6);
	const char *type, *unit;
	assert_int_equal(pprofc_profile_sample_type(b, 1, &type, &unit), PPROFC_OK);
	assert_string_equal(type, "cpu");
	assert_string_equal(unit, "nanoseconds");
	pprofc_profile_destroy(a);
	pprofc_profile_destroy(b);
	pb_free(&raw);
	pb_free(&z);
}

static void test_default_sample_type(void **state)
{
	(void)state;
	pbuf plain = test_profile(0), dflt = test_profile(1);
	pprofc_profile *a = load(&plain), *b = load(&dflt);
	size_t idx = 99;
	assert_int_equal(pprofc_profile_select_sample_type(a, NULL, &idx), PPROFC_OK);
	assert_int_equal(idx, 1); /* unset: the last type */
	assert_int_equal(pprofc_profile_select_sample_type(b, "", &idx), PPROFC_OK);
	assert_int_equal(idx, 0); /* default_sample_type = samples */
	assert_int_equal(pprofc_profile_select_sample_type(b, "cpu", &idx), PPROFC_OK);
	assert_int_equal(idx, 1);
	assert_int_equal(pprofc_profile_select_sample_type(b, "0", &idx), PPROFC_OK);
	assert_int_equal(idx, 0);
	pprofc_profile_destroy(a);
	pprofc_profile_destroy(b);
	pb_free(&plain);
	pb_free(&dflt);
}

static void test_unknown_sample_type_lists_choices(void **state)
{
	(void)state;
	pbuf raw = test_profile(0);
	pprofc_profile *p = load(&raw);
	size_t idx = 42;
	assert_int_equal(pprofc_profile_select_sample_type(p, "alloc_space", &idx),
			 PPROFC_ERR_USAGE);
	assert_int_equal(idx, 42); /* untouched on failure */
	assert_string_equal(pprofc_profile_errmsg(p),
			    "unknown sample type 'alloc_space' (available: 0=samples, 1=cpu)");
	assert_int_equal(pprofc_profile_select_sample_type(p, "2", &idx), PPROFC_ERR_USAGE);
	assert_int_equal(pprofc_profile_select_sample_type(p, "-1", &idx), PPROFC_ERR_USAGE);
	pprofc_profile_destroy(p);
	pb_free(&raw);
}

static void test_load_once(void **state)
{
	(void)state;
	pbuf raw = test_profile(0);
	pprofc_profile *p = load(&raw);
	assert_int_equal(pprofc_profile_load_memory(p, raw.d, raw.n), PPROFC_ERR_USAGE);
	pprofc_profile_destroy(p);
	pprofc_profile_destroy(NULL); /* accepts NULL */
	pb_free(&raw);
}

static void test_memory_budget(void **state)
{
	(void)state;
	pbuf raw = test_profile(0);
	pprofc_profile *p = pprofc_profile_create();
	pprofc_profile_set_max_memory(p, 4096);
	assert_int_equal(pprofc_profile_load_memory(p, raw.d, raw.n), PPROFC_ERR_NOMEM);
	assert_non_null(strstr(pprofc_profile_errmsg(p), "memory"));
	pprofc_profile_destroy(p);
	pb_free(&raw);
}

static void test_size_limit(void **state)
{
	(void)state;
	pbuf raw = test_profile(0), z = pb_gzip(&raw);
	pprofc_profile *p = pprofc_profile_create();
	pprofc_profile_set_max_size(p, raw.n - 1);
	assert_int_equal(pprofc_profile_load_memory(p, z.d, z.n), PPROFC_ERR_LIMIT);
	pprofc_profile_destroy(p);
	p = pprofc_profile_create();
	pprofc_profile_set_max_size(p, raw.n); /* exactly the size: fine */
	assert_int_equal(pprofc_profile_load_memory(p, z.d, z.n), PPROFC_OK);
	pprofc_profile_destroy(p);
	pb_free(&raw);
	pb_free(&z);
}

static void test_load_from_pipe(void **state)
{
	(void)state;
	pbuf raw = test_profile(0), z = pb_gzip(&raw);
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], z.d, z.n), (ssize_t)z.n);
	close(fds[1]);
	pprofc_profile *p = pprofc_profile_create();
	assert_int_equal(pprofc_profile_load_fd(p, fds[0]), PPROFC_OK);
	assert_int_equal(pprofc_profile_total(p, 1), 172);
	close(fds[0]);
	pprofc_profile_destroy(p);
	pb_free(&raw);
	pb_free(&z);
}

static void test_unknown_fields_and_unpacked_ids(void **state)
{
	(void)state;
	pbuf b = { 0 };
	pb_vfield(&b, 100, 7); /* unknown varint field */
	pbuf junk = { 0 };
	pb_raw(&junk, "xyz", 3);
	pb_lfield(&b, 200, &junk); /* unknown length-delimited field */
	/* A sample with unpacked location ids and values. */
	pbuf s = { 0 };
	pb_vfield(&s, 1, 1);
	pb_vfield(&s, 1, 1);
	pb_vfield(&s, 2, 9);
	pprofc_profile *p = load_one_sample(&b, &s);
	assert_int_equal(pprofc_profile_total(p, 0), 9);
	pprofc_profile_destroy(p);
	pb_free(&b);
	pb_free(&s);
	pb_free(&junk);
}

/* Empty packed fields are valid protobuf (no elements); protobuf-c 1.4.1
 * mishandles them, so the decoder strips them first. */
static void test_empty_packed_fields(void **state)
{
	(void)state;
	pbuf b = { 0 };
	pbuf s = { 0 }, empty = { 0 };
	pb_lfield(&s, 1, &empty); /* location_id: packed, empty */
	pb_vfield(&s, 1, 1);
	pb_lfield(&s, 2, &empty); /* value: packed, empty */
	pb_vfield(&s, 2, 7);
	pprofc_profile *p = load_one_sample(&b, &s);
	assert_int_equal(pprofc_profile_total(p, 0), 7);
	pprofc_profile_destroy(p);
	pb_free(&b);
	pb_free(&s);
}

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(pprofc_strerror(PPROFC_OK), "success");
	assert_string_equal(pprofc_strerror(PPROFC_ERR_GZIP), "corrupt gzip data");
	assert_string_equal(pprofc_strerror((pprofc_status)999), "unknown error");
	assert_string_equal(pprofc_version(), PPROFC_VERSION);
}

/* The error contract: each failure sets the status, the limit it hit and a
 * message that speaks of the input, never of a program's options. */
static void test_error_contract(void **state)
{
	(void)state;
	pbuf raw = test_profile(0);
	static const struct {
		pprofc_limit limit;
		uint64_t value;
	} cases[] = {
		{ PPROFC_LIMIT_SAMPLES, 2 },   { PPROFC_LIMIT_LOCATIONS, 1 },
		{ PPROFC_LIMIT_FUNCTIONS, 1 }, { PPROFC_LIMIT_STRINGS, 2 },
		{ PPROFC_LIMIT_DEPTH, 1 },     { PPROFC_LIMIT_SIZE, 16 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pprofc_profile *p = pprofc_profile_create();
		assert_int_equal(pprofc_profile_errcode(p), PPROFC_OK);
		assert_int_equal(pprofc_profile_errlimit(p), -1);
		pprofc_profile_set_limit(p, cases[i].limit, cases[i].value);
		pprofc_status st = pprofc_profile_load_memory(p, raw.d, raw.n);
		assert_int_equal(st, PPROFC_ERR_LIMIT);
		assert_int_equal(pprofc_profile_errcode(p), st);
		assert_int_equal(pprofc_profile_errlimit(p), (int)cases[i].limit);
		const char *msg = pprofc_profile_errmsg(p);
		assert_true(msg[0] != '\0');
		if (strstr(msg, "--"))
			fail_msg("a library message names an option: %s", msg);
		pprofc_profile_destroy(p);
	}

	/* A failure that is no limit has none; every failing call sets a
	 * message, sample_type included. */
	pprofc_profile *p = load(&raw);
	assert_int_equal(pprofc_profile_sample_type(p, 99, NULL, NULL), PPROFC_ERR_USAGE);
	assert_int_equal(pprofc_profile_errcode(p), PPROFC_ERR_USAGE);
	assert_int_equal(pprofc_profile_errlimit(p), -1);
	assert_non_null(strstr(pprofc_profile_errmsg(p), "99"));
	pprofc_profile_destroy(p);

	pprofc_filter *f = pprofc_filter_create();
	assert_int_equal(pprofc_filter_errcode(f), PPROFC_OK);
	assert_int_equal(pprofc_filter_set(f, PPROFC_FILTER_FOCUS, "(unclosed"), PPROFC_ERR_USAGE);
	assert_int_equal(pprofc_filter_errcode(f), PPROFC_ERR_USAGE);
	assert_true(pprofc_filter_errmsg(f)[0] != '\0');
	pprofc_filter_destroy(f);
	pb_free(&raw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw_and_gzip_agree),
		cmocka_unit_test(test_default_sample_type),
		cmocka_unit_test(test_unknown_sample_type_lists_choices),
		cmocka_unit_test(test_load_once),
		cmocka_unit_test(test_memory_budget),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_load_from_pipe),
		cmocka_unit_test(test_unknown_fields_and_unpacked_ids),
		cmocka_unit_test(test_empty_packed_fields),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_error_contract),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
