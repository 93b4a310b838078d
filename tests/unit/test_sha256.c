/*
 * test_sha256.c: SHA-256 against the FIPS 180-4 example vectors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"

static void test_vectors(void **state)
{
	char hex[65];
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnop"
			  "nopq";

	(void)state;
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
	    cmocka_unit_test(test_million_a_in_pieces),
	};

	return cmocka_run_group_tests_name("sha256", tests, NULL, NULL);
}
