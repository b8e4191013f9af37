/* pprofc tree and pprofc peek REGEX: pprof's call-context report. */
#include <getopt.h>

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
		return parse_unit(t->cmd, arg, &t->opt.unit);
	case OPT_NODECOUNT:
		return parse_count(t->cmd, "nodecount", arg, &t->opt.nodecount);
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

static converter tree_converter(tree_ctx *t)
{
	return (converter){
		.cmd = t->cmd,
		.own = tree_options,
		.own_option = tree_option,
		.write = write_tree,
		.ctx = t,
	};
}

int cmd_tree(int argc, char **argv)
{
	tree_ctx t = { .cmd = find_command("tree") };
	converter cv = tree_converter(&t);
	return run_converter(&cv, argc, argv);
}

int cmd_peek(int argc, char **argv)
{
	tree_ctx t = { .cmd = find_command("peek") };
	converter cv = tree_converter(&t);
	return run_with_pattern(&cv, argc, argv, &t.opt.peek);
}
