//! Property tests: no line a user types, and no scenario file, makes the console panic.
#![cfg(not(target_arch = "wasm32"))]

use console::{Console, Scenario, parse_command, run_scenario, split_args, split_shell};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Any text is either an exercise or a clear error, never a panic; a valid one keeps its
    /// header through a round of parsing.
    #[test]
    fn exercise_files_never_panic(
        lines in proptest::collection::vec(
            prop_oneof![
                Just("# exercise: t".to_string()),
                Just("# goal: g".to_string()),
                Just("# check".to_string()),
                Just("# hint:".to_string()),
                Just("# want: w".to_string()),
                Just("# allow: redis-cli".to_string()),
                Just("$ sleep 1".to_string()),
                Just("...".to_string()),
                "[ -~]{0,20}",
            ],
            0..12,
        )
    ) {
        let text = lines.join("\n");
        match console::exercise::Exercise::parse(&text) {
            Ok(x) => {
                prop_assert!(!x.title.is_empty() && !x.goal.is_empty() && !x.checks.is_empty());
                // Its setup runs and its check gives a verdict that can be shown.
                let verdict = x.check(&x.start(1));
                prop_assert!(!verdict.to_string().is_empty());
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    /// Any fragment is either a state or a clear error; never a panic or a huge allocation.
    #[test]
    fn share_links_never_panic(text in "[#s=A-Za-z0-9_<>%-]{0,300}") {
        match console::share::SharedState::from_fragment(&text) {
            Ok(state) => prop_assert!(state.lines.iter().all(|l| !l.contains('\n'))),
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    /// Damaged compressed data never decodes past the limit.
    #[test]
    fn decompression_is_bounded(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(out) = console::share::decompress(&bytes, 10_000) {
            prop_assert!(out.len() <= 10_000);
        }
    }

    /// A state comes back from its link exactly.
    #[test]
    fn share_links_round_trip(
        seed in any::<u64>(),
        lines in proptest::collection::vec("[ -~]{0,60}", 0..30),
        at in proptest::option::of(any::<u64>()),
        node in proptest::option::of(1u16..),
        observer in proptest::option::of(1u16..),
        panels in proptest::option::of(1u16..1024),
    ) {
        // Any non-empty set of the ten panels, named as a host would.
        let panels = panels.map(|bits| {
            let names = console::panels::Panel::ALL
                .iter()
                .enumerate()
                .filter(|(i, _)| bits & (1 << i) != 0)
                .map(|(_, p)| p.name());
            console::panels::Panels::from_names(names).expect("known names")
        });
        let state = console::share::SharedState {
            seed,
            lines,
            at,
            node,
            observer,
            panels,
        };
        let link = state.to_fragment();
        prop_assert_eq!(console::share::SharedState::from_fragment(&link), Ok(state));
    }

    #[test]
    fn split_args_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = split_args(&bytes);
    }

    #[test]
    fn split_args_words_contain_no_unquoted_blank(line in "[a-z \t]{0,40}") {
        // Without quotes, splitting is exactly splitting on blanks.
        let words = split_args(line.as_bytes()).expect("no quotes, always valid");
        let expected: Vec<Vec<u8>> = line.split_whitespace().map(|w| w.as_bytes().to_vec()).collect();
        prop_assert_eq!(words, expected);
    }

    #[test]
    fn parse_command_never_panics(argv in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..20), 0..6)) {
        let _ = parse_command(&argv);
    }

    #[test]
    fn split_shell_never_panics(line in "\\PC{0,80}") {
        let _ = split_shell(&line);
    }

    #[test]
    fn console_never_panics(lines in proptest::collection::vec("[ -~]{0,60}", 0..8)) {
        let mut c = Console::new(3);
        c.eval("redis-server --port 7000 --cluster-enabled yes --daemonize yes");
        for (i, line) in lines.iter().enumerate() {
            if i % 2 == 0 {
                c.eval_at("127.0.0.1", 7000, line);
            } else {
                c.eval(line);
            }
        }
    }

    #[test]
    fn scenario_files_never_panic(text in "(([$] |127[.]0[.]0[.]1:700[0-2]> |# )?[ -~]{0,40}\n){0,12}") {
        let _ = Scenario::parse(&text);
        let _ = run_scenario(&text, 1);
    }
}

/// Lines from the cluster vocabulary, with ports and ids that exist and ones that do not.
fn cluster_line() -> impl Strategy<Value = String> {
    let port = prop_oneof![
        Just(7000u16),
        Just(7001),
        Just(7002),
        Just(7003),
        Just(7009)
    ];
    let id = prop_oneof![
        Just("$(redis-cli -p 7000 CLUSTER MYID)".to_string()),
        Just("$(redis-cli -p 7001 CLUSTER MYID)".to_string()),
        Just("0000000000000000000000000000000000000000".to_string()),
        Just("x".to_string()),
    ];
    (port.clone(), port, id, 0u16..16400, 0u16..16400, 0u8..30).prop_map(|(p, q, id, a, b, pick)| {
        match pick {
            0 => format!("redis-cli -p {p} CLUSTER MEET 127.0.0.1 {q}"),
            1 => format!("redis-cli -p {p} CLUSTER REPLICATE {id}"),
            2 => format!("redis-cli -p {p} CLUSTER FORGET {id}"),
            3 => format!("redis-cli -p {p} CLUSTER RESET HARD"),
            4 => format!("redis-cli -p {p} CLUSTER RESET"),
            5 => format!("redis-cli -p {p} CLUSTER ADDSLOTSRANGE {a} {b}"),
            6 => format!("redis-cli -p {p} CLUSTER DELSLOTS {a}"),
            7 => format!("redis-cli -p {p} CLUSTER FLUSHSLOTS"),
            8 => format!("redis-cli -p {p} CLUSTER BUMPEPOCH"),
            9 => format!("redis-cli -p {p} CLUSTER SET-CONFIG-EPOCH {a}"),
            10 => format!("sim kill {p}"),
            11 => format!("sim crash {p}"),
            12 => format!("sim restart {p}"),
            13 => format!("sim pause {p} 3"),
            14 => format!("sim partition {p} {q}"),
            15 => format!("sim partition {p} -> {q}"),
            16 => "sim heal".to_string(),
            17 => format!("sim latency {} {p} {q}", a % 200),
            18 => format!("sim loss {} {p} {q}", a % 101),
            19 => format!("redis-server --port {p} --cluster-enabled yes --cluster-node-timeout 1000 --daemonize yes"),
            20 => format!("redis-cli -p {p} CLUSTER SLOTS"),
            21 => format!("redis-cli -p {p} CLUSTER SHARDS"),
            22 => format!("redis-cli -p {p} CLUSTER REPLICAS {id}"),
            23 => format!("redis-cli -p {p} INFO"),
            24 => format!("redis-cli -p {p} CONFIG SET cluster-node-timeout {a}"),
            25 => format!("redis-cli -p {p} SHUTDOWN"),
            26 => format!("redis-cli -p {p} ROLE"),
            27 => format!("redis-cli --cluster create 127.0.0.1:7000 127.0.0.1:7001 127.0.0.1:{p} --cluster-replicas {} --cluster-yes", a % 2),
            _ => format!("sleep {}", f64::from(a % 50) / 10.0),
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

    /// Any sequence of cluster commands and faults leaves a working console: no panic, and
    /// every node's view stays internally consistent (current epoch never below its own).
    #[test]
    fn cluster_command_sequences_never_panic(lines in proptest::collection::vec(cluster_line(), 1..40)) {
        let mut c = Console::new(9);
        for p in 7000..=7003 {
            c.eval(&format!("redis-server --port {p} --cluster-enabled yes --cluster-node-timeout 1000 --daemonize yes"));
        }
        for line in &lines {
            c.eval_shell(line);
        }
        c.eval_shell("sleep 5");
        for (_, host) in c.sim().hosts() {
            if let Some(node) = host.cluster.as_ref() {
                prop_assert!(node.current_epoch() >= node.myself().config_epoch);
            }
        }
    }
}
