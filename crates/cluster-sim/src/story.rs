//! The story of a run: each state change in plain words, with the rule and the numbers behind
//! it, for learners. Redis's own log lines say *what* happened; these sentences say *why*.

use std::collections::VecDeque;

use cluster_proto::{
    CLUSTER_FAIL_REPORT_VALIDITY_MULT, ClusterState, NodeEvent, NodeFlags, NodeId, SimTime,
};

/// At most this many entries are kept; older ones are dropped (the soak stays bounded).
pub const MAX_STORY: usize = 2000;

/// How much an entry matters, so a view can show (or announce) only the big moments.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Weight {
    /// Routine detail (a handshake, a single failure report).
    Detail,
    /// A change of belief or role: PFAIL, FAIL, an election, a promotion, a process stopping.
    Major,
}

/// One sentence of the story.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoryEntry {
    /// Increases by one per entry, so a view can ask for what is new.
    pub seq: u64,
    /// When it happened.
    pub time: SimTime,
    /// The node it happened on (its client port).
    pub port: u16,
    /// What happened, in plain words, with the numbers.
    pub text: String,
    /// The rule of the protocol that made it happen (for a tooltip or a second line).
    pub rule: std::borrow::Cow<'static, str>,
    /// How much it matters.
    pub weight: Weight,
}

/// The bounded story buffer.
#[derive(Debug, Clone, Default)]
pub struct Story {
    entries: VecDeque<StoryEntry>,
    next_seq: u64,
}

impl Story {
    /// Appends an entry, dropping the oldest beyond [`MAX_STORY`].
    pub fn push(
        &mut self,
        time: SimTime,
        port: u16,
        text: String,
        rule: &'static str,
        weight: Weight,
    ) {
        self.entries.push_back(StoryEntry {
            seq: self.next_seq,
            time,
            port,
            text,
            rule: std::borrow::Cow::Borrowed(rule),
            weight,
        });
        self.next_seq += 1;
        if self.entries.len() > MAX_STORY {
            self.entries.pop_front();
        }
    }

    /// Every kept entry, oldest first.
    pub fn entries(&self) -> impl DoubleEndedIterator<Item = &StoryEntry> {
        self.entries.iter()
    }

    /// Takes every kept entry, leaving the buffer empty (sequence numbers go on). A user
    /// interface drains the story into its own history, so snapshots of the world stay small.
    pub fn drain(&mut self) -> Vec<StoryEntry> {
        self.entries.drain(..).collect()
    }

    /// The sequence number the next entry will get.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }
}

/// A node as learners know it: its port, or the start of its id while it has no address yet.
fn name(state: &ClusterState, id: &NodeId) -> String {
    match state.node(id) {
        Some(n) if n.addr.port != 0 => n.addr.port.to_string(),
        _ => id.as_str().chars().take(8).collect(),
    }
}

fn secs(ms: u64) -> String {
    format!("{:.1} s", ms as f64 / 1000.0)
}

/// Masters that serve slots: the voters whose majority decides FAIL and elections.
fn voters(state: &ClusterState) -> usize {
    state.cluster_size()
}

/// Explains `event`, which just happened on `port`, from the node's state at that moment.
/// Events that change nothing a learner needs to see return `None`.
pub fn explain(
    state: &ClusterState,
    port: u16,
    now: SimTime,
    event: &NodeEvent,
) -> Option<(String, &'static str, Weight)> {
    let nt = state.config().node_timeout;
    Some(match event {
        NodeEvent::HandshakeCompleted { id } => (
            format!(
                "{port} completed the handshake with {}: they now know each other's ids.",
                name(state, id)
            ),
            "MEET and the first PING/PONG exchange (clusterProcessPacket)",
            Weight::Detail,
        ),
        NodeEvent::PossiblyFailing { id } => {
            // clusterCron: the node delay is the smaller of the PING's wait and the time since
            // any data arrived from the node.
            let node = state.node(id);
            let ping = node.and_then(|n| n.ping_sent).map(|t| now - t);
            let data = node.and_then(|n| n.data_received).map(|t| now - t);
            let waited = match (ping, data) {
                (Some(p), Some(d)) => {
                    format!("{} ms (its PING has waited {p} ms for a PONG)", p.min(d))
                }
                (Some(p), None) => format!("{p} ms (its PING has waited that long for a PONG)"),
                _ => "too long".to_string(),
            };
            (
                format!(
                    "{port} suspects {} (PFAIL): it has heard nothing from it for {waited}, more than node-timeout {nt} ms. This is {port}'s own suspicion; every node judges for itself.",
                    name(state, id)
                ),
                "PFAIL after node-timeout without a PONG or other data (clusterCron)",
                Weight::Major,
            )
        }
        NodeEvent::FailureReported { reporter, node } => (
            format!(
                "{} told {port} in gossip that {} is not reachable: {port} stores a failure report.",
                name(state, reporter),
                name(state, node)
            ),
            "gossip of a PFAIL flag from a master adds a failure report",
            Weight::Detail,
        ),
        NodeEvent::BackOnline { reporter, node } => (
            format!(
                "{} told {port} that {} is reachable again: its failure report is removed.",
                name(state, reporter),
                name(state, node)
            ),
            "gossip without PFAIL/FAIL removes the sender's failure report",
            Weight::Detail,
        ),
        NodeEvent::MarkedFailing { id } => {
            let max_age = nt * CLUSTER_FAIL_REPORT_VALIDITY_MULT;
            let reports: Vec<String> = state
                .node(id)
                .map(|n| {
                    n.fail_reports
                        .iter()
                        .filter(|r| now - r.time <= max_age)
                        .map(|r| {
                            format!("{} ({} old)", name(state, &r.reporter), secs(now - r.time))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let size = voters(state);
            let total = reports.len() + usize::from(state.myself().is_master());
            let from = if reports.is_empty() {
                "no other master".to_string()
            } else {
                reports.join(", ")
            };
            let plus = if state.myself().is_master() {
                " plus itself"
            } else {
                ""
            };
            (
                format!(
                    "{port} marks {} as FAIL: failure reports from {from}{plus} make {total}; the quorum of {size} masters is {}. {port} broadcasts FAIL to everyone.",
                    name(state, id),
                    size / 2 + 1
                ),
                "FAIL needs failure reports from a majority of masters, each younger than 2 × node-timeout",
                Weight::Major,
            )
        }
        NodeEvent::FailMessageReceived { sender, failed } => (
            format!(
                "{port} marks {} as FAIL because {} broadcast a FAIL message: FAIL is agreed, not local.",
                name(state, failed),
                name(state, sender)
            ),
            "a FAIL message is accepted without counting reports",
            Weight::Major,
        ),
        NodeEvent::FailCleared { id, why } => (
            format!("{port} clears the FAIL flag of {}: {why}", name(state, id)),
            "FAIL is cleared when the node is reachable again (clearNodeFailureIfNeeded)",
            Weight::Major,
        ),
        NodeEvent::StateChanged { ok: true } => (
            if state.config().require_full_coverage {
                format!(
                    "{port} now sees the cluster as ok: every slot is served and a majority of masters is reachable."
                )
            } else {
                format!(
                    "{port} now sees the cluster as ok: a majority of masters is reachable (cluster-require-full-coverage is no)."
                )
            },
            "cluster_state ok: full coverage and a majority of masters (clusterUpdateState)",
            Weight::Major,
        ),
        NodeEvent::StateChanged { ok: false } => {
            let size = voters(state);
            let reachable = state
                .nodes()
                .iter()
                .filter(|n| n.is_master() && !n.slots.is_empty() && !n.is_failing())
                .count();
            let uncovered = state
                .nodes()
                .iter()
                .filter(|n| !n.flags.contains(NodeFlags::FAIL))
                .map(|n| n.slots.len())
                .sum::<usize>();
            let why = if reachable < size / 2 + 1 {
                format!(
                    "it reaches only {reachable} of {size} masters, fewer than the majority of {}",
                    size / 2 + 1
                )
            } else {
                format!("only {uncovered} of 16384 slots have an owner that is not FAIL")
            };
            (
                format!("{port} now sees the cluster as fail and refuses queries: {why}."),
                "cluster_state fail: a slot without a live owner, or a minority partition",
                Weight::Major,
            )
        }
        NodeEvent::ElectionDelayed {
            delay,
            rank,
            offset,
        } => (
            format!(
                "{port} will ask for votes in {delay} ms: 500 ms fixed, plus up to 500 ms at random, plus 1000 ms × rank {rank} (its replication offset is {offset}; the replica with the greatest offset has rank 0 and goes first)."
            ),
            "election delay = 500 + random(0..500) + 1000 × rank",
            Weight::Major,
        ),
        NodeEvent::RankUpdated { rank, added } => (
            format!(
                "{port} learned that another replica has more data: its rank is now {rank}, so it waits {added} ms more."
            ),
            "the rank is re-checked while waiting",
            Weight::Detail,
        ),
        NodeEvent::ElectionStarted { epoch } => (
            format!(
                "{port} starts an election: it raises currentEpoch to {epoch} and asks every master for its vote (FAILOVER_AUTH_REQUEST); it needs {} of {} masters.",
                voters(state) / 2 + 1,
                voters(state)
            ),
            "a replica of a FAIL master starts an election in a new epoch",
            Weight::Major,
        ),
        NodeEvent::AuthGranted { candidate, epoch } => (
            format!(
                "{port} votes for {} in epoch {epoch} (FAILOVER_AUTH_ACK). It will not vote again for a replica of that master for {} ms.",
                name(state, candidate),
                nt * 2
            ),
            "one vote per epoch; the candidate's master must be FAIL",
            Weight::Major,
        ),
        NodeEvent::AuthDenied { candidate, why } => (
            format!(
                "{port} refuses to vote for {}: {why}",
                name(state, candidate)
            ),
            "vote refused (clusterSendFailoverAuthIfNeeded)",
            Weight::Major,
        ),
        NodeEvent::CantFailover { reason } => (
            format!("{port} cannot fail over: {}", reason.text()),
            "clusterLogCantFailover",
            Weight::Detail,
        ),
        NodeEvent::ElectionWon => {
            let e = state.election();
            (
                format!(
                    "{port} won the election with {} votes of the {} needed: it becomes master.",
                    e.auth_count,
                    voters(state) / 2 + 1
                ),
                "a majority of masters voted in this epoch",
                Weight::Major,
            )
        }
        NodeEvent::ConfigEpochAfterFailover { epoch } => (
            format!(
                "{port} takes configEpoch {epoch}, greater than its old master's, so its claim on the slots wins over the old one; its PONG tells everyone."
            ),
            "the winner's configEpoch is the election's epoch",
            Weight::Major,
        ),
        NodeEvent::ReconfiguredAsReplica { master } => (
            format!(
                "{port} learned that {} now owns its slots with a greater configEpoch: it becomes a replica of {}.",
                name(state, master),
                name(state, master)
            ),
            "the greater configEpoch wins a slot; a master that lost all its slots follows the new owner",
            Weight::Major,
        ),
        NodeEvent::SubReplica { grandmaster } => (
            format!(
                "{port}'s master became a replica of {}: {port} follows {} directly, since Redis has no chained replicas in a cluster.",
                name(state, grandmaster),
                name(state, grandmaster)
            ),
            "a replica of a replica re-attaches to the grandmaster",
            Weight::Major,
        ),
        NodeEvent::ConfigEpochCollision { other, epoch } => (
            format!(
                "{port} had the same configEpoch as {} and the smaller id: it moves to configEpoch {epoch}.",
                name(state, other)
            ),
            "configEpoch collision handling",
            Weight::Detail,
        ),
        NodeEvent::SendingUpdate { sender, owner } => (
            format!(
                "{} still claims slots that {} owns with a greater configEpoch: {port} sends it an UPDATE.",
                name(state, sender),
                name(state, owner)
            ),
            "UPDATE messages correct stale slot claims",
            Weight::Detail,
        ),
        NodeEvent::ManualFailoverAccepted => (
            format!(
                "{port} starts a manual failover: it asks its master to pause writes (MFSTART) so it can take over without losing any."
            ),
            "CLUSTER FAILOVER: coordinated with the master",
            Weight::Major,
        ),
        NodeEvent::ForcedFailoverAccepted => (
            format!(
                "{port} starts a forced failover: an election right now, without its master's help (FORCE)."
            ),
            "CLUSTER FAILOVER FORCE: no master coordination, still an election",
            Weight::Major,
        ),
        NodeEvent::TakeoverAccepted => (
            format!(
                "{port} takes over without an election: it gives itself a new configEpoch with no consensus (TAKEOVER)."
            ),
            "CLUSTER FAILOVER TAKEOVER: no master, no votes",
            Weight::Major,
        ),
        NodeEvent::ManualFailoverRequested { replica } => (
            format!(
                "{port} pauses its clients' writes for {}'s manual failover and sends it its final replication offset ({}).",
                name(state, replica),
                state.myself().repl_offset
            ),
            "MFSTART: the master pauses writes for up to 10 s",
            Weight::Major,
        ),
        NodeEvent::MfMasterOffset { offset } => (
            format!(
                "{port} received its paused master's final offset {offset}; it waits until it has processed that much."
            ),
            "manual failover: wait for the replication stream",
            Weight::Detail,
        ),
        NodeEvent::MfCanStart => (
            format!(
                "{port} has processed its master's whole stream: the election can start, and no acknowledged write can be lost."
            ),
            "manual failover: offsets match",
            Weight::Major,
        ),
        NodeEvent::MfTimedOut => (
            format!("{port}'s manual failover did not finish within 5 s and is abandoned."),
            "CLUSTER_MF_TIMEOUT",
            Weight::Major,
        ),
        NodeEvent::MigratingToOrphan { master } => (
            format!(
                "{port} migrates to {}, a master left without a working replica: its own master keeps more than cluster-migration-barrier replicas without it.",
                name(state, master)
            ),
            "replica migration: the replica of the best-covered master with the smallest id moves after 5 s",
            Weight::Major,
        ),
        _ => return None,
    })
}
