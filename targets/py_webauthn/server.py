"""FIDO2 server conformance API adapter for py_webauthn (PyPI package `webauthn`).

Usage: python server.py PORT
Serves /attestation/options, /attestation/result, /assertion/options, /assertion/result
on 127.0.0.1:PORT with RP ID "localhost" and expected origin "http://localhost:PORT".
Users, credentials and sessions live in memory.
"""

import json
import secrets
import sys
import threading
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import parse_authentication_credential_json
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorAttachment,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

RP_ID = "localhost"
RP_NAME = "py_webauthn adapter"
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


class Store:
    def __init__(self):
        self.lock = threading.Lock()
        self.users = {}  # username -> {"id": bytes, "credentials": [dict]}
        self.sessions = {}  # session id -> {"registration": ..., "authentication": ...}

    def credential_owner(self, credential_id):
        for username, user in self.users.items():
            for cred in user["credentials"]:
                if cred["id"] == credential_id:
                    return username
        return None


STORE = Store()


def enum_or_none(enum, value, what):
    if value is None:
        return None
    try:
        return enum(value)
    except ValueError:
        raise Failed(f"unknown {what} {value!r}")


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
    attachment = enum_or_none(
        AuthenticatorAttachment, sel.get("authenticatorAttachment"), "authenticatorAttachment"
    )
    require_rk = sel.get("requireResidentKey")
    attestation = enum_or_none(
        AttestationConveyancePreference, req.get("attestation") or "none", "attestation"
    )

    user = STORE.users.get(username)
    if user is None:
        user = {"id": None, "credentials": []}
    selection = AuthenticatorSelectionCriteria(
        authenticator_attachment=attachment,
        resident_key=resident_key,
        require_resident_key=bool(require_rk) if require_rk is not None else False,
        user_verification=uv or UserVerificationRequirement.PREFERRED,
    )
    options = generate_registration_options(
        rp_id=RP_ID,
        rp_name=RP_NAME,
        user_name=username,
        user_id=user["id"],  # None: the library generates a random user handle
        user_display_name=display_name,
        attestation=attestation,
        authenticator_selection=selection,
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=c["id"], transports=c["transports"])
            for c in user["credentials"]
        ],
    )
    session["registration"] = {
        "username": username,
        "user_id": options.user.id,
        "challenge": options.challenge,
        "require_uv": uv == UserVerificationRequirement.REQUIRED,
    }
    return json.loads(options_to_json(options))


def attestation_result(session, body, origin):
    state = session.pop("registration", None)  # a challenge is used once
    if state is None:
        raise Failed("no registration in progress in this session")
    try:
        verified = verify_registration_response(
            credential=body,
            expected_challenge=state["challenge"],
            expected_rp_id=RP_ID,
            expected_origin=origin,
            require_user_verification=state["require_uv"],
        )
    except Exception as exc:  # the library's rejection
        raise Failed(describe(exc))
    # §7.1 step 26: the credential ID must not be registered yet (an RP-side check).
    if STORE.credential_owner(verified.credential_id) is not None:
        raise Failed("credential ID is already registered")
    transports = None
    response = body.get("response") if isinstance(body, dict) else None
    raw_transports = response.get("transports") if isinstance(response, dict) else None
    if isinstance(raw_transports, list):
        transports = []
        for t in raw_transports:
            try:
                transports.append(AuthenticatorTransport(t))
            except ValueError:
                pass
    user = STORE.users.setdefault(
        state["username"], {"id": state["user_id"], "credentials": []}
    )
    if user["id"] is None:
        user["id"] = state["user_id"]
    user["credentials"].append(
        {
            "id": verified.credential_id,
            "public_key": verified.credential_public_key,
            "sign_count": verified.sign_count,
            "transports": transports,
        }
    )
    return {}


def assertion_options(session, req):
    username = req.get("username")
    user = STORE.users.get(username) if isinstance(username, str) else None
    if user is None or not user["credentials"]:
        raise Failed("unknown user")
    uv = enum_or_none(
        UserVerificationRequirement, req.get("userVerification") or "preferred", "userVerification"
    )
    options = generate_authentication_options(
        rp_id=RP_ID,
        allow_credentials=[
            PublicKeyCredentialDescriptor(id=c["id"], transports=c["transports"])
            for c in user["credentials"]
        ],
        user_verification=uv,
    )
    session["authentication"] = {
        "username": username,
        "challenge": options.challenge,
        "require_uv": uv == UserVerificationRequirement.REQUIRED,
    }
    return json.loads(options_to_json(options))


def assertion_result(session, body, origin):
    state = session.pop("authentication", None)  # a challenge is used once
    if state is None:
        raise Failed("no authentication in progress in this session")
    user = STORE.users[state["username"]]
    try:
        credential = parse_authentication_credential_json(body)
    except Exception as exc:
        raise Failed(describe(exc))
    # §7.2 step 5/6 (RP-side): the credential must be one of this user's credentials,
    # and a userHandle, when present, must be this user's handle.
    stored = next((c for c in user["credentials"] if c["id"] == credential.raw_id), None)
    if stored is None:
        raise Failed("credential is not registered to this user")
    user_handle = credential.response.user_handle
    if user_handle is not None and user_handle != user["id"]:
        raise Failed("userHandle does not belong to this user")
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=state["challenge"],
            expected_rp_id=RP_ID,
            expected_origin=origin,
            credential_public_key=stored["public_key"],
            credential_current_sign_count=stored["sign_count"],
            require_user_verification=state["require_uv"],
        )
    except Exception as exc:
        raise Failed(describe(exc))
    stored["sign_count"] = verified.new_sign_count
    return {}


ROUTES = {
    "/attestation/options": (attestation_options, False),
    "/attestation/result": (attestation_result, True),
    "/assertion/options": (assertion_options, False),
    "/assertion/result": (assertion_result, True),
}


class Handler(BaseHTTPRequestHandler):
    server_version = "py-webauthn-adapter"
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
                if not isinstance(body, dict) and not is_result:
                    raise Failed("request body must be a JSON object")
                if is_result:
                    out = func(session, body, ORIGIN)
                else:
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
    global ORIGIN
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit("usage: server.py PORT")
    port = int(sys.argv[1])
    ORIGIN = f"http://localhost:{port}"
    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    httpd.daemon_threads = True
    print(f"py_webauthn adapter listening on http://127.0.0.1:{port} (origin {ORIGIN})", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()


ORIGIN = None

if __name__ == "__main__":
    main()
