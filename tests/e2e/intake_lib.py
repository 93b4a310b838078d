"""Helpers for the intake end-to-end scripts: valid form posts built from
the schema sitegen writes (/assets/forms/NAME.json), and a small HTTP
client that never follows redirects."""
import json
import os
import re
import sys
import urllib.parse

CANDIDATES = ["Alex Example", "AB123456", "12345678", "A1", "abc", "1"]


def text_value(f):
    pat = f.get("pattern")
    for c in CANDIDATES:
        if pat is None or re.fullmatch(pat, c):
            return c[: int(f.get("max_length") or 1000)]
    return "Alex Example"


def valid_pairs(schema):
    """(name, value) pairs that pass the form's validator."""
    chosen, pairs = {}, []
    for f in schema["fields"]:
        rb = f.get("revealed_by")
        if rb and chosen.get(rb["field"]) != rb["value"]:
            continue
        ri = f.get("required_if")
        need = f.get("required") or (ri and chosen.get(ri["field"]) == ri["equals"])
        t, name = f["type"], f["name"]
        if t in ("radios", "select", "checkboxes") and (need or f.get("options")):
            if need:
                chosen[name] = f["options"][0]
                pairs.append((name, f["options"][0]))
            continue
        if not need or t == "file":
            continue
        if t == "email":
            v = "alex@example.org"
        elif t == "tel":
            v = "01632 960 001"
        elif t == "postcode":
            v = "NM1 1AA"
        elif t == "textarea":
            v = "The bin was not collected on Tuesday."
        elif t == "consent":
            v = "yes"
        elif t == "date":
            pairs += [(name + "-day", "1"), (name + "-month", "3"), (name + "-year", "2024")]
            chosen[name] = "2024-03-01"
            continue
        else:
            v = text_value(f)
        chosen[name] = v
        pairs.append((name, v))
    return pairs


MIME = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png",
        "txt": "text/plain", "doc": "application/msword", "docx": "docx"}


def from_yaml(forms, form):
    """The schema's shape from the definition, when the site has none."""
    import yaml

    d = yaml.safe_load(open(os.path.join(forms, form + ".yml")))
    out = []

    def add(f, parent=None):
        g = dict(f)
        if "options_from" in g:
            g["options"] = yaml.safe_load(open(os.path.join(forms, "_" + g["options_from"] + ".yml")))
        opts = g.get("options") or []
        g["options"] = [str(o["value"]) for o in opts]
        if "accept" in g:
            g["accept"] = [MIME[a] for a in g["accept"]]
        elif g.get("type") == "file":
            g["accept"] = list(MIME.values())
        if parent:
            g["revealed_by"] = parent
        out.append(g)
        for o in opts:
            for sub in o.get("fields") or []:
                add(sub, {"field": g["name"], "value": str(o["value"])})

    for sec in d["sections"]:
        for f in sec["fields"]:
            add(f)
    return {"id": d["id"], "honeypot": d.get("honeypot", "website"), "fields": out}


def load(site, form, forms="content/forms"):
    p = os.path.join(site, "assets", "forms", form + ".json")
    if os.path.exists(p):
        with open(p) as fh:
            return json.load(fh)
    return from_yaml(forms, form)


if __name__ == "__main__":
    # intake_lib.py SITE FORM pairs|curl-args|file-field|honeypot|first-text
    site, form, what = sys.argv[1:4]
    s = load(site, form, os.environ.get("FORMS", "content/forms"))
    if what == "pairs":
        print(urllib.parse.urlencode(valid_pairs(s)))
    elif what == "curl-args":
        for n, v in valid_pairs(s):
            print("--form-string")
            print(n + "=" + v)
    elif what == "file-field":
        for f in s["fields"]:
            if f["type"] == "file" and "application/pdf" in f.get("accept", []):
                print(f["name"])
                break
    elif what == "honeypot":
        print(s["honeypot"])
    elif what == "first-text":
        for f in s["fields"]:
            if f["type"] == "text" and not f.get("pattern") and not f.get("revealed_by"):
                print(f["name"])
                break


DRAFT_RE = re.compile(rb'name="_draft" value="([^"]+)"')


def send_body(status, page):
    """The body of the Send on a check page (a 200 holding a draft), or
    None when the answer is not a check page."""
    m = DRAFT_RE.search(page) if status == 200 else None
    return b"_draft=" + m.group(1) + b"&_send=yes" if m else None


def post_form(host, port, path, data, ctype, timeout=20):
    """Posts a form as a browser does: when the answer is the check page,
    sends the draft it holds (a second request). Returns (status,
    Location) of the last answer."""
    import http.client

    def one(body, content_type):
        c = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            c.request("POST", path, body, {"Content-Type": content_type})
            r = c.getresponse()
            return r.status, r.getheader("Location"), r.read()
        finally:
            c.close()

    status, loc, page = one(data, ctype)
    send = send_body(status, page)
    if send:
        status, loc, _ = one(send, "application/x-www-form-urlencoded")
    return status, loc
