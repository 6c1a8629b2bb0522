//! The simulated network between cluster bus ports: TCP-like connections (ordered, reliable
//! while the path is up), per-direction reachability, latency and loss.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::BuildHasherDefault;

use cluster_proto::{ClusterMsg, FixedHasher, LinkId, Millis, SimTime};

/// One end of a connection: a node (by client port) and its own id for the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct End {
    /// The node's client port.
    pub port: u16,
    /// The node's link id.
    pub link: LinkId,
}

/// A connection's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnState {
    /// SYN sent, no answer yet.
    Connecting,
    /// Both ends can send.
    Established,
}

/// A bus connection from `initiator` to the node listening on `target`.
#[derive(Debug, Clone)]
pub struct Conn {
    /// Who connected.
    pub initiator: End,
    /// The client port of the node whose bus port was dialled.
    pub target: u16,
    /// The acceptor's end, once accepted.
    pub acceptor: Option<End>,
    /// State.
    pub state: ConnState,
    /// The time the last message in each direction (initiator→acceptor, back) is delivered, so
    /// that a latency change never reorders a stream.
    pub last_delivery: [SimTime; 2],
    /// What TCP keeps for the connection, when it keeps anything: most connections never
    /// queue beyond their first PING, and a 1,000-node world has a million of them.
    queues: Option<Box<ConnQueues>>,
}

/// Messages a connection keeps back.
#[derive(Debug, Clone, Default)]
#[allow(
    clippy::vec_box,
    reason = "messages arrive boxed from the nodes and leave boxed in delivery events: kept \
              boxed, a 240-byte message is never copied on the way"
)]
struct ConnQueues {
    /// Messages the initiator queued before the connection was established.
    pending: Vec<Box<ClusterMsg>>,
    /// Per direction, messages TCP holds for retransmission (a partition or a lost segment on
    /// the way): they arrive in order once a retransmission gets through, and nothing sent
    /// after them overtakes them.
    held: [Vec<Box<ClusterMsg>>; 2],
    /// Per direction, the retransmission timeout of the held messages (doubling per attempt).
    rto: [Millis; 2],
}

impl Conn {
    /// Frees the queues once nothing waits in them (a timeout is only kept while messages
    /// are held).
    fn release_queues(&mut self) {
        if self
            .queues
            .as_ref()
            .is_some_and(|q| q.pending.is_empty() && q.held.iter().all(Vec::is_empty))
        {
            self.queues = None;
        }
    }
}

/// Linux's smallest retransmission timeout (`TCP_RTO_MIN`).
pub const TCP_RTO_MIN: Millis = 200;

/// Linux's largest retransmission timeout (`TCP_RTO_MAX`).
pub const TCP_RTO_MAX: Millis = 120_000;

/// Which connection each end belongs to. Every message looks its sender's end up, among two
/// million ends at 1,000 nodes, so this is a hash table (with a fixed hasher, so runs are
/// reproducible); it is only ever looked up, never iterated, so its order cannot leak out.
#[derive(Default, Clone)]
struct EndIndex(HashMap<End, u64, BuildHasherDefault<FixedHasher>>);

impl EndIndex {
    fn get(&self, end: &End) -> Option<u64> {
        self.0.get(end).copied()
    }

    fn insert(&mut self, end: End, conn: u64) {
        self.0.insert(end, conn);
    }

    fn remove(&mut self, end: &End) {
        self.0.remove(end);
    }
}

impl std::fmt::Debug for EndIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EndIndex({} ends)", self.0.len())
    }
}

/// Connections plus the conditions of the paths between nodes.
#[derive(Debug, Default, Clone)]
pub struct Network {
    conns: BTreeMap<u64, Conn>,
    by_end: EndIndex,
    next_conn: u64,
    /// Groups of a partition; ports in no group form one more group. Empty: no partition.
    partition: Vec<BTreeSet<u16>>,
    /// Directed paths cut on top of the partition: (from, to).
    cut: BTreeSet<(u16, u16)>,
    /// One-way latency on every path, and overrides per directed pair.
    latency: Millis,
    pair_latency: BTreeMap<(u16, u16), Millis>,
    /// Percentage of bus messages dropped, everywhere and per directed pair.
    loss: u8,
    pair_loss: BTreeMap<(u16, u16), u8>,
}

impl Network {
    /// Opens a connection record; returns its id.
    pub fn open(&mut self, initiator: End, target: u16, now: SimTime) -> u64 {
        let id = self.next_conn;
        self.next_conn += 1;
        self.conns.insert(
            id,
            Conn {
                initiator,
                target,
                acceptor: None,
                state: ConnState::Connecting,
                last_delivery: [now, now],
                queues: None,
            },
        );
        self.by_end.insert(initiator, id);
        id
    }

    /// The connection with this id.
    pub fn conn(&self, id: u64) -> Option<&Conn> {
        self.conns.get(&id)
    }

    /// The connection one end belongs to.
    pub fn conn_of(&self, end: End) -> Option<u64> {
        self.by_end.get(&end)
    }

    /// Queues a message on a connection that is not established yet.
    pub fn queue_pending(&mut self, id: u64, msg: Box<ClusterMsg>) {
        if let Some(c) = self.conns.get_mut(&id) {
            c.queues.get_or_insert_default().pending.push(msg);
        }
    }

    /// Takes the messages queued before the connection was established.
    pub fn take_pending(&mut self, id: u64) -> Vec<Box<ClusterMsg>> {
        let Some(c) = self.conns.get_mut(&id) else {
            return Vec::new();
        };
        let taken = c
            .queues
            .as_mut()
            .map(|q| std::mem::take(&mut q.pending))
            .unwrap_or_default();
        c.release_queues();
        taken
    }

    /// Holds a message for retransmission; returns the timeout to wait if it is the first held
    /// one in its direction (a retransmission timer must be started), else `None`.
    pub fn hold(&mut self, id: u64, dir: usize, msg: Box<ClusterMsg>) -> Option<Millis> {
        let q = self.conns.get_mut(&id)?.queues.get_or_insert_default();
        q.held[dir].push(msg);
        (q.held[dir].len() == 1).then(|| {
            q.rto[dir] = TCP_RTO_MIN;
            TCP_RTO_MIN
        })
    }

    /// Whether messages wait for retransmission in that direction.
    pub fn is_holding(&self, id: u64, dir: usize) -> bool {
        self.conns
            .get(&id)
            .and_then(|c| c.queues.as_ref())
            .is_some_and(|q| !q.held[dir].is_empty())
    }

    /// The next retransmission timeout after a failed attempt (doubled, at most
    /// [`TCP_RTO_MAX`]).
    pub fn back_off(&mut self, id: u64, dir: usize) -> Option<Millis> {
        let q = self.conns.get_mut(&id)?.queues.get_or_insert_default();
        q.rto[dir] = (q.rto[dir] * 2).clamp(TCP_RTO_MIN, TCP_RTO_MAX);
        Some(q.rto[dir])
    }

    /// Takes the held messages of a direction, oldest first.
    pub fn take_held(&mut self, id: u64, dir: usize) -> Vec<Box<ClusterMsg>> {
        let Some(c) = self.conns.get_mut(&id) else {
            return Vec::new();
        };
        let taken = c
            .queues
            .as_mut()
            .map(|q| {
                q.rto[dir] = 0;
                std::mem::take(&mut q.held[dir])
            })
            .unwrap_or_default();
        c.release_queues();
        taken
    }

    /// Records the acceptor's end and marks the connection established.
    pub fn accept(&mut self, id: u64, acceptor: End) {
        if let Some(c) = self.conns.get_mut(&id) {
            c.acceptor = Some(acceptor);
            c.state = ConnState::Established;
            self.by_end.insert(acceptor, id);
        }
    }

    /// Forgets a connection; returns it.
    pub fn remove(&mut self, id: u64) -> Option<Conn> {
        let c = self.conns.remove(&id)?;
        self.by_end.remove(&c.initiator);
        if let Some(a) = c.acceptor {
            self.by_end.remove(&a);
        }
        Some(c)
    }

    /// Every connection touching `port`.
    pub fn conns_of(&self, port: u16) -> Vec<u64> {
        self.conns
            .iter()
            .filter(|(_, c)| c.initiator.port == port || c.target == port)
            .map(|(&id, _)| id)
            .collect()
    }

    /// The other end of `from`'s connection, and the direction index (0: initiator→acceptor).
    pub fn peer(&self, from: End) -> Option<(u64, Option<End>, usize)> {
        let id = self.conn_of(from)?;
        let c = &self.conns[&id];
        if c.initiator == from {
            Some((id, c.acceptor, 0))
        } else {
            Some((id, Some(c.initiator), 1))
        }
    }

    /// When a message sent now on `id` in `dir` arrives, keeping the stream in order.
    pub fn schedule_delivery(
        &mut self,
        id: u64,
        dir: usize,
        from: u16,
        to: u16,
        now: SimTime,
    ) -> SimTime {
        let lat = self.latency(from, to);
        let c = self
            .conns
            .get_mut(&id)
            .expect("caller checked the connection");
        let at = (now + lat).max(c.last_delivery[dir]);
        c.last_delivery[dir] = at;
        at
    }

    /// Every connection, in id order.
    pub fn connections(&self) -> impl Iterator<Item = &Conn> {
        self.conns.values()
    }

    /// Whether packets from `from` reach `to` right now.
    pub fn reachable(&self, from: u16, to: u16) -> bool {
        if self.cut.contains(&(from, to)) {
            return false;
        }
        if self.partition.is_empty() {
            return true;
        }
        let group = |p: u16| self.partition.iter().position(|g| g.contains(&p));
        group(from) == group(to)
    }

    /// Calls `f` with every directed pair of `ports` whose packets are dropped, `from`-major in
    /// the order given: [`reachable`](Self::reachable) of each pair, with each port's
    /// partition group looked up once (a picture of 1,000 nodes asks about a million pairs).
    pub fn for_each_unreachable(&self, ports: &[u16], mut f: impl FnMut(u16, u16)) {
        if self.cut.is_empty() && self.partition.is_empty() {
            return;
        }
        let groups: Vec<Option<usize>> = ports
            .iter()
            .map(|p| self.partition.iter().position(|g| g.contains(p)))
            .collect();
        for (i, &a) in ports.iter().enumerate() {
            for (j, &b) in ports.iter().enumerate() {
                if i != j && (groups[i] != groups[j] || self.cut.contains(&(a, b))) {
                    f(a, b);
                }
            }
        }
    }

    /// One-way latency from `from` to `to`.
    pub fn latency(&self, from: u16, to: u16) -> Millis {
        self.pair_latency
            .get(&(from, to))
            .copied()
            .unwrap_or(self.latency)
    }

    /// Loss percentage from `from` to `to`.
    pub fn loss(&self, from: u16, to: u16) -> u8 {
        self.pair_loss
            .get(&(from, to))
            .copied()
            .unwrap_or(self.loss)
    }

    /// Splits the network into groups (both directions).
    pub fn partition(&mut self, groups: Vec<BTreeSet<u16>>) {
        self.partition = groups;
    }

    /// Cuts the path from `from` to `to` only.
    pub fn cut_one_way(&mut self, from: u16, to: u16) {
        self.cut.insert((from, to));
    }

    /// Sets latency everywhere, or on both directions between two nodes.
    pub fn set_latency(&mut self, ms: Millis, pair: Option<(u16, u16)>) {
        match pair {
            None => self.latency = ms,
            Some((a, b)) => {
                self.pair_latency.insert((a, b), ms);
                self.pair_latency.insert((b, a), ms);
            }
        }
    }

    /// Sets loss everywhere, or on both directions between two nodes.
    pub fn set_loss(&mut self, percent: u8, pair: Option<(u16, u16)>) {
        match pair {
            None => self.loss = percent,
            Some((a, b)) => {
                self.pair_loss.insert((a, b), percent);
                self.pair_loss.insert((b, a), percent);
            }
        }
    }

    /// Removes partitions, cuts, latency and loss.
    pub fn heal(&mut self) {
        self.partition.clear();
        self.cut.clear();
        self.latency = 0;
        self.pair_latency.clear();
        self.loss = 0;
        self.pair_loss.clear();
    }
}
