//! `clusterUpdateState`: whether this node considers the cluster `ok`.

use crate::event::NodeEvent;
use crate::flags::NodeFlags;
use crate::state::{CLUSTER_WRITABLE_DELAY, ClusterHealth, ClusterState};
use crate::time::SimTime;

/// Bounds of the delay a master waits after leaving a minority partition.
const CLUSTER_MIN_REJOIN_DELAY: u64 = 500;
const CLUSTER_MAX_REJOIN_DELAY: u64 = 5000;

impl ClusterState {
    /// `clusterUpdateState`: recomputes `cluster_state` and `cluster_size`.
    #[doc(alias = "clusterUpdateState")]
    pub(crate) fn update_state(&mut self, now: SimTime) {
        let first = *self.first_update_state.get_or_insert(now);
        // A master that is down waits out the writable delay before deciding anything.
        if self.myself().is_master()
            && self.health == ClusterHealth::Fail
            && now - first < CLUSTER_WRITABLE_DELAY
        {
            return;
        }

        // One pass over the table for both questions: this runs on every node's cron while
        // its cluster is down, which at 1,000 nodes is a million records ten times a second.
        let (mut size, mut reachable_masters, mut served) = (0, 0, 0);
        for n in &self.nodes {
            if !n.flags.contains(NodeFlags::FAIL) {
                served += n.slots.len();
            }
            if n.is_master() && !n.slots.is_empty() {
                size += 1;
                if !n.is_failing() {
                    reachable_masters += 1;
                }
            }
        }
        self.size = size;
        let mut new_health = ClusterHealth::Ok;
        // Every slot must have an owner that is not FAIL.
        if self.config.require_full_coverage && served != crate::slots::CLUSTER_SLOTS {
            new_health = ClusterHealth::Fail;
        }
        let needed_quorum = self.size / 2 + 1;
        if reachable_masters < needed_quorum {
            new_health = ClusterHealth::Fail;
            self.among_minority_time = Some(now);
        }

        if new_health != self.health {
            // A master that was in a minority waits before accepting writes again, so it
            // learns of a failover that happened meanwhile before it serves stale slots.
            let rejoin_delay = self
                .config
                .node_timeout
                .clamp(CLUSTER_MIN_REJOIN_DELAY, CLUSTER_MAX_REJOIN_DELAY);
            if new_health == ClusterHealth::Ok
                && self.myself().is_master()
                && self
                    .among_minority_time
                    .is_some_and(|t| now - t < rejoin_delay)
            {
                return;
            }
            self.health = new_health;
            self.events.push_back(NodeEvent::StateChanged {
                ok: new_health == ClusterHealth::Ok,
            });
        }
    }
}
