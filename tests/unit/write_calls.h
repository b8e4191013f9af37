/*
 * write_calls.h: the writers whose options are a sample index (and a
 * name), called in one line, for the unit tests and the fuzzers.
 */
#ifndef WRITE_CALLS_H
#define WRITE_CALLS_H

#include "pprofc.h"

static inline pprofc_status write_folded(pprofc_profile *p, size_t index, const pprofc_sink *sink)
{
	pprofc_folded_options o = { .size = sizeof(o), .sample_index = index };
	return pprofc_write_folded(p, &o, sink);
}

static inline pprofc_status write_callgrind(pprofc_profile *p, size_t index, const char *cmd,
					    const pprofc_sink *sink)
{
	pprofc_callgrind_options o = { .size = sizeof(o), .sample_index = index, .cmd = cmd };
	return pprofc_write_callgrind(p, &o, sink);
}

static inline pprofc_status write_speedscope(pprofc_profile *p, size_t index, const char *name,
					     const pprofc_sink *sink)
{
	pprofc_speedscope_options o = { .size = sizeof(o), .sample_index = index, .name = name };
	return pprofc_write_speedscope(p, &o, sink);
}

#endif
