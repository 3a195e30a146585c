"""How vectors/devices/registration.json was made: it reads the registration tests of py_webauthn,
SimpleWebAuthn and go-webauthn for their values (each test's response, expected challenge, origin, RP ID and
mocked time) and public root certificates from the cited files, checks that they agree (clientDataJSON carries
the expected challenge and origin, the authenticator data the SHA-256 of the RP ID, every certificate of the path
is valid at the chosen time), and writes the vector file. Run with a Python that has cbor2 and cryptography:

    python build.py PY_WEBAUTHN SIMPLEWEBAUTHN WEBAUTHN_RS GO_WEBAUTHN OUT.json

where the first four are git directories of duo-labs/py_webauthn, MasterKale/SimpleWebAuthn, kanidm/webauthn-rs
and go-webauthn/webauthn (HEAD is read; its commit id goes into each group's provenance)."""
import base64, datetime, hashlib, io, json, re, subprocess, sys
import cbor2
from cryptography import x509
from cryptography.hazmat.primitives import serialization

PY, SWA, WRS, GO, OUT = sys.argv[1:6]
REPOS = {"duo-labs/py_webauthn": PY, "MasterKale/SimpleWebAuthn": SWA, "kanidm/webauthn-rs": WRS, "go-webauthn/webauthn": GO}
COMMIT = {r: subprocess.check_output(["git", "-C", d, "rev-parse", "HEAD"]).decode().strip() for r, d in REPOS.items()}

def show(repo, path):
    return subprocess.check_output(["git", "-C", REPOS[repo], "show", "HEAD:" + path]).decode()

def b64d(s):
    s = s.strip().replace("+", "-").replace("/", "_").rstrip("=")
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))

def b64e(b):
    return base64.urlsafe_b64encode(b).decode().rstrip("=")

# ---- trust anchors: every PEM block / base64 DER certificate of the cited files
ROOT_FILES = [
    ("duo-labs/py_webauthn", "webauthn/helpers/known_root_certs.py"),
    ("MasterKale/SimpleWebAuthn", "packages/server/src/services/defaultRootCerts/android-key.ts"),
    ("kanidm/webauthn-rs", "device-catalog/src/data/yubico.rs"),
    ("kanidm/webauthn-rs", "device-catalog/src/data/microsoft.rs"),
]
roots = []
for repo, path in ROOT_FILES:
    text = show(repo, path)
    for m in re.finditer(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", text, re.S):
        body = re.sub(r"[^A-Za-z0-9+/=]", "", m.group(1).replace("\\n", "").replace("\\r", ""))
        der = base64.b64decode(body)
        names = re.findall(r"(?:const|export const|pub const)?\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*[^=\n]*)?=\s*[^\n]*$", text[:m.start()].rstrip("\"'`b \n"))
        label = f" ({names[-1]})" if names else ""
        roots.append((x509.load_der_x509_certificate(der), der, f"{repo} {path}{label}"))

def issued_by(cert, issuer):
    try:
        cert.verify_directly_issued_by(issuer)
        return True
    except Exception:
        return False

def anchor_for(chain):
    top = chain[-1]
    found = []
    for cert, der, src in roots:
        if issued_by(top, cert) and der not in [d for _, d, _ in found]:
            found.append((cert, der, src))
    return found[:1]

ALG = {-7: "ES256", -35: "ES384", -36: "ES512", -8: "EdDSA", -257: "RS256", -65535: "RS1", -37: "PS256"}
SECTION = {"none": "§8.7", "packed": "§8.2", "tpm": "§8.3", "android-key": "§8.4", "android-safetynet": "§8.5",
           "fido-u2f": "§8.6", "apple": "§8.8"}

def ts(d):
    return d.replace(tzinfo=datetime.timezone.utc) if d.tzinfo is None else d

def build(v):
    resp = v["response"]
    cdj = b64d(resp["response"]["clientDataJSON"])
    ao = b64d(resp["response"]["attestationObject"])
    cd = json.loads(cdj)
    obj = cbor2.loads(ao)
    fmt, ad, stmt = obj["fmt"], obj["authData"], obj["attStmt"]
    assert hashlib.sha256(v["rpId"].encode()).digest() == ad[:32], (v["test"], "rpIdHash")
    assert cd["origin"] == v["origin"], (v["test"], cd["origin"], v["origin"])
    # The test's expected challenge, as bytes, must be what clientDataJSON carries.
    assert b64d(cd["challenge"]) == v["challenge"], (v["test"], "challenge")
    aaguid, idlen = ad[37:53], int.from_bytes(ad[53:55], "big")
    cred_id = ad[55:55 + idlen]
    f = io.BytesIO(ad[55 + idlen:])
    key_obj = cbor2.load(f)
    key_bytes = ad[55 + idlen:55 + idlen + f.tell()]
    alg = key_obj[3]
    chain = []
    if "x5c" in stmt:
        chain = [x509.load_der_x509_certificate(c) for c in stmt["x5c"]]
    elif fmt == "android-safetynet":
        jws = stmt["response"].decode()
        header = json.loads(b64d(jws.split(".")[0]))
        chain = [x509.load_der_x509_certificate(base64.b64decode(c)) for c in header["x5c"]]
    anchors = anchor_for(chain) if chain else []
    if chain:
        assert anchors, (v["test"], "no anchor for", chain[-1].issuer.rfc4514_string())
    path = chain + [a[0] for a in anchors]
    stamp = None
    if fmt == "android-safetynet":
        payload = json.loads(b64d(stmt["response"].decode().split(".")[1]))
        stamp = datetime.datetime.fromtimestamp(-(-payload["timestampMs"] // 1000), datetime.timezone.utc)
    if stamp and all(ts(c.not_valid_before_utc) <= stamp <= ts(c.not_valid_after_utc) for c in path):
        now = stamp
        how = ("the JWS payload's timestampMs rounded up to the second, inside the validity of every certificate "
               "of the path, so a freshness policy on the timestamp holds at now"
               + (f" (the source test mocks {v['now'].isoformat()} and does not check the timestamp)" if v.get("now") else ""))
    elif v.get("now"):
        now = v["now"]
        how = "the test's mocked time"
    else:
        default = datetime.datetime(2025, 6, 1, tzinfo=datetime.timezone.utc)
        if all(ts(c.not_valid_before_utc) <= default <= ts(c.not_valid_after_utc) for c in path):
            now = default
            how = "2025-06-01T00:00:00Z, inside the validity of every certificate of the path (the test mocks no time)" if path else "2025-06-01T00:00:00Z (no certificates; the test mocks no time)"
        else:
            now = max(ts(c.not_valid_before_utc) for c in path) + datetime.timedelta(days=1)
            how = "one day after the latest notBefore of the certificate path (the test mocks no time; 2025-06-01 is past a certificate's notAfter)"
    now = ts(now).replace(microsecond=0)
    for c in path:
        assert ts(c.not_valid_before_utc) <= now <= ts(c.not_valid_after_utc), (v["test"], c.subject.rfc4514_string(), now)
    response = {
        "id": b64e(b64d(resp["id"])) if resp["id"] not in ("aaa", "bbb") else resp["id"],
        "rawId": b64e(b64d(resp["rawId"])) if resp["rawId"] not in ("aaa", "bbb") else resp["rawId"],
        "type": "public-key",
        "response": {"clientDataJSON": b64e(cdj), "attestationObject": b64e(ao)},
        "clientExtensionResults": {},
    }
    return dict(fmt=fmt, alg=alg, aaguid=aaguid, cred_id=cred_id, key=key_bytes, now=now, how=how,
                anchors=anchors, response=response, chain=chain, cd=cd)

def py_vectors():
    repo = "duo-labs/py_webauthn"
    out = []
    files = ["tests/test_verify_registration_response.py"] + [f"tests/test_verify_registration_response_{f}.py" for f in
             ["packed", "tpm", "android_key", "android_safetynet", "apple", "fido_u2f"]]
    for path in files:
        src = show(repo, path)
        parts = re.split(r"\n    (?:@[^\n]*\n    )*def (test_\w+)\(", src)
        for name, body in zip(parts[1::2], parts[2::2]):
            m = re.search(r'"""\s*(\{.*?\})\s*"""', body, re.S)
            if not m or "assertRaises" in body:
                continue
            cred = json.loads(m.group(1))
            if "attestationObject" not in cred.get("response", {}):
                continue
            ch = re.search(r'challenge\s*=\s*base64url_to_bytes\(\s*"([^"]+)"', body)
            rp = re.search(r'rp_id\s*=\s*"([^"]+)"', body)
            og = re.search(r'expected_origin\s*=\s*"([^"]+)"', body)
            st = re.search(r'set_time\(datetime\(([^)]*)\)', body)
            cd = json.loads(b64d(cred["response"]["clientDataJSON"]))
            if not ch:  # the safetynet test verifies the statement alone: take the ceremony values from clientDataJSON
                challenge, origin = b64d(cd["challenge"]), cd["origin"]
                host = origin.split("//")[1].split(":")[0].split("/")[0]
                labels = host.split(".")
                ad = cbor2.loads(b64d(cred["response"]["attestationObject"]))["authData"]
                rp_id = next(".".join(labels[i:]) for i in range(len(labels))
                             if hashlib.sha256(".".join(labels[i:]).encode()).digest() == ad[:32])
            elif not og:
                continue  # a list of expected origins: the same response as another test
            else:
                challenge, origin, rp_id = b64d(ch.group(1)), og.group(1), rp.group(1)
            now = datetime.datetime(*[int(x) for x in st.group(1).split(",")]) if st else None
            out.append(dict(repo=repo, path=path, test=name, response=cred, challenge=challenge, origin=origin,
                            rpId=rp_id, now=now, derived=not ch))
    return out

def ts_strings(body, field):
    m = re.search(field + r":\s*((?:'[^']*'\s*\+?\s*)+)", body)
    return m and "".join(re.findall(r"'([^']*)'", m.group(1)))

def swa_vectors():
    repo = "MasterKale/SimpleWebAuthn"
    base = "packages/server/src/registration/"
    out = []
    for path in [base + "verifications/tpm/verifyAttestationTPM.test.ts", base + "verifications/verifyAttestationAndroidKey.test.ts",
                 base + "verifications/verifyAttestationApple.test.ts"]:
        src = show(repo, path)
        for b in src.split("Deno.test(")[1:]:
            name = re.search(r"^\s*(?:\{\s*name:\s*)?'([^']+)'", b).group(1)
            ao = ts_strings(b, "attestationObject")
            if not ao or "assertRejects" in b:
                continue
            resp = {"id": ts_strings(b, r"\bid"), "rawId": ts_strings(b, "rawId"), "type": "public-key",
                    "response": {"attestationObject": ao, "clientDataJSON": ts_strings(b, "clientDataJSON")}}
            t = re.search(r"new FakeTime\(new Date\('([^']+)'\)", b)
            now = datetime.datetime.fromisoformat(t.group(1).replace("Z", "+00:00")) if t else None
            out.append(dict(repo=repo, path=path, test=name, response=resp,
                            challenge=b64d(ts_strings(b, "expectedChallenge")), origin=ts_strings(b, "expectedOrigin"),
                            rpId=ts_strings(b, "expectedRPID"), now=now, derived=False))
    # The SafetyNet test verifies the statement alone: ceremony values from its clientDataJSON.
    path = base + "verifications/verifyAttestationAndroidSafetyNet.test.ts"
    src = show(repo, path)
    body = re.search(r"const attestationAndroidSafetyNet: RegistrationResponseJSON = \{(.*?)\n\};", src, re.S).group(1)
    resp = {"id": ts_strings(body, r"\bid"), "rawId": ts_strings(body, "rawId"), "type": "public-key",
            "response": {"attestationObject": ts_strings(body, "attestationObject"),
                         "clientDataJSON": ts_strings(body, "clientDataJSON")}}
    cd = json.loads(b64d(resp["response"]["clientDataJSON"]))
    ad = cbor2.loads(b64d(resp["response"]["attestationObject"]))["authData"]
    out.append(dict(repo=repo, path=path, test="should verify Android SafetyNet attestation", response=resp,
                    challenge=b64d(cd["challenge"]), origin=cd["origin"], rpId=host_rp_id(cd["origin"], ad),
                    now=datetime.datetime(2019, 10, 1, 0, 0, 42), derived=True))
    path = base + "verifyRegistrationResponse.test.ts"
    src = show(repo, path)
    for const, test in [("attestationFIDOU2F", "should verify FIDO U2F attestation"),
                        ("attestationPacked", "should verify Packed (EC2) attestation"),
                        ("attestationPackedX5C", "should verify Packed (X5C) attestation"),
                        ("attestationNone", "should verify None attestation")]:
        body = re.search(r"const " + const + r": RegistrationResponseJSON = \{(.*?)\n\};", src, re.S).group(1)
        challenge = re.search(r"const " + const + r"Challenge = isoBase64URL.fromUTF8String\(\s*'([^']+)'", src).group(1)
        resp = {"id": ts_strings(body, r"\bid"), "rawId": ts_strings(body, "rawId"), "type": "public-key",
                "response": {"attestationObject": ts_strings(body, "attestationObject"),
                             "clientDataJSON": ts_strings(body, "clientDataJSON")}}
        out.append(dict(repo=repo, path=path, test=test, response=resp, challenge=challenge.encode(),
                        origin="https://dev.dontneeda.pw", rpId="dev.dontneeda.pw", now=None, derived=False,
                        const=const))
    return out

def host_rp_id(origin, ad):
    host = origin.split("//")[1].split(":")[0].split("/")[0]
    labels = host.split(".")
    return next((".".join(labels[i:]) for i in range(len(labels))
                 if hashlib.sha256(".".join(labels[i:]).encode()).digest() == ad[:32]), None)

def go_vectors():
    repo = "go-webauthn/webauthn"
    out = []
    for path in ["protocol/attestation_packed_test.go", "protocol/attestation_fido_u2f_test.go",
                 "protocol/attestation_apple_test.go", "protocol/attestation_androidkey_test.go",
                 "protocol/attestation_safetynet_test.go"]:
        src = show(repo, path)
        funcs = re.split(r"\nfunc (Test\w+)\(", src)
        for m in re.finditer(r'\nvar (\w+) = map\[string\]string\{\s*[`"]success[`"]: `(\{.*?\})`', src, re.S):
            var, text = m.group(1), m.group(2)
            try:
                cred = json.loads(text)
            except Exception:
                continue
            if "attestationObject" not in cred.get("response", {}):
                continue
            users = [n for n, b in zip(funcs[1::2], funcs[2::2]) if var + "[" in b or var + ")" in b]
            cd = json.loads(b64d(cred["response"]["clientDataJSON"]))
            ad = cbor2.loads(b64d(cred["response"]["attestationObject"]))["authData"]
            rp_id = host_rp_id(cd["origin"], ad)
            if not users or not rp_id:
                print("SKIP go", var, users, cd["origin"], file=sys.stderr)
                continue
            out.append(dict(repo=repo, path=path, test=f"{users[0]} ({var}[\"success\"])", response=cred,
                            challenge=b64d(cd["challenge"]), origin=cd["origin"], rpId=rp_id, now=None, derived=True))
    return out

entries = []
for v in py_vectors() + swa_vectors() + go_vectors():
    try:
        b = build(v)
    except AssertionError as e:
        print("SKIP", v["repo"], v["test"], e, file=sys.stderr)
        continue
    v["response_in"] = v["response"]
    v.update(b)
    entries.append(v)
    print(v["repo"].split("/")[1], v["fmt"], v["test"], ALG.get(v["alg"], v["alg"]), v["now"].isoformat(),
          [a[0].subject.rfc4514_string()[:50] for a in v["anchors"]], file=sys.stderr)


def slug(t):
    t = re.sub(r"^(test_verify_|test_verifies_|should verify )", "", t)
    return re.sub(r"[^a-z0-9]+", "-", t.lower()).strip("-")

ATT_TYPE = {"none": "none", "apple": "basic", "tpm": "basic", "android-key": "basic", "android-safetynet": "basic",
            "fido-u2f": "basic"}
IMPLEMENTED = {"none", "packed", "fido-u2f", "apple", "android-key", "tpm"}
seen = {}
groups = []
for v in entries:
    key = v["response"]["response"]["attestationObject"]
    if key in seen:
        seen[key]["also"].append(v)
        continue
    v["also"] = []
    seen[key] = v
    groups.append(v)
tc = 0
out_groups = []
for v in groups:
    tc += 1
    fmt = v["fmt"]
    att_type = ATT_TYPE.get(fmt) or ("basic" if v["chain"] else "self")
    notes = []
    resp_in = v["response_in"]
    r = resp_in["response"]
    if any(c in r["clientDataJSON"] + r["attestationObject"] for c in "+/="):
        notes.append("the source gives clientDataJSON/attestationObject in standard base64 with padding; re-encoded here as base64url without padding (same bytes)")
    if v["derived"]:
        notes.append("the source test verifies the attestation statement alone; challenge and origin are the ones its clientDataJSON carries, and the RP ID is the suffix of that origin's host whose SHA-256 is the authenticator data's rpIdHash")
    if v.get("const"):
        notes.append(f"the response is the test file's constant {v['const']}; the expected challenge is the base64url encoding of the UTF-8 string the test gives")
    result, reason, check = "valid", None, None
    if fmt not in IMPLEMENTED:
        result, reason = "acceptable", "format not implemented"
    placeholder = v["response"]["id"] in ("aaa", "bbb")
    if placeholder:
        result, reason = "acceptable", (
            f"the test file's response has the placeholder {v['response']['id']!r} as id and rawId, not the credential ID "
            "its authenticator data carries, and not a canonical base64url string (its last character sets pad bits, "
            "which RFC 4648 §3.5 lets a decoder reject); the reference verifier rejects it at reg.response.malformed "
            "(§7.1 step 3), the source library accepts it. The next test restores the credential ID")
    stmt = cbor2.loads(b64d(v["response"]["response"]["attestationObject"]))["attStmt"]
    if fmt == "apple" and set(stmt) != {"x5c"}:
        result, check = "invalid", "reg.attestation.statement-malformed"
        reason = ("a quirk of an early iOS 14 Apple statement: its attStmt carries members other than x5c ("
                  + ", ".join(sorted(k for k in stmt if k != "x5c")) + "), which §8.8's syntax (appleStmtFormat = { x5c: [ credCert: bytes, * (caCert: bytes) ] }) does not have, and §8.8's "
                  "first step is \"Verify that attStmt is valid CBOR conforming to the syntax defined above and perform CBOR decoding on it to extract the contained fields.\"; "
                  "the reference verifier rejects it there; the source library ignores the extra member and accepts it")
    sources = [{"repository": x["repo"], "path": x["path"], "test": x["test"], "commit": COMMIT[x["repo"]]} for x in [v] + v["also"]]
    go_var = re.search(r"\((\w+)TestResponse(\w*)\[", v["test"])
    name = f"go-{go_var.group(1)}{'-' + go_var.group(2) if go_var.group(2) else ''}" if go_var else slug(v["test"])
    cid = f"reg.device.{fmt}.{name.lower()}"
    comment = f"{fmt} registration from {sources[0]['repository']} ({sources[0]['test']})"
    if reason:
        comment += f"; {result}: {reason}"
    if notes:
        comment += "; " + "; ".join(notes)
    out_groups.append({
        "ceremony": "registration",
        "source": f"{sources[0]['repository']} {sources[0]['path']} ({sources[0]['test']})",
        "provenance": sources,
        "rpId": v["rpId"],
        "origin": v["origin"],
        "validAt": int(v["now"].timestamp()),
        "now": v["now"].strftime("%Y-%m-%dT%H:%M:%SZ"),
        "nowBasis": v["how"],
        "algorithm": ALG.get(v["alg"], str(v["alg"])),
        "attestation": fmt,
        "attestationType": att_type,
        "attestationRoots": [b64e(a[1]) for a in v["anchors"]],
        "attestationRootSources": [{"subject": a[0].subject.rfc4514_string(), "source": a[2]} for a in v["anchors"]],
        "credential": {"id": b64e(v["cred_id"]), "publicKey": b64e(v["key"]), "privateKey": {}, "aaguid": b64e(v["aaguid"])},
        "userHandle": "",
        "tests": [{
            "tcId": tc, "caseId": cid, "comment": comment, "flags": [], "spec": SECTION[fmt], "level": "MUST",
            "input": {"challenge": b64e(v["challenge"]), "userVerification": "discouraged", "pubKeyCredParams": [v["alg"]]},
            "response": v["response"], "result": result, **({"check": check} if check else {}),
        }],
    })
    if placeholder:
        tc += 1
        restored = json.loads(json.dumps(v["response"]))
        restored["id"] = restored["rawId"] = b64e(v["cred_id"])
        out_groups[-1]["tests"].append({
            "tcId": tc, "caseId": cid + ".credential-id-restored",
            "comment": f"the same response with id and rawId set to the credential ID of its authenticator data (the placeholder of the previous test replaced; nothing else changed)",
            "flags": [], "spec": SECTION[fmt], "level": "MUST",
            "input": {"challenge": b64e(v["challenge"]), "userVerification": "discouraged", "pubKeyCredParams": [v["alg"]]},
            "response": restored, "result": "valid",
        })
doc = {
    "schema": "webauthn-harness/vectors/v1",
    "generatorVersion": "0.1.0",
    "ceremony": "registration",
    "numberOfTests": tc,
    "header": [
        "Real-device registrations from the test suites of RP libraries (values only; each group's provenance names the repository, path, test and commit it comes from), with the RP inputs those tests use, a fixed verification time and the public roots they chain to. Not generated by `webauthn-harness vectors generate`: `vectors check` takes them as they are.",
        "valid: accept with the group's attestationType. acceptable: the reference verifier does not implement the format yet (the test's comment says so).",
    ],
    "notes": {},
    "testGroups": out_groups,
}
open(OUT, "w").write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
print(tc, "vectors", file=sys.stderr)
