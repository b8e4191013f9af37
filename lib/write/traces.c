/*
 * traces: every sample on its own (`go tool pprof -traces`): its labels,
 * its value and its stack, leaf first, one block per sample between
 * separator lines, after pprof's header lines; or the same as JSON with
 * every value of every sample.
 *
 * The block is pprof's: string labels as "%10s:  v1 v2" lines, sorted, then
 * numeric ones (in their key's unit, auto-scaled); the value scaled on its
 * own (or in the unit asked for) on the leaf's line; " (inline)" after a
 * frame inlined into the next one.
 *
 * Deliberate differences: the samples are the file's, in its order. pprof
 * prints the samples of its merged profile: identical stacks with identical
 * labels summed into one block, samples whose values are all zero left out,
 * and samples without any location left out. Here every sample is a block
 * (a sample without locations shows the frame "[no stack]"), so the blocks
 * add up to the profile's total, as `top`'s rows do.
 */
#include <inttypes.h>
#include <string.h>

#include "write/write.h"

#define SEPARATOR "-----------+-------------------------------------------------------\n"

/* A key's labels as pprof's traces show them, a line each: "%10s:  v1 v2",
 * numbers in their key's unit. */
static bool label_key(linebuf *lb, const pstr *key)
{
	bool ok = true;
	for (size_t w = label_text_width(key->s, key->len); ok && w < 10; w++)
		ok = linebuf_put(lb, " ", 1);
	return ok && linebuf_put_escaped(lb, key->s, key->len) && linebuf_put(lb, ":  ", 3);
}

static bool label_num(linebuf *lb, const pprofc_profile *p, const label_keys *lk, const lab_ref *r,
		      bool any_unit)
{
	char num[64];
	units_label(num, sizeof(num), p->labels[r->idx].num, label_keys_unit(lk, r->key), "auto");
	return linebuf_put(lb, num, strlen(num));
}

static const label_form traces_labels = { label_key, label_num, "\n", NULL };

static void json_labels(out *o, const pprofc_profile *p, size_t i)
{
	out_str(o, ", \"labels\": [");
	bool first = true;
	for (uint32_t j = p->label_off[i]; j < p->label_off[i + 1]; j++) {
		const label *l = &p->labels[j];
		int kind = label_kind(l);
		if (kind == LABEL_IGNORED)
			continue;
		const pstr *key = model_str(p, l->key);
		out_str(o, first ? "{\"key\": " : ", {\"key\": ");
		first = false;
		out_json_str(o, key->s, key->len);
		if (kind == LABEL_STRING) {
			const pstr *v = model_str(p, l->str);
			out_str(o, ", \"str\": ");
			out_json_str(o, v->s, v->len);
		} else {
			const pstr *u = model_str(p, l->num_unit);
			out_str(o, ", \"num\": ");
			out_i64(o, l->num);
			out_str(o, ", \"unit\": ");
			out_json_str(o, u->s, u->len);
		}
		out_char(o, '}');
	}
	out_char(o, ']');
}

/* The JSON's head: the sample type chosen and all the types. */
static void json_head(writer *w, const pprofc_traces_options *opt)
{
	const pprofc_profile *p = w->p;
	out *o = w->o;
	report_json_head(o, w->type, w->sunit);
	if (opt->mean)
		out_str(o, ", \"mean\": true");
	out_str(o, ", \"sample_types\": [");
	for (size_t t = 0; t < p->nsample_types; t++) {
		const pstr *ty = model_str(p, p->sample_types[t].type);
		const pstr *un = model_str(p, p->sample_types[t].unit);
		out_str(o, t ? ", {\"type\": " : "{\"type\": ");
		out_json_str(o, ty->s, ty->len);
		out_str(o, ", \"unit\": ");
		out_json_str(o, un->s, un->len);
		out_char(o, '}');
	}
	out_str(o, "], \"samples\": [");
}

/* Sample i as JSON: its value (v), all its values, labels and frames. */
static void json_sample(writer *w, size_t i, int64_t v)
{
	const pprofc_profile *p = w->p;
	const frames *f = &w->f;
	out *o = w->o;
	size_t nt = p->nsample_types;
	uint32_t s = p->sample_stack[i];
	out_str(o, i ? ",\n  {\"value\": " : "\n  {\"value\": ");
	out_i64(o, v);
	out_str(o, ", \"values\": [");
	for (size_t t = 0; t < nt; t++) {
		if (t)
			out_str(o, ", ");
		out_i64(o, p->values[i * nt + t]);
	}
	out_char(o, ']');
	json_labels(o, p, i);
	out_str(o, ", \"stack\": [");
	bool first = true;
	for (uint32_t j = p->stack_off[s]; j < p->stack_off[s + 1]; j++) {
		uint32_t li = p->stack_locs[j];
		for (uint32_t k = f->loc_off[li]; k < f->loc_off[li + 1]; k++) {
			const pstr *name = &f->nodes[f->frames[k].node].name;
			out_str(o, first ? "{\"name\": " : ", {\"name\": ");
			first = false;
			out_json_str(o, name->s, name->len);
			out_str(o, ", \"location\": ");
			out_u64(o, p->locations[li].id);
			if (k + 1 < f->loc_off[li + 1])
				out_str(o, ", \"inline\": true");
			out_char(o, '}');
		}
	}
	out_str(o, "]}");
}

/* Sample i's frames, leaf first, its value `val` on the first line. */
static void text_stack(writer *w, size_t i, const char *val)
{
	const pprofc_profile *p = w->p;
	const frames *f = &w->f;
	out *o = w->o;
	uint32_t s = p->sample_stack[i];
	uint32_t begin = p->stack_off[s], end = p->stack_off[s + 1];
	bool first = true;
	if (begin == end) {
		const pstr *name = &f->nodes[f->nostack].name;
		out_fmt(o, "%10s   ", val);
		out_name_escaped(o, name->s, name->len);
		out_char(o, '\n');
	}
	for (uint32_t j = begin; j < end; j++) {
		uint32_t li = p->stack_locs[j];
		for (uint32_t k = f->loc_off[li]; k < f->loc_off[li + 1]; k++) {
			const pstr *name = &f->nodes[f->frames[k].node].name;
			out_fmt(o, "%10s   ", first ? val : "");
			first = false;
			out_name_escaped(o, name->s, name->len);
			if (k + 1 < f->loc_off[li + 1])
				out_str(o, " (inline)");
			out_char(o, '\n');
		}
	}
}

/* Every sample: as JSON, or as text blocks with their label lines. */
static pprofc_status put_samples(writer *w, const pprofc_traces_options *opt, label_lines *ll,
				 const char *ounit)
{
	pprofc_profile *p = w->p;
	out *o = w->o;
	size_t nt = p->nsample_types;
	pprofc_status st = PPROFC_OK;
	for (size_t i = 0; i < p->nsamples && !o->failed && st == PPROFC_OK; i++) {
		int64_t v = p->values[i * nt + w->index];
		if (opt->mean)
			v = report_mean(v, p->values[i * nt]);
		if (opt->json) {
			json_sample(w, i, v);
			continue;
		}
		out_str(o, SEPARATOR);
		st = label_lines_put(ll, o, i, LABEL_STRING, &traces_labels);
		if (st == PPROFC_OK)
			st = label_lines_put(ll, o, i, LABEL_NUMERIC, &traces_labels);
		if (st == PPROFC_OK) {
			char val[64];
			units_label(val, sizeof(val), v, w->sunit, ounit);
			text_stack(w, i, val);
		}
	}
	return st;
}

static pprofc_status write_traces(writer *w, const void *ctx)
{
	const pprofc_traces_options *opt = ctx;
	pprofc_profile *p = w->p;
	const char *ounit = opt->unit && *opt->unit ? opt->unit : "minimum";
	label_lines ll;
	if (!label_lines_init(&ll, p, true)) {
		label_lines_finish(&ll);
		return writer_nomem(w);
	}
	if (opt->json) {
		json_head(w, opt);
	} else {
		/* pprof's total: sum of |value|, with --mean over the sum of
		 * the first values. */
		int64_t total, div;
		report_totals(p, w->index, &total, &div);
		if (opt->mean)
			total = report_mean(total, div);
		report_header(w->o, p, w->type, opt->mean, w->sunit, ounit, total);
	}
	pprofc_status st = put_samples(w, opt, &ll, ounit);
	if (st == PPROFC_OK)
		out_str(w->o, opt->json ? p->nsamples ? "\n]}\n" : "]}\n" : SEPARATOR);
	label_lines_finish(&ll);
	return st;
}

pprofc_status pprofc_write_traces(pprofc_profile *p, const pprofc_traces_options *opt,
				  const pprofc_sink *sink)
{
	WRITER_OPTIONS(pprofc_traces_options, o, p, opt);
	return writer_run(p, o.sample_index, WRITER_FRAMES, "the traces", sink, write_traces, opt);
}
