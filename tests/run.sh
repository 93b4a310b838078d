#!/usr/bin/env bash
# Runs every test suite given (unit test binaries), then the Mustache spec,
# the end-to-end scripts and the browser tests, and adds up what each suite
# reports: cmocka's "[  PASSED  ] N test(s)" / "[  FAILED  ] N test(s)" or a
# plain "N passed, N failed" line. Fails when any suite fails or crashes.
set -u
cd "$(dirname "$0")/.."

total_pass=0
total_fail=0
bad_suites=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count_suite() {
	local name=$1 rc=$2 p=0 f=0 line
	line=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$log" | tail -1)
	[ -n "$line" ] && p=$(echo "$line" | grep -oE '[0-9]+' | head -1)
	line=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$log" | tail -1)
	[ -n "$line" ] && f=$(echo "$line" | grep -oE '[0-9]+' | head -1)
	if [ "$p" = 0 ] && [ "$f" = 0 ]; then
		line=$(grep -E '(^|: )[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
		if [ -n "$line" ]; then
			p=$(echo "$line" | sed -E 's/.*(^|: )([0-9]+) passed.*/\2/')
			f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
		fi
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ] || [ "$p" -eq 0 ]; then
		bad_suites="$bad_suites $name"
		[ "$f" -eq 0 ] && total_fail=$((total_fail + 1))
	fi
}

run_suite() {
	local name=$1
	shift
	echo "== $name"
	"$@" >"$log" 2>&1
	local rc=$?
	cat "$log"
	count_suite "$name" "$rc"
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

for t in "$@"; do
	run_suite "unit $(basename "$t")" "$t"
done
run_suite "mustache spec" build/test/mustache_spec "${SPEC_DIR:-../shared/spec/mustache}"
# Every fuzz harness: its saved inputs replayed, then a short run.
run_suite "fuzz" tests/fuzz/run.sh --time "${FUZZ_SMOKE:-10}"
# Golden outputs: pages, case packs, letters and reports byte for byte.
run_suite "regress" tests/regress/run.sh
for t in tests/e2e/*.sh; do
	[ -e "$t" ] || continue
	# lib.sh holds the helpers the scripts share; it is not a suite.
	[ "$(basename "$t")" = lib.sh ] && continue
	run_suite "e2e $(basename "$t" .sh)" bash "$t"
done
# The end-to-end scripts again, on the sanitizer builds of the programs:
# no leak, no invalid access.
if [ -f tests/memcheck.sh ]; then
	run_suite "memcheck" bash tests/memcheck.sh
fi
if [ -x tests/browser/run.sh ]; then
	# The browser suites check every page of the council's real content.
	rm -rf build/site
	if bin/sitegen build --out build/site --quiet; then
		run_suite "browser" tests/browser/run.sh build/site
	else
		echo "== browser: the site did not build"
		bad_suites="$bad_suites browser"
		total_fail=$((total_fail + 1))
	fi
fi

echo
if [ -n "$bad_suites" ]; then
	echo "failing suites:$bad_suites"
fi
echo "total: $total_pass passed, $total_fail failed"
[ -z "$bad_suites" ]
