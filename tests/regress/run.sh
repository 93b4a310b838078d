#!/usr/bin/env bash
# Golden regression tests: each case is a folder tests/regress/CASE/ with a
# script "cmd" that writes what the programs produce into $OUT, beside
# "expected/", what they produced when the case was recorded and checked.
# The run diffs the two; any difference fails the case and is shown.
#
#   tests/regress/run.sh [CASE...]           check (every case by default)
#   tests/regress/run.sh --update CASE...    record CASE's expected/ anew
#
# Cases name their programs through SITEGEN, INTAKE and CASEWORK (default
# bin/...), so the same cases run on the sanitizer builds.
set -u
cd "$(dirname "$0")/../.."
export SITEGEN=${SITEGEN:-$PWD/bin/sitegen}
export INTAKE=${INTAKE:-$PWD/bin/intake}
export CASEWORK=${CASEWORK:-$PWD/bin/casework}
export ROOT=$PWD
export TZ=Europe/London

update=0
if [ "${1:-}" = --update ]; then
	update=1
	shift
	[ $# -gt 0 ] || { echo "usage: run.sh --update CASE..." >&2; exit 2; }
fi
cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
	for d in tests/regress/*/ tests/regress/bugs/*/; do
		[ -f "$d/cmd" ] && cases+=("${d%/}")
	done
fi

pass=0
fail=0
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for c in "${cases[@]}"; do
	c=${c#tests/regress/}
	dir=tests/regress/$c
	name=$(echo "$c" | tr / -)
	out=$scratch/$name
	mkdir -p "$out"
	if [ ! -f "$dir/cmd" ]; then
		echo "not ok - $c: no such case"
		fail=$((fail + 1))
		continue
	fi
	if ! (cd "$dir" && OUT=$out WORK=$scratch/$name.work bash ./cmd) \
		>"$scratch/$name.log" 2>&1; then
		echo "not ok - $c: its commands failed"
		sed 's/^/    /' "$scratch/$name.log" | tail -20
		fail=$((fail + 1))
		continue
	fi
	if [ $update = 1 ]; then
		rm -rf "$dir/expected"
		cp -a "$out" "$dir/expected"
		echo "recorded - $c ($(find "$dir/expected" -type f | wc -l) files)"
		pass=$((pass + 1))
	elif [ ! -d "$dir/expected" ]; then
		echo "not ok - $c: nothing recorded (run.sh --update $c)"
		fail=$((fail + 1))
	elif d=$(diff -r -u "$dir/expected" "$out" 2>&1); then
		echo "ok - $c"
		pass=$((pass + 1))
	else
		echo "not ok - $c: the output differs from $dir/expected"
		printf '%s\n' "$d" | head -60 | sed 's/^/    /'
		fail=$((fail + 1))
	fi
done
echo "regress: $pass passed, $fail failed"
[ $fail -eq 0 ]
