//! Built-in scenarios for the playground's preset menu, and the guided walk through one.
//!
//! Presets are ordinary scenario files (with expected output, checked by the test suite like
//! every file under `tests/scenarios/`). A guided walk shows each typed line with the comment
//! lines just before it as "what to watch".

use crate::scenario::{Scenario, Typed};

/// A scenario that ships with ClusterLab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    /// A short name, used in links and the `clusterlab` CLI.
    pub name: &'static str,
    /// The title shown in the menu.
    pub title: &'static str,
    /// One sentence on what it shows.
    pub summary: &'static str,
    /// Whether the playground walks through it step by step instead of running it at once.
    pub guided: bool,
    /// The scenario file.
    pub text: &'static str,
}

/// Every preset, in menu order.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "seed-failover",
        title: "Guided: a master fails, its replica takes over",
        summary: "Build a cluster by hand, kill a master and watch detection, the election and the old master's return.",
        guided: true,
        text: include_str!("../presets/seed-failover.txt"),
    },
    Preset {
        name: "three-plus-three",
        title: "3 masters + 3 replicas",
        summary: "A ready cluster made by redis-cli --cluster create --cluster-replicas 1.",
        guided: false,
        text: include_str!("../presets/three-plus-three.txt"),
    },
    Preset {
        name: "minority-partition",
        title: "A network partition with a minority master",
        summary: "7000 is cut off alone: its replica wins on the majority side, and 7000 stops taking writes.",
        guided: false,
        text: include_str!("../presets/minority-partition.txt"),
    },
];

/// The preset called `name`.
pub fn preset(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

/// Serde for a `&'static Preset`: by its name, so that a preset can be named in a message
/// (`#[serde(with = "console::presets::by_name")]`).
pub mod by_name {
    use super::{Preset, preset};

    /// Writes the preset's name.
    pub fn serialize<S: serde::Serializer>(p: &&'static Preset, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(p.name)
    }

    /// Reads a name and finds the built-in preset.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<&'static Preset, D::Error> {
        let name: String = serde::Deserialize::deserialize(d)?;
        preset(&name).ok_or_else(|| serde::de::Error::custom(format!("no preset named {name}")))
    }
}

/// One step of a guided walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuideStep {
    /// What to watch, from the comment lines just before the typed line (without `# `).
    pub explain: String,
    /// The typed line as a scenario writes it (`$ ...` or `host:port> ...`).
    pub line: String,
    /// The typed line, ready to run.
    pub typed: Typed,
}

/// The comment block that ends a list of lines (after a step's expected output).
fn trailing_comments(lines: &[String]) -> Vec<&str> {
    let start = lines
        .iter()
        .rposition(|l| !l.starts_with('#'))
        .map_or(0, |i| i + 1);
    lines[start..]
        .iter()
        .map(|l| l.trim_start_matches('#').trim())
        .collect()
}

/// The steps of a scenario with their explanations.
pub fn guide(text: &str) -> Vec<GuideStep> {
    let scenario = Scenario::parse(text);
    let mut before: &[String] = &scenario.preamble;
    let mut steps = Vec::new();
    for step in &scenario.steps {
        let explain = trailing_comments(before).join(" ");
        let line = match &step.typed {
            Typed::Shell(cmd) => format!("$ {cmd}"),
            Typed::Prompt {
                host,
                port,
                command,
            } => format!("{host}:{port}> {command}"),
        };
        steps.push(GuideStep {
            explain,
            line,
            typed: step.typed.clone(),
        });
        before = &step.after;
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_are_named_uniquely_and_findable() {
        for p in PRESETS {
            assert_eq!(preset(p.name), Some(p));
            assert!(!guide(p.text).is_empty(), "{} has steps", p.name);
        }
        assert_eq!(preset("nope"), None);
    }

    #[test]
    fn a_guided_step_explains_with_the_comments_just_before_it() {
        let steps = guide(
            "# intro\n# first\n$ a\nout\n# INFO-like header\nmore\n# watch this\n# closely\n127.0.0.1:7000> b\n$ c\n",
        );
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[0].explain, "intro first");
        assert_eq!(steps[0].line, "$ a");
        assert_eq!(steps[1].explain, "watch this closely");
        assert_eq!(steps[1].line, "127.0.0.1:7000> b");
        assert_eq!(steps[2].explain, "");
    }
}
