//! The playground's panels in a real browser: topology, node actions, slot map, event log,
//! live region, timeline, presets, terminal tabs and hints.
#![cfg(target_arch = "wasm32")]

use cluster_sim::SlotRun;
use clusterlab_web::components::slot_map::{SlotMap, SlotMapProps};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{
    Element, Event, EventInit, HtmlElement, HtmlInputElement, HtmlSelectElement, InputEvent,
    InputEventInit,
};

mod common;

wasm_bindgen_test_configure!(run_in_browser);

use common::{click, find, mount_app as mount, terminal_lines, type_line, type_text};

fn count(root: &Element, selector: &str) -> u32 {
    root.query_selector_all(selector)
        .expect("selector")
        .length()
}

fn text(root: &Element, selector: &str) -> String {
    find(root, selector).text_content().unwrap_or_default()
}

/// SVG elements are not `HtmlElement`s: send them a bubbling click event.
async fn click_svg(root: &Element, selector: &str) {
    let ev = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &{
        let i = web_sys::MouseEventInit::new();
        i.set_bubbles(true);
        i
    })
    .expect("event");
    find(root, selector).dispatch_event(&ev).expect("dispatch");
    yew::scheduler::flush().await;
}

async fn choose(root: &Element, selector: &str, value: &str) {
    let select: HtmlSelectElement = find(root, selector).dyn_into().expect("a select");
    select.set_value(value);
    let init = EventInit::new();
    init.set_bubbles(true);
    let ev = Event::new_with_event_init_dict("change", &init).expect("event");
    select.dispatch_event(&ev).expect("dispatch");
    yew::scheduler::flush().await;
    // A preset's lines may go on over the clock's ticks.
    common::until_idle(root).await;
}

#[wasm_bindgen_test]
async fn a_preset_draws_masters_as_circles_and_replicas_as_squares() {
    let root = mount().await;
    assert!(text(&root, ".topology").contains("No nodes yet"));
    choose(&root, ".preset-select", "three-plus-three").await;
    assert_eq!(count(&root, ".topology .node"), 6);
    assert_eq!(count(&root, ".topology .node.master circle.shape"), 3);
    assert_eq!(count(&root, ".topology .node.replica rect.shape"), 3);
    assert_eq!(
        count(&root, ".topology .bus-link"),
        15,
        "every pair is linked"
    );
    let label = find(&root, ".topology .node[data-label^=\"7000 master\"] title")
        .text_content()
        .unwrap_or_default();
    assert!(label.contains("slots 0-5460, configEpoch 1, ok"), "{label}");
    // Every message type has a filter switch, all on.
    assert_eq!(count(&root, ".msg-filter input[type=checkbox]:checked"), 7);
    root.remove();
}

#[wasm_bindgen_test]
async fn node_buttons_run_sim_lines_and_partitions_draw_cuts() {
    let root = mount().await;
    choose(&root, ".preset-select", "three-plus-three").await;
    click_svg(&root, ".topology .node[data-label^=\"7001 master\"]").await;
    assert!(text(&root, ".inspector h2").contains("Node 7001"));
    assert!(find(&root, ".node-action.restart").has_attribute("disabled"));
    click(&root, ".node-action.pause").await;
    assert_eq!(
        terminal_lines(&root).last().map(String::as_str),
        Some("$ sim pause 7001 10")
    );
    assert_eq!(count(&root, ".topology .node.paused"), 1);
    // Partition: choose 7000 and 7003, cut them off one way.
    click(&root, ".partition-mode").await;
    click_svg(&root, ".topology .node[data-label^=\"7000 master\"]").await;
    click_svg(&root, ".topology .node[data-label^=\"7003 replica\"]").await;
    assert_eq!(count(&root, ".topology .node.grouped"), 2);
    click(&root, ".cut-one-way").await;
    let last = terminal_lines(&root).last().cloned().unwrap_or_default();
    assert_eq!(last, "$ sim partition 7000,7003 -> 7001,7002,7004,7005");
    assert_eq!(count(&root, ".topology .cut.one-way"), 8);
    assert_eq!(count(&root, ".topology .cut.both"), 0);
    click(&root, ".heal").await;
    assert_eq!(count(&root, ".topology .cut"), 0);
    root.remove();
}

/// Past the lines the topology draws, a partition is counted, not drawn, and "Heal network"
/// still heals it: the button is enabled by the picture's count of cut paths.
#[wasm_bindgen_test]
async fn heal_network_works_past_the_lines_the_topology_draws() {
    let root = mount().await;
    for p in 7000..=7065 {
        type_line(
            &root,
            &format!("redis-server --port {p} --cluster-enabled yes --daemonize yes"),
        )
        .await;
    }
    let half = |ports: std::ops::RangeInclusive<u16>| {
        ports.map(|p| p.to_string()).collect::<Vec<_>>().join(",")
    };
    type_line(
        &root,
        &format!("sim partition {} {}", half(7000..=7032), half(7033..=7065)),
    )
    .await;
    // Two halves of 33: 2,178 cut paths, more than the 2,016 lines drawn at most.
    assert_eq!(count(&root, ".topology .cut"), 0);
    let hints = text(&root, ".topology");
    assert!(
        hints.contains("2178 cut paths: too many lines to draw"),
        "{hints}"
    );
    assert!(!find(&root, ".heal").has_attribute("disabled"));
    click(&root, ".heal").await;
    assert_eq!(
        terminal_lines(&root).last().map(String::as_str),
        Some("$ sim heal")
    );
    assert!(find(&root, ".heal").has_attribute("disabled"));
    assert!(!text(&root, ".topology").contains("cut paths"));
    root.remove();
}

#[wasm_bindgen_test]
async fn the_event_log_explains_and_links_to_the_timeline() {
    let root = mount().await;
    choose(&root, ".preset-select", "three-plus-three").await;
    // The preset ends inside redis-cli, as its file does.
    assert_eq!(text(&root, ".terminal-prompt"), "127.0.0.1:7000> ");
    type_line(&root, "exit").await;
    type_line(&root, "sim crash 7000").await;
    type_line(&root, "sleep 12").await;
    let log = text(&root, ".event-log");
    assert!(log.contains("7000 was killed with SIGKILL"), "{log}");
    assert!(log.contains("suspects 7000 (PFAIL)"), "{log}");
    assert!(log.contains("the quorum of 3 masters is 2"), "{log}");
    assert!(log.contains("won the election"), "{log}");
    // The live region spoke the newest big moments.
    assert!(!text(&root, ".announcer").is_empty());
    // Clicking a moment shows the world then, with later entries as the future.
    let entries = root.query_selector_all(".event-log li").expect("selector");
    let first_crash = (0..entries.length())
        .filter_map(|i| entries.item(i))
        .filter_map(|n| n.dyn_into::<Element>().ok())
        .find(|e| {
            e.text_content()
                .unwrap_or_default()
                .contains("killed with SIGKILL")
        })
        .expect("the crash entry");
    let button: HtmlElement = first_crash
        .query_selector(".event-time")
        .ok()
        .flatten()
        .and_then(|b| b.dyn_into().ok())
        .expect("a time button");
    button.click();
    yew::scheduler::flush().await;
    assert!(text(&root, ".rewound-note").contains("in the past"));
    assert!(count(&root, ".event-log li.future") > 0);
    assert_eq!(
        count(&root, ".topology .node.down"),
        0,
        "7000 still runs at that moment"
    );
    click(&root, ".back-to-live").await;
    assert_eq!(count(&root, ".rewound-note"), 0);
    assert_eq!(count(&root, ".topology .node.down"), 1);
    root.remove();
}

#[wasm_bindgen_test]
async fn the_scrubber_moves_through_time() {
    let root = mount().await;
    type_line(&root, "redis-server --port 7000 --cluster-enabled yes").await;
    type_line(&root, "sleep 10").await;
    let scrubber: HtmlInputElement = find(&root, ".scrubber").dyn_into().expect("range");
    let min: u64 = scrubber.min().parse().expect("number");
    let max: u64 = scrubber.max().parse().expect("number");
    assert_eq!(max - min, 10_000);
    scrubber.set_value(&(min + 4_000).to_string());
    let init = InputEventInit::new();
    init.set_bubbles(true);
    scrubber
        .dispatch_event(&InputEvent::new_with_event_init_dict("input", &init).expect("event"))
        .expect("dispatch");
    yew::scheduler::flush().await;
    assert_eq!(text(&root, ".clock"), "14 Jan 2020 23:34:37.000 UTC");
    root.remove();
}

#[wasm_bindgen_test]
async fn the_guided_walk_runs_one_step_at_a_time() {
    let root = mount().await;
    choose(&root, ".preset-select", "seed-failover").await;
    let steps = count(&root, ".guide-step");
    assert!(steps > 10, "{steps}");
    assert!(text(&root, ".guide-step.current").contains("Start the first master"));
    click(&root, ".guide-run").await;
    assert_eq!(count(&root, ".guide-step.done"), 1);
    assert_eq!(count(&root, ".topology .node"), 1);
    let transcript = text(&root, ".transcript pre");
    assert!(
        transcript.starts_with("$ redis-server --port 7000"),
        "{transcript}"
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn tabs_have_their_own_prompt_and_redis_cli_greys_its_hints() {
    let root = mount().await;
    type_line(&root, "redis-server --port 7000 --cluster-enabled yes").await;
    type_line(&root, "redis-cli -p 7000").await;
    type_text(&root, "CLUSTER MEET ").await;
    assert_eq!(
        text(&root, ".terminal-hint"),
        "CLUSTER MEET ip port [cluster_bus_port]"
    );
    type_text(&root, "").await;
    click(&root, ".tab-new").await;
    assert_eq!(count(&root, "[role=tab]"), 2);
    assert_eq!(text(&root, ".terminal-prompt"), "$ ");
    type_text(&root, "CLUSTER MEET ").await;
    assert_eq!(count(&root, ".terminal-hint"), 0, "no hints in the shell");
    click(&root, "[role=tab]").await;
    assert_eq!(text(&root, ".terminal-prompt"), "127.0.0.1:7000> ");
    click(&root, ".tab-close").await;
    assert_eq!(count(&root, "[role=tab]"), 1);
    root.remove();
}

#[wasm_bindgen_test]
async fn the_slot_map_colours_each_owner_and_counts_its_slots() {
    let root = common::fresh_root();
    let props = SlotMapProps {
        observer: 7001,
        runs: Some(vec![
            SlotRun {
                start: 0,
                end: 5460,
                owner: Some(7000),
            },
            SlotRun {
                start: 5461,
                end: 16383,
                owner: None,
            },
        ]),
        ports: vec![7000, 7001],
        on_observer: Default::default(),
    };
    yew::Renderer::<SlotMap>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    assert!(count(&root, "rect.owner-0") >= 43);
    assert!(count(&root, "rect.owner-none") >= 86);
    let legend = text(&root, ".slot-legend");
    assert!(
        legend.contains("7000 · 5461") && legend.contains("no owner · 10923"),
        "{legend}"
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn the_ledger_panel_lists_lost_writes_with_their_reason() {
    let root = mount().await;
    let setup = [
        "redis-server --port 7000 --cluster-enabled yes --cluster-node-timeout 2000",
        "redis-server --port 7001 --cluster-enabled yes --cluster-node-timeout 2000",
        "redis-server --port 7002 --cluster-enabled yes --cluster-node-timeout 2000",
        "redis-server --port 7003 --cluster-enabled yes --cluster-node-timeout 2000",
        "redis-cli --cluster create 127.0.0.1:7000 127.0.0.1:7001 127.0.0.1:7002 --cluster-replicas 0 --cluster-yes",
        "redis-cli --cluster add-node 127.0.0.1:7003 127.0.0.1:7000 --cluster-slave --cluster-master-id $(redis-cli -p 7000 CLUSTER MYID)",
        "sleep 8",
        "redis-cli -p 7000 SET b kept",
    ];
    for line in setup {
        type_line(&root, line).await;
    }
    assert!(text(&root, ".lost-writes").contains("None of the 1 acknowledged write(s)"));
    type_line(&root, "sim load counter 10 7001").await;
    type_line(&root, "sleep 1").await;
    assert!(text(&root, ".load-report").contains("sent 11, ok 11, failed 0"));
    type_line(&root, "sim load stop").await;
    type_line(&root, "sim latency 50 7000 7003").await;
    type_line(&root, "redis-cli -p 7000 SET b gone").await;
    type_line(&root, "sim crash 7000").await;
    type_line(&root, "sleep 10").await;
    let panel = text(&root, ".lost-writes");
    assert!(
        panel.contains("1 of 13 acknowledged write(s) lost"),
        "{panel}"
    );
    assert!(panel.contains("SET b gone"), "{panel}");
    assert!(
        panel.contains("7003 was promoted with replication offset"),
        "{panel}"
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn an_exercise_gives_hints_checks_and_remembers_it_was_solved() {
    let storage = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .expect("local storage");
    let _ = storage.remove_item(clusterlab_web::components::exercise_panel::PROGRESS_KEY);
    let root = mount().await;
    assert!(text(&root, ".exercise-select").contains("0 of 11 solved"));
    choose(&root, ".exercise-select", "0").await;
    assert!(text(&root, ".exercise h3").contains("Slots and redirection"));
    assert!(text(&root, ".exercise-goal").contains("user:1 = alice"));
    assert_eq!(count(&root, ".exercise-hints li"), 0);
    click(&root, ".exercise-hint").await;
    assert_eq!(count(&root, ".exercise-hints li"), 1);
    assert!(text(&root, ".exercise-hints").contains("CLUSTER KEYSLOT"));
    // Not solved yet: the verdict says what is missing.
    click(&root, ".exercise-check").await;
    assert!(
        text(&root, ".exercise-verdict").contains("Not yet: the owner of slot 10778"),
        "{}",
        text(&root, ".exercise-verdict")
    );
    type_line(&root, "redis-cli -c -p 7000 SET user:1 alice").await;
    click(&root, ".exercise-check").await;
    assert!(text(&root, ".exercise-verdict").contains("Solved!"));
    let done = storage
        .get_item(clusterlab_web::components::exercise_panel::PROGRESS_KEY)
        .ok()
        .flatten();
    assert_eq!(done.as_deref(), Some("slots-and-redirection"));
    assert!(text(&root, ".exercise-select").contains("1 of 11 solved"));
    assert!(text(&root, ".exercise-select").contains("✓ 1. Slots and redirection"));
    root.remove();
}

#[wasm_bindgen_test]
async fn a_big_world_draws_its_nodes_but_no_messages_in_flight() {
    let root = mount().await;
    type_line(
        &root,
        "redis-server --port 7000 --cluster-enabled yes --daemonize yes",
    )
    .await;
    assert_eq!(count(&root, ".topology .msg-filter"), 1);
    let over = clusterlab_web::components::topology::MAX_FLYING_NODES as u16 + 1;
    for port in 7001..7000 + over {
        type_line(
            &root,
            &format!("redis-server --port {port} --cluster-enabled yes --daemonize yes"),
        )
        .await;
    }
    assert_eq!(count(&root, ".topology .node"), u32::from(over));
    assert_eq!(count(&root, ".topology .msg-filter"), 0);
    assert!(
        text(&root, ".topology").contains("Messages are drawn in flight up to 200 nodes"),
        "{}",
        text(&root, ".topology")
    );
    // The nodes are drawn apart from the clock's ticks, and still follow a choice.
    click_svg(&root, ".topology .node[data-label^=\"7100 master\"]").await;
    assert_eq!(count(&root, ".topology .node.selected"), 1);
    assert!(
        find(&root, ".topology .node.selected")
            .get_attribute("data-label")
            .unwrap_or_default()
            .starts_with("7100 master")
    );
}
