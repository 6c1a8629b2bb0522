//! The page that embeds the playground. Messages to it (`postMessage` to the parent frame):
//! `clusterlab:ready`, `clusterlab:state`, `clusterlab:output`, `clusterlab:node-promoted`
//! (`port`), `clusterlab:exercise-completed` (`exercise`, `title`) and `clusterlab:error`
//! (`message`). They carry nothing secret (only the simulated world), so any host may receive
//! them; a host should check `event.origin` before trusting one. Messages from it are read only
//! from the parent frame itself (see [`listen`]).

use serde::Serialize;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen::closure::Closure;

use crate::api::HostRequest;

/// The parent frame, if the playground is embedded.
fn parent() -> Option<web_sys::Window> {
    let window = web_sys::window()?;
    let parent = window.parent().ok()??;
    (parent != window).then_some(parent)
}

/// Whether the playground is in a frame (a host page to tell things to).
pub fn in_frame() -> bool {
    parent().is_some()
}

fn send(msg: &js_sys::Object, kind: &str) {
    let Some(parent) = parent() else {
        return;
    };
    let _ = js_sys::Reflect::set(
        msg,
        &JsValue::from_str("type"),
        &JsValue::from_str(&format!("clusterlab:{kind}")),
    );
    let _ = parent.post_message(msg, "*");
}

/// Posts `{type: "clusterlab:<kind>", ...fields}` to the parent frame, if there is one.
pub fn post(kind: &str, fields: &[(&str, JsValue)]) {
    let msg = js_sys::Object::new();
    for (k, v) in fields {
        let _ = js_sys::Reflect::set(&msg, &JsValue::from_str(k), v);
    }
    send(&msg, kind);
}

/// Posts `{type: "clusterlab:<kind>", ...payload}`, the payload's fields made by serde.
pub fn post_value<T: Serialize>(kind: &str, payload: &T) {
    if parent().is_none() {
        return;
    }
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    if let Ok(value) = payload.serialize(&serializer)
        && let Ok(msg) = value.dyn_into::<js_sys::Object>()
    {
        send(&msg, kind);
    }
}

/// Listens to the parent frame's messages while it is kept; dropping it stops listening.
#[derive(Debug)]
pub struct Listener {
    closure: Closure<dyn FnMut(web_sys::MessageEvent)>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            let _ = window.remove_event_listener_with_callback(
                "message",
                self.closure.as_ref().unchecked_ref(),
            );
        }
    }
}

/// Calls `handle` for each ClusterLab message the parent frame posts (checked: see
/// [`crate::api::read`]); messages from anywhere else (other frames, the page itself) are
/// ignored. `None` when the playground is not in a frame.
pub fn listen(handle: impl Fn(Result<HostRequest, String>) + 'static) -> Option<Listener> {
    let parent = parent()?;
    let window = web_sys::window()?;
    let closure =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let from_parent = e
                .source()
                .is_some_and(|s| js_sys::Object::is(&s, parent.as_ref()));
            if !from_parent {
                return;
            }
            if let Some(request) = crate::api::read(&e.data()) {
                handle(request);
            }
        });
    window
        .add_event_listener_with_callback("message", closure.as_ref().unchecked_ref())
        .ok()?;
    Some(Listener { closure })
}
