//! Determinism: the seed failover gives the same transcript and the same trace hash twice, and
//! the same values natively and as wasm in headless Chromium (this file runs in both; the
//! constants were recorded by a native run).
use console::run_scenario;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const SEED_FAILOVER: &str = include_str!("../../../tests/scenarios/seed-failover.txt");

/// FNV-1a of the transcript.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

// Recorded natively; update both when the simulation changes on purpose (the failing test
// prints the new values).
const TRANSCRIPT_HASH_SEED_1: u64 = 1_807_126_539_765_099_539;
const TRACE_HASH_SEED_1: u64 = 13_967_515_352_459_239_638;

#[test]
fn seed_failover_is_reproducible() {
    let a = run_scenario(SEED_FAILOVER, 1);
    let b = run_scenario(SEED_FAILOVER, 1);
    assert!(a.passed(), "{:?}", a.mismatches);
    assert_eq!(a.transcript, b.transcript);
    assert_eq!(a.trace_hash, b.trace_hash);
    assert_eq!(
        (fnv1a(&a.transcript), a.trace_hash),
        (TRANSCRIPT_HASH_SEED_1, TRACE_HASH_SEED_1),
        "transcript and trace hashes differ from the recorded ones"
    );
}

#[test]
fn another_seed_gives_another_history() {
    let a = run_scenario(SEED_FAILOVER, 1);
    let b = run_scenario(SEED_FAILOVER, 2);
    assert!(b.passed(), "{:?}", b.mismatches);
    assert_ne!(a.trace_hash, b.trace_hash);
    assert_ne!(a.transcript, b.transcript);
}

/// More worlds, with partitions, one-way cuts, pauses, loss, kills and a client writing
/// through failovers: (name, file, trace hash recorded natively).
const MORE: [(&str, &str, u64); 4] = [
    (
        "pause-and-one-way-partition",
        include_str!("../../../tests/scenarios/pause-and-one-way-partition.txt"),
        16_188_565_577_655_055_517,
    ),
    (
        "lost-writes-on-failover",
        include_str!("../../../tests/scenarios/lost-writes-on-failover.txt"),
        12_619_201_217_303_191_945,
    ),
    (
        "load-through-failover",
        include_str!("../../../tests/scenarios/load-through-failover.txt"),
        12_811_139_492_094_146_710,
    ),
    (
        "explore-partition-heal-reconnects",
        include_str!("../../../tests/scenarios/explore-partition-heal-reconnects.txt"),
        10_656_181_516_223_024_352,
    ),
];

/// A fault explorer plan (random cluster, faults, loss, latency), recorded natively.
const EXPLORE_SEED_13_TRACE_HASH: u64 = 2_884_678_328_850_278_131;

#[test]
fn several_worlds_hash_the_same_natively_and_in_wasm() {
    let mut got = Vec::new();
    for (name, text, _) in MORE {
        let run = run_scenario(text, 1);
        assert!(run.passed(), "{name}: {:?}", run.mismatches.first());
        got.push(run.trace_hash);
    }
    let explore = console::explore::Plan::random(13).run();
    assert_eq!(explore.violations().count(), 0);
    got.push(explore.trace_hash);
    let mut want: Vec<u64> = MORE.iter().map(|m| m.2).collect();
    want.push(EXPLORE_SEED_13_TRACE_HASH);
    assert_eq!(got, want, "trace hashes differ from the recorded ones");
}
