#!/usr/bin/env bash
# End-to-end tests of the procedures the rules can say beyond the corporate
# two stages: the adults' statutory procedure (one stage, no fixed response
# deadline, the resident told why every six months), the children's
# stage 3 steps (the review panel, its report, the council's response
# counted from the report), a stage with no acknowledgement step, an
# extension beyond the usual maximum for exceptional circumstances, a
# stage 2 window with no time limit, the Ombudsman's time limit in the
# final letter, and the errors a council gets for rules that cannot hold.
# Real binaries, a real register.
#
# Every expected date is worked out here, independently of casework, from
# the bank holidays in the calendar file (working days: Monday to Friday,
# not a bank holiday; counting starts the day after).
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

S=$SCRATCH
D=$S/data
c() { cw --data "$D" "$@"; }
# months DATE N: N calendar months on (wd: lib.sh)
months() {
	python3 -c "
import datetime, calendar, sys
d = datetime.date.fromisoformat('$1'); m = d.month - 1 + $2
y, m = d.year + m // 12, m % 12 + 1
print(datetime.date(y, m, min(d.day, calendar.monthrange(y, m)[1])).isoformat())"
}
stage() { packed "$1" "c['stages'][$2 - 1]['$3']"; }
letter() { unzip -p "$D/casepacks/$1.zip" "letters/$2.html" 2>/dev/null; }
has_letter() { unzip -l "$D/casepacks/$1.zip" 2>/dev/null | grep -q " letters/$2.html$"; }

rm -rf "$S/subs"
complaint ADLTA-00001 2027-03-02T10:00:00Z adult-social-care
complaint CHLDA-00001 2027-01-05T10:00:00Z childrens-social-care
python3 $MK "$S/day1.zip" "$S"/subs/*
c --today 2027-03-02 ingest "$S/day1.zip" >/dev/null 2>&1
A=$(ref_of ADLTA-00001)
K=$(ref_of CHLDA-00001)
[ -n "$A" ] && [ -n "$K" ] && ok "an adults' and a children's complaint ingested" || not_ok "two complaints ingested"

# -------------------------------------------------- the adults' procedure
[ "$(packed "$A" "c['procedure']")" = adults ] && ok "adult social care follows the adults' procedure" ||
	not_ok "adult social care follows the adults' procedure" "$(packed "$A" "c['procedure']")"
e=$(wd 2027-03-02 3)
[ "$(stage "$A" 1 acknowledge_by)" = "$e" ] && ok "adults: acknowledge within 3 working days ($e)" ||
	not_ok "adults: acknowledge by $e" "$(stage "$A" 1 acknowledge_by)"
[ "$(stage "$A" 1 respond_by)" = None ] && ok "adults: no fixed response deadline" ||
	not_ok "adults: no fixed response deadline" "$(stage "$A" 1 respond_by)"
U1=$(months 2027-03-02 6)
[ "$(stage "$A" 1 update_by)" = "$U1" ] && ok "adults: the resident is told why by six months on ($U1)" ||
	not_ok "adults: update by $U1" "$(stage "$A" 1 update_by)"
out=$(c --today 2027-03-03 show "$A")
grep -q "no fixed response deadline, tell the resident why by $U1" <<<"$out" &&
	ok "show says there is no fixed deadline and when the update is due" || not_ok "show: no fixed deadline" "$out"
l=$(letter "$A" stage-1-acknowledgement)
grep -q "within 6 months" <<<"$l" && ! grep -q "send you our response by" <<<"$l" &&
	grep -q "Director of Adult Social Services" <<<"$l" &&
	ok "adults: the acknowledgement promises the six-month update, no date, signed by the responder" ||
	not_ok "adults: acknowledgement letter" "$l"
has_letter "$A" stage-1-update && ok "adults: the update letter is drafted while the stage waits" ||
	not_ok "adults: update letter drafted"
c --today 2027-03-04 record "$A" acknowledged --date 2027-03-04 >/dev/null 2>&1
# the update is due soon: the daily report says so; once past, it is overdue
c --today "$U1" report >/dev/null 2>&1
grep -q "^\"update_due\",\"$A\",\"complaint\",\"1\",\"Adult Social Care\",\"$U1\",\"\"" "$D/reports/$U1.csv" &&
	ok "the daily report lists the update due to the resident" ||
	not_ok "daily report: update due" "$(grep "$A" "$D/reports/$U1.csv")"
late=$(wd "$U1" 2)
c --today "$late" report >/dev/null 2>&1
grep -q "^\"update_due\",\"$A\",.*\"$U1\",\"2\"" "$D/reports/$late.csv" &&
	ok "an update not sent is shown late by its working days" ||
	not_ok "daily report: update late" "$(grep "$A" "$D/reports/$late.csv")"
c --today "$late" list --overdue | grep -q "^$A .* update  *$U1" &&
	ok "list --overdue shows the update owed" || not_ok "list --overdue: update" "$(c --today "$late" list --overdue)"
c --today "$late" record "$A" updated --note "waiting for the provider's records" >/dev/null 2>&1
U2=$(months "$late" 6)
[ "$(stage "$A" 1 update_by)" = "$U2" ] && ok "an update recorded: the next is due six months after it ($U2)" ||
	not_ok "adults: next update by $U2" "$(stage "$A" 1 update_by)"
refused "a stage with no fixed deadline cannot be extended" 1 "no fixed response deadline to extend" \
	c --today "$late" record "$A" extended --days 5 --reason x
refused "the adults' procedure has no stage 2" 1 "last stage of its procedure" \
	c --today "$late" record "$A" escalated --reason "asked"
RESP=$(wd "$late" 3)
c --today "$RESP" record "$A" responded --date "$RESP" >/dev/null 2>&1
[ "$(stage "$A" 1 update_by)" = None ] && ok "answered: no update is owed" ||
	not_ok "answered: no update owed" "$(stage "$A" 1 update_by)"
OMB=$(months "$RESP" 12)
l=$(letter "$A" stage-1-response)
words=$(python3 -c "import datetime; d=datetime.date.fromisoformat('$OMB'); print(f'{d.day} {d:%B %Y}')")
grep -q "within 12 months of this" <<<"$l" && grep -q "by <strong>$words</strong>" <<<"$l" &&
	ok "the final response gives the Ombudsman's time limit as a date ($words)" ||
	not_ok "final response: Ombudsman by $words" "$l"

# ------------------------------------------- the children's stage 3 steps
R1=$(wd 2027-01-05 2)
c --today 2027-03-02 record "$K" responded --date "$R1" >/dev/null 2>&1
E2=$(wd "$R1" 1)
c --today 2027-03-02 record "$K" escalated --date "$E2" >/dev/null 2>&1
R2=$(wd "$E2" 3)
c --today 2027-03-02 record "$K" responded --date "$R2" >/dev/null 2>&1
E3=$(wd "$R2" 2)
out=$(c --today 2027-03-02 record "$K" escalated --date "$E3" 2>&1)
[ "$(packed "$K" "c['stage']")" = 3 ] && ok "children's: stage 3 opened" || not_ok "children's: stage 3" "$out"
P=$(wd "$E3" 30)
PR=$(wd "$P" 5)
RD=$(wd "$PR" 15)
[ "$(packed "$K" "[(s['step'], s['due'], s['done']) for s in c['stages'][2]['steps']]")" = "[('panel', '$P', None), ('panel-report', '$PR', None)]" ] &&
	ok "stage 3: the panel within 30 WD ($P), its report 5 WD after ($PR)" ||
	not_ok "stage 3 steps" "$(packed "$K" "c['stages'][2]['steps']")"
[ "$(stage "$K" 3 respond_by)" = "$RD" ] && ok "stage 3: the response 15 WD after the report is due ($RD)" ||
	not_ok "stage 3: respond by $RD" "$(stage "$K" 3 respond_by)"
refused "a step the stage does not have is refused, naming its steps" 1 "has no step 'panle' (panel, panel-report)" \
	c --today 2027-03-02 record "$K" step --step panle
refused "step needs --step" 2 "step needs --step ID" c --today 2027-03-02 record "$K" step
PM=$(wd "$E3" 8)
c --today "$PM" record "$K" step --step panel --date "$PM" >/dev/null 2>&1
PR2=$(wd "$PM" 5)
[ "$(packed "$K" "c['stages'][2]['steps'][1]['due']")" = "$PR2" ] &&
	[ "$(stage "$K" 3 respond_by)" = "$(wd "$PR2" 15)" ] &&
	ok "the panel met early: its report and the response count from the meeting" ||
	not_ok "steps recounted from the panel's date" "$(packed "$K" "c['stages'][2]")"
refused "a step is recorded once" 1 "step 'Review panel meets' was recorded on $PM already" \
	c --today "$PM" record "$K" step --step panel
c --today "$PM" report >/dev/null 2>&1
grep -q "^\"respond_due\",\"$K\",\"complaint\",\"3\",.*\"$PR2\",\"\",\"step: Panel's report sent\"" "$D/reports/$PM.csv" &&
	ok "the daily report lists the next step due" ||
	not_ok "daily report: step due" "$(grep "$K" "$D/reports/$PM.csv")"
PRD=$(wd "$PM" 3)
c --today "$PRD" record "$K" step --step panel-report --date "$PRD" >/dev/null 2>&1
[ "$(stage "$K" 3 respond_by)" = "$(wd "$PRD" 15)" ] && ok "the response counts from the report's day" ||
	not_ok "respond from the report" "$(stage "$K" 3 respond_by)"
cover=$(unzip -p "$D/casepacks/$K.zip" index.html)
grep -q "<th scope=\"row\">Review panel meets: done</th><td>$PM</td>" <<<"$cover" &&
	ok "the cover sheet shows each step's dates" || not_ok "cover sheet: steps" "$(grep -i panel <<<"$cover")"
c --today "$PRD" record "$K" responded --date "$PRD" >/dev/null 2>&1
grep -q "Director of Children&#39;s Services\|Director of Children's Services" <<<"$(letter "$K" stage-3-response)" &&
	ok "the stage 3 response is signed by the role the rules name" || not_ok "stage 3 responder" "$(letter "$K" stage-3-response)"

# The annual figures: a stage with no fixed deadline is neither in time
# nor late; the children's stages 1 and 2, answered early, are in time.
c --today 2027-12-31 annual --year 2027 >/dev/null 2>&1
grep -q '^"answered_in_time","stage 1","1","1","100.0"' "$D/reports/annual-2027.csv" &&
	ok "annual: a stage with no fixed deadline is not counted as late" ||
	not_ok "annual: answered in time" "$(grep answered_in_time "$D/reports/annual-2027.csv")"

# ------------------------------ a council's own rules: what else they say
R=$S/rules
mkdir -p "$R"
cp -r content/calendars content/letters "$R/"
python3 - content/rules.yml "$R/rules.yml" <<'EOF_PY'
import sys
s = open(sys.argv[1]).read()
old = """      - stage: 1
        acknowledge_days: 5
        respond_days: 10
        respond_from: acknowledgement
        extension_max_days: 10
        # the resident may ask for stage 2 within 20 working days of the
        # stage 1 response: what the published policy promises (the Code
        # sets no window; docs/rules.md says why 20 working days)
        next_stage_within: {days: 20, unit: working}
"""
new = """      - stage: 1
        acknowledge_days: none
        respond_days: 10
        respond_from: acknowledgement
        extension_max_days: 10
        exceptional_extension_days: 10
        next_stage_within: none
"""
assert s.count(old) == 1
open(sys.argv[2], "w").write(s.replace(old, new))
EOF_PY
D2=$S/data2
c2() { "$CW" --rules "$R/rules.yml" --forms content/forms --theme themes/default --data "$D2" "$@"; }
rm -rf "$S/subs"
complaint CUSTA-00001 2027-01-05T10:00:00Z bins
python3 $MK "$S/day2.zip" "$S"/subs/*
c2 --today 2027-01-05 ingest "$S/day2.zip" >/dev/null 2>&1
C=$(sqlite3 "$D2/register.db" "select reference from cases where submission_id='CUSTA-00001'")
pk() { D=$D2 packed "$@"; }
[ "$(pk "$C" "c['stages'][0]['acknowledge_by']")" = None ] &&
	[ "$(pk "$C" "c['stages'][0]['respond_by']")" = "$(wd 2027-01-05 10)" ] &&
	ok "no acknowledgement step: none due, the response counts from receipt" ||
	not_ok "no acknowledgement step" "$(pk "$C" "c['stages'][0]")"
unzip -l "$D2/casepacks/$C.zip" | grep -q "stage-1-acknowledgement" &&
	not_ok "no acknowledgement letter for a stage without the step" ||
	ok "no acknowledgement letter for a stage without the step"
c2 --today 2027-01-06 list | grep -q "^$C .* respond  *$(wd 2027-01-05 10)" &&
	ok "list shows the response as the next deadline" || not_ok "list: respond next" "$(c2 --today 2027-01-06 list)"
refused "beyond the usual maximum needs exceptional circumstances" 1 "1 to 10 working days (more only for exceptional circumstances), not 15" \
	c2 --today 2027-01-06 record "$C" extended --days 15 --reason "waiting"
refused "an exceptional extension has its own maximum" 1 "1 to 20 working days, not 25" \
	c2 --today 2027-01-06 record "$C" extended --days 25 --reason "flood" --exceptional
c2 --today 2027-01-06 record "$C" extended --days 15 --reason "the office flooded" --exceptional >/dev/null 2>&1
[ "$(pk "$C" "c['stages'][0]['respond_by']")" = "$(wd 2027-01-05 25)" ] &&
	[ "$(pk "$C" "c['stages'][0]['extension_exceptional']")" = True ] &&
	ok "an exceptional extension is recorded as such" || not_ok "exceptional extension" "$(pk "$C" "c['stages'][0]")"
l=$(D=$D2 letter "$C" stage-1-extension)
grep -q "exceptional" <<<"$l" && grep -q "the office flooded" <<<"$l" &&
	ok "the extension letter gives the reason and says it is exceptional" || not_ok "extension letter" "$l"
c2 --today 2027-02-01 record "$C" responded --date 2027-02-01 >/dev/null 2>&1
c2 --today 2028-01-05 record "$C" escalated --date 2028-01-05 >/dev/null 2>&1
[ "$(pk "$C" "c['stage']")" = 2 ] &&
	[ "$(pk "$C" "[f['flag'] for f in c['flag_details'] if f['flag'] == 'review_out_of_time']")" = "[]" ] &&
	ok "no time limit for stage 2: asked a year later, not out of time" ||
	not_ok "no stage 2 time limit" "$(pk "$C" "c['flag_details']")"

# ------------------------------------------------ rules that cannot hold
bad() {
	local what=$1 pat=$2 py=$3 out rc
	python3 - "$R/rules.yml" "$R/bad.yml" "$py" <<'EOF_PY'
import sys
s = open(sys.argv[1]).read()
old, new = sys.argv[3].split("|||")
assert s.count(old) == 1, old
open(sys.argv[2], "w").write(s.replace(old, new))
EOF_PY
	out=$("$CW" --rules "$R/bad.yml" --forms content/forms --data "$S/data3" list 2>&1)
	rc=$?
	if [ $rc -ne 0 ] && grep -q -- "$pat" <<<"$out"; then ok "$what"; else not_ok "$what" "rc=$rc $out"; fi
}
bad "no fixed deadline with an extension: file:line:col" "bad.yml:[0-9]*:[0-9]*: a stage with no fixed response deadline" \
	"        update_after_months: 6
|||        update_after_months: 6
        extension_max_days: 5
"
bad "a step counting from a step not listed before it" "bad.yml:[0-9]*:[0-9]*: must be acknowledgement, request or the id of a step listed before it" \
	"days: 5, from: panel}|||days: 5, from: hearing}"
bad "respond_from naming no step" "bad.yml:[0-9]*:[0-9]*: must be acknowledgement, request or the id of a step" \
	"respond_from: panel-report|||respond_from: panel-reports"
bad "a step listed twice" "step 'panel' is listed twice" \
	"          - {id: panel-report,|||          - {id: panel,"
bad "acknowledge_days neither a number nor none" "'acknowledge_days' must be a whole number from 0 to 100, or none" \
	"        acknowledge_days: none|||        acknowledge_days: soon"
bad "next_stage_within neither a window nor none" "'next_stage_within' must be {days: N, unit: calendar|working}, or none" \
	"next_stage_within: none|||next_stage_within: never"

finish "procedures e2e"
