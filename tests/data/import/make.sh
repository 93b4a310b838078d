#!/usr/bin/env bash
# Writes into DIR the documents the import tests read, made here rather
# than kept: a Word .docx and an OpenDocument .odt written by pandoc from
# Markdown (a title, a heading that skips a level, a placeholder link, a
# table and lists), an HTML page with a table and lists, and a plain text
# as a PDF's converter leaves it (a title line, tab-indented lines, links
# to "#" and an HTML table).
#   tests/data/import/make.sh DIR
set -eu
dir=$1
mkdir -p "$dir"
cat >"$dir/src-docx.md" <<'EOF_MD'
# Housing Repairs Complaints

## Purpose

This policy explains how we handle complaints about repairs. It applies to every tenant.

#### How to complain

Use [the complaint form](#) or call us. We are *always* glad to hear from you.

| Stage | Who answers |
|---|---|
| 1 | The repairs manager |
| 2 | The head of housing |

- by phone
    - in office hours
- by letter

1. We acknowledge your complaint.
2. We answer it.
EOF_MD
sed -e 's/Housing Repairs Complaints/Parking Services Complaints/' "$dir/src-docx.md" >"$dir/src-odt.md"
pandoc "$dir/src-docx.md" -o "$dir/repairs.docx"
pandoc "$dir/src-odt.md" -o "$dir/parking.odt"
rm "$dir/src-docx.md" "$dir/src-odt.md"
cat >"$dir/waste.html" <<'EOF_HTML'
<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Waste complaints</title></head>
<body>
<h1>Waste Collection Complaints</h1>
<p>This page says how we deal with <b>missed bins</b> and other waste complaints.</p>
<h3>Timescales</h3>
<table>
<tr><th>What</th><th>When</th></tr>
<tr><td>Missed bin</td><td>Next working day</td></tr>
</table>
<ul><li>Garden waste</li><li>Bulky items <ul><li>sofas</li></ul></li></ul>
<p><a href="#">Report a missed bin</a></p>
</body></html>
EOF_HTML
printf 'Noise Nuisance Complaints\n\nThis report covers noise complaints made to the council.\n\n\tOfficers visit within a week.\n\tThey keep a record of each visit.\n\nSee [the noise form](#) and [our page](#nowhere).\n\n<table><tr><td>Night</td><td>Day</td></tr><tr><td>11pm</td><td>7am</td></tr></table>\n\nA {{ brace }} pair.\n' >"$dir/noise.txt"
