/*
 * bundlezip.h: reading a bundle's zip as the format allows
 * (docs/bundle.md, "How casework must treat a bundle"): what makes an
 * entry unusable, where a submission's entries are, and reading an entry
 * within caps while hashing it. What to do about a bad entry (quarantine,
 * refusal) is ingest.c's decision; these only say what is wrong.
 */
#ifndef CW_BUNDLEZIP_H
#define CW_BUNDLEZIP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <zip.h>

#include "buffer.h"
#include "forms.h"

/* Longest submission folder name compared when checking the zip's order. */
#define CW_ZIP_MAX_FOLDER 128

/*
 * Entry i's name (owned by the archive) and size, and why it may not be
 * used (a static string), or NULL: an unsafe path, not a plain file,
 * encrypted, an unknown compression, over the size or ratio caps. Cheap:
 * libzip answers from its directory.
 */
const char *cw_zip_entry_check(zip_t *za, zip_uint64_t i, const char **name,
			       zip_uint64_t *size);

/* The entry named exactly name (bytes as stored), through libzip's own
 * hash of names: its index, or -1. */
zip_int64_t cw_zip_locate(zip_t *za, const char *name);

/* The submission folder an entry's name is in: its length, with *f set,
 * for "submissions/F/..." with F of 1 to CW_ZIP_MAX_FOLDER bytes; else 0. */
size_t cw_zip_folder_of(const char *name, const char **f);

/* Compares a[0..an) with b[0..bn) bytewise, as strcmp would. */
int cw_zip_bytes_cmp(const char *a, size_t an, const char *b, size_t bn);

/*
 * Reads entry index whole into out (for JSON documents) or into the file
 * fd, hashing as it goes into hex and, when sn is not NULL, feeding the
 * sniffer (tc_sniff_init'ed by the caller); fails past max bytes or when
 * the bytes do not match the expected size. Returns 0, or -1 with why in
 * *why (static), or -2 on an I/O error writing fd.
 */
int cw_zip_read_entry(zip_t *za, zip_uint64_t index, zip_uint64_t size,
		      size_t max, struct tc_buf *out, int fd, char hex[65],
		      struct tc_sniffer *sn, const char **why);

/* Feeds one entry to a stream reader (tc_manifest_read), within the size
 * its directory gives. */
struct cw_zip_stream {
	zip_file_t *zf;	    /* open entry, the caller's */
	zip_uint64_t size;  /* from the zip's directory */
	zip_uint64_t total; /* read so far */
	const char *why;    /* why reading stopped (static) */
};

/* A tc_manifest_read_fn over a struct cw_zip_stream. */
ssize_t cw_zip_stream_read(void *arg, void *buf, size_t n);

/* SHA-256 of the file at path (a plain file: a link is refused), in hex;
 * when sn is not NULL, the bytes also feed it, and when size is not NULL
 * it receives their count. 0 or -1 with errno set. */
int cw_zip_hash_file(const char *path, char hex[65], struct tc_sniffer *sn,
		     uint64_t *size);

/* The bundle's name from its path: without folders and .zip, with unsafe
 * characters as '_' (fit to name a quarantine folder), in out (n bytes). */
void cw_zip_bundle_name(const char *path, char *out, size_t n);

#endif
