#!/bin/sh
# make demo: the whole day of a complaints service on this machine.
#  1. sitegen builds the site from content/ into public/;
#  2. intake serves it on 127.0.0.1:8080 in the background (forms work);
#  3. the sample submissions in tests/data/submissions/ are bundled by
#     intake bundle, as each morning's bundle would be;
#  4. casework ingests the bundle, writes the case packs and the daily report,
#     then the annual report for the sample year.
# Run it again at any time: every step is idempotent.
set -eu
cd "$(dirname "$0")/.."

DEMO_DAY=2026-12-24          # the morning after the samples arrived
STAMP=2026-12-24T07:00:00Z
LISTEN=127.0.0.1:8080

bin/sitegen build

# Stop the intake an earlier demo started, then start a fresh one.
mkdir -p build/demo
if [ -f build/demo/intake.pid ]; then
	kill "$(cat build/demo/intake.pid)" 2>/dev/null || true
	sleep 0.5
fi
# As root, intake serve runs as an unprivileged user (nobody here; give
# the service its own account in production).
USER_OPT=""
[ "$(id -u)" = 0 ] && USER_OPT="--user nobody"
# shellcheck disable=SC2086
nohup bin/intake serve --listen "$LISTEN" --site public --forms content/forms \
	--spool spool $USER_OPT >build/demo/intake.log 2>&1 &
echo $! >build/demo/intake.pid
sleep 0.5
if kill -0 "$(cat build/demo/intake.pid)" 2>/dev/null; then
	echo "demo: intake is serving the site on http://$LISTEN/ (forms post to it;"
	echo "      submissions land in spool/ready/; stop it with: kill \$(cat build/demo/intake.pid))"
else
	echo "demo: intake could not start (is $LISTEN in use?):" >&2
	cat build/demo/intake.log >&2
fi

# The sample submissions go through the real bundler, in a spool of their own.
rm -rf build/demo/spool
mkdir -p build/demo/spool/ready
chmod 700 build/demo/spool build/demo/spool/ready
for s in tests/data/submissions/*/; do
	id=$(basename "$s")
	cp -r "$s" "build/demo/spool/ready/$id"
	mkdir -p "build/demo/spool/ready/$id/files"
done
mkdir -p bundles
bundle=bundles/bundle-20261224T070000Z-demo.zip
if [ ! -f "$bundle" ]; then
	bin/intake bundle --spool build/demo/spool --out bundles --source demo --now "$STAMP"
fi

# casework: ingest (a second run finds everything already ingested).
set +e
bin/casework --today "$DEMO_DAY" ingest "$bundle"
rc=$?
set -e
if [ $rc -gt 1 ]; then
	echo "demo: casework ingest failed (exit $rc)" >&2
	exit $rc
fi
# ingest has written today's report; the year's report for the sample year:
bin/casework --today "$DEMO_DAY" annual --year 2026

echo
echo "demo: the site:          public/ (served on http://$LISTEN/)"
echo "demo: the bundle:        $bundle"
echo "demo: case packs:        casework/casepacks/"
echo "demo: the daily report:  casework/reports/$DEMO_DAY.html and .csv"
echo "demo: the annual report: casework/reports/annual-2026.html and .csv"
