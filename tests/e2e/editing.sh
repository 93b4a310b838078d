#!/usr/bin/env bash
# What editors write and get wrong: callouts in Markdown (warning text,
# inset text, details) drawn as the theme's components; a ```mermaid block
# read as a flowchart; and the mistakes that used to publish silently, each
# a message with its exact text: indented code, pages in folders sitegen
# skips, unreachable pages at build, and YAML errors in plain words at the
# line of the mistake.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

C=$SCRATCH/content
OUT=$SCRATCH/out
T=themes/default

fresh() { rm -rf "$C" "$OUT" && cp -r content "$C"; }
mkpage() { # NAME BODY: a page reached by link from nowhere, on purpose
	printf -- '---\ntitle: Test\nsummary: A test page.\nmenu: false\n---\n%s\n' "$2" >"$C/$1.md"
}
build() { "$SG" build --content "$C" --theme "$T" --out "$OUT" >"$SCRATCH/b.log" 2>&1; }
# has WHAT FILE TEXT: the file holds the text, as it is.
has() { if grep -q -F -- "$3" "$2"; then ok "$1"; else not_ok "$1" "$(grep -n -F -- "${3:0:20}" "$2" | head -3)"; fi; }
# said WHAT TEXT: the last build printed the line.
said() { if grep -q -x -F -- "$2" "$SCRATCH/b.log"; then ok "$1"; else not_ok "$1" "$(head -5 "$SCRATCH/b.log")"; fi; }

# --- callouts ---
fresh
mkpage test "$(cat <<'EOF'
> [!WARNING]
> Do not send **bank details**.

> [!NOTE] We reply within {{ rules.corporate.stage1.respond }}.
> See [the policy](complaints-policy.md).

> [!tip]
>
> A tip.

> [!DETAILS] Help with *this* form
> First paragraph.
>
> | a | b |
> |---|---|
> | 1 | 2 |
>
> > [!CAUTION]
> > Nested warning.

> A plain quote.
EOF
)"
build
rc=$?
check "a page with callouts builds" test $rc -eq 0
H=$OUT/test/index.html
has "[!WARNING] becomes warning text with its hidden word" "$H" '<div class="warning-text__text"><span class="visually-hidden">Warning: </span><p>Do not send <strong>bank details</strong>.</p>'
has "the warning icon is hidden from screen readers" "$H" '<span class="warning-text__icon" aria-hidden="true">!</span>'
has "[!NOTE] with text on its line becomes inset text, values and links done" "$H" "$(printf '<div class="inset-text">\n<p>We reply within 10 working days.\nSee <a href="/complaints-policy/">the policy</a>.</p>')"
has "[!tip] in lower case is inset text too" "$H" "$(printf '<div class="inset-text">\n<p>A tip.</p>')"
has "[!DETAILS] gives a details element with its summary as plain text" "$H" '<summary class="details__summary">Help with this form</summary>'
has "a table inside details keeps its scrolling region" "$H" '<div class="table-wrap" role="region"'
has "a callout inside a callout is drawn too" "$H" '<span class="visually-hidden">Warning: </span><p>Nested warning.</p>'
has "a plain quote stays a quote" "$H" "$(printf '<blockquote>\n<p>A plain quote.</p>')"
if grep -q -F '[!' "$H"; then not_ok "no marker is left in the page" "$(grep -n -F '[!' "$H")"; else ok "no marker is left in the page"; fi
if grep -q -F '<blockquote>' <(sed -n '/warning-text/,/details>/p' "$H"); then
	not_ok "callouts are not quotes"
else
	ok "callouts are not quotes"
fi

fresh
mkpage test "$(printf '> [!FOO]\n> x')"
build
said "an unknown callout names the ones there are" \
	"sitegen: $C/test.md:6:1: no callout '[!FOO]': write [!WARNING] (or [!CAUTION]) for warning text, [!NOTE] (or [!TIP], [!IMPORTANT], [!INSET]) for inset text, or [!DETAILS] and a summary for an expandable section"
fresh
mkpage test "$(printf '> [!DETAILS]\n> Body.')"
build
said "details without a summary" \
	"sitegen: $C/test.md:6:1: a [!DETAILS] callout needs its summary on the same line, like '> [!DETAILS] Help with this'"
fresh
mkpage test "$(printf 'Text.\n\n> [!WARNING]')"
build
said "an empty callout" \
	"sitegen: $C/test.md:8:1: the [!WARNING] callout is empty: write its text on the lines below it, each starting with '>'"
check "a refused callout writes nothing" test ! -e "$OUT/test/index.html"

# The theme docs give editors Markdown, not HTML the build refuses.
if grep -E '^\| (inset text|warning text|details) \|' docs/theme.md | grep -q '<div class="warning-text">\|`<details>'; then
	not_ok "docs/theme.md gives the callouts' Markdown" "$(grep -E '^\| (inset text|warning text|details) \|' docs/theme.md)"
else
	ok "docs/theme.md gives the callouts' Markdown"
fi

# --- ```mermaid ---
fresh
mkpage test "$(printf '\140\140\140mermaid\nflowchart TD\n  a[Ask us] --> b{Sorted?}\n  b -->|Yes| c([Done])\n\140\140\140')"
build
has "a mermaid flowchart is drawn as a flowchart" "$OUT/test/index.html" '<figure class="flowchart" id="flowchart-1"'
fresh
mkpage test "$(printf '\140\140\140mermaid\nsequenceDiagram\n  A->>B: hi\n\140\140\140')"
build
said "a mermaid diagram of another kind is refused with the hint" \
	"sitegen: $C/test.md:6:1: this \`\`\`mermaid block is a sequenceDiagram, and sitegen draws flowcharts only: write the steps as a flowchart (flowchart TD, see \"Flowcharts\" in docs/site-format.md), or as a list"
fresh
mkpage test "$(printf '\140\140\140mermaid\nflowchart TD\n  a[Ask] -->\n\140\140\140')"
build
said "a mermaid flowchart that does not parse says what is read" \
	"sitegen: $C/test.md:8:13: expected a step id (letters, digits and _), like ack[Acknowledge] (a \`\`\`mermaid block is read as a flowchart, which takes the part of Mermaid's syntax listed under \"Flowcharts\" in docs/site-format.md)"

# --- warnings at build ---
fresh
mkpage test "$(printf 'Text.\n\n    Indented by accident.\n')"
build
rc=$?
check "indented code is a warning, not an error" test $rc -eq 0
said "indented code is a warning at build" \
	"sitegen: warning: $C/test.md:8:1: this text is indented by 4 spaces or a tab, so it shows as computer code in a box of its own: take the indent out (to show code on purpose, put it between \`\`\` lines)"

fresh
printf -- '---\ntitle: Lonely\nsummary: Nobody links here.\n---\nText.\n' >"$C/lonely.md"
mkdir -p "$C/.drafts" "$C/forms/extra"
printf -- '---\ntitle: Draft\nsummary: A draft.\n---\nText.\n' >"$C/.drafts/new.md"
cp "$C/.drafts/new.md" "$C/.hidden.md"
cp "$C/.drafts/new.md" "$C/forms/extra/page.md"
cp "$C/.drafts/new.md" "$C/calendars/page.md"
build
rc=$?
check "a build with warnings still builds" test $rc -eq 0
said "build warns of a page nothing reaches, as check does" \
	"sitegen: warning: $C/lonely.md:1:1: no navigation entry or page links here: add it to nav or footer in site.yml, link to it, or set 'menu: false'"
said "a page in a hidden folder is reported" \
	"sitegen: warning: $C/.drafts/new.md:1:1: sitegen skips names that start with '.', so this page is not published: rename or move it (a page that should wait can say 'draft: true' instead)"
said "a hidden page is reported" \
	"sitegen: warning: $C/.hidden.md:1:1: sitegen skips names that start with '.', so this page is not published: rename or move it (a page that should wait can say 'draft: true' instead)"
said "a page in forms/ is reported" \
	"sitegen: warning: $C/forms/extra/page.md:1:1: pages in forms/ are not published (the folder holds the forms' definitions): move this page out of forms/"
said "a page in calendars/ is reported" \
	"sitegen: warning: $C/calendars/page.md:1:1: pages in calendars/ are not published (the folder holds the bank holiday calendars): move this page out of calendars/"
check "build counts the warnings" grep -q "^sitegen: built 12 pages: .*; 5 warnings$" "$SCRATCH/b.log"
if grep -q -F "$C/letters/" "$SCRATCH/b.log"; then not_ok "letters are not pages and are not reported"; else ok "letters are not pages and are not reported"; fi
"$SG" check --content "$C" --theme "$T" >"$SCRATCH/c.log" 2>&1
if diff <(grep warning: "$SCRATCH/b.log") <(grep warning: "$SCRATCH/c.log") >/dev/null; then
	ok "build and check print the same warnings"
else
	not_ok "build and check print the same warnings" "$(diff <(grep warning: "$SCRATCH/b.log") <(grep warning: "$SCRATCH/c.log"))"
fi
"$SG" build --content content --theme "$T" --out "$OUT.shipped" >"$SCRATCH/s.log" 2>&1
check "the shipped content builds with no warning" grep -q "; 0 warnings$" "$SCRATCH/s.log"

# --- YAML in plain words, at the line of the mistake ---
yaml_msg() { # WHAT FRONT-MATTER EXPECTED
	fresh
	printf -- '---\n%s\n---\nText.\n' "$2" >"$C/test.md"
	build
	said "$1" "sitegen: $C/test.md:$3"
}
yaml_msg "a missing colon points at its own line" \
	"$(printf 'title Test page\nsummary: A test page.\nmenu: false')" \
	"2:1: this line has no colon after its name: write it as 'title: Test page'"
yaml_msg "a colon inside a value: put it in quotes" \
	"$(printf 'title: Complaints: how to\nsummary: A test page.\nmenu: false')" \
	"2:8: a colon and a space inside a value make it look like a new name: put the value in quotes, like title: \"Complaints: how to\""
yaml_msg "a stray indent names the line above" \
	"$(printf 'title: Test\n  summary: A test page.\nmenu: false')" \
	"3:3: this line is indented more than line 2, so it reads as more of that line's value: line it up with 'title', or, if it continues the value, put the whole value in quotes"
yaml_msg "an unclosed quote points at the quote" \
	"$(printf 'title: \"Test\nsummary: A test page.\nmenu: false')" \
	"2:8: this quote is never closed: end the value with another \""
yaml_msg "an apostrophe inside single quotes" \
	"$(printf "title: 'Our council's policy'\nsummary: A test page.\nmenu: false")" \
	"2:21: text follows the closing quote of a value: put the whole value in double quotes (a quote inside single quotes is written twice, as in 'it''s')"
yaml_msg "a value starting with @" \
	"$(printf 'title: @council\nsummary: A test page.\nmenu: false')" \
	"2:8: a value cannot start with '@': put the value in quotes"
yaml_msg "a value starting with [ and going on after ]" \
	"$(printf 'title: [Draft] Test\nsummary: A test page.\nmenu: false')" \
	"2:8: a value that starts with '[' is read as a list, and text follows its closing ']': put the whole value in quotes"
yaml_msg "a value starting with [ that never ends" \
	"$(printf 'title: [Draft Test\nsummary: A test page.\nmenu: false')" \
	"2:8: a value that starts with '[' is read as a list, and this one does not end with ']': put the value in quotes"
fresh
printf 'council Northmere\n' >>"$C/site.yml"
L=$(wc -l <"$C/site.yml")
build
said "site.yml: the same words" \
	"sitegen: $C/site.yml:$L:1: this line has no colon after its name: write it as 'council: Northmere'"

finish editing
