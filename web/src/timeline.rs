//! The timeline: snapshots of the world, so a learner can scrub back and fork from any moment.
//!
//! The world is deterministic, so the state at any time `t` is the last snapshot at or before
//! `t`, advanced to `t`. That holds as long as no command acted between the snapshot and `t`,
//! which is why a snapshot is taken after every command ("anchors"; they are never thinned).
//! Snapshots taken while the clock plays are thinned when there are too many, so a long session
//! keeps its whole range at a coarser grain in bounded memory.

use std::rc::Rc;

use cluster_proto::SimTime;
use console::Console;

/// A clock-driven snapshot is taken at most this often (virtual ms); bigger worlds less often
/// (see [`snapshot_interval`]).
pub const SNAPSHOT_EVERY: u64 = 1000;

/// The longest a big world goes between clock-driven snapshots (virtual ms).
const SNAPSHOT_EVERY_MAX: u64 = 15_000;

/// The memory the snapshots may use, roughly, when there is room for [`MIN_SNAPSHOTS`].
const SNAPSHOT_BUDGET_BYTES: usize = 64 << 20;

/// The most the snapshots may ever use: past it, fewer than [`MIN_SNAPSHOTS`] are kept, and a
/// world bigger than this keeps none (the world itself is as big, and a browser tab has a
/// few GiB).
const SNAPSHOT_CEILING_BYTES: usize = 512 << 20;

/// Fewest and most snapshots kept, for worlds small enough.
const MIN_SNAPSHOTS: usize = 16;
const MAX_SNAPSHOTS: usize = 400;

/// What a world holds per pair of nodes (each node's record of the other, its link and the
/// simulated connection), as `clusterlab bench` measures it at 300 and 1,000 nodes.
const BYTES_PER_NODE_PAIR: usize = 1150;

/// A rough size of a console's world: it grows with the square of the nodes.
pub fn estimated_bytes(console: &Console) -> usize {
    let nodes = console.sim().hosts().count().max(1);
    4096 + nodes * nodes * BYTES_PER_NODE_PAIR
}

/// How often the clock takes a snapshot of this world (virtual ms). Copying a world of 100
/// nodes or more costs more than simulating a second of it (`snap ms` in
/// docs/PERFORMANCE.md), so bigger worlds are copied less often: every 150 ms per node, from
/// one to fifteen seconds. Scrubbing is as exact, from fewer starting points.
pub fn snapshot_interval(console: &Console) -> u64 {
    let nodes = console.sim().hosts().count() as u64;
    (nodes * 150).clamp(SNAPSHOT_EVERY, SNAPSHOT_EVERY_MAX)
}

/// The world at one moment, with what the playground had recorded by then.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The virtual time.
    pub time: SimTime,
    /// The whole world and its console.
    pub console: Console,
    /// How many transcript lines had been recorded.
    pub transcript_len: usize,
    /// When the last recorded line ended (to write the `sleep` before the next one).
    pub last_typed: SimTime,
    /// The sequence number the world's next story entry gets: a fork keeps the entries before
    /// it (the playground's list is trimmed at the front, so a length would not do).
    pub story_next_seq: u64,
    /// The guided walk's next step, if one was loaded.
    pub guide_next: Option<usize>,
    /// Taken right after a command: never thinned.
    pub anchor: bool,
    /// For an anchor: when its command started. A time inside a command that acted (rather than
    /// just slept) shows the command's end, since its middle was never observable.
    pub started: SimTime,
    /// For an anchor: whether its command only let time pass (`sleep`), so that its middle is
    /// the previous snapshot advanced.
    pub sleep_only: bool,
}

/// What the timeline restored for a time.
#[derive(Debug, Clone)]
pub struct Restored {
    /// The world at the requested time (or at the end of the command running then).
    pub console: Console,
    /// The index of the snapshot it came from: forking keeps the timeline up to it.
    pub index: usize,
}

/// The snapshots, oldest first.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    snaps: Vec<Rc<Snapshot>>,
    too_big: bool,
}

impl Timeline {
    /// The snapshots, oldest first.
    pub fn snapshots(&self) -> &[Rc<Snapshot>] {
        &self.snaps
    }

    /// The first and last time the timeline covers.
    pub fn range(&self) -> Option<(SimTime, SimTime)> {
        Some((self.snaps.first()?.time, self.snaps.last()?.time))
    }

    /// The newest snapshot.
    pub fn last(&self) -> Option<&Rc<Snapshot>> {
        self.snaps.last()
    }

    /// How many snapshots may be kept for a world this size (none for a huge one).
    fn capacity(console: &Console) -> usize {
        let each = estimated_bytes(console);
        if each * MIN_SNAPSHOTS <= SNAPSHOT_CEILING_BYTES {
            (SNAPSHOT_BUDGET_BYTES / each).clamp(MIN_SNAPSHOTS, MAX_SNAPSHOTS)
        } else {
            SNAPSHOT_CEILING_BYTES / each
        }
    }

    /// Whether a world this size can be kept at all: when not, the playground does not copy it
    /// and the learner cannot rewind.
    pub fn keeps(console: &Console) -> bool {
        Self::capacity(console) > 0
    }

    /// Whether the last world offered was too big to keep (the timeline is then empty).
    pub fn too_big(&self) -> bool {
        self.too_big
    }

    /// Drops every snapshot: the world has grown too big to keep copies of.
    pub fn give_up(&mut self) {
        self.snaps.clear();
        self.too_big = true;
    }

    /// Adds a snapshot, thinning clock-driven ones (then the oldest) beyond the capacity.
    pub fn push(&mut self, snap: Snapshot) {
        let cap = Self::capacity(&snap.console);
        self.too_big = cap == 0;
        self.snaps.push(Rc::new(snap));
        if self.snaps.len() <= cap {
            return;
        }
        // Drop every other clock snapshot between the first and the last.
        let last = self.snaps.len() - 1;
        let mut keep_next = false;
        let mut i = 0;
        self.snaps.retain(|s| {
            let at = i;
            i += 1;
            if at == 0 || at == last || s.anchor {
                return true;
            }
            keep_next = !keep_next;
            keep_next
        });
        while self.snaps.len() > cap {
            self.snaps.remove(0);
        }
    }

    /// The world at `t` (clamped to the covered range): what had happened by `t`, before any
    /// command typed at `t`; at the end of the range, the live world.
    pub fn world_at(&self, t: SimTime) -> Option<Restored> {
        let (first, last) = self.range()?;
        if t >= last {
            let index = self.snaps.len() - 1;
            return Some(Restored {
                console: self.snaps[index].console.clone(),
                index,
            });
        }
        let t = t.max(first);
        // Commands typed at exactly `t` have not run yet at `t`: start from the last snapshot
        // before it (several commands can share one millisecond).
        let i = self.snaps.iter().rposition(|s| s.time < t).unwrap_or(0);
        if let Some(next) = self.snaps.get(i + 1)
            && next.anchor
            && !next.sleep_only
            && next.started < t
        {
            return Some(Restored {
                console: next.console.clone(),
                index: i + 1,
            });
        }
        let base = &self.snaps[i];
        let mut console = base.console.clone();
        console.advance(t - base.time);
        Some(Restored { console, index: i })
    }

    /// Forgets everything after snapshot `index` (the learner forked from there).
    pub fn truncate_after(&mut self, index: usize) {
        self.snaps.truncate(index + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(console: &Console, anchor: bool, started: SimTime, sleep_only: bool) -> Snapshot {
        Snapshot {
            time: console.sim().now(),
            console: console.clone(),
            transcript_len: 0,
            last_typed: started,
            story_next_seq: 0,
            guide_next: None,
            anchor,
            started,
            sleep_only,
        }
    }

    fn nodes_text(c: &mut Console, port: u16) -> String {
        c.eval_at("127.0.0.1", port, "CLUSTER NODES").text
    }

    #[test]
    fn the_world_at_any_time_equals_the_world_that_lived_it() {
        let mut live = Console::new(3);
        let mut t = Timeline::default();
        t.push(snap(&live, true, live.sim().now(), false));
        for p in 7000..=7002 {
            let started = live.sim().now();
            live.eval_shell(&format!(
                "redis-server --port {p} --cluster-enabled yes --cluster-node-timeout 2000"
            ));
            t.push(snap(&live, true, started, false));
        }
        let started = live.sim().now();
        live.eval_shell("redis-cli --cluster create 127.0.0.1:7000 127.0.0.1:7001 127.0.0.1:7002 --cluster-replicas 0 --cluster-yes");
        t.push(snap(&live, true, started, false));
        let created = live.sim().now();
        assert!(created > started, "create takes virtual time");
        // The clock plays in uneven ticks, with a snapshot every second.
        let mut witness = Vec::new();
        for tick in [70, 430, 1000, 999, 1, 2500] {
            live.sim_mut().advance(tick);
            if live.sim().now() - t.last().expect("snap").time >= SNAPSHOT_EVERY {
                t.push(snap(&live, false, live.sim().now(), false));
            }
            witness.push((live.sim().now(), live.sim().trace_hash()));
        }
        let started = live.sim().now();
        live.eval_shell("sim kill 7000");
        t.push(snap(&live, true, started, false));
        let started = live.sim().now();
        live.eval_shell("sleep 6");
        t.push(snap(&live, true, started, true));
        let end_nodes = nodes_text(&mut live.clone(), 7001);
        // Every tick's moment comes back with exactly the same history.
        for (time, hash) in witness {
            let r = t.world_at(time).expect("covered");
            assert_eq!(r.console.sim().now(), time);
            assert_eq!(r.console.sim().trace_hash(), hash, "at {time:?}");
        }
        // In the middle of `sleep 6` the world is the kill's snapshot advanced: 7000 is
        // still known, then FAIL at the end.
        let mid = t.world_at(started + 100).expect("covered");
        assert_eq!(mid.console.sim().now(), started + 100);
        assert!(!nodes_text(&mut mid.console.clone(), 7001).contains("master,fail"));
        let end = t.world_at(started + 6000).expect("covered");
        assert_eq!(nodes_text(&mut end.console.clone(), 7001), end_nodes);
        assert!(end_nodes.contains("master,fail"), "{end_nodes}");
        // In the middle of --cluster create (which acted), the end of the command shows.
        let during = t
            .world_at(SimTime::from_unix_millis(created.as_unix_millis() - 1))
            .expect("covered");
        assert_eq!(during.console.sim().now(), created);
        // Before the beginning clamps to the start.
        let first = t.range().expect("range").0;
        assert_eq!(
            t.world_at(SimTime::DEFAULT_START)
                .expect("covered")
                .console
                .sim()
                .now(),
            first
        );
    }

    #[test]
    fn thinning_keeps_anchors_and_the_whole_range() {
        let mut c = Console::new(1);
        c.eval_shell("redis-server --port 7000 --cluster-enabled yes");
        let mut t = Timeline::default();
        t.push(snap(&c, true, c.sim().now(), false));
        let first = c.sim().now();
        for i in 0..2000 {
            c.sim_mut().advance(SNAPSHOT_EVERY);
            let anchor = i % 100 == 0;
            t.push(snap(&c, anchor, c.sim().now(), false));
        }
        assert!(t.snapshots().len() <= MAX_SNAPSHOTS);
        assert_eq!(t.range(), Some((first, c.sim().now())));
        assert_eq!(t.snapshots().iter().filter(|s| s.anchor).count(), 21);
        t.truncate_after(3);
        assert_eq!(t.snapshots().len(), 4);
    }

    /// A console with `n` servers started (not yet a cluster).
    fn servers(n: u16) -> Console {
        let mut c = Console::new(1);
        for p in 0..n {
            c.eval_shell(&format!(
                "redis-server --port {} --cluster-enabled yes",
                30000 + p
            ));
        }
        c
    }

    #[test]
    fn big_worlds_are_copied_less_often_and_huge_ones_not_at_all() {
        let small = servers(6);
        assert_eq!(snapshot_interval(&small), SNAPSHOT_EVERY);
        assert!(Timeline::capacity(&small) >= MIN_SNAPSHOTS);
        // 300 nodes (about 100 MB): a few snapshots, every 15 virtual seconds.
        let big = servers(300);
        assert_eq!(snapshot_interval(&big), SNAPSHOT_EVERY_MAX);
        let cap = Timeline::capacity(&big);
        assert!((1..MIN_SNAPSHOTS).contains(&cap), "{cap}");
        assert!(cap * estimated_bytes(&big) <= SNAPSHOT_CEILING_BYTES);
        // 700 nodes (over 500 MB): none, and the timeline says why it is empty.
        let huge = servers(700);
        assert!(!Timeline::keeps(&huge));
        let mut t = Timeline::default();
        t.push(snap(&small, true, small.sim().now(), false));
        assert!(!t.too_big());
        t.push(snap(&huge, true, huge.sim().now(), false));
        assert!(t.too_big());
        assert_eq!(t.range(), None);
        assert!(t.world_at(huge.sim().now()).is_none());
    }
}
