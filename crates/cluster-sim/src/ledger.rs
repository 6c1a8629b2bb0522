//! The ledger of acknowledged writes: every write a master answered, and those the cluster
//! later lost, each with the reason. Redis replicates asynchronously, so an acknowledged write
//! can vanish in a failover; the ledger makes each such loss visible and explained.

use std::collections::VecDeque;

use cluster_proto::SimTime;

/// At most this many acknowledged writes are remembered (the oldest are forgotten).
pub const MAX_ACKED: usize = 20_000;

/// At most this many lost writes are kept.
pub const MAX_LOST: usize = 5_000;

/// A write a master acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckedWrite {
    /// Increases by one per write.
    pub seq: u64,
    /// When it was acknowledged.
    pub time: SimTime,
    /// The master that acknowledged it.
    pub port: u16,
    /// The replication history it was written in (the master's replid).
    pub replid: String,
    /// The stream offset just after it: a replica with at least this offset has it.
    pub end: u64,
    /// The command, as it was propagated.
    pub command: String,
    /// The key it wrote (its first argument), if it has one.
    pub key: Option<Vec<u8>>,
}

/// A write the cluster no longer has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LostWrite {
    /// The write.
    pub write: AckedWrite,
    /// When the loss became certain.
    pub at: SimTime,
    /// Why, in plain words.
    pub reason: String,
}

/// Acknowledged and lost writes.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    acked: VecDeque<AckedWrite>,
    lost: VecDeque<LostWrite>,
    next_seq: u64,
}

/// How a command reads in the ledger: its words, quoted when needed, shortened when long.
fn show(argv: &[Vec<u8>]) -> String {
    let words: Vec<String> = argv
        .iter()
        .map(|a| {
            let s = String::from_utf8_lossy(a);
            if s.is_empty() || s.contains(|c: char| c.is_whitespace() || c == '"') {
                format!("{s:?}")
            } else {
                s.into_owned()
            }
        })
        .collect();
    let text = words.join(" ");
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(79).collect::<String>())
    } else {
        text
    }
}

impl Ledger {
    /// Records a write `port` acknowledged, ending at stream offset `end` of history `replid`.
    pub fn record(&mut self, time: SimTime, port: u16, replid: &str, end: u64, argv: &[Vec<u8>]) {
        self.acked.push_back(AckedWrite {
            seq: self.next_seq,
            time,
            port,
            replid: replid.to_string(),
            end,
            command: show(argv),
            key: argv.get(1).cloned(),
        });
        self.next_seq += 1;
        if self.acked.len() > MAX_ACKED {
            self.acked.pop_front();
        }
    }

    /// Marks as lost every write `port` acknowledged in history `replid` past offset `kept`;
    /// returns how many.
    pub fn lose_after(
        &mut self,
        port: u16,
        replid: &str,
        kept: u64,
        at: SimTime,
        reason: &dyn Fn(&AckedWrite) -> String,
    ) -> Vec<LostWrite> {
        self.lose_between(port, replid, kept, u64::MAX, at, reason)
    }

    /// Marks as lost every write `port` acknowledged in history `replid` with an end offset in
    /// `(kept, upto]`; returns them.
    pub fn lose_between(
        &mut self,
        port: u16,
        replid: &str,
        kept: u64,
        upto: u64,
        at: SimTime,
        reason: &dyn Fn(&AckedWrite) -> String,
    ) -> Vec<LostWrite> {
        self.lose_where(
            at,
            &|w| w.port == port && w.replid == replid && w.end > kept && w.end <= upto,
            reason,
        )
    }

    /// Marks as lost every acknowledged write `lost` picks; returns them.
    pub fn lose_where(
        &mut self,
        at: SimTime,
        lost: &dyn Fn(&AckedWrite) -> bool,
        reason: &dyn Fn(&AckedWrite) -> String,
    ) -> Vec<LostWrite> {
        let (gone, stay): (Vec<AckedWrite>, Vec<AckedWrite>) =
            self.acked.drain(..).partition(|w| lost(w));
        self.acked = stay.into();
        let lost: Vec<LostWrite> = gone
            .into_iter()
            .map(|w| LostWrite {
                reason: reason(&w),
                write: w,
                at,
            })
            .collect();
        self.lost.extend(lost.iter().cloned());
        while self.lost.len() > MAX_LOST {
            self.lost.pop_front();
        }
        lost
    }

    /// Writes acknowledged and not lost (as far as the ledger knows), oldest first.
    pub fn acked(&self) -> impl Iterator<Item = &AckedWrite> {
        self.acked.iter()
    }

    /// Lost writes, oldest first.
    pub fn lost(&self) -> impl Iterator<Item = &LostWrite> {
        self.lost.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_writes_past_the_kept_offset_of_that_history_are_lost() {
        let t = SimTime::DEFAULT_START;
        let mut l = Ledger::default();
        let set = |v: &str| vec![b"SET".to_vec(), b"k".to_vec(), v.as_bytes().to_vec()];
        l.record(t, 7000, "aa", 100, &set("1"));
        l.record(t, 7000, "aa", 130, &set("two words"));
        l.record(t, 7000, "bb", 160, &set("3"));
        l.record(t, 7001, "aa", 190, &set("4"));
        let lost = l.lose_after(7000, "aa", 100, t, &|w| format!("after {}", w.end));
        assert_eq!(lost.len(), 1);
        assert_eq!(lost[0].write.command, "SET k \"two words\"");
        assert_eq!(lost[0].reason, "after 130");
        assert_eq!(l.acked().count(), 3);
        assert_eq!(l.lost().count(), 1);
    }
}
