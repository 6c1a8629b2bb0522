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

/// A set of slots as a 16384-bit bitmap, like `clusterNode.slots`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SlotSet {
    bits: Box<[u64; CLUSTER_SLOTS / 64]>,
}

impl Default for SlotSet {
    fn default() -> Self {
        SlotSet {
            bits: Box::new([0; CLUSTER_SLOTS / 64]),
        }
    }
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

    /// Whether `slot` is in the set. Slots out of range are never members.
    pub fn contains(&self, slot: Slot) -> bool {
        let s = usize::from(slot);
        s < CLUSTER_SLOTS && self.bits[s / 64] & (1 << (s % 64)) != 0
    }

    /// Adds `slot`; returns whether it was absent.
    ///
    /// # Panics
    /// If `slot` is 16384 or more: callers validate user input before it gets here.
    pub fn insert(&mut self, slot: Slot) -> bool {
        let s = usize::from(slot);
        assert!(s < CLUSTER_SLOTS, "slot {slot} out of range");
        let was = self.contains(slot);
        self.bits[s / 64] |= 1 << (s % 64);
        !was
    }

    /// Removes `slot`; returns whether it was present.
    pub fn remove(&mut self, slot: Slot) -> bool {
        let was = self.contains(slot);
        if was {
            let s = usize::from(slot);
            self.bits[s / 64] &= !(1 << (s % 64));
        }
        was
    }

    /// Number of slots in the set (`numslots`).
    pub fn len(&self) -> usize {
        self.bits.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.bits.iter().all(|&w| w == 0)
    }

    /// The slots in ascending order. Skips empty 64-slot words, so sparse sets are cheap.
    pub fn iter(&self) -> impl Iterator<Item = Slot> + '_ {
        self.bits.iter().enumerate().flat_map(|(w, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let bit = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                Some((w * 64 + bit) as Slot)
            })
        })
    }

    /// Maximal runs of consecutive slots, ascending, as inclusive `(start, end)` pairs.
    pub fn ranges(&self) -> Vec<(Slot, Slot)> {
        let mut out: Vec<(Slot, Slot)> = Vec::new();
        for s in self.iter() {
            match out.last_mut() {
                Some((_, end)) if *end + 1 == s => *end = s,
                _ => out.push((s, s)),
            }
        }
        out
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
    }
}
