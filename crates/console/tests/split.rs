//! redis-cli's line splitting (`sdssplitargs`), case by case. Expected values were checked
//! against redis-cli 7.0.15 where the behaviour is visible (e.g. `"\x41\x4g"` is `Ax4g`,
//! `ECHO "a"b` is `Invalid argument(s)`).
use console::{InvalidArguments, split_args, split_shell};
// The same tests run natively and, in headless Chromium, as wasm.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn ok(line: &str) -> Vec<Vec<u8>> {
    split_args(line.as_bytes()).unwrap_or_else(|_| panic!("{line:?} should split"))
}

fn words(ws: &[&[u8]]) -> Vec<Vec<u8>> {
    ws.iter().map(|w| w.to_vec()).collect()
}

#[test]
fn splits_like_redis_cli() {
    let cases: &[(&str, &[&[u8]])] = &[
        ("", &[]),
        ("   ", &[]),
        ("PING", &[b"PING"]),
        ("  SET  a   b  ", &[b"SET", b"a", b"b"]),
        ("a\tb\nc\rd", &[b"a", b"b", b"c", b"d"]),
        ("ECHO \"hello world\"", &[b"ECHO", b"hello world"]),
        ("ECHO 'hello world'", &[b"ECHO", b"hello world"]),
        (r#"ECHO "a\nb""#, &[b"ECHO", b"a\nb"]),
        (r#""\r\t\b\a""#, &[b"\r\t\x08\x07"]),
        (r#""\\""#, &[b"\\"]),
        (r#""\"quoted\"""#, &[b"\"quoted\""]),
        (r#""\x41\x42""#, &[b"AB"]),
        (r#""\x4g""#, &[b"x4g"]),
        (r#""\x41\x4g""#, &[b"Ax4g"]),
        (r#""\xfF""#, &[b"\xff"]),
        (r#""\q""#, &[b"q"]),
        (r"'it\'s'", &[b"it's"]),
        (r"'a\nb'", &[b"a\\nb"]),
        (r#"'say "hi"'"#, &[b"say \"hi\""]),
        (r#"a"b c""#, &[b"ab c"]),
        ("\"\"", &[b""]),
        ("''", &[b""]),
        ("a '' b", &[b"a", b"", b"b"]),
        (
            "CLUSTER KEYSLOT {user1}.a",
            &[b"CLUSTER", b"KEYSLOT", b"{user1}.a"],
        ),
        ("a\0b c", &[b"a"]),
        ("\"a\" ", &[b"a"]),
    ];
    for (line, expected) in cases {
        assert_eq!(ok(line), words(expected), "split of {line:?}");
    }
}

#[test]
fn unbalanced_or_glued_quotes_are_invalid() {
    for line in [
        "ECHO \"abc",
        "ECHO 'abc",
        "ECHO \"a\"b",
        "ECHO 'a'b",
        r#"a"b c"d"#,
        "\"",
        "'",
        r#""abc\"#,
        r#""\""#,
    ] {
        assert_eq!(
            split_args(line.as_bytes()),
            Err(InvalidArguments),
            "{line:?}"
        );
    }
    assert_eq!(InvalidArguments.to_string(), "Invalid argument(s)");
}

#[test]
fn shell_lines_split_like_sh() {
    let s = |l: &str| split_shell(l).expect("valid");
    assert_eq!(
        s("redis-cli -p 7000 SET 'a b' \"c d\""),
        ["redis-cli", "-p", "7000", "SET", "a b", "c d"]
    );
    assert_eq!(s(r#"echo "a\"b" c\ d"#), ["echo", "a\"b", "c d"]);
    assert_eq!(s("echo ''"), ["echo", ""]);
    assert!(split_shell("echo 'oops").is_err());
    assert!(split_shell("echo \"oops").is_err());
}
