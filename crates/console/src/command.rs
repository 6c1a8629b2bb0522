//! Parsing an argument vector into a typed command, with Redis's arity and lookup errors.

use std::fmt;

/// A command ClusterLab executes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `PING [message]`.
    Ping(Option<Vec<u8>>),
    /// `ECHO message`.
    Echo(Vec<u8>),
    /// `CLUSTER <subcommand> ...`.
    Cluster(ClusterCommand),
    /// `ROLE`.
    Role,
    /// `INFO [section ...]`.
    Info(Vec<Vec<u8>>),
    /// `DEBUG SLEEP seconds` (the only DEBUG subcommand simulated).
    DebugSleep(Vec<u8>),
    /// `DEBUG SET-ACTIVE-EXPIRE <0|1>`, the argument as typed.
    DebugSetActiveExpire(Vec<u8>),
    /// Any other `DEBUG` subcommand, as typed.
    DebugOther(Vec<u8>),
    /// `SAVE`.
    Save,
    /// `CONFIG REWRITE`.
    ConfigRewrite,
    /// `SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE]`.
    Shutdown,
    /// `CLIENT KILL TYPE master` (`true`: new syntax, replies a count) or `CLIENT KILL ip:port`
    /// (`false`, with the address).
    ClientKill(Option<Vec<u8>>),
    /// `CONFIG GET pattern...`.
    ConfigGet(Vec<Vec<u8>>),
    /// `CONFIG SET name value [name value ...]`.
    ConfigSet(Vec<Vec<u8>>),
    /// A data command (strings, hashes, keys, expiry), the whole argument vector.
    Data(Vec<Vec<u8>>),
    /// `READONLY`: this connection may read from a replica.
    ReadOnly,
    /// `READWRITE`: back to redirecting reads on a replica.
    ReadWrite,
    /// `WAIT numreplicas timeout`, arguments as typed.
    Wait(Vec<u8>, Vec<u8>),
    /// `MULTI`: start queueing.
    Multi,
    /// `EXEC`: run the queue.
    Exec,
    /// `DISCARD`: drop the queue.
    Discard,
    /// `ASKING`: the next command may use a slot this node imports.
    Asking,
    /// `MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH ...] [KEYS ...]`.
    Migrate(Vec<Vec<u8>>),
}

/// Where a command's keys are (`firstkey`, `lastkey` (negative: from the end), `step`), and
/// whether it writes, as Redis's command table says; `None` for commands without keys.
pub fn key_spec(name: &[u8]) -> Option<(usize, isize, usize, bool)> {
    const SPECS: &[(&str, usize, isize, usize, bool)] = &[
        ("get", 1, 1, 1, false),
        ("set", 1, 1, 1, true),
        ("setex", 1, 1, 1, true),
        ("psetex", 1, 1, 1, true),
        ("getdel", 1, 1, 1, true),
        ("del", 1, -1, 1, true),
        ("unlink", 1, -1, 1, true),
        ("exists", 1, -1, 1, false),
        ("incr", 1, 1, 1, true),
        ("incrby", 1, 1, 1, true),
        ("decr", 1, 1, 1, true),
        ("decrby", 1, 1, 1, true),
        ("append", 1, 1, 1, true),
        ("strlen", 1, 1, 1, false),
        ("mget", 1, -1, 1, false),
        ("mset", 1, -1, 2, true),
        ("type", 1, 1, 1, false),
        ("expire", 1, 1, 1, true),
        ("pexpire", 1, 1, 1, true),
        ("expireat", 1, 1, 1, true),
        ("pexpireat", 1, 1, 1, true),
        ("ttl", 1, 1, 1, false),
        ("pttl", 1, 1, 1, false),
        ("persist", 1, 1, 1, true),
        ("hset", 1, 1, 1, true),
        ("hget", 1, 1, 1, false),
        ("hgetall", 1, 1, 1, false),
        ("hdel", 1, 1, 1, true),
    ];
    SPECS
        .iter()
        .find(|(n, ..)| n.as_bytes().eq_ignore_ascii_case(name))
        .map(|&(_, first, last, step, write)| (first, last, step, write))
}

/// Whether a keyless command changes data (refused on a replica, or while the cluster is
/// down and only reads are allowed).
pub fn is_keyless_write(name: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b"flushall") || name.eq_ignore_ascii_case(b"flushdb")
}

/// A `CLUSTER` subcommand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterCommand {
    /// `CLUSTER HELP`.
    Help,
    /// `CLUSTER INFO`.
    Info,
    /// `CLUSTER KEYSLOT key`.
    KeySlot(Vec<u8>),
    /// `CLUSTER MYID`.
    MyId,
    /// `CLUSTER NODES`.
    Nodes,
    /// `CLUSTER MEET ip port [cport]`, arguments as typed (Redis checks them in order).
    Meet {
        /// IP.
        ip: Vec<u8>,
        /// Client port.
        port: Vec<u8>,
        /// Bus port, if given.
        cport: Option<Vec<u8>>,
    },
    /// `CLUSTER ADDSLOTS slot...`.
    AddSlots(Vec<Vec<u8>>),
    /// `CLUSTER ADDSLOTSRANGE start end ...`.
    AddSlotsRange(Vec<Vec<u8>>),
    /// `CLUSTER DELSLOTS slot...`.
    DelSlots(Vec<Vec<u8>>),
    /// `CLUSTER DELSLOTSRANGE start end ...`.
    DelSlotsRange(Vec<Vec<u8>>),
    /// `CLUSTER SET-CONFIG-EPOCH epoch`.
    SetConfigEpoch(Vec<u8>),
    /// `CLUSTER BUMPEPOCH`.
    BumpEpoch,
    /// `CLUSTER COUNT-FAILURE-REPORTS node-id`.
    CountFailureReports(Vec<u8>),
    /// `CLUSTER REPLICATE node-id`.
    Replicate(Vec<u8>),
    /// `CLUSTER REPLICAS|SLAVES node-id`.
    Replicas(Vec<u8>),
    /// `CLUSTER FORGET node-id`.
    Forget(Vec<u8>),
    /// `CLUSTER RESET [HARD|SOFT]`: `true` for HARD.
    Reset(bool),
    /// `CLUSTER FLUSHSLOTS`.
    FlushSlots,
    /// `CLUSTER SAVECONFIG`.
    SaveConfig,
    /// `CLUSTER SLOTS`.
    Slots,
    /// `CLUSTER SHARDS`.
    Shards,
    /// `CLUSTER SETSLOT slot action [node-id]`, as typed (checked in Redis's order).
    SetSlot(Vec<Vec<u8>>),
    /// `CLUSTER COUNTKEYSINSLOT slot`.
    CountKeysInSlot(Vec<u8>),
    /// `CLUSTER FAILOVER [FORCE|TAKEOVER]`.
    Failover(cluster_proto::FailoverMode),
    /// `CLUSTER GETKEYSINSLOT slot count`.
    GetKeysInSlot(Vec<u8>, Vec<u8>),
}

/// Why a command was rejected before it ran. `Display` is the exact error line Redis sends
/// (without the `(error) ` redis-cli adds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandError {
    /// No such command.
    UnknownCommand {
        /// The name as typed.
        name: Vec<u8>,
        /// The arguments that followed it.
        args: Vec<Vec<u8>>,
    },
    /// A container command (`CLUSTER`) with a subcommand it does not have.
    UnknownSubcommand {
        /// The container, as Redis names it in the hint (upper case).
        container: &'static str,
        /// The subcommand as typed.
        sub: Vec<u8>,
    },
    /// Too few or too many arguments for the command's arity.
    WrongArity {
        /// Redis's full name: `echo`, `cluster|keyslot`.
        full_name: String,
    },
    /// `ERR syntax error`.
    Syntax,
    /// A subcommand with a shape Redis does not accept (`addReplySubcommandSyntaxError`).
    SubcommandSyntax {
        /// The subcommand as typed.
        sub: Vec<u8>,
    },
    /// A real Redis 7.0 command that this version of ClusterLab does not simulate yet.
    NotSimulated {
        /// Redis's full name.
        full_name: String,
    },
}

/// C's `%.Ns` of a byte string: at most `max` bytes, up to the first NUL.
fn c_str(bytes: &[u8], max: usize) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end.min(max)]).into_owned()
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::UnknownCommand { name, args } => {
                // Redis quotes arguments until 128 bytes of them are shown.
                let mut shown = String::new();
                for arg in args {
                    if shown.len() >= 128 {
                        break;
                    }
                    let room = 128 - shown.len();
                    shown.push_str(&format!("'{}' ", c_str(arg, room)));
                }
                write!(
                    f,
                    "ERR unknown command '{}', with args beginning with: {}",
                    c_str(name, 128),
                    shown
                )
            }
            CommandError::UnknownSubcommand { container, sub } => write!(
                f,
                "ERR unknown subcommand '{}'. Try {container} HELP.",
                c_str(sub, 128)
            ),
            CommandError::Syntax => f.write_str("ERR syntax error"),
            CommandError::SubcommandSyntax { sub } => write!(
                f,
                "ERR unknown subcommand or wrong number of arguments for '{}'. Try CLUSTER HELP.",
                c_str(sub, 128)
            ),
            CommandError::WrongArity { full_name } => {
                write!(f, "ERR wrong number of arguments for '{full_name}' command")
            }
            CommandError::NotSimulated { full_name } => write!(
                f,
                "ERR '{full_name}' is a real Redis command that ClusterLab does not simulate yet"
            ),
        }
    }
}

impl std::error::Error for CommandError {}

/// What a command-table entry turns into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ping,
    Echo,
    Cluster,
    ClusterHelp,
    ClusterInfo,
    ClusterKeySlot,
    ClusterMyId,
    ClusterNodes,
    ClusterMeet,
    ClusterAddSlots,
    ClusterAddSlotsRange,
    ClusterDelSlots,
    ClusterDelSlotsRange,
    ClusterSetConfigEpoch,
    ClusterBumpEpoch,
    ClusterCountFailureReports,
    ClusterReplicate,
    ClusterReplicas,
    ClusterForget,
    ClusterReset,
    ClusterFlushSlots,
    ClusterSaveConfig,
    ClusterSlots,
    ClusterShards,
    ClusterSetSlot,
    ClusterCountKeysInSlot,
    ClusterFailover,
    ClusterGetKeysInSlot,
    Role,
    Info,
    Debug,
    Shutdown,
    Client,
    Config,
    ConfigGet,
    ConfigSet,
    ConfigRewrite,
    Save,
    Data,
    ReadOnly,
    ReadWrite,
    Wait,
    Multi,
    Exec,
    Discard,
    Asking,
    Migrate,
    NotSimulated,
}

/// Name, arity (Redis's convention: `n` exactly n arguments counting the name, `-n` at least
/// n) and kind. Arities are Redis 7.0's; real commands not simulated yet are listed so they get
/// the right arity error and an honest message instead of "unknown command".
const COMMANDS: &[(&str, i32, Kind)] = &[
    ("ping", -1, Kind::Ping),
    ("echo", 2, Kind::Echo),
    ("cluster", -2, Kind::Cluster),
    ("append", 3, Kind::Data),
    ("asking", 1, Kind::Asking),
    ("auth", -2, Kind::NotSimulated),
    ("bgrewriteaof", 1, Kind::NotSimulated),
    ("bgsave", -1, Kind::NotSimulated),
    ("client", -2, Kind::Client),
    ("command", -1, Kind::NotSimulated),
    ("config", -2, Kind::Config),
    ("dbsize", 1, Kind::Data),
    ("debug", -2, Kind::Debug),
    ("decr", 2, Kind::Data),
    ("decrby", 3, Kind::Data),
    ("del", -2, Kind::Data),
    ("discard", 1, Kind::Discard),
    ("exec", 1, Kind::Exec),
    ("exists", -2, Kind::Data),
    ("expireat", -3, Kind::Data),
    ("expire", -3, Kind::Data),
    ("failover", -1, Kind::NotSimulated),
    ("flushall", -1, Kind::Data),
    ("flushdb", -1, Kind::Data),
    ("get", 2, Kind::Data),
    ("getdel", 2, Kind::Data),
    ("hello", -1, Kind::NotSimulated),
    ("hget", 3, Kind::Data),
    ("hgetall", 2, Kind::Data),
    ("hdel", -3, Kind::Data),
    ("hset", -4, Kind::Data),
    ("incr", 2, Kind::Data),
    ("incrby", 3, Kind::Data),
    ("info", -1, Kind::Info),
    ("keys", 2, Kind::Data),
    ("lastsave", 1, Kind::NotSimulated),
    ("persist", 2, Kind::Data),
    ("pexpire", -3, Kind::Data),
    ("pexpireat", -3, Kind::Data),
    ("psetex", 4, Kind::Data),
    ("pttl", 2, Kind::Data),
    ("lpush", -3, Kind::NotSimulated),
    ("lrange", 4, Kind::NotSimulated),
    ("mget", -2, Kind::Data),
    ("migrate", -6, Kind::Migrate),
    ("monitor", 1, Kind::NotSimulated),
    ("mset", -3, Kind::Data),
    ("multi", 1, Kind::Multi),
    ("publish", 3, Kind::NotSimulated),
    ("readonly", 1, Kind::ReadOnly),
    ("readwrite", 1, Kind::ReadWrite),
    ("replicaof", 3, Kind::NotSimulated),
    ("role", 1, Kind::Role),
    ("rpush", -3, Kind::NotSimulated),
    ("sadd", -3, Kind::NotSimulated),
    ("save", 1, Kind::Save),
    ("scan", -2, Kind::Data),
    ("select", 2, Kind::NotSimulated),
    ("set", -3, Kind::Data),
    ("setex", 4, Kind::Data),
    ("shutdown", -1, Kind::Shutdown),
    ("slaveof", 3, Kind::NotSimulated),
    ("smembers", 2, Kind::NotSimulated),
    ("strlen", 2, Kind::Data),
    ("subscribe", -2, Kind::NotSimulated),
    ("time", 1, Kind::NotSimulated),
    ("ttl", 2, Kind::Data),
    ("type", 2, Kind::Data),
    ("unlink", -2, Kind::Data),
    ("wait", 3, Kind::Wait),
    ("zadd", -4, Kind::NotSimulated),
    ("zrange", -4, Kind::NotSimulated),
];

/// `CLUSTER` subcommands of Redis 7.0 with their arities.
const CLUSTER_SUBCOMMANDS: &[(&str, i32, Kind)] = &[
    ("help", 2, Kind::ClusterHelp),
    ("info", 2, Kind::ClusterInfo),
    ("keyslot", 3, Kind::ClusterKeySlot),
    ("myid", 2, Kind::ClusterMyId),
    ("nodes", 2, Kind::ClusterNodes),
    ("addslots", -3, Kind::ClusterAddSlots),
    ("addslotsrange", -4, Kind::ClusterAddSlotsRange),
    ("bumpepoch", 2, Kind::ClusterBumpEpoch),
    ("count-failure-reports", 3, Kind::ClusterCountFailureReports),
    ("countkeysinslot", 3, Kind::ClusterCountKeysInSlot),
    ("delslots", -3, Kind::ClusterDelSlots),
    ("delslotsrange", -4, Kind::ClusterDelSlotsRange),
    ("failover", -2, Kind::ClusterFailover),
    ("flushslots", 2, Kind::ClusterFlushSlots),
    ("forget", 3, Kind::ClusterForget),
    ("getkeysinslot", 4, Kind::ClusterGetKeysInSlot),
    ("links", 2, Kind::NotSimulated),
    ("meet", -4, Kind::ClusterMeet),
    ("replicas", 3, Kind::ClusterReplicas),
    ("replicate", 3, Kind::ClusterReplicate),
    ("reset", -2, Kind::ClusterReset),
    ("saveconfig", 2, Kind::ClusterSaveConfig),
    ("set-config-epoch", 3, Kind::ClusterSetConfigEpoch),
    ("setslot", -4, Kind::ClusterSetSlot),
    ("shards", 2, Kind::ClusterShards),
    ("slaves", 3, Kind::ClusterReplicas),
    ("slots", 2, Kind::ClusterSlots),
];

/// `CONFIG` subcommands of Redis 7.0 with their arities.
const CONFIG_SUBCOMMANDS: &[(&str, i32, Kind)] = &[
    ("get", -3, Kind::ConfigGet),
    ("set", -4, Kind::ConfigSet),
    ("help", 2, Kind::NotSimulated),
    ("resetstat", 2, Kind::NotSimulated),
    ("rewrite", 2, Kind::ConfigRewrite),
];

/// Every top-level command name ClusterLab knows, for completion and help.
pub fn command_names() -> impl Iterator<Item = &'static str> {
    COMMANDS.iter().map(|&(n, _, _)| n)
}

/// Every `CLUSTER` subcommand name, for completion and help.
pub fn cluster_subcommand_names() -> impl Iterator<Item = &'static str> {
    CLUSTER_SUBCOMMANDS.iter().map(|&(n, _, _)| n)
}

fn lookup(table: &[(&'static str, i32, Kind)], name: &[u8]) -> Option<(&'static str, i32, Kind)> {
    table
        .iter()
        .find(|(n, _, _)| n.as_bytes().eq_ignore_ascii_case(name))
        .copied()
}

fn arity_ok(arity: i32, argc: usize) -> bool {
    let argc = i64::try_from(argc).unwrap_or(i64::MAX);
    let arity = i64::from(arity);
    if arity >= 0 {
        argc == arity
    } else {
        argc >= -arity
    }
}

/// Parses `argv` (command name first) the way Redis's `processCommand` looks it up: unknown
/// command, unknown subcommand, then arity, in that order.
pub fn parse_command(argv: &[Vec<u8>]) -> Result<Command, CommandError> {
    let Some((name, args)) = argv.split_first() else {
        return Err(CommandError::UnknownCommand {
            name: Vec::new(),
            args: Vec::new(),
        });
    };
    let Some((cmd_name, cmd_arity, kind)) = lookup(COMMANDS, name) else {
        return Err(CommandError::UnknownCommand {
            name: name.clone(),
            args: args.to_vec(),
        });
    };
    // A container with a subcommand is looked up (and its arity checked) as `cmd|sub`.
    let container = match kind {
        Kind::Cluster => Some(("CLUSTER", CLUSTER_SUBCOMMANDS)),
        Kind::Config => Some(("CONFIG", CONFIG_SUBCOMMANDS)),
        _ => None,
    };
    let (full_name, arity, kind) = if let Some((upper, table)) = container
        && argv.len() >= 2
    {
        match lookup(table, &argv[1]) {
            Some((sub, arity, kind)) => (format!("{cmd_name}|{sub}"), arity, kind),
            None => {
                return Err(CommandError::UnknownSubcommand {
                    container: upper,
                    sub: argv[1].clone(),
                });
            }
        }
    } else {
        (cmd_name.to_string(), cmd_arity, kind)
    };
    if !arity_ok(arity, argv.len()) {
        return Err(CommandError::WrongArity { full_name });
    }
    let arg = |i: usize| argv[i].clone();
    Ok(match kind {
        // PING's table arity is -1; `pingCommand` itself refuses more than one argument.
        Kind::Ping if argv.len() > 2 => return Err(CommandError::WrongArity { full_name }),
        Kind::Ping => Command::Ping(argv.get(1).cloned()),
        Kind::Echo => Command::Echo(arg(1)),
        Kind::ClusterHelp => Command::Cluster(ClusterCommand::Help),
        Kind::ClusterInfo => Command::Cluster(ClusterCommand::Info),
        Kind::ClusterKeySlot => Command::Cluster(ClusterCommand::KeySlot(arg(2))),
        Kind::ClusterMyId => Command::Cluster(ClusterCommand::MyId),
        Kind::ClusterNodes => Command::Cluster(ClusterCommand::Nodes),
        // MEET takes 4 or 5 words; more falls through to Redis's generic syntax error.
        Kind::ClusterMeet if argv.len() > 5 => {
            return Err(CommandError::SubcommandSyntax {
                sub: argv[1].clone(),
            });
        }
        Kind::ClusterMeet => Command::Cluster(ClusterCommand::Meet {
            ip: arg(2),
            port: arg(3),
            cport: argv.get(4).cloned(),
        }),
        Kind::ClusterAddSlots => Command::Cluster(ClusterCommand::AddSlots(argv[2..].to_vec())),
        Kind::ClusterDelSlots => Command::Cluster(ClusterCommand::DelSlots(argv[2..].to_vec())),
        // Range commands need start/end pairs: an odd count is an arity error.
        Kind::ClusterAddSlotsRange | Kind::ClusterDelSlotsRange if argv.len() % 2 == 1 => {
            return Err(CommandError::WrongArity { full_name });
        }
        Kind::ClusterAddSlotsRange => {
            Command::Cluster(ClusterCommand::AddSlotsRange(argv[2..].to_vec()))
        }
        Kind::ClusterDelSlotsRange => {
            Command::Cluster(ClusterCommand::DelSlotsRange(argv[2..].to_vec()))
        }
        Kind::ClusterSetConfigEpoch => Command::Cluster(ClusterCommand::SetConfigEpoch(arg(2))),
        Kind::ClusterBumpEpoch => Command::Cluster(ClusterCommand::BumpEpoch),
        Kind::ClusterCountFailureReports => {
            Command::Cluster(ClusterCommand::CountFailureReports(arg(2)))
        }
        Kind::ClusterReplicate => Command::Cluster(ClusterCommand::Replicate(arg(2))),
        Kind::ClusterReplicas => Command::Cluster(ClusterCommand::Replicas(arg(2))),
        Kind::ClusterForget => Command::Cluster(ClusterCommand::Forget(arg(2))),
        Kind::ClusterReset => match argv.get(2) {
            None => Command::Cluster(ClusterCommand::Reset(false)),
            Some(a) if argv.len() == 3 && a.eq_ignore_ascii_case(b"soft") => {
                Command::Cluster(ClusterCommand::Reset(false))
            }
            Some(a) if argv.len() == 3 && a.eq_ignore_ascii_case(b"hard") => {
                Command::Cluster(ClusterCommand::Reset(true))
            }
            _ => return Err(CommandError::Syntax),
        },
        Kind::ClusterFlushSlots => Command::Cluster(ClusterCommand::FlushSlots),
        Kind::ClusterSaveConfig => Command::Cluster(ClusterCommand::SaveConfig),
        Kind::ClusterSlots => Command::Cluster(ClusterCommand::Slots),
        Kind::ClusterShards => Command::Cluster(ClusterCommand::Shards),
        Kind::ClusterSetSlot => Command::Cluster(ClusterCommand::SetSlot(argv[2..].to_vec())),
        Kind::ClusterFailover => Command::Cluster(ClusterCommand::Failover(match argv.get(2) {
            None => cluster_proto::FailoverMode::Default,
            Some(a) if argv.len() == 3 && a.eq_ignore_ascii_case(b"force") => {
                cluster_proto::FailoverMode::Force
            }
            Some(a) if argv.len() == 3 && a.eq_ignore_ascii_case(b"takeover") => {
                cluster_proto::FailoverMode::Takeover
            }
            _ => return Err(CommandError::Syntax),
        })),
        Kind::ClusterCountKeysInSlot => Command::Cluster(ClusterCommand::CountKeysInSlot(arg(2))),
        Kind::ClusterGetKeysInSlot => {
            Command::Cluster(ClusterCommand::GetKeysInSlot(arg(2), arg(3)))
        }
        Kind::Role => Command::Role,
        Kind::Data => Command::Data(argv.to_vec()),
        Kind::ReadOnly => Command::ReadOnly,
        Kind::ReadWrite => Command::ReadWrite,
        Kind::Wait => Command::Wait(arg(1), arg(2)),
        Kind::Multi => Command::Multi,
        Kind::Exec => Command::Exec,
        Kind::Discard => Command::Discard,
        Kind::Asking => Command::Asking,
        Kind::Migrate => Command::Migrate(argv.to_vec()),
        Kind::Info => Command::Info(argv[1..].to_vec()),
        Kind::Debug if argv.len() == 3 && argv[1].eq_ignore_ascii_case(b"sleep") => {
            Command::DebugSleep(arg(2))
        }
        Kind::Debug if argv.len() == 3 && argv[1].eq_ignore_ascii_case(b"set-active-expire") => {
            Command::DebugSetActiveExpire(arg(2))
        }
        Kind::Debug => Command::DebugOther(arg(1)),
        Kind::Save => Command::Save,
        Kind::ConfigRewrite => Command::ConfigRewrite,
        // Only killing a replica's master link is simulated; other CLIENT forms are honest
        // about it.
        Kind::Client if argv.len() == 3 && argv[1].eq_ignore_ascii_case(b"kill") => {
            Command::ClientKill(Some(arg(2)))
        }
        Kind::Client
            if argv.len() == 4
                && argv[1].eq_ignore_ascii_case(b"kill")
                && argv[2].eq_ignore_ascii_case(b"type")
                && argv[3].eq_ignore_ascii_case(b"master") =>
        {
            Command::ClientKill(None)
        }
        Kind::Client => {
            return Err(CommandError::NotSimulated {
                full_name: format!(
                    "client|{}",
                    String::from_utf8_lossy(&argv[1]).to_ascii_lowercase()
                ),
            });
        }
        Kind::Shutdown => {
            // 7.0 takes NOSAVE or SAVE, NOW, FORCE and ABORT; the simulated process has no
            // data to save, so only the syntax matters.
            let ok = argv[1..].iter().all(|a| {
                [&b"nosave"[..], b"save", b"now", b"force", b"abort"]
                    .iter()
                    .any(|w| a.eq_ignore_ascii_case(w))
            });
            if !ok {
                return Err(CommandError::Syntax);
            }
            Command::Shutdown
        }
        Kind::ConfigGet => Command::ConfigGet(argv[2..].to_vec()),
        // Name/value pairs: an odd count is an arity error.
        Kind::ConfigSet if argv.len() % 2 == 1 => {
            return Err(CommandError::WrongArity { full_name });
        }
        Kind::ConfigSet => Command::ConfigSet(argv[2..].to_vec()),
        // `CLUSTER` alone fails the arity check above, so this is unreachable in practice;
        // answer like Redis would for a container without subcommand anyway.
        Kind::Cluster | Kind::Config => return Err(CommandError::WrongArity { full_name }),
        Kind::NotSimulated => return Err(CommandError::NotSimulated { full_name }),
    })
}
