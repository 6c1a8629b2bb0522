//! One node's view of the cluster and its driver API (`clusterState`).

use std::collections::VecDeque;

use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

use crate::config::ClusterConfig;
use crate::event::NodeEvent;
use crate::flags::NodeFlags;
use crate::ids::{Epoch, NodeAddr, NodeId};
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
/// asks for, and drains [`poll_event`](Self::poll_event) after every input.
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
#[derive(Debug)]
#[doc(alias = "clusterState")]
pub struct ClusterState {
    config: ClusterConfig,
    myself: NodeId,
    /// Known nodes in the order this node learned them (a documented, deterministic stand-in
    /// for the hash-table order Redis prints). `nodes[0]` is myself.
    nodes: Vec<ClusterNode>,
    current_epoch: Epoch,
    last_vote_epoch: Epoch,
    health: ClusterHealth,
    size: usize,
    stats: MessageStats,
    first_update_state: Option<SimTime>,
    among_minority_time: Option<SimTime>,
    next_cron: SimTime,
    #[allow(dead_code)]
    // drawn from by gossip and elections; kept here so ids and later draws share one stream
    rng: ChaCha8Rng,
    events: VecDeque<NodeEvent>,
}

impl ClusterState {
    /// A node starting for the first time on `port` with no `nodes.conf`: it makes a random id
    /// and knows only itself, as a master with no slots and epoch 0.
    pub fn new(now: SimTime, port: u16, config: ClusterConfig, seed: NodeSeed) -> Self {
        let mut rng = seed.rng();
        let myself = NodeId::random(&mut rng);
        let me = ClusterNode {
            link_connected: true,
            ..ClusterNode::new(
                myself,
                NodeAddr::new(None, port),
                NodeFlags::MYSELF | NodeFlags::MASTER,
            )
        };
        let mut events = VecDeque::new();
        events.push_back(NodeEvent::ConfigCreated { myself });
        ClusterState {
            config,
            myself,
            nodes: vec![me],
            current_epoch: 0,
            last_vote_epoch: 0,
            health: ClusterHealth::Fail,
            // Redis starts `size` at 1 and recomputes it only once the writable delay is over,
            // which is why a fresh node reports `cluster_size:1` for about two seconds.
            size: 1,
            stats: MessageStats::default(),
            first_update_state: None,
            among_minority_time: None,
            next_cron: now + FIRST_CRON_DELAY,
            rng,
            events,
        }
    }

    // ----- inputs -----

    /// Runs whatever is due at `now`: the 100 ms `clusterCron`.
    pub fn handle_timeout(&mut self, now: SimTime) {
        while self.next_cron <= now {
            let at = self.next_cron;
            self.cron(at);
            self.next_cron = at + CLUSTER_CRON_PERIOD;
        }
    }

    // ----- outputs -----

    /// When the node next needs [`handle_timeout`](Self::handle_timeout).
    #[must_use]
    pub fn poll_timeout(&self) -> Option<SimTime> {
        Some(self.next_cron)
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
        self.nodes.iter().find(|n| n.id == *id)
    }

    /// All known nodes, myself first, then in the order they were learned.
    pub fn nodes(&self) -> &[ClusterNode] {
        &self.nodes
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

    // ----- internals -----

    /// `clusterCron`. Only the parts a node without peers needs exist so far.
    #[doc(alias = "clusterCron")]
    fn cron(&mut self, now: SimTime) {
        if self.health == ClusterHealth::Fail {
            self.update_state(now);
        }
    }

    /// `clusterUpdateState`: recomputes `cluster_state` and `cluster_size`.
    #[doc(alias = "clusterUpdateState")]
    fn update_state(&mut self, now: SimTime) {
        let first = *self.first_update_state.get_or_insert(now);
        // A master that is down waits out the writable delay before deciding anything.
        if self.myself().is_master()
            && self.health == ClusterHealth::Fail
            && now - first < CLUSTER_WRITABLE_DELAY
        {
            return;
        }

        let mut new_health = ClusterHealth::Ok;
        if self.config.require_full_coverage && !self.all_slots_served() {
            new_health = ClusterHealth::Fail;
        }

        self.size = 0;
        let mut reachable_masters = 0;
        for n in self
            .nodes
            .iter()
            .filter(|n| n.is_master() && !n.slots.is_empty())
        {
            self.size += 1;
            if !n.is_failing() {
                reachable_masters += 1;
            }
        }
        let needed_quorum = self.size / 2 + 1;
        if reachable_masters < needed_quorum {
            new_health = ClusterHealth::Fail;
            self.among_minority_time = Some(now);
        }

        if new_health != self.health {
            // A master that was in a minority waits before accepting writes again, so it
            // learns of a failover that happened meanwhile before it serves stale slots.
            let rejoin_delay = self.config.node_timeout.clamp(500, 5000);
            if new_health == ClusterHealth::Ok
                && self.myself().is_master()
                && self
                    .among_minority_time
                    .is_some_and(|t| now - t < rejoin_delay)
            {
                return;
            }
            self.health = new_health;
            self.events.push_back(NodeEvent::StateChanged {
                ok: new_health == ClusterHealth::Ok,
            });
        }
    }

    /// Whether every slot has an owner that is not FAIL.
    fn all_slots_served(&self) -> bool {
        let served = self
            .nodes
            .iter()
            .filter(|n| !n.flags.contains(NodeFlags::FAIL))
            .map(|n| n.slots.len())
            .sum::<usize>();
        served == crate::slots::CLUSTER_SLOTS
    }
}
