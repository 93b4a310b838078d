/*
 * test_buffer.c: unit tests for common/buffer.c: growth, caps, formatted
 * appends, detach and release.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buffer.h"

static void test_init(void **state)
{
	struct tc_buf a = TC_BUF_INIT, b;

	(void)state;
	assert_non_null(a.data);
	assert_string_equal(a.data, "");
	assert_int_equal(a.len, 0);
	assert_int_equal(a.alloc, 0);
	assert_int_equal(a.cap, 0);
	tc_buf_init(&b, 123);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	assert_int_equal(b.cap, 123);
	tc_buf_setcap(&b, 0);
	assert_int_equal(b.cap, 0);
	/* Release and reset of a never-used buffer are harmless. */
	tc_buf_reset(&a);
	tc_buf_release(&a);
	assert_string_equal(a.data, "");
}

static void test_add(void **state)
{
	struct tc_buf b = TC_BUF_INIT, c = TC_BUF_INIT;

	(void)state;
	assert_int_equal(tc_buf_add(&b, "abc", 3), 0);
	assert_int_equal(tc_buf_adds(&b, "def"), 0);
	assert_int_equal(tc_buf_addch(&b, 'g'), 0);
	assert_int_equal(tc_buf_add(&b, "", 0), 0);
	assert_string_equal(b.data, "abcdefg");
	assert_int_equal(b.len, 7);
	/* Bytes with NULs are kept whole, and the buffer still ends in one. */
	assert_int_equal(tc_buf_add(&b, "\0x", 2), 0);
	assert_int_equal(b.len, 9);
	assert_memory_equal(b.data, "abcdefg\0x", 10);
	assert_int_equal(tc_buf_adds(&c, "<"), 0);
	assert_int_equal(tc_buf_addbuf(&c, &b), 0);
	assert_int_equal(c.len, 10);
	assert_memory_equal(c.data, "<abcdefg\0x", 11);
	/* Adding an empty buffer to an empty one. */
	tc_buf_release(&b);
	tc_buf_release(&c);
	assert_int_equal(tc_buf_addbuf(&c, &b), 0);
	assert_string_equal(c.data, "");
	tc_buf_release(&c);
}

/* A buffer appended to itself while it has to grow. */
static void test_addbuf_self(void **state)
{
	struct tc_buf b = TC_BUF_INIT;
	int i;

	(void)state;
	assert_int_equal(tc_buf_adds(&b, "0123456789"), 0);
	for (i = 0; i < 8; i++)
		assert_int_equal(tc_buf_addbuf(&b, &b), 0);
	assert_int_equal(b.len, 10u << 8);
	assert_memory_equal(b.data + b.len - 10, "0123456789", 10);
	assert_int_equal(strlen(b.data), b.len);
	tc_buf_release(&b);
}

static void test_grow_big(void **state)
{
	struct tc_buf b = TC_BUF_INIT;
	char block[1000];
	size_t i;

	(void)state;
	memset(block, 'z', sizeof(block));
	for (i = 0; i < 1000; i++)
		assert_int_equal(tc_buf_add(&b, block, sizeof(block)), 0);
	assert_int_equal(b.len, 1000000);
	assert_true(b.alloc > b.len);
	assert_int_equal(b.data[b.len], '\0');
	assert_int_equal(strlen(b.data), b.len);
	tc_buf_release(&b);
}

static void test_grow_overflow(void **state)
{
	struct tc_buf b = TC_BUF_INIT;

	(void)state;
	assert_int_equal(tc_buf_adds(&b, "x"), 0);
	errno = 0;
	assert_int_equal(tc_buf_grow(&b, SIZE_MAX), -1);
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_int_equal(tc_buf_grow(&b, SIZE_MAX - 1), -1);
	assert_int_equal(errno, ENOMEM);
	assert_string_equal(b.data, "x");
	tc_buf_release(&b);
}

static void test_cap(void **state)
{
	struct tc_buf b;
	char *before;
	size_t alloc;

	(void)state;
	tc_buf_init(&b, 8);
	assert_int_equal(tc_buf_adds(&b, "12345"), 0);
	before = b.data;
	alloc = b.alloc;
	errno = 0;
	assert_int_equal(tc_buf_adds(&b, "6789"), -1);
	assert_int_equal(errno, EFBIG);
	/* Unchanged: same bytes, same memory. */
	assert_string_equal(b.data, "12345");
	assert_int_equal(b.len, 5);
	assert_ptr_equal(b.data, before);
	assert_int_equal(b.alloc, alloc);
	errno = 0;
	assert_int_equal(tc_buf_addch(&b, 'x'), 0);
	assert_int_equal(tc_buf_adds(&b, "yz"), 0); /* exactly the cap */
	assert_string_equal(b.data, "12345xyz");
	assert_int_equal(tc_buf_addch(&b, '!'), -1);
	assert_int_equal(errno, EFBIG);
	assert_string_equal(b.data, "12345xyz");
	/* The cap survives release. */
	tc_buf_release(&b);
	assert_int_equal(b.cap, 8);
	assert_int_equal(tc_buf_adds(&b, "123456789"), -1);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	tc_buf_release(&b);
}

static void test_addf(void **state)
{
	struct tc_buf b = TC_BUF_INIT;

	(void)state;
	assert_int_equal(tc_buf_addf(&b, "%d pages", 42), 0);
	assert_string_equal(b.data, "42 pages");
	assert_int_equal(tc_buf_addf(&b, "%s", ""), 0);
	assert_string_equal(b.data, "42 pages");
	/* Past the first 64-byte allocation in one go. */
	assert_int_equal(tc_buf_addf(&b, ", %0100d|%s", 7, "end"), 0);
	assert_int_equal(b.len, 8 + 2 + 100 + 4);
	assert_memory_equal(b.data + 10, "0000", 4);
	assert_string_equal(b.data + b.len - 5, "7|end");
	tc_buf_release(&b);
}

static void test_addf_many(void **state)
{
	struct tc_buf b = TC_BUF_INIT;
	char want[16];
	size_t i, off = 0;

	(void)state;
	for (i = 0; i < 5000; i++)
		assert_int_equal(tc_buf_addf(&b, "[%zu]", i), 0);
	/* Walk back through and check every piece. */
	for (i = 0; i < 5000; i++) {
		size_t n = (size_t)snprintf(want, sizeof(want), "[%zu]", i);

		assert_memory_equal(b.data + off, want, n);
		off += n;
	}
	assert_int_equal(off, b.len);
	assert_int_equal(b.data[b.len], '\0');
	tc_buf_release(&b);
}

/* addf into a capped buffer: both the in-place and the growing paths. */
static void test_addf_cap(void **state)
{
	struct tc_buf b;

	(void)state;
	tc_buf_init(&b, 10);
	assert_int_equal(tc_buf_adds(&b, "abc"), 0);
	/* Fits in the memory already there, but not under the cap. */
	errno = 0;
	assert_int_equal(tc_buf_addf(&b, "%s", "12345678"), -1);
	assert_int_equal(errno, EFBIG);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.data, "abc");
	/* Needs more memory and passes the cap. */
	errno = 0;
	assert_int_equal(tc_buf_addf(&b, "%0200d", 1), -1);
	assert_int_equal(errno, EFBIG);
	assert_int_equal(b.len, 3);
	assert_string_equal(b.data, "abc");
	assert_int_equal(tc_buf_addf(&b, "%d", 1234567), 0);
	assert_string_equal(b.data, "abc1234567");
	tc_buf_release(&b);
	/* A fresh capped buffer with no memory yet. */
	tc_buf_init(&b, 4);
	assert_int_equal(tc_buf_addf(&b, "%s", "too long"), -1);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	tc_buf_release(&b);
}

static void test_setlen_reset(void **state)
{
	struct tc_buf b = TC_BUF_INIT;
	size_t alloc;

	(void)state;
	assert_int_equal(tc_buf_adds(&b, "hello world"), 0);
	tc_buf_setlen(&b, 5);
	assert_string_equal(b.data, "hello");
	alloc = b.alloc;
	tc_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	assert_int_equal(b.alloc, alloc); /* memory kept */
	assert_int_equal(tc_buf_adds(&b, "again"), 0);
	assert_string_equal(b.data, "again");
	tc_buf_release(&b);
	assert_int_equal(b.alloc, 0);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	/* Usable again after release. */
	assert_int_equal(tc_buf_adds(&b, "third"), 0);
	assert_string_equal(b.data, "third");
	tc_buf_release(&b);
}

static void test_detach(void **state)
{
	struct tc_buf b = TC_BUF_INIT;
	size_t len = 99;
	char *s;

	(void)state;
	assert_int_equal(tc_buf_adds(&b, "owned"), 0);
	s = tc_buf_detach(&b, &len);
	assert_non_null(s);
	assert_string_equal(s, "owned");
	assert_int_equal(len, 5);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.alloc, 0);
	assert_string_equal(b.data, "");
	free(s);
	/* An empty buffer still hands over a string of its own. */
	s = tc_buf_detach(&b, &len);
	assert_non_null(s);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
	/* len may be NULL; the buffer is usable afterwards. */
	assert_int_equal(tc_buf_adds(&b, "x"), 0);
	s = tc_buf_detach(&b, NULL);
	assert_string_equal(s, "x");
	free(s);
	assert_int_equal(tc_buf_adds(&b, "y"), 0);
	assert_string_equal(b.data, "y");
	tc_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init),
	    cmocka_unit_test(test_add),
	    cmocka_unit_test(test_addbuf_self),
	    cmocka_unit_test(test_grow_big),
	    cmocka_unit_test(test_grow_overflow),
	    cmocka_unit_test(test_cap),
	    cmocka_unit_test(test_addf),
	    cmocka_unit_test(test_addf_many),
	    cmocka_unit_test(test_addf_cap),
	    cmocka_unit_test(test_setlen_reset),
	    cmocka_unit_test(test_detach),
	};

	return cmocka_run_group_tests_name("buffer", tests, NULL, NULL);
}
