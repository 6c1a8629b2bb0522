//! One node's view of the cluster and its driver API (`clusterState`).

use std::collections::{BTreeMap, VecDeque};

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

use crate::config::ClusterConfig;
use crate::event::{CantFailoverReason, NodeEvent};
use crate::failover::{Election, ReplicaLink};
use crate::flags::NodeFlags;
use crate::ids::{Epoch, NodeAddr, NodeId, NodeIndex};
use crate::link::{Link, LinkId, Transmit};
use crate::msg::{ClusterMsg, MsgBody, MsgHeader};
use crate::node::ClusterNode;
use crate::stats::MessageStats;
use crate::time::{Millis, SimTime};

/// `clusterCron` runs every 100 ms (Redis's `serverCron` at `hz 10`).
pub const CLUSTER_CRON_PERIOD: Millis = 100;

/// `serverCron` first fires 1 ms after the server starts (`aeCreateTimeEvent(.., 1, ..)`).
const FIRST_CRON_DELAY: Millis = 1;

/// A master in `fail` state waits this long after its first state update before turning `ok`,
/// so a restarted node learns the configuration before it serves (`CLUSTER_WRITABLE_DELAY`).
pub const CLUSTER_WRITABLE_DELAY: Millis = 2000;

/// Overall health as the node reports it in `cluster_state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterHealth {
    /// `ok`: every slot is served and a majority of masters is reachable.
    Ok,
    /// `fail`: the node refuses keyed commands.
    Fail,
}

/// Where a node's randomness comes from: the scenario seed and the node's port, so that one
/// node's draws never shift another's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeSeed {
    /// The scenario seed.
    pub seed: u64,
    /// The node's client port.
    pub port: u16,
}

impl NodeSeed {
    fn rng(self) -> ChaCha8Rng {
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&self.seed.to_le_bytes());
        key[8..10].copy_from_slice(&self.port.to_le_bytes());
        // A fixed tag keeps node streams distinct from any other stream built from the seed.
        key[16..24].copy_from_slice(b"clusnode");
        ChaCha8Rng::from_seed(key)
    }
}

/// One Redis Cluster node's state machine.
///
/// Sans-IO: it never reads a clock or touches a socket. The driver feeds it time with
/// [`handle_timeout`](Self::handle_timeout) at the moment [`poll_timeout`](Self::poll_timeout)
/// asks for, passes it packets and link events, and drains [`poll_transmit`](Self::poll_transmit)
/// and [`poll_event`](Self::poll_event) after every input.
///
/// ```
/// use cluster_proto::{ClusterConfig, ClusterState, NodeSeed, SimTime};
///
/// let start = SimTime::DEFAULT_START;
/// let mut node = ClusterState::new(start, 7000, ClusterConfig::default(), NodeSeed { seed: 1, port: 7000 });
/// // Drive it for three virtual seconds.
/// while let Some(at) = node.poll_timeout().filter(|&t| t <= start + 3000) {
///     node.handle_timeout(at);
/// }
/// // A lone node serves no slots: the cluster is down and it counts no masters with slots.
/// assert_eq!(node.cluster_size(), 0);
/// assert!(node.poll_event().is_some()); // "No cluster configuration found, I'm ..."
/// ```
#[derive(Debug, Clone)]
#[doc(alias = "clusterState")]
pub struct ClusterState {
    pub(crate) config: ClusterConfig,
    pub(crate) myself: NodeId,
    /// Known nodes in the order this node learned them (a documented, deterministic stand-in
    /// for the hash-table order Redis prints). `nodes[0]` is myself.
    pub(crate) nodes: Vec<ClusterNode>,
    /// Where each id sits in `nodes`; rebuilt whenever `nodes` changes shape. Lookups by id
    /// happen for every gossip entry, so a scan (or even a tree search) would dominate large
    /// clusters.
    pub(crate) index: NodeIndex,
    pub(crate) links: BTreeMap<LinkId, Link>,
    pub(crate) next_link: u32,
    pub(crate) current_epoch: Epoch,
    pub(crate) last_vote_epoch: Epoch,
    pub(crate) health: ClusterHealth,
    pub(crate) size: usize,
    pub(crate) stats: MessageStats,
    pub(crate) stats_pfail_nodes: usize,
    pub(crate) iteration: u64,
    pub(crate) first_update_state: Option<SimTime>,
    pub(crate) among_minority_time: Option<SimTime>,
    pub(crate) next_cron: SimTime,
    /// `CLUSTER_TODO_UPDATE_STATE`, run before the node sleeps.
    pub(crate) todo_update_state: bool,
    /// `CLUSTER_TODO_HANDLE_FAILOVER`, run before the node sleeps.
    pub(crate) todo_handle_failover: bool,
    /// My replication link, when I am a replica.
    pub(crate) repl: ReplicaLink,
    /// My current or last election.
    pub(crate) election: Election,
    /// A manual failover in progress (`mf_*`).
    pub(crate) mf: crate::manual::ManualFailover,
    /// Slots of mine whose keys are moving out (`migrating_slots_to`).
    pub(crate) migrating_slots_to: BTreeMap<crate::ids::Slot, NodeId>,
    /// Slots whose keys are moving in (`importing_slots_from`).
    pub(crate) importing_slots_from: BTreeMap<crate::ids::Slot, NodeId>,
    pub(crate) cant_failover_reason: CantFailoverReason,
    pub(crate) cant_failover_lastlog_secs: u64,
    /// Node ids FORGET-ten recently, with when they may be re-added (`nodes_black_list`).
    pub(crate) blacklist: BTreeMap<NodeId, SimTime>,
    pub(crate) rng: ChaCha8Rng,
    pub(crate) transmits: VecDeque<Transmit>,
    pub(crate) events: VecDeque<NodeEvent>,
}

impl ClusterState {
    /// A node starting for the first time on `port` with no `nodes.conf`: it makes a random id
    /// and knows only itself, as a master with no slots and epoch 0.
    pub fn new(now: SimTime, port: u16, config: ClusterConfig, seed: NodeSeed) -> Self {
        let mut rng = seed.rng();
        let myself = NodeId::random(&mut rng);
        // Processes start at arbitrary moments, so each node's 100 ms cron, and its
        // once-a-second random ping (every 10th cron), has its own phase. Without this, nodes
        // started by whole-second `sleep`s would all ping in lockstep with the commands.
        let phase = u64::from(rng.next_u32() % CLUSTER_CRON_PERIOD as u32);
        let iteration = u64::from(rng.next_u32() % 10);
        let mut flags = NodeFlags::MYSELF | NodeFlags::MASTER;
        if config.replica_no_failover {
            flags |= NodeFlags::NOFAILOVER;
        }
        let me = ClusterNode::new(myself, NodeAddr::new(None, port), flags, now);
        let mut events = VecDeque::new();
        events.push_back(NodeEvent::ConfigCreated { myself });
        ClusterState {
            config,
            myself,
            nodes: vec![me],
            index: NodeIndex::from_iter([(myself, 0)]),
            links: BTreeMap::new(),
            next_link: 1,
            current_epoch: 0,
            last_vote_epoch: 0,
            health: ClusterHealth::Fail,
            // Redis starts `size` at 1 and recomputes it only once the writable delay is over,
            // which is why a fresh node reports `cluster_size:1` for about two seconds.
            size: 1,
            stats: MessageStats::default(),
            stats_pfail_nodes: 0,
            iteration,
            first_update_state: None,
            among_minority_time: None,
            next_cron: now + FIRST_CRON_DELAY + phase,
            todo_update_state: false,
            todo_handle_failover: false,
            repl: ReplicaLink::default(),
            election: Election::default(),
            mf: crate::manual::ManualFailover::default(),
            migrating_slots_to: BTreeMap::new(),
            importing_slots_from: BTreeMap::new(),
            cant_failover_reason: CantFailoverReason::None,
            cant_failover_lastlog_secs: 0,
            blacklist: BTreeMap::new(),
            rng,
            transmits: VecDeque::new(),
            events,
        }
    }

    /// The node starting again from the `nodes.conf` its previous run left: same id, epochs,
    /// vote and view of the cluster; no links, no failure reports, and the runtime state of a
    /// fresh process (`clusterLoadConfig`).
    pub fn restart(mut self, now: SimTime) -> ClusterState {
        self.nodes.retain(|n| !n.in_handshake());
        self.reindex();
        let masters: Vec<NodeId> = self
            .nodes
            .iter()
            .filter(|n| n.is_master())
            .map(|n| n.id)
            .collect();
        for n in &mut self.nodes {
            n.link = None;
            n.inbound_link = None;
            n.fail_reports.clear();
            n.data_received = None;
            // Non-zero ping/pong times are loaded as "now"; FAIL restarts its clock.
            n.ping_sent = n.ping_sent.map(|_| now);
            n.pong_received = n.pong_received.map(|_| now);
            if n.flags.contains(NodeFlags::FAIL) {
                n.fail_time = Some(now);
            }
            // 7.0 loads other replicas' configEpoch as 0: they report their master's.
            if !n.is_myself() && n.is_replica() && !masters.contains(&n.id) {
                n.config_epoch = 0;
            }
        }
        let max_epoch = self.nodes.iter().map(|n| n.config_epoch).max().unwrap_or(0);
        self.current_epoch = self.current_epoch.max(max_epoch);
        self.links.clear();
        self.health = ClusterHealth::Fail;
        self.size = 1;
        self.stats = MessageStats::default();
        self.stats_pfail_nodes = 0;
        self.iteration = 0;
        self.first_update_state = None;
        self.among_minority_time = None;
        self.next_cron = now + FIRST_CRON_DELAY;
        self.todo_update_state = false;
        self.todo_handle_failover = false;
        self.repl = ReplicaLink::default();
        self.election = Election::default();
        self.cant_failover_reason = CantFailoverReason::None;
        self.transmits.clear();
        self.events.clear();
        self.events.push_back(NodeEvent::ConfigLoaded {
            myself: self.myself,
        });
        // A replica resumes replicating its master right away.
        if let Some(addr) = self
            .myself()
            .replica_of
            .and_then(|m| self.node(&m))
            .map(|m| m.addr)
        {
            self.transmits.push_back(Transmit::SetReplicationMaster {
                master: Some(addr),
                promoted: false,
            });
        }
        self
    }

    // ----- inputs -----

    /// Runs whatever is due at `now`: the 100 ms `clusterCron`, then the before-sleep work.
    ///
    /// A late call (the process was paused) runs one cron, not the missed ones: Redis's timer
    /// fires once and is rescheduled from the current time.
    pub fn handle_timeout(&mut self, now: SimTime) {
        if self.next_cron <= now {
            self.cron(now);
            self.next_cron = now + CLUSTER_CRON_PERIOD;
        }
        self.before_sleep(now);
    }

    /// `clusterBeforeSleep`: deferred work flagged while handling inputs.
    #[doc(alias = "clusterBeforeSleep")]
    pub(crate) fn before_sleep(&mut self, now: SimTime) {
        if std::mem::take(&mut self.todo_handle_failover) && self.myself().is_replica() {
            self.handle_replica_failover(now);
        }
        if std::mem::take(&mut self.todo_update_state) {
            self.update_state(now);
        }
    }

    // ----- outputs -----

    /// When the node next needs [`handle_timeout`](Self::handle_timeout).
    #[must_use]
    pub fn poll_timeout(&self) -> Option<SimTime> {
        Some(self.next_cron)
    }

    /// The next thing the node asks of the network, oldest first.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next observable event, oldest first.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<NodeEvent> {
        self.events.pop_front()
    }

    // ----- getters -----

    /// This node's id.
    pub fn myself_id(&self) -> NodeId {
        self.myself
    }

    /// This node's own record.
    pub fn myself(&self) -> &ClusterNode {
        &self.nodes[0]
    }

    /// A known node by id.
    pub fn node(&self, id: &NodeId) -> Option<&ClusterNode> {
        self.index_of(id).map(|i| &self.nodes[i])
    }

    /// All known nodes, myself first, then in the order they were learned.
    pub fn nodes(&self) -> &[ClusterNode] {
        &self.nodes
    }

    /// The link with this id, if open.
    pub fn link(&self, id: LinkId) -> Option<&Link> {
        self.links.get(&id)
    }

    /// The configuration the node runs with.
    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }

    /// `currentEpoch`.
    pub fn current_epoch(&self) -> Epoch {
        self.current_epoch
    }

    /// `lastVoteEpoch`.
    pub fn last_vote_epoch(&self) -> Epoch {
        self.last_vote_epoch
    }

    /// The epoch `cluster_my_epoch` reports: my configEpoch, or my master's if I replicate a
    /// known master.
    pub fn my_epoch(&self) -> Epoch {
        let me = self.myself();
        me.replica_of
            .and_then(|m| self.node(&m))
            .map_or(me.config_epoch, |m| m.config_epoch)
    }

    /// `cluster_state`.
    pub fn health(&self) -> ClusterHealth {
        self.health
    }

    /// `cluster_size`: masters serving at least one slot, as last computed.
    pub fn cluster_size(&self) -> usize {
        self.size
    }

    /// Bus message counters.
    pub fn stats(&self) -> &MessageStats {
        &self.stats
    }

    // ----- shared internals -----

    pub(crate) fn index_of(&self, id: &NodeId) -> Option<usize> {
        self.index.get(id)
    }

    pub(crate) fn node_mut(&mut self, id: &NodeId) -> Option<&mut ClusterNode> {
        let i = self.index_of(id)?;
        Some(&mut self.nodes[i])
    }

    /// Appends a newly learned node (`clusterAddNode`).
    pub(crate) fn add_node(&mut self, node: ClusterNode) {
        self.index.insert(node.id, self.nodes.len());
        self.nodes.push(node);
    }

    /// Rebuilds the id index after nodes were removed or renamed.
    pub(crate) fn reindex(&mut self) {
        self.index = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id, i))
            .collect();
    }

    pub(crate) fn myself_mut(&mut self) -> &mut ClusterNode {
        &mut self.nodes[0]
    }

    /// A raw random draw (Redis's `random()`).
    pub(crate) fn rng_u32(&mut self) -> u32 {
        self.rng.next_u32()
    }

    /// A uniformly random index into the node table (`dictGetRandomKey`).
    pub(crate) fn random_index(&mut self) -> usize {
        let n = self.nodes.len() as u32;
        (self.rng.next_u32() % n) as usize
    }

    /// The master whose slots and epoch my headers carry: myself, or my master if I replicate one.
    pub(crate) fn header_master(&self) -> &ClusterNode {
        let me = self.myself();
        me.replica_of.and_then(|m| self.node(&m)).unwrap_or(me)
    }

    /// `clusterBuildMessageHdr`.
    #[doc(alias = "clusterBuildMessageHdr")]
    pub(crate) fn build_header(&self) -> MsgHeader {
        let me = self.myself();
        let master = self.header_master();
        MsgHeader {
            sender: self.myself,
            port: me.addr.port,
            cport: me.addr.cport,
            current_epoch: self.current_epoch,
            config_epoch: master.config_epoch,
            offset: me.repl_offset,
            myslots: master.slots.clone(),
            slaveof: me.replica_of,
            flags: me.flags,
            state_ok: self.health == ClusterHealth::Ok,
            // While a manual failover runs, a master says it is paused and a replica asks the
            // masters to vote although its master is up.
            paused: me.is_master() && self.mf.end.is_some(),
            force_ack: me.is_replica() && self.mf.end.is_some(),
        }
    }

    /// Queues `body` on `link` and counts it as sent (Redis counts at enqueue time).
    pub(crate) fn send(&mut self, link: LinkId, body: MsgBody) {
        let msg = ClusterMsg {
            header: self.build_header(),
            body,
        };
        self.stats.sent[msg.msg_type() as usize] += 1;
        self.transmits.push_back(Transmit::Send {
            link,
            msg: Box::new(msg),
        });
    }

    /// Opens an outbound link object to `idx` (the TCP connect completes later).
    pub(crate) fn create_link(&mut self, idx: usize, now: SimTime) {
        let id = LinkId(self.next_link);
        self.next_link += 1;
        let node = &mut self.nodes[idx];
        node.link = Some(id);
        self.links.insert(
            id,
            Link {
                ctime: now,
                node: Some(node.id),
                outbound: true,
                connected: false,
                local_ip: None,
                peer_ip: node.addr.ip,
            },
        );
        self.transmits.push_back(Transmit::Connect {
            link: id,
            ip: node.addr.ip,
            cport: node.addr.cport,
        });
    }

    /// `freeClusterLink`: forgets a link and tells the network to close it.
    pub(crate) fn free_link(&mut self, link: LinkId) {
        if let Some(l) = self.links.remove(&link) {
            if let Some(n) = l.node.and_then(|id| self.node_mut(&id)) {
                if n.link == Some(link) {
                    n.link = None;
                }
                if n.inbound_link == Some(link) {
                    n.inbound_link = None;
                }
            }
            self.transmits.push_back(Transmit::Close { link });
        }
    }

    /// `clusterDelNode`: removes a node, its links, its slots and the reports it made.
    pub(crate) fn delete_node(&mut self, id: &NodeId) {
        let Some(idx) = self.index_of(id) else {
            return;
        };
        let node = &self.nodes[idx];
        let links: Vec<LinkId> = node.link.into_iter().chain(node.inbound_link).collect();
        for l in links {
            self.free_link(l);
        }
        let node = self.nodes.remove(idx);
        self.reindex();
        if let Some(m) = node.replica_of.and_then(|m| self.node_mut(&m)) {
            m.replicas.retain(|r| r != id);
        }
        for n in &mut self.nodes {
            n.fail_reports.retain(|r| r.reporter != *id);
            if n.replica_of == Some(*id) {
                n.replica_of = None;
            }
        }
        // Open slots naming the forgotten node are closed (clusterDelNode).
        self.migrating_slots_to.retain(|_, to| to != id);
        self.importing_slots_from.retain(|_, from| from != id);
        // Links bound to it but not yet attached (inbound) simply lose their owner.
        for l in self.links.values_mut() {
            if l.node == Some(*id) {
                l.node = None;
            }
        }
    }
}
