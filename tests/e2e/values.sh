#!/usr/bin/env bash
# Values in pages: what the site promises is what the rules say. Changes
# every timescale in a copy of rules.yml and the council's name and contact
# details in a copy of site.yml, rebuilds, and finds the new figures on
# every page (and confirmation page) that states them and none of the old;
# then each message about values, with its exact text.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

C=$SCRATCH/content
OUT=$SCRATCH/out

# --- the shipped content: builds, and types no timescale by hand ---
"$SG" check >"$SCRATCH/check.log" 2>&1
rc=$?
if [ $rc -eq 0 ]; then ok "shipped content checks"; else not_ok "shipped content checks (exit $rc)" "$(tail -5 "$SCRATCH/check.log")"; fi
if grep -q "typed by hand" "$SCRATCH/check.log"; then
	not_ok "no timescale typed by hand in content/" "$(grep "typed by hand" "$SCRATCH/check.log" | head -5)"
else
	ok "no timescale typed by hand in content/"
fi

# --- every timescale changed in a copy of the rules ---
cp -r content "$C"
python3 - "$C/rules.yml" <<'EOF_PY'
import re, sys
p = sys.argv[1]
s = open(p).read()
subs = [
    (r"acknowledge_days: 5\b", "acknowledge_days: 6"),
    (r"acknowledge_days: 3\b", "acknowledge_days: 4"),
    (r"respond_days: 10\b", "respond_days: 13"),
    (r"respond_days: 20\b", "respond_days: 27"),
    (r"respond_days: 25\b", "respond_days: 26"),
    (r"respond_days: 15\b", "respond_days: 16"),
    (r"extension_max_days: 10\b", "extension_max_days: 11"),
    (r"extension_max_days: 20\b", "extension_max_days: 21"),
    (r"extension_max_days: 40\b", "extension_max_days: 41"),
    (r"next_stage_within: \{days: 20, unit: working\}", "next_stage_within: {days: 23, unit: working}"),
    (r"days: 30, from: request", "days: 31, from: request"),
    (r"days: 5, from: panel\b", "days: 7, from: panel"),
    (r"service_request_days: 10\b", "service_request_days: 14"),
    (r"comment_reply_days: 10\b", "comment_reply_days: 12"),
    (r"restriction_appeal_days: 20\b", "restriction_appeal_days: 22"),
    (r"restriction_review_months: 6\b", "restriction_review_months: 7"),
    (r"ombudsman_time_limit_months: 12\b", "ombudsman_time_limit_months: 13"),
    (r"(?m)^time_limit_months: 12\b", "time_limit_months: 11"),
    (r"retention_years: 6\b", "retention_years: 7"),
    (r"update_after_months: 6\b", "update_after_months: 8"),
    (r'end_of_day: "17:00"', 'end_of_day: "16:30"'),
]
for old, new in subs:
    s, n = re.subn(old, new, s)
    if not n:
        sys.exit("rules.yml has no %s" % old)
open(p, "w").write(s)
EOF_PY
"$SG" build --content "$C" --out "$OUT" --quiet >"$SCRATCH/b1.log" 2>&1
rc=$?
if [ $rc -eq 0 ]; then ok "builds with the changed rules"; else not_ok "builds with the changed rules (exit $rc)" "$(tail -5 "$SCRATCH/b1.log")"; fi

# The built HTML of a source file: a page, or a form's confirmation.
built() {
	case "$1" in
	forms/*.yml) f=${1#forms/}; echo "$OUT/.threecs/received/${f%.yml}.html" ;;
	index.md) echo "$OUT/index.html" ;;
	*) echo "$OUT/${1%.md}/index.html" ;;
	esac
}

# value NAME TEXT: every page whose source names {{ NAME }} now says TEXT.
value() {
	local name=$1 text=$2 src n=0 missing=""
	for src in $(cd "$C" && grep -l -E "\{\{ *${name//./\\.} *\}\}" *.md forms/*.yml 2>/dev/null); do
		n=$((n + 1))
		grep -q -F "$text" "$(built "$src")" || missing="$missing $src"
	done
	if [ $n -gt 0 ] && [ -z "$missing" ]; then
		ok "$name: '$text' on all $n pages stating it"
	else
		not_ok "$name: '$text' on all pages stating it ($n found)" "missing on:$missing"
	fi
}
value rules.corporate.stage1.acknowledge "6 working days"
value rules.corporate.stage1.respond "13 working days"
value rules.corporate.stage1.extension "11 working days"
value rules.corporate.stage1.next_stage_within "23 working days"
value rules.corporate.stage2.respond "27 working days"
value rules.corporate.stage2.extension "21 working days"
value rules.end_of_day "4:30pm"
value rules.restriction_appeal "22 working days"
value rules.comment_reply "12 working days"

# None of the old figures is left anywhere in the built site.
old=$(grep -r -o -h -E "\b(3|5|10|15|20|25|28|30|40|65) (more |further |extra )?(working|calendar) days?\b|\b(6|12) months\b|\b6 years\b|(after|before) 5pm\b" \
	--include='*.html' "$OUT" | sort | uniq -c)
if [ -z "$old" ]; then ok "no old timescale left in the built site"; else not_ok "no old timescale left in the built site" "$old"; fi
check "the stage 2 window is stated on the confirmation page" grep -q "23 working days" "$OUT/.threecs/received/complaint.html"
check "the timescales block shows the changed rules" grep -q "Within 13 working days of our acknowledgement" "$OUT/complaints-policy/index.html"
# The worked example over Christmas, its days counted here from the
# calendar file: acknowledged in 6 working days from 23 December 2026, the
# response 13 working days after that.
dayname() { python3 -c "import datetime; d = datetime.date.fromisoformat('$1'); print(f'{d:%A} {d.day} {d:%B %Y}')"; }
ack=$(wd 2026-12-23 6)
resp=$(wd "$ack" 13)
check "the worked example's acknowledgement day follows the rules ($(dayname "$ack"))" grep -q -F "acknowledge it by $(dayname "$ack")," "$OUT/complaints-policy/index.html"
check "and its response day ($(dayname "$resp"))" grep -q -F "stage 1 response by $(dayname "$resp")" "$OUT/complaints-policy/index.html"
check "the timescales table has a caption per procedure" grep -q '<caption id="timescales-childrens">' "$OUT/complaints-policy/index.html"

# --- the council renamed and its contact details changed ---
rm -rf "$C" "$OUT"
cp -r content "$C"
python3 - "$C/site.yml" <<'EOF_PY'
import sys
p = sys.argv[1]
s = open(p).read()
for old, new in [
    ("Northmere Borough Council", "Eastvale & Dale <District> Council"),
    ("https://complaints.northmere.example", "https://complaints.eastvale.example"),
    ("complaints@northmere.example", "feedback@eastvale.example"),
    ("01632 960 000", "01632 961 234"),
    ("Market Square, Northmere, NM1 1AA", "High Street, Eastvale, EV1 2BB"),
    ("accessibility@northmere.example", "access@eastvale.example"),
    ("dataprotection@northmere.example", "dpo@eastvale.example"),
    ("https://www.northmere.example/bsl", "https://www.eastvale.example/bsl"),
    ("9am to 5pm", "8:30am to 4pm"),
    ("0300 111 3000", "0300 999 0000"),
    ("https://www.housing-ombudsman.org.uk/", "https://housing-ombudsman.example/"),
]:
    if old not in s:
        sys.exit("site.yml has no %s" % old)
    s = s.replace(old, new)
s += """logo:
  image: images/eastvale-logo.svg
  alt: Eastvale and Dale District Council
colours:
  header: "#4b0f3a"
  header_text: "#ffffff"
  link: "#1d5f8a"
legal: "Eastvale and Dale District Council, High Street, Eastvale EV1 2BB."
"""
open(p, "w").write(s)
EOF_PY
mkdir -p "$C/images"
printf '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><text x="0" y="30">Eastvale</text></svg>\n' >"$C/images/eastvale-logo.svg"
"$SG" build --content "$C" --out "$OUT" --quiet >"$SCRATCH/b2.log" 2>&1
rc=$?
if [ $rc -eq 0 ]; then ok "builds with the council renamed"; else not_ok "builds with the council renamed (exit $rc)" "$(tail -5 "$SCRATCH/b2.log")"; fi
left=$(grep -r -i -l -E "northmere|01632 960 000|0300 111 3000|www\.housing-ombudsman" "$OUT" | sed "s|$OUT/||")
if [ -z "$left" ]; then ok "the old name and details are nowhere in the built site"; else not_ok "the old name and details are nowhere in the built site" "$left"; fi
check "the new name, escaped, on the home page" grep -q "Eastvale &amp; Dale &lt;District&gt; Council" "$OUT/index.html"
check "no raw markup from a value in a page" bash -c "! grep -rq --include='*.html' --include='*.xml' '<District>' '$OUT'"
check "the email's text has the name as written" grep -q 'Eastvale & Dale <District> Council' "$OUT/.threecs/mail/complaint.txt"
check "the new email is a working mailto link" grep -q 'href="mailto:feedback@eastvale.example"' "$OUT/contact/index.html"
check "the new phone number on the contact page" grep -q "01632 961 234" "$OUT/contact/index.html"
check "the Housing Ombudsman's details from site.yml" grep -q -F '<a href="https://housing-ombudsman.example/">https://housing-ombudsman.example/</a>' "$OUT/complaints-policy/index.html"
check "the logo in the header, with its alt text" grep -q -F '<a href="/" class="header__council header__council--logo"><img class="header__logo" src="/images/eastvale-logo.svg" alt="Eastvale and Dale District Council"></a>' "$OUT/complaints-policy/index.html"
check "the logo file is published" test -s "$OUT/images/eastvale-logo.svg"
check "the footer's legal text" grep -q -F '<p class="footer__legal">Eastvale and Dale District Council, High Street, Eastvale EV1 2BB.</p>' "$OUT/index.html"
brand=$(ls "$OUT/assets" | grep -E '^brand\.[0-9a-f]{8}\.css$')
check "the council's colours in a stylesheet of their own" grep -q -F '.header { color: #ffffff; background: #4b0f3a; }' "$OUT/assets/$brand"
check "every page links the colours' stylesheet" grep -q -F "<link rel=\"stylesheet\" href=\"/assets/$brand\">" "$OUT/contact/index.html"

# Branding mistakes, each with its exact text.
brand_err() { # WHAT YAML EXPECTED
	rm -rf "$C" && cp -r content "$C"
	printf '%s\n' "$2" >>"$C/site.yml"
	"$SG" check --content "$C" >"$SCRATCH/m.log" 2>&1
	if grep -q -F -- "$3" "$SCRATCH/m.log"; then ok "$1"; else not_ok "$1" "$(grep site.yml "$SCRATCH/m.log" | head -3)"; fi
}
L=$(($(wc -l <content/site.yml) + 1))
brand_err "header text without the contrast AA needs" "$(printf 'colours:\n  header: "#5b9bd1"\n  header_text: "#ffffff"')" \
	"sitegen: $C/site.yml:$((L + 2)):16: colours: header_text (#ffffff) on the header's background (#5b9bd1) has a contrast of 2.97:1; WCAG 2.2 AA needs at least 4.5:1 for text: choose a darker or lighter colour"
brand_err "a link colour too light for the footer" "$(printf 'colours:\n  link: "#2a7ab0"')" \
	"sitegen: $C/site.yml:$((L + 1)):9: colours: link (#2a7ab0) on the footer's background (#f3f5f6) has a contrast of 4.25:1; WCAG 2.2 AA needs at least 4.5:1 for text: choose a darker or lighter colour"
brand_err "a colour not written #rrggbb" "$(printf 'colours:\n  link: navy')" \
	"sitegen: $C/site.yml:$((L + 1)):9: colours: link must be a colour written #rrggbb, like \"#1755a8\" (in quotes: YAML reads an unquoted # as a comment)"
brand_err "an unknown colour" "$(printf 'colours:\n  background: "#ffffff"')" \
	"colours: unknown colour 'background': the theme takes header, header_text, link and link_visited"
brand_err "a logo without alt text" "$(printf 'logo:\n  image: logo.svg')" \
	"sitegen: $C/site.yml:$((L + 1)):3: logo needs alt: the text the logo shows, for people who cannot see it (usually the council's name, like alt: \"Northmere Borough Council\")"
brand_err "a logo file that is not there" "$(printf 'logo:\n  image: logo.svg\n  alt: Northmere')" \
	"sitegen: $C/site.yml:$((L + 1)):10: logo image 'logo.svg' is not in $C: put the file there, or correct the name"
brand_err "a logo outside content/" "$(printf 'logo:\n  image: ../logo.svg\n  alt: Northmere')" \
	"logo image '../logo.svg' must be an .svg, .png, .jpg, .webp or .gif file inside content/, named from there (like images/logo.svg)"

# --- messages, each with its exact text ---
mkpage() { # NAME BODY: a page in a copy of content/ linked from the home page
	printf -- '---\ntitle: Test\nsummary: A test page.\nmenu: false\n---\n%s\n' "$2" >"$C/$1.md"
}
rm -rf "$C" "$OUT"
cp -r content "$C"
msg() { # WHAT BODY EXPECTED [--warn]
	local what=$1 body=$2 want=$3
	cp -r content "$SCRATCH/m"
	rm -rf "$C"
	mv "$SCRATCH/m" "$C"
	mkpage test "$body"
	"$SG" check --content "$C" >"$SCRATCH/m.log" 2>&1
	if grep -q -F -- "$want" "$SCRATCH/m.log"; then ok "$what"; else not_ok "$what" "$(grep test.md "$SCRATCH/m.log" | head -3)"; fi
}
msg "unknown value: did you mean, with the names beside it" \
	"We reply within {{ rules.corporate.stage1.respnd }}." \
	"sitegen: $C/test.md:6:17: unknown value {{ rules.corporate.stage1.respnd }}: did you mean {{ rules.corporate.stage1.respond }}? (names here: acknowledge, acknowledge_days, respond, respond_days, extension, extension_days, longest, longest_days)"
msg "unknown value outside site. and rules." \
	"Hello {{ council }}." \
	"sitegen: $C/test.md:6:7: unknown value {{ council }}: did you mean {{ site.council }}?"
msg "a value the rules do not set" \
	"Ask for stage 3 within {{ rules.corporate.stage2.next_stage_within }}." \
	"sitegen: $C/test.md:6:24: {{ rules.corporate.stage2.next_stage_within }}: rules.yml does not set this value, so the sentence cannot state it: reword it, or set the value there"
msg "an unfinished value" \
	"Write to {{ site.council" \
	"sitegen: $C/test.md:6:10: '{{' starts a value, written {{ site.council }} or {{ rules.corporate.stage1.respond }}: finish it with '}}', or write \\{{ to show the braces"
msg "a worked example names a stage's acknowledge or respond" \
	"By {{ rules.corporate.stage1.extension from 2026-12-23 }}." \
	"sitegen: $C/test.md:6:4: {{ rules.corporate.stage1.extension from 2026-12-23 }}: a worked example counts a stage's acknowledge or respond, like {{ rules.corporate.stage1.respond from 2026-12-23 }}"
msg "a worked example needs a real date" \
	"By {{ rules.corporate.stage1.respond from 2026-13-01 }}." \
	"sitegen: $C/test.md:6:4: {{ rules.corporate.stage1.respond from ... }} needs the day it counts from, written YYYY-MM-DD, like {{ rules.corporate.stage1.respond from 2026-12-23 }}"
msg "a worked example beyond the calendar" \
	"By {{ rules.corporate.stage1.respond from 2028-12-20 }}." \
	"sitegen: $C/test.md:6:4: {{ rules.corporate.stage1.respond from 2028-12-20 }}: the day lies beyond the bank holiday calendar: choose an earlier example, or extend the calendar"
msg "a worked example of a deadline the rules do not set" \
	"By {{ rules.adults.stage1.respond from 2026-12-23 }}." \
	"sitegen: $C/test.md:6:4: {{ rules.adults.stage1.respond from 2026-12-23 }}: rules.yml sets no such deadline, so there is no day to state: reword the example"
msg "two timescales blocks" \
	"$(printf '\140\140\140timescales\n\140\140\140\n\n\140\140\140timescales\n\140\140\140')" \
	"sitegen: $C/test.md:9:1: a page holds one timescales block: it shows every procedure already; take this one out"
msg "a timescale typed by hand is a warning with the values that read so" \
	"We reply within 10 more working days." \
	"sitegen: warning: $C/test.md:6:17: '10 more working days' is typed by hand: state timescales with their value from the rules, like {{ rules.corporate.stage1.respond }} or {{ rules.corporate.stage1.extension }} or {{ rules.childrens.stage1.respond }}, so the page changes when the rules do"
# A value in the front matter.
printf -- '---\ntitle: About {{ site.councel }}\nsummary: A test page.\nmenu: false\n---\nText.\n' >"$C/test.md"
"$SG" check --content "$C" >"$SCRATCH/m.log" 2>&1
check "an unknown value in the front matter names its line" grep -q -F "sitegen: $C/test.md:2:14: unknown value {{ site.councel }}: did you mean {{ site.council }}?" "$SCRATCH/m.log"

# A timescales block needs the rules.
rm -rf "$C" && mkdir -p "$C"
printf 'council: Test\ntitle: T\nbase_url: https://t.example\n' >"$C/site.yml"
printf -- '---\ntitle: Home\nsummary: Home.\n---\n\140\140\140timescales\n\140\140\140\n' >"$C/index.md"
"$SG" check --content "$C" >"$SCRATCH/m.log" 2>&1
check "a timescales block without rules.yml" grep -q -F "sitegen: $C/index.md:5:1: a timescales block shows the rules' timescales, and there is no content/rules.yml: add it, or take the block out" "$SCRATCH/m.log"
printf -- '---\ntitle: Home\nsummary: Home.\n---\nWe reply in {{ rules.corporate.stage1.respond }}.\n' >"$C/index.md"
"$SG" check --content "$C" >"$SCRATCH/m.log" 2>&1
check "a rules value without rules.yml says so" grep -q -F "there is no content/rules.yml to read rules values from" "$SCRATCH/m.log"

# Braces shown, values in code, escaping in the body.
rm -rf "$C" "$OUT"
cp -r content "$C"
mkpage test 'Literal \{{ site.council }} here. Code `{{ site.council }}` and `\{{ x }}`. Name: {{ site.council }}. [Mail](mailto:{{ site.contact.email }})'
sed -i 's/^council: .*/council: "A *B* \& <C> [d](e)"/' "$C/site.yml"
"$SG" build --content "$C" --out "$OUT" --quiet >"$SCRATCH/b3.log" 2>&1
page=$OUT/test/index.html
check "\\{{ shows the braces" grep -q -F 'Literal {{ site.council }} here.' "$page"
check "a value inside code goes in as it is, escaped for HTML" grep -q -F '<code>A *B* &amp; &lt;C&gt; [d](e)</code>' "$page"
check "\\{{ inside code shows the braces" grep -q -F '<code>{{ x }}</code>' "$page"
check "a value is text, never Markdown or HTML" grep -q -F 'Name: A *B* &amp; &lt;C&gt; [d](e).' "$page"
check "a value in a link target" grep -q -F 'href="mailto:complaints@northmere.example"' "$page"

# sitegen values lists the names.
"$SG" values >"$SCRATCH/v.log" 2>&1
check "sitegen values lists a stage's response time" grep -q -P '^\{\{ rules.corporate.stage1.respond \}\}\t10 working days$' "$SCRATCH/v.log"
check "sitegen values says what the rules do not set" grep -q -P '^\{\{ rules.adults.stage1.respond \}\}\t\(not set: a page cannot use it\)$' "$SCRATCH/v.log"

finish values
