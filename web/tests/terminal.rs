//! The terminal component in a real browser: mount it, type lines, let Yew render, read the DOM.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::Element;

mod common;

wasm_bindgen_test_configure!(run_in_browser);

use common::{
    click, find, input, key, key_with, mount_app as mount,
    mount_app_keeping_history as mount_keeping_history, terminal_lines as screen_lines, type_line,
    type_text,
};

fn prompt(root: &Element) -> String {
    root.query_selector(".terminal-prompt")
        .ok()
        .flatten()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn typing_commands_shows_redis_replies_and_changes_the_prompt() {
    let root = mount().await;
    assert_eq!(prompt(&root), "$ ");
    type_line(
        &root,
        "redis-server --port 7000 --cluster-enabled yes --daemonize yes",
    )
    .await;
    type_line(&root, "redis-cli -p 7000").await;
    assert_eq!(prompt(&root), "127.0.0.1:7000> ");
    type_line(&root, "CLUSTER KEYSLOT foo").await;
    let lines = screen_lines(&root);
    let n = lines.len();
    assert_eq!(lines[n - 2], "127.0.0.1:7000> CLUSTER KEYSLOT foo");
    assert_eq!(lines[n - 1], "(integer) 12182");
    assert_eq!(
        input(&root).value(),
        "",
        "the input line is cleared after Enter"
    );
    type_line(&root, "exit").await;
    assert_eq!(prompt(&root), "$ ");
    root.remove();
}

#[wasm_bindgen_test]
async fn arrow_keys_walk_the_history() {
    let root = mount().await;
    type_line(&root, "echo one").await;
    type_line(&root, "echo two").await;
    key(&root, "ArrowUp").await;
    assert_eq!(input(&root).value(), "echo two");
    key(&root, "ArrowUp").await;
    assert_eq!(input(&root).value(), "echo one");
    key(&root, "ArrowDown").await;
    assert_eq!(input(&root).value(), "echo two");
    key(&root, "ArrowDown").await;
    assert_eq!(input(&root).value(), "");
    root.remove();
}

#[wasm_bindgen_test]
async fn tab_completes_commands_and_subcommands() {
    let root = mount().await;
    type_text(&root, "redis-se").await;
    key(&root, "Tab").await;
    assert_eq!(input(&root).value(), "redis-server ");
    type_text(&root, "CLUSTER KEY").await;
    key(&root, "Tab").await;
    assert_eq!(input(&root).value(), "CLUSTER KEYSLOT ");
    root.remove();
}

#[wasm_bindgen_test]
async fn ctrl_c_abandons_the_line_and_ctrl_l_clears_the_screen() {
    let root = mount().await;
    type_text(&root, "redis-cli -p 7000").await;
    key_with(&root, "c", true).await;
    assert_eq!(input(&root).value(), "");
    let lines = screen_lines(&root);
    assert_eq!(
        lines.last().map(String::as_str),
        Some("$ redis-cli -p 7000^C")
    );
    key_with(&root, "l", true).await;
    assert!(screen_lines(&root).is_empty(), "the screen is cleared");
    assert_eq!(prompt(&root), "$ ");
    root.remove();
}

#[wasm_bindgen_test]
async fn history_survives_a_reload() {
    let root = mount().await;
    type_line(&root, "echo remembered").await;
    root.remove();
    let again = mount_keeping_history().await;
    key(&again, "ArrowUp").await;
    assert_eq!(input(&again).value(), "echo remembered");
    again.remove();
}

fn clock(root: &Element) -> String {
    root.query_selector(".clock")
        .ok()
        .flatten()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn the_clock_shows_virtual_time_and_steps_one_event() {
    let root = mount().await;
    assert_eq!(clock(&root), "14 Jan 2020 23:34:33.000 UTC");
    type_line(&root, "redis-server --port 7000 --cluster-enabled yes").await;
    // The first event is the node's first cron tick, a few ms after it started.
    click(&root, ".step").await;
    let after = clock(&root);
    assert!(
        after.starts_with("14 Jan 2020 23:34:33.") && after != "14 Jan 2020 23:34:33.000 UTC",
        "{after}"
    );
    // `sleep` moves the same clock.
    type_line(&root, "sleep 2").await;
    assert!(
        clock(&root).starts_with("14 Jan 2020 23:34:35."),
        "{}",
        clock(&root)
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn play_toggles_and_step_is_disabled_while_playing() {
    let root = mount().await;
    let play = root
        .query_selector(".play")
        .ok()
        .flatten()
        .expect("play button");
    assert_eq!(play.text_content().as_deref(), Some("Play"));
    click(&root, ".play").await;
    assert_eq!(play.text_content().as_deref(), Some("Pause"));
    assert_eq!(play.get_attribute("aria-pressed").as_deref(), Some("true"));
    let step = root
        .query_selector(".step")
        .ok()
        .flatten()
        .expect("step button");
    assert!(step.has_attribute("disabled"));
    click(&root, ".play").await;
    assert_eq!(play.text_content().as_deref(), Some("Play"));
    root.remove();
}

#[wasm_bindgen_test]
async fn choosing_a_node_opens_its_inspector() {
    let root = mount().await;
    type_line(
        &root,
        "redis-server --port 7000 --cluster-enabled yes --cluster-node-timeout 2000",
    )
    .await;
    type_line(
        &root,
        "redis-server --port 7001 --cluster-enabled yes --cluster-node-timeout 2000",
    )
    .await;
    type_line(&root, "redis-cli -p 7000 CLUSTER MEET 127.0.0.1 7001").await;
    type_line(&root, "sleep 3").await;
    assert!(root.query_selector(".inspector").ok().flatten().is_none());
    click(&root, ".belief-matrix .row-select").await;
    let inspector = root
        .query_selector(".inspector")
        .ok()
        .flatten()
        .expect("the inspector opens");
    let text = inspector.text_content().unwrap_or_default();
    assert!(text.contains("Node 7000"), "{text}");
    assert!(text.contains("currentEpoch"), "{text}");
    assert!(text.contains("repl offset"), "{text}");
    // Its table lists both nodes, with the peer's flags and a live link.
    let rows = inspector
        .query_selector_all(".known-nodes tbody tr")
        .expect("rows");
    assert_eq!(rows.length(), 2);
    assert!(text.contains("myself,master"), "{text}");
    assert!(text.contains("connected"), "{text}");
    // It follows the world: a command that changes the node shows at once.
    assert!(text.contains("configEpoch0"), "{text}");
    type_line(&root, "redis-cli -p 7000 CLUSTER BUMPEPOCH").await;
    let after = find(&root, ".inspector").text_content().unwrap_or_default();
    assert!(!after.contains("configEpoch0"), "{after}");
    assert!(after.contains("New configEpoch set to"), "{after}");
    // Choosing it again closes it.
    click(&root, ".belief-matrix .row-select").await;
    assert!(root.query_selector(".inspector").ok().flatten().is_none());
    root.remove();
}
