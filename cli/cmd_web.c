/* pprofc web: pprof's call graph as SVG, opened in a browser (pprof -web). */
#include "cli.h"

int cmd_web(int argc, char **argv)
{
	return dot_command(find_command("web"), true, argc, argv);
}
