/*
 * build.c: the site build in three phases (see site.h): load, check, write.
 */
#define _GNU_SOURCE /* memfd_create */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "escape.h"
#include "fsutil.h"
#include "internal.h"
#include "limits.h"
#include "sha256.h"
#include "rules.h"

/* Static files copied from content/ may be larger than a Markdown page. */
#define MAX_STATIC_FILE (64u * 1024 * 1024)
/* Folders in content/ that hold data for other programs, not pages. */
static const char *const data_dirs[] = {"forms", "letters", "calendars"};
static const char manifest_name[] = ".sitegen-manifest";

/* Returns a malloc'd string joined from a and b with one '/'. */
static char *join(const char *a, const char *b)
{
	struct tc_buf b2 = TC_BUF_INIT;

	if (tc_fs_join(&b2, a, b) < 0)
		tc_die_nomem();
	return tc_buf_detach(&b2, NULL);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_page(const void *a, const void *b)
{
	return strcmp((*(struct page *const *)a)->rel,
		      (*(struct page *const *)b)->rel);
}

/* ---- a list of strings ---- */

struct strlist {
	char **v;
	size_t n, alloc;
};

static void strlist_add(struct strlist *l, char *s)
{
	if (l->n == l->alloc) {
		size_t want = l->alloc ? l->alloc * 2 : 64;
		char **p = realloc(l->v, want * sizeof(*p));

		if (!p)
			tc_die_nomem();
		l->v = p;
		l->alloc = want;
	}
	l->v[l->n++] = s;
}

static void strlist_release(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->alloc = 0;
}

/*
 * Walks root/prefix, adding every regular file's path below root to files,
 * in sorted order. Skips names starting with '.' and, at the top level of
 * content/, the data folders. Returns 0 or -1 (errno set).
 */
static int walk_files(const char *root, const char *prefix, int skip_data,
		      struct strlist *files)
{
	char *dir = prefix[0] ? join(root, prefix) : tc_xstrdup(root);
	struct strlist names = {0};
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t i, j;
	int rc = -1;

	if (!d)
		goto out;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		strlist_add(&names, tc_xstrdup(e->d_name));
	}
	closedir(d);
	qsort(names.v, names.n, sizeof(*names.v), cmp_str);
	for (i = 0; i < names.n; i++) {
		char *rel = prefix[0] ? join(prefix, names.v[i])
				      : tc_xstrdup(names.v[i]);
		char *full = join(root, rel);
		struct stat st;
		int skip = 0;

		if (skip_data && !prefix[0])
			for (j = 0; j < sizeof(data_dirs) / sizeof(*data_dirs);
			     j++)
				skip |= !strcmp(names.v[i], data_dirs[j]);
		if (!skip && lstat(full, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				if (walk_files(root, rel, skip_data, files) <
				    0) {
					free(rel);
					free(full);
					goto out;
				}
			} else if (S_ISREG(st.st_mode)) {
				strlist_add(files, rel);
				rel = NULL;
			}
		}
		free(rel);
		free(full);
	}
	rc = 0;
out:
	strlist_release(&names);
	free(dir);
	return rc;
}

/* ---- running work on every core ---- */

struct pool {
	size_t n;		    /* items */
	atomic_size_t next;	    /* next item to take */
	void (*fn)(void *, size_t); /* the work for one item */
	void *arg;		    /* passed to fn */
};

static void *pool_worker(void *p)
{
	struct pool *pl = p;
	size_t i;

	while ((i = atomic_fetch_add(&pl->next, 1)) < pl->n)
		pl->fn(pl->arg, i);
	return NULL;
}

static void run_parallel(size_t n, int jobs, void (*fn)(void *, size_t),
			 void *arg)
{
	struct pool pl;
	pthread_t th[64];
	int i, started = 0;

	pl.n = n;
	atomic_init(&pl.next, 0);
	pl.fn = fn;
	pl.arg = arg;
	if (jobs > 64)
		jobs = 64;
	if ((size_t)jobs > n)
		jobs = (int)n;
	for (i = 1; i < jobs; i++)
		if (pthread_create(&th[started], NULL, pool_worker, &pl) == 0)
			started++;
	pool_worker(&pl);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
}

/* ---- dates ---- */

static const char *const month_names[] = {
    "January", "February", "March",	"April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December",
};

static int parse_ymd(const char *s, int *y, int *m, int *d)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31};
	int i, leap;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	*y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	     (s[3] - '0');
	*m = (s[5] - '0') * 10 + (s[6] - '0');
	*d = (s[8] - '0') * 10 + (s[9] - '0');
	if (*y < 1900 || *m < 1 || *m > 12 || *d < 1)
		return -1;
	leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
	if (*d > mdays[*m - 1] + (*m == 2 && leap))
		return -1;
	return 0;
}

int site_valid_date(const char *s)
{
	int y, m, d;

	return parse_ymd(s, &y, &m, &d) == 0;
}

int site_human_date(const char *ymd, struct tc_buf *out)
{
	int y, m, d;

	if (parse_ymd(ymd, &y, &m, &d) < 0)
		return -1;
	return tc_buf_addf(out, "%d %s %d", d, month_names[m - 1], y);
}

/* ---- phase A: load pages ---- */

static const char *fm_string(struct page *pg, const char *key)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(tc_yaml_root(pg->fm), key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/*
 * Appends an error about node (a node of doc, or NULL for the document's
 * start) to msgs, placed at the node's line and column in file.
 */
static void doc_error(struct tc_buf *msgs, const struct tc_yaml_doc *doc,
		      const char *file, const cJSON *node, const char *fmt,
		      va_list ap) __attribute__((format(printf, 5, 0)));

static void doc_error(struct tc_buf *msgs, const struct tc_yaml_doc *doc,
		      const char *file, const cJSON *node, const char *fmt,
		      va_list ap)
{
	int line = 1, col = 1;
	char msg[1024];

	if (node)
		tc_yaml_where(doc, node, &line, &col);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	gen_msg(msgs, 0, file, line, col, "%s", msg);
}

/* An error about front matter key (at the key's value, or line 1). */
static void fm_error(struct page *pg, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fm_error(struct page *pg, const char *key, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	doc_error(&pg->msgs, pg->fm, pg->path,
		  cJSON_GetObjectItemCaseSensitive(tc_yaml_root(pg->fm), key),
		  fmt, ap);
	va_end(ap);
	pg->errors++;
}

static int valid_slug(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-'))
			return 0;
	return 1;
}

/* Works out the page's URL and output path from its file name and slug. */
static void page_url(struct page *pg, const char *slug)
{
	struct tc_buf url = TC_BUF_INIT;
	const char *rel = pg->rel, *base = strrchr(rel, '/');
	size_t dirlen = base ? (size_t)(base - rel) : 0;
	const char *name = base ? base + 1 : rel;
	size_t namelen = strlen(name) - 3;

	tc_buf_addch(&url, '/');
	if (dirlen) {
		tc_buf_add(&url, rel, dirlen);
		tc_buf_addch(&url, '/');
	}
	if (slug) {
		tc_buf_adds(&url, slug);
		tc_buf_addch(&url, '/');
	} else if (!(namelen == 5 && !strncmp(name, "index", 5))) {
		tc_buf_add(&url, name, namelen);
		tc_buf_addch(&url, '/');
	}
	pg->url = tc_buf_detach(&url, NULL);
	pg->out = join(pg->url + 1, "index.html");
	if (pg->out[0] == '/')
		memmove(pg->out, pg->out + 1, strlen(pg->out));
}

/*
 * Reads a page and its front matter and works out everything that depends
 * on them alone (title, layout, URL, ...). Returns 1 when the body is to be
 * read next, 0 when not (a draft, or the file could not be read).
 */
static int load_front(struct page *pg)
{
	struct tc_buf text = TC_BUF_INIT;
	int rc = 0;
	struct tc_error err;
	cJSON *root, *v;
	const char *slug;
	static const char *const dates[] = {"approved", "reviewed",
					    "next_review"};
	size_t k;

	tc_error_clear(&err);
	if (tc_fs_read(pg->path, TC_MAX_SOURCE_FILE, &text) < 0) {
		gen_msg(&pg->msgs, 0, pg->path, 0, 0, "cannot read: %s",
			errno == EFBIG ? "the file is larger than 8 MiB"
				       : strerror(errno));
		pg->errors++;
		goto out;
	}
	pg->text = tc_buf_detach(&text, &pg->len);
	pg->fm = tc_front_matter(pg->path, pg->text, pg->len, &pg->body_off,
				 &pg->body_line, &err);
	if (!pg->fm) {
		char msg[1800];

		tc_error_format(&err, msg, sizeof(msg));
		tc_buf_addf(&pg->msgs, "sitegen: %s\n", msg);
		pg->errors++;
		goto out;
	}
	root = tc_yaml_root(pg->fm);
	pg->title = fm_string(pg, "title");
	pg->summary = fm_string(pg, "summary");
	if (!pg->title || !*pg->title)
		fm_error(
		    pg, "title",
		    "the page needs a title: add 'title: ...' to the front "
		    "matter");
	if (!pg->summary || !*pg->summary)
		fm_error(pg, "summary",
			 "the page needs a summary (one sentence for search "
			 "results): add 'summary: ...' to the front matter");
	v = cJSON_GetObjectItemCaseSensitive(root, "layout");
	if (v && !cJSON_IsString(v))
		fm_error(pg, "layout", "layout must be a name, like 'page'");
	pg->layout = cJSON_IsString(v)		    ? v->valuestring
		     : !strcmp(pg->rel, "index.md") ? "home"
						    : "page";
	v = cJSON_GetObjectItemCaseSensitive(root, "draft");
	pg->draft = cJSON_IsTrue(v);
	v = cJSON_GetObjectItemCaseSensitive(root, "menu");
	pg->menu_false = cJSON_IsFalse(v);
	slug = fm_string(pg, "slug");
	if (cJSON_GetObjectItemCaseSensitive(root, "slug") &&
	    (!slug || !valid_slug(slug))) {
		fm_error(pg, "slug",
			 "slug must use only a-z, 0-9 and '-', like "
			 "'stage-2-review'");
		slug = NULL;
	}
	for (k = 0; k < sizeof(dates) / sizeof(*dates); k++) {
		v = cJSON_GetObjectItemCaseSensitive(root, dates[k]);
		if (v &&
		    !(cJSON_IsString(v) && site_valid_date(v->valuestring)))
			fm_error(pg, dates[k],
				 "'%s' must be a date written YYYY-MM-DD, "
				 "like 2026-04-01",
				 dates[k]);
	}
	pg->toc = cJSON_CreateArray();
	if (!pg->toc)
		tc_die_nomem();
	page_url(pg, slug);
	rc = !pg->draft;
out:
	tc_buf_release(&text);
	return rc;
}

/* Phase A's Markdown for one page: ids, contents list, links, HTML. */
static void load_body(struct site *s, struct page *pg)
{
	cJSON *v =
		  cJSON_GetObjectItemCaseSensitive(tc_yaml_root(pg->fm), "toc"),
	      *e;
	int h2 = 0;

	md_process(s, pg, &pg->body);
	cJSON_ArrayForEach(e, pg->toc)
	{
		cJSON *lv = cJSON_GetObjectItemCaseSensitive(e, "level");

		h2 += lv && lv->valuedouble == 2;
	}
	pg->want_toc = v ? cJSON_IsTrue(v) : h2 >= 3;
}

static void load_page(void *arg, size_t i)
{
	struct site *s = arg;

	if (load_front(s->pages[i]))
		load_body(s, s->pages[i]);
}

/* ---- phase A in two processes ---- */

/*
 * cmark-gfm 0.29 serialises parsing within a process (see markdown.c), so
 * phase A parses half the pages in a forked child, which has its own copy
 * of that table, and streams back what phase A found for each of its pages.
 * The parent reads the child's pages' front matter again itself (cheap and
 * deterministic) rather than passing YAML documents across.
 */

static void page_clear(struct page *pg);

/* Pages below this many are not worth a process. */
#define FORK_MIN_PAGES 64

static int put_u32(FILE *f, uint32_t v)
{
	return fwrite(&v, sizeof(v), 1, f) == 1 ? 0 : -1;
}

static int put_blob(FILE *f, const char *p, size_t n)
{
	if (n > UINT32_MAX || put_u32(f, (uint32_t)n) < 0)
		return -1;
	return n && fwrite(p, 1, n, f) != n ? -1 : 0;
}

static int put_str(FILE *f, const char *p)
{
	return put_blob(f, p ? p : "", p ? strlen(p) : 0);
}

/* Writes what phase A found for pg. */
static int put_page(FILE *f, uint32_t index, const struct page *pg)
{
	char *toc = cJSON_PrintUnformatted(pg->toc);
	size_t i;
	int rc = -1;

	if (!toc)
		tc_die_nomem();
	if (put_u32(f, index) < 0 || put_u32(f, (uint32_t)pg->errors) < 0 ||
	    put_u32(f, (uint32_t)pg->warnings) < 0 ||
	    put_u32(f, (uint32_t)pg->want_toc) < 0 ||
	    put_u32(f, (uint32_t)pg->form_line) < 0 ||
	    put_str(f, pg->form ? tc_form_id(pg->form) : "") < 0 ||
	    put_blob(f, pg->msgs.data, pg->msgs.len) < 0 ||
	    put_blob(f, pg->body.data, pg->body.len) < 0 ||
	    put_str(f, toc) < 0 || put_u32(f, (uint32_t)pg->nids) < 0)
		goto out;
	for (i = 0; i < pg->nids; i++)
		if (put_str(f, pg->ids[i]) < 0)
			goto out;
	if (put_u32(f, (uint32_t)pg->nlinks) < 0)
		goto out;
	for (i = 0; i < pg->nlinks; i++)
		if (put_str(f, pg->links[i].url) < 0 ||
		    put_u32(f, (uint32_t)pg->links[i].line) < 0 ||
		    put_u32(f, (uint32_t)pg->links[i].col) < 0 ||
		    put_u32(f, (uint32_t)pg->links[i].is_image) < 0)
			goto out;
	rc = 0;
out:
	free(toc);
	return rc;
}

struct reader {
	const char *p, *end; /* what is left of the child's stream */
	int bad;	     /* set when the stream ended early */
};

static uint32_t get_u32(struct reader *r)
{
	uint32_t v = 0;

	if (r->bad || (size_t)(r->end - r->p) < sizeof(v)) {
		r->bad = 1;
		return 0;
	}
	memcpy(&v, r->p, sizeof(v));
	r->p += sizeof(v);
	return v;
}

/* A malloc'd NUL-terminated copy of the next blob (NULL if bad). */
static char *get_str(struct reader *r, size_t *len)
{
	uint32_t n = get_u32(r);
	char *d;

	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = 1;
		return NULL;
	}
	d = malloc((size_t)n + 1);
	if (!d)
		tc_die_nomem();
	memcpy(d, r->p, n);
	d[n] = '\0';
	r->p += n;
	if (len)
		*len = n;
	return d;
}

/* Fills pg, whose front matter the parent has read, from the stream. */
static int get_page(struct site *s, struct reader *r, struct page *pg)
{
	char *form = NULL, *msgs = NULL, *body = NULL, *toc = NULL;
	size_t mlen = 0, blen = 0, i;
	int rc = -1;

	pg->errors = (int)get_u32(r);
	pg->warnings = (int)get_u32(r);
	pg->want_toc = (int)get_u32(r);
	pg->form_line = (int)get_u32(r);
	form = get_str(r, NULL);
	msgs = get_str(r, &mlen);
	body = get_str(r, &blen);
	toc = get_str(r, NULL);
	if (r->bad)
		goto out;
	pg->form = *form && s->forms ? tc_forms_find(s->forms, form) : NULL;
	tc_buf_reset(&pg->msgs);
	tc_buf_add(&pg->msgs, msgs, mlen);
	tc_buf_reset(&pg->body);
	tc_buf_add(&pg->body, body, blen);
	cJSON_Delete(pg->toc);
	pg->toc = cJSON_Parse(toc);
	if (!pg->toc)
		goto out;
	pg->nids = get_u32(r);
	if (r->bad || pg->nids > (size_t)(r->end - r->p))
		goto out;
	pg->ids = calloc(pg->nids + 1, sizeof(*pg->ids));
	if (!pg->ids)
		tc_die_nomem();
	for (i = 0; i < pg->nids; i++)
		if (!(pg->ids[i] = get_str(r, NULL)))
			goto out;
	pg->nlinks = get_u32(r);
	if (r->bad || pg->nlinks > (size_t)(r->end - r->p))
		goto out;
	pg->links = calloc(pg->nlinks + 1, sizeof(*pg->links));
	if (!pg->links)
		tc_die_nomem();
	for (i = 0; i < pg->nlinks; i++) {
		pg->links[i].url = get_str(r, NULL);
		pg->links[i].line = (int)get_u32(r);
		pg->links[i].col = (int)get_u32(r);
		pg->links[i].is_image = (int)get_u32(r);
		if (r->bad)
			goto out;
	}
	rc = 0;
out:
	free(form);
	free(msgs);
	free(body);
	free(toc);
	return rc;
}

/*
 * Phase A over two processes. Returns 0 when every page is loaded, -1 when
 * no child could be started (nothing done: the caller loads in threads).
 */
static int load_pages_forked(struct site *s)
{
	struct tc_buf stream = TC_BUF_INIT;
	struct reader r;
	size_t i;
	pid_t pid;
	int fd, status = 0, ok = 0;

	fd = memfd_create("sitegen-phase-a", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fd);
		return -1;
	}
	if (pid == 0) {
		FILE *f = fdopen(fd, "w");

		if (!f)
			_exit(3);
		for (i = 1; i < s->npages; i += 2) {
			load_page(s, i);
			if (put_page(f, (uint32_t)i, s->pages[i]) < 0)
				_exit(3);
		}
		_exit(fflush(f) == 0 ? 0 : 3);
	}
	for (i = 0; i < s->npages; i += 2)
		load_page(s, i);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		char chunk[65536];
		off_t off = 0;
		ssize_t n;

		while ((n = pread(fd, chunk, sizeof(chunk), off)) > 0) {
			if (tc_buf_add(&stream, chunk, (size_t)n) < 0)
				tc_die_nomem();
			off += n;
		}
		ok = n == 0;
	}
	close(fd);
	r.p = stream.data;
	r.end = stream.data + stream.len;
	r.bad = !ok;
	for (i = 1; i < s->npages; i += 2) {
		struct page *pg = s->pages[i];

		load_front(pg);
		if (!r.bad && get_u32(&r) == i && get_page(s, &r, pg) == 0)
			continue;
		/* The child's account is missing or cut short: this page, and
		 * the rest of the child's, are read here instead. */
		r.bad = 1;
		page_clear(pg);
		load_page(s, i);
	}
	tc_buf_release(&stream);
	return 0;
}

/* Phase A: every page, over two processes where it pays, else threads. */
static void load_pages(struct site *s, int jobs)
{
	if (jobs >= 2 && s->npages >= FORK_MIN_PAGES &&
	    load_pages_forked(s) == 0)
		return;
	run_parallel(s->npages, jobs, load_page, s);
}

/* ---- phase B: links and navigation ---- */

struct page *site_find_page(struct site *site, const char *rel)
{
	size_t lo = 0, hi = site->npages;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(rel, site->pages[mid]->rel);

		if (c == 0)
			return site->pages[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int page_has_id(const struct page *pg, const char *id)
{
	/* A page without headings has no array: bsearch may not see NULL. */
	return pg->nids &&
	       bsearch(&id, pg->ids, pg->nids, sizeof(*pg->ids), cmp_str);
}

/*
 * Normalises dir + "/" + path ("a/b" + "../c.md" -> "a/c.md") into out.
 * Returns -1 when it climbs out of content/.
 */
static int normalise(const char *dir, const char *path, struct tc_buf *out)
{
	struct tc_buf all = TC_BUF_INIT;
	size_t *marks = NULL, nmarks = 0;
	const char *p;
	int rc = -1;

	if (*dir)
		tc_buf_addf(&all, "%s/%s", dir, path);
	else
		tc_buf_adds(&all, path);
	marks = malloc((all.len + 1) * sizeof(*marks));
	if (!marks)
		tc_die_nomem();
	for (p = all.data; *p;) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (!nmarks)
				goto out;
			tc_buf_setlen(out, marks[--nmarks]);
		} else {
			marks[nmarks++] = out->len;
			if (out->len)
				tc_buf_addch(out, '/');
			tc_buf_add(out, p, n);
		}
		p += n;
		if (*p == '/')
			p++;
	}
	rc = 0;
out:
	free(marks);
	tc_buf_release(&all);
	return rc;
}

static void list_ids(const struct page *pg, struct tc_buf *why)
{
	size_t i;

	if (!pg->nids) {
		tc_buf_adds(why, "; that page has no headings");
		return;
	}
	tc_buf_adds(why, "; its headings' ids are ");
	for (i = 0; i < pg->nids && i < 8; i++)
		tc_buf_addf(why, "%s'%s'", i ? ", " : "", pg->ids[i]);
	if (pg->nids > 8)
		tc_buf_adds(why, ", ...");
}

int site_resolve_link(struct site *site, struct page *pg, const char *url,
		      int is_image, struct tc_buf *out, struct tc_buf *why)
{
	struct tc_buf path = TC_BUF_INIT, rel = TC_BUF_INIT;
	const char *hash = strchr(url, '#'), *frag = hash ? hash + 1 : NULL;
	size_t plen = hash ? (size_t)(hash - url) : strlen(url);
	char *dir = NULL, *slash;
	struct page *target;
	int rc = -1;

	tc_buf_add(&path, url, plen);
	if (strchr(path.data, '?')) {
		tc_buf_addf(why,
			    "link '%s' has a query string: link to a "
			    "page's .md file",
			    url);
		goto out;
	}
	if (plen == 0) {
		/* "#section": an anchor in this page. */
		if (!frag || !*frag) {
			tc_buf_adds(why, "empty anchor: write #section-id");
			goto out;
		}
		if (!page_has_id(pg, frag)) {
			tc_buf_addf(why, "no heading with id '%s' in this page",
				    frag);
			list_ids(pg, why);
			goto out;
		}
		if (out)
			tc_buf_adds(out, url);
		rc = 0;
		goto out;
	}
	if (path.data[0] == '/') {
		tc_buf_addf(why,
			    "link '%s' starts with '/': link to the "
			    "page's file instead, like "
			    "complaints-policy.md",
			    url);
		goto out;
	}
	dir = tc_xstrdup(pg->rel);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		dir[0] = '\0';
	if (normalise(dir, path.data, &rel) < 0 || !rel.len) {
		tc_buf_addf(why, "link '%s' points outside content/", url);
		goto out;
	}
	if (!is_image && ends_with(rel.data, ".md")) {
		target = site_find_page(site, rel.data);
		if (!target) {
			tc_buf_addf(why, "no page '%s' (looked for %s/%s)",
				    path.data, site->opt->content, rel.data);
			goto out;
		}
		if (target->draft) {
			tc_buf_addf(why, "'%s' is a draft and is not built",
				    path.data);
			goto out;
		}
		if (frag && *frag && !page_has_id(target, frag)) {
			tc_buf_addf(why, "no heading with id '%s' in %s", frag,
				    path.data);
			list_ids(target, why);
			goto out;
		}
		if (target != pg)
			target->reachable = 1;
		if (out) {
			tc_buf_adds(out, target->url);
			if (frag && *frag)
				tc_buf_addf(out, "#%s", frag);
		}
		rc = 0;
		goto out;
	}
	{
		char *full = join(site->opt->content, rel.data);
		int ok = tc_fs_is_file(full);

		free(full);
		if (!ok) {
			tc_buf_addf(why, "no file '%s' (looked for %s/%s)",
				    path.data, site->opt->content, rel.data);
			goto out;
		}
	}
	if (out) {
		tc_buf_addch(out, '/');
		tc_buf_adds(out, rel.data);
		if (frag)
			tc_buf_addf(out, "#%s", frag);
	}
	rc = 0;
out:
	free(dir);
	tc_buf_release(&path);
	tc_buf_release(&rel);
	return rc;
}

/* An error about node in site.yml. */
static void cfg_error(struct site *s, const cJSON *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void cfg_error(struct site *s, const cJSON *node, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	doc_error(&s->msgs, s->cfg, s->cfg_path, node, fmt, ap);
	va_end(ap);
	s->errors++;
}

/* Resolves site.yml's nav or footer list into [{title, url, page}]. */
static cJSON *resolve_menu(struct site *s, const char *key)
{
	cJSON *list =
	    cJSON_GetObjectItemCaseSensitive(tc_yaml_root(s->cfg), key);
	cJSON *outl = cJSON_CreateArray(), *e;

	if (!outl)
		tc_die_nomem();
	if (!list)
		return outl;
	if (!cJSON_IsArray(list)) {
		cfg_error(s, list,
			  "'%s' must be a list of entries with a title and a "
			  "page or url",
			  key);
		return outl;
	}
	cJSON_ArrayForEach(e, list)
	{
		cJSON *title = cJSON_GetObjectItemCaseSensitive(e, "title");
		cJSON *page = cJSON_GetObjectItemCaseSensitive(e, "page");
		cJSON *url = cJSON_GetObjectItemCaseSensitive(e, "url");
		cJSON *item;
		struct tc_buf rel = TC_BUF_INIT;
		char *hash;

		if (!cJSON_IsString(title) || !*title->valuestring) {
			cfg_error(s, e, "each %s entry needs a 'title'", key);
			continue;
		}
		if (cJSON_IsString(page) == cJSON_IsString(url)) {
			cfg_error(s, e,
				  "each %s entry needs either 'page' (a file "
				  "in content/) or 'url' (another site)",
				  key);
			continue;
		}
		item = cJSON_CreateObject();
		if (!item)
			tc_die_nomem();
		cJSON_AddStringToObject(item, "title", title->valuestring);
		if (cJSON_IsString(url)) {
			cJSON_AddStringToObject(item, "url", url->valuestring);
			cJSON_AddTrueToObject(item, "external");
		} else {
			struct page *pg;

			tc_buf_adds(&rel, page->valuestring);
			hash = strchr(rel.data, '#');
			if (hash)
				tc_buf_setlen(&rel, (size_t)(hash - rel.data));
			pg = site_find_page(s, rel.data);
			if (!pg || pg->draft) {
				cfg_error(s, page,
					  "no page '%s' in content/: check the "
					  "file name",
					  page->valuestring);
				cJSON_Delete(item);
				tc_buf_release(&rel);
				continue;
			}
			if (hash) {
				const char *frag =
				    page->valuestring + (hash - rel.data) + 1;

				if (!page_has_id(pg, frag)) {
					cfg_error(s, page,
						  "no heading with that id in "
						  "'%s'",
						  page->valuestring);
					cJSON_Delete(item);
					tc_buf_release(&rel);
					continue;
				}
				tc_buf_reset(&rel);
				tc_buf_addf(&rel, "%s#%s", pg->url, frag);
				cJSON_AddStringToObject(item, "url", rel.data);
			} else {
				cJSON_AddStringToObject(item, "url", pg->url);
			}
			cJSON_AddStringToObject(item, "page", pg->rel);
			cJSON_AddFalseToObject(item, "external");
			pg->reachable = 1;
		}
		cJSON_AddItemToArray(outl, item);
		tc_buf_release(&rel);
	}
	return outl;
}

static void check_site_config(struct site *s)
{
	cJSON *root = tc_yaml_root(s->cfg), *v;
	static const char *const required[] = {"council", "title", "base_url"};
	size_t i;

	if (!cJSON_IsObject(root)) {
		cfg_error(s, NULL,
			  "site.yml must be a mapping of keys to values");
		return;
	}
	for (i = 0; i < sizeof(required) / sizeof(*required); i++) {
		v = cJSON_GetObjectItemCaseSensitive(root, required[i]);
		if (!cJSON_IsString(v) || !*v->valuestring)
			cfg_error(s, v, "site.yml needs '%s' (text)",
				  required[i]);
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "base_url");
	if (cJSON_IsString(v) && ((strncmp(v->valuestring, "https://", 8) &&
				   strncmp(v->valuestring, "http://", 7)) ||
				  ends_with(v->valuestring, "/")))
		cfg_error(s, v,
			  "base_url must start with https:// and have no "
			  "'/' at the end, like https://complaints.example");
	v = cJSON_GetObjectItemCaseSensitive(root, "language");
	if (!v) {
		if (!cJSON_AddStringToObject(root, "language", "en-GB"))
			tc_die_nomem();
	} else if (!cJSON_IsString(v)) {
		cfg_error(s, v, "language must be a language tag like en-GB");
	}
}

static int layout_exists(struct site *s, const char *name)
{
	return bsearch(&name, s->layouts, s->nlayouts, sizeof(*s->layouts),
		       cmp_str) != NULL;
}

static void confirmation(struct site *s, const struct tc_form *f, int write);

static int cmp_url(const void *a, const void *b)
{
	const struct page *x = *(struct page *const *)a,
			  *y = *(struct page *const *)b;
	int c = strcmp(x->url, y->url);

	return c ? c : strcmp(x->rel, y->rel);
}

static int cmp_title(const void *a, const void *b)
{
	const struct page *x = *(struct page *const *)a,
			  *y = *(struct page *const *)b;
	int c = strcmp(x->title, y->title);

	return c ? c : strcmp(x->rel, y->rel);
}

/*
 * Reports pages that share an address (an error) or a title (a warning):
 * sorted, so each page is compared with its neighbour, not with every page.
 * The page that sorts first by file name keeps it; the others are named.
 */
static void report_twins(struct site *s, int (*cmp)(const void *, const void *),
			 int titles)
{
	struct page **v = malloc((s->npages + 1) * sizeof(*v));
	size_t i, n = 0;

	if (!v)
		tc_die_nomem();
	for (i = 0; i < s->npages; i++) {
		struct page *pg = s->pages[i];

		if (!pg->draft && pg->url &&
		    (!titles || (pg->title && !pg->errors)))
			v[n++] = pg;
	}
	qsort(v, n, sizeof(*v), cmp);
	for (i = 1; i < n; i++) {
		struct page *first = v[i - 1], *pg = v[i];
		size_t k = i - 1;

		/* Name the first of the run, whatever order qsort left. */
		while (k > 0 &&
		       !strcmp(titles ? v[k - 1]->title : v[k - 1]->url,
			       titles ? pg->title : pg->url))
			first = v[--k];
		if (titles && !strcmp(first->title, pg->title)) {
			gen_msg(&pg->msgs, 1, pg->path, 1, 1,
				"the title '%s' is also used by %s: give each "
				"page its own title",
				pg->title, first->path);
			pg->warnings++;
		} else if (!titles && !strcmp(first->url, pg->url)) {
			gen_msg(&pg->msgs, 0, pg->path, 1, 1,
				"this page's address %s is taken by %s: change "
				"its slug",
				pg->url, first->path);
			pg->errors++;
		}
	}
	free(v);
}

static void check_pages(struct site *s)
{
	size_t i, j;

	for (i = 0; i < s->npages; i++) {
		struct page *pg = s->pages[i];

		if (pg->draft || !pg->url)
			continue;
		if (!layout_exists(s, pg->layout))
			fm_error(pg, "layout",
				 "no layout '%s' in the theme's layouts/ "
				 "folder",
				 pg->layout);
		if (pg->form)
			confirmation(s, pg->form, 0);
		for (j = 0; j < pg->nlinks; j++) {
			struct link_ref *l = &pg->links[j];
			struct tc_buf why = TC_BUF_INIT;

			if (site_resolve_link(s, pg, l->url, l->is_image, NULL,
					      &why) < 0) {
				gen_msg(&pg->msgs, 0, pg->path, l->line, l->col,
					"broken link: %s", why.data);
				pg->errors++;
			}
			tc_buf_release(&why);
		}
		for (j = 0; pg->form && j < i; j++) {
			struct page *o = s->pages[j];

			if (!o->draft && o->form == pg->form) {
				gen_msg(
				    &pg->msgs, 0, pg->path, pg->form_line, 1,
				    "the form '%s' is already on %s: a form "
				    "may appear on one page",
				    tc_form_id(pg->form), o->path);
				pg->errors++;
			}
		}
	}
	report_twins(s, cmp_url, 0);
}

static void warn_pages(struct site *s, const char *today)
{
	size_t i;

	for (i = 0; i < s->npages; i++) {
		struct page *pg = s->pages[i];
		const char *nr;

		if (pg->draft || pg->errors)
			continue;
		nr = fm_string(pg, "next_review");
		if (nr && site_valid_date(nr) && strcmp(nr, today) < 0) {
			cJSON *v = cJSON_GetObjectItemCaseSensitive(
			    tc_yaml_root(pg->fm), "next_review");
			int line = 1, col = 1;

			tc_yaml_where(pg->fm, v, &line, &col);
			gen_msg(&pg->msgs, 1, pg->path, line, col,
				"next_review %s has passed: review the page "
				"and update its dates",
				nr);
			pg->warnings++;
		}
		if (!pg->reachable && !pg->menu_false &&
		    strcmp(pg->rel, "index.md") != 0) {
			gen_msg(&pg->msgs, 1, pg->path, 1, 1,
				"no navigation entry or page links here: add "
				"it to nav or footer in site.yml, link to it, "
				"or set 'menu: false'");
			pg->warnings++;
		}
	}
	report_twins(s, cmp_title, 1);
}

/* ---- the theme ---- */

/* Adds every *.mustache in theme/sub/ to the set; names layouts. */
static int load_templates(struct site *s, const char *sub, int is_layout)
{
	char *dir = join(s->opt->theme, sub);
	struct strlist files = {0};
	struct tc_buf src = TC_BUF_INIT;
	struct tc_error err;
	size_t i;
	int rc = 0;

	if (walk_files(dir, "", 0, &files) < 0) {
		if (errno == ENOENT && !is_layout)
			goto out;
		gen_msg(&s->msgs, 0, dir, 0, 0, "cannot read the theme: %s",
			strerror(errno));
		s->errors++;
		rc = -1;
		goto out;
	}
	for (i = 0; i < files.n; i++) {
		char *path, *name;

		if (!ends_with(files.v[i], ".mustache"))
			continue;
		path = join(dir, files.v[i]);
		name = tc_xstrdup(files.v[i]);
		name[strlen(name) - 9] = '\0';
		tc_buf_reset(&src);
		tc_error_clear(&err);
		if (tc_fs_read(path, TC_MAX_SOURCE_FILE, &src) < 0) {
			gen_msg(&s->msgs, 0, path, 0, 0, "cannot read: %s",
				strerror(errno));
			s->errors++;
		} else if (!is_layout && layout_exists(s, name)) {
			/* A layout of the same name wins. */
		} else if (tc_tpl_add(s->tpl, name, path, src.data, src.len,
				      &err) < 0) {
			char msg[1800];

			tc_error_format(&err, msg, sizeof(msg));
			tc_buf_addf(&s->msgs, "sitegen: %s\n", msg);
			s->errors++;
		} else if (is_layout) {
			s->layouts =
			    realloc(s->layouts,
				    (s->nlayouts + 1) * sizeof(*s->layouts));
			if (!s->layouts)
				tc_die_nomem();
			s->layouts[s->nlayouts++] = name;
			name = NULL;
			qsort(s->layouts, s->nlayouts, sizeof(*s->layouts),
			      cmp_str);
		}
		free(name);
		free(path);
	}
out:
	tc_buf_release(&src);
	strlist_release(&files);
	free(dir);
	return rc;
}

/* ---- phase C: writing ---- */

static void record_output(struct site *s, const char *rel, int changed)
{
	pthread_mutex_lock(&s->lock);
	if (s->noutputs == s->aoutputs) {
		size_t want = s->aoutputs ? s->aoutputs * 2 : 256;
		char **p = realloc(s->outputs, want * sizeof(*p));

		if (!p)
			tc_die_nomem();
		s->outputs = p;
		s->aoutputs = want;
	}
	s->outputs[s->noutputs++] = tc_xstrdup(rel);
	if (changed)
		s->res->written++;
	else
		s->res->unchanged++;
	pthread_mutex_unlock(&s->lock);
}

/* Writes out/rel when its bytes changed. Returns 0 or -1 (reported). */
static int write_output(struct site *s, const char *rel, const void *data,
			size_t len)
{
	char *path = join(s->opt->out, rel);
	int changed = 0, rc = -1;

	if (tc_fs_mkparents(path, 0755) < 0 ||
	    tc_fs_write_if_changed_ex(path, data, len, 0644, TC_FS_NOSYNC,
				      &changed) < 0) {
		pthread_mutex_lock(&s->lock);
		tc_warn("cannot write %s", path);
		s->errors++;
		pthread_mutex_unlock(&s->lock);
		goto out;
	}
	record_output(s, rel, changed);
	rc = 0;
out:
	free(path);
	return rc;
}

static cJSON *menu_for(const cJSON *menu, const struct page *pg)
{
	cJSON *copy = cJSON_Duplicate(menu, 1), *e;

	if (!copy)
		tc_die_nomem();
	cJSON_ArrayForEach(e, copy)
	{
		cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "page");
		int cur =
		    pg && cJSON_IsString(p) &&
		    !strcmp(p->valuestring, pg->rel) &&
		    !strchr(
			cJSON_GetObjectItemCaseSensitive(e, "url")->valuestring,
			'#');

		cJSON_AddBoolToObject(e, "current", cur);
	}
	return copy;
}

static void add_ref(cJSON *obj, const char *key, cJSON *item)
{
	if (!cJSON_AddItemReferenceToObject(obj, key, item))
		tc_die_nomem();
}

/*
 * The context a layout sees (docs/site-format.md). fm may be NULL (the 404
 * page). Returns a tree the caller frees with cJSON_Delete; shared parts are
 * references, not copies.
 */
static cJSON *page_context(struct site *s, struct page *pg, cJSON *fm,
			   const char *title, const char *summary,
			   const char *url, const char *html, cJSON *toc,
			   int want_toc)
{
	cJSON *ctx = cJSON_CreateObject(), *site = cJSON_CreateObject();
	cJSON *page = cJSON_CreateObject(), *crumbs = cJSON_CreateArray(), *e;
	static const char *const ours[] = {"title",	  "summary", "url",
					   "content",	  "toc",     "has_toc",
					   "breadcrumbs", "is_home"};
	static const char *const dates[] = {"approved", "reviewed",
					    "next_review"};
	struct tc_buf tmp = TC_BUF_INIT;
	size_t i;

	if (!ctx || !site || !page || !crumbs)
		tc_die_nomem();
	cJSON_ArrayForEach(e, tc_yaml_root(s->cfg))
	{
		if (strcmp(e->string, "nav") && strcmp(e->string, "footer"))
			add_ref(site, e->string, e);
	}
	cJSON_AddItemToObject(site, "nav", menu_for(s->nav, pg));
	cJSON_AddItemToObject(site, "footer", menu_for(s->footer, pg));
	if (cJSON_IsObject(fm)) {
		cJSON_ArrayForEach(e, fm)
		{
			int skip = 0;

			for (i = 0; i < sizeof(ours) / sizeof(*ours); i++)
				skip |= !strcmp(e->string, ours[i]);
			if (!skip)
				add_ref(page, e->string, e);
		}
	}
	cJSON_AddStringToObject(page, "title", title);
	cJSON_AddStringToObject(page, "summary", summary);
	cJSON_AddStringToObject(page, "url", url);
	cJSON_AddItemToObject(page, "content",
			      cJSON_CreateStringReference(html));
	if (toc)
		add_ref(page, "toc", toc);
	else
		cJSON_AddItemToObject(page, "toc", cJSON_CreateArray());
	cJSON_AddBoolToObject(page, "has_toc", want_toc);
	cJSON_AddBoolToObject(page, "is_home", !strcmp(url, "/"));
	for (i = 0; fm && i < sizeof(dates) / sizeof(*dates); i++) {
		cJSON *d = cJSON_GetObjectItemCaseSensitive(fm, dates[i]);

		tc_buf_reset(&tmp);
		if (cJSON_IsString(d) &&
		    site_human_date(d->valuestring, &tmp) == 0) {
			char key[32];

			snprintf(key, sizeof(key), "%s_human", dates[i]);
			cJSON_AddStringToObject(page, key, tmp.data);
		}
	}
	/* Breadcrumbs: Home, then each folder's index page above this one. */
	if (pg && strcmp(pg->rel, "index.md") != 0) {
		struct page *home = site_find_page(s, "index.md");
		const char *p;

		if (home && !home->draft) {
			e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "title", "Home");
			cJSON_AddStringToObject(e, "url", "/");
			cJSON_AddItemToArray(crumbs, e);
		}
		for (p = strchr(pg->rel, '/'); p; p = strchr(p + 1, '/')) {
			struct page *parent;

			tc_buf_reset(&tmp);
			tc_buf_add(&tmp, pg->rel, (size_t)(p - pg->rel));
			tc_buf_adds(&tmp, "/index.md");
			parent = site_find_page(s, tmp.data);
			if (!parent || parent == pg || parent->draft ||
			    !parent->title)
				continue;
			e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "title", parent->title);
			cJSON_AddStringToObject(e, "url", parent->url);
			cJSON_AddItemToArray(crumbs, e);
		}
	}
	cJSON_AddItemToObject(page, "breadcrumbs", crumbs);
	cJSON_AddItemToObject(ctx, "site", site);
	cJSON_AddItemToObject(ctx, "page", page);
	add_ref(ctx, "assets", s->assets);
	tc_buf_release(&tmp);
	return ctx;
}

static int render_to(struct site *s, const char *layout, cJSON *ctx,
		     const char *what, struct tc_buf *out)
{
	struct tc_error err;

	tc_error_clear(&err);
	if (tc_tpl_render(s->tpl, layout, ctx, out, &err) < 0) {
		char msg[1800];

		tc_error_format(&err, msg, sizeof(msg));
		pthread_mutex_lock(&s->lock);
		tc_warnx("%s: %s", what, msg);
		s->errors++;
		pthread_mutex_unlock(&s->lock);
		return -1;
	}
	return 0;
}

/* Where forms post: site.yml's intake_url, "/submit" by default. */
static const char *intake_url(struct site *s)
{
	cJSON *iu = cJSON_GetObjectItemCaseSensitive(tc_yaml_root(s->cfg),
						     "intake_url");

	return cJSON_IsString(iu) ? iu->valuestring : "/submit";
}

/*
 * The confirmation page intake shows after a form is sent: the definition's
 * confirmation title and Markdown body through the confirmation layout,
 * with REFERENCE_MARKER where the reference goes.
 */
/*
 * Renders the confirmation body of form f. In phase B (out NULL) it checks
 * the body and its links and reports errors; in phase C it writes the page.
 */
static void confirmation(struct site *s, const struct tc_form *f, int write)
{
	const char *id = tc_form_id(f);
	const char *title = tc_form_confirmation_title(f);
	const char *body = tc_form_confirmation_body(f);
	struct tc_buf name = TC_BUF_INIT, html = TC_BUF_INIT, out = TC_BUF_INIT,
		      url = TC_BUF_INIT, body_html = TC_BUF_INIT;
	struct page scratch;
	size_t k;
	cJSON *ctx = NULL;

	memset(&scratch, 0, sizeof(scratch));
	tc_buf_init(&scratch.msgs, 0);
	tc_buf_addf(&name, "%s/forms/%s.yml", s->opt->content, id);
	if (!title || !*title || !body || !*body) {
		if (!write) {
			gen_msg(&s->msgs, 0, name.data, 0, 0,
				"the form needs confirmation: with a title and "
				"a body, for the page shown after sending it");
			s->errors++;
		}
		goto out;
	}
	/* The body renders as a page at the top of content/, so its links are
	 * written as from any top-level page. */
	scratch.rel = "confirmation.md";
	scratch.path = name.data;
	scratch.text = (char *)body;
	scratch.len = strlen(body);
	scratch.body_line = 1;
	md_process(s, &scratch, &body_html);
	if (!write) {
		for (k = 0; k < scratch.nlinks; k++) {
			struct tc_buf why = TC_BUF_INIT;

			if (site_resolve_link(s, &scratch, scratch.links[k].url,
					      scratch.links[k].is_image, NULL,
					      &why) < 0) {
				gen_msg(&s->msgs, 0, name.data, 0, 0,
					"broken link in confirmation's body: "
					"%s",
					why.data);
				s->errors++;
			}
			tc_buf_release(&why);
		}
		tc_buf_addbuf(&s->msgs, &scratch.msgs);
		s->errors += scratch.errors;
		goto out;
	}
	md_resolve_links(s, &scratch, body_html.data, &html);
	tc_buf_addf(&url, "%s/%s/received", intake_url(s), id);
	ctx = page_context(s, NULL, NULL, title, title, url.data, html.data,
			   NULL, 0);
	cJSON_AddStringToObject(ctx, "reference", REFERENCE_MARKER);
	if (render_to(s, "confirmation", ctx, name.data, &out) == 0) {
		tc_buf_reset(&name);
		tc_buf_addf(&name, ".threecs/received/%s.html", id);
		write_output(s, name.data, out.data, out.len);
	}
out:
	cJSON_Delete(ctx);
	for (k = 0; k < scratch.nlinks; k++)
		free(scratch.links[k].url);
	free(scratch.links);
	for (k = 0; k < scratch.nids; k++)
		free(scratch.ids[k]);
	free(scratch.ids);
	tc_buf_release(&body_html);
	tc_buf_release(&scratch.msgs);
	tc_buf_release(&name);
	tc_buf_release(&html);
	tc_buf_release(&out);
	tc_buf_release(&url);
}

/* Writes the page with its form, the shell for intake, the schema. */
static void write_form_page(struct site *s, struct page *pg,
			    const struct tc_buf *shell)
{
	const struct tc_form *f = pg->form;
	const char *id = tc_form_id(f);
	struct tc_buf action = TC_BUF_INIT, form = TC_BUF_INIT,
		      page = TC_BUF_INIT, name = TC_BUF_INIT;
	const char *at = strstr(shell->data, FORM_MARKER);
	cJSON *schema = NULL;
	char *json = NULL;

	if (!at)
		TC_BUG("form marker missing from the rendered page");
	tc_buf_addf(&action, "%s/%s", intake_url(s), id);
	if (tc_form_render(f, action.data, NULL, NULL, &form) < 0)
		tc_die_nomem();
	tc_buf_add(&page, shell->data, (size_t)(at - shell->data));
	tc_buf_addbuf(&page, &form);
	tc_buf_adds(&page, at + strlen(FORM_MARKER));
	write_output(s, pg->out, page.data, page.len);
	tc_buf_addf(&name, ".threecs/forms/%s.html", id);
	write_output(s, name.data, shell->data, shell->len);
	schema = tc_form_schema_json(f);
	json = schema ? cJSON_PrintUnformatted(schema) : NULL;
	if (!json)
		tc_die_nomem();
	tc_buf_reset(&name);
	tc_buf_addf(&name, "assets/forms/%s.json", id);
	write_output(s, name.data, json, strlen(json));
	confirmation(s, f, 1);
	free(json);
	cJSON_Delete(schema);
	tc_buf_release(&action);
	tc_buf_release(&form);
	tc_buf_release(&page);
	tc_buf_release(&name);
}

static void write_page(void *arg, size_t i)
{
	struct site *s = arg;
	struct page *pg = s->pages[i];
	struct tc_buf body = TC_BUF_INIT, out = TC_BUF_INIT;
	cJSON *ctx = NULL;

	if (pg->draft)
		return;
	md_resolve_links(s, pg, pg->body.data, &body);
	tc_buf_release(&pg->body);
	ctx = page_context(s, pg, tc_yaml_root(pg->fm), pg->title, pg->summary,
			   pg->url, body.data, pg->toc, pg->want_toc);
	if (render_to(s, pg->layout, ctx, pg->path, &out) == 0) {
		if (pg->form)
			write_form_page(s, pg, &out);
		else
			write_output(s, pg->out, out.data, out.len);
	}
	cJSON_Delete(ctx);
	tc_buf_release(&body);
	tc_buf_release(&out);
}

/* Copies the theme's assets, hashing CSS and JS names; fills s->assets. */
static int prepare_assets(struct site *s, struct strlist *names,
			  struct strlist *outs)
{
	char *dir = join(s->opt->theme, "assets");
	struct strlist files = {0};
	size_t i;
	int rc = 0;

	s->assets = cJSON_CreateObject();
	if (!s->assets)
		tc_die_nomem();
	if (walk_files(dir, "", 0, &files) < 0) {
		if (errno != ENOENT) {
			tc_warn("cannot read %s", dir);
			rc = -1;
		}
		goto out;
	}
	for (i = 0; i < files.n; i++) {
		const char *f = files.v[i], *dot = strrchr(f, '.');
		struct tc_buf data = TC_BUF_INIT, name = TC_BUF_INIT,
			      key = TC_BUF_INIT;
		char *path = join(dir, f), hex[65], *k;

		if (tc_fs_read(path, MAX_STATIC_FILE, &data) < 0) {
			tc_warn("cannot read %s", path);
			rc = -1;
			free(path);
			tc_buf_release(&data);
			goto out;
		}
		tc_buf_adds(&name, "assets/");
		if (dot && (!strcmp(dot, ".css") || !strcmp(dot, ".js"))) {
			tc_sha256_hex(data.data, data.len, hex);
			tc_buf_add(&name, f, (size_t)(dot - f));
			tc_buf_addf(&name, ".%.8s%s", hex, dot);
		} else {
			tc_buf_adds(&name, f);
		}
		tc_buf_adds(&key, f);
		for (k = key.data; *k; k++)
			if (*k == '.' || *k == '-' || *k == '/')
				*k = '_';
		tc_buf_reset(&data);
		tc_buf_addf(&data, "/%s", name.data);
		cJSON_AddStringToObject(s->assets, key.data, data.data);
		strlist_add(names, path);
		strlist_add(outs, tc_buf_detach(&name, NULL));
		tc_buf_release(&data);
		tc_buf_release(&key);
	}
out:
	strlist_release(&files);
	free(dir);
	return rc;
}

static int copy_file(struct site *s, const char *from, const char *rel)
{
	struct tc_buf data = TC_BUF_INIT;
	int rc = -1;

	if (tc_fs_read(from, MAX_STATIC_FILE, &data) < 0) {
		tc_warn("cannot read %s", from);
		s->errors++;
		goto out;
	}
	rc = write_output(s, rel, data.data, data.len);
out:
	tc_buf_release(&data);
	return rc;
}

static void write_extras(struct site *s)
{
	struct tc_buf xml = TC_BUF_INIT, txt = TC_BUF_INIT, out = TC_BUF_INIT;
	const char *base =
	    cJSON_GetObjectItemCaseSensitive(tc_yaml_root(s->cfg), "base_url")
		->valuestring;
	struct page **sorted = malloc(s->npages * sizeof(*sorted) + 1);
	size_t i, n = 0;
	cJSON *ctx;

	if (!sorted)
		tc_die_nomem();
	for (i = 0; i < s->npages; i++)
		if (!s->pages[i]->draft)
			sorted[n++] = s->pages[i];
	tc_buf_adds(&xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			  "<urlset xmlns=\"http://www.sitemaps.org/schemas/"
			  "sitemap/0.9\">\n");
	for (i = 0; i < n; i++) {
		tc_buf_adds(&xml, "<url><loc>");
		tc_esc_html(&xml, base, strlen(base));
		tc_esc_html(&xml, sorted[i]->url, strlen(sorted[i]->url));
		tc_buf_adds(&xml, "</loc></url>\n");
	}
	tc_buf_adds(&xml, "</urlset>\n");
	write_output(s, "sitemap.xml", xml.data, xml.len);
	tc_buf_addf(&txt, "User-agent: *\nAllow: /\nSitemap: %s/sitemap.xml\n",
		    base);
	write_output(s, "robots.txt", txt.data, txt.len);
	ctx = page_context(s, NULL, NULL, "Page not found",
			   "The page you were looking for could not be found.",
			   "/404.html", "", NULL, 0);
	if (render_to(s, "404", ctx, "404.html", &out) == 0)
		write_output(s, "404.html", out.data, out.len);
	cJSON_Delete(ctx);
	free(sorted);
	tc_buf_release(&xml);
	tc_buf_release(&txt);
	tc_buf_release(&out);
}

/* Removes what the last build wrote and this one did not; writes the new
 * manifest. */
static void sync_manifest(struct site *s)
{
	char *mpath = join(s->opt->out, manifest_name);
	struct tc_buf old = TC_BUF_INIT, now = TC_BUF_INIT;
	size_t i;
	char *p, *nl;

	qsort(s->outputs, s->noutputs, sizeof(*s->outputs), cmp_str);
	for (i = 0; i < s->noutputs; i++)
		tc_buf_addf(&now, "%s\n", s->outputs[i]);
	if (tc_fs_read(mpath, 64u * 1024 * 1024, &old) == 0) {
		for (p = old.data; *p; p = nl + 1) {
			nl = strchr(p, '\n');
			if (!nl)
				break;
			*nl = '\0';
			if (!*p || !tc_fs_safe_relpath(p, strlen(p)))
				continue;
			if (bsearch(&p, s->outputs, s->noutputs,
				    sizeof(*s->outputs), cmp_str))
				continue;
			{
				char *full = join(s->opt->out, p), *slash;

				if (unlink(full) == 0)
					s->res->removed++;
				/* Remove folders left empty, best effort. */
				while ((slash = strrchr(full, '/')) &&
				       (size_t)(slash - full) >
					   strlen(s->opt->out)) {
					*slash = '\0';
					if (rmdir(full) < 0)
						break;
				}
				free(full);
			}
		}
	}
	if (tc_fs_write_if_changed(mpath, now.data, now.len, 0644, NULL) < 0) {
		tc_warn("cannot write %s", mpath);
		s->errors++;
	}
	tc_buf_release(&old);
	tc_buf_release(&now);
	free(mpath);
}

/* ---- the build ---- */

static void flush_messages(struct site *s)
{
	size_t i;

	fputs(s->msgs.data, stderr);
	tc_buf_reset(&s->msgs);
	for (i = 0; i < s->npages; i++) {
		struct page *pg = s->pages[i];

		fputs(pg->msgs.data, stderr);
		tc_buf_reset(&pg->msgs);
		s->errors += pg->errors;
		s->warnings += pg->warnings;
		pg->errors = pg->warnings = 0;
	}
}

/* Frees all a page holds but its names, as it was when first found. */
static void page_clear(struct page *pg)
{
	size_t i;

	free(pg->url);
	free(pg->out);
	free(pg->text);
	tc_yaml_free(pg->fm);
	for (i = 0; i < pg->nids; i++)
		free(pg->ids[i]);
	free(pg->ids);
	cJSON_Delete(pg->toc);
	for (i = 0; i < pg->nlinks; i++)
		free(pg->links[i].url);
	free(pg->links);
	tc_buf_release(&pg->body);
	tc_buf_release(&pg->msgs);
	pg->url = pg->out = pg->text = NULL;
	pg->len = pg->body_off = 0;
	pg->body_line = 0;
	pg->fm = NULL;
	pg->title = pg->summary = pg->layout = NULL;
	pg->draft = pg->menu_false = pg->reachable = 0;
	pg->ids = NULL;
	pg->nids = 0;
	pg->toc = NULL;
	pg->want_toc = 0;
	pg->links = NULL;
	pg->nlinks = 0;
	pg->form = NULL;
	pg->form_line = 0;
	pg->errors = pg->warnings = 0;
}

static void page_free(struct page *pg)
{
	if (!pg)
		return;
	page_clear(pg);
	free(pg->rel);
	free(pg->path);
	free(pg);
}

static void today_string(const char *given, char out[11])
{
	time_t now;
	struct tm tm;

	if (given) {
		snprintf(out, 11, "%s", given);
		return;
	}
	now = time(NULL);
	localtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

int site_build(const struct site_options *opt, struct site_result *res)
{
	struct site s;
	struct strlist files = {0}, statics = {0}, asset_src = {0},
		       asset_out = {0};
	struct tc_error err;
	char today[11];
	size_t i;
	int rc = TC_EXIT_ENV, jobs = opt->jobs;

	memset(&s, 0, sizeof(s));
	tc_buf_init(&s.msgs, 0);
	memset(res, 0, sizeof(*res));
	s.opt = opt;
	s.res = res;
	pthread_mutex_init(&s.lock, NULL);
	if (jobs <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		jobs = n > 0 ? (int)n : 1;
	}
	today_string(opt->today, today);
	if (!site_valid_date(today)) {
		tc_warnx("--today must be a date written YYYY-MM-DD");
		rc = TC_EXIT_USAGE;
		goto out;
	}
	if (!tc_fs_is_dir(opt->content)) {
		tc_warnx("%s: no content folder here (use --content DIR)",
			 opt->content);
		goto out;
	}
	if (!tc_fs_is_dir(opt->theme)) {
		tc_warnx("%s: no theme folder here (use --theme DIR)",
			 opt->theme);
		goto out;
	}

	/* The theme first: its errors are not the content's fault. */
	s.tpl = tc_tpl_set_new(NULL, NULL);
	if (!s.tpl)
		tc_die_nomem();
	if (load_templates(&s, "layouts", 1) < 0)
		goto out;
	load_templates(&s, "partials", 0);
	if (!layout_exists(&s, "404")) {
		gen_msg(&s.msgs, 0, opt->theme, 0, 0,
			"the theme has no layouts/404.mustache");
		s.errors++;
	}

	s.cfg_path = join(opt->content, "site.yml");
	tc_error_clear(&err);
	s.cfg = tc_yaml_load_file(s.cfg_path, &err);
	if (!s.cfg) {
		char msg[1800];

		tc_error_format(&err, msg, sizeof(msg));
		tc_buf_addf(&s.msgs, "sitegen: %s\n", msg);
		s.errors++;
		flush_messages(&s);
		rc = err.code == TC_EIO ? TC_EXIT_ENV : TC_EXIT_INPUT;
		goto out;
	}
	check_site_config(&s);

	/* Forms, which pages embed: their errors are content errors. */
	{
		char *fdir = join(opt->content, "forms");

		if (tc_fs_is_dir(fdir)) {
			int nerr = 0;

			fflush(stderr);
			s.forms = tc_forms_load_dir(fdir, &nerr);
			s.errors += nerr;
			if (!s.forms) {
				tc_warn("cannot read %s", fdir);
				free(fdir);
				goto out;
			}
		}
		free(fdir);
	}
	/* The workflow rules must fit the forms (a service area with no
	 * routing would strand a complaint): the same check casework makes. */
	if (s.forms) {
		char *rpath = join(opt->content, "rules.yml");

		if (tc_fs_is_file(rpath)) {
			int nerr = 0;
			struct tc_rules *rules;

			fflush(stderr);
			rules = tc_rules_load(rpath, &nerr);
			s.errors += nerr;
			if (rules)
				s.errors +=
				    tc_rules_check_forms(rules, s.forms);
			tc_rules_free(rules);
		}
		free(rpath);
	}

	/* Phase A: every page, in parallel. */
	if (walk_files(opt->content, "", 1, &files) < 0) {
		tc_warn("cannot read %s", opt->content);
		goto out;
	}
	for (i = 0; i < files.n; i++) {
		if (ends_with(files.v[i], ".md")) {
			struct page *pg = calloc(1, sizeof(*pg));

			if (!pg)
				tc_die_nomem();
			pg->rel = tc_xstrdup(files.v[i]);
			pg->path = join(opt->content, files.v[i]);
			tc_buf_init(&pg->msgs, 0);
			tc_buf_init(&pg->body, 0);
			s.pages =
			    realloc(s.pages, (s.npages + 1) * sizeof(*s.pages));
			if (!s.pages)
				tc_die_nomem();
			s.pages[s.npages++] = pg;
		} else if (strchr(files.v[i], '/') ||
			   (!ends_with(files.v[i], ".yml") &&
			    !ends_with(files.v[i], ".yaml") &&
			    !ends_with(files.v[i], ".json"))) {
			strlist_add(&statics, tc_xstrdup(files.v[i]));
		}
	}
	qsort(s.pages, s.npages, sizeof(*s.pages), cmp_page);
	load_pages(&s, jobs);

	/* Phase B: navigation and links, in order. */
	if (cJSON_IsObject(tc_yaml_root(s.cfg))) {
		s.nav = resolve_menu(&s, "nav");
		s.footer = resolve_menu(&s, "footer");
	}
	check_pages(&s);
	if (opt->check_only)
		warn_pages(&s, today);
	flush_messages(&s);
	for (i = 0; i < s.npages; i++)
		res->pages += !s.pages[i]->draft;
	if (s.errors || opt->check_only) {
		rc = s.errors ? TC_EXIT_INPUT : TC_EXIT_OK;
		goto out;
	}

	/* Phase C: write. */
	if (tc_fs_mkdirs(opt->out, 0755) < 0) {
		tc_warn("cannot make %s", opt->out);
		goto out;
	}
	if (prepare_assets(&s, &asset_src, &asset_out) < 0)
		goto out;
	run_parallel(s.npages, jobs, write_page, &s);
	for (i = 0; i < asset_src.n; i++)
		copy_file(&s, asset_src.v[i], asset_out.v[i]);
	for (i = 0; i < statics.n; i++) {
		char *from = join(opt->content, statics.v[i]);

		copy_file(&s, from, statics.v[i]);
		free(from);
	}
	write_extras(&s);
	if (s.errors) {
		rc = TC_EXIT_ENV;
		goto out;
	}
	sync_manifest(&s);
	/*
	 * No fsync or syncfs: every file is replaced atomically (written,
	 * then renamed), so a reader never sees a torn page, and a build cut
	 * short by a crash is repaired by the next build, which compares bytes.
	 * Forcing the output to disk would make the build wait for every
	 * other writer on the file system too.
	 */
	rc = s.errors ? TC_EXIT_ENV : TC_EXIT_OK;
out:
	res->errors = s.errors;
	res->warnings = s.warnings;
	for (i = 0; i < s.npages; i++)
		page_free(s.pages[i]);
	free(s.pages);
	for (i = 0; i < s.nlayouts; i++)
		free(s.layouts[i]);
	free(s.layouts);
	for (i = 0; i < s.noutputs; i++)
		free(s.outputs[i]);
	free(s.outputs);
	strlist_release(&files);
	strlist_release(&statics);
	strlist_release(&asset_src);
	strlist_release(&asset_out);
	cJSON_Delete(s.nav);
	cJSON_Delete(s.footer);
	cJSON_Delete(s.assets);
	tc_yaml_free(s.cfg);
	free(s.cfg_path);
	tc_tpl_set_free(s.tpl);
	tc_forms_free(s.forms);
	tc_buf_release(&s.msgs);
	pthread_mutex_destroy(&s.lock);
	return rc;
}

int site_render_markdown(const char *file, const char *text, size_t len,
			 int first_line, struct tc_buf *out, cJSON **toc)
{
	struct page pg;
	int errors;

	memset(&pg, 0, sizeof(pg));
	pg.path = (char *)file;
	pg.rel = (char *)file;
	pg.text = (char *)text;
	pg.len = len;
	pg.body_line = first_line;
	tc_buf_init(&pg.msgs, 0);
	pg.toc = cJSON_CreateArray();
	if (!pg.toc)
		tc_die_nomem();
	errors = md_process(NULL, &pg, out);
	fputs(pg.msgs.data, stderr);
	for (size_t i = 0; i < pg.nids; i++)
		free(pg.ids[i]);
	free(pg.ids);
	tc_buf_release(&pg.msgs);
	if (toc)
		*toc = pg.toc;
	else
		cJSON_Delete(pg.toc);
	return errors;
}
