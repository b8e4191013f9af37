/* pprofc to-speedscope: speedscope's JSON, one profile per sample type. */
#include <string.h>

#include "cli.h"

static pprofc_status write_speedscope(void *ctx, pprofc_profile *p, size_t index,
				      const char *source, const pprofc_sink *sink)
{
	(void)ctx;
	/* speedscope shows the name in its title bar: the file's, not its path */
	const char *slash = strrchr(source, '/');
	const char *name = !strcmp(source, "-") ? "standard input"
			   : slash && slash[1]	? slash + 1
						: source;
	pprofc_speedscope_options o = { .size = sizeof(o), .sample_index = index, .name = name };
	return pprofc_write_speedscope(p, &o, sink);
}

int cmd_to_speedscope(int argc, char **argv)
{
	converter conv = { .cmd = find_command("to-speedscope"), .write = write_speedscope };
	return run_converter(&conv, argc, argv);
}
