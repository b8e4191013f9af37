/*
 * folded: one line per distinct stack, "root;...;leaf VALUE", for
 * flamegraph.pl, inferno and speedscope.
 *
 * Their parsers split the stack at ';' and take everything after the last
 * space as the count, and a stack ending in " DIGITS" as the differential
 * two-count form. So frame names are made safe first: ';' becomes ':',
 * control bytes become '?', and a frame's trailing " DIGITS" has its space
 * replaced by '_'. Stacks that read the same after that are merged, and the
 * lines are sorted by their bytes (what inferno's --no-sort expects).
 *
 * A profile compared with --diff-base gives the differential form,
 * "stack BEFORE AFTER": the base's value (made positive again) and the
 * source's, which flamegraph.pl --diff and inferno-diff-folded read.
 */
#include <stdlib.h>
#include <string.h>

#include "write/write.h"

typedef struct entry {
	uint32_t off, len; /* into seq */
	int64_t value;	   /* differential: index into the (before, after) pairs */
} entry;

/*
 * Sorting lines by their bytes without building them: each frame becomes a
 * "digit", the rank of its safe name followed by its separator (';', or ' '
 * for the last frame) among all such keys. Since safe names hold no ';',
 * comparing digit sequences orders stacks exactly as comparing their text
 * does, and equal sequences are equal text. Digits are stored big-endian,
 * so memcmp compares them, in two bytes when there are few enough of them
 * (under 32767 names: the digits of all stacks are most of the memory).
 */
typedef struct folded {
	const uint8_t *seq; /* big-endian digits of all entries */
	size_t w;	    /* bytes per digit: 2 or 4 */
} folded;

/* Node i's two keys: node 2i, its safe name then ';', and 2i + 1, then
 * ' ' (the last frame). */
typedef struct key {
	const char *s; /* the safe name */
	uint32_t len;
	uint32_t node;
} key;

static inline unsigned char key_term(const key *k)
{
	return k->node & 1 ? ' ' : ';';
}

static void make_safe(char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ';')
			s[i] = ':';
		else if (c < 0x20 || c == 0x7f)
			s[i] = '?';
	}
	size_t i = len;
	while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
		i--;
	if (i < len && i > 0 && s[i - 1] == ' ')
		s[i - 1] = '_';
}

/* Keys that read the same (names equal once made safe) share a rank; the
 * order itself comes from sort_keys. */
static bool same_key(const key *x, const key *y)
{
	return x->len == y->len && key_term(x) == key_term(y) && !memcmp(x->s, y->s, x->len);
}

/* Byte d of a key's text (name, then its separator); 0 past the end, which
 * no safe name holds. */
static inline unsigned key_byte(const key *k, size_t d)
{
	return d < k->len ? (unsigned char)k->s[d] : d == k->len ? key_term(k) : 0;
}

/* The keys in their text's order: function names share long package
 * prefixes, which a comparison sort would read again for every pair. */
#define MKQS_NAME	      sort_keys
#define MKQS_T		      key
#define MKQS_CTX	      const void *
#define MKQS_DIGIT(ctx, x, d) key_byte(x, d)
#define MKQS_SMALL	      10
#include "core/mkqs.h"

/* Stacks that read the same, merged into one line. */
static bool same_stack(const folded *fd, const entry *x, const entry *y)
{
	return x->len == y->len &&
	       !memcmp(fd->seq + (size_t)x->off * fd->w, fd->seq + (size_t)y->off * fd->w,
		       (size_t)x->len * fd->w);
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void put_digit(uint8_t *p, size_t w, uint32_t v)
{
	if (w == 2) {
		p[0] = (uint8_t)(v >> 8);
		p[1] = (uint8_t)v;
	} else {
		put_be32(p, v);
	}
}

static inline uint32_t get_digit(const uint8_t *p, size_t w)
{
	return w == 2 ? (uint32_t)p[0] << 8 | p[1] : get_be32(p);
}

/* Digit d of an entry, 0 past its end (ranks start at 1). */
static inline uint32_t entry_digit(const folded *fd, const entry *e, size_t d)
{
	return d < e->len ? get_digit(fd->seq + ((size_t)e->off + d) * fd->w, fd->w) : 0;
}

/* The entries in their lines' order: stacks share long root paths. */
#define MKQS_NAME	     sort_entries
#define MKQS_T		     entry
#define MKQS_CTX	     const folded *
#define MKQS_DIGIT(fd, x, d) entry_digit(fd, x, d)
#define MKQS_SMALL	     10
#include "core/mkqs.h"

/* The writer's state: the stacks' digits and entries, the names they
 * stand for, and with --diff-base each stack's (before, after) pair. */
typedef struct fold {
	writer *w;
	pstr *names; /* node -> its safe name, in namebuf */
	char *namebuf;
	key *keys;
	uint32_t *digit;	 /* [2*node+last] */
	const pstr **digit_name; /* rank -> name */
	uint8_t *seq;
	entry *entries;
	size_t nseq, cap_seq, nentries, cap_entries;
	size_t dw; /* bytes per digit */
	uint8_t *base;
	int64_t *pairs; /* differential: per stack, before and after */
} fold;

/* Only the chosen type's sums are needed: keep that column alone and the
 * counts not at all, before the stacks' digits take their room. */
static void keep_column(writer *w)
{
	pprofc_profile *p = w->p;
	frames *f = &w->f;
	size_t nt = p->nsample_types;
	for (size_t s = 0; s < p->nstacks; s++)
		f->stack_values[s] = f->stack_values[s * nt + w->index];
	int64_t *col = budget_realloc(w->b, f->stack_values, (p->nstacks + 1) * sizeof(int64_t));
	if (col)
		f->stack_values = col;
	budget_free(w->b, f->stack_count);
	f->stack_count = NULL;
}

/* With --diff-base samples: each stack's base value (made positive
 * again) and other value. */
static bool diff_pairs(fold *fd)
{
	pprofc_profile *p = fd->w->p;
	size_t nt = p->nsample_types, index = fd->w->index;
	if (profile_diff_base(p, &fd->base) != PPROFC_OK)
		return false;
	if (!fd->base)
		return true;
	fd->pairs = budget_alloc(fd->w->b, (2 * p->nstacks + 2) * sizeof(int64_t));
	if (!fd->pairs)
		return false;
	memset(fd->pairs, 0, (2 * p->nstacks + 2) * sizeof(int64_t));
	for (size_t i = 0; i < p->nsamples; i++) {
		int64_t v = p->values[i * nt + index];
		int64_t *pr = &fd->pairs[2 * (size_t)p->sample_stack[i]];
		if (fd->base[i])
			pr[0] = wadd(pr[0], (int64_t)(0 - (uint64_t)v));
		else
			pr[1] = wadd(pr[1], v);
	}
	return true;
}

/* Safe names, their two keys each, and the keys' ranks: the digits. */
static bool rank_names(fold *fd)
{
	const frames *f = &fd->w->f;
	size_t nn = f->nnodes;
	char *nb = fd->namebuf;
	for (uint32_t i = 0; i < nn; i++) {
		memcpy(nb, f->nodes[i].name.s, f->nodes[i].name.len);
		make_safe(nb, f->nodes[i].name.len);
		fd->names[i].s = nb;
		fd->names[i].len = f->nodes[i].name.len;
		nb += f->nodes[i].name.len + 1;
		fd->keys[2 * i] = (key){ fd->names[i].s, fd->names[i].len, 2 * i };
		fd->keys[2 * i + 1] = (key){ fd->names[i].s, fd->names[i].len, 2 * i + 1 };
	}
	if (!sort_keys(fd->w->b, NULL, fd->keys, &(mkqs_task){ 0, 2 * nn, 0 }, 1, NULL))
		return false;
	uint32_t rank = 0;
	for (size_t i = 0; i < 2 * nn; i++) {
		if (i == 0 || !same_key(&fd->keys[i - 1], &fd->keys[i]))
			fd->digit_name[++rank] = &fd->names[fd->keys[i].node >> 1];
		fd->digit[fd->keys[i].node] = rank;
	}
	return true;
}

/* The two loops over the stacks below stay functions of their own:
 * inlined into the writer beside the sort that runs between them, they
 * compete with it for registers, and its partition loop spills. */
#define NOINLINE __attribute__((noinline))

/*
 * One entry per stack with a value, its digits written in place. Stacks
 * that read the same (other addresses, same functions; names equal once
 * made safe) sort next to each other and are merged as the lines are
 * written.
 */
static NOINLINE void stack_entries(fold *fd)
{
	const pprofc_profile *p = fd->w->p;
	const frames *f = &fd->w->f;
	const uint32_t *locs = p->stack_locs, *off = f->loc_off, *fnode = f->frame_node;
	/* in locals: the digits are bytes, which may alias anything in fd */
	const uint32_t *digit = fd->digit;
	const int64_t *pairs = fd->pairs;
	uint8_t *seq = fd->seq;
	entry *entries = fd->entries;
	size_t w = fd->dw, nseq = 0, nentries = 0;
	for (uint32_t s = 0; s < p->nstacks; s++) {
		int64_t v = f->stack_values[s];
		if (pairs) {
			if (pairs[2 * (size_t)s] == 0 && pairs[2 * (size_t)s + 1] == 0)
				continue;
			v = (int64_t)s;
		} else if (v == 0) {
			continue;
		}
		uint8_t *d = seq + nseq * w;
		size_t n = 0;
		uint32_t lo = p->stack_off[s], hi = p->stack_off[s + 1];
		if (lo == hi) {
			put_digit(d, w, digit[2 * f->nostack + 1]);
			n = 1;
		} else if (w == 2) {
			/* Root first: the last location, and within a location
			 * its last line (the caller the others were inlined into). */
			for (uint32_t j = hi; j-- > lo;)
				for (uint32_t k = off[locs[j] + 1]; k-- > off[locs[j]];)
					put_digit(d + 2 * n++, 2, digit[2 * fnode[k]]);
			put_digit(d + 2 * (n - 1), 2, digit[2 * fnode[off[locs[lo]]] + 1]);
		} else {
			for (uint32_t j = hi; j-- > lo;)
				for (uint32_t k = off[locs[j] + 1]; k-- > off[locs[j]];)
					put_be32(d + 4 * n++, digit[2 * fnode[k]]);
			put_be32(d + 4 * (n - 1), digit[2 * fnode[off[locs[lo]]] + 1]);
		}
		entries[nentries++] = (entry){ (uint32_t)nseq, (uint32_t)n, v };
		nseq += n;
	}
	fd->nseq = nseq;
	fd->nentries = nentries;
}

/* The sorted entries as lines, those that read the same merged. */
static NOINLINE void write_lines(fold *fd)
{
	const folded fs = { fd->seq, fd->dw };
	/* in locals: out's writes are bytes, which may alias anything in fd */
	out *o = fd->w->o;
	const int64_t *pairs = fd->pairs;
	size_t w = fd->dw, nentries = fd->nentries;
	const entry *entries = fd->entries;
	const uint8_t *seq = fd->seq;
	const pstr *const *digit_name = fd->digit_name;
	for (size_t i = 0; i < nentries && !o->failed; i++) {
		const entry *e = &entries[i];
		int64_t value = e->value, before = 0;
		if (pairs) {
			before = pairs[2 * value];
			value = pairs[2 * value + 1];
		}
		while (i + 1 < nentries && same_stack(&fs, e, &entries[i + 1])) {
			const entry *x = &entries[++i];
			if (pairs) {
				before = wadd(before, pairs[2 * x->value]);
				value = wadd(value, pairs[2 * x->value + 1]);
			} else {
				value = wadd(value, x->value);
			}
		}
		if (value == 0 && before == 0)
			continue;
		const uint8_t *d = seq + (size_t)e->off * w;
		for (uint32_t k = 0; k < e->len; k++) {
			const pstr *nm = digit_name[get_digit(d + w * k, w)];
			out_write(o, nm->s, nm->len);
			out_char(o, k + 1 < e->len ? ';' : ' ');
		}
		if (pairs) {
			out_i64(o, before);
			out_char(o, ' ');
		}
		out_i64(o, value);
		out_char(o, '\n');
	}
}

static bool fold_alloc(fold *fd)
{
	const pprofc_profile *p = fd->w->p;
	const frames *f = &fd->w->f;
	budget *b = fd->w->b;
	size_t nn = f->nnodes, namebuf_len = 0;
	fd->names = budget_alloc(b, (nn + 1) * sizeof(pstr));
	fd->keys = budget_alloc(b, (2 * nn + 1) * sizeof(key));
	fd->digit = budget_alloc(b, (2 * nn + 1) * sizeof(uint32_t));
	fd->digit_name = budget_alloc(b, (2 * nn + 2) * sizeof(pstr *));
	if (!diff_pairs(fd))
		return false;
	for (size_t i = 0; i < nn; i++)
		namebuf_len += f->nodes[i].name.len + 1;
	fd->namebuf = budget_alloc(b, namebuf_len + 1);
	fd->dw = 2 * nn + 2 <= 0xffff ? 2 : 4; /* ranks go up to 2 * nn */
	/* Sized once: growing by doubling would briefly hold twice the stacks. */
	return f->total_frames < UINT32_MAX && fd->names && fd->keys && fd->digit &&
	       fd->digit_name && fd->namebuf &&
	       vec_reserve(b, (void **)&fd->seq, &fd->cap_seq, f->total_frames * fd->dw + 4, 1) &&
	       vec_reserve(b, (void **)&fd->entries, &fd->cap_entries, p->nstacks + 1,
			   sizeof(entry));
}

static pprofc_status write_folded(writer *w, const void *ctx)
{
	keep_column(w);
	fold fd = { .w = w };
	bool ok = fold_alloc(&fd) && rank_names(&fd);
	if (ok) {
		stack_entries(&fd);
		/* (a context of the sort's own: one whose address goes
		 * nowhere else lets the compiler keep it in registers) */
		folded fs = { fd.seq, fd.dw };
		ok = sort_entries(w->b, &fs, fd.entries, &(mkqs_task){ 0, fd.nentries, 0 }, 1,
				  NULL);
		if (ok)
			write_lines(&fd);
	}
	budget_free_each(w->b, fd.base, fd.pairs, fd.seq, fd.entries, fd.names, fd.keys, fd.digit,
			 fd.digit_name, fd.namebuf);
	return ok ? PPROFC_OK : writer_nomem(w);
}

pprofc_status pprofc_write_folded(pprofc_profile *p, const pprofc_folded_options *opt,
				  const pprofc_sink *sink)
{
	WRITER_OPTIONS(pprofc_folded_options, o, p, opt);
	return writer_run(p, o.sample_index, WRITER_FRAMES, "folded stacks", sink, write_folded,
			  NULL);
}
