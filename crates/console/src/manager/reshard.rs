//! `redis-cli --cluster reshard` (non-interactive: `--cluster-from`, `--cluster-to`,
//! `--cluster-slots`, `--cluster-yes`) and `--cluster del-node`, with redis-cli 7.0's output.

use cluster_sim::Simulator;

use super::move_slot::{MoveOpts, move_slot};
use super::{MNode, Options, Stdin, check_cluster, connect, load_from_node, parse_addr, run};
use crate::cli::Printed;

/// `clusterManagerComputeReshardTable`: from each source, a share of `count` slots in
/// proportion to its slots (the biggest source rounds up), taken in slot order.
pub(super) fn reshard_table(sources: &[&MNode], count: usize) -> Vec<(usize, usize)> {
    let total: usize = sources.iter().map(|s| s.slots_count()).sum();
    let mut order: Vec<usize> = (0..sources.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(sources[i].slots_count()));
    let mut moved = Vec::new();
    for (rank, &i) in order.iter().enumerate() {
        // redis-cli computes in single precision.
        let share = count as f32 / total.max(1) as f32 * sources[i].slots_count() as f32;
        let max = if rank == 0 {
            share.ceil()
        } else {
            share.floor()
        } as usize;
        let mut taken = 0;
        for (slot, &has) in sources[i].slots.iter().enumerate() {
            if !has {
                continue;
            }
            if taken >= max || moved.len() >= count {
                break;
            }
            moved.push((i, slot));
            taken += 1;
        }
    }
    moved
}

fn find_master<'a>(nodes: &'a [MNode], id: &str) -> Option<&'a MNode> {
    nodes.iter().find(|n| n.id.as_str() == id && !n.is_replica)
}

/// `redis-cli --cluster reshard host:port --cluster-from ids|all --cluster-to id
/// --cluster-slots n --cluster-yes`.
pub(super) fn reshard(sim: &mut Simulator, rest: &[String], opts: &mut Options) -> Printed {
    let mut out = Printed::default();
    let addr = match rest {
        [a] => parse_addr(a),
        [ip, port] => Some((ip.clone(), crate::cli::atoi(port))),
        _ => None,
    };
    let Some((ip, port)) = addr else {
        return Printed::err(super::INVALID_HOST_ARG);
    };
    let Some(nodes) = load_from_node(sim, &ip, port, &mut out) else {
        return out;
    };
    if !check_cluster(sim, &nodes, &mut out) {
        out.push_out("*** Please fix your cluster problems before resharding\n");
        return out;
    }
    // The questions redis-cli would ask, answered by options (there is no keyboard here).
    let (Some(count), Some(to), Some(from)) = (opts.slots, opts.to.clone(), opts.from.clone())
    else {
        out.push_err("ClusterLab's reshard needs --cluster-from, --cluster-to and --cluster-slots (it cannot ask).\n");
        return out;
    };
    if count == 0 || count > cluster_proto::CLUSTER_SLOTS {
        out.push_out("*** Invalid number of slots.\n");
        return out;
    }
    let Some(target) = find_master(&nodes, &to).cloned() else {
        out.push_out(&format!(
            "*** The specified node ({to}) is not known or not a master, please retry.\n"
        ));
        return out;
    };
    let sources: Vec<&MNode> = if from == "all" {
        nodes
            .iter()
            .filter(|n| !n.is_replica && n.id != target.id && n.slots_count() > 0)
            .collect()
    } else {
        let mut list = Vec::new();
        for id in from.split(',') {
            let Some(n) = find_master(&nodes, id) else {
                out.push_out(&format!(
                    "*** The specified node ({id}) is not known or is not a master.\n"
                ));
                return out;
            };
            // The target among the sources is refused and skipped, as redis-cli does.
            if n.id == target.id {
                out.push_out("*** It is not possible to use the target node as source node.\n");
            } else {
                list.push(n);
            }
        }
        list
    };
    if sources.is_empty() {
        out.push_out("*** No source nodes given, operation aborted.\n");
        return out;
    }
    let mut text = format!("\nReady to move {count} slots.\n  Source nodes:\n");
    for s in &sources {
        text.push_str(&indent(&s.info(), 4));
    }
    text.push_str("  Destination node:\n");
    text.push_str(&indent(&target.info(), 4));
    text.push_str("  Resharding plan:\n");
    let table = reshard_table(&sources, count);
    for &(i, slot) in &table {
        text.push_str(&format!("    Moving slot {slot} from {}\n", sources[i].id));
    }
    if !opts.yes {
        text.push_str("Do you want to proceed with the proposed reshard plan (yes/no)? ");
        match opts.stdin.as_mut().map(Stdin::confirm) {
            Some(true) => {}
            Some(false) => {
                out.push_out(&text);
                return out;
            }
            None => {
                out.push_out(&text);
                out.push_err(super::CANNOT_ASK);
                return out;
            }
        }
    }
    let masters: Vec<MNode> = nodes.iter().filter(|n| !n.is_replica).cloned().collect();
    let plan: Vec<(MNode, usize)> = table
        .iter()
        .map(|&(i, slot)| (sources[i].clone(), slot))
        .collect();
    for (source, slot) in plan {
        let mo = MoveOpts {
            verbose: true,
            ..MoveOpts::default()
        };
        if let Err(e) = move_slot(sim, (&source, &target), slot, &masters, mo, opts, &mut text) {
            text.push_str(&format!("clusterManagerMoveSlot failed: {e}\n"));
            out.push_out(&text);
            return out;
        }
    }
    out.push_out(&text);
    out
}

/// `clusterManagerNodeInfo(node, indent)`.
fn indent(info: &str, by: usize) -> String {
    info.lines()
        .map(|l| format!("{}{l}\n", " ".repeat(by)))
        .collect()
}

/// `redis-cli --cluster del-node host:port node-id`: every other node forgets it, then it is
/// reset (it keeps running, alone).
pub(super) fn del_node(sim: &mut Simulator, addr: &str, id: &str) -> Printed {
    let mut out = Printed::default();
    let Some((ip, port)) = parse_addr(addr) else {
        return Printed::err(super::INVALID_HOST_ARG);
    };
    out.push_out(&format!(
        ">>> Removing node {id} from cluster {ip}:{port}\n"
    ));
    if let Err(e) = connect(sim, &ip, port) {
        out.push_err(&e);
        return out;
    }
    let Some(nodes) = load_from_node(sim, &ip, port, &mut Printed::default()) else {
        return out;
    };
    let Some(victim) = nodes.iter().find(|n| n.id.as_str() == id).cloned() else {
        out.push_out(&format!("[ERR] No such node ID {id}\n"));
        return out;
    };
    if victim.slots_count() > 0 {
        out.push_out(&format!(
            "[ERR] Node {}:{} is not empty! Reshard data away and try again.\n",
            victim.ip, victim.port
        ));
        return out;
    }
    out.push_out(">>> Sending CLUSTER FORGET messages to the cluster...\n");
    // Replicas of a deleted master move to the master with the fewest replicas.
    let new_master = nodes
        .iter()
        .filter(|n| !n.is_replica && n.id != victim.id)
        .min_by_key(|n| n.replicas_count)
        .cloned();
    for n in nodes.iter().filter(|n| n.id != victim.id) {
        if n.replicate == Some(victim.id)
            && let Some(m) = &new_master
        {
            out.push_out(&format!(
                ">>> {}:{} as replica of {}:{}\n",
                n.ip, n.port, m.ip, m.port
            ));
            run(
                sim,
                n.port,
                &["CLUSTER".into(), "REPLICATE".into(), m.id.to_string()],
            );
        }
        run(
            sim,
            n.port,
            &["CLUSTER".into(), "FORGET".into(), id.to_string()],
        );
    }
    out.push_out(">>> Sending CLUSTER RESET SOFT to the deleted node.\n");
    run(
        sim,
        victim.port,
        &["CLUSTER".into(), "RESET".into(), "SOFT".into()],
    );
    out
}
