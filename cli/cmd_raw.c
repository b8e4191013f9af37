/* pprofc raw and pprofc comments: the profile as it is, as text. */
#include "cli.h"

int cmd_raw(int argc, char **argv)
{
	converter conv = { .cmd = find_command("raw"),
			   .write_profile = pprofc_write_raw,
			   .any_profile = true };
	return run_converter(&conv, argc, argv);
}

int cmd_comments(int argc, char **argv)
{
	converter conv = { .cmd = find_command("comments"),
			   .write_profile = pprofc_write_comments,
			   .any_profile = true };
	return run_converter(&conv, argc, argv);
}
