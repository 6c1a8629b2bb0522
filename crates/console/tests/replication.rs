//! The replication stream and the lost-write ledger in situations that went wrong before.
#![cfg(not(target_arch = "wasm32"))]

use console::Console;

mod common;

/// Three masters, 7003 replicating 7000 (nt 2000), synced.
fn cluster() -> Console {
    let mut c = Console::new(1);
    common::start_servers(&mut c, 7000..=7003, "--cluster-node-timeout 2000");
    common::create_three_masters(&mut c);
    c.eval_shell("redis-cli --cluster add-node 127.0.0.1:7003 127.0.0.1:7000 --cluster-slave --cluster-master-id $(redis-cli -p 7000 CLUSTER MYID)");
    c.eval_shell("sleep 8");
    c
}

fn sh(c: &mut Console, line: &str) -> String {
    c.eval_shell(line).text
}

#[test]
fn a_former_master_promoted_again_does_not_replay_its_old_stream() {
    let mut c = cluster();
    sh(&mut c, "redis-cli -p 7000 SET b kept");
    sh(&mut c, "sim partition 7000");
    sh(&mut c, "redis-cli -p 7000 SET b minority");
    sh(&mut c, "sleep 8");
    sh(&mut c, "sim heal");
    sh(&mut c, "sleep 10");
    assert!(sh(&mut c, "redis-cli -p 7000 ROLE").starts_with("1) \"slave\""));
    // 7000 takes over again by manual failover, then writes: 7003 must get exactly 7000's data.
    assert_eq!(sh(&mut c, "redis-cli -p 7000 CLUSTER FAILOVER"), "OK\n");
    // The election, then 7003's first sync from 7000 (the 5 s diskless delay).
    sh(&mut c, "sleep 8");
    assert!(sh(&mut c, "redis-cli -p 7000 ROLE").starts_with("1) \"master\""));
    sh(&mut c, "redis-cli -p 7000 SET b after");
    sh(&mut c, "sleep 1");
    let now = c.sim().now();
    assert_eq!(
        c.sim().db(7000),
        c.sim().db(7003),
        "master and replica agree"
    );
    assert!(c.sim().db(7003).and_then(|d| d.get(b"b", now)).is_some());
    assert_eq!(sh(&mut c, "redis-cli -p 7000 GET b"), "\"after\"\n");
}

#[test]
fn a_reset_replica_loses_nothing() {
    let mut c = cluster();
    sh(&mut c, "sim latency 50 7000 7003");
    sh(&mut c, "redis-cli -p 7000 SET b 1");
    // The replica leaves (CLUSTER RESET) before the write reached it: no failover, nothing lost.
    sh(&mut c, "redis-cli -p 7003 CLUSTER RESET SOFT");
    sh(&mut c, "sleep 2");
    assert_eq!(
        sh(&mut c, "sim lost"),
        "No acknowledged write has been lost (1 acknowledged so far).\n"
    );
}

#[test]
fn a_master_resharded_away_loses_nothing() {
    let mut c = cluster();
    sh(&mut c, "redis-cli -p 7000 SET b 1");
    // 7000 hands all its slots to 7001 and becomes its replica: the keys moved with the slots.
    let out = sh(
        &mut c,
        "redis-cli --cluster reshard 127.0.0.1:7000 --cluster-from $(redis-cli -p 7000 CLUSTER MYID) --cluster-to $(redis-cli -p 7001 CLUSTER MYID) --cluster-slots 5461 --cluster-yes",
    );
    assert!(
        out.contains("Moving slot 5460 from"),
        "{}",
        &out[out.len().saturating_sub(300)..]
    );
    sh(&mut c, "sleep 10");
    assert!(sh(&mut c, "redis-cli -p 7000 ROLE").starts_with("1) \"slave\""));
    assert_eq!(sh(&mut c, "redis-cli -c -p 7002 GET b"), "\"1\"\n");
    assert_eq!(
        sh(&mut c, "sim lost"),
        "No acknowledged write has been lost (1 acknowledged so far).\n"
    );
}

#[test]
fn a_transaction_with_one_write_is_not_wrapped_in_the_stream() {
    let mut c = cluster();
    let offset = |c: &Console| c.sim().running(7000).map_or(0, |h| h.repl_offset);
    sh(&mut c, "redis-cli -p 7000 SET b 0");
    let before = offset(&c);
    c.eval_at("127.0.0.1", 7000, "MULTI");
    c.eval_at("127.0.0.1", 7000, "SET b 1");
    c.eval_at("127.0.0.1", 7000, "GET b");
    c.eval_at("127.0.0.1", 7000, "EXEC");
    // *3 $3 SET $1 b $1 1: 27 bytes, no MULTI/EXEC around a single write.
    assert_eq!(offset(&c) - before, 27);
    c.eval_at("127.0.0.1", 7000, "MULTI");
    c.eval_at("127.0.0.1", 7000, "SET b 2");
    c.eval_at("127.0.0.1", 7000, "SET b 3");
    c.eval_at("127.0.0.1", 7000, "EXEC");
    // MULTI (15) + 2 × 27 + EXEC (14).
    assert_eq!(offset(&c) - before, 27 + 15 + 54 + 14);
}

#[test]
fn a_master_that_loses_a_slot_to_a_greater_epoch_drops_its_keys() {
    let mut c = cluster();
    sh(&mut c, "redis-cli -p 7000 SET b 1"); // slot 3300
    sh(&mut c, "redis-cli -p 7000 SET x3 1"); // slot 1984 stays with 7000
    // 7001 takes slot 3300 by force: bound in its own table, then a bigger configEpoch.
    sh(
        &mut c,
        "redis-cli -p 7001 CLUSTER SETSLOT 3300 NODE $(redis-cli -p 7001 CLUSTER MYID)",
    );
    assert!(sh(&mut c, "redis-cli -p 7001 CLUSTER BUMPEPOCH").starts_with("BUMPED"));
    sh(&mut c, "sleep 3");
    let now = c.sim().now();
    let keys = |c: &Console, p| c.sim().db(p).map_or(0, |d| d.len(now));
    assert_eq!(keys(&c, 7000), 1, "b (slot 3300) is gone, x3 stays");
    assert_eq!(keys(&c, 7003), 1, "the replica got the DEL");
    assert_eq!(sh(&mut c, "redis-cli -p 7000 GET x3"), "\"1\"\n");
    assert!(sh(&mut c, "redis-cli -p 7000 GET b").starts_with("(error) MOVED 3300"));
}

/// `cluster_stats_messages_ping_sent` of a node.
fn pings_sent(c: &mut Console, port: u16) -> u64 {
    let info = sh(c, &format!("redis-cli -p {port} CLUSTER INFO"));
    info.lines()
        .find_map(|l| l.strip_prefix("cluster_stats_messages_ping_sent:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("ping counter")
}

#[test]
fn a_master_pausing_for_a_manual_failover_pings_its_replica_every_cron() {
    let mut c = cluster();
    // Without a failover, 7000 pings each of three nodes about once per half node timeout.
    let before = pings_sent(&mut c, 7000);
    sh(&mut c, "sleep 1");
    let quiet = pings_sent(&mut c, 7000) - before;
    // 7000's packets to 7003 are held, so the failover cannot finish while we count.
    sh(&mut c, "sim partition 7000 -> 7003");
    assert_eq!(sh(&mut c, "redis-cli -p 7003 CLUSTER FAILOVER"), "OK\n");
    let before = pings_sent(&mut c, 7000);
    sh(&mut c, "sleep 1");
    let paused = pings_sent(&mut c, 7000) - before;
    // clusterCron pings mf_slave every 100 ms: ten more in a second.
    assert!(
        paused >= quiet + 9,
        "{paused} pings while paused, {quiet} before"
    );
    sh(&mut c, "sim heal");
    sh(&mut c, "sleep 3");
    assert!(sh(&mut c, "redis-cli -p 7003 ROLE").starts_with("1) \"master\""));
}
