//! What one node believes about one known node (`clusterNode`).

use crate::flags::NodeFlags;
use crate::ids::{Epoch, NodeAddr, NodeId};
use crate::link::LinkId;
use crate::slots::SlotSet;
use crate::time::SimTime;

/// A failure report: `reporter`, a master, said at `time` that the node is PFAIL or FAIL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailReport {
    /// The reporting master.
    pub reporter: NodeId,
    /// When the report was last refreshed.
    pub time: SimTime,
}

/// One entry of a node's table of known nodes, as that observer sees it.
///
/// What every `clusterCron` reads for every known node (ten times a second), and what every
/// gossip entry about the node reads, sits in the record itself; the rest sits in a
/// [`NodeInfo`] behind a box, reached through `Deref` (`node.id` reads as if it were a field).
/// At 1,000 nodes the cron's scans over a million records were most of the simulator's time,
/// and a small record makes them mostly cache hits.
#[derive(Debug, Clone)]
#[doc(alias = "clusterNode")]
pub struct ClusterNode {
    /// Role and health flags.
    pub flags: NodeFlags,
    /// Our outbound link to it (`node->link`); CLUSTER NODES says `connected` when present.
    pub link: Option<LinkId>,
    /// When our pending PING was sent, if one is pending.
    pub ping_sent: Option<SimTime>,
    /// When we last received a PONG from it (or a newer time learned by gossip).
    pub pong_received: Option<SimTime>,
    /// When we last received any packet from it, on any link.
    pub data_received: Option<SimTime>,
    /// Slots it serves, as far as the observer knows.
    pub slots: SlotSet,
    /// Replicas we believe follow this master, in the order we learned them.
    pub replicas: Vec<NodeId>,
    /// Failure reports from masters (here because every gossip entry about the node checks
    /// them).
    pub fail_reports: Vec<FailReport>,
    /// Everything else.
    info: Box<NodeInfo>,
}

/// The parts of a [`ClusterNode`] that are read rarely: on a message from or about the node,
/// or when a command prints it.
#[derive(Debug, Clone)]
pub struct NodeInfo {
    /// The node's name (a random temporary one while in handshake).
    pub id: NodeId,
    /// When this record was created (handshake expiry counts from it).
    pub ctime: SimTime,
    /// Where it listens.
    pub addr: NodeAddr,
    /// Its configEpoch: the version of its slot claims.
    pub config_epoch: Epoch,
    /// The master it replicates, if it is a replica whose master is known.
    pub replica_of: Option<NodeId>,
    /// When it was flagged FAIL.
    pub fail_time: Option<SimTime>,
    /// When we last voted for a replica of this master.
    pub voted_time: Option<SimTime>,
    /// Its replication offset, from its latest header.
    pub repl_offset: u64,
    /// The link it opened to us, once identified.
    pub inbound_link: Option<LinkId>,
    /// Since when it has been a master without working replicas (`orphaned_time`).
    pub orphaned_time: Option<SimTime>,
}

impl std::ops::Deref for ClusterNode {
    type Target = NodeInfo;
    fn deref(&self) -> &NodeInfo {
        &self.info
    }
}

impl std::ops::DerefMut for ClusterNode {
    fn deref_mut(&mut self) -> &mut NodeInfo {
        &mut self.info
    }
}

impl ClusterNode {
    /// A record for a node we just learned of.
    pub fn new(id: NodeId, addr: NodeAddr, flags: NodeFlags, now: SimTime) -> Self {
        ClusterNode {
            flags,
            link: None,
            ping_sent: None,
            pong_received: None,
            data_received: None,
            slots: SlotSet::new(),
            replicas: Vec::new(),
            fail_reports: Vec::new(),
            info: Box::new(NodeInfo {
                id,
                ctime: now,
                addr,
                config_epoch: 0,
                replica_of: None,
                fail_time: None,
                voted_time: None,
                repl_offset: 0,
                inbound_link: None,
                orphaned_time: None,
            }),
        }
    }

    /// Whether the node is a master.
    pub fn is_master(&self) -> bool {
        self.flags.contains(NodeFlags::MASTER)
    }

    /// Whether the node is a replica.
    pub fn is_replica(&self) -> bool {
        self.flags.contains(NodeFlags::REPLICA)
    }

    /// Whether the node is flagged FAIL or PFAIL by this observer.
    pub fn is_failing(&self) -> bool {
        self.flags.intersects(NodeFlags::FAIL | NodeFlags::PFAIL)
    }

    /// Whether the record is still in handshake.
    pub fn in_handshake(&self) -> bool {
        self.flags.contains(NodeFlags::HANDSHAKE)
    }

    /// Whether this record is the observer itself.
    pub fn is_myself(&self) -> bool {
        self.flags.contains(NodeFlags::MYSELF)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scanned_record_stays_two_cache_lines() {
        // clusterCron reads every record ten times a second; what does not fit here belongs
        // in NodeInfo (docs/PERFORMANCE.md).
        assert!(
            std::mem::size_of::<ClusterNode>() <= 128,
            "{} bytes",
            std::mem::size_of::<ClusterNode>()
        );
    }
}
