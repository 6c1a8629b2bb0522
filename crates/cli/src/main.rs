//! `clusterlab`: the ClusterLab console in a terminal.
//!
//! * `clusterlab` — an interactive session (the same shell as the web playground);
//! * `clusterlab run FILE [--seed N]` — print the transcript of a scenario file;
//! * `clusterlab check FILE [--seed N]` — compare it with the file's expected output.

use std::io::{self, BufRead, Write};
use std::process::ExitCode;

use console::{Console, run_scenario};

const USAGE: &str = "usage: clusterlab [--seed N]               interactive session
       clusterlab run FILE [--seed N]      print the transcript of a scenario file
       clusterlab check FILE... [--seed N] compare scenario files with their expected output
";

/// The seed every run uses unless told otherwise, so transcripts are reproducible.
const DEFAULT_SEED: u64 = 1;

struct Args {
    command: Option<String>,
    files: Vec<String>,
    seed: u64,
}

fn parse_args(argv: &[String]) -> Result<Args, String> {
    let mut args = Args {
        command: None,
        files: Vec::new(),
        seed: DEFAULT_SEED,
    };
    let mut i = 0;
    while i < argv.len() {
        match argv[i].as_str() {
            "--seed" => {
                let v = argv.get(i + 1).ok_or("--seed needs a number")?;
                args.seed = v
                    .parse()
                    .map_err(|_| format!("--seed needs a number, not '{v}'"))?;
                i += 1;
            }
            "-h" | "--help" | "help" => return Err(String::new()),
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

fn repl(seed: u64) -> ExitCode {
    let mut console = Console::new(seed);
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
        let out = console.eval(&line);
        if out.clear {
            print!("\x1b[H\x1b[2J");
        }
        print!("{}", out.text);
    }
}
