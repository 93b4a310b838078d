#!/usr/bin/env bash
# The shape of the code, checked: the layers (common <- model <- each
# program; no program's objects in another program), SQL in casework's
# store only, no HTML in casework's C string literals (the officers' pages
# come from templates), and the size limits (no source file over 1,500
# lines, no function over 150).
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

# Headers of each program, by name.
prog_headers=$(cd generator && ls *.h; cd ../intake && ls *.h; cd ../processor && ls *.h)
model_headers=$(cd model && ls *.h)
# includes_none WHAT "FILES" "HEADERS": no file includes one of the headers.
includes_none() {
	local f h bad=""
	for f in $2; do
		for h in $3; do
			grep -q "^#include \"\(\.\./[a-z]*/\)\?$h\"" "$f" && bad="$bad $f:$h"
		done
	done
	[ -z "$bad" ] && ok "$1" || not_ok "$1" "$bad"
}
includes_none "no file of common/ or model/ includes a program's header" \
	"$(ls common/*.[ch] model/*.[ch])" "$prog_headers"
includes_none "no file of common/ includes a header of model/" \
	"$(ls common/*.[ch])" "$model_headers"
bad=""
for f in generator/*.[ch] intake/*.[ch] processor/*.[ch]; do
	grep -n '^#include "\.\./\(generator\|intake\|processor\)/' "$f" && bad="$bad $f"
done
[ -z "$bad" ] && ok "no program includes another program's header" ||
	not_ok "no program includes another program's header" "$bad"

# Symbols: each program defines none of the others' functions.
syms() { nm --defined-only "$1" 2>/dev/null | awk '$2 ~ /^[TtDdBbRr]$/ {print $3}'; }
# The model layer (model/, in build/rel/libmodel.a) is shared by every
# program, the case model included, whatever its names' prefix.
model_syms=$(syms build/rel/libmodel.a | sort -u)
check_syms() { # program pattern what
	local found
	found=$(syms "$1" | grep -E "$2" | sort -u | comm -23 - <(printf '%s\n' "$model_syms") | head -5)
	[ -z "$found" ] && ok "$1 holds no $3 symbol" || not_ok "$1 holds no $3 symbol" "$found"
}
check_syms "$SG" '^(cw_|intake_)' "casework or intake"
check_syms "$IN" '^(cw_|site_)' "casework or sitegen"
check_syms "$CW" '^(intake_|site_)' "intake or sitegen"

# SQL: the store alone speaks it (store.c, store_report.c,
# store_quarantine.c, store_restrict.c and store_people.c over the private
# store_internal.h); its public store.h names nothing of SQLite's.
sql=$(grep -lE 'sqlite3|\b(SELECT|INSERT INTO|UPDATE [a-z_]+ SET|DELETE FROM|CREATE TABLE)\b' processor/*.c processor/*.h |
	grep -vE '^processor/(store\.c|store_report\.c|store_quarantine\.c|store_restrict\.c|store_people\.c|store_internal\.h)$')
[ -z "$sql" ] && ok "SQL appears in the store only (processor/store*.c)" ||
	not_ok "SQL appears in the store only (processor/store*.c)" "$sql"
html=$(grep -nE '"[^"]*<(/?[a-zA-Z][a-zA-Z0-9]*[ >/]|!DOCTYPE|!--)[^"]*"' processor/*.c | head -5)
[ -z "$html" ] && ok "no HTML tag in a string literal of processor/" ||
	not_ok "no HTML tag in a string literal of processor/" "$html"

# Sizes: files of code and their functions (from a line starting "{" to
# the next line starting "}").
big=$(wc -l $(git ls-files '*.c' '*.h' 2>/dev/null || ls */*.[ch]) | awk '$2 != "total" && $1 > 1500 {print $2 ": " $1 " lines"}')
[ -z "$big" ] && ok "no source file over 1,500 lines" ||
	not_ok "no source file over 1,500 lines" "$big"
long=$(for f in $(git ls-files '*.c' 2>/dev/null || ls */*.c); do
	awk -v f="$f" '/^\{/ {s = NR} /^\}/ && s {if (NR - s + 1 > 150) print f ":" s ": " NR - s + 1 " lines"; s = 0}' "$f"
done)
[ -z "$long" ] && ok "no function over 150 lines" || not_ok "no function over 150 lines" "$long"

echo "layers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
