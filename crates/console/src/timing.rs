//! Timing fidelity: run the seed failover under many seeds and measure, on the replica 7003,
//! how long after the kill it saw `fail?`, `fail` and its own promotion. The real cluster's
//! numbers (reference: measured on Redis 7.0.15) must fall inside the simulated spread.

use cluster_proto::{NodeEvent, NodeId};

use crate::shell::Console;

/// Milliseconds from the kill of 7000 to each event, as seen on 7003.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FailoverTiming {
    /// 7003 flagged 7000 `fail?` itself (it may never, if the FAIL broadcast came first).
    pub pfail: Option<u64>,
    /// 7003 flagged 7000 `fail` (by quorum or by a FAIL message).
    pub fail: Option<u64>,
    /// 7003 became `myself,master`.
    pub promoted: Option<u64>,
}

/// The seed scenario up to the replica's CLUSTER REPLICATE, for `node_timeout` ms.
fn seed_setup(node_timeout: u64) -> Vec<String> {
    let mut lines: Vec<String> = (7000..=7003)
        .map(|p| {
            format!(
                "redis-server --port {p} --cluster-enabled yes --cluster-node-timeout {node_timeout} --daemonize yes"
            )
        })
        .collect();
    lines.push("redis-cli --cluster create 127.0.0.1:7000 127.0.0.1:7001 127.0.0.1:7002 --cluster-replicas 0 --cluster-yes".into());
    lines.push("redis-cli -p 7003 CLUSTER MEET 127.0.0.1 7000".into());
    lines.push("sleep 3".into());
    lines.push("redis-cli -p 7003 CLUSTER REPLICATE $(redis-cli -p 7000 CLUSTER MYID)".into());
    lines
}

/// Advances in 5 ms steps (the reference's polling interval) until `done`, at most `max_ms`.
fn poll(console: &mut Console, max_ms: u64, mut done: impl FnMut(&mut Console) -> bool) {
    let mut waited = 0;
    while !done(console) && waited < max_ms {
        console.sim_mut().advance(5);
        waited += 5;
    }
}

/// Runs the seed failover with `seed` and reports when 7003 saw each step.
pub fn seed_failover_timing(seed: u64, node_timeout: u64) -> FailoverTiming {
    let mut console = Console::new(seed);
    for line in seed_setup(node_timeout) {
        console.eval_shell(&line);
    }
    // The reference's procedure: wait for the replication link, and for 7001 and 7002 to list
    // 7003 as a replica, then one quiet second, then SIGINT. Measuring the same way matters:
    // it ties the kill to the nodes' ping cycle, which shapes when `fail?` can appear.
    poll(&mut console, 60_000, |c| {
        c.eval_shell("redis-cli -p 7003 INFO replication")
            .text
            .contains("master_link_status:up")
    });
    poll(&mut console, 60_000, |c| {
        [7001, 7002].iter().all(|p| {
            c.eval_shell(&format!("redis-cli -p {p} CLUSTER NODES"))
                .text
                .lines()
                .any(|l| l.contains(":7003@17003 slave "))
        })
    });
    console.sim_mut().advance(1000);
    let id_of = |c: &Console, port: u16| -> Option<NodeId> {
        c.sim()
            .host(port)
            .and_then(|h| h.cluster.as_ref())
            .map(|n| n.myself_id())
    };
    let Some(victim) = id_of(&console, 7000) else {
        return FailoverTiming::default();
    };
    console.sim_mut().drain_trace();
    let kill_at = console.sim().now();
    console.eval_shell("sim kill 7000");
    let mut timing = FailoverTiming::default();
    let deadline = kill_at + 6 * node_timeout + 10_000;
    while timing.promoted.is_none() {
        let Some(at) = console.sim_mut().step() else {
            break;
        };
        if at > deadline {
            break;
        }
        for t in console.sim_mut().drain_trace() {
            if t.port != 7003 {
                continue;
            }
            let ms = t.time - kill_at;
            match t.event {
                NodeEvent::PossiblyFailing { id } if id == victim => {
                    timing.pfail.get_or_insert(ms);
                }
                NodeEvent::MarkedFailing { id } if id == victim => {
                    timing.fail.get_or_insert(ms);
                }
                NodeEvent::FailMessageReceived { failed, .. } if failed == victim => {
                    timing.fail.get_or_insert(ms);
                }
                NodeEvent::ElectionWon => {
                    timing.promoted.get_or_insert(ms);
                }
                _ => {}
            }
        }
    }
    timing
}

/// min, median and max of some samples.
pub fn min_median_max(samples: &mut [u64]) -> Option<(u64, u64, u64)> {
    if samples.is_empty() {
        return None;
    }
    samples.sort_unstable();
    Some((
        samples[0],
        samples[samples.len() / 2],
        samples[samples.len() - 1],
    ))
}

/// One event's spread: name, min, median, max (ms).
pub type EventRange = (&'static str, u64, u64, u64);

/// What Redis 7.0.15 showed (reference: redis-7.0-behaviour.md, 10 runs each), ms after the
/// kill as seen on 7003: `(node timeout, [(event, min, median, max)])`.
pub const REAL_REDIS_RANGES: [(u64, [EventRange; 3]); 2] = [
    (
        2000,
        [
            ("fail?", 2190, 2984, 3058),
            ("fail", 2890, 3640, 3935),
            ("promoted", 3791, 4530, 5027),
        ],
    ),
    (
        15000,
        [
            ("fail?", 15923, 16510, 18038),
            ("fail", 16985, 18013, 20031),
            ("promoted", 17923, 19043, 20912),
        ],
    ),
];

/// Bounds the protocol's formulas allow, ms after the kill (SIGINT; the process exits at its
/// next cron tick, up to 100 ms later):
/// * `fail?`: the pending ping is at most nt/2 old at the exit plus a cron tick, and PFAIL
///   needs it to be older than nt, checked by the next cron tick;
/// * `fail`: a majority of masters' PFAIL reaches 7003 within about one gossip round (the
///   once-a-second ping, or nt/2) after the last of them;
/// * promotion: 500 + up to 500 ms of jitter + rank×1000 after the FAIL, plus a cron tick.
pub fn formula_bounds(node_timeout: u64) -> [(&'static str, u64, u64); 3] {
    let pfail_max = node_timeout + node_timeout / 2 + 3 * 100;
    let fail_max = pfail_max + (node_timeout / 2).max(1000) + 100;
    [
        ("fail?", node_timeout, pfail_max),
        ("fail", node_timeout, fail_max),
        ("promoted", node_timeout + 500, fail_max + 1000 + 100),
    ]
}
