//! Scenario files: terminal sessions with expected output, run and checked by the same code in
//! the CLI, the tests and the browser. The format is described in the README.

use std::fmt;

use crate::shell::{Console, Output};

/// One typed line of a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    /// `$ cmd`.
    Shell(String),
    /// `host:port> cmd`.
    Prompt {
        /// The host part of the prompt.
        host: String,
        /// The port part of the prompt.
        port: u16,
        /// What follows `> `.
        command: String,
    },
}

/// A typed line and the lines that follow it up to the next typed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// 1-based line number of the typed line in the file.
    pub line_no: usize,
    /// What was typed.
    pub typed: Typed,
    /// The following lines: expected output, then possibly comments and blank lines.
    pub after: Vec<String>,
}

/// A parsed scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// Lines before the first typed line (comments, blank lines).
    pub preamble: Vec<String>,
    /// The typed lines in order.
    pub steps: Vec<Step>,
}

/// Recognizes `HOST:PORT> command` (also a bare `HOST:PORT>`, and `HOST:PORT(TX)> ` inside
/// MULTI).
pub fn parse_prompt(line: &str) -> Option<(String, u16, String)> {
    let gt = line.find('>')?;
    let (addr, rest) = line.split_at(gt);
    let command = match &rest[1..] {
        "" => "",
        r => r.strip_prefix(' ')?,
    };
    let (host, port) = addr.rsplit_once(':')?;
    // Inside MULTI redis-cli shows `host:port(TX)> `.
    let port = port.strip_suffix("(TX)").unwrap_or(port);
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    if !host_ok || port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((host.to_string(), port.parse().ok()?, command.to_string()))
}

fn typed_line(line: &str) -> Option<Typed> {
    if let Some(cmd) = line.strip_prefix("$ ") {
        return Some(Typed::Shell(cmd.to_string()));
    }
    if line == "$" {
        return Some(Typed::Shell(String::new()));
    }
    parse_prompt(line).map(|(host, port, command)| Typed::Prompt {
        host,
        port,
        command,
    })
}

impl Scenario {
    /// Splits a file into its typed lines. Never fails: any text is a scenario, though
    /// perhaps one with no steps.
    pub fn parse(text: &str) -> Scenario {
        let mut scenario = Scenario {
            preamble: Vec::new(),
            steps: Vec::new(),
        };
        for (i, raw) in text.lines().enumerate() {
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if let Some(typed) = typed_line(line) {
                scenario.steps.push(Step {
                    line_no: i + 1,
                    typed,
                    after: Vec::new(),
                });
            } else if let Some(step) = scenario.steps.last_mut() {
                step.after.push(line.to_string());
            } else {
                scenario.preamble.push(line.to_string());
            }
        }
        scenario
    }
}

fn is_comment_or_blank(line: &str) -> bool {
    line.is_empty() || line.starts_with('#')
}

/// Whether one expected line matches one actual line; `[..]` matches any text in the line.
pub fn line_matches(expected: &str, actual: &str) -> bool {
    let parts: Vec<&str> = expected.split("[..]").collect();
    if parts.len() == 1 {
        return expected == actual;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !actual.starts_with(first) || actual.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &actual[first.len()..];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    rest.ends_with(last) && rest.len() >= last.len()
}

/// Whether expected lines match actual lines; a line `...` matches any number of lines.
pub fn lines_match(expected: &[String], actual: &[String]) -> bool {
    // match_from[i][j]: expected[i..] matches actual[j..].
    let (n, m) = (expected.len(), actual.len());
    let mut next = vec![false; m + 1];
    next[m] = true;
    for i in (0..n).rev() {
        let mut cur = vec![false; m + 1];
        for j in (0..=m).rev() {
            cur[j] = if expected[i] == "..." {
                next[j] || (j < m && cur[j + 1])
            } else {
                j < m && line_matches(&expected[i], &actual[j]) && next[j + 1]
            };
        }
        next = cur;
    }
    next[0]
}

/// Output text split into lines for comparison: no final newline, no `\r`.
pub(crate) fn output_lines(text: &str) -> Vec<String> {
    if text.is_empty() {
        return Vec::new();
    }
    text.strip_suffix('\n')
        .unwrap_or(text)
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
        .collect()
}

/// How many of a step's following lines are its expected output: the fewest that match the
/// actual output with only comments and blank lines after them, or else everything up to the
/// last line that is not a comment or blank.
pub(crate) fn expected_len(after: &[String], actual: &[String]) -> (usize, bool) {
    for k in 0..=after.len() {
        if after[k..].iter().all(|l| is_comment_or_blank(l)) && lines_match(&after[..k], actual) {
            return (k, true);
        }
    }
    let k = after
        .iter()
        .rposition(|l| !is_comment_or_blank(l))
        .map_or(0, |i| i + 1);
    (k, false)
}

/// A step whose output differs from what the file expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// 1-based line of the typed line.
    pub line_no: usize,
    /// The typed line as the transcript shows it.
    pub typed: String,
    /// Expected lines.
    pub expected: Vec<String>,
    /// Actual lines.
    pub actual: Vec<String>,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "line {}: {}", self.line_no, self.typed)?;
        for l in crate::diff::diff_lines(&self.expected, &self.actual) {
            writeln!(f, "{l}")?;
        }
        Ok(())
    }
}

/// The result of running a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunReport {
    /// The transcript: comments, typed lines and what they printed.
    pub transcript: String,
    /// Steps whose output did not match the file.
    pub mismatches: Vec<Mismatch>,
    /// The simulator's [`trace_hash`](cluster_sim::Simulator::trace_hash) at the end.
    pub trace_hash: u64,
}

impl RunReport {
    /// Whether every step printed what the file expects.
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty()
    }
}

/// Runs one typed line of a scenario; returns it as a transcript shows it (prompt and the
/// line with every `$(...)` replaced) and what it printed.
pub fn eval_typed(console: &mut Console, typed: &Typed) -> (String, Output) {
    let (prompt, out) = match typed {
        Typed::Shell(cmd) => ("$ ".to_string(), console.eval_shell(cmd)),
        Typed::Prompt {
            host,
            port,
            command,
        } => {
            // Inside MULTI the same connection shows `(TX)`, as redis-cli does.
            let prompt = match console.session() {
                crate::Session::Cli(s)
                    if s.host == *host && s.port == i64::from(*port) && s.connected =>
                {
                    s.prompt()
                }
                _ => format!("{host}:{port}> "),
            };
            (prompt, console.eval_at(host, *port, command))
        }
    };
    (format!("{prompt}{}", out.line), out)
}

/// Runs a scenario on a fresh console with `seed`, producing the transcript and comparing each
/// step's output with the file's expected output.
pub fn run_scenario(text: &str, seed: u64) -> RunReport {
    let scenario = Scenario::parse(text);
    let mut console = Console::new(seed);
    let mut transcript = String::new();
    let mut mismatches = Vec::new();
    for line in &scenario.preamble {
        transcript.push_str(line);
        transcript.push('\n');
    }
    for step in &scenario.steps {
        let (typed, out) = eval_typed(&mut console, &step.typed);
        transcript.push_str(&typed);
        transcript.push('\n');
        transcript.push_str(&out.text);
        let actual = output_lines(&out.text);
        let (k, matched) = expected_len(&step.after, &actual);
        if !matched {
            mismatches.push(Mismatch {
                line_no: step.line_no,
                typed,
                expected: step.after[..k].to_vec(),
                actual,
            });
        }
        for line in &step.after[k..] {
            transcript.push_str(line);
            transcript.push('\n');
        }
    }
    RunReport {
        transcript,
        mismatches,
        trace_hash: console.sim().trace_hash(),
    }
}
