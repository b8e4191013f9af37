/* pprofc to-flamegraph: an interactive SVG flame graph, self-contained. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "cli.h"

enum { OPT_ICICLE = OPT_FIRST_OWN, OPT_TITLE, OPT_WIDTH, OPT_MINWIDTH };

const cli_option flamegraph_options[] = {
	{ "icicle", NULL, 0, OPTV_FLAG, OPT_ICICLE, NULL, "roots at the top" },
	{ "title", NULL, 0, OPTV_VALUE, OPT_TITLE, "TEXT", "the graph's title" },
	{ "width", NULL, 0, OPTV_VALUE, OPT_WIDTH, "PIXELS", "the image's width" },
	{ "minwidth", NULL, 0, OPTV_VALUE, OPT_MINWIDTH, "PIXELS", "leave out narrower frames" },
	{ NULL, NULL, 0, 0, 0, NULL, NULL },
};

typedef struct flamegraph_ctx {
	const command *cmd;
	pprofc_flamegraph_options opt;
} flamegraph_ctx;

static int flamegraph_option(void *ctx, int c, const char *arg)
{
	flamegraph_ctx *t = ctx;
	char *end;
	switch (c) {
	case OPT_ICICLE:
		t->opt.icicle = !arg;
		return EXIT_OK;
	case OPT_TITLE:
		t->opt.title = arg;
		return EXIT_OK;
	case OPT_WIDTH: {
		errno = 0;
		long v = strtol(arg, &end, 10);
		if (errno || end == arg || *end || v < 100 || v > 100000)
			return usage_error(t->cmd, "invalid width '%s' (100 to 100000 pixels)",
					   arg);
		t->opt.width = (unsigned)v;
		return EXIT_OK;
	}
	case OPT_MINWIDTH: {
		errno = 0;
		double v = strtod(arg, &end);
		if (errno || end == arg || *end || !(v >= 0 && v <= 1000))
			return usage_error(t->cmd, "invalid minimum width '%s' (0 to 1000 pixels)",
					   arg);
		/* 0 draws every frame; the library's 0 means its default */
		t->opt.minwidth = v > 0 ? v : -1;
		return EXIT_OK;
	}
	}
	return -1;
}

static pprofc_status write_flamegraph(void *ctx, pprofc_profile *p, size_t index,
				      const char *source, const pprofc_sink *sink)
{
	flamegraph_ctx *t = ctx;
	(void)source;
	t->opt.sample_index = index;
	return pprofc_write_flamegraph(p, &t->opt, sink);
}

int cmd_to_flamegraph(int argc, char **argv)
{
	flamegraph_ctx t = { .cmd = find_command("to-flamegraph") };
	converter cv = {
		.cmd = t.cmd,
		.own_option = flamegraph_option,
		.write = write_flamegraph,
		.ctx = &t,
	};
	return run_converter(&cv, argc, argv);
}
