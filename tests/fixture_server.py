#!/usr/bin/python3
"""Fixture HTTP server for llmref tests: serves saved provider pages on 127.0.0.1.

Usage:
    fixture_server.py --root DIR [--port 0] [--port-file FILE] [--log FILE]

Binds 127.0.0.1 only.  With --port 0 (the default) the kernel picks a free
port; once the server is listening the port number is written to --port-file
atomically (temp file + rename), so a shell script can wait for that file.
SIGTERM and SIGINT stop the server cleanly (exit status 0).

URL mapping (Python 3.11 standard library only, HTTP/1.1, keep-alive):
    GET|HEAD /<host>/<path...>  ->  DIR/<host>/<path...>
e.g. /openrouter.ai/api/v1/models -> DIR/openrouter.ai/api/v1/models.  The
query string is ignored for the lookup.  A path with an empty, "." or ".."
segment (after percent-decoding), a backslash or a NUL, or one that does not
name a regular file, is a 404.  Content-Type is application/json when the
file's first non-space byte is "{" or "[", else text/html; charset=utf-8.
Every file response carries a strong ETag ('"' + first 32 hex digits of the
sha256 of the body + '"') and Last-Modified (the file's mtime).
If-None-Match (checked first; a list or "*" is fine) and If-Modified-Since
give a 304 with the ETag and no body when they match.

Log: one line per request to --log (default stderr), tab-separated, flushed:
    METHOD  PATH  STATUS  inm=<If-None-Match>  ims=<If-Modified-Since>  ua=<User-Agent>
with "-" for an absent header, e.g.
    GET	/openrouter.ai/api/v1/models	304	inm="1f0c..."	ims=-	ua=llmref/0.1
The line is written when the status line is sent (so a stalled reply is
logged at once).

Misbehaviour on command: /_mis/<mode>/<host>/<path...> names the same file as
/<host>/<path...> but the reply misbehaves.  Conditional headers are ignored
in these modes (except fail-once after its failure).  Modes:
    status-NNN      reply NNN (200-599) with a short text body
    retry-after-N   429 with "Retry-After: N"
    slow            normal headers, then the body dripped one byte every 2 s
    stall           normal headers (full Content-Length), then nothing for
                    120 s, then close
    truncate        Content-Length of the full body, half the body, then a
                    clean close (FIN)
    reset           half the body, then close with SO_LINGER 0 (TCP RST)
    redirect-loop   302 to itself
    redirect-file   302 to file:///etc/passwd
    redirect-ok     302 to http://127.0.0.1:PORT/<host>/<path...> (the
                    normal URL of the same file, query string kept)
    gzip-bomb       Content-Encoding: gzip; a ~64 KiB gzip body that inflates
                    to 64 MiB of zero bytes (built once, in memory)
    big             200, a 20 MiB body of "a" characters as text/html
    fail-once       the first request for this path is a 500; later ones
                    are served normally (ETag/304 included); state per path,
                    in memory, for the life of the server
Modes that send the file (slow, stall, truncate, reset, fail-once) 404 when
it does not exist; the others do not look at it.  An unknown mode is a 404.
"""

import argparse
import email.utils
import hashlib
import os
import re
import signal
import socket
import struct
import sys
import threading
import time
import urllib.parse
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHUNK = 64 * 1024
BIG_SIZE = 20 * 1024 * 1024
BOMB_SIZE = 64 * 1024 * 1024

_lazy_lock = threading.Lock()
_lazy = {}


def lazy(name, build):
    """Build a constant body once, on first use."""
    with _lazy_lock:
        if name not in _lazy:
            _lazy[name] = build()
        return _lazy[name]


def build_bomb():
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip wrapper
    zeros = bytes(1024 * 1024)
    parts = [comp.compress(zeros) for _ in range(BOMB_SIZE // len(zeros))]
    parts.append(comp.flush())
    return b"".join(parts)


def content_type(body):
    if body.lstrip()[:1] in (b"{", b"["):
        return "application/json"
    return "text/html; charset=utf-8"


class File:
    """A file under the root, read whole, with its validators."""

    def __init__(self, path):
        with open(path, "rb") as f:
            self.body = f.read()
            mtime = os.fstat(f.fileno()).st_mtime
        self.mtime = int(mtime)
        self.etag = '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'
        self.last_modified = email.utils.formatdate(self.mtime, usegmt=True)
        self.ctype = content_type(self.body)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 300  # idle keep-alive connections

    def version_string(self):
        return "llmref-fixture/1"

    # ---- logging -------------------------------------------------------

    def log_request(self, code="-", size="-"):
        code = getattr(code, "value", code)
        hdrs = getattr(self, "headers", None)

        def h(name):
            v = hdrs.get(name) if hdrs is not None else None
            if v is None:
                return "-"
            return re.sub(r"[\x00-\x1f\x7f]", "?", v)

        path = re.sub(r"[\x00-\x20\x7f]", "?", getattr(self, "path", "") or "-")
        self.server.log("%s\t%s\t%s\tinm=%s\tims=%s\tua=%s" % (
            getattr(self, "command", None) or "-", path, code,
            h("If-None-Match"), h("If-Modified-Since"), h("User-Agent")))

    def log_message(self, fmt, *args):
        sys.stderr.write("fixture_server: %s\n" % (fmt % args))

    # ---- helpers -------------------------------------------------------

    def segments(self):
        """Decoded path segments, or None when the path is not acceptable."""
        raw = urllib.parse.urlsplit(self.path).path
        path = urllib.parse.unquote(raw, errors="strict")
        if not path.startswith("/"):
            return None
        segs = path[1:].split("/")
        for s in segs:
            if s in ("", ".", "..") or "\\" in s or "\0" in s:
                return None
        return segs

    def open_file(self, segs):
        if not segs:
            return None
        path = os.path.join(self.server.root, *segs)
        if not os.path.isfile(path):
            return None
        try:
            return File(path)
        except OSError:
            return None

    def local_url(self, path):
        return "http://127.0.0.1:%d%s" % (self.server.server_address[1], path)

    def write(self, data):
        if self.command != "HEAD" and data:
            self.wfile.write(data)

    def reply(self, code, body=b"", ctype="text/plain; charset=utf-8",
              headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        if code not in (204, 304):
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if code not in (204, 304):
            self.write(body)

    def not_found(self):
        self.reply(404, b"404 not found\n")

    def file_headers(self, f, length=None):
        self.send_header("Content-Type", f.ctype)
        self.send_header("Content-Length", str(len(f.body) if length is None else length))
        self.send_header("ETag", f.etag)
        self.send_header("Last-Modified", f.last_modified)

    def not_modified(self, f):
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = [t.strip() for t in inm.split(",")]
            strip = lambda t: t[2:] if t.startswith("W/") else t
            return "*" in tags or strip(f.etag) in [strip(t) for t in tags]
        ims = self.headers.get("If-Modified-Since")
        if ims is not None:
            try:
                when = email.utils.parsedate_to_datetime(ims)
            except (TypeError, ValueError, IndexError):
                return False
            if when is None or when.tzinfo is None:
                return False
            return f.mtime <= when.timestamp()
        return False

    def serve(self, f, conditional=True):
        if conditional and self.not_modified(f):
            self.send_response(304)
            self.send_header("ETag", f.etag)
            self.send_header("Last-Modified", f.last_modified)
            self.end_headers()
            return
        self.send_response(200)
        self.file_headers(f)
        self.end_headers()
        self.write(f.body)

    # ---- dispatch ------------------------------------------------------

    def do_GET(self):
        try:
            segs = self.segments()
        except UnicodeDecodeError:
            segs = None
        if segs is None:
            return self.not_found()
        if segs[0] == "_mis":
            if len(segs) < 3:
                return self.not_found()
            mode, rest = segs[1], segs[2:]
            fn, arg = MODES.get(mode), None
            if fn is None:
                m = re.fullmatch(r"(status|retry-after)-(\d{1,9})", mode)
                if m:
                    fn, arg = MODES[m.group(1) + "-N"], int(m.group(2))
            if fn is None:
                return self.not_found()
            return fn(self, rest, arg)
        f = self.open_file(segs)
        if f is None:
            return self.not_found()
        self.serve(f)

    do_HEAD = do_GET


# ---- misbehaviour modes: fn(handler, rest_segments, numeric_arg) -----------

def mis_status(h, rest, code):
    if not 200 <= code <= 599:
        return h.not_found()
    h.reply(code, b"status %d\n" % code)


def mis_retry_after(h, rest, secs):
    h.reply(429, b"429 too many requests, retry after %d s\n" % secs,
            headers=[("Retry-After", str(secs))])


def mis_slow(h, rest, _):
    f = h.open_file(rest)
    if f is None:
        return h.not_found()
    h.send_response(200)
    h.file_headers(f)
    h.end_headers()
    if h.command == "HEAD":
        return
    for i in range(len(f.body)):
        h.wfile.write(f.body[i:i + 1])
        time.sleep(2)


def mis_stall(h, rest, _):
    f = h.open_file(rest)
    if f is None:
        return h.not_found()
    h.send_response(200)
    h.file_headers(f)
    h.end_headers()
    h.close_connection = True
    if h.command != "HEAD":
        time.sleep(120)


def mis_truncate(h, rest, _):
    f = h.open_file(rest)
    if f is None:
        return h.not_found()
    h.send_response(200)
    h.file_headers(f)
    h.end_headers()
    h.close_connection = True
    h.write(f.body[:len(f.body) // 2])
    try:
        h.connection.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def mis_reset(h, rest, _):
    f = h.open_file(rest)
    if f is None:
        return h.not_found()
    h.send_response(200)
    h.file_headers(f)
    h.end_headers()
    h.close_connection = True
    h.write(f.body[:len(f.body) // 2])
    time.sleep(0.2)  # let the half body reach the peer; RST drops unsent data
    sock = h.connection
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    # close the fd now (the makefile() wrappers would keep it open and the
    # server would shutdown(SHUT_WR) it, sending a FIN before the RST)
    os.close(sock.detach())


def mis_redirect(h, location):
    h.reply(302, b"302 found: %s\n" % location.encode(), headers=[("Location", location)])


def mis_redirect_loop(h, rest, _):
    mis_redirect(h, h.local_url(h.path))


def mis_redirect_file(h, rest, _):
    mis_redirect(h, "file:///etc/passwd")


def mis_redirect_ok(h, rest, _):
    query = urllib.parse.urlsplit(h.path).query
    path = "/" + "/".join(urllib.parse.quote(s) for s in rest)
    mis_redirect(h, h.local_url(path + ("?" + query if query else "")))


def mis_gzip_bomb(h, rest, _):
    bomb = lazy("bomb", build_bomb)
    f = h.open_file(rest)
    h.reply(200, bomb, ctype=f.ctype if f else "text/html; charset=utf-8",
            headers=[("Content-Encoding", "gzip")])


def mis_big(h, rest, _):
    big = lazy("big", lambda: b"a" * BIG_SIZE)
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("Content-Length", str(len(big)))
    h.end_headers()
    if h.command == "HEAD":
        return
    view = memoryview(big)
    for i in range(0, len(big), CHUNK):
        h.wfile.write(view[i:i + CHUNK])


def mis_fail_once(h, rest, _):
    f = h.open_file(rest)
    if f is None:
        return h.not_found()
    key = "/".join(rest)
    with h.server.state_lock:
        first = key not in h.server.failed_once
        h.server.failed_once.add(key)
    if first:
        return h.reply(500, b"500 internal server error (fail-once)\n")
    h.serve(f)


MODES = {
    "status-N": mis_status,
    "retry-after-N": mis_retry_after,
    "slow": mis_slow,
    "stall": mis_stall,
    "truncate": mis_truncate,
    "reset": mis_reset,
    "redirect-loop": mis_redirect_loop,
    "redirect-file": mis_redirect_file,
    "redirect-ok": mis_redirect_ok,
    "gzip-bomb": mis_gzip_bomb,
    "big": mis_big,
    "fail-once": mis_fail_once,
}


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, addr, root, logfile):
        super().__init__(addr, Handler)
        self.root = root
        self.logfile = logfile
        self.log_lock = threading.Lock()
        self.state_lock = threading.Lock()
        self.failed_once = set()

    def log(self, line):
        with self.log_lock:
            self.logfile.write(line + "\n")
            self.logfile.flush()

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, socket.timeout, OSError)):
            return  # the client went away or we reset it on purpose
        super().handle_error(request, client_address)


def write_port_file(path, port):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description="llmref test fixture HTTP server (127.0.0.1 only)")
    ap.add_argument("--root", required=True, help="directory holding <host>/<path> files")
    ap.add_argument("--port", type=int, default=0, help="TCP port, 0 for any free one")
    ap.add_argument("--port-file", help="write the listening port here (atomically)")
    ap.add_argument("--log", help="append one line per request here (default stderr)")
    args = ap.parse_args()

    root = os.path.abspath(args.root)
    if not os.path.isdir(root):
        ap.error("--root %s is not a directory" % args.root)
    logfile = open(args.log, "a", encoding="utf-8") if args.log else sys.stderr

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    server = Server(("127.0.0.1", args.port), root, logfile)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                              daemon=True)
    thread.start()
    if args.port_file:
        write_port_file(args.port_file, server.server_address[1])
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    if logfile is not sys.stderr:
        logfile.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
