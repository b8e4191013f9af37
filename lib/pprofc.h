/*
 * pprofc: read pprof profiles (profile.proto, gzipped or raw) and write
 * them as callgrind, folded stacks and text reports.
 *
 * The library never prints, never exits and never aborts on bad input.
 *
 * Errors. Every fallible call returns a pprofc_status. The handle keeps its
 * last failure, like SQLite's sqlite3_errcode and sqlite3_errmsg: the status
 * (pprofc_profile_errcode), which limit was exceeded when that was the cause
 * (pprofc_profile_errlimit), and a message that describes the failure in
 * the input's terms ("more than 100 samples (the limit)"), never in a
 * program's: a command-line tool adds its own hint. Every failing call sets
 * the message. Out-parameters are left untouched on failure.
 *
 * Threads. A handle (profile, filter, fetch) belongs to one thread at a
 * time: calls on one handle must not overlap, but different handles may be
 * used on different threads at once, and a handle may move between threads.
 * The library keeps no global mutable state besides libcurl, which it loads
 * once, thread-safely, on first use. To be fast on large inputs it starts
 * threads of its own inside a call (inflating while decoding, sorting and
 * summing on two cores, deflating in blocks); each is joined before the call
 * returns, no signal is delivered to them (they block all signals), and
 * none ever calls back into the caller's code, except pprofc_fetch_run_all's
 * callbacks as described there.
 *
 * Typical use:
 *
 *     pprofc_profile *p = pprofc_profile_create();
 *     if (!p || pprofc_profile_load_file(p, "cpu.pb.gz") != PPROFC_OK)
 *         ... pprofc_profile_errmsg(p) ...
 *     size_t idx;
 *     pprofc_profile_select_sample_type(p, NULL, &idx);
 *     pprofc_sink out = pprofc_sink_stdio(stdout);
 *     pprofc_folded_options fo = { .size = sizeof fo, .sample_index = idx };
 *     pprofc_write_folded(p, &fo, &out);
 *     pprofc_profile_destroy(p);
 */
#ifndef PPROFC_H
#define PPROFC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(PPROFC_BUILDING_LIB) && defined(__GNUC__)
#define PPROFC_API __attribute__((visibility("default")))
#else
#define PPROFC_API
#endif

#define PPROFC_VERSION "0.1.0"

typedef enum pprofc_status {
	PPROFC_OK = 0,
	PPROFC_ERR_NOMEM,   /* out of memory, or over the memory budget */
	PPROFC_ERR_IO,	    /* reading the source or writing a sink failed */
	PPROFC_ERR_GZIP,    /* corrupt, truncated or concatenated gzip data */
	PPROFC_ERR_LIMIT,   /* a configured limit was exceeded */
	PPROFC_ERR_DECODE,  /* not a well-formed profile.proto message */
	PPROFC_ERR_INVALID, /* well formed, but breaks a profile invariant */
	PPROFC_ERR_USAGE,   /* a bad argument, such as an unknown sample type */
} pprofc_status;

/* Static English text for a status code; never NULL. */
PPROFC_API const char *pprofc_strerror(pprofc_status status);

/* Library version string, e.g. "0.1.0". */
PPROFC_API const char *pprofc_version(void);

/* ---- Sinks ------------------------------------------------------------ */

/*
 * Where writers put their bytes. write() returns 0 on success and non-zero
 * to stop the writer, which then fails with PPROFC_ERR_IO. Writers buffer
 * internally and call write() with large chunks.
 */
typedef struct pprofc_sink {
	int (*write)(void *ctx, const void *data, size_t len);
	void *ctx;
} pprofc_sink;

/* A sink that fwrite()s to an open stream; the caller still owns `f`. */
PPROFC_API pprofc_sink pprofc_sink_stdio(FILE *f);

/* ---- Profiles --------------------------------------------------------- */

typedef struct pprofc_profile pprofc_profile;

/* Defaults of the limits a profile handle starts with. */
#define PPROFC_DEFAULT_MAX_SIZE	  ((uint64_t)1 << 30) /* decompressed bytes */
#define PPROFC_DEFAULT_MAX_MEMORY ((uint64_t)4 << 30) /* decoder's budget */

/* @return a new, empty handle, or NULL when out of memory. */
PPROFC_API pprofc_profile *pprofc_profile_create(void);

/* Frees the handle and everything it owns. Accepts NULL. */
PPROFC_API void pprofc_profile_destroy(pprofc_profile *p);

/*
 * Cap on the decompressed (or raw) profile size in bytes; loading a larger
 * one fails with PPROFC_ERR_LIMIT. 0 restores the default (1 GiB).
 */
PPROFC_API void pprofc_profile_set_max_size(pprofc_profile *p, uint64_t bytes);

/*
 * Cap on the memory handed to the protobuf decoder and to the in-memory
 * model. 0 restores the default: 32 times the input's size, at least
 * 256 MiB -- so a small hostile file (a gzip bomb) cannot claim gigabytes.
 */
PPROFC_API void pprofc_profile_set_max_memory(pprofc_profile *p, uint64_t bytes);

/* Limits on what a profile may contain; hitting one fails the load with
 * PPROFC_ERR_LIMIT and a message naming it. */
typedef enum pprofc_limit {
	PPROFC_LIMIT_SAMPLES,	/* default 100 million */
	PPROFC_LIMIT_LOCATIONS, /* default 50 million */
	PPROFC_LIMIT_FUNCTIONS, /* default 50 million */
	PPROFC_LIMIT_STRINGS,	/* default 50 million */
	PPROFC_LIMIT_DEPTH,	/* locations in one sample; default 65536 */
	PPROFC_LIMIT_LABELS,	/* labels on one sample; default 4096 */
	PPROFC_LIMIT_SIZE,	/* as pprofc_profile_set_max_size */
	PPROFC_LIMIT_MEMORY,	/* as pprofc_profile_set_max_memory */
	PPROFC_LIMIT_COUNT_
} pprofc_limit;

/* Sets a limit; 0 restores its default. PPROFC_LIMIT_SIZE and
 * PPROFC_LIMIT_MEMORY are the two caps above. */
PPROFC_API void pprofc_profile_set_limit(pprofc_profile *p, pprofc_limit which, uint64_t value);

/*
 * Read a profile from a file descriptor, a path or a buffer. gzip is
 * detected by its magic bytes; raw protobuf is accepted too. The input
 * must be one complete gzip member (no trailing bytes) and a profile that
 * passes every check of profile.proto's invariants. A handle loads once;
 * loading again fails with PPROFC_ERR_USAGE.
 * The descriptor is read to its end but not closed; the buffer is copied
 * only as far as decoding needs and may be freed after the call.
 */
PPROFC_API pprofc_status pprofc_profile_load_fd(pprofc_profile *p, int fd);
PPROFC_API pprofc_status pprofc_profile_load_file(pprofc_profile *p, const char *path);
PPROFC_API pprofc_status pprofc_profile_load_memory(pprofc_profile *p, const void *data,
						    size_t len);

/*
 * The message of the last failure on this handle ("location id 17 in
 * sample 3 does not exist"), or "" when there was none. Owned by the handle,
 * valid until the next call on it.
 */
PPROFC_API const char *pprofc_profile_errmsg(const pprofc_profile *p);
/* The status of the last failure on this handle, PPROFC_OK when none. */
PPROFC_API pprofc_status pprofc_profile_errcode(const pprofc_profile *p);
/* The limit (a pprofc_limit) the last failure exceeded, or -1 when it was
 * not an exceeded limit. */
PPROFC_API int pprofc_profile_errlimit(const pprofc_profile *p);

/* Number of sample types (values per sample). */
PPROFC_API size_t pprofc_profile_sample_type_count(const pprofc_profile *p);

/*
 * Type and unit of sample type `index` (e.g. "cpu", "nanoseconds"). The
 * strings are owned by the handle. PPROFC_ERR_USAGE when out of range.
 */
PPROFC_API pprofc_status pprofc_profile_sample_type(const pprofc_profile *p, size_t index,
						    const char **ret_type, const char **ret_unit);

/*
 * Choose a sample type: `spec` is a decimal index or a type name such as
 * "alloc_space"; NULL or "" selects default_sample_type, else the last type.
 * As in pprof, "inuse_X" also selects a type named "X" (legacy heap
 * profiles: "space", "objects").
 * An unknown spec fails with PPROFC_ERR_USAGE and a message listing the
 * available types.
 */
PPROFC_API pprofc_status pprofc_profile_select_sample_type(pprofc_profile *p, const char *spec,
							   size_t *ret_index);

/* Number of samples, and the sum of the values at `index`. */
PPROFC_API size_t pprofc_profile_sample_count(const pprofc_profile *p);
/* The profile's functions, for a user interface (completion): their count,
 * and the name of function i (owned by the profile, valid until it
 * changes; "" when it has none or i is out of range). */
PPROFC_API size_t pprofc_profile_function_count(const pprofc_profile *p);
PPROFC_API const char *pprofc_profile_function_name(const pprofc_profile *p, size_t i);
PPROFC_API int64_t pprofc_profile_total(const pprofc_profile *p, size_t index);

/*
 * The stem of the name go tool pprof saves this profile under:
 * "pprof." + basename of mapping[0]'s file (when there is one) + "." + each
 * sample type's type joined by "." -- e.g. "pprof.server.samples.cpu".
 * Characters unsafe in a file name become '_'. At most 244 bytes, so that
 * with ".NNNN.pb.gz" the name fits 255 bytes: a longer stem has the
 * binary's name cut (dropped if need be), then the types. Writes at most n
 * bytes (NUL included) and returns the full length, like snprintf.
 */
PPROFC_API size_t pprofc_profile_save_stem(const pprofc_profile *p, char *buf, size_t n);

/* ---- Filters ---------------------------------------------------------- */

/*
 * go tool pprof's filters, applied to a loaded profile: they edit it in
 * place (dropping samples, trimming stacks and inlined lines), so every
 * writer afterwards sees the filtered profile. Regular expressions are
 * pprof's, in Go's RE2 syntax (\d, \w, \b, (?i), non-greedy *?, [[:alpha:]];
 * \d \w \b ASCII only, as in RE2), read by PCRE2, unanchored like Go's
 * MatchString, matched against a function's name and its file name, and for
 * the name filters also against the location's mapping file. A pattern that
 * does not compile is PPROFC_ERR_USAGE from pprofc_filter_set.
 */
typedef enum pprofc_filter_option {
	PPROFC_FILTER_FOCUS,	  /* keep samples with a frame matching */
	PPROFC_FILTER_IGNORE,	  /* drop samples with a frame matching */
	PPROFC_FILTER_HIDE,	  /* remove matching frames (inlined lines too) */
	PPROFC_FILTER_SHOW,	  /* keep only matching frames */
	PPROFC_FILTER_SHOW_FROM,  /* drop frames callerward of the rootmost match */
	PPROFC_FILTER_PRUNE_FROM, /* drop frames calleeward of the leafmost match */
	PPROFC_FILTER_TAGFOCUS,	  /* keep samples whose labels match (see below) */
	PPROFC_FILTER_TAGIGNORE,  /* drop samples whose labels match */
	PPROFC_FILTER_TAGSHOW,	  /* keep only labels whose key matches */
	PPROFC_FILTER_TAGHIDE,	  /* remove labels whose key matches */
	PPROFC_FILTER_COUNT_
} pprofc_filter_option;

typedef struct pprofc_filter pprofc_filter;

/*
 * Checks a regular expression as the library reads them (Go's RE2 syntax,
 * as pprof's): PPROFC_OK, or PPROFC_ERR_USAGE with what is wrong in `why`
 * (at most n bytes, NUL included): "invalid regular expression 'a[':
 * missing terminating ] for character class at offset 2". For a program
 * that takes patterns (list's, peek's) before it loads anything.
 */
PPROFC_API pprofc_status pprofc_regex_check(const char *pattern, char *why, size_t n);

/* @return a new filter with no option set, or NULL when out of memory. */
PPROFC_API pprofc_filter *pprofc_filter_create(void);
/* Frees the filter. Accepts NULL. */
PPROFC_API void pprofc_filter_destroy(pprofc_filter *f);

/*
 * Sets (or replaces) one option; NULL or "" clears it. The expression is
 * compiled here: a bad one fails with PPROFC_ERR_USAGE and a message
 * (pprofc_filter_errmsg). Tag filters take "REGEX[,REGEX...]" (each must
 * match some label "key:value"), "KEY=REGEX[,REGEX...]" (any must match a
 * value of label KEY), or a numeric range "[KEY=]V", "V:", ":V", "V:V" with
 * an optional unit ("1kb:4kb", ":64", "100ms:"), as pprof parses them.
 */
PPROFC_API pprofc_status pprofc_filter_set(pprofc_filter *f, pprofc_filter_option which,
					   const char *expr);
/* The message and the status of the last failure on the filter; owned by it. */
PPROFC_API const char *pprofc_filter_errmsg(const pprofc_filter *f);
PPROFC_API pprofc_status pprofc_filter_errcode(const pprofc_filter *f);

/*
 * Applies the filter to a loaded profile, in pprof's order: focus, ignore,
 * hide and show; show_from; tagfocus and tagignore; tagshow and taghide;
 * prune_from. Totals used for percentages (pprofc_write_top) stay those of
 * the unfiltered profile, as in pprof. When ret_unmatched is not NULL it
 * gets a bit (1u << option) for each option set that matched nothing.
 * On failure (PPROFC_ERR_NOMEM) the profile may be half filtered.
 */
PPROFC_API pprofc_status pprofc_profile_filter(pprofc_profile *p, const pprofc_filter *f,
					       unsigned *ret_unmatched);

/* ---- Merging and comparing -------------------------------------------- */

/*
 * Merges loaded, unfiltered profiles into `dst`, a new handle (created, not
 * loaded), as go tool pprof merges its sources: mappings, functions and
 * locations that are the same are one (by build id or file, name and file,
 * address and lines, not by id); samples with the same locations and
 * labels are one, their values summed; samples whose values are all zero
 * are dropped, and with them whatever only they used; ids are renumbered.
 * Sample and period types must be the same in every profile, else
 * PPROFC_ERR_INVALID ("incompatible sample types ..."). The sources are
 * not changed and may be destroyed afterwards. dst's memory cap is the sum
 * of the sources' unless set on dst. On failure dst stays empty.
 */
PPROFC_API pprofc_status pprofc_profile_merge(pprofc_profile *dst, pprofc_profile *const *srcs,
					      size_t n);

/* PPROFC_OK when `b` can be merged with `a`; else PPROFC_ERR_INVALID with
 * the reason as b's message. */
PPROFC_API pprofc_status pprofc_profile_compatible(const pprofc_profile *a, pprofc_profile *b);

/*
 * Multiplies each sample's value of type t by ratios[t] (n must be the
 * number of sample types), rounding half away from zero, and drops samples
 * whose scaled values are all zero (pprof's ScaleN). -1 for every type
 * turns a profile into a base to subtract.
 */
PPROFC_API pprofc_status pprofc_profile_scale(pprofc_profile *p, const double *ratios, size_t n);

/* pprof's -normalize: scales `p` so that each sample type sums to what it
 * sums to in `base`. */
PPROFC_API pprofc_status pprofc_profile_normalize(pprofc_profile *p, const pprofc_profile *base);

/* Gives every sample the string label key=value, replacing the key's other
 * string values (pprof's SetLabel). pprof::base=true marks the samples of a
 * --diff-base profile: reports then take their percentages from those
 * samples, and folded and flame graph outputs show before and after. */
PPROFC_API pprofc_status pprofc_profile_set_label(pprofc_profile *p, const char *key,
						  const char *value);

/* ---- Granularity ------------------------------------------------------ */

/* What a report row (a folded frame, a callgrind function) is about, as
 * go tool pprof's -functions, -filefunctions, -files, -lines, -addresses. */
typedef enum pprofc_granularity {
	PPROFC_GRANULARITY_FUNCTIONS = 0, /* "main.work" (the default) */
	PPROFC_GRANULARITY_FILEFUNCTIONS, /* "main.work /src/work.go" */
	PPROFC_GRANULARITY_FILES,	  /* "/src/work.go" */
	PPROFC_GRANULARITY_LINES,	  /* "main.work /src/work.go:41" */
	PPROFC_GRANULARITY_ADDRESSES,	  /* "00000000004a2b1c main.work /src/work.go:41" */
	PPROFC_GRANULARITY_COUNT_
} pprofc_granularity;

/*
 * Sets the granularity of every writer after it; noinlines = 1 also folds
 * each location's inlined frames into the function they were inlined into
 * (pprof's -noinlines). In callgrind, lines and addresses are positions
 * rather than functions: there -lines and -filefunctions name functions as
 * -functions does. PPROFC_ERR_USAGE for an unknown granularity.
 */
PPROFC_API pprofc_status pprofc_profile_set_granularity(pprofc_profile *p, pprofc_granularity g,
							int noinlines);

/* ---- Writers ---------------------------------------------------------- */

/*
 * Every writer is called alike: pprofc_write_X(profile, options, sink).
 * Each options structure starts with `size`, which the caller sets to the
 * size of the structure it was compiled with, so that a structure can grow
 * without breaking programs built against an older header:
 *
 *     pprofc_top_options o = { .size = sizeof o, .nodecount = 10 };
 *     pprofc_write_top(p, &o, &sink);
 *
 * Fields past a smaller `size` (an older caller) take their zero value;
 * every field's zero value is its default. A larger `size` (a newer caller)
 * is accepted when the bytes this library does not know are all zero, as
 * Linux's openat2 and clone3 accept them. Options may be NULL: every field
 * zero. PPROFC_ERR_USAGE for a size smaller than the `size` field itself
 * (a structure whose size was not set) or unknown fields that are set.
 */

typedef struct pprofc_callgrind_options {
	size_t size;	     /* sizeof(pprofc_callgrind_options) */
	size_t sample_index; /* the event listed first */
	const char *cmd;     /* written on the `cmd:` line (usually the
				source's name); NULL: none */
} pprofc_callgrind_options;

/*
 * Callgrind for KCachegrind and callgrind_annotate: every sample type is an
 * event, the one at sample_index first.
 */
PPROFC_API pprofc_status pprofc_write_callgrind(pprofc_profile *p,
						const pprofc_callgrind_options *opt,
						const pprofc_sink *sink);

typedef struct pprofc_folded_options {
	size_t size;	     /* sizeof(pprofc_folded_options) */
	size_t sample_index; /* the value of each line */
} pprofc_folded_options;

/*
 * Folded stacks ("root;...;leaf VALUE\n"), identical stacks merged,
 * zero-valued stacks left out, lines in byte order.
 */
PPROFC_API pprofc_status pprofc_write_folded(pprofc_profile *p, const pprofc_folded_options *opt,
					     const pprofc_sink *sink);

typedef struct pprofc_speedscope_options {
	size_t size;	     /* sizeof(pprofc_speedscope_options) */
	size_t sample_index; /* the profile speedscope opens first */
	const char *name;    /* names the file in speedscope; NULL: "" */
} pprofc_speedscope_options;

/*
 * speedscope's JSON file format (https://www.speedscope.app): one "sampled"
 * profile per sample type, sample_index the one speedscope opens first
 * (activeProfileIndex); frames are the nodes of the granularity with their
 * file and line, each distinct stack (root first) one sample weighted by its
 * summed value, zero weights left out. A negative sum (a difference of profiles) cannot be drawn:
 * PPROFC_ERR_INVALID, and nothing is written.
 */
PPROFC_API pprofc_status pprofc_write_speedscope(pprofc_profile *p,
						 const pprofc_speedscope_options *opt,
						 const pprofc_sink *sink);

/*
 * Trimming left to pprof's default for the report: set nodecount to
 * PPROFC_DEFAULT_COUNT, nodefraction or edgefraction to
 * PPROFC_DEFAULT_FRACTION. The text reports then trim as go tool pprof does
 * with no flags (its -nodefraction=0.005 and -edgefraction=0.001; -nodecount
 * 80 for tree and DOT, none for top; peek no trimming at all, as pprof's
 * -peek ignores these flags), and JSON is not trimmed. Zero, for each,
 * means no trimming; any other value is used as given, JSON too.
 */
#define PPROFC_DEFAULT_COUNT	((size_t)-1)
#define PPROFC_DEFAULT_FRACTION (-1.0)

typedef struct pprofc_top_options {
	size_t size;	     /* sizeof(pprofc_top_options) */
	size_t sample_index; /* as from pprofc_profile_select_sample_type */
	int sort_by_cum;     /* 0: by flat, like pprof's default */
	size_t nodecount;    /* rows to show; 0 for all */
	int json;	     /* 1: JSON with integer values in the sample unit */
	int mean;	     /* 1: pprof's -mean, see below */
	const char *unit;    /* pprof's -unit: "ms", "MB"..., "auto" (each value
				scaled alone); NULL or "minimum": one unit chosen
				for the report, as pprof does by default */
	double nodefraction; /* drop rows with |cum| under this share of the
				total (pprof's -nodefraction); 0: keep all */
	double edgefraction; /* text: calls under this share of the total do
				not count for a row's "(inline)" mark, as in
				pprof (its -edgefraction); 0: every call */
	int compact_labels;  /* pprof's -compact_labels (its interactive
				default): no File, Type, Time, Duration lines */
} pprofc_top_options;

/*
 * pprof's `top` report: flat, flat%, sum%, cum, cum%, name, one row a function.
 * With `mean`, each row's flat is the sum of its samples' values divided by
 * the sum of their first values (the count in mutex, block and allocation
 * profiles), and cum likewise; the total is sum(|value|) / sum(first value);
 * integer division, rows still ordered by the summed values -- exactly what
 * go tool pprof -mean does (a ratio of sums, not a sum of per-sample ratios).
 * In text, a row is marked " (inline)" when every call into it kept (those
 * between the rows kept, over -edgefraction) was inlined, " (partial-inline)"
 * when some were, as pprof marks them.
 */
PPROFC_API pprofc_status pprofc_write_top(pprofc_profile *p, const pprofc_top_options *opt,
					  const pprofc_sink *sink);

typedef struct pprofc_tree_options {
	size_t size; /* sizeof(pprofc_tree_options) */
	size_t sample_index;
	int sort_by_cum;  /* order of the functions, as for top */
	size_t nodecount; /* functions to show; 0 for all; see
			     PPROFC_DEFAULT_COUNT */
	int json;
	const char *peek;    /* RE2-syntax regex: only matching functions
				(pprof's -peek); NULL for all (-tree) */
	double nodefraction; /* as for top; the calls are then those between
				the functions kept, as in pprof */
	double edgefraction; /* drop calls under this share of the total */
	const char *unit;    /* as for top */
	int compact_labels;  /* pprof's -compact_labels (its interactive
				default): no File, Type, Time, Duration lines */
} pprofc_tree_options;

/* pprof's `tree` report: every function between its callers and callees,
 * with the value of each call. With `peek`, PPROFC_ERR_USAGE for a bad
 * regular expression or when nothing matches. */
PPROFC_API pprofc_status pprofc_write_tree(pprofc_profile *p, const pprofc_tree_options *opt,
					   const pprofc_sink *sink);

typedef struct pprofc_dot_options {
	size_t size; /* sizeof(pprofc_dot_options) */
	size_t sample_index;
	size_t nodecount;    /* nodes to draw, pprof's labels boxes counted
				too (pprof's default 80); 0 for all */
	double nodefraction; /* as for tree (pprof's default 0.005) */
	double edgefraction; /* as for tree (pprof's default 0.001) */
	const char *unit;    /* as for top */
	int compact_labels;  /* pprof's -compact_labels (its interactive
				default): no File, Type, Time, Duration lines */
} pprofc_dot_options;

/*
 * pprof's call graph in Graphviz's DOT language, like go tool pprof -dot:
 * a legend with the report's header lines, a box per node with its flat
 * and cum values (font by flat, colour by cum), boxes for its label sets,
 * and the calls between the nodes kept with their values ("(inline)" when
 * inlined, dotted when over nodes left out). Nodes are chosen and ordered
 * as pprof does for its graphs (its entropy order). Every string is
 * escaped for DOT. Render with Graphviz: dot -Tsvg.
 */
PPROFC_API pprofc_status pprofc_write_dot(pprofc_profile *p, const pprofc_dot_options *opt,
					  const pprofc_sink *sink);

typedef struct pprofc_tags_options {
	size_t size;	     /* sizeof(pprofc_tags_options) */
	size_t sample_index; /* as from pprofc_profile_select_sample_type */
	int json;	     /* 1: JSON with integer sums in the sample unit */
	const char *unit;    /* output unit like pprof's -unit ("ms", "MB"...);
				NULL or "minimum": pprof's default scaling */
} pprofc_tags_options;

/*
 * pprof's `tags` report: per label key (in name order) its total and, per
 * label value, the sum of the selected value over the samples carrying it,
 * largest first, with its share of the key's total. Numeric labels are shown
 * scaled in their key's unit; values that print alike are one row, as in
 * pprof. JSON: {"sample_type", "unit", "tags": [{"key", "total", "values":
 * [{"label", "numeric" (numeric labels only), "value"}]}]}.
 */
PPROFC_API pprofc_status pprofc_write_tags(pprofc_profile *p, const pprofc_tags_options *opt,
					   const pprofc_sink *sink);

typedef struct pprofc_traces_options {
	size_t size;	     /* sizeof(pprofc_traces_options) */
	size_t sample_index; /* as from pprofc_profile_select_sample_type */
	int json;	     /* 1: JSON with every value of every sample */
	int mean;	     /* 1: each sample's value divided by its first value */
	const char *unit;    /* output unit like pprof's -unit; NULL: scaled */
} pprofc_traces_options;

/*
 * pprof's `traces` report: after pprof's header lines, one block per sample
 * in the file's order: its string and numeric labels, its value and its
 * stack, leaf first, " (inline)" after inlined frames; a sample without
 * locations shows "[no stack]". JSON: {"sample_type", "unit", "sample_types":
 * [{"type", "unit"}], "samples": [{"value", "values", "labels": [{"key",
 * "str"} or {"key", "num", "unit"}], "stack": [{"name", "location",
 * "inline" (when inlined)}]}]}, stacks leaf first.
 */
PPROFC_API pprofc_status pprofc_write_traces(pprofc_profile *p, const pprofc_traces_options *opt,
					     const pprofc_sink *sink);

/*
 * The whole profile as readable text, like go tool pprof -raw: comments,
 * period, time, duration, sample types ("[dflt]" on the default), each
 * sample's values, location ids and labels, the locations (id, address,
 * mapping, lines innermost first), the mappings, and the functions. The
 * file's own ids and order: nothing is merged or dropped.
 */
typedef struct pprofc_raw_options {
	size_t size; /* sizeof(pprofc_raw_options) */
} pprofc_raw_options;

PPROFC_API pprofc_status pprofc_write_raw(pprofc_profile *p, const pprofc_raw_options *opt,
					  const pprofc_sink *sink);

/*
 * The profile as gzipped profile.proto, for go tool pprof and any other
 * pprof reader: every sample type, sample (values, location ids, labels),
 * location (with its lines and is_folded), function and mapping (with its
 * has_* flags), the string table, comments, period, time, duration,
 * drop/keep_frames, default_sample_type and doc_url. The profile is written
 * as it stands: after pprofc_profile_filter, the filtered one. The file's
 * own ids and order are kept; nothing is merged, renumbered or dropped
 * (unknown fields of the input are not kept). The granularity does not
 * apply: it is a view, not part of the profile.
 * @return PPROFC_OK, PPROFC_ERR_IO when the sink fails, PPROFC_ERR_NOMEM.
 */
typedef struct pprofc_proto_options {
	size_t size; /* sizeof(pprofc_proto_options) */
} pprofc_proto_options;

PPROFC_API pprofc_status pprofc_write_proto(pprofc_profile *p, const pprofc_proto_options *opt,
					    const pprofc_sink *sink);

typedef struct pprofc_comments_options {
	size_t size; /* sizeof(pprofc_comments_options) */
} pprofc_comments_options;

/* The profile's comments, one per line (go tool pprof -comments). */
PPROFC_API pprofc_status pprofc_write_comments(pprofc_profile *p,
					       const pprofc_comments_options *opt,
					       const pprofc_sink *sink);

typedef struct pprofc_list_options {
	size_t size; /* sizeof(pprofc_list_options) */
	size_t sample_index;
	const char *regex;	 /* RE2 syntax: the functions to list */
	const char *source_path; /* directories, ':'-separated; NULL: the
				    current directory (pprof's -source_path) */
	const char *trim_path;	 /* prefixes to remove, ':'-separated (-trim_path) */
	const char *unit;	 /* pprof's -unit; NULL: each value scaled alone */
} pprofc_list_options;

/* pprof's `list` report: the source lines of the functions matching
 * `regex`, each with its flat and cum values, read from local files found
 * as pprof finds them. PPROFC_ERR_USAGE for a bad regular expression or
 * when no function with samples matches. */
PPROFC_API pprofc_status pprofc_write_list(pprofc_profile *p, const pprofc_list_options *opt,
					   const pprofc_sink *sink);

typedef struct pprofc_flamegraph_options {
	size_t size;	     /* sizeof(pprofc_flamegraph_options) */
	size_t sample_index; /* as from pprofc_profile_select_sample_type */
	const char *title;   /* NULL: "Flame Graph" (or "Icicle Graph") */
	unsigned width;	     /* image width in pixels, 100 to 100000; 0: 1200 */
	double minwidth;     /* frames narrower than this many pixels are left
				out (flamegraph.pl's --minwidth); 0: 0.1;
				negative: every frame with a value is drawn */
	int icicle;	     /* 1: root at the top, stacks growing down */
} pprofc_flamegraph_options;

/*
 * An interactive flame graph as one self-contained SVG file (inline style
 * and script, nothing fetched): identical root-first stack prefixes are
 * merged into frames as wide as the sum of their stacks, siblings in name
 * order, colours by package (the part of a Go, C++ or JS name before the
 * function; one hue per package); tooltips with each frame's value and
 * share; click to zoom, Ctrl-F or the Search button to highlight frames
 * matching a regular expression. When some samples carry pprof::base="true"
 * (a --diff-base profile, base values negated), frames are as wide as the
 * other samples' values and coloured red where they grew against the base,
 * blue where they shrank; when values are negative without that label (a
 * --base subtraction), frames are as wide as |net value| per stack and
 * coloured by sign. Names are escaped for XML; control bytes as \xHH,
 * invalid UTF-8 as U+FFFD. PPROFC_ERR_USAGE for a width out of range.
 */
PPROFC_API pprofc_status pprofc_write_flamegraph(pprofc_profile *p,
						 const pprofc_flamegraph_options *opt,
						 const pprofc_sink *sink);

/* ---- Fetching over HTTP(S) -------------------------------------------- */

typedef struct pprofc_fetch pprofc_fetch;

#define PPROFC_DEFAULT_MAX_BODY ((uint64_t)512 << 20) /* response bytes */

typedef struct pprofc_fetch_progress {
	double elapsed;	   /* seconds since the request started */
	long seconds;	   /* the capture duration asked for, or -1 */
	uint64_t received; /* body bytes so far */
	uint64_t expected; /* Content-Length, or 0 when unknown */
} pprofc_fetch_progress;

/* Called about once a second and as bytes arrive; non-zero aborts the
 * transfer (pprofc_fetch_run then fails with the message "interrupted"). */
typedef int (*pprofc_fetch_progress_fn)(void *ctx, const pprofc_fetch_progress *progress);

/* @return a new fetch handle, or NULL when libcurl cannot be loaded (it is
 * loaded on first use) or memory is short; pprofc_fetch_errmsg(NULL) then
 * says which. */
PPROFC_API pprofc_fetch *pprofc_fetch_create(void);
/* Frees the handle and the response. Accepts NULL. */
PPROFC_API void pprofc_fetch_destroy(pprofc_fetch *f);
/* The message of the last failure; owned by the handle. With NULL: why
 * pprofc_fetch_create failed. */
PPROFC_API const char *pprofc_fetch_errmsg(const pprofc_fetch *f);
/* The status of the last failure, PPROFC_OK when none; with NULL, that of
 * pprofc_fetch_create. */
PPROFC_API pprofc_status pprofc_fetch_errcode(const pprofc_fetch *f);

/* 1 when `source` names a URL (http://, https://, or go tool pprof's
 * host:port[/path]) rather than a file. */
PPROFC_API int pprofc_fetch_is_url(const char *source);

/*
 * The URL to fetch: a full http(s) URL, or host:port[/path]. An empty path
 * means /debug/pprof/profile. Other schemes fail with PPROFC_ERR_USAGE.
 */
PPROFC_API pprofc_status pprofc_fetch_set_url(pprofc_fetch *f, const char *url);
/* Sets or replaces seconds= in the query (the capture duration). */
PPROFC_API pprofc_status pprofc_fetch_set_seconds(pprofc_fetch *f, long seconds);
/* The URL with its user name and password removed (pprofc_url_redact's
 * form): the form for messages. */
PPROFC_API const char *pprofc_fetch_url(const pprofc_fetch *f);

/*
 * Where the credentials of the first URL in `s` are: the user name and
 * password ("user:password", without the '@') of "scheme://user:password@
 * host/...", found anywhere in `s` (so "--base=URL" too). Sets *ret_off and
 * *ret_len and returns 1; returns 0, leaving them untouched, when there are
 * none. Needs no libcurl.
 */
PPROFC_API int pprofc_url_credentials(const char *s, size_t *ret_off, size_t *ret_len);
/*
 * `s` as it may be shown or written anywhere: without the credentials of
 * its URL ("http://user:pw@host/x" becomes "http://host/x"); anything else
 * as it is. The one redacted form of a source's name. @return a string
 * the caller frees, or NULL when memory is short.
 */
PPROFC_API char *pprofc_url_redact(const char *s);
/* The capture duration from the URL's seconds=, or -1. */
PPROFC_API long pprofc_fetch_seconds(const pprofc_fetch *f);
/* Total timeout in seconds; 0 (the default) derives it like go tool pprof:
 * 1.5 x seconds, else 60 s (45 s for a CPU profile), plus 5 s. */
PPROFC_API void pprofc_fetch_set_timeout(pprofc_fetch *f, double seconds);
PPROFC_API double pprofc_fetch_timeout(const pprofc_fetch *f);
/* Adds a request header, "Name: value". */
PPROFC_API pprofc_status pprofc_fetch_add_header(pprofc_fetch *f, const char *header);
/* TLS: CA bundle, client certificate and key (any may be NULL), and
 * insecure = 1 to skip verification (only when asked for explicitly). */
PPROFC_API pprofc_status pprofc_fetch_set_tls(pprofc_fetch *f, const char *cacert, const char *cert,
					      const char *key, int insecure);
/* Cap on the response body, counted as bytes arrive; 0: the default. */
PPROFC_API void pprofc_fetch_set_max_body(pprofc_fetch *f, uint64_t bytes);
PPROFC_API void pprofc_fetch_set_progress(pprofc_fetch *f, pprofc_fetch_progress_fn fn, void *ctx);

/*
 * Called once when the outcome of f's request is known, with that outcome
 * (what pprofc_fetch_run returns, or ret_status[i] of pprofc_fetch_run_all
 * gets), on the thread that runs the requests. For pprofc_fetch_run_all it
 * is called as each transfer ends while the others wait, so a caller that
 * uses the body here (loads it, saves it) and then frees it with
 * pprofc_fetch_free_body holds at most `jobs` bodies at once, not n. It
 * must not run or destroy any of the handles being run.
 */
typedef void (*pprofc_fetch_done_fn)(void *ctx, pprofc_fetch *f, pprofc_status status);
PPROFC_API void pprofc_fetch_set_done(pprofc_fetch *f, pprofc_fetch_done_fn fn, void *ctx);

/*
 * Performs the request. Succeeds only on HTTP 200 with a body that may be a
 * profile; a server explanation (X-Go-Pprof header, text/plain body) is put
 * in the message. Only http and https are followed, at most 10 redirects.
 * A failed request's body is freed at once (pprofc_fetch_body: NULL, 0).
 */
PPROFC_API pprofc_status pprofc_fetch_run(pprofc_fetch *f);
/*
 * Performs n requests concurrently, at most `jobs` at once (0: one), on the
 * calling thread; ret_status[i] gets fs[i]'s outcome, its message on the
 * handle as for pprofc_fetch_run. Returns the first failure, or PPROFC_OK.
 * Progress and done functions are called as for pprofc_fetch_run. Each
 * failed transfer's body is freed as it ends; a good one is kept until
 * pprofc_fetch_free_body or pprofc_fetch_destroy, so memory holds at most
 * `jobs` bodies (each up to the cap) plus those kept.
 */
PPROFC_API pprofc_status pprofc_fetch_run_all(pprofc_fetch *const *fs, size_t n, size_t jobs,
					      pprofc_status *ret_status);
/* The response body (owned by the handle) and the HTTP status. */
PPROFC_API const void *pprofc_fetch_body(const pprofc_fetch *f, size_t *ret_len);
/* Frees the response body now (pprofc_fetch_body then gives NULL, 0). */
PPROFC_API void pprofc_fetch_free_body(pprofc_fetch *f);
PPROFC_API long pprofc_fetch_http_status(const pprofc_fetch *f);

#ifdef __cplusplus
}
#endif
#endif /* PPROFC_H */
