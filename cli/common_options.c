/*
 * The options every converting command takes: one table entry per option,
 * from which come its parsing, its lines in --help, its line in
 * `pprofc help --list-options`, what the shell may set, and what it
 * stands for in the library (a filter, a limit, a granularity). Then what
 * each option does to common_opts.
 */
#include <string.h>

#include "cli.h"

/* Families: the id says which family, the entry which member. */
#define SHORTHAND(n, type, u)                                                            \
	{                                                                                \
		.name = n, .value = OPTV_FLAG, .id = OPT_SHORTHAND, .sample_type = type, \
		.help = "--sample-index " type, .usage = u                               \
	}
#define LIMIT(n, l, h, u)                                                                \
	{                                                                                \
		.name = n, .value = OPTV_VALUE, .id = OPT_LIMIT, .limit = l, .arg = "N", \
		.help = h, .usage = u, .load_only = true                                 \
	}
#define FILTER(n, f, h, u)                                                                  \
	{                                                                                   \
		.name = n, .value = OPTV_VALUE, .id = OPT_FILTER, .filter = f, .arg = "RX", \
		.help = h, .section = HELP_FILTERS, .usage = u                              \
	}
#define GRAIN(n, g, h, u)                                                                          \
	{                                                                                          \
		.name = n, .value = OPTV_FLAG, .id = OPT_GRANULARITY, .granularity = g, .help = h, \
		.section = HELP_GRANULARITY, .usage = u                                            \
	}

/* The order is `help --list-options`'s, and within a section --help's. */
const cli_option common_options[] = {
	{ .name = "output",
	  .letter = 'o',
	  .value = OPTV_VALUE,
	  .id = OPT_OUTPUT,
	  .arg = "FILE",
	  .help = "write to FILE instead of standard output",
	  .load_only = true,
	  .usage =
		  "  -o, --output FILE        write to FILE (atomically: a temp file renamed into\n"
		  "                           place on success) instead of standard output\n" },
	{ .name = "sample-index",
	  .value = OPTV_VALUE,
	  .id = OPT_SAMPLE_INDEX,
	  .arg = "N|NAME",
	  .help = "the sample type to use, by index or name",
	  .usage = "      --sample-index N|NAME  the sample type to use, by index or name (e.g.\n"
		   "                           alloc_space); default: the profile's\n"
		   "                           default_sample_type, else its last type\n" },
	SHORTHAND("inuse-space", "inuse_space",
		  "      --inuse_space, --inuse_objects, --alloc_space, --alloc_objects,\n"
		  "      --total_delay, --contentions  the same as --sample-index with that type\n"
		  "                           (delay for --total_delay; inuse_X also picks a type\n"
		  "                           named X), as in go tool pprof; '-' spellings too\n"),
	SHORTHAND("inuse-objects", "inuse_objects", NULL),
	SHORTHAND("alloc-space", "alloc_space", NULL),
	SHORTHAND("alloc-objects", "alloc_objects", NULL),
	SHORTHAND("total-delay", "delay", NULL),
	SHORTHAND("contentions", "contentions", NULL),
	{ .name = "mean-delay",
	  .value = OPTV_FLAG,
	  .id = OPT_MEAN_DELAY,
	  .sample_type = "delay",
	  .help = "--sample-index delay with --mean",
	  .usage = "      --mean_delay         --sample-index delay with --mean\n" },
	{ .name = "mean",
	  .value = OPTV_FLAG,
	  .id = OPT_MEAN,
	  .help = "divide by the first sample type",
	  .usage =
		  "      --mean               (top, traces) divide by the first sample type (the\n"
		  "                           count): per row, the sum of the values over the sum\n"
		  "                           of the counts, as go tool pprof -mean\n" },
	{ .name = "max-size",
	  .value = OPTV_VALUE,
	  .id = OPT_MAX_SIZE,
	  .limit = PPROFC_LIMIT_SIZE,
	  .arg = "SIZE",
	  .help = "refuse profiles larger than SIZE decompressed",
	  .load_only = true,
	  .usage = "      --max-size SIZE      refuse profiles larger than SIZE decompressed\n"
		   "                           (default 1G; suffixes k, M, G)\n" },
	{ .name = "max-memory",
	  .value = OPTV_VALUE,
	  .id = OPT_MAX_MEMORY,
	  .limit = PPROFC_LIMIT_MEMORY,
	  .arg = "SIZE",
	  .help = "memory for decoding and the model",
	  .load_only = true,
	  .usage =
		  "      --max-memory SIZE    memory for decoding and the model (default 32 x the\n"
		  "                           input, at least 256M)\n" },
	LIMIT("max-samples", PPROFC_LIMIT_SAMPLES, "refuse profiles with more samples",
	      "      --max-samples N, --max-locations N, --max-functions N, --max-strings N\n"
	      "      --max-depth N (locations in a sample), --max-labels N (labels on a sample)\n"
	      "                           refuse profiles with more (defaults 100M, 50M, 50M,\n"
	      "                           50M, 65536, 4096)\n"),
	LIMIT("max-locations", PPROFC_LIMIT_LOCATIONS, "refuse profiles with more locations", NULL),
	LIMIT("max-functions", PPROFC_LIMIT_FUNCTIONS, "refuse profiles with more functions", NULL),
	LIMIT("max-strings", PPROFC_LIMIT_STRINGS, "refuse profiles with more strings", NULL),
	LIMIT("max-depth", PPROFC_LIMIT_DEPTH, "refuse samples with more locations", NULL),
	LIMIT("max-labels", PPROFC_LIMIT_LABELS, "refuse samples with more labels", NULL),
	{ .name = "seconds",
	  .value = OPTV_VALUE,
	  .id = OPT_SECONDS,
	  .arg = "N",
	  .help = "capture for N seconds",
	  .section = HELP_FETCH,
	  .load_only = true,
	  .usage =
		  "      --seconds N          capture for N seconds (sets seconds= in the URL)\n" },
	{ .name = "timeout",
	  .value = OPTV_VALUE,
	  .id = OPT_TIMEOUT,
	  .arg = "SECONDS",
	  .help = "give up after this long",
	  .section = HELP_FETCH,
	  .load_only = true,
	  .usage = "      --timeout SECONDS    give up after this long (default: 1.5 x the "
		   "duration,\n"
		   "                           else 60 s, plus 5 s)\n" },
	{ .name = "header",
	  .letter = 'H',
	  .value = OPTV_VALUE,
	  .id = OPT_HEADER,
	  .arg = "'NAME: VALUE'",
	  .help = "add a request header",
	  .section = HELP_FETCH,
	  .load_only = true,
	  .usage = "  -H, --header 'NAME: VALUE'  add a request header (repeatable), e.g. for a "
		   "token\n" },
	{ .name = "cacert",
	  .pprof = "tls_ca",
	  .value = OPTV_VALUE,
	  .id = OPT_CACERT,
	  .arg = "FILE",
	  .help = "CA certificates to verify the server with",
	  .section = HELP_FETCH,
	  .load_only = true,
	  .usage = "      --cacert FILE        CA certificates to verify the server with\n" },
	{ .name = "cert",
	  .pprof = "tls_cert",
	  .value = OPTV_VALUE,
	  .id = OPT_CERT,
	  .arg = "FILE",
	  .help = "client certificate",
	  .section = HELP_FETCH,
	  .load_only = true,
	  .usage = "      --cert FILE, --key FILE  client certificate and key\n" },
	{ .name = "key",
	  .pprof = "tls_key",
	  .value = OPTV_VALUE,
	  .id = OPT_KEY,
	  .arg = "FILE",
	  .help = "client certificate's key",
	  .section = HELP_FETCH,
	  .load_only = true },
	{ .name = "insecure",
	  .letter = 'k',
	  .value = OPTV_FLAG,
	  .id = OPT_INSECURE,
	  .help = "do not verify the server's certificate",
	  .section = HELP_FETCH,
	  .load_only = true,
	  .usage = "  -k, --insecure           do not verify the server's certificate\n" },
	{ .name = "quiet",
	  .letter = 'q',
	  .value = OPTV_FLAG,
	  .id = OPT_QUIET,
	  .help = "no progress or messages on standard error",
	  .section = HELP_FETCH,
	  .load_only = true,
	  .usage = "  -q, --quiet              no progress or messages on standard error\n" },
	{ .name = "base",
	  .value = OPTV_VALUE,
	  .id = OPT_BASE,
	  .arg = "SOURCE",
	  .help = "subtract this profile",
	  .section = HELP_MERGE,
	  .load_only = true,
	  .usage =
		  "      --base FILE          subtract this profile (repeatable: merged first)\n" },
	{ .name = "diff-base",
	  .value = OPTV_VALUE,
	  .id = OPT_DIFF_BASE,
	  .arg = "SOURCE",
	  .help = "compare with this profile",
	  .section = HELP_MERGE,
	  .load_only = true,
	  .usage = "      --diff-base FILE     compare with this profile: values are differences,\n"
		   "                           percentages shares of the base; to-folded writes\n"
		   "                           'stack BEFORE AFTER' for a differential flame "
		   "graph\n" },
	{ .name = "normalize",
	  .value = OPTV_FLAG,
	  .id = OPT_NORMALIZE,
	  .help = "scale the sources to the base's total first",
	  .section = HELP_MERGE,
	  .load_only = true,
	  .usage = "      --normalize          scale the SOURCEs to the base's total first\n" },
	{ .name = "jobs",
	  .letter = 'j',
	  .value = OPTV_VALUE,
	  .id = OPT_JOBS,
	  .arg = "N",
	  .help = "fetch at most N URLs at once",
	  .section = HELP_MERGE,
	  .load_only = true,
	  .usage = "  -j, --jobs N             fetch at most N URLs at once (default 64)\n" },
	{ .name = "keep-going",
	  .value = OPTV_FLAG,
	  .id = OPT_KEEP_GOING,
	  .help = "merge the sources that could be read",
	  .section = HELP_MERGE,
	  .load_only = true,
	  .usage = "      --keep-going         merge the sources that could be read, saying how\n"
		   "                           many of N; else one failure fails the command\n" },
	FILTER("focus", PPROFC_FILTER_FOCUS, "keep only samples with a frame matching RX",
	       "      --focus RX           keep only samples with a frame matching RX\n"),
	FILTER("ignore", PPROFC_FILTER_IGNORE, "drop samples with a frame matching RX",
	       "      --ignore RX          drop samples with a frame matching RX\n"),
	FILTER("hide", PPROFC_FILTER_HIDE, "remove the frames matching RX",
	       "      --hide RX            remove the frames matching RX (inlined ones too)\n"),
	FILTER("show", PPROFC_FILTER_SHOW, "keep only the frames matching RX",
	       "      --show RX            keep only the frames matching RX\n"),
	FILTER("show-from", PPROFC_FILTER_SHOW_FROM, "drop the callers of the outermost match",
	       "      --show-from RX       drop the frames above (callers of) the outermost\n"
	       "                           match; samples without a match go\n"),
	FILTER("prune-from", PPROFC_FILTER_PRUNE_FROM, "drop the callees of the innermost match",
	       "      --prune-from RX      drop the frames below (callees of) the innermost\n"
	       "                           match (function names only)\n"),
	FILTER("tagfocus", PPROFC_FILTER_TAGFOCUS, "keep only samples with matching labels",
	       "      --tagfocus F, --tagignore F  keep only / drop samples by label; F is\n"
	       "                           RX[,RX...] (each matching some 'key:value'),\n"
	       "                           KEY=RX[,RX...], or a numeric range [KEY=]V, V:, :V or\n"
	       "                           V:V with a unit (64kb, 1kb:4kb, 100ms:)\n"),
	FILTER("tagignore", PPROFC_FILTER_TAGIGNORE, "drop samples with matching labels", NULL),
	FILTER("tagshow", PPROFC_FILTER_TAGSHOW, "keep only labels whose key matches",
	       "      --tagshow RX, --taghide RX  keep only / remove labels whose key matches\n"),
	FILTER("taghide", PPROFC_FILTER_TAGHIDE, "remove labels whose key matches", NULL),
	GRAIN("functions", PPROFC_GRANULARITY_FUNCTIONS, "a row per function",
	      "      --functions          functions (the default)\n"),
	GRAIN("filefunctions", PPROFC_GRANULARITY_FILEFUNCTIONS, "a row per function and file",
	      "      --filefunctions      functions and their files: 'main.work main.go'\n"),
	GRAIN("files", PPROFC_GRANULARITY_FILES, "a row per source file",
	      "      --files              source files\n"),
	GRAIN("lines", PPROFC_GRANULARITY_LINES, "a row per source line",
	      "      --lines              source lines: 'main.work main.go:41'\n"),
	GRAIN("addresses", PPROFC_GRANULARITY_ADDRESSES, "a row per instruction address",
	      "      --addresses          instruction addresses: '00000000004a2b1c main.work\n"
	      "                           main.go:41'\n"),
	{ .name = "noinlines",
	  .value = OPTV_FLAG,
	  .id = OPT_NOINLINES,
	  .help = "fold inlined frames into their callers",
	  .section = HELP_GRANULARITY,
	  .usage = "      --noinlines          fold inlined frames into the function they were\n"
		   "                           inlined into\n" },
	{ .name = "help",
	  .letter = 'h',
	  .value = OPTV_FLAG,
	  .id = OPT_HELP,
	  .help = "show this help",
	  .load_only = true,
	  .usage = "  -h, --help               show this help\n" },
	OPTIONS_END,
};

/* What --help says around each section's options, in help_section's order. */
static const struct {
	const char *heading, *footer;
} sections[HELP_SECTION_COUNT_] = {
	{ "", "" }, /* HELP_GENERAL */
	{ "\nSeveral SOURCEs are merged into one profile, as go tool pprof merges them\n"
	  "(sample types must match); URLs among them are fetched at the same time.\n",
	  "" },
	{ "\nFilters, as go tool pprof's (RX: a regular expression in RE2 syntax, matched\n"
	  "anywhere in a function's name or file name, or the mapping's file):\n",
	  "Filters apply to every output; top's percentages stay shares of the\n"
	  "unfiltered total, as in pprof.\n" },
	{ "\nGranularity, as go tool pprof's (what a row, a folded frame is about):\n",
	  "In callgrind, lines are positions already: functions stay functions except\n"
	  "with --files.\n" },
	{ "\nFetching (when SOURCE is a URL, http://HOST:PORT/PATH or HOST:PORT):\n",
	  "The profile is saved first, like go tool pprof: in $PPROF_TMPDIR, else $HOME/pprof,\n"
	  "as pprof.BINARY.TYPES.NNN.pb.gz. Proxies: http_proxy, https_proxy, no_proxy.\n" },
};

void print_common_help(help_section section, FILE *f)
{
	fputs(sections[section].heading, f);
	for (const cli_option *o = common_options; o->name; o++)
		if (o->section == section && o->usage)
			fputs(o->usage, f);
	fputs(sections[section].footer, f);
}

const cli_option *filter_option(pprofc_filter_option which)
{
	for (const cli_option *o = common_options; o->name; o++)
		if (o->id == OPT_FILTER && o->filter == which)
			return o;
	return NULL;
}

/* One sample type per run: pprof warns and ignores all but one choice;
 * a usage error is clearer than guessing which one was meant. `option` is
 * how messages name the option that chose it. */
static int set_sample_index(const command *cmd, common_opts *opts, const char *option,
			    const char *value)
{
	/* (a repeated --sample-index: the last one, as getopt users expect) */
	bool repeated = !strcmp(opts->index_option, option) && !strcmp(option, "--sample-index");
	if (opts->sample_index && strcmp(opts->sample_index, value) && !repeated)
		return usage_error(cmd, "%s conflicts with %s: choose one sample type", option,
				   opts->index_option);
	opts->sample_index = value;
	snprintf(opts->index_option, sizeof(opts->index_option), "%s", option);
	return EXIT_OK;
}

/* pprof's shorthands (its driver's sampleIndex calls): a sample type, and
 * for --mean_delay --mean too. Messages name them as pprof spells them. */
static int shorthand(const command *cmd, const cli_option *opt, const char *arg, common_opts *opts)
{
	if (arg) /* -inuse_space=false: as if not given */
		return EXIT_OK;
	char option[32];
	pprof_spelling(opt, "", option + 2, sizeof(option) - 2);
	option[0] = option[1] = '-';
	if (opt->id == OPT_MEAN_DELAY) {
		opts->mean = 1;
		snprintf(opts->mean_option, sizeof(opts->mean_option), "%s", option);
	}
	return set_sample_index(cmd, opts, option, opt->sample_type);
}

static int add_header(const command *cmd, const char *arg, fetch_opts *f)
{
	if (f->nheaders == (int)(sizeof(f->headers) / sizeof(f->headers[0])))
		return usage_error(cmd, "too many headers");
	f->headers[f->nheaders++] = arg;
	return EXIT_OK;
}

/* pprof: -base and -diff_base are two ways of comparing; one run compares
 * one way. */
static int add_base(const command *cmd, bool diff, const char *arg, common_opts *opts)
{
	if (opts->nbases && opts->diff_base != diff)
		return usage_error(cmd, "--base and --diff-base cannot be used together");
	if (opts->nbases == MAX_BASES)
		return usage_error(cmd, "more than %d base profiles", MAX_BASES);
	opts->diff_base = diff;
	opts->bases[opts->nbases++] = arg;
	return EXIT_OK;
}

/* The expression is compiled now only to check it: a bad one is a usage
 * error before anything is loaded or fetched. */
static int set_filter(const command *cmd, pprofc_filter_option which, const char *arg,
		      common_opts *opts)
{
	pprofc_filter *f = pprofc_filter_create();
	if (!f) {
		error("out of memory");
		return EXIT_FAIL;
	}
	pprofc_status st = pprofc_filter_set(f, which, arg);
	int rc = st == PPROFC_OK	  ? EXIT_OK
		 : st == PPROFC_ERR_USAGE ? usage_error(cmd, "%s", pprofc_filter_errmsg(f))
					  : (error("%s", pprofc_filter_errmsg(f)), EXIT_FAIL);
	pprofc_filter_destroy(f);
	opts->filters[which] = arg;
	return rc;
}

int common_option(const command *cmd, const cli_option *opt, const char *arg, common_opts *opts,
		  bool *done)
{
	switch (opt->id) {
	case OPT_OUTPUT:
		opts->output = arg;
		return EXIT_OK;
	case OPT_HELP:
		if (!arg) {
			print_help(cmd, stdout);
			*done = true;
		}
		return EXIT_OK;
	case OPT_SAMPLE_INDEX:
		return set_sample_index(cmd, opts, "--sample-index", arg);
	case OPT_SHORTHAND:
	case OPT_MEAN_DELAY:
		return shorthand(cmd, opt, arg, opts);
	case OPT_MEAN:
		opts->mean = !arg;
		if (!opts->mean_option[0])
			snprintf(opts->mean_option, sizeof(opts->mean_option), "--mean");
		return EXIT_OK;
	case OPT_MAX_SIZE:
		return parse_size(cmd, "max-size", arg, &opts->limits[PPROFC_LIMIT_SIZE]);
	case OPT_MAX_MEMORY:
		return parse_size(cmd, "max-memory", arg, &opts->limits[PPROFC_LIMIT_MEMORY]);
	case OPT_LIMIT:
		return parse_limit(cmd, arg, &opts->limits[opt->limit]);
	case OPT_SECONDS:
		return parse_seconds(cmd, arg, &opts->fetch.seconds);
	case OPT_TIMEOUT:
		return parse_timeout(cmd, arg, &opts->fetch.timeout);
	case OPT_HEADER:
		return add_header(cmd, arg, &opts->fetch);
	case OPT_CACERT:
		opts->fetch.cacert = arg;
		return EXIT_OK;
	case OPT_CERT:
		opts->fetch.cert = arg;
		return EXIT_OK;
	case OPT_KEY:
		opts->fetch.key = arg;
		return EXIT_OK;
	case OPT_INSECURE:
		opts->fetch.insecure = !arg;
		return EXIT_OK;
	case OPT_QUIET:
		opts->fetch.quiet = !arg;
		return EXIT_OK;
	case OPT_BASE:
	case OPT_DIFF_BASE:
		return add_base(cmd, opt->id == OPT_DIFF_BASE, arg, opts);
	case OPT_NORMALIZE:
		opts->normalize = !arg;
		return EXIT_OK;
	case OPT_JOBS:
		return parse_jobs(cmd, arg, &opts->jobs);
	case OPT_KEEP_GOING:
		opts->keep_going = !arg;
		return EXIT_OK;
	case OPT_FILTER:
		return set_filter(cmd, opt->filter, arg, opts);
	case OPT_GRANULARITY:
		if (!arg)
			opts->granularity = opt->granularity;
		return EXIT_OK;
	case OPT_NOINLINES:
		opts->noinlines = !arg;
		return EXIT_OK;
	}
	return NOT_MINE;
}

const cli_option *limit_option(int limit)
{
	for (const cli_option *o = common_options; o->name; o++)
		if ((o->id == OPT_LIMIT || o->id == OPT_MAX_SIZE || o->id == OPT_MAX_MEMORY) &&
		    (int)o->limit == limit)
			return o;
	return NULL;
}
