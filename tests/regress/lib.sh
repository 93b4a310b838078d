# Helpers for the regression cases' cmd scripts.

# unpack ZIP DIR: every entry of ZIP into DIR, and DIR.entries listing each
# entry's name, size, mode and timestamp in the zip's order (what a diff of
# the contents alone would miss).
unpack() {
	python3 - "$1" "$2" <<'PY'
import os, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
out = sys.argv[2]
os.makedirs(out, exist_ok=True)
with open(out + ".entries", "w") as f:
    for i in z.infolist():
        f.write("%s %d %o %04d-%02d-%02dT%02d:%02d:%02d\n" % (
            (i.filename, i.file_size, (i.external_attr >> 16) & 0o7777) + i.date_time))
        if i.filename.endswith("/"):
            continue
        p = os.path.join(out, i.filename)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as g:
            g.write(z.read(i))
PY
}

# run NAME CMD...: CMD's stdout, stderr and exit code into $OUT/NAME.out
# (the program by its name alone, paths under $WORK written as WORK). With
# STDOUT=FILE, CMD's standard output goes to FILE instead (say /dev/full).
run() {
	local name=$1 rc=0 to=${STDOUT:-$WORK/stdout}
	shift
	: >"$WORK/stdout"
	"$@" >"$to" 2>"$WORK/stderr" || rc=$?
	{
		prog=$1
		shift
		echo "\$ ${prog##*/} $*${STDOUT:+ >$STDOUT}"
		cat "$WORK/stdout"
		echo "-- stderr"
		cat "$WORK/stderr"
		echo "-- exit $rc"
	} | sed "s|$WORK|WORK|g; s|$ROOT/||g" >"$OUT/$name.out"
}
