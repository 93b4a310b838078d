#!/usr/bin/env bash
# intake bundle end to end: builds spools by hand in the scratch folder, runs
# the real binary and checks the zip (manifest first, checksums, layout,
# fixed times and modes), the moves out of ready/, broken folders left in
# place, refused links, determinism, permissions, the lock, leftovers and
# the journal that finishes an interrupted run.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

NOW=2026-11-22T07:30:00Z
BID=bundle-20261122T073000Z-web
umask 022 # the bundle must be private whatever the caller's umask

# submission DIR ID [ATTACHMENT...]: a whole submission folder in DIR/ready
# with a submission.json in the threecs-submission/1 format whose
# attachments list each file's size and sha256.
submission() {
	spool_made "$1" "$2" \
		'{"name":"Ann Example","details":"The bin was not collected – twice.","topics":["waste","repeat"]}' \
		file text "${@:3}"
}
# text STRING: prints STRING as it is.
text() { printf '%s' "$1"; }

# spool DIR: three good submissions and one that is not valid JSON.
spool() {
	mkdir -p "$1/ready" "$1/tmp"
	submission "$1" K7QXM-3PD9R "photo one" "a second file"
	submission "$1" A1B2C-3D4E5
	submission "$1" Z9Y8X-7W6V5 "$(printf 'line\nbinary\001\002')"
	mkdir -p "$1/ready/BBBBB-00000"
	printf '{"format":"threecs-submission/1","id":"BBBBB-00000",\n  "fields": {oops}\n' >"$1/ready/BBBBB-00000/submission.json"
}

SP=$SCRATCH/spool
OUT=$SCRATCH/bundles
ZIP=$OUT/$BID.zip
spool "$SP"

# --- the first run bundles the three good ones and leaves the broken one ---
$IN bundle --spool "$SP" --out "$OUT" --now $NOW >"$SCRATCH/o" 2>"$SCRATCH/e"
rc=$?
if [ $rc -eq 1 ]; then ok "exit 1 when a folder is broken"; else not_ok "exit 1 when a folder is broken (got $rc)" "$(cat "$SCRATCH/e")"; fi
check "the bundle is written" test -f "$ZIP"
check "prints the bundle, its counts and size" grep -Eq "^intake: .*/$BID\.zip: 3 submissions, 3 files, [0-9.]+ (bytes|kB)$" "$SCRATCH/o"
check "the broken folder is reported with line and column" grep -Eq "ready/BBBBB-00000/submission.json:2:[0-9]+: not valid JSON: left in place" "$SCRATCH/e"
check "the broken folder stays in ready/" test -f "$SP/ready/BBBBB-00000/submission.json"
check "the good ones leave ready/" bash -c "[ \$(ls '$SP/ready') = BBBBB-00000 ]"
for id in K7QXM-3PD9R A1B2C-3D4E5 Z9Y8X-7W6V5; do
	check "bundled/$BID/$id holds the submission" test -f "$SP/bundled/$BID/$id/submission.json"
done
check "attachments move with their submission" cmp -s "$SP/bundled/$BID/K7QXM-3PD9R/files/2" <(printf 'a second file')
check "no temporary is left in the out folder" bash -c "[ \$(ls -A '$OUT' | wc -l) -eq 1 ]"
check "no journal is left in the spool" test ! -e "$SP/.bundle.journal"

unzip -Z1 "$ZIP" >"$SCRATCH/names" 2>/dev/null
cat >"$SCRATCH/want" <<EOF
manifest.json
submissions/A1B2C-3D4E5/submission.json
submissions/K7QXM-3PD9R/submission.json
submissions/K7QXM-3PD9R/files/1
submissions/K7QXM-3PD9R/files/2
submissions/Z9Y8X-7W6V5/submission.json
submissions/Z9Y8X-7W6V5/files/1
EOF
if diff -q "$SCRATCH/names" "$SCRATCH/want" >/dev/null; then ok "manifest first, then submissions in id order"; else not_ok "zip entries in the wrong order" "$(diff "$SCRATCH/names" "$SCRATCH/want")"; fi
check "unzip -t finds the zip sound" unzip -tq "$ZIP"

want=$(unzip -p "$ZIP" manifest.json | python3 -c 'import json,sys; m=json.load(sys.stdin); print([f["sha256"] for s in m["submissions"] for f in s["files"] if f["path"].endswith("K7QXM-3PD9R/files/1")][0])')
got=$(unzip -p "$ZIP" submissions/K7QXM-3PD9R/files/1 | sha256sum | cut -d' ' -f1)
if [ -n "$want" ] && [ "$want" = "$got" ]; then ok "sha256sum of an entry matches the manifest"; else not_ok "sha256 of files/1: manifest '$want', entry '$got'"; fi

# Everything else about the zip and its manifest, in one place.
if python3 - "$ZIP" "$SP/bundled/$BID" >"$SCRATCH/py" 2>&1 <<'EOF'; then ok "manifest fields, every checksum, fixed times and modes"; else not_ok "manifest or zip details" "$(cat "$SCRATCH/py")"; fi
import hashlib, json, os, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
m = json.loads(z.read("manifest.json"))
assert m["format"] == "threecs-bundle/1", m["format"]
assert m["bundle_id"] == "bundle-20261122T073000Z-web", m["bundle_id"]
assert m["created"] == "2026-11-22T07:30:00Z", m["created"]
assert m["source"] == "web"
assert m["count"] == 3 == len(m["submissions"])
ids = [s["id"] for s in m["submissions"]]
assert ids == sorted(ids), ids
listed = ["manifest.json"]
for s in m["submissions"]:
    assert s["files"][0]["path"] == "submissions/%s/submission.json" % s["id"]
    for f in s["files"]:
        data = z.read(f["path"])
        assert len(data) == f["size"], f
        assert hashlib.sha256(data).hexdigest() == f["sha256"], f
        rel = f["path"].split("/", 2)[2]
        disk = open(os.path.join(sys.argv[2], s["id"], rel), "rb").read()
        assert disk == data, f["path"]
        listed.append(f["path"])
    sub = json.loads(z.read("submissions/%s/submission.json" % s["id"]))
    assert sub["id"] == s["id"]
assert [i.filename for i in z.infolist()] == listed
for i in z.infolist():
    assert i.date_time == (2026, 11, 22, 7, 30, 0), (i.filename, i.date_time)
    assert i.compress_type == zipfile.ZIP_STORED, i.filename
    assert i.external_attr >> 16 == 0o100600, (i.filename, oct(i.external_attr >> 16))
    assert i.extra == b"", (i.filename, i.extra)
    assert not i.filename.startswith("/") and ".." not in i.filename.split("/")
EOF

check "the bundle is 0600" test "$(stat -c %a "$ZIP")" = 600
check "the out folder is 0700" test "$(stat -c %a "$OUT")" = 700
check "bundled/ is 0700" test "$(stat -c %a "$SP/bundled")" = 700
check "bundled/<bundle id> is 0700" test "$(stat -c %a "$SP/bundled/$BID")" = 700

# --- a second run finds nothing new and writes nothing ---
ls -A "$OUT" >"$SCRATCH/before"
$IN bundle --spool "$SP" --out "$OUT" --now 2026-11-22T08:00:00Z >"$SCRATCH/o" 2>"$SCRATCH/e"
rc=$?
check "second run says nothing to bundle" grep -qx "intake: nothing to bundle" "$SCRATCH/o"
check "second run still exits 1 for the broken folder" test $rc -eq 1
ls -A "$OUT" >"$SCRATCH/after"
check "second run writes no bundle" cmp -s "$SCRATCH/before" "$SCRATCH/after"
rm -rf "$SP/ready/BBBBB-00000"
$IN bundle --spool "$SP" --out "$OUT" --now 2026-11-22T08:00:00Z >"$SCRATCH/o" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -qx "intake: nothing to bundle" "$SCRATCH/o"; then ok "nothing ready: exit 0"; else not_ok "nothing ready: exit 0 (got $rc)" "$(cat "$SCRATCH/o")"; fi

# --- determinism: the same spool and --now give the same bytes, whatever
# the time zone or umask ---
spool "$SCRATCH/d1"
spool "$SCRATCH/d2"
touch -d '2001-01-01' "$SCRATCH/d2/ready/K7QXM-3PD9R/files/1"
chmod 0640 "$SCRATCH/d2/ready/A1B2C-3D4E5/submission.json"
$IN bundle --spool "$SCRATCH/d1" --out "$SCRATCH/o1" --now $NOW >/dev/null 2>&1
TZ=America/New_York $IN bundle --spool "$SCRATCH/d2" --out "$SCRATCH/o2" --now $NOW >/dev/null 2>&1
check "two bundles of the same spool are byte-identical" cmp "$SCRATCH/o1/$BID.zip" "$SCRATCH/o2/$BID.zip"

# --- a link inside a submission is refused, never followed ---
SL=$SCRATCH/links
mkdir -p "$SL/ready"
submission "$SL" K7QXM-3PD9R "fine"
submission "$SL" M1NKS-00001 "will be a link"
echo "secret" >"$SCRATCH/outside"
ln -sf "$SCRATCH/outside" "$SL/ready/M1NKS-00001/files/1"
submission "$SL" M1NKS-00002
mv "$SL/ready/M1NKS-00002/submission.json" "$SCRATCH/real.json"
ln -s "$SCRATCH/real.json" "$SL/ready/M1NKS-00002/submission.json"
$IN bundle --spool "$SL" --out "$SCRATCH/lo" --now $NOW >"$SCRATCH/o" 2>"$SCRATCH/e"
rc=$?
check "a link in files/ makes exit 1" test $rc -eq 1
check "a link in files/ is reported as refused" grep -q "M1NKS-00001: files/1 is not an attachment (a link: refused): left in place" "$SCRATCH/e"
check "a linked submission.json is refused" grep -q "M1NKS-00002: 'submission.json' is not part of a submission (a link: refused): left in place" "$SCRATCH/e"
check "folders with links stay in ready/" test -L "$SL/ready/M1NKS-00001/files/1" -a -L "$SL/ready/M1NKS-00002/submission.json"
check "the good one is still bundled" bash -c "unzip -Z1 '$SCRATCH/lo/$BID.zip' | grep -qx submissions/K7QXM-3PD9R/files/1"
check "the link's target is not in the bundle" bash -c "! unzip -p '$SCRATCH/lo/$BID.zip' | grep -q secret"

# --- other broken folders: wrong id, wrong checksum, stray files ---
SB=$SCRATCH/bad
mkdir -p "$SB/ready"
submission "$SB" AAAAA-11111 "x"
sed -i 's/"id":"AAAAA-11111"/"id":"AAAAA-22222"/' "$SB/ready/AAAAA-11111/submission.json"
submission "$SB" AAAAA-33333 "original"
printf 'changed!' >"$SB/ready/AAAAA-33333/files/1"
submission "$SB" AAAAA-44444
echo stray >"$SB/ready/AAAAA-44444/notes.txt"
mkdir -p "$SB/ready/not-an-id"
submission "$SB" AAAAA-55555
printf '\xff\xfe' >>"$SB/ready/AAAAA-55555/submission.json"
$IN bundle --spool "$SB" --out "$SCRATCH/bo" --now $NOW >"$SCRATCH/o" 2>"$SCRATCH/e"
rc=$?
check "only broken folders: exit 1" test $rc -eq 1
check "only broken folders: nothing to bundle" grep -qx "intake: nothing to bundle" "$SCRATCH/o"
check "only broken folders: no bundle" test ! -e "$SCRATCH/bo/$BID.zip"
check "an id that differs from the folder is reported" grep -q 'AAAAA-11111/submission.json: "id" does not match' "$SCRATCH/e"
check "a changed attachment is reported" grep -q "AAAAA-33333/submission.json: files/1: sha256 differs" "$SCRATCH/e"
check "a stray file is reported" grep -q "AAAAA-44444: 'notes.txt' is not part of a submission" "$SCRATCH/e"
check "a folder not named like an ID is reported" grep -q "not-an-id: not a submission's folder" "$SCRATCH/e"
check "bad UTF-8 is reported with its place" grep -q "AAAAA-55555/submission.json:2:1: not valid UTF-8" "$SCRATCH/e"
check "all five stay in ready/" test "$(ls "$SB/ready" | wc -l)" -eq 5

# --- a file above 64 MiB is refused (a sparse file: nothing is read) ---
SC=$SCRATCH/cap
mkdir -p "$SC/ready"
submission "$SC" K7QXM-3PD9R "small"
submission "$SC" AAAAA-66666 "will grow"
truncate -s $((64 * 1024 * 1024 + 1)) "$SC/ready/AAAAA-66666/files/1"
$IN bundle --spool "$SC" --out "$SCRATCH/co" --now $NOW >"$SCRATCH/o" 2>"$SCRATCH/e"
rc=$?
check "a file above 64 MiB: exit 1" test $rc -eq 1
check "a file above 64 MiB is reported" grep -q "AAAAA-66666/files/1: larger than 64 MiB: left in place" "$SCRATCH/e"
check "a file above 64 MiB stays in ready/" test -f "$SC/ready/AAAAA-66666/files/1"
check "the rest is bundled" grep -q ": 1 submission, 1 file, " "$SCRATCH/o"

# --- a bundle of the same name is never overwritten ---
SE=$SCRATCH/exists
mkdir -p "$SE/ready" "$SCRATCH/eo"
submission "$SE" K7QXM-3PD9R "x"
echo "an earlier bundle" >"$SCRATCH/eo/$BID.zip"
$IN bundle --spool "$SE" --out "$SCRATCH/eo" --now $NOW >"$SCRATCH/o" 2>"$SCRATCH/e"
rc=$?
check "an existing bundle name: exit 3" test $rc -eq 3
check "an existing bundle name is reported" grep -q "$BID.zip: already exists" "$SCRATCH/e"
check "an existing bundle is left alone" grep -qx "an earlier bundle" "$SCRATCH/eo/$BID.zip"
check "its submissions stay in ready/" test -f "$SE/ready/K7QXM-3PD9R/submission.json"

# --- the lock: a second run while one holds it exits 3 ---
# The subshell becomes the sleep that holds the lock, so killing it frees it.
(
	exec 9>"$SE/.bundle.lock"
	flock 9 && exec sleep 30
) &
holder=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do
	flock -n "$SE/.bundle.lock" true 2>/dev/null || break
	sleep 0.1
done
$IN bundle --spool "$SE" --out "$SCRATCH/lk" --now $NOW >"$SCRATCH/o" 2>"$SCRATCH/e"
rc=$?
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
check "a held lock: exit 3" test $rc -eq 3
check "a held lock is reported" grep -q "another intake bundle is running" "$SCRATCH/e"
check "a held lock: nothing written" test ! -e "$SCRATCH/lk/$BID.zip"
check "the lock file is private" test "$(stat -c %a "$SE/.bundle.lock")" = 600

# --- a leftover temporary from an interrupted run is removed ---
SLO=$SCRATCH/left
mkdir -p "$SLO/ready" "$SCRATCH/leo"
submission "$SLO" K7QXM-3PD9R "x"
echo partial >"$SCRATCH/leo/.bundle-20261121T073000Z-web.zip.tmp"
echo partial >"$SCRATCH/leo/.bundle-20261121T073000Z-web.zip.tmp.Ab12Cd"
# A run killed while writing its journal leaves the journal's temporary.
echo partial >"$SLO/..bundle.journal.Xy34Zw"
$IN bundle --spool "$SLO" --out "$SCRATCH/leo" --now $NOW >"$SCRATCH/o" 2>"$SCRATCH/e"
rc=$?
check "leftovers: the run succeeds" test $rc -eq 0
check "leftover temporaries are removed" test "$(ls -A "$SCRATCH/leo")" = "$BID.zip"
check "a leftover journal temporary is removed" test ! -e "$SLO/..bundle.journal.Xy34Zw"

# --- the journal: a run that stopped after naming its bundle is finished
# (its submissions move, none is bundled twice); one that stopped before
# is undone (its submissions are bundled again) ---
JB=bundle-20261121T073000Z-web
# journal_run SPOOL OUT FILE TEXT: a spool holding K7QXM-3PD9R (and the
# submissions already made in it) whose journal names bundle $JB in OUT,
# OUT/FILE holding TEXT; then intake bundle, its exit code in rc.
journal_run() {
	mkdir -p "$1/ready" "$2"
	submission "$1" K7QXM-3PD9R "x"
	echo "$4" >"$2/$3"
	printf 'threecs-bundle-journal/1\n%s\n%s\n%s\nK7QXM-3PD9R\n' \
		"$2/.$JB.zip.tmp" "$2/$JB.zip" "$JB" >"$1/.bundle.journal"
	$IN bundle --spool "$1" --out "$2" --now $NOW >"$SCRATCH/o" 2>"$SCRATCH/e"
	rc=$?
}
SJ=$SCRATCH/journal
mkdir -p "$SJ/ready"
submission "$SJ" A1B2C-3D4E5
journal_run "$SJ" "$SCRATCH/jo" "$JB.zip" "the named bundle"
check "journal: the run succeeds" test $rc -eq 0
check "journal: the interrupted move is finished" test -f "$SJ/bundled/$JB/K7QXM-3PD9R/submission.json"
check "journal: says so" grep -q "finished moving 1 submissions of .*$JB.zip" "$SCRATCH/e"
check "journal: that submission is not bundled twice" bash -c "! unzip -Z1 '$SCRATCH/jo/$BID.zip' | grep -q K7QXM-3PD9R"
check "journal: the other is bundled" bash -c "unzip -Z1 '$SCRATCH/jo/$BID.zip' | grep -q A1B2C-3D4E5"
check "journal: removed" test ! -e "$SJ/.bundle.journal"

journal_run "$SCRATCH/journal2" "$SCRATCH/jo2" ".$JB.zip.tmp" "half written"
check "unnamed bundle: the run succeeds" test $rc -eq 0
check "unnamed bundle: its submission is bundled now" bash -c "unzip -Z1 '$SCRATCH/jo2/$BID.zip' | grep -q K7QXM-3PD9R"
check "unnamed bundle: its temporary is gone" test ! -e "$SCRATCH/jo2/.$JB.zip.tmp"
# A recovery stopped after removing the temporary, before the journal:
# neither the temporary nor the bundle is there. Its submissions were never
# bundled, so they stay in ready/ and go into this run's bundle.
journal_run "$SCRATCH/journal3" "$SCRATCH/jo3" "unrelated.txt" "not a bundle"
check "neither temporary nor bundle: the run succeeds" test $rc -eq 0
check "neither temporary nor bundle: its submission is bundled now" bash -c "unzip -Z1 '$SCRATCH/jo3/$BID.zip' | grep -q K7QXM-3PD9R"
check "neither temporary nor bundle: nothing moved under a bundle that does not exist" test ! -e "$SCRATCH/journal3/bundled/$JB"

# --- usage and environment errors ---
$IN bundle --spool "$SE" --out "$SCRATCH/u" --source 'Web!' >/dev/null 2>&1
check "a bad --source: exit 2" test $? -eq 2
$IN bundle --spool "$SE" --out "$SCRATCH/u" --now 2026-02-30T00:00:00Z >/dev/null 2>&1
check "a bad --now: exit 2" test $? -eq 2
$IN bundle --spool "$SCRATCH/no-such-spool" --out "$SCRATCH/u" --now $NOW >/dev/null 2>&1
check "a missing spool: exit 3" test $? -eq 3
$IN bundle --spool "$SE" --out "$SCRATCH/src" --source intake-2 --now $NOW >/dev/null 2>&1
check "--source names the bundle" test -f "$SCRATCH/src/bundle-20261122T073000Z-intake-2.zip"

finish "bundle e2e"
