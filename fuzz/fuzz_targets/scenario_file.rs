//! Scenario and exercise files: parsing any text (what a loaded file or a teacher's exercise
//! may contain), and the embed options a host page may send.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = console::Scenario::parse(text);
    let _ = console::exercise::Exercise::parse(text);
    let _ = console::embed::check_scenario_text(text);
    let _ = console::embed::parse_query(text);
    let _ = console::panels::Panels::parse(text);
});
