/*
 * sha256.c: SHA-256 as specified in FIPS 180-4, section 6.2.
 *
 * Blocks are compressed by the portable code below, or, on x86-64
 * processors that have them (checked once, with cpuid), by the SHA
 * instructions, several times faster; both give the same digest, which
 * the unit test checks against the standard's vectors on this machine.
 */
#include "sha256.h"

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_SHA_NI_PATH 1
#endif

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static void compress(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, k, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 =
		    ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 =
		    ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0], b = h[1], c = h[2], d = h[3];
	e = h[4], f = h[5], g = h[6], k = h[7];
	for (i = 0; i < 64; i++) {
		t1 = k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) +
		     ((e & f) ^ (~e & g)) + K[i] + w[i];
		t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) +
		     ((a & b) ^ (a & c) ^ (b & c));
		k = g, g = f, f = e, e = d + t1;
		d = c, c = b, b = a, a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d;
	h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

#ifdef HAVE_SHA_NI_PATH
/*
 * n blocks with the SHA instructions. They keep the state as two halves,
 * A B E F and C D G H (A in the highest lane); each sha256rnds2 does two
 * rounds, and msg1 and msg2 extend the message schedule four words at a
 * time: W[t..t+3] from W[t-16..t-1].
 */
/* Unaligned 16-byte loads and stores (movdqu), without casts. */
static __m128i load16(const void *p)
{
	__m128i v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void store16(void *p, __m128i v)
{
	memcpy(p, &v, sizeof(v));
}

__attribute__((target("sha,sse4.1"))) static void
compress_ni(uint32_t h[8], const unsigned char *p, size_t n)
{
	const __m128i swap =
	    _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i abcd = load16(h);
	__m128i efgh = load16(h + 4);
	__m128i abef, cdgh, save0, save1, msg, w[16];
	int g;

	abcd = _mm_shuffle_epi32(abcd, 0xB1); /* B A D C */
	efgh = _mm_shuffle_epi32(efgh, 0x1B); /* H G F E */
	abef = _mm_alignr_epi8(abcd, efgh, 8);
	cdgh = _mm_blend_epi16(efgh, abcd, 0xF0);
	for (; n; n--, p += 64) {
		save0 = abef;
		save1 = cdgh;
		for (g = 0; g < 4; g++)
			w[g] = _mm_shuffle_epi8(load16(p + 16 * g), swap);
		for (g = 4; g < 16; g++)
			w[g] = _mm_sha256msg2_epu32(
			    _mm_add_epi32(
				_mm_sha256msg1_epu32(w[g - 4], w[g - 3]),
				_mm_alignr_epi8(w[g - 1], w[g - 2], 4)),
			    w[g - 1]);
		for (g = 0; g < 16; g++) {
			msg = _mm_add_epi32(w[g], load16(K + 4 * g));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, msg);
			msg = _mm_shuffle_epi32(msg, 0x0E);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, msg);
		}
		abef = _mm_add_epi32(abef, save0);
		cdgh = _mm_add_epi32(cdgh, save1);
	}
	abef = _mm_shuffle_epi32(abef, 0x1B); /* A B E F, A lowest */
	cdgh = _mm_shuffle_epi32(cdgh, 0xB1); /* G H C D */
	store16(h, _mm_blend_epi16(abef, cdgh, 0xF0));
	store16(h + 4, _mm_alignr_epi8(cdgh, abef, 8));
}

/* 1 when the processor has the SHA instructions and SSE4.1. */
static int have_sha_ni(void)
{
	static int known = -1;
	unsigned a, b, c, d;

	if (known >= 0)
		return known;
	known = 0;
	if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 19)) &&
	    (c & (1u << 9)) && __get_cpuid_count(7, 0, &a, &b, &c, &d) &&
	    (b & (1u << 29)))
		known = 1;
	return known;
}
#endif

static int allow_instructions = 1;

int tc_sha256_use_instructions(int yes)
{
	allow_instructions = yes;
#ifdef HAVE_SHA_NI_PATH
	return have_sha_ni();
#else
	return 0;
#endif
}

/* n blocks of p into h, by the fastest way this processor has. */
static void compress_blocks(uint32_t h[8], const unsigned char *p, size_t n)
{
#ifdef HAVE_SHA_NI_PATH
	if (allow_instructions && have_sha_ni()) {
		compress_ni(h, p, n);
		return;
	}
#endif
	for (; n; n--, p += 64)
		compress(h, p);
}

void tc_sha256_init(struct tc_sha256 *s)
{
	static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372,
				       0xa54ff53a, 0x510e527f, 0x9b05688c,
				       0x1f83d9ab, 0x5be0cd19};

	memcpy(s->h, iv, sizeof(iv));
	s->bytes = 0;
	s->used = 0;
}

void tc_sha256_update(struct tc_sha256 *s, const void *data, size_t len)
{
	const unsigned char *p = data;

	s->bytes += len;
	if (s->used) {
		size_t take = 64 - s->used;

		if (take > len)
			take = len;
		memcpy(s->blk + s->used, p, take);
		s->used += take;
		p += take;
		len -= take;
		if (s->used < 64)
			return;
		compress_blocks(s->h, s->blk, 1);
		s->used = 0;
	}
	if (len >= 64) {
		compress_blocks(s->h, p, len / 64);
		p += len - len % 64;
		len %= 64;
	}
	memcpy(s->blk, p, len);
	s->used = len;
}

void tc_sha256_final(struct tc_sha256 *s, unsigned char out[32])
{
	uint64_t bits = s->bytes * 8;
	int i;

	s->blk[s->used++] = 0x80;
	if (s->used > 56) {
		memset(s->blk + s->used, 0, 64 - s->used);
		compress_blocks(s->h, s->blk, 1);
		s->used = 0;
	}
	memset(s->blk + s->used, 0, 56 - s->used);
	for (i = 0; i < 8; i++)
		s->blk[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	compress_blocks(s->h, s->blk, 1);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(s->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)s->h[i];
	}
}

void tc_sha256_tohex(const unsigned char digest[32], char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 15];
	}
	hex[64] = '\0';
}

void tc_sha256_final_hex(struct tc_sha256 *s, char hex[65])
{
	unsigned char d[32];

	tc_sha256_final(s, d);
	tc_sha256_tohex(d, hex);
}

void tc_sha256_hex(const void *data, size_t len, char hex[65])
{
	struct tc_sha256 s;

	tc_sha256_init(&s);
	tc_sha256_update(&s, data, len);
	tc_sha256_final_hex(&s, hex);
}

void tc_hmac_sha256(const void *key, size_t klen, const void *const msg[],
		    const size_t len[], size_t n, unsigned char out[32])
{
	unsigned char k[64], pad[64], inner[32];
	struct tc_sha256 s;
	size_t i;

	memset(k, 0, sizeof(k));
	if (klen > sizeof(k)) {
		tc_sha256_init(&s);
		tc_sha256_update(&s, key, klen);
		tc_sha256_final(&s, k);
	} else if (klen) {
		memcpy(k, key, klen);
	}
	for (i = 0; i < sizeof(pad); i++)
		pad[i] = k[i] ^ 0x36;
	tc_sha256_init(&s);
	tc_sha256_update(&s, pad, sizeof(pad));
	for (i = 0; i < n; i++)
		tc_sha256_update(&s, msg[i], len[i]);
	tc_sha256_final(&s, inner);
	for (i = 0; i < sizeof(pad); i++)
		pad[i] = k[i] ^ 0x5c;
	tc_sha256_init(&s);
	tc_sha256_update(&s, pad, sizeof(pad));
	tc_sha256_update(&s, inner, sizeof(inner));
	tc_sha256_final(&s, out);
}
