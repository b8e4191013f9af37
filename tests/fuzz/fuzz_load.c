/* Fuzz target 1: any bytes -> gunzip -> decode -> validate. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pprofc_profile *p = fuzz_profile_create();
	if (!p)
		return 0;
	pprofc_profile_load_memory(p, data, size);
	pprofc_profile_destroy(p);
	return 0;
}
