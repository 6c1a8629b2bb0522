//! Line splitting: redis-cli's argument splitting and the shell's word splitting, on any bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = console::split_args(data);
    if let Ok(line) = std::str::from_utf8(data) {
        let _ = console::split_shell(line);
    }
});
