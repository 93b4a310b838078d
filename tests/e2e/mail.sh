#!/usr/bin/env bash
# Confirmation emails end to end: intake serve --mail-from queues one in
# the spool's outbox once a submission that gave an email address is
# stored, and none for a refused post, the honeypot or a form without an
# address; intake mail sends each once through a fake sendmail that keeps
# what it is given, keeps a failed one to try again later, and never
# sends one twice, even after a run stopped mid-send.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

intake_site
FROM=complaints@northmere.example
TO=resident.one@example.org
CAP=$SCRATCH/captured
FAKE=$SCRATCH/sendmail
mkdir -p "$CAP"
cat >"$FAKE" <<EOF
#!/bin/sh
# A sendmail that keeps its arguments and message, and fails while
# $CAP/fail exists.
n=\$(ls "$CAP" | grep -c '\.msg\$')
printf '%s\n' "\$@" >"$CAP/\$n.args"
cat >"$CAP/\$n.msg"
[ -e "$CAP/fail" ] && exit 75
exit 0
EOF
chmod 755 "$FAKE"
mail() { "$IN" mail --spool "$SPOOL" --sendmail "$FAKE" "$@" >"$SCRATCH/m.out" 2>"$SCRATCH/m.err"; }
outbox() { ls "$SPOOL/outbox" 2>/dev/null | grep -c '\.json$'; }
sent() { ls "$CAP" | grep -c '\.msg$'; }

if ! intake_start "$SCRATCH/out" "$SCRATCH/err" --site "$SITE" --forms "$FORMS" \
	--spool "$SPOOL" --mail-from "$FROM" --quiet "${INTAKE_USER_OPT[@]}"; then
	not_ok "intake serve --mail-from starts" "$(cat "$SCRATCH/err")"
	finish mail
	exit
fi
URL=http://127.0.0.1:$PORT
body=$(python3 $LIB "$SITE" complaint pairs)
post() { submit "$URL/submit/$2" -d "$1"; }

# Nothing is queued for a refused post, the honeypot, or no address.
c=$(post "what_happened=x&email=$TO" complaint)
check "a refused post with an address is 422 (${c%% *})" test "${c%% *}" = 422
hp=$(python3 $LIB "$SITE" complaint honeypot)
c=$(post "$body&email=$TO&$hp=http://spam.example" complaint)
check "the honeypot is answered 303 (${c%% *})" test "${c%% *}" = 303
c=$(post "$body" complaint)
check "a submission without an address is 303" test "${c%% *}" = 303
c=$(curl -s -o /dev/null -w '%{http_code}' -d "$body&email=$TO" "$URL/submit/complaint")
check "a valid post not yet sent from its check page is 200 ($c)" test "$c" = 200
check "none of these queued an email" test "$(outbox)" = 0

# A stored submission with an address queues one, made durable with the
# submission: it is there by the time the 303 is.
out=$(post "$body&email=$TO" complaint)
ls "$SPOOL/outbox" >"$SCRATCH/outbox.at303"
ref=$(printf '%s' "$out" | sed -n 's|.*received?ref=\([0-9A-Z-]*\)&k=.*|\1|p')
check "a submission with an address is 303 with a reference" test -n "$ref"
check "its email was queued before the 303, named by its reference" \
	test "$(cat "$SCRATCH/outbox.at303")" = "$ref.json"
check "it queued one email, named by its reference" test -f "$SPOOL/outbox/$ref.json"
check "the entry is 0600" test "$(stat -c %a "$SPOOL/outbox/$ref.json" 2>/dev/null)" = 600
check "the entry holds nothing of the answers but the address" python3 - "$SPOOL/outbox/$ref.json" "$ref" "$TO" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
ref, to = sys.argv[2:4]
assert e["to"] == to and e["id"] == ref, e
m = e["message"]
for word in ("bin was not collected", "Alex Example", "bins"):
    assert word not in m, word
assert ref in m
PY
intake_stop

# A stop between a group commit and its email's release leaves REF.json.new:
# the next start releases it when the submission is stored, and drops it
# when it is not (that submission was never acknowledged).
cp "$SPOOL/outbox/$ref.json" "$SCRATCH/entry.json"
mv "$SPOOL/outbox/$ref.json" "$SPOOL/outbox/$ref.json.new"
cp "$SCRATCH/entry.json" "$SPOOL/outbox/ZZZZZ-ZZZZZ.json.new"
if intake_start "$SCRATCH/out" "$SCRATCH/err" --site "$SITE" --forms "$FORMS" \
	--spool "$SPOOL" --mail-from "$FROM" --quiet "${INTAKE_USER_OPT[@]}"; then
	check "a restart releases the email of a stored submission" test -f "$SPOOL/outbox/$ref.json"
	check "and drops the one whose submission was not stored" \
		test "$(ls "$SPOOL/outbox")" = "$ref.json"
else
	not_ok "intake serve restarts" "$(cat "$SCRATCH/err")"
fi
intake_stop

# A flush that fails (test hooks build): the resident is told it was not
# sent, and no email says otherwise.
INH=${INTAKE_HOOKS:-${INTAKE:-build/hooks/bin/intake}}
mv "$SPOOL/outbox/$ref.json" "$SCRATCH/kept.json"
if IN=$INH INTAKE_TEST_FLUSH_FAIL=1 intake_start "$SCRATCH/out" "$SCRATCH/err" --site "$SITE" \
	--forms "$FORMS" --spool "$SPOOL" --mail-from "$FROM" --quiet "${INTAKE_USER_OPT[@]}"; then
	URL=http://127.0.0.1:$PORT
	c=$(post "$body&email=$TO" complaint)
	check "a submission whose flush fails is 503 (${c%% *})" test "${c%% *}" = 503
	check "and queues no email" test -z "$(ls -A "$SPOOL/outbox")"
else
	not_ok "intake serve (test hooks) starts" "$(cat "$SCRATCH/err")"
fi
intake_stop
mv "$SCRATCH/kept.json" "$SPOOL/outbox/$ref.json"

# A failing sendmail: kept, tried again only when its wait is over.
touch "$CAP/fail"
mail
rc=$?
check "intake mail with a failing sendmail exits 3 (exit $rc)" test $rc = 3
check "the entry is kept to try again" test "$(outbox)" = 1
check "and says how many times it was tried" python3 -c "import json,sys; assert json.load(open('$SPOOL/outbox/$ref.json'))['attempts'] == 1"
check "the failure is logged with the attempt" grep -q "sendmail failed (attempt 1 of 10): kept to try again" "$SCRATCH/m.err"
rm -f "$CAP/fail"
n=$(sent)
mail
check "the next run waits before trying again" bash -c "[ $(sent) = $n ] && grep -q '0 sent, 0 to try again, 1 waiting' '$SCRATCH/m.out'"
mail --retry-now
rc=$?
check "--retry-now sends it (exit $rc)" bash -c "[ $rc = 0 ] && [ $(sent) = $((n + 1)) ] && grep -q '^mail: $ref sent$' '$SCRATCH/m.out'"
check "the outbox is empty once it is sent" test "$(outbox)" = 0
last=$((n))
check "sendmail is given -i -f FROM -- TO" bash -c "[ \"\$(tr '\n' ' ' <'$CAP/$last.args')\" = '-i -f $FROM -- $TO ' ]"
check "the message has its headers" bash -c "grep -q '^From: $FROM$' '$CAP/$last.msg' && grep -q '^To: $TO$' '$CAP/$last.msg' && grep -q '^Subject: Make a complaint: we have received it ($ref)$' '$CAP/$last.msg' && grep -q '^Auto-Submitted: auto-generated$' '$CAP/$last.msg' && grep -q '^Content-Type: text/plain; charset=utf-8$' '$CAP/$last.msg'"
check "the message gives the reference and what happens next" bash -c "grep -q 'Your reference number is $ref' '$CAP/$last.msg' && grep -q 'acknowledge your complaint within' '$CAP/$last.msg'"
check "no marker is left in the message" bash -c "! grep -q '@@' '$CAP/$last.msg'"
mail --retry-now
check "a further run sends nothing again" bash -c "[ $(sent) = $((n + 1)) ] && grep -q '^mail: 0 sent' '$SCRATCH/m.out'"

# A run stopped mid-send: the outcome is unknown, so it is not sent again.
printf '{}' >"$SPOOL/outbox/ZZZZZ-ZZZZZ.sending"
n=$(sent)
mail --retry-now
check "a message left mid-send is not sent again" bash -c "[ $(sent) = $n ] && [ ! -e '$SPOOL/outbox/ZZZZZ-ZZZZZ.sending' ]"
check "and the run says so" grep -q "ZZZZZ-ZZZZZ.sending: a run stopped while sending it, so it may have gone: not sent again" "$SCRATCH/m.err"

# Off unless it is turned on; a bad --mail-from is refused.
if intake_start "$SCRATCH/out2" "$SCRATCH/err2" --site "$SITE" --forms "$FORMS" \
	--spool "$SCRATCH/spool2" --quiet "${INTAKE_USER_OPT[@]}"; then
	URL=http://127.0.0.1:$PORT
	c=$(post "$body&email=$TO" complaint)
	check "without --mail-from a submission is stored (${c%% *})" test "${c%% *}" = 303
	check "and no outbox is made" test ! -e "$SCRATCH/spool2/outbox"
	intake_stop
else
	not_ok "intake serve starts without --mail-from" "$(cat "$SCRATCH/err2")"
fi
"$IN" serve --listen 127.0.0.1:0 --site "$SITE" --forms "$FORMS" --spool "$SCRATCH/spool3" \
	--mail-from "x@y.example>" "${INTAKE_USER_OPT[@]}" >/dev/null 2>"$SCRATCH/e"
rc=$?
check "a --mail-from that is not an address is refused (exit $rc)" bash -c "[ $rc = 2 ] && grep -q 'is not an email address to send from' '$SCRATCH/e'"

finish mail
