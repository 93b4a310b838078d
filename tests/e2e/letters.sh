#!/usr/bin/env bash
# End-to-end tests of the letters a council sends beyond the case's own
# steps: the plain-text copy of every letter for a resident whose letters go
# by email, and the letters of the unreasonable behaviour policy (the
# warning, the restriction imposed, each review, the lifting), each drafted
# from the restrictions register with the facts the policy says the letter
# must give. Real binaries, a real register.
#
# Every expected date is worked out here, independently of casework, from
# the bank holidays in the calendar file.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

S=$SCRATCH
D=$S/data
L=$D/letters
c() { cw --data "$D" "$@"; }
has() { unzip -l "$D/casepacks/$1.zip" 2>/dev/null | grep -q " letters/$2$"; }
entry() { unzip -p "$D/casepacks/$1.zip" "letters/$2" 2>/dev/null; }

# ------------------------------------------------------ plain-text letters
rm -rf "$S/subs"
complaint TEXTA-00001 2027-02-01T10:00:00Z parks \
	'{"full_name": "Jo O\u0027Brien & <b>Sons</b>", "contact_method": "email"}'
complaint TEXTA-00002 2027-02-01T10:05:00Z parks \
	'{"contact_method": "letter", "address": "1 High Street\\nNorthmere", "postcode": "NM1 2AB"}'
complaint TEXTA-00003 2027-02-01T10:10:00Z parks '{"contact_method": ""}'
complaint TEXTA-00004 2027-02-01T10:15:00Z parks \
	'{"contact_method": "", "address": "2 High Street", "postcode": "NM1 2AB", "adjustments": "Large print, 16pt please"}'
python3 $MK "$S/day1.zip" "$S"/subs/* >/dev/null
c --today 2027-02-01 ingest "$S/day1.zip" >/dev/null 2>&1
E=$(ref_of TEXTA-00001)
P=$(ref_of TEXTA-00002)
N=$(ref_of TEXTA-00003)
A=$(ref_of TEXTA-00004)
[ -n "$E" ] && [ -n "$P" ] && [ -n "$N" ] && [ -n "$A" ] && ok "four complaints ingested" ||
	not_ok "four complaints ingested" "$E $P $N $A"

has "$E" stage-1-acknowledgement.txt && ok "email chosen: the letter is drafted as plain text too" ||
	not_ok "email chosen: a .txt letter"
has "$P" stage-1-acknowledgement.txt && not_ok "letter chosen: no plain-text copy" ||
	ok "letter chosen: no plain-text copy"
has "$N" stage-1-acknowledgement.txt && ok "no preference, an email and no address: plain text" ||
	not_ok "no preference, no address: plain text"
has "$A" stage-1-acknowledgement.txt && not_ok "no preference with a postal address: no plain text" ||
	ok "no preference with a postal address: no plain text"
has "$A" stage-1-acknowledgement-large-print.html && ok "large print asked for: the large-print copy" ||
	not_ok "large print asked for: the large-print copy"

t=$(entry "$E" stage-1-acknowledgement.txt)
grep -qF "Dear Jo O'Brien & <b>Sons</b>," <<<"$t" && ok "plain text: the name as typed, no entities or markup" ||
	not_ok "plain text: the name as typed" "$(head -6 <<<"$t")"
entry "$E" stage-1-acknowledgement.html | grep -qF "O'Brien &amp; &lt;b&gt;Sons&lt;/b&gt;" &&
	ok "HTML: the same name escaped" || not_ok "HTML: the name escaped" "$(entry "$E" stage-1-acknowledgement.html | grep Dear)"
grep -q "<p>\|<strong>\|\*\*" <<<"$t" && not_ok "plain text has no markup left" "$t" || ok "plain text has no markup left"
rb=$(words "$(packed "$E" "c['stages'][0]['respond_by']")")
tr '\n' ' ' <<<"$t" | grep -qF "response by $rb." && ok "plain text: the response date in words ($rb)" ||
	not_ok "plain text: the response date in words ($rb)" "$t"
long=$(sed '/^--$/,$d' <<<"$t" | awk 'length > 72')
[ -z "$long" ] && ok "plain text wrapped at 72 columns" || not_ok "plain text wrapped at 72 columns" "$long"
grep -q "^Northmere Borough Council$" <<<"$t" && grep -q "^Telephone: " <<<"$t" &&
	ok "plain text ends with the council's details" || not_ok "plain text: the council's details" "$(tail -5 <<<"$t")"

# Each letter keeps the date of its step when the pack is written again
# later: acknowledged on 3 February, the pack rewritten on 20 February.
c --today 2027-02-03 record --by "A. Officer" "$P" acknowledged --date 2027-02-03 >/dev/null 2>&1
c --today 2027-02-20 record --by "A. Officer" "$P" extended --days 5 --reason "waiting for the contractor" >/dev/null 2>&1
entry "$P" stage-1-acknowledgement.html | grep -q "<p>3 February 2027</p>" &&
	ok "a letter keeps the date of its step (acknowledged 3 February) when the pack is written again" ||
	not_ok "the acknowledgement's date" "$(entry "$P" stage-1-acknowledgement.html | grep "2027</p>")"
entry "$P" stage-1-extension.html | grep -q "<p>20 February 2027</p>" &&
	ok "the extension letter is dated by the extension" ||
	not_ok "the extension's date" "$(entry "$P" stage-1-extension.html | grep "2027</p>")"
entry "$N" stage-1-acknowledgement.html | grep -q "<p>1 February 2027</p>" &&
	ok "a letter still to be sent is dated by the day its pack was written" ||
	not_ok "an unsent letter's date" "$(entry "$N" stage-1-acknowledgement.html | grep "2027</p>")"

# A link in a letter keeps its address in plain text.
mkdir -p "$S/content"
cp -r content/rules.yml content/calendars content/site.yml content/letters "$S/content/"
cat >>"$S/content/letters/acknowledgement.md" <<'EOF'

Read [our complaints policy](https://council.example/policy) or write to
<complaints@council.example>.
EOF
"$CW" --rules "$S/content/rules.yml" --forms content/forms --theme themes/default --data "$S/linkdata" --today 2027-02-01 \
	ingest "$S/day1.zip" >/dev/null 2>&1
t=$(unzip -p "$S/linkdata/casepacks/$E.zip" letters/stage-1-acknowledgement.txt)
grep -q "our complaints policy (https://council.example/policy)" <<<"$t" &&
	ok "plain text: a link is followed by its address" || not_ok "plain text: the link's address" "$t"
grep -q "complaints@council.example (mailto:" <<<"$t" &&
	not_ok "plain text: an autolinked address is not repeated" "$t" ||
	ok "plain text: an autolinked address is not repeated"

# ------------------------------------------------------- the warning first
out=$(c --today 2027-02-01 restrict warn --name "Sam Sender" --email sam@example.org --scope parks \
	--reason 'forty emails in a week <script>alert(1)</script>' \
	--change "one email a week" --decided-by "Head of Service" 2>&1)
rc=$?
W=$(sed -n 's/^warning \(R[0-9]*\) given.*/\1/p' <<<"$out")
[ $rc -eq 0 ] && [ -n "$W" ] && ok "restrict warn gives a warning its number ($W)" || not_ok "restrict warn" "rc=$rc $out"
grep -q "review by 2027-08-01" <<<"$out" && ok "a warning is looked at again 6 months on (the rules' months)" ||
	not_ok "a warning's review date" "$out"
w=$(cat "$L/restriction-$W-warning.html" 2>/dev/null)
[ -n "$w" ] && ok "the warning letter is drafted" || not_ok "the warning letter is drafted" "$out"
grep -q "&lt;script&gt;" <<<"$w" && ! grep -q "<script>" <<<"$w" && ok "the warning letter escapes the officer's text" ||
	not_ok "the warning letter escapes HTML" "$(grep -i script <<<"$w")"
grep -q "What we need you to change: one email a week" <<<"$w" && ok "the warning says what to change" ||
	not_ok "the warning says what to change" "$w"
grep -q "<strong>1 August 2027</strong>" <<<"$w" && grep -q "Parks" <<<"$w" &&
	ok "the warning names the service and when the council looks again" || not_ok "the warning's service and date" "$w"
c --today 2027-02-01 restrict list | grep -q "^$W *warning " && ok "restrict list shows the warning as a warning" ||
	not_ok "restrict list shows the warning" "$(c restrict list)"
refused "a warning cannot be reviewed" 1 "is a warning, not a restriction" \
	c --today 2027-02-02 restrict review "$W" --outcome continue

# A warning limits nothing: new contact from the person is not flagged.
rm -rf "$S/subs"
complaint WARNA-00001 2027-02-03T10:00:00Z parks '{"email": "sam@example.org", "full_name": "Sam Sender"}'
python3 $MK "$S/day2.zip" "$S"/subs/* >/dev/null
c --today 2027-02-03 ingest "$S/day2.zip" >/dev/null 2>&1
X=$(ref_of WARNA-00001)
packed "$X" "[f['flag'] for f in c['flags']]" | grep -q restricted_contact &&
	not_ok "a warning does not flag new contact" || ok "a warning does not flag new contact"

# ----------------------------------------------- the restriction imposed
refused "--warning must name a warning" 1 "is not in the register" \
	c --today 2027-02-15 restrict add --warning R99 --name "Sam Sender" --email sam@example.org \
	--kind limited-calls --scope parks --reason "x" --decided-by "Head of Service"
refused "--change goes with warn only" 2 "--change goes with restrict warn" \
	c --today 2027-02-15 restrict add --change "x" --name "Sam Sender" \
	--kind limited-calls --scope parks --reason "x" --decided-by "Head of Service"
out=$(c --today 2027-02-15 restrict add --warning "$W" --name "Sam Sender" --email sam@example.org \
	--kind limited-calls --scope parks --reason "the emails went on after our warning" \
	--decided-by "Head of Service" --contact "Parks and Open Spaces" 2>&1)
R=$(sed -n 's/^restriction \(R[0-9]*\) added.*/\1/p' <<<"$out")
[ -n "$R" ] && ok "the restriction after the warning is added ($R)" || not_ok "restrict add --warning" "$out"
grep -q "$X: flagged restricted_contact" <<<"$out" && ok "the person's open case is flagged now" ||
	not_ok "the open case is flagged by the restriction" "$out"
i=$(cat "$L/restriction-$R-imposed.html" 2>/dev/null)
grep -q "On 1 February 2027 we wrote to you" <<<"$i" && ok "the letter says when the warning was given" ||
	not_ok "the letter gives the warning's date" "$i"
ap=$(wd 2027-02-15 20)
grep -q "Write to us by <strong>$(words "$ap")</strong>" <<<"$i" &&
	ok "the letter gives the date to ask for a review of the decision ($(words "$ap"), 20 working days)" ||
	not_ok "the appeal date $(words "$ap")" "$(grep -i "write to us" <<<"$i")"
grep -q "limited length or number of calls" <<<"$i" && grep -q "Parks and Open Spaces" <<<"$i" &&
	grep -q "<strong>15 August 2027</strong>" <<<"$i" &&
	ok "the letter gives what was decided, the contact and the review date" || not_ok "the letter's decision" "$i"
grep -q "Local Government and Social Care Ombudsman" <<<"$i" && grep -q "Housing Ombudsman" <<<"$i" &&
	ok "the letter names the Ombudsman" || not_ok "the letter names the Ombudsman" "$i"
c restrict show "$R" | grep -q "after warning: $W" && ok "restrict show names the warning it followed" ||
	not_ok "show: after warning" "$(c restrict show "$R")"

# ------------------------------------------------------------ its reviews
out=$(c --today 2027-08-10 restrict review "$R" --outcome vary --kind written-contact-only --date 2027-08-10 2>&1)
v=$(cat "$L/restriction-$R-review-2027-08-10.html" 2>/dev/null)
grep -q "We have decided to change the arrangement" <<<"$v" && grep -q "written contact only" <<<"$v" &&
	ok "a review that varies it: its own letter with the new arrangement" || not_ok "the review letter (vary)" "$out $v"
grep -q "<strong>10 February 2028</strong>" <<<"$v" && ok "the review letter gives the next review" ||
	not_ok "the review letter's next review" "$v"
c --today 2028-02-10 restrict review "$R" --outcome continue --date 2028-02-10 >/dev/null 2>&1
[ -f "$L/restriction-$R-review-2027-08-10.html" ] && [ -f "$L/restriction-$R-review-2028-02-10.html" ] &&
	ok "each review keeps its own letter" || not_ok "each review keeps its own letter" "$(ls "$L")"
grep -q "needs to continue" "$L/restriction-$R-review-2028-02-10.html" && ok "a review that continues it says so" ||
	not_ok "the review letter (continue)"
c --today 2028-03-01 restrict review "$R" --outcome lift --date 2028-03-01 >/dev/null 2>&1
grep -q "ended on <strong>1 March 2028</strong>" "$L/restriction-$R-lifted.html" 2>/dev/null &&
	ok "the lifting letter" || not_ok "the lifting letter" "$(ls "$L")"

# ---------------------------------------------- restricted on a case
rm -rf "$S/subs"
complaint CASEA-00001 2027-03-01T10:00:00Z parks \
	'{"full_name": "Pat Posted", "contact_method": "letter", "address": "3 Mill Lane\\nNorthmere", "postcode": "NM2 3CD", "adjustments": "large print"}'
python3 $MK "$S/day3.zip" "$S"/subs/* >/dev/null
c --today 2027-03-01 ingest "$S/day3.zip" >/dev/null 2>&1
K=$(ref_of CASEA-00001)
out=$(c --today 2027-03-02 record --by "A. Officer" "$K" restricted --reason "abusive calls" \
	--contact "J. Officer" 2>&1)
RK=$(sqlite3 "$D/register.db" "select 'R' || max(id) from restriction_register")
k=$(cat "$L/restriction-$RK-imposed.html" 2>/dev/null)
grep -q "draft letter: .*restriction-$RK-imposed.html" <<<"$out" && ok "record REF restricted drafts the letter" ||
	not_ok "record REF restricted drafts the letter" "$out"
grep -q "Dear Pat Posted," <<<"$k" && grep -q "3 Mill Lane<br>" <<<"$k" && grep -q "NM2 3CD" <<<"$k" &&
	ok "a restriction on a case writes to the case's resident at their address" || not_ok "the case's resident and address" "$k"
[ -f "$L/restriction-$RK-imposed-large-print.html" ] && ok "in large print, as they asked" ||
	not_ok "a large-print copy" "$(ls "$L")"
grep -q "<strong>2 September 2027</strong>" <<<"$k" && ok "its review date defaults to 6 months on" ||
	not_ok "the default review date" "$k"

# the letter drafted again, after it was lost
rm -f "$L/restriction-$RK-imposed.html"
c --today 2027-03-02 restrict letter "$RK" >/dev/null 2>&1
[ -f "$L/restriction-$RK-imposed.html" ] && ok "restrict letter drafts it again" || not_ok "restrict letter"

# A letter that cannot be drafted leaves the decision recorded and says how
# to draft it again.
rm "$S/content/letters/restriction-warning.md"
out=$("$CW" --rules "$S/content/rules.yml" --forms content/forms --theme themes/default --data "$D" --today 2027-03-03 \
	restrict warn --name "Lee Later" --reason "shouting" --decided-by "Head of Service" 2>&1)
rc=$?
[ $rc -eq 3 ] && grep -q "missing letter template 'restriction-warning.md'" <<<"$out" &&
	grep -q "is recorded but its letter was not drafted; 'casework restrict letter R[0-9]*' drafts it again" <<<"$out" &&
	ok "a missing template: the decision is kept and the message says what to do" ||
	not_ok "a missing template" "rc=$rc $out"
c restrict list | grep -q "warning .*council" && ok "the warning is in the register" || not_ok "the warning kept"

# ------------------------------------------------------------------ purge
# A warning that no restriction followed goes after the retention period
# from its review; the one a restriction followed stays with it.
out=$(c --today 2034-09-01 purge 2>&1)
grep -q "would purge restriction $W (a warning" <<<"$out" && ok "a warning is purged with the restriction that followed it (lifted 2028)" ||
	not_ok "purge: the followed warning goes with its restriction" "$out"
out=$(c --today 2034-01-01 purge 2>&1)
grep -q "would purge restriction $W " <<<"$out" && not_ok "the warning stays while its restriction's record does" "$out" ||
	ok "the warning stays while its restriction's record does"

finish "letters e2e"
