/*
 * testhooks.h: hooks for casework's crash tests, compiled in only when
 * TC_TEST_HOOKS is defined (the sanitizer builds and build/hooks/, never
 * the release binary, which ignores the variables below).
 *
 *   CASEWORK_TEST_CRASH_AFTER=N  the Nth cw_crash_point() (counting every
 *                                durable step of an ingest) ends the
 *                                process at once with _exit(99), as a
 *                                SIGKILL would
 *   CASEWORK_TEST_BATCH=N        cw_test_batch() gives N (1 to the usual
 *                                size) submissions per transaction
 */
#ifndef CW_TESTHOOKS_H
#define CW_TESTHOOKS_H

#ifdef TC_TEST_HOOKS
void cw_crash_point(void);
/* Submissions per transaction: batch, or CASEWORK_TEST_BATCH when it is a
 * number from 1 to batch. */
int cw_test_batch(int batch);
#else
static inline void cw_crash_point(void)
{
}
static inline int cw_test_batch(int batch)
{
	return batch;
}
#endif

#endif
