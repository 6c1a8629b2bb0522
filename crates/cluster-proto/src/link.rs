//! Cluster bus connections as the node sees them, and what it asks the network to do.

use std::net::IpAddr;

use crate::ids::NodeId;
use crate::msg::ClusterMsg;
use crate::time::SimTime;

/// A connection, named by the node that holds it; the other end has its own id for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LinkId(pub u32);

/// One end of a bus connection (`clusterLink`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// When it was created.
    pub ctime: SimTime,
    /// The node it belongs to, once known. Outbound links always have one.
    pub node: Option<NodeId>,
    /// Whether we opened it.
    pub outbound: bool,
    /// Whether the TCP connection is established.
    pub connected: bool,
    /// Our own address on this connection (how the peer reached us).
    pub local_ip: Option<IpAddr>,
    /// The peer's address.
    pub peer_ip: Option<IpAddr>,
}

/// What a node asks of the network. The driver drains these with `poll_transmit`.
#[derive(Debug, Clone, PartialEq)]
pub enum Transmit {
    /// Open a connection to a bus port; the answer is `handle_link_connected` or
    /// `handle_link_closed` for `link`.
    Connect {
        /// The new link.
        link: LinkId,
        /// Where to.
        ip: Option<IpAddr>,
        /// Bus port.
        cport: u16,
    },
    /// Send a message on a link (queued by the network until the link is connected).
    Send {
        /// On which link.
        link: LinkId,
        /// What (boxed: messages are large and travel through queues).
        msg: Box<ClusterMsg>,
    },
    /// Replicate from this master's client port, or stop replicating (`replicationSetMaster`,
    /// `replicationUnsetMaster`). The driver answers with `handle_repl_update`.
    SetReplicationMaster {
        /// The master's address, or `None` to become a master.
        master: Option<crate::ids::NodeAddr>,
        /// Whether this replica takes over its master's slots (a failover), rather than just
        /// stopping replication (CLUSTER RESET).
        promoted: bool,
    },
    /// Delete this node's keys in these slots, which it no longer serves (`delKeysInSlot`).
    DropSlotKeys {
        /// The slots.
        slots: Vec<crate::ids::Slot>,
    },
    /// Close a link (`freeClusterLink`).
    Close {
        /// Which link.
        link: LinkId,
    },
}
