//! The spec's sentences as plain text: how a quoted requirement is checked against the WebAuthn Level 3 source.
//!
//! A case or check quotes its requirement verbatim, with the source's markup dropped: `[=Relying Party=]` reads
//! "Relying Party", `<code>|C|.{{CollectedClientData/type}}</code>` reads "C.type", text macros (`[RP]`,
//! `[TRUE]`) read as they render. [`plain_blocks`] turns the Bikeshed source into blocks (paragraphs and list
//! items) of plain text; [`sentences`] splits text into sentences the same way for the source and for a quote.
//! A quote is accepted when each of its sentences is a sentence of the source.
//!
//! The repository does not carry the spec's text. It carries [`INDEX`]: one 64-bit hash (the first 16 hex
//! digits of SHA-256) per distinct sentence of the source, in `spec-sentences.txt`, written from the source by
//! `WEBAUTHN_SPEC_SOURCE=path/to/webauthn-l3-index.bs WEBAUTHN_HARNESS_UPDATE_SPEC_INDEX=1 cargo test -p
//! webauthn-harness-spec --lib text` and checked against the source by the same test whenever the source is
//! given. [`quoted`] checks a quote against it.

/// One line per distinct sentence of the WebAuthn Level 3 source: the first 16 hex digits of the SHA-256 of
/// the sentence's plain text, sorted.
pub const INDEX: &str = include_str!("../spec-sentences.txt");

/// Text macros of the source (its `Text Macro:` lines) as they render.
const MACROS: &[(&str, &str)] = &[
    ("[FALSE]", "false"),
    ("[PII]", "personally identifying information"),
    ("[RPS]", "Relying Parties"),
    ("[RP]", "Relying Party"),
    ("[TRUE]", "true"),
    ("[WAAS]", "WebAuthn Authenticator"),
    ("[WAA]", "WebAuthn Authenticator"),
    ("[WACS]", "WebAuthn Clients"),
    ("[WAC]", "WebAuthn Client"),
    ("[WRPS]", "WebAuthn Relying Parties"),
    ("[WRP]", "WebAuthn Relying Party"),
    ("[RESERVED]", "RESERVED"),
    ("[DEPRECATED]", "DEPRECATED"),
];

/// The source as blocks of plain text: paragraphs and list items, markup dropped, whitespace collapsed.
pub fn plain_blocks(source: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current = String::new();
    let mut in_comment = false;
    let mut in_pre = false;
    for raw in source.lines() {
        let mut line = raw.to_owned();
        // HTML comments may span lines.
        loop {
            if in_comment {
                match line.find("-->") {
                    Some(end) => {
                        line = line[end + 3..].to_owned();
                        in_comment = false;
                    }
                    None => {
                        line.clear();
                        break;
                    }
                }
            }
            match line.find("<!--") {
                Some(start) => {
                    let rest = line[start + 4..].to_owned();
                    line.truncate(start);
                    match rest.find("-->") {
                        Some(end) => line.push_str(&rest[end + 3..]),
                        None => {
                            in_comment = true;
                            break;
                        }
                    }
                }
                None => break,
            }
        }
        let trimmed = line.trim();
        if trimmed.starts_with("<pre") || trimmed.starts_with("```") {
            let one_line_pre = trimmed.starts_with("<pre") && trimmed.contains("</pre>");
            in_pre = !in_pre && !one_line_pre;
            flush(&mut current, &mut blocks);
            continue;
        }
        if in_pre {
            if trimmed.contains("</pre>") || trimmed.starts_with("```") {
                in_pre = false;
            }
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("Text Macro:") {
            flush(&mut current, &mut blocks);
            continue;
        }
        // A list item, a definition-list entry or a block-level tag starts a new block.
        let (starts_block, body) = list_marker(trimmed);
        if starts_block {
            flush(&mut current, &mut blocks);
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(body);
    }
    flush(&mut current, &mut blocks);
    blocks
}

fn flush(current: &mut String, blocks: &mut Vec<String>) {
    let text = plain(current);
    if !text.is_empty() {
        blocks.push(text);
    }
    current.clear();
}

/// Whether a line starts a new block, and its text without the list marker.
fn list_marker(line: &str) -> (bool, &str) {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && line[digits..].starts_with(". ") {
        return (true, &line[digits + 2..]);
    }
    for marker in ["- ", "* ", ":: ", ": "] {
        if let Some(rest) = line.strip_prefix(marker) {
            return (true, rest);
        }
    }
    let block_tags =
        ["<li", "<p", "<div", "<dt", "<dd", "<dl", "<table", "<tr", "<td", "<th", "</li", "</p", "</div"];
    if block_tags.iter().any(|t| line.starts_with(t)) {
        return (true, line);
    }
    (false, line)
}

/// Inline markup of one block dropped: tags, autolinks, variables, macros, entities; whitespace collapsed.
pub fn plain(text: &str) -> String {
    let mut s = text.to_owned();
    for (from, to) in
        [("&le;", "≤"), ("&ge;", "≥"), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"), ("&nbsp;", " ")]
    {
        s = s.replace(from, to);
    }
    s = strip_tags(&s);
    s = replace_links(&s, "{{", "}}", pick);
    s = replace_links(&s, "[=", "=]", pick);
    s = replace_links(&s, "[$", "$]", pick);
    s = replace_links(&s, "[[", "]]", |inner| {
        // [[#anchor|text]] renders text; [[#anchor]] and [[!REF]] render a section title or a citation.
        match inner.split_once('|') {
            Some((_, text)) => text.to_owned(),
            None => String::new(),
        }
    });
    for (from, to) in MACROS {
        s = s.replace(from, to);
    }
    // |variable| renders as the variable's name; `code` as its text.
    s = s.replace(['|', '`'], "");
    collapse(&s)
}

/// The text a link renders: the part after `|` if any, else the last `/`-separated part (`{{A/b}}` is `b`).
fn pick(inner: &str) -> String {
    let inner = inner.trim();
    if let Some((_, text)) = inner.rsplit_once('|') {
        return text.to_owned();
    }
    let inner = inner.trim_start_matches('[').trim_end_matches(']');
    let macro_text =
        MACROS.iter().find(|(m, _)| m.trim_matches(['[', ']']) == inner).map(|(_, t)| (*t).to_owned());
    if let Some(t) = macro_text {
        return t;
    }
    match inner.rsplit_once('/') {
        Some((_, last)) if !last.is_empty() => last.to_owned(),
        _ => inner.to_owned(),
    }
}

fn replace_links(s: &str, open: &str, close: &str, render: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find(open) {
        out.push_str(&rest[..start]);
        let after = &rest[start + open.len()..];
        match after.find(close) {
            Some(end) => {
                out.push_str(&render(&after[..end]));
                rest = &after[end + close.len()..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        // A tag starts with a letter or '/'; anything else ("a < b") is text.
        let is_tag = after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/');
        match (is_tag, after.find('>')) {
            (true, Some(end)) => rest = &after[end + 1..],
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The sentences of plain text: split after `.`, `?` or `!` followed by a space; whitespace collapsed. A
/// quote is split the same way, so an abbreviation ("e.g.") splits both alike.
pub fn sentences(text: &str) -> Vec<String> {
    let text = collapse(text);
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for i in 0..bytes.len() {
        if matches!(bytes[i], b'.' | b'?' | b'!') && bytes.get(i + 1) == Some(&b' ') {
            out.push(text[start..=i].to_owned());
            start = i + 2;
        }
    }
    if start < text.len() {
        out.push(text[start..].to_owned());
    }
    out
}

/// The first 16 hex digits of the SHA-256 of a sentence: its line in [`INDEX`].
pub fn sentence_hash(sentence: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(sentence.as_bytes()).iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Checks a quote: `Err` lists its sentences (markup dropped) that are not sentences of the spec.
pub fn quoted(quote: &str) -> Result<(), Vec<String>> {
    // INDEX is sorted, one hash a line: hash each sentence once and look it up.
    let index: Vec<&str> = INDEX.lines().collect();
    let missing: Vec<String> = sentences(&plain(quote))
        .into_iter()
        .filter(|s| index.binary_search(&sentence_hash(s).as_str()).is_err())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sentence hashes of a source, sorted and distinct: what `spec-sentences.txt` holds.
    fn index_of(source: &str) -> String {
        let mut hashes: Vec<String> =
            plain_blocks(source).iter().flat_map(|b| sentences(b)).map(|s| sentence_hash(&s)).collect();
        hashes.sort();
        hashes.dedup();
        hashes.iter().map(|h| format!("{h}\n")).collect()
    }

    /// Where the spec source is, if this machine has it: `WEBAUTHN_SPEC_SOURCE`, or the reference copy next to
    /// the workspace.
    fn source() -> Option<String> {
        let path = std::env::var("WEBAUTHN_SPEC_SOURCE").unwrap_or_else(|_| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/reference/webauthn-l3-index.bs").to_owned()
        });
        std::fs::read_to_string(path).ok()
    }

    #[test]
    fn the_index_matches_the_spec_source() {
        let Some(src) = source() else {
            eprintln!(
                "no spec source here (set WEBAUTHN_SPEC_SOURCE); checking quotes against the committed index"
            );
            return;
        };
        let fresh = index_of(&src);
        if std::env::var_os("WEBAUTHN_HARNESS_UPDATE_SPEC_INDEX").is_some() {
            std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/spec-sentences.txt"), &fresh).unwrap();
            return;
        }
        assert!(fresh == INDEX, "spec-sentences.txt is stale: rewrite it (see the module documentation)");
    }

    #[test]
    fn markup_is_dropped_as_it_renders() {
        let src = "1. Verify that the value of <code>|C|.{{CollectedClientData/type}}</code> is `webauthn.create`.\n\
                   1. If the [=[RP]=] requires [=user verification=] for this registration, verify that the \
                   [=authData/flags/UV=] bit is set. See [[#sctn-validating-origin]] for guidance.\n\
                   <!-- a comment\n spanning lines -->\n\
                   Verify that the <code>[=credentialId=]</code> is &le; 1023 bytes.";
        let blocks = plain_blocks(src);
        assert_eq!(
            blocks,
            vec![
                "Verify that the value of C.type is webauthn.create.",
                "If the Relying Party requires user verification for this registration, verify that the UV bit \
                 is set. See for guidance.",
                "Verify that the credentialId is ≤ 1023 bytes.",
            ]
        );
        assert_eq!(sentences(&blocks[1]).len(), 2);
    }

    #[test]
    fn quotes_are_checked_sentence_by_sentence() {
        assert!(quoted("Verify that the value of C.type is webauthn.create.").is_ok());
        assert!(quoted("Verify that the value of C.type is the string webauthn.get.").is_ok());
        assert!(quoted(
            "Verify that the value of <code>|C|.{{CollectedClientData/type}}</code> is `webauthn.create`."
        )
        .is_ok());
        let err = quoted("Verify that the value of C.type is webauthn.create. The RP MUST accept anything.");
        assert_eq!(err.unwrap_err(), vec!["The RP MUST accept anything.".to_owned()]);
    }
}
