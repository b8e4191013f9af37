/* pprofc help [COMMAND]: the overview, or one command's --help. */
#include <string.h>

#include "cli.h"

int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		print_overview(stdout);
		return EXIT_OK;
	}
	const command *c = find_command(argv[1]);
	if (!c)
		return usage_error(NULL, "unknown command '%s'", argv[1]);
	fputs(c->help, stdout);
	return EXIT_OK;
}
