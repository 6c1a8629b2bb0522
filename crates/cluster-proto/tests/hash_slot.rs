//! Key hashing vectors from Redis Cluster's specification and test suite
//! (`keyHashSlot` in cluster.c; `06S` from tests/cluster/tests/17, `aga` from test 20).
use cluster_proto::{crc16, key_hash_slot};
// The same tests run natively and, in headless Chromium, as wasm.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[test]
fn crc16_xmodem_check_value() {
    assert_eq!(crc16(b"123456789"), 0x31C3);
}

#[test]
fn plain_keys() {
    for (key, slot) in [
        ("foo", 12182),
        ("bar", 5061),
        ("key1", 9189),
        ("hello", 866),
        ("a", 15495),
        ("", 0),
        ("06S", 0),
        ("aga", 609),
        ("123456789", 12739),
        ("FOO", 3028),
        ("Hello World", 6442),
        ("key9184688", 10923),
    ] {
        assert_eq!(key_hash_slot(key.as_bytes()), slot, "slot of {key:?}");
    }
}

#[test]
fn hash_tags() {
    let s = |k: &str| key_hash_slot(k.as_bytes());
    assert_eq!(s("{user1}.a"), s("{user1}.b"));
    assert_eq!(s("{user1}.a"), 8106);
    assert_eq!(s("user1000"), 3443);
    assert_eq!(s("{user1000}.following"), 3443);
    assert_eq!(s("tag"), 8338);
    assert_eq!(s("{tag}"), 8338);
    assert_eq!(s("foo{tag}"), 8338);
    // An empty tag hashes the whole key.
    assert_eq!(s("foo{}{bar}"), 8363);
    assert_ne!(s("{}"), s(""));
    assert_eq!(s("{}"), crc16(b"{}") & 0x3FFF);
    // The first `{` and the first `}` after it delimit the tag.
    assert_eq!(s("foo{{bar}}zap"), 4015);
    assert_eq!(s("foo{bar}{zap}"), 5061);
    // An unclosed brace hashes the whole key.
    assert_eq!(s("foo{bar"), crc16(b"foo{bar") & 0x3FFF);
}
