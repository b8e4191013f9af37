/* pprofc tree and pprofc peek REGEX: pprof's call-context report. */

#include "cli.h"

enum {
	OPT_CUM = OPT_FIRST_OWN,
	OPT_FLAT,
	OPT_NODECOUNT,
	OPT_JSON,
	OPT_NODEFRACTION,
	OPT_EDGEFRACTION,
	OPT_UNIT,
	OPT_COMPACT_LABELS
};

const cli_option tree_options[] = {
	{ "cum", NULL, 0, OPTV_FLAG, OPT_CUM, NULL, "order functions by cumulative value" },
	{ "flat", NULL, 0, OPTV_FLAG, OPT_FLAT, NULL, "order functions by flat value" },
	{ "nodecount", NULL, 0, OPTV_VALUE, OPT_NODECOUNT, "N", "show at most N functions" },
	{ "json", NULL, 0, OPTV_FLAG, OPT_JSON, NULL, "print JSON" },
	{ "nodefraction", NULL, 0, OPTV_VALUE, OPT_NODEFRACTION, "F",
	  "hide functions below this fraction of the total" },
	{ "edgefraction", NULL, 0, OPTV_VALUE, OPT_EDGEFRACTION, "F",
	  "hide calls below this fraction of the total" },
	{ "unit", NULL, 0, OPTV_VALUE, OPT_UNIT, "UNIT", "show values in this unit" },
	{ "compact-labels", NULL, 0, OPTV_FLAG, OPT_COMPACT_LABELS, NULL,
	  "no File, Type, Time lines (the shell's default)" },
	{ NULL, NULL, 0, 0, 0, NULL, NULL },
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
		t->opt.sort_by_cum = !arg;
		return EXIT_OK;
	case OPT_FLAT:
		if (!arg)
			t->opt.sort_by_cum = 0;
		return EXIT_OK;
	case OPT_JSON:
		t->opt.json = !arg;
		return EXIT_OK;
	case OPT_COMPACT_LABELS:
		t->opt.compact_labels = !arg;
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
		.own_option = tree_option,
		.write = write_tree,
		.ctx = t,
	};
}

int cmd_tree(int argc, char **argv)
{
	/* pprof's trimming: -tree's in text; none for -peek, nor JSON unless told */
	tree_ctx t = { .cmd = find_command("tree"),
		       .opt = { .nodecount = PPROFC_DEFAULT_COUNT,
				.nodefraction = PPROFC_DEFAULT_FRACTION,
				.edgefraction = PPROFC_DEFAULT_FRACTION } };
	converter cv = tree_converter(&t);
	return run_converter(&cv, argc, argv);
}

int cmd_peek(int argc, char **argv)
{
	/* pprof's trimming: -tree's in text; none for -peek, nor JSON unless told */
	tree_ctx t = { .cmd = find_command("peek"),
		       .opt = { .nodecount = PPROFC_DEFAULT_COUNT,
				.nodefraction = PPROFC_DEFAULT_FRACTION,
				.edgefraction = PPROFC_DEFAULT_FRACTION } };
	converter cv = tree_converter(&t);
	return run_with_pattern(&cv, argc, argv, &t.opt.peek);
}
