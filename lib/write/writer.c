/*
 * writer: the prologue and epilogue every output format shares (write.h):
 * the sample index checked, the frames built, the output opened, and at
 * the end the output finished and all of it freed, so that each writer is
 * only what it writes. And the label lines of a sample that raw and
 * traces both print, each in its own form.
 */
#include <string.h>

#include "write/write.h"

pprofc_status writer_nomem(writer *w)
{
	return set_error(w->p, PPROFC_ERR_NOMEM, "out of memory for %s", w->what);
}

pprofc_status writer_options(pprofc_profile *p, void *dst, size_t dst_size, const void *opt)
{
	memset(dst, 0, dst_size);
	*(size_t *)dst = dst_size;
	if (!opt)
		return PPROFC_OK;
	size_t size;
	memcpy(&size, opt, sizeof(size));
	if (size < sizeof(size_t))
		return set_error(p, PPROFC_ERR_USAGE,
				 "options of %zu bytes: their size field is not set", size);
	/* A newer caller's structure: what this library does not know must
	 * be unset, or the caller would be silently misread. */
	for (size_t i = dst_size; i < size; i++)
		if (((const unsigned char *)opt)[i])
			return set_error(p, PPROFC_ERR_USAGE,
					 "options of %zu bytes set a field past the %zu bytes "
					 "this library knows",
					 size, dst_size);
	memcpy((char *)dst + sizeof(size_t), (const char *)opt + sizeof(size_t),
	       (size < dst_size ? size : dst_size) - sizeof(size_t));
	return PPROFC_OK;
}

static pprofc_status writer_end(writer *w, pprofc_status st)
{
	if (st == PPROFC_OK)
		st = out_finish(w->o, &w->p->err);
	budget_free(w->b, w->o);
	if (w->has_frames)
		frames_finish(&w->f);
	if (w->has_graph)
		graph_finish(&w->g);
	return st;
}

/* The sample index checked, the frames built (flags), the output opened:
 * on failure, with the error set, nothing is held. */
static pprofc_status writer_begin(writer *w, int flags, const pprofc_sink *sink)
{
	pprofc_profile *p = w->p;
	if (flags & WRITER_INDEX) {
		if (w->index >= p->nsample_types)
			return set_error(p, PPROFC_ERR_USAGE, "sample index %zu out of range",
					 w->index);
		w->type = model_str(p, p->sample_types[w->index].type)->s;
		w->sunit = model_str(p, p->sample_types[w->index].unit)->s;
	}
	if ((flags & WRITER_FRAMES) == WRITER_FRAMES) {
		pprofc_status st = frames_build(p, &w->f);
		if (st != PPROFC_OK)
			return st;
		w->has_frames = true;
	}
	w->o = budget_alloc(w->b, sizeof(out));
	if (!w->o)
		return writer_end(w, writer_nomem(w));
	out_init(w->o, sink);
	return PPROFC_OK;
}

pprofc_status writer_run(pprofc_profile *p, size_t index, int flags, const char *what,
			 const pprofc_sink *sink, writer_body body, const void *ctx)
{
	writer w = { .p = p, .b = &p->mem, .index = index, .what = what };
	pprofc_status st = writer_begin(&w, flags, sink);
	if (st != PPROFC_OK)
		return st;
	return writer_end(&w, body(&w, ctx));
}

pprofc_status writer_run_graph(pprofc_profile *p, const graph_opts *go, const char *what,
			       const pprofc_sink *sink, writer_body body, const void *ctx)
{
	writer w = { .p = p, .b = &p->mem, .index = go->sample_index, .what = what };
	pprofc_status st = graph_build(p, go, &w.g);
	if (st != PPROFC_OK)
		return st;
	st = writer_begin(&w, WRITER_INDEX, sink);
	if (st != PPROFC_OK) {
		graph_finish(&w.g);
		return st;
	}
	w.has_graph = true;
	return writer_end(&w, body(&w, ctx));
}

bool label_lines_init(label_lines *ll, pprofc_profile *p, bool units)
{
	*ll = (label_lines){ .p = p, .lb = { .b = &p->mem } };
	return label_keys_init(&ll->keys, p) && (!units || label_keys_scan_units(&ll->keys));
}

/* The line of a key's labels r[0..n). */
static bool label_group(linebuf *lb, const pprofc_profile *p, const label_keys *lk,
			const lab_ref *r, size_t n, int kind, const label_form *form)
{
	bool any_unit = false;
	for (size_t k = 0; k < n; k++)
		any_unit |= p->labels[r[k].idx].num_unit != 0;
	bool ok = linebuf_line(lb) && form->key(lb, lk->keys[r[0].key]);
	for (size_t k = 0; ok && k < n; k++) {
		if (k)
			ok = linebuf_put(lb, " ", 1);
		if (kind == LABEL_STRING) {
			const pstr *v = model_str(p, p->labels[r[k].idx].str);
			ok = ok && linebuf_put_escaped(lb, v->s, v->len);
		} else {
			ok = ok && form->num(lb, p, lk, &r[k], any_unit);
		}
	}
	return ok && linebuf_put(lb, form->end, strlen(form->end));
}

/* The lines, sorted; false when out of memory. */
static bool make_lines(label_lines *ll, size_t n, int kind, const label_form *form)
{
	const lab_ref *r = ll->refs;
	ll->lb.n = ll->lb.nlines = 0;
	for (size_t a = 0; a < n;) {
		size_t b = a + 1;
		while (b < n && r[b].key == r[a].key)
			b++;
		if (!label_group(&ll->lb, ll->p, &ll->keys, r + a, b - a, kind, form))
			return false;
		a = b;
	}
	return linebuf_sort(&ll->lb);
}

pprofc_status label_lines_put(label_lines *ll, out *o, size_t i, int kind, const label_form *form)
{
	size_t n = label_refs(&ll->keys, i, kind, &ll->refs, &ll->cap);
	if (n == SIZE_MAX || (n && !make_lines(ll, n, kind, form)))
		return set_error(ll->p, PPROFC_ERR_NOMEM, "out of memory for labels");
	if (!n)
		return PPROFC_OK;
	const char *lead = form->lead;
	if (lead)
		out_str(o, lead);
	for (size_t k = 0; k < ll->lb.nlines; k++) {
		size_t len;
		const char *text = linebuf_get(&ll->lb, k, &len);
		if (lead && k)
			out_char(o, ' ');
		out_write(o, text, lead ? len : len + 1);
	}
	if (lead)
		out_char(o, '\n');
	return PPROFC_OK;
}

void label_lines_finish(label_lines *ll)
{
	linebuf_finish(&ll->lb);
	budget_free(&ll->p->mem, ll->refs);
	label_keys_finish(&ll->keys);
}
