# bench/lib.sh: helpers shared by the benchmarks in bench/ (bash). Source it:
#
#   . "$(dirname "$0")/lib.sh"
#
# Needs bash 5 (EPOCHREALTIME), GNU time at /usr/bin/time (Debian package
# time) and awk.
# Benchmarks measure and print; they never assert timings.

# The repository's root folder.
BENCH_ROOT=$(cd "$(dirname "$0")/.." && pwd)

# bench_cpus: the number of online CPUs.
bench_cpus() {
	getconf _NPROCESSORS_ONLN 2>/dev/null || nproc 2>/dev/null || echo 1
}

# bench_need CMD...: fails with a message naming the first missing command.
bench_need() {
	for c in "$@"; do
		if ! command -v "$c" >/dev/null 2>&1; then
			echo "bench: '$c' is not installed (try scripts/install-deps.sh bench)" >&2
			return 1
		fi
	done
}

# bench_measure RUNS PREP CMD [ARG...]
#
# Runs CMD RUNS times under GNU time. PREP is a shell command evaluated
# before each run, outside the timing (e.g. 'rm -rf "$out"' for a cold
# build; ':' for none). Sets:
#   BENCH_WALL  best (lowest) wall-clock seconds of the runs (3 decimals)
#   BENCH_CPU   best (lowest) user+system CPU seconds of the runs
#   BENCH_RSS   highest peak resident set size of the runs, in KiB
#               (GNU time's %M: the largest of the process and the
#               children it waited for, not their sum)
# On failure prints the command's output to stderr and returns non-zero.
bench_measure() {
	_runs=$1
	_prep=$2
	shift 2
	BENCH_WALL=""
	BENCH_CPU=""
	BENCH_RSS=0
	_tf=$(mktemp)
	_log=$(mktemp)
	_i=0
	while [ "$_i" -lt "$_runs" ]; do
		_i=$((_i + 1))
		eval "$_prep"
		_t0=$EPOCHREALTIME
		if ! /usr/bin/time -f '%e %U %S %M' -o "$_tf" "$@" >"$_log" 2>&1; then
			echo "bench: failed: $*" >&2
			sed 's/^/  | /' "$_log" >&2
			sed 's/^/  | /' "$_tf" >&2
			rm -f "$_tf" "$_log"
			return 1
		fi
		_t1=$EPOCHREALTIME
		read -r _ _u _s _m < <(tail -n 1 "$_tf")
		# Wall time from bash's clock, to the millisecond (GNU time's
		# %e has only centiseconds).
		_w=$(awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.3f", b - a }')
		read -r BENCH_WALL BENCH_CPU BENCH_RSS <<EOF
$(awk -v w="$_w" -v u="$_u" -v s="$_s" -v m="$_m" \
	-v bw="$BENCH_WALL" -v bc="$BENCH_CPU" -v bm="$BENCH_RSS" 'BEGIN {
	c = u + s
	if (bw == "" || w + 0 < bw + 0) bw = w
	if (bc == "" || c < bc + 0) bc = c
	if (m + 0 > bm + 0) bm = m
	printf "%.3f %.2f %d\n", bw, bc, bm
}')
EOF
	done
	rm -f "$_tf" "$_log"
}

# bench_mib KIB: KiB as MiB with one decimal.
bench_mib() {
	awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'
}

# bench_ratio A B: A/B with two decimals, or n/a when B is zero.
bench_ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
	if (b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'
}

# bench_row NAME WALL CPU RSS_KIB: one line of a results table.
bench_row() {
	printf '%-24s %8s %8s %9s\n' "$1" "$2" "$3" "$(bench_mib "$4")"
}

# bench_header: the heading line of a results table.
bench_header() {
	printf '%-24s %8s %8s %9s\n' tool "wall s" "cpu s" "peak MiB"
}

# bench_free_port: prints a TCP port on 127.0.0.1 that was free a moment
# ago (needs python3). For servers that cannot pick their own port.
bench_free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# bench_wrk_ms TIME: one of wrk's durations (850.00us, 1.20ms, 2.00s,
# 1.00m) in milliseconds with two decimals.
bench_wrk_ms() {
	awk -v t="$1" 'BEGIN {
	n = t + 0; u = t; sub(/^[0-9.]+/, "", u)
	f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : \
	    (u == "m") ? 60000 : (u == "h") ? 3600000 : -1
	if (f < 0) { print "n/a"; exit 1 }
	printf "%.2f", n * f }'
}

# bench_wrk_parse FILE: reads the report of one `wrk --latency` run.
# Sets:
#   BENCH_RPS     requests per second (wrk's Requests/sec)
#   BENCH_REQS    completed requests
#   BENCH_SECS    the run's length in seconds
#   BENCH_P50, BENCH_P99   latency percentiles in milliseconds
#   BENCH_NON2XX  wrk's "Non-2xx or 3xx responses" (0 when absent)
# Returns non-zero (with a message) when the report lacks one of them.
bench_wrk_parse() {
	BENCH_RPS=$(awk '/^Requests\/sec:/ { print $2 }' "$1")
	BENCH_REQS=$(awk '/ requests in / { print $1 }' "$1")
	BENCH_SECS=$(awk '/ requests in / { sub(/,$/, "", $4); print $4 }' "$1")
	BENCH_P50=$(awk '$1 == "50%" { print $2 }' "$1")
	BENCH_P99=$(awk '$1 == "99%" { print $2 }' "$1")
	BENCH_NON2XX=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$1")
	BENCH_NON2XX=${BENCH_NON2XX:-0}
	if [ -z "$BENCH_RPS" ] || [ -z "$BENCH_REQS" ] || [ -z "$BENCH_SECS" ] ||
		[ -z "$BENCH_P50" ] || [ -z "$BENCH_P99" ]; then
		echo "bench: not a wrk --latency report: $1" >&2
		sed 's/^/  | /' "$1" >&2
		return 1
	fi
	BENCH_SECS=$(awk -v s="$(bench_wrk_ms "$BENCH_SECS")" 'BEGIN { printf "%.2f", s / 1000 }')
	BENCH_P50=$(bench_wrk_ms "$BENCH_P50")
	BENCH_P99=$(bench_wrk_ms "$BENCH_P99")
}
