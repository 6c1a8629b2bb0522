//! Things a node wants the world to know, rendered as Redis's own log lines.

use std::fmt;

use crate::ids::NodeId;

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
}

impl NodeEvent {
    /// The level Redis logs this event at.
    pub fn level(&self) -> LogLevel {
        match self {
            NodeEvent::ConfigCreated { .. } => LogLevel::Notice,
            NodeEvent::StateChanged { .. } => LogLevel::Warning,
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
        }
    }
}
