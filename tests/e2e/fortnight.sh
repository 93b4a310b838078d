#!/usr/bin/env bash
# A council's fortnight over Christmas 2026, day by day: the mornings'
# bundles ingested, the officers' steps recorded (one refused, one
# corrected), and on chosen days the list, the overdue list, the daily
# report and the figures compared with what is written out below by hand.
#
# The calendar (England and Wales): Friday 25 December, Monday 28 December
# (Boxing Day's substitute) and Friday 1 January 2027 are bank holidays.
# Counting starts the day after the day a submission counts from; after
# 17:00 (GMT in winter), or on a weekend, it counts from the next working
# day. Stage 1: acknowledge in 5 working days, respond in 10 working days
# from the acknowledgement (from the acknowledgement's due date while
# there is none). Stage 2: acknowledge in 5, respond in 20. A comment that
# asks for a reply: 10 working days.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

S=$SCRATCH
D=$S/data
c() { cw --data "$D" "$@"; }
# rows ARGS: "REF NEXT DUE LATE" for each line list prints, ";"-separated
rows() { cw --data "$D" list "$@" | awk 'NR > 1 { printf "%s %s %s %s;", $1, $6, $7, ($8 ~ /^[0-9]+$/ ? $8 : "-") }'; }
expect() { # expect "what" GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got  $2
want $3"; fi
}
ev() { sed -n 's/.* recorded as event \([0-9]*\).*/\1/p' <<<"$1"; }
bundle() { # bundle NAME: the submissions in $S/subs as $S/NAME.zip
	python3 $MK "$S/$1.zip" "$S"/subs/* && rm -rf "$S/subs"
}

# ---- Monday 14 December: the weekend's and Monday morning's submissions
# S1 bins, 09:00: counts from Mon 14. Acknowledge by Mon 21.
# S2 roads, 17:30: after 17:00, counts from Tue 15. Acknowledge by Tue 22.
# S3 a comment asking for a reply: reply by Wed 30 (10 WD from Mon 14:
#    15 16 17 18 21 22 23 24 29 30).
complaint FN01A-00001 2026-12-14T09:00:00Z bins
complaint FN01B-00002 2026-12-14T17:30:00Z roads
PYCODE="
mb.sub(P, 'FN01C-00003', 'feedback', '2026-12-14T10:00:00Z', {'feedback_type': 'comment', 'service_area': 'parks', 'message': 'The park gates are locked too early.', 'full_name': 'Ada Park', 'email': 'ada.park@example.org', 'reply_wanted': 'yes'})
" py
bundle day1
out=$(c --today 2026-12-14 ingest "$S/day1.zip" 2>&1)
grep -q "total: 3 read: 2 cases, 1 records" <<<"$out" && ok "14 Dec: two complaints and a comment" || not_ok "14 Dec ingest" "$out"
S1=$(ref_of FN01A-00001)
S2=$(ref_of FN01B-00002)
S3=$(ref_of FN01C-00003)
expect "14 Dec: references in order" "$S1 $S2 $S3" "CMP-2026-000001 CMP-2026-000002 COM-2026-000001"
expect "14 Dec: the list" "$(rows --today 2026-12-14)" \
	"CMP-2026-000001 acknowledge 2026-12-21 -;CMP-2026-000002 acknowledge 2026-12-22 -;COM-2026-000001 reply 2026-12-30 -;"

# ---- Tuesday 15 December: S1 acknowledged: respond by Thu 31 Dec
# (16 17 18 21 22 23 24 29 30 31).
c --today 2026-12-15 record "$S1" acknowledged >/dev/null 2>&1

# ---- Monday 21 December: Friday's and Saturday's submissions
# S4 bins, Fri 18 at 12:00: acknowledge by Tue 29 (21 22 23 24 29).
# S5 roads, Sat 19: counts from Mon 21, acknowledge by Wed 30
#    (22 23 24 29 30).
# S2 acknowledged today (a typing slip: it was sent on Friday 18th, put
#    right on 5 January): respond by Thu 7 Jan (22 23 24 29 30 31 4 5 6 7).
complaint FN02A-00004 2026-12-18T12:00:00Z bins '{"full_name": "Bo Bin", "email": "bo@example.org"}'
complaint FN02B-00005 2026-12-19T10:00:00Z roads '{"full_name": "Cy Road", "email": "cy@example.org"}'
bundle day2
c --today 2026-12-21 ingest "$S/day2.zip" >/dev/null 2>&1
S4=$(ref_of FN02A-00004)
S5=$(ref_of FN02B-00005)
expect "21 Dec: references" "$S4 $S5" "CMP-2026-000003 CMP-2026-000004"
out=$(c --today 2026-12-21 record "$S2" acknowledged 2>&1)
S2ACK=$(ev "$out")

# ---- Thursday 24 December: S1 answered and closed; S5 acknowledged:
# respond by Tue 12 Jan (29 30 31 4 5 6 7 8 11 12).
c --today 2026-12-24 record "$S1" responded >/dev/null 2>&1
c --today 2026-12-24 record "$S1" closed --outcome upheld --remedy apology >/dev/null 2>&1
c --today 2026-12-24 record "$S5" acknowledged >/dev/null 2>&1

# ---- Tuesday 29 December: nothing overdue; the open cases by deadline.
expect "29 Dec: nothing overdue" "$(rows --today 2026-12-29 --overdue)" ""
expect "29 Dec: the open cases by their next deadline" "$(rows --today 2026-12-29 --open)" \
	"CMP-2026-000003 acknowledge 2026-12-29 -;COM-2026-000001 reply 2026-12-30 -;CMP-2026-000002 respond 2027-01-07 -;CMP-2026-000004 respond 2027-01-12 -;"

# ---- Wednesday 30 December: S4's acknowledgement is a working day late.
expect "30 Dec: overdue" "$(rows --today 2026-12-30 --overdue)" \
	"CMP-2026-000003 acknowledge 2026-12-29 1;"

# ---- Monday 4 January: 1 January was a bank holiday. S4 is 3 working
# days late (30 31 4), the reply to S3 2 (31 4).
expect "4 Jan: overdue, in working days" "$(rows --today 2027-01-04 --overdue)" \
	"CMP-2026-000003 acknowledge 2026-12-29 3;COM-2026-000001 reply 2026-12-30 2;"
c --today 2027-01-04 report >/dev/null 2>&1
grep -q "^\"overdue\",\"CMP-2026-000003\",\"complaint\",\"1\",\"Waste and Recycling\",\"2026-12-29\",\"3\",\"acknowledgement\"" "$D/reports/2027-01-04.csv" &&
	grep -q "^\"overdue\",\"COM-2026-000001\",\"comment\",\"\",\"Parks and Open Spaces\",\"2026-12-30\",\"2\",\"reply\"" "$D/reports/2027-01-04.csv" &&
	ok "4 Jan: the daily report's overdue rows" || not_ok "4 Jan daily report" "$(grep overdue "$D/reports/2027-01-04.csv")"
# An officer types December's 6th for the 4th: refused, nothing recorded.
out=$(c --today 2027-01-04 record "$S4" acknowledged --date 2026-12-06 2>&1)
[ $? -eq 1 ] && grep -q "before the case was received on 2026-12-18" <<<"$out" &&
	ok "4 Jan: an acknowledgement dated before the complaint is refused" || not_ok "4 Jan refusal" "$out"
# S4 acknowledged today: respond by Mon 18 Jan (5 6 7 8 11 12 13 14 15 18).
c --today 2027-01-04 record "$S4" acknowledged >/dev/null 2>&1
c --today 2027-01-04 record "$S3" responded >/dev/null 2>&1
expect "4 Jan: nothing overdue after the day's work" "$(rows --today 2027-01-04 --overdue)" ""

# ---- Tuesday 5 January: S2's acknowledgement put right to 18 December:
# respond by Wed 6 Jan (21 22 23 24 29 30 31 4 5 6).
c --today 2027-01-05 record "$S2" corrected --event "$S2ACK" --new-date 2026-12-18 --why "the letter went on the 18th" >/dev/null 2>&1
expect "5 Jan: the corrected acknowledgement moves the response deadline" "$(rows --today 2027-01-05 --search "$S2")" \
	"CMP-2026-000002 respond 2027-01-06 -;"

# ---- Wednesday 6 January: S1's resident asks for stage 2, typing the
# reference as 'cmp 2026000001' (12 days after
# the response, inside the window): acknowledge by Wed 13 Jan
# (7 8 11 12 13).
PYCODE="
mb.sub(P, 'FN03A-00006', 'review', '2027-01-06T10:00:00Z', {'case_reference': 'cmp 2026000001', 'full_name': 'Test Person FN01A-00001', 'email': 'FN01A-00001@example.org', 'why_unhappy': 'The bins are still missed.'})
" py
bundle day3
out=$(c --today 2027-01-06 ingest "$S/day3.zip" 2>&1)
grep -q "1 stage 2 escalations" <<<"$out" && ok "6 Jan: the stage 2 request escalates $S1" || not_ok "6 Jan escalation" "$out"

# ---- Friday 8 January: S2's response (due Wed 6) is 2 working days late
# (7 8); the rest in hand.
expect "8 Jan: overdue" "$(rows --today 2027-01-08 --overdue)" \
	"CMP-2026-000002 respond 2027-01-06 2;"
expect "8 Jan: the open cases" "$(rows --today 2027-01-08 --open)" \
	"CMP-2026-000002 respond 2027-01-06 2;CMP-2026-000004 respond 2027-01-12 -;CMP-2026-000001 acknowledge 2027-01-13 -;CMP-2026-000003 respond 2027-01-18 -;"

# The figures from 1 December to 8 January, by hand:
# acknowledged in time at stage 1: S1 (15 Dec, due 21), S2 (18 Dec as
#   corrected, due 22), S5 (24 Dec, due 30); S4 late (4 Jan, due 29 Dec):
#   3 of 4.
# answered in time at stage 1, of those answered or due by 8 Jan: S1 (24
#   Dec, due 31) in time; S2 due 6 Jan, not answered: 1 of 2. S4 (18 Jan)
#   and S5 (12 Jan) are not yet due.
# volumes: 4 complaints and 1 comment; 6 submissions from the website.
c --today 2027-01-08 annual --from 2026-12-01 --to 2027-01-08 >/dev/null 2>&1
F=$(ls "$D"/reports/annual-*.csv | head -1)
fig() { grep "^\"$1\"" "$F" | tr -d '\r' | tr '\n' ';'; }
expect "8 Jan: volumes by type" "$(fig volume_by_type)" '"volume_by_type","comment","1","","";"volume_by_type","complaint","4","","";'
expect "8 Jan: acknowledged within timescale" "$(fig acknowledged_in_time | cut -d';' -f1)" '"acknowledged_in_time","stage 1","3","4","75.0"'
expect "8 Jan: answered within timescale" "$(fig answered_in_time | cut -d';' -f1)" '"answered_in_time","stage 1","1","2","50.0"'
expect "8 Jan: outcomes" "$(fig outcomes)" '"outcomes","stage 1: Upheld","1","","";'
expect "8 Jan: channels" "$(fig volume_by_channel)" '"volume_by_channel","online form","6","","";'
expect "8 Jan: escalations" "$(fig stage2_escalations | cut -d';' -f1)" '"stage2_escalations","complaints received in the period","1","4","25.0"'

finish "fortnight e2e"
