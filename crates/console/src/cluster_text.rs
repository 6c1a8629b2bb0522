//! CLUSTER NODES and CLUSTER INFO texts, byte for byte as Redis 7.0 writes them.

use cluster_proto::{ClusterHealth, ClusterNode, ClusterState, MESSAGE_TYPE_NAMES, NodeFlags};

/// One CLUSTER NODES line (without the newline), as `observer` sees `node`
/// (`clusterGenNodeDescription`).
pub fn node_line(observer: &ClusterState, node: &ClusterNode) -> String {
    let is_myself = node.flags.contains(NodeFlags::MYSELF);
    let master = node
        .replica_of
        .map_or_else(|| "-".to_string(), |m| m.to_string());
    // Redis prints a replica's epoch as its master's configEpoch (7.0).
    let epoch = node
        .replica_of
        .and_then(|m| observer.node(&m))
        .map_or(node.config_epoch, |m| m.config_epoch);
    let ping_sent = if is_myself {
        0
    } else {
        node.ping_sent.map_or(0, |t| t.as_unix_millis())
    };
    let pong = node.pong_received.map_or(0, |t| t.as_unix_millis());
    let link = if is_myself || node.link.is_some() {
        "connected"
    } else {
        "disconnected"
    };
    let mut line = format!(
        "{} {} {} {} {} {} {} {}",
        node.id,
        node.addr.nodes_field(),
        node.flags.names(),
        master,
        ping_sent,
        pong,
        epoch,
        link
    );
    let slots = node.slots.ranges_text();
    if !slots.is_empty() {
        line.push(' ');
        line.push_str(&slots);
    }
    if is_myself {
        line.push_str(&observer.open_slots_text());
    }
    line
}

/// The whole CLUSTER NODES reply: one line per known node, each ending in `\n`.
pub fn cluster_nodes(state: &ClusterState) -> String {
    state
        .nodes()
        .iter()
        .map(|n| node_line(state, n) + "\n")
        .collect()
}

/// The CLUSTER INFO reply: `field:value` lines ending in `\r\n`.
pub fn cluster_info(state: &ClusterState) -> String {
    let (mut assigned, mut ok, mut pfail, mut fail) = (0, 0, 0, 0);
    for n in state.nodes() {
        let count = n.slots.len();
        assigned += count;
        if n.flags.contains(NodeFlags::FAIL) {
            fail += count;
        } else if n.flags.contains(NodeFlags::PFAIL) {
            pfail += count;
        } else {
            ok += count;
        }
    }
    let mut lines = vec![
        format!(
            "cluster_state:{}",
            match state.health() {
                ClusterHealth::Ok => "ok",
                ClusterHealth::Fail => "fail",
            }
        ),
        format!("cluster_slots_assigned:{assigned}"),
        format!("cluster_slots_ok:{ok}"),
        format!("cluster_slots_pfail:{pfail}"),
        format!("cluster_slots_fail:{fail}"),
        format!("cluster_known_nodes:{}", state.nodes().len()),
        format!("cluster_size:{}", state.cluster_size()),
        format!("cluster_current_epoch:{}", state.current_epoch()),
        format!("cluster_my_epoch:{}", state.my_epoch()),
    ];
    let stats = state.stats();
    for (direction, counts) in [("sent", &stats.sent), ("received", &stats.received)] {
        for (name, &count) in MESSAGE_TYPE_NAMES.iter().zip(counts.iter()) {
            if count > 0 {
                lines.push(format!("cluster_stats_messages_{name}_{direction}:{count}"));
            }
        }
        lines.push(format!(
            "cluster_stats_messages_{direction}:{}",
            counts.iter().sum::<u64>()
        ));
    }
    lines.push("total_cluster_links_buffer_limit_exceeded:0".to_string());
    lines.into_iter().map(|l| l + "\r\n").collect()
}
