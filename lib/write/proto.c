/*
 * proto: the model written back as a gzipped profile.proto, the format
 * every pprof reader takes, so that a filtered (and, later, merged) profile
 * can go back to go tool pprof, to pprofc or to any other viewer.
 *
 * What is written is the model as it stands: filters edit it in place
 * (dropped samples, trimmed stacks, hidden lines), so their result is what
 * the file holds. Ids are the file's own, the string table is the model's
 * as it is (index 0 ""), samples keep their order and their labels
 * (num_unit included), mappings their has_* flags, locations is_folded.
 * Nothing is merged, renumbered or dropped here.
 *
 * Memory stays small whatever the profile's size: the Profile message is
 * never built whole. Each sub-message (a Sample, a Location...) is set up
 * in a reused protobuf-c struct that points into the model, sized, and
 * packed straight into the gzip writer's current block (gzip.c) behind its
 * field tag and length; blocks are deflated as they fill and go to the
 * sink in large chunks. The top-level fields that are not messages
 * (strings, scalars, packed comments) are encoded by hand: a string may
 * hold NUL bytes, which protobuf-c's char * strings cannot.
 */
#include <string.h>

#include <protobuf-c/protobuf-c.h>

#include "core/varint.h"
#include "write/write.h"
#include "profile.pb-c.h"

/*
 * zlib's level: 1, gzip.BestSpeed, which is what the Go runtime writes its
 * own profiles with (google/pprof's Profile.Write uses the default, 6).
 * Higher levels cost much more CPU for a file only a little smaller (the
 * figures are in docs/performance.md): these files are written to be
 * read again, not archived.
 */
#ifndef PROTO_GZIP_LEVEL /* -DPROTO_GZIP_LEVEL=N: to measure another */
#define PROTO_GZIP_LEVEL 1
#endif

enum { WT_VARINT = 0, WT_LEN = 2 };

typedef struct penc {
	ProtobufCBuffer pb; /* first: protobuf-c's append lands in gzw_write */
	pprofc_profile *p;
	gzwriter *gz;
	/* reused sub-message parts */
	uint64_t *ids;
	size_t cap_ids;
	Perftools__Profiles__Label *labs, **labp;
	size_t cap_labs, cap_labp;
	Perftools__Profiles__Line *lines, **linep;
	size_t cap_lines, cap_linep;
	pprofc_status st; /* out of memory here; the gzip stream keeps its own */
} penc;

static bool failed(const penc *e)
{
	return e->st != PPROFC_OK || gzw_status(e->gz) != PPROFC_OK;
}

static void put(penc *e, const void *data, size_t len)
{
	gzw_write(e->gz, data, len);
}

static void pb_append(ProtobufCBuffer *b, size_t len, const uint8_t *data)
{
	put((penc *)b, data, len);
}

static void put_varint(penc *e, uint64_t v)
{
	unsigned char tmp[10];
	put(e, tmp, (size_t)(varint_put(tmp, v) - tmp));
}

static void put_tag(penc *e, unsigned field, unsigned wire_type)
{
	put_varint(e, (uint64_t)field << 3 | wire_type);
}

/* A varint field; proto3 leaves zeros out (readers take absence as 0). */
static void put_scalar(penc *e, unsigned field, int64_t v)
{
	if (v == 0)
		return;
	put_tag(e, field, WT_VARINT);
	put_varint(e, (uint64_t)v);
}

/* A sub-message as field `field`: tag, length, then its bytes, packed in
 * place when they fit the gzip writer's block, else streamed through
 * protobuf-c's buffer interface. */
static void put_message(penc *e, unsigned field, const ProtobufCMessage *m)
{
	size_t size = protobuf_c_message_get_packed_size(m), room;
	unsigned char *d = gzw_room(e->gz, &room);
	if (room >= 20 && size <= room - 20) {
		unsigned char *q = varint_put(d, (uint64_t)field << 3 | WT_LEN);
		q = varint_put(q, size);
		size_t n = (size_t)(q - d) + protobuf_c_message_pack(m, q);
		gzw_commit(e->gz, n);
		return;
	}
	put_tag(e, field, WT_LEN);
	put_varint(e, size);
	protobuf_c_message_pack_to_buffer(m, &e->pb);
}

static void put_value_type(penc *e, unsigned field, const value_type *vt)
{
	Perftools__Profiles__ValueType m = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
	m.type = vt->type;
	m.unit = vt->unit;
	put_message(e, field, &m.base);
}

static pprofc_status nomem(penc *e, const char *what)
{
	return e->st = set_error(e->p, PPROFC_ERR_NOMEM, "out of memory for %s", what);
}

static void put_samples(penc *e)
{
	pprofc_profile *p = e->p;
	size_t nt = p->nsample_types;
	for (size_t i = 0; i < p->nsamples && !failed(e); i++) {
		Perftools__Profiles__Sample m = PERFTOOLS__PROFILES__SAMPLE__INIT;
		uint32_t s = p->sample_stack[i], from = p->stack_off[s], to = p->stack_off[s + 1];
		uint32_t lo = p->label_off[i], hi = p->label_off[i + 1];
		if (!vec_reserve(&p->mem, (void **)&e->ids, &e->cap_ids, to - from + 1,
				 sizeof(*e->ids)) ||
		    !vec_reserve(&p->mem, (void **)&e->labs, &e->cap_labs, hi - lo + 1,
				 sizeof(*e->labs)) ||
		    !vec_reserve(&p->mem, (void **)&e->labp, &e->cap_labp, hi - lo + 1,
				 sizeof(*e->labp))) {
			nomem(e, "a sample");
			return;
		}
		for (uint32_t j = from; j < to; j++)
			e->ids[j - from] = p->locations[p->stack_locs[j]].id;
		m.n_location_id = to - from;
		m.location_id = e->ids;
		m.n_value = nt;
		m.value = nt ? p->values + i * nt : NULL;
		for (uint32_t k = lo; k < hi; k++) {
			const label *l = &p->labels[k];
			Perftools__Profiles__Label *d = &e->labs[k - lo];
			perftools__profiles__label__init(d);
			d->key = l->key;
			d->str = l->str;
			d->num = l->num;
			d->num_unit = l->num_unit;
			e->labp[k - lo] = d;
		}
		m.n_label = hi - lo;
		m.label = e->labp;
		put_message(e, 2, &m.base);
	}
}

static void put_mappings(penc *e)
{
	pprofc_profile *p = e->p;
	for (size_t i = 0; i < p->nmappings && !failed(e); i++) {
		const mapping *src = &p->mappings[i];
		Perftools__Profiles__Mapping m = PERFTOOLS__PROFILES__MAPPING__INIT;
		m.id = src->id;
		m.memory_start = src->start;
		m.memory_limit = src->limit;
		m.file_offset = src->offset;
		m.filename = src->filename;
		m.build_id = src->build_id;
		m.has_functions = (src->flags & MAPPING_HAS_FUNCTIONS) != 0;
		m.has_filenames = (src->flags & MAPPING_HAS_FILENAMES) != 0;
		m.has_line_numbers = (src->flags & MAPPING_HAS_LINE_NUMBERS) != 0;
		m.has_inline_frames = (src->flags & MAPPING_HAS_INLINE_FRAMES) != 0;
		put_message(e, 3, &m.base);
	}
}

static void put_locations(penc *e)
{
	pprofc_profile *p = e->p;
	for (size_t i = 0; i < p->nlocations && !failed(e); i++) {
		const location *src = &p->locations[i];
		Perftools__Profiles__Location m = PERFTOOLS__PROFILES__LOCATION__INIT;
		if (!vec_reserve(&p->mem, (void **)&e->lines, &e->cap_lines, src->nlines + 1,
				 sizeof(*e->lines)) ||
		    !vec_reserve(&p->mem, (void **)&e->linep, &e->cap_linep, src->nlines + 1,
				 sizeof(*e->linep))) {
			nomem(e, "a location");
			return;
		}
		m.id = src->id;
		/* A mapping id the file did not define is kept as it was: the
		 * location had it, and readers tolerate it as we do. */
		m.mapping_id =
			src->mapping != NONE ? p->mappings[src->mapping].id : src->mapping_id;
		m.address = src->address;
		m.is_folded = src->is_folded;
		for (uint32_t k = 0; k < src->nlines; k++) {
			const line *ln = &p->lines[src->line_off + k];
			Perftools__Profiles__Line *d = &e->lines[k];
			perftools__profiles__line__init(d);
			d->function_id = p->functions[ln->function].id;
			d->line = ln->line;
			d->column = ln->column;
			e->linep[k] = d;
		}
		m.n_line = src->nlines;
		m.line = e->linep;
		put_message(e, 4, &m.base);
	}
}

static void put_functions(penc *e)
{
	pprofc_profile *p = e->p;
	for (size_t i = 0; i < p->nfunctions && !failed(e); i++) {
		const function *src = &p->functions[i];
		Perftools__Profiles__Function m = PERFTOOLS__PROFILES__FUNCTION__INIT;
		m.id = src->id;
		m.name = src->name;
		m.system_name = src->system_name;
		m.filename = src->filename;
		m.start_line = src->start_line;
		put_message(e, 5, &m.base);
	}
}

static void put_strings(penc *e)
{
	pprofc_profile *p = e->p;
	for (size_t i = 0; i < p->nstrings && !failed(e); i++) {
		const pstr *s = &p->strings[i];
		put_tag(e, 6, WT_LEN);
		put_varint(e, s->len);
		put(e, s->s, s->len);
	}
}

/* Comments as one packed field, as google/pprof writes repeated ints. */
static void put_comments(penc *e)
{
	pprofc_profile *p = e->p;
	if (!p->ncomments)
		return;
	uint64_t len = 0;
	for (size_t i = 0; i < p->ncomments; i++)
		len += varint_len((uint64_t)p->comments[i]);
	put_tag(e, 13, WT_LEN);
	put_varint(e, len);
	for (size_t i = 0; i < p->ncomments; i++)
		put_varint(e, (uint64_t)p->comments[i]);
}

/* The Profile's fields in field-number order, as google/pprof's encoder
 * writes them. */
static void put_profile(penc *e)
{
	pprofc_profile *p = e->p;
	for (size_t i = 0; i < p->nsample_types; i++)
		put_value_type(e, 1, &p->sample_types[i]);
	put_samples(e);
	put_mappings(e);
	put_locations(e);
	put_functions(e);
	put_strings(e);
	put_scalar(e, 7, p->drop_frames);
	put_scalar(e, 8, p->keep_frames);
	put_scalar(e, 9, p->time_nanos);
	put_scalar(e, 10, p->duration_nanos);
	if (p->period_type.type || p->period_type.unit)
		put_value_type(e, 11, &p->period_type);
	put_scalar(e, 12, p->period);
	put_comments(e);
	put_scalar(e, 14, p->default_sample_type);
	put_scalar(e, 15, p->doc_url);
}

static void penc_finish(penc *e)
{
	budget_free_each(&e->p->mem, e->ids, e->labs, e->labp, e->lines, e->linep);
}

pprofc_status pprofc_write_proto(pprofc_profile *p, const pprofc_proto_options *opt,
				 const pprofc_sink *sink)
{
	WRITER_OPTIONS(pprofc_proto_options, o, p, opt);
	if (!p->loaded || !p->strings)
		return set_error(p, PPROFC_ERR_USAGE, "no profile loaded to write");
	penc e;
	memset(&e, 0, sizeof(e));
	e.pb.append = pb_append;
	e.p = p;
	e.st = gzw_begin(p, sink, PROTO_GZIP_LEVEL, &e.gz);
	if (e.st != PPROFC_OK)
		return e.st;
	put_profile(&e);
	pprofc_status gst = gzw_end(e.gz);
	pprofc_status st = e.st != PPROFC_OK ? e.st : gst;
	penc_finish(&e);
	return st;
}
