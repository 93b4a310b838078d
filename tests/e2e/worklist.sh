#!/usr/bin/env bash
# End-to-end tests of the work list: urgency from the rules' phrases and
# from officers, reply deadlines for service requests and comments, and
# casework list's filters (open, closed, team, priority, search by
# reference, name, email, phone and postcode), its order (urgent first,
# then by the next deadline) and its working-days-overdue column; the
# daily report's urgent section and reply deadlines. Real binaries, a real
# register.
#
# Received Tuesday 15 December 2026; 25 and 28 December 2026 and
# 1 January 2027 are bank holidays.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

S=$SCRATCH
D=$S/data
# The council's rules, with first contact recorded as a service request.
mkdir -p "$S/content"
cp -r content/forms content/letters content/calendars "$S/content/"
sed 's/^first_contact_as_service_request: no/first_contact_as_service_request: yes/' content/rules.yml >"$S/content/rules.yml"
grep -q '^first_contact_as_service_request: yes' "$S/content/rules.yml" || not_ok "rules copy"
c() { "$CW" --rules "$S/content/rules.yml" --forms "$S/content/forms" --theme themes/default --data "$D" "$@"; }
# list_refs ARGS: the references list prints, in order, one line
list_refs() { c list "$@" | awk 'NR > 1 {printf "%s ", $1}'; }

rm -rf "$S/subs"
complaint WLURG-00001 2026-12-15T09:00:00Z housing-repairs '{"full_name": "Ada Lovelace", "email": "Ada@Example.ORG", "phone": "+44 7700 900123", "postcode": "nm1 1aa", "what_happened": "The landlord says we face eviction next week."}'
complaint WLSAF-00002 2026-12-15T10:00:00Z bins '{"impact": "I have a safeguarding concern about my neighbour."}'
complaint WLPLN-00003 2026-12-14T10:00:00Z roads '{"full_name": "Grace Hopper", "email": "grace@example.org"}'
complaint WLSRQ-00004 2026-12-15T11:00:00Z bins '{"raised_before": "no"}'
PYCODE="
mb.sub(P, 'WLCMT-00005', 'feedback', '2026-12-15T12:00:00Z', {'feedback_type': 'comment', 'service_area': 'bins', 'message': 'More recycling bins in the park, please.', 'full_name': 'Alan Turing', 'email': 'alan@example.org', 'reply_wanted': 'yes'})
mb.sub(P, 'WLCMN-00006', 'feedback', '2026-12-15T12:30:00Z', {'feedback_type': 'comment', 'service_area': 'bins', 'message': 'Nice new bins.', 'reply_wanted': 'no'})
" py
python3 $MK "$S/day1.zip" "$S"/subs/*
out=$(c --today 2026-12-15 ingest "$S/day1.zip" 2>&1)
grep -q "total: 6 read: 4 cases, 2 records" <<<"$out" && ok "six submissions ingested" || not_ok "six submissions ingested" "$out"
U=$(ref_of WLURG-00001)
SAF=$(ref_of WLSAF-00002)
P=$(ref_of WLPLN-00003)
SR=$(ref_of WLSRQ-00004)
CM=$(ref_of WLCMT-00005)
CN=$(ref_of WLCMN-00006)

# ------------------------------------------------------------- urgency
[ "$(packed "$U" "c['priority']")" = urgent ] &&
	packed "$U" "[f['detail'] for f in c['flag_details'] if f['flag'] == 'urgent'][0]" | grep -q '"evict" (eviction)' &&
	ok "an eviction is urgent, the flag naming the phrase" || not_ok "eviction urgent" "$(packed "$U" "c['flag_details']")"
[ "$(packed "$SAF" "c['priority']")" = urgent ] &&
	[ "$(packed "$SAF" "[f['flag'] for f in c['flag_details']]")" = "['urgent']" ] &&
	ok "safeguarding is urgent and no longer a possible exclusion" || not_ok "safeguarding" "$(packed "$SAF" "c['flag_details']")"
[ "$(packed "$P" "c['priority']")" = normal ] && ok "an ordinary complaint is normal" || not_ok "normal priority"

# ------------------------------------------------------ reply deadlines
[ "$(packed "$SR" "c['type']")" = service_request ] && [ "$(packed "$SR" "c['deadlines']['reply']")" = 2026-12-31 ] &&
	ok "a service request's target: 10 working days, 2026-12-31" || not_ok "service request target" "$(packed "$SR" "c['type'], c['deadlines']")"
[ "$(packed "$CM" "c['deadlines']['reply']")" = 2026-12-31 ] &&
	ok "a comment that asked for a reply: due 2026-12-31" || not_ok "comment reply deadline" "$(packed "$CM" "c['deadlines']")"
[ "$(packed "$CN" "c['deadlines']['reply']")" = None ] &&
	ok "a comment that wanted no reply has no deadline" || not_ok "no reply wanted" "$(packed "$CN" "c['deadlines']")"
python3 - "$D/casepacks/$CM.zip" <<'EOF' && ok "the cover sheet says when the reply is due" || not_ok "cover sheet: reply by"
import sys, zipfile
h = zipfile.ZipFile(sys.argv[1]).read("index.html").decode()
assert "Reply by" in h and "2026-12-31" in h
EOF

# ------------------------------------------------------------ the list
# P was received on Monday, so its acknowledgement falls first among the
# complaints; the two urgent ones, due the same day, come before it all
# the same (by reference). The comment's
# reply and the service request's answer are both due on 31 December (by
# reference then); the comment that wanted no reply comes last.
got=$(list_refs --today 2026-12-16)
want="$SAF $U $P $CM $SR $CN "
[ "$got" = "$want" ] && ok "list: urgent first, then by the next deadline" || not_ok "list order" "got  $got
want $want"
line=$(c --today 2027-01-06 list | grep "^$CM")
# 4, 5 and 6 January: 3 working days late (1 January is a bank holiday)
awk '{ if ($6 == "reply" && $7 == "2026-12-31" && $8 == "3") exit 0; exit 1 }' <<<"$line" &&
	ok "list: the reply deadline, 3 working days overdue on 2027-01-06" || not_ok "list: reply overdue column" "$line"
c --today 2027-01-06 report >/dev/null 2>&1
grep -q "^\"overdue\",\"$CM\",.*\"2026-12-31\",\"3\",\"reply\"" "$D/reports/2027-01-06.csv" &&
	ok "the daily report lists the overdue reply" || not_ok "daily report: overdue reply" "$(grep "$CM" "$D/reports/2027-01-06.csv")"
grep -q "^\"urgent\",\"$U\"" "$D/reports/2027-01-06.csv" && grep -q "^\"urgent\",\"$SAF\"" "$D/reports/2027-01-06.csv" &&
	[ "$(head -2 "$D/reports/2027-01-06.csv" | tail -1 | cut -d, -f1)" = '"urgent"' ] &&
	ok "the daily report opens with the urgent cases" || not_ok "daily report urgent section" "$(head -5 "$D/reports/2027-01-06.csv")"

c --today 2026-12-18 record "$CM" responded >/dev/null 2>&1
[ "$(packed "$CM" "c['deadlines']['replied']")" = 2026-12-18 ] && ok "responded on a comment records the reply" || not_ok "reply recorded"
c --today 2026-12-18 record "$P" acknowledged >/dev/null 2>&1
c --today 2026-12-18 record "$P" responded >/dev/null 2>&1
c --today 2026-12-18 record "$P" closed --outcome not-upheld >/dev/null 2>&1
got=$(list_refs --today 2026-12-18 --open)
[ "$got" = "$SAF $U $SR " ] && ok "list --open: what is left to do" || not_ok "list --open" "$got"
got=$(list_refs --today 2026-12-18 --closed)
[ "$got" = "$P $CN $CM " ] && ok "list --closed: closed, replied to, or nothing to do" || not_ok "list --closed" "$got"
got=$(list_refs --today 2026-12-18 --team Highways)
[ "$got" = "$P " ] && ok "list --team" || not_ok "list --team" "$got"
got=$(list_refs --today 2026-12-18 --priority urgent)
[ "$got" = "$SAF $U " ] && ok "list --priority urgent" || not_ok "list --priority urgent" "$got"
out=$(c --today 2026-12-18 list --priority high 2>&1)
[ $? -eq 2 ] && grep -q "urgent or normal" <<<"$out" && ok "list --priority refuses what is not a priority" || not_ok "list --priority high" "$out"

# ---------------------------------------------------------------- search
for q in "lovelace" "ADA@example.org" "07700 900123" "+44 7700 900 123" "NM1 1AA" "nm11aa" "${U,,}"; do
	got=$(list_refs --today 2026-12-18 --search "$q")
	[ "$got" = "$U " ] && ok "search '$q' finds the case" || not_ok "search '$q'" "$got"
done
got=$(list_refs --today 2026-12-18 --search "nobody-at-all")
[ -z "$got" ] && ok "search for nothing held finds nothing" || not_ok "empty search" "$got"
got=$(list_refs --today 2026-12-18 --search "grace" --open)
[ -z "$got" ] && ok "search with --open: the closed case is left out" || not_ok "search --open" "$got"

# ----------------------------------------------------- officers' priority
c --today 2026-12-18 record "$U" decided --flag urgent --outcome not-urgent --reason "the notice was withdrawn" >/dev/null 2>&1
[ "$(packed "$U" "c['priority']")" = normal ] && ok "decided not urgent: the case is normal" || not_ok "not-urgent decision"
out=$(c --today 2026-12-18 record "$SR" prioritised --priority urgent --reason "a vulnerable resident" 2>&1)
EV=$(sed -n 's/.* recorded as event \([0-9]*\).*/\1/p' <<<"$out")
[ "$(packed "$SR" "c['priority']")" = urgent ] && ok "prioritised urgent by an officer" || not_ok "prioritised" "$out"
got=$(list_refs --today 2026-12-18 --open)
[ "$got" = "$SAF $SR $U " ] && ok "the list follows the officers' priorities" || not_ok "list after priorities" "$got"
out=$(c --today 2026-12-18 record "$SR" prioritised --priority high --reason x 2>&1)
[ $? -eq 1 ] && grep -q "urgent or normal, not 'high'" <<<"$out" && ok "prioritised refuses what is not a priority" || not_ok "prioritised high" "$out"
c --today 2026-12-18 record "$SR" withdrawn --event "$EV" --why "set on the wrong case" >/dev/null 2>&1
[ "$(packed "$SR" "c['priority']")" = normal ] && ok "the priority withdrawn: normal again" || not_ok "priority withdrawn"

# ------------------------------------------------- reclassify and move
# A service request escalated: a complaint whose clock starts that day
# (Mon 21 Dec: acknowledge in 5 working days, by Wed 30 Dec; 25 and 28
# December are bank holidays).
out=$(c --today 2026-12-21 record "$SR" escalated --reason "the resident is not satisfied" 2>&1)
NEWSR=$(sed -n 's/^\([A-Z]*-[0-9]*-[0-9]*\): reclassified recorded .*(was '"$SR"').*/\1/p' <<<"$out")
[ -n "$NEWSR" ] && [ "$(packed "$NEWSR" "c['type'], c['stages'][0]['request'], c['deadlines']['acknowledge']")" = "('complaint', '2026-12-21', '2026-12-30')" ] &&
	ok "a service request escalated becomes a complaint counted from that day" || not_ok "service request escalated" "$out"
[ ! -e "$D/casepacks/$SR.zip" ] && [ -f "$D/casepacks/$NEWSR.zip" ] && ok "the pack is renamed with the reference" || not_ok "pack renamed"
out=$(c --today 2026-12-21 show "$SR" 2>&1)
head -1 <<<"$out" | grep -q "^$NEWSR  complaint" && ok "the old reference still finds the case" || not_ok "alias finds the case" "$out"
out=$(c --today 2026-12-21 record "$CN" reclassified --as complaint --reason "it says it is a formal complaint" 2>&1)
NEWCN=$(sed -n 's/^\([A-Z]*-[0-9]*-[0-9]*\): reclassified .*/\1/p' <<<"$out")
EV=$(sed -n 's/.* recorded as event \([0-9]*\).*/\1/p' <<<"$out")
[ "$(packed "$NEWCN" "c['type'], c['stage'], c['status']")" = "('complaint', 1, 'open')" ] &&
	ok "a comment reclassified as a complaint" || not_ok "comment to complaint" "$out"
c --today 2026-12-21 record "$NEWCN" withdrawn --event "$EV" --why "the resident meant a comment" >/dev/null 2>&1
[ "$(packed "$CN" "c['type'], c['reference'], c['stage']")" = "('comment', '$CN', None)" ] && [ ! -e "$D/casepacks/$NEWCN.zip" ] &&
	ok "the reclassification withdrawn: a comment with its first reference again" || not_ok "reclassification withdrawn" "$(ls "$D/casepacks") $(packed "$CN" "c['type'], c['reference'], c['stage']")"
c --today 2026-12-21 show "$NEWCN" >/dev/null 2>&1 && ok "the reference it had still finds it" || not_ok "withdrawn reference finds it"
out=$(c --today 2026-12-21 record "$CN" reclassified --as review --reason x 2>&1)
[ $? -eq 2 ] && grep -q "not 'review'" <<<"$out" && ok "reclassified refuses what is not a type" || not_ok "reclassified --as review" "$out"
out=$(c --today 2026-12-21 record "$CN" reclassified --as comment --reason x 2>&1)
[ $? -eq 1 ] && grep -q "is a comment already" <<<"$out" && ok "reclassified to its own type is refused" || not_ok "same type" "$out"
out=$(c --today 2026-12-21 record "$CN" reclassified --as complaint 2>&1)
[ $? -eq 2 ] && grep -q "needs --as TYPE" <<<"$out" && ok "reclassified needs a reason" || not_ok "reclassified reason" "$out"

c --today 2026-12-21 record "$SAF" moved --service-area roads --reason "it is about a pothole" >/dev/null 2>&1
[ "$(packed "$SAF" "c['service_area'], c['team']")" = "('roads', 'Highways')" ] &&
	ok "moved: another service area, routed to its team by the rules" || not_ok "moved" "$(packed "$SAF" "c['service_area'], c['team']")"
# SAF came on Tue 15 Dec. Under the corporate procedure: acknowledge in 5
# working days (Tue 22 Dec), answer 10 after that (25 and 28 Dec and 1 Jan
# are bank holidays: Fri 8 Jan). Moved to children's social care, the
# statutory procedure: 3 working days (Fri 18 Dec), 10 from the request
# (Thu 31 Dec). Moved back, the corporate dates again.
deadlines() { packed "$SAF" "c['procedure'], c['stages'][0]['acknowledge_by'], c['stages'][0]['respond_by']"; }
got1=$(deadlines)
c --today 2026-12-21 record "$SAF" moved --service-area childrens-social-care --reason "it is about a child in care" >/dev/null 2>&1
got2=$(deadlines)
c --today 2026-12-21 record "$SAF" moved --service-area roads --reason "it is about a pothole after all" >/dev/null 2>&1
got3=$(deadlines)
[ "$got1" = "('corporate', '2026-12-22', '2027-01-08')" ] && [ "$got2" = "('childrens', '2026-12-18', '2026-12-31')" ] && [ "$got3" = "$got1" ] &&
	ok "a move to another procedure's area changes the procedure and its deadlines" || not_ok "moved: procedure" "$got1 / $got2 / $got3"
out=$(c --today 2026-12-21 record "$SAF" moved --service-area moon-base --reason x 2>&1)
[ $? -eq 1 ] && grep -q "do not know the service area 'moon-base'" <<<"$out" && ok "moved to an unknown area is refused" || not_ok "unknown area" "$out"
out=$(c --today 2026-12-21 record "$SAF" moved --service-area licensing --reason x 2>&1)
[ $? -eq 1 ] && grep -q "reclassify the case as signposted" <<<"$out" && ok "a complaint moved to an excluded area is refused" || not_ok "excluded area" "$out"
out=$(c --today 2026-12-21 record "$SAF" reclassified --as signposted --reason "handled under the licensing appeal route" 2>&1)
SGN=$(sed -n 's/^\([A-Z]*-[0-9]*-[0-9]*\): reclassified .*/\1/p' <<<"$out")
[ "$(packed "$SGN" "c['type'], c['status'], c['stages']")" = "('signposted', 'signposted', [])" ] &&
	ok "a complaint reclassified as a signposted record" || not_ok "complaint to signposted" "$out"
c --today 2026-12-21 annual --from 2026-12-01 --to 2026-12-31 >/dev/null 2>&1
F=$(ls "$D"/reports/annual-*.csv | head -1)
grep -q '"volume_by_type","signposted","1"' "$F" && grep -q '"volume_by_type","complaint","3"' "$F" &&
	ok "the annual figures count each case as it is now" || not_ok "annual by type" "$(grep volume_by_type "$F")"

# ------------------------------------------------------- merge and link
# The same person writes again about the same bins: flagged
# possible_duplicate, then merged into the first case.
rm -rf "$S/subs"
complaint WLDUP-00007 2026-12-22T10:00:00Z bins '{"full_name": "Alan Turing", "email": "alan@example.org"}'
complaint WLAFS-00006 2026-12-21T10:00:00Z bins '{"full_name": "Alan Turing", "email": "alan@example.org"}'
complaint WLREL-00008 2026-12-22T11:00:00Z bins '{"full_name": "Joan Clarke", "email": "joan@example.org"}'
python3 $MK "$S/day5.zip" "$S"/subs/*
c --today 2026-12-22 ingest "$S/day5.zip" >/dev/null 2>&1
FST=$(ref_of WLAFS-00006)
DUP=$(ref_of WLDUP-00007)
REL=$(ref_of WLREL-00008)
[ "$(packed "$DUP" "[f['flag'] for f in c['flag_details']]")" = "['possible_duplicate']" ] && ok "the second complaint is flagged possible_duplicate" || not_ok "possible_duplicate" "$(packed "$DUP" "c['flag_details']")"
# the period's figures before and after the merge: the duplicate counts once
figures() {
	c --today 2026-12-22 annual --from 2026-12-01 --to 2026-12-31 >/dev/null 2>&1
	grep -E '^"(volume_by_type","complaint|volume_by_channel","online form|volume_by_stage","stage 1|extensions","stage 1)"' "$(ls "$D"/reports/annual-*.csv | head -1)" | tr -d '\r"' | cut -d, -f1,3-4 | tr '\n' ' '
}
before=$(figures)
out=$(c --today 2026-12-22 record "$DUP" merged --into "$FST" --reason "the same missed collection" 2>&1)
[ $? -eq 0 ] && [ "$(packed "$DUP" "c['status'], c['merged_into'], c['flag_details'][0]['decision']['outcome']")" = "('merged', '$FST', 'merged')" ] &&
	ok "merged: the duplicate is done with and its flag decided" || not_ok "merged" "$out $(packed "$DUP" "c['status'], c['merged_into']")"
after=$(figures)
# three complaints before day 5 (above) and three on it; nine online forms
[ "$before" = 'volume_by_type,6, volume_by_stage,6, volume_by_channel,9, extensions,0,6 ' ] &&
	[ "$after" = 'volume_by_type,5, volume_by_stage,5, volume_by_channel,8, extensions,0,5 ' ] &&
	ok "a merged duplicate leaves the annual figures: complaints 6 then 5, by channel 9 then 8" ||
	not_ok "annual figures after a merge" "before: $before after: $after"
unzip -l "$D/casepacks/$FST.zip" | grep -q "merged-$DUP-submission.json" && [ "$(packed "$FST" "c['linked']")" = "['$DUP']" ] &&
	ok "the case it went into holds the duplicate's submission" || not_ok "merged submission in the pack" "$(unzip -l "$D/casepacks/$FST.zip")"
out=$(c --today 2026-12-22 show "$DUP" 2>&1)
grep -q "$DUP was merged into $FST" <<<"$out" && grep -q "^$FST " <<<"$out" &&
	ok "the merged reference finds the case it went into" || not_ok "merged reference" "$out"
got=$(list_refs --today 2026-12-22 --open --search alan)
[ "$got" = "$FST " ] && ok "the merged duplicate leaves the open list" || not_ok "merged leaves the list" "$got"
out=$(c --today 2026-12-22 record "$FST" merged --into "$FST" --reason x 2>&1)
[ $? -eq 1 ] && grep -q "that is this case" <<<"$out" && ok "a case is not merged into itself" || not_ok "self merge" "$out"
out=$(c --today 2026-12-22 record "$FST" linked --with "$REL" --reason "the same street's collections" 2>&1)
[ $? -eq 0 ] && [ "$(packed "$REL" "c['linked']")" = "['$FST']" ] && [ "$(packed "$FST" "c['linked']")" = "['$DUP', '$REL']" ] &&
	ok "linked: each case names the other, neither merged" || not_ok "linked" "$out"
# The merge was a mistake: withdrawn on the case it went into, it is
# withdrawn on the duplicate too, which is a case of its own again.
MIN=$(c --today 2026-12-22 show "$FST" 2>/dev/null | sed -n 's/^ *\([0-9]*\) .* merged-in .*/\1/p')
out=$(c --today 2026-12-22 record "$FST" withdrawn --event "$MIN" --why "a different collection after all" 2>&1)
[ $? -eq 0 ] && [ "$(packed "$DUP" "c['status'], c.get('merged_into'), [('decision' in f) for f in c['flag_details']]")" = "('open', None, [False])" ] &&
	[ "$(packed "$FST" "c['linked']")" = "['$REL']" ] && ! unzip -l "$D/casepacks/$FST.zip" | grep -q "merged-$DUP" &&
	ok "a merge withdrawn on one case is withdrawn on both: the duplicate is open again, its flag undecided" ||
	not_ok "merge withdrawn" "MIN=$MIN $out $(packed "$DUP" "c['status'], c.get('merged_into')")"
got=$(list_refs --today 2026-12-22 --open --search alan)
[ "$got" = "$FST $DUP " ] || [ "$got" = "$DUP $FST " ] && ok "the unmerged duplicate is back in the list" || not_ok "unmerged in the list" "$got"
out=$(c --today 2026-12-22 record "$FST" withdrawn --event "$MIN" --why again 2>&1)
[ $? -eq 1 ] && grep -q "withdrawn already" <<<"$out" && ok "a merge is withdrawn once" || not_ok "withdrawn twice" "$out"
c --today 2026-12-22 show "$DUP" 2>&1 | grep -q "withdrawn .*event [0-9]*: a different collection after all" &&
	ok "the duplicate's history shows its merge withdrawn, with the reason" || not_ok "duplicate history" "$(c --today 2026-12-22 show "$DUP" 2>&1)"
LNK=$(c --today 2026-12-22 show "$REL" 2>/dev/null | sed -n 's/^ *\([0-9]*\) .* linked (stage [0-9]*) with .*/\1/p')
out=$(c --today 2026-12-22 record "$REL" withdrawn --event "$LNK" --why "different streets" 2>&1)
[ $? -eq 0 ] && [ "$(packed "$REL" "c['linked']")" = "[]" ] && [ "$(packed "$FST" "c['linked']")" = "[]" ] &&
	ok "a link withdrawn from either case leaves neither naming the other" || not_ok "link withdrawn" "LNK=$LNK $out"

# ------------------------------------------------ members' enquiries
rm -rf "$S/subs"
complaint WLMP1-00009 2026-12-22T12:00:00Z bins '{"on_behalf": "yes", "person_name": "Dee Resident", "relationship": "Ward Councillor", "consent": ""}'
complaint WLMP2-00010 2026-12-22T12:10:00Z bins '{"on_behalf": "yes", "person_name": "Eve Resident", "relationship": "their MP", "consent": "yes"}'
complaint WLMP3-00011 2026-12-22T12:20:00Z bins '{"on_behalf": "yes", "person_name": "Fay Resident", "relationship": "company secretary", "consent": ""}'
python3 $MK "$S/day6.zip" "$S"/subs/*
c --today 2026-12-22 ingest "$S/day6.zip" >/dev/null 2>&1
M1=$(ref_of WLMP1-00009)
M2=$(ref_of WLMP2-00010)
M3=$(ref_of WLMP3-00011)
[ "$(packed "$M1" "c['type'], [f['flag'] for f in c['flag_details']]")" = "('service_request', ['member_enquiry'])" ] &&
	ok "a councillor asking without the resident's consent: a member's enquiry, a service request" || not_ok "member enquiry" "$(packed "$M1" "c['type'], c['flag_details']")"
[ "$(packed "$M2" "c['type']")" = complaint ] && ok "an MP complaining for a resident with consent: a complaint" || not_ok "MP with consent" "$(packed "$M2" "c['type']")"
[ "$(packed "$M3" "c['type'], [f['flag'] for f in c['flag_details']]")" = "('complaint', ['third_party_without_consent'])" ] &&
	ok "'company' is not 'MP': whole words only" || not_ok "whole words" "$(packed "$M3" "c['type'], c['flag_details']")"

# ------------------------------------ an exclusion confirmed by signposting
rm -rf "$S/subs"
complaint WLPCN-00012 2026-12-23T09:00:00Z roads '{"what_happened": "I got a parking ticket outside my own house."}'
python3 $MK "$S/day7.zip" "$S"/subs/*
c --today 2026-12-23 ingest "$S/day7.zip" >/dev/null 2>&1
PCN=$(ref_of WLPCN-00012)
[ "$(packed "$PCN" "[(f['flag'], 'decision' in f) for f in c['flag_details']]")" = "[('possible_exclusion', False)]" ] &&
	ok "a parking ticket is flagged possible_exclusion" || not_ok "possible_exclusion" "$(packed "$PCN" "c['flag_details']")"
out=$(c --today 2026-12-23 record "$PCN" reclassified --as signposted --reason "a penalty charge is appealed to the tribunal" 2>&1)
PCN2=$(sed -n 's/^\([A-Z]*-[0-9]*-[0-9]*\): reclassified .*/\1/p' <<<"$out")
[ "$(packed "$PCN2" "[(f['flag'], f['decision']['outcome'], f['decision']['reason']) for f in c['flag_details']]")" = \
	"[('possible_exclusion', 'confirmed', 'a penalty charge is appealed to the tribunal')]" ] &&
	ok "reclassified as signposted: the possible exclusion is decided, confirmed" || not_ok "signposted decides the exclusion" "$out $(packed "$PCN2" "c['flag_details']")"
c --today 2026-12-23 report >/dev/null 2>&1
grep -q "\"flag\",\"$PCN2\"" "$D/reports/2026-12-23.csv" && not_ok "the confirmed exclusion leaves the daily report" "$(grep "$PCN2" "$D/reports/2026-12-23.csv")" ||
	ok "the confirmed exclusion leaves the daily report's flags"

finish "worklist e2e"
