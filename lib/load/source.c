/*
 * source: get the bytes of a profile from a file descriptor or a path into
 * one buffer, refusing more than the size limit allows. The buffer goes to
 * profile.c, which hands it to gunzip.c or, for raw protobuf, keeps it as
 * the message to decode.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "load/load.h"

/* The input is larger than its limit (derived from the size limit). */
static pprofc_status over_size(pprofc_profile *p, uint64_t limit)
{
	return err_set_limit(&p->err, PPROFC_ERR_LIMIT, PPROFC_LIMIT_SIZE,
			     "the input is over the limit of %llu bytes",
			     (unsigned long long)limit);
}

pprofc_status source_read_fd(pprofc_profile *p, int fd, uint64_t limit, unsigned char **ret_buf,
			     size_t *ret_len, size_t *ret_cap)
{
	struct stat sb;
	size_t cap = 1 << 16;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0) {
		if ((uint64_t)sb.st_size > limit)
			return err_set_limit(&p->err, PPROFC_ERR_LIMIT, PPROFC_LIMIT_SIZE,
					     "the input is %lld bytes, over the limit of %llu",
					     (long long)sb.st_size, (unsigned long long)limit);
		cap = (size_t)sb.st_size + 1; /* +1 to see EOF without growing */
	}
	unsigned char *buf = budget_alloc(&p->mem, cap);
	if (!buf)
		return input_nomem(p, cap);
	size_t len = 0;
	for (;;) {
		if (len == cap) {
			if (len > limit) {
				budget_free(&p->mem, buf);
				return over_size(p, limit);
			}
			size_t ncap = cap * 2;
			unsigned char *nb = budget_realloc(&p->mem, buf, ncap);
			if (!nb) {
				budget_free(&p->mem, buf);
				return input_nomem(p, ncap);
			}
			buf = nb;
			cap = ncap;
		}
		ssize_t r = read(fd, buf + len, cap - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			budget_free(&p->mem, buf);
			return set_error(p, PPROFC_ERR_IO, "%s", strerror(e));
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > limit) {
		budget_free(&p->mem, buf);
		return over_size(p, limit);
	}
	*ret_buf = buf;
	*ret_len = len;
	*ret_cap = cap;
	return PPROFC_OK;
}

pprofc_status source_open(pprofc_profile *p, const char *path, int *ret_fd)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return set_error(p, PPROFC_ERR_IO, "%s", strerror(errno));
	struct stat sb;
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		close(fd);
		return set_error(p, PPROFC_ERR_IO, "is a directory");
	}
	*ret_fd = fd;
	return PPROFC_OK;
}

pprofc_status input_nomem(pprofc_profile *p, size_t n)
{
	return err_set_limit(
		&p->err, PPROFC_ERR_NOMEM, PPROFC_LIMIT_MEMORY,
		"out of memory, or over the memory limit of %llu bytes, for %zu input bytes",
		(unsigned long long)p->mem.limit, n);
}
