/*
 * Opening an output in a viewer (kcachegrind, web, flamegraph): the output
 * goes to a private temp file, the viewer is started on it without a
 * shell, and the file is removed once the viewer is done with it, on every
 * path: nothing is left in $TMPDIR.
 *
 * A viewer may block until its window closes (kcachegrind) or be a
 * launcher that hands the file to a running browser and returns at once
 * (xdg-open). As go tool pprof does, we wait for the viewer, and for at
 * least a second in any case, so that a launched browser has opened the
 * file before it goes.
 *
 * Whether a program is installed at all (on_path) is asked first, of a
 * viewer and of Graphviz's dot, so that "not installed" has its own
 * message.
 */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

extern char **environ;

/* How long a launcher's file is kept after it returned. */
#define VIEWER_GRACE_MS 1000

/* The shell's viewers: they run while other commands are typed, as in go
 * tool pprof's interactive mode, and their files go when they are done. */
#define MAX_BACKGROUND 64
static struct {
	bool on;
	view views[MAX_BACKGROUND];
	size_t n;
} background;

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool on_path(const char *prog)
{
	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path; *p;) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		char buf[4096];
		if (snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, n ? p : ".", prog) <
			    (int)sizeof(buf) &&
		    access(buf, X_OK) == 0)
			return true;
		p += n;
		if (*p == ':')
			p++;
	}
	return false;
}

const char *const *browsers(void)
{
	/* $BROWSER first, then what go tool pprof tries on Linux */
	static const char *list[8];
	size_t n = 0;
	const char *b = getenv("BROWSER");
	if (b && *b)
		list[n++] = b;
	static const char *const known[] = { "chrome", "google-chrome", "chromium", "firefox",
					     "sensible-browser" };
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		list[n++] = known[i];
	const char *display = getenv("DISPLAY");
	if (display && *display)
		list[n++] = "xdg-open"; /* only for a desktop session */
	list[n] = NULL;
	return list;
}

/* The first word of `command` (split at spaces, as pprof splits $BROWSER)
 * found on $PATH, as an argv with `file` appended; NULL when absent. */
static char **viewer_argv(const char *cmdline, const char *file)
{
	char *copy = strdup(cmdline);
	size_t words = 2;
	for (const char *c = cmdline; *c; c++)
		words += *c == ' ';
	char **args = calloc(words + 1, sizeof(*args));
	if (!copy || !args) {
		free(copy);
		free(args);
		return NULL;
	}
	size_t n = 0;
	for (char *save, *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		args[n++] = w;
	if (n == 0 || !on_path(args[0])) {
		free(copy);
		free(args);
		return NULL;
	}
	args[n] = (char *)file;
	return args; /* args[0] is copy */
}

bool viewer_installed(const char *cmdline)
{
	char **args = viewer_argv(cmdline, "");
	if (args) {
		free(args[0]);
		free(args);
	}
	return args != NULL;
}

/* Removes the file once the viewer is done with it. */
static void finish(view *v)
{
	if (v->pid > 0) {
		int status;
		while (waitpid(v->pid, &status, 0) < 0 && errno == EINTR)
			;
		v->pid = 0;
	}
	long left = v->started + VIEWER_GRACE_MS - now_ms();
	if (left > 0) {
		struct timespec ts = { left / 1000, (left % 1000) * 1000000 };
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	view_discard(v);
}

void view_discard(view *v)
{
	if (v->path) {
		unlink(v->path);
		set_pending_tmp(NULL);
		free(v->path);
		v->path = NULL;
	}
}

int view_begin(view *v, const char *prefix, const char *suffix)
{
	memset(v, 0, sizeof(*v));
	const char *tmpdir = getenv("TMPDIR");
	if (!tmpdir || !*tmpdir)
		tmpdir = "/tmp";
	size_t n = strlen(tmpdir) + strlen(prefix) + strlen(suffix) + 16;
	if (!(v->path = malloc(n))) {
		error("out of memory");
		return EXIT_FAIL;
	}
	snprintf(v->path, n, "%s/%s.XXXXXX%s", tmpdir, prefix, suffix);
	install_signal_handlers();
	int fd = mkstemps(v->path, (int)strlen(suffix));
	if (fd < 0 || !(v->out.fp = fdopen(fd, "w"))) {
		error("cannot create a file in '%s': %s", tmpdir, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(v->path);
		v->path = NULL;
		return EXIT_FAIL;
	}
	set_pending_tmp(v->path);
	/* written in place: the file is ours alone until the viewer starts */
	v->out.path = v->path;
	v->out.direct = true;
	v->out.sink = (pprofc_sink){ output_sink_write, &v->out };
	return EXIT_OK;
}

int view_open(view *v, const char *const *viewers, bool quiet)
{
	char **args = NULL;
	const char *const *c;
	for (c = viewers; *c && !args; c++)
		args = viewer_argv(*c, v->path);
	if (!args) {
		error("cannot start '%s': not installed", viewers[0] ? viewers[0] : "a browser");
		view_discard(v);
		return EXIT_FAIL;
	}
	v->started = now_ms();
	int err = posix_spawnp(&v->pid, args[0], NULL, NULL, args, environ);
	if (err) {
		error("cannot start '%s': %s", args[0], strerror(err));
		v->pid = 0;
	} else if (!quiet) {
		fprintf(stderr, "Opening %s in %s\n", v->path, args[0]);
	}
	free(args[0]);
	free(args);
	if (err) {
		view_discard(v);
		return EXIT_FAIL;
	}
	if (background.on) {
		view *slot =
			background.n < MAX_BACKGROUND ? &background.views[background.n++] : NULL;
		if (slot) {
			*slot = *v;
			set_pending_tmp(NULL); /* view_reap removes it */
			return EXIT_OK;
		}
	}
	finish(v);
	return EXIT_OK;
}

void viewers_in_background(void)
{
	background.on = true;
}

void view_reap(bool all)
{
	size_t k = 0;
	for (size_t i = 0; i < background.n; i++) {
		view *v = &background.views[i];
		int status;
		if (v->pid > 0 && waitpid(v->pid, &status, WNOHANG) == v->pid)
			v->pid = 0;
		if (all || (v->pid == 0 && now_ms() - v->started >= VIEWER_GRACE_MS)) {
			v->pid = 0; /* a viewer still open has read its file */
			finish(v);
		} else {
			background.views[k++] = *v;
		}
	}
	background.n = k;
}
