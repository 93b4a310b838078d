#!/usr/bin/env bash
# intake serve and intake bundle together under SIGKILL: a steady load of
# valid posts (some with a PDF) while intake bundle runs in a loop into a
# bundles folder; over several rounds the server, the bundler or both are
# killed at random moments and restarted. Every post that got its 303 must
# end up exactly once in ready/ or in one bundle after a final clean run;
# every bundle verifies against its manifest, spool/bundled/BUNDLE_ID/
# mirrors exactly the bundle of that name (docs/bundle.md), nothing
# temporary is left, and each restart empties spool/tmp/.
#
# The random choices (what to kill, when, which runs reuse a name) come from
# SEED, printed first; SEED=N bash tests/e2e/intake_bundle_kill.sh replays
# them (the exact moments still depend on the machine).
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

OUT=$SCRATCH/bundles
SEED=${SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
ROUNDS=${ROUNDS:-8}
echo "# seed $SEED (replay with SEED=$SEED), $ROUNDS rounds"

# pycheck "description" ARGS... <<'PY': passes when the Python on standard
# input exits 0; what it prints is shown under a failure.
pycheck() {
	local what=$1 out
	shift
	if out=$(python3 - "$@" 2>&1); then ok "$what"; else not_ok "$what" "$(printf '%s\n' "$out" | head -30)"; fi
}

intake_site

# The driver: owns every process it starts and kills them by pid only.
python3 - "$IN" "$SITE" "$SPOOL" "$OUT" "$SEED" "$ROUNDS" "$SCRATCH/results.json" <<'PY'
import http.client, json, os, random, signal, subprocess, sys, threading, time
import urllib.parse
sys.path.insert(0, "tests/e2e")
import intake_lib

IN, SITE, SPOOL, OUT, SEED, ROUNDS, RESULTS = sys.argv[1:8]
SEED, ROUNDS = int(SEED), int(ROUNDS)
rng = random.Random(SEED)
schema = intake_lib.load(SITE, "complaint")
pairs = intake_lib.valid_pairs(schema)
filefield = next(f["name"] for f in schema["fields"] if f["type"] == "file")
lock = threading.Lock()
stop = threading.Event()
res = {"seed": SEED, "acked": {}, "posts": 0, "errors": 0, "restarts": 0,
       "tmp_left": [], "runs": [], "kills": [], "server_rc": None}
url = [None]  # where clients post; None while the server is down


def popen(args, **kw):
    """Popen, retried for a while when the binary is being rebuilt."""
    for i in range(50):
        try:
            return subprocess.Popen(args, **kw)
        except OSError:
            if i == 49:
                raise
            time.sleep(0.1)


def start_server(n):
    """Starts intake serve; returns the process and its URL (or None)."""
    o = open(os.path.join(os.path.dirname(RESULTS), "serve%d.out" % n), "w+")
    e = open(os.path.join(os.path.dirname(RESULTS), "serve%d.err" % n), "w")
    p = popen([IN, "serve", "--listen", "127.0.0.1:0", "--site", SITE,
               "--forms", "content/forms", "--spool", SPOOL,
               "--rate", "1000000", "--quiet"] +
              (["--user", os.environ["INTAKE_USER"]]
               if os.environ.get("INTAKE_USER") else []),
              stdout=o, stderr=e)
    for _ in range(100):
        o.seek(0)
        for line in o.read().splitlines():
            if " on http://127.0.0.1:" in line:
                return p, line.split(" on ", 1)[1].split("/ ", 1)[0].split()[0].rstrip("/")
        if p.poll() is not None:
            break
        time.sleep(0.05)
    return p, None


def body(rnd):
    if rnd.random() < 0.6:
        return "application/x-www-form-urlencoded", urllib.parse.urlencode(pairs).encode(), 0
    b = "----bk%d" % rnd.getrandbits(32)
    pdf = b"%PDF-1.4\n" + os.urandom(rnd.randint(1000, 120000)) + b"\n%%EOF\n"
    parts = [("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (b, n, v)).encode()
             for n, v in pairs]
    parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"e.pdf\"\r\n"
                  "Content-Type: application/pdf\r\n\r\n" % (b, filefield)).encode() + pdf + b"\r\n")
    parts.append(("--%s--\r\n" % b).encode())
    return "multipart/form-data; boundary=" + b, b"".join(parts), 1


def client(k):
    rnd = random.Random(SEED * 100 + k)
    while not stop.is_set():
        u = url[0]
        if u is None:
            time.sleep(0.01)
            continue
        sp = urllib.parse.urlsplit(u)
        ctype, data, nfiles = body(rnd)
        status, loc = 0, None
        try:
            status, loc = intake_lib.post_form(
                sp.hostname, sp.port, "/submit/complaint", data, ctype,
                timeout=15)
        except Exception:
            pass
        with lock:
            res["posts"] += 1
            if status == 303 and loc and "ref=" in loc:
                ref = loc.rsplit("ref=", 1)[1].split("&", 1)[0]
                if ref in res["acked"]:
                    res["errors"] += 1  # the same reference given twice
                res["acked"][ref] = nfiles
            elif status not in (0, 303):
                res["errors"] += 1


class Bundler(threading.Thread):
    """intake bundle in a loop. Each run gets its own --now (a fake clock
    one second on per run) so each may write a bundle; some runs reuse the
    last run's time, as two runs in the same second would. kill_after, when
    holds delays, SIGKILLs each of the next runs that many seconds after
    it starts."""

    def __init__(self):
        super().__init__(daemon=True)
        self.rnd = random.Random(SEED + 1)
        self.clock = 0
        self.kill_after = []
        self.proc = None
        self.durations = [0.05]
        self.alive_to_end = False

    def now(self):
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1893456000 + self.clock))

    def run(self):
        while not stop.is_set():
            if self.rnd.random() >= 0.2:
                self.clock += 1
            with lock:
                delay = self.kill_after.pop(0) if self.kill_after else None
            t0 = time.monotonic()
            p = popen([IN, "bundle", "--spool", SPOOL, "--out", OUT, "--now", self.now()],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            with lock:
                self.proc = p
            try:
                out = p.communicate(timeout=delay)[0]
            except subprocess.TimeoutExpired:
                p.send_signal(signal.SIGKILL)
                out = p.communicate()[0]
            with lock:
                self.proc = None
                res["runs"].append([p.returncode, out.decode(errors="replace")])
            if p.returncode >= 0:
                self.durations.append(time.monotonic() - t0)
            time.sleep(self.rnd.uniform(0, 0.1))
        self.alive_to_end = True

    def median(self):
        d = sorted(self.durations[-20:])
        return d[len(d) // 2]

    def kill_now(self):
        with lock:
            p = self.proc
        if p is not None and p.poll() is None:
            p.send_signal(signal.SIGKILL)
            return True
        return False


def tmp_left():
    return sorted(os.listdir(os.path.join(SPOOL, "tmp")))


live = {}  # the server and the bundler, to stop if the driver fails


def main():
    nserve = 0
    server, u = start_server(nserve)
    live["server"] = server
    if u is None:
        print("the server did not start", file=sys.stderr)
        return 1
    url[0] = u
    bundler = live["bundler"] = Bundler()
    bundler.start()
    clients = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(6)]
    for t in clients:
        t.start()

    targets = (["server", "bundler", "both"] * ROUNDS)[:ROUNDS]
    rng.shuffle(targets)
    for rnd_no, target in enumerate(targets):
        time.sleep(rng.uniform(0.6, 2.0))
        what = []
        if target in ("server", "both"):
            url[0] = None
            server.send_signal(signal.SIGKILL)
            server.wait()
            what.append("server")
        if target == "both":
            what.append("bundler now" if bundler.kill_now() else "bundler (idle)")
        if target == "bundler":
            # The next few runs, each at a random moment of a typical run;
            # half of them near its end, where it names the bundle and
            # moves the submissions.
            m = bundler.median()
            d = [rng.uniform(0, 1.2 * m) if i % 2 else rng.uniform(0.8 * m, 1.05 * m) for i in range(4)]
            with lock:
                bundler.kill_after = d
            what.append("the next %d bundle runs after %s s" % (len(d), ", ".join("%.3f" % x for x in d)))
        if server.poll() is not None:
            # Restarted while the bundler keeps running; tmp/ must be empty
            # before the first new post can arrive.
            nserve += 1
            server, u = start_server(nserve)
            live["server"] = server
            left = tmp_left()
            if left:
                res["tmp_left"].append([nserve, left])
            res["restarts"] += 1
            if u is None:
                print("the server did not restart", file=sys.stderr)
                return 1
            url[0] = u
        res["kills"].append(what)
        with lock:
            n = len(res["acked"])
        print("# round %d: killed %s; %d acknowledged so far" % (rnd_no + 1, ", ".join(what), n))
        sys.stdout.flush()

    time.sleep(0.5)
    stop.set()
    for t in clients:
        t.join(30)
    bundler.join(60)
    res["bundler_alive"] = bundler.alive_to_end
    server.send_signal(signal.SIGTERM)
    try:
        res["server_rc"] = server.wait(15)
    except subprocess.TimeoutExpired:
        server.send_signal(signal.SIGKILL)
        server.wait()
    res["final_now"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1893456000 + bundler.clock + 1))
    json.dump(res, open(RESULTS, "w"))
    return 0


try:
    rc = main()
finally:
    stop.set()
    for p in (live.get("server"), live.get("bundler") and live["bundler"].proc):
        if p is not None and p.poll() is None:
            p.send_signal(signal.SIGKILL)
            p.wait()
sys.exit(rc)
PY
rc=$?
check "the driver ran to the end" test $rc -eq 0 -a -s "$SCRATCH/results.json"
[ -s "$SCRATCH/results.json" ] || { finish "intake bundle kill"; exit 1; }

R=$SCRATCH/results.json
field() { python3 -c "import json,sys; r=json.load(open('$R')); print($1)"; }
echo "# $(field 'r["posts"]') posts, $(field 'len(r["acked"])') acknowledged, $(field 'r["restarts"]') server restarts"
echo "# $(field 'len(r["runs"])') bundle runs: $(field '", ".join("%d x exit %d" % (sum(1 for x in r["runs"] if x[0] == c), c) for c in sorted(set(x[0] for x in r["runs"])))') (exit -9: killed)"

echo "# runs that finished a killed run's moves: $(field 'sum(1 for x in r["runs"] if "finished moving" in x[1])'), that removed its temporary: $(field 'sum(1 for x in r["runs"] if "removed a temporary" in x[1])')"
check "many posts were acknowledged" test "$(field 'len(r["acked"])')" -gt 50
check "no post got an unexpected answer or a reference twice" test "$(field 'r["errors"]')" -eq 0
check "the bundle loop ran to the end" test "$(field 'r["bundler_alive"]')" = True
check "some bundle runs were killed mid-run" test "$(field 'sum(1 for x in r["runs"] if x[0] == -9)')" -gt 0
pycheck "every bundle run exits 0, or 3 for a name already taken, or was killed" "$R" <<'PY'
import json, sys
bad = [x for x in json.load(open(sys.argv[1]))["runs"]
       if not (x[0] in (0, -9) or (x[0] == 3 and "already exists" in x[1]))]
for rc, out in bad[:5]:
    print("exit %d: %s" % (rc, out.strip()))
sys.exit(1 if bad else 0)
PY
pycheck "every restart found spool/tmp/ emptied" "$R" <<'PY'
import json, sys
left = json.load(open(sys.argv[1]))["tmp_left"]
print(left)
sys.exit(1 if left else 0)
PY
check "the last server stops with SIGTERM, exit 0" test "$(field 'r["server_rc"]')" = 0

# A final clean run bundles what is left (and finishes anything a killed
# run left half done).
NOW=$(field 'r["final_now"]')
$IN bundle --spool "$SPOOL" --out "$OUT" --now "$NOW" >"$SCRATCH/final.out" 2>"$SCRATCH/final.err"
rc=$?
if [ $rc -eq 0 ]; then ok "the final clean bundle run exits 0"; else not_ok "the final clean bundle run exits 0 (got $rc)" "$(cat "$SCRATCH/final.out" "$SCRATCH/final.err")"; fi
check "it leaves ready/ empty" test -z "$(ls -A "$SPOOL/ready")"
check "spool/tmp/ is empty after the clean stop" test -z "$(ls -A "$SPOOL/tmp")"

pycheck "every acknowledged submission is in exactly one of ready/ and the bundles" "$R" "$SPOOL" "$OUT" <<'PY'
import collections, json, os, sys, zipfile
acked, spool, out = json.load(open(sys.argv[1]))["acked"], sys.argv[2], sys.argv[3]
where = collections.defaultdict(list)
for ref in os.listdir(os.path.join(spool, "ready")):
    where[ref].append("ready/")
for name in sorted(os.listdir(out)):
    if name.endswith(".zip"):
        with zipfile.ZipFile(os.path.join(out, name)) as z:
            for s in json.loads(z.read("manifest.json"))["submissions"]:
                where[s["id"]].append(name)
bad = 0
for ref in sorted(acked):
    if len(where.get(ref, [])) != 1:
        print("%s (acknowledged): in %s" % (ref, where.get(ref) or "nothing"))
        bad += 1
for ref, places in sorted(where.items()):
    if len(places) > 1 and ref not in acked:
        print("%s: in %s" % (ref, places))
        bad += 1
print("%d acknowledged, %d places with a problem" % (len(acked), bad))
sys.exit(1 if bad else 0)
PY

pycheck "every bundle verifies: name, manifest, sizes and sha256 of each entry, nothing else" "$OUT" <<'PY'
import hashlib, json, os, re, subprocess, sys, zipfile
out, bad = sys.argv[1], []
names = sorted(n for n in os.listdir(out) if n.endswith(".zip"))
for name in names:
    p = os.path.join(out, name)
    if not re.fullmatch(r"bundle-\d{8}T\d{6}Z-web\.zip", name):
        bad.append("%s: not a bundle's name" % name)
    if subprocess.run(["unzip", "-tq", p], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode:
        bad.append("%s: unzip -t fails" % name)
        continue
    with zipfile.ZipFile(p) as z:
        entries = z.namelist()
        m = json.loads(z.read("manifest.json"))
        listed = [f for s in m["submissions"] for f in s["files"]]
        if entries != ["manifest.json"] + [f["path"] for f in listed]:
            bad.append("%s: entries differ from the manifest" % name)
        if m["bundle_id"] + ".zip" != name or m["count"] != len(m["submissions"]) or not m["submissions"]:
            bad.append("%s: manifest's bundle_id or count is wrong" % name)
        for f in listed:
            if f["path"] not in entries:
                continue
            data = z.read(f["path"])
            if len(data) != f["size"] or hashlib.sha256(data).hexdigest() != f["sha256"]:
                bad.append("%s: %s differs from the manifest" % (name, f["path"]))
print("%d bundles" % len(names))
print("\n".join(bad))
sys.exit(1 if bad or not names else 0)
PY

pycheck "spool/bundled/BUNDLE_ID/ holds exactly the submissions of BUNDLE_ID.zip, byte for byte" "$SPOOL" "$OUT" <<'PY'
import hashlib, json, os, sys, zipfile
spool, out, bad = sys.argv[1], sys.argv[2], []
bundled = os.path.join(spool, "bundled")
dirs = set(os.listdir(bundled))
zips = set(n[:-4] for n in os.listdir(out) if n.endswith(".zip"))
for d in sorted(dirs - zips):
    bad.append("bundled/%s has no bundle" % d)
for d in sorted(zips - dirs):
    bad.append("%s.zip has no bundled/%s" % (d, d))
for d in sorted(dirs & zips):
    with zipfile.ZipFile(os.path.join(out, d + ".zip")) as z:
        m = json.loads(z.read("manifest.json"))
        ids = [s["id"] for s in m["submissions"]]
        if sorted(os.listdir(os.path.join(bundled, d))) != sorted(ids):
            bad.append("bundled/%s holds other submissions than its bundle" % d)
            continue
        for s in m["submissions"]:
            files = []
            for root, _, fs in os.walk(os.path.join(bundled, d, s["id"])):
                files += [os.path.relpath(os.path.join(root, f), os.path.join(bundled, d)) for f in fs]
            if sorted("submissions/" + f for f in files) != sorted(f["path"] for f in s["files"]):
                bad.append("bundled/%s/%s: other files than in the bundle" % (d, s["id"]))
                continue
            for f in s["files"]:
                local = os.path.join(bundled, d, f["path"][len("submissions/"):])
                if hashlib.sha256(open(local, "rb").read()).hexdigest() != f["sha256"]:
                    bad.append("bundled/%s: %s differs from the bundle" % (d, f["path"]))
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY

check "no temporary or partial bundle is left in the out folder" test -z "$(ls -A "$OUT" | grep -v '^bundle-[0-9]*T[0-9]*Z-web\.zip$')"
if [ -z "$(ls -A "$SPOOL" | grep -vx -e tmp -e ready -e bundled -e .bundle.lock -e receipt.key)" ]; then
	ok "no journal or other leftover in the spool"
else
	not_ok "no journal or other leftover in the spool" "$(ls -A "$SPOOL")"
fi
$IN bundle --spool "$SPOOL" --out "$OUT" --now 2099-01-01T00:00:00Z >"$SCRATCH/again.out" 2>&1
check "a second clean run has nothing to bundle" grep -qx 'intake: nothing to bundle' "$SCRATCH/again.out"

finish "intake bundle kill"
