//! `clusterlab`: the ClusterLab console in a terminal.
//!
//! * `clusterlab` — an interactive session (the same shell as the web playground);
//! * `clusterlab run FILE [--seed N]` — print the transcript of a scenario file;
//! * `clusterlab check FILE [--seed N]` — compare it with the file's expected output;
//! * `clusterlab explore [--seeds N] [--from S] [--out DIR]` / `--replay FILE` — the fault
//!   explorer.

mod bench;
mod explore;

use std::io::{self, BufRead, Write};
use std::process::ExitCode;

use console::{Console, run_scenario};

const USAGE: &str = "usage: clusterlab [--seed N]               interactive session
       clusterlab run FILE [--seed N]      print the transcript of a scenario file
       clusterlab check FILE... [--seed N] compare scenario files with their expected output
       clusterlab exercise check FILE --solution SOL [--seed N]
                                           does SOL (what a learner types) solve the exercise?
       clusterlab stats [--seeds N]        failover timings of the seed scenario over N seeds (200)
       clusterlab bench [NODES...] [--seconds S]
                                           CPU time to simulate clusters of 6 to 1000 nodes
                                           (S virtual seconds of gossip, 60; then a failover)
                                           and the seed scenario
       clusterlab explore [--seeds N] [--from S] [--out DIR]
                                           random clusters under random faults, checked against
                                           the protocol's invariants (50 seeds from 1); a
                                           violation is shrunk and written to DIR (.)
       clusterlab explore --replay FILE    run a scenario file under the explorer's checks
       clusterlab soak [--hours H] [--masters M] [--seed N]
                                           one cluster (M masters + M replicas, 10) under
                                           random faults for H virtual hours (24), memory shown
";

/// The seed every run uses unless told otherwise, so transcripts are reproducible.
const DEFAULT_SEED: u64 = 1;

struct Args {
    command: Option<String>,
    solution: Option<String>,
    files: Vec<String>,
    seed: u64,
    seeds: Option<u64>,
    from: u64,
    out: String,
    hours: u64,
    seconds: u64,
    masters: u16,
    replay: Option<String>,
}

/// The value after the option at `argv[i]`: a number within `range`, else an error saying the
/// option needs `what`.
fn number<T: std::str::FromStr + PartialOrd>(
    argv: &[String],
    i: usize,
    what: &str,
    range: impl std::ops::RangeBounds<T>,
) -> Result<T, String> {
    let name = &argv[i];
    let v = argv
        .get(i + 1)
        .ok_or_else(|| format!("{name} needs a number"))?;
    v.parse()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| format!("{name} needs {what}, not '{v}'"))
}

fn parse_args(argv: &[String]) -> Result<Args, String> {
    let mut args = Args {
        command: None,
        solution: None,
        files: Vec::new(),
        seed: DEFAULT_SEED,
        seeds: None,
        from: 1,
        out: ".".to_string(),
        hours: 24,
        seconds: 60,
        masters: 10,
        replay: None,
    };
    let mut i = 0;
    while i < argv.len() {
        match argv[i].as_str() {
            "--seed" => {
                args.seed = number(argv, i, "a number", ..)?;
                i += 1;
            }
            "--seeds" => {
                args.seeds = Some(number(argv, i, "a positive number", 1..)?);
                i += 1;
            }
            "--from" => {
                args.from = number(argv, i, "a number", ..)?;
                i += 1;
            }
            "--out" => {
                args.out = argv.get(i + 1).ok_or("--out needs a directory")?.clone();
                i += 1;
            }
            "--hours" => {
                args.hours = number(argv, i, "a positive number", 1..)?;
                i += 1;
            }
            "--seconds" => {
                args.seconds = number(argv, i, "a number from 1 to 86400", 1..=86_400)?;
                i += 1;
            }
            "--masters" => {
                args.masters = number(argv, i, "a number from 3 to 100", 3..=100)?;
                i += 1;
            }
            "--replay" => {
                args.replay = Some(argv.get(i + 1).ok_or("--replay needs a file")?.clone());
                i += 1;
            }
            "--solution" => {
                let v = argv.get(i + 1).ok_or("--solution needs a file")?;
                args.solution = Some(v.clone());
                i += 1;
            }
            "-h" | "--help" | "help" => return Err(String::new()),
            "exercise" if args.command.is_none() => {
                match argv.get(i + 1).map(String::as_str) {
                    Some("check") => args.command = Some("exercise".into()),
                    _ => {
                        return Err(
                            "exercise needs a subcommand: exercise check FILE --solution SOL"
                                .into(),
                        );
                    }
                }
                i += 1;
            }
            "stats" | "bench" | "explore" | "soak" if args.command.is_none() => {
                args.command = Some(argv[i].clone());
            }
            "run" | "check" if args.command.is_none() => args.command = Some(argv[i].clone()),
            other if other.starts_with('-') => return Err(format!("unknown option '{other}'")),
            file if args.command.is_some() => args.files.push(file.to_string()),
            other => return Err(format!("unknown command '{other}'")),
        }
        i += 1;
    }
    Ok(args)
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let args = match parse_args(&argv) {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("clusterlab: {e}");
            }
            eprint!("{USAGE}");
            return ExitCode::from(if e.is_empty() { 0 } else { 2 });
        }
    };
    match args.command.as_deref() {
        None => repl(args.seed),
        Some("stats") => stats(args.seeds.unwrap_or(200)),
        Some("soak") => explore::soak(args.seed, args.masters, args.hours),
        Some("explore") => match &args.replay {
            Some(file) => explore::replay(file),
            None => explore::explore(
                args.from,
                args.seeds.unwrap_or(50),
                std::path::Path::new(&args.out),
            ),
        },
        Some("bench") => bench::bench(&args.files, args.seconds),
        Some("exercise") => match (&args.files[..], &args.solution) {
            ([file], Some(solution)) => exercise_check(file, solution, args.seed),
            _ => {
                eprint!("{USAGE}");
                ExitCode::from(2)
            }
        },
        Some(cmd) => {
            if args.files.is_empty() || (cmd == "run" && args.files.len() > 1) {
                eprint!("{USAGE}");
                return ExitCode::from(2);
            }
            scenarios(cmd == "check", &args.files, args.seed)
        }
    }
}

fn scenarios(check: bool, files: &[String], seed: u64) -> ExitCode {
    let mut failed = 0;
    for file in files {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("clusterlab: cannot read {file}: {e}");
                return ExitCode::from(2);
            }
        };
        let report = run_scenario(&text, seed);
        if !check {
            print!("{}", report.transcript);
            continue;
        }
        if report.passed() {
            println!("ok   {file}");
        } else {
            failed += 1;
            println!("FAIL {file}");
            for m in &report.mismatches {
                print!("{m}");
            }
        }
    }
    if check {
        println!("{} passed, {} failed", files.len() - failed, failed);
    }
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `clusterlab exercise check FILE --solution SOL`: plays SOL after the exercise's setup and
/// runs its check; exit 0 when solved, 1 when not, 2 when a file is unreadable or invalid.
fn exercise_check(file: &str, solution: &str, seed: u64) -> ExitCode {
    let read = |path: &str| {
        std::fs::read_to_string(path).map_err(|e| format!("clusterlab: cannot read {path}: {e}"))
    };
    let (text, attempt) = match (read(file), read(solution)) {
        (Ok(t), Ok(a)) => (t, a),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let exercise = match console::exercise::Exercise::parse(&text) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("clusterlab: {file}: {e}");
            return ExitCode::from(2);
        }
    };
    let verdict = exercise.attempt(&attempt, seed);
    print!("{}: {verdict}", exercise.title);
    if verdict.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Completion from the console's word lists; no hints or colours.
struct Words;

impl rustyline::completion::Completer for Words {
    type Candidate = String;
    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        Ok(console::help::complete(line, pos))
    }
}

impl rustyline::hint::Hinter for Words {
    type Hint = String;
}
impl rustyline::highlight::Highlighter for Words {}
impl rustyline::validate::Validator for Words {}
impl rustyline::Helper for Words {}

fn repl(seed: u64) -> ExitCode {
    let mut console = Console::new(seed);
    let mut editor = match rustyline::Editor::<Words, rustyline::history::DefaultHistory>::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("clusterlab: cannot start the line editor: {e}");
            return plain_repl(console);
        }
    };
    editor.set_helper(Some(Words));
    loop {
        match editor.readline(&console.prompt()) {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = editor.add_history_entry(line.as_str());
                }
                let out = console.eval(&line);
                if out.clear {
                    let _ = editor.clear_screen();
                }
                print!("{}", out.text);
                let _ = io::stdout().flush();
            }
            // Ctrl-C abandons the line, as in redis-cli; Ctrl-D ends the session.
            Err(rustyline::error::ReadlineError::Interrupted) => continue,
            Err(_) => return ExitCode::SUCCESS,
        }
    }
}

/// Reads lines without editing (standard input is not a terminal).
fn plain_repl(mut console: Console) -> ExitCode {
    let stdin = io::stdin();
    let mut stdout = io::stdout();
    let mut lines = stdin.lock().lines();
    loop {
        print!("{}", console.prompt());
        let _ = stdout.flush();
        let Some(Ok(line)) = lines.next() else {
            println!();
            return ExitCode::SUCCESS;
        };
        print!("{}", console.eval(&line).text);
    }
}

/// `clusterlab stats`: the seed failover's timings over many seeds, next to what real Redis
/// showed and what the protocol's formulas allow.
fn stats(seeds: u64) -> ExitCode {
    use console::timing::{
        REAL_REDIS_RANGES, formula_bounds, min_median_max, seed_failover_timing,
    };
    let mut all_ok = true;
    for (nt, real) in REAL_REDIS_RANGES {
        let runs: Vec<_> = (1..=seeds).map(|s| seed_failover_timing(s, nt)).collect();
        println!(
            "cluster-node-timeout {nt} ms, {seeds} seeds: ms from killing 7000, as seen on 7003"
        );
        println!(
            "  {:<9} {:>22} {:>22} {:>18}  real in sim in bounds",
            "event", "simulated min/med/max", "real 7.0.15 min/med/max", "formula bounds"
        );
        let bounds = formula_bounds(nt);
        for (i, (name, rmin, rmed, rmax)) in real.iter().enumerate() {
            let mut samples: Vec<u64> = runs
                .iter()
                .filter_map(|t| match i {
                    0 => t.pfail,
                    1 => t.fail,
                    _ => t.promoted,
                })
                .collect();
            let seen = samples.len();
            let (_, bmin, bmax) = bounds[i];
            let Some((min, med, max)) = min_median_max(&mut samples) else {
                println!("  {name:<9} never seen");
                all_ok = false;
                continue;
            };
            let ok = min <= *rmin && *rmax <= max && bmin <= min && max <= bmax;
            all_ok &= ok;
            println!(
                "  {name:<9} {:>22} {:>22} {:>18}  {}{}",
                format!("{min}/{med}/{max}"),
                format!("{rmin}/{rmed}/{rmax}"),
                format!("{bmin}..{bmax}"),
                if ok { "yes" } else { "NO" },
                if seen < runs.len() {
                    format!(" (seen in {seen} of {} runs)", runs.len())
                } else {
                    String::new()
                }
            );
        }
        println!();
    }
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
