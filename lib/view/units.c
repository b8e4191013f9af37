/*
 * units: pprof's way of showing values, so that `pprofc top` reads like
 * `go tool pprof -top`: nanoseconds as ms/s, bytes as kB/MB/GB (powers of
 * 1024), one output unit chosen for the whole report, two decimals with a
 * trailing ".00" dropped, and percentages with at least two digits.
 */
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "view/view.h"

typedef struct unit {
	const char *name;
	const char *aliases[4];
	double factor;
} unit;

typedef struct unit_type {
	const unit *units;
	size_t n;
	const unit *deflt;
} unit_type;

static const unit memory_units[] = {
	{ "B", { "b", "byte" }, 1 },
	{ "kB", { "kb", "kbyte", "kilobyte" }, 1024.0 },
	{ "MB", { "mb", "mbyte", "megabyte" }, 1048576.0 },
	{ "GB", { "gb", "gbyte", "gigabyte" }, 1073741824.0 },
	{ "TB", { "tb", "tbyte", "terabyte" }, 1099511627776.0 },
	{ "PB", { "pb", "pbyte", "petabyte" }, 1125899906842624.0 },
};

static const unit time_units[] = {
	{ "ns", { "ns", "nanosecond" }, 1 },	{ "us", { "\xce\xbcs", "us", "microsecond" }, 1e3 },
	{ "ms", { "ms", "millisecond" }, 1e6 }, { "s", { "s", "sec", "second" }, 1e9 },
	{ "hrs", { "hour", "hr" }, 3600e9 },
};

static const unit_type unit_types[] = {
	{ memory_units, sizeof(memory_units) / sizeof(memory_units[0]), &memory_units[0] },
	{ time_units, sizeof(time_units) / sizeof(time_units[0]), &time_units[3] },
};

/* pprof's sniffUnit: lower case, a plural 's' dropped, then an alias. */
static const unit *sniff(const unit_type *ut, const char *name)
{
	char low[32];
	size_t n = strlen(name);
	if (n >= sizeof(low))
		return NULL;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	if (n > 2 && low[n - 1] == 's')
		low[n - 1] = '\0';
	for (size_t i = 0; i < ut->n; i++)
		for (size_t a = 0; a < 4 && ut->units[i].aliases[a]; a++)
			if (!strcmp(low, ut->units[i].aliases[a]))
				return &ut->units[i];
	return NULL;
}

static bool is_auto(const char *to)
{
	return !strcmp(to, "minimum") || !strcmp(to, "auto");
}

double units_scale(int64_t value, const char *from, const char *to, const char **ret_unit)
{
	if (value < 0 && value != INT64_MIN) {
		double v = units_scale(-value, from, to, ret_unit);
		return -v;
	}
	for (size_t t = 0; t < sizeof(unit_types) / sizeof(unit_types[0]); t++) {
		const unit_type *ut = &unit_types[t];
		const unit *fu = sniff(ut, from);
		if (!fu)
			continue;
		double v = (double)value * fu->factor;
		if (is_auto(to)) {
			double f = 0;
			const char *name = NULL;
			for (size_t i = 0; i < ut->n; i++)
				if (ut->units[i].factor >= f && v / ut->units[i].factor >= 1.0) {
					f = ut->units[i].factor;
					name = ut->units[i].name;
				}
			if (name) {
				*ret_unit = name;
				return v / f;
			}
			*ret_unit = ut->deflt->name;
			return v / ut->deflt->factor;
		}
		const unit *tu = sniff(ut, to);
		if (!tu)
			tu = ut->deflt;
		*ret_unit = tu->name;
		return v / tu->factor;
	}
	if (is_auto(to) || !strcmp(to, "count") || !strcmp(to, "sample") || !strcmp(to, "unit"))
		*ret_unit = "";
	else
		*ret_unit = to;
	return (double)value;
}

/*
 * printf's floating-point formatting is most of the time of a large text
 * report (five numbers a row, 20,000 rows). These produce the same bytes
 * for the common cases and return false for the rest, which printf does.
 *
 * round2: v * 10^k rounded to an integer, as printf rounds the exact value
 * of v. The product carries a rounding error far below 10^-3 while it is
 * under 10^12, so the result is right unless it is that close to a tie.
 */
static bool round_scaled(double v, double scale, long long *ret)
{
	double x = v * scale;
	if (!(fabs(x) < 1e12))
		return false;
	double fl = floor(x), fr = x - fl;
	if (fabs(fr - 0.5) < 1e-3)
		return false;
	*ret = (long long)fl + (fr > 0.5);
	return true;
}

/* Digits of r (>= 0) with a '.' before the last `decimals`, at least one
 * digit before it; returns the length. */
static size_t put_decimal(char *buf, unsigned long long r, int decimals)
{
	char tmp[32];
	int i = 0;
	do {
		tmp[i++] = (char)('0' + r % 10);
		r /= 10;
	} while (r || i <= decimals);
	size_t k = 0;
	for (int j = i - 1; j >= 0; j--) {
		buf[k++] = tmp[j];
		if (j == decimals && decimals)
			buf[k++] = '.';
	}
	buf[k] = '\0';
	return k;
}

/* snprintf(buf, n, "%.2f", v); n >= 32. */
static void fixed2(char *buf, size_t n, double v)
{
	long long r;
	if (!round_scaled(v, 100, &r) || (r == 0 && signbit(v))) {
		snprintf(buf, n, "%.2f", v);
		return;
	}
	size_t k = 0;
	if (r < 0)
		buf[k++] = '-';
	put_decimal(buf + k, r < 0 ? 0 - (unsigned long long)r : (unsigned long long)r, 2);
}

/* A constant into buf, as snprintf(buf, n, "%s", s) would put it. */
static void put_const(char *buf, size_t n, const char *s)
{
	size_t len = strlen(s);
	if (n == 0)
		return;
	if (len >= n)
		len = n - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
}

static void format_label(char *buf, size_t n, double v, const char *u)
{
	char num[64];
	fixed2(num, sizeof(num), v);
	size_t len = strlen(num);
	if (len > 3 && !strcmp(num + len - 3, ".00"))
		num[len - 3] = '\0';
	if (!strcmp(num, "0") || !strcmp(num, "-0")) {
		put_const(buf, n, "0");
		return;
	}
	size_t ulen = strlen(u);
	len = strlen(num);
	if (len + ulen + 1 > n) {
		snprintf(buf, n, "%s%s", num, u);
		return;
	}
	memcpy(buf, num, len);
	memcpy(buf + len, u, ulen + 1);
}

void units_label(char *buf, size_t n, int64_t value, const char *from, const char *to)
{
	const char *u;
	double v = units_scale(value, from, to, &u);
	format_label(buf, n, v, u);
}

void units_fix(units_fixed *uf, const char *from, const char *to)
{
	/* The scale of a fixed target is a constant: resolve the names once
	 * rather than for every value of a report. */
	for (size_t t = 0; t < sizeof(unit_types) / sizeof(unit_types[0]); t++) {
		const unit *fu = sniff(&unit_types[t], from);
		if (!fu)
			continue;
		const unit *tu = sniff(&unit_types[t], to);
		if (!tu)
			tu = unit_types[t].deflt;
		uf->from = fu->factor;
		uf->to = tu->factor;
		uf->name = tu->name;
		return;
	}
	/* As units_scale: not a known unit, the value as it is. */
	uf->from = uf->to = 1;
	uf->name = (!strcmp(to, "count") || !strcmp(to, "sample") || !strcmp(to, "unit")) ? "" : to;
}

void units_label_fixed(char *buf, size_t n, int64_t value, const units_fixed *uf)
{
	/* the same operations as units_scale, so the same rounding */
	format_label(buf, n, (double)value * uf->from / uf->to, uf->name);
}

/* Right-aligns s in 5 columns and appends '%', as "%5s%%" does. */
static void pad5_percent(char *buf, size_t n, const char *s)
{
	size_t len = strlen(s), pad = len < 5 ? 5 - len : 0;
	if (pad + len + 2 > n) {
		snprintf(buf, n, "%5s%%", s);
		return;
	}
	memset(buf, ' ', pad);
	memcpy(buf + pad, s, len);
	buf[pad + len] = '%';
	buf[pad + len + 1] = '\0';
}

/* snprintf(buf, n, "%5.2g%%", r) for 0 < r < 1. %g with two significant
 * digits: fixed notation from 10^-4 up, trailing zeros dropped. */
static void percent_g(char *buf, size_t n, double r)
{
	/* The exponent: r in [10^-d, 10^(1-d)), away from the edges where
	 * the exact value could fall on the other side. */
	static const double lo[] = { 0, 0.1, 0.01, 0.001 };
	int d = 0;
	for (int k = 1; k <= 3 && !d; k++)
		if (r >= lo[k] * (1 + 1e-9))
			d = k;
	long long q;
	if (!d || r >= 1 - 1e-9 || r <= lo[d] * (1 + 1e-9) ||
	    !round_scaled(r,
			  d == 1   ? 100
			  : d == 2 ? 1000
				   : 10000,
			  &q) ||
	    q >= 100 || q < 10) {
		snprintf(buf, n, "%5.2g%%", r);
		return;
	}
	char num[16];
	size_t len = put_decimal(num, (unsigned long long)q, d + 1);
	if (num[len - 1] == '0')
		num[len - 1] = '\0';
	pad5_percent(buf, n, num);
}

void units_percent(char *buf, size_t n, int64_t value, int64_t total)
{
	double r = 0;
	if (total != 0)
		r = fabs((double)value / (double)total) * 100;
	if (r >= 99.95 && r <= 100.05) {
		put_const(buf, n, "  100%");
	} else if (r >= 1.0) {
		char num[64];
		fixed2(num, sizeof(num), r);
		pad5_percent(buf, n, num);
	} else if (r == 0) {
		put_const(buf, n, "    0%");
	} else {
		percent_g(buf, n, r);
	}
}
