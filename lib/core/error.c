/*
 * error: the one place a handle's failure is recorded. Every handle
 * (profile, filter, fetch, the inflating stream) embeds an errstate.
 */
#include <stdio.h>

#include "core/core.h"

pprofc_status err_vset(errstate *e, pprofc_status st, const char *fmt, va_list ap)
{
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	e->code = st;
	e->limit = -1;
	return st;
}

pprofc_status err_set(errstate *e, pprofc_status st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vset(e, st, fmt, ap);
	va_end(ap);
	return st;
}

pprofc_status err_set_limit(errstate *e, pprofc_status st, int limit, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vset(e, st, fmt, ap);
	va_end(ap);
	e->limit = limit;
	return st;
}

void err_clear(errstate *e)
{
	e->code = PPROFC_OK;
	e->limit = -1;
	e->msg[0] = '\0';
}
