//! Automatic replica failover: the candidate's side (`clusterHandleSlaveFailover`), the voter's
//! side (`clusterSendFailoverAuthIfNeeded`) and winning (`clusterFailoverReplaceYourMaster`).

use crate::event::{CantFailoverReason, NodeEvent};
use crate::flags::NodeFlags;
use crate::ids::{Epoch, NodeId};
use crate::link::LinkId;
use crate::msg::{ClusterMsg, MsgBody, MsgType};
use crate::slots::SlotSet;
use crate::state::ClusterState;
use crate::time::{Millis, SimTime};

/// `repl-ping-replica-period`, in seconds: part of the data-age limit.
pub const REPL_PING_REPLICA_PERIOD_SECS: u64 = 10;

/// "Currently unable to failover" is logged again for the same reason only after this long.
const CANT_FAILOVER_RELOG_PERIOD_SECS: u64 = 300;

/// The replica's replication link as the node knows it (fed by the driver).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReplicaLink {
    /// `repl_state == REPL_STATE_CONNECTED`.
    pub connected: bool,
    /// Unix seconds of the last data from the master (`master->lastinteraction`).
    pub last_interaction_secs: u64,
    /// Unix seconds the link went down (`repl_down_since`); 0 if it was never up.
    pub down_since_secs: u64,
}

/// Election bookkeeping of a replica (`failover_auth_*` in `clusterState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Election {
    /// When the election may start (or started), ms; 0 = never scheduled.
    pub auth_time: u64,
    /// Votes received.
    pub auth_count: usize,
    /// Whether the request went out.
    pub auth_sent: bool,
    /// My rank among my master's replicas.
    pub auth_rank: u64,
    /// The epoch the election runs in.
    pub auth_epoch: Epoch,
}

/// Replication input a driver gives a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplUpdate {
    /// The replica finished syncing with its master; `offset` is now processed.
    MasterLinkUp {
        /// Processed offset.
        offset: u64,
    },
    /// Data from the master arrived on the replication link.
    MasterData {
        /// Processed offset.
        offset: u64,
    },
    /// The replication link broke.
    MasterLinkDown,
    /// A master's `master_repl_offset` grew.
    MasterOffset(u64),
}

impl ClusterState {
    /// Replication news from the driver.
    pub fn handle_repl_update(&mut self, now: SimTime, update: ReplUpdate) {
        match update {
            ReplUpdate::MasterLinkUp { offset } | ReplUpdate::MasterData { offset } => {
                self.repl.connected = true;
                self.repl.last_interaction_secs = now.as_unix_secs();
                self.myself_mut().repl_offset = offset;
            }
            ReplUpdate::MasterLinkDown => {
                if self.repl.connected {
                    self.repl.connected = false;
                    self.repl.down_since_secs = now.as_unix_secs();
                }
            }
            ReplUpdate::MasterOffset(offset) => self.myself_mut().repl_offset = offset,
        }
        self.before_sleep(now);
    }

    /// The replication link as the node sees it.
    pub fn replica_link(&self) -> ReplicaLink {
        self.repl
    }

    /// The current election's bookkeeping.
    pub fn election(&self) -> Election {
        self.election
    }

    /// `clusterGetSlaveRank`: how many other failover-capable replicas of my master have a
    /// strictly greater replication offset than mine.
    #[doc(alias = "clusterGetSlaveRank")]
    pub fn replica_rank(&self) -> u64 {
        let Some(master) = self.myself().replica_of.and_then(|m| self.node(&m)) else {
            return 0;
        };
        let mine = self.myself().repl_offset;
        master
            .replicas
            .iter()
            .filter(|&&r| r != self.myself)
            .filter_map(|r| self.node(r))
            .filter(|r| !r.flags.contains(NodeFlags::NOFAILOVER) && r.repl_offset > mine)
            .count() as u64
    }

    fn log_cant_failover(&mut self, now: SimTime, reason: CantFailoverReason) {
        let nolog_fail_time = self.config.node_timeout + 5000;
        if reason == self.cant_failover_reason
            && now
                .as_unix_secs()
                .saturating_sub(self.cant_failover_lastlog_secs)
                < CANT_FAILOVER_RELOG_PERIOD_SECS
        {
            return;
        }
        self.cant_failover_reason = reason;
        // Only replicas stuck for a while are worth a log line.
        let master_failed_recently = self
            .myself()
            .replica_of
            .and_then(|m| self.node(&m))
            .filter(|m| m.flags.contains(NodeFlags::FAIL))
            .and_then(|m| m.fail_time)
            .is_some_and(|t| now - t < nolog_fail_time);
        if master_failed_recently {
            return;
        }
        self.cant_failover_lastlog_secs = now.as_unix_secs();
        self.events.push_back(NodeEvent::CantFailover { reason });
    }

    /// `clusterHandleSlaveFailover`: run every cron tick and when a vote arrives.
    #[doc(alias = "clusterHandleSlaveFailover")]
    pub(crate) fn handle_replica_failover(&mut self, now: SimTime) {
        let nt = self.config.node_timeout;
        let auth_age = now.as_unix_millis().saturating_sub(self.election.auth_time);
        let needed_quorum = self.size / 2 + 1;
        let auth_timeout: Millis = (nt * 2).max(2000);
        let auth_retry_time = auth_timeout * 2;

        let me = self.myself();
        let master = me.replica_of.and_then(|m| self.node(&m));
        // A manual failover runs although the master is up, and ignores replica-no-failover.
        let manual = self.mf.end.is_some() && self.mf.can_start;
        let eligible = me.is_replica()
            && master.is_some_and(|m| {
                (m.flags.contains(NodeFlags::FAIL) || manual) && !m.slots.is_empty()
            })
            && (!self.config.replica_no_failover || manual);
        if !eligible {
            self.cant_failover_reason = CantFailoverReason::None;
            return;
        }

        // How stale my data is: since the last byte from the master, or since the link broke
        // (forever if it never came up).
        let unixtime = now.as_unix_secs();
        let mut data_age: Millis = if self.repl.connected {
            unixtime.saturating_sub(self.repl.last_interaction_secs) * 1000
        } else {
            unixtime.saturating_sub(self.repl.down_since_secs) * 1000
        };
        if data_age > nt {
            data_age -= nt;
        }
        let factor = self.config.replica_validity_factor;
        if !manual && factor != 0 && data_age > REPL_PING_REPLICA_PERIOD_SECS * 1000 + nt * factor {
            self.log_cant_failover(now, CantFailoverReason::DataAge);
            return;
        }

        if auth_age > auth_retry_time {
            // Schedule an election: a fixed 500 ms so the FAIL spreads, up to 500 ms of jitter
            // so replicas rarely collide, and a second per better-placed sibling.
            let jitter = u64::from(self.rng_u32() % 500);
            let rank = self.replica_rank();
            // A manual failover starts at once, as if ranked first.
            let (delay, rank) = if manual {
                (0, 0)
            } else {
                (500 + jitter + rank * 1000, rank)
            };
            self.election = Election {
                auth_time: now.as_unix_millis() + delay,
                auth_count: 0,
                auth_sent: false,
                auth_rank: rank,
                auth_epoch: self.election.auth_epoch,
            };
            self.events.push_back(NodeEvent::ElectionDelayed {
                delay: self.election.auth_time - now.as_unix_millis(),
                rank,
                offset: self.myself().repl_offset,
            });
            self.broadcast_pong_to_siblings(now);
            if manual {
                self.todo_handle_failover = true;
            }
            return;
        }

        if !self.election.auth_sent && !manual {
            let newrank = self.replica_rank();
            if newrank > self.election.auth_rank {
                let added = (newrank - self.election.auth_rank) * 1000;
                self.election.auth_time += added;
                self.election.auth_rank = newrank;
                self.events.push_back(NodeEvent::RankUpdated {
                    rank: newrank,
                    added,
                });
            }
        }

        if now.as_unix_millis() < self.election.auth_time {
            self.log_cant_failover(now, CantFailoverReason::WaitingDelay);
            return;
        }
        if auth_age > auth_timeout {
            self.log_cant_failover(now, CantFailoverReason::Expired);
            return;
        }

        if !self.election.auth_sent {
            self.current_epoch += 1;
            self.election.auth_epoch = self.current_epoch;
            self.events.push_back(NodeEvent::ElectionStarted {
                epoch: self.current_epoch,
            });
            self.broadcast(MsgBody::FailoverAuthRequest);
            self.election.auth_sent = true;
            self.todo_update_state = true;
            return;
        }

        if self.election.auth_count >= needed_quorum {
            self.events.push_back(NodeEvent::ElectionWon);
            if self.myself().config_epoch < self.election.auth_epoch {
                let e = self.election.auth_epoch;
                self.myself_mut().config_epoch = e;
                self.events
                    .push_back(NodeEvent::ConfigEpochAfterFailover { epoch: e });
            }
            self.failover_replace_your_master(now);
        } else {
            self.log_cant_failover(now, CantFailoverReason::WaitingVotes);
        }
    }

    /// `clusterFailoverReplaceYourMaster`: become a master, take my old master's slots, tell
    /// everyone.
    #[doc(alias = "clusterFailoverReplaceYourMaster")]
    pub(crate) fn failover_replace_your_master(&mut self, now: SimTime) {
        let Some(old) = self.myself().replica_of else {
            return;
        };
        let me = self.myself;
        self.reset_manual_failover();
        self.set_node_as_master(&me);
        self.transmits
            .push_back(crate::link::Transmit::SetReplicationMaster {
                master: None,
                promoted: true,
            });
        self.repl = ReplicaLink::default();
        let slots: SlotSet = self.node(&old).map(|n| n.slots.clone()).unwrap_or_default();
        for s in slots.iter() {
            for n in &mut self.nodes {
                n.slots.remove(s);
            }
            self.myself_mut().slots.insert(s);
        }
        self.update_state(now);
        self.broadcast_pong(now, false);
    }

    /// `clusterBroadcastPong(CLUSTER_BROADCAST_LOCAL_SLAVES)`: my master's other replicas learn my
    /// offset, so their ranks are right.
    fn broadcast_pong_to_siblings(&mut self, now: SimTime) {
        self.broadcast_pong(now, true);
    }

    /// `clusterBroadcastPong`: a PONG to every node we have a link to (or only to the replicas of
    /// my master, and of myself).
    pub(crate) fn broadcast_pong(&mut self, now: SimTime, local_replicas_only: bool) {
        let my_master = self.myself().replica_of;
        let me = self.myself;
        let links: Vec<LinkId> = self
            .nodes
            .iter()
            .filter(|n| !n.is_myself() && !n.in_handshake())
            .filter(|n| {
                !local_replicas_only
                    || (n.is_replica()
                        && n.replica_of.is_some()
                        && (n.replica_of == my_master || n.replica_of == Some(me)))
            })
            .filter_map(|n| n.link)
            .collect();
        for l in links {
            self.send_ping(l, MsgType::Pong, now);
        }
    }

    /// `clusterSendFailoverAuthIfNeeded`: the six checks a master makes before voting.
    #[doc(alias = "clusterSendFailoverAuthIfNeeded")]
    pub(crate) fn send_failover_auth_if_needed(
        &mut self,
        now: SimTime,
        candidate: NodeId,
        msg: &ClusterMsg,
    ) {
        let hdr = &msg.header;
        let me = self.myself();
        if me.is_replica() || me.slots.is_empty() {
            return;
        }
        let deny = |s: &mut Self, why: String| {
            s.events.push_back(NodeEvent::AuthDenied { candidate, why });
        };
        if hdr.current_epoch < self.current_epoch {
            let why = format!(
                "reqEpoch ({}) < curEpoch({})",
                hdr.current_epoch, self.current_epoch
            );
            return deny(self, why);
        }
        if self.last_vote_epoch == self.current_epoch {
            let why = format!("already voted for epoch {}", self.current_epoch);
            return deny(self, why);
        }
        let Some(node) = self.node(&candidate) else {
            return;
        };
        let master = node.replica_of.and_then(|m| self.node(&m));
        if node.is_master() {
            return deny(self, "it is a master node".into());
        }
        let Some(master) = master else {
            return deny(self, "I don't know its master".into());
        };
        if !master.flags.contains(NodeFlags::FAIL) && !hdr.force_ack {
            return deny(self, "its master is up".into());
        }
        let window = self.config.node_timeout * 2;
        let since_vote = master.voted_time.map_or(u64::MAX, |t| now - t);
        if since_vote < window {
            let why = format!(
                "can't vote about this master before {} milliseconds",
                window - since_vote
            );
            return deny(self, why);
        }
        let master_id = master.id;
        let owners = self.owners_of(&hdr.myslots);
        for (slot, owner) in hdr.myslots.iter().zip(owners) {
            if let Some(o) = owner {
                let epoch = self.nodes[o].config_epoch;
                if epoch > hdr.config_epoch {
                    let why = format!(
                        "slot {slot} epoch ({epoch}) > reqEpoch ({})",
                        hdr.config_epoch
                    );
                    return deny(self, why);
                }
            }
        }
        self.last_vote_epoch = self.current_epoch;
        if let Some(m) = self.node_mut(&master_id) {
            m.voted_time = Some(now);
        }
        if let Some(link) = self.node(&candidate).and_then(|n| n.link) {
            self.send(link, MsgBody::FailoverAuthAck);
        }
        self.events.push_back(NodeEvent::AuthGranted {
            candidate,
            epoch: self.current_epoch,
        });
    }

    /// A vote arrived: it counts if a slot-owning master sent it in (or after) my election epoch.
    pub(crate) fn handle_failover_auth_ack(&mut self, sender: NodeId, sender_epoch: Epoch) {
        let counts = self
            .node(&sender)
            .is_some_and(|n| n.is_master() && !n.slots.is_empty())
            && sender_epoch >= self.election.auth_epoch;
        if counts {
            self.election.auth_count += 1;
            self.todo_handle_failover = true;
        }
    }
}
