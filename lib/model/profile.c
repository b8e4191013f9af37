/*
 * profile: the public handle. Loading runs the stages in order (source ->
 * gunzip -> decode -> model), and the accessors and sample-type selection
 * read the finished model.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "load/load.h"

const char *pprofc_strerror(pprofc_status status)
{
	switch (status) {
	case PPROFC_OK:
		return "success";
	case PPROFC_ERR_NOMEM:
		return "out of memory";
	case PPROFC_ERR_IO:
		return "input/output error";
	case PPROFC_ERR_GZIP:
		return "corrupt gzip data";
	case PPROFC_ERR_LIMIT:
		return "a limit was exceeded";
	case PPROFC_ERR_DECODE:
		return "malformed profile data";
	case PPROFC_ERR_INVALID:
		return "invalid profile";
	case PPROFC_ERR_USAGE:
		return "invalid argument";
	}
	return "unknown error";
}

const char *pprofc_version(void)
{
	return PPROFC_VERSION;
}

pprofc_status set_error(pprofc_profile *p, pprofc_status st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vset(&p->err, st, fmt, ap);
	va_end(ap);
	return st;
}

pprofc_profile *pprofc_profile_create(void)
{
	pprofc_profile *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->mem.limit = PPROFC_DEFAULT_MAX_MEMORY;
	p->max_size = PPROFC_DEFAULT_MAX_SIZE;
	for (int i = 0; i < PPROFC_LIMIT_COUNT_; i++)
		pprofc_profile_set_limit(p, (pprofc_limit)i, 0);
	return p;
}

void pprofc_profile_destroy(pprofc_profile *p)
{
	if (!p)
		return;
	budget_free(&p->mem, p->buf);
	budget_free(&p->mem, p->sample_types);
	budget_free(&p->mem, p->comments);
	budget_free(&p->mem, p->strspans);
	budget_free(&p->mem, p->strings);
	budget_free(&p->mem, p->strdata);
	budget_free(&p->mem, p->mappings);
	budget_free(&p->mem, p->locations);
	budget_free(&p->mem, p->lines);
	budget_free(&p->mem, p->functions);
	budget_free(&p->mem, p->sample_spans);
	budget_free(&p->mem, p->values);
	budget_free(&p->mem, p->sample_stack);
	budget_free(&p->mem, p->labels);
	budget_free(&p->mem, p->label_off);
	budget_free(&p->mem, p->stack_locs);
	budget_free(&p->mem, p->stack_off);
	budget_free(&p->mem, p->stack_table);
	budget_free(&p->mem, p->prefilter_total);
	budget_free(&p->mem, p->filter_desc);
	model_free_maps(p);
	free(p);
}

pprofc_status pprofc_profile_set_granularity(pprofc_profile *p, pprofc_granularity g, int noinlines)
{
	if ((unsigned)g >= PPROFC_GRANULARITY_COUNT_)
		return set_error(p, PPROFC_ERR_USAGE, "unknown granularity %d", (int)g);
	p->granularity = g;
	p->noinlines = noinlines != 0;
	return PPROFC_OK;
}

void pprofc_profile_set_max_size(pprofc_profile *p, uint64_t bytes)
{
	p->max_size = bytes ? bytes : PPROFC_DEFAULT_MAX_SIZE;
}

void pprofc_profile_set_max_memory(pprofc_profile *p, uint64_t bytes)
{
	p->mem.limit = bytes ? bytes : PPROFC_DEFAULT_MAX_MEMORY;
	p->memory_set = bytes != 0;
}

void pprofc_profile_set_limit(pprofc_profile *p, pprofc_limit which, uint64_t value)
{
	static const uint64_t defaults[PPROFC_LIMIT_COUNT_] = {
		[PPROFC_LIMIT_SAMPLES] = 100000000,  [PPROFC_LIMIT_LOCATIONS] = 50000000,
		[PPROFC_LIMIT_FUNCTIONS] = 50000000, [PPROFC_LIMIT_STRINGS] = 50000000,
		[PPROFC_LIMIT_DEPTH] = 65536,	     [PPROFC_LIMIT_LABELS] = 4096,
	};
	if (which == PPROFC_LIMIT_SIZE)
		pprofc_profile_set_max_size(p, value);
	else if (which == PPROFC_LIMIT_MEMORY)
		pprofc_profile_set_max_memory(p, value);
	else if ((unsigned)which < PPROFC_LIMIT_COUNT_)
		p->limits[which] = value ? value : defaults[which];
}

const char *pprofc_profile_errmsg(const pprofc_profile *p)
{
	return p ? p->err.msg : "no profile handle";
}

pprofc_status pprofc_profile_errcode(const pprofc_profile *p)
{
	return p ? p->err.code : PPROFC_ERR_USAGE;
}

int pprofc_profile_errlimit(const pprofc_profile *p)
{
	return p && p->err.code != PPROFC_OK ? p->err.limit : -1;
}

/* Names what an input that is plainly not protobuf looks like, so that an
 * HTML error page or a legacy text profile gets a useful message. */
static const char *sniff_text(const unsigned char *b, size_t len)
{
	size_t n = len < 64 ? len : 64;
	if (n < 4)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!(isprint(b[i]) || b[i] == '\n' || b[i] == '\r' || b[i] == '\t'))
			return NULL;
	size_t i = 0;
	while (i < n && isspace(b[i]))
		i++;
	if (i < n && b[i] == '<')
		return "HTML or XML";
	if (i < n && (b[i] == '{' || b[i] == '['))
		return "JSON";
	return "text (pprof's legacy text formats are not supported)";
}

/* Real profiles compress 2-5 to 1 and their model is a few times the raw
 * size; 32x the input leaves room, and stops a bomb early. */
static void derive_memory_limit(pprofc_profile *p, uint64_t len)
{
	if (p->memory_set)
		return;
	uint64_t derived = len * 32;
	if (derived < ((uint64_t)256 << 20))
		derived = (uint64_t)256 << 20;
	p->mem.limit = derived < PPROFC_DEFAULT_MAX_MEMORY ? derived : PPROFC_DEFAULT_MAX_MEMORY;
}

/* Decodes what the stream gives, then resolves and checks it. */
static pprofc_status load_stream(pprofc_profile *p, stream *in)
{
	pprofc_status st = decode_profile(p, in);
	/* A gzip error explains whatever the walk found: it wins. */
	pprofc_status zst = stream_end(in);
	if (zst != PPROFC_OK)
		st = zst;
	if (st == PPROFC_OK)
		st = model_resolve(p);
	if (st == PPROFC_OK)
		st = decode_samples(p);
	if (st == PPROFC_OK)
		st = model_finish_samples(p);
	if (st != PPROFC_OK && !p->err.msg[0])
		set_error(p, st, "%s", pprofc_strerror(st));
	return st;
}

/* Takes ownership of `buf` (capacity `cap`, from the budget). */
static pprofc_status load_owned(pprofc_profile *p, unsigned char *buf, size_t len, size_t cap)
{
	derive_memory_limit(p, len);
	if (len == 0) {
		budget_free(&p->mem, buf);
		return set_error(p, PPROFC_ERR_DECODE, "empty input (0 bytes)");
	}
	if (!(len >= 2 && buf[0] == 0x1f && buf[1] == 0x8b)) {
		const char *kind = sniff_text(buf, len);
		if (kind) {
			budget_free(&p->mem, buf);
			return set_error(p, PPROFC_ERR_DECODE,
					 "not a profile: the input looks like %s", kind);
		}
		if (len > p->max_size) {
			budget_free(&p->mem, buf);
			return err_set_limit(&p->err, PPROFC_ERR_LIMIT, PPROFC_LIMIT_SIZE,
					     "the profile is over the size limit of %llu bytes",
					     (unsigned long long)p->max_size);
		}
	}
	(void)cap;
	stream in;
	pprofc_status st = stream_begin(p, buf, len, &in);
	return st == PPROFC_OK ? load_stream(p, &in) : st;
}

static pprofc_status begin_load(pprofc_profile *p)
{
	err_clear(&p->err);
	if (p->loaded)
		return set_error(p, PPROFC_ERR_USAGE, "a profile handle can be loaded only once");
	p->loaded = true;
	return PPROFC_OK;
}

/* A gzip stream can be a little larger than what it holds. */
static uint64_t input_limit(const pprofc_profile *p)
{
	uint64_t m = p->max_size;
	return m + m / 8 + 4096 < m ? UINT64_MAX : m + m / 8 + 4096;
}

static pprofc_status load_fd(pprofc_profile *p, int fd)
{
	/* A gzipped regular file is read as it is inflated, on the inflate
	 * thread, not all of it first, so that inflating starts at once
	 * instead of after a large file's last byte is read. Anything else, or a file over the
	 * limit (whose message source_read_fd gives), is read whole. */
	struct stat sb;
	unsigned char head[2];
	off_t at = lseek(fd, 0, SEEK_CUR);
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && at >= 0 && sb.st_size >= at) {
		uint64_t size = (uint64_t)(sb.st_size - at), limit = input_limit(p);
		if (size >= 18 /* the smallest gzip member */ && size <= limit &&
		    pread(fd, head, 2, at) == 2 && head[0] == 0x1f && head[1] == 0x8b) {
			derive_memory_limit(p, size);
			stream in;
			pprofc_status st = stream_begin_fd(p, fd, at, size, limit, &in);
			return st == PPROFC_OK ? load_stream(p, &in) : st;
		}
	}
	unsigned char *buf;
	size_t len, cap;
	pprofc_status st = source_read_fd(p, fd, input_limit(p), &buf, &len, &cap);
	if (st != PPROFC_OK)
		return st;
	return load_owned(p, buf, len, cap);
}

pprofc_status pprofc_profile_load_fd(pprofc_profile *p, int fd)
{
	pprofc_status st = begin_load(p);
	return st == PPROFC_OK ? load_fd(p, fd) : st;
}

pprofc_status pprofc_profile_load_file(pprofc_profile *p, const char *path)
{
	pprofc_status st = begin_load(p);
	if (st != PPROFC_OK)
		return st;
	int fd;
	st = source_open(p, path, &fd);
	if (st != PPROFC_OK)
		return st;
	st = load_fd(p, fd);
	close(fd);
	return st;
}

pprofc_status pprofc_profile_load_memory(pprofc_profile *p, const void *data, size_t len)
{
	pprofc_status st = begin_load(p);
	if (st != PPROFC_OK)
		return st;
	if (len > input_limit(p))
		return err_set_limit(&p->err, PPROFC_ERR_LIMIT, PPROFC_LIMIT_SIZE,
				     "the input is over the limit of %llu bytes",
				     (unsigned long long)input_limit(p));
	unsigned char *buf = budget_alloc(&p->mem, len ? len : 1);
	if (!buf)
		return input_nomem(p, len);
	if (len)
		memcpy(buf, data, len);
	return load_owned(p, buf, len, len ? len : 1);
}

size_t pprofc_profile_sample_type_count(const pprofc_profile *p)
{
	return p->nsample_types;
}

pprofc_status pprofc_profile_sample_type(const pprofc_profile *p, size_t index,
					 const char **ret_type, const char **ret_unit)
{
	/* The handle's error state is not part of what const promises: like
	 * every call, this one records its failure. */
	if (index >= p->nsample_types)
		return err_set((errstate *)&p->err, PPROFC_ERR_USAGE,
			       "sample type %zu does not exist: the profile has %zu", index,
			       p->nsample_types);
	if (ret_type)
		*ret_type = model_str(p, p->sample_types[index].type)->s;
	if (ret_unit)
		*ret_unit = model_str(p, p->sample_types[index].unit)->s;
	return PPROFC_OK;
}

pprofc_status pprofc_profile_select_sample_type(pprofc_profile *p, const char *spec,
						size_t *ret_index)
{
	size_t n = p->nsample_types;
	if (n == 0)
		return set_error(p, PPROFC_ERR_USAGE, "the profile has no sample types");
	if (!spec || !*spec) {
		/* default_sample_type names a type; unset (index 0, "") or
		 * naming no type: the last one, as pprof does. */
		const pstr *want = model_str(p, p->default_sample_type);
		size_t idx = n - 1;
		if (want->len)
			for (size_t i = 0; i < n; i++) {
				const pstr *t = model_str(p, p->sample_types[i].type);
				if (t->len == want->len && !memcmp(t->s, want->s, t->len)) {
					idx = i;
					break;
				}
			}
		*ret_index = idx;
		return PPROFC_OK;
	}
	char *endp;
	errno = 0;
	unsigned long long v = strtoull(spec, &endp, 10);
	if (isdigit((unsigned char)spec[0]) && !*endp && errno == 0) {
		if (v < n) {
			*ret_index = (size_t)v;
			return PPROFC_OK;
		}
	} else {
		/* As pprof: "inuse_space" also names a type "space", the legacy
		 * heap profiles' name (Node.js heap profiles still use it). */
		const char *no_inuse = strncmp(spec, "inuse_", 6) ? spec : spec + 6;
		for (size_t i = 0; i < n; i++) {
			const char *t = model_str(p, p->sample_types[i].type)->s;
			if (!strcmp(t, spec) || !strcmp(t, no_inuse)) {
				*ret_index = i;
				return PPROFC_OK;
			}
		}
	}
	/* List the choices in the message: the user's next try is then right.
	 * The names are the profile's: escaped as the reports show them. */
	char list[400] = "", want[200];
	size_t used = 0;
	for (size_t i = 0; i < n && used < sizeof(list) - 1; i++) {
		int w = snprintf(list + used, sizeof(list) - used, "%s%zu=", i ? ", " : "", i);
		if (w < 0 || (size_t)w >= sizeof(list) - used)
			break;
		used += (size_t)w;
		const pstr *t = model_str(p, p->sample_types[i].type);
		used += escape_name_buf(list + used, sizeof(list) - used, t->s, t->len);
	}
	escape_name_buf(want, sizeof(want), spec, strlen(spec));
	return set_error(p, PPROFC_ERR_USAGE, "unknown sample type '%s' (available: %s)", want,
			 list);
}

size_t pprofc_profile_sample_count(const pprofc_profile *p)
{
	return p->nsamples;
}

size_t pprofc_profile_function_count(const pprofc_profile *p)
{
	return p->nfunctions;
}

const char *pprofc_profile_function_name(const pprofc_profile *p, size_t i)
{
	return i < p->nfunctions ? model_str(p, p->functions[i].name)->s : "";
}

int64_t pprofc_profile_total(const pprofc_profile *p, size_t index)
{
	if (index >= p->nsample_types)
		return 0;
	int64_t sum = 0;
	for (size_t i = 0; i < p->nsamples; i++)
		sum = wadd(sum, p->values[i * p->nsample_types + index]);
	return sum;
}

static int stdio_write(void *ctx, const void *data, size_t len)
{
	return fwrite(data, 1, len, ctx) == len ? 0 : -1;
}

pprofc_sink pprofc_sink_stdio(FILE *f)
{
	pprofc_sink s = { stdio_write, f };
	return s;
}

size_t pprofc_profile_save_stem(const pprofc_profile *p, char *buf, size_t n)
{
	/* Short enough that with go tool pprof's ".9999.pb.gz" the name fits
	 * the 255 bytes of a file name: a binary with a long name must not make
	 * every save fail. */
	enum { STEM_MAX = 255 - (sizeof(".9999.pb.gz") - 1) };
	/* Built in a local buffer, then copied, so that `n` may be small. */
	char tmp[STEM_MAX + 1];
	size_t k = 0;
#define PUT(ch)                          \
	do {                             \
		if (k < STEM_MAX)        \
			tmp[k++] = (ch); \
	} while (0)
	const char *prefix = "pprof";
	for (const char *c = prefix; *c; c++)
		PUT(*c);
	const char *parts[64];
	size_t lens[64], np = 0, bin = 0;
	if (p->nmappings) {
		const pstr *file = model_str(p, p->mappings[0].filename);
		if (file->len) {
			const char *base = file->s, *slash = strrchr(file->s, '/');
			if (slash && slash[1])
				base = slash + 1;
			parts[np] = base;
			lens[np++] = strlen(base);
			bin = 1;
		}
	}
	for (size_t i = 0; i < p->nsample_types && np < 64; i++) {
		const pstr *t = model_str(p, p->sample_types[i].type);
		parts[np] = t->s;
		lens[np++] = t->len;
	}
	/* Too long: the binary's name is cut (or dropped) to keep the sample
	 * types, which say what the file holds; the types last. */
	size_t total = k;
	for (size_t i = 0; i < np; i++)
		total += 1 + lens[i];
	if (bin && total > STEM_MAX) {
		size_t rest = total - 1 - lens[0];
		lens[0] = rest + 1 < STEM_MAX ? STEM_MAX - rest - 1 : 0;
	}
	for (size_t i = 0; i < np; i++) {
		if (i == 0 && bin && !lens[0])
			continue;
		PUT('.');
		for (size_t j = 0; j < lens[i]; j++) {
			unsigned char c = (unsigned char)parts[i][j];
			PUT((isalnum(c) || c == '-' || c == '_' || c == '.' || c == '+') ? (char)c
											 : '_');
		}
	}
#undef PUT
	size_t len = k;
	tmp[len] = '\0';
	if (n) {
		size_t c = len < n - 1 ? len : n - 1;
		memcpy(buf, tmp, c);
		buf[c] = '\0';
	}
	return len;
}
