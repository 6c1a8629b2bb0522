//! INFO: the server, replication, cluster and keyspace sections, with the fields a cluster
//! learner looks at (a subset of Redis 7.0's server section; the others in full).

use cluster_sim::{Host, ReplLinkState, Simulator};

/// The replication backlog size Redis reports by default (`repl-backlog-size`).
const REPL_BACKLOG_SIZE: u64 = 1_048_576;

fn server(sim: &Simulator, host: &Host) -> Vec<String> {
    let uptime = (sim.now() - host.started) / 1000;
    vec![
        format!("redis_version:{}", cluster_sim::REDIS_VERSION),
        format!(
            "redis_mode:{}",
            if host.config.cluster_enabled {
                "cluster"
            } else {
                "standalone"
            }
        ),
        format!("process_id:{}", host.pid),
        format!("tcp_port:{}", host.config.port),
        format!("server_time_usec:{}", sim.now().as_unix_millis() * 1000),
        format!("uptime_in_seconds:{uptime}"),
        format!("uptime_in_days:{}", uptime / 86_400),
        "hz:10".into(),
        "configured_hz:10".into(),
    ]
}

fn replication(sim: &Simulator, port: u16, host: &Host) -> Vec<String> {
    let mut lines = Vec::new();
    let replicas = sim.connected_replicas(port);
    match host.replica_of {
        Some(r) => {
            let up = r.state == ReplLinkState::Up;
            let link = host
                .cluster
                .as_ref()
                .map(|c| c.replica_link())
                .unwrap_or_default();
            let now_secs = sim.now().as_unix_secs();
            lines.push("role:slave".into());
            lines.push("master_host:127.0.0.1".into());
            lines.push(format!("master_port:{}", r.master_port));
            lines.push(format!(
                "master_link_status:{}",
                if up { "up" } else { "down" }
            ));
            lines.push(format!(
                "master_last_io_seconds_ago:{}",
                if up {
                    now_secs.saturating_sub(link.last_interaction_secs) as i64
                } else {
                    -1
                }
            ));
            lines.push(format!(
                "master_sync_in_progress:{}",
                u8::from(r.state == ReplLinkState::Syncing)
            ));
            lines.push(format!("slave_read_repl_offset:{}", host.repl_offset));
            lines.push(format!("slave_repl_offset:{}", host.repl_offset));
            if !up {
                let since = if link.down_since_secs == 0 {
                    -1
                } else {
                    now_secs.saturating_sub(link.down_since_secs) as i64
                };
                lines.push(format!("master_link_down_since_seconds:{since}"));
            }
            lines.push("slave_priority:100".into());
            lines.push("slave_read_only:1".into());
            lines.push("replica_announced:1".into());
            lines.push("connected_slaves:0".into());
        }
        None => {
            lines.push("role:master".into());
            lines.push(format!("connected_slaves:{}", replicas.len()));
            for (i, (p, offset)) in replicas.iter().enumerate() {
                lines.push(format!(
                    "slave{i}:ip=127.0.0.1,port={p},state=online,offset={offset},lag=0"
                ));
            }
        }
    }
    lines.push("master_failover_state:no-failover".into());
    lines.push(format!("master_replid:{}", host.replid));
    lines.push(format!("master_replid2:{}", host.replid2));
    lines.push(format!("master_repl_offset:{}", host.repl_offset));
    lines.push(format!("second_repl_offset:{}", host.second_repl_offset));
    match host.backlog_first_byte {
        Some(first) => {
            lines.push("repl_backlog_active:1".into());
            lines.push(format!("repl_backlog_size:{REPL_BACKLOG_SIZE}"));
            lines.push(format!("repl_backlog_first_byte_offset:{first}"));
            lines.push(format!(
                "repl_backlog_histlen:{}",
                (host.repl_offset + 1).saturating_sub(first)
            ));
        }
        None => {
            lines.push("repl_backlog_active:0".into());
            lines.push(format!("repl_backlog_size:{REPL_BACKLOG_SIZE}"));
            lines.push("repl_backlog_first_byte_offset:0".into());
            lines.push("repl_backlog_histlen:0".into());
        }
    }
    lines
}

/// The INFO reply text for the node on `port`, `\r\n` line ends as Redis sends them.
pub fn info(sim: &Simulator, port: u16, sections: &[Vec<u8>]) -> String {
    let Some(host) = sim.running(port) else {
        return String::new();
    };
    let wanted: Vec<String> = sections
        .iter()
        .map(|s| String::from_utf8_lossy(s).to_ascii_lowercase())
        .collect();
    let all = wanted.is_empty()
        || wanted
            .iter()
            .any(|w| matches!(w.as_str(), "all" | "default" | "everything"));
    let want = |name: &str| all || wanted.iter().any(|w| w == name);
    let mut parts: Vec<(&str, Vec<String>)> = Vec::new();
    if want("server") {
        parts.push(("Server", server(sim, host)));
    }
    if want("replication") {
        parts.push(("Replication", replication(sim, port, host)));
    }
    if want("cluster") {
        parts.push((
            "Cluster",
            vec![format!(
                "cluster_enabled:{}",
                u8::from(host.config.cluster_enabled)
            )],
        ));
    }
    if want("keyspace") {
        parts.push(("Keyspace", Vec::new()));
    }
    parts
        .iter()
        .map(|(title, lines)| {
            let mut s = format!("# {title}\r\n");
            for l in lines {
                s.push_str(l);
                s.push_str("\r\n");
            }
            s
        })
        .collect::<Vec<_>>()
        .join("\r\n")
}
