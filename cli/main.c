/*
 * pprofc: the command table and dispatch. Each command lives in its own
 * cmd_*.c file; the texts of `pprofc help` and `pprofc CMD --help` come from
 * this table, so the two always agree.
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define FETCH_HELP                                                                              \
	"Fetching (when SOURCE is a URL, http://HOST:PORT/PATH or HOST:PORT):\n"                \
	"      --seconds N          capture for N seconds (sets seconds= in the URL)\n"         \
	"      --timeout SECONDS    give up after this long (default: 1.5 x the duration,\n"    \
	"                           else 60 s, plus 5 s)\n"                                     \
	"  -H, --header 'NAME: VALUE'  add a request header (repeatable), e.g. for a token\n"   \
	"      --cacert FILE        CA certificates to verify the server with\n"                \
	"      --cert FILE, --key FILE  client certificate and key\n"                           \
	"  -k, --insecure           do not verify the server's certificate\n"                   \
	"  -q, --quiet              no progress or messages on standard error\n"                \
	"The profile is saved first, like go tool pprof: in $PPROF_TMPDIR, else $HOME/pprof,\n" \
	"as pprof.BINARY.TYPES.NNN.pb.gz. Proxies: http_proxy, https_proxy, no_proxy.\n"

#define FILTER_HELP                                                                          \
	"Filters, as go tool pprof's (RX: a regular expression in RE2 syntax, matched\n"     \
	"anywhere in a function's name or file name, or the mapping's file):\n"              \
	"      --focus RX           keep only samples with a frame matching RX\n"            \
	"      --ignore RX          drop samples with a frame matching RX\n"                 \
	"      --hide RX            remove the frames matching RX (inlined ones too)\n"      \
	"      --show RX            keep only the frames matching RX\n"                      \
	"      --show-from RX       drop the frames above (callers of) the outermost\n"      \
	"                           match; samples without a match go\n"                     \
	"      --prune-from RX      drop the frames below (callees of) the innermost\n"      \
	"                           match (function names only)\n"                           \
	"      --tagfocus F, --tagignore F  keep only / drop samples by label; F is\n"       \
	"                           RX[,RX...] (each matching some 'key:value'),\n"          \
	"                           KEY=RX[,RX...], or a numeric range [KEY=]V, V:, :V or\n" \
	"                           V:V with a unit (64kb, 1kb:4kb, 100ms:)\n"               \
	"      --tagshow RX, --taghide RX  keep only / remove labels whose key matches\n"    \
	"Filters apply to every output; top's percentages stay shares of the\n"              \
	"unfiltered total, as in pprof.\n"                                                   \
	"\n"                                                                                 \
	"Granularity, as go tool pprof's (what a row, a folded frame is about):\n"           \
	"      --functions          functions (the default)\n"                               \
	"      --filefunctions      functions and their files: 'main.work main.go'\n"        \
	"      --files              source files\n"                                          \
	"      --lines              source lines: 'main.work main.go:41'\n"                  \
	"      --addresses          instruction addresses: '00000000004a2b1c main.work\n"    \
	"                           main.go:41'\n"                                           \
	"      --noinlines          fold inlined frames into the function they were\n"       \
	"                           inlined into\n"                                          \
	"In callgrind, lines are positions already: functions stay functions except\n"       \
	"with --files.\n"

#define MERGE_HELP                                                                         \
	"Several SOURCEs are merged into one profile, as go tool pprof merges them\n"      \
	"(sample types must match); URLs among them are fetched at the same time.\n"       \
	"      --base FILE          subtract this profile (repeatable: merged first)\n"    \
	"      --diff-base FILE     compare with this profile: values are differences,\n"  \
	"                           percentages shares of the base; to-folded writes\n"    \
	"                           'stack BEFORE AFTER' for a differential flame graph\n" \
	"      --normalize          scale the SOURCEs to the base's total first\n"         \
	"  -j, --jobs N             fetch at most N URLs at once (default 64)\n"           \
	"      --keep-going         merge the sources that could be read, saying how\n"    \
	"                           many of N; else one failure fails the command\n"

#define COMMON_HELP                                                                          \
	"  -o, --output FILE        write to FILE (atomically: a temp file renamed into\n"   \
	"                           place on success) instead of standard output\n"          \
	"      --sample-index N|NAME  the sample type to use, by index or name (e.g.\n"      \
	"                           alloc_space); default: the profile's\n"                  \
	"                           default_sample_type, else its last type\n"               \
	"      --inuse_space, --inuse_objects, --alloc_space, --alloc_objects,\n"            \
	"      --total_delay, --contentions  the same as --sample-index with that type\n"    \
	"                           (delay for --total_delay; inuse_X also picks a type\n"   \
	"                           named X), as in go tool pprof; '-' spellings too\n"      \
	"      --mean_delay         --sample-index delay with --mean\n"                      \
	"      --mean               (top, traces) divide by the first sample type (the\n"    \
	"                           count): per row, the sum of the values over the sum\n"   \
	"                           of the counts, as go tool pprof -mean\n"                 \
	"      --max-size SIZE      refuse profiles larger than SIZE decompressed\n"         \
	"                           (default 1G; suffixes k, M, G)\n"                        \
	"      --max-memory SIZE    memory for decoding and the model (default 32 x the\n"   \
	"                           input, at least 256M)\n"                                 \
	"      --max-samples N, --max-locations N, --max-functions N, --max-strings N\n"     \
	"      --max-depth N (locations in a sample), --max-labels N (labels on a sample)\n" \
	"                           refuse profiles with more (defaults 100M, 50M, 50M,\n"   \
	"                           50M, 65536, 4096)\n"                                     \
	"  -h, --help               show this help\n"                                        \
	"\n" MERGE_HELP "\n" FILTER_HELP "\n" FETCH_HELP "\n"                                \
	"SOURCE is a profile file (profile.proto, gzipped or not), - for standard input,\n"  \
	"or a URL.\n"                                                                        \
	"Exit status: 0 success, 1 failure, 2 usage error.\n"

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
	  "Options:\n" COMMON_HELP,
	  NULL },
	{ "to-folded", cmd_to_folded, "write folded stacks for flame graphs",
	  "usage: pprofc to-folded [options] SOURCE...\n"
	  "\n"
	  "Write one line per distinct stack, root first: 'main;work;leaf 42'. Identical\n"
	  "stacks are merged, zero values left out, lines sorted. Names are made safe for\n"
	  "the format (';' becomes ':', control characters '?').\n"
	  "\n"
	  "  pprofc to-folded heap.pb.gz | flamegraph.pl > heap.svg\n"
	  "\n"
	  "Options:\n" COMMON_HELP,
	  NULL },
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
	  "                           0.1, as flamegraph.pl; 0: draw every frame)\n" COMMON_HELP,
	  flamegraph_options },
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
	  "Options:\n" COMMON_HELP,
	  NULL },
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
	  "                           dot leaves no -o file\n" COMMON_HELP,
	  dot_options },
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
	  "unit\n" COMMON_HELP,
	  top_options },
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
	"                           unless the options above are given\n" COMMON_HELP
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
	  tree_options },
	{ "peek", cmd_peek, "print the callers and callees of functions matching REGEX",
	  "usage: pprofc peek REGEX [options] SOURCE...\n"
	  "\n"
	  "The tree report for the functions whose name matches REGEX (RE2 syntax, as\n"
	  "go tool pprof's, unanchored), like go tool pprof -peek. No match is an\n"
	  "error.\n"
	  "\n"
	  "  pprofc peek 'runtime\\.mallocgc$' heap.pb.gz\n"
	  "\n" TREE_OPTIONS,
	  tree_options },
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
	  "--mean is refused: pprof's -tags ignores it.\n" COMMON_HELP,
	  tags_options },
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
	  "                           with integer values, stacks leaf first\n" COMMON_HELP,
	  traces_options },
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
	  "the type exists (every value is printed).\n" COMMON_HELP,
	  NULL },
	{ "comments", cmd_comments, "print the profile's comments",
	  "usage: pprofc comments [options] SOURCE...\n"
	  "\n"
	  "Print the profile's comments, one per line, like go tool pprof -comments\n"
	  "(control characters as \\xHH). A profile without comments prints nothing.\n"
	  "\n"
	  "  pprofc comments cpu.pb.gz\n"
	  "\n"
	  "Options:\n" COMMON_HELP,
	  NULL },
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
	  "Options:\n" COMMON_HELP,
	  NULL },
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
	  "root)\n" COMMON_HELP,
	  list_options },
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
	  "  -h, --help               show this help\n"
	  "\n" FETCH_HELP "\n"
	  "A failed, interrupted or invalid transfer leaves no file behind.\n"
	  "Exit status: 0 success, 1 failure, 2 usage error.\n",
	  NULL },
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
	  "  -h, --help               show this help\n"
	  "\n" FETCH_HELP "\nExit status: 0 success, 1 failure, 2 usage error.\n",
	  kcachegrind_options },
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
	  "Options: those of to-dot, but -o, --svg and --png.\n" COMMON_HELP,
	  dot_options },
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
	  "Options (they hold for every command):\n" COMMON_HELP,
	  NULL },
	{ "help", cmd_help, "show help for pprofc or a command", "usage: pprofc help [COMMAND]\n",
	  NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

const command *find_command(const char *name)
{
	for (const command *c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

void print_overview(FILE *f)
{
	fprintf(f, "usage: pprofc COMMAND [options] SOURCE...\n"
		   "       pprofc [options] SOURCE...          (the shell: go tool pprof SOURCE)\n"
		   "       pprofc [options] -FORMAT SOURCE...  (go tool pprof -top, -peek=RE...)\n"
		   "       pprofc help COMMAND | pprofc --version\n\n"
		   "Convert pprof profiles (Go, Node.js, any profile.proto producer).\n\n"
		   "Commands:\n");
	for (const command *c = commands; c->name; c++)
		fprintf(f, "  %-14s %s\n", c->name, c->summary);
	fprintf(f, "\nExit status: 0 success, 1 failure, 2 usage error.\n");
}

/* go tool pprof's names for pprofc's commands, and the option each one
 * implies. */
static const struct alias {
	const char *name, *command, *option;
} aliases[] = {
	{ "text", "top", NULL },
	{ "callgrind", "to-callgrind", NULL },
	{ "dot", "to-dot", NULL },
	{ "svg", "to-dot", "--svg" },
	{ "png", "to-dot", "--png" },
	{ "proto", "merge", NULL },
	{ "folded", "to-folded", NULL },
	{ "speedscope", "to-speedscope", NULL },
	{ NULL, NULL, NULL },
};

static bool is_alias(const char *name)
{
	for (const struct alias *a = aliases; a->name; a++)
		if (!strcmp(a->name, name))
			return true;
	return false;
}

/* Runs the command argv[0] (a name or an alias) with its arguments. */
static int dispatch(int argc, char **argv)
{
	const command *c = find_command(argv[0]);
	const struct alias *a = aliases;
	while (!c && a->name && strcmp(a->name, argv[0]))
		a++;
	if (!c && a->name)
		c = find_command(a->command);
	if (!c)
		return usage_error(NULL, "unknown command '%s'", argv[0]);
	if (!a->name || !a->option)
		return c->run(argc, argv);
	/* the alias's option first: "svg x" is "to-dot --svg x" */
	char **words = calloc((size_t)argc + 2, sizeof(*words));
	if (!words) {
		error("out of memory");
		return EXIT_FAIL;
	}
	words[0] = argv[0];
	words[1] = (char *)a->option;
	memcpy(words + 2, argv + 1, (size_t)(argc - 1) * sizeof(*words));
	int rc = c->run(argc + 1, words);
	free(words);
	return rc;
}

/*
 * Hides the credentials of URLs in our arguments from ps and
 * /proc/PID/cmdline while a capture runs, as curl's tool blanks -u: each
 * such argument is copied for our own use and the original's user
 * information overwritten in place. The copies stay reachable for the
 * whole run.
 */
static bool hide_credentials(int argc, char **argv)
{
	static char **copies;
	for (int i = 1; i < argc; i++) {
		size_t off, len;
		if (!pprofc_url_credentials(argv[i], &off, &len))
			continue;
		if (!copies && !(copies = calloc((size_t)argc, sizeof(*copies))))
			return false;
		if (!(copies[i] = strdup(argv[i])))
			return false;
		memset(argv[i] + off, '*', len);
		argv[i] = copies[i];
	}
	return true;
}

int main(int argc, char **argv)
{
	/* Ignored so that a closed socket in a transfer is an error the
	 * library reports; a closed standard output ends the program as
	 * SIGPIPE would (exit_if_pipe_closed). */
	signal(SIGPIPE, SIG_IGN);
#ifdef M_MMAP_THRESHOLD
	/* Large arrays straight from mmap, always: glibc would otherwise raise
	 * its threshold after the first big free, keep later arrays on the
	 * heap, and not give back what one stage frees before the next
	 * allocates; a large profile's peak memory is the sum of the stages. */
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	/* A fixed threshold leaves glibc trimming the heap whenever 128 KB
	 * lie free at its top, so each stage faulted in again the pages the
	 * one before gave back (about 3 us a page on a VM), and vectors that
	 * grew at the top were copied instead of extended. Keeping 4 MB
	 * spare: W2's to-callgrind 5,800 -> 4,600 page faults, system time
	 * 18 -> 12 ms; W1's peak RSS +0.4 MB. */
	mallopt(M_TOP_PAD, 4 << 20);
#endif

	if (!hide_credentials(argc, argv)) {
		error("out of memory");
		return EXIT_FAIL;
	}
	if (argc < 2) {
		print_overview(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--version") || !strcmp(name, "-V")) {
		printf("pprofc %s\n", pprofc_version());
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
	}
	if (!strcmp(name, "--help") || !strcmp(name, "-h"))
		argv[1] = (char *)"help";
	int rc;
	if (name[0] == '-' && name[1]) {
		/* pprof's form: pprofc [options] -top SOURCE... */
		int n;
		char **words;
		rc = pprof_form(argc, argv, &n, &words);
		if (rc == EXIT_OK && n) {
			rc = dispatch(n, words);
			free(words);
		} else if (rc == EXIT_OK) {
			/* pprof's interactive form: pprofc [options] SOURCE... */
			argv[0] = (char *)"shell";
			rc = cmd_shell(argc, argv);
		}
	} else if (!find_command(name) && !is_alias(name) &&
		   (access(name, F_OK) == 0 || pprofc_fetch_is_url(name))) {
		/* pprofc SOURCE...: the shell, as go tool pprof SOURCE */
		argv[0] = (char *)"shell";
		rc = cmd_shell(argc, argv);
	} else {
		rc = dispatch(argc - 1, argv + 1);
	}
	if (fflush(stdout) != 0) {
		exit_if_pipe_closed(errno);
		if (rc == EXIT_OK) {
			error("cannot write to standard output: %s", strerror(errno));
			rc = EXIT_FAIL;
		}
	}
	return rc;
}
