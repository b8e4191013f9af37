/* pprofc tags: pprof's label histogram, as text or JSON. */

#include "cli.h"

const cli_option tags_options[] = { OPTION_JSON, OPTION_UNIT, OPTIONS_END };

static pprofc_status write_tags(void *ctx, pprofc_profile *p, size_t index, const char *source,
				const pprofc_sink *sink)
{
	pprofc_tags_options *t = ctx;
	t->sample_index = index;
	return pprofc_write_tags(p, t, sink);
}

int cmd_tags(int argc, char **argv)
{
	pprofc_tags_options t = { .size = sizeof(t) };
	report_fields fields = { .unit = &t.unit, .json = &t.json };
	/* No --mean: pprof's -tags sums the values whatever -mean says, and
	 * a mean per label value is not what its columns add up to. */
	converter conv = {
		.cmd = find_command("tags"),
		.report = &fields,
		.write = write_tags,
		.ctx = &t,
	};
	return run_converter(&conv, argc, argv);
}
