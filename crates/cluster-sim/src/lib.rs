//! The deterministic world ClusterLab's nodes live in.
//!
//! A discrete-event simulator: the virtual clock jumps from one due event to the next, ties are
//! broken by insertion order, and all randomness comes from the scenario seed. It owns the
//! hosts (one `redis-server` process per port, with its [`cluster_proto::ClusterState`]) and
//! steps their state machines.
//!
//! ```
//! use cluster_sim::{ServerConfig, Simulator};
//!
//! let mut sim = Simulator::new(7);
//! let args: Vec<String> = ["--port", "7000", "--cluster-enabled", "yes"].map(String::from).to_vec();
//! sim.start_server(ServerConfig::from_args(&args).expect("valid options"));
//! sim.advance(3000);
//! let node = sim.running(7000).and_then(|h| h.cluster.as_ref()).expect("cluster node");
//! assert_eq!(node.cluster_size(), 0);
//! ```
#![deny(missing_docs)]

mod apply;
mod host;
mod keyspace;
mod ledger;
mod logfmt;
mod network;
mod server_config;
mod story;
mod trace;
mod view;
mod wire;
mod world;

pub use apply::execute as execute_data;
pub use apply::{Applied, DataReply, glob_match, is_data_command, string2ll};
pub use host::{Host, MAX_LOG_LINES, NO_REPLID, ProcessState, ReplLinkState, ReplicaOf, push_log};
pub use keyspace::{Keyspace, Value};
pub use ledger::{AckedWrite, Ledger, LostWrite, MAX_ACKED, MAX_LOST};
pub use logfmt::{log_line, log_timestamp};
pub use network::{Conn, ConnState, End, Network};
pub use server_config::{ConfigError, REDIS_VERSION, ServerConfig};
pub use story::{MAX_STORY, Story, StoryEntry, Weight};
pub use trace::TraceEvent;
pub use view::{
    Belief, BeliefCell, BeliefDetail, ClusterView, MAX_LISTED_LINES, NodeView, SlotRun, promoted,
};
pub use wire::{MAX_WIRE, Wire, WireMsg};
pub use world::{
    DEFAULT_SEED, LOOPBACK, MAX_EVENTS_PER_MS, MAX_TRACE, REPL_BACKLOG_SIZE,
    REPL_DISKLESS_SYNC_DELAY, SimError, Simulator, Stream, StreamEntry, resp_len,
};
