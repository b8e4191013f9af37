/*
 * Unit tests: the fast loading path (inflating on a thread, samples decoded
 * during the walk with raw ids) against the plain one (inflate everything,
 * then decode every sample at the end). On good profiles every writer's
 * output must be byte-identical; on damaged ones the status and the message
 * must be. The damage is systematic: every truncation point and several
 * byte values at every offset of small profiles, a stride through larger
 * ones, raw and gzipped.
 *
 * usage: test_stream [PROFILE.pb.gz...]
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "write/write.h"
#include "load/load.h"
#include "fetch/fetch.h"
#include "testprof.h"
#include "write_calls.h"

static char **files;
static int nfiles;

/* Under valgrind (the wrapper is set) or ThreadSanitizer (PPROFC_QUICK):
 * fewer damaged copies. */
static bool quick(void)
{
	const char *w = getenv("PPROFC_WRAPPER"), *q = getenv("PPROFC_QUICK");
	return (w && *w) || (q && *q);
}

typedef enum { PLAIN, FAST, FAST_SMALL_BUFFER, FROM_FILE } path;

/* The bytes as a file, loaded from it: a gzipped one is then read as it is
 * inflated, file_reads bytes at a time (7, and test_trailers tries them
 * all), so that every boundary (the gzip header, the trailer, a second
 * member's magic) falls inside a read somewhere. */
static size_t file_reads = 7;

static pprofc_status load_from_file(pprofc_profile *p, const unsigned char *data, size_t len)
{
	char name[] = "/tmp/pprofc-test-stream-XXXXXX";
	int fd = mkstemp(name);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	lib_tuning.stream_read_bytes = file_reads;
	pprofc_status st = pprofc_profile_load_file(p, name);
	lib_tuning.stream_read_bytes = 1 << 18;
	unlink(name);
	return st;
}

/* Everything a user could see of a load: the status and message, or every
 * writer's output at every sample index. */
static pbuf observe(const unsigned char *data, size_t len, path how)
{
	lib_tuning.decode_early = how != PLAIN;
	lib_tuning.stream_thread_min = how == PLAIN ? SIZE_MAX : 0;
	lib_tuning.stream_first_cap_max = how == FAST_SMALL_BUFFER ? 4096 : SIZE_MAX;
	pprofc_profile *p = pprofc_profile_create();
	assert_non_null(p);
	memsink m = { 0 };
	pprofc_sink sink = { memsink_write, &m };
	pprofc_status st = how == FROM_FILE ? load_from_file(p, data, len)
					    : pprofc_profile_load_memory(p, data, len);
	lib_tuning.decode_early = true;
	lib_tuning.stream_thread_min = 1u << 20;
	lib_tuning.stream_first_cap_max = SIZE_MAX;
	char head[600];
	snprintf(head, sizeof(head), "status %d: %s\n", (int)st,
		 st == PPROFC_OK ? "" : pprofc_profile_errmsg(p));
	pb_raw(&m.buf, head, strlen(head));
	if (st == PPROFC_OK)
		pprofc_write_raw(p, NULL, &sink); /* labels too */
	for (size_t i = 0; st == PPROFC_OK && i < pprofc_profile_sample_type_count(p); i++) {
		pprofc_top_options t = { .size = sizeof(t), .sample_index = i, .json = 1 };
		pprofc_write_top(p, &t, &sink);
		write_folded(p, i, &sink);
		write_callgrind(p, i, NULL, &sink);
	}
	pprofc_profile_destroy(p);
	return m.buf;
}

static size_t nchecked, nok;

static void agree(const unsigned char *data, size_t len, bool small_buffer, const char *what,
		  size_t at)
{
	pbuf a = observe(data, len, PLAIN);
	pbuf b = observe(data, len, small_buffer ? FAST_SMALL_BUFFER : FAST);
	if (a.n != b.n || memcmp(a.d, b.d, a.n)) {
		pb_raw(&a, "", 1);
		pb_raw(&b, "", 1);
		fail_msg("%s at %zu: plain and fast loads differ:\n%.300s\n---\n%.300s", what, at,
			 (const char *)a.d, (const char *)b.d);
	}
	if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
		pbuf f = observe(data, len, FROM_FILE);
		if (a.n != f.n || memcmp(a.d, f.d, a.n)) {
			pb_raw(&a, "", 1);
			pb_raw(&f, "", 1);
			fail_msg("%s at %zu: loads from memory and from a file differ:\n%.300s\n"
				 "---\n%.300s",
				 what, at, (const char *)a.d, (const char *)f.d);
		}
		pb_free(&f);
	}
	nchecked++;
	nok += !memcmp(a.d, "status 0:", 9);
	pb_free(&a);
	pb_free(&b);
}

/* Every prefix, and bytes 0x00, 0xff and b ^ 0x80 at each offset (all of
 * them when `stride` is 1), of the raw message and of its gzip. */
static void damage(const pbuf *raw, size_t stride)
{
	pbuf z = pb_gzip(raw);
	agree(raw->d, raw->n, false, "intact raw", 0);
	agree(z.d, z.n, false, "intact gzip", 0);
	agree(z.d, z.n, true, "intact gzip, small first buffer", 0);
	for (size_t i = 1; i < raw->n; i += stride)
		agree(raw->d, i, false, "raw cut", i);
	for (size_t i = 1; i < z.n; i += stride)
		agree(z.d, i, false, "gzip cut", i);
	unsigned char *copy = malloc(raw->n);
	assert_non_null(copy);
	static const int how[] = { 0x00, 0xff, -1 };
	for (size_t i = 0; i < raw->n; i += stride)
		for (size_t k = 0; k < 3; k++) {
			memcpy(copy, raw->d, raw->n);
			copy[i] = how[k] < 0 ? copy[i] ^ 0x80 : (unsigned char)how[k];
			if (copy[i] == raw->d[i])
				continue;
			agree(copy, raw->n, false, "raw byte", i);
			/* gzipped, so the thread runs (every few, for time) */
			if (i % (7 * stride) == 0) {
				pbuf c = { .d = copy, .n = raw->n };
				pbuf cz = pb_gzip(&c);
				agree(cz.d, cz.n, i % 2, "gzipped byte", i);
				pb_free(&cz);
			}
		}
	free(copy);
	pb_free(&z);
}

/* The reference profile, with labels and samples before their locations
 * (google/pprof's order), damaged at every byte. */
static void test_reference_profile(void **state)
{
	(void)state;
	pbuf raw = test_profile(1);
	damage(&raw, quick() ? 3 : 1);
	pb_free(&raw);
}

/* A sample that the early path cannot take (an id beyond 32 bits) hands it
 * and every later sample to the plain path: both halves must join up. */
static void test_handover(void **state)
{
	(void)state;
	pbuf b = { 0 };
	pb_value_type(&b, 1, 2);
	static const uint64_t s1[] = { 1 }, s2[] = { 0x100000001ull, 1 }, s3[] = { 1, 1 };
	static const int64_t v[] = { 3 };
	pb_sample(&b, s1, 1, v, 1);
	pb_sample(&b, s2, 2, v, 1);
	pb_sample(&b, s1, 1, v, 1); /* a stack from the early part, met again */
	pb_sample(&b, s3, 2, v, 1);
	static const uint64_t f1[] = { 1 };
	static const int64_t l1[] = { 3 };
	pb_location(&b, 1, 0, f1, l1, 1);
	pb_location(&b, 0x100000001ull, 0, f1, l1, 1);
	pb_function(&b, 1, 1, 0);
	static const char *const strs[] = { "", "x", "y" };
	pb_strings(&b, strs, 3);
	damage(&b, 1);

	lib_tuning.decode_early = true;
	lib_tuning.stream_thread_min = 0;
	pprofc_profile *p = pprofc_profile_create();
	assert_int_equal(pprofc_profile_load_memory(p, b.d, b.n), PPROFC_OK);
	assert_int_equal(p->nearly, 1);
	assert_int_equal(p->nstacks, 3);
	assert_int_equal(pprofc_profile_total(p, 0), 12);
	pprofc_profile_destroy(p);
	lib_tuning.stream_thread_min = 1u << 20;
	pb_free(&b);
}

/* The stacks of a profile's samples, location by location, as text. */
static pbuf sample_stacks(const pprofc_profile *p)
{
	pbuf t = { 0 };
	for (size_t i = 0; i < p->nsamples; i++) {
		uint32_t s = p->sample_stack[i];
		char num[32];
		for (uint32_t j = p->stack_off[s]; j < p->stack_off[s + 1]; j++) {
			snprintf(num, sizeof(num), " %u", p->stack_locs[j]);
			pb_raw(&t, num, strlen(num));
		}
		snprintf(num, sizeof(num), " = %lld\n", (long long)p->values[i]);
		pb_raw(&t, num, strlen(num));
	}
	return t;
}

/*
 * Early samples' stacks are interned a batch at a time; one refused
 * (memory) turns its sample and the rest of the batch late. Under every
 * memory limit up to what the load needs, in batches of 16 and of 1, with
 * stacks long enough that their array is what runs out: the load fails
 * for want of memory, or each sample has the stack and value it has
 * without a limit (a sample counted early but never interned would not).
 */
static void test_memory_limits_in_batches(void **state)
{
	(void)state;
	pbuf b = { 0 };
	pb_value_type(&b, 1, 2);
	for (uint64_t i = 0; i < 600; i++) {
		uint64_t locs[40];
		for (size_t k = 0; k < 40; k++)
			locs[k] = (i * 31 + k * 7) % 9 + 1;
		int64_t v = (int64_t)i + 1;
		pb_sample(&b, locs, 1 + i % 40, &v, 1);
	}
	static const uint64_t f1[] = { 1 };
	static const int64_t l1[] = { 3 };
	for (uint64_t id = 1; id <= 9; id++)
		pb_location(&b, id, 0, f1, l1, 1);
	pb_function(&b, 1, 1, 0);
	static const char *const strs[] = { "", "x", "y" };
	pb_strings(&b, strs, 3);
	lib_tuning.stream_thread_min = 0;
	pprofc_profile *p = pprofc_profile_create();
	assert_int_equal(pprofc_profile_load_memory(p, b.d, b.n), PPROFC_OK);
	pbuf want = sample_stacks(p);
	pprofc_profile_destroy(p);
	size_t failed = 0, ok = 0;
	for (size_t batch = 1; batch <= 16; batch += 15)
		for (uint64_t limit = 4096; limit < (320 << 10); limit += quick() ? 2048 : 256) {
			lib_tuning.decode_batch = batch;
			p = pprofc_profile_create();
			pprofc_profile_set_max_memory(p, limit);
			pprofc_status st = pprofc_profile_load_memory(p, b.d, b.n);
			lib_tuning.decode_batch = 16;
			if (st == PPROFC_OK) {
				pbuf got = sample_stacks(p);
				assert_int_equal(got.n, want.n);
				assert_memory_equal(got.d, want.d, want.n);
				pb_free(&got);
				ok++;
			} else {
				if (st != PPROFC_ERR_NOMEM)
					fail_msg("limit %llu: %s", (unsigned long long)limit,
						 pprofc_profile_errmsg(p));
				failed++;
			}
			pprofc_profile_destroy(p);
		}
	lib_tuning.stream_thread_min = 1u << 20;
	assert_true(failed > 0 && ok > 0); /* the sweep crossed what it needs */
	pb_free(&want);
	pb_free(&b);
}

/* 40 samples with stacks of 1 to 7 locations out of 5 and 0 to 2 string
 * labels each, before their locations. */
static pbuf labelled_profile(void)
{
	pbuf b = { 0 };
	pb_value_type(&b, 1, 2);
	for (uint64_t i = 0; i < 40; i++) {
		uint64_t locs[7];
		size_t n = 1 + i % 7;
		for (size_t k = 0; k < n; k++)
			locs[k] = (i + k * 2) % 5 + 1;
		uint64_t v = i + 1;
		pbuf m = { 0 };
		pb_packed(&m, 1, locs, n);
		pb_packed(&m, 2, &v, 1);
		for (uint64_t l = 0; l < i % 3; l++) {
			pbuf lab = { 0 };
			pb_vfield(&lab, 1, 3 + l);	     /* key */
			pb_vfield(&lab, 2, 5 + (i + l) % 2); /* value */
			pb_lfield(&m, 3, &lab);
			pb_free(&lab);
		}
		pb_lfield(&b, 2, &m);
		pb_free(&m);
	}
	static const uint64_t f1[] = { 1 };
	static const int64_t l1[] = { 3 };
	for (uint64_t id = 1; id <= 5; id++)
		pb_location(&b, id, 0, f1, l1, 1);
	pb_function(&b, 1, 1, 0);
	static const char *const strs[] = { "", "x", "y", "k1", "k2", "v1", "v2" };
	pb_strings(&b, strs, 7);
	return b;
}

/* A stack refused (as memory could be) at every sample, in batches of 16
 * and of 1: that sample and the rest of its batch go to the plain path,
 * and the profile, labels and all, is the one the plain path alone gives. */
static void test_refusal_in_a_batch(void **state)
{
	(void)state;
	pbuf raw = labelled_profile();
	for (size_t batch = 1; batch <= 16; batch += 15)
		for (size_t i = 0; i < 40; i++) {
			lib_tuning.decode_batch = batch;
			lib_tuning.decode_refuse_sample = i;
			agree(raw.d, raw.n, false, "refused sample", i);
			assert_int_equal(lib_tuning.decode_refuse_sample,
					 SIZE_MAX); /* it was met */
			lib_tuning.decode_batch = 16;
		}
	pb_free(&raw);
}

/* A profile of 17 MB, its samples first, loaded on the fast path: the
 * walker hands the pages it has read to the inflating thread several
 * times (unless the kernel refuses, as valgrind does), and
 * every output is the one the plain path gives. The thread is held at
 * most 1 MB ahead of the walker: left free, it can finish before the
 * walker has read 4 MB (a slow walker under a sanitizer, a busy
 * machine), and then nothing is moved. */
static void test_pages_moved_ahead(void **state)
{
	(void)state;
	pbuf b = { 0 };
	pb_value_type(&b, 1, 2);
	uint64_t rng = 99;
	for (int i = 0; i < 300000; i++) {
		uint64_t locs[24];
		size_t n = 8 + i % 17;
		for (size_t k = 0; k < n; k++) {
			rng = rng * 6364136223846793005ull + 1442695040888963407ull;
			/* ids of four varint bytes: a bigger profile for the time */
			locs[k] = (k < n - 3 ? k % 50 + 1 : (rng >> 33) % 200 + 1) * 100003;
		}
		int64_t v = i % 13 + 1;
		pb_sample(&b, locs, n, &v, 1);
	}
	static const uint64_t f1[] = { 1 }, f2[] = { 2 };
	static const int64_t l1[] = { 3 };
	for (uint64_t id = 1; id <= 200; id++)
		pb_location(&b, id * 100003, 0, id % 2 ? f1 : f2, l1, 1);
	pb_function(&b, 1, 1, 0);
	pb_function(&b, 2, 2, 0);
	static const char *const strs[] = { "", "x", "y" };
	pb_strings(&b, strs, 3);
	assert_true(b.n > (16u << 20));
	pbuf z = pb_gzip(&b);
	size_t before = lib_tuning.pages_moved;
	lib_tuning.stream_lead_max = (size_t)1 << 20;
	agree(z.d, z.n, false, "pages moved ahead", 0);
	lib_tuning.stream_lead_max = 0;
	const char *w = getenv("PPROFC_WRAPPER");
	if (!(w && *w)) /* (valgrind refuses the move) */
		assert_true(lib_tuning.pages_moved - before >= (8u << 20));
	pb_free(&z);
	pb_free(&b);
}

/* What may follow a gzip member (a second member, garbage, a magic's first
 * byte only, nothing), behind a good or a bad trailer, read from a file at
 * every read size from 1 to 16 bytes (so the trailer straddles reads) and
 * from memory on a thread: the same status and message as the plain
 * path. */
static void test_trailers(void **state)
{
	(void)state;
	pbuf raw = test_profile(1);
	pbuf z = pb_gzip(&raw);
	static const char *const tails[] = { "\x1f", "\x1f\x8b", "\x1f\x8b\x08", "x",
					     "garbage after the member" };
	size_t ntails = sizeof(tails) / sizeof(tails[0]);
	/* The trailer as written, then with its CRC, then its size, wrong
	 * (which a thread's reader checks, not zlib: the same words). */
	for (size_t bad = 0; bad < 3; bad++)
		for (size_t t = 0; t <= ntails + 1; t++) {
			pbuf b = { 0 };
			pb_raw(&b, z.d, z.n);
			if (bad)
				b.d[z.n - (bad == 1 ? 8 : 4)] ^= 0x10;
			if (t < ntails)
				pb_raw(&b, tails[t], strlen(tails[t]));
			else if (t == ntails)
				pb_raw(&b, z.d, z.n); /* two members */
			pbuf a = observe(b.d, b.n, PLAIN);
			assert_true(a.n >= 9);
			assert_true(!memcmp(a.d, "status 0:", 9) == (t > ntails && !bad));
			pbuf m = observe(b.d, b.n, FAST);
			if (a.n != m.n || memcmp(a.d, m.d, a.n))
				fail_msg("tail %zu, bad %zu, from memory", t, bad);
			pb_free(&m);
			for (file_reads = 1; file_reads <= 16; file_reads++) {
				pbuf f = observe(b.d, b.n, FROM_FILE);
				if (a.n != f.n || memcmp(a.d, f.d, a.n)) {
					pb_raw(&a, "", 1);
					pb_raw(&f, "", 1);
					fail_msg("tail %zu, bad %zu, reads of %zu: "
						 "%.200s\n---\n%.200s",
						 t, bad, file_reads, (const char *)a.d,
						 (const char *)f.d);
				}
				pb_free(&f);
			}
			file_reads = 7;
			pb_free(&a);
			pb_free(&b);
		}
	pb_free(&z);
	pb_free(&raw);
}

static void test_files(void **state)
{
	(void)state;
	for (int f = 0; f < nfiles; f++) {
		FILE *fp = fopen(files[f], "rb");
		if (!fp)
			fail_msg("cannot open %s", files[f]);
		pbuf z = { 0 };
		unsigned char chunk[65536];
		size_t n;
		while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
			pb_raw(&z, chunk, n);
		fclose(fp);
		agree(z.d, z.n, false, files[f], 0);
		agree(z.d, z.n, true, files[f], 0);
		/* Its raw bytes, damaged at a stride (a prime, so every field
		 * kind is hit somewhere). */
		pprofc_profile *p = pprofc_profile_create();
		stream s;
		unsigned char *in = malloc(z.n);
		memcpy(in, z.d, z.n);
		p->mem.limit = SIZE_MAX;
		/* stream_begin takes a budget block: make one. */
		unsigned char *owned = budget_alloc(&p->mem, z.n);
		memcpy(owned, in, z.n);
		free(in);
		assert_int_equal(stream_begin(p, owned, z.n, &s), PPROFC_OK);
		assert_int_equal(stream_end(&s), PPROFC_OK);
		pbuf raw = { 0 };
		pb_raw(&raw, p->buf, p->buflen);
		pprofc_profile_destroy(p);
		/* (large ones only at a few points: every load writes
		 * every report) */
		size_t stride = raw.n > (256u << 10) ? raw.n / 16 | 1 : raw.n / 400 | 1;
		if (quick())
			stride = raw.n > (256u << 10) ? raw.n : raw.n / 8 | 1;
		while (stride % 3 == 0 || stride % 5 == 0)
			stride += 2;
		damage(&raw, stride);
		pb_free(&raw);
		pb_free(&z);
	}
}

int main(int argc, char **argv)
{
	files = argv + 1;
	nfiles = argc - 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_profile),
		cmocka_unit_test(test_handover),
		cmocka_unit_test(test_memory_limits_in_batches),
		cmocka_unit_test(test_refusal_in_a_batch),
		cmocka_unit_test(test_pages_moved_ahead),
		cmocka_unit_test(test_trailers),
		cmocka_unit_test(test_files),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	printf("# %zu inputs compared, %zu of them loaded\n", nchecked, nok);
	return r;
}
