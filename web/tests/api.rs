//! The JavaScript API's messages as the frame reads them in a real browser: option objects
//! through serde-wasm-bindgen, strictly.
#![cfg(target_arch = "wasm32")]

use clusterlab_web::api::{HostRequest, read};
use console::embed::Start;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// A JS value from JSON, as a host page would build it.
fn js(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("valid JSON")
}

#[wasm_bindgen_test]
fn mount_options_are_read_into_the_playgrounds() {
    let request = read(&js(r#"{"type":"clusterlab:mount","options":{"scenario":"three-plus-three","seed":7,"speed":10,"panels":["terminal","slots"],"readOnly":true,"autoplay":true}}"#))
        .expect("a ClusterLab message")
        .expect("valid");
    let HostRequest::Configure(o) = request else {
        panic!("not a mount: {request:?}");
    };
    assert!(matches!(o.start, Start::Preset(p) if p.name == "three-plus-three"));
    assert_eq!(
        (o.seed, o.speed, o.read_only, o.play),
        (Some(7), Some(10.0), true, true)
    );
    assert_eq!(
        o.panels.map(|p| p.to_string()).as_deref(),
        Some("terminal,slots")
    );
    // No options at all: an empty world with the defaults.
    assert!(matches!(
        read(&js(r#"{"type":"clusterlab:mount"}"#)),
        Some(Ok(HostRequest::Configure(_)))
    ));
    assert_eq!(
        read(&js(r#"{"type":"clusterlab:run","line":"PING"}"#)),
        Some(Ok(HostRequest::Run("PING".into())))
    );
    assert_eq!(
        read(&js(r#"{"type":"clusterlab:pause"}"#)),
        Some(Ok(HostRequest::Play(false)))
    );
}

#[wasm_bindgen_test]
fn other_messages_are_ignored_and_bad_ones_explained() {
    for other in [
        r#"{"type":"webpackOk"}"#,
        r#""just a string""#,
        "null",
        "42",
        "{}",
    ] {
        assert_eq!(read(&js(other)), None, "{other}");
    }
    let error = |json: &str| {
        read(&js(json))
            .expect("a ClusterLab message")
            .expect_err("refused")
    };
    let e = error(r#"{"type":"clusterlab:run","line":"PING","sudo":true}"#);
    assert!(e.contains("unknown field `sudo`"), "{e}");
    let e = error(r#"{"type":"clusterlab:mount","options":{"speed":"fast"}}"#);
    assert!(e.contains("clusterlab:mount"), "{e}");
    let e = error(r#"{"type":"clusterlab:mount","options":{"seed":-1}}"#);
    assert!(e.contains("is not valid"), "{e}");
    let e = error(r#"{"type":"clusterlab:mount","options":{"scenario":"<img src=x>"}}"#);
    assert!(e.contains("no scenario '?img?src?x?'"), "{e}");
    let e = error(r#"{"type":"clusterlab:explode"}"#);
    assert!(e.contains("unknown variant"), "{e}");
    let e = error(r#"{"type":"clusterlab:mount","options":{"readonly":true}}"#);
    assert!(e.contains("unknown field `readonly`"), "{e}");
}
