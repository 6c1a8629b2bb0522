//! One Redis Cluster node's cluster-bus state machine, faithful to Redis 7.0.
//!
//! No networking code, no clocks, no threads: a [`ClusterState`] is a value that the driver
//! steps. Time is always a parameter ([`SimTime`]), randomness comes from a per-node seeded
//! ChaCha stream ([`NodeSeed`]), and everything the node wants to do or say comes out of
//! `poll_*` methods. The same code therefore runs natively and in the browser and gives the same
//! result for the same seed.
//!
//! # The driving loop
//!
//! ```
//! use cluster_proto::{ClusterConfig, ClusterState, NodeSeed, SimTime, Transmit};
//!
//! let now = SimTime::DEFAULT_START;
//! let mut node = ClusterState::new(now, 7000, ClusterConfig::default(), NodeSeed { seed: 42, port: 7000 });
//! // 1. Ask when the node wants to run next, 2. give it that time, 3. drain its outputs.
//! let at = node.poll_timeout().expect("a node always has a cron timer");
//! node.handle_timeout(at);
//! while let Some(t) = node.poll_transmit() {
//!     // Connect, Send and Close requests go to the network here.
//!     let _: Transmit = t;
//! }
//! while let Some(event) = node.poll_event() {
//!     println!("{} {}", event.level().marker(), event);
//! }
//! ```
//!
//! Inputs from the network are [`ClusterState::handle_packet`],
//! [`ClusterState::handle_link_connected`], [`ClusterState::handle_link_closed`] and
//! [`ClusterState::handle_accept`]; admin commands such as [`ClusterState::meet`] are typed
//! methods. Names follow Redis's `cluster.c`: `clusterState` is [`ClusterState`],
//! `clusterNode` is [`ClusterNode`], `keyHashSlot` is [`key_hash_slot`].
#![deny(missing_docs)]

mod commands;
mod config;
mod cron;
mod epochs;
mod event;
mod failover;
mod failure;
mod flags;
mod gossip;
mod health;
mod ids;
mod link;
mod manual;
mod migration;
mod msg;
mod node;
mod packet;
mod resharding;
mod slots;
mod state;
mod stats;
mod time;

pub use commands::{BumpResult, CLUSTER_BLACKLIST_TTL, ClusterError};
pub use config::ClusterConfig;
pub use event::{CantFailoverReason, LogLevel, NodeEvent};
pub use failover::{Election, REPL_PING_REPLICA_PERIOD_SECS, ReplUpdate, ReplicaLink};
pub use failure::{CLUSTER_FAIL_REPORT_VALIDITY_MULT, CLUSTER_FAIL_UNDO_TIME_MULT};
pub use flags::NodeFlags;
pub use ids::{CLUSTER_PORT_INCR, Epoch, FixedHasher, NODE_ID_LEN, NodeAddr, NodeId, Slot};
pub use link::{Link, LinkId, Transmit};
pub use manual::{CLUSTER_MF_TIMEOUT, FailoverMode, ManualFailover};
pub use migration::CLUSTER_SLAVE_MIGRATION_DELAY;
pub use msg::{ClusterMsg, GossipEntry, MsgBody, MsgHeader, MsgType};
pub use node::{ClusterNode, FailReport, NodeInfo};
pub use slots::{CLUSTER_SLOTS, SlotSet, crc16, key_hash_slot};
pub use state::{
    CLUSTER_CRON_PERIOD, CLUSTER_WRITABLE_DELAY, ClusterHealth, ClusterState, NodeSeed,
};
pub use stats::{MESSAGE_TYPE_NAMES, MessageStats};
pub use time::{Millis, SimTime};
