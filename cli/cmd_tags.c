/* pprofc tags: pprof's label histogram, as text or JSON. */

#include "cli.h"

enum { OPT_JSON = OPT_FIRST_OWN, OPT_UNIT };

const cli_option tags_options[] = {
	{ "json", NULL, 0, OPTV_FLAG, OPT_JSON, NULL, "print JSON" },
	{ "unit", NULL, 0, OPTV_VALUE, OPT_UNIT, "UNIT", "show values in this unit" },
	{ NULL, NULL, 0, 0, 0, NULL, NULL },
};

static int tags_option(void *ctx, int c, const char *arg)
{
	pprofc_tags_options *t = ctx;
	switch (c) {
	case OPT_JSON:
		t->json = !arg;
		return EXIT_OK;
	case OPT_UNIT:
		return parse_unit(find_command("tags"), arg, &t->unit);
	}
	return -1;
}

static pprofc_status write_tags(void *ctx, pprofc_profile *p, size_t index, const char *source,
				const pprofc_sink *sink)
{
	pprofc_tags_options *t = ctx;
	(void)source;
	t->sample_index = index;
	return pprofc_write_tags(p, t, sink);
}

int cmd_tags(int argc, char **argv)
{
	pprofc_tags_options t = { 0 };
	/* No --mean: pprof's -tags sums the values whatever -mean says, and
	 * a mean per label value is not what its columns add up to. */
	converter cv = {
		.cmd = find_command("tags"),
		.own_option = tags_option,
		.write = write_tags,
		.ctx = &t,
	};
	return run_converter(&cv, argc, argv);
}
