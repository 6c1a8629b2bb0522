//! What one node believes about one known node (`clusterNode`).

use crate::flags::NodeFlags;
use crate::ids::{Epoch, NodeAddr, NodeId};
use crate::slots::SlotSet;
use crate::time::SimTime;

/// One entry of a node's table of known nodes, as that observer sees it.
#[derive(Debug, Clone)]
#[doc(alias = "clusterNode")]
pub struct ClusterNode {
    /// The node's name.
    pub id: NodeId,
    /// Where it listens.
    pub addr: NodeAddr,
    /// Role and health flags.
    pub flags: NodeFlags,
    /// Its configEpoch: the version of its slot claims.
    pub config_epoch: Epoch,
    /// Slots it serves, as far as the observer knows.
    pub slots: SlotSet,
    /// The master it replicates, if it is a replica whose master is known.
    pub replica_of: Option<NodeId>,
    /// When our pending PING was sent, if one is pending.
    pub ping_sent: Option<SimTime>,
    /// When we last received a PONG from it (0 in CLUSTER NODES if never).
    pub pong_received: Option<SimTime>,
    /// Whether we hold an outbound link to it (always true for myself).
    pub link_connected: bool,
}

impl ClusterNode {
    /// A record for a node we just learned of.
    pub fn new(id: NodeId, addr: NodeAddr, flags: NodeFlags) -> Self {
        ClusterNode {
            id,
            addr,
            flags,
            config_epoch: 0,
            slots: SlotSet::new(),
            replica_of: None,
            ping_sent: None,
            pong_received: None,
            link_connected: false,
        }
    }

    /// Whether the node is a master.
    pub fn is_master(&self) -> bool {
        self.flags.contains(NodeFlags::MASTER)
    }

    /// Whether the node is flagged FAIL or PFAIL by this observer.
    pub fn is_failing(&self) -> bool {
        self.flags.intersects(NodeFlags::FAIL | NodeFlags::PFAIL)
    }
}
