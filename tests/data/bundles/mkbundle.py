#!/usr/bin/env python3
"""Builds bundles in the format of docs/bundle.md for casework's tests, the
demo and the benchmark, including hostile ones.

    mkbundle.py OUT.zip SUBMISSION_DIR...        bundle spool folders
    mkbundle.py --hostile KIND OUT.zip DIR...    the same, spoiled by KIND

As a module: sub() writes a spool folder, bundle() packs folders.
"""
import hashlib
import json
import os
import stat
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
FORMS = os.path.join(HERE, "..", "..", "..", "content", "forms")


def form_hash(form):
    try:
        with open(os.path.join(FORMS, form + ".yml"), "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return "0" * 64


def sub(parent, sid, form, received, fields, files=()):
    """Writes parent/sid/submission.json (and files/N) as intake would.
    files: a list of (field, name, type, bytes)."""
    d = os.path.join(parent, sid)
    os.makedirs(os.path.join(d, "files"), exist_ok=True)
    atts = []
    for i, (field, name, typ, data) in enumerate(files, 1):
        with open(os.path.join(d, "files", str(i)), "wb") as f:
            f.write(data)
        atts.append({"field": field, "name": name, "type": typ,
                     "size": len(data),
                     "sha256": hashlib.sha256(data).hexdigest(),
                     "path": "files/%d" % i})
    doc = {"format": "threecs-submission/1", "id": sid, "form": form,
           "form_hash": form_hash(form), "received": received,
           "channel": "web", "fields": fields, "attachments": atts}
    with open(os.path.join(d, "submission.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
    return d


def _entries(dirs):
    """[(name, bytes)] for the submissions in dirs, in bundle order."""
    out = []
    for d in sorted(dirs, key=lambda p: os.path.basename(p.rstrip("/"))):
        sid = os.path.basename(d.rstrip("/"))
        with open(os.path.join(d, "submission.json"), "rb") as f:
            out.append(("submissions/%s/submission.json" % sid, f.read()))
        fd = os.path.join(d, "files")
        if os.path.isdir(fd):
            for n in sorted(os.listdir(fd), key=lambda s: (len(s), s)):
                with open(os.path.join(fd, n), "rb") as f:
                    out.append(("submissions/%s/files/%s" % (sid, n),
                                f.read()))
    return out


def manifest_for(entries, bundle_id):
    subs = []
    entries = sorted(entries, key=lambda e: e[0].split("/")[1])
    for name, data in entries:
        sid = name.split("/")[1]
        if not subs or subs[-1]["id"] != sid:
            subs.append({"id": sid, "files": []})
        subs[-1]["files"].append({"path": name, "size": len(data),
                                  "sha256": hashlib.sha256(data).hexdigest()})
    return {"format": "threecs-bundle/1", "bundle_id": bundle_id,
            "created": "2026-12-24T07:00:00Z", "source": "test",
            "submissions": subs, "count": len(subs)}


def _info(name, mode=0o100600):
    zi = zipfile.ZipInfo(name, date_time=(2026, 12, 24, 7, 0, 0))
    zi.create_system = 3
    zi.external_attr = mode << 16
    zi.compress_type = zipfile.ZIP_DEFLATED
    return zi


def write(out, entries, manifest=None, extra=(), manifest_first=True):
    bid = bundle_id(out)
    # Entries given as a ZipInfo are extra: the manifest does not list them.
    listed = [e for e in entries if not isinstance(e[0], zipfile.ZipInfo)]
    m = manifest if manifest is not None else manifest_for(listed, bid)
    mbytes = m if isinstance(m, bytes) else json.dumps(m, indent=1).encode()
    with zipfile.ZipFile(out, "w") as z:
        if manifest_first:
            z.writestr(_info("manifest.json"), mbytes)
        for name, data in entries:
            z.writestr(name if isinstance(name, zipfile.ZipInfo)
                       else _info(name), data)
        for zi, data in extra:
            z.writestr(zi, data)
        if not manifest_first:
            z.writestr(_info("manifest.json"), mbytes)
    os.chmod(out, 0o600)


def bundle_id(out):
    """The ID a bundle written to out carries: its file name."""
    return os.path.basename(out)[:-4] if out.endswith(".zip") else "bundle"


def in_first(entries, zi, data):
    """entries with (zi, data) among the first submission's, so that only
    the entry itself is wrong, not the zip's order."""
    k = 1
    while k < len(entries) and \
            entries[k][0].split("/")[1] == entries[0][0].split("/")[1]:
        k += 1
    return entries[:k] + [(zi, data)] + entries[k:]


def bundle(out, dirs, hostile=None):
    entries = _entries(dirs)
    bid = bundle_id(out)
    first = entries[0][0].split("/")[1] if entries else "X"
    if hostile is None:
        return write(out, entries)
    if hostile == "zipslip":
        return write(out, entries, extra=[(_info("../../evil.txt"), b"x")])
    if hostile == "zipslip-in-sub":
        e = "submissions/%s/../../../evil.txt" % first
        return write(out, in_first(entries, _info(e), b"x"))
    if hostile == "absolute":
        return write(out, entries, extra=[(_info("/tmp/casework-evil"), b"x")])
    if hostile == "symlink":
        e = "submissions/%s/files/9" % first
        m = manifest_for(entries + [(e, b"/etc/passwd")], bid)
        return write(out, in_first(entries, _info(e, 0o120777),
                                   b"/etc/passwd"), manifest=m)
    if hostile == "duplicate":
        name, data = entries[0]
        return write(out, entries, extra=[(_info(name), b"{}")])
    if hostile == "bomb":
        e = "submissions/%s/files/9" % first
        big = b"\0" * (80 * 1024 * 1024)
        m = manifest_for(entries + [(e, big)], bid)
        return write(out, in_first(entries, _info(e), big), manifest=m)
    if hostile == "ratio":
        e = "submissions/%s/files/9" % first
        big = b"\0" * (20 * 1024 * 1024)
        m = manifest_for(entries + [(e, big)], bid)
        return write(out, in_first(entries, _info(e), big), manifest=m)
    if hostile == "truncated":
        write(out, entries)
        size = os.path.getsize(out)
        with open(out, "r+b") as f:
            f.truncate(size // 2)
        return None
    if hostile == "corrupt":
        write(out, entries)
        with open(out, "r+b") as f:
            f.seek(200)
            f.write(b"\xff" * 64)
        return None
    if hostile == "lying-size":
        m = manifest_for(entries, bid)
        m["submissions"][0]["files"][0]["size"] += 1
        return write(out, entries, manifest=m)
    if hostile == "lying-sha":
        m = manifest_for(entries, bid)
        m["submissions"][0]["files"][0]["sha256"] = "0" * 64
        return write(out, entries, manifest=m)
    if hostile == "manifest-last":
        return write(out, entries, manifest_first=False)
    if hostile == "manifest-invalid":
        return write(out, entries, manifest=b"{\"format\": \"threecs-bundle/1\",")
    if hostile == "not-zip":
        with open(out, "wb") as f:
            f.write(b"this is not a zip file\n" * 10)
        return None
    raise SystemExit("unknown hostile kind " + hostile)


if __name__ == "__main__":
    args = sys.argv[1:]
    kind = None
    if args and args[0] == "--hostile":
        kind = args[1]
        args = args[2:]
    if len(args) < 2:
        raise SystemExit(__doc__)
    bundle(args[0], args[1:], kind)
