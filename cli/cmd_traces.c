/* pprofc traces: every sample with its labels, value and stack. */

#include "cli.h"

enum { OPT_JSON = OPT_FIRST_OWN, OPT_UNIT };

const cli_option traces_options[] = {
	{ "json", NULL, 0, OPTV_FLAG, OPT_JSON, NULL, "print JSON" },
	{ "unit", NULL, 0, OPTV_VALUE, OPT_UNIT, "UNIT", "show values in this unit" },
	{ NULL, NULL, 0, 0, 0, NULL, NULL },
};

static int traces_option(void *ctx, int c, const char *arg)
{
	pprofc_traces_options *t = ctx;
	switch (c) {
	case OPT_JSON:
		t->json = !arg;
		return EXIT_OK;
	case OPT_UNIT:
		return parse_unit(find_command("traces"), arg, &t->unit);
	}
	return -1;
}

static pprofc_status write_traces(void *ctx, pprofc_profile *p, size_t index, const char *source,
				  const pprofc_sink *sink)
{
	pprofc_traces_options *t = ctx;
	(void)source;
	t->sample_index = index;
	return pprofc_write_traces(p, t, sink);
}

int cmd_traces(int argc, char **argv)
{
	pprofc_traces_options t = { 0 };
	converter cv = {
		.cmd = find_command("traces"),
		.own_option = traces_option,
		.write = write_traces,
		.ctx = &t,
		.mean = &t.mean,
	};
	return run_converter(&cv, argc, argv);
}
