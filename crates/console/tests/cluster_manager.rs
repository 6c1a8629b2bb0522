//! `redis-cli --cluster rebalance` and `fix` beyond what the differential scenario shows:
//! the questions read from a pipe, refusals, and the repairs' end states.

use console::Console;

mod common;

fn sh(c: &mut Console, line: &str) -> String {
    c.eval_shell(line).text
}

fn cluster() -> Console {
    let mut c = Console::new(3);
    common::start_servers(&mut c, 7000..=7003, "--cluster-node-timeout 2000");
    common::create_three_masters(&mut c);
    sh(&mut c, "sleep 2");
    c
}

/// An uncovered slot holding a key: DELSLOTS on its owner.
fn uncover_slot_of_b(c: &mut Console) {
    assert_eq!(sh(c, "redis-cli -c -p 7000 SET b 1"), "OK\n");
    assert_eq!(sh(c, "redis-cli -p 7000 CLUSTER DELSLOTS 3300"), "OK\n");
}

const QUESTION: &str = "Fix these slots by covering with those nodes? (type 'yes' to accept): ";

#[test]
fn fix_asks_and_only_a_piped_yes_covers_the_slot() {
    let mut c = cluster();
    uncover_slot_of_b(&mut c);
    // No pipe: the question, then a clear word instead of waiting forever.
    let out = sh(&mut c, "redis-cli --cluster fix 127.0.0.1:7000");
    assert!(out.contains(QUESTION), "{out}");
    assert!(
        out.contains("--cluster-yes, or pipe the answer in"),
        "{out}"
    );
    assert!(!out.contains(">>> Covering slot"), "{out}");
    // `--cluster-yes` does not answer fix's questions (ignore_force), `no` refuses, and
    // `yes` alone sends `y`.
    for line in [
        "redis-cli --cluster fix 127.0.0.1:7000 --cluster-yes",
        "echo no | redis-cli --cluster fix 127.0.0.1:7000",
        "yes | redis-cli --cluster fix 127.0.0.1:7000",
    ] {
        let out = sh(&mut c, line);
        assert!(
            out.ends_with(QUESTION) || out.contains(CANNOT),
            "{line}: {out}"
        );
        assert!(!out.contains(">>> Covering slot"), "{line}: {out}");
    }
    let out = sh(&mut c, "yes yes | redis-cli --cluster fix 127.0.0.1:7000");
    assert!(
        out.contains(&format!(
            "{QUESTION}>>> Covering slot 3300 with 127.0.0.1:7000\n"
        )),
        "{out}"
    );
    assert_eq!(
        sh(&mut c, "redis-cli -p 7000 CLUSTER COUNTKEYSINSLOT 3300"),
        "(integer) 1\n"
    );
    sh(&mut c, "sleep 2");
    let out = sh(&mut c, "redis-cli --cluster check 127.0.0.1:7000");
    assert!(out.contains("[OK] All 16384 slots covered."), "{out}");
    assert!(out.contains("[OK] All nodes agree"), "{out}");
}

const CANNOT: &str = "ClusterLab cannot wait for a typed answer";

#[test]
fn an_empty_uncovered_slot_goes_to_some_master() {
    let mut c = cluster();
    assert_eq!(
        sh(&mut c, "redis-cli -p 7001 CLUSTER DELSLOTS 6000"),
        "OK\n"
    );
    let out = sh(&mut c, "echo yes | redis-cli --cluster fix 127.0.0.1:7000");
    assert!(
        out.contains("The following uncovered slots have no keys across the cluster:\n[6000]\nFix these slots by covering with a random node? (type 'yes' to accept): >>> Covering slot 6000 with 127.0.0.1:700"),
        "{out}"
    );
    sh(&mut c, "sleep 2");
    let out = sh(&mut c, "redis-cli --cluster check 127.0.0.1:7000");
    assert!(out.contains("[OK] All 16384 slots covered."), "{out}");
}

#[test]
fn fix_refuses_when_a_master_is_unreachable() {
    let mut c = cluster();
    assert_eq!(
        sh(&mut c, "redis-cli -p 7001 CLUSTER DELSLOTS 6000"),
        "OK\n"
    );
    sh(&mut c, "sim crash 7002");
    sh(&mut c, "sleep 10");
    let out = sh(&mut c, "echo yes | redis-cli --cluster fix 127.0.0.1:7000");
    assert!(
        out.contains("*** Fixing slots coverage with 1 unreachable masters is dangerous"),
        "{out}"
    );
    assert!(!out.contains(">>> Covering slot"), "{out}");
    // The slot is still nobody's.
    assert!(
        sh(&mut c, "redis-cli -p 7001 CLUSTER NODES")
            .lines()
            .all(|l| !l.contains("6000")),
    );
}

#[test]
fn rebalance_moves_slots_and_keys_to_an_empty_master() {
    let mut c = cluster();
    for k in ["a", "b", "c", "x8731"] {
        assert_eq!(
            sh(&mut c, &format!("redis-cli -c -p 7000 SET {k} v")),
            "OK\n"
        );
    }
    sh(
        &mut c,
        "redis-cli --cluster add-node 127.0.0.1:7003 127.0.0.1:7000",
    );
    sh(&mut c, "sleep 2");
    // Without --cluster-use-empty-masters, the empty master is left out.
    let out = sh(&mut c, "redis-cli --cluster rebalance 127.0.0.1:7000");
    assert!(out.contains("*** No rebalancing needed!"), "{out}");
    let out = sh(
        &mut c,
        "redis-cli --cluster rebalance 127.0.0.1:7000 --cluster-use-empty-masters",
    );
    assert!(
        out.contains(">>> Rebalancing across 4 nodes. Total weight = 4.00\n"),
        "{out}"
    );
    sh(&mut c, "sleep 2");
    let out = sh(&mut c, "redis-cli --cluster check 127.0.0.1:7000");
    assert!(out.contains("[OK] All 16384 slots covered."), "{out}");
    for port in 7000..=7003 {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("127.0.0.1:{port} ")))
            .unwrap_or_default()
            .to_string();
        assert!(line.contains("| 4096 slots |"), "{line}");
    }
    // Every key is still readable through the cluster (moved with its slot).
    for k in ["a", "b", "c", "x8731"] {
        assert_eq!(
            sh(&mut c, &format!("redis-cli -c -p 7003 GET {k}")),
            "\"v\"\n"
        );
    }
    // Balanced now, within a threshold of zero it still is (4096 each).
    let out = sh(
        &mut c,
        "redis-cli --cluster rebalance 127.0.0.1:7000 --cluster-threshold 0",
    );
    assert!(out.contains("within the 0.00% threshold"), "{out}");
}

#[test]
fn rebalance_rejects_bad_weights_and_repeated_weight_options() {
    let mut c = cluster();
    let out = sh(
        &mut c,
        "redis-cli --cluster rebalance 127.0.0.1:7000 --cluster-weight zz=2",
    );
    assert_eq!(out, "*** No such master node zz\n");
    let out = sh(
        &mut c,
        "redis-cli --cluster rebalance 127.0.0.1:7000 --cluster-weight a=1 --cluster-weight b=2",
    );
    assert!(
        out.starts_with("WARNING: you cannot use --cluster-weight more than once."),
        "{out}"
    );
    let out = sh(&mut c, "redis-cli --cluster rebalance");
    assert!(out.starts_with("[ERR] Invalid arguments"), "{out}");
    let out = sh(
        &mut c,
        "redis-cli --cluster rebalance 127.0.0.1:7000 --cluster-threshold",
    );
    assert_eq!(
        out,
        "Unrecognized option or bad number of args for: '--cluster-threshold'\n"
    );
}

#[test]
fn reshard_reads_its_answer_from_a_pipe() {
    let mut c = cluster();
    let to = sh(&mut c, "redis-cli -p 7001 CLUSTER MYID");
    let line = format!(
        "redis-cli --cluster reshard 127.0.0.1:7000 --cluster-from all --cluster-to {} --cluster-slots 2",
        to.trim()
    );
    let out = sh(&mut c, &format!("echo no | {line}"));
    assert!(out.ends_with("(yes/no)? "), "{out}");
    let out = sh(&mut c, &format!("echo yes | {line}"));
    assert!(
        out.contains("Moving slot 0 from 127.0.0.1:7000 to 127.0.0.1:7001: \n"),
        "{out}"
    );
    assert_eq!(
        sh(&mut c, "redis-cli -p 7001 CLUSTER COUNTKEYSINSLOT 0"),
        "(integer) 0\n"
    );
    let owner = sh(&mut c, "redis-cli -p 7001 CLUSTER NODES");
    assert!(
        owner
            .lines()
            .any(|l| l.contains("myself") && l.contains(" 0 ")),
        "{owner}"
    );
    // Pipes into anything else are run, with the input unused; pipes do not chain.
    assert_eq!(sh(&mut c, "echo hi | echo there"), "there\n");
    assert!(sh(&mut c, "echo a | echo b | echo c").contains("one pipe"));
    assert!(sh(&mut c, "| redis-cli").contains("syntax error"));
}
