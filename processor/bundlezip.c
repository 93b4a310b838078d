/*
 * bundlezip.c: reading a bundle's zip as the format allows (see
 * bundlezip.h).
 */
#include "bundlezip.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "ingest.h"
#include "sha256.h"

/*
 * The submission folder an entry's name is in: its length, with *f set,
 * for "submissions/F/..." with F of 1 to CW_ZIP_MAX_FOLDER bytes; else 0.
 */
size_t cw_zip_folder_of(const char *name, const char **f)
{
	const char *slash;

	if (strncmp(name, "submissions/", 12))
		return 0;
	*f = name + 12;
	slash = strchr(*f, '/');
	if (!slash || slash == *f || (size_t)(slash - *f) > CW_ZIP_MAX_FOLDER)
		return 0;
	return (size_t)(slash - *f);
}

/* Compares a[0..an) with b[0..bn) bytewise, as strcmp would. */
int cw_zip_bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}

/*
 * Entry i's name (owned by the archive) and size, and why it may not be
 * used (static), or NULL. Cheap: libzip answers from its directory.
 */
const char *cw_zip_entry_check(zip_t *za, zip_uint64_t i, const char **name,
			       zip_uint64_t *size)
{
	zip_stat_t st;
	zip_uint8_t opsys;
	zip_uint32_t attr;

	*name = "";
	*size = 0;
	zip_stat_init(&st);
	if (zip_stat_index(za, i, ZIP_FL_ENC_RAW, &st) < 0 ||
	    !(st.valid & ZIP_STAT_NAME) || !(st.valid & ZIP_STAT_SIZE))
		return "cannot be read from the zip's directory";
	*name = st.name;
	*size = st.size;
	if (!tc_fs_safe_relpath(st.name, strlen(st.name)))
		return "has an unsafe path (absolute, '..', or a folder)";
	if (zip_file_get_external_attributes(za, i, 0, &opsys, &attr) == 0 &&
	    opsys == ZIP_OPSYS_UNIX && ((attr >> 16) & 0170000) &&
	    ((attr >> 16) & 0170000) != 0100000)
		return ((attr >> 16) & 0170000) == 0120000
			   ? "is a symbolic link"
			   : "is not a plain file";
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) &&
	    st.encryption_method != ZIP_EM_NONE)
		return "is encrypted";
	if ((st.valid & ZIP_STAT_COMP_METHOD) &&
	    st.comp_method != ZIP_CM_STORE && st.comp_method != ZIP_CM_DEFLATE)
		return "uses an unsupported compression method";
	if (st.size > CW_MAX_ENTRY)
		return "is over the size limit for one entry";
	if ((st.valid & ZIP_STAT_COMP_SIZE) && st.size >= CW_RATIO_FROM &&
	    st.size / (st.comp_size ? st.comp_size : 1) > CW_MAX_RATIO)
		return "is compressed suspiciously well (a zip bomb?)";
	return NULL;
}

/*
 * The entry named exactly name (bytes as stored), through libzip's own
 * hash of names: its index, or -1.
 */
zip_int64_t cw_zip_locate(zip_t *za, const char *name)
{
	zip_int64_t i = zip_name_locate(za, name, 0);
	const char *raw;

	if (i < 0)
		return -1;
	raw = zip_get_name(za, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
	return raw && !strcmp(raw, name) ? i : -1;
}

/* The file name without folders and .zip, with unsafe characters as '_'. */
void cw_zip_bundle_name(const char *path, char *out, size_t n)
{
	const char *base = strrchr(path, '/');
	size_t len, i;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 4 && !strcmp(base + len - 4, ".zip"))
		len -= 4;
	if (len >= n)
		len = n - 1;
	for (i = 0; i < len; i++) {
		char c = base[i];

		out[i] = ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			  (c >= '0' && c <= '9') || c == '-' || c == '_')
			     ? c
			     : '_';
	}
	if (!len)
		out[len++] = '_';
	out[len] = 0;
	if (out[0] == '.')
		out[0] = '_';
}

int cw_zip_hash_file(const char *path, char hex[65], struct tc_sniffer *sn,
		     uint64_t *size)
{
	struct tc_sha256 s;
	unsigned char buf[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), rc = -1;
	uint64_t total = 0;
	ssize_t got;

	if (fd < 0)
		return -1;
	tc_sha256_init(&s);
	while ((got = tc_fs_read_some(fd, buf, sizeof(buf))) != 0) {
		if (got < 0)
			goto out;
		tc_sha256_update(&s, buf, (size_t)got);
		if (sn)
			tc_sniff_feed(sn, buf, (size_t)got);
		total += (uint64_t)got;
	}
	tc_sha256_final_hex(&s, hex);
	if (size)
		*size = total;
	rc = 0;
out:
	close(fd);
	return rc;
}

/*
 * Reads entry e whole into out (for JSON documents) or into the file fd,
 * hashing as it goes; fails past max bytes or when the bytes do not match
 * the expected size. Returns 0, or -1 with why in *why (static), or -2 on
 * an I/O error writing fd.
 */
int cw_zip_read_entry(zip_t *za, zip_uint64_t index, zip_uint64_t size,
		      size_t max, struct tc_buf *out, int fd, char hex[65],
		      struct tc_sniffer *sn, const char **why)
{
	zip_file_t *zf = NULL;
	struct tc_sha256 s;
	char buf[65536];
	zip_uint64_t total = 0;
	zip_int64_t got;
	int rc = -1;

	if (size > max) {
		*why = "is over the size limit";
		return -1;
	}
	zf = zip_fopen_index(za, index, 0);
	if (!zf) {
		*why = "cannot be read (corrupt or unsupported)";
		return -1;
	}
	tc_sha256_init(&s);
	while ((got = zip_fread(zf, buf, sizeof(buf))) > 0) {
		total += (zip_uint64_t)got;
		if (total > size || total > max) {
			*why = "holds more bytes than its header says";
			goto out;
		}
		tc_sha256_update(&s, buf, (size_t)got);
		if (sn)
			tc_sniff_feed(sn, buf, (size_t)got);
		if (out && tc_buf_add(out, buf, (size_t)got) < 0) {
			*why = "is over the size limit";
			goto out;
		}
		if (fd >= 0 && tc_fs_write_all(fd, buf, (size_t)got) < 0) {
			rc = -2;
			goto out;
		}
	}
	if (got < 0) {
		*why = "is corrupt (bad data or checksum)";
		goto out;
	}
	if (total != size) {
		*why = "is shorter than its header says";
		goto out;
	}
	tc_sha256_final_hex(&s, hex);
	rc = 0;
out:
	zip_fclose(zf);
	return rc;
}

ssize_t cw_zip_stream_read(void *arg, void *buf, size_t n)
{
	struct cw_zip_stream *r = arg;
	zip_int64_t got = zip_fread(r->zf, buf, n);

	if (got < 0) {
		r->why = "is corrupt (bad data or checksum)";
		return -1;
	}
	r->total += (zip_uint64_t)got;
	if (r->total > r->size) {
		r->why = "holds more bytes than its header says";
		return -1;
	}
	if (got == 0 && r->total != r->size) {
		r->why = "is shorter than its header says";
		return -1;
	}
	return (ssize_t)got;
}
