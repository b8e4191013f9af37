/*
 * Reading the SOURCE operands into one profile. One is a file, standard
 * input, or a URL fetched and saved first. Several, and --base/--diff-base,
 * are all read (URLs fetched concurrently), then merged the way go tool
 * pprof does -- sources into one profile, bases into another, and the
 * bases, negated, into the sources.
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

/* A source's name in messages. */
static const char *shown(const char *name)
{
	return strcmp(name, "-") ? name : "standard input";
}

char *sources_label(const common_opts *opts)
{
	size_t n = 1;
	for (size_t i = 0; i < opts->nsources; i++)
		n += strlen(opts->sources[i]) + 1;
	char *s = malloc(n);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < opts->nsources; i++) {
		char *r = pprofc_url_redact(opts->sources[i]);
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

pprofc_profile *new_profile(const common_opts *opts)
{
	pprofc_profile *p = pprofc_profile_create();
	if (!p)
		return NULL;
	for (int i = 0; i < PPROFC_LIMIT_COUNT_; i++)
		pprofc_profile_set_limit(p, (pprofc_limit)i, opts->limits[i]);
	return p;
}

int load_profile(const char *source, const common_opts *opts, pprofc_profile **ret)
{
	if (is_url(source))
		return fetch_and_save(source, opts, NULL, ret);
	pprofc_profile *p = new_profile(opts);
	if (!p) {
		error("out of memory");
		return EXIT_FAIL;
	}
	pprofc_status st;
	if (!strcmp(source, "-"))
		st = pprofc_profile_load_fd(p, STDIN_FILENO);
	else
		st = pprofc_profile_load_file(p, source);
	if (st != PPROFC_OK) {
		error("cannot read '%s': %s", shown(source), profile_failure(p));
		pprofc_profile_destroy(p);
		return EXIT_FAIL;
	}
	*ret = p;
	return EXIT_OK;
}

/*
 * Reads names[0..n) into profiles (NULL where one failed, its error printed);
 * URLs together, at most --jobs at once. Returns EXIT_USAGE when a request
 * is malformed (nothing is fetched then), else EXIT_OK.
 */
static int read_all(const char *const *names, size_t n, const common_opts *opts,
		    pprofc_profile **profiles)
{
	const char **urls = calloc(n + 1, sizeof(*urls));
	size_t *url_index = calloc(n + 1, sizeof(*url_index));
	pprofc_profile **fetched = calloc(n + 1, sizeof(*fetched));
	if (!urls || !url_index || !fetched) {
		free(urls);
		free(url_index);
		free(fetched);
		error("out of memory");
		return EXIT_FAIL;
	}
	size_t nurls = 0;
	for (size_t i = 0; i < n; i++) {
		profiles[i] = NULL;
		if (is_url(names[i])) {
			url_index[nurls] = i;
			urls[nurls++] = names[i];
		}
	}
	int rc = EXIT_OK;
	if (nurls == 1)
		rc = fetch_and_save(urls[0], opts, NULL, &fetched[0]);
	else if (nurls > 1)
		rc = fetch_many(urls, nurls, opts, fetched);
	if (rc == EXIT_USAGE) {
		free(urls);
		free(url_index);
		free(fetched);
		return rc;
	}
	for (size_t k = 0; k < nurls; k++)
		profiles[url_index[k]] = fetched[k];
	for (size_t i = 0; i < n; i++)
		if (!is_url(names[i]) && load_profile(names[i], opts, &profiles[i]) != EXIT_OK)
			profiles[i] = NULL;
	free(urls);
	free(url_index);
	free(fetched);
	return EXIT_OK;
}

/* Merges the profiles read (profiles[i] non-NULL) into *ret; each is consumed.
 * A single profile is taken as it is: a file's own samples, unmerged. */
static int merge_read(const char *const *names, pprofc_profile **profiles, size_t n,
		      const common_opts *opts, const char *what, pprofc_profile **ret)
{
	pprofc_profile **loaded = calloc(n + 1, sizeof(*loaded));
	const char **loaded_names = calloc(n + 1, sizeof(*loaded_names));
	size_t k = 0;
	int rc = EXIT_OK;
	if (!loaded || !loaded_names) {
		error("out of memory");
		rc = EXIT_FAIL;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (profiles[i]) {
			loaded_names[k] = names[i];
			loaded[k++] = profiles[i];
		}
	if (k < n) {
		if (!opts->keep_going || k == 0) {
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
	if (k == 1 && !opts->nbases) {
		*ret = loaded[0];
		profiles[0] = NULL;
		for (size_t i = 0; i < n; i++)
			if (profiles[i] == loaded[0])
				profiles[i] = NULL;
		goto out;
	}
	/* Named before merging: which source does not fit. */
	for (size_t i = 1; i < k; i++)
		if (pprofc_profile_compatible(loaded[0], loaded[i]) != PPROFC_OK) {
			char *a = pprofc_url_redact(shown(loaded_names[i]));
			char *b = pprofc_url_redact(shown(loaded_names[0]));
			if (a && b)
				error("cannot merge '%s' with '%s': %s", a, b,
				      profile_failure(loaded[i]));
			else
				error("out of memory");
			free(a);
			free(b);
			rc = EXIT_FAIL;
			goto out;
		}
	pprofc_profile *m = new_profile(opts);
	if (!m) {
		error("out of memory");
		rc = EXIT_FAIL;
		goto out;
	}
	if (pprofc_profile_merge(m, loaded, k) != PPROFC_OK) {
		error("cannot merge the %s: %s", what, profile_failure(m));
		pprofc_profile_destroy(m);
		rc = EXIT_FAIL;
		goto out;
	}
	*ret = m;
out:
	for (size_t i = 0; i < n; i++) {
		pprofc_profile_destroy(profiles[i]);
		profiles[i] = NULL;
	}
	free(loaded);
	free(loaded_names);
	return rc;
}

/* go tool pprof's comparison: the base marked (for --diff-base), the
 * source scaled to the base's totals (--normalize), the base negated, and
 * both merged. */
static int compare(pprofc_profile *src, pprofc_profile *base, const common_opts *opts,
		   pprofc_profile **ret)
{
	if (pprofc_profile_compatible(src, base) != PPROFC_OK) {
		error("cannot compare with the base profile: %s", profile_failure(base));
		return EXIT_FAIL;
	}
	size_t ntypes = pprofc_profile_sample_type_count(base);
	double *minus_one = calloc(ntypes + 1, sizeof(double));
	if (!minus_one) {
		error("out of memory");
		return EXIT_FAIL;
	}
	for (size_t t = 0; t < ntypes; t++)
		minus_one[t] = -1;
	pprofc_profile *failed = NULL;
	if (opts->diff_base && pprofc_profile_set_label(base, "pprof::base", "true") != PPROFC_OK)
		failed = base;
	else if (opts->normalize && pprofc_profile_normalize(src, base) != PPROFC_OK)
		failed = src;
	else if (pprofc_profile_scale(base, minus_one, ntypes) != PPROFC_OK)
		failed = base;
	free(minus_one);
	if (failed) {
		error("cannot compare with the base profile: %s", profile_failure(failed));
		return EXIT_FAIL;
	}
	pprofc_profile *m = new_profile(opts);
	pprofc_profile *pair[2] = { src, base };
	if (!m || pprofc_profile_merge(m, pair, 2) != PPROFC_OK) {
		error("cannot compare with the base profile: %s",
		      m ? profile_failure(m) : "out of memory");
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

int load_sources(const common_opts *opts, pprofc_profile **ret)
{
	if (preloaded) {
		pprofc_profile *p = new_profile(opts);
		if (!p || pprofc_profile_load_memory(p, preloaded, preloaded_len) != PPROFC_OK) {
			error("%s", p ? profile_failure(p) : "out of memory");
			pprofc_profile_destroy(p);
			return EXIT_FAIL;
		}
		*ret = p;
		return EXIT_OK;
	}
	size_t nsources = opts->nsources, nbases = opts->nbases;
	if (nsources == 1 && nbases == 0)
		return load_profile(opts->sources[0], opts, ret);
	const char **names = calloc(nsources + nbases + 1, sizeof(*names));
	pprofc_profile **profiles = calloc(nsources + nbases + 1, sizeof(*profiles));
	if (!names || !profiles) {
		free(names);
		free(profiles);
		error("out of memory");
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < nsources; i++)
		names[i] = opts->sources[i];
	for (size_t i = 0; i < nbases; i++)
		names[nsources + i] = opts->bases[i];
	/* Sources and bases in one round: captures run at the same time. */
	int rc = read_all(names, nsources + nbases, opts, profiles);
	pprofc_profile *src = NULL, *base = NULL;
	if (rc == EXIT_OK)
		rc = merge_read(names, profiles, nsources, opts, "sources", &src);
	if (rc == EXIT_OK && nbases)
		rc = merge_read(names + nsources, profiles + nsources, nbases, opts,
				"base profiles", &base);
	for (size_t i = 0; i < nsources + nbases; i++)
		pprofc_profile_destroy(profiles[i]);
	free(names);
	free(profiles);
	if (rc == EXIT_OK && base) {
		pprofc_profile *cmp = NULL;
		rc = compare(src, base, opts, &cmp);
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
