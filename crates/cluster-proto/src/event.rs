//! Things a node wants the world to know, rendered as Redis's own log lines.

use std::fmt;
use std::net::IpAddr;

use crate::ids::{Epoch, NodeId};

/// Log level, printed as Redis prints it after the timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// `.`
    Debug,
    /// `-`
    Verbose,
    /// `*`
    Notice,
    /// `#`
    Warning,
}

impl LogLevel {
    /// The marker character Redis writes for this level.
    pub fn marker(self) -> char {
        match self {
            LogLevel::Debug => '.',
            LogLevel::Verbose => '-',
            LogLevel::Notice => '*',
            LogLevel::Warning => '#',
        }
    }

    /// Parses a `loglevel` setting.
    pub fn from_config(name: &str) -> Option<LogLevel> {
        match name.to_ascii_lowercase().as_str() {
            "debug" => Some(LogLevel::Debug),
            "verbose" => Some(LogLevel::Verbose),
            "notice" => Some(LogLevel::Notice),
            "warning" => Some(LogLevel::Warning),
            _ => None,
        }
    }
}

/// Why a replica whose master failed is not (yet) failing over (`cant_failover_reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CantFailoverReason {
    /// Nothing to explain.
    #[default]
    None,
    /// Its data is too old (`cluster-replica-validity-factor`).
    DataAge,
    /// The election delay has not passed yet.
    WaitingDelay,
    /// The election ran out of time.
    Expired,
    /// Not enough votes yet.
    WaitingVotes,
}

impl CantFailoverReason {
    /// Redis's wording.
    pub fn text(self) -> &'static str {
        match self {
            CantFailoverReason::None => "Unknown reason code.",
            CantFailoverReason::DataAge => {
                "Disconnected from master for longer than allowed. Please check the 'cluster-replica-validity-factor' configuration option."
            }
            CantFailoverReason::WaitingDelay => {
                "Waiting the delay before I can start a new failover."
            }
            CantFailoverReason::Expired => "Failover attempt expired.",
            CantFailoverReason::WaitingVotes => {
                "Waiting for votes, but majority still not reached."
            }
        }
    }
}

/// An observable event of a node. Its `Display` is the message of the log line Redis writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeEvent {
    /// Started with no `nodes.conf`: a fresh identity was made.
    ConfigCreated {
        /// The new id.
        myself: NodeId,
    },
    /// Restarted from its `nodes.conf`.
    ConfigLoaded {
        /// The kept id.
        myself: NodeId,
    },
    /// `clusterUpdateState` switched the cluster state.
    StateChanged {
        /// The new state.
        ok: bool,
    },
    /// The node learned its own IP from a peer's connection.
    MyIpUpdated {
        /// The address.
        ip: IpAddr,
    },
    /// A handshake node got its real id.
    HandshakeCompleted {
        /// The real id.
        id: NodeId,
    },
    /// No PONG for longer than the node timeout: PFAIL.
    PossiblyFailing {
        /// The suspected node.
        id: NodeId,
    },
    /// A master's gossip says `node` is PFAIL or FAIL.
    FailureReported {
        /// The reporting master.
        reporter: NodeId,
        /// The node reported.
        node: NodeId,
    },
    /// A master's gossip no longer says `node` is failing.
    BackOnline {
        /// The reporting master.
        reporter: NodeId,
        /// The node reported.
        node: NodeId,
    },
    /// Enough masters agree: PFAIL became FAIL here.
    MarkedFailing {
        /// The failed node.
        id: NodeId,
    },
    /// Another node's FAIL broadcast arrived.
    FailMessageReceived {
        /// Who sent it.
        sender: NodeId,
        /// The failed node.
        failed: NodeId,
    },
    /// A FAIL flag was cleared.
    FailCleared {
        /// The node.
        id: NodeId,
        /// Redis's reason text.
        why: &'static str,
    },
    /// A peer claims slots with an old configEpoch; we tell it.
    SendingUpdate {
        /// The stale peer.
        sender: NodeId,
        /// The node that really owns the slots.
        owner: NodeId,
    },
    /// Two masters had the same configEpoch; this one moved.
    ConfigEpochCollision {
        /// The other master.
        other: NodeId,
        /// My new configEpoch.
        epoch: Epoch,
    },
    /// CLUSTER SET-CONFIG-EPOCH set my configEpoch.
    ConfigEpochSet {
        /// The epoch.
        epoch: Epoch,
    },
    /// CLUSTER BUMPEPOCH (or a takeover) raised my configEpoch without a vote.
    EpochBumped {
        /// The new epoch.
        epoch: Epoch,
    },
    /// CLUSTER RESET HARD zeroed my configEpoch.
    ConfigEpochReset,
    /// CLUSTER RESET HARD gave me a new id.
    HardReset {
        /// The new id.
        myself: NodeId,
    },
    /// An election is scheduled.
    ElectionDelayed {
        /// Milliseconds until it starts.
        delay: u64,
        /// My rank.
        rank: u64,
        /// My replication offset.
        offset: u64,
    },
    /// A sibling turned out to be ahead: the election waits longer.
    RankUpdated {
        /// The new rank.
        rank: u64,
        /// Milliseconds added.
        added: u64,
    },
    /// The vote request went out.
    ElectionStarted {
        /// The election's epoch.
        epoch: Epoch,
    },
    /// A majority of masters voted for me.
    ElectionWon,
    /// My configEpoch after winning.
    ConfigEpochAfterFailover {
        /// The epoch.
        epoch: Epoch,
    },
    /// I voted for a replica.
    AuthGranted {
        /// The candidate.
        candidate: NodeId,
        /// The epoch voted in.
        epoch: Epoch,
    },
    /// I refused to vote.
    AuthDenied {
        /// The candidate.
        candidate: NodeId,
        /// Redis's reason.
        why: String,
    },
    /// A replica of a failed master explains why it does not fail over.
    CantFailover {
        /// The reason.
        reason: CantFailoverReason,
    },
    /// CLUSTER REPLICATE or a configuration change made me a replica (`replicationSetMaster`).
    ReplicaOf {
        /// The new master's address.
        master: crate::ids::NodeAddr,
    },
    /// My slots went to another master: I follow it as a replica.
    ReconfiguredAsReplica {
        /// The new master.
        master: NodeId,
    },
    /// My master became a replica of another node: I follow that one (the sub-replica
    /// safeguard of `clusterUpdateSlotsConfigWith`).
    SubReplica {
        /// My master's master.
        grandmaster: NodeId,
    },
    /// `Manual failover user request accepted.`
    ManualFailoverAccepted,
    /// `Forced failover user request accepted.`
    ForcedFailoverAccepted,
    /// `Taking over the master (user request).`
    TakeoverAccepted,
    /// `Manual failover requested by replica <id>.` (on the master)
    ManualFailoverRequested {
        /// The replica.
        replica: NodeId,
    },
    /// `Received replication offset for paused master manual failover: <offset>`
    MfMasterOffset {
        /// The paused master's offset.
        offset: u64,
    },
    /// `All master replication stream processed, manual failover can start.`
    MfCanStart,
    /// `Manual failover timed out.`
    MfTimedOut,
    /// `configEpoch updated after importing slot <slot>`
    ConfigEpochAfterImport {
        /// The slot.
        slot: u16,
    },
    /// `Migrating to orphaned master <id>`
    MigratingToOrphan {
        /// The orphaned master.
        master: NodeId,
    },
}

impl NodeEvent {
    /// The level Redis logs this event at.
    pub fn level(&self) -> LogLevel {
        match self {
            NodeEvent::ConfigCreated { .. }
            | NodeEvent::ConfigLoaded { .. }
            | NodeEvent::MarkedFailing { .. }
            | NodeEvent::FailMessageReceived { .. }
            | NodeEvent::FailCleared { .. }
            | NodeEvent::ElectionDelayed { .. }
            | NodeEvent::RankUpdated { .. }
            | NodeEvent::ElectionStarted { .. }
            | NodeEvent::ElectionWon
            | NodeEvent::ConfigEpochAfterFailover { .. }
            | NodeEvent::ReplicaOf { .. }
            | NodeEvent::HardReset { .. } => LogLevel::Notice,
            NodeEvent::AuthGranted { .. }
            | NodeEvent::AuthDenied { .. }
            | NodeEvent::CantFailover { .. } => LogLevel::Warning,
            NodeEvent::StateChanged { .. }
            | NodeEvent::MyIpUpdated { .. }
            | NodeEvent::ConfigEpochSet { .. }
            | NodeEvent::ConfigEpochReset
            | NodeEvent::EpochBumped { .. }
            | NodeEvent::ReconfiguredAsReplica { .. }
            | NodeEvent::SubReplica { .. }
            | NodeEvent::MfTimedOut
            | NodeEvent::ConfigEpochAfterImport { .. } => LogLevel::Warning,
            NodeEvent::ManualFailoverAccepted
            | NodeEvent::ForcedFailoverAccepted
            | NodeEvent::TakeoverAccepted
            | NodeEvent::ManualFailoverRequested { .. }
            | NodeEvent::MfMasterOffset { .. }
            | NodeEvent::MfCanStart
            | NodeEvent::MigratingToOrphan { .. } => LogLevel::Notice,
            NodeEvent::FailureReported { .. }
            | NodeEvent::BackOnline { .. }
            | NodeEvent::SendingUpdate { .. }
            | NodeEvent::ConfigEpochCollision { .. } => LogLevel::Verbose,
            NodeEvent::HandshakeCompleted { .. } | NodeEvent::PossiblyFailing { .. } => {
                LogLevel::Debug
            }
        }
    }
}

impl fmt::Display for NodeEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeEvent::ConfigCreated { myself } => {
                write!(f, "No cluster configuration found, I'm {myself}")
            }
            NodeEvent::ConfigLoaded { myself } => {
                write!(f, "Node configuration loaded, I'm {myself}")
            }
            NodeEvent::StateChanged { ok } => {
                write!(
                    f,
                    "Cluster state changed: {}",
                    if *ok { "ok" } else { "fail" }
                )
            }
            NodeEvent::MyIpUpdated { ip } => write!(f, "IP address for this node updated to {ip}"),
            NodeEvent::HandshakeCompleted { id } => {
                write!(f, "Handshake with node {id} completed.")
            }
            NodeEvent::PossiblyFailing { id } => write!(f, "*** NODE {id} possibly failing"),
            NodeEvent::FailureReported { reporter, node } => {
                write!(f, "Node {reporter} reported node {node} as not reachable.")
            }
            NodeEvent::BackOnline { reporter, node } => {
                write!(f, "Node {reporter} reported node {node} is back online.")
            }
            NodeEvent::MarkedFailing { id } => {
                write!(f, "Marking node {id} as failing (quorum reached).")
            }
            NodeEvent::FailMessageReceived { sender, failed } => {
                write!(f, "FAIL message received from {sender} about {failed}")
            }
            NodeEvent::FailCleared { id, why } => {
                write!(f, "Clear FAIL state for node {id}: {why}")
            }
            NodeEvent::SendingUpdate { sender, owner } => write!(
                f,
                "Node {sender} has old slots configuration, sending an UPDATE message about {owner}"
            ),
            NodeEvent::ConfigEpochCollision { other, epoch } => write!(
                f,
                "WARNING: configEpoch collision with node {other}. configEpoch set to {epoch}"
            ),
            NodeEvent::ConfigEpochSet { epoch } => {
                write!(f, "configEpoch set to {epoch} via CLUSTER SET-CONFIG-EPOCH")
            }
            NodeEvent::EpochBumped { epoch } => {
                write!(f, "New configEpoch set to {epoch}")
            }
            NodeEvent::ConfigEpochReset => {
                f.write_str("configEpoch set to 0 via CLUSTER RESET HARD")
            }
            NodeEvent::HardReset { myself } => write!(f, "Node hard reset, now I'm {myself}"),
            NodeEvent::ElectionDelayed {
                delay,
                rank,
                offset,
            } => write!(
                f,
                "Start of election delayed for {delay} milliseconds (rank #{rank}, offset {offset})."
            ),
            NodeEvent::RankUpdated { rank, added } => write!(
                f,
                "Replica rank updated to #{rank}, added {added} milliseconds of delay."
            ),
            NodeEvent::ElectionStarted { epoch } => {
                write!(f, "Starting a failover election for epoch {epoch}.")
            }
            NodeEvent::ElectionWon => f.write_str("Failover election won"),
            NodeEvent::ConfigEpochAfterFailover { epoch } => {
                write!(f, "configEpoch set to {epoch} after successful failover")
            }
            NodeEvent::AuthGranted { candidate, epoch } => {
                write!(f, "Failover auth granted to {candidate} for epoch {epoch}")
            }
            NodeEvent::AuthDenied { candidate, why } => {
                write!(f, "Failover auth denied to {candidate}: {why}")
            }
            NodeEvent::CantFailover { reason } => {
                write!(f, "Currently unable to failover: {}", reason.text())
            }
            NodeEvent::ReplicaOf { master } => {
                write!(f, "Connecting to MASTER {master}")
            }
            NodeEvent::ReconfiguredAsReplica { master } => write!(
                f,
                "Configuration change detected. Reconfiguring myself as a replica of {master}"
            ),
            NodeEvent::SubReplica { grandmaster } => write!(
                f,
                "I'm a sub-replica! Reconfiguring myself as a replica of grandmaster {grandmaster}"
            ),
            NodeEvent::ManualFailoverAccepted => {
                f.write_str("Manual failover user request accepted.")
            }
            NodeEvent::ForcedFailoverAccepted => {
                f.write_str("Forced failover user request accepted.")
            }
            NodeEvent::TakeoverAccepted => f.write_str("Taking over the master (user request)."),
            NodeEvent::ManualFailoverRequested { replica } => {
                write!(f, "Manual failover requested by replica {replica}.")
            }
            NodeEvent::MfMasterOffset { offset } => write!(
                f,
                "Received replication offset for paused master manual failover: {offset}"
            ),
            NodeEvent::MfCanStart => {
                f.write_str("All master replication stream processed, manual failover can start.")
            }
            NodeEvent::MfTimedOut => f.write_str("Manual failover timed out."),
            NodeEvent::ConfigEpochAfterImport { slot } => {
                write!(f, "configEpoch updated after importing slot {slot}")
            }
            NodeEvent::MigratingToOrphan { master } => {
                write!(f, "Migrating to orphaned master {master}")
            }
        }
    }
}
