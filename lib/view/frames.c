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

pprofc_status frames_build_at(pprofc_profile *p, frames *f, pprofc_granularity g)
{
	memset(f, 0, sizeof(*f));
	f->mem = &p->mem;
	/* Functions (the default) name nodes per function, once; the others
	 * per frame. -noinlines keeps each location's last line only. */
	bool per_frame = g != PPROFC_GRANULARITY_FUNCTIONS;
	bool noinl = p->noinlines;

	size_t nframes = 0, nlineless = 0, longest = 0;
	for (size_t i = 0; i < p->nlocations; i++) {
		uint32_t nl = p->locations[i].nlines;
		nframes += nl ? (noinl ? 1 : nl) : 1;
		nlineless += nl == 0;
		if (per_frame)
			for (uint32_t j = 0; j < nl; j++) {
				const line *ln = &p->lines[p->locations[i].line_off + j];
				const function *fn = &p->functions[ln->function];
				size_t len = (size_t)function_name(p, fn)->len +
					     model_str(p, fn->filename)->len;
				if (len > longest)
					longest = len;
			}
	}
	for (size_t i = 0; per_frame && i < p->nmappings; i++)
		if (model_str(p, p->mappings[i].filename)->len > longest)
			longest = model_str(p, p->mappings[i].filename)->len;
	/* Every function, lineless location and [no stack] may be a node;
	 * per frame, every frame. */
	size_t maxnodes = (per_frame ? nframes : p->nfunctions + nlineless) + 1;
	size_t slots = 16;
	while (slots < 2 * maxnodes)
		slots *= 2;
	name_map m = { .mask = slots - 1 };

	size_t names_size = nlineless * 20 + 1;
	f->nodes = budget_alloc(&p->mem, maxnodes * sizeof(node));
	f->frames = budget_alloc(&p->mem, (nframes + 1) * sizeof(frame));
	f->frame_node = budget_alloc(&p->mem, (nframes + 1) * sizeof(uint32_t));
	f->loc_off = budget_alloc(&p->mem, (p->nlocations + 1) * sizeof(uint32_t));
	f->func_node = budget_alloc(&p->mem, (p->nfunctions + 1) * sizeof(uint32_t));
	f->names = budget_alloc(&p->mem, names_size);
	m.slots = budget_alloc(&p->mem, slots * sizeof(uint32_t));
	/* address, separators, ":" line, brackets: 64 is ample */
	char *scratch = per_frame ? budget_alloc(&p->mem, longest + 64) : NULL;
	if (!f->nodes || !f->frames || !f->frame_node || !f->loc_off || !f->func_node ||
	    !f->names || !m.slots || (per_frame && !scratch)) {
		budget_free(&p->mem, m.slots);
		budget_free(&p->mem, scratch);
		frames_finish(f);
		return set_error(p, PPROFC_ERR_NOMEM, "out of memory for frames");
	}
	memset(m.slots, 0, slots * sizeof(uint32_t));

	for (size_t i = 0; i < p->nfunctions; i++) {
		if (per_frame) {
			f->func_node[i] = NONE;
			continue;
		}
		const pstr *name = function_name(p, &p->functions[i]);
		f->func_node[i] = intern_node(f, &m, name->s, name->len);
	}

	char *nw = f->names;
	size_t k = 0;
	for (size_t i = 0; i < p->nlocations; i++) {
		const location *l = &p->locations[i];
		f->loc_off[i] = (uint32_t)k;
		if (!l->nlines && g != PPROFC_GRANULARITY_ADDRESSES) {
			int w = snprintf(nw, 20, "0x%" PRIx64, l->address);
			uint32_t nid = intern_node(f, &m, nw, (size_t)w);
			if (f->nodes[nid].name.s == nw)
				nw += w + 1;
			f->frames[k++] = (frame){ nid, NONE, 0 };
			continue;
		}
		if (!l->nlines) {
			size_t len = frame_name(p, g, l, NULL, scratch);
			uint32_t nid = intern_node(f, &m, scratch, len);
			if (f->nodes[nid].name.s == scratch &&
			    !(f->nodes[nid].name.s = name_store(f, scratch, len)))
				goto nomem;
			f->frames[k++] = (frame){ nid, NONE, 0 };
			continue;
		}
		for (uint32_t j = noinl ? l->nlines - 1 : 0; j < l->nlines; j++) {
			const line *ln = &p->lines[l->line_off + j];
			uint32_t nid;
			if (per_frame) {
				size_t len = frame_name(p, g, l, ln, scratch);
				nid = intern_node(f, &m, scratch, len);
				if (f->nodes[nid].name.s == scratch &&
				    !(f->nodes[nid].name.s = name_store(f, scratch, len)))
					goto nomem;
			} else {
				nid = f->func_node[ln->function];
			}
			f->frames[k++] = (frame){ nid, ln->function, ln->line };
		}
	}
	f->loc_off[p->nlocations] = (uint32_t)k;
	for (size_t j = 0; j < k; j++)
		f->frame_node[j] = f->frames[j].node;
	f->nostack = intern_node(f, &m, "[no stack]", 10);
	budget_free(&p->mem, m.slots);
	budget_free(&p->mem, scratch);

	/* Per-stack sums, so writers visit each distinct stack once rather
	 * than each sample. */
	size_t nt = p->nsample_types;
	f->stack_values = budget_alloc(&p->mem, (p->nstacks * nt + 1) * sizeof(int64_t));
	f->stack_count = budget_alloc(&p->mem, (p->nstacks + 1) * sizeof(uint64_t));
	if (!f->stack_values || !f->stack_count) {
		frames_finish(f);
		return set_error(p, PPROFC_ERR_NOMEM, "out of memory for stack sums");
	}
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

	/* The deepest expansion bounds every writer's scratch buffer. Every
	 * location has a frame, so a stack expands to its length plus its
	 * locations' inlined frames: looked up in a byte per location (W1's
	 * 26 million stack locations read 100 KB, not 400), and not at all
	 * when no location has any. */
	f->max_depth = 1;
	f->total_frames = 0;
	unsigned char *extra = NULL;
	for (size_t li = 0; li < p->nlocations; li++) {
		uint32_t n = f->loc_off[li + 1] - f->loc_off[li] - 1;
		if (n && !extra) {
			if (!(extra = budget_alloc(&p->mem, p->nlocations + 1))) {
				frames_finish(f);
				return set_error(p, PPROFC_ERR_NOMEM, "out of memory for frames");
			}
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
	return PPROFC_OK;

nomem:
	budget_free(&p->mem, m.slots);
	budget_free(&p->mem, scratch);
	frames_finish(f);
	return set_error(p, PPROFC_ERR_NOMEM, "out of memory for frame names");
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
	budget_free(b, f->nodes);
	budget_free(b, f->frames);
	budget_free(b, f->frame_node);
	budget_free(b, f->loc_off);
	budget_free(b, f->func_node);
	budget_free(b, f->names);
	while (f->blocks) {
		name_block *next = f->blocks->next;
		budget_free(b, f->blocks);
		f->blocks = next;
	}
	budget_free(b, f->stack_values);
	budget_free(b, f->stack_count);
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
