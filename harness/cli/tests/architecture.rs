//! The invariants of ARCHITECTURE.md that the compiler does not enforce, checked over the sources:
//! dependencies between the workspace crates point one way, no crate has an import cycle between its modules,
//! and nothing in the repository cites a document that is not in it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The crates under harness/, by directory name.
fn crates() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join("harness"))
        .expect("read harness/")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The workspace crates a manifest lists in one section (`[dependencies]` or `[dev-dependencies]`), by the
/// names the root manifest gives them.
fn workspace_deps(manifest: &str, section: &str, names: &BTreeSet<&str>) -> BTreeSet<String> {
    let mut inside = false;
    let mut deps = BTreeSet::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == section;
            continue;
        }
        if !inside {
            continue;
        }
        let name = line.split(['=', '.', ' ']).next().unwrap_or("");
        if names.contains(name) {
            deps.insert(name.to_owned());
        }
    }
    deps
}

/// Each crate's directory, and the name the root manifest's `[workspace.dependencies]` gives it.
const CRATES: &[(&str, &str)] = &[
    ("spec", "spec"),
    ("wire", "wire"),
    ("verifier", "verifier"),
    ("generator", "generator"),
    ("rp", "rp"),
    ("grader", "grader"),
    ("fuzzing", "fuzzing"),
    ("testkit", "testkit"),
    ("cli", "cli"),
];

/// What each crate may depend on (normal dependencies). The verifier and the generator never depend on each
/// other: the generator makes ceremonies without consulting the verifier, and the verifier knows nothing of
/// the client side; both share only `spec` and `wire`. The test kit is never a normal dependency.
const ALLOWED: &[(&str, &[&str])] = &[
    ("spec", &[]),
    ("wire", &[]),
    ("verifier", &["spec", "wire"]),
    ("generator", &["spec", "wire"]),
    ("rp", &["spec", "wire", "verifier"]),
    ("grader", &["spec", "wire", "generator"]),
    ("fuzzing", &["spec", "wire", "verifier", "generator"]),
    ("testkit", &["spec", "wire", "verifier", "generator", "rp", "grader"]),
    ("cli", &["spec", "wire", "verifier", "generator", "rp", "grader", "fuzzing"]),
];

#[test]
fn dependencies_point_one_way() {
    let names: BTreeSet<&str> = CRATES.iter().map(|(_, n)| *n).collect();
    let mut problems = Vec::new();
    for dir in crates() {
        let Some(&(_, allowed)) = ALLOWED.iter().find(|(d, _)| *d == dir) else {
            problems.push(format!("harness/{dir}: a crate this test does not know; add it to ALLOWED"));
            continue;
        };
        let manifest = std::fs::read_to_string(root().join("harness").join(&dir).join("Cargo.toml")).unwrap();
        for dep in workspace_deps(&manifest, "[dependencies]", &names) {
            if !allowed.contains(&dep.as_str()) {
                problems.push(format!("harness/{dir} depends on {dep}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "dependencies against the direction of ARCHITECTURE.md:\n{}",
        problems.join("\n")
    );
}

/// Drops `//` comments (line and doc comments) and the contents of string literals, roughly: enough that a
/// path named in prose or in a string does not count as an import.
fn code_only(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    for line in source.lines() {
        let mut in_str = false;
        let mut prev = '\0';
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if !in_str && c == '/' && chars.peek() == Some(&'/') {
                break;
            }
            if c == '"' && prev != '\\' {
                in_str = !in_str;
            } else if !in_str {
                out.push(c);
            }
            prev = if prev == '\\' && c == '\\' { '\0' } else { c };
        }
        out.push('\n');
    }
    out
}

/// The identifiers that follow `prefix` in `code` (`crate::x`, or each name of `crate::{x, y::z}`).
fn names_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let ident =
        |s: &str| s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect::<String>();
    let mut found = BTreeSet::new();
    for (i, _) in code.match_indices(prefix) {
        let before = code[..i].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &code[i + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                found.insert(ident(item.trim()));
            }
        } else {
            found.insert(ident(rest));
        }
    }
    found.remove("");
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Each top-level module of a crate and the other top-level modules it names (`crate::m` anywhere under it;
/// `super::m` in a file directly below `src/`, whose parent is the crate root). `bin/` holds binaries, which
/// are crates of their own.
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let module_of = |f: &Path| -> Option<String> {
        let rel = f.strip_prefix(src).ok()?;
        let first = rel.components().next()?.as_os_str().to_string_lossy().into_owned();
        let name = first.strip_suffix(".rs").unwrap_or(&first).to_owned();
        (!matches!(name.as_str(), "lib" | "main" | "bin")).then_some(name)
    };
    let modules: BTreeSet<String> = files.iter().filter_map(|f| module_of(f)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> =
        modules.iter().map(|m| (m.clone(), BTreeSet::new())).collect();
    for f in &files {
        let Some(m) = module_of(f) else { continue };
        let code = code_only(&std::fs::read_to_string(f).unwrap());
        let mut named = names_after(&code, "crate::");
        if f.parent() == Some(src) {
            named.extend(names_after(&code, "super::"));
        }
        for n in named {
            if n != m && modules.contains(&n) {
                graph.get_mut(&m).unwrap().insert(n);
            }
        }
    }
    graph
}

/// A cycle in `graph`, if there is one, as the modules along it.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in &graph[node] {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_crate_has_an_import_cycle_between_its_modules() {
    let mut problems = Vec::new();
    for dir in crates() {
        let src = root().join("harness").join(&dir).join("src");
        if let Some(cycle) = find_cycle(&module_graph(&src)) {
            problems.push(format!("harness/{dir}: {}", cycle.join(" -> ")));
        }
    }
    assert!(problems.is_empty(), "import cycles:\n{}", problems.join("\n"));
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let edges = |pairs: &[(&str, &str)]| {
        let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in pairs {
            g.entry(a.to_string()).or_default().insert(b.to_string());
            g.entry(b.to_string()).or_default();
        }
        g
    };
    assert_eq!(find_cycle(&edges(&[("a", "b"), ("b", "c")])), None);
    assert_eq!(
        find_cycle(&edges(&[("a", "b"), ("b", "c"), ("c", "b")])),
        Some(vec!["b".to_owned(), "c".to_owned(), "b".to_owned()])
    );
    let code =
        code_only("use crate::{policy, check::Rejection};\n// crate::comment\nlet s = \"crate::string\";");
    assert_eq!(
        names_after(&code, "crate::"),
        ["check", "policy"].into_iter().map(str::to_owned).collect::<BTreeSet<_>>()
    );
}

/// Folders that hold what the repository does not write itself.
const NOT_OURS: &[&str] =
    &[".git", "target", "node_modules", "__pycache__", ".venv", "venv", "artifacts", "coverage"];

fn text_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if p.is_dir() {
            if !NOT_OURS.contains(&name.as_str()) && p != root().join("fuzz/corpus") {
                text_files(&p, out);
            }
        } else if ["rs", "md", "toml", "sh", "py", "mjs", "js", "yml", "yaml", "html"]
            .iter()
            .any(|x| p.extension().is_some_and(|e| e == *x))
            || name == "run"
            || name == "grade-all"
        {
            out.push(p);
        }
    }
}

#[test]
fn nothing_cites_a_document_that_is_not_in_the_repository() {
    // The design document the project was started from lives outside the repository; ARCHITECTURE.md is the
    // design of record, so nothing may point at the other one.
    let outside = concat!("DES", "IGN");
    let mut files = Vec::new();
    text_files(&root(), &mut files);
    assert!(files.len() > 100, "found only {} files: is the root right?", files.len());
    let mut problems = Vec::new();
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else { continue };
        for (n, line) in text.lines().enumerate() {
            if line.contains(&format!("{outside} §")) || line.contains(&format!("{outside}.md")) {
                problems.push(format!(
                    "{}:{}: {}",
                    f.strip_prefix(root()).unwrap_or(&f).display(),
                    n + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "citations of a document outside the repository:\n{}", problems.join("\n"));
}
