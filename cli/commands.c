/*
 * The command table: each command's name, summary and --help text. The
 * texts of `pprofc help` and `pprofc CMD --help` come from here, so the
 * two always agree; the common options' lines are added from their table
 * (common_options.c).
 */
#include <string.h>

#include "cli.h"

/* tree's and peek's own options */
#define TREE_OPTIONS                                                                               \
	"Options:\n"                                                                               \
	"      --flat               order functions by flat value (default)\n"                     \
	"      --cum                order functions by cumulative value\n"                         \
	"      --nodecount N        show at most N functions (0: all; default: tree 80,\n"         \
	"                           peek all)\n"                                                   \
	"      --nodefraction F     leave out functions whose cum is under F of the\n"             \
	"                           total (default: tree 0.005, peek 0)\n"                         \
	"      --edgefraction F     leave out calls under F of the total (default: tree\n"         \
	"                           0.001, peek 0)\n"                                              \
	"      --json               print {\"sample_type\", \"unit\", \"total\", \"nodes\":\n"     \
	"                           [{\"name\", \"flat\", \"cum\", \"callers\", \"callees\"}]},\n" \
	"                           each call {\"name\", \"value\", \"inline\"}; not trimmed\n"    \
	"                           unless the options above are given\n"

const command commands[] = {
	{ "to-callgrind", cmd_to_callgrind,
	  "write callgrind for KCachegrind and callgrind_annotate",
	  "usage: pprofc to-callgrind [options] SOURCE...\n"
	  "\n"
	  "Write the profile in callgrind format, for KCachegrind, QCachegrind and\n"
	  "callgrind_annotate. Every sample type becomes an event, the selected one first;\n"
	  "calls= counts the samples through each call.\n"
	  "\n"
	  "  pprofc to-callgrind -o callgrind.out.cpu cpu.pb.gz && kcachegrind callgrind.out.cpu\n"
	  "\n"
	  "Options:\n",
	  .common_help = COMMON_HELP_ALL },
	{ "to-folded", cmd_to_folded, "write folded stacks for flame graphs",
	  "usage: pprofc to-folded [options] SOURCE...\n"
	  "\n"
	  "Write one line per distinct stack, root first: 'main;work;leaf 42'. Identical\n"
	  "stacks are merged, zero values left out, lines sorted. Names are made safe for\n"
	  "the format (';' becomes ':', control characters '?').\n"
	  "\n"
	  "  pprofc to-folded heap.pb.gz | flamegraph.pl > heap.svg\n"
	  "\n"
	  "Options:\n",
	  .common_help = COMMON_HELP_ALL },
	{ "to-flamegraph", cmd_to_flamegraph, "write an interactive SVG flame graph",
	  "usage: pprofc to-flamegraph [options] SOURCE...\n"
	  "\n"
	  "Write a flame graph as one self-contained SVG file (its style and script\n"
	  "inline) to open in a browser. Each frame is as wide as the sum of the stacks\n"
	  "through it, callers below callees, siblings in name order; colours by package\n"
	  "(one hue per Go import path, C++ namespace or JS module). Hover for a\n"
	  "frame's value and share, click to zoom (Reset Zoom or Escape to go back),\n"
	  "Ctrl-F or Search to highlight the frames matching a regular expression with\n"
	  "the share they cover (file.svg?s=REGEX searches on opening). Frames narrower\n"
	  "than --minwidth are left out, which bounds the file's size.\n"
	  "\n"
	  "A profile whose samples carry pprof::base=\"true\" (--diff-base) is drawn as a\n"
	  "differential flame graph: widths from the new samples, red where a frame\n"
	  "grew against the base, blue where it shrank, whiter the smaller the change;\n"
	  "tooltips give before, after and delta. Negative values without that label\n"
	  "(--base) give widths of |net value| per stack, red positive, blue negative.\n"
	  "\n"
	  "  pprofc to-flamegraph -o cpu.svg cpu.pb.gz && xdg-open cpu.svg\n"
	  "  pprofc to-flamegraph --icicle --title 'heap' --alloc_space heap.pb.gz > heap.svg\n"
	  "\n"
	  "Options:\n"
	  "      --icicle             root at the top, stacks growing down\n"
	  "      --title TEXT         the title (default: Flame Graph, or Icicle Graph)\n"
	  "      --width PX           image width in pixels (default 1200; 100 to 100000)\n"
	  "      --minwidth PX        leave out frames narrower than PX pixels (default\n"
	  "                           0.1, as flamegraph.pl; 0: draw every frame)\n",
	  .options = flamegraph_options, .common_help = COMMON_HELP_ALL },
	{ "to-speedscope", cmd_to_speedscope,
	  "write speedscope's JSON, one profile per sample type",
	  "usage: pprofc to-speedscope [options] SOURCE...\n"
	  "\n"
	  "Write the profile in speedscope's file format (https://www.speedscope.app, or\n"
	  "the speedscope npm package): one profile per sample type, the selected one\n"
	  "shown first. Frames are functions (or the granularity's nodes) with their file\n"
	  "and line; each distinct stack is one sample weighted by its summed value, zero\n"
	  "weights left out. Negative values (a difference of profiles) cannot be drawn\n"
	  "and are an error.\n"
	  "\n"
	  "  pprofc to-speedscope -o cpu.speedscope.json cpu.pb.gz && speedscope "
	  "cpu.speedscope.json\n"
	  "\n"
	  "Options:\n",
	  .common_help = COMMON_HELP_ALL },
	{ "to-dot", cmd_to_dot, "write a Graphviz call graph like go tool pprof -dot",
	  "usage: pprofc to-dot [options] SOURCE...\n"
	  "\n"
	  "Write pprof's call graph in Graphviz's DOT language, like go tool pprof -dot:\n"
	  "a legend, a box per function with its flat and cum values (the font grows\n"
	  "with flat, the colour with cum), boxes for its label sets, and the calls\n"
	  "between the functions kept, with their values; '(inline)' marks inlined\n"
	  "calls, dotted calls pass through functions left out. Functions are chosen\n"
	  "and ordered as pprof chooses them for its graphs.\n"
	  "\n"
	  "  pprofc to-dot cpu.pb.gz | dot -Tsvg > cpu.svg\n"
	  "  pprofc to-dot --svg -o cpu.svg cpu.pb.gz\n"
	  "\n"
	  "Options:\n"
	  "      --nodecount N        draw at most N boxes (functions and their labels, as\n"
	  "                           pprof counts them; default 80, 0: all)\n"
	  "      --nodefraction F     leave out functions whose cum is under F of the\n"
	  "                           total (default 0.005)\n"
	  "      --edgefraction F     leave out calls under F of the total (default 0.001)\n"
	  "      --unit UNIT          show values in UNIT, as top's --unit\n"
	  "      --svg, --png         render with Graphviz's dot (package graphviz) into\n"
	  "                           SVG or PNG instead of writing DOT text; a failing\n"
	  "                           dot leaves no -o file\n",
	  .options = dot_options, .common_help = COMMON_HELP_ALL },
	{ "top", cmd_top, "print the functions with the highest flat or cum values",
	  "usage: pprofc top [options] SOURCE...\n"
	  "\n"
	  "Print pprof's flat report: flat, flat%, sum%, cum, cum% and the function,\n"
	  "one row per function. Samples without a stack form a row '[no stack]'.\n"
	  "\n"
	  "  pprofc top --nodecount 10 cpu.pb.gz\n"
	  "  pprofc top --json --sample-index alloc_space heap.pb.gz\n"
	  "\n"
	  "Options:\n"
	  "      --flat               sort by flat value (default)\n"
	  "      --cum                sort by cumulative value\n"
	  "      --nodecount N        show at most N rows (0: all, the default)\n"
	  "      --nodefraction F     leave out rows whose cum is under F of the total\n"
	  "                           (default 0.005, as pprof; 0: all rows; --json:\n"
	  "                           all rows unless given)\n"
	  "      --unit UNIT          show values in UNIT, as pprof's -unit: ns, us, ms, s,\n"
	  "                           hrs, B, kB, MB, GB, TB, PB; auto: each value scaled\n"
	  "                           on its own; minimum (default): one unit for the\n"
	  "                           report, fine enough for its smallest row\n"
	  "      --json               print {\"sample_type\", \"unit\", \"total\", \"rows\": "
	  "[{\"name\",\n"
	  "                           \"flat\", \"cum\"}]} with integer values in the sample "
	  "unit\n",
	  .options = top_options, .common_help = COMMON_HELP_ALL },
	{ "tree", cmd_tree, "print each function with its callers and callees",
	  "usage: pprofc tree [options] SOURCE...\n"
	  "\n"
	  "Print pprof's tree report: for each function (in top's order) its callers\n"
	  "above it and its callees below, each call with its value and its share of the\n"
	  "function's cum; '(inline)' marks calls that were inlined in every sample.\n"
	  "A call through recursion counts once per sample.\n"
	  "\n"
	  "  pprofc tree --nodecount 20 cpu.pb.gz\n"
	  "\n" TREE_OPTIONS,
	  .options = tree_options, .common_help = COMMON_HELP_ALL },
	{ "peek", cmd_peek, "print the callers and callees of functions matching REGEX",
	  "usage: pprofc peek REGEX [options] SOURCE...\n"
	  "\n"
	  "The tree report for the functions whose name matches REGEX (RE2 syntax, as\n"
	  "go tool pprof's, unanchored), like go tool pprof -peek. No match is an\n"
	  "error.\n"
	  "\n"
	  "  pprofc peek 'runtime\\.mallocgc$' heap.pb.gz\n"
	  "\n" TREE_OPTIONS,
	  .options = tree_options, .common_help = COMMON_HELP_ALL, .pattern = true },
	{ "tags", cmd_tags, "print a histogram of the samples' labels",
	  "usage: pprofc tags [options] SOURCE...\n"
	  "\n"
	  "Print pprof's label report (go tool pprof -tags): for each label key, in name\n"
	  "order, its total and, for each of its values, the sum of the selected sample\n"
	  "value over the samples that carry it, largest first, with its share of the\n"
	  "key's total. Numeric labels (e.g. the Go heap profile's 'bytes') are shown in\n"
	  "their unit and scaled; values that print alike are one row, as in pprof. A\n"
	  "profile without labels prints nothing.\n"
	  "\n"
	  "  pprofc tags cpu.pb.gz\n"
	  "  pprofc tags --json --alloc_space heap.pb.gz\n"
	  "\n"
	  "Options:\n"
	  "      --unit UNIT          show values and numeric labels in UNIT (ns, us, ms,\n"
	  "                           s, B, kB, MB, GB...; default: minimum, pprof's\n"
	  "                           scaling)\n"
	  "      --json               print {\"sample_type\", \"unit\", \"tags\": [{\"key\",\n"
	  "                           \"total\", \"values\": [{\"label\", \"value\"}]}]} with\n"
	  "                           integer sums in the sample unit (\"numeric\": true\n"
	  "                           on numeric labels)\n"
	  "--mean is refused: pprof's -tags ignores it.\n",
	  .options = tags_options, .common_help = COMMON_HELP_ALL },
	{ "traces", cmd_traces, "print every sample with its labels, value and stack",
	  "usage: pprofc traces [options] SOURCE...\n"
	  "\n"
	  "Print every sample like go tool pprof -traces: pprof's header lines, then one\n"
	  "block per sample: its labels, its value and its stack, leaf first ('(inline)'\n"
	  "after a frame inlined into the next). The samples are the file's, in its\n"
	  "order; pprof instead merges identical ones and leaves out those whose values\n"
	  "are all zero and those without a stack (shown here as '[no stack]').\n"
	  "\n"
	  "  pprofc traces mutex.pb.gz\n"
	  "  pprofc traces --json --sample-index cpu cpu.pb.gz | jq '.samples[0]'\n"
	  "\n"
	  "Options:\n"
	  "      --unit UNIT          show values in UNIT (ns, us, ms, s, B, kB, MB, GB...;\n"
	  "                           default: each value scaled on its own)\n"
	  "      --json               print {\"sample_type\", \"unit\", \"sample_types\",\n"
	  "                           \"samples\": [{\"value\", \"values\", \"labels\",\n"
	  "                           \"stack\": [{\"name\", \"location\", \"inline\"}]}]}\n"
	  "                           with integer values, stacks leaf first\n",
	  .options = traces_options, .common_help = COMMON_HELP_ALL },
	{ "raw", cmd_raw, "print the whole profile as readable text",
	  "usage: pprofc raw [options] SOURCE...\n"
	  "\n"
	  "Print the profile as it is, like go tool pprof -raw: comments, period type,\n"
	  "period, time, duration, sample types ('[dflt]' marks the default), every sample\n"
	  "(its values, its location ids leaf first, its string and numeric labels), every\n"
	  "location (id, address, M=mapping id, its lines innermost first: function,\n"
	  "file:line, s=start line), every mapping (id: start/limit/offset, file, build\n"
	  "id, [FN][FL][LN][IN]), and every function (id: name, system name, file,\n"
	  "s=start line; pprof's dump has no such section). Unlike pprof's, the dump is\n"
	  "the file's content: pprof merges identical samples, drops those whose values\n"
	  "are all zero or that have no locations, and renumbers what is left.\n"
	  "\n"
	  "  pprofc raw heap.pb.gz | less\n"
	  "\n"
	  "Options: the common ones; --sample-index and its shorthands only check that\n"
	  "the type exists (every value is printed).\n",
	  .common_help = COMMON_HELP_ALL },
	{ "comments", cmd_comments, "print the profile's comments",
	  "usage: pprofc comments [options] SOURCE...\n"
	  "\n"
	  "Print the profile's comments, one per line, like go tool pprof -comments\n"
	  "(control characters as \\xHH). A profile without comments prints nothing.\n"
	  "\n"
	  "  pprofc comments cpu.pb.gz\n"
	  "\n"
	  "Options:\n",
	  .common_help = COMMON_HELP_ALL },
	{ "merge", cmd_merge, "write the (filtered) profile back as gzipped profile.proto",
	  "usage: pprofc merge [options] SOURCE\n"
	  "\n"
	  "Write the profile as gzipped profile.proto, the format go tool pprof and every\n"
	  "pprof reader take, after the filters: --focus, --ignore, --hide, --show,\n"
	  "--show-from, --prune-from, --tagfocus, --tagignore, --tagshow and --taghide edit\n"
	  "the profile (drop samples, frames, labels), and what is left is written. All\n"
	  "else is kept as the source has it: every sample type, the samples in their\n"
	  "order with their labels, the ids of locations, functions and mappings, the\n"
	  "mapping flags, comments, period, time and duration. Nothing is summed or\n"
	  "renumbered (go tool pprof -proto does both).\n"
	  "\n"
	  "  pprofc merge --focus 'main\\.handle' -o handle.pb.gz cpu.pb.gz\n"
	  "  pprofc merge --tagfocus user=alice cpu.pb.gz > alice.pb.gz\n"
	  "\n"
	  "Without -o the profile goes to standard output, which must not be a terminal\n"
	  "(go tool pprof cannot read a pipe: give it a file).\n"
	  "--sample-index and its shorthands only check that the type exists (every type\n"
	  "is written). --mean and the granularity options (--filefunctions, --files,\n"
	  "--lines, --addresses, --noinlines) are refused: they choose how a report\n"
	  "divides or groups values, not what the profile holds.\n"
	  "\n"
	  "Options:\n",
	  .common_help = COMMON_HELP_ALL },
	{ "list", cmd_list, "print the source of functions matching REGEX, annotated",
	  "usage: pprofc list REGEX [options] SOURCE...\n"
	  "\n"
	  "Print the source lines of each function whose name matches REGEX (RE2\n"
	  "syntax, unanchored), from 5 lines before the first line with samples to 5\n"
	  "after the last, each with its flat and cum values, like go tool pprof -list.\n"
	  "Source files are read locally: a relative name is looked for in each\n"
	  "--source-path directory and its parents; with no --trim-path, the part of\n"
	  "the name up to a source-path directory's base name is dropped first.\n"
	  "\n"
	  "  pprofc list 'main\\.mix$' --source-path ~/src/service cpu.pb.gz\n"
	  "\n"
	  "Options:\n"
	  "      --source-path DIRS   where to look for source files, ':'-separated\n"
	  "                           (default: the current directory)\n"
	  "      --trim-path PREFIXES  path prefixes to remove from file names first,\n"
	  "                           ':'-separated (e.g. the build machine's "
	  "root)\n",
	  .options = list_options, .common_help = COMMON_HELP_ALL, .pattern = true },
	{ "fetch", cmd_fetch, "capture a profile over HTTP(S) and save it",
	  "usage: pprofc fetch [options] URL\n"
	  "\n"
	  "Fetch a profile from a server (Go's net/http/pprof or any pprof endpoint), check\n"
	  "that it is a valid profile, and save it. HOST:PORT alone means\n"
	  "http://HOST:PORT/debug/pprof/profile (a CPU profile); other endpoints: heap,\n"
	  "allocs, goroutine, mutex, block, threadcreate under /debug/pprof/.\n"
	  "\n"
	  "  pprofc fetch --seconds 10 127.0.0.1:6060\n"
	  "  pprofc fetch -o heap.pb.gz http://127.0.0.1:6060/debug/pprof/heap\n"
	  "\n"
	  "Options:\n"
	  "  -o, --output FILE        save as FILE instead of the pprof-style name\n"
	  "      --max-size SIZE      refuse responses and profiles larger than SIZE\n"
	  "  -h, --help               show this help\n",
	  .common_help = COMMON_HELP_FETCH,
	  .help_end = "\nA failed, interrupted or invalid transfer leaves no file behind.\n"
		      "Exit status: 0 success, 1 failure, 2 usage error.\n" },
	{ "kcachegrind", cmd_kcachegrind, "open a profile in KCachegrind",
	  "usage: pprofc kcachegrind [options] SOURCE...\n"
	  "\n"
	  "Write the profile as callgrind to $TMPDIR/callgrind.out.pprofc.XXXXXX, open it\n"
	  "in KCachegrind, wait for the viewer to close and remove the file.\n"
	  "\n"
	  "  pprofc kcachegrind --seconds 5 127.0.0.1:6060\n"
	  "\n"
	  "Options:\n"
	  "      --viewer PROG        the viewer to start (default $PPROFC_KCACHEGRIND, else\n"
	  "                           kcachegrind; qcachegrind works too)\n"
	  "      --sample-index N|NAME  the sample type shown first (or --inuse_space,\n"
	  "                           --alloc_space, --total_delay... as go tool pprof)\n"
	  "      --focus RX, --ignore RX, --hide RX, --show RX, --show-from RX,\n"
	  "      --prune-from RX, --tagfocus F, --tagignore F, --tagshow RX, --taghide RX\n"
	  "                           filters, as in to-callgrind\n"
	  "      --files, --noinlines (and --functions, --filefunctions, --lines,\n"
	  "      --addresses)         granularity, as in to-callgrind\n"
	  "      --max-size SIZE      refuse profiles larger than SIZE decompressed\n"
	  "  -h, --help               show this help\n",
	  .options = kcachegrind_options, .common_help = COMMON_HELP_FETCH,
	  .help_end = "\nExit status: 0 success, 1 failure, 2 usage error.\n" },
	{ "web", cmd_web, "open the call graph as SVG in a browser (pprof -web)",
	  "usage: pprofc web [options] SOURCE...\n"
	  "\n"
	  "Render pprof's call graph (as to-dot --svg) to $TMPDIR/pprofc.XXXXXX.svg and open\n"
	  "it in $BROWSER, else chrome, google-chrome, chromium, firefox, sensible-browser\n"
	  "or (on a desktop) xdg-open; wait for the browser, at least a second, and remove\n"
	  "the file. Needs Graphviz's dot.\n"
	  "\n"
	  "  pprofc web --focus handler cpu.pb.gz\n"
	  "\n"
	  "Options: those of to-dot, but -o, --svg and --png.\n",
	  .options = dot_options, .common_help = COMMON_HELP_ALL },
	{ "shell", cmd_shell, "read or fetch a profile once, then take pprof's commands",
	  "usage: pprofc shell [options] SOURCE...\n"
	  "       pprofc [options] SOURCE...\n"
	  "\n"
	  "go tool pprof's interactive mode: the profile is read (or captured) once, then\n"
	  "each command typed at the (pprofc) prompt runs on it: top 20, top -cum,\n"
	  "list REGEX, peek REGEX, tree, traces, tags, raw, callgrind > FILE,\n"
	  "kcachegrind, web, flamegraph, svg > FILE..., with the options set by\n"
	  "NAME=VALUE (sample_index=alloc_space, focus=RE, nodecount=20, unit=ms) or a\n"
	  "flag's name (cum, lines, mean). 'help' lists them, 'options' shows them, 'quit'\n"
	  "or Ctrl-D leaves, Ctrl-C stops a long output. Line editing, Tab completion of\n"
	  "commands, options, sample types and function names; history in\n"
	  "$HOME/pprof/pprofc_history. When standard input is not a terminal, each line is\n"
	  "a command and no prompt is shown:\n"
	  "\n"
	  "  printf 'top\\nlist main.fib\\n' | pprofc cpu.pb.gz\n"
	  "\n"
	  "Options (they hold for every command):\n",
	  .common_help = COMMON_HELP_ALL },
	{ "help", cmd_help, "show help for pprofc or a command", "usage: pprofc help [COMMAND]\n",
	  .common_help = COMMON_HELP_NONE },
	{ .name = NULL },
};

const command *find_command(const char *name)
{
	for (const command *c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}
