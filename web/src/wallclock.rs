//! The page's real clock, for one purpose only: bounding how long a clock tick may spend
//! simulating, so that a world too big for the chosen speed slows down instead of freezing
//! the page. The simulation itself never reads it.

/// Real milliseconds since the page (or the worker) started: `performance.now()` of the
/// global scope, which a Web Worker has too. Outside a browser (the state's native unit tests)
/// it stands still, so a tick always runs everything it owes and tests stay exact.
pub fn now_ms() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsCast;
        js_sys::Reflect::get(&js_sys::global(), &"performance".into())
            .ok()
            .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
            .map_or(0.0, |p| p.now())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}
