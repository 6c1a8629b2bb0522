//! A simulated machine port: the `redis-server` process that runs there and what it keeps.

use cluster_proto::{ClusterState, NodeFlags};

use crate::server_config::ServerConfig;

/// Whether the process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcessState {
    /// Running and answering.
    Running,
    /// Stopped cleanly (SIGINT or SHUTDOWN).
    Killed,
    /// Vanished without flushing anything (SIGKILL).
    Crashed,
}

/// A replica's replication link to its master.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplLinkState {
    /// Trying to reach the master.
    Connecting,
    /// Full sync in progress (the master waits `repl-diskless-sync-delay` first).
    Syncing,
    /// Streaming.
    Up,
}

/// Whom a host replicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplicaOf {
    /// The master's client port.
    pub master_port: u16,
    /// The link's state.
    pub state: ReplLinkState,
}

/// One `redis-server` on one port.
#[derive(Debug, Clone)]
pub struct Host {
    /// The configuration it was started with.
    pub config: ServerConfig,
    /// Its process state.
    pub process: ProcessState,
    /// Its process id, as printed in its log lines.
    pub pid: u32,
    /// The cluster-bus state machine, if `cluster-enabled yes`.
    pub cluster: Option<ClusterState>,
    /// The log, oldest first, in Redis's format.
    pub log: Vec<String>,
    /// The master this host replicates, if any.
    pub replica_of: Option<ReplicaOf>,
    /// `master_repl_offset`: bytes of replication stream produced (master) or processed
    /// (replica).
    pub repl_offset: u64,
    /// Bumped whenever the replication master changes, so stale sync events are ignored.
    pub repl_gen: u64,
    /// SIGINT received; the process exits at its next cron tick.
    pub shutting_down: bool,
    /// A master shutting down waits for lagging replicas until then (`shutdown-timeout`).
    pub shutdown_deadline: Option<cluster_proto::SimTime>,
    /// SIGSTOP-ped until this time: nothing runs, input waits in the kernel.
    pub paused_until: Option<cluster_proto::SimTime>,
    /// When the process started.
    pub started: cluster_proto::SimTime,
    /// The replication history this host follows (`master_replid`).
    pub replid: String,
    /// The previous history, after a promotion (`master_replid2`), all zeros otherwise.
    pub replid2: String,
    /// First offset of the current history after a promotion (`second_repl_offset`), or -1.
    pub second_repl_offset: i64,
    /// The offset the replication backlog starts at, once there is one.
    pub backlog_first_byte: Option<u64>,
    /// Database 0.
    pub db: crate::keyspace::Keyspace,
    /// What a restart loads: the last RDB snapshot, or the AOF with `appendonly yes`.
    pub saved_db: Option<crate::keyspace::Keyspace>,
    /// The history and offset the saved dataset had reached.
    pub saved_at: Option<(String, u64)>,
    /// The replication stream this host sends as a master (its backlog).
    pub stream: crate::world::Stream,
    /// `DEBUG SET-ACTIVE-EXPIRE`: whether a master deletes expired keys on its own (on by
    /// default; a restart turns it on again).
    pub active_expire: bool,
    /// `CONFIG SET appendonly` while running; the start arguments decide after a restart.
    pub appendonly_now: Option<bool>,
}

/// A master_replid2 that means "no previous history".
pub const NO_REPLID: &str = "0000000000000000000000000000000000000000";

/// At most this many log lines are kept per server (`sim log` shows the newest).
pub const MAX_LOG_LINES: usize = 5000;

/// Appends a log line, dropping the oldest beyond [`MAX_LOG_LINES`] (in batches, so that
/// appending stays cheap).
pub fn push_log(log: &mut Vec<String>, line: String) {
    log.push(line);
    if log.len() > MAX_LOG_LINES + MAX_LOG_LINES / 10 {
        log.drain(..log.len() - MAX_LOG_LINES);
    }
}

impl Host {
    /// Whether the server writes an append-only file now.
    pub fn appendonly(&self) -> bool {
        self.appendonly_now.unwrap_or(self.config.appendonly)
    }

    /// Whether the process answers clients.
    pub fn is_running(&self) -> bool {
        self.process == ProcessState::Running
    }

    /// Appends one line to the server's log, formatted as Redis writes it (pid, role letter,
    /// time, level).
    pub fn log(&mut self, now: cluster_proto::SimTime, level: cluster_proto::LogLevel, msg: &str) {
        let line = crate::logfmt::log_line(self.pid, self.role_letter(), now, level, msg);
        push_log(&mut self.log, line);
    }

    /// The role letter Redis puts in log lines: `S` for a replica, `M` otherwise.
    pub fn role_letter(&self) -> char {
        match &self.cluster {
            Some(c) if c.myself().flags.contains(NodeFlags::REPLICA) => 'S',
            _ => 'M',
        }
    }
}
