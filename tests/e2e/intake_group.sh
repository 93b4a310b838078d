#!/usr/bin/env bash
# intake's group commit: Sends that arrive together share one commit, none
# is answered before the commit that covers it, a second Send of a draft
# being stored waits for it, and a SIGKILL while a group commit is in flight
# leaves every acknowledged submission whole and none of the rest half
# there; a flush that fails (the test hook INTAKE_TEST_FLUSH_FAIL, in
# build/hooks/bin/intake) answers the whole group 503 and the next group
# is stored. --commit-delay holds each group open long enough to see this.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

intake_site

# drive.py MODE RESULTS: MODE "together" posts eight complaints to their
# check pages, then presses the eight Sends at once (and a second Send of
# the first draft beside them), each on its own connection; "kill" does the
# same for eight more after waiting for the first eight, and SIGKILLs
# intake while the second eight's group commit is held open. RESULTS gets
# [{ref, status, location, wave}].
cat >"$SCRATCH/drive.py" <<'PY'
import http.client, json, os, signal, sys, threading, time
sys.path.insert(0, "tests/e2e")
import intake_lib

mode, port, site, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
pid = int(sys.argv[5]) if len(sys.argv) > 5 else 0
s = intake_lib.load(site, "complaint")
body = "&".join("%s=%s" % (k, v.replace(" ", "+")) for k, v in intake_lib.valid_pairs(s)).encode()
results, lock = [], threading.Lock()

def post(data):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        c.request("POST", "/submit/complaint", data,
                  {"Content-Type": "application/x-www-form-urlencoded"})
        r = c.getresponse()
        return r.status, r.getheader("Location"), r.read()
    finally:
        c.close()

def drafts(n):
    sends = []
    for _ in range(n):
        st, _, page = post(body)
        send = intake_lib.send_body(st, page)
        assert send, "no check page (status %d)" % st
        sends.append(send)
    return sends

def press(sends, wave):
    def one(send):
        ref = send.split(b"=", 1)[1].split(b".", 1)[0].decode()
        r = {"ref": ref, "wave": wave, "status": 0, "location": None,
             "send": send.decode()}
        try:
            r["status"], r["location"], _ = post(send)
        except Exception as e:
            r["error"] = type(e).__name__
        with lock:
            results.append(r)
    ts = [threading.Thread(target=one, args=(x,)) for x in sends]
    for t in ts:
        t.start()
    return ts

first = drafts(8)
ts = press(first + [first[0]], 1)
if mode == "kill":
    for t in ts:
        t.join(30)
    second = drafts(8)
    ts = press(second, 2)
    # The delay holds the group open for seconds: these Sends are in it.
    time.sleep(0.5)
    with lock:
        early = [r for r in results if r["wave"] == 2]
    os.kill(pid, signal.SIGKILL)
    for t in ts:
        t.join(30)
    for r in results:
        r["answered_before_kill"] = r in early
for t in ts:
    t.join(30)
json.dump(results, open(out, "w"))
PY

# whole.py RESULTS SPOOL WAVE: every 303 of WAVE names a whole submission
# in ready/; every folder in ready/ is whole.
cat >"$SCRATCH/whole.py" <<'PY'
import json, os, re, sys
results, spool, wave = json.load(open(sys.argv[1])), sys.argv[2], int(sys.argv[3])
ready = os.path.join(spool, "ready")
for r in results:
    if r["wave"] != wave or r["status"] != 303:
        continue
    ref = re.search(r"ref=([0-9A-Z-]+)&k=", r["location"]).group(1)
    assert ref == r["ref"], (ref, r["ref"])
    j = json.load(open(os.path.join(ready, ref, "submission.json")))
    assert j["id"] == ref and j["form"] == "complaint", ref
for ref in os.listdir(ready):
    assert sorted(os.listdir(os.path.join(ready, ref))) in (["submission.json"], ["files", "submission.json"]), (ref, os.listdir(os.path.join(ready, ref)))
    json.load(open(os.path.join(ready, ref, "submission.json")))
PY

count() { # count RESULTS PYTHON-CONDITION-ON-r
	python3 -c "import json; print(sum(1 for r in json.load(open('$1')) if $2))"
}

# ---- Sends that arrive together share a group commit ----

if spool_start --commit-delay 300000; then ok "server starts with --commit-delay"; else
	not_ok "server starts" "$(cat "$SCRATCH/err")"; finish "intake group"; exit 1; fi
python3 "$SCRATCH/drive.py" together "$PORT" "$SITE" "$SCRATCH/r1.json"
check "nine Sends (one of them a second Send of a draft) all answered 303" \
	test "$(count "$SCRATCH/r1.json" 'r["status"] == 303')" = 9
check "the second Send of a draft is sent where the first is" python3 -c "
import json; r = json.load(open('$SCRATCH/r1.json'))
by = {}
for x in r: by.setdefault(x['ref'], set()).add(x['location'])
assert len(by) == 8 and all(len(v) == 1 for v in by.values()), by"
check "every 303 is whole in ready/" python3 "$SCRATCH/whole.py" "$SCRATCH/r1.json" "$SPOOL" 1
check "eight in ready/, the draft sent twice stored once" test "$(ls "$SPOOL/ready" | wc -l)" = 8
kill -TERM "$PID"
wait "$PID"
check "SIGTERM exits 0" test $? -eq 0
PID=""
line=$(grep 'intake: stopped' "$SCRATCH/err" || true)
echo "# $line"
groups=$(printf '%s' "$line" | sed -n 's/.* stored in \([0-9]*\) group commit.*/\1/p')
stored=$(printf '%s' "$line" | sed -n 's/.*stopped (\([0-9]*\) submission.*/\1/p')
check "the stop line counts the eight stored" test "$stored" = 8
check "the eight shared fewer group commits than eight (got ${groups:-none})" \
	test -n "$groups" -a "${groups:-8}" -lt 8
flushes=$(printf '%s' "$line" | sed -n 's/.* \([0-9]*\) flush.*/\1/p')
check "two flushes a group commit" test "${flushes:-x}" = "$((2 * ${groups:-0}))"

# ---- SIGKILL while a group commit is in flight ----

rm -rf "$SPOOL"
if spool_start --commit-delay 3000000; then ok "server starts (3 s commit delay)"; else
	not_ok "server starts" "$(cat "$SCRATCH/err")"; fi
python3 "$SCRATCH/drive.py" kill "$PORT" "$SITE" "$SCRATCH/r2.json" "$PID"
{ wait "$PID"; } 2>/dev/null
PID=""
acked=$(count "$SCRATCH/r2.json" 'r["wave"] == 1 and r["status"] == 303')
early=$(count "$SCRATCH/r2.json" 'r["answered_before_kill"]')
late=$(count "$SCRATCH/r2.json" 'r["wave"] == 2 and r["status"] == 303')
echo "# first group: $acked answered 303; second group: $early answered before the kill, $late after"
check "the first group was acknowledged in full" test "$acked" = 9
check "no Send of the group in flight was answered before the kill" test "$early" = 0
check "none of the group in flight was answered 303" test "$late" = 0
check "every acknowledged submission is whole in ready/" python3 "$SCRATCH/whole.py" "$SCRATCH/r2.json" "$SPOOL" 1
check "the group in flight is not in ready/ (it waits in tmp/)" python3 -c "
import json, os
r = json.load(open('$SCRATCH/r2.json'))
ready = set(os.listdir('$SPOOL/ready')); tmp = set(os.listdir('$SPOOL/tmp'))
w2 = {x['ref'] for x in r if x['wave'] == 2}
assert len(w2) == 8 and not (w2 & ready) and w2 <= tmp, (w2 & ready, w2 - tmp)"
if spool_start; then ok "server restarts after the kill"; else not_ok "server restarts" "$(cat "$SCRATCH/err")"; fi
check "restart empties tmp/" test -z "$(ls -A "$SPOOL/tmp")"
check "the eight acknowledged are still in ready/" test "$(ls "$SPOOL/ready" | wc -l)" = 8
intake_stop

# ---- a flush that fails ----

# INTAKE_TEST_FLUSH_FAIL=N (test hooks builds only) fails the Nth flush
# with EIO, as a failing disk would.
INH=${INTAKE_HOOKS:-${INTAKE:-build/hooks/bin/intake}}
for n in 1 2; do
	rm -rf "$SPOOL"
	what=$([ $n = 1 ] && echo "the first flush (before the renames)" || echo "the second flush (after them)")
	if IN=$INH INTAKE_TEST_FLUSH_FAIL=$n spool_start --commit-delay 300000; then
		ok "flush $n: server starts failing $what"
	else
		not_ok "flush $n: server starts" "$(cat "$SCRATCH/err")"
		continue
	fi
	python3 "$SCRATCH/drive.py" together "$PORT" "$SITE" "$SCRATCH/r$n.f.json"
	check "flush $n: every Send of the group is answered 503, none 303" \
		test "$(count "$SCRATCH/r$n.f.json" 'r["status"] == 503')" = 9
	check "flush $n: the failure is logged with its reason" grep -q "cannot store a submission.*Input/output error" "$SCRATCH/err"
	if [ $n = 1 ]; then
		check "flush 1: nothing reached ready/" test -z "$(ls -A "$SPOOL/ready")"
	else
		check "flush 2: what reached ready/ is whole (it may be bundled)" \
			python3 "$SCRATCH/whole.py" "$SCRATCH/r$n.f.json" "$SPOOL" 0
	fi
	if [ $n = 1 ]; then
		check "flush 1: each draft is a draft again in tmp/, to be sent again" python3 -c "
import json, os
tmp = '$SPOOL/tmp'
names = sorted(os.listdir(tmp))
assert len(names) == 8, names
for d in names:
    assert os.listdir(os.path.join(tmp, d)) == ['held.json'], d
    assert json.load(open(os.path.join(tmp, d, 'held.json')))['fields']"
		send=$(python3 -c "import json; print(json.load(open('$SCRATCH/r1.f.json'))[0]['send'])")
		c=$(curl -s -o /dev/null -w '%{http_code}' --data "$send" "$URL/submit/complaint")
		check "flush 1: the same Send again is stored ($c)" test "$c" = 303
		check "flush 1: and is whole in ready/" test "$(ls "$SPOOL/ready" | wc -l)" = 1
	else
		check "flush 2: nothing half-stored is left in tmp/" test -z "$(ls -A "$SPOOL/tmp")"
	fi
	out=$(submit "$URL/submit/complaint" --data "$(python3 "$LIB" "$SITE" complaint pairs)")
	check "flush $n: the next submission is stored ($out)" test "${out%% *}" = 303
	intake_stop
done

finish "intake group"
