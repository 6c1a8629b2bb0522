//! Messages to the page that embeds the playground (`postMessage` to the parent frame):
//! `clusterlab:ready`, `clusterlab:node-promoted` (`port`) and
//! `clusterlab:exercise-completed` (`exercise`, `title`). They carry nothing secret, so any
//! host may receive them; a host should check `event.origin` before trusting one.

use wasm_bindgen::JsValue;

/// Posts `{type: "clusterlab:<kind>", ...fields}` to the parent frame, if there is one.
pub fn post(kind: &str, fields: &[(&str, JsValue)]) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(Some(parent)) = window.parent() else {
        return;
    };
    if parent == window {
        return; // not in a frame
    }
    let msg = js_sys::Object::new();
    let set = |k: &str, v: &JsValue| {
        let _ = js_sys::Reflect::set(&msg, &JsValue::from_str(k), v);
    };
    set("type", &JsValue::from_str(&format!("clusterlab:{kind}")));
    for (k, v) in fields {
        set(k, v);
    }
    let _ = parent.post_message(&msg, "*");
}
