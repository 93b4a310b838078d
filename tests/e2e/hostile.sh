#!/usr/bin/env bash
# intake serve under slow and hostile clients: starts the real bin/intake on
# a loopback port with a short idle timeout and runs each attack of
# tests/e2e/hostile_client.py (slowloris on the headers and on a body, huge
# headers, bodies longer and shorter than declared, 100,000 parts and
# fields, a GET and POST flood) while a normal client on 127.0.0.1 fetches
# a page and posts a valid form. For each attack: the normal client gets
# every answer right and within 5 s, the server's file descriptors and
# connections come back to the baseline within the idle timeout once the
# attacker stops or goes silent, nothing reaches the spool but the normal
# client's posts, and the memory does not keep growing.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

CLIENT=tests/e2e/hostile_client.py
FORM=complaint
TIMEOUT=3  # --timeout: the idle timeout, seconds
SLACK=4    # seconds past it allowed on a busy machine
RATE=60    # --rate: the normal client posts at most 40 a minute
REFUSED=40 # --rate-refused: the flood's 160 junk posts go well past it
SERVER=
stop_all() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$SCRATCH"; }
trap stop_all EXIT

intake_site
check "sitegen builds the site" test -s "$SITE/index.html"

intake_start "$SCRATCH/out" "$SCRATCH/err" --site "$SITE" --forms "$FORMS" \
	--spool "$SPOOL" "${INTAKE_USER_OPT[@]}" --timeout $TIMEOUT --rate $RATE --rate-refused $REFUSED
SERVER=$PID
if [ -z "$PORT" ]; then
	not_ok "server starts" "$(cat "$SCRATCH/err")"
	echo "# took ${SECONDS}s"
finish "hostile"
	exit 1
fi
ok "server starts on port $PORT"

BODY=$(FORMS=$FORMS python3 $LIB "$SITE" "$FORM" pairs)
c=$(submit "http://127.0.0.1:$PORT/submit/$FORM" -d "$BODY" | cut -d' ' -f1)
check "the normal client's post is valid (303)" test "$c" = 303
c=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")
check "the page is there (200)" test "$c" = 200
sleep 0.5
read -r BASE_FDS BASE_RSS < <(python3 $CLIENT --port "$PORT" --pid "$SERVER" fds)
echo "# baseline: $BASE_FDS fds, VmRSS $BASE_RSS kB"

# val KEY: the value the last attack printed for KEY.
val() { sed -n "s/^$1=//p" "$SCRATCH/res" | head -1; }
# le A B: A <= B, both integers.
le() { [ -n "$1" ] && [ -n "$2" ] && [ "$1" -le "$2" ] 2>/dev/null; }
# secs_le A B: A (seconds, may have a fraction) within 0 <= A <= B.
secs_le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a >= 0 && a <= b) }'; }

# attack NAME ARGS...: runs one attack; the common checks.
attack() {
	local name=$1
	shift
	echo "# --- $name (at ${SECONDS}s)"
	python3 $CLIENT --port "$PORT" --pid "$SERVER" --spool "$SPOOL" \
		--form "$FORM" --body "$BODY" --timeout $TIMEOUT \
		--base-fds "$BASE_FDS" "$@" "$name" >"$SCRATCH/res" 2>"$SCRATCH/res.err"
	local rc=$?
	if [ $rc -ne 0 ]; then
		not_ok "$name: the attack client ran (exit $rc)" "$(tail -5 "$SCRATCH/res.err")"
	fi
	echo "# $name: normal client p50 $(val normal_p50_ms) ms, p99 $(val normal_p99_ms) ms, max $(val normal_max_ms) ms over $(val normal_gets) GETs and $(val normal_posts) posts"
	echo "# $name: peak $(val peak_fds) fds and $(val peak_conns) connections; after: $(val fds_after) fds, $(val conns_after) connections (freed in $(val freed_s) s), VmRSS $(val rss_kb) kB"
	check "$name: the server is still running" test "$(val alive)" = 1
	if [ "$(val normal_bad)" = 0 ] && le 3 "$(val normal_gets)" && le 1 "$(val normal_posts)"; then
		ok "$name: the normal client got 200 and 303 every time"
	else
		not_ok "$name: the normal client got 200 and 303 every time" "$(val normal_bad) wrong, first: $(val normal_bad_first); $(val normal_gets) GETs, $(val normal_posts) posts"
	fi
	check "$name: every normal request answered within 5 s (max $(val normal_max_ms) ms)" le "$(val normal_max_ms)" 5000
	check "$name: fds back to the baseline $BASE_FDS (now $(val fds_after))" test "$(val fds_after)" = "$BASE_FDS"
	check "$name: connections back to 0 (now $(val conns_after))" test "$(val conns_after)" = 0
	check "$name: freed within the idle timeout (in $(val freed_s) s)" secs_le "$(val freed_s)" $((TIMEOUT + SLACK))
	check "$name: only the normal client's posts reached ready/ ($(val ready_delta) = $(val normal_303))" test "$(val ready_delta)" = "$(val normal_303)"
	check "$name: spool/tmp is empty afterwards" test "$(val tmp_after)" = 0
}

# --- 1. slowloris: 200 connections trickling headers, then silent ---
attack slowloris --trickle 6
check "slowloris: 200 connections opened and held by the server (peak $(val peak_conns))" le 200 "$(val peak_conns)"
check "slowloris: at most 32 of 40 from one address held ($(val extra_held))" bash -c "[ '$(val extra_conns)' = 40 ] && [ '$(val extra_held)' -le 32 ]"
check "slowloris: every connection closed by the server once silent (in $(val silent_close_s) s)" test "$(val silent_closed_by_server)" = 200
check "slowloris: closed within the idle timeout" secs_le "$(val silent_close_s)" $((TIMEOUT + SLACK))
# libmicrohttpd's idle timeout restarts with each byte; intake's own
# header deadline (--timeout from the connection's start) cuts them.
check "slowloris: all 200 cut by the header deadline while still trickling ($(val cut_while_trickling))" test "$(val cut_while_trickling)" = 200

# --- 1b. slowloris on a POST body ---
attack slowbody --trickle $((TIMEOUT + 6))
check "slowbody: 200 connections opened and held by the server (peak $(val peak_conns))" le 200 "$(val peak_conns)"
check "slowbody: every trickled body cut while still trickling ($(val cut_while_trickling))" test "$(val cut_while_trickling)" = 200
check "slowbody: cut soon after the idle timeout (last after $(val cut_max_s) s)" secs_le "$(val cut_max_s)" $((TIMEOUT + SLACK))

# --- 2. huge headers ---
attack headers
echo "# headers: 1 MiB line answered $(val big_statuses), 10,000 lines answered $(val many_statuses)"
check "headers: 1 MiB header line refused (4xx or closed) every time ($(val big_refused)/$(val big_sent))" bash -c "[ '$(val big_sent)' -ge 8 ] && [ '$(val big_refused)' = '$(val big_sent)' ]"
check "headers: 10,000 header lines refused every time ($(val many_refused)/$(val many_sent))" bash -c "[ '$(val many_sent)' -ge 8 ] && [ '$(val many_refused)' = '$(val many_sent)' ]"
check "headers: answered quickly (slowest $(val big_max_s) s, $(val many_max_s) s)" bash -c "awk 'BEGIN { exit !($(val big_max_s) <= $TIMEOUT && $(val many_max_s) <= $TIMEOUT) }'"

# --- 3. bodies longer and shorter than declared ---
attack lengths
echo "# lengths: longer answered $(val longer_ue_statuses) (urlencoded), $(val longer_mp_statuses) (multipart); shorter closed after $(val shorter_ue_max_s) s, $(val shorter_mp_max_s) s"
for k in longer_ue longer_mp; do
	check "lengths: $k answered 4xx ($(val ${k}_statuses)), then closed" bash -c "[ '$(val ${k}_n)' = 4 ] && [ '$(val ${k}_closed)' = 4 ] && echo '$(val ${k}_statuses)' | grep -Eq '^4[0-9][0-9](,4[0-9][0-9])*$'"
	check "lengths: $k does not hang (closed after $(val ${k}_max_s) s)" secs_le "$(val ${k}_max_s)" $((TIMEOUT + SLACK))
done
for k in shorter_ue shorter_mp; do
	check "lengths: $k closed by the server (after $(val ${k}_max_s) s)" bash -c "[ '$(val ${k}_n)' = 4 ] && [ '$(val ${k}_closed)' = 4 ]"
	check "lengths: $k closed within the idle timeout" secs_le "$(val ${k}_max_s)" $((TIMEOUT + SLACK))
	check "lengths: $k got no success ($(val ${k}_statuses))" bash -c "! echo '$(val ${k}_statuses)' | grep -Eq '(^|,)[23][0-9][0-9]'"
done
check "lengths: the half-sent file reached spool/tmp meanwhile ($(val tmp_during))" le 1 "$(val tmp_during)"

# --- 4. 100,000 parts and 100,000 fields ---
attack parts --rounds 3
echo "# parts: $(val mp_bytes) bytes of multipart, $(val ue_bytes) of urlencoded, answered $(val statuses), slowest $(val max_ms) ms; VmRSS after each round $(val rss_rounds_kb) kB"
echo "# parts: 8 bodies of long values held ($(val held_bytes) bytes): VmRSS grew $(val held_rss_growth_kb) kB"
check "parts: every one refused with 400/413/422 ($(val statuses))" bash -c "[ '$(val sent)' = 6 ] && [ '$(val refused)' = 6 ]"
check "parts: answered in bounded time (slowest $(val max_ms) ms)" le "$(val max_ms)" 10000
check "parts: memory does not grow round after round (+$(val rss_growth_kb) kB)" le "$(val rss_growth_kb)" 4096
check "parts: long values held cost bounded memory (+$(val held_rss_growth_kb) kB for $(val held_bytes) bytes)" le "$(val held_rss_growth_kb)" 40960

# --- 5. flood ---
attack flood
echo "# flood: 2000 GETs and 160 posts in $(val flood_s) s: $(val get_200) GETs 200, posts $(val post_422) 422 and $(val post_429) 429"
check "flood: all 2000 GETs answered 200 ($(val get_200), $(val get_errors) errors)" test "$(val get_200)" = 2000
check "flood: posts over the rate limit answered 429 ($(val post_429))" bash -c "[ '$(val post_429)' -ge $((160 - 2 * REFUSED)) ] && [ \$(( $(val post_429) + $(val post_422) )) = 160 ]"
check "flood: every 429 says Retry-After ($(val post_retry_after))" test "$(val post_retry_after)" = "$(val post_429)"

# --- afterwards ---
read -r fds rss < <(python3 $CLIENT --port "$PORT" --pid "$SERVER" fds)
echo "# after every attack: $fds fds (baseline $BASE_FDS), VmRSS $rss kB (baseline $BASE_RSS kB)"
check "fds at the baseline after every attack ($fds)" test "$fds" = "$BASE_FDS"
check "memory within 32 MiB of the baseline after every attack (+$((rss - BASE_RSS)) kB)" le "$((rss - BASE_RSS))" 32768
c=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")
check "the server still answers (200)" test "$c" = 200
kill -TERM "$SERVER"
wait "$SERVER"
rc=$?
SERVER=
check "SIGTERM stops the server with status 0 ($rc)" test $rc -eq 0

echo "# took ${SECONDS}s"
finish "hostile"
