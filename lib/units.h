/* units: pprof-style value scaling and percentages (units.c). */
#ifndef PPROFC_UNITS_H
#define PPROFC_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Scale `value` from unit `from` to `to` ("minimum"/"auto" pick the largest
 * unit in which the value is at least 1). *ret_unit is a static name, ""
 * for counts. */
double units_scale(int64_t value, const char *from, const char *to, const char **ret_unit);

/* pprof's ScaledLabel: "1.50s", "670ms", "12MB", "0". */
void units_label(char *buf, size_t n, int64_t value, const char *from, const char *to);

/* A resolved conversion to a fixed unit (not "minimum" or "auto"). */
typedef struct units_fixed {
	double from, to; /* factors to the base unit */
	const char *name;
} units_fixed;

void units_fix(units_fixed *uf, const char *from, const char *to);
/* units_label with a resolved conversion: the same text, faster. */
void units_label_fixed(char *buf, size_t n, int64_t value, const units_fixed *uf);

/* pprof's Percentage: "  100%", "49.25%", "0.52%". */
void units_percent(char *buf, size_t n, int64_t value, int64_t total);

#endif
