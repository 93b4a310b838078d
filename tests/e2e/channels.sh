#!/usr/bin/env bash
# End-to-end tests of casework new: cases from a phone call, a letter (with
# its scan), an email, a visit or a social-media message, through the same
# form definitions, validator and rules as the website's, the time received
# as the officer states it (local time, the clocks' changes and the end of
# the working day counted), refusals that keep nothing, and the channels in
# the annual report.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

S=$SCRATCH
D=$S/data
c() { cw --data "$D" "$@"; }
ref_in() { sed -n 's/^\([A-Z]*-[0-9]*-[0-9]*\): .*/\1/p' <<<"$1"; }
nsubs() { sqlite3 "$D/register.db" "select count(*) from submissions"; }
cat >"$S/phone.json" <<'J'
{"full_name": "Mary Seacole", "phone": "07700 900456", "contact_method": "phone",
 "on_behalf": "no", "service_area": "bins",
 "what_happened": "The bins have not been collected for three weeks.",
 "when_happened": "2026-11-30", "impact": "Rubbish is piling up.",
 "outcome_sought": "Collect them.", "raised_before": "yes"}
J
printf '%%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%%%EOF\n' >"$S/letter.pdf"

# Tuesday 15 December 2026 at 17:30 (GMT): after the 17:00 end of the
# working day, so it counts from Wednesday 16th: acknowledge by Wed 23rd.
out=$(c --today 2026-12-16 new --channel phone --received "2026-12-15 17:30" --answers "$S/phone.json" --by "Sue Barnes" 2>&1)
P=$(ref_in "$out")
[ -n "$P" ] && [ "$(packed "$P" "c['channel'], c['received'], c['received_date'], c['deadlines']['acknowledge']")" = "('phone', '2026-12-15T17:30:00Z', '2026-12-16', '2026-12-23')" ] &&
	ok "a phone call after 17:00 counts from the next working day" || not_ok "phone case" "$out"
[ "$(packed "$P" "c['history'][0]['by'], s['channel'], s['entered_by']")" = "('Sue Barnes', 'phone', 'Sue Barnes')" ] &&
	ok "the case names the officer who took the call" || not_ok "entered by" "$(packed "$P" "c['history'][0]")"
python3 - "$D/casepacks/$P.zip" <<'PY' && ok "the cover sheet says how it came" || not_ok "cover: came by"
import sys, zipfile
h = zipfile.ZipFile(sys.argv[1]).read("index.html").decode()
assert "Came by" in h and ">phone<" in h, h[:3000]
PY

# Monday 15 June 2026 at 09:00 is 08:00 UTC (British Summer Time).
out=$(c --today 2026-06-16 new --channel in-person --received "2026-06-15 09:00" --answers "$S/phone.json" --field when_happened=2026-06-01 2>&1)
V=$(ref_in "$out")
[ "$(packed "$V" "c['received'], c['received_date']")" = "('2026-06-15T08:00:00Z', '2026-06-15')" ] &&
	ok "a visit in summer time: 09:00 BST is 08:00 UTC" || not_ok "BST" "$out"
out=$(c --today 2026-12-16 new --channel email --received 2026-12-14T11:00:00Z --answers "$S/phone.json" 2>&1)
E=$(ref_in "$out")
[ "$(packed "$E" "c['received']")" = 2026-12-14T11:00:00Z ] && ok "a received time in UTC is taken as it is" || not_ok "UTC time" "$out"

out=$(c --today 2026-12-16 new --channel letter --received "2026-12-14 09:00" --answers "$S/phone.json" --field full_name="Florence Nightingale" --field email=fn@example.org --attach "$S/letter.pdf" 2>&1)
L=$(ref_in "$out")
[ "$(packed "$L" "s['fields']['full_name'], s['attachments'][0]['type'], s['attachments'][0]['name']")" = "('Florence Nightingale', 'application/pdf', 'letter.pdf')" ] &&
	unzip -l "$D/casepacks/$L.zip" | grep -q 'files/1-letter.pdf' &&
	ok "a letter: --field over the answers, its scan kept in the pack" || not_ok "letter" "$out"
sqlite3 "$D/register.db" "select channel from submissions order by channel" | tr '\n' ' ' | grep -q "^email in-person letter phone $" &&
	ok "the register keeps each submission's channel" || not_ok "channels in the register"

# ---------------------------------------------------------------- refused
before=$(nsubs)
out=$(c --today 2026-12-16 new --channel email --received "2026-12-14 09:00" --field full_name=X --field service_area=moon 2>&1)
rc=$?
[ $rc -eq 1 ] && grep -q "field 'service_area': Select a service from the list" <<<"$out" && grep -q "field 'what_happened'" <<<"$out" &&
	[ "$(nsubs)" = "$before" ] && [ -z "$(ls "$D/tmp")" ] && [ "$(ls "$D/store" | wc -l)" = 4 ] &&
	ok "answers that fail the form: every problem named, nothing kept" || not_ok "bad answers" "rc=$rc $out"
out=$(c --today 2026-12-16 new --channel letter --received "2026-12-17 09:00" --answers "$S/phone.json" 2>&1)
[ $? -eq 1 ] && grep -q "after today" <<<"$out" && ok "a time after today is refused" || not_ok "future time" "$out"
out=$(c --today 2026-12-16 new --channel letter --received "2026-02-30 09:00" --answers "$S/phone.json" 2>&1)
[ $? -eq 2 ] && grep -q "is not \"YYYY-MM-DD HH:MM\"" <<<"$out" && ok "an impossible time is refused" || not_ok "bad time" "$out"
out=$(c --today 2026-12-16 new --channel fax --received "2026-12-14 09:00" --answers "$S/phone.json" 2>&1)
[ $? -eq 2 ] && grep -q "needs --channel phone, letter" <<<"$out" && ok "an unknown channel is refused" || not_ok "fax" "$out"
out=$(c --today 2026-12-16 new --channel web --received "2026-12-14 09:00" --answers "$S/phone.json" 2>&1)
[ $? -eq 2 ] && ok "web is not an officer's channel" || not_ok "web channel" "$out"
out=$(c --today 2026-12-16 new --channel phone --received "2026-12-14 09:00" --field full_name 2>&1)
[ $? -eq 2 ] && grep -q "is not NAME=VALUE" <<<"$out" && ok "--field without a value is refused" || not_ok "--field" "$out"
printf '{"full_name": "A", "full_name": "B"}' >"$S/dup.json"
out=$(c --today 2026-12-16 new --channel phone --received "2026-12-14 09:00" --answers "$S/dup.json" 2>&1)
[ $? -eq 1 ] && grep -q "dup.json: byte" <<<"$out" && ok "answers with a key given twice are refused" || not_ok "duplicate key" "$out"
printf 'MZ\x90\x00\x03\x00\x00\x00\x04\x00PE\x00' >"$S/evidence.pdf"
out=$(c --today 2026-12-16 new --channel letter --received "2026-12-14 09:00" --answers "$S/phone.json" --attach "$S/evidence.pdf" 2>&1)
[ $? -eq 1 ] && grep -q "none of the kinds of file" <<<"$out" && [ "$(nsubs)" = "$before" ] &&
	ok "a program named .pdf is refused" || not_ok "program attached" "$out"
out=$(c --today 2026-12-16 new --channel letter --received "2026-12-14 09:00" --answers "$S/missing.json" 2>&1)
[ $? -eq 3 ] && grep -q "missing.json" <<<"$out" && ok "a missing answers file is named" || not_ok "missing answers" "$out"

# ------------------------------------------------------------- the annual
c --today 2026-12-16 annual --from 2026-12-01 --to 2026-12-31 >/dev/null 2>&1
F=$(ls "$D"/reports/annual-*.csv | head -1)
grep -q '"volume_by_channel","phone","1"' "$F" && grep -q '"volume_by_channel","letter","1"' "$F" && grep -q '"volume_by_channel","email","1"' "$F" &&
	ok "the annual report counts each channel" || not_ok "annual by channel" "$(grep channel "$F")"

finish "channels e2e"
