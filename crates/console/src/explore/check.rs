//! The invariants the explorer checks: while a run goes on, from every node's events and
//! epochs; after it has healed and settled, from every node's view of the cluster and from the
//! lost-write ledger.

use std::collections::{BTreeMap, BTreeSet};

use cluster_proto::{ClusterHealth, NodeEvent, NodeId, SimTime, key_hash_slot};
use cluster_sim::{Simulator, TraceEvent};

/// What kind of rule was broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// Two nodes won an election in the same epoch.
    OneWinnerPerEpoch,
    /// A voter voted twice in one epoch.
    OneVotePerEpoch,
    /// A node's currentEpoch fell below a configEpoch it knows.
    CurrentEpochCoversConfigEpochs,
    /// A replica won an election it did not start: Redis 7.0 keeps the vote count of an
    /// earlier election (the stale-vote failover).
    StaleVoteWin,
    /// After settling, nodes disagree on a slot's owner.
    SlotOwnersAgree,
    /// After settling, nodes disagree on a master's configEpoch.
    ConfigEpochsAgree,
    /// After settling, two masters share a configEpoch.
    ConfigEpochsUnique,
    /// After settling, a replica follows a master that is down or not a master.
    ReplicasFollowLiveMasters,
    /// After settling, a node says `cluster_state:fail` though every master runs.
    ClusterStateOk,
    /// An acknowledged write is missing and the ledger does not say why.
    LostWritesExplained,
    /// The world livelocked: one virtual millisecond ran without end.
    Progress,
}

impl Rule {
    /// A short name, for reports and file names.
    pub fn name(self) -> &'static str {
        match self {
            Rule::OneWinnerPerEpoch => "one-winner-per-epoch",
            Rule::OneVotePerEpoch => "one-vote-per-epoch",
            Rule::CurrentEpochCoversConfigEpochs => "current-epoch-covers-config-epochs",
            Rule::StaleVoteWin => "stale-vote-win",
            Rule::SlotOwnersAgree => "slot-owners-agree",
            Rule::ConfigEpochsAgree => "config-epochs-agree",
            Rule::ConfigEpochsUnique => "config-epochs-unique",
            Rule::ReplicasFollowLiveMasters => "replicas-follow-live-masters",
            Rule::ClusterStateOk => "cluster-state-ok",
            Rule::LostWritesExplained => "lost-writes-explained",
            Rule::Progress => "progress",
        }
    }
}

/// A broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// When it was seen.
    pub time: SimTime,
    /// The rule.
    pub rule: Rule,
    /// What was seen, with ports and numbers.
    pub text: String,
    /// `Some(why)` when Redis 7.0 itself does this (documented in the reference), so it is not
    /// a bug of the simulator.
    pub redis_behaviour: Option<&'static str>,
}

impl Finding {
    /// When it was seen, as Redis's logs print time.
    pub fn at(&self) -> String {
        cluster_sim::log_timestamp(self.time)
    }
}

/// Why a stale-vote win is Redis's behaviour, not ours.
pub const STALE_VOTE: &str = "Redis 7.0 keeps a demoted winner's vote count until its next election is set up, so a FORCE failover soon after can 'win' without votes (reference: redis-7.0-behaviour.md, stale-vote failover)";

/// Why an election may have two winners after a TAKEOVER.
pub const TAKEOVER: &str = "CLUSTER FAILOVER TAKEOVER takes a master's slots without agreement (documented as unsafe): during a partition the two sides then count different masters, and each can find its own majority for the same epoch";

/// Follows a run's events.
#[derive(Debug, Default)]
pub struct Checker {
    /// The winner of each epoch's election.
    winners: BTreeMap<u64, u16>,
    /// Epochs taken by TAKEOVER (no election).
    takeovers: BTreeSet<u64>,
    /// Each voter's vote per epoch.
    votes: BTreeMap<(u16, u64), NodeId>,
    /// The epoch of each node's latest election.
    started: BTreeMap<u16, u64>,
    /// Elections already won, by (node, epoch).
    won: BTreeSet<(u16, u64)>,
    /// Nodes that accepted a TAKEOVER and have not bumped their epoch yet.
    taking_over: BTreeSet<u16>,
    /// Whether a stale-vote win happened: later disagreements may follow from it.
    pub stale_vote_seen: bool,
    /// What broke.
    pub findings: Vec<Finding>,
    /// Elections started.
    pub elections: u64,
    /// Elections won.
    pub wins: u64,
    /// Votes granted.
    pub votes_granted: u64,
}

impl Checker {
    fn find(&mut self, time: SimTime, rule: Rule, text: String, why: Option<&'static str>) {
        self.findings.push(Finding {
            time,
            rule,
            text,
            redis_behaviour: why,
        });
    }

    /// A win counted from votes for an older election: Redis 7.0's stale-vote behaviour.
    fn stale_vote_win(&mut self, time: SimTime, text: String) {
        self.stale_vote_seen = true;
        self.find(time, Rule::StaleVoteWin, text, Some(STALE_VOTE));
    }

    /// Reports a livelock of the world, once.
    fn check_progress(&mut self, sim: &Simulator) {
        if let Some(at) = sim.stalled()
            && !self.findings.iter().any(|f| f.rule == Rule::Progress)
        {
            self.find(
                at,
                Rule::Progress,
                format!(
                    "more than {} events ran in one virtual millisecond (a livelock)",
                    cluster_sim::MAX_EVENTS_PER_MS
                ),
                None,
            );
        }
    }

    /// Takes the events traced since the last call.
    pub fn observe(&mut self, events: &[TraceEvent]) {
        for e in events {
            let (t, p) = (e.time, e.port);
            match &e.event {
                NodeEvent::ElectionStarted { epoch } => {
                    self.started.insert(p, *epoch);
                    self.elections += 1;
                }
                NodeEvent::AuthGranted { candidate, epoch } => {
                    self.votes_granted += 1;
                    if let Some(before) = self.votes.insert((p, *epoch), *candidate)
                        && &before != candidate
                    {
                        self.find(
                            t,
                            Rule::OneVotePerEpoch,
                            format!(
                                "{p} voted in epoch {epoch} for {} and then for {}",
                                short(&before),
                                short(candidate)
                            ),
                            None,
                        );
                    }
                }
                NodeEvent::ElectionWon => {
                    self.wins += 1;
                    let Some(&epoch) = self.started.get(&p) else {
                        self.stale_vote_win(
                            t,
                            format!("{p} won an election without having started one"),
                        );
                        continue;
                    };
                    if !self.won.insert((p, epoch)) {
                        self.stale_vote_win(
                            t,
                            format!("{p} won epoch {epoch}'s election a second time"),
                        );
                        continue;
                    }
                    match self.winners.insert(epoch, p) {
                        Some(other) if other != p => {
                            // After a TAKEOVER, sides of a partition can count different masters
                            // (the old one on one side, the new one on the other): each side
                            // then finds its own majority.
                            let why = (!self.takeovers.is_empty() || !self.taking_over.is_empty())
                                .then_some(TAKEOVER);
                            self.find(
                                t,
                                Rule::OneWinnerPerEpoch,
                                format!("{other} and {p} both won an election in epoch {epoch}"),
                                why,
                            );
                        }
                        _ => {}
                    }
                }
                NodeEvent::TakeoverAccepted => {
                    self.taking_over.insert(p);
                }
                NodeEvent::EpochBumped { epoch } if self.taking_over.remove(&p) => {
                    self.takeovers.insert(*epoch);
                }
                _ => {}
            }
        }
    }

    /// Checks every running node's epochs: its currentEpoch is at least its own configEpoch and
    /// every configEpoch it knows.
    pub fn sample(&mut self, sim: &Simulator) {
        self.check_progress(sim);
        let now = sim.now();
        let mut found = Vec::new();
        for (port, host) in sim.hosts() {
            let Some(state) = host.cluster.as_ref().filter(|_| host.is_running()) else {
                continue;
            };
            let current = state.current_epoch();
            if let Some(n) = state.nodes().iter().find(|n| n.config_epoch > current) {
                found.push(format!(
                    "{port} has currentEpoch {current} but knows configEpoch {} of {}",
                    n.config_epoch,
                    name(n.addr.port, &n.id)
                ));
            }
        }
        for text in found {
            self.find(now, Rule::CurrentEpochCoversConfigEpochs, text, None);
        }
    }

    /// The checks after healing and settling, with every server started again.
    pub fn settled(&mut self, sim: &Simulator) {
        let now = sim.now();
        let why = self.stale_vote_seen.then_some(STALE_VOTE);
        let running: Vec<(u16, &cluster_proto::ClusterState)> = sim
            .hosts()
            .filter(|(_, h)| h.is_running())
            .filter_map(|(p, h)| Some((p, h.cluster.as_ref()?)))
            .collect();
        let mut found: Vec<(Rule, String)> = Vec::new();
        // Who each node is, by id, from its own view.
        let by_id: BTreeMap<&NodeId, (u16, &cluster_proto::ClusterState)> = running
            .iter()
            .map(|&(p, s)| (&s.myself().id, (p, s)))
            .collect();

        // Slot owners and masters' configEpochs, as each node sees them, against the first.
        let view = |s: &cluster_proto::ClusterState| {
            let owners: Vec<Option<NodeId>> = s
                .slot_owners()
                .into_iter()
                .map(|o| o.map(|i| s.nodes()[i].id))
                .collect();
            owners
        };
        if let Some(&(p0, s0)) = running.first() {
            let reference = view(s0);
            for &(p, s) in &running[1..] {
                let v = view(s);
                if let Some(slot) = (0..v.len()).find(|&i| v[i] != reference[i]) {
                    found.push((
                        Rule::SlotOwnersAgree,
                        format!(
                            "slot {slot}: {p0} says {}, {p} says {}",
                            owner_name(&by_id, reference[slot].as_ref()),
                            owner_name(&by_id, v[slot].as_ref())
                        ),
                    ));
                }
            }
        }
        for &(p, s) in &running {
            for n in s.nodes().iter().filter(|n| n.is_master() && !n.is_myself()) {
                if let Some(&(mp, ms)) = by_id.get(&n.id)
                    && ms.myself().is_master()
                    && ms.my_epoch() != n.config_epoch
                {
                    found.push((
                        Rule::ConfigEpochsAgree,
                        format!(
                            "{p} thinks master {mp} has configEpoch {}; {mp} has {}",
                            n.config_epoch,
                            ms.my_epoch()
                        ),
                    ));
                }
            }
        }
        let mut epochs: BTreeMap<u64, u16> = BTreeMap::new();
        for &(p, s) in running.iter().filter(|(_, s)| s.myself().is_master()) {
            if let Some(other) = epochs.insert(s.my_epoch(), p) {
                found.push((
                    Rule::ConfigEpochsUnique,
                    format!(
                        "masters {other} and {p} both have configEpoch {}",
                        s.my_epoch()
                    ),
                ));
            }
        }
        for &(p, s) in &running {
            let Some(master) = s.myself().replica_of else {
                continue;
            };
            let alive = by_id
                .get(&master)
                .is_some_and(|(_, ms)| ms.myself().is_master());
            if !alive {
                found.push((
                    Rule::ReplicasFollowLiveMasters,
                    format!(
                        "replica {p} follows {}, which is not a running master",
                        owner_name(&by_id, Some(&master))
                    ),
                ));
            }
        }
        // Every server runs again, so every master survived: every node must say ok.
        for &(p, s) in &running {
            if s.health() != ClusterHealth::Ok {
                found.push((Rule::ClusterStateOk, format!("{p} says cluster_state:fail")));
            }
        }
        found.extend(check_writes(sim));
        for (rule, text) in found {
            self.find(now, rule, text, why);
        }
    }

    /// Findings that are not Redis's own behaviour.
    pub fn violations(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.redis_behaviour.is_none())
    }
}

/// Every acknowledged write the ledger does not call lost is on the master serving its slot.
/// (Keys of slots a master does not serve are not checked: Redis 7.0 keeps them too, e.g. when
/// a replica is promoted before its first sync with a master it had just migrated to.)
fn check_writes(sim: &Simulator) -> Vec<(Rule, String)> {
    let now = sim.now();
    let mut found = Vec::new();
    // The slot's server: the running master claiming it.
    let mut owners: BTreeMap<u16, u16> = BTreeMap::new();
    for (port, host) in sim.hosts() {
        let Some(s) = host.cluster.as_ref().filter(|_| host.is_running()) else {
            continue;
        };
        if s.myself().is_master() {
            for (a, b) in s.myself().slots.ranges() {
                for slot in a..=b {
                    owners.insert(slot, port);
                }
            }
        }
    }
    for w in sim.ledger().acked() {
        let Some(rest) = w.command.strip_prefix("SET ") else {
            continue;
        };
        let Some((key, value)) = rest.split_once(' ') else {
            continue;
        };
        let slot = key_hash_slot(key.as_bytes());
        let Some(&owner) = owners.get(&slot) else {
            continue;
        };
        let stored = sim.db(owner).and_then(|db| db.get(key.as_bytes(), now));
        if stored != Some(&cluster_sim::Value::Str(value.as_bytes().to_vec())) {
            found.push((
                Rule::LostWritesExplained,
                format!(
                    "{} acknowledged by {} at {} is missing on {owner} (slot {slot}) and the ledger does not say why",
                    w.command,
                    w.port,
                    cluster_sim::log_timestamp(w.time)
                ),
            ));
            break; // one is enough to fail the run; the first is the clearest
        }
    }
    found
}

fn short(id: &NodeId) -> String {
    id.as_str().chars().take(8).collect()
}

fn name(port: u16, id: &NodeId) -> String {
    if port == 0 {
        short(id)
    } else {
        port.to_string()
    }
}

fn owner_name(
    by_id: &BTreeMap<&NodeId, (u16, &cluster_proto::ClusterState)>,
    id: Option<&NodeId>,
) -> String {
    match id {
        None => "no owner".to_string(),
        Some(id) => by_id
            .get(id)
            .map_or_else(|| short(id), |(p, _)| p.to_string()),
    }
}
