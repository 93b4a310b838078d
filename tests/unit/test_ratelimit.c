/*
 * test_ratelimit.c: unit tests for intake's rate limit (intake/ratelimit.c):
 * a budget of N accepted submissions that refills one every 60/N seconds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "serve_internal.h"

static struct sockaddr_in v4(const char *ip)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, ip, &a.sin_addr), 1);
	return a;
}

/* Sends submissions at time t until refused; returns how many passed. */
static int burst(struct intake_rate *r, const void *who, int64_t t)
{
	int n = 0;

	while (!intake_rate_wait(r, who, t) && n < 1000) {
		intake_rate_count(r, who, t, 1);
		n++;
	}
	return n;
}

static void test_budget(void **state)
{
	struct intake_rate *r = intake_rate_new(3, 100);
	struct sockaddr_in a = v4("192.0.2.1"), b = v4("192.0.2.2");
	int64_t t0 = 1000000;

	(void)state;
	assert_non_null(r);
	/* A fresh client has its whole budget at once. */
	assert_int_equal(burst(r, &a, t0), 3);
	/* Then waits for one interval (20 s), rounded up to whole seconds. */
	assert_int_equal(intake_rate_wait(r, &a, t0), 20);
	assert_int_equal(intake_rate_wait(r, &a, t0 + 19500), 1);
	assert_int_equal(intake_rate_wait(r, &a, t0 + 20000), 0);
	/* Another address is untouched. */
	assert_int_equal(burst(r, &b, t0), 3);
	/* No boundary resets it: a minute later, exactly a full budget. */
	assert_int_equal(burst(r, &a, t0 + 60000), 3);
	intake_rate_free(r);
}

static void test_refill(void **state)
{
	struct intake_rate *r = intake_rate_new(3, 100);
	struct sockaddr_in a = v4("198.51.100.7");
	int64_t t = 5000000;
	int i;

	(void)state;
	assert_non_null(r);
	assert_int_equal(burst(r, &a, t), 3);
	/* Sending steadily at the rate is never refused. */
	for (i = 1; i <= 30; i++) {
		assert_int_equal(intake_rate_wait(r, &a, t + i * 20000), 0);
		intake_rate_count(r, &a, t + i * 20000, 1);
		assert_int_not_equal(intake_rate_wait(r, &a, t + i * 20000), 0);
	}
	/* Waiting only checks: it never uses the budget up. */
	for (i = 0; i < 100; i++)
		(void)intake_rate_wait(r, &a, t + 31 * 20000);
	assert_int_equal(burst(r, &a, t + 31 * 20000), 1);
	intake_rate_free(r);
}

/* Refused posts have their own, larger budget: they never use up the
 * accepted one, but a flood of them is held up too. */
static void test_refused(void **state)
{
	struct intake_rate *r = intake_rate_new(2, 6);
	struct sockaddr_in a = v4("192.0.2.50");
	int i;

	(void)state;
	assert_non_null(r);
	for (i = 0; i < 5; i++) {
		assert_int_equal(intake_rate_wait(r, &a, 0), 0);
		intake_rate_count(r, &a, 0, 0);
	}
	/* Five mistakes corrected, and the submission still goes in. */
	assert_int_equal(burst(r, &a, 0), 2);
	/* Now the accepted budget is used up: 30 s until the next. */
	assert_int_equal(intake_rate_wait(r, &a, 0), 30);
	intake_rate_free(r);
	r = intake_rate_new(2, 6);
	assert_non_null(r);
	/* Six refused posts use up that budget: 10 s until any post. */
	for (i = 0; i < 6; i++)
		intake_rate_count(r, &a, 0, 0);
	assert_int_equal(intake_rate_wait(r, &a, 0), 10);
	assert_int_equal(intake_rate_wait(r, &a, 10000), 0);
	intake_rate_free(r);
}

static void test_ipv6_prefix(void **state)
{
	struct intake_rate *r = intake_rate_new(2, 100);
	struct sockaddr_in6 x, y, z;

	(void)state;
	assert_non_null(r);
	memset(&x, 0, sizeof(x));
	x.sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:1:2::1", &x.sin6_addr),
			 1);
	y = x;
	assert_int_equal(
	    inet_pton(AF_INET6, "2001:db8:1:2:ffff::9", &y.sin6_addr), 1);
	z = x;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:1:3::1", &z.sin6_addr),
			 1);
	assert_int_equal(burst(r, &x, 0), 2);
	/* The same /64 shares the budget; the next /64 does not. */
	assert_int_not_equal(intake_rate_wait(r, &y, 0), 0);
	assert_int_equal(burst(r, &z, 0), 2);
	intake_rate_free(r);
}

/* Posts in flight at once are held against the budget until counted. */
static void test_holds(void **state)
{
	struct intake_rate *r = intake_rate_new(3, 100);
	struct sockaddr_in a = v4("192.0.2.7");
	int64_t t = 5000000;
	int i;

	(void)state;
	assert_non_null(r);
	/* Three start at once; a fourth must wait (one interval, 20 s). */
	for (i = 0; i < 3; i++)
		assert_int_equal(intake_rate_hold(r, &a, t), 0);
	assert_int_equal(intake_rate_hold(r, &a, t), 20);
	/* One is cut off (released, not counted): room for one again. */
	intake_rate_settle(r, &a, t, INTAKE_RATE_NONE);
	assert_int_equal(intake_rate_hold(r, &a, t), 0);
	assert_int_not_equal(intake_rate_wait(r, &a, t), 0);
	/* All three are stored: released and counted, the budget is used. */
	for (i = 0; i < 3; i++)
		intake_rate_settle(r, &a, t, INTAKE_RATE_ACCEPTED);
	assert_int_equal(intake_rate_wait(r, &a, t), 20);
	/* A release with nothing held changes nothing. */
	intake_rate_settle(r, &a, t, INTAKE_RATE_NONE);
	assert_int_equal(intake_rate_wait(r, &a, t), 20);
	assert_int_equal(intake_rate_wait(r, &a, t + 20000), 0);
	intake_rate_free(r);
}

static void test_many_clients(void **state)
{
	struct intake_rate *r = intake_rate_new(1, 100);
	struct sockaddr_in a = v4("203.0.113.5"), o;
	char ip[32];
	int i;

	(void)state;
	assert_non_null(r);
	assert_int_equal(burst(r, &a, 0), 1);
	/* A flood of other addresses may evict the client (the table is
	 * small and fixed) but never gives an address more than its budget. */
	for (i = 0; i < 50000; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.%d", (i >> 16) & 255,
			 (i >> 8) & 255, i & 255);
		o = v4(ip);
		assert_int_equal(burst(r, &o, 1), 1);
	}
	intake_rate_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_budget),  cmocka_unit_test(test_refill),
	    cmocka_unit_test(test_refused), cmocka_unit_test(test_ipv6_prefix),
	    cmocka_unit_test(test_holds),   cmocka_unit_test(test_many_clients),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
