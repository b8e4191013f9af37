/*
 * model: the profile handle and its tables (strings, mappings, functions,
 * locations, samples, labels), the stacks interned from the samples, and
 * the checks that make a decoded message a valid profile.
 */
#ifndef PPROFC_MODEL_H
#define PPROFC_MODEL_H

#include "core/core.h"

/* ---- the model (model.c) ---------------------------------------------- */

typedef struct pstr {
	const char *s; /* NUL-terminated copy; may contain embedded NULs */
	uint32_t len;
} pstr;

typedef struct value_type {
	int64_t type, unit; /* string indices */
} value_type;

typedef struct mapping {
	uint64_t id, start, limit, offset;
	int64_t filename, build_id;
	uint8_t flags; /* MAPPING_HAS_*, for the raw dump and write_proto.c */
} mapping;

enum {
	MAPPING_HAS_FUNCTIONS = 1,
	MAPPING_HAS_FILENAMES = 2,
	MAPPING_HAS_LINE_NUMBERS = 4,
	MAPPING_HAS_INLINE_FRAMES = 8,
};

typedef struct line {
	uint64_t function_id; /* raw id; resolved into `function` */
	uint32_t function;    /* index into p->functions */
	int64_t line;
	int64_t column; /* kept only to be written back (write_proto.c) */
} line;

typedef struct location {
	uint64_t id, mapping_id, address;
	uint32_t mapping; /* index or NONE */
	uint32_t line_off, nlines;
	bool is_folded;
} location;

typedef struct function {
	uint64_t id;
	int64_t name, system_name, filename, start_line;
} function;

typedef struct label {
	int64_t key, str, num, num_unit;
} label;

/* id -> index: a direct table when ids are dense (the usual 1..n), else an
 * open-addressing hash. */
typedef struct idmap {
	uint32_t *dense; /* dense[id] = index + 1, 0 = absent */
	size_t dense_len;
	uint64_t *keys; /* hash form: keys[slot], vals[slot] = index + 1 */
	uint32_t *vals;
	size_t mask;
} idmap;

typedef struct span {
	size_t off;
	size_t len;
} span;

struct pprofc_profile {
	budget mem;
	uint64_t max_size;
	bool memory_set; /* max memory chosen by the caller, not derived */
	uint64_t limits[PPROFC_LIMIT_COUNT_];
	bool loaded;
	errstate err;

	/* The decompressed message; freed once samples are decoded. */
	unsigned char *buf;
	size_t buflen, bufcap;

	/* Top-level scalars. */
	int64_t drop_frames, keep_frames, time_nanos, duration_nanos, period;
	int64_t default_sample_type, doc_url;
	value_type period_type;
	bool has_time_nanos;

	value_type *sample_types;
	size_t nsample_types, cap_sample_types;
	int64_t *comments;
	size_t ncomments, cap_comments;

	span *strspans; /* string_table as spans of buf, until resolved */
	size_t nstrings, cap_strings;
	pstr *strings; /* resolved, NUL-terminated copies */
	char *strdata;
	size_t strdata_len;

	mapping *mappings;
	size_t nmappings, cap_mappings;
	location *locations;
	size_t nlocations, cap_locations;
	line *lines;
	size_t nlines, cap_lines;
	function *functions;
	size_t nfunctions, cap_functions;

	/* Samples: spans into buf until decoded; then values, stack ids and
	 * labels in flat arrays (no allocation per sample). */
	size_t nsamples;
	/* The first `nearly` samples are decoded during the walk (decode.c),
	 * their stacks as raw location ids until decode_samples(); the later
	 * ones, from the first the early path could not take, are spans. */
	size_t nearly, early_ntypes;
	span *sample_spans;
	size_t nsamples_late, cap_sample_spans;
	int64_t *values; /* nsamples * nsample_types */
	size_t cap_values;
	uint32_t *sample_stack;
	size_t cap_sample_stack;
	label *labels;
	size_t nlabels, cap_labels;
	uint32_t *label_off; /* nsamples + 1 */
	size_t cap_label_off;

	/* Unique stacks of location indices, leaf first, hashed once. */
	uint32_t *stack_locs;
	size_t nstack_locs, cap_stack_locs;
	uint32_t *stack_off; /* nstacks + 1 */
	size_t nstacks, cap_stack_off;
	uint64_t *stack_table; /* open addressing: hash << 32 | (id + 1), 0 = empty */
	size_t stack_mask;

	idmap loc_ids, func_ids, map_ids;

	/* Set by pprofc_profile_filter (filter.c): pprof's totals (sums of
	 * absolute values, per sample type) from before the first filter, the
	 * base of top's percentages; and its "Active filters" lines,
	 * NUL-separated. */
	pprofc_granularity granularity; /* pprofc_profile_set_granularity */
	bool noinlines;
	int64_t *prefilter_total;
	char *filter_desc;
	size_t filter_desc_len;
};

pprofc_status set_error(pprofc_profile *p, pprofc_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* model.c */
pprofc_status model_resolve(pprofc_profile *p);
pprofc_status model_finish_samples(pprofc_profile *p);
void model_free_maps(pprofc_profile *p);
const pstr *model_str(const pprofc_profile *p, int64_t idx);
bool model_check_str(pprofc_profile *p, int64_t idx, const char *what, uint64_t id);

uint32_t model_location_index(const pprofc_profile *p, uint64_t id);
/* Maps the stacks of early samples (raw location ids) to indices; the
 * first stack with an unknown id stops it: *ret_bad_stack (else NONE) and
 * *ret_bad_id are set. */
pprofc_status model_map_stacks(pprofc_profile *p, uint32_t *ret_bad_stack, uint64_t *ret_bad_id);
pprofc_status model_intern_stack(pprofc_profile *p, const uint32_t *locs, size_t n,
				 uint32_t *ret_stack);
/* The same in two steps, for a decoder that hashes several stacks before
 * interning them: the hash asks for the stack's slot in the table, so
 * their misses overlap. The table may grow in between: only the prefetch
 * is then wasted. */
uint32_t model_stack_hash(const pprofc_profile *p, const uint32_t *locs, size_t n);
pprofc_status model_intern_hashed(pprofc_profile *p, const uint32_t *locs, size_t n, uint32_t h,
				  uint32_t *ret_stack);

/* stacks.c */
/* Stack indices a[0..n) in order of their locations read from the root
 * (a stack before those it is a prefix of); lcp[i] is how many root
 * locations a[i] shares with a[i - 1] (lcp[0] = 0). */
bool sort_stacks(const pprofc_profile *p, budget *b, uint32_t *a, size_t n, uint32_t *lcp);

/* ---- on core's kmap (it would sit beside kmap_put in core.h) ---------- */

/* The dense id of an entry found by its content in a kmap: key (h, tag |
 * attempt << 32) for attempt 0, 1, ... until same(ctx, id) says entry id is
 * the one, or the key is new (*added set: the caller stores the entry as
 * id). A hash collision moves on to the next attempt rather than merging
 * two entries. NONE when out of memory. tag: more of the content, such as
 * a text's length (under 2^32). */
static inline uint32_t kmap_intern(kmap *m, uint64_t h, uint64_t tag,
				   bool (*same)(const void *ctx, uint32_t id), const void *ctx,
				   bool *added)
{
	for (uint64_t attempt = 0;; attempt++) {
		uint32_t id = kmap_put(m, h, tag | attempt << 32, added);
		if (id == NONE || *added || same(ctx, id))
			return id;
	}
}

/* kmap_intern for a text s[0..len) (under 2^32 bytes), hashed with seed:
 * text_of(table, id) is the text of existing entry id in the caller's
 * table. */
typedef struct kmap_text_ref {
	pstr (*text_of)(const void *table, uint32_t id);
	const void *table;
	const char *s;
	size_t len;
} kmap_text_ref;

static inline bool kmap_text_is(const void *ctx, uint32_t id)
{
	const kmap_text_ref *r = ctx;
	pstr t = r->text_of(r->table, id);
	return t.len == r->len && !memcmp(t.s, r->s, r->len);
}

static inline uint32_t kmap_intern_text(kmap *m, const char *s, size_t len, uint64_t seed,
					pstr (*text_of)(const void *table, uint32_t id),
					const void *table, bool *added)
{
	kmap_text_ref r = { text_of, table, s, len };
	return kmap_intern(m, hash_bytes(s, len, seed), len, kmap_text_is, &r, added);
}

#endif /* PPROFC_MODEL_H */
