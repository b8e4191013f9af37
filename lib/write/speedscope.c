/*
 * speedscope: the JSON file format of https://www.speedscope.app
 * (file-format-schema.json in the speedscope package): one "sampled"
 * profile per sample type, all sharing one frame table.
 *
 * A frame is a node at the profile's granularity (a function by default,
 * as speedscope's own pprof importer makes it), with the function's file
 * and a line: the function's start line for functions, the sample's line
 * for --lines and --addresses. Each distinct stack (root first, inlined
 * frames expanded) is one sample weighted by its summed value; stacks that
 * read the same at the granularity are merged, zero weights left out.
 * speedscope draws weights as widths, so a negative one (a difference of
 * profiles) cannot be shown: the writer refuses it rather than drawing
 * something false.
 *
 * Samples are written in the order of their frames' names, root first, so
 * that speedscope's "Time Order" view reads as a flame graph.
 */
#include <string.h>
#include <strings.h>

#include "write/write.h"

typedef struct seqs {
	uint32_t *nodes; /* all unique sequences, root first */
	uint32_t *off;	 /* nuniq + 1 */
	size_t nuniq, nnodes;
	/* hash << 32 | (id + 1), 0 = empty: a table of its own, not kmap,
	 * for its 8-byte slots, a third of kmap's, in a table of a slot or
	 * two per stack (kmap measured more memory on large profiles) */
	uint64_t *slots;
	size_t mask;
} seqs;

typedef struct ss_ctx {
	pprofc_profile *p;
	const frames *f;
	seqs q;
	uint32_t *stack_seq; /* stack -> unique sequence */
	int64_t *weight;     /* nuniq * ntypes */
	uint32_t *fidx;	     /* node -> frame index, NONE when unused */
	uint32_t *order;     /* unique sequences written, in order */
	size_t norder;
	uint32_t *used; /* nodes that are frames, by name */
	size_t nused;
	uint32_t *first; /* node -> its first frame record (function, line) */
	char *label;	 /* room for "TYPE (UNIT)" of any sample type */
} ss_ctx;

/* Interns the sequence at q->nodes + q->nnodes (n nodes, already written
 * there): returns its id, keeping it only when new. */
static uint32_t intern_seq(seqs *q, size_t n)
{
	const uint32_t *s = q->nodes + q->nnodes;
	uint64_t h = hash_bytes(s, n * sizeof(uint32_t), 11) & 0xffffffffu;
	for (size_t i = (size_t)h & q->mask;; i = (i + 1) & q->mask) {
		uint64_t v = q->slots[i];
		if (!v) {
			uint32_t id = (uint32_t)q->nuniq++;
			q->slots[i] = h << 32 | (id + 1);
			q->nnodes += n;
			q->off[q->nuniq] = (uint32_t)q->nnodes;
			return id;
		}
		uint32_t id = (uint32_t)(v & 0xffffffffu) - 1;
		if (v >> 32 == h && q->off[id + 1] - q->off[id] == n &&
		    !memcmp(q->nodes + q->off[id], s, n * sizeof(uint32_t)))
			return id;
	}
}

static bool build_seqs(ss_ctx *c)
{
	pprofc_profile *p = c->p;
	budget *b = &p->mem;
	seqs *q = &c->q;
	size_t slots = 16;
	while (slots < 2 * p->nstacks + 2)
		slots *= 2;
	q->mask = slots - 1;
	q->slots = budget_alloc(b, slots * sizeof(uint64_t));
	q->nodes = budget_alloc(b, (c->f->total_frames + 1) * sizeof(uint32_t));
	q->off = budget_alloc(b, (p->nstacks + 2) * sizeof(uint32_t));
	c->stack_seq = budget_alloc(b, (p->nstacks + 1) * sizeof(uint32_t));
	if (c->f->total_frames >= UINT32_MAX || !q->slots || !q->nodes || !q->off || !c->stack_seq)
		return false;
	memset(q->slots, 0, slots * sizeof(uint64_t));
	q->off[0] = 0;
	const uint32_t *locs = p->stack_locs, *off = c->f->loc_off, *fnode = c->f->frame_node;
	for (uint32_t s = 0; s < p->nstacks; s++) {
		uint32_t *d = q->nodes + q->nnodes;
		size_t n = 0;
		uint32_t lo = p->stack_off[s], hi = p->stack_off[s + 1];
		if (lo == hi)
			d[n++] = c->f->nostack;
		/* Root first: the last location, and within a location its
		 * last line (the function the others were inlined into). */
		for (uint32_t j = hi; j-- > lo;)
			for (uint32_t k = off[locs[j] + 1]; k-- > off[locs[j]];)
				d[n++] = fnode[k];
		c->stack_seq[s] = intern_seq(q, n);
	}
	return true;
}

static inline void put_be32(uint32_t *p, uint32_t v)
{
	uint8_t *b = (uint8_t *)p;
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static inline uint32_t get_be32(const uint32_t *p)
{
	const uint8_t *b = (const uint8_t *)p;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Sequences of frame indices (big-endian, so memcmp orders them as
 * numbers, and frame indices follow the names' order). */
static int cmp_seq(const void *a, const void *b, void *ctx)
{
	const ss_ctx *c = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	uint32_t nx = c->q.off[x + 1] - c->q.off[x], ny = c->q.off[y + 1] - c->q.off[y];
	int r = memcmp(c->q.nodes + c->q.off[x], c->q.nodes + c->q.off[y],
		       (size_t)(nx < ny ? nx : ny) * sizeof(uint32_t));
	if (r)
		return r;
	return nx < ny ? -1 : nx > ny;
}

/* The sums per sequence and type; refuses negative ones. */
static pprofc_status sum_weights(ss_ctx *c)
{
	pprofc_profile *p = c->p;
	size_t nt = p->nsample_types, nu = c->q.nuniq;
	c->weight = budget_alloc(&p->mem, (nu * nt + 1) * sizeof(int64_t));
	if (!c->weight)
		return PPROFC_ERR_NOMEM;
	memset(c->weight, 0, (nu * nt + 1) * sizeof(int64_t));
	for (uint32_t s = 0; s < p->nstacks; s++) {
		int64_t *w = c->weight + (size_t)c->stack_seq[s] * nt;
		const int64_t *v = c->f->stack_values + (size_t)s * nt;
		for (size_t t = 0; t < nt; t++)
			w[t] = wadd(w[t], v[t]);
	}
	for (size_t t = 0; t < nt; t++) {
		uint64_t sum = 0;
		for (size_t u = 0; u < nu; u++) {
			int64_t w = c->weight[u * nt + t];
			if (w < 0)
				return set_error(
					p, PPROFC_ERR_INVALID,
					"speedscope cannot show negative values: a stack "
					"of sample type '%s' sums to %lld (a difference of "
					"profiles? use top, tree or to-folded)",
					model_str(p, p->sample_types[t].type)->s, (long long)w);
			if ((uint64_t)w > (uint64_t)INT64_MAX - sum)
				return set_error(p, PPROFC_ERR_INVALID,
						 "the values of sample type '%s' add up to more "
						 "than 2^63",
						 model_str(p, p->sample_types[t].type)->s);
			sum += (uint64_t)w;
		}
	}
	return PPROFC_OK;
}

/* Frames: the nodes of the sequences with a weight, sorted by name. */
static bool pick_frames(ss_ctx *c)
{
	pprofc_profile *p = c->p;
	budget *b = &p->mem;
	size_t nt = p->nsample_types, nu = c->q.nuniq, nn = c->f->nnodes;
	c->fidx = budget_alloc(b, (nn + 1) * sizeof(uint32_t));
	c->used = budget_alloc(b, (nn + 1) * sizeof(uint32_t));
	c->order = budget_alloc(b, (nu + 1) * sizeof(uint32_t));
	if (!c->fidx || !c->used || !c->order)
		return false;
	for (size_t i = 0; i < nn; i++)
		c->fidx[i] = NONE;
	for (uint32_t u = 0; u < nu; u++) {
		bool any = false;
		for (size_t t = 0; t < nt; t++)
			any |= c->weight[(size_t)u * nt + t] != 0;
		if (!any)
			continue;
		c->order[c->norder++] = u;
		for (uint32_t k = c->q.off[u]; k < c->q.off[u + 1]; k++) {
			uint32_t nd = c->q.nodes[k];
			if (c->fidx[nd] == NONE) {
				c->fidx[nd] = 0;
				c->used[c->nused++] = nd;
			}
		}
	}
	if (!sort_ctx(b, c->used, c->nused, sizeof(uint32_t), report_cmp_node_names, (void *)c->f))
		return false;
	for (uint32_t i = 0; i < c->nused; i++)
		c->fidx[c->used[i]] = i;
	/* the sequences written become their frames' indices, once */
	for (size_t i = 0; i < c->norder; i++) {
		uint32_t u = c->order[i];
		for (uint32_t k = c->q.off[u]; k < c->q.off[u + 1]; k++)
			put_be32(&c->q.nodes[k], c->fidx[c->q.nodes[k]]);
	}
	return sort_ctx(b, c->order, c->norder, sizeof(uint32_t), cmp_seq, c);
}

/* speedscope's units; anything else (count, objects...) is "none". */
static const char *speedscope_unit(const char *u)
{
	static const char *const map[][2] = {
		{ "nanoseconds", "nanoseconds" },
		{ "nanosecond", "nanoseconds" },
		{ "ns", "nanoseconds" },
		{ "microseconds", "microseconds" },
		{ "microsecond", "microseconds" },
		{ "us", "microseconds" },
		{ "milliseconds", "milliseconds" },
		{ "millisecond", "milliseconds" },
		{ "ms", "milliseconds" },
		{ "seconds", "seconds" },
		{ "second", "seconds" },
		{ "s", "seconds" },
		{ "bytes", "bytes" },
		{ "byte", "bytes" },
		{ "b", "bytes" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcasecmp(u, map[i][0]))
			return map[i][1];
	return "none";
}

static void write_frame(out *o, const ss_ctx *c, uint32_t nd)
{
	pprofc_profile *p = c->p;
	const pstr *name = &c->f->nodes[nd].name;
	out_str(o, "{\"name\": ");
	out_json_str(o, name->s, name->len);
	const frame *fr = c->first[nd] != NONE ? &c->f->frames[c->first[nd]] : NULL;
	if (fr && fr->function != NONE) {
		const function *fn = &p->functions[fr->function];
		const pstr *file = model_str(p, fn->filename);
		pprofc_granularity g = p->granularity;
		int64_t lineno = g == PPROFC_GRANULARITY_LINES || g == PPROFC_GRANULARITY_ADDRESSES
					 ? fr->line
				 : g == PPROFC_GRANULARITY_FILES ? 0
								 : fn->start_line;
		if (file->len) {
			out_str(o, ", \"file\": ");
			out_json_str(o, file->s, file->len);
		}
		if (lineno > 0) {
			out_str(o, ", \"line\": ");
			out_i64(o, lineno);
		}
	}
	out_char(o, '}');
}

static void write_json(out *o, const ss_ctx *c, size_t index, const char *name)
{
	pprofc_profile *p = c->p;
	size_t nt = p->nsample_types;
	out_str(o, "{\"$schema\": \"https://www.speedscope.app/file-format-schema.json\",\n"
		   " \"name\": ");
	out_json_str(o, name, strlen(name));
	out_str(o, ", \"activeProfileIndex\": ");
	out_u64(o, index);
	out_str(o, ", \"exporter\": \"pprofc " PPROFC_VERSION "\",\n \"shared\": {\"frames\": [");
	for (uint32_t i = 0; i < c->nused && !o->failed; i++) {
		out_str(o, i ? ",\n  " : "\n  ");
		write_frame(o, c, c->used[i]);
	}
	out_str(o, "]},\n \"profiles\": [");
	for (size_t t = 0; t < nt && !o->failed; t++) {
		const pstr *type = model_str(p, p->sample_types[t].type);
		const pstr *unit = model_str(p, p->sample_types[t].unit);
		uint64_t sum = 0;
		for (size_t i = 0; i < c->norder; i++)
			sum += (uint64_t)c->weight[(size_t)c->order[i] * nt + t];
		out_str(o, t ? ",\n  {\"type\": \"sampled\", \"name\": "
			     : "\n  {\"type\": \"sampled\", \"name\": ");
		/* "cpu (nanoseconds)" */
		size_t tl = type->len;
		memcpy(c->label, type->s, tl);
		memcpy(c->label + tl, " (", 2);
		memcpy(c->label + tl + 2, unit->s, unit->len);
		c->label[tl + 2 + unit->len] = ')';
		out_json_str(o, c->label, tl + unit->len + 3);
		out_str(o, ", \"unit\": \"");
		out_str(o, speedscope_unit(unit->s));
		out_str(o, "\", \"startValue\": 0, \"endValue\": ");
		out_u64(o, sum);
		out_str(o, ",\n   \"samples\": [");
		bool first_sample = true;
		for (size_t i = 0; i < c->norder && !o->failed; i++) {
			uint32_t u = c->order[i];
			if (c->weight[(size_t)u * nt + t] == 0)
				continue;
			out_str(o, first_sample ? "[" : ", [");
			first_sample = false;
			for (uint32_t k = c->q.off[u]; k < c->q.off[u + 1]; k++) {
				if (k > c->q.off[u])
					out_char(o, ',');
				out_u64(o, get_be32(&c->q.nodes[k]));
			}
			out_char(o, ']');
		}
		out_str(o, "],\n   \"weights\": [");
		first_sample = true;
		for (size_t i = 0; i < c->norder && !o->failed; i++) {
			int64_t w = c->weight[(size_t)c->order[i] * nt + t];
			if (w == 0)
				continue;
			if (!first_sample)
				out_str(o, ", ");
			first_sample = false;
			out_i64(o, w);
		}
		out_str(o, "]}");
	}
	out_str(o, "\n ]}\n");
}

/* Each node's first frame record (its function, file and line), and room
 * for the longest "TYPE (UNIT)". */
static bool frame_records(ss_ctx *c)
{
	pprofc_profile *p = c->p;
	budget *b = &p->mem;
	c->first = budget_alloc(b, (c->f->nnodes + 1) * sizeof(uint32_t));
	size_t label_len = 0;
	for (size_t t = 0; t < p->nsample_types; t++) {
		size_t n = model_str(p, p->sample_types[t].type)->len +
			   model_str(p, p->sample_types[t].unit)->len;
		label_len = n > label_len ? n : label_len;
	}
	c->label = budget_alloc(b, label_len + 4);
	if (!c->first || !c->label)
		return false;
	for (size_t i = 0; i < c->f->nnodes; i++)
		c->first[i] = NONE;
	for (size_t k = c->f->loc_off[p->nlocations]; k-- > 0;)
		c->first[c->f->frames[k].node] = (uint32_t)k;
	return true;
}

static pprofc_status write_speedscope(writer *w, const void *name)
{
	ss_ctx c = { .p = w->p, .f = &w->f };
	pprofc_status st = build_seqs(&c) ? sum_weights(&c) : PPROFC_ERR_NOMEM;
	if (st == PPROFC_OK && (!pick_frames(&c) || !frame_records(&c)))
		st = PPROFC_ERR_NOMEM;
	if (st == PPROFC_OK)
		write_json(w->o, &c, w->index, name);
	else if (st == PPROFC_ERR_NOMEM)
		st = writer_nomem(w);
	budget_free_each(w->b, c.first, c.label, c.q.nodes, c.q.off, c.q.slots, c.stack_seq,
			 c.weight, c.fidx, c.used, c.order);
	return st;
}

pprofc_status pprofc_write_speedscope(pprofc_profile *p, const pprofc_speedscope_options *opt,
				      const pprofc_sink *sink)
{
	WRITER_OPTIONS(pprofc_speedscope_options, o, p, opt);
	return writer_run(p, o.sample_index, WRITER_FRAMES, "the speedscope profile", sink,
			  write_speedscope, o.name ? o.name : "");
}
