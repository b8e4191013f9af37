/*
 * Fetching a URL source and saving it the way go tool pprof does, so that
 * existing habits and scripts keep working: in $PPROF_TMPDIR, else
 * $HOME/pprof, else the temp dir, as pprof.<binary>.<types>.NNN.pb.gz.
 *
 * Nothing is lost and nothing half-made is left: the temp file is created
 * before the capture starts (so an unwritable directory fails at once, not
 * after the sampling period), the body is validated as a profile before it
 * is written, and the file gets its final name only once it is fsynced.
 * A signal meanwhile removes the temp file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

typedef struct progress {
	int tty;
	int shown; /* a live line is on the terminal */
	long last; /* what was last shown, to redraw only on change */
} progress;

static int on_progress(void *ctx, const pprofc_fetch_progress *pr)
{
	progress *pg = ctx;
	if (!pg->tty)
		return 0;
	char line[80];
	long key;
	if (pr->received == 0 && pr->seconds > 0 && pr->elapsed < (double)pr->seconds) {
		long left = pr->seconds - (long)pr->elapsed;
		key = left;
		snprintf(line, sizeof(line), "capturing: %ld s left", left);
	} else if (pr->received == 0) {
		key = -1 - (long)pr->elapsed;
		snprintf(line, sizeof(line), "waiting for the server: %.0f s", pr->elapsed);
	} else {
		key = 1000000 + (long)(pr->received >> 10);
		snprintf(line, sizeof(line), "received %llu kB",
			 (unsigned long long)(pr->received >> 10));
	}
	if (key != pg->last) {
		fprintf(stderr, "\r\033[K%s", line);
		pg->last = key;
		pg->shown = 1;
	}
	return 0;
}

static void progress_done(progress *pg)
{
	if (pg->shown)
		fputs("\r\033[K", stderr);
	pg->shown = 0;
}

/* $PPROF_TMPDIR, else $HOME/pprof (created, as pprof does), else $TMPDIR. */
static char *save_dir(void)
{
	const char *d = getenv("PPROF_TMPDIR");
	if (d && *d)
		return strdup(d);
	const char *home = getenv("HOME");
	if (home && *home) {
		size_t n = strlen(home) + 8;
		char *p = malloc(n);
		if (!p)
			return NULL;
		snprintf(p, n, "%s/pprof", home);
		if (mkdir(p, 0755) == 0 || errno == EEXIST)
			return p;
		free(p);
	}
	d = getenv("TMPDIR");
	return strdup(d && *d ? d : "/tmp");
}

static char *dir_of(const char *path)
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

/* Gives the temp file its pprof-style name: the first free NNN. link()
 * fails on an existing name, so two captures never take the same one. */
static char *claim_name(const char *dir, const char *stem, const char *tmp)
{
	size_t n = strlen(dir) + strlen(stem) + 16;
	char *path = malloc(n);
	if (!path)
		return NULL;
	for (int i = 1; i <= 999; i++) {
		snprintf(path, n, "%s/%s.%03d.pb.gz", dir, stem, i);
		if (link(tmp, path) == 0) {
			unlink(tmp);
			return path;
		}
		if (errno == EEXIST)
			continue;
		/* A file system without hard links: rename, having checked. */
		if (access(path, F_OK) != 0 && rename(tmp, path) == 0)
			return path;
		break;
	}
	free(path);
	return NULL;
}

/*
 * Writes a fetched, validated body to the temp file `fd` (path `tmp`, in
 * `dir`), fsyncs it and gives it its name: `save_as`, or pprof's
 * pprof.<binary>.<types>.NNN.pb.gz. Closes fd; removes tmp on failure.
 */
static int commit_body(int fd, char *tmp, const char *dir, const char *save_as,
		       const pprofc_profile *p, const void *body, size_t len, int quiet)
{
	char *final = NULL;
	mode_t mask = umask(0);
	umask(mask);
	if (write_all(fd, body, len) != 0 || fchmod(fd, 0666 & ~mask) != 0 || fsync(fd) != 0) {
		error("cannot save the profile in '%s': %s", dir, strerror(errno));
		close(fd);
		goto fail;
	}
	if (close(fd) != 0) {
		error("cannot save the profile in '%s': %s", dir, strerror(errno));
		goto fail;
	}
	if (save_as) {
		if (rename(tmp, save_as) != 0) {
			error("cannot write '%s': %s", save_as, strerror(errno));
			goto fail;
		}
	} else {
		char stem[512];
		pprofc_profile_save_stem(p, stem, sizeof(stem));
		errno = 0;
		final = claim_name(dir, stem, tmp);
		if (!final) {
			error("cannot save the profile in '%s': %s", dir,
			      errno ? strerror(errno) : "no free file name");
			goto fail;
		}
	}
	set_pending_tmp(NULL);
	if (!quiet)
		fprintf(stderr, "Saved profile in %s\n", final ? final : save_as);
	free(final);
	return EXIT_OK;
fail:
	unlink(tmp);
	set_pending_tmp(NULL);
	return EXIT_FAIL;
}

/* A temp file in `dir` for a profile being saved; -1 with the error shown. */
static int make_temp(const char *dir, char **ret_tmp)
{
	size_t n = strlen(dir) + 32;
	char *tmp = malloc(n);
	if (!tmp) {
		error("out of memory");
		return -1;
	}
	snprintf(tmp, n, "%s/.pprofc-fetch-XXXXXX", dir);
	install_signal_handlers();
	int fd = mkstemp(tmp);
	if (fd < 0) {
		error("cannot save profiles in '%s': %s", dir, strerror(errno));
		free(tmp);
		return -1;
	}
	set_pending_tmp(tmp);
	*ret_tmp = tmp;
	return fd;
}

/* A fetch handle for `url` with the options; NULL with the error shown
 * (*rc EXIT_USAGE for a bad URL or option: nothing has been fetched). */
static pprofc_fetch *new_request(const char *url, const common_opts *o, int *rc)
{
	const fetch_opts *fo = &o->fetch;
	*rc = EXIT_FAIL;
	pprofc_fetch *f = pprofc_fetch_create();
	if (!f) {
		error("%s", pprofc_fetch_errmsg(NULL));
		return NULL;
	}
	pprofc_status st = pprofc_fetch_set_url(f, url);
	if (st == PPROFC_OK && fo->seconds >= 0)
		st = pprofc_fetch_set_seconds(f, fo->seconds);
	for (int i = 0; st == PPROFC_OK && i < fo->nheaders; i++)
		st = pprofc_fetch_add_header(f, fo->headers[i]);
	if (st == PPROFC_OK)
		st = pprofc_fetch_set_tls(f, fo->cacert, fo->cert, fo->key, fo->insecure);
	if (st != PPROFC_OK) {
		/* the message never holds the URL's credentials */
		error("%s", pprofc_fetch_errmsg(f));
		*rc = st == PPROFC_ERR_USAGE ? EXIT_USAGE : EXIT_FAIL;
		pprofc_fetch_destroy(f);
		return NULL;
	}
	pprofc_fetch_set_timeout(f, fo->timeout);
	if (o->max_size)
		pprofc_fetch_set_max_body(f, o->max_size);
	*rc = EXIT_OK;
	return f;
}

/* The body of a finished fetch as a profile; NULL with the error shown. */
static pprofc_profile *load_body(pprofc_fetch *f, const common_opts *o)
{
	size_t len;
	const void *body = pprofc_fetch_body(f, &len);
	pprofc_profile *p = new_profile(o);
	if (!p) {
		error("out of memory");
		return NULL;
	}
	if (pprofc_profile_load_memory(p, body, len) != PPROFC_OK) {
		error("cannot read the profile from '%s': %s", pprofc_fetch_url(f),
		      pprofc_profile_errmsg(p));
		pprofc_profile_destroy(p);
		return NULL;
	}
	return p;
}

int fetch_and_save(const char *url, const common_opts *o, const char *save_as, pprofc_profile **ret)
{
	const fetch_opts *fo = &o->fetch;
	int rc;
	pprofc_profile *p = NULL;
	char *dir = NULL, *tmp = NULL;
	int fd = -1;
	/* The request first: a bad URL or option is a usage error. */
	pprofc_fetch *f = new_request(url, o, &rc);
	if (!f)
		return rc;
	rc = EXIT_FAIL;
	const char *shown = pprofc_fetch_url(f);

	/* The destination, before the capture: fail now, not in 30 s. */
	dir = save_as ? dir_of(save_as) : save_dir();
	if (!dir) {
		error("out of memory");
		goto out;
	}
	if ((fd = make_temp(dir, &tmp)) < 0)
		goto out;

	progress pg = { .tty = !fo->quiet && isatty(STDERR_FILENO), .last = LONG_MIN };
	pprofc_fetch_set_progress(f, on_progress, &pg);
	if (!fo->quiet)
		fprintf(stderr, "Fetching profile over HTTP from %s\n", shown);
	pprofc_status st = pprofc_fetch_run(f);
	progress_done(&pg);
	if (st != PPROFC_OK) {
		error("cannot fetch '%s': %s", shown, pprofc_fetch_errmsg(f));
		goto out;
	}
	if (!(p = load_body(f, o)))
		goto out;
	size_t len;
	const void *body = pprofc_fetch_body(f, &len);
	int crc = commit_body(fd, tmp, dir, save_as, p, body, len, fo->quiet);
	fd = -1;
	free(tmp);
	tmp = NULL;
	if (crc != EXIT_OK)
		goto out;
	*ret = p;
	p = NULL;
	rc = EXIT_OK;

out:
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		set_pending_tmp(NULL);
		free(tmp);
	}
	free(dir);
	pprofc_profile_destroy(p);
	pprofc_fetch_destroy(f);
	return rc;
}

int fetch_many(const char *const *urls, size_t n, const common_opts *o, pprofc_profile **ret)
{
	const fetch_opts *fo = &o->fetch;
	int rc = EXIT_OK;
	pprofc_fetch **fs = calloc(n, sizeof(*fs));
	pprofc_status *sts = calloc(n, sizeof(*sts));
	char *dir = NULL;
	for (size_t i = 0; i < n; i++)
		ret[i] = NULL;
	if (!fs || !sts) {
		error("out of memory");
		rc = EXIT_FAIL;
		goto out;
	}
	/* Every request is checked before any is made. */
	for (size_t i = 0; i < n && rc == EXIT_OK; i++)
		fs[i] = new_request(urls[i], o, &rc);
	if (rc != EXIT_OK)
		goto out;
	/* And the destination: a temp file made and removed. */
	dir = save_dir();
	char *tmp;
	int fd = dir ? make_temp(dir, &tmp) : -1;
	if (fd < 0) {
		if (!dir)
			error("out of memory");
		rc = EXIT_FAIL;
		goto out;
	}
	close(fd);
	unlink(tmp);
	set_pending_tmp(NULL);
	free(tmp);

	size_t jobs = o->jobs ? o->jobs : DEFAULT_JOBS;
	if (!fo->quiet)
		fprintf(stderr, "Fetching %zu profiles over HTTP, at most %zu at once\n", n,
			jobs < n ? jobs : n);
	pprofc_fetch_run_all(fs, n, jobs, sts);
	for (size_t i = 0; i < n; i++) {
		const char *shown = pprofc_fetch_url(fs[i]);
		if (sts[i] != PPROFC_OK) {
			error("cannot fetch '%s': %s", shown, pprofc_fetch_errmsg(fs[i]));
			continue;
		}
		pprofc_profile *p = load_body(fs[i], o);
		if (!p)
			continue;
		size_t len;
		const void *body = pprofc_fetch_body(fs[i], &len);
		if ((fd = make_temp(dir, &tmp)) < 0 ||
		    commit_body(fd, tmp, dir, NULL, p, body, len, fo->quiet) != EXIT_OK) {
			if (fd >= 0)
				free(tmp);
			pprofc_profile_destroy(p);
			continue;
		}
		free(tmp);
		ret[i] = p;
	}
out:
	for (size_t i = 0; fs && i < n; i++)
		pprofc_fetch_destroy(fs[i]);
	free(fs);
	free(sts);
	free(dir);
	return rc;
}
