#!/usr/bin/env bash
# bench/ingest.sh N: synthesises a bundle of N valid submissions (a mix of
# complaints, some with an attachment, compliments and comments), then
# measures `casework ingest` of it into an empty data folder beside `unzip`
# extracting the same bundle (the floor: reading and writing the same
# bytes). Prints wall time, CPU, peak memory and the ratios. Never asserts.
set -eu
. "$(dirname "$0")/lib.sh"
cd "$BENCH_ROOT"

N=${1:-10000}
bench_need python3 unzip
[ -x bin/casework ] || make --no-print-directory bin/casework >/dev/null
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

python3 - "$W/bundle-bench.zip" "$N" <<'PY'
import hashlib, json, sys, zipfile
sys.path.insert(0, "tests/data/bundles")
import mkbundle as mb
out, n = sys.argv[1], int(sys.argv[2])
alpha = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
areas = ["bins", "council-tax", "roads", "parking", "housing-repairs", "libraries"]
hashes = {f: mb.form_hash(f) for f in ("complaint", "feedback")}
def sid(i):
    s = ""
    for _ in range(10):
        s = alpha[i % 32] + s
        i //= 32
    return s[:5] + "-" + s[5:]
subs = []
entries = []
for i in range(n):
    k = sid(i)
    day = 1 + i % 28
    received = "2026-11-%02dT%02d:%02d:00Z" % (day, 8 + i % 10, i % 60)
    files = []
    if i % 10 < 7:
        form = "complaint"
        fields = {"full_name": "Resident %d" % i, "email": "r%d@example.org" % i,
                  "contact_method": "email", "on_behalf": "no",
                  "service_area": areas[i % len(areas)],
                  "what_happened": "The service went wrong for me in a way I describe here at some length. " * 4,
                  "when_happened": "2026-10-15", "impact": "It cost me time and money.",
                  "outcome_sought": "An apology and a fix.", "raised_before": "yes"}
        if i % 4 == 0:
            files = [("files", "evidence.txt", "text/plain", ("Evidence for %d\n" % i).encode() * 40)]
    else:
        form = "feedback"
        fields = {"feedback_type": "compliment" if i % 2 else "comment",
                  "service_area": areas[i % len(areas)],
                  "message": "Thank you to the team for their help. " * 3}
    atts = []
    for j, (fld, name, typ, data) in enumerate(files, 1):
        atts.append({"field": fld, "name": name, "type": typ, "size": len(data),
                     "sha256": hashlib.sha256(data).hexdigest(), "path": "files/%d" % j})
    doc = {"format": "threecs-submission/1", "id": k, "form": form,
           "form_hash": hashes[form], "received": received, "channel": "web",
           "fields": fields, "attachments": atts}
    entries.append(("submissions/%s/submission.json" % k, json.dumps(doc).encode()))
    for j, f in enumerate(files, 1):
        entries.append(("submissions/%s/files/%d" % (k, j), f[3]))
mb.write(out, entries)
PY
size=$(stat -c %s "$W/bundle-bench.zip")
echo "bundle: $N submissions, $(bench_mib $((size / 1024))) MiB"

bench_measure 1 'rm -rf "$W/unz"' unzip -q -d "$W/unz" "$W/bundle-bench.zip"
uw=$BENCH_WALL uc=$BENCH_CPU ur=$BENCH_RSS
bench_measure 1 'rm -rf "$W/data"' bin/casework --data "$W/data" --today 2026-12-01 ingest "$W/bundle-bench.zip"
cw=$BENCH_WALL cc=$BENCH_CPU cr=$BENCH_RSS
bench_measure 1 ':' bin/casework --data "$W/data" --today 2026-12-01 ingest "$W/bundle-bench.zip"
rw=$BENCH_WALL rr=$BENCH_RSS

bench_header
bench_row "unzip (floor)" "$uw" "$uc" "$ur"
bench_row "casework ingest" "$cw" "$cc" "$cr"
bench_row "casework re-ingest" "$rw" "-" "$rr"
echo "ratio casework/unzip: wall $(bench_ratio "$cw" "$uw"), cpu $(bench_ratio "$cc" "$uc"), peak memory $(bench_ratio "$cr" "$ur")"
echo "per submission: $(awk -v w="$cw" -v n="$N" 'BEGIN { printf "%.3f ms", 1000 * w / n }')"
