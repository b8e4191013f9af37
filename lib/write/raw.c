/*
 * raw and comments: the profile as it is, for reading rather than for
 * analysis. `raw` follows `go tool pprof -raw` line for line (comments,
 * period, time, duration, sample types, samples with their values, location
 * ids and labels, locations with address, mapping and lines, mappings) and
 * adds a section pprof does not print: the functions. `comments` prints the
 * profile's comments one per line (`go tool pprof -comments`).
 *
 * Deliberate differences from pprof's -raw: this is the file's content.
 * pprof prints its merged, compacted copy: samples with the same locations
 * and labels summed, samples whose values are all zero and samples without
 * locations dropped, locations, functions and mappings renumbered in order
 * of first use and unused ones dropped. Control characters in names are
 * written as \xHH, so that one record stays on one line.
 */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "write/write.h"

static void name(out *o, const pprofc_profile *p, int64_t idx)
{
	const pstr *s = model_str(p, idx);
	out_name_escaped(o, s->s, s->len);
}

/* Go's time.Duration.String(), e.g. "1.5s", "2m3s", "250ms", "0s". */
static void go_duration(char *buf, size_t n, int64_t d)
{
	char tmp[64];
	size_t w = sizeof(tmp);
	tmp[--w] = '\0';
	uint64_t u = d < 0 ? 0 - (uint64_t)d : (uint64_t)d;
	/* the fraction of v / 10^prec, trailing zeros (and a bare point) left out */
#define FRAC(prec)                                              \
	do {                                                    \
		bool print = false;                             \
		for (int i_ = 0; i_ < (prec); i_++) {           \
			unsigned digit = (unsigned)(u % 10);    \
			print = print || digit != 0;            \
			if (print)                              \
				tmp[--w] = (char)('0' + digit); \
			u /= 10;                                \
		}                                               \
		if (print)                                      \
			tmp[--w] = '.';                         \
	} while (0)
#define INT(v)                                            \
	do {                                              \
		uint64_t v_ = (v);                        \
		do {                                      \
			tmp[--w] = (char)('0' + v_ % 10); \
			v_ /= 10;                         \
		} while (v_);                             \
	} while (0)
	if (u == 0) {
		snprintf(buf, n, "0s");
		return;
	}
	if (u < 1000000000) {
		tmp[--w] = 's';
		int prec;
		if (u < 1000) {
			prec = 0;
			tmp[--w] = 'n';
		} else if (u < 1000000) {
			prec = 3;
			tmp[--w] = '\xb5'; /* U+00B5, the micro sign, in UTF-8 */
			tmp[--w] = '\xc2';
		} else {
			prec = 6;
			tmp[--w] = 'm';
		}
		FRAC(prec);
		INT(u);
	} else {
		tmp[--w] = 's';
		FRAC(9);
		INT(u % 60);
		u /= 60;
		if (u > 0) {
			tmp[--w] = 'm';
			INT(u % 60);
			u /= 60;
			if (u > 0) {
				tmp[--w] = 'h';
				INT(u);
			}
		}
	}
#undef FRAC
#undef INT
	if (d < 0)
		tmp[--w] = '-';
	snprintf(buf, n, "%s", tmp + w);
}

/* pprof prints the duration with "%.4v": its first four characters (runes). */
static void first_runes(char *s, size_t runes)
{
	size_t i = 0, r = 0;
	for (; s[i]; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && r++ == runes)
			break;
	}
	s[i] = '\0';
}

/* Go's time.Time.String() for a Unix time in nanoseconds, in local time:
 * "2006-01-02 15:04:05.999999999 -0700 MST". */
static void go_time(out *o, int64_t ns)
{
	int64_t sec = ns / 1000000000, frac = ns % 1000000000;
	if (frac < 0) {
		frac += 1000000000;
		sec--;
	}
	time_t t = (time_t)sec;
	struct tm tm;
	if (!localtime_r(&t, &tm)) {
		out_i64(o, ns);
		return;
	}
	char date[64], zone[64], fr[16] = "";
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z %Z", &tm);
	if (frac) {
		snprintf(fr, sizeof(fr), ".%09" PRId64, frac);
		size_t n = strlen(fr);
		while (n > 1 && fr[n - 1] == '0') /* ".5", never past the '.' */
			fr[--n] = '\0';
	}
	out_fmt(o, "%s%s %s", date, fr, zone);
}

/* A group of one key's labels, as pprof's labelsToString and
 * numLabelsToString print it: "key:[v1 v2]" or "key:[8192 bytes 5 ms]". */
static bool label_key(linebuf *lb, const pstr *key)
{
	return linebuf_put_escaped(lb, key->s, key->len) && linebuf_put(lb, ":[", 2);
}

static bool label_num(linebuf *lb, const pprofc_profile *p, const label_keys *lk, const lab_ref *r,
		      bool any_unit)
{
	const label *l = &p->labels[r->idx];
	char num[32];
	snprintf(num, sizeof(num), "%" PRId64, l->num);
	bool ok = linebuf_put(lb, num, strlen(num));
	if (any_unit) {
		const pstr *u = model_str(p, l->num_unit);
		ok = ok && linebuf_put(lb, " ", 1) && linebuf_put_escaped(lb, u->s, u->len);
	}
	return ok;
}

/* A sample's label groups of a kind on one line, after 16 spaces. */
static const label_form raw_labels = { label_key, label_num, "]\n", "                " };

/* Comments, period, time, duration and the sample types. */
static void raw_head(out *o, const pprofc_profile *p)
{
	for (size_t i = 0; i < p->ncomments; i++) {
		out_str(o, "Comment: ");
		name(o, p, p->comments[i]);
		out_char(o, '\n');
	}
	out_str(o, "PeriodType: ");
	name(o, p, p->period_type.type);
	out_char(o, ' ');
	name(o, p, p->period_type.unit);
	out_fmt(o, "\nPeriod: %" PRId64 "\n", p->period);
	if (p->time_nanos) {
		out_str(o, "Time: ");
		go_time(o, p->time_nanos);
		out_char(o, '\n');
	}
	if (p->duration_nanos) {
		char d[64];
		go_duration(d, sizeof(d), p->duration_nanos);
		first_runes(d, 4);
		out_fmt(o, "Duration: %s\n", d);
	}
	out_str(o, "Samples:\n");
	const pstr *dflt = model_str(p, p->default_sample_type);
	for (size_t t = 0; t < p->nsample_types; t++) {
		const pstr *ty = model_str(p, p->sample_types[t].type);
		if (t)
			out_char(o, ' ');
		out_name_escaped(o, ty->s, ty->len);
		out_char(o, '/');
		name(o, p, p->sample_types[t].unit);
		if (ty->len == dflt->len && !memcmp(ty->s, dflt->s, ty->len))
			out_str(o, "[dflt]");
	}
	out_char(o, '\n');
}

/* Each sample: its values and location ids, then a line of its string
 * labels' groups and one of its numeric labels', each sorted. */
static pprofc_status raw_samples(out *o, pprofc_profile *p, label_lines *ll)
{
	size_t nt = p->nsample_types;
	pprofc_status st = PPROFC_OK;
	for (size_t i = 0; i < p->nsamples && !o->failed && st == PPROFC_OK; i++) {
		for (size_t t = 0; t < nt; t++)
			out_fmt(o, " %10" PRId64, p->values[i * nt + t]);
		out_str(o, ": ");
		uint32_t s = p->sample_stack[i];
		for (uint32_t j = p->stack_off[s]; j < p->stack_off[s + 1]; j++) {
			out_u64(o, p->locations[p->stack_locs[j]].id);
			out_char(o, ' ');
		}
		out_char(o, '\n');
		st = label_lines_put(ll, o, i, LABEL_STRING, &raw_labels);
		if (st == PPROFC_OK)
			st = label_lines_put(ll, o, i, LABEL_NUMERIC, &raw_labels);
	}
	return st;
}

static void raw_locations(out *o, const pprofc_profile *p)
{
	out_str(o, "Locations\n");
	for (size_t i = 0; i < p->nlocations && !o->failed; i++) {
		const location *l = &p->locations[i];
		char head[96];
		/* Go's %#x: "0x0" for zero, where C's %#x writes "0" */
		int n = snprintf(head, sizeof(head), "%6" PRIu64 ": 0x%" PRIx64 " ", l->id,
				 l->address);
		if (l->mapping != NONE)
			n += snprintf(head + n, sizeof(head) - (size_t)n, "M=%" PRIu64 " ",
				      p->mappings[l->mapping].id);
		if (l->is_folded)
			snprintf(head + n, sizeof(head) - (size_t)n, "[F] ");
		out_str(o, head);
		if (!l->nlines)
			out_char(o, '\n');
		for (uint32_t k = 0; k < l->nlines; k++) {
			const line *ln = &p->lines[l->line_off + k];
			const function *fn = &p->functions[ln->function];
			if (k)
				out_str(o, "             ");
			name(o, p, fn->name);
			out_char(o, ' ');
			name(o, p, fn->filename);
			out_fmt(o, ":%" PRId64 " s=%" PRId64, ln->line, fn->start_line);
			const pstr *a = model_str(p, fn->name),
				   *sys = model_str(p, fn->system_name);
			if (a->len != sys->len || memcmp(a->s, sys->s, a->len)) {
				out_char(o, '(');
				out_name_escaped(o, sys->s, sys->len);
				out_char(o, ')');
			}
			out_char(o, '\n');
		}
	}
}

/* The mappings, then the functions (not in pprof's dump, where functions
 * only show inside locations). */
static void raw_mappings_functions(out *o, const pprofc_profile *p)
{
	out_str(o, "Mappings\n");
	for (size_t i = 0; i < p->nmappings && !o->failed; i++) {
		const mapping *m = &p->mappings[i];
		out_fmt(o, "%" PRIu64 ": 0x%" PRIx64 "/0x%" PRIx64 "/0x%" PRIx64 " ", m->id,
			m->start, m->limit, m->offset);
		name(o, p, m->filename);
		out_char(o, ' ');
		name(o, p, m->build_id);
		out_fmt(o, " %s%s%s%s\n", m->flags & MAPPING_HAS_FUNCTIONS ? "[FN]" : "",
			m->flags & MAPPING_HAS_FILENAMES ? "[FL]" : "",
			m->flags & MAPPING_HAS_LINE_NUMBERS ? "[LN]" : "",
			m->flags & MAPPING_HAS_INLINE_FRAMES ? "[IN]" : "");
	}
	out_str(o, "Functions\n");
	for (size_t i = 0; i < p->nfunctions && !o->failed; i++) {
		const function *fn = &p->functions[i];
		out_fmt(o, "%6" PRIu64 ": ", fn->id);
		name(o, p, fn->name);
		out_char(o, ' ');
		name(o, p, fn->system_name);
		out_char(o, ' ');
		name(o, p, fn->filename);
		out_fmt(o, " s=%" PRId64 "\n", fn->start_line);
	}
}

static pprofc_status write_raw(writer *w, const void *ctx)
{
	label_lines ll;
	pprofc_status st = PPROFC_OK;
	if (label_lines_init(&ll, w->p, false)) {
		raw_head(w->o, w->p);
		st = raw_samples(w->o, w->p, &ll);
	} else {
		st = writer_nomem(w);
	}
	if (st == PPROFC_OK) {
		raw_locations(w->o, w->p);
		raw_mappings_functions(w->o, w->p);
	}
	label_lines_finish(&ll);
	return st;
}

pprofc_status pprofc_write_raw(pprofc_profile *p, const pprofc_raw_options *opt,
			       const pprofc_sink *sink)
{
	WRITER_OPTIONS(pprofc_raw_options, o, p, opt);
	return writer_run(p, 0, 0, "the dump", sink, write_raw, NULL);
}

static pprofc_status write_comments(writer *w, const void *ctx)
{
	for (size_t i = 0; i < w->p->ncomments; i++) {
		name(w->o, w->p, w->p->comments[i]);
		out_char(w->o, '\n');
	}
	return PPROFC_OK;
}

pprofc_status pprofc_write_comments(pprofc_profile *p, const pprofc_comments_options *opt,
				    const pprofc_sink *sink)
{
	WRITER_OPTIONS(pprofc_comments_options, o, p, opt);
	return writer_run(p, 0, 0, "the comments", sink, write_comments, NULL);
}
