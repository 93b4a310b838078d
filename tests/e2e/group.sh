#!/usr/bin/env bash
# End-to-end test of a data folder shared by several Unix accounts through
# a group (casework init --group): two officers' accounts in the group work
# on one register in turn (ingest, allocate, record, list), every file they
# make stays the group's and never the world's, and an account outside the
# group can read nothing. Needs root (to act as the other accounts, with
# setpriv); elsewhere it says it was not run.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null ||
	! getent group users >/dev/null || ! id nobody >/dev/null 2>&1 ||
	! id daemon >/dev/null 2>&1; then
	echo "# not run: needs root, setpriv, the group users and the accounts nobody and daemon"
	finish "group e2e"
	exit $?
fi

S=$SCRATCH
D=$S/data
CWA=$(realpath "$CW")
# as ACCOUNT cmd...: casework run by ACCOUNT with the group users
as() {
	local who=$1
	shift
	setpriv --reuid="$who" --regid=nogroup --groups=users --inh-caps=-all \
		"$CWA" --data "$D" --today 2027-02-01 "$@"
}
outsider() {
	setpriv --reuid=bin --regid=nogroup --clear-groups --inh-caps=-all \
		"$CWA" --data "$D" --today 2027-02-01 "$@"
}

rc_is "init shares the data folder with the group" 0 "$CW" --data "$D" init --content content --group users
[ "$(stat -c %G:%a "$D")" = users:2770 ] && ok "the data folder is the group's, 2770" ||
	not_ok "the data folder's group and mode" "$(stat -c %G:%a "$D")"
grep -q '^group: "users"$' "$D/casework.yml" && ok "the settings name the group" || not_ok "settings" "$(cat "$D/casework.yml")"
refused "a group that does not exist is refused" 2 "no Unix group 'no-such-group'" \
	"$CW" --data "$S/other" init --content content --group no-such-group
rc_is "the administrator" 0 "$CW" --data "$D" user add ada --name "Ada Admin" --role administrator --unix root
rc_is "an officer of the complaints team, as nobody" 0 "$CW" --data "$D" user add nora --name "Nora Team" \
	--role complaints-team --unix nobody
rc_is "a handler, as daemon" 0 "$CW" --data "$D" user add dan --name "Dan Handler" --role handler \
	--team "Parks and Open Spaces" --unix daemon

rm -rf "$S/subs"
complaint GROUP-00001 2027-01-25T10:00:00Z parks
python3 $MK "$S/day1.zip" "$S"/subs/* >/dev/null
chmod 0644 "$S/day1.zip"
rc_is "nobody ingests the day's bundle" 0 as nobody ingest "$S/day1.zip"
REF=$(sqlite3 "$D/register.db" "select reference from cases where submission_id = 'GROUP-00001'")
[ -n "$REF" ] && ok "the case is in the register ($REF)" || not_ok "the case is in the register"
rc_is "nobody allocates it to dan" 0 as nobody record "$REF" allocated --to dan
rc_is "daemon, dan, acknowledges it" 0 as daemon record "$REF" acknowledged
as daemon list | grep -q "^$REF .* dan " && ok "daemon lists dan's case" || not_ok "daemon's list" "$(as daemon list 2>&1)"
rc_is "nobody reads it after daemon wrote" 0 as nobody show "$REF"
rc_is "and writes the daily report" 0 as nobody report
as nobody show "$REF" | grep -q "acknowledged .*dan" && ok "the history names dan" ||
	not_ok "the history names dan" "$(as nobody show "$REF" 2>&1 | tail -3)"

bad=$(find "$D" ! -group users -print)
[ -z "$bad" ] && ok "every file in the data folder is the group's" || not_ok "files outside the group" "$bad"
bad=$(find "$D" -perm /o=rwx -print)
[ -z "$bad" ] && ok "no file in the data folder is open to others" || not_ok "files open to others" "$bad"
bad=$(find "$D" -type f ! -perm -g=rw -print)
[ -z "$bad" ] && ok "every file is readable and writable by the group" || not_ok "files the group cannot write" "$bad"

out=$(outsider list 2>&1)
rc=$?
[ $rc -ne 0 ] && grep -qi "permission denied" <<<"$out" && ok "an account outside the group reads nothing ($rc)" ||
	not_ok "an outsider is kept out" "rc=$rc $out"

finish "group e2e"
