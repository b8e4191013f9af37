/*
 * The pprofc program: the command table (commands.c), one cmd_*.c file per
 * command, and the helpers they share, declared here under the name of the
 * file that holds them. Commands use only the public library header and
 * these.
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

/* parse_args' answer when the command goes on; any other answer is the
 * exit code to return at once (EXIT_OK after --help). */
#define GO_ON (-2)
/* An option handler's answer for an option that is not its own. */
#define NOT_MINE (-1)

/* ---- options --------------------------------------------------------------- */

/*
 * An option, as every spelling of it is found (options.c): --name, -name,
 * with '_' or '-' between words, =VALUE or VALUE in the next word; by
 * go tool pprof's name too; -x for its letter. Everything pprofc says or
 * does about an option comes from its table entry: the parser, the
 * common options' --help lines, `pprofc help --list-options`, the shell.
 */
typedef enum opt_value { OPTV_FLAG, OPTV_VALUE } opt_value;

/* The parts of --help that list the common options, in the order shown. */
typedef enum help_section {
	HELP_GENERAL,	  /* right after the command's own options */
	HELP_MERGE,	  /* several sources, a base */
	HELP_FILTERS,	  /* --focus ... */
	HELP_GRANULARITY, /* --functions ... */
	HELP_FETCH,	  /* URL sources */
	HELP_SECTION_COUNT_
} help_section;

typedef struct cli_option {
	const char *name;  /* pprofc's long name, words joined by '-' */
	const char *pprof; /* go tool pprof's name where it is another, else NULL */
	char letter;	   /* -x, 0: none */
	opt_value value;   /* a flag (true or false: -x=false) or one value */
	int id;		   /* what the handler switches on */
	const char *arg;   /* the value's name in messages, NULL for a flag */
	const char *help;  /* one line, for the shell's `help NAME` */
	/* What a common option's id stands for, when the id names a family: */
	pprofc_filter_option filter;	/* OPT_FILTER */
	pprofc_limit limit;		/* OPT_LIMIT, OPT_MAX_SIZE, OPT_MAX_MEMORY */
	pprofc_granularity granularity; /* OPT_GRANULARITY */
	const char *sample_type;	/* OPT_SHORTHAND, OPT_MEAN_DELAY */
	/* The common options' --help: */
	help_section section; /* where it is listed */
	const char *usage;    /* its lines there; NULL: on the lines of an
			       * option before it (--tagfocus F, --tagignore F) */
	bool load_only;	      /* about reading the sources, which the shell
			       * does once: not an option the shell sets */
} cli_option;

/* The ids of the common options (common_options.c). */
enum {
	OPT_OUTPUT = 1000,
	OPT_HELP,
	OPT_SAMPLE_INDEX,
	OPT_SHORTHAND,	/* --inuse_space...: --sample-index .sample_type */
	OPT_MEAN_DELAY, /* the shorthand that also means --mean */
	OPT_MEAN,
	OPT_MAX_SIZE,
	OPT_MAX_MEMORY,
	OPT_LIMIT, /* --max-samples...: .limit */
	OPT_SECONDS,
	OPT_TIMEOUT,
	OPT_HEADER,
	OPT_CACERT,
	OPT_CERT,
	OPT_KEY,
	OPT_INSECURE,
	OPT_QUIET,
	OPT_BASE,
	OPT_DIFF_BASE,
	OPT_NORMALIZE,
	OPT_JOBS,
	OPT_KEEP_GOING,
	OPT_FILTER,	 /* --focus...: .filter */
	OPT_GRANULARITY, /* --functions...: .granularity */
	OPT_NOINLINES,
	OPT_FIRST_REPORT, /* the report options below */
};

/* The options every converting command takes (common_options.c). */
extern const cli_option common_options[];

/*
 * Options several reports take: each is defined once here and named in the
 * table of every command that takes it, in that command's order (which
 * `help --list-options` shows). report_option() reads them.
 */
enum {
	OPT_CUM = OPT_FIRST_REPORT,
	OPT_FLAT,
	OPT_NODECOUNT,
	OPT_NODEFRACTION,
	OPT_EDGEFRACTION,
	OPT_UNIT,
	OPT_JSON,
	OPT_COMPACT_LABELS,
	OPT_FIRST_OWN, /* commands number their own options from here */
};

/* A command's own option: a flag, or one that takes a value named ARG. */
#define FLAG_OPTION(NAME, ID, HELP)                                      \
	{                                                                \
		.name = NAME, .value = OPTV_FLAG, .id = ID, .help = HELP \
	}
#define VALUE_OPTION(NAME, ID, ARG, HELP)                                             \
	{                                                                             \
		.name = NAME, .value = OPTV_VALUE, .id = ID, .arg = ARG, .help = HELP \
	}
#define OPTIONS_END          \
	{                    \
		.name = NULL \
	}

#define OPTION_CUM	 FLAG_OPTION("cum", OPT_CUM, "order functions by cumulative value")
#define OPTION_FLAT	 FLAG_OPTION("flat", OPT_FLAT, "order functions by flat value")
#define OPTION_NODECOUNT VALUE_OPTION("nodecount", OPT_NODECOUNT, "N", "show at most N functions")
#define OPTION_NODEFRACTION                                 \
	VALUE_OPTION("nodefraction", OPT_NODEFRACTION, "F", \
		     "hide functions below this fraction of the total")
#define OPTION_EDGEFRACTION                                 \
	VALUE_OPTION("edgefraction", OPT_EDGEFRACTION, "F", \
		     "hide calls below this fraction of the total")
#define OPTION_UNIT VALUE_OPTION("unit", OPT_UNIT, "UNIT", "show values in this unit")
#define OPTION_JSON FLAG_OPTION("json", OPT_JSON, "print JSON")
#define OPTION_COMPACT_LABELS                             \
	FLAG_OPTION("compact-labels", OPT_COMPACT_LABELS, \
		    "no File, Type, Time lines (the shell's default)")

/* Each command's option table, in its cmd_*.c file. */
extern const cli_option top_options[], tree_options[], dot_options[], flamegraph_options[],
	tags_options[], traces_options[], list_options[], kcachegrind_options[];

/* ---- commands (commands.c) ---------------------------------------------- */

/* Which of the common options' --help lines follow a command's own text. */
typedef enum common_help {
	COMMON_HELP_NONE,
	COMMON_HELP_ALL,   /* every section, then what SOURCE is */
	COMMON_HELP_FETCH, /* the fetching options, then help_end */
} common_help;

typedef struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	const char *help;	   /* --help: its own text, up to the common options */
	const cli_option *options; /* its own options, beyond common_options; NULL: none */
	common_help common_help;
	const char *help_end; /* COMMON_HELP_FETCH: the text after them */
	bool pattern;	      /* REGEX comes first: pprofc peek REGEX [options] SOURCE... */
} command;

extern const command commands[];
const command *find_command(const char *name);

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

/* ---- help texts (cmd_help.c) -------------------------------------------- */

void print_overview(FILE *f);
/* A command's --help: its own text, then the common options' lines. */
void print_help(const command *cmd, FILE *f);

/* ---- the option grammar (options.c) ------------------------------------- */

/* Walks argv as the grammar reads it; operands are moved, in order, to
 * argv[1 .. noperands). */
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

/* Whether `typed` (len bytes) is `name`, '_' and '-' being the same. */
bool same_name(const char *name, const char *typed, size_t len);
/* The option `typed` (len bytes, no dashes) names in `table`, or NULL. */
const cli_option *find_option(const cli_option *table, const char *typed, size_t len);
/* The option `typed` names in common_options or any command's table (the
 * first found), or NULL. */
const cli_option *find_any_option(const char *typed, size_t len);
/* The option of `table` with this id, or NULL. */
const cli_option *find_option_id(const cli_option *table, int id);
/* The common option that sets limit `limit` (a pprofc_limit); NULL: none. */
const cli_option *limit_option(int limit);
/* The option's name as go tool pprof spells it (sample_index), `suffix`
 * after it. */
void pprof_spelling(const cli_option *o, const char *suffix, char *buf, size_t n);

/* ---- go tool pprof's names for the commands (pprof_names.c) --------------- */

/* Where pprof's name for a command is taken. */
enum {
	PPROF_COMMAND = 1, /* as a command: pprofc svg SOURCE */
	PPROF_FORMAT = 2,  /* as a format flag: pprofc -svg SOURCE */
	PPROF_SHELL = 4,   /* typed in the shell: svg > FILE */
};

typedef struct pprof_name {
	const char *name;    /* as go tool pprof spells it */
	const char *command; /* pprofc's command */
	const char *option;  /* an option it implies (svg: --svg), or NULL */
	unsigned where;	     /* PPROF_COMMAND | PPROF_FORMAT | PPROF_SHELL */
	bool browser;	     /* the shell opens the output in a browser */
	const char *help;    /* the shell's help line */
} pprof_name;

/* In the order the shell's help lists them; ends with a NULL name. */
extern const pprof_name pprof_names[];

/* pprof's name `name` (len bytes) where it is taken `where`, or NULL. */
const pprof_name *find_pprof_name(const char *name, size_t len, unsigned where);

/*
 * go tool pprof's form, pprofc [options] -FORMAT [options] SOURCE...: when
 * argv holds a format flag (-top, -peek=RE, -svg...), *ret_argv gets the
 * equivalent command line (COMMAND [REGEX] [option] words...; free() the
 * array) and *ret_argc its length; *ret_argc is 0 when there is none.
 * Returns EXIT_USAGE, having said why, for two formats or a missing REGEX.
 */
int pprof_form(int argc, char **argv, int *ret_argc, char ***ret_argv);

/* ---- the common options (common_options.c) -------------------------------- */

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

/* The values of the common options. */
typedef struct common_opts {
	const char *output;			   /* -o FILE, NULL: standard output */
	const char *sample_index;		   /* --sample-index, or a shorthand's type */
	char index_option[32];			   /* the option that set it, as messages
						    * name it (--inuse_space); "": none */
	int mean;				   /* --mean or --mean_delay */
	char mean_option[32];			   /* which of them, for messages */
	uint64_t limits[PPROFC_LIMIT_COUNT_];	   /* --max-size, --max-memory, --max-samples
						      ..., 0: the library's default */
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

/* Handles a common option; returns NOT_MINE when `opt` is not one, else an
 * exit code (EXIT_OK to go on). Sets *done for --help. */
int common_option(const command *cmd, const cli_option *opt, const char *arg, common_opts *opts,
		  bool *done);
/* The entry of common_options for a filter. */
const cli_option *filter_option(pprofc_filter_option which);
/* The --help lines of one section of the common options. */
void print_common_help(help_section section, FILE *f);

/* ---- the report options (report_options.c) ---------------------------------- */

/* Where a report's options go: fields of its library options
 * (pprofc_top_options...); NULL for those the command does not take. */
typedef struct report_fields {
	int *sort_by_cum;     /* --cum, --flat */
	size_t *nodecount;    /* --nodecount */
	double *nodefraction; /* --nodefraction */
	double *edgefraction; /* --edgefraction */
	const char **unit;    /* --unit */
	int *json;	      /* --json */
	int *compact_labels;  /* --compact-labels */
} report_fields;

/* Handles a report option into its field; NOT_MINE when `id` is none,
 * else an exit code, having printed a usage error. */
int report_option(const command *cmd, const report_fields *f, int id, const char *arg);

/* ---- option values (option_values.c) -------------------------------------- */

/* The whole of `s` as a number from min to max; false for anything else
 * (text around it, out of range), *ret unchanged. */
bool read_long(const char *s, long min, long max, long *ret);
/* The whole of `s` as a number; false for anything else. NaN is read: a
 * range check written !(v >= min && ...) refuses it. */
bool read_double(const char *s, double *ret);

/* Each parse_* reads one option's value; on a bad one prints a usage
 * error and returns EXIT_USAGE, else EXIT_OK with *ret set. */

/* A number from 0 to 1 for option --OPT. */
int parse_fraction(const command *cmd, const char *opt, const char *arg, double *ret);
/* A count of 0 or more for option --OPT. */
int parse_count(const command *cmd, const char *opt, const char *arg, size_t *ret);
/* A --unit value (pprof's names are checked by the library). */
int parse_unit(const command *cmd, const char *arg, const char **ret);
/* A size for option --OPT: "1G", "512M", "64k" or plain bytes. */
int parse_size(const command *cmd, const char *opt, const char *arg, uint64_t *ret);
/* A --max-samples ... limit: 1 or more. */
int parse_limit(const command *cmd, const char *arg, uint64_t *ret);
/* --seconds: 0 or more. */
int parse_seconds(const command *cmd, const char *arg, long *ret);
/* --timeout: seconds, more than 0. */
int parse_timeout(const command *cmd, const char *arg, double *ret);
/* --jobs: 1 to 1024. */
int parse_jobs(const command *cmd, const char *arg, size_t *ret);

/* ---- messages (messages.c) ------------------------------------------------ */

/* Prints "pprofc: MSG" on stderr: one line per error, lowercase. */
void error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Usage error: the message and where to read more; returns EXIT_USAGE. */
int usage_error(const command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A profile handle's last failure, with the option that raises the limit
 * it hit, if any (a static buffer: use before the next call). */
const char *profile_failure(const pprofc_profile *p);

/* ---- signals (signals.c) -------------------------------------------------- */

/* A reader that closed our output pipe ends a filter normally: as git and
 * grep do, we die of SIGPIPE (exit status 141 in a shell), saying nothing,
 * the pending temp file removed. Returns when `err` is not EPIPE. */
void exit_if_pipe_closed(int err);

/* The temp file a signal must remove; NULL when none. */
void set_pending_tmp(char *path);
void install_signal_handlers(void);

/* Set by Ctrl-C in the shell: the output under way stops (its writes fail
 * with ECANCELED, which is not reported). */
extern volatile sig_atomic_t interrupted;
/* SIGINT sets `interrupted` instead of ending the program. */
void enter_shell_mode(void);

/* ---- output (output.c) ---------------------------------------------------- */

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

/* Runs a writer's result through one message: returns the exit code. */
int report_write(pprofc_profile *p, pprofc_status st, output *out);

/* ---- sources (sources.c) -------------------------------------------------- */

/* A profile handle with the options' limits applied; NULL when out of memory. */
pprofc_profile *new_profile(const common_opts *opts);

/* Reads SOURCE ("-" for standard input, a file, or a URL, which is fetched
 * and saved first). On failure prints the error and returns EXIT_FAIL (or
 * EXIT_USAGE); *ret is set on success only. */
int load_profile(const char *source, const common_opts *opts, pprofc_profile **ret);

/*
 * The profile of the SOURCE operands: one is read as load_profile does;
 * several (and --base/--diff-base) are read -- URLs fetched concurrently,
 * each saved as a single one is -- and merged as go tool pprof merges them.
 * A source that cannot be read fails the command, or with --keep-going is
 * left out (with a line saying how many of N were read).
 */
int load_sources(const common_opts *opts, pprofc_profile **ret);

/* The shell: every later load_sources reads this profile.proto (the
 * sources as the shell read them once) instead of its SOURCE operands. */
void set_preloaded(const void *data, size_t len);

/* The SOURCE operands as one name, for messages and callgrind's cmd: line
 * (joined by spaces); free() it. NULL when out of memory. */
char *sources_label(const common_opts *opts);

/* ---- capturing URL sources (capture.c) ------------------------------------ */

/*
 * Fetch URL, check the body is a valid profile, and save it: to `save_as`
 * when given, else pprof-style in $PPROF_TMPDIR, $HOME/pprof or the temp
 * dir. The destination is prepared before the capture starts (an
 * unwritable directory fails at once) and the file appears, fsynced, only
 * once the profile is known to be good. *ret gets the loaded profile.
 * With `save_as` or opts->must_save a failed save fails; else it is a warning
 * and the capture still happens.
 */
int fetch_and_save(const char *url, const common_opts *opts, const char *save_as,
		   pprofc_profile **ret);

/* Fetch n URLs concurrently (--jobs at once) and save each as
 * fetch_and_save does; ret[i] gets each profile, NULL for one that failed
 * (its error printed). Each is loaded, saved and its body freed as its
 * transfer ends: at most --jobs bodies are held at once. Returns EXIT_USAGE
 * for a bad URL or option (nothing fetched), EXIT_FAIL when the save
 * directory is unusable and opts->must_save, else EXIT_OK. */
int fetch_many(const char *const *urls, size_t n, const common_opts *opts, pprofc_profile **ret);

/* ---- saving captured profiles (save_profile.c) ---------------------------- */

/* $HOME/pprof (free() it), made as go tool pprof makes it, with *ret_err
 * 0 when the folder is there, else why not. NULL without a $HOME (*ret_err
 * 0) or memory (ENOMEM). */
char *home_pprof_dir(int *ret_err);
/* Where captures are saved: $PPROF_TMPDIR, else $HOME/pprof, else $TMPDIR;
 * free() it. NULL when out of memory. */
char *save_dir(void);
/* The folder of `path`; free() it. NULL when out of memory. */
char *dir_of(const char *path);

/* A file being saved: without a name (O_TMPFILE) or with a temp name. */
typedef struct savefile {
	int fd;
	char *tmp; /* the temp name (removed by a signal); NULL: none */
} savefile;

/* Opens a temp file in `dir`; 0, or an errno value (nothing shown). */
int make_temp(const char *dir, savefile *t);
/* Closes and removes the temp file, if any. */
void discard(savefile *t);
/* A profile that could not be saved: an error when saving is required,
 * else a warning (the command goes on with the profile in memory). */
void save_failed(bool required, const char *dir, const char *why);
/*
 * Writes a fetched, validated body to the temp file t (in `dir`), fsyncs it
 * and gives it its name: `save_as`, or pprof's pprof.<binary>.<types>.NNN.pb.gz.
 * The temp file is closed, and gone unless named, whatever happens. On
 * failure returns EXIT_FAIL with the message shown (a warning unless
 * `required`).
 */
int commit_body(savefile *t, const char *dir, const char *save_as, bool required,
		const pprofc_profile *p, const void *body, size_t len, int quiet);

/* ---- viewers and other programs (viewer.c) -------------------------------- */

/* Whether `prog` would be found by posix_spawnp (in $PATH unless it has a
 * '/'). Checked first because a failed exec in the child is not always
 * reported back (under valgrind, for one), and "not installed" deserves its
 * own message. */
bool on_path(const char *prog);

/*
 * An output opened in a viewer (kcachegrind, a browser). The output is
 * written to v->out (a private temp file PREFIX.XXXXXX SUFFIX in $TMPDIR)
 * between view_begin and output_close(&v->out, ok); view_open starts the
 * first viewer of the NULL-ended list found on $PATH (a command with
 * arguments split at spaces, the file appended), waits for it, and removes
 * the file, as does view_discard on any failure.
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

/* ---- the converting commands' body (converter.c) -------------------------- */

/*
 * The body of every converting command: options, SOURCE, loading, sample
 * type, output. The report options go to `report`'s fields; the command's
 * own options (cmd->options) to own_option() (which returns an exit code,
 * or NOT_MINE); write() produces the output.
 */
typedef struct converter {
	const command *cmd;
	const report_fields *report; /* NULL: none */
	int (*own_option)(void *ctx, int id, const char *arg);
	pprofc_status (*write)(void *ctx, pprofc_profile *p, size_t index, const char *source,
			       const pprofc_sink *sink);
	void *ctx;
	const char *operand; /* for messages; NULL: "SOURCE" */
	int *mean;	     /* receives --mean; NULL: the command refuses it */
	bool any_profile;    /* no sample type needed (index 0 when there is none) */
	bool one_source;     /* exactly one operand (fetch) */
	/* Checks of the parsed options before anything is read; an exit
	 * code (EXIT_OK to go on). NULL: none. */
	int (*check)(void *ctx, const common_opts *opts);
} converter;

int run_converter(const converter *conv, int argc, char **argv);
/* run_converter for "pprofc CMD REGEX [options] SOURCE" (peek, list):
 * *ret_pattern is set to REGEX before the command writes. */
int run_with_pattern(const converter *conv, int argc, char **argv, const char **ret_pattern);
/* The option parsing of run_converter, for commands with another body:
 * GO_ON, or the exit code to return at once. */
int parse_args(const converter *conv, int argc, char **argv, common_opts *opts);

/* load_sources, then select_sample_type, filters and granularity; the
 * profile is freed on failure. */
int load_and_select(const common_opts *opts, pprofc_profile **ret, size_t *ret_index);

/* Picks the sample type for --sample-index; prints a usage error. */
int select_sample_type(pprofc_profile *p, const common_opts *opts, size_t *ret_index);

#endif
