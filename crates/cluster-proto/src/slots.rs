//! Hash slots: the key-to-slot function and a slot bitmap.

use crate::ids::Slot;

/// Number of hash slots in a Redis Cluster (`CLUSTER_SLOTS`).
pub const CLUSTER_SLOTS: usize = 16384;

/// CRC16 lookup table for the XMODEM variant (polynomial 0x1021, init 0, no reflection),
/// built at compile time rather than pasted as 256 magic numbers.
const CRC16_TABLE: [u16; 256] = {
    let mut table = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = (i as u16) << 8;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

/// CRC16/XMODEM, the checksum Redis Cluster hashes keys with.
pub fn crc16(bytes: &[u8]) -> u16 {
    bytes.iter().fold(0u16, |crc, &b| {
        (crc << 8) ^ CRC16_TABLE[usize::from(((crc >> 8) as u8) ^ b)]
    })
}

/// The hash slot of a key (`keyHashSlot`).
///
/// If the key contains `{`, and a `}` follows it with at least one byte between, only the bytes
/// between the first `{` and the first `}` after it are hashed. This is what lets
/// `{user1}.a` and `{user1}.b` live in the same slot, while `foo{}{bar}` hashes whole.
#[doc(alias = "keyHashSlot")]
pub fn key_hash_slot(key: &[u8]) -> Slot {
    let hashed = match key.iter().position(|&b| b == b'{') {
        Some(open) => match key[open + 1..].iter().position(|&b| b == b'}') {
            Some(len) if len > 0 => &key[open + 1..open + 1 + len],
            _ => key,
        },
        None => key,
    };
    crc16(hashed) & 0x3FFF
}

/// A set of slots, like `clusterNode.slots`, kept as its maximal runs of consecutive slots.
///
/// Redis uses a 16384-bit bitmap (2 KB) per known node. ClusterLab simulates every process
/// of a cluster at once, so at 1,000 nodes a bitmap per node per observer would cost 2 GB;
/// masters own a few runs each, so runs cost bytes, and comparing the claims in every PING
/// header with our view is cheap.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct SlotSet {
    /// Sorted, disjoint, inclusive runs, never adjacent (so equal sets have equal runs).
    runs: Vec<(Slot, Slot)>,
    /// How many slots the runs hold (`numslots`).
    count: u16,
}

impl std::fmt::Debug for SlotSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SlotSet[{}]", self.ranges_text())
    }
}

impl SlotSet {
    /// The empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// The index of the first run that ends at or after `slot`.
    fn run_at_or_after(&self, slot: Slot) -> usize {
        self.runs.partition_point(|&(_, end)| end < slot)
    }

    /// Whether `slot` is in the set. Slots out of range are never members.
    pub fn contains(&self, slot: Slot) -> bool {
        let i = self.run_at_or_after(slot);
        self.runs.get(i).is_some_and(|&(start, _)| start <= slot)
    }

    /// Adds `slot`; returns whether it was absent.
    ///
    /// # Panics
    /// If `slot` is 16384 or more: callers validate user input before it gets here.
    pub fn insert(&mut self, slot: Slot) -> bool {
        assert!(
            usize::from(slot) < CLUSTER_SLOTS,
            "slot {slot} out of range"
        );
        let i = self.run_at_or_after(slot);
        if self.runs.get(i).is_some_and(|&(start, _)| start <= slot) {
            return false;
        }
        let joins_prev = i > 0 && self.runs[i - 1].1 + 1 == slot;
        let joins_next = self
            .runs
            .get(i)
            .is_some_and(|&(start, _)| start == slot + 1);
        match (joins_prev, joins_next) {
            (true, true) => {
                self.runs[i - 1].1 = self.runs[i].1;
                self.runs.remove(i);
            }
            (true, false) => self.runs[i - 1].1 = slot,
            (false, true) => self.runs[i].0 = slot,
            (false, false) => self.runs.insert(i, (slot, slot)),
        }
        self.count += 1;
        true
    }

    /// Removes `slot`; returns whether it was present.
    pub fn remove(&mut self, slot: Slot) -> bool {
        let i = self.run_at_or_after(slot);
        let Some(&(start, end)) = self.runs.get(i).filter(|&&(start, _)| start <= slot) else {
            return false;
        };
        match (slot == start, slot == end) {
            (true, true) => {
                self.runs.remove(i);
            }
            (true, false) => self.runs[i].0 = slot + 1,
            (false, true) => self.runs[i].1 = slot - 1,
            (false, false) => {
                self.runs[i].1 = slot - 1;
                self.runs.insert(i + 1, (slot + 1, end));
            }
        }
        self.count -= 1;
        true
    }

    /// Number of slots in the set (`numslots`).
    pub fn len(&self) -> usize {
        usize::from(self.count)
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    /// The slots in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = Slot> + '_ {
        self.runs.iter().flat_map(|&(start, end)| start..=end)
    }

    /// The maximal runs of consecutive slots, ascending, as inclusive `(start, end)` pairs.
    pub fn runs(&self) -> &[(Slot, Slot)] {
        &self.runs
    }

    /// Maximal runs of consecutive slots, ascending, as inclusive `(start, end)` pairs.
    pub fn ranges(&self) -> Vec<(Slot, Slot)> {
        self.runs.clone()
    }

    /// The ranges as CLUSTER NODES prints them: `0-5460 5462 5470-5480`.
    pub fn ranges_text(&self) -> String {
        self.ranges()
            .iter()
            .map(|&(a, b)| {
                if a == b {
                    a.to_string()
                } else {
                    format!("{a}-{b}")
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc16_check_value() {
        assert_eq!(crc16(b"123456789"), 0x31C3);
        assert_eq!(crc16(b""), 0);
    }

    #[test]
    fn slot_ranges_text() {
        let mut s = SlotSet::new();
        for slot in [0, 1, 2, 10, 12, 13, 16383] {
            s.insert(slot);
        }
        assert_eq!(s.ranges_text(), "0-2 10 12-13 16383");
        assert_eq!(s.len(), 7);
        assert!(s.remove(10));
        assert!(!s.remove(10));
        assert_eq!(s.ranges_text(), "0-2 12-13 16383");
        assert!(!s.contains(16384));
        assert_eq!(s.len(), 6);
        assert!(!s.insert(0), "already there");
        assert_eq!(s.len(), 6);
        for slot in [0, 1, 2, 12, 13, 16383] {
            assert!(s.remove(slot));
        }
        assert!(s.is_empty());
        assert_eq!(s, SlotSet::new());
    }

    #[test]
    fn runs_behave_like_a_set_of_slots() {
        // A model check: random inserts and removes, mostly within a small window so that
        // runs merge and split often, compared with a plain ordered set after every step.
        use rand_chacha::ChaCha8Rng;
        use rand_core::{Rng, SeedableRng};
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut set = SlotSet::new();
        let mut model = std::collections::BTreeSet::new();
        for step in 0..20_000 {
            let r = rng.next_u32();
            let slot = if r % 8 == 0 {
                (r >> 8) as Slot % CLUSTER_SLOTS as Slot
            } else {
                16320 + (r >> 8) as Slot % 64
            };
            if r & 0x10 == 0 {
                assert_eq!(set.insert(slot), model.insert(slot), "step {step}");
            } else {
                assert_eq!(set.remove(slot), model.remove(&slot), "step {step}");
            }
            assert_eq!(set.len(), model.len());
            assert_eq!(set.is_empty(), model.is_empty());
            assert!(set.contains(slot) == model.contains(&slot));
            if step % 97 == 0 {
                assert!(set.iter().eq(model.iter().copied()), "step {step}");
                // Runs are maximal: never adjacent, so equal sets compare equal.
                assert!(set.runs().windows(2).all(|w| w[0].1 + 1 < w[1].0));
                let mut rebuilt = SlotSet::new();
                for &s in model.iter().rev() {
                    rebuilt.insert(s);
                }
                assert_eq!(rebuilt, set);
            }
        }
    }
}
