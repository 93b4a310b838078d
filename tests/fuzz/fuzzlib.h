/*
 * fuzzlib.h: the setup the libFuzzer harnesses in tests/fuzz/ share: where
 * the real content is, a scratch folder for the run, copying a file into
 * it, the file each input is written to, and a quiet stderr.
 */
#ifndef TC_FUZZLIB_H
#define TC_FUZZLIB_H

#include <stddef.h>

/*
 * The checkout whose content/ the harnesses read: $THREECS_ROOT, or "."
 * when it is unset or empty (tests/fuzz/run.sh runs from the top). The
 * string is the environment's: not to be freed.
 */
const char *fuzz_root(void);

/*
 * The run's scratch folder, made on the first call as NAME.XXXXXX in
 * /dev/shm when it is writable, else in $TMPDIR, else in /tmp, and removed
 * with everything in it at exit. Later calls return the same folder,
 * whatever their NAME. Aborts with a message when the folder cannot be
 * made. Not to be freed.
 *
 * Call it before registering any atexit handler of the harness's own, so
 * that handler (stopping a daemon, say) runs before the folder goes.
 */
const char *fuzz_scratch(const char *name);

/*
 * Copies the file from (at most 1 MiB) to the file to, replaced
 * atomically but not synced: the scratch folder dies with the run. Aborts
 * with a message on failure.
 */
void fuzz_copy(const char *from, const char *to);

/*
 * Names the file fuzz_input writes each input to: NAME in the scratch
 * folder, which fuzz_scratch must have made. Returns its path, the same
 * as fuzz_input returns; not to be freed. Aborts with a message when the
 * path is too long.
 */
const char *fuzz_input_file(const char *name);

/*
 * Writes size bytes of data to the file fuzz_input_file named (0600,
 * replacing what it held) and returns its path. Aborts on failure.
 */
const char *fuzz_input(const void *data, size_t size);

/*
 * Sends stderr to /dev/null unless FUZZ_VERBOSE is set, so that what the
 * code under test reports about each bad input does not bury the fuzzer's
 * log. Sanitizer reports write to the descriptor, not through stderr, and
 * still show.
 */
void fuzz_quiet(void);

#endif
