//! The page's real clock, for one purpose only: bounding how long a clock tick may spend
//! simulating, so that a world too big for the chosen speed slows down instead of freezing
//! the page. The simulation itself never reads it.

/// Real milliseconds since the page loaded. Outside a browser (the state's native unit
/// tests) it stands still, so a tick always runs everything it owes and tests stay exact.
pub fn now_ms() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window()
            .and_then(|w| w.performance())
            .map_or(0.0, |p| p.now())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}
