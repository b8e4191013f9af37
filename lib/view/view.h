/*
 * view: what the writers read the model through: nodes at a granularity and
 * the frames of each stack (frames.c), labels as pprof reads them
 * (labels.c), pprof's units and percentages (units.c), the rows and header
 * of the text reports, and the trimmed call graph (graph.c).
 */
#ifndef PPROFC_VIEW_H
#define PPROFC_VIEW_H

#include "model/model.h"

/* ---- frames (frames.c) ------------------------------------------------ */

/*
 * A "node" is what a report row, a callgrind function or a folded frame is
 * about: one per distinct name at the granularity (function names by
 * default; "name file:line" at lines, ...), one per address for locations
 * without lines, and one for samples with no stack at all. Each location
 * expands to the nodes of its lines (its last line only with noinlines).
 */
typedef struct node {
	pstr name; /* display name */
} node;

typedef struct frame {
	uint32_t node;
	uint32_t function; /* NONE for lineless */
	int64_t line;
} frame;

typedef struct frames {
	node *nodes;
	size_t nnodes;
	frame *frames;	      /* all locations' frames, innermost first */
	uint32_t *frame_node; /* frames[i].node, packed for the hot loops */
	uint32_t *loc_off;    /* nlocations + 1 */
	uint32_t *func_node;
	uint32_t nostack;	   /* node of samples with no locations */
	char *names;		   /* storage for synthesized names */
	struct name_block *blocks; /* more of it, for granularities other than functions */
	/* per distinct stack: nstacks * ntypes summed values, and how many
	 * samples with a non-zero value it has */
	int64_t *stack_values;
	uint64_t *stack_count;
	size_t max_depth;    /* frames in the deepest expanded stack */
	size_t total_frames; /* frames of all stacks expanded, for sizing */
	budget *mem;
} frames;

/* Nodes at the profile's granularity, or at `g` (callgrind's choice). */
pprofc_status frames_build(pprofc_profile *p, frames *f);
pprofc_status frames_build_at(pprofc_profile *p, frames *f, pprofc_granularity g);
/* A writer's first step: check the sample index, then frames_build. */
pprofc_status frames_begin(pprofc_profile *p, size_t index, frames *f);
void frames_finish(frames *f);

/* Expand stack `s` root first into dst (room for f->max_depth frames);
 * returns the number of frames, at least 1. */
size_t frames_expand(const pprofc_profile *p, const frames *f, uint32_t s, frame *dst);

/* Go's filepath.Clean (lexical), as pprof applies it to file names (no
 * "//", "/./", "x/.."; "." when empty): writes at most n + 1 bytes to dst,
 * without a NUL, and returns the length. (frames.c) */
size_t path_clean(const char *path, size_t n, char *dst);

/* ---- labels as pprof reads them (labels.c) ------------------------------ */

enum { LABEL_IGNORED, LABEL_STRING, LABEL_NUMERIC };

static inline int label_kind(const label *l)
{
	if (l->str != 0)
		return LABEL_STRING;
	return l->num != 0 || l->num_unit != 0 ? LABEL_NUMERIC : LABEL_IGNORED;
}

/* Label keys by text, each with its numeric unit. */
typedef struct label_keys {
	pprofc_profile *p;
	kmap map;	   /* (hash, len | attempt << 32) -> key id */
	const pstr **keys; /* key id -> text */
	int64_t *unit;	   /* key id -> string index of its unit, -1: none seen */
	size_t cap;
} label_keys;

bool label_keys_init(label_keys *k, pprofc_profile *p);
/* The id of a key's text, added when new; NONE when out of memory. */
uint32_t label_keys_intern(label_keys *k, const pstr *key);
/* Interns every numeric key and finds its unit; false when out of memory. */
bool label_keys_scan_units(label_keys *k);
/* The unit numeric labels of key `id` are shown in. */
const char *label_keys_unit(const label_keys *k, uint32_t id);
void label_keys_finish(label_keys *k);

/* Per sample, 1 when it carries pprof::base="true" (it came from
 * --diff-base's profile, values negated; pprof's DiffBaseSample). *ret is
 * NULL when no sample does, else an array of p->nsamples bytes the caller
 * frees with budget_free(&p->mem, *ret). */
pprofc_status profile_diff_base(pprofc_profile *p, uint8_t **ret);
bool sample_is_base(const pprofc_profile *p, size_t i);

/* One label of a sample, for grouping by key. */
typedef struct lab_ref {
	uint32_t key; /* key id */
	uint32_t idx; /* index into p->labels */
} lab_ref;

/* The labels of `kind` of sample i into *refs (grown as needed), sorted by
 * key id and, within a key, in the sample's order. Returns how many, or
 * SIZE_MAX when out of memory. */
size_t label_refs(label_keys *k, size_t i, int kind, lab_ref **refs, size_t *cap);

/* Lines of text built, then sorted in Go's string order (pprof sorts its
 * formatted label strings), then written. Every line ends in '\n'. */
typedef struct linebuf {
	budget *b;
	char *s;
	size_t n, cap;
	size_t *off; /* start of each line */
	size_t nlines, cap_off;
} linebuf;

bool linebuf_line(linebuf *lb); /* starts a line */
bool linebuf_put(linebuf *lb, const char *s, size_t len);
/* As out_name_escaped: control bytes as \xHH. */
bool linebuf_put_escaped(linebuf *lb, const char *s, size_t len);
bool linebuf_sort(linebuf *lb);
/* Line k (after sorting: the k-th smallest), without its '\n'. */
const char *linebuf_get(const linebuf *lb, size_t k, size_t *ret_len);
void linebuf_finish(linebuf *lb);
/* Characters (runes, as Go's padding counts) of a name escaped as above. */
size_t label_text_width(const char *s, size_t len);

/* ---- units (units.c) ---- */

/* Scale `value` from unit `from` to `to` ("minimum"/"auto" pick the largest
 * unit in which the value is at least 1). *ret_unit is a static name, ""
 * for counts. */
double units_scale(int64_t value, const char *from, const char *to, const char **ret_unit);

/* pprof's ScaledLabel: "1.50s", "670ms", "12MB", "0". */
void units_label(char *buf, size_t n, int64_t value, const char *from, const char *to);

/* A resolved conversion to a fixed unit (not "minimum" or "auto"). */
typedef struct units_fixed {
	double from, to; /* factors to the base unit */
	const char *name;
} units_fixed;

void units_fix(units_fixed *uf, const char *from, const char *to);
/* units_label with a resolved conversion: the same text, faster. */
void units_label_fixed(char *buf, size_t n, int64_t value, const units_fixed *uf);

/* pprof's Percentage: "  100%", "49.25%", "0.52%". */
void units_percent(char *buf, size_t n, int64_t value, int64_t total);

/* ---- reports (report.c) ---- */

typedef struct row {
	uint32_t node;
	int64_t flat, cum;   /* sums: what rows are ordered by, as in pprof */
	int64_t flatv, cumv; /* shown: the sums, or with --mean the means */
} row;

static inline int64_t abs64(int64_t v)
{
	return v < 0 ? (int64_t)(0 - (uint64_t)v) : v;
}

/* --mean: pprof's Node.FlatValue, v / d, or v when d is 0. INT64_MIN / -1
 * would trap: hostile values wrap instead. */
static inline int64_t report_mean(int64_t v, int64_t d)
{
	if (d == 0)
		return v;
	if (d == -1)
		return (int64_t)(0 - (uint64_t)v);
	return v / d;
}

/* A trimming option as a report uses it: PPROFC_DEFAULT_FRACTION (or any
 * negative) and PPROFC_DEFAULT_COUNT become pprof's default `def` in text,
 * 0 (no trimming) in JSON. */
static inline double report_fraction(double v, double def, bool json)
{
	return v >= 0 ? v : json ? 0 : def;
}
static inline size_t report_count(size_t v, size_t def, bool json)
{
	return v != PPROFC_DEFAULT_COUNT ? v : json ? 0 : def;
}

/* |total * fraction|, as pprof computes its cut-offs. */
int64_t report_cutoff(int64_t total, double fraction);
/* pprof's -nodefraction: drops the rows whose |cum| is under `fraction` of
 * the sum of flat values; returns how many. */
size_t report_drop_rows(row *rows, size_t *nrows, double fraction, uint32_t nostack);
/* pprof's total: the sum of |values| before any filter. */
int64_t report_total(const pprofc_profile *p, size_t index);
/* pprof's computeTotal over the samples as they are now: the sum of
 * |value| at `index` and of the first values (--mean's divisor), of the
 * --diff-base samples alone when there are any. */
void report_totals(const pprofc_profile *p, size_t index, int64_t *ret_total, int64_t *ret_div);
/* pprof's "Active filters:" lines, when the profile was filtered. */
void report_active_filters(out *o, const pprofc_profile *p);
/* Sorts rows in pprof's FlatNameOrder or CumNameOrder; false when out of
 * memory. */
bool report_sort_rows(budget *b, const frames *f, row *rows, size_t n, int by_cum);
/* A JSON report's opening: {"sample_type": TYPE, "unit": UNIT */
void report_json_head(out *o, const char *type, const char *sunit);
/* pprof's FlatNameOrder (by_cum 0) or CumNameOrder. */
int report_cmp_rows(const frames *f, const row *a, const row *b, int by_cum);
/* pprof's selectOutputUnit for the rows shown. */
const char *report_unit(const char *sample_unit, const row *r, size_t n, int64_t total);
/* A value in the report's unit, or (each: --unit auto) in its own. */
void report_value(char *buf, size_t n, int64_t v, const units_fixed *uf, const char *sunit,
		  bool each);
/* A row's flat, flat%, sum%, cum, cum% columns, as pprof prints them. */
void report_columns(out *o, int64_t flat, int64_t sum, int64_t cum, int64_t total,
		    const units_fixed *uf, const char *sunit, bool each);
/* What a text report's header lines are made of. */
typedef struct report_head {
	const char *type, *sunit;
	const char *unit; /* --unit, NULL: pprof's choice */
	int mean;
	int64_t total;
	const row *rows;
	size_t shown, nrows, dropped;
	double nodefraction;
	size_t dropped_edges; /* pprof -dot's "Dropped N edges"; 0 for text */
	double edgefraction;
	int compact; /* pprof's -compact_labels: no File, Type, Time lines */
} report_head;

/* pprof's report labels: the header, "Active filters", "Showing nodes
 * accounting for", "Dropped N nodes", "Showing top N nodes"; sets the unit
 * conversion of the rows (each: every value in its own unit). */
void report_labels(out *o, pprofc_profile *p, const report_head *h, units_fixed *uf, bool *each);
/* pprof's header lines: File, Build ID, comments, Type, Time, Duration
 * (with the total in `ounit`). */
void report_header(out *o, pprofc_profile *p, const char *type, int mean, const char *sunit,
		   const char *ounit, int64_t total);

/* ---- pprof's trimmed call graph (graph.c) ------------------------------ */

typedef struct gedge {
	uint32_t src, dst;
	int64_t weight;
	bool inline_only; /* inlined in every sample through it */
	bool residual;	  /* over nodes left out */
	bool removed;
} gedge;

/* A node's labels as pprof's tags: `set` the sample's string labels joined
 * (text id, 0 for none), `num` a numeric "bytes" label's text id or NONE. */
typedef struct gtag {
	uint32_t node, set, num;
	int64_t flat, cum;
	int64_t value; /* a numeric label's first value, as pprof keeps it */
} gtag;

typedef struct graph_opts {
	size_t sample_index;
	int sort_by_cum;
	size_t nodecount; /* 0: all */
	double nodefraction, edgefraction;
	bool visual; /* pprof -dot's: entropy order, tags count as nodes,
			redundant residual calls removed */
} graph_opts;

typedef struct graph {
	pprofc_profile *p;
	budget *b;
	size_t index;
	frames f;
	row *rows;	      /* rows[0..shown) are the nodes kept, in order */
	size_t nrows, shown;  /* nrows: after -nodefraction (pprof's origCount) */
	size_t dropped;	      /* nodes under -nodefraction */
	size_t dropped_edges; /* as pprof counts them for -dot's legend */
	int64_t total, node_cut, edge_cut;
	gedge *edges; /* the calls between the nodes kept */
	size_t nedges, cap_edges;
	gtag *tags; /* visual only */
	size_t ntags, cap_tags;
	pstr *texts;		/* tag texts: label sets escaped for DOT, numbers raw */
	const char *bytes_unit; /* the unit of numeric "bytes" labels */
	size_t ntexts, cap_texts;
	/* scratch */
	kmap edge_map, tag_map, text_map;
	uint64_t *pair_key;
	uint32_t *pair_stamp;
	size_t pair_mask;
	uint32_t *stamp, tag_stamp;
	int64_t *scratch;
	char *tbuf, *lvbuf;
	size_t ntbuf, cap_tbuf, nlvbuf, cap_lvbuf;
	void *lvs;
	size_t cap_lvs;
} graph;

pprofc_status graph_build(pprofc_profile *p, const graph_opts *o, graph *g);
/*
 * top's "(inline)" marks, as pprof's text report sets them from its graph's
 * calls: over the calls between rows[0..n) (residual ones too) whose
 * |value| is at least edge_cut, mark[node] gets 1 for a call into it that
 * was inlined in every sample, 2 for one that was not (mark has f->nnodes
 * bytes, zeroed here). With `mean`, samples whose value is 0 but whose
 * first value is not make calls too, as in pprof's -mean graph.
 */
pprofc_status graph_inline_marks(pprofc_profile *p, const frames *f, size_t index, const row *rows,
				 size_t n, int64_t edge_cut, bool mean, uint8_t *mark);
void graph_finish(graph *g);
/* pprof's edge order: heavier first, then by caller and callee name. */
int graph_cmp_edges(const graph *g, const gedge *x, const gedge *y);

/* ---- report rows (report.c) --------------------------------------------- */

/*
 * Per node, over the stacks with a value at the sample index: flat, the
 * value of the stacks whose innermost frame it is, and cum, of the stacks
 * it is in, once per stack however often recursion repeats it. With flatd
 * and cumd (--mean; NULL without) the same sums of the first values, and a
 * stack counts when either of its values is not 0. The arrays hold
 * f->nnodes entries, zeroed by the caller; stamp too, which is left dirty.
 */
typedef struct node_sums {
	int64_t *flat, *cum;
	int64_t *flatd, *cumd;
	uint32_t *stamp;
} node_sums;

void report_node_sums(const pprofc_profile *p, const frames *f, size_t index, const node_sums *ns);
/* A row per node with a flat or cum sum, in node order (shown as the means
 * with --mean's divisors); returns how many. *ret_fsum: their flat sum but
 * for the stackless node's, what pprof's cut-offs are shares of. */
size_t report_rows(const frames *f, const node_sums *ns, row *rows, int64_t *ret_fsum);
/* sort_ctx's comparison of node ids by their names (Go's string order);
 * ctx: the frames. */
int report_cmp_node_names(const void *a, const void *b, void *ctx);
/* A JSON report's row, but for its closing brace:
 * (",")"\n  {"name": NAME, "flat": FLAT, "cum": CUM */
void report_json_row(out *o, bool first, const pstr *name, int64_t flat, int64_t cum);
/* A report head's rows, total and dropped count, from pprof's graph. */
void report_head_rows(report_head *h, const graph *g);

#endif /* PPROFC_VIEW_H */
