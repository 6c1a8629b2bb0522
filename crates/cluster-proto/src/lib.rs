//! One Redis Cluster node's cluster-bus state machine, faithful to Redis 7.0.
//!
//! No networking code, no clocks, no threads: a [`ClusterState`] is a value that the driver
//! steps. Time is always a parameter ([`SimTime`]), randomness comes from a per-node seeded
//! ChaCha stream ([`NodeSeed`]), and everything the node wants to say comes out of `poll_*`
//! methods. The same code therefore runs natively and in the browser and gives the same result
//! for the same seed.
//!
//! # The driving loop
//!
//! ```
//! use cluster_proto::{ClusterConfig, ClusterState, NodeSeed, SimTime};
//!
//! let now = SimTime::DEFAULT_START;
//! let mut node = ClusterState::new(now, 7000, ClusterConfig::default(), NodeSeed { seed: 42, port: 7000 });
//! // 1. Ask when the node wants to run next, 2. give it that time, 3. drain its outputs.
//! let at = node.poll_timeout().expect("a node always has a cron timer");
//! node.handle_timeout(at);
//! while let Some(event) = node.poll_event() {
//!     println!("{} {}", event.level().marker(), event);
//! }
//! ```
//!
//! Names follow Redis's `cluster.c`: `clusterState` is [`ClusterState`], `clusterNode` is
//! [`ClusterNode`], `keyHashSlot` is [`key_hash_slot`].
#![deny(missing_docs)]

mod config;
mod event;
mod flags;
mod ids;
mod node;
mod slots;
mod state;
mod stats;
mod time;

pub use config::ClusterConfig;
pub use event::{LogLevel, NodeEvent};
pub use flags::NodeFlags;
pub use ids::{CLUSTER_PORT_INCR, Epoch, NODE_ID_LEN, NodeAddr, NodeId, Slot};
pub use node::ClusterNode;
pub use slots::{CLUSTER_SLOTS, SlotSet, crc16, key_hash_slot};
pub use state::{
    CLUSTER_CRON_PERIOD, CLUSTER_WRITABLE_DELAY, ClusterHealth, ClusterState, NodeSeed,
};
pub use stats::{MESSAGE_TYPE_NAMES, MessageStats};
pub use time::{Millis, SimTime};
