/*
 * flamegraph: an interactive flame graph as one self-contained SVG file.
 *
 * Stacks are expanded root first (frames.c) into "digits", each the rank of
 * its frame's name among all names. Sorting the stacks by their digits puts
 * identical prefixes next to each other and siblings in name order, as
 * flamegraph.pl's sorted folded input does. One walk over the sorted stacks
 * then opens a frame where a stack leaves its predecessor's path and closes
 * it where the path ends, its value the sum of the stacks in between (the
 * walk of flamegraph.pl's flow()). Frames narrower than the minimum width
 * are dropped as they close, so what is kept and written is bounded by the
 * picture's size, whatever the profile's.
 *
 * Each frame carries its value, offset and depth in data- attributes; the
 * inline script zooms and searches with those. Names appear only as
 * escaped XML text, never inside the script or an attribute.
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "write/write.h"

/* flamegraph.pl's geometry: 12 px Verdana, about 0.59 em a character. */
enum {
	FONT_SIZE = 12,
	FRAME_H = 16,			 /* a row; the rect is 1 px less */
	XPAD = 10,			 /* left and right margins */
	YPAD_TOP = FONT_SIZE * 5,	 /* title, subtitle, buttons */
	YPAD_BOTTOM = FONT_SIZE * 2 + 10 /* details and matched lines */
};
#define FONT_WIDTH	 0.59
#define DEFAULT_WIDTH	 1200
#define DEFAULT_MINWIDTH 0.1

typedef enum fg_mode {
	MODE_PLAIN,  /* values >= 0: width = value */
	MODE_SIGNED, /* negative values (--base): width = |net| per stack */
	MODE_DIFF,   /* pprof::base samples: width = after, colour by change */
} fg_mode;

/* A distinct stack: its digits, and its value (net, or after) and the
 * base's value (before, diff mode only). */
typedef struct entry {
	uint32_t off, len;
	int64_t a, b;
} entry;

/* A frame: its node, depth (0 for the root, "all"), offset and width in
 * value units, and the sums of a and b over the stacks through it. */
typedef struct fframe {
	uint32_t node, depth;
	int64_t x, w, a, b;
} fframe;

typedef struct fg {
	pprofc_profile *p;
	const frames *f;
	fg_mode mode;
	uint32_t *by_rank;   /* rank -> node */
	uint32_t *node_func; /* node -> a function of it, or NONE */
	const uint32_t *seq; /* digits of all entries */
	fframe *kept;
	size_t nkept, cap_kept;
	size_t dropped; /* frames with a value, too narrow to draw */
	uint32_t maxdepth;
	double minval;	    /* the narrowest value drawn */
	double minwidth_px; /* the same in pixels, for the subtitle */
	int64_t total;	    /* the root's width */
	const char *type, *unit;
	unsigned width;
	double fwidth; /* pixels for the total */
	int icicle;
	int height;
} fg;

static inline int64_t abs_wrap(int64_t v)
{
	return v < 0 ? (int64_t)(0 - (uint64_t)v) : v;
}

/* ---- stacks -> frames ------------------------------------------------- */

static int cmp_entries(const void *a, const void *b, void *ctx)
{
	const uint32_t *seq = ctx;
	const entry *x = a, *y = b;
	uint32_t n = x->len < y->len ? x->len : y->len;
	const uint32_t *dx = seq + x->off, *dy = seq + y->off;
	for (uint32_t i = 0; i < n; i++)
		if (dx[i] != dy[i])
			return dx[i] < dy[i] ? -1 : 1;
	return x->len < y->len ? -1 : x->len > y->len;
}

static int cmp_kept(const void *a, const void *b, void *ctx)
{
	(void)ctx;
	const fframe *x = a, *y = b;
	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return x->x < y->x ? -1 : x->x > y->x;
}

/* A closed frame: drawn when wide enough; its sums go to its parent. */
static bool close_frame(fg *g, fframe *fr, fframe *parent)
{
	if (parent) {
		parent->w = wadd(parent->w, fr->w);
		parent->a = wadd(parent->a, fr->a);
		parent->b = wadd(parent->b, fr->b);
	}
	if (fr->w <= 0)
		return true;
	if ((double)fr->w < g->minval) {
		g->dropped++;
		return true;
	}
	if (!vec_reserve(&g->p->mem, (void **)&g->kept, &g->cap_kept, g->nkept + 1, sizeof(fframe)))
		return false;
	g->kept[g->nkept++] = *fr;
	if (fr->depth > g->maxdepth)
		g->maxdepth = fr->depth;
	return true;
}

/* flamegraph.pl's flow(): entries sorted, identical ones merged. */
static bool walk(fg *g, const entry *e, size_t n, size_t maxlen)
{
	fframe *open = budget_alloc(&g->p->mem, (maxlen + 1) * sizeof(fframe));
	if (!open)
		return false;
	open[0] = (fframe){ NONE, 0, 0, 0, 0, 0 };
	size_t depth = 0; /* open frames below the root */
	int64_t cursor = 0;
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		const uint32_t *d = g->seq + e[i].off;
		size_t k = 0;
		if (i > 0) {
			const uint32_t *pd = g->seq + e[i - 1].off;
			size_t m = e[i - 1].len < e[i].len ? e[i - 1].len : e[i].len;
			while (k < m && pd[k] == d[k])
				k++;
		}
		for (; depth > k && ok; depth--)
			ok = close_frame(g, &open[depth], &open[depth - 1]);
		for (; depth < e[i].len; depth++)
			open[depth + 1] = (fframe){
				g->by_rank[d[depth]], (uint32_t)depth + 1, cursor, 0, 0, 0
			};
		int64_t w = abs_wrap(e[i].a);
		fframe *leaf = &open[depth];
		leaf->w = wadd(leaf->w, w);
		leaf->a = wadd(leaf->a, e[i].a);
		leaf->b = wadd(leaf->b, e[i].b);
		cursor = wadd(cursor, w);
	}
	for (; depth > 0 && ok; depth--)
		ok = close_frame(g, &open[depth], &open[depth - 1]);
	/* The root is drawn whatever the minimum width. */
	if (ok && open[0].w > 0) {
		double keep = g->minval;
		g->minval = 0;
		ok = close_frame(g, &open[0], NULL);
		g->minval = keep;
	}
	g->total = open[0].w;
	budget_free(&g->p->mem, open);
	return ok;
}

/*
 * Per stack: a (the value; in diff mode the value of the samples not from
 * the base) and b (diff mode: the base's value, made positive again).
 */
static pprofc_status stack_sums(fg *g, size_t index, int64_t **ret_a, int64_t **ret_b)
{
	pprofc_profile *p = g->p;
	uint8_t *base = NULL;
	pprofc_status st = profile_diff_base(p, &base);
	if (st != PPROFC_OK)
		return st;
	*ret_a = *ret_b = NULL;
	if (!base)
		return PPROFC_OK;
	g->mode = MODE_DIFF;
	size_t nt = p->nsample_types;
	int64_t *a = budget_alloc(&p->mem, (p->nstacks + 1) * sizeof(int64_t));
	int64_t *b = budget_alloc(&p->mem, (p->nstacks + 1) * sizeof(int64_t));
	if (!a || !b) {
		budget_free(&p->mem, a);
		budget_free(&p->mem, b);
		budget_free(&p->mem, base);
		return set_error(p, PPROFC_ERR_NOMEM, "out of memory for the flame graph");
	}
	memset(a, 0, (p->nstacks + 1) * sizeof(int64_t));
	memset(b, 0, (p->nstacks + 1) * sizeof(int64_t));
	for (size_t i = 0; i < p->nsamples; i++) {
		uint32_t s = p->sample_stack[i];
		int64_t v = p->values[i * nt + index];
		if (base[i])
			b[s] = wadd(b[s], (int64_t)(0 - (uint64_t)v));
		else
			a[s] = wadd(a[s], v);
	}
	budget_free(&p->mem, base);
	*ret_a = a;
	*ret_b = b;
	return PPROFC_OK;
}

/* Names in byte order: a frame's digit is its name's rank (rank[node]);
 * and each node's function, for its colour. */
static bool rank_names(fg *g, uint32_t *rank)
{
	const frames *f = g->f;
	size_t nn = f->nnodes;
	for (uint32_t i = 0; i < nn; i++) {
		g->by_rank[i] = i;
		g->node_func[i] = NONE;
	}
	if (!sort_ctx(&g->p->mem, g->by_rank, nn, sizeof(uint32_t), report_cmp_node_names,
		      (void *)f))
		return false;
	for (uint32_t r = 0; r < nn; r++)
		rank[g->by_rank[r]] = r;
	size_t nframes = g->p->nlocations ? f->loc_off[g->p->nlocations] : 0;
	for (size_t k = nframes; k-- > 0;)
		if (f->frames[k].function != NONE)
			g->node_func[f->frames[k].node] = f->frames[k].function;
	return true;
}

/* One entry per stack with a value (or, in diff mode, a base value), its
 * digits root first into seq; returns how many, *maxlen the most digits. */
static size_t stack_entries(const fg *g, size_t index, const int64_t *sa, const int64_t *sb,
			    const uint32_t *rank, uint32_t *seq, entry *entries, size_t *maxlen)
{
	const pprofc_profile *p = g->p;
	const frames *f = g->f;
	size_t nt = p->nsample_types, nseq = 0, nentries = 0;
	const uint32_t *locs = p->stack_locs, *off = f->loc_off, *fnode = f->frame_node;
	for (uint32_t s = 0; s < p->nstacks; s++) {
		int64_t a = sa ? sa[s] : f->stack_values[(size_t)s * nt + index];
		int64_t b = sb ? sb[s] : 0;
		if (a == 0 && b == 0)
			continue;
		uint32_t *d = seq + nseq;
		size_t n = 0;
		uint32_t lo = p->stack_off[s], hi = p->stack_off[s + 1];
		if (lo == hi)
			d[n++] = rank[f->nostack];
		for (uint32_t j = hi; j-- > lo;)
			for (uint32_t k = off[locs[j] + 1]; k-- > off[locs[j]];)
				d[n++] = rank[fnode[k]];
		entries[nentries++] = (entry){ (uint32_t)nseq, (uint32_t)n, a, b };
		nseq += n;
		if (n > *maxlen)
			*maxlen = n;
	}
	return nentries;
}

/* Stacks that read the same (other addresses, same names) are one, the
 * sorted entries merged; the sum of |value| over them is the width to
 * share out, which sets the narrowest value drawn. Returns how many. */
static size_t merge_entries(fg *g, entry *entries, size_t n, double minwidth)
{
	size_t m = 0;
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++) {
		if (m > 0 && !cmp_entries(&entries[m - 1], &entries[i], (void *)g->seq)) {
			entries[m - 1].a = wadd(entries[m - 1].a, entries[i].a);
			entries[m - 1].b = wadd(entries[m - 1].b, entries[i].b);
		} else {
			entries[m++] = entries[i];
		}
	}
	for (size_t i = 0; i < m; i++) {
		total += (uint64_t)abs_wrap(entries[i].a);
		if (g->mode == MODE_PLAIN && entries[i].a < 0)
			g->mode = MODE_SIGNED;
	}
	g->minval = minwidth < 0 ? 0 : minwidth * (double)total / g->fwidth;
	g->minwidth_px = minwidth;
	return m;
}

/* Builds g->kept: the frames to draw. */
static pprofc_status build(fg *g, size_t index, double minwidth)
{
	pprofc_profile *p = g->p;
	budget *bm = &p->mem;
	const frames *f = g->f;
	size_t nn = f->nnodes;
	int64_t *sa = NULL, *sb = NULL;
	uint32_t *rank = NULL, *seq = NULL;
	entry *entries = NULL;
	size_t cap_seq = 0, cap_entries = 0, maxlen = 1;
	pprofc_status st = stack_sums(g, index, &sa, &sb);
	if (st != PPROFC_OK)
		return st;
	g->by_rank = budget_alloc(bm, (nn + 1) * sizeof(uint32_t));
	g->node_func = budget_alloc(bm, (nn + 1) * sizeof(uint32_t));
	rank = budget_alloc(bm, (nn + 1) * sizeof(uint32_t));
	if (f->total_frames >= UINT32_MAX || !g->by_rank || !g->node_func || !rank ||
	    !vec_reserve(bm, (void **)&seq, &cap_seq, f->total_frames + 1, sizeof(uint32_t)) ||
	    !vec_reserve(bm, (void **)&entries, &cap_entries, p->nstacks + 1, sizeof(entry)) ||
	    !rank_names(g, rank))
		goto nomem;
	size_t n = stack_entries(g, index, sa, sb, rank, seq, entries, &maxlen);
	budget_free_each(bm, sa, sb, rank);
	sa = sb = NULL;
	rank = NULL;
	g->seq = seq;
	if (!sort_ctx(bm, entries, n, sizeof(entry), cmp_entries, seq))
		goto nomem;
	n = merge_entries(g, entries, n, minwidth);
	if (!walk(g, entries, n, maxlen) ||
	    !sort_ctx(bm, g->kept, g->nkept, sizeof(fframe), cmp_kept, NULL))
		goto nomem;
	st = PPROFC_OK;
	goto done;

nomem:
	st = set_error(p, PPROFC_ERR_NOMEM, "out of memory for the flame graph");
done:
	budget_free_each(bm, sa, sb, rank, entries, seq);
	g->seq = NULL;
	return st;
}

/* ---- XML text ----------------------------------------------------------- */

/*
 * A name as XML character data: '&', '<', '>' and quotes as references,
 * control bytes as \xHH (as in the text reports), invalid UTF-8 and the
 * code points XML forbids (U+FFFE, U+FFFF) as U+FFFD. Every piece is a
 * "unit" showing some characters, so truncation never splits one.
 */
static size_t xml_unit(const unsigned char *s, size_t n, const char **text, size_t *tlen,
		       size_t *chars, char esc[8])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c = s[0];
	*chars = 1;
	if (c < 0x20 || c == 0x7f) {
		esc[0] = '\\';
		esc[1] = 'x';
		esc[2] = hex[c >> 4];
		esc[3] = hex[c & 15];
		*text = esc;
		*tlen = 4;
		*chars = 4;
		return 1;
	}
	if (c < 0x80) {
		static const char *const refs[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&#39;" };
		const char *hit = c == '&'    ? refs[0]
				  : c == '<'  ? refs[1]
				  : c == '>'  ? refs[2]
				  : c == '"'  ? refs[3]
				  : c == '\'' ? refs[4]
					      : NULL;
		if (hit) {
			*text = hit;
			*tlen = strlen(hit);
		} else {
			*text = (const char *)s;
			*tlen = 1;
		}
		return 1;
	}
	size_t u = utf8_len(s, n);
	/* U+FFFE and U+FFFF: EF BF BE, EF BF BF */
	if (u == 3 && s[0] == 0xef && s[1] == 0xbf && s[2] >= 0xbe)
		u = 0;
	if (!u) {
		*text = "\xef\xbf\xbd";
		*tlen = 3;
		return 1;
	}
	*text = (const char *)s;
	*tlen = u;
	return u;
}

/* Characters a name shows once escaped. */
static size_t xml_chars(const char *name, size_t len)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t chars = 0, i = 0;
	while (i < len) {
		unsigned char c = s[i];
		if (c >= 0x20 && c < 0x7f) {
			i++;
			chars++;
			continue;
		}
		const char *t;
		size_t tl, ch;
		char esc[8];
		i += xml_unit(s + i, len - i, &t, &tl, &ch, esc);
		chars += ch;
	}
	return chars;
}

/* The name escaped, cut to at most max characters with ".." when longer. */
static void put_xml(out *o, const char *name, size_t len, size_t max)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t limit = SIZE_MAX;
	if (max != SIZE_MAX && xml_chars(name, len) > max)
		limit = max >= 2 ? max - 2 : 0;
	size_t shown = 0, i = 0, run = 0;
	while (i < len) {
		unsigned char c = s[i];
		bool plain = c >= 0x20 && c < 0x7f && c != '&' && c != '<' && c != '>' &&
			     c != '"' && c != '\'';
		if (plain && shown < limit) {
			i++;
			shown++;
			run++;
			continue;
		}
		out_write(o, s + i - run, run);
		run = 0;
		if (shown >= limit)
			break;
		const char *t;
		size_t tl, ch;
		char esc[8];
		size_t used = xml_unit(s + i, len - i, &t, &tl, &ch, esc);
		if (shown + ch > limit)
			break;
		out_write(o, t, tl);
		shown += ch;
		i += used;
	}
	out_write(o, s + i - run, run);
	if (limit != SIZE_MAX)
		out_write(o, "..", 2);
}

static void put_xml_str(out *o, const char *s)
{
	put_xml(o, s, strlen(s), SIZE_MAX);
}

/* ---- colours ------------------------------------------------------------ */

static bool is_hex16(const char *s, size_t n)
{
	if (n < 17 || s[16] != ' ')
		return false;
	for (size_t i = 0; i < 16; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/*
 * The package of a frame's name, the part that picks its hue: a C++ (or
 * Rust) name's first namespace ("std" of "std::sort<...>"), a Go name's
 * import path ("github.com/a/b" of "github.com/a/b.(*T).M"), else, for
 * JavaScript's bare names, the function's module: its node_modules package
 * or its file's directory. Addresses share one colour.
 */
static void package_of(const pprofc_profile *p, const pstr *name, uint32_t fn, const char **ret,
		       size_t *ret_len)
{
	const char *s = name->s;
	size_t n = name->len;
	if (is_hex16(s, n)) { /* --addresses: "00000000004a2b1c main.f file:1" */
		s += 17;
		n -= 17;
	}
	const char *sp = memchr(s, ' ', n); /* the file of --filefunctions, --lines */
	if (sp)
		n = (size_t)(sp - s);
	if (n > 2 && s[0] == '0' && s[1] == 'x') {
		*ret = "0x";
		*ret_len = 2;
		return;
	}
	size_t stop = n; /* arguments, template parameters */
	for (size_t i = 0; i < n; i++)
		if (s[i] == '(' || s[i] == '<') {
			stop = i;
			break;
		}
	for (size_t i = 0; i + 1 < stop; i++)
		if (s[i] == ':' && s[i + 1] == ':') {
			*ret = s;
			*ret_len = i;
			return;
		}
	size_t slash = 0;
	for (size_t i = 0; i < stop; i++)
		if (s[i] == '/')
			slash = i + 1;
	for (size_t i = slash; i < stop; i++)
		if (s[i] == '.' && i > 0) {
			*ret = s;
			*ret_len = i;
			return;
		}
	const pstr *file = fn != NONE ? model_str(p, p->functions[fn].filename) : NULL;
	if (file && file->len) {
		static const char nm[] = "node_modules/";
		const char *f = file->s, *end = f + file->len, *hit = NULL;
		for (const char *q = f; q + sizeof(nm) - 1 <= end; q++)
			if (!memcmp(q, nm, sizeof(nm) - 1))
				hit = q + sizeof(nm) - 1;
		if (hit) {
			const char *e = memchr(hit, '/', (size_t)(end - hit));
			*ret = hit;
			*ret_len = (size_t)((e ? e : end) - hit);
			return;
		}
		const char *last = NULL;
		for (const char *q = f; q < end; q++)
			if (*q == '/')
				last = q;
		*ret = f;
		*ret_len = last ? (size_t)(last - f) : file->len;
		return;
	}
	*ret = s;
	*ret_len = n;
}

typedef struct rgb {
	int r, g, b;
} rgb;

/* flamegraph.pl's "hot" palette, from hashes rather than rand(): red and
 * green (the hue) from the package, a little green and the blue from the
 * function, so neighbours of one package stay apart. */
static rgb hot_colour(const fg *g, const fframe *fr)
{
	static const pstr all = { "all", 3 };
	const pstr *name = fr->node == NONE ? &all : &g->f->nodes[fr->node].name;
	const char *pkg;
	size_t plen;
	package_of(g->p, name, fr->node == NONE ? NONE : g->node_func[fr->node], &pkg, &plen);
	uint64_t hp = hash_bytes(pkg, plen, 0x5eed), hf = hash_bytes(name->s, name->len, 0xf00d);
	int green = (int)((hp >> 8) % 219) + 6 + (int)(hf % 13) - 6;
	return (rgb){ 205 + (int)(hp % 51), green, (int)((hf >> 8) % 56) };
}

/* White to red (grew, positive) or to blue (shrank, negative), by how much
 * of the frame the change is. */
static rgb change_colour(int sign, double ratio)
{
	if (!(ratio > 0))
		ratio = 0;
	if (ratio > 1)
		ratio = 1;
	int c = 235 - (int)lround(190 * ratio);
	if (sign > 0)
		return (rgb){ 255, c, c };
	if (sign < 0)
		return (rgb){ c, c, 255 };
	return (rgb){ 235, 235, 235 };
}

static rgb frame_colour(const fg *g, const fframe *fr)
{
	switch (g->mode) {
	case MODE_SIGNED:
		/* the share of the frame's width its net value is */
		return change_colour(fr->a > 0	 ? 1
				     : fr->a < 0 ? -1
						 : 0,
				     fabs((double)fr->a) / (double)fr->w);
	case MODE_DIFF: {
		double after = fabs((double)fr->a), before = fabs((double)fr->b);
		double big = after > before ? after : before;
		int sign = fr->a > fr->b ? 1 : fr->a < fr->b ? -1 : 0;
		return change_colour(sign, big > 0 ? fabs(after - before) / big : 0);
	}
	case MODE_PLAIN:
		break;
	}
	return hot_colour(g, fr);
}

/* ---- the SVG ------------------------------------------------------------ */

static const char style[] =
	"text { font-family: Verdana, sans-serif; font-size: 12px; fill: #000; }\n"
	"#title { text-anchor: middle; font-size: 17px; }\n"
	"#subtitle { text-anchor: middle; fill: #444; }\n"
	"#unzoom, #search { cursor: pointer; fill: #2a4fbf; }\n"
	"#unzoom:hover, #search:hover { text-decoration: underline; }\n"
	"#frames > g { cursor: pointer; }\n"
	"#frames > g:hover > rect { stroke: #000; stroke-width: 0.5; }\n"
	"#frames text { pointer-events: none; }\n"
	".hide { display: none; }\n"
	".parent { opacity: 0.5; }\n";

/* Static: it reads everything from the document, so no name or option
 * ever becomes script text. */
static const char script[] =
	"'use strict';\n"
	"var fg = document.getElementById('frames');\n"
	"var details = document.getElementById('details');\n"
	"var unzoomBtn = document.getElementById('unzoom');\n"
	"var searchBtn = document.getElementById('search');\n"
	"var matchedText = document.getElementById('matched');\n"
	"var total = Number(fg.getAttribute('data-total'));\n"
	"var xpad = Number(fg.getAttribute('data-xpad'));\n"
	"var fwidth = Number(fg.getAttribute('data-fwidth'));\n"
	"var frameList = Array.prototype.slice.call(fg.children);\n"
	"var searchTerm = null;\n"
	"function num(g, a) { return Number(g.getAttribute(a)); }\n"
	"function frameOf(e) {\n"
	"  for (; e && e !== fg; e = e.parentNode)\n"
	"    if (e.parentNode === fg) return e;\n"
	"  return null;\n"
	"}\n"
	"function nameOf(g) {\n"
	"  var t = g.children[0].textContent, i = t.lastIndexOf(' (');\n"
	"  return i < 0 ? t : t.slice(0, i);\n"
	"}\n"
	"/* the name cut to the frame's width, as the writer does */\n"
	"function fitText(g) {\n"
	"  var r = g.children[1], t = g.children[2], w = Number(r.getAttribute('width'));\n"
	"  t.setAttribute('x', (Number(r.getAttribute('x')) + 3).toFixed(2));\n"
	"  var chars = Math.floor((w - 3) / (12 * 0.59)), name = nameOf(g), shown = '';\n"
	"  if (chars >= 3) {\n"
	"    var cps = Array.from(name.length > 2 * chars ? name.slice(0, 2 * chars) : name);\n"
	"    shown = cps.length <= chars && name.length <= 2 * chars ? name :\n"
	"      cps.slice(0, chars - 2).join('') + '..';\n"
	"  }\n"
	"  t.textContent = shown;\n"
	"}\n"
	"function place(g, x, w) {\n"
	"  g.children[1].setAttribute('x', x.toFixed(2));\n"
	"  g.children[1].setAttribute('width', w.toFixed(2));\n"
	"  fitText(g);\n"
	"}\n"
	"/* node full width; its ancestors stay, dimmed; the rest is hidden */\n"
	"function zoom(node) {\n"
	"  var x = num(node, 'data-x'), v = num(node, 'data-v'), d = num(node, 'data-d');\n"
	"  if (d === 0) { unzoom(); return; }\n"
	"  var scale = fwidth / v;\n"
	"  frameList.forEach(function (g) {\n"
	"    var gx = num(g, 'data-x'), gv = num(g, 'data-v'), gd = num(g, 'data-d');\n"
	"    g.classList.remove('hide');\n"
	"    g.classList.remove('parent');\n"
	"    if (gd < d && gx <= x && gx + gv >= x + v) {\n"
	"      g.classList.add('parent');\n"
	"      place(g, xpad, fwidth);\n"
	"    } else if (gd >= d && gx >= x && gx + gv <= x + v) {\n"
	"      place(g, xpad + (gx - x) * scale, gv * scale);\n"
	"    } else {\n"
	"      g.classList.add('hide');\n"
	"    }\n"
	"  });\n"
	"  unzoomBtn.classList.remove('hide');\n"
	"}\n"
	"function unzoom() {\n"
	"  var scale = fwidth / total;\n"
	"  frameList.forEach(function (g) {\n"
	"    g.classList.remove('hide');\n"
	"    g.classList.remove('parent');\n"
	"    place(g, xpad + num(g, 'data-x') * scale, num(g, 'data-v') * scale);\n"
	"  });\n"
	"  unzoomBtn.classList.add('hide');\n"
	"}\n"
	"/* highlights the frames whose name matches; returns the value they\n"
	"   cover (nested matches counted once), -1 for a bad expression */\n"
	"function search(term) {\n"
	"  var re;\n"
	"  try { re = new RegExp(term); } catch (err) {\n"
	"    matchedText.textContent = 'Invalid regular expression';\n"
	"    return -1;\n"
	"  }\n"
	"  var hits = [];\n"
	"  frameList.forEach(function (g) {\n"
	"    var r = g.children[1];\n"
	"    if (!g.hasAttribute('data-fill')) g.setAttribute('data-fill', "
	"r.getAttribute('fill'));\n"
	"    if (re.test(nameOf(g))) {\n"
	"      r.setAttribute('fill', 'rgb(230,0,230)');\n"
	"      hits.push([num(g, 'data-x'), num(g, 'data-v')]);\n"
	"    } else {\n"
	"      r.setAttribute('fill', g.getAttribute('data-fill'));\n"
	"    }\n"
	"  });\n"
	"  hits.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });\n"
	"  var sum = 0, end = -1;\n"
	"  hits.forEach(function (h) {\n"
	"    if (h[0] >= end) { sum += h[1]; end = h[0] + h[1]; }\n"
	"  });\n"
	"  searchTerm = term;\n"
	"  searchBtn.textContent = 'Reset Search';\n"
	"  matchedText.textContent = 'Matched: ' + (total > 0 ? (100 * sum / total).toFixed(2) : "
	"'0') + '%';\n"
	"  return sum;\n"
	"}\n"
	"function resetSearch() {\n"
	"  frameList.forEach(function (g) {\n"
	"    if (g.hasAttribute('data-fill'))\n"
	"      g.children[1].setAttribute('fill', g.getAttribute('data-fill'));\n"
	"  });\n"
	"  searchTerm = null;\n"
	"  searchBtn.textContent = 'Search';\n"
	"  matchedText.textContent = ' ';\n"
	"}\n"
	"function askSearch() {\n"
	"  var term = window.prompt('Search for (regular expression):', searchTerm || '');\n"
	"  if (term) search(term);\n"
	"}\n"
	"document.addEventListener('click', function (e) {\n"
	"  var g = frameOf(e.target);\n"
	"  if (g) zoom(g);\n"
	"  else if (e.target === unzoomBtn) unzoom();\n"
	"  else if (e.target === searchBtn) { if (searchTerm === null) askSearch(); else "
	"resetSearch(); }\n"
	"});\n"
	"document.addEventListener('mouseover', function (e) {\n"
	"  var g = frameOf(e.target);\n"
	"  details.textContent = g ? g.children[0].textContent : ' ';\n"
	"});\n"
	"document.addEventListener('keydown', function (e) {\n"
	"  if (e.keyCode === 114 || ((e.ctrlKey || e.metaKey) && (e.key === 'f' || e.key === "
	"'F'))) {\n"
	"    e.preventDefault();\n"
	"    askSearch();\n"
	"  } else if (e.key === 'Escape') {\n"
	"    resetSearch();\n"
	"    unzoom();\n"
	"  }\n"
	"});\n"
	"var s = new URLSearchParams(document.location.search).get('s');\n"
	"if (s) search(s);\n";

/* A value in the sample's unit: "1.10s", "12MB", or "110 samples". */
static void put_value(out *o, const fg *g, int64_t v, bool sign)
{
	char buf[64];
	const char *u;
	units_scale(v, g->unit, "auto", &u);
	units_label(buf, sizeof(buf), v, g->unit, "auto");
	if (sign && v > 0)
		out_char(o, '+');
	out_str(o, buf);
	/* A count: the type says what of ("samples", "contentions"). The
	 * script finds the name before the last " (", so none in here. */
	if (!*u && !strchr(g->type, '(')) {
		out_char(o, ' ');
		put_xml_str(o, g->type);
	}
}

static void put_percent(out *o, int64_t v, int64_t total)
{
	char buf[32];
	units_percent(buf, sizeof(buf), v, total);
	const char *s = buf;
	while (*s == ' ')
		s++;
	out_str(o, s);
}

static void put_tooltip(out *o, const fg *g, const fframe *fr)
{
	out_str(o, " (");
	switch (g->mode) {
	case MODE_PLAIN:
		put_value(o, g, fr->a, false);
		out_str(o, ", ");
		put_percent(o, fr->w, g->total);
		break;
	case MODE_SIGNED:
		out_str(o, "net ");
		put_value(o, g, fr->a, true);
		out_str(o, ", ");
		put_percent(o, fr->w, g->total);
		break;
	case MODE_DIFF: {
		int64_t delta = (int64_t)((uint64_t)fr->a - (uint64_t)fr->b);
		out_str(o, "after ");
		put_value(o, g, fr->a, false);
		out_str(o, ", ");
		put_percent(o, fr->w, g->total);
		out_str(o, "; before ");
		put_value(o, g, fr->b, false);
		out_str(o, "; delta ");
		put_value(o, g, delta, true);
		if (fr->b != 0)
			out_fmt(o, ", %+.2f%%", 100.0 * (double)delta / fabs((double)fr->b));
		else if (delta != 0)
			out_str(o, ", new");
		break;
	}
	}
	out_char(o, ')');
}

static void write_frame(out *o, const fg *g, const fframe *fr)
{
	static const pstr all = { "all", 3 };
	const pstr *name = fr->node == NONE ? &all : &g->f->nodes[fr->node].name;
	double scale = g->fwidth / (double)g->total;
	double x = XPAD + (double)fr->x * scale, w = (double)fr->w * scale;
	int y = g->icicle ? YPAD_TOP + (int)fr->depth * FRAME_H
			  : g->height - YPAD_BOTTOM - ((int)fr->depth + 1) * FRAME_H + 1;
	rgb c = frame_colour(g, fr);
	out_fmt(o, "<g data-d=\"%" PRIu32 "\" data-x=\"%" PRId64 "\" data-v=\"%" PRId64 "\"",
		fr->depth, fr->x, fr->w);
	if (g->mode != MODE_PLAIN)
		out_fmt(o, " data-a=\"%" PRId64 "\"", fr->a);
	if (g->mode == MODE_DIFF)
		out_fmt(o, " data-b=\"%" PRId64 "\"", fr->b);
	out_str(o, "><title>");
	put_xml(o, name->s, name->len, SIZE_MAX);
	put_tooltip(o, g, fr);
	out_fmt(o,
		"</title><rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" "
		"fill=\"rgb(%d,%d,%d)\" rx=\"2\" ry=\"2\"/><text x=\"%.2f\" y=\"%.1f\">",
		x, y, w, FRAME_H - 1, c.r, c.g, c.b, x + 3, y + (FRAME_H - 1) / 2.0 + 4.5);
	double room = (w - 3) / (FONT_SIZE * FONT_WIDTH);
	if (room >= 3)
		put_xml(o, name->s, name->len, (size_t)room);
	out_str(o, "</text></g>\n");
}

static void write_subtitle(out *o, const fg *g)
{
	put_xml_str(o, g->type);
	switch (g->mode) {
	case MODE_PLAIN:
		out_str(o, ", total ");
		put_value(o, g, g->total, false);
		break;
	case MODE_SIGNED:
		out_str(o, " with negative values: width |net| of each stack; red positive, "
			   "blue negative");
		break;
	case MODE_DIFF:
		out_str(o, " against the base: width after; red grew, blue shrank");
		break;
	}
	if (g->dropped)
		out_fmt(o, "; %zu frames narrower than %g px not drawn", g->dropped,
			g->minwidth_px);
}

static void write_svg(out *o, const fg *g, const char *title)
{
	unsigned w = g->width;
	out_str(o, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
	out_fmt(o,
		"<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" "
		"height=\"%d\" viewBox=\"0 0 %u %d\">\n",
		w, g->height, w, g->height);
	out_str(o, "<!-- Flame graph written by pprofc " PPROFC_VERSION
		   ". Click a frame to zoom, Ctrl-F to search. -->\n");
	out_str(o, "<defs><linearGradient id=\"background\" y1=\"0\" y2=\"1\" x1=\"0\" x2=\"0\">"
		   "<stop stop-color=\"#eeeeee\" offset=\"5%\"/>"
		   "<stop stop-color=\"#eeeeb0\" offset=\"95%\"/></linearGradient></defs>\n");
	out_str(o, "<style type=\"text/css\"><![CDATA[\n");
	out_str(o, style);
	out_str(o, "]]></style>\n");
	out_fmt(o, "<rect x=\"0\" y=\"0\" width=\"%u\" height=\"%d\" fill=\"url(#background)\"/>\n",
		w, g->height);
	out_fmt(o, "<text id=\"title\" x=\"%.1f\" y=\"24\">", w / 2.0);
	put_xml_str(o, title);
	out_fmt(o, "</text>\n<text id=\"subtitle\" x=\"%.1f\" y=\"42\">", w / 2.0);
	write_subtitle(o, g);
	out_str(o, "</text>\n");
	out_fmt(o, "<text id=\"unzoom\" class=\"hide\" x=\"%d\" y=\"24\">Reset Zoom</text>\n",
		XPAD);
	out_fmt(o, "<text id=\"search\" x=\"%u\" y=\"24\">Search</text>\n", w - XPAD - 100);
	out_fmt(o, "<text id=\"details\" x=\"%d\" y=\"%d\"> </text>\n", XPAD,
		g->height - YPAD_BOTTOM / 2);
	out_fmt(o, "<text id=\"matched\" x=\"%u\" y=\"%d\"> </text>\n", w - XPAD - 100,
		g->height - YPAD_BOTTOM / 2);
	out_fmt(o,
		"<g id=\"frames\" data-total=\"%" PRId64 "\" data-xpad=\"%d\" data-fwidth=\"%.2f\" "
		"data-icicle=\"%d\">\n",
		g->total, XPAD, g->fwidth, g->icicle ? 1 : 0);
	for (size_t i = 0; i < g->nkept && !o->failed; i++)
		write_frame(o, g, &g->kept[i]);
	out_str(o, "</g>\n");
	if (!g->nkept)
		out_fmt(o,
			"<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">No samples with a value"
			"</text>\n",
			w / 2.0, YPAD_TOP + FRAME_H);
	out_str(o, "<script type=\"text/ecmascript\"><![CDATA[\n");
	out_str(o, script);
	out_str(o, "]]></script>\n</svg>\n");
}

static pprofc_status write_flamegraph(writer *w, const void *ctx)
{
	const pprofc_flamegraph_options *opt = ctx;
	unsigned width = opt->width ? opt->width : DEFAULT_WIDTH;
	fg g = { .p = w->p,
		 .f = &w->f,
		 .width = width,
		 .fwidth = width - 2 * XPAD,
		 .icicle = opt->icicle,
		 .type = w->type,
		 .unit = w->sunit };
	pprofc_status st =
		build(&g, w->index, opt->minwidth == 0 ? DEFAULT_MINWIDTH : opt->minwidth);
	if (st == PPROFC_OK) {
		g.height = ((int)g.maxdepth + 1) * FRAME_H + YPAD_TOP + YPAD_BOTTOM;
		const char *title = opt->title	  ? opt->title
				    : opt->icicle ? "Icicle Graph"
						  : "Flame Graph";
		write_svg(w->o, &g, title);
	}
	budget_free_each(w->b, g.kept, g.by_rank, g.node_func);
	return st;
}

pprofc_status pprofc_write_flamegraph(pprofc_profile *p, const pprofc_flamegraph_options *opt,
				      const pprofc_sink *sink)
{
	WRITER_OPTIONS(pprofc_flamegraph_options, o, p, opt);
	unsigned width = o.width ? o.width : DEFAULT_WIDTH;
	if (width < 100 || width > 100000)
		return set_error(p, PPROFC_ERR_USAGE, "width %u out of range (100 to 100000)",
				 width);
	if (isnan(o.minwidth))
		return set_error(p, PPROFC_ERR_USAGE, "invalid minimum width");
	return writer_run(p, o.sample_index, WRITER_FRAMES, "the flame graph", sink,
			  write_flamegraph, &o);
}
