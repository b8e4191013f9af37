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

#include "internal.h"
#include "units.h"

#define SEPARATOR "-----------+-------------------------------------------------------\n"

static int64_t abs64(int64_t v)
{
	return v < 0 ? (int64_t)(0 - (uint64_t)v) : v;
}

/* As write_top.c's: v / d, v when d is 0, no trap on INT64_MIN / -1. */
static int64_t mean_of(int64_t v, int64_t d)
{
	if (d == 0)
		return v;
	if (d == -1)
		return (int64_t)(0 - (uint64_t)v);
	return v / d;
}

/* A growable text buffer for one sample's label lines, which are sorted as
 * whole lines before they are written (pprof sorts the formatted lines). */
typedef struct linebuf {
	budget *b;
	char *s;
	size_t n, cap;
	size_t *off; /* start of each line */
	size_t nlines, cap_off;
} linebuf;

static bool lb_put(linebuf *lb, const char *s, size_t len)
{
	if (!vec_reserve(lb->b, (void **)&lb->s, &lb->cap, lb->n + len + 1, 1))
		return false;
	memcpy(lb->s + lb->n, s, len);
	lb->n += len;
	return true;
}

/* Appends s with control bytes as \xHH, as out_name_escaped writes it. */
static bool lb_put_escaped(linebuf *lb, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != 0x7f)
			continue;
		char esc[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
		if (!lb_put(lb, s + start, i - start) || !lb_put(lb, esc, 4))
			return false;
		start = i + 1;
	}
	return lb_put(lb, s + start, len - start);
}

static bool lb_line(linebuf *lb)
{
	if (!vec_reserve(lb->b, (void **)&lb->off, &lb->cap_off, lb->nlines + 2, sizeof(size_t)))
		return false;
	lb->off[lb->nlines++] = lb->n;
	return true;
}

static int cmp_lines(const void *x, const void *y, void *ctx)
{
	const linebuf *lb = ctx;
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	/* Lines end in '\n', which sorts before every printable byte, so
	 * comparing up to the shorter line's newline is Go's string order. */
	for (;; a++, b++) {
		unsigned char ca = (unsigned char)lb->s[a], cb = (unsigned char)lb->s[b];
		if (ca != cb)
			return ca == '\n' ? -1 : cb == '\n' ? 1 : (ca < cb ? -1 : 1);
		if (ca == '\n')
			return 0;
	}
}

/* Characters of an escaped name as Go's %10s counts them (runes). */
static size_t name_width(const char *s, size_t len)
{
	size_t w = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch == 0x7f)
			w += 4;
		else if ((ch & 0xc0) != 0x80)
			w++;
	}
	return w;
}

typedef struct lab_ref {
	uint32_t key; /* key id */
	uint32_t idx; /* index into p->labels */
} lab_ref;

static int cmp_lab(const void *x, const void *y, void *ctx)
{
	(void)ctx;
	const lab_ref *a = x, *b = y;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/*
 * The label lines of sample i of one kind, sorted, into o: a line per key,
 * its values in the order the sample has them.
 */
static pprofc_status label_lines(out *o, pprofc_profile *p, label_keys *lk, linebuf *lb,
				 lab_ref **refs, size_t *cap_refs, size_t i, int kind)
{
	size_t n = 0;
	for (uint32_t j = p->label_off[i]; j < p->label_off[i + 1]; j++) {
		const label *l = &p->labels[j];
		if (label_kind(l) != kind)
			continue;
		uint32_t id = label_keys_intern(lk, model_str(p, l->key));
		if (id == NONE ||
		    !vec_reserve(&p->mem, (void **)refs, cap_refs, n + 1, sizeof(lab_ref)))
			return set_error(p, PPROFC_ERR_NOMEM, "out of memory for labels");
		(*refs)[n++] = (lab_ref){ id, j };
	}
	if (!n)
		return PPROFC_OK;
	lab_ref *r = *refs;
	if (!sort_ctx(&p->mem, r, n, sizeof(lab_ref), cmp_lab, NULL))
		return set_error(p, PPROFC_ERR_NOMEM, "out of memory for labels");
	lb->n = lb->nlines = 0;
	for (size_t a = 0; a < n;) {
		const pstr *key = lk->keys[r[a].key];
		size_t w = name_width(key->s, key->len);
		bool ok = lb_line(lb);
		for (; ok && w < 10; w++)
			ok = lb_put(lb, " ", 1);
		ok = ok && lb_put_escaped(lb, key->s, key->len) && lb_put(lb, ":  ", 3);
		size_t b = a;
		for (; ok && b < n && r[b].key == r[a].key; b++) {
			const label *l = &p->labels[r[b].idx];
			if (b > a)
				ok = lb_put(lb, " ", 1);
			if (kind == LABEL_STRING) {
				const pstr *v = model_str(p, l->str);
				ok = ok && lb_put_escaped(lb, v->s, v->len);
			} else {
				char num[64];
				units_label(num, sizeof(num), l->num, label_keys_unit(lk, r[a].key),
					    "auto");
				ok = ok && lb_put(lb, num, strlen(num));
			}
		}
		if (!ok || !lb_put(lb, "\n", 1))
			return set_error(p, PPROFC_ERR_NOMEM, "out of memory for labels");
		a = b;
	}
	if (!sort_ctx(&p->mem, lb->off, lb->nlines, sizeof(size_t), cmp_lines, lb))
		return set_error(p, PPROFC_ERR_NOMEM, "out of memory for labels");
	for (size_t k = 0; k < lb->nlines; k++) {
		const char *s = lb->s + lb->off[k];
		const char *nl = memchr(s, '\n', (size_t)(lb->s + lb->n - s));
		out_write(o, s, (size_t)(nl - s) + 1);
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
		out_str(o, "{\"sample_type\": ");
		out_json_str(o, type, strlen(type));
		out_str(o, ", \"unit\": ");
		out_json_str(o, sunit, strlen(sunit));
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
		int64_t total = 0, div = 0;
		for (size_t i = 0; i < p->nsamples; i++) {
			total = wadd(total, abs64(p->values[i * nt + index]));
			div = wadd(div, p->values[i * nt]);
		}
		if (opt->mean)
			total = mean_of(total, div);
		report_header(o, p, type, opt->mean, sunit, ounit, total);
	}

	for (size_t i = 0; i < p->nsamples && !o->failed; i++) {
		int64_t v = p->values[i * nt + index];
		if (opt->mean)
			v = mean_of(v, p->values[i * nt]);
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
	st = out_finish(o, p);

done:
	budget_free(b, o);
	budget_free(b, lb.s);
	budget_free(b, lb.off);
	budget_free(b, refs);
	if (keys_ok)
		label_keys_finish(&lk);
	frames_finish(&f);
	return st;
}
