//! `redis-cli`: its options, its connection, its interactive prompt and its output rules.

use cluster_sim::Simulator;

use crate::exec::{Client, execute_as};
use crate::help::REDIS_CLI_HELP;
use crate::reply::{Reply, format_raw, format_tty};
use crate::split::split_args;

/// The redis-cli version whose behaviour is reproduced.
pub const REDIS_CLI_VERSION: &str = "7.0.15";

/// What a program printed: standard output and standard error, and both as a terminal shows
/// them, interleaved in the order they were written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Printed {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Both, in order.
    pub shown: String,
}

impl Printed {
    /// Only standard output.
    pub fn out(text: impl Into<String>) -> Self {
        let mut p = Printed::default();
        p.push_out(&text.into());
        p
    }

    /// Only standard error.
    pub fn err(text: impl Into<String>) -> Self {
        let mut p = Printed::default();
        p.push_err(&text.into());
        p
    }

    /// Writes to standard output.
    pub fn push_out(&mut self, text: &str) {
        self.stdout.push_str(text);
        self.shown.push_str(text);
    }

    /// Writes to standard error.
    pub fn push_err(&mut self, text: &str) {
        self.stderr.push_str(text);
        self.shown.push_str(text);
    }

    /// Appends another program's output after this one's.
    pub fn push(&mut self, other: Printed) {
        self.stdout.push_str(&other.stdout);
        self.stderr.push_str(&other.stderr);
        self.shown.push_str(&other.shown);
    }
}

/// An interactive redis-cli session's connection settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliSession {
    /// The host as typed (`-h`), shown in the prompt.
    pub host: String,
    /// The port as redis-cli parsed it (`atoi`, so it may be out of range).
    pub port: i64,
    /// `-c`: follow MOVED and ASK.
    pub cluster_mode: bool,
    /// Whether the last connection attempt succeeded.
    pub connected: bool,
    /// What the server remembers about this connection (`READONLY`).
    pub client: Client,
}

impl CliSession {
    /// The prompt redis-cli shows.
    pub fn prompt(&self) -> String {
        if self.connected {
            let tx = if self.client.multi.is_some() {
                "(TX)"
            } else {
                ""
            };
            format!("{}:{}{tx}> ", self.host, self.port)
        } else {
            "not connected> ".to_string()
        }
    }

    /// Tries to (re)connect, as `cliConnect` does; returns the error text on failure.
    pub fn connect(&mut self, sim: &Simulator) -> Result<(), String> {
        match resolve(sim, &self.host, self.port) {
            Ok(_) => {
                self.connected = true;
                Ok(())
            }
            Err(e) => {
                self.connected = false;
                Err(e)
            }
        }
    }
}

/// Parsed redis-cli command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliArgs {
    /// `-h`.
    pub host: String,
    /// `-p`, as `atoi` reads it.
    pub port: i64,
    /// `-c`.
    pub cluster_mode: bool,
    /// `--raw` (`Some(true)`), `--no-raw` (`Some(false)`) or neither.
    pub raw: Option<bool>,
    /// The command to run once; empty for interactive mode.
    pub command: Vec<String>,
}

/// What the option parser decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CliInvocation {
    /// Connect and run (or go interactive).
    Run(CliArgs),
    /// Print this and exit (usage, version, errors).
    Exit(Printed),
    /// `--cluster ...`: the cluster manager, with the words after `--cluster`.
    ClusterManager(Vec<String>),
}

/// C's `atoi`: optional blanks and sign, then digits; anything else ends the number.
pub fn atoi(s: &str) -> i64 {
    let s = s.trim_start();
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut n: i64 = 0;
    for b in digits.bytes().take_while(u8::is_ascii_digit) {
        n = n.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    if neg { -n } else { n }
}

/// C's `atof`: the longest leading part that reads as a number (after blanks), else 0.
pub fn atof(s: &str) -> f64 {
    let s = s.trim_start();
    // Only characters that can be part of a number (and a bounded run of them), so that a
    // long argument costs nothing.
    let len = s
        .bytes()
        .take(64)
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        .count();
    (1..=len)
        .rev()
        .find_map(|end| s[..end].parse::<f64>().ok())
        .unwrap_or(0.0)
}

const USAGE: &str = "redis-cli 7.0.15 (ClusterLab)

Usage: redis-cli [OPTIONS] [cmd [arg [arg ...]]]
  -h <hostname>      Server hostname (default: 127.0.0.1).
  -p <port>          Server port (default: 6379).
  -c                 Enable cluster mode (follow -ASK and -MOVED redirections).
  -e                 Return exit error code when command execution fails.
  --raw              Use raw formatting for replies.
  --no-raw           Force formatted output.
  --help             Output this help and exit.
  --version          Output version and exit.

When no command is given, redis-cli starts in interactive mode.
";

/// Parses redis-cli's options the way `parseOptions` does: options first, and the first word
/// that does not start with `-` begins the command.
pub fn parse_cli_args(words: &[String]) -> CliInvocation {
    let mut args = CliArgs {
        host: "127.0.0.1".into(),
        port: 6379,
        cluster_mode: false,
        raw: None,
        command: Vec::new(),
    };
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        let last = i + 1 == words.len();
        match w {
            "-h" if !last => {
                args.host = words[i + 1].clone();
                i += 1;
            }
            "-h" | "--help" => return CliInvocation::Exit(Printed::err(USAGE)),
            "-p" if !last => {
                args.port = atoi(&words[i + 1]);
                i += 1;
            }
            "-c" => args.cluster_mode = true,
            "-e" => {}
            "--raw" => args.raw = Some(true),
            "--no-raw" => args.raw = Some(false),
            "-v" | "--version" => {
                return CliInvocation::Exit(Printed::out(format!(
                    "redis-cli {REDIS_CLI_VERSION}\n"
                )));
            }
            "--cluster" => return CliInvocation::ClusterManager(words[i + 1..].to_vec()),
            _ if w.starts_with('-') => {
                return CliInvocation::Exit(Printed::err(format!(
                    "Unrecognized option or bad number of args for: '{w}'\n"
                )));
            }
            _ => {
                args.command = words[i..].to_vec();
                break;
            }
        }
        i += 1;
    }
    CliInvocation::Run(args)
}

/// Finds the server `host:port` names, or redis-cli's connection error.
pub fn resolve(sim: &Simulator, host: &str, port: i64) -> Result<u16, String> {
    let reachable_host = host == "localhost"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback());
    let known_address = reachable_host || host.parse::<std::net::IpAddr>().is_ok();
    if !known_address {
        return Err(format!(
            "Could not connect to Redis at {host}:{port}: Name or service not known"
        ));
    }
    match u16::try_from(port) {
        Ok(p) if reachable_host && sim.running(p).is_some() => Ok(p),
        _ => Err(format!(
            "Could not connect to Redis at {host}:{port}: Connection refused"
        )),
    }
}

/// Commands whose reply redis-cli prints verbatim even on a terminal (`output_raw` in
/// `cliSendCommand`): their bulk text is meant to be read as is.
fn prints_verbatim(argv: &[Vec<u8>]) -> bool {
    let is = |i: usize, word: &str| {
        argv.get(i)
            .is_some_and(|a| a.eq_ignore_ascii_case(word.as_bytes()))
    };
    let argc = argv.len();
    is(0, "info")
        || is(0, "lolwut")
        || (is(0, "debug") && (is(1, "htstats") || is(1, "htstats-key")))
        || (is(0, "memory") && (is(1, "malloc-stats") || is(1, "doctor")))
        // Only the exact two-word forms: `CLUSTER NODES extra` prints its error as `(error) ...`.
        || (argc == 2 && is(0, "cluster") && (is(1, "nodes") || is(1, "info")))
        || (is(0, "client") && (is(1, "list") || is(1, "info")))
        || (argc == 3 && is(0, "latency") && is(1, "graph"))
        || (argc == 2 && is(0, "latency") && is(1, "doctor"))
}

/// Formats a reply for printing: terminal style, raw style, or verbatim.
pub fn format_for_output(argv: &[Vec<u8>], reply: &Reply, tty: bool) -> String {
    let bytes = if prints_verbatim(argv) {
        format_raw(reply)
    } else if tty {
        format_tty(reply).into_bytes()
    } else {
        let mut raw = format_raw(reply);
        raw.push(b'\n');
        raw
    };
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Sends one command on a session and formats the answer. At the interactive prompt, a reply
/// that took half a second or more is followed by its duration, as redis-cli prints it.
fn send(
    sim: &mut Simulator,
    session: &mut CliSession,
    argv: &[Vec<u8>],
    tty: bool,
    interactive: bool,
) -> Printed {
    let mut printed = Printed::default();
    let started = sim.now();
    // redis-cli -c follows MOVED and ASK; a loop of redirections ends after a few hops.
    for _ in 0..16 {
        let port = match resolve(sim, &session.host, session.port) {
            Ok(p) => p,
            Err(e) => {
                session.connected = false;
                printed.push_err(&(e + "\n"));
                return printed;
            }
        };
        session.connected = true;
        // A stopped (SIGSTOP) server answers only once it runs again: the client waits.
        if let Some(until) = sim.paused_until(port) {
            sim.advance(until - sim.now());
        }
        let is_shutdown = argv
            .first()
            .is_some_and(|c| c.eq_ignore_ascii_case(b"shutdown"));
        let reply = execute_as(sim, port, argv, &mut session.client);
        // A successful SHUTDOWN closes the connection: redis-cli prints nothing.
        if is_shutdown && sim.running(port).is_none() {
            session.connected = false;
            return printed;
        }
        if session.cluster_mode
            && let Reply::Error(e) = &reply
            && let Some((slot, host, to)) = parse_redirect(e)
        {
            // Only at the prompt: a one-shot redis-cli follows silently.
            if interactive {
                printed.push_out(&format!(
                    "-> Redirected to slot [{slot}] located at {host}:{to}\n"
                ));
            }
            // A new connection: nothing of the old one (READONLY) carries over; after ASK,
            // redis-cli sends ASKING first.
            session.host = host;
            session.port = to;
            session.client = Client {
                asking: e.starts_with("ASK "),
                ..Client::default()
            };
            continue;
        }
        let mut out = format_for_output(argv, &reply, tty);
        let elapsed = sim.now() - started;
        if interactive && elapsed >= 500 {
            out.push_str(&format!("({:.2}s)\n", elapsed as f64 / 1000.0));
        }
        printed.push_out(&out);
        return printed;
    }
    printed.push_err("Error: more than 16 redirections in a row, stopping\n");
    printed
}

/// `MOVED <slot> <host>:<port>` or `ASK ...`: the slot and where to go.
pub(crate) fn parse_redirect(error: &str) -> Option<(u16, String, i64)> {
    let rest = error
        .strip_prefix("MOVED ")
        .or_else(|| error.strip_prefix("ASK "))?;
    let (slot, addr) = rest.split_once(' ')?;
    let (host, port) = addr.rsplit_once(':')?;
    Some((slot.parse().ok()?, host.to_string(), port.parse().ok()?))
}

/// `redis-cli ... CMD ARGS`: one command, then exit.
pub fn one_shot(sim: &mut Simulator, args: &CliArgs, tty: bool) -> Printed {
    let mut session = CliSession {
        host: args.host.clone(),
        port: args.port,
        cluster_mode: args.cluster_mode,
        connected: false,
        client: Client::default(),
    };
    let argv: Vec<Vec<u8>> = args
        .command
        .iter()
        .map(|a| a.clone().into_bytes())
        .collect();
    let tty = args.raw.map_or(tty, |raw| !raw);
    send(sim, &mut session, &argv, tty, false)
}

/// What a line typed at the redis-cli prompt did to the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CliEffect {
    /// Stay at the prompt.
    Stay,
    /// `exit` or `quit`: back to the shell.
    Exit,
    /// `clear`: clear the screen.
    Clear,
}

/// One line typed at the interactive prompt (`repl` in redis-cli.c).
pub fn interactive_line(
    sim: &mut Simulator,
    session: &mut CliSession,
    line: &str,
) -> (Printed, CliEffect) {
    let Ok(argv) = split_args(line.as_bytes()) else {
        return (Printed::out("Invalid argument(s)\n"), CliEffect::Stay);
    };
    let Some(first) = argv.first() else {
        return (Printed::default(), CliEffect::Stay);
    };
    let first_is = |w: &str| first.eq_ignore_ascii_case(w.as_bytes());
    if first_is("quit") || first_is("exit") {
        return (Printed::default(), CliEffect::Exit);
    }
    if argv.len() == 1 && first_is("clear") {
        return (Printed::default(), CliEffect::Clear);
    }
    if first.first() == Some(&b'?') || first_is("help") {
        return (Printed::out(REDIS_CLI_HELP), CliEffect::Stay);
    }
    if argv.len() == 3 && first_is("connect") {
        session.host = String::from_utf8_lossy(&argv[1]).into_owned();
        session.port = atoi(&String::from_utf8_lossy(&argv[2]));
        let printed = match session.connect(sim) {
            Ok(()) => Printed::default(),
            Err(e) => Printed::err(e + "\n"),
        };
        return (printed, CliEffect::Stay);
    }
    // A leading number repeats the command (`3 PING`).
    let (repeat, argv) = match std::str::from_utf8(first)
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
    {
        Some(n) if argv.len() > 1 => {
            if n <= 0 {
                return (
                    Printed::out("Invalid redis-cli repeat command option value.\n"),
                    CliEffect::Stay,
                );
            }
            (n, &argv[1..])
        }
        _ => (1, &argv[..]),
    };
    let mut printed = Printed::default();
    // Output is only so useful: stop repeating after a screenful rather than hang the page.
    for _ in 0..repeat.min(1000) {
        printed.push(send(sim, session, argv, true, true));
        if !session.connected {
            break;
        }
    }
    (printed, CliEffect::Stay)
}
