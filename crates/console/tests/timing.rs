//! The seed failover's virtual-time timings stay inside what the protocol's formulas allow
//! (protocol-facts.md §1, §9, §11.4), for every seed tried. Virtual time only.
use console::timing::{formula_bounds, seed_failover_timing};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn check(node_timeout: u64, seeds: std::ops::RangeInclusive<u64>) {
    let [(_, pmin, pmax), (_, fmin, fmax), (_, mmin, mmax)] = formula_bounds(node_timeout);
    for seed in seeds {
        let t = seed_failover_timing(seed, node_timeout);
        let fail = t
            .fail
            .unwrap_or_else(|| panic!("seed {seed}: 7003 never saw FAIL"));
        let promoted = t
            .promoted
            .unwrap_or_else(|| panic!("seed {seed}: 7003 was never promoted"));
        if let Some(p) = t.pfail {
            assert!((pmin..=pmax).contains(&p), "seed {seed}: fail? at {p} ms");
            assert!(p <= fail, "seed {seed}: fail? after fail");
        }
        assert!(
            (fmin..=fmax).contains(&fail),
            "seed {seed}: fail at {fail} ms"
        );
        assert!(
            (mmin..=mmax).contains(&promoted),
            "seed {seed}: promoted at {promoted} ms"
        );
        // The election waits at least 500 ms after the FAIL (rank 0: no sibling replica).
        assert!(
            promoted >= fail + 500,
            "seed {seed}: promoted {promoted} ms, fail {fail} ms"
        );
    }
}

#[test]
fn node_timeout_2000() {
    check(2000, 1..=20);
}

#[test]
fn node_timeout_15000() {
    check(15000, 1..=10);
}
