/*
 * gzip: the writing counterpart of gunzip.c. Bytes from a writer (the
 * proto encoder) become one gzip member, handed to the sink in chunks of
 * about a megabyte.
 *
 * Deflating is most of the time of writing a large profile, and the
 * machine has a second core, so the stream is cut into blocks of 1 MiB
 * deflated two at a time, as pigz does: each block is a raw deflate stream
 * of its own, primed with the 32 KiB before it (so the ratio is what one
 * stream would give), ended by a sync flush (so the blocks concatenate
 * into one valid deflate stream; the last block ends it). The CRC of each
 * block is computed with it and combined in order, and the header and
 * trailer are written here. While the helper thread deflates one block the
 * caller's thread fills the next and deflates it itself; then both go to
 * the sink, in order. The output does not depend on which thread deflated
 * what. A stream of a single block never starts the thread.
 *
 * The helper thread only reads its block and writes its own output
 * buffer: every allocation (budget), every sink write and every message
 * stay with the caller's thread.
 */
#include <signal.h>
#include <string.h>

#include "write/write.h"

#define BLOCK (1u << 20)
#define DICT  32768u
#define HEAD  10u /* gzip header */
#define TRAIL 8u  /* CRC-32 and size */

typedef struct gzjob {
	unsigned char *in; /* BLOCK bytes */
	size_t n;
	unsigned char *dict; /* the DICT bytes before the block */
	size_t dict_n;
	bool last;
	unsigned char *out; /* HEAD + deflated + TRAIL */
	size_t out_cap, out_n;
	uLong crc;
	z_stream zs;
	bool zs_live;
	bool ok;
} gzjob;

struct gzwriter {
	pprofc_profile *p;
	const pprofc_sink *sink;
	pprofc_status st;
	int level;
	gzjob job[2];
	int cur;      /* the job being filled */
	bool pending; /* job[1 - cur] is with the helper */
	bool started; /* bytes (the header) given to the sink */
	bool have_dict;
	uLong crc;
	uint64_t isize;
	/* the helper thread, under mu */
	bool threaded, quit, queued, done;
	gzjob *queued_job;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
	if (size && items > SIZE_MAX / size)
		return Z_NULL;
	return budget_alloc(opaque, (size_t)items * size);
}

static void z_free(voidpf opaque, voidpf ptr)
{
	budget_free(opaque, ptr);
}

/* Deflates one block into its output buffer; runs on either thread and
 * touches nothing but the job. */
static void deflate_block(gzjob *j)
{
	z_stream *zs = &j->zs;
	j->ok = deflateReset(zs) == Z_OK &&
		(!j->dict_n || deflateSetDictionary(zs, j->dict, (uInt)j->dict_n) == Z_OK);
	j->crc = crc32(0, j->in, (uInt)j->n);
	if (!j->ok)
		return;
	zs->next_in = j->in;
	zs->avail_in = (uInt)j->n;
	zs->next_out = j->out + HEAD;
	zs->avail_out = (uInt)(j->out_cap - HEAD - TRAIL);
	int zr = deflate(zs, j->last ? Z_FINISH : Z_SYNC_FLUSH);
	/* The buffer holds deflateBound and more: one call always finishes. */
	j->ok = j->last ? zr == Z_STREAM_END : zr == Z_OK && zs->avail_in == 0 && zs->avail_out > 0;
	j->out_n = (size_t)(zs->next_out - (j->out + HEAD));
}

static void *helper(void *arg)
{
	gzwriter *g = arg;
	pthread_mutex_lock(&g->mu);
	for (;;) {
		while (!g->queued && !g->quit)
			pthread_cond_wait(&g->cv, &g->mu);
		if (g->quit)
			break;
		gzjob *j = g->queued_job;
		pthread_mutex_unlock(&g->mu);
		deflate_block(j);
		pthread_mutex_lock(&g->mu);
		g->queued = false;
		g->done = true;
		pthread_cond_broadcast(&g->cv);
	}
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

static bool start_helper(gzwriter *g)
{
	if (pthread_mutex_init(&g->mu, NULL) != 0)
		return false;
	if (pthread_cond_init(&g->cv, NULL) != 0) {
		pthread_mutex_destroy(&g->mu);
		return false;
	}
	g->threaded = thread_start(&g->thread, helper, g);
	if (!g->threaded) {
		pthread_cond_destroy(&g->cv);
		pthread_mutex_destroy(&g->mu);
	}
	return g->threaded;
}

static void wait_helper(gzwriter *g)
{
	pthread_mutex_lock(&g->mu);
	while (!g->done)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
}

/* Hands a deflated block to the sink: the header before the first one,
 * the trailer after the last one, in a single write. */
static void emit(gzwriter *g, gzjob *j)
{
	if (g->st != PPROFC_OK)
		return;
	if (!j->ok) {
		g->st = set_error(g->p, PPROFC_ERR_IO, "deflate failed");
		return;
	}
	unsigned char *from = j->out + HEAD;
	size_t len = j->out_n;
	if (!g->started) {
		/* magic, deflate, no flags, no time, XFL (2: best, 4: fastest),
		 * Unix -- what zlib's own gzip framing writes */
		unsigned char head[HEAD] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
		head[8] = g->level == 9 ? 2 : g->level == 1 ? 4 : 0;
		from = j->out;
		len += HEAD;
		memcpy(from, head, HEAD);
		g->started = true;
	}
	g->crc = crc32_combine(g->crc, j->crc, (z_off_t)j->n);
	g->isize += j->n;
	if (j->last) {
		unsigned char *t = j->out + HEAD + j->out_n;
		uint32_t v[2] = { (uint32_t)g->crc, (uint32_t)g->isize }; /* size mod 2^32 */
		for (int k = 0; k < 8; k++)
			t[k] = (unsigned char)(v[k / 4] >> (8 * (k % 4)));
		len += TRAIL;
	}
	if (g->sink->write(g->sink->ctx, from, len) != 0)
		g->st = set_error(g->p, PPROFC_ERR_IO, "write failed");
}

/* The block in job[cur] is complete (full, or the last): deflate it, on
 * the helper when it is free, and move on to the other buffer. */
static void block_done(gzwriter *g, bool last)
{
	gzjob *j = &g->job[g->cur], *prev = &g->job[1 - g->cur];
	j->last = last;
	/* Copied, not pointed to: the previous block's buffer is refilled
	 * while this one may still be deflating. */
	j->dict_n = 0;
	if (g->have_dict) {
		memcpy(j->dict, prev->in + prev->n - DICT, DICT);
		j->dict_n = DICT;
	}
	g->have_dict = j->n >= DICT;
	if (!g->pending && !last && lib_tuning.gzip_threads && (g->threaded || start_helper(g))) {
		pthread_mutex_lock(&g->mu);
		g->queued_job = j;
		g->queued = true;
		g->done = false;
		pthread_cond_broadcast(&g->cv);
		pthread_mutex_unlock(&g->mu);
		g->pending = true;
	} else {
		deflate_block(j);
		if (g->pending) {
			wait_helper(g);
			g->pending = false;
			emit(g, prev);
		}
		emit(g, j);
	}
	g->cur = 1 - g->cur;
	g->job[g->cur].n = 0;
}

pprofc_status gzw_begin(pprofc_profile *p, const pprofc_sink *sink, int level, gzwriter **ret)
{
	gzwriter *g = budget_alloc(&p->mem, sizeof(*g));
	if (!g)
		return set_error(p, PPROFC_ERR_NOMEM, "out of memory for the gzip stream");
	memset(g, 0, sizeof(*g));
	g->p = p;
	g->sink = sink;
	g->st = PPROFC_OK;
	g->level = level;
	g->crc = crc32(0, NULL, 0);
	for (int i = 0; i < 2; i++) {
		gzjob *j = &g->job[i];
		j->zs.zalloc = z_alloc;
		j->zs.zfree = z_free;
		j->zs.opaque = &p->mem;
		/* windowBits -15: raw deflate; the gzip framing is ours */
		j->zs_live =
			deflateInit2(&j->zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK;
		if (!j->zs_live)
			break;
		j->out_cap = HEAD + deflateBound(&j->zs, BLOCK) + 1024 + TRAIL;
		j->in = budget_alloc(&p->mem, BLOCK);
		j->dict = budget_alloc(&p->mem, DICT);
		j->out = budget_alloc(&p->mem, j->out_cap);
		if (!j->in || !j->dict || !j->out)
			break;
	}
	if (!g->job[1].out) {
		gzw_end(g);
		return set_error(p, PPROFC_ERR_NOMEM, "out of memory for the gzip stream");
	}
	*ret = g;
	return PPROFC_OK;
}

void gzw_write(gzwriter *g, const void *data, size_t len)
{
	const unsigned char *d = data;
	while (len && g->st == PPROFC_OK) {
		gzjob *j = &g->job[g->cur];
		size_t k = BLOCK - j->n < len ? BLOCK - j->n : len;
		memcpy(j->in + j->n, d, k);
		j->n += k;
		d += k;
		len -= k;
		if (j->n == BLOCK)
			block_done(g, false);
	}
}

unsigned char *gzw_room(gzwriter *g, size_t *ret_room)
{
	gzjob *j = &g->job[g->cur];
	*ret_room = g->st == PPROFC_OK ? BLOCK - j->n : 0;
	return j->in + j->n;
}

void gzw_commit(gzwriter *g, size_t n)
{
	gzjob *j = &g->job[g->cur];
	j->n += n;
	if (j->n == BLOCK)
		block_done(g, false);
}

pprofc_status gzw_status(const gzwriter *g)
{
	return g->st;
}

pprofc_status gzw_end(gzwriter *g)
{
	if (!g)
		return PPROFC_OK;
	pprofc_profile *p = g->p;
	if (g->st == PPROFC_OK && g->job[1].out)
		block_done(g, true);
	if (g->pending) {
		wait_helper(g); /* (after a failure: its block is dropped) */
		g->pending = false;
	}
	if (g->threaded) {
		pthread_mutex_lock(&g->mu);
		g->quit = true;
		pthread_cond_broadcast(&g->cv);
		pthread_mutex_unlock(&g->mu);
		pthread_join(g->thread, NULL);
		pthread_cond_destroy(&g->cv);
		pthread_mutex_destroy(&g->mu);
	}
	for (int i = 0; i < 2; i++) {
		gzjob *j = &g->job[i];
		if (j->zs_live)
			deflateEnd(&j->zs);
		budget_free(&p->mem, j->in);
		budget_free(&p->mem, j->dict);
		budget_free(&p->mem, j->out);
	}
	pprofc_status st = g->st;
	budget_free(&p->mem, g);
	return st;
}
