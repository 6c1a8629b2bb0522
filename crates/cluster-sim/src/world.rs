//! The simulator: a virtual clock, an event queue and the hosts.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::fmt;

use cluster_proto::{ClusterState, Millis, NodeSeed, SimTime};
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

use crate::host::{Host, ProcessState};
use crate::logfmt::log_line;
use crate::server_config::ServerConfig;
use crate::trace::TraceEvent;

/// The seed used when a scenario does not choose one.
pub const DEFAULT_SEED: u64 = 1;

/// Something scheduled to happen at a virtual time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Wakeup {
    /// A node asked to be stepped (its `poll_timeout`).
    NodeTimeout { port: u16 },
}

/// Why a simulator command was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimError {
    /// `sim seed` after the first node started: ids already drawn would no longer match.
    SeedAfterStart,
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::SeedAfterStart => {
                f.write_str("the seed can only be set before the first redis-server starts")
            }
        }
    }
}

impl std::error::Error for SimError {}

/// The deterministic world. Same inputs and seed give the same history, on every platform.
#[derive(Debug)]
pub struct Simulator {
    now: SimTime,
    seed: u64,
    rng: ChaCha8Rng,
    hosts: BTreeMap<u16, Host>,
    /// Pending wake-ups; ties are broken by insertion order (`seq`).
    queue: BinaryHeap<Reverse<(SimTime, u64, Wakeup)>>,
    /// The time each node's current timer is armed for; queue entries for other times are stale.
    armed: BTreeMap<u16, SimTime>,
    seq: u64,
    trace: Vec<TraceEvent>,
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
            queue: BinaryHeap::new(),
            armed: BTreeMap::new(),
            seq: 0,
            trace: Vec::new(),
        }
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

    /// Mutable access to a running host, for commands that change a node.
    pub fn running_mut(&mut self, port: u16) -> Option<&mut Host> {
        self.hosts.get_mut(&port).filter(|h| h.is_running())
    }

    /// All hosts by port.
    pub fn hosts(&self) -> impl Iterator<Item = (u16, &Host)> {
        self.hosts.iter().map(|(&p, h)| (p, h))
    }

    /// Starts `redis-server` with `config`. Returns `false` (and starts nothing) if a server
    /// already runs on that port, as a second `redis-server --daemonize yes` silently fails.
    pub fn start_server(&mut self, config: ServerConfig) -> bool {
        let port = config.port;
        if self.running(port).is_some() {
            return false;
        }
        let pid = 1000 + (self.rng.next_u32() % 60_000);
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
            },
        );
        self.after_input(port);
        true
    }

    /// Lets `by` milliseconds of virtual time pass, running everything due in `(now, now+by]`.
    pub fn advance(&mut self, by: Millis) {
        let deadline = self.now + by;
        while self.step_until(deadline).is_some() {}
        self.now = deadline;
    }

    /// Runs the next due event if it is at or before `deadline`; returns its time.
    fn step_until(&mut self, deadline: SimTime) -> Option<SimTime> {
        loop {
            let &Reverse((at, _, wakeup)) = self.queue.peek()?;
            if at > deadline {
                return None;
            }
            self.queue.pop();
            match wakeup {
                Wakeup::NodeTimeout { port } => {
                    if self.armed.get(&port) != Some(&at) {
                        continue; // re-armed since; this entry is stale
                    }
                    self.armed.remove(&port);
                    self.now = at;
                    if let Some(node) = self.running_mut(port).and_then(|h| h.cluster.as_mut()) {
                        node.handle_timeout(at);
                    }
                    self.after_input(port);
                    return Some(at);
                }
            }
        }
    }

    /// Drains a node's outputs after any input: events to its log and the trace, and re-arms
    /// its timer.
    pub fn after_input(&mut self, port: u16) {
        let now = self.now;
        let Some(host) = self.hosts.get_mut(&port).filter(|h| h.is_running()) else {
            return;
        };
        let (pid, role) = (host.pid, host.role_letter());
        let Some(node) = host.cluster.as_mut() else {
            return;
        };
        while let Some(event) = node.poll_event() {
            host.log
                .push(log_line(pid, role, now, event.level(), &event.to_string()));
            self.trace.push(TraceEvent {
                time: now,
                port,
                event,
            });
        }
        if let Some(at) = node.poll_timeout()
            && self.armed.get(&port) != Some(&at)
        {
            self.armed.insert(port, at);
            self.seq += 1;
            self.queue
                .push(Reverse((at, self.seq, Wakeup::NodeTimeout { port })));
        }
    }

    /// Takes the trace gathered since the last call.
    pub fn drain_trace(&mut self) -> Vec<TraceEvent> {
        std::mem::take(&mut self.trace)
    }
}
