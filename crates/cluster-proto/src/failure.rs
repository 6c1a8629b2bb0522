//! Failure detection: failure reports, PFAIL to FAIL, and clearing FAIL.

use crate::event::NodeEvent;
use crate::flags::NodeFlags;
use crate::ids::NodeId;
use crate::msg::MsgBody;
use crate::node::FailReport;
use crate::state::ClusterState;
use crate::time::SimTime;

/// Failure reports expire after this many node timeouts (`CLUSTER_FAIL_REPORT_VALIDITY_MULT`).
pub const CLUSTER_FAIL_REPORT_VALIDITY_MULT: u64 = 2;

/// A master still serving slots loses FAIL only after this many node timeouts
/// (`CLUSTER_FAIL_UNDO_TIME_MULT`).
pub const CLUSTER_FAIL_UNDO_TIME_MULT: u64 = 2;

impl ClusterState {
    /// Adds or refreshes `reporter`'s report on the node at `idx` in the table; true if it is
    /// a new report. (By index: the gossip loop looks each entry up once.)
    pub(crate) fn add_failure_report_at(
        &mut self,
        now: SimTime,
        idx: usize,
        reporter: NodeId,
    ) -> bool {
        let n = &mut self.nodes[idx];
        if let Some(r) = n.fail_reports.iter_mut().find(|r| r.reporter == reporter) {
            r.time = now;
            return false;
        }
        n.fail_reports.push(FailReport {
            reporter,
            time: now,
        });
        true
    }

    /// Drops expired reports on the node at `idx` (`clusterNodeCleanupFailureReports`).
    fn cleanup_failure_reports_at(&mut self, now: SimTime, idx: usize) {
        let max_age = self.config.node_timeout * CLUSTER_FAIL_REPORT_VALIDITY_MULT;
        let n = &mut self.nodes[idx];
        if !n.fail_reports.is_empty() {
            n.fail_reports.retain(|r| now - r.time <= max_age);
        }
    }

    /// Removes `reporter`'s report on the node at `idx`; true if there was one.
    pub(crate) fn del_failure_report_at(
        &mut self,
        now: SimTime,
        idx: usize,
        reporter: &NodeId,
    ) -> bool {
        self.cleanup_failure_reports_at(now, idx);
        let n = &mut self.nodes[idx];
        let before = n.fail_reports.len();
        n.fail_reports.retain(|r| r.reporter != *reporter);
        n.fail_reports.len() != before
    }

    /// Valid reports on `node` (`clusterNodeFailureReportsCount`), after purging expired ones.
    pub fn failure_reports_count(&mut self, now: SimTime, node: &NodeId) -> usize {
        self.index_of(node)
            .map_or(0, |i| self.failure_reports_count_at(now, i))
    }

    /// [`failure_reports_count`](Self::failure_reports_count) of the node at `idx`.
    pub(crate) fn failure_reports_count_at(&mut self, now: SimTime, idx: usize) -> usize {
        self.cleanup_failure_reports_at(now, idx);
        self.nodes[idx].fail_reports.len()
    }

    /// `markNodeAsFailingIfNeeded`: PFAIL becomes FAIL once a majority of slot-owning masters
    /// (counting myself if I am a master) reported it, and the FAIL is broadcast.
    #[doc(alias = "markNodeAsFailingIfNeeded")]
    pub(crate) fn mark_node_as_failing_if_needed(&mut self, now: SimTime, node: &NodeId) {
        let needed_quorum = self.size / 2 + 1;
        let Some(n) = self.node(node) else {
            return;
        };
        if !n.flags.contains(NodeFlags::PFAIL) || n.flags.contains(NodeFlags::FAIL) {
            return;
        }
        let mut failures = self.failure_reports_count(now, node);
        if self.myself().is_master() {
            failures += 1;
        }
        if failures < needed_quorum {
            return;
        }
        self.events
            .push_back(NodeEvent::MarkedFailing { id: *node });
        let n = self.node_mut(node).expect("checked above");
        n.flags.remove(NodeFlags::PFAIL);
        n.flags.insert(NodeFlags::FAIL);
        n.fail_time = Some(now);
        // Replicas that reach the quorum broadcast too (7.0): they only help propagation.
        self.broadcast(MsgBody::Fail { id: *node });
        self.todo_update_state = true;
    }

    /// `clearNodeFailureIfNeeded`, on a PONG from a FAIL node over our own link.
    #[doc(alias = "clearNodeFailureIfNeeded")]
    pub(crate) fn clear_node_failure_if_needed(&mut self, now: SimTime, node: &NodeId) {
        let undo_after = self.config.node_timeout * CLUSTER_FAIL_UNDO_TIME_MULT;
        let Some(n) = self.node_mut(node) else {
            return;
        };
        let (replica, slotless) = (n.is_replica(), n.slots.is_empty());
        if replica || slotless {
            n.flags.remove(NodeFlags::FAIL);
            self.events.push_back(NodeEvent::FailCleared {
                id: *node,
                why: if replica {
                    "replica is reachable again."
                } else {
                    "master without slots is reachable again."
                },
            });
            self.todo_update_state = true;
            return;
        }
        if n.is_master() && n.fail_time.is_some_and(|t| now - t > undo_after) {
            n.flags.remove(NodeFlags::FAIL);
            self.events.push_back(NodeEvent::FailCleared {
                id: *node,
                why: "is reachable again and nobody is serving its slots after some time.",
            });
            self.todo_update_state = true;
        }
    }
}
