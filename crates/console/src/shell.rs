//! The console: a tiny shell (`redis-server`, `redis-cli`, `sleep`, `sim ...`) and the
//! interactive redis-cli prompt, over one simulator.

use std::collections::BTreeSet;

use cluster_proto::SimTime;
use cluster_sim::{ProcessState, ServerConfig, Simulator, log_line};

use crate::cli::{
    CliEffect, CliInvocation, CliSession, Printed, interactive_line, one_shot, parse_cli_args,
};
use crate::exec::Client;
use crate::help::SHELL_HELP;
use crate::manager::{JoinWait, Stdin};
use crate::split::split_shell;
use crate::substitute::expand_substitutions;

/// The most virtual time one `sleep` may skip, so a typo cannot freeze a browser tab.
pub const MAX_SLEEP_SECS: f64 = 86_400.0;

/// Where typed lines go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Session {
    /// The `$` shell.
    Shell,
    /// Interactive redis-cli.
    Cli(CliSession),
}

/// The result of one typed line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    /// The line as a transcript shows it: with every `$(...)` replaced by its output.
    pub line: String,
    /// What was printed (standard error first, then standard output), each line ending in
    /// `\n`; verbatim replies keep Redis's `\r\n`.
    pub text: String,
    /// The screen should be cleared.
    pub clear: bool,
}

/// A line that is still running because it waits on virtual time: `sleep`, or `redis-cli
/// --cluster create` (and `add-node --cluster-slave`) waiting for the nodes to agree. A page
/// resumes it a slice at a time ([`Console::resume`]) and stays responsive; the world and the
/// output are the same as when the line runs in one go ([`Console::eval`]).
#[derive(Debug, Clone)]
pub struct Job {
    line: String,
    printed: Printed,
    clear: bool,
    wait: Wait,
}

#[derive(Debug, Clone)]
enum Wait {
    /// `sleep`, until this moment.
    Sleep(SimTime),
    /// The cluster manager, until the nodes agree, and what it does then.
    Join(Box<JoinWait>),
}

impl Job {
    /// The line as a transcript shows it (every `$(...)` replaced by its output).
    pub fn line(&self) -> &str {
        &self.line
    }

    /// Whether the line waits out a `sleep`. Stopping it there (Ctrl-C) leaves the world as a
    /// shorter `sleep` would, so a transcript can replay it; stopping the cluster manager's
    /// wait could not be replayed.
    pub fn sleeping(&self) -> bool {
        matches!(self.wait, Wait::Sleep(_))
    }

    /// What the line printed so far.
    pub fn progress(&self) -> String {
        match &self.wait {
            Wait::Sleep(_) => self.printed.shown.clone(),
            Wait::Join(j) => format!("{}{}", self.printed.shown, j.progress()),
        }
    }
}

/// A line started by [`Console::start`].
#[derive(Debug, Clone)]
pub enum Started {
    /// It ended.
    Done(Output),
    /// It waits on virtual time: [`Console::resume`] it.
    Running(Job),
}

/// The console: one simulated world and the session typing into it.
///
/// ```
/// use console::Console;
///
/// let mut c = Console::new(1);
/// c.eval("redis-server --port 7000 --cluster-enabled yes --daemonize yes");
/// c.eval("redis-cli -p 7000");
/// assert_eq!(c.prompt(), "127.0.0.1:7000> ");
/// assert_eq!(c.eval("CLUSTER KEYSLOT foo").text, "(integer) 12182\n");
/// ```
#[derive(Debug, Clone)]
pub struct Console {
    sim: Simulator,
    session: Session,
    load: Option<crate::load::Load>,
    /// Set by a line's last command when it stopped to wait (see [`Job`]).
    waiting: Option<Wait>,
}

impl Console {
    /// A console over an empty world with this seed.
    pub fn new(seed: u64) -> Self {
        Console {
            sim: Simulator::new(seed),
            session: Session::Shell,
            load: None,
            waiting: None,
        }
    }

    /// Lets `ms` of virtual time pass, with the running workload (`sim load`) sending its
    /// commands on time meanwhile. `sleep` and the playground's clock move time this way.
    pub fn advance(&mut self, ms: u64) {
        let deadline = self.sim.now() + ms;
        if let Some(load) = self.load.as_mut() {
            load.run_until(&mut self.sim, deadline);
        }
        let rest = deadline - self.sim.now();
        self.sim.advance(rest);
    }

    /// [`advance`](Self::advance) in pieces of at most `max_events` events (see
    /// [`Simulator::advance_at_most`]); says whether it got to the end. With a workload
    /// running, which sends its commands between the events, it runs the whole stretch.
    pub fn advance_at_most(&mut self, ms: u64, max_events: u64) -> bool {
        if self.load.is_some() {
            self.advance(ms);
            return true;
        }
        self.sim.advance_at_most(ms, max_events)
    }

    /// The running workload, if any.
    pub fn load(&self) -> Option<&crate::load::Load> {
        self.load.as_ref()
    }

    /// The simulator.
    pub fn sim(&self) -> &Simulator {
        &self.sim
    }

    /// The simulator, for drivers that step it themselves (benchmarks, the timing study).
    pub fn sim_mut(&mut self) -> &mut Simulator {
        &mut self.sim
    }

    /// The current session.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Replaces the session (a terminal tab brings its own shell or redis-cli connection).
    pub fn set_session(&mut self, session: Session) {
        self.session = session;
    }

    /// The prompt to show before the next line.
    pub fn prompt(&self) -> String {
        match &self.session {
            Session::Shell => "$ ".to_string(),
            Session::Cli(s) => s.prompt(),
        }
    }

    /// Runs one line typed at the current prompt.
    pub fn eval(&mut self, line: &str) -> Output {
        match self.session {
            Session::Shell => self.eval_shell(line),
            Session::Cli(_) => self.eval_cli(line),
        }
    }

    /// Runs a `$` line, leaving interactive redis-cli first if it was open.
    pub fn eval_shell(&mut self, line: &str) -> Output {
        let step = self.start_shell(line);
        self.run_to_end(step)
    }

    /// Starts a line typed at the current prompt, as [`eval`](Self::eval) does, but returns
    /// as soon as it waits on virtual time.
    pub fn start(&mut self, line: &str) -> Started {
        match self.session {
            Session::Shell => self.start_shell(line),
            Session::Cli(_) => Started::Done(self.eval_cli(line)),
        }
    }

    /// Starts a `$` line; see [`start`](Self::start).
    pub fn start_shell(&mut self, line: &str) -> Started {
        // A line lands where a replayed `sleep` would put it: after the rest of a
        // millisecond that `advance_at_most` stopped inside.
        self.sim.finish_millisecond();
        self.session = Session::Shell;
        let (line, mut printed) = self.expand(line);
        let clear = match split_shell(&line) {
            Ok(words) => {
                let (p, clear) = self.run_shell_words(&words, true);
                printed.push(p);
                clear
            }
            Err(e) => {
                printed.push(Printed::err(format!("{e}\n")));
                false
            }
        };
        match self.waiting.take() {
            Some(wait) => Started::Running(Job {
                line,
                printed,
                clear,
                wait,
            }),
            None => Started::Done(output(line, printed, clear)),
        }
    }

    /// Lets a running line go on for at most `ms` of virtual time.
    pub fn resume(&mut self, job: Job, ms: u64) -> Started {
        self.resume_at_most(job, ms, u64::MAX)
    }

    /// Lets a running line go on for at most `ms` of virtual time and `max_events` events
    /// (see [`advance_at_most`](Self::advance_at_most)).
    pub fn resume_at_most(&mut self, mut job: Job, ms: u64, max_events: u64) -> Started {
        let done = match &mut job.wait {
            Wait::Sleep(until) => {
                let step = (*until - self.sim.now()).min(ms);
                self.advance_at_most(step, max_events) && self.sim.now() >= *until
            }
            Wait::Join(wait) => match wait.resume(&mut self.sim, ms, max_events) {
                Some(rest) => {
                    job.printed.push(rest);
                    true
                }
                None => false,
            },
        };
        if done {
            Started::Done(output(job.line, job.printed, job.clear))
        } else {
            Started::Running(job)
        }
    }

    /// Runs a started line to its end.
    pub fn run_to_end(&mut self, mut step: Started) -> Output {
        loop {
            match step {
                Started::Done(out) => return out,
                Started::Running(job) => step = self.resume(job, u64::MAX),
            }
        }
    }

    /// Runs a line typed at `host:port>`, connecting the prompt to that node first, as a
    /// scenario's prompt lines do.
    pub fn eval_at(&mut self, host: &str, port: u16, line: &str) -> Output {
        let same = matches!(&self.session, Session::Cli(s) if s.host == host && s.port == i64::from(port) && s.connected);
        if !same {
            let mut session = CliSession {
                host: host.to_string(),
                port: i64::from(port),
                cluster_mode: false,
                connected: false,
                client: Client::default(),
            };
            // A failed connection shows up when the command is sent, as in redis-cli.
            let _ = session.connect(&self.sim);
            self.session = Session::Cli(session);
        }
        self.eval_cli(line)
    }

    fn eval_cli(&mut self, line: &str) -> Output {
        // As in `start_shell`.
        self.sim.finish_millisecond();
        let (line, mut printed) = self.expand(line);
        let Session::Cli(session) = &mut self.session else {
            return self.eval_shell(&line);
        };
        let (p, effect) = interactive_line(&mut self.sim, session, &line);
        printed.push(p);
        let clear = match effect {
            CliEffect::Exit => {
                self.session = Session::Shell;
                false
            }
            CliEffect::Clear => true,
            CliEffect::Stay => false,
        };
        output(line, printed, clear)
    }

    /// Replaces each `$(...)` by what that shell command prints on standard output.
    fn expand(&mut self, line: &str) -> (String, Printed) {
        let mut side = Printed::default();
        let expanded = expand_substitutions(line, |inner| {
            let words = match split_shell(inner) {
                Ok(w) => w,
                Err(e) => {
                    side.push(Printed::err(format!("{e}\n")));
                    return String::new();
                }
            };
            let (p, _) = self.run_shell_words(&words, false);
            side.push_err(&p.stderr);
            p.stdout.trim_end_matches('\n').to_string()
        });
        match expanded {
            Ok(l) => (l, side),
            Err(e) => {
                side.push(Printed::err(format!("{e}\n")));
                (line.to_string(), side)
            }
        }
    }

    /// Runs a split shell command. `tty` says whether standard output is the terminal (it is
    /// not inside `$(...)`), which changes how redis-cli formats replies.
    fn run_shell_words(&mut self, words: &[String], tty: bool) -> (Printed, bool) {
        if let Some(bar) = words.iter().position(|w| w == "|") {
            return (self.run_pipe(&words[..bar], &words[bar + 1..], tty), false);
        }
        let Some((cmd, args)) = words.split_first() else {
            return (Printed::default(), false);
        };
        let printed = match cmd.as_str() {
            "redis-server" => self.redis_server(args),
            "redis-cli" => self.redis_cli(args, tty),
            "sleep" => self.sleep(args, tty),
            "sim" => self.sim_verb(args),
            "echo" => Printed::out(args.join(" ") + "\n"),
            "help" => Printed::out(SHELL_HELP),
            "yes" => {
                Printed::err("yes: in ClusterLab, yes only feeds a pipe: yes yes | redis-cli ...\n")
            }
            "clear" => return (Printed::default(), true),
            _ => Printed::err(format!("{cmd}: command not found\n")),
        };
        (printed, false)
    }

    /// `LEFT | RIGHT`: what LEFT prints becomes RIGHT's standard input, which only redis-cli's
    /// cluster manager reads (its `yes` questions). `yes [WORD]` on the left repeats forever.
    fn run_pipe(&mut self, left: &[String], right: &[String], tty: bool) -> Printed {
        if left.is_empty() || right.is_empty() || right.iter().any(|w| w == "|") {
            return Printed::err(if left.is_empty() || right.is_empty() {
                "syntax error near unexpected token `|'\n"
            } else {
                "ClusterLab's shell runs one pipe: COMMAND | redis-cli ...\n"
            });
        }
        let mut printed = Printed::default();
        let stdin = if left[0] == "yes" {
            let word = if left.len() > 1 {
                left[1..].join(" ")
            } else {
                "y".into()
            };
            Stdin::repeating(word + "\n")
        } else {
            let (p, _) = self.run_shell_words(left, false);
            printed.push_err(&p.stderr);
            Stdin::bytes(p.stdout)
        };
        let (p, _) = match (right[0].as_str(), &right[1..]) {
            ("redis-cli", args) => (self.redis_cli_with(args, tty, Some(stdin)), false),
            _ => self.run_shell_words(right, tty),
        };
        printed.push(p);
        printed
    }

    fn redis_server(&mut self, args: &[String]) -> Printed {
        let config = match ServerConfig::from_args(args) {
            Ok(c) => c,
            Err(e) => return Printed::err(format!("{e}\n")),
        };
        let (port, daemonize) = (config.port, config.daemonize);
        if self.sim.start_server(config) {
            return Printed::default();
        }
        // The port is taken. A daemonized server fails after detaching, so nothing is seen;
        // in the foreground Redis logs why it gives up.
        if daemonize {
            return Printed::default();
        }
        let now = self.sim.now();
        let pid = 1000 + u32::from(port) % 60_000;
        Printed::out(format!(
            "{}\n{}\n",
            log_line(
                pid,
                'M',
                now,
                cluster_proto::LogLevel::Warning,
                &format!(
                    "Warning: Could not create server TCP listening socket *:{port}: bind: Address already in use"
                )
            ),
            log_line(
                pid,
                'M',
                now,
                cluster_proto::LogLevel::Warning,
                &format!("Failed listening on port {port} (TCP), aborting.")
            ),
        ))
    }

    fn redis_cli(&mut self, args: &[String], tty: bool) -> Printed {
        self.redis_cli_with(args, tty, None)
    }

    fn redis_cli_with(&mut self, args: &[String], tty: bool, stdin: Option<Stdin>) -> Printed {
        let args = match parse_cli_args(args) {
            CliInvocation::Exit(p) => return p,
            // At the terminal the wait for the cluster to join becomes the line's job; inside
            // `$(...)` it runs to its end at once.
            CliInvocation::ClusterManager(words) if tty => {
                let (printed, wait) =
                    crate::manager::cluster_manager_until_join(&mut self.sim, &words, stdin);
                self.waiting = wait.map(|w| Wait::Join(Box::new(w)));
                return printed;
            }
            CliInvocation::ClusterManager(words) => {
                return crate::manager::cluster_manager(&mut self.sim, &words, stdin);
            }
            CliInvocation::Run(a) => a,
        };
        if !args.command.is_empty() {
            return one_shot(&mut self.sim, &args, tty);
        }
        let mut session = CliSession {
            host: args.host,
            port: args.port,
            cluster_mode: args.cluster_mode,
            connected: false,
            client: Client::default(),
        };
        let printed = match session.connect(&self.sim) {
            Ok(()) => Printed::default(),
            Err(e) => Printed::err(e + "\n"),
        };
        if tty {
            self.session = Session::Cli(session);
        }
        printed
    }

    /// `sleep`: at the terminal (`tty`) it becomes the line's job.
    fn sleep(&mut self, args: &[String], tty: bool) -> Printed {
        let [arg] = args else {
            return Printed::err(if args.is_empty() {
                "sleep: missing operand\n"
            } else {
                "sleep: ClusterLab's sleep takes one interval in seconds\n"
            });
        };
        let secs = match arg.parse::<f64>() {
            Ok(s) if s.is_finite() && s >= 0.0 && !arg.starts_with(['+', '-']) => s,
            _ => return Printed::err(format!("sleep: invalid time interval '{arg}'\n")),
        };
        if secs > MAX_SLEEP_SECS {
            return Printed::err(format!(
                "sleep: at most {MAX_SLEEP_SECS} seconds of virtual time pass at once\n"
            ));
        }
        let ms = (secs * 1000.0).round() as u64;
        if tty {
            self.waiting = Some(Wait::Sleep(self.sim.now() + ms));
        } else {
            self.advance(ms);
        }
        Printed::default()
    }

    fn sim_verb(&mut self, args: &[String]) -> Printed {
        let Some((verb, rest)) = args.split_first() else {
            return Printed::err("sim: missing verb (seed, log)\n");
        };
        match (verb.as_str(), rest) {
            ("seed", [n]) => match n.parse::<u64>() {
                Ok(seed) => match self.sim.reseed(seed) {
                    Ok(()) => Printed::default(),
                    Err(e) => Printed::err(format!("sim: {e}\n")),
                },
                Err(_) => Printed::err(format!("sim: invalid seed '{n}'\n")),
            },
            ("log", [port, more @ ..]) if more.len() <= 1 => {
                let Ok(port) = port.parse::<u16>() else {
                    return Printed::err(format!("sim: invalid port '{port}'\n"));
                };
                let count = match more.first().map(|n| n.parse::<usize>()) {
                    None => 10,
                    Some(Ok(n)) => n,
                    Some(Err(_)) => return Printed::err("sim: invalid line count\n"),
                };
                match self.sim.host(port) {
                    Some(h) => {
                        let skip = h.log.len().saturating_sub(count);
                        Printed::out(
                            h.log[skip..]
                                .iter()
                                .map(|l| format!("{l}\n"))
                                .collect::<String>(),
                        )
                    }
                    None => Printed::err(format!("sim: no redis-server has run on port {port}\n")),
                }
            }
            ("lost", []) => Printed::out(lost_report(self.sim.ledger())),
            ("load", []) => match &self.load {
                Some(l) => Printed::out(l.report()),
                None => {
                    Printed::out("load: none running (sim load counter|sequence RATE [PORT])\n")
                }
            },
            ("load", [stop]) if stop == "stop" => match self.load.take() {
                Some(l) => Printed::out(l.report()),
                None => Printed::err("sim: no load is running\n"),
            },
            ("load", [kind, rate, port @ ..]) if port.len() <= 1 => {
                let kind = match kind.as_str() {
                    "counter" => crate::load::LoadKind::Counter,
                    "sequence" => crate::load::LoadKind::Sequence,
                    other => {
                        return Printed::err(format!(
                            "sim: unknown load '{other}' (counter or sequence)\n"
                        ));
                    }
                };
                let Some(rate) = rate
                    .parse::<u32>()
                    .ok()
                    .filter(|r| (1..=crate::load::MAX_RATE).contains(r))
                else {
                    return Printed::err(format!(
                        "sim: invalid rate '{rate}' (1 to {} commands per second)\n",
                        crate::load::MAX_RATE
                    ));
                };
                let entry = match port.first() {
                    Some(p) => match p.parse::<u16>() {
                        Ok(p) => p,
                        Err(_) => return Printed::err(format!("sim: invalid port '{p}'\n")),
                    },
                    None => match self.sim.hosts().find(|(_, h)| h.is_running()) {
                        Some((p, _)) => p,
                        None => return Printed::err("sim: no redis-server is running\n"),
                    },
                };
                self.load = Some(crate::load::Load::new(kind, rate, entry, self.sim.now()));
                Printed::default()
            }
            ("load", _) => {
                Printed::err("sim: usage: sim load [counter|sequence RATE [PORT] | stop]\n")
            }
            ("seed" | "log", _) => Printed::err(format!(
                "sim: usage: {}\n",
                match verb.as_str() {
                    "seed" => "sim seed N",
                    _ => "sim log PORT [N]",
                }
            )),
            ("kill" | "crash", [port]) => {
                let Ok(port) = port.parse::<u16>() else {
                    return Printed::err(format!("sim: invalid port '{port}'\n"));
                };
                let result = if verb == "kill" {
                    self.sim.kill_server(port)
                } else {
                    self.sim.stop_server(port, ProcessState::Crashed)
                };
                match result {
                    Ok(()) => {
                        let (text, rule) = if verb == "kill" {
                            (
                                format!(
                                    "{port} was sent SIGINT: it saves nodes.conf and exits at its next cron tick; its peers' links to it close."
                                ),
                                "sim kill: a clean shutdown",
                            )
                        } else {
                            (
                                format!(
                                    "{port} was killed with SIGKILL: the process vanished at once, nothing was saved."
                                ),
                                "sim crash: an abrupt stop",
                            )
                        };
                        self.sim.note(port, text, rule);
                        Printed::default()
                    }
                    Err(e) => Printed::err(format!("sim: {e}\n")),
                }
            }
            ("restart", [port]) => {
                let Ok(port) = port.parse::<u16>() else {
                    return Printed::err(format!("sim: invalid port '{port}'\n"));
                };
                match self.sim.restart_server(port) {
                    Ok(()) => {
                        self.sim.note(
                            port,
                            format!("{port} was started again: it reloads nodes.conf (same id and epochs) and rejoins with what it remembers."),
                            "sim restart",
                        );
                        Printed::default()
                    }
                    Err(e) => Printed::err(format!("sim: {e}\n")),
                }
            }
            ("pause", [port, secs]) => {
                let Ok(port) = port.parse::<u16>() else {
                    return Printed::err(format!("sim: invalid port '{port}'\n"));
                };
                let ms = match secs.parse::<f64>() {
                    Ok(s) if s.is_finite() && (0.0..=MAX_SLEEP_SECS).contains(&s) => {
                        (s * 1000.0).round() as u64
                    }
                    _ => return Printed::err(format!("sim: invalid pause '{secs}' (seconds)\n")),
                };
                match self.sim.pause_server(port, ms) {
                    Ok(()) => {
                        self.sim.note(
                            port,
                            format!("{port} was frozen (SIGSTOP) for {ms} ms: it answers nothing, yet its connections stay open."),
                            "sim pause",
                        );
                        Printed::default()
                    }
                    Err(e) => Printed::err(format!("sim: {e}\n")),
                }
            }
            ("partition", [from, arrow, to]) if arrow == "->" => {
                let (Some(from), Some(to)) = (parse_ports(from), parse_ports(to)) else {
                    return Printed::err("sim: invalid port in partition\n");
                };
                for &f in &from {
                    for &t in &to {
                        self.sim.network_mut().cut_one_way(f, t);
                    }
                }
                self.sim.note(
                    0,
                    format!("The network drops every packet from {} to {}; the other direction still works.", join_ports(&from), join_ports(&to)),
                    "sim partition A -> B: a one-way cut",
                );
                Printed::default()
            }
            ("partition", groups) if !groups.is_empty() => {
                let mut parsed = Vec::new();
                for g in groups {
                    let mut set = BTreeSet::new();
                    for p in g.split(',') {
                        match p.parse::<u16>() {
                            Ok(p) => {
                                set.insert(p);
                            }
                            Err(_) => {
                                return Printed::err(format!(
                                    "sim: invalid port '{p}' in partition\n"
                                ));
                            }
                        }
                    }
                    parsed.push(set);
                }
                let text = format!(
                    "The network is split: {} cannot reach each other (unnamed ports form one more group).",
                    parsed
                        .iter()
                        .map(|g| format!(
                            "[{}]",
                            join_ports(&g.iter().copied().collect::<Vec<_>>())
                        ))
                        .collect::<Vec<_>>()
                        .join(" and ")
                );
                self.sim.network_mut().partition(parsed);
                self.sim.note(0, text, "sim partition: groups");
                Printed::default()
            }
            ("heal", []) => {
                self.sim.network_mut().heal();
                self.sim.note(
                    0,
                    "The network is healed: no partition, latency or loss.".to_string(),
                    "sim heal",
                );
                Printed::default()
            }
            ("latency" | "loss", [value, rest @ ..]) if rest.is_empty() || rest.len() == 2 => {
                let pair = match rest {
                    [a, b] => match (a.parse::<u16>(), b.parse::<u16>()) {
                        (Ok(a), Ok(b)) => Some((a, b)),
                        _ => return Printed::err("sim: invalid port\n"),
                    },
                    _ => None,
                };
                if verb == "latency" {
                    let Ok(ms) = value.parse::<u64>() else {
                        return Printed::err(format!(
                            "sim: invalid latency '{value}' (milliseconds)\n"
                        ));
                    };
                    self.sim.network_mut().set_latency(ms, pair);
                } else {
                    let Some(pct) = value.parse::<u8>().ok().filter(|p| *p <= 100) else {
                        return Printed::err(format!(
                            "sim: invalid loss '{value}' (0 to 100 percent)\n"
                        ));
                    };
                    self.sim.network_mut().set_loss(pct, pair);
                }
                Printed::default()
            }
            ("kill" | "crash" | "partition" | "heal" | "latency" | "loss", _) => {
                let usage = match verb.as_str() {
                    "kill" => "sim kill PORT",
                    "crash" => "sim crash PORT",
                    "partition" => {
                        "sim partition PORT,PORT,... PORT,PORT,...  or  sim partition PORT,... -> PORT,..."
                    }
                    "heal" => "sim heal",
                    "latency" => "sim latency MS [PORT PORT]",
                    _ => "sim loss PERCENT [PORT PORT]",
                };
                Printed::err(format!("sim: usage: {usage}\n"))
            }
            ("restart", _) => Printed::err("sim: usage: sim restart PORT\n"),
            ("pause", _) => Printed::err("sim: usage: sim pause PORT SECONDS\n"),
            _ => Printed::err(format!(
                "sim: unknown verb '{verb}' (try: seed, log, kill, crash, restart, pause, partition, heal, latency, loss)\n"
            )),
        }
    }
}

/// `7000,7001` as ports.
fn parse_ports(list: &str) -> Option<Vec<u16>> {
    list.split(',').map(|p| p.parse::<u16>().ok()).collect()
}

fn output(line: String, printed: Printed, clear: bool) -> Output {
    Output {
        line,
        text: printed.shown,
        clear,
    }
}

/// Ports as a learner reads them: `7000, 7001`.
fn join_ports(ports: &[u16]) -> String {
    ports
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `sim lost`: every acknowledged write the cluster lost, when, and why.
fn lost_report(ledger: &cluster_sim::Ledger) -> String {
    let lost: Vec<&cluster_sim::LostWrite> = ledger.lost().collect();
    if lost.is_empty() {
        let acked = ledger.acked().count();
        return format!("No acknowledged write has been lost ({acked} acknowledged so far).\n");
    }
    let mut out = format!("{} acknowledged write(s) lost:\n", lost.len());
    for l in lost {
        out.push_str(&format!(
            "  {}\n    acknowledged by {} at {}, lost at {}\n    {}\n",
            l.write.command,
            l.write.port,
            cluster_sim::log_timestamp(l.write.time),
            cluster_sim::log_timestamp(l.at),
            l.reason
        ));
    }
    out
}
