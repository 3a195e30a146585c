//! Prints the spec source as plain text, one block (paragraph or list item) per line, the way quotes are
//! checked (`spec::text`): `cargo run -p webauthn-harness-spec --example spec-text -- webauthn-l3-index.bs`.
//! Copy a quote from its output and it will be found.

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: spec-text PATH-TO-webauthn-l3-index.bs");
        std::process::exit(2);
    };
    let source = match std::fs::read_to_string(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    for block in spec::text::plain_blocks(&source) {
        println!("{block}");
    }
}
