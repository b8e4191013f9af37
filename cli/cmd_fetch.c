/* pprofc fetch: capture a profile from a server and save it. */
#include "cli.h"

int cmd_fetch(int argc, char **argv)
{
	converter conv = { .cmd = find_command("fetch"), .operand = "URL", .one_source = true };
	common_opts opts;
	int rc = parse_args(&conv, argc, argv, &opts);
	if (rc != GO_ON)
		return rc;
	const char *url = opts.sources[0];
	if (opts.nbases)
		return usage_error(conv.cmd, "--base and --diff-base do not apply to fetch");
	if (!pprofc_fetch_is_url(url))
		return usage_error(conv.cmd,
				   "'%s' is not a URL (http://HOST:PORT/PATH or HOST:PORT)", url);
	pprofc_profile *p;
	opts.must_save = 1; /* saving is what fetch is for */
	rc = fetch_and_save(url, &opts, opts.output, &p);
	if (rc == EXIT_OK)
		pprofc_profile_destroy(p);
	return rc;
}
