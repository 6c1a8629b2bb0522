//! The built-in exercise track: every exercise parses, its solution under `tests/exercises/`
//! solves it and its wrong attempt does not.

use std::path::PathBuf;

use console::exercise::{Exercise, TRACK};

fn read(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("exercises")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_track_has_at_least_ten_exercises_with_files_for_each() {
    assert!(TRACK.len() >= 10, "{} exercises", TRACK.len());
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("exercises");
    let files = std::fs::read_dir(&dir).expect("tests/exercises").count();
    assert_eq!(
        files,
        2 * TRACK.len(),
        "a solution and a wrong attempt per exercise"
    );
}

#[test]
fn every_solution_solves_its_exercise_and_every_wrong_attempt_fails() {
    let mut report = String::new();
    for (i, builtin) in TRACK.iter().enumerate() {
        let exercise =
            Exercise::parse(builtin.text).unwrap_or_else(|e| panic!("{}: {e}", builtin.name));
        assert!(!exercise.hints.is_empty(), "{} has hints", builtin.name);
        let stem = format!("{:02}-{}", i + 1, builtin.name);
        let solved = exercise.attempt(&read(&format!("{stem}.solution.txt")), 1);
        if !solved.passed() {
            report.push_str(&format!("{stem}: the solution fails:\n{solved}"));
        }
        let wrong = exercise.attempt(&read(&format!("{stem}.wrong.txt")), 1);
        if wrong.passed() {
            report.push_str(&format!("{stem}: the wrong attempt passes\n"));
        }
        // The check runs on a copy: checking twice gives the same verdict.
        let world = exercise.start(1);
        assert_eq!(exercise.check(&world), exercise.check(&world), "{stem}");
    }
    assert!(report.is_empty(), "{report}");
}
