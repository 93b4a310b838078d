#!/usr/bin/env bash
# End-to-end tests of casework over a whole year: the contact restrictions
# register (add, list, review, show; a restricted person's new complaint
# flagged, routed and processed in full), the annual report, retention
# (purge removes every byte of a person's data while the annual figures
# stay the same), subject access export, and two commands at once on the
# same data folder.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

S=$SCRATCH

complaint() { # id received service name email phone
	PYCODE="
f = {'full_name': '$4', 'email': '$5', 'phone': '$6',
     'contact_method': 'email', 'on_behalf': 'no', 'service_area': '$3',
     'what_happened': 'The bin was not collected.', 'when_happened': '${2:0:10}',
     'impact': 'It smelled.', 'outcome_sought': 'Collect it.',
     'raised_before': 'yes'}
f = {k: v for k, v in f.items() if v}
mb.sub(P, '$1', 'complaint', '$2', f, files=[('files', 'photo.txt', 'text/plain', b'evidence of $4')])" py
}

field() { unzip -p "$1" case.json | python3 -c "import json,sys; c=json.load(sys.stdin); print($2)"; }

# ------------------------------------------------------------ restrictions
D=$S/r
rc_is "restrict add" 0 cw --data "$D" --today 2026-11-02 restrict add --name "Robin Restricted" \
	--email " Robin.R@Example.org " --phone "+44 7700 900555" --kind written-contact-only \
	--scope council --reason "abusive calls to staff" --decided-by "Head of Customer Services" \
	--review 2026-11-06 --contact "Casework Officer A"
rc_is "restrict add: unknown kind exits 2" 2 cw --data "$D" --today 2026-11-02 restrict add --name X \
	--email x@example.org --kind banned --scope council --reason r --decided-by d --review 2027-01-01
rc_is "restrict add: unknown scope exits 2" 2 cw --data "$D" --today 2026-11-02 restrict add --name X \
	--email x@example.org --kind limited-calls --scope nowhere --reason r --decided-by d --review 2027-01-01
rc_is "restrict add: impossible review date exits 2" 2 cw --data "$D" --today 2026-11-02 restrict add --name X \
	--email x@example.org --kind limited-calls --scope council --reason r --decided-by d --review 2027-02-30
rc_is "restrict add: review before start exits 2" 2 cw --data "$D" --today 2026-11-02 restrict add --name X \
	--email x@example.org --kind limited-calls --scope council --reason r --decided-by d --review 2026-01-01
rc_is "restrict add: missing options exit 2" 2 cw --data "$D" restrict add --name X
rc_is "restrict show of an unknown ID exits 1" 1 cw --data "$D" restrict show R99
rc_is "restrict show of a bad ID exits 1" 1 cw --data "$D" restrict show banana
rc_is "restrict review of an unknown ID exits 1" 1 cw --data "$D" restrict review 99 --outcome continue
rc_is "restrict review: bad outcome exits 2" 2 cw --data "$D" restrict review 1 --outcome forget
rc_is "restrict: unknown verb exits 2" 2 cw --data "$D" restrict frobnicate
cw --data "$D" --today 2026-11-02 restrict show R1 | grep -q "kind: written-contact-only" &&
	ok "restrict show" || not_ok "restrict show"
cw --data "$D" --today 2026-11-02 restrict list --due | grep -q "^R1 " &&
	ok "restrict list --due: a review within 5 working days" || not_ok "restrict list --due"
cw --data "$D" --today 2026-10-01 restrict list --due | grep -q "^R1 " &&
	not_ok "restrict list --due leaves out later reviews" || ok "restrict list --due leaves out later reviews"

# A new complaint from the restricted person (email in another case, phone
# in another format), one from someone else with the same name only.
rm -rf "$S/subs"
complaint RSTR1-00001 2026-11-02T10:00:00Z bins "Robin Restricted" "robin.r@example.ORG" ""
complaint RSTR2-00002 2026-11-02T10:00:00Z roads "R. R." "" "07700 900555"
complaint RSTR3-00003 2026-11-02T10:00:00Z parks "robin  restricted" "other@example.org" ""
complaint RSTR4-00004 2026-11-02T10:00:00Z parks "Someone Else" "else@example.org" ""
python3 $MK "$S/r.zip" "$S"/subs/*
out=$(cw --data "$D" --today 2026-11-03 ingest "$S/r.zip" 2>&1)
echo "$out" | grep -q "total: 4 read: 4 cases" && ok "restricted person's contact is processed in full (counted as a case)" ||
	not_ok "restricted contact processed" "$out"
P1=$D/casepacks/$(ref_of RSTR1-00001).zip
field "$P1" "'restricted_contact' in c['flags']" | grep -q True && ok "flagged restricted_contact (email)" || not_ok "flagged (email)"
field "$D/casepacks/$(ref_of RSTR2-00002).zip" "'restricted_contact' in c['flags']" | grep -q True &&
	ok "flagged restricted_contact (phone, +44 vs 0)" || not_ok "flagged (phone)"
[ "$(field "$P1" "c['team']")" = "Casework Officer A" ] && ok "routed to the named contact" ||
	not_ok "routed to the named contact" "$(field "$P1" "c['team']")"
field "$P1" "c['deadlines']['acknowledge']" | grep -q 2026-11-09 && ok "deadlines set as for any complaint" ||
	not_ok "deadlines set" "$(field "$P1" "c['deadlines']")"
unzip -l "$P1" | grep -q letters/stage-1-acknowledgement.html && ok "acknowledgement drafted as usual" || not_ok "acknowledgement drafted"
unzip -p "$P1" index.html | grep -q "new issues and.*safeguarding" && unzip -p "$P1" index.html | grep -q "written contact only" &&
	ok "cover sheet: what the restriction is, and read it for new issues and safeguarding" || not_ok "cover sheet restriction"
field "$D/casepacks/$(ref_of RSTR3-00003).zip" "[f['detail'] for f in c['flag_details'] if f['flag']=='restricted_contact'][0]" | grep -q "^check:" &&
	ok "name only: a weaker 'check' flag" || not_ok "name only: check flag"
[ "$(field "$D/casepacks/$(ref_of RSTR3-00003).zip" "c['team']")" != "Casework Officer A" ] &&
	ok "name only: not routed" || not_ok "name only: not routed"
field "$D/casepacks/$(ref_of RSTR4-00004).zip" "'restricted_contact' in c['flags']" | grep -q False &&
	ok "someone else is not flagged" || not_ok "someone else is not flagged"
grep -q '"restriction_review","R1"' "$D/reports/2026-11-03.csv" && ok "daily report: restriction review due" ||
	not_ok "daily report: restriction review due"
grep -qi "robin" "$D/reports/2026-11-03.csv" "$D/reports/2026-11-03.html" && not_ok "daily report names nobody" || ok "daily report names nobody"
rc_is "restrict review continue" 0 cw --data "$D" --today 2026-11-06 restrict review R1 --outcome continue --date 2026-11-06 --review 2027-05-06
rc_is "restrict review vary" 0 cw --data "$D" --today 2026-11-06 restrict review R1 --outcome vary --kind single-point-of-contact --review 2027-05-06
rc_is "restrict review: impossible date exits 2" 2 cw --data "$D" restrict review R1 --outcome lift --date 2026-13-01
rc_is "restrict review lift" 0 cw --data "$D" --today 2026-11-20 restrict review R1 --outcome lift --date 2026-11-20
[ -f "$D/letters/restriction-R1-lifted.html" ] && grep -q "Robin Restricted" "$D/letters/restriction-R1-lifted.html" &&
	[ "$(stat -c %a "$D/letters/restriction-R1-lifted.html")" = 600 ] &&
	ok "lift: draft letter in letters/ (0600)" || not_ok "lift: draft letter"
[ "$(cw --data "$D" restrict show R1 | grep -c '^review [0-9]')" = 3 ] && ok "review history kept" || not_ok "review history kept"
sqlite3 "$D/register.db" "delete from restriction_reviews" >/dev/null 2>&1 && not_ok "reviews are append-only" || ok "reviews are append-only"
rc_is "lifted restriction cannot be reviewed again" 1 cw --data "$D" restrict review R1 --outcome lift
rm -rf "$S/subs"
complaint RSTR5-00005 2026-11-23T10:00:00Z bins "Robin Restricted" "robin.r@example.org" ""
python3 $MK "$S/r2.zip" "$S"/subs/*
cw --data "$D" --today 2026-11-24 ingest "$S/r2.zip" >/dev/null 2>&1
field "$D/casepacks/$(ref_of RSTR5-00005).zip" "'restricted_contact' in c['flags']" | grep -q False &&
	ok "after the lift, no flag" || not_ok "after the lift, no flag"
# A new restriction flags the person's cases already open (RSTR5, by email;
# RSTR2, by phone), not one from someone else (RSTR4) nor a closed one.
R5=$(ref_of RSTR5-00005)
R2=$(ref_of RSTR2-00002)
cw --data "$D" --today 2026-11-25 record "$R2" acknowledged >/dev/null 2>&1
cw --data "$D" --today 2026-11-25 record "$R2" responded >/dev/null 2>&1
cw --data "$D" --today 2026-11-25 record "$R2" closed --outcome upheld >/dev/null 2>&1
before=$(field "$D/casepacks/$R5.zip" "'restricted_contact' in c['flags'], c['team']")
out=$(cw --data "$D" --today 2026-11-25 restrict add --name "Robin Restricted" --email robin.r@example.org \
	--phone "07700 900555" --kind single-point-of-contact --scope council --reason "calls resumed" \
	--decided-by "Head of Customer Services" --review 2027-05-25 --contact "Casework Officer B" 2>&1)
after=$(field "$D/casepacks/$R5.zip" "'restricted_contact' in c['flags'], c['team']")
[ "$before" = "False Waste and Recycling" ] && [ "$after" = "True Casework Officer B" ] &&
	grep -q "^$R5: flagged restricted_contact, now with Casework Officer B" <<<"$out" &&
	! grep -q "^$R2:" <<<"$out" && ! grep -q "^$(ref_of RSTR4-00004):" <<<"$out" &&
	ok "a new restriction flags the person's open cases and routes them (closed and others' left alone)" ||
	not_ok "restriction flags open cases" "before: $before after: $after out: $out"

# ------------------------------------------------------------------ annual
A=$S/a
rm -rf "$S/subs"
complaint OLD01-00001 2024-03-04T10:00:00Z bins "Olive Oldcase" "olive.oldcase@example.org" "07700 900777"
complaint OLD02-00002 2024-05-06T10:00:00Z roads "Other Person" "other.person@example.org" ""
PYCODE="
mb.sub(P, 'OLD03-00003', 'feedback', '2024-06-03T10:00:00Z', {'feedback_type': 'compliment', 'service_area': 'parks', 'message': 'Lovely park.'})
mb.sub(P, 'OLD04-00004', 'complaint', '2024-07-01T10:00:00Z', {'full_name': 'Pam Parking', 'email': 'pam@example.org', 'contact_method': 'email', 'on_behalf': 'no', 'service_area': 'licensing', 'what_happened': 'x', 'when_happened': '2024-06-01', 'impact': 'y', 'outcome_sought': 'z', 'raised_before': 'yes'})
" py
python3 $MK "$S/a.zip" "$S"/subs/*
cw --data "$A" --today 2024-07-02 ingest "$S/a.zip" >/dev/null 2>&1
R1=$(sqlite3 "$A/register.db" "select reference from cases where submission_id='OLD01-00001'")
R2=$(sqlite3 "$A/register.db" "select reference from cases where submission_id='OLD02-00002'")
cw --data "$A" --today 2024-03-05 record "$R1" acknowledged --date 2024-03-05 >/dev/null
cw --data "$A" --today 2024-03-05 record "$R1" extended --days 5 --reason "waiting for the crew" >/dev/null
cw --data "$A" --today 2024-03-20 record "$R1" responded --date 2024-03-20 >/dev/null
cw --data "$A" --today 2024-03-20 record "$R1" closed --date 2024-03-20 --outcome upheld --remedy apology --learning "Olive said the crew skipped her road" >/dev/null
cw --data "$A" --today 2024-05-20 record "$R2" acknowledged --date 2024-05-07 >/dev/null
cw --data "$A" --today 2024-05-20 restrict add --name "Olive Oldcase" --email olive.oldcase@example.org --kind limited-calls \
	--scope bins --reason "daily calls" --decided-by "Manager" --review 2024-11-20 >/dev/null
cw --data "$A" --today 2024-06-20 restrict review R1 --outcome lift --date 2024-06-20 >/dev/null
rc_is "annual --year" 0 cw --data "$A" --today 2031-01-06 annual --year 2024
H=$A/reports/annual-2024.html
C=$A/reports/annual-2024.csv
[ -f "$H" ] && [ -f "$C" ] && ok "annual-2024.html and .csv written" || not_ok "annual files written"
grep -q '"volume_by_type","complaint","2"' "$C" && grep -q '"volume_by_type","compliment","1"' "$C" &&
	grep -q '"volume_by_type","signposted","1"' "$C" && ok "annual: volumes by type" || not_ok "annual: volumes by type" "$(cat "$C")"
grep -q '"acknowledged_in_time","stage 1","2","2","100.0"' "$C" && ok "annual: acknowledged within timescale" || not_ok "annual: ack share" "$(grep acknowledged "$C")"
grep -q '"extensions","stage 1","1","2","50.0"' "$C" && ok "annual: extensions" || not_ok "annual: extensions"
grep -q '"outcomes","stage 1: Upheld","1"' "$C" && grep -q '"remedies","stage 1","1",' "$C" && ok "annual: outcomes and remedies" || not_ok "annual: outcomes"
grep -q '"refused_or_signposted","' "$C" && ok "annual: signposted by reason" || not_ok "annual: signposted by reason"
grep -q '"restrictions_in_place","limited-calls","1"' "$C" && ok "annual: restrictions in place" || not_ok "annual: restrictions"
[ "$(grep -c '"complaints_by_month"' "$C")" = 12 ] && grep -q '"complaints_by_month","2024-03","1"' "$C" && ok "annual: month by month" || not_ok "annual: months"
grep -q '<svg role="img" aria-labelledby=' "$H" && grep -q '<figcaption id=' "$H" && grep -q 'lang="en-GB"' "$H" &&
	grep -q '@media print' "$H" && ok "annual HTML: accessible SVG charts in figures, printable" || not_ok "annual HTML accessible"
if grep -qiE "olive|oldcase|example\.org|07700|crew|skipped" "$H" "$C"; then not_ok "annual: no names, contact details or free text"; else ok "annual: no names, contact details or free text"; fi
rc_is "annual of an empty year exits 0" 0 cw --data "$A" annual --year 2021
grep -q "There were no complaints" "$A/reports/annual-2021.html" && ok "empty year: says there were none" || not_ok "empty year says none"
rc_is "annual --from --to" 0 cw --data "$A" annual --from 2024-03-01 --to 2024-05-31
[ -f "$A/reports/annual-2024-03-01_2024-05-31.csv" ] && ok "annual for a period" || not_ok "annual for a period"
rc_is "annual: bad year exits 2" 2 cw --data "$A" annual --year 20x4
rc_is "annual: impossible date exits 2" 2 cw --data "$A" annual --from 2025-02-29 --to 2024-03-01
rc_is "annual: --to before --from exits 2" 2 cw --data "$A" annual --from 2024-05-01 --to 2024-03-01
rc_is "annual: no period exits 2" 2 cw --data "$A" annual

# ------------------------------------------------------------------- purge
cp "$C" "$S/annual-before.csv"
out=$(cw --data "$A" --today 2031-01-06 purge 2>&1)
echo "$out" | grep -q "would purge $R1" && ok "purge: dry run by default lists" || not_ok "purge dry run lists" "$out"
[ -f "$A/casepacks/$R1.zip" ] && ok "dry run removes nothing" || not_ok "dry run removes nothing"
echo "$out" | grep -q "would purge $R2" && not_ok "an open case is kept" "$out" || ok "an open case is kept"
rc_is "purge: --dry-run with --yes exits 2" 2 cw --data "$A" purge --dry-run --yes
out=$(cw --data "$A" --today 2031-01-06 purge --yes 2>&1)
rc=$?
[ $rc = 0 ] && ok "purge --yes" || not_ok "purge --yes" "$out"
[ ! -e "$A/casepacks/$R1.zip" ] && [ ! -e "$A/store/OLD01-00001" ] && ok "purge removed pack and stored submission" || not_ok "purge removed files"
[ -e "$A/casepacks/$R2.zip" ] && ok "purge kept the open case's pack" || not_ok "purge kept the open case"
found=$(grep -rlaiE "olive|oldcase|900777|skipped her road" "$A" 2>/dev/null)
[ -z "$found" ] && ok "after the purge no byte of the person's name, email, phone or words is left in --data" ||
	not_ok "purged person's data gone" "$found"
ls "$A"/register.db-wal >/dev/null 2>&1 && [ -s "$A/register.db-wal" ] && not_ok "WAL truncated" || ok "WAL truncated"
cw --data "$A" --today 2031-01-06 annual --year 2024 >/dev/null 2>&1
cmp -s "$S/annual-before.csv" "$C" && ok "annual figures for the year unchanged by the purge" ||
	not_ok "annual unchanged" "$(diff "$S/annual-before.csv" "$C")"
sqlite3 "$A/register.db" "select detail from audit where action='purge'" | grep -q "$R1" &&
	ok "purge recorded in the audit log" || not_ok "purge in audit log"
sqlite3 "$A/register.db" "select detail from audit" | grep -qiE "olive|example" && not_ok "audit log holds no personal data" || ok "audit log holds no personal data"
[ "$(sqlite3 "$A/register.db" 'PRAGMA integrity_check')" = ok ] && ok "register intact after purge" || not_ok "integrity after purge"
out=$(cw --data "$A" --today 2031-01-06 purge 2>&1)
echo "$out" | grep -q "purge: 0 cases, 0 restrictions" && ok "purge again: nothing left" || not_ok "purge again" "$out"
rc_is "record on a purged case exits 1" 1 cw --data "$A" --today 2031-01-06 record "$R1" reassigned --to roads
cw --data "$A" --today 2031-01-06 show "$R1" >/dev/null 2>&1 && ok "purged case still shown (figures only)" || not_ok "purged case shown"

# ------------------------------------------------------------------ export
rc_is "export R2's person" 0 cw --data "$A" --today 2031-01-06 export --email " OTHER.person@example.org" --out "$S/sar.zip"
[ "$(stat -c %a "$S/sar.zip")" = 600 ] && ok "export zip is 0600" || not_ok "export zip is 0600"
unzip -l "$S/sar.zip" >"$S/sar.list"
grep -q " index.html" "$S/sar.list" && grep -q "cases/$R2/case.json" "$S/sar.list" && grep -q "cases/$R2/pack.zip" "$S/sar.list" &&
	grep -q "submissions/OLD02-00002/submission.json" "$S/sar.list" && grep -q "submissions/OLD02-00002/files/1" "$S/sar.list" &&
	ok "export: index, case, pack, submission and attachment" || not_ok "export contents" "$(cat "$S/sar.list")"
unzip -p "$S/sar.zip" index.html | grep -q "Check before release" && unzip -p "$S/sar.zip" index.html | grep -q "what_happened" &&
	ok "export index lists what to check for other people's data" || not_ok "export index checks"
unzip -p "$S/sar.zip" "cases/$R2/case.json" | grep -q '"history"' && ok "export: events (history) included" || not_ok "export history"
cw --data "$D" --today 2026-12-01 export --phone "07700 900555" --out "$S/sar2.zip" >/dev/null 2>&1
unzip -p "$S/sar2.zip" index.html | grep -q "R1: " && ok "export: restrictions included" || not_ok "export restrictions"
unzip -l "$S/sar.zip" | grep -q OLD04 && not_ok "export holds nobody else's data" || ok "export holds nobody else's data"
rc_is "export without --out exits 2" 2 cw --data "$A" export --email x@example.org
rc_is "export without a person exits 2" 2 cw --data "$A" export --out "$S/x.zip"
rc_is "export of nobody exits 0 (an empty index)" 0 cw --data "$A" export --name "No Such Person" --out "$S/none.zip"

# ------------------------------------------------------------- concurrency
C2=$S/c
rm -rf "$S/subs"
PYCODE="
for i in range(30):
    mb.sub(P, 'CA%03d-00000' % i, 'complaint', '2026-12-23T10:00:00Z', {'full_name': 'C %d' % i, 'email': 'c%d@example.org' % i, 'contact_method': 'email', 'on_behalf': 'no', 'service_area': 'bins', 'what_happened': 'x', 'when_happened': '2026-12-01', 'impact': 'y', 'outcome_sought': 'z', 'raised_before': 'yes'})
" py
python3 $MK "$S/c1.zip" "$S"/subs/*
rm -rf "$S/subs"
PYCODE="
for i in range(30):
    mb.sub(P, 'CB%03d-00000' % i, 'feedback', '2026-12-23T10:00:00Z', {'feedback_type': 'compliment', 'service_area': 'parks', 'message': 'Thanks %d' % i})
" py
python3 $MK "$S/c2.zip" "$S"/subs/*
cw --data "$C2" --today 2026-12-24 ingest "$S/c1.zip" >"$S/c1.out" 2>&1 &
p1=$!
cw --data "$C2" --today 2026-12-24 ingest "$S/c2.zip" >"$S/c2.out" 2>&1 &
p2=$!
sleep 0.05
cw --data "$C2" --today 2026-12-24 report >"$S/c3.out" 2>&1 &
p3=$!
cw --data "$C2" --today 2026-12-24 list >"$S/c4.out" 2>&1 &
p4=$!
wait $p1; r1=$?
wait $p2; r2=$?
wait $p3; r3=$?
wait $p4; r4=$?
[ "$r1$r2$r3$r4" = 0000 ] && ok "two ingests, a report and a list at once all succeed" ||
	not_ok "concurrent commands" "$r1 $r2 $r3 $r4 $(cat "$S"/c?.out)"
[ "$(sqlite3 "$C2/register.db" 'PRAGMA integrity_check')" = ok ] && ok "register intact after concurrent commands" || not_ok "integrity_check"
[ "$(sqlite3 "$C2/register.db" 'select count(*) from cases')" = 60 ] && [ "$(sqlite3 "$C2/register.db" 'select count(*) from submissions')" = 60 ] &&
	[ "$(ls "$C2"/casepacks/*.zip | wc -l)" = 60 ] && [ "$(sqlite3 "$C2/register.db" 'select count(*) from cases where pack_dirty')" = 0 ] &&
	ok "every submission once, every pack written" || not_ok "counts after concurrency"
# A writer holding the lock: readers go on, another writer waits, then
# gives up clearly.
flock "$C2/.lock" sleep 3 &
hold=$!
sleep 0.3
rc_is "list runs while a writer holds the data folder" 0 cw --data "$C2" --today 2026-12-24 list
out=$(CASEWORK_LOCK_WAIT=1 cw --data "$C2" --today 2026-12-24 restrict add --name X --email x@example.org --kind limited-calls --scope council --reason r --decided-by d --review 2027-06-01 2>&1)
rc=$?
[ $rc = 3 ] && echo "$out" | grep -q "gave up waiting" && ok "a second writer waits, then fails clearly" || not_ok "writer waits" "rc=$rc $out"
wait $hold
rc_is "and succeeds once the first has finished" 0 cw --data "$C2" --today 2026-12-24 restrict add --name X --email x@example.org --kind limited-calls --scope council --reason r --decided-by d --review 2027-06-01

# --- timeliness counts only what was done or is due by --today ---
python3 "$MK" "$S/samples.zip" tests/data/submissions/* >/dev/null
cw --data "$S/due" --today 2026-12-24 ingest "$S/samples.zip" >/dev/null 2>&1
cw --data "$S/due" --today 2026-12-24 annual --year 2026 >/dev/null 2>&1
tr -d '\r' <"$S/due/reports/annual-2026.csv" | grep -q '^"acknowledged_in_time","stage 1","0","0",""$' &&
	ok "annual: nothing counted as late before it is due" ||
	not_ok "annual: nothing counted as late before it is due" "$(grep in_time "$S/due/reports/annual-2026.csv")"
cw --data "$S/due" --today 2027-02-20 annual --year 2026 >/dev/null 2>&1
tr -d '\r' <"$S/due/reports/annual-2026.csv" | grep -q '^"acknowledged_in_time","stage 1","0","3","0.0"$' &&
	ok "annual: unacknowledged stages count as late once due" ||
	not_ok "annual: unacknowledged stages count as late once due" "$(grep in_time "$S/due/reports/annual-2026.csv")"

finish "casework year e2e"
