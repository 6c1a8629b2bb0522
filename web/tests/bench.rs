//! The simulator's benchmark (`console::bench`) as wasm in headless Chromium, in a Web
//! Worker: the same code and sizes as `clusterlab bench`, timed with `performance.now()` and
//! with the wasm memory's size as the gauge. Ignored by the test suite (timing is not a
//! pass/fail matter); run it with `scripts/bench.sh`, which prints the table.
#![cfg(target_arch = "wasm32")]

use clusterlab_web::wallclock::now_ms;
use console::bench;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

// In a dedicated worker, as a simulator that must not block the page would run: a page busy
// for minutes (1,000 nodes) is killed by the browser's driver, a worker is not.
wasm_bindgen_test_configure!(run_in_dedicated_worker);

fn wasm_memory_bytes() -> u64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map_or(0, |m| {
            m.buffer()
                .dyn_into::<js_sys::ArrayBuffer>()
                .map_or(0, |b| b.byte_length() as u64)
        })
}

/// The sizes to run: `CLUSTERLAB_BENCH_SIZES` at build time (e.g. `6,30,100`), else all.
fn sizes() -> Vec<u16> {
    option_env!("CLUSTERLAB_BENCH_SIZES").map_or_else(
        || bench::SIZES.to_vec(),
        |s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect(),
    )
}

#[wasm_bindgen_test]
#[ignore = "a benchmark: run by scripts/bench.sh"]
fn simulator_speed_in_the_browser() {
    let mut clock = now_ms;
    let mut gauge = wasm_memory_bytes;
    console_log!("{}", bench::seed_scenario_summary(&mut clock));
    console_log!("{}", bench::header());
    let secs = option_env!("CLUSTERLAB_BENCH_SECONDS")
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    for n in sizes() {
        let r = bench::run_size(n, secs, &mut clock, &mut gauge);
        console_log!("{}", bench::format_row(&r));
    }
}
