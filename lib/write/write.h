/*
 * write: one file per output format; gzip.c deflates for proto.c.
 */
#ifndef PPROFC_WRITE_H
#define PPROFC_WRITE_H

#include "view/view.h"

/*
 * gzip.c: bytes -> one gzip member, given to the sink in chunks of about a
 * megabyte, deflated in blocks on two threads when there is more than one
 * block. Writes may go through gzw_write, or straight into the current
 * block: gzw_room gives its free space (0 after a failure), gzw_commit
 * counts what was put there. A failure (the sink's, as PPROFC_ERR_IO) is
 * kept, with the message set, and stops all further output; gzw_end
 * finishes the stream (when nothing failed), frees the writer and returns
 * the first failure.
 */
typedef struct gzwriter gzwriter;
pprofc_status gzw_begin(pprofc_profile *p, const pprofc_sink *sink, int level, gzwriter **ret);
void gzw_write(gzwriter *g, const void *data, size_t len);
unsigned char *gzw_room(gzwriter *g, size_t *ret_room);
void gzw_commit(gzwriter *g, size_t n);
pprofc_status gzw_status(const gzwriter *g);
pprofc_status gzw_end(gzwriter *g);

/*
 * writer.c: what every writer begins and ends with. writer_run checks the
 * sample index (WRITER_INDEX; the type's names then in w->type, w->sunit),
 * builds the frames at the profile's granularity (WRITER_FRAMES) and opens
 * the output over the sink in w->o; then runs body(w, ctx), which writes
 * and frees what it took; then finishes the output when the body returned
 * PPROFC_OK (a write that failed becomes PPROFC_ERR_IO; the output of a
 * body that failed is not flushed) and frees the rest. writer_run_graph
 * builds pprof's graph (in w->g) first. writer_nomem sets "out of memory
 * for WHAT", as `what` names it.
 */
enum { WRITER_INDEX = 1, WRITER_FRAMES = 2 | WRITER_INDEX };

typedef struct writer {
	pprofc_profile *p;
	budget *b;
	size_t index;
	const char *type, *sunit; /* the sample type's names (WRITER_INDEX) */
	frames f;		  /* WRITER_FRAMES */
	graph g;		  /* writer_run_graph */
	out *o;
	const char *what;
	bool has_frames, has_graph;
} writer;

typedef pprofc_status (*writer_body)(writer *w, const void *ctx);

pprofc_status writer_run(pprofc_profile *p, size_t index, int flags, const char *what,
			 const pprofc_sink *sink, writer_body body, const void *ctx);
pprofc_status writer_run_graph(pprofc_profile *p, const graph_opts *go, const char *what,
			       const pprofc_sink *sink, writer_body body, const void *ctx);
pprofc_status writer_nomem(writer *w);
/* The caller's options (opt, may be NULL) as this library's structure
 * (*dst, dst_size bytes), under the rules of "Writers" in pprofc.h. */
pprofc_status writer_options(pprofc_profile *p, void *dst, size_t dst_size, const void *opt);
/* Declares `o` of `type`, the caller's options, at the top of a public
 * writer, returning the failure (as systemd's assert_return) so that each
 * writer is only what differs. */
#define WRITER_OPTIONS(type, o, p, opt)                                             \
	type o;                                                                     \
	do {                                                                        \
		pprofc_status o##_st = writer_options((p), &(o), sizeof(o), (opt)); \
		if (o##_st != PPROFC_OK)                                            \
			return o##_st;                                              \
	} while (0)

/* A sample's labels as sorted lines (raw, traces): the keys by text, the
 * lines and room for one sample's labels. */
typedef struct label_lines {
	pprofc_profile *p;
	label_keys keys;
	linebuf lb;
	lab_ref *refs;
	size_t cap;
} label_lines;

/* How a key's labels on a sample make a line: the key's part, then the
 * labels joined by spaces, strings escaped, numbers by num (any_unit:
 * whether one of the key's labels on the sample has a unit), then end;
 * the lines sorted, then written after `lead` joined by spaces into one
 * line, or (lead NULL) each a line. */
typedef struct label_form {
	bool (*key)(linebuf *lb, const pstr *key);
	bool (*num)(linebuf *lb, const pprofc_profile *p, const label_keys *lk, const lab_ref *r,
		    bool any_unit);
	const char *end; /* with the line's '\n' */
	const char *lead;
} label_form;

/* With units, each numeric key's unit found too. false when out of
 * memory; label_lines_finish is due either way. */
bool label_lines_init(label_lines *ll, pprofc_profile *p, bool units);
/* The labels of `kind` of sample i into o, as `form` says.
 * PPROFC_ERR_NOMEM, the error set, when out of memory. */
pprofc_status label_lines_put(label_lines *ll, out *o, size_t i, int kind, const label_form *form);
void label_lines_finish(label_lines *ll);

#endif /* PPROFC_WRITE_H */
