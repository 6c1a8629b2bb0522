//! What the console's integration tests share: starting servers and making the usual cluster.
// Each test file uses its own part of this module.
#![allow(dead_code)]

use console::Console;

/// `redis-server --port P --cluster-enabled yes [options] --daemonize yes` for every port.
pub fn start_servers(c: &mut Console, ports: std::ops::RangeInclusive<u16>, options: &str) {
    let options = if options.is_empty() {
        String::new()
    } else {
        format!(" {options}")
    };
    for p in ports {
        c.eval_shell(&format!(
            "redis-server --port {p} --cluster-enabled yes{options} --daemonize yes"
        ));
    }
}

/// A console with seed `seed` whose servers 7000, 7001 and 7002 (started with `options`) form
/// a cluster of three masters.
pub fn three_masters(seed: u64, options: &str) -> Console {
    let mut c = Console::new(seed);
    start_servers(&mut c, 7000..=7002, options);
    create_three_masters(&mut c);
    c
}

/// `redis-cli --cluster create` of 7000, 7001 and 7002, without replicas.
pub fn create_three_masters(c: &mut Console) {
    c.eval_shell("redis-cli --cluster create 127.0.0.1:7000 127.0.0.1:7001 127.0.0.1:7002 --cluster-replicas 0 --cluster-yes");
}
