/*
 * pprofc help [COMMAND]: the overview, or one command's --help.
 * pprofc help --list-options: the option table, one option a line, for
 * scripts (the completions, the tests): COMMAND, NAME, PPROF-NAME, LETTER,
 * flag|value, tab-separated, "-" for none; COMMAND "*" for the options
 * every command but help takes.
 */
#include <string.h>

#include "cli.h"

static void print_table(const char *cmd, const cli_option *table)
{
	for (const cli_option *o = table; o && o->name; o++)
		printf("%s\t%s\t%s\t%c\t%s\n", cmd, o->name, o->pprof ? o->pprof : "-",
		       o->letter ? o->letter : '-', o->value == OPTV_FLAG ? "flag" : "value");
}

int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		print_overview(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--list-options")) {
		print_table("*", common_options);
		for (const command *c = commands; c->name; c++)
			print_table(c->name, c->options);
		return EXIT_OK;
	}
	const command *c = find_command(argv[1]);
	if (!c)
		return usage_error(NULL, "unknown command '%s'", argv[1]);
	fputs(c->help, stdout);
	return EXIT_OK;
}
