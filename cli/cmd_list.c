/* pprofc list REGEX: pprof's annotated source. */

#include "cli.h"

enum { OPT_SOURCE_PATH = OPT_FIRST_OWN, OPT_TRIM_PATH, OPT_UNIT };

const cli_option list_options[] = {
	{ "source-path", NULL, 0, OPTV_VALUE, OPT_SOURCE_PATH, "DIRS",
	  "where to look for source files" },
	{ "trim-path", NULL, 0, OPTV_VALUE, OPT_TRIM_PATH, "PATHS",
	  "prefixes to trim from source file names" },
	{ "unit", NULL, 0, OPTV_VALUE, OPT_UNIT, "UNIT", "show values in this unit" },
	{ NULL, NULL, 0, 0, 0, NULL, NULL },
};

static int list_option(void *ctx, int c, const char *arg)
{
	pprofc_list_options *l = ctx;
	switch (c) {
	case OPT_SOURCE_PATH:
		l->source_path = arg;
		return EXIT_OK;
	case OPT_TRIM_PATH:
		l->trim_path = arg;
		return EXIT_OK;
	case OPT_UNIT:
		return parse_unit(find_command("list"), arg, &l->unit);
	}
	return -1;
}

static pprofc_status write_list(void *ctx, pprofc_profile *p, size_t index, const char *source,
				const pprofc_sink *sink)
{
	pprofc_list_options *l = ctx;
	(void)source;
	l->sample_index = index;
	return pprofc_write_list(p, l, sink);
}

int cmd_list(int argc, char **argv)
{
	pprofc_list_options l = { 0 };
	converter cv = {
		.cmd = find_command("list"),
		.own_option = list_option,
		.write = write_list,
		.ctx = &l,
	};
	return run_with_pattern(&cv, argc, argv, &l.regex);
}
