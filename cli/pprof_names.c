/*
 * go tool pprof's names for pprofc's commands, in one table: as command
 * names (pprofc svg SOURCE is pprofc to-dot --svg SOURCE), as format flags
 * (pprofc -svg SOURCE, go tool pprof's own form) and typed in the shell.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define EVERYWHERE (PPROF_COMMAND | PPROF_FORMAT | PPROF_SHELL)

const pprof_name pprof_names[] = {
	{ "top", "top", NULL, PPROF_FORMAT | PPROF_SHELL, false,
	  "the functions with the highest flat values (top N, -cum)" },
	{ "text", "top", NULL, EVERYWHERE, false, "the same as top" },
	{ "tree", "tree", NULL, PPROF_FORMAT | PPROF_SHELL, false,
	  "each function with its callers and callees" },
	{ "peek", "peek", NULL, PPROF_FORMAT | PPROF_SHELL, false,
	  "callers and callees of the functions matching REGEX" },
	{ "list", "list", NULL, PPROF_FORMAT | PPROF_SHELL, false,
	  "the source of the functions matching REGEX, annotated" },
	{ "traces", "traces", NULL, PPROF_FORMAT | PPROF_SHELL, false,
	  "every sample with its stack" },
	{ "tags", "tags", NULL, PPROF_FORMAT | PPROF_SHELL, false,
	  "a histogram of the samples' labels" },
	{ "raw", "raw", NULL, PPROF_FORMAT | PPROF_SHELL, false, "the whole profile as text" },
	{ "comments", "comments", NULL, PPROF_FORMAT | PPROF_SHELL, false,
	  "the profile's comments" },
	{ "callgrind", "to-callgrind", NULL, EVERYWHERE, false, "callgrind (> FILE)" },
	{ "kcachegrind", "kcachegrind", NULL, PPROF_FORMAT | PPROF_SHELL, false,
	  "the profile in KCachegrind" },
	{ "dot", "to-dot", NULL, EVERYWHERE, false, "the call graph in Graphviz's DOT (> FILE)" },
	{ "svg", "to-dot", "--svg", EVERYWHERE, false, "the call graph as SVG (> FILE)" },
	{ "png", "to-dot", "--png", EVERYWHERE, false, "the call graph as PNG (> FILE)" },
	{ "web", "web", NULL, PPROF_FORMAT | PPROF_SHELL, false,
	  "the call graph as SVG in a browser" },
	{ "flamegraph", "to-flamegraph", NULL, PPROF_SHELL, true, "a flame graph in a browser" },
	{ "speedscope", "to-speedscope", NULL, PPROF_COMMAND | PPROF_SHELL, false,
	  "speedscope's JSON (> FILE)" },
	{ "folded", "to-folded", NULL, PPROF_COMMAND | PPROF_SHELL, false,
	  "folded stacks (> FILE)" },
	{ "proto", "merge", NULL, EVERYWHERE, false,
	  "the profile as gzipped profile.proto (> FILE)" },
	{ NULL, NULL, NULL, 0, false, NULL },
};

const pprof_name *find_pprof_name(const char *name, size_t len, unsigned where)
{
	for (const pprof_name *p = pprof_names; p->name; p++)
		if ((p->where & where) && same_name(p->name, name, len))
			return p;
	return NULL;
}

/* Whether the option `name` (len bytes) takes a value, in any table. */
static bool takes_value(const char *name, size_t len)
{
	const cli_option *o = find_any_option(name, len);
	return o && o->value == OPTV_VALUE;
}

int pprof_form(int argc, char **argv, int *ret_argc, char ***ret_argv)
{
	const pprof_name *format = NULL;
	int at = 0; /* where the format flag is */
	const char *pattern = NULL;
	int words = 1; /* the flag, and its value when separate */
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];
		if (!strcmp(w, "--"))
			break;
		if (w[0] != '-' || !w[1])
			continue;
		const char *name = w + (w[1] == '-' ? 2 : 1);
		const char *eq = strchr(name, '=');
		size_t n = eq ? (size_t)(eq - name) : strlen(name);
		const pprof_name *f = find_pprof_name(name, n, PPROF_FORMAT);
		if (!f) {
			if (!eq && takes_value(name, n))
				i++; /* its value may look like anything */
			continue;
		}
		if (format)
			return usage_error(NULL, "'%s' and '%s': choose one output format",
					   argv[at], w);
		format = f;
		at = i;
		words = 1;
		if (find_command(f->command)->pattern) { /* -peek=RE: the value is REGEX */
			if (eq) {
				pattern = eq + 1;
			} else if (i + 1 < argc) {
				pattern = argv[++i];
				words = 2;
			} else {
				return usage_error(NULL, "'%s' needs a regular expression", w);
			}
		}
	}
	if (!format) {
		*ret_argc = 0;
		return EXIT_OK;
	}
	/* COMMAND [REGEX] [OPTION] then every other word, in order */
	char **out = calloc((size_t)argc + 3, sizeof(*out));
	if (!out) {
		error("out of memory");
		return EXIT_FAIL;
	}
	int n = 0;
	out[n++] = (char *)format->command;
	if (pattern)
		out[n++] = (char *)pattern;
	if (format->option)
		out[n++] = (char *)format->option;
	for (int i = 1; i < argc; i++)
		if (i < at || i >= at + words)
			out[n++] = argv[i];
	*ret_argc = n;
	*ret_argv = out;
	return EXIT_OK;
}
