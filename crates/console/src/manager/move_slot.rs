//! `clusterManagerMoveSlot` and `clusterManagerMigrateKeysInSlot`: the one way every
//! cluster manager subcommand (reshard, rebalance, fix) moves a slot and its keys.

use cluster_sim::Simulator;

use super::{MNode, Options, run};
use crate::reply::Reply;

/// How a move is done and shown (`CLUSTER_MANAGER_OPT_*`).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct MoveOpts {
    /// A dot per moved key.
    pub verbose: bool,
    /// Move keys only, without opening the slot or reassigning it (fix's cold moves).
    pub cold: bool,
    /// No `Moving slot ...` line and no newline after the dots.
    pub quiet: bool,
}

/// `CLUSTER SETSLOT <slot> <status> <id>` on `on`; the error text when it fails.
pub(super) fn set_slot(
    sim: &mut Simulator,
    on: &MNode,
    slot: usize,
    status: &str,
    id: &str,
) -> Result<(), String> {
    match run(
        sim,
        on.port,
        &[
            "CLUSTER".into(),
            "SETSLOT".into(),
            slot.to_string(),
            status.into(),
            id.into(),
        ],
    ) {
        Reply::Error(e) => Err(e),
        _ => Ok(()),
    }
}

/// `CLUSTER_MANAGER_PRINT_REPLY_ERROR`.
pub(super) fn reply_error(n: &MNode, err: &str) -> String {
    format!("Node {}:{} replied with error:\n{err}\n", n.ip, n.port)
}

/// Moves `slot` from `from` to `to`, writing what redis-cli prints to `text`. The error is
/// the one redis-cli hands back to its caller.
pub(super) fn move_slot(
    sim: &mut Simulator,
    (from, to): (&MNode, &MNode),
    slot: usize,
    masters: &[MNode],
    mo: MoveOpts,
    opts: &Options,
    text: &mut String,
) -> Result<(), String> {
    if !mo.quiet {
        text.push_str(&format!(
            "Moving slot {slot} from {}:{} to {}:{}: ",
            from.ip, from.port, to.ip, to.port
        ));
    }
    if !mo.cold {
        set_slot(sim, to, slot, "importing", from.id.as_str())?;
        set_slot(sim, from, slot, "migrating", to.id.as_str())?;
    }
    let moved = migrate_keys_in_slot(sim, from, to, slot, mo.verbose, opts, text);
    if !mo.quiet {
        text.push('\n');
    }
    moved?;
    if !mo.cold {
        // The target first, so that a crash in between cannot leave the slot without an
        // owner (redis#7116).
        set_slot(sim, to, slot, "node", to.id.as_str())?;
        // A source that just lost its last slot may already have turned into a replica of
        // the target (redis#9223): that refusal is expected.
        if let Err(e) = set_slot(sim, from, slot, "node", to.id.as_str())
            && !e.starts_with("ERR Please use SETSLOT only with masters.")
        {
            return Err(e);
        }
        for m in masters
            .iter()
            .filter(|m| m.port != from.port && m.port != to.port && !m.is_replica)
        {
            set_slot(sim, m, slot, "node", to.id.as_str())?;
        }
    }
    Ok(())
}

/// `CLUSTER GETKEYSINSLOT` on the source, then `MIGRATE ... KEYS`, a pipeline at a time,
/// until the slot is empty there. A BUSYKEY is retried with REPLACE when the values agree
/// (or `--cluster-replace` is given); a slot the source does not serve is handed to the
/// target when fixing.
fn migrate_keys_in_slot(
    sim: &mut Simulator,
    from: &MNode,
    to: &MNode,
    slot: usize,
    verbose: bool,
    opts: &Options,
    text: &mut String,
) -> Result<(), String> {
    loop {
        let keys = match run(
            sim,
            from.port,
            &[
                "CLUSTER".into(),
                "GETKEYSINSLOT".into(),
                slot.to_string(),
                opts.pipeline.to_string(),
            ],
        ) {
            Reply::Array(items) => items
                .into_iter()
                .filter_map(|r| match r {
                    Reply::Bulk(k) => Some(k),
                    _ => None,
                })
                .collect::<Vec<_>>(),
            Reply::Error(e) => {
                text.push_str(&reply_error(from, &e));
                return Err(e);
            }
            _ => Vec::new(),
        };
        if keys.is_empty() {
            return Ok(());
        }
        let mut reply = migrate(sim, from, to, &keys, false, opts);
        if let Reply::Error(e) = &reply {
            let busy = e.contains("BUSYKEY");
            let not_served = !busy && !slot_served(sim, from, slot);
            if !busy && !not_served {
                text.push('\n');
                text.push_str(&reply_error(from, e));
                return Err(e.clone());
            }
            if opts.fix && not_served {
                text.push_str(&format!(
                    "*** Slot was not served, setting owner to node {}:{}.\n",
                    to.ip, to.port
                ));
                let _ = set_slot(sim, from, slot, "node", to.id.as_str());
            }
            if busy {
                text.push_str("\n*** Target key exists\n");
                if !opts.replace {
                    text.push_str("*** Checking key values on both nodes...\n");
                    let diffs = differing_keys(sim, from, to, &keys);
                    if !diffs.is_empty() {
                        text.push_str(&format!(
                            "*** Found {} key(s) in both source node and target node having different values.\n    Source node: {}:{}\n    Target node: {}:{}\n    Keys(s):\n",
                            diffs.len(),
                            from.ip,
                            from.port,
                            to.ip,
                            to.port
                        ));
                        for k in &diffs {
                            text.push_str(&format!("    - {}\n", String::from_utf8_lossy(k)));
                        }
                        text.push_str("Please fix the above key(s) manually and try again or relaunch the command \nwith --cluster-replace option to force key overriding.\n");
                        return Err("different values".into());
                    }
                }
                text.push_str("*** Replacing target keys...\n");
            }
            reply = migrate(sim, from, to, &keys, busy, opts);
            if let Reply::Error(e) = &reply {
                text.push('\n');
                text.push_str(&reply_error(from, e));
                return Err(e.clone());
            }
            // redis-cli prints no dots for a batch it had to retry.
            continue;
        }
        if verbose {
            text.push_str(&".".repeat(keys.len()));
        }
    }
}

fn migrate(
    sim: &mut Simulator,
    from: &MNode,
    to: &MNode,
    keys: &[Vec<u8>],
    replace: bool,
    opts: &Options,
) -> Reply {
    let mut argv: Vec<Vec<u8>> = vec![
        b"MIGRATE".to_vec(),
        to.ip.clone().into_bytes(),
        to.port.to_string().into_bytes(),
        Vec::new(),
        b"0".to_vec(),
        opts.timeout.to_string().into_bytes(),
    ];
    if replace {
        argv.push(b"REPLACE".to_vec());
    }
    argv.push(b"KEYS".to_vec());
    argv.extend(keys.iter().cloned());
    crate::exec::execute(sim, from.port, &argv)
}

/// `clusterManagerGetSlotOwner`: does any master serve `slot`, as `node` sees it?
fn slot_served(sim: &Simulator, node: &MNode, slot: usize) -> bool {
    super::node_state(sim, node.port).is_some_and(|s| s.slot_owner(slot as u16).is_some())
}

/// `clusterManagerCompareKeysValues` (DEBUG DIGEST-VALUE on both sides): keys present on
/// both nodes with different values.
fn differing_keys(sim: &Simulator, a: &MNode, b: &MNode, keys: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let now = sim.now();
    let (Some(da), Some(db)) = (sim.db(a.port), sim.db(b.port)) else {
        return Vec::new();
    };
    keys.iter()
        .filter(|k| match (da.get(k, now), db.get(k, now)) {
            (Some(x), Some(y)) => x != y,
            _ => false,
        })
        .cloned()
        .collect()
}
