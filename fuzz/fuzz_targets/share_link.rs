//! Share links: any fragment, and any bytes through the decompressor.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(state) = console::share::SharedState::from_fragment(text) {
            // What decodes must encode and decode to the same state.
            let again = console::share::SharedState::from_fragment(&state.to_fragment());
            assert_eq!(again, Ok(state));
        }
    }
    let _ = console::share::decompress(data, 256 * 1024);
});
