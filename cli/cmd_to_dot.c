/*
 * pprofc to-dot: pprof's call graph in DOT; with --svg or --png, rendered
 * by Graphviz's dot, started with posix_spawnp (no shell) and fed through a
 * pipe, its output going straight to the destination (with -o, the temp
 * file that is renamed only when dot succeeded).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

extern char **environ;

enum { OPT_SVG = OPT_FIRST_OWN, OPT_PNG };

const cli_option dot_options[] = {
	OPTION_NODECOUNT,
	OPTION_NODEFRACTION,
	OPTION_EDGEFRACTION,
	OPTION_UNIT,
	FLAG_OPTION("svg", OPT_SVG, "render SVG with Graphviz's dot"),
	FLAG_OPTION("png", OPT_PNG, "render PNG with Graphviz's dot"),
	OPTION_COMPACT_LABELS,
	OPTIONS_END,
};

typedef struct dot_ctx {
	const command *cmd;
	pprofc_dot_options opt;
	const char *format; /* "svg", "png", NULL: DOT text */
} dot_ctx;

/* --svg and --png: render with dot instead of writing DOT text. */
static int dot_option(void *ctx, int id, const char *arg)
{
	dot_ctx *d = ctx;
	if (id != OPT_SVG && id != OPT_PNG)
		return NOT_MINE;
	const char *format = id == OPT_SVG ? "svg" : "png";
	if (arg) { /* --svg=false */
		if (d->format && !strcmp(d->format, format))
			d->format = NULL;
		return EXIT_OK;
	}
	if (d->format && strcmp(d->format, format))
		return usage_error(d->cmd, "--svg and --png: choose one");
	d->format = format;
	return EXIT_OK;
}

static int pipe_write(void *ctx, const void *data, size_t len)
{
	int fd = *(int *)ctx;
	const char *s = data;
	while (len) {
		ssize_t n = write(fd, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes the DOT text into `dot -T<format>`, whose output goes to out's
 * file; returns an exit code, having printed any error. */
static int render(dot_ctx *d, pprofc_profile *p, output *out)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0) {
		error("cannot run 'dot': %s", strerror(errno));
		return EXIT_FAIL;
	}
	fflush(out->fp);
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&actions, fileno(out->fp), STDOUT_FILENO);
	char arg[8];
	snprintf(arg, sizeof(arg), "-T%s", d->format);
	char dotname[] = "dot";
	char *args[] = { dotname, arg, NULL };
	pid_t pid;
	int err = posix_spawnp(&pid, "dot", &actions, NULL, args, environ);
	posix_spawn_file_actions_destroy(&actions);
	close(fds[0]);
	if (err) {
		close(fds[1]);
		error("cannot run 'dot': %s", strerror(err));
		return EXIT_FAIL;
	}
	pprofc_sink sink = { pipe_write, &fds[1] };
	pprofc_status st = pprofc_write_dot(p, &d->opt, &sink);
	close(fds[1]); /* dot sees the end of its input */
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && st == PPROFC_OK)
		return EXIT_OK;
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		error("dot -T%s failed (exit status %d)", d->format, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		error("dot -T%s was killed by signal %d", d->format, WTERMSIG(status));
	else
		error("%s",
		      st == PPROFC_ERR_IO ? "dot stopped reading its input" : profile_failure(p));
	return EXIT_FAIL;
}

/* What --svg, --png (`format`) and web need: Graphviz's dot, and for web
 * one of the `viewers`. Checked before the profile is loaded (or fetched
 * for seconds). */
static int check_programs(const char *format, bool web, const char *const *viewers)
{
	if (format && !on_path("dot")) {
		error("%s needs Graphviz's 'dot', which is not installed (apt-get install "
		      "graphviz)%s",
		      web		 ? "web"
		      : format[0] == 's' ? "--svg"
					 : "--png",
		      web ? "" : ", or write DOT text without it");
		return EXIT_FAIL;
	}
	bool any = !web;
	for (const char *const *b = viewers; *b && !any; b++)
		any = viewer_installed(*b);
	if (!any) {
		error("cannot open a browser: none found (set $BROWSER)");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* to-dot, and web: the SVG in a browser. */
int dot_command(const command *cmd, bool web, int argc, char **argv)
{
	/* pprof's defaults for its graphs */
	dot_ctx d = { .cmd = cmd,
		      .opt = { .size = sizeof(pprofc_dot_options),
			       .nodecount = 80,
			       .nodefraction = 0.005,
			       .edgefraction = 0.001 } };
	report_fields fields = { .nodecount = &d.opt.nodecount,
				 .nodefraction = &d.opt.nodefraction,
				 .edgefraction = &d.opt.edgefraction,
				 .unit = &d.opt.unit,
				 .compact_labels = &d.opt.compact_labels };
	converter conv = { .cmd = cmd, .report = &fields, .own_option = dot_option, .ctx = &d };
	common_opts opts;
	int rc = parse_args(&conv, argc, argv, &opts);
	if (rc != GO_ON)
		return rc;
	if (web && (opts.output || d.format))
		return usage_error(cmd,
				   "%s does not apply: web opens SVG in a browser (use to-dot)",
				   opts.output ? "-o" : "--svg or --png");
	if (web)
		d.format = "svg";
	const char *const *viewers = browsers();
	if ((rc = check_programs(d.format, web, viewers)) != EXIT_OK)
		return rc;
	pprofc_profile *p;
	rc = load_and_select(&opts, &p, &d.opt.sample_index);
	if (rc != EXIT_OK)
		return rc;
	view v;
	output *out = &v.out;
	rc = web ? view_begin(&v, "pprofc", ".svg") : output_open(out, opts.output);
	if (rc == EXIT_OK) {
		if (d.format) {
			rc = render(&d, p, out);
			rc = output_close(out, rc == EXIT_OK) != EXIT_OK ? EXIT_FAIL : rc;
		} else {
			rc = report_write(p, pprofc_write_dot(p, &d.opt, &out->sink), out);
		}
		if (web && rc != EXIT_OK)
			view_discard(&v);
	}
	pprofc_profile_destroy(p);
	if (web && rc == EXIT_OK)
		rc = view_open(&v, viewers, opts.fetch.quiet);
	return rc;
}

int cmd_to_dot(int argc, char **argv)
{
	return dot_command(find_command("to-dot"), false, argc, argv);
}
