/*
 * frames: turn locations into the frames that reports are about, and sum
 * the samples per distinct stack.
 *
 * A location expands to one frame per line, innermost first (the last line
 * is the function the others were inlined into); a location without lines
 * is one frame named 0x<address>; a sample without any location is one
 * frame named "[no stack]", so every output adds up to the profile's total.
 * Frames of the same name share a node: the row of `top`, the frame of a
 * folded stack. Names follow the granularity (pprof's -functions by
 * default, or -filefunctions, -files, -lines, -addresses), and -noinlines
 * keeps each location's last line only.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "view/view.h"

typedef struct name_map {
	uint32_t *slots; /* node + 1 */
	size_t mask;
} name_map;

static uint32_t intern_node(frames *f, name_map *m, const char *s, size_t len)
{
	uint64_t h = hash_bytes(s, len, 7);
	size_t i = h & m->mask;
	for (;; i = (i + 1) & m->mask) {
		uint32_t nid = m->slots[i];
		if (!nid)
			break;
		const node *n = &f->nodes[nid - 1];
		if (n->name.len == len && !memcmp(n->name.s, s, len))
			return nid - 1;
	}
	uint32_t id = (uint32_t)f->nnodes++;
	f->nodes[id].name.s = s;
	f->nodes[id].name.len = (uint32_t)len;
	m->slots[i] = id + 1;
	return id;
}

/* Storage for names built per frame: blocks never move, so nodes can point
 * into them. */
typedef struct name_block {
	struct name_block *next;
	size_t used, size;
	char data[];
} name_block;

static char *name_store(frames *f, const char *s, size_t len)
{
	name_block *b = f->blocks;
	if (!b || b->size - b->used < len + 1) {
		size_t size = len + 1 > 65536 ? len + 1 : 65536;
		b = budget_alloc(f->mem, sizeof(name_block) + size);
		if (!b)
			return NULL;
		b->next = f->blocks;
		b->used = 0;
		b->size = size;
		f->blocks = b;
	}
	char *d = b->data + b->used;
	memcpy(d, s, len);
	d[len] = '\0';
	b->used += len + 1;
	return d;
}

size_t path_clean(const char *path, size_t n, char *dst)
{
	size_t w = 0, r = 0, dotdot = 0;
	bool rooted = n && path[0] == '/';
	if (rooted) {
		dst[w++] = '/';
		r = dotdot = 1;
	}
	while (r < n) {
		if (path[r] == '/') {
			r++;
		} else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/')) {
			r++;
		} else if (path[r] == '.' && path[r + 1] == '.' &&
			   (r + 2 == n || path[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && dst[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					dst[w++] = '/';
				dst[w++] = '.';
				dst[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				dst[w++] = '/';
			for (; r < n && path[r] != '/'; r++)
				dst[w++] = path[r];
		}
	}
	if (w == 0)
		dst[w++] = '.';
	return w;
}

static const char *base_name(const pstr *path, size_t *len)
{
	const char *s = path->s, *e = s + path->len;
	while (e > s && e[-1] == '/')
		e--;
	const char *b = e;
	while (b > s && b[-1] != '/')
		b--;
	*len = (size_t)(e - b);
	return b;
}

/* A function's display name: its name, else its system name. */
static const pstr *function_name(const pprofc_profile *p, const function *fn)
{
	static const pstr unknown = { "[unknown]", 9 };
	const pstr *name = model_str(p, fn->name);
	if (!name->len)
		name = model_str(p, fn->system_name);
	return name->len ? name : &unknown;
}

/*
 * A frame's name at granularity g, as pprof's NodeInfo.NameComponents
 * joined by spaces: [%016x address] [function] [file:line | file |
 * [mapping base] | <unknown>]. Lineless locations at granularities other
 * than addresses keep pprofc's "0x<address>" name.
 */
static size_t frame_name(const pprofc_profile *p, pprofc_granularity g, const location *l,
			 const line *ln, char *dst)
{
	size_t n = 0;
	if (g == PPROFC_GRANULARITY_ADDRESSES && l->address)
		n += (size_t)sprintf(dst, "%016" PRIx64, l->address);
	const pstr *file = NULL;
	int64_t lineno = 0;
	if (ln) {
		const function *fn = &p->functions[ln->function];
		if (g != PPROFC_GRANULARITY_FILES) {
			const pstr *name = function_name(p, fn);
			if (n)
				dst[n++] = ' ';
			memcpy(dst + n, name->s, name->len);
			n += name->len;
		}
		if (g != PPROFC_GRANULARITY_FUNCTIONS && model_str(p, fn->filename)->len)
			file = model_str(p, fn->filename);
		if (g == PPROFC_GRANULARITY_LINES || g == PPROFC_GRANULARITY_ADDRESSES)
			lineno = ln->line;
		if (file || lineno) {
			if (n)
				dst[n++] = ' ';
			if (file)
				n += path_clean(file->s, file->len, dst + n);
			if (lineno)
				n += (size_t)sprintf(dst + n, ":%" PRId64, lineno);
			return n;
		}
		if (g != PPROFC_GRANULARITY_FILES)
			return n;
	}
	/* No function (or, for files, no file): the mapping's base name. */
	const pstr *obj = l->mapping != NONE && l->mapping < p->nmappings
				  ? model_str(p, p->mappings[l->mapping].filename)
				  : NULL;
	if (n)
		dst[n++] = ' ';
	if (obj && obj->len) {
		size_t blen;
		const char *b = base_name(obj, &blen);
		dst[n++] = '[';
		memcpy(dst + n, b, blen);
		n += blen;
		dst[n++] = ']';
	} else {
		memcpy(dst + n, "<unknown>", 9);
		n += 9;
	}
	return n;
}

pprofc_status frames_build(pprofc_profile *p, frames *f)
{
	return frames_build_at(p, f, p->granularity);
}

/* What building the frames of a profile at one granularity works with. */
typedef struct fbuild {
	pprofc_profile *p;
	frames *f;
	pprofc_granularity g;
	/* Functions (the default) name nodes per function, once; the others
	 * per frame. noinl (-noinlines) keeps each location's last line. */
	bool per_frame, noinl;
	size_t nframes, nlineless, longest;
	name_map m;
	char *scratch; /* a name being built, per frame */
} fbuild;

/* Sizes from the locations: their frames, those without lines, and (per
 * frame) the longest function name and file, or mapping file, a name is
 * built from. */
static void count_frames(fbuild *fb)
{
	const pprofc_profile *p = fb->p;
	for (size_t i = 0; i < p->nlocations; i++) {
		uint32_t nl = p->locations[i].nlines;
		fb->nframes += nl ? (fb->noinl ? 1 : nl) : 1;
		fb->nlineless += nl == 0;
		if (fb->per_frame)
			for (uint32_t j = 0; j < nl; j++) {
				const line *ln = &p->lines[p->locations[i].line_off + j];
				const function *fn = &p->functions[ln->function];
				size_t len = (size_t)function_name(p, fn)->len +
					     model_str(p, fn->filename)->len;
				if (len > fb->longest)
					fb->longest = len;
			}
	}
	for (size_t i = 0; fb->per_frame && i < p->nmappings; i++)
		if (model_str(p, p->mappings[i].filename)->len > fb->longest)
			fb->longest = model_str(p, p->mappings[i].filename)->len;
}

/* The tables, and the name map sized for every node there may be: every
 * function, lineless location and [no stack]; per frame, every frame. */
static bool alloc_frames(fbuild *fb)
{
	pprofc_profile *p = fb->p;
	frames *f = fb->f;
	size_t maxnodes = (fb->per_frame ? fb->nframes : p->nfunctions + fb->nlineless) + 1;
	size_t slots = 16;
	while (slots < 2 * maxnodes)
		slots *= 2;
	fb->m.mask = slots - 1;
	f->nodes = budget_alloc(&p->mem, maxnodes * sizeof(node));
	f->frames = budget_alloc(&p->mem, (fb->nframes + 1) * sizeof(frame));
	f->frame_node = budget_alloc(&p->mem, (fb->nframes + 1) * sizeof(uint32_t));
	f->loc_off = budget_alloc(&p->mem, (p->nlocations + 1) * sizeof(uint32_t));
	f->func_node = budget_alloc(&p->mem, (p->nfunctions + 1) * sizeof(uint32_t));
	f->names = budget_alloc(&p->mem, fb->nlineless * 20 + 1);
	fb->m.slots = budget_alloc(&p->mem, slots * sizeof(uint32_t));
	/* address, separators, ":" line, brackets: 64 is ample */
	fb->scratch = fb->per_frame ? budget_alloc(&p->mem, fb->longest + 64) : NULL;
	if (!f->nodes || !f->frames || !f->frame_node || !f->loc_off || !f->func_node ||
	    !f->names || !fb->m.slots || (fb->per_frame && !fb->scratch))
		return false;
	memset(fb->m.slots, 0, slots * sizeof(uint32_t));
	return true;
}

/* What only building needed: the name map and the scratch name. */
static void fbuild_free(fbuild *fb)
{
	budget_free_each(&fb->p->mem, fb->m.slots, fb->scratch);
}

/* Per function (the default granularity), its node; NONE per frame. */
static void name_functions(fbuild *fb)
{
	const pprofc_profile *p = fb->p;
	for (size_t i = 0; i < p->nfunctions; i++) {
		if (fb->per_frame) {
			fb->f->func_node[i] = NONE;
			continue;
		}
		const pstr *name = function_name(p, &p->functions[i]);
		fb->f->func_node[i] = intern_node(fb->f, &fb->m, name->s, name->len);
	}
}

/* The node of the name built in fb->scratch (len bytes), the name moved
 * to lasting storage when the node is new; NONE when out of memory. */
static uint32_t intern_built(fbuild *fb, size_t len)
{
	frames *f = fb->f;
	uint32_t nid = intern_node(f, &fb->m, fb->scratch, len);
	if (f->nodes[nid].name.s == fb->scratch &&
	    !(f->nodes[nid].name.s = name_store(f, fb->scratch, len)))
		return NONE;
	return nid;
}

/* A lineless location's frame at granularities other than addresses: named
 * 0x<address> in f->names (room for every lineless location), which *nw
 * moves along when the name is new. */
static frame address_frame(fbuild *fb, const location *l, char **nw)
{
	int w = snprintf(*nw, 20, "0x%" PRIx64, l->address);
	uint32_t nid = intern_node(fb->f, &fb->m, *nw, (size_t)w);
	if (fb->f->nodes[nid].name.s == *nw)
		*nw += w + 1;
	return (frame){ nid, NONE, 0 };
}

/* Every location's frames, innermost first, with their nodes; then the
 * node of [no stack]. false when out of memory. */
static bool name_locations(fbuild *fb)
{
	pprofc_profile *p = fb->p;
	frames *f = fb->f;
	char *nw = f->names;
	size_t k = 0;
	for (size_t i = 0; i < p->nlocations; i++) {
		const location *l = &p->locations[i];
		f->loc_off[i] = (uint32_t)k;
		if (!l->nlines && fb->g != PPROFC_GRANULARITY_ADDRESSES) {
			f->frames[k++] = address_frame(fb, l, &nw);
			continue;
		}
		if (!l->nlines) {
			uint32_t nid = intern_built(fb, frame_name(p, fb->g, l, NULL, fb->scratch));
			if (nid == NONE)
				return false;
			f->frames[k++] = (frame){ nid, NONE, 0 };
			continue;
		}
		for (uint32_t j = fb->noinl ? l->nlines - 1 : 0; j < l->nlines; j++) {
			const line *ln = &p->lines[l->line_off + j];
			uint32_t nid =
				fb->per_frame
					? intern_built(fb, frame_name(p, fb->g, l, ln, fb->scratch))
					: f->func_node[ln->function];
			if (nid == NONE)
				return false;
			f->frames[k++] = (frame){ nid, ln->function, ln->line };
		}
	}
	f->loc_off[p->nlocations] = (uint32_t)k;
	for (size_t j = 0; j < k; j++)
		f->frame_node[j] = f->frames[j].node;
	f->nostack = intern_node(f, &fb->m, "[no stack]", 10);
	return true;
}

/* Per-stack sums, so writers visit each distinct stack once rather than
 * each sample. */
static bool sum_stacks(pprofc_profile *p, frames *f)
{
	size_t nt = p->nsample_types;
	f->stack_values = budget_alloc(&p->mem, (p->nstacks * nt + 1) * sizeof(int64_t));
	f->stack_count = budget_alloc(&p->mem, (p->nstacks + 1) * sizeof(uint64_t));
	if (!f->stack_values || !f->stack_count)
		return false;
	memset(f->stack_values, 0, (p->nstacks * nt + 1) * sizeof(int64_t));
	memset(f->stack_count, 0, (p->nstacks + 1) * sizeof(uint64_t));
	for (size_t i = 0; i < p->nsamples; i++) {
		uint32_t s = p->sample_stack[i];
		const int64_t *v = p->values + i * nt;
		int64_t *dst = f->stack_values + (size_t)s * nt;
		bool nonzero = false;
		for (size_t t = 0; t < nt; t++) {
			dst[t] = wadd(dst[t], v[t]);
			nonzero |= v[t] != 0;
		}
		f->stack_count[s] += nonzero;
	}
	return true;
}

/*
 * The deepest expansion, which bounds every writer's scratch buffer, and
 * the frames of all stacks. Every location has a frame, so a stack expands
 * to its length plus its locations' inlined frames. Those are looked up in
 * a byte per location rather than in loc_off: this walks every location of
 * every stack, and a table a quarter of the size stays in the cache. When
 * no location has inlined frames, there is nothing to look up.
 */
static bool measure_depth(pprofc_profile *p, frames *f)
{
	f->max_depth = 1;
	f->total_frames = 0;
	unsigned char *extra = NULL;
	for (size_t li = 0; li < p->nlocations; li++) {
		uint32_t n = f->loc_off[li + 1] - f->loc_off[li] - 1;
		if (n && !extra) {
			if (!(extra = budget_alloc(&p->mem, p->nlocations + 1)))
				return false;
			memset(extra, 0, li);
		}
		if (extra)
			extra[li] = n < 255 ? (unsigned char)n : 255; /* 255: look it up */
	}
	for (size_t s = 0; s < p->nstacks; s++) {
		size_t d = p->stack_off[s + 1] - p->stack_off[s];
		for (uint32_t j = p->stack_off[s]; extra && j < p->stack_off[s + 1]; j++) {
			uint32_t li = p->stack_locs[j];
			d += extra[li] < 255 ? extra[li] : f->loc_off[li + 1] - f->loc_off[li] - 1;
		}
		if (d > f->max_depth)
			f->max_depth = d;
		f->total_frames += d ? d : 1;
	}
	budget_free(&p->mem, extra);
	return true;
}

pprofc_status frames_build_at(pprofc_profile *p, frames *f, pprofc_granularity g)
{
	memset(f, 0, sizeof(*f));
	f->mem = &p->mem;
	fbuild fb = { .p = p,
		      .f = f,
		      .g = g,
		      .per_frame = g != PPROFC_GRANULARITY_FUNCTIONS,
		      .noinl = p->noinlines };
	count_frames(&fb);
	const char *nomem = NULL;
	if (!alloc_frames(&fb)) {
		nomem = "out of memory for frames";
	} else {
		name_functions(&fb);
		if (!name_locations(&fb))
			nomem = "out of memory for frame names";
	}
	fbuild_free(&fb);
	if (!nomem && !sum_stacks(p, f))
		nomem = "out of memory for stack sums";
	if (!nomem && !measure_depth(p, f))
		nomem = "out of memory for frames";
	if (!nomem)
		return PPROFC_OK;
	frames_finish(f);
	return set_error(p, PPROFC_ERR_NOMEM, "%s", nomem);
}

pprofc_status frames_begin(pprofc_profile *p, size_t index, frames *f)
{
	if (index >= p->nsample_types)
		return set_error(p, PPROFC_ERR_USAGE, "sample index %zu out of range", index);
	return frames_build(p, f);
}

void frames_finish(frames *f)
{
	/* The budget's count is only read while loading; plain sizes here
	 * keep it roughly right for a later writer. */
	budget *b = f->mem;
	if (!b)
		return;
	budget_free_each(b, f->nodes, f->frames, f->frame_node, f->loc_off, f->func_node, f->names,
			 f->stack_values, f->stack_count);
	while (f->blocks) {
		name_block *next = f->blocks->next;
		budget_free(b, f->blocks);
		f->blocks = next;
	}
	memset(f, 0, sizeof(*f));
}

size_t frames_expand(const pprofc_profile *p, const frames *f, uint32_t s, frame *dst)
{
	uint32_t begin = p->stack_off[s], end = p->stack_off[s + 1];
	if (begin == end) {
		dst[0] = (frame){ f->nostack, NONE, 0 };
		return 1;
	}
	size_t n = 0;
	/* Root first: the last location, and within a location its last
	 * line (the caller the others were inlined into). */
	for (uint32_t j = end; j-- > begin;) {
		uint32_t li = p->stack_locs[j];
		for (uint32_t k = f->loc_off[li + 1]; k-- > f->loc_off[li];)
			dst[n++] = f->frames[k];
	}
	return n;
}
