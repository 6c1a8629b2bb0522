//! Command parsing and execution: any line typed in the shell, then inside redis-cli, on a
//! fresh world with one node (the console must answer, never panic).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut c = console::Console::new(1);
    c.eval_shell("redis-server --port 7000 --cluster-enabled yes --daemonize yes");
    // Bounded: a fuzzer's `sleep 1e9` would only measure patience.
    for line in text.lines().take(8).filter(|l| !l.contains("sleep")) {
        let _ = c.eval(line);
        let _ = c.eval_at("127.0.0.1", 7000, line);
    }
    let argv: Vec<Vec<u8>> = data.split(|&b| b == b' ').map(<[u8]>::to_vec).collect();
    let _ = console::parse_cli_args(&argv.iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect::<Vec<_>>());
});
