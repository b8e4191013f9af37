/*
 * pprofc kcachegrind: write callgrind to a private temp file and open it in
 * KCachegrind (or --viewer / $PPROFC_KCACHEGRIND), started with
 * posix_spawnp, never through a shell. The file stays for the viewer; its
 * path is printed.
 */
#include <errno.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

extern char **environ;

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

	pprofc_profile *p;
	size_t index;
	rc = load_and_select(&co, &p, &index);
	if (rc != EXIT_OK)
		return rc;

	/* KCachegrind recognises callgrind.out.* names by default. */
	const char *tmpdir = getenv("TMPDIR");
	if (!tmpdir || !*tmpdir)
		tmpdir = "/tmp";
	size_t n = strlen(tmpdir) + 40;
	char *path = malloc(n);
	if (!path) {
		pprofc_profile_destroy(p);
		error("out of memory");
		return EXIT_FAIL;
	}
	snprintf(path, n, "%s/callgrind.out.pprofc.XXXXXX", tmpdir);
	install_signal_handlers();
	int fd = mkstemp(path);
	FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!fp) {
		error("cannot create a file in '%s': %s", tmpdir, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		free(path);
		pprofc_profile_destroy(p);
		return EXIT_FAIL;
	}
	set_pending_tmp(path);
	pprofc_sink sink = pprofc_sink_stdio(fp);
	char *label = sources_label(&co);
	pprofc_status st =
		label ? pprofc_write_callgrind(p, index, label, &sink) : PPROFC_ERR_NOMEM;
	free(label);
	int werr = fflush(fp) != 0 || ferror(fp);
	if (fclose(fp) != 0)
		werr = 1;
	if (st != PPROFC_OK || werr) {
		error("cannot write '%s': %s", path,
		      st == PPROFC_ERR_NOMEM ? "out of memory"
		      : st != PPROFC_OK	     ? pprofc_profile_errmsg(p)
					     : strerror(errno));
		unlink(path);
		set_pending_tmp(NULL);
		free(path);
		pprofc_profile_destroy(p);
		return EXIT_FAIL;
	}
	set_pending_tmp(NULL);
	pprofc_profile_destroy(p);

	char *args[] = { (char *)viewer, path, NULL };
	pid_t pid;
	int err = on_path(viewer) ? posix_spawnp(&pid, viewer, NULL, NULL, args, environ) : ENOENT;
	if (err) {
		if (err == ENOENT)
			error("cannot start '%s': not installed (apt-get install kcachegrind, or "
			      "--viewer qcachegrind); the callgrind file is %s",
			      viewer, path);
		else
			error("cannot start '%s': %s; the callgrind file is %s", viewer,
			      strerror(err), path);
		free(path);
		return EXIT_FAIL;
	}
	if (!co.fetch.quiet)
		fprintf(stderr, "Opening %s in %s\n", path, viewer);
	free(path);
	return EXIT_OK;
}
