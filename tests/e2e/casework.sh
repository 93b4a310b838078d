#!/usr/bin/env bash
# End-to-end tests of casework: deadlines (weekends, end of day, British
# Summer Time, Christmas 2026, Easter 2027, the children's procedure), each
# flag, record, hostile bundles, idempotence, determinism and the crash
# test. Bundles are built with tests/data/bundles/mkbundle.py.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

S=$SCRATCH

# The crash tests need the test hooks (CASEWORK_TEST_*), built in only with
# TC_TEST_HOOKS: the sanitizer build has them, and build/hooks/ otherwise.
CWH=${CASEWORK_HOOKS:-${CASEWORK:-build/hooks/bin/casework}}
[ -n "${CASEWORK_HOOKS:-${CASEWORK:-}}" ] || make --no-print-directory -s "$CWH" >/dev/null
cwh() { "$CWH" --rules content/rules.yml --forms content/forms "$@"; }


field() { # pack-zip json-path (python expression on case.json as c)
	unzip -p "$1" case.json | python3 -c "import json,sys; c=json.load(sys.stdin); print($2)"
}

# ---------------------------------------------------------------- deadlines
rm -rf "$S/subs"
complaint XMAS1-00001 2026-12-23T10:00:00Z bins
complaint WKEND-00002 2026-11-21T11:00:00Z bins
complaint FR1LT-00003 2026-11-20T17:30:00Z roads
complaint FR1EA-00004 2026-11-20T16:59:00Z parks
complaint BST17-00005 2026-06-05T16:30:00Z libraries '{"when_happened": "2026-05-01"}'
complaint EASTR-00006 2027-03-25T10:00:00Z council-tax '{"when_happened": "2027-03-01"}'
complaint CH1LD-00007 2026-11-23T10:00:00Z childrens-social-care
# bundle_ingest ZIP DATA TODAY RC "WHAT RC MEANS" TOTAL "WHAT TOTAL MEANS":
# bundles $S/subs into ZIP, ingests it into DATA (D), checks the exit code
# and that the total line starts with TOTAL; the output stays in $out.
bundle_ingest() {
	python3 $MK "$1" "$S"/subs/*
	D=$2
	out=$(cw --data "$D" --today "$3" ingest "$1" 2>&1)
	rc=$?
	[ $rc -eq "$4" ] && ok "$5" || not_ok "$5" "$out"
	echo "$out" | grep -q "total: $6" && ok "$7" || not_ok "$7" "$out"
}
bundle_ingest "$S/b1.zip" "$S/d1" 2027-03-26 0 "ingest of a clean bundle exits 0" \
	"7 read: 7 cases, 0 records, 0 stage 2 escalations, 0 signposted, 0 quarantined, 0 already ingested" \
	"counts add up"

deadline() { # desc sub ack respond
	local ref pack a r
	ref=$(ref_of "$2")
	pack="$D/casepacks/$ref.zip"
	a=$(field "$pack" "c['deadlines']['acknowledge']")
	r=$(field "$pack" "c['deadlines']['respond']")
	if [ "$a" = "$3" ] && [ "$r" = "$4" ]; then ok "$1"; else not_ok "$1" "got $a / $r, want $3 / $4"; fi
}
deadline "Christmas 2026: Wed 23 Dec -> ack Mon 4 Jan -> respond Mon 18 Jan" XMAS1-00001 2027-01-04 2027-01-18
deadline "received on a Saturday counts from Monday" WKEND-00002 2026-11-30 2026-12-14
deadline "after 17:00 on a Friday counts from Monday" FR1LT-00003 2026-11-30 2026-12-14
deadline "before 17:00 on a Friday counts from Friday" FR1EA-00004 2026-11-27 2026-12-11
deadline "16:30 UTC in June is 17:30 BST: next working day" BST17-00005 2026-06-15 2026-06-29
deadline "Easter 2027: Thu 25 Mar -> ack Mon 5 Apr -> respond Mon 19 Apr" EASTR-00006 2027-04-05 2027-04-19
deadline "children's procedure: respond 10 WD from receipt" CH1LD-00007 2026-11-26 2026-12-07
[ "$(field "$D/casepacks/$(ref_of XMAS1-00001).zip" "c['received_date']")" = 2026-12-23 ] &&
	ok "received_date is the local date" || not_ok "received_date is the local date"
[ "$(ref_of EASTR-00006)" = CMP-2027-000001 ] && [ "$(ref_of XMAS1-00001)" = CMP-2026-000006 ] &&
	ok "references are numbered per year" || not_ok "references are numbered per year" "$(ref_of EASTR-00006) $(ref_of XMAS1-00001)"

# Permissions: personal data is private.
perm_ok=1
[ "$(stat -c %a "$D")" = 700 ] || perm_ok=0
[ "$(stat -c %a "$D/casepacks")" = 700 ] || perm_ok=0
[ "$(stat -c %a "$D/register.db")" = 600 ] || perm_ok=0
for f in "$D"/casepacks/*.zip "$D"/reports/*; do [ "$(stat -c %a "$f")" = 600 ] || perm_ok=0; done
[ $perm_ok = 1 ] && ok "folders 0700, files 0600" || not_ok "folders 0700, files 0600"

# Every pack is whole and its SHA256SUMS right.
packs_ok=1
for p in "$D"/casepacks/*.zip; do
	x=$S/unz
	rm -rf "$x"
	mkdir -p "$x"
	(cd "$x" && unzip -q "$p" && sha256sum --quiet -c SHA256SUMS && [ -f index.html ] && [ -f case.json ] && [ -f submission.json ]) || packs_ok=0
done
[ $packs_ok = 1 ] && ok "packs hold index.html, case.json, submission.json and a correct SHA256SUMS" || not_ok "packs are whole"
grep -q 'lang="en-GB"' "$x/index.html" && [ "$(grep -c '<h1' "$x/index.html")" = 1 ] &&
	ok "cover sheet: lang en-GB and one h1" || not_ok "cover sheet: lang en-GB and one h1"

# ------------------------------------------------------------------- record
R=$(ref_of XMAS1-00001)
cw --data "$D" --today 2026-12-24 record "$R" acknowledged --date 2026-12-24 >/dev/null 2>&1
[ "$(field "$D/casepacks/$R.zip" "c['deadlines']['respond']")" = 2027-01-12 ] &&
	ok "record acknowledged: respond 10 WD from the recorded date" ||
	not_ok "record acknowledged: respond 10 WD from the recorded date" "$(field "$D/casepacks/$R.zip" "c['deadlines']")"
cw --data "$D" --today 2026-12-24 record "$R" extended --days 11 --reason "waiting for a contractor" >/dev/null 2>&1
[ $? -eq 1 ] && ok "an extension beyond the maximum is refused" || not_ok "an extension beyond the maximum is refused"
cw --data "$D" --today 2026-12-24 record "$R" extended --days 5 --reason "waiting for a contractor" >/dev/null 2>&1
[ "$(field "$D/casepacks/$R.zip" "c['deadlines']['respond']")" = 2027-01-19 ] &&
	ok "extended by 5 WD" || not_ok "extended by 5 WD" "$(field "$D/casepacks/$R.zip" "c['deadlines']")"
cw --data "$D" --today 2026-12-24 record "$R" extended --days 2 --reason again >/dev/null 2>&1
[ $? -eq 1 ] && ok "a second extension is refused" || not_ok "a second extension is refused"
n=$(sqlite3 "$D/register.db" "select count(*) from events where case_id=(select id from cases where reference='$R')")
[ "$n" = 3 ] && ok "history: received, acknowledged, extended" || not_ok "history has 3 events" "$n"
sqlite3 "$D/register.db" "delete from events" >/dev/null 2>&1 && not_ok "the history is append-only" || ok "the history is append-only"
cw --data "$D" show "$R" --json --today 2026-12-24 | python3 -c 'import json,sys; json.load(sys.stdin)' &&
	ok "show --json prints JSON" || not_ok "show --json prints JSON"
cw --data "$D" list --overdue --today 2027-01-06 | grep -q "$(ref_of WKEND-00002)" &&
	ok "list --overdue" || not_ok "list --overdue"
cw --data "$D" --today 2027-01-06 report >/dev/null 2>&1
grep -q '"overdue","CMP-2026-000001"' "$D/reports/2027-01-06.csv" &&
	ok "report lists overdue items" || not_ok "report lists overdue items" "$(cat "$D/reports/2027-01-06.csv")"
cw --data "$D" show NOPE-2026-000001 >/dev/null 2>&1
[ $? -eq 1 ] && ok "show of an unknown reference exits 1" || not_ok "show of an unknown reference exits 1"
"$CW" ingest >/dev/null 2>&1
[ $? -eq 2 ] && ok "usage errors exit 2" || not_ok "usage errors exit 2"

# -------------------------------------------------------------------- flags
rm -rf "$S/subs"
D=$S/d2
complaint FLAG0-00001 2026-11-02T10:00:00Z parking '{"email": "pat@example.org"}'
python3 $MK "$S/f0.zip" "$S"/subs/*
cw --data "$D" --today 2026-11-02 ingest "$S/f0.zip" >/dev/null 2>&1
FIRST=$(ref_of FLAG0-00001)
cw --data "$D" --today 2026-11-10 record "$FIRST" acknowledged --date 2026-11-03 >/dev/null
cw --data "$D" --today 2026-11-10 record "$FIRST" responded --date 2026-11-10 >/dev/null
cw --data "$D" --today 2026-11-10 record "$FIRST" restricted --reason "abusive calls" --contact "J. Officer" >/dev/null
before_s2=$(field "$D/casepacks/$FIRST.zip" "'restricted_contact' in c['flags'], c['team']")
rm -rf "$S/subs"
complaint FLAG1-00001 2026-12-23T10:00:00Z bins '{"full_name": "", "email": "", "phone": ""}'
complaint FLAG2-00002 2026-12-23T10:00:00Z bins '{"when_happened": "2025-06-01"}'
complaint FLAG3-00003 2026-12-23T10:00:00Z bins '{"on_behalf": "yes", "person_name": "Kim", "relationship": "friend"}'
complaint FLAG4-00004 2026-12-23T10:00:00Z parking '{"email": "pat@example.org"}'
complaint FLAG5-00005 2026-12-23T10:00:00Z bins '{"email": "dup@example.org"}'
complaint FLAG6-00006 2026-12-24T10:00:00Z bins '{"email": "dup@example.org"}'
complaint FLAG7-00007 2026-12-23T10:00:00Z parking '{"what_happened": "I got a Penalty Charge\\nNotice while loading."}'
complaint FLAG8-00008 2026-12-23T10:00:00Z bins '{"adjustments": "Large print, please."}'
PYCODE="
mb.sub(P, 'FLAG9-00009', 'review', '2026-12-23T10:00:00Z', {'case_reference': 'CMP-2026-999999', 'full_name': 'A', 'email': 'a@example.org', 'why_unhappy': 'No answer.', 'outcome_sought': 'An answer.'})
mb.sub(P, 'FLAGA-00010', 'review', '2026-12-23T10:00:00Z', {'case_reference': '$FIRST', 'full_name': 'Pat', 'email': 'pat@example.org', 'why_unhappy': 'Still wrong.', 'outcome_sought': 'Refund.'})
mb.sub(P, 'FLAGB-00011', 'complaint', '2026-12-23T10:00:00Z', {'contact_method': 'email', 'on_behalf': 'no', 'service_area': 'licensing', 'what_happened': 'Noise.', 'when_happened': '2026-12-01', 'impact': 'No sleep.', 'outcome_sought': 'Stop it.', 'raised_before': 'no', 'full_name': 'Lee', 'email': 'lee@example.org'})
mb.sub(P, 'FLAGC-00012', 'feedback', '2026-12-23T10:00:00Z', {'feedback_type': 'comment', 'service_area': 'parks', 'message': 'More benches please.'})
mb.sub(P, 'FLAGD-00013', 'feedback', '2026-12-23T10:00:00Z', {'feedback_type': 'compliment', 'service_area': 'parks', 'message': 'Lovely flowers.', 'full_name': 'Jo', 'email': 'jo@example.org', 'reply_wanted': 'yes'})
mb.sub(P, 'FLAGE-00014', 'feedback', '2026-12-23T10:00:00Z', {'feedback_type': 'compliment', 'service_area': 'parks', 'message': 'Lovely trees.', 'reply_wanted': 'no'})
" py
python3 $MK "$S/f1.zip" "$S"/subs/*
out=$(cw --data "$D" --today 2026-12-24 ingest "$S/f1.zip" 2>&1)
echo "$out" | grep -q "total: 14 read: 8 cases, 4 records, 1 stage 2 escalations, 1 signposted, 0 quarantined, 0 already ingested" &&
	ok "flag bundle: counts add up" || not_ok "flag bundle: counts add up" "$out"
has_flag() { # desc submission flag
	local ref
	ref=$(sqlite3 "$D/register.db" "select c.reference from submissions s join cases c on c.id=s.case_id where s.id='$2'")
	if field "$D/casepacks/$ref.zip" "'$3' in c['flags']" | grep -q True; then ok "$1"; else not_ok "$1" "$ref: $(field "$D/casepacks/$ref.zip" "c['flags']")"; fi
}
has_flag "flag anonymous" FLAG1-00001 anonymous
has_flag "flag late (older than 12 months)" FLAG2-00002 late
has_flag "flag third_party_without_consent" FLAG3-00003 third_party_without_consent
has_flag "flag restricted_contact" FLAG4-00004 restricted_contact
has_flag "flag possible_duplicate" FLAG6-00006 possible_duplicate
has_flag "flag possible_exclusion (phrase across a line break)" FLAG7-00007 possible_exclusion
has_flag "flag reasonable_adjustments" FLAG8-00008 reasonable_adjustments
has_flag "flag unmatched_review" FLAG9-00009 unmatched_review
has_flag "flag review_out_of_time" FLAGA-00010 review_out_of_time
field "$D/casepacks/$FIRST.zip" "c['stage']" | grep -qx 2 && ok "review escalates the case to stage 2" || not_ok "review escalates the case to stage 2"
after_s2=$(field "$D/casepacks/$FIRST.zip" "'restricted_contact' in c['flags'], c['team']")
python3 - "$D/casepacks/$FIRST.zip" <<'EOF' && ok "the cover sheet shows the stage 2 request in full after stage 1's" || not_ok "stage 2 request on the cover sheet" "$(unzip -p "$D/casepacks/$FIRST.zip" index.html | tail -40)"
import sys, zipfile
h = zipfile.ZipFile(sys.argv[1]).read("index.html").decode()
w1 = h.index('id="words"')
w2 = h.index("<h2 id=\"words-stage-2\">Stage 2 request")
assert w1 < w2, (w1, w2)
part = h[w2:h.index('id="attachments"')]
assert "FLAGA-00010" in part and "2026-12-23T10:00:00Z" in part, part
assert "<p>Still wrong.</p>" in part and "<p>Refund.</p>" in part, part
EOF
[ "$before_s2" = "False Parking Services" ] && [ "$after_s2" = "True J. Officer" ] &&
	ok "a stage 2 request from a restricted person is flagged and routed to the named contact" ||
	not_ok "restricted stage 2 request" "before: $before_s2 after: $after_s2"
has_flag_not() {
	local ref
	ref=$(sqlite3 "$D/register.db" "select c.reference from submissions s join cases c on c.id=s.case_id where s.id='$2'")
	if field "$D/casepacks/$ref.zip" "'$3' in c['flags']" | grep -q False; then ok "$1"; else not_ok "$1"; fi
}
has_flag_not "no possible_duplicate for the first of two" FLAG5-00005 possible_duplicate
has_flag_not "no anonymous flag with name and email" FLAG8-00008 anonymous
SG=$(ref_of FLAGB-00011)
case $SG in SGN-2026-*) ok "excluded service area is signposted";; *) not_ok "excluded service area is signposted" "$SG";; esac
unzip -l "$D/casepacks/$SG.zip" | grep -q letters/signposting.html && ok "signposting letter drafted" || not_ok "signposting letter drafted"
unzip -l "$D/casepacks/$(ref_of FLAG1-00001).zip" | grep -q letters/ && not_ok "no letter for an anonymous complaint" || ok "no letter for an anonymous complaint"
case $(ref_of FLAGC-00012) in COM-2026-*) ok "feedback comment is a COM record";; *) not_ok "feedback comment is a COM record";; esac
unzip -l "$D/casepacks/$(ref_of FLAGD-00013).zip" | grep -q letters/compliment-thanks.html &&
	! unzip -l "$D/casepacks/$(ref_of FLAGE-00014).zip" | grep -q letters/ &&
	ok "a thank-you letter only for a compliment that asked for a reply and gave an email" || not_ok "compliment letters"
# FIRST: stage 1 asked on Mon 2 Nov, stage 2 on Wed 23 Dec: a letter each,
# each saying when its own request came.
python3 - "$D/casepacks/$FIRST.zip" <<'EOF' && ok "stage 1 and stage 2 acknowledgements are kept apart, each dated by its own request" || not_ok "stage letters" "$(unzip -l "$D/casepacks/$FIRST.zip")"
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
one = z.read("letters/stage-1-acknowledgement.html").decode()
two = z.read("letters/stage-2-acknowledgement.html").decode()
assert "which we received on\n2 November 2026" in one and "<strong>stage 1</strong>" in one, one
assert "which we received on\n23 December 2026" in two and "<strong>stage 2</strong>" in two, two
assert "letters/acknowledgement.html" not in z.namelist()
EOF
unzip -p "$D/casepacks/$(ref_of FLAG7-00007).zip" index.html | grep -q "Penalty Charge" && ok "cover sheet shows the resident's words" || not_ok "cover sheet shows the resident's words"

# ---------------------------------------------------------------- letters
# The letterhead (content/site.yml) on every letter; the resident's name
# and address above the date only when they gave an address, escaped.
rm -rf "$S/subs"
D=$S/d7
complaint ADDR1-00001 2026-12-23T10:00:00Z bins '{"full_name": "Sam <b>Bold</b>", "address": "2 Low Road\\n\\n  <script>alert(1)</script> Town  ", "postcode": "NM1 2BB", "contact_method": "letter"}'
complaint ADDR2-00002 2026-12-23T10:00:00Z bins '{"full_name": "Ash Nohome"}'
python3 $MK "$S/l1.zip" "$S"/subs/*
cw --data "$D" --today 2026-12-24 ingest "$S/l1.zip" >/dev/null 2>&1
python3 - "$D/casepacks/$(ref_of ADDR1-00001).zip" "$D/casepacks/$(ref_of ADDR2-00002).zip" <<'EOF' && ok "letters: letterhead on each, address block only when given, escaped, above the date" || not_ok "letters: letterhead and address"
import sys, zipfile
a = zipfile.ZipFile(sys.argv[1]).read("letters/stage-1-acknowledgement.html").decode()
b = zipfile.ZipFile(sys.argv[2]).read("letters/stage-1-acknowledgement.html").decode()
head = '<p class="council">Northmere Borough Council</p>'
assert head in a and head in b, (a, b)
assert "<p>Telephone: 01632 960 000</p>" in a and "<p>Email: complaints@northmere.example</p>" in a, a
block = ('<address class="recipient">\nSam &lt;b&gt;Bold&lt;/b&gt;<br>\n2 Low Road<br>\n'
         '&lt;script&gt;alert(1)&lt;/script&gt; Town<br>\nNM1 2BB<br>\n</address>')
assert block in a, a
assert a.index(block) < a.index("<p>24 December 2026</p>"), a
assert "<script>" not in a and "<b>Bold" not in a, a
assert "<address" not in b, b
assert "@page{size:A4;" in a, a
# the team handling the case signs, not the complaints team
assert "<p>Yours sincerely,</p>\n<p>Waste and Recycling</p>" in a, a
EOF

# --------------------------------------------------------- hostile bundles
rm -rf "$S/subs"
complaint H0ST1-00001 2026-12-23T10:00:00Z bins
complaint H0ST2-00002 2026-12-23T10:00:00Z roads
# Strict JSON: a NUL escape, a raw control character and a key given twice
# are each refused, on a submission that is otherwise whole.
complaint BADNU-00008 2026-12-23T10:00:00Z bins
complaint BADCT-00009 2026-12-23T10:00:00Z bins
complaint BADDK-00010 2026-12-23T10:00:00Z bins
complaint BADTY-00011 2026-12-23T10:00:00Z bins
complaint BADTZ-00012 2026-12-23T10:00:00Z bins
PYCODE="
def spoil(sid, old, new):
    f = P + '/' + sid + '/submission.json'
    t = open(f, 'rb').read()
    assert old in t
    open(f, 'wb').write(t.replace(old, new, 1))
spoil('BADNU-00008', b'Something went wrong.', b'Something\\u0000 the officer must see')
spoil('BADCT-00009', b'Something went wrong.', b'Something\x01went wrong.')
spoil('BADDK-00010', b'{', b'{\"received\": \"2026-12-01T10:00:00Z\",')
# Types by content: a program named evidence.pdf and declared a PDF, and
# a text file declared a PNG, each quarantined; a true PDF goes through.
import hashlib
def attach(sid, name, typ, data):
    d = P + '/' + sid
    os.makedirs(d + '/files', exist_ok=True)
    open(d + '/files/1', 'wb').write(data)
    j = json.load(open(d + '/submission.json'))
    j['attachments'] = [{'field': 'files', 'name': name, 'type': typ, 'size': len(data), 'sha256': hashlib.sha256(data).hexdigest(), 'path': 'files/1'}]
    json.dump(j, open(d + '/submission.json', 'w'))
import os
attach('BADTY-00011', 'evidence.pdf', 'application/pdf', b'MZ\\x90\\x00\\x03\\x00\\x00\\x00\\x04\\x00PE')
attach('BADTZ-00012', 'photo.png', 'image/png', b'just some words\\n')
attach('H0ST1-00001', 'letter.pdf', 'application/pdf', b'%PDF-1.4\\n%\\xe2\\xe3\\n1 0 obj\\n')
mb.sub(P, 'BADJS-00003', 'complaint', '2026-12-23T10:00:00Z', {})
mb.sub(P, 'BADUT-00004', 'complaint', '2026-12-23T10:00:00Z', {})
mb.sub(P, 'BADFM-00005', 'nosuchform', '2026-12-23T10:00:00Z', {'x': 'y'})
mb.sub(P, 'BADSZ-00006', 'complaint', '2026-12-23T10:00:00Z', {'what_happened': __import__('os').urandom(1024 * 1024).hex()})
mb.sub(P, 'BADLN-00007', 'complaint', '2026-12-23T10:00:00Z', {'full_name': 'y' * 300, 'contact_method': 'email', 'on_behalf': 'no', 'service_area': 'bins', 'what_happened': 'a', 'when_happened': '2026-10-01', 'impact': 'b', 'outcome_sought': 'c', 'raised_before': 'yes'})
open(P + '/BADJS-00003/submission.json', 'w').write('{\"format\": \"threecs-submission/1\", \"id\": ')
open(P + '/BADUT-00004/submission.json', 'wb').write(b'{\"format\": \"threecs-submission/1\", \"id\": \"BADUT-00004\", \"x\": \"\\xff\\xfe\"}')
" py
bundle_ingest "$S/h.zip" "$S/d3" 2026-12-24 1 "quarantine exits 1" \
	"12 read: 2 cases, 0 records, 0 stage 2 escalations, 0 signposted, 10 quarantined" \
	"bad submissions quarantined, good ones processed"
qr() { # desc submission pattern
	if grep -q "$3" "$D"/quarantine/h/"$2"/reason.txt 2>/dev/null; then ok "$1"; else not_ok "$1" "$(cat "$D"/quarantine/h/"$2"/reason.txt 2>&1)"; fi
}
qr "invalid JSON named with line:col" BADJS-00003 "submission.json:1:.*not valid JSON"
qr "invalid UTF-8 named" BADUT-00004 "not valid UTF-8"
qr "a NUL escape refused, not cut" BADNU-00008 "submission.json:.*NUL character"
qr "a raw control character refused" BADCT-00009 "submission.json:.*control character"
qr "a key given twice refused, named" BADDK-00010 "submission.json:.*given twice.*'received'"
qr "a program declared a PDF is quarantined by its content" BADTY-00011 "attachment 'files/1' is none of the kinds accepted by its content, not 'application/pdf' as declared"
qr "text declared a PNG is quarantined by its content" BADTZ-00012 "attachment 'files/1' is text/plain by its content, not 'image/png' as declared"
qr "unknown form named" BADFM-00005 "unknown form 'nosuchform'"
qr "oversized submission refused" BADSZ-00006 "over the size limit"
qr "field over max_length names the field" BADLN-00007 "field 'full_name'"
[ "$(stat -c %a "$D/quarantine/h/BADJS-00003")" = 700 ] && ok "quarantine folders 0700" || not_ok "quarantine folders 0700"
if echo "$out" | grep -q "Test Person"; then not_ok "no personal data in messages"; else ok "no personal data in messages"; fi

rm -rf "$S/subs"
complaint H0ST1-00001 2026-12-23T10:00:00Z bins
complaint H0ST2-00002 2026-12-23T10:00:00Z roads
rm -f /tmp/casework-evil
hostile() { # kind expected-rc pattern
	local D=$S/hd-$1 out rc
	python3 $MK --hostile "$1" "$S/x-$1.zip" "$S"/subs/* 2>/dev/null
	out=$( (cd "$S" && "$OLDPWD/$CW" --rules "$OLDPWD/content/rules.yml" --forms "$OLDPWD/content/forms" --data "$D" --today 2026-12-24 ingest "$S/x-$1.zip") 2>&1)
	rc=$?
	if [ $rc -eq "$2" ] && echo "$out" | grep -q "$3"; then ok "hostile bundle: $1"; else not_ok "hostile bundle: $1" "rc=$rc $out"; fi
}
hostile zipslip 1 "evil.txt' is not in the manifest"
hostile zipslip-in-sub 1 "quarantined: entry .*unsafe path"
hostile absolute 1 "casework-evil' is not in the manifest"
hostile symlink 1 "is a symbolic link"
hostile duplicate 1 "two entries have the same name"
hostile bomb 1 "over the size limit"
hostile ratio 1 "zip bomb"
hostile truncated 1 "refused: not a readable zip"
hostile corrupt 1 "refused"
hostile lying-size 1 "not .* as the manifest says"
hostile lying-sha 1 "does not match its sha256"
hostile manifest-last 1 "first entry must be manifest.json"
hostile manifest-invalid 1 "manifest.json:1:.*not valid JSON"
hostile not-zip 1 "refused"
# The manifest against the entries, checked as the manifest is streamed:
# mani NAME 'python editing m (the manifest), e (entries) and extra'.
mani() {
	PYCODE="
import glob
e = mb._entries(glob.glob(P + '/*'))
m = mb.manifest_for(e, '$1')
extra = []
$2
mb.write('$S/$1.zip', e, manifest=m, extra=extra)" py
}
mcheck() { # name desc expected-rc pattern
	local out rc
	rm -rf "$S/md-$1"
	out=$(cw --data "$S/md-$1" --today 2026-12-24 ingest "$S/$1.zip" 2>&1)
	rc=$?
	if [ $rc -eq "$3" ] && echo "$out" | grep -q "$4"; then ok "$2"; else not_ok "$2" "rc=$rc $out"; fi
}
mani twice "m['submissions'].insert(1, m['submissions'][0]); m['count'] += 1"
mcheck twice "a submission listed twice: the bundle refused, with one message" 1 "twice: refused: manifest.json lists submission H0ST1-00001 twice or out of order"
mcheck twice "listed twice: nothing ingested" 1 "total: 0 read: 0 cases"
mani misorder "m['submissions'].reverse()"
mcheck misorder "submissions listed out of order: the bundle refused, not each quarantined" 1 "misorder: refused: manifest.json lists submission H0ST1-00001 twice or out of order"
[ "$(ls "$S/md-misorder/quarantine/misorder")" = reason.txt ] && ok "a refused bundle leaves one reason, no quarantined submission" || not_ok "a refused bundle leaves one reason, no quarantined submission" "$(ls -R "$S/md-misorder/quarantine")"
# Files the zip lacks: a few submissions are quarantined, many refuse it.
mani fewmissing "m['submissions'] += [{'id': 'ZZZZZ-0000%d' % i, 'files': [{'path': 'submissions/ZZZZZ-0000%d/submission.json' % i, 'size': 2, 'sha256': '0' * 64}]} for i in range(1, 3)]; m['count'] += 2"
mcheck fewmissing "a few submissions lacking files: each quarantined, named" 1 "ZZZZZ-00002: quarantined: file 'submissions/ZZZZZ-00002/submission.json' is missing from the zip"
mcheck fewmissing "a few lacking files: the rest ingested" 1 "total: 4 read: 2 cases, 0 records, 0 stage 2 escalations, 0 signposted, 2 quarantined"
mani manymissing "m['submissions'] += [{'id': 'ZZZZZ-%05d' % i, 'files': [{'path': 'submissions/ZZZZZ-%05d/submission.json' % i, 'size': 2, 'sha256': '0' * 64}]} for i in range(1, 5001)]; m['count'] += 5000"
mcheck manymissing "many submissions lacking files: the bundle refused with the count" 1 "manymissing: refused: the zip lacks files the manifest lists for 5000 submissions (the first: ZZZZZ-00001)"
[ "$(ls "$S/md-manymissing/quarantine/manymissing")" = reason.txt ] && ok "an incomplete bundle makes no quarantine folder per submission" || not_ok "an incomplete bundle makes no quarantine folder per submission"
# A bundle is known by its ID: a file named otherwise is refused.
cp "$S/misorder.zip" "$S/renamed.zip"
mani renamed "pass"
cp "$S/fewmissing.zip" "$S/renamed.zip"
mcheck renamed "a file not named by its bundle_id is refused" 1 "renamed: refused: the file's name is not its bundle_id and .zip: .* name the file fewmissing.zip"
mani badid "m['bundle_id'] = 'x\\u001b[31m'"
mcheck badid "a bundle_id of other characters is refused" 1 "badid: refused: manifest.json: 'bundle_id' must be the bundle's ID"
mani omitted "extra = [(mb._info('submissions/H0ST2-00002/files/1'), b'x')]"
mcheck omitted "an entry the manifest omits quarantines its submission" 1 "H0ST2-00002: quarantined: entry 'submissions/H0ST2-00002/files/1' is not in the manifest"
mani nofolder "extra = [(mb._info('submissions/ZZZZZ-00009/submission.json'), b'{}')]"
mcheck nofolder "an entry of no listed submission is named" 1 "ZZZZZ-00009/submission.json' is not in the manifest: ignored"
mani outofplace "e = e[1:] + e[:1]"
mcheck outofplace "entries out of place in the zip: the bundle refused, with one message" 1 "outofplace: refused: entry 'submissions/H0ST1-00001/submission.json' is out of place in the zip"
mani deep "m = b'{\"format\": \"threecs-bundle/1\", \"submissions\": [], \"x\": ' + b'[' * 2000 + b']' * 2000 + b'}'"
mcheck deep "a manifest nested too deeply is refused" 1 "refused: manifest.json:1:.*nested too deeply"
mani dupid 'm = json.dumps(m).replace("\"id\": ", "\"id\": \"ZZZZZ-00009\", \"id\": ", 1).encode()'
mcheck dupid "a manifest giving a submission's id twice is refused" 1 "refused: manifest.json:1:.*'id' given twice"
mani dupfmt 'm = json.dumps(m).replace("{", "{\"format\": \"threecs-bundle/1\", ", 1).encode()'
mcheck dupfmt "a manifest giving its format twice is refused" 1 "refused: manifest.json:1:.*'format' given twice"
if [ -e /tmp/casework-evil ] || [ -e "$S/evil.txt" ] || [ -e "$S/../evil.txt" ]; then
	not_ok "nothing written outside --data"
else ok "nothing written outside --data"; fi

# ---------------------------------------------- idempotence and determinism
rm -rf "$S/subs"
mkdir -p "$S/subs"
cp -r tests/data/submissions/* "$S/subs/"
python3 $MK "$S/demo.zip" "$S"/subs/*
D=$S/d4
cw --data "$D" --today 2026-12-24 ingest "$S/demo.zip" >/dev/null 2>&1
dump() { sqlite3 "$1/register.db" .dump; (cd "$1" && find casepacks reports quarantine store -type f | sort | xargs sha256sum); }
dump "$D" >"$S/dump1"
out=$(cw --data "$D" --today 2026-12-24 ingest "$S/demo.zip" 2>&1)
dump "$D" >"$S/dump2"
cmp -s "$S/dump1" "$S/dump2" && ok "second ingest changes nothing (register and packs)" || not_ok "second ingest changes nothing" "$(diff "$S/dump1" "$S/dump2" | head)"
echo "$out" | grep -q "^total: 6 read: 0 cases, 0 records, 0 stage 2 escalations, 0 signposted, 0 quarantined, 6 already ingested$" && ok "second ingest counts all as already ingested, once" || not_ok "second ingest counts all as already ingested, once" "$out"
D2=$S/d5
cw --data "$D2" --today 2026-12-24 ingest "$S/demo.zip" >/dev/null 2>&1
dump "$D2" >"$S/dump3"
diff <(grep -v '^INSERT INTO bundles' "$S/dump1") <(grep -v '^INSERT INTO bundles' "$S/dump3") >/dev/null &&
	ok "two data folders: identical packs, reports and register" || not_ok "determinism" "$(diff "$S/dump1" "$S/dump3" | head)"

# ------------------------------------------------------------- crash test
# Build a bundle of 40 submissions (some quarantined), then crash the
# ingest after its Nth durable step for every N until a run completes;
# each crash is followed by a normal rerun. The end state must equal a run
# that never crashed.
rm -rf "$S/subs"
PYCODE="
for i in range(40):
    sid = 'KC%03d-00000' % i
    kind = i % 5
    if kind == 4:
        mb.sub(P, sid, 'complaint', '2026-12-23T10:00:00Z', {'service_area': 'bins'})
    elif kind == 3:
        mb.sub(P, sid, 'feedback', '2026-12-23T10:00:00Z', {'feedback_type': 'compliment', 'service_area': 'parks', 'message': 'Thanks %d' % i})
    else:
        mb.sub(P, sid, 'complaint', '2026-12-23T10:00:00Z', {'full_name': 'K %d' % i, 'email': 'k%d@example.org' % (i % 7), 'contact_method': 'email', 'on_behalf': 'no', 'service_area': ['bins', 'roads', 'licensing'][kind], 'what_happened': 'x', 'when_happened': '2026-10-01', 'impact': 'y', 'outcome_sought': 'z', 'raised_before': 'yes'}, files=[('files', 'note.txt', 'text/plain', b'note %d' % i)] if i % 2 else [])
" py
python3 $MK "$S/kill.zip" "$S"/subs/*
REF=$S/kref
CASEWORK_TEST_BATCH=3 cwh --data "$REF" --today 2026-12-24 ingest "$S/kill.zip" >/dev/null 2>&1
state() { sqlite3 "$1/register.db" "select reference, type, stage, status, flags, submission_id from cases order by reference; select id, outcome from submissions order by id; select count(*) from events; select * from sequences order by type; select count(*) from cases where pack_dirty"; (cd "$1" && find casepacks -type f | sort | xargs sha256sum); }
state "$REF" >"$S/kref.state"
crash_ok=1
crashes=0
for n in $(seq 1 400); do
	K=$S/k
	rm -rf "$K"
	CASEWORK_TEST_BATCH=3 CASEWORK_TEST_CRASH_AFTER=$n cwh --data "$K" --today 2026-12-24 ingest "$S/kill.zip" >/dev/null 2>&1
	rc=$?
	[ $rc -ne 99 ] && break
	crashes=$((crashes + 1))
	# a second crash further on, then a clean rerun
	CASEWORK_TEST_BATCH=3 CASEWORK_TEST_CRASH_AFTER=$((n / 2 + 1)) cwh --data "$K" --today 2026-12-24 ingest "$S/kill.zip" >/dev/null 2>&1
	CASEWORK_TEST_BATCH=3 cwh --data "$K" --today 2026-12-24 ingest "$S/kill.zip" >/dev/null 2>&1
	if ! state "$K" | cmp -s - "$S/kref.state"; then
		crash_ok=0
		not_ok "crash after step $n, then rerun: same end state" "$(state "$K" | diff - "$S/kref.state" | head -5)"
		break
	fi
done
[ $crash_ok = 1 ] && [ $crashes -gt 20 ] && ok "crash at each of $crashes points, rerun: every submission once, every pack whole" ||
	{ [ $crash_ok = 1 ] && not_ok "crash test reached too few points ($crashes)"; }

# SIGKILL at random moments, for good measure.
kill_ok=1
for delay in 0.01 0.03 0.05 0.07 0.08 0.09 0.1 0.12 0.15 0.2; do
	K=$S/k
	rm -rf "$K"
	CASEWORK_TEST_BATCH=3 "$CWH" --rules content/rules.yml --forms content/forms --data "$K" --today 2026-12-24 ingest "$S/kill.zip" >/dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	CASEWORK_TEST_BATCH=3 cwh --data "$K" --today 2026-12-24 ingest "$S/kill.zip" >/dev/null 2>&1
	state "$K" | cmp -s - "$S/kref.state" || kill_ok=0
done
[ $kill_ok = 1 ] && ok "SIGKILL at several moments, rerun: same end state" || not_ok "SIGKILL at several moments, rerun: same end state"

# ------------------------------------------------------------- rules misfit
sed 's/service_area: roads,/service_area: roadz,/' content/rules.yml >"$S/rules-bad.yml"
mkdir -p "$S/calendars" && cp content/calendars/*.json "$S/calendars/"
out=$("$CW" --rules "$S/rules-bad.yml" --forms content/forms --data "$S/d6" list 2>&1)
rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "rules-bad.yml:[0-9]*:[0-9]*: .*'roads'" &&
	ok "rules that do not fit the forms: exit 1 with file:line" || not_ok "rules misfit" "rc=$rc $out"
sed 's/procedure: childrens}/procedure: kids}/' content/rules.yml >"$S/rules-bad2.yml"
out=$("$CW" --rules "$S/rules-bad2.yml" --forms content/forms --data "$S/d6" list 2>&1)
echo "$out" | grep -q "rules-bad2.yml:[0-9]*:[0-9]*: unknown procedure 'kids'" &&
	ok "unknown procedure named with file:line:col" || not_ok "unknown procedure" "$out"

finish "casework e2e"
