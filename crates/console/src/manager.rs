//! `redis-cli --cluster`: the cluster manager (create, check, info), with redis-cli 7.0's
//! output. It drives the nodes through the same commands a user could type, and it takes
//! virtual time where redis-cli sleeps.

use std::collections::{BTreeMap, BTreeSet};

use cluster_proto::{CLUSTER_SLOTS, ClusterState, NodeFlags, NodeId, SimTime};
use cluster_sim::Simulator;

use crate::cli::{Printed, atof, atoi, resolve};
use crate::exec::execute;
use crate::reply::Reply;

/// redis-cli's message for a bad `host:port` argument to check/info.
const INVALID_HOST_ARG: &str = "[ERR] Invalid arguments: you need to pass either a valid address (ie. 120.0.0.1:7000) or space separated IP and port (ie. 120.0.0.1 7000)\n";

/// After this many one-second waits for the join, give up (redis-cli would keep waiting; a
/// simulated terminal must return), or after four of redis-cli's unreachable-node checks if
/// that is longer: a 1,000-node cluster takes about 140 s to agree.
const MAX_JOIN_WAIT_SECS: u32 = 120;

/// `CLUSTER_JOIN_CHECK_AFTER`: redis-cli checks for unreachable nodes after this many seconds
/// of waiting for the join, plus 0.15 s per node.
const CLUSTER_JOIN_CHECK_AFTER: u32 = 20;

/// How many one-second waits the join of `nodes` nodes may take.
fn max_join_wait(nodes: usize) -> u32 {
    let check_after = CLUSTER_JOIN_CHECK_AFTER + (nodes as f32 * 0.15) as u32;
    MAX_JOIN_WAIT_SECS.max(4 * check_after)
}

mod fix;
mod move_slot;
mod rebalance;
mod reshard;

/// What ClusterLab says when redis-cli would wait for a typed answer.
const CANNOT_ASK: &str = "\nClusterLab cannot wait for a typed answer here: add --cluster-yes, or pipe the answer in (echo yes | redis-cli ...).\n";

/// What a pipe gives redis-cli on standard input, for its `yes` questions.
#[derive(Debug, Default, Clone)]
pub struct Stdin {
    bytes: Vec<u8>,
    pos: usize,
    /// `yes WORD | ...`: the bytes repeat without end.
    repeat: bool,
}

impl Stdin {
    /// A pipe that carries `bytes` and then ends.
    pub fn bytes(bytes: impl Into<Vec<u8>>) -> Self {
        Self {
            bytes: bytes.into(),
            pos: 0,
            repeat: false,
        }
    }

    /// `yes WORD`'s endless `WORD\n` lines.
    pub fn repeating(line: impl Into<Vec<u8>>) -> Self {
        let bytes = line.into();
        Self {
            repeat: !bytes.is_empty(),
            bytes,
            pos: 0,
        }
    }

    /// `confirmWithYes`: a `read(fd, buf, 4)`, cut to three bytes, compared with `yes`.
    fn confirm(&mut self) -> bool {
        let mut buf = Vec::with_capacity(4);
        while buf.len() < 4 {
            if self.pos == self.bytes.len() {
                if !self.repeat {
                    break;
                }
                self.pos = 0;
            }
            buf.push(self.bytes[self.pos]);
            self.pos += 1;
            // A pipe's read returns what one write put there; `yes` writes whole lines.
            if self.repeat && self.pos == self.bytes.len() {
                break;
            }
        }
        buf.len() >= 3 && &buf[..3] == b"yes"
    }
}

/// Options of `redis-cli --cluster ...` that apply to the subcommands here.
#[derive(Debug, Clone)]
struct Options {
    replicas: usize,
    yes: bool,
    slave: bool,
    master_id: Option<String>,
    /// `--cluster-from`: source node ids (comma-separated) or `all`.
    from: Option<String>,
    /// `--cluster-to`: the target node id.
    to: Option<String>,
    /// `--cluster-slots`: how many slots to move.
    slots: Option<usize>,
    /// `--cluster-weight name=w ...` (rebalance).
    weights: Vec<String>,
    /// `--cluster-threshold` in percent (rebalance).
    threshold: f32,
    /// `--cluster-use-empty-masters` (rebalance).
    use_empty: bool,
    /// `--cluster-simulate` (rebalance).
    simulate: bool,
    /// `--cluster-replace`: MIGRATE with REPLACE after a BUSYKEY.
    replace: bool,
    /// `--cluster-timeout`: MIGRATE's timeout in milliseconds.
    timeout: i64,
    /// `--cluster-pipeline`: keys per MIGRATE.
    pipeline: i64,
    /// `fix` (CLUSTER_MANAGER_CMD_FLAG_FIX).
    fix: bool,
    /// `--cluster-fix-with-unreachable-masters`.
    fix_with_unreachable: bool,
    /// `--cluster-search-multiple-owners`.
    search_multiple_owners: bool,
    /// Standard input, when the command is on the right of a pipe.
    stdin: Option<Stdin>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            replicas: 0,
            yes: false,
            slave: false,
            master_id: None,
            from: None,
            to: None,
            slots: None,
            weights: Vec::new(),
            // CLUSTER_MANAGER_REBALANCE_THRESHOLD
            threshold: 2.0,
            use_empty: false,
            simulate: false,
            replace: false,
            // CLUSTER_MANAGER_MIGRATE_TIMEOUT
            timeout: 60_000,
            // CLUSTER_MANAGER_MIGRATE_PIPELINE
            pipeline: 10,
            fix: false,
            fix_with_unreachable: false,
            search_multiple_owners: false,
            stdin: None,
        }
    }
}

/// One node as the cluster manager tracks it (`clusterManagerNode`).
#[derive(Debug, Clone)]
struct MNode {
    ip: String,
    port: u16,
    id: NodeId,
    slots: Vec<bool>,
    replicate: Option<NodeId>,
    dirty: bool,
    is_replica: bool,
    flags: String,
    replicas_count: usize,
}

impl MNode {
    fn slots_count(&self) -> usize {
        self.slots.iter().filter(|&&s| s).count()
    }

    /// `clusterManagerNodeSlotsString`: `[0-5460],[5462]`.
    fn slots_string(&self) -> String {
        slots_string(&self.slots)
    }

    /// `clusterManagerNodeInfo`.
    fn info(&self) -> String {
        let mut out = if self.dirty && self.replicate.is_some() {
            format!("S: {} {}:{}", self.id, self.ip, self.port)
        } else {
            format!(
                "{}: {} {}:{}\n   slots:{} ({} slots) {}",
                if self.is_replica { "S" } else { "M" },
                self.id,
                self.ip,
                self.port,
                self.slots_string(),
                self.slots_count(),
                self.flags
            )
        };
        if let Some(m) = self.replicate {
            out.push_str(&format!("\n   replicates {m}"));
        } else if self.replicas_count > 0 {
            out.push_str(&format!(
                "\n   {} additional replica(s)",
                self.replicas_count
            ));
        }
        out
    }
}

/// `clusterManagerNodeSlotsString` over a slot bitmap.
fn slots_string(slots: &[bool]) -> String {
    let mut parts = Vec::new();
    let mut start: Option<usize> = None;
    for i in 0..=slots.len() {
        let has = slots.get(i).copied().unwrap_or(false);
        match (has, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                parts.push(if s == i - 1 {
                    format!("[{s}]")
                } else {
                    format!("[{s}-{}]", i - 1)
                });
                start = None;
            }
            _ => {}
        }
    }
    parts.join(",")
}

fn node_state(sim: &Simulator, port: u16) -> Option<&ClusterState> {
    sim.running(port).and_then(|h| h.cluster.as_ref())
}

/// Reads a node's own view of itself (`clusterManagerNodeLoadInfo`).
fn load_node(sim: &Simulator, ip: &str, port: u16) -> Option<MNode> {
    let state = node_state(sim, port)?;
    let me = state.myself();
    // redis-cli shows the node's own flags without `myself`.
    let names = me.flags.names();
    let flags = names
        .split(',')
        .filter(|f| *f != "myself")
        .collect::<Vec<_>>()
        .join(",");
    let mut slots = vec![false; CLUSTER_SLOTS];
    for s in me.slots.iter() {
        slots[usize::from(s)] = true;
    }
    Some(MNode {
        ip: ip.to_string(),
        port,
        id: me.id,
        slots,
        replicate: me.replica_of,
        dirty: false,
        is_replica: me.flags.contains(NodeFlags::REPLICA),
        flags,
        replicas_count: 0,
    })
}

/// `clusterManagerGetConfigSignature`: every master with slots, as this node sees it.
fn config_signature(sim: &Simulator, port: u16) -> Option<String> {
    let state = node_state(sim, port)?;
    let mut configs: Vec<String> = state
        .nodes()
        .iter()
        .filter(|n| !n.slots.is_empty())
        .map(|n| {
            let mut ranges: Vec<String> =
                n.slots.ranges_text().split(' ').map(String::from).collect();
            ranges.sort();
            format!("{}:{}", n.id, ranges.join(","))
        })
        .collect();
    if configs.is_empty() {
        return None;
    }
    configs.sort();
    Some(configs.join("|"))
}

/// `clusterManagerIsConfigConsistent`.
fn consistent(sim: &Simulator, nodes: &[MNode]) -> bool {
    if nodes.len() <= 1 {
        return true;
    }
    let first = config_signature(sim, nodes[0].port);
    first.is_some() && nodes.iter().all(|n| config_signature(sim, n.port) == first)
}

/// Parses `ip:port` (`parseClusterNodeAddress`).
fn parse_addr(addr: &str) -> Option<(String, i64)> {
    let (ip, port) = addr.rsplit_once(':')?;
    Some((ip.to_string(), atoi(port)))
}

/// Connects as redis-cli does; the error is redis-cli's.
fn connect(sim: &Simulator, ip: &str, port: i64) -> Result<u16, String> {
    resolve(sim, ip, port).map_err(|e| e + "\n")
}

fn run(sim: &mut Simulator, port: u16, argv: &[String]) -> Reply {
    let argv: Vec<Vec<u8>> = argv.iter().map(|a| a.clone().into_bytes()).collect();
    execute(sim, port, &argv)
}

/// Runs `redis-cli --cluster <args>`.
/// What the cluster manager printed, and the wait for the cluster to join when it stopped
/// there (`create`, `add-node --cluster-slave`).
pub(crate) type Managed = (Printed, Option<JoinWait>);

/// `redis-cli --cluster ...`, run to its end.
pub fn cluster_manager(sim: &mut Simulator, args: &[String], stdin: Option<Stdin>) -> Printed {
    let (mut printed, wait) = cluster_manager_until_join(sim, args, stdin);
    if let Some(wait) = wait {
        printed.push(wait.run_to_end(sim));
    }
    printed
}

/// `redis-cli --cluster ...`, stopping where it starts waiting for the cluster to join.
pub(crate) fn cluster_manager_until_join(
    sim: &mut Simulator,
    args: &[String],
    stdin: Option<Stdin>,
) -> Managed {
    let mut opts = Options {
        stdin,
        ..Options::default()
    };
    // The subcommand and the words after it up to the first option are its arguments; a
    // later run of plain words counts only when there were none (redis-cli's parseOptions).
    let mut positional: Vec<String> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        if !args[i].starts_with('-') || i == 0 {
            let run_end = (i + 1..args.len())
                .find(|&j| args[j].starts_with('-'))
                .unwrap_or(args.len());
            if positional.len() <= 1 {
                positional.extend(args[i..run_end].iter().cloned());
            }
            i = run_end;
            continue;
        }
        let flag = args[i].as_str();
        let value = args.get(i + 1);
        let missing = || {
            Printed::err(format!(
                "Unrecognized option or bad number of args for: '{flag}'\n"
            ))
        };
        match flag {
            "--cluster-yes" => opts.yes = true,
            "--cluster-slave" | "--cluster-replica" => opts.slave = true,
            "--cluster-use-empty-masters" => opts.use_empty = true,
            "--cluster-simulate" => opts.simulate = true,
            "--cluster-replace" => opts.replace = true,
            "--cluster-search-multiple-owners" => opts.search_multiple_owners = true,
            "--cluster-fix-with-unreachable-masters" => opts.fix_with_unreachable = true,
            "--cluster-weight" => {
                if !opts.weights.is_empty() {
                    return no_wait(Printed::err(
                        "WARNING: you cannot use --cluster-weight more than once.\nYou can set more weights by adding them as a space-separated list, ie:\n--cluster-weight n1=w n2=w\n",
                    ));
                }
                // The weights run until the next option or a word without `=`.
                while let Some(w) = args.get(i + 1) {
                    if w.starts_with("--") || !w.contains('=') {
                        break;
                    }
                    opts.weights.push(w.clone());
                    i += 1;
                }
            }
            "--cluster-replicas"
            | "--cluster-from"
            | "--cluster-to"
            | "--cluster-slots"
            | "--cluster-master-id"
            | "--cluster-threshold"
            | "--cluster-timeout"
            | "--cluster-pipeline" => {
                let Some(v) = value else {
                    return no_wait(missing());
                };
                match flag {
                    "--cluster-replicas" => opts.replicas = usize::try_from(atoi(v)).unwrap_or(0),
                    "--cluster-from" => opts.from = Some(v.clone()),
                    "--cluster-to" => opts.to = Some(v.clone()),
                    "--cluster-slots" => opts.slots = usize::try_from(atoi(v)).ok(),
                    "--cluster-master-id" => opts.master_id = Some(v.clone()),
                    "--cluster-threshold" => opts.threshold = atof(v) as f32,
                    "--cluster-timeout" => opts.timeout = atoi(v),
                    _ => opts.pipeline = atoi(v),
                }
                i += 1;
            }
            _ => {
                return no_wait(Printed::err(format!(
                    "Unrecognized option or bad number of args for: '{flag}'\n"
                )));
            }
        }
        i += 1;
    }
    let Some((sub, rest)) = positional.split_first() else {
        return no_wait(Printed::err("Unknown --cluster subcommand\n"));
    };
    let printed = match sub.to_ascii_lowercase().as_str() {
        "create" if !rest.is_empty() => return create(sim, rest, &opts),
        // `fix` is `check` that repairs what it finds (clusterManagerCommandFix).
        "check" | "info" | "fix" => {
            opts.fix = sub.eq_ignore_ascii_case("fix");
            let addr = match rest {
                [a] => parse_addr(a),
                [ip, port] => Some((ip.clone(), atoi(port))),
                _ => None,
            };
            let Some((ip, port)) = addr else {
                return no_wait(Printed::err(INVALID_HOST_ARG));
            };
            let mut out = Printed::default();
            let Some(nodes) = load_from_node(sim, &ip, port, &mut out) else {
                return no_wait(out);
            };
            out.push_out(&cluster_info(sim, &nodes));
            if !sub.eq_ignore_ascii_case("info") {
                let mut nodes = nodes;
                let _ = check_cluster_with(sim, &mut nodes, &mut opts, false, &mut out);
            }
            out
        }
        "add-node" if rest.len() == 2 => return add_node(sim, &rest[0], &rest[1], &opts),
        "create" | "add-node" => {
            Printed::err("[ERR] Wrong number of arguments for specified --cluster sub command\n")
        }
        "reshard" => reshard::reshard(sim, rest, &mut opts),
        "rebalance" => rebalance::rebalance(sim, rest, &opts),
        "del-node" if rest.len() == 2 => reshard::del_node(sim, &rest[0], &rest[1]),
        "del-node" => {
            Printed::err("[ERR] Wrong number of arguments for specified --cluster sub command\n")
        }
        "set-timeout" | "call" | "import" | "backup" | "help" => Printed::err(format!(
            "redis-cli --cluster {sub} is not simulated by this version of ClusterLab yet\n"
        )),
        _ => Printed::err("Unknown --cluster subcommand\n"),
    };
    no_wait(printed)
}

/// A subcommand's output, when it does not wait for the cluster to join.
fn no_wait(printed: Printed) -> Managed {
    (printed, None)
}

/// `clusterManagerLoadInfoFromNode`: the node, then every reachable, healthy node it knows.
fn load_from_node(sim: &Simulator, ip: &str, port: i64, out: &mut Printed) -> Option<Vec<MNode>> {
    let p = match connect(sim, ip, port) {
        Ok(p) => p,
        Err(e) => {
            out.push_err(&e);
            return None;
        }
    };
    let Some(state) = node_state(sim, p) else {
        out.push_out(&format!(
            "[ERR] Node {ip}:{port} is not configured as a cluster node.\n"
        ));
        return None;
    };
    let friends: Vec<(String, u16)> = state
        .nodes()
        .iter()
        .filter(|n| !n.is_myself())
        .filter(|n| {
            !n.flags
                .intersects(NodeFlags::FAIL | NodeFlags::NOADDR | NodeFlags::HANDSHAKE)
                && n.link.is_some()
        })
        .map(|n| {
            (
                n.addr.ip.map(|i| i.to_string()).unwrap_or_default(),
                n.addr.port,
            )
        })
        .collect();
    let mut nodes = vec![load_node(sim, ip, p)?];
    for (fip, fport) in friends {
        if connect(sim, &fip, i64::from(fport)).is_ok()
            && let Some(n) = load_node(sim, &fip, fport)
        {
            nodes.push(n);
        }
    }
    let ids: Vec<(usize, NodeId)> = nodes
        .iter()
        .enumerate()
        .filter_map(|(i, n)| n.replicate.map(|m| (i, m)))
        .collect();
    for (_, master) in ids {
        if let Some(m) = nodes.iter_mut().find(|n| n.id == master) {
            m.replicas_count += 1;
        }
    }
    Some(nodes)
}

/// `clusterManagerShowClusterInfo`.
fn cluster_info(sim: &Simulator, nodes: &[MNode]) -> String {
    let mut out = String::new();
    let mut masters = 0;
    let mut keys = 0;
    for n in nodes.iter().filter(|n| !n.is_replica) {
        let node_keys = sim.db(n.port).map_or(0, |db| db.dbsize());
        keys += node_keys;
        let replicas = nodes
            .iter()
            .filter(|r| r.is_replica && r.replicate == Some(n.id))
            .count();
        out.push_str(&format!(
            "{}:{} ({}...) -> {} keys | {} slots | {} slaves.\n",
            n.ip,
            n.port,
            &n.id.as_str()[..8],
            node_keys,
            n.slots_count(),
            replicas
        ));
        masters += 1;
    }
    out.push_str(&format!("[OK] {keys} keys in {masters} masters.\n"));
    out.push_str(&format!(
        "{:.2} keys per slot on average.\n",
        keys as f64 / CLUSTER_SLOTS as f64
    ));
    out
}

/// `clusterManagerCheckCluster` as check, create, add-node and reshard run it.
fn check_cluster(sim: &mut Simulator, nodes: &[MNode], out: &mut Printed) -> bool {
    let mut nodes = nodes.to_vec();
    check_cluster_with(sim, &mut nodes, &mut Options::default(), false, out).unwrap_or(false)
}

/// redis-cli gave up (it exits) in the middle of a fix.
#[derive(Debug)]
struct Abort;

/// `clusterManagerCheckCluster(quiet)`: consistency, open slots and coverage, and with
/// `fix` in the options their repair. `quiet` leaves out the node list.
fn check_cluster_with(
    sim: &mut Simulator,
    nodes: &mut [MNode],
    opts: &mut Options,
    quiet: bool,
    out: &mut Printed,
) -> Result<bool, Abort> {
    let mut ok = true;
    let first = &nodes[0];
    let mut text = format!(
        ">>> Performing Cluster Check (using node {}:{})\n",
        first.ip, first.port
    );
    if !quiet {
        for n in nodes.iter() {
            text.push_str(&n.info());
            text.push('\n');
        }
    }
    if consistent(sim, nodes) {
        text.push_str("[OK] All nodes agree about slots configuration.\n");
    } else {
        text.push_str("[ERR] Nodes don't agree about configuration!\n");
        ok = false;
    }
    text.push_str(">>> Check for open slots...\n");
    let mut open: Vec<u16> = Vec::new();
    for n in nodes.iter().filter(|n| !n.is_replica) {
        let Some(state) = node_state(sim, n.port) else {
            continue;
        };
        let (mut migrating, mut importing) = (Vec::new(), Vec::new());
        for slot in 0..CLUSTER_SLOTS as u16 {
            if state.migrating_to(slot).is_some() {
                migrating.push(slot);
            } else if state.importing_from(slot).is_some() {
                importing.push(slot);
            }
        }
        let list = |v: &[u16]| v.iter().map(u16::to_string).collect::<Vec<_>>().join(",");
        if !migrating.is_empty() {
            text.push_str(&format!(
                "[WARNING] Node {}:{} has slots in migrating state {}.\n",
                n.ip,
                n.port,
                list(&migrating)
            ));
        }
        if !importing.is_empty() {
            text.push_str(&format!(
                "[WARNING] Node {}:{} has slots in importing state {}.\n",
                n.ip,
                n.port,
                list(&importing)
            ));
        }
        open.extend(migrating);
        open.extend(importing);
    }
    if !open.is_empty() {
        open.sort_unstable();
        open.dedup();
        let list: Vec<String> = open.iter().map(u16::to_string).collect();
        text.push_str(&format!(
            "[WARNING] The following slots are open: {}.\n",
            list.join(",")
        ));
        ok = false;
        if opts.fix {
            for &slot in &open {
                let fixed = fix::fix_open_slot(sim, nodes, usize::from(slot), opts, &mut text);
                let fixed = fixed.inspect_err(|_| out.push_out(&text))?;
                // As in redis-cli, the last repair's outcome is the check's.
                ok = fixed;
                if !fixed {
                    break;
                }
            }
        }
    }
    text.push_str(">>> Check slots coverage...\n");
    let mut covered = vec![false; CLUSTER_SLOTS];
    for n in nodes.iter() {
        for (i, &s) in n.slots.iter().enumerate() {
            covered[i] |= s;
        }
    }
    if covered.iter().all(|&c| c) {
        text.push_str(&format!("[OK] All {CLUSTER_SLOTS} slots covered.\n"));
    } else {
        text.push_str(&format!(
            "[ERR] Not all {CLUSTER_SLOTS} slots are covered by nodes.\n\n"
        ));
        ok = false;
        if opts.fix {
            let fixed = fix::fix_slots_coverage(sim, nodes, &covered, opts, &mut text);
            if fixed.inspect_err(|_| out.push_out(&text))? > 0 {
                ok = true;
            }
        }
    }
    if opts.search_multiple_owners {
        ok &= fix::check_multiple_owners(sim, nodes, opts, &mut text);
    }
    out.push_out(&text);
    Ok(ok)
}

/// Every node's anti-affinity group, as small numbers: the rank of its IP among the IPs, and
/// the rank of its master's id (its own for a master) among those ids. Both ranks follow the
/// text order, so groups numbered `ip * keys + key` come in the order of `(ip, id)` pairs.
/// redis-cli scores up to 500 × nodes swaps; with ranks each score is one pass over arrays.
struct AffinityGroups {
    ip: Vec<usize>,
    key: Vec<usize>,
    replica: Vec<bool>,
    ips: usize,
    keys: usize,
    /// Master ids in rank order, to find a rank after a swap.
    ids: Vec<NodeId>,
}

impl AffinityGroups {
    fn new(nodes: &[MNode]) -> Self {
        let mut ips: Vec<&str> = nodes.iter().map(|n| n.ip.as_str()).collect();
        ips.sort_unstable();
        ips.dedup();
        let mut ids: Vec<NodeId> = nodes.iter().map(|n| n.replicate.unwrap_or(n.id)).collect();
        ids.sort_unstable();
        ids.dedup();
        let rank = |ids: &[NodeId], id: NodeId| ids.binary_search(&id).unwrap_or(0);
        AffinityGroups {
            ip: nodes
                .iter()
                .map(|n| ips.binary_search(&n.ip.as_str()).unwrap_or(0))
                .collect(),
            key: nodes
                .iter()
                .map(|n| rank(&ids, n.replicate.unwrap_or(n.id)))
                .collect(),
            replica: nodes.iter().map(|n| n.replicate.is_some()).collect(),
            ips: ips.len(),
            keys: ids.len(),
            ids,
        }
    }

    /// Node `i` now replicates `master` (one of the ids already known).
    fn set_master(&mut self, i: usize, master: Option<NodeId>) {
        if let Some(m) = master
            && let Ok(k) = self.ids.binary_search(&m)
        {
            self.key[i] = k;
        }
    }

    /// `clusterManagerGetAntiAffinityScore`: 10000 per replica on its master's host, 1 per
    /// replica sharing a host with a sibling; and the offenders, one replica per master whose
    /// group breaks the rule (the group's first), groups in `(ip, master id)` order.
    fn score(&self) -> (u64, Vec<usize>) {
        // (master present on that ip, replicas on that ip, first such replica) per group: a
        // dense table when there are few IPs (the usual case: one host), else a sparse one.
        type Group = (bool, u64, Option<usize>);
        let add = |g: &mut Group, i: usize| {
            if self.replica[i] {
                g.1 += 1;
                g.2.get_or_insert(i);
            } else {
                g.0 = true;
            }
        };
        let group_of = |i: usize| self.ip[i] * self.keys + self.key[i];
        let groups: Vec<Group> = if self.ips * self.keys <= 16 * self.key.len() + 64 {
            let mut groups = vec![(false, 0, None); self.ips * self.keys];
            for i in 0..self.key.len() {
                add(&mut groups[group_of(i)], i);
            }
            groups
        } else {
            let mut groups = std::collections::BTreeMap::new();
            for i in 0..self.key.len() {
                add(groups.entry(group_of(i)).or_insert((false, 0, None)), i);
            }
            groups.into_values().collect()
        };
        let mut score = 0;
        let mut offenders = Vec::new();
        for (has_master, replicas, first) in groups {
            let size = replicas + u64::from(has_master);
            if size < 2 {
                continue;
            }
            score += if has_master {
                10_000 * (size - 1)
            } else {
                size
            };
            offenders.extend(first);
        }
        (score, offenders)
    }
}

/// What one anti-affinity group holds: whether a master is in it, and its replicas by node
/// index (the first is the group's offender).
#[derive(Debug, Clone, Default)]
struct GroupMembers {
    master: bool,
    replicas: BTreeSet<usize>,
}

impl GroupMembers {
    /// The group's part of the score.
    fn score(&self) -> u64 {
        let size = self.replicas.len() as u64 + u64::from(self.master);
        match (size, self.master) {
            (0 | 1, _) => 0,
            (_, true) => 10_000 * (size - 1),
            (_, false) => size,
        }
    }
}

/// The anti-affinity groups' members, the score and the offending groups, kept up to date as
/// replicas move.
struct AffinityState {
    members: BTreeMap<(usize, usize), GroupMembers>,
    offending: BTreeSet<(usize, usize)>,
    score: u64,
}

impl AffinityState {
    fn new(groups: &AffinityGroups) -> Self {
        let mut members: BTreeMap<(usize, usize), GroupMembers> = BTreeMap::new();
        for i in 0..groups.key.len() {
            let m = members.entry((groups.ip[i], groups.key[i])).or_default();
            if groups.replica[i] {
                m.replicas.insert(i);
            } else {
                m.master = true;
            }
        }
        let score = members.values().map(GroupMembers::score).sum();
        let offending = members
            .iter()
            .filter(|(_, m)| m.score() > 0)
            .map(|(&k, _)| k)
            .collect();
        AffinityState {
            members,
            offending,
            score,
        }
    }

    /// Adds (or removes) replica `i` to (from) the group `key`.
    fn place(&mut self, key: (usize, usize), i: usize, add: bool) {
        let m = self.members.entry(key).or_default();
        self.score -= m.score();
        if add {
            m.replicas.insert(i);
        } else {
            m.replicas.remove(&i);
        }
        self.score += m.score();
        if m.score() > 0 {
            self.offending.insert(key);
        } else {
            self.offending.remove(&key);
        }
    }

    /// Replica `i` now replicates `master`.
    fn move_replica(&mut self, groups: &mut AffinityGroups, i: usize, master: Option<NodeId>) {
        self.place((groups.ip[i], groups.key[i]), i, false);
        groups.set_master(i, master);
        self.place((groups.ip[i], groups.key[i]), i, true);
    }

    /// The offender of the `pick`-th offending group, in group order.
    fn offender(&self, pick: usize) -> usize {
        let group = self.offending.iter().nth(pick).expect("in range");
        *self.members[group].replicas.first().expect("an offender")
    }
}

/// redis-cli's anti-affinity loop (`clusterManagerOptimizeAntiAffinity`): up to 500 × N times,
/// swap the masters of an offending replica and a random other replica, and undo the swap if
/// the score got worse; returns the final score. The score is kept up to date swap by swap
/// rather than recomputed: with every node on one host it never reaches 0, so the loop runs
/// all its swaps, and scoring the whole cluster twice per swap took 10 s at 1,000 nodes. The
/// random draws, the swaps and the result are those of scoring from scratch (tested).
fn optimize_anti_affinity(
    nodes: &mut [MNode],
    mut groups: AffinityGroups,
    random: &mut dyn FnMut() -> u32,
) -> u64 {
    let mut state = AffinityState::new(&groups);
    let replicas: Vec<usize> = (0..nodes.len())
        .filter(|&i| nodes[i].replicate.is_some())
        .collect();
    let mut maxiter = 500 * nodes.len();
    while maxiter > 0 {
        if state.score == 0 || state.offending.is_empty() {
            break;
        }
        let before = state.score;
        let a = state.offender(random() as usize % state.offending.len());
        if replicas.len() < 2 {
            break;
        }
        // The others are every replica but `a`, in index order.
        let k = random() as usize % (replicas.len() - 1);
        let at_a = replicas.binary_search(&a).expect("a replica");
        let b = replicas[if k >= at_a { k + 1 } else { k }];
        let (ma, mb) = (nodes[a].replicate, nodes[b].replicate);
        nodes[a].replicate = mb;
        nodes[b].replicate = ma;
        state.move_replica(&mut groups, a, mb);
        state.move_replica(&mut groups, b, ma);
        if state.score > before {
            nodes[a].replicate = ma;
            nodes[b].replicate = mb;
            state.move_replica(&mut groups, a, ma);
            state.move_replica(&mut groups, b, mb);
        }
        maxiter -= 1;
    }
    state.score
}

/// A node to add to a cluster must be a cluster node that knows nobody and holds no keys
/// (`clusterManagerNodeIsCluster`, `clusterManagerNodeIsEmpty`); redis-cli's errors otherwise.
fn load_empty_node(
    sim: &Simulator,
    ip: &str,
    typed_port: i64,
    port: u16,
    out: &mut Printed,
) -> Option<MNode> {
    let Some(state) = node_state(sim, port) else {
        out.push_out(&format!(
            "[ERR] Node {ip}:{typed_port} is not configured as a cluster node.\n"
        ));
        return None;
    };
    if state.nodes().len() != 1 || sim.db(port).is_some_and(|db| !db.is_empty(sim.now())) {
        out.push_out(&format!("[ERR] Node {ip}:{typed_port} is not empty. Either the node already knows other nodes (check with CLUSTER NODES) or contains some key in database 0.\n"));
        return None;
    }
    load_node(sim, ip, port)
}

/// `redis-cli --cluster create`.
fn create(sim: &mut Simulator, addrs: &[String], opts: &Options) -> Managed {
    let mut out = Printed::default();
    let mut nodes: Vec<MNode> = Vec::new();
    for addr in addrs {
        let Some((ip, port)) = parse_addr(addr) else {
            out.push_err(&format!("Invalid address format: {addr}\n"));
            return (out, None);
        };
        let p = match connect(sim, &ip, port) {
            Ok(p) => p,
            Err(e) => {
                out.push_err(&e);
                return (out, None);
            }
        };
        let Some(mut n) = load_empty_node(sim, &ip, port, p, &mut out) else {
            return (out, None);
        };
        n.slots = vec![false; CLUSTER_SLOTS];
        nodes.push(n);
    }
    let node_len = nodes.len();
    let replicas = opts.replicas;
    let masters_count = node_len / (replicas + 1);
    if masters_count < 3 {
        out.push_out(&format!(
            "*** ERROR: Invalid configuration for cluster creation.\n*** Redis Cluster requires at least 3 master nodes.\n*** This is not possible with {node_len} nodes and {replicas} replicas per node.\n*** At least {} nodes are required.\n",
            3 * (replicas + 1)
        ));
        return (out, None);
    }
    let mut text = format!(">>> Performing hash slots allocation on {node_len} nodes...\n");
    // Slots: as even as floats allow, the last master takes the remainder.
    let per_node = CLUSTER_SLOTS as f32 / masters_count as f32;
    let mut first: i64 = 0;
    let mut cursor: f32 = 0.0;
    for (i, master) in nodes.iter_mut().take(masters_count).enumerate() {
        let mut last = (cursor + per_node - 1.0).round() as i64;
        if last > CLUSTER_SLOTS as i64 || i == masters_count - 1 {
            last = CLUSTER_SLOTS as i64 - 1;
        }
        if last < first {
            last = first;
        }
        text.push_str(&format!("Master[{i}] -> Slots {first} - {last}\n"));
        for s in first..=last {
            master.slots[s as usize] = true;
        }
        master.dirty = true;
        first = last + 1;
        cursor += per_node;
    }
    // Replicas: the unused nodes, rotated by one, handed out master by master.
    let mut pool: Vec<Option<usize>> = (masters_count..node_len).map(Some).collect();
    if !pool.is_empty() {
        pool.rotate_left(1);
    }
    let mut available = pool.len();
    let mut assign_unused = false;
    loop {
        for m in 0..masters_count {
            let mut assigned = 0;
            while assigned < replicas && available > 0 {
                // All simulated nodes share one IP: the first free node is taken.
                let Some(slot) = pool.iter_mut().find(|p| p.is_some()) else {
                    break;
                };
                let r = slot.take().expect("found a free node");
                assigned += 1;
                available -= 1;
                nodes[r].replicate = Some(nodes[m].id);
                nodes[r].dirty = true;
                text.push_str(&format!(
                    "Adding replica {}:{} to {}:{}\n",
                    nodes[r].ip, nodes[r].port, nodes[m].ip, nodes[m].port
                ));
                if assign_unused {
                    break;
                }
            }
        }
        if !assign_unused && available > 0 {
            assign_unused = true;
            text.push_str("Adding extra replicas...\n");
            continue;
        }
        break;
    }
    // Anti-affinity: with one host every swap scores the same, so the optimizer shuffles the
    // replicas among masters at random; real redis-cli does the same.
    let groups = AffinityGroups::new(&nodes);
    let (score, _) = groups.score();
    if score > 0 {
        text.push_str(">>> Trying to optimize slaves allocation for anti-affinity\n");
        let score = optimize_anti_affinity(&mut nodes, groups, &mut || sim.random_u32());
        text.push_str(if score == 0 {
            "[OK] Perfect anti-affinity obtained!\n"
        } else if score >= 10_000 {
            "[WARNING] Some slaves are in the same host as their master\n"
        } else {
            "[WARNING] Some slaves of the same master are in the same host\n"
        });
    }
    for n in &nodes {
        text.push_str(&n.info());
        text.push('\n');
    }
    if !opts.yes {
        // There is no keyboard behind a simulated terminal: the answer is shown as typed.
        text.push_str("Can I set the above configuration? (type 'yes' to accept): yes\n");
    }
    out.push_out(&text);

    // Flush: masters claim their slots; replicas cannot replicate masters they do not know
    // yet, so they stay dirty until the cluster has joined.
    for n in nodes.iter_mut() {
        flush_node(sim, n);
    }
    let mut text = String::from(
        ">>> Nodes configuration updated\n>>> Assign a different config epoch to each node\n",
    );
    for (i, n) in nodes.iter().enumerate() {
        run(
            sim,
            n.port,
            &[
                "cluster".into(),
                "set-config-epoch".into(),
                (i + 1).to_string(),
            ],
        );
    }
    text.push_str(">>> Sending CLUSTER MEET messages to join the cluster\n");
    let (first_ip, first_port) = (nodes[0].ip.clone(), nodes[0].port);
    for n in &nodes[1..] {
        let reply = run(
            sim,
            n.port,
            &[
                "cluster".into(),
                "meet".into(),
                first_ip.clone(),
                first_port.to_string(),
            ],
        );
        if let Reply::Error(e) = reply {
            text.push_str(&format!(
                "Node {}:{} replied with error:\n{e}\n",
                n.ip, n.port
            ));
            out.push_out(&text);
            return (out, None);
        }
    }
    (
        out,
        Some(JoinWait::new(
            sim,
            nodes,
            text,
            AfterJoin::Create {
                first_ip,
                first_port,
            },
        )),
    )
}

/// What the cluster manager does once every node agrees on the configuration.
#[derive(Debug, Clone)]
enum AfterJoin {
    /// `create`: replicas replicate, then the new cluster is checked.
    Create { first_ip: String, first_port: u16 },
    /// `add-node --cluster-slave`: the new node replicates its master.
    Replicate {
        ip: String,
        port: i64,
        p: u16,
        master: MNode,
    },
}

/// `clusterManagerWaitForClusterJoin` and what follows it: redis-cli sleeps a second, then
/// prints a dot per second until every node reports the same configuration. It runs in slices
/// of virtual time ([`JoinWait::resume`]) so that a page can stay responsive while a large
/// cluster joins; the result is the same however it is sliced.
#[derive(Debug, Clone)]
pub(crate) struct JoinWait {
    nodes: Vec<MNode>,
    /// Printed so far by this part of the command (the dots among it).
    text: String,
    /// Seconds waited after the first.
    waited: u32,
    /// When the current one-second sleep ends.
    until: SimTime,
    /// Whether the first second has passed ("Waiting for the cluster to join" is printed).
    checking: bool,
    after: AfterJoin,
}

impl JoinWait {
    fn new(sim: &Simulator, nodes: Vec<MNode>, text: String, after: AfterJoin) -> Self {
        JoinWait {
            nodes,
            text,
            waited: 0,
            until: sim.now() + 1000,
            checking: false,
            after,
        }
    }

    /// What this part of the command printed so far.
    pub(crate) fn progress(&self) -> &str {
        &self.text
    }

    /// Lets at most `ms` of virtual time and `max_events` events pass; returns the rest of
    /// the command's output once it has ended.
    pub(crate) fn resume(
        &mut self,
        sim: &mut Simulator,
        ms: u64,
        max_events: u64,
    ) -> Option<Printed> {
        let max_wait = max_join_wait(self.nodes.len());
        // Adding to a time saturates, so `u64::MAX` means "to the end".
        let deadline = sim.now() + ms;
        loop {
            if sim.now() < self.until {
                let whole = sim.advance_at_most(self.until.min(deadline) - sim.now(), max_events);
                if !whole || sim.now() < self.until {
                    return None;
                }
            }
            if !self.checking {
                self.text.push_str("Waiting for the cluster to join\n");
                self.checking = true;
            }
            if !consistent(sim, &self.nodes) && self.waited < max_wait {
                self.text.push('.');
                self.until = sim.now() + 1000;
                self.waited += 1;
                continue;
            }
            self.text.push('\n');
            return Some(self.finish(sim));
        }
    }

    /// Runs to the end without pausing.
    pub(crate) fn run_to_end(mut self, sim: &mut Simulator) -> Printed {
        self.resume(sim, u64::MAX, u64::MAX)
            .expect("the wait ends by the cap at the latest")
    }

    fn finish(&mut self, sim: &mut Simulator) -> Printed {
        let mut out = Printed::default();
        match &self.after {
            AfterJoin::Create {
                first_ip,
                first_port,
            } => {
                for n in self.nodes.iter_mut().filter(|n| n.dirty) {
                    flush_node(sim, n);
                }
                out.push_out(&self.text);
                if let Some(loaded) =
                    load_from_node(sim, first_ip, i64::from(*first_port), &mut out)
                {
                    let _ = check_cluster(sim, &loaded, &mut out);
                }
            }
            AfterJoin::Replicate {
                ip,
                port,
                p,
                master,
            } => {
                out.push_out(&self.text);
                out.push_out(&format!(
                    ">>> Configure node as replica of {}:{}.\n",
                    master.ip, master.port
                ));
                if let Reply::Error(e) = run(
                    sim,
                    *p,
                    &["cluster".into(), "replicate".into(), master.id.to_string()],
                ) {
                    out.push_out(&format!("Node {ip}:{port} replied with error:\n{e}\n"));
                    return out;
                }
                out.push_out("[OK] New node added correctly.\n");
            }
        }
        out
    }
}

/// `redis-cli --cluster add-node new_host:new_port existing_host:existing_port`.
fn add_node(sim: &mut Simulator, new: &str, existing: &str, opts: &Options) -> Managed {
    let mut out = Printed::default();
    let (Some((ip, port)), Some((ref_ip, ref_port))) = (parse_addr(new), parse_addr(existing))
    else {
        return (Printed::err(INVALID_HOST_ARG), None);
    };
    out.push_out(&format!(
        ">>> Adding node {ip}:{port} to cluster {ref_ip}:{ref_port}\n"
    ));
    let Some(mut nodes) = load_from_node(sim, &ref_ip, ref_port, &mut out) else {
        return (out, None);
    };
    if !check_cluster(sim, &nodes, &mut out) {
        return (out, None);
    }
    let master = if opts.slave {
        let found = match &opts.master_id {
            Some(id) => nodes
                .iter()
                .find(|n| n.id.as_str() == id.as_str())
                .cloned()
                .or_else(|| {
                    out.push_out(&format!("[ERR] No such master ID {id}\n"));
                    None
                }),
            None => {
                let least = nodes
                    .iter()
                    .filter(|n| !n.is_replica)
                    .fold(None::<&MNode>, |best, n| match best {
                        Some(b) if b.replicas_count <= n.replicas_count => Some(b),
                        _ => Some(n),
                    })
                    .cloned();
                if let Some(m) = &least {
                    out.push_out(&format!(
                        "Automatically selected master {}:{}\n",
                        m.ip, m.port
                    ));
                }
                least
            }
        };
        match found {
            Some(m) => Some(m),
            None => return (out, None),
        }
    } else {
        None
    };
    let p = match connect(sim, &ip, port) {
        Ok(p) => p,
        Err(e) => {
            out.push_err(&e);
            out.push_out(&format!("[ERR] Sorry, can't connect to node {ip}:{port}\n"));
            return (out, None);
        }
    };
    let Some(new_node) = load_empty_node(sim, &ip, port, p, &mut out) else {
        return (out, None);
    };
    if master.is_none() {
        // Functions travel with a new master; the simulated cluster has none, so this is quick.
        out.push_out(&format!(
            ">>> Getting functions from cluster\n>>> Send FUNCTION LIST to {ip}:{port} to verify there is no functions in it\n>>> Send FUNCTION RESTORE to {ip}:{port}\n"
        ));
    }
    out.push_out(&format!(
        ">>> Send CLUSTER MEET to node {ip}:{port} to make it join the cluster.\n"
    ));
    let first = &nodes[0];
    if let Reply::Error(e) = run(
        sim,
        p,
        &[
            "cluster".into(),
            "meet".into(),
            first.ip.clone(),
            first.port.to_string(),
        ],
    ) {
        out.push_out(&format!("Node {ip}:{port} replied with error:\n{e}\n"));
        return (out, None);
    }
    if let Some(m) = master {
        nodes.push(new_node);
        let after = AfterJoin::Replicate {
            ip,
            port,
            p,
            master: m,
        };
        return (out, Some(JoinWait::new(sim, nodes, String::new(), after)));
    }
    out.push_out("[OK] New node added correctly.\n");
    (out, None)
}

/// `clusterManagerFlushNodeConfig`: CLUSTER REPLICATE for a replica, ADDSLOTS for a master.
fn flush_node(sim: &mut Simulator, n: &mut MNode) {
    if !n.dirty {
        return;
    }
    if let Some(m) = n.replicate {
        if run(
            sim,
            n.port,
            &["cluster".into(), "replicate".into(), m.to_string()],
        )
        .is_error()
        {
            return; // the master is not known yet: try again after the join
        }
    } else {
        let mut argv = vec!["cluster".to_string(), "addslots".to_string()];
        argv.extend(
            n.slots
                .iter()
                .enumerate()
                .filter(|(_, s)| **s)
                .map(|(i, _)| i.to_string()),
        );
        if run(sim, n.port, &argv).is_error() {
            return;
        }
    }
    n.dirty = false;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The anti-affinity loop as it was, scoring the whole cluster for every decision.
    fn optimize_by_full_scores(nodes: &mut [MNode], random: &mut dyn FnMut() -> u32) -> u64 {
        let mut groups = AffinityGroups::new(nodes);
        let mut maxiter = 500 * nodes.len();
        while maxiter > 0 {
            let (score, offenders) = groups.score();
            if score == 0 || offenders.is_empty() {
                break;
            }
            let a = offenders[random() as usize % offenders.len()];
            let others: Vec<usize> = (0..nodes.len())
                .filter(|&i| i != a && nodes[i].replicate.is_some())
                .collect();
            if others.is_empty() {
                break;
            }
            let b = others[random() as usize % others.len()];
            let (ma, mb) = (nodes[a].replicate, nodes[b].replicate);
            nodes[a].replicate = mb;
            nodes[b].replicate = ma;
            groups.set_master(a, mb);
            groups.set_master(b, ma);
            if groups.score().0 > score {
                nodes[a].replicate = ma;
                nodes[b].replicate = mb;
                groups.set_master(a, ma);
                groups.set_master(b, mb);
            }
            maxiter -= 1;
        }
        groups.score().0
    }

    #[test]
    fn the_kept_up_score_makes_the_same_swaps_as_full_scores() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 32) as u32
        };
        for (count, hosts) in [
            (6usize, 1usize),
            (6, 3),
            (10, 2),
            (31, 1),
            (31, 4),
            (40, 7),
            (3, 1),
        ] {
            let id = |i: usize| NodeId::parse(format!("{i:040x}").as_bytes()).expect("hex");
            let masters = count.div_ceil(3);
            let nodes: Vec<MNode> = (0..count)
                .map(|i| MNode {
                    ip: format!("10.0.0.{}", next() as usize % hosts),
                    port: 7000 + i as u16,
                    id: id(i),
                    slots: Vec::new(),
                    replicate: (i >= masters).then(|| id(i % masters)),
                    dirty: false,
                    is_replica: i >= masters,
                    flags: String::new(),
                    replicas_count: 0,
                })
                .collect();
            let draws = next();
            let mut rng_a = {
                let mut s = u64::from(draws) | 1;
                move || {
                    s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    (s >> 33) as u32
                }
            };
            let mut rng_b = rng_a;
            let (mut full, mut kept) = (nodes.clone(), nodes.clone());
            let full_score = optimize_by_full_scores(&mut full, &mut rng_a);
            let groups = AffinityGroups::new(&kept);
            let kept_score = optimize_anti_affinity(&mut kept, groups, &mut rng_b);
            assert_eq!(kept_score, full_score, "{count} nodes on {hosts} hosts");
            let masters_of = |v: &[MNode]| v.iter().map(|n| n.replicate).collect::<Vec<_>>();
            assert_eq!(masters_of(&kept), masters_of(&full), "{count} on {hosts}");
            // Both drew the same random numbers.
            assert_eq!(rng_a(), rng_b(), "{count} on {hosts}");
        }
    }

    #[test]
    fn the_join_wait_grows_with_the_cluster_like_redis_clis_checks() {
        // Small clusters keep the fixed cap; 1,000 nodes (about 140 s to agree) get four of
        // redis-cli's 170-second checks.
        assert_eq!(max_join_wait(6), MAX_JOIN_WAIT_SECS);
        assert_eq!(max_join_wait(300), MAX_JOIN_WAIT_SECS.max(4 * (20 + 45)));
        assert_eq!(max_join_wait(1000), 680);
    }
}
