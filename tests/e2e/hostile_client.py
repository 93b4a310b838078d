#!/usr/bin/env python3
"""Slow and hostile clients for tests/e2e/hostile.sh.

    hostile_client.py [options] ATTACK

runs one attack on the intake server at 127.0.0.1:PORT while a normal
client (a separate process, source address 127.0.0.1) keeps fetching a page
and posting a valid form. It then waits for the server's open file
descriptors (/proc/PID/fd) and its connections (/proc/net/tcp) to come back
to the baseline, and prints key=value lines for the shell to check.

Attackers use source addresses 127.0.N.x (N differs per attack, so the
per-address limits of one attack do not touch another). Every client is
bounded in connections, bytes and time, talks only to 127.0.0.0/8, and
stops by itself: nothing here runs longer than MAX_RUN seconds.
"""
import argparse
import http.client
import json
import os
import selectors
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import intake_lib  # noqa: E402  (beside this script)

HOST = "127.0.0.1"
NORMAL_SRC = "127.0.0.1"
MAX_RUN = 60  # seconds any one invocation may run
REQ_TIMEOUT = 10  # seconds a normal request may take before it counts lost
SLACK = 4  # seconds allowed past --timeout on a busy machine


def attacker(net, i):
    """An attacker's source address: 127.0.NET.I."""
    return "127.0.%d.%d" % (net, i)


# ---- the server as seen from /proc ------------------------------------


def server_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def server_rss_kb(pid):
    with open("/proc/%d/status" % pid) as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def _hex_addr(addr):
    return "%08X" % struct.unpack("<I", socket.inet_aton(addr))[0]


def server_conns(port, remote=None):
    """Connections the server holds on port: ESTABLISHED or CLOSE_WAIT
    (the peer closed, the server not yet), optionally from one address."""
    n = 0
    want = _hex_addr(remote) if remote else None
    with open("/proc/net/tcp") as fh:
        next(fh)
        for line in fh:
            f = line.split()
            lport = int(f[1].split(":")[1], 16)
            if lport != port or f[3] not in ("01", "08"):
                continue
            if want and f[2].split(":")[0] != want:
                continue
            n += 1
    return n


def alive(pid):
    try:
        with open("/proc/%d/status" % pid) as fh:
            for line in fh:
                if line.startswith("State:"):
                    return "Z" not in line.split()[1]
    except OSError:
        return False
    return True


def ready_count(spool):
    return len(os.listdir(os.path.join(spool, "ready")))


def tmp_count(spool):
    return len(os.listdir(os.path.join(spool, "tmp")))


# ---- plain HTTP ----------------------------------------------------------


def request(port, method, path, body=None, headers=None, src=NORMAL_SRC,
            timeout=REQ_TIMEOUT):
    """One request on a fresh connection: (status or None, headers, body,
    milliseconds, error)."""
    c = http.client.HTTPConnection(HOST, port, timeout=timeout,
                                   source_address=(src, 0))
    t = time.monotonic()
    status, hdrs, data, err = None, {}, b"", ""
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        status, hdrs = r.status, dict(r.getheaders())
    except (OSError, http.client.HTTPException) as e:
        err = type(e).__name__
    finally:
        c.close()
    return status, hdrs, data, (time.monotonic() - t) * 1000, err


def post_form(port, path, body, headers, src=NORMAL_SRC):
    """Posts a form as a browser does: when the answer is the check page,
    sends the draft it holds. Returns what request() returns, for the last
    answer, with the two requests' time."""
    st, h, data, ms, err = request(port, "POST", path, body, headers, src=src)
    send = intake_lib.send_body(st, data)
    if not send:
        return st, h, data, ms, err
    st, h, data, ms2, err = request(
        port, "POST", path, send,
        {"Content-Type": "application/x-www-form-urlencoded"}, src=src)
    return st, h, data, ms + ms2, err


def raw_exchange(port, src, data, timeout, chunk=65536):
    """Connects from src, sends data (while reading), reads until the server
    closes or timeout. Returns (first status or None, seconds until closed or
    None when still open, bytes received)."""
    s = socket.socket()
    s.bind((src, 0))
    s.settimeout(timeout)
    t = time.monotonic()
    got = bytearray()
    closed_at = None
    try:
        s.connect((HOST, port))
        s.setblocking(False)
        sel = selectors.DefaultSelector()
        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE)
        off = 0
        while time.monotonic() - t < timeout:
            ev = sel.select(0.2)
            for _, mask in ev:
                if mask & selectors.EVENT_READ:
                    try:
                        d = s.recv(65536)
                    except (ConnectionResetError, BrokenPipeError):
                        d = b""
                    if not d:
                        closed_at = time.monotonic() - t
                        break
                    got += d
                if mask & selectors.EVENT_WRITE and off < len(data):
                    try:
                        off += s.send(data[off:off + chunk])
                    except (ConnectionResetError, BrokenPipeError):
                        off = len(data)
            if closed_at is not None:
                break
            if off >= len(data):
                sel.modify(s, selectors.EVENT_READ)
        sel.close()
    except OSError:
        closed_at = time.monotonic() - t
    finally:
        s.close()
    return parse_status(bytes(got)), closed_at, len(got)


def parse_status(resp):
    if resp.startswith(b"HTTP/1.") and len(resp) >= 12:
        try:
            return int(resp[9:12])
        except ValueError:
            return None
    return None


def sum_exchanges(res, results, count_key, tally_key, tally):
    """Adds to res, for each NAME in results (a list of (status, seconds
    until the server closed or None) per exchange): NAME+count_key, how
    many; NAME_statuses, the statuses seen; NAME+tally_key, how many
    tally(status, closed) holds for; NAME_max_s, the longest until closed
    (99 when one was not). Returns res."""
    for name, rs in results.items():
        res[name + count_key] = len(rs)
        res[name + "_statuses"] = ",".join(sorted({str(s) for s, _ in rs}))
        res[name + tally_key] = sum(1 for s, c in rs if tally(s, c))
        res[name + "_max_s"] = round(max((c if c is not None else 99)
                                         for _, c in rs), 1)
    return res


# ---- the normal client (its own process) -------------------------------


def normal_client(a):
    """GET / and POST the valid form, until stdin closes or MAX_RUN."""
    stop = threading.Event()

    def watch():
        sys.stdin.read()
        stop.set()

    threading.Thread(target=watch, daemon=True).start()
    end = time.monotonic() + MAX_RUN
    lat, bad = [], []
    gets = posts = p303 = 0
    last_post = 0.0
    hdr = {"Content-Type": "application/x-www-form-urlencoded"}
    print("ready", flush=True)
    while not stop.is_set() and time.monotonic() < end:
        st, _, body, ms, err = request(a.port, "GET", "/")
        gets += 1
        lat.append(ms)
        if st != 200 or b"<html" not in body:
            bad.append("GET / %s %s" % (st, err))
        if time.monotonic() - last_post >= a.post_every:
            last_post = time.monotonic()
            st, h, _, ms, err = post_form(a.port, "/submit/" + a.form,
                                          a.body.encode(), hdr)
            posts += 1
            lat.append(ms)
            if st == 303 and "/received?ref=" in h.get("Location", ""):
                p303 += 1
            else:
                bad.append("POST %s %s" % (st, err))
        stop.wait(0.05)
    lat.sort()
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] if lat else -1
    print(json.dumps({"gets": gets, "posts": posts, "p303": p303,
                      "bad": bad, "p50": q(0.50), "p99": q(0.99),
                      "max": lat[-1] if lat else -1}))


class Watch:
    """The normal client, the server's peak fds and connections, the
    baseline wait, for one attack."""

    def __init__(self, a):
        self.a = a
        self.proc = None
        self.peak_fds = self.peak_conns = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._sample, daemon=True)
        self.ready0 = ready_count(a.spool)
        self.normal = {}

    def _sample(self):
        while not self._stop.is_set():
            try:
                self.peak_fds = max(self.peak_fds, server_fds(self.a.pid))
                self.peak_conns = max(self.peak_conns,
                                      server_conns(self.a.port))
            except OSError:
                pass
            self._stop.wait(0.2)

    def start(self):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--port",
             str(self.a.port), "--form", self.a.form, "--body", self.a.body,
             "--post-every", str(self.a.post_every), "normal"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self._t.start()
        self.proc.stdout.readline()  # "ready": the attack starts now

    def stop_normal(self):
        if not self.proc:
            return
        out, _ = self.proc.communicate(input="", timeout=REQ_TIMEOUT * 3)
        self.normal = json.loads(out)
        self.proc = None

    def wait_baseline(self, limit):
        """Seconds until fds and connections are back at the baseline, or
        -1 when they are not within limit seconds."""
        self._stop.set()
        t = time.monotonic()
        while True:
            el = time.monotonic() - t
            if (server_fds(self.a.pid) == self.a.base_fds
                    and server_conns(self.a.port) == 0):
                return round(el, 2)
            if el > limit:
                return -1
            time.sleep(0.1)

    def report(self, res):
        n = self.normal
        res.update({
            "normal_gets": n.get("gets", 0), "normal_posts": n.get("posts", 0),
            "normal_303": n.get("p303", 0), "normal_bad": len(n.get("bad", [])),
            "normal_bad_first": (n.get("bad") or ["-"])[0].replace(" ", "_"),
            "normal_p50_ms": round(n.get("p50", -1)),
            "normal_p99_ms": round(n.get("p99", -1)),
            "normal_max_ms": round(n.get("max", -1)),
            "peak_fds": self.peak_fds, "peak_conns": self.peak_conns,
            "fds_after": server_fds(self.a.pid),
            "conns_after": server_conns(self.a.port),
            "rss_kb": server_rss_kb(self.a.pid),
            "ready_delta": ready_count(self.a.spool) - self.ready0,
            "tmp_after": tmp_count(self.a.spool),
            "alive": int(alive(self.a.pid)),
        })
        for k, v in res.items():
            print("%s=%s" % (k, v))


# ---- 1. slowloris ----------------------------------------------------------


def open_from(port, src, n):
    out = []
    for _ in range(n):
        s = socket.socket()
        s.bind((src, 0))
        s.settimeout(5)
        try:
            s.connect((HOST, port))
        except OSError:
            s.close()
            continue
        s.setblocking(False)
        out.append(s)
    return out


def slowloris(a, w, body_mode):
    """200 connections from 8 addresses trickle a request one byte a second
    (the headers, or a POST's body after whole headers), then go silent.
    40 more from one address test the per-address limit."""
    net = 1 if not body_mode else 2
    res = {}
    w.start()
    socks = []
    for i in range(1, 9):
        socks += open_from(a.port, attacker(net, i), 25)
    extra_src = attacker(net, 9)
    extra = open_from(a.port, extra_src, 40)
    res["attack_conns"] = len(socks)
    res["extra_conns"] = len(extra)
    if body_mode:
        head = ("POST /submit/%s HTTP/1.1\r\nHost: %s\r\nContent-Type: "
                "application/x-www-form-urlencoded\r\nContent-Length: 100000"
                "\r\n\r\n" % (a.form, HOST)).encode()
        for s in socks:
            s.send(head)
        trickle = b"what_happened=" + b"a" * 1000
    else:
        trickle = (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow\r\n"
                   b"X-Slow: " + b"a" * 1000)
    open_socks = {s: 0 for s in socks}  # socket -> bytes sent
    closed_at = {}
    t0 = time.monotonic()

    def reap():
        for s in list(open_socks):
            try:
                d = s.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                d = b""
            if not d:
                closed_at[s] = time.monotonic() - t0
                del open_socks[s]

    held_mid = 0
    for sec in range(a.trickle):
        if not open_socks:
            break  # all cut by the server: nothing left to trickle
        for s in list(open_socks):
            try:
                s.send(trickle[open_socks[s]:open_socks[s] + 1])
                open_socks[s] += 1
            except OSError:
                closed_at[s] = time.monotonic() - t0
                del open_socks[s]
        if sec < 2:
            # The extra ones send nothing: those over the per-address
            # limit are closed at once, the rest at the idle timeout.
            held = server_conns(a.port, extra_src)
            res["extra_held"] = min(res.get("extra_held", held), held)
        if sec == a.trickle - 1:
            held_mid = server_conns(a.port)
        time.sleep(1)
        reap()
    res["trickle_s"] = a.trickle
    res["held_end_of_trickle"] = held_mid
    res["cut_while_trickling"] = len(closed_at)
    res["cut_max_s"] = round(max(closed_at.values()), 1) if closed_at else -1
    # Silence: the server must close every one within its idle timeout.
    w.stop_normal()
    t1 = time.monotonic()
    while open_socks and time.monotonic() - t1 < a.timeout + SLACK:
        time.sleep(0.1)
        reap()
    res["silent_closed_by_server"] = len(socks) - len(open_socks)
    res["silent_close_s"] = round(time.monotonic() - t1, 1)
    res["freed_s"] = w.wait_baseline(a.timeout + SLACK)
    for s in socks + extra:
        s.close()
    if res["freed_s"] < 0:
        res["freed_s"] = w.wait_baseline(1)
    return res


# ---- 2. huge headers --------------------------------------------------------


def huge_headers(a, w):
    w.start()
    big = (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * (1 << 20)
           + b"\r\n\r\n")
    many = (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + b"".join(b"X-H%d: v\r\n" % i for i in range(10000)) + b"\r\n")
    results = {"big": [], "many": []}
    lock = threading.Lock()

    t0 = time.monotonic()

    def one(i):
        # at least 2 rounds, then on for 3 seconds, at most 8 rounds,
        # paced so that the normal client is served beside them for those
        # 3 seconds however quickly each is refused
        for k in range(8):
            if k >= 2 and time.monotonic() - t0 > 3:
                break
            for name, data in (("big", big), ("many", many)):
                st, closed, _ = raw_exchange(a.port, attacker(3, i), data,
                                             a.timeout + SLACK)
                with lock:
                    results[name].append((st, closed))
            time.sleep(max(0.0, t0 + 0.4 * (k + 1) - time.monotonic()))

    th = [threading.Thread(target=one, args=(i,)) for i in range(1, 5)]
    for t in th:
        t.start()
    for t in th:
        t.join()
    w.stop_normal()
    # refused: a 4xx, or closed without an answer; never a 2xx
    res = sum_exchanges(
        {}, results, "_sent", "_refused",
        lambda s, c: (s is not None and 400 <= s < 500) or (s is None and c is not None))
    res["freed_s"] = w.wait_baseline(a.timeout + SLACK)
    return res


# ---- 3. bodies longer and shorter than declared --------------------------


def lengths(a, w):
    w.start()
    bnd = "XhostileX"
    mp_head = lambda n: ("POST /submit/%s HTTP/1.1\r\nHost: %s\r\nContent-Type: "
                         "multipart/form-data; boundary=%s\r\nContent-Length: "
                         "%d\r\n\r\n" % (a.form, HOST, bnd, n)).encode()
    ue_head = lambda n: ("POST /submit/%s HTTP/1.1\r\nHost: %s\r\nContent-Type: "
                         "application/x-www-form-urlencoded\r\nContent-Length: "
                         "%d\r\n\r\n" % (a.form, HOST, n)).encode()
    ue100 = b"what_happened=" + b"x" * 86
    mp = ("--%s\r\nContent-Disposition: form-data; name=\"what_happened\""
          "\r\n\r\n" % bnd).encode()
    mp100 = mp + b"y" * (100 - len(mp))
    junk = b"y" * (10 * 1024 * 1024)
    filepart = ("--%s\r\nContent-Disposition: form-data; name=\"files\"; "
                "filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
                % bnd).encode() + b"%PDF-1.4\n" + b"z" * 65536
    cases = {
        "longer_ue": ue_head(100) + ue100 + junk,
        "longer_mp": mp_head(100) + mp100 + junk,
        "shorter_ue": ue_head(1000) + b"what_happ=",
        "shorter_mp": mp_head(1 << 20) + filepart,
    }
    results = {k: [] for k in cases}
    lock = threading.Lock()
    tmp_seen = [0]

    def one(name, i):
        st, closed, _ = raw_exchange(a.port, attacker(4, i), cases[name],
                                     a.timeout + SLACK + 2)
        with lock:
            results[name].append((st, closed))

    th = []
    for i in range(1, 5):
        for name in cases:
            th.append(threading.Thread(target=one, args=(name, i)))
    for t in th:
        t.start()
    while any(t.is_alive() for t in th):
        tmp_seen[0] = max(tmp_seen[0], tmp_count(a.spool))
        time.sleep(0.1)
    w.stop_normal()
    res = sum_exchanges({"tmp_during": tmp_seen[0]}, results, "_n", "_closed",
                        lambda s, c: c is not None)
    res["freed_s"] = w.wait_baseline(a.timeout + SLACK)
    return res


# ---- 4. many parts ------------------------------------------------------------


def many_parts(a, w):
    w.start()
    bnd = "XpartsX"
    names = [b"what_happened", b"impact", b"f%d"]
    mp = bytearray()
    for i in range(100000):
        n = names[i % 3] % i if i % 3 == 2 else names[i % 3]
        mp += (b"--" + bnd.encode() + b"\r\nContent-Disposition: form-data; "
               b"name=\"" + n + b"\"\r\n\r\nx\r\n")
    mp += b"--" + bnd.encode() + b"--\r\n"
    ue = b"&".join((b"what_happened=x" if i % 2 else b"f%d=x" % i)
                   for i in range(100000))
    res = {"mp_bytes": len(mp), "ue_bytes": len(ue)}
    statuses, times = [], []
    rss = []
    for rnd in range(a.rounds):
        out = {}

        def one(key, body, ctype, src):
            st, _, _, ms, err = request(a.port, "POST", "/submit/" + a.form,
                                        bytes(body), {"Content-Type": ctype},
                                        src=src, timeout=30)
            out[key] = (st, ms)

        th = [threading.Thread(target=one, args=(
                  "mp", mp, "multipart/form-data; boundary=" + bnd,
                  attacker(5, 1))),
              threading.Thread(target=one, args=(
                  "ue", ue, "application/x-www-form-urlencoded",
                  attacker(5, 2)))]
        for t in th:
            t.start()
        for t in th:
            t.join()
        for k in ("mp", "ue"):
            statuses.append("%s:%s" % (k, out[k][0]))
            times.append(out[k][1])
        time.sleep(0.3)
        rss.append(server_rss_kb(a.pid))
    # Long values held: 8 bodies of 20 MB of one field's value repeated,
    # all but the last bytes sent; what the server holds must not grow
    # with the values it has read.
    val = b"what_happened=" + b"a" * 60000
    held = b"&".join([val] * 330)
    head = ("POST /submit/%s HTTP/1.1\r\nHost: %s\r\nContent-Type: "
            "application/x-www-form-urlencoded\r\nContent-Length: %d\r\n"
            "\r\n" % (a.form, HOST, len(held) + 10)).encode()
    rss0 = server_rss_kb(a.pid)
    socks = []

    def hold(i):
        s = socket.socket()
        s.bind((attacker(5, 10 + i), 0))
        s.settimeout(10)
        try:
            s.connect((HOST, a.port))
            s.sendall(head + held)
        except OSError:
            pass
        socks.append(s)

    th = [threading.Thread(target=hold, args=(i,)) for i in range(8)]
    for t in th:
        t.start()
    for t in th:
        t.join()
    peak = rss0
    for _ in range(10):
        peak = max(peak, server_rss_kb(a.pid))
        time.sleep(0.1)
    res["held_bytes"] = len(held) * len(th)
    res["held_rss_growth_kb"] = peak - rss0
    for s in socks:
        s.close()
    w.stop_normal()
    res["statuses"] = ",".join(sorted(set(statuses)))
    res["refused"] = sum(1 for s in statuses if s.split(":")[1] in
                         ("400", "413", "422"))
    res["sent"] = len(statuses)
    res["max_ms"] = round(max(times))
    res["rss_rounds_kb"] = ",".join(str(r) for r in rss)
    res["rss_growth_kb"] = rss[-1] - rss[0]
    res["freed_s"] = w.wait_baseline(a.timeout + SLACK)
    return res


# ---- 5. flood -----------------------------------------------------------------


def flood(a, w):
    w.start()
    gets = {"200": 0, "other": 0, "errors": 0}
    posts = {"429": 0, "422": 0, "other": 0, "retry_after": 0}
    lock = threading.Lock()
    src_get, src_post = attacker(6, 1), attacker(6, 2)

    def getter(n):
        c = None
        for _ in range(n):
            if c is None:
                c = http.client.HTTPConnection(HOST, a.port, timeout=REQ_TIMEOUT,
                                               source_address=(src_get, 0))
            try:
                c.request("GET", "/")
                r = c.getresponse()
                r.read()
                k = "200" if r.status == 200 else "other"
            except (OSError, http.client.HTTPException):
                k = "errors"
                c.close()
                c = None
            with lock:
                gets[k] += 1
        if c:
            c.close()

    def poster(n):
        for _ in range(n):
            st, h, _, _, _ = request(
                a.port, "POST", "/submit/" + a.form, b"what_happened=x",
                {"Content-Type": "application/x-www-form-urlencoded"},
                src=src_post)
            with lock:
                k = str(st) if st in (422, 429) else "other"
                posts[k] += 1
                if st == 429 and h.get("Retry-After", "").isdigit() and \
                        int(h["Retry-After"]) >= 1:
                    posts["retry_after"] += 1

    t0 = time.monotonic()
    th = [threading.Thread(target=getter, args=(125,)) for _ in range(16)]
    th += [threading.Thread(target=poster, args=(40,)) for _ in range(4)]
    for t in th:
        t.start()
    for t in th:
        t.join()
    res = {"flood_s": round(time.monotonic() - t0, 1)}
    w.stop_normal()
    for k, v in gets.items():
        res["get_" + k] = v
    for k, v in posts.items():
        res["post_" + k] = v
    res["freed_s"] = w.wait_baseline(a.timeout + SLACK)
    return res


ATTACKS = {
    "slowloris": lambda a, w: slowloris(a, w, False),
    "slowbody": lambda a, w: slowloris(a, w, True),
    "headers": huge_headers,
    "lengths": lengths,
    "parts": many_parts,
    "flood": flood,
}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pid", type=int)
    p.add_argument("--spool")
    p.add_argument("--form", default="complaint")
    p.add_argument("--body", default="")
    p.add_argument("--timeout", type=int, default=3)
    p.add_argument("--base-fds", type=int)
    p.add_argument("--post-every", type=float, default=1.5)
    p.add_argument("--trickle", type=int, default=6)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("what", choices=sorted(ATTACKS) + ["normal", "fds"])
    a = p.parse_args()
    threading.Timer(MAX_RUN, lambda: os._exit(3)).start()
    if a.what == "normal":
        normal_client(a)
    elif a.what == "fds":
        print(server_fds(a.pid), server_rss_kb(a.pid))
    else:
        w = Watch(a)
        try:
            w.report(ATTACKS[a.what](a, w))
        finally:
            if w.proc:
                w.proc.kill()
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
