"""The HTTP side of the Python adapters: the FIDO2 server conformance API on the standard library.

An adapter hands serve() its four handlers; this module reads and parses the request (at most MAX_BODY
bytes), finds or creates the session (a `session` cookie), runs the handler and writes the JSON reply:

- a handler is called as handler(session, body) with the session's dict, under one lock that serialises
  every handler call (so the adapter's own in-memory store needs no lock of its own), and returns a dict
  that becomes the reply with status "ok";
- a path ending in "/result" is a result call: without a known session it fails with 400 "no session",
  and its body is passed whatever JSON it is; an options call needs a JSON object and creates the session
  (Set-Cookie) when there is none;
- Failed(message) and any other exception become 400 {"status": "failed", "errorMessage": ...}, never a 5xx;
  a body that is not JSON is 400, an unknown path 404, a body larger than MAX_BODY 413.

Stdlib only: it is imported by putting this folder on sys.path (see the adapters' server.py).
"""

import json
import secrets
import sys
import threading
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 1 << 20
COOKIE = "session"


class Failed(Exception):
    """A request the adapter rejects with 400 and this message."""


def describe(exc):
    """A deterministic one-line message for an exception and its causes."""
    parts = []
    seen = 0
    while exc is not None and seen < 4:
        text = str(exc).strip() or type(exc).__name__
        parts.append(f"{type(exc).__name__}: {text}")
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return " <- ".join(parts)


def port_from_argv():
    """The PORT of `server.py PORT`; exits with the usage line otherwise."""
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit("usage: server.py PORT")
    return int(sys.argv[1])


def registration_request(req):
    """The username (required), displayName (else the username) and authenticatorSelection (an object, {}
    when absent) of an /attestation/options request."""
    username = req.get("username")
    if not isinstance(username, str) or not username:
        raise Failed("username is required")
    display_name = req.get("displayName")
    if not isinstance(display_name, str):
        display_name = username
    sel = req.get("authenticatorSelection") or {}
    if not isinstance(sel, dict):
        raise Failed("authenticatorSelection must be an object")
    return username, display_name, sel


# Every handler call, and the session table, under one lock.
LOCK = threading.Lock()
SESSIONS = {}  # session id -> the handlers' dict


class Handler(BaseHTTPRequestHandler):
    """Serves the routes of the subclass serve() makes (`routes`: path -> handler)."""

    routes = {}
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY each reply waits out the client's delayed ACK.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def send_json(self, code, obj, cookie=None):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if cookie:
            self.send_header("Set-Cookie", f"{COOKIE}={cookie}; Path=/; HttpOnly; SameSite=Lax")
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        path = self.path.split("?", 1)[0]
        func = self.routes.get(path)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            return self.send_json(413, {"status": "failed", "errorMessage": "body too large"})
        raw = self.rfile.read(length)
        if func is None:
            return self.send_json(404, {"status": "failed", "errorMessage": "not found"})
        is_result = path.endswith("/result")
        try:
            body = json.loads(raw)
        except ValueError:
            return self.send_json(400, {"status": "failed", "errorMessage": "body is not JSON"})

        cookies = SimpleCookie(self.headers.get("Cookie") or "")
        sid = cookies[COOKIE].value if COOKIE in cookies else None
        new_cookie = None
        with LOCK:
            session = SESSIONS.get(sid) if sid else None
            if session is None:
                if is_result:
                    return self.send_json(400, {"status": "failed", "errorMessage": "no session"})
                sid = secrets.token_urlsafe(24)
                session = SESSIONS[sid] = {}
                new_cookie = sid
            try:
                if not is_result and not isinstance(body, dict):
                    raise Failed("request body must be a JSON object")
                out = func(session, body)
            except Failed as exc:
                return self.send_json(400, {"status": "failed", "errorMessage": str(exc)}, new_cookie)
            except Exception as exc:  # never 5xx for a rejected request
                return self.send_json(400, {"status": "failed", "errorMessage": describe(exc)}, new_cookie)
        out.update({"status": "ok", "errorMessage": ""})
        self.send_json(200, out, new_cookie)


def serve(port, routes, name, note=""):
    """Serves `routes` (path -> handler(session, body)) on 127.0.0.1:port until interrupted.

    `name` names the adapter in the Server header and the start-up line, `note` ends that line.
    """
    handler = type(
        "Handler",
        (Handler,),
        {"routes": dict(routes), "server_version": name.replace("_", "-") + "-adapter"},
    )
    httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
    httpd.daemon_threads = True
    suffix = f" ({note})" if note else ""
    print(f"{name} adapter listening on http://127.0.0.1:{port}{suffix}", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
