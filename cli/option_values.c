/*
 * Reading option values: numbers, sizes, fractions, units. Each reader
 * names the option in its usage error, so a bad value is said before
 * anything is read or fetched.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* "1G", "512M", "64k" or plain bytes, a B after them allowed. */
static bool read_size(const char *s, uint64_t *ret)
{
	static const char suffixes[] = "kmgt"; /* 2^10, 2^20, 2^30, 2^40 */
	char *end;
	errno = 0;
	if (!*s || *s == '-')
		return false;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	uint64_t mul = 1;
	const char *suffix = *end ? strchr(suffixes, tolower((unsigned char)*end)) : NULL;
	if (suffix) {
		mul = 1ull << (10 * (suffix - suffixes + 1));
		end++;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || v == 0 || v > UINT64_MAX / mul)
		return false;
	*ret = v * mul;
	return true;
}

int parse_size(const command *cmd, const char *opt, const char *arg, uint64_t *ret)
{
	if (!read_size(arg, ret))
		return usage_error(cmd, "invalid size '%s' for --%s", arg, opt);
	return EXIT_OK;
}

int parse_limit(const command *cmd, const char *arg, uint64_t *ret)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || v == 0 || arg[0] == '-')
		return usage_error(cmd, "invalid limit '%s'", arg);
	*ret = v;
	return EXIT_OK;
}

bool read_long(const char *s, long min, long max, long *ret)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return false;
	*ret = v;
	return true;
}

bool read_double(const char *s, double *ret)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end)
		return false;
	*ret = v;
	return true;
}

int parse_seconds(const command *cmd, const char *arg, long *ret)
{
	if (!read_long(arg, 0, LONG_MAX, ret))
		return usage_error(cmd, "invalid number of seconds '%s'", arg);
	return EXIT_OK;
}

int parse_timeout(const command *cmd, const char *arg, double *ret)
{
	double v;
	if (!read_double(arg, &v) || !(v > 0))
		return usage_error(cmd, "invalid timeout '%s'", arg);
	*ret = v;
	return EXIT_OK;
}

int parse_jobs(const command *cmd, const char *arg, size_t *ret)
{
	long v;
	if (!read_long(arg, 1, 1024, &v))
		return usage_error(cmd, "invalid number of jobs '%s' (1 to 1024)", arg);
	*ret = (size_t)v;
	return EXIT_OK;
}

int parse_fraction(const command *cmd, const char *opt, const char *arg, double *ret)
{
	double v;
	if (!read_double(arg, &v) || !(v >= 0 && v <= 1))
		return usage_error(cmd, "invalid fraction '%s' for --%s (0 to 1)", arg, opt);
	*ret = v;
	return EXIT_OK;
}

int parse_count(const command *cmd, const char *opt, const char *arg, size_t *ret)
{
	long v;
	if (!read_long(arg, 0, LONG_MAX, &v))
		return usage_error(cmd, "invalid count '%s' for --%s", arg, opt);
	*ret = (size_t)v;
	return EXIT_OK;
}

int parse_unit(const command *cmd, const char *arg, const char **ret)
{
	if (!*arg || strlen(arg) > 32)
		return usage_error(cmd, "invalid unit '%s'", arg);
	*ret = arg;
	return EXIT_OK;
}
