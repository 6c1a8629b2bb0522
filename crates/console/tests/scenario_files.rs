//! The project's scenario files, embedded so that they also run in the browser: the same file
//! and seed must give the same transcript natively and as wasm.
use console::run_scenario;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const FILES: &[(&str, &str)] = &[
    (
        "lone-node.txt",
        include_str!("../../../tests/scenarios/lone-node.txt"),
    ),
    (
        "redis-cli-basics.txt",
        include_str!("../../../tests/scenarios/redis-cli-basics.txt"),
    ),
];

/// FNV-1a, enough to pin a transcript without a hashing dependency.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn embedded_scenarios_pass() {
    for (name, text) in FILES {
        let report = run_scenario(text, 1);
        assert!(report.passed(), "{name}: {:?}", report.mismatches);
    }
}

#[test]
fn lone_node_transcript_is_the_same_on_every_platform() {
    // Recorded from a native run; the wasm run of this test must produce the same bytes.
    let transcript = run_scenario(FILES[0].1, 1).transcript;
    assert!(transcript.contains(
        "d48ede90b9e61d231ac086de2c05a77671f68c84 :7000@17000 myself,master - 0 0 0 connected\n"
    ));
    assert_eq!(
        fnv1a(&transcript),
        LONE_NODE_SEED1_HASH,
        "transcript:\n{transcript}"
    );
}

// Update when lone-node.txt changes: `cargo test -p console --test scenario_files` prints the new value.
const LONE_NODE_SEED1_HASH: u64 = 9_171_581_502_215_318_458;
