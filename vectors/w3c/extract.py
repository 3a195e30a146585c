#!/usr/bin/env python3
"""Extract the WebAuthn Level 3 section 16 test vectors into JSON.

Usage:
    python3 vectors/w3c/extract.py PATH/TO/webauthn-l3-index.bs > vectors/w3c/webauthn-l3-section16.json

Reads the Bikeshed source of the spec, takes the lines from the
"# Test Vectors # {#sctn-test-vectors}" heading up to the
"<!-- END GENERATED CONTENT: Use test-vectors/webauthn-test-vectors.py -->"
marker, and turns every CDDL example block in that range into JSON.
The extension (PRF) vectors that follow the marker are not read.

The parser is deliberately strict: any line inside an example block that does
not have one of the known shapes aborts the run with a non-zero exit status.
Standard library only; output is deterministic (document order throughout).
"""

import base64
import json
import re
import sys

SECTION_HEADING = "# Test Vectors # {#sctn-test-vectors}"
END_MARKER = "<!-- END GENERATED CONTENT: Use test-vectors/webauthn-test-vectors.py -->"
ROOT_ANCHOR = "sctn-test-vectors-attestation-root-cert"

XMP_OPEN = '<xmp class="example" highlight="cddl">'
XMP_CLOSE = "</xmp>"

CEREMONY_LABELS = {
    "[=registration ceremony|Registration=]:": "registration",
    "[=authentication ceremony|Authentication=]:": "authentication",
}

REQUIRED = {
    "registration": ("challenge", "clientDataJSON", "attestationObject"),
    "authentication": ("challenge", "authenticatorData", "clientDataJSON", "signature"),
}

SOURCE_TEXT = (
    "W3C Web Authentication Level 3, section 16 (Test Vectors), "
    "extracted from webauthn-l3-index.bs by vectors/w3c/extract.py"
)

RE_SUBHEADING = re.compile(r"^## (?P<title>.+?) ## \{#(?P<anchor>[A-Za-z0-9_-]+)\}$")
RE_NAME = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*")
RE_HEX = re.compile(r"h'(?P<v>[0-9A-Fa-f]*)'")
RE_B64 = re.compile(r"b64'(?P<v>[A-Za-z0-9_-]*)'")
# Integer expressions as used for the RSA primes, e.g. "2^1279 - 1".
RE_TERM = r"\d+(?:\s*\^\s*\d+)?"
RE_EXPR = re.compile(r"(?P<v>%s(?:\s*[-+]\s*%s)*)(?=\s*(?:=|;|$))" % (RE_TERM, RE_TERM))
RE_SEP = re.compile(r"\s*=\s*")
RE_COMMENT = re.compile(r"\s*;\s?(?P<v>.*)$")
RE_END = re.compile(r"\s*$")


class ExtractError(Exception):
    pass


def fail(lineno, msg):
    raise ExtractError("line %d: %s" % (lineno, msg))


def eval_int_expr(text):
    """Evaluate a sum/difference of integers and powers (a^b)."""
    total = 0
    sign = 1
    for tok in re.findall(r"\d+\s*\^\s*\d+|\d+|[-+]", text):
        if tok == "+":
            sign = 1
        elif tok == "-":
            sign = -1
        else:
            if "^" in tok:
                base, exp = (int(x) for x in tok.split("^"))
                val = base ** exp
            else:
                val = int(tok)
            total += sign * val
            sign = 1
    return total


def b64url_decode_strict(text, lineno):
    padded = text + "=" * (-len(text) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded.encode("ascii"))
    except Exception as exc:  # binascii.Error, ValueError
        fail(lineno, "invalid b64 literal %r: %s" % (text, exc))
    if base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=") != text:
        fail(lineno, "non-canonical b64 literal %r" % text)
    return raw


def parse_value_line(line, lineno):
    """Parse `name = form [= form ...] [; comment]`.

    Known forms: h'HEX' (required, exactly once), b64'...' (base64url, must
    encode the same bytes), and an integer expression such as 2^1279 - 1
    (must equal the byte string read as a big-endian unsigned integer).
    Returns (name, hex, extras, comment) where extras holds the alternate forms.
    """
    m = RE_NAME.match(line)
    if not m:
        fail(lineno, "unrecognised line in example block: %r" % line)
    name = m.group("name")
    pos = m.end()
    hex_value = None
    b64_value = None
    expr_value = None
    comment = None
    while True:
        for kind, rx in (("hex", RE_HEX), ("b64", RE_B64), ("expr", RE_EXPR)):
            fm = rx.match(line, pos)
            if fm:
                break
        else:
            fail(lineno, "unrecognised value form for %r at column %d: %r"
                 % (name, pos + 1, line[pos:pos + 40]))
        text = fm.group("v")
        if kind == "hex":
            if hex_value is not None:
                fail(lineno, "more than one h'' literal for %r" % name)
            if len(text) % 2:
                fail(lineno, "odd-length hex literal for %r" % name)
            hex_value = text.lower()
        elif kind == "b64":
            if b64_value is not None:
                fail(lineno, "more than one b64'' literal for %r" % name)
            b64_value = text
        else:
            if expr_value is not None:
                fail(lineno, "more than one integer expression for %r" % name)
            expr_value = " ".join(text.split())
        pos = fm.end()
        sm = RE_SEP.match(line, pos)
        if sm:
            pos = sm.end()
            continue
        cm = RE_COMMENT.match(line, pos)
        if cm and line[pos:].lstrip().startswith(";"):
            comment = cm.group("v").strip()
            break
        if RE_END.fullmatch(line, pos):
            break
        fail(lineno, "unexpected text after value of %r: %r" % (name, line[pos:pos + 40]))

    if hex_value is None:
        fail(lineno, "no h'' byte string literal for %r" % name)
    raw = bytes.fromhex(hex_value)
    extras = {}
    if expr_value is not None:
        if eval_int_expr(expr_value) != int.from_bytes(raw, "big"):
            fail(lineno, "integer expression %r does not match hex of %r" % (expr_value, name))
        extras["expression"] = expr_value
    if b64_value is not None:
        if b64url_decode_strict(b64_value, lineno) != raw:
            fail(lineno, "b64 literal does not match hex of %r" % name)
        extras["b64"] = b64_value
    return name, hex_value, extras, comment


def new_block():
    return {"values": {}, "comments": {}, "alternateForms": {}, "freeComments": []}


def parse_block(lines, start, lineno_base):
    """Parse lines[start:] up to </xmp>; return (block, index after </xmp>)."""
    block = new_block()
    i = start
    while i < len(lines):
        line = lines[i]
        lineno = lineno_base + i
        stripped = line.strip()
        if stripped == XMP_CLOSE:
            return block, i + 1
        if stripped == "":
            pass
        elif stripped.startswith(";"):
            block["freeComments"].append(stripped[1:].strip())
        elif stripped.startswith("<"):
            fail(lineno, "unexpected markup inside example block: %r" % line)
        else:
            name, hex_value, extras, comment = parse_value_line(stripped, lineno)
            if name in block["values"]:
                fail(lineno, "duplicate name %r in one example block" % name)
            block["values"][name] = hex_value
            if comment is not None:
                block["comments"][name] = comment
            if extras:
                block["alternateForms"][name] = extras
        i += 1
    fail(lineno_base + start, "example block is not closed")


def find_range(all_lines):
    starts = [i for i, l in enumerate(all_lines) if l.rstrip() == SECTION_HEADING]
    if len(starts) != 1:
        raise ExtractError("expected exactly one %r heading, found %d" % (SECTION_HEADING, len(starts)))
    start = starts[0]
    for j in range(start + 1, len(all_lines)):
        if all_lines[j].strip() == END_MARKER:
            return start, j
    raise ExtractError("end marker %r not found after the section heading" % END_MARKER)


def find_backticked(text, pattern, what):
    m = re.search(pattern, text)
    if not m:
        raise ExtractError("could not find the %s in the section introduction" % what)
    return m.group(1)


def extract(path):
    with open(path, "r", encoding="utf-8") as fh:
        all_lines = fh.read().splitlines()
    start, end = find_range(all_lines)
    lines = all_lines[start + 1:end]
    base = start + 2  # 1-based line number of lines[0]

    intro = "\n".join(all_lines[start:end])
    rp_id = find_backticked(intro, r"\[=RP ID=\]\s+`([^`]+)`", "RP ID")
    origin = find_backticked(intro, r"\{\{CollectedClientData/origin\}\}\s+`([^`]+)`", "origin")
    top_origin = find_backticked(intro, r"\{\{CollectedClientData/topOrigin\}\}\s+`([^`]+)`", "topOrigin")

    sections = []  # each: dict(anchor, title, line, blocks={label: block}, unlabelled=[block])
    current = None
    pending_label = None
    pending_label_line = None
    i = 0
    while i < len(lines):
        line = lines[i]
        lineno = base + i
        stripped = line.strip()
        if line.startswith("#"):
            m = RE_SUBHEADING.match(line.rstrip())
            if not m:
                fail(lineno, "unexpected heading inside the test vector section: %r" % line)
            if pending_label is not None:
                fail(pending_label_line, "ceremony label not followed by an example block")
            current = {"anchor": m.group("anchor"), "title": m.group("title"),
                       "line": lineno, "blocks": {}, "unlabelled": []}
            sections.append(current)
            i += 1
            continue
        if stripped in CEREMONY_LABELS:
            if pending_label is not None:
                fail(lineno, "two ceremony labels without an example block between them")
            pending_label = CEREMONY_LABELS[stripped]
            pending_label_line = lineno
            i += 1
            continue
        if stripped.startswith("<xmp"):
            if stripped != XMP_OPEN:
                fail(lineno, "unexpected <xmp> variant: %r" % line)
            if current is None:
                fail(lineno, "example block before any subsection heading")
            block, i = parse_block(lines, i + 1, base)
            if pending_label is None:
                current["unlabelled"].append(block)
            else:
                if pending_label in current["blocks"]:
                    fail(lineno, "second %s block in %s" % (pending_label, current["anchor"]))
                current["blocks"][pending_label] = block
                pending_label = None
            continue
        if stripped == XMP_CLOSE:
            fail(lineno, "stray </xmp>")
        i += 1  # prose line: ignored
    if pending_label is not None:
        fail(pending_label_line, "ceremony label not followed by an example block")

    attestation_root = None
    attestation_root_comments = None
    examples = []
    anchors = set()
    for sec in sections:
        if sec["anchor"] in anchors:
            fail(sec["line"], "duplicate anchor %r" % sec["anchor"])
        anchors.add(sec["anchor"])
        if sec["anchor"] == ROOT_ANCHOR:
            if sec["blocks"] or len(sec["unlabelled"]) != 1:
                fail(sec["line"], "attestation root section must hold exactly one unlabelled block")
            blk = sec["unlabelled"][0]
            if blk["alternateForms"] or blk["freeComments"]:
                fail(sec["line"], "unexpected extra forms/comments in attestation root block")
            attestation_root = blk["values"]
            attestation_root_comments = blk["comments"]
            continue
        if sec["unlabelled"]:
            fail(sec["line"], "example block without a Registration/Authentication label in %s" % sec["anchor"])
        for label in ("registration", "authentication"):
            if label not in sec["blocks"]:
                fail(sec["line"], "%s has no %s block" % (sec["anchor"], label))
            missing = [n for n in REQUIRED[label] if n not in sec["blocks"][label]["values"]]
            if missing:
                fail(sec["line"], "%s %s block lacks %s" % (sec["anchor"], label, ", ".join(missing)))
        reg = sec["blocks"]["registration"]
        auth = sec["blocks"]["authentication"]
        example = {}
        example["anchor"] = sec["anchor"]
        example["title"] = sec["title"]
        example["registration"] = reg["values"]
        example["authentication"] = auth["values"]
        example["comments"] = {"registration": reg["comments"], "authentication": auth["comments"]}
        example["freeComments"] = {"registration": reg["freeComments"], "authentication": auth["freeComments"]}
        example["alternateForms"] = {"registration": reg["alternateForms"],
                                     "authentication": auth["alternateForms"]}
        examples.append(example)

    if attestation_root is None:
        raise ExtractError("attestation trust root section (#%s) not found" % ROOT_ANCHOR)
    if not examples:
        raise ExtractError("no examples found")

    out = {}
    out["source"] = SOURCE_TEXT
    out["rpId"] = rp_id
    out["origin"] = origin
    out["topOrigin"] = top_origin
    out["attestationRoot"] = attestation_root
    out["attestationRootComments"] = attestation_root_comments
    out["examples"] = examples
    return out


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: %s PATH/TO/webauthn-l3-index.bs > OUTPUT.json\n" % argv[0])
        return 2
    try:
        data = extract(argv[1])
    except ExtractError as exc:
        sys.stderr.write("%s: error: %s\n" % (argv[0], exc))
        return 1
    except OSError as exc:
        sys.stderr.write("%s: error: %s\n" % (argv[0], exc))
        return 1
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
