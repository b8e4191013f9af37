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
#include <unistd.h>

#include <editline/readline.h>

#include "cli.h"

#define MAX_WORDS    64
#define MAX_SETTINGS 64

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
} shell;

/* ---- options ------------------------------------------------------------ */

/* The option a typed name means, in any table; NULL for none, or for one
 * about reading the sources, which the shell did once. */
static const cli_option *any_option(const char *name, size_t len)
{
	const cli_option *o = find_any_option(name, len);
	return o && !o->load_only ? o : NULL;
}

/* By name: commands share an option's name, not its table entry. */
static setting *find_setting(const cli_option *o)
{
	for (size_t i = 0; i < shell.nset; i++)
		if (!strcmp(shell.set[i].opt->name, o->name))
			return &shell.set[i];
	return NULL;
}

static void unset(const cli_option *o)
{
	setting *s = find_setting(o);
	if (!s)
		return;
	free(s->value);
	*s = shell.set[--shell.nset];
}

/* Options that exclude one another: a granularity, an order, a sample type. */
enum { NO_GROUP, GROUP_GRANULARITY, GROUP_ORDER, GROUP_SAMPLE_TYPE };

static int group_of(const cli_option *o)
{
	switch (o->id) {
	case OPT_GRANULARITY:
		return GROUP_GRANULARITY;
	case OPT_CUM:
	case OPT_FLAT:
		return GROUP_ORDER;
	case OPT_SAMPLE_INDEX:
	case OPT_SHORTHAND:
	case OPT_MEAN_DELAY:
		return GROUP_SAMPLE_TYPE;
	}
	return NO_GROUP;
}

static void set_option(const cli_option *o, const char *value)
{
	int g = group_of(o);
	for (size_t i = 0; g && i < shell.nset;)
		if (group_of(shell.set[i].opt) == g && shell.set[i].opt != o)
			unset(shell.set[i].opt);
		else
			i++;
	setting *s = find_setting(o);
	if (!s) {
		if (shell.nset == MAX_SETTINGS) {
			error("too many options set");
			return;
		}
		s = &shell.set[shell.nset++];
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
		return i < shell.ntypes;
	for (size_t k = 0; k < shell.ntypes; k++)
		if (!strcmp(shell.types[k], spec))
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
	if (o && group_of(o) == (sort ? GROUP_ORDER : GROUP_GRANULARITY))
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
	} else if (!*value || (o->id == OPT_NODECOUNT && !strcmp(value, "-1"))) {
		unset(o); /* nodecount=-1 is pprof's default */
	} else if (o->id == OPT_SAMPLE_INDEX && !sample_type_exists(value)) {
		error("unknown sample type '%s' (type o to see them)", value);
	} else if (o->id == OPT_FILTER) {
		/* a bad expression is said now, as the command line says it */
		pprofc_filter *f = pprofc_filter_create();
		if (f && pprofc_filter_set(f, o->filter, value) != PPROFC_OK)
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

/* Calls visit() on each option the shell sets, once, in the order
 * `options` lists them: the common ones, then those of top, tree, to-dot
 * and list. */
static void each_shell_option(void (*visit)(const cli_option *o))
{
	const cli_option *tables[] = { common_options, top_options, tree_options, dot_options,
				       list_options };
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const cli_option *o = tables[t]; o->name; o++)
			if (any_option(o->name, strlen(o->name)) == o) /* of its copies, one */
				visit(o);
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

/* The pprofc command line a shell command becomes; `owned` are the words
 * made here (--NAME=VALUE), freed after the run. */
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
	for (size_t k = 0; rc == EXIT_OK && k < shell.nsources; k++)
		if (!add(a, shell.sources[k]))
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

/* pprof's words after a command's name: N, -cum, -flat, > FILE, REGEX
 * (focus) and -REGEX (ignore). */
typedef struct line_words {
	const char *count;
	bool cum, flat;
	const char *outfile;
	char *focus, *ignore; /* the REGEX words joined by '|'; NULL: none */
} line_words;

/* Reads argv[i..argc) into *l; false when one is wrong (said). */
static bool read_line_words(char **argv, int i, int argc, line_words *l)
{
	for (; i < argc; i++) {
		const char *t = argv[i];
		char *end;
		errno = 0;
		long v = strtol(t, &end, 10);
		if (*t && !*end && !errno && v >= 0) {
			l->count = argv[i];
		} else if (t[0] == '>') {
			l->outfile = t[1] ? argv[i] + 1 : i + 1 < argc ? argv[++i] : NULL;
			if (!l->outfile) {
				error("a file name is missing after >");
				return false;
			}
		} else if (!strcmp(t, "-cum") || !strcmp(t, "--cum")) {
			l->cum = true;
		} else if (!strcmp(t, "-flat") || !strcmp(t, "--flat")) {
			l->flat = true;
		} else if (t[0] == '-' && t[1]) {
			cat_regex(&l->ignore, t + 1);
		} else {
			cat_regex(&l->focus, t);
		}
	}
	return true;
}

/*
 * Adds to `a` the options of command c: those set in the shell, then the
 * line's own words, which win over a setting of the same option. REGEX
 * and -REGEX are --focus and --ignore, for tags --tagfocus and
 * --tagignore. False when `a` is full.
 */
static bool add_options(words *a, const command *c, const line_words *l)
{
	bool tags = !strcmp(c->name, "tags");
	const cli_option *focus =
		filter_option(tags ? PPROFC_FILTER_TAGFOCUS : PPROFC_FILTER_FOCUS);
	const cli_option *ignore =
		filter_option(tags ? PPROFC_FILTER_TAGIGNORE : PPROFC_FILTER_IGNORE);
	for (size_t k = 0; k < shell.nset; k++) {
		const cli_option *o = shell.set[k].opt;
		if (!has_option(c, o))
			continue;
		if ((l->focus && o == focus) || (l->ignore && o == ignore) ||
		    (l->count && o->id == OPT_NODECOUNT) ||
		    ((l->cum || l->flat) && group_of(o) == GROUP_ORDER))
			continue; /* the line's own word wins */
		if (!addf(a, o->name, shell.set[k].value))
			return false;
	}
	const cli_option *nodecount = find_option_id(c->options, OPT_NODECOUNT);
	if (nodecount) {
		/* pprof's interactive top shows 10 rows unless told */
		const char *n = l->count						? l->count
				: (!find_setting(nodecount) && !strcmp(c->name, "top")) ? "10"
											: NULL;
		if (n && !addf(a, nodecount->name, n))
			return false;
	}
	if (find_option_id(c->options, OPT_CUM) && (l->cum || l->flat))
		add(a, l->cum ? "--cum" : "--flat");
	return !(l->focus && !addf(a, focus->name, l->focus)) &&
	       !(l->ignore && !addf(a, ignore->name, l->ignore)) &&
	       !(l->outfile && !addf(a, "output", l->outfile));
}

/* Runs the shell command shell_cmd, typed with its words argv[0..argc), as the
 * pprofc command it stands for, on the shell's sources. */
static int run_line(const pprof_name *shell_cmd, char **argv, int argc)
{
	const command *c = find_command(shell_cmd->command);
	words a = { .n = 0 };
	line_words l = { .count = NULL };
	int rc = EXIT_USAGE;
	add(&a, c->name);
	int i = 1;
	if (c->pattern) {
		if (argc < 2) {
			error("%s needs a regular expression: %s REGEX", shell_cmd->name,
			      shell_cmd->name);
			return EXIT_USAGE;
		}
		add(&a, argv[i++]);
	}
	if (shell_cmd->option)
		add(&a, shell_cmd->option);
	if (!read_line_words(argv, i, argc, &l))
		goto out;
	if (!add_options(&a, c, &l))
		goto toolong;
	if (!l.outfile && shell_cmd->browser) {
		rc = in_browser(&a, c);
		goto out;
	}
	if (a.n + shell.nsources + 1 >= sizeof(a.w) / sizeof(a.w[0]))
		goto toolong;
	add(&a, "--");
	for (size_t k = 0; k < shell.nsources; k++)
		add(&a, shell.sources[k]);
	a.w[a.n] = NULL;
	rc = c->run((int)a.n, a.w);
	goto out;
toolong:
	error("too many arguments");
out:
	for (size_t k = 0; k < a.nowned; k++)
		free(a.owned[k]);
	free(l.focus);
	free(l.ignore);
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

static const pprof_name *find_shell_command(const char *name)
{
	return find_pprof_name(name, strlen(name), PPROF_SHELL);
}

static void shell_help(const char *topic)
{
	if (topic) {
		const pprof_name *shell_cmd = find_shell_command(topic);
		const command *c = find_command(shell_cmd ? shell_cmd->command : topic);
		const cli_option *o = any_option(topic, strlen(topic));
		if (c) {
			print_help(c, stdout);
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
	for (const pprof_name *c = pprof_names; c->name; c++)
		if (c->where & PPROF_SHELL)
			printf("  %-14s %s\n", c->name, c->help);
	puts("  options, o     the options set and their values\n"
	     "  NAME=VALUE     set an option (focus=RE, sample_index=alloc_space,\n"
	     "                 nodecount=20, unit=ms...); NAME= unsets it\n"
	     "  NAME           set a flag (cum, flat, mean, lines, files, addresses...)\n"
	     "  :              clear focus, ignore, hide, show, tagfocus and tagignore\n"
	     "  help [NAME]    this text, or a command's or an option's\n"
	     "  quit, exit     leave (or Ctrl-D)");
}

/* The shell's own commands: quit, help, options, ':'. False for another
 * name. */
static bool run_builtin(char **argv, int argc)
{
	const char *name = argv[0];
	if (!strcmp(name, "quit") || !strcmp(name, "exit")) {
		shell.quit = true;
		return true;
	}
	if (!strcmp(name, "help")) {
		shell_help(argc > 1 ? argv[1] : NULL);
		return true;
	}
	if (!strcmp(name, "options") || !strcmp(name, "o")) {
		each_shell_option(print_option);
		return true;
	}
	if (!strcmp(name, ":")) {
		static const pprofc_filter_option cleared[] = {
			PPROFC_FILTER_FOCUS, PPROFC_FILTER_IGNORE,   PPROFC_FILTER_HIDE,
			PPROFC_FILTER_SHOW,  PPROFC_FILTER_TAGFOCUS, PPROFC_FILTER_TAGIGNORE,
		};
		for (size_t i = 0; i < sizeof(cleared) / sizeof(cleared[0]); i++)
			unset(filter_option(cleared[i]));
		return true;
	}
	return false;
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
	if (run_builtin(argv, argc))
		return;
	const char *name = argv[0];
	const pprof_name *shell_cmd = find_shell_command(name);
	pprof_name own = { name, name, NULL, PPROF_SHELL, false, NULL };
	if (!shell_cmd && find_command(name) && strcmp(name, "shell") && strcmp(name, "fetch") &&
	    strcmp(name, "help"))
		shell_cmd = &own; /* pprofc's own names: to-callgrind, ... */
	if (!shell_cmd) {
		/* top10 is top 10, as in pprof */
		size_t n = strlen(name);
		while (n && isdigit((unsigned char)name[n - 1]))
			n--;
		char head[32];
		if (n && n < strlen(name) && n < sizeof(head) && argc < MAX_WORDS) {
			memcpy(head, name, n);
			head[n] = '\0';
			if ((shell_cmd = find_shell_command(head))) {
				memmove(argv + 2, argv + 1, (size_t)argc * sizeof(*argv));
				argv[1] = argv[0] + n;
				argv[0] = head;
				argc++;
			}
		}
	}
	if (!shell_cmd) {
		error("unknown command '%s' (type help)", name);
		return;
	}
	interrupted = 0;
	run_line(shell_cmd, argv, argc);
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

/* An option as pprof spells it for completion: sample_index=, focus=, cum. */
static void add_option_name(const cli_option *o)
{
	char buf[64];
	pprof_spelling(o, o->value == OPTV_VALUE ? "=" : "", buf, sizeof(buf));
	add_name(buf);
}

static void build_names(void)
{
	for (const pprof_name *c = pprof_names; c->name; c++)
		if (c->where & PPROF_SHELL)
			add_name(c->name);
	static const char *const builtins[] = { "help", "options", "quit", "exit" };
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		add_name(builtins[i]);
	each_shell_option(add_option_name);
}

static char **complete(const char *text, int start, int end)
{
	(void)end;
	rl_attempted_completion_over = 1; /* never file names */
	const char *line = rl_line_buffer;
	size_t lead = strspn(line, " \t");
	const char *eq = memchr(line, '=', (size_t)start);
	candidates = (const char *const *)shell.functions;
	ncandidates = shell.nfunctions;
	if (eq) {
		size_t n = (size_t)(eq - line) - lead;
		const cli_option *o = any_option(line + lead, n);
		if (o && o->id == OPT_SAMPLE_INDEX) {
			candidates = (const char *const *)shell.types;
			ncandidates = shell.ntypes;
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
	shell.ntypes = pprofc_profile_sample_type_count(p);
	shell.types = calloc(shell.ntypes + 1, sizeof(*shell.types));
	for (size_t i = 0; shell.types && i < shell.ntypes; i++) {
		const char *type = "", *unit = "";
		pprofc_profile_sample_type(p, i, &type, &unit);
		shell.types[i] = strdup(type);
	}
	if (!shell.types)
		shell.ntypes = 0;
	size_t n = pprofc_profile_function_count(p), k = 0;
	shell.functions = calloc(n + 1, sizeof(*shell.functions));
	for (size_t i = 0; shell.functions && i < n; i++) {
		const char *name = pprofc_profile_function_name(p, i);
		if (*name && (shell.functions[k] = strdup(name)))
			k++;
	}
	if (shell.functions) {
		qsort(shell.functions, k, sizeof(*shell.functions), cmp_str);
		size_t d = 0;
		for (size_t i = 0; i < k; i++)
			if (d && !strcmp(shell.functions[d - 1], shell.functions[i]))
				free(shell.functions[i]);
			else
				shell.functions[d++] = shell.functions[i];
		shell.nfunctions = d;
	}
	build_names();
}

static void forget(void)
{
	for (size_t i = 0; i < shell.ntypes; i++)
		free(shell.types[i]);
	for (size_t i = 0; i < shell.nfunctions; i++)
		free(shell.functions[i]);
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	for (size_t i = 0; i < shell.nset; i++)
		free(shell.set[i].value);
	free(shell.types);
	free(shell.functions);
	free(names);
}

/* $HOME/pprof/pprofc_history, the folder made as pprof makes it; NULL
 * without a $HOME. */
static char *history_path(void)
{
	int err;
	char *dir = home_pprof_dir(&err);
	if (!dir)
		return NULL;
	size_t n = strlen(dir) + 32;
	char *path = malloc(n);
	if (path)
		snprintf(path, n, "%s/pprofc_history", dir);
	free(dir);
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
	while (!shell.quit) {
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
	while (!shell.quit && getline(&line, &cap, stdin) >= 0) {
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
	pprofc_top_options t = { .size = sizeof(t), .sample_index = index, .nodecount = 1 };
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

/* The profile as profile.proto in memory (free() *ret): every command
 * reads it as it would the sources. */
static int keep_profile(pprofc_profile *p, char **ret, size_t *ret_len)
{
	char *proto = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&proto, &len);
	pprofc_sink sink = pprofc_sink_stdio(mem ? mem : stderr);
	pprofc_status st = mem ? pprofc_write_proto(p, NULL, &sink) : PPROFC_ERR_NOMEM;
	if (mem && fclose(mem) != 0 && st == PPROFC_OK)
		st = PPROFC_ERR_NOMEM;
	if (st != PPROFC_OK) {
		error("cannot keep the profile: %s",
		      st == PPROFC_ERR_NOMEM ? "out of memory" : profile_failure(p));
		free(proto);
		return EXIT_FAIL;
	}
	*ret = proto;
	*ret_len = len;
	return EXIT_OK;
}

/* The settings the shell starts with: the sample type and filters given
 * on the command line, which hold for every command, and pprof's
 * interactive default, --compact-labels. */
static void set_first_options(const common_opts *opts)
{
	if (opts->sample_index)
		set_option(find_option_id(common_options, OPT_SAMPLE_INDEX), opts->sample_index);
	for (int i = 0; i < PPROFC_FILTER_COUNT_; i++)
		if (opts->filters[i])
			set_option(filter_option((pprofc_filter_option)i), opts->filters[i]);
	const char *compact = "compact-labels";
	set_option(any_option(compact, strlen(compact)), "true");
}

int cmd_shell(int argc, char **argv)
{
	converter conv = { .cmd = find_command("shell"), .any_profile = true };
	common_opts opts;
	int rc = parse_args(&conv, argc, argv, &opts);
	if (rc != GO_ON)
		return rc;
	for (size_t i = 0; i < opts.nsources; i++)
		if (!strcmp(opts.sources[i], "-"))
			return usage_error(conv.cmd, "the shell reads its commands from standard "
						     "input: give the profile as a file or URL");
	pprofc_profile *p;
	size_t index = 0;
	if ((rc = load_sources(&opts, &p)) != EXIT_OK)
		return rc;
	if ((rc = select_sample_type(p, &opts, &index)) != EXIT_OK) {
		pprofc_profile_destroy(p);
		return rc;
	}
	char *proto;
	size_t len;
	if (keep_profile(p, &proto, &len) != EXIT_OK) {
		pprofc_profile_destroy(p);
		return EXIT_FAIL;
	}
	set_preloaded(proto, len);
	shell.sources = opts.sources;
	shell.nsources = opts.nsources;
	set_first_options(&opts);
	learn(p);
	if (!opts.fetch.quiet)
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
