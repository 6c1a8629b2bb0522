//! Admin commands a client sends to one node (the parts of `clusterCommand` that change state).
//! The console parses text into these calls; errors display as Redis's text after `ERR `.

use std::fmt;
use std::net::IpAddr;

use crate::config::ClusterConfig;
use crate::event::NodeEvent;
use crate::flags::NodeFlags;
use crate::ids::{Epoch, NodeAddr, NodeId, Slot};
use crate::node::ClusterNode;
use crate::state::ClusterState;
use crate::time::SimTime;

/// How long a FORGET-ten node may not be re-added by gossip (`CLUSTER_BLACKLIST_TTL`).
pub const CLUSTER_BLACKLIST_TTL: u64 = 60_000;

/// Why a cluster command was refused. `Display` is Redis's text (without `ERR `).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterError {
    /// CLUSTER MEET to an address that cannot be a node's.
    InvalidNodeAddress {
        /// The IP as typed.
        ip: String,
        /// The port as typed.
        port: String,
    },
    /// ADDSLOTS on a slot that has an owner.
    SlotBusy(Slot),
    /// DELSLOTS on a slot without owner.
    SlotUnassigned(Slot),
    /// The same slot twice in one command.
    SlotRepeated(Slot),
    /// SET-CONFIG-EPOCH with a negative value.
    InvalidConfigEpoch(i64),
    /// SET-CONFIG-EPOCH once other nodes are known.
    ConfigEpochNotAlone,
    /// SET-CONFIG-EPOCH when the epoch is already set.
    ConfigEpochNonZero,
    /// A node id this node does not know.
    UnknownNode(String),
    /// CLUSTER REPLICATE of myself.
    CantReplicateMyself,
    /// CLUSTER REPLICATE of a replica.
    CanOnlyReplicateMaster,
    /// CLUSTER REPLICATE on a master with slots or keys.
    MasterNotEmpty,
    /// CLUSTER FORGET of myself.
    CantForgetMyself,
    /// CLUSTER FORGET of my master.
    CantForgetMyMaster,
    /// CLUSTER RESET on a master with keys.
    ResetWithKeys,
    /// CLUSTER FLUSHSLOTS with keys.
    FlushSlotsWithKeys,
    /// SETSLOT on a replica.
    SetSlotOnReplica,
    /// SETSLOT NODE to a replica.
    TargetNotMaster,
    /// SETSLOT MIGRATING/IMPORTING with a node id this node does not know.
    DontKnowNode(String),
    /// SETSLOT MIGRATING of a slot I do not own.
    NotOwner(Slot),
    /// SETSLOT IMPORTING of a slot I own.
    AlreadyOwner(Slot),
    /// SETSLOT NODE giving away a slot that still has keys here.
    SlotHasKeys(Slot),
}

impl fmt::Display for ClusterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClusterError::InvalidNodeAddress { ip, port } => {
                write!(f, "Invalid node address specified: {ip}:{port}")
            }
            ClusterError::SlotBusy(s) => write!(f, "Slot {s} is already busy"),
            ClusterError::SlotUnassigned(s) => write!(f, "Slot {s} is already unassigned"),
            ClusterError::SlotRepeated(s) => write!(f, "Slot {s} specified multiple times"),
            ClusterError::InvalidConfigEpoch(e) => write!(f, "Invalid config epoch specified: {e}"),
            ClusterError::ConfigEpochNotAlone => f.write_str(
                "The user can assign a config epoch only when the node does not know any other node.",
            ),
            ClusterError::ConfigEpochNonZero => f.write_str("Node config epoch is already non-zero"),
            ClusterError::UnknownNode(id) => write!(f, "Unknown node {id}"),
            ClusterError::CantReplicateMyself => f.write_str("Can't replicate myself"),
            ClusterError::CanOnlyReplicateMaster => {
                f.write_str("I can only replicate a master, not a replica.")
            }
            ClusterError::MasterNotEmpty => f.write_str(
                "To set a master the node must be empty and without assigned slots.",
            ),
            ClusterError::CantForgetMyself => f.write_str("I tried hard but I can't forget myself..."),
            ClusterError::CantForgetMyMaster => f.write_str("Can't forget my master!"),
            ClusterError::ResetWithKeys => {
                f.write_str("CLUSTER RESET can't be called with master nodes containing keys")
            }
            ClusterError::FlushSlotsWithKeys => {
                f.write_str("DB must be empty to perform CLUSTER FLUSHSLOTS.")
            }
            ClusterError::SetSlotOnReplica => f.write_str("Please use SETSLOT only with masters."),
            ClusterError::TargetNotMaster => f.write_str("Target node is not a master"),
            ClusterError::DontKnowNode(id) => write!(f, "I don't know about node {id}"),
            ClusterError::NotOwner(s) => write!(f, "I'm not the owner of hash slot {s}"),
            ClusterError::AlreadyOwner(s) => write!(f, "I'm already the owner of hash slot {s}"),
            ClusterError::SlotHasKeys(s) => write!(
                f,
                "Can't assign hashslot {s} to a different node while I still hold keys for this hash slot."
            ),
        }
    }
}

impl std::error::Error for ClusterError {}

/// Outcome of CLUSTER BUMPEPOCH.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BumpResult {
    /// The configEpoch was raised to this value (`BUMPED n`).
    Bumped(Epoch),
    /// Already the greatest; unchanged (`STILL n`).
    Still(Epoch),
}

impl ClusterState {
    /// `CLUSTER MEET ip port cport` (`clusterStartHandshake`): adds a handshake node with a
    /// random id; the cron connects to it and sends MEET.
    pub fn meet(
        &mut self,
        now: SimTime,
        ip: &str,
        port: i64,
        cport: i64,
    ) -> Result<(), ClusterError> {
        let invalid = || ClusterError::InvalidNodeAddress {
            ip: ip.to_string(),
            port: port.to_string(),
        };
        let ip: IpAddr = ip.parse().map_err(|_| invalid())?;
        let (Ok(port16), Ok(cport16)) = (u16::try_from(port), u16::try_from(cport)) else {
            return Err(invalid());
        };
        if port16 == 0 || cport16 == 0 {
            return Err(invalid());
        }
        let addr = NodeAddr {
            ip: Some(ip),
            port: port16,
            cport: cport16,
        };
        // A handshake already in progress with that address: nothing to do (still OK).
        if self
            .nodes
            .iter()
            .any(|n| n.in_handshake() && n.addr == addr)
        {
            return Ok(());
        }
        let id = NodeId::random(&mut self.rng);
        self.add_node(ClusterNode::new(
            id,
            addr,
            NodeFlags::HANDSHAKE | NodeFlags::MEET,
            now,
        ));
        self.before_sleep(now);
        Ok(())
    }

    /// Checks slot ranges for ADDSLOTS/DELSLOTS without changing anything
    /// (`checkSlotAssignmentsOrReply`): busy, unassigned or repeated slots.
    pub fn check_slots(&self, ranges: &[(Slot, Slot)], del: bool) -> Result<(), ClusterError> {
        self.check_slot_ranges(ranges, del).map(|_| ())
    }

    fn check_slot_ranges(
        &self,
        ranges: &[(Slot, Slot)],
        del: bool,
    ) -> Result<Vec<Slot>, ClusterError> {
        let owners = self.slot_owners();
        let mut seen = vec![false; crate::slots::CLUSTER_SLOTS];
        let mut all = Vec::new();
        for &(start, end) in ranges {
            for slot in start..=end {
                let owned = owners[usize::from(slot)].is_some();
                if del && !owned {
                    return Err(ClusterError::SlotUnassigned(slot));
                }
                if !del && owned {
                    return Err(ClusterError::SlotBusy(slot));
                }
                if std::mem::replace(&mut seen[usize::from(slot)], true) {
                    return Err(ClusterError::SlotRepeated(slot));
                }
                all.push(slot);
            }
        }
        Ok(all)
    }

    /// `CLUSTER ADDSLOTS` / `ADDSLOTSRANGE`: claim unassigned slots (in-range, validated by the
    /// caller). Others learn them from this node's headers.
    pub fn add_slots(&mut self, now: SimTime, ranges: &[(Slot, Slot)]) -> Result<(), ClusterError> {
        let slots = self.check_slot_ranges(ranges, false)?;
        for s in slots {
            self.myself_mut().slots.insert(s);
        }
        self.todo_update_state = true;
        self.before_sleep(now);
        Ok(())
    }

    /// `CLUSTER DELSLOTS` / `DELSLOTSRANGE`: unassign slots in this node's table only.
    pub fn del_slots(&mut self, now: SimTime, ranges: &[(Slot, Slot)]) -> Result<(), ClusterError> {
        let slots = self.check_slot_ranges(ranges, true)?;
        for s in slots {
            for n in &mut self.nodes {
                n.slots.remove(s);
            }
        }
        self.todo_update_state = true;
        self.before_sleep(now);
        Ok(())
    }

    /// `CLUSTER SET-CONFIG-EPOCH`: only on a node that knows nobody and has epoch 0.
    pub fn set_config_epoch(&mut self, now: SimTime, epoch: i64) -> Result<(), ClusterError> {
        let Ok(e) = Epoch::try_from(epoch) else {
            return Err(ClusterError::InvalidConfigEpoch(epoch));
        };
        if self.nodes.len() > 1 {
            return Err(ClusterError::ConfigEpochNotAlone);
        }
        if self.myself().config_epoch != 0 {
            return Err(ClusterError::ConfigEpochNonZero);
        }
        self.myself_mut().config_epoch = e;
        self.current_epoch = self.current_epoch.max(e);
        self.events
            .push_back(NodeEvent::ConfigEpochSet { epoch: e });
        self.todo_update_state = true;
        self.before_sleep(now);
        Ok(())
    }

    /// `CLUSTER REPLICATE <id>` (`clusterSetMaster`). `has_keys` says whether the node's
    /// database is non-empty (the data lives in the driver).
    pub fn replicate(
        &mut self,
        now: SimTime,
        id: &str,
        has_keys: bool,
    ) -> Result<(), ClusterError> {
        let unknown = || ClusterError::UnknownNode(id.to_string());
        let target = NodeId::parse(id.as_bytes()).ok_or_else(unknown)?;
        let n = self.node(&target).ok_or_else(unknown)?;
        if target == self.myself {
            return Err(ClusterError::CantReplicateMyself);
        }
        if n.is_replica() {
            return Err(ClusterError::CanOnlyReplicateMaster);
        }
        let me = self.myself();
        if me.is_master() && (!me.slots.is_empty() || has_keys) {
            return Err(ClusterError::MasterNotEmpty);
        }
        self.set_myself_replica_of(now, &target);
        self.before_sleep(now);
        Ok(())
    }

    /// `CLUSTER FORGET <id>`: drop a node and refuse to re-learn it from gossip for a minute.
    pub fn forget(&mut self, now: SimTime, id: &str) -> Result<(), ClusterError> {
        let unknown = || ClusterError::UnknownNode(id.to_string());
        let target = NodeId::parse(id.as_bytes()).ok_or_else(unknown)?;
        self.node(&target).ok_or_else(unknown)?;
        if target == self.myself {
            return Err(ClusterError::CantForgetMyself);
        }
        if self.myself().is_replica() && self.myself().replica_of == Some(target) {
            return Err(ClusterError::CantForgetMyMaster);
        }
        self.blacklist.insert(target, now + CLUSTER_BLACKLIST_TTL);
        self.delete_node(&target);
        self.todo_update_state = true;
        self.before_sleep(now);
        Ok(())
    }

    /// `CLUSTER RESET [SOFT|HARD]` (`clusterReset`): become an empty master that knows nobody;
    /// HARD also zeroes the epochs and takes a new id.
    pub fn reset(&mut self, now: SimTime, hard: bool, has_keys: bool) -> Result<(), ClusterError> {
        if self.myself().is_master() && has_keys {
            return Err(ClusterError::ResetWithKeys);
        }
        if self.myself().is_replica() {
            let me = self.myself;
            self.set_node_as_master(&me);
            self.transmits
                .push_back(crate::link::Transmit::SetReplicationMaster {
                    master: None,
                    promoted: false,
                });
            self.repl = crate::failover::ReplicaLink::default();
        }
        self.myself_mut().slots = crate::slots::SlotSet::new();
        self.migrating_slots_to.clear();
        self.importing_slots_from.clear();
        self.reset_manual_failover();
        let others: Vec<NodeId> = self.nodes.iter().skip(1).map(|n| n.id).collect();
        for id in others {
            self.delete_node(&id);
        }
        if hard {
            self.current_epoch = 0;
            self.last_vote_epoch = 0;
            self.myself_mut().config_epoch = 0;
            self.events.push_back(NodeEvent::ConfigEpochReset);
            let id = NodeId::random(&mut self.rng);
            self.myself = id;
            self.nodes[0].id = id;
            self.reindex();
            self.events.push_back(NodeEvent::HardReset { myself: id });
        }
        self.todo_update_state = true;
        self.before_sleep(now);
        Ok(())
    }

    /// `CLUSTER FLUSHSLOTS`: unassign every slot of mine (only with an empty database).
    pub fn flush_slots(&mut self, now: SimTime, has_keys: bool) -> Result<(), ClusterError> {
        if has_keys {
            return Err(ClusterError::FlushSlotsWithKeys);
        }
        self.myself_mut().slots = crate::slots::SlotSet::new();
        self.todo_update_state = true;
        self.before_sleep(now);
        Ok(())
    }

    /// Checked before anything else by every `CLUSTER SETSLOT` form.
    pub fn check_setslot_allowed(&self) -> Result<(), ClusterError> {
        if self.myself().is_replica() {
            Err(ClusterError::SetSlotOnReplica)
        } else {
            Ok(())
        }
    }

    /// `CLUSTER SETSLOT <slot> NODE <id>`: bind the slot to a master in this node's table; a
    /// master that gives away its last slot becomes a replica of the new owner (7.0).
    pub fn set_slot_node(
        &mut self,
        now: SimTime,
        slot: Slot,
        id: &str,
        keys_in_slot: usize,
    ) -> Result<(), ClusterError> {
        self.check_setslot_allowed()?;
        let unknown = || ClusterError::UnknownNode(id.to_string());
        let target = NodeId::parse(id.as_bytes()).ok_or_else(unknown)?;
        let n = self.node(&target).ok_or_else(unknown)?;
        if n.is_replica() {
            return Err(ClusterError::TargetNotMaster);
        }
        if self.myself().slots.contains(slot) && target != self.myself && keys_in_slot != 0 {
            return Err(ClusterError::SlotHasKeys(slot));
        }
        // Giving the slot away with no keys left ends its migration.
        if keys_in_slot == 0 {
            self.migrating_slots_to.remove(&slot);
        }
        let was_mine = self.myself().slots.contains(slot);
        for n in &mut self.nodes {
            n.slots.remove(slot);
        }
        self.node_mut(&target)
            .expect("looked up above")
            .slots
            .insert(slot);
        if was_mine
            && target != self.myself
            && self.myself().slots.is_empty()
            && self.config.allow_replica_migration
        {
            self.events
                .push_back(NodeEvent::ReconfiguredAsReplica { master: target });
            self.set_myself_replica_of(now, &target);
        }
        // Taking the slot ends its import: a fresh configEpoch makes the move win everywhere.
        if target == self.myself && self.importing_slots_from.remove(&slot).is_some() {
            if let BumpResult::Bumped(_) = self.bump_epoch(now) {
                self.events
                    .push_back(NodeEvent::ConfigEpochAfterImport { slot });
            }
            self.broadcast_pong(now, false);
        }
        self.todo_update_state = true;
        self.before_sleep(now);
        Ok(())
    }

    /// Runtime configuration changes (`CONFIG SET cluster-*`). Call
    /// [`apply_config`](Self::apply_config) afterwards.
    pub fn config_mut(&mut self) -> &mut ClusterConfig {
        &mut self.config
    }

    /// Makes a changed configuration visible: `cluster-replica-no-failover` is announced as the
    /// `nofailover` flag in every header (`clusterUpdateMyselfFlags`).
    pub fn apply_config(&mut self, now: SimTime) {
        let no_failover = self.config.replica_no_failover;
        let me = self.myself_mut();
        if no_failover {
            me.flags.insert(NodeFlags::NOFAILOVER);
        } else {
            me.flags.remove(NodeFlags::NOFAILOVER);
        }
        self.todo_update_state = true;
        self.before_sleep(now);
    }

    /// `CLUSTER BUMPEPOCH` (`clusterBumpConfigEpochWithoutConsensus`).
    pub fn bump_epoch(&mut self, now: SimTime) -> BumpResult {
        let max_epoch = self
            .nodes
            .iter()
            .map(|n| n.config_epoch)
            .max()
            .unwrap_or(0)
            .max(self.current_epoch);
        let mine = self.myself().config_epoch;
        if mine == 0 || mine != max_epoch {
            self.current_epoch += 1;
            let e = self.current_epoch;
            self.myself_mut().config_epoch = e;
            self.events.push_back(NodeEvent::EpochBumped { epoch: e });
            self.before_sleep(now);
            BumpResult::Bumped(e)
        } else {
            BumpResult::Still(mine)
        }
    }
}
