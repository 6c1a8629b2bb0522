//! A run of the fault explorer, drawn from a seed: the cluster, the workload and the fault
//! schedule. A plan is plain scenario lines, so any run (and its shrunk reproduction) is a
//! scenario file.

use std::fmt::Write as _;

/// SplitMix64: a small, fast generator, the same everywhere. The plan's randomness only; the
/// world has its own seeded RNG.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix(u64);

impl SplitMix {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix(seed ^ 0x5851_f42d_4c95_7f2d)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() as u64 - 1) as usize]
    }
}

/// One scheduled fault: after `wait_ms` of virtual time, a shell line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// Virtual milliseconds after the previous fault (or the start of the workload).
    pub wait_ms: u64,
    /// What is done: `sim kill 7001`, `sim partition 7000,7003 -> 7001`, a `CLUSTER FAILOVER`.
    pub line: String,
}

/// A whole run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The seed it was drawn from (also the world's seed).
    pub seed: u64,
    /// Masters, 3 to 9.
    pub masters: u16,
    /// Replicas per master, 0 to 2.
    pub replicas: u16,
    /// `cluster-node-timeout` in ms.
    pub node_timeout: u64,
    /// Writes per second of the cluster-aware client (`sim load sequence`).
    pub write_rate: u32,
    /// The fault schedule.
    pub faults: Vec<Fault>,
}

/// The first port.
pub const BASE_PORT: u16 = 7000;

/// The node timeouts drawn from.
const NODE_TIMEOUTS: [u64; 5] = [500, 1000, 2000, 5000, 15000];

impl Plan {
    /// The plan of `seed`: 3-9 masters with 0-2 replicas each, a node timeout, a write rate,
    /// and 2-12 faults spread over a few virtual minutes.
    pub fn random(seed: u64) -> Plan {
        let mut rng = SplitMix::new(seed);
        let masters = rng.range(3, 9) as u16;
        let replicas = rng.range(0, 2) as u16;
        let node_timeout = *rng.pick(&NODE_TIMEOUTS);
        let write_rate = *rng.pick(&[5u32, 20, 50]);
        let mut plan = Plan {
            seed,
            masters,
            replicas,
            node_timeout,
            write_rate,
            faults: Vec::new(),
        };
        let ports = plan.ports();
        let count = rng.range(2, 12);
        for _ in 0..count {
            // Between a tenth of a node timeout and six of them (at most a minute), so that
            // some faults overlap detection and elections and others let them finish.
            let wait_ms = rng.range(node_timeout / 10, (node_timeout * 6).min(60_000));
            let line = random_fault(&mut rng, &ports, node_timeout);
            plan.faults.push(Fault { wait_ms, line });
        }
        plan
    }

    /// The servers' ports.
    pub fn ports(&self) -> Vec<u16> {
        (0..self.masters * (1 + self.replicas))
            .map(|i| BASE_PORT + i)
            .collect()
    }

    /// Virtual time until the settling starts, in ms.
    pub fn fault_ms(&self) -> u64 {
        self.faults.iter().map(|f| f.wait_ms).sum()
    }

    /// How long the healed, restarted cluster is left alone before the final checks: long
    /// enough for failure detection, an election, UPDATE messages, a full resync and replica
    /// migration to finish several times over.
    pub fn settle_ms(&self) -> u64 {
        (self.node_timeout * 10).max(40_000)
    }

    /// The setup: servers, `--cluster create`, time for the replicas' first sync, the workload.
    pub fn setup_lines(&self) -> Vec<String> {
        let ports = self.ports();
        let mut lines: Vec<String> = ports
            .iter()
            .map(|p| {
                format!(
                    "redis-server --port {p} --cluster-enabled yes --cluster-node-timeout {} --daemonize yes",
                    self.node_timeout
                )
            })
            .collect();
        let addrs: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
        lines.push(format!(
            "redis-cli --cluster create {} --cluster-replicas {} --cluster-yes",
            addrs.join(" "),
            self.replicas
        ));
        // The diskless sync waits 5 s; a replica that never synced cannot be promoted.
        lines.push("sleep 10".to_string());
        lines.push(format!("sim load sequence {} {BASE_PORT}", self.write_rate));
        lines
    }

    /// The settling: heal the network, let shutdowns finish, start every server again, wait,
    /// stop the workload.
    pub fn settle_lines(&self) -> Vec<String> {
        // A server killed cleanly may still be shutting down (a master waits up to 10 s for
        // its replicas): let that finish before starting everything again.
        let mut lines = vec!["sim heal".to_string(), "sleep 11".to_string()];
        lines.extend(self.ports().iter().map(|p| format!("sim restart {p}")));
        lines.push(format!("sleep {}", secs(self.settle_ms())));
        lines.push("sim load stop".to_string());
        lines.push("sleep 2".to_string());
        lines
    }

    /// The plan as a scenario file (typed lines only; `clusterlab run` prints the outputs).
    pub fn to_scenario(&self, header: &str) -> String {
        let mut s = String::new();
        for line in header.lines() {
            let _ = writeln!(s, "# {line}");
        }
        let _ = writeln!(
            s,
            "# explore plan: seed {}, {} masters x {} replicas, node timeout {} ms, {} writes/s",
            self.seed, self.masters, self.replicas, self.node_timeout, self.write_rate
        );
        for l in self.lines() {
            let _ = writeln!(s, "$ {l}");
        }
        s
    }
}

/// `sleep`'s argument: seconds, as short as exact.
pub(crate) fn secs(ms: u64) -> String {
    let s = format!("{}.{:03}", ms / 1000, ms % 1000);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A fault drawn among kills, crashes, restarts, pauses, partitions (both ways and one way),
/// latency, loss, heals and manual failovers.
pub(crate) fn random_fault(rng: &mut SplitMix, ports: &[u16], node_timeout: u64) -> String {
    let p = *rng.pick(ports);
    match rng.range(0, 13) {
        0 | 1 => format!("sim kill {p}"),
        2 => format!("sim crash {p}"),
        3 | 4 => format!("sim restart {p}"),
        5 => format!(
            "sim pause {p} {}",
            secs(rng.range(node_timeout / 2, node_timeout * 3))
        ),
        6 | 7 => {
            let (group, rest) = split(rng, ports);
            format!("sim partition {group} {rest}")
        }
        8 => {
            let (group, rest) = split(rng, ports);
            format!("sim partition {group} -> {rest}")
        }
        9 => format!("sim latency {} {p} {}", rng.range(1, 300), rng.pick(ports)),
        10 => format!("sim loss {} {p} {}", rng.range(5, 60), rng.pick(ports)),
        11 => "sim heal".to_string(),
        12 => format!("redis-cli -p {p} CLUSTER FAILOVER"),
        _ => {
            let kind = rng.pick(&["FORCE", "TAKEOVER"]);
            format!("redis-cli -p {p} CLUSTER FAILOVER {kind}")
        }
    }
}

/// A random minority or majority group and the rest, as comma lists.
fn split(rng: &mut SplitMix, ports: &[u16]) -> (String, String) {
    let size = rng.range(1, ports.len() as u64 - 1) as usize;
    let mut shuffled = ports.to_vec();
    for i in (1..shuffled.len()).rev() {
        let j = rng.range(0, i as u64) as usize;
        shuffled.swap(i, j);
    }
    let (a, b) = shuffled.split_at(size);
    let list = |xs: &[u16]| {
        let mut xs = xs.to_vec();
        xs.sort_unstable();
        xs.iter().map(u16::to_string).collect::<Vec<_>>().join(",")
    };
    (list(a), list(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_are_drawn_from_their_seed_only() {
        assert_eq!(Plan::random(5), Plan::random(5));
        assert_ne!(Plan::random(5), Plan::random(6));
        for seed in 0..200 {
            let p = Plan::random(seed);
            assert!((3..=9).contains(&p.masters) && p.replicas <= 2, "{p:?}");
            assert!((2..=12).contains(&p.faults.len()));
            assert!(p.faults.iter().all(|f| f.wait_ms <= 60_000));
        }
    }

    #[test]
    fn a_plan_is_a_scenario() {
        let p = Plan::random(1);
        let text = p.to_scenario("why");
        let scenario = crate::Scenario::parse(&text);
        assert_eq!(
            scenario.steps.len(),
            1 + p.setup_lines().len() + 2 * p.faults.len() + p.settle_lines().len()
        );
        assert!(text.starts_with("# why\n# explore plan: seed 1"));
    }
}
