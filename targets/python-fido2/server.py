"""FIDO2 server conformance API adapter for python-fido2 (PyPI package `fido2`, Yubico).

Usage: python server.py PORT
Serves /attestation/options, /attestation/result, /assertion/options, /assertion/result
on 127.0.0.1:PORT with RP ID "localhost". Origins are checked by Fido2Server's default
verify_origin (the RP ID rules of fido2.rpid.verify_rp_id), as the library's examples use it.
Users, credentials and sessions live in memory.
"""

import json
import secrets
import sys
import threading
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from fido2.server import Fido2Server
from fido2.webauthn import (
    AttestationConveyancePreference,
    AuthenticationResponse,
    AuthenticatorAttachment,
    PublicKeyCredentialRpEntity,
    PublicKeyCredentialUserEntity,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

RP = PublicKeyCredentialRpEntity(name="python-fido2 adapter", id="localhost")
MAX_BODY = 1 << 20
COOKIE = "session"

# Fido2Server takes the attestation conveyance preference per server, not per call:
# one server per preference, all with the library's default origin and attestation handling.
SERVERS = {
    pref.value: Fido2Server(RP, attestation=pref) for pref in AttestationConveyancePreference
}


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


class Store:
    def __init__(self):
        self.lock = threading.Lock()
        # username -> {"id": bytes, "credentials": [AttestedCredentialData]}
        self.users = {}
        self.sessions = {}

    def credential_registered(self, credential_id):
        return any(
            c.credential_id == credential_id
            for user in self.users.values()
            for c in user["credentials"]
        )


STORE = Store()


def enum_or_none(enum, value, what):
    if value is None:
        return None
    member = enum(value)  # fido2's string enums map unknown values to None
    if member is None:
        raise Failed(f"unknown {what} {value!r}")
    return member


def attestation_options(session, req):
    username = req.get("username")
    if not isinstance(username, str) or not username:
        raise Failed("username is required")
    display_name = req.get("displayName")
    if not isinstance(display_name, str):
        display_name = username
    sel = req.get("authenticatorSelection") or {}
    if not isinstance(sel, dict):
        raise Failed("authenticatorSelection must be an object")
    uv = enum_or_none(UserVerificationRequirement, sel.get("userVerification"), "userVerification")
    resident_key = enum_or_none(ResidentKeyRequirement, sel.get("residentKey"), "residentKey")
    if resident_key is None and sel.get("requireResidentKey") is True:
        resident_key = ResidentKeyRequirement.REQUIRED
    attachment = enum_or_none(
        AuthenticatorAttachment, sel.get("authenticatorAttachment"), "authenticatorAttachment"
    )
    attestation = req.get("attestation") or "none"
    server = SERVERS.get(attestation)
    if server is None:
        raise Failed(f"unknown attestation {attestation!r}")
    extensions = req.get("extensions")

    user = STORE.users.get(username)
    user_id = user["id"] if user else secrets.token_bytes(32)
    options, state = server.register_begin(
        PublicKeyCredentialUserEntity(id=user_id, name=username, display_name=display_name),
        user["credentials"] if user else [],
        resident_key_requirement=resident_key,
        user_verification=uv,
        authenticator_attachment=attachment,
        extensions=extensions if isinstance(extensions, dict) else None,
    )
    session["registration"] = {
        "state": state,
        "attestation": attestation,
        "username": username,
        "user_id": user_id,
    }
    return dict(options)["publicKey"]


def attestation_result(session, body):
    pending = session.pop("registration", None)  # a challenge is used once
    if pending is None:
        raise Failed("no registration in progress in this session")
    server = SERVERS[pending["attestation"]]
    try:
        auth_data = server.register_complete(pending["state"], body)
    except Exception as exc:  # the library's rejection
        raise Failed(describe(exc))
    credential = auth_data.credential_data
    # §7.1 step 26: the credential ID must not be registered yet (an RP-side check).
    if STORE.credential_registered(credential.credential_id):
        raise Failed("credential ID is already registered")
    user = STORE.users.setdefault(
        pending["username"], {"id": pending["user_id"], "credentials": []}
    )
    # What the library's examples store: the AttestedCredentialData. No sign count:
    # Fido2Server neither returns nor checks one.
    user["credentials"].append(credential)
    return {}


def assertion_options(session, req):
    username = req.get("username")
    user = STORE.users.get(username) if isinstance(username, str) else None
    if user is None or not user["credentials"]:
        raise Failed("unknown user")
    uv = enum_or_none(
        UserVerificationRequirement, req.get("userVerification") or "preferred", "userVerification"
    )
    extensions = req.get("extensions")
    options, state = SERVERS["none"].authenticate_begin(
        user["credentials"],
        user_verification=uv,
        extensions=extensions if isinstance(extensions, dict) else None,
    )
    session["authentication"] = {"state": state, "username": username}
    return dict(options)["publicKey"]


def assertion_result(session, body):
    pending = session.pop("authentication", None)  # a challenge is used once
    if pending is None:
        raise Failed("no authentication in progress in this session")
    user = STORE.users[pending["username"]]
    try:
        response = AuthenticationResponse.from_dict(body)
    except Exception as exc:
        raise Failed(describe(exc))
    # §7.2 step 6 (RP-side): a userHandle, when present, must be this user's handle.
    # (Step 5/6's credential look-up is done by authenticate_complete over the user's credentials.)
    user_handle = response.response.user_handle
    if user_handle is not None and user_handle != user["id"]:
        raise Failed("userHandle does not belong to this user")
    try:
        SERVERS["none"].authenticate_complete(pending["state"], user["credentials"], response)
    except Exception as exc:
        raise Failed(describe(exc))
    return {}


ROUTES = {
    "/attestation/options": (attestation_options, False),
    "/attestation/result": (attestation_result, True),
    "/assertion/options": (assertion_options, False),
    "/assertion/result": (assertion_result, True),
}


class Handler(BaseHTTPRequestHandler):
    server_version = "python-fido2-adapter"
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
        route = ROUTES.get(self.path.split("?", 1)[0])
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            return self.send_json(413, {"status": "failed", "errorMessage": "body too large"})
        raw = self.rfile.read(length)
        if route is None:
            return self.send_json(404, {"status": "failed", "errorMessage": "not found"})
        func, is_result = route
        try:
            body = json.loads(raw)
        except ValueError:
            return self.send_json(400, {"status": "failed", "errorMessage": "body is not JSON"})

        cookies = SimpleCookie(self.headers.get("Cookie") or "")
        sid = cookies[COOKIE].value if COOKIE in cookies else None
        new_cookie = None
        with STORE.lock:
            session = STORE.sessions.get(sid) if sid else None
            if session is None:
                if is_result:
                    return self.send_json(
                        400, {"status": "failed", "errorMessage": "no session"}
                    )
                sid = secrets.token_urlsafe(24)
                session = STORE.sessions[sid] = {}
                new_cookie = sid
            try:
                if not is_result and not isinstance(body, dict):
                    raise Failed("request body must be a JSON object")
                out = func(session, body)
            except Failed as exc:
                return self.send_json(
                    400, {"status": "failed", "errorMessage": str(exc)}, new_cookie
                )
            except Exception as exc:  # never 5xx for a rejected request
                return self.send_json(
                    400, {"status": "failed", "errorMessage": describe(exc)}, new_cookie
                )
        out.update({"status": "ok", "errorMessage": ""})
        self.send_json(200, out, new_cookie)


def main():
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit("usage: server.py PORT")
    port = int(sys.argv[1])
    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    httpd.daemon_threads = True
    print(
        f"python-fido2 adapter listening on http://127.0.0.1:{port} (RP ID localhost)",
        flush=True,
    )
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()


if __name__ == "__main__":
    main()
