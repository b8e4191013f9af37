/*
 * varint.h: protobuf's base-128 varints and zigzag, the one codec for the
 * decoder (checked: the bytes come from outside), the protobuf writer and
 * callgrind's packed records (unchecked: we wrote them). Inline, because
 * every caller runs them per value on its hot path.
 */
#ifndef PPROFC_VARINT_H
#define PPROFC_VARINT_H

#include <stddef.h>
#include <stdint.h>

/* Bytes v takes: 7 bits a byte, so a bit length of 1..64 is 1..10 bytes. */
static inline size_t varint_len(uint64_t v)
{
	return (size_t)(63 - __builtin_clzll(v | 1)) / 7 + 1;
}

/* Writes v at p (room for varint_len(v) bytes); returns the byte after. */
static inline unsigned char *varint_put(unsigned char *p, uint64_t v)
{
	for (; v >= 0x80; v >>= 7)
		*p++ = (unsigned char)(v | 0x80);
	*p++ = (unsigned char)v;
	return p;
}

/* Reads a varint that p is known to hold whole; returns the byte after. */
static inline const unsigned char *varint_get(const unsigned char *p, uint64_t *ret)
{
	uint64_t v = 0;
	for (unsigned shift = 0;; shift += 7) {
		unsigned char b = *p++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (b < 0x80)
			break;
	}
	*ret = v;
	return p;
}

/* Reads a varint from untrusted bytes [*pp, end): 0 with *pp moved past
 * it, -1 when it is truncated, -2 when it is over 10 bytes or has bits
 * beyond 64 (protobuf rejects both). */
static inline int varint_read(const unsigned char **pp, const unsigned char *end, uint64_t *ret)
{
	const unsigned char *p = *pp;
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 70; shift += 7) {
		if (p == end)
			return -1;
		unsigned char b = *p++;
		if (shift == 63 && b > 1)
			return -2;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*pp = p;
			*ret = v;
			return 0;
		}
	}
	return -2;
}

/* Signed values with small magnitudes as small varints (protobuf's sint). */
static inline uint64_t zigzag(int64_t v)
{
	return (uint64_t)v << 1 ^ (uint64_t)(v >> 63);
}

static inline int64_t unzigzag(uint64_t u)
{
	return (int64_t)(u >> 1 ^ (0 - (u & 1)));
}

#endif /* PPROFC_VARINT_H */
