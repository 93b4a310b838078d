/*
 * sha256.h: SHA-256 (FIPS 180-4) for checksums of files, bundles and assets.
 */
#ifndef TC_SHA256_H
#define TC_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct tc_sha256 {
	uint32_t h[8];	       /* chaining state */
	uint64_t bytes;	       /* message length so far */
	unsigned char blk[64]; /* partial block */
	size_t used;	       /* bytes in blk */
};

void tc_sha256_init(struct tc_sha256 *s);
void tc_sha256_update(struct tc_sha256 *s, const void *data, size_t len);
void tc_sha256_final(struct tc_sha256 *s, unsigned char out[32]);
/* tc_sha256_final, as 64 lowercase hex digits and a NUL in hex[65]. */
void tc_sha256_final_hex(struct tc_sha256 *s, char hex[65]);

/* The digest of data as 64 lowercase hex digits and a NUL in hex[65]. */
void tc_sha256_hex(const void *data, size_t len, char hex[65]);
/*
 * Whether the processor's SHA instructions are used where it has them (the
 * default, 1) or the portable code always (0): for tests and benchmarks
 * that compare the two. Returns 1 when the instructions are there.
 */
int tc_sha256_use_instructions(int yes);

/*
 * HMAC-SHA-256 (RFC 2104) of the n parts msg[i] (lengths len[i]), taken as
 * one message, under key: for the receipts intake signs. */
void tc_hmac_sha256(const void *key, size_t klen, const void *const msg[],
		    const size_t len[], size_t n, unsigned char out[32]);

/* 32 digest bytes as lowercase hex into hex[65]. */
void tc_sha256_tohex(const unsigned char digest[32], char hex[65]);

#endif
