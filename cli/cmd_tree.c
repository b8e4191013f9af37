/* pprofc tree and pprofc peek REGEX: pprof's call-context report. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum {
	OPT_CUM = OPT_FIRST_OWN,
	OPT_FLAT,
	OPT_NODECOUNT,
	OPT_JSON,
	OPT_NODEFRACTION,
	OPT_EDGEFRACTION,
	OPT_UNIT
};

static const struct option tree_options[] = {
	{ "cum", no_argument, NULL, OPT_CUM },
	{ "flat", no_argument, NULL, OPT_FLAT },
	{ "nodecount", required_argument, NULL, OPT_NODECOUNT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "nodefraction", required_argument, NULL, OPT_NODEFRACTION },
	{ "edgefraction", required_argument, NULL, OPT_EDGEFRACTION },
	{ "unit", required_argument, NULL, OPT_UNIT },
	{ NULL, 0, NULL, 0 },
};

typedef struct tree_ctx {
	const command *cmd;
	pprofc_tree_options opt;
} tree_ctx;

static int tree_option(void *ctx, int c, const char *arg)
{
	tree_ctx *t = ctx;
	char *end;
	switch (c) {
	case OPT_CUM:
		t->opt.sort_by_cum = 1;
		return EXIT_OK;
	case OPT_FLAT:
		t->opt.sort_by_cum = 0;
		return EXIT_OK;
	case OPT_JSON:
		t->opt.json = 1;
		return EXIT_OK;
	case OPT_NODEFRACTION:
		return parse_fraction(t->cmd, "nodefraction", arg, &t->opt.nodefraction);
	case OPT_EDGEFRACTION:
		return parse_fraction(t->cmd, "edgefraction", arg, &t->opt.edgefraction);
	case OPT_UNIT:
		if (!*arg || strlen(arg) > 32)
			return usage_error(t->cmd, "invalid unit '%s'", arg);
		t->opt.unit = arg;
		return EXIT_OK;
	case OPT_NODECOUNT:
		errno = 0;
		long long v = strtoll(arg, &end, 10);
		if (errno || end == arg || *end || v < 0)
			return usage_error(t->cmd, "invalid count '%s' for --nodecount", arg);
		t->opt.nodecount = (size_t)v;
		return EXIT_OK;
	}
	return -1;
}

static pprofc_status write_tree(void *ctx, pprofc_profile *p, size_t index, const char *source,
				const pprofc_sink *sink)
{
	tree_ctx *t = ctx;
	(void)source;
	t->opt.sample_index = index;
	return pprofc_write_tree(p, &t->opt, sink);
}

static int run(tree_ctx *t, int argc, char **argv)
{
	converter cv = {
		.cmd = t->cmd,
		.own = tree_options,
		.own_option = tree_option,
		.write = write_tree,
		.ctx = t,
	};
	return run_converter(&cv, argc, argv);
}

int cmd_tree(int argc, char **argv)
{
	tree_ctx t = { .cmd = find_command("tree") };
	return run(&t, argc, argv);
}

int cmd_peek(int argc, char **argv)
{
	tree_ctx t = { .cmd = find_command("peek") };
	/* pprofc peek REGEX [options] SOURCE: the pattern comes first, so
	 * that it may look like anything, even start with '-'... except
	 * for --help. */
	if (argc >= 2 && strcmp(argv[1], "-h") && strcmp(argv[1], "--help")) {
		t.opt.peek = argv[1];
		argv[1] = argv[0];
		return run(&t, argc - 1, argv + 1);
	}
	if (argc < 2)
		return usage_error(t.cmd, "missing REGEX");
	return run(&t, argc, argv);
}
