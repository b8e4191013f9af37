/*
 * pprofc's entry: which command a command line runs -- a command by name
 * (commands.c) or by go tool pprof's name for it, go tool pprof's -FORMAT
 * form, or the shell for bare SOURCEs.
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* Runs the command argv[0] (a name or an alias) with its arguments. */
static int dispatch(int argc, char **argv)
{
	const command *c = find_command(argv[0]);
	const pprof_name *a = c ? NULL : find_pprof_name(argv[0], strlen(argv[0]), PPROF_COMMAND);
	if (a)
		c = find_command(a->command);
	if (!c)
		return usage_error(NULL, "unknown command '%s'", argv[0]);
	if (!a || !a->option)
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
	 * lie free at its top: each stage would fault in again the pages the
	 * one before gave back, and a vector growing at the top would be
	 * copied instead of extended. 4 MB kept spare avoids both, for little
	 * memory beside a profile's. */
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
	} else if (!find_command(name) && !find_pprof_name(name, strlen(name), PPROF_COMMAND) &&
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
