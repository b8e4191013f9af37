/*
 * The options several reports share (top, tree, peek, to-dot, web, tags,
 * traces, list; their table entries are OPTION_CUM... in cli.h): what each
 * does to the report's library options.
 */
#include "cli.h"

int report_option(const command *cmd, const report_fields *f, int id, const char *arg)
{
	switch (id) {
	case OPT_CUM:
		*f->sort_by_cum = !arg;
		return EXIT_OK;
	case OPT_FLAT:
		if (!arg)
			*f->sort_by_cum = 0;
		return EXIT_OK;
	case OPT_NODECOUNT:
		return parse_count(cmd, "nodecount", arg, f->nodecount);
	case OPT_NODEFRACTION:
		return parse_fraction(cmd, "nodefraction", arg, f->nodefraction);
	case OPT_EDGEFRACTION:
		return parse_fraction(cmd, "edgefraction", arg, f->edgefraction);
	case OPT_UNIT:
		return parse_unit(cmd, arg, f->unit);
	case OPT_JSON:
		*f->json = !arg;
		return EXIT_OK;
	case OPT_COMPACT_LABELS:
		*f->compact_labels = !arg;
		return EXIT_OK;
	}
	return NOT_MINE;
}
