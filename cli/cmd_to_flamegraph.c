/* pprofc to-flamegraph: an interactive SVG flame graph, self-contained. */
#include "cli.h"

enum { OPT_ICICLE = OPT_FIRST_OWN, OPT_TITLE, OPT_WIDTH, OPT_MINWIDTH };

const cli_option flamegraph_options[] = {
	FLAG_OPTION("icicle", OPT_ICICLE, "roots at the top"),
	VALUE_OPTION("title", OPT_TITLE, "TEXT", "the graph's title"),
	VALUE_OPTION("width", OPT_WIDTH, "PIXELS", "the image's width"),
	VALUE_OPTION("minwidth", OPT_MINWIDTH, "PIXELS", "leave out narrower frames"),
	OPTIONS_END,
};

typedef struct flamegraph_ctx {
	const command *cmd;
	pprofc_flamegraph_options opt;
} flamegraph_ctx;

static int flamegraph_option(void *ctx, int id, const char *arg)
{
	flamegraph_ctx *t = ctx;
	long width;
	double minwidth;
	switch (id) {
	case OPT_ICICLE:
		t->opt.icicle = !arg;
		return EXIT_OK;
	case OPT_TITLE:
		t->opt.title = arg;
		return EXIT_OK;
	case OPT_WIDTH:
		if (!read_long(arg, 100, 100000, &width))
			return usage_error(t->cmd, "invalid width '%s' (100 to 100000 pixels)",
					   arg);
		t->opt.width = (unsigned)width;
		return EXIT_OK;
	case OPT_MINWIDTH:
		if (!read_double(arg, &minwidth) || !(minwidth >= 0 && minwidth <= 1000))
			return usage_error(t->cmd, "invalid minimum width '%s' (0 to 1000 pixels)",
					   arg);
		/* 0 draws every frame; the library's 0 means its default */
		t->opt.minwidth = minwidth > 0 ? minwidth : -1;
		return EXIT_OK;
	}
	return NOT_MINE;
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
	flamegraph_ctx t = { .cmd = find_command("to-flamegraph"),
			     .opt = { .size = sizeof(pprofc_flamegraph_options) } };
	converter conv = {
		.cmd = t.cmd,
		.own_option = flamegraph_option,
		.write = write_flamegraph,
		.ctx = &t,
	};
	return run_converter(&conv, argc, argv);
}
