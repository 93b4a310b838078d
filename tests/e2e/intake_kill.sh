#!/usr/bin/env bash
# intake durability: fires concurrent valid submissions (half with a PDF),
# SIGKILLs the server while they are in flight, then checks that every
# submission that got its 303 is whole in ready/ (JSON parses, attachments
# match their sha256), and that a restart empties tmp/.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

intake_site

if spool_start; then ok "server starts"; else not_ok "server starts" "$(cat "$SCRATCH/err")"; finish "intake kill"; exit 1; fi

python3 - "$URL" "$SITE" "$SCRATCH/results.json" "$PID" <<'PY'
import http.client, json, os, signal, sys, threading, time, urllib.parse
sys.path.insert(0, "tests/e2e")
import intake_lib

url, site, out, pid = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
host, port = urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port
s = intake_lib.load(site, "complaint")
pairs = intake_lib.valid_pairs(s)
filefield = next(f["name"] for f in s["fields"] if f["type"] == "file")
N, results, lock = 200, [], threading.Lock()

def body(i):
    if i % 2 == 0:
        return "application/x-www-form-urlencoded", urllib.parse.urlencode(pairs).encode(), None
    b = "----kill%d" % i
    pdf = b"%%PDF-1.4\n%% submission %d\n" % i + os.urandom(200000) + b"\n%%EOF\n"
    parts = []
    for n, v in pairs:
        parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (b, n, v)).encode())
    parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"e%d.pdf\"\r\nContent-Type: application/pdf\r\n\r\n" % (b, filefield, i)).encode() + pdf + b"\r\n")
    parts.append(("--%s--\r\n" % b).encode())
    return "multipart/form-data; boundary=" + b, b"".join(parts), pdf

def one(i):
    ctype, data, pdf = body(i)
    r = {"i": i, "status": 0, "location": None, "has_file": pdf is not None}
    try:
        r["status"], r["location"] = intake_lib.post_form(
            host, port, "/submit/complaint", data, ctype)
    except Exception as e:
        r["error"] = type(e).__name__
    with lock:
        results.append(r)

threads = [threading.Thread(target=one, args=(i,)) for i in range(N)]
# Kill while posts are still arriving and being written: once a third
# have their answer, while the rest are still being started (those
# started after the kill find nobody listening: cut off).
killed = False
for t in threads:
    t.start()
    time.sleep(0.0005)
    with lock:
        done = len(results)
    if not killed and done >= N // 3:
        os.kill(pid, signal.SIGKILL)
        killed = True
if not killed:
    os.kill(pid, signal.SIGKILL)
for t in threads:
    t.join(30)
json.dump(results, open(out, "w"))
PY
{ wait "$PID"; } 2>/dev/null
PID=""

read -r total acked failed < <(python3 -c "
import json; r = json.load(open('$SCRATCH/results.json'))
print(len(r), sum(1 for x in r if x['status'] == 303), sum(1 for x in r if x['status'] != 303))")
echo "# $total posts: $acked answered 303 before the kill, $failed cut off"
check "every post finished or failed (none hung)" test "$total" = 200
check "some posts were acknowledged before the kill" test "$acked" -gt 0
check "some posts were cut off by the kill" test "$failed" -gt 0
check "every 303 has a whole submission in ready/" python3 - "$SCRATCH/results.json" "$SPOOL" <<'PY'
import hashlib, json, os, re, sys
results, spool = json.load(open(sys.argv[1])), sys.argv[2]
bad = []
for r in results:
    if r["status"] != 303:
        continue
    ref = re.search(r"ref=([0-9A-Z-]+)&k=", r["location"]).group(1)
    d = os.path.join(spool, "ready", ref)
    try:
        j = json.load(open(os.path.join(d, "submission.json")))
        assert j["id"] == ref and j["form"] == "complaint"
        assert len(j["attachments"]) == (1 if r["has_file"] else 0)
        for a in j["attachments"]:
            data = open(os.path.join(d, a["path"]), "rb").read()
            assert hashlib.sha256(data).hexdigest() == a["sha256"] and len(data) == a["size"]
    except Exception as e:
        bad.append((ref, repr(e)))
if bad:
    print(bad)
    sys.exit(1)
PY
check "every submission in ready/ is whole" python3 - "$SPOOL" <<'PY'
import json, os, sys
ready = os.path.join(sys.argv[1], "ready")
for ref in os.listdir(ready):
    j = json.load(open(os.path.join(ready, ref, "submission.json")))
    for a in j["attachments"]:
        assert os.path.getsize(os.path.join(ready, ref, a["path"])) == a["size"]
PY
echo "# left in tmp/ after the kill: $(ls "$SPOOL/tmp" | wc -l)"
if spool_start; then ok "server restarts after the kill"; else not_ok "server restarts" "$(cat "$SCRATCH/err")"; fi
check "restart empties tmp/" test -z "$(ls -A "$SPOOL/tmp")"
kill -TERM "$PID"
wait "$PID"
check "SIGTERM after restart exits 0" test $? -eq 0
PID=""

finish "intake kill"
