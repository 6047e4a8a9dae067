#!/usr/bin/python3
"""Fixture HTTP server for llmref tests: serves saved provider pages on loopback.

Usage:
    fixture_server.py --root DIR [--bind 127.0.0.1] [--port 0]
                      [--port-file FILE] [--log FILE]
                      [--tls-cert PEM --tls-key PEM]

Binds --bind (default 127.0.0.1), which must be an IPv4 address literal in
127.0.0.0/8; anything else (a host name, ::1, 0.0.0.0, 10.x...) is refused
with exit status 2.  Tests start several servers on 127.0.0.2, 127.0.0.3...
to act as different hosts.  With --port 0 (the default) the kernel picks a
free port; once the server is listening the port number is written to
--port-file atomically (temp file + rename), so a shell script can wait for
that file.  SIGTERM and SIGINT stop the server cleanly (exit status 0).
With --tls-cert and --tls-key the server speaks HTTPS only (the TLS
handshake is done when a connection is accepted), and its redirects say
https://.

URL mapping (Python 3.11 standard library only, HTTP/1.1, keep-alive):
    GET|HEAD /<host>/<path...>  ->  DIR/<host>/<path...>
e.g. /openrouter.ai/api/v1/models -> DIR/openrouter.ai/api/v1/models.  The
query string is ignored for the lookup, except that a file named
"<path>?<query>" (the query exactly as sent, without "/") is served for
that query first: the pages of a paginated API.  A path with an empty, "." or ".."
segment (after percent-decoding), a backslash or a NUL, or one that does not
name a regular file, is a 404.  A URL that names a folder (with or
without a trailing "/") is served from the file __index__ in it, so a
page can live at a URL that is also a prefix of other pages' URLs
(OpenRouter's /api/v1/models and /api/v1/models/<id>/endpoints).  Content-Type is application/json when the
file's first non-space byte is "{" or "[", else text/html; charset=utf-8.
Every file response carries a strong ETag ('"' + first 32 hex digits of the
sha256 of the body + '"') and Last-Modified (the file's mtime).
If-None-Match (checked first; a list or "*" is fine) and If-Modified-Since
give a 304 with the ETag and no body when they match.

Log: two lines per request to --log (default stderr), tab-separated, flushed:
    T_START  METHOD  PATH  STATUS  inm=<If-None-Match>  ims=<If-Modified-Since>  ua=<User-Agent>  conn=<client port>
    END  T_END  METHOD  PATH  STATUS  bytes=<body bytes sent>  conn=<client port>
with "-" for an absent header (or method), e.g.
    8121.503377	GET	/openrouter.ai/api/v1/models	304	inm="1f0c..."	ims=-	ua=llmref/0.1	conn=41872
    END	8121.503691	GET	/openrouter.ai/api/v1/models	304	bytes=0	conn=41872
T_START and T_END are time.monotonic() seconds with 6 decimals (one clock
for all servers on the machine, so logs of several servers can be merged
and compared): T_START is when the request line was read, T_END when the
response was finished or the connection failed (peer gone, reset, write
timeout).  The start line is written when the status line is sent (so a
stalled reply is logged at once, a delay-S one only after the delay), the
END line after the last byte; lines of concurrent requests interleave, so
pair them by conn= (the client's local port: equal conn= on successive
requests means a reused keep-alive connection) and order.  bytes= counts
body bytes handed to the kernel (0 for HEAD and 304; partial sends
included; it can exceed what the peer read before it went away).  A
request still running when the server is stopped gets no END line; nor
does a connection closed before a request line.

Misbehaviour on command: /_mis/<mode>/<host>/<path...> names the same file as
/<host>/<path...> but the reply misbehaves.  Conditional headers are ignored
in these modes, except in the "served normally" replies of the *-once modes
and in delay-S.  Redirects point at the bound address and port.  Modes:
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
    redirect-to     302 to the URL given (percent-encoded) as the query
                    parameter "to", e.g. /_mis/redirect-to/x/y?to=http%3A%2F%2F
                    169.254.169.254%2F; 404 without one
    bearer          the file only to "Authorization: Bearer TOKEN", where
                    TOKEN is the content (stripped) of the file named by the
                    environment variable LLMREF_FIXTURE_BEARER_FILE, read per
                    request; else 401 with "WWW-Authenticate: Bearer" (404
                    when the variable or the file is missing)
    bearer-echo     the same, and every reply also carries the Authorization
                    it received in "X-Echo-Authorization" (a provider that
                    echoes the key)
    gzip-bomb       Content-Encoding: gzip; a ~64 KiB gzip body that inflates
                    to 64 MiB of zero bytes (built once, in memory)
    big             200, a 20 MiB body of "a" characters as text/html
    big-header      200 with one header line of 200 KiB (X-Padding), then
                    a 2-byte body
    fail-once       the first request for this path is a 500; later ones
                    are served normally (ETag/304 included); state per path,
                    in memory, for the life of the server
    retry-after-once-N
                    the first request is a 429 with "Retry-After: N"; later
                    ones are served normally (ETag/304 included)
    retry-after-date-once-N
                    the same, but Retry-After is an HTTP date N seconds after
                    the request ("Wed, 21 Oct 2015 07:28:00 GMT")
    status-once-NNN the first request is replied NNN (200-599) with a short
                    text body; later ones are served normally
    delay-S         wait S seconds (0 to 30, up to 6 decimals: delay-0.5),
                    then the normal reply (ETag/304 included)
    no-validators   200 with the file but no ETag and no Last-Modified;
                    If-None-Match/If-Modified-Since are ignored
    short-length    Content-Length 100 more than the body, the whole body,
                    then a clean close (FIN)
The state of retry-after-once-N, retry-after-date-once-N and status-once-NNN
is per full decoded URL path, mode included and query string excluded (so
/_mis/status-once-503/h/p and /_mis/status-once-502/h/p each fail once), in
memory, for the life of the server; a 404 does not use up the "once".
Modes that send the file (slow, stall, truncate, reset, fail-once and the
modes above) 404 when it does not exist; the others do not look at it.  An
unknown mode or an out-of-range number is a 404.
"""

import argparse
import email.utils
import hashlib
import io
import ipaddress
import os
import re
import signal
import socket
import socketserver
import struct
import sys
import threading
import time
import urllib.parse
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

INDEX_NAME = "__index__"

CHUNK = 64 * 1024
BIG_SIZE = 20 * 1024 * 1024
BIG_HEADER_SIZE = 200 * 1024
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


class CountingWriter(io.BufferedIOBase):
    """Unbuffered socket writer (like socketserver's) that counts the bytes
    the kernel accepted, partial sends included."""

    def __init__(self, sock):
        self._sock = sock
        self.sent = 0

    def writable(self):
        return True

    def write(self, b):
        data = memoryview(b).cast("B")
        done = 0
        while done < len(data):
            n = self._sock.send(data[done:])
            done += n
            self.sent += n
        return done

    def fileno(self):
        return self._sock.fileno()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 300  # idle keep-alive connections

    def version_string(self):
        return "llmref-fixture/1"

    # ---- logging -------------------------------------------------------

    def setup(self):
        super().setup()
        self.wfile = CountingWriter(self.connection)

    def handle_one_request(self):
        self.t_start = self.status = None
        self.body_start = self.wfile.sent  # HTTP/0.9 errors have no headers
        try:
            super().handle_one_request()
        finally:
            if self.status is not None:
                self.log_end()

    def parse_request(self):
        self.t_start = time.monotonic()  # the request line was just read
        return super().parse_request()

    def flush_headers(self):
        super().flush_headers()
        self.body_start = self.wfile.sent

    def log_fields(self):
        path = re.sub(r"[\x00-\x20\x7f]", "?", getattr(self, "path", "") or "-")
        return "%s\t%s\t%s" % (getattr(self, "command", None) or "-", path, self.status)

    def log_request(self, code="-", size="-"):
        self.status = getattr(code, "value", code)
        if self.t_start is None:  # error before the request line was parsed
            self.t_start = time.monotonic()
        hdrs = getattr(self, "headers", None)

        def h(name):
            v = hdrs.get(name) if hdrs is not None else None
            if v is None:
                return "-"
            return re.sub(r"[\x00-\x1f\x7f]", "?", v)

        self.server.log("%.6f\t%s\tinm=%s\tims=%s\tua=%s\tconn=%d" % (
            self.t_start, self.log_fields(),
            h("If-None-Match"), h("If-Modified-Since"), h("User-Agent"),
            self.client_address[1]))

    def log_end(self):
        self.server.log("END\t%.6f\t%s\tbytes=%d\tconn=%d" % (
            time.monotonic(), self.log_fields(), self.wfile.sent - self.body_start,
            self.client_address[1]))

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
        if len(segs) > 1 and segs[-1] == "":
            segs = segs[:-1] + [INDEX_NAME]  # "/dir/" is "/dir/__index__"
        for s in segs:
            if s in ("", ".", "..") or "\\" in s or "\0" in s:
                return None
        return segs

    def open_file(self, segs):
        if not segs:
            return None
        path = os.path.join(self.server.root, *segs)
        if os.path.isdir(path):
            path = os.path.join(path, INDEX_NAME)
        query = urllib.parse.urlsplit(self.path).query
        if query and "/" not in query and os.path.isfile(path + "?" + query):
            path = path + "?" + query  # a page of a paginated API
        if not os.path.isfile(path):
            return None
        try:
            return File(path)
        except OSError:
            return None

    def local_url(self, path):
        host, port = self.server.server_address[:2]
        return "%s://%s:%d%s" % (self.server.scheme, host, port, path)

    def first_time(self):
        """True for the first request of this decoded URL path (per server)."""
        key = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        with self.server.state_lock:
            first = key not in self.server.seen_once
            self.server.seen_once.add(key)
        return first

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

    def file_headers(self, f, length=None, validators=True):
        self.send_header("Content-Type", f.ctype)
        self.send_header("Content-Length", str(len(f.body) if length is None else length))
        if validators:
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
            fn, arg = mode_function(mode)
            if fn is None:
                return self.not_found()
            return fn(self, rest, arg)
        f = self.open_file(segs)
        if f is None:
            return self.not_found()
        self.serve(f)

    do_HEAD = do_GET


def mode_function(mode):
    """(fn, arg) for a mode name, or (None, None).  MODES keys ending in -N
    take an integer (1-9 digits), those ending in -S seconds (0-30, up to 6
    decimals)."""
    m = re.fullmatch(r"([a-z-]+)-([0-9]{1,9})", mode)
    if m and m.group(1) + "-N" in MODES:
        return MODES[m.group(1) + "-N"], int(m.group(2))
    m = re.fullmatch(r"([a-z-]+)-([0-9]{1,2}(?:\.[0-9]{1,6})?)", mode)
    if m and m.group(1) + "-S" in MODES and float(m.group(2)) <= 30:
        return MODES[m.group(1) + "-S"], float(m.group(2))
    if re.search(r"-[NS]$", mode):
        return None, None
    return MODES.get(mode), None


# ---- misbehaviour modes: fn(handler, rest_segments, numeric_arg) -----------

def mis_status(h, rest, code):
    if not 200 <= code <= 599:
        return h.not_found()
    h.reply(code, b"status %d\n" % code)


def mis_retry_after(h, rest, secs):
    h.reply(429, b"429 too many requests, retry after %d s\n" % secs,
            headers=[("Retry-After", str(secs))])


def mis_retry_after_once(h, rest, secs):
    f = h.open_file(rest)
    if f is None:
        return h.not_found()
    if h.first_time():
        return mis_retry_after(h, rest, secs)
    h.serve(f)


def mis_retry_after_date_once(h, rest, secs):
    f = h.open_file(rest)
    if f is None:
        return h.not_found()
    if h.first_time():
        when = email.utils.formatdate(time.time() + secs, usegmt=True)
        return h.reply(429, b"429 too many requests, retry after %s\n" % when.encode(),
                       headers=[("Retry-After", when)])
    h.serve(f)


def mis_status_once(h, rest, code):
    f = h.open_file(rest)
    if f is None or not 200 <= code <= 599:
        return h.not_found()
    if h.first_time():
        return mis_status(h, rest, code)
    h.serve(f)


def mis_delay(h, rest, secs):
    f = h.open_file(rest)
    if f is None:
        return h.not_found()
    time.sleep(secs)
    h.serve(f)


def mis_no_validators(h, rest, _):
    f = h.open_file(rest)
    if f is None:
        return h.not_found()
    h.send_response(200)
    h.file_headers(f, validators=False)
    h.end_headers()
    h.write(f.body)


def mis_short_length(h, rest, _):
    f = h.open_file(rest)
    if f is None:
        return h.not_found()
    h.send_response(200)
    h.file_headers(f, length=len(f.body) + 100)
    h.end_headers()
    h.close_connection = True
    h.write(f.body)
    try:
        h.connection.shutdown(socket.SHUT_WR)
    except OSError:
        pass


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


def mis_redirect_to(h, rest, _):
    to = urllib.parse.parse_qs(urllib.parse.urlsplit(h.path).query).get("to")
    if not to:
        return h.not_found()
    mis_redirect(h, to[0])


def bearer_expected():
    name = os.environ.get("LLMREF_FIXTURE_BEARER_FILE")
    try:
        with open(name, "r", encoding="utf-8") as f:
            return f.read().strip()
    except (OSError, TypeError):
        return None


def mis_bearer(h, rest, _, echo=False):
    f = h.open_file(rest)
    token = bearer_expected()
    if f is None or not token:
        return h.not_found()
    got = h.headers.get("Authorization")
    extra = [("X-Echo-Authorization", got)] if echo and got is not None else []
    if got != "Bearer " + token:
        return h.reply(401, b"401 unauthorized: a bearer token is required\n",
                       headers=[("WWW-Authenticate", 'Bearer realm="fixture"')] + extra)
    h.send_response(200)
    for k, v in extra:
        h.send_header(k, v)
    h.file_headers(f)
    h.end_headers()
    h.write(f.body)


def mis_bearer_echo(h, rest, arg):
    mis_bearer(h, rest, arg, echo=True)


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


def mis_big_header(h, rest, _):
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.send_header("X-Padding", "a" * BIG_HEADER_SIZE)
    h.send_header("Content-Length", "2")
    h.end_headers()
    if h.command != "HEAD":
        h.wfile.write(b"ok")


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
    "redirect-to": mis_redirect_to,
    "bearer": mis_bearer,
    "bearer-echo": mis_bearer_echo,
    "gzip-bomb": mis_gzip_bomb,
    "big": mis_big,
    "big-header": mis_big_header,
    "fail-once": mis_fail_once,
    "retry-after-once-N": mis_retry_after_once,
    "retry-after-date-once-N": mis_retry_after_date_once,
    "status-once-N": mis_status_once,
    "delay-S": mis_delay,
    "no-validators": mis_no_validators,
    "short-length": mis_short_length,
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
        self.seen_once = set()
        self.scheme = "http"

    def server_bind(self):
        # HTTPServer.server_bind would do a reverse DNS lookup (getfqdn) of
        # the address, which can hang on 127.0.0.2 and the like
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

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
    ap = argparse.ArgumentParser(description="llmref test fixture HTTP server (127.0.0.0/8 only)")
    ap.add_argument("--root", required=True, help="directory holding <host>/<path> files")
    ap.add_argument("--bind", default="127.0.0.1", metavar="ADDR",
                    help="IPv4 address in 127.0.0.0/8 to listen on (default 127.0.0.1)")
    ap.add_argument("--port", type=int, default=0, help="TCP port, 0 for any free one")
    ap.add_argument("--port-file", help="write the listening port here (atomically)")
    ap.add_argument("--log", help="append two lines per request here (default stderr)")
    ap.add_argument("--tls-cert", metavar="PEM", help="serve HTTPS with this certificate")
    ap.add_argument("--tls-key", metavar="PEM", help="and this private key")
    args = ap.parse_args()
    if (args.tls_cert is None) != (args.tls_key is None):
        ap.error("--tls-cert and --tls-key go together")

    try:
        bind = ipaddress.IPv4Address(args.bind)
    except ValueError:
        bind = None
    if bind is None or bind not in ipaddress.IPv4Network("127.0.0.0/8"):
        ap.error("--bind %s is not an IPv4 address in 127.0.0.0/8" % args.bind)
    root = os.path.abspath(args.root)
    if not os.path.isdir(root):
        ap.error("--root %s is not a directory" % args.root)
    logfile = open(args.log, "a", encoding="utf-8") if args.log else sys.stderr

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    server = Server((str(bind), args.port), root, logfile)
    if args.tls_cert:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
        server.scheme = "https"
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
