//! Array replies about the cluster: CLUSTER SLOTS, CLUSTER SHARDS, CLUSTER REPLICAS, ROLE.

use cluster_proto::{ClusterNode, ClusterState, NodeFlags};
use cluster_sim::{Host, ReplLinkState};

use crate::cluster_text::node_line;
use crate::reply::Reply;

fn ip_of(node: &ClusterNode) -> String {
    node.addr.ip.map(|ip| ip.to_string()).unwrap_or_default()
}

/// A replica's advertised offset as this node sees it (its own processed offset for myself).
fn offset_of(node: &ClusterNode) -> u64 {
    node.repl_offset
}

/// `isReplicaAvailable`: not failed, and it has data (a loading replica reports offset 0).
fn replica_available(node: &ClusterNode) -> bool {
    !node.flags.contains(NodeFlags::FAIL) && offset_of(node) != 0
}

fn slots_node_entry(node: &ClusterNode) -> Reply {
    Reply::Array(vec![
        Reply::bulk(ip_of(node)),
        Reply::Integer(i64::from(node.addr.port)),
        Reply::bulk(node.id.to_string()),
        // The 7.0 metadata map, empty unless hostnames are announced.
        Reply::Array(Vec::new()),
    ])
}

/// CLUSTER SLOTS (7.0): one entry per maximal run of slots with the same owner, ascending.
pub fn cluster_slots(state: &ClusterState) -> Reply {
    let mut owners: Vec<Option<usize>> = vec![None; cluster_proto::CLUSTER_SLOTS];
    for (i, n) in state.nodes().iter().enumerate() {
        for s in n.slots.iter() {
            owners[usize::from(s)] = Some(i);
        }
    }
    let mut entries = Vec::new();
    let mut start = 0usize;
    for slot in 1..=owners.len() {
        if slot < owners.len() && owners[slot] == owners[start] {
            continue;
        }
        if let Some(o) = owners[start] {
            let master = &state.nodes()[o];
            let mut entry = vec![
                Reply::Integer(start as i64),
                Reply::Integer(slot as i64 - 1),
                slots_node_entry(master),
            ];
            for r in master.replicas.iter().filter_map(|r| state.node(r)) {
                if replica_available(r) {
                    entry.push(slots_node_entry(r));
                }
            }
            entries.push(Reply::Array(entry));
        }
        start = slot;
    }
    Reply::Array(entries)
}

fn shard_node(node: &ClusterNode) -> Reply {
    let health = if node.flags.contains(NodeFlags::FAIL) {
        "fail"
    } else if node.is_replica() && offset_of(node) == 0 {
        "loading"
    } else {
        "online"
    };
    let ip = ip_of(node);
    Reply::Array(vec![
        Reply::bulk("id"),
        Reply::bulk(node.id.to_string()),
        Reply::bulk("port"),
        Reply::Integer(i64::from(node.addr.port)),
        Reply::bulk("ip"),
        Reply::bulk(ip.clone()),
        Reply::bulk("endpoint"),
        Reply::bulk(ip),
        Reply::bulk("role"),
        Reply::bulk(if node.is_master() {
            "master"
        } else {
            "replica"
        }),
        Reply::bulk("replication-offset"),
        Reply::Integer(offset_of(node) as i64),
        Reply::bulk("health"),
        Reply::bulk(health),
    ])
}

/// CLUSTER SHARDS (7.0): one shard per master, slot-less masters included.
pub fn cluster_shards(state: &ClusterState) -> Reply {
    let shards = state
        .nodes()
        .iter()
        .filter(|n| n.is_master())
        .map(|m| {
            let slots = m
                .slots
                .ranges()
                .into_iter()
                .flat_map(|(a, b)| [Reply::Integer(i64::from(a)), Reply::Integer(i64::from(b))])
                .collect();
            let nodes = std::iter::once(shard_node(m))
                .chain(
                    m.replicas
                        .iter()
                        .filter_map(|r| state.node(r))
                        .map(shard_node),
                )
                .collect();
            Reply::Array(vec![
                Reply::bulk("slots"),
                Reply::Array(slots),
                Reply::bulk("nodes"),
                Reply::Array(nodes),
            ])
        })
        .collect();
    Reply::Array(shards)
}

/// CLUSTER REPLICAS: the master's replicas as CLUSTER NODES lines.
pub fn cluster_replicas(state: &ClusterState, master: &ClusterNode) -> Reply {
    Reply::Array(
        master
            .replicas
            .iter()
            .filter_map(|r| state.node(r))
            .map(|r| Reply::bulk(node_line(state, r)))
            .collect(),
    )
}

/// ROLE, from the host's replication state.
pub fn role(host: &Host, replicas: &[(u16, u64)]) -> Reply {
    match host.replica_of {
        Some(r) => {
            let state = match r.state {
                ReplLinkState::Connecting => "connect",
                ReplLinkState::Syncing => "sync",
                ReplLinkState::Up => "connected",
            };
            let offset = if r.state == ReplLinkState::Up {
                host.repl_offset as i64
            } else {
                -1
            };
            Reply::Array(vec![
                Reply::bulk("slave"),
                Reply::bulk("127.0.0.1"),
                Reply::Integer(i64::from(r.master_port)),
                Reply::bulk(state),
                Reply::Integer(offset),
            ])
        }
        None => Reply::Array(vec![
            Reply::bulk("master"),
            Reply::Integer(host.repl_offset as i64),
            Reply::Array(
                replicas
                    .iter()
                    .map(|(port, offset)| {
                        Reply::Array(vec![
                            Reply::bulk("127.0.0.1"),
                            Reply::bulk(port.to_string()),
                            Reply::bulk(offset.to_string()),
                        ])
                    })
                    .collect(),
            ),
        ]),
    }
}
