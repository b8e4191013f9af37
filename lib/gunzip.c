/*
 * gunzip: turn one gzip member into the raw profile.proto bytes that
 * decode.c walks. Exactly one member is accepted: a truncated stream, a bad
 * CRC, trailing bytes or a second member are errors, because each of those
 * means the file is not what its producer wrote.
 *
 * The output size is capped (p->max_size) while inflating, so a gzip bomb
 * stops at the cap instead of filling memory.
 */
#include <string.h>
#include <zlib.h>

#include "internal.h"

pprofc_status gunzip_buffer(pprofc_profile *p, const unsigned char *in, size_t inlen,
			    unsigned char **ret_out, size_t *ret_len, size_t *ret_cap)
{
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	/* 16 + MAX_WBITS: gzip wrapper only, so a zlib or raw deflate stream
	 * with a forged magic is rejected by zlib itself. */
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return set_error(p, PPROFC_ERR_NOMEM, "cannot initialise zlib");

	/* The gzip trailer holds the size mod 2^32: a good first guess that
	 * saves the copies of a doubling buffer on large profiles. */
	size_t cap = 1 << 16;
	if (inlen >= 18) {
		uint32_t isize = (uint32_t)in[inlen - 4] | (uint32_t)in[inlen - 3] << 8 |
				 (uint32_t)in[inlen - 2] << 16 | (uint32_t)in[inlen - 1] << 24;
		if (isize > cap && isize <= p->max_size)
			cap = isize;
	}
	if (cap > p->max_size)
		cap = (size_t)p->max_size;
	/* A forged trailer must not make us ask for more than the budget. */
	if (cap > (p->mem.limit - p->mem.used) / 2)
		cap = 1 << 16;
	if (cap == 0)
		cap = 1;
	unsigned char *buf = budget_alloc(&p->mem, cap);
	if (!buf) {
		inflateEnd(&zs);
		return set_error(p, PPROFC_ERR_NOMEM,
				 "out of memory, or over the memory limit of %llu bytes (see "
				 "--max-memory), for %zu decompressed bytes",
				 (unsigned long long)p->mem.limit, cap);
	}

	size_t len = 0;
	size_t in_left = inlen;
	const unsigned char *in_next = in;
	pprofc_status st = PPROFC_OK;
	int zr = Z_OK;
	for (;;) {
		if (len == cap) {
			if (cap >= p->max_size) {
				st = set_error(p, PPROFC_ERR_LIMIT,
					       "decompressed size exceeds the limit of %llu bytes",
					       (unsigned long long)p->max_size);
				break;
			}
			size_t ncap = cap * 2 > p->max_size ? (size_t)p->max_size : cap * 2;
			unsigned char *nb = budget_realloc(&p->mem, buf, ncap);
			if (!nb) {
				st = set_error(
					p, PPROFC_ERR_NOMEM,
					"out of memory, or over the memory limit of %llu bytes "
					"(see --max-memory), for %zu decompressed bytes",
					(unsigned long long)p->mem.limit, ncap);
				break;
			}
			buf = nb;
			cap = ncap;
		}
		/* zlib counts in uInt: feed and drain at most 1 GiB a call. */
		uInt in_chunk = in_left > (1u << 30) ? (1u << 30) : (uInt)in_left;
		uInt out_chunk = cap - len > (1u << 30) ? (1u << 30) : (uInt)(cap - len);
		zs.next_in = (Bytef *)in_next;
		zs.avail_in = in_chunk;
		zs.next_out = buf + len;
		zs.avail_out = out_chunk;
		zr = inflate(&zs, Z_NO_FLUSH);
		in_next += in_chunk - zs.avail_in;
		in_left -= in_chunk - zs.avail_in;
		len += out_chunk - zs.avail_out;
		if (zr == Z_STREAM_END)
			break;
		if (zr == Z_OK)
			continue;
		if (zr == Z_BUF_ERROR && zs.avail_out != 0 && in_left == 0) {
			st = set_error(p, PPROFC_ERR_GZIP, "unexpected end of gzip stream");
			break;
		}
		if (zr == Z_BUF_ERROR)
			continue; /* output full: grow and go on */
		if (zr == Z_MEM_ERROR) {
			st = set_error(p, PPROFC_ERR_NOMEM, "out of memory in zlib");
			break;
		}
		st = set_error(p, PPROFC_ERR_GZIP, "corrupt gzip stream: %s",
			       zs.msg ? zs.msg : "data error");
		break;
	}
	inflateEnd(&zs);

	if (st == PPROFC_OK && in_left > 0) {
		if (in_left >= 2 && in_next[0] == 0x1f && in_next[1] == 0x8b)
			st = set_error(
				p, PPROFC_ERR_GZIP,
				"a second gzip member follows the first (concatenated files?)");
		else
			st = set_error(p, PPROFC_ERR_GZIP,
				       "%zu bytes of trailing garbage after the gzip stream",
				       in_left);
	}
	if (st != PPROFC_OK) {
		budget_free(&p->mem, buf);
		return st;
	}
	/* Give back the slack so the budget reflects what is held. */
	if (len < cap) {
		unsigned char *nb = budget_realloc(&p->mem, buf, len ? len : 1);
		if (nb) {
			buf = nb;
			cap = len ? len : 1;
		}
	}
	*ret_out = buf;
	*ret_len = len;
	*ret_cap = cap;
	return PPROFC_OK;
}
