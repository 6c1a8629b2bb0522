//! Replica migration (`clusterHandleSlaveMigration`): a replica of a master with more than
//! `cluster-migration-barrier` working replicas moves to a master left without any, so that
//! every shard can survive a failure.

use crate::event::NodeEvent;
use crate::flags::NodeFlags;
use crate::ids::NodeId;
use crate::node::ClusterNode;
use crate::state::{ClusterHealth, ClusterState};
use crate::time::{Millis, SimTime};

/// `CLUSTER_SLAVE_MIGRATION_DELAY`: a master must stay orphaned this long before a replica
/// moves to it, so the natural replicas of a failed-over master can announce their switch.
pub const CLUSTER_SLAVE_MIGRATION_DELAY: Millis = 5000;

impl ClusterState {
    /// `clusterCountNonFailingSlaves`.
    fn non_failing_replicas(&self, master: &ClusterNode) -> usize {
        master
            .replicas
            .iter()
            .filter_map(|r| self.node(r))
            .filter(|r| !r.flags.contains(NodeFlags::FAIL))
            .count()
    }

    /// The orphaned-master census `clusterCron` takes on a replica: how many masters serving
    /// slots have no working replica although they had one (`MIGRATE_TO`), the most working
    /// replicas any master has, and how many my own master has.
    ///
    /// Replicas are counted without looking them up: a master's replica list names a node only
    /// while that node names the master (`replica_of`), so each FAIL node, and FAIL nodes are
    /// few, can only be missing from one master's working replicas. At 1,000 nodes, looking
    /// up or comparing every replica (500 masters, ten times a second, on every replica) cost
    /// more than the rest of the cron once a single node had failed.
    fn orphan_census(&self) -> (usize, usize, usize) {
        debug_assert!(
            self.nodes.iter().all(|m| m
                .replicas
                .iter()
                .all(|r| self.node(r).is_some_and(|r| r.replica_of == Some(m.id)))),
            "a replica list names a node that does not name that master"
        );
        // One entry per FAIL replica, naming the master whose list holds it.
        let lost: Vec<usize> = self
            .nodes
            .iter()
            .filter(|n| n.flags.contains(NodeFlags::FAIL))
            .filter_map(|n| {
                let m = self.index_of(n.replica_of.as_ref()?)?;
                self.nodes[m].replicas.contains(&n.id).then_some(m)
            })
            .collect();
        let working = |i: usize| {
            let failed = lost.iter().filter(|&&m| m == i).count();
            self.nodes[i].replicas.len() - failed
        };
        // As in Redis: every master but myself, NOADDR and handshake records, and only FAIL
        // (not PFAIL) leaves a master out.
        let counted = |n: &ClusterNode| {
            n.is_master()
                && !n
                    .flags
                    .intersects(NodeFlags::MYSELF | NodeFlags::NOADDR | NodeFlags::HANDSHAKE)
                && !n.flags.contains(NodeFlags::FAIL)
        };
        let mut orphaned = 0;
        let mut max_replicas = 0;
        for (i, n) in self.nodes.iter().enumerate() {
            if !counted(n) {
                continue;
            }
            let ok = working(i);
            if ok == 0 && !n.slots.is_empty() && n.flags.contains(NodeFlags::MIGRATE_TO) {
                orphaned += 1;
            }
            max_replicas = max_replicas.max(ok);
        }
        // My master is looked up once rather than compared with every master's id.
        let mine = self
            .myself()
            .replica_of
            .and_then(|m| self.index_of(&m))
            .filter(|&i| counted(&self.nodes[i]))
            .map_or(0, working);
        (orphaned, max_replicas, mine)
    }

    /// Run by `clusterCron` on replicas: migrate to an orphaned master if I am the candidate.
    pub(crate) fn maybe_migrate_replica(&mut self, now: SimTime) {
        if !self.myself().is_replica() || !self.config.allow_replica_migration {
            return;
        }
        let (orphaned, max_replicas, mine) = self.orphan_census();
        // Migrating only makes sense from a master with at least two working replicas.
        if orphaned > 0 && max_replicas >= 2 && mine == max_replicas {
            self.handle_replica_migration(now, max_replicas);
        }
    }

    /// `clusterHandleSlaveMigration`.
    #[doc(alias = "clusterHandleSlaveMigration")]
    fn handle_replica_migration(&mut self, now: SimTime, max_replicas: usize) {
        // Step 1: only in a healthy cluster.
        if self.health != ClusterHealth::Ok {
            return;
        }
        // Step 2: my master keeps more than the barrier without me.
        let Some(my_master) = self.myself().replica_of.and_then(|m| self.node(&m)) else {
            return;
        };
        let ok_replicas = my_master
            .replicas
            .iter()
            .filter_map(|r| self.node(r))
            .filter(|r| !r.flags.intersects(NodeFlags::FAIL | NodeFlags::PFAIL))
            .count() as u64;
        if ok_replicas <= self.config.migration_barrier {
            return;
        }
        // Step 3: the target (an orphaned master with slots) and the candidate (the smallest
        // id among the replicas of the masters with the most working replicas).
        let mut target: Option<NodeId> = None;
        let mut candidate = self.myself;
        let mut orphaned_since: Vec<(usize, Option<SimTime>)> = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            let ok = if n.is_master() {
                self.non_failing_replicas(n)
            } else {
                0
            };
            let orphaned = n.is_master()
                && !n.flags.contains(NodeFlags::FAIL)
                && n.flags.contains(NodeFlags::MIGRATE_TO)
                && ok == 0;
            if orphaned {
                if target.is_none() && !n.slots.is_empty() {
                    target = Some(n.id);
                }
                orphaned_since.push((i, Some(n.orphaned_time.unwrap_or(now))));
            } else {
                orphaned_since.push((i, None));
            }
            if ok == max_replicas {
                for r in &n.replicas {
                    if r.as_str() < candidate.as_str() {
                        candidate = *r;
                    }
                }
            }
        }
        for (i, since) in orphaned_since {
            self.nodes[i].orphaned_time = since;
        }
        // Step 4: after the orphan has waited long enough, and only the candidate moves.
        let Some(target) = target else {
            return;
        };
        let waited = self
            .node(&target)
            .and_then(|t| t.orphaned_time)
            .map_or(0, |t| now - t);
        if candidate == self.myself && waited > CLUSTER_SLAVE_MIGRATION_DELAY {
            self.events
                .push_back(NodeEvent::MigratingToOrphan { master: target });
            self.set_myself_replica_of(now, &target);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ClusterConfig;
    use crate::ids::NodeAddr;
    use crate::state::NodeSeed;

    fn id(c: char) -> NodeId {
        NodeId::parse(c.to_string().repeat(40).as_bytes()).expect("hex id")
    }

    /// A master serving slot `slot` with these replicas, as another node's table records it.
    fn master(s: &mut ClusterState, m: char, slot: u16, replicas: &[char], port: u16) {
        let now = SimTime::DEFAULT_START;
        let flags = NodeFlags::MASTER | NodeFlags::MIGRATE_TO;
        let mut n = ClusterNode::new(id(m), NodeAddr::new(None, port), flags, now);
        n.slots.insert(slot);
        n.replicas = replicas.iter().map(|&r| id(r)).collect();
        s.add_node(n);
        for (i, &r) in replicas.iter().enumerate() {
            if r == 'f' {
                continue; // myself, already in the table
            }
            let addr = NodeAddr::new(None, port + 1 + i as u16);
            let mut n = ClusterNode::new(id(r), addr, NodeFlags::REPLICA, now);
            n.replica_of = Some(id(m));
            s.add_node(n);
        }
    }

    #[test]
    fn the_census_counts_a_suspected_master_but_not_a_failed_one() {
        let now = SimTime::DEFAULT_START;
        let seed = NodeSeed {
            seed: 1,
            port: 7000,
        };
        let mut s = ClusterState::new(now, 7000, ClusterConfig::default(), seed);
        // Myself ('f' ids are rewritten below) replicates A together with A's second replica.
        let me = s.myself_id();
        master(&mut s, 'a', 0, &['f', '1'], 7100);
        master(&mut s, 'b', 1, &['2'], 7200);
        let a = s.index_of(&id('a')).expect("a");
        s.nodes[a].replicas[0] = me;
        let i = s.index_of(&me).expect("me");
        s.nodes[i].flags = NodeFlags::MYSELF | NodeFlags::REPLICA;
        s.nodes[i].replica_of = Some(id('a'));
        // B's only replica failed, and B itself is only suspected (PFAIL): Redis still counts
        // B, so it is an orphan a replica of A may migrate to.
        let r = s.index_of(&id('2')).expect("b's replica");
        s.nodes[r].flags.insert(NodeFlags::FAIL);
        let b = s.index_of(&id('b')).expect("b");
        s.nodes[b].flags.insert(NodeFlags::PFAIL);
        assert_eq!(s.orphan_census(), (1, 2, 2));
        // Once B is FAIL it is left out.
        s.nodes[b].flags.remove(NodeFlags::PFAIL);
        s.nodes[b].flags.insert(NodeFlags::FAIL);
        assert_eq!(s.orphan_census(), (0, 2, 2));
        // A's other replica failing leaves my master with one working replica: me.
        s.nodes[b].flags.remove(NodeFlags::FAIL);
        let one = s.index_of(&id('1')).expect("a's replica");
        s.nodes[one].flags.insert(NodeFlags::FAIL);
        assert_eq!(s.orphan_census(), (1, 1, 1));
    }
}
