/*
 * core: the building blocks every stage uses: the counted memory budget,
 * growable arrays and the arena, buffered output to a sink and the escapers,
 * hashing, the sorts, the two-core runner, regular expressions and the map
 * from key pairs to dense indices. Nothing here knows what a profile holds.
 */
#ifndef PPROFC_CORE_H
#define PPROFC_CORE_H

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

/* ---- errors (error.c) --------------------------------------------------- */

/* What a handle keeps of its last failure: the status, which limit was
 * exceeded (for PPROFC_ERR_LIMIT and PPROFC_ERR_NOMEM over the budget; -1
 * otherwise), and the message. One formatter for every handle, so the
 * rules (cut at the end, never unterminated) hold alike. */
#define ERR_MSG_MAX 512
typedef struct errstate {
	pprofc_status code;
	int limit; /* a pprofc_limit, or -1 */
	char msg[ERR_MSG_MAX];
} errstate;

pprofc_status err_set(errstate *e, pprofc_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
pprofc_status err_vset(errstate *e, pprofc_status st, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* The same, recording that limit `limit` (a pprofc_limit) was exceeded. */
pprofc_status err_set_limit(errstate *e, pprofc_status st, int limit, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void err_clear(errstate *e);

/* ---- tuning (tuning.c) ---------------------------------------------------- */

/* The sizes at which the library changes strategy (a thread, a batch, a
 * split), in one place: the tests move them to reach every path on small
 * inputs. Internal, like everything here: never exported. */
typedef struct tuning {
	size_t stream_thread_min; /* output size from which a thread inflates (load/gunzip.c): below
				     it, a thread costs more than it saves */
	size_t stream_first_cap_max; /* cap on the first output buffer (tests make it too small) */
	size_t stream_read_bytes; /* compressed bytes read from a file at a time (tests: a few, so
				     that every boundary falls everywhere) */
	bool decode_early; /* decode samples as they stream in (tests compare with the late path) */
	size_t decode_batch; /* early samples whose stacks are hashed before any is interned (tests:
				1) */
	size_t decode_refuse_sample; /* tests: this early sample's stack is refused once, as if
					memory ran out */
	size_t map_stacks_split_min; /* stack locations from which they are mapped to indices on two
					threads (tests: 0) */
	size_t sort_stacks_grouped_min; /* stacks from which they are sorted by root group on two
					   threads (tests: low) */
	bool gzip_threads; /* deflate on a helper thread (tests: false, to compare the paths) */
	size_t callgrind_record_bytes; /* memory for call records, past which the profile is walked
					  once per range of callers (tests: low) */
	size_t callgrind_split_min;    /* stacks from which two threads share the callgrind walks
					  (tests: 0) */
	size_t callgrind_batch_bytes;  /* bytes of records a batch of callers sums while the one
					  before is written (tests: 1) */
	size_t stream_lead_max;	    /* tests: the inflating thread waits while this many bytes
				       ahead of what the reader asked for (0: never) */
	_Atomic size_t pages_moved; /* bytes the inflater's pages were moved ahead, ever (tests) */
} tuning;
extern tuning lib_tuning;

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
pprofc_status out_finish(out *o, errstate *e);

uint64_t hash_bytes(const void *data, size_t len, uint64_t seed);
/* Runs fa(a) and, when b is given, fb(b) on a second thread (after fa,
 * on this one, when no thread can be had): the halves of a job on the
 * machine's two cores. */
/* pthread_create with every signal blocked in the new thread; false when
 * no thread can be had. Every thread of the library starts here. */
bool thread_start(pthread_t *t, void *(*fn)(void *), void *arg);
void run_both(void *(*fa)(void *), void *a, void *(*fb)(void *), void *b);

/* sort.c: stable merge sort; false when out of memory. */
bool sort_ctx(budget *b, void *base, size_t n, size_t size,
	      int (*cmp)(const void *, const void *, void *), void *ctx);

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

/* budget_free of every block listed, NULLs too: a writer's arrays go in one
 * statement at its end. (mem.c) */
void budget_free_all(budget *b, void *const *blocks, size_t n);
#define budget_free_each(b, ...)                             \
	budget_free_all((b), (void *const[]){ __VA_ARGS__ }, \
			sizeof((void *const[]){ __VA_ARGS__ }) / sizeof(void *))

#endif /* PPROFC_CORE_H */
