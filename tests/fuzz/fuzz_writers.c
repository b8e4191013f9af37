/* Fuzz target 3: a decoded profile -> every writer, at every sample index,
 * every granularity and through the filters, into a sink that discards (but
 * counts) the bytes. The proto writer's output must load again and hold
 * the same profile (its raw dump equal), before and after the filters. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "../unit/write_calls.h"
#include "write/write.h"
#include "load/load.h"
#include "fetch/fetch.h" /* lib_tuning.callgrind_record_bytes */

static int null_write(void *ctx, const void *buf, size_t len)
{
	(void)buf;
	*(size_t *)ctx += len;
	return 0;
}

static void proto_roundtrip(pprofc_profile *p);

/* Merging the profile with itself, and comparing it with itself as a
 * --diff-base does (marked, normalized, negated, merged); each result
 * written as profile.proto and read back. */
static void fuzz_merges(pprofc_profile *p, const uint8_t *data, size_t size, pprofc_sink *sink)
{
	size_t n = pprofc_profile_sample_type_count(p);
	pprofc_profile *base = fuzz_profile_create();
	pprofc_profile *m = fuzz_profile_create();
	pprofc_profile *d = fuzz_profile_create();
	double ratios[8] = { -1, -1, -1, -1, -1, -1, -1, -1 };
	if (base && m && d && n <= 8 && pprofc_profile_load_memory(base, data, size) == PPROFC_OK) {
		pprofc_profile *two[2] = { p, base };
		if (pprofc_profile_merge(m, two, 2) == PPROFC_OK) {
			proto_roundtrip(m);
			pprofc_write_raw(m, NULL, sink);
			if (n)
				write_folded(m, 0, sink);
		}
		if (pprofc_profile_set_label(base, "pprof::base", "true") == PPROFC_OK &&
		    pprofc_profile_normalize(m, base) == PPROFC_OK &&
		    pprofc_profile_scale(base, ratios, n) == PPROFC_OK) {
			two[0] = m;
			if (pprofc_profile_merge(d, two, 2) == PPROFC_OK && n) {
				proto_roundtrip(d);
				write_folded(d, 0, sink);
				pprofc_top_options t = { .size = sizeof(t),
							 .sample_index = 0,
							 .mean = 1 };
				pprofc_write_top(d, &t, sink);
				pprofc_write_traces(d,
						    &(pprofc_traces_options){
							    .size = sizeof(pprofc_traces_options) },
						    sink);
			}
		}
	}
	pprofc_profile_destroy(d);
	pprofc_profile_destroy(m);
	pprofc_profile_destroy(base);
}

typedef struct membuf {
	char *d;
	size_t n, cap;
} membuf;

static int mem_write(void *ctx, const void *buf, size_t len)
{
	membuf *m = ctx;
	if (m->n + len > m->cap) {
		size_t cap = (m->n + len) * 2;
		char *d = realloc(m->d, cap);
		if (!d)
			return -1;
		m->d = d;
		m->cap = cap;
	}
	memcpy(m->d + m->n, buf, len);
	m->n += len;
	return 0;
}

static membuf raw_dump(pprofc_profile *p)
{
	membuf m = { 0 };
	pprofc_sink sink = { mem_write, &m };
	if (pprofc_write_raw(p, NULL, &sink) != PPROFC_OK)
		abort();
	return m;
}

/* write_proto, load the bytes again: it must succeed and dump alike. */
static void proto_roundtrip(pprofc_profile *p)
{
	membuf enc = { 0 };
	pprofc_sink sink = { mem_write, &enc };
	if (pprofc_write_proto(p, NULL, &sink) != PPROFC_OK)
		abort();
	pprofc_profile *q = fuzz_profile_create();
	if (!q)
		abort();
	if (pprofc_profile_load_memory(q, enc.d, enc.n) != PPROFC_OK)
		abort();
	membuf a = raw_dump(p), b = raw_dump(q);
	if (a.n != b.n || (a.n && memcmp(a.d, b.d, a.n)))
		abort();
	free(a.d);
	free(b.d);
	free(enc.d);
	pprofc_profile_destroy(q);
}

/* The callgrind writer sums calls in one walk when they fit, else counts
 * them and walks once per range of callers, in two halves on two threads
 * when there are many stacks: all must write the same. */
static void callgrind_both_ways(pprofc_profile *p)
{
	membuf a = { 0 }, b = { 0 };
	pprofc_sink sa = { mem_write, &a }, sb = { mem_write, &b };
	pprofc_status st = write_callgrind(p, 0, "fuzz", &sa);
	size_t saved = lib_tuning.callgrind_record_bytes,
	       saved_split = lib_tuning.callgrind_split_min;
	size_t saved_grouped = lib_tuning.sort_stacks_grouped_min,
	       saved_batch = lib_tuning.callgrind_batch_bytes;
	lib_tuning.callgrind_record_bytes = 64;
	lib_tuning.callgrind_batch_bytes = 1; /* each caller summed on its own, threaded */
	lib_tuning.callgrind_split_min = 0;   /* and in two halves, on two threads */
	lib_tuning.sort_stacks_grouped_min = 0;
	pprofc_status st2 = write_callgrind(p, 0, "fuzz", &sb);
	lib_tuning.callgrind_record_bytes = saved;
	lib_tuning.callgrind_split_min = saved_split;
	lib_tuning.sort_stacks_grouped_min = saved_grouped;
	lib_tuning.callgrind_batch_bytes = saved_batch;
	if (st == PPROFC_OK && st2 == PPROFC_OK && (a.n != b.n || memcmp(a.d, b.d, a.n)))
		abort();
	free(a.d);
	free(b.d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fuzz_is_gzip(data, size))
		return 0;
	pprofc_profile *p = fuzz_profile_create();
	if (!p)
		return 0;
	if (pprofc_profile_load_memory(p, data, size) == PPROFC_OK) {
		size_t n = pprofc_profile_sample_type_count(p), written = 0;
		pprofc_sink sink = { null_write, &written };
		if (n)
			callgrind_both_ways(p);
		for (size_t i = 0; i < n && i < 4; i++) {
			write_callgrind(p, i, "fuzz", &sink);
			write_folded(p, i, &sink);
			pprofc_top_options t = { .size = sizeof(t), .sample_index = i };
			pprofc_write_top(p, &t, &sink);
			t.json = 1;
			t.sort_by_cum = 1;
			pprofc_write_top(p, &t, &sink);
			t.mean = 1;
			pprofc_write_top(p, &t, &sink);
			t.json = 0;
			t.unit = i & 1 ? "auto" : "MB";
			pprofc_write_top(p, &t, &sink);
			pprofc_tags_options g = { .size = sizeof(g), .sample_index = i };
			pprofc_write_tags(p, &g, &sink);
			g.json = 1;
			g.unit = "ms";
			pprofc_write_tags(p, &g, &sink);
			pprofc_traces_options r = { .size = sizeof(r), .sample_index = i };
			pprofc_write_traces(p, &r, &sink);
			r.json = 1;
			r.mean = 1;
			pprofc_write_traces(p, &r, &sink);
			pprofc_tree_options e = { .size = sizeof(e),
						  .sample_index = i,
						  .nodecount = 3,
						  .nodefraction = 0.01,
						  .edgefraction = 0.01 };
			pprofc_write_tree(p, &e, &sink);
			e = (pprofc_tree_options){ .size = sizeof(pprofc_tree_options),
						   .sample_index = i,
						   .json = 1,
						   .peek = "[a-m]" };
			pprofc_write_tree(p, &e, &sink);
			t = (pprofc_top_options){ .size = sizeof(pprofc_top_options),
						  .sample_index = i,
						  .nodefraction = 0.05 };
			pprofc_write_top(p, &t, &sink);
			write_speedscope(p, i, "fuzz", &sink);
			pprofc_dot_options d = { .size = sizeof(d),
						 .sample_index = i,
						 .nodecount = 80,
						 .nodefraction = 0.005,
						 .edgefraction = 0.001 };
			pprofc_write_dot(p, &d, &sink);
			d = (pprofc_dot_options){ .size = sizeof(pprofc_dot_options),
						  .sample_index = i,
						  .nodecount = 3 };
			pprofc_write_dot(p, &d, &sink);
		}
		pprofc_write_raw(p, NULL, &sink);
		pprofc_write_comments(p, NULL, &sink);
		proto_roundtrip(p);
		/* Every other granularity, then filters that edit the model (a
		 * second load of the same bytes: filters change the profile). */
		for (int g = 1; g < PPROFC_GRANULARITY_COUNT_ && n; g++) {
			pprofc_profile_set_granularity(p, (pprofc_granularity)g, g & 1);
			write_folded(p, 0, &sink);
			write_callgrind(p, 0, "fuzz", &sink);
			write_speedscope(p, 0, "fuzz", &sink);
			pprofc_dot_options d = { .size = sizeof(d),
						 .sample_index = 0,
						 .nodecount = 5 };
			pprofc_write_dot(p, &d, &sink);
		}
		pprofc_profile *q = fuzz_profile_create();
		pprofc_filter *f = pprofc_filter_create();
		if (q && f && pprofc_profile_load_memory(q, data, size) == PPROFC_OK) {
			pprofc_filter_set(f, PPROFC_FILTER_IGNORE, "^z");
			pprofc_filter_set(f, PPROFC_FILTER_HIDE, "[ac]");
			pprofc_filter_set(f, PPROFC_FILTER_SHOW_FROM, "[a-m]|^$");
			pprofc_filter_set(f, PPROFC_FILTER_PRUNE_FROM, "[b-d]");
			pprofc_filter_set(f, PPROFC_FILTER_TAGFOCUS, "1:1kb");
			pprofc_filter_set(f, PPROFC_FILTER_TAGIGNORE, "z,y");
			pprofc_filter_set(f, PPROFC_FILTER_TAGHIDE, "x");
			unsigned unmatched;
			bool filtered = pprofc_profile_filter(q, f, &unmatched) == PPROFC_OK;
			if (filtered)
				proto_roundtrip(q);
			if (filtered && n) {
				write_folded(q, 0, &sink);
				write_callgrind(q, 0, "fuzz", &sink);
				pprofc_top_options t = { .size = sizeof(t), .sample_index = 0 };
				pprofc_write_top(q, &t, &sink);
			}
		}
		pprofc_filter_destroy(f);
		pprofc_profile_destroy(q);
		fuzz_merges(p, data, size, &sink);
		size_t idx;
		pprofc_profile_select_sample_type(p, NULL, &idx);
		pprofc_profile_select_sample_type(p, "cpu", &idx);
		char stem[64];
		pprofc_profile_save_stem(p, stem, sizeof(stem));
	}
	pprofc_profile_destroy(p);
	return 0;
}
