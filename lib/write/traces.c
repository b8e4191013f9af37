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

/*
 * The label lines of sample i of one kind, sorted, into o: a line per key,
 * its values in the order the sample has them.
 */
static pprofc_status label_lines(out *o, pprofc_profile *p, label_keys *lk, linebuf *lb,
				 lab_ref **refs, size_t *cap_refs, size_t i, int kind)
{
	size_t n = label_refs(lk, i, kind, refs, cap_refs);
	if (n == SIZE_MAX)
		return set_error(p, PPROFC_ERR_NOMEM, "out of memory for labels");
	if (!n)
		return PPROFC_OK;
	lab_ref *r = *refs;
	lb->n = lb->nlines = 0;
	for (size_t a = 0; a < n;) {
		const pstr *key = lk->keys[r[a].key];
		size_t w = label_text_width(key->s, key->len);
		bool ok = linebuf_line(lb);
		for (; ok && w < 10; w++)
			ok = linebuf_put(lb, " ", 1);
		ok = ok && linebuf_put_escaped(lb, key->s, key->len) && linebuf_put(lb, ":  ", 3);
		size_t b = a;
		for (; ok && b < n && r[b].key == r[a].key; b++) {
			const label *l = &p->labels[r[b].idx];
			if (b > a)
				ok = linebuf_put(lb, " ", 1);
			if (kind == LABEL_STRING) {
				const pstr *v = model_str(p, l->str);
				ok = ok && linebuf_put_escaped(lb, v->s, v->len);
			} else {
				char num[64];
				units_label(num, sizeof(num), l->num, label_keys_unit(lk, r[a].key),
					    "auto");
				ok = ok && linebuf_put(lb, num, strlen(num));
			}
		}
		if (!ok || !linebuf_put(lb, "\n", 1))
			return set_error(p, PPROFC_ERR_NOMEM, "out of memory for labels");
		a = b;
	}
	if (!linebuf_sort(lb))
		return set_error(p, PPROFC_ERR_NOMEM, "out of memory for labels");
	for (size_t k = 0; k < lb->nlines; k++) {
		size_t len;
		const char *text = linebuf_get(lb, k, &len);
		out_write(o, text, len + 1);
	}
	return PPROFC_OK;
}

static void json_labels(out *o, pprofc_profile *p, size_t i)
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

pprofc_status pprofc_write_traces(pprofc_profile *p, const pprofc_traces_options *opt,
				  const pprofc_sink *sink)
{
	size_t index = opt->sample_index, nt = p->nsample_types;
	frames f;
	pprofc_status st = frames_begin(p, index, &f);
	if (st != PPROFC_OK)
		return st;
	budget *b = &p->mem;
	const char *ounit = opt->unit && *opt->unit ? opt->unit : "minimum";
	label_keys lk;
	linebuf lb = { .b = b };
	lab_ref *refs = NULL;
	size_t cap_refs = 0;
	out *o = budget_alloc(b, sizeof(out));
	bool keys_ok = label_keys_init(&lk, p);
	if (!o || !keys_ok || !label_keys_scan_units(&lk)) {
		keys_ok = true; /* initialised, if not complete: finish it */
		st = set_error(p, PPROFC_ERR_NOMEM, "out of memory for the traces");
		goto done;
	}
	out_init(o, sink);
	const char *type = model_str(p, p->sample_types[index].type)->s;
	const char *sunit = model_str(p, p->sample_types[index].unit)->s;

	if (opt->json) {
		report_json_head(o, type, sunit);
		if (opt->mean)
			out_str(o, ", \"mean\": true");
		out_str(o, ", \"sample_types\": [");
		for (size_t t = 0; t < nt; t++) {
			const pstr *ty = model_str(p, p->sample_types[t].type);
			const pstr *un = model_str(p, p->sample_types[t].unit);
			out_str(o, t ? ", {\"type\": " : "{\"type\": ");
			out_json_str(o, ty->s, ty->len);
			out_str(o, ", \"unit\": ");
			out_json_str(o, un->s, un->len);
			out_char(o, '}');
		}
		out_str(o, "], \"samples\": [");
	} else {
		/* pprof's total: sum of |value|, with --mean over the sum of
		 * the first values. */
		int64_t total, div;
		report_totals(p, index, &total, &div);
		if (opt->mean)
			total = report_mean(total, div);
		report_header(o, p, type, opt->mean, sunit, ounit, total);
	}

	for (size_t i = 0; i < p->nsamples && !o->failed; i++) {
		int64_t v = p->values[i * nt + index];
		if (opt->mean)
			v = report_mean(v, p->values[i * nt]);
		uint32_t s = p->sample_stack[i];
		uint32_t begin = p->stack_off[s], end = p->stack_off[s + 1];
		if (opt->json) {
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
			for (uint32_t j = begin; j < end; j++) {
				uint32_t li = p->stack_locs[j];
				for (uint32_t k = f.loc_off[li]; k < f.loc_off[li + 1]; k++) {
					const pstr *name = &f.nodes[f.frames[k].node].name;
					out_str(o, first ? "{\"name\": " : ", {\"name\": ");
					first = false;
					out_json_str(o, name->s, name->len);
					out_str(o, ", \"location\": ");
					out_u64(o, p->locations[li].id);
					if (k + 1 < f.loc_off[li + 1])
						out_str(o, ", \"inline\": true");
					out_char(o, '}');
				}
			}
			out_str(o, "]}");
			continue;
		}
		out_str(o, SEPARATOR);
		st = label_lines(o, p, &lk, &lb, &refs, &cap_refs, i, LABEL_STRING);
		if (st == PPROFC_OK)
			st = label_lines(o, p, &lk, &lb, &refs, &cap_refs, i, LABEL_NUMERIC);
		if (st != PPROFC_OK)
			goto done;
		char val[64];
		units_label(val, sizeof(val), v, sunit, ounit);
		bool first = true;
		if (begin == end) {
			const pstr *name = &f.nodes[f.nostack].name;
			out_fmt(o, "%10s   ", val);
			out_name_escaped(o, name->s, name->len);
			out_char(o, '\n');
		}
		for (uint32_t j = begin; j < end; j++) {
			uint32_t li = p->stack_locs[j];
			for (uint32_t k = f.loc_off[li]; k < f.loc_off[li + 1]; k++) {
				const pstr *name = &f.nodes[f.frames[k].node].name;
				out_fmt(o, "%10s   ", first ? val : "");
				first = false;
				out_name_escaped(o, name->s, name->len);
				if (k + 1 < f.loc_off[li + 1])
					out_str(o, " (inline)");
				out_char(o, '\n');
			}
		}
	}
	if (opt->json)
		out_str(o, p->nsamples ? "\n]}\n" : "]}\n");
	else
		out_str(o, SEPARATOR);
	st = out_finish(o, &p->err);

done:
	budget_free(b, o);
	linebuf_finish(&lb);
	budget_free(b, refs);
	if (keys_ok)
		label_keys_finish(&lk);
	frames_finish(&f);
	return st;
}
