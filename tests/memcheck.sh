#!/usr/bin/env bash
# The functional end-to-end suites again, on the sanitizer builds of the
# three programs (build/san/bin/: AddressSanitizer with LeakSanitizer, and
# UndefinedBehaviorSanitizer). A suite passes when it passes as usual AND
# no sanitizer wrote a report: reports go to files (log_path), so those of
# servers and of programs whose stderr a test throws away are caught too.
#
# Left out: the kill tests (intake_kill, intake_bundle_kill), where SIGKILL
# cuts the leak check short (intake_group is in: only one of the servers it
# starts is killed, and the sanitizers watch the others), and hostile and diskfull, which have their own
# aims. Every suite here must stop its servers with SIGTERM and wait, or
# their leak check would run after this script had looked.
#
#   tests/memcheck.sh [SUITE...]    default: all of them
set -u
cd "$(dirname "$0")/.."

SUITES=${*:-sitegen intake intake_group mail check reload bundle casework casework_year annual quarantine lifecycle worklist channels fortnight roundtrip procedures letters people group regress}
# The golden regression cases run as a suite of their own.
suite_script() {
	if [ "$1" = regress ]; then echo tests/regress/run.sh; else echo "tests/e2e/$1.sh"; fi
}
# Relative paths: casework.sh runs the program from another folder as
# "$OLDPWD/$CW".
export SITEGEN=build/san/bin/sitegen
export INTAKE=build/san/bin/intake
export CASEWORK=build/san/bin/casework

pass=0
fail=0
LOGS=$(mktemp -d)
trap 'rm -rf "$LOGS"' EXIT

for p in "$SITEGEN" "$INTAKE" "$CASEWORK"; do
	if [ ! -x "$p" ]; then
		echo "not ok - $p is missing (make $SITEGEN $INTAKE $CASEWORK)"
		echo "memcheck: 0 passed, 1 failed"
		exit 1
	fi
done

start_all=$(date +%s)
for s in $SUITES; do
	d=$LOGS/$s
	mkdir -p "$d"
	t0=$(date +%s)
	# halt_on_error: the first invalid access or undefined behaviour stops
	# the program, so the suite fails as well as leaving a report.
	ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1:log_path=$d/asan \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$d/ubsan \
		LSAN_OPTIONS=log_path=$d/asan \
		bash "$(suite_script "$s")" >"$d/out" 2>&1
	rc=$?
	secs=$(($(date +%s) - t0))
	summary=$(grep -E ': [0-9]+ passed, [0-9]+ failed$' "$d/out" | tail -1)
	reports=$(ls "$d" | grep -E '^(asan|ubsan)\.' || true)
	if [ $rc -eq 0 ] && [ -n "$summary" ] && [ -z "$reports" ]; then
		pass=$((pass + 1))
		echo "ok - $s: ${summary#*: }, no sanitizer report (${secs}s)"
	else
		fail=$((fail + 1))
		echo "not ok - $s: exit $rc, ${summary:-no summary}, $(echo "$reports" | grep -c .) sanitizer reports (${secs}s)"
		grep -E '^not ok' "$d/out" | head -10 | sed 's/^/    /'
		for r in $reports; do
			echo "    --- $r"
			grep -E 'ERROR|SUMMARY|runtime error|^    #[0-9]+ ' "$d/$r" | head -25 | sed 's/^/    /'
		done
	fi
done
echo "# memcheck took $(($(date +%s) - start_all))s"
echo "memcheck: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
