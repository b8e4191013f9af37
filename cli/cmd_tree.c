/* pprofc tree and pprofc peek REGEX: pprof's call-context report. */

#include "cli.h"

const cli_option tree_options[] = {
	OPTION_CUM,	     OPTION_FLAT, OPTION_NODECOUNT,	 OPTION_JSON, OPTION_NODEFRACTION,
	OPTION_EDGEFRACTION, OPTION_UNIT, OPTION_COMPACT_LABELS, OPTIONS_END,
};

static pprofc_status write_tree(void *ctx, pprofc_profile *p, size_t index, const char *source,
				const pprofc_sink *sink)
{
	pprofc_tree_options *t = ctx;
	t->sample_index = index;
	return pprofc_write_tree(p, t, sink);
}

/* tree, or with peek the functions matching the REGEX operand. */
static int tree_command(const char *name, bool peek, int argc, char **argv)
{
	/* pprof's trimming: -tree's in text; none for -peek, nor JSON unless told */
	pprofc_tree_options t = { .size = sizeof(t),
				  .nodecount = PPROFC_DEFAULT_COUNT,
				  .nodefraction = PPROFC_DEFAULT_FRACTION,
				  .edgefraction = PPROFC_DEFAULT_FRACTION };
	report_fields fields = { .sort_by_cum = &t.sort_by_cum,
				 .nodecount = &t.nodecount,
				 .nodefraction = &t.nodefraction,
				 .edgefraction = &t.edgefraction,
				 .unit = &t.unit,
				 .json = &t.json,
				 .compact_labels = &t.compact_labels };
	converter conv = {
		.cmd = find_command(name),
		.report = &fields,
		.write = write_tree,
		.ctx = &t,
	};
	if (peek)
		return run_with_pattern(&conv, argc, argv, &t.peek);
	return run_converter(&conv, argc, argv);
}

int cmd_tree(int argc, char **argv)
{
	return tree_command("tree", false, argc, argv);
}

int cmd_peek(int argc, char **argv)
{
	return tree_command("peek", true, argc, argv);
}
