//! The cluster settings a node runs with (`cluster-*` configuration directives).

use crate::time::Millis;

/// Cluster configuration of one node, with Redis 7.0's defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterConfig {
    /// `cluster-node-timeout`: how long a peer may stay silent before it is suspected.
    pub node_timeout: Millis,
    /// `cluster-replica-validity-factor`: how stale a replica's data may be and still fail over.
    pub replica_validity_factor: u64,
    /// `cluster-require-full-coverage`: whether an unassigned or failed slot takes the cluster down.
    pub require_full_coverage: bool,
    /// `cluster-replica-no-failover`: never start an automatic failover.
    pub replica_no_failover: bool,
    /// `cluster-allow-reads-when-down`: serve reads while the cluster state is `fail`.
    pub allow_reads_when_down: bool,
    /// `cluster-migration-barrier`: replicas a master keeps before one may migrate away.
    pub migration_barrier: u64,
    /// `cluster-allow-replica-migration`: replicas may move to orphaned masters, and a master
    /// that lost all its slots follows their new owner.
    pub allow_replica_migration: bool,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            node_timeout: 15_000,
            replica_validity_factor: 10,
            require_full_coverage: true,
            replica_no_failover: false,
            allow_reads_when_down: false,
            migration_barrier: 1,
            allow_replica_migration: true,
        }
    }
}
