//! Exercises: a scenario file with a short header, and a check that runs on a copy of the
//! learner's world. The format is documented for teachers in `docs/exercises.md`:
//!
//! ```text
//! # exercise: Slots and redirection
//! # goal: Store user:1 = alice where the cluster will find it.
//! # hint: CLUSTER KEYSLOT user:1 tells the slot; CLUSTER NODES who owns it.
//! # allow: redis-cli sleep GET SET CLUSTER
//! $ redis-server --port 7000 ...          (the setup: run when the exercise opens)
//! # check
//! # want: user:1 is on the master that owns its slot
//! 127.0.0.1:7002> GET user:1
//! "alice"
//! ```
//!
//! Everything is a valid scenario file (the header lines are comments), so `clusterlab run`
//! shows what the setup and the check print.

use std::fmt;

use crate::scenario::{Scenario, Step, Typed, eval_typed, expected_len, output_lines};
use crate::shell::Console;
use crate::split::split_shell;

/// The largest exercise or attempt file accepted (the same limit as an opened scenario).
pub const MAX_EXERCISE_BYTES: usize = 256 * 1024;

/// What is wrong with an exercise file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExerciseError {
    /// Over [`MAX_EXERCISE_BYTES`].
    TooLarge(usize),
    /// A required header line is missing (`exercise`, `goal`).
    Missing(&'static str),
    /// A header line says nothing after its colon.
    Empty(&'static str),
    /// No `# check` line, or no command after it.
    NoCheck,
}

impl fmt::Display for ExerciseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExerciseError::TooLarge(n) => write!(
                f,
                "the file has {n} bytes; an exercise may have at most {MAX_EXERCISE_BYTES}"
            ),
            ExerciseError::Missing(key) => write!(
                f,
                "no '# {key}: ...' line before the first command (an exercise needs a title and a goal)"
            ),
            ExerciseError::Empty(key) => write!(f, "the '# {key}:' line is empty"),
            ExerciseError::NoCheck => f.write_str(
                "no '# check' line followed by at least one command with its expected output",
            ),
        }
    }
}

/// One command of the check, with what it must print and what it means in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckStep {
    /// The `# want:` lines before it, joined (or the command itself if there are none).
    pub want: String,
    /// The command and its expected output.
    pub step: Step,
}

/// A parsed exercise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exercise {
    /// `# exercise:` — the title.
    pub title: String,
    /// `# goal:` — one sentence.
    pub goal: String,
    /// `# hint:` lines, in order, shown one at a time on request.
    pub hints: Vec<String>,
    /// `# allow:` — the only commands the learner may use (lower case), if limited.
    pub allowed: Option<Vec<String>>,
    /// The scenario run when the exercise opens (everything before `# check`).
    pub setup: String,
    /// The check, run on a copy of the learner's world.
    pub checks: Vec<CheckStep>,
}

/// One check command whose output was not the expected one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Missing {
    /// What it means (the `# want:` text).
    pub want: String,
    /// The command as run.
    pub typed: String,
    /// What it had to print.
    pub expected: Vec<String>,
    /// What it printed.
    pub actual: Vec<String>,
}

/// The outcome of a check.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Verdict {
    /// Lines of the attempt the exercise does not allow (with the reason).
    pub refused: Vec<String>,
    /// Check commands that did not print what they should.
    pub missing: Vec<Missing>,
}

impl Verdict {
    /// Solved: nothing refused, nothing missing.
    pub fn passed(&self) -> bool {
        self.refused.is_empty() && self.missing.is_empty()
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.passed() {
            return f.write_str("Solved: every check passes.\n");
        }
        for r in &self.refused {
            writeln!(f, "Not allowed here: {r}")?;
        }
        for m in &self.missing {
            writeln!(f, "Not yet: {}", m.want)?;
            writeln!(f, "  {}", m.typed)?;
            for l in crate::diff::diff_lines(&m.expected, &m.actual) {
                writeln!(f, "  {l}")?;
            }
        }
        Ok(())
    }
}

/// `# key: value` in a header comment.
fn header(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix('#')?.trim_start();
    let (key, value) = rest.split_once(':')?;
    let key = key.trim();
    (!key.is_empty() && key.bytes().all(|b| b.is_ascii_lowercase())).then(|| (key, value.trim()))
}

fn is_check_marker(line: &str) -> bool {
    let l = line.trim_end();
    l == "# check" || l == "# check:"
}

fn wants(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter_map(|l| match header(l) {
            Some(("want", v)) => Some(v.to_string()),
            _ => None,
        })
        .collect()
}

impl Exercise {
    /// Reads an exercise file; any text gets either an exercise or a clear error.
    pub fn parse(text: &str) -> Result<Exercise, ExerciseError> {
        if text.len() > MAX_EXERCISE_BYTES {
            return Err(ExerciseError::TooLarge(text.len()));
        }
        let lines: Vec<&str> = text.lines().collect();
        let split = lines
            .iter()
            .position(|l| is_check_marker(l))
            .ok_or(ExerciseError::NoCheck)?;
        let setup = lines[..split].join("\n") + "\n";
        let setup_scenario = Scenario::parse(&setup);
        let (mut title, mut goal, mut hints, mut allowed) = (None, None, Vec::new(), None);
        for line in &setup_scenario.preamble {
            match header(line) {
                Some(("exercise", v)) => title = Some(v.to_string()),
                Some(("goal", v)) => goal = Some(v.to_string()),
                Some(("hint", v)) if !v.is_empty() => hints.push(v.to_string()),
                Some(("allow", v)) => {
                    allowed = Some(v.split_whitespace().map(str::to_ascii_lowercase).collect())
                }
                _ => {}
            }
        }
        let title = title.ok_or(ExerciseError::Missing("exercise"))?;
        let goal = goal.ok_or(ExerciseError::Missing("goal"))?;
        if title.is_empty() {
            return Err(ExerciseError::Empty("exercise"));
        }
        if goal.is_empty() {
            return Err(ExerciseError::Empty("goal"));
        }
        let check = Scenario::parse(&lines[split + 1..].join("\n"));
        if check.steps.is_empty() {
            return Err(ExerciseError::NoCheck);
        }
        let mut checks = Vec::new();
        let mut before = wants(&check.preamble);
        for step in &check.steps {
            let want = if before.is_empty() {
                match &step.typed {
                    Typed::Shell(c) => format!("$ {c}"),
                    Typed::Prompt {
                        host,
                        port,
                        command,
                    } => format!("{host}:{port}> {command}"),
                }
            } else {
                before.join(" ")
            };
            before = wants(&step.after);
            checks.push(CheckStep {
                want,
                step: step.clone(),
            });
        }
        Ok(Exercise {
            title,
            goal,
            hints,
            allowed,
            setup,
            checks,
        })
    }

    /// A world with the setup run, ready for the learner.
    pub fn start(&self, seed: u64) -> Console {
        let mut console = Console::new(seed);
        for step in &Scenario::parse(&self.setup).steps {
            eval_typed(&mut console, &step.typed);
        }
        console
    }

    /// Whether the exercise lets the learner type `typed`; the error says what is allowed.
    pub fn allows(&self, typed: &Typed) -> Result<(), String> {
        let Some(allowed) = &self.allowed else {
            return Ok(());
        };
        let ok = |w: &str| allowed.iter().any(|a| a.eq_ignore_ascii_case(w));
        let words: Vec<String> = match typed {
            Typed::Shell(cmd) => split_shell(cmd).unwrap_or_default(),
            Typed::Prompt { command, .. } => split_shell(command).unwrap_or_default(),
        };
        let mut used: Vec<&str> = Vec::new();
        if let Some(first) = words.first() {
            used.push(first);
            // `redis-cli [options] CMD ...`: the Redis command counts too.
            if first == "redis-cli" && matches!(typed, Typed::Shell(_)) {
                let mut i = 1;
                while i < words.len() && words[i].starts_with('-') {
                    // Options that take a value.
                    i += if matches!(words[i].as_str(), "-h" | "-p" | "-n" | "-a") {
                        2
                    } else {
                        1
                    };
                }
                if let Some(cmd) = words.get(i) {
                    used.push(cmd);
                }
            }
        }
        match used.iter().find(|w| !ok(w)) {
            None => Ok(()),
            Some(w) => Err(format!(
                "'{w}' is not allowed in this exercise (allowed: {})",
                allowed.join(" ")
            )),
        }
    }

    /// Runs the check on a copy of `world` (the learner's world is not touched).
    pub fn check(&self, world: &Console) -> Verdict {
        let mut copy = world.clone();
        let mut missing = Vec::new();
        for c in &self.checks {
            let (typed, out) = eval_typed(&mut copy, &c.step.typed);
            let actual = output_lines(&out.text);
            let (k, matched) = expected_len(&c.step.after, &actual);
            if !matched {
                missing.push(Missing {
                    want: c.want.clone(),
                    typed,
                    expected: c.step.after[..k].to_vec(),
                    actual,
                });
            }
        }
        Verdict {
            refused: Vec::new(),
            missing,
        }
    }

    /// Plays an attempt (a scenario of what the learner typed; expected output in it is
    /// ignored) after the setup, then checks. Lines the exercise does not allow are refused
    /// and not run.
    pub fn attempt(&self, attempt: &str, seed: u64) -> Verdict {
        let mut world = self.start(seed);
        let mut refused = Vec::new();
        for step in &Scenario::parse(attempt).steps {
            match self.allows(&step.typed) {
                Ok(()) => {
                    eval_typed(&mut world, &step.typed);
                }
                Err(e) => refused.push(format!("line {}: {e}", step.line_no)),
            }
        }
        let mut verdict = self.check(&world);
        verdict.refused = refused;
        verdict
    }
}

/// An exercise that ships with ClusterLab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinExercise {
    /// A short name, used in links and progress.
    pub name: &'static str,
    /// The exercise file.
    pub text: &'static str,
}

/// The built-in track, in order: it follows the seed document's concepts, from slots to moving
/// a slot by hand. Each has a solution and a wrong attempt under `tests/exercises/`.
pub const TRACK: &[BuiltinExercise] = &[
    BuiltinExercise {
        name: "slots-and-redirection",
        text: include_str!("../exercises/01-slots-and-redirection.txt"),
    },
    BuiltinExercise {
        name: "meet-and-gossip",
        text: include_str!("../exercises/02-meet-and-gossip.txt"),
    },
    BuiltinExercise {
        name: "making-a-replica",
        text: include_str!("../exercises/03-making-a-replica.txt"),
    },
    BuiltinExercise {
        name: "pfail-is-local",
        text: include_str!("../exercises/04-pfail-is-local.txt"),
    },
    BuiltinExercise {
        name: "election-and-epoch",
        text: include_str!("../exercises/05-election-and-epoch.txt"),
    },
    BuiltinExercise {
        name: "the-old-master-returns",
        text: include_str!("../exercises/06-the-old-master-returns.txt"),
    },
    BuiltinExercise {
        name: "a-minority-partition",
        text: include_str!("../exercises/07-a-minority-partition.txt"),
    },
    BuiltinExercise {
        name: "losing-writes-and-wait",
        text: include_str!("../exercises/08-losing-writes-and-wait.txt"),
    },
    BuiltinExercise {
        name: "manual-failover",
        text: include_str!("../exercises/09-manual-failover.txt"),
    },
    BuiltinExercise {
        name: "takeover",
        text: include_str!("../exercises/10-takeover.txt"),
    },
    BuiltinExercise {
        name: "moving-a-slot-by-hand",
        text: include_str!("../exercises/11-moving-a-slot-by-hand.txt"),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "# exercise: Ping\n# goal: Start 7000.\n# hint: redis-server\n# allow: redis-server redis-cli sleep PING\n# check\n# want: 7000 answers\n$ redis-cli -p 7000 PING\nPONG\n";

    #[test]
    fn a_header_a_setup_and_a_check() {
        let x = Exercise::parse(SMALL).expect("parses");
        assert_eq!((x.title.as_str(), x.goal.as_str()), ("Ping", "Start 7000."));
        assert_eq!(x.hints, vec!["redis-server".to_string()]);
        assert_eq!(x.checks.len(), 1);
        assert_eq!(x.checks[0].want, "7000 answers");
        assert!(!x.attempt("", 1).passed());
        let solved = x.attempt("$ redis-server --port 7000 --daemonize yes\n", 1);
        assert!(solved.passed(), "{solved}");
    }

    #[test]
    fn lines_outside_the_allowed_commands_are_refused_and_not_run() {
        let x = Exercise::parse(SMALL).expect("parses");
        let v = x.attempt(
            "$ redis-server --port 7000 --daemonize yes\n$ redis-cli -p 7000 SET a 1\n127.0.0.1:7000> GET a\n",
            1,
        );
        assert_eq!(v.refused.len(), 2, "{v}");
        assert!(v.refused[0].contains("'SET' is not allowed"), "{v}");
        assert!(v.missing.is_empty());
        assert!(!v.passed());
        assert!(
            x.allows(&Typed::Shell("redis-cli -h 127.0.0.1 -p 7000 ping".into()))
                .is_ok()
        );
    }

    #[test]
    fn bad_files_get_clear_errors() {
        assert_eq!(
            Exercise::parse("# goal: x\n# check\n$ sleep 1\n"),
            Err(ExerciseError::Missing("exercise"))
        );
        assert_eq!(
            Exercise::parse("# exercise: t\n# goal: x\n$ sleep 1\n"),
            Err(ExerciseError::NoCheck)
        );
        assert_eq!(
            Exercise::parse("# exercise: t\n# goal: x\n# check\n# only comments\n"),
            Err(ExerciseError::NoCheck)
        );
        assert_eq!(
            Exercise::parse("# exercise:\n# goal: x\n# check\n$ sleep 1\n"),
            Err(ExerciseError::Empty("exercise"))
        );
        let big = "#".repeat(MAX_EXERCISE_BYTES + 1);
        assert!(matches!(
            Exercise::parse(&big),
            Err(ExerciseError::TooLarge(_))
        ));
        assert!(
            ExerciseError::NoCheck.to_string().contains("# check"),
            "the message names the missing line"
        );
    }

    #[test]
    fn the_learners_world_is_not_touched_by_a_check() {
        let x = Exercise::parse(
            "# exercise: t\n# goal: g\n$ redis-server --port 7000 --daemonize yes\n# check\n$ sim crash 7000\n$ redis-cli -p 7000 PING\nCould not connect to Redis at 127.0.0.1:7000: Connection refused\n",
        )
        .expect("parses");
        let world = x.start(1);
        assert!(x.check(&world).passed());
        assert!(
            world.sim().running(7000).is_some(),
            "the crash was on a copy"
        );
    }
}
