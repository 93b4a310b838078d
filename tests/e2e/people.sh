#!/usr/bin/env bash
# End-to-end tests of the people in the register: officers added by an
# administrator, the acting officer found from the Unix account (or --as,
# for administrators), what each role may list, show, record, export and
# report and what it is refused (a handler asking for another's case by
# reference, by search, by export), each refusal logged; allocation to a
# named handler with its conflicts (the officer named in the complaint,
# stage 2 to a new handler, an officer away or disabled); and the access
# log of who read a case. Real binaries, a real register.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

S=$SCRATCH
D=$S/data
ME=$(id -un)
c() { cw --data "$D" --today 2027-02-01 "$@"; }
as() { local who=$1; shift; cw --data "$D" --today 2027-02-01 --officer "$who" "$@"; }
audit_has() { sqlite3 "$D/register.db" "select count(*) from audit where action = 'refused' and detail like '%$1%'"; }

rm -rf "$S/subs"
complaint PEOPA-00001 2027-01-25T10:00:00Z parks '{"full_name": "Alex Able"}'
complaint PEOPA-00002 2027-01-25T10:05:00Z parks \
	'{"full_name": "Bo Brown", "staff_named": "The officer, hana khan, was rude to me"}'
complaint PEOPA-00003 2027-01-25T10:10:00Z roads '{"full_name": "Cy Cole"}'
python3 $MK "$S/day1.zip" "$S"/subs/* >/dev/null
c ingest "$S/day1.zip" >/dev/null 2>&1
A=$(ref_of PEOPA-00001)
B=$(ref_of PEOPA-00002)
R=$(ref_of PEOPA-00003)
[ -n "$A" ] && [ -n "$B" ] && [ -n "$R" ] && ok "three complaints ingested" || not_ok "three complaints" "$A $B $R"

# ------------------------------------------------ the first administrator
rc_is "with no officers the register is open" 0 c list
refused "the first officer must be an administrator acting as this account" 1 \
	"the first officer must be an administrator acting as this Unix account" \
	c user add tara --name "Tara Team" --role complaints-team --unix "$ME"
rc_is "the first administrator is added" 0 c user add ada --name "Ada Admin" --role administrator --unix "$ME"
rc_is "a complaints-team officer" 0 c user add tara --name "Tara Team" --role complaints-team \
	--team "Customer Services" --title "Complaints Manager"
rc_is "a handler" 0 c user add hana --name "Hana Khan" --role handler --team "Parks and Open Spaces" \
	--title "Parks Manager" --email hana@council.example
rc_is "a second handler" 0 c user add sam --name "Sam Sure" --role handler --team "Parks and Open Spaces"
rc_is "a viewer" 0 c user add vic --name "Vic View" --role viewer
refused "an unknown team is refused" 2 "is not a team the rules route to" \
	c user add pat --name "Pat" --role handler --team "Pest Control"
refused "an unknown role is refused" 2 "is not a role" c user add pat --name "Pat" --role boss
refused "a username given twice is refused" 1 "already in the register" c user add sam --name "Sam 2" --role handler
refused "a bad username is refused" 2 "is not a username" c user add "Sam Sure" --name "x" --role handler
out=$(c user list)
grep -q "^hana  *handler  *Hana Khan  *Parks and Open Spaces" <<<"$out" && ok "user list shows role, name and team" ||
	not_ok "user list" "$out"

# ------------------------------------------------------------ the roles
refused "an administrator reads no cases" 4 "rule 'administrator'" c list
refused "a viewer lists no cases" 4 "rule 'viewer'" as vic list
refused "a viewer reads no case" 4 "rule 'viewer'" as vic show "$A"
rc_is "a viewer reads the annual report" 0 as vic annual --year 2027
refused "the complaints team manages no people" 4 "rule 'people'" as tara user add zed --name Z --role viewer
out=$(as tara list)
grep -q "^$A " <<<"$out" && grep -q "^$B " <<<"$out" && grep -q "^$R " <<<"$out" &&
	ok "the complaints team lists every case" || not_ok "the team lists every case" "$out"

# ---------------------------------------------------------- allocation
rc_is "the complaints team allocates a case to a handler" 0 as tara record "$A" allocated --to hana
refused "the officer named in the complaint is refused" 1 "rule 'named officer': Hana Khan is named in the complaint" \
	as tara record "$B" allocated --to hana
refused "a viewer handles no cases" 1 "who handles no cases" as tara record "$B" allocated --to vic
refused "an unknown officer is refused" 1 "no officer 'nobody'" as tara record "$B" allocated --to nobody
rc_is "an officer notes who the complaint is about" 0 as tara record "$R" named --to sam
refused "an officer noted as named is refused" 1 "rule 'named officer': sam is named in the complaint" \
	as tara record "$R" allocated --to sam
rc_is "the other handler takes it" 0 as tara record "$B" allocated --to sam
refused "reallocation needs a reason" 2 "needs --reason" as tara record "$B" allocated --to tara
rc_is "reallocation with a reason" 0 as tara record "$B" allocated --to tara --reason "Sam is on leave next week"
rc_is "and back" 0 as tara record "$B" allocated --to sam --reason "back from leave"
refused "a handler does not allocate" 4 "rule 'handler'" as hana record "$A" allocated --to sam --reason x
refused "reassigning to a team the rules do not know is refused" 2 "is not a team the rules route to" \
	as tara record "$R" reassigned --to "Pest Control"

c user list | grep -q "^hana .* 1 2027-02-01 " && ok "user list gives a handler's open cases and next deadline" ||
	not_ok "user list's load" "$(c user list)"
out=$(as tara list --handler hana)
grep -q "^$A " <<<"$out" && ! grep -q "^$B " <<<"$out" && ok "list --handler" || not_ok "list --handler" "$out"
out=$(as tara list --unallocated)
grep -q "^$R " <<<"$out" && ! grep -q "^$A " <<<"$out" && ok "list --unallocated" || not_ok "list --unallocated" "$out"
grep -q "HANDLER" <<<"$(as tara list)" && as tara list | grep "^$A " | grep -q " hana " &&
	ok "list has a handler column" || not_ok "list's handler column" "$(as tara list)"

# ------------------------------------------------------- a handler's view
out=$(as hana list)
grep -q "^$A " <<<"$out" && ! grep -q "^$B " <<<"$out" && ! grep -q "^$R " <<<"$out" &&
	ok "a handler lists only their own cases" || not_ok "a handler's list" "$out"
out=$(as hana list --search "Bo Brown")
grep -q "^$B " <<<"$out" && not_ok "a handler's search finds no other's case" "$out" ||
	ok "a handler's search finds no other's case"
[ "$(as hana list --mine | grep -c "^CMP-")" = 1 ] && ok "list --mine" || not_ok "list --mine" "$(as hana list --mine)"
refused "a handler asking for another's case by reference is refused" 4 \
	"$B: refused: rule 'handler': a handler reads and records only the cases allocated to them" \
	as hana show "$B"
refused "a handler recording on another's case is refused" 4 "rule 'handler'" \
	as hana record "$B" acknowledged
refused "a handler exports nothing" 4 "rule 'handler'" as hana export --name "Bo Brown" --out "$S/x.zip"
[ -f "$S/x.zip" ] && not_ok "no export was written" || ok "no export was written"
refused "a handler writes no daily report" 4 "rule 'handler'" as hana report
rc_is "a handler reads their own case" 0 as hana show "$A"
rc_is "a handler records on their own case" 0 as hana record "$A" acknowledged
refused "--by naming someone else is refused" 2 "recorded as done by the officer acting" \
	as hana record "$A" extended --days 5 --reason "x" --by "Someone Else"
as tara show "$A" | grep -q "acknowledged .*hana" && ok "the history names the officer who recorded it" ||
	not_ok "the history names the officer" "$(as tara show "$A" | tail -5)"
[ "$(audit_has "rule%handler")" -ge 4 ] && ok "each refusal is in the audit log" ||
	not_ok "refusals logged" "$(sqlite3 "$D/register.db" "select detail from audit where action='refused'")"
sqlite3 "$D/register.db" "select detail from audit where action='refused'" | grep -q "\"reference\":\"$B\"" &&
	ok "a refusal names the case by reference" || not_ok "refusal's reference"

# ------------------------------------------------------------ access log
out=$(as tara show "$A" --access)
grep -q " ada as hana  *show" <<<"$out" && grep -q " ada as tara  *show" <<<"$out" &&
	ok "show --access lists who read the case" || not_ok "show --access" "$out"
refused "a handler reads no other case's access log" 4 "rule 'handler'" as hana show "$B" --access

# ---------------------------------------------------- stage 2, new handler
as hana record "$A" responded --date 2027-02-01 >/dev/null 2>&1
rc_is "escalated" 0 as tara record "$A" escalated --date 2027-02-01
as tara list --unallocated | grep -q "^$A " && ok "an escalated case waits for its stage 2 handler" ||
	not_ok "escalation leaves the case unallocated" "$(as tara list)"
refused "stage 2 does not go to the stage 1 handler" 1 "rule 'new handler': hana handled stage 1" \
	as tara record "$A" allocated --to hana
refused "the stage 1 handler no longer reads the case" 4 "rule 'handler'" as hana show "$A"

# ------------------------------------------ handlers who see their team's
refused "only an administrator changes the settings" 4 "rule 'people'" \
	"$CW" --data "$D" --officer tara init --content content --handlers-see-team yes
rc_is "the settings let handlers see their team's cases" 0 "$CW" --data "$D" init --content content --handlers-see-team yes
out=$(as hana list)
grep -q "^$B " <<<"$out" && ! grep -q "^$R " <<<"$out" &&
	ok "with the setting, a handler lists their team's cases, not another team's" ||
	not_ok "a handler's team view" "$out"
rc_is "a handler reads a case of their team" 0 as hana show "$B"
refused "but not another team's" 4 "allocated to them or to their team" as hana show "$R"
rc_is "the setting off again" 0 "$CW" --data "$D" init --content content --handlers-see-team no
refused "without it, the team's case is refused again" 4 "rule 'handler'" as hana show "$B"

# ------------------------------------------------------- away, disabled
rc_is "a handler marked away" 0 c user set sam --away-from 2027-01-30 --away-to 2027-02-05
refused "allocation to an officer away is refused" 1 "sam is away (from 2027-01-30 to 2027-02-05)" \
	as tara record "$A" allocated --to sam
c user list | grep "^sam " | grep -q "(away)" && ok "user list shows who is away" || not_ok "away in user list" "$(c user list)"
as tara report >/dev/null 2>&1
grep -q "\"handler_away\",\"$B\",.*sam is away until 2027-02-05" "$D/reports/2027-02-01.csv" &&
	ok "the daily report lists the away handler's cases for reallocation" ||
	not_ok "the daily report's away section" "$(grep handler_away "$D/reports/2027-02-01.csv")"
grep -q "handler_away,\"$A\"\|\"handler_away\",\"$A\"" "$D/reports/2027-02-01.csv" &&
	not_ok "only the away handler's cases" || ok "only the away handler's cases"
rc_is "back" 0 c user set sam --back
rc_is "stage 2 goes to the other handler" 0 as tara record "$A" allocated --to sam --reason "stage 2"
lt() { unzip -p "$D/casepacks/$1.zip" "letters/$2.html" 2>/dev/null; }
lt "$A" stage-1-response | grep -q "Hana Khan, Parks Manager" &&
	ok "stage 1's letters are signed by its handler, with their role" ||
	not_ok "stage 1's signature" "$(lt "$A" stage-1-response | grep -A3 sincerely)"
lt "$A" stage-2-acknowledgement | grep -q "Sam Sure, Complaints handler" &&
	ok "stage 2's letters by its own handler" ||
	not_ok "stage 2's signature" "$(lt "$A" stage-2-acknowledgement | grep -A3 sincerely)"
lt "$R" stage-1-acknowledgement | grep -q "<p>Highways</p>" &&
	ok "an unallocated case's letters are signed by its team" ||
	not_ok "the team's signature" "$(lt "$R" stage-1-acknowledgement | grep -A3 sincerely)"
[ "$(packed "$A" "c['handler']")" = sam ] && [ "$(packed "$A" "c['stages'][0]['handler']")" = hana ] &&
	ok "case.json gives the case's handler and each stage's" || not_ok "case.json handlers" "$(packed "$A" "c['handler']")"
rc_is "an officer disabled" 0 c user disable sam
refused "a disabled officer may do nothing" 4 "rule 'disabled'" as sam show "$A"
refused "the last administrator cannot be disabled" 1 "last active administrator" c user disable ada

# -------------------------------------------- not an officer of the register
rc_is "a second administrator" 0 c user add ada2 --name "Ada Two" --role administrator --unix someone-else
rc_is "the Unix account is no longer ada's" 0 c user set ada --unix another-account
refused "an account that is no officer is refused" 1 "is not an officer of this register" c list
# the account mapped to a handler, who may not act as another
sqlite3 "$D/register.db" "update officers set unix_user = '$ME' where username = 'hana'"
rc_is "the account is hana's now" 0 c list
refused "only an administrator may act as another officer" 4 "only an administrator may act as another" \
	as tara list

finish "people e2e"
