/*
 * pprofc: read pprof profiles (profile.proto, gzipped or raw) and write
 * them as callgrind, folded stacks and text reports.
 *
 * The library never prints, never exits and never aborts on bad input.
 * Every fallible call returns a pprofc_status; the detailed message of the
 * last failure lives on the handle (pprofc_profile_errmsg), like
 * sqlite3_errmsg. Out-parameters are left untouched on failure.
 *
 * Typical use:
 *
 *     pprofc_profile *p = pprofc_profile_create();
 *     if (!p || pprofc_profile_load_file(p, "cpu.pb.gz") != PPROFC_OK)
 *         ... pprofc_profile_errmsg(p) ...
 *     size_t idx;
 *     pprofc_profile_select_sample_type(p, NULL, &idx);
 *     pprofc_sink out = pprofc_sink_stdio(stdout);
 *     pprofc_write_folded(p, idx, &out);
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
	PPROFC_ERR_IO,      /* reading the source or writing a sink failed */
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
#define PPROFC_DEFAULT_MAX_SIZE ((uint64_t)1 << 30)   /* decompressed bytes */
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
 * model; 0 restores the default (4 GiB).
 */
PPROFC_API void pprofc_profile_set_max_memory(pprofc_profile *p, uint64_t bytes);

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
 * An unknown spec fails with PPROFC_ERR_USAGE and a message listing the
 * available types.
 */
PPROFC_API pprofc_status pprofc_profile_select_sample_type(pprofc_profile *p, const char *spec,
							   size_t *ret_index);

/* Number of samples, and the sum of the values at `index`. */
PPROFC_API size_t pprofc_profile_sample_count(const pprofc_profile *p);
PPROFC_API int64_t pprofc_profile_total(const pprofc_profile *p, size_t index);

/* ---- Writers ---------------------------------------------------------- */

/*
 * Callgrind for KCachegrind and callgrind_annotate: every sample type is an
 * event, the one at `index` first. `cmd` is written on the `cmd:` line
 * (usually the source's name) and may be NULL.
 */
PPROFC_API pprofc_status pprofc_write_callgrind(pprofc_profile *p, size_t index,
						const char *cmd, const pprofc_sink *sink);

/*
 * Folded stacks ("root;...;leaf VALUE\n"), identical stacks merged,
 * zero-valued stacks left out, lines in byte order.
 */
PPROFC_API pprofc_status pprofc_write_folded(pprofc_profile *p, size_t index,
					     const pprofc_sink *sink);

typedef struct pprofc_top_options {
	size_t sample_index; /* as from pprofc_profile_select_sample_type */
	int sort_by_cum;     /* 0: by flat, like pprof's default */
	size_t nodecount;    /* rows to show; 0 for all */
	int json;            /* 1: JSON with integer values in the sample unit */
} pprofc_top_options;

/* pprof's `top` report: flat, flat%, sum%, cum, cum%, name, one row a function. */
PPROFC_API pprofc_status pprofc_write_top(pprofc_profile *p, const pprofc_top_options *opt,
					  const pprofc_sink *sink);

#ifdef __cplusplus
}
#endif
#endif /* PPROFC_H */
