/* Fuzz target 1: any bytes -> gunzip -> decode -> validate. */
#include <stddef.h>
#include <stdint.h>

#include "pprofc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pprofc_profile *p = pprofc_profile_create();
	if (!p)
		return 0;
	/* Small caps keep each run fast and still exercise the limits. */
	pprofc_profile_set_max_size(p, 16 << 20);
	pprofc_profile_set_max_memory(p, 256 << 20);
	pprofc_profile_load_memory(p, data, size);
	pprofc_profile_destroy(p);
	return 0;
}
