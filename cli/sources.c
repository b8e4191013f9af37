/*
 * Several SOURCE operands, and --base/--diff-base: read them all (URLs
 * fetched concurrently), then merge them the way go tool pprof does --
 * sources into one profile, bases into another, and the bases, negated,
 * into the sources.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static bool is_url(const char *s)
{
	/* An existing file wins over a name that merely looks like host:port. */
	return strcmp(s, "-") && access(s, F_OK) != 0 && pprofc_fetch_is_url(s);
}

char *sources_label(const common_opts *co)
{
	size_t n = 1;
	for (size_t i = 0; i < co->nsources; i++)
		n += strlen(co->sources[i]) + 1;
	char *s = malloc(n);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < co->nsources; i++) {
		char *r = pprofc_url_redact(co->sources[i]);
		if (!r) {
			free(s);
			return NULL;
		}
		if (i)
			strcat(s, " ");
		strcat(s, r); /* never longer than the source */
		free(r);
	}
	return s;
}

static const char *shown(const char *name)
{
	return strcmp(name, "-") ? name : "standard input";
}

/*
 * Reads names[0..n) into ps (NULL where one failed, its error printed);
 * URLs together, at most --jobs at once. Returns EXIT_USAGE when a request
 * is malformed (nothing is fetched then), else EXIT_OK.
 */
static int read_all(const char *const *names, size_t n, const common_opts *o, pprofc_profile **ps)
{
	const char **urls = calloc(n + 1, sizeof(*urls));
	size_t *at = calloc(n + 1, sizeof(*at));
	pprofc_profile **got = calloc(n + 1, sizeof(*got));
	if (!urls || !at || !got) {
		free(urls);
		free(at);
		free(got);
		error("out of memory");
		return EXIT_FAIL;
	}
	size_t nurls = 0;
	for (size_t i = 0; i < n; i++) {
		ps[i] = NULL;
		if (is_url(names[i])) {
			at[nurls] = i;
			urls[nurls++] = names[i];
		}
	}
	int rc = EXIT_OK;
	if (nurls == 1)
		rc = fetch_and_save(urls[0], o, NULL, &got[0]);
	else if (nurls > 1)
		rc = fetch_many(urls, nurls, o, got);
	if (rc == EXIT_USAGE) {
		free(urls);
		free(at);
		free(got);
		return rc;
	}
	for (size_t k = 0; k < nurls; k++)
		ps[at[k]] = got[k];
	for (size_t i = 0; i < n; i++)
		if (!is_url(names[i]) && load_profile(names[i], o, &ps[i]) != EXIT_OK)
			ps[i] = NULL;
	free(urls);
	free(at);
	free(got);
	return EXIT_OK;
}

/* Merges the profiles read (ps[i] non-NULL) into *ret; each is consumed.
 * A single profile is taken as it is: a file's own samples, unmerged. */
static int merge_read(const char *const *names, pprofc_profile **ps, size_t n, const common_opts *o,
		      const char *what, pprofc_profile **ret)
{
	pprofc_profile **ok = calloc(n + 1, sizeof(*ok));
	const char **okname = calloc(n + 1, sizeof(*okname));
	size_t k = 0;
	int rc = EXIT_OK;
	if (!ok || !okname) {
		error("out of memory");
		rc = EXIT_FAIL;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (ps[i]) {
			okname[k] = names[i];
			ok[k++] = ps[i];
		}
	if (k < n) {
		if (!o->keep_going || k == 0) {
			if (k == 0 && n > 1)
				error("none of the %zu %s could be read", n, what);
			else if (k > 0)
				error("%zu of %zu %s could not be read (--keep-going merges the "
				      "rest)",
				      n - k, n, what);
			rc = EXIT_FAIL;
			goto out;
		}
		error("warning: read %zu of %zu %s", k, n, what);
	}
	/* go tool pprof merges even one profile before comparing it, and
	 * --normalize's rounding is per merged sample: the same here. */
	if (k == 1 && !o->nbases) {
		*ret = ok[0];
		ps[0] = NULL;
		for (size_t i = 0; i < n; i++)
			if (ps[i] == ok[0])
				ps[i] = NULL;
		goto out;
	}
	/* Named before merging: which source does not fit. */
	for (size_t i = 1; i < k; i++)
		if (pprofc_profile_compatible(ok[0], ok[i]) != PPROFC_OK) {
			char *a = pprofc_url_redact(shown(okname[i]));
			char *b = pprofc_url_redact(shown(okname[0]));
			if (a && b)
				error("cannot merge '%s' with '%s': %s", a, b,
				      pprofc_profile_errmsg(ok[i]));
			else
				error("out of memory");
			free(a);
			free(b);
			rc = EXIT_FAIL;
			goto out;
		}
	pprofc_profile *m = new_profile(o);
	if (!m) {
		error("out of memory");
		rc = EXIT_FAIL;
		goto out;
	}
	if (pprofc_profile_merge(m, ok, k) != PPROFC_OK) {
		error("cannot merge the %s: %s", what, pprofc_profile_errmsg(m));
		pprofc_profile_destroy(m);
		rc = EXIT_FAIL;
		goto out;
	}
	*ret = m;
out:
	for (size_t i = 0; i < n; i++) {
		pprofc_profile_destroy(ps[i]);
		ps[i] = NULL;
	}
	free(ok);
	free(okname);
	return rc;
}

/* go tool pprof's comparison: the base marked (for --diff-base), the
 * source scaled to the base's totals (--normalize), the base negated, and
 * both merged. */
static int compare(pprofc_profile *src, pprofc_profile *base, const common_opts *o,
		   pprofc_profile **ret)
{
	if (pprofc_profile_compatible(src, base) != PPROFC_OK) {
		error("cannot compare with the base profile: %s", pprofc_profile_errmsg(base));
		return EXIT_FAIL;
	}
	size_t nt = pprofc_profile_sample_type_count(base);
	double *neg = calloc(nt + 1, sizeof(double));
	if (!neg) {
		error("out of memory");
		return EXIT_FAIL;
	}
	for (size_t t = 0; t < nt; t++)
		neg[t] = -1;
	pprofc_profile *bad = NULL;
	if (o->diff_base && pprofc_profile_set_label(base, "pprof::base", "true") != PPROFC_OK)
		bad = base;
	else if (o->normalize && pprofc_profile_normalize(src, base) != PPROFC_OK)
		bad = src;
	else if (pprofc_profile_scale(base, neg, nt) != PPROFC_OK)
		bad = base;
	free(neg);
	if (bad) {
		error("cannot compare with the base profile: %s", pprofc_profile_errmsg(bad));
		return EXIT_FAIL;
	}
	pprofc_profile *m = new_profile(o);
	pprofc_profile *two[2] = { src, base };
	if (!m || pprofc_profile_merge(m, two, 2) != PPROFC_OK) {
		error("cannot compare with the base profile: %s",
		      m ? pprofc_profile_errmsg(m) : "out of memory");
		pprofc_profile_destroy(m);
		return EXIT_FAIL;
	}
	*ret = m;
	return EXIT_OK;
}

/* The shell's profile, read once (enter it with set_preloaded). */
static const void *preloaded;
static size_t preloaded_len;

void set_preloaded(const void *data, size_t len)
{
	preloaded = data;
	preloaded_len = len;
}

int load_sources(const common_opts *o, pprofc_profile **ret)
{
	if (preloaded) {
		pprofc_profile *p = new_profile(o);
		if (!p || pprofc_profile_load_memory(p, preloaded, preloaded_len) != PPROFC_OK) {
			error("%s", p ? pprofc_profile_errmsg(p) : "out of memory");
			pprofc_profile_destroy(p);
			return EXIT_FAIL;
		}
		*ret = p;
		return EXIT_OK;
	}
	size_t n = o->nsources, nb = o->nbases;
	if (n == 1 && nb == 0)
		return load_profile(o->sources[0], o, ret);
	const char **names = calloc(n + nb + 1, sizeof(*names));
	pprofc_profile **ps = calloc(n + nb + 1, sizeof(*ps));
	if (!names || !ps) {
		free(names);
		free(ps);
		error("out of memory");
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < n; i++)
		names[i] = o->sources[i];
	for (size_t i = 0; i < nb; i++)
		names[n + i] = o->bases[i];
	/* Sources and bases in one round: captures run at the same time. */
	int rc = read_all(names, n + nb, o, ps);
	pprofc_profile *src = NULL, *base = NULL;
	if (rc == EXIT_OK)
		rc = merge_read(names, ps, n, o, "sources", &src);
	if (rc == EXIT_OK && nb)
		rc = merge_read(names + n, ps + n, nb, o, "base profiles", &base);
	for (size_t i = 0; i < n + nb; i++)
		pprofc_profile_destroy(ps[i]);
	free(names);
	free(ps);
	if (rc == EXIT_OK && base) {
		pprofc_profile *cmp = NULL;
		rc = compare(src, base, o, &cmp);
		pprofc_profile_destroy(src);
		src = cmp;
	}
	pprofc_profile_destroy(base);
	if (rc != EXIT_OK) {
		pprofc_profile_destroy(src);
		return rc;
	}
	*ret = src;
	return EXIT_OK;
}
