/*
 * pprofc kcachegrind: callgrind opened in KCachegrind (or --viewer /
 * $PPROFC_KCACHEGRIND), through a temp file that is removed once the
 * viewer exits (viewer.c).
 */
#include <stdlib.h>

#include "cli.h"

enum { OPT_VIEWER = OPT_FIRST_OWN };

const cli_option kcachegrind_options[] = {
	{ .name = "viewer",
	  .value = OPTV_VALUE,
	  .id = OPT_VIEWER,
	  .arg = "PROGRAM",
	  .help = "the viewer to start",
	  .load_only = true /* the shell has its viewers */ },
	OPTIONS_END,
};

static int viewer_option(void *ctx, int id, const char *arg)
{
	if (id != OPT_VIEWER)
		return NOT_MINE;
	*(const char **)ctx = arg;
	return EXIT_OK;
}

int cmd_kcachegrind(int argc, char **argv)
{
	const char *viewer = NULL;
	converter conv = { .cmd = find_command("kcachegrind"),
			   .own_option = viewer_option,
			   .ctx = &viewer };
	common_opts opts;
	int rc = parse_args(&conv, argc, argv, &opts);
	if (rc != GO_ON)
		return rc;
	if (opts.output)
		return usage_error(conv.cmd, "-o does not apply: the file goes to $TMPDIR "
					     "(use to-callgrind -o FILE to choose)");
	if (!viewer)
		viewer = getenv("PPROFC_KCACHEGRIND");
	if (!viewer || !*viewer)
		viewer = "kcachegrind";
	/* before the profile is loaded (or fetched for seconds) */
	if (!viewer_installed(viewer)) {
		error("cannot start '%s': not installed (apt-get install kcachegrind, or "
		      "--viewer qcachegrind)",
		      viewer);
		return EXIT_FAIL;
	}

	pprofc_profile *p;
	size_t index;
	rc = load_and_select(&opts, &p, &index);
	if (rc != EXIT_OK)
		return rc;
	char *label = sources_label(&opts);
	view v;
	/* KCachegrind recognises callgrind.out.* names by default. */
	rc = label ? view_begin(&v, "callgrind.out.pprofc", "") : EXIT_FAIL;
	if (!label)
		error("out of memory");
	if (rc == EXIT_OK) {
		pprofc_callgrind_options o = { .size = sizeof(o),
					       .sample_index = index,
					       .cmd = label };
		rc = report_write(p, pprofc_write_callgrind(p, &o, &v.out.sink), &v.out);
		if (rc != EXIT_OK)
			view_discard(&v);
	}
	free(label);
	pprofc_profile_destroy(p);
	if (rc != EXIT_OK)
		return rc;
	const char *const viewers[] = { viewer, NULL };
	return view_open(&v, viewers, opts.fetch.quiet);
}
