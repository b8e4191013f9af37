/* Unit tests: the writers on the hand-built profile of testprof.h, whose
 * expected numbers are worked out there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "write/write.h"
#include "load/load.h"
#include "fetch/fetch.h" /* pprofc.h, and the model: the proto test compares it */
#include "testprof.h"
#include "write_calls.h"

static pprofc_profile *load_test_profile(void)
{
	pbuf raw = test_profile(0);
	pprofc_profile *p = pprofc_profile_create();
	assert_int_equal(pprofc_profile_load_memory(p, raw.d, raw.n), PPROFC_OK);
	pb_free(&raw);
	return p;
}

static void assert_contains(const char *hay, const char *needle)
{
	/* hay is never NULL (memsink_str appends a NUL), but GCC under
	 * -fsanitize cannot tell and warns on the %s of a NULL path. */
	assert_non_null(hay);
	if (!strstr(hay, needle))
		fail_msg("expected to find\n%s\nin\n%s", needle, hay ? hay : "(null)");
}

/* Folded output of the test profile at cpu after one filter option. */
static char *filtered_folded(pprofc_filter_option o, const char *rx, unsigned *unmatched)
{
	pprofc_profile *p = load_test_profile();
	pprofc_filter *f = pprofc_filter_create();
	assert_int_equal(pprofc_filter_set(f, o, rx), PPROFC_OK);
	assert_int_equal(pprofc_profile_filter(p, f, unmatched), PPROFC_OK);
	pprofc_filter_destroy(f);
	/* pprof's total (for top's percentages) is the unfiltered one. */
	memsink m = { 0 };
	pprofc_sink sink = { memsink_write, &m };
	pprofc_top_options opt = { .size = sizeof(opt), .sample_index = 1, .json = 1 };
	assert_int_equal(pprofc_write_top(p, &opt, &sink), PPROFC_OK);
	assert_contains(memsink_str(&m), "\"total\": 172,");
	m.buf.n = 0;
	assert_int_equal(write_folded(p, 1, &sink), PPROFC_OK);
	char *s = strdup(memsink_str(&m));
	pb_free(&m.buf);
	pprofc_profile_destroy(p);
	return s;
}

static void test_filters(void **state)
{
	(void)state;
	unsigned um;
	/* hide: b's own location goes from every stack, the inlined b line
	 * from location 4; S5 keeps only main; [no stack] stays. */
	char *s = filtered_folded(PPROFC_FILTER_HIDE, "^b$", &um);
	assert_string_equal(s, "[no stack] 5\nmain 50\nmain;0xbeef 7\nmain;a 10\nmain;a;a 100\n");
	assert_int_equal(um, 0);
	free(s);
	/* focus: samples with a b frame (the inlined one counts). */
	s = filtered_folded(PPROFC_FILTER_FOCUS, "^b$", &um);
	assert_string_equal(s, "main;a;b 10\nmain;a;b;a 100\nmain;b;b 50\n");
	free(s);
	/* prune_from: below the leafmost a goes, inlined b under a:21 too. */
	s = filtered_folded(PPROFC_FILTER_PRUNE_FROM, "^a$", &um);
	assert_string_equal(s, "[no stack] 5\nmain;0xbeef 7\nmain;a 10\nmain;a;b;a 100\n"
			       "main;b;b 50\n");
	free(s);
	/* show_from: stacks start at the outermost b (the inlined line is
	 * b's location's innermost, so a:21 above it goes). */
	s = filtered_folded(PPROFC_FILTER_SHOW_FROM, "^b$", &um);
	assert_string_equal(s, "b 10\nb;a 100\nb;b 50\n");
	free(s);
	/* the file name matches too; an option matching nothing is reported */
	s = filtered_folded(PPROFC_FILTER_IGNORE, "g\\.go", &um);
	assert_string_equal(s, "[no stack] 5\nmain;0xbeef 7\n");
	free(s);
	s = filtered_folded(PPROFC_FILTER_FOCUS, "nothing", &um);
	assert_string_equal(s, "");
	assert_int_equal(um, 1u << PPROFC_FILTER_FOCUS);
	free(s);

	pprofc_filter *f = pprofc_filter_create();
	assert_int_equal(pprofc_filter_set(f, PPROFC_FILTER_SHOW, "a("), PPROFC_ERR_USAGE);
	assert_non_null(strstr(pprofc_filter_errmsg(f), "show"));
	assert_int_equal(pprofc_filter_set(f, PPROFC_FILTER_TAGFOCUS, "bytes=1kb:4mb"), PPROFC_OK);
	assert_int_equal(pprofc_filter_set(f, PPROFC_FILTER_TAGIGNORE, "k=a,("), PPROFC_ERR_USAGE);
	pprofc_filter_destroy(f);
}

static char *folded_at(pprofc_granularity g, int noinlines)
{
	pprofc_profile *p = load_test_profile();
	assert_int_equal(pprofc_profile_set_granularity(p, g, noinlines), PPROFC_OK);
	memsink m = { 0 };
	pprofc_sink sink = { memsink_write, &m };
	assert_int_equal(write_folded(p, 1, &sink), PPROFC_OK);
	char *s = strdup(memsink_str(&m));
	pb_free(&m.buf);
	pprofc_profile_destroy(p);
	return s;
}

static void test_granularity(void **state)
{
	(void)state;
	char *s = folded_at(PPROFC_GRANULARITY_LINES, 0);
	assert_string_equal(s, "[no stack] 5\n"
			       "main f.go:10;0xbeef 7\n"
			       "main f.go:10;a f.go:20;b g.go:30;a f.go:20 100\n"
			       "main f.go:10;a f.go:21;b g.go:31 10\n"
			       "main f.go:10;b g.go:30;b g.go:30 50\n");
	free(s);
	/* -noinlines: location 4 is a:21 only */
	s = folded_at(PPROFC_GRANULARITY_FUNCTIONS, 1);
	assert_string_equal(s, "[no stack] 5\nmain;0xbeef 7\nmain;a 10\nmain;a;b;a 100\n"
			       "main;b;b 50\n");
	free(s);
	s = folded_at(PPROFC_GRANULARITY_FILES, 0);
	assert_string_equal(s, "[no stack] 5\nf.go;0xbeef 7\nf.go;f.go;g.go 10\n"
			       "f.go;f.go;g.go;f.go 100\nf.go;g.go;g.go 50\n");
	free(s);
	s = folded_at(PPROFC_GRANULARITY_ADDRESSES, 0);
	assert_non_null(strstr(s, "0000000000001000 main f.go:10;000000000000beef <unknown> 7\n"));
	assert_non_null(strstr(s, ";0000000000004000 a f.go:21;0000000000004000 b g.go:31 10\n"));
	free(s);
	pprofc_profile *p = load_test_profile();
	assert_int_equal(pprofc_profile_set_granularity(p, PPROFC_GRANULARITY_COUNT_, 0),
			 PPROFC_ERR_USAGE);
	pprofc_profile_destroy(p);
}

static void test_folded(void **state)
{
	(void)state;
	pprofc_profile *p = load_test_profile();
	memsink m = { 0 };
	pprofc_sink sink = { memsink_write, &m };
	assert_int_equal(write_folded(p, 1, &sink), PPROFC_OK);
	/* Root first, inlined b expanded under a, recursion kept, the no-stack
	 * sample as its own frame, the all-zero S6 left out, bytes sorted
	 * (' ' sorts before ';'). */
	assert_string_equal(memsink_str(&m), "[no stack] 5\n"
					     "main;0xbeef 7\n"
					     "main;a;b 10\n"
					     "main;a;b;a 100\n"
					     "main;b;b 50\n");
	pb_free(&m.buf);
	assert_int_equal(write_folded(p, 0, &sink), PPROFC_OK);
	assert_contains(memsink_str(&m), "main;b;b 2\n");
	pb_free(&m.buf);
	pprofc_profile_destroy(p);
}

/* The flame graph's frames: merged root-first prefixes, siblings by name,
 * offsets and widths in nanoseconds (total 172). */
static void test_flamegraph(void **state)
{
	(void)state;
	pprofc_profile *p = load_test_profile();
	memsink m = { 0 };
	pprofc_sink sink = { memsink_write, &m };
	pprofc_flamegraph_options opt = { .size = sizeof(opt), .sample_index = 1 };
	assert_int_equal(pprofc_write_flamegraph(p, &opt, &sink), PPROFC_OK);
	const char *s = memsink_str(&m);
	assert_contains(s, "<g data-d=\"0\" data-x=\"0\" data-v=\"172\"><title>all (172ns, 100%)");
	assert_contains(s, "<g data-d=\"1\" data-x=\"0\" data-v=\"5\"><title>[no stack] (5ns");
	assert_contains(s, "<g data-d=\"1\" data-x=\"5\" data-v=\"167\"><title>main (167ns");
	assert_contains(s, "<g data-d=\"2\" data-x=\"5\" data-v=\"7\"><title>0xbeef (7ns");
	assert_contains(s, "<g data-d=\"2\" data-x=\"12\" data-v=\"110\"><title>a (110ns");
	assert_contains(s, "<g data-d=\"3\" data-x=\"12\" data-v=\"110\"><title>b (110ns");
	assert_contains(s, "<g data-d=\"4\" data-x=\"22\" data-v=\"100\"><title>a (100ns, 58.14%)");
	assert_contains(s, "<g data-d=\"2\" data-x=\"122\" data-v=\"50\"><title>b (50ns");
	assert_contains(s, "<g data-d=\"3\" data-x=\"122\" data-v=\"50\"><title>b (50ns");
	assert_contains(s, ">cpu, total 172ns</text>");
	pb_free(&m.buf);

	/* 40 px of 80: frames under 86 ns are left out, the root stays. */
	opt.width = 100;
	opt.minwidth = 40;
	opt.icicle = 1;
	assert_int_equal(pprofc_write_flamegraph(p, &opt, &sink), PPROFC_OK);
	s = memsink_str(&m);
	assert_contains(s, "; 4 frames narrower than 40 px not drawn</text>");
	assert_contains(s, ">Icicle Graph</text>");
	assert_null(strstr(s, "[no stack]"));
	pb_free(&m.buf);

	opt.width = 99;
	assert_int_equal(pprofc_write_flamegraph(p, &opt, &sink), PPROFC_ERR_USAGE);
	opt.width = 0;
	opt.sample_index = 2;
	assert_int_equal(pprofc_write_flamegraph(p, &opt, &sink), PPROFC_ERR_USAGE);
	m.fail_after = 10;
	opt.sample_index = 1;
	assert_int_equal(pprofc_write_flamegraph(p, &opt, &sink), PPROFC_ERR_IO);
	pb_free(&m.buf);
	pprofc_profile_destroy(p);
}

/* The options' size rules of pprofc.h: NULL is every default; a size that
 * was not set is refused; an older caller's smaller structure reads its
 * missing fields as zero; a newer caller's larger one is taken when what
 * this library does not know is zero, refused when it is set. */
static void test_options_size(void **state)
{
	(void)state;
	pprofc_profile *p = load_test_profile();
	memsink m = { 0 }, d = { 0 };
	pprofc_sink sink = { memsink_write, &m }, dsink = { memsink_write, &d };
	pprofc_top_options all = { .size = sizeof(all), .sample_index = 0, .json = 1 };
	assert_int_equal(pprofc_write_top(p, &all, &dsink), PPROFC_OK);
	assert_int_equal(pprofc_write_top(p, NULL, &sink), PPROFC_OK);
	pprofc_top_options text = { .size = sizeof(text) };
	m.buf.n = 0;
	assert_int_equal(pprofc_write_top(p, &text, &sink), PPROFC_OK);
	char *plain = strdup(memsink_str(&m));
	m.buf.n = 0;
	assert_int_equal(pprofc_write_top(p, NULL, &sink), PPROFC_OK);
	assert_string_equal(memsink_str(&m), plain);

	pprofc_top_options unset = { .json = 1 };
	m.buf.n = 0;
	assert_int_equal(pprofc_write_top(p, &unset, &sink), PPROFC_ERR_USAGE);
	assert_contains(pprofc_profile_errmsg(p), "size field is not set");
	assert_int_equal(m.buf.n, 0);

	/* An older caller knew the fields up to json; mean lies beyond. */
	pprofc_top_options older = {
		.size = offsetof(pprofc_top_options, mean), .sample_index = 0, .json = 1, .mean = 1
	};
	m.buf.n = 0;
	assert_int_equal(pprofc_write_top(p, &older, &sink), PPROFC_OK);
	assert_string_equal(memsink_str(&m), memsink_str(&d));

	struct {
		pprofc_top_options o;
		uint64_t future;
	} newer = { .o = { .size = sizeof(newer), .sample_index = 0, .json = 1 } };
	m.buf.n = 0;
	assert_int_equal(pprofc_write_top(p, &newer.o, &sink), PPROFC_OK);
	assert_string_equal(memsink_str(&m), memsink_str(&d));
	newer.future = 1;
	assert_int_equal(pprofc_write_top(p, &newer.o, &sink), PPROFC_ERR_USAGE);
	assert_contains(pprofc_profile_errmsg(p), "past the");

	/* Every writer takes the rules from one place: one more checked. */
	pprofc_folded_options f = { .size = 0 };
	assert_int_equal(pprofc_write_folded(p, &f, &sink), PPROFC_ERR_USAGE);
	assert_int_equal(pprofc_write_raw(p, &(pprofc_raw_options){ 0 }, &sink), PPROFC_ERR_USAGE);
	free(plain);
	pb_free(&m.buf);
	pb_free(&d.buf);
	pprofc_profile_destroy(p);
}

static void test_top_json(void **state)
{
	(void)state;
	pprofc_profile *p = load_test_profile();
	memsink m = { 0 };
	pprofc_sink sink = { memsink_write, &m };
	pprofc_top_options opt = { .size = sizeof(opt), .sample_index = 1, .json = 1 };
	assert_int_equal(pprofc_write_top(p, &opt, &sink), PPROFC_OK);
	/* cum once per sample: a is in S1 twice but counts 100 once. */
	assert_string_equal(memsink_str(&m),
			    "{\"sample_type\": \"cpu\", \"unit\": \"nanoseconds\", \"total\": 172, "
			    "\"rows\": [\n"
			    "  {\"name\": \"a\", \"flat\": 100, \"cum\": 110},\n"
			    "  {\"name\": \"b\", \"flat\": 60, \"cum\": 160},\n"
			    "  {\"name\": \"0xbeef\", \"flat\": 7, \"cum\": 7},\n"
			    "  {\"name\": \"[no stack]\", \"flat\": 5, \"cum\": 5},\n"
			    "  {\"name\": \"main\", \"flat\": 0, \"cum\": 167}\n"
			    "]}\n");
	pb_free(&m.buf);

	opt.sort_by_cum = 1;
	opt.nodecount = 2;
	assert_int_equal(pprofc_write_top(p, &opt, &sink), PPROFC_OK);
	const char *s = memsink_str(&m);
	assert_true(strstr(s, "\"main\"") < strstr(s, "\"b\""));
	assert_null(strstr(s, "\"a\""));
	pb_free(&m.buf);
	pprofc_profile_destroy(p);
}

static void test_top_text(void **state)
{
	(void)state;
	pprofc_profile *p = load_test_profile();
	memsink m = { 0 };
	pprofc_sink sink = { memsink_write, &m };
	pprofc_top_options opt = { .size = sizeof(opt), .sample_index = 1 };
	assert_int_equal(pprofc_write_top(p, &opt, &sink), PPROFC_OK);
	const char *s = memsink_str(&m);
	assert_contains(s, "Type: cpu\n");
	assert_contains(s, "Showing nodes accounting for 172ns, 100% of 172ns total\n");
	assert_contains(s, "      flat  flat%   sum%        cum   cum%\n");
	assert_contains(s, "     100ns 58.14% 58.14%      110ns 63.95%  a\n");
	assert_contains(s, "         0     0%   100%      167ns 97.09%  main\n");
	pb_free(&m.buf);
	pprofc_profile_destroy(p);
}

static void test_callgrind(void **state)
{
	(void)state;
	pprofc_profile *p = load_test_profile();
	memsink m = { 0 };
	pprofc_sink sink = { memsink_write, &m };
	assert_int_equal(write_callgrind(p, 1, "x.pb.gz", &sink), PPROFC_OK);
	const char *s = memsink_str(&m);
	assert_contains(s, "# callgrind format\nversion: 1\ncreator: pprofc ");
	assert_contains(s, "cmd: x.pb.gz\npositions: line\n"
			   "events: cpu_nanoseconds samples_count\nsummary: 172 6\n");
	/* main -> a: S1 and S2, once each although S1 has a twice. */
	assert_contains(s, "cfn=(2) a\ncalls=2 0\n10 110 2\n");
	/* main -> b from S5 only, into another file. */
	assert_contains(s, "cfi=(3) g.go\ncfn=(3) b\ncalls=1 0\n10 50 2\n");
	/* a calls b at two lines (20 directly, 21 inlined): cfi= each time. */
	assert_contains(s, "fn=(2)\n20 100 1\ncfi=(3)\ncfn=(3)\ncalls=1 0\n20 100 1\n"
			   "cfi=(3)\ncfn=(3)\ncalls=1 0\n21 10 1\n");
	/* b's whole block: self at 30 and 31, b -> a once, and no b -> b. */
	assert_contains(s, "fl=(3)\nfn=(3)\n30 50 2\n31 10 1\ncfi=(2)\ncfn=(2)\ncalls=1 0\n"
			   "30 100 1\n\n");
	/* the address and the no-stack samples are functions of their own */
	assert_contains(s, "cfi=(1) ???\ncfn=(5) 0xbeef\ncalls=1 0\n10 7 1\n");
	assert_contains(s, "fn=(5)\n0 7 1\n");
	assert_contains(s, "fn=(4) [no stack]\n0 5 1\n");
	assert_contains(s, "\ntotals: 172 6\n");
	assert_null(strstr(s, "calls=0"));

	/* Records over the budget: counted, then one walk per range of
	 * callers (here each caller alone); the output is the same. */
	char *whole = strdup(s);
	pb_free(&m.buf);
	/* Each caller summed in a batch of its own, on the second thread
	 * while the one before is written. */
	size_t saved_batch = lib_tuning.callgrind_batch_bytes;
	lib_tuning.callgrind_batch_bytes = 1;
	assert_int_equal(write_callgrind(p, 1, "x.pb.gz", &sink), PPROFC_OK);
	assert_string_equal(memsink_str(&m), whole);
	pb_free(&m.buf);
	size_t saved = lib_tuning.callgrind_record_bytes;
	lib_tuning.callgrind_record_bytes = 1;
	assert_int_equal(write_callgrind(p, 1, "x.pb.gz", &sink), PPROFC_OK);
	assert_string_equal(memsink_str(&m), whole);
	pb_free(&m.buf);
	/* And walked in two halves on two threads, the second entering its
	 * first stack's whole path: a node both pass through gives its calls
	 * twice, halved, summed alike. */
	size_t saved_split = lib_tuning.callgrind_split_min,
	       saved_grouped = lib_tuning.sort_stacks_grouped_min;
	lib_tuning.callgrind_split_min = 0;
	assert_int_equal(write_callgrind(p, 1, "x.pb.gz", &sink), PPROFC_OK);
	assert_string_equal(memsink_str(&m), whole);
	pb_free(&m.buf);
	/* and the stacks sorted in root groups, on two threads */
	lib_tuning.sort_stacks_grouped_min = 0;
	assert_int_equal(write_callgrind(p, 1, "x.pb.gz", &sink), PPROFC_OK);
	lib_tuning.callgrind_split_min = saved_split;
	lib_tuning.sort_stacks_grouped_min = saved_grouped;
	lib_tuning.callgrind_batch_bytes = saved_batch;
	lib_tuning.callgrind_record_bytes = saved;
	assert_string_equal(memsink_str(&m), whole);
	free(whole);
	pb_free(&m.buf);

	/* The selected event comes first. */
	assert_int_equal(write_callgrind(p, 0, NULL, &sink), PPROFC_OK);
	assert_contains(memsink_str(&m), "events: samples_count cpu_nanoseconds\nsummary: 6 172\n");
	pb_free(&m.buf);
	pprofc_profile_destroy(p);
}

/* Profile b's callgrind output for sample type 0, which the caller
 * frees. */
static char *callgrind_text(const pbuf *b)
{
	pprofc_profile *p = pprofc_profile_create();
	assert_int_equal(pprofc_profile_load_memory(p, b->d, b->n), PPROFC_OK);
	memsink m = { 0 };
	pprofc_sink sink = { memsink_write, &m };
	assert_int_equal(write_callgrind(p, 0, NULL, &sink), PPROFC_OK);
	memsink_str(&m); /* ends it with a NUL */
	pprofc_profile_destroy(p);
	return (char *)m.buf.d;
}

/*
 * One caller with n callees at three lines, whose records reach their
 * bucket in the reverse of output order (the leaf locations are numbered
 * backwards): the calls must come out once each, by line then callee.
 * n picks the sort (insertion up to 16, merges up to 64, radix past).
 */
static void check_call_order(size_t n)
{
	pbuf b = { 0 };
	pb_value_type(&b, 1, 2);
	for (size_t k = 0; k < n; k++) {
		uint64_t locs[2] = { 10 + (n - 1 - k), 1 + k % 3 };
		int64_t v[1] = { (int64_t)k + 1 };
		pb_sample(&b, locs, 2, v, 1);
	}
	for (uint64_t i = 1; i <= 3; i++) {
		uint64_t fn[1] = { 1 };
		int64_t ln[1] = { 9 + (int64_t)i };
		pb_location(&b, i, 0, fn, ln, 1);
	}
	for (size_t k = 0; k < n; k++) {
		uint64_t fn[1] = { 2 + k };
		int64_t ln[1] = { 5 };
		pb_location(&b, 10 + (n - 1 - k), 0, fn, ln, 1);
	}
	pb_function(&b, 1, 3, 4);
	for (size_t k = 0; k < n; k++)
		pb_function(&b, 2 + k, 5 + (int64_t)k, 4);
	const char *fixed[] = { "", "samples", "count", "main", "f.go" };
	pb_strings(&b, fixed, 5);
	for (size_t k = 0; k < n; k++) {
		char name[32];
		snprintf(name, sizeof(name), "f%zu", k);
		pb_sfield(&b, 6, name);
	}
	char *text = callgrind_text(&b);
	pb_free(&b);
	const char *s = strstr(text, "fn=(1) main\n");
	assert_non_null(s);
	size_t calls = 0;
	long prev_line = -1, prev_id = -1;
	for (const char *c = strstr(s, "cfn=("); c; c = strstr(c + 1, "cfn=(")) {
		long id = strtol(c + 5, NULL, 10), at;
		const char *l = strstr(c, "calls=");
		assert_non_null(l);
		l = strchr(l, '\n') + 1;
		at = strtol(l, NULL, 10);
		if (at == prev_line ? id <= prev_id : at < prev_line)
			fail_msg("call %zu: line %ld callee %ld after line %ld callee %ld", calls,
				 at, id, prev_line, prev_id);
		prev_line = at;
		prev_id = id;
		calls++;
	}
	assert_int_equal(calls, n);
	free(text);
}

/* Calls whose numbers are at their longest, four costs each and a callee
 * in a file of its own, enough of them to end the output buffer at many
 * offsets: each is written whole and right. Each callee is called from
 * two lines, so the second call's names are already defined and its
 * lines are all numbers (under ASan, a room check short of the longest
 * call is an overflow). */
static void test_callgrind_longest_numbers(void **state)
{
	(void)state;
	size_t n = 3000;
	pbuf b = { 0 };
	for (int t = 0; t < 4; t++)
		pb_value_type(&b, 1, 2);
	for (size_t k = 0; k < n; k++)
		for (uint64_t at = 1; at <= 2; at++) {
			uint64_t locs[2] = { 3 + k, at };
			/* the first cost's length varies, and so the calls' */
			int64_t v[4] = { k % 2 ? INT64_MIN : -1, INT64_MIN, INT64_MIN, INT64_MIN };
			pb_sample(&b, locs, 2, v, 4);
		}
	static const uint64_t main_fn[1] = { 1 };
	static const int64_t lnA[1] = { INT64_MAX }, lnB[1] = { INT64_MAX - 1 };
	pb_location(&b, 1, 0, main_fn, lnA, 1);
	pb_location(&b, 2, 0, main_fn, lnB, 1);
	for (size_t k = 0; k <= n; k++) {
		if (k) {
			uint64_t fn[1] = { 1 + k };
			pb_location(&b, 2 + k, 0, fn, lnA, 1);
		}
		pbuf m = { 0 };
		pb_vfield(&m, 1, 1 + k);
		pb_vfield(&m, 2, 3 + k);
		if (k)
			pb_vfield(&m, 4, 3 + k);       /* a file of its own: "cfi=" */
		pb_vfield(&m, 5, (uint64_t)INT64_MAX); /* start_line */
		pb_lfield(&b, 5, &m);
		pb_free(&m);
	}
	const char *fixed[] = { "", "x", "y" };
	pb_strings(&b, fixed, 3);
	for (size_t k = 0; k <= n; k++) {
		char name[32];
		snprintf(name, sizeof(name), "f%zu", k);
		pb_sfield(&b, 6, name);
	}
	char *text = callgrind_text(&b);
	pb_free(&b);
#define MIN3 " -9223372036854775808 -9223372036854775808 -9223372036854775808\n"
	static const char *const recs[] = {
		"\ncalls=1 9223372036854775807\n9223372036854775807 -1" MIN3,
		"\ncalls=1 9223372036854775807\n9223372036854775806 -1" MIN3,
		"\ncalls=1 9223372036854775807\n9223372036854775807 -9223372036854775808" MIN3,
		"\ncalls=1 9223372036854775807\n9223372036854775806 -9223372036854775808" MIN3,
	};
#undef MIN3
	for (size_t r = 0; r < 4; r++) {
		size_t found = 0;
		for (const char *c = strstr(text, recs[r]); c; c = strstr(c + 1, recs[r]))
			found++;
		assert_int_equal(found, n / 2);
	}
	size_t cfi = 0;
	for (const char *c = strstr(text, "\ncfi=("); c; c = strstr(c + 1, "\ncfi=("))
		cfi++;
	assert_int_equal(cfi, 2 * n);
	free(text);
}

static void test_callgrind_call_order(void **state)
{
	(void)state;
	check_call_order(10);
	check_call_order(50);
	check_call_order(300);
	check_call_order(3000);
}

/* Two functions of one name in two files are two callgrind functions:
 * x in g.go called by x in f.go is a call, not recursion, and each keeps
 * its own file and costs. */
static void test_callgrind_same_name(void **state)
{
	(void)state;
	pbuf b = { 0 };
	pb_value_type(&b, 1, 2);
	static const uint64_t s1[] = { 2, 1 }, s2[] = { 3, 1 }, s3[] = { 3, 2, 1 };
	static const int64_t v1[] = { 1 }, v2[] = { 2 }, v3[] = { 4 };
	pb_sample(&b, s1, 2, v1, 1);
	pb_sample(&b, s2, 2, v2, 1);
	pb_sample(&b, s3, 3, v3, 1);
	static const uint64_t f1[] = { 1 }, f2[] = { 2 }, f3[] = { 3 };
	static const int64_t l1[] = { 10 }, l2[] = { 20 }, l3[] = { 30 };
	pb_location(&b, 1, 0, f1, l1, 1);
	pb_location(&b, 2, 0, f2, l2, 1);
	pb_location(&b, 3, 0, f3, l3, 1);
	pb_function(&b, 1, 3, 5);
	pb_function(&b, 2, 4, 5);
	pb_function(&b, 3, 4, 6);
	static const char *const strs[] = { "", "cpu", "ns", "main", "x", "f.go", "g.go" };
	pb_strings(&b, strs, 7);
	char *s = callgrind_text(&b);
	/* main calls each x: the f.go one in S1 and S3 (1 + 4), the g.go one
	 * in S2 (2) */
	assert_contains(s, "fl=(2) f.go\nfn=(1) main\ncfn=(2) x\ncalls=2 0\n10 5\n"
			   "cfi=(3) g.go\ncfn=(3) x\ncalls=1 0\n10 2\n");
	/* x in f.go: self 1 (S1), calls x in g.go (S3: 4) */
	assert_contains(s, "fl=(2)\nfn=(2)\n20 1\ncfi=(3)\ncfn=(3)\ncalls=1 0\n20 4\n");
	/* x in g.go: self 2 + 4 */
	assert_contains(s, "fl=(3)\nfn=(3)\n30 6\n");
	free(s);
	pb_free(&b);
}

/* A stack whose samples are all zero gives no call, and the walk does
 * not go through it: sorted root first, [main b] lies between [main a b]
 * and [main b c], and the last shares only main with the first. */
static void test_callgrind_zero_stack(void **state)
{
	(void)state;
	pbuf b = { 0 };
	pb_value_type(&b, 1, 2);
	static const uint64_t s1[] = { 3, 2, 1 }, s2[] = { 3, 1 }, s3[] = { 4, 3, 1 };
	static const int64_t v1[] = { 1 }, v2[] = { 0 }, v3[] = { 2 };
	pb_sample(&b, s1, 3, v1, 1);
	pb_sample(&b, s2, 2, v2, 1);
	pb_sample(&b, s3, 3, v3, 1);
	static const uint64_t f1[] = { 1 }, f2[] = { 2 }, f3[] = { 3 }, f4[] = { 4 };
	static const int64_t l1[] = { 10 }, l2[] = { 20 }, l3[] = { 30 }, l4[] = { 40 };
	pb_location(&b, 1, 0, f1, l1, 1);
	pb_location(&b, 2, 0, f2, l2, 1);
	pb_location(&b, 3, 0, f3, l3, 1);
	pb_location(&b, 4, 0, f4, l4, 1);
	pb_function(&b, 1, 3, 7);
	pb_function(&b, 2, 4, 7);
	pb_function(&b, 3, 5, 7);
	pb_function(&b, 4, 6, 7);
	static const char *const strs[] = { "", "cpu", "ns", "main", "a", "b", "c", "f.go" };
	pb_strings(&b, strs, 8);
	char *s = callgrind_text(&b);
	/* main calls a (1) and b (2), a calls b (1), b calls c (2) */
	assert_contains(s,
			"fn=(1) main\ncfn=(2) a\ncalls=1 0\n10 1\ncfn=(3) b\ncalls=1 0\n10 2\n\n");
	assert_contains(s, "fn=(2)\ncfn=(3)\ncalls=1 0\n20 1\n\n");
	assert_contains(s, "fn=(3)\n30 1\ncfn=(4) c\ncalls=1 0\n30 2\n\n");
	assert_contains(s, "fn=(4)\n40 2\n\ntotals: 3\n");
	free(s);
	pb_free(&b);
}

static void test_sink_failure(void **state)
{
	(void)state;
	pprofc_profile *p = load_test_profile();
	memsink m = { .fail_after = 10 };
	pprofc_sink sink = { memsink_write, &m };
	assert_int_equal(write_callgrind(p, 1, NULL, &sink), PPROFC_ERR_IO);
	assert_int_equal(write_folded(p, 1, &sink), PPROFC_ERR_IO);
	pprofc_top_options opt = { .size = sizeof(opt), .sample_index = 1 };
	assert_int_equal(pprofc_write_top(p, &opt, &sink), PPROFC_ERR_IO);
	assert_int_equal(write_folded(p, 2, &sink), PPROFC_ERR_USAGE);
	pb_free(&m.buf);
	pprofc_profile_destroy(p);
}

/* One sample of 3 (cpu/ns): main (string 3, file string 5) at line 10
 * calls string 4's function (in file string callee_file) at line 20. */
static pbuf main_calls(const char *const *strs, size_t nstrs, int64_t callee_file)
{
	pbuf b = { 0 };
	pb_value_type(&b, 1, 2);
	static const uint64_t s1[] = { 2, 1 };
	static const int64_t v1[] = { 3 };
	pb_sample(&b, s1, 2, v1, 1);
	static const uint64_t f1[] = { 1 }, f2[] = { 2 };
	static const int64_t l1[] = { 10 }, l2[] = { 20 };
	pb_location(&b, 1, 0, f1, l1, 1);
	pb_location(&b, 2, 0, f2, l2, 1);
	pb_function(&b, 1, 3, 5);
	pb_function(&b, 2, 4, callee_file);
	pb_strings(&b, strs, nstrs);
	return b;
}

/* A callee's name longer than the output buffer holds once escaped is
 * written in pieces, the same as a short one. */
static void test_callgrind_long_name(void **state)
{
	(void)state;
	size_t len = 20000;
	char *big = malloc(len + 1), *want = malloc(4 * len + 64);
	assert_non_null(big);
	assert_non_null(want);
	memset(big, 'x', len);
	big[len / 2] = '\n';
	big[len] = '\0';
	const char *strs[] = { "", "cpu", "ns", "main", big, "f.go", "g.go" };
	pbuf b = main_calls(strs, 7, 6);
	char *text = callgrind_text(&b), *w = want;
	w += sprintf(w, "fl=(2) f.go\nfn=(1) main\ncfi=(3) g.go\ncfn=(2) ");
	memset(w, 'x', len / 2);
	w += len / 2;
	w += sprintf(w, "\\x0a");
	memset(w, 'x', len - len / 2 - 1);
	w += len - len / 2 - 1;
	sprintf(w, "\ncalls=1 0\n10 3\n\nfl=(3)\nfn=(2)\n20 3\n\ntotals: 3\n");
	assert_contains(text, want);
	free(text);
	pb_free(&b);
	free(big);
	free(want);
}

/* Names that would break each format's structure. */
static void test_hostile_names(void **state)
{
	(void)state;
	static const char *const strs[] = {
		"", "cpu", "ns", "semi;colon\nnew 42", "ctl\x01\r 7", "file\nname"
	};
	pbuf b = main_calls(strs, 6, 5);
	pprofc_profile *p = pprofc_profile_create();
	assert_int_equal(pprofc_profile_load_memory(p, b.d, b.n), PPROFC_OK);
	memsink m = { 0 };
	pprofc_sink sink = { memsink_write, &m };
	assert_int_equal(write_folded(p, 0, &sink), PPROFC_OK);
	assert_string_equal(memsink_str(&m), "semi:colon?new_42;ctl??_7 3\n");
	pb_free(&m.buf);
	assert_int_equal(write_callgrind(p, 0, NULL, &sink), PPROFC_OK);
	assert_contains(memsink_str(&m), "fl=(2) file\\x0aname\nfn=(1) semi;colon\\x0anew 42\n");
	assert_contains(memsink_str(&m), "cfn=(2) ctl\\x01\\x0d 7\n");
	pb_free(&m.buf);
	pprofc_top_options opt = { .size = sizeof(opt), .json = 1 };
	assert_int_equal(pprofc_write_top(p, &opt, &sink), PPROFC_OK);
	assert_contains(memsink_str(&m), "\"name\": \"ctl\\u0001\\u000d 7\"");
	pb_free(&m.buf);
	pprofc_profile_destroy(p);
	pb_free(&b);
}

static void test_top_mean(void **state)
{
	(void)state;
	pprofc_profile *p = load_test_profile();
	memsink m = { 0 };
	pprofc_sink sink = { memsink_write, &m };
	pprofc_top_options opt = { .size = sizeof(opt), .sample_index = 1, .json = 1, .mean = 1 };
	assert_int_equal(pprofc_write_top(p, &opt, &sink), PPROFC_OK);
	/* pprof's -mean: per row the sum of cpu over the sum of samples of the
	 * same samples (a ratio of sums). b: flat (10 + 50) / (1 + 2) = 20,
	 * cum (100 + 10 + 50) / (1 + 1 + 2) = 40; main: no flat samples, so 0;
	 * cum 167 / 5 = 33 (integer division). Total: 172 / 6 = 28. Rows stay
	 * ordered by the summed flat values (a 100, b 60, ...), as in pprof. */
	assert_string_equal(memsink_str(&m),
			    "{\"sample_type\": \"cpu\", \"mean\": true, \"unit\": \"nanoseconds\", "
			    "\"total\": 28, \"rows\": [\n"
			    "  {\"name\": \"a\", \"flat\": 100, \"cum\": 55},\n"
			    "  {\"name\": \"b\", \"flat\": 20, \"cum\": 40},\n"
			    "  {\"name\": \"0xbeef\", \"flat\": 7, \"cum\": 7},\n"
			    "  {\"name\": \"[no stack]\", \"flat\": 5, \"cum\": 5},\n"
			    "  {\"name\": \"main\", \"flat\": 0, \"cum\": 33}\n"
			    "]}\n");
	pb_free(&m.buf);
	pprofc_profile_destroy(p);
}

static void test_top_unit(void **state)
{
	(void)state;
	pprofc_profile *p = load_test_profile();
	memsink m = { 0 };
	pprofc_sink sink = { memsink_write, &m };
	pprofc_top_options opt = { .size = sizeof(opt), .sample_index = 1, .unit = "us" };
	assert_int_equal(pprofc_write_top(p, &opt, &sink), PPROFC_OK);
	assert_contains(memsink_str(&m),
			"Showing nodes accounting for 0.17us, 100% of 0.17us total\n");
	assert_contains(memsink_str(&m), "    0.10us 58.14% 58.14%     0.11us 63.95%  a\n");
	pb_free(&m.buf);
	pprofc_profile_destroy(p);
}

static void test_select_inuse_prefix(void **state)
{
	(void)state;
	pprofc_profile *p = load_test_profile();
	size_t idx = 99;
	/* pprof: "inuse_X" also names a type "X" (legacy heap profiles). */
	assert_int_equal(pprofc_profile_select_sample_type(p, "inuse_cpu", &idx), PPROFC_OK);
	assert_int_equal(idx, 1);
	idx = 99;
	assert_int_equal(pprofc_profile_select_sample_type(p, "inuse_", &idx), PPROFC_ERR_USAGE);
	assert_int_equal(idx, 99);
	pprofc_profile_destroy(p);
}

static void test_traces(void **state)
{
	(void)state;
	pprofc_profile *p = load_test_profile();
	memsink m = { 0 };
	pprofc_sink sink = { memsink_write, &m };
	pprofc_traces_options opt = { .size = sizeof(opt), .sample_index = 1 };
	assert_int_equal(pprofc_write_traces(p, &opt, &sink), PPROFC_OK);
	const char *s = memsink_str(&m);
	/* Leaf first; b inlined into a in location 4; every sample a block,
	 * the one without locations and the all-zero one included. */
	assert_contains(s, "-----------+-------------------------------------------------------\n"
			   "      10ns   b (inline)\n"
			   "             a\n"
			   "             main\n"
			   "-----------+-------------------------------------------------------\n"
			   "       5ns   [no stack]\n");
	assert_contains(s, "         0   a\n             main\n"
			   "-----------+-------------------------------------------------------\n");
	pb_free(&m.buf);
	opt.json = 1;
	opt.mean = 1;
	assert_int_equal(pprofc_write_traces(p, &opt, &sink), PPROFC_OK);
	/* S5: 50 cpu over 2 samples */
	assert_contains(memsink_str(&m), "{\"value\": 25, \"values\": [2, 50], \"labels\": [], "
					 "\"stack\": [{\"name\": \"b\", \"location\": 3}, "
					 "{\"name\": \"b\", \"location\": 3}, {\"name\": \"main\", "
					 "\"location\": 1}]}");
	pb_free(&m.buf);
	pprofc_profile_destroy(p);
}

static void test_raw(void **state)
{
	(void)state;
	pprofc_profile *p = load_test_profile();
	memsink m = { 0 };
	pprofc_sink sink = { memsink_write, &m };
	assert_int_equal(pprofc_write_raw(p, NULL, &sink), PPROFC_OK);
	const char *s = memsink_str(&m);
	assert_contains(s, "Samples:\nsamples/count cpu/nanoseconds\n"
			   "          1        100: 2 3 2 1 \n");
	assert_contains(s, "          1          5: \n");
	assert_contains(s, "     4: 0x4000 b g.go:31 s=0()\n"
			   "             a f.go:21 s=0()\n"
			   "     5: 0xbeef \n");
	assert_contains(s, "Functions\n     1: main  f.go s=0\n");
	pb_free(&m.buf);
	assert_int_equal(
		pprofc_write_tags(p,
				  &(pprofc_tags_options){ .size = sizeof(pprofc_tags_options),
							  .sample_index = 1 },
				  &sink),
		PPROFC_OK);
	assert_string_equal(memsink_str(&m), ""); /* no labels: nothing, as pprof */
	pb_free(&m.buf);
	assert_int_equal(pprofc_write_comments(p, NULL, &sink), PPROFC_OK);
	assert_string_equal(memsink_str(&m), "");
	pb_free(&m.buf);
	pprofc_profile_destroy(p);
}

/* ---- the proto writer -------------------------------------------------- */

/*
 * A profile with every field profile.proto has, each set to something that
 * is not its default: ids that need the hashed id map, a location with an
 * unknown mapping id and one folded, lines with columns, labels of both
 * kinds (one numeric with a unit), a string with a NUL inside, negative
 * values, every mapping flag. `big`: plus an incompressible string of that
 * many bytes, so the output takes several sink writes.
 */
static pbuf full_profile(size_t big)
{
	pbuf b = { 0 }, m = { 0 }, l = { 0 };
	static const char *const strs[] = {
		"",	   "samples",	  "count",  "cpu",    "nanoseconds", "main",
		"a",	   "f.go",	  "key",    "val",    "bytes",	     "/bin/app",
		"buildid", "comment one", "drop.*", "keep.*", "https://doc", "sys_main",
	};
	pb_strings(&b, strs, sizeof(strs) / sizeof(strs[0]));
	pb_varint(&b, 6 << 3 | 2); /* 18: a NUL inside */
	pb_varint(&b, 10);
	pb_raw(&b, "nul\0inside", 10);
	if (big) {
		pb_varint(&b, 6 << 3 | 2); /* 19 */
		pb_varint(&b, big);
		uint64_t x = 88172645463325252ull;
		for (size_t i = 0; i < big; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			unsigned char c = (unsigned char)x;
			pb_raw(&b, &c, 1);
		}
	}
	pb_value_type(&b, 1, 2);
	pb_value_type(&b, 3, 4);
	/* mappings: id 7 (functions, line numbers), id 9 (filenames, inline) */
	pb_vfield(&m, 1, 7), pb_vfield(&m, 2, 0x400000), pb_vfield(&m, 3, 0x500000);
	pb_vfield(&m, 4, 0x1000), pb_vfield(&m, 5, 11), pb_vfield(&m, 6, 12);
	pb_vfield(&m, 7, 1), pb_vfield(&m, 9, 1);
	pb_lfield(&b, 3, &m);
	pb_free(&m);
	pb_vfield(&m, 1, 9), pb_vfield(&m, 5, 11), pb_vfield(&m, 8, 1), pb_vfield(&m, 10, 1);
	pb_lfield(&b, 3, &m);
	pb_free(&m);
	/* samples before the locations, as google/pprof writes them */
	static const uint64_t s1[] = { 1000002, 1000001 }, s3[] = { 1000003, 1000001 };
	static const int64_t v1[] = { 1, -100 }, v2[] = { 0, 0 }, v3[] = { 3, 300 };
	pb_packed(&m, 1, s1, 2);
	pb_packed(&m, 2, (const uint64_t *)v1, 2);
	pb_vfield(&l, 1, 8), pb_vfield(&l, 2, 9);
	pb_lfield(&m, 3, &l);
	pb_free(&l);
	pb_vfield(&l, 1, 10), pb_vfield(&l, 3, 4096), pb_vfield(&l, 4, 10);
	pb_lfield(&m, 3, &l);
	pb_free(&l);
	pb_lfield(&b, 2, &m);
	pb_free(&m);
	pb_sample(&b, NULL, 0, v2, 2);
	pb_packed(&m, 1, s3, 2);
	pb_packed(&m, 2, (const uint64_t *)v3, 2);
	pb_vfield(&l, 1, 8), pb_vfield(&l, 3, (uint64_t)-5);
	pb_lfield(&m, 3, &l);
	pb_free(&l);
	pb_lfield(&b, 2, &m);
	pb_free(&m);
	/* locations */
	pb_vfield(&m, 1, 1000001), pb_vfield(&m, 2, 7), pb_vfield(&m, 3, 0x401000);
	pb_vfield(&l, 1, 50), pb_vfield(&l, 2, 10), pb_vfield(&l, 3, 3);
	pb_lfield(&m, 4, &l);
	pb_free(&l);
	pb_lfield(&b, 4, &m);
	pb_free(&m);
	pb_vfield(&m, 1, 1000002), pb_vfield(&m, 2, 9), pb_vfield(&m, 3, 0x402000);
	pb_vfield(&l, 1, 51), pb_vfield(&l, 2, 20);
	pb_lfield(&m, 4, &l);
	pb_free(&l);
	pb_vfield(&l, 1, 50), pb_vfield(&l, 2, 11), pb_vfield(&l, 3, 7);
	pb_lfield(&m, 4, &l);
	pb_free(&l);
	pb_vfield(&m, 5, 1);
	pb_lfield(&b, 4, &m);
	pb_free(&m);
	pb_vfield(&m, 1, 1000003), pb_vfield(&m, 2, 12345), pb_vfield(&m, 3, 0xbeef);
	pb_lfield(&b, 4, &m);
	pb_free(&m);
	/* functions */
	pb_vfield(&m, 1, 50), pb_vfield(&m, 2, 5), pb_vfield(&m, 3, 17), pb_vfield(&m, 4, 7);
	pb_vfield(&m, 5, 9);
	pb_lfield(&b, 5, &m);
	pb_free(&m);
	pb_vfield(&m, 1, 51), pb_vfield(&m, 2, 6), pb_vfield(&m, 3, 18), pb_vfield(&m, 4, 7);
	pb_vfield(&m, 5, (uint64_t)-2);
	pb_lfield(&b, 5, &m);
	pb_free(&m);
	pb_vfield(&b, 7, 14);
	pb_vfield(&b, 8, 15);
	pb_vfield(&b, 9, 1700000000123456789ull);
	pb_vfield(&b, 10, 1500000000);
	pb_vfield(&m, 1, 3), pb_vfield(&m, 2, 4);
	pb_lfield(&b, 11, &m);
	pb_free(&m);
	pb_vfield(&b, 12, 10000000);
	pb_vfield(&b, 13, 13); /* comments, unpacked */
	pb_vfield(&b, 13, 18);
	pb_vfield(&b, 14, 3);
	pb_vfield(&b, 15, 16);
	return b;
}

static void assert_pstr_equal(const pprofc_profile *a, int64_t ia, const pprofc_profile *b,
			      int64_t ib)
{
	const pstr *x = model_str(a, ia), *y = model_str(b, ib);
	assert_int_equal(x->len, y->len);
	assert_memory_equal(x->s, y->s, x->len + 1);
}

/* Every field of two loaded models, by content (stack ids and line
 * offsets may differ; what they hold may not). */
static void assert_models_equal(const pprofc_profile *a, const pprofc_profile *b)
{
	assert_int_equal(a->nstrings, b->nstrings);
	for (size_t i = 0; i < a->nstrings; i++)
		assert_pstr_equal(a, (int64_t)i, b, (int64_t)i);
	assert_int_equal(a->nsample_types, b->nsample_types);
	assert_memory_equal(a->sample_types, b->sample_types,
			    a->nsample_types * sizeof(value_type));
	assert_int_equal(a->drop_frames, b->drop_frames);
	assert_int_equal(a->keep_frames, b->keep_frames);
	assert_int_equal(a->time_nanos, b->time_nanos);
	assert_int_equal(a->duration_nanos, b->duration_nanos);
	assert_int_equal(a->period, b->period);
	assert_int_equal(a->period_type.type, b->period_type.type);
	assert_int_equal(a->period_type.unit, b->period_type.unit);
	assert_int_equal(a->default_sample_type, b->default_sample_type);
	assert_int_equal(a->doc_url, b->doc_url);
	assert_int_equal(a->ncomments, b->ncomments);
	for (size_t i = 0; i < a->ncomments; i++)
		assert_int_equal(a->comments[i], b->comments[i]);
	assert_int_equal(a->nmappings, b->nmappings);
	for (size_t i = 0; i < a->nmappings; i++) {
		const mapping *x = &a->mappings[i], *y = &b->mappings[i];
		assert_int_equal(x->id, y->id);
		assert_int_equal(x->start, y->start);
		assert_int_equal(x->limit, y->limit);
		assert_int_equal(x->offset, y->offset);
		assert_int_equal(x->filename, y->filename);
		assert_int_equal(x->build_id, y->build_id);
		assert_int_equal(x->flags, y->flags);
	}
	assert_int_equal(a->nfunctions, b->nfunctions);
	assert_memory_equal(a->functions, b->functions, a->nfunctions * sizeof(function));
	assert_int_equal(a->nlocations, b->nlocations);
	for (size_t i = 0; i < a->nlocations; i++) {
		const location *x = &a->locations[i], *y = &b->locations[i];
		assert_int_equal(x->id, y->id);
		assert_int_equal(x->mapping_id, y->mapping_id);
		assert_int_equal(x->mapping, y->mapping);
		assert_int_equal(x->address, y->address);
		assert_int_equal(x->is_folded, y->is_folded);
		assert_int_equal(x->nlines, y->nlines);
		for (uint32_t k = 0; k < x->nlines; k++) {
			const line *lx = &a->lines[x->line_off + k],
				   *ly = &b->lines[y->line_off + k];
			assert_int_equal(lx->function_id, ly->function_id);
			assert_int_equal(lx->function, ly->function);
			assert_int_equal(lx->line, ly->line);
			assert_int_equal(lx->column, ly->column);
		}
	}
	assert_int_equal(a->nsamples, b->nsamples);
	size_t nt = a->nsample_types;
	for (size_t i = 0; i < a->nsamples; i++) {
		for (size_t t = 0; t < nt; t++)
			assert_int_equal(a->values[i * nt + t], b->values[i * nt + t]);
		uint32_t sa = a->sample_stack[i], sb = b->sample_stack[i];
		uint32_t na = a->stack_off[sa + 1] - a->stack_off[sa];
		assert_int_equal(na, b->stack_off[sb + 1] - b->stack_off[sb]);
		for (uint32_t k = 0; k < na; k++)
			assert_int_equal(a->stack_locs[a->stack_off[sa] + k],
					 b->stack_locs[b->stack_off[sb] + k]);
		uint32_t la = a->label_off[i], lb = b->label_off[i];
		assert_int_equal(a->label_off[i + 1] - la, b->label_off[i + 1] - lb);
		for (uint32_t k = 0; k < a->label_off[i + 1] - la; k++)
			assert_memory_equal(&a->labels[la + k], &b->labels[lb + k], sizeof(label));
	}
}

/* pprofc_write_proto's output, loaded into a new handle. */
static pprofc_profile *proto_roundtrip(pprofc_profile *p, memsink *m)
{
	pprofc_sink sink = { memsink_write, m };
	assert_int_equal(pprofc_write_proto(p, NULL, &sink), PPROFC_OK);
	assert_true(m->buf.n > 18);
	assert_int_equal(m->buf.d[0], 0x1f); /* gzip */
	assert_int_equal(m->buf.d[1], 0x8b);
	pprofc_profile *q = pprofc_profile_create();
	assert_int_equal(pprofc_profile_load_memory(q, m->buf.d, m->buf.n), PPROFC_OK);
	return q;
}

static void test_proto_roundtrip(void **state)
{
	(void)state;
	pbuf raw = full_profile(0);
	pprofc_profile *p = pprofc_profile_create();
	assert_int_equal(pprofc_profile_load_memory(p, raw.d, raw.n), PPROFC_OK);
	pb_free(&raw);
	memsink m = { 0 };
	pprofc_profile *q = proto_roundtrip(p, &m);
	assert_models_equal(p, q);
	/* and the values are the crafted ones, not lost on both sides */
	assert_int_equal(q->nsamples, 3);
	assert_int_equal(q->values[1], -100);
	assert_int_equal(q->time_nanos, 1700000000123456789ll);
	assert_int_equal(q->nlabels, 3);
	assert_int_equal(q->labels[1].num, 4096);
	assert_int_equal(q->labels[1].num_unit, 10);
	assert_int_equal(q->labels[2].num, -5);
	assert_int_equal(q->mappings[0].flags, MAPPING_HAS_FUNCTIONS | MAPPING_HAS_LINE_NUMBERS);
	assert_int_equal(q->mappings[1].flags, MAPPING_HAS_FILENAMES | MAPPING_HAS_INLINE_FRAMES);
	assert_int_equal(q->locations[2].mapping_id, 12345);
	assert_true(q->locations[1].is_folded);
	assert_int_equal(q->lines[q->locations[1].line_off + 1].column, 7);
	assert_int_equal(q->functions[1].start_line, -2);
	assert_int_equal(model_str(q, 18)->len, 10);
	assert_int_equal(q->ncomments, 2);
	assert_int_equal(q->doc_url, 16);
	/* the raw dumps agree too */
	memsink r1 = { 0 }, r2 = { 0 };
	pprofc_sink k1 = { memsink_write, &r1 }, k2 = { memsink_write, &r2 };
	assert_int_equal(pprofc_write_raw(p, NULL, &k1), PPROFC_OK);
	assert_int_equal(pprofc_write_raw(q, NULL, &k2), PPROFC_OK);
	assert_string_equal(memsink_str(&r1), memsink_str(&r2));
	pb_free(&r1.buf);
	pb_free(&r2.buf);
	pb_free(&m.buf);
	pprofc_profile_destroy(q);

	/* The test profile of testprof.h (no mappings, a lineless location,
	 * a sample without locations), written after --hide b: the filtered
	 * model is what comes back. */
	pprofc_profile *t = load_test_profile();
	pprofc_filter *f = pprofc_filter_create();
	assert_int_equal(pprofc_filter_set(f, PPROFC_FILTER_HIDE, "^b$"), PPROFC_OK);
	assert_int_equal(pprofc_profile_filter(t, f, NULL), PPROFC_OK);
	pprofc_filter_destroy(f);
	q = proto_roundtrip(t, &m);
	assert_models_equal(t, q);
	assert_int_equal(q->locations[3].nlines, 1); /* b's inlined line gone */
	memsink fo = { 0 };
	pprofc_sink fs = { memsink_write, &fo };
	assert_int_equal(write_folded(q, 1, &fs), PPROFC_OK);
	assert_string_equal(memsink_str(&fo), "[no stack] 5\nmain 50\nmain;0xbeef 7\nmain;a 10\n"
					      "main;a;a 100\n");
	pb_free(&fo.buf);
	pb_free(&m.buf);
	pprofc_profile_destroy(q);
	pprofc_profile_destroy(t);
	pprofc_profile_destroy(p);
}

/* A sink that counts its writes, and fails the one numbered `fail_at`
 * (from 1; 0: none). */
typedef struct countsink {
	size_t calls, bytes, fail_at;
} countsink;

static int countsink_write(void *ctx, const void *data, size_t len)
{
	countsink *c = ctx;
	(void)data;
	if (++c->calls == c->fail_at)
		return -1;
	c->bytes += len;
	return 0;
}

static void test_proto_sink_failure(void **state)
{
	(void)state;
	/* 2.2 MB that do not compress: three blocks of the gzip writer (the
	 * helper thread deflates one of them), each in a write of its own. */
	pbuf raw = full_profile(2200000);
	pprofc_profile *p = pprofc_profile_create();
	assert_int_equal(pprofc_profile_load_memory(p, raw.d, raw.n), PPROFC_OK);
	pb_free(&raw);
	memsink ok = { 0 };
	pprofc_profile *q = proto_roundtrip(p, &ok);
	assert_models_equal(p, q);
	pprofc_profile_destroy(q);
	countsink c = { 0 };
	pprofc_sink sink = { countsink_write, &c };
	assert_int_equal(pprofc_write_proto(p, NULL, &sink), PPROFC_OK);
	assert_int_equal(c.bytes, ok.buf.n);
	assert_int_equal(c.calls, 3);
	for (size_t k = 1; k <= 3; k++) {
		countsink f = { .fail_at = k };
		sink.ctx = &f;
		assert_int_equal(pprofc_write_proto(p, NULL, &sink), PPROFC_ERR_IO);
		assert_string_equal(pprofc_profile_errmsg(p), "write failed");
		assert_int_equal(f.calls, k); /* nothing after the failure */
	}
	/* a failed write leaves the handle as it was: it writes again, alike */
	memsink again = { 0 };
	q = proto_roundtrip(p, &again);
	assert_int_equal(again.buf.n, ok.buf.n);
	assert_memory_equal(again.buf.d, ok.buf.d, ok.buf.n);
	pb_free(&again.buf);
	pprofc_profile_destroy(q);
	/* and without the helper thread, byte for byte the same */
	lib_tuning.gzip_threads = false;
	q = proto_roundtrip(p, &again);
	lib_tuning.gzip_threads = true;
	assert_int_equal(again.buf.n, ok.buf.n);
	assert_memory_equal(again.buf.d, ok.buf.d, ok.buf.n);
	pb_free(&again.buf);
	pb_free(&ok.buf);
	pprofc_profile_destroy(q);
	pprofc_profile_destroy(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_granularity),
		cmocka_unit_test(test_folded),
		cmocka_unit_test(test_flamegraph),
		cmocka_unit_test(test_options_size),
		cmocka_unit_test(test_top_json),
		cmocka_unit_test(test_top_text),
		cmocka_unit_test(test_callgrind),
		cmocka_unit_test(test_callgrind_call_order),
		cmocka_unit_test(test_callgrind_longest_numbers),
		cmocka_unit_test(test_callgrind_same_name),
		cmocka_unit_test(test_callgrind_zero_stack),
		cmocka_unit_test(test_callgrind_long_name),
		cmocka_unit_test(test_sink_failure),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_top_mean),
		cmocka_unit_test(test_top_unit),
		cmocka_unit_test(test_select_inuse_prefix),
		cmocka_unit_test(test_traces),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_proto_roundtrip),
		cmocka_unit_test(test_proto_sink_failure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
