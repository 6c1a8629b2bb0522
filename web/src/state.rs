//! The terminal's state: the console, the scrollback and the command history. Only
//! [`TerminalState::reduce`] changes it.

use std::cell::RefCell;
use std::rc::Rc;

use console::Console;
use yew::Reducible;

/// At most this many scrollback lines are kept, so a long session stays fast.
pub const MAX_SCROLLBACK: usize = 5000;

/// What a scrollback line is, for styling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// A typed line with its prompt.
    Input,
    /// Something a command printed.
    Output,
}

/// One line of scrollback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermLine {
    /// Input or output.
    pub kind: LineKind,
    /// The text, without its newline.
    pub text: String,
}

/// The terminal model.
#[derive(Debug, Clone)]
pub struct TerminalState {
    console: Rc<RefCell<Console>>,
    /// Scrollback, oldest first.
    pub lines: Rc<Vec<TermLine>>,
    /// The prompt for the next line.
    pub prompt: String,
    /// Lines typed so far, oldest first (for the arrow keys).
    pub history: Rc<Vec<String>>,
    /// Bumped on every change, so views can react (e.g. scroll to the bottom).
    pub version: u64,
}

impl PartialEq for TerminalState {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.console, &other.console) && self.version == other.version
    }
}

/// Things the terminal can be asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TerminalAction {
    /// A line was typed and Enter pressed.
    Submit(String),
    /// Ctrl-C: the line is abandoned, shown with `^C`.
    Interrupt(String),
    /// Ctrl-L: the screen is cleared.
    Clear,
}

/// At most this many history lines are kept (and saved across reloads).
pub const MAX_HISTORY: usize = 500;

/// Splits printed text into scrollback lines. Redis's `\r\n` shows as a plain line break.
fn printed_lines(text: &str) -> impl Iterator<Item = TermLine> + '_ {
    let body = text.strip_suffix('\n').unwrap_or(text);
    body.split('\n')
        .filter(move |_| !text.is_empty())
        .map(|l| TermLine {
            kind: LineKind::Output,
            text: l.strip_suffix('\r').unwrap_or(l).to_string(),
        })
}

impl TerminalState {
    /// A fresh terminal with the history of an earlier session.
    pub fn with_history(seed: u64, history: Vec<String>) -> Self {
        let skip = history.len().saturating_sub(MAX_HISTORY);
        TerminalState {
            history: Rc::new(history.into_iter().skip(skip).collect()),
            ..TerminalState::new(seed)
        }
    }

    /// A fresh terminal over a new world with `seed`, with a greeting.
    pub fn new(seed: u64) -> Self {
        let console = Console::new(seed);
        let prompt = console.prompt();
        let greeting = [
            "# ClusterLab: a simulated Redis 7.0 cluster. Type `help` to see what you can do.",
            "# Try: redis-server --port 7000 --cluster-enabled yes --daemonize yes",
            "#      redis-cli -p 7000",
        ];
        TerminalState {
            console: Rc::new(RefCell::new(console)),
            lines: Rc::new(
                greeting
                    .iter()
                    .map(|t| TermLine {
                        kind: LineKind::Output,
                        text: (*t).to_string(),
                    })
                    .collect(),
            ),
            prompt,
            history: Rc::new(Vec::new()),
            version: 0,
        }
    }
}

impl Reducible for TerminalState {
    type Action = TerminalAction;

    fn reduce(self: Rc<Self>, action: TerminalAction) -> Rc<Self> {
        match action {
            TerminalAction::Clear => Rc::new(TerminalState {
                lines: Rc::new(Vec::new()),
                version: self.version + 1,
                ..(*self).clone()
            }),
            TerminalAction::Interrupt(line) => {
                let mut lines = (*self.lines).clone();
                lines.push(TermLine {
                    kind: LineKind::Input,
                    text: format!("{}{line}^C", self.prompt),
                });
                Rc::new(TerminalState {
                    lines: Rc::new(lines),
                    version: self.version + 1,
                    ..(*self).clone()
                })
            }
            TerminalAction::Submit(line) => {
                let out = self.console.borrow_mut().eval(&line);
                let mut lines = if out.clear {
                    Vec::new()
                } else {
                    (*self.lines).clone()
                };
                if !out.clear {
                    lines.push(TermLine {
                        kind: LineKind::Input,
                        text: format!("{}{}", self.prompt, line),
                    });
                    lines.extend(printed_lines(&out.text));
                }
                let excess = lines.len().saturating_sub(MAX_SCROLLBACK);
                lines.drain(..excess);
                let mut history = (*self.history).clone();
                if !line.trim().is_empty() && history.last() != Some(&line) {
                    history.push(line);
                    let excess = history.len().saturating_sub(MAX_HISTORY);
                    history.drain(..excess);
                }
                Rc::new(TerminalState {
                    console: Rc::clone(&self.console),
                    lines: Rc::new(lines),
                    prompt: self.console.borrow().prompt(),
                    history: Rc::new(history),
                    version: self.version + 1,
                })
            }
        }
    }
}
