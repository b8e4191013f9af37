/*
 * decode: walk the top-level Profile message of the inflated buffer and
 * fill the model's tables. Each sub-message (ValueType, Mapping, Location,
 * Function, Sample) is unpacked by protobuf-c into a bump arena that is
 * reset afterwards, so there is no malloc per message and no unbounded
 * allocation (the arena draws on the profile's budget).
 *
 * Fields come in any order: the Go runtime writes the string table last and
 * google/pprof's encoder writes samples before the locations they use. The
 * walk reads bytes as gunzip.c's stream makes them available, and decodes
 * samples there and then, while the rest is still being inflated: their
 * stacks are interned as raw location ids, and decode_samples() maps them
 * to indices once the locations are known, running the checks that need
 * the whole profile. A sample the early path cannot take (an id beyond 32
 * bits, anything malformed) stops it: that sample and the ones after it
 * are kept as spans and decoded by decode_samples() in the usual way, so
 * errors are reported exactly as if everything had been decoded at the end.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <protobuf-c/protobuf-c.h>

#include "core/varint.h"
#include "load/load.h"
#include "profile.pb-c.h"

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };

static const char *const field_names[] = {
	NULL,		"sample_type",	  "sample",
	"mapping",	"location",	  "function",
	"string_table", "drop_frames",	  "keep_frames",
	"time_nanos",	"duration_nanos", "period_type",
	"period",	"comment",	  "default_sample_type",
	"doc_url",
};

/*
 * A cheap structural check of a sub-message before protobuf-c sees it:
 * tags of at most 5 bytes with a valid field number, varints of at most 10
 * bytes, lengths inside the message, only the wire types proto3 uses, and
 * the same for the nested messages we know (Sample.label, Location.line).
 * protobuf-c 1.4.1 shifts negative values in its tag parser on over-long
 * tags (undefined behaviour that UBSan reports); this keeps such input
 * away from it, and names the fault precisely.
 */
static const char *prescan(const unsigned char *p, size_t len, int nested_field, int depth,
			   bool *empty_packed)
{
	const unsigned char *end = p + len;
	while (p < end) {
		const unsigned char *tag_start = p;
		uint64_t key, v;
		int r = varint_read(&p, end, &key);
		if (r == -1)
			return "truncated field tag";
		if (r == -2 || p - tag_start > 5)
			return "over-long field tag";
		uint64_t field = key >> 3;
		if (field == 0 || field > 0x1fffffff)
			return "invalid field number";
		switch (key & 7) {
		case WT_VARINT:
			if ((r = varint_read(&p, end, &v)))
				return r == -1 ? "truncated varint" : "over-long varint";
			break;
		case WT_I64:
			if (end - p < 8)
				return "truncated fixed64";
			p += 8;
			break;
		case WT_I32:
			if (end - p < 4)
				return "truncated fixed32";
			p += 4;
			break;
		case WT_LEN:
			if (varint_read(&p, end, &v) || v > (uint64_t)(end - p))
				return "length past the end of the message";
			if ((int)field == nested_field && depth == 0) {
				const char *e = prescan(p, (size_t)v, 0, 1, NULL);
				if (e)
					return e;
			}
			/* protobuf-c 1.4.1 adds an offset to a NULL array for an
			 * empty packed field (undefined behaviour UBSan reports);
			 * the caller strips such fields first. */
			if (empty_packed && depth == 0 && field <= 2) {
				if (v == 0)
					*empty_packed = true;
				/* Packed varints must be whole: protobuf-c 1.4.1
				 * counts zero elements in a lone continuation byte
				 * and then indexes a NULL array. */
				const unsigned char *q = p, *qend = p + v;
				uint64_t x;
				while (q < qend)
					if ((r = varint_read(&q, qend, &x)))
						return r == -1 ? "truncated packed varint"
							       : "over-long packed varint";
			}
			p += v;
			break;
		default:
			return "unsupported wire type";
		}
	}
	return NULL;
}

/* A copy of a Sample without its empty packed fields (location_id and
 * value with length 0: no elements, so nothing is lost). The message has
 * passed prescan, so its structure is known to be sound. */
static const unsigned char *strip_empty_packed(arena *a, const unsigned char *p, size_t *len)
{
	unsigned char *copy = arena_alloc(a, *len ? *len : 1), *w = copy;
	if (!copy)
		return NULL;
	const unsigned char *end = p + *len;
	while (p < end) {
		const unsigned char *start = p;
		uint64_t key = 0, v = 0;
		varint_read(&p, end, &key);
		switch (key & 7) {
		case WT_VARINT:
			varint_read(&p, end, &v);
			break;
		case WT_I64:
			p += 8;
			break;
		case WT_I32:
			p += 4;
			break;
		case WT_LEN:
			varint_read(&p, end, &v);
			p += v;
			if (v == 0 && (key >> 3) <= 2)
				continue; /* dropped */
			break;
		}
		memcpy(w, start, (size_t)(p - start));
		w += p - start;
	}
	*len = (size_t)(w - copy);
	return copy;
}

static void *arena_pb_alloc(void *data, size_t size)
{
	return arena_alloc(data, size);
}

static void arena_pb_free(void *data, void *ptr)
{
	/* Freed all at once by arena_reset. */
	(void)data;
	(void)ptr;
}

#define PEND_MAX 16

typedef struct decoder {
	pprofc_profile *p;
	arena arena;
	ProtobufCAllocator alloc;
	/* The stacks of the early samples waiting to be interned
	 * (flush_pending), one after the other: nlocs used; a sample's stack
	 * is parsed in after them. */
	uint32_t *locs;
	size_t nlocs, cap_locs;
	int64_t *vals; /* one sample's values */
	size_t cap_vals;
	label *labs; /* one sample's labels */
	size_t cap_labs;
	struct pending {
		size_t i, poff, len; /* the sample, and where its message is */
		size_t at, n;	     /* its stack in locs */
		uint32_t h;	     /* and the stack's hash */
	} pend[PEND_MAX];
	size_t npend, batch; /* (batch: at most PEND_MAX) */
	stream *in;
	size_t off, known;     /* the next field; the bytes stream_wait said are final */
	size_t page, released; /* buffer bytes given back (release_behind) */
} decoder;

/*
 * Hand decoders for the encodings every producer writes: one-byte tags of
 * the fields we know, with their proto3 wire types, varints of at most 10
 * bytes. protobuf-c's generic unpacking costs a few thousand instructions a
 * message, most of the load of a mid-sized profile. Anything else -- an
 * unknown field, another wire type, an over-long varint, a packed run cut
 * short -- makes them decline, and the message takes the protobuf-c path,
 * whose checks and messages stay the only ones. lib_tuning.decode_early (off in tests
 * of the plain path) turns them off too.
 */
#define PUSH(p, arr, n, cap)                                                                  \
	(vec_reserve(&(p)->mem, (void **)&(p)->arr, &(p)->cap, (p)->n + 1, sizeof(*(p)->arr)) \
		 ? &(p)->arr[(p)->n++]                                                        \
		 : NULL)
#define TAG(field, wt) ((field) << 3 | (wt))

/* A varint field's value, or false to decline. */
static inline bool fast_varint(const unsigned char **q, const unsigned char *end, uint64_t *v)
{
	return varint_read(q, end, v) == 0;
}

/* The payload of a length-delimited field: [*q, *q + *n). */
static inline bool fast_len(const unsigned char **q, const unsigned char *end, size_t *n)
{
	uint64_t v;
	if (varint_read(q, end, &v) || v > (uint64_t)(end - *q))
		return false;
	*n = (size_t)v;
	return true;
}

static bool fast_location(decoder *d, const unsigned char *q, size_t len)
{
	pprofc_profile *p = d->p;
	const unsigned char *end = q + len;
	uint64_t id = 0, mid = 0, addr = 0, folded = 0;
	size_t nl = 0;
	while (q < end) {
		unsigned char key = *q++;
		size_t n;
		switch (key) {
		case TAG(1, WT_VARINT):
			if (!fast_varint(&q, end, &id))
				return false;
			break;
		case TAG(2, WT_VARINT):
			if (!fast_varint(&q, end, &mid))
				return false;
			break;
		case TAG(3, WT_VARINT):
			if (!fast_varint(&q, end, &addr))
				return false;
			break;
		case TAG(5, WT_VARINT):
			if (!fast_varint(&q, end, &folded))
				return false;
			break;
		case TAG(4, WT_LEN): {
			if (!fast_len(&q, end, &n))
				return false;
			const unsigned char *lend = q + n;
			uint64_t fid = 0, ln = 0, col = 0;
			while (q < lend) {
				unsigned char k = *q++;
				if (k == TAG(1, WT_VARINT)) {
					if (!fast_varint(&q, lend, &fid))
						return false;
				} else if (k == TAG(2, WT_VARINT)) {
					if (!fast_varint(&q, lend, &ln))
						return false;
				} else if (k == TAG(3, WT_VARINT)) {
					if (!fast_varint(&q, lend, &col))
						return false;
				} else {
					return false;
				}
			}
			/* Lines go after the last ones; they count only when
			 * the whole location is taken. */
			if (p->nlines + nl >= UINT32_MAX ||
			    !vec_reserve(&p->mem, (void **)&p->lines, &p->cap_lines,
					 p->nlines + nl + 1, sizeof(*p->lines)))
				return false;
			p->lines[p->nlines + nl++] = (line){ fid, NONE, (int64_t)ln, (int64_t)col };
			break;
		}
		default:
			return false;
		}
	}
	location *dst = PUSH(p, locations, nlocations, cap_locations);
	if (!dst)
		return false;
	*dst = (location){ .id = id,
			   .mapping_id = mid,
			   .address = addr,
			   .mapping = NONE,
			   .line_off = (uint32_t)p->nlines,
			   .nlines = (uint32_t)nl,
			   .is_folded = folded != 0 };
	p->nlines += nl;
	return true;
}

static bool fast_function(decoder *d, const unsigned char *q, size_t len)
{
	pprofc_profile *p = d->p;
	const unsigned char *end = q + len;
	uint64_t f[6] = { 0, 0, 0, 0, 0, 0 };
	while (q < end) {
		unsigned char key = *q++;
		if ((key & 7) != WT_VARINT || key < TAG(1, 0) || key > TAG(5, WT_VARINT) ||
		    !fast_varint(&q, end, &f[key >> 3]))
			return false;
	}
	function *dst = PUSH(p, functions, nfunctions, cap_functions);
	if (!dst)
		return false;
	*dst = (function){ f[1], (int64_t)f[2], (int64_t)f[3], (int64_t)f[4], (int64_t)f[5] };
	return true;
}

/* One sample into d->locs (after the stacks waiting there), d->vals and
 * d->labs; *big when a location id does not fit 32 bits (the sample is
 * then not taken early). */
static bool fast_sample(decoder *d, const unsigned char *q, size_t len, size_t *nlocs,
			size_t *nvals, size_t *nlabs, bool *big)
{
	budget *b = &d->p->mem;
	const unsigned char *end = q + len;
	size_t nl = d->nlocs, nv = 0, nb = 0;
	/* never NULL, even for an empty stack */
	if (!vec_reserve(b, (void **)&d->locs, &d->cap_locs, nl + 1, sizeof(uint32_t)))
		return false;
	while (q < end) {
		unsigned char key = *q++;
		uint64_t v;
		size_t n;
		switch (key) {
		case TAG(1, WT_VARINT):
		case TAG(2, WT_VARINT):
			if (!fast_varint(&q, end, &v))
				return false;
			if (key == TAG(1, WT_VARINT)) {
				if (!vec_reserve(b, (void **)&d->locs, &d->cap_locs, nl + 1,
						 sizeof(uint32_t)))
					return false;
				*big |= v > UINT32_MAX;
				d->locs[nl++] = (uint32_t)v;
			} else {
				if (!vec_reserve(b, (void **)&d->vals, &d->cap_vals, nv + 1,
						 sizeof(int64_t)))
					return false;
				d->vals[nv++] = (int64_t)v;
			}
			break;
		case TAG(1, WT_LEN):
		case TAG(2, WT_LEN): {
			if (!fast_len(&q, end, &n))
				return false;
			const unsigned char *pend = q + n;
			/* at most n elements: room once */
			if (key == TAG(1, WT_LEN) ? !vec_reserve(b, (void **)&d->locs, &d->cap_locs,
								 nl + n + 1, sizeof(uint32_t))
						  : !vec_reserve(b, (void **)&d->vals, &d->cap_vals,
								 nv + n + 1, sizeof(int64_t)))
				return false;
			while (q < pend) {
				if (!fast_varint(&q, pend, &v))
					return false;
				if (key == TAG(1, WT_LEN)) {
					*big |= v > UINT32_MAX;
					d->locs[nl++] = (uint32_t)v;
				} else {
					d->vals[nv++] = (int64_t)v;
				}
			}
			break;
		}
		case TAG(3, WT_LEN): {
			if (!fast_len(&q, end, &n))
				return false;
			const unsigned char *lend = q + n;
			uint64_t f[5] = { 0, 0, 0, 0, 0 };
			while (q < lend) {
				unsigned char k = *q++;
				if ((k & 7) != WT_VARINT || k < TAG(1, 0) ||
				    k > TAG(4, WT_VARINT) || !fast_varint(&q, lend, &f[k >> 3]))
					return false;
			}
			if (!vec_reserve(b, (void **)&d->labs, &d->cap_labs, nb + 1, sizeof(label)))
				return false;
			d->labs[nb++] = (label){ (int64_t)f[1], (int64_t)f[2], (int64_t)f[3],
						 (int64_t)f[4] };
			break;
		}
		default:
			return false;
		}
	}
	*nlocs = nl - d->nlocs;
	*nvals = nv;
	*nlabs = nb;
	return true;
}

/* The same through protobuf-c, for every other encoding; false when it
 * is malformed (the plain path then reports it). */
static bool slow_sample(decoder *d, const unsigned char *msg, size_t msglen, size_t *nlocs,
			size_t *nvals, size_t *nlabs, bool *big)
{
	budget *b = &d->p->mem;
	bool empty_packed = false;
	if (prescan(msg, msglen, 3, 0, &empty_packed))
		return false;
	if (empty_packed && !(msg = strip_empty_packed(&d->arena, msg, &msglen)))
		return false;
	Perftools__Profiles__Sample *m =
		perftools__profiles__sample__unpack(&d->alloc, msglen, msg);
	if (!m ||
	    !vec_reserve(b, (void **)&d->locs, &d->cap_locs, d->nlocs + m->n_location_id + 1,
			 sizeof(uint32_t)) ||
	    !vec_reserve(b, (void **)&d->vals, &d->cap_vals, m->n_value + 1, sizeof(int64_t)) ||
	    !vec_reserve(b, (void **)&d->labs, &d->cap_labs, m->n_label + 1, sizeof(label)))
		return false;
	for (size_t k = 0; k < m->n_location_id; k++) {
		*big |= m->location_id[k] > UINT32_MAX;
		d->locs[d->nlocs + k] = (uint32_t)m->location_id[k];
	}
	if (m->n_value)
		memcpy(d->vals, m->value, m->n_value * sizeof(int64_t));
	for (size_t k = 0; k < m->n_label; k++) {
		const Perftools__Profiles__Label *l = m->label[k];
		d->labs[k] = (label){ l->key, l->str, l->num, l->num_unit };
	}
	*nlocs = m->n_location_id;
	*nvals = m->n_value;
	*nlabs = m->n_label;
	return true;
}

static pprofc_status submsg_error(decoder *d, const char *what, size_t at)
{
	/* protobuf-c returns NULL both when a message is malformed and when
	 * the allocator refused; the budget tells them apart. */
	if (d->p->mem.limit - d->p->mem.used < 2 * 65536)
		return err_set_limit(
			&d->p->err, PPROFC_ERR_NOMEM, PPROFC_LIMIT_MEMORY,
			"memory limit of %llu bytes reached while decoding %s at byte %zu",
			(unsigned long long)d->p->mem.limit, what, at);
	return set_error(d->p, PPROFC_ERR_DECODE, "malformed %s message at byte %zu", what, at);
}

/* Memory refused: by the machine or by the budget, which cannot be told
 * apart here, so the budget's limit is named (and recorded) either way. */
static pprofc_status oom(pprofc_profile *p, const char *what)
{
	return err_set_limit(&p->err, PPROFC_ERR_NOMEM, PPROFC_LIMIT_MEMORY,
			     "out of memory, or over the memory limit of %llu bytes, for %s",
			     (unsigned long long)p->mem.limit, what);
}

/* The prescan of a sub-message before protobuf-c unpacks it, the message
 * set when it fails. */
static pprofc_status check_submsg(decoder *d, const unsigned char *data, size_t len,
				  int nested_field, const char *what, size_t at)
{
	const char *bad = prescan(data, len, nested_field, 0, NULL);
	if (bad)
		return set_error(d->p, PPROFC_ERR_DECODE, "malformed %s message at byte %zu: %s",
				 what, at, bad);
	return PPROFC_OK;
}

static pprofc_status add_value_type(decoder *d, const unsigned char *data, size_t len, size_t at,
				    value_type *ret)
{
	pprofc_status st = check_submsg(d, data, len, 0, "ValueType", at);
	if (st != PPROFC_OK)
		return st;
	Perftools__Profiles__ValueType *m =
		perftools__profiles__value_type__unpack(&d->alloc, len, data);
	if (!m)
		return submsg_error(d, "ValueType", at);
	ret->type = m->type;
	ret->unit = m->unit;
	arena_reset(&d->arena);
	return PPROFC_OK;
}

static pprofc_status add_mapping(decoder *d, const unsigned char *data, size_t len, size_t at)
{
	pprofc_profile *p = d->p;
	pprofc_status st = check_submsg(d, data, len, 0, "Mapping", at);
	if (st != PPROFC_OK)
		return st;
	Perftools__Profiles__Mapping *m =
		perftools__profiles__mapping__unpack(&d->alloc, len, data);
	if (!m)
		return submsg_error(d, "Mapping", at);
	mapping *dst = PUSH(p, mappings, nmappings, cap_mappings);
	if (!dst)
		return oom(p, "mappings");
	*dst = (mapping){ .id = m->id,
			  .start = m->memory_start,
			  .limit = m->memory_limit,
			  .offset = m->file_offset,
			  .filename = m->filename,
			  .build_id = m->build_id,
			  .flags = (uint8_t)((m->has_functions ? MAPPING_HAS_FUNCTIONS : 0) |
					     (m->has_filenames ? MAPPING_HAS_FILENAMES : 0) |
					     (m->has_line_numbers ? MAPPING_HAS_LINE_NUMBERS : 0) |
					     (m->has_inline_frames ? MAPPING_HAS_INLINE_FRAMES
								   : 0)) };
	arena_reset(&d->arena);
	return PPROFC_OK;
}

static pprofc_status add_location(decoder *d, const unsigned char *data, size_t len, size_t at)
{
	pprofc_profile *p = d->p;
	if (lib_tuning.decode_early && fast_location(d, data, len))
		return PPROFC_OK;
	pprofc_status st = check_submsg(d, data, len, 4, "Location", at);
	if (st != PPROFC_OK)
		return st;
	Perftools__Profiles__Location *m =
		perftools__profiles__location__unpack(&d->alloc, len, data);
	if (!m)
		return submsg_error(d, "Location", at);
	if (p->nlines + m->n_line > UINT32_MAX)
		return set_error(p, PPROFC_ERR_LIMIT, "too many lines in locations");
	location *dst = PUSH(p, locations, nlocations, cap_locations);
	if (!dst || !vec_reserve(&p->mem, (void **)&p->lines, &p->cap_lines, p->nlines + m->n_line,
				 sizeof(*p->lines)))
		return oom(p, "locations");
	dst->id = m->id;
	dst->mapping_id = m->mapping_id;
	dst->address = m->address;
	dst->mapping = NONE;
	dst->is_folded = m->is_folded;
	dst->line_off = (uint32_t)p->nlines;
	dst->nlines = (uint32_t)m->n_line;
	for (size_t i = 0; i < m->n_line; i++) {
		line *ln = &p->lines[p->nlines++];
		ln->function_id = m->line[i]->function_id;
		ln->function = NONE;
		ln->line = m->line[i]->line;
		ln->column = m->line[i]->column;
	}
	arena_reset(&d->arena);
	return PPROFC_OK;
}

static pprofc_status add_function(decoder *d, const unsigned char *data, size_t len, size_t at)
{
	pprofc_profile *p = d->p;
	if (lib_tuning.decode_early && fast_function(d, data, len))
		return PPROFC_OK;
	pprofc_status st = check_submsg(d, data, len, 0, "Function", at);
	if (st != PPROFC_OK)
		return st;
	Perftools__Profiles__Function *m =
		perftools__profiles__function__unpack(&d->alloc, len, data);
	if (!m)
		return submsg_error(d, "Function", at);
	function *dst = PUSH(p, functions, nfunctions, cap_functions);
	if (!dst)
		return oom(p, "functions");
	dst->id = m->id;
	dst->name = m->name;
	dst->system_name = m->system_name;
	dst->filename = m->filename;
	dst->start_line = m->start_line;
	arena_reset(&d->arena);
	return PPROFC_OK;
}

/* One of the table limits (samples, locations, functions, strings) is
 * reached: the message says which, and the limit is recorded. */
static pprofc_status over_limit(pprofc_profile *p, pprofc_limit which, const char *what)
{
	return err_set_limit(&p->err, PPROFC_ERR_LIMIT, (int)which, "more than %llu %s (the limit)",
			     (unsigned long long)p->limits[which], what);
}

static pprofc_status add_span(pprofc_profile *p, span **arr, size_t *n, size_t *cap, size_t off,
			      size_t len, const char *what)
{
	if (!vec_reserve(&p->mem, (void **)arr, cap, *n + 1, sizeof(span)))
		return oom(p, what);
	(*arr)[*n].off = off;
	(*arr)[*n].len = len;
	(*n)++;
	return PPROFC_OK;
}

/*
 * Interns the waiting early samples' stacks, in their order. A stack
 * refused (memory, too many stacks) makes its sample and those after it
 * late, as if early_sample() had refused it: decode_samples() meets it
 * again and says why, so the first error is the one it would have been.
 * *early then turns false.
 */
static pprofc_status flush_pending(decoder *d, bool *early)
{
	pprofc_profile *p = d->p;
	size_t k = 0;
	for (; k < d->npend; k++) {
		const struct pending *e = &d->pend[k];
		if (e->i == lib_tuning.decode_refuse_sample) {
			lib_tuning.decode_refuse_sample = SIZE_MAX;
			break;
		}
		if (model_intern_hashed(p, d->locs + e->at, e->n, e->h, &p->sample_stack[e->i]) !=
		    PPROFC_OK)
			break;
	}
	pprofc_status st = PPROFC_OK;
	if (k < d->npend) {
		err_clear(&p->err);
		*early = false;
		p->nearly = d->pend[k].i;
		p->nlabels = p->label_off[d->pend[k].i];
		for (; k < d->npend && st == PPROFC_OK; k++)
			st = add_span(p, &p->sample_spans, &p->nsamples_late, &p->cap_sample_spans,
				      d->pend[k].poff, d->pend[k].len, "samples");
	}
	d->npend = d->nlocs = 0;
	return st;
}

/*
 * Decodes a sample during the walk (see the top of the file), its stack
 * left waiting in d->pend. false: the sample is left as it is, for
 * decode_samples(), and so are all after it.
 */
static bool early_sample(decoder *d, const unsigned char *msg, size_t msglen, size_t poff)
{
	pprofc_profile *p = d->p;
	size_t i = p->nearly, nlocs = 0, nvals = 0, nlabs = 0;
	bool big = false;
	if (!fast_sample(d, msg, msglen, &nlocs, &nvals, &nlabs, &big)) {
		big = false;
		if (!slow_sample(d, msg, msglen, &nlocs, &nvals, &nlabs, &big)) {
			arena_reset(&d->arena);
			return false;
		}
	}
	arena_reset(&d->arena);
	if (i == 0)
		p->early_ntypes = nvals;
	size_t nt = p->early_ntypes;
	bool ok = !big && nvals == nt && nlocs <= p->limits[PPROFC_LIMIT_DEPTH] &&
		  nlabs <= p->limits[PPROFC_LIMIT_LABELS] && p->nlabels + nlabs <= UINT32_MAX - 1;
	/* Room for everything first, so a refusal leaves nothing behind. */
	ok = ok &&
	     (!nt || vec_reserve(&p->mem, (void **)&p->values, &p->cap_values, (i + 1) * nt,
				 sizeof(int64_t))) &&
	     vec_reserve(&p->mem, (void **)&p->sample_stack, &p->cap_sample_stack, i + 1,
			 sizeof(uint32_t)) &&
	     vec_reserve(&p->mem, (void **)&p->label_off, &p->cap_label_off, i + 2,
			 sizeof(uint32_t)) &&
	     (!nlabs || vec_reserve(&p->mem, (void **)&p->labels, &p->cap_labels,
				    p->nlabels + nlabs, sizeof(*p->labels)));
	if (!ok)
		return false;
	/* The stack table is read at random, a miss for every sample of a
	 * large profile: its slot is asked for now (model_stack_hash
	 * prefetches it) and read when a batch of samples is interned, so
	 * that the misses of a batch overlap instead of each stalling the
	 * walk in turn. */
	struct pending *e = &d->pend[d->npend++];
	*e = (struct pending){ .i = i, .poff = poff, .len = msglen, .at = d->nlocs, .n = nlocs };
	e->h = model_stack_hash(p, d->locs + e->at, nlocs);
	d->nlocs += nlocs;
	if (nt)
		memcpy(p->values + i * nt, d->vals, nt * sizeof(int64_t));
	if (nlabs)
		memcpy(p->labels + p->nlabels, d->labs, nlabs * sizeof(label));
	p->nlabels += nlabs;
	if (i == 0)
		p->label_off[0] = 0;
	p->label_off[i + 1] = (uint32_t)p->nlabels;
	p->nearly++;
	return true;
}

/*
 * Gives back the pages of samples already decoded: nothing reads them
 * again, and on a large profile that keeps the peak near the size of the
 * buffer instead of the buffer plus the model. Pages holding anything
 * still to be read (string spans, samples left for later) are kept.
 */
static void release_behind(decoder *d, size_t upto)
{
	pprofc_profile *p = d->p;
	if (p->nstrings && p->strspans[0].off < upto)
		upto = p->strspans[0].off;
	if (p->nsamples_late && p->sample_spans[0].off < upto)
		upto = p->sample_spans[0].off;
	uintptr_t from =
		((uintptr_t)p->buf + d->released + d->page - 1) & ~(uintptr_t)(d->page - 1);
	uintptr_t to = ((uintptr_t)p->buf + upto) & ~(uintptr_t)(d->page - 1);
	if (to > from + (4u << 20)) {
		stream_give_back(d->in, (unsigned char *)from, to - from);
		d->released = (size_t)(to - (uintptr_t)p->buf);
	}
}

/* The decoder's arena and protobuf-c allocator, for the walk and for the
 * late samples alike. */
static void decoder_init(decoder *d, pprofc_profile *p)
{
	memset(d, 0, sizeof(*d));
	d->p = p;
	arena_init(&d->arena, &p->mem);
	d->alloc.alloc = arena_pb_alloc;
	d->alloc.free = arena_pb_free;
	d->alloc.allocator_data = &d->arena;
}

/* What the decoder holds: its scratch arrays and its arena. */
static void decoder_free(decoder *d)
{
	budget_free(&d->p->mem, d->locs);
	budget_free(&d->p->mem, d->vals);
	budget_free(&d->p->mem, d->labs);
	arena_finish(&d->arena);
}

/* One top-level field of the Profile message: its number and wire type,
 * the byte it starts at, and its value: v for a varint, payload and len
 * for a length-delimited field. */
typedef struct pfield {
	uint64_t num;
	unsigned wt;
	uint64_t v;
	const unsigned char *payload;
	size_t len, at;
} pfield;

/* The payload of a length-delimited field whose length starts at cur
 * (end: the bytes ready): waits for the whole payload, which may still be
 * on its way, and moves d->off past it. */
static pprofc_status len_field(decoder *d, pfield *f, const unsigned char *cur,
			       const unsigned char *end)
{
	pprofc_profile *p = d->p;
	uint64_t v = 0;
	int r = varint_read(&cur, end, &v);
	size_t poff = (size_t)(cur - p->buf), ready = (size_t)(end - p->buf);
	if (!r) {
		size_t need = v > SIZE_MAX - poff ? SIZE_MAX : poff + (size_t)v;
		ready = need <= d->known ? d->known : (d->known = stream_wait(d->in, need));
	}
	if (r || v > (uint64_t)(ready - poff))
		return set_error(p, PPROFC_ERR_DECODE,
				 "field %llu at byte %zu: length runs past the end of the data "
				 "(truncated profile?)",
				 (unsigned long long)f->num, f->at);
	f->v = v;
	f->payload = p->buf + poff; /* (p->buf may have moved) */
	f->len = (size_t)v;
	d->off = poff + f->len;
	return PPROFC_OK;
}

/*
 * Reads the field at d->off and moves d->off past it; *more is false at
 * the end of the message. A tag and a varint or length take at most 20
 * bytes; fewer are ready only at the end of the stream. The stream is asked
 * (a lock, with the inflate thread) only for bytes past those it said were
 * final before, which stay where they are.
 */
static pprofc_status next_field(decoder *d, pfield *f, bool *more)
{
	pprofc_profile *p = d->p;
	size_t ready =
		d->off + 20 <= d->known ? d->known : (d->known = stream_wait(d->in, d->off + 20));
	*more = ready > d->off;
	if (!*more)
		return PPROFC_OK;
	const unsigned char *cur = p->buf + d->off, *end = p->buf + ready;
	uint64_t key;
	f->at = d->off;
	int r = varint_read(&cur, end, &key);
	if (r)
		return set_error(p, PPROFC_ERR_DECODE, "%s field tag at byte %zu",
				 r == -1 ? "truncated" : "over-long", f->at);
	f->num = key >> 3;
	f->wt = key & 7;
	if (f->num == 0 || f->num > 0x1fffffff)
		return set_error(p, PPROFC_ERR_DECODE, "invalid field number %llu at byte %zu",
				 (unsigned long long)f->num, f->at);
	f->v = 0;
	f->payload = cur;
	f->len = 0;
	switch (f->wt) {
	case WT_VARINT:
		if ((r = varint_read(&cur, end, &f->v)))
			return set_error(p, PPROFC_ERR_DECODE,
					 "%s varint in field %llu at byte %zu",
					 r == -1 ? "truncated" : "over-long (more than 10 bytes)",
					 (unsigned long long)f->num, f->at);
		break;
	case WT_I64:
	case WT_I32:
		f->len = f->wt == WT_I64 ? 8 : 4;
		if ((size_t)(end - cur) < f->len)
			return set_error(p, PPROFC_ERR_DECODE,
					 "truncated fixed-size field %llu at byte %zu",
					 (unsigned long long)f->num, f->at);
		cur += f->len;
		break;
	case WT_LEN:
		return len_field(d, f, cur, end);
	default:
		return set_error(p, PPROFC_ERR_DECODE,
				 "unsupported wire type %u in field %llu at byte %zu", f->wt,
				 (unsigned long long)f->num, f->at);
	}
	d->off = (size_t)(cur - p->buf);
	return PPROFC_OK;
}

/*
 * After an early sample. Its stack waits in d->pend, its slot in the stack
 * table prefetched: a batch is interned at once so that those cache misses
 * overlap (see early_sample). Every 4096 samples the batch is flushed and
 * the pages behind are given back -- flushed first, because the bytes of a
 * waiting sample are kept should it turn late.
 */
static pprofc_status after_early_sample(decoder *d, bool *early)
{
	pprofc_status st = PPROFC_OK;
	bool behind = (d->p->nsamples & 4095) == 0;
	if (behind || d->npend == d->batch)
		st = flush_pending(d, early);
	if (behind)
		release_behind(d, d->off);
	return st;
}

/* A sample (field 2): decoded now when the early path takes it, else kept
 * as a span for decode_samples(), and so is every one after it. */
static pprofc_status take_sample(decoder *d, const pfield *f, size_t poff, bool *early)
{
	pprofc_profile *p = d->p;
	if (p->nsamples >= p->limits[PPROFC_LIMIT_SAMPLES])
		return over_limit(p, PPROFC_LIMIT_SAMPLES, "samples");
	if (*early && early_sample(d, f->payload, f->len, poff)) {
		p->nsamples++;
		return after_early_sample(d, early);
	}
	pprofc_status st = PPROFC_OK;
	if (*early)
		st = flush_pending(d, early);
	*early = false;
	if (st == PPROFC_OK)
		st = add_span(p, &p->sample_spans, &p->nsamples_late, &p->cap_sample_spans, poff,
			      f->len, "samples");
	p->nsamples++;
	return st;
}

/* A string (field 6): a span of the buffer until model_resolve() copies it. */
static pprofc_status take_string(pprofc_profile *p, const pfield *f, size_t poff)
{
	if (p->nstrings >= p->limits[PPROFC_LIMIT_STRINGS])
		return over_limit(p, PPROFC_LIMIT_STRINGS, "strings");
	if (f->len > UINT32_MAX - 1)
		return set_error(p, PPROFC_ERR_LIMIT, "string at byte %zu is too long", f->at);
	return add_span(p, &p->strspans, &p->nstrings, &p->cap_strings, poff, f->len, "strings");
}

/* One comment (a string index), in either encoding of field 13. */
static pprofc_status push_comment(pprofc_profile *p, uint64_t v)
{
	int64_t *c = PUSH(p, comments, ncomments, cap_comments);
	if (!c)
		return oom(p, "comments");
	*c = (int64_t)v;
	return PPROFC_OK;
}

/* Comments (field 13): one varint, or a packed run of them. */
static pprofc_status take_comments(pprofc_profile *p, const pfield *f)
{
	if (f->wt == WT_VARINT)
		return push_comment(p, f->v);
	const unsigned char *q = f->payload, *qend = f->payload + f->len;
	pprofc_status st = PPROFC_OK;
	while (q < qend && st == PPROFC_OK) {
		uint64_t cv;
		if (varint_read(&q, qend, &cv))
			return set_error(p, PPROFC_ERR_DECODE,
					 "malformed packed comment at byte %zu", f->at);
		st = push_comment(p, cv);
	}
	return st;
}

/* time_nanos (field 9): two of them mean two profiles were concatenated;
 * google/pprof refuses those too. */
static pprofc_status take_time(pprofc_profile *p, const pfield *f)
{
	pprofc_status st = PPROFC_OK;
	if (p->has_time_nanos)
		st = set_error(p, PPROFC_ERR_INVALID,
			       "time_nanos appears twice (concatenated profiles?)");
	p->has_time_nanos = true;
	p->time_nanos = (int64_t)f->v;
	return st;
}

/* A field into the model. Unknown fields are skipped, as protobuf
 * requires; known ones must carry their declared wire type (comment, 13,
 * may be packed or not). */
static pprofc_status take_field(decoder *d, const pfield *f, bool *early)
{
	pprofc_profile *p = d->p;
	if (f->num > 15)
		return PPROFC_OK;
	unsigned want = (f->num <= 6 || f->num == 11) ? WT_LEN : WT_VARINT;
	if (f->wt != want && !(f->num == 13 && f->wt == WT_LEN))
		return set_error(p, PPROFC_ERR_DECODE,
				 "field %s at byte %zu has wire type %u, expected %u",
				 field_names[f->num], f->at, f->wt, want);
	size_t poff = (size_t)(f->payload - p->buf);
	switch (f->num) {
	case 1: {
		value_type *vt = PUSH(p, sample_types, nsample_types, cap_sample_types);
		return vt ? add_value_type(d, f->payload, f->len, f->at, vt)
			  : oom(p, "sample types");
	}
	case 2:
		return take_sample(d, f, poff, early);
	case 3:
		return add_mapping(d, f->payload, f->len, f->at);
	case 4:
		if (p->nlocations >= p->limits[PPROFC_LIMIT_LOCATIONS])
			return over_limit(p, PPROFC_LIMIT_LOCATIONS, "locations");
		return add_location(d, f->payload, f->len, f->at);
	case 5:
		if (p->nfunctions >= p->limits[PPROFC_LIMIT_FUNCTIONS])
			return over_limit(p, PPROFC_LIMIT_FUNCTIONS, "functions");
		return add_function(d, f->payload, f->len, f->at);
	case 6:
		return take_string(p, f, poff);
	case 7:
		p->drop_frames = (int64_t)f->v;
		break;
	case 8:
		p->keep_frames = (int64_t)f->v;
		break;
	case 9:
		return take_time(p, f);
	case 10:
		p->duration_nanos = (int64_t)f->v;
		break;
	case 11:
		return add_value_type(d, f->payload, f->len, f->at, &p->period_type);
	case 12:
		p->period = (int64_t)f->v;
		break;
	case 13:
		return take_comments(p, f);
	case 14:
		p->default_sample_type = (int64_t)f->v;
		break;
	case 15:
		p->doc_url = (int64_t)f->v;
		break;
	}
	return PPROFC_OK;
}

pprofc_status decode_profile(pprofc_profile *p, stream *in)
{
	decoder d;
	decoder_init(&d, p);
	d.batch = lib_tuning.decode_batch < PEND_MAX ? lib_tuning.decode_batch : PEND_MAX;
	d.in = in;
	d.page = (size_t)sysconf(_SC_PAGESIZE);
	bool early = lib_tuning.decode_early, more = true;
	pprofc_status st = PPROFC_OK;
	pfield f = { 0 };
	while (st == PPROFC_OK && more) {
		st = next_field(&d, &f, &more);
		if (st == PPROFC_OK && more)
			st = take_field(&d, &f, &early);
	}
	if (st == PPROFC_OK && d.npend)
		st = flush_pending(&d, &early);
	decoder_free(&d);
	return st;
}

/* A per-sample limit (stack depth, labels): true, with the message set and
 * the limit recorded, when sample i has more than the limit allows. */
static bool over_sample_limit(pprofc_profile *p, size_t i, size_t n, pprofc_limit which,
			      const char *what)
{
	if (n <= p->limits[which])
		return false;
	err_set_limit(&p->err, PPROFC_ERR_LIMIT, (int)which,
		      "sample %zu has %zu %s, more than the limit of %llu", i, n, what,
		      (unsigned long long)p->limits[which]);
	return true;
}

/* The strings a label of sample i refers to exist. */
static bool check_label_strs(pprofc_profile *p, int64_t key, int64_t str, int64_t num_unit,
			     size_t i)
{
	return model_check_str(p, key, "label key in sample", i) &&
	       model_check_str(p, str, "label value in sample", i) &&
	       model_check_str(p, num_unit, "label unit in sample", i);
}

/*
 * The checks early samples skipped, in the order decode_samples() makes
 * them, so the first failing sample and its message are the same as if it
 * had decoded them all: values per sample type, then (in one sample)
 * location ids before label strings. Maps their stacks to indices.
 */
static pprofc_status finish_early(pprofc_profile *p)
{
	size_t k = p->nearly;
	if (!k)
		return PPROFC_OK;
	if (p->early_ntypes != p->nsample_types)
		return set_error(p, PPROFC_ERR_INVALID,
				 "sample 0 has %zu values, but the profile has %zu sample types",
				 p->early_ntypes, p->nsample_types);
	uint64_t bad_id = 0;
	uint32_t bad_stack;
	pprofc_status st = model_map_stacks(p, &bad_stack, &bad_id);
	if (st != PPROFC_OK)
		return st;
	size_t first = k;
	if (bad_stack != NONE)
		for (size_t i = 0; i < k; i++)
			if (p->sample_stack[i] == bad_stack) {
				first = i;
				break;
			}
	for (size_t i = 0; i < first; i++)
		for (uint32_t j = p->label_off[i]; j < p->label_off[i + 1]; j++) {
			const label *l = &p->labels[j];
			if (!check_label_strs(p, l->key, l->str, l->num_unit, i))
				return PPROFC_ERR_INVALID;
		}
	if (first < k)
		return set_error(p, PPROFC_ERR_INVALID,
				 "location id %llu in sample %zu does not exist",
				 (unsigned long long)bad_id, first);
	return PPROFC_OK;
}

/* Room for every sample's values, stack and label offsets. */
static bool reserve_samples(pprofc_profile *p, size_t n, size_t ntypes)
{
	return !((n && ntypes &&
		  !vec_reserve(&p->mem, (void **)&p->values, &p->cap_values, n * ntypes,
			       sizeof(int64_t))) ||
		 (n && !vec_reserve(&p->mem, (void **)&p->sample_stack, &p->cap_sample_stack, n,
				    sizeof(uint32_t))) ||
		 !vec_reserve(&p->mem, (void **)&p->label_off, &p->cap_label_off, n + 1,
			      sizeof(uint32_t)));
}

/* A late sample's message, checked and unpacked by protobuf-c. */
static pprofc_status unpack_sample(decoder *d, const span *sp, Perftools__Profiles__Sample **ret)
{
	pprofc_profile *p = d->p;
	bool empty_packed = false;
	const unsigned char *msg = p->buf + sp->off;
	size_t msglen = sp->len;
	const char *bad = prescan(msg, msglen, 3, 0, &empty_packed);
	if (bad)
		return set_error(p, PPROFC_ERR_DECODE, "malformed Sample message at byte %zu: %s",
				 sp->off, bad);
	if (empty_packed && !(msg = strip_empty_packed(&d->arena, msg, &msglen)))
		return oom(p, "a sample");
	*ret = perftools__profiles__sample__unpack(&d->alloc, msglen, msg);
	return *ret ? PPROFC_OK : submsg_error(d, "Sample", sp->off);
}

/* Sample i's stack: its location ids to indices, interned. */
static pprofc_status late_stack(decoder *d, const Perftools__Profiles__Sample *m, size_t i)
{
	pprofc_profile *p = d->p;
	if (!vec_reserve(&p->mem, (void **)&d->locs, &d->cap_locs, m->n_location_id + 1,
			 sizeof(*d->locs)))
		return oom(p, "a stack");
	for (size_t k = 0; k < m->n_location_id; k++) {
		uint32_t li = model_location_index(p, m->location_id[k]);
		if (li == NONE)
			return set_error(p, PPROFC_ERR_INVALID,
					 "location id %llu in sample %zu does not exist",
					 (unsigned long long)m->location_id[k], i);
		d->locs[k] = li;
	}
	return model_intern_stack(p, d->locs, m->n_location_id, &p->sample_stack[i]);
}

/* Sample i's labels, appended after their strings are checked. */
static pprofc_status late_labels(pprofc_profile *p, const Perftools__Profiles__Sample *m, size_t i)
{
	if (p->nlabels + m->n_label > UINT32_MAX - 1)
		return set_error(p, PPROFC_ERR_LIMIT, "too many labels");
	if (!vec_reserve(&p->mem, (void **)&p->labels, &p->cap_labels, p->nlabels + m->n_label,
			 sizeof(*p->labels)))
		return oom(p, "labels");
	for (size_t k = 0; k < m->n_label; k++) {
		const Perftools__Profiles__Label *l = m->label[k];
		if (!check_label_strs(p, l->key, l->str, l->num_unit, i))
			return PPROFC_ERR_INVALID;
		p->labels[p->nlabels++] = (label){ l->key, l->str, l->num, l->num_unit };
	}
	return PPROFC_OK;
}

/* Sample i, which the walk left as a span: decoded with every check. */
static pprofc_status late_sample(decoder *d, size_t i)
{
	pprofc_profile *p = d->p;
	size_t ntypes = p->nsample_types;
	Perftools__Profiles__Sample *m;
	pprofc_status st = unpack_sample(d, &p->sample_spans[i - p->nearly], &m);
	if (st != PPROFC_OK)
		return st;
	if (m->n_value != ntypes)
		return set_error(p, PPROFC_ERR_INVALID,
				 "sample %zu has %zu values, but the profile has %zu sample types",
				 i, m->n_value, ntypes);
	if (ntypes)
		memcpy(p->values + i * ntypes, m->value, ntypes * sizeof(int64_t));
	if (over_sample_limit(p, i, m->n_location_id, PPROFC_LIMIT_DEPTH, "locations") ||
	    over_sample_limit(p, i, m->n_label, PPROFC_LIMIT_LABELS, "labels"))
		return PPROFC_ERR_LIMIT;
	st = late_stack(d, m, i);
	if (st == PPROFC_OK && m->n_label)
		st = late_labels(p, m, i);
	p->label_off[i + 1] = (uint32_t)p->nlabels;
	arena_reset(&d->arena);
	return st;
}

/*
 * Late samples are decoded in the order they appear, and by now strings,
 * locations and functions have been copied out of the buffer: the part
 * behind sample i is never read again. Giving its pages back (every 4096
 * samples, 4 MiB at least, and only while the spans go forward) keeps the
 * peak near the buffer's size instead of the buffer plus the model.
 */
static void release_late(pprofc_profile *p, size_t i, size_t page, uintptr_t *released)
{
	const span *sp = &p->sample_spans[i - p->nearly];
	if ((i & 4095) != 4095 || i + 1 >= p->nsamples || sp[1].off <= sp->off)
		return;
	uintptr_t upto = (uintptr_t)(p->buf + sp->off) & ~(uintptr_t)(page - 1);
	if (upto > *released + (4u << 20)) {
		madvise((void *)*released, upto - *released, MADV_DONTNEED);
		*released = upto;
	}
}

pprofc_status decode_samples(pprofc_profile *p)
{
	size_t ntypes = p->nsample_types;
	size_t n = p->nsamples;
	if (n > UINT32_MAX - 1)
		return set_error(p, PPROFC_ERR_LIMIT, "too many samples (%zu)", n);
	if (n && ntypes > SIZE_MAX / sizeof(int64_t) / n)
		return oom(p, "sample values");
	pprofc_status st = finish_early(p);
	if (st != PPROFC_OK)
		return st;
	if (!reserve_samples(p, n, ntypes))
		return oom(p, "samples");
	if (p->nearly == 0)
		p->label_off[0] = 0;
	if (p->nearly == n)
		return PPROFC_OK;

	decoder d;
	decoder_init(&d, p);
	const size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t released = ((uintptr_t)p->buf + page - 1) & ~(uintptr_t)(page - 1);
	for (size_t i = p->nearly; i < n && st == PPROFC_OK; i++) {
		st = late_sample(&d, i);
		if (st == PPROFC_OK)
			release_late(p, i, page, &released);
	}
	decoder_free(&d);
	return st;
}
