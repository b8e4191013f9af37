/*
 * fetch: get a profile over HTTP(S) with libcurl, the way `go tool pprof`
 * does (host:port means /debug/pprof/profile, seconds= in the query, a
 * timeout derived from the duration), with the care curl takes: only http
 * and https, also on redirects (at most 10), a cap on the body counted as
 * bytes arrive, TLS verification on, credentials never in a message.
 *
 * The body stays in memory; the caller validates it as a profile (with
 * pprofc_profile_load_memory) before anything is saved, so a failed or
 * invalid transfer leaves nothing behind. A failed transfer's body is freed
 * as it ends, and with a done function the caller frees each good one as it
 * arrives: many URLs hold at most `jobs` bodies at once.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dlfcn.h>

#include <curl/curl.h>

#include "fetch/fetch.h"

/*
 * libcurl is loaded when the first fetch handle is made, not linked: its
 * dependencies (OpenSSL, GnuTLS, LDAP, SSH, ...) take long to load, and
 * every conversion of a local file would otherwise pay for them at start-up.
 */
static struct {
	CURLcode (*global_init)(long flags);
	CURLU *(*url)(void);
	void (*url_cleanup)(CURLU *u);
	CURLU *(*url_dup)(const CURLU *u);
	CURLUcode (*url_get)(const CURLU *u, CURLUPart what, char **part, unsigned int flags);
	CURLUcode (*url_set)(CURLU *u, CURLUPart what, const char *part, unsigned int flags);
	const char *(*url_strerror)(CURLUcode code);
	void (*free)(void *p);
	struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
	void (*slist_free_all)(struct curl_slist *list);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *h, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *h);
	CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *h);
	const char *(*easy_strerror)(CURLcode code);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_add_handle)(CURLM *m, CURL *h);
	CURLMcode (*multi_remove_handle)(CURLM *m, CURL *h);
	CURLMcode (*multi_perform)(CURLM *m, int *running);
	CURLMcode (*multi_poll)(CURLM *m, struct curl_waitfd extra[], unsigned int n, int ms,
				int *ret);
	CURLMsg *(*multi_info_read)(CURLM *m, int *left);
	CURLMcode (*multi_cleanup)(CURLM *m);
	const char *(*multi_strerror)(CURLMcode code);
} cu;

static char load_error[256];

static int load_curl(void)
{
	static int state; /* 0: not tried, 1: loaded, -1: failed */
	if (state)
		return state > 0;
	state = -1;
	void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		h = dlopen("libcurl-gnutls.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(load_error, sizeof(load_error), "cannot load libcurl: %s", dlerror());
		return 0;
	}
	/* POSIX's idiom for storing dlsym's result in a function pointer. */
#define LOAD(field)                                                            \
	do {                                                                   \
		*(void **)(&cu.field) = dlsym(h, "curl_" #field);              \
		if (!cu.field) {                                               \
			snprintf(load_error, sizeof(load_error),               \
				 "libcurl has no curl_" #field " (too old?)"); \
			return 0;                                              \
		}                                                              \
	} while (0)
	LOAD(global_init);
	LOAD(url);
	LOAD(url_cleanup);
	LOAD(url_dup);
	LOAD(url_get);
	LOAD(url_set);
	LOAD(url_strerror);
	LOAD(free);
	LOAD(slist_append);
	LOAD(slist_free_all);
	LOAD(easy_init);
	LOAD(easy_setopt);
	LOAD(easy_perform);
	LOAD(easy_getinfo);
	LOAD(easy_cleanup);
	LOAD(easy_strerror);
	LOAD(multi_init);
	LOAD(multi_add_handle);
	LOAD(multi_remove_handle);
	LOAD(multi_perform);
	LOAD(multi_poll);
	LOAD(multi_info_read);
	LOAD(multi_cleanup);
	LOAD(multi_strerror);
#undef LOAD
	if (cu.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(load_error, sizeof(load_error), "cannot initialise libcurl");
		return 0;
	}
	state = 1;
	return 1;
}

struct pprofc_fetch {
	CURLU *url;
	char *url_text;	    /* full URL, credentials included: never shown */
	char *url_redacted; /* what messages show */
	long seconds;	    /* -1: none in the URL */
	double timeout;	    /* 0: derived */
	struct curl_slist *headers;
	char *cacert, *cert, *key;
	int insecure;
	uint64_t max_body;
	pprofc_fetch_progress_fn progress;
	void *progress_ctx;
	pprofc_fetch_done_fn done;
	void *done_ctx;

	/* the response */
	unsigned char *body;
	size_t len, cap;
	long status;
	char *content_type;
	int go_pprof_header;
	int over_cap;
	double started;
	char errbuf[CURL_ERROR_SIZE];
	errstate err;
};

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

pprofc_fetch *pprofc_fetch_create(void)
{
	if (!load_curl())
		return NULL;
	pprofc_fetch *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->seconds = -1;
	f->max_body = PPROFC_DEFAULT_MAX_BODY;
	return f;
}

void pprofc_fetch_destroy(pprofc_fetch *f)
{
	if (!f)
		return;
	cu.url_cleanup(f->url);
	cu.free(f->url_text);
	free(f->url_redacted);
	cu.slist_free_all(f->headers);
	free(f->cacert);
	free(f->cert);
	free(f->key);
	free(f->body);
	free(f->content_type);
	free(f);
}

const char *pprofc_fetch_errmsg(const pprofc_fetch *f)
{
	if (f)
		return f->err.msg;
	return load_error[0] ? load_error : "out of memory";
}

pprofc_status pprofc_fetch_errcode(const pprofc_fetch *f)
{
	if (f)
		return f->err.code;
	return load_error[0] ? PPROFC_ERR_IO : PPROFC_ERR_NOMEM;
}

int pprofc_url_credentials(const char *s, size_t *ret_off, size_t *ret_len)
{
	const char *sep = strstr(s, "://");
	if (!sep)
		return 0;
	const char *auth = sep + 3;
	size_t n = strcspn(auth, "/?#");
	/* The last '@' ends the user information: a password may hold '@'
	 * unencoded, and curl reads it so. */
	const char *at = NULL;
	for (const char *c = auth; c < auth + n; c++)
		if (*c == '@')
			at = c;
	if (!at)
		return 0;
	*ret_off = (size_t)(auth - s);
	*ret_len = (size_t)(at - auth);
	return 1;
}

char *pprofc_url_redact(const char *s)
{
	size_t off, len;
	if (!pprofc_url_credentials(s, &off, &len))
		return strdup(s);
	size_t n = strlen(s);
	char *r = malloc(n + 1);
	if (!r)
		return NULL;
	memcpy(r, s, off);
	memcpy(r + off, s + off + len + 1, n - off - len); /* the '@' goes too */
	return r;
}

/* Rebuilds the texts after a change of the URL. */
static pprofc_status update_texts(pprofc_fetch *f)
{
	cu.free(f->url_text);
	free(f->url_redacted);
	f->url_text = f->url_redacted = NULL;
	if (cu.url_get(f->url, CURLUPART_URL, &f->url_text, 0) != CURLUE_OK ||
	    !(f->url_redacted = pprofc_url_redact(f->url_text)))
		return err_set(&f->err, PPROFC_ERR_NOMEM, "out of memory");
	return PPROFC_OK;
}

/* The seconds= value of the query, or -1. */
static long query_seconds(const char *query)
{
	for (const char *q = query; q && *q;) {
		if (!strncmp(q, "seconds=", 8)) {
			char *end;
			long v = strtol(q + 8, &end, 10);
			return (end != q + 8 && (*end == '&' || !*end) && v >= 0) ? v : -1;
		}
		q = strchr(q, '&');
		if (q)
			q++;
	}
	return -1;
}

int pprofc_fetch_is_url(const char *s)
{
	/* Any scheme: set_url then says which ones are supported. */
	const char *sep = strstr(s, "://");
	if (sep && sep > s) {
		const char *c = s;
		while (c < sep &&
		       (isalnum((unsigned char)*c) || *c == '+' || *c == '-' || *c == '.'))
			c++;
		if (c == sep)
			return 1;
	}
	/* host:port[/path], as go tool pprof takes it */
	const char *colon = strchr(s, ':');
	if (!colon || colon == s)
		return 0;
	for (const char *c = s; c < colon; c++)
		if (!isalnum((unsigned char)*c) && *c != '.' && *c != '-' && *c != '_')
			return 0;
	const char *d = colon + 1;
	if (!isdigit((unsigned char)*d))
		return 0;
	while (isdigit((unsigned char)*d))
		d++;
	return *d == '\0' || *d == '/';
}

pprofc_status pprofc_fetch_set_url(pprofc_fetch *f, const char *spec)
{
	char *owned = NULL;
	if (!strstr(spec, "://")) {
		size_t n = strlen(spec) + 8;
		owned = malloc(n);
		if (!owned)
			return err_set(&f->err, PPROFC_ERR_NOMEM, "out of memory");
		snprintf(owned, n, "http://%s", spec);
		spec = owned;
	}
	CURLU *u = cu.url();
	if (!u) {
		free(owned);
		return err_set(&f->err, PPROFC_ERR_NOMEM, "out of memory");
	}
	CURLUcode rc = cu.url_set(u, CURLUPART_URL, spec, 0);
	free(owned);
	if (rc != CURLUE_OK) {
		cu.url_cleanup(u);
		return err_set(&f->err, PPROFC_ERR_USAGE, "not a valid URL: %s",
			       cu.url_strerror(rc));
	}
	char *scheme = NULL, *path = NULL, *query = NULL;
	cu.url_get(u, CURLUPART_SCHEME, &scheme, 0);
	if (!scheme || (strcmp(scheme, "http") && strcmp(scheme, "https"))) {
		cu.free(scheme);
		cu.url_cleanup(u);
		return err_set(&f->err, PPROFC_ERR_USAGE, "only http and https URLs are supported");
	}
	cu.free(scheme);
	/* No path: the CPU profile, as go tool pprof assumes. */
	cu.url_get(u, CURLUPART_PATH, &path, 0);
	if (!path || !strcmp(path, "/") || !*path)
		cu.url_set(u, CURLUPART_PATH, "/debug/pprof/profile", 0);
	cu.free(path);
	cu.url_get(u, CURLUPART_QUERY, &query, 0);
	f->seconds = query_seconds(query);
	cu.free(query);
	cu.url_cleanup(f->url);
	f->url = u;
	return update_texts(f);
}

pprofc_status pprofc_fetch_set_seconds(pprofc_fetch *f, long seconds)
{
	if (!f->url)
		return err_set(&f->err, PPROFC_ERR_USAGE, "no URL set");
	/* Replace any seconds= and keep the other parameters in order. */
	char *query = NULL;
	cu.url_get(f->url, CURLUPART_QUERY, &query, 0);
	size_t n = (query ? strlen(query) : 0) + 32;
	char *nq = malloc(n);
	if (!nq) {
		cu.free(query);
		return err_set(&f->err, PPROFC_ERR_NOMEM, "out of memory");
	}
	nq[0] = '\0';
	for (char *q = query, *next; q && *q; q = next) {
		next = strchr(q, '&');
		if (next)
			*next++ = '\0';
		if (strncmp(q, "seconds=", 8) && *q) {
			strcat(nq, q);
			strcat(nq, "&");
		}
	}
	snprintf(nq + strlen(nq), n - strlen(nq), "seconds=%ld", seconds);
	cu.free(query);
	CURLUcode rc = cu.url_set(f->url, CURLUPART_QUERY, nq, 0);
	free(nq);
	if (rc != CURLUE_OK)
		return err_set(&f->err, PPROFC_ERR_USAGE, "cannot set the query: %s",
			       cu.url_strerror(rc));
	f->seconds = seconds;
	return update_texts(f);
}

const char *pprofc_fetch_url(const pprofc_fetch *f)
{
	return f->url_redacted ? f->url_redacted : "";
}

long pprofc_fetch_seconds(const pprofc_fetch *f)
{
	return f->seconds;
}

void pprofc_fetch_set_timeout(pprofc_fetch *f, double seconds)
{
	f->timeout = seconds;
}

double pprofc_fetch_timeout(const pprofc_fetch *f)
{
	if (f->timeout > 0)
		return f->timeout;
	/* go tool pprof: 1.5 x the duration when known, else 60 s, plus 5 s.
	 * A CPU profile without seconds= takes the server's default, 30 s. */
	double d = 60;
	if (f->seconds >= 0) {
		d = 1.5 * (double)f->seconds;
	} else if (f->url_text) {
		char *path = NULL;
		cu.url_get(f->url, CURLUPART_PATH, &path, 0);
		size_t n = path ? strlen(path) : 0;
		if (n >= 8 && !strcmp(path + n - 8, "/profile"))
			d = 45;
		cu.free(path);
	}
	return d + 5;
}

pprofc_status pprofc_fetch_add_header(pprofc_fetch *f, const char *header)
{
	const char *colon = strchr(header, ':');
	if (!colon || colon == header || strpbrk(header, "\r\n"))
		return err_set(&f->err, PPROFC_ERR_USAGE, "a header is 'Name: value', got '%s'",
			       header);
	struct curl_slist *l = cu.slist_append(f->headers, header);
	if (!l)
		return err_set(&f->err, PPROFC_ERR_NOMEM, "out of memory");
	f->headers = l;
	return PPROFC_OK;
}

static int set_str(char **dst, const char *src)
{
	free(*dst);
	*dst = src ? strdup(src) : NULL;
	return !src || *dst;
}

pprofc_status pprofc_fetch_set_tls(pprofc_fetch *f, const char *cacert, const char *cert,
				   const char *key, int insecure)
{
	if (!set_str(&f->cacert, cacert) || !set_str(&f->cert, cert) || !set_str(&f->key, key))
		return err_set(&f->err, PPROFC_ERR_NOMEM, "out of memory");
	f->insecure = insecure;
	return PPROFC_OK;
}

void pprofc_fetch_set_max_body(pprofc_fetch *f, uint64_t bytes)
{
	f->max_body = bytes ? bytes : PPROFC_DEFAULT_MAX_BODY;
}

void pprofc_fetch_set_progress(pprofc_fetch *f, pprofc_fetch_progress_fn fn, void *ctx)
{
	f->progress = fn;
	f->progress_ctx = ctx;
}

void pprofc_fetch_set_done(pprofc_fetch *f, pprofc_fetch_done_fn fn, void *ctx)
{
	f->done = fn;
	f->done_ctx = ctx;
}

void pprofc_fetch_free_body(pprofc_fetch *f)
{
	free(f->body);
	f->body = NULL;
	f->len = f->cap = 0;
}

/* The outcome of f is known. A failed transfer's body (up to the cap) is
 * freed now, not when the handle is: n failures must not hold n bodies. */
static pprofc_status settle(pprofc_fetch *f, pprofc_status st)
{
	if (st != PPROFC_OK)
		pprofc_fetch_free_body(f);
	if (f->done)
		f->done(f->done_ctx, f, st);
	return st;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	pprofc_fetch *f = ctx;
	size_t n = size * nmemb;
	if (f->len + n > f->max_body) {
		f->over_cap = 1;
		return 0; /* makes libcurl stop with CURLE_WRITE_ERROR */
	}
	if (f->len + n > f->cap) {
		size_t ncap = f->cap ? f->cap * 2 : 1 << 16;
		while (ncap < f->len + n)
			ncap *= 2;
		unsigned char *nb = realloc(f->body, ncap);
		if (!nb)
			return 0;
		f->body = nb;
		f->cap = ncap;
	}
	memcpy(f->body + f->len, data, n);
	f->len += n;
	return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ctx)
{
	pprofc_fetch *f = ctx;
	size_t n = size * nmemb;
	/* A new status line starts another response (a redirect's target). */
	if (n >= 5 && !strncmp(data, "HTTP/", 5))
		f->go_pprof_header = 0;
	if (n >= 11 && !strncasecmp(data, "X-Go-Pprof:", 11))
		f->go_pprof_header = 1;
	return n;
}

static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	(void)ultotal;
	(void)ulnow;
	pprofc_fetch *f = ctx;
	if (!f->progress)
		return 0;
	pprofc_fetch_progress pr = {
		.elapsed = now_seconds() - f->started,
		.seconds = f->seconds,
		.received = (uint64_t)dlnow,
		.expected = dltotal > 0 ? (uint64_t)dltotal : 0,
	};
	return f->progress(f->progress_ctx, &pr) ? 1 : 0;
}

/* The server's own words (X-Go-Pprof + text/plain), on one safe line. */
static void server_text(const pprofc_fetch *f, char *buf, size_t n)
{
	/* trailing white space dropped (Go ends it with a newline), the rest
	 * escaped as names are */
	size_t len = f->len;
	while (len && strchr(" \t\n\r\v\f", f->body[len - 1]) && f->body[len - 1])
		len--;
	escape_name_buf(buf, n, (const char *)f->body, len);
}

/*
 * What a completed response must be: HTTP 200 with a body that may be a
 * profile. Separate from the transfer so that the fuzzer can reach it.
 */
pprofc_status fetch_check(pprofc_fetch *f)
{
	pprofc_status st = PPROFC_OK;
	int text = f->content_type && !strncmp(f->content_type, "text/plain", 10);
	if (f->status != 200) {
		char msg[300];
		if (f->go_pprof_header && text && f->len) {
			server_text(f, msg, sizeof(msg));
			return err_set(&f->err, PPROFC_ERR_IO, "server says (HTTP %ld): %s",
				       f->status, msg);
		}
		return err_set(&f->err, PPROFC_ERR_IO, "the server answered HTTP %ld", f->status);
	}
	/* A profile is gzip or protobuf; an HTML login page or a JSON error is
	 * named by its type rather than decoded as garbage. */
	if (f->len >= 2 && f->body[0] == 0x1f && f->body[1] == 0x8b)
		return st;
	if (f->content_type &&
	    (!strncmp(f->content_type, "text/", 5) || strstr(f->content_type, "json") ||
	     strstr(f->content_type, "xml"))) {
		/* The server's words go to a terminal: escaped as names are. */
		char ct[128];
		escape_name_buf(ct, sizeof(ct), f->content_type, strlen(f->content_type));
		return err_set(&f->err, PPROFC_ERR_DECODE, "the server sent %s, not a profile", ct);
	}
	if (f->len == 0)
		return err_set(&f->err, PPROFC_ERR_DECODE, "the server sent an empty response");
	return st;
}

/* An easy handle with everything this fetch asks for; NULL when libcurl
 * cannot make one. The response fields are reset. */
static CURL *easy_begin(pprofc_fetch *f)
{
	CURL *h = cu.easy_init();
	if (!h)
		return NULL;
	double timeout = pprofc_fetch_timeout(f);
	f->errbuf[0] = '\0';
	f->len = 0;
	f->over_cap = 0;
	f->status = 0;
	f->go_pprof_header = 0;
	f->started = now_seconds();

	cu.easy_setopt(h, CURLOPT_CURLU, f->url);
	cu.easy_setopt(h, CURLOPT_ERRORBUFFER, f->errbuf);
	cu.easy_setopt(h, CURLOPT_PRIVATE, f);
	cu.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	cu.easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	cu.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	cu.easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
	cu.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	cu.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	cu.easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(timeout * 1000));
	cu.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	cu.easy_setopt(h, CURLOPT_WRITEDATA, f);
	cu.easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	cu.easy_setopt(h, CURLOPT_HEADERDATA, f);
	cu.easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	cu.easy_setopt(h, CURLOPT_XFERINFODATA, f);
	cu.easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	cu.easy_setopt(h, CURLOPT_USERAGENT, "pprofc/" PPROFC_VERSION);
	/* A body bigger than the cap is refused before it arrives, when the
	 * server says its size. */
	cu.easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f->max_body);
	if (f->headers)
		cu.easy_setopt(h, CURLOPT_HTTPHEADER, f->headers);
	if (f->cacert)
		cu.easy_setopt(h, CURLOPT_CAINFO, f->cacert);
	if (f->cert)
		cu.easy_setopt(h, CURLOPT_SSLCERT, f->cert);
	if (f->key)
		cu.easy_setopt(h, CURLOPT_SSLKEY, f->key);
	if (f->insecure) {
		cu.easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		cu.easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	return h;
}

/* The outcome of a finished transfer, in our words; frees the handle. */
static pprofc_status easy_end(pprofc_fetch *f, CURL *h, CURLcode rc)
{
	char *ct = NULL;
	cu.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &f->status);
	cu.easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
	free(f->content_type);
	f->content_type = ct ? strdup(ct) : NULL;
	cu.easy_cleanup(h);

	switch (rc) {
	case CURLE_OK:
		break;
	case CURLE_ABORTED_BY_CALLBACK:
		return err_set(&f->err, PPROFC_ERR_IO, "interrupted");
	case CURLE_OPERATION_TIMEDOUT:
		return err_set(&f->err, PPROFC_ERR_IO, "timed out after %.0f seconds",
			       pprofc_fetch_timeout(f));
	case CURLE_TOO_MANY_REDIRECTS:
		return err_set(&f->err, PPROFC_ERR_IO, "more than 10 redirects");
	case CURLE_UNSUPPORTED_PROTOCOL:
		return err_set(&f->err, PPROFC_ERR_IO,
			       "redirected to a URL that is not http or https; refused");
	case CURLE_FILESIZE_EXCEEDED:
		return err_set(&f->err, PPROFC_ERR_LIMIT,
			       "the response is larger than the limit of %llu bytes",
			       (unsigned long long)f->max_body);
	case CURLE_WRITE_ERROR:
		if (f->over_cap)
			return err_set(&f->err, PPROFC_ERR_LIMIT,
				       "the response is larger than the limit of %llu bytes",
				       (unsigned long long)f->max_body);
		return err_set(&f->err, PPROFC_ERR_NOMEM, "out of memory for the response");
	case CURLE_PARTIAL_FILE:
		return err_set(
			&f->err, PPROFC_ERR_IO,
			"the connection closed before the whole response arrived (%zu bytes)",
			f->len);
	default:
		return err_set(&f->err, PPROFC_ERR_IO, "%s",
			       f->errbuf[0] ? f->errbuf : cu.easy_strerror(rc));
	}
	return fetch_check(f);
}

pprofc_status pprofc_fetch_run(pprofc_fetch *f)
{
	if (!f->url)
		return settle(f, err_set(&f->err, PPROFC_ERR_USAGE, "no URL set"));
	CURL *h = easy_begin(f);
	if (!h)
		return settle(f, err_set(&f->err, PPROFC_ERR_NOMEM, "cannot initialise libcurl"));
	return settle(f, easy_end(f, h, cu.easy_perform(h)));
}

/* The transfers of pprofc_fetch_run_all on one multi handle: live[i] is
 * fs[i]'s while it runs, at most `jobs` at once; next is the first not
 * started. */
typedef struct batch {
	CURLM *multi;
	pprofc_fetch *const *fs;
	size_t n, jobs, next, running;
	CURL **live;
	pprofc_status *ret;
} batch;

/* Nothing could start: every handle not settled yet fails alike. */
static pprofc_status fail_unsettled(pprofc_fetch *const *fs, size_t n, pprofc_status *ret,
				    pprofc_status st, const char *msg)
{
	for (size_t i = 0; i < n; i++)
		if (ret[i] == PPROFC_OK)
			ret[i] = settle(fs[i], err_set(&fs[i]->err, st, "%s", msg));
	return st;
}

/* Starts transfers up to the bound; one that cannot start fails at once. */
static void start_transfers(batch *b)
{
	while (b->running < b->jobs && b->next < b->n) {
		size_t i = b->next++;
		if (b->ret[i] != PPROFC_OK)
			continue;
		CURL *h = easy_begin(b->fs[i]);
		if (!h || cu.multi_add_handle(b->multi, h) != CURLM_OK) {
			if (h)
				cu.easy_cleanup(h);
			b->ret[i] = settle(b->fs[i], err_set(&b->fs[i]->err, PPROFC_ERR_NOMEM,
							     "cannot initialise libcurl"));
			continue;
		}
		b->live[i] = h;
		b->running++;
	}
}

/* Moves the transfers on, and settles each one that ended at once: the
 * caller may take the body and free it, so that no more than `jobs`
 * bodies are ever held. */
static CURLMcode finish_transfers(batch *b)
{
	int still, left;
	CURLMcode mc = cu.multi_perform(b->multi, &still);
	CURLMsg *msg;
	while (mc == CURLM_OK && (msg = cu.multi_info_read(b->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		CURL *h = msg->easy_handle;
		CURLcode rc = msg->data.result;
		size_t i;
		for (i = 0; i < b->n && b->live[i] != h; i++)
			;
		cu.multi_remove_handle(b->multi, h);
		if (i == b->n) {
			cu.easy_cleanup(h);
			continue;
		}
		b->live[i] = NULL;
		b->running--;
		b->ret[i] = settle(b->fs[i], easy_end(b->fs[i], h, rc));
	}
	return mc;
}

/* Waits for the live transfers when no other can be started meanwhile:
 * all are started, or as many as may run. */
static CURLMcode wait_transfers(batch *b)
{
	if (b->running && (b->next >= b->n || b->running == b->jobs))
		return cu.multi_poll(b->multi, NULL, 0, 1000, NULL);
	return CURLM_OK;
}

/* The multi handle itself failed: so does every live transfer, and every
 * one not started. */
static void fail_batch(batch *b, CURLMcode mc)
{
	for (size_t i = 0; i < b->n; i++) {
		if (b->live[i]) {
			cu.multi_remove_handle(b->multi, b->live[i]);
			cu.easy_cleanup(b->live[i]);
			b->live[i] = NULL;
		} else if (i < b->next || b->ret[i] != PPROFC_OK) {
			continue;
		}
		b->ret[i] = settle(b->fs[i], err_set(&b->fs[i]->err, PPROFC_ERR_IO, "libcurl: %s",
						     cu.multi_strerror(mc)));
	}
}

/*
 * Many fetches on one thread with libcurl's multi interface: at most `jobs`
 * transfers at once, a new one started as each ends, so N captures of S
 * seconds take about S seconds when N <= jobs, not N x S.
 */
pprofc_status pprofc_fetch_run_all(pprofc_fetch *const *fs, size_t n, size_t jobs,
				   pprofc_status *ret_status)
{
	if (n == 0)
		return PPROFC_OK;
	if (!fs[0] || !load_curl())
		return PPROFC_ERR_USAGE;
	for (size_t i = 0; i < n; i++)
		ret_status[i] = fs[i]->url ? PPROFC_OK
					   : settle(fs[i], err_set(&fs[i]->err, PPROFC_ERR_USAGE,
								   "no URL set"));
	batch b = { .fs = fs, .n = n, .jobs = jobs ? jobs : 1, .ret = ret_status };
	b.multi = cu.multi_init();
	if (!b.multi)
		return fail_unsettled(fs, n, ret_status, PPROFC_ERR_NOMEM,
				      "cannot initialise libcurl");
	b.live = calloc(n, sizeof(*b.live));
	if (!b.live) {
		cu.multi_cleanup(b.multi);
		return fail_unsettled(fs, n, ret_status, PPROFC_ERR_NOMEM, "out of memory");
	}
	for (;;) {
		start_transfers(&b);
		if (b.running == 0)
			break;
		CURLMcode mc = finish_transfers(&b);
		if (mc == CURLM_OK)
			mc = wait_transfers(&b);
		if (mc != CURLM_OK) {
			fail_batch(&b, mc);
			break;
		}
	}
	free(b.live);
	cu.multi_cleanup(b.multi);
	for (size_t i = 0; i < n; i++)
		if (ret_status[i] != PPROFC_OK)
			return ret_status[i];
	return PPROFC_OK;
}

const void *pprofc_fetch_body(const pprofc_fetch *f, size_t *ret_len)
{
	*ret_len = f->len;
	return f->body;
}

long pprofc_fetch_http_status(const pprofc_fetch *f)
{
	return f->status;
}

pprofc_status fetch_set_response(pprofc_fetch *f, long status, const char *content_type,
				 int go_pprof_header, const void *body, size_t len)
{
	free(f->content_type);
	f->content_type = content_type ? strdup(content_type) : NULL;
	free(f->body);
	f->body = len ? malloc(len) : NULL;
	if ((content_type && !f->content_type) || (len && !f->body))
		return err_set(&f->err, PPROFC_ERR_NOMEM, "out of memory");
	if (len)
		memcpy(f->body, body, len);
	f->len = f->cap = len;
	f->status = status;
	f->go_pprof_header = go_pprof_header;
	return fetch_check(f);
}
