/*
 * Private declarations shared by the stages of the library. Nothing here is
 * visible to users of pprofc.h; the protobuf-c types stay behind decode.c
 * and write_proto.c.
 *
 * The data's path: source.c reads bytes -> gunzip.c inflates them ->
 * decode.c walks the Profile message and fills the model's tables ->
 * model.c resolves ids, validates, and hashes stacks -> writers
 * (write_callgrind.c, write_folded.c, write_flamegraph.c, write_top.c,
 * write_tags.c, write_traces.c, write_raw.c) read the model through frames.c (labels
 * through labels.c) and emit text through out.c; write_proto.c encodes the
 * model itself back into gzipped profile.proto.
 */
#ifndef PPROFC_INTERNAL_H
#define PPROFC_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <zlib.h>

#include "pprofc.h"

#define NONE UINT32_MAX

/* Sums of hostile values may overflow: wrap instead of undefined behaviour. */
static inline int64_t wadd(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* ---- growable arrays (vec.c) ------------------------------------------ */

/* A counted allocator: every byte the model and decoder hold goes through
 * one of these, so a hostile input cannot make us allocate without bound. */
typedef struct budget {
	uint64_t used;
	uint64_t limit;
} budget;

void *budget_alloc(budget *b, size_t size);
void *budget_realloc(budget *b, void *ptr, size_t new_size);
void budget_free(budget *b, void *ptr); /* accepts NULL */

/* Grow *arr (elements of `elem` bytes, capacity *cap) to hold `need`. */
bool vec_grow(budget *b, void **arr, size_t *cap, size_t need, size_t elem);
/* Room for need elements in *arr: inline, since the decoder and the
 * callgrind summing ask per element and there is almost always room. */
static inline bool vec_reserve(budget *b, void **arr, size_t *cap, size_t need, size_t elem)
{
	return need <= *cap || vec_grow(b, arr, cap, need, elem);
}

/* Bump allocator for protobuf-c's per-message allocations: reset after each
 * message, so decoding a million samples does not call malloc a million
 * times. Memory comes from (and is counted by) a budget. */
typedef struct arena {
	budget *b;
	char *block;
	size_t size, used;
	struct arena_big *big; /* allocations larger than the block */
} arena;

void arena_init(arena *a, budget *b);
void *arena_alloc(arena *a, size_t size);
void arena_reset(arena *a);
void arena_finish(arena *a);

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
	char errmsg[512];

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

/* source.c: read a descriptor to its end, at most `limit` bytes. */
pprofc_status source_read_fd(pprofc_profile *p, int fd, uint64_t limit, unsigned char **ret_buf,
			     size_t *ret_len, size_t *ret_cap);
pprofc_status source_open(pprofc_profile *p, const char *path, int *ret_fd);

/*
 * gunzip.c: the message bytes, inflated (on a thread when large) while the
 * decoder reads them. stream_begin takes ownership of `in` (from the
 * budget) and sets p->buf; stream_wait(s, n) blocks until n bytes of p->buf
 * are final or the stream is over, and returns how many are (p->buf may
 * move during the call); stream_end waits for the end, frees `in`, sets
 * p->buflen, and returns the gzip error, if any, with the message set.
 */
typedef struct stream {
	pprofc_profile *p;
	unsigned char *buf; /* == p->buf */
	size_t cap, len;    /* owned by whoever inflates */
	unsigned char *in;  /* compressed input, NULL when not gzip */
	const unsigned char *in_next;
	size_t in_left;
	/* From a file (fd >= 0), `in` is refilled a buffer at a time (in_cap
	 * bytes), up to in_limit bytes in all. */
	int fd;
	size_t in_cap;
	uint64_t in_read, in_limit;
	bool in_eof;
	z_stream zs;
	bool zs_live;
	/* Shared with the thread under mu. */
	size_t ready;
	size_t ahead; /* the end of the pages stream_give_back() moved ahead */
	/* With a thread, the reader checks the member's CRC and length (see
	 * gunzip.c): its CRC of the bytes up to crc_done, the last 8 bytes
	 * of input before the current buffer, and the trailer once inflate
	 * has read it (ended). */
	bool own_check, ended;
	unsigned long crc;
	size_t crc_done;
	unsigned char tail[8], trailer[8];
	bool finished, full;
	pprofc_status st;
	char msg[256];
	bool threaded;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
} stream;

extern size_t stream_thread_min;    /* output size from which a thread inflates */
extern size_t stream_first_cap_max; /* cap on the first buffer (tests) */
extern size_t stream_read_bytes;    /* a file's bytes read at a time */
pprofc_status stream_begin(pprofc_profile *p, unsigned char *in, size_t inlen, stream *s);
/* A gzip member read from a regular file as it is inflated: from offset at
 * (where fd is), insize bytes expected, at most in_limit read. */
pprofc_status stream_begin_fd(pprofc_profile *p, int fd, off_t at, uint64_t insize,
			      uint64_t in_limit, stream *s);
size_t stream_wait(stream *s, size_t need);
/* Pages of p->buf (page-aligned, len bytes at from) that will not be read
 * again: moved to where the thread has yet to write, or given back. */
void stream_give_back(stream *s, unsigned char *from, size_t len);
extern _Atomic size_t stream_pages_moved; /* bytes moved ahead, ever (tests) */
pprofc_status stream_end(stream *s);

/*
 * gzip.c: bytes -> one gzip member, given to the sink in chunks of about a
 * megabyte, deflated in blocks on two threads when there is more than one
 * block. Writes may go through gzw_write, or straight into the current
 * block: gzw_room gives its free space (0 after a failure), gzw_commit
 * counts what was put there. A failure (the sink's, as PPROFC_ERR_IO) is
 * kept, with the message set, and stops all further output; gzw_end
 * finishes the stream (when nothing failed), frees the writer and returns
 * the first failure.
 */
typedef struct gzwriter gzwriter;
extern bool gzip_threads; /* false: no helper thread (tests) */
pprofc_status gzw_begin(pprofc_profile *p, const pprofc_sink *sink, int level, gzwriter **ret);
void gzw_write(gzwriter *g, const void *data, size_t len);
unsigned char *gzw_room(gzwriter *g, size_t *ret_room);
void gzw_commit(gzwriter *g, size_t n);
pprofc_status gzw_status(const gzwriter *g);
pprofc_status gzw_end(gzwriter *g);

/* decode.c: walk the Profile message as the stream delivers it, filling the
 * tables and decoding samples early where it can (see decode.c); after
 * model_resolve(), decode_samples() finishes the samples into the flat
 * arrays. decode_early off: every sample waits (for tests). */
extern bool decode_early;
extern size_t decode_batch;
extern size_t decode_refuse_sample;
pprofc_status decode_profile(pprofc_profile *p, stream *in);
pprofc_status decode_samples(pprofc_profile *p);

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
/* the stack locations from which they are mapped on two threads (tests:
 * 0) */
extern size_t map_stacks_split_min;
pprofc_status model_intern_stack(pprofc_profile *p, const uint32_t *locs, size_t n,
				 uint32_t *ret_stack);
/* The same in two steps, for a decoder that hashes several stacks before
 * interning them: the hash asks for the stack's slot in the table, so
 * their misses overlap. The table may grow in between: only the prefetch
 * is then wasted. */
uint32_t model_stack_hash(const pprofc_profile *p, const uint32_t *locs, size_t n);
pprofc_status model_intern_hashed(pprofc_profile *p, const uint32_t *locs, size_t n, uint32_t h,
				  uint32_t *ret_stack);

/* fetch.c: the checks of a finished response, and a way to run them on a
 * response that did not come over the network (for the fuzzer). */
pprofc_status fetch_check(pprofc_fetch *f);
pprofc_status fetch_set_response(pprofc_fetch *f, long status, const char *content_type,
				 int go_pprof_header, const void *body, size_t len);

/* write_callgrind.c: the memory for call records, past which a profile
 * is walked once per range of callers (tests set it low). */
extern size_t callgrind_record_bytes;
/* and the stacks from which two threads share the walks (tests: 0), and
 * the bytes of records a batch of callers sums while the one before is
 * written (tests: 1) */
extern size_t callgrind_split_min;
extern size_t callgrind_batch_bytes;

/* ---- output buffering (out.c) ----------------------------------------- */

typedef struct out {
	const pprofc_sink *sink;
	size_t n;
	bool failed;
	char buf[1 << 16];
} out;

void out_init(out *o, const pprofc_sink *sink);
void out_flush(out *o);
void out_write_slow(out *o, const void *data, size_t len);
/* Most writes fit in the buffer: those are a copy, inline. */
static inline void out_write(out *o, const void *data, size_t len)
{
	if (len <= sizeof(o->buf) - o->n) {
		memcpy(o->buf + o->n, data, len);
		o->n += len;
	} else {
		out_write_slow(o, data, len);
	}
}
void out_str(out *o, const char *s);
static inline void out_char(out *o, char c)
{
	if (o->n == sizeof(o->buf))
		out_flush(o);
	o->buf[o->n++] = c;
}
/* Room for n bytes (at most the buffer's size) after what is written,
 * flushing first if need be: format into it, then out_done at the end. */
static inline char *out_room(out *o, size_t n)
{
	if (n > sizeof(o->buf) - o->n)
		out_flush(o);
	return o->buf + o->n;
}
static inline void out_done(out *o, char *end)
{
	o->n = (size_t)(end - o->buf);
}
/* A string literal, its length known at compile time. */
#define out_lit(o, s) out_write((o), (s), sizeof(s) - 1)
void out_i64(out *o, int64_t v);
void out_u64(out *o, uint64_t v);

/* Formatting straight into a buffer with room known: each returns the end
 * of what it wrote. Numbers are most of a large callgrind or folded file:
 * their length from the bit length (1233 / 4096 ~ log10(2)), then two
 * digits per division, from the end. */
extern const char out_digit_pairs[201];
extern const uint64_t out_pow10[20];
static inline char *fmt_u64(char *p, uint64_t v) /* room for 20 */
{
	if (v < 10) {
		*p = (char)('0' + v);
		return p + 1;
	}
	size_t t = (size_t)(64 - __builtin_clzll(v)) * 1233 >> 12;
	char *e = p + t + 1 - (v < out_pow10[t]), *end = e;
	while (v >= 100) {
		uint64_t r = v % 100;
		v /= 100;
		e -= 2;
		memcpy(e, out_digit_pairs + 2 * r, 2);
	}
	if (v >= 10)
		memcpy(e - 2, out_digit_pairs + 2 * v, 2);
	else
		e[-1] = (char)('0' + v);
	return end;
}
static inline char *fmt_i64(char *p, int64_t v) /* room for 20 */
{
	if (v < 0) {
		*p++ = '-';
		return fmt_u64(p, (uint64_t)0 - (uint64_t)v);
	}
	return fmt_u64(p, (uint64_t)v);
}
/* As out_name_escaped; room for 4 * len. */
char *fmt_name_escaped(char *p, const char *s, size_t len);
void out_fmt(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s right-aligned in `width` columns, as printf's "%*s" does. */
void out_padded(out *o, const char *s, size_t width);
/* Name with control bytes written as \xHH, so one name stays on one line,
 * and the C1 controls and bidi overrides and isolates of valid UTF-8 as
 * \uHHHH, so it cannot steer a terminal or reorder the text after it;
 * other UTF-8 as it is. The one escaper for text from a profile, a source
 * file or a server, in reports and in messages alike. */
void out_name_escaped(out *o, const char *s, size_t len);
/* The same escaping into any writer; false as soon as put() is. */
bool escape_name(const char *s, size_t len, bool (*put)(void *ctx, const char *p, size_t n),
		 void *ctx);
/* The same into buf (size > 0 bytes), NUL-terminated, for messages: cut
 * after the last character whose form fits. Returns the length. */
size_t escape_name_buf(char *buf, size_t size, const char *s, size_t len);
/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 for an
 * invalid, overlong or surrogate one. */
size_t utf8_len(const unsigned char *s, size_t n);
/* JSON string literal, quotes included; invalid UTF-8 becomes U+FFFD. */
void out_json_str(out *o, const char *s, size_t len);
/* The inside of a DOT string (no quotes): '"' and '\\' escaped, a newline
 * as \l (pprof's left-justified break), other control bytes as a visible
 * \\xHH, invalid UTF-8 as U+FFFD; out_dot_str cuts it after DOT_NAME_MAX
 * bytes. dot_escape writes through put(). */
void out_dot_str(out *o, const char *s, size_t len);
#define DOT_NAME_MAX 1000 /* bytes of a name kept, then "…" */
bool dot_escape(const char *s, size_t len, bool (*put)(void *ctx, const char *p, size_t n),
		void *ctx);
pprofc_status out_finish(out *o, pprofc_profile *p);

/* ---- frames (frames.c) ------------------------------------------------ */

/*
 * A "node" is what a report row, a callgrind function or a folded frame is
 * about: one per distinct name at the granularity (function names by
 * default; "name file:line" at lines, ...), one per address for locations
 * without lines, and one for samples with no stack at all. Each location
 * expands to the nodes of its lines (its last line only with noinlines).
 */
typedef struct node {
	pstr name; /* display name */
} node;

typedef struct frame {
	uint32_t node;
	uint32_t function; /* NONE for lineless */
	int64_t line;
} frame;

typedef struct frames {
	node *nodes;
	size_t nnodes;
	frame *frames;	      /* all locations' frames, innermost first */
	uint32_t *frame_node; /* frames[i].node, packed for the hot loops */
	uint32_t *loc_off;    /* nlocations + 1 */
	uint32_t *func_node;
	uint32_t nostack;	   /* node of samples with no locations */
	char *names;		   /* storage for synthesized names */
	struct name_block *blocks; /* more of it, for granularities other than functions */
	/* per distinct stack: nstacks * ntypes summed values, and how many
	 * samples with a non-zero value it has */
	int64_t *stack_values;
	uint64_t *stack_count;
	size_t max_depth;    /* frames in the deepest expanded stack */
	size_t total_frames; /* frames of all stacks expanded, for sizing */
	budget *mem;
} frames;

/* Nodes at the profile's granularity, or at `g` (callgrind's choice). */
pprofc_status frames_build(pprofc_profile *p, frames *f);
pprofc_status frames_build_at(pprofc_profile *p, frames *f, pprofc_granularity g);
/* A writer's first step: check the sample index, then frames_build. */
pprofc_status frames_begin(pprofc_profile *p, size_t index, frames *f);
void frames_finish(frames *f);

/* Expand stack `s` root first into dst (room for f->max_depth frames);
 * returns the number of frames, at least 1. */
size_t frames_expand(const pprofc_profile *p, const frames *f, uint32_t s, frame *dst);

uint64_t hash_bytes(const void *data, size_t len, uint64_t seed);
/* Runs fa(a) and, when b is given, fb(b) on a second thread (after fa,
 * on this one, when no thread can be had): the halves of a job on the
 * machine's two cores. */
void run_both(void *(*fa)(void *), void *a, void *(*fb)(void *), void *b);

/* Go's filepath.Clean (lexical), as pprof applies it to file names (no
 * "//", "/./", "x/.."; "." when empty): writes at most n + 1 bytes to dst,
 * without a NUL, and returns the length. (frames.c) */
size_t path_clean(const char *path, size_t n, char *dst);

/* sort.c: stable merge sort; false when out of memory. */
bool sort_ctx(budget *b, void *base, size_t n, size_t size,
	      int (*cmp)(const void *, const void *, void *), void *ctx);
/* Stack indices a[0..n) in order of their locations read from the root
 * (a stack before those it is a prefix of); lcp[i] is how many root
 * locations a[i] shares with a[i - 1] (lcp[0] = 0). */
bool sort_stacks(const pprofc_profile *p, budget *b, uint32_t *a, size_t n, uint32_t *lcp);
/* From how many stacks sort_stacks groups them by root location first
 * and sorts the groups on two threads (tests: 0) */
extern size_t sort_stacks_grouped_min;

/* regex.c: pprof's regular expressions (Go's RE2 syntax, read by PCRE2),
 * the only engine of the library. rx_compile returns NULL with PCRE2's
 * reason ("... at offset N") in why. rx_match is an unanchored search of
 * s[0..len) (any bytes: invalid UTF-8 matches nothing, NULs are text),
 * safe from several threads on one regexp. */
typedef struct regexp regexp;
regexp *rx_compile(const char *pattern, char *why, size_t whysize);
bool rx_match(const regexp *re, const char *s, size_t len);
void rx_free(regexp *re); /* accepts NULL */

/* ---- a map from a pair of u64 to a dense index (kmap.c) ------------------ */

/* Values are 0, 1, 2, ... in order of insertion, so callers keep their
 * entries in a plain array indexed by the value. */
typedef struct kmap_slot {
	uint64_t a, b;
	uint32_t val; /* value + 1, 0 = empty */
} kmap_slot;

typedef struct kmap {
	kmap_slot *slots;
	size_t mask, n;
	budget *b;
} kmap;

bool kmap_init(kmap *m, budget *b, size_t hint);
/* The value of (a, b), adding it as m->n when new (*added set). NONE when
 * out of memory. */
uint32_t kmap_put(kmap *m, uint64_t a, uint64_t b, bool *added);
void kmap_free(kmap *m);

/* ---- labels as pprof reads them (labels.c) ------------------------------ */

enum { LABEL_IGNORED, LABEL_STRING, LABEL_NUMERIC };

static inline int label_kind(const label *l)
{
	if (l->str != 0)
		return LABEL_STRING;
	return l->num != 0 || l->num_unit != 0 ? LABEL_NUMERIC : LABEL_IGNORED;
}

/* Label keys by text, each with its numeric unit. */
typedef struct label_keys {
	pprofc_profile *p;
	kmap map;	   /* (hash, len | attempt << 32) -> key id */
	const pstr **keys; /* key id -> text */
	int64_t *unit;	   /* key id -> string index of its unit, -1: none seen */
	size_t cap;
} label_keys;

bool label_keys_init(label_keys *k, pprofc_profile *p);
/* The id of a key's text, added when new; NONE when out of memory. */
uint32_t label_keys_intern(label_keys *k, const pstr *key);
/* Interns every numeric key and finds its unit; false when out of memory. */
bool label_keys_scan_units(label_keys *k);
/* The unit numeric labels of key `id` are shown in. */
const char *label_keys_unit(const label_keys *k, uint32_t id);
void label_keys_finish(label_keys *k);

/* Per sample, 1 when it carries pprof::base="true" (it came from
 * --diff-base's profile, values negated; pprof's DiffBaseSample). *ret is
 * NULL when no sample does, else an array of p->nsamples bytes the caller
 * frees with budget_free(&p->mem, *ret). */
pprofc_status profile_diff_base(pprofc_profile *p, uint8_t **ret);
bool sample_is_base(const pprofc_profile *p, size_t i);

/* One label of a sample, for grouping by key. */
typedef struct lab_ref {
	uint32_t key; /* key id */
	uint32_t idx; /* index into p->labels */
} lab_ref;

/* The labels of `kind` of sample i into *refs (grown as needed), sorted by
 * key id and, within a key, in the sample's order. Returns how many, or
 * SIZE_MAX when out of memory. */
size_t label_refs(label_keys *k, size_t i, int kind, lab_ref **refs, size_t *cap);

/* Lines of text built, then sorted in Go's string order (pprof sorts its
 * formatted label strings), then written. Every line ends in '\n'. */
typedef struct linebuf {
	budget *b;
	char *s;
	size_t n, cap;
	size_t *off; /* start of each line */
	size_t nlines, cap_off;
} linebuf;

bool linebuf_line(linebuf *lb); /* starts a line */
bool linebuf_put(linebuf *lb, const char *s, size_t len);
/* As out_name_escaped: control bytes as \xHH. */
bool linebuf_put_escaped(linebuf *lb, const char *s, size_t len);
bool linebuf_sort(linebuf *lb);
/* Line k (after sorting: the k-th smallest), without its '\n'. */
const char *linebuf_get(const linebuf *lb, size_t k, size_t *ret_len);
void linebuf_finish(linebuf *lb);
/* Characters (runes, as Go's padding counts) of a name escaped as above. */
size_t label_text_width(const char *s, size_t len);

/* write_top.c: pprof's header lines (File, Build ID, comments, Type, Time,
 * Duration with the total in `ounit`). */
void report_header(out *o, pprofc_profile *p, const char *type, int mean, const char *sunit,
		   const char *ounit, int64_t total);

#endif /* PPROFC_INTERNAL_H */
