//! Manual failover (`CLUSTER FAILOVER [FORCE|TAKEOVER]`): the replica asks its master to pause
//! writes (MFSTART), waits until it has processed the master's whole replication stream, then
//! wins an election the masters grant although its master is up (FORCEACK). FORCE skips the
//! master; TAKEOVER skips the election too, bumping its configEpoch without consensus.

use crate::event::NodeEvent;
use crate::ids::NodeId;
use crate::msg::MsgBody;
use crate::state::ClusterState;
use crate::time::{Millis, SimTime};

/// `CLUSTER_MF_TIMEOUT`: a manual failover that did not finish by then is abandoned.
pub const CLUSTER_MF_TIMEOUT: Millis = 5000;

/// `CLUSTER_MF_PAUSE_MULT`: the master pauses its clients for twice the timeout at most.
pub const CLUSTER_MF_PAUSE_MULT: u64 = 2;

/// Which manual failover was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailoverMode {
    /// Coordinated with the master: no acknowledged write is lost.
    Default,
    /// Without the master (it may be unreachable), but still with an election.
    Force,
    /// Without the master and without an election.
    Takeover,
}

/// The manual failover state of `clusterState` (`mf_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ManualFailover {
    /// When it is abandoned (`mf_end`); `None` when none is in progress.
    pub end: Option<SimTime>,
    /// On a master: the replica it pauses for (`mf_slave`).
    pub replica: Option<NodeId>,
    /// On a replica: the paused master's offset, once received (`mf_master_offset`).
    pub master_offset: Option<u64>,
    /// On a replica: the stream is caught up, the election may start (`mf_can_start`).
    pub can_start: bool,
}

impl ClusterState {
    /// `resetManualFailover`.
    pub(crate) fn reset_manual_failover(&mut self) {
        self.mf = ManualFailover::default();
    }

    /// The manual failover in progress, if any.
    pub fn manual_failover_state(&self) -> ManualFailover {
        self.mf
    }

    /// Whether this master holds its clients' writes for a replica's manual failover.
    pub fn writes_paused(&self, now: SimTime) -> bool {
        self.myself().is_master()
            && self.mf.replica.is_some()
            && self
                .mf
                .end
                .is_some_and(|end| now < end + CLUSTER_MF_TIMEOUT * (CLUSTER_MF_PAUSE_MULT - 1))
    }

    /// `CLUSTER FAILOVER [FORCE|TAKEOVER]` on this node; the error text is Redis's.
    pub fn manual_failover(&mut self, now: SimTime, mode: FailoverMode) -> Result<(), String> {
        let me = self.myself();
        if me.is_master() {
            return Err("You should send CLUSTER FAILOVER to a replica".into());
        }
        let Some(master) = me.replica_of.and_then(|m| self.node(&m)) else {
            return Err("I'm a replica but my master is unknown to me".into());
        };
        if mode == FailoverMode::Default && (master.is_failing() || master.link.is_none()) {
            return Err("Master is down or failed, please use CLUSTER FAILOVER FORCE".into());
        }
        let master_link = master.link;
        self.reset_manual_failover();
        self.mf.end = Some(now + CLUSTER_MF_TIMEOUT);
        match mode {
            FailoverMode::Takeover => {
                // No consensus: a fresh configEpoch of my own, then take the slots.
                self.events.push_back(NodeEvent::TakeoverAccepted);
                // clusterBumpConfigEpochWithoutConsensus.
                let _ = self.bump_epoch(now);
                self.failover_replace_your_master(now);
            }
            FailoverMode::Force => {
                self.mf.can_start = true;
                self.events.push_back(NodeEvent::ForcedFailoverAccepted);
            }
            FailoverMode::Default => {
                if let Some(link) = master_link {
                    self.send(link, MsgBody::MfStart);
                }
                self.events.push_back(NodeEvent::ManualFailoverAccepted);
            }
        }
        self.before_sleep(now);
        Ok(())
    }

    /// MFSTART from one of my replicas: pause writes and tell it my offset.
    pub(crate) fn handle_mf_start(&mut self, now: SimTime, sender: NodeId) {
        let is_my_replica = self
            .node(&sender)
            .is_some_and(|n| n.replica_of == Some(self.myself));
        if !is_my_replica || !self.myself().is_master() {
            return;
        }
        self.reset_manual_failover();
        self.mf.end = Some(now + CLUSTER_MF_TIMEOUT);
        self.mf.replica = Some(sender);
        self.events
            .push_back(NodeEvent::ManualFailoverRequested { replica: sender });
        // A PING right away carries the PAUSED flag and my final offset.
        if let Some(link) = self.node(&sender).and_then(|n| n.link) {
            self.send_ping(link, crate::msg::MsgType::Ping, now);
        }
    }

    /// A PING or PONG from my paused master: remember its offset (once).
    pub(crate) fn handle_paused_master_offset(
        &mut self,
        sender: NodeId,
        paused: bool,
        offset: u64,
    ) {
        if paused
            && self.mf.end.is_some()
            && self.mf.master_offset.is_none()
            && self.myself().replica_of == Some(sender)
        {
            self.mf.master_offset = Some(offset);
            self.events.push_back(NodeEvent::MfMasterOffset { offset });
        }
    }

    /// `manualFailoverCheckTimeout`, every cron tick.
    pub(crate) fn manual_failover_check_timeout(&mut self, now: SimTime) {
        if self.mf.end.is_some_and(|end| end < now) {
            self.events.push_back(NodeEvent::MfTimedOut);
            self.reset_manual_failover();
        }
    }

    /// `clusterHandleManualFailover`: the election may start once my offset reached the
    /// paused master's.
    pub(crate) fn handle_manual_failover(&mut self) {
        if self.mf.end.is_none() || self.mf.can_start {
            return;
        }
        if self.mf.master_offset == Some(self.myself().repl_offset) {
            self.mf.can_start = true;
            self.events.push_back(NodeEvent::MfCanStart);
        }
    }
}
