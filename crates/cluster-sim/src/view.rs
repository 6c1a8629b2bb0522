//! Plain data about the world for user interfaces: who runs, who is what, who believes what.

use cluster_proto::{ClusterNode, NodeFlags, SimTime};

use crate::world::Simulator;

/// What one observer believes about another node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Belief {
    /// Reachable as far as the observer knows.
    Ok,
    /// Suspected by the observer alone (`fail?`).
    PFail,
    /// Agreed failed (`fail`).
    Fail,
    /// Still in handshake, or not known at all.
    Unknown,
}

/// One running or stopped server.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NodeView {
    /// Client port.
    pub port: u16,
    /// Whether the process runs.
    pub running: bool,
    /// Whether it is stopped by `sim pause`.
    pub paused: bool,
    /// `master` or `slave`, as the node itself says.
    pub role: std::borrow::Cow<'static, str>,
    /// The port of its master, if it replicates one.
    pub master_port: Option<u16>,
    /// Its slots as CLUSTER NODES prints them.
    pub slots: String,
    /// Its own configEpoch.
    pub config_epoch: u64,
    /// Its currentEpoch.
    pub current_epoch: u64,
    /// Whether it considers the cluster ok.
    pub cluster_ok: bool,
}

/// One cell of the belief matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BeliefCell {
    /// The observer.
    pub observer: u16,
    /// The node observed.
    pub target: u16,
    /// What the observer believes.
    pub belief: Belief,
    /// Failure reports the observer holds about the target.
    pub reports: usize,
}

/// A snapshot of the world for drawing.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClusterView {
    /// The virtual time of the snapshot.
    pub now: SimTime,
    /// Every cluster node that ever ran, by port.
    pub nodes: Vec<NodeView>,
    /// What each running node believes about every other, observer-major.
    pub beliefs: Vec<BeliefCell>,
    /// Pairs of nodes (smaller port first) with an established bus connection either way.
    pub links: Vec<(u16, u16)>,
    /// Directed pairs `(from, to)` of cluster nodes whose packets the network drops
    /// (partitions and one-way cuts).
    pub cuts: Vec<(u16, u16)>,
    /// How many pairs `links` names, or would name: a condensed view
    /// ([`BeliefDetail::WorstPerTarget`]) lists none past [`MAX_LISTED_LINES`].
    pub link_count: usize,
    /// How many pairs `cuts` names, or would name (as `link_count`).
    pub cut_count: usize,
}

/// The most bus links, and the most cut paths, a condensed view lists: a full mesh of 64
/// nodes. Past it a drawing would only grey out, and a view of 1,000 nodes would list and
/// sort half a million links, so they are only counted.
pub const MAX_LISTED_LINES: usize = 2016;

/// How much of the belief matrix a [`ClusterView`] carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BeliefDetail {
    /// What each running node believes about every other: a cell per pair.
    Full,
    /// One cell per node: the worst belief any observer holds about it (`fail` over `fail?`
    /// over ok, first such observer), with the most failure reports any observer holds. What
    /// a drawing of a big world shows, for the cost of a scan and not a million cells. Links
    /// and cuts are listed only up to [`MAX_LISTED_LINES`] of each, and counted past it.
    WorstPerTarget,
}

impl Simulator {
    /// A snapshot for user interfaces, with every cell of the belief matrix.
    pub fn view(&self) -> ClusterView {
        self.view_with(BeliefDetail::Full)
    }

    /// A snapshot for user interfaces, with the belief matrix in `detail`.
    pub fn view_with(&self, detail: BeliefDetail) -> ClusterView {
        let mut nodes = Vec::new();
        let mut beliefs = Vec::new();
        let cluster_hosts: Vec<(u16, &crate::Host)> =
            self.hosts().filter(|(_, h)| h.cluster.is_some()).collect();
        // Each cluster host's place in `cluster_hosts`, by port: an observer's records are
        // matched to targets by an array look-up, not a map (a view of 1,000 nodes reads a
        // million records).
        let mut place = vec![u32::MAX; usize::from(u16::MAX) + 1];
        for (i, &(port, _)) in cluster_hosts.iter().enumerate() {
            place[usize::from(port)] = i as u32;
        }
        let mut known: Vec<Option<&ClusterNode>> = vec![None; cluster_hosts.len()];
        let mut worst: Vec<Option<BeliefCell>> = vec![None; cluster_hosts.len()];
        let now = self.now();
        for &(port, host) in &cluster_hosts {
            let Some(state) = host.cluster.as_ref() else {
                continue;
            };
            let me = state.myself();
            nodes.push(NodeView {
                port,
                running: host.is_running(),
                paused: host.paused_until.is_some(),
                role: if me.is_replica() { "slave" } else { "master" }.into(),
                master_port: me
                    .replica_of
                    .and_then(|m| state.node(&m))
                    .map(|m| m.addr.port),
                slots: me.slots.ranges_text(),
                config_epoch: me.config_epoch,
                current_epoch: state.current_epoch(),
                cluster_ok: state.health() == cluster_proto::ClusterHealth::Ok,
            });
            if !host.is_running() {
                continue;
            }
            // The observer's record for each target: the first with its port, as a scan in
            // table order would find it.
            known.fill(None);
            for n in state.nodes().iter().filter(|n| !n.in_handshake()) {
                let i = place[usize::from(n.addr.port)];
                if i != u32::MAX && known[i as usize].is_none() {
                    known[i as usize] = Some(n);
                }
            }
            // Only reports still valid (2 × node timeout) count, as Redis counts them.
            let max_age =
                state.config().node_timeout * cluster_proto::CLUSTER_FAIL_REPORT_VALIDITY_MULT;
            let valid = |n: &ClusterNode| {
                n.fail_reports
                    .iter()
                    .filter(|r| now - r.time <= max_age)
                    .count()
            };
            for (i, &(target, _)) in cluster_hosts.iter().enumerate() {
                if target == port {
                    continue;
                }
                let (belief, reports) = match known[i] {
                    None => (Belief::Unknown, 0),
                    Some(n) if n.flags.contains(NodeFlags::FAIL) => (Belief::Fail, valid(n)),
                    Some(n) if n.flags.contains(NodeFlags::PFAIL) => (Belief::PFail, valid(n)),
                    Some(n) => (Belief::Ok, valid(n)),
                };
                let cell = BeliefCell {
                    observer: port,
                    target,
                    belief,
                    reports,
                };
                match detail {
                    BeliefDetail::Full => beliefs.push(cell),
                    BeliefDetail::WorstPerTarget => {
                        let w = worst[i].get_or_insert(BeliefCell {
                            belief: Belief::Ok,
                            reports: 0,
                            ..cell
                        });
                        if severity(cell.belief) > severity(w.belief) {
                            w.observer = cell.observer;
                            w.belief = cell.belief;
                        }
                        w.reports = w.reports.max(cell.reports);
                    }
                }
            }
        }
        if detail == BeliefDetail::WorstPerTarget {
            beliefs = worst.into_iter().flatten().collect();
        }
        let listed = |count: usize| detail == BeliefDetail::Full || count <= MAX_LISTED_LINES;
        // Pairs already counted, as bits by place: each link is counted once however many
        // connections join its two nodes, without sorting a million of them first.
        let n = cluster_hosts.len();
        let mut linked = vec![0u64; (n * n).div_ceil(64)];
        let mut links: Vec<(u16, u16)> = Vec::new();
        let mut stray: Vec<(u16, u16)> = Vec::new();
        let mut link_count = 0;
        for c in self.network().connections() {
            if c.state != crate::ConnState::Established {
                continue;
            }
            let (a, b) = (c.initiator.port, c.target);
            let (a, b) = (a.min(b), a.max(b));
            let (pa, pb) = (place[usize::from(a)], place[usize::from(b)]);
            if pa != u32::MAX && pb != u32::MAX {
                let bit = pa as usize * n + pb as usize;
                if linked[bit / 64] & (1 << (bit % 64)) != 0 {
                    continue;
                }
                linked[bit / 64] |= 1 << (bit % 64);
            } else if stray.contains(&(a, b)) {
                // A port no cluster node holds: rare, so a plain search will do.
                continue;
            } else {
                stray.push((a, b));
            }
            link_count += 1;
            if listed(link_count) {
                links.push((a, b));
            }
        }
        if listed(link_count) {
            links.sort_unstable();
        } else {
            links = Vec::new();
        }
        let ports: Vec<u16> = cluster_hosts.iter().map(|&(p, _)| p).collect();
        let mut cuts = Vec::new();
        let mut cut_count = 0;
        self.network().for_each_unreachable(&ports, |a, b| {
            cut_count += 1;
            if listed(cut_count) {
                cuts.push((a, b));
            }
        });
        if !listed(cut_count) {
            cuts = Vec::new();
        }
        ClusterView {
            now: self.now(),
            nodes,
            beliefs,
            links,
            cuts,
            link_count,
            cut_count,
        }
    }
}

/// How bad a belief is, for [`BeliefDetail::WorstPerTarget`]: an unknown node counts as ok.
fn severity(belief: Belief) -> u8 {
    match belief {
        Belief::Fail => 2,
        Belief::PFail => 1,
        Belief::Ok | Belief::Unknown => 0,
    }
}

/// A run of consecutive slots with one owner, as one node sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SlotRun {
    /// First slot.
    pub start: u16,
    /// Last slot (inclusive).
    pub end: u16,
    /// The owner's client port, or `None` if no node serves these slots in this view.
    pub owner: Option<u16>,
}

impl Simulator {
    /// Who owns each of the 16384 slots according to `observer`, as runs in slot order; `None`
    /// if no cluster node has run on that port.
    pub fn slot_map(&self, observer: u16) -> Option<Vec<SlotRun>> {
        let state = self.host(observer)?.cluster.as_ref()?;
        let owners = state
            .slot_owners()
            .into_iter()
            .map(|o| o.map(|i| state.nodes()[i].addr.port));
        let mut runs: Vec<SlotRun> = Vec::new();
        for (slot, owner) in owners.enumerate() {
            let slot = slot as u16;
            match runs.last_mut() {
                Some(r) if r.owner == owner => r.end = slot,
                _ => runs.push(SlotRun {
                    start: slot,
                    end: slot,
                    owner,
                }),
            }
        }
        Some(runs)
    }
}

/// Nodes that were replicas in `before` and are masters in `after` (a failover's winner, as a
/// page embedding the playground is told).
pub fn promoted(before: &[NodeView], after: &[NodeView]) -> Vec<u16> {
    // By port, so that a thousand nodes cost a thousand look-ups, not a million comparisons.
    let replicas: std::collections::BTreeSet<u16> = before
        .iter()
        .filter(|b| b.role == "slave")
        .map(|b| b.port)
        .collect();
    after
        .iter()
        .filter(|n| n.running && n.role == "master" && replicas.contains(&n.port))
        .map(|n| n.port)
        .collect()
}

#[cfg(test)]
mod promoted_tests {
    use super::*;

    fn node(port: u16, role: &'static str) -> NodeView {
        NodeView {
            port,
            running: true,
            paused: false,
            role: role.into(),
            master_port: None,
            slots: String::new(),
            config_epoch: 0,
            current_epoch: 0,
            cluster_ok: true,
        }
    }

    #[test]
    fn a_replica_that_became_a_master_is_promoted() {
        let before = [node(7000, "master"), node(7003, "slave")];
        let after = [
            node(7000, "slave"),
            node(7003, "master"),
            node(7004, "master"),
        ];
        assert_eq!(promoted(&before, &after), vec![7003]);
        assert!(promoted(&after, &after).is_empty());
    }
}
