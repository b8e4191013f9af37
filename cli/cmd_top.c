/* pprofc top: pprof's flat report, as text or JSON. */

#include "cli.h"

enum {
	OPT_CUM = OPT_FIRST_OWN,
	OPT_FLAT,
	OPT_NODECOUNT,
	OPT_JSON,
	OPT_UNIT,
	OPT_NODEFRACTION,
	OPT_COMPACT_LABELS
};

const cli_option top_options[] = {
	{ "cum", NULL, 0, OPTV_FLAG, OPT_CUM, NULL, "order functions by cumulative value" },
	{ "flat", NULL, 0, OPTV_FLAG, OPT_FLAT, NULL, "order functions by flat value" },
	{ "nodecount", NULL, 0, OPTV_VALUE, OPT_NODECOUNT, "N", "show at most N functions" },
	{ "json", NULL, 0, OPTV_FLAG, OPT_JSON, NULL, "print JSON" },
	{ "unit", NULL, 0, OPTV_VALUE, OPT_UNIT, "UNIT", "show values in this unit" },
	{ "nodefraction", NULL, 0, OPTV_VALUE, OPT_NODEFRACTION, "F",
	  "hide functions below this fraction of the total" },
	{ "compact-labels", NULL, 0, OPTV_FLAG, OPT_COMPACT_LABELS, NULL,
	  "no File, Type, Time lines (the shell's default)" },
	{ NULL, NULL, 0, 0, 0, NULL, NULL },
};

static int top_option(void *ctx, int c, const char *arg)
{
	pprofc_top_options *t = ctx;
	switch (c) {
	case OPT_CUM:
		t->sort_by_cum = !arg;
		return EXIT_OK;
	case OPT_FLAT:
		if (!arg)
			t->sort_by_cum = 0;
		return EXIT_OK;
	case OPT_JSON:
		t->json = !arg;
		return EXIT_OK;
	case OPT_COMPACT_LABELS:
		t->compact_labels = !arg;
		return EXIT_OK;
	case OPT_UNIT:
		return parse_unit(find_command("top"), arg, &t->unit);
	case OPT_NODEFRACTION:
		return parse_fraction(find_command("top"), "nodefraction", arg, &t->nodefraction);
	case OPT_NODECOUNT:
		return parse_count(find_command("top"), "nodecount", arg, &t->nodecount);
	}
	return -1;
}

static pprofc_status write_top(void *ctx, pprofc_profile *p, size_t index, const char *source,
			       const pprofc_sink *sink)
{
	pprofc_top_options *t = ctx;
	(void)source;
	t->sample_index = index;
	return pprofc_write_top(p, t, sink);
}

int cmd_top(int argc, char **argv)
{
	/* pprof's trimming in text; JSON complete unless told */
	pprofc_top_options t = { .nodecount = PPROFC_DEFAULT_COUNT,
				 .nodefraction = PPROFC_DEFAULT_FRACTION,
				 .edgefraction = PPROFC_DEFAULT_FRACTION };
	converter cv = {
		.cmd = find_command("top"),
		.own_option = top_option,
		.write = write_top,
		.ctx = &t,
		.mean = &t.mean,
	};
	return run_converter(&cv, argc, argv);
}
