//! `redis-cli --cluster rebalance`: spread slots over the masters by weight, with
//! redis-cli 7.0's arithmetic (single precision) and output.

use cluster_proto::CLUSTER_SLOTS;
use cluster_sim::Simulator;

use super::move_slot::{MoveOpts, move_slot};
use super::reshard::reshard_table;
use super::{MNode, Options, atoi, check_cluster_with, load_from_node, parse_addr};
use crate::cli::{Printed, atof};

/// `clusterManagerCommandRebalance`.
pub(super) fn rebalance(sim: &mut Simulator, rest: &[String], opts: &Options) -> Printed {
    let mut out = Printed::default();
    let addr = match rest {
        [a] => parse_addr(a),
        [ip, port] => Some((ip.clone(), atoi(port))),
        _ => None,
    };
    let Some((ip, port)) = addr else {
        return Printed::err(super::INVALID_HOST_ARG);
    };
    let Some(mut nodes) = load_from_node(sim, &ip, port, &mut out) else {
        return out;
    };
    let mut weight = vec![1.0_f32; nodes.len()];
    for w in &opts.weights {
        let Some((name, value)) = w.split_once('=') else {
            out.push_out(&format!("*** invalid input {w}\n"));
            return out;
        };
        // clusterManagerNodeByAbbreviatedName: the first node whose id starts with it.
        let lower = name.to_ascii_lowercase();
        let Some(i) = nodes.iter().position(|n| n.id.as_str().starts_with(&lower)) else {
            out.push_out(&format!("*** No such master node {name}\n"));
            return out;
        };
        weight[i] = atof(value) as f32;
    }
    // The masters taking part, and the cluster's total weight.
    let mut involved: Vec<usize> = Vec::new();
    let mut total_weight = 0.0_f32;
    for (i, n) in nodes.iter().enumerate() {
        if n.is_replica || n.replicate.is_some() {
            continue;
        }
        if !opts.use_empty && n.slots_count() == 0 {
            weight[i] = 0.0;
            continue;
        }
        total_weight += weight[i];
        involved.push(i);
    }
    let mut check_opts = Options::default();
    let sane = check_cluster_with(sim, &mut nodes, &mut check_opts, true, &mut out);
    if !matches!(sane, Ok(true)) {
        out.push_out("*** Please fix your cluster problems before rebalancing\n");
        return out;
    }
    // balance: how many slots a node should give (positive) or take (negative).
    let mut balance = vec![0_i64; nodes.len()];
    let mut total_balance = 0_i64;
    let mut threshold_reached = false;
    for &i in &involved {
        let slots = nodes[i].slots_count() as i64;
        let expected = ((CLUSTER_SLOTS as f32 / total_weight) * weight[i]) as i64;
        balance[i] = slots - expected;
        total_balance += balance[i];
        if opts.threshold > 0.0 {
            if slots > 0 {
                let err_perc = (100.0 - (100.0 * expected as f64 / slots as f64)).abs();
                threshold_reached |= err_perc > f64::from(opts.threshold);
            } else if expected > 1 {
                threshold_reached = true;
            }
        }
    }
    if !threshold_reached {
        out.push_out(&format!(
            "*** No rebalancing needed! All nodes are within the {:.2}% threshold.\n",
            opts.threshold
        ));
        return out;
    }
    // Rounding can leave more to give than to take: the takers take the rest, one each.
    // (The guard only keeps float surprises from looping forever.)
    while total_balance > 0 && involved.iter().any(|&i| balance[i] <= 0) {
        for &i in &involved {
            if balance[i] <= 0 && total_balance > 0 {
                balance[i] -= 1;
                total_balance -= 1;
            }
        }
    }
    // Takers first, givers last (a stable sort, as glibc's qsort is for these sizes).
    let mut order = involved.clone();
    order.sort_by_key(|&i| balance[i]);
    let mut text = format!(
        ">>> Rebalancing across {} nodes. Total weight = {:.2}\n",
        involved.len(),
        total_weight
    );
    let masters: Vec<MNode> = nodes.iter().filter(|n| !n.is_replica).cloned().collect();
    let (mut dst_idx, mut src_idx) = (0, order.len().saturating_sub(1));
    while dst_idx < src_idx {
        let (dst, src) = (order[dst_idx], order[src_idx]);
        let numslots = balance[dst].abs().min(balance[src].abs());
        if numslots > 0 {
            text.push_str(&format!(
                "Moving {numslots} slots from {}:{} to {}:{}\n",
                nodes[src].ip, nodes[src].port, nodes[dst].ip, nodes[dst].port
            ));
            let table = reshard_table(&[&nodes[src]], numslots as usize);
            if table.len() != numslots as usize {
                text.push_str("*** Assertion failed: Reshard table != number of slots");
                out.push_out(&text);
                return out;
            }
            for &(_, slot) in &table {
                if !opts.simulate {
                    let mo = MoveOpts {
                        quiet: true,
                        ..MoveOpts::default()
                    };
                    let (from, to) = (nodes[src].clone(), nodes[dst].clone());
                    if let Err(e) =
                        move_slot(sim, (&from, &to), slot, &masters, mo, opts, &mut text)
                    {
                        text.push_str(&format!("*** clusterManagerMoveSlot: {e}\n"));
                        out.push_out(&text);
                        return out;
                    }
                    // CLUSTER_MANAGER_OPT_UPDATE: later tables see the move.
                    nodes[src].slots[slot] = false;
                    nodes[dst].slots[slot] = true;
                }
                text.push('#');
            }
            text.push('\n');
        }
        balance[dst] += numslots;
        balance[src] -= numslots;
        if balance[dst] == 0 {
            dst_idx += 1;
        }
        if balance[src] == 0 {
            src_idx -= 1;
        }
    }
    out.push_out(&text);
    out
}
