/* pprofc traces: every sample with its labels, value and stack. */

#include "cli.h"

const cli_option traces_options[] = { OPTION_JSON, OPTION_UNIT, OPTIONS_END };

static pprofc_status write_traces(void *ctx, pprofc_profile *p, size_t index, const char *source,
				  const pprofc_sink *sink)
{
	pprofc_traces_options *t = ctx;
	t->sample_index = index;
	return pprofc_write_traces(p, t, sink);
}

int cmd_traces(int argc, char **argv)
{
	pprofc_traces_options t = { .size = sizeof(t) };
	report_fields fields = { .unit = &t.unit, .json = &t.json };
	converter conv = {
		.cmd = find_command("traces"),
		.report = &fields,
		.write = write_traces,
		.ctx = &t,
		.mean = &t.mean,
	};
	return run_converter(&conv, argc, argv);
}
