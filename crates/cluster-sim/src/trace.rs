//! The trace: every observable event of every node, in the order it happened.

use cluster_proto::{NodeEvent, SimTime};

/// One traced event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceEvent {
    /// When it happened.
    pub time: SimTime,
    /// The node's client port.
    pub port: u16,
    /// What happened.
    pub event: NodeEvent,
}
