/*
 * regex: the one regular expression engine of the library, PCRE2 set up to
 * read go tool pprof's patterns (Go's RE2 syntax) the way pprof does, for
 * the filters (filter.c), list (write_list.c) and peek (write_tree.c).
 *
 * How RE2's meaning is kept:
 * - matching is an unanchored search, like Go's regexp.MatchString;
 * - patterns and subjects are UTF-8, but a name may hold any bytes:
 *   PCRE2_MATCH_INVALID_UTF makes an invalid sequence match nothing
 *   instead of failing the match (Go reads each bad byte as U+FFFD);
 * - no PCRE2_UCP: RE2's \d, \w, \s, \b and [[:alpha:]] are ASCII only,
 *   while (?i) folds Unicode case in both;
 * - '$' is the end of the text only, as in RE2 without (?m);
 * - \C (one byte, which would split a character) is refused, as in Go.
 * PCRE2 accepts more than RE2 (backreferences, lookaround); such patterns
 * are simply not errors here. Backtracking is bounded by PCRE2's default
 * match limit: a pattern that hits it counts as not matching.
 *
 * Thread safety: a compiled pattern is read-only once built and may be
 * matched from several threads (a const pprofc_filter applied to several
 * profiles at once). Each regexp keeps one match block that a single matcher at
 * a time borrows through an atomic flag; a concurrent matcher makes its own
 * for that call instead of waiting, so the common single-threaded case
 * allocates nothing per match.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

struct regexp {
	pcre2_code *code;
	pcre2_match_data *md; /* one ovector pair: only "did it match" is asked */
	atomic_flag busy;     /* set while a matcher uses md */
};

regexp *rx_compile(const char *pattern, char *why, size_t whysize)
{
	int err;
	PCRE2_SIZE at;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
					 PCRE2_UTF | PCRE2_MATCH_INVALID_UTF |
						 PCRE2_DOLLAR_ENDONLY | PCRE2_NEVER_BACKSLASH_C,
					 &err, &at, NULL);
	if (!code) {
		PCRE2_UCHAR msg[160];
		if (pcre2_get_error_message(err, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "error %d", err);
		snprintf(why, whysize, "%s at offset %zu", (const char *)msg, (size_t)at);
		return NULL;
	}
	regexp *re = calloc(1, sizeof(*re));
	pcre2_match_data *md = re ? pcre2_match_data_create(1, NULL) : NULL;
	if (!md) {
		free(re);
		pcre2_code_free(code);
		snprintf(why, whysize, "out of memory");
		return NULL;
	}
	/* No JIT: each name is matched once per run, which the interpreter
	 * does as fast as regexec did, and JIT code reads as uninitialised
	 * memory to valgrind, whose runs must stay clean. */
	re->code = code;
	re->md = md;
	atomic_flag_clear(&re->busy);
	return re;
}

bool rx_match(const regexp *re, const char *s, size_t len)
{
	regexp *m = (regexp *)re; /* the flag and md are scratch, not the pattern */
	bool own = !atomic_flag_test_and_set_explicit(&m->busy, memory_order_acquire);
	pcre2_match_data *md = own ? m->md : pcre2_match_data_create(1, NULL);
	if (!md)
		return false;
	if (!s)
		s = ""; /* (PCRE2 10.42 refuses a NULL subject, even an empty one) */
	/* >= 0: a match (0 only says the ovector was too small). */
	int rc = pcre2_match(m->code, (PCRE2_SPTR)s, len, 0, 0, md, NULL);
	if (own)
		atomic_flag_clear_explicit(&m->busy, memory_order_release);
	else
		pcre2_match_data_free(md);
	return rc >= 0;
}

void rx_free(regexp *re)
{
	if (!re)
		return;
	pcre2_match_data_free(re->md);
	pcre2_code_free(re->code);
	free(re);
}

pprofc_status pprofc_regex_check(const char *pattern, char *why, size_t n)
{
	char reason[256];
	regexp *re = rx_compile(pattern, reason, sizeof(reason));
	if (re) {
		rx_free(re);
		return PPROFC_OK;
	}
	if (n) {
		char shown[256];
		escape_name_buf(shown, sizeof(shown), pattern, strlen(pattern));
		snprintf(why, n, "invalid regular expression '%s': %s", shown, reason);
	}
	return PPROFC_ERR_USAGE;
}
