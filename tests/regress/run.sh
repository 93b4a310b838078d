#!/usr/bin/env bash
# Golden regression tests: each case is a folder tests/regress/CASE/ with a
# script "cmd" that writes what the programs produce into $OUT, beside
# "expected.txt", what they produced when the case was recorded and
# checked: every file under $OUT in name order, each after a line
# "=== PATH (N bytes)" (a file that is not UTF-8 text shows its SHA-256).
# The run diffs the two; any difference fails the case and is shown.
#
#   tests/regress/run.sh [CASE...]           check (every case by default)
#   tests/regress/run.sh --update CASE...    record CASE's expected.txt anew
#
# Cases name their programs through SITEGEN, INTAKE and CASEWORK (default
# bin/...), so the same cases run on the sanitizer builds.
set -u
cd "$(dirname "$0")/../.."
SITEGEN=$(realpath "${SITEGEN:-bin/sitegen}")
INTAKE=$(realpath "${INTAKE:-bin/intake}")
CASEWORK=$(realpath "${CASEWORK:-bin/casework}")
export SITEGEN INTAKE CASEWORK
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

# flatten DIR: every file below DIR, in name order, as one text.
flatten() {
	python3 - "$1" <<'PY'
import hashlib, os, sys
root = sys.argv[1]
out = sys.stdout.buffer
paths = []
for d, dirs, files in os.walk(root):
    for f in files:
        paths.append(os.path.relpath(os.path.join(d, f), root))
for p in sorted(paths):
    data = open(os.path.join(root, p), "rb").read()
    try:
        data.decode("utf-8")
        text = b"\0" not in data
    except UnicodeDecodeError:
        text = False
    out.write(b"=== %s (%d bytes)\n" % (p.encode(), len(data)))
    if text:
        out.write(data)
        if not data.endswith(b"\n"):
            out.write(b"\n(no newline at the end)\n")
    else:
        out.write(b"sha256 %s\n" % hashlib.sha256(data).hexdigest().encode())
PY
}

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
	flatten "$out" >"$out.txt"
	if [ $update = 1 ]; then
		cp "$out.txt" "$dir/expected.txt"
		echo "recorded - $c ($(grep -c '^=== ' "$dir/expected.txt") files)"
		pass=$((pass + 1))
	elif [ ! -f "$dir/expected.txt" ]; then
		echo "not ok - $c: nothing recorded (run.sh --update $c)"
		fail=$((fail + 1))
	elif d=$(diff -u "$dir/expected.txt" "$out.txt" 2>&1); then
		echo "ok - $c"
		pass=$((pass + 1))
	else
		echo "not ok - $c: the output differs from $dir/expected.txt"
		printf '%s\n' "$d" | head -60 | sed 's/^/    /'
		fail=$((fail + 1))
	fi
done
echo "regress: $pass passed, $fail failed"
[ $fail -eq 0 ]
