//! Benchmarks: how fast the simulator runs clusters of a given size.
//!
//! The same code runs natively (`clusterlab bench`) and as wasm in headless Chromium
//! (`web/tests/bench.rs`; `scripts/bench.sh` runs both), so the two sets of numbers compare
//! like with like. The caller brings the
//! clock and the memory gauge — a wall clock and the process's resident size natively,
//! `performance.now()` and the wasm memory's size in a browser — which keeps this crate free
//! of both. Numbers are printed, never asserted: no test depends on a machine's speed
//! (docs/PERFORMANCE.md records them).

use cluster_proto::SimTime;

use crate::Console;

/// The cluster sizes the issue asks about: a seed-sized cluster up to Redis's practical limit.
pub const SIZES: [u16; 5] = [6, 30, 100, 300, 1000];

/// Reads the cluster sizes asked for: even numbers of nodes from 6 to 1,000 (half masters,
/// half replicas); all of [`SIZES`] when none is given.
pub fn parse_sizes(args: &[String]) -> Result<Vec<u16>, String> {
    if args.is_empty() {
        return Ok(SIZES.to_vec());
    }
    args.iter()
        .map(|s| match s.parse::<u16>() {
            Ok(n) if (6..=1000).contains(&n) && n % 2 == 0 => Ok(n),
            _ => Err(format!(
                "bench sizes are even numbers of nodes from 6 to 1000, not '{s}'"
            )),
        })
        .collect()
}

/// The node timeout every benchmark cluster uses (Redis's default).
pub const NODE_TIMEOUT: u64 = 15_000;

/// The first port of a benchmark cluster; its bus ports (+10000) stay below 65536 up to 1,000
/// nodes.
const FIRST_PORT: u16 = 30_000;

/// The caller's clock, in milliseconds from any origin.
pub type Clock<'a> = &'a mut dyn FnMut() -> f64;

/// The caller's memory gauge: bytes in use by the whole program now.
pub type Gauge<'a> = &'a mut dyn FnMut() -> u64;

/// One cluster size's results.
#[derive(Debug, Clone, PartialEq)]
pub struct SizeResult {
    /// Nodes in the cluster (half masters, half replicas).
    pub nodes: u16,
    /// CPU milliseconds to start the servers and run `redis-cli --cluster create` until every
    /// node agrees on the configuration.
    pub setup_ms: f64,
    /// Virtual seconds the setup took (mostly waiting for the cluster to join).
    pub setup_secs: f64,
    /// Virtual seconds of the steady phase (a healthy cluster gossiping).
    pub steady_secs: u64,
    /// CPU milliseconds of the steady phase.
    pub steady_ms: f64,
    /// Events the steady phase ran.
    pub steady_events: u64,
    /// Bus messages all nodes sent in the steady phase.
    pub steady_messages: u64,
    /// CPU milliseconds of the steady phase's tenths of a virtual second: the 90th percentile
    /// and the worst. A big world's work comes in bursts (waves of PINGs), and a player that
    /// keeps real time must span them (docs/PERFORMANCE.md).
    pub tenth_p90_ms: f64,
    /// See [`SizeResult::tenth_p90_ms`].
    pub tenth_max_ms: f64,
    /// Virtual seconds of the failure phase: a master is killed, detected and replaced.
    pub failover_secs: u64,
    /// CPU milliseconds of the failure phase.
    pub failover_ms: f64,
    /// Whether the killed master's replica won its election within the failure phase.
    pub promoted: bool,
    /// Bytes the world grew by (gauge after minus before), divided by the nodes.
    pub bytes_per_node: u64,
    /// CPU milliseconds to copy the whole console once at the end, as the playground's
    /// timeline does for every snapshot.
    pub snapshot_ms: f64,
    /// CPU milliseconds to build the views' picture of the world (`Simulator::view`) once at
    /// the end, as the playground does for every frame it draws.
    pub view_ms: f64,
}

impl SizeResult {
    /// Virtual seconds simulated per CPU second in the steady phase.
    pub fn steady_speed(&self) -> f64 {
        self.steady_secs as f64 * 1000.0 / self.steady_ms.max(0.001)
    }

    /// Virtual seconds simulated per CPU second in the failure phase.
    pub fn failover_speed(&self) -> f64 {
        self.failover_secs as f64 * 1000.0 / self.failover_ms.max(0.001)
    }
}

/// A console with `nodes` servers on ports from `first_port` made into a cluster of
/// `nodes / 2` masters with a replica each by `redis-cli --cluster create`, as a learner would
/// (the benchmark's clusters and the soak's).
pub fn build_cluster(first_port: u16, nodes: u16, node_timeout: u64, seed: u64) -> Console {
    let mut c = Console::new(seed);
    let ports: Vec<u16> = (0..nodes).map(|i| first_port + i).collect();
    for p in &ports {
        c.eval_shell(&format!(
            "redis-server --port {p} --cluster-enabled yes --cluster-node-timeout {node_timeout} --daemonize yes"
        ));
    }
    let addrs: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
    c.eval_shell(&format!(
        "redis-cli --cluster create {} --cluster-replicas 1 --cluster-yes",
        addrs.join(" ")
    ));
    c
}

/// Bus messages sent so far by every running node.
fn messages_sent(c: &Console) -> u64 {
    c.sim()
        .hosts()
        .filter_map(|(_, h)| h.cluster.as_ref())
        .map(|n| n.stats().sent.iter().sum::<u64>())
        .sum()
}

/// Benchmarks one cluster size: setup, `steady_secs` of a healthy cluster, then 60 virtual
/// seconds in which the first master is killed and its replica takes over.
pub fn run_size(nodes: u16, steady_secs: u64, clock: Clock, gauge: Gauge) -> SizeResult {
    let bytes_before = gauge();
    let t = clock();
    let mut c = build_cluster(FIRST_PORT, nodes, NODE_TIMEOUT, 1);
    let setup_ms = clock() - t;
    let setup_secs =
        (c.sim().now().as_unix_millis() - SimTime::DEFAULT_START.as_unix_millis()) as f64 / 1000.0;

    let (events, messages) = (c.sim().events_run(), messages_sent(&c));
    // A tenth of a second at a time, timed: slicing changes nothing in the world.
    let mut tenths: Vec<f64> = (0..steady_secs * 10)
        .map(|_| {
            let t = clock();
            c.advance(100);
            clock() - t
        })
        .collect();
    let steady_ms = tenths.iter().sum();
    tenths.sort_by(f64::total_cmp);
    let tenth_p90_ms = tenths.get(tenths.len() * 9 / 10).copied().unwrap_or(0.0);
    let tenth_max_ms = tenths.last().copied().unwrap_or(0.0);
    let steady_events = c.sim().events_run() - events;
    let steady_messages = messages_sent(&c) - messages;

    // The failure phase: detection takes node-timeout plus gossip, the election up to a
    // second more; 60 s covers it at the default timeout.
    let failover_secs = 60;
    let victim = FIRST_PORT;
    let replica = c
        .sim()
        .hosts()
        .find(|(_, h)| {
            h.replica_of
                .as_ref()
                .is_some_and(|r| r.master_port == victim)
        })
        .map(|(p, _)| p);
    let t = clock();
    c.eval_shell(&format!("sim kill {victim}"));
    c.advance(failover_secs * 1000);
    let failover_ms = clock() - t;
    let promoted = replica
        .and_then(|p| c.sim().running(p))
        .is_some_and(|h| h.replica_of.is_none());
    let bytes_per_node = gauge().saturating_sub(bytes_before) / u64::from(nodes.max(1));
    let t = clock();
    let copy = c.clone();
    let snapshot_ms = clock() - t;
    drop(copy);
    let t = clock();
    let view = c.sim().view();
    let view_ms = clock() - t;
    drop(view);
    SizeResult {
        nodes,
        setup_ms,
        setup_secs,
        steady_secs,
        steady_ms,
        steady_events,
        steady_messages,
        tenth_p90_ms,
        tenth_max_ms,
        failover_secs,
        failover_ms,
        promoted,
        bytes_per_node,
        snapshot_ms,
        view_ms,
    }
}

/// CPU milliseconds to run the seed-failover preset from an empty world to its last line
/// (about 30 virtual seconds: four servers, a cluster, a replica, a failover, a restart).
pub fn seed_scenario(clock: Clock) -> f64 {
    let text = crate::presets::preset("seed-failover")
        .map(|p| p.text)
        .unwrap_or_default();
    let t = clock();
    let report = crate::run_scenario(text, 1);
    let ms = clock() - t;
    debug_assert!(report.passed());
    ms
}

/// The seed scenario's line of the report: its best time of five, after a run that warms up
/// caches and (in a browser) the JIT, so the first rows are not penalised either.
pub fn seed_scenario_summary(clock: Clock) -> String {
    seed_scenario(clock);
    let best = (0..5)
        .map(|_| seed_scenario(clock))
        .fold(f64::INFINITY, f64::min);
    format!("seed-failover preset, whole scenario: {best:.2} ms of CPU (best of 5)")
}

/// The table header [`format_row`] lines up with.
pub fn header() -> String {
    format!(
        "{:>6} {:>10} {:>8} {:>9} {:>10} {:>11} {:>10} {:>10} {:>9} {:>9} {:>10} {:>10} {:>9} {:>9} {:>9}",
        "nodes",
        "setup ms",
        "setup s",
        "steady s",
        "cpu ms",
        "virt s/cpu",
        "events",
        "messages",
        "p90 0.1s",
        "max 0.1s",
        "fail ms",
        "virt s/cpu",
        "KiB/node",
        "snap ms",
        "view ms"
    )
}

/// One result as a table row.
pub fn format_row(r: &SizeResult) -> String {
    format!(
        "{:>6} {:>10.1} {:>8.1} {:>9} {:>10.1} {:>11.1} {:>10} {:>10} {:>9.1} {:>9.1} {:>10.1} {:>10.1} {:>9.1} {:>9.1} {:>9.1}{}",
        r.nodes,
        r.setup_ms,
        r.setup_secs,
        r.steady_secs,
        r.steady_ms,
        r.steady_speed(),
        r.steady_events,
        r.steady_messages,
        r.tenth_p90_ms,
        r.tenth_max_ms,
        r.failover_ms,
        r.failover_speed(),
        r.bytes_per_node as f64 / 1024.0,
        r.snapshot_ms,
        r.view_ms,
        if r.promoted { "" } else { "  (no promotion!)" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_even_and_within_bounds() {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(parse_sizes(&[]), Ok(SIZES.to_vec()));
        assert_eq!(parse_sizes(&args(&["6", "1000"])), Ok(vec![6, 1000]));
        for bad in ["4", "7", "1002", "x", "-6", ""] {
            let err = parse_sizes(&args(&["30", bad])).unwrap_err();
            assert!(err.ends_with(&format!("not '{bad}'")), "{err}");
        }
    }

    #[test]
    fn a_small_benchmark_builds_a_cluster_and_fails_over() {
        // What the benchmark measures must actually happen: a cluster forms, gossip flows and
        // the killed master is replaced. The clock here counts calls, not time.
        let mut ticks = 0.0;
        let mut clock = || {
            ticks += 1.0;
            ticks
        };
        let mut bytes = 0;
        let mut gauge = || {
            bytes += 6000;
            bytes
        };
        let r = run_size(6, 10, &mut clock, &mut gauge);
        assert_eq!(r.nodes, 6);
        assert!(r.steady_events > 100, "{r:?}");
        assert!(r.steady_messages > 50, "{r:?}");
        // Each tenth of a second cost one tick of this clock; 100 of them make the phase.
        assert_eq!((r.tenth_p90_ms, r.tenth_max_ms), (1.0, 1.0), "{r:?}");
        assert_eq!(r.steady_ms, 100.0, "{r:?}");
        assert!(r.promoted, "{r:?}");
        assert_eq!(r.bytes_per_node, 1000);
        assert!(format_row(&r).starts_with("     6 "));
        assert!(!format_row(&r).contains("no promotion"));
    }
}
