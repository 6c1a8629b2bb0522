//! `redis-server` command-line options, checked the way Redis checks its configuration.

use std::fmt;

use cluster_proto::{ClusterConfig, LogLevel, Millis};

/// The Redis version whose behaviour is simulated; it appears in Redis's own error banners.
pub const REDIS_VERSION: &str = "7.0.15";

/// How a server was started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// `port`.
    pub port: u16,
    /// `cluster-enabled`.
    pub cluster_enabled: bool,
    /// `daemonize`.
    pub daemonize: bool,
    /// `appendonly`.
    pub appendonly: bool,
    /// The `cluster-*` settings.
    pub cluster: ClusterConfig,
    /// `loglevel`: lines below it are not written to the log.
    pub loglevel: LogLevel,
    /// `enable-debug-command`: DEBUG is refused unless `yes` or `local` (7.0 default `no`).
    pub enable_debug_command: bool,
    /// The arguments exactly as given, for `sim restart`.
    pub args: Vec<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            port: 6379,
            cluster_enabled: false,
            daemonize: false,
            appendonly: false,
            cluster: ClusterConfig::default(),
            loglevel: LogLevel::Notice,
            enable_debug_command: false,
            args: Vec::new(),
        }
    }
}

/// A configuration error, displayed exactly as Redis's `*** FATAL CONFIG FILE ERROR` banner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// 1-based line of the synthesized config text (Redis turns `--a b --c d` into lines).
    pub line: usize,
    /// The offending directive as Redis quotes it, e.g. `foo "bar"`.
    pub directive: String,
    /// Redis's reason.
    pub reason: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f)?;
        writeln!(f, "*** FATAL CONFIG FILE ERROR (Redis {REDIS_VERSION}) ***")?;
        writeln!(f, "Reading the configuration file, at line {}", self.line)?;
        writeln!(f, ">>> '{}'", self.directive)?;
        write!(f, "{}", self.reason)
    }
}

impl std::error::Error for ConfigError {}

/// Directives that Redis accepts and that change nothing the simulation models. Taking them
/// keeps real command lines (copied from tutorials) working.
const ACCEPTED_WITHOUT_EFFECT: &[&str] = &[
    "bind",
    "dir",
    "dbfilename",
    "logfile",
    "protected-mode",
    "save",
    "appendfilename",
    "pidfile",
    "cluster-config-file",
    "repl-diskless-sync",
    "repl-diskless-sync-delay",
    "cluster-announce-ip",
];

const NOT_YES_NO: &str = "argument must be 'yes' or 'no'";
const NOT_INTEGER: &str = "argument couldn't be parsed into an integer";

impl ServerConfig {
    /// Parses `redis-server` arguments (`--port 7000 --cluster-enabled yes ...`).
    ///
    /// Like Redis, each `--name` starts a directive and the words up to the next `--name` are
    /// its arguments; the error names the line of the config text that makes.
    pub fn from_args(args: &[String]) -> Result<ServerConfig, ConfigError> {
        let mut cfg = ServerConfig {
            args: args.to_vec(),
            ..ServerConfig::default()
        };
        // Group into directives. Redis numbers them from line 2 (line 1 is the empty config
        // file it was not given).
        let mut directives: Vec<(String, Vec<String>)> = Vec::new();
        for arg in args {
            if let Some(name) = arg.strip_prefix("--") {
                directives.push((name.to_ascii_lowercase(), Vec::new()));
            } else if let Some((_, values)) = directives.last_mut() {
                values.push(arg.clone());
            } else {
                // Redis would read this as a config file path; there are no files here.
                return Err(ConfigError {
                    line: 0,
                    directive: arg.clone(),
                    reason: format!(
                        "Fatal error, can't open config file '{arg}': No such file or directory"
                    ),
                });
            }
        }
        for (i, (name, values)) in directives.iter().enumerate() {
            let err = |reason: &str| ConfigError {
                line: i + 2,
                directive: std::iter::once(name.clone())
                    .chain(values.iter().map(|v| format!("\"{v}\"")))
                    .collect::<Vec<_>>()
                    .join(" "),
                reason: reason.to_string(),
            };
            let one = || match values.as_slice() {
                [v] => Ok(v.as_str()),
                _ => Err(err("wrong number of arguments")),
            };
            let yes_no = || match one()?.to_ascii_lowercase().as_str() {
                "yes" => Ok(true),
                "no" => Ok(false),
                _ => Err(err(NOT_YES_NO)),
            };
            let int = || one()?.parse::<i64>().map_err(|_| err(NOT_INTEGER));
            let millis = || {
                let v = int()?;
                Millis::try_from(v).map_err(|_| {
                    err("argument must be between 0 and 9223372036854775807 inclusive")
                })
            };
            match name.as_str() {
                "port" => {
                    let v = int()?;
                    cfg.port = u16::try_from(v)
                        .map_err(|_| err("argument must be between 0 and 65535 inclusive"))?;
                }
                "cluster-enabled" => cfg.cluster_enabled = yes_no()?,
                "loglevel" => cfg.loglevel = LogLevel::from_config(one()?).ok_or_else(|| {
                    err("argument(s) must be one of the following: debug, verbose, notice, warning")
                })?,
                "cluster-allow-replica-migration" => {
                    cfg.cluster.allow_replica_migration = yes_no()?
                }
                "enable-debug-command" => {
                    cfg.enable_debug_command = match one()?.to_ascii_lowercase().as_str() {
                        "yes" | "local" => true,
                        "no" => false,
                        _ => {
                            return Err(err(
                                "argument(s) must be one of the following: no, yes, local",
                            ));
                        }
                    }
                }
                "daemonize" => cfg.daemonize = yes_no()?,
                "appendonly" => cfg.appendonly = yes_no()?,
                "cluster-node-timeout" => cfg.cluster.node_timeout = millis()?,
                "cluster-replica-validity-factor" | "cluster-slave-validity-factor" => {
                    cfg.cluster.replica_validity_factor = millis()?
                }
                "cluster-migration-barrier" => cfg.cluster.migration_barrier = millis()?,
                "cluster-require-full-coverage" => cfg.cluster.require_full_coverage = yes_no()?,
                "cluster-replica-no-failover" | "cluster-slave-no-failover" => {
                    cfg.cluster.replica_no_failover = yes_no()?
                }
                "cluster-allow-reads-when-down" => cfg.cluster.allow_reads_when_down = yes_no()?,
                n if ACCEPTED_WITHOUT_EFFECT.contains(&n) => {
                    if values.is_empty() {
                        return Err(err("wrong number of arguments"));
                    }
                }
                _ => return Err(err("Bad directive or wrong number of arguments")),
            }
        }
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn parses_cluster_options() {
        let cfg = ServerConfig::from_args(&args(
            "--port 7000 --cluster-enabled yes --cluster-node-timeout 2000 --daemonize yes",
        ))
        .expect("valid");
        assert_eq!(cfg.port, 7000);
        assert!(cfg.cluster_enabled && cfg.daemonize);
        assert_eq!(cfg.cluster.node_timeout, 2000);
    }

    #[test]
    fn errors_read_like_redis() {
        // Texts observed on redis-server 7.0.15.
        let e = ServerConfig::from_args(&args("--port 7001 --foo bar")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 3\n>>> 'foo \"bar\"'\nBad directive or wrong number of arguments"
        );
        let e = ServerConfig::from_args(&args("--port 7001 --cluster-enabled maybe")).unwrap_err();
        assert_eq!(e.line, 3);
        assert_eq!(e.directive, "cluster-enabled \"maybe\"");
        assert_eq!(e.reason, "argument must be 'yes' or 'no'");
        let e = ServerConfig::from_args(&args("--port abc")).unwrap_err();
        assert_eq!(e.line, 2);
        assert_eq!(e.reason, "argument couldn't be parsed into an integer");
    }
}
