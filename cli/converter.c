/*
 * The converting commands' shared body: read the options, check the
 * operands, load the SOURCEs, pick the sample type, apply the filters and
 * the granularity, and write the output through one writer call.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* One option, to whichever handler takes it. */
static int take_option(const converter *conv, const cli_option *o, const char *value,
		       common_opts *opts, bool *done)
{
	int rc = common_option(conv->cmd, o, value, opts, done);
	if (rc == NOT_MINE && conv->report)
		rc = report_option(conv->cmd, conv->report, o->id, value);
	if (rc == NOT_MINE && conv->own_option)
		rc = conv->own_option(conv->ctx, o->id, value);
	return rc;
}

/* The checks once every option is read: what the command refuses, the
 * number of operands, what needs what. */
static int check_operands(const converter *conv, char *const *operands, size_t n,
			  const common_opts *opts)
{
	if (opts->mean && !conv->mean)
		return usage_error(conv->cmd,
				   "%s is not supported by %s: means of different samples do not "
				   "add up (use it with top or traces)",
				   opts->mean_option, conv->cmd->name);
	if (n == 0)
		return usage_error(
			conv->cmd, "missing %s",
			conv->operand ? conv->operand
				      : "SOURCE (a profile file, a URL, or - for standard input)");
	if (conv->one_source && n > 1)
		return usage_error(conv->cmd, "one %s expected, got %zu",
				   conv->operand ? conv->operand : "SOURCE", n);
	if (opts->normalize && !opts->nbases)
		return usage_error(conv->cmd, "--normalize needs --base or --diff-base");
	size_t stdin_uses = 0;
	for (size_t i = 0; i < n; i++)
		stdin_uses += !strcmp(operands[i], "-");
	for (size_t i = 0; i < opts->nbases; i++)
		stdin_uses += !strcmp(opts->bases[i], "-");
	if (stdin_uses > 1)
		return usage_error(conv->cmd, "standard input ('-') can be read only once");
	return EXIT_OK;
}

int parse_args(const converter *conv, int argc, char **argv, common_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->fetch.seconds = -1;
	bool done = false; /* --help was shown */
	option_parser parser = OPTION_PARSER(argc, argv);
	const cli_option *o;
	const char *value;
	for (;;) {
		int rc = next_option(&parser, conv->cmd, conv->cmd->options, &o, &value);
		if (rc != EXIT_OK)
			return rc;
		if (!o)
			break;
		rc = take_option(conv, o, value, opts, &done);
		if (rc != EXIT_OK || done)
			return rc;
	}
	/* the operands, in order, are argv[1 .. op.noperands) */
	int rc = check_operands(conv, argv + 1, (size_t)parser.noperands - 1, opts);
	if (rc != EXIT_OK)
		return rc;
	if (conv->mean)
		*conv->mean = opts->mean;
	opts->sources = argv + 1;
	opts->nsources = (size_t)parser.noperands - 1;
	return GO_ON;
}

/* The filter options, applied to the loaded profile (so every command
 * sees the filtered profile); warns, like pprof, about an option that
 * matched nothing. */
static int apply_filters(pprofc_profile *p, const common_opts *opts)
{
	bool any = false;
	for (int i = 0; i < PPROFC_FILTER_COUNT_; i++)
		any |= opts->filters[i] != NULL;
	if (!any)
		return EXIT_OK;
	pprofc_filter *f = pprofc_filter_create();
	if (!f) {
		error("out of memory");
		return EXIT_FAIL;
	}
	pprofc_status st = PPROFC_OK;
	for (int i = 0; i < PPROFC_FILTER_COUNT_ && st == PPROFC_OK; i++)
		st = pprofc_filter_set(f, (pprofc_filter_option)i, opts->filters[i]);
	if (st != PPROFC_OK) {
		error("%s", pprofc_filter_errmsg(f));
		pprofc_filter_destroy(f);
		return EXIT_FAIL;
	}
	unsigned unmatched = 0;
	st = pprofc_profile_filter(p, f, &unmatched);
	pprofc_filter_destroy(f);
	if (st != PPROFC_OK) {
		error("cannot filter the profile: %s", profile_failure(p));
		return EXIT_FAIL;
	}
	for (int i = 0; i < PPROFC_FILTER_COUNT_ && !opts->fetch.quiet; i++)
		if (unmatched & (1u << i))
			error("warning: --%s '%s' matched nothing",
			      filter_option((pprofc_filter_option)i)->name, opts->filters[i]);
	return EXIT_OK;
}

int load_and_select(const common_opts *opts, pprofc_profile **ret, size_t *ret_index)
{
	pprofc_profile *p;
	int rc = load_sources(opts, &p);
	if (rc != EXIT_OK)
		return rc;
	rc = select_sample_type(p, opts, ret_index);
	if (rc == EXIT_OK)
		rc = apply_filters(p, opts);
	if (rc == EXIT_OK &&
	    pprofc_profile_set_granularity(p, opts->granularity, opts->noinlines) != PPROFC_OK) {
		error("%s", profile_failure(p));
		rc = EXIT_FAIL;
	}
	if (rc != EXIT_OK) {
		pprofc_profile_destroy(p);
		return rc;
	}
	*ret = p;
	return EXIT_OK;
}

/* The profile the converter writes, and the index of its sample type. A
 * dump (any_profile) reads any valid profile, one without sample types
 * too; the filters apply all the same (raw and merge show their effect). */
static int load_for(const converter *conv, const common_opts *opts, pprofc_profile **ret,
		    size_t *ret_index)
{
	if (!conv->any_profile || opts->sample_index)
		return load_and_select(opts, ret, ret_index);
	*ret_index = 0;
	int rc = load_sources(opts, ret);
	if (rc == EXIT_OK && (rc = apply_filters(*ret, opts)) != EXIT_OK)
		pprofc_profile_destroy(*ret);
	return rc;
}

int run_converter(const converter *conv, int argc, char **argv)
{
	common_opts opts;
	int rc = parse_args(conv, argc, argv, &opts);
	if (rc != GO_ON)
		return rc;
	if (conv->check && (rc = conv->check(conv->ctx, &opts)) != EXIT_OK)
		return rc;

	pprofc_profile *p;
	size_t index;
	if ((rc = load_for(conv, &opts, &p, &index)) != EXIT_OK)
		return rc;
	char *label = sources_label(&opts);
	if (!label) {
		error("out of memory");
		pprofc_profile_destroy(p);
		return EXIT_FAIL;
	}
	output out;
	rc = output_open(&out, opts.output);
	if (rc == EXIT_OK)
		rc = report_write(p, conv->write(conv->ctx, p, index, label, &out.sink), &out);
	free(label);
	pprofc_profile_destroy(p);
	return rc;
}

int run_with_pattern(const converter *conv, int argc, char **argv, const char **ret_pattern)
{
	/* The pattern comes first, so that it may look like anything, even
	 * start with '-'... except for --help. */
	if (argc >= 2 && strcmp(argv[1], "-h") && strcmp(argv[1], "--help")) {
		char why[512];
		/* a bad pattern is said before anything is read or fetched */
		if (pprofc_regex_check(argv[1], why, sizeof(why)) != PPROFC_OK)
			return usage_error(conv->cmd, "%s", why);
		*ret_pattern = argv[1];
		argv[1] = argv[0];
		return run_converter(conv, argc - 1, argv + 1);
	}
	if (argc < 2)
		return usage_error(conv->cmd, "missing REGEX");
	return run_converter(conv, argc, argv);
}

int select_sample_type(pprofc_profile *p, const common_opts *opts, size_t *ret_index)
{
	if (pprofc_profile_select_sample_type(p, opts->sample_index, ret_index) == PPROFC_OK)
		return EXIT_OK;
	/* A shorthand names the option, so the user sees why that type. */
	if (opts->index_option[0] && strcmp(opts->index_option, "--sample-index"))
		error("%s: %s", opts->index_option, profile_failure(p));
	else
		error("%s", profile_failure(p));
	return opts->sample_index ? EXIT_USAGE : EXIT_FAIL;
}
