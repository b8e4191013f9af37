/*
 * load: bytes from a file or descriptor (source.c), inflated with a size
 * cap, on a thread when large (gunzip.c), walked as profile.proto and
 * written into the model (decode.c).
 */
#ifndef PPROFC_LOAD_H
#define PPROFC_LOAD_H

#include "model/model.h"

/* source.c: the failure to hold n bytes of input, which may be the memory
 * limit's doing. */
pprofc_status input_nomem(pprofc_profile *p, size_t n);
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
	size_t wanted; /* the most the reader has waited for */
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
	errstate err; /* the first failure */
	bool threaded;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
} stream;

pprofc_status stream_begin(pprofc_profile *p, unsigned char *in, size_t inlen, stream *s);
/* A gzip member read from a regular file as it is inflated: from offset at
 * (where fd is), insize bytes expected, at most in_limit read. */
pprofc_status stream_begin_fd(pprofc_profile *p, int fd, off_t at, uint64_t insize,
			      uint64_t in_limit, stream *s);
size_t stream_wait(stream *s, size_t need);
/* Pages of p->buf (page-aligned, len bytes at from) that will not be read
 * again: moved to where the thread has yet to write, or given back. */
void stream_give_back(stream *s, unsigned char *from, size_t len);
pprofc_status stream_end(stream *s);

pprofc_status decode_profile(pprofc_profile *p, stream *in);
pprofc_status decode_samples(pprofc_profile *p);

#endif /* PPROFC_LOAD_H */
