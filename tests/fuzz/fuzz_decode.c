/* Fuzz target 2: raw protobuf -> decode -> validate. Inputs that start
 * with the gzip magic are skipped: gzip's CRC would stop almost every
 * mutation from reaching the decoder, which is what this target is for. */
#include <stddef.h>
#include <stdint.h>

#include "pprofc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
		return 0;
	pprofc_profile *p = pprofc_profile_create();
	if (!p)
		return 0;
	pprofc_profile_set_max_memory(p, 256 << 20);
	pprofc_profile_load_memory(p, data, size);
	pprofc_profile_destroy(p);
	return 0;
}
