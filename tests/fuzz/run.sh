#!/usr/bin/env bash
# Runs the libFuzzer harnesses built in build/fuzz/.
#
#   tests/fuzz/run.sh [--time SECONDS] [--replay-only] [NAME...]
#
# For each harness NAME (fuzz_NAME.c; all of them when none is given):
#   1. replays every input in tests/fuzz/regressions/NAME/ (crashes found
#      before, each named after what it broke) and tests/fuzz/corpus/NAME/
#      (the seeds): one crash or sanitizer report fails the harness;
#   2. fuzzes for SECONDS (default 10), starting from the seeds and what
#      earlier runs kept in build/fuzz/corpus/NAME/. New inputs go there,
#      never into the repository; a crash is written to
#      build/fuzz/crashes/NAME/ and fails the harness.
# Ends with "fuzz: N passed, N failed" (a harness is one test).
set -u
cd "$(dirname "$0")/../.."

time=10
replay_only=0
names=()
while [ $# -gt 0 ]; do
	case "$1" in
	--time)
		time=$2
		shift 2
		;;
	--replay-only)
		replay_only=1
		shift
		;;
	-h | --help)
		sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		names+=("$1")
		shift
		;;
	esac
done
if [ ${#names[@]} -eq 0 ]; then
	for f in tests/fuzz/fuzz_*.c; do
		[ -e "$f" ] || continue
		n=$(basename "$f" .c)
		names+=("${n#fuzz_}")
	done
fi

pass=0
fail=0
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

for n in "${names[@]}"; do
	bin=build/fuzz/fuzz_$n
	if [ ! -x "$bin" ]; then
		echo "not ok - fuzz $n: $bin is not built (make fuzzers)"
		fail=$((fail + 1))
		continue
	fi
	dict=()
	[ -f "tests/fuzz/$n.dict" ] && dict=("-dict=tests/fuzz/$n.dict")
	log=build/fuzz/logs/$n.log
	mkdir -p build/fuzz/logs "build/fuzz/corpus/$n" "build/fuzz/crashes/$n"

	# 1. Replay: every file given on the command line runs once.
	inputs=()
	for d in "tests/fuzz/regressions/$n" "tests/fuzz/corpus/$n"; do
		[ -d "$d" ] || continue
		while IFS= read -r -d '' f; do inputs+=("$f"); done \
			< <(find "$d" -type f -print0 | sort -z)
	done
	if [ ${#inputs[@]} -gt 0 ] &&
		! "$bin" "${dict[@]}" -runs=1 "${inputs[@]}" >"$log" 2>&1; then
		echo "not ok - fuzz $n: replaying ${#inputs[@]} saved inputs failed"
		grep -E 'ERROR|SUMMARY|Running:' "$log" | tail -5 | sed 's/^/    /'
		fail=$((fail + 1))
		continue
	fi
	if [ "$replay_only" = 1 ]; then
		echo "ok - fuzz $n: ${#inputs[@]} saved inputs replayed"
		pass=$((pass + 1))
		continue
	fi

	# 2. Fuzz for a while.
	seeds=()
	[ -d "tests/fuzz/corpus/$n" ] && seeds=("tests/fuzz/corpus/$n")
	if "$bin" "${dict[@]}" -max_total_time="$time" -timeout=10 \
		-rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
		-artifact_prefix="build/fuzz/crashes/$n/" \
		"build/fuzz/corpus/$n" "${seeds[@]}" >>"$log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
		cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
		echo "ok - fuzz $n: ${#inputs[@]} saved inputs replayed, ${execs:-?} runs in ${time} s, ${cov:-cov: ?}"
		pass=$((pass + 1))
	else
		echo "not ok - fuzz $n: a crash (see $log and build/fuzz/crashes/$n/)"
		grep -E 'ERROR|SUMMARY|Test unit written' "$log" | tail -5 | sed 's/^/    /'
		fail=$((fail + 1))
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
