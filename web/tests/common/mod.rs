//! What the browser tests share: a fresh element to mount into, the whole app mounted there,
//! and the terminal driven the way a person types.
// Each test file uses its own part of this module.
#![allow(dead_code)]

use clusterlab_web::app::App;
use wasm_bindgen::JsCast;
use web_sys::{
    Element, HtmlElement, HtmlInputElement, InputEvent, InputEventInit, KeyboardEvent,
    KeyboardEventInit,
};

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

/// The app in a fresh element, without the history another test saved.
pub async fn mount_app() -> Element {
    if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = s.remove_item(clusterlab_web::components::terminal::HISTORY_KEY);
    }
    mount_app_keeping_history().await
}

/// The app in a fresh element, with whatever history was saved (a reload).
pub async fn mount_app_keeping_history() -> Element {
    let root = fresh_root();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    root
}

/// The element `selector` names; panics if there is none.
pub fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .expect("valid selector")
        .unwrap_or_else(|| panic!("{selector} is on the page"))
}

/// The terminal's input line.
pub fn input(root: &Element) -> HtmlInputElement {
    find(root, ".terminal-input")
        .dyn_into()
        .expect("an <input>")
}

/// A key pressed in the input line (with Ctrl if `ctrl`).
pub async fn key_with(root: &Element, name: &str, ctrl: bool) {
    let init = KeyboardEventInit::new();
    init.set_key(name);
    init.set_ctrl_key(ctrl);
    init.set_bubbles(true);
    let ev = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("event");
    input(root).dispatch_event(&ev).expect("dispatch");
    yew::scheduler::flush().await;
}

/// A key pressed in the input line.
pub async fn key(root: &Element, name: &str) {
    key_with(root, name, false).await;
}

/// Text typed into the input line (replacing what was there).
pub async fn type_text(root: &Element, text: &str) {
    let field = input(root);
    field.set_value(text);
    let init = InputEventInit::new();
    init.set_bubbles(true);
    let ev = InputEvent::new_with_event_init_dict("input", &init).expect("event");
    field.dispatch_event(&ev).expect("dispatch");
    yew::scheduler::flush().await;
}

/// A line typed and Enter pressed; returns once it has run. A line that waits on virtual
/// time may go on over the clock's ticks (the terminal shows it running meanwhile).
pub async fn type_line(root: &Element, text: &str) {
    type_text(root, text).await;
    key(root, "Enter").await;
    until_idle(root).await;
}

/// Real time passing: the page's timers and the playground's ticks run meanwhile.
pub async fn pause_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .expect("a window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("a timeout");
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .expect("the timeout fires");
    yew::scheduler::flush().await;
}

/// Waits (up to a minute of real time) until no line runs and the prompt is back.
pub async fn until_idle(root: &Element) {
    for _ in 0..3000 {
        if root
            .query_selector(".terminal-running")
            .expect("valid selector")
            .is_none()
        {
            return;
        }
        pause_ms(20).await;
    }
    panic!("the terminal still runs a line after a minute");
}

/// The terminal's scrollback lines.
pub fn terminal_lines(root: &Element) -> Vec<String> {
    let list = root.query_selector_all(".terminal-line").expect("selector");
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.text_content())
        .collect()
}

/// A click on the HTML element `selector` names.
pub async fn click(root: &Element, selector: &str) {
    let el: HtmlElement = find(root, selector).dyn_into().expect("an HTML element");
    el.click();
    yew::scheduler::flush().await;
    until_idle(root).await;
}
