//! Configuration propagation: slot ownership by configEpoch, UPDATE messages, epoch
//! collisions, and role changes announced by peers.

use crate::event::NodeEvent;
use crate::flags::NodeFlags;
use crate::ids::{Epoch, NodeId, Slot};
use crate::msg::MsgBody;
use crate::slots::{CLUSTER_SLOTS, SlotSet};
use crate::state::ClusterState;
use crate::time::SimTime;

impl ClusterState {
    /// The owner of every slot in this node's table, as indices into [`nodes`](Self::nodes).
    pub fn slot_owners(&self) -> Vec<Option<usize>> {
        let mut owners = vec![None; CLUSTER_SLOTS];
        for (i, n) in self.nodes.iter().enumerate() {
            for &(start, end) in n.slots.runs() {
                owners[usize::from(start)..=usize::from(end)].fill(Some(i));
            }
        }
        owners
    }

    /// The owners of just the slots in `claimed`, in `claimed`'s order: what
    /// [`slot_owners`](Self::slot_owners) says of them, without building the whole table.
    /// Every PING whose slot claims differ from our view asks this; at 1,000 nodes, most
    /// claims are a few dozen slots.
    pub(crate) fn owners_of(&self, claimed: &SlotSet) -> Vec<Option<usize>> {
        let wanted = claimed.runs();
        // Where each claimed run starts in the answer.
        let mut offsets = Vec::with_capacity(wanted.len());
        let mut at = 0;
        for &(start, end) in wanted {
            offsets.push(at);
            at += usize::from(end - start) + 1;
        }
        let mut owners = vec![None; at];
        // Nodes in table order, so that a later claim overwrites, as in `slot_owners`.
        for (i, n) in self.nodes.iter().enumerate() {
            for &(start, end) in n.slots.runs() {
                let mut k = wanted.partition_point(|&(_, e)| e < start);
                while let Some(&(ws, we)) = wanted.get(k).filter(|&&(ws, _)| ws <= end) {
                    for slot in start.max(ws)..=end.min(we) {
                        owners[offsets[k] + usize::from(slot - ws)] = Some(i);
                    }
                    k += 1;
                }
            }
        }
        owners
    }

    /// The owner of one slot.
    pub fn slot_owner(&self, slot: Slot) -> Option<&crate::node::ClusterNode> {
        self.nodes.iter().find(|n| n.slots.contains(slot))
    }

    /// `clusterSetNodeAsMaster`: a peer announced itself as a master.
    pub(crate) fn set_node_as_master(&mut self, id: &NodeId) {
        let Some(idx) = self.index_of(id) else {
            return;
        };
        if self.nodes[idx].is_master() {
            return;
        }
        if let Some(old) = self.nodes[idx].replica_of {
            if let Some(m) = self.node_mut(&old) {
                m.replicas.retain(|r| r != id);
            }
            // A replica that was promoted: its old shard may want a migrated replica later.
            if !self.nodes[idx].is_myself() {
                self.nodes[idx].flags.insert(NodeFlags::MIGRATE_TO);
            }
        }
        let n = &mut self.nodes[idx];
        n.flags.remove(NodeFlags::REPLICA);
        n.flags.insert(NodeFlags::MASTER);
        n.replica_of = None;
        self.todo_update_state = true;
    }

    /// `clusterUpdateSlotsConfigWith`: `sender` claims `slots` at `sender_epoch`; every slot that
    /// is unassigned or owned at a lower configEpoch moves to it. Equal epochs never steal.
    #[doc(alias = "clusterUpdateSlotsConfigWith")]
    pub(crate) fn update_slots_config_with(
        &mut self,
        now: SimTime,
        sender: &NodeId,
        sender_epoch: Epoch,
        slots: &SlotSet,
    ) {
        if *sender == self.myself {
            return;
        }
        let Some(sidx) = self.index_of(sender) else {
            return;
        };
        let curmaster = if self.myself().is_master() {
            Some(0)
        } else {
            self.myself().replica_of.and_then(|m| self.index_of(&m))
        };
        let owners = self.owners_of(slots);
        let (mut sender_slots, mut migrated_our_slots) = (0, 0);
        let mut new_master = false;
        let mut lost_mine = Vec::new();
        for (slot, owner) in slots.iter().zip(owners) {
            sender_slots += 1;
            // A slot being imported by hand is not taken from under the operator.
            if owner == Some(sidx) || self.importing_slots_from.contains_key(&slot) {
                continue;
            }
            let take = match owner {
                None => true,
                Some(o) => self.nodes[o].config_epoch < sender_epoch,
            };
            if take {
                if owner.is_some() && owner == curmaster {
                    new_master = true;
                    migrated_our_slots += 1;
                }
                if let Some(o) = owner {
                    self.nodes[o].slots.remove(slot);
                    if o == 0 {
                        lost_mine.push(slot);
                    }
                }
                self.nodes[sidx].slots.insert(slot);
                self.todo_update_state = true;
            }
        }
        let curmaster_empty = curmaster.is_some_and(|c| self.nodes[c].slots.is_empty());
        if new_master
            && curmaster_empty
            && (self.config.allow_replica_migration || sender_slots == migrated_our_slots)
        {
            self.events
                .push_back(NodeEvent::ReconfiguredAsReplica { master: *sender });
            self.set_myself_replica_of(now, sender);
        } else if let Some(grandmaster) = self.grandmaster() {
            // My master lost its last slot and follows someone: nothing else would move me
            // (no slot of mine changes hands again), so follow that node directly.
            self.events.push_back(NodeEvent::SubReplica { grandmaster });
            self.set_myself_replica_of(now, &grandmaster);
        } else if !lost_mine.is_empty() && self.myself().is_master() {
            // Still a master, but some of my slots went to a node with a greater epoch: the
            // keys I keep for them are stale (delKeysInSlot).
            self.transmits
                .push_back(crate::link::Transmit::DropSlotKeys { slots: lost_mine });
        }
    }

    /// My master's master, when my master is itself a replica (of a node other than me: after
    /// a TAKEOVER that can briefly be the case, and Redis then waits for the operator).
    fn grandmaster(&self) -> Option<NodeId> {
        let master = self.myself().replica_of?;
        let grand = self.node(&master)?.replica_of?;
        (grand != self.myself).then_some(grand)
    }

    /// A sender claims slots we know belong to a node with a greater configEpoch: tell it with
    /// one UPDATE about the first such owner.
    pub(crate) fn send_update_if_stale(
        &mut self,
        sender: &NodeId,
        sender_epoch: Epoch,
        claimed: &SlotSet,
    ) {
        let Some(sidx) = self.index_of(sender) else {
            return;
        };
        let owners = self.owners_of(claimed);
        for o in owners {
            let Some(o) = o else {
                continue;
            };
            if o == sidx {
                continue;
            }
            if self.nodes[o].config_epoch > sender_epoch {
                let (owner_id, epoch, owner_slots) = (
                    self.nodes[o].id,
                    self.nodes[o].config_epoch,
                    self.nodes[o].slots.clone(),
                );
                self.events.push_back(NodeEvent::SendingUpdate {
                    sender: *sender,
                    owner: owner_id,
                });
                if let Some(link) = self.nodes[sidx].link {
                    self.send(
                        link,
                        MsgBody::Update {
                            config_epoch: epoch,
                            id: owner_id,
                            slots: owner_slots,
                        },
                    );
                }
                return;
            }
        }
    }

    /// `clusterHandleConfigEpochCollision`: two masters share a configEpoch; the one with the
    /// smaller id takes a new epoch, so in the end every master's epoch is unique.
    #[doc(alias = "clusterHandleConfigEpochCollision")]
    pub(crate) fn handle_config_epoch_collision(&mut self, sender: &NodeId) {
        let mine = self.myself().config_epoch;
        let Some(s) = self.node(sender) else {
            return;
        };
        if s.config_epoch != mine || !s.is_master() || !self.myself().is_master() {
            return;
        }
        // Only the node with the lexicographically smaller id moves.
        if sender.as_str().as_bytes() <= self.myself.as_str().as_bytes() {
            return;
        }
        self.current_epoch += 1;
        let epoch = self.current_epoch;
        self.myself_mut().config_epoch = epoch;
        self.events.push_back(NodeEvent::ConfigEpochCollision {
            other: *sender,
            epoch,
        });
    }

    /// `clusterSetMaster` for myself: become a replica of `master`, dropping my slots.
    pub(crate) fn set_myself_replica_of(&mut self, now: SimTime, master: &NodeId) {
        if *master == self.myself {
            return;
        }
        let me = self.myself;
        if let Some(old) = self.myself().replica_of
            && let Some(m) = self.node_mut(&old)
        {
            m.replicas.retain(|r| *r != me);
        }
        // clusterCloseAllSlots: a replica migrates and imports nothing.
        self.migrating_slots_to.clear();
        self.importing_slots_from.clear();
        let n = self.myself_mut();
        n.slots = SlotSet::new();
        n.flags.remove(NodeFlags::MASTER | NodeFlags::MIGRATE_TO);
        n.flags.insert(NodeFlags::REPLICA);
        n.replica_of = Some(*master);
        if let Some(m) = self.node_mut(master)
            && !m.replicas.contains(&me)
        {
            m.replicas.push(me);
            m.flags.insert(NodeFlags::MIGRATE_TO);
        }
        // Switching masters breaks the current replication link, if any.
        if self.repl.connected {
            self.repl.connected = false;
            self.repl.down_since_secs = now.as_unix_secs();
        }
        let addr = self.node(master).map(|m| m.addr);
        self.transmits
            .push_back(crate::link::Transmit::SetReplicationMaster {
                master: addr,
                promoted: false,
            });
        // clusterSetMaster: a new master ends any manual failover (and unpauses writes).
        self.reset_manual_failover();
        if let Some(addr) = addr {
            self.events.push_back(NodeEvent::ReplicaOf { master: addr });
        }
        self.todo_update_state = true;
    }
}
