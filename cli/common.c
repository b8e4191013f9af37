/*
 * Helpers the commands share: messages, the common options, loading a
 * source, and writing output safely (temp file + rename, write errors
 * reported, never a partial file).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

void error(const char *fmt, ...)
{
	va_list ap;
	fputs("pprofc: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int usage_error(const command *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cmd)
		error("%s (see 'pprofc %s --help')", msg, cmd->name);
	else
		error("%s (see 'pprofc help')", msg);
	return EXIT_USAGE;
}

/* "1G", "512M", "64k" or plain bytes. */
static bool parse_size(const char *s, uint64_t *ret)
{
	char *end;
	errno = 0;
	if (!*s || *s == '-')
		return false;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	uint64_t mul = 1;
	switch (*end) {
	case 'k':
	case 'K':
		mul = 1ull << 10;
		end++;
		break;
	case 'm':
	case 'M':
		mul = 1ull << 20;
		end++;
		break;
	case 'g':
	case 'G':
		mul = 1ull << 30;
		end++;
		break;
	case 't':
	case 'T':
		mul = 1ull << 40;
		end++;
		break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || v == 0 || v > UINT64_MAX / mul)
		return false;
	*ret = v * mul;
	return true;
}

/* pprof's shorthands (its driver's sampleIndex calls): the option, the
 * sample type it selects, and whether it also means --mean. */
static const struct shorthand {
	const char *option, *type;
	int mean;
} shorthands[NSHORTHANDS] = {
	{ "--inuse_space", "inuse_space", 0 }, { "--inuse_objects", "inuse_objects", 0 },
	{ "--alloc_space", "alloc_space", 0 }, { "--alloc_objects", "alloc_objects", 0 },
	{ "--total_delay", "delay", 0 },       { "--contentions", "contentions", 0 },
	{ "--mean_delay", "delay", 1 },
};

/* One sample type per run: pprof warns and ignores all but one choice;
 * a usage error is clearer than guessing which one was meant. */
static int set_sample_index(const command *cmd, common_opts *o, const char *option,
			    const char *value)
{
	/* (a repeated --sample-index: the last one, as getopt users expect) */
	bool repeated = o->index_option && !strcmp(o->index_option, option) &&
			!strcmp(option, "--sample-index");
	if (o->sample_index && strcmp(o->sample_index, value) && !repeated)
		return usage_error(cmd, "%s conflicts with %s: choose one sample type", option,
				   o->index_option);
	o->sample_index = value;
	o->index_option = option;
	return EXIT_OK;
}

int common_option(const command *cmd, int c, const char *arg, common_opts *o, bool *done)
{
	if (c >= OPT_SHORTHAND_FIRST && c < OPT_SHORTHAND_FIRST + NSHORTHANDS) {
		const struct shorthand *sh = &shorthands[c - OPT_SHORTHAND_FIRST];
		if (arg) /* -inuse_space=false: as if not given */
			return EXIT_OK;
		if (sh->mean) {
			o->mean = 1;
			o->mean_option = sh->option;
		}
		return set_sample_index(cmd, o, sh->option, sh->type);
	}
	switch (c) {
	case 'o':
		o->output = arg;
		return EXIT_OK;
	case OPT_SAMPLE_INDEX:
		return set_sample_index(cmd, o, "--sample-index", arg);
	case OPT_MEAN:
		o->mean = !arg;
		if (!o->mean_option)
			o->mean_option = "--mean";
		return EXIT_OK;
	case OPT_MAX_SIZE:
		if (!parse_size(arg, &o->max_size))
			return usage_error(cmd, "invalid size '%s' for --max-size", arg);
		return EXIT_OK;
	case OPT_MAX_MEMORY:
		if (!parse_size(arg, &o->max_memory))
			return usage_error(cmd, "invalid size '%s' for --max-memory", arg);
		return EXIT_OK;
	case 'h':
		if (!arg) {
			fputs(cmd->help, stdout);
			*done = true;
		}
		return EXIT_OK;
	case OPT_SECONDS: {
		char *end;
		errno = 0;
		long v = strtol(arg, &end, 10);
		if (errno || end == arg || *end || v < 0)
			return usage_error(cmd, "invalid number of seconds '%s'", arg);
		o->fetch.seconds = v;
		return EXIT_OK;
	}
	case OPT_TIMEOUT: {
		char *end;
		errno = 0;
		double v = strtod(arg, &end);
		if (errno || end == arg || *end || !(v > 0))
			return usage_error(cmd, "invalid timeout '%s'", arg);
		o->fetch.timeout = v;
		return EXIT_OK;
	}
	case 'H':
		if (o->fetch.nheaders ==
		    (int)(sizeof(o->fetch.headers) / sizeof(o->fetch.headers[0])))
			return usage_error(cmd, "too many headers");
		o->fetch.headers[o->fetch.nheaders++] = arg;
		return EXIT_OK;
	case OPT_CACERT:
		o->fetch.cacert = arg;
		return EXIT_OK;
	case OPT_CERT:
		o->fetch.cert = arg;
		return EXIT_OK;
	case OPT_KEY:
		o->fetch.key = arg;
		return EXIT_OK;
	case 'k':
		o->fetch.insecure = !arg;
		return EXIT_OK;
	case 'q':
		o->fetch.quiet = !arg;
		return EXIT_OK;
	case OPT_BASE:
	case OPT_DIFF_BASE:
		/* pprof: -base and -diff_base are two ways of comparing; one
		 * run compares one way */
		if (o->nbases && o->diff_base != (c == OPT_DIFF_BASE))
			return usage_error(cmd, "--base and --diff-base cannot be used together");
		if (o->nbases == MAX_BASES)
			return usage_error(cmd, "more than %d base profiles", MAX_BASES);
		o->diff_base = c == OPT_DIFF_BASE;
		o->bases[o->nbases++] = arg;
		return EXIT_OK;
	case OPT_NORMALIZE:
		o->normalize = !arg;
		return EXIT_OK;
	case OPT_KEEP_GOING:
		o->keep_going = !arg;
		return EXIT_OK;
	case 'j': {
		char *end;
		errno = 0;
		long v = strtol(arg, &end, 10);
		if (errno || end == arg || *end || v < 1 || v > 1024)
			return usage_error(cmd, "invalid number of jobs '%s' (1 to 1024)", arg);
		o->jobs = (size_t)v;
		return EXIT_OK;
	}
	}
	if (c >= OPT_GRANULARITY_FIRST && c < OPT_GRANULARITY_FIRST + PPROFC_GRANULARITY_COUNT_) {
		if (!arg)
			o->granularity = (pprofc_granularity)(c - OPT_GRANULARITY_FIRST);
		return EXIT_OK;
	}
	if (c == OPT_NOINLINES) {
		o->noinlines = !arg;
		return EXIT_OK;
	}
	if (c >= OPT_FILTER_FIRST && c < OPT_FILTER_FIRST + PPROFC_FILTER_COUNT_) {
		/* Compiled now only to check it: a bad expression is a usage
		 * error before anything is loaded or fetched. */
		pprofc_filter *f = pprofc_filter_create();
		if (!f) {
			error("out of memory");
			return EXIT_FAIL;
		}
		pprofc_status st =
			pprofc_filter_set(f, (pprofc_filter_option)(c - OPT_FILTER_FIRST), arg);
		int rc = st == PPROFC_OK ? EXIT_OK
			 : st == PPROFC_ERR_USAGE
				 ? usage_error(cmd, "%s", pprofc_filter_errmsg(f))
				 : (error("%s", pprofc_filter_errmsg(f)), EXIT_FAIL);
		pprofc_filter_destroy(f);
		o->filters[c - OPT_FILTER_FIRST] = arg;
		return rc;
	}
	if (c >= OPT_LIMIT_FIRST && c < OPT_LIMIT_FIRST + PPROFC_LIMIT_COUNT_) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(arg, &end, 10);
		if (errno || end == arg || *end || v == 0 || arg[0] == '-')
			return usage_error(cmd, "invalid limit '%s'", arg);
		o->limits[c - OPT_LIMIT_FIRST] = v;
		return EXIT_OK;
	}
	return -1;
}

int parse_fraction(const command *cmd, const char *opt, const char *arg, double *ret)
{
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v >= 0 && v <= 1))
		return usage_error(cmd, "invalid fraction '%s' for --%s (0 to 1)", arg, opt);
	*ret = v;
	return EXIT_OK;
}

int parse_count(const command *cmd, const char *opt, const char *arg, size_t *ret)
{
	char *end;
	errno = 0;
	long long v = strtoll(arg, &end, 10);
	if (errno || end == arg || *end || v < 0)
		return usage_error(cmd, "invalid count '%s' for --%s", arg, opt);
	*ret = (size_t)v;
	return EXIT_OK;
}

int parse_unit(const command *cmd, const char *arg, const char **ret)
{
	if (!*arg || strlen(arg) > 32)
		return usage_error(cmd, "invalid unit '%s'", arg);
	*ret = arg;
	return EXIT_OK;
}

int run_with_pattern(const converter *cv, int argc, char **argv, const char **ret_pattern)
{
	/* The pattern comes first, so that it may look like anything, even
	 * start with '-'... except for --help. */
	if (argc >= 2 && strcmp(argv[1], "-h") && strcmp(argv[1], "--help")) {
		char why[512];
		/* a bad pattern is said before anything is read or fetched */
		if (pprofc_regex_check(argv[1], why, sizeof(why)) != PPROFC_OK)
			return usage_error(cv->cmd, "%s", why);
		*ret_pattern = argv[1];
		argv[1] = argv[0];
		return run_converter(cv, argc - 1, argv + 1);
	}
	if (argc < 2)
		return usage_error(cv->cmd, "missing REGEX");
	return run_converter(cv, argc, argv);
}

pprofc_profile *new_profile(const common_opts *o)
{
	pprofc_profile *p = pprofc_profile_create();
	if (!p)
		return NULL;
	pprofc_profile_set_max_size(p, o->max_size);
	pprofc_profile_set_max_memory(p, o->max_memory);
	for (int i = 0; i < PPROFC_LIMIT_COUNT_; i++)
		pprofc_profile_set_limit(p, (pprofc_limit)i, o->limits[i]);
	return p;
}

int load_profile(const char *source, const common_opts *o, pprofc_profile **ret)
{
	/* An existing file wins over a name that merely looks like host:port. */
	if (strcmp(source, "-") && access(source, F_OK) != 0 && pprofc_fetch_is_url(source))
		return fetch_and_save(source, o, NULL, ret);
	pprofc_profile *p = new_profile(o);
	if (!p) {
		error("out of memory");
		return EXIT_FAIL;
	}
	pprofc_status st;
	if (!strcmp(source, "-"))
		st = pprofc_profile_load_fd(p, STDIN_FILENO);
	else
		st = pprofc_profile_load_file(p, source);
	if (st != PPROFC_OK) {
		error("cannot read '%s': %s", !strcmp(source, "-") ? "standard input" : source,
		      pprofc_profile_errmsg(p));
		pprofc_profile_destroy(p);
		return EXIT_FAIL;
	}
	*ret = p;
	return EXIT_OK;
}

int select_sample_type(pprofc_profile *p, const common_opts *o, size_t *ret_index)
{
	if (pprofc_profile_select_sample_type(p, o->sample_index, ret_index) == PPROFC_OK)
		return EXIT_OK;
	/* A shorthand names the option, so the user sees why that type. */
	if (o->index_option && strcmp(o->index_option, "--sample-index"))
		error("%s: %s", o->index_option, pprofc_profile_errmsg(p));
	else
		error("%s", pprofc_profile_errmsg(p));
	return o->sample_index ? EXIT_USAGE : EXIT_FAIL;
}

/* Whether `prog` would be found by posix_spawnp. Checked first because a
 * failed exec in the child is not always reported back (under valgrind,
 * for one), and "not installed" deserves its own message. */
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

/* ---- output ----------------------------------------------------------- */

/* The temp file a signal must remove; written before the handler can run. */
static char *volatile pending_tmp;

volatile sig_atomic_t interrupted;
static bool shell_mode;

void enter_shell_mode(void)
{
	shell_mode = true;
	install_signal_handlers();
}

static void on_signal(int sig)
{
	if (shell_mode && sig == SIGINT) {
		/* Ctrl-C stops the output under way, not the shell: the
		 * writer fails, and its temp file goes as on any failure */
		interrupted = 1;
		return;
	}
	char *t = pending_tmp;
	if (t)
		unlink(t);
	signal(sig, SIG_DFL);
	raise(sig);
}

void set_pending_tmp(char *path)
{
	pending_tmp = path;
}

void install_signal_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

void exit_if_pipe_closed(int err)
{
	if (err == EPIPE)
		on_signal(SIGPIPE);
}

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

int output_open(output *out, const char *path)
{
	memset(out, 0, sizeof(*out));
	out->sink.write = output_sink_write;
	out->sink.ctx = out;
	if (!path || !strcmp(path, "-")) {
		out->fp = stdout;
		return EXIT_OK;
	}
	/* A device or a pipe (/dev/null, /dev/stdout, a FIFO) is written in
	 * place: there is no file to replace, and renaming over it would be
	 * wrong. */
	struct stat sb;
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		if (S_ISDIR(sb.st_mode)) {
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
	out->path = path;
	char *copy = strdup(path);
	size_t n = strlen(path) + 32;
	out->tmp = malloc(n);
	if (!copy || !out->tmp) {
		free(copy);
		error("out of memory");
		return EXIT_FAIL;
	}
	/* Beside the destination, so the final rename stays on one file
	 * system and is atomic. */
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
	pending_tmp = out->tmp;
	/* mkstemp makes 0600; an output file gets the usual 0666 & ~umask. */
	mode_t mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0 || !(out->fp = fdopen(fd, "w"))) {
		error("cannot write '%s': %s", path, strerror(errno));
		close(fd);
		unlink(out->tmp);
		pending_tmp = NULL;
		free(out->tmp);
		out->tmp = NULL;
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int output_close(output *out, bool ok)
{
	int rc = ok ? EXIT_OK : EXIT_FAIL;
	if (!out->path) {
		/* A full disk or a closed pipe on stdout is an error too. */
		if (fflush(stdout) != 0 || ferror(stdout)) {
			if (!out->err)
				out->err = errno ? errno : EIO;
		}
		exit_if_pipe_closed(out->err);
		if (ok && out->err) {
			if (out->err != ECANCELED)
				error("cannot write to standard output: %s", strerror(out->err));
			rc = EXIT_FAIL;
		}
		return rc;
	}
	if (out->direct) {
		if ((fflush(out->fp) != 0 || ferror(out->fp)) && !out->err)
			out->err = errno ? errno : EIO;
		exit_if_pipe_closed(out->err);
		if (fclose(out->fp) != 0 && !out->err)
			out->err = errno;
		if (ok && out->err) {
			error("cannot write '%s': %s", out->path, strerror(out->err));
			rc = EXIT_FAIL;
		}
		return rc;
	}
	if (ok) {
		if (fflush(out->fp) != 0 || ferror(out->fp)) {
			if (!out->err)
				out->err = errno ? errno : EIO;
		} else if (fsync(fileno(out->fp)) != 0 && errno != EINVAL) {
			out->err = errno;
		}
	}
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
	pending_tmp = NULL;
	free(out->tmp);
	out->tmp = NULL;
	return rc;
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
		error("%s", pprofc_profile_errmsg(p));
	}
	output_close(out, false);
	/* e.g. a pattern that is invalid or matches nothing */
	return st == PPROFC_ERR_USAGE ? EXIT_USAGE : EXIT_FAIL;
}

/* ---- the converting commands' shared body ----------------------------- */

int parse_args(const converter *cv, int argc, char **argv, common_opts *co, const char **ret_source,
	       bool *done)
{
	memset(co, 0, sizeof(*co));
	co->fetch.seconds = -1;
	*done = false;
	option_parser op = OPTION_PARSER(argc, argv);
	const cli_option *o;
	const char *value;
	for (;;) {
		int rc = next_option(&op, cv->cmd, cv->cmd->options, &o, &value);
		if (rc != EXIT_OK)
			return rc;
		if (!o)
			break;
		rc = common_option(cv->cmd, o->id, value, co, done);
		if (rc == -1 && cv->own_option)
			rc = cv->own_option(cv->ctx, o->id, value);
		if (rc != EXIT_OK || *done)
			return rc;
	}
	/* the operands, in order, are argv[1 .. op.noperands) */
	size_t n = (size_t)op.noperands - 1;
	if (co->mean && !cv->mean)
		return usage_error(cv->cmd,
				   "%s is not supported by %s: means of different samples do not "
				   "add up (use it with top or traces)",
				   co->mean_option, cv->cmd->name);
	if (cv->mean)
		*cv->mean = co->mean;
	if (n == 0)
		return usage_error(
			cv->cmd, "missing %s",
			cv->operand ? cv->operand
				    : "SOURCE (a profile file, a URL, or - for standard input)");
	if (cv->one_source && n > 1)
		return usage_error(cv->cmd, "one %s expected, got %zu",
				   cv->operand ? cv->operand : "SOURCE", n);
	if (co->normalize && !co->nbases)
		return usage_error(cv->cmd, "--normalize needs --base or --diff-base");
	size_t stdin_uses = 0;
	for (size_t i = 0; i < n; i++)
		stdin_uses += !strcmp(argv[1 + i], "-");
	for (size_t i = 0; i < co->nbases; i++)
		stdin_uses += !strcmp(co->bases[i], "-");
	if (stdin_uses > 1)
		return usage_error(cv->cmd, "standard input ('-') can be read only once");
	co->sources = argv + 1;
	co->nsources = n;
	*ret_source = argv[1];
	return EXIT_OK;
}

/* The filter options, applied to the loaded profile (so every command
 * sees the filtered profile); warns, like pprof, about an option that
 * matched nothing. */
static int apply_filters(pprofc_profile *p, const common_opts *o)
{
	bool any = false;
	for (int i = 0; i < PPROFC_FILTER_COUNT_; i++)
		any |= o->filters[i] != NULL;
	if (!any)
		return EXIT_OK;
	static const char *const names[PPROFC_FILTER_COUNT_] = {
		"focus",      "ignore",	  "hide",      "show",	  "show-from",
		"prune-from", "tagfocus", "tagignore", "tagshow", "taghide",
	};
	pprofc_filter *f = pprofc_filter_create();
	if (!f) {
		error("out of memory");
		return EXIT_FAIL;
	}
	pprofc_status st = PPROFC_OK;
	for (int i = 0; i < PPROFC_FILTER_COUNT_ && st == PPROFC_OK; i++)
		st = pprofc_filter_set(f, (pprofc_filter_option)i, o->filters[i]);
	if (st != PPROFC_OK) {
		error("%s", pprofc_filter_errmsg(f));
		pprofc_filter_destroy(f);
		return EXIT_FAIL;
	}
	unsigned unmatched = 0;
	st = pprofc_profile_filter(p, f, &unmatched);
	pprofc_filter_destroy(f);
	if (st != PPROFC_OK) {
		error("cannot filter the profile: %s", pprofc_profile_errmsg(p));
		return EXIT_FAIL;
	}
	for (int i = 0; i < PPROFC_FILTER_COUNT_ && !o->fetch.quiet; i++)
		if (unmatched & (1u << i))
			error("warning: --%s '%s' matched nothing", names[i], o->filters[i]);
	return EXIT_OK;
}

int load_and_select(const common_opts *o, pprofc_profile **ret, size_t *ret_index)
{
	pprofc_profile *p;
	int rc = load_sources(o, &p);
	if (rc != EXIT_OK)
		return rc;
	rc = select_sample_type(p, o, ret_index);
	if (rc == EXIT_OK)
		rc = apply_filters(p, o);
	if (rc == EXIT_OK &&
	    pprofc_profile_set_granularity(p, o->granularity, o->noinlines) != PPROFC_OK) {
		error("%s", pprofc_profile_errmsg(p));
		rc = EXIT_FAIL;
	}
	if (rc != EXIT_OK) {
		pprofc_profile_destroy(p);
		return rc;
	}
	*ret = p;
	return EXIT_OK;
}

int run_converter(const converter *cv, int argc, char **argv)
{
	common_opts co;
	const char *source;
	bool done;
	int rc = parse_args(cv, argc, argv, &co, &source, &done);
	if (rc != EXIT_OK || done)
		return rc;
	if (cv->check && (rc = cv->check(cv->ctx, &co)) != EXIT_OK)
		return rc;

	pprofc_profile *p;
	size_t index = 0;
	/* A dump reads any valid profile, one without sample types too; the
	 * filters apply all the same (raw and merge show their effect). */
	if (cv->any_profile && !co.sample_index) {
		rc = load_sources(&co, &p);
		if (rc == EXIT_OK && (rc = apply_filters(p, &co)) != EXIT_OK)
			pprofc_profile_destroy(p);
	} else {
		rc = load_and_select(&co, &p, &index);
	}
	if (rc != EXIT_OK)
		return rc;
	char *label = sources_label(&co);
	if (!label) {
		error("out of memory");
		pprofc_profile_destroy(p);
		return EXIT_FAIL;
	}
	output out;
	rc = output_open(&out, co.output);
	if (rc == EXIT_OK)
		rc = report_write(p, cv->write(cv->ctx, p, index, label, &out.sink), &out);
	free(label);
	pprofc_profile_destroy(p);
	return rc;
}
