#!/usr/bin/env bash
# intake picks up a rebuilt site without a restart: a label changed in a
# form's definition and rebuilt shows on the next 422 page; a post in
# flight during the reload finishes with the forms it started with; a
# definition broken on SIGHUP leaves the old forms served and says why.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

C=$SCRATCH/content
SITE=$SCRATCH/site
SPOOL=$SCRATCH/spool
F=$C/forms/feedback.yml
OLD="Which service is it about?"
NEW="Which council service is this about?"
NEWER="Which of our services is this about?"
cp -r content "$C"
build() { "$SG" build --content "$C" --out "$SITE" --quiet >"$SCRATCH/sg.log" 2>&1; }
build
check "the site builds" test -s "$SITE/.threecs/forms/feedback.html"
grep -q -F "label: $OLD" "$F" || not_ok "the feedback form asks '$OLD' (the test needs it)"

if intake_start "$SCRATCH/out" "$SCRATCH/err" --site "$SITE" --forms "$C/forms" \
	--spool "$SPOOL" --rate 100000 "${INTAKE_USER_OPT[@]}"; then
	ok "intake starts"
else
	not_ok "intake starts" "$(cat "$SCRATCH/err")"
	finish reload
	exit 1
fi
URL=http://127.0.0.1:$PORT
# refused FILE: posts a feedback form with nothing filled in; prints the status.
refused() { curl -s -o "$1" -w '%{http_code}' --data-urlencode "website=" "$URL/submit/feedback"; }
# logged N TEXT: waits up to 5 s for the Nth line of stderr holding TEXT.
logged() {
	local i
	for i in $(seq 1 50); do
		[ "$(grep -c -F -- "$2" "$SCRATCH/err")" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

c=$(refused "$SCRATCH/b1")
check "a refused post is 422" test "$c" = 422
check "its page asks the label of the first build" grep -q -F "$OLD" "$SCRATCH/b1"
# The contact page, served twice, so intake keeps it in memory.
curl -s -o "$SCRATCH/p1" "$URL/contact/"
curl -s -o "$SCRATCH/p2" "$URL/contact/"
check "a page served from memory is the file, byte for byte" bash -c "cmp -s '$SCRATCH/p1' '$SITE/contact/index.html' && cmp -s '$SCRATCH/p2' '$SITE/contact/index.html'"

# --- a changed label, rebuilt: the next 422 page has it ---
sed -i "s/label: $OLD/label: $NEW/" "$F"
printf '\nA line added to the contact page.\n' >>"$C/contact.md"
build
if logged 1 "intake: the site was rebuilt: loaded the forms and page shells again (complaint, feedback, review)"; then
	ok "intake says it loaded the rebuilt site"
else
	not_ok "intake says it loaded the rebuilt site" "$(tail -5 "$SCRATCH/err")"
fi
c=$(refused "$SCRATCH/b2")
check "after the rebuild a refused post is still 422" test "$c" = 422
check "the 422 page has the new label, without a restart" grep -q -F "$NEW" "$SCRATCH/b2"
check "and not the old one" bash -c "! grep -q -F '$OLD' '$SCRATCH/b2'"
check "intake is the process it was" kill -0 "$PID"
curl -s -o "$SCRATCH/p3" "$URL/contact/"
check "a page kept in memory is the rebuilt one after the rebuild" bash -c "grep -q 'A line added to the contact page.' '$SCRATCH/p3' && cmp -s '$SCRATCH/p3' '$SITE/contact/index.html'"

# --- a post in flight keeps the forms it began with ---
python3 - "$PORT" "$SCRATCH/fifo" >"$SCRATCH/inflight" 2>&1 <<'EOF_PY' &
import os, socket, sys, time
port, flag = int(sys.argv[1]), sys.argv[2]
body = b"website=&x=" + b"y" * 2000
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"POST /submit/feedback HTTP/1.1\r\nHost: localhost\r\n"
          b"Content-Type: application/x-www-form-urlencoded\r\n"
          b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body[:1000])
open(flag + ".sent", "w").close()
for _ in range(100):          # the test rebuilds meanwhile
    if os.path.exists(flag + ".go"):
        break
    time.sleep(0.1)
s.sendall(body[1000:])
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
    if b"</html>" in data:
        break
sys.stdout.write(data.decode("utf-8", "replace"))
EOF_PY
py_pid=$!
for i in $(seq 1 50); do [ -e "$SCRATCH/fifo.sent" ] && break; sleep 0.1; done
sed -i "s/label: $NEW/label: $NEWER/" "$F"
build
logged 2 "intake: the site was rebuilt: loaded" && ok "the second rebuild is loaded" || not_ok "the second rebuild is loaded" "$(tail -3 "$SCRATCH/err")"
touch "$SCRATCH/fifo.go"
wait $py_pid
check "the post in flight is answered" grep -q "^HTTP/1.1 422" "$SCRATCH/inflight"
check "with the form it started with" grep -q -F "$NEW" "$SCRATCH/inflight"
c=$(refused "$SCRATCH/b3")
check "the next post has the newest label" grep -q -F "$NEWER" "$SCRATCH/b3"

# --- SIGHUP with a broken definition: the old forms stay ---
cp "$F" "$SCRATCH/feedback.yml"
printf 'fields:\n  - id: [broken\n' >>"$F"
kill -HUP "$PID"
if logged 1 "intake: the site changed and could not be loaded again: still serving the forms loaded before (fix the errors above, then run sitegen build again or send SIGHUP)"; then
	ok "a broken definition on SIGHUP is reported"
else
	not_ok "a broken definition on SIGHUP is reported" "$(tail -5 "$SCRATCH/err")"
fi
check "the error names the file" grep -q -F "$F:" "$SCRATCH/err"
c=$(refused "$SCRATCH/b4")
check "the old forms are still served" test "$c" = 422
check "with their labels" grep -q -F "$NEWER" "$SCRATCH/b4"
check "intake keeps running" kill -0 "$PID"
cp "$SCRATCH/feedback.yml" "$F"
kill -HUP "$PID"
logged 1 "intake: SIGHUP: loaded the forms and page shells again" && ok "SIGHUP after the fix loads the forms" || not_ok "SIGHUP after the fix loads the forms" "$(tail -3 "$SCRATCH/err")"
intake_stop
check "intake stops cleanly after reloads" grep -q "intake: stopped" "$SCRATCH/err"

finish reload
