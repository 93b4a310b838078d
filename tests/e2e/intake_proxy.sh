#!/usr/bin/env bash
# intake serve behind a reverse proxy: with --proxy, posts through the proxy
# are counted per resident (the last X-Forwarded-For address), so one
# resident's flood does not use up everyone's rate, and only the proxy may
# connect; without it X-Forwarded-For is ignored and cannot be used to
# dodge the limit.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

S=$SCRATCH

"$SG" build --out "$S/site" --quiet >/dev/null 2>&1
# Only accepted submissions count against the rate, so each post is valid.
BODY=$(python3 tests/e2e/intake_lib.py "$S/site" feedback pairs)

start() { # extra options...
	intake_start "$S/out" "$S/err" --site "$S/site" --forms content/forms \
		--spool "$S/spool" --quiet --rate 2 "${INTAKE_USER_OPT[@]}" "$@"
}
stop() { intake_stop; }

post2() { # client's forged X-Forwarded-For line, then the proxy's own line
	submit "http://127.0.0.1:$PORT/submit/feedback" -H "X-Forwarded-For: $1" \
		-H "X-Forwarded-For: $2" --data "$BODY" | cut -d' ' -f1
}

post() { # X-Forwarded-For value -> status (a valid form: 303 when allowed)
	submit "http://127.0.0.1:$PORT/submit/feedback" -H "X-Forwarded-For: $1" \
		--data "$BODY" | cut -d' ' -f1
}

# --- with --proxy 127.0.0.1: each resident has their own count
if start --proxy 127.0.0.1; then
	a1=$(post 203.0.113.5)
	a2=$(post "198.51.100.9, 203.0.113.5")
	a3=$(post 203.0.113.5)
	[ "$a1 $a2 $a3" = "303 303 429" ] &&
		ok "--proxy: one resident's third post in a minute is 429 ($a1 $a2 $a3)" ||
		not_ok "--proxy: one resident's third post in a minute is 429" "got $a1 $a2 $a3"
	b1=$(post 203.0.113.6)
	[ "$b1" = 303 ] && ok "--proxy: another resident is still let through ($b1)" ||
		not_ok "--proxy: another resident is still let through" "got $b1"
	c1=$(post 2001:db8::7)
	[ "$c1" = 303 ] && ok "--proxy: an IPv6 resident is counted on its own ($c1)" ||
		not_ok "--proxy: an IPv6 resident is counted on its own" "got $c1"
	# A missing or forged header counts against the proxy's own address.
	n1=$(post "not-an-address")
	n2=$(post "")
	n3=$(post "junk")
	[ "$n1 $n2 $n3" = "303 303 429" ] &&
		ok "--proxy: posts without a readable address share one count ($n1 $n2 $n3)" ||
		not_ok "--proxy: posts without a readable address share one count" "got $n1 $n2 $n3"
	stop
else
	not_ok "intake serve --proxy starts" "$(cat "$S/err")"
fi

# --- without --proxy, X-Forwarded-For changes nothing
if start; then
	d1=$(post 203.0.113.10)
	d2=$(post 203.0.113.11)
	d3=$(post 203.0.113.12)
	[ "$d1 $d2 $d3" = "303 303 429" ] &&
		ok "without --proxy, X-Forwarded-For cannot dodge the rate ($d1 $d2 $d3)" ||
		not_ok "without --proxy, X-Forwarded-For cannot dodge the rate" "got $d1 $d2 $d3"
	stop
fi

# --- a proxy that adds its own header line after the client's
if start --proxy 127.0.0.1; then
	f1=$(post2 198.51.100.1 203.0.113.30)
	f2=$(post2 198.51.100.2 203.0.113.30)
	f3=$(post2 198.51.100.3 203.0.113.30)
	[ "$f1 $f2 $f3" = "303 303 429" ] &&
		ok "--proxy: the last X-Forwarded-For line counts, not one the client forged ($f1 $f2 $f3)" ||
		not_ok "--proxy: the last X-Forwarded-For line counts, not one the client forged" "got $f1 $f2 $f3"
	stop
fi

# --- with --proxy, only the proxy may connect
if start --proxy 127.0.0.2; then
	g1=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")
	g2=$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 "http://127.0.0.1:$PORT/")
	[ "$g1" = 000 ] && [ "$g2" = 200 ] &&
		ok "--proxy 127.0.0.2: a client at 127.0.0.1 is refused, the proxy served ($g1, $g2)" ||
		not_ok "--proxy 127.0.0.2: a client at 127.0.0.1 is refused, the proxy served" "got $g1, $g2"
	stop
fi

"$IN" serve --proxy 300.1.2.3 --site "$S/site" --spool "$S/spool" "${INTAKE_USER_OPT[@]}" >/dev/null 2>"$S/err"
[ $? = 2 ] && grep -q "not an IP address" "$S/err" && ok "a --proxy that is not an address is refused (exit 2)" ||
	not_ok "a --proxy that is not an address is refused" "$(cat "$S/err")"

finish "intake proxy"
