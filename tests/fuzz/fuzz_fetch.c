/* Fuzz target 4: an HTTP response -> the fetch path's checks -> loading
 * the body as the CLI does. Input layout: one byte choosing the status, one
 * byte of flags (bit 0: an X-Go-Pprof header), a NUL-terminated
 * Content-Type, then the body. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "write/write.h"
#include "load/load.h"
#include "fetch/fetch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 200, 404, 500, 400, 302, 204, 0 };
	if (size < 3)
		return 0;
	long status = statuses[data[0] & 7];
	int go_pprof = data[1] & 1;
	const uint8_t *ct = data + 2, *nul = memchr(ct, 0, size - 2);
	if (!nul)
		return 0;
	const uint8_t *body = nul + 1;
	size_t len = size - (size_t)(body - data);

	pprofc_fetch *f = pprofc_fetch_create();
	if (!f)
		return 0;
	if (fetch_set_response(f, status, nul == ct ? NULL : (const char *)ct, go_pprof, body,
			       len) == PPROFC_OK) {
		pprofc_profile *p = fuzz_profile_create();
		if (p) {
			size_t n;
			const void *b = pprofc_fetch_body(f, &n);
			pprofc_profile_load_memory(p, b, n);
			pprofc_profile_destroy(p);
		}
	}
	/* The message must stay one printable line. */
	for (const char *m = pprofc_fetch_errmsg(f); *m; m++)
		if ((unsigned char)*m < 0x20)
			__builtin_trap();
	pprofc_fetch_destroy(f);
	return 0;
}
