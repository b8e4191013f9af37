/*
 * Writing a command's output safely: to standard output, a device written
 * in place, or -o FILE through a temp file beside it, fsynced and renamed
 * over FILE only when everything succeeded. Write errors are reported,
 * once; there is never a partial file.
 */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int output_sink_write(void *ctx, const void *data, size_t len)
{
	output *out = ctx;
	if (interrupted) {
		out->err = ECANCELED;
		return -1;
	}
	if (fwrite(data, 1, len, out->fp) == len)
		return 0;
	exit_if_pipe_closed(errno);
	if (!out->err)
		out->err = errno ? errno : EIO;
	return -1;
}

/* A device or a pipe (/dev/null, /dev/stdout, a FIFO) is written in place:
 * there is no file to replace, and renaming over it would be wrong. */
static int open_in_place(output *out, const char *path, const struct stat *sb)
{
	if (S_ISDIR(sb->st_mode)) {
		error("cannot write '%s': is a directory", path);
		return EXIT_FAIL;
	}
	out->fp = fopen(path, "w");
	if (!out->fp) {
		error("cannot write '%s': %s", path, strerror(errno));
		return EXIT_FAIL;
	}
	out->path = path;
	out->direct = true;
	return EXIT_OK;
}

/* A file: written to a temp file beside it, so that the final rename stays
 * on one file system and is atomic. */
static int open_temp(output *out, const char *path)
{
	out->path = path;
	char *copy = strdup(path);
	size_t n = strlen(path) + 32;
	out->tmp = malloc(n);
	if (!copy || !out->tmp) {
		free(copy);
		error("out of memory");
		return EXIT_FAIL;
	}
	char *base = strdup(path);
	snprintf(out->tmp, n, "%s/.%s.pprofc-XXXXXX", dirname(copy), base ? basename(base) : "out");
	free(base);
	free(copy);
	install_signal_handlers();
	int fd = mkstemp(out->tmp);
	if (fd < 0) {
		error("cannot write '%s': %s", path, strerror(errno));
		free(out->tmp);
		out->tmp = NULL;
		return EXIT_FAIL;
	}
	set_pending_tmp(out->tmp);
	/* mkstemp makes 0600; an output file gets the usual 0666 & ~umask. */
	mode_t mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0 || !(out->fp = fdopen(fd, "w"))) {
		error("cannot write '%s': %s", path, strerror(errno));
		close(fd);
		unlink(out->tmp);
		set_pending_tmp(NULL);
		free(out->tmp);
		out->tmp = NULL;
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int output_open(output *out, const char *path)
{
	memset(out, 0, sizeof(*out));
	out->sink.write = output_sink_write;
	out->sink.ctx = out;
	if (!path || !strcmp(path, "-")) {
		out->fp = stdout;
		return EXIT_OK;
	}
	struct stat sb;
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
		return open_in_place(out, path, &sb);
	return open_temp(out, path);
}

/* Flushes fp; false when that or an earlier write failed, the error kept
 * unless one is known already. */
static bool flushed(output *out, FILE *fp)
{
	if (fflush(fp) == 0 && !ferror(fp))
		return true;
	if (!out->err)
		out->err = errno ? errno : EIO;
	return false;
}

/* A full disk or a closed pipe on stdout is an error too. */
static int close_stdout(output *out, bool ok)
{
	flushed(out, stdout);
	exit_if_pipe_closed(out->err);
	if (ok && out->err) {
		if (out->err != ECANCELED)
			error("cannot write to standard output: %s", strerror(out->err));
		return EXIT_FAIL;
	}
	return ok ? EXIT_OK : EXIT_FAIL;
}

static int close_in_place(output *out, bool ok)
{
	flushed(out, out->fp);
	exit_if_pipe_closed(out->err);
	if (fclose(out->fp) != 0 && !out->err)
		out->err = errno;
	if (ok && out->err) {
		error("cannot write '%s': %s", out->path, strerror(out->err));
		return EXIT_FAIL;
	}
	return ok ? EXIT_OK : EXIT_FAIL;
}

/* The temp file, fsynced, takes the destination's name; on any failure it
 * goes. */
static int close_temp(output *out, bool ok)
{
	int rc = ok ? EXIT_OK : EXIT_FAIL;
	if (ok && flushed(out, out->fp) && fsync(fileno(out->fp)) != 0 && errno != EINVAL)
		out->err = errno;
	if (fclose(out->fp) != 0 && ok && !out->err)
		out->err = errno;
	out->fp = NULL;
	if (ok && out->err) {
		error("cannot write '%s': %s", out->path, strerror(out->err));
		rc = EXIT_FAIL;
	}
	if (rc == EXIT_OK && rename(out->tmp, out->path) != 0) {
		error("cannot write '%s': %s", out->path, strerror(errno));
		rc = EXIT_FAIL;
	}
	if (rc != EXIT_OK)
		unlink(out->tmp);
	set_pending_tmp(NULL);
	free(out->tmp);
	out->tmp = NULL;
	return rc;
}

int output_close(output *out, bool ok)
{
	if (!out->path)
		return close_stdout(out, ok);
	if (out->direct)
		return close_in_place(out, ok);
	return close_temp(out, ok);
}

int report_write(pprofc_profile *p, pprofc_status st, output *out)
{
	if (st == PPROFC_OK)
		return output_close(out, true);
	if (st == PPROFC_ERR_IO && out->err == ECANCELED) {
		/* interrupted: the user knows */
	} else if (st == PPROFC_ERR_IO && out->err) {
		if (out->path)
			error("cannot write '%s': %s", out->path, strerror(out->err));
		else
			error("cannot write to standard output: %s", strerror(out->err));
	} else {
		error("%s", profile_failure(p));
	}
	output_close(out, false);
	/* e.g. a pattern that is invalid or matches nothing */
	return st == PPROFC_ERR_USAGE ? EXIT_USAGE : EXIT_FAIL;
}
