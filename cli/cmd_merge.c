/*
 * pprofc merge: the loaded profile -- several sources merged, compared with
 * a base, filtered -- written back as gzipped profile.proto.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* 1 when the output would land on a terminal: standard output, or -o
 * naming a terminal device (/dev/tty, /dev/stdout on a terminal). */
static int output_is_terminal(const char *path)
{
	if (!path || !strcmp(path, "-"))
		return isatty(STDOUT_FILENO);
	struct stat sb;
	if (stat(path, &sb) != 0 || !S_ISCHR(sb.st_mode))
		return 0;
	int fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0; /* output_open will say why it cannot be written */
	int tty = isatty(fd);
	close(fd);
	return tty;
}

/* What merge refuses, before anything is read or fetched. */
static int check_options(void *ctx, const common_opts *opts)
{
	const command *cmd = ctx;
	if (opts->mean)
		return usage_error(cmd,
				   "%s is not supported by merge: a mean is how a report divides "
				   "the values, not a change to the profile, which keeps them all",
				   opts->mean_option);
	if (opts->granularity != PPROFC_GRANULARITY_FUNCTIONS || opts->noinlines)
		return usage_error(cmd,
				   "granularity options (--filefunctions, --files, --lines, "
				   "--addresses, --noinlines) are not supported by merge: they "
				   "choose how reports group frames, and the profile is written "
				   "whole; pass them to the command that reads it");
	if (output_is_terminal(opts->output))
		return usage_error(cmd, "will not write a binary profile to a terminal: use "
					"-o FILE, or a pipe");
	return EXIT_OK;
}

static pprofc_status write_merged(void *ctx, pprofc_profile *p, size_t index, const char *source,
				  const pprofc_sink *sink)
{
	(void)ctx, (void)index, (void)source;
	return pprofc_write_proto(p, NULL, sink);
}

int cmd_merge(int argc, char **argv)
{
	const command *cmd = find_command("merge");
	int mean = 0;
	/* Every sample type is written: any profile will do, and
	 * --sample-index only checks that the type exists. --mean is taken
	 * so that check_options can say why it is refused. */
	converter conv = { .cmd = cmd,
			   .write = write_merged,
			   .any_profile = true,
			   .mean = &mean,
			   .check = check_options,
			   .ctx = (void *)cmd };
	return run_converter(&conv, argc, argv);
}
