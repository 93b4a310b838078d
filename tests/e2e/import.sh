#!/usr/bin/env bash
# sitegen import on documents the test makes itself (tests/data/import/
# make.sh: a .docx and an .odt written by pandoc, an HTML page, a plain text
# with tabs, "#" links and an HTML table): each becomes a page with front
# matter and no raw HTML, the site builds with no error, and each message
# has its exact text.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

if ! command -v pandoc >/dev/null; then
	not_ok "pandoc is installed (scripts/install-deps.sh installs it)"
	finish import
	exit 1
fi
D=$SCRATCH/docs
C=$SCRATCH/content
OUT=$SCRATCH/out
bash tests/data/import/make.sh "$D"
cp -r content "$C"
imp() { "$SG" import --content "$C" "$@" >"$SCRATCH/i.out" 2>"$SCRATCH/i.err"; }
# said WHAT TEXT: the last import printed the line (stdout or stderr).
said() { if grep -q -x -F -- "$2" "$SCRATCH/i.out" "$SCRATCH/i.err" 2>/dev/null || cat "$SCRATCH/i.out" "$SCRATCH/i.err" | grep -q -x -F -- "$2"; then ok "$1"; else not_ok "$1" "$(cat "$SCRATCH/i.out" "$SCRATCH/i.err" | head -8)"; fi; }

# --- Word ---
imp "$D/repairs.docx"
check "a .docx imports" test $? -eq 0
P=$C/housing-repairs-complaints.md
said "it says where the page went" "sitegen: imported $D/repairs.docx as $P (2 warnings)"
check "the page is named from its title" test -f "$P"
check "the title comes from the level-1 heading" grep -q -x 'title: "Housing Repairs Complaints"' "$P"
check "the summary is the first sentence" grep -q -x 'summary: "This policy explains how we handle complaints about repairs."' "$P"
check "the level-1 heading is not repeated in the body" bash -c "! grep -q '^# ' '$P'"
check "a level-4 heading after a level-2 becomes level 3" grep -q -x '### How to complain' "$P"
said "and says so" "sitegen: warning: $P:10: heading level 4 became level 3, so the levels follow on (after a level-2 heading, or the page's title)"
check "a placeholder link becomes its text" grep -q '^Use the complaint form or call us' "$P"
if grep -q -F "sitegen: warning: $P:12: a link to nowhere, [the complaint form](#" "$SCRATCH/i.err"; then ok "and says so, at the page's line"; else not_ok "and says so, at the page's line" "$(cat "$SCRATCH/i.err")"; fi
check "the table is a Markdown table" grep -q '^| Stage' "$P"
check "the nested list stays nested" grep -q '^    -   in office hours' "$P"

# --- OpenDocument ---
imp "$D/parking.odt"
check "an .odt imports" test $? -eq 0
P2=$C/parking-services-complaints.md
check "its page has its title" grep -q -x 'title: "Parking Services Complaints"' "$P2"
said "the link to nowhere in it" "sitegen: warning: $P2:12: a link to nowhere, [the complaint form](#), became plain text: link it to a page or an address if it should go somewhere"

# --- HTML ---
imp "$D/waste.html"
check "an HTML page imports" test $? -eq 0
P3=$C/waste-collection-complaints.md
check "HTML bold becomes Markdown" grep -q '\*\*missed bins\*\*' "$P3"
check "an HTML table becomes a Markdown table" grep -q '^| Missed bin' "$P3"
check "HTML lists become Markdown lists" grep -q -- '-   sofas' "$P3"
said "an h3 after the title becomes level 2" "sitegen: warning: $P3:8: heading level 3 became level 2, so the levels follow on (after a level-1 heading, or the page's title)"

# --- plain text from a PDF ---
imp "$D/noise.txt"
check "a text file imports" test $? -eq 0
P4=$C/noise-nuisance-complaints.md
check "its first line alone is the title" grep -q -x 'title: "Noise Nuisance Complaints"' "$P4"
check "tab-indented lines become paragraphs" grep -q -x 'Officers visit within a week.' "$P4"
said "and says so" "sitegen: warning: $P4:8: 2 indented lines (tabs or 4 spaces, which Markdown shows as computer code) became ordinary text"
said "an HTML table in the text is converted, at the file's line" "sitegen: warning: $D/noise.txt:10: HTML (1 line) was converted to Markdown: check the result"
check "into a Markdown table" grep -q '^| Night' "$P4"
said "a link to a missing heading is a link to nowhere" "sitegen: warning: $P4:11: a link to nowhere, [our page](#nowhere), became plain text: link it to a page or an address if it should go somewhere"
check "braces stay text, not a value" grep -q -F 'A \{{ brace }} pair.' "$P4"

# --- all of them build ---
for p in "$P" "$P2" "$P3" "$P4"; do
	if grep -q '<[a-zA-Z/]' "$p"; then not_ok "no raw HTML in $(basename "$p")" "$(grep -n '<[a-zA-Z/]' "$p" | head -3)"; else ok "no raw HTML in $(basename "$p")"; fi
	printf -- '- [%s](%s)\n' "$(basename "$p")" "$(basename "$p")" >>"$SCRATCH/links"
done
cat "$SCRATCH/links" >>"$C/index.md"
"$SG" build --content "$C" --out "$OUT" >"$SCRATCH/b.log" 2>&1
rc=$?
check "the site with the imported pages builds with no errors" test $rc -eq 0
check "the imported pages are built" test -f "$OUT/noise-nuisance-complaints/index.html"

# --- refusals ---
imp "$D/repairs.docx"
check "importing onto an existing page is refused" test $? -ne 0
said "with the reason" "sitegen: $D/repairs.docx: $P is there already: import writes new pages only; move that page away or rename the document"
printf 'x' >"$SCRATCH/policy.pdf"
imp "$SCRATCH/policy.pdf"
said "a PDF is refused with what to do" "sitegen: $SCRATCH/policy.pdf: import reads .docx, .odt, .html and .txt files (save the document as one of these; for a PDF, save its text as .txt)"
printf 'not a word file' >"$SCRATCH/broken.docx"
imp "$SCRATCH/broken.docx"
check "a broken .docx is refused" test $? -ne 0
said "saying pandoc could not read it" "sitegen: $SCRATCH/broken.docx: pandoc could not read this file (what it said is above): is it a docx document?"
printf '\xff\xfe' >"$SCRATCH/bad.txt"
imp "$SCRATCH/bad.txt"
said "text that is not UTF-8 is refused" "sitegen: $SCRATCH/bad.txt: byte 0 is not UTF-8 text: save the file as UTF-8 and import it again"
"$SG" import --content "$C" >"$SCRATCH/i.out" 2>"$SCRATCH/i.err"
check "import without files is a usage error" test $? -eq 2
check "nothing half-written is left" bash -c "! ls '$C' | grep -q -v '\\.md$\\|\\.yml$\\|^forms$\\|^letters$\\|^calendars$'"

finish import
