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

/// An observable event of a node. Its `Display` is the message of the log line Redis writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeEvent {
    /// Started with no `nodes.conf`: a fresh identity was made.
    ConfigCreated {
        /// The new id.
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
    /// My slots went to another master: I follow it as a replica.
    ReconfiguredAsReplica {
        /// The new master.
        master: NodeId,
    },
}

impl NodeEvent {
    /// The level Redis logs this event at.
    pub fn level(&self) -> LogLevel {
        match self {
            NodeEvent::ConfigCreated { .. }
            | NodeEvent::MarkedFailing { .. }
            | NodeEvent::FailMessageReceived { .. }
            | NodeEvent::FailCleared { .. } => LogLevel::Notice,
            NodeEvent::StateChanged { .. }
            | NodeEvent::MyIpUpdated { .. }
            | NodeEvent::ConfigEpochSet { .. }
            | NodeEvent::EpochBumped { .. }
            | NodeEvent::ReconfiguredAsReplica { .. } => LogLevel::Warning,
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
            NodeEvent::ReconfiguredAsReplica { master } => write!(
                f,
                "Configuration change detected. Reconfiguring myself as a replica of {master}"
            ),
        }
    }
}
