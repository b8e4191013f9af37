/*
 * The option grammar every command shares, and the lookups in the option
 * tables (common_options.c, each command's own).
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

bool same_name(const char *name, const char *typed, size_t len)
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

int next_option(option_parser *parser, const command *cmd, const cli_option *own,
		const cli_option **ret, const char **ret_value)
{
	while (parser->next < parser->argc) {
		char *word = parser->argv[parser->next++];
		if (parser->ended || word[0] != '-' || !word[1]) {
			/* an operand: kept in order, at the front */
			parser->argv[parser->noperands++] = word;
			continue;
		}
		if (!strcmp(word, "--")) {
			parser->ended = true;
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
		parser->word = word;
		parser->word_len = len;
		if (o->value == OPTV_FLAG) {
			int v = eq ? parse_bool(eq + 1) : 1;
			if (v < 0)
				return usage_error(cmd, "option '%.*s' is true or false, not '%s'",
						   (int)len, word, eq + 1);
			*ret_value = v ? NULL : "false";
		} else if (eq) {
			*ret_value = eq + 1;
		} else if (parser->next < parser->argc) {
			*ret_value = parser->argv[parser->next++];
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

const cli_option *find_any_option(const char *typed, size_t len)
{
	const cli_option *o = find_option(common_options, typed, len);
	for (const command *c = commands; !o && c->name; c++)
		o = find_option(c->options, typed, len);
	return o;
}

const cli_option *find_option_id(const cli_option *table, int id)
{
	for (const cli_option *o = table; o && o->name; o++)
		if (o->id == id)
			return o;
	return NULL;
}

void pprof_spelling(const cli_option *o, const char *suffix, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s", o->pprof ? o->pprof : o->name, suffix);
	for (char *c = buf; *c; c++)
		if (*c == '-')
			*c = '_';
}
