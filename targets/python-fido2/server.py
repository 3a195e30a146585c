"""FIDO2 server conformance API adapter for python-fido2 (PyPI package `fido2`, Yubico).

Usage: python server.py PORT
Serves /attestation/options, /attestation/result, /assertion/options, /assertion/result
on 127.0.0.1:PORT with RP ID "localhost" and the one origin http://localhost:PORT, configured
as Fido2Server's documentation shows: `verify_origin` compares with the served origin, and
`verify_attestation` is an AttestationVerifier whose ca_lookup returns the trusted root (the
harness's attestation root, read from ../_shared/harness-pki/attestation-root.pem).
Users, credentials and sessions live in memory.
"""

import os
import secrets
import sys

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from fido2.attestation import AttestationVerifier
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

# The HTTP side (sessions, request and reply, errors as 400) is shared with the other Python adapter.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "_shared", "python"))
from conformance_server import Failed, describe, port_from_argv, registration_request, serve  # noqa: E402

RP = PublicKeyCredentialRpEntity(name="python-fido2 adapter", id="localhost")


# The harness's attestation root as `webauthn-harness pki export` writes it, committed in ../_shared/harness-pki/.
HARNESS_ROOT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "_shared", "harness-pki", "attestation-root.pem"
)


def trusted_root():
    """The DER of the trusted attestation root (the harness's)."""
    with open(HARNESS_ROOT, "rb") as f:
        return x509.load_pem_x509_certificate(f.read()).public_bytes(Encoding.DER)


class RootVerifier(AttestationVerifier):
    """The library's attestation verification with one trusted root: its documented extension point is
    ca_lookup, which returns the root certificate a trust path must chain to (None: untrusted)."""

    def __init__(self, root):
        super().__init__()
        self._root = root

    def ca_lookup(self, attestation_result, auth_data):
        return self._root


def servers(port):
    """Fido2Server takes the attestation conveyance preference per server, not per call: one server per
    preference, each checking the one served origin and verifying attestation against the trusted root."""
    origin = f"http://localhost:{port}"
    verifier = RootVerifier(trusted_root())
    return {
        pref.value: Fido2Server(
            RP,
            attestation=pref,
            verify_origin=lambda o: o == origin,
            verify_attestation=verifier,
        )
        for pref in AttestationConveyancePreference
    }


SERVERS = {}


class Store:
    """Users and credentials (the handlers run one at a time, under conformance_server's lock)."""

    def __init__(self):
        # username -> {"id": bytes, "credentials": [AttestedCredentialData]}
        self.users = {}

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
    username, display_name, sel = registration_request(req)
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
    "/attestation/options": attestation_options,
    "/attestation/result": attestation_result,
    "/assertion/options": assertion_options,
    "/assertion/result": assertion_result,
}


def main():
    port = port_from_argv()
    SERVERS.update(servers(port))
    serve(port, ROUTES, "python-fido2", "RP ID localhost")


if __name__ == "__main__":
    main()
