/*
 * tags: pprof's label histogram (`go tool pprof -tags`): for every label
 * key, the sum of the selected sample value per label value, with its share
 * of the key's total, keys in name order and values by decreasing sum.
 *
 * Labels are read as pprof reads them (labels.c). A numeric label is shown
 * in its key's unit, scaled like pprof's ScaledLabel, and values that read
 * the same ("8kB" from 8192 and 8193) are one row, as in
 * pprof. A sample counts once per label it carries, so one with two values
 * for a key counts for both. Samples whose values are all zero are left out,
 * as pprof drops them on reading.
 *
 * One deliberate difference: pprof also leaves out samples without any
 * location (its focus filter drops them after computing the total), so their
 * labels vanish; here they count, as they count in `top`'s "[no stack]" row.
 * Labels are data about the sample, whether or not it has a stack.
 *
 * The text is laid out the way pprof's tabwriter lays it out; names with
 * control characters are written with \xHH (pprof writes them raw).
 */
#include <stdio.h>
#include <string.h>

#include "write/write.h"

/* One distinct (key, label) pair; after merging, one row of the report. */
typedef struct tag_entry {
	uint32_t key; /* key id (by text) */
	int numeric;
	int64_t num;   /* numeric label's value */
	const char *s; /* label text: the string, or the formatted number */
	uint32_t len;
	int64_t sum;
} tag_entry;

typedef struct tags_ctx {
	pprofc_profile *p;
	label_keys lk;
	kmap entmap; /* (key id | numeric << 63, num or string index) -> entry */
	tag_entry *ents;
	size_t nents, cap_ents;
	char *numtext; /* numeric labels' texts, 64 bytes each */
} tags_ctx;

static int cmp_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int r = n ? memcmp(a, b, n) : 0;
	if (r)
		return r;
	return alen < blen ? -1 : alen > blen;
}

/* By key name, then label text: equal pairs become neighbours. */
static int cmp_key_text(const void *x, const void *y, void *ctx)
{
	const tags_ctx *c = ctx;
	const tag_entry *a = x, *b = y;
	if (a->key != b->key) {
		const pstr *ka = c->lk.keys[a->key], *kb = c->lk.keys[b->key];
		return cmp_bytes(ka->s, ka->len, kb->s, kb->len);
	}
	return cmp_bytes(a->s, a->len, b->s, b->len);
}

/* pprof's SortTags(flat): by |sum| descending, then by text. */
static int cmp_rows(const void *x, const void *y, void *ctx)
{
	(void)ctx;
	const tag_entry *a = x, *b = y;
	if (a->sum != b->sum) {
		uint64_t ua = (uint64_t)abs64(a->sum), ub = (uint64_t)abs64(b->sum);
		if (ua != ub)
			return ua > ub ? -1 : 1;
	}
	return cmp_bytes(a->s, a->len, b->s, b->len);
}

static void pad(out *o, size_t n)
{
	while (n--)
		out_char(o, ' ');
}

/* "%.1f%s" of the value scaled to the report's unit, as pprof's tags. */
static void format_value(char *buf, size_t n, int64_t v, const char *sunit, const char *ounit)
{
	const char *u;
	double d = units_scale(v, sunit, ounit, &u);
	snprintf(buf, n, "%.1f%s", d, u);
}

static void write_key_text(out *o, tags_ctx *c, const tag_entry *e, size_t n, const char *sunit,
			   const char *ounit)
{
	const pstr *key = c->lk.keys[e[0].key];
	int64_t total = 0;
	for (size_t i = 0; i < n; i++)
		total = wadd(total, e[i].sum);
	/* Two aligned columns, right-aligned with one space of padding, the
	 * way pprof's tabwriter (AlignRight, padding 1) sets them. */
	char cell[128], pct[32];
	/* column 0: "key:" on the key's line, " " below it */
	size_t w0 = label_text_width(key->s, key->len) + 1, w1 = 0;
	for (size_t i = 0; i < n; i++) {
		format_value(cell, sizeof(cell), e[i].sum, sunit, ounit);
		size_t w = strlen(cell) + 1;
		if (total > 0) {
			units_percent(pct, sizeof(pct), e[i].sum, total);
			w += strlen(pct) + 3;
		}
		if (w > w1)
			w1 = w;
	}
	w0 += 1;
	w1 += 1;
	pad(o, w0 - 1 - label_text_width(key->s, key->len));
	out_name_escaped(o, key->s, key->len);
	format_value(cell, sizeof(cell), total, sunit, ounit);
	out_fmt(o, ": Total %s\n", cell);
	for (size_t i = 0; i < n && !o->failed; i++) {
		char full[192];
		format_value(cell, sizeof(cell), e[i].sum, sunit, ounit);
		if (total > 0) {
			units_percent(pct, sizeof(pct), e[i].sum, total);
			snprintf(full, sizeof(full), "%s (%s):", cell, pct);
		} else {
			snprintf(full, sizeof(full), "%s:", cell);
		}
		pad(o, w0);
		pad(o, w1 - strlen(full));
		out_str(o, full);
		out_char(o, ' ');
		out_name_escaped(o, e[i].s, e[i].len);
		out_char(o, '\n');
	}
	out_char(o, '\n');
}

static void write_key_json(out *o, tags_ctx *c, const tag_entry *e, size_t n, bool first)
{
	const pstr *key = c->lk.keys[e[0].key];
	int64_t total = 0;
	for (size_t i = 0; i < n; i++)
		total = wadd(total, e[i].sum);
	out_str(o, first ? "\n  {\"key\": " : ",\n  {\"key\": ");
	out_json_str(o, key->s, key->len);
	out_str(o, ", \"total\": ");
	out_i64(o, total);
	out_str(o, ", \"values\": [");
	for (size_t i = 0; i < n; i++) {
		out_str(o, i ? ",\n    {\"label\": " : "\n    {\"label\": ");
		out_json_str(o, e[i].s, e[i].len);
		out_str(o, e[i].numeric ? ", \"numeric\": true, \"value\": " : ", \"value\": ");
		out_i64(o, e[i].sum);
		out_char(o, '}');
	}
	out_str(o, "]}");
}

/* Sample i's labels counted: its value summed per distinct (key, value). */
static bool count_labels(tags_ctx *c, const pprofc_profile *p, size_t i, int64_t v)
{
	for (uint32_t k = p->label_off[i]; k < p->label_off[i + 1]; k++) {
		const label *l = &p->labels[k];
		int kind = label_kind(l);
		if (kind == LABEL_IGNORED)
			continue;
		int numeric = kind == LABEL_NUMERIC;
		uint32_t kid = label_keys_intern(&c->lk, model_str(p, l->key));
		if (kid == NONE)
			return false;
		bool added;
		uint32_t e = kmap_put(&c->entmap, kid | (uint64_t)numeric << 63,
				      numeric ? (uint64_t)l->num : (uint64_t)l->str, &added);
		if (e == NONE)
			return false;
		if (added) {
			if (!vec_reserve(&c->p->mem, (void **)&c->ents, &c->cap_ents, (size_t)e + 1,
					 sizeof(tag_entry)))
				return false;
			const pstr *s = model_str(p, l->str);
			c->ents[e] = (tag_entry){ kid, numeric, l->num, s->s, s->len, 0 };
			c->nents = (size_t)e + 1;
		}
		c->ents[e].sum = wadd(c->ents[e].sum, v);
	}
	return true;
}

/*
 * The rows: the sums per distinct (key, value); numeric labels as text in
 * their key's unit; then values that read the same (string table
 * duplicates, numbers that format alike) merged into one row. Returns how
 * many, or SIZE_MAX when out of memory.
 */
static size_t tag_rows(tags_ctx *c, size_t index, const char *ounit)
{
	const pprofc_profile *p = c->p;
	size_t nt = p->nsample_types;
	for (size_t i = 0; i < p->nsamples; i++) {
		/* pprof drops a sample whose values are all zero when it reads
		 * the profile: its labels do not appear, not even as 0 rows. */
		bool zero = true;
		for (size_t t = 0; t < nt && zero; t++)
			zero = p->values[i * nt + t] == 0;
		if (!zero && !count_labels(c, p, i, p->values[i * nt + index]))
			return SIZE_MAX;
	}
	c->numtext = budget_alloc(&c->p->mem, c->nents * 64 + 1);
	if (!c->numtext)
		return SIZE_MAX;
	for (size_t i = 0; i < c->nents; i++) {
		tag_entry *e = &c->ents[i];
		if (!e->numeric)
			continue;
		char *t = c->numtext + i * 64;
		units_label(t, 64, e->num, label_keys_unit(&c->lk, e->key), ounit);
		e->s = t;
		e->len = (uint32_t)strlen(t);
	}
	if (!sort_ctx(&c->p->mem, c->ents, c->nents, sizeof(tag_entry), cmp_key_text, c))
		return SIZE_MAX;
	size_t n = 0;
	for (size_t i = 0; i < c->nents; i++) {
		if (n && cmp_key_text(&c->ents[n - 1], &c->ents[i], c) == 0) {
			c->ents[n - 1].sum = wadd(c->ents[n - 1].sum, c->ents[i].sum);
			continue;
		}
		c->ents[n++] = c->ents[i];
	}
	return n;
}

/* Each key's rows, by decreasing sum, as text or JSON. */
static bool write_keys(writer *w, tags_ctx *c, size_t n, bool json, const char *ounit)
{
	out *o = w->o;
	if (json) {
		report_json_head(o, w->type, w->sunit);
		out_str(o, ", \"tags\": [");
	}
	for (size_t i = 0, nkeys = 0; i < n; nkeys++) {
		size_t j = i + 1;
		while (j < n && c->ents[j].key == c->ents[i].key)
			j++;
		if (!sort_ctx(w->b, c->ents + i, j - i, sizeof(tag_entry), cmp_rows, NULL))
			return false;
		if (json)
			write_key_json(o, c, c->ents + i, j - i, nkeys == 0);
		else
			write_key_text(o, c, c->ents + i, j - i, w->sunit, ounit);
		i = j;
	}
	if (json)
		out_str(o, n ? "\n]}\n" : "]}\n");
	return true;
}

static pprofc_status write_tags(writer *w, const void *ctx)
{
	const pprofc_tags_options *opt = ctx;
	const char *ounit = opt->unit && *opt->unit ? opt->unit : "minimum";
	tags_ctx c = { .p = w->p };
	size_t n = SIZE_MAX;
	if (label_keys_init(&c.lk, w->p) && kmap_init(&c.entmap, w->b, 64) &&
	    label_keys_scan_units(&c.lk))
		n = tag_rows(&c, w->index, ounit);
	bool ok = n != SIZE_MAX && write_keys(w, &c, n, opt->json, ounit);
	budget_free_each(w->b, c.numtext, c.ents);
	label_keys_finish(&c.lk);
	kmap_free(&c.entmap);
	return ok ? PPROFC_OK : writer_nomem(w);
}

pprofc_status pprofc_write_tags(pprofc_profile *p, const pprofc_tags_options *opt,
				const pprofc_sink *sink)
{
	WRITER_OPTIONS(pprofc_tags_options, o, p, opt);
	return writer_run(p, o.sample_index, WRITER_INDEX, "the tags", sink, write_tags, &o);
}
