/*
 * pprofc shell [options] SOURCE... (also pprofc SOURCE... and pprofc
 * [options] SOURCE...): go tool pprof's interactive mode.
 *
 * The sources are read once, as every command reads them (fetched, merged,
 * compared with a base), and kept as profile.proto in memory; each command
 * typed then runs the one-shot command of that name on it, with the
 * options set so far, so that its output is the one-shot command's. A line
 * is what pprof takes: a command and its arguments (top 20 -cum, list RE,
 * peek RE, > FILE), name=value to set an option, a flag's name to set it,
 * options, help, quit. On a terminal, libedit gives line editing, history
 * (in $HOME/pprof/pprofc_history) and Tab completion; otherwise each line
 * of standard input is a command, without a prompt.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <editline/readline.h>

#include "cli.h"

#define MAX_WORDS    64
#define MAX_SETTINGS 64

/* What a shell command runs. */
typedef struct shell_command {
	const char *name;    /* as typed */
	const char *command; /* pprofc's command */
	const char *option;  /* an option it implies, or NULL */
	bool browser;	     /* the output opened in a browser */
	const char *help;
} shell_command;

static const shell_command shell_commands[] = {
	{ "top", "top", NULL, false, "the functions with the highest flat values (top N, -cum)" },
	{ "text", "top", NULL, false, "the same as top" },
	{ "tree", "tree", NULL, false, "each function with its callers and callees" },
	{ "peek", "peek", NULL, false, "callers and callees of the functions matching REGEX" },
	{ "list", "list", NULL, false, "the source of the functions matching REGEX, annotated" },
	{ "traces", "traces", NULL, false, "every sample with its stack" },
	{ "tags", "tags", NULL, false, "a histogram of the samples' labels" },
	{ "raw", "raw", NULL, false, "the whole profile as text" },
	{ "comments", "comments", NULL, false, "the profile's comments" },
	{ "callgrind", "to-callgrind", NULL, false, "callgrind (> FILE)" },
	{ "kcachegrind", "kcachegrind", NULL, false, "the profile in KCachegrind" },
	{ "dot", "to-dot", NULL, false, "the call graph in Graphviz's DOT (> FILE)" },
	{ "svg", "to-dot", "--svg", false, "the call graph as SVG (> FILE)" },
	{ "png", "to-dot", "--png", false, "the call graph as PNG (> FILE)" },
	{ "web", "web", NULL, false, "the call graph as SVG in a browser" },
	{ "flamegraph", "to-flamegraph", NULL, true, "a flame graph in a browser" },
	{ "speedscope", "to-speedscope", NULL, false, "speedscope's JSON (> FILE)" },
	{ "folded", "to-folded", NULL, false, "folded stacks (> FILE)" },
	{ "proto", "merge", NULL, false, "the profile as gzipped profile.proto (> FILE)" },
	{ NULL, NULL, NULL, false, NULL },
};

/* Options that belong to reading the sources, done once: not settable. */
static const char *const load_only[] = {
	"output",      "help",	     "header",	    "cacert",	     "cert",
	"key",	       "insecure",   "quiet",	    "seconds",	     "timeout",
	"jobs",	       "keep-going", "base",	    "diff-base",     "normalize",
	"max-size",    "max-memory", "max-samples", "max-locations", "max-functions",
	"max-strings", "max-depth",  "max-labels",  "viewer",	     NULL,
};

typedef struct setting {
	const cli_option *opt;
	char *value; /* "true"/"false" for a flag */
} setting;

static struct shell {
	setting set[MAX_SETTINGS];
	size_t nset;
	char *const *sources; /* the operands as typed, for labels */
	size_t nsources;
	char **types; /* sample types, for completion and sample_index= */
	size_t ntypes;
	char **functions; /* sorted, distinct */
	size_t nfunctions;
	bool quit;
} sh;

/* ---- options ------------------------------------------------------------ */

static bool settable(const cli_option *o)
{
	for (size_t i = 0; load_only[i]; i++)
		if (!strcmp(o->name, load_only[i]))
			return false;
	return true;
}

/* The option a typed name means, in any table. */
static const cli_option *any_option(const char *name, size_t len)
{
	const cli_option *o = find_any_option(name, len);
	return o && settable(o) ? o : NULL;
}

/* The option as pprof spells it (sample_index), `suffix` after it. */
static void pprof_spelling(const cli_option *o, const char *suffix, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s", o->pprof ? o->pprof : o->name, suffix);
	for (char *c = buf; *c; c++)
		if (*c == '-')
			*c = '_';
}

/* By name: commands share an option's name, not its table entry. */
static setting *find_setting(const cli_option *o)
{
	for (size_t i = 0; i < sh.nset; i++)
		if (!strcmp(sh.set[i].opt->name, o->name))
			return &sh.set[i];
	return NULL;
}

static void unset(const cli_option *o)
{
	setting *s = find_setting(o);
	if (!s)
		return;
	free(s->value);
	*s = sh.set[--sh.nset];
}

/* Options that exclude one another: a granularity, an order, a sample type. */
static int group_of(const cli_option *o)
{
	if (o->id >= OPT_GRANULARITY_FIRST &&
	    o->id < OPT_GRANULARITY_FIRST + PPROFC_GRANULARITY_COUNT_)
		return 1;
	if (!strcmp(o->name, "cum") || !strcmp(o->name, "flat"))
		return 2;
	if (o->id == OPT_SAMPLE_INDEX ||
	    (o->id >= OPT_SHORTHAND_FIRST && o->id < OPT_SHORTHAND_FIRST + NSHORTHANDS))
		return 3;
	return 0;
}

static void set_option(const cli_option *o, const char *value)
{
	int g = group_of(o);
	for (size_t i = 0; g && i < sh.nset;)
		if (group_of(sh.set[i].opt) == g && sh.set[i].opt != o)
			unset(sh.set[i].opt);
		else
			i++;
	setting *s = find_setting(o);
	if (!s) {
		if (sh.nset == MAX_SETTINGS) {
			error("too many options set");
			return;
		}
		s = &sh.set[sh.nset++];
		s->opt = o;
		s->value = NULL;
	}
	free(s->value);
	s->value = strdup(value);
	if (!s->value) {
		error("out of memory");
		unset(o);
	}
}

/* A sample type's name or index, as --sample-index takes it. */
static bool sample_type_exists(const char *spec)
{
	char *end;
	unsigned long i = strtoul(spec, &end, 10);
	if (*spec && !*end)
		return i < sh.ntypes;
	for (size_t k = 0; k < sh.ntypes; k++)
		if (!strcmp(sh.types[k], spec))
			return true;
	return false;
}

/* pprof's choice fields, sort=cum and granularity=lines, set the flag of
 * that name; false when `name` (n bytes) is no choice field. */
static bool choice(const char *name, size_t n, const char *eq)
{
	bool sort = n == 4 && !strncmp(name, "sort", 4);
	if (!sort && !(n == 11 && !strncmp(name, "granularity", 11)))
		return false;
	char value[32] = "";
	if (eq)
		sscanf(eq + 1, " %31s", value);
	const cli_option *o = any_option(value, strlen(value));
	if (o && group_of(o) == (sort ? 2 : 1))
		set_option(o, "true");
	else
		error("%.*s is one of %s", (int)n, name,
		      sort ? "cum, flat" : "functions, filefunctions, files, lines, addresses");
	return true;
}

/* name=value, or a flag's name alone; false when the line is no option. */
static bool assignment(const char *line)
{
	const char *eq = strchr(line, '=');
	size_t n = eq ? (size_t)(eq - line) : strlen(line);
	while (n && isspace((unsigned char)line[n - 1]))
		n--;
	if (choice(line, n, eq))
		return true;
	const cli_option *o = any_option(line, n);
	if (!o)
		return false;
	const char *v = eq ? eq + 1 : NULL;
	while (v && isspace((unsigned char)*v))
		v++;
	char *value = v ? strdup(v) : NULL;
	if (v && !value) {
		error("out of memory");
		return true;
	}
	for (size_t k = value ? strlen(value) : 0; k && isspace((unsigned char)value[k - 1]); k--)
		value[k - 1] = '\0';
	if (o->value == OPTV_FLAG) {
		if (value && *value && strcmp(value, "true") && strcmp(value, "false"))
			error("%s is true or false, not '%s'", o->name, value);
		else
			set_option(o, value && !strcmp(value, "false") ? "false" : "true");
	} else if (!value) {
		error("please give a value: %s=VALUE", o->pprof ? o->pprof : o->name);
	} else if (!*value || (!strcmp(o->name, "nodecount") && !strcmp(value, "-1"))) {
		unset(o); /* nodecount=-1 is pprof's default */
	} else if (o->id == OPT_SAMPLE_INDEX && !sample_type_exists(value)) {
		error("unknown sample type '%s' (type o to see them)", value);
	} else if (o->id >= OPT_FILTER_FIRST && o->id < OPT_FILTER_FIRST + PPROFC_FILTER_COUNT_) {
		/* a bad expression is said now, as the command line says it */
		pprofc_filter *f = pprofc_filter_create();
		if (f && pprofc_filter_set(f, (pprofc_filter_option)(o->id - OPT_FILTER_FIRST),
					   value) != PPROFC_OK)
			error("%s", pprofc_filter_errmsg(f));
		else if (f)
			set_option(o, value);
		pprofc_filter_destroy(f);
	} else {
		set_option(o, value);
	}
	free(value);
	return true;
}

/* One option and its value, by pprof's name (sample_index). */
static void print_option(const cli_option *o)
{
	char name[64];
	pprof_spelling(o, "", name, sizeof(name));
	setting *s = find_setting(o);
	printf("  %-25s = %s\n", name, s ? s->value : o->value == OPTV_FLAG ? "false" : "\"\"");
}

static void print_options(void)
{
	for (const cli_option *o = common_options; o->name; o++)
		if (settable(o))
			print_option(o);
	const cli_option *tables[] = { top_options, tree_options, dot_options, list_options };
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const cli_option *o = tables[t]; o->name; o++) {
			const cli_option *first = any_option(o->name, strlen(o->name));
			if (first == o && settable(o)) /* not shared with a table before */
				print_option(o);
		}
}

/* ---- running a command --------------------------------------------------- */

static bool has_option(const command *c, const cli_option *o)
{
	for (const cli_option *t = c->options; t && t->name; t++)
		if (t == o || !strcmp(t->name, o->name))
			return true;
	for (const cli_option *t = common_options; t->name; t++)
		if (t == o) /* --mean only where a mean adds up */
			return o->id != OPT_MEAN || !strcmp(c->name, "top") ||
			       !strcmp(c->name, "traces");
	return false;
}

/* pprof's arguments after the command: N, -cum, -flat, > FILE, REGEX
 * (focus) and -REGEX (ignore); tags takes them as tagfocus/tagignore. */
typedef struct words {
	char *w[MAX_WORDS * 2 + 16];
	size_t n;
	char *owned[MAX_WORDS + 8];
	size_t nowned;
} words;

static bool add(words *a, const char *w)
{
	if (a->n + 2 >= sizeof(a->w) / sizeof(a->w[0]))
		return false;
	a->w[a->n++] = (char *)w;
	return true;
}

static bool addf(words *a, const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 4;
	char *s = malloc(n);
	if (!s || a->nowned == sizeof(a->owned) / sizeof(a->owned[0])) {
		free(s);
		return false;
	}
	snprintf(s, n, "--%s=%s", name, value);
	a->owned[a->nowned++] = s;
	return add(a, s);
}

static void cat_regex(char **acc, const char *rx)
{
	size_t n = (*acc ? strlen(*acc) + 1 : 0) + strlen(rx) + 1;
	char *s = malloc(n);
	if (!s)
		return;
	snprintf(s, n, "%s%s%s", *acc ? *acc : "", *acc ? "|" : "", rx);
	free(*acc);
	*acc = s;
}

/* Runs `a` (without its sources) with its output in a temp file opened in
 * a browser: the shell's flamegraph. */
static int in_browser(words *a, const command *c)
{
	view v;
	if (view_begin(&v, "pprofc", ".svg") != EXIT_OK)
		return EXIT_FAIL;
	/* the command writes the file by its name (-o renames over it) */
	fclose(v.out.fp);
	int rc = addf(a, "output", v.path) && add(a, "--") ? EXIT_OK : EXIT_USAGE;
	for (size_t k = 0; rc == EXIT_OK && k < sh.nsources; k++)
		if (!add(a, sh.sources[k]))
			rc = EXIT_USAGE;
	if (rc == EXIT_OK) {
		a->w[a->n] = NULL;
		rc = c->run((int)a->n, a->w);
	} else {
		error("too many arguments");
	}
	if (rc != EXIT_OK) {
		view_discard(&v);
		return rc;
	}
	return view_open(&v, browsers(), false);
}

static int run_line(const shell_command *sc, char **argv, int argc)
{
	const command *c = find_command(sc->command);
	words a = { .n = 0 };
	int rc = EXIT_USAGE;
	bool pattern = !strcmp(c->name, "peek") || !strcmp(c->name, "list");
	char *focus = NULL, *ignore = NULL, *outfile = NULL, *count = NULL;
	bool cum = false, flat = false;
	add(&a, c->name);
	int i = 1;
	if (pattern) {
		if (argc < 2) {
			error("%s needs a regular expression: %s REGEX", sc->name, sc->name);
			return EXIT_USAGE;
		}
		add(&a, argv[i++]);
	}
	if (sc->option)
		add(&a, sc->option);
	for (; i < argc; i++) {
		const char *t = argv[i];
		char *end;
		errno = 0;
		long v = strtol(t, &end, 10);
		if (*t && !*end && !errno && v >= 0) {
			count = argv[i];
		} else if (t[0] == '>') {
			outfile = t[1] ? argv[i] + 1 : i + 1 < argc ? argv[++i] : NULL;
			if (!outfile) {
				error("a file name is missing after >");
				goto out;
			}
		} else if (!strcmp(t, "-cum") || !strcmp(t, "--cum")) {
			cum = true;
		} else if (!strcmp(t, "-flat") || !strcmp(t, "--flat")) {
			flat = true;
		} else if (t[0] == '-' && t[1]) {
			cat_regex(&ignore, t + 1);
		} else {
			cat_regex(&focus, t);
		}
	}
	bool tags = !strcmp(c->name, "tags");
	for (size_t k = 0; k < sh.nset; k++) {
		const cli_option *o = sh.set[k].opt;
		if (!has_option(c, o))
			continue;
		if ((focus && !strcmp(o->name, tags ? "tagfocus" : "focus")) ||
		    (ignore && !strcmp(o->name, tags ? "tagignore" : "ignore")) ||
		    (count && !strcmp(o->name, "nodecount")) || ((cum || flat) && group_of(o) == 2))
			continue; /* the line's own word wins */
		if (!addf(&a, o->name, sh.set[k].value))
			goto toolong;
	}
	const cli_option *nodecount = find_option(c->options, "nodecount", 9);
	if (nodecount) {
		/* pprof's interactive top shows 10 rows unless told */
		const char *n = count							? count
				: (!find_setting(nodecount) && !strcmp(c->name, "top")) ? "10"
											: NULL;
		if (n && !addf(&a, "nodecount", n))
			goto toolong;
	}
	if (find_option(c->options, "cum", 3) && (cum || flat))
		add(&a, cum ? "--cum" : "--flat");
	if ((focus && !addf(&a, tags ? "tagfocus" : "focus", focus)) ||
	    (ignore && !addf(&a, tags ? "tagignore" : "ignore", ignore)) ||
	    (outfile && !addf(&a, "output", outfile)))
		goto toolong;
	if (!outfile && sc->browser) {
		rc = in_browser(&a, c);
		goto out;
	}
	if (a.n + sh.nsources + 1 >= sizeof(a.w) / sizeof(a.w[0]))
		goto toolong;
	add(&a, "--");
	for (size_t k = 0; k < sh.nsources; k++)
		add(&a, sh.sources[k]);
	a.w[a.n] = NULL;
	rc = c->run((int)a.n, a.w);
	goto out;
toolong:
	error("too many arguments");
out:
	for (size_t k = 0; k < a.nowned; k++)
		free(a.owned[k]);
	free(focus);
	free(ignore);
	return rc;
}

/* ---- lines ---------------------------------------------------------------- */

/* Splits a line at white space; quotes ('...' or "...") keep a word whole.
 * The words point into `line`, which is changed. */
static int split(char *line, char **argv, int max)
{
	int n = 0;
	char *r = line, *w = line;
	while (*r) {
		while (isspace((unsigned char)*r))
			r++;
		if (!*r)
			break;
		if (n == max)
			return -1;
		argv[n++] = w;
		char quote = 0;
		while (*r && (quote || !isspace((unsigned char)*r))) {
			if (!quote && (*r == '\'' || *r == '"'))
				quote = *r++;
			else if (quote && *r == quote)
				quote = 0, r++;
			else
				*w++ = *r++;
		}
		if (*r)
			r++;
		*w++ = '\0';
	}
	return n;
}

static const shell_command *find_shell_command(const char *name)
{
	for (const shell_command *c = shell_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static void print_help(const char *topic)
{
	if (topic) {
		const shell_command *sc = find_shell_command(topic);
		const command *c = find_command(sc ? sc->command : topic);
		const cli_option *o = any_option(topic, strlen(topic));
		if (c) {
			fputs(c->help, stdout);
		} else if (o) {
			printf("%s%s: %s\n", o->name, o->value == OPTV_FLAG ? "" : "=VALUE",
			       o->help);
		} else {
			error("no help for '%s'", topic);
		}
		return;
	}
	puts("Commands (pprof's arguments: N rows, -cum, REGEX to focus, -REGEX to ignore,\n"
	     "> FILE to write the output to FILE):");
	for (const shell_command *c = shell_commands; c->name; c++)
		printf("  %-14s %s\n", c->name, c->help);
	puts("  options, o     the options set and their values\n"
	     "  NAME=VALUE     set an option (focus=RE, sample_index=alloc_space,\n"
	     "                 nodecount=20, unit=ms...); NAME= unsets it\n"
	     "  NAME           set a flag (cum, flat, mean, lines, files, addresses...)\n"
	     "  :              clear focus, ignore, hide, show, tagfocus and tagignore\n"
	     "  help [NAME]    this text, or a command's or an option's\n"
	     "  quit, exit     leave (or Ctrl-D)");
}

/* Runs one line; the shell goes on whatever it says. */
static void run(char *line)
{
	char *argv[MAX_WORDS + 1];
	while (isspace((unsigned char)*line))
		line++;
	if (!*line || *line == '#')
		return;
	/* name=value takes the rest of the line as the value, as pprof does */
	if (assignment(line))
		return;
	int argc = split(line, argv, MAX_WORDS);
	if (argc < 0) {
		error("too many words");
		return;
	}
	if (argc == 0)
		return;
	argv[argc] = NULL;
	const char *name = argv[0];
	if (!strcmp(name, "quit") || !strcmp(name, "exit")) {
		sh.quit = true;
		return;
	}
	if (!strcmp(name, "help")) {
		print_help(argc > 1 ? argv[1] : NULL);
		return;
	}
	if (!strcmp(name, "options") || !strcmp(name, "o")) {
		print_options();
		return;
	}
	if (!strcmp(name, ":")) {
		static const char *const filters[] = { "focus", "ignore",   "hide",
						       "show",	"tagfocus", "tagignore" };
		for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++)
			unset(any_option(filters[i], strlen(filters[i])));
		return;
	}
	const shell_command *sc = find_shell_command(name);
	shell_command own = { name, name, NULL, false, NULL };
	if (!sc && find_command(name) && strcmp(name, "shell") && strcmp(name, "fetch") &&
	    strcmp(name, "help"))
		sc = &own; /* pprofc's own names: to-callgrind, ... */
	if (!sc) {
		/* top10 is top 10, as in pprof */
		size_t n = strlen(name);
		while (n && isdigit((unsigned char)name[n - 1]))
			n--;
		char head[32];
		if (n && n < strlen(name) && n < sizeof(head) && argc < MAX_WORDS) {
			memcpy(head, name, n);
			head[n] = '\0';
			if ((sc = find_shell_command(head))) {
				memmove(argv + 2, argv + 1, (size_t)argc * sizeof(*argv));
				argv[1] = argv[0] + n;
				argv[0] = head;
				argc++;
			}
		}
	}
	if (!sc) {
		error("unknown command '%s' (type help)", name);
		return;
	}
	interrupted = 0;
	run_line(sc, argv, argc);
	fflush(stdout);
	if (interrupted)
		fputc('\n', stderr);
	interrupted = 0;
	view_reap(false);
}

/* ---- completion ----------------------------------------------------------- */

static const char *const *candidates;
static size_t ncandidates;
static char **names; /* commands and option names, built once */
static size_t nnames;

static char *next_candidate(const char *text, int state)
{
	static size_t i, len;
	if (!state) {
		i = 0;
		len = strlen(text);
	}
	while (i < ncandidates) {
		const char *c = candidates[i++];
		if (!strncmp(c, text, len))
			return strdup(c);
	}
	return NULL;
}

static void add_name(const char *name)
{
	char **grown = realloc(names, (nnames + 1) * sizeof(*names));
	if (!grown)
		return;
	names = grown;
	if ((names[nnames] = strdup(name)))
		nnames++;
}

static void build_names(void)
{
	for (const shell_command *c = shell_commands; c->name; c++)
		add_name(c->name);
	static const char *const builtins[] = { "help", "options", "quit", "exit" };
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		add_name(builtins[i]);
	/* options as pprof spells them: sample_index=, focus=, cum */
	const cli_option *tables[] = { common_options, top_options, tree_options, dot_options,
				       list_options };
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const cli_option *o = tables[t]; o->name; o++) {
			if (!settable(o) || any_option(o->name, strlen(o->name)) != o)
				continue;
			char buf[64];
			pprof_spelling(o, o->value == OPTV_VALUE ? "=" : "", buf, sizeof(buf));
			add_name(buf);
		}
}

static char **complete(const char *text, int start, int end)
{
	(void)end;
	rl_attempted_completion_over = 1; /* never file names */
	const char *line = rl_line_buffer;
	size_t lead = strspn(line, " \t");
	const char *eq = memchr(line, '=', (size_t)start);
	candidates = (const char *const *)sh.functions;
	ncandidates = sh.nfunctions;
	if (eq) {
		size_t n = (size_t)(eq - line) - lead;
		const cli_option *o = any_option(line + lead, n);
		if (o && o->id == OPT_SAMPLE_INDEX) {
			candidates = (const char *const *)sh.types;
			ncandidates = sh.ntypes;
		} else if (o && !strcmp(o->name, "granularity")) {
			ncandidates = 0;
		}
	} else if ((size_t)start <= lead ||
		   (!strncmp(line + lead, "help", 4) && isspace((unsigned char)line[lead + 4]))) {
		candidates = (const char *const *)names;
		ncandidates = nnames;
	}
	/* "sample_index=" goes on with its value, no space between */
	size_t matches = 0, len = strlen(text);
	bool assign = false;
	for (size_t i = 0; i < ncandidates; i++)
		if (!strncmp(candidates[i], text, len)) {
			matches++;
			assign = candidates[i][strlen(candidates[i]) - 1] == '=';
		}
	rl_completion_append_character = matches == 1 && assign ? '\0' : ' ';
	return rl_completion_matches(text, next_candidate);
}

/* ---- the loop ------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sample types and function names, for completion. */
static void learn(pprofc_profile *p)
{
	sh.ntypes = pprofc_profile_sample_type_count(p);
	sh.types = calloc(sh.ntypes + 1, sizeof(*sh.types));
	for (size_t i = 0; sh.types && i < sh.ntypes; i++) {
		const char *type = "", *unit = "";
		pprofc_profile_sample_type(p, i, &type, &unit);
		sh.types[i] = strdup(type);
	}
	if (!sh.types)
		sh.ntypes = 0;
	size_t n = pprofc_profile_function_count(p), k = 0;
	sh.functions = calloc(n + 1, sizeof(*sh.functions));
	for (size_t i = 0; sh.functions && i < n; i++) {
		const char *name = pprofc_profile_function_name(p, i);
		if (*name && (sh.functions[k] = strdup(name)))
			k++;
	}
	if (sh.functions) {
		qsort(sh.functions, k, sizeof(*sh.functions), cmp_str);
		size_t d = 0;
		for (size_t i = 0; i < k; i++)
			if (d && !strcmp(sh.functions[d - 1], sh.functions[i]))
				free(sh.functions[i]);
			else
				sh.functions[d++] = sh.functions[i];
		sh.nfunctions = d;
	}
	build_names();
}

static void forget(void)
{
	for (size_t i = 0; i < sh.ntypes; i++)
		free(sh.types[i]);
	for (size_t i = 0; i < sh.nfunctions; i++)
		free(sh.functions[i]);
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	for (size_t i = 0; i < sh.nset; i++)
		free(sh.set[i].value);
	free(sh.types);
	free(sh.functions);
	free(names);
}

/* $HOME/pprof/pprofc_history, the folder made as pprof makes it; NULL
 * without a $HOME. */
static char *history_path(void)
{
	const char *home = getenv("HOME");
	if (!home || !*home)
		return NULL;
	size_t n = strlen(home) + 32;
	char *path = malloc(n);
	if (!path)
		return NULL;
	snprintf(path, n, "%s/pprof", home);
	mkdir(path, 0755);
	snprintf(path, n, "%s/pprof/pprofc_history", home);
	return path;
}

static void loop_terminal(void)
{
	char *hist = history_path();
	using_history();
	stifle_history(1000);
	if (hist)
		read_history(hist);
	rl_catch_signals = 0;
	rl_attempted_completion_function = complete;
	while (!sh.quit) {
		interrupted = 0;
		char *line = readline("(pprofc) ");
		if (!line) {
			if (interrupted) { /* Ctrl-C at the prompt: a fresh line */
				fputc('\n', stdout);
				continue;
			}
			fputc('\n', stdout);
			break;
		}
		if (*line) {
			add_history(line);
			if (hist)
				write_history(hist);
		}
		run(line);
		free(line);
	}
	free(hist);
}

static void loop_script(void)
{
	char *line = NULL;
	size_t cap = 0;
	while (!sh.quit && getline(&line, &cap, stdin) >= 0) {
		line[strcspn(line, "\n")] = '\0';
		run(line);
	}
	free(line);
}

/* The profile's labels (File, Type, Time, Duration), as pprof greets. */
static void greet(pprofc_profile *p, size_t index)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (!mem)
		return;
	pprofc_top_options t = { .sample_index = index, .nodecount = 1 };
	pprofc_sink sink = pprofc_sink_stdio(mem);
	pprofc_status st = pprofc_write_top(p, &t, &sink);
	fclose(mem);
	if (st == PPROFC_OK) {
		/* the lines before the report's own */
		char *end = strstr(text, "Showing nodes accounting");
		char *filters = strstr(text, "Active filters:");
		if (filters && (!end || filters < end))
			end = filters;
		fwrite(text, 1, end ? (size_t)(end - text) : 0, stderr);
	}
	free(text);
	fputs("Entering interactive mode (type \"help\" for commands, \"o\" for options)\n",
	      stderr);
}

int cmd_shell(int argc, char **argv)
{
	converter cv = { .cmd = find_command("shell"), .any_profile = true };
	common_opts co;
	const char *source;
	bool done;
	int rc = parse_args(&cv, argc, argv, &co, &source, &done);
	if (rc != EXIT_OK || done)
		return rc;
	for (size_t i = 0; i < co.nsources; i++)
		if (!strcmp(co.sources[i], "-"))
			return usage_error(cv.cmd, "the shell reads its commands from standard "
						   "input: give the profile as a file or URL");
	pprofc_profile *p;
	size_t index = 0;
	if ((rc = load_sources(&co, &p)) != EXIT_OK)
		return rc;
	if ((rc = select_sample_type(p, &co, &index)) != EXIT_OK) {
		pprofc_profile_destroy(p);
		return rc;
	}
	/* Kept as profile.proto: every command reads it as it would the sources. */
	char *proto = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&proto, &len);
	pprofc_sink sink = pprofc_sink_stdio(mem ? mem : stderr);
	pprofc_status st = mem ? pprofc_write_proto(p, &sink) : PPROFC_ERR_NOMEM;
	if (mem && fclose(mem) != 0 && st == PPROFC_OK)
		st = PPROFC_ERR_NOMEM;
	if (st != PPROFC_OK) {
		error("cannot keep the profile: %s",
		      st == PPROFC_ERR_NOMEM ? "out of memory" : pprofc_profile_errmsg(p));
		pprofc_profile_destroy(p);
		free(proto);
		return EXIT_FAIL;
	}
	set_preloaded(proto, len);
	sh.sources = co.sources;
	sh.nsources = co.nsources;
	/* the options given on the command line hold for every command */
	if (co.sample_index)
		set_option(any_option("sample-index", 12), co.sample_index);
	for (int i = 0; i < PPROFC_FILTER_COUNT_; i++)
		if (co.filters[i])
			for (const cli_option *o = common_options; o->name; o++)
				if (o->id == OPT_FILTER_FIRST + i)
					set_option(o, co.filters[i]);
	/* go tool pprof's interactive default */
	set_option(any_option("compact-labels", 14), "true");
	learn(p);
	if (!co.fetch.quiet)
		greet(p, index);
	pprofc_profile_destroy(p);

	enter_shell_mode();
	viewers_in_background();
	if (isatty(STDIN_FILENO))
		loop_terminal();
	else
		loop_script();
	view_reap(true);
	set_preloaded(NULL, 0);
	free(proto);
	forget();
	return EXIT_OK;
}
