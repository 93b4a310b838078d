#!/usr/bin/env bash
# Browser accessibility tests of the generated site: axe-core, reflow at
# 320px, page structure, the skip link, visible focus (check.js, in Debian's
# chromium through playwright-core), the Nu HTML checker over every .html
# and .css file (nu.js), and the forms filled in with the keyboard and sent
# to a real bin/intake (forms.js). Screenshots go to test-output/screenshots/.
# Then the same checks (check.js, nu.js) over the officers' pages casework
# writes: the cover sheets, letters, daily and annual reports and the
# subject access index of the golden regression scenario
# (tests/regress/casework/cmd, run here with bin/intake and bin/casework).
# Then pages made by sitegen import (check.js and nu.js over a site built
# with them), and last the editors' preview, sitegen serve (preview.js, and
# nu.js over the pages it served).
#
#   tests/browser/run.sh [SITE_DIR]     SITE_DIR defaults to public, relative
#                                       to the repository root
#
# Ends with one line "browser: N passed, N failed". Exit status: 0 all
# passed, 1 a check failed (or could not run), 3 a dependency is missing.
set -u
cd "$(dirname "$0")/../.." || exit 3

site=${1:-public}
here=tests/browser

missing=""
command -v node >/dev/null 2>&1 || missing="$missing node"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || missing="$missing chromium"
command -v "${JAVA:-java}" >/dev/null 2>&1 || missing="$missing java"
for f in playwright-core/package.json axe-core/axe.min.js vnu-jar/build/dist/vnu.jar; do
	if [ ! -f "$here/node_modules/$f" ]; then
		missing="$missing node_modules/${f%%/*}"
	fi
done
if [ -n "$missing" ]; then
	echo "browser: missing:$missing" >&2
	echo "browser: run scripts/install-deps.sh (as root) to install them" >&2
	exit 3
fi

if [ ! -d "$site" ]; then
	echo "browser: site folder $site not found: build it first (bin/sitegen build --out $site)"
	echo "browser: 0 passed, 1 failed"
	exit 1
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# check.js tests the pages people can visit, so it skips the page shells
# under .threecs/ (intake never serves them; forms.js checks the pages it
# makes from them). The Nu checker still reads every file.
# The Nu checker runs in its own JVM while chromium works through the pages.
node "$here/nu.js" "$site" >"$out/nu" 2>&1 &
nu_pid=$!
node "$here/check.js" "$site" test-output/screenshots >"$out/check" 2>&1
check_rc=$?
# The forms, end to end: bin/intake serves $site with a fresh spool.
FORMS_SERVED_DIR=$out/served node "$here/forms.js" "$site" test-output/screenshots >"$out/forms" 2>&1
forms_rc=$?
wait "$nu_pid"
nu_rc=$?

pass=0
fail=0
# Adds up the "SUITE: N passed, N failed" lines of one script's output; a
# script that stopped without its counts, or failed without a failing check,
# counts as one failed check.
tally() {
	local name=$1 rc=$2 file=$3 p=0 f=0 n=0 line
	cat "$file"
	while IFS= read -r line; do
		if [[ $line =~ ^[a-z-]+:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
			p=$((p + BASH_REMATCH[1]))
			f=$((f + BASH_REMATCH[2]))
			n=$((n + 1))
		fi
	done <"$file"
	if [ "$n" -eq 0 ] || { [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; }; then
		echo "FAIL $name did not finish (exit $rc)"
		f=$((f + 1))
	fi
	pass=$((pass + p))
	fail=$((fail + f))
}

tally check.js "$check_rc" "$out/check"
tally nu.js "$nu_rc" "$out/nu"
tally forms.js "$forms_rc" "$out/forms"
# The pages intake made as they were served (check, confirmation, copy,
# errors), for the Nu checker.
node "$here/nu.js" "$out/served" >"$out/nu-served" 2>&1
tally nu.js $? "$out/nu-served"

# The officers' pages.
off=$out/officers
mkdir -p "$off"
root=$PWD
if (cd tests/regress/casework && ROOT=$root SITEGEN=$root/bin/sitegen INTAKE=$root/bin/intake \
	CASEWORK=$root/bin/casework TZ=Europe/London OUT=$off WORK=$out/officers.work bash ./cmd) \
	>"$out/officers.log" 2>&1 &&
	[ -n "$(find "$off" -name '*.html' | head -1)" ]; then
	echo "# officers' pages: $(find "$off" -name '*.html' | wc -l) from the casework scenario"
	node "$here/nu.js" "$off" >"$out/nu-off" 2>&1 &
	nu_pid=$!
	node "$here/check.js" "$off" test-output/screenshots/officers >"$out/check-off" 2>&1
	check_rc=$?
	wait "$nu_pid"
	nu_rc=$?
	tally check.js "$check_rc" "$out/check-off"
	tally nu.js "$nu_rc" "$out/nu-off"
else
	echo "FAIL the officers' pages were not made"
	tail -20 "$out/officers.log"
	fail=$((fail + 1))
fi

# check.js and nu.js on a site of its own: check_site NAME SITE, or, when it
# could not be built, built_not NAME LOG.
check_site() {
	node "$here/check.js" "$2" "test-output/screenshots/$1" >"$out/check-$1" 2>&1
	tally check.js $? "$out/check-$1"
	node "$here/nu.js" "$2" >"$out/nu-$1" 2>&1
	tally nu.js $? "$out/nu-$1"
}
built_not() {
	echo "FAIL the $1 pages were not built"
	tail -20 "$2"
	fail=$((fail + 1))
}

# Pages made by sitegen import from the documents tests/data/import/make.sh
# writes (.docx, .odt, HTML, plain text), built into a site of their own.
imp=$out/import
if bash tests/data/import/make.sh "$imp/docs" >"$out/import.log" 2>&1 &&
	cp -r content "$imp/content" &&
	bin/sitegen import --content "$imp/content" "$imp"/docs/* >>"$out/import.log" 2>&1 &&
	bin/sitegen build --content "$imp/content" --out "$imp/site" >>"$out/import.log" 2>&1; then
	check_site imported "$imp/site"
else
	built_not imported "$out/import.log"
fi

# Whatever editors write, no page scrolls sideways at 320px: a page of wide
# things (a long code line, a tab-indented paragraph, a long URL, word and
# address, a wide table), built alone with the council's theme.
wide=$out/wide
mkdir -p "$wide" && cp -r content "$wide/content" && python3 - "$wide/content/wide.md" <<'PY'
import sys
long = "x" * 300
url = "https://www.example.org/" + "/".join(["a-long-folder-name"] * 12)
rows = "| " + " | ".join("Column heading %d" % i for i in range(12)) + " |\n" + \
       "|" + "---|" * 12 + "\n" + "| " + " | ".join("cell text %d" % i for i in range(12)) + " |\n"
open(sys.argv[1], "w").write(f"""---
title: Wide things
summary: Content wider than a phone's screen.
menu: false
---

```
{long} and then {long}
```

\tA paragraph indented by a tab, so it is a code block with a very long line that goes on {long}.

See [{url}]({url}) and write to {"averyveryverylongmailboxname" * 3}@{"sub." * 12}example.org.

A word: Pneumonoultramicroscopicsilicovolcanoconiosis{long}.

{rows}
""")
PY
if bin/sitegen build --content "$wide/content" --out "$wide/site" >"$out/wide.log" 2>&1; then
	find "$wide/site" -name '*.html' ! -path "$wide/site/wide/*" -delete
	check_site wide "$wide/site"
else
	built_not wide "$out/wide.log"
fi

# The editors' preview (sitegen serve): live reload, drafts, its error and
# posted pages, which the Nu checker reads as they were served.
node "$here/preview.js" "$out/preview" >"$out/preview.log" 2>&1
tally preview.js $? "$out/preview.log"
node "$here/nu.js" "$out/preview" >"$out/nu-preview" 2>&1
tally nu.js $? "$out/nu-preview"

echo "browser: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
