/* pprofc to-callgrind: a profile as a callgrind file for KCachegrind. */
#include "cli.h"

static pprofc_status write_callgrind(void *ctx, pprofc_profile *p, size_t index, const char *source,
				     const pprofc_sink *sink)
{
	(void)ctx;
	pprofc_callgrind_options o = { .size = sizeof(o), .sample_index = index, .cmd = source };
	return pprofc_write_callgrind(p, &o, sink);
}

int cmd_to_callgrind(int argc, char **argv)
{
	converter conv = { .cmd = find_command("to-callgrind"), .write = write_callgrind };
	return run_converter(&conv, argc, argv);
}
