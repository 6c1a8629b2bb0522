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
    /// Whether virtual time flows by itself.
    pub playing: bool,
    /// Virtual milliseconds per real millisecond while playing.
    pub speed: f64,
    /// Virtual time owed to the world but not yet run (less than a millisecond).
    carry: f64,
    /// The virtual clock as Redis's logs print it.
    pub clock: String,
}

/// The speeds the playground offers: a log scale from 0.01x to 100x.
pub const SPEEDS: [f64; 9] = [0.01, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 100.0];

fn clock_of(console: &Console) -> String {
    format!("{} UTC", cluster_sim::log_timestamp(console.sim().now()))
}

impl TerminalState {
    /// The console, for views that read the world while they render.
    pub fn console(&self) -> Rc<RefCell<Console>> {
        Rc::clone(&self.console)
    }

    /// What the world looks like now, for the views.
    pub fn view(&self) -> cluster_sim::ClusterView {
        self.console.borrow().sim().view()
    }
}

impl PartialEq for TerminalState {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.console, &other.console) && self.version == other.version
    }
}

/// Things the playground can be asked to do.
#[derive(Debug, Clone, PartialEq)]
pub enum TerminalAction {
    /// A line was typed and Enter pressed.
    Submit(String),
    /// Ctrl-C: the line is abandoned, shown with `^C`.
    Interrupt(String),
    /// Ctrl-L: the screen is cleared.
    Clear,
    /// Real time passed (ms): while playing, virtual time follows at the chosen speed.
    Tick(f64),
    /// Start or stop the clock.
    SetPlaying(bool),
    /// Choose the speed.
    SetSpeed(f64),
    /// Run exactly the next event of the world.
    Step,
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
        let clock = clock_of(&console);
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
            clock,
            prompt,
            history: Rc::new(Vec::new()),
            version: 0,
            playing: false,
            speed: 1.0,
            carry: 0.0,
        }
    }
}

impl Reducible for TerminalState {
    type Action = TerminalAction;

    fn reduce(self: Rc<Self>, action: TerminalAction) -> Rc<Self> {
        match action {
            TerminalAction::Tick(real_ms) => {
                if !self.playing {
                    return self;
                }
                let owed = self.carry + real_ms * self.speed;
                let whole = owed.floor();
                if whole < 1.0 {
                    return Rc::new(TerminalState {
                        carry: owed,
                        ..(*self).clone()
                    });
                }
                self.console.borrow_mut().sim_mut().advance(whole as u64);
                let clock = clock_of(&self.console.borrow());
                Rc::new(TerminalState {
                    carry: owed - whole,
                    clock,
                    version: self.version + 1,
                    ..(*self).clone()
                })
            }
            TerminalAction::SetPlaying(playing) => Rc::new(TerminalState {
                playing,
                carry: 0.0,
                version: self.version + 1,
                ..(*self).clone()
            }),
            TerminalAction::SetSpeed(speed) => Rc::new(TerminalState {
                speed: speed.clamp(SPEEDS[0], SPEEDS[SPEEDS.len() - 1]),
                version: self.version + 1,
                ..(*self).clone()
            }),
            TerminalAction::Step => {
                self.console.borrow_mut().sim_mut().step();
                let clock = clock_of(&self.console.borrow());
                Rc::new(TerminalState {
                    clock,
                    version: self.version + 1,
                    ..(*self).clone()
                })
            }
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
                let (prompt, clock) = {
                    let c = self.console.borrow();
                    (c.prompt(), clock_of(&c))
                };
                Rc::new(TerminalState {
                    lines: Rc::new(lines),
                    prompt,
                    history: Rc::new(history),
                    version: self.version + 1,
                    clock,
                    ..(*self).clone()
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn submit(s: Rc<TerminalState>, line: &str) -> Rc<TerminalState> {
        s.reduce(TerminalAction::Submit(line.to_string()))
    }

    #[test]
    fn ticks_move_virtual_time_at_the_chosen_speed_only_while_playing() {
        let s = Rc::new(TerminalState::new(1));
        let s = submit(s, "redis-server --port 7000 --cluster-enabled yes");
        let start = s.clock.clone();
        // Paused: nothing moves.
        let s = s.reduce(TerminalAction::Tick(1000.0));
        assert_eq!(s.clock, start);
        let s = s.reduce(TerminalAction::SetPlaying(true));
        let s = s.reduce(TerminalAction::SetSpeed(10.0));
        let s = s.reduce(TerminalAction::Tick(100.0));
        assert_eq!(s.clock, "14 Jan 2020 23:34:34.000 UTC");
        // Slow motion keeps the fractions: 0.01x over 50 ms ticks adds up.
        let s = s.reduce(TerminalAction::SetSpeed(0.01));
        let mut s = s;
        for _ in 0..200 {
            s = s.reduce(TerminalAction::Tick(50.0));
        }
        assert_eq!(s.clock, "14 Jan 2020 23:34:34.100 UTC");
        // Speeds outside the scale are clamped.
        let s = s.reduce(TerminalAction::SetSpeed(1e9));
        assert_eq!(s.speed, 100.0);
    }
}
