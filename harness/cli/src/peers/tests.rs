//! The committed reports under reports/ re-rendered from their own JSON, without installing any peer: each
//! `report.snap` is read into the report model and written again as the published JSON and as Markdown, the
//! way `tests/peer_reports.rs` and `tests/reference_report.rs` write them, and the matrix pages are built from
//! them as `peers` builds them. Every file must come out byte for byte as committed, so a change to the report
//! model or to a renderer that would alter a published report fails here, with no registry needed.

use std::path::{Path, PathBuf};

use grader::render;

use super::*;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// An insta snapshot file: a header between two `---` lines naming the test that wrote it, then the content.
struct Snapshot {
    source: String,
    content: String,
}

fn read_snapshot(path: &Path) -> Snapshot {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let rest = text.strip_prefix("---\n").unwrap_or_else(|| panic!("{} has no insta header", path.display()));
    let (header, content) =
        rest.split_once("\n---\n").unwrap_or_else(|| panic!("{} has no end of header", path.display()));
    let source =
        header.strip_prefix("source: ").unwrap_or_else(|| panic!("{}: header {header:?}", path.display()));
    Snapshot { source: source.to_owned(), content: content.to_owned() }
}

/// The file insta writes for a snapshot of `content` taken by `source`: the header, then the content without
/// its trailing newlines, then one newline.
fn snapshot_file(source: &str, content: &str) -> String {
    format!("---\nsource: {source}\n---\n{}\n", content.trim_end_matches('\n'))
}

fn read_report(path: &Path) -> Report {
    let snapshot = read_snapshot(path);
    serde_json::from_str(&snapshot.content)
        .unwrap_or_else(|e| panic!("{} is not a report: {e}", path.display()))
}

/// Compares a re-rendered file with the committed one; a difference is described by its first differing line.
fn compare(committed: &Path, fresh: &str, problems: &mut Vec<String>) {
    let old = std::fs::read_to_string(committed).unwrap_or_default();
    if old != fresh {
        let line = old.lines().zip(fresh.lines()).position(|(a, b)| a != b).map_or_else(
            || format!("the files have {} and {} lines", old.lines().count(), fresh.lines().count()),
            |n| {
                format!(
                    "line {}: committed {:?}, re-rendered {:?}",
                    n + 1,
                    old.lines().nth(n).unwrap_or_default(),
                    fresh.lines().nth(n).unwrap_or_default()
                )
            },
        );
        problems.push(format!("{} is not what its report renders to ({line})", committed.display()));
    }
}

#[test]
fn committed_reports_render_back_to_themselves() {
    let reports = root().join("reports");
    let peers = discover(&root().join("targets")).expect("the target folders");
    assert!(peers.len() >= 5, "only {} targets", peers.len());

    // Every report folder is the reference RP's or a target's.
    let mut folders: Vec<String> = std::fs::read_dir(&reports)
        .expect("reports/")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("report.snap").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let mut expected: Vec<String> =
        std::iter::once("reference".to_owned()).chain(peers.iter().map(|(_, i)| i.name.clone())).collect();
    expected.sort();
    assert_eq!(folders, expected);

    let mut problems = Vec::new();
    // The reference RP's report is the full one (with the RP's messages), written by tests/reference_report.rs.
    let source = "harness/cli/tests/reference_report.rs";
    let dir = reports.join("reference");
    let reference = read_report(&dir.join("report.snap"));
    assert_eq!(reference.harness_version, "[version]");
    assert!(reference.cases.iter().any(|c| !c.detail.is_empty()), "the reference report keeps its details");
    compare(&dir.join("report.snap"), &snapshot_file(source, &render::json(&reference)), &mut problems);
    compare(
        &dir.join("report-markdown.snap"),
        &snapshot_file(source, &render::markdown(&reference)),
        &mut problems,
    );
    assert_eq!(read_snapshot(&dir.join("report-markdown.snap")).source, source);

    // The peers' reports are the published form, written by tests/peer_reports.rs.
    let source = "harness/cli/tests/peer_reports.rs";
    let mut columns = vec![reference_column(reference.clone())];
    for (_, info) in &peers {
        let dir = reports.join(&info.name);
        let report = read_report(&dir.join("report.snap"));
        assert_eq!(
            report,
            report.published(),
            "{}: the committed report is not the published form",
            info.name
        );
        assert_eq!(report.target, info.implementation(), "{}", info.name);
        assert_eq!(report.seed, reference.seed, "{}", info.name);
        let published = report.published();
        compare(&dir.join("report.snap"), &snapshot_file(source, &render::json(&published)), &mut problems);
        compare(
            &dir.join("report-markdown.snap"),
            &snapshot_file(source, &render::markdown(&published)),
            &mut problems,
        );
        assert_eq!(read_snapshot(&dir.join("report-markdown.snap")).source, source);
        columns.push(peer_column(info, published));
    }

    // The matrix of them all.
    let (readme, html) = matrix_pages(reference.seed, &columns);
    compare(&reports.join("README.md"), &readme, &mut problems);
    compare(&reports.join("matrix.html"), &html, &mut problems);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_changed_rendering_is_caught() {
    // The comparison itself: one verdict changed in a report gives a different file than the report rendered as
    // it was (written to a scratch file, so this holds whether or not the committed files are current).
    let dir = root().join("reports").join("fido2-lib");
    let mut report = read_report(&dir.join("report.snap"));
    let source = "harness/cli/tests/peer_reports.rs";
    let scratch =
        std::env::temp_dir().join(format!("webauthn-harness-peers-caught-{}.snap", std::process::id()));
    std::fs::write(&scratch, snapshot_file(source, &render::json(&report))).expect("a scratch file");
    let case = report.cases.iter_mut().find(|c| c.verdict == grader::Verdict::Fail).expect("a FAIL");
    case.verdict = grader::Verdict::Warn;
    let mut problems = Vec::new();
    compare(&scratch, &snapshot_file(source, &render::json(&report)), &mut problems);
    let _ = std::fs::remove_file(&scratch);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains(r#"re-rendered "      \"verdict\": \"WARN\",""#), "{}", problems[0]);
}

#[test]
fn target_toml_may_declare_the_origins_its_adapter_accepts() {
    let path = Path::new("targets/x/target.toml");
    let base = "name = \"x\"\nlibrary = \"x\"\nregistry = \"npm\"\nversion = \"1\"\nlanguage = \"JS\"\ndocs = \"https://x\"\n";
    let plain = TargetInfo::parse(base, path).expect("no origins declared");
    assert_eq!(plain.origin_policy, grader::OriginPolicy::Exact);
    assert_eq!(plain.declared_origins(), ["http://localhost:PORT"]);

    let declared = TargetInfo::parse(
        &format!("{base}origins = [\"http://127.0.0.1:PORT\"]\norigin_policy = \"subdomains\"\n"),
        path,
    )
    .expect("origins declared");
    assert_eq!(declared.origin_policy, grader::OriginPolicy::Subdomains);
    assert_eq!(declared.declared_origins(), ["http://localhost:PORT", "http://127.0.0.1:PORT"]);
    assert_eq!(at_port(&declared.origins[0], 8101), "http://127.0.0.1:8101");

    // A bad value names the file and the field.
    let e = TargetInfo::parse(&format!("{base}origin_policy = \"prefix\"\n"), path).unwrap_err().to_string();
    assert_eq!(
        e,
        "targets/x/target.toml: origin_policy: unknown origin policy \"prefix\" (one of exact, subdomains)"
    );
    let e =
        TargetInfo::parse(&format!("{base}origins = [\"localhost:PORT\"]\n"), path).unwrap_err().to_string();
    assert!(e.starts_with("targets/x/target.toml: origins: \"localhost:8080\" is not an origin"), "{e}");
    let e = TargetInfo::parse(&format!("{base}origin = \"x\"\n"), path).unwrap_err();
    assert!(format!("{e:#}").contains("unknown field `origin`"), "{e:#}");
}

/// A real product graded as it ships names its RP profile in target.toml; `peers` grades it through that file,
/// which must exist and parse (checked here without installing anything).
#[test]
fn a_target_may_name_its_rp_profile() {
    let peers = discover(&root().join("targets")).expect("the target folders");
    let (dir, info) = peers.iter().find(|(_, i)| i.name == "django-otp-webauthn").expect("the Django target");
    assert_eq!(info.rp_profile.as_deref(), Some("profile.toml"));
    let file = dir.join("profile.toml");
    let text = std::fs::read_to_string(&file).expect("read the profile");
    let profile =
        grader::profile::RpProfile::parse(&file.display().to_string(), &text).expect("a valid profile");
    assert_eq!(profile.rp.rp_id.as_deref(), Some("localhost"));
}

#[test]
fn target_toml_may_name_the_rp_profile_it_is_graded_through() {
    let path = Path::new("targets/x/target.toml");
    let base = "name = \"x\"\nlibrary = \"x\"\nregistry = \"npm\"\nversion = \"1\"\nlanguage = \"JS\"\ndocs = \"https://x\"\n";
    let plain = TargetInfo::parse(base, path).expect("no RP profile");
    assert_eq!(plain.rp_profile, None);
    let dir = Path::new("/t/x");
    let args = grade_args(dir, &plain, 8101, 1);
    assert!(!args.iter().any(|a| a == "--profile"), "{args:?}");
    assert_eq!(args[..2], ["--target", "http://127.0.0.1:8101"]);

    let named =
        TargetInfo::parse(&format!("{base}rp_profile = \"profile.toml\"\n"), path).expect("an RP profile");
    assert_eq!(named.rp_profile.as_deref(), Some("profile.toml"));
    let args = grade_args(dir, &named, 8101, 1);
    let at = args.iter().position(|a| a == "--profile").expect("--profile");
    assert_eq!(Path::new(&args[at + 1]), dir.join("profile.toml"));
    assert!(args.windows(2).any(|w| w == ["--origin", "http://localhost:8101"]), "{args:?}");

    // Only a file in the target's folder.
    for bad in ["", "../y/profile.toml", "/etc/profile.toml"] {
        let e = TargetInfo::parse(&format!("{base}rp_profile = {bad:?}\n"), path).unwrap_err().to_string();
        assert!(e.starts_with("targets/x/target.toml: rp_profile: "), "{e}");
    }
}

#[test]
fn a_target_whose_rp_profile_is_missing_or_bad_is_refused_before_anything_runs() {
    let root = std::env::temp_dir().join(format!("webauthn-harness-rp-profile-{}", std::process::id()));
    let dir = root.join("x");
    std::fs::create_dir_all(&dir).unwrap();
    let manifest = "name = \"x\"\nlibrary = \"x\"\nregistry = \"npm\"\nversion = \"1\"\nlanguage = \"JS\"\ndocs = \"https://x\"\nrp_profile = \"profile.toml\"\n";
    std::fs::write(dir.join("target.toml"), manifest).unwrap();
    for f in ["install.sh", "start.sh", "expectations.toml"] {
        std::fs::write(dir.join(f), "").unwrap();
    }
    let e = format!("{:#}", discover(&root).unwrap_err());
    assert!(e.contains("rp_profile: reading") && e.contains("profile.toml"), "{e}");
    std::fs::write(dir.join("profile.toml"), "[rp]\nbase = 1\n").unwrap();
    let e = format!("{:#}", discover(&root).unwrap_err());
    assert!(e.contains("profile.toml:2: base: unknown field `base`"), "{e}");
    let good = grader::profile::CONFORMANCE_API;
    std::fs::write(dir.join("profile.toml"), good).unwrap();
    let found = discover(&root).expect("a good profile");
    assert_eq!(found[0].1.rp_profile.as_deref(), Some("profile.toml"));
    let _ = std::fs::remove_dir_all(&root);
}
