/* Messages on standard error: errors, and usage errors that say where to read more. */
#include <stdarg.h>

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

/* The library says what failed in the input's terms; the hint that names
 * the option raising the limit hit is the program's to add. */
const char *profile_failure(const pprofc_profile *p)
{
	static char buf[700];
	const char *msg = pprofc_profile_errmsg(p);
	const cli_option *o = limit_option(pprofc_profile_errlimit(p));
	if (!o)
		return msg;
	snprintf(buf, sizeof(buf), "%s (raise it with --%s)", msg, o->name);
	return buf;
}
