/*
 * list: pprof's `-list REGEX` report: the source of each function whose
 * name matches, each line with the flat and cum values of the samples at
 * it, read from the local source files.
 *
 * The rules are pprof's, so the same command finds the same files and
 * prints the same lines:
 * - a function's lines are its (name, file, line) nodes; cum counts a
 *   sample once per node, flat goes to the sample's innermost line;
 * - the lines shown run from 5 before the first line with samples to 5
 *   after the last, and stop at the end of the file;
 * - a file name is cleaned like Go's filepath.Clean, then trimmed: by
 *   each --trim-path prefix (and /proc/self/cwd/), or, with none given, up
 *   to the base name of a source-path directory found in it; a relative
 *   result is looked for in each source-path directory and its parents.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "write/write.h"

typedef struct lnode {
	uint32_t fname, file; /* ids in the list's name and file tables */
	int64_t line;
	int64_t flat, cum;
	uint32_t stamp;
} lnode;

typedef struct lister {
	pprofc_profile *p;
	budget *b;
	kmap names, files, nodes; /* name -> id, file -> id, (fname, file, line) */
	const pstr **name_of;	  /* id -> name */
	char **file_of;		  /* id -> cleaned file name (malloc'd) */
	size_t cap_name_of, cap_file_of;
	lnode *n;
	size_t cap_n;
	uint32_t *func_name; /* function index -> name id, NONE: not listed */
	uint32_t *func_file;
} lister;

/* path_clean into a new NUL-terminated string (malloc). */
static char *clean_path(const char *path)
{
	size_t n = strlen(path);
	char *res = malloc(n + 2);
	if (res)
		res[path_clean(path, n, res)] = '\0';
	return res;
}

static const char *base_name(const char *dir, size_t len, size_t *ret_len)
{
	while (len > 1 && dir[len - 1] == '/')
		len--;
	size_t i = len;
	while (i > 0 && dir[i - 1] != '/')
		i--;
	*ret_len = len - i;
	return dir + i;
}

/* pprof's trimPath. Returns a pointer into `path`. */
static const char *trim_path(const char *path, const char *trim, const char *search)
{
	if (!trim || !*trim) {
		for (const char *d = search; *d;) {
			const char *e = strchr(d, ':');
			size_t dl = e ? (size_t)(e - d) : strlen(d), bl;
			const char *bn = base_name(d, dl, &bl);
			char want[4096];
			if (bl + 3 < sizeof(want)) {
				want[0] = '/';
				memcpy(want + 1, bn, bl);
				want[bl + 1] = '/';
				want[bl + 2] = '\0';
				const char *found = strstr(path, want);
				if (found)
					return found + bl + 2;
			}
			if (!e)
				break;
			d = e + 1;
		}
	}
	const char *builtin[] = { "/proc/self/cwd/./", "/proc/self/cwd/" };
	for (const char *d = trim ? trim : ""; *d || d == trim;) {
		const char *e = strchr(d, ':');
		size_t dl = e ? (size_t)(e - d) : strlen(d);
		if (dl) {
			bool slash = d[dl - 1] == '/';
			if (!strncmp(path, d, dl) && (slash || path[dl] == '/'))
				return path + dl + !slash;
		}
		if (!e)
			break;
		d = e + 1;
	}
	for (size_t i = 0; i < 2; i++)
		if (!strncmp(path, builtin[i], strlen(builtin[i])))
			return path + strlen(builtin[i]);
	return path;
}

/* Go's filepath.Dir: all but the last element, cleaned; "." if none. */
static char *go_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return clean_path(".");
	size_t n = (size_t)(slash - path) + 1;
	char *head = malloc(n + 1);
	if (!head)
		return NULL;
	memcpy(head, path, n);
	head[n] = '\0';
	char *c = clean_path(head);
	free(head);
	return c;
}

/* Only regular files: a profile naming /dev/zero or a FIFO as its source
 * must not make us read forever. */
static FILE *open_regular(const char *path)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = -1; /* "not a regular file", below */
		return NULL;
	}
	FILE *f = fdopen(fd, "r");
	if (!f)
		close(fd);
	return f;
}

/* pprof's openSourceFile: an absolute path as it is, a relative one in
 * each source-path directory and each of its parents. *ret_err: errno of
 * the absolute open. */
static FILE *open_source(const char *path, const char *search, int *ret_err)
{
	*ret_err = 0;
	if (path[0] == '/') {
		FILE *f = open_regular(path);
		*ret_err = f ? 0 : errno;
		return f;
	}
	for (const char *d = search; *d;) {
		const char *e = strchr(d, ':');
		size_t dl = e ? (size_t)(e - d) : strlen(d);
		char *dir = malloc(dl + 1);
		if (!dir)
			return NULL;
		memcpy(dir, d, dl);
		dir[dl] = '\0';
		for (;;) {
			size_t n = strlen(dir) + strlen(path) + 2;
			char *full = malloc(n);
			if (!full)
				break;
			snprintf(full, n, "%s%s%s", dir, *dir ? "/" : "", path);
			char *joined = clean_path(full);
			free(full);
			FILE *f = joined ? open_regular(joined) : NULL;
			free(joined);
			if (f) {
				free(dir);
				return f;
			}
			char *parent = go_dir(dir);
			bool last = !parent || !strcmp(parent, dir);
			free(dir);
			dir = parent;
			if (last)
				break;
		}
		free(dir);
		if (!e)
			break;
		d = e + 1;
	}
	return NULL;
}

static uint32_t intern_name(lister *l, const pstr *name)
{
	bool added;
	uint32_t id = kmap_put(&l->names, hash_bytes(name->s, name->len, 11),
			       hash_bytes(name->s, name->len, 12) ^ name->len, &added);
	if (id == NONE || !added)
		return id;
	if (!vec_reserve(l->b, (void **)&l->name_of, &l->cap_name_of, (size_t)id + 1,
			 sizeof(*l->name_of)))
		return NONE;
	l->name_of[id] = name;
	return id;
}

static uint32_t intern_file(lister *l, const pstr *file)
{
	if (!file->len)
		return NONE - 1; /* no source information */
	char *c = clean_path(file->s);
	if (!c)
		return NONE;
	size_t len = strlen(c);
	bool added;
	uint32_t id =
		kmap_put(&l->files, hash_bytes(c, len, 13), hash_bytes(c, len, 14) ^ len, &added);
	if (id == NONE || !added) {
		free(c);
		return id;
	}
	if (!vec_reserve(l->b, (void **)&l->file_of, &l->cap_file_of, (size_t)id + 1,
			 sizeof(*l->file_of))) {
		free(c);
		return NONE;
	}
	l->file_of[id] = c;
	return id;
}

/* Functions by name, then files by name, then lines. */
static int cmp_nodes(const void *a, const void *b, void *ctx)
{
	const lister *l = ctx;
	const lnode *x = &l->n[*(const uint32_t *)a], *y = &l->n[*(const uint32_t *)b];
	if (x->fname != y->fname) {
		const pstr *s = l->name_of[x->fname], *t = l->name_of[y->fname];
		size_t n = s->len < t->len ? s->len : t->len;
		int c = memcmp(s->s, t->s, n);
		return c ? c : s->len < t->len ? -1 : 1;
	}
	if (x->file != y->file) {
		if (x->file == NONE - 1 || y->file == NONE - 1)
			return x->file == NONE - 1 ? -1 : 1;
		return strcmp(l->file_of[x->file], l->file_of[y->file]);
	}
	return x->line < y->line ? -1 : x->line > y->line;
}

/* The value or "." for zero, pprof's valueOrDot. */
static void value_or_dot(char *buf, size_t n, int64_t v, const char *unit, const char *ounit)
{
	if (v == 0)
		snprintf(buf, n, ".");
	else
		units_label(buf, n, v, unit, ounit);
}

/* A source line as it is, but for its control bytes, escaped as names are:
 * a file may hold what would steer the terminal. A tab stays (pprof keeps
 * them, and code is indented with them), and so does the CR of a CRLF
 * line end, harmless before the newline. */
static void put_source_line(out *o, const char *s, size_t len)
{
	bool crlf = len && s[len - 1] == '\r';
	const char *end = s + len - crlf, *tab;
	while ((tab = memchr(s, '\t', (size_t)(end - s)))) {
		out_name_escaped(o, s, (size_t)(tab - s));
		out_char(o, '\t');
		s = tab + 1;
	}
	out_name_escaped(o, s, (size_t)(end - s));
	if (crlf)
		out_char(o, '\r');
}

static void put_source(out *o, lister *l, const uint32_t *idx, size_t lo, size_t hi,
		       const char *shown_path, const char *search, const char *unit,
		       const char *ounit)
{
	int64_t minl = l->n[idx[lo]].line, maxl = minl;
	for (size_t i = lo; i < hi; i++) {
		if (l->n[idx[i]].line < minl)
			minl = l->n[idx[i]].line;
		if (l->n[idx[i]].line > maxl)
			maxl = l->n[idx[i]].line;
	}
	int64_t start = minl - 5 < 1 ? 1 : minl - 5, end = maxl + 5;
	int err;
	FILE *f = open_source(shown_path, search, &err);
	if (!f) {
		/* pprof's messages: Go's for an absolute path, its own else */
		if (err) {
			char why[128];
			snprintf(why, sizeof(why), "%s",
				 err == -1 ? "not a regular file" : strerror(err));
			why[0] = (char)(why[0] >= 'A' && why[0] <= 'Z' ? why[0] + 32 : why[0]);
			out_str(o, " Error: open ");
			out_name_escaped(o, shown_path, strlen(shown_path));
			out_str(o, ": ");
			out_str(o, why);
		} else {
			out_str(o, " Error: could not find file ");
			out_name_escaped(o, shown_path, strlen(shown_path));
			out_str(o, " on path ");
			out_name_escaped(o, search, strlen(search));
		}
		out_char(o, '\n');
		return;
	}
	char *text = NULL;
	size_t cap = 0;
	ssize_t got;
	int64_t lineno = 0;
	size_t k = lo;
	while (lineno < end && (got = getline(&text, &cap, f)) >= 0) {
		lineno++;
		if (lineno < start)
			continue;
		int64_t flat = 0, cum = 0;
		while (k < hi && l->n[idx[k]].line < lineno)
			k++;
		for (; k < hi && l->n[idx[k]].line == lineno; k++) {
			flat = wadd(flat, l->n[idx[k]].flat);
			cum = wadd(cum, l->n[idx[k]].cum);
		}
		char a[64], b[64], num[32];
		value_or_dot(a, sizeof(a), flat, unit, ounit);
		value_or_dot(b, sizeof(b), cum, unit, ounit);
		out_padded(o, a, 10);
		out_char(o, ' ');
		out_padded(o, b, 10);
		out_char(o, ' ');
		snprintf(num, sizeof(num), "%" PRId64, lineno);
		out_padded(o, num, 6);
		out_char(o, ':');
		size_t len = (size_t)got;
		while (len && text[len - 1] == '\n')
			len--;
		put_source_line(o, text, len);
		out_char(o, '\n');
	}
	free(text);
	fclose(f);
}

/* The functions to list: each name matched once, its name and file
 * interned. */
static bool list_functions(lister *l, const regexp *re)
{
	const pprofc_profile *p = l->p;
	for (size_t i = 0; i < p->nfunctions; i++) {
		l->func_name[i] = NONE;
		const pstr *name = model_str(p, p->functions[i].name);
		if (!rx_match(re, name->s, name->len))
			continue;
		l->func_name[i] = intern_name(l, name);
		l->func_file[i] = intern_file(l, model_str(p, p->functions[i].filename));
		if (l->func_name[i] == NONE || l->func_file[i] == NONE)
			return false;
	}
	return true;
}

/* The (function, file, line) node of a listed function's line. */
static lnode *line_node(lister *l, uint32_t fn, int64_t lineno)
{
	bool added;
	uint32_t id = kmap_put(&l->nodes, (uint64_t)l->func_name[fn] << 32 | l->func_file[fn],
			       (uint64_t)lineno, &added);
	if (id == NONE)
		return NULL;
	if (added) {
		if (!vec_reserve(l->b, (void **)&l->n, &l->cap_n, (size_t)id + 1, sizeof(lnode)))
			return NULL;
		l->n[id] = (lnode){ l->func_name[fn], l->func_file[fn], lineno, 0, 0, 0 };
	}
	return &l->n[id];
}

/* Flat and cum of each line of the functions listed: cum once per stack
 * and node, flat at the stack's innermost line. */
static bool list_sums(lister *l, const frames *f, size_t index)
{
	const pprofc_profile *p = l->p;
	size_t nt = p->nsample_types;
	for (uint32_t s = 0; s < p->nstacks; s++) {
		int64_t v = f->stack_values[(size_t)s * nt + index];
		uint32_t lo = p->stack_off[s], hi = p->stack_off[s + 1];
		if (v == 0 || lo == hi)
			continue;
		for (uint32_t j = lo; j < hi; j++) {
			const location *loc = &p->locations[p->stack_locs[j]];
			for (uint32_t k = 0; k < loc->nlines; k++) {
				const line *ln = &p->lines[loc->line_off + k];
				if (l->func_name[ln->function] == NONE)
					continue;
				lnode *nd = line_node(l, ln->function, ln->line);
				if (!nd)
					return false;
				if (nd->stamp != s + 1) {
					nd->stamp = s + 1;
					nd->cum = wadd(nd->cum, v);
				}
				if (j == lo && k == 0)
					nd->flat = wadd(nd->flat, v);
			}
		}
	}
	return true;
}

/* What the routines are written with. */
typedef struct list_out {
	const pprofc_list_options *opt;
	const char *search; /* the directories searched */
	const char *unit, *ounit;
	int64_t total;
} list_out;

/* A function's lines in a file, idx[lo..hi): its heading, then its
 * source. */
static void put_routine(out *o, lister *l, const uint32_t *idx, size_t lo, size_t hi,
			const list_out *lw)
{
	const lnode *first = &l->n[idx[lo]];
	const pstr *name = l->name_of[first->fname];
	/* The name shown is trimmed with --source-path as given, the one
	 * opened with the directories searched (pprof's two calls). */
	const char *shown = trim_path(l->file_of[first->file], lw->opt->trim_path,
				      lw->opt->source_path ? lw->opt->source_path : "");
	const char *opened = trim_path(l->file_of[first->file], lw->opt->trim_path, lw->search);
	int64_t fs = 0, cs = 0;
	for (size_t k = lo; k < hi; k++) {
		fs = wadd(fs, l->n[idx[k]].flat);
		cs = wadd(cs, l->n[idx[k]].cum);
	}
	char a[64], c[64], pc[64];
	out_str(o, "ROUTINE ======================== ");
	out_name_escaped(o, name->s, name->len);
	out_str(o, " in ");
	out_name_escaped(o, shown, strlen(shown));
	out_char(o, '\n');
	units_label(a, sizeof(a), fs, lw->unit, lw->ounit);
	units_label(c, sizeof(c), cs, lw->unit, lw->ounit);
	units_percent(pc, sizeof(pc), cs, lw->total);
	out_padded(o, a, 10);
	out_char(o, ' ');
	out_padded(o, c, 10);
	out_str(o, " (flat, cum) ");
	out_str(o, pc);
	out_str(o, " of Total\n");
	put_source(o, l, idx, lo, hi, opened, lw->search, lw->unit, lw->ounit);
}

/* The report: the total, then each function's lines by file. */
static void put_routines(out *o, lister *l, const uint32_t *idx, size_t nn, const list_out *lw)
{
	char a[64];
	units_label(a, sizeof(a), lw->total, lw->unit, lw->ounit);
	out_str(o, "Total: ");
	out_str(o, a);
	out_char(o, '\n');
	for (size_t i = 0; i < nn && !o->failed;) {
		size_t j = i;
		const lnode *first = &l->n[idx[i]];
		while (j < nn && l->n[idx[j]].fname == first->fname &&
		       l->n[idx[j]].file == first->file)
			j++;
		if (first->file != NONE - 1) {
			put_routine(o, l, idx, i, j, lw);
		} else if (j == nn || l->n[idx[j]].fname != first->fname) {
			/* (fileless lines sort first: the function has no file
			 * at all when the next group is another function) */
			const pstr *name = l->name_of[first->fname];
			out_str(o, "No source information for ");
			out_name_escaped(o, name->s, name->len);
			out_char(o, '\n');
		}
		i = j;
	}
}

/* The nodes in the report's order, into *ret_idx. */
static pprofc_status list_order(writer *w, lister *l, const char *regex, uint32_t **ret_idx)
{
	size_t nn = l->nodes.n;
	if (!nn)
		return set_error(w->p, PPROFC_ERR_USAGE, "no function with samples matches '%s'",
				 regex);
	uint32_t *idx = *ret_idx = budget_alloc(w->b, nn * sizeof(uint32_t));
	if (!idx)
		return writer_nomem(w);
	for (uint32_t i = 0; i < nn; i++)
		idx[i] = i;
	if (!sort_ctx(w->b, idx, nn, sizeof(uint32_t), cmp_nodes, l))
		return writer_nomem(w);
	return PPROFC_OK;
}

static void lister_free(lister *l)
{
	for (size_t i = 0; i < l->files.n; i++)
		free(l->file_of[i]);
	kmap_free(&l->names);
	kmap_free(&l->files);
	kmap_free(&l->nodes);
	budget_free_each(l->b, l->name_of, l->file_of, l->n, l->func_name, l->func_file);
}

/* What the list's body is told. */
typedef struct list_job {
	const pprofc_list_options *opt;
	const regexp *re;
} list_job;

static pprofc_status write_list(writer *w, const void *ctx)
{
	const list_job *j = ctx;
	const pprofc_list_options *opt = j->opt;
	pprofc_profile *p = w->p;
	char cwd[4096];
	/* pprof's -unit; by default each value in its own unit */
	list_out lw = { .opt = opt,
			.search = opt->source_path && *opt->source_path ? opt->source_path
				  : getcwd(cwd, sizeof(cwd))		? cwd
									: ".",
			.unit = w->sunit,
			.ounit = opt->unit && *opt->unit ? opt->unit : "minimum" };
	lister l = { .p = p, .b = w->b };
	uint32_t *idx = NULL;
	pprofc_status st;
	l.func_name = budget_alloc(w->b, (p->nfunctions + 1) * sizeof(uint32_t));
	l.func_file = budget_alloc(w->b, (p->nfunctions + 1) * sizeof(uint32_t));
	if (!l.func_name || !l.func_file || !kmap_init(&l.names, w->b, 64) ||
	    !kmap_init(&l.files, w->b, 64) || !kmap_init(&l.nodes, w->b, 1024) ||
	    !list_functions(&l, j->re) || !list_sums(&l, &w->f, w->index))
		st = writer_nomem(w);
	else
		st = list_order(w, &l, opt->regex, &idx);
	if (st == PPROFC_OK) {
		lw.total = report_total(p, w->index);
		put_routines(w->o, &l, idx, l.nodes.n, &lw);
	}
	lister_free(&l);
	budget_free(w->b, idx);
	return st;
}

pprofc_status pprofc_write_list(pprofc_profile *p, const pprofc_list_options *opt,
				const pprofc_sink *sink)
{
	WRITER_OPTIONS(pprofc_list_options, o, p, opt);
	char why[256];
	regexp *re = rx_compile(o.regex ? o.regex : "", why, sizeof(why));
	if (!re)
		return set_error(p, PPROFC_ERR_USAGE, "invalid regular expression '%s': %s",
				 o.regex ? o.regex : "", why);
	list_job j = { &o, re };
	pprofc_status st = writer_run(p, o.sample_index, WRITER_FRAMES, "the list report", sink,
				      write_list, &j);
	rx_free(re);
	return st;
}
