//! Every scenario file under `tests/scenarios/`, and every preset of the playground
//! (`crates/console/presets/`), must print what it expects, checked by the same code as
//! `clusterlab check`.
use std::path::PathBuf;

use console::run_scenario;

fn scenario_files() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [
        root.join("scenarios"),
        root.join("../crates/console/presets"),
    ] {
        let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        assert!(!found.is_empty(), "no scenario files in {}", dir.display());
        found.sort();
        files.extend(found);
    }
    files
}

#[test]
fn every_scenario_file_passes() {
    let files = scenario_files();
    assert!(!files.is_empty(), "no scenario files found");
    let mut failures = String::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable scenario");
        let report = run_scenario(&text, 1);
        for m in &report.mismatches {
            failures.push_str(&format!("{}:\n{m}\n", file.display()));
        }
    }
    assert!(failures.is_empty(), "scenario mismatches:\n{failures}");
}

#[test]
fn transcripts_are_deterministic() {
    for file in scenario_files() {
        let text = std::fs::read_to_string(&file).expect("readable scenario");
        let a = run_scenario(&text, 7).transcript;
        let b = run_scenario(&text, 7).transcript;
        assert_eq!(a, b, "{} is not reproducible", file.display());
    }
}
