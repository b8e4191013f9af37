/*
 * out: the buffered text writer every output format goes through. It
 * collects bytes in a 64 KiB buffer and hands them to the caller's sink in
 * large chunks; the first failed write stops all further output and turns
 * into PPROFC_ERR_IO at out_finish().
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"

void out_init(out *o, const pprofc_sink *sink)
{
	o->sink = sink;
	o->n = 0;
	o->failed = false;
}

void out_flush(out *o)
{
	if (o->n && !o->failed && o->sink->write(o->sink->ctx, o->buf, o->n) != 0)
		o->failed = true;
	o->n = 0;
}

void out_write_slow(out *o, const void *data, size_t len)
{
	if (o->failed)
		return;
	if (len > sizeof(o->buf) - o->n) {
		out_flush(o);
		if (len >= sizeof(o->buf)) {
			if (!o->failed && o->sink->write(o->sink->ctx, data, len) != 0)
				o->failed = true;
			return;
		}
	}
	memcpy(o->buf + o->n, data, len);
	o->n += len;
}

void out_str(out *o, const char *s)
{
	out_write(o, s, strlen(s));
}

const char out_digit_pairs[201] = "00010203040506070809"
				  "10111213141516171819"
				  "20212223242526272829"
				  "30313233343536373839"
				  "40414243444546474849"
				  "50515253545556575859"
				  "60616263646566676869"
				  "70717273747576777879"
				  "80818283848586878889"
				  "90919293949596979899";

const uint64_t out_pow10[20] = { 1ull,
				 10ull,
				 100ull,
				 1000ull,
				 10000ull,
				 100000ull,
				 1000000ull,
				 10000000ull,
				 100000000ull,
				 1000000000ull,
				 10000000000ull,
				 100000000000ull,
				 1000000000000ull,
				 10000000000000ull,
				 100000000000000ull,
				 1000000000000000ull,
				 10000000000000000ull,
				 100000000000000000ull,
				 1000000000000000000ull,
				 10000000000000000000ull };

void out_u64(out *o, uint64_t v)
{
	out_done(o, fmt_u64(out_room(o, 20), v));
}

void out_i64(out *o, int64_t v)
{
	out_done(o, fmt_i64(out_room(o, 20), v));
}

void out_fmt(out *o, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	out_write(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* The escaping is fmt_name_escaped's, a piece at a time into a buffer
 * of its own; a piece never ends inside a UTF-8 sequence, so that a
 * character is judged whole. */
bool escape_name(const char *s, size_t len, bool (*put)(void *ctx, const char *p, size_t n),
		 void *ctx)
{
	char tmp[4 * 256];
	do {
		size_t n = len < 256 ? len : 256;
		/* a sequence crossing the cut starts at most 3 bytes before it */
		size_t k = 0;
		while (n < len && k < 3 && ((unsigned char)s[n - k] & 0xc0) == 0x80)
			k++;
		if (n < len && k && ((unsigned char)s[n - k] & 0xc0) != 0x80)
			n -= k;
		if (!put(ctx, tmp, (size_t)(fmt_name_escaped(tmp, s, n) - tmp)))
			return false;
		s += n;
		len -= n;
	} while (len);
	return true;
}

static bool put_out(void *ctx, const char *p, size_t n)
{
	out_write(ctx, p, n);
	return true;
}

void out_name_escaped(out *o, const char *s, size_t len)
{
	/* in place when even fully escaped it fits the buffer */
	if (len <= sizeof(o->buf) / 4)
		out_done(o, fmt_name_escaped(out_room(o, 4 * len), s, len));
	else
		escape_name(s, len, put_out, o);
}

/*
 * One character at s (n bytes left, n > 0) as a name shows it, into p
 * (room for 6); *used is how many bytes of s it was. Printable text stays
 * as it is; what would steer a terminal, or reorder the text after it, is
 * written out: C0 controls, DEL and bytes 0x80-0x9f outside valid UTF-8 as
 * \xHH, the C1 controls U+0080-U+009F and the bidi embeddings, overrides
 * (U+202A-U+202E) and isolates (U+2066-U+2069) as \uHHHH, as Go's %q
 * writes them. Other bytes outside valid UTF-8 pass, as pprof passes them.
 */
static inline char *fmt_char_escaped(char *p, const unsigned char *s, size_t n, size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c = s[0];
	*used = 1;
	if (c >= 0x20 && c != 0x7f && c < 0x80) {
		*p = (char)c;
		return p + 1;
	}
	if (c >= 0x80) {
		size_t u = utf8_len(s, n);
		uint32_t cp = 0;
		if (u == 2 && c == 0xc2 && s[1] < 0xa0)
			cp = s[1];
		else if (u == 3 && c == 0xe2 &&
			 ((s[1] == 0x80 && s[2] >= 0xaa && s[2] <= 0xae) ||
			  (s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9)))
			cp = 0x2000u | (uint32_t)(s[1] & 0x3f) << 6 | (uint32_t)(s[2] & 0x3f);
		if (cp) {
			*used = u;
			memcpy(p, "\\u", 2);
			p[2] = hex[cp >> 12];
			p[3] = hex[cp >> 8 & 15];
			p[4] = hex[cp >> 4 & 15];
			p[5] = hex[cp & 15];
			return p + 6;
		}
		if (u) {
			*used = u;
			memcpy(p, s, u);
			return p + u;
		}
		if (c >= 0xa0) {
			*p = (char)c;
			return p + 1;
		}
	}
	p[0] = '\\';
	p[1] = 'x';
	p[2] = hex[c >> 4];
	p[3] = hex[c & 15];
	return p + 4;
}

char *fmt_name_escaped(char *p, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i];
		if (c >= 0x20 && c < 0x7f) {
			*p++ = (char)c;
			i++;
			continue;
		}
		size_t used;
		p = fmt_char_escaped(p, s + i, len - i, &used);
		i += used;
	}
	return p;
}

size_t escape_name_buf(char *buf, size_t size, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t k = 0, i = 0;
	while (i < len) {
		char tmp[6];
		size_t used, w = (size_t)(fmt_char_escaped(tmp, s + i, len - i, &used) - tmp);
		if (w >= size - k)
			break;
		memcpy(buf + k, tmp, w);
		k += w;
		i += used;
	}
	buf[k] = '\0';
	return k;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates and code points past U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * The end of the run from i of what JSON and DOT strings keep as it is:
 * printable ASCII but '"' and '\\', DEL, and valid UTF-8 whole. The byte
 * there, when i < len, is one to escape: a quote, a backslash, a control
 * byte or a byte outside valid UTF-8. Inline: it is the whole walk of
 * every name a JSON or DOT writer puts.
 */
static inline size_t quoted_run(const unsigned char *s, size_t i, size_t len)
{
	while (i < len) {
		unsigned char c = s[i];
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		size_t u = c >= 0x80 ? utf8_len(s + i, len - i) : 0;
		if (!u)
			break;
		i += u;
	}
	return i;
}

void out_json_str(out *o, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	out_char(o, '"');
	for (size_t i = 0;; i++) {
		size_t j = quoted_run(s, i, len);
		out_write(o, s + i, j - i);
		if (j == len)
			break;
		i = j;
		unsigned char c = s[i];
		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };
			out_write(o, esc, 2);
		} else if (c == '\n') {
			out_write(o, "\\n", 2);
		} else if (c == '\t') {
			out_write(o, "\\t", 2);
		} else if (c < 0x20) {
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			out_write(o, esc, 6);
		} else {
			out_write(o, "\\ufffd", 6);
		}
	}
	out_char(o, '"');
}

pprofc_status out_finish(out *o, errstate *e)
{
	out_flush(o);
	if (o->failed)
		return err_set(e, PPROFC_ERR_IO, "write failed");
	return PPROFC_OK;
}

void out_padded(out *o, const char *s, size_t width)
{
	size_t len = strlen(s);
	for (; len < width; width--)
		out_char(o, ' ');
	out_write(o, s, len);
}

bool dot_escape(const char *str, size_t len, bool (*put)(void *ctx, const char *p, size_t n),
		void *ctx)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	for (size_t i = 0;; i++) {
		size_t j = quoted_run(s, i, len);
		if (!put(ctx, str + i, j - i))
			return false;
		if (j == len)
			return true;
		i = j;
		unsigned char c = s[i];
		bool ok;
		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };
			ok = put(ctx, esc, 2);
		} else if (c == '\n') {
			ok = put(ctx, "\\l", 2); /* as pprof: a left-justified break */
		} else if (c < 0x80) {
			/* a visible \xHH: the backslash itself escaped for DOT */
			char esc[5] = { '\\', '\\', 'x', hex[c >> 4], hex[c & 15] };
			ok = put(ctx, esc, 5);
		} else {
			ok = put(ctx, "\xef\xbf\xbd", 3); /* U+FFFD: DOT reads UTF-8 */
		}
		if (!ok)
			return false;
	}
}

void out_dot_str(out *o, const char *s, size_t len)
{
	/* Graphviz refuses a quoted string over 16384 bytes: a name is cut
	 * (on a character's start) so that two of them, escaped, still fit */
	if (len > DOT_NAME_MAX) {
		len = DOT_NAME_MAX;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
		dot_escape(s, len, put_out, o);
		out_str(o, "\xe2\x80\xa6");
		return;
	}
	dot_escape(s, len, put_out, o);
}
