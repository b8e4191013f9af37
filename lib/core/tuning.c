/* tuning: the one instance of the library's strategy thresholds. */
#include <stdint.h>

#include "core/core.h"

tuning lib_tuning = {
	.stream_thread_min = (size_t)1 << 20,
	.stream_first_cap_max = SIZE_MAX,
	.stream_read_bytes = (size_t)1 << 18,
	.decode_early = true,
	.decode_batch = 16,
	.decode_refuse_sample = SIZE_MAX,
	.map_stacks_split_min = (size_t)1 << 20,
	.sort_stacks_grouped_min = 65536,
	.gzip_threads = true,
	.callgrind_record_bytes = (size_t)64 << 20,
	.callgrind_split_min = 65536,
	.callgrind_batch_bytes = (size_t)1 << 18,
};
