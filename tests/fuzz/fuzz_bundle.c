/*
 * fuzz_bundle.c: casework's bundle checks, from the zip to each
 * submission's form.
 *
 * An input starting with "PK" is a bundle: it is written to one file in a
 * folder made once per run and checked with cw_ingest_check (the zip's
 * entries: unsafe paths, links, duplicates, order, sizes, compression
 * ratios; the manifest; each submission's files extracted to the data
 * folder's tmp/ and hashed; submission.json validated against its form).
 * The rules and forms are the real ones ($THREECS_ROOT, default "."),
 * loaded once; no register is opened.
 *
 * An input starting with 'Z' is a bundle's contents, for reaching the
 * checks past the zip and the checksums: after the 'Z', parts separated by
 * NUL bytes, each "NAME\nBYTES", become the zip's entries in that order
 * (deflated), after a manifest.json the harness writes listing every
 * submissions/ID/... entry with its true size and sha256, IDs in order of
 * first appearance.
 *
 * Anything else is a manifest.json fed to tc_manifest_read in small
 * reads (the first byte, if any, sets their size), so the reader's state
 * across read boundaries is exercised as well.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <zip.h>

#include "buffer.h"
#include "casework.h"
#include "err.h"
#include "forms.h"
#include "fsutil.h"
#include "fuzzlib.h"
#include "ingest.h"
#include "manifest.h"
#include "rules.h"
#include "sha256.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct cw_env env;
static struct tc_msub *scratch;
static const char *zip_path;
static char tmp_sub[4200];

static void cleanup(void)
{
	tc_forms_free(env.forms);
	env.forms = NULL;
	tc_rules_free(env.rules);
	env.rules = NULL;
	free(scratch);
	scratch = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *root = fuzz_root(), *dir;
	static char rules[4200], forms[4200], data[4200];
	int nerr = 0;

	(void)argc;
	(void)argv;
	snprintf(rules, sizeof(rules), "%s/content/rules.yml", root);
	snprintf(forms, sizeof(forms), "%s/content/forms", root);
	env.data = data;
	env.rules_path = rules;
	env.forms_dir = forms;
	if (tc_day_parse("2026-04-01", &env.today) < 0)
		abort();
	tc_day_format(env.today, env.today_s);
	env.lock_fd = -1;
	env.rules = tc_rules_load(rules, &nerr);
	env.forms = tc_forms_load_dir(forms, &nerr);
	if (!env.rules || !env.forms || nerr) {
		fprintf(stderr, "fuzz_bundle: cannot load %s or %s\n", rules,
			forms);
		abort();
	}
	dir = fuzz_scratch("fuzz_bundle");
	atexit(cleanup);
	snprintf(data, sizeof(data), "%s/data", dir);
	snprintf(tmp_sub, sizeof(tmp_sub), "%s/tmp", data);
	if (tc_fs_mkdirs(tmp_sub, 0700) < 0)
		abort();
	zip_path = fuzz_input_file("bundle-fuzz.zip");
	scratch = calloc(1, sizeof(*scratch));
	if (!scratch)
		abort();
	fuzz_quiet();
	return 0;
}

/* The manifest from memory, at most chunk bytes a read. */
struct mem {
	const uint8_t *p;
	size_t n, off, chunk;
};

static ssize_t mem_read(void *arg, void *buf, size_t n)
{
	struct mem *m = arg;

	if (n > m->chunk)
		n = m->chunk;
	if (n > m->n - m->off)
		n = m->n - m->off;
	memcpy(buf, m->p + m->off, n);
	m->off += n;
	return (ssize_t)n;
}

static int each(void *arg, const struct tc_msub *s)
{
	size_t k;

	(void)arg;
	if (s->nfiles > TC_MF_MAXFILES || s->nfiles > s->nlisted)
		abort(); /* no more kept than room, nor than listed */
	if (s->has_id && !memchr(s->id, '\0', sizeof(s->id)))
		abort();
	for (k = 0; k < s->nfiles; k++)
		if (s->files[k].has_path == 1 &&
		    !memchr(s->files[k].path, '\0', sizeof(s->files[k].path)))
			abort(); /* a kept path is a string */
	return 0;
}

static void manifest_mode(const uint8_t *data, size_t size)
{
	struct tc_manifest_info info;
	struct mem m;
	char err[160];
	int rc;

	m.p = data;
	m.n = size;
	m.off = 0;
	m.chunk = size ? (size_t)data[0] % 64 + 1 : 1;
	memset(&info, 0, sizeof(info));
	err[0] = '\0';
	rc = tc_manifest_read(mem_read, &m, each, NULL, scratch, &info, err,
			      sizeof(err));
	if (rc == -1 && !err[0])
		abort(); /* a refusal says why */
	if (rc != 0 && rc != -1)
		abort(); /* the reads and the callback never fail here */
	if (info.has_bundle_id &&
	    !memchr(info.bundle_id, '\0', sizeof(info.bundle_id)))
		abort();
}

/* Whether JSON text holds the escape of a NUL, read independently of the
 * checker under test: \u0000 not itself escaped. */
static int has_nul_escape(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++) {
		if (p[i] != '\\')
			continue;
		if (p[i + 1] == 'u' && i + 6 <= n &&
		    !memcmp(p + i + 2, "0000", 4))
			return 1;
		i++; /* the escaped character */
	}
	return 0;
}

/* Entry name of za whole into out; aborts when it cannot be read (the
 * check just read it). */
static void read_whole(zip_t *za, const char *name, struct tc_buf *out)
{
	zip_file_t *zf = zip_fopen(za, name, 0);
	char buf[8192];
	zip_int64_t got;

	if (!zf)
		abort();
	tc_buf_reset(out);
	while ((got = zip_fread(zf, buf, sizeof(buf))) > 0)
		if (tc_buf_add(out, buf, (size_t)got) < 0)
			abort();
	if (got < 0)
		abort();
	zip_fclose(zf);
}

/*
 * The properties of a bundle accepted whole, each a submission that would
 * become a case: no NUL reaches a field (its JSON holds no \u0000), and
 * every attachment is, by its content, the type it declares.
 */
static void check_accepted(void)
{
	struct tc_buf json = TC_BUF_INIT, file = TC_BUF_INIT,
		      name = TC_BUF_INIT;
	zip_t *za = zip_open(zip_path, ZIP_RDONLY, NULL);
	zip_int64_t i, n;
	const cJSON *a, *path, *type;
	const char *en, *got;
	cJSON *doc;
	size_t len;

	if (!za)
		abort();
	n = zip_get_num_entries(za, 0);
	for (i = 0; i < n; i++) {
		en = zip_get_name(za, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
		len = en ? strlen(en) : 0;
		if (len < 16 || strcmp(en + len - 16, "/submission.json"))
			continue;
		read_whole(za, en, &json);
		if (has_nul_escape(json.data, json.len))
			abort(); /* a NUL would reach a case */
		doc = cJSON_ParseWithLength(json.data, json.len);
		if (!doc)
			abort(); /* accepted, so it is JSON */
		cJSON_ArrayForEach(
		    a, cJSON_GetObjectItemCaseSensitive(doc, "attachments"))
		{
			path = cJSON_GetObjectItemCaseSensitive(a, "path");
			type = cJSON_GetObjectItemCaseSensitive(a, "type");
			if (!cJSON_IsString(path) || !cJSON_IsString(type))
				abort();
			tc_buf_reset(&name);
			if (tc_buf_add(&name, en, len - 15) < 0 ||
			    tc_buf_adds(&name, path->valuestring) < 0)
				abort();
			read_whole(za, name.data, &file);
			got = tc_sniff_type(file.data, file.len);
			if (!got || strcmp(got, type->valuestring))
				abort(); /* a file lying about its type */
		}
		cJSON_Delete(doc);
	}
	zip_discard(za);
	tc_buf_release(&json);
	tc_buf_release(&file);
	tc_buf_release(&name);
}

/* Checks the bundle at zip_path. */
static void check_zip(void)
{
	struct tc_buf problems = TC_BUF_INIT;
	int rc;

	rc = cw_ingest_check(&env, zip_path, &problems);
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "cw_ingest_check: %d\n%s", rc, problems.data);
	if (rc < 0)
		abort(); /* nothing in a bundle is an I/O error */
	if ((rc == 0) != (problems.len == 0))
		abort(); /* refused or quarantined, and says why */
	if (rc == 0)
		check_accepted();
	tc_buf_release(&problems);
}

static void bundle_mode(const uint8_t *data, size_t size)
{
	fuzz_input(data, size);
	check_zip();
}

#define MAX_PARTS 80

struct part {
	char
	    name[256]; /* NUL-terminated; parts with longer names are skipped */
	const uint8_t *p;
	size_t n;
};

/* The submission folder of name (submissions/ID/...): its ID into id. */
static int folder(const char *name, char *id, size_t cap)
{
	const char *f, *slash;

	if (strncmp(name, "submissions/", 12))
		return 0;
	f = name + 12;
	slash = strchr(f, '/');
	if (!slash || slash == f || (size_t)(slash - f) >= cap)
		return 0;
	memcpy(id, f, (size_t)(slash - f));
	id[slash - f] = '\0';
	return 1;
}

/* manifest.json for the parts, as intake bundle would write it. */
static char *make_manifest(const struct part *v, size_t n)
{
	cJSON *m = cJSON_CreateObject(), *subs, *sub, *files, *f;
	char id[128], id2[128], hex[65];
	size_t i, j;
	char *out;

	cJSON_AddStringToObject(m, "format", "threecs-bundle/1");
	cJSON_AddStringToObject(m, "bundle_id", "bundle-fuzz");
	cJSON_AddStringToObject(m, "created", "2026-04-01T07:00:00Z");
	cJSON_AddStringToObject(m, "source", "fuzz");
	subs = cJSON_AddArrayToObject(m, "submissions");
	for (i = 0; i < n; i++) {
		if (!folder(v[i].name, id, sizeof(id)))
			continue;
		for (j = 0; j < i; j++)
			if (folder(v[j].name, id2, sizeof(id2)) &&
			    !strcmp(id, id2))
				break;
		if (j < i)
			continue; /* listed with its first entry */
		sub = cJSON_CreateObject();
		cJSON_AddItemToArray(subs, sub);
		cJSON_AddStringToObject(sub, "id", id);
		files = cJSON_AddArrayToObject(sub, "files");
		for (j = i; j < n; j++) {
			if (!folder(v[j].name, id2, sizeof(id2)) ||
			    strcmp(id, id2))
				continue;
			f = cJSON_CreateObject();
			cJSON_AddItemToArray(files, f);
			cJSON_AddStringToObject(f, "path", v[j].name);
			cJSON_AddNumberToObject(f, "size", (double)v[j].n);
			tc_sha256_hex(v[j].p, v[j].n, hex);
			cJSON_AddStringToObject(f, "sha256", hex);
		}
	}
	out = cJSON_PrintUnformatted(m);
	cJSON_Delete(m);
	if (!out)
		abort();
	return out;
}

static void add_entry(zip_t *za, const char *name, const void *p, size_t n)
{
	zip_source_t *src = zip_source_buffer(za, p, n, 0);
	zip_int64_t i;

	if (!src)
		abort();
	i = zip_file_add(za, name, src, ZIP_FL_ENC_RAW);
	if (i < 0) {
		zip_source_free(src); /* a repeated name: left out */
		return;
	}
	zip_file_set_mtime(za, (zip_uint64_t)i, 0, 0);
}

static void parts_mode(const uint8_t *data, size_t size)
{
	struct part *v = calloc(MAX_PARTS, sizeof(*v));
	size_t n = 0, i, start = 0, nl;
	char *manifest;
	zip_t *za;
	int zerr = 0;

	if (!v)
		abort();
	for (i = 0; i <= size && n < MAX_PARTS; i++) {
		if (i < size && data[i] != '\0')
			continue;
		for (nl = start; nl < i && data[nl] != '\n'; nl++)
			;
		if (nl - start > 0 && nl - start < sizeof(v[n].name)) {
			memcpy(v[n].name, data + start, nl - start);
			v[n].name[nl - start] = '\0';
			v[n].p = data + (nl < i ? nl + 1 : i);
			v[n].n = i - (size_t)(v[n].p - data);
			n++;
		}
		start = i + 1;
	}
	manifest = make_manifest(v, n);
	za = zip_open(zip_path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	if (!za)
		abort();
	add_entry(za, "manifest.json", manifest, strlen(manifest));
	for (i = 0; i < n; i++)
		add_entry(za, v[i].name, v[i].p, v[i].n);
	if (zip_close(za) < 0)
		abort();
	free(manifest);
	free(v);
	check_zip();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 1 && data[0] == 'Z') {
		parts_mode(data + 1, size - 1);
		return 0;
	}
	if (size >= 2 && data[0] == 'P' && data[1] == 'K')
		bundle_mode(data, size);
	else
		manifest_mode(data, size);
	return 0;
}
