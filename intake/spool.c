/*
 * spool.c: references and the durable spool (layout in intake.h).
 *
 * A submission is written under tmp/REF/, then handed to the group commit
 * (commit.c), which flushes it to disk, renames it into ready/ and flushes
 * again: a crash leaves either a whole submission in ready/ or a leftover
 * in tmp/ that the next start removes, never half of one in ready/.
 */
#define _GNU_SOURCE /* O_NOFOLLOW, O_DIRECTORY */

#include "serve_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle.h"
#include "err.h"
#include "fsutil.h"
#include "sha256.h"

/* Attempts at a fresh reference before giving up (collisions are rare). */
#define CLAIM_TRIES 16

/* The reference is the submission ID, defined once in model/bundle.h. */
const char intake_ref_alphabet[33] = TC_SUBMISSION_ID_ALPHABET;

int intake_ref_valid(const char *s)
{
	return tc_submission_id_valid(s);
}

int intake_ref_random(char ref[12])
{
	return tc_submission_id_random(ref);
}

/* 1 when PATH/REF exists (as anything), else 0. */
static int exists_in(const char *dir, const char *ref)
{
	struct tc_buf p = TC_BUF_INIT;
	struct stat st;
	int found = 1; /* on out of memory, claim it is taken */

	if (tc_fs_join(&p, dir, ref) < 0)
		goto out;
	found = lstat(p.data, &st) == 0 || errno != ENOENT;
out:
	tc_buf_release(&p);
	return found;
}

/* 1 when bundled/ * /REF exists, else 0. */
static int bundled_has(const char *bundled, const char *ref)
{
	struct tc_buf p = TC_BUF_INIT;
	struct dirent *e;
	DIR *d = NULL;
	int found = 0;

	d = opendir(bundled);
	if (!d) {
		found = errno != ENOENT;
		goto out;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		tc_buf_reset(&p);
		if (tc_fs_join(&p, bundled, e->d_name) < 0) {
			found = 1;
			goto out;
		}
		if (exists_in(p.data, ref)) {
			found = 1;
			goto out;
		}
	}
out:
	if (d)
		closedir(d);
	tc_buf_release(&p);
	return found;
}

int intake_spool_stored(const struct intake_ctx *ctx, const char *ref)
{
	return exists_in(ctx->spool_ready, ref) ||
	       bundled_has(ctx->spool_bundled, ref);
}

int intake_spool_claim(const struct intake_ctx *ctx, char ref[12])
{
	struct tc_buf p = TC_BUF_INIT;
	int tries, rc = -1;

	for (tries = 0; tries < CLAIM_TRIES; tries++) {
		if (intake_ref_random(ref) < 0)
			goto out;
		tc_buf_reset(&p);
		if (tc_fs_join(&p, ctx->spool_tmp, ref) < 0)
			goto out;
		if (mkdir(p.data, 0700) < 0) {
			if (errno == EEXIST)
				continue;
			goto out;
		}
		/* Claimed in tmp/; now make sure it was never used. */
		if (intake_spool_stored(ctx, ref)) {
			if (rmdir(p.data) < 0)
				goto out;
			continue;
		}
		rc = 0;
		goto out;
	}
	errno = EEXIST;
out:
	tc_buf_release(&p);
	return rc;
}

void intake_spool_discard(const struct intake_ctx *ctx, const char *ref)
{
	struct tc_buf p = TC_BUF_INIT;

	if (tc_fs_join(&p, ctx->spool_tmp, ref) == 0 &&
	    tc_fs_remove_tree(p.data) < 0)
		tc_warn("cannot remove a temporary submission folder");
	tc_buf_release(&p);
}

int intake_open_folder(const char *path)
{
	return open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* Opens path as a folder (no symlinks) and fsyncs it. */
static int sync_folder(const char *path)
{
	int fd = intake_open_folder(path);

	if (fd < 0)
		return -1;
	return tc_fs_close_keep(fd, fsync(fd) < 0 ? -1 : 0);
}

int intake_write_new(const char *path, const char *data, size_t len)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return -1;
	return tc_fs_close_keep(fd, tc_fs_write_all(fd, data, len));
}

/*
 * Renames from to path and writes data over what it held: the file's
 * inode is kept (freeing one costs more than writing one on some file
 * systems).
 */
static int write_over(const char *from, const char *path, const char *data,
		      size_t len)
{
	int fd;

	if (rename(from, path) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	return tc_fs_close_keep(fd, tc_fs_write_all(fd, data, len) < 0 ||
					    ftruncate(fd, (off_t)len) < 0
					? -1
					: 0);
}

int intake_spool_write(const struct intake_ctx *ctx, const char *ref,
		       const char *over, const char *json, size_t len)
{
	struct tc_buf p = TC_BUF_INIT, from = TC_BUF_INIT;
	int rc = -1;

	if (tc_buf_addf(&p, "%s/%s/submission.json", ctx->spool_tmp, ref) < 0)
		goto out;
	if (!over) {
		rc = intake_write_new(p.data, json, len);
		goto out;
	}
	if (tc_buf_addf(&from, "%s/%s/%s", ctx->spool_tmp, ref, over) < 0)
		goto out;
	rc = write_over(from.data, p.data, json, len);
out:
	tc_buf_release(&p);
	tc_buf_release(&from);
	return rc;
}

/* Removes everything in folder dir (not dir itself). */
static int empty_folder(const char *dir)
{
	struct tc_buf p = TC_BUF_INIT;
	char **names = NULL;
	size_t n = 0, i;
	int rc = -1;

	if (tc_fs_list(dir, &names, &n) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		tc_buf_reset(&p);
		if (tc_fs_join(&p, dir, names[i]) < 0 ||
		    tc_fs_remove_tree(p.data) < 0)
			goto out;
	}
	rc = 0;
out:
	tc_fs_names_free(names, n);
	tc_buf_release(&p);
	return rc;
}

/*
 * Reads the spool's receipt key from path into key, making it (random,
 * 0600, synced) when there is none. Returns 0 or -1 (reported).
 */
static int receipt_key(const char *spool, const char *path,
		       unsigned char key[32])
{
	struct stat st;
	ssize_t n;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		if (tc_fs_random(key, 32) < 0 ||
		    tc_fs_write_atomic_ex(path, key, 32, 0600, 0) < 0 ||
		    sync_folder(spool) < 0) {
			tc_warn("%s: cannot make the receipt key", path);
			return -1;
		}
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0 || fstat(fd, &st) < 0) {
		tc_warn("%s: cannot read the receipt key", path);
		goto out;
	}
	n = S_ISREG(st.st_mode) && st.st_size == 32
		? tc_fs_read_some(fd, key, 32)
		: -1;
	if (n != 32) {
		tc_warnx("%s: not a receipt key (32 bytes): remove it, and "
			 "intake makes a new one (confirmation pages open "
			 "now then show 'not found')",
			 path);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

static void receipt_mac(const struct intake_ctx *ctx, const char *form,
			const char *ref, unsigned char mac[32])
{
	const void *parts[3] = {form, "", ref};
	size_t lens[3] = {strlen(form), 1, strlen(ref)};

	tc_hmac_sha256(ctx->receipt_key, sizeof(ctx->receipt_key), parts, lens,
		       3, mac);
}

void intake_receipt(const struct intake_ctx *ctx, const char *form,
		    const char *ref, char out[33])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char mac[32];
	size_t i;

	receipt_mac(ctx, form, ref, mac);
	for (i = 0; i < 16; i++) {
		out[2 * i] = hex[mac[i] >> 4];
		out[2 * i + 1] = hex[mac[i] & 15];
	}
	out[32] = '\0';
}

int intake_receipt_ok(const struct intake_ctx *ctx, const char *form,
		      const char *ref, const char *got)
{
	char want[33];
	unsigned diff = 0;
	size_t i;

	if (!got || strlen(got) != 32)
		return 0;
	intake_receipt(ctx, form, ref, want);
	for (i = 0; i < 32; i++)
		diff |= (unsigned char)(want[i] ^ got[i]);
	return diff == 0;
}

int intake_spool_prepare(struct intake_ctx *ctx, const char *spool)
{
	struct tc_buf p = TC_BUF_INIT;
	const char *sub[3] = {"tmp", "ready", "bundled"};
	char **dst[3] = {&ctx->spool_tmp, &ctx->spool_ready,
			 &ctx->spool_bundled};
	size_t i;
	int rc = -1;

	if (tc_fs_mkdirs(spool, 0700) < 0) {
		tc_warn("%s: cannot make the spool folder", spool);
		goto out;
	}
	for (i = 0; i < 3; i++) {
		tc_buf_reset(&p);
		if (tc_fs_join(&p, spool, sub[i]) < 0)
			goto nomem;
		if (mkdir(p.data, 0700) < 0 && errno != EEXIST) {
			tc_warn("%s: cannot make the folder", p.data);
			goto out;
		}
		if (!tc_fs_is_dir(p.data)) {
			tc_warnx("%s: not a folder (move it away and start "
				 "again)",
				 p.data);
			goto out;
		}
		*dst[i] = tc_buf_detach(&p, NULL);
		if (!*dst[i])
			goto nomem;
	}
	if (ctx->opt->mail_from) {
		if (tc_fs_join(&p, spool, "outbox") < 0)
			goto nomem;
		if (mkdir(p.data, 0700) < 0 && errno != EEXIST) {
			tc_warn("%s: cannot make the folder", p.data);
			goto out;
		}
		ctx->spool_outbox = tc_buf_detach(&p, NULL);
		if (!ctx->spool_outbox)
			goto nomem;
	}
	if (tc_fs_join(&p, spool, "receipt.key") < 0)
		goto nomem;
	ctx->spool_key = tc_buf_detach(&p, NULL);
	if (!ctx->spool_key)
		goto nomem;
	if (receipt_key(spool, ctx->spool_key, ctx->receipt_key) < 0)
		goto out;
	if (empty_folder(ctx->spool_tmp) < 0) {
		tc_warn("%s: cannot remove leftovers", ctx->spool_tmp);
		goto out;
	}
	if (ctx->spool_outbox && intake_mail_recover(ctx) < 0) {
		tc_warn("%s: cannot settle the emails a stop left",
			ctx->spool_outbox);
		goto out;
	}
	if (sync_folder(ctx->spool_tmp) < 0 || sync_folder(spool) < 0) {
		tc_warn("%s: cannot sync the spool", spool);
		goto out;
	}
	rc = 0;
	goto out;
nomem:
	tc_warnx("out of memory");
out:
	tc_buf_release(&p);
	return rc;
}
