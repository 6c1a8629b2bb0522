//! The soak: one cluster under random faults for many virtual hours, checked all along, with
//! the sizes of every buffer that grows with time reported, so memory is shown to stay bounded.

use super::plan::{SplitMix, random_fault, secs};
use super::{Checker, Finding};
use crate::Console;

/// One line of the soak's report, every virtual hour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoakSample {
    /// Virtual hours since the start.
    pub hour: u64,
    /// Faults injected so far.
    pub faults: u64,
    /// Events the world has run so far.
    pub events: u64,
    /// Elections started so far.
    pub elections: u64,
    /// Entries kept in the story, the wire log, the ledger (acknowledged, lost), and the nodes'
    /// logs (all nodes together): each has a bound.
    pub kept: [usize; 5],
}

/// `hours` virtual hours of `masters` masters with one replica each under random faults,
/// healed and fully restarted every 10 virtual minutes; `each_hour` sees a sample every
/// virtual hour (the CLI prints it with the process's memory). Returns the findings.
pub fn soak(
    seed: u64,
    masters: u16,
    hours: u64,
    mut each_hour: impl FnMut(&SoakSample),
) -> Vec<Finding> {
    const NODE_TIMEOUT: u64 = 5000;
    const ROUND_MS: u64 = 10 * 60 * 1000;
    let mut rng = SplitMix::new(seed);
    let ports: Vec<u16> = (0..masters * 2)
        .map(|i| super::plan::BASE_PORT + i)
        .collect();
    let mut c =
        crate::bench::build_cluster(super::plan::BASE_PORT, masters * 2, NODE_TIMEOUT, seed);
    c.eval_shell("sleep 10");
    // One key, incremented: the dataset stays the same size, so what grows is the simulator.
    c.eval_shell("sim load counter 20 7000");
    let mut checker = Checker::default();
    let start = c.sim().now();
    let (mut faults, mut next_hour) = (0u64, 1u64);
    while c.sim().now() - start < hours * 3_600_000 {
        // A round: faults for most of ten minutes, then heal, restart everything, settle.
        let round_start = c.sim().now();
        while c.sim().now() - round_start < ROUND_MS - 120_000 {
            let wait = rng.range(NODE_TIMEOUT / 10, NODE_TIMEOUT * 6);
            c.eval_shell(&format!("sleep {}", secs(wait)));
            c.eval_shell(&random_fault(&mut rng, &ports, NODE_TIMEOUT));
            faults += 1;
            observe(&mut c, &mut checker);
        }
        c.eval_shell("sim heal");
        c.eval_shell("sleep 11");
        for p in &ports {
            c.eval_shell(&format!("sim restart {p}"));
        }
        for _ in 0..100 {
            c.eval_shell("sleep 1");
            observe(&mut c, &mut checker);
        }
        checker.settled(c.sim());
        while c.sim().now() - start >= next_hour * 3_600_000 {
            let sim = c.sim();
            each_hour(&SoakSample {
                hour: next_hour,
                faults,
                events: sim.events_run(),
                elections: checker.elections,
                kept: [
                    sim.story().entries().count(),
                    sim.wire().since(0).count(),
                    sim.ledger().acked().count(),
                    sim.ledger().lost().count(),
                    sim.hosts().map(|(_, h)| h.log.len()).sum(),
                ],
            });
            next_hour += 1;
        }
    }
    checker.findings
}

fn observe(c: &mut Console, checker: &mut Checker) {
    let events = c.sim_mut().drain_trace();
    checker.observe(&events);
    checker.sample(c.sim());
}
