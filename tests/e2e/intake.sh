#!/usr/bin/env bash
# intake serve end to end: builds the site with the real sitegen, starts the
# real bin/intake on a loopback port and drives it with curl: static files
# and their headers, refused paths, every form's valid post into the spool,
# invalid posts re-rendered, files sniffed and hashed, every limit, the
# honeypot and the rate limit. Every refused post must leave spool/tmp empty.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

PIDS=()
# SIGTERM, not SIGKILL, and wait: a server stopped cleanly runs its exit
# checks (the sanitizer build's leak check) before the script ends.
stop_all() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$SCRATCH"
}
trap stop_all EXIT

# The site, with minimal shells for forms sitegen wrote none for (the form
# schemas come from the definitions when the site has none).
intake_site
check "sitegen builds the site" test -s "$SITE/index.html"
ln -s /etc "$SITE/outside"
ln -s /etc/passwd "$SITE/passwd.txt"

# start_server LOG ARGS...: starts intake on a free loopback port; sets URL.
start_server() {
	local log=$1 rc
	shift
	intake_start "$log.out" "$log.err" --site "$SITE" --forms "$FORMS" \
		"${INTAKE_USER_OPT[@]}" "$@"
	rc=$?
	PIDS+=($PID)
	URL=${PORT:+http://127.0.0.1:$PORT}
	return $rc
}

if start_server "$SCRATCH/main" --spool "$SPOOL" --rate 100000; then
	ok "server starts and prints where it listens"
else
	not_ok "server starts" "$(cat "$SCRATCH/main.err")"
	finish "intake e2e"
	exit 1
fi
check "start line names the forms and the spool" grep -q "(forms: .*; spool: $SPOOL)" "$SCRATCH/main.out"
check "spool folders are 0700" test "$(stat -c %a "$SPOOL" "$SPOOL/tmp" "$SPOOL/ready" "$SPOOL/bundled" | sort -u)" = 700

code() { curl -s -o /dev/null -w '%{http_code}' --path-as-is "$@"; }
tmp_empty() { [ -z "$(ls -A "$SPOOL/tmp")" ]; }

# --- static files ---
curl -s -D "$SCRATCH/h" -o "$SCRATCH/b" "$URL/"
check "GET / is 200" grep -q '^HTTP/1.1 200' "$SCRATCH/h"
check "GET / serves index.html" cmp -s "$SCRATCH/b" "$SITE/index.html"
check "HTML is text/html" grep -qi '^Content-Type: text/html; charset=utf-8' "$SCRATCH/h"
check "HTML is no-cache" grep -qi '^Cache-Control: no-cache' "$SCRATCH/h"
check "CSP header" grep -qi "^Content-Security-Policy: default-src 'self'; script-src 'self'.*frame-ancestors 'none'" "$SCRATCH/h"
check "nosniff header" grep -qi '^X-Content-Type-Options: nosniff' "$SCRATCH/h"
check "Referrer-Policy header" grep -qi '^Referrer-Policy: no-referrer' "$SCRATCH/h"
check "X-Frame-Options header" grep -qi '^X-Frame-Options: DENY' "$SCRATCH/h"
css=$(ls "$SITE/assets" | grep -E '^site\.[0-9a-f]{8}\.css$' | head -1)
curl -s -D "$SCRATCH/h" -o "$SCRATCH/b" "$URL/assets/$css"
check "hashed CSS is 200 text/css" grep -qi '^Content-Type: text/css' "$SCRATCH/h"
check "hashed CSS is immutable" grep -qi '^Cache-Control: public, max-age=31536000, immutable' "$SCRATCH/h"
check "hashed CSS has the CSP too" grep -qi '^Content-Security-Policy:' "$SCRATCH/h"
check "hashed CSS body" cmp -s "$SCRATCH/b" "$SITE/assets/$css"
etag=$(sed -n 's/^ETag: *\(.*\)\r$/\1/Ip' "$SCRATCH/h")
check "ETag answered with 304" test "$(code -H "If-None-Match: $etag" "$URL/assets/$css")" = 304
curl -s -I -o "$SCRATCH/h" "$URL/assets/$css"
check "HEAD gives the length, no body" grep -qi "^Content-Length: $(stat -c %s "$SITE/assets/$css")" "$SCRATCH/h"
page=$(cd "$SITE" && ls -d */ | grep -v assets | head -1)
page=${page%/}
check "folder without slash redirects" test "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$URL/$page")" = "301 $URL/$page/"
check "folder with slash serves index.html" test "$(code "$URL/$page/")" = 200
curl -s -o "$SCRATCH/b" -w '%{http_code}' "$URL/no-such-page" >"$SCRATCH/c"
check "missing page is 404" test "$(cat "$SCRATCH/c")" = 404
check "404 serves the site's 404.html" cmp -s "$SCRATCH/b" "$SITE/404.html"

# --- refused paths ---
for p in /../etc/passwd /%2e%2e/%2e%2e/etc/passwd /assets/..%2f..%2fetc/passwd \
	/.threecs/forms/complaint.html /%2ethreecs/received/complaint.html /%00 \
	/index.html%00.txt /outside/passwd /passwd.txt '/assets\..\index.html' /%zz; do
	c=$(code "$URL$p")
	if [ "$c" = 404 ]; then ok "refused $p"; else not_ok "refused $p (got $c)"; fi
done
curl -s --path-as-is "$URL/outside/passwd" | grep -q root: && not_ok "symlink out of the root is not followed" || ok "symlink out of the root is not followed"
c=$(curl -s -o /dev/null -D "$SCRATCH/h" -w '%{http_code}' -X DELETE "$URL/")
check "DELETE is 405" test "$c" = 405
check "405 says Allow" grep -qi '^Allow: GET, HEAD, POST' "$SCRATCH/h"
check "POST to a page is 405" test "$(code -d a=b "$URL/")" = 405

# --- valid posts, one per form ---
for id in $FORM_IDS; do
	body=$(python3 $LIB "$SITE" "$id" pairs)
	out=$(submit "$URL/submit/$id" -d "$body")
	ref=$(printf '%s' "$out" | sed -n 's|.*received?ref=\([0-9A-Z-]*\)&k=[0-9a-f]*$|\1|p')
	if [ "${out%% *}" = 303 ] && [ -n "$ref" ]; then ok "$id: valid post is 303 with a reference"; else not_ok "$id: valid post is 303 (got $out)"; continue; fi
	j=$SPOOL/ready/$ref/submission.json
	check "$id: ready/$ref/submission.json exists" test -f "$j"
	check "$id: submission.json is 0600" test "$(stat -c %a "$j")" = 600
	check "$id: submission folder is 0700" test "$(stat -c %a "$SPOOL/ready/$ref")" = 700
	check "$id: submission.json has the right fields" python3 - "$j" "$ref" "$id" "$body" <<'PY'
import json, re, sys, urllib.parse
j = json.load(open(sys.argv[1]))
ref, form, body = sys.argv[2:5]
assert list(j) == ["format", "id", "form", "form_hash", "received", "channel", "fields", "attachments"], list(j)
assert j["format"] == "threecs-submission/1"
assert j["id"] == ref and j["form"] == form and j["channel"] == "web"
assert re.fullmatch(r"[0-9a-f]{64}", j["form_hash"])
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", j["received"])
assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}", j["id"])
assert j["attachments"] == []
for k, v in urllib.parse.parse_qsl(body):
    if re.search(r"-(day|month|year)$", k):
        continue
    got = j["fields"][k]
    assert got == v or got == [v], (k, got, v)
PY
	c=$(curl -s -o "$SCRATCH/b" -w '%{http_code}' "${out#* }")
	check "$id: received page is 200" test "$c" = 200
	k=${out##*&k=}
	# The receipt with its last digit changed.
	case $k in *0) forged=${k%?}1 ;; *) forged=${k%?}0 ;; esac
	check "$id: received page without its receipt is 404" test "$(code "$URL/submit/$id/received?ref=$ref")" = 404
	check "$id: received page with a forged receipt is 404" test "$(code "$URL/submit/$id/received?ref=$ref&k=$forged")" = 404
	check "$id: another reference with this receipt is 404" test "$(code "$URL/submit/$id/received?ref=AAAAA-BBBBB&k=$k")" = 404
	check "$id: the heading is not repeated as the lead" bash -c "! grep -q 'class=\"lead\"' '$SCRATCH/b'"
	copy=$(grep -o 'href="/submit/[a-z0-9_-]*/copy?[^"]*"' "$SCRATCH/b" | sed 's/^href="//; s/"$//; s/&amp;/\&/g')
	check "$id: the received page links to a copy of what was sent" test "$copy" = "/submit/$id/copy?ref=$ref&k=$k"
	c=$(curl -s -D "$SCRATCH/ch" -o "$SCRATCH/cb" -w '%{http_code}' "$URL$copy")
	check "$id: the copy is 200, never cached" bash -c "[ $c = 200 ] && grep -qi '^Cache-Control: no-store' '$SCRATCH/ch'"
	check "$id: the copy has the reference and the time received" bash -c "grep -q '<strong>$ref</strong>' '$SCRATCH/cb' && grep -Eq '>[0-9]{1,2} [A-Z][a-z]+ 20[0-9]{2} at [0-9]{2}:[0-9]{2}<' '$SCRATCH/cb'"
	check "$id: the copy shows each answer with its question" python3 - "$SCRATCH/cb" "$j" "$FORMS/$id.yml" <<'PY'
import html, json, re, sys, yaml
page = open(sys.argv[1]).read()
sub = json.load(open(sys.argv[2]))
form = yaml.safe_load(open(sys.argv[3]))
labels, options, consent, dates = {}, {}, set(), set()
def walk(fields):
    for f in fields:
        labels[f["name"]] = f["label"]
        if f.get("type") == "consent":
            consent.add(f["name"])
        if f.get("type") == "date":
            dates.add(f["name"])
        opts = f.get("options", []) or []
        if f.get("options_from"):
            opts = yaml.safe_load(open("%s/_%s.yml" % (sys.argv[3].rsplit("/", 1)[0], f["options_from"])))
        for o in opts:
            options[(f["name"], str(o["value"]))] = o["label"]
            walk(o.get("fields", []) or [])
for s in form["sections"]:
    walk(s["fields"])
rows = re.findall(r'<dt class="summary-list__key">(.*?)</dt>\s*<dd class="summary-list__value">(.*?)</dd>', page, re.S)
got = {html.unescape(k): html.unescape(re.sub(r"<[^>]+>", " ", v)).split() for k, v in rows}
for name, v in sub["fields"].items():
    vals = v if isinstance(v, list) else [v]
    for x in vals:
        if x == "":
            continue
        want = "Yes" if name in consent else options.get((name, x), x)
        if name in dates:  # shown in words: "1 March 2024"
            import datetime
            d = datetime.date.fromisoformat(x)
            want = "%d %s %d" % (d.day, d.strftime("%B"), d.year)
        assert labels[name] in got, (name, labels[name], list(got))
        assert " ".join(want.split()) in " ".join(got[labels[name]]), (name, want, got[labels[name]])
PY
	check "$id: the copy without its receipt is 404" test "$(code "$URL/submit/$id/copy?ref=$ref")" = 404
	check "$id: the copy with a forged receipt is 404" test "$(code "$URL/submit/$id/copy?ref=$ref&k=$forged")" = 404
	check "$id: received page shows the reference" grep -q "$ref" "$SCRATCH/b"
	check "$id: received page has no marker left" bash -c "! grep -q @@REFERENCE@@ '$SCRATCH/b'"
done
check "spool/tmp is empty after valid posts" tmp_empty
# The copy is shown for an hour after the form was received.
python3 - "$j" <<'PY'
import json, sys, time
p = sys.argv[1]
d = json.load(open(p))
d["received"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3700))
json.dump(d, open(p, "w"))
PY
check "the copy is 404 more than an hour after the form was received" test "$(code "$URL$copy")" = 404

first=$(echo $FORM_IDS | cut -d' ' -f1)
check "bad reference is 404" test "$(code "$URL/submit/$first/received?ref=%3Cb%3E")" = 404
check "GET of a form's address redirects" test "$(code "$URL/submit/$first")" = 303
check "unknown form is 404" test "$(code -d a=b "$URL/submit/no-such-form")" = 404
check "JSON post is 415" test "$(code -H 'Content-Type: application/json' --data-binary '{}' "$URL/submit/$first")" = 415

# --- an invalid post comes back with the form and the errors ---
tf=$(python3 $LIB "$SITE" "$first" first-text)
c=$(curl -s -o "$SCRATCH/b" -w '%{http_code}' --data-urlencode "$tf=<b>Alex & \"Sam\"</b>" "$URL/submit/$first")
check "invalid post is 422" test "$c" = 422
check "422 title starts with Error:" grep -q '<title>Error: ' "$SCRATCH/b"
check "422 page has the error summary" grep -qi 'error-summary' "$SCRATCH/b"
check "422 page keeps the value, escaped" grep -q '&lt;b&gt;Alex &amp; &quot;Sam&quot;&lt;/b&gt;' "$SCRATCH/b"
check "422 page has no raw markup from the value" bash -c "! grep -q '<b>Alex' '$SCRATCH/b'"
check "422 page has no marker left" bash -c "! grep -q 'threecs:form' '$SCRATCH/b'"
check "spool/tmp is empty after an invalid post" tmp_empty

# --- files ---
ff=""
for id in $FORM_IDS; do
	ff=$(python3 $LIB "$SITE" "$id" file-field)
	[ -n "$ff" ] && fid=$id && break
done
if [ -n "$ff" ]; then
	mapfile -t args < <(python3 $LIB "$SITE" "$fid" curl-args)
	printf '%%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%%%EOF\n' >"$SCRATCH/letter.pdf"
	out=$(submit "$URL/submit/$fid" "${args[@]}" -F "$ff=@$SCRATCH/letter.pdf;filename=../../my letter.pdf" -F "$ff=@/dev/null;filename=")
	ref=$(printf '%s' "$out" | sed -n 's|.*received?ref=\([0-9A-Z-]*\)&k=[0-9a-f]*$|\1|p')
	check "multipart with a PDF is 303" test "${out%% *}" = 303
	sum=$(sha256sum "$SCRATCH/letter.pdf" | cut -d' ' -f1)
	check "attachment recorded with its sha256, type, name" python3 - "$SPOOL/ready/$ref" "$sum" "$ff" <<'PY'
import hashlib, json, os, sys
d, s, field = sys.argv[1:4]
j = json.load(open(os.path.join(d, "submission.json")))
a = j["attachments"]
assert len(a) == 1, a
a = a[0]
assert a["sha256"] == s and a["type"] == "application/pdf" and a["field"] == field, a
assert a["name"] == "my letter.pdf" and a["path"] == "files/1", a
data = open(os.path.join(d, a["path"]), "rb").read()
assert hashlib.sha256(data).hexdigest() == s and a["size"] == len(data)
assert oct(os.stat(os.path.join(d, "files/1")).st_mode & 0o777) == "0o600"
PY
	head -c 4096 /dev/urandom >"$SCRATCH/fake.pdf"
	printf '\177ELF\002\001\001' | cat - "$SCRATCH/fake.pdf" >"$SCRATCH/prog.pdf"
	for f in fake.pdf prog.pdf; do
		c=$(curl -s -o "$SCRATCH/b" -w '%{http_code}' "${args[@]}" -F "$ff=@$SCRATCH/$f" "$URL/submit/$fid")
		check "$f (not a PDF inside) is 422" test "$c" = 422
		check "$f: the page asks for files again" grep -qi 'again' "$SCRATCH/b"
	done
	check "spool/tmp is empty after wrong types" tmp_empty
	# A file attached to a form refused for another answer is kept for
	# the resident's next try, and reaches the submission.
	c=$(curl -s -o "$SCRATCH/b" -w '%{http_code}' -F "$ff=@$SCRATCH/letter.pdf;filename=kept.pdf" "$URL/submit/$fid")
	tok=$(sed -n 's/.*name="_held" value="\([^"]*\)".*/\1/p' "$SCRATCH/b")
	check "a refused post with a good file is 422, with a token for the file ($c)" bash -c "[ $c = 422 ] && [ -n '$tok' ]"
	check "the page lists the file kept and does not ask for it again" bash -c "grep -q '<li>kept.pdf</li>' '$SCRATCH/b' && ! grep -q 'Choose your files again' '$SCRATCH/b'"
	check "the file waits in tmp/ alone" test "$(ls "$SPOOL/tmp" | wc -l)" = 1
	case $tok in *0) ftok=${tok%?}1 ;; *) ftok=${tok%?}0 ;; esac
	out=$(submit "$URL/submit/$fid" "${args[@]}" --form-string "_held=$ftok")
	ref=$(printf '%s' "$out" | sed -n 's|.*received?ref=\([0-9A-Z-]*\)&k=[0-9a-f]*$|\1|p')
	check "a forged token takes no file" bash -c "[ -n '$ref' ] && grep -q '\"attachments\":\[\]' '$SPOOL/ready/$ref/submission.json'"
	out=$(submit "$URL/submit/$fid" "${args[@]}" --form-string "_held=$tok")
	ref=$(printf '%s' "$out" | sed -n 's|.*received?ref=\([0-9A-Z-]*\)&k=[0-9a-f]*$|\1|p')
	check "the corrected post with the token is 303" test -n "$ref"
	check "and its submission holds the kept file, byte for byte" python3 - "$SPOOL/ready/$ref" "$sum" <<'PY'
import hashlib, json, os, sys
d, s = sys.argv[1:3]
a = json.load(open(os.path.join(d, "submission.json")))["attachments"]
assert len(a) == 1 and a[0]["name"] == "kept.pdf" and a[0]["sha256"] == s, a
assert a[0]["path"] == "files/1" and hashlib.sha256(open(os.path.join(d, "files/1"), "rb").read()).hexdigest() == s
assert sorted(os.listdir(d)) == ["files", "submission.json"] and os.listdir(os.path.join(d, "files")) == ["1"]
PY
	check "spool/tmp is empty once the kept file is sent" tmp_empty
	tok2=$(curl -s -F "$ff=@$SCRATCH/letter.pdf;filename=old.pdf" "$URL/submit/$fid" | sed -n 's/.*name="_held" value="\([^"]*\)".*/\1/p')
	printf '%%PDF-1.4\n%% another\n%%%%EOF\n' >"$SCRATCH/new.pdf"
	out=$(submit "$URL/submit/$fid" "${args[@]}" --form-string "_held=$tok2" -F "$ff=@$SCRATCH/new.pdf;filename=new.pdf")
	ref=$(printf '%s' "$out" | sed -n 's|.*received?ref=\([0-9A-Z-]*\)&k=[0-9a-f]*$|\1|p')
	tok3=$(curl -s -F "$ff=@$SCRATCH/letter.pdf;filename=late.pdf" "$URL/submit/$fid" | sed -n 's/.*name="_held" value="\([^"]*\)".*/\1/p')
	python3 -c "import json,sys; p='$SPOOL/tmp/${tok3%%.*}/held.json'; d=json.load(open(p)); d['expires']=1; json.dump(d,open(p,'w'))"
	out=$(submit "$URL/submit/$fid" "${args[@]}" --form-string "_held=$tok3")
	ref3=$(printf '%s' "$out" | sed -n 's|.*received?ref=\([0-9A-Z-]*\)&k=[0-9a-f]*$|\1|p')
	check "a kept file past its time is not taken, and is gone" bash -c "grep -q '\"attachments\":\[\]' '$SPOOL/ready/$ref3/submission.json' && [ -z \"\$(ls -A '$SPOOL/tmp')\" ]"
	check "a new file for the field replaces the kept one" python3 -c "import json; a=json.load(open('$SPOOL/ready/$ref/submission.json'))['attachments']; assert [x['name'] for x in a] == ['new.pdf'], a"
	files=()
	for i in 1 2 3 4 5 6; do files+=(-F "$ff=@$SCRATCH/letter.pdf"); done
	check "six files is 413" test "$(code "${args[@]}" "${files[@]}" "$URL/submit/$fid")" = 413
	{ printf '%%PDF-1.4\n'; head -c 11000000 /dev/zero; } >"$SCRATCH/big.pdf"
	c=$(curl -s -o "$SCRATCH/b" -w '%{http_code}' "${args[@]}" -F "$ff=@$SCRATCH/big.pdf" "$URL/submit/$fid")
	check "an 11 MB file gets the form back (422), not a bare 413 ($c)" test "$c" = 422
	msg=$(python3 -c "import yaml,sys; f=yaml.safe_load(open('$FORMS/$fid.yml')); print([x for s in f['sections'] for x in s['fields'] if x['name']=='$ff'][0]['errors']['too_big'])")
	check "with the form's own message for the file ($msg)" grep -qF "$msg" "$SCRATCH/b"
	check "and the other answers kept" grep -q 'value="Alex Example"' "$SCRATCH/b"
	check "a 30 MB file is the form's message too" test "$( { printf '%%PDF-1.4\n'; head -c 30000000 /dev/zero; } >"$SCRATCH/big.pdf"; code "${args[@]}" -F "$ff=@$SCRATCH/big.pdf" "$URL/submit/$fid")" = 422
	rm -f "$SCRATCH/big.pdf"
	check "spool/tmp is empty after file limits" tmp_empty
else
	not_ok "a form with a PDF file field exists"
fi

# --- limits and malformed bodies ---
head -c 56000000 /dev/zero >"$SCRATCH/huge"
c=$(curl -s -o "$SCRATCH/b" -w '%{http_code}' -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @"$SCRATCH/huge" "$URL/submit/$first")
check "a 56 MB body is 413" test "$c" = 413
check "413 page is a whole HTML page" grep -q '<html lang="en-GB">' "$SCRATCH/b"
check "413 page is the theme's, with the site's header and footer" bash -c "grep -q 'class=\"header' '$SCRATCH/b' && grep -q '<footer' '$SCRATCH/b'"
check "413 page gives the limit in MB" grep -q '(52 MB in all)' "$SCRATCH/b"
check "413 page has a way back" grep -q '<a href="/">Go to the home page</a>' "$SCRATCH/b"
python3 -c "import sys; sys.stdout.write('$tf=' + 'a' * (10 * 1024 * 1024))" >"$SCRATCH/field"
check "a 10 MB field is 413" test "$(code -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @"$SCRATCH/field" "$URL/submit/$first")" = 413
c=$(curl -s -o "$SCRATCH/b" -w '%{http_code}' -d "$(python3 $LIB "$SITE" "$first" pairs | sed "s/^\(.*\)$/\1\&$tf=Al%FFex/")" "$URL/submit/$first")
check "invalid UTF-8 in a field is 422" test "$c" = 422
check "invalid UTF-8 page is valid UTF-8" python3 -c "open('$SCRATCH/b', encoding='utf-8').read()"
check "multipart without a boundary is 400" test "$(code -H 'Content-Type: multipart/form-data' --data-binary 'x' "$URL/submit/$first")" = 400
check "multipart garbage is 400" test "$(code -H 'Content-Type: multipart/form-data; boundary=XYZ' --data-binary 'garbage, no parts' "$URL/submit/$first")" = 400
check "truncated multipart is 400" test "$(code -H 'Content-Type: multipart/form-data; boundary=XYZ' --data-binary $'--XYZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nhalf' "$URL/submit/$first")" = 400
check "spool/tmp is empty after refused bodies" tmp_empty

# --- honeypot ---
hp=$(python3 $LIB "$SITE" "$first" honeypot)
before=$(ls "$SPOOL/ready" | wc -l)
out=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -d "$(python3 $LIB "$SITE" "$first" pairs)&$hp=http://spam.example" "$URL/submit/$first")
check "honeypot filled is 303 with a reference" bash -c "echo '$out' | grep -Eq '^303 .*received\?ref=[0-9A-Z]{5}-[0-9A-Z]{5}&k=[0-9a-f]{32}$'"
check "and its confirmation page opens as a real one does" test "$(code "${out#* }")" = 200
check "honeypot post stores nothing" test "$(ls "$SPOOL/ready" | wc -l)" = "$before"
check "honeypot logged without data" bash -c "grep -q '^intake: honeypot$' '$SCRATCH/main.err' && ! grep -q spam '$SCRATCH/main.err'"
check "spool/tmp is empty after the honeypot" tmp_empty

# --- the access log keeps no personal data ---
check "log has one line per request" grep -q '^GET /assets/.* 200 [0-9]* [0-9]*ms$' "$SCRATCH/main.err"
check "log has no addresses, values or query strings" bash -c "! grep -Eq '127\.0\.0\.1|alex@example|ref=|Alex' '$SCRATCH/main.err'"

# --- rate limit, on a second server ---
if start_server "$SCRATCH/rate" --spool "$SCRATCH/spool2" --rate 3 --quiet; then
	body=$(python3 $LIB "$SITE" "$first" pairs)
	codes=""
	for i in 1 2 3 4; do codes="$codes $(submit "$URL/submit/$first" -d "$body" | cut -d' ' -f1)"; done
	check "rate limit: fourth post in a minute is 429 ($codes)" test "$codes" = " 303 303 303 429"
	curl -s -D "$SCRATCH/h" -o "$SCRATCH/b" -d "$body" "$URL/submit/$first"
	check "429 says Retry-After" grep -qi '^Retry-After: [0-9]' "$SCRATCH/h"
	check "429 page is a whole HTML page" grep -q '<html lang="en-GB">' "$SCRATCH/b"
	check "429 page is the theme's, with the site's header" grep -q 'class="header' "$SCRATCH/b"
	check "429 page says how long to wait, as Retry-After does" bash -c "s=\$(grep -i '^Retry-After:' '$SCRATCH/h' | tr -dc 0-9); grep -q \"Wait \$s seconds\" '$SCRATCH/b'"
	check "--quiet logs nothing per request" bash -c "! grep -q '^POST' '$SCRATCH/rate.err'"
else
	not_ok "second server starts" "$(cat "$SCRATCH/rate.err")"
fi
# Refused posts do not use the rate up: a resident may correct mistakes.
if start_server "$SCRATCH/rate2" --spool "$SCRATCH/spool3" --rate 3 --quiet; then
	body=$(python3 $LIB "$SITE" "$first" pairs)
	codes=""
	for i in 1 2 3 4 5 6 7 8 9 10; do codes="$codes $(code -d "$tf=" "$URL/submit/$first")"; done
	check "ten refused posts are each 422 ($codes)" test "$codes" = "$(printf ' 422%.0s' 1 2 3 4 5 6 7 8 9 10)"
	check "then an accepted one is 303" test "$(submit "$URL/submit/$first" -d "$body" | cut -d' ' -f1)" = 303
	check "and stored" test "$(ls "$SCRATCH/spool3/ready" | wc -l)" = 1
	intake_stop
else
	not_ok "third server starts" "$(cat "$SCRATCH/rate2.err")"
fi
# Posts in flight at once are held against the rate: with --rate 2, two
# posts still sending their bodies leave no room for a third; once they
# are answered, there is room again.
if start_server "$SCRATCH/rate3" --spool "$SCRATCH/spool4" --rate 2 --quiet; then
	body=$(python3 $LIB "$SITE" "$first" pairs)
	check "two posts in flight hold the rate: a third is 429, then room again" python3 - "$PORT" "/submit/$first" "$body" <<'PY'
import socket, sys, time, http.client
port, path, body = int(sys.argv[1]), sys.argv[2], sys.argv[3].encode()
def start():
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n" % (path.encode(), len(body)) + body[:10])
    return s
def post():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})
    r = c.getresponse(); r.read(); c.close()
    return r.status
held = [start(), start()]
time.sleep(0.3)
third = post()
assert third == 429, third
for s in held:
    s.sendall(body[10:])
    s.settimeout(10)
    got = s.recv(100)
    assert got.startswith(b"HTTP/1.1 200"), got
    s.close()
time.sleep(0.2)
again = post()
assert again == 200, again
PY
else
	not_ok "fourth server starts" "$(cat "$SCRATCH/rate3.err")"
fi

# --- start-up errors ---
without_shell() { # label, shell under .threecs/: intake must not start
	mv "$SITE/.threecs/$2" "$SCRATCH/shell.html"
	$IN serve --listen 127.0.0.1:0 --site "$SITE" --forms "$FORMS" --spool "$SCRATCH/s3" "${INTAKE_USER_OPT[@]}" >/dev/null 2>"$SCRATCH/e"
	rc=$?
	check "missing $1 stops start-up (exit $rc)" test $rc -ne 0
	check "missing $1 is named, with the fix" grep -q "$2.*run sitegen build" "$SCRATCH/e"
	mv "$SCRATCH/shell.html" "$SITE/.threecs/$2"
}
without_shell "status page" status/too-large.html
without_shell shell "received/$first.html"
mkdir -p "$SCRATCH/badforms"
printf 'id: broken\ntitle: Broken\nsections:\n  - legend: A\n    fields:\n      - name: x\n        type: nonsense\n        label: X\n' >"$SCRATCH/badforms/broken.yml"
$IN serve --listen 127.0.0.1:0 --site "$SITE" --forms "$SCRATCH/badforms" --spool "$SCRATCH/s3" "${INTAKE_USER_OPT[@]}" >/dev/null 2>"$SCRATCH/e"
rc=$?
check "broken form definition exits 1" test $rc -eq 1
check "broken form definition reported with file:line" grep -q 'broken.yml:[0-9]' "$SCRATCH/e"
# Nothing intake accepts may be refused later by bundle or casework.
check "--max-files above the bundle format's 64 is a usage error" bash -c "$IN serve --max-files 65 --site '$SITE' --forms '$FORMS' --spool '$SCRATCH/s3' 2>/dev/null; test \$? -eq 2"
check "--max-file-size above the bundle format's 64 MiB is a usage error" bash -c "$IN serve --max-file-size 67108865 --site '$SITE' --forms '$FORMS' --spool '$SCRATCH/s3' 2>/dev/null; test \$? -eq 2"
check "bad --listen is a usage error" bash -c "$IN serve --listen nowhere --site '$SITE' --forms '$FORMS' --spool '$SCRATCH/s3' 2>/dev/null; test \$? -eq 2"

# --- clean stop ---
kill -TERM "${PIDS[0]}"
wait "${PIDS[0]}"
check "SIGTERM stops the server with status 0" test $? -eq 0
check "stop is logged" grep -q '^intake: stopped' "$SCRATCH/main.err"

finish "intake e2e"
