/*
 * gunzip: turn one gzip member into the raw profile.proto bytes that
 * decode.c walks. Exactly one member is accepted: a truncated stream, a bad
 * CRC, trailing bytes or a second member are errors, because each of those
 * means the file is not what its producer wrote.
 *
 * The output size is capped (p->max_size) while inflating, so a gzip bomb
 * stops at the cap instead of filling memory.
 *
 * Inflating is about a third of the time of loading a large profile, and
 * the machine has a second core: above a size, a thread inflates while
 * decode.c walks the bytes already out (stream_wait). The thread only
 * writes into a buffer allocated up front, sized from the gzip trailer;
 * should that guess be short, it stops, and the main thread grows the
 * buffer and finishes inflating on its own. Budget and error message stay
 * with the main thread.
 *
 * A regular file is read as it is inflated (stream_begin_fd), a buffer at
 * a time, rather than all of it first: inflating starts at once instead of
 * after the whole file is read, and the compressed bytes are not all held
 * until the end.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "load/load.h"

/* Output is published in steps of this size: small, so that the walker
 * starts soon after inflating does instead of waiting for a large first
 * step. */
#define STEP (1u << 17)

/* Memory refused for the output: the budget's limit is named (and
 * recorded as the memory limit), as the machine's cannot be told apart. */
static const char oom_fmt[] = "out of memory, or over the memory limit of %llu bytes, for %zu "
			      "decompressed bytes";

static void publish(stream *s, size_t len, bool finished)
{
	if (s->threaded)
		pthread_mutex_lock(&s->mu);
	s->ready = len;
	s->finished = finished;
	if (s->threaded) {
		pthread_cond_signal(&s->cv);
		/* Tests hold the thread near the reader, so that what the
		 * reader does while inflating goes on does not depend on
		 * how the two threads happen to be scheduled. */
		size_t lead = lib_tuning.stream_lead_max;
		while (lead && !finished && s->ready > s->wanted && s->ready - s->wanted > lead)
			pthread_cond_wait(&s->cv, &s->mu);
		pthread_mutex_unlock(&s->mu);
	}
}

/* The last 8 bytes of input inflate has taken: those of the buffers
 * before (tail), then of this one. */
static void last_8(const stream *s, unsigned char *dst)
{
	unsigned char b[8];
	size_t k = (size_t)(s->in_next - s->in);
	if (k >= 8) {
		memcpy(b, s->in_next - 8, 8);
	} else {
		memcpy(b, s->tail + k, 8 - k);
		memcpy(b + 8 - k, s->in, k);
	}
	memcpy(dst, b, 8);
}

/* The next buffer of compressed input from the file, once `in` is used
 * up: false at the end of the file, for input given in memory, or on an
 * error (s->err.code is then set). */
static bool refill(stream *s)
{
	if (s->fd < 0 || s->in_eof || s->err.code != PPROFC_OK)
		return false;
	/* in case the trailer straddles two buffers */
	last_8(s, s->tail);
	for (;;) {
		ssize_t r = read(s->fd, s->in, s->in_cap);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err_set(&s->err, PPROFC_ERR_IO, "%s", strerror(errno));
			return false;
		}
		if (r == 0) {
			s->in_eof = true;
			return false;
		}
		s->in_read += (size_t)r;
		if (s->in_read > s->in_limit) {
			err_set_limit(&s->err, PPROFC_ERR_LIMIT, PPROFC_LIMIT_SIZE,
				      "the input is over the limit of %llu bytes",
				      (unsigned long long)s->in_limit);
			return false;
		}
		s->in_next = s->in;
		s->in_left = (size_t)r;
		return true;
	}
}

/* What follows the member, as an error: a second member, or garbage,
 * counted to the end of the file. */
static void after_member(stream *s)
{
	unsigned char magic[2];
	size_t n = 0, garbage = 0;
	do {
		/* (the magic's two bytes may straddle two buffers) */
		for (size_t i = 0; i < s->in_left && n < 2; i++)
			magic[n++] = s->in_next[i];
		garbage += s->in_left;
		s->in_left = 0;
	} while (refill(s));
	if (s->err.code != PPROFC_OK)
		return;
	if (n == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
		err_set(&s->err, PPROFC_ERR_GZIP,
			"a second gzip member follows the first (concatenated files?)");
	else
		err_set(&s->err, PPROFC_ERR_GZIP,
			"%zu bytes of trailing garbage after the gzip stream", garbage);
}

/*
 * Inflates into s->buf until the member ends, fails, or the buffer is
 * full. Returns true when it stopped only because the buffer is full.
 * Runs on the thread or, with the thread gone, on the caller's.
 */
static bool pump(stream *s)
{
	z_stream *zs = &s->zs;
	for (;;) {
		if (s->len == s->cap)
			return true;
		if (s->in_left == 0 && !refill(s) && s->err.code != PPROFC_OK)
			return false;
		/* zlib counts in uInt: feed at most 1 GiB a call. */
		uInt in_chunk = s->in_left > (1u << 30) ? (1u << 30) : (uInt)s->in_left;
		size_t room = s->cap - s->len;
		uInt out_chunk = room > STEP ? STEP : (uInt)room;
		zs->next_in = (Bytef *)s->in_next;
		zs->avail_in = in_chunk;
		zs->next_out = s->buf + s->len;
		zs->avail_out = out_chunk;
		int zr = inflate(zs, Z_NO_FLUSH);
		s->in_next += in_chunk - zs->avail_in;
		s->in_left -= in_chunk - zs->avail_in;
		size_t len = s->len + (out_chunk - zs->avail_out);
		s->len = len;
		if (zr == Z_STREAM_END) {
			last_8(s, s->trailer); /* CRC and size */
			s->ended = true;
			break;
		}
		/* Z_BUF_ERROR with room left and input to come: feed more. (The
		 * input is refilled from a file before each call, so none left
		 * here means the end of it.) */
		if (zr == Z_OK || (zr == Z_BUF_ERROR && (zs->avail_out == 0 || s->in_left > 0))) {
			publish(s, len, false);
			continue;
		}
		if (zr == Z_BUF_ERROR && s->in_left == 0)
			err_set(&s->err, PPROFC_ERR_GZIP, "unexpected end of gzip stream");
		else if (zr == Z_MEM_ERROR)
			err_set(&s->err, PPROFC_ERR_NOMEM, "out of memory in zlib");
		else
			err_set(&s->err, PPROFC_ERR_GZIP, "corrupt gzip stream: %s",
				zs->msg ? zs->msg : "data error");
		return false;
	}
	if (s->in_left > 0 || refill(s))
		after_member(s);
	return false;
}

/* Inflates the rest on the calling thread, growing the buffer as needed. */
static void pump_all(stream *s)
{
	pprofc_profile *p = s->p;
	while (pump(s)) {
		if (s->cap >= p->max_size) {
			err_set_limit(&s->err, PPROFC_ERR_LIMIT, PPROFC_LIMIT_SIZE,
				      "decompressed size exceeds the limit of %llu bytes",
				      (unsigned long long)p->max_size);
			break;
		}
		size_t ncap = s->cap * 2 > p->max_size ? (size_t)p->max_size : s->cap * 2;
		unsigned char *nb = budget_realloc(&p->mem, s->buf, ncap);
		if (!nb) {
			err_set_limit(&s->err, PPROFC_ERR_NOMEM, PPROFC_LIMIT_MEMORY, oom_fmt,
				      (unsigned long long)p->mem.limit, ncap);
			break;
		}
		s->buf = p->buf = nb;
		s->cap = p->bufcap = ncap;
	}
	publish(s, s->len, true);
}

static void *inflate_thread(void *arg)
{
	stream *s = arg;
	s->full = pump(s);
	publish(s, s->len, true);
	return NULL;
}

static uint32_t le32(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Inflating `in` (inlen bytes read, in_cap its room) and, from a file
 * (fd >= 0), what follows; isize is the trailer's size, 0 if unknown. */
static pprofc_status start(pprofc_profile *p, unsigned char *in, size_t inlen, size_t in_cap,
			   int fd, uint64_t in_limit, uint32_t isize, stream *s)
{
	s->in = in;
	s->in_next = in;
	s->in_left = inlen;
	s->in_cap = in_cap;
	s->in_read = inlen;
	s->in_limit = in_limit;
	s->fd = fd;
	/* 16 + MAX_WBITS: gzip wrapper only, so a zlib or raw deflate stream
	 * with a forged magic is rejected by zlib itself. */
	if (inflateInit2(&s->zs, 16 + MAX_WBITS) != Z_OK) {
		budget_free(&p->mem, in);
		return set_error(p, PPROFC_ERR_NOMEM, "cannot initialise zlib");
	}
	s->zs_live = true;

	/* The gzip trailer holds the size mod 2^32: a good first guess that
	 * saves the copies of a doubling buffer on large profiles. */
	size_t cap = 1 << 16;
	if (isize > cap && isize <= p->max_size)
		cap = isize;
	if (cap > p->max_size)
		cap = (size_t)p->max_size;
	/* A forged trailer must not make us ask for more than the budget. */
	if (cap > (p->mem.limit - p->mem.used) / 2)
		cap = 1 << 16;
	if (cap > lib_tuning.stream_first_cap_max)
		cap = lib_tuning.stream_first_cap_max;
	if (cap == 0)
		cap = 1;
	s->buf = budget_alloc(&p->mem, cap);
	if (!s->buf) {
		inflateEnd(&s->zs);
		s->zs_live = false;
		budget_free(&p->mem, in);
		s->in = NULL;
		return err_set_limit(&p->err, PPROFC_ERR_NOMEM, PPROFC_LIMIT_MEMORY, oom_fmt,
				     (unsigned long long)p->mem.limit, cap);
	}
	p->buf = s->buf;
	p->bufcap = s->cap = cap;

	if (cap >= lib_tuning.stream_thread_min && pthread_mutex_init(&s->mu, NULL) == 0) {
		if (pthread_cond_init(&s->cv, NULL) == 0) {
			/* The CRC is left to the reader: the inflating
			 * thread bounds how fast a profile loads, and the
			 * reader has time to spare waiting for it.
			 * stream_wait() runs it over each part it hands out.
			 * zlib still reads the trailer; stream_end() checks
			 * it. */
			s->own_check = inflateValidate(&s->zs, 0) == Z_OK;
			/* (set before the thread starts: it reads the flag) */
			s->threaded = true;
			if (!thread_start(&s->thread, inflate_thread, s)) {
				s->threaded = false;
				if (s->own_check) /* (nothing inflated yet) */
					inflateValidate(&s->zs, 1);
				s->own_check = false;
			}
			if (!s->threaded)
				pthread_cond_destroy(&s->cv);
		}
		if (!s->threaded)
			pthread_mutex_destroy(&s->mu);
	}
	if (!s->threaded)
		pump_all(s);
	return PPROFC_OK;
}

static void stream_init(stream *s, pprofc_profile *p)
{
	memset(s, 0, sizeof(*s));
	s->p = p;
	s->err.code = PPROFC_OK;
	s->fd = -1;
}

pprofc_status stream_begin(pprofc_profile *p, unsigned char *in, size_t inlen, stream *s)
{
	stream_init(s, p);
	if (!(inlen >= 2 && in[0] == 0x1f && in[1] == 0x8b)) {
		/* Not compressed: the input is the message. */
		p->buf = s->buf = in;
		p->bufcap = s->cap = inlen;
		s->ready = s->len = inlen;
		s->finished = true;
		return PPROFC_OK;
	}
	return start(p, in, inlen, inlen, -1, inlen, inlen >= 18 ? le32(in + inlen - 4) : 0, s);
}

pprofc_status stream_begin_fd(pprofc_profile *p, int fd, off_t at, uint64_t insize,
			      uint64_t in_limit, stream *s)
{
	unsigned char tail[4];
	uint32_t isize = pread(fd, tail, 4, at + (off_t)insize - 4) == 4 ? le32(tail) : 0;
	stream_init(s, p);
	/* (never more than the file: a small one costs what it did read whole) */
	size_t in_cap = lib_tuning.stream_read_bytes < insize ? lib_tuning.stream_read_bytes
							      : (size_t)insize;
	if (in_cap == 0)
		in_cap = 1;
	unsigned char *in = budget_alloc(&p->mem, in_cap);
	if (!in)
		return input_nomem(p, in_cap);
	return start(p, in, 0, in_cap, fd, in_limit, isize, s);
}

static void join(stream *s)
{
	if (!s->threaded)
		return;
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	s->threaded = false;
}

/* The CRC of the bytes the reader has been given, up to `ready`. */
static size_t check_upto(stream *s, size_t ready)
{
	if (s->own_check && ready > s->crc_done) {
		s->crc = crc32_z(s->crc, s->buf + s->crc_done, ready - s->crc_done);
		s->crc_done = ready;
	}
	return ready;
}

size_t stream_wait(stream *s, size_t need)
{
	if (s->threaded) {
		pthread_mutex_lock(&s->mu);
		if (need > s->wanted) {
			s->wanted = need;
			pthread_cond_signal(&s->cv);
		}
		while (s->ready < need && !s->finished)
			pthread_cond_wait(&s->cv, &s->mu);
		bool more = s->finished && s->full && s->ready < need;
		size_t ready = s->ready;
		pthread_mutex_unlock(&s->mu);
		if (!more)
			return check_upto(s, ready);
		/* The trailer's guess was short: go on here, growing. */
		join(s);
		s->full = false;
		pump_all(s);
	}
	return check_upto(s, s->ready);
}

/*
 * Inflating into fresh pages costs a page fault each, on the thread that
 * bounds loading, and the walker gives back the pages it has read. So it gives them to
 * the thread instead: moved past where it writes (a page table update,
 * not a fault and a cleared page), their old bytes to be overwritten
 * before they are published. The source stays mapped, empty, as after
 * MADV_DONTNEED. While mu is held the thread writes at most one STEP past
 * what it published, so pages two STEPs on are out of its way. Where
 * they cannot go (no thread, too near the end, a kernel before 5.7,
 * valgrind), they are given back.
 */
void stream_give_back(stream *s, unsigned char *from, size_t len)
{
#ifdef MREMAP_DONTUNMAP
	if (s->threaded) {
		const uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE) - 1;
		pthread_mutex_lock(&s->mu);
		uintptr_t to = ((uintptr_t)s->buf + s->ready + 2 * STEP + pg) & ~pg;
		if (to < s->ahead)
			to = s->ahead;
		bool moved =
			!s->finished && to + len <= (((uintptr_t)s->buf + s->cap) & ~pg) &&
			mremap(from, len, len, MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP,
			       (void *)to) != MAP_FAILED;
		if (moved) {
			s->ahead = to + len;
			lib_tuning.pages_moved += len;
		}
		pthread_mutex_unlock(&s->mu);
		if (moved)
			return;
	}
#endif
	madvise(from, len, MADV_DONTNEED);
}

pprofc_status stream_end(stream *s)
{
	pprofc_profile *p = s->p;
	/* Wait for the whole stream: a gzip error anywhere in it explains
	 * whatever the walker found, so it is the one to report. */
	stream_wait(s, SIZE_MAX);
	join(s);
	/* The checks zlib makes when it does them itself, in its order and
	 * words; they come before whatever follows the member. */
	if (s->own_check && s->ended && s->crc_done == s->len) {
		if (s->crc != le32(s->trailer))
			err_set(&s->err, PPROFC_ERR_GZIP,
				"corrupt gzip stream: incorrect data check");
		else if ((uint32_t)s->len != le32(s->trailer + 4))
			err_set(&s->err, PPROFC_ERR_GZIP,
				"corrupt gzip stream: incorrect length check");
	}
	if (s->zs_live)
		inflateEnd(&s->zs);
	s->zs_live = false;
	if (s->in)
		budget_free(&p->mem, s->in);
	s->in = NULL;
	if (s->err.code != PPROFC_OK) /* (its limit too, if it names one) */
		return err_set_limit(&p->err, s->err.code, s->err.limit, "%s", s->err.msg);
	p->buflen = s->len;
	return PPROFC_OK;
}
