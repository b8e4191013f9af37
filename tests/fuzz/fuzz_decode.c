/* Fuzz target 2: raw protobuf -> decode -> validate. Inputs that start
 * with the gzip magic are skipped: gzip's CRC would stop almost every
 * mutation from reaching the decoder, which is what this target is for. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fuzz_is_gzip(data, size))
		return 0;
	pprofc_profile *p = fuzz_profile_create();
	if (!p)
		return 0;
	pprofc_profile_load_memory(p, data, size);
	pprofc_profile_destroy(p);
	return 0;
}
