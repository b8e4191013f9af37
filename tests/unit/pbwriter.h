/*
 * A tiny protobuf writer for the unit tests: enough to craft profile.proto
 * messages (valid and broken) in C, and gzip them with zlib.
 */
#ifndef PBWRITER_H
#define PBWRITER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef struct pbuf {
	unsigned char *d;
	size_t n, cap;
} pbuf;

static inline void pb_raw(pbuf *b, const void *data, size_t len)
{
	if (b->n + len > b->cap) {
		b->cap = (b->n + len) * 2 + 64;
		b->d = realloc(b->d, b->cap);
		if (!b->d)
			abort();
	}
	if (len)
		memcpy(b->d + b->n, data, len);
	b->n += len;
}

static inline void pb_varint(pbuf *b, uint64_t v)
{
	unsigned char tmp[10];
	size_t n = 0;
	do {
		tmp[n] = v & 0x7f;
		v >>= 7;
		if (v)
			tmp[n] |= 0x80;
		n++;
	} while (v);
	pb_raw(b, tmp, n);
}

static inline void pb_vfield(pbuf *b, unsigned field, uint64_t v)
{
	pb_varint(b, (uint64_t)field << 3);
	pb_varint(b, v);
}

static inline void pb_lfield(pbuf *b, unsigned field, const pbuf *m)
{
	pb_varint(b, (uint64_t)field << 3 | 2);
	pb_varint(b, m->n);
	pb_raw(b, m->d, m->n);
}

static inline void pb_sfield(pbuf *b, unsigned field, const char *s)
{
	pb_varint(b, (uint64_t)field << 3 | 2);
	pb_varint(b, strlen(s));
	pb_raw(b, s, strlen(s));
}

static inline void pb_packed(pbuf *b, unsigned field, const uint64_t *v, size_t n)
{
	pbuf m = { 0 };
	for (size_t i = 0; i < n; i++)
		pb_varint(&m, v[i]);
	pb_lfield(b, field, &m);
	free(m.d);
}

static inline void pb_free(pbuf *b)
{
	free(b->d);
	memset(b, 0, sizeof(*b));
}

/* Profile builders: each adds one message to the Profile in *b. */
static inline void pb_value_type(pbuf *b, int64_t type, int64_t unit)
{
	pbuf m = { 0 };
	pb_vfield(&m, 1, (uint64_t)type);
	pb_vfield(&m, 2, (uint64_t)unit);
	pb_lfield(b, 1, &m);
	pb_free(&m);
}

static inline void pb_sample(pbuf *b, const uint64_t *locs, size_t nlocs, const int64_t *vals,
			     size_t nvals)
{
	pbuf m = { 0 };
	pb_packed(&m, 1, locs, nlocs);
	pb_packed(&m, 2, (const uint64_t *)vals, nvals);
	pb_lfield(b, 2, &m);
	pb_free(&m);
}

/* A location with up to 4 (function id, line) pairs, innermost first. */
static inline void pb_location(pbuf *b, uint64_t id, uint64_t address, const uint64_t *fn,
			       const int64_t *ln, size_t nlines)
{
	pbuf m = { 0 };
	pb_vfield(&m, 1, id);
	pb_vfield(&m, 3, address);
	for (size_t i = 0; i < nlines; i++) {
		pbuf l = { 0 };
		pb_vfield(&l, 1, fn[i]);
		pb_vfield(&l, 2, (uint64_t)ln[i]);
		pb_lfield(&m, 4, &l);
		pb_free(&l);
	}
	pb_lfield(b, 4, &m);
	pb_free(&m);
}

static inline void pb_function(pbuf *b, uint64_t id, int64_t name, int64_t file)
{
	pbuf m = { 0 };
	pb_vfield(&m, 1, id);
	pb_vfield(&m, 2, (uint64_t)name);
	pb_vfield(&m, 4, (uint64_t)file);
	pb_lfield(b, 5, &m);
	pb_free(&m);
}

static inline void pb_strings(pbuf *b, const char *const *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pb_sfield(b, 6, s[i]);
}

/* gzip (with header and CRC) of b's bytes, via zlib. */
static inline pbuf pb_gzip(const pbuf *b)
{
	pbuf gz = { 0 };
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	gz.cap = deflateBound(&zs, b->n) + 32;
	gz.d = malloc(gz.cap);
	zs.next_in = b->d;
	zs.avail_in = (uInt)b->n;
	zs.next_out = gz.d;
	zs.avail_out = (uInt)gz.cap;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
		abort();
	gz.n = gz.cap - zs.avail_out;
	deflateEnd(&zs);
	return gz;
}

#endif
