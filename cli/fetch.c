/*
 * Fetching a URL source and saving it the way go tool pprof does, so that
 * existing habits and scripts keep working: in $PPROF_TMPDIR, else
 * $HOME/pprof, else the temp dir, as pprof.<binary>.<types>.NNN.pb.gz.
 *
 * Nothing is lost and nothing half-made is left: the temp file is created
 * before the capture starts (so an unwritable directory fails at once, not
 * after the sampling period), the body is validated as a profile before it
 * is written, and the file gets its final name only once it is fsynced.
 * The temp file has no name at all (O_TMPFILE) where the file system
 * allows, so that no signal, not even SIGKILL, can leave one behind; else
 * a signal that can be caught removes it.
 *
 * Only `fetch` must save: the other commands warn when the profile cannot
 * be saved and go on with it in memory, as go tool pprof does.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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

/* A file being saved: without a name (O_TMPFILE) or with a temp name. */
typedef struct savefile {
	int fd;
	char *tmp; /* the temp name (removed by a signal); NULL: none */
} savefile;

/* Opens a temp file in `dir`; 0, or an errno value (nothing shown). */
static int make_temp(const char *dir, savefile *t)
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

/* Closes and removes the temp file, if any. */
static void discard(savefile *t)
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

/* A profile that could not be saved: an error when saving is required,
 * else a warning (the command goes on with the profile in memory). */
static void save_failed(bool required, const char *dir, const char *why)
{
	error("%scannot save the profile in '%s': %s", required ? "" : "warning: ", dir, why);
}

/*
 * Writes a fetched, validated body to the temp file t (in `dir`), fsyncs it
 * and gives it its name: `save_as`, or pprof's pprof.<binary>.<types>.NNN.pb.gz.
 * The temp file is closed, and gone unless named, whatever happens. On
 * failure returns EXIT_FAIL with the message shown (a warning unless
 * `required`).
 */
static int commit_body(savefile *t, const char *dir, const char *save_as, bool required,
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

/* The body of a finished fetch as a profile; NULL with *ret_why, the
 * message (free() it; NULL when memory is short). */
static pprofc_profile *load_body(pprofc_fetch *f, const common_opts *o, char **ret_why)
{
	size_t len;
	const void *body = pprofc_fetch_body(f, &len);
	pprofc_profile *p = new_profile(o);
	*ret_why = NULL;
	if (p && pprofc_profile_load_memory(p, body, len) == PPROFC_OK)
		return p;
	const char *url = pprofc_fetch_url(f);
	const char *why = p ? pprofc_profile_errmsg(p) : "out of memory";
	size_t n = strlen(url) + strlen(why) + 64;
	char *msg = malloc(n);
	if (msg)
		snprintf(msg, n, "cannot read the profile from '%s': %s", url, why);
	pprofc_profile_destroy(p);
	*ret_why = msg;
	return NULL;
}

static void show_why(char *why)
{
	error("%s", why ? why : "out of memory");
	free(why);
}

int fetch_and_save(const char *url, const common_opts *o, const char *save_as, pprofc_profile **ret)
{
	const fetch_opts *fo = &o->fetch;
	bool required = save_as || o->must_save;
	int rc;
	pprofc_profile *p = NULL;
	char *dir = NULL;
	savefile t = { .fd = -1, .tmp = NULL };
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
	int err = make_temp(dir, &t);
	if (err && required) {
		error("cannot save profiles in '%s': %s", dir, strerror(err));
		goto out;
	} else if (err) {
		save_failed(false, dir, strerror(err));
	}

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
	char *why;
	if (!(p = load_body(f, o, &why))) {
		show_why(why);
		goto out;
	}
	if (t.fd >= 0) {
		size_t len;
		const void *body = pprofc_fetch_body(f, &len);
		if (commit_body(&t, dir, save_as, required, p, body, len, fo->quiet) != EXIT_OK &&
		    required)
			goto out;
	}
	*ret = p;
	p = NULL;
	rc = EXIT_OK;

out:
	discard(&t);
	free(dir);
	pprofc_profile_destroy(p);
	pprofc_fetch_destroy(f);
	return rc;
}

/* One URL of fetch_many: loaded and saved as its transfer ends. */
typedef struct many_slot {
	const common_opts *o;
	const char *dir; /* where to save; NULL: not saving */
	pprofc_profile *p;
	char *why;     /* why the body is no profile: shown in order at the end */
	bool reported; /* its error is shown already */
} many_slot;

/* As each transfer ends: its body becomes a profile, is saved and freed
 * at once, so that the bodies held never exceed --jobs. */
static void on_done(void *ctx, pprofc_fetch *f, pprofc_status st)
{
	many_slot *s = ctx;
	if (st != PPROFC_OK)
		return; /* its body is freed already; the message is on f */
	s->p = load_body(f, s->o, &s->why);
	if (s->p && s->dir) {
		bool required = s->o->must_save;
		savefile t;
		size_t len;
		const void *body = pprofc_fetch_body(f, &len);
		int err = make_temp(s->dir, &t);
		if (err)
			save_failed(required, s->dir, strerror(err));
		if ((err || commit_body(&t, s->dir, NULL, required, s->p, body, len,
					s->o->fetch.quiet) != EXIT_OK) &&
		    required) {
			pprofc_profile_destroy(s->p);
			s->p = NULL;
			s->reported = true;
		}
	}
	pprofc_fetch_free_body(f);
}

int fetch_many(const char *const *urls, size_t n, const common_opts *o, pprofc_profile **ret)
{
	const fetch_opts *fo = &o->fetch;
	int rc = EXIT_OK;
	pprofc_fetch **fs = calloc(n, sizeof(*fs));
	pprofc_status *sts = calloc(n, sizeof(*sts));
	many_slot *slots = calloc(n, sizeof(*slots));
	char *dir = NULL;
	for (size_t i = 0; i < n; i++)
		ret[i] = NULL;
	if (!fs || !sts || !slots) {
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
	if (!dir) {
		error("out of memory");
		rc = EXIT_FAIL;
		goto out;
	}
	savefile t;
	int err = make_temp(dir, &t);
	discard(&t);
	if (err && o->must_save) {
		error("cannot save profiles in '%s': %s", dir, strerror(err));
		rc = EXIT_FAIL;
		goto out;
	} else if (err) {
		save_failed(false, dir, strerror(err));
	}
	for (size_t i = 0; i < n; i++) {
		slots[i] = (many_slot){ .o = o, .dir = err ? NULL : dir };
		pprofc_fetch_set_done(fs[i], on_done, &slots[i]);
	}

	size_t jobs = o->jobs ? o->jobs : DEFAULT_JOBS;
	if (!fo->quiet)
		fprintf(stderr, "Fetching %zu profiles over HTTP, at most %zu at once\n", n,
			jobs < n ? jobs : n);
	pprofc_fetch_run_all(fs, n, jobs, sts);
	/* The errors in the order of the URLs, whichever ended first. */
	for (size_t i = 0; i < n; i++) {
		if (sts[i] != PPROFC_OK)
			error("cannot fetch '%s': %s", pprofc_fetch_url(fs[i]),
			      pprofc_fetch_errmsg(fs[i]));
		else if (!slots[i].p && !slots[i].reported)
			show_why(slots[i].why);
		else
			free(slots[i].why);
		slots[i].why = NULL;
		ret[i] = slots[i].p;
	}
out:
	for (size_t i = 0; fs && i < n; i++)
		pprofc_fetch_destroy(fs[i]);
	free(fs);
	free(sts);
	free(slots);
	free(dir);
	return rc;
}
