/* pprofc raw and pprofc comments: the profile as it is, as text. */
#include "cli.h"

/* Neither takes options: NULL, every field's default. */
static pprofc_status write_raw(void *ctx, pprofc_profile *p, size_t index, const char *source,
			       const pprofc_sink *sink)
{
	(void)ctx, (void)index, (void)source;
	return pprofc_write_raw(p, NULL, sink);
}

static pprofc_status write_comments(void *ctx, pprofc_profile *p, size_t index, const char *source,
				    const pprofc_sink *sink)
{
	(void)ctx, (void)index, (void)source;
	return pprofc_write_comments(p, NULL, sink);
}

int cmd_raw(int argc, char **argv)
{
	converter conv = { .cmd = find_command("raw"), .write = write_raw, .any_profile = true };
	return run_converter(&conv, argc, argv);
}

int cmd_comments(int argc, char **argv)
{
	converter conv = { .cmd = find_command("comments"),
			   .write = write_comments,
			   .any_profile = true };
	return run_converter(&conv, argc, argv);
}
