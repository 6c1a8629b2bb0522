//! The fault explorer: the deterministic simulator as our Jepsen. For each seed, a random
//! cluster, a cluster-aware client writing through it, and a random schedule of kills, crashes,
//! restarts, pauses, partitions (one way too), latency, loss and manual failovers; then the
//! network heals, every server starts again, and the cluster is left to settle. The invariants
//! of [`check`] are checked all along and at the end. A failing plan is shrunk to the fewest
//! faults that still break the same rule, and written as a scenario file.

pub mod check;
pub mod plan;
pub mod soak;

pub use check::{Checker, Finding, Rule};
pub use plan::{Fault, Plan};

use crate::{Console, Scenario, Typed, eval_typed};

/// Virtual time between two samples of the nodes' epochs, in ms.
const SAMPLE_MS: u64 = 1000;

/// What one run found.
#[derive(Debug, Clone)]
pub struct Report {
    /// Every broken rule, Redis's own behaviour included.
    pub findings: Vec<Finding>,
    /// Virtual time simulated, in ms.
    pub virtual_ms: u64,
    /// Faults injected: the plan's, or for a scenario file every line after the setup that
    /// is not a `sleep` or `sim load` (the settling's heal and restarts count too).
    pub faults: usize,
    /// Elections started, won, and votes granted.
    pub elections: u64,
    /// Elections won.
    pub wins: u64,
    /// Votes granted.
    pub votes: u64,
    /// Writes the client got an OK for, and writes the ledger says were lost.
    pub writes_acked: usize,
    /// Writes lost (and explained).
    pub writes_lost: usize,
    /// The world's trace hash at the end (same plan, same hash).
    pub trace_hash: u64,
    /// Why the lost writes were lost, as the ledger says (one entry per write).
    pub lost_reasons: Vec<String>,
}

impl Report {
    /// Findings that are not Redis's own behaviour: the simulator's bugs.
    pub fn violations(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.redis_behaviour.is_none())
    }

    /// The first violation's rule, if any.
    pub fn first_violation(&self) -> Option<Rule> {
        self.violations().next().map(|f| f.rule)
    }
}

impl Plan {
    /// Every line of the run: the seed, the setup, the faults with their waits, the settling.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![format!("sim seed {}", self.seed)];
        lines.extend(self.setup_lines());
        for f in &self.faults {
            lines.push(format!("sleep {}", plan::secs(f.wait_ms)));
            lines.push(f.line.clone());
        }
        lines.extend(self.settle_lines());
        lines
    }

    /// Runs the plan and checks it.
    pub fn run(&self) -> Report {
        let mut report = run_lines(&self.lines(), self.setup_lines().len() + 1);
        report.faults = self.faults.len();
        report
    }
}

/// Runs a scenario file's lines (a reproduction the explorer wrote, or any scenario that ends
/// healed and settled) under the same checks. Lines up to the first `sim load` are the setup,
/// not counted as faults.
pub fn run_scenario(text: &str) -> Report {
    let lines: Vec<String> = Scenario::parse(text)
        .steps
        .iter()
        .map(|s| match &s.typed {
            Typed::Shell(l) => l.clone(),
            Typed::Prompt { port, command, .. } => format!("redis-cli -p {port} {command}"),
        })
        .collect();
    let setup = lines
        .iter()
        .position(|l| l.starts_with("sim load"))
        .map_or(0, |i| i + 1);
    run_lines(&lines, setup)
}

fn run_lines(lines: &[String], setup: usize) -> Report {
    // The seed `clusterlab run` and `check` use for a file without `sim seed` (a plan's lines
    // start with its own `sim seed`).
    let mut c = Console::new(1);
    let mut checker = Checker::default();
    let start = c.sim().now();
    let mut faults = 0;
    for (i, line) in lines.iter().enumerate() {
        match line
            .strip_prefix("sleep ")
            .and_then(|s| s.trim().parse::<f64>().ok())
        {
            // Sleep in slices, checking the epochs between them.
            Some(secs) => {
                let mut left = (secs * 1000.0).round() as u64;
                while left > 0 {
                    let slice = left.min(SAMPLE_MS);
                    c.eval_shell(&format!("sleep {}", slice as f64 / 1000.0));
                    left -= slice;
                    observe(&mut c, &mut checker);
                }
            }
            None => {
                eval_typed(&mut c, &Typed::Shell(line.clone()));
                if i >= setup && !line.starts_with("sim load") && !line.starts_with("sleep") {
                    faults += 1;
                }
                observe(&mut c, &mut checker);
            }
        }
    }
    checker.settled(c.sim());
    let sim = c.sim();
    Report {
        findings: checker.findings,
        virtual_ms: sim.now() - start,
        faults,
        elections: checker.elections,
        wins: checker.wins,
        votes: checker.votes_granted,
        writes_acked: sim.ledger().acked().count(),
        writes_lost: sim.ledger().lost().count(),
        trace_hash: sim.trace_hash(),
        lost_reasons: sim.ledger().lost().map(|l| l.reason.clone()).collect(),
    }
}

fn observe(c: &mut Console, checker: &mut Checker) {
    let events = c.sim_mut().drain_trace();
    checker.observe(&events);
    checker.sample(c.sim());
}

/// The fewest faults of `plan` that still break `rule`: faults are dropped one at a time
/// (their wait added to the next one, so the others keep their moments) as long as the rule
/// still breaks. `runs` counts the runs made.
pub fn shrink(plan: &Plan, rule: Rule, runs: &mut usize) -> Plan {
    let mut best = plan.clone();
    loop {
        let mut smaller = None;
        for i in (0..best.faults.len()).rev() {
            let mut candidate = best.clone();
            let removed = candidate.faults.remove(i);
            if let Some(next) = candidate.faults.get_mut(i) {
                next.wait_ms += removed.wait_ms;
            }
            *runs += 1;
            if candidate.run().violations().any(|f| f.rule == rule) {
                smaller = Some(candidate);
                break;
            }
        }
        match smaller {
            Some(s) => best = s,
            None => return best,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_the_same_as_its_scenario_file() {
        let plan = Plan {
            seed: 3,
            masters: 3,
            replicas: 1,
            node_timeout: 1000,
            write_rate: 20,
            faults: vec![
                Fault {
                    wait_ms: 1500,
                    line: "sim crash 7000".into(),
                },
                Fault {
                    wait_ms: 6000,
                    line: "sim partition 7001 -> 7002".into(),
                },
            ],
        };
        let report = plan.run();
        assert_eq!(report.faults, 2);
        assert!(report.wins >= 1, "7000's replica was promoted: {report:?}");
        assert_eq!(report.violations().count(), 0, "{:?}", report.findings);
        let text = plan.to_scenario("a test");
        let replay = run_scenario(&text);
        assert_eq!(
            replay.trace_hash, report.trace_hash,
            "same lines, same world"
        );
        assert_eq!(replay.writes_acked, report.writes_acked);
    }
}
