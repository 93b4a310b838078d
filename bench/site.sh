#!/bin/bash
# bench/site.sh: sitegen against its peer (Hugo) and the physical floor (the
# cmark-gfm command), on the same generated site, in one run.
#
#   bench/site.sh [N]        N pages (default 1000, at least 10)
#
# What it does:
#   - Generates N policy-like pages (front matter with title and summary,
#     ## and ### headings, paragraphs with emphasis and smart punctuation,
#     bullet and numbered lists, a table, links to other pages' anchors and
#     to this page's own; about 5 KB each), a home page and content/site.yml
#     into a scratch folder (mktemp -d, removed at the end).
#   - sitegen: builds it with the repository's themes/default theme.
#   - Hugo: the same Markdown in a Hugo site with minimal layouts written
#     here (baseof/single/list/404: title, breadcrumb, nav menu, lead,
#     table of contents, content, footer menu and contact details, like the
#     default theme's page), the same nav and footer as Hugo menus, the same
#     CSS/JS files as static files. Taxonomies, terms and RSS are off
#     (disableKinds); the sitemap stays on because sitegen writes one too.
#     Goldmark renders with its defaults (tables, typographer, heading ids,
#     raw HTML omitted), like sitegen's cmark-gfm with tables and --smart.
#     The one difference in the sources: links between pages are written
#     as page.md#anchor for sitegen (which resolves and checks them) and as
#     plain relative URLs (../page/#anchor) for Hugo, which would otherwise
#     pass .md hrefs through. That is the cheaper choice for Hugo, so the
#     sitegen/hugo ratio errs against sitegen.
#   - Floor: the cmark-gfm command converting every page's Markdown body
#     (front matter stripped beforehand, outside the timing) to HTML with
#     the extensions sitegen attaches (table, strikethrough, autolink,
#     tagfilter) and --smart. The floor is "parse and render every byte
#     once, on every core, with no templates, links or output files":
#     the bodies are split into one batch per CPU and each batch goes to
#     one cmark-gfm process (xargs -P CPUS), so process start-up is paid
#     once per CPU rather than once per page (which would cost more than
#     the parsing: ~2 ms per process against ~0.2 ms to parse and render a
#     5 KB page, measured here, and make the floor no floor at all). cmark-gfm reads a batch's files as
#     one document; the parse and render work per byte is the same (its
#     peak memory is then that of one big document: the floor's memory is
#     not a goal). Its HTML goes to one file per batch.
#
# Each tool is run 3 times under GNU time (/usr/bin/time): best wall and
# best CPU (user+sys) of the runs, highest peak RSS of the runs. Builds are
# cold: before each run the output folder is moved out of the way (into the
# scratch folder, deleted at the end), so the build starts with no output
# folder. Moved rather than deleted: on this machine's ext4, creating
# inodes within ~30 s of deleting thousands costs far more kernel time
# (ext4's recently_deleted check) than a fresh build would see, and that
# would swamp the figures of whichever tool ran next. The sources stay in
# the page cache. sitegen's no-change rebuild (a second build into the same
# folder) is measured too, then run once more without --quiet to show how
# many files it rewrote (0 when output is deterministic). sitegen and Hugo
# use every CPU by default.
#
# BENCH_KEEP=1 keeps the scratch folder (sources and outputs) to look at.
#
# A benchmark, not a test: it prints figures and the goals but asserts
# nothing. Exit 0 when every build ran, non-zero (with the error) when one
# failed.
set -euo pipefail
export LC_ALL=C

. "$(dirname "$0")/lib.sh"

N=${1:-1000}
RUNS=3
case "$N" in
'' | *[!0-9]*)
	echo "usage: bench/site.sh [N]  (N pages, a number, default 1000)" >&2
	exit 2
	;;
esac
if [ "$N" -lt 10 ]; then
	echo "bench/site.sh: N must be at least 10" >&2
	exit 2
fi

cd "$BENCH_ROOT"
scripts/install-deps.sh bench
bench_need hugo cmark-gfm make awk xargs
if [ ! -x /usr/bin/time ]; then
	echo "bench: GNU time is not at /usr/bin/time (Debian package time)" >&2
	exit 1
fi
make -s bin/sitegen
SITEGEN=$BENCH_ROOT/bin/sitegen
CPUS=$(bench_cpus)

W=$(mktemp -d "${TMPDIR:-/tmp}/sitegen-bench.XXXXXX")
if [ -n "${BENCH_KEEP:-}" ]; then
	trap 'echo "bench/site.sh: kept $W" >&2' EXIT
else
	trap 'rm -rf "$W"' EXIT
fi

# ---- the content ----

mkdir -p "$W/content" "$W/hugo/content" "$W/hugo/layouts/_default" \
	"$W/hugo/static/assets" "$W/floor"

# One awk pass writes each page three times: for sitegen (links to .md
# files), for Hugo (plain relative URLs) and for the floor (body only).
awk -v n="$N" -v sg="$W/content" -v hg="$W/hugo/content" -v fl="$W/floor" '
function pick(a, k) { return a[int(rand() * k) + 1] }
function para(   s, j, m) {
	m = 3 + int(rand() * 2)
	s = pick(S, ns)
	for (j = 1; j < m; j++)
		s = s " " pick(S, ns)
	return s "\n\n"
}
function name(k) { return sprintf("page-%05d", k) }
function plink(text, k, anchor) {
	# sitegen: the source file; Hugo: its built URL, relative.
	return "[" text "](@@" name(k) "@@#" anchor ")"
}
function emit(base, fm, body,   s, h) {
	# sitegen: page-00001.md#x; Hugo: ../page-00001/#x
	s = body
	gsub(/\(@@/, "(", s); gsub(/@@#/, ".md#", s)
	printf "%s%s", fm, s > (sg "/" base ".md"); close(sg "/" base ".md")
	h = body
	gsub(/\(@@/, "(../", h); gsub(/@@#/, "/#", h)
	printf "%s%s", fm, h > (hg "/" (base == "index" ? "_index" : base) ".md")
	close(hg "/" (base == "index" ? "_index" : base) ".md")
	printf "%s", s > (fl "/" base ".md"); close(fl "/" base ".md")
}
BEGIN {
	srand(20260401)
	ns = split("We want to hear from you when we get things right and when we get things wrong.|" \
		"This policy covers *every* service the council provides, including those run by contractors for us.|" \
		"If a company does work for us, for example **collecting bins** or repairing council homes, you can complain to us about it.|" \
		"You do not have to use the word \"complaint\"; if you tell us you are unhappy, we will treat it as one.|" \
		"We will write to you within *5 working days* to say who is dealing with your complaint -- and when they will reply.|" \
		"Some complaints about social care follow different rules set by law, and we will tell you if yours does.|" \
		"We record every comment, compliment and complaint so that we can learn from them and improve our services.|" \
		"If you need help to make a complaint, for example in another language or format, **tell us** and we will arrange it.|" \
		"A councillor, an MP or someone you trust can complain for you if you give them your permission.|" \
		"We will not treat you differently because you have made a complaint; it won'\''t affect the services you get.|" \
		"The manager of the service will look into your complaint and try to put things right at the first stage.|" \
		"If we need more time, we will tell you why and agree a new date with you -- usually no more than *10 working days* later.|" \
		"At the second stage a senior officer who was not involved before reviews how we handled your complaint.|" \
		"You can ask the Local Government and Social Care Ombudsman to look at your complaint once our process has ended.|" \
		"We publish an annual report on the complaints we receive, what we found and what we changed as a result.|" \
		"Staff who deal with complaints are trained to listen, to be fair and to keep your details **confidential**.|" \
		"If your complaint is about a member of staff, we will deal with it in a way that is fair to you and to them.|" \
		"We aim to resolve most complaints within *10 working days* of receiving them, and we'\''ll keep you informed.|" \
		"Where we find we got something wrong, we will apologise, explain what happened and say what we will do about it.|" \
		"You can also send us a compliment when a member of staff or a service did something well; we pass it on.", S, "|")
	nt = split("Housing repairs|Waste and recycling|Council tax|Parking|Planning|Libraries|Parks and open spaces|Licensing|Benefits|School admissions|Street lighting|Environmental health|Building control|Leisure centres|Adult social care|Children'\''s services|Highways|Cemeteries|Markets|Elections", T, "|")
	nl = split("the standard of a service we gave you|something we did, or did not do|the way a member of staff acted|a delay in dealing with a request|a decision we made without following our policy|information we gave you that was wrong", L, "|")

	for (i = 1; i <= n; i++) {
		topic = T[(i - 1) % nt + 1]
		prev = i > 1 ? i - 1 : n
		next_ = i < n ? i + 1 : 1
		far = (i * 37) % n + 1
		fm = "---\ntitle: \"Policy " i ": " topic "\"\n" \
			"summary: How we deal with comments, compliments and complaints about " tolower(topic) " (policy " i "), and how long each step takes.\n" \
			"---\n\n"
		b = "## About this policy\n\n" para() para()
		b = b "### Who this policy covers\n\n" para()
		b = b "You can complain about:\n\n"
		for (j = 1; j <= 5; j++)
			b = b "- " L[(i + j) % nl + 1] "\n"
		b = b "\n### What this policy does not cover\n\n" para()
		b = b "## How to make a complaint\n\n" para()
		b = b "Check the [timescales](#timescales) first, then:\n\n"
		b = b "1. tell the service about the problem\n2. give us your name and how to contact you\n3. say what went wrong and what you would like us to do\n4. send us copies of any letters or emails\n\n"
		b = b "### Stage 1: local resolution\n\n" para() para()
		b = b "### Stage 2: review\n\n" para() \
			"See also " plink("the review stage in policy " far, far, "stage-2-review") ".\n\n"
		b = b "## Timescales\n\n" para()
		b = b "| Stage | We acknowledge within | We reply within |\n|---|---|---|\n"
		b = b "| Stage 1 | 5 working days | 10 working days |\n| Stage 2 | 5 working days | 20 working days |\n"
		b = b "| Compliments | 5 working days | - |\n| Comments | 5 working days | 10 working days |\n"
		b = b "| Ombudsman | - | about 12 weeks |\n\n"
		b = b "## Contact and further help\n\n" para()
		b = b "Read " plink("the previous policy", prev, "about-this-policy") \
			", " plink("its timescales", prev, "timescales") " or " \
			plink("the next policy", next_, "how-to-make-a-complaint") \
			". ~~Paper forms~~ are no longer used; email complaints@northmere.example.\n"
		emit(name(i), fm, b)
	}
	fm = "---\ntitle: Comments, compliments and complaints\nsummary: Tell us what you think of our services, or make a complaint.\n---\n\n"
	b = "## Our policies\n\n" para()
	for (i = 1; i <= n && i <= 100; i++)
		b = b "- " plink("Policy " i ": " T[(i - 1) % nt + 1], i, "about-this-policy") "\n"
	b = b "\n## Make a complaint\n\n" para() "## Contact us\n\n" para()
	emit("index", fm, b)
}'

# site.yml for sitegen; the same nav and footer as Hugo menus.
cat >"$W/content/site.yml" <<'EOF'
council: Northmere Borough Council
title: Comments, compliments and complaints
base_url: https://complaints.northmere.example
language: en-GB
intake_url: /submit
nav:
  - title: Home
    page: index.md
  - title: Housing repairs
    page: page-00001.md
  - title: Waste and recycling
    page: page-00002.md
  - title: Council tax
    page: page-00003.md
  - title: Parking
    page: page-00004.md
  - title: Ombudsman
    url: https://www.lgo.org.uk/
footer:
  - title: Planning
    page: page-00005.md
  - title: Libraries
    page: page-00006.md
  - title: Timescales
    page: page-00001.md#timescales
contact:
  phone: "01632 960 000"
  email: complaints@northmere.example
  address: "Town Hall, Market Square, Northmere, NM1 1AA"
  hours: "Monday to Friday, 9am to 5pm"
EOF

cat >"$W/hugo/config.toml" <<'EOF'
baseURL = "https://complaints.northmere.example/"
languageCode = "en-GB"
title = "Comments, compliments and complaints"
disableKinds = ["taxonomy", "term", "RSS"]
enableRobotsTXT = true

[params]
council = "Northmere Borough Council"
[params.contact]
phone = "01632 960 000"
email = "complaints@northmere.example"
address = "Town Hall, Market Square, Northmere, NM1 1AA"
hours = "Monday to Friday, 9am to 5pm"

[markup.goldmark.renderer]
unsafe = false
[markup.goldmark.parser]
autoHeadingID = true
autoHeadingIDType = "github"
[markup.tableOfContents]
startLevel = 2
endLevel = 3
ordered = false

EOF
# The same menus as site.yml's: menu KIND WEIGHT NAME KEY VALUE.
menu() {
	printf '[[menus.%s]]\nname = "%s"\n%s = "%s"\nweight = %s\n' "$1" "$3" "$4" "$5" "$2"
}
{
	menu main 1 "Home" pageRef /
	menu main 2 "Housing repairs" pageRef /page-00001
	menu main 3 "Waste and recycling" pageRef /page-00002
	menu main 4 "Council tax" pageRef /page-00003
	menu main 5 "Parking" pageRef /page-00004
	menu main 6 "Ombudsman" url https://www.lgo.org.uk/
	echo
	menu footer 1 "Planning" pageRef /page-00005
	menu footer 2 "Libraries" pageRef /page-00006
	menu footer 3 "Timescales" url "/page-00001/#timescales"
} >>"$W/hugo/config.toml"

cat >"$W/hugo/layouts/_default/baseof.html" <<'EOF'
<!DOCTYPE html>
<html lang="{{ site.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} - {{ site.Title }} - {{ site.Params.council }}</title>
{{ with .Params.summary }}<meta name="description" content="{{ . }}">{{ end }}
<link rel="stylesheet" href="/assets/site.css">
<link rel="stylesheet" href="/assets/print.css" media="print">
<script src="/assets/site.js" defer></script>
</head>
<body>
<a href="#main-content" class="skip-link">Skip to main content</a>
<header class="header">
<div class="width-container header__inner">
<a href="/" class="header__council">{{ site.Params.council }}</a>
<p class="header__service">{{ site.Title }}</p>
</div>
<nav class="service-nav" aria-label="Main">
<div class="width-container">
<ul class="service-nav__list">
{{ $page := . }}{{ range site.Menus.main }}
<li><a href="{{ .URL }}"{{ if $page.IsMenuCurrent "main" . }} aria-current="page"{{ end }}>{{ .Name }}</a></li>
{{ end }}
</ul>
</div>
</nav>
</header>
<div class="width-container">
{{ if not .IsHome }}
<nav class="breadcrumbs" aria-label="Breadcrumb">
<ol class="breadcrumbs__list">
<li><a href="{{ site.Home.RelPermalink }}">Home</a></li>
</ol>
</nav>
{{ end }}
<main id="main-content" class="main" tabindex="-1">
{{ block "main" . }}{{ end }}
</main>
</div>
<footer class="footer">
<div class="width-container">
<nav class="footer__nav" aria-label="Footer">
<ul class="footer__list">
{{ range site.Menus.footer }}
<li><a href="{{ .URL }}"{{ if $page.IsMenuCurrent "footer" . }} aria-current="page"{{ end }}>{{ .Name }}</a></li>
{{ end }}
</ul>
</nav>
{{ with site.Params.contact }}
<div class="footer__contact">
<h2 class="footer__heading">Contact {{ site.Params.council }}</h2>
<dl class="footer__details">
{{ with .phone }}<dt>Phone</dt>
<dd>{{ . }}</dd>{{ end }}
{{ with .email }}<dt>Email</dt>
<dd><a href="mailto:{{ . }}">{{ . }}</a></dd>{{ end }}
{{ with .hours }}<dt>Opening hours</dt>
<dd>{{ . }}</dd>{{ end }}
{{ with .address }}<dt>Address</dt>
<dd>{{ . }}</dd>{{ end }}
</dl>
</div>
{{ end }}
<p class="footer__copyright">&copy; {{ site.Params.council }}</p>
</div>
</footer>
</body>
</html>
EOF

# single (every policy page) and list (the home page) render alike.
cat >"$W/hugo/layouts/_default/single.html" <<'EOF'
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ with .Params.summary }}<p class="lead">{{ . }}</p>{{ end }}
{{ if .TableOfContents }}
<nav class="toc" aria-labelledby="toc__title">
<h2 class="toc__title" id="toc__title">On this page</h2>
{{ .TableOfContents }}
</nav>
{{ end }}
<div class="prose">
{{ .Content }}
</div>
{{ end }}
EOF
cp "$W/hugo/layouts/_default/single.html" "$W/hugo/layouts/_default/list.html"
cat >"$W/hugo/layouts/404.html" <<'EOF'
{{ define "main" }}
<h1>Page not found</h1>
<p>If you typed the web address, check it is correct.</p>
<ul>
{{ range site.Menus.main }}<li><a href="{{ .URL }}">{{ .Name }}</a></li>{{ end }}
</ul>
{{ end }}
EOF
cp themes/default/assets/* "$W/hugo/static/assets/"

MD_BYTES=$(cat "$W"/content/*.md | wc -c)
BODY_BYTES=$(cat "$W"/floor/*.md | wc -c)

# ---- the runs ----

OUT_S=$W/out-sitegen
OUT_H=$W/out-hugo
OUT_F=$W/out-floor
failed=0

# The floor's input: every body, by absolute path, in one list.
ls "$W/floor" | sed "s|^|$W/floor/|" >"$W/floor.list"
FLOOR_FILES=$(wc -l <"$W/floor.list")
FLOOR_BATCH=$(((FLOOR_FILES + CPUS - 1) / CPUS))

SITEGEN_CMD=("$SITEGEN" build --content "$W/content" --out "$OUT_S"
	--theme "$BENCH_ROOT/themes/default")
HUGO_CMD=(hugo --source "$W/hugo" --destination "$OUT_H"
	--cacheDir "$W/hugo-cache" --quiet)
# One cmark-gfm per CPU, each over its batch of bodies, writing one HTML
# file named after the batch's first page.
FLOOR_CMD=(xargs -a "$W/floor.list" -s 1000000 -P "$CPUS" -n "$FLOOR_BATCH" sh -c
	'exec cmark-gfm --extension table --extension strikethrough \
	--extension autolink --extension tagfilter --smart "$@" \
	>"$0/${1##*/}.html"' "$OUT_F")

echo "sitegen benchmark: $N pages + home, $(bench_mib $((MD_BYTES / 1024))) MiB of Markdown" \
	"($((BODY_BYTES / (N + 1))) bytes of body a page), $CPUS CPUs, best of $RUNS"
echo "$(hugo version | cut -d' ' -f1-2); $(cmark-gfm --version | head -n 1 | cut -d' ' -f1-2)"
echo

declare -A WALL CPU RSS
failed=0
# measure KEY PREP CMD...: fills WALL, CPU and RSS for KEY.
measure() {
	local key=$1
	shift
	if bench_measure "$RUNS" "$@"; then
		WALL[$key]=$BENCH_WALL CPU[$key]=$BENCH_CPU RSS[$key]=$BENCH_RSS
	else
		echo "bench/site.sh: the $key build failed" >&2
		failed=1
		WALL[$key]=0 CPU[$key]=0 RSS[$key]=0
	fi
}

# set_aside DIR: moves DIR (if there) into the scratch folder's attic.
ASIDE=0
set_aside() {
	if [ -e "$1" ]; then
		ASIDE=$((ASIDE + 1))
		mkdir -p "$W/attic"
		mv "$1" "$W/attic/$ASIDE"
	fi
}

measure sitegen 'set_aside "$OUT_S"' "${SITEGEN_CMD[@]}" --quiet
# The no-change rebuild: the folder holds the last cold build's output.
measure rebuild : "${SITEGEN_CMD[@]}" --quiet
REBUILD_SAYS=$("${SITEGEN_CMD[@]}" 2>&1 || true)
measure hugo 'set_aside "$OUT_H"; set_aside "$W/hugo-cache"' "${HUGO_CMD[@]}"
measure floor 'set_aside "$OUT_F"; mkdir -p "$OUT_F"' "${FLOOR_CMD[@]}"

# What each wrote, to see the work is comparable.
count_html() {
	[ -d "$1" ] || { echo "0 HTML files"; return; }
	echo "$(find "$1" -name '*.html' | wc -l) HTML files," \
		"$(bench_mib $(($(find "$1" -name '*.html' -exec cat {} + | wc -c) / 1024))) MiB"
}
echo "output: sitegen $(count_html "$OUT_S"); hugo $(count_html "$OUT_H"); floor $(count_html "$OUT_F")"
echo "no-change rebuild: $REBUILD_SAYS"
echo

bench_header
bench_row "sitegen" "${WALL[sitegen]}" "${CPU[sitegen]}" "${RSS[sitegen]}"
bench_row "sitegen no-change" "${WALL[rebuild]}" "${CPU[rebuild]}" "${RSS[rebuild]}"
bench_row "hugo" "${WALL[hugo]}" "${CPU[hugo]}" "${RSS[hugo]}"
bench_row "cmark-gfm floor" "${WALL[floor]}" "${CPU[floor]}" "${RSS[floor]}"
echo
echo "ratio sitegen/hugo wall: $(bench_ratio "${WALL[sitegen]}" "${WALL[hugo]}")" \
	"  cpu: $(bench_ratio "${CPU[sitegen]}" "${CPU[hugo]}")" \
	"  memory: $(bench_ratio "${RSS[sitegen]}" "${RSS[hugo]}")"
echo "ratio sitegen/floor wall: $(bench_ratio "${WALL[sitegen]}" "${WALL[floor]}")" \
	"  cpu: $(bench_ratio "${CPU[sitegen]}" "${CPU[floor]}")"
echo "goals at 10,000 pages: sitegen/hugo wall <= 0.50, memory <= 0.25;" \
	"sitegen/floor wall <= 2.0"
[ "$failed" -eq 0 ] || echo "(a build failed: its figures are 0 and its ratios n/a)"
exit "$failed"
