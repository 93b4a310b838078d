/*
 * import.c: sitegen import. Turns a policy as the council holds it (Word
 * .docx, OpenDocument .odt, an HTML page, or plain text converted from a
 * PDF) into a page in content/: the document formats go through pandoc to
 * GitHub-flavoured Markdown without raw HTML, then one clean-up pass for
 * all of them makes the Markdown what the build accepts, and says, at the
 * new page's line, everything it changed or could not convert.
 */
#define _GNU_SOURCE /* posix_spawnp's file actions */

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "array.h"
#include "buffer.h"
#include "err.h"
#include "escape.h"
#include "fsutil.h"
#include "utf8.h"
#include "site.h"

extern char **environ;

#define MAX_DOC (32u * 1024 * 1024)
/* The page's front matter is "---", title, summary, "---" and a blank. */
#define FIRST_BODY_LINE 6

/* One import: the Markdown being written and what is said about it. */
struct imp {
	struct tc_buf msgs; /* "LINE<TAB>TEXT" lines, said once the page
			       has its name */
	struct tc_buf out;  /* the page's body */
	int line;	    /* the body's next line in the page */
	int warnings;	    /* messages given */
	int prev_level;	    /* the last heading's level as written */
	int plain;	    /* a text file: its first short line may be the
			       title */
	char *title;	    /* from the first level-1 heading */
	char *summary;	    /* from the first paragraph */
	char **ids;	    /* heading ids, for links within the page */
	size_t nids, aids;
};

static void say(struct imp *im, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(struct imp *im, int line, const char *fmt, ...)
{
	va_list ap;

	tc_buf_addf(&im->msgs, "%d\t", line);
	va_start(ap, fmt);
	tc_buf_vaddf(&im->msgs, fmt, ap);
	va_end(ap);
	tc_buf_add(&im->msgs, "\n", 1);
	im->warnings++;
}

/* Says the messages, at the page's lines. */
static void tell(struct imp *im, const char *page)
{
	char *p = im->msgs.data, *tab, *nl;

	for (; *p && (tab = strchr(p, '\t')) && (nl = strchr(tab, '\n'));
	     p = nl + 1)
		fprintf(stderr, "sitegen: warning: %s:%.*s: %.*s\n", page,
			(int)(tab - p), p, (int)(nl - tab - 1), tab + 1);
}

static char *xstrndup(const char *s, size_t n)
{
	char *d = strndup(s, n);

	if (!d)
		tc_die_nomem();
	return d;
}

/* Runs pandoc -f from on path; its Markdown into out. */
static int pandoc(const char *from, const char *path, struct tc_buf *out)
{
	char *argv[] = {"pandoc",	"-f",	       (char *)from, "-t",
			"gfm-raw_html", "--wrap=none", (char *)path, NULL};
	posix_spawn_file_actions_t fa;
	int pfd[2], status, rc;
	pid_t pid;
	char chunk[65536];
	ssize_t n;

	if (pipe(pfd) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, pfd[0]);
	rc = posix_spawnp(&pid, "pandoc", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (rc) {
		close(pfd[0]);
		errno = rc;
		return -1;
	}
	while ((n = read(pfd[0], chunk, sizeof(chunk))) > 0)
		if (out->len + (size_t)n <= MAX_DOC)
			tc_buf_add(out, chunk, (size_t)n);
	close(pfd[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		errno = EINVAL;
		return -2;
	}
	return 0;
}

/* A heading's id as sitegen gives it (tc_slug). */
static char *heading_id(const char *s, size_t n)
{
	struct tc_buf b = TC_BUF_INIT;

	tc_slug(&b, s, n);
	return tc_buf_detach(&b, NULL);
}

static int has_id(const struct imp *im, const char *id, size_t n)
{
	size_t i;

	for (i = 0; i < im->nids; i++)
		if (strlen(im->ids[i]) == n && !memcmp(im->ids[i], id, n))
			return 1;
	return 0;
}

/* Copies one line of text, with links to nowhere made text, pictures left
 * out, inline tags taken out and "{{" kept literal. */
static void put_text(struct imp *im, const char *s, size_t n, int line)
{
	size_t i = 0;
	int tags = 0;

	while (i < n) {
		const char *close, *paren, *end;
		int image = s[i] == '!' && i + 1 < n && s[i + 1] == '[';

		if ((s[i] == '[' || image) &&
		    (close = memchr(s + i, ']', n - i)) != NULL &&
		    close + 1 < s + n && close[1] == '(' &&
		    (end = memchr(close, ')', (size_t)(s + n - close))) !=
			NULL) {
			const char *text = s + i + 1 + image;
			size_t tlen = (size_t)(close - text);
			const char *url = close + 2;
			size_t ulen = (size_t)(end - url);

			paren = url;
			while (paren < end && *paren == ' ')
				paren++;
			if (image) {
				say(im, line,
				    "a picture was left out (%.*s): pictures "
				    "are not imported; put the file in "
				    "content/ and write ![what it shows](FILE)",
				    (int)(ulen > 60 ? 60 : ulen), url);
				i = (size_t)(end - s) + 1;
				continue;
			}
			if (paren == end ||
			    (*paren == '#' &&
			     !has_id(im, paren + 1,
				     (size_t)(end - paren - 1)))) {
				say(im, line,
				    "a link to nowhere, [%.*s](%.*s), became "
				    "plain text: link it to a page or an "
				    "address if it should go somewhere",
				    (int)(tlen > 60 ? 60 : tlen), text,
				    (int)(ulen > 40 ? 40 : ulen), url);
				tc_buf_add(&im->out, text, tlen);
				i = (size_t)(end - s) + 1;
				continue;
			}
		}
		if (s[i] == '<' && i + 1 < n &&
		    ((s[i + 1] >= 'a' && s[i + 1] <= 'z') ||
		     (s[i + 1] >= 'A' && s[i + 1] <= 'Z') || s[i + 1] == '/') &&
		    (end = memchr(s + i, '>', n - i)) != NULL) {
			if (!tags++)
				say(im, line,
				    "HTML tags (the first %.*s) were taken out "
				    "of this line, keeping its text: write in "
				    "Markdown what they did, if it mattered",
				    (int)((size_t)(end - s - i) + 1 > 40
					      ? 40
					      : (size_t)(end - s - i) + 1),
				    s + i);
			i = (size_t)(end - s) + 1;
			continue;
		}
		if (s[i] == '{' && i + 1 < n && s[i + 1] == '{')
			tc_buf_add(&im->out, "\\", 1);
		tc_buf_add(&im->out, s + i, 1);
		i++;
	}
}

static void put_line_end(struct imp *im)
{
	tc_buf_add(&im->out, "\n", 1);
	im->line++;
}

static int is_list_item(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] == ' ')
		i++;
	if (i + 1 < n && (s[i] == '-' || s[i] == '*' || s[i] == '+') &&
	    s[i + 1] == ' ')
		return 1;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	return i > 0 && i + 1 < n && (s[i] == '.' || s[i] == ')') &&
	       s[i + 1] == ' ';
}

/* A heading: the title (returns 0), or a level that follows on from the
 * one before (returns 1). */
static int put_heading(struct imp *im, const char *s, size_t n, int level)
{
	const char *text = s + level;
	size_t tlen = n - (size_t)level;
	int want;

	while (tlen && (*text == ' ' || *text == '\t'))
		text++, tlen--;
	while (tlen && (text[tlen - 1] == ' ' || text[tlen - 1] == '#'))
		tlen--;
	if (level == 1 && !im->title) {
		im->title = xstrndup(text, tlen);
		return 0;
	}
	want = level < 2 ? 2 : level;
	if (want > im->prev_level + 1)
		want = im->prev_level + 1;
	if (want != level)
		say(im, im->line,
		    "heading level %d became level %d, so the levels follow "
		    "on (after a level-%d heading, or the page's title)",
		    level, want, im->prev_level);
	im->prev_level = want;
	tc_buf_addf(&im->out, "%.*s ", want, "######");
	put_text(im, text, tlen, im->line);
	put_line_end(im);
	return 1;
}

/* The first sentence of the first paragraph, as the summary. */
static void take_summary(struct imp *im, const char *s, size_t n)
{
	struct tc_buf b = TC_BUF_INIT;
	size_t i;

	for (i = 0; i < n && b.len < 300; i++) {
		if (s[i] == '*' || s[i] == '_' || s[i] == '`' || s[i] == '[' ||
		    s[i] == ']')
			continue;
		tc_buf_add(&b, s + i, 1);
		if (s[i] == '.' && (i + 1 == n || s[i + 1] == ' ') &&
		    b.len > 20)
			break;
	}
	im->summary = tc_buf_detach(&b, NULL);
}

/* The heading ids the page will have, before links are checked. */
static void gather_ids(struct imp *im, const char *md, size_t len)
{
	const char *p = md, *end = md + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t h = 0;

		while (h < n && p[h] == '#')
			h++;
		if (h && h <= 6 && h < n && p[h] == ' ') {
			TC_ALLOC_GROW(im->ids, im->nids + 1, im->aids);
			im->ids[im->nids++] = heading_id(p + h, n - h);
		}
		p += n + 1;
	}
}

static void clean(struct imp *im, const char *md, size_t len)
{
	const char *p = md, *end = md + len;
	int fence = 0, in_list = 0, blank = 1, indented = 0, first_ind = 0;

	gather_ids(im, md, len);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *next = nl ? nl + 1 : end;
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p), ind = 0;
		size_t h = 0;
		int fence_line, item;

		if (n && p[n - 1] == '\r')
			n--;
		while (ind < n && (p[ind] == ' ' || p[ind] == '\t'))
			ind++;
		fence_line =
		    !strncmp(p + ind, "```", 3) || !strncmp(p + ind, "~~~", 3);
		fence ^= fence_line;
		if (fence || fence_line) {
			tc_buf_add(&im->out, p, n);
			put_line_end(im);
			p = next;
			continue;
		}
		if (ind == n) {
			if (!blank) {
				put_line_end(im);
				blank = 1;
			}
			p = next;
			continue;
		}
		while (h < n && p[h] == '#')
			h++;
		item = is_list_item(p, n);
		if (item)
			in_list = 1;
		else if (ind == 0)
			in_list = 0;
		if (im->plain && !im->title && !im->out.len && !h && !item &&
		    n - ind < 120 && p[n - 1] != '.' &&
		    (next >= end || *next == '\n' || *next == '\r')) {
			/* a text file's first line, alone: its title */
			im->title = xstrndup(p + ind, n - ind);
			p = next;
			continue;
		}
		if (h && h <= 6 && (h == n || p[h] == ' ')) {
			if (!blank)
				put_line_end(im);
			blank = !put_heading(im, p, n, (int)h);
		} else {
			int tab = memchr(p, '\t', ind) != NULL;

			if (!in_list && (tab || ind >= 4)) {
				if (!indented++)
					first_ind = im->line;
				p += ind, n -= ind, ind = 0;
			}
			if (!im->summary && !in_list && p[ind] != '|' &&
			    p[ind] != '>')
				take_summary(im, p + ind, n - ind);
			tc_buf_add(&im->out, p, ind);
			put_text(im, p + ind, n - ind, im->line);
			put_line_end(im);
			blank = 0;
		}
		p = next;
	}
	if (indented)
		say(im, first_ind,
		    "%d indented line%s (tabs or 4 spaces, which Markdown "
		    "shows as computer code) became ordinary text",
		    indented, indented == 1 ? "" : "s");
}

/* A block of raw HTML in a text file (a table a PDF's converter wrote, say)
 * as Markdown through pandoc into out; -1 when pandoc cannot. */
static int html_block(const char *s, size_t n, struct tc_buf *out)
{
	char tmpl[] = "/tmp/sitegen-import-XXXXXX";
	int fd = mkstemp(tmpl), rc = -1;

	if (fd < 0)
		return -1;
	if (tc_fs_write_all(fd, s, n) == 0 && close(fd) == 0)
		rc = pandoc("html", tmpl, out) == 0 ? 0 : -1;
	else
		close(fd);
	unlink(tmpl);
	return rc;
}

/*
 * Raw HTML blocks of a text file (lines from one starting with a tag to the
 * next blank line) as Markdown, said at the file's lines; others as they are.
 */
static void convert_html_blocks(const char *file, struct tc_buf *md)
{
	struct tc_buf out = TC_BUF_INIT, conv = TC_BUF_INIT;
	const char *p = md->data, *end = md->data + md->len;
	int line = 1, fence = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *next = nl ? nl + 1 : end, *q;
		int lines = 1;

		if (!strncmp(p, "```", 3) || !strncmp(p, "~~~", 3))
			fence = !fence;
		if (fence || p[0] != '<' ||
		    !((p[1] >= 'a' && p[1] <= 'z') ||
		      (p[1] >= 'A' && p[1] <= 'Z'))) {
			tc_buf_add(&out, p, (size_t)(next - p));
			p = next;
			line++;
			continue;
		}
		/* the block runs to a blank line */
		for (q = next; q < end && *q != '\n' && *q != '\r'; lines++) {
			const char *qn = memchr(q, '\n', (size_t)(end - q));

			q = qn ? qn + 1 : end;
		}
		tc_buf_reset(&conv);
		if (html_block(p, (size_t)(q - p), &conv) == 0) {
			fprintf(stderr,
				"sitegen: warning: %s:%d: HTML (%d line%s) was "
				"converted to Markdown: check the result\n",
				file, line, lines, lines == 1 ? "" : "s");
			tc_buf_add(&out, conv.data, conv.len);
		} else {
			tc_buf_add(&out, p, (size_t)(q - p));
		}
		p = q;
		line += lines;
	}
	tc_buf_release(md);
	*md = out;
	tc_buf_release(&conv);
}

/* A name for the page from its title: lower case, words joined by '-'. */
static char *page_name(const char *title)
{
	char *id = heading_id(title, strlen(title));

	if (strlen(id) > 60) {
		id[60] = '\0';
		while (strlen(id) && id[strlen(id) - 1] == '-')
			id[strlen(id) - 1] = '\0';
	}
	return id;
}

/* "value" for YAML, in double quotes. */
static void yaml_quoted(struct tc_buf *b, const char *s)
{
	tc_buf_add(b, "\"", 1);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			tc_buf_add(b, "\\", 1);
		if ((unsigned char)*s >= 0x20)
			tc_buf_add(b, s, 1);
	}
	tc_buf_add(b, "\"", 1);
}

/* The document's Markdown: through pandoc for the formats it reads. */
static int read_document(const char *file, struct tc_buf *md)
{
	static const struct {
		const char *ext, *format;
	} formats[] = {{".docx", "docx"}, {".odt", "odt"}, {".html", "html"},
		       {".htm", "html"},  {".txt", NULL},  {".md", NULL}};
	const char *dot = strrchr(file, '.');
	size_t i, bad;
	int rc;

	for (i = 0; dot && i < sizeof(formats) / sizeof(*formats); i++)
		if (!strcasecmp(dot, formats[i].ext))
			break;
	if (!dot || i == sizeof(formats) / sizeof(*formats)) {
		tc_warnx("%s: import reads .docx, .odt, .html and .txt files "
			 "(save the document as one of these; for a PDF, "
			 "save its text as .txt)",
			 file);
		return TC_EXIT_INPUT;
	}
	if (!formats[i].format) {
		if (tc_fs_read(file, MAX_DOC, md) < 0) {
			tc_warn("%s: cannot read the file", file);
			return TC_EXIT_INPUT;
		}
		if (!strcasecmp(dot, ".txt"))
			convert_html_blocks(file, md);
	} else if ((rc = pandoc(formats[i].format, file, md)) < 0) {
		if (rc == -1)
			tc_warnx("%s: pandoc, which reads .docx, .odt and "
				 ".html, is not installed: install Debian's "
				 "pandoc package",
				 file);
		else
			tc_warnx("%s: pandoc could not read this file (what "
				 "it said is above): is it a %s document?",
				 file, formats[i].format);
		return TC_EXIT_INPUT;
	}
	if (!tc_utf8_is_text(md->data, md->len, &bad)) {
		tc_warnx("%s: byte %zu is not UTF-8 text: save the file as "
			 "UTF-8 and import it again",
			 file, bad);
		return TC_EXIT_INPUT;
	}
	return TC_EXIT_OK;
}

static int import_one(const char *file, const char *dir)
{
	struct tc_buf md = TC_BUF_INIT, page = TC_BUF_INIT, path = TC_BUF_INIT;
	struct imp im;
	char *name = NULL;
	const char *base = strrchr(file, '/');
	size_t i;
	int rc;

	memset(&im, 0, sizeof(im));
	tc_buf_init(&im.out, 0);
	tc_buf_init(&im.msgs, 0);
	im.line = FIRST_BODY_LINE;
	im.prev_level = 1;
	rc = read_document(file, &md);
	if (rc)
		goto out;
	im.plain =
	    strlen(file) > 4 && !strcasecmp(file + strlen(file) - 4, ".txt");
	clean(&im, md.data, md.len);
	if (!im.title) {
		base = base ? base + 1 : file;
		im.title = xstrndup(base, strcspn(base, "."));
		say(&im, 2,
		    "the document has no level-1 heading: the title is the "
		    "file's name, '%s'; change it to the policy's name",
		    im.title);
	}
	if (!im.summary || !*im.summary) {
		free(im.summary);
		im.summary = tc_xstrdup(im.title);
		say(&im, 3,
		    "no paragraph to take a summary from: write one sentence "
		    "saying what the page is for");
	}
	name = page_name(im.title);
	tc_buf_addf(&path, "%s/%s.md", dir, *name ? name : "imported");
	if (tc_fs_is_file(path.data) || tc_fs_is_dir(path.data)) {
		tc_warnx("%s: %s is there already: import writes new pages "
			 "only; move that page away or rename the document",
			 file, path.data);
		rc = TC_EXIT_INPUT;
		goto out;
	}
	tc_buf_adds(&page, "---\ntitle: ");
	yaml_quoted(&page, im.title);
	tc_buf_adds(&page, "\nsummary: ");
	yaml_quoted(&page, im.summary);
	tc_buf_adds(&page, "\n---\n\n");
	tc_buf_add(&page, im.out.data, im.out.len);
	if (tc_fs_write_atomic(path.data, page.data, page.len, 0644) < 0) {
		tc_warn("cannot write %s", path.data);
		rc = TC_EXIT_ENV;
		goto out;
	}
	tell(&im, path.data);
	printf("sitegen: imported %s as %s (%d warning%s)\n", file, path.data,
	       im.warnings, im.warnings == 1 ? "" : "s");
out:
	for (i = 0; i < im.nids; i++)
		free(im.ids[i]);
	free(im.ids);
	free(im.title);
	free(im.summary);
	free(name);
	tc_buf_release(&im.out);
	tc_buf_release(&im.msgs);
	tc_buf_release(&md);
	tc_buf_release(&page);
	tc_buf_release(&path);
	return rc;
}

int site_import(char **files, int n, const char *dir)
{
	int i, rc = TC_EXIT_OK;

	if (!n) {
		tc_warnx("import: name the documents to import, like 'sitegen "
			 "import policy.docx'");
		return TC_EXIT_USAGE;
	}
	for (i = 0; i < n; i++) {
		int r = import_one(files[i], dir);

		if (r && !rc)
			rc = r;
	}
	return rc;
}
