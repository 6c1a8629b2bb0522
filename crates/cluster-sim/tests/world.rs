//! The simulated world: virtual time, process start, determinism.
use cluster_sim::{ServerConfig, Simulator};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn config(args: &str) -> ServerConfig {
    let words: Vec<String> = args.split_whitespace().map(String::from).collect();
    ServerConfig::from_args(&words).expect("valid options")
}

fn cluster_size(sim: &Simulator, port: u16) -> usize {
    sim.running(port)
        .and_then(|h| h.cluster.as_ref())
        .expect("a cluster node")
        .cluster_size()
}

#[test]
fn time_moves_only_when_advanced() {
    let mut sim = Simulator::new(1);
    let t0 = sim.now();
    assert!(sim.start_server(config("--port 7000 --cluster-enabled yes")));
    assert_eq!(sim.now(), t0);
    sim.advance(1500);
    assert_eq!(sim.now() - t0, 1500);
}

#[test]
fn writable_delay_keeps_cluster_size_one_for_two_seconds() {
    // clusterUpdateState returns early for a failed master during CLUSTER_WRITABLE_DELAY
    // (2000 ms after its first call, which is the first cron, 1 ms after start).
    let mut sim = Simulator::new(1);
    sim.start_server(config("--port 7000 --cluster-enabled yes"));
    sim.advance(2000);
    assert_eq!(cluster_size(&sim, 7000), 1);
    sim.advance(100);
    assert_eq!(cluster_size(&sim, 7000), 0);
}

#[test]
fn a_busy_port_refuses_a_second_server() {
    let mut sim = Simulator::new(1);
    assert!(sim.start_server(config("--port 7000 --cluster-enabled yes")));
    assert!(!sim.start_server(config("--port 7000")));
    assert!(sim.running(7000).and_then(|h| h.cluster.as_ref()).is_some());
}

#[test]
fn same_seed_same_world() {
    let run = |seed| {
        let mut sim = Simulator::new(seed);
        sim.start_server(config("--port 7000 --cluster-enabled yes"));
        sim.start_server(config("--port 7001 --cluster-enabled yes"));
        sim.advance(5000);
        let ids: Vec<String> = [7000, 7001]
            .iter()
            .map(|&p| {
                sim.running(p)
                    .and_then(|h| h.cluster.as_ref())
                    .map(|c| c.myself_id().to_string())
                    .unwrap_or_default()
            })
            .collect();
        let log: Vec<String> = sim.running(7000).map(|h| h.log.clone()).unwrap_or_default();
        (ids, log, sim.drain_trace().len())
    };
    assert_eq!(run(9), run(9));
    assert_ne!(run(9).0, run(10).0);
    // Each node's id depends on the seed and its own port only.
    assert_ne!(run(9).0[0], run(9).0[1]);
}

#[test]
fn reseeding_is_refused_once_a_node_runs() {
    let mut sim = Simulator::new(1);
    assert!(sim.reseed(2).is_ok());
    sim.start_server(config("--port 7000"));
    assert!(sim.reseed(3).is_err());
}
