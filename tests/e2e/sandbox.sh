#!/usr/bin/env bash
# Least privilege, end to end: casework and intake serve narrow themselves
# once their files are open (Landlock and no_new_privs), so a write outside
# their folders fails even when a link inside points out; intake serve
# refuses root unless told which user to become, and becomes it.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

S=$SCRATCH


# Landlock present? (the kernel tells through the syscall; /proc shows
# nothing). Without it the programs run with a warning and these checks
# cannot be made.
landlock=0
if THREECS_SANDBOX= "$CW" --rules content/rules.yml --forms content/forms \
	--data "$S/probe" --today 2026-12-24 list >/dev/null 2>"$S/probe.err"; then
	grep -q "no Landlock\|cannot allow moves" "$S/probe.err" || landlock=1
fi
[ $landlock = 1 ] || echo "# this kernel has no usable Landlock: the write checks will fail"

# ------------------------------------------------------------- casework
python3 tests/data/bundles/mkbundle.py "$S/b1.zip" tests/data/submissions/* >/dev/null 2>&1
D=$S/data
cw --data "$D" --today 2026-12-24 ingest "$S/b1.zip" >"$S/ingest.out" 2>&1 &&
	ok "casework ingest runs inside its sandbox" ||
	not_ok "casework ingest runs inside its sandbox" "$(cat "$S/ingest.out")"
grep -q "warning" "$S/ingest.out" &&
	not_ok "no sandbox warning on this kernel" "$(grep warning "$S/ingest.out")" ||
	ok "no sandbox warning on this kernel"

# A link planted in the data folder, pointing out of it.
mkdir -p "$S/outside"
rm -rf "$D/reports"
ln -s "$S/outside" "$D/reports"
out=$(cw --data "$D" --today 2026-12-24 report 2>&1)
rc=$?
[ $rc -ne 0 ] && ok "casework report through a link out of the data folder fails (exit $rc)" ||
	not_ok "casework report through a link out of the data folder fails" "$out"
echo "$out" | grep -q "Permission denied" &&
	ok "the refusal is said: $(echo "$out" | head -1)" ||
	not_ok "the refusal is said" "$out"
[ -z "$(ls -A "$S/outside")" ] && ok "nothing was written outside" ||
	not_ok "nothing was written outside" "$(ls -la "$S/outside")"
# The same command with the sandbox off writes there: the check can fail.
THREECS_SANDBOX=off cw --data "$D" --today 2026-12-24 report >/dev/null 2>&1
[ -n "$(ls -A "$S/outside")" ] && ok "without the sandbox the same write lands outside (control)" ||
	not_ok "without the sandbox the same write lands outside (control)"
rm -f "$D/reports"
mkdir "$D/reports"

# export may write only its --out folder beside the data folder.
mkdir -p "$S/exports"
cw --data "$D" --today 2026-12-24 export --email nobody@example.org --out "$S/exports/e.zip" >"$S/ex.out" 2>&1 &&
	[ -f "$S/exports/e.zip" ] && ok "export writes its --out file inside the sandbox" ||
	not_ok "export writes its --out file inside the sandbox" "$(cat "$S/ex.out")"

# ------------------------------------------------------------- intake
SITE=$S/site
"$SG" build --out "$SITE" --quiet >/dev/null 2>&1
chmod 0755 "$S"

start() { # extra options...; sets PID and PORT
	intake_start "$S/out" "$S/err" --site "$SITE" --forms content/forms \
		--spool "$S/spool" --quiet "$@"
}
stop() { intake_stop; }

svc=$(sed -n "s/^ *- value: *\\([a-z0-9-]*\\).*/\\1/p" content/forms/_services.yml | head -1)
if [ "$(id -u)" = 0 ]; then
	"$IN" serve --listen 127.0.0.1:0 --site "$SITE" --forms content/forms \
		--spool "$S/spool" >"$S/out" 2>"$S/err"
	rc=$?
	[ $rc = 2 ] && grep -q "refusing to serve as root" "$S/err" &&
		ok "intake serve as root without --user is refused (exit 2)" ||
		not_ok "intake serve as root without --user is refused" "exit $rc: $(cat "$S/err")"
	[ ! -e "$S/spool" ] && ok "the refusal comes before anything is made" ||
		not_ok "the refusal comes before anything is made"
	"$IN" serve --listen 127.0.0.1:0 --site "$SITE" --spool "$S/spool" \
		--user root >/dev/null 2>"$S/err"
	[ $? = 2 ] && grep -q "is root" "$S/err" && ok "--user root is refused" ||
		not_ok "--user root is refused" "$(cat "$S/err")"
	"$IN" serve --listen 127.0.0.1:0 --site "$SITE" --spool "$S/spool" \
		--user no-such-user-here >/dev/null 2>"$S/err"
	[ $? = 2 ] && grep -q "no user" "$S/err" && ok "an unknown --user is refused" ||
		not_ok "an unknown --user is refused" "$(cat "$S/err")"

	if start --user nobody; then
		ok "intake serve --user nobody starts"
		uid=$(id -u nobody)
		st=/proc/$PID/status
		[ "$(awk '/^Uid:/ {print $2 $3 $4 $5}' "$st")" = "$uid$uid$uid$uid" ] &&
			ok "every user id is nobody's ($uid)" ||
			not_ok "every user id is nobody's" "$(grep -E 'Uid|Gid' "$st")"
		[ "$(awk '/^Groups:/ {print NF}' "$st")" = 1 ] &&
			ok "no supplementary groups kept" ||
			not_ok "no supplementary groups kept" "$(grep Groups "$st")"
		grep -q "^NoNewPrivs:[[:space:]]*1" "$st" && ok "no_new_privs is set" ||
			not_ok "no_new_privs is set" "$(grep NoNewPrivs "$st")"
		[ "$(stat -c %U "$S/spool/ready")" = nobody ] &&
			ok "the spool folders were given to nobody" ||
			not_ok "the spool folders were given to nobody" "$(ls -la "$S/spool")"
		code=$(submit "http://127.0.0.1:$PORT/submit/feedback" \
			--data-urlencode "feedback_type=compliment" --data-urlencode "service_area=$svc" \
			--data-urlencode "message=Thank you for the quick repair." | cut -d" " -f1)
		[ "$code" = 303 ] && ok "a post is taken as nobody (303)" ||
			not_ok "a post is taken as nobody" "status $code: $(cat "$S/err")"
		f=$(find "$S/spool/ready" -name submission.json | head -1)
		[ -n "$f" ] && [ "$(stat -c %U:%a "$f")" = nobody:600 ] &&
			ok "the submission is nobody's, mode 0600" ||
			not_ok "the submission is nobody's, mode 0600" "$(ls -la "$f" 2>&1)"
		code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")
		[ "$code" = 200 ] && ok "pages are served as nobody" || not_ok "pages are served as nobody" "$code"
		# Bundling as root must leave the spool usable by the service.
		"$IN" bundle --spool "$S/spool" --out "$S/bundles" >/dev/null 2>"$S/berr" &&
			[ "$(stat -c %U "$(ls -d "$S"/spool/bundled/*/ | head -1)")" = nobody ] &&
			ok "intake bundle run as root gives what it makes in the spool to its owner" ||
			not_ok "intake bundle run as root gives what it makes in the spool to its owner" "$(cat "$S/berr"; ls -la "$S/spool/bundled")"
		code=$(submit "http://127.0.0.1:$PORT/submit/feedback" \
			--data-urlencode "feedback_type=comment" --data-urlencode "service_area=$svc" \
			--data-urlencode "message=Second one." | cut -d" " -f1)
		[ "$code" = 303 ] && ok "posts are still taken after a bundle made by root (303)" ||
			not_ok "posts are still taken after a bundle made by root" "status $code: $(cat "$S/err")"
		stop
	else
		not_ok "intake serve --user nobody starts" "$(cat "$S/err")"
	fi

	# The site may sit below folders only root can search: it is opened,
	# and the sandbox's paths resolved, before the user changes.
	mkdir -m 0700 "$S/private"
	cp -a "$SITE" "$S/private/site"
	SITE_KEEP=$SITE
	SITE=$S/private/site
	if start --user nobody; then
		code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")
		[ "$code" = 200 ] && ok "a site below a folder nobody cannot search is still served ($code)" ||
			not_ok "a site below a folder nobody cannot search is still served" "$code $(cat "$S/err")"
		stop
	else
		not_ok "intake serve starts on a site below a folder nobody cannot search" "$(cat "$S/err")"
	fi
	SITE=$SITE_KEEP

	# A spool the user could not use is refused at start, not at each post.
	if start --user nobody --spool "$S/private/spool"; then
		not_ok "a spool below a folder nobody cannot search is refused at start"
		stop
	else
		grep -q "cannot use the spool" "$S/err" &&
			ok "a spool below a folder nobody cannot search is refused at start" ||
			not_ok "a spool below a folder nobody cannot search is refused at start" "$(cat "$S/err")"
	fi

	# Folders an earlier run as root left in bundled/ are given to the user,
	# or the service could not check references in them.
	mkdir -m 0700 "$S/spool/bundled/bundle-OLD"
	if start --user nobody; then
		code=$(submit "http://127.0.0.1:$PORT/submit/feedback" \
			--data-urlencode "feedback_type=comment" --data-urlencode "service_area=$svc" \
			--data-urlencode "message=Third one." | cut -d" " -f1)
		[ "$code" = 303 ] && [ "$(stat -c %U "$S/spool/bundled/bundle-OLD")" = nobody ] &&
			ok "a root-owned folder left in bundled/ is given to the user; posts still taken" ||
			not_ok "a root-owned folder left in bundled/ is given to the user; posts still taken" "status $code, $(ls -la "$S/spool/bundled")"
		stop
	else
		not_ok "intake serve starts with a root-owned folder in bundled/" "$(cat "$S/err")"
	fi
else
	start && ok "intake serve as an ordinary user starts without --user" ||
		not_ok "intake serve as an ordinary user starts without --user" "$(cat "$S/err")"
	grep -q "^NoNewPrivs:[[:space:]]*1" /proc/$PID/status && ok "no_new_privs is set" ||
		not_ok "no_new_privs is set"
	stop
fi

finish "sandbox e2e"
