//! The scenario runner itself: wildcards, comments, mismatch reports.
use console::{line_matches, lines_match, run_scenario};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn strings(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|s| s.to_string()).collect()
}

#[test]
fn wildcards() {
    assert!(line_matches("abc", "abc"));
    assert!(!line_matches("abc", "abcd"));
    assert!(line_matches(
        "[..] :7000@17000 myself,master",
        "d3bb :7000@17000 myself,master"
    ));
    assert!(line_matches("a[..]b[..]c", "a-b-b-c"));
    assert!(!line_matches("a[..]b[..]c", "a-c-b"));
    assert!(line_matches("[..]", ""));
    assert!(!line_matches("ab[..]ba", "aba"));
    assert!(lines_match(
        &strings(&["a", "...", "z"]),
        &strings(&["a", "b", "c", "z"])
    ));
    assert!(lines_match(
        &strings(&["a", "...", "z"]),
        &strings(&["a", "z"])
    ));
    assert!(!lines_match(
        &strings(&["a", "...", "z"]),
        &strings(&["a", "b"])
    ));
    assert!(lines_match(&strings(&["..."]), &strings(&[])));
}

const LONE: &str = "$ redis-server --port 7000 --cluster-enabled yes\n";

#[test]
fn a_matching_file_passes_and_keeps_comments() {
    let text = format!("# intro\n{LONE}# after start\n127.0.0.1:7000> PING\nPONG\n\n# end\n");
    let report = run_scenario(&text, 1);
    assert!(report.passed(), "{:?}", report.mismatches);
    assert_eq!(
        report.transcript,
        format!("# intro\n{LONE}# after start\n127.0.0.1:7000> PING\nPONG\n\n# end\n")
    );
}

#[test]
fn a_wrong_expectation_fails_with_a_diff() {
    let text = format!("{LONE}127.0.0.1:7000> CLUSTER KEYSLOT foo\n(integer) 1\n");
    let report = run_scenario(&text, 1);
    assert!(!report.passed());
    let shown = report.mismatches[0].to_string();
    assert_eq!(
        shown,
        "line 2: 127.0.0.1:7000> CLUSTER KEYSLOT foo\n- (integer) 1\n+ (integer) 12182\n"
    );
}

#[test]
fn missing_output_is_a_mismatch_too() {
    // A command with no expected lines must print nothing.
    let text = format!("{LONE}127.0.0.1:7000> PING\n");
    assert!(!run_scenario(&text, 1).passed());
}

#[test]
fn output_that_starts_with_a_hash_is_output() {
    // redis-cli prints `# Keyspace`-style lines for INFO; an ECHO shows the rule.
    let text = format!("{LONE}$ redis-cli -p 7000 --raw ECHO '# not a comment'\n# not a comment\n");
    let report = run_scenario(&text, 1);
    assert!(report.passed(), "{:?}", report.mismatches);
}

#[test]
fn completion_offers_commands_subcommands_and_verbs() {
    use console::help::complete;
    assert_eq!(
        complete("redis-se", 8),
        (0, vec!["redis-server".to_string()])
    );
    assert_eq!(
        complete("CLUSTER KEY", 11),
        (8, vec!["KEYSLOT".to_string()])
    );
    assert_eq!(complete("cluster rep", 11).1, vec!["REPLICAS", "REPLICATE"]);
    assert_eq!(
        complete("sim pa", 6),
        (4, vec!["partition".to_string(), "pause".to_string()])
    );
    assert!(complete("PI", 2).1.contains(&"PING".to_string()));
    // A cursor past the end or inside a multi-byte character never panics.
    assert_eq!(complete("é", 1).1, Vec::<String>::new());
    let _ = complete("abc", 99);
}

#[test]
fn tab_completes_like_a_shell() {
    use console::help::complete_line;
    assert_eq!(complete_line("redis-se").as_deref(), Some("redis-server "));
    assert_eq!(
        complete_line("CLUSTER KEY").as_deref(),
        Some("CLUSTER KEYSLOT ")
    );
    // Several candidates: their common prefix.
    assert_eq!(
        complete_line("cluster rep").as_deref(),
        Some("cluster REPLICA")
    );
    // Nothing more to add, or nothing matches.
    assert_eq!(complete_line("cluster REPLICA"), None);
    assert_eq!(complete_line("zzz"), None);
}
