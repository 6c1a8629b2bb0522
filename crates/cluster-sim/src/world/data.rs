//! The data plane of the world: each server's keyspace, the replication stream that carries a
//! master's writes to its replicas (asynchronously, through the simulated network), and what a
//! restart loads from disk.

use std::collections::VecDeque;

use cluster_proto::{ReplUpdate, SimTime};

use super::{Event, Simulator};
use crate::host::{NO_REPLID, ReplLinkState};
use crate::keyspace::Keyspace;

/// `repl-backlog-size` (1 MB): how much of its stream a master keeps for partial resyncs.
pub const REPL_BACKLOG_SIZE: u64 = 1024 * 1024;

/// One command in a master's replication stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamEntry {
    /// The stream offset just after this command.
    pub end: u64,
    /// The command as propagated.
    pub argv: Vec<Vec<u8>>,
    /// When the master ran it: a replica applies it at that time (a replica never expires
    /// keys on its own clock while applying its master's stream).
    pub time: SimTime,
}

/// A master's replication stream: the backlog of what it sent, newest last.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stream {
    entries: VecDeque<StreamEntry>,
    /// Whether the stream has selected database 0 yet (Redis sends `SELECT 0` first).
    selected: bool,
}

/// The size of a command in the RESP protocol, as the stream counts offsets.
pub fn resp_len(argv: &[Vec<u8>]) -> u64 {
    let header = format!("*{}\r\n", argv.len()).len();
    let args: usize = argv
        .iter()
        .map(|a| format!("${}\r\n", a.len()).len() + a.len() + 2)
        .sum();
    (header + args) as u64
}

impl Stream {
    /// Appends a command ending at stream offset `end`, forgetting history beyond the backlog.
    pub(crate) fn push(&mut self, end: u64, argv: Vec<Vec<u8>>, time: SimTime) {
        self.entries.push_back(StreamEntry { end, argv, time });
        // Keep about repl-backlog-size bytes of history.
        while self
            .entries
            .front()
            .is_some_and(|first| end.saturating_sub(first.end) > REPL_BACKLOG_SIZE)
        {
            self.entries.pop_front();
        }
    }

    /// A full sync starts: the next write selects the database again (`slaveseldb = -1`).
    pub(crate) fn reset_select(&mut self) {
        self.selected = false;
    }

    /// Whether every byte after `offset` up to `end` (the master's offset) is in the backlog.
    fn holds_after(&self, offset: u64, end: u64) -> bool {
        if offset == end {
            return true;
        }
        let first_start = self.entries.front().map(|e| e.end - resp_len(&e.argv));
        offset < end
            && first_start.is_some_and(|s| s <= offset)
            && self.entries.back().is_some_and(|e| e.end == end)
    }

    /// Entries after `offset`, or `None` if the backlog no longer reaches back that far.
    fn after(&self, offset: u64) -> Option<Vec<StreamEntry>> {
        let first_start = self.entries.front().map(|e| e.end - resp_len(&e.argv));
        if first_start.is_some_and(|s| offset < s) {
            return None;
        }
        Some(
            self.entries
                .iter()
                .filter(|e| e.end > offset)
                .cloned()
                .collect(),
        )
    }
}

impl Simulator {
    /// The keyspace of the server on `port` (running or not).
    pub fn db(&self, port: u16) -> Option<&Keyspace> {
        self.hosts.get(&port).map(|h| &h.db)
    }

    /// The keyspace of the running server on `port`, to run a command on.
    pub fn db_mut(&mut self, port: u16) -> Option<&mut Keyspace> {
        self.hosts
            .get_mut(&port)
            .filter(|h| h.is_running())
            .map(|h| &mut h.db)
    }

    /// A master ran a write: it goes into its replication stream (after a `SELECT 0` the
    /// first time) and travels to each connected replica, arriving after the network's latency.
    /// A replica's own writes are not propagated (replicas are read-only to clients).
    pub fn propagate(&mut self, port: u16, argv: Vec<Vec<u8>>) {
        self.propagate_with(port, argv, true);
    }

    /// [`propagate`](Self::propagate) for what no client was told succeeded on its own (MIGRATE
    /// moving keys, a transaction's MULTI/EXEC markers): it stays out of the ledger.
    pub fn propagate_internal(&mut self, port: u16, argv: Vec<Vec<u8>>) {
        self.propagate_with(port, argv, false);
    }

    fn propagate_with(&mut self, port: u16, argv: Vec<Vec<u8>>, acknowledged: bool) {
        let Some(h) = self
            .hosts
            .get_mut(&port)
            .filter(|h| h.is_running() && h.replica_of.is_none())
        else {
            return;
        };
        if !h.stream.selected {
            h.stream.selected = true;
            let select = vec![b"SELECT".to_vec(), b"0".to_vec()];
            h.repl_offset += resp_len(&select);
            let end = h.repl_offset;
            h.stream.push(end, select, self.now);
        }
        h.repl_offset += resp_len(&argv);
        let (end, offset) = (h.repl_offset, h.repl_offset);
        if acknowledged {
            self.ledger.record(self.now, port, &h.replid, end, &argv);
        }
        h.stream.push(end, argv, self.now);
        let has_expires = h.db.has_expires();
        self.with_node(port, |n, now| {
            n.handle_repl_update(now, ReplUpdate::MasterOffset(offset))
        });
        if has_expires {
            self.arm_expire_cron();
        }
        for (replica, _) in self.connected_replicas(port) {
            if !self.net.reachable(port, replica) {
                continue; // TCP keeps it; the next replicationCron retransmits
            }
            let generation = self.hosts[&replica].repl_gen;
            let latency = self.net.latency(port, replica);
            if latency == 0 {
                // Loopback without added latency: the replica has it before the next command
                // could arrive (commands typed in one millisecond must already see it).
                self.repl_catch_up(replica, generation);
            } else {
                self.schedule(
                    self.now + latency,
                    Event::ReplStream {
                        replica,
                        generation,
                    },
                );
            }
        }
    }

    /// `PSYNC replid offset` (`masterTryPartialResynchronization`): accepted when the replica
    /// follows the master's history (or the one the master continued, up to where it took
    /// over) and the backlog still holds everything after its offset. The link is up at once
    /// and the missing part of the stream follows; otherwise the caller does a full sync.
    pub(super) fn partial_resync(&mut self, replica: u16, master: u16, generation: u64) -> bool {
        let (Some(r), Some(m)) = (self.hosts.get(&replica), self.running(master)) else {
            return false;
        };
        let next = r.repl_offset + 1;
        let same_history = r.replid == m.replid
            || (r.replid == m.replid2
                && i64::try_from(next).is_ok_and(|n| n <= m.second_repl_offset));
        let in_backlog = m.backlog_first_byte.is_some_and(|first| next >= first)
            && m.stream.holds_after(r.repl_offset, m.repl_offset);
        if !same_history || !in_backlog {
            return false;
        }
        let master_replid = m.replid.clone();
        let h = self.hosts.get_mut(&replica).expect("looked up above");
        h.replid = master_replid;
        h.backlog_first_byte = Some(next);
        if let Some(ro) = h.replica_of.as_mut() {
            ro.state = ReplLinkState::Up;
        }
        let offset = h.repl_offset;
        self.with_node(replica, |n, now| {
            n.handle_repl_update(now, ReplUpdate::MasterLinkUp { offset })
        });
        self.repl_catch_up(replica, generation);
        true
    }

    /// A replica receives what its master's stream holds beyond its offset and applies it.
    pub(super) fn repl_catch_up(&mut self, replica: u16, generation: u64) {
        let Some(r) = self.current_repl(replica, generation) else {
            return;
        };
        if r.state != ReplLinkState::Up || !self.net.reachable(r.master_port, replica) {
            return;
        }
        let Some(master) = self.hosts.get(&r.master_port).filter(|m| m.is_running()) else {
            return;
        };
        let from = self.hosts[&replica].repl_offset;
        let (entries, master_db, master_offset) = match master.stream.after(from) {
            Some(e) => (e, None, master.repl_offset),
            // Too far behind for the backlog: the whole dataset again (a full resync).
            None => (Vec::new(), Some(master.db.clone()), master.repl_offset),
        };
        if entries.is_empty() && master_db.is_none() {
            return;
        }
        let h = self.hosts.get_mut(&replica).expect("checked running");
        if let Some(db) = master_db {
            h.db = db;
            h.repl_offset = master_offset;
            h.stream = Stream::default();
        }
        for e in entries {
            crate::apply::execute(&mut h.db, &e.argv, e.time);
            h.repl_offset = e.end;
        }
        let offset = h.repl_offset;
        self.with_node(replica, |n, now| {
            n.handle_repl_update(now, ReplUpdate::MasterData { offset })
        });
    }

    /// A full sync: the replica's dataset becomes a copy of its master's. A former master
    /// loses the writes it acknowledged that its new master never had (for instance while it
    /// was cut off in a minority).
    pub(super) fn full_sync_data(&mut self, replica: u16, master: u16) {
        let Some(m) = self.hosts.get(&master) else {
            return;
        };
        let db = m.db.clone();
        let Some(h) = self.hosts.get(&replica) else {
            return;
        };
        let history = h.replid.clone();
        // Only when the new master's data continues this replica's own history (it was promoted
        // from it, perhaps restarted since) are the rest of that history's writes gone; a
        // master that merely handed its slots over (resharding) moved its keys with them.
        let branch = self.branched_at(&m.replid, &history);
        if branch.is_none() {
            // The new master's data does not come from this history at all (it took the slots
            // over with a TAKEOVER while this one still acknowledged writes, say): what this
            // replica acknowledged there and still holds is replaced now. (Keys it migrated away
            // by resharding are no longer here, so they are not counted.)
            let now = self.now;
            let db = &h.db;
            let lost = self.ledger.lose_where(
                now,
                &|w| {
                    w.port == replica
                        && w.replid == history
                        && w.key.as_ref().is_some_and(|k| db.get(k, now).is_some())
                },
                &|_| {
                    format!(
                        "{replica} acknowledged it in a history {master} never had (it had taken the slots over meanwhile); {replica} dropped it when it resynchronised as {master}'s replica"
                    )
                },
            );
            self.tell_lost(replica, &lost);
        }
        if let Some(kept) = branch {
            self.lose_writes(replica, &history, kept, |w| {
                format!(
                    "{replica} acknowledged it at offset {} after its last common point with {master} (offset {kept}); {replica} dropped it when it resynchronised as {master}'s replica",
                    w.end
                )
            });
        }
        if let Some(h) = self.hosts.get_mut(&replica) {
            h.db = db;
            // A full sync frees the old backlog: a later promotion starts a fresh stream.
            h.stream = Stream::default();
        }
    }

    /// Marks lost writes in the ledger and tells the story.
    pub(super) fn lose_writes(
        &mut self,
        port: u16,
        history: &str,
        kept: u64,
        reason: impl Fn(&crate::ledger::AckedWrite) -> String,
    ) {
        let lost = self
            .ledger
            .lose_after(port, history, kept, self.now, &reason);
        self.tell_lost(port, &lost);
    }

    /// Tells the story of writes just marked lost.
    fn tell_lost(&mut self, port: u16, lost: &[crate::ledger::LostWrite]) {
        if lost.is_empty() {
            return;
        }
        let examples: Vec<&str> = lost
            .iter()
            .take(3)
            .map(|l| l.write.command.as_str())
            .collect();
        let more = if lost.len() > 3 { ", …" } else { "" };
        let text = format!(
            "{} acknowledged write(s) of {port} are lost ({}{more}): {}",
            lost.len(),
            examples.join(", "),
            lost[0].reason
        );
        self.story.push(
            self.now,
            port,
            text,
            "asynchronous replication: a write is acknowledged before replicas have it",
            crate::story::Weight::Major,
        );
    }

    /// Marks lost the writes `port` acknowledged in `history` with `kept < end <= upto`.
    pub(super) fn lose_writes_between(
        &mut self,
        port: u16,
        history: &str,
        kept: u64,
        upto: u64,
        reason: impl Fn(&crate::ledger::AckedWrite) -> String,
    ) {
        let lost = self
            .ledger
            .lose_between(port, history, kept, upto, self.now, &reason);
        self.tell_lost(port, &lost);
    }

    /// Marks lost the writes of `history` with `kept < end <= upto`, whoever acknowledged
    /// them: a history goes on across a promotion, so its writes may be several masters'.
    pub(super) fn lose_history_between(
        &mut self,
        history: &str,
        kept: u64,
        upto: u64,
        reason: impl Fn(&crate::ledger::AckedWrite) -> String,
    ) {
        let owners: std::collections::BTreeSet<u16> = self
            .ledger
            .acked()
            .filter(|w| w.replid == history && w.end > kept && w.end <= upto)
            .map(|w| w.port)
            .collect();
        for owner in owners {
            self.lose_writes_between(owner, history, kept, upto, &reason);
        }
    }

    /// `replica` (at offset `kept` of `history`) was promoted in place of `master`: what it
    /// had not received is gone.
    pub(super) fn lose_on_promotion(
        &mut self,
        replica: u16,
        master: u16,
        history: &str,
        kept: u64,
    ) {
        // Every write of its history beyond what reached it (its master's, and its master's
        // predecessor's if the master had taken the history over).
        self.lose_history_between(history, kept, u64::MAX, |w| {
            format!(
                "{replica} was promoted with replication offset {kept}; this write ended at offset {} and had not reached it",
                w.end
            )
        });
        // Promoted before it synced with the master's current history (it had just migrated
        // to it, or its master had just been promoted and it had not caught up): none of the
        // master's own writes there, nor of the history the master inherited unless it has it.
        let Some((theirs, inherited, upto)) = self
            .hosts
            .get(&master)
            .filter(|m| m.replid != history)
            .map(|m| {
                let upto = u64::try_from(m.second_repl_offset - 1)
                    .ok()
                    .filter(|_| m.replid2 != history && m.replid2 != NO_REPLID);
                (m.replid.clone(), m.replid2.clone(), upto)
            })
        else {
            return;
        };
        let why = |w: &crate::ledger::AckedWrite| {
            format!(
                "{replica} was promoted before it had synced with {master}: it never had this write (acknowledged by {})",
                w.port
            )
        };
        self.lose_writes(master, &theirs, 0, why);
        if let Some(upto) = upto {
            self.lose_history_between(&inherited, 0, upto, why);
        }
    }

    /// The ledger of acknowledged and lost writes.
    pub fn ledger(&self) -> &crate::ledger::Ledger {
        &self.ledger
    }

    /// What survives a stop: a clean shutdown saves the dataset (an RDB snapshot, as the
    /// default `save` rules do); a crash loses what was not on disk, except with `appendonly`,
    /// whose log has every write.
    pub(super) fn persist_on_stop(&mut self, port: u16, clean: bool) {
        // A crash keeps the AOF's dataset only if the server writes one and will read it back
        // when it restarts (with the arguments it was started with).
        if let Some(h) = self.hosts.get_mut(&port)
            && (clean || (h.appendonly() && h.config.appendonly))
        {
            h.saved_db = Some(h.db.clone());
            h.saved_at = Some((h.replid.clone(), h.repl_offset));
        }
    }

    /// A restarted server loads what was saved. The writes it had acknowledged in its last life
    /// survive only where its history goes on: in a replica promoted from it, or in its own
    /// saved data. The rest is lost.
    pub(super) fn load_on_restart(
        &mut self,
        port: u16,
        old_replid: &str,
        inherited: Option<(String, u64)>,
    ) {
        let successor = self
            .hosts
            .iter()
            .filter(|&(&p, h)| p != port && h.replid2 == old_replid)
            .map(|(&p, h)| (p, u64::try_from(h.second_repl_offset - 1).unwrap_or(0)))
            .next();
        let Some(h) = self.hosts.get_mut(&port) else {
            return;
        };
        h.db = h.saved_db.clone().unwrap_or_default();
        h.stream = Stream::default();
        let saved = match &h.saved_at {
            Some((replid, offset)) if replid == old_replid => *offset,
            _ => 0,
        };
        // What it had inherited from the master it replaced survives in a save made after the
        // promotion, or up to the offset of a save made while it still replicated that master.
        let inherited_saved = match (&h.saved_at, &inherited) {
            (Some((replid, _)), _) if replid == old_replid => None,
            (Some((replid, offset)), Some((history, _))) if replid == history => Some(*offset),
            _ => Some(0),
        };
        match successor {
            Some((heir, kept)) => self.lose_writes(port, old_replid, kept, |w| {
                format!(
                    "{heir} took over {port}'s history at offset {kept}; {port} had acknowledged this write at offset {} on its own and restarted",
                    w.end
                )
            }),
            None => {
                self.lose_writes(port, old_replid, saved, |w| {
                    format!(
                        "{port} restarted from its last save (offset {saved}) and no replica had taken over; this write (offset {}) was never saved (appendonly no)",
                        w.end
                    )
                });
                // Writes it had inherited from the master it replaced went with its dataset.
                if let (Some((history, upto)), Some(kept)) = (inherited, inherited_saved) {
                    self.lose_history_between(&history, kept, upto, |w| {
                        format!(
                            "{port} had taken this write (offset {}) over from {} when it was promoted, then restarted without it (no save since, appendonly no)",
                            w.end, w.port
                        )
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resp_lengths_count_protocol_bytes() {
        // *2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n
        assert_eq!(resp_len(&[b"SELECT".to_vec(), b"0".to_vec()]), 23);
        // *1\r\n$4\r\nPING\r\n
        assert_eq!(resp_len(&[b"PING".to_vec()]), 14);
    }
}
