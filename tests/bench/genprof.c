/*
 * genprof: a deterministic generator of large profiles for benchmarks.
 *
 *   genprof [--samples N] [--functions N] [--locations N] [--paths N]
 *           [--seed N] OUTPUT.pb.gz
 *
 * Defaults make workload W1: 1,000,000 samples, 20,000 functions, 100,000
 * locations (one in five with an inlined frame), stacks of 5 to 48 frames
 * built from 2,000 shared call paths plus 1 to 8 random leaf frames, two
 * sample types (samples/count, cpu/nanoseconds), a string label on a quarter
 * of the samples. Messages are packed with protobuf-c and written in the
 * field order of google/pprof's encoder: samples first, then mappings,
 * locations, functions and the string table last -- the hard order for a
 * one-pass reader.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "profile.pb-c.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* splitmix64: deterministic across platforms */
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return rnd() % n;
}

static gzFile out;
static unsigned char *buf;
static size_t bufcap;

static void put_varint(unsigned char *p, size_t *n, uint64_t v)
{
	do {
		p[(*n)++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
}

/* One top-level field: tag, length, then the packed message. */
static void emit(unsigned field, const ProtobufCMessage *m, const void *raw, size_t rawlen)
{
	size_t len = m ? protobuf_c_message_get_packed_size(m) : rawlen;
	if (len + 20 > bufcap) {
		bufcap = (len + 20) * 2;
		buf = realloc(buf, bufcap);
		if (!buf)
			exit(1);
	}
	size_t n = 0;
	put_varint(buf, &n, (uint64_t)field << 3 | 2);
	put_varint(buf, &n, len);
	if (m)
		protobuf_c_message_pack(m, buf + n);
	else
		memcpy(buf + n, raw, rawlen);
	if (gzwrite(out, buf, (unsigned)(n + len)) != (int)(n + len)) {
		fprintf(stderr, "genprof: write failed\n");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	long nsamples = 1000000, nfuncs = 20000, nlocs = 100000, npaths = 2000;
	uint64_t seed = 1;
	const char *path = NULL;
	bool bad = false;
	for (int i = 1; i < argc; i++) {
		if (i + 1 < argc && !strcmp(argv[i], "--samples"))
			nsamples = atol(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "--functions"))
			nfuncs = atol(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "--locations"))
			nlocs = atol(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "--paths"))
			npaths = atol(argv[++i]);
		else if (i + 1 < argc && !strcmp(argv[i], "--seed"))
			seed = strtoull(argv[++i], NULL, 10);
		else if (argv[i][0] == '-' || path)
			bad = true; /* an unknown option, or a second output */
		else
			path = argv[i];
	}
	if (bad || !path || nsamples < 1 || nfuncs < 2 || nlocs < 2 || npaths < 1) {
		fprintf(stderr, "usage: genprof [--samples N] [--functions N] [--locations N] "
				"[--paths N] [--seed N] OUTPUT.pb.gz\n");
		return 2;
	}
	rng_state = seed;
	out = gzopen(path, "wb6");
	if (!out) {
		perror(path);
		return 1;
	}
	gzbuffer(out, 1 << 20);

	/* String table layout: fixed entries, then function names and files. */
	enum {
		S_EMPTY,
		S_SAMPLES,
		S_COUNT,
		S_CPU,
		S_NS,
		S_WORKER,
		S_A,
		S_B,
		S_C,
		S_D,
		S_BIN,
		S_FIXED
	};
	const long nfiles = nfuncs / 10 + 1;

	/* Sample types. */
	Perftools__Profiles__ValueType vt = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
	vt.type = S_SAMPLES;
	vt.unit = S_COUNT;
	emit(1, &vt.base, NULL, 0);
	vt.type = S_CPU;
	vt.unit = S_NS;
	emit(1, &vt.base, NULL, 0);

	/* Shared call paths, root first, as location ids. */
	uint64_t **paths = calloc((size_t)npaths, sizeof(*paths));
	int *plen = calloc((size_t)npaths, sizeof(*plen));
	for (long p = 0; p < npaths; p++) {
		plen[p] = 4 + (int)below(37); /* 4..40 */
		paths[p] = malloc(sizeof(uint64_t) * (size_t)plen[p]);
		for (int k = 0; k < plen[p]; k++)
			paths[p][k] = 1 + below((uint64_t)nlocs);
	}

	/* Samples. */
	uint64_t ids[64];
	int64_t vals[2];
	Perftools__Profiles__Label lab = PERFTOOLS__PROFILES__LABEL__INIT;
	Perftools__Profiles__Label *labp = &lab;
	lab.key = S_WORKER;
	for (long i = 0; i < nsamples; i++) {
		long p = (long)below((uint64_t)npaths);
		int leaves = 1 + (int)below(8);
		int n = 0;
		for (int k = 0; k < leaves; k++) /* leaf first */
			ids[n++] = 1 + below((uint64_t)nlocs);
		for (int k = plen[p] - 1; k >= 0; k--)
			ids[n++] = paths[p][k];
		Perftools__Profiles__Sample s = PERFTOOLS__PROFILES__SAMPLE__INIT;
		s.n_location_id = (size_t)n;
		s.location_id = ids;
		vals[0] = 1 + (int64_t)below(3);
		vals[1] = vals[0] * 10000000;
		s.n_value = 2;
		s.value = vals;
		if (i % 4 == 0) {
			lab.str = S_A + (int64_t)below(4);
			s.n_label = 1;
			s.label = &labp;
		}
		emit(2, &s.base, NULL, 0);
	}

	Perftools__Profiles__Mapping m = PERFTOOLS__PROFILES__MAPPING__INIT;
	m.id = 1;
	m.memory_start = 0x400000;
	m.memory_limit = 0x4000000;
	m.filename = S_BIN;
	m.has_functions = m.has_filenames = m.has_line_numbers = m.has_inline_frames = 1;
	emit(3, &m.base, NULL, 0);

	/* Locations: one in five has a frame inlined into its caller. */
	for (long i = 0; i < nlocs; i++) {
		Perftools__Profiles__Line l0 = PERFTOOLS__PROFILES__LINE__INIT;
		Perftools__Profiles__Line l1 = PERFTOOLS__PROFILES__LINE__INIT;
		Perftools__Profiles__Line *lines[2] = { &l0, &l1 };
		Perftools__Profiles__Location loc = PERFTOOLS__PROFILES__LOCATION__INIT;
		loc.id = (uint64_t)i + 1;
		loc.mapping_id = 1;
		loc.address = 0x400000 + (uint64_t)i * 16;
		l0.function_id = 1 + below((uint64_t)nfuncs);
		l0.line = 1 + (int64_t)below(500);
		l1.function_id = 1 + below((uint64_t)nfuncs);
		l1.line = 1 + (int64_t)below(500);
		loc.n_line = i % 5 == 0 ? 2 : 1;
		loc.line = lines;
		emit(4, &loc.base, NULL, 0);
	}
	for (long i = 0; i < nfuncs; i++) {
		Perftools__Profiles__Function f = PERFTOOLS__PROFILES__FUNCTION__INIT;
		f.id = (uint64_t)i + 1;
		f.name = S_FIXED + i;
		f.system_name = S_FIXED + i;
		f.filename = S_FIXED + nfuncs + i % nfiles;
		f.start_line = 1 + (int64_t)below(400);
		emit(5, &f.base, NULL, 0);
	}

	static const char *const fixed[] = { "",	 "samples", "count", "cpu", "nanoseconds",
					     "worker",	 "a",	    "b",     "c",   "d",
					     "w1-server" };
	for (size_t i = 0; i < S_FIXED; i++)
		emit(6, NULL, fixed[i], strlen(fixed[i]));
	char name[128];
	for (long i = 0; i < nfuncs; i++) {
		int n = snprintf(name, sizeof(name),
				 "github.com/example/pkg%ld.(*Server).handle%ld", i % 97, i);
		emit(6, NULL, name, (size_t)n);
	}
	for (long i = 0; i < nfiles; i++) {
		int n = snprintf(name, sizeof(name), "/src/github.com/example/pkg%ld/file%ld.go",
				 i % 97, i);
		emit(6, NULL, name, (size_t)n);
	}
	unsigned char tn[16];
	size_t k = 0;
	put_varint(tn, &k, 9 << 3);
	put_varint(tn, &k, 1700000000000000000ull);
	put_varint(tn, &k, 10 << 3);
	put_varint(tn, &k, 60000000000ull);
	gzwrite(out, tn, (unsigned)k);
	if (gzclose(out) != Z_OK) {
		fprintf(stderr, "genprof: cannot finish %s\n", path);
		return 1;
	}
	return 0;
}
