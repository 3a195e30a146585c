//! Origins that are not the RP ID's host (issue 20 class 7): a valid registration and a valid assertion whose
//! clientDataJSON origin is a declared origin on a subdomain of the RP ID (`https://login.example.org` for RP
//! ID `example.org`), rpIdHash being SHA-256 of the RP ID. An RP that hashes the origin's host instead
//! (`Policy::rp_id_hash_from_origin_host`, as fido2-lib did) refuses exactly those two, by its rpIdHash check;
//! the reference RP accepts them. Without such a declared origin the two cases do not run (UNSUPPORTED, saying
//! how to enable them), so the bug cannot show.

use std::collections::BTreeSet;

use generator::catalog;
use generator::client::ClientConfig;
use grader::{GradeConfig, Report, Verdict};
use rp::ReferenceRp;
use testkit::{not_good, outcome, ORIGIN, RP_ID, SUBDOMAIN_ORIGIN};

const REG: &str = "reg.client-data.origin.declared-subdomain";
const AUTH: &str = "auth.client-data.origin.declared-subdomain";

/// The reference RP, accepting [`SUBDOMAIN_ORIGIN`] (as `testkit::rp_config` does), hashing the origin's host
/// instead of the RP ID or not.
fn rp(hashes_origin_host: bool) -> ReferenceRp {
    let mut config = testkit::rp_config(RP_ID, ORIGIN, 3);
    config.policy.rp_id_hash_from_origin_host = hashes_origin_host;
    ReferenceRp::new(config)
}

/// Graded with the subdomain origin declared as the user would (`--origin ORIGIN --origin SUBDOMAIN_ORIGIN`),
/// or with only the RP's own origin declared.
fn grade(rp: &ReferenceRp, declared: bool) -> Report {
    testkit::grade_in_process_with(rp, &catalog::all(), |cfg: &mut GradeConfig| {
        cfg.client = ClientConfig::new(ORIGIN, RP_ID);
        if declared {
            cfg.origins.declared.push(SUBDOMAIN_ORIGIN.into());
        }
    })
}

#[test]
fn an_rp_that_hashes_the_origins_host_fails_exactly_the_two_subdomain_cases() {
    let report = grade(&rp(true), true);
    let expected: BTreeSet<(String, Verdict)> =
        [(REG.to_owned(), Verdict::Fail), (AUTH.to_owned(), Verdict::Fail)].into();
    assert_eq!(not_good(&report), expected);
    assert_eq!(outcome(&report, REG).1.as_deref(), Some("reg.auth-data.rp-id-hash"));
    assert_eq!(outcome(&report, AUTH).1.as_deref(), Some("auth.auth-data.rp-id-hash"));
}

#[test]
fn the_reference_rp_accepts_the_declared_subdomain_origin_with_the_rp_ids_hash() {
    let report = grade(&rp(false), true);
    assert_eq!(not_good(&report), BTreeSet::new());
    for id in [REG, AUTH] {
        assert_eq!(outcome(&report, id), (Verdict::Pass, None), "{id}");
    }
}

#[test]
fn without_a_declared_subdomain_origin_the_two_cases_do_not_run_and_say_how_to_enable_them() {
    for hashes_origin_host in [false, true] {
        let report = grade(&rp(hashes_origin_host), false);
        let expected: BTreeSet<(String, Verdict)> =
            [(REG.to_owned(), Verdict::Unsupported), (AUTH.to_owned(), Verdict::Unsupported)].into();
        assert_eq!(not_good(&report), expected, "hashes the origin's host: {hashes_origin_host}");
        for id in [REG, AUTH] {
            let c = report.cases.iter().find(|c| c.id == id).unwrap();
            assert!(
                c.detail.contains("declare an origin on a subdomain of the RP ID with --origin"),
                "{id}: {}",
                c.detail
            );
        }
    }
}
