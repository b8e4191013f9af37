/*
 * Capturing URL sources: fetching one, or several at once, with progress
 * on a terminal, checking that each body is a valid profile, and saving it
 * (save_profile.c). The save destination is prepared before the capture
 * starts, so that an unwritable directory fails at once, not after the
 * sampling period.
 *
 * Only `fetch` must save: the other commands warn when the profile cannot
 * be saved and go on with it in memory, as go tool pprof does.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* The live progress line on a terminal. */
typedef struct progress {
	int tty;
	int shown; /* a live line is on the terminal */
	long last; /* what was last shown, to redraw only on change */
} progress;

static int on_progress(void *ctx, const pprofc_fetch_progress *now)
{
	progress *live = ctx;
	if (!live->tty)
		return 0;
	char line[80];
	long key;
	if (now->received == 0 && now->seconds > 0 && now->elapsed < (double)now->seconds) {
		long left = now->seconds - (long)now->elapsed;
		key = left;
		snprintf(line, sizeof(line), "capturing: %ld s left", left);
	} else if (now->received == 0) {
		key = -1 - (long)now->elapsed;
		snprintf(line, sizeof(line), "waiting for the server: %.0f s", now->elapsed);
	} else {
		key = 1000000 + (long)(now->received >> 10);
		snprintf(line, sizeof(line), "received %llu kB",
			 (unsigned long long)(now->received >> 10));
	}
	if (key != live->last) {
		fprintf(stderr, "\r\033[K%s", line);
		live->last = key;
		live->shown = 1;
	}
	return 0;
}

static void progress_done(progress *live)
{
	if (live->shown)
		fputs("\r\033[K", stderr);
	live->shown = 0;
}

/* A fetch handle for `url` with the options; NULL with the error shown
 * (*rc EXIT_USAGE for a bad URL or option: nothing has been fetched). */
static pprofc_fetch *new_request(const char *url, const common_opts *opts, int *rc)
{
	const fetch_opts *fetch = &opts->fetch;
	*rc = EXIT_FAIL;
	pprofc_fetch *f = pprofc_fetch_create();
	if (!f) {
		error("%s", pprofc_fetch_errmsg(NULL));
		return NULL;
	}
	pprofc_status st = pprofc_fetch_set_url(f, url);
	if (st == PPROFC_OK && fetch->seconds >= 0)
		st = pprofc_fetch_set_seconds(f, fetch->seconds);
	for (int i = 0; st == PPROFC_OK && i < fetch->nheaders; i++)
		st = pprofc_fetch_add_header(f, fetch->headers[i]);
	if (st == PPROFC_OK)
		st = pprofc_fetch_set_tls(f, fetch->cacert, fetch->cert, fetch->key,
					  fetch->insecure);
	if (st != PPROFC_OK) {
		/* the message never holds the URL's credentials */
		error("%s", pprofc_fetch_errmsg(f));
		*rc = st == PPROFC_ERR_USAGE ? EXIT_USAGE : EXIT_FAIL;
		pprofc_fetch_destroy(f);
		return NULL;
	}
	pprofc_fetch_set_timeout(f, fetch->timeout);
	if (opts->limits[PPROFC_LIMIT_SIZE])
		pprofc_fetch_set_max_body(f, opts->limits[PPROFC_LIMIT_SIZE]);
	*rc = EXIT_OK;
	return f;
}

/* The body of a finished fetch as a profile; NULL with *ret_why, the
 * message (free() it; NULL when memory is short). */
static pprofc_profile *load_body(pprofc_fetch *f, const common_opts *opts, char **ret_why)
{
	size_t len;
	const void *body = pprofc_fetch_body(f, &len);
	pprofc_profile *p = new_profile(opts);
	*ret_why = NULL;
	if (p && pprofc_profile_load_memory(p, body, len) == PPROFC_OK)
		return p;
	const char *url = pprofc_fetch_url(f);
	const char *why = p ? profile_failure(p) : "out of memory";
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

/* Makes a temp file in `dir` before the capture starts: an unusable folder
 * fails at once (EXIT_FAIL, said) when saving is required, else it is a
 * warning, and *ret_err says there is nowhere to save. */
static int prepare_save(const char *dir, bool required, savefile *t, int *ret_err)
{
	*ret_err = make_temp(dir, t);
	if (*ret_err && required) {
		error("cannot save profiles in '%s': %s", dir, strerror(*ret_err));
		return EXIT_FAIL;
	}
	if (*ret_err)
		save_failed(false, dir, strerror(*ret_err));
	return EXIT_OK;
}

int fetch_and_save(const char *url, const common_opts *opts, const char *save_as,
		   pprofc_profile **ret)
{
	const fetch_opts *fetch = &opts->fetch;
	bool required = save_as || opts->must_save;
	int rc;
	pprofc_profile *p = NULL;
	char *dir = NULL;
	savefile t = { .fd = -1, .tmp = NULL };
	/* The request first: a bad URL or option is a usage error. */
	pprofc_fetch *f = new_request(url, opts, &rc);
	if (!f)
		return rc;
	rc = EXIT_FAIL;
	const char *shown = pprofc_fetch_url(f);

	/* The destination, before the capture: fail now, not after it. */
	dir = save_as ? dir_of(save_as) : save_dir();
	if (!dir) {
		error("out of memory");
		goto out;
	}
	int err;
	if (prepare_save(dir, required, &t, &err) != EXIT_OK)
		goto out;

	progress live = { .tty = !fetch->quiet && isatty(STDERR_FILENO), .last = LONG_MIN };
	pprofc_fetch_set_progress(f, on_progress, &live);
	if (!fetch->quiet)
		fprintf(stderr, "Fetching profile over HTTP from %s\n", shown);
	pprofc_status st = pprofc_fetch_run(f);
	progress_done(&live);
	if (st != PPROFC_OK) {
		error("cannot fetch '%s': %s", shown, pprofc_fetch_errmsg(f));
		goto out;
	}
	char *why;
	if (!(p = load_body(f, opts, &why))) {
		show_why(why);
		goto out;
	}
	if (t.fd >= 0) {
		size_t len;
		const void *body = pprofc_fetch_body(f, &len);
		if (commit_body(&t, dir, save_as, required, p, body, len, fetch->quiet) !=
			    EXIT_OK &&
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
	const common_opts *opts;
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
	s->p = load_body(f, s->opts, &s->why);
	if (s->p && s->dir) {
		bool required = s->opts->must_save;
		savefile t;
		size_t len;
		const void *body = pprofc_fetch_body(f, &len);
		int err = make_temp(s->dir, &t);
		if (err)
			save_failed(required, s->dir, strerror(err));
		if ((err || commit_body(&t, s->dir, NULL, required, s->p, body, len,
					s->opts->fetch.quiet) != EXIT_OK) &&
		    required) {
			pprofc_profile_destroy(s->p);
			s->p = NULL;
			s->reported = true;
		}
	}
	pprofc_fetch_free_body(f);
}

int fetch_many(const char *const *urls, size_t n, const common_opts *opts, pprofc_profile **ret)
{
	const fetch_opts *fetch = &opts->fetch;
	int rc = EXIT_OK;
	pprofc_fetch **fetches = calloc(n, sizeof(*fetches));
	pprofc_status *statuses = calloc(n, sizeof(*statuses));
	many_slot *slots = calloc(n, sizeof(*slots));
	char *dir = NULL;
	for (size_t i = 0; i < n; i++)
		ret[i] = NULL;
	if (!fetches || !statuses || !slots) {
		error("out of memory");
		rc = EXIT_FAIL;
		goto out;
	}
	/* Every request is checked before any is made. */
	for (size_t i = 0; i < n && rc == EXIT_OK; i++)
		fetches[i] = new_request(urls[i], opts, &rc);
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
	int err;
	rc = prepare_save(dir, opts->must_save, &t, &err);
	discard(&t);
	if (rc != EXIT_OK)
		goto out;
	for (size_t i = 0; i < n; i++) {
		slots[i] = (many_slot){ .opts = opts, .dir = err ? NULL : dir };
		pprofc_fetch_set_done(fetches[i], on_done, &slots[i]);
	}

	size_t jobs = opts->jobs ? opts->jobs : DEFAULT_JOBS;
	if (!fetch->quiet)
		fprintf(stderr, "Fetching %zu profiles over HTTP, at most %zu at once\n", n,
			jobs < n ? jobs : n);
	pprofc_fetch_run_all(fetches, n, jobs, statuses);
	/* The errors in the order of the URLs, whichever ended first. */
	for (size_t i = 0; i < n; i++) {
		if (statuses[i] != PPROFC_OK)
			error("cannot fetch '%s': %s", pprofc_fetch_url(fetches[i]),
			      pprofc_fetch_errmsg(fetches[i]));
		else if (!slots[i].p && !slots[i].reported)
			show_why(slots[i].why);
		else
			free(slots[i].why);
		slots[i].why = NULL;
		ret[i] = slots[i].p;
	}
out:
	for (size_t i = 0; fetches && i < n; i++)
		pprofc_fetch_destroy(fetches[i]);
	free(fetches);
	free(statuses);
	free(slots);
	free(dir);
	return rc;
}
