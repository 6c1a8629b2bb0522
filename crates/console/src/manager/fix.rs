//! `redis-cli --cluster fix`'s repairs (`clusterManagerFixOpenSlot`,
//! `clusterManagerFixSlotsCoverage`, `clusterManagerFixMultipleSlotOwners`), with redis-cli
//! 7.0's cases, questions and output.

use cluster_proto::{CLUSTER_SLOTS, NodeFlags};
use cluster_sim::Simulator;

use super::move_slot::{MoveOpts, move_slot, reply_error, set_slot};
use super::{Abort, CANNOT_ASK, MNode, Options, node_state, run};
use crate::reply::Reply;

fn cmd(sim: &mut Simulator, n: &MNode, words: &[&str]) -> Reply {
    let argv: Vec<String> = words.iter().map(|w| (*w).to_string()).collect();
    run(sim, n.port, &argv)
}

/// `CLUSTER COUNTKEYSINSLOT` on `n`.
fn count_keys(sim: &mut Simulator, n: &MNode, slot: usize) -> Result<i64, String> {
    match cmd(sim, n, &["CLUSTER", "COUNTKEYSINSLOT", &slot.to_string()]) {
        Reply::Integer(c) => Ok(c),
        Reply::Error(e) => Err(e),
        _ => Ok(0),
    }
}

/// Whether `n` holds keys of `slot`, saying so as redis-cli does (`*** Found keys about slot
/// ... in <what> ip:port!`); `None` when the node answers with an error.
fn found_keys(
    sim: &mut Simulator,
    n: &MNode,
    slot: usize,
    what: &str,
    text: &mut String,
) -> Option<bool> {
    let found = count_keys(sim, n, slot).ok()? > 0;
    if found {
        text.push_str(&format!(
            "*** Found keys about slot {slot} in {what} {}:{}!\n",
            n.ip, n.port
        ));
    }
    Some(found)
}

/// `CLUSTER SETSLOT <slot> STABLE` (`clusterManagerClearSlotStatus`).
fn clear_slot_status(sim: &mut Simulator, n: &MNode, slot: usize) -> bool {
    !matches!(
        cmd(sim, n, &["CLUSTER", "SETSLOT", &slot.to_string(), "STABLE"]),
        Reply::Error(_)
    )
}

/// `clusterManagerDelSlot(node, slot, 1)`: an unassigned slot is not an error.
fn del_slot(sim: &mut Simulator, n: &MNode, slot: usize, text: &mut String) -> bool {
    match cmd(sim, n, &["CLUSTER", "DELSLOTS", &slot.to_string()]) {
        Reply::Error(e) => {
            let unassigned =
                node_state(sim, n.port).is_some_and(|s| s.slot_owner(slot as u16).is_none());
            if !unassigned {
                text.push_str(&reply_error(n, &e));
            }
            unassigned
        }
        _ => true,
    }
}

/// `clusterManagerSetSlotOwner`: DELSLOTS, ADDSLOTS, [SETSLOT STABLE], BUMPEPOCH in one
/// transaction, where only ADDSLOTS may fail.
fn set_slot_owner(
    sim: &mut Simulator,
    owner: &MNode,
    slot: usize,
    clear: bool,
    text: &mut String,
) -> bool {
    let s = slot.to_string();
    // Nothing runs between the commands of a simulated MULTI, so running them in a row is
    // the same transaction.
    let _ = cmd(sim, owner, &["CLUSTER", "DELSLOTS", &s]);
    if let Reply::Error(e) = cmd(sim, owner, &["CLUSTER", "ADDSLOTS", &s]) {
        text.push_str(&reply_error(owner, &e));
        return false;
    }
    if clear {
        let _ = cmd(sim, owner, &["CLUSTER", "SETSLOT", &s, "STABLE"]);
    }
    let _ = cmd(sim, owner, &["CLUSTER", "BUMPEPOCH"]);
    true
}

/// Masters the first node knows that could not be loaded (`unreachable_masters`).
fn unreachable_masters(sim: &Simulator, nodes: &[MNode]) -> usize {
    let Some(state) = node_state(sim, nodes[0].port) else {
        return 0;
    };
    state
        .nodes()
        .iter()
        .filter(|n| {
            !n.is_myself()
                && !n
                    .flags
                    .intersects(NodeFlags::REPLICA | NodeFlags::HANDSHAKE)
        })
        .filter(|n| !nodes.iter().any(|m| m.id == n.id))
        .count()
}

/// Refuses, as redis-cli does (it exits), to fix with masters it cannot reach.
fn refuse_unreachable(
    sim: &Simulator,
    nodes: &[MNode],
    opts: &Options,
    what: &str,
    text: &mut String,
) -> Result<(), Abort> {
    let unreachable = unreachable_masters(sim, nodes);
    if unreachable > 0 && !opts.fix_with_unreachable {
        text.push_str(&format!("*** Fixing {what} with {unreachable} unreachable masters is dangerous: redis-cli will assume that slots about masters that are not reachable are not covered, and will try to reassign them to the reachable nodes. This can cause data loss and is rarely what you want to do. If you really want to proceed use the --cluster-fix-with-unreachable-masters option.\n"));
        return Err(Abort);
    }
    Ok(())
}

/// `confirmWithYes(msg, ignore_force = 1)`: fix always asks, even with `--cluster-yes`.
fn confirm(opts: &mut Options, msg: &str, text: &mut String) -> Result<bool, Abort> {
    text.push_str(&format!("{msg} (type 'yes' to accept): "));
    match opts.stdin.as_mut() {
        Some(stdin) => Ok(stdin.confirm()),
        None => {
            text.push_str(CANNOT_ASK);
            Err(Abort)
        }
    }
}

fn masters(nodes: &[MNode]) -> impl Iterator<Item = usize> + '_ {
    (0..nodes.len()).filter(|&i| !nodes[i].is_replica)
}

/// `clusterManagerGetNodeWithMostKeysInSlot` among `among` (masters only).
fn most_keys(
    sim: &mut Simulator,
    nodes: &[MNode],
    among: &[usize],
    slot: usize,
    text: &mut String,
) -> Option<usize> {
    let mut best: Option<(usize, i64)> = None;
    for &i in among {
        let n = &nodes[i];
        if n.is_replica || n.replicate.is_some() {
            continue;
        }
        match count_keys(sim, n, slot) {
            Ok(c) => {
                if best.is_none_or(|(_, b)| c > b) {
                    best = Some((i, c));
                }
            }
            Err(e) => {
                text.push_str(&reply_error(n, &e));
                return None;
            }
        }
    }
    best.map(|(i, _)| i)
}

fn addrs(nodes: &[MNode], list: &[usize]) -> String {
    list.iter()
        .map(|&i| format!("{}:{}", nodes[i].ip, nodes[i].port))
        .collect::<Vec<_>>()
        .join(",")
}

/// `clusterManagerFixOpenSlot`: a slot importing or migrating somewhere is closed or its
/// move finished, by the case redis-cli recognises.
pub(super) fn fix_open_slot(
    sim: &mut Simulator,
    nodes: &mut [MNode],
    slot: usize,
    opts: &mut Options,
    text: &mut String,
) -> Result<bool, Abort> {
    refuse_unreachable(sim, nodes, opts, "open slots", text)?;
    text.push_str(&format!(">>> Fixing open slot {slot}\n"));
    let all_masters: Vec<usize> = masters(nodes).collect();
    // Nodes claiming the slot in their config, or holding keys of it.
    let mut owners = Vec::new();
    for &i in &all_masters {
        if nodes[i].slots[slot] {
            owners.push(i);
        } else {
            match found_keys(sim, &nodes[i], slot, "non-owner node", text) {
                Some(true) => owners.push(i),
                Some(false) => {}
                None => return Ok(false),
            }
        }
    }
    let mut owner = (owners.len() == 1).then(|| owners[0]);
    let (mut migrating, mut importing) = (Vec::new(), Vec::new());
    for &i in &all_masters {
        let state = node_state(sim, nodes[i].port);
        if state.is_some_and(|s| s.migrating_to(slot as u16).is_some()) {
            migrating.push(i);
        } else if state.is_some_and(|s| s.importing_from(slot as u16).is_some()) {
            importing.push(i);
        } else if Some(i) != owner {
            match found_keys(sim, &nodes[i], slot, "node", text) {
                Some(true) => importing.push(i),
                Some(false) => {}
                None => return Ok(false),
            }
        }
    }
    let (migrating_str, importing_str) = (addrs(nodes, &migrating), addrs(nodes, &importing));
    if !migrating.is_empty() {
        text.push_str(&format!("Set as migrating in: {migrating_str}\n"));
    }
    if !importing.is_empty() {
        text.push_str(&format!("Set as importing in: {importing_str}\n"));
    }
    if owner.is_none() {
        text.push_str(
            ">>> No single clear owner for the slot, selecting an owner by # of keys...\n",
        );
        let Some(o) = most_keys(sim, nodes, &all_masters, slot, text) else {
            text.push_str("[ERR] Can't select a slot owner. Impossible to fix.\n");
            return Ok(false);
        };
        text.push_str(&format!(
            "*** Configuring {}:{} as the slot owner\n",
            nodes[o].ip, nodes[o].port
        ));
        if !clear_slot_status(sim, &nodes[o], slot)
            || !set_slot_owner(sim, &nodes[o], slot, false, text)
        {
            return Ok(false);
        }
        nodes[o].slots[slot] = true;
        migrating.retain(|&i| i != o);
        importing.retain(|&i| i != o);
        owner = Some(o);
    }
    let Some(owner) = owner else {
        return Ok(false);
    };
    // Several owners: one keeps it, the others import it from there (and lose the claim).
    if owners.len() > 1 {
        for &i in owners.iter().filter(|&&i| i != owner) {
            if !del_slot(sim, &nodes[i], slot, text) {
                return Ok(false);
            }
            nodes[i].slots[slot] = false;
            let owner_id = nodes[owner].id.to_string();
            for status in ["node", "importing"] {
                if let Err(e) = set_slot(sim, &nodes[i], slot, status, &owner_id) {
                    text.push_str(&reply_error(&nodes[i], &e));
                    return Ok(false);
                }
            }
            importing.retain(|&j| j != i);
            importing.push(i);
            migrating.retain(|&j| j != i);
        }
    }
    let verbose = MoveOpts {
        verbose: true,
        ..MoveOpts::default()
    };
    let list: Vec<MNode> = all_masters.iter().map(|&i| nodes[i].clone()).collect();
    if migrating.len() == 1 && importing.len() == 1 {
        let (src, dst) = (migrating[0], importing[0]);
        text.push_str(&format!(
            ">>> Case 1: Moving slot {slot} from {}:{} to {}:{}\n",
            nodes[src].ip, nodes[src].port, nodes[dst].ip, nodes[dst].port
        ));
        let (from, to) = (nodes[src].clone(), nodes[dst].clone());
        if move_slot(sim, (&from, &to), slot, &list, verbose, opts, text).is_err() {
            return Ok(false);
        }
        nodes[src].slots[slot] = false;
        nodes[dst].slots[slot] = true;
        return Ok(true);
    }
    if migrating.is_empty() && !importing.is_empty() {
        text.push_str(&format!(
            ">>> Case 2: Moving all the {slot} slot keys to its owner {}:{}\n",
            nodes[owner].ip, nodes[owner].port
        ));
        let cold = MoveOpts {
            cold: true,
            ..verbose
        };
        for &i in importing.iter().filter(|&&i| i != owner) {
            let (from, to) = (nodes[i].clone(), nodes[owner].clone());
            if move_slot(sim, (&from, &to), slot, &list, cold, opts, text).is_err() {
                return Ok(false);
            }
            text.push_str(&format!(
                ">>> Setting {slot} as STABLE in {}:{}\n",
                nodes[i].ip, nodes[i].port
            ));
            if !clear_slot_status(sim, &nodes[i], slot) {
                return Ok(false);
            }
        }
        // A cold move reassigns nothing: every other master is told the owner.
        let owner_id = nodes[owner].id.to_string();
        for &i in all_masters.iter().filter(|&&i| i != owner) {
            if let Err(e) = set_slot(sim, &nodes[i], slot, "NODE", &owner_id) {
                text.push_str(&reply_error(&nodes[i], &e));
                return Ok(false);
            }
        }
        return Ok(true);
    }
    if migrating.len() == 1 && importing.len() > 1 {
        let src = migrating[0];
        let target_id = node_state(sim, nodes[src].port).and_then(|s| s.migrating_to(slot as u16));
        let mut dst = None;
        for &i in &importing {
            if count_keys(sim, &nodes[i], slot).unwrap_or(0) > 0 {
                return Ok(unhandled(
                    nodes,
                    owner,
                    &migrating_str,
                    &importing_str,
                    text,
                ));
            }
            if Some(nodes[i].id) == target_id {
                dst = Some(i);
            }
        }
        if let Some(dst) = dst {
            text.push_str(&format!(
                ">>> Case 3: Moving slot {slot} from {}:{} to {}:{} and closing it on all the other importing nodes.\n",
                nodes[src].ip, nodes[src].port, nodes[dst].ip, nodes[dst].port
            ));
            let (from, to) = (nodes[src].clone(), nodes[dst].clone());
            if move_slot(sim, (&from, &to), slot, &list, verbose, opts, text).is_err() {
                return Ok(false);
            }
            for &i in importing.iter().filter(|&&i| i != dst) {
                if !clear_slot_status(sim, &nodes[i], slot) {
                    return Ok(false);
                }
            }
        } else {
            text.push_str(&format!(
                ">>> Case 3: Closing slot {slot} on both migrating and importing nodes.\n"
            ));
            for &i in migrating.iter().chain(&importing) {
                if !clear_slot_status(sim, &nodes[i], slot) {
                    return Ok(false);
                }
            }
        }
        return Ok(true);
    }
    // Case 4: one migrating node and no importing one; closable when the migrating node
    // owns the slot or has no keys left in it (an interrupted reshard).
    let mut closable = importing.is_empty() && migrating.len() == 1;
    if closable && migrating[0] != owner {
        match cmd(
            sim,
            &nodes[migrating[0]],
            &["CLUSTER", "GETKEYSINSLOT", &slot.to_string(), "10"],
        ) {
            Reply::Array(keys) => closable = keys.is_empty(),
            Reply::Error(_) => return Ok(false),
            _ => {}
        }
    }
    if closable {
        let n = &nodes[migrating[0]];
        text.push_str(&format!(
            ">>> Case 4: Closing slot {slot} on {}:{}\n",
            n.ip, n.port
        ));
        return Ok(clear_slot_status(sim, n, slot));
    }
    Ok(unhandled(
        nodes,
        owner,
        &migrating_str,
        &importing_str,
        text,
    ))
}

fn unhandled(
    nodes: &[MNode],
    owner: usize,
    migrating: &str,
    importing: &str,
    text: &mut String,
) -> bool {
    text.push_str(&format!(
        "[ERR] Sorry, redis-cli can't fix this slot yet (work in progress). Slot is set as migrating in {migrating}, as importing in {importing}, owner is {}:{}\n",
        nodes[owner].ip, nodes[owner].port
    ));
    false
}

/// `clusterManagerPrintSlotsList`: the slots as ranges, `0-5460,5462`.
fn slots_list(slots: &[usize]) -> String {
    let mut marks = vec![false; CLUSTER_SLOTS];
    for &s in slots {
        marks[s] = true;
    }
    super::slots_string(&marks)
}

/// Gives an uncovered slot to `nodes[n]` (ADDSLOTS and BUMPEPOCH there).
fn cover_slot(
    sim: &mut Simulator,
    nodes: &mut [MNode],
    slot: usize,
    n: usize,
    text: &mut String,
) -> bool {
    text.push_str(&format!(
        ">>> Covering slot {slot} with {}:{}\n",
        nodes[n].ip, nodes[n].port
    ));
    if !set_slot_owner(sim, &nodes[n], slot, false, text) {
        return false;
    }
    nodes[n].slots[slot] = true;
    true
}

/// `clusterManagerFixSlotsCoverage`: uncovered slots go to a master with their keys, or
/// the one with the most keys, or any master when nobody has keys. Each group is asked
/// for. Returns how many slots were covered.
pub(super) fn fix_slots_coverage(
    sim: &mut Simulator,
    nodes: &mut [MNode],
    covered: &[bool],
    opts: &mut Options,
    text: &mut String,
) -> Result<usize, Abort> {
    refuse_unreachable(sim, nodes, opts, "slots coverage", text)?;
    text.push_str(">>> Fixing slots coverage...\n");
    let all_masters: Vec<usize> = masters(nodes)
        .filter(|&i| nodes[i].replicate.is_none())
        .collect();
    let (mut none, mut single, mut multi) = (Vec::new(), Vec::new(), Vec::new());
    for slot in (0..CLUSTER_SLOTS).filter(|&s| !covered[s]) {
        let mut with_keys = Vec::new();
        for &i in &all_masters {
            match cmd(
                sim,
                &nodes[i],
                &["CLUSTER", "GETKEYSINSLOT", &slot.to_string(), "1"],
            ) {
                Reply::Array(keys) if !keys.is_empty() => with_keys.push(i),
                Reply::Error(_) => return Ok(0),
                _ => {}
            }
        }
        match with_keys.len() {
            0 => none.push(slot),
            1 => single.push((slot, with_keys[0])),
            _ => multi.push((slot, with_keys)),
        }
    }
    let mut fixed = 0;
    if !none.is_empty() {
        text.push_str("The following uncovered slots have no keys across the cluster:\n");
        text.push_str(&slots_list(&none));
        text.push('\n');
        if confirm(
            opts,
            "Fix these slots by covering with a random node?",
            text,
        )? {
            let candidates: Vec<usize> = masters(nodes).collect();
            for &slot in &none {
                // redis-cli seeds rand() with the time; here the world's seeded stream.
                let n = candidates[sim.random_u32() as usize % candidates.len()];
                if !cover_slot(sim, nodes, slot, n, text) {
                    return Ok(fixed);
                }
                fixed += 1;
            }
        }
    }
    if !single.is_empty() {
        text.push_str("The following uncovered slots have keys in just one node:\n");
        text.push_str(&slots_list(
            &single.iter().map(|&(s, _)| s).collect::<Vec<_>>(),
        ));
        text.push('\n');
        if confirm(opts, "Fix these slots by covering with those nodes?", text)? {
            for &(slot, n) in &single {
                if !cover_slot(sim, nodes, slot, n, text) {
                    return Ok(fixed);
                }
                fixed += 1;
            }
        }
    }
    if !multi.is_empty() {
        text.push_str("The following uncovered slots have keys in multiple nodes:\n");
        text.push_str(&slots_list(
            &multi.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        ));
        text.push('\n');
        if confirm(
            opts,
            "Fix these slots by moving keys into a single node?",
            text,
        )? {
            let list: Vec<MNode> = masters(nodes).map(|i| nodes[i].clone()).collect();
            for (slot, holders) in &multi {
                let slot = *slot;
                let Some(target) = most_keys(sim, nodes, holders, slot, text) else {
                    return Ok(fixed);
                };
                text.push_str(&format!(
                    ">>> Covering slot {slot} moving keys to {}:{}\n",
                    nodes[target].ip, nodes[target].port
                ));
                if !set_slot_owner(sim, &nodes[target], slot, true, text) {
                    return Ok(fixed);
                }
                nodes[target].slots[slot] = true;
                let target_id = nodes[target].id.to_string();
                let cold = MoveOpts {
                    verbose: true,
                    cold: true,
                    quiet: false,
                };
                for &src in holders.iter().filter(|&&i| i != target) {
                    // The source imports (though keys leave it) so MIGRATE is not redirected.
                    for status in ["NODE", "IMPORTING"] {
                        if let Err(e) = set_slot(sim, &nodes[src], slot, status, &target_id) {
                            text.push_str(&reply_error(&nodes[src], &e));
                            return Ok(fixed);
                        }
                    }
                    let (from, to) = (nodes[src].clone(), nodes[target].clone());
                    if move_slot(sim, (&from, &to), slot, &list, cold, opts, text).is_err()
                        || !clear_slot_status(sim, &nodes[src], slot)
                    {
                        return Ok(fixed);
                    }
                }
                fixed += 1;
            }
        }
    }
    Ok(fixed)
}

/// `--cluster-search-multiple-owners`: slots claimed, or holding keys, on more than one
/// master; with fix, one owner is chosen and the keys moved to it.
pub(super) fn check_multiple_owners(
    sim: &mut Simulator,
    nodes: &mut [MNode],
    opts: &Options,
    text: &mut String,
) -> bool {
    text.push_str(">>> Check for multiple slot owners...\n");
    let mut ok = true;
    let mut remaining = 0;
    let all_masters: Vec<usize> = masters(nodes).collect();
    for slot in 0..CLUSTER_SLOTS {
        let mut owners = Vec::new();
        for &i in &all_masters {
            if nodes[i].slots[slot] || count_keys(sim, &nodes[i], slot).unwrap_or(0) > 0 {
                owners.push(i);
            }
        }
        if owners.len() <= 1 {
            continue;
        }
        ok = false;
        text.push_str(&format!(
            "[WARNING] Slot {slot} has {} owners:\n",
            owners.len()
        ));
        for &i in &owners {
            text.push_str(&format!("    {}:{}\n", nodes[i].ip, nodes[i].port));
        }
        remaining += 1;
        if opts.fix {
            ok = fix_multiple_owners(sim, nodes, slot, &owners, opts, text);
            if !ok {
                text.push_str(&format!("Failed to fix multiple owners for slot {slot}\n"));
                break;
            }
            remaining -= 1;
        }
    }
    if remaining == 0 {
        text.push_str("[OK] No multiple owners found.\n");
    }
    ok
}

/// `clusterManagerFixMultipleSlotOwners`.
fn fix_multiple_owners(
    sim: &mut Simulator,
    nodes: &mut [MNode],
    slot: usize,
    owners: &[usize],
    opts: &Options,
    text: &mut String,
) -> bool {
    text.push_str(&format!(">>> Fixing multiple owners for slot {slot}...\n"));
    let owner = most_keys(sim, nodes, owners, slot, text).unwrap_or(owners[0]);
    text.push_str(&format!(
        ">>> Setting slot {slot} owner: {}:{}\n",
        nodes[owner].ip, nodes[owner].port
    ));
    if !set_slot_owner(sim, &nodes[owner], slot, false, text) {
        return false;
    }
    let owner_id = nodes[owner].id.to_string();
    let list: Vec<MNode> = masters(nodes).map(|i| nodes[i].clone()).collect();
    let mut ok = false;
    for i in masters(nodes).filter(|&i| i != owner).collect::<Vec<_>>() {
        let Ok(count) = count_keys(sim, &nodes[i], slot) else {
            return false;
        };
        ok = true;
        let _ = del_slot(sim, &nodes[i], slot, text);
        nodes[i].slots[slot] = false;
        if set_slot(sim, &nodes[i], slot, "node", &owner_id).is_err() {
            return false;
        }
        if count > 0 {
            let cold = MoveOpts {
                verbose: true,
                cold: true,
                quiet: false,
            };
            let (from, to) = (nodes[i].clone(), nodes[owner].clone());
            if move_slot(sim, (&from, &to), slot, &list, cold, opts, text).is_err() {
                return false;
            }
        }
    }
    nodes[owner].slots[slot] = true;
    ok
}
