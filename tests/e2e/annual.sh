#!/usr/bin/env bash
# End-to-end tests of the annual complaints performance and service
# improvement report as the Complaint Handling Code asks for it: the
# Ombudsman's cases (decisions by the rules' outcomes, remedies,
# compliance), learning recorded at closure by service area, extensions,
# exclusions by reason code, shares rounded (not truncated), and the
# self-assessment table from the register's figures and the council's
# content/self-assessment.yml (escaped, CSV formulas neutralised, mistakes
# named by file:line:col with no report written). Every figure below is
# worked out by hand from the year this script builds.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

S=$SCRATCH
D=$S/a
csvrow() { tr -d '\r' <"$1" | grep -qxF -- "$2"; }

# 2026: 28 complaints received on Monday 2 March (20 about bins, 8 about
# roads), each acknowledged the next day; 25 answered on 10 March (in
# time), 3 never answered (late by January 2027); one extended. And one
# about licensing, which the rules exclude (signposted).
PYCODE="
for i in range(1, 29):
    mb.sub(P, 'AN%03d-00000' % i, 'complaint', '2026-03-02T10:00:00Z', {
        'full_name': 'Annual Person %d' % i, 'email': 'ap%d@example.org' % i,
        'contact_method': 'email', 'on_behalf': 'no',
        'service_area': 'bins' if i <= 20 else 'roads',
        'what_happened': 'SECRETWORDS %d' % i, 'when_happened': '2026-02-01',
        'impact': 'y', 'outcome_sought': 'z', 'raised_before': 'yes'})
mb.sub(P, 'LI001-00000', 'complaint', '2026-03-02T10:00:00Z', {
    'full_name': 'Lic Person', 'email': 'lic@example.org',
    'contact_method': 'email', 'on_behalf': 'no', 'service_area': 'licensing',
    'what_happened': 'x', 'when_happened': '2026-02-01', 'impact': 'y',
    'outcome_sought': 'z', 'raised_before': 'yes'})
mb.sub(P, 'RC001-00000', 'complaint', '2026-03-02T10:00:00Z', {
    'full_name': 'Rec Person', 'email': 'rec@example.org',
    'contact_method': 'email', 'on_behalf': 'no', 'service_area': 'parks',
    'what_happened': 'x', 'when_happened': '2026-02-01', 'impact': 'y',
    'outcome_sought': 'z', 'raised_before': 'yes'})
" py
python3 $MK "$S/a.zip" "$S"/subs/* >/dev/null
cw --data "$D" --today 2026-03-02 ingest "$S/a.zip" >/dev/null 2>&1
ref() { sqlite3 "$D/register.db" "select reference from cases where submission_id='AN$(printf %03d "$1")-00000'"; }
rec() { cw --data "$D" --today "$1" record --by "A. Officer" "${@:2}" >/dev/null 2>&1 || echo "record failed: $*"; }
for i in $(seq 1 28); do
	rec 2026-03-03 "$(ref "$i")" acknowledged --date 2026-03-03
done
# one about parks that belongs elsewhere, though the rules exclude no parks
rec 2026-03-03 "$(sqlite3 "$D/register.db" "select reference from cases where submission_id='RC001-00000'")" \
	reclassified --as signposted --reason "SECRETREASON the county's parks"
rec 2026-03-04 "$(ref 3)" extended --days 5 --reason "waiting for the crew"
for i in $(seq 1 25); do
	rec 2026-03-10 "$(ref "$i")" responded --date 2026-03-10
done
rec 2026-03-11 "$(ref 1)" closed --date 2026-03-11 --outcome upheld --remedy "SECRETSTAGEREMEDY apology" --learning "SECRETLEARN crews"
rec 2026-03-11 "$(ref 2)" closed --date 2026-03-11 --outcome not-upheld
rec 2026-03-11 "$(ref 21)" closed --date 2026-03-11 --outcome resolved --learning "SECRETLEARN roads"
# The Ombudsman: case 1 decided as the rules' label with a remedy the
# council complied with; case 2 decided in words of the officer's own.
rec 2026-04-01 "$(ref 1)" ombudsman --step considering --date 2026-04-01
rec 2026-05-01 "$(ref 1)" ombudsman --step decided --date 2026-05-01 --outcome "Upheld" --remedy "SECRETREMEDY pay 50"
rec 2026-05-20 "$(ref 1)" ombudsman --step complied --date 2026-05-20
rec 2026-04-02 "$(ref 2)" ombudsman --step considering --date 2026-04-02
rec 2026-05-02 "$(ref 2)" ombudsman --step decided --date 2026-05-02 --outcome "SECRETDECISION fault, no injustice"

out=$(cw --data "$D" --today 2027-01-06 annual --year 2026 2>&1)
rc=$?
C=$D/reports/annual-2026.csv
H=$D/reports/annual-2026.html
SA=$D/reports/self-assessment-2026.csv
[ $rc = 0 ] && [ -f "$C" ] && [ -f "$H" ] && [ -f "$SA" ] &&
	grep -q "self-assessment-2026.csv" <<<"$out" &&
	ok "annual: HTML, CSV and the self-assessment's CSV written" || not_ok "annual written" "rc=$rc $out"

# answered: 25 of 28 = 89.29 -> 89.3; extended: 1 of 28 = 3.57 -> 3.6
# (truncated it would read 3.5)
csvrow "$C" '"answered_in_time","stage 1","25","28","89.3"' && ok "answered in time: 25 of 28 is 89.3" ||
	not_ok "answered in time" "$(grep answered "$C")"
csvrow "$C" '"extensions","stage 1","1","28","3.6"' && ok "extensions: 1 of 28 rounds to 3.6" ||
	not_ok "extensions rounded" "$(grep extensions "$C")"
csvrow "$C" '"acknowledged_in_time","stage 1","28","28","100.0"' && ok "acknowledged: 28 of 28" ||
	not_ok "acknowledged" "$(grep acknowledged "$C")"
# learning: 2 of the 3 closed (66.7); bins 1 of 2, roads 1 of 1
csvrow "$C" '"learning","stages closed in the period","2","3","66.7"' && ok "learning: 2 of 3 closures" ||
	not_ok "learning" "$(grep learning "$C")"
csvrow "$C" '"learning_by_service_area","Bins and recycling","1","2","50.0"' &&
	csvrow "$C" '"learning_by_service_area","Roads and pavements","1","1","100.0"' &&
	ok "learning by service area" || not_ok "learning by service area" "$(grep learning "$C")"
csvrow "$C" '"ombudsman_considering","complaints the Ombudsman began to consider","2","",""' &&
	ok "the Ombudsman considered 2" || not_ok "ombudsman considering" "$(grep ombudsman "$C")"
csvrow "$C" '"ombudsman_decisions","Upheld","1","",""' && csvrow "$C" '"ombudsman_decisions","other","1","",""' &&
	ok "the Ombudsman's decisions by the rules' outcome, else other" || not_ok "ombudsman decisions" "$(grep ombudsman "$C")"
csvrow "$C" '"remedies","stage 1","1","3","33.3"' &&
	ok "remedies: counted by stage (1 of the 3 stages closed), never listed" || not_ok "remedies by stage" "$(grep '^"remedies"' "$C")"
csvrow "$C" '"ombudsman_remedies","decisions that asked for a remedy","1","2","50.0"' &&
	csvrow "$C" '"ombudsman_complied","remedies complied with","1","1","100.0"' &&
	ok "the Ombudsman's remedies: 1 of 2 decisions, complied with 1 of 1" || not_ok "ombudsman remedies" "$(grep ombudsman "$C")"
csvrow "$C" "\"refused_or_signposted\",\"licensing: $(sed -n 's/^    reason: //p' content/rules.yml | head -1)\",\"1\",\"\",\"\"" &&
	csvrow "$C" '"refused_or_signposted","other: not one of the rules'"'"' exclusions","1","",""' &&
	ok "refused or signposted by the rules' reason code and reason, else other" || not_ok "refused by reason" "$(grep refused "$C")"
grep -q '<h2 id="learning_by_service_area">' "$H" && grep -q '<h2 id="ombudsman_remedies">' "$H" &&
	grep -q '<caption>Self-assessment' "$H" && grep -q 'aria-labelledby="self_assessment" tabindex="0"' "$H" &&
	ok "HTML: the new sections, the self-assessment a captioned table in a region" || not_ok "HTML sections"
if grep -qE "SECRET|example\.org|Annual Person" "$H" "$C" "$SA"; then
	not_ok "no free text (learning, remedies, decisions), names or contacts" "$(grep -ohE "SECRET[A-Z]*" "$H" "$C" "$SA" | sort -u)"
else
	ok "no free text (learning, remedies, decisions), names or contacts"
fi

# The self-assessment: the register's figures, then the council's file.
csvrow "$SA" 'section,title,requirement,complies,register_evidence,evidence,commentary' && ok "self-assessment CSV header" ||
	not_ok "self-assessment header" "$(head -1 "$SA")"
[ "$(tr -d '\r' <"$SA" | sed 1d | cut -d, -f1 | tr -d '"' | tr '\n' ' ')" = "1 2 3 4 5 6 7 8 9 " ] &&
	ok "the Code's nine sections in order" || not_ok "nine sections" "$(cat "$SA")"
grep -q '"5","The complaint handling process",.*"stage 1 acknowledged within the rules'"'"' timescale: 28 of 28 (100.0%)' "$SA" &&
	ok "section 5: acknowledgements from the register" || not_ok "section 5 evidence" "$(grep '^"5"' "$SA")"
grep -q '"6",.*stage 1 answered within timescale: 25 of 28 (89.3%).*stage 1 extended: 1 of 28 (3.6%)' "$SA" &&
	ok "section 6: answered in time and extensions from the register" || not_ok "section 6 evidence" "$(grep '^"6"' "$SA")"
grep -q '"2",.*refused or signposted: 2; with the rules'"'"' reason code and reason: 1' "$SA" &&
	ok "section 2: exclusions with reasons" || not_ok "section 2 evidence" "$(grep '^"2"' "$SA")"
grep -q '"8",.*decisions of the Ombudsman: 2; remedies complied with: 1 of 1 (100.0%)' "$SA" &&
	ok "section 8: the Ombudsman's decisions complied with" || not_ok "section 8 evidence" "$(grep '^"8"' "$SA")"
grep -q '"9",.*learning recorded at stages closed: 2 of 3 (66.7%)' "$SA" &&
	ok "section 9: learning recorded" || not_ok "section 9 evidence" "$(grep '^"9"' "$SA")"
grep -q '^"6","Complaint stages (stage 1 and stage 2)",.*,"partly",.*extra cover has been arranged' "$SA" &&
	grep -q '<td>partly</td>' "$H" && grep -q 'extra cover has been arranged' "$H" &&
	ok "the council's file: complies, evidence and commentary shown" || not_ok "council's entries" "$(grep '^"6"' "$SA")"

# Another content folder: no self-assessment file, then a hostile one,
# then mistakes.
K=$S/content
cp -r content "$K"
rm -f "$K/self-assessment.yml"
ck() { "$CW" --rules "$K/rules.yml" --forms "$K/forms" --theme themes/default --data "$D" --today 2027-01-06 "$@"; }
rc_of() { "$@" >"$S/o" 2>&1; echo $?; }
[ "$(rc_of ck annual --year 2026)" = 0 ] && [ "$(grep -c '"not assessed"' "$SA")" = 9 ] &&
	grep -q '"6",.*25 of 28 (89.3%)' "$SA" && [ "$(grep -c '<td>not assessed</td>' "$H")" = 9 ] &&
	ok "no self-assessment file: the register's evidence, every section not assessed" || not_ok "missing file" "$(cat "$S/o" "$SA")"
cat >"$K/self-assessment.yml" <<'EOF'
"3":
  complies: no
  commentary: "<script>alert(1)</script> & <b>bold</b>"
  evidence: "=HYPERLINK(\"http://evil.example\",\"x\")"
EOF
[ "$(rc_of ck annual --year 2026)" = 0 ] && grep -q '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;' "$H" &&
	! grep -q '<script>alert' "$H" && ok "HTML in the commentary is escaped" || not_ok "commentary escaped" "$(grep -n alert "$H")"
grep -q "^\"3\",.*,\"no\",.*,\"'=HYPERLINK(\"\"http" "$SA" && ok "a CSV cell beginning = is neutralised" ||
	not_ok "CSV formula neutralised" "$(grep '^"3"' "$SA")"
bad() { # description expected-message YAML
	printf '%s\n' "$3" >"$K/self-assessment.yml"
	rm -f "$D"/reports/annual-2026*
	local rc
	rc=$(rc_of ck annual --year 2026)
	if [ "$rc" = 1 ] && grep -qF -- "$K/self-assessment.yml:$2" "$S/o" && ! ls "$D"/reports/annual-2026* >/dev/null 2>&1; then
		ok "$1: file:line:col, exit 1, no report"
	else
		not_ok "$1" "rc=$rc $(cat "$S/o"; ls "$D/reports")"
	fi
}
bad "unknown section" "4:1: unknown section '10'" $'"1":\n  complies: yes\n\n"10":\n  complies: yes'
bad "bad complies" "2:13: complies is yes, no or partly, not 'maybe'" $'"4":\n  complies: maybe'
bad "unknown key" "3:3: unknown key 'comments'" $'"4":\n  complies: yes\n  comments: x'
bad "duplicate key" "3:" $'"4":\n  complies: yes\n  complies: no'
bad "duplicate section" "3:" $'"4":\n  complies: yes\n"4":\n  complies: no'

finish "annual e2e"
