//! Executing a parsed command on one node.

use cluster_proto::{BumpResult, CLUSTER_PORT_INCR, CLUSTER_SLOTS, NodeId, Slot, key_hash_slot};
use cluster_sim::{ProcessState, Simulator};

use crate::cluster_replies::{cluster_replicas, cluster_shards, cluster_slots, role};
use crate::config_cmd::{ServerSettings, config_get, config_set};

use crate::cluster_text::{cluster_info, cluster_nodes};
use crate::command::{ClusterCommand, Command, is_keyless_write, key_spec, parse_command};
use crate::help::CLUSTER_HELP;
use crate::reply::Reply;

/// Redis's reply when a CLUSTER command reaches a node started without `cluster-enabled yes`.
pub const CLUSTER_DISABLED: &str = "ERR This instance has cluster support disabled";

/// Redis 7.0's answer to DEBUG when `enable-debug-command` is `no` (the default).
pub const DEBUG_DISABLED: &str = "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.";

pub use cluster_sim::string2ll;

/// `getSlotOrReply`.
fn parse_slot(arg: &[u8]) -> Result<Slot, Reply> {
    match string2ll(arg) {
        Some(s) if (0..CLUSTER_SLOTS as i64).contains(&s) => Ok(s as Slot),
        _ => Err(Reply::error("ERR Invalid or out of range slot")),
    }
}

fn text(arg: &[u8]) -> String {
    String::from_utf8_lossy(arg).into_owned()
}

/// What a connection remembers between commands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Client {
    /// `READONLY` was sent: a replica serves reads of its master's slots.
    pub readonly: bool,
    /// `ASKING` was sent: the next command may use a slot this node is importing.
    pub asking: bool,
    /// Inside `MULTI`: the queued commands.
    pub multi: Option<Vec<Vec<Vec<u8>>>>,
    /// A command was refused while queueing: `EXEC` will abort.
    pub multi_failed: bool,
}

/// Parses and runs `argv` on the node listening on `port` for a fresh connection, returning
/// the reply it sends.
pub fn execute(sim: &mut Simulator, port: u16, argv: &[Vec<u8>]) -> Reply {
    execute_as(sim, port, argv, &mut Client::default())
}

/// Parses and runs `argv` on the node listening on `port` for `client`'s connection.
pub fn execute_as(sim: &mut Simulator, port: u16, argv: &[Vec<u8>], client: &mut Client) -> Reply {
    let parsed = parse_command(argv);
    let was_asking = matches!(parsed, Ok(Command::Asking));
    let reply = if client.multi.is_some() {
        queue(sim, port, argv, parsed, client)
    } else {
        match parsed {
            Ok(cmd) => run(sim, port, cmd, client),
            Err(e) => Reply::error(e),
        }
    };
    // ASKING lasts for one command (resetClient).
    if !was_asking && client.multi.is_none() {
        client.asking = false;
    }
    reply
}

/// Inside MULTI: EXEC and DISCARD act; anything else is checked (syntax, routing) and queued.
fn queue(
    sim: &mut Simulator,
    port: u16,
    argv: &[Vec<u8>],
    parsed: Result<Command, crate::command::CommandError>,
    client: &mut Client,
) -> Reply {
    match parsed {
        Err(e) => {
            client.multi_failed = true;
            Reply::error(e)
        }
        Ok(Command::Multi) => Reply::error("ERR MULTI calls can not be nested"),
        Ok(Command::Discard) => {
            client.multi = None;
            client.multi_failed = false;
            Reply::ok()
        }
        Ok(Command::Exec) => {
            let queued = client.multi.take().unwrap_or_default();
            if std::mem::take(&mut client.multi_failed) {
                return Reply::error("EXECABORT Transaction discarded because of previous errors.");
            }
            exec_queued(sim, port, &queued, client)
        }
        Ok(_) => {
            if let Some(redirect) = route(sim, port, argv, client) {
                client.multi_failed = true;
                return redirect;
            }
            if let Some(q) = client.multi.as_mut() {
                q.push(argv.to_vec());
            }
            Reply::Status("QUEUED".into())
        }
    }
}

/// EXEC: runs the queue in one go; a master wraps its writes in MULTI/EXEC in the stream.
fn exec_queued(
    sim: &mut Simulator,
    port: u16,
    queued: &[Vec<Vec<u8>>],
    client: &mut Client,
) -> Reply {
    // Redis wraps the transaction in MULTI/EXEC in the stream only when it propagates more
    // than one command.
    let writes = queued.iter().filter(|argv| writes_data(argv)).count() > 1;
    if writes {
        sim.propagate_internal(port, vec![b"MULTI".to_vec()]);
    }
    let replies = queued
        .iter()
        .map(|argv| match parse_command(argv) {
            // A transaction never blocks: WAIT answers with the replicas that already have it.
            Ok(Command::Wait(count, timeout)) => wait(sim, port, &count, &timeout, true),
            Ok(cmd) => run(sim, port, cmd, client),
            Err(e) => Reply::error(e),
        })
        .collect();
    if writes {
        sim.propagate_internal(port, vec![b"EXEC".to_vec()]);
    }
    Reply::Array(replies)
}

/// Whether a command changes data (the command table's write flag).
fn writes_data(argv: &[Vec<u8>]) -> bool {
    key_spec(&argv[0]).map_or_else(|| is_keyless_write(&argv[0]), |s| s.3)
}

/// The keys a command names, and whether it writes (MIGRATE's keys move with its KEYS option).
fn command_keys(argv: &[Vec<u8>]) -> Option<(Vec<&[u8]>, bool)> {
    if argv[0].eq_ignore_ascii_case(b"migrate") {
        let keys_at = argv
            .iter()
            .skip(6)
            .position(|a| a.eq_ignore_ascii_case(b"keys"))
            .map(|i| i + 7);
        let keys = match keys_at {
            Some(first) => argv[first.min(argv.len())..]
                .iter()
                .map(Vec::as_slice)
                .collect(),
            None => argv.get(3).map(|k| vec![k.as_slice()]).unwrap_or_default(),
        };
        return Some((keys, true));
    }
    let (first, last, step, write) = key_spec(&argv[0])?;
    let last = if last < 0 {
        argv.len() as isize + last
    } else {
        last
    };
    let last = usize::try_from(last).unwrap_or(0);
    let keys = (first..=last)
        .step_by(step)
        .filter_map(|i| argv.get(i).map(Vec::as_slice))
        .collect();
    Some((keys, write))
}

/// `getNodeByQuery`: whether this node serves a command with keys, or the error it answers
/// instead: MOVED, ASK, TRYAGAIN, CROSSSLOT or a CLUSTERDOWN. Keyless commands are always
/// served.
fn route(sim: &Simulator, port: u16, argv: &[Vec<u8>], client: &Client) -> Option<Reply> {
    let state = sim.running(port)?.cluster.as_ref()?;
    let (keys, write) = command_keys(argv)?;
    let is_migrate = argv[0].eq_ignore_ascii_case(b"migrate");
    let now = sim.now();
    let db = sim.db(port);
    let me = state.myself();
    let mut owner: Option<&cluster_proto::ClusterNode> = None;
    let mut slot = None;
    let (mut migrating, mut importing, mut multiple) = (false, false, false);
    let (mut missing, mut existing) = (0, 0);
    for key in &keys {
        let s = key_hash_slot(key);
        match slot {
            None => {
                slot = Some(s);
                match state.slot_owner(s) {
                    Some(o) => owner = Some(o),
                    None => return Some(Reply::error("CLUSTERDOWN Hash slot not served")),
                }
                if owner.is_some_and(|o| o.id == me.id) && state.migrating_to(s).is_some() {
                    migrating = true;
                } else if state.importing_from(s).is_some() {
                    importing = true;
                }
            }
            Some(first_slot) if first_slot != s => {
                return Some(Reply::error(
                    "CROSSSLOT Keys in request don't hash to the same slot",
                ));
            }
            Some(_) => multiple |= *key != keys[0],
        }
        if migrating || importing {
            if db.and_then(|d| d.get(key, now)).is_some() {
                existing += 1;
            } else {
                missing += 1;
            }
        }
    }
    let (slot, owner) = (slot?, owner?);
    if state.health() != cluster_proto::ClusterHealth::Ok {
        if !state.config().allow_reads_when_down {
            return Some(Reply::error("CLUSTERDOWN The cluster is down"));
        }
        if write {
            return Some(Reply::error(
                "CLUSTERDOWN The cluster is down and only accepts read commands",
            ));
        }
    }
    // MIGRATE works locally while a slot is open, so keys can move freely.
    if (migrating || importing) && is_migrate {
        return None;
    }
    let address = |n: &cluster_proto::ClusterNode| {
        // The address as this node knows it (an unknown IP prints empty, as in Redis).
        let ip = n.addr.ip.map(|ip| ip.to_string()).unwrap_or_default();
        format!("{ip}:{}", n.addr.port)
    };
    if migrating && missing > 0 {
        if existing > 0 {
            return Some(Reply::error(
                "TRYAGAIN Multiple keys request during rehashing of slot",
            ));
        }
        let target = state.migrating_to(slot).and_then(|id| state.node(&id))?;
        return Some(Reply::error(format!("ASK {slot} {}", address(target))));
    }
    if importing && client.asking {
        if multiple && missing > 0 {
            return Some(Reply::error(
                "TRYAGAIN Multiple keys request during rehashing of slot",
            ));
        }
        return None;
    }
    if owner.id == me.id {
        return None;
    }
    if client.readonly && !write && me.is_replica() && me.replica_of == Some(owner.id) {
        return None;
    }
    Some(Reply::error(format!("MOVED {slot} {}", address(owner))))
}

fn data_reply(reply: cluster_sim::DataReply) -> Reply {
    use cluster_sim::DataReply as D;
    match reply {
        D::Status(s) => Reply::Status(s),
        D::Error(e) => Reply::error(e),
        D::Int(n) => Reply::Integer(n),
        D::Bulk(b) => Reply::Bulk(b),
        D::Nil => Reply::Nil,
        D::Array(items) => Reply::Array(items.into_iter().map(data_reply).collect()),
    }
}

/// The server settings CONFIG sees besides the cluster's.
fn server_settings(h: &cluster_sim::Host) -> ServerSettings {
    ServerSettings {
        cluster_enabled: h.config.cluster_enabled,
        appendonly: h.appendonly(),
    }
}

/// A data command on this node: routed, refused on a replica if it writes, run, and its
/// effect propagated to the replicas.
fn run_data(sim: &mut Simulator, port: u16, argv: Vec<Vec<u8>>, client: &Client) -> Reply {
    let writes = writes_data(&argv);
    // A master paused for a manual failover holds writes until the failover ends (then the
    // client usually gets a MOVED to the new master).
    let mut held = 0;
    while writes
        && held < MF_WRITE_HOLD_CAP_MS
        && sim
            .running(port)
            .and_then(|h| h.cluster.as_ref())
            .is_some_and(|c| c.writes_paused(sim.now()))
    {
        sim.advance(10);
        held += 10;
    }
    if let Some(redirect) = route(sim, port, &argv, client) {
        return redirect;
    }
    let write = writes_data(&argv);
    if write && sim.running(port).is_some_and(|h| h.replica_of.is_some()) {
        return Reply::error("READONLY You can't write against a read only replica.");
    }
    // expireIfNeeded: a master deletes the expired keys the command touches first (and tells
    // its replicas).
    if let Some((keys, _)) = command_keys(&argv) {
        sim.expire_if_needed(port, &keys);
    }
    let now = sim.now();
    let Some(db) = sim.db_mut(port) else {
        return Reply::error("ERR server is gone");
    };
    let applied = cluster_sim::execute_data(db, &argv, now);
    if let Some(p) = applied.propagate {
        sim.propagate(port, p);
    }
    data_reply(applied.reply)
}

fn run(sim: &mut Simulator, port: u16, cmd: Command, client: &mut Client) -> Reply {
    match cmd {
        Command::Data(argv) => run_data(sim, port, argv, client),
        Command::Asking if sim.running(port).is_none_or(|h| h.cluster.is_none()) => {
            Reply::error(CLUSTER_DISABLED)
        }
        Command::Asking => {
            client.asking = true;
            Reply::ok()
        }
        Command::Migrate(argv) => migrate(sim, port, &argv, client),
        Command::ReadOnly | Command::ReadWrite
            if sim.running(port).is_none_or(|h| h.cluster.is_none()) =>
        {
            Reply::error(CLUSTER_DISABLED)
        }
        Command::Wait(count, timeout) => wait(sim, port, &count, &timeout, false),
        Command::Multi => {
            client.multi = Some(Vec::new());
            client.multi_failed = false;
            Reply::ok()
        }
        Command::Exec => Reply::error("ERR EXEC without MULTI"),
        Command::Discard => Reply::error("ERR DISCARD without MULTI"),
        Command::ReadOnly => {
            client.readonly = true;
            Reply::ok()
        }
        Command::ReadWrite => {
            client.readonly = false;
            Reply::ok()
        }
        Command::Ping(None) => Reply::Status("PONG".into()),
        Command::Ping(Some(msg)) => Reply::Bulk(msg),
        Command::Echo(msg) => Reply::Bulk(msg),
        Command::Info(sections) => Reply::bulk(crate::info::info(sim, port, &sections)),
        Command::DebugSleep(_) | Command::DebugOther(_) | Command::DebugSetActiveExpire(_)
            if !sim
                .running(port)
                .is_some_and(|h| h.config.enable_debug_command) =>
        {
            Reply::error(DEBUG_DISABLED)
        }
        Command::DebugSleep(secs) => {
            // strtod: a leading number, anything else reads as 0.
            let text = text(&secs);
            let secs: f64 = text
                .trim()
                .parse()
                .ok()
                .filter(|s: &f64| s.is_finite() && *s >= 0.0)
                .unwrap_or(0.0);
            let ms = (secs.min(crate::shell::MAX_SLEEP_SECS) * 1000.0).round() as u64;
            // The server's event loop is blocked: like a SIGSTOP for that long, then the reply.
            if ms > 0 && sim.pause_server(port, ms).is_ok() {
                sim.advance(ms);
            }
            Reply::ok()
        }
        Command::DebugSetActiveExpire(arg) => {
            // `atoi`: anything but a number reads as 0, which turns it off.
            sim.set_active_expire(port, crate::cli::atoi(&text(&arg)) != 0);
            Reply::ok()
        }
        Command::Save => {
            sim.save(port);
            Reply::ok()
        }
        // ClusterLab's servers start from command-line arguments, never from a file.
        Command::ConfigRewrite => Reply::error("ERR The server is running without a config file"),
        Command::DebugOther(sub) => Reply::error(format!(
            "ERR unknown subcommand or wrong number of arguments for '{}'. Try DEBUG HELP.",
            text(&sub)
        )),
        Command::ClientKill(addr) => {
            let master = sim
                .running(port)
                .and_then(|h| h.replica_of)
                .map(|r| format!("127.0.0.1:{}", r.master_port));
            match addr {
                None => Reply::Integer(i64::from(sim.kill_master_link(port))),
                Some(a) if master.as_deref() == Some(&*String::from_utf8_lossy(&a)) => {
                    sim.kill_master_link(port);
                    Reply::ok()
                }
                Some(_) => Reply::error("ERR No such client"),
            }
        }
        Command::Shutdown => {
            let _ = sim.stop_server(port, ProcessState::Killed);
            Reply::Nil
        }
        Command::Role => {
            let replicas = sim.connected_replicas(port);
            match sim.running(port) {
                Some(h) => role(h, &replicas),
                None => Reply::error("ERR server is gone"),
            }
        }
        Command::ConfigGet(patterns) => match sim.running(port) {
            Some(h) => {
                let cfg = h.cluster.as_ref().map_or(&h.config.cluster, |c| c.config());
                config_get(cfg, server_settings(h), &patterns)
            }
            None => Reply::error("ERR server is gone"),
        },
        Command::ConfigSet(pairs) => {
            let Some(mut server) = sim.running(port).map(server_settings) else {
                return Reply::error("ERR server is gone");
            };
            let reply = if sim.running(port).is_some_and(|h| h.cluster.is_some()) {
                sim.with_node(port, |n, now| {
                    let reply = config_set(n.config_mut(), &mut server, &pairs);
                    n.apply_config(now);
                    reply
                })
                .unwrap_or_else(|| Reply::error(CLUSTER_DISABLED))
            } else {
                let mut cfg = cluster_proto::ClusterConfig::default();
                config_set(&mut cfg, &mut server, &pairs)
            };
            if sim
                .running(port)
                .is_some_and(|h| h.appendonly() != server.appendonly)
            {
                sim.set_appendonly(port, server.appendonly);
            }
            reply
        }
        Command::Cluster(sub) => {
            let enabled = sim.running(port).is_some_and(|h| h.cluster.is_some());
            if !enabled {
                return Reply::error(CLUSTER_DISABLED);
            }
            run_cluster(sim, port, sub)
        }
    }
}

fn run_cluster(sim: &mut Simulator, port: u16, sub: ClusterCommand) -> Reply {
    fn node(sim: &Simulator, port: u16) -> &cluster_proto::ClusterState {
        sim.running(port)
            .and_then(|h| h.cluster.as_ref())
            .expect("the caller checked that a cluster node runs there")
    }
    match sub {
        ClusterCommand::Help => Reply::Array(
            CLUSTER_HELP
                .iter()
                .map(|l| Reply::Status((*l).to_string()))
                .collect(),
        ),
        ClusterCommand::Info => Reply::bulk(cluster_info(node(sim, port))),
        ClusterCommand::KeySlot(key) => Reply::Integer(i64::from(key_hash_slot(&key))),
        ClusterCommand::MyId => Reply::bulk(node(sim, port).myself_id().to_string()),
        ClusterCommand::Nodes => Reply::bulk(cluster_nodes(node(sim, port))),
        ClusterCommand::Meet { ip, port: p, cport } => {
            let Some(base) = string2ll(&p) else {
                return Reply::error(format!("ERR Invalid TCP base port specified: {}", text(&p)));
            };
            let bus = match cport {
                Some(c) => match string2ll(&c) {
                    Some(v) => v,
                    None => {
                        return Reply::error(format!(
                            "ERR Invalid TCP bus port specified: {}",
                            text(&c)
                        ));
                    }
                },
                None => base + i64::from(CLUSTER_PORT_INCR),
            };
            let ip = text(&ip);
            let result = sim.with_node(port, |n, now| n.meet(now, &ip, base, bus));
            match result {
                Some(Ok(())) => Reply::ok(),
                // Redis echoes the port as typed.
                Some(Err(_)) => Reply::error(format!(
                    "ERR Invalid node address specified: {ip}:{}",
                    text(&p)
                )),
                None => Reply::error(CLUSTER_DISABLED),
            }
        }
        ClusterCommand::AddSlots(args) => single_slots(sim, port, &args, false),
        ClusterCommand::DelSlots(args) => single_slots(sim, port, &args, true),
        ClusterCommand::AddSlotsRange(args) => slot_ranges(sim, port, &args, false),
        ClusterCommand::DelSlotsRange(args) => slot_ranges(sim, port, &args, true),
        ClusterCommand::SetConfigEpoch(arg) => {
            let Some(epoch) = string2ll(&arg) else {
                return Reply::error("ERR value is not an integer or out of range");
            };
            match sim.with_node(port, |n, now| n.set_config_epoch(now, epoch)) {
                Some(Ok(())) => Reply::ok(),
                Some(Err(e)) => Reply::error(format!("ERR {e}")),
                None => Reply::error(CLUSTER_DISABLED),
            }
        }
        ClusterCommand::BumpEpoch => match sim.with_node(port, |n, now| n.bump_epoch(now)) {
            Some(BumpResult::Bumped(e)) => Reply::Status(format!("BUMPED {e}")),
            Some(BumpResult::Still(e)) => Reply::Status(format!("STILL {e}")),
            None => Reply::error(CLUSTER_DISABLED),
        },
        ClusterCommand::Replicate(arg) => {
            let id = text(&arg);
            // Keys arrive with the data plane; until then every database is empty.
            match sim.with_node(port, |n, now| n.replicate(now, &id, false)) {
                Some(Ok(())) => Reply::ok(),
                Some(Err(e)) => Reply::error(format!("ERR {e}")),
                None => Reply::error(CLUSTER_DISABLED),
            }
        }
        ClusterCommand::Replicas(arg) => {
            let state = node(sim, port);
            let unknown = || Reply::error(format!("ERR Unknown node {}", text(&arg)));
            let Some(master) = NodeId::parse(&arg).and_then(|id| state.node(&id)) else {
                return unknown();
            };
            if !master.is_master() {
                return Reply::error("ERR The specified node is not a master");
            }
            cluster_replicas(state, master)
        }
        ClusterCommand::Forget(arg) => {
            let id = text(&arg);
            result_ok(sim.with_node(port, |n, now| n.forget(now, &id)))
        }
        ClusterCommand::Reset(hard) => {
            result_ok(sim.with_node(port, |n, now| n.reset(now, hard, false)))
        }
        ClusterCommand::FlushSlots => {
            result_ok(sim.with_node(port, |n, now| n.flush_slots(now, false)))
        }
        ClusterCommand::SaveConfig => Reply::ok(),
        ClusterCommand::SetSlot(args) => {
            if let Err(e) = node(sim, port).check_setslot_allowed() {
                return Reply::error(format!("ERR {e}"));
            }
            let slot = match parse_slot(&args[0]) {
                Ok(s) => s,
                Err(r) => return r,
            };
            let action = String::from_utf8_lossy(&args[1]).to_ascii_lowercase();
            match (action.as_str(), args.len()) {
                ("node", 3) => {
                    let id = text(&args[2]);
                    let now = sim.now();
                    let keys = sim
                        .db(port)
                        .map_or(0, |db| db.keys_in_slot(slot, now).count());
                    result_ok(sim.with_node(port, |n, now| n.set_slot_node(now, slot, &id, keys)))
                }
                ("migrating", 3) => {
                    let id = text(&args[2]);
                    result_ok(sim.with_node(port, |n, _| n.set_slot_migrating(slot, &id)))
                }
                ("importing", 3) => {
                    let id = text(&args[2]);
                    result_ok(sim.with_node(port, |n, _| n.set_slot_importing(slot, &id)))
                }
                ("stable", 2) => result_ok(sim.with_node(port, |n, _| n.set_slot_stable(slot))),
                _ => Reply::error(
                    "ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP",
                ),
            }
        }
        // clusterCommand: `getLongLongFromObjectOrReply` then the range check.
        ClusterCommand::CountKeysInSlot(arg) => match string2ll(&arg) {
            Some(s) if (0..CLUSTER_SLOTS as i64).contains(&s) => Reply::Integer(
                sim.db(port)
                    .map_or(0, |db| db.keys_in_slot(s as Slot, sim.now()).count())
                    as i64,
            ),
            Some(_) => Reply::error("ERR Invalid slot"),
            None => Reply::error("ERR value is not an integer or out of range"),
        },
        ClusterCommand::GetKeysInSlot(slot, count) => {
            let (Some(slot), Some(count)) = (string2ll(&slot), string2ll(&count)) else {
                return Reply::error("ERR value is not an integer or out of range");
            };
            if !(0..CLUSTER_SLOTS as i64).contains(&slot) || count < 0 {
                return Reply::error("ERR Invalid slot or number of keys");
            }
            let now = sim.now();
            Reply::Array(
                sim.db(port)
                    .map(|db| {
                        db.keys_in_slot(slot as Slot, now)
                            .take(count as usize)
                            .map(|k| Reply::Bulk(k.clone()))
                            .collect()
                    })
                    .unwrap_or_default(),
            )
        }
        ClusterCommand::Failover(mode) => {
            match sim.with_node(port, |n, now| n.manual_failover(now, mode)) {
                Some(Ok(())) => Reply::ok(),
                Some(Err(e)) => Reply::error(format!("ERR {e}")),
                None => Reply::error(CLUSTER_DISABLED),
            }
        }
        ClusterCommand::Slots => cluster_slots(node(sim, port)),
        ClusterCommand::Shards => cluster_shards(node(sim, port)),
        ClusterCommand::CountFailureReports(arg) => {
            let unknown = || Reply::error(format!("ERR Unknown node {}", text(&arg)));
            let Some(id) = NodeId::parse(&arg) else {
                return unknown();
            };
            match sim.with_node(port, |n, now| {
                n.node(&id)
                    .is_some()
                    .then(|| n.failure_reports_count(now, &id))
            }) {
                Some(Some(count)) => Reply::Integer(count as i64),
                _ => unknown(),
            }
        }
    }
}

/// ADDSLOTS/DELSLOTS: every argument is parsed before any is checked.
fn single_slots(sim: &mut Simulator, port: u16, args: &[Vec<u8>], del: bool) -> Reply {
    let mut ranges = Vec::new();
    for a in args {
        match parse_slot(a) {
            Ok(s) => ranges.push((s, s)),
            Err(r) => return r,
        }
    }
    apply_slots(sim, port, &ranges, del)
}

/// ADDSLOTSRANGE/DELSLOTSRANGE: each pair is parsed and checked before the next is read, so the
/// first problem reported is the one Redis reports.
fn slot_ranges(sim: &mut Simulator, port: u16, args: &[Vec<u8>], del: bool) -> Reply {
    let mut ranges = Vec::new();
    for pair in args.chunks(2) {
        let (a, b) = match (parse_slot(&pair[0]), pair.get(1).map(|p| parse_slot(p))) {
            (Ok(a), Some(Ok(b))) => (a, b),
            (Err(r), _) | (_, Some(Err(r))) => return r,
            (_, None) => return Reply::error("ERR Invalid or out of range slot"),
        };
        if a > b {
            return Reply::error(format!(
                "ERR start slot number {a} is greater than end slot number {b}"
            ));
        }
        ranges.push((a, b));
        let checked = sim
            .running(port)
            .and_then(|h| h.cluster.as_ref())
            .map(|n| n.check_slots(&ranges, del));
        if let Some(Err(e)) = checked {
            return Reply::error(format!("ERR {e}"));
        }
    }
    apply_slots(sim, port, &ranges, del)
}

fn apply_slots(sim: &mut Simulator, port: u16, ranges: &[(Slot, Slot)], del: bool) -> Reply {
    let result = sim.with_node(port, |n, now| {
        if del {
            n.del_slots(now, ranges)
        } else {
            n.add_slots(now, ranges)
        }
    });
    match result {
        Some(Ok(())) => Reply::ok(),
        Some(Err(e)) => Reply::error(format!("ERR {e}")),
        None => Reply::error(CLUSTER_DISABLED),
    }
}

fn result_ok(r: Option<Result<(), cluster_proto::ClusterError>>) -> Reply {
    match r {
        Some(Ok(())) => Reply::ok(),
        Some(Err(e)) => Reply::error(format!("ERR {e}")),
        None => Reply::error(CLUSTER_DISABLED),
    }
}

/// The longest a write waits on a master paused for a manual failover (Redis pauses for at most
/// twice the 5 s manual-failover timeout).
const MF_WRITE_HOLD_CAP_MS: u64 = 10_000;

/// The longest a `WAIT ... 0` blocks here; real Redis would block the client forever.
pub const WAIT_FOREVER_CAP_MS: u64 = 60_000;

/// `WAIT numreplicas timeout`: blocks until that many replicas have acknowledged everything
/// this master wrote, or the timeout passes; answers how many have. Inside a transaction
/// (`in_exec`) it never blocks.
fn wait(sim: &mut Simulator, port: u16, count: &[u8], timeout: &[u8], in_exec: bool) -> Reply {
    if sim.running(port).is_some_and(|h| h.replica_of.is_some()) {
        return Reply::error(
            "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.",
        );
    }
    // Redis reads the timeout first.
    let Some(timeout) = string2ll(timeout) else {
        return Reply::error("ERR timeout is not an integer or out of range");
    };
    if timeout < 0 {
        return Reply::error("ERR timeout is negative");
    }
    let Some(wanted) = string2ll(count) else {
        return Reply::error("ERR value is not an integer or out of range");
    };
    let Some(target) = sim.running(port).map(|h| h.repl_offset) else {
        return Reply::error("ERR server is gone");
    };
    let acked = |sim: &Simulator| {
        sim.connected_replicas(port)
            .iter()
            .filter(|(_, offset)| *offset >= target)
            .count() as i64
    };
    let limit = match timeout {
        _ if in_exec => 0,
        0 => WAIT_FOREVER_CAP_MS,
        t => t as u64,
    };
    let mut waited = 0;
    while acked(sim) < wanted && waited < limit {
        let step = 10.min(limit - waited);
        sim.advance(step);
        waited += step;
    }
    Reply::Integer(acked(sim))
}

/// `MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH pw] [AUTH2 user pw]
/// [KEYS key ...]`: moves keys (value and time to live) to another server, deleting them here
/// unless COPY. The target's replicas get the keys through its stream.
fn migrate(sim: &mut Simulator, port: u16, argv: &[Vec<u8>], client: &Client) -> Reply {
    let (mut copy, mut replace, mut keys_from) = (false, false, None);
    let mut j = 6;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        let a = &argv[j];
        if a.eq_ignore_ascii_case(b"copy") {
            copy = true;
        } else if a.eq_ignore_ascii_case(b"replace") {
            replace = true;
        } else if a.eq_ignore_ascii_case(b"auth") && more >= 1 {
            j += 1;
        } else if a.eq_ignore_ascii_case(b"auth2") && more >= 2 {
            j += 2;
        } else if a.eq_ignore_ascii_case(b"keys") {
            if !argv[3].is_empty() {
                return Reply::error(
                    "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string",
                );
            }
            keys_from = Some(j + 1);
            break;
        } else {
            return Reply::error("ERR syntax error");
        }
        j += 1;
    }
    if string2ll(&argv[5]).is_none() || string2ll(&argv[4]).is_none() {
        return Reply::error("ERR value is not an integer or out of range");
    }
    if let Some(redirect) = route(sim, port, argv, client) {
        return redirect;
    }
    let keys: Vec<Vec<u8>> = match keys_from {
        Some(first) => argv[first..].to_vec(),
        None => vec![argv[3].clone()],
    };
    let now = sim.now();
    let present: Vec<(Vec<u8>, cluster_sim::Value, Option<cluster_proto::SimTime>)> = keys
        .iter()
        .filter_map(|k| {
            let db = sim.db(port)?;
            let v = db.get(k, now)?.clone();
            Some((k.clone(), v, db.expiry(k, now)))
        })
        .collect();
    if present.is_empty() {
        return Reply::Status("NOKEY".into());
    }
    let host = String::from_utf8_lossy(&argv[1]).into_owned();
    let target = crate::cli::resolve(
        sim,
        &host,
        crate::cli::atoi(&String::from_utf8_lossy(&argv[2])),
    )
    .ok()
    .filter(|&t| t != port && sim.network().reachable(port, t) && sim.network().reachable(t, port));
    let Some(target) = target else {
        return Reply::error("IOERR error or timeout connecting to the client");
    };
    if string2ll(&argv[4]) != Some(0) {
        return Reply::error(
            "ERR Target instance replied with error: ERR SELECT is not allowed in cluster mode",
        );
    }
    let busy = present
        .iter()
        .any(|(k, _, _)| sim.db(target).is_some_and(|db| db.get(k, now).is_some()));
    if busy && !replace {
        return Reply::error(
            "ERR Target instance replied with error: BUSYKEY Target key name already exists.",
        );
    }
    // RESTORE on the target, told to its replicas as the commands that rebuild each key.
    for (key, value, expiry) in &present {
        let Some(db) = sim.db_mut(target) else {
            return Reply::error("IOERR error or timeout connecting to the client");
        };
        db.set(key.clone(), value.clone(), false, now);
        if let Some(at) = expiry {
            db.expire_at(key, *at, now);
        }
        let mut rebuild = vec![vec![b"DEL".to_vec(), key.clone()]];
        match value {
            cluster_sim::Value::Str(v) => {
                let mut set = vec![b"SET".to_vec(), key.clone(), v.clone()];
                if let Some(at) = expiry {
                    set.extend([
                        b"PXAT".to_vec(),
                        at.as_unix_millis().to_string().into_bytes(),
                    ]);
                }
                rebuild.push(set);
            }
            cluster_sim::Value::Hash(h) => {
                let mut hset = vec![b"HSET".to_vec(), key.clone()];
                for (f, v) in h {
                    hset.extend([f.clone(), v.clone()]);
                }
                rebuild.push(hset);
                if let Some(at) = expiry {
                    rebuild.push(vec![
                        b"PEXPIREAT".to_vec(),
                        key.clone(),
                        at.as_unix_millis().to_string().into_bytes(),
                    ]);
                }
            }
        }
        for cmd in rebuild {
            sim.propagate_internal(target, cmd);
        }
    }
    if !copy {
        let mut del = vec![b"DEL".to_vec()];
        if let Some(db) = sim.db_mut(port) {
            for (key, _, _) in &present {
                db.remove(key, now);
                del.push(key.clone());
            }
        }
        sim.propagate_internal(port, del);
    }
    Reply::ok()
}
