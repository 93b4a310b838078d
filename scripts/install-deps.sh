#!/bin/sh
# Installs every Debian package threecs needs to build and test, and the
# locked Node packages for the browser tests. Quick when all is there: it
# only calls apt-get or npm when something is missing.
#
#   scripts/install-deps.sh          build and test dependencies
#   scripts/install-deps.sh bench    also the peers the benchmarks compare with
set -eu

cd "$(dirname "$0")/.."

# Build: compiler, pkg-config and the libraries. Tests: cmocka, a browser,
# a JRE for the HTML checker, Node for the browser test scripts, Python for
# the end-to-end helpers, clang and its runtime for the libFuzzer harnesses,
# pandoc for sitegen import.
PACKAGES="build-essential pkg-config libcmark-gfm-dev libcmark-gfm-extensions-dev \
libcjson-dev libzip-dev libyaml-dev libsqlite3-dev libmicrohttpd-dev libsodium-dev libcmocka-dev \
tzdata unzip zip curl chromium default-jre-headless nodejs npm python3 \
clang libclang-rt-dev pandoc"
BENCH_PACKAGES="cmark-gfm hugo wrk nginx-light hyperfine time"

if [ "${1:-}" = bench ]; then
	PACKAGES="$PACKAGES $BENCH_PACKAGES"
fi

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		# nodejs and npm may come from elsewhere on the machine: accept
		# working commands in their place.
		case "$p" in
		nodejs) command -v node >/dev/null 2>&1 && continue ;;
		npm) command -v npm >/dev/null 2>&1 && continue ;;
		esac
		missing="$missing $p"
	fi
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "install-deps: missing packages:$missing" >&2
		echo "install-deps: run as root: apt-get update && apt-get install -y$missing" >&2
		exit 3
	fi
	echo "install-deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# Node packages for tests/browser, from the lock file (versions and
# integrity hashes), only when the installed set differs from the lock.
if [ -f tests/browser/package-lock.json ]; then
	stamp=tests/browser/node_modules/.lock-stamp
	want=$(sha256sum tests/browser/package-lock.json | cut -d' ' -f1)
	if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
		echo "install-deps: installing Node packages for the browser tests"
		(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
		echo "$want" >"$stamp"
	fi
fi
exit 0
