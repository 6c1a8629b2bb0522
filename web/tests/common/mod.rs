//! What the browser tests share: a fresh element to mount a component into.

use web_sys::Element;

/// A new, empty `div` appended to the page's body, so that tests do not see each other's DOM.
pub fn fresh_root() -> Element {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("a document");
    let root = document.create_element("div").expect("div");
    document
        .body()
        .expect("body")
        .append_child(&root)
        .expect("append");
    root
}
