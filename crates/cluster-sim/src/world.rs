//! The simulator: a virtual clock, an event queue, the hosts and the network between them.

use std::collections::{BTreeMap, BinaryHeap, VecDeque};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use cluster_proto::{
    CLUSTER_PORT_INCR, ClusterMsg, ClusterState, LogLevel, Millis, NodeSeed, ReplUpdate, SimTime,
    Transmit,
};
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

use crate::host::{Host, NO_REPLID, ProcessState, ReplLinkState, ReplicaOf};
use crate::logfmt::log_line;
use crate::network::{ConnState, End, Network};
use crate::server_config::ServerConfig;
use crate::story::{Story, Weight, explain};
use crate::trace::TraceEvent;
use crate::wire::Wire;

mod data;
mod expiry;
pub use data::{REPL_BACKLOG_SIZE, Stream, StreamEntry, resp_len};

/// The seed used when a scenario does not choose one.
pub const DEFAULT_SEED: u64 = 1;

/// The address every simulated host has.
pub const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// An event in the queue: due at `at`, and among events due at the same time, run in the
/// order they were scheduled (`seq`).
#[derive(Debug, Clone)]
struct Scheduled {
    at: SimTime,
    seq: u64,
    event: Event,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}

impl Eq for Scheduled {}

impl Ord for Scheduled {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // Reversed: `BinaryHeap` pops its greatest element, and the earliest is due first.
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Something scheduled to happen at a virtual time.
#[derive(Debug, Clone)]
enum Event {
    /// A node asked to be stepped (its `poll_timeout`).
    NodeTimeout { port: u16 },
    /// A connection request reaches the listening node.
    ConnectArrives { conn: u64 },
    /// The answer to a connection request reaches the initiator.
    ConnectResult { conn: u64, ok: bool },
    /// A bus message reaches a node.
    Deliver {
        conn: u64,
        to: End,
        msg: Box<ClusterMsg>,
    },
    /// The peer closed the connection.
    Closed { to: End },
    /// A replica tries to reach its master and start a sync.
    ReplConnect { replica: u16, generation: u64 },
    /// A replica's full sync completes.
    ReplSyncDone { replica: u16, generation: u64 },
    /// Once a second: masters ping their replicas every `repl-ping-replica-period`.
    ReplCron,
    /// A master's stream reaches a replica: it applies what it has not seen yet.
    ReplStream { replica: u16, generation: u64 },
    /// Every 100 ms while some key has an expiry: masters delete expired keys
    /// (`activeExpireCycle`).
    ExpireCron,
    /// A SIGINT-ed server exits at its next `serverCron` tick.
    Shutdown { port: u16, pid: u32 },
    /// SIGCONT: a paused server runs again.
    Resume { port: u16, pid: u32 },
    /// TCP retransmits what it holds on a connection in one direction (0: initiator to
    /// acceptor).
    Retransmit { conn: u64, dir: usize },
    /// A connection's SYN (or, once accepted, its SYN-ACK) did not get through: the kernel
    /// sends it again (`tcp_syn_retries`), or gives up with a timeout.
    SynRetry { conn: u64, attempt: u32 },
}

/// Linux retries a SYN 6 times, 1 s after the first and doubling (`tcp_syn_retries`): the
/// connect times out 127 s after it started.
const TCP_SYN_RETRIES: u32 = 6;

/// `repl-diskless-sync-delay`: a master waits this long for more replicas before a full sync.
pub const REPL_DISKLESS_SYNC_DELAY: Millis = 5000;

/// How often a disconnected replica retries (`replicationCron`, once a second).
const REPL_RETRY: Millis = 1000;

/// At most this many undrained node events are kept (a few virtual minutes of a busy cluster).
pub const MAX_TRACE: usize = 100_000;

/// More events than this in one virtual millisecond is a livelock (see
/// [`Simulator::stalled`]); real clusters of a thousand nodes stay far below it.
pub const MAX_EVENTS_PER_MS: u64 = 1_000_000;

/// Bytes a master's `PING` adds to the replication stream (`*1\r\n$4\r\nPING\r\n`).
const REPL_PING_BYTES: u64 = 14;

/// Why a simulator command was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimError {
    /// `sim seed` after the first node started: ids already drawn would no longer match.
    SeedAfterStart,
    /// No server runs on that port.
    NotRunning(u16),
    /// `sim restart` of a port whose server runs, or never ran.
    NotStopped(u16),
    /// `sim restart` while the server is still shutting down after `sim kill`.
    ShuttingDown(u16),
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::SeedAfterStart => {
                f.write_str("the seed can only be set before the first redis-server starts")
            }
            SimError::NotRunning(p) => write!(f, "no redis-server is running on port {p}"),
            SimError::NotStopped(p) => {
                write!(f, "port {p} has no stopped redis-server to restart")
            }
            SimError::ShuttingDown(p) => write!(
                f,
                "the redis-server on port {p} is still shutting down (it exits at its next cron tick, within 100 ms)"
            ),
        }
    }
}

impl std::error::Error for SimError {}

/// The deterministic world. Same inputs and seed give the same history, on every platform.
#[derive(Debug, Clone)]
pub struct Simulator {
    now: SimTime,
    seed: u64,
    rng: ChaCha8Rng,
    hosts: BTreeMap<u16, Host>,
    net: Network,
    /// Pending events by time; ties are broken by insertion order (`seq`).
    queue: BinaryHeap<Scheduled>,
    /// The time each node's current timer is armed for; older timer events are stale.
    armed: BTreeMap<u16, SimTime>,
    seq: u64,
    /// Node events not yet drained, at most [`MAX_TRACE`] (the oldest are dropped: a page
    /// that never drains must not grow without end).
    trace: VecDeque<TraceEvent>,
    repl_cron_armed: bool,
    repl_cron_loops: u64,
    /// An [`Event::ExpireCron`] is pending.
    expire_cron_armed: bool,
    /// FNV-1a over everything that happened (events run, messages delivered, node events), so
    /// two runs can be compared by one number.
    trace_hash: u64,
    events_run: u64,
    /// Set when one virtual millisecond ran more than [`MAX_EVENTS_PER_MS`] events: a livelock
    /// (a bug), cut short so the page or the test does not freeze.
    stalled: Option<SimTime>,
    /// [`Simulator::advance_at_most`] stopped before its end: events may still be due in the
    /// current millisecond.
    cut: bool,
    /// Where each replication history came from: its parent history and the parent's offset at
    /// which it branched (a promotion continues the old history; a restart loads a save made
    /// at some offset). The ledger follows it to tell which writes a dataset still holds.
    lineage: BTreeMap<String, (String, u64)>,
    /// Plain-words explanations of what happened, for learners.
    story: Story,
    /// The most recent bus messages, for animation.
    wire: Wire,
    /// Acknowledged writes, and those a failover lost.
    ledger: crate::ledger::Ledger,
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// Folds bytes into an FNV-1a hash. A free function so that it can run while another
/// field of the simulator is borrowed.
fn fnv_fold(hash: &mut u64, bytes: &[u8]) {
    for &b in bytes {
        *hash = (*hash ^ u64::from(b)).wrapping_mul(FNV_PRIME);
    }
}

impl Default for Simulator {
    fn default() -> Self {
        Simulator::new(DEFAULT_SEED)
    }
}

fn world_rng(seed: u64) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[16..24].copy_from_slice(b"clusworl");
    ChaCha8Rng::from_seed(key)
}

impl Simulator {
    /// An empty world at [`SimTime::DEFAULT_START`].
    pub fn new(seed: u64) -> Self {
        Simulator {
            now: SimTime::DEFAULT_START,
            seed,
            rng: world_rng(seed),
            hosts: BTreeMap::new(),
            net: Network::default(),
            queue: BinaryHeap::new(),
            armed: BTreeMap::new(),
            seq: 0,
            trace: VecDeque::new(),
            repl_cron_armed: false,
            repl_cron_loops: 0,
            expire_cron_armed: false,
            trace_hash: FNV_OFFSET,
            stalled: None,
            cut: false,
            lineage: BTreeMap::new(),
            events_run: 0,
            story: Story::default(),
            wire: Wire::default(),
            ledger: crate::ledger::Ledger::default(),
        }
    }

    /// How many events the world has run (for benchmarks).
    pub fn events_run(&self) -> u64 {
        self.events_run
    }

    /// A hash of the whole history so far: every event run at its time, every message
    /// delivered, every node event. Equal on every platform for the same inputs and seed.
    pub fn trace_hash(&self) -> u64 {
        self.trace_hash
    }

    fn fold(&mut self, bytes: &[u8]) {
        fnv_fold(&mut self.trace_hash, bytes);
    }

    /// The current virtual time.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Reseeds the world; only possible before any server started.
    pub fn reseed(&mut self, seed: u64) -> Result<(), SimError> {
        if !self.hosts.is_empty() {
            return Err(SimError::SeedAfterStart);
        }
        self.seed = seed;
        self.rng = world_rng(seed);
        Ok(())
    }

    /// The host on `port`, running or not.
    pub fn host(&self, port: u16) -> Option<&Host> {
        self.hosts.get(&port)
    }

    /// The host on `port` if its process is running.
    pub fn running(&self, port: u16) -> Option<&Host> {
        self.hosts.get(&port).filter(|h| h.is_running())
    }

    /// All hosts by port.
    pub fn hosts(&self) -> impl Iterator<Item = (u16, &Host)> {
        self.hosts.iter().map(|(&p, h)| (p, h))
    }

    /// 40 random hex characters (a replication id).
    fn random_hex40(&mut self) -> String {
        (0..5)
            .map(|_| format!("{:08x}", self.rng.next_u32()))
            .collect()
    }

    /// A draw from the world's random stream, for programs outside the nodes (redis-cli's
    /// `rand()`).
    pub fn random_u32(&mut self) -> u32 {
        self.rng.next_u32()
    }

    /// The network (connections, partitions), for views.
    pub fn network(&self) -> &Network {
        &self.net
    }

    /// The network, for inspection and fault injection.
    pub fn network_mut(&mut self) -> &mut Network {
        &mut self.net
    }

    /// Runs `f` on the cluster node of a running host at the current time, then lets the
    /// world react to what the node asked for. `None` if no cluster node runs there.
    pub fn with_node<R>(
        &mut self,
        port: u16,
        f: impl FnOnce(&mut ClusterState, SimTime) -> R,
    ) -> Option<R> {
        let now = self.now;
        let node = self
            .hosts
            .get_mut(&port)
            .filter(|h| h.is_running())
            .and_then(|h| h.cluster.as_mut())?;
        let r = f(node, now);
        self.after_input(port);
        Some(r)
    }

    /// Starts `redis-server` with `config`. Returns `false` (and starts nothing) if a server
    /// already runs on that port, as a second `redis-server --daemonize yes` silently fails.
    pub fn start_server(&mut self, config: ServerConfig) -> bool {
        let port = config.port;
        if self.running(port).is_some() {
            return false;
        }
        let pid = 1000 + (self.rng.next_u32() % 60_000);
        let replid = self.random_hex40();
        let cluster = config.cluster_enabled.then(|| {
            ClusterState::new(
                self.now,
                port,
                config.cluster.clone(),
                NodeSeed {
                    seed: self.seed,
                    port,
                },
            )
        });
        self.hosts.insert(
            port,
            Host {
                config,
                process: ProcessState::Running,
                pid,
                cluster,
                log: Vec::new(),
                replica_of: None,
                repl_offset: 0,
                repl_gen: 0,
                shutting_down: false,
                shutdown_deadline: None,
                paused_until: None,
                started: self.now,
                replid,
                replid2: NO_REPLID.to_string(),
                second_repl_offset: -1,
                backlog_first_byte: None,
                db: crate::keyspace::Keyspace::default(),
                saved_db: None,
                saved_at: None,
                stream: Stream::default(),
                active_expire: true,
                appendonly_now: None,
            },
        );
        self.after_input(port);
        true
    }

    /// Starts a stopped server again with the arguments it had; a cluster node reloads its
    /// `nodes.conf` (same id, epochs and view).
    pub fn restart_server(&mut self, port: u16) -> Result<(), SimError> {
        if self.running(port).is_some_and(|h| h.shutting_down) {
            return Err(SimError::ShuttingDown(port));
        }
        let pid = 1000 + (self.rng.next_u32() % 60_000);
        let replid = self.random_hex40();
        let now = self.now;
        let host = self
            .hosts
            .get_mut(&port)
            .filter(|h| !h.is_running())
            .ok_or(SimError::NotStopped(port))?;
        let old_replid = host.replid.clone();
        // The history this host continued after a promotion, and where it took it over.
        let inherited = (host.replid2 != NO_REPLID).then(|| {
            (
                host.replid2.clone(),
                u64::try_from(host.second_repl_offset - 1).unwrap_or(0),
            )
        });
        host.shutting_down = false;
        host.shutdown_deadline = None;
        host.paused_until = None;
        host.started = now;
        host.replid2 = NO_REPLID.to_string();
        host.second_repl_offset = -1;
        host.backlog_first_byte = None;
        host.process = ProcessState::Running;
        host.pid = pid;
        host.replid = replid.clone();
        host.replica_of = None;
        host.repl_gen += 1;
        // The dataset it loads continues the history it was saved in, up to the save.
        if let Some(saved) = host.saved_at.clone() {
            self.lineage.insert(replid, saved);
        }
        let host = self.hosts.get_mut(&port).expect("looked up above");
        host.cluster = host.cluster.take().map(|c| c.restart(now));
        host.active_expire = true;
        host.appendonly_now = None;
        self.load_on_restart(port, &old_replid, inherited);
        // A replica's RDB carries the history and offset it had reached, so it can ask its
        // master for a partial resync (an AOF has no such record in 7.0: a full sync then).
        if let Some(h) = self.hosts.get_mut(&port)
            && !h.config.appendonly
            && h.cluster.as_ref().is_some_and(|c| c.myself().is_replica())
            && let Some((replid, offset)) = h.saved_at.clone()
        {
            h.replid = replid;
            h.repl_offset = offset;
        }
        self.arm_expire_cron();
        self.after_input(port);
        Ok(())
    }

    /// `sim kill`: SIGINT. Redis notices it at its next `serverCron` tick (within 100 ms) and
    /// exits cleanly then; until that moment it keeps serving.
    pub fn kill_server(&mut self, port: u16) -> Result<(), SimError> {
        let host = self.running(port).ok_or(SimError::NotRunning(port))?;
        let pid = host.pid;
        if let Some(h) = self.hosts.get_mut(&port) {
            h.shutting_down = true;
        }
        let host = &self.hosts[&port];
        let at = host
            .cluster
            .as_ref()
            .and_then(|c| c.poll_timeout())
            .unwrap_or(self.now);
        self.schedule(at, Event::Shutdown { port, pid });
        Ok(())
    }

    /// `sim pause`: SIGSTOP now, SIGCONT after `ms`. While stopped the process runs nothing; its
    /// connections stay open and what arrives waits in the kernel until it resumes.
    pub fn pause_server(&mut self, port: u16, ms: Millis) -> Result<(), SimError> {
        let now = self.now;
        let host = self
            .hosts
            .get_mut(&port)
            .filter(|h| h.is_running())
            .ok_or(SimError::NotRunning(port))?;
        let until = now + ms;
        host.paused_until = Some(host.paused_until.map_or(until, |u| u.max(until)));
        let pid = host.pid;
        self.schedule(until, Event::Resume { port, pid });
        Ok(())
    }

    /// `shutdown-timeout` (10 s): a master shutting down cleanly first waits this long at
    /// most for replicas that have not received everything it wrote.
    pub const SHUTDOWN_TIMEOUT: Millis = 10_000;

    /// `isReadyToShutdown`: no replica lags, or the wait is over (then the laggards are logged).
    fn ready_to_shutdown(&mut self, port: u16) -> bool {
        let now = self.now;
        let Some(h) = self.hosts.get(&port) else {
            return true;
        };
        let target = h.repl_offset;
        let lagging: Vec<(u16, u64)> = self
            .connected_replicas(port)
            .into_iter()
            .filter(|&(_, offset)| offset < target)
            .collect();
        if lagging.is_empty() {
            return true;
        }
        let Some(h) = self.hosts.get_mut(&port) else {
            return true;
        };
        match h.shutdown_deadline {
            None => {
                h.shutdown_deadline = Some(now + Self::SHUTDOWN_TIMEOUT);
                h.log(
                    now,
                    LogLevel::Notice,
                    "Waiting for replicas before shutting down.",
                );
                false
            }
            Some(deadline) if now < deadline => false,
            Some(_) => {
                for (replica, offset) in lagging {
                    h.log(
                        now,
                        LogLevel::Warning,
                        &format!(
                            "Lagging replica 127.0.0.1:{replica} reported offset {} behind master, lag=0, state=online.",
                            target - offset
                        ),
                    );
                }
                true
            }
        }
    }

    /// When a paused server resumes, if it is paused.
    pub fn paused_until(&self, port: u16) -> Option<SimTime> {
        self.running(port).and_then(|h| h.paused_until)
    }

    /// The port an event acts on, if a paused process there must hold it back.
    fn event_target(event: &Event, net: &Network) -> Option<u16> {
        match event {
            Event::NodeTimeout { port } => Some(*port),
            Event::Deliver { to, .. } | Event::Closed { to } => Some(to.port),
            Event::ConnectArrives { conn } => net.conn(*conn).map(|c| c.target),
            Event::ConnectResult { conn, .. } => net.conn(*conn).map(|c| c.initiator.port),
            Event::ReplConnect { replica, .. }
            | Event::ReplSyncDone { replica, .. }
            | Event::ReplStream { replica, .. } => Some(*replica),
            // The kernel retransmits even while the process is stopped.
            Event::ReplCron
            | Event::ExpireCron
            | Event::Shutdown { .. }
            | Event::Resume { .. }
            | Event::Retransmit { .. }
            | Event::SynRetry { .. } => None,
        }
    }

    /// Stops the process on `port` at once (SIGKILL, or the end of a clean shutdown): its connections close and its peers see them close.
    pub fn stop_server(&mut self, port: u16, how: ProcessState) -> Result<(), SimError> {
        let host = self
            .hosts
            .get_mut(&port)
            .filter(|h| h.is_running())
            .ok_or(SimError::NotRunning(port))?;
        host.process = how;
        // The process is gone: there is nothing left to continue (SIGCONT) later.
        host.paused_until = None;
        self.armed.remove(&port);
        self.persist_on_stop(port, how == ProcessState::Killed);
        // Its replicas see their replication link drop and keep retrying.
        let replicas: Vec<u16> = self
            .hosts
            .iter()
            .filter(|(_, h)| h.is_running())
            .filter(|(_, h)| {
                h.replica_of
                    .is_some_and(|r| r.master_port == port && r.state != ReplLinkState::Connecting)
            })
            .map(|(&p, _)| p)
            .collect();
        for r in replicas {
            if let Some(h) = self.hosts.get_mut(&r)
                && let Some(ro) = h.replica_of.as_mut()
            {
                ro.state = ReplLinkState::Connecting;
                let generation = h.repl_gen;
                self.schedule(
                    self.now + REPL_RETRY,
                    Event::ReplConnect {
                        replica: r,
                        generation,
                    },
                );
            }
            self.with_node(r, |n, now| {
                n.handle_repl_update(now, ReplUpdate::MasterLinkDown)
            });
        }
        for id in self.net.conns_of(port) {
            let Some(c) = self.net.remove(id) else {
                continue;
            };
            // The kernel closes the dead process's sockets; the other side sees EOF/RST.
            let other = if c.initiator.port == port {
                c.acceptor
            } else {
                Some(c.initiator)
            };
            if let Some(o) = other.filter(|o| o.port != port)
                && self.net.reachable(port, o.port)
            {
                let at = self.now + self.net.latency(port, o.port);
                self.schedule(at, Event::Closed { to: o });
            }
        }
        Ok(())
    }

    /// Lets `by` milliseconds of virtual time pass, running everything due in `(now, now+by]`.
    pub fn advance(&mut self, by: Millis) {
        let deadline = self.now + by;
        let (mut at, mut same) = (self.now, 0u64);
        while let Some(t) = self.step_until(deadline) {
            if t == at {
                same += 1;
                if same > MAX_EVENTS_PER_MS {
                    self.stalled.get_or_insert(t);
                    break;
                }
            } else {
                (at, same) = (t, 0);
            }
        }
        self.now = self.now.max(deadline);
        self.cut = false;
    }

    /// [`advance`](Self::advance) in pieces: runs at most `max_events` events, possibly
    /// stopping inside a virtual millisecond, and says whether it got to `now + by` (then the
    /// clock is there). A page cuts a heavy stretch into pieces this way: a thousand nodes
    /// meeting at once run thousands of events in one virtual millisecond. The events run
    /// are the same however it is cut, as long as nothing acts on the world in between; before
    /// anything does, [`finish_millisecond`](Self::finish_millisecond), so the world stands
    /// where a `sleep` could stop. A livelock is not detected here (see [`advance`](Self::advance)).
    pub fn advance_at_most(&mut self, by: Millis, max_events: u64) -> bool {
        let deadline = self.now + by;
        for _ in 0..max_events {
            if self.step_until(deadline).is_none() {
                self.now = self.now.max(deadline);
                self.cut = false;
                return true;
            }
        }
        if self.queue.peek().is_none_or(|e| e.at > deadline) {
            self.now = self.now.max(deadline);
            self.cut = false;
            return true;
        }
        self.cut = true;
        false
    }

    /// Runs what is still due in the current virtual millisecond if
    /// [`advance_at_most`](Self::advance_at_most) stopped inside it; else nothing (events a
    /// command scheduled for this very millisecond wait for time to pass, as in a replay).
    pub fn finish_millisecond(&mut self) {
        if std::mem::take(&mut self.cut) {
            self.advance(0);
        }
    }

    /// When the world livelocked (more than [`MAX_EVENTS_PER_MS`] events in one virtual
    /// millisecond), if it ever did. Always `None` unless the simulator has a bug.
    pub fn stalled(&self) -> Option<SimTime> {
        self.stalled
    }

    /// Runs the next event, whenever it is due; returns its time (the single-step button).
    pub fn step(&mut self) -> Option<SimTime> {
        let at = self.queue.peek()?.at;
        self.step_until(at)
    }

    fn schedule(&mut self, at: SimTime, event: Event) {
        // Never in the past: time only moves forward.
        let at = at.max(self.now);
        self.seq += 1;
        self.queue.push(Scheduled {
            at,
            seq: self.seq,
            event,
        });
    }

    /// Runs the next due event if it is at or before `deadline`; returns its time.
    fn step_until(&mut self, deadline: SimTime) -> Option<SimTime> {
        if self.queue.peek()?.at > deadline {
            return None;
        }
        let Scheduled { at, event, .. } = self.queue.pop()?;
        self.now = at;
        // A stopped process handles nothing: hold the event until it resumes.
        if let Some(port) = Self::event_target(&event, &self.net)
            && let Some(until) = self.paused_until(port)
            && until > at
        {
            self.schedule(until, event);
            return Some(at);
        }
        self.dispatch(at, event);
        Some(at)
    }

    fn dispatch(&mut self, now: SimTime, event: Event) {
        self.events_run += 1;
        self.fold(&now.as_unix_millis().to_le_bytes());
        match &event {
            Event::NodeTimeout { port } => self.fold(&[0, (*port >> 8) as u8, *port as u8]),
            Event::ConnectArrives { conn } | Event::ConnectResult { conn, .. } => {
                self.fold(&[1]);
                self.fold(&conn.to_le_bytes());
            }
            Event::Deliver { to, msg, .. } => {
                self.fold(&[2, (to.port >> 8) as u8, to.port as u8, msg.msg_type() as u8]);
                self.fold(msg.header.sender.as_str().as_bytes());
                self.fold(&msg.header.current_epoch.to_le_bytes());
                self.fold(&msg.header.config_epoch.to_le_bytes());
                self.fold(&(msg.gossip().len() as u64).to_le_bytes());
            }
            Event::Closed { to } => self.fold(&[3, (to.port >> 8) as u8, to.port as u8]),
            Event::ReplConnect { replica, .. } | Event::ReplSyncDone { replica, .. } => {
                self.fold(&[4, (*replica >> 8) as u8, *replica as u8]);
            }
            Event::ReplCron => self.fold(&[5]),
            Event::ExpireCron => self.fold(&[9]),
            Event::ReplStream { replica, .. } => {
                self.fold(&[8, (*replica >> 8) as u8, *replica as u8]);
            }
            Event::Shutdown { port, .. } => self.fold(&[6, (*port >> 8) as u8, *port as u8]),
            Event::Resume { port, .. } => self.fold(&[7, (*port >> 8) as u8, *port as u8]),
            Event::Retransmit { conn, dir } => {
                self.fold(&[10, *dir as u8]);
                self.fold(&conn.to_le_bytes());
            }
            Event::SynRetry { conn, attempt } => {
                self.fold(&[11, *attempt as u8]);
                self.fold(&conn.to_le_bytes());
            }
        }
        match event {
            Event::NodeTimeout { port } => {
                if self.armed.get(&port) != Some(&now) {
                    return; // re-armed since; this one is stale
                }
                self.armed.remove(&port);
                self.with_node(port, |n, now| n.handle_timeout(now));
            }
            Event::ConnectArrives { conn } => {
                let Some(c) = self.net.conn(conn).cloned() else {
                    return;
                };
                let from = c.initiator.port;
                let listening = self.running(c.target).is_some_and(|h| h.cluster.is_some());
                if !listening {
                    // Nothing listens: the kernel answers with a reset.
                    let at = now + self.net.latency(c.target, from);
                    self.schedule(at, Event::ConnectResult { conn, ok: false });
                    return;
                }
                let Some(link) = self.with_node(c.target, |n, now| {
                    n.handle_accept(now, Some(LOOPBACK), Some(LOOPBACK))
                }) else {
                    return;
                };
                self.net.accept(
                    conn,
                    End {
                        port: c.target,
                        link,
                    },
                );
                if self.net.reachable(c.target, from) {
                    let at = now + self.net.latency(c.target, from);
                    self.schedule(at, Event::ConnectResult { conn, ok: true });
                } else {
                    self.schedule(now + 1000, Event::SynRetry { conn, attempt: 1 });
                }
            }
            Event::ConnectResult { conn, ok } => {
                let Some(c) = self.net.conn(conn).cloned() else {
                    return; // closed by the initiator meanwhile
                };
                let end = c.initiator;
                if !ok {
                    self.net.remove(conn);
                    self.with_node(end.port, |n, now| n.handle_link_closed(now, end.link));
                    return;
                }
                for msg in self.net.take_pending(conn) {
                    self.transmit(end, msg);
                }
                self.with_node(end.port, |n, now| {
                    n.handle_link_connected(now, end.link, Some(LOOPBACK))
                });
            }
            Event::Deliver { conn, to, msg } => {
                if self.net.conn(conn).is_none() {
                    return; // the connection died with the message in flight
                }
                self.with_node(to.port, |n, now| n.handle_packet(now, to.link, *msg));
            }
            Event::Closed { to } => {
                self.with_node(to.port, |n, now| n.handle_link_closed(now, to.link));
            }
            Event::ReplConnect {
                replica,
                generation,
            } => self.repl_connect(replica, generation),
            Event::ReplSyncDone {
                replica,
                generation,
            } => self.repl_sync_done(replica, generation),
            Event::ReplCron => self.repl_cron(),
            Event::ExpireCron => self.expire_cron(),
            Event::ReplStream {
                replica,
                generation,
            } => self.repl_catch_up(replica, generation),
            Event::Retransmit { conn, dir } => self.retransmit(conn, dir),
            Event::SynRetry { conn, attempt } => self.syn_retry(conn, attempt),
            Event::Resume { port, pid } => {
                if let Some(h) = self.hosts.get_mut(&port).filter(|h| h.pid == pid)
                    && h.paused_until.is_some_and(|u| u <= now)
                {
                    h.paused_until = None;
                    // The cron timer that fired during the pause was held back; arm it anew.
                    self.armed.remove(&port);
                    self.after_input(port);
                }
            }
            Event::Shutdown { port, pid } => {
                // Only the process that got the signal; a restarted one has another pid.
                if self.running(port).is_some_and(|h| h.pid == pid) && self.ready_to_shutdown(port)
                {
                    let _ = self.stop_server(port, ProcessState::Killed);
                } else if self.running(port).is_some_and(|h| h.pid == pid) {
                    self.schedule(now + 100, Event::Shutdown { port, pid });
                }
            }
        }
    }

    /// The replication link of `replica`, if `generation` is still current.
    fn current_repl(&self, replica: u16, generation: u64) -> Option<ReplicaOf> {
        self.running(replica)
            .filter(|h| h.repl_gen == generation)
            .and_then(|h| h.replica_of)
    }

    /// Whether the master answers a replica's SYNC/PSYNC: running, not stopped (a SIGSTOP-ed
    /// master leaves the connection hanging), and reachable both ways.
    fn master_reachable(&self, replica: u16, master: u16) -> bool {
        self.running(master)
            .is_some_and(|m| m.paused_until.is_none())
            && self.net.reachable(replica, master)
            && self.net.reachable(master, replica)
    }

    fn repl_connect(&mut self, replica: u16, generation: u64) {
        let Some(r) = self.current_repl(replica, generation) else {
            return;
        };
        if !self.master_reachable(replica, r.master_port) {
            self.retry_replication(replica, generation);
            return;
        }
        // A stopped process (SIGSTOP, DEBUG SLEEP) does nothing until it runs again.
        if let Some(until) = self.hosts[&replica].paused_until {
            self.schedule(
                until,
                Event::ReplConnect {
                    replica,
                    generation,
                },
            );
            return;
        }
        if self.partial_resync(replica, r.master_port, generation) {
            return;
        }
        self.set_repl_state(replica, ReplLinkState::Syncing);
        self.schedule(
            self.now + REPL_DISKLESS_SYNC_DELAY,
            Event::ReplSyncDone {
                replica,
                generation,
            },
        );
    }

    fn set_repl_state(&mut self, replica: u16, state: ReplLinkState) {
        if let Some(ro) = self
            .hosts
            .get_mut(&replica)
            .and_then(|h| h.replica_of.as_mut())
        {
            ro.state = state;
        }
    }

    /// The master cannot be reached: back to connecting, and try again in a second
    /// (`replicationCron`).
    fn retry_replication(&mut self, replica: u16, generation: u64) {
        self.set_repl_state(replica, ReplLinkState::Connecting);
        self.schedule(
            self.now + REPL_RETRY,
            Event::ReplConnect {
                replica,
                generation,
            },
        );
    }

    /// `CLIENT KILL` of a replica's master connection: the link drops now and the replica
    /// reconnects a second later (`replicationCron`). Returns whether there was a link.
    pub fn kill_master_link(&mut self, replica: u16) -> bool {
        let Some(h) = self.hosts.get(&replica).filter(|h| h.is_running()) else {
            return false;
        };
        if h.replica_of
            .is_none_or(|r| r.state == ReplLinkState::Connecting)
        {
            return false;
        }
        let generation = h.repl_gen + 1;
        if let Some(h) = self.hosts.get_mut(&replica) {
            h.repl_gen = generation;
        }
        self.retry_replication(replica, generation);
        self.with_node(replica, |n, now| {
            n.handle_repl_update(now, ReplUpdate::MasterLinkDown)
        });
        true
    }

    /// The replicas streaming from `master`, with their offsets, by port.
    pub fn connected_replicas(&self, master: u16) -> Vec<(u16, u64)> {
        self.hosts
            .iter()
            .filter(|(_, h)| h.is_running())
            .filter(|(_, h)| {
                h.replica_of
                    .is_some_and(|r| r.master_port == master && r.state == ReplLinkState::Up)
            })
            .map(|(&p, h)| (p, h.repl_offset))
            .collect()
    }

    fn repl_sync_done(&mut self, replica: u16, generation: u64) {
        let Some(r) = self.current_repl(replica, generation) else {
            return;
        };
        if !self.master_reachable(replica, r.master_port) {
            self.retry_replication(replica, generation);
            return;
        }
        // The master's first replica creates its backlog, and the stream starts with a PING.
        let (offset, master_replid) = {
            let m = self
                .hosts
                .get_mut(&r.master_port)
                .expect("checked reachable");
            if m.backlog_first_byte.is_none() {
                m.backlog_first_byte = Some(m.repl_offset + 1);
                m.repl_offset += REPL_PING_BYTES;
                let end = m.repl_offset;
                m.stream.push(end, vec![b"PING".to_vec()], self.now);
            }
            m.stream.reset_select();
            (m.repl_offset, m.replid.clone())
        };
        let master_port = r.master_port;
        self.full_sync_data(replica, master_port);
        self.with_node(master_port, |n, now| {
            n.handle_repl_update(now, ReplUpdate::MasterOffset(offset))
        });
        if let Some(h) = self.hosts.get_mut(&replica) {
            h.repl_offset = offset;
            h.replid = master_replid;
            h.backlog_first_byte = Some(offset + 1);
            if let Some(ro) = h.replica_of.as_mut() {
                ro.state = ReplLinkState::Up;
            }
        }
        self.with_node(replica, |n, now| {
            n.handle_repl_update(now, ReplUpdate::MasterLinkUp { offset })
        });
        if !self.repl_cron_armed {
            self.repl_cron_armed = true;
            self.schedule(self.now + 1000, Event::ReplCron);
        }
    }

    /// `replicationCron` on every master: every `repl-ping-replica-period` seconds a PING goes
    /// down the stream, so replicas' offsets and "last interaction" move even without writes.
    fn repl_cron(&mut self) {
        self.schedule(self.now + 1000, Event::ReplCron);
        self.repl_cron_loops += 1;
        if !self
            .repl_cron_loops
            .is_multiple_of(cluster_proto::REPL_PING_REPLICA_PERIOD_SECS)
        {
            return;
        }
        let masters: Vec<u16> = self
            .hosts
            .iter()
            .filter(|(_, h)| h.is_running() && h.replica_of.is_none() && h.paused_until.is_none())
            // A master paused for a manual failover sends no PING: its offset must hold still.
            .filter(|(_, h)| {
                !h.cluster
                    .as_ref()
                    .is_some_and(|c| c.writes_paused(self.now))
            })
            .map(|(&p, _)| p)
            .collect();
        for m in masters {
            let replicas: Vec<u16> = self
                .connected_replicas(m)
                .into_iter()
                .map(|(p, _)| p)
                .collect();
            if replicas.is_empty() {
                continue;
            }
            let offset = {
                let h = self.hosts.get_mut(&m).expect("listed above");
                h.repl_offset += REPL_PING_BYTES;
                let end = h.repl_offset;
                h.stream.push(end, vec![b"PING".to_vec()], self.now);
                end
            };
            self.with_node(m, |n, now| {
                n.handle_repl_update(now, ReplUpdate::MasterOffset(offset))
            });
            // The PING, and whatever a partition held back (TCP retransmits it now).
            for r in replicas {
                let generation = self.hosts[&r].repl_gen;
                self.repl_catch_up(r, generation);
            }
        }
    }

    /// Sends a message from `from` on its connection, if the path delivers it.
    fn transmit(&mut self, from: End, msg: Box<ClusterMsg>) {
        let Some((conn, peer, dir)) = self.net.peer(from) else {
            return; // the connection is gone: the message is lost with it
        };
        let state = self.net.conn(conn).map(|c| c.state);
        if state == Some(ConnState::Connecting) {
            self.net.queue_pending(conn, msg);
            return;
        }
        let Some(to) = peer else {
            return;
        };
        let kind = msg.msg_type();
        // TCP loses nothing on a live connection: a segment that does not get through (a
        // partition, a lost packet) is retransmitted later, and what follows waits behind it.
        if self.net.is_holding(conn, dir)
            || !self.net.reachable(from.port, to.port)
            || self.segment_lost(from.port, to.port)
        {
            self.wire.record(from.port, to.port, kind, self.now, None);
            if let Some(rto) = self.net.hold(conn, dir, msg) {
                self.schedule(self.now + rto, Event::Retransmit { conn, dir });
            }
            return;
        }
        let at = self
            .net
            .schedule_delivery(conn, dir, from.port, to.port, self.now);
        self.wire
            .record(from.port, to.port, kind, self.now, Some(at));
        self.schedule(at, Event::Deliver { conn, to, msg });
    }

    /// A SYN (or SYN-ACK) retransmission: it gets through if the path works now, else the
    /// kernel waits twice as long, and after [`TCP_SYN_RETRIES`] the connect times out.
    fn syn_retry(&mut self, conn: u64, attempt: u32) {
        let Some(c) = self.net.conn(conn).cloned() else {
            return; // the node gave up on the link meanwhile
        };
        let (from, to) = match c.acceptor {
            None => (c.initiator.port, c.target),
            Some(a) => (a.port, c.initiator.port),
        };
        if self.net.reachable(from, to) {
            let at = self.now + self.net.latency(from, to);
            let event = match c.acceptor {
                None => Event::ConnectArrives { conn },
                Some(_) => Event::ConnectResult { conn, ok: true },
            };
            self.schedule(at, event);
        } else if attempt < TCP_SYN_RETRIES {
            let next = attempt + 1;
            self.schedule(
                self.now + (1000 << attempt),
                Event::SynRetry {
                    conn,
                    attempt: next,
                },
            );
        } else {
            // ETIMEDOUT: the initiator's connect fails; a half-open accepted end is dropped.
            if let Some(a) = c.acceptor {
                self.schedule(self.now, Event::Closed { to: a });
            }
            self.schedule(self.now, Event::ConnectResult { conn, ok: false });
        }
    }

    /// The offset up to which a dataset in history `from` holds history `ancestor`, when
    /// `ancestor` is one of the histories `from` branched from (not `from` itself).
    pub(crate) fn branched_at(&self, from: &str, ancestor: &str) -> Option<u64> {
        let mut at = self.lineage.get(from)?;
        let mut upto = at.1;
        // A chain is short (one link per promotion or restart); the bound guards a cycle.
        for _ in 0..self.lineage.len() {
            if at.0 == ancestor {
                return Some(upto);
            }
            at = self.lineage.get(&at.0)?;
            upto = upto.min(at.1);
        }
        None
    }

    /// Whether the network drops this segment (`sim loss`).
    fn segment_lost(&mut self, from: u16, to: u16) -> bool {
        let loss = self.net.loss(from, to);
        loss > 0 && (self.rng.next_u32() % 100) < u32::from(loss)
    }

    /// A retransmission timer fired: what TCP holds goes through now if the path works (and
    /// the segment is not lost again), else the timer backs off.
    fn retransmit(&mut self, conn: u64, dir: usize) {
        let Some(c) = self.net.conn(conn) else {
            return; // the connection was closed: what it held is gone with it
        };
        let (from, to) = match (dir, c.acceptor) {
            (0, Some(a)) => (c.initiator, a),
            (_, Some(a)) => (a, c.initiator),
            (_, None) => return,
        };
        if !self.net.reachable(from.port, to.port) || self.segment_lost(from.port, to.port) {
            if let Some(rto) = self.net.back_off(conn, dir) {
                self.schedule(self.now + rto, Event::Retransmit { conn, dir });
            }
            return;
        }
        for msg in self.net.take_held(conn, dir) {
            let at = self
                .net
                .schedule_delivery(conn, dir, from.port, to.port, self.now);
            self.wire
                .record(from.port, to.port, msg.msg_type(), self.now, Some(at));
            self.schedule(at, Event::Deliver { conn, to, msg });
        }
    }

    /// Drains a node's outputs after any input: transmits to the network, events to its log and
    /// the trace; then re-arms its timer.
    fn after_input(&mut self, port: u16) {
        let now = self.now;
        let mut transmits = Vec::new();
        {
            let Some(host) = self.hosts.get_mut(&port).filter(|h| h.is_running()) else {
                return;
            };
            let (pid, role) = (host.pid, host.role_letter());
            let min_level = host.config.loglevel;
            let Some(node) = host.cluster.as_mut() else {
                return;
            };
            while let Some(t) = node.poll_transmit() {
                transmits.push(t);
            }
            while let Some(event) = node.poll_event() {
                let text = event.to_string();
                fnv_fold(&mut self.trace_hash, text.as_bytes());
                fnv_fold(&mut self.trace_hash, &port.to_le_bytes());
                if event.level() >= min_level {
                    crate::host::push_log(
                        &mut host.log,
                        log_line(pid, role, now, event.level(), &text),
                    );
                }
                if let Some((text, rule, weight)) = explain(node, port, now, &event) {
                    self.story.push(now, port, text, rule, weight);
                }
                self.trace.push_back(TraceEvent {
                    time: now,
                    port,
                    event,
                });
                if self.trace.len() > MAX_TRACE {
                    self.trace.pop_front();
                }
            }
        }
        for t in transmits {
            self.network_request(port, t);
        }
        let next = self
            .hosts
            .get(&port)
            .and_then(|h| h.cluster.as_ref())
            .and_then(|n| n.poll_timeout());
        // A node that was paused asks for a time already past: it runs as soon as it can.
        if let Some(at) = next.map(|t| t.max(now))
            && self.armed.get(&port) != Some(&at)
        {
            self.armed.insert(port, at);
            self.schedule(at, Event::NodeTimeout { port });
        }
    }

    fn network_request(&mut self, port: u16, t: Transmit) {
        match t {
            Transmit::Connect { link, ip, cport } => {
                let end = End { port, link };
                let target = cport.wrapping_sub(CLUSTER_PORT_INCR);
                let conn = self.net.open(end, target, self.now);
                let on_loopback = ip.is_some_and(|ip| ip.is_loopback());
                // A SYN into a partition is dropped: the connect stays pending until the node
                // gives up on the link. Off loopback there is no host at all.
                if on_loopback && self.net.reachable(port, target) {
                    let at = self.now + self.net.latency(port, target);
                    self.schedule(at, Event::ConnectArrives { conn });
                } else if on_loopback {
                    self.schedule(self.now + 1000, Event::SynRetry { conn, attempt: 1 });
                }
            }
            Transmit::Send { link, msg } => self.transmit(End { port, link }, msg),
            Transmit::SetReplicationMaster { master, promoted } => {
                let Some(h) = self.hosts.get_mut(&port) else {
                    return;
                };
                h.repl_gen += 1;
                let generation = h.repl_gen;
                // A replica that becomes a master starts a new history and remembers the old
                // one, so its former siblings can continue with a partial sync.
                if master.is_none()
                    && let Some(old) = h.replica_of
                {
                    // A failover: what the old master acknowledged beyond what reached this
                    // replica is gone, the slots are served from this replica's data now.
                    // (A replica that only stops replicating, by CLUSTER RESET, loses nothing.)
                    let (kept, history) = (h.repl_offset, h.replid.clone());
                    if promoted {
                        self.lose_on_promotion(port, old.master_port, &history, kept);
                    }
                    let fresh: String = (0..5)
                        .map(|_| format!("{:08x}", self.rng.next_u32()))
                        .collect();
                    let h = self.hosts.get_mut(&port).expect("looked up above");
                    h.replid2 = std::mem::replace(&mut h.replid, fresh.clone());
                    h.second_repl_offset = h.repl_offset as i64 + 1;
                    let branch = (h.replid2.clone(), h.repl_offset);
                    self.lineage.insert(fresh, branch);
                }
                let h = self.hosts.get_mut(&port).expect("looked up above");
                h.replica_of = master.map(|m| ReplicaOf {
                    master_port: m.port,
                    state: ReplLinkState::Connecting,
                });
                if h.replica_of.is_some() {
                    self.schedule(
                        self.now,
                        Event::ReplConnect {
                            replica: port,
                            generation,
                        },
                    );
                }
            }
            Transmit::DropSlotKeys { slots } => {
                let now = self.now;
                let stale: Vec<Vec<u8>> = self
                    .db(port)
                    .map(|db| {
                        slots
                            .iter()
                            .flat_map(|&s| db.keys_in_slot(s, now).cloned())
                            .collect()
                    })
                    .unwrap_or_default();
                for key in stale {
                    if let Some(db) = self.db_mut(port) {
                        db.remove(&key, now);
                    }
                    self.propagate_internal(port, vec![b"DEL".to_vec(), key]);
                }
            }
            Transmit::Close { link } => {
                let end = End { port, link };
                if let Some((conn, peer, _)) = self.net.peer(end) {
                    self.net.remove(conn);
                    if let Some(p) = peer
                        && self.net.reachable(port, p.port)
                    {
                        let at = self.now + self.net.latency(port, p.port);
                        self.schedule(at, Event::Closed { to: p });
                    }
                }
            }
        }
    }

    /// The story so far: each state change in plain words with its reason.
    pub fn story(&self) -> &Story {
        &self.story
    }

    /// Takes the story's entries gathered since the last call (see [`Story::drain`]).
    pub fn drain_story(&mut self) -> Vec<crate::StoryEntry> {
        self.story.drain()
    }

    /// Runs events until the story gets a new [`Weight::Major`] entry (a change of belief, role
    /// or process) and the rest of that millisecond, or until `limit` ms of virtual time have
    /// passed; returns whether a change came.
    pub fn run_until_change(&mut self, limit: Millis) -> bool {
        // It ends at the end of a millisecond either way.
        self.cut = false;
        let deadline = self.now + limit;
        let mut seen = self.story.next_seq();
        while self.step_until(deadline).is_some() {
            let next = self.story.next_seq();
            if self
                .story
                .entries()
                .rev()
                .take_while(|e| e.seq >= seen)
                .any(|e| e.weight == Weight::Major)
            {
                // Finish the millisecond, so the world stops where a `sleep` could stop.
                let now = self.now;
                while self.step_until(now).is_some() {}
                return true;
            }
            seen = next;
        }
        self.now = deadline;
        false
    }

    /// The most recent bus messages.
    pub fn wire(&self) -> &Wire {
        &self.wire
    }

    /// Adds a sentence to the story on behalf of an outside actor (a `sim` verb).
    pub fn note(&mut self, port: u16, text: String, rule: &'static str) {
        self.story.push(self.now, port, text, rule, Weight::Major);
    }

    /// Takes the trace gathered since the last call.
    pub fn drain_trace(&mut self) -> Vec<TraceEvent> {
        self.trace.drain(..).collect()
    }

    /// Log lines are written at or above this level unless a server sets `--loglevel`.
    pub const DEFAULT_LOGLEVEL: LogLevel = LogLevel::Notice;
}
