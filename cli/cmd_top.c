/* pprofc top: pprof's flat report, as text or JSON. */

#include "cli.h"

const cli_option top_options[] = {
	OPTION_CUM,  OPTION_FLAT,	  OPTION_NODECOUNT,	 OPTION_JSON,
	OPTION_UNIT, OPTION_NODEFRACTION, OPTION_COMPACT_LABELS, OPTIONS_END,
};

static pprofc_status write_top(void *ctx, pprofc_profile *p, size_t index, const char *source,
			       const pprofc_sink *sink)
{
	pprofc_top_options *t = ctx;
	t->sample_index = index;
	return pprofc_write_top(p, t, sink);
}

int cmd_top(int argc, char **argv)
{
	/* pprof's trimming in text; JSON complete unless told */
	pprofc_top_options t = { .size = sizeof(t),
				 .nodecount = PPROFC_DEFAULT_COUNT,
				 .nodefraction = PPROFC_DEFAULT_FRACTION,
				 .edgefraction = PPROFC_DEFAULT_FRACTION };
	report_fields fields = { .sort_by_cum = &t.sort_by_cum,
				 .nodecount = &t.nodecount,
				 .nodefraction = &t.nodefraction,
				 .unit = &t.unit,
				 .json = &t.json,
				 .compact_labels = &t.compact_labels };
	converter conv = {
		.cmd = find_command("top"),
		.report = &fields,
		.write = write_top,
		.ctx = &t,
		.mean = &t.mean,
	};
	return run_converter(&conv, argc, argv);
}
