#!/usr/bin/env bash
# End-to-end tests of casework quarantine: list, show, release and reject,
# a submission ingested later from a corrected bundle, the daily report's
# list of what waits, and text from a bundle kept off the terminal.
#
# The submissions are quarantined by a stricter copy of the council's
# complaint form (a full name of at most 5 characters), then released
# under the real one, as when a form's limit is found to be wrong.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

S=$SCRATCH
D=$S/data
STRICT=$S/forms
mkdir -p "$STRICT"
cp content/forms/*.yml "$STRICT/"
python3 - "$STRICT/complaint.yml" <<'EOF'
import sys
p = sys.argv[1]
t = open(p).read()
k = t.index("max_length: 200")  # the full name's
open(p, "w").write(t[:k] + "max_length: 5" + t[k + len("max_length: 200"):])
EOF
cw_strict() { "$CW" --rules content/rules.yml --forms "$STRICT" --data "$D" --today 2026-12-24 "$@"; }
cwq() { cw --data "$D" --today 2026-12-24 "$@"; }

# A program named evidence.pdf, declared a PDF.
LIAR="
data = b'MZ\\x90\\x01\\x03\\x02\\x04\\xffPE\\x01'
os.makedirs(d + '/files', exist_ok=True)
open(d + '/files/1', 'wb').write(data)
j = json.load(open(d + '/submission.json'))
j['attachments'] = [{'field': 'files', 'name': 'evidence.pdf', 'type': 'application/pdf', 'size': len(data), 'sha256': hashlib.sha256(data).hexdigest(), 'path': 'files/1'}]
json.dump(j, open(d + '/submission.json', 'w'))"
# A field whose name carries an escape sequence for the terminal.
EVIL="
j = json.load(open(d + '/submission.json'))
j['fields']['\\x1b[31mevil'] = 'x'
json.dump(j, open(d + '/submission.json', 'w'))"

rm -rf "$S/subs"
complaint QRLSE-00001 2026-12-23T10:00:00Z bins
complaint QRJCT-00002 2026-12-23T11:00:00Z bins
complaint QCORR-00003 2026-12-23T12:00:00Z bins
complaint QLIAR-00004 2026-12-23T13:00:00Z bins '{}' "$LIAR"
complaint QMOVD-00005 2026-12-23T14:00:00Z bins
complaint QXEVL-00006 2026-12-23T15:00:00Z bins '{}' "$EVIL"
python3 $MK "$S/bundle-q1.zip" "$S"/subs/*
out=$(cw_strict ingest "$S/bundle-q1.zip" 2>&1)
rc=$?
if [ $rc -eq 1 ] && echo "$out" | grep -q "total: 6 read: 0 cases, 0 records, 0 stage 2 escalations, 0 signposted, 6 quarantined"; then
	ok "all six quarantined under the strict form"
else not_ok "all six quarantined under the strict form" "rc=$rc $out"; fi

# ------------------------------------------------------------ list, show
out=$(cwq quarantine list 2>&1)
[ "$(echo "$out" | grep -c ' waiting ')" = 6 ] && echo "$out" | head -1 | grep -q "^SINCE *STATUS *SUBMISSION" &&
	echo "$out" | grep -q "^2026-12-24  waiting   bundle-q1/QRLSE-00001 .*field 'full_name'" &&
	ok "list: what waits, since when and why" || not_ok "list: what waits, since when and why" "$out"
out=$(cwq quarantine show QXEVL-00006 2>&1; cwq quarantine list 2>&1)
if printf '%s' "$out" | grep -q $'\x1b'; then not_ok "show, list: no escape sequence from a bundle reaches the terminal"; else
	echo "$out" | grep -q "field '?\[31mevil' is not in form" &&
		ok "show, list: no escape sequence from a bundle reaches the terminal" ||
		not_ok "show, list: no escape sequence from a bundle reaches the terminal" "$out"
fi
if grep -q $'\x1b' "$D/quarantine/bundle-q1/QXEVL-00006/reason.txt"; then not_ok "reason.txt holds no escape sequence either"; else
	grep -q "field '?\[31mevil' is not in form" "$D/quarantine/bundle-q1/QXEVL-00006/reason.txt" && ok "reason.txt holds no escape sequence either" ||
		not_ok "reason.txt holds no escape sequence either" "$(cat "$D/quarantine/bundle-q1/QXEVL-00006/reason.txt")"
fi
n=$(cwq quarantine list --json | python3 -c 'import json,sys; v=json.load(sys.stdin); print(len(v), sorted(set(x["status"] for x in v)))')
[ "$n" = "6 ['waiting']" ] && ok "list --json" || not_ok "list --json" "$n"
out=$(cwq quarantine show QLIAR-00004 2>&1)
echo "$out" | grep -q "field 'full_name'" && echo "$out" | grep -q "attachment 'files/1' is none of the kinds accepted by its content, not 'application/pdf' as declared" &&
	echo "$out" | grep -q "files/1  11 bytes, none of the kinds accepted by its content" &&
	ok "show: every reason, and the files held by their content" || not_ok "show: every reason, and the files held by their content" "$out"
out=$(cwq quarantine show NOTAN-ID 2>&1)
[ $? -eq 2 ] && ok "show: a key that is no ID is a usage error" || not_ok "show: a key that is no ID is a usage error" "$out"

# ---------------------------------------------------------------- release
out=$(cwq quarantine release QRLSE-00001 2>&1)
[ $? -eq 2 ] && echo "$out" | grep -q "give --reason" && ok "release needs --reason" || not_ok "release needs --reason" "$out"
out=$(cw_strict quarantine release QRLSE-00001 --reason "try" 2>&1)
rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "still fails its checks; nothing was changed" && [ -d "$D/quarantine/bundle-q1/QRLSE-00001" ] &&
	[ "$(cwq quarantine list --json | python3 -c 'import json,sys; print([x["status"] for x in json.load(sys.stdin) if x["submission"]=="QRLSE-00001"])')" = "['waiting']" ] &&
	ok "release re-checks: still failing, nothing changes" || not_ok "release re-checks: still failing, nothing changes" "rc=$rc $out"
out=$(cwq quarantine release QRLSE-00001 --reason "the name limit was wrong" --by "Sue Barnes" 2>&1)
rc=$?
REF=$(echo "$out" | sed -n 's/^released bundle-q1\/QRLSE-00001 as \(CMP-2026-[0-9]*\) (case)$/\1/p')
[ $rc -eq 0 ] && [ -n "$REF" ] && ok "release admits it as a case" || not_ok "release admits it as a case" "rc=$rc $out"
[ -d "$D/store/QRLSE-00001" ] && [ ! -e "$D/quarantine/bundle-q1/QRLSE-00001" ] && ok "release moves the files to store/" || not_ok "release moves the files to store/"
got=$(cwq show "$REF" --json 2>&1 | python3 -c 'import json,sys; c=json.load(sys.stdin); print(c["received"], c["deadlines"]["acknowledge"])' 2>&1)
# Received Wednesday 23 December 2026, acknowledged within 5 working days:
# 24, 29, 30 and 31 December (25 and 28 December are bank holidays) and
# Monday 4 January 2027 (1 January is one), whatever day it was released.
[ "$got" = "2026-12-23T10:00:00Z 2027-01-04" ] && ok "a released case keeps the time the resident sent it, and its deadlines" || not_ok "a released case keeps the time the resident sent it, and its deadlines" "$got"
got=$(cwq quarantine show QRLSE-00001 --json | python3 -c 'import json,sys; q=json.load(sys.stdin); print(q["status"], q["decided_by"], q["decision"], q["reference"])')
[ "$got" = "released Sue Barnes the name limit was wrong $REF" ] && ok "release records who, why and the case" || not_ok "release records who, why and the case" "$got"
out=$(cwq quarantine release QRLSE-00001 --reason again 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q "decided already" && ok "a release is not done twice" || not_ok "a release is not done twice" "$out"
out=$(cwq quarantine release QLIAR-00004 --reason "looks fine" 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q "attachment 'files/1' is none of the kinds accepted by its content" && [ -d "$D/quarantine/bundle-q1/QLIAR-00004" ] &&
	ok "a file lying about its type is never released" || not_ok "a file lying about its type is never released" "$out"
# A release stopped after its files moved: the next one finishes it.
mv "$D/quarantine/bundle-q1/QMOVD-00005" "$D/store/QMOVD-00005"
out=$(cwq quarantine release QMOVD-00005 --reason "limit" 2>&1)
[ $? -eq 0 ] && echo "$out" | grep -q "^released bundle-q1/QMOVD-00005 as CMP-2026-" && ok "a release stopped after the move is finished by the next" || not_ok "a release stopped after the move is finished by the next" "$out"

# ----------------------------------------------------------------- reject
out=$(cwq quarantine reject QRJCT-00002 --reason "sent again by post" --by "Sue Barnes" 2>&1)
[ $? -eq 0 ] && [ ! -e "$D/quarantine/bundle-q1/QRJCT-00002" ] && ok "reject removes the files" || not_ok "reject removes the files" "$out"
got=$(cwq quarantine list --all --json | python3 -c 'import json,sys; print([(x["status"], x["decision"]) for x in json.load(sys.stdin) if x["submission"]=="QRJCT-00002"])')
[ "$got" = "[('rejected', 'sent again by post')]" ] && ok "reject keeps the record" || not_ok "reject keeps the record" "$got"
cwq list | grep -q "QRJCT" && not_ok "a rejected submission makes no case" || ok "a rejected submission makes no case"
got=$(sqlite3 "$D/register.db" "SELECT action, json_extract(detail, '$.by') FROM audit WHERE action LIKE 'quarantine%' ORDER BY id")
[ "$got" = "$(printf 'quarantine release|Sue Barnes\nquarantine release|root\nquarantine reject|Sue Barnes')" ] || [ "$got" = "$(printf 'quarantine release|Sue Barnes\nquarantine release|%s\nquarantine reject|Sue Barnes' "$(id -un)")" ] &&
	ok "each decision is in the audit log, with who" || not_ok "each decision is in the audit log, with who" "$got"

# -------------------------------------------- a corrected bundle, ambiguity
rm -rf "$S/subs"
complaint QCORR-00003 2026-12-23T12:00:00Z bins
python3 $MK "$S/bundle-q2.zip" "$S"/subs/*
out=$(cwq ingest "$S/bundle-q2.zip" 2>&1)
got=$(cwq quarantine list --all --json | python3 -c 'import json,sys; print([(x["status"], x["decision"], x["reference"][:9]) for x in json.load(sys.stdin) if x["submission"]=="QCORR-00003"])')
[ "$got" = "[('released', 'ingested from bundle bundle-q2', 'CMP-2026-')]" ] && ok "a submission ingested from a corrected bundle no longer waits" || not_ok "a submission ingested from a corrected bundle no longer waits" "$got $out"
[ ! -e "$D/quarantine/bundle-q1/QCORR-00003" ] && [ -f "$D/store/QCORR-00003/submission.json" ] &&
	ok "... and leaves nothing in quarantine/" || not_ok "... and leaves nothing in quarantine/"
rm -rf "$S/subs"
complaint QLIAR-00004 2026-12-23T13:00:00Z bins '{}' "$LIAR"
python3 $MK "$S/bundle-q3.zip" "$S"/subs/*
cwq ingest "$S/bundle-q3.zip" >/dev/null 2>&1
out=$(cwq quarantine show QLIAR-00004 2>&1)
[ $? -eq 2 ] && echo "$out" | grep -q "bundle-q1/QLIAR-00004" && echo "$out" | grep -q "bundle-q3/QLIAR-00004" &&
	ok "an ID waiting from two bundles asks for BUNDLE/ID" || not_ok "an ID waiting from two bundles asks for BUNDLE/ID" "$out"
cwq quarantine show bundle-q3/QLIAR-00004 >/dev/null 2>&1 && ok "BUNDLE/ID picks one" || not_ok "BUNDLE/ID picks one"
# The same submission quarantined from two bundles: one rejected, the other
# released by its ID alone, which names the one it released.
for q in q4 q5; do
	rm -rf "$S/subs"
	complaint QTWO1-00007 2026-12-23T16:00:00Z bins
	python3 $MK "$S/bundle-$q.zip" "$S"/subs/*
	cw_strict ingest "$S/bundle-$q.zip" >/dev/null 2>&1
done
cwq quarantine reject bundle-q5/QTWO1-00007 --reason "sent twice" >/dev/null 2>&1
out=$(cwq quarantine release QTWO1-00007 --reason "limit" 2>&1)
[ $? -eq 0 ] && echo "$out" | grep -q "^released bundle-q4/QTWO1-00007 as CMP-2026-[0-9]* (case)$" &&
	ok "a release by ID names the bundle it released from" || not_ok "a release by ID names the bundle it released from" "$out"

# ------------------------------------------------------- the daily report
cwq report >/dev/null 2>&1
R=$D/reports/2026-12-24.html
grep -q "Waiting in quarantine" "$R" && grep -q "QLIAR-00004" "$R" && grep -q "QXEVL-00006" "$R" &&
	! grep -q "QRJCT-00002" "$R" && ! grep -q "QRLSE-00001</td>" "$R" &&
	ok "the daily report lists what waits, not what was decided" || not_ok "the daily report lists what waits, not what was decided" "$(grep -o 'Q[A-Z]*-0000[0-9]' "$R" | sort -u | tr '\n' ' ')"

finish "quarantine e2e"
