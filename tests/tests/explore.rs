//! The fault explorer in CI: a batch of random plans must break no invariant, and the
//! reproductions it wrote for bugs it found (now fixed) stay fixed. `clusterlab explore
//! --seeds N` runs more by hand; `CLUSTERLAB_EXPLORE_SEEDS=N` sets this test's batch.

use console::Console;
use console::explore::{Plan, Rule, run_scenario};

fn read(name: &str) -> String {
    let path = format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn random_clusters_under_random_faults_break_no_invariant() {
    let seeds: u64 = std::env::var("CLUSTERLAB_EXPLORE_SEEDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(30);
    let (mut virtual_ms, mut faults, mut elections) = (0, 0, 0);
    for seed in 1..=seeds {
        let plan = Plan::random(seed);
        let report = plan.run();
        virtual_ms += report.virtual_ms;
        faults += report.faults;
        elections += report.elections;
        let violations: Vec<String> = report
            .violations()
            .map(|f| format!("[{}] {}", f.rule.name(), f.text))
            .collect();
        assert!(
            violations.is_empty(),
            "seed {seed} breaks invariants (reproduce: clusterlab explore --from {seed} --seeds 1): {violations:#?}"
        );
    }
    // The batch really exercised failover, not an idle cluster.
    assert!(
        elections > 10 && faults > 100,
        "{elections} elections, {faults} faults"
    );
    println!(
        "{seeds} seeds, {:.2} virtual hours, {faults} faults, {elections} elections: no violation",
        virtual_ms as f64 / 3_600_000.0
    );
}

#[test]
fn the_seeds_that_found_bugs_stay_fixed() {
    // docs/RELIABILITY.md lists what each found (3 hung the world; 165 is Redis behaviour).
    for seed in [3, 11, 19, 63, 69, 72, 90, 165, 327, 440] {
        let report = Plan::random(seed).run();
        let violations: Vec<String> = report
            .violations()
            .map(|f| format!("[{}] {}", f.rule.name(), f.text))
            .collect();
        assert!(violations.is_empty(), "seed {seed}: {violations:#?}");
    }
}

#[test]
fn the_same_plan_gives_the_same_run() {
    let plan = Plan::random(7);
    assert_eq!(plan.run().trace_hash, plan.run().trace_hash);
}

#[test]
fn a_healed_partition_reconnects_and_the_cluster_agrees_again() {
    let report = run_scenario(&read("explore-partition-heal-reconnects.txt"));
    let broken: Vec<_> = report.violations().collect();
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
fn a_replica_promoted_before_its_first_sync_loses_the_masters_writes_and_says_so() {
    let report = run_scenario(&read("explore-promoted-before-sync.txt"));
    let broken: Vec<_> = report.violations().collect();
    assert!(broken.is_empty(), "{broken:#?}");
    assert!(
        report
            .lost_reasons
            .iter()
            .any(|r| r.contains("was promoted before it had synced with")),
        "{:?}",
        report.lost_reasons.first()
    );
}

/// The scenario breaks no invariant, and the explorer reports `rule` as Redis behaviour whose
/// explanation mentions `why`.
fn assert_redis_behaviour(file: &str, rule: Rule, why: &str) {
    let report = run_scenario(&read(file));
    assert_eq!(report.violations().count(), 0, "{:#?}", report.findings);
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.rule == rule && f.redis_behaviour.is_some_and(|w| w.contains(why))),
        "{:#?}",
        report.findings
    );
}

#[test]
fn two_winners_after_a_takeover_are_redis_behaviour_not_a_bug() {
    assert_redis_behaviour(
        "explore-takeover-two-winners.txt",
        Rule::OneWinnerPerEpoch,
        "TAKEOVER",
    );
}

#[test]
fn a_stale_vote_win_is_redis_behaviour_not_a_bug() {
    assert_redis_behaviour("stale-vote-failover.txt", Rule::StaleVoteWin, "stale-vote");
}

#[test]
fn a_server_crashed_while_paused_restarts_without_freezing_the_world() {
    // Found by the explorer (seed 3): a restarted server still counted as paused, and its
    // replication retries were scheduled in the past, forever, in one virtual millisecond.
    let mut c = Console::new(3);
    for p in 7000..=7005 {
        c.eval_shell(&format!(
            "redis-server --port {p} --cluster-enabled yes --daemonize yes"
        ));
    }
    c.eval_shell("redis-cli --cluster create 127.0.0.1:7000 127.0.0.1:7001 127.0.0.1:7002 127.0.0.1:7003 127.0.0.1:7004 127.0.0.1:7005 --cluster-replicas 1 --cluster-yes");
    c.eval_shell("sleep 10");
    c.eval_shell("sim pause 7005 43.487");
    c.eval_shell("sleep 5.907");
    c.eval_shell("sim crash 7005");
    c.eval_shell("sim restart 7005");
    let before = c.sim().now();
    c.eval_shell("sleep 150");
    assert_eq!(c.sim().now() - before, 150_000);
    assert_eq!(c.sim().stalled(), None, "the world livelocked");
    let role = c.eval_shell("redis-cli -p 7005 ROLE").text;
    assert!(
        role.contains("slave") && role.contains("connected"),
        "{role}"
    );
}

#[test]
fn a_virtual_hour_of_faults_keeps_every_buffer_bounded() {
    let mut samples = Vec::new();
    let findings = console::explore::soak::soak(5, 3, 1, |s| samples.push(s.clone()));
    let violations: Vec<_> = findings
        .iter()
        .filter(|f| f.redis_behaviour.is_none())
        .collect();
    assert!(violations.is_empty(), "{violations:#?}");
    let s = samples.last().expect("an hour was reported");
    assert!(s.faults > 50 && s.elections > 5, "{s:?}");
    let [story, wire, acked, lost, logs] = s.kept;
    assert!(
        story <= cluster_sim::MAX_STORY && wire <= cluster_sim::MAX_WIRE,
        "{s:?}"
    );
    assert!(
        acked <= cluster_sim::MAX_ACKED && lost <= cluster_sim::MAX_LOST,
        "{s:?}"
    );
    // Six servers, each keeping at most a tenth more than its bound between trims.
    assert!(logs <= 6 * cluster_sim::MAX_LOG_LINES * 11 / 10, "{s:?}");
}
