#!/usr/bin/env bash
# End-to-end tests of a case's life after ingest: dates checked against
# the case and today, each step once, corrections and withdrawals that
# rebuild the case from its history (deadlines and the annual figures
# with them), escalation rules, and decisions on flags that leave the
# daily report and reach the cover sheet. Real binaries, a real register.
#
# The dates: received Tuesday 15 December 2026; acknowledgement due in 5
# working days, response in 10 after that (content/rules.yml). Christmas
# Day and Boxing Day (Monday 28 December in lieu) are bank holidays.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

S=$SCRATCH
D=$S/data
c() { cw --data "$D" "$@"; }
# ev OUT: the event number record printed in OUT
ev() { sed -n 's/.* recorded as event \([0-9]*\).*/\1/p' <<<"$1"; }
deadline() { packed "$1" "c['deadlines']['$2']"; }

rm -rf "$S/subs"
complaint LIFEA-00001 2026-12-15T10:00:00Z bins
complaint LIFEB-00002 2026-12-15T11:00:00Z bins '{"adjustments": "Large print letters, please", "when_happened": "2024-06-01"}'
complaint LIFEC-00003 2026-12-15T12:00:00Z bins
python3 $MK "$S/day1.zip" "$S"/subs/*
c --today 2026-12-15 ingest "$S/day1.zip" >/dev/null 2>&1
A=$(ref_of LIFEA-00001)
B=$(ref_of LIFEB-00002)
C=$(ref_of LIFEC-00003)
[ -n "$A" ] && [ -n "$B" ] && [ -n "$C" ] && ok "three complaints ingested" || not_ok "three complaints ingested"

# ----------------------------------------------------------- dates checked
refused "a date before the case was received is refused, naming the rule" 1 \
	"acknowledged on 2026-12-06 is before the case was received on 2026-12-15" \
	c --today 2026-12-16 record "$A" acknowledged --date 2026-12-06
refused "a date after today is refused" 1 "after today (2026-12-16)" \
	c --today 2026-12-16 record "$A" acknowledged --date 2027-12-16
refused "closed before the case was received is refused" 1 "before the case was received" \
	c --today 2026-12-16 record "$A" closed --date 2026-01-01 --outcome upheld
n=$(sqlite3 "$D/register.db" "select count(*) from events e join cases c on c.id = e.case_id where c.reference = '$A'")
[ "$n" = 1 ] && ok "refused events leave nothing in the history" || not_ok "refused events leave nothing" "$n"

out=$(c --today 2026-12-16 record "$A" acknowledged --date 2026-12-15 --by "Sue Barnes" 2>&1)
ACK=$(ev "$out")
# acknowledged Tue 15 Dec: respond 10 WD later, Thu 31 Dec (25, 28 Dec are holidays)
[ "$(deadline "$A" respond)" = 2026-12-31 ] && ok "acknowledged: respond by 2026-12-31" ||
	not_ok "acknowledged: respond by 2026-12-31" "$out $(deadline "$A" respond)"
refused "acknowledged twice is refused, pointing at correction" 1 "acknowledged on 2026-12-15 already: correct that event" \
	c --today 2026-12-16 record "$A" acknowledged
[ "$(packed "$A" "[e['by'] for e in c['history'] if e['event'] == 'acknowledged'][0]")" = "Sue Barnes" ] &&
	ok "the history names who recorded the step" || not_ok "the history names who recorded the step"

# -------------------------------------------------------------- corrections
refused "a correction needs --why" 2 "needs --event N" \
	c --today 2026-12-16 record "$A" corrected --event "$ACK" --new-date 2026-12-16
refused "a correction names an event of this case" 1 "has no event 999" \
	c --today 2026-12-16 record "$A" corrected --event 999 --new-date 2026-12-16 --why x
refused "a correction's field must fit the event" 2 "--outcome does not apply to a acknowledged event" \
	c --today 2026-12-16 record "$A" corrected --event "$ACK" --outcome upheld --why x
refused "a corrected date after today is refused" 1 "after today" \
	c --today 2026-12-16 record "$A" corrected --event "$ACK" --new-date 2026-12-17 --why x
out=$(c --today 2026-12-16 record "$A" corrected --event "$ACK" --new-date 2026-12-16 --why "typed the wrong day" 2>&1)
COR=$(ev "$out")
# acknowledged Wed 16 Dec: respond by Mon 4 Jan 2027
[ "$(deadline "$A" respond)" = 2027-01-04 ] && ok "corrected acknowledgement date: respond by 2027-01-04" ||
	not_ok "corrected acknowledgement: deadline recomputed" "$out $(deadline "$A" respond)"
show=$(c --today 2026-12-16 show "$A")
grep -q "^ *$ACK  2026-12-15 acknowledged (stage 1) by Sue Barnes; corrected by $COR" <<<"$show" &&
	grep -q "^ *$COR  2026-12-16 corrected (stage 1) event $ACK: typed the wrong day" <<<"$show" &&
	ok "show keeps the original event and says what corrected it" || not_ok "show: original and correction" "$show"
typed=$(tr 'A-Z-' 'a-z ' <<<"$A" | sed 's/ //')
[ "$(c --today 2026-12-16 show "$typed" 2>&1 | head -1)" = "$(head -1 <<<"$show")" ] &&
	ok "a reference typed in lower case without its first dash ('$typed') finds the case" || not_ok "typed reference" "$typed"
grep -q "acknowledged 2026-12-16" <<<"$show" && ok "show: the stage as corrected" || not_ok "show: the stage as corrected" "$show"
refused "a correction cannot be corrected" 1 "withdraw it, then record the correction again" \
	c --today 2026-12-16 record "$A" corrected --event "$COR" --new-date 2026-12-16 --why x

out=$(c --today 2026-12-21 record "$A" responded --date 2026-12-21 2>&1)
RESP=$(ev "$out")
[ "$(packed "$A" "c['status']")" = responded ] && ok "responded" || not_ok "responded" "$out"
refused "a correction that puts a step before the one it follows is refused" 1 \
	"responded on 2026-12-21 is before it was acknowledged on 2026-12-22" \
	c --today 2026-12-22 record "$A" corrected --event "$ACK" --new-date 2026-12-22 --why x
refused "responded twice is refused" 1 "responded to on 2026-12-21 already" \
	c --today 2026-12-22 record "$A" responded

# ---------------------------------------------------------- close, withdraw
refused "an outcome not in the rules is refused, the rules' outcomes named" 2 "'Sorted' is not one of the outcomes in .*rules.yml (upheld, partly-upheld, not-upheld, resolved, withdrawn)" \
	c --today 2026-12-22 record "$A" closed --outcome Sorted
out=$(c --today 2026-12-22 record "$A" closed --outcome Upheld 2>&1)
CLOSE=$(ev "$out")
refused "closed twice is refused (the outcome is not silently replaced)" 1 "closed on 2026-12-22 already" \
	c --today 2026-12-22 record "$A" closed --outcome not-upheld
[ "$(packed "$A" "c['stages'][0]['outcome']")" = upheld ] && ok "the first outcome stands" || not_ok "the first outcome stands"
refused "received cannot be withdrawn" 1 "cannot be withdrawn: correct its date instead" \
	c --today 2026-12-22 record "$A" withdrawn --event "$(sqlite3 "$D/register.db" "select min(e.id) from events e join cases c on c.id = e.case_id where c.reference = '$A'")" --why x
c --today 2026-12-22 record "$A" withdrawn --event "$CLOSE" --why "closed on the wrong case" >/dev/null 2>&1
[ "$(packed "$A" "c['status']")" = responded ] && [ "$(packed "$A" "c['stages'][0]['closed']")" = None ] &&
	ok "withdrawing closed reopens the stage" || not_ok "withdrawing closed reopens the stage" "$(packed "$A" "c['stages'][0]")"
refused "an event is withdrawn once" 1 "event $CLOSE was withdrawn already" \
	c --today 2026-12-22 record "$A" withdrawn --event "$CLOSE" --why again
c --today 2026-12-22 record "$A" closed --outcome "Partly Upheld" >/dev/null 2>&1 &&
	[ "$(packed "$A" "c['stages'][0]['outcome']")" = partly-upheld ] &&
	ok "closed again after the withdrawal, with the right outcome" || not_ok "closed again after the withdrawal"
refused "a withdrawal cannot be withdrawn" 1 "cannot be withdrawn" \
	c --today 2026-12-22 record "$A" withdrawn --event "$(($(ev "$out") + 1))" --why x

# ---------------------------------------------------- extensions corrected
c --today 2026-12-16 record "$C" acknowledged --date 2026-12-16 >/dev/null 2>&1
out=$(c --today 2026-12-16 record "$C" extended --days 5 --reason "waiting for a contractor" 2>&1)
EXT=$(ev "$out")
[ "$(deadline "$C" respond)" = 2027-01-11 ] && ok "extended by 5 WD: respond by 2027-01-11" || not_ok "extended by 5" "$out $(deadline "$C" respond)"
c --today 2026-12-16 record "$C" corrected --event "$EXT" --days 3 --why "agreed 3 days, not 5" >/dev/null 2>&1
[ "$(deadline "$C" respond)" = 2027-01-07 ] && ok "extension corrected to 3 WD: respond by 2027-01-07" || not_ok "extension corrected" "$(deadline "$C" respond)"
refused "a corrected extension beyond the rules' maximum is refused" 1 "may be extended by 1 to 10 working days, not 11" \
	c --today 2026-12-16 record "$C" corrected --event "$EXT" --days 11 --why x
c --today 2026-12-16 record "$C" withdrawn --event "$EXT" --why "no extension was sent" >/dev/null 2>&1
[ "$(deadline "$C" respond)" = 2027-01-04 ] && [ "$(packed "$C" "c['stages'][0]['extension_days']")" = 0 ] &&
	ok "extension withdrawn: the deadline is back" || not_ok "extension withdrawn" "$(packed "$C" "c['stages'][0]")"

# --------------------------------------------------------------- escalation
refused "stage 2 before stage 1 is answered or overdue needs a reason" 1 \
	"before stage 1 was answered or overdue (respond by 2027-01-04): give a reason" \
	c --today 2026-12-17 record "$C" escalated
c --today 2026-12-17 record "$C" escalated --reason "the service director asked for an independent review" >/dev/null 2>&1
[ "$(packed "$C" "c['stage']")" = 2 ] && ok "escalated early with a recorded reason" || not_ok "escalated early with a reason"
refused "at stage 2, a move to another procedure's area is refused" 1 "comes before any escalation" \
	c --today 2026-12-17 record "$C" moved --service-area childrens-social-care --reason x
c --today 2027-01-05 record "$A" escalated >/dev/null 2>&1
[ "$(packed "$A" "c['stage']")" = 2 ] && ok "escalated after stage 1 was answered" || not_ok "escalated after stage 1 was answered"

# ------------------------------------------------------------------- flags
c --today 2026-12-16 report >/dev/null 2>&1
grep -q "\"$B\".*late" "$D/reports/2026-12-16.csv" && grep -q "\"$B\".*reasonable_adjustments" "$D/reports/2026-12-16.csv" &&
	ok "the daily report lists the flags waiting" || not_ok "the daily report lists the flags waiting" "$(grep "$B" "$D/reports/2026-12-16.csv")"
refused "a decision's outcome must be one the flag takes" 1 "a decision on late is accepted/refused, not 'agreed'" \
	c --today 2026-12-16 record "$B" decided --flag late --outcome agreed --reason x
refused "a decision on a flag the case does not carry is refused" 1 "carries no flag 'anonymous'" \
	c --today 2026-12-16 record "$B" decided --flag anonymous --outcome noted --reason x
refused "agreed adjustments need a note of what was agreed" 2 "needs --note" \
	c --today 2026-12-16 record "$B" decided --flag reasonable_adjustments --outcome agreed --reason "asked on the form"
c --today 2026-12-16 record "$B" decided --flag late --outcome accepted --reason "good reason: the resident was in hospital" >/dev/null 2>&1
out=$(c --today 2026-12-16 record "$B" decided --flag reasonable_adjustments --outcome agreed --reason "asked on the form" \
	--note "letters in 18-point large print" --review 2027-06-01 2>&1)
ADJ=$(ev "$out")
refused "a flag decided twice is refused" 1 "late was decided on 2026-12-16 already" \
	c --today 2026-12-16 record "$B" decided --flag late --outcome refused --reason x
c --today 2026-12-16 report >/dev/null 2>&1
grep -q "\"$B\".*late" "$D/reports/2026-12-16.csv" && not_ok "decided flags leave the daily report" "$(grep "$B" "$D/reports/2026-12-16.csv")" ||
	ok "decided flags leave the daily report"
python3 - "$D/casepacks/$B.zip" <<'EOF' && ok "the cover sheet shows the agreed adjustment and its review date" || not_ok "cover sheet: adjustments"
import sys, zipfile
h = zipfile.ZipFile(sys.argv[1]).read("index.html").decode()
k = h.index("Adjustments agreed")
assert "letters in 18-point large print" in h[k:] and "2027-06-01" in h[k:], h[k:k+400]
assert "Flags decided" in h and "good reason: the resident was in hospital" in h
EOF
python3 - "$D/casepacks/$B.zip" "$D/casepacks/$A.zip" <<'EOF' && ok "the agreed 18-point large print: each letter also in 18pt, beside the ordinary one" || not_ok "large print letters" "$(unzip -l "$D/casepacks/$B.zip")"
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
big = z.read("letters/stage-1-acknowledgement-large-print.html").decode()
small = z.read("letters/stage-1-acknowledgement.html").decode()
assert "body{font-size:18pt" in big and "large print (draft)</title>" in big, big[:600]
assert "font-size:18pt" not in small
body = lambda h: h[h.index("<main"):]
assert body(big) == body(small)
names = zipfile.ZipFile(sys.argv[2]).namelist()
assert not [n for n in names if "large-print" in n], names
EOF
[ "$(packed "$B" "[f['decision']['outcome'] for f in c['flag_details'] if f['flag'] == 'late'][0]")" = accepted ] &&
	ok "case.json keeps the decision with its flag" || not_ok "case.json keeps the decision"

# ------------------------------------------ the annual figures as corrected
# B: acknowledged Fri 18 Dec, so due Wed 6 Jan 2027; answered late, then
# corrected. C, escalated with stage 1 unanswered, counts as late.
c --today 2026-12-18 record "$B" acknowledged >/dev/null 2>&1
out=$(c --today 2027-01-12 record "$B" responded --date 2027-01-12 2>&1)
LATE=$(ev "$out")
c --today 2027-01-12 annual --from 2026-12-01 --to 2027-01-31 >/dev/null 2>&1
F=$D/reports/annual-2026-12-01-to-2027-01-31.csv
[ -f "$F" ] || F=$(ls "$D"/reports/annual-*.csv | head -1)
before=$(grep '"answered_in_time","stage 1"' "$F" | tr -d '\r')
c --today 2027-01-12 record "$B" corrected --event "$LATE" --new-date 2027-01-06 --why "the letter went on the 6th" >/dev/null 2>&1
c --today 2027-01-12 annual --from 2026-12-01 --to 2027-01-31 >/dev/null 2>&1
after=$(grep '"answered_in_time","stage 1"' "$F" | tr -d '\r')
[ "$before" = '"answered_in_time","stage 1","1","3","33.3"' ] && [ "$after" = '"answered_in_time","stage 1","2","3","66.7"' ] &&
	ok "annual report before and after a correction: 1 of 3, then 2 of 3 answered in time" ||
	not_ok "annual report before and after a correction" "before: $before
after: $after"

# ---------------------------------------- actions promised, the Ombudsman
# A was answered and closed; the response promised a repair.
out=$(c --today 2027-01-12 record "$A" action --action "Replace the bin" --owner "Waste crew B" --due 2027-01-14 2>&1)
ACT=$(ev "$out")
[ -n "$ACT" ] && [ "$(packed "$A" "[(a['text'], a['owner'], a['due'], a.get('done')) for a in c['actions']]")" = "[('Replace the bin', 'Waste crew B', '2027-01-14', None)]" ] &&
	ok "an action promised is kept with its owner and due date" || not_ok "action" "$out"
refused "an action due before it was promised is refused" 1 "before it was promised" \
	c --today 2027-01-12 record "$A" action --action x --owner y --due 2027-01-11
refused "an action needs an owner and a due date" 2 "needs --action TEXT --owner WHO --due D" \
	c --today 2027-01-12 record "$A" action --action x
c --today 2027-01-13 show "$A" | grep -q "^action $ACT: Replace the bin (Waste crew B), due 2027-01-14, not yet done" &&
	ok "show lists the action" || not_ok "show: action" "$(c --today 2027-01-13 show "$A")"
c --today 2027-01-18 report >/dev/null 2>&1
grep -q "^\"overdue\",\"$A\",.*\"2027-01-14\",\"2\",\"action for Waste crew B: Replace the bin\"" "$D/reports/2027-01-18.csv" &&
	ok "the daily report lists the overdue action, 2 working days late" || not_ok "overdue action in the report" "$(grep "$A" "$D/reports/2027-01-18.csv")"
c --today 2027-01-18 record "$A" action-done --event "$ACT" >/dev/null 2>&1
[ "$(packed "$A" "c['actions'][0]['done']")" = 2027-01-18 ] && ok "action-done closes it" || not_ok "action-done"
refused "an action done twice is refused" 1 "was done on 2027-01-18 already" \
	c --today 2027-01-18 record "$A" action-done --event "$ACT"
refused "action-done names an action of this case" 1 "is not an action of this case" \
	c --today 2027-01-18 record "$A" action-done --event "$CLOSE"
python3 - "$D/casepacks/$A.zip" <<'PY' && ok "the cover sheet lists the actions promised" || not_ok "cover sheet: actions"
import sys, zipfile
h = zipfile.ZipFile(sys.argv[1]).read("index.html").decode()
k = h.index("Actions promised")
assert "Replace the bin" in h[k:] and "Waste crew B" in h[k:] and "2027-01-18" in h[k:]
PY

refused "the Ombudsman's decision needs an outcome" 1 "needs --outcome" \
	c --today 2027-02-01 record "$A" ombudsman --step decided
c --today 2027-02-01 record "$A" ombudsman --step considering >/dev/null 2>&1
refused "complied before a decision is refused" 1 "record the Ombudsman's decision first" \
	c --today 2027-02-02 record "$A" ombudsman --step complied
c --today 2027-03-01 record "$A" ombudsman --step decided --outcome upheld --remedy "apology and GBP 100" >/dev/null 2>&1
refused "the Ombudsman's step twice is refused" 1 "was recorded on 2027-03-01 already" \
	c --today 2027-03-02 record "$A" ombudsman --step decided --outcome not-upheld
c --today 2027-03-10 record "$A" ombudsman --step complied >/dev/null 2>&1
[ "$(packed "$A" "c['ombudsman_case']")" = "{'considering': '2027-02-01', 'decided': '2027-03-01', 'decision': 'upheld', 'remedy': 'apology and GBP 100', 'complied': '2027-03-10'}" ] &&
	ok "the Ombudsman's steps, decision, remedy and compliance are kept" || not_ok "ombudsman" "$(packed "$A" "c['ombudsman_case']")"
c --today 2027-03-10 annual --from 2027-01-01 --to 2027-12-31 >/dev/null 2>&1
F2=$(ls "$D"/reports/annual-2027-*.csv 2>/dev/null | head -1)
grep -q '"ombudsman_considering","complaints the Ombudsman began to consider","1"' "$F2" &&
	grep -q '"ombudsman_decisions","Upheld","1"' "$F2" &&
	grep -q '"ombudsman_complied","remedies complied with","1","1","100.0"' "$F2" &&
	ok "the annual report counts the Ombudsman's decisions and compliance" || not_ok "annual ombudsman" "$(grep ombudsman "$F2")"

# ------------------------------------------ agreed adjustments reviewed
# B's adjustment is reviewed by Tue 1 June 2027, after the case closed.
# Thu 27 May: due within 5 working days (Mon 31 May is a bank holiday);
# Thu 20 May: not yet; Thu 3 June: 2 working days overdue.
adj_row() {
	c --today "$1" report >/dev/null 2>&1
	grep "^\"adjustment_review\",\"$B\"" "$D/reports/$1.csv" | tr -d '\r'
}
got=$(adj_row 2027-05-20)
[ -z "$got" ] && ok "an adjustment review two weeks off is not in the daily report" || not_ok "adjustment review too early" "$got"
got=$(adj_row 2027-05-27)
grep -q '"2027-06-01"' <<<"$got" && grep -q 'reasonable_adjustments agreed: letters in 18-point large print' <<<"$got" &&
	ok "the daily report lists the adjustment review due on 1 June, closed case or not" || not_ok "adjustment review due" "$got"
got=$(adj_row 2027-06-03)
grep -q '"2027-06-01","2"' <<<"$got" && ok "an adjustment review past its date shows 2 working days overdue" ||
	not_ok "adjustment review overdue" "$got $(head -1 "$D/reports/2027-06-03.csv")"
out=$(c --today 2027-06-03 record "$B" corrected --event "$ADJ" --review 2027-12-01 --why "reviewed with the resident: still needed" 2>&1)
got=$(adj_row 2027-06-03)
[ -z "$got" ] && [ "$(packed "$B" "[f['decision']['review'] for f in c['flag_details'] if f['flag'] == 'reasonable_adjustments'][0]")" = 2027-12-01 ] &&
	ok "a review recorded as a correction moves the next review to 1 December" || not_ok "adjustment reviewed" "$out $got"

# ----------------------------------------------------- finding content/
# casework run from another folder finds the content through the data
# folder's settings, which casework init writes.
ROOT=$PWD
CWB=$CW
case $CWB in /*) ;; *) CWB=$ROOT/$CWB ;; esac
E=$S/elsewhere
mkdir -p "$E"
out=$(cd "$E" && "$CWB" --data "$S/fresh" list 2>&1)
rc=$?
[ $rc -eq 2 ] && grep -q "casework init --data $S/fresh --content DIR" <<<"$out" &&
	ok "from another folder with no settings: says to run casework init" || not_ok "no settings: casework init named" "rc=$rc $out"
mkdir -p "$S/badcontent"
cp -r content/forms "$S/badcontent/forms"
sed 's/^time_limit_months:.*/time_limit_months: lots/' content/rules.yml >"$S/badcontent/rules.yml"
out=$(cd "$E" && "$CWB" --data "$S/fresh" init --content "$S/badcontent" 2>&1)
rc=$?
[ $rc -eq 1 ] && grep -q "rules.yml:[0-9]*:[0-9]*:" <<<"$out" && [ ! -e "$S/fresh/casework.yml" ] &&
	ok "init refuses content whose rules are wrong (file:line), writing no settings" || not_ok "init refuses bad content" "rc=$rc $out"
out=$(cd "$E" && "$CWB" --data "$S/fresh" init --content "$ROOT/content" 2>&1)
rc=$?
[ $rc -eq 0 ] && grep -qx "content: \"$ROOT/content\"" "$S/fresh/casework.yml" && [ -f "$S/fresh/register.db" ] &&
	[ "$(stat -c %a "$S/fresh/casework.yml")" = 600 ] &&
	ok "init writes the settings (absolute, 0600) and the register" || not_ok "init writes the settings" "rc=$rc $out"
out=$(cd "$E" && "$CWB" --data "$S/fresh" --today 2026-12-15 ingest "$S/day1.zip" 2>&1)
rc=$?
[ $rc -eq 0 ] && grep -q "total: 3 read: 3 cases" <<<"$out" &&
	ok "ingest from another folder finds the rules and forms" || not_ok "ingest from another folder" "rc=$rc $out"
out=$(cd "$E" && CASEWORK_DATA=$S/fresh "$CWB" --today 2026-12-16 list 2>&1)
[ "$(grep -c '^CMP-' <<<"$out")" = 3 ] && ok "CASEWORK_DATA names the data folder" || not_ok "CASEWORK_DATA" "$out"
printf 'content: "%s"\ncolour: "blue"\n' "$ROOT/content" >"$S/fresh/casework.yml"
out=$(cd "$E" && "$CWB" --data "$S/fresh" list 2>&1)
rc=$?
[ $rc -eq 1 ] && grep -q "casework.yml:2:1: unknown setting 'colour'" <<<"$out" &&
	ok "an unknown setting is refused with file:line" || not_ok "unknown setting" "rc=$rc $out"
out=$(cd "$E" && "$CWB" --data "$S/fresh" init --content "$ROOT/content" --theme "$ROOT/themes/default" 2>&1)
rc=$?
[ $rc -eq 0 ] && grep -q "settings updated" <<<"$out" && grep -qx "theme: \"$ROOT/themes/default\"" "$S/fresh/casework.yml" &&
	ok "init --content replaces unreadable settings and records the theme" || not_ok "init updates" "rc=$rc $out"

finish "lifecycle e2e"
