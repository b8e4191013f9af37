/*
 * Memory for the decoder and the model: a counted budget that every
 * allocation goes through, growable arrays on top of it, and a bump arena
 * that protobuf-c unpacks each sub-message into.
 *
 * Why counted: a 2 MB gzip file can claim gigabytes of repeated fields. The
 * budget turns that into PPROFC_ERR_NOMEM with a message instead of the
 * machine swapping.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/core.h"

/* Each block carries its size in front, so frees keep the count exact
 * without callers tracking capacities; `mapped` is the length of a
 * block's own mapping (see budget_realloc), 0 for malloc's. */
typedef union hdr {
	struct {
		size_t size, mapped;
	} h;
	max_align_t align;
} hdr;

/*
 * From what size a block that grows gets a mapping of its own, which
 * then grows in place or moves its pages (mremap), never copying them.
 * Below glibc's threshold (1 MB, set by the CLI) a growing array is
 * copied into fresh heap pages at each doubling, and the copies' page
 * faults are a large part of a load's. Off under the
 * sanitizers, whose checks want malloc's blocks.
 */
#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__) || \
	__has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define MAP_GROW_MIN SIZE_MAX
#else
#define MAP_GROW_MIN ((size_t)64 << 10)
#endif

static size_t page_round(size_t n)
{
	return (n + 4095) & ~(size_t)4095;
}

void *budget_alloc(budget *b, size_t size)
{
	if (size > b->limit - b->used || size > SIZE_MAX - sizeof(hdr))
		return NULL;
	hdr *h = malloc(sizeof(hdr) + size);
	if (!h)
		return NULL;
	h->h.size = size;
	h->h.mapped = 0;
	b->used += size;
	return h + 1;
}

/* A block moved to (or resized in) a mapping of its own, or NULL. */
static hdr *map_grow(hdr *h, size_t new_size)
{
	size_t len = page_round(sizeof(hdr) + new_size);
	if (h->h.mapped) {
		if (len == h->h.mapped)
			return h;
		void *m = mremap(h, h->h.mapped, len, MREMAP_MAYMOVE);
		if (m == MAP_FAILED)
			return NULL;
		h = m;
	} else {
		hdr *m =
			mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return NULL;
		memcpy(m, h, sizeof(hdr) + h->h.size);
		free(h);
		h = m;
	}
	h->h.mapped = len;
	return h;
}

void *budget_realloc(budget *b, void *ptr, size_t new_size)
{
	if (!ptr)
		return budget_alloc(b, new_size);
	hdr *h = (hdr *)ptr - 1;
	size_t old = h->h.size;
	if ((new_size > old && new_size - old > b->limit - b->used) ||
	    new_size > SIZE_MAX - sizeof(hdr) - 4096)
		return NULL;
	hdr *nh;
	if (h->h.mapped || (new_size > old && new_size >= MAP_GROW_MIN))
		nh = map_grow(h, new_size);
	else
		nh = realloc(h, sizeof(hdr) + new_size);
	if (!nh)
		return NULL;
	nh->h.size = new_size;
	b->used = b->used - old + new_size;
	return nh + 1;
}

void budget_free(budget *b, void *ptr)
{
	if (!ptr)
		return;
	hdr *h = (hdr *)ptr - 1;
	b->used -= h->h.size;
	if (h->h.mapped)
		munmap(h, h->h.mapped);
	else
		free(h);
}

void budget_free_all(budget *b, void *const *blocks, size_t n)
{
	for (size_t i = 0; i < n; i++)
		budget_free(b, blocks[i]);
}

bool vec_grow(budget *b, void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	/* From empty, take exactly what is asked: callers that know the size
	 * reserve it once. */
	size_t ncap = *cap ? *cap : (need > 16 ? need : 16);
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return false;
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / elem)
		return false;
	void *np = budget_realloc(b, *arr, ncap * elem);
	if (!np)
		return false;
	*arr = np;
	*cap = ncap;
	return true;
}

/* ---- arena ------------------------------------------------------------ */

struct arena_big {
	struct arena_big *next;
	size_t size;
	max_align_t data[];
};

#define ARENA_BLOCK (64 * 1024)

void arena_init(arena *a, budget *b)
{
	memset(a, 0, sizeof(*a));
	a->b = b;
}

void *arena_alloc(arena *a, size_t size)
{
	size = (size + 15) & ~(size_t)15;
	if (!a->block) {
		a->block = budget_alloc(a->b, ARENA_BLOCK);
		if (!a->block)
			return NULL;
		a->size = ARENA_BLOCK;
	}
	if (size <= a->size - a->used) {
		void *ptr = a->block + a->used;
		a->used += size;
		return ptr;
	}
	/* Rare: a message bigger than the block. Keep it on a list that
	 * arena_reset frees, so the block itself never grows. */
	if (size > SIZE_MAX - sizeof(struct arena_big))
		return NULL;
	struct arena_big *big = budget_alloc(a->b, sizeof(*big) + size);
	if (!big)
		return NULL;
	big->size = sizeof(*big) + size;
	big->next = a->big;
	a->big = big;
	return big->data;
}

void arena_reset(arena *a)
{
	a->used = 0;
	while (a->big) {
		struct arena_big *next = a->big->next;
		budget_free(a->b, a->big);
		a->big = next;
	}
}

void arena_finish(arena *a)
{
	arena_reset(a);
	budget_free(a->b, a->block);
	a->block = NULL;
	a->size = 0;
}

bool thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	/* Signals stay with the caller's threads: a program's handlers must
	 * not run on ours. The new thread inherits the mask in force here. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	bool ok = pthread_create(t, NULL, fn, arg) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ok;
}

void run_both(void *(*fa)(void *), void *a, void *(*fb)(void *), void *b)
{
	pthread_t t;
	bool threaded = b && thread_start(&t, fb, b);
	fa(a);
	if (threaded)
		pthread_join(t, NULL);
	else if (b)
		fb(b);
}

/* A small, fast hash for stacks and names (FNV-1a on 64-bit words would be
 * slower on long stacks; this mixes 8 bytes at a time). */
uint64_t hash_bytes(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = seed ^ (len * 0x9E3779B97F4A7C15ull);
	while (len >= 8) {
		uint64_t k;
		memcpy(&k, p, 8);
		k *= 0xff51afd7ed558ccdull;
		k ^= k >> 32;
		h = (h ^ k) * 0xc4ceb9fe1a85ec53ull;
		p += 8;
		len -= 8;
	}
	uint64_t k = 0;
	if (len) /* p may be NULL for an empty key */
		memcpy(&k, p, len);
	h = (h ^ k) * 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	return h;
}
