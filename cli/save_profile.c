/*
 * Saving a captured profile the way go tool pprof does, so that existing
 * habits and scripts keep working: in $PPROF_TMPDIR, else $HOME/pprof,
 * else the temp dir, as pprof.<binary>.<types>.NNN.pb.gz (or as -o FILE).
 *
 * Nothing half-made is left: the body, already validated as a profile, is
 * written to a temp file made before the capture started, and the file
 * gets its final name only once it is fsynced. The temp file has no name
 * at all (O_TMPFILE) where the file system allows, so that no signal, not
 * even SIGKILL, can leave one behind; else a signal that can be caught
 * removes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

char *home_pprof_dir(int *ret_err)
{
	const char *home = getenv("HOME");
	*ret_err = 0;
	if (!home || !*home)
		return NULL;
	size_t n = strlen(home) + 8;
	char *p = malloc(n);
	if (!p) {
		*ret_err = ENOMEM;
		return NULL;
	}
	snprintf(p, n, "%s/pprof", home);
	if (mkdir(p, 0755) != 0 && errno != EEXIST)
		*ret_err = errno;
	return p;
}

char *save_dir(void)
{
	const char *d = getenv("PPROF_TMPDIR");
	if (d && *d)
		return strdup(d);
	int err;
	char *p = home_pprof_dir(&err);
	if (p && !err)
		return p;
	if (!p && err == ENOMEM)
		return NULL;
	free(p); /* not a usable folder */
	d = getenv("TMPDIR");
	return strdup(d && *d ? d : "/tmp");
}

char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int make_temp(const char *dir, savefile *t)
{
	t->fd = -1;
	t->tmp = NULL;
	install_signal_handlers();
	/* Linked in at the end through /proc/self/fd (no privilege needed, as
	 * AT_EMPTY_PATH would be), so only with /proc. */
	if (access("/proc/self/fd", X_OK) == 0) {
		t->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (t->fd >= 0)
			return 0;
		/* Not supported by the file system or the kernel: a named one. */
		if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
			return errno;
	}
	size_t n = strlen(dir) + 32;
	char *tmp = malloc(n);
	if (!tmp)
		return ENOMEM;
	snprintf(tmp, n, "%s/.pprofc-fetch-XXXXXX", dir);
	t->fd = mkstemp(tmp);
	if (t->fd < 0) {
		int e = errno;
		free(tmp);
		return e;
	}
	set_pending_tmp(tmp);
	t->tmp = tmp;
	return 0;
}

void discard(savefile *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->tmp) {
		unlink(t->tmp);
		set_pending_tmp(NULL);
		free(t->tmp);
		t->tmp = NULL;
	}
}

/* Gives the temp file the name `path` too; fails with EEXIST when taken. */
static int link_to(const savefile *t, const char *path)
{
	if (t->tmp)
		return link(t->tmp, path);
	char proc[32];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", t->fd);
	return linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
}

/* Gives the temp file the name `path` (in `dir`), replacing any file there
 * as rename does; -1 with errno on failure. */
static int replace_name(savefile *t, const char *dir, const char *path)
{
	if (t->tmp) {
		if (rename(t->tmp, path) != 0)
			return -1;
		set_pending_tmp(NULL);
		free(t->tmp);
		t->tmp = NULL;
		return 0;
	}
	if (link_to(t, path) == 0)
		return 0;
	if (errno != EEXIST)
		return -1;
	/* A file to replace: a temp name of our own first, renamed over it
	 * (a caught signal meanwhile removes it). */
	size_t n = strlen(dir) + 32;
	char *tmp = malloc(n);
	if (!tmp) {
		errno = ENOMEM;
		return -1;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t r = (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
	int rc = -1;
	for (int i = 0; i < 100; i++) {
		r = r * 6364136223846793005u + 1442695040888963407u;
		snprintf(tmp, n, "%s/.pprofc-fetch-%08x", dir, (unsigned)(r >> 32));
		if (link_to(t, tmp) != 0) {
			if (errno == EEXIST)
				continue;
			break;
		}
		set_pending_tmp(tmp);
		rc = rename(tmp, path);
		int e = errno;
		if (rc != 0)
			unlink(tmp);
		set_pending_tmp(NULL);
		errno = e;
		break;
	}
	free(tmp);
	return rc;
}

/* Gives the temp file its pprof-style name: the first free NNN, 001 to
 * 9999 as go tool pprof counts (%03d). Linking fails on an existing name,
 * so two captures never take the same one. NULL with *ret_err an errno
 * value, or 0 when every name is taken. */
static char *claim_name(const char *dir, const char *stem, savefile *t, int *ret_err)
{
	size_t n = strlen(dir) + strlen(stem) + 16;
	char *path = malloc(n);
	*ret_err = ENOMEM;
	if (!path)
		return NULL;
	for (int i = 1; i <= 9999; i++) {
		snprintf(path, n, "%s/%s.%03d.pb.gz", dir, stem, i);
		if (link_to(t, path) == 0)
			return path;
		if (errno == EEXIST)
			continue;
		*ret_err = errno;
		/* A file system without hard links: rename, having checked. */
		if (t->tmp && access(path, F_OK) != 0) {
			if (rename(t->tmp, path) == 0) {
				set_pending_tmp(NULL);
				free(t->tmp);
				t->tmp = NULL;
				return path;
			}
			*ret_err = errno;
		}
		free(path);
		return NULL;
	}
	*ret_err = 0;
	free(path);
	return NULL;
}

void save_failed(bool required, const char *dir, const char *why)
{
	error("%scannot save the profile in '%s': %s", required ? "" : "warning: ", dir, why);
}

int commit_body(savefile *t, const char *dir, const char *save_as, bool required,
		const pprofc_profile *p, const void *body, size_t len, int quiet)
{
	char *final = NULL;
	int err = 0;
	mode_t mask = umask(0);
	umask(mask);
	if (write_all(t->fd, body, len) != 0 || fchmod(t->fd, 0666 & ~mask) != 0 ||
	    fsync(t->fd) != 0) {
		err = errno;
		goto fail;
	}
	/* A named temp file is closed before it is named, so that a late
	 * write error (NFS) is seen; one without a name stays open until it is
	 * linked in through its descriptor. */
	if (t->tmp) {
		int fd = t->fd;
		t->fd = -1;
		if (close(fd) != 0) {
			err = errno;
			goto fail;
		}
	}
	if (save_as) {
		if (replace_name(t, dir, save_as) != 0) {
			error("cannot write '%s': %s", save_as, strerror(errno));
			discard(t);
			return EXIT_FAIL;
		}
	} else {
		char stem[512];
		pprofc_profile_save_stem(p, stem, sizeof(stem));
		final = claim_name(dir, stem, t, &err);
		if (!final)
			goto fail;
	}
	discard(t); /* fsynced: closing it has nothing left to report */
	if (!quiet)
		fprintf(stderr, "Saved profile in %s\n", final ? final : save_as);
	free(final);
	return EXIT_OK;
fail:
	save_failed(required, dir, err ? strerror(err) : "no free file name");
	discard(t);
	return EXIT_FAIL;
}
