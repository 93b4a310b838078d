/*
 * test_cw_store.c: unit tests for processor/store.c (schema,
 * sequences, cases and stages round trip, the append-only history,
 * restrictions, what the walking functions give) and the CSV cell
 * neutralisation of processor/report.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "store_internal.h"
#include "report.h"
#include "restrict.h"

static char dir[64];
static char path[128];
static struct cw_store *reg;

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_cw_register.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/register.db", dir);
	reg = cw_store_open(path, 0600);
	return reg ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	cw_store_close(reg);
	tc_fs_remove_tree(dir);
	return 0;
}

static void test_private_and_versioned(void **state)
{
	struct stat st;
	struct cw_store *again;
	sqlite3_stmt *s;

	(void)state;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	s = cw_store_stmt(reg, "SELECT max(version) FROM schema_version");
	assert_non_null(s);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), CW_SCHEMA_VERSION);
	sqlite3_reset(s);
	/* Opening again migrates nothing and works. */
	again = cw_store_open(path, 0600);
	assert_non_null(again);
	cw_store_close(again);
}

static void test_sequences(void **state)
{
	int n = 0;

	(void)state;
	assert_int_equal(cw_store_next_seq(reg, "complaint", 2026, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(cw_store_next_seq(reg, "complaint", 2026, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(cw_store_next_seq(reg, "complaint", 2027, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(cw_store_next_seq(reg, "compliment", 2026, &n), 0);
	assert_int_equal(n, 1);
}

static void test_case_round_trip(void **state)
{
	struct cw_case c, got;
	char ref[64];
	tc_day d;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.reference = "CMP-2026-000001";
	c.type = "complaint";
	c.procedure = "corporate";
	c.stage = 1;
	c.status = "open";
	c.submission_id = "K7QXM-3PD9R";
	c.received = "2026-12-23T10:00:00Z";
	tc_day_parse("2026-12-23", &d);
	c.received_date = d;
	c.service_area = "bins";
	c.team = "Waste";
	c.person_key = "abc";
	c.flags = cJSON_Parse("[{\"flag\":\"late\",\"detail\":\"x\"}]");
	c.nstages = 1;
	c.stages[0].stage = 1;
	c.stages[0].request = d;
	c.stages[0].ack_due = d + 12;
	c.stages[0].acknowledged = CW_NODAY;
	c.stages[0].respond_due = d + 26;
	c.stages[0].responded = CW_NODAY;
	c.stages[0].window_closes = CW_NODAY;
	c.stages[0].closed = CW_NODAY;
	assert_int_equal(cw_store_begin(reg), 0);
	assert_int_equal(cw_store_case_insert(reg, &c), 0);
	assert_true(c.id > 0);
	assert_int_equal(cw_store_event(reg, c.id, 1, "received", d, "{}",
					"Sue Barnes", "2026-12-24"),
			 0);
	assert_int_equal(cw_store_commit(reg), 0);
	cJSON_Delete(c.flags);
	{
		struct cw_history h = {0};

		assert_int_equal(cw_store_case_history(reg, c.id, &h), 0);
		assert_int_equal(h.n, 1);
		assert_string_equal(h.v[0].event, "received");
		assert_string_equal(h.v[0].by, "Sue Barnes");
		assert_int_equal(h.v[0].date, d);
		assert_int_equal(h.v[0].stage, 1);
		assert_int_equal(cw_store_last_id(reg), h.v[0].id);
		assert_true(cJSON_IsObject(h.v[0].detail));
		cw_history_release(&h);
	}

	assert_int_equal(cw_store_case_load(reg, "CMP-2026-000001", 0, &got),
			 1);
	assert_string_equal(got.team, "Waste");
	assert_int_equal(got.nstages, 1);
	assert_int_equal(got.stages[0].ack_due, d + 12);
	assert_int_equal(got.stages[0].acknowledged, CW_NODAY);
	assert_string_equal(
	    cJSON_GetArrayItem(got.flags, 0)->child->valuestring, "late");
	cw_case_release(&got);
	assert_int_equal(cw_store_case_load(reg, "K7QXM-3PD9R", 1, &got), 1);
	cw_case_release(&got);
	assert_int_equal(cw_store_case_load(reg, "CMP-2026-999999", 0, &got),
			 0);

	/* Duplicates: same person and area within the window. */
	assert_int_equal(cw_store_find_duplicate(reg, "abc", "bins", d + 20, 28,
						 ref, sizeof(ref)),
			 1);
	assert_string_equal(ref, "CMP-2026-000001");
	assert_int_equal(cw_store_find_duplicate(reg, "abc", "bins", d + 40, 28,
						 ref, sizeof(ref)),
			 0);
	assert_int_equal(cw_store_find_duplicate(reg, "abc", "roads", d + 1, 28,
						 ref, sizeof(ref)),
			 0);

	/* The history cannot be changed. */
	assert_int_equal(cw_store_exec(reg, "UPDATE events SET event = 'x'"),
			 -1);
	assert_int_equal(cw_store_exec(reg, "DELETE FROM events"), -1);

	/* Restrictions: matched on email, phone or key; name is weaker. */
	{
		struct cw_restriction_match m;
		struct cw_restriction r;
		int64_t id = 0;

		assert_int_equal(cw_restrict_match(reg, "a@x.org", NULL, NULL,
						   "abc", "bins", &m),
				 0);
		memset(&r, 0, sizeof(r));
		r.kind = "written-contact-only";
		r.scope = "bins";
		r.contact = "J. Officer";
		tc_day_parse("2026-01-01", &r.start);
		tc_day_parse("2026-07-01", &r.review);
		assert_int_equal(
		    cw_store_restriction_insert(
			reg, &r, "pat smith", "pat@x.org", "07700900123", &id),
		    0);
		assert_int_equal(id, 1);
		assert_int_equal(cw_restrict_match(reg, " PAT@x.org ", NULL,
						   NULL, NULL, "bins", &m),
				 1);
		assert_int_equal(m.strong, 1);
		assert_string_equal(m.contact, "J. Officer");
		assert_int_equal(cw_restrict_match(reg, NULL, "+44 7700 900123",
						   NULL, NULL, "bins", &m),
				 1);
		assert_int_equal(m.strong, 1);
		/* Out of scope: another service. */
		assert_int_equal(cw_restrict_match(reg, "pat@x.org", NULL, NULL,
						   NULL, "roads", &m),
				 0);
		assert_int_equal(cw_restrict_match(reg, "other@x.org", NULL,
						   "Pat  SMITH", NULL, "bins",
						   &m),
				 1);
		assert_int_equal(m.strong, 0);
		assert_int_equal(cw_store_restriction_lift(reg, id, r.review),
				 0);
		assert_int_equal(cw_restrict_match(reg, "pat@x.org", NULL, NULL,
						   NULL, "bins", &m),
				 0);
	}
	/* The audit log cannot be changed. */
	assert_int_equal(cw_store_audit(reg, "2026-01-01", "purge", "{}"), 0);
	assert_int_equal(cw_store_exec(reg, "DELETE FROM audit"), -1);
	assert_int_equal(cw_store_exec(reg, "UPDATE audit SET action = 'x'"),
			 -1);
}

/* The text fields each row of a walk should have (up to a NULL), and the
 * rows it has given. */
struct rows_like {
	const char *want[3];
	int n;
};

/* Checks one row's fields against what each row should have; counts it. */
static int row_like(struct rows_like *r, const char *a, const char *b,
		    const char *c)
{
	const char *got[3] = {a, b, c};
	size_t i;

	for (i = 0; i < 3 && r->want[i]; i++)
		if (!got[i] || strcmp(got[i], r->want[i]))
			fail_msg("row %d field %zu: '%s', want '%s'", r->n, i,
				 got[i] ? got[i] : "(null)", r->want[i]);
	r->n++;
	return 0;
}

static int event_like(const struct cw_event *ev, void *arg)
{
	assert_int_equal(ev->stage, 1);
	return row_like(arg, ev->event, ev->detail_json, NULL);
}

static int restriction_like(const struct cw_restriction_row *r, void *arg)
{
	return row_like(arg, r->status, r->lifted, r->name);
}

static int review_like(const struct cw_restriction_review *rv, void *arg)
{
	return row_like(arg, rv->outcome, rv->next_review, NULL);
}

/* What the register gives back through the walking functions (after
 * test_case_round_trip: one case, one lifted restriction). */
static void test_walks(void **state)
{
	struct rows_like received = {{"received", "{}"}, 0};
	struct rows_like lifted = {{"lifted", "2026-07-01", ""}, 0};
	struct rows_like review = {{"lift", ""}, 0};
	struct cw_purge_items it = {0};
	int64_t *ids = NULL;
	size_t n = 0;
	tc_day d;

	(void)state;
	assert_int_equal(cw_store_list_cases(reg, &ids, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(cw_store_history(reg, ids[0], event_like, &received),
			 0);
	assert_int_equal(received.n, 1);
	assert_int_equal(cw_store_case_purged(reg, ids[0]), 0);
	free(ids);

	assert_int_equal(
	    cw_store_restriction_list(reg, restriction_like, &lifted), 0);
	assert_int_equal(lifted.n, 1);
	assert_int_equal(
	    cw_store_restriction_find(reg, 1, restriction_like, &lifted), 1);
	assert_int_equal(
	    cw_store_restriction_find(reg, 99, restriction_like, &lifted), 0);
	assert_int_equal(lifted.n, 2);
	tc_day_parse("2026-07-01", &d);
	assert_int_equal(cw_store_restriction_review_add(
			     reg, 1, d, "lift", CW_NODAY, NULL, "2026-07-01"),
			 0);
	assert_int_equal(
	    cw_store_restriction_reviews(reg, 1, review_like, &review), 0);
	assert_int_equal(review.n, 1);

	/* Lifted on 2026-07-01: past retention only for a later cutoff. */
	assert_int_equal(
	    cw_store_purge_candidates(reg, CW_PURGE_RESTRICTIONS, d, &it), 0);
	assert_int_equal(it.n, 0);
	assert_int_equal(
	    cw_store_purge_candidates(reg, CW_PURGE_RESTRICTIONS, d + 1, &it),
	    0);
	assert_int_equal(it.n, 1);
	assert_string_equal(it.v[0].ref, "R1");
	assert_string_equal(it.v[0].when, "2026-07-01");
	cw_purge_items_release(&it);
}

static void test_csv_cells(void **state)
{
	struct tc_buf b = TC_BUF_INIT;

	(void)state;
	cw_csv_cell(&b, "=HYPERLINK(\"x\")");
	assert_string_equal(b.data, "\"'=HYPERLINK(\"\"x\"\")\"");
	tc_buf_reset(&b);
	cw_csv_cell(&b, "+1");
	cw_csv_cell(&b, "-1");
	cw_csv_cell(&b, "@SUM");
	cw_csv_cell(&b, "\tx");
	cw_csv_cell(&b, "\rx");
	cw_csv_cell(&b, "plain");
	cw_csv_cell(&b, NULL);
	assert_string_equal(b.data, "\"'+1\"\"'-1\"\"'@SUM\"\"'\tx\"\"'\rx\""
				    "\"plain\"\"\"");
	tc_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_private_and_versioned),
	    cmocka_unit_test(test_sequences),
	    cmocka_unit_test(test_case_round_trip),
	    cmocka_unit_test(test_walks),
	    cmocka_unit_test(test_csv_cells),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
