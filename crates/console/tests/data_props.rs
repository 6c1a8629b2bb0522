//! Property: a cluster-aware client writing through random failovers never loses a write the
//! ledger does not explain, and every key ends on the master that owns its slot.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

use cluster_proto::key_hash_slot;
use console::Console;
use proptest::prelude::*;

const PORTS: [u16; 6] = [7000, 7001, 7002, 7003, 7004, 7005];

/// One fault, after some virtual time.
fn fault() -> impl Strategy<Value = (u32, String)> {
    (0u32..8, 0usize..6, 200u32..4000).prop_map(|(kind, i, wait)| {
        let p = PORTS[i];
        let line = match kind {
            0 => format!("sim kill {p}"),
            1 => format!("sim crash {p}"),
            2 => format!("sim restart {p}"),
            3 => format!("sim partition {p}"),
            4 => format!("sim pause {p} 3"),
            5 => "sim heal".to_string(),
            6 => format!("sim latency {} {p} {}", wait % 80, PORTS[(i + 3) % 6]),
            _ => format!("sim partition {p},{} ", PORTS[(i + 1) % 6]),
        };
        (wait, line)
    })
}

/// 3 masters with a replica each, and a client writing `SET key:N N` 50 times a second.
fn cluster(seed: u64, entry: u16) -> Console {
    let mut c = Console::new(seed);
    for p in PORTS {
        c.eval_shell(&format!(
            "redis-server --port {p} --cluster-enabled yes --cluster-node-timeout 1000 --daemonize yes"
        ));
    }
    c.eval_shell("redis-cli --cluster create 127.0.0.1:7000 127.0.0.1:7001 127.0.0.1:7002 --cluster-replicas 0 --cluster-yes");
    for (replica, master) in [(7003, 7000), (7004, 7001), (7005, 7002)] {
        c.eval_shell(&format!("redis-cli --cluster add-node 127.0.0.1:{replica} 127.0.0.1:7000 --cluster-slave --cluster-master-id $(redis-cli -p {master} CLUSTER MYID)"));
    }
    c.eval_shell("sleep 8");
    c.eval_shell(&format!("sim load sequence 50 {entry}"));
    c
}

/// Who serves each slot after the cluster settled: the masters claiming it themselves.
fn owners(c: &Console) -> BTreeMap<u16, u16> {
    let mut owners = BTreeMap::new();
    for (port, host) in c.sim().hosts() {
        let Some(node) = host.cluster.as_ref().filter(|_| host.is_running()) else {
            continue;
        };
        if node.myself().is_replica() {
            continue;
        }
        for (a, b) in node.myself().slots.ranges() {
            for s in a..=b {
                owners.insert(s, port);
            }
        }
    }
    owners
}

proptest! {
    // 24 cases in CI; CLUSTERLAB_PROP_CASES=N runs more by hand.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("CLUSTERLAB_PROP_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(24),
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_missing_write_is_explained_and_keys_live_with_their_slot(
        seed in 1u64..1000,
        entry in 0usize..6,
        faults in proptest::collection::vec(fault(), 1..8),
    ) {
        let mut c = cluster(seed, PORTS[entry]);
        for (wait, line) in &faults {
            c.eval_shell(&format!("sleep {}", f64::from(*wait) / 1000.0));
            c.eval_shell(line);
        }
        // Heal everything and let the cluster settle.
        c.eval_shell("sim heal");
        c.eval_shell("sleep 4");
        for p in PORTS {
            c.eval_shell(&format!("sim restart {p}"));
        }
        c.eval_shell("sleep 30");
        c.eval_shell("sim load stop");
        let owners = owners(&c);
        let now = c.sim().now();
        // Every acknowledged write the ledger does not call lost is where its slot is served.
        for w in c.sim().ledger().acked() {
            let Some(rest) = w.command.strip_prefix("SET key:") else { continue };
            let (n, value) = rest.split_once(' ').expect("SET key:N N");
            let key = format!("key:{n}");
            let slot = key_hash_slot(key.as_bytes());
            let Some(&owner) = owners.get(&slot) else {
                // A slot nobody serves (its whole shard is down): nothing to check there.
                continue;
            };
            let stored = c.sim().db(owner).and_then(|db| db.get(key.as_bytes(), now)).cloned();
            prop_assert_eq!(
                stored,
                Some(cluster_sim::Value::Str(value.as_bytes().to_vec())),
                "{} acknowledged by {} is missing on {} (slot {}) and the ledger does not explain it; faults: {:?}",
                w.command, w.port, owner, slot, faults
            );
        }
        // Every key a master holds belongs to a slot it serves.
        for (port, host) in c.sim().hosts() {
            if !host.is_running() || host.replica_of.is_some() {
                continue;
            }
            for key in host.db.keys(now) {
                let slot = key_hash_slot(key);
                prop_assert_eq!(owners.get(&slot), Some(&port), "key {:?} on {}", String::from_utf8_lossy(key), port);
            }
        }
    }
}
