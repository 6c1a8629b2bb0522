//! Property tests: no line a user types, and no scenario file, makes the console panic.
#![cfg(not(target_arch = "wasm32"))]

use console::{Console, Scenario, parse_command, run_scenario, split_args, split_shell};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

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
