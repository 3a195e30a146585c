"""FIDO2 server conformance API adapter for py_webauthn (PyPI package `webauthn`).

Usage: python server.py PORT
Serves /attestation/options, /attestation/result, /assertion/options, /assertion/result
on 127.0.0.1:PORT with RP ID "localhost" and expected origin "http://localhost:PORT".
Users, credentials and sessions live in memory.
"""

import json
import os
import sys

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
    AttestationFormat,
    AuthenticatorAttachment,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

# The HTTP side (sessions, request and reply, errors as 400) is shared with the other Python adapter.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "_shared", "python"))
from conformance_server import Failed, describe, port_from_argv, registration_request, serve  # noqa: E402

RP_ID = "localhost"
RP_NAME = "py_webauthn adapter"
ORIGIN = None  # http://localhost:PORT, set by main()

# Trust in the harness's attestation root (`webauthn-harness pki export`, committed in
# ../_shared/harness-pki/), given to the library the way it takes extra roots: PEM bytes per attestation
# format in `pem_root_certs_bytes_by_fmt`. The library adds its own built-in roots (Apple, Google) to these for
# apple, android-key and android-safetynet, so nothing it trusts by default is dropped.
HARNESS_PKI = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "_shared", "harness-pki")
with open(os.path.join(HARNESS_PKI, "attestation-root.pem"), "rb") as _f:
    HARNESS_ROOT_PEM = _f.read()
ROOTS_BY_FMT = {
    fmt: [HARNESS_ROOT_PEM]
    for fmt in (
        AttestationFormat.PACKED,
        AttestationFormat.FIDO_U2F,
        AttestationFormat.TPM,
        AttestationFormat.ANDROID_KEY,
        AttestationFormat.ANDROID_SAFETYNET,
        AttestationFormat.APPLE,
    )
}


class Store:
    """Users and credentials (the handlers run one at a time, under conformance_server's lock)."""

    def __init__(self):
        self.users = {}  # username -> {"id": bytes, "credentials": [dict]}

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
    username, display_name, sel = registration_request(req)
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


def attestation_result(session, body):
    state = session.pop("registration", None)  # a challenge is used once
    if state is None:
        raise Failed("no registration in progress in this session")
    try:
        verified = verify_registration_response(
            credential=body,
            expected_challenge=state["challenge"],
            expected_rp_id=RP_ID,
            expected_origin=ORIGIN,
            require_user_verification=state["require_uv"],
            pem_root_certs_bytes_by_fmt=ROOTS_BY_FMT,
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


def assertion_result(session, body):
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
            expected_origin=ORIGIN,
            credential_public_key=stored["public_key"],
            credential_current_sign_count=stored["sign_count"],
            require_user_verification=state["require_uv"],
        )
    except Exception as exc:
        raise Failed(describe(exc))
    stored["sign_count"] = verified.new_sign_count
    return {}


ROUTES = {
    "/attestation/options": attestation_options,
    "/attestation/result": attestation_result,
    "/assertion/options": assertion_options,
    "/assertion/result": assertion_result,
}


def main():
    global ORIGIN
    port = port_from_argv()
    ORIGIN = f"http://localhost:{port}"
    serve(port, ROUTES, "py_webauthn", f"origin {ORIGIN}")


if __name__ == "__main__":
    main()
