# Shared helpers for the end-to-end scripts: a pass/fail tally that ends
# with "NAME: N passed, N failed", and a scratch folder removed on exit.
pass=0
fail=0
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT

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

# intake_stop: SIGTERM to the intake_start server, and waits for it.
intake_stop() {
	[ -n "${PID:-}" ] && kill $PID 2>/dev/null && wait $PID 2>/dev/null
	PID=""
}

finish() {
	echo "$1: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
