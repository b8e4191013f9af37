/* pprofc list REGEX: pprof's annotated source. */

#include "cli.h"

enum { OPT_SOURCE_PATH = OPT_FIRST_OWN, OPT_TRIM_PATH };

const cli_option list_options[] = {
	VALUE_OPTION("source-path", OPT_SOURCE_PATH, "DIRS", "where to look for source files"),
	VALUE_OPTION("trim-path", OPT_TRIM_PATH, "PATHS",
		     "prefixes to trim from source file names"),
	OPTION_UNIT,
	OPTIONS_END,
};

static int list_option(void *ctx, int id, const char *arg)
{
	pprofc_list_options *l = ctx;
	switch (id) {
	case OPT_SOURCE_PATH:
		l->source_path = arg;
		return EXIT_OK;
	case OPT_TRIM_PATH:
		l->trim_path = arg;
		return EXIT_OK;
	}
	return NOT_MINE;
}

static pprofc_status write_list(void *ctx, pprofc_profile *p, size_t index, const char *source,
				const pprofc_sink *sink)
{
	pprofc_list_options *l = ctx;
	l->sample_index = index;
	return pprofc_write_list(p, l, sink);
}

int cmd_list(int argc, char **argv)
{
	pprofc_list_options l = { .size = sizeof(l) };
	report_fields fields = { .unit = &l.unit };
	converter conv = {
		.cmd = find_command("list"),
		.report = &fields,
		.own_option = list_option,
		.write = write_list,
		.ctx = &l,
	};
	return run_with_pattern(&conv, argc, argv, &l.regex);
}
