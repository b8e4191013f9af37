/* pprofc list REGEX: pprof's annotated source. */
#include <getopt.h>
#include <string.h>

#include "cli.h"

enum { OPT_SOURCE_PATH = OPT_FIRST_OWN, OPT_TRIM_PATH, OPT_UNIT };

static const struct option list_options[] = {
	{ "source-path", required_argument, NULL, OPT_SOURCE_PATH },
	{ "trim-path", required_argument, NULL, OPT_TRIM_PATH },
	{ "unit", required_argument, NULL, OPT_UNIT },
	{ NULL, 0, NULL, 0 },
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
		if (!*arg || strlen(arg) > 32)
			return usage_error(find_command("list"), "invalid unit '%s'", arg);
		l->unit = arg;
		return EXIT_OK;
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
		.own = list_options,
		.own_option = list_option,
		.write = write_list,
		.ctx = &l,
	};
	/* pprofc list REGEX [options] SOURCE, as peek */
	if (argc >= 2 && strcmp(argv[1], "-h") && strcmp(argv[1], "--help")) {
		l.regex = argv[1];
		argv[1] = argv[0];
		return run_converter(&cv, argc - 1, argv + 1);
	}
	if (argc < 2)
		return usage_error(cv.cmd, "missing REGEX");
	return run_converter(&cv, argc, argv);
}
