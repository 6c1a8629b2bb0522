//! `clusterlab bench`: the simulator's speed at 6 to 1,000 nodes, natively. The same
//! benchmark runs as wasm in a browser (`node scripts/bench-web.mjs`); docs/PERFORMANCE.md
//! has the method and the numbers. Numbers only: no test depends on them.

use std::process::ExitCode;
use std::time::Instant;

use console::bench;

/// Runs the benchmark for the given sizes (all of [`bench::SIZES`] when none is given).
pub fn bench(sizes: &[String], steady_secs: u64) -> ExitCode {
    let sizes = match bench::parse_sizes(sizes) {
        Ok(sizes) => sizes,
        Err(e) => {
            eprintln!("clusterlab: {e}");
            return ExitCode::from(2);
        }
    };
    let start = Instant::now();
    let mut clock = || start.elapsed().as_secs_f64() * 1000.0;
    let mut gauge =
        || crate::explore::memory_mib("VmRSS:").map_or(0, |mib| (mib * 1024.0 * 1024.0) as u64);
    println!("{}", bench::seed_scenario_summary(&mut clock));
    println!("{}", bench::header());
    for n in sizes {
        let r = bench::run_size(n, steady_secs, &mut clock, &mut gauge);
        println!("{}", bench::format_row(&r));
    }
    ExitCode::SUCCESS
}
