/* fetch: HTTP(S) transfers with libcurl, loaded on first use. */
#ifndef PPROFC_FETCH_H
#define PPROFC_FETCH_H

#include "model/model.h"

/* fetch.c: the checks of a finished response, and a way to run them on a
 * response that did not come over the network (for the fuzzer). */
pprofc_status fetch_check(pprofc_fetch *f);
pprofc_status fetch_set_response(pprofc_fetch *f, long status, const char *content_type,
				 int go_pprof_header, const void *body, size_t len);

#endif /* PPROFC_FETCH_H */
