#!/usr/bin/env bash
# The resident's reference, from the confirmation page to the case: real
# sitegen, real intake serve on a loopback port, curl as the resident,
# intake bundle and casework ingest over a real register. A complaint made
# for someone else without their consent is accepted and reaches the
# register flagged; stage 2 requests typed with the confirmation page's
# reference, or the case's reference, in lower case and without dashes,
# find their cases.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

trap 'intake_stop; rm -rf "$SCRATCH"' EXIT
intake_site
D=$SCRATCH/data
OUT=$SCRATCH/bundles
TODAY=$(date -u -d '+7 days' +%F) # after any received date the posts get

if intake_start "$SCRATCH/in.out" "$SCRATCH/in.err" --site "$SITE" --forms "$FORMS" \
	--spool "$SPOOL" --rate 100000 "${INTAKE_USER_OPT[@]}"; then
	ok "intake serves the site built by sitegen"
else
	not_ok "intake starts" "$(cat "$SCRATCH/in.err")"
	finish "roundtrip e2e"
	exit 1
fi
URL=http://127.0.0.1:$PORT

# body FORM KEY=VALUE...: a valid post of FORM with these answers changed
# (an empty VALUE drops the answer).
body() {
	python3 - "$(python3 $LIB "$SITE" "$1" pairs)" "${@:2}" <<'PY'
import sys, urllib.parse
pairs = dict(urllib.parse.parse_qsl(sys.argv[1]))
for kv in sys.argv[2:]:
    k, v = kv.split("=", 1)
    if v:
        pairs[k] = v
    else:
        pairs.pop(k, None)
print(urllib.parse.urlencode(pairs))
PY
}

# send FORM BODY: posts it as a browser would; prints the reference the
# confirmation page shows the resident (empty when there is none).
send() {
	local out loc
	out=$(submit "$URL/submit/$1" -d "$2")
	[ "${out%% *}" = 303 ] || { echo "post of $1 got $out" >&2; return 1; }
	loc=${out#* }
	curl -s "$loc" | sed -n 's/.*<strong[^>]*>\([0-9A-Z]\{5\}-[0-9A-Z]\{5\}\)<\/strong>.*/\1/p' | head -1
}

# ingest SECONDS-AGO: bundles what intake holds (as made that long ago,
# so that two bundles never share a name) and ingests it; prints the
# summary.
ingest() {
	local now
	now=$(date -u -d "-$1 seconds" +%Y-%m-%dT%H:%M:%SZ)
	rm -rf "$OUT"
	"$IN" bundle --spool "$SPOOL" --out "$OUT" --now "$now" >"$SCRATCH/b.out" 2>&1 || { cat "$SCRATCH/b.out" >&2; return 1; }
	cw --data "$D" --today "$TODAY" ingest "$OUT"/*.zip 2>&1 | grep '^total:'
}
case_of() { sqlite3 "$D/register.db" "select c.reference from submissions s join cases c on c.id = s.case_id where s.id = '$1'"; }
stage_of() { unzip -p "$D/casepacks/$1.zip" case.json | python3 -c 'import json, sys; print(json.load(sys.stdin)["stage"])'; }

# ---- a complaint for someone else, their consent not confirmed
R1=$(send complaint "$(body complaint on_behalf=yes person_name="Ivy Neighbour" relationship=neighbour consent=)")
[[ $R1 =~ ^[0-9A-Z]{5}-[0-9A-Z]{5}$ ]] &&
	ok "a complaint for someone else without their consent is accepted; the page gives $R1" ||
	not_ok "complaint without consent accepted" "$R1"
R2=$(send complaint "$(body complaint on_behalf=no)")
out=$(ingest 10)
grep -q "total: 2 read: 2 cases" <<<"$out" && ok "both reach the register as cases" || not_ok "ingest of the complaints" "$out"
C1=$(case_of "$R1")
C2=$(case_of "$R2")
flags=$(unzip -p "$D/casepacks/$C1.zip" case.json | python3 -c 'import json, sys; print(json.load(sys.stdin)["flags"])')
grep -q "third_party_without_consent" <<<"$flags" &&
	ok "$C1 is flagged third_party_without_consent" || not_ok "third party flag" "$C1: $flags"

# ---- stage 2, by the confirmation page's reference and by the case's,
# typed in lower case and without their dashes
typed1=$(tr 'A-Z' 'a-z' <<<"$R1" | tr -d '-')
typed2=$(tr 'A-Z' 'a-z' <<<"$C2" | tr '-' ' ')
V1=$(send review "$(body review case_reference="$typed1")")
V2=$(send review "$(body review case_reference="$typed2")")
[ -n "$V1" ] && [ -n "$V2" ] && ok "the review form accepts '$typed1' and '$typed2'" ||
	not_ok "review form accepts the references" "V1=$V1 V2=$V2"
out=$(ingest 0)
grep -q "2 stage 2 escalations" <<<"$out" && [ "$(stage_of "$C1")" = 2 ] && [ "$(stage_of "$C2")" = 2 ] &&
	ok "casework matches both: $C1 and $C2 are at stage 2" || not_ok "stage 2 matched" "$out"
[ -n "$C1" ] && [ -n "$C2" ] && [ "$(case_of "$V1")" = "$C1" ] && [ "$(case_of "$V2")" = "$C2" ] &&
	ok "each request is recorded on its case" || not_ok "requests recorded on their cases" "$(case_of "$V1") $(case_of "$V2")"

finish "roundtrip e2e"
