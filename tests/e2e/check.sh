#!/usr/bin/env bash
# Check your answers end to end, on the council's complaint form: a valid
# post is shown back with every answer and a link to change each, and
# nothing is stored; only Send stores it (303, durable, with its files);
# a second Send is answered as the first; a forged, unknown or expired
# draft is the themed 410 page and stores nothing; a change opens the form
# with the answers and the files kept, and its new post replaces the draft.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh

intake_site
FORM=complaint
# The form as the council may write it, with the step asked for.
mkdir -p "$SCRATCH/forms"
cp "$FORMS"/*.yml "$SCRATCH/forms/"
grep -q '^check_answers:' "$SCRATCH/forms/$FORM.yml" ||
	sed -i 's/^honeypot:/check_answers: true\nhoneypot:/' "$SCRATCH/forms/$FORM.yml"
mkdir -p "$SCRATCH/content"
cp -r content/* "$SCRATCH/content/"
cp "$SCRATCH/forms/$FORM.yml" "$SCRATCH/content/forms/"
"$SG" build --content "$SCRATCH/content" --out "$SITE" --quiet >"$SCRATCH/sg2.log" 2>&1 ||
	not_ok "the site builds with check_answers" "$(tail -3 "$SCRATCH/sg2.log")"
export FORMS=$SCRATCH/forms
URL=
if intake_start "$SCRATCH/out" "$SCRATCH/err" --site "$SITE" --forms "$FORMS" \
	--spool "$SPOOL" --quiet "${INTAKE_USER_OPT[@]}"; then
	URL=http://127.0.0.1:$PORT
else
	not_ok "intake serve starts" "$(cat "$SCRATCH/err")"
	finish check
	exit
fi
mapfile -t ARGS < <(python3 $LIB "$SITE" $FORM curl-args)
printf '%%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%%%EOF\n' >"$SCRATCH/letter.pdf"
SUM=$(sha256sum "$SCRATCH/letter.pdf" | cut -d' ' -f1)
ready() { ls "$SPOOL/ready" | wc -l; }
token() { sed -n 's/.*name="_draft" value="\([^"]*\)".*/\1/p' "$1"; }
send() { curl -s -o "$SCRATCH/s" -w '%{http_code} %{redirect_url}' --data "_draft=$1&_send=yes" "$URL/submit/$FORM"; }

# A valid post: the check page, nothing stored.
c=$(curl -s -o "$SCRATCH/c" -w '%{http_code}' "${ARGS[@]}" -F "files=@$SCRATCH/letter.pdf;filename=letter.pdf" "$URL/submit/$FORM")
check "a valid post is answered 200 with the check page ($c)" bash -c "[ $c = 200 ] && grep -q '<h1>Check your answers before sending your form</h1>' '$SCRATCH/c'"
check "nothing is stored before Send" test "$(ready)" = 0
tok=$(token "$SCRATCH/c")
check "the page carries a signed draft token" bash -c "[[ '$tok' =~ ^[0-9A-Z]{5}-[0-9A-Z]{5}\.[0-9a-f]{32}$ ]]"
check "the check page shows every answer under its question, with a Change link" python3 - "$SCRATCH/c" "$FORMS/$FORM.yml" "$tok" <<'PY'
import html, re, sys, urllib.parse, yaml
page, form, tok = open(sys.argv[1]).read(), yaml.safe_load(open(sys.argv[2])), sys.argv[3]
rows = re.findall(r'<dt class="summary-list__key">(.*?)</dt>\s*<dd class="summary-list__value">(.*?)</dd>\s*<dd class="summary-list__actions"><a href="([^"]*)">Change<span class="visually-hidden"> (.*?)</span>', page, re.S)
assert rows, "no rows"
labels = {html.unescape(r[0]) for r in rows}
for key, value, link, hidden in rows:
    assert hidden == key, (key, hidden)
    u = urllib.parse.urlparse(html.unescape(link))
    assert u.path.endswith("/change") and urllib.parse.parse_qs(u.query)["d"] == [tok], link
for want in ("What happened?", "Which service is your complaint about?"):
    assert want in labels, (want, labels)
assert any("letter.pdf" in r[1] for r in rows), "the file is not listed"
PY
check "the answers wait in tmp/ as a draft" python3 -c "import glob, json; d = [json.load(open(p)) for p in glob.glob('$SPOOL/tmp/*/held.json')]; assert any(x.get('fields') for x in d), d"

# Send: stored, with its file, and the draft gone.
out=$(send "$tok")
ref=$(printf '%s' "$out" | sed -n 's|.*received?ref=\([0-9A-Z-]*\)&k=[0-9a-f]*$|\1|p')
check "Send is 303 to the confirmation page ($out)" bash -c "[ '${out%% *}' = 303 ] && [ -n '$ref' ]"
check "and the submission is in ready/, whole, with its file" python3 - "$SPOOL/ready/$ref" "$SUM" <<'PY'
import hashlib, json, os, sys
d, s = sys.argv[1:3]
j = json.load(open(os.path.join(d, "submission.json")))
assert j["attachments"][0]["sha256"] == s and j["attachments"][0]["name"] == "letter.pdf"
assert hashlib.sha256(open(os.path.join(d, "files/1"), "rb").read()).hexdigest() == s
assert sorted(os.listdir(d)) == ["files", "submission.json"], os.listdir(d)
assert j["fields"]["what_happened"]
PY
check "no draft is left in tmp/" test -z "$(ls -A "$SPOOL/tmp")"
check "a second Send is answered as the first" test "$(send "$tok")" = "$out"
check "and stores nothing more" test "$(ready)" = 1

# Forged, unknown and expired drafts.
case $tok in *0) forged=${tok%?}1 ;; *) forged=${tok%?}0 ;; esac
c=$(send "$forged")
check "a forged draft token is the themed 410 page (${c%% *})" bash -c "[ '${c%% *}' = 410 ] && grep -q 'Your answers were not sent' '$SCRATCH/s' && grep -q 'class=\"header' '$SCRATCH/s'"
check "a Send without a token is 410" test "$(curl -s -o /dev/null -w '%{http_code}' --data '_send=yes' "$URL/submit/$FORM")" = 410
curl -s -o "$SCRATCH/c" "${ARGS[@]}" "$URL/submit/$FORM"
tok=$(token "$SCRATCH/c")
python3 -c "import json; p='$SPOOL/tmp/${tok%%.*}/held.json'; d=json.load(open(p)); d['expires']=1; json.dump(d, open(p, 'w'))"
check "an expired draft is 410 and stores nothing" bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' --data '_draft=$tok&_send=yes' '$URL/submit/$FORM')\" = 410 ] && [ $(ready) = 1 ]"
check "and it is removed at once" test ! -e "$SPOOL/tmp/${tok%%.*}"

# Change: the form again with the answers and the file kept.
curl -s -o "$SCRATCH/c" "${ARGS[@]}" -F "files=@$SCRATCH/letter.pdf;filename=kept.pdf" "$URL/submit/$FORM"
tok=$(token "$SCRATCH/c")
c=$(curl -s -o "$SCRATCH/ch" -w '%{http_code}' "$URL/submit/$FORM/change?d=$tok")
check "a Change link opens the form with the answers ($c)" bash -c "[ $c = 200 ] && grep -q '<form class=\"form\" id=\"form-$FORM\"' '$SCRATCH/ch' && grep -q 'value=\"Alex Example\"' '$SCRATCH/ch'"
check "and the file kept, not asked for again" bash -c "grep -q '<li>kept.pdf</li>' '$SCRATCH/ch' && ! grep -q 'Choose your files again' '$SCRATCH/ch'"
htok=$(sed -n 's/.*name="_held" value="\([^"]*\)".*/\1/p' "$SCRATCH/ch")
body=$(python3 $LIB "$SITE" $FORM pairs | sed 's/what_happened=[^&]*/what_happened=Changed+after+checking/')
c=$(curl -s -o "$SCRATCH/c2" -w '%{http_code}' --data "$body&_held=$htok" "$URL/submit/$FORM")
tok2=$(token "$SCRATCH/c2")
check "the changed post is checked again, with the change and the file" bash -c "[ $c = 200 ] && grep -q 'Changed after checking' '$SCRATCH/c2' && grep -q 'kept.pdf' '$SCRATCH/c2'"
check "the old draft is gone: one draft waits" test "$(ls "$SPOOL/tmp" | wc -l)" = 1
check "the old draft's token no longer sends" test "$(curl -s -o /dev/null -w '%{http_code}' --data "_draft=$tok&_send=yes" "$URL/submit/$FORM")" = 410
out=$(send "$tok2")
ref=$(printf '%s' "$out" | sed -n 's|.*received?ref=\([0-9A-Z-]*\)&k=[0-9a-f]*$|\1|p')
check "the changed answers are stored with the kept file" python3 - "$SPOOL/ready/$ref/submission.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["fields"]["what_happened"] == "Changed after checking", j["fields"]["what_happened"]
assert [a["name"] for a in j["attachments"]] == ["kept.pdf"], j["attachments"]
PY
check "tmp/ is empty at the end" test -z "$(ls -A "$SPOOL/tmp")"
intake_stop

finish check
