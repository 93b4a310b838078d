#!/usr/bin/env bash
# sitegen end to end: builds the fixture site and content/ with the real
# binary and checks the output, errors with file:line:col, idempotence,
# stale-file removal and determinism.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

FIX=tests/data/site/content
OUT=$SCRATCH/out

# --- a clean build of the fixture ---
$SG build --content "$FIX" --out "$OUT" --quiet >"$SCRATCH/log" 2>&1
rc=$?
if [ $rc -eq 0 ]; then ok "fixture builds"; else not_ok "fixture builds (exit $rc)" "$(cat "$SCRATCH/log")"; fi
for f in index.html about/index.html guide/index.html guide/the-steps/index.html \
	404.html sitemap.xml robots.txt files/leaflet.txt; do
	check "writes $f" test -s "$OUT/$f"
done
check "draft page is not built" test ! -e "$OUT/draft/index.html"
check "CSS name carries a content hash" bash -c "ls '$OUT'/assets/ | grep -Eq '^site\.[0-9a-f]{8}\.css$'"
check "JS name carries a content hash" bash -c "ls '$OUT'/assets/ | grep -Eq '^site\.[0-9a-f]{8}\.js$'"
css=$(ls "$OUT"/assets/ | grep -E '^site\.[0-9a-f]{8}\.css$')
check "pages link the hashed CSS" grep -q "/assets/$css" "$OUT/index.html"
check "internal .md link rewritten to the built URL" grep -q 'href="/about/"' "$OUT/index.html"
check "link with anchor rewritten across folders" grep -q 'href="/guide/the-steps/#second-step"' "$OUT/index.html"
check "relative link climbs a folder" grep -q 'href="/about/#timescales"' "$OUT/guide/the-steps/index.html"
check "link to a static file" grep -q 'href="/files/leaflet.txt"' "$OUT/index.html"
check "headings get ids" grep -q '<h2 id="timescales">Timescales</h2>' "$OUT/about/index.html"
check "repeated heading gets a unique id" grep -q '<h2 id="who-we-are-2">' "$OUT/about/index.html"
check "table wrapped in a labelled scroll region" grep -q 'class="table-wrap" role="region" aria-labelledby="timescales" tabindex="0"' "$OUT/about/index.html"
check "no align attributes on tables" bash -c "! grep -q 'align=' '$OUT/about/index.html'"
check "flowchart rendered as a figure" grep -q '<figure class="flowchart" id="flowchart-1"' "$OUT/about/index.html"
check "flowchart decision links its answers" grep -q '<span class="flowchart__answer">Yes</span>: go to <a href="#flowchart-1-done">step 3, Finished</a>' "$OUT/about/index.html"
check "editor's HTML comment is not published" bash -c "! grep -q 'editor' '$OUT/about/index.html'"
check "smart punctuation" grep -q '“quotes” –' "$OUT/about/index.html"
check "sitemap lists pages with the base URL" grep -q '<loc>https://fixture.example/guide/the-steps/</loc>' "$OUT/sitemap.xml"
check "sitemap leaves out drafts" bash -c "! grep -q draft '$OUT/sitemap.xml'"
check "robots.txt names the sitemap" grep -q 'Sitemap: https://fixture.example/sitemap.xml' "$OUT/robots.txt"
check "html lang from site.yml" grep -q '<html lang="en-GB"' "$OUT/index.html"

# --- a second build rewrites nothing ---
find "$OUT" -type f -printf '%p %T@\n' | sort >"$SCRATCH/before"
sleep 1
$SG build --content "$FIX" --out "$OUT" >"$SCRATCH/log2" 2>&1
find "$OUT" -type f -printf '%p %T@\n' | sort >"$SCRATCH/after"
if diff -q "$SCRATCH/before" "$SCRATCH/after" >/dev/null; then ok "second build leaves every file's mtime alone"; else not_ok "second build rewrote files" "$(diff "$SCRATCH/before" "$SCRATCH/after" | head)"; fi
check "second build reports 0 files written" grep -q ' 0 files written' "$SCRATCH/log2"

# --- determinism: another output folder, same bytes ---
$SG build --content "$FIX" --out "$SCRATCH/out2" --quiet --jobs 1 >/dev/null 2>&1
if diff -r "$OUT" "$SCRATCH/out2" >/dev/null; then ok "two builds (2 jobs, 1 job) are byte-identical"; else not_ok "builds differ" "$(diff -r "$OUT" "$SCRATCH/out2" | head)"; fi

# --- a removed page's output is removed ---
cp -r "$FIX" "$SCRATCH/fix"
rm "$SCRATCH/fix/guide/steps.md"
sed -i 's/ or the \[second step\](guide\/steps.md#second-step)//' "$SCRATCH/fix/index.md"
sed -i 's/See \[the steps\](steps.md) and go/Go/' "$SCRATCH/fix/guide/index.md"
sed -i '/Steps$/d; /guide\/steps.md/d' "$SCRATCH/fix/site.yml"
$SG build --content "$SCRATCH/fix" --out "$OUT" >"$SCRATCH/log3" 2>&1
rc=$?
if [ $rc -eq 0 ]; then ok "build after removing a page"; else not_ok "build after removing a page (exit $rc)" "$(cat "$SCRATCH/log3")"; fi
check "the removed page's output is gone" test ! -e "$OUT/guide/the-steps/index.html"
check "its empty folder is gone" test ! -e "$OUT/guide/the-steps"
check "other pages stay" test -s "$OUT/guide/index.html"
check "files sitegen did not write are kept" bash -c "touch '$OUT/keep.txt' && '$SG' build --content '$SCRATCH/fix' --out '$OUT' --quiet && test -e '$OUT/keep.txt'"

# --- errors: file:line:col, exit 1, nothing written ---
expect_error() { # what, file-to-edit, sed-expression, expected message regex
	local what=$1 file=$2 expr=$3 want=$4
	rm -rf "$SCRATCH/bad" "$SCRATCH/badout"
	cp -r "$FIX" "$SCRATCH/bad"
	sed -i "$expr" "$SCRATCH/bad/$file"
	$SG check --content "$SCRATCH/bad" >"$SCRATCH/err" 2>&1
	local rc=$?
	if [ $rc -eq 1 ] && grep -Eq "$want" "$SCRATCH/err"; then
		ok "check: $what"
	else
		not_ok "check: $what (exit $rc)" "$(cat "$SCRATCH/err")"
	fi
	$SG build --content "$SCRATCH/bad" --out "$SCRATCH/badout" >/dev/null 2>&1
	rc=$?
	if [ $rc -eq 1 ] && [ ! -e "$SCRATCH/badout" ]; then
		ok "build: $what writes nothing"
	else
		not_ok "build: $what (exit $rc, output exists: $(test -e "$SCRATCH/badout" && echo yes || echo no))"
	fi
}
expect_error "broken page link" index.md 's/(about.md)/(abut.md)/' \
	"bad/index.md:5:15: broken link: no page 'abut.md'"
expect_error "broken anchor" guide/steps.md 's/#timescales/#timescale/' \
	"bad/guide/steps.md:8:11: broken link: no heading with id 'timescale' in ../about.md; its headings' ids are"
expect_error "missing title" guide/index.md '/^title:/d' \
	"bad/guide/index.md:1:1: the page needs a title"
expect_error "image without alt text" guide/index.md '$a ![](pic.png)' \
	"bad/guide/index.md:6:1: image 'pic.png' needs alt text"
expect_error "raw HTML" guide/index.md '$a <script>alert(1)</script>' \
	"bad/guide/index.md:6:1: raw HTML is not allowed"
expect_error "unknown flowchart node" about.md 's/--> q$/--> qq/' \
	"bad/about.md:36:31: unknown node 'qq'"
expect_error "bad date" about.md 's/^approved: .*/approved: 5th January/' \
	"bad/about.md:6:11: 'approved' must be a date written YYYY-MM-DD"
expect_error "unknown layout" about.md 's/^layout: policy/layout: fancy/' \
	"bad/about.md:4:9: no layout 'fancy'"
expect_error "nav to a missing page" site.yml 's/page: about.md/page: abut.md/' \
	"bad/site.yml:10:11: no page 'abut.md'"
expect_error "unknown form" guide/index.md '$a ```form complaint\n```' \
	"bad/guide/index.md:6:1: no form 'complaint' in content/forms/"

# --- warnings in check ---
cp -r "$FIX" "$SCRATCH/warn"
printf -- '---\ntitle: Orphan\nsummary: Nobody links here.\nnext_review: 2020-01-01\n---\nText.\n' >"$SCRATCH/warn/orphan.md"
printf -- '---\ntitle: Orphan\nsummary: Same title.\nmenu: false\n---\nText.\n' >"$SCRATCH/warn/twin.md"
$SG check --content "$SCRATCH/warn" --today 2026-11-22 >"$SCRATCH/w" 2>&1
rc=$?
check "warnings alone exit 0" test $rc -eq 0
check "warns of a past review date" grep -q "orphan.md:4:14: next_review 2020-01-01 has passed" "$SCRATCH/w"
check "warns of an unreachable page" grep -q "orphan.md:1:1: no navigation entry or page links here" "$SCRATCH/w"
check "warns of a duplicate title" grep -q "twin.md:1:1: the title 'Orphan' is also used by" "$SCRATCH/w"
check "menu: false silences the reachability warning" bash -c "! grep -q 'twin.md:1:1: no navigation' '$SCRATCH/w'"

# --- form pages: the form near the top, no contents list ---
cp -r content "$SCRATCH/long"
words=$(python3 -c "print(' '.join(['word'] * 160))")
sed -i "0,/^You can complain online/s//$words\n\nYou can complain online/" "$SCRATCH/long/make-a-complaint.md"
$SG check --content "$SCRATCH/long" --today 2026-11-22 >"$SCRATCH/w" 2>&1
check "warns of long guidance before a form, at the form" grep -q "long/make-a-complaint.md:[0-9]*:1: 2[0-9][0-9] words come before the form (more than 150)" "$SCRATCH/w"
python3 - "$SCRATCH/long/make-a-complaint.md" <<'PY'
import sys
p = sys.argv[1]
t = open(p).read()
words = ' '.join(['word'] * 160)
open(p, 'w').write(t.replace(words, '> [!DETAILS] More about it\n> ' + words))
PY
$SG check --content "$SCRATCH/long" --today 2026-11-22 >"$SCRATCH/w" 2>&1
check "words folded into details do not count" bash -c "! grep -q 'words come before the form' '$SCRATCH/w'"
sed -i 's/^layout: form$/layout: form\ntoc: true/' "$SCRATCH/long/make-a-complaint.md"
sed -i 's/^layout: policy$/layout: policy\ntoc_depth: 3/' "$SCRATCH/long/complaints-policy.md"
$SG build --content "$SCRATCH/long" --out "$SCRATCH/long-out" >"$SCRATCH/w" 2>&1
check "a form page has no contents list, even with toc: true" bash -c "! grep -q 'class=\"toc\"' '$SCRATCH/long-out/make-a-complaint/index.html'"
check "toc_depth: 3 lists the ### headings" grep -q 'toc__item--3' "$SCRATCH/long-out/complaints-policy/index.html"
$SG build --out "$SCRATCH/def" >/dev/null 2>&1
check "by default the contents list has the ## headings only" bash -c "grep -q 'toc__item--2' '$SCRATCH/def/complaints-policy/index.html' && ! grep -q 'toc__item--3' '$SCRATCH/def/complaints-policy/index.html'"
sed -i 's/^toc_depth: 3$/toc_depth: 4/' "$SCRATCH/long/complaints-policy.md"
$SG check --content "$SCRATCH/long" --today 2026-11-22 >"$SCRATCH/w" 2>&1
check "toc_depth other than 2 or 3 is refused at its line" grep -q "long/complaints-policy.md:[0-9]*:[0-9]*: toc_depth must be 2" "$SCRATCH/w"

# --- the council's own content: no errors, no warnings ---
$SG check --today 2026-11-22 >"$SCRATCH/c" 2>&1
rc=$?
if [ $rc -eq 0 ] && ! grep -q 'warning:' "$SCRATCH/c"; then ok "content/ checks clean"; else not_ok "content/ checks clean (exit $rc)" "$(cat "$SCRATCH/c")"; fi

# --- rules that do not fit the forms fail the check ---
cp -r content "$SCRATCH/rules"
sed -i 's/^\(\s*\)- value: parking$/\1- value: parking-permits/' "$SCRATCH/rules/forms/_services.yml"
$SG check --content "$SCRATCH/rules" >"$SCRATCH/r" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -Eq "rules/rules.yml:[0-9]+:[0-9]+: service area 'parking-permits' offered by form 'complaint' has no routing" "$SCRATCH/r"; then
	ok "check: a service area with no routing in rules.yml"
else
	not_ok "check: a service area with no routing in rules.yml (exit $rc)" "$(cat "$SCRATCH/r")"
fi

# --- the review form's references follow the rules' ---
rm -rf "$SCRATCH/refs" && cp -r content "$SCRATCH/refs"
sed -i 's/complaint: {prefix: CMP, digits: 6}/complaint: {prefix: NBC, digits: 5}/' "$SCRATCH/refs/rules.yml"
$SG check --content "$SCRATCH/refs" >"$SCRATCH/r" 2>&1
rc=$?
if [ $rc -eq 1 ] && [ "$(grep -c "form 'review', field 'case_reference', gives the example 'CMP-2026-000123', which is not a reference casework issues (like NBC-2026-00123)" "$SCRATCH/r")" = 2 ]; then
	ok "check: the review form's examples in another format than the rules' references"
else
	not_ok "check: review form examples against the rules (exit $rc)" "$(cat "$SCRATCH/r")"
fi
sed -i 's/complaint: {prefix: NBC, digits: 5}/complaint: {prefix: CMPLNT, digits: 6}/' "$SCRATCH/refs/rules.yml"
$SG check --content "$SCRATCH/refs" >"$SCRATCH/r" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "has a pattern that refuses the references casework issues ('CMPLNT-2026-000123', or 'cmplnt2026000123' as typed)" "$SCRATCH/r"; then
	ok "check: a review form pattern that refuses the rules' references"
else
	not_ok "check: review form pattern against the rules (exit $rc)" "$(cat "$SCRATCH/r")"
fi

# --- a form page: the form, intake's shells, the schema, the confirmation ---
$SG build --out "$SCRATCH/site" --quiet >/dev/null 2>&1
check "form page holds the form" grep -q '<form[^>]*action="/submit/complaint"' "$SCRATCH/site/make-a-complaint/index.html"
check "intake's shell has the marker instead of the form" bash -c "grep -q '<!--threecs:form-->' '$SCRATCH/site/.threecs/forms/complaint.html' && ! grep -q '<form' '$SCRATCH/site/.threecs/forms/complaint.html'"
check "confirmation shell has the reference marker" grep -q '@@REFERENCE@@' "$SCRATCH/site/.threecs/received/complaint.html"
check "confirmation links resolved" grep -q 'href="/stage-2-review/"' "$SCRATCH/site/.threecs/received/complaint.html"
check "schema for the page's script" python3 -c "import json,sys; d=json.load(open('$SCRATCH/site/assets/forms/complaint.json')); sys.exit(d['id']!='complaint')"

# --- a site big enough for phase A to use two processes ---
mkdir -p "$SCRATCH/many"
printf 'council: Many\ntitle: Many pages\nbase_url: https://many.example\nnav:\n  - title: Home\n    page: index.md\n' >"$SCRATCH/many/site.yml"
{
	printf -- '---\ntitle: Home\nsummary: All pages.\n---\n'
	for i in $(seq 0 119); do printf -- '- [Page %d](p%d.md)\n' "$i" "$i"; done
} >"$SCRATCH/many/index.md"
for i in $(seq 0 119); do
	printf -- '---\ntitle: Page %d\nsummary: Page %d.\n---\n## One\n\n~~old~~ and | pipes | in text, [next](p%d.md#two).\n\n## Two\n\n| a | b |\n|---|---|\n| ~~x~~ | y |\n' \
		"$i" "$i" $(((i + 1) % 120)) >"$SCRATCH/many/p$i.md"
done
$SG build --content "$SCRATCH/many" --out "$SCRATCH/many1" --jobs 1 --quiet >/dev/null 2>&1
$SG build --content "$SCRATCH/many" --out "$SCRATCH/many2" --jobs 2 --quiet >/dev/null 2>&1
if diff -r "$SCRATCH/many1" "$SCRATCH/many2" >/dev/null; then ok "120 pages: one process and two give the same bytes"; else not_ok "120 pages: one process and two differ" "$(diff -r "$SCRATCH/many1" "$SCRATCH/many2" | head)"; fi
check "strikethrough kept on every page" bash -c "[ \$(grep -l '<del>old</del>' '$SCRATCH'/many2/p*/index.html | wc -l) -eq 120 ]"
sed -i 's/#two)/#three)/' "$SCRATCH/many/p7.md" "$SCRATCH/many/p8.md"
$SG check --content "$SCRATCH/many" --jobs 1 >"$SCRATCH/m1" 2>&1
rc1=$?
$SG check --content "$SCRATCH/many" --jobs 2 >"$SCRATCH/m2" 2>&1
rc2=$?
if [ $rc1 -eq 1 ] && [ $rc2 -eq 1 ] && cmp -s "$SCRATCH/m1" "$SCRATCH/m2" && [ "$(grep -c "broken link" "$SCRATCH/m2")" -eq 2 ]; then
	ok "120 pages: errors on pages of both processes, reported the same"
else
	not_ok "120 pages: errors reported differently (exit $rc1/$rc2)" "$(diff "$SCRATCH/m1" "$SCRATCH/m2"; cat "$SCRATCH/m2")"
fi

# --- usage ---
$SG build --bogus >/dev/null 2>&1
check "unknown option exits 2" test $? -eq 2
check "--help exits 0" $SG --help
check "build --help exits 0" $SG build --help

finish "sitegen e2e"
