//! CONFIG GET and CONFIG SET for the settings ClusterLab models.

use cluster_proto::ClusterConfig;

use crate::reply::Reply;

/// The settings CONFIG GET knows, canonical names first, then the old aliases.
const NAMES: &[&str] = &[
    "appendonly",
    "cluster-enabled",
    "cluster-node-timeout",
    "cluster-replica-validity-factor",
    "cluster-require-full-coverage",
    "cluster-replica-no-failover",
    "cluster-allow-reads-when-down",
    "cluster-migration-barrier",
    "cluster-allow-replica-migration",
    "cluster-slave-validity-factor",
    "cluster-slave-no-failover",
];

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

/// What CONFIG reads and writes besides the cluster settings: the server's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerSettings {
    /// `cluster-enabled` (read-only).
    pub cluster_enabled: bool,
    /// `appendonly`.
    pub appendonly: bool,
}

fn value(cfg: &ClusterConfig, server: ServerSettings, name: &str) -> Option<String> {
    Some(match name {
        "appendonly" => yes_no(server.appendonly),
        "cluster-enabled" => yes_no(server.cluster_enabled),
        "cluster-node-timeout" => cfg.node_timeout.to_string(),
        "cluster-replica-validity-factor" | "cluster-slave-validity-factor" => {
            cfg.replica_validity_factor.to_string()
        }
        "cluster-require-full-coverage" => yes_no(cfg.require_full_coverage),
        "cluster-replica-no-failover" | "cluster-slave-no-failover" => {
            yes_no(cfg.replica_no_failover)
        }
        "cluster-allow-reads-when-down" => yes_no(cfg.allow_reads_when_down),
        "cluster-migration-barrier" => cfg.migration_barrier.to_string(),
        "cluster-allow-replica-migration" => yes_no(cfg.allow_replica_migration),
        _ => return None,
    })
}

/// `stringmatchlen(..., nocase=1)`: the names are lower case, so the pattern is lowered too.
fn glob(pattern: &[u8], name: &[u8]) -> bool {
    cluster_sim::glob_match(&pattern.to_ascii_lowercase(), name)
}

/// CONFIG GET: name/value pairs for every setting some pattern matches.
pub fn config_get(cfg: &ClusterConfig, server: ServerSettings, patterns: &[Vec<u8>]) -> Reply {
    let mut out = Vec::new();
    for name in NAMES {
        let exact_alias = name.contains("slave");
        let matched = patterns.iter().any(|p| {
            if exact_alias {
                p.eq_ignore_ascii_case(name.as_bytes())
            } else {
                glob(p, name.as_bytes())
            }
        });
        if let (true, Some(v)) = (matched, value(cfg, server, name)) {
            out.push(Reply::bulk(*name));
            out.push(Reply::bulk(v));
        }
    }
    Reply::Array(out)
}

/// CONFIG SET of name/value pairs; all are checked before any is applied, as in 7.0.
pub fn config_set(
    cfg: &mut ClusterConfig,
    server: &mut ServerSettings,
    pairs: &[Vec<u8>],
) -> Reply {
    let mut next = cfg.clone();
    let mut next_server = *server;
    for pair in pairs.chunks(2) {
        let name = String::from_utf8_lossy(&pair[0]).to_ascii_lowercase();
        let v = String::from_utf8_lossy(&pair[1]).into_owned();
        let fail = |why: &str| {
            Reply::error(format!(
                "ERR CONFIG SET failed (possibly related to argument '{name}') - {why}"
            ))
        };
        let int = || -> Result<u64, Reply> {
            let n: i64 = v
                .parse()
                .map_err(|_| fail("argument couldn't be parsed into an integer"))?;
            u64::try_from(n)
                .map_err(|_| fail("argument must be between 0 and 9223372036854775807 inclusive"))
        };
        let flag = || -> Result<bool, Reply> {
            match v.to_ascii_lowercase().as_str() {
                "yes" => Ok(true),
                "no" => Ok(false),
                _ => Err(fail("argument must be 'yes' or 'no'")),
            }
        };
        let result = match name.as_str() {
            "appendonly" => flag().map(|b| next_server.appendonly = b),
            "cluster-node-timeout" => int().map(|n| next.node_timeout = n),
            "cluster-replica-validity-factor" | "cluster-slave-validity-factor" => {
                int().map(|n| next.replica_validity_factor = n)
            }
            "cluster-migration-barrier" => int().map(|n| next.migration_barrier = n),
            "cluster-require-full-coverage" => flag().map(|b| next.require_full_coverage = b),
            "cluster-replica-no-failover" | "cluster-slave-no-failover" => {
                flag().map(|b| next.replica_no_failover = b)
            }
            "cluster-allow-reads-when-down" => flag().map(|b| next.allow_reads_when_down = b),
            "cluster-allow-replica-migration" => flag().map(|b| next.allow_replica_migration = b),
            "cluster-enabled" | "port" => Err(fail("can't set immutable config")),
            _ => Err(Reply::error(format!(
                "ERR Unknown option or number of arguments for CONFIG SET - '{name}'"
            ))),
        };
        if let Err(r) = result {
            return r;
        }
    }
    *cfg = next;
    *server = next_server;
    Reply::ok()
}
