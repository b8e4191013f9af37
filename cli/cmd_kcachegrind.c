/*
 * pprofc kcachegrind: callgrind opened in KCachegrind (or --viewer /
 * $PPROFC_KCACHEGRIND), through a temp file that is removed once the
 * viewer exits (viewer.c).
 */
#include <stdlib.h>

#include "cli.h"

enum { OPT_VIEWER = OPT_FIRST_OWN };

const cli_option kcachegrind_options[] = {
	{ "viewer", NULL, 0, OPTV_VALUE, OPT_VIEWER, "PROGRAM", "the viewer to start" },
	{ NULL, NULL, 0, 0, 0, NULL, NULL },
};

static int kc_option(void *ctx, int c, const char *arg)
{
	if (c != OPT_VIEWER)
		return -1;
	*(const char **)ctx = arg;
	return EXIT_OK;
}

int cmd_kcachegrind(int argc, char **argv)
{
	const char *viewer = NULL;
	converter cv = { .cmd = find_command("kcachegrind"),
			 .own_option = kc_option,
			 .ctx = &viewer };
	common_opts co;
	const char *source;
	bool done;
	int rc = parse_args(&cv, argc, argv, &co, &source, &done);
	if (rc != EXIT_OK || done)
		return rc;
	if (co.output)
		return usage_error(cv.cmd, "-o does not apply: the file goes to $TMPDIR "
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
	rc = load_and_select(&co, &p, &index);
	if (rc != EXIT_OK)
		return rc;
	char *label = sources_label(&co);
	view v;
	/* KCachegrind recognises callgrind.out.* names by default. */
	rc = label ? view_begin(&v, "callgrind.out.pprofc", "") : EXIT_FAIL;
	if (!label)
		error("out of memory");
	if (rc == EXIT_OK) {
		rc = report_write(p, pprofc_write_callgrind(p, index, label, &v.out.sink), &v.out);
		if (rc != EXIT_OK)
			view_discard(&v);
	}
	free(label);
	pprofc_profile_destroy(p);
	if (rc != EXIT_OK)
		return rc;
	const char *const viewers[] = { viewer, NULL };
	return view_open(&v, viewers, co.fetch.quiet);
}
