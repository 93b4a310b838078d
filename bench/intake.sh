#!/bin/bash
# bench/intake.sh: intake serve's durable submissions and static files,
# against its peer (nginx, for the static files) and the physical floor
# (fsync on the spool's filesystem, for the submissions), in one run.
#
#   bench/intake.sh
#   BENCH_KEEP=1 bench/intake.sh      keep the scratch folder to look at
#   BENCH_PROFILE=1 bench/intake.sh   also perf-record intake during a
#                                     further 5 s of posts and print the
#                                     hot spots (needs perf)
#
# What it does, all on 127.0.0.1, in a scratch folder (mktemp -d, removed at
# the end with every process it started):
#   1. Durable submissions. Builds the site (bin/sitegen build --out) and
#      starts bin/intake serve on a free port with --quiet and --rate
#      1000000 (the per-client limit, 10 a minute by default, would
#      otherwise answer 429 after ten posts: every post here comes from one
#      address). wrk -t2 -c16 -d10s --latency posts one valid urlencoded
#      complaint (every required field, built from the form's schema by
#      tests/e2e/intake_lib.py; no files) to /submit/complaint with
#      bench/intake.lua, which, as a resident's browser does, sends the
#      draft of each check page it gets back (two requests a submission),
#      counts the statuses and keeps each 303's reference. Prints durable submissions per second (303s over wrk's
#      run time), p50 and p99 latency, and the goal beside them: at least
#      1,000 a second on a 2-core machine. Then checks the spool: the
#      folders in ready/ against the 303s wrk saw, and that every 303's
#      reference is among them. wrk stops at 10 s with up to one post in
#      flight per connection; intake finishes those (their 303 is never
#      read), so ready/ may hold up to 16 more than the 303s: printed as
#      "in flight at the cut-off", not as a mismatch. A 303 whose
#      reference is not in ready/, or more extra folders than connections,
#      is a mismatch. Then stops intake (SIGTERM), whose last line says how
#      many submissions it stored in how many group commits with how many
#      flushes of the spool: printed as fsyncs per submission (a commit of
#      its own pays 4), and starts a fresh intake for step 2.
#   2. Static files. wrk -t2 -c16 -d10s --latency GETs /complaints-policy/
#      (HTML) and the hashed site CSS, from intake and from nginx (Debian
#      nginx-light) serving the same folder with a minimal configuration
#      written here: worker_processes auto (one per CPU, as intake's
#      threads), access_log off, keepalive_requests raised so nginx does not
#      close each keep-alive connection after 1,000 requests (intake never
#      does), mime.types included; nothing else (no sendfile, no open file
#      cache, no gzip). Prints requests/s and p99 for both and the ratio
#      intake/nginx (above 1: intake serves more per second).
#   3. The physical floor. On the spool's filesystem, python3 repeats
#      intake's commit sequence (intake/spool.c): mkdir tmp/ID, write
#      submission.json (the size of a real one from step 1) and fsync it,
#      fsync tmp/ID, rename it into ready/, fsync ready/ and tmp/: four
#      fsyncs. With one writer that gives the most durable submissions a
#      second one thread can make on this disk; with as many writers as
#      intake has threads (one per CPU) and as wrk's connections (16), what
#      concurrent fsyncs allow. Also the cost of one bare fsync. Each is
#      bounded by a count and a time (2000 submissions or 6 s).
#
# wrk, intake and nginx share the machine's CPUs: the figures are for all
# three on one host, as on a small server with its own load generator.
# Total run time about 80 s (90 s with BENCH_PROFILE=1). The spool's
# thousands of folders are deleted at the end; on ext4, creating inodes
# within ~30 s of deleting thousands is much slower (the recently_deleted
# check), so leave 30 s between runs or the next run's posts are slower.
#
# A benchmark, not a test: it prints figures and the goal but asserts
# nothing. Exit 0 when every run completed; non-zero (with the error) when
# one could not run (build, start-up, wrk, or no post accepted at all).
set -euo pipefail
export LC_ALL=C

. "$(dirname "$0")/lib.sh"

DUR=10s
CONNS=16
GOAL=1000

cd "$BENCH_ROOT"
scripts/install-deps.sh bench
bench_need wrk nginx python3 curl awk sort comm
if ! make -s bin/sitegen bin/intake; then
	if [ -x bin/sitegen ] && [ -x bin/intake ]; then
		echo "bench/intake.sh: make failed; measuring the binaries already in bin/" >&2
	else
		exit 1
	fi
fi
SITEGEN=$BENCH_ROOT/bin/sitegen
INTAKE=$BENCH_ROOT/bin/intake
CPUS=$(bench_cpus)

W=$(mktemp -d "${TMPDIR:-/tmp}/intake-bench.XXXXXX")
# nginx's workers may run as another user (nobody, when started as root):
# the site must be readable by them.
chmod 755 "$W"
SITE=$W/site
SPOOL=$W/spool
PIDS=()

stop_pid() {
	local p=$1 i
	kill -TERM "$p" 2>/dev/null || return 0
	for i in $(seq 1 100); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
}
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		stop_pid "$p"
	done
	if [ -n "${BENCH_KEEP:-}" ]; then
		echo "bench/intake.sh: kept $W" >&2
	else
		rm -rf "$W"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# run_wrk OUT ARGS...: wrk with the shared settings; its report into OUT.
run_wrk() {
	local out=$1
	shift
	if ! wrk -t2 -c"$CONNS" -d"$DUR" --latency "$@" >"$out" 2>&1; then
		echo "bench: wrk failed: $*" >&2
		sed 's/^/  | /' "$out" >&2
		return 1
	fi
	bench_wrk_parse "$out"
}

status_of() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$1"
}

# ---- the site and intake ----

if ! "$SITEGEN" build --out "$SITE" --quiet >"$W/sitegen.log" 2>&1; then
	echo "bench: sitegen build failed" >&2
	sed 's/^/  | /' "$W/sitegen.log" >&2
	exit 1
fi
chmod -R go+rX "$SITE"
CSS=$(cd "$SITE/assets" && ls | grep -E '^site\.[0-9a-f]+\.css$' | head -n 1 || true)
if [ -z "$CSS" ] || [ ! -f "$SITE/complaints-policy/index.html" ]; then
	echo "bench: the built site lacks assets/site.HASH.css or complaints-policy/" >&2
	exit 1
fi
BODY=$(FORMS=content/forms python3 tests/e2e/intake_lib.py "$SITE" complaint pairs)

# As root, intake serve runs as nobody: the scratch folder must let it in.
USER_OPT=()
if [ "$(id -u)" = 0 ]; then
	USER_OPT=(--user nobody)
	chmod 0755 "$W"
fi
# start_intake: intake serve on a free port; sets INTAKE_PID and IURL.
start_intake() {
	"$INTAKE" serve --listen 127.0.0.1:0 --site "$SITE" --forms content/forms \
		--spool "$SPOOL" --rate 1000000 --quiet "${USER_OPT[@]}" >"$W/intake.out" 2>"$W/intake.err" &
	INTAKE_PID=$!
	PIDS+=("$INTAKE_PID")
	IURL=""
	for _ in $(seq 1 100); do
		IURL=$(sed -n 's|.* on \(http://127\.0\.0\.1:[0-9]*\)/ .*|\1|p' "$W/intake.out")
		[ -n "$IURL" ] && break
		kill -0 "$INTAKE_PID" 2>/dev/null || break
		sleep 0.1
	done
	if [ -z "$IURL" ]; then
		echo "bench: intake serve did not start" >&2
		sed 's/^/  | /' "$W/intake.out" "$W/intake.err" >&2
		exit 1
	fi
}
start_intake

# ---- nginx ----

NPORT=$(bench_free_port)
mkdir -p "$W/nginx"
cat >"$W/nginx/nginx.conf" <<EOF
daemon off;
worker_processes auto;
pid $W/nginx/nginx.pid;
error_log $W/nginx/error.log;
events {}
http {
	include /etc/nginx/mime.types;
	access_log off;
	keepalive_requests 1000000;
	client_body_temp_path $W/nginx/body;
	proxy_temp_path $W/nginx/proxy;
	fastcgi_temp_path $W/nginx/fastcgi;
	uwsgi_temp_path $W/nginx/uwsgi;
	scgi_temp_path $W/nginx/scgi;
	server {
		listen 127.0.0.1:$NPORT;
		root $SITE;
	}
}
EOF
nginx -e "$W/nginx/error.log" -p "$W/nginx" -c "$W/nginx/nginx.conf" \
	>"$W/nginx/out" 2>&1 &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
NURL=http://127.0.0.1:$NPORT
for _ in $(seq 1 100); do
	[ "$(status_of "$NURL/")" = 200 ] && break
	kill -0 "$NGINX_PID" 2>/dev/null || break
	sleep 0.1
done
for u in "$IURL" "$NURL"; do
	for p in /complaints-policy/ "/assets/$CSS"; do
		s=$(status_of "$u$p")
		if [ "$s" != 200 ]; then
			echo "bench: GET $u$p answered $s, not 200" >&2
			sed 's/^/  | /' "$W/nginx/out" "$W/nginx/error.log" "$W/intake.err" >&2 2>/dev/null || true
			exit 1
		fi
	done
done

echo "intake benchmark: $CPUS CPUs; wrk -t2 -c$CONNS -d$DUR --latency; loopback"
echo "site: $SITE ($(du -sk "$SITE" | cut -f1) KiB); intake at $IURL, nginx $(nginx -v 2>&1 | sed 's|.*/||') at $NURL"
echo

# ---- 1. durable submissions ----

echo "1. Durable submissions: POST /submit/complaint (urlencoded, $(printf %s "$BODY" | wc -c) bytes, every required field)"
BENCH_BODY=$BODY BENCH_REFS=$W/refs run_wrk "$W/wrk-post" \
	-s "$BENCH_ROOT/bench/intake.lua" "$IURL/submit/complaint"
N303=$(sed -n 's/^statuses: 303=\([0-9]*\) .*/\1/p' "$W/wrk-post")
NOTHER=$(sed -n 's/^statuses: 303=[0-9]* other=\([0-9]*\).*/\1/p' "$W/wrk-post")
POST_SECS=$BENCH_SECS
POST_P50=$BENCH_P50
POST_P99=$BENCH_P99
if [ -z "$N303" ] || [ -z "$NOTHER" ]; then
	echo "bench: bench/intake.lua printed no statuses" >&2
	sed 's/^/  | /' "$W/wrk-post" >&2
	exit 1
fi
# Let intake finish the posts in flight when wrk stopped (bounded).
for _ in $(seq 1 50); do
	[ -z "$(ls -A "$SPOOL/tmp")" ] && break
	sleep 0.1
done
sleep 0.2
ls "$SPOOL/ready" | sort >"$W/ready"
sort "$W/refs" >"$W/refs.sorted"
NREADY=$(wc -l <"$W/ready")
NMISSING=$(comm -23 "$W/refs.sorted" "$W/ready" | wc -l)
NEXTRA=$(comm -13 "$W/refs.sorted" "$W/ready" | wc -l)
NTMP=$(ls -A "$SPOOL/tmp" | wc -l)
SUBS=$(awk -v n="$N303" -v s="$POST_SECS" 'BEGIN { printf "%.0f", n / s }')

printf '   durable submissions/s  %8s   (goal: at least %s on this %s-CPU machine)\n' "$SUBS" "$GOAL" "$CPUS"
printf '   latency p50 / p99      %8s / %s ms\n' "$POST_P50" "$POST_P99"
printf '   303 responses          %8s   (other statuses: %s; %s)\n' "$N303" "$NOTHER" \
	"$(sed -n 's/^socket errors: //p' "$W/wrk-post")"
printf '   folders in ready/      %8s   (tmp/ left: %s)\n' "$NREADY" "$NTMP"
if [ "$NREADY" -eq "$N303" ] && [ "$NMISSING" -eq 0 ]; then
	echo "   spool matches 303s:    yes (every 303's reference is in ready/)"
elif [ "$NMISSING" -eq 0 ] && [ "$NEXTRA" -le "$CONNS" ]; then
	echo "   spool matches 303s:    yes, every 303's reference is in ready/; $NEXTRA more in ready/:"
	echo "                          posts in flight at wrk's cut-off (at most $CONNS, one per connection)"
else
	echo "   spool matches 303s:    NO: $NMISSING 303s without a folder in ready/, $NEXTRA folders without a 303 seen"
fi
# What the group commit did: intake says as it stops. A fresh intake
# serves the static files.
stop_pid "$INTAKE_PID"
STOPLINE=$(grep 'intake: stopped' "$W/intake.err" || true)
NSTORED=$(printf '%s' "$STOPLINE" | sed -n 's/.*stopped (\([0-9]*\) submission.*/\1/p')
NGROUPS=$(printf '%s' "$STOPLINE" | sed -n 's/.* stored in \([0-9]*\) group commit.*/\1/p')
NFLUSH=$(printf '%s' "$STOPLINE" | sed -n 's/.* \([0-9]*\) flush.*/\1/p')
if [ -n "$NSTORED" ] && [ -n "$NGROUPS" ] && [ -n "$NFLUSH" ] && [ "$NSTORED" -gt 0 ]; then
	FPS=$(awk -v f="$NFLUSH" -v n="$NSTORED" 'BEGIN { printf "%.2f", f / n }')
	GSIZE=$(awk -v g="$NGROUPS" -v n="$NSTORED" 'BEGIN { printf "%.1f", n / g }')
	printf '   fsyncs per submission  %8s   (%s flushes of the spool for %s submissions in %s group commits,\n' \
		"$FPS" "$NFLUSH" "$NSTORED" "$NGROUPS"
	printf '                                     %s a group; the floor below pays 4 a submission)\n' "$GSIZE"
else
	echo "   fsyncs per submission: intake did not say (stop line: ${STOPLINE:-none})"
fi
start_intake
echo

# ---- 2. static files ----

echo "2. Static GET: intake against nginx on the same folder"
printf '   %-30s %12s %9s %12s %9s %14s\n' path "intake req/s" "p99 ms" "nginx req/s" "p99 ms" "intake/nginx"
for p in /complaints-policy/ "/assets/$CSS"; do
	run_wrk "$W/wrk-i" "$IURL$p"
	IR=$BENCH_RPS IP=$BENCH_P99 IN2=$BENCH_NON2XX
	run_wrk "$W/wrk-n" "$NURL$p"
	NR=$BENCH_RPS NP=$BENCH_P99 NN2=$BENCH_NON2XX
	printf '   %-30s %12.0f %9s %12.0f %9s %14s\n' "$p" "$IR" "$IP" "$NR" "$NP" "$(bench_ratio "$IR" "$NR")"
	if [ "$IN2" != 0 ] || [ "$NN2" != 0 ]; then
		echo "   (non-2xx/3xx responses: intake $IN2, nginx $NN2)"
	fi
done
echo "   sizes: $(wc -c <"$SITE/complaints-policy/index.html") bytes of HTML, $(wc -c <"$SITE/assets/$CSS") bytes of CSS"
# Does each server keep a GET's connection open for the next request?
# curl's num_connects is 0 for a transfer on a reused connection.
for u in "$IURL" "$NURL"; do
	c=$(curl -s -o /dev/null -o /dev/null -w '%{num_connects}' --max-time 5 \
		"$u/complaints-policy/" "$u/complaints-policy/")
	n=intake
	[ "$u" = "$NURL" ] && n=nginx
	if [ "$c" = 10 ]; then
		echo "   $n keeps GET connections alive"
	else
		echo "   $n closes the connection after each GET: wrk reconnects for every request"
	fi
done
echo

# ---- 3. the physical floor ----

JSON_SIZE=$(wc -c <"$SPOOL/ready/$(head -n 1 "$W/ready")/submission.json")
mkdir -p "$W/floor"
FS_DEV=$(df --output=source "$W" | tail -n 1)
FS_TYPE=$(df --output=fstype "$W" | tail -n 1)
FS_JOURNAL=""
case "$FS_TYPE" in
ext3 | ext4)
	FS_JOURNAL=", no journal"
	if ls /proc/fs/jbd2 2>/dev/null | grep -q "^$(basename "$FS_DEV")-"; then
		FS_JOURNAL=", journal"
	fi
	;;
esac
echo "3. Physical floor: fsync on the spool's filesystem ($FS_TYPE$FS_JOURNAL, $FS_DEV)"
python3 - "$W/floor" "$JSON_SIZE" "$CPUS" "$CONNS" "$SUBS" >"$W/floor.out" <<'EOF'
import os, sys, threading, time

root, size = sys.argv[1], int(sys.argv[2])
cpus, conns, subs = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
MAX_N, MAX_S = 2000, 6.0
data = (b'{"format":"threecs-submission/1"' + b" " * size)[:size]


def sync_dir(path):
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def bare_fsync():
    path = os.path.join(root, "bare")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    n, t0 = 0, time.monotonic()
    while n < 1000 and time.monotonic() - t0 < 2.0:
        os.pwrite(fd, data[:1024], 0)
        os.fsync(fd)
        n += 1
    el = time.monotonic() - t0
    os.close(fd)
    return n, el


def commit_run(writers):
    """intake/spool.c's sequence, by WRITERS threads, until MAX_N or MAX_S."""
    tmp = os.path.join(root, "w%d" % writers, "tmp")
    ready = os.path.join(root, "w%d" % writers, "ready")
    os.makedirs(tmp)
    os.makedirs(ready)
    lock = threading.Lock()
    state = {"n": 0}
    t0 = time.monotonic()

    def worker(w):
        i = 0
        while True:
            with lock:
                if state["n"] >= MAX_N or time.monotonic() - t0 >= MAX_S:
                    return
                state["n"] += 1
            i += 1
            ref = "w%d-%06d" % (w, i)
            d = os.path.join(tmp, ref)
            os.mkdir(d, 0o700)
            fd = os.open(os.path.join(d, "submission.json"),
                         os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.write(fd, data)
            os.fsync(fd)
            os.close(fd)
            sync_dir(d)
            os.rename(d, os.path.join(ready, ref))
            sync_dir(ready)
            sync_dir(tmp)

    ts = [threading.Thread(target=worker, args=(w,)) for w in range(writers)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return state["n"], time.monotonic() - t0


print("   %-42s %8s %11s" % ("", "ms each", "per second"))
n, el = bare_fsync()
print("   %-42s %8.3f %11.0f   (%d in %.1f s)"
      % ("one fsync (1 KiB overwrite)", el / n * 1000, n / el, n, el))
rates = {}
for w in sorted({1, cpus, conns}):
    n, el = commit_run(w)
    rates[w] = n / el
    what = "a commit of its own, %d writer%s" % (w, "" if w == 1 else "s")
    if w == cpus:
        what += " (= CPUs)"
    print("   %-42s %8.3f %11.0f   (%d in %.1f s)"
          % (what, el / n * 1000 * w, rates[w], n, el))
print("   (commit: mkdir tmp/ID, write a %d-byte submission.json and fsync it,"
      % size)
print("    fsync tmp/ID, rename it into ready/, fsync ready/ and tmp/: the 4")
print("    fsyncs a submission costs committed on its own, as intake's group")
print("    commit shares them; 'ms each' is one writer's wait per commit)")
print("   implied maximum durable submissions/s: one writer %.0f, %d writers %.0f,"
      " %d writers %.0f" % (rates[1], cpus, rates[cpus], conns, rates[conns]))
print("   intake's %.0f/s = %.2f x the 1-writer floor, %.2f x the %d-writer floor,"
      % (subs, subs / rates[1], subs / rates[cpus], cpus))
print("   %.2f x the %d-writer floor (goal: at least 1.5)" % (subs / rates[conns], conns))
EOF
cat "$W/floor.out"

# ---- optional: profile ----

if [ -n "${BENCH_PROFILE:-}" ]; then
	echo
	bench_need perf
	echo "Profile: perf record -g on intake during 5 s more of posts"
	BENCH_BODY=$BODY wrk -t2 -c"$CONNS" -d5s -s "$BENCH_ROOT/bench/intake.lua" \
		"$IURL/submit/complaint" >"$W/wrk-prof" 2>&1 &
	WRK_PID=$!
	PIDS+=("$WRK_PID")
	sleep 0.5
	perf record -q -g -o "$W/perf.data" -p "$INTAKE_PID" -- sleep 4 >"$W/perf.log" 2>&1 || true
	wait "$WRK_PID" || true
	grep -E '^Requests/sec|^statuses' "$W/wrk-prof" | sed 's/^/   /' || true
	{
		perf report --stdio --no-children --sort dso -g none -i "$W/perf.data" 2>/dev/null |
			grep '%' | head -n 8
		perf report --stdio --no-children -g none --percent-limit 0.5 \
			-i "$W/perf.data" 2>/dev/null | grep '%'
	} | head -n 60 || true
fi
exit 0
