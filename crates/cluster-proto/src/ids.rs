//! Identities: node ids, addresses, epochs and slots.

use std::fmt;
use std::net::IpAddr;

use rand_core::Rng;

/// A configuration epoch or the current epoch (`currentEpoch`, `configEpoch`, `lastVoteEpoch`).
pub type Epoch = u64;

/// A hash slot, `0..16384`.
pub type Slot = u16;

/// Length of a node name (`CLUSTER_NAMELEN`): 40 hex characters.
pub const NODE_ID_LEN: usize = 40;

/// A node's name: 40 lowercase hex characters, random at first start, kept in `nodes.conf`.
#[derive(Clone, Copy)]
pub struct NodeId([u8; NODE_ID_LEN]);

impl NodeId {
    /// The first eight characters as a big-endian word.
    fn first_word(&self) -> u64 {
        let [a, b, c, d, e, f, g, h, ..] = self.0;
        u64::from_be_bytes([a, b, c, d, e, f, g, h])
    }

    /// The id as five big-endian words, which order exactly as the bytes do. Ids are compared
    /// for every gossip entry and table lookup; a byte-wise `memcmp` call dominated large
    /// clusters, while random ids nearly always differ in the first word.
    fn words(&self) -> impl Iterator<Item = u64> + '_ {
        self.0.chunks_exact(8).map(|w| {
            let mut word = [0u8; 8];
            word.copy_from_slice(w);
            u64::from_be_bytes(word)
        })
    }
}

impl PartialEq for NodeId {
    fn eq(&self, other: &Self) -> bool {
        // Different ids nearly always differ in the first word.
        self.first_word() == other.first_word() && self.0 == other.0
    }
}

impl Eq for NodeId {}

impl Ord for NodeId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.words().cmp(other.words())
    }
}

impl PartialOrd for NodeId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::hash::Hash for NodeId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Ids are random: their first word alone spreads them well, and equal ids have equal
        // first words.
        state.write_u64(self.first_word());
    }
}

/// A fixed multiply-rotate hasher (FxHash's scheme) for tables that are only looked up, such
/// as [`NodeIndex`] (where one multiply of an id's first word is enough: ids are random
/// already). It has no per-process random key, so even a table's layout is reproducible.
#[derive(Debug, Default, Clone, Copy)]
pub struct FixedHasher(u64);

impl std::hash::Hasher for FixedHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u16(&mut self, n: u16) {
        self.write_u64(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

/// Where each known node sits in a node table, by id. Only looked up, never iterated (its
/// order would mean nothing): tables that are iterated stay ordered maps or vectors. Even
/// `Debug` shows only its size, so no output can depend on the hash table's order.
#[derive(Clone, Default)]
pub(crate) struct NodeIndex(
    std::collections::HashMap<NodeId, usize, std::hash::BuildHasherDefault<FixedHasher>>,
);

impl fmt::Debug for NodeIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NodeIndex({} ids)", self.0.len())
    }
}

impl NodeIndex {
    /// The position of `id`, if known.
    pub(crate) fn get(&self, id: &NodeId) -> Option<usize> {
        self.0.get(id).copied()
    }

    /// Records that `id` sits at `at`.
    pub(crate) fn insert(&mut self, id: NodeId, at: usize) {
        self.0.insert(id, at);
    }
}

impl FromIterator<(NodeId, usize)> for NodeIndex {
    fn from_iter<I: IntoIterator<Item = (NodeId, usize)>>(iter: I) -> Self {
        NodeIndex(iter.into_iter().collect())
    }
}

impl NodeId {
    /// A fresh random id, as `getRandomHexChars` makes one.
    pub fn random(rng: &mut impl Rng) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut raw = [0u8; NODE_ID_LEN / 2];
        rng.fill_bytes(&mut raw);
        let mut id = [0u8; NODE_ID_LEN];
        for (i, b) in raw.iter().enumerate() {
            id[2 * i] = HEX[usize::from(b >> 4)];
            id[2 * i + 1] = HEX[usize::from(b & 0x0f)];
        }
        NodeId(id)
    }

    /// Parses an id as typed by a user. Redis looks names up exactly, so anything that is not
    /// 40 characters can never name a node; we also insist on hex so ids stay printable.
    pub fn parse(text: &[u8]) -> Option<Self> {
        let bytes: [u8; NODE_ID_LEN] = text.try_into().ok()?;
        bytes
            .iter()
            .all(|b| b.is_ascii_hexdigit())
            .then_some(NodeId(bytes))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        // Invariant: built only from ASCII hex digits (`random`, `parse`).
        std::str::from_utf8(&self.0).expect("node ids are ASCII hex")
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NodeId({})", self.as_str())
    }
}

/// Where a node listens: its client port and cluster-bus port (`port + 10000` by default).
///
/// The IP is unknown (`None`) until a peer tells the node what address it sees: a fresh node
/// prints itself as `:7000@17000`, exactly as Redis does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeAddr {
    /// The announced IP, if known.
    pub ip: Option<IpAddr>,
    /// Client port.
    pub port: u16,
    /// Cluster bus port.
    pub cport: u16,
}

/// Offset between the client port and the default cluster bus port (`CLUSTER_PORT_INCR`).
pub const CLUSTER_PORT_INCR: u16 = 10000;

impl NodeAddr {
    /// An address with the default bus port `port + 10000`.
    pub fn new(ip: Option<IpAddr>, port: u16) -> Self {
        NodeAddr {
            ip,
            port,
            cport: port.wrapping_add(CLUSTER_PORT_INCR),
        }
    }

    /// The `ip:port@cport` field of a CLUSTER NODES line.
    pub fn nodes_field(&self) -> String {
        match self.ip {
            Some(ip) => format!("{}:{}@{}", ip, self.port, self.cport),
            None => format!(":{}@{}", self.port, self.cport),
        }
    }
}

impl fmt::Display for NodeAddr {
    /// `ip:port`, the form used in MOVED replies and redis-cli messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.ip {
            Some(ip) => write!(f, "{}:{}", ip, self.port),
            None => write!(f, ":{}", self.port),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha8Rng;
    use rand_core::SeedableRng;
    use std::net::Ipv4Addr;

    #[test]
    fn random_ids_are_40_lowercase_hex_and_seeded() {
        let a = NodeId::random(&mut ChaCha8Rng::seed_from_u64(1));
        let b = NodeId::random(&mut ChaCha8Rng::seed_from_u64(1));
        let c = NodeId::random(&mut ChaCha8Rng::seed_from_u64(2));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.as_str().len(), 40);
        assert!(
            a.as_str()
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
    }

    #[test]
    fn ids_order_as_their_text() {
        // Tables keyed by id iterate in this order, so it must stay the text's order even
        // though comparison works on words.
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut ids: Vec<NodeId> = (0..200).map(|_| NodeId::random(&mut rng)).collect();
        // Ids sharing long prefixes exercise the later words.
        let base = "3253777930ef0dc5ee1fe6c1589fa529442f413";
        for last in ["0", "1", "f", "a"] {
            ids.extend(NodeId::parse(format!("{base}{last}").as_bytes()));
        }
        ids.extend(NodeId::parse(b"3253777930ef0dc5ee1fe6c1589fa529442f4131"));
        for a in &ids {
            for b in &ids {
                assert_eq!(a.cmp(b), a.as_str().cmp(b.as_str()), "{a} {b}");
                assert_eq!(a == b, a.as_str() == b.as_str());
            }
        }
    }

    #[test]
    fn parse_accepts_only_40_hex() {
        let id = "3253777930ef0dc5ee1fe6c1589fa529442f4131";
        assert_eq!(
            NodeId::parse(id.as_bytes()).map(|n| n.to_string()),
            Some(id.into())
        );
        assert!(NodeId::parse(b"abc").is_none());
        assert!(NodeId::parse(&[b'z'; 40]).is_none());
    }

    #[test]
    fn address_fields() {
        let fresh = NodeAddr::new(None, 7006);
        assert_eq!(fresh.nodes_field(), ":7006@17006");
        let known = NodeAddr::new(Some(Ipv4Addr::LOCALHOST.into()), 7000);
        assert_eq!(known.nodes_field(), "127.0.0.1:7000@17000");
        assert_eq!(known.to_string(), "127.0.0.1:7000");
    }
}
