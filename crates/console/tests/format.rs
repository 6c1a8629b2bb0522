//! redis-cli's terminal formatting (`cliFormatReplyTTY`) and raw formatting, with golden
//! outputs taken from real redis-cli 7.0.15 transcripts (CLUSTER SLOTS, CLUSTER SHARDS, ROLE).
use console::{Reply, format_raw, format_tty};
// The same tests run natively and, in headless Chromium, as wasm.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn bulk(s: &str) -> Reply {
    Reply::bulk(s)
}

#[test]
fn scalars() {
    assert_eq!(format_tty(&Reply::ok()), "OK\n");
    assert_eq!(format_tty(&Reply::Status("BUMPED 7".into())), "BUMPED 7\n");
    assert_eq!(format_tty(&Reply::Integer(12182)), "(integer) 12182\n");
    assert_eq!(format_tty(&Reply::Integer(-1)), "(integer) -1\n");
    assert_eq!(format_tty(&Reply::Nil), "(nil)\n");
    assert_eq!(format_tty(&bulk("bar")), "\"bar\"\n");
    assert_eq!(format_tty(&bulk("")), "\"\"\n");
    assert_eq!(
        format_tty(&Reply::error("MOVED 12182 127.0.0.1:7002")),
        "(error) MOVED 12182 127.0.0.1:7002\n"
    );
    assert_eq!(format_tty(&Reply::Array(vec![])), "(empty array)\n");
}

#[test]
fn bulk_escaping_follows_sdscatrepr() {
    assert_eq!(
        format_tty(&Reply::Bulk(b"a\x01b\nc".to_vec())),
        "\"a\\x01b\\nc\"\n"
    );
    assert_eq!(format_tty(&bulk("a\"b")), "\"a\\\"b\"\n");
    assert_eq!(format_tty(&bulk("tab\tx")), "\"tab\\tx\"\n");
    assert_eq!(format_tty(&bulk("back\\slash")), "\"back\\\\slash\"\n");
    assert_eq!(format_tty(&bulk("héllo")), "\"h\\xc3\\xa9llo\"\n");
    assert_eq!(
        format_tty(&Reply::Bulk(vec![7, 8, 13, 0x7f])),
        "\"\\a\\b\\r\\x7f\"\n"
    );
}

#[test]
fn errors_never_span_lines() {
    assert_eq!(
        format_tty(&Reply::error("ERR a\nb\rc")),
        "(error) ERR a b c\n"
    );
}

#[test]
fn nested_arrays_like_cluster_slots() {
    let node = |ip: &str, port: i64, id: &str| {
        Reply::Array(vec![
            bulk(ip),
            Reply::Integer(port),
            bulk(id),
            Reply::Array(vec![]),
        ])
    };
    let slots = Reply::Array(vec![Reply::Array(vec![
        Reply::Integer(0),
        Reply::Integer(5460),
        node(
            "127.0.0.1",
            7000,
            "3253777930ef0dc5ee1fe6c1589fa529442f4131",
        ),
        node(
            "127.0.0.1",
            7004,
            "c8c43c9f8e64f460d679709b5f4d28782fd93cb5",
        ),
    ])]);
    assert_eq!(
        format_tty(&slots),
        "1) 1) (integer) 0
   2) (integer) 5460
   3) 1) \"127.0.0.1\"
      2) (integer) 7000
      3) \"3253777930ef0dc5ee1fe6c1589fa529442f4131\"
      4) (empty array)
   4) 1) \"127.0.0.1\"
      2) (integer) 7004
      3) \"c8c43c9f8e64f460d679709b5f4d28782fd93cb5\"
      4) (empty array)
"
    );
}

#[test]
fn wide_indices_are_right_aligned_and_indent_children() {
    // CLUSTER SHARDS: a 14-element node map inside a 4-element shard.
    let fields: Vec<Reply> = (1..=14).map(Reply::Integer).collect();
    let shard = Reply::Array(vec![
        bulk("slots"),
        Reply::Array(vec![]),
        bulk("nodes"),
        Reply::Array(vec![Reply::Array(fields)]),
    ]);
    let text = format_tty(&Reply::Array(vec![shard]));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "1) 1) \"slots\"");
    assert_eq!(lines[1], "   2) (empty array)");
    assert_eq!(lines[3], "   4) 1)  1) (integer) 1");
    assert_eq!(lines[4], "          2) (integer) 2");
    assert_eq!(lines[12], "         10) (integer) 10");
    assert_eq!(lines[16], "         14) (integer) 14");
    assert_eq!(lines.len(), 17);
}

#[test]
fn role_reply() {
    let role = Reply::Array(vec![
        bulk("master"),
        Reply::Integer(64),
        Reply::Array(vec![Reply::Array(vec![
            bulk("127.0.0.1"),
            bulk("7004"),
            bulk("64"),
        ])]),
    ]);
    assert_eq!(
        format_tty(&role),
        "1) \"master\"\n2) (integer) 64\n3) 1) 1) \"127.0.0.1\"\n      2) \"7004\"\n      3) \"64\"\n"
    );
    let nil_inside = Reply::Array(vec![bulk("a"), Reply::Nil]);
    assert_eq!(format_tty(&nil_inside), "1) \"a\"\n2) (nil)\n");
}

#[test]
fn raw_formatting() {
    assert_eq!(format_raw(&bulk("abc")), b"abc");
    assert_eq!(format_raw(&Reply::Integer(5)), b"5");
    assert_eq!(format_raw(&Reply::error("ERR x")), b"ERR x\n");
    assert_eq!(format_raw(&Reply::Nil), b"");
    assert_eq!(
        format_raw(&Reply::Array(vec![
            bulk("a"),
            Reply::Array(vec![bulk("b"), bulk("c")])
        ])),
        b"a\nb\nc"
    );
}
