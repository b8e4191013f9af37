/* pprofc fetch: capture a profile from a server and save it. */
#include "cli.h"

int cmd_fetch(int argc, char **argv)
{
	converter cv = { .cmd = find_command("fetch"), .operand = "URL", .one_source = true };
	common_opts co;
	const char *url;
	bool done;
	int rc = parse_args(&cv, argc, argv, &co, &url, &done);
	if (rc != EXIT_OK || done)
		return rc;
	if (co.nbases)
		return usage_error(cv.cmd, "--base and --diff-base do not apply to fetch");
	if (!pprofc_fetch_is_url(url))
		return usage_error(cv.cmd, "'%s' is not a URL (http://HOST:PORT/PATH or HOST:PORT)",
				   url);
	pprofc_profile *p;
	co.must_save = 1; /* saving is what fetch is for */
	rc = fetch_and_save(url, &co, co.output, &p);
	if (rc == EXIT_OK)
		pprofc_profile_destroy(p);
	return rc;
}
