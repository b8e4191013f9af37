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
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct entry {
	uint32_t off, len; /* into seq */
	int64_t value;
} entry;

typedef struct folded {
	const pstr *names; /* safe name per node */
	uint32_t *seq;     /* node ids of all entries, root first */
	entry *entries;
} folded;

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

/* Byte order of the two lines' stack parts, without building them: each is
 * the names joined by ';' and ended by the ' ' before the count. */
static int cmp_entries(const folded *fd, const entry *a, const entry *b)
{
	const uint32_t *sa = fd->seq + a->off, *sb = fd->seq + b->off;
	uint32_t na = a->len, nb = b->len, i = 0;
	while (i < na && i < nb && sa[i] == sb[i])
		i++;
	/* Walk both byte streams from frame i on. */
	uint32_t fa = i, fb = i, ca = 0, cb = 0;
	for (;;) {
		int xa, xb;
		if (fa >= na)
			xa = -1;
		else if (ca < fd->names[sa[fa]].len)
			xa = (unsigned char)fd->names[sa[fa]].s[ca];
		else
			xa = fa + 1 == na ? ' ' : ';';
		if (fb >= nb)
			xb = -1;
		else if (cb < fd->names[sb[fb]].len)
			xb = (unsigned char)fd->names[sb[fb]].s[cb];
		else
			xb = fb + 1 == nb ? ' ' : ';';
		if (xa != xb)
			return xa < xb ? -1 : 1;
		if (xa == -1)
			return 0;
		if (ca < fd->names[sa[fa]].len) {
			ca++;
		} else {
			fa++;
			ca = 0;
		}
		if (cb < fd->names[sb[fb]].len) {
			cb++;
		} else {
			fb++;
			cb = 0;
		}
	}
}

static int cmp_idx(const void *a, const void *b, void *ctx)
{
	const folded *fd = ctx;
	return cmp_entries(fd, &fd->entries[*(const uint32_t *)a], &fd->entries[*(const uint32_t *)b]);
}

pprofc_status pprofc_write_folded(pprofc_profile *p, size_t index, const pprofc_sink *sink)
{
	if (index >= p->nsample_types)
		return set_error(p, PPROFC_ERR_USAGE, "sample index %zu out of range", index);
	frames f;
	pprofc_status st = frames_build(p, &f);
	if (st != PPROFC_OK)
		return st;

	folded fd = { 0 };
	pstr *names = NULL;
	char *namebuf = NULL;
	frame *scratch = NULL;
	uint32_t *nodes = NULL, *idx = NULL;
	size_t cap_seq = 0, nseq = 0, cap_entries = 0, nentries = 0, namebuf_len = 0;
	kmap seen = { 0 };
	size_t nt = p->nsample_types;
	budget *b = &p->mem;

	/* Safe copies of the node names. */
	for (size_t i = 0; i < f.nnodes; i++)
		namebuf_len += f.nodes[i].name.len + 1;
	names = budget_alloc(b, (f.nnodes + 1) * sizeof(pstr));
	namebuf = budget_alloc(b, namebuf_len + 1);
	scratch = budget_alloc(b, f.max_depth * sizeof(frame));
	nodes = budget_alloc(b, f.max_depth * sizeof(uint32_t));
	if (!names || !namebuf || !scratch || !nodes || !kmap_init(&seen, b, p->nstacks)) {
		st = set_error(p, PPROFC_ERR_NOMEM, "out of memory for folded stacks");
		goto done;
	}
	char *w = namebuf;
	for (size_t i = 0; i < f.nnodes; i++) {
		memcpy(w, f.nodes[i].name.s, f.nodes[i].name.len);
		make_safe(w, f.nodes[i].name.len);
		names[i].s = w;
		names[i].len = f.nodes[i].name.len;
		w += f.nodes[i].name.len + 1;
	}
	fd.names = names;

	/* Distinct stacks can expand to the same frames (different
	 * addresses, same functions): merge them by their node sequence. */
	for (uint32_t s = 0; s < p->nstacks; s++) {
		int64_t v = f.stack_values[(size_t)s * nt + index];
		if (v == 0)
			continue;
		size_t n = frames_expand(p, &f, s, scratch);
		for (size_t k = 0; k < n; k++)
			nodes[k] = scratch[k].node;
		uint64_t h1 = hash_bytes(nodes, n * sizeof(uint32_t), 1);
		uint64_t h2 = hash_bytes(nodes, n * sizeof(uint32_t), 2) ^ n;
		bool added;
		uint32_t e = kmap_put(&seen, h1, h2, &added);
		if (e == NONE) {
			st = set_error(p, PPROFC_ERR_NOMEM, "out of memory for folded stacks");
			goto done;
		}
		/* A 128-bit hash pair: a collision would merge two stacks, at
		 * odds of about 2^-100 for a million stacks. */
		if (!added) {
			fd.entries[e].value = wadd(fd.entries[e].value, v);
			continue;
		}
		if (!vec_reserve(b, (void **)&fd.seq, &cap_seq, nseq + n, sizeof(uint32_t)) ||
		    !vec_reserve(b, (void **)&fd.entries, &cap_entries, nentries + 1, sizeof(entry)) ||
		    nseq + n > UINT32_MAX) {
			st = set_error(p, PPROFC_ERR_NOMEM, "out of memory for folded stacks");
			goto done;
		}
		memcpy(fd.seq + nseq, nodes, n * sizeof(uint32_t));
		fd.entries[nentries++] = (entry){ (uint32_t)nseq, (uint32_t)n, v };
		nseq += n;
	}
	kmap_free(&seen);

	idx = budget_alloc(b, (nentries + 1) * sizeof(uint32_t));
	if (!idx) {
		st = set_error(p, PPROFC_ERR_NOMEM, "out of memory for folded stacks");
		goto done;
	}
	for (size_t i = 0; i < nentries; i++)
		idx[i] = (uint32_t)i;
	if (!sort_ctx(b, idx, nentries, sizeof(uint32_t), cmp_idx, &fd)) {
		st = set_error(p, PPROFC_ERR_NOMEM, "out of memory for sorting stacks");
		goto done;
	}

	out *o = budget_alloc(b, sizeof(out));
	if (!o) {
		st = set_error(p, PPROFC_ERR_NOMEM, "out of memory");
		goto done;
	}
	out_init(o, sink);
	for (size_t i = 0; i < nentries; i++) {
		const entry *e = &fd.entries[idx[i]];
		int64_t v = e->value;
		/* Stacks that read the same once made safe are one line. */
		while (i + 1 < nentries && !cmp_entries(&fd, e, &fd.entries[idx[i + 1]]))
			v = wadd(v, fd.entries[idx[++i]].value);
		if (v == 0)
			continue;
		const uint32_t *sq = fd.seq + e->off;
		for (uint32_t k = 0; k < e->len; k++) {
			if (k)
				out_char(o, ';');
			out_write(o, names[sq[k]].s, names[sq[k]].len);
		}
		out_char(o, ' ');
		out_i64(o, v);
		out_char(o, '\n');
		if (o->failed)
			break;
	}
	st = out_finish(o, p);
	budget_free(b, o);

done:
	kmap_free(&seen);
	budget_free(b, idx);
	budget_free(b, fd.seq);
	budget_free(b, fd.entries);
	budget_free(b, names);
	budget_free(b, namebuf);
	budget_free(b, scratch);
	budget_free(b, nodes);
	frames_finish(&f);
	return st;
}
