//! The belief matrix in a real browser: rows are observers, cells what they believe.
#![cfg(target_arch = "wasm32")]

use clusterlab_web::components::belief_matrix::{BeliefMatrix, BeliefMatrixProps};
use console::Console;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::Element;

mod common;

wasm_bindgen_test_configure!(run_in_browser);

async fn mount(view: cluster_sim::ClusterView) -> Element {
    let root = common::fresh_root();
    let props = BeliefMatrixProps {
        view: std::rc::Rc::new(view),
        selected: None,
        on_select: Default::default(),
    };
    yew::Renderer::<BeliefMatrix>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    root
}

fn cell(root: &Element, row: usize, col: usize) -> (String, String) {
    let rows = root.query_selector_all("tbody tr").expect("selector");
    let tr: Element =
        wasm_bindgen::JsCast::dyn_into(rows.item(row as u32).expect("row")).expect("element");
    let cells = tr.query_selector_all("td").expect("selector");
    let td: Element =
        wasm_bindgen::JsCast::dyn_into(cells.item(col as u32).expect("cell")).expect("element");
    (td.text_content().unwrap_or_default(), td.class_name())
}

#[wasm_bindgen_test]
async fn shows_agreement_after_a_master_dies() {
    let mut c = Console::new(1);
    for p in 7000..=7002 {
        c.eval_shell(&format!("redis-server --port {p} --cluster-enabled yes --cluster-node-timeout 2000 --daemonize yes"));
    }
    c.eval_shell("redis-cli --cluster create 127.0.0.1:7000 127.0.0.1:7001 127.0.0.1:7002 --cluster-replicas 0 --cluster-yes");
    c.eval_shell("sleep 2");
    let root = mount(c.sim().view()).await;
    // Row 1 is 7001; its column 0 is its view of 7000.
    assert_eq!(cell(&root, 1, 0), ("ok".into(), "belief-ok".into()));
    assert_eq!(cell(&root, 1, 1).1, "self");
    root.remove();

    c.eval_shell("sim kill 7000");
    c.eval_shell("sleep 6");
    let root = mount(c.sim().view()).await;
    let (text, class) = cell(&root, 1, 0);
    assert!(
        text.starts_with("fail") && !text.starts_with("fail?"),
        "{text}"
    );
    assert_eq!(class, "belief-fail");
    // The dead node's own row has no beliefs, and its label says so.
    let label = root
        .query_selector("tbody tr th")
        .ok()
        .flatten()
        .and_then(|e| e.text_content())
        .unwrap_or_default();
    assert_eq!(label, "7000 down");
    root.remove();
}

#[wasm_bindgen_test]
async fn an_empty_world_explains_itself() {
    let root = mount(Console::new(1).sim().view()).await;
    let text = root.text_content().unwrap_or_default();
    assert!(text.contains("Start nodes"), "{text}");
    root.remove();
}

#[wasm_bindgen_test]
async fn a_world_too_big_for_a_table_says_so() {
    use clusterlab_web::components::belief_matrix::MAX_MATRIX_NODES;
    let mut c = Console::new(1);
    for p in 0..=MAX_MATRIX_NODES as u16 {
        c.eval_shell(&format!(
            "redis-server --port {} --cluster-enabled yes",
            30000 + p
        ));
    }
    let root = mount(c.sim().view()).await;
    let text = root.text_content().unwrap_or_default();
    assert!(text.contains("too many for a table"), "{text}");
    assert!(root.query_selector("table").ok().flatten().is_none());
    root.remove();
}
