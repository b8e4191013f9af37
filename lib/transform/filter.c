/*
 * filter: go tool pprof's sample filters, applied to the loaded model in
 * place, so that every writer after it sees the filtered profile.
 *
 * The semantics are google/pprof's (profile/filter.go, prune.go and
 * internal/driver/driver_focus.go), step by step and in the same order:
 *   focus/ignore  keep samples with a location matching focus and none
 *                 matching ignore (matched on the original lines);
 *   hide/show     remove the lines (inlined frames included) that match
 *                 hide / do not match show; a location left with no line
 *                 leaves every stack, and a sample left with no location
 *                 is dropped;
 *   show_from     cut each stack above its rootmost matching location, and
 *                 that location's lines above its outermost matching line;
 *                 samples without a match are dropped;
 *   tagfocus/tagignore  per sample, on its labels;
 *   tagshow/taghide     remove labels by key;
 *   prune_from    cut each stack below its leafmost location whose line
 *                 matches (on the simplified function name), and that
 *                 location's lines below the matching one.
 * Edits to a location's lines are global, as in pprof: the location is the
 * same object in every stack. Lines are only ever removed, so they are
 * compacted inside the location's own range of p->lines. Stacks are then
 * re-interned (two stacks may become one) and samples compacted.
 *
 * One deliberate difference: a sample that had no location to begin with
 * (pprofc's "[no stack]" row; pprof always drops those) stays unless a
 * filter needs a matching frame (focus, show_from).
 *
 * Regular expressions are pprof's, Go's RE2 syntax (regex.c). Each option
 * is compiled once when set, and matched once per function and mapping.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view/view.h"

/* pprof's option names, for messages and "Active filters" lines. */
static const char *const option_name[PPROFC_FILTER_COUNT_] = {
	"focus",      "ignore",	  "hide",      "show",	  "show_from",
	"prune_from", "tagfocus", "tagignore", "tagshow", "taghide",
};

enum { RANGE_EQ, RANGE_GE, RANGE_LE, RANGE_BETWEEN };

typedef struct tag_filter {
	char *buf;	 /* the expression's copy, split in place */
	const char *key; /* "KEY=" part, NULL when none */
	bool range;
	int kind;	  /* RANGE_* */
	double lo, hi;	  /* in `unit` */
	const char *unit; /* canonical unit of the range (may point into buf) */
	regexp **rx;	  /* the comma-separated regexes */
	size_t nrx;
} tag_filter;

struct pprofc_filter {
	char *expr[PPROFC_FILTER_COUNT_]; /* copies of the set options, else NULL */
	regexp *re[PPROFC_FILTER_COUNT_]; /* the name and tagshow/taghide options */
	bool has_re[PPROFC_FILTER_COUNT_];
	tag_filter tag[2]; /* tagfocus, tagignore */
	errstate err;
};

static bool is_tag_option(pprofc_filter_option o)
{
	return o == PPROFC_FILTER_TAGFOCUS || o == PPROFC_FILTER_TAGIGNORE;
}

pprofc_filter *pprofc_filter_create(void)
{
	return calloc(1, sizeof(pprofc_filter));
}

static void tag_clear(tag_filter *t)
{
	for (size_t i = 0; i < t->nrx; i++)
		rx_free(t->rx[i]);
	free(t->rx);
	free(t->buf);
	memset(t, 0, sizeof(*t));
}

static void option_clear(pprofc_filter *f, pprofc_filter_option o)
{
	rx_free(f->re[o]);
	f->re[o] = NULL;
	f->has_re[o] = false;
	if (is_tag_option(o))
		tag_clear(&f->tag[o - PPROFC_FILTER_TAGFOCUS]);
	free(f->expr[o]);
	f->expr[o] = NULL;
}

void pprofc_filter_destroy(pprofc_filter *f)
{
	if (!f)
		return;
	for (int o = 0; o < PPROFC_FILTER_COUNT_; o++)
		option_clear(f, (pprofc_filter_option)o);
	free(f);
}

const char *pprofc_filter_errmsg(const pprofc_filter *f)
{
	return f ? f->err.msg : "no filter handle";
}

pprofc_status pprofc_filter_errcode(const pprofc_filter *f)
{
	return f ? f->err.code : PPROFC_ERR_USAGE;
}

static pprofc_status compile(pprofc_filter *f, regexp **re, const char *expr,
			     pprofc_filter_option o)
{
	char why[256];
	*re = rx_compile(expr, why, sizeof(why));
	if (*re)
		return PPROFC_OK;
	return err_set(&f->err, PPROFC_ERR_USAGE, "invalid %s regular expression '%s': %s",
		       option_name[o], expr, why);
}

/*
 * One number of a tag range, pprof's ([+-]?[[:digit:]]+)([[:alpha:]]+)?:
 * advances *s past it; the unit is NUL-terminated in place only by the
 * caller (it may be followed by ':').
 */
static bool range_token(char **s, long long *num, char **unit, size_t *unitlen, bool *overflow)
{
	char *p = *s, *d = p;
	if (*d == '+' || *d == '-')
		d++;
	if (*d < '0' || *d > '9')
		return false;
	while (*d >= '0' && *d <= '9')
		d++;
	char *u = d;
	while ((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z'))
		u++;
	errno = 0;
	*num = strtoll(p, NULL, 10);
	*overflow = errno == ERANGE;
	*unit = d;
	*unitlen = (size_t)(u - d);
	*s = u;
	return true;
}

/*
 * pprof's parseTagFilterRange: "V", "V:", ":V" or "V:V", each V a number
 * with an optional unit; the second bound is converted to the first's unit
 * and must end up in it. false: not a range (then it is regexes).
 */
static pprofc_status parse_range(pprofc_filter *f, tag_filter *t, char *v, pprofc_filter_option o,
				 bool *ret_is_range)
{
	*ret_is_range = false;
	long long n1, n2;
	char *u1, *u2;
	size_t l1, l2;
	bool of1 = false, of2 = false;
	char *s = v;
	int kind;
	if (*s == ':') {
		s++;
		if (!range_token(&s, &n1, &u1, &l1, &of1) || *s)
			return PPROFC_OK;
		kind = RANGE_LE;
	} else {
		if (!range_token(&s, &n1, &u1, &l1, &of1))
			return PPROFC_OK;
		if (!*s) {
			kind = RANGE_EQ;
		} else if (*s == ':' && !s[1]) {
			kind = RANGE_GE;
		} else if (*s == ':') {
			s++;
			if (!range_token(&s, &n2, &u2, &l2, &of2) || *s)
				return PPROFC_OK;
			kind = RANGE_BETWEEN;
		} else {
			return PPROFC_OK;
		}
	}
	if (of1 || of2)
		return err_set(&f->err, PPROFC_ERR_USAGE, "number out of range in %s '%s'",
			       option_name[o], f->expr[o]);
	/* Units become NUL-terminated strings in place: the separators and
	 * the end they overwrite have been read. */
	u1[l1] = '\0';
	const char *unit;
	t->lo = units_scale((int64_t)n1, u1, u1, &unit);
	t->hi = t->lo;
	t->unit = unit;
	if (kind == RANGE_BETWEEN) {
		u2[l2] = '\0';
		const char *unit2;
		t->hi = units_scale((int64_t)n2, u2, unit, &unit2);
		if (strcmp(unit, unit2))
			return PPROFC_OK; /* pprof: not a range, so regexes */
	}
	t->kind = kind;
	t->range = true;
	*ret_is_range = true;
	return PPROFC_OK;
}

static pprofc_status compile_tag(pprofc_filter *f, pprofc_filter_option o, const char *expr)
{
	tag_filter *t = &f->tag[o - PPROFC_FILTER_TAGFOCUS];
	size_t len = strlen(expr);
	/* Two copies: the range parser writes NULs into the first. */
	t->buf = malloc(2 * len + 2);
	if (!t->buf)
		return err_set(&f->err, PPROFC_ERR_NOMEM, "out of memory");
	memcpy(t->buf, expr, len + 1);
	memcpy(t->buf + len + 1, expr, len + 1);
	char *value = t->buf, *value2 = t->buf + len + 1;
	char *eq = strchr(value, '=');
	if (eq) {
		*eq = '\0';
		t->key = value[0] ? value : NULL; /* "=RX": no key, as in pprof */
		value = eq + 1;
		value2 += eq + 1 - t->buf;
	}
	bool is_range;
	pprofc_status st = parse_range(f, t, value, o, &is_range);
	if (st != PPROFC_OK || is_range)
		return st;
	/* Regexes, split at every ',' as pprof does. */
	size_t n = 1;
	for (const char *c = value2; *c; c++)
		n += *c == ',';
	t->rx = calloc(n, sizeof(regexp *));
	if (!t->rx)
		return err_set(&f->err, PPROFC_ERR_NOMEM, "out of memory");
	char *part = value2;
	for (size_t i = 0; i < n; i++) {
		char *comma = strchr(part, ',');
		if (comma)
			*comma = '\0';
		st = compile(f, &t->rx[i], part, o);
		if (st != PPROFC_OK)
			return st;
		t->nrx++;
		part = comma ? comma + 1 : part + strlen(part);
	}
	return PPROFC_OK;
}

pprofc_status pprofc_filter_set(pprofc_filter *f, pprofc_filter_option which, const char *expr)
{
	if ((unsigned)which >= PPROFC_FILTER_COUNT_)
		return err_set(&f->err, PPROFC_ERR_USAGE, "unknown filter option %d", (int)which);
	err_clear(&f->err);
	option_clear(f, which);
	if (!expr || !*expr)
		return PPROFC_OK;
	f->expr[which] = strdup(expr);
	if (!f->expr[which])
		return err_set(&f->err, PPROFC_ERR_NOMEM, "out of memory");
	pprofc_status st;
	if (is_tag_option(which)) {
		st = compile_tag(f, which, expr);
	} else {
		st = compile(f, &f->re[which], expr, which);
		f->has_re[which] = st == PPROFC_OK;
	}
	if (st != PPROFC_OK) {
		errstate keep = f->err;
		option_clear(f, which);
		f->err = keep;
	}
	return st;
}

/* ---- applying --------------------------------------------------------- */

/* Unanchored search of the whole name, embedded NULs included. */
static bool rx_match_str(const regexp *re, const pstr *s)
{
	return rx_match(re, s->s, s->len);
}

/* pprof's simplifyFunc: no leading '.', nothing from the first '(' that
 * is not part of "(anonymous namespace)" or "operator()". */
static pstr simplify_func(const pstr *name)
{
	static const char anon[] = "(anonymous namespace)", op[] = "operator()";
	pstr r = *name;
	if (r.len && r.s[0] == '.') {
		r.s++;
		r.len--;
	}
	for (uint32_t i = 0; i < r.len;) {
		if (r.len - i >= sizeof(anon) - 1 && !memcmp(r.s + i, anon, sizeof(anon) - 1)) {
			i += sizeof(anon) - 1;
		} else if (r.len - i >= sizeof(op) - 1 && !memcmp(r.s + i, op, sizeof(op) - 1)) {
			i += sizeof(op) - 1;
		} else if (r.s[i] == '(') {
			r.len = i;
			break;
		} else {
			i++;
		}
	}
	return r;
}

/* Location flags. */
enum {
	L_FOCUS = 1,
	L_IGNORE = 2,
	L_HIDDEN = 4,
	L_SHOW_FROM = 8,
	L_PRUNE = 16,
};

typedef struct fctx {
	pprofc_profile *p;
	const pprofc_filter *f;
	budget *b;
	/* numeric label units per key (by content), for tag ranges */
	kmap keys;
	const char **key_unit;
	size_t cap_key_unit;
	/* "key:value" scratch for key-less tag regexes */
	char *kv;
	size_t cap_kv;
	/* tagshow/taghide verdict per key string index (V_* bits, 0 until
	 * computed) */
	uint8_t *key_verdict;
} fctx;

static bool is_numeric(const label *l)
{
	return l->str == 0 && (l->num != 0 || l->num_unit != 0);
}

static uint32_t key_id(fctx *c, const pstr *key, bool *added)
{
	return kmap_put(&c->keys, hash_bytes(key->s, key->len, 11),
			hash_bytes(key->s, key->len, 12) ^ key->len, added);
}

/* pprof's NumLabelUnits: a key's unit is the first non-empty unit seen on
 * it, else "bytes" for alignment and request, else the key's own name. */
static bool build_key_units(fctx *c)
{
	pprofc_profile *p = c->p;
	if (!kmap_init(&c->keys, c->b, 64))
		return false;
	for (size_t i = 0; i < p->nlabels; i++) {
		const label *l = &p->labels[i];
		if (!is_numeric(l))
			continue;
		bool added;
		uint32_t id = key_id(c, model_str(p, l->key), &added);
		if (id == NONE || !vec_reserve(c->b, (void **)&c->key_unit, &c->cap_key_unit,
					       (size_t)id + 1, sizeof(char *)))
			return false;
		if (added)
			c->key_unit[id] = NULL;
		const pstr *u = model_str(p, l->num_unit);
		if (!c->key_unit[id] && u->len)
			c->key_unit[id] = u->s;
	}
	for (size_t i = 0; i < p->nlabels; i++) {
		const label *l = &p->labels[i];
		if (!is_numeric(l))
			continue;
		bool added;
		const pstr *key = model_str(p, l->key);
		uint32_t id = key_id(c, key, &added);
		if (id == NONE)
			return false;
		if (!c->key_unit[id])
			c->key_unit[id] = !strcmp(key->s, "alignment") || !strcmp(key->s, "request")
						  ? "bytes"
						  : key->s;
	}
	return true;
}

static bool key_is(const pstr *key, const char *want)
{
	return strlen(want) == key->len && !memcmp(key->s, want, key->len);
}

static bool range_ok(const tag_filter *t, int64_t v, const char *unit)
{
	const char *su;
	double sv = units_scale(v, unit, t->unit, &su);
	if (strcmp(su, t->unit))
		return false;
	switch (t->kind) {
	case RANGE_EQ:
		return sv == t->lo;
	case RANGE_GE:
		return sv >= t->lo;
	case RANGE_LE:
		return sv <= t->lo;
	default:
		return sv >= t->lo && sv <= t->hi;
	}
}

/* 1 match, 0 no match, -1 out of memory. */
static int tag_match(fctx *c, const tag_filter *t, const label *ls, size_t n)
{
	pprofc_profile *p = c->p;
	if (t->range) {
		for (size_t i = 0; i < n; i++) {
			if (!is_numeric(&ls[i]))
				continue;
			const pstr *key = model_str(p, ls[i].key);
			if (t->key && !key_is(key, t->key))
				continue;
			bool added;
			uint32_t id = key_id(c, key, &added);
			if (id == NONE)
				return -1;
			/* (every numeric label's key was seen by build_key_units) */
			const char *unit =
				added || id >= c->cap_key_unit ? key->s : c->key_unit[id];
			if (range_ok(t, ls[i].num, unit))
				return 1;
		}
		return 0;
	}
	if (t->key) {
		for (size_t i = 0; i < n; i++) {
			if (ls[i].str == 0 || !key_is(model_str(p, ls[i].key), t->key))
				continue;
			for (size_t r = 0; r < t->nrx; r++)
				if (rx_match_str(t->rx[r], model_str(p, ls[i].str)))
					return 1;
		}
		return 0;
	}
	/* Every regex must match some "key:value". */
	for (size_t r = 0; r < t->nrx; r++) {
		bool found = false;
		for (size_t i = 0; i < n && !found; i++) {
			if (ls[i].str == 0)
				continue;
			const pstr *k = model_str(p, ls[i].key), *v = model_str(p, ls[i].str);
			size_t need = (size_t)k->len + v->len + 2;
			if (!vec_reserve(c->b, (void **)&c->kv, &c->cap_kv, need, 1))
				return -1;
			memcpy(c->kv, k->s, k->len);
			c->kv[k->len] = ':';
			memcpy(c->kv + k->len + 1, v->s, v->len);
			c->kv[need - 1] = '\0';
			found = rx_match(t->rx[r], c->kv, need - 1);
		}
		if (!found)
			return 0;
	}
	return 1;
}

/* tagshow/taghide on a key (cached per string index): bit 1 show
 * matched (or no tagshow), bit 2 taghide matched. */
enum { V_KNOWN = 1, V_SHOW = 2, V_HIDE = 4 };

static uint8_t label_verdict(fctx *c, int64_t key)
{
	const pprofc_filter *f = c->f;
	uint8_t *v = &c->key_verdict[key];
	if (!*v) {
		const pstr *k = model_str(c->p, key);
		bool show = !f->has_re[PPROFC_FILTER_TAGSHOW] ||
			    rx_match_str(f->re[PPROFC_FILTER_TAGSHOW], k);
		bool hide = f->has_re[PPROFC_FILTER_TAGHIDE] &&
			    rx_match_str(f->re[PPROFC_FILTER_TAGHIDE], k);
		*v = (uint8_t)(V_KNOWN | (show ? V_SHOW : 0) | (hide ? V_HIDE : 0));
	}
	return *v;
}

static bool record_active(pprofc_profile *p, const pprofc_filter *f)
{
	/* pprof's order of "Active filters" lines; prune_from is not shown. */
	static const pprofc_filter_option order[] = {
		PPROFC_FILTER_FOCUS,	 PPROFC_FILTER_IGNORE,	  PPROFC_FILTER_HIDE,
		PPROFC_FILTER_SHOW,	 PPROFC_FILTER_SHOW_FROM, PPROFC_FILTER_TAGFOCUS,
		PPROFC_FILTER_TAGIGNORE, PPROFC_FILTER_TAGSHOW,	  PPROFC_FILTER_TAGHIDE,
	};
	size_t need = p->filter_desc_len;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (f->expr[order[i]])
			need += strlen(option_name[order[i]]) + strlen(f->expr[order[i]]) + 2;
	if (need == p->filter_desc_len)
		return true;
	char *d = budget_realloc(&p->mem, p->filter_desc, need + 1);
	if (!d)
		return false;
	p->filter_desc = d;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *e = f->expr[order[i]];
		if (e)
			/* NUL-separated: an expression may hold a newline. */
			p->filter_desc_len += (size_t)sprintf(d + p->filter_desc_len, "%s=%s",
							      option_name[order[i]], e) +
					      1;
	}
	return true;
}

/* One application of a filter: the bits of what each name option matched,
 * per function, mapping and location; the new id of each old stack; and
 * the old stacks, put back should it fail. */
typedef struct frun {
	fctx c;
	bool name_filter[PPROFC_FILTER_PRUNE_FROM + 1]; /* the name options set */
	uint8_t *fnbits, *mapbits;			/* bit o: option o matched */
	uint8_t *locflags;				/* L_* */
	uint32_t *newid, *buf;
	uint8_t *keep; /* per sample */
	uint32_t *old_locs, *old_off;
	size_t old_nstacks, old_nlocs, old_cap_locs, old_cap_off;
	bool restacked;
	/* per option (matched[PPROFC_FILTER_FOCUS], ...): whether it matched
	 * anything; pprof warns about those that did not */
	bool matched[PPROFC_FILTER_COUNT_];
} frun;

/* Every allocation of a filter that fails says the same. */
static pprofc_status filter_nomem(pprofc_profile *p)
{
	return set_error(p, PPROFC_ERR_NOMEM, "out of memory for filtering");
}

/* pprof's total is taken before the first filter: the base of top's
 * percentages. [t]: the total at index t; [nt + t]: its --mean divisor. */
static bool record_totals(pprofc_profile *p)
{
	size_t nt = p->nsample_types;
	if (p->prefilter_total)
		return true;
	p->prefilter_total = budget_alloc(&p->mem, (2 * nt + 1) * sizeof(int64_t));
	if (!p->prefilter_total)
		return false;
	for (size_t t = 0; t < nt; t++)
		report_totals(p, t, &p->prefilter_total[t], &p->prefilter_total[nt + t]);
	return true;
}

/* Which functions and mappings each name option matches: one match per
 * function and mapping, not per frame. Bit o for option o; prune_from on
 * the simplified function name only. */
static void match_names(frun *r)
{
	pprofc_profile *p = r->c.p;
	regexp *const *re = r->c.f->re;
	for (size_t i = 0; i < p->nfunctions; i++) {
		const function *fn = &p->functions[i];
		const pstr *name = model_str(p, fn->name), *file = model_str(p, fn->filename);
		uint8_t bits = 0;
		for (int o = 0; o < PPROFC_FILTER_PRUNE_FROM; o++)
			if (r->name_filter[o] &&
			    (rx_match_str(re[o], name) || rx_match_str(re[o], file)))
				bits |= (uint8_t)(1u << o);
		if (r->name_filter[PPROFC_FILTER_PRUNE_FROM] && name->len) {
			pstr simple = simplify_func(name);
			if (rx_match(re[PPROFC_FILTER_PRUNE_FROM], simple.s, simple.len))
				bits |= 1u << PPROFC_FILTER_PRUNE_FROM;
		}
		r->fnbits[i] = bits;
	}
	for (size_t i = 0; i < p->nmappings; i++) {
		const pstr *file = model_str(p, p->mappings[i].filename);
		uint8_t bits = 0;
		for (int o = 0; o < PPROFC_FILTER_PRUNE_FROM; o++)
			if (r->name_filter[o] && rx_match_str(re[o], file))
				bits |= (uint8_t)(1u << o);
		r->mapbits[i] = bits;
	}
}

/* ---- the name options on each location --------------------------------- */

/* The passes below edit a location's lines in place, each on what the one
 * before left, in pprof's order: hide, show, show_from, prune_from. */

/* Location l's lines (NULL when it has none: p->lines may be NULL, and
 * NULL + 0 is undefined). */
static line *loc_lines(pprofc_profile *p, const location *l)
{
	return l->nlines ? p->lines + l->line_off : NULL;
}

/* What the option bits of l's mapping are (none without a mapping). */
static unsigned loc_map_bits(const frun *r, const location *l)
{
	return l->mapping != NONE && l->mapping < r->c.p->nmappings ? r->mapbits[l->mapping] : 0;
}

/* What the option bits of l's lines are, together. */
static unsigned loc_line_bits(const frun *r, const location *l)
{
	const line *ln = loc_lines(r->c.p, l);
	unsigned bits = 0;
	for (uint32_t k = 0; k < l->nlines; k++)
		bits |= r->fnbits[ln[k].function];
	return bits;
}

/* focus/ignore: a location matching ignore is ignored, else one matching
 * focus (any, without focus) is focused; on the original lines. */
static void pass_focus_ignore(frun *r)
{
	pprofc_profile *p = r->c.p;
	for (size_t i = 0; i < p->nlocations; i++) {
		const location *l = &p->locations[i];
		unsigned all = loc_line_bits(r, l) | loc_map_bits(r, l);
		if (r->name_filter[PPROFC_FILTER_IGNORE] && (all & 1u << PPROFC_FILTER_IGNORE)) {
			r->locflags[i] |= L_IGNORE;
			r->matched[PPROFC_FILTER_IGNORE] = true;
		} else if (!r->name_filter[PPROFC_FILTER_FOCUS] ||
			   (all & 1u << PPROFC_FILTER_FOCUS)) {
			r->locflags[i] |= L_FOCUS;
			r->matched[PPROFC_FILTER_FOCUS] = true;
		}
	}
}

/* hide: the matching lines go (all of them when the mapping matches); a
 * location left with none is hidden. */
static void pass_hide(frun *r)
{
	pprofc_profile *p = r->c.p;
	const unsigned B_HIDE = 1u << PPROFC_FILTER_HIDE;
	for (size_t i = 0; i < p->nlocations; i++) {
		location *l = &p->locations[i];
		unsigned mb = loc_map_bits(r, l);
		if (!((loc_line_bits(r, l) | mb) & B_HIDE))
			continue;
		r->matched[PPROFC_FILTER_HIDE] = true;
		line *ln = loc_lines(p, l);
		uint32_t n = 0;
		if (!(mb & B_HIDE))
			for (uint32_t k = 0; k < l->nlines; k++)
				if (!(r->fnbits[ln[k].function] & B_HIDE))
					ln[n++] = ln[k];
		l->nlines = n;
		if (!n)
			r->locflags[i] |= L_HIDDEN;
	}
}

/* show: only the matching lines stay (all of them when the mapping
 * matches); a location left with none is hidden. */
static void pass_show(frun *r)
{
	pprofc_profile *p = r->c.p;
	const unsigned B_SHOW = 1u << PPROFC_FILTER_SHOW;
	for (size_t i = 0; i < p->nlocations; i++) {
		location *l = &p->locations[i];
		if (!(loc_map_bits(r, l) & B_SHOW)) {
			line *ln = loc_lines(p, l);
			uint32_t n = 0;
			for (uint32_t k = 0; k < l->nlines; k++)
				if (r->fnbits[ln[k].function] & B_SHOW)
					ln[n++] = ln[k];
			l->nlines = n;
		}
		if (!l->nlines)
			r->locflags[i] |= L_HIDDEN;
		else
			r->matched[PPROFC_FILTER_SHOW] = true;
	}
}

/* show_from: a matching location is marked, its lines above the outermost
 * matching one cut (none when the mapping matches). */
static void pass_show_from(frun *r)
{
	pprofc_profile *p = r->c.p;
	const unsigned B_SHOW_FROM = 1u << PPROFC_FILTER_SHOW_FROM;
	for (size_t i = 0; i < p->nlocations; i++) {
		location *l = &p->locations[i];
		if (loc_map_bits(r, l) & B_SHOW_FROM) {
			r->locflags[i] |= L_SHOW_FROM;
		} else {
			const line *ln = loc_lines(p, l);
			for (uint32_t k = l->nlines; k-- > 0;)
				if (r->fnbits[ln[k].function] & B_SHOW_FROM) {
					l->nlines = k + 1;
					r->locflags[i] |= L_SHOW_FROM;
					break;
				}
		}
		r->matched[PPROFC_FILTER_SHOW_FROM] |= (r->locflags[i] & L_SHOW_FROM) != 0;
	}
}

/* prune_from: a location with a matching line is marked, its lines below
 * the innermost matching one cut. */
static void pass_prune_from(frun *r)
{
	pprofc_profile *p = r->c.p;
	for (size_t i = 0; i < p->nlocations; i++) {
		location *l = &p->locations[i];
		const line *ln = loc_lines(p, l);
		for (uint32_t k = 0; k < l->nlines; k++)
			if (r->fnbits[ln[k].function] & 1u << PPROFC_FILTER_PRUNE_FROM) {
				l->line_off += k;
				l->nlines -= k;
				r->locflags[i] |= L_PRUNE;
				r->matched[PPROFC_FILTER_PRUNE_FROM] = true;
				break;
			}
	}
}

/* The locations' flags and lines, option by option. */
static pprofc_status filter_locations(frun *r)
{
	pprofc_profile *p = r->c.p;
	budget *b = r->c.b;
	r->fnbits = budget_alloc(b, p->nfunctions + 1);
	r->mapbits = budget_alloc(b, p->nmappings + 1);
	r->locflags = budget_alloc(b, p->nlocations + 1);
	if (!r->fnbits || !r->mapbits || !r->locflags)
		return filter_nomem(p);
	memset(r->locflags, 0, p->nlocations + 1);
	match_names(r);
	if (r->name_filter[PPROFC_FILTER_FOCUS] || r->name_filter[PPROFC_FILTER_IGNORE])
		pass_focus_ignore(r);
	if (r->name_filter[PPROFC_FILTER_HIDE])
		pass_hide(r);
	if (r->name_filter[PPROFC_FILTER_SHOW])
		pass_show(r);
	if (r->name_filter[PPROFC_FILTER_SHOW_FROM])
		pass_show_from(r);
	if (r->name_filter[PPROFC_FILTER_PRUNE_FROM])
		pass_prune_from(r);
	return PPROFC_OK;
}

/* ---- the stacks -------------------------------------------------------- */

/* focus/ignore on a stack: no ignored location and a focused one. */
static bool stack_focused(const frun *r, const uint32_t *L, size_t n)
{
	bool focused = false;
	for (size_t k = 0; k < n; k++) {
		if (r->locflags[L[k]] & L_IGNORE)
			return false;
		focused |= (r->locflags[L[k]] & L_FOCUS) != 0;
	}
	return focused;
}

/* The stack's locations that are not hidden, into r->buf; how many. */
static size_t drop_hidden(frun *r, const uint32_t *L, size_t n)
{
	size_t m = 0;
	for (size_t k = 0; k < n; k++)
		if (!(r->locflags[L[k]] & L_HIDDEN))
			r->buf[m++] = L[k];
	return m;
}

/* show_from: the stack cut above its rootmost marked location; 0 when it
 * has none. */
static size_t cut_show_from(const frun *r, size_t m)
{
	while (m > 0 && !(r->locflags[r->buf[m - 1]] & L_SHOW_FROM))
		m--;
	return m;
}

/* prune_from: where the stack starts once cut below its leafmost marked
 * location (0 when it has none). */
static size_t prune_start(const frun *r, size_t m)
{
	size_t from = 0;
	while (from < m && !(r->locflags[r->buf[from]] & L_PRUNE))
		from++;
	return from == m ? 0 : from;
}

/* Stack s after the filters, interned as newid[s], or NONE when none of it
 * is left. A sample with no location ([no stack]) is dropped only by a
 * filter that needs a matching frame. */
static pprofc_status filter_stack(frun *r, size_t s)
{
	const bool *nf = r->name_filter;
	const uint32_t *L = r->old_locs + r->old_off[s];
	size_t n = r->old_off[s + 1] - r->old_off[s];
	r->newid[s] = NONE;
	if (n == 0) {
		if (nf[PPROFC_FILTER_FOCUS] || nf[PPROFC_FILTER_SHOW_FROM])
			return PPROFC_OK;
	} else if ((nf[PPROFC_FILTER_FOCUS] || nf[PPROFC_FILTER_IGNORE]) &&
		   !stack_focused(r, L, n)) {
		return PPROFC_OK;
	}
	size_t m = drop_hidden(r, L, n), from = 0;
	if (n && !m)
		return PPROFC_OK;
	if (nf[PPROFC_FILTER_SHOW_FROM] && !(m = cut_show_from(r, m)))
		return PPROFC_OK;
	if (nf[PPROFC_FILTER_PRUNE_FROM])
		from = prune_start(r, m);
	return model_intern_stack(r->c.p, r->buf + from, m - from, &r->newid[s]);
}

/* Each old stack becomes a new, re-interned one (two may become one), or
 * NONE. The old ones are kept until the filter has succeeded. */
static pprofc_status filter_stacks(frun *r)
{
	pprofc_profile *p = r->c.p;
	budget *b = r->c.b;
	size_t maxlen = 1;
	for (size_t s = 0; s < r->old_nstacks; s++)
		if (r->old_off[s + 1] - r->old_off[s] > maxlen)
			maxlen = r->old_off[s + 1] - r->old_off[s];
	r->newid = budget_alloc(b, (r->old_nstacks + 1) * sizeof(uint32_t));
	r->buf = budget_alloc(b, maxlen * sizeof(uint32_t));
	if (!r->newid || !r->buf)
		return filter_nomem(p);
	p->stack_locs = NULL;
	p->stack_off = NULL;
	p->nstacks = p->nstack_locs = p->cap_stack_locs = p->cap_stack_off = 0;
	r->restacked = true;
	for (size_t s = 0; s < r->old_nstacks; s++) {
		pprofc_status st = filter_stack(r, s);
		if (st != PPROFC_OK)
			return st;
	}
	if (!vec_reserve(b, (void **)&p->stack_off, &p->cap_stack_off, 1, sizeof(uint32_t)))
		return filter_nomem(p);
	if (p->nstacks == 0)
		p->stack_off[0] = 0;
	return PPROFC_OK;
}

/* ---- the samples ------------------------------------------------------- */

/* tagshow/taghide decide per key, once: room for the verdicts. */
static bool alloc_label_verdicts(frun *r)
{
	const pprofc_filter *f = r->c.f;
	pprofc_profile *p = r->c.p;
	if (!f->has_re[PPROFC_FILTER_TAGSHOW] && !f->has_re[PPROFC_FILTER_TAGHIDE])
		return true;
	r->c.key_verdict = budget_alloc(r->c.b, p->nstrings + 1);
	if (!r->c.key_verdict)
		return false;
	memset(r->c.key_verdict, 0, p->nstrings + 1);
	return true;
}

/* Which samples stay: those whose stack is left and that tagfocus and
 * tagignore keep. Decided before anything moves (this may run out of
 * memory), so a failure leaves the samples as they were. */
static pprofc_status decide_samples(frun *r)
{
	pprofc_profile *p = r->c.p;
	const pprofc_filter *f = r->c.f;
	const tag_filter *tf = f->expr[PPROFC_FILTER_TAGFOCUS] ? &f->tag[0] : NULL;
	const tag_filter *ti = f->expr[PPROFC_FILTER_TAGIGNORE] ? &f->tag[1] : NULL;
	if (((tf && tf->range) || (ti && ti->range)) && !build_key_units(&r->c))
		return filter_nomem(p);
	if (!alloc_label_verdicts(r))
		return filter_nomem(p);
	r->keep = budget_alloc(r->c.b, p->nsamples + 1);
	if (!r->keep)
		return filter_nomem(p);
	for (size_t i = 0; i < p->nsamples; i++) {
		uint32_t lo = p->label_off[i], hi = p->label_off[i + 1];
		r->keep[i] = r->newid[p->sample_stack[i]] != NONE;
		if (!r->keep[i] || (!tf && !ti))
			continue;
		const label *ls = hi > lo ? p->labels + lo : NULL; /* (NULL + 0) */
		int focused = 1, ignored = 0;
		if (tf && (focused = tag_match(&r->c, tf, ls, hi - lo)) < 0)
			return filter_nomem(p);
		if (ti && (ignored = tag_match(&r->c, ti, ls, hi - lo)) < 0)
			return filter_nomem(p);
		r->matched[PPROFC_FILTER_TAGFOCUS] |= focused == 1;
		r->matched[PPROFC_FILTER_TAGIGNORE] |= ignored == 1;
		r->keep[i] = focused == 1 && ignored == 0;
	}
	return PPROFC_OK;
}

/* The samples kept, compacted in place (writes never overtake reads) with
 * their new stacks and their labels, less those tagshow/taghide remove.
 * Cannot fail. */
static void compact_samples(frun *r)
{
	pprofc_profile *p = r->c.p;
	const pprofc_filter *f = r->c.f;
	bool labels_filter = f->has_re[PPROFC_FILTER_TAGSHOW] || f->has_re[PPROFC_FILTER_TAGHIDE];
	size_t nt = p->nsample_types, kept = 0, nl = 0;
	uint32_t lo = p->label_off[0];
	for (size_t i = 0; i < p->nsamples; i++) {
		/* label_off[i + 1] is read before kept + 1 <= i + 1 is written. */
		uint32_t hi = p->label_off[i + 1];
		if (r->keep[i]) {
			memmove(p->values + kept * nt, p->values + i * nt, nt * sizeof(int64_t));
			p->sample_stack[kept] = r->newid[p->sample_stack[i]];
			for (uint32_t k = lo; k < hi; k++) {
				if (labels_filter) {
					uint8_t v = label_verdict(&r->c, p->labels[k].key);
					r->matched[PPROFC_FILTER_TAGSHOW] |= (v & V_SHOW) != 0;
					r->matched[PPROFC_FILTER_TAGHIDE] |= (v & V_HIDE) != 0;
					if (!(v & V_SHOW) || (v & V_HIDE))
						continue;
				}
				p->labels[nl++] = p->labels[k];
			}
			kept++;
			p->label_off[kept] = (uint32_t)nl;
		}
		lo = hi;
	}
	p->nsamples = kept;
	p->nlabels = nl;
	p->label_off[0] = 0;
}

/* ---- the whole filter -------------------------------------------------- */

/* The options that were set and matched nothing, bit o for option o. */
static unsigned unmatched_options(const frun *r)
{
	unsigned u = 0;
	for (int o = 0; o < PPROFC_FILTER_COUNT_; o++)
		if (r->c.f->expr[o] && !r->matched[o])
			u |= 1u << o;
	return u;
}

/* Frees what the run used. On failure the old stacks, which still describe
 * every sample, are put back; on success they go. */
static void finish_run(frun *r, bool failed)
{
	pprofc_profile *p = r->c.p;
	budget *b = r->c.b;
	if (r->restacked && failed) {
		budget_free(b, p->stack_locs);
		budget_free(b, p->stack_off);
		p->stack_locs = r->old_locs;
		p->stack_off = r->old_off;
		p->nstacks = r->old_nstacks;
		p->nstack_locs = r->old_nlocs;
		p->cap_stack_locs = r->old_cap_locs;
		p->cap_stack_off = r->old_cap_off;
	} else if (r->restacked) {
		budget_free(b, r->old_locs);
		budget_free(b, r->old_off);
	}
	budget_free(b, p->stack_table);
	p->stack_table = NULL;
	kmap_free(&r->c.keys);
	budget_free_each(b, r->c.key_unit, r->c.kv, r->c.key_verdict, r->fnbits, r->mapbits,
			 r->locflags, r->newid, r->keep, r->buf);
}

pprofc_status pprofc_profile_filter(pprofc_profile *p, const pprofc_filter *f,
				    unsigned *ret_unmatched)
{
	if (!p->loaded || !p->stack_off)
		return set_error(p, PPROFC_ERR_USAGE, "no profile loaded to filter");
	err_clear(&p->err);
	bool any = false;
	for (int o = 0; o < PPROFC_FILTER_COUNT_; o++)
		any |= f->expr[o] != NULL;
	if (ret_unmatched)
		*ret_unmatched = 0;
	if (!any)
		return PPROFC_OK;

	frun r = { .c = { .p = p, .f = f, .b = &p->mem },
		   .old_locs = p->stack_locs,
		   .old_off = p->stack_off,
		   .old_nstacks = p->nstacks,
		   .old_nlocs = p->nstack_locs,
		   .old_cap_locs = p->cap_stack_locs,
		   .old_cap_off = p->cap_stack_off };
	for (int o = 0; o <= PPROFC_FILTER_PRUNE_FROM; o++)
		r.name_filter[o] = f->has_re[o];
	pprofc_status st = PPROFC_OK;
	if (!record_totals(p) || !record_active(p, f))
		st = filter_nomem(p);
	if (st == PPROFC_OK)
		st = filter_locations(&r);
	if (st == PPROFC_OK)
		st = filter_stacks(&r);
	if (st == PPROFC_OK)
		st = decide_samples(&r);
	if (st == PPROFC_OK) {
		compact_samples(&r);
		if (ret_unmatched)
			*ret_unmatched = unmatched_options(&r);
	}
	finish_run(&r, st != PPROFC_OK);
	return st;
}
