/* What the fuzz targets share: a profile handle with caps that keep each
 * run fast while still reaching the limits, and the gzip test of the
 * targets that feed raw protobuf to the decoder. */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pprofc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline pprofc_profile *fuzz_profile_create(void)
{
	pprofc_profile *p = pprofc_profile_create();
	if (p) {
		pprofc_profile_set_max_size(p, 16 << 20);
		pprofc_profile_set_max_memory(p, 256 << 20);
	}
	return p;
}

/* gzip's CRC stops almost every mutation from reaching the decoder: the
 * raw-protobuf targets skip such inputs (the load target covers gzip). */
static inline bool fuzz_is_gzip(const uint8_t *data, size_t size)
{
	return size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
}

#endif
