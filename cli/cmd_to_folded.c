/* pprofc to-folded: folded stacks for flamegraph.pl, inferno, speedscope. */
#include "cli.h"

static pprofc_status write_folded(void *ctx, pprofc_profile *p, size_t index, const char *source,
				  const pprofc_sink *sink)
{
	(void)ctx;
	(void)source;
	pprofc_folded_options o = { .size = sizeof(o), .sample_index = index };
	return pprofc_write_folded(p, &o, sink);
}

int cmd_to_folded(int argc, char **argv)
{
	converter conv = { .cmd = find_command("to-folded"), .write = write_folded };
	return run_converter(&conv, argc, argv);
}
