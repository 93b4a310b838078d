# Shared helpers for the end-to-end scripts: a pass/fail tally that ends
# with "NAME: N passed, N failed", and a scratch folder removed on exit.
pass=0
fail=0
SCRATCH=$(mktemp -d)
# A server a script started and left in PID is killed at exit too.
PID=""
trap '[ -n "$PID" ] && kill -9 $PID 2>/dev/null; rm -rf "$SCRATCH"' EXIT

# intake serve refuses to run as root without --user: as root, the tests
# run it as nobody (give "${INTAKE_USER_OPT[@]}") and open their scratch
# folder to it. INTAKE_USER tells child scripts the same.
INTAKE_USER_OPT=()
export INTAKE_USER=""
if [ "$(id -u)" = 0 ]; then
	INTAKE_USER_OPT=(--user nobody)
	INTAKE_USER=nobody
	chmod 0755 "$SCRATCH"
fi

ok() {
	pass=$((pass + 1))
	echo "ok - $1"
}

not_ok() {
	fail=$((fail + 1))
	echo "not ok - $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    /'
	return 0
}

# check "description" command...: passes when the command succeeds.
check() {
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$what"; else not_ok "$what"; fi
}

# intake_start OUT ERR ARGS...: starts "$IN" serve --listen 127.0.0.1:0
# ARGS in the background, its output in OUT and ERR; sets PID and PORT
# once it says where it listens. Fails when it exits or is not up in 5 s.
intake_start() {
	local out=$1 err=$2 i
	shift 2
	PORT=""
	"$IN" serve --listen 127.0.0.1:0 "$@" >"$out" 2>"$err" &
	PID=$!
	for i in $(seq 1 50); do
		PORT=$(sed -n 's/.*http:\/\/127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$out")
		[ -n "$PORT" ] && return 0
		kill -0 $PID 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# spool_start ARGS...: intake_start on intake_site's site, forms and spool
# with no rate limit to speak of, quiet, its output in $SCRATCH/out and
# $SCRATCH/err; sets URL too.
spool_start() {
	intake_start "$SCRATCH/out" "$SCRATCH/err" --site "$SITE" --forms "$FORMS" \
		--spool "$SPOOL" "${INTAKE_USER_OPT[@]}" --rate 1000000 --quiet "$@" || return 1
	URL=http://127.0.0.1:$PORT
}

# intake_stop: SIGTERM to the intake_start server, and waits for it.
intake_stop() {
	[ -n "${PID:-}" ] && kill $PID 2>/dev/null && wait $PID 2>/dev/null
	PID=""
}

finish() {
	echo "$1: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}

# submit URL CURL_ARGS...: posts a form as a resident's browser does: when
# the answer is the check page, presses its Send (posts the draft it holds).
# Prints "STATUS LOCATION" of the last answer; its body is left in
# $SCRATCH/submit.html and its headers in $SCRATCH/submit.h.
submit() {
	local url=$1 out tok hdrs=() prev=
	shift
	# Headers (-H) go with the Send as well: it comes from the same browser.
	for a in "$@"; do
		[ "$prev" = -H ] && hdrs+=(-H "$a")
		prev=$a
	done
	out=$(curl -s -D "$SCRATCH/submit.h" -o "$SCRATCH/submit.html" -w '%{http_code} %{redirect_url}' "$@" "$url")
	tok=$(sed -n 's/.*name="_draft" value="\([^"]*\)".*/\1/p' "$SCRATCH/submit.html" 2>/dev/null)
	if [ "${out%% *}" = 200 ] && [ -n "$tok" ]; then
		out=$(curl -s -D "$SCRATCH/submit.h" -o "$SCRATCH/submit.html" -w '%{http_code} %{redirect_url}' \
			"${hdrs[@]}" --data "_draft=$tok&_send=yes" "$url")
	fi
	printf '%s' "$out"
}

# intake_site: what the intake scripts share: SITE, SPOOL, LIB,
# FORMS (exported, for intake_lib.py) and FORM_IDS; then builds the site
# into $SITE with the real sitegen (its output in $SCRATCH/sg.log), and
# gives any form sitegen wrote no page shells for minimal ones.
intake_site() {
	local id
	SITE=$SCRATCH/site
	SPOOL=$SCRATCH/spool
	LIB=tests/e2e/intake_lib.py
	export FORMS=content/forms
	FORM_IDS=$(ls "$FORMS" | sed -n 's/^\([a-z0-9][a-z0-9_-]*\)\.yml$/\1/p')
	"$SG" build --out "$SITE" --quiet >"$SCRATCH/sg.log" 2>&1
	for id in $FORM_IDS; do
		mkdir -p "$SITE/.threecs/forms" "$SITE/.threecs/received" "$SITE/assets/forms"
		[ -f "$SITE/.threecs/forms/$id.html" ] || printf '<!DOCTYPE html>\n<html lang="en-GB"><head><title>%s</title></head><body><main>\n<!--threecs:form-->\n</main></body></html>\n' "$id" >"$SITE/.threecs/forms/$id.html"
		[ -f "$SITE/.threecs/received/$id.html" ] || printf '<!DOCTYPE html>\n<html lang="en-GB"><head><title>Received</title></head><body><main><p>Your reference is <strong>@@REFERENCE@@</strong></p></main></body></html>\n' >"$SITE/.threecs/received/$id.html"
	done
}

# The programs under test (the memory-checked run names the sanitizer
# builds). cw runs casework on the council's rules and forms; py runs $PYCODE with tests/data/bundles'
# mkbundle imported as mb and P the folder of submissions ($SCRATCH/subs).
CW=${CASEWORK:-bin/casework}
IN=${INTAKE:-bin/intake}
SG=${SITEGEN:-bin/sitegen}
MK=tests/data/bundles/mkbundle.py
cw() { "$CW" --rules content/rules.yml --forms content/forms "$@"; }
py() {
	python3 - "$@" <<EOF_PY
import sys, json
sys.path.insert(0, "tests/data/bundles")
import mkbundle as mb
P = "$SCRATCH/subs"
$PYCODE
EOF_PY
}

# complaint ID RECEIVED SERVICE [JSON] [PYTHON]: a complaint in $SCRATCH/subs
# with the fields that matter set (JSON overrides some), then PYTHON run
# with d its folder (to spoil it).
complaint() {
	PYCODE="
import hashlib, os
f = {'full_name': 'Test Person $1', 'email': '$1@example.org',
     'contact_method': 'email', 'on_behalf': 'no', 'service_area': '$3',
     'what_happened': 'Something went wrong.', 'when_happened': '2026-10-01',
     'impact': 'It upset me.', 'outcome_sought': 'Put it right.',
     'raised_before': 'yes'}
f.update(json.loads('''${4:-{\}}'''))
d = mb.sub(P, '$1', 'complaint', '$2', f)
${5:-}" py
}

# spool_submission DIR ID FIELDS PREFIX: writes DIR/ready/ID/submission.json
# in the threecs-submission/1 format around the attachments already in
# DIR/ready/ID/files/1, 2, ... (each listed with its size and sha256, named
# PREFIXn.txt); FIELDS is the fields object's JSON. No files: no files/.
spool_submission() {
	local dir=$1/ready/$2 id=$2 fields=$3 prefix=$4 n=0 atts="" size sum
	while [ -f "$dir/files/$((n + 1))" ]; do
		n=$((n + 1))
		size=$(stat -c %s "$dir/files/$n")
		sum=$(sha256sum "$dir/files/$n" | cut -d' ' -f1)
		[ -n "$atts" ] && atts="$atts,"
		atts="$atts{\"field\":\"evidence\",\"name\":\"$prefix$n.txt\",\"type\":\"text/plain\",\"size\":$size,\"sha256\":\"$sum\",\"path\":\"files/$n\"}"
	done
	[ "$n" -eq 0 ] && rmdir "$dir/files" 2>/dev/null
	printf '{"format":"threecs-submission/1","id":"%s","form":"complaint","form_hash":"%s","received":"2026-11-21T10:00:00Z","channel":"web","fields":%s,"attachments":[%s]}\n' \
		"$id" "$(printf x | sha256sum | cut -d' ' -f1)" "$fields" "$atts" >"$dir/submission.json"
}

# spool_made DIR ID FIELDS PREFIX MAKE [ARG...]: a whole submission in
# DIR/ready/ID: for each ARG an attachment files/1, 2, ... holding what the
# command "MAKE ARG" prints, then its submission.json (spool_submission
# FIELDS PREFIX).
spool_made() {
	local base=$1 id=$2 fields=$3 prefix=$4 make=$5 dir=$1/ready/$2 n=0 arg
	shift 5
	mkdir -p "$dir/files"
	for arg in "$@"; do
		n=$((n + 1))
		"$make" "$arg" >"$dir/files/$n"
	done
	spool_submission "$base" "$id" "$fields" "$prefix"
}

# refused "what" CODE PATTERN cmd...: ok when cmd exits CODE with a message
# matching PATTERN (grep).
refused() {
	local what=$1 code=$2 pat=$3 out rc
	shift 3
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq "$code" ] && grep -q -- "$pat" <<<"$out"; then ok "$what"
	else not_ok "$what" "rc=$rc $out"; fi
}

# ref_of ID: the reference of the case submission ID made, in $D's register.
ref_of() { sqlite3 "$D/register.db" "select reference from cases where submission_id='$1'"; }

# packed REF EXPR: EXPR (Python) of the case pack $D/casepacks/REF.zip, with
# c its case.json and s its submission.json.
packed() {
	python3 - "$D/casepacks/$1.zip" "$2" <<'EOF_PY'
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
c = json.loads(z.read("case.json"))
s = json.loads(z.read("submission.json"))
print(eval(sys.argv[2]))
EOF_PY
}

# wd DATE N: N working days after DATE (Monday to Friday, not a bank
# holiday of content/calendars/england-and-wales.json), worked out here
# apart from casework.
wd() {
	python3 - "$1" "$2" <<'EOF_PY'
import datetime, json, sys
hol = {h["date"] for h in json.load(open("content/calendars/england-and-wales.json"))["holidays"]}
d = datetime.date.fromisoformat(sys.argv[1]); n = int(sys.argv[2])
while n > 0:
    d += datetime.timedelta(days=1)
    if d.weekday() < 5 and d.isoformat() not in hol:
        n -= 1
print(d.isoformat())
EOF_PY
}

# words DATE: the date as letters give it ("1 February 2027").
words() { python3 -c "import datetime; d = datetime.date.fromisoformat('$1'); print(f'{d.day} {d:%B %Y}')"; }

# rc_is "what" CODE cmd...: ok when cmd exits CODE (its output shown when
# not).
rc_is() { # desc want-rc command...
	local d=$1 want=$2 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want" ]; then ok "$d"; else not_ok "$d" "rc=$rc want $want: $out"; fi
}
