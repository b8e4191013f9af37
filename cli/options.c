/*
 * The option grammar every command shares, and the table of the options
 * all converting commands take.
 *
 * A pprof user types Go's flag syntax; a Unix user types getopt's. Both
 * are taken, and the one rule that keeps them from colliding is that a
 * word of more than one letter after a single dash is a long option,
 * never a cluster of short ones: -output=x.txt is --output=x.txt, not
 * -o utput=x.txt. So every option can be written --name VALUE,
 * --name=VALUE, -name VALUE or -name=VALUE, with '_' or '-' between its
 * words, and by go tool pprof's name where that differs. A word that
 * names no option is a usage error that names it: nothing is misread.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Shorthands are FLAG options whose id is OPT_SHORTHAND_FIRST + index. */
#define SHORTHAND(name, i, help)                                                \
	{                                                                       \
		name, NULL, 0, OPTV_FLAG, OPT_SHORTHAND_FIRST + (i), NULL, help \
	}
#define FILTER(name, f, help)                                                 \
	{                                                                     \
		name, NULL, 0, OPTV_VALUE, OPT_FILTER_FIRST + (f), "RX", help \
	}
#define LIMIT(name, l, help)                                                \
	{                                                                   \
		name, NULL, 0, OPTV_VALUE, OPT_LIMIT_FIRST + (l), "N", help \
	}
#define GRAIN(name, g, help)                                                      \
	{                                                                         \
		name, NULL, 0, OPTV_FLAG, OPT_GRANULARITY_FIRST + (g), NULL, help \
	}

const cli_option common_options[] = {
	{ "output", NULL, 'o', OPTV_VALUE, 'o', "FILE",
	  "write to FILE instead of standard output" },
	{ "sample-index", NULL, 0, OPTV_VALUE, OPT_SAMPLE_INDEX, "N|NAME",
	  "the sample type to use, by index or name" },
	SHORTHAND("inuse-space", 0, "--sample-index inuse_space"),
	SHORTHAND("inuse-objects", 1, "--sample-index inuse_objects"),
	SHORTHAND("alloc-space", 2, "--sample-index alloc_space"),
	SHORTHAND("alloc-objects", 3, "--sample-index alloc_objects"),
	SHORTHAND("total-delay", 4, "--sample-index delay"),
	SHORTHAND("contentions", 5, "--sample-index contentions"),
	SHORTHAND("mean-delay", 6, "--sample-index delay with --mean"),
	{ "mean", NULL, 0, OPTV_FLAG, OPT_MEAN, NULL, "divide by the first sample type" },
	{ "max-size", NULL, 0, OPTV_VALUE, OPT_MAX_SIZE, "SIZE",
	  "refuse profiles larger than SIZE decompressed" },
	{ "max-memory", NULL, 0, OPTV_VALUE, OPT_MAX_MEMORY, "SIZE",
	  "memory for decoding and the model" },
	LIMIT("max-samples", PPROFC_LIMIT_SAMPLES, "refuse profiles with more samples"),
	LIMIT("max-locations", PPROFC_LIMIT_LOCATIONS, "refuse profiles with more locations"),
	LIMIT("max-functions", PPROFC_LIMIT_FUNCTIONS, "refuse profiles with more functions"),
	LIMIT("max-strings", PPROFC_LIMIT_STRINGS, "refuse profiles with more strings"),
	LIMIT("max-depth", PPROFC_LIMIT_DEPTH, "refuse samples with more locations"),
	LIMIT("max-labels", PPROFC_LIMIT_LABELS, "refuse samples with more labels"),
	{ "seconds", NULL, 0, OPTV_VALUE, OPT_SECONDS, "N", "capture for N seconds" },
	{ "timeout", NULL, 0, OPTV_VALUE, OPT_TIMEOUT, "SECONDS", "give up after this long" },
	{ "header", NULL, 'H', OPTV_VALUE, 'H', "'NAME: VALUE'", "add a request header" },
	{ "cacert", "tls_ca", 0, OPTV_VALUE, OPT_CACERT, "FILE",
	  "CA certificates to verify the server with" },
	{ "cert", "tls_cert", 0, OPTV_VALUE, OPT_CERT, "FILE", "client certificate" },
	{ "key", "tls_key", 0, OPTV_VALUE, OPT_KEY, "FILE", "client certificate's key" },
	{ "insecure", NULL, 'k', OPTV_FLAG, 'k', NULL, "do not verify the server's certificate" },
	{ "quiet", NULL, 'q', OPTV_FLAG, 'q', NULL, "no progress or messages on standard error" },
	{ "base", NULL, 0, OPTV_VALUE, OPT_BASE, "SOURCE", "subtract this profile" },
	{ "diff-base", NULL, 0, OPTV_VALUE, OPT_DIFF_BASE, "SOURCE", "compare with this profile" },
	{ "normalize", NULL, 0, OPTV_FLAG, OPT_NORMALIZE, NULL,
	  "scale the sources to the base's total first" },
	{ "jobs", NULL, 'j', OPTV_VALUE, 'j', "N", "fetch at most N URLs at once" },
	{ "keep-going", NULL, 0, OPTV_FLAG, OPT_KEEP_GOING, NULL,
	  "merge the sources that could be read" },
	FILTER("focus", PPROFC_FILTER_FOCUS, "keep only samples with a frame matching RX"),
	FILTER("ignore", PPROFC_FILTER_IGNORE, "drop samples with a frame matching RX"),
	FILTER("hide", PPROFC_FILTER_HIDE, "remove the frames matching RX"),
	FILTER("show", PPROFC_FILTER_SHOW, "keep only the frames matching RX"),
	FILTER("show-from", PPROFC_FILTER_SHOW_FROM, "drop the callers of the outermost match"),
	FILTER("prune-from", PPROFC_FILTER_PRUNE_FROM, "drop the callees of the innermost match"),
	FILTER("tagfocus", PPROFC_FILTER_TAGFOCUS, "keep only samples with matching labels"),
	FILTER("tagignore", PPROFC_FILTER_TAGIGNORE, "drop samples with matching labels"),
	FILTER("tagshow", PPROFC_FILTER_TAGSHOW, "keep only labels whose key matches"),
	FILTER("taghide", PPROFC_FILTER_TAGHIDE, "remove labels whose key matches"),
	GRAIN("functions", PPROFC_GRANULARITY_FUNCTIONS, "a row per function"),
	GRAIN("filefunctions", PPROFC_GRANULARITY_FILEFUNCTIONS, "a row per function and file"),
	GRAIN("files", PPROFC_GRANULARITY_FILES, "a row per source file"),
	GRAIN("lines", PPROFC_GRANULARITY_LINES, "a row per source line"),
	GRAIN("addresses", PPROFC_GRANULARITY_ADDRESSES, "a row per instruction address"),
	{ "noinlines", NULL, 0, OPTV_FLAG, OPT_NOINLINES, NULL,
	  "fold inlined frames into their callers" },
	{ "help", NULL, 'h', OPTV_FLAG, 'h', NULL, "show this help" },
	{ NULL, NULL, 0, 0, 0, NULL, NULL },
};

/* go tool pprof's flags that pprofc has no counterpart for: named as such,
 * so that a pprof user learns it is pprof's flag, not a typo. */
static const char *const pprof_only[] = {
	"add_comment", "buildid",
	"call_tree",   "disasm",
	"divide_by",   "drop_negative",
	"eog",	       "evince",
	"gif",	       "gv",
	"http",	       "intel_syntax",
	"no_browser",  "pdf",
	"ps",	       "relative_percentages",
	"symbolize",   "tools",
	"topproto",    "trim",
	"weblist",     NULL,
};

/* Whether `typed` (len bytes) is `name`, '_' and '-' being the same. */
static bool same_name(const char *name, const char *typed, size_t len)
{
	size_t i = 0;
	for (; i < len && name[i]; i++) {
		char a = name[i] == '_' ? '-' : name[i];
		char b = typed[i] == '_' ? '-' : typed[i];
		if (a != b)
			return false;
	}
	return i == len && !name[i];
}

const cli_option *find_option(const cli_option *table, const char *typed, size_t len)
{
	for (const cli_option *o = table; o && o->name; o++)
		if (same_name(o->name, typed, len) || (o->pprof && same_name(o->pprof, typed, len)))
			return o;
	return NULL;
}

static const cli_option *find_letter(const cli_option *table, char letter)
{
	for (const cli_option *o = table; o && o->name; o++)
		if (o->letter && o->letter == letter)
			return o;
	return NULL;
}

/* The command (other than `cmd`) that has an option so named, if any. */
static const command *owner_elsewhere(const command *cmd, const char *typed, size_t len)
{
	for (const command *c = commands; c->name; c++)
		if (c != cmd && find_option(c->options, typed, len))
			return c;
	return NULL;
}

static int unknown(const command *cmd, const char *word, size_t len)
{
	const command *other =
		owner_elsewhere(cmd, word + strspn(word, "-"), len - strspn(word, "-"));
	if (other)
		return usage_error(cmd, "option '%.*s' does not apply to %s", (int)len, word,
				   cmd ? cmd->name : "this command");
	const char *name = word + strspn(word, "-");
	for (size_t i = 0; pprof_only[i]; i++)
		if (same_name(pprof_only[i], name, len - (size_t)(name - word)))
			return usage_error(cmd, "go tool pprof's option '%.*s' is not supported",
					   (int)len, word);
	return usage_error(cmd, "unknown option '%.*s'", (int)len, word);
}

/* Go's strconv.ParseBool, which pprof's boolean flags use. */
static int parse_bool(const char *s)
{
	static const char *const yes[] = { "1", "t", "T", "true", "TRUE", "True", NULL };
	static const char *const no[] = { "0", "f", "F", "false", "FALSE", "False", NULL };
	for (size_t i = 0; yes[i]; i++)
		if (!strcmp(s, yes[i]))
			return 1;
	for (size_t i = 0; no[i]; i++)
		if (!strcmp(s, no[i]))
			return 0;
	return -1;
}

int next_option(option_parser *op, const command *cmd, const cli_option *own,
		const cli_option **ret, const char **ret_value)
{
	while (op->next < op->argc) {
		char *word = op->argv[op->next++];
		if (op->ended || word[0] != '-' || !word[1]) {
			/* an operand: kept in order, at the front */
			op->argv[op->noperands++] = word;
			continue;
		}
		if (!strcmp(word, "--")) {
			op->ended = true;
			continue;
		}
		const cli_option *o;
		const char *eq = NULL;
		size_t len; /* of the option's word, before any '=' */
		if (word[1] != '-' && !word[2]) {
			len = 2;
			o = find_letter(own, word[1]);
			if (!o)
				o = find_letter(common_options, word[1]);
		} else {
			const char *name = word + (word[1] == '-' ? 2 : 1);
			eq = strchr(name, '=');
			size_t n = eq ? (size_t)(eq - name) : strlen(name);
			len = (size_t)(name - word) + n;
			o = n ? find_option(own, name, n) : NULL;
			if (!o && n)
				o = find_option(common_options, name, n);
			/* -o=FILE: Go's flag package reads a letter so too */
			if (!o && n == 1 && eq) {
				o = find_letter(own, *name);
				if (!o)
					o = find_letter(common_options, *name);
			}
		}
		if (!o)
			return unknown(cmd, word, len);
		op->word = word;
		op->word_len = len;
		if (o->value == OPTV_FLAG) {
			int v = eq ? parse_bool(eq + 1) : 1;
			if (v < 0)
				return usage_error(cmd, "option '%.*s' is true or false, not '%s'",
						   (int)len, word, eq + 1);
			*ret_value = v ? NULL : "false";
		} else if (eq) {
			*ret_value = eq + 1;
		} else if (op->next < op->argc) {
			*ret_value = op->argv[op->next++];
		} else {
			return usage_error(cmd, "option '%.*s' needs a value (%s)", (int)len, word,
					   o->arg);
		}
		*ret = o;
		return EXIT_OK;
	}
	*ret = NULL;
	return EXIT_OK;
}

/* go tool pprof's output formats, as flags (-top, -peek=RE), and the
 * command each one is. */
static const struct pprof_format {
	const char *flag, *command, *option;
	bool pattern; /* -peek=RE: the value is the command's REGEX */
} pprof_formats[] = {
	{ "top", "top", NULL, false },
	{ "text", "top", NULL, false },
	{ "tree", "tree", NULL, false },
	{ "peek", "peek", NULL, true },
	{ "list", "list", NULL, true },
	{ "traces", "traces", NULL, false },
	{ "tags", "tags", NULL, false },
	{ "raw", "raw", NULL, false },
	{ "comments", "comments", NULL, false },
	{ "callgrind", "to-callgrind", NULL, false },
	{ "dot", "to-dot", NULL, false },
	{ "svg", "to-dot", "--svg", false },
	{ "png", "to-dot", "--png", false },
	{ "proto", "merge", NULL, false },
	{ "kcachegrind", "kcachegrind", NULL, false },
	{ "web", "web", NULL, false },
	{ NULL, NULL, NULL, false },
};

/* Whether `name` (len bytes) is an option that takes a value, in any
 * command's table. */
const cli_option *find_any_option(const char *typed, size_t len)
{
	const cli_option *o = find_option(common_options, typed, len);
	for (const command *c = commands; !o && c->name; c++)
		o = find_option(c->options, typed, len);
	return o;
}

static bool takes_value(const char *name, size_t len)
{
	const cli_option *o = find_any_option(name, len);
	return o && o->value == OPTV_VALUE;
}

int pprof_form(int argc, char **argv, int *ret_argc, char ***ret_argv)
{
	const struct pprof_format *fmt = NULL;
	int at = 0; /* where the format flag is */
	const char *pattern = NULL;
	int words = 1; /* the flag, and its value when separate */
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];
		if (!strcmp(w, "--"))
			break;
		if (w[0] != '-' || !w[1])
			continue;
		const char *name = w + (w[1] == '-' ? 2 : 1);
		const char *eq = strchr(name, '=');
		size_t n = eq ? (size_t)(eq - name) : strlen(name);
		const struct pprof_format *f = pprof_formats;
		while (f->flag && !same_name(f->flag, name, n))
			f++;
		if (!f->flag) {
			if (!eq && takes_value(name, n))
				i++; /* its value may look like anything */
			continue;
		}
		if (fmt)
			return usage_error(NULL, "'%s' and '%s': choose one output format",
					   argv[at], w);
		fmt = f;
		at = i;
		words = 1;
		if (f->pattern) {
			if (eq) {
				pattern = eq + 1;
			} else if (i + 1 < argc) {
				pattern = argv[++i];
				words = 2;
			} else {
				return usage_error(NULL, "'%s' needs a regular expression", w);
			}
		}
	}
	if (!fmt) {
		*ret_argc = 0;
		return EXIT_OK;
	}
	/* COMMAND [OPTION] [REGEX] then every other word, in order */
	char **out = calloc((size_t)argc + 3, sizeof(*out));
	if (!out) {
		error("out of memory");
		return EXIT_FAIL;
	}
	int n = 0;
	out[n++] = (char *)fmt->command;
	if (pattern)
		out[n++] = (char *)pattern;
	if (fmt->option)
		out[n++] = (char *)fmt->option;
	for (int i = 1; i < argc; i++)
		if (i < at || i >= at + words)
			out[n++] = argv[i];
	*ret_argc = n;
	*ret_argv = out;
	return EXIT_OK;
}
