//! The story: state changes in plain words with the rule and the numbers behind them.
use cluster_sim::Weight;
use console::Console;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

/// The seed, by hand: three masters, 7003 replicates 7000, 7000 is killed.
fn seed_until_promotion() -> Console {
    let mut c = Console::new(1);
    common::start_servers(&mut c, 7000..=7003, "--cluster-node-timeout 2000");
    common::create_three_masters(&mut c);
    c.eval_at("127.0.0.1", 7003, "CLUSTER MEET 127.0.0.1 7000");
    c.eval_shell("sleep 2");
    c.eval_at(
        "127.0.0.1",
        7003,
        "CLUSTER REPLICATE $(redis-cli -p 7000 CLUSTER MYID)",
    );
    c.eval_shell("sleep 10");
    c.eval_shell("sim kill 7000");
    c.eval_shell("sleep 10");
    c
}

fn texts(c: &Console) -> Vec<String> {
    c.sim().story().entries().map(|e| e.text.clone()).collect()
}

#[test]
fn failover_is_told_with_its_reasons_and_numbers() {
    let c = seed_until_promotion();
    let story = texts(&c);
    let find = |needle: &str| {
        story
            .iter()
            .find(|t| t.contains(needle))
            .unwrap_or_else(|| panic!("no story entry with {needle:?} in {story:#?}"))
            .clone()
    };
    assert!(find("was sent SIGINT").starts_with("7000 "));
    // A suspicion names its timeout.
    let pfail = find("suspects 7000 (PFAIL)");
    assert!(pfail.contains("node-timeout 2000 ms"), "{pfail}");
    // FAIL names the reporters with their ages, and the quorum of three masters. Any node
    // may count the reports; a master counts itself too.
    let fail = find("marks 7000 as FAIL: failure reports from");
    let marker = &fail[..4];
    assert!(fail.contains("make 2;"), "{fail}");
    assert!(fail.contains("the quorum of 3 masters is 2"), "{fail}");
    assert!(fail.contains(" s old)"), "{fail}");
    assert_eq!(fail.contains("plus itself"), marker != "7003", "{fail}");
    // The others agree because of the broadcast, not by counting.
    find(&format!("because {marker} broadcast a FAIL message"));
    // The election, with its delay formula, the votes and the new epoch.
    let delay = find("7003 will ask for votes in");
    assert!(delay.contains("1000 ms × rank 0"), "{delay}");
    assert!(find("7003 starts an election").contains("currentEpoch to 4"));
    find("votes for 7003 in epoch 4");
    find("7003 won the election with 2 votes of the 2 needed");
    find("7003 takes configEpoch 4");
    // Entries are in time order with increasing sequence numbers.
    let entries: Vec<_> = c.sim().story().entries().collect();
    assert!(
        entries
            .windows(2)
            .all(|w| w[0].seq + 1 == w[1].seq && w[0].time <= w[1].time)
    );
    assert!(entries.iter().any(|e| e.weight == Weight::Major));
}

#[test]
fn the_wire_records_each_message_type_and_drops_in_a_partition() {
    let mut c = seed_until_promotion();
    let wire = c.sim().wire();
    let kinds: Vec<_> = wire.since(0).map(|m| m.kind).collect();
    use cluster_proto::MsgType;
    for k in [MsgType::Ping, MsgType::Pong] {
        assert!(kinds.contains(&k), "{k:?} missing");
    }
    let before = c.sim().wire().next_seq();
    c.eval_shell("sim partition 7001 7002,7003");
    c.eval_shell("sleep 2");
    let dropped: Vec<_> = c
        .sim()
        .wire()
        .since(before)
        .filter(|m| m.arrives.is_none())
        .collect();
    assert!(!dropped.is_empty(), "a partition drops messages");
    assert!(
        dropped
            .iter()
            .all(|m| (m.from == 7001) != (m.to == 7001) || m.from == 7000 || m.to == 7000)
    );
    assert!(
        texts(&c)
            .last()
            .is_some_and(|t| t.contains("The network is split: [7001] and [7002, 7003]"))
    );
}

#[test]
fn run_until_change_stops_at_the_next_major_entry() {
    let mut c = common::three_masters(1, "--cluster-node-timeout 2000");
    c.eval_shell("sleep 5");
    c.sim_mut().drain_story();
    c.eval_shell("sim crash 7000");
    let killed = c.sim().now();
    // The first change after a crash is one node's suspicion, after node-timeout.
    assert!(c.sim_mut().run_until_change(60_000));
    let story = c.sim_mut().drain_story();
    let last = story.last().expect("an entry");
    assert!(last.text.contains("suspects 7000 (PFAIL)"), "{}", last.text);
    assert!(last.time - killed >= 2000, "PFAIL only after node-timeout");
    assert_eq!(last.time, c.sim().now(), "it stops right at the change");
    // A quiet world runs to the limit and says so.
    let mut quiet = Console::new(1);
    quiet.eval_shell("redis-server --port 7000 --cluster-enabled yes --daemonize yes");
    quiet.eval_shell("sleep 1");
    quiet.sim_mut().drain_story();
    let start = quiet.sim().now();
    assert!(!quiet.sim_mut().run_until_change(5000));
    assert_eq!(quiet.sim().now() - start, 5000);
}
