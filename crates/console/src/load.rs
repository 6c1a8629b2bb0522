//! `sim load`: a workload from a cluster-aware client, like redis-py's or Jedis's cluster
//! clients: it learns which node serves a slot from MOVED replies, retries there, and counts
//! the errors a failover causes. It runs while virtual time flows (`sleep`, the playground's
//! clock), one command every `1000 / rate` ms.

use std::collections::BTreeMap;

use cluster_proto::{SimTime, key_hash_slot};
use cluster_sim::Simulator;

use crate::exec::{Client, execute_as};
use crate::reply::Reply;

/// What the workload writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadKind {
    /// `INCR counter`: one key, hammered.
    Counter,
    /// `SET key:N N` for N = 1, 2, ...: every write a new key, so each loss is visible.
    Sequence,
}

/// The most commands per second a load may send.
pub const MAX_RATE: u32 = 1000;

/// How many times one command follows MOVED or tries another node before it gives up.
const MAX_ATTEMPTS: usize = 5;

/// A running workload and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Load {
    /// Counter or sequence.
    pub kind: LoadKind,
    /// Commands per second.
    pub rate: u32,
    /// The node it asks first.
    pub entry: u16,
    /// When the next command goes out.
    pub next_at: SimTime,
    /// Commands sent so far.
    pub sent: u64,
    /// Commands answered without an error.
    pub ok: u64,
    /// Commands that failed (after retries), by error.
    pub errors: BTreeMap<String, u64>,
    /// The last command and its outcome.
    pub last: String,
    /// Which node serves a slot, as learned from MOVED.
    slots: BTreeMap<u16, u16>,
}

impl Load {
    /// A new workload sending its first command at `now`.
    pub fn new(kind: LoadKind, rate: u32, entry: u16, now: SimTime) -> Load {
        Load {
            kind,
            rate: rate.clamp(1, MAX_RATE),
            entry,
            next_at: now,
            sent: 0,
            ok: 0,
            errors: BTreeMap::new(),
            last: String::new(),
            slots: BTreeMap::new(),
        }
    }

    fn interval(&self) -> u64 {
        u64::from(1000 / self.rate).max(1)
    }

    /// Sends the next command through the cluster, following redirections.
    pub fn send_one(&mut self, sim: &mut Simulator) {
        self.sent += 1;
        let argv: Vec<Vec<u8>> = match self.kind {
            LoadKind::Counter => vec![b"INCR".to_vec(), b"counter".to_vec()],
            LoadKind::Sequence => {
                let n = self.sent.to_string();
                vec![
                    b"SET".to_vec(),
                    format!("key:{n}").into_bytes(),
                    n.into_bytes(),
                ]
            }
        };
        let slot = key_hash_slot(&argv[1]);
        let shown = String::from_utf8_lossy(&argv.join(&b' ')).into_owned();
        let mut port = self.slots.get(&slot).copied().unwrap_or(self.entry);
        let mut outcome = String::from("no node answered");
        let mut asking = false;
        for _ in 0..MAX_ATTEMPTS {
            if sim.running(port).is_none() {
                // Connection refused: forget the route and ask another node we know.
                outcome =
                    format!("Could not connect to Redis at 127.0.0.1:{port}: Connection refused");
                self.slots.remove(&slot);
                let next = sim
                    .hosts()
                    .filter(|(p, h)| *p != port && h.is_running() && h.cluster.is_some())
                    .map(|(p, _)| p)
                    .find(|p| *p >= self.entry)
                    .or_else(|| {
                        sim.hosts()
                            .find(|(p, h)| *p != port && h.is_running() && h.cluster.is_some())
                            .map(|(p, _)| p)
                    });
                match next {
                    Some(p) => {
                        port = p;
                        continue;
                    }
                    None => break,
                }
            }
            if sim.paused_until(port).is_some() {
                // A stopped server accepts the connection but never answers: the client's
                // timeout fires instead.
                outcome = format!("Timeout reading from 127.0.0.1:{port} (the server is paused)");
                break;
            }
            let mut client = Client {
                asking: std::mem::take(&mut asking),
                ..Client::default()
            };
            let reply = execute_as(sim, port, &argv, &mut client);
            // MOVED changes the slot's route; ASK sends this one command to the importing
            // node, with ASKING first.
            let redirect = match &reply {
                Reply::Error(e) => crate::cli::parse_redirect(e)
                    .and_then(|(_, _, to)| u16::try_from(to).ok())
                    .map(|to| (to, e.starts_with("ASK "))),
                _ => None,
            };
            if let (Some((to, ask)), Reply::Error(e)) = (redirect, &reply) {
                if !ask {
                    self.slots.insert(slot, to);
                }
                asking = ask;
                port = to;
                outcome = e.clone();
                continue;
            }
            match reply {
                Reply::Error(e) => {
                    outcome = e;
                    break;
                }
                other => {
                    self.ok += 1;
                    self.last = format!(
                        "{shown} -> {} at {port}",
                        crate::format_tty(&other).trim_end()
                    );
                    return;
                }
            }
        }
        *self.errors.entry(outcome.clone()).or_default() += 1;
        self.last = format!("{shown} -> (error) {outcome}");
    }

    /// Runs the load's commands due up to `deadline`, letting the world run in between.
    pub fn run_until(&mut self, sim: &mut Simulator, deadline: SimTime) {
        while self.next_at <= deadline {
            let at = self.next_at;
            if at > sim.now() {
                sim.advance(at - sim.now());
            }
            self.send_one(sim);
            self.next_at = at + self.interval();
        }
    }

    /// What `sim load` prints.
    pub fn report(&self) -> String {
        let what = match self.kind {
            LoadKind::Counter => "INCR counter",
            LoadKind::Sequence => "SET key:N N",
        };
        let failed: u64 = self.errors.values().sum();
        let mut out = format!(
            "load: {what} at {}/s, first asking 127.0.0.1:{}\nsent {}, ok {}, failed {failed}\n",
            self.rate, self.entry, self.sent, self.ok
        );
        for (e, n) in &self.errors {
            out.push_str(&format!("  {n} x {e}\n"));
        }
        if !self.last.is_empty() {
            out.push_str(&format!("last: {}\n", self.last));
        }
        out
    }
}
