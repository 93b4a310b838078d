#!/usr/bin/env bash
# Disk full, end to end: each program writes to a small tmpfs that a filler
# file leaves just too little room on, at two or three points of its work
# (measured first on the same tmpfs with room to spare). Each must fail
# clearly, leave nothing half-written and lose nothing, and once the filler
# is gone the same command must finish the work as if nothing had happened.
# Needs root, for mount.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

MOUNTS=()
PIDS=()
cleanup() {
	local p m
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null || umount -l "$m"; done
	rm -rf "$SCRATCH"
}
trap cleanup EXIT

# small_fs DIR KB: a tmpfs of KB kibibytes at DIR.
small_fs() {
	mkdir -p "$1"
	if ! mount -t tmpfs -o "size=$2k,mode=0755" tmpfs "$1" 2>"$SCRATCH/mount.err"; then
		not_ok "cannot mount a tmpfs (needs root)" "$(cat "$SCRATCH/mount.err")"
		finish diskfull
		exit 1
	fi
	MOUNTS+=("$1")
}
# avail DIR: bytes free on DIR's file system.
avail() { echo $(($(stat -f -c '%a' "$1") * $(stat -f -c '%S' "$1"))); }
# fill DIR BYTES: a filler file that leaves BYTES free (to the page).
fill() {
	local a
	rm -f "$1/filler"
	a=$(avail "$1")
	[ "$a" -gt "$2" ] && head -c $((a - $2)) /dev/zero >"$1/filler" 2>/dev/null
	return 0
}
unfill() { rm -f "$1/filler"; }
nospace() { grep -q 'No space left on device' "$1"; }

# ============================================================ intake serve
SITE=$SCRATCH/site
$SG build --out "$SITE" --quiet >"$SCRATCH/sg.log" 2>&1
check "sitegen builds the site for intake" test -s "$SITE/.threecs/forms/complaint.html"
M1=$SCRATCH/m1
small_fs "$M1" 1024
PAGE=$(stat -f -c %S "$M1") # what tmpfs allocates in
SPOOL=$M1/spool
FORM=complaint
intake_start "$SCRATCH/serve.out" "$SCRATCH/serve.err" --site "$SITE" \
	--forms content/forms --spool "$SPOOL" "${INTAKE_USER_OPT[@]}" --rate 100000
SERVER=$PID
PIDS+=($SERVER)
URL=${PORT:+http://127.0.0.1:$PORT}
if [ -z "$URL" ]; then
	not_ok "intake serve starts" "$(cat "$SCRATCH/serve.err")"
	finish diskfull
	exit 1
fi
BODY=$(python3 tests/e2e/intake_lib.py "$SITE" $FORM pairs)
mapfile -t FARGS < <(python3 tests/e2e/intake_lib.py "$SITE" $FORM curl-args)
FF=$(python3 tests/e2e/intake_lib.py "$SITE" $FORM file-field)
{
	printf '%%PDF-1.4\n'
	head -c 200000 /dev/urandom
	printf '\n%%%%EOF\n'
} >"$SCRATCH/letter.pdf"
PDFSUM=$(sha256sum "$SCRATCH/letter.pdf" | cut -d' ' -f1)

# post plain|pdf: posts the form; sets CODE and REF, headers in $SCRATCH/h.
post() {
	if [ "$1" = plain ]; then
		CODE=$(submit "$URL/submit/$FORM" -d "$BODY")
	else
		CODE=$(submit "$URL/submit/$FORM" "${FARGS[@]}" \
			-F "$FF=@$SCRATCH/letter.pdf;type=application/pdf")
	fi
	cp "$SCRATCH/submit.h" "$SCRATCH/h"
	cp "$SCRATCH/submit.html" "$SCRATCH/b"
	REF=$(printf '%s' "$CODE" | sed -n 's|.*received?ref=\([0-9A-Z-]*\)&k=[0-9a-f]*$|\1|p')
	CODE=${CODE%% *}
}
# whole REF plain|pdf: the submission in ready/ parses and its file is right.
whole() {
	python3 - "$SPOOL/ready/$1" "$2" "$PDFSUM" "$SCRATCH/letter.pdf" <<'PY'
import hashlib, json, os, sys
d, kind, s, pdf = sys.argv[1:5]
j = json.load(open(os.path.join(d, "submission.json")))
assert j["id"] == os.path.basename(d), j["id"]
a = j["attachments"]
if kind == "plain":
    assert a == [] and sorted(os.listdir(d)) in (["submission.json"], ["files", "submission.json"]), a
else:
    assert len(a) == 1 and a[0]["sha256"] == s, a
    data = open(os.path.join(d, a[0]["path"]), "rb").read()
    assert hashlib.sha256(data).hexdigest() == s and data == open(pdf, "rb").read()
    assert a[0]["size"] == len(data)
PY
}

# What one submission with the PDF takes, measured on the tmpfs itself.
a0=$(avail "$M1")
post pdf
NEED=$(($(avail "$M1") - a0))
NEED=${NEED#-}
if [ "$CODE" = 303 ] && [ -n "$REF" ] && [ "$NEED" -gt 200000 ]; then
	ok "intake: with room, a post with a PDF is 303 ($NEED bytes on disk)"
else
	not_ok "intake: with room, a post with a PDF is 303 (got $CODE, $NEED bytes)" "$(tail -3 "$SCRATCH/serve.err")"
fi
rm -rf "${SPOOL:?}/ready/$REF"

# full_post LABEL plain|pdf: a post with the disk full must be refused whole.
full_post() {
	local label=$1 kind=$2 before nerr
	before=$(ls "$SPOOL/ready" | wc -l)
	nerr=$(grep -c 'No space left on device' "$SCRATCH/serve.err")
	post "$kind"
	if [ "$CODE" = 503 ]; then ok "intake, $label: 503"; else not_ok "intake, $label: 503 (got $CODE${REF:+, ref $REF})"; fi
	check "intake, $label: Retry-After" grep -qi '^Retry-After: [0-9]' "$SCRATCH/h"
	check "intake, $label: a whole page that says nothing was sent" \
		bash -c "grep -q '<html lang=\"en-GB\"' '$SCRATCH/b' && grep -q 'Nothing was sent' '$SCRATCH/b'"
	check "intake, $label: nothing in ready/" test "$(ls "$SPOOL/ready" | wc -l)" -eq "$before"
	check "intake, $label: tmp/ is empty" test -z "$(ls -A "$SPOOL/tmp")"
	check "intake, $label: the log says the disk is full" \
		test "$(grep -c 'No space left on device' "$SCRATCH/serve.err")" -gt "$nerr"
	check "intake, $label: the server is still up" bash -c "kill -0 $SERVER && test \"\$(curl -s -o /dev/null -w '%{http_code}' '$URL/')\" = 200"
}

fill "$M1" 0
full_post "no room at all, plain post" plain
full_post "no room at all, post with a PDF" pdf
fill "$M1" $((NEED / 2))
full_post "room for half the PDF" pdf
fill "$M1" $((NEED - PAGE))
full_post "room for the PDF but not submission.json" pdf
unfill "$M1"
for kind in plain pdf; do
	post $kind
	if [ "$CODE" = 303 ] && [ -n "$REF" ]; then ok "intake: space freed, the same $kind post is 303"; else not_ok "intake: space freed, the same $kind post is 303 (got $CODE)"; fi
	if whole "$REF" $kind >"$SCRATCH/py" 2>&1; then ok "intake: the $kind submission is whole in ready/"; else not_ok "intake: the $kind submission is whole in ready/" "$(cat "$SCRATCH/py")"; fi
done
check "intake: exactly those two in ready/" test "$(ls "$SPOOL/ready" | wc -l)" -eq 2
check "intake: tmp/ is empty at the end" test -z "$(ls -A "$SPOOL/tmp")"
kill -TERM $SERVER
wait $SERVER
check "intake: SIGTERM still stops the server with status 0" test $? -eq 0
PIDS=()

# =========================================================== intake bundle
NOW=2026-11-22T07:30:00Z
BID=bundle-20261122T073000Z-web
IDS="A0000-00001 A0000-00002 A0000-00003 A0000-00004"
# submission DIR ID [SIZE...]: a whole submission with random attachments.
submission() { spool_made "$1" "$2" '{"name":"Ann Example"}' f random_bytes "${@:3}"; }
# random_bytes SIZE: prints SIZE random bytes.
random_bytes() { head -c "$1" /dev/urandom; }
mkdir -p "$SCRATCH/spool0/tmp"
submission "$SCRATCH/spool0" A0000-00001 100000
submission "$SCRATCH/spool0" A0000-00002
submission "$SCRATCH/spool0" A0000-00003 200000 50000
submission "$SCRATCH/spool0" A0000-00004 150000
M2=$SCRATCH/m2
small_fs "$M2" 2048
cp -r "$SCRATCH/spool0" "$SCRATCH/probe"
a0=$(avail "$M2")
$IN bundle --spool "$SCRATCH/probe" --out "$M2/probe" --now $NOW >/dev/null 2>&1
NEED=$((a0 - $(avail "$M2")))
rm -rf "$M2/probe" "$SCRATCH/probe"
if [ "$NEED" -gt 500000 ]; then ok "bundle: with room, the bundle takes $NEED bytes"; else not_ok "bundle: with room, the bundle takes $NEED bytes"; fi

# bundle_point LABEL SPOOL OUT LEAVE: a bundle run with LEAVE bytes free on
# $M2 (the out folder, the spool or both are on it), then the rerun.
bundle_point() {
	local label=$1 sp=$2 out=$3 leave=$4 rc ok1=1 id
	rm -rf "$sp" "$out"
	cp -r "$SCRATCH/spool0" "$sp"
	mkdir -p "$out"
	fill "$M2" "$leave"
	$IN bundle --spool "$sp" --out "$out" --now $NOW >"$SCRATCH/bo" 2>"$SCRATCH/be"
	rc=$?
	if [ $rc -eq 3 ]; then ok "bundle, $label: exit 3"; else not_ok "bundle, $label: exit 3 (got $rc)" "$(cat "$SCRATCH/bo" "$SCRATCH/be")"; fi
	if nospace "$SCRATCH/be" && grep -Eq "($out/\.$BID\.zip\.tmp|$sp/\.bundle\.journal)" "$SCRATCH/be"; then
		ok "bundle, $label: the message names the file and says No space left on device"
	else
		not_ok "bundle, $label: the message names the file and says No space left on device" "$(cat "$SCRATCH/be")"
	fi
	check "bundle, $label: nothing left in the out folder" test -z "$(ls -A "$out")"
	check "bundle, $label: no journal left" test ! -e "$sp/.bundle.journal"
	for id in $IDS; do diff -r "$SCRATCH/spool0/ready/$id" "$sp/ready/$id" >/dev/null 2>&1 || ok1=0; done
	check "bundle, $label: every submission still whole in ready/" test $ok1 -eq 1
	check "bundle, $label: nothing moved to bundled/" test -z "$(ls -A "$sp/bundled" 2>/dev/null)"
	unfill "$M2"
	$IN bundle --spool "$sp" --out "$out" --now $NOW >"$SCRATCH/bo" 2>"$SCRATCH/be"
	rc=$?
	if [ $rc -eq 0 ]; then ok "bundle, $label: space freed, the rerun succeeds"; else not_ok "bundle, $label: space freed, the rerun succeeds (got $rc)" "$(cat "$SCRATCH/be")"; fi
	check "bundle, $label: the rerun writes one bundle and nothing else" test "$(ls -A "$out")" = "$BID.zip"
	check "bundle, $label: unzip -t finds it sound" unzip -tq "$out/$BID.zip"
	if python3 - "$out/$BID.zip" "$SCRATCH/spool0/ready" $IDS >"$SCRATCH/py" 2>&1 <<'PY'; then ok "bundle, $label: the manifest lists each submission once, every checksum right"; else not_ok "bundle, $label: manifest and entries" "$(cat "$SCRATCH/py")"; fi
import hashlib, json, os, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
m = json.loads(z.read("manifest.json"))
ids = sys.argv[3:]
assert m["count"] == len(ids) == len(m["submissions"]), m["count"]
assert [s["id"] for s in m["submissions"]] == ids
n = 1
for s in m["submissions"]:
    for f in s["files"]:
        data = z.read(f["path"])
        assert hashlib.sha256(data).hexdigest() == f["sha256"] and len(data) == f["size"], f
        assert data == open(os.path.join(sys.argv[2], s["id"], f["path"].split("/", 2)[2]), "rb").read()
        n += 1
assert len(z.infolist()) == n
PY
	check "bundle, $label: ready/ is empty after the rerun" test -z "$(ls -A "$sp/ready")"
	check "bundle, $label: all four in bundled/$BID" test "$(ls "$sp/bundled/$BID" | tr '\n' ' ')" = "$IDS "
}
bundle_point "out folder with room for half the bundle" "$SCRATCH/sp1" "$M2/out" $((NEED / 2))
bundle_point "out folder with room for all but its last page" "$SCRATCH/sp2" "$M2/out" $((NEED - PAGE))
bundle_point "spool full (no room for the journal)" "$M2/sp3" "$SCRATCH/out3" 0
bundle_point "spool and out folder on one disk, half the room" "$M2/sp4" "$M2/out4" $((NEED / 2))
rm -rf "$M2/sp3" "$M2/sp4" "$M2/out" "$M2/out4"

# ========================================================== sitegen build
# Site A is the previous good build; B changes every page and the CSS and
# adds twenty pages, so B needs room the filler does not leave.
cp -r content "$SCRATCH/A"
cp -r content "$SCRATCH/B"
cp -r themes/default "$SCRATCH/themeB"
printf '\n/* site B */\n' >>"$SCRATCH/themeB/assets/site.css"
find "$SCRATCH/B" -name '*.md' -not -path '*/letters/*' -exec sh -c 'printf "\nAnother paragraph for site B.\n" >>"$1"' _ {} \;
for i in $(seq 1 20); do
	printf -- '---\ntitle: Extra page %d\nsummary: Extra page %d.\nmenu: false\n---\n## Extra\n\n' "$i" "$i" >"$SCRATCH/B/extra$i.md"
	for j in $(seq 1 80); do printf 'Line %d of extra page %d, long enough to make the page take room.\n' "$j" "$i"; done >>"$SCRATCH/B/extra$i.md"
done
buildA() { $SG build --content "$SCRATCH/A" --out "$1" --quiet; }
buildB() { $SG build --content "$SCRATCH/B" --theme "$SCRATCH/themeB" --out "$1" --quiet; }
buildA "$SCRATCH/refA" >/dev/null 2>&1
buildB "$SCRATCH/refB" >"$SCRATCH/sgB" 2>&1
check "sitegen: site B builds on a roomy disk" test -s "$SCRATCH/refB/extra20/index.html"
M3=$SCRATCH/m3
small_fs "$M3" 2048
buildA "$M3/out" >/dev/null 2>&1
a0=$(avail "$M3")
buildB "$M3/out" >/dev/null 2>&1
NEED=$((a0 - $(avail "$M3")))
if [ "$NEED" -gt 100000 ]; then ok "sitegen: B over A takes $NEED more bytes"; else not_ok "sitegen: B over A takes $NEED more bytes"; fi

# Each file of out must be A's or B's bytes whole; A's files all still there.
old_or_new() {
	python3 - "$1" "$SCRATCH/refA" "$SCRATCH/refB" <<'PY'
import os, sys
out, a, b = sys.argv[1:4]
def files(root):
    r = set()
    for d, _, fs in os.walk(root):
        for f in fs:
            r.add(os.path.relpath(os.path.join(d, f), root))
    return r
def same(p, q):
    return os.path.isfile(q) and open(p, "rb").read() == open(q, "rb").read()
got = files(out)
bad = [f for f in sorted(got) if not (same(os.path.join(out, f), os.path.join(a, f)) or same(os.path.join(out, f), os.path.join(b, f)))]
assert not bad, "neither A's nor B's bytes: %s" % bad[:5]
lost = sorted(files(a) - got)
assert not lost, "A's files lost: %s" % lost[:5]
assert open(os.path.join(out, ".sitegen-manifest")).read() == open(os.path.join(a, ".sitegen-manifest")).read(), "the manifest changed"
PY
}
sitegen_point() {
	local label=$1 leave=$2 rc
	unfill "$M3"
	rm -rf "$M3/out"
	buildA "$M3/out" >/dev/null 2>&1
	find "$M3/out" -type f -exec sha256sum {} + | sort >"$SCRATCH/sums.before"
	fill "$M3" "$leave"
	buildB "$M3/out" >"$SCRATCH/so" 2>"$SCRATCH/se"
	rc=$?
	if [ $rc -eq 3 ]; then ok "sitegen, $label: exit 3"; else not_ok "sitegen, $label: exit 3 (got $rc)" "$(head -5 "$SCRATCH/se")"; fi
	if nospace "$SCRATCH/se" && grep -q "cannot write $M3/out/" "$SCRATCH/se"; then
		ok "sitegen, $label: the message names the file and says No space left on device"
	else
		not_ok "sitegen, $label: the message names the file and says No space left on device" "$(head -5 "$SCRATCH/se")"
	fi
	if old_or_new "$M3/out" >"$SCRATCH/py" 2>&1; then ok "sitegen, $label: every file is A's or B's, whole; none of A's lost; no temporaries"; else not_ok "sitegen, $label: the previous output is whole" "$(tail -3 "$SCRATCH/py")"; fi
	[ "$leave" -eq 0 ] && check "sitegen, $label: with no room nothing changed" \
		bash -c "find '$M3/out' -type f -exec sha256sum {} + | sort | cmp -s - '$SCRATCH/sums.before'"
	[ "$leave" -gt 0 ] && check "sitegen, $label: the build stopped in the middle (some of B written)" \
		bash -c "! find '$M3/out' -type f -exec sha256sum {} + | sort | cmp -s - '$SCRATCH/sums.before' && test ! -e '$M3/out/extra20/index.html' -o ! -e '$M3/out/extra1/index.html' -o ! -e '$M3/out/extra9/index.html'"
	unfill "$M3"
	buildB "$M3/out" >"$SCRATCH/so" 2>"$SCRATCH/se"
	rc=$?
	if [ $rc -eq 0 ]; then ok "sitegen, $label: space freed, the rerun succeeds"; else not_ok "sitegen, $label: space freed, the rerun succeeds (got $rc)" "$(head -5 "$SCRATCH/se")"; fi
	if diff -r "$M3/out" "$SCRATCH/refB" >"$SCRATCH/d" 2>&1; then ok "sitegen, $label: the rerun's output is identical to a roomy build"; else not_ok "sitegen, $label: the rerun's output is identical to a roomy build" "$(head -5 "$SCRATCH/d")"; fi
}
sitegen_point "room for half the new pages" $((NEED / 2))
sitegen_point "no room at all" 0
rm -rf "$M3/out"

# ========================================================= casework ingest
rm -rf "$SCRATCH/subs"
python3 - "$SCRATCH/subs" <<'PY'
import os, sys
sys.path.insert(0, "tests/data/bundles")
import mkbundle as mb
P = sys.argv[1]
for i in range(30):
    sid = 'DF%03d-00000' % i
    kind = i % 5
    if kind == 4:  # quarantined: the form's required fields are missing
        mb.sub(P, sid, 'complaint', '2026-12-23T10:00:00Z', {'service_area': 'bins'})
    elif kind == 3:
        mb.sub(P, sid, 'feedback', '2026-12-23T10:00:00Z', {'feedback_type': 'compliment', 'service_area': 'parks', 'message': 'Thanks %d' % i})
    else:
        mb.sub(P, sid, 'complaint', '2026-12-23T10:00:00Z', {'full_name': 'K %d' % i, 'email': 'k%d@example.org' % (i % 7), 'contact_method': 'email', 'on_behalf': 'no', 'service_area': ['bins', 'roads', 'licensing'][kind], 'what_happened': 'x', 'when_happened': '2026-10-01', 'impact': 'y', 'outcome_sought': 'z', 'raised_before': 'yes'}, files=[('files', 'note.pdf', 'application/pdf', b'%PDF-1.4\n' + os.urandom(40000))] if i % 2 else [])
PY
python3 tests/data/bundles/mkbundle.py "$SCRATCH/day.zip" "$SCRATCH"/subs/* >/dev/null
cw() { "$CW" --rules content/rules.yml --forms content/forms --today 2026-12-24 "$@"; }
sq() { # sq DB SQL: sqlite3, or python3's sqlite3 module when the CLI is missing
	if command -v sqlite3 >/dev/null 2>&1; then
		sqlite3 "$1" "$2"
	else
		python3 -c 'import sqlite3,sys
for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]): print("|".join(map(str, r)))' "$1" "$2"
	fi
}
# recorded DIR: submissions the register holds, processed or quarantined.
recorded() {
	local n
	n=$(sq "$1/register.db" 'select (select count(*) from submissions) + (select count(*) from quarantine)' 2>/dev/null)
	echo "${n:-0}"
}
CREF=$SCRATCH/cref
cw --data "$CREF" ingest "$SCRATCH/day.zip" >"$SCRATCH/cref.out" 2>&1
CREF_RC=$?
cw --data "$CREF" list >"$SCRATCH/cref.list" 2>&1
check "casework: the reference ingest on a roomy disk (exit 1: six are quarantined)" \
	bash -c "test $CREF_RC -eq 1 && grep -q '^total: 30 read: 12 cases, 6 records, 0 stage 2 escalations, 6 signposted, 6 quarantined, 0 already ingested$' '$SCRATCH/cref.out'"
M4=$SCRATCH/m4
small_fs "$M4" 4096
a0=$(avail "$M4")
cw --data "$M4/probe" ingest "$SCRATCH/day.zip" >/dev/null 2>&1
NEED=$((a0 - $(avail "$M4")))
rm -rf "$M4/probe"
if [ "$NEED" -gt 500000 ]; then ok "casework: with room, the ingest takes $NEED bytes"; else not_ok "casework: with room, the ingest takes $NEED bytes"; fi

# Every pack on disk is whole and the same bytes as the reference's.
packs_whole() {
	local p
	for p in "$1"/casepacks/*; do
		[ -e "$p" ] || continue
		case $p in *.zip) ;; *) echo "stray file $p"; return 1 ;; esac
		cmp -s "$p" "$CREF/casepacks/${p##*/}" || { echo "$p differs"; return 1; }
		unzip -tq "$p" >/dev/null || return 1
	done
	return 0
}
casework_point() {
	local label=$1 leave=$2 D=$M4/d rc n
	unfill "$M4"
	rm -rf "$D"
	fill "$M4" "$leave"
	cw --data "$D" ingest "$SCRATCH/day.zip" >"$SCRATCH/co" 2>"$SCRATCH/ce"
	rc=$?
	if [ $rc -eq 3 ]; then ok "casework, $label: exit 3"; else not_ok "casework, $label: exit 3 (got $rc)" "$(cat "$SCRATCH/ce")"; fi
	if grep -Eq "$D/[^ ]*('|:).*(No space left on device|database or disk is full)" "$SCRATCH/ce"; then
		ok "casework, $label: the message names the file and says the disk is full"
	else
		not_ok "casework, $label: the message names the file and says the disk is full" "$(cat "$SCRATCH/ce")"
	fi
	check "casework, $label: no report written" test -z "$(ls -A "$D/reports" 2>/dev/null)"
	unfill "$M4"
	n=$(recorded "$D")
	m=$(sed -n 's/^total: [0-9]* read: \([0-9]*\) cases, \([0-9]*\) records, \([0-9]*\) stage 2 escalations, \([0-9]*\) signposted, \([0-9]*\) quarantined, .*/\1 \2 \3 \4 \5/p' "$SCRATCH/co")
	m=$(echo ${m:-0} | tr ' ' '+')
	check "casework, $label: the counts printed are what the register holds ($((m)) printed, $n recorded)" test "$((m))" = "$n"
	n=$(sq "$D/register.db" 'PRAGMA integrity_check' 2>&1)
	if [ "$n" = ok ]; then ok "casework, $label: register.db passes integrity_check"; else not_ok "casework, $label: register.db passes integrity_check" "$n"; fi
	if [ "$3" = unmarked ]; then
		n=$(sq "$D/register.db" 'select count(*) from bundles' 2>/dev/null || echo 0)
		check "casework, $label: the bundle is not marked as ingested" test "${n:-0}" = 0
	else
		# The last batch committed: the bundle is marked only once every
		# submission in it is recorded, and the packs not yet written are
		# still marked to write.
		n=$(sq "$D/register.db" 'select count(*) from bundles')
		check "casework, $label: the bundle is marked only with all 30 recorded ($n, $(recorded "$D"))" \
			test "$n" = 0 -o "$(recorded "$D")" = 30
		n=$(sq "$D/register.db" 'select reference from cases where not pack_dirty' | while read -r r; do
			[ -f "$D/casepacks/$r.zip" ] || echo "$r"
		done)
		check "casework, $label: every case has its pack or is still marked to write one" test -z "$n"
	fi
	if packs_whole "$D" >"$SCRATCH/pw" 2>&1; then ok "casework, $label: every case pack on disk is whole"; else not_ok "casework, $label: a case pack is half-written" "$(cat "$SCRATCH/pw")"; fi
	cw --data "$D" ingest "$SCRATCH/day.zip" >"$SCRATCH/co" 2>"$SCRATCH/ce"
	rc=$?
	if [ $rc -le 1 ]; then ok "casework, $label: space freed, the rerun succeeds"; else not_ok "casework, $label: space freed, the rerun succeeds (got $rc)" "$(cat "$SCRATCH/ce")"; fi
	cw --data "$D" list >"$SCRATCH/c.list" 2>&1
	if cmp -s "$SCRATCH/c.list" "$SCRATCH/cref.list"; then ok "casework, $label: list is the same as the reference's"; else not_ok "casework, $label: list differs from the reference's" "$(diff "$SCRATCH/c.list" "$SCRATCH/cref.list" | head -5)"; fi
	check "casework, $label: the daily report CSV is the same as the reference's" cmp -s "$D/reports/2026-12-24.csv" "$CREF/reports/2026-12-24.csv"
	if packs_whole "$D" >"$SCRATCH/pw" 2>&1 && [ "$(ls "$D/casepacks" | wc -l)" = "$(ls "$CREF/casepacks" | wc -l)" ]; then
		ok "casework, $label: every pack written, the same bytes as the reference's"
	else
		not_ok "casework, $label: every pack written, the same bytes as the reference's" "$(cat "$SCRATCH/pw")"
	fi
	n="$(recorded "$D") $(sq "$D/register.db" 'select count(*) from bundles') $(sq "$D/register.db" 'select count(*) from cases where pack_dirty')"
	check "casework, $label: 30 submissions recorded once, the bundle once, no pack left to write ($n)" test "$n" = "30 1 0"
	check "casework, $label: tmp/ is empty" test -z "$(ls -A "$D/tmp")"
}
casework_point "no room for the register" 0 unmarked
casework_point "room for half the work" $((NEED / 2)) unmarked
casework_point "room for all but the last few pages" $((NEED - 4 * PAGE)) committed
rm -rf "$M4/d"

finish diskfull
