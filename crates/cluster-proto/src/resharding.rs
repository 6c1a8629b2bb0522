//! Moving a slot between masters by hand: `CLUSTER SETSLOT <slot> MIGRATING|IMPORTING|STABLE`,
//! the state that makes a node answer ASK or TRYAGAIN while keys move, and the `[slot->-id]`
//! and `[slot-<-id]` notation of CLUSTER NODES.

use crate::commands::ClusterError;
use crate::ids::{NodeId, Slot};
use crate::state::ClusterState;

impl ClusterState {
    fn lookup_for_setslot(&self, id: &str) -> Result<NodeId, ClusterError> {
        let unknown = || ClusterError::DontKnowNode(id.to_string());
        let target = NodeId::parse(id.as_bytes()).ok_or_else(unknown)?;
        let n = self.node(&target).ok_or_else(unknown)?;
        if n.is_replica() {
            return Err(ClusterError::TargetNotMaster);
        }
        Ok(target)
    }

    /// `CLUSTER SETSLOT <slot> MIGRATING <id>`: keys of my slot are moving to `id`; missing
    /// keys are answered with ASK there.
    pub fn set_slot_migrating(&mut self, slot: Slot, id: &str) -> Result<(), ClusterError> {
        self.check_setslot_allowed()?;
        if !self.myself().slots.contains(slot) {
            return Err(ClusterError::NotOwner(slot));
        }
        let target = self.lookup_for_setslot(id)?;
        self.migrating_slots_to.insert(slot, target);
        Ok(())
    }

    /// `CLUSTER SETSLOT <slot> IMPORTING <id>`: keys of `id`'s slot are arriving here; clients
    /// that say ASKING are served.
    pub fn set_slot_importing(&mut self, slot: Slot, id: &str) -> Result<(), ClusterError> {
        self.check_setslot_allowed()?;
        if self.myself().slots.contains(slot) {
            return Err(ClusterError::AlreadyOwner(slot));
        }
        let source = self.lookup_for_setslot(id)?;
        self.importing_slots_from.insert(slot, source);
        Ok(())
    }

    /// `CLUSTER SETSLOT <slot> STABLE`: forget any migration of the slot.
    pub fn set_slot_stable(&mut self, slot: Slot) -> Result<(), ClusterError> {
        self.check_setslot_allowed()?;
        self.migrating_slots_to.remove(&slot);
        self.importing_slots_from.remove(&slot);
        Ok(())
    }

    /// Where my slot is migrating to, if it is.
    pub fn migrating_to(&self, slot: Slot) -> Option<NodeId> {
        self.migrating_slots_to.get(&slot).copied()
    }

    /// Where a slot I import comes from, if I do.
    pub fn importing_from(&self, slot: Slot) -> Option<NodeId> {
        self.importing_slots_from.get(&slot).copied()
    }

    /// The open slots as CLUSTER NODES prints them after myself's slot ranges, in slot order:
    /// ` [5->-<id>]` while migrating, ` [9-<-<id>]` while importing.
    pub fn open_slots_text(&self) -> String {
        let mut slots: Vec<Slot> = self
            .migrating_slots_to
            .keys()
            .chain(self.importing_slots_from.keys())
            .copied()
            .collect();
        slots.sort_unstable();
        slots.dedup();
        slots
            .into_iter()
            .map(|s| match self.migrating_slots_to.get(&s) {
                Some(to) => format!(" [{s}->-{to}]"),
                None => format!(
                    " [{s}-<-{}]",
                    self.importing_slots_from
                        .get(&s)
                        .map(|id| id.to_string())
                        .unwrap_or_default()
                ),
            })
            .collect()
    }
}
