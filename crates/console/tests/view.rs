//! The world as user interfaces see it: roles and "PFAIL is local, FAIL is agreed".
use cluster_sim::Belief;
use console::Console;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

fn belief(c: &Console, observer: u16, target: u16) -> (Belief, usize) {
    let view = c.sim().view();
    let cell = view
        .beliefs
        .iter()
        .find(|b| b.observer == observer && b.target == target)
        .unwrap_or_else(|| panic!("no belief of {observer} about {target}"));
    (cell.belief, cell.reports)
}

#[test]
fn pfail_is_local_fail_is_agreed() {
    let mut c = common::three_masters(1, "--cluster-node-timeout 2000");
    c.eval_shell("sleep 2");
    assert_eq!(belief(&c, 7001, 7000), (Belief::Ok, 0));
    let view = c.sim().view();
    assert!(
        view.nodes
            .iter()
            .all(|n| n.role == "master" && n.running && n.cluster_ok)
    );
    c.eval_shell("sim kill 7000");
    // Step until someone suspects 7000: at that moment only that observer does.
    let mut suspected = None;
    for _ in 0..100 {
        c.eval_shell("sleep 0.1");
        let a = belief(&c, 7001, 7000).0;
        let b = belief(&c, 7002, 7000).0;
        if a != Belief::Ok || b != Belief::Ok {
            suspected = Some((a, b));
            break;
        }
    }
    let (a, b) = suspected.expect("7000 is suspected within 10 s");
    assert!(
        (a == Belief::PFail && b == Belief::Ok) || (a == Belief::Ok && b == Belief::PFail),
        "the first suspicion is one node's own: {a:?} {b:?}"
    );
    c.eval_shell("sleep 5");
    assert_eq!(belief(&c, 7001, 7000).0, Belief::Fail);
    assert_eq!(belief(&c, 7002, 7000).0, Belief::Fail);
    let view = c.sim().view();
    let dead = view
        .nodes
        .iter()
        .find(|n| n.port == 7000)
        .expect("7000 listed");
    assert!(!dead.running);
    assert!(
        view.beliefs.iter().all(|b| b.observer != 7000),
        "a dead node believes nothing"
    );
}

#[test]
fn links_and_cuts_show_who_can_talk() {
    let mut c = common::three_masters(1, "");
    c.eval_shell("sleep 2");
    let view = c.sim().view();
    assert_eq!(view.links, vec![(7000, 7001), (7000, 7002), (7001, 7002)]);
    assert!(view.cuts.is_empty());
    c.eval_shell("sim partition 7000 -> 7001");
    let view = c.sim().view();
    assert_eq!(view.cuts, vec![(7000, 7001)], "one way only");
    c.eval_shell("sim heal");
    c.eval_shell("sim partition 7002");
    let mut cuts = c.sim().view().cuts;
    cuts.sort_unstable();
    assert_eq!(
        cuts,
        vec![(7000, 7002), (7001, 7002), (7002, 7000), (7002, 7001)]
    );
    c.eval_shell("sim crash 7002");
    assert!(
        c.sim()
            .view()
            .links
            .iter()
            .all(|&(a, b)| a != 7002 && b != 7002),
        "a dead node's connections are gone"
    );
}

#[test]
fn the_slot_map_is_what_one_node_believes() {
    use cluster_sim::SlotRun;
    let run = |start, end, owner| SlotRun { start, end, owner };
    let mut c = Console::new(1);
    common::start_servers(&mut c, 7000..=7002, "");
    assert_eq!(c.sim().slot_map(7001), Some(vec![run(0, 16383, None)]));
    assert_eq!(c.sim().slot_map(7999), None);
    common::create_three_masters(&mut c);
    c.eval_shell("sleep 2");
    let three = vec![
        run(0, 5460, Some(7000)),
        run(5461, 10922, Some(7001)),
        run(10923, 16383, Some(7002)),
    ];
    assert_eq!(c.sim().slot_map(7002), Some(three.clone()));
    // A slot moved on one node only is seen there first.
    c.eval_shell("redis-cli -p 7000 CLUSTER DELSLOTS 0");
    let mine = c.sim().slot_map(7000).expect("a map");
    assert_eq!(mine[0], run(0, 0, None));
    assert_eq!(c.sim().slot_map(7002), Some(three));
}

/// The one cell per node of [`BeliefDetail::WorstPerTarget`], worked out plainly from the full
/// matrix: for each target, the first observer holding its worst belief, and the most reports.
fn worst_of(full: &cluster_sim::ClusterView) -> Vec<cluster_sim::BeliefCell> {
    let rank = |b: Belief| match b {
        Belief::Fail => 2,
        Belief::PFail => 1,
        _ => 0,
    };
    full.nodes
        .iter()
        .filter_map(|t| {
            let cells: Vec<_> = full.beliefs.iter().filter(|b| b.target == t.port).collect();
            let first = *cells.first()?;
            let top = cells.iter().map(|b| rank(b.belief)).max()?;
            let chosen = cells.iter().find(|b| rank(b.belief) == top)?;
            Some(cluster_sim::BeliefCell {
                observer: if top == 0 {
                    first.observer
                } else {
                    chosen.observer
                },
                target: t.port,
                belief: if top == 0 { Belief::Ok } else { chosen.belief },
                reports: cells.iter().map(|b| b.reports).max()?,
            })
        })
        .collect()
}

#[test]
fn the_worst_per_target_view_condenses_the_full_matrix() {
    use cluster_sim::BeliefDetail;
    let mut c = common::three_masters(3, "--cluster-node-timeout 2000");
    // 7003 runs but has met no one: every observer's cell about it is unknown.
    c.eval_shell("redis-server --port 7003 --cluster-enabled yes --daemonize yes");
    c.eval_shell("sleep 2");
    c.eval_shell("sim kill 7000");
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..80 {
        c.eval_shell("sleep 0.1");
        let full = c.sim().view();
        let worst = c.sim().view_with(BeliefDetail::WorstPerTarget);
        assert_eq!(worst.beliefs, worst_of(&full));
        assert_eq!(
            (&worst.nodes, &worst.links, &worst.cuts),
            (&full.nodes, &full.links, &full.cuts)
        );
        assert_eq!(
            (worst.link_count, worst.cut_count),
            (full.links.len(), full.cuts.len())
        );
        seen.extend(
            worst
                .beliefs
                .iter()
                .map(|b| (b.target, format!("{:?}", b.belief))),
        );
    }
    // The moments compared covered a suspicion, an agreed failure and an unknown node.
    for expected in [(7000, "PFail"), (7000, "Fail"), (7003, "Ok"), (7001, "Ok")] {
        assert!(
            seen.contains(&(expected.0, expected.1.to_string())),
            "{expected:?} never seen: {seen:?}"
        );
    }
}

#[test]
fn a_condensed_view_counts_the_lines_it_does_not_list() {
    use cluster_sim::{BeliefDetail, MAX_LISTED_LINES};
    // 66 nodes that met one another: 2,145 bus links, more than a condensed view lists.
    let mut c = Console::new(5);
    common::start_servers(&mut c, 7000..=7065, "");
    for p in 7001..=7065 {
        c.eval_shell(&format!("redis-cli -p {p} cluster meet 127.0.0.1 7000"));
    }
    c.eval_shell("sleep 10");
    let full = c.sim().view();
    let condensed = c.sim().view_with(BeliefDetail::WorstPerTarget);
    assert_eq!(full.links.len(), 66 * 65 / 2, "the nodes form a full mesh");
    assert_eq!(full.link_count, full.links.len());
    assert_eq!(condensed.link_count, full.links.len());
    assert!(
        condensed.links.is_empty(),
        "{} links listed",
        condensed.links.len()
    );
    assert_eq!((condensed.cut_count, full.cut_count), (0, 0));
    // Two halves: 2 × 33 × 33 = 2,178 cut paths, also only counted.
    let half = |ports: std::ops::RangeInclusive<u16>| {
        ports.map(|p| p.to_string()).collect::<Vec<_>>().join(",")
    };
    c.eval_shell(&format!(
        "sim partition {} {}",
        half(7000..=7032),
        half(7033..=7065)
    ));
    let full = c.sim().view();
    let condensed = c.sim().view_with(BeliefDetail::WorstPerTarget);
    assert_eq!(full.cuts.len(), 2 * 33 * 33);
    assert_eq!(full.cuts.first(), Some(&(7000, 7033)), "from-major order");
    assert_eq!(
        (condensed.cut_count, full.cut_count),
        (full.cuts.len(), full.cuts.len())
    );
    assert!(condensed.cuts.is_empty());
    // Under the limit a condensed view lists what a full one does.
    assert!(full.cuts.len() > MAX_LISTED_LINES);
    c.eval_shell("sim heal");
    c.eval_shell("sim partition 7000 -> 7001,7002");
    let condensed = c.sim().view_with(BeliefDetail::WorstPerTarget);
    assert_eq!(condensed.cuts, vec![(7000, 7001), (7000, 7002)]);
    assert_eq!(condensed.cut_count, 2);
}
