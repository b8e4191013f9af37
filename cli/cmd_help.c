/*
 * pprofc help [COMMAND]: the overview, or one command's --help.
 * pprofc help --list-options: the option tables, one option a line, for
 * scripts (the completions, the tests): COMMAND, NAME, PPROF-NAME, LETTER,
 * flag|value, tab-separated, "-" for none; COMMAND "*" for the options
 * every command but help takes.
 */
#include <string.h>

#include "cli.h"

void print_overview(FILE *f)
{
	fprintf(f, "usage: pprofc COMMAND [options] SOURCE...\n"
		   "       pprofc [options] SOURCE...          (the shell: go tool pprof SOURCE)\n"
		   "       pprofc [options] -FORMAT SOURCE...  (go tool pprof -top, -peek=RE...)\n"
		   "       pprofc help COMMAND | pprofc --version\n\n"
		   "Convert pprof profiles (Go, Node.js, any profile.proto producer).\n\n"
		   "Commands:\n");
	for (const command *c = commands; c->name; c++)
		fprintf(f, "  %-14s %s\n", c->name, c->summary);
	fprintf(f, "\nExit status: 0 success, 1 failure, 2 usage error.\n");
}

void print_help(const command *cmd, FILE *f)
{
	fputs(cmd->help, f);
	switch (cmd->common_help) {
	case COMMON_HELP_NONE:
		break;
	case COMMON_HELP_ALL:
		for (int s = 0; s < HELP_SECTION_COUNT_; s++)
			print_common_help((help_section)s, f);
		fputs("\nSOURCE is a profile file (profile.proto, gzipped or not), - for standard "
		      "input,\nor a URL.\nExit status: 0 success, 1 failure, 2 usage error.\n",
		      f);
		break;
	case COMMON_HELP_FETCH:
		print_common_help(HELP_FETCH, f);
		fputs(cmd->help_end, f);
		break;
	}
}

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
	print_help(c, stdout);
	return EXIT_OK;
}
