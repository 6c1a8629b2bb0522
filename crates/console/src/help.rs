//! Help texts and completion words shared by the terminal front ends.

/// The lines of Redis 7.0's `CLUSTER HELP` reply, each sent as a status reply.
pub const CLUSTER_HELP: &[&str] = &[
    "CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "ADDSLOTS <slot> [<slot> ...]",
    "    Assign slots to current node.",
    "ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
    "    Assign slots which are between <start-slot> and <end-slot> to current node.",
    "BUMPEPOCH",
    "    Advance the cluster config epoch.",
    "COUNT-FAILURE-REPORTS <node-id>",
    "    Return number of failure reports for <node-id>.",
    "COUNTKEYSINSLOT <slot>",
    "    Return the number of keys in <slot>.",
    "DELSLOTS <slot> [<slot> ...]",
    "    Delete slots information from current node.",
    "DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
    "    Delete slots information which are between <start-slot> and <end-slot> from current node.",
    "FAILOVER [FORCE|TAKEOVER]",
    "    Promote current replica node to being a master.",
    "FORGET <node-id>",
    "    Remove a node from the cluster.",
    "GETKEYSINSLOT <slot> <count>",
    "    Return key names stored by current node in a slot.",
    "FLUSHSLOTS",
    "    Delete current node own slots information.",
    "INFO",
    "    Return information about the cluster.",
    "KEYSLOT <key>",
    "    Return the hash slot for <key>.",
    "MEET <ip> <port> [<bus-port>]",
    "    Connect nodes into a working cluster.",
    "MYID",
    "    Return the node id.",
    "NODES",
    "    Return cluster configuration seen by node. Output format:",
    "    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
    "REPLICATE <node-id>",
    "    Configure current node as replica to <node-id>.",
    "RESET [HARD|SOFT]",
    "    Reset current node (default: soft).",
    "SET-CONFIG-EPOCH <epoch>",
    "    Set config epoch of current node.",
    "SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)",
    "    Set slot state.",
    "REPLICAS <node-id>",
    "    Return <node-id> replicas.",
    "SAVECONFIG",
    "    Force saving cluster configuration on disk.",
    "SLOTS",
    "    Return information about slots range mappings. Each range is made of:",
    "    start, end, master and replicas IP addresses, ports and ids",
    "SHARDS",
    "    Return information about slot range mappings and the nodes associated with them.",
    "LINKS",
    "    Return information about all network links between this node and its peers.",
    "    Output format is an array where each array element is a map containing attributes of a link",
    "HELP",
    "    Prints this help.",
];

/// redis-cli's answer to `help` typed at its prompt.
pub const REDIS_CLI_HELP: &str = "redis-cli 7.0.15
To get help about Redis commands type:
      \"help @<group>\" to get a list of commands in <group>
      \"help <command>\" for help on <command>
      \"help <tab>\" to get a list of possible help topics
      \"quit\" to exit

To set redis-cli preferences:
      \":set hints\" enable online hints
      \":set nohints\" disable online hints
Set your preferences in ~/.redisclirc
";

/// The shell's `help`: what can be typed at the `$` prompt.
pub const SHELL_HELP: &str = "ClusterLab shell commands:
  redis-server --port P --cluster-enabled yes [--cluster-node-timeout MS] [--daemonize yes]
                             start a Redis node on 127.0.0.1:P (cluster bus on P+10000)
  redis-cli [-h HOST] [-p PORT] [-c] [--raw] [CMD ARG...]
                             run one command, or with no CMD talk to the node interactively
  redis-cli --cluster create HOST:PORT... [--cluster-replicas N] [--cluster-yes]
  redis-cli --cluster check|info HOST:PORT
  redis-cli --cluster add-node NEW_HOST:PORT HOST:PORT [--cluster-slave [--cluster-master-id ID]]
  redis-cli --cluster reshard HOST:PORT --cluster-from IDS|all --cluster-to ID --cluster-slots N
                             [--cluster-yes]  move slots and their keys
  redis-cli --cluster rebalance HOST:PORT [--cluster-weight ID=W...] [--cluster-use-empty-masters]
                             [--cluster-threshold PCT] [--cluster-simulate]
  echo yes | redis-cli --cluster fix HOST:PORT
                             close open slots, cover uncovered ones (its questions read the pipe;
                             yes yes | ... answers every question)
  redis-cli --cluster del-node HOST:PORT ID
  sleep SECONDS              let virtual time pass (decimals allowed)
  sim seed N                 choose the random seed (before the first node starts)
  sim log PORT [N]           the last N lines of a node's log (--loglevel verbose shows more)
  sim lost                   acknowledged writes the cluster lost, with the reason
  sim load counter|sequence RATE [PORT]
                             a cluster-aware client writing RATE commands/s while time flows
  sim load [stop]            what the load did (and stop it)
  sim kill PORT              stop a node as Ctrl-C does; sim crash PORT: as SIGKILL does
  sim restart PORT           start it again from its nodes.conf
  sim pause PORT SECONDS     stop a node as SIGSTOP does, and continue it that much later
  sim partition P,P.. P,P..  split the network into groups; sim heal: repair it
  sim partition P,.. -> P,.. drop packets in one direction only
  sim latency MS [P P]       one-way delay on every link, or between two nodes
  sim loss PERCENT [P P]     drop that share of bus packets (TCP sends them again later)
  clear                      clear the screen
  help                       this text
Inside redis-cli: GET, SET, SETEX, PSETEX, DEL, EXISTS, INCR[BY], DECR[BY], APPEND, STRLEN,
  MGET, MSET, EXPIRE, TTL, PERSIST, TYPE, KEYS, SCAN, HSET, HGET, HGETALL, HDEL, FLUSHALL, MULTI,
  EXEC,
  DISCARD, WAIT, READONLY, READWRITE, ASKING, MIGRATE, CLUSTER FAILOVER [FORCE|TAKEOVER],
  CLUSTER SETSLOT .. MIGRATING|IMPORTING|STABLE|NODE, CLUSTER COUNTKEYSINSLOT|GETKEYSINSLOT,
  PING, ECHO, ROLE, INFO, DBSIZE, SAVE, CONFIG GET|SET|REWRITE, DEBUG SLEEP|SET-ACTIVE-EXPIRE,
  SHUTDOWN,
  CLIENT KILL TYPE master, CLUSTER INFO|NODES|MYID|KEYSLOT|SLOTS|SHARDS|REPLICAS|MEET|REPLICATE|
  ADDSLOTS[RANGE]|DELSLOTS[RANGE]|FLUSHSLOTS|SETSLOT .. NODE|FORGET|RESET|SET-CONFIG-EPOCH|
  BUMPEPOCH|COUNT-FAILURE-REPORTS|HELP; CONNECT HOST PORT to switch node, exit to come back.
";

/// Words the front ends offer for completion at the `$` prompt.
pub const SHELL_WORDS: &[&str] = &[
    "redis-server",
    "redis-cli",
    "sleep",
    "sim",
    "help",
    "clear",
    "--port",
    "--cluster-enabled",
    "--cluster-node-timeout",
    "--daemonize",
];

/// Completion for a line being typed: where the word under the cursor starts, and the words
/// it could become (shell words, Redis commands, CLUSTER subcommands, sim verbs).
pub fn complete(line: &str, pos: usize) -> (usize, Vec<String>) {
    complete_with(line, pos, &Known::default())
}

/// What the world offers for completing arguments: ports of running servers and node ids.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Known {
    /// Client ports with a server.
    pub ports: Vec<u16>,
    /// Node ids known to the cluster.
    pub ids: Vec<String>,
}

impl Known {
    /// Ports and node ids of the servers in `console`'s world.
    pub fn of(console: &crate::Console) -> Known {
        let mut known = Known::default();
        for (port, host) in console.sim().hosts() {
            known.ports.push(port);
            if let Some(c) = host.cluster.as_ref() {
                known.ids.push(c.myself_id().to_string());
            }
        }
        known
    }
}

/// Arguments that take a node id or a port, by the words before them.
fn argument_pool(before: &[&str], known: &Known) -> Option<Vec<String>> {
    let lower: Vec<String> = before.iter().map(|w| w.to_ascii_lowercase()).collect();
    let last = lower.last()?;
    let ports = || known.ports.iter().map(u16::to_string).collect();
    let ids = || known.ids.clone();
    match lower.as_slice() {
        [.., c, sub]
            if c == "cluster"
                && matches!(
                    sub.as_str(),
                    "replicate" | "forget" | "count-failure-reports" | "replicas" | "slaves"
                ) =>
        {
            Some(ids())
        }
        [.., c, _, node] if c == "setslot" && node == "node" => Some(ids()),
        [.., sim, verb]
            if sim == "sim"
                && matches!(
                    verb.as_str(),
                    "kill" | "crash" | "restart" | "pause" | "log"
                ) =>
        {
            Some(ports())
        }
        _ if last == "-p" || last == "--port" => Some(ports()),
        _ => None,
    }
}

/// [`complete`], also offering ports and node ids where an argument takes one.
pub fn complete_with(line: &str, pos: usize, known: &Known) -> (usize, Vec<String>) {
    let pos = pos.min(line.len());
    let Some(head) = line.get(..pos) else {
        return (pos, Vec::new());
    };
    let start = head.rfind(' ').map_or(0, |i| i + 1);
    let word = &head[start..];
    let before: Vec<&str> = head[..start].split_whitespace().collect();
    let upper = |w: &str| w.to_ascii_uppercase();
    let pool: Vec<String> = match before.last().map(|w| w.to_ascii_lowercase()) {
        _ if argument_pool(&before, known).is_some() => {
            argument_pool(&before, known).unwrap_or_default()
        }
        Some(w) if w == "cluster" => crate::command::cluster_subcommand_names()
            .map(upper)
            .collect(),
        Some(w) if w == "sim" => SIM_VERBS.iter().map(|s| s.to_string()).collect(),
        None => SHELL_WORDS
            .iter()
            .map(|s| s.to_string())
            .chain(crate::command::command_names().map(upper))
            .collect(),
        Some(_) => SHELL_WORDS.iter().map(|s| s.to_string()).collect(),
    };
    let mut out: Vec<String> = pool
        .into_iter()
        .filter(|c| {
            c.to_ascii_lowercase()
                .starts_with(&word.to_ascii_lowercase())
        })
        .collect();
    out.sort();
    out.dedup();
    (start, out)
}

/// The `sim` verbs.
pub const SIM_VERBS: &[&str] = &[
    "seed",
    "log",
    "lost",
    "load",
    "kill",
    "crash",
    "restart",
    "pause",
    "partition",
    "heal",
    "latency",
    "loss",
];

/// Completes the word at the end of `line` the way a shell's Tab does: one candidate is taken
/// whole (with a space after it), several are narrowed to their common prefix. `None` when
/// there is nothing to add.
pub fn complete_line(line: &str) -> Option<String> {
    complete_line_with(line, &Known::default())
}

/// [`complete_line`] with the world's ports and node ids.
pub fn complete_line_with(line: &str, known: &Known) -> Option<String> {
    let (start, candidates) = complete_with(line, line.len(), known);
    let word = &line[start..];
    let completed = match candidates.as_slice() {
        [] => return None,
        [one] => format!("{one} "),
        many => {
            let first = &many[0];
            let mut len = first.len();
            for c in &many[1..] {
                len = len.min(
                    first
                        .bytes()
                        .zip(c.bytes())
                        .take_while(|(a, b)| a.eq_ignore_ascii_case(b))
                        .count(),
                );
            }
            first[..len].to_string()
        }
    };
    (completed.len() > word.len()).then(|| format!("{}{completed}", &line[..start]))
}

/// The arguments of the commands ClusterLab knows, as redis-cli 7.0.15 hints them (the texts
/// of its built-in command help): the command words, then the argument text.
const HINTS: &[(&str, &str)] = &[
    ("CLUSTER ADDSLOTS", "slot [slot ...]"),
    (
        "CLUSTER ADDSLOTSRANGE",
        "start-slot end-slot [start-slot end-slot ...]",
    ),
    ("CLUSTER COUNT-FAILURE-REPORTS", "node-id"),
    ("CLUSTER COUNTKEYSINSLOT", "slot"),
    ("CLUSTER DELSLOTS", "slot [slot ...]"),
    (
        "CLUSTER DELSLOTSRANGE",
        "start-slot end-slot [start-slot end-slot ...]",
    ),
    ("CLUSTER FAILOVER", "[FORCE|TAKEOVER]"),
    ("CLUSTER FORGET", "node-id"),
    ("CLUSTER GETKEYSINSLOT", "slot count"),
    ("CLUSTER KEYSLOT", "key"),
    ("CLUSTER MEET", "ip port [cluster_bus_port]"),
    ("CLUSTER REPLICAS", "node-id"),
    ("CLUSTER REPLICATE", "node-id"),
    ("CLUSTER RESET", "[HARD|SOFT]"),
    ("CLUSTER SET-CONFIG-EPOCH", "config-epoch"),
    (
        "CLUSTER SETSLOT",
        "slot IMPORTING node-id|MIGRATING node-id|NODE node-id|STABLE",
    ),
    ("CLUSTER SLAVES", "node-id"),
    ("CONFIG GET", "parameter [parameter ...]"),
    ("CONFIG SET", "parameter value [parameter value ...]"),
    (
        "CLIENT KILL",
        "ip:port|[ID client-id]|[TYPE NORMAL|MASTER|SLAVE|REPLICA|PUBSUB]|[USER username]|[ADDR ip:port]|[LADDR ip:port]|[SKIPME yes/no] [[ID client-id]|[TYPE NORMAL|MASTER|SLAVE|REPLICA|PUBSUB]|[USER username]|[ADDR ip:port]|[LADDR ip:port]|[SKIPME yes/no] ...]",
    ),
    ("ECHO", "message"),
    ("APPEND", "key value"),
    ("DECR", "key"),
    ("DECRBY", "key decrement"),
    ("DEL", "key [key ...]"),
    ("EXISTS", "key [key ...]"),
    ("EXPIRE", "key seconds [NX|XX|GT|LT]"),
    ("EXPIREAT", "key unix-time-seconds [NX|XX|GT|LT]"),
    ("FLUSHALL", "[ASYNC|SYNC]"),
    ("GET", "key"),
    ("GETDEL", "key"),
    ("HDEL", "key field [field ...]"),
    ("HGET", "key field"),
    ("HGETALL", "key"),
    ("HSET", "key field value [field value ...]"),
    ("INCR", "key"),
    ("INCRBY", "key increment"),
    ("KEYS", "pattern"),
    ("MGET", "key [key ...]"),
    ("MSET", "key value [key value ...]"),
    ("PERSIST", "key"),
    ("PEXPIRE", "key milliseconds [NX|XX|GT|LT]"),
    ("PEXPIREAT", "key unix-time-milliseconds [NX|XX|GT|LT]"),
    ("PTTL", "key"),
    (
        "SET",
        "key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]",
    ),
    ("STRLEN", "key"),
    ("TTL", "key"),
    ("TYPE", "key"),
    ("UNLINK", "key [key ...]"),
    ("INFO", "[section [section ...]]"),
    ("PING", "[message]"),
    ("SHUTDOWN", "[NOSAVE|SAVE] [NOW] [FORCE] [ABORT]"),
];

/// redis-cli's greyed hint for a line typed at its prompt: the arguments not typed yet, with a
/// leading space when the line does not end in one (as redis-cli's `hintsCallback` does).
pub fn hint(line: &str) -> Option<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    if words.is_empty() {
        return None;
    }
    let ends_in_space = line.ends_with(' ');
    let (cmd_words, params) = HINTS
        .iter()
        .filter_map(|(cmd, params)| {
            let cw: Vec<&str> = cmd.split(' ').collect();
            let matches = words.len() >= cw.len()
                && cw
                    .iter()
                    .zip(&words)
                    .all(|(a, b)| a.eq_ignore_ascii_case(b));
            matches.then_some((cw.len(), *params))
        })
        .max_by_key(|(n, _)| *n)?;
    // A command typed only partly (no space after its last word yet) gets no hint.
    if words.len() == cmd_words && !ends_in_space && cmd_words == 1 && words[0].len() < 2 {
        return None;
    }
    // Drop one hinted word per argument already typed, but never an optional `[...]` part.
    let typed_args = words.len() - cmd_words;
    let mut hint = params;
    let mut to_remove = typed_args;
    while to_remove > 0 && !hint.is_empty() {
        if hint.starts_with('[') {
            break;
        }
        match hint.find(' ') {
            Some(i) => {
                hint = &hint[i + 1..];
                to_remove -= 1;
            }
            None => {
                hint = "";
                to_remove -= 1;
            }
        }
    }
    if hint.is_empty() || (typed_args > 0 && !ends_in_space) {
        return None;
    }
    Some(if ends_in_space {
        hint.to_string()
    } else {
        format!(" {hint}")
    })
}

#[cfg(test)]
mod hint_tests {
    use super::*;

    #[test]
    fn hints_show_the_arguments_still_to_type() {
        assert_eq!(
            hint("CLUSTER MEET").as_deref(),
            Some(" ip port [cluster_bus_port]")
        );
        assert_eq!(
            hint("cluster meet ").as_deref(),
            Some("ip port [cluster_bus_port]")
        );
        assert_eq!(
            hint("CLUSTER MEET 127.0.0.1 ").as_deref(),
            Some("port [cluster_bus_port]")
        );
        assert_eq!(
            hint("CLUSTER MEET 127.0.0.1 7000 ").as_deref(),
            Some("[cluster_bus_port]")
        );
        assert_eq!(hint("CLUSTER MEET 127.0.0.1"), None, "mid-word: nothing");
        assert_eq!(hint("CLUSTER REPLICATE abc "), None, "all typed");
        assert_eq!(hint("PING").as_deref(), Some(" [message]"));
        assert_eq!(hint("NOPE "), None);
        assert_eq!(hint(""), None);
    }

    #[test]
    fn completion_offers_ports_and_node_ids_where_they_belong() {
        let known = Known {
            ports: vec![7000, 7001],
            ids: vec!["abc123".into(), "abd456".into()],
        };
        assert_eq!(
            complete_line_with("sim kill 70", &known).as_deref(),
            Some("sim kill 700")
        );
        assert_eq!(
            complete_line_with("redis-cli -p 7001", &known).as_deref(),
            Some("redis-cli -p 7001 ")
        );
        assert_eq!(
            complete_line_with("CLUSTER REPLICATE abc", &known).as_deref(),
            Some("CLUSTER REPLICATE abc123 ")
        );
        assert_eq!(
            complete_line_with("CLUSTER FORGET ab", &known),
            None,
            "ambiguous: nothing to add"
        );
    }
}
