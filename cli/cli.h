/*
 * The pprofc program: a command table (main.c) and one file per command.
 * Commands use only the public library header and the helpers here.
 */
#ifndef PPROFC_CLI_H
#define PPROFC_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <sys/types.h>

#include "pprofc.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/*
 * An option, as every spelling of it is found (options.c): --name, -name,
 * with '_' or '-' between words, =VALUE or VALUE in the next word; by
 * go tool pprof's name too; -x for its letter.
 */
typedef enum opt_value { OPTV_FLAG, OPTV_VALUE } opt_value;
typedef struct cli_option {
	const char *name;  /* pprofc's long name, words joined by '-' */
	const char *pprof; /* go tool pprof's name where it is another, else NULL */
	char letter;	   /* -x, 0: none */
	opt_value value;   /* a flag (true or false: -x=false) or one value */
	int id;		   /* what the handler receives */
	const char *arg;   /* the value's name in help, NULL for a flag */
	const char *help;  /* one line */
} cli_option;

typedef struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	const char *help;	   /* full --help text */
	const cli_option *options; /* its own options, beyond common_options; NULL: none */
} command;

extern const command commands[];
/* Each command's own options, in its cmd_*.c file. */
extern const cli_option top_options[], tree_options[], dot_options[], flamegraph_options[],
	tags_options[], traces_options[], list_options[], kcachegrind_options[];
void print_overview(FILE *f);

int cmd_to_callgrind(int argc, char **argv);
int cmd_to_folded(int argc, char **argv);
int cmd_to_flamegraph(int argc, char **argv);
int cmd_to_speedscope(int argc, char **argv);
int cmd_to_dot(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_tree(int argc, char **argv);
int cmd_peek(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_tags(int argc, char **argv);
int cmd_traces(int argc, char **argv);
int cmd_raw(int argc, char **argv);
int cmd_comments(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_fetch(int argc, char **argv);
int cmd_kcachegrind(int argc, char **argv);
int cmd_web(int argc, char **argv);
int cmd_shell(int argc, char **argv);
/* to-dot's body; web = true for web (SVG in a browser). */
int dot_command(const command *cmd, bool web, int argc, char **argv);
const command *find_command(const char *name);

/* How to fetch a URL source (every command takes these). */
typedef struct fetch_opts {
	long seconds;	/* --seconds, -1: as in the URL */
	double timeout; /* --timeout, 0: derived */
	const char *headers[32];
	int nheaders;
	const char *cacert, *cert, *key;
	int insecure;
	int quiet;
} fetch_opts;

#define MAX_BASES 256
/* URLs fetched at once by default (go tool pprof fetches 64 at once). */
#define DEFAULT_JOBS 64

/* Options every converting command takes. */
typedef struct common_opts {
	const char *output;			   /* -o FILE, NULL: standard output */
	const char *sample_index;		   /* --sample-index, or a shorthand's type */
	const char *index_option;		   /* the option that set sample_index */
	int mean;				   /* --mean or --mean_delay */
	const char *mean_option;		   /* which of them, for messages */
	uint64_t max_size;			   /* --max-size, 0: the library's default */
	uint64_t max_memory;			   /* --max-memory, 0: derived by the library */
	uint64_t limits[PPROFC_LIMIT_COUNT_];	   /* --max-samples etc., 0: default */
	const char *filters[PPROFC_FILTER_COUNT_]; /* --focus etc., NULL: unset */
	pprofc_granularity granularity;		   /* --functions, --lines, ... */
	int noinlines;				   /* --noinlines */
	fetch_opts fetch;
	char *const *sources; /* the SOURCE operands */
	size_t nsources;
	const char *bases[MAX_BASES]; /* --base or --diff-base */
	size_t nbases;
	int diff_base;	/* the bases are --diff-base ones */
	int normalize;	/* --normalize */
	size_t jobs;	/* --jobs, 0: DEFAULT_JOBS */
	int keep_going; /* --keep-going */
	int must_save;	/* fetch: a URL's profile that cannot be saved fails the
			 * command; others warn and go on with it, as pprof does */
} common_opts;

/* pprof's sample-type shorthands: --inuse_space ... --mean_delay. */
#define NSHORTHANDS 7

/* Long options shared by commands; their ids start at 1000. */
enum {
	OPT_SAMPLE_INDEX = 1000,
	OPT_MAX_SIZE,
	OPT_SECONDS,
	OPT_TIMEOUT,
	OPT_CACERT,
	OPT_CERT,
	OPT_KEY,
	OPT_MAX_MEMORY,
	OPT_MEAN,
	OPT_BASE,
	OPT_DIFF_BASE,
	OPT_NORMALIZE,
	OPT_JOBS,
	OPT_KEEP_GOING,
	OPT_LIMIT_FIRST,					     /* + pprofc_limit */
	OPT_SHORTHAND_FIRST = OPT_LIMIT_FIRST + PPROFC_LIMIT_COUNT_, /* + shorthand index */
	OPT_FILTER_FIRST = OPT_SHORTHAND_FIRST + NSHORTHANDS,	     /* + pprofc_filter_option */
	OPT_GRANULARITY_FIRST = OPT_FILTER_FIRST + PPROFC_FILTER_COUNT_, /* + pprofc_granularity */
	OPT_NOINLINES = OPT_GRANULARITY_FIRST + PPROFC_GRANULARITY_COUNT_,
	OPT_FIRST_OWN, /* commands number their own options from here */
};

/* The options every converting command takes (options.c). */
extern const cli_option common_options[];

/* Walks argv as the grammar above reads it; operands are moved, in order,
 * to argv[1 .. noperands). */
typedef struct option_parser {
	int argc;
	char **argv;
	int next;	  /* the next word to read */
	int noperands;	  /* operands so far, +1 */
	bool ended;	  /* after "--": only operands */
	const char *word; /* the last option's word, for messages */
	size_t word_len;  /* its length before any '=' */
} option_parser;

#define OPTION_PARSER(argc, argv)                    \
	{                                            \
		(argc), (argv), 1, 1, false, NULL, 0 \
	}

/* The next option of `own` or common_options: *ret is NULL at the end.
 * *ret_value is the value, or for a flag NULL (true) or "false". Returns
 * EXIT_OK, or EXIT_USAGE having printed why (an unknown word, a missing
 * value). */
int next_option(option_parser *op, const command *cmd, const cli_option *own,
		const cli_option **ret, const char **ret_value);
/*
 * go tool pprof's form, pprofc [options] -FORMAT [options] SOURCE...: when
 * argv holds a format flag (-top, -peek=RE, -svg...), *ret_argv gets the
 * equivalent command line (COMMAND [REGEX] [option] words...; free() the
 * array) and *ret_argc its length; *ret_argc is 0 when there is none.
 * Returns EXIT_USAGE, having said why, for two formats or a missing REGEX.
 */
int pprof_form(int argc, char **argv, int *ret_argc, char ***ret_argv);

/* The option `typed` (len bytes, no dashes) names in common_options or
 * any command's table (the first found), or NULL. */
const cli_option *find_any_option(const char *typed, size_t len);

/* The option `typed` (len bytes, no dashes) names in `table`, or NULL. */
const cli_option *find_option(const cli_option *table, const char *typed, size_t len);

/* Handles an option common to all converters; returns -1 when `c` is not
 * one, else an exit code (EXIT_OK to go on). Sets *done for --help. */
int common_option(const command *cmd, int c, const char *arg, common_opts *o, bool *done);

/* A number from 0 to 1 for option --OPT; prints a usage error. */
int parse_fraction(const command *cmd, const char *opt, const char *arg, double *ret);

/* A count of 0 or more for option --OPT; prints a usage error. */
int parse_count(const command *cmd, const char *opt, const char *arg, size_t *ret);
/* A --unit value (pprof's names are checked by the library); prints a
 * usage error. */
int parse_unit(const command *cmd, const char *arg, const char **ret);

/* Prints "pprofc: MSG" on stderr: one line per error, lowercase. */
void error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Usage error: the message and where to read more; returns EXIT_USAGE. */
int usage_error(const command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Whether `prog` would be found by posix_spawnp (in $PATH unless it has a
 * '/'). Checked first because a failed exec in the child is not always
 * reported back (under valgrind, for one), and "not installed" deserves its
 * own message. */
bool on_path(const char *prog);

/* A profile handle with the options' limits applied; NULL when out of memory. */
pprofc_profile *new_profile(const common_opts *o);

/* Reads SOURCE ("-" for standard input, a file, or a URL, which is fetched
 * and saved first). On failure prints the error and returns EXIT_FAIL (or
 * EXIT_USAGE); *ret is set on success only. */
int load_profile(const char *source, const common_opts *o, pprofc_profile **ret);

/*
 * fetch.c: fetch URL, check the body is a valid profile, and save it: to
 * `save_as` when given, else pprof-style in $PPROF_TMPDIR, $HOME/pprof or
 * the temp dir. The destination is prepared before the capture starts (an
 * unwritable directory fails at once) and the file appears, fsynced, only
 * once the profile is known to be good. *ret gets the loaded profile.
 * With `save_as` or o->must_save a failed save fails; else it is a warning
 * and the capture still happens.
 */
int fetch_and_save(const char *url, const common_opts *o, const char *save_as,
		   pprofc_profile **ret);

/* A reader that closed our output pipe ends a filter normally: as git and
 * grep do, we die of SIGPIPE (exit status 141 in a shell), saying nothing,
 * the pending temp file removed. Returns when `err` is not EPIPE. */
void exit_if_pipe_closed(int err);

/* The temp file a signal must remove (see output.c); NULL when none. */
void set_pending_tmp(char *path);
void install_signal_handlers(void);

/*
 * The profile of the SOURCE operands: one is read as load_profile does;
 * several (and --base/--diff-base) are read -- URLs fetched concurrently,
 * each saved as a single one is -- and merged as go tool pprof merges them.
 * A source that cannot be read fails the command, or with --keep-going is
 * left out (with a line saying how many of N were read).
 */
int load_sources(const common_opts *o, pprofc_profile **ret);

/* fetch.c: fetch n URLs concurrently (--jobs at once) and save each as
 * fetch_and_save does; ret[i] gets each profile, NULL for one that failed
 * (its error printed). Each is loaded, saved and its body freed as its
 * transfer ends: at most --jobs bodies are held at once. Returns EXIT_USAGE
 * for a bad URL or option (nothing fetched), EXIT_FAIL when the save
 * directory is unusable and o->must_save, else EXIT_OK. */
int fetch_many(const char *const *urls, size_t n, const common_opts *o, pprofc_profile **ret);

/* The shell: every later load_sources reads this profile.proto (the
 * sources as the shell read them once) instead of its SOURCE operands. */
void set_preloaded(const void *data, size_t len);

/* Set by Ctrl-C in the shell: the output under way stops (its writes fail
 * with ECANCELED, which is not reported). */
extern volatile sig_atomic_t interrupted;
/* SIGINT sets `interrupted` instead of ending the program. */
void enter_shell_mode(void);

/* load_sources, then select_sample_type, filters and granularity; the
 * profile is freed on failure. */
int load_and_select(const common_opts *o, pprofc_profile **ret, size_t *ret_index);

/* Picks the sample type for --sample-index; prints a usage error. */
int select_sample_type(pprofc_profile *p, const common_opts *o, size_t *ret_index);

/*
 * The destination of a command's output. With -o the bytes go to a temp
 * file beside FILE, renamed over it only when everything succeeded:
 * there is never a half-written FILE. A signal meanwhile removes the temp.
 */
typedef struct output {
	const char *path; /* NULL for standard output */
	char *tmp;
	FILE *fp;
	int err;     /* errno of the first failed write */
	bool direct; /* a device or pipe, written in place */
	pprofc_sink sink;
} output;

int output_open(output *out, const char *path);
/* Finishes writing. `ok` false: discard. Returns an exit code, having
 * printed any error. */
int output_close(output *out, bool ok);

/* The sink's write function: into out->fp, the first error kept. */
int output_sink_write(void *ctx, const void *data, size_t len);

/*
 * viewer.c: an output opened in a viewer (kcachegrind, a browser). The
 * output is written to v->out (a private temp file PREFIX.XXXXXX SUFFIX in
 * $TMPDIR) between view_begin and output_close(&v->out, ok); view_open
 * starts the first viewer of the NULL-ended list found on $PATH (a command
 * with arguments split at spaces, the file appended), waits for it, and
 * removes the file, as does view_discard on any failure.
 */
typedef struct view {
	char *path;
	output out;
	pid_t pid;
	long started; /* ms */
} view;
int view_begin(view *v, const char *prefix, const char *suffix);
int view_open(view *v, const char *const *viewers, bool quiet);
void view_discard(view *v);
/* From now on view_open returns once the viewer started; view_reap
 * removes the files of viewers that are done (all: every file, at exit). */
void viewers_in_background(void);
void view_reap(bool all);
/* Whether the viewer command's program is on $PATH. */
bool viewer_installed(const char *cmdline);
/* $BROWSER, then the browsers go tool pprof tries, xdg-open on a desktop. */
const char *const *browsers(void);

/* Runs a writer's result through one message: returns the exit code. */
int report_write(pprofc_profile *p, pprofc_status st, output *out);

/*
 * The body of every converting command: options, SOURCE, loading, sample
 * type, output. The command's own options (cmd->options) go to
 * own_option() (which returns an exit code, or
 * -1 for "not mine"); write() produces the output.
 */
typedef struct converter {
	const command *cmd;
	int (*own_option)(void *ctx, int c, const char *arg);
	pprofc_status (*write)(void *ctx, pprofc_profile *p, size_t index, const char *source,
			       const pprofc_sink *sink);
	void *ctx;
	const char *operand; /* for messages; NULL: "SOURCE" */
	int *mean;	     /* receives --mean; NULL: the command refuses it */
	bool any_profile;    /* no sample type needed (index 0 when there is none) */
	bool one_source;     /* exactly one operand (fetch) */
	/* Checks of the parsed options before anything is read; an exit
	 * code (EXIT_OK to go on). NULL: none. */
	int (*check)(void *ctx, const common_opts *co);
} converter;

int run_converter(const converter *cv, int argc, char **argv);
/* run_converter for "pprofc CMD REGEX [options] SOURCE" (peek, list):
 * *ret_pattern is set to REGEX before the command writes. */
int run_with_pattern(const converter *cv, int argc, char **argv, const char **ret_pattern);
/* The option parsing of run_converter, for commands with another body. */
int parse_args(const converter *cv, int argc, char **argv, common_opts *co, const char **ret_source,
	       bool *done);
/* The SOURCE operands as one name, for messages and callgrind's cmd: line
 * (joined by spaces); free() it. NULL when out of memory. */
char *sources_label(const common_opts *co);

#endif
