//! Node flags (`CLUSTER_NODE_*`) and the one table that names them.

use std::ops::{BitAnd, BitOr, BitOrAssign};

/// A node's flags as one observer believes them, like `clusterNode.flags`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NodeFlags(u16);

impl NodeFlags {
    /// No flags (`noflags`).
    pub const NONE: NodeFlags = NodeFlags(0);
    /// The node is a master (`CLUSTER_NODE_MASTER`).
    pub const MASTER: NodeFlags = NodeFlags(1);
    /// The node is a replica (`CLUSTER_NODE_SLAVE`); printed `slave`, as Redis 7.0 does.
    pub const REPLICA: NodeFlags = NodeFlags(2);
    /// This observer suspects the node is down (`CLUSTER_NODE_PFAIL`); printed `fail?`.
    pub const PFAIL: NodeFlags = NodeFlags(4);
    /// The cluster agreed the node is down (`CLUSTER_NODE_FAIL`).
    pub const FAIL: NodeFlags = NodeFlags(8);
    /// This record is the observer itself (`CLUSTER_NODE_MYSELF`).
    pub const MYSELF: NodeFlags = NodeFlags(16);
    /// First contact under way; the id is still a temporary random one.
    pub const HANDSHAKE: NodeFlags = NodeFlags(32);
    /// The address is unknown.
    pub const NOADDR: NodeFlags = NodeFlags(64);
    /// Send MEET rather than PING on the next connection.
    pub const MEET: NodeFlags = NodeFlags(128);
    /// Eligible as a replica-migration target (internal, never printed).
    pub const MIGRATE_TO: NodeFlags = NodeFlags(256);
    /// The replica will not fail over automatically (`cluster-replica-no-failover`).
    pub const NOFAILOVER: NodeFlags = NodeFlags(512);

    /// Whether every flag in `other` is set.
    pub const fn contains(self, other: NodeFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether any flag in `other` is set.
    pub const fn intersects(self, other: NodeFlags) -> bool {
        self.0 & other.0 != 0
    }

    /// Sets the flags in `other`.
    pub fn insert(&mut self, other: NodeFlags) {
        self.0 |= other.0;
    }

    /// Clears the flags in `other`.
    pub fn remove(&mut self, other: NodeFlags) {
        self.0 &= !other.0;
    }

    /// The flags as CLUSTER NODES prints them (`representClusterNodeFlags`): names in the
    /// table's order, comma separated, or `noflags`.
    pub fn names(self) -> String {
        let names: Vec<&str> = FLAG_NAMES
            .iter()
            .filter(|(flag, _)| self.contains(*flag))
            .map(|&(_, name)| name)
            .collect();
        if names.is_empty() {
            "noflags".to_string()
        } else {
            names.join(",")
        }
    }
}

/// The printed names, in the order Redis prints them (`redisNodeFlagsTable`).
const FLAG_NAMES: [(NodeFlags, &str); 8] = [
    (NodeFlags::MYSELF, "myself"),
    (NodeFlags::MASTER, "master"),
    (NodeFlags::REPLICA, "slave"),
    (NodeFlags::PFAIL, "fail?"),
    (NodeFlags::FAIL, "fail"),
    (NodeFlags::HANDSHAKE, "handshake"),
    (NodeFlags::NOADDR, "noaddr"),
    (NodeFlags::NOFAILOVER, "nofailover"),
];

impl BitOr for NodeFlags {
    type Output = NodeFlags;
    fn bitor(self, rhs: NodeFlags) -> NodeFlags {
        NodeFlags(self.0 | rhs.0)
    }
}

impl BitOrAssign for NodeFlags {
    fn bitor_assign(&mut self, rhs: NodeFlags) {
        self.0 |= rhs.0;
    }
}

impl BitAnd for NodeFlags {
    type Output = NodeFlags;
    fn bitand(self, rhs: NodeFlags) -> NodeFlags {
        NodeFlags(self.0 & rhs.0)
    }
}

#[cfg(test)]
mod tests {
    use super::NodeFlags as F;

    #[test]
    fn names_follow_redis_order() {
        assert_eq!((F::MYSELF | F::MASTER).names(), "myself,master");
        assert_eq!((F::PFAIL | F::REPLICA).names(), "slave,fail?");
        assert_eq!((F::MASTER | F::FAIL).names(), "master,fail");
        assert_eq!((F::MASTER | F::NOADDR).names(), "master,noaddr");
        assert_eq!(F::HANDSHAKE.names(), "handshake");
        assert_eq!(F::NONE.names(), "noflags");
        assert_eq!(
            (F::MYSELF | F::REPLICA | F::NOFAILOVER).names(),
            "myself,slave,nofailover"
        );
        // MEET and MIGRATE_TO are internal and never printed.
        assert_eq!((F::MASTER | F::MEET | F::MIGRATE_TO).names(), "master");
    }
}
