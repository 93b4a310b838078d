/*
 * test_sha256.c: SHA-256 against the FIPS 180-4 example vectors, by the
 * portable code and by the processor's SHA instructions where it has them,
 * and the two against each other.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "testlib.h"

static void vectors(void)
{
	char hex[65];
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnop"
			  "nopq";

	tc_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb924"
				 "27ae41e4649b934ca495991b7852b855");
	tc_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
				 "b00361a396177a9cb410ff61f20015ad");
	tc_sha256_hex(two, strlen(two), hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039"
				 "a33ce45964ff2167f6ecedd419db06c1");
}

static void test_vectors(void **state)
{
	(void)state;
	tc_sha256_use_instructions(0);
	vectors();
	if (tc_sha256_use_instructions(1))
		vectors();
	else
		print_message("no SHA instructions here: portable code only\n");
}

/* Every length up to 700 bytes, of bytes that vary, gives the same digest
 * by both ways. */
/* HMAC-SHA-256: RFC 4231's test cases 1, 2 and 6 (a key longer than a
 * block), the message given whole and in pieces. */
static void test_hmac(void **state)
{
	static const struct {
		unsigned char key[131];
		size_t klen;
		const char *msg, *want;
	} v[] = {
	    {{0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
	      0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b},
	     20,
	     "Hi There",
	     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff"
	     "7"},
	    {"Jefe", 4, "what do ya want for nothing?",
	     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec384"
	     "3"},
	    {{0},
	     131,
	     "Test Using Larger Than Block-Size Key - Hash Key First",
	     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f5"
	     "4"},
	};
	unsigned char key[131], out[32];
	char hex[65];
	size_t i, half;

	(void)state;
	for (i = 0; i < TL_LEN(v); i++) {
		const void *parts[2];
		size_t lens[2];

		memcpy(key, v[i].key, sizeof(key));
		if (i == 2)
			memset(key, 0xaa, sizeof(key));
		half = strlen(v[i].msg) / 2;
		parts[0] = v[i].msg;
		lens[0] = strlen(v[i].msg);
		tc_hmac_sha256(key, v[i].klen, parts, lens, 1, out);
		tc_sha256_tohex(out, hex);
		assert_string_equal(hex, v[i].want);
		lens[0] = half;
		parts[1] = v[i].msg + half;
		lens[1] = strlen(v[i].msg) - half;
		tc_hmac_sha256(key, v[i].klen, parts, lens, 2, out);
		tc_sha256_tohex(out, hex);
		assert_string_equal(hex, v[i].want);
	}
}

static void test_both_agree(void **state)
{
	unsigned char data[700];
	char a[65], b[65];
	size_t i, n;
	uint32_t x = 2463534242u;

	(void)state;
	for (i = 0; i < sizeof(data); i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		data[i] = (unsigned char)x;
	}
	if (!tc_sha256_use_instructions(1))
		skip();
	for (n = 0; n <= sizeof(data); n++) {
		tc_sha256_use_instructions(0);
		tc_sha256_hex(data, n, a);
		tc_sha256_use_instructions(1);
		tc_sha256_hex(data, n, b);
		if (strcmp(a, b))
			fail_msg("length %zu: %s portable, %s instructions", n,
				 a, b);
	}
}

/* One million 'a' fed in uneven pieces crosses every block boundary case. */
static void test_million_a_in_pieces(void **state)
{
	struct tc_sha256 s;
	unsigned char d[32];
	char hex[65], *a = malloc(1000000);
	size_t off = 0, step = 1;

	(void)state;
	assert_non_null(a);
	memset(a, 'a', 1000000);
	tc_sha256_init(&s);
	while (off < 1000000) {
		size_t n = step > 1000000 - off ? 1000000 - off : step;

		tc_sha256_update(&s, a + off, n);
		off += n;
		step = step * 3 % 997 + 1;
	}
	tc_sha256_final(&s, d);
	tc_sha256_tohex(d, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67"
				 "f1809a48a497200e046d39ccc7112cd0");
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vectors),
	    cmocka_unit_test(test_hmac),
	    cmocka_unit_test(test_both_agree),
	    cmocka_unit_test(test_million_a_in_pieces),
	};

	return cmocka_run_group_tests_name("sha256", tests, NULL, NULL);
}
