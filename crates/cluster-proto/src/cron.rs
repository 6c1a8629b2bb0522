//! `clusterCron`, every 100 ms: links, pings, failure suspicion, state.

use crate::event::NodeEvent;
use crate::flags::NodeFlags;
use crate::msg::MsgType;
use crate::state::{ClusterHealth, ClusterState};
use crate::time::SimTime;

/// Milliseconds from an optional timestamp to `now`; "never" counts as the epoch, as Redis's 0.
fn since(now: SimTime, t: Option<SimTime>) -> u64 {
    now.as_unix_millis()
        - t.map_or(0, |t| t.as_unix_millis())
            .min(now.as_unix_millis())
}

impl ClusterState {
    /// `clusterCron`.
    #[doc(alias = "clusterCron")]
    pub(crate) fn cron(&mut self, now: SimTime) {
        self.iteration += 1;
        let nt = self.config.node_timeout;
        let handshake_timeout = nt.max(1000);
        let mut update_state = false;
        self.stats_pfail_nodes = 0;

        // Connect to every node we have no link to; expire handshakes that never completed.
        let mut i = 0;
        while i < self.nodes.len() {
            let n = &self.nodes[i];
            if n.is_myself() || n.flags.contains(NodeFlags::NOADDR) {
                i += 1;
                continue;
            }
            if n.flags.contains(NodeFlags::PFAIL) {
                self.stats_pfail_nodes += 1;
            }
            if n.in_handshake() && now - n.ctime > handshake_timeout {
                let id = n.id;
                self.delete_node(&id);
                continue;
            }
            if n.link.is_none() {
                self.create_link(i, now);
            }
            i += 1;
        }

        // Once a second, ping the node with the oldest PONG among five random picks.
        if self.iteration.is_multiple_of(10) {
            let mut best: Option<usize> = None;
            for _ in 0..5 {
                let j = self.random_index();
                let n = &self.nodes[j];
                if n.link.is_none() || n.ping_sent.is_some() || n.is_myself() || n.in_handshake() {
                    continue;
                }
                if best.is_none_or(|b| n.pong_received < self.nodes[b].pong_received) {
                    best = Some(j);
                }
            }
            if let Some(link) = best.and_then(|j| self.nodes[j].link) {
                self.send_ping(link, MsgType::Ping, now);
            }
        }

        for i in 0..self.nodes.len() {
            let n = &self.nodes[i];
            if n.is_myself() || n.flags.intersects(NodeFlags::NOADDR | NodeFlags::HANDSHAKE) {
                continue;
            }
            // A link that carried nothing for a while although we wait for a PONG is recycled:
            // maybe the connection is broken while the node is fine. (The link's age is looked
            // up last: this runs for every node ten times a second.)
            if let Some(link) = n.link
                && n.ping_sent.is_some()
                && since(now, n.ping_sent) > nt / 2
                && since(now, n.data_received) > nt / 2
                && self.links.get(&link).is_some_and(|l| now - l.ctime > nt)
            {
                self.free_link(link);
            }
            let n = &self.nodes[i];
            if let Some(link) = n.link
                && n.ping_sent.is_none()
                && since(now, n.pong_received) > nt / 2
            {
                self.send_ping(link, MsgType::Ping, now);
                continue;
            }
            // A master pausing for a manual failover pings the replica every cron, so the
            // replica learns the final offset even if one PING is lost.
            let n = &self.nodes[i];
            if self.mf.end.is_some()
                && self.myself().is_master()
                && let Some(link) = n.link
                && self.mf.replica == Some(n.id)
            {
                self.send_ping(link, MsgType::Ping, now);
                continue;
            }
            let n = &self.nodes[i];
            if n.ping_sent.is_none() {
                continue;
            }
            let delay = since(now, n.ping_sent).min(since(now, n.data_received));
            if delay > nt && !n.is_failing() {
                let id = n.id;
                self.nodes[i].flags.insert(NodeFlags::PFAIL);
                self.events.push_back(NodeEvent::PossiblyFailing { id });
                update_state = true;
            }
        }

        self.manual_failover_check_timeout(now);
        if self.myself().is_replica() {
            self.handle_manual_failover();
            self.handle_replica_failover(now);
            self.maybe_migrate_replica(now);
        }

        if update_state || self.health == ClusterHealth::Fail {
            self.update_state(now);
        }
    }
}
