/*
 * dot: pprof's call graph in Graphviz's DOT language, as `go tool pprof
 * -dot` draws it (its graph/dotgraph.go): a legend box with the report's
 * header lines, one box per node ("name / flat (flat%) / of cum (cum%)",
 * the font growing with flat, coloured by cum), a box per label set beside
 * the node (pprof's tags), and the calls between the nodes kept, labelled
 * with their values, thicker and redder as they weigh more; "(inline)" on
 * inlined calls, dotted calls over nodes left out.
 *
 * The nodes and calls are graph.c's visual mode, pprof's own selection.
 * Unlike pprof, every string is escaped for DOT: a name with a quote, a
 * backslash or a control byte cannot break the file.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "write/write.h"

typedef struct dot {
	pprofc_profile *p;
	graph *g;
	out *o;
	units_fixed uf;
	bool each;
	const char *sunit;
	uint32_t *id; /* node -> N<id>, 0 when not shown */
	uint8_t *has_out, *has_nodelets;
	bool any_nodelet;
	char *buf; /* scratch for names */
	size_t cap;
} dot;

/* ---- pprof's ShortenFunctionName ---------------------------------------- */

static bool is_word(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '_';
}

/* ^(?:[\w\-\.]+\/)+(.+): the part after the package path. */
static bool go_short(const char *s, size_t n, size_t *ret)
{
	size_t i = 0, last = 0;
	for (;;) {
		size_t j = i;
		while (j < n && (is_word(s[j]) || s[j] == '-' || s[j] == '.'))
			j++;
		if (j == i || j >= n || s[j] != '/')
			break;
		i = j + 1;
		if (i < n)
			last = i;
	}
	*ret = last;
	return last > 0;
}

/* ^(?:[a-z]\w*\.)*([A-Z][\w\$]*\.(?:<init>|[a-z][\w\$]*(?:\$\d+)?))(?:\(|$) */
static bool java_short(const char *s, size_t n, size_t *ret_off, size_t *ret_len)
{
	size_t starts[64], ns = 0, i = 0;
	starts[ns++] = 0;
	while (ns < 64) {
		if (i >= n || !(s[i] >= 'a' && s[i] <= 'z'))
			break;
		size_t j = i + 1;
		while (j < n && is_word(s[j]))
			j++;
		if (j >= n || s[j] != '.')
			break;
		i = j + 1;
		starts[ns++] = i;
	}
	/* greedy: the most package segments first */
	for (size_t k = ns; k-- > 0;) {
		size_t a = starts[k], j = a;
		if (j >= n || !(s[j] >= 'A' && s[j] <= 'Z'))
			continue;
		j++;
		while (j < n && (is_word(s[j]) || s[j] == '$'))
			j++;
		if (j >= n || s[j] != '.')
			continue;
		j++;
		size_t e;
		if (n - j >= 6 && !memcmp(s + j, "<init>", 6)) {
			e = j + 6;
		} else if (j < n && s[j] >= 'a' && s[j] <= 'z') {
			e = j + 1;
			while (e < n && (is_word(s[e]) || s[e] == '$'))
				e++;
		} else {
			continue;
		}
		if (e == n || s[e] == '(') {
			*ret_off = a;
			*ret_len = e - a;
			return true;
		}
	}
	return false;
}

/* ^(?:[_a-zA-Z]\w*::)+(_*[A-Z]\w*::~?[_a-zA-Z]\w*(?:<.*>)?) */
static bool cpp_short(const char *s, size_t n, size_t *ret_off, size_t *ret_len)
{
	size_t starts[64], ns = 0, i = 0;
	while (ns < 64) {
		if (i >= n || !(is_word(s[i]) && !(s[i] >= '0' && s[i] <= '9')))
			break;
		size_t j = i + 1;
		while (j < n && is_word(s[j]))
			j++;
		if (n - j < 2 || s[j] != ':' || s[j + 1] != ':')
			break;
		i = j + 2;
		starts[ns++] = i;
	}
	for (size_t k = ns; k-- > 0;) {
		size_t a = starts[k], j = a;
		while (j < n && s[j] == '_')
			j++;
		if (j >= n || !(s[j] >= 'A' && s[j] <= 'Z'))
			continue;
		while (j < n && is_word(s[j]))
			j++;
		if (n - j < 2 || s[j] != ':' || s[j + 1] != ':')
			continue;
		j += 2;
		if (j < n && s[j] == '~')
			j++;
		if (j >= n || !(is_word(s[j]) && !(s[j] >= '0' && s[j] <= '9')))
			continue;
		while (j < n && is_word(s[j]))
			j++;
		if (j < n && s[j] == '<') {
			/* <.*>: to the last '>' before a newline */
			size_t e = j + 1, last = 0;
			while (e < n && s[e] != '\n') {
				if (s[e] == '>')
					last = e + 1;
				e++;
			}
			if (last)
				j = last;
		}
		*ret_off = a;
		*ret_len = j - a;
		return true;
	}
	return false;
}

/* pprof's ShortenFunctionName into dst (room for n + 1 bytes); returns the
 * length. */
static size_t shorten(const char *s, size_t n, char *dst)
{
	if (n >= 23 && !memcmp(s, "(anonymous namespace)::", 23)) {
		s += 23;
		n -= 23;
	}
	/* ^(.*?)/v(?:[2-9]|[1-9][0-9]+)([./].*)$: a module's major version */
	size_t w = 0;
	bool cut = false;
	for (size_t i = 0; i + 2 < n && !cut; i++) {
		if (s[i] != '/' || s[i + 1] != 'v')
			continue;
		size_t j = i + 2;
		if (s[j] >= '2' && s[j] <= '9' && j + 1 < n &&
		    (s[j + 1] == '.' || s[j + 1] == '/')) {
			j += 1;
		} else if (s[j] >= '1' && s[j] <= '9') {
			size_t d = j + 1;
			while (d < n && s[d] >= '0' && s[d] <= '9')
				d++;
			if (d - j < 2 || d >= n || (s[d] != '.' && s[d] != '/'))
				continue;
			j = d;
		} else {
			continue;
		}
		bool nl = false;
		for (size_t k = 0; k < n; k++)
			nl |= s[k] == '\n';
		if (nl)
			break;
		memcpy(dst, s, i);
		memcpy(dst + i, s + j, n - j);
		w = i + n - j;
		cut = true;
	}
	if (!cut) {
		memcpy(dst, s, n);
		w = n;
	}
	size_t off, len;
	if (go_short(dst, w, &off)) {
		memmove(dst, dst + off, w - off);
		return w - off;
	}
	if (java_short(dst, w, &off, &len) || cpp_short(dst, w, &off, &len)) {
		memmove(dst, dst + off, len);
		return len;
	}
	return w;
}

/* ---- values and colours ------------------------------------------------- */

static void value(const dot *d, char *buf, size_t n, int64_t v)
{
	report_value(buf, n, v, &d->uf, d->sunit, d->each);
}

static const char *trimmed_percent(char *buf, size_t n, int64_t v, int64_t total)
{
	units_percent(buf, n, v, total);
	while (*buf == ' ')
		buf++;
	return buf;
}

/* pprof's dotColor: grey near 0, red for heavy, green for negative. */
static void dot_color(char *buf, double score, bool background)
{
	const double shift = 0.7;
	double saturation = background ? 0.1 : 1.0, val = background ? 0.93 : 0.7;
	if (isnan(score))
		score = 0;
	score = fmax(-1.0, fmin(1.0, score));
	if (fabs(score) < 0.2)
		saturation *= fabs(score) / 0.2;
	if (score > 0.0)
		score = pow(score, 1.0 - shift);
	if (score < 0.0)
		score = -pow(-score, 1.0 - shift);
	double r, g, b;
	if (score < 0.0) {
		g = val;
		r = val * (1 + saturation * score);
	} else {
		r = val;
		g = val * (1 - saturation * score);
	}
	b = val * (1 - saturation);
	sprintf(buf, "#%02x%02x%02x", (unsigned)(uint8_t)(r * 255.0),
		(unsigned)(uint8_t)(g * 255.0), (unsigned)(uint8_t)(b * 255.0));
}

static double share(int64_t v, int64_t total)
{
	return total ? (double)v / (double)abs64(total) : 0;
}

/* ---- nodes -------------------------------------------------------------- */

static bool reserve(dot *d, size_t n)
{
	return vec_reserve(&d->p->mem, (void **)&d->buf, &d->cap, n, 1);
}

/* pprof's multilinePrintableName, escaped: "main\nwork\n" (a line per
 * name part), then the file or file:line at the granularity. */
static bool node_label(dot *d, uint32_t nd, uint32_t first)
{
	pprofc_profile *p = d->p;
	out *o = d->o;
	const pstr *name = &d->g->f.nodes[nd].name;
	pprofc_granularity gr = p->granularity;
	const frame *fr = first != NONE ? &d->g->f.frames[first] : NULL;
	const char *fname = name->s;
	size_t flen = name->len;
	if (fr && fr->function != NONE && gr != PPROFC_GRANULARITY_FUNCTIONS) {
		const function *fn = &p->functions[fr->function];
		const pstr *fnm = model_str(p, fn->name);
		if (!fnm->len)
			fnm = model_str(p, fn->system_name);
		fname = gr == PPROFC_GRANULARITY_FILES ? "" : fnm->s;
		flen = gr == PPROFC_GRANULARITY_FILES ? 0 : fnm->len;
		if (gr == PPROFC_GRANULARITY_ADDRESSES) {
			/* the location of this frame: loc_off is ascending */
			size_t lo = 0, hi = p->nlocations;
			while (hi - lo > 1) {
				size_t mid = (lo + hi) / 2;
				if (d->g->f.loc_off[mid] <= first)
					lo = mid;
				else
					hi = mid;
			}
			if (p->locations[lo].address)
				out_fmt(o, "%016" PRIx64 "\\n", p->locations[lo].address);
		}
	}
	if (flen) {
		if (!reserve(d, 2 * (size_t)flen + 1))
			return false;
		size_t n = shorten(fname, flen, d->buf);
		/* escaped, then "::" and "." as line breaks ("[...]" kept) */
		size_t start = 0, i = 0;
		while (i < n) {
			const char *c = d->buf + i;
			size_t skip = n - i >= 5 && !memcmp(c, "[...]", 5)	 ? 5
				      : n - i >= 2 && c[0] == ':' && c[1] == ':' ? 2
				      : c[0] == '.'				 ? 1
										 : 0;
			if (!skip) {
				i++;
				continue;
			}
			out_dot_str(o, d->buf + start, i - start);
			out_str(o, skip == 5 ? "[\xe2\x80\xa6]" : "\\n");
			i += skip;
			start = i;
		}
		out_dot_str(o, d->buf + start, n - start);
		out_str(o, "\\n");
	}
	if (fr && fr->function != NONE && gr != PPROFC_GRANULARITY_FUNCTIONS) {
		const pstr *file = model_str(p, p->functions[fr->function].filename);
		int64_t lineno =
			gr == PPROFC_GRANULARITY_LINES || gr == PPROFC_GRANULARITY_ADDRESSES
				? fr->line
				: 0;
		const char *base = file->s + file->len;
		while (base > file->s && base[-1] != '/')
			base--;
		if (base == file->s + file->len && file->len) /* "dir/": Go's Base */
			base = file->s;
		out_dot_str(o, base, (size_t)(file->s + file->len - base));
		if (lineno)
			out_fmt(o, ":%" PRId64, lineno);
		if (file->len || lineno)
			out_str(o, "\\n");
	}
	return true;
}

static void write_node(dot *d, size_t i, int64_t max_flat, uint32_t first)
{
	out *o = d->o;
	const row *r = &d->g->rows[i];
	int64_t total = d->g->total;
	char fv[64], cv[64], pc[64];
	out_fmt(o, "N%zu [label=\"", i + 1);
	node_label(d, r->node, first);
	value(d, fv, sizeof(fv), r->flat);
	if (r->flat != 0)
		out_fmt(o, "%s (%s)", fv, trimmed_percent(pc, sizeof(pc), r->flat, total));
	else
		out_char(o, '0');
	const char *cum = fv;
	if (r->cum != r->flat) {
		out_str(o, r->flat != 0 ? "\\n" : " ");
		value(d, cv, sizeof(cv), r->cum);
		cum = cv;
		out_fmt(o, "of %s (%s)", cv, trimmed_percent(pc, sizeof(pc), r->cum, total));
	}
	/* font from 8 to 24 by the square root of flat's share of the most */
	int size = 8;
	if (max_flat && r->flat && abs64(r->flat) <= max_flat)
		size += (int)ceil(16.0 * sqrt((double)abs64(r->flat) / (double)max_flat));
	char color[16], fill[16];
	dot_color(color, share(r->cum, total), false);
	dot_color(fill, share(r->cum, total), true);
	out_fmt(o, "\" id=\"node%zu\" fontsize=%d shape=box tooltip=\"", i + 1, size);
	const pstr *name = &d->g->f.nodes[r->node].name;
	out_dot_str(o, name->s, name->len);
	out_fmt(o, " (%s)\" color=\"%s\" fillcolor=\"%s\"]\n", cum, color, fill);
}

/* ---- nodelets (pprof's tags) -------------------------------------------- */

typedef struct tag_sort {
	const graph *g;
	bool flat;
} tag_sort;

/* pprof's SortTags: by |cum| (unless flat), |flat|, then name. */
static int cmp_tags(const void *a, const void *b, void *ctx)
{
	const tag_sort *c = ctx;
	const gtag *x = a, *y = b;
	if (!c->flat && x->cum != y->cum && abs64(x->cum) != abs64(y->cum))
		return abs64(x->cum) > abs64(y->cum) ? -1 : 1;
	if (x->flat != y->flat && abs64(x->flat) != abs64(y->flat))
		return abs64(x->flat) > abs64(y->flat) ? -1 : 1;
	const pstr *nx = &c->g->texts[x->num != NONE ? x->num : x->set];
	const pstr *ny = &c->g->texts[y->num != NONE ? y->num : y->set];
	size_t n = nx->len < ny->len ? nx->len : ny->len;
	int r = memcmp(nx->s, ny->s, n);
	return r ? r : nx->len < ny->len ? -1 : nx->len > ny->len;
}

static void nodelet(dot *d, const char *src, size_t j, const char *text, int64_t w, bool dotted)
{
	char wv[64];
	value(d, wv, sizeof(wv), w);
	out *o = d->o;
	d->any_nodelet = true;
	out_fmt(o, "N%s_%zu [label = \"", src, j);
	out_dot_str(o, text, strlen(text)); /* (a unit comes from the profile) */
	out_fmt(o, "\" id=\"N%s_%zu\" fontsize=8 shape=box3d tooltip=\"%s\"]\n", src, j, wv);
	out_fmt(o,
		"%s -> N%s_%zu [label=\" %s\" weight=100 tooltip=\"%s\" labeltooltip=\"%s\"%s]\n",
		src, src, j, wv, wv, wv, dotted ? " style=\"dotted\"" : "");
}

/* pprof's numericNodelets: at most 4 boxes, more values collapsed into
 * ranges around the 4 heaviest. `src` is the box they hang from. */
static bool numeric_nodelets(dot *d, gtag *ts, size_t n, bool flat, const char *src)
{
	tag_sort c = { d->g, flat };
	if (!sort_ctx(&d->p->mem, ts, n, sizeof(gtag), cmp_tags, &c))
		return false;
	char lbuf[160];
	if (n > 4) {
		/* each of the rest joins the seed nearest in value */
		gtag seed[4];
		int64_t lo[4], hi[4];
		size_t cnt[4];
		for (size_t k = 0; k < 4; k++) {
			seed[k] = ts[k];
			lo[k] = hi[k] = ts[k].value;
			cnt[k] = 1;
		}
		for (size_t i = 4; i < n; i++) {
			size_t best = 0;
			double bd = fabs((double)ts[0].value - (double)ts[i].value);
			for (size_t k = 1; k < 4; k++) {
				double dd = fabs((double)ts[k].value - (double)ts[i].value);
				if (dd < bd) {
					best = k;
					bd = dd;
				}
			}
			seed[best].flat = wadd(seed[best].flat, ts[i].flat);
			seed[best].cum = wadd(seed[best].cum, ts[i].cum);
			lo[best] = ts[i].value < lo[best] ? ts[i].value : lo[best];
			hi[best] = ts[i].value > hi[best] ? ts[i].value : hi[best];
			cnt[best]++;
		}
		/* the ranges' texts go in texts[] scratch: keep them local */
		gtag out4[4];
		char names[4][160];
		for (size_t k = 0; k < 4; k++) {
			char a[64], b[64];
			const char *unit = d->g->bytes_unit ? d->g->bytes_unit : "bytes";
			units_label(a, sizeof(a), cnt[k] > 1 ? lo[k] : seed[k].value, unit, "auto");
			units_label(b, sizeof(b), hi[k], unit, "auto");
			if (cnt[k] > 1)
				snprintf(names[k], sizeof(names[k]), "%s..%s", a, b);
			else
				snprintf(names[k], sizeof(names[k]), "%s", a);
			out4[k] = seed[k];
		}
		/* SortTags again, by the groups' sums (names break ties) */
		size_t order[4] = { 0, 1, 2, 3 };
		for (size_t x = 1; x < 4; x++)
			for (size_t y = x; y > 0; y--) {
				const gtag *a = &out4[order[y - 1]], *b = &out4[order[y]];
				bool swap = false;
				if (!flat && abs64(a->cum) != abs64(b->cum))
					swap = abs64(b->cum) > abs64(a->cum);
				else if (abs64(a->flat) != abs64(b->flat))
					swap = abs64(b->flat) > abs64(a->flat);
				else
					swap = strcmp(names[order[y]], names[order[y - 1]]) < 0;
				if (!swap)
					break;
				size_t t = order[y];
				order[y] = order[y - 1];
				order[y - 1] = t;
			}
		for (size_t j = 0; j < 4; j++) {
			const gtag *t = &out4[order[j]];
			bool plain = flat || t->flat == t->cum;
			int64_t w = plain ? t->flat : t->cum;
			if (w != 0)
				nodelet(d, src, j, names[order[j]], w, !plain);
		}
		return true;
	}
	for (size_t j = 0; j < n; j++) {
		const gtag *t = &ts[j];
		bool plain = flat || t->flat == t->cum;
		int64_t w = plain ? t->flat : t->cum;
		if (w == 0)
			continue;
		const pstr *txt = &d->g->texts[t->num];
		snprintf(lbuf, sizeof(lbuf), "%.*s", (int)txt->len, txt->s);
		nodelet(d, src, j, lbuf, w, !plain);
	}
	return true;
}

/* The boxes of node i: its label sets (at most 4, heaviest first) with
 * their numeric labels, then the numeric labels of unlabelled samples. */
static bool write_nodelets(dot *d, size_t i, gtag *scratch)
{
	const graph *g = d->g;
	uint32_t nd = g->rows[i].node;
	bool flat = d->has_out[nd];
	size_t n = 0;
	for (size_t k = 0; k < g->ntags; k++) {
		const gtag *t = &g->tags[k];
		if (t->node == nd && t->num == NONE && t->set != 0 &&
		    (abs64(t->flat) >= g->node_cut || abs64(t->cum) >= g->node_cut))
			scratch[n++] = *t;
	}
	tag_sort c = { g, flat };
	if (!sort_ctx(&d->p->mem, scratch, n, sizeof(gtag), cmp_tags, &c))
		return false;
	if (n > 4)
		n = 4;
	gtag *nts = scratch + n;
	out *o = d->o;
	d->any_nodelet = false;
	char src[48];
	for (size_t j = 0; j < n; j++) {
		const gtag *t = &scratch[j];
		int64_t w = flat ? t->flat : t->cum;
		if (w == 0)
			continue;
		char wv[64];
		value(d, wv, sizeof(wv), w);
		const pstr *txt = &g->texts[t->set];
		out_fmt(o, "N%zu_%zu [label = \"", i + 1, j);
		out_write(o, txt->s, txt->len); /* escaped when interned */
		out_fmt(o, "\" id=\"N%zu_%zu\" fontsize=8 shape=box3d tooltip=\"%s\"]\n", i + 1, j,
			wv);
		out_fmt(o,
			"N%zu -> N%zu_%zu [label=\" %s\" weight=100 tooltip=\"%s\" "
			"labeltooltip=\"%s\"]\n",
			i + 1, i + 1, j, wv, wv, wv);
		d->any_nodelet = true;
		size_t m = 0;
		for (size_t k = 0; k < g->ntags; k++) {
			const gtag *u = &g->tags[k];
			if (u->node == nd && u->num != NONE && u->set == t->set &&
			    (abs64(u->flat) >= g->node_cut || abs64(u->cum) >= g->node_cut))
				nts[m++] = *u;
		}
		snprintf(src, sizeof(src), "N%zu_%zu", i + 1, j);
		if (m && !numeric_nodelets(d, nts, m, flat, src))
			return false;
	}
	size_t m = 0;
	for (size_t k = 0; k < g->ntags; k++) {
		const gtag *u = &g->tags[k];
		if (u->node == nd && u->num != NONE && u->set == 0 &&
		    (abs64(u->flat) >= g->node_cut || abs64(u->cum) >= g->node_cut))
			nts[m++] = *u;
	}
	snprintf(src, sizeof(src), "N%zu", i + 1);
	if (m && !numeric_nodelets(d, nts, m, flat, src))
		return false;
	d->has_nodelets[nd] = d->any_nodelet;
	return true;
}

/* ---- edges --------------------------------------------------------------- */

static int cmp_edges(const void *a, const void *b, void *ctx)
{
	return graph_cmp_edges(ctx, a, b);
}

static void write_edge(dot *d, const gedge *e)
{
	out *o = d->o;
	int64_t total = d->g->total;
	char wv[64], color[16];
	value(d, wv, sizeof(wv), e->weight);
	out_fmt(o, "N%u -> N%u [label=\" %s%s\"", d->id[e->src], d->id[e->dst], wv,
		e->inline_only ? "\\n (inline)" : "");
	if (total != 0) {
		/* (Go's int64 arithmetic wraps; so does this) */
		int64_t w100 = (int64_t)((uint64_t)e->weight * 100) / total;
		int64_t w5 = (int64_t)((uint64_t)e->weight * 5) / total;
		int64_t weight = 1 + (abs64(w100) < 100 ? abs64(w100) : 100);
		int64_t width = 1 + (abs64(w5) < 5 ? abs64(w5) : 5);
		if (weight > 1)
			out_fmt(o, " weight=%" PRId64, weight);
		if (width > 1)
			out_fmt(o, " penwidth=%" PRId64, width);
		dot_color(color, share(e->weight, total), false);
		out_fmt(o, " color=\"%s\"", color);
	}
	for (int k = 0; k < 2; k++) {
		out_str(o, k ? " labeltooltip=\"" : " tooltip=\"");
		const pstr *s = &d->g->f.nodes[e->src].name, *t = &d->g->f.nodes[e->dst].name;
		out_dot_str(o, s->s, s->len);
		out_str(o, e->residual ? " ... " : " -> ");
		out_dot_str(o, t->s, t->len);
		out_fmt(o, " (%s)\"", wv);
	}
	if (e->residual)
		out_str(o, " style=\"dotted\"");
	if (d->has_nodelets[e->src])
		out_str(o, " minlen=2");
	out_str(o, "]\n");
}

/* ---- the legend ------------------------------------------------------------ */

typedef struct membuf {
	budget *b;
	char *s;
	size_t n, cap;
} membuf;

static int mem_write(void *ctx, const void *data, size_t len)
{
	membuf *m = ctx;
	if (!vec_reserve(m->b, (void **)&m->s, &m->cap, m->n + len + 1, 1))
		return -1;
	memcpy(m->s + m->n, data, len);
	m->n += len;
	return 0;
}

/* pprof's legend: the report's header lines (as the text reports print
 * them, then escaped), each ending in \l. */
static bool write_legend(dot *d, const char *title, const pprofc_dot_options *opt)
{
	pprofc_profile *p = d->p;
	const graph *g = d->g;
	membuf m = { &p->mem, NULL, 0, 0 };
	pprofc_sink sink = { mem_write, &m };
	out *lo = budget_alloc(&p->mem, sizeof(out));
	if (!lo)
		return false;
	out_init(lo, &sink);
	report_head h = { .type = model_str(p, p->sample_types[g->index].type)->s,
			  .compact = opt->compact_labels,
			  .sunit = d->sunit,
			  .unit = opt->unit,
			  .nodefraction = report_fraction(opt->nodefraction, 0.005, false),
			  .dropped_edges = g->dropped_edges,
			  .edgefraction = report_fraction(opt->edgefraction, 0.001, false) };
	report_head_rows(&h, g);
	report_labels(lo, p, &h, &d->uf, &d->each);
	out_flush(lo);
	bool ok = !lo->failed;
	budget_free(&p->mem, lo);
	if (!ok) {
		budget_free(&p->mem, m.s);
		return false;
	}
	out *o = d->o;
	const char *first_end = m.n ? memchr(m.s, '\n', m.n) : NULL;
	out_str(o, "subgraph cluster_L { \"");
	out_dot_str(o, m.s, first_end ? (size_t)(first_end - m.s) : m.n);
	out_str(o, "\" [shape=box fontsize=16 label=\"");
	/* (many long comments could pass Graphviz's limit on a string) */
	size_t start = 0, kept = 0;
	for (size_t i = 0; i < m.n; i++)
		if (m.s[i] == '\n') {
			if (kept > 2 * DOT_NAME_MAX) {
				out_str(o, "\xe2\x80\xa6\\l");
				break;
			}
			out_dot_str(o, m.s + start, i - start);
			out_str(o, "\\l");
			kept += i - start < DOT_NAME_MAX ? i - start : DOT_NAME_MAX;
			start = i + 1;
		}
	out_str(o, "\\lSee https://git.io/JfYMW for how to read the graph\\l\"");
	if (*title) {
		out_str(o, " tooltip=\"");
		out_dot_str(o, title, strlen(title));
		out_char(o, '"');
	}
	out_str(o, "] }\n");
	budget_free(&p->mem, m.s);
	return true;
}

/* Each node's first frame (its function and line for the label), the
 * boxes' ids, and which nodes have calls out. */
static bool dot_nodes(dot *d, uint32_t **ret_first)
{
	const graph *g = d->g;
	budget *b = &d->p->mem;
	size_t nn = g->f.nnodes;
	d->id = budget_alloc(b, (nn + 1) * sizeof(uint32_t));
	d->has_out = budget_alloc(b, nn + 1);
	d->has_nodelets = budget_alloc(b, nn + 1);
	uint32_t *first = *ret_first = budget_alloc(b, (nn + 1) * sizeof(uint32_t));
	if (!d->id || !d->has_out || !d->has_nodelets || !first)
		return false;
	memset(d->id, 0, nn * sizeof(uint32_t));
	memset(d->has_out, 0, nn);
	memset(d->has_nodelets, 0, nn);
	for (size_t i = 0; i < nn; i++)
		first[i] = NONE;
	for (size_t k = g->f.loc_off[d->p->nlocations]; k-- > 0;)
		first[g->f.frames[k].node] = (uint32_t)k;
	for (size_t i = 0; i < g->shown; i++)
		d->id[g->rows[i].node] = (uint32_t)(i + 1);
	for (size_t i = 0; i < g->nedges; i++)
		d->has_out[g->edges[i].src] = 1;
	return true;
}

/* The graph: the legend, the nodes with their nodelets, the calls. */
static bool dot_graph(dot *d, const pprofc_dot_options *opt, const uint32_t *first, gtag *scratch)
{
	pprofc_profile *p = d->p;
	graph *g = d->g;
	out *o = d->o;
	/* pprof's title: the main binary's base name */
	const char *title = "";
	if (p->nmappings && model_str(p, p->mappings[0].filename)->len) {
		const char *f = model_str(p, p->mappings[0].filename)->s;
		const char *s = strrchr(f, '/');
		title = s && s[1] ? s + 1 : f;
	}
	out_str(o, "digraph \"");
	out_dot_str(o, *title ? title : "unnamed", *title ? strlen(title) : 7);
	out_str(o, "\" {\nnode [style=filled fillcolor=\"#f8f8f8\"]\n");
	if (!write_legend(d, title, opt))
		return false;
	int64_t max_flat = g->shown ? abs64(g->rows[0].flat) : 0;
	for (size_t i = 0; i < g->shown; i++)
		if (abs64(g->rows[i].flat) > max_flat)
			max_flat = abs64(g->rows[i].flat);
	for (size_t i = 0; i < g->shown && !o->failed; i++) {
		write_node(d, i, max_flat, first[g->rows[i].node]);
		if (!write_nodelets(d, i, scratch))
			return false;
	}
	if (!sort_ctx(&p->mem, g->edges, g->nedges, sizeof(gedge), cmp_edges, g))
		return false;
	for (size_t i = 0; i < g->nedges && !o->failed; i++)
		write_edge(d, &g->edges[i]);
	out_str(o, "}\n");
	return true;
}

static pprofc_status write_dot(writer *w, const void *ctx)
{
	dot d = { .p = w->p, .g = &w->g, .o = w->o, .sunit = w->sunit };
	uint32_t *first = NULL;
	gtag *scratch = budget_alloc(w->b, (2 * d.g->ntags + 1) * sizeof(gtag));
	pprofc_status st = PPROFC_OK;
	if (!dot_nodes(&d, &first) || !scratch || !dot_graph(&d, ctx, first, scratch))
		st = writer_nomem(w);
	budget_free_each(w->b, d.id, d.has_out, d.has_nodelets, d.buf, first, scratch);
	return st;
}

pprofc_status pprofc_write_dot(pprofc_profile *p, const pprofc_dot_options *opt,
			       const pprofc_sink *sink)
{
	WRITER_OPTIONS(pprofc_dot_options, o, p, opt);
	graph_opts go = { .sample_index = o.sample_index,
			  .nodecount = report_count(o.nodecount, 80, false),
			  .nodefraction = report_fraction(o.nodefraction, 0.005, false),
			  .edgefraction = report_fraction(o.edgefraction, 0.001, false),
			  .visual = true };
	return writer_run_graph(p, &go, "the DOT graph", sink, write_dot, &o);
}
