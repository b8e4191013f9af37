/*
 * write: one file per output format; gzip.c deflates for proto.c.
 */
#ifndef PPROFC_WRITE_H
#define PPROFC_WRITE_H

#include "view/view.h"

/*
 * gzip.c: bytes -> one gzip member, given to the sink in chunks of about a
 * megabyte, deflated in blocks on two threads when there is more than one
 * block. Writes may go through gzw_write, or straight into the current
 * block: gzw_room gives its free space (0 after a failure), gzw_commit
 * counts what was put there. A failure (the sink's, as PPROFC_ERR_IO) is
 * kept, with the message set, and stops all further output; gzw_end
 * finishes the stream (when nothing failed), frees the writer and returns
 * the first failure.
 */
typedef struct gzwriter gzwriter;
extern bool gzip_threads; /* false: no helper thread (tests) */
pprofc_status gzw_begin(pprofc_profile *p, const pprofc_sink *sink, int level, gzwriter **ret);
void gzw_write(gzwriter *g, const void *data, size_t len);
unsigned char *gzw_room(gzwriter *g, size_t *ret_room);
void gzw_commit(gzwriter *g, size_t n);
pprofc_status gzw_status(const gzwriter *g);
pprofc_status gzw_end(gzwriter *g);

/* write_callgrind.c: the memory for call records, past which a profile
 * is walked once per range of callers (tests set it low). */
extern size_t callgrind_record_bytes;
/* and the stacks from which two threads share the walks (tests: 0), and
 * the bytes of records a batch of callers sums while the one before is
 * written (tests: 1) */
extern size_t callgrind_split_min;
extern size_t callgrind_batch_bytes;

#endif /* PPROFC_WRITE_H */
