//! `clusterlab explore`: the fault explorer over many seeds, and `--replay` of a reproduction.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use console::explore::{Plan, Report, Rule, run_scenario, shrink};

/// One line about a run.
fn summary(plan: &Plan, r: &Report) -> String {
    format!(
        "seed {}: {} masters x {} replicas, node-timeout {} ms, {} faults, {:.0} s virtual, {} elections ({} won), {} writes acked, {} lost (explained)",
        plan.seed,
        plan.masters,
        plan.replicas,
        plan.node_timeout,
        plan.faults.len(),
        r.virtual_ms as f64 / 1000.0,
        r.elections,
        r.wins,
        r.writes_acked,
        r.writes_lost
    )
}

fn print_findings(r: &Report) {
    for f in &r.findings {
        let at = f.at();
        match f.redis_behaviour {
            Some(why) => println!(
                "  redis behaviour [{}] at {at}: {} ({why})",
                f.rule.name(),
                f.text
            ),
            None => println!("  VIOLATION [{}] at {at}: {}", f.rule.name(), f.text),
        }
    }
}

/// Runs seeds `from..from+count`; writes a shrunk reproduction of each violation into `out`.
pub fn explore(from: u64, count: u64, out: &Path) -> ExitCode {
    let started = Instant::now();
    let (mut virtual_ms, mut faults, mut elections, mut violations) = (0u64, 0usize, 0u64, 0usize);
    let mut behaviours = 0usize;
    for seed in from..from.saturating_add(count) {
        let plan = Plan::random(seed);
        let report = plan.run();
        virtual_ms += report.virtual_ms;
        faults += report.faults;
        elections += report.elections;
        behaviours += report
            .findings
            .iter()
            .filter(|f| f.redis_behaviour.is_some())
            .count();
        let verdict = if report.first_violation().is_some() {
            "VIOLATION"
        } else {
            "ok"
        };
        println!("{}: {verdict}", summary(&plan, &report));
        print_findings(&report);
        if let Some(rule) = report.first_violation() {
            violations += 1;
            let mut runs = 0;
            let small = shrink(&plan, rule, &mut runs);
            match write_reproduction(&small, rule, out) {
                Ok(path) => println!(
                    "  shrunk to {} of {} faults in {runs} runs: {}\n  reproduce: clusterlab explore --replay {}",
                    small.faults.len(),
                    plan.faults.len(),
                    path,
                    path
                ),
                Err(e) => println!("  could not write the reproduction: {e}"),
            }
        }
    }
    println!(
        "explored {count} seeds ({from}..{}): {:.2} virtual hours, {faults} faults, {elections} elections, {violations} violations, {behaviours} findings that are Redis 7.0's own behaviour; {:.1} s of CPU",
        from.saturating_add(count) - 1,
        virtual_ms as f64 / 3_600_000.0,
        started.elapsed().as_secs_f64()
    );
    if violations > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Writes the plan as a scenario file with its expected output, named after seed and rule.
fn write_reproduction(plan: &Plan, rule: Rule, out: &Path) -> Result<String, String> {
    let header = format!(
        "Found by `clusterlab explore`: seed {} breaks {} ({} faults after shrinking).\nReplay the checks: clusterlab explore --replay THIS-FILE",
        plan.seed,
        rule.name(),
        plan.faults.len()
    );
    let text = plan.to_scenario(&header);
    let transcript = console::run_scenario(&text, 0).transcript;
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let path = out.join(format!("explore-seed-{}-{}.txt", plan.seed, rule.name()));
    std::fs::write(&path, transcript).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path.display().to_string())
}

/// Runs a scenario file under the explorer's checks: exit 0 if nothing but Redis's own
/// behaviour was found, 1 if a rule broke, 2 if it cannot be read.
pub fn replay(file: &str) -> ExitCode {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("clusterlab: cannot read {file}: {e}");
            return ExitCode::from(2);
        }
    };
    let report = run_scenario(&text);
    println!(
        "{file}: {:.0} s virtual, {} elections ({} won), {} writes acked, {} lost (explained): {}",
        report.virtual_ms as f64 / 1000.0,
        report.elections,
        report.wins,
        report.writes_acked,
        report.writes_lost,
        if report.first_violation().is_some() {
            "VIOLATION"
        } else {
            "ok"
        }
    );
    print_findings(&report);
    if report.first_violation().is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// A line of `/proc/self/status` in MiB (`VmRSS`, `VmHWM`), where the system has one.
pub(crate) fn memory_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// `clusterlab soak`: one cluster under random faults for `hours` virtual hours, with the
/// process's memory and every bounded buffer's size printed each virtual hour.
pub fn soak(seed: u64, masters: u16, hours: u64) -> ExitCode {
    let started = Instant::now();
    println!(
        "soak: {masters} masters with a replica each, random faults, healed and restarted every 10 virtual minutes, seed {seed}"
    );
    println!(
        "{:>5} {:>7} {:>12} {:>9} {:>6} {:>5} {:>7} {:>5} {:>7} {:>8} {:>7}",
        "hour",
        "faults",
        "events",
        "elections",
        "story",
        "wire",
        "acked",
        "lost",
        "logs",
        "rss MiB",
        "cpu s"
    );
    let findings = console::explore::soak::soak(seed, masters, hours, |s| {
        println!(
            "{:>5} {:>7} {:>12} {:>9} {:>6} {:>5} {:>7} {:>5} {:>7} {:>8.1} {:>7.1}",
            s.hour,
            s.faults,
            s.events,
            s.elections,
            s.kept[0],
            s.kept[1],
            s.kept[2],
            s.kept[3],
            s.kept[4],
            memory_mib("VmRSS:").unwrap_or(f64::NAN),
            started.elapsed().as_secs_f64()
        );
    });
    let violations: Vec<_> = findings
        .iter()
        .filter(|f| f.redis_behaviour.is_none())
        .collect();
    for f in &findings {
        match f.redis_behaviour {
            Some(_) => println!(
                "  redis behaviour [{}] at {}: {}",
                f.rule.name(),
                f.at(),
                f.text
            ),
            None => println!("  VIOLATION [{}] at {}: {}", f.rule.name(), f.at(), f.text),
        }
    }
    println!(
        "peak memory (VmHWM): {:.1} MiB; {} violations; {:.1} s of CPU",
        memory_mib("VmHWM:").unwrap_or(f64::NAN),
        violations.len(),
        started.elapsed().as_secs_f64()
    );
    if violations.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
