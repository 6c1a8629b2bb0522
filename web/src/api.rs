//! The frame's side of the JavaScript API (`ClusterLab.mount` in `embed.js`): the messages a
//! host page sends to its embedded playground, read strictly with serde-wasm-bindgen, and the
//! state it reports back.
//!
//! A host sends `{type: "clusterlab:mount", options: {...}}`, `{type: "clusterlab:run", line}`,
//! `clusterlab:play`, `clusterlab:pause` and `clusterlab:reset`. Only the frame's parent is
//! listened to, every message is checked (unknown fields and types are errors), and a bad one
//! is answered with `clusterlab:error` and shown in the frame as text.

use std::rc::Rc;

use console::embed::{EmbedOptions, Start};
use console::panels::Panels;
use serde::{Deserialize, Serialize};

/// The longest line a host may run.
pub const MAX_HOST_LINE_CHARS: usize = 16 * 1024;

/// The options of `ClusterLab.mount(target, options)` as the host writes them.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MountOptions {
    /// A built-in scenario's name (`seed-failover`, `three-plus-three`, ...).
    pub scenario: Option<String>,
    /// The text of a scenario file, run at once.
    pub scenario_text: Option<String>,
    /// An exercise of the built-in track, by name.
    pub exercise: Option<String>,
    /// The world's seed.
    pub seed: Option<u64>,
    /// The clock's speed: 0.01, 0.1, 0.25, 0.5, 1, 2, 5, 10 or 100.
    pub speed: Option<f64>,
    /// The panels shown, by name.
    pub panels: Option<Vec<String>>,
    /// No typing and no buttons that act on the world.
    pub read_only: Option<bool>,
    /// The clock runs from the start.
    pub autoplay: Option<bool>,
}

impl MountOptions {
    /// Checks the options and turns them into the playground's.
    pub fn validate(&self) -> Result<EmbedOptions, String> {
        let mut o = EmbedOptions::default();
        if let Some(name) = &self.scenario {
            o.set_start(Start::Preset(console::embed::preset_named(name)?))?;
        }
        if let Some(text) = &self.scenario_text {
            console::embed::check_scenario_text(text)?;
            o.set_start(Start::Scenario(text.clone()))?;
        }
        if let Some(name) = &self.exercise {
            o.set_start(Start::Exercise(console::embed::exercise_named(name)?))?;
        }
        o.seed = self.seed;
        o.speed = self.speed.map(console::embed::speed_from).transpose()?;
        o.panels = self
            .panels
            .as_ref()
            .map(|names| Panels::from_names(names.iter().map(String::as_str)))
            .transpose()?;
        o.read_only = self.read_only.unwrap_or(false);
        o.play = self.autoplay.unwrap_or(false);
        Ok(o)
    }
}

/// A message from the host page.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", deny_unknown_fields)]
pub enum HostMessage {
    /// Set the playground up as these options say (a fresh world).
    #[serde(rename = "clusterlab:mount")]
    Mount {
        /// The options (all optional).
        #[serde(default)]
        options: MountOptions,
    },
    /// Run a line as if typed in the active terminal.
    #[serde(rename = "clusterlab:run")]
    Run {
        /// The line.
        line: String,
    },
    /// Start the clock.
    #[serde(rename = "clusterlab:play")]
    Play,
    /// Stop the clock.
    #[serde(rename = "clusterlab:pause")]
    Pause,
    /// Back to the world the options set up.
    #[serde(rename = "clusterlab:reset")]
    Reset,
}

/// What the playground does for a host's message.
#[derive(Debug, Clone, PartialEq)]
pub enum HostRequest {
    /// Apply these options, and remember them for `reset`.
    Configure(Rc<EmbedOptions>),
    /// Run a line.
    Run(String),
    /// Play or pause.
    Play(bool),
    /// Apply the remembered options again.
    Reset,
}

impl HostMessage {
    /// The checked request, or why the message cannot be followed.
    pub fn request(self) -> Result<HostRequest, String> {
        Ok(match self {
            HostMessage::Mount { options } => HostRequest::Configure(Rc::new(options.validate()?)),
            HostMessage::Run { line } => {
                if line.chars().count() > MAX_HOST_LINE_CHARS {
                    return Err(format!(
                        "a line may have at most {MAX_HOST_LINE_CHARS} characters"
                    ));
                }
                if line.contains(['\n', '\r']) {
                    return Err("run takes one line (no line breaks)".to_string());
                }
                HostRequest::Run(line)
            }
            HostMessage::Play => HostRequest::Play(true),
            HostMessage::Pause => HostRequest::Play(false),
            HostMessage::Reset => HostRequest::Reset,
        })
    }
}

/// One node in a `clusterlab:state` event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeState {
    /// Its client port.
    pub port: u16,
    /// `master` or `slave`, as the node says.
    pub role: String,
    /// Whether the process runs.
    pub running: bool,
    /// Whether it is stopped by `sim pause`.
    pub paused: bool,
    /// The port of its master, for a replica.
    pub master: Option<u16>,
    /// Its slots as CLUSTER NODES prints them.
    pub slots: String,
    /// Its configEpoch (a JS number: exact up to 2^53, far beyond any epoch a run reaches;
    /// serde-wasm-bindgen would refuse a larger u64).
    pub config_epoch: f64,
    /// Its currentEpoch.
    pub current_epoch: f64,
    /// Whether it says `cluster_state:ok`.
    pub cluster_ok: bool,
}

/// The payload of a `clusterlab:state` event: sent when the clock starts or stops, the speed
/// changes, or any node's role, process, slots, epochs or cluster state changes (not on every
/// tick of the clock).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StateEvent {
    /// Whether the clock plays.
    pub playing: bool,
    /// Its speed.
    pub speed: f64,
    /// Whether typing is off.
    pub read_only: bool,
    /// The cluster's nodes.
    pub nodes: Vec<NodeState>,
}

impl StateEvent {
    /// The event for the world shown.
    pub fn of(state: &crate::frame::Frame, view: &cluster_sim::ClusterView) -> StateEvent {
        StateEvent {
            playing: state.playing,
            speed: state.speed,
            read_only: state.read_only,
            nodes: view
                .nodes
                .iter()
                .map(|n| NodeState {
                    port: n.port,
                    role: n.role.to_string(),
                    running: n.running,
                    paused: n.paused,
                    master: n.master_port,
                    slots: n.slots.clone(),
                    config_epoch: n.config_epoch as f64,
                    current_epoch: n.current_epoch as f64,
                    cluster_ok: n.cluster_ok,
                })
                .collect(),
        }
    }
}

/// The payload of a `clusterlab:output` event: a line run (typed or sent) and what it printed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutputEvent {
    /// Counts lines run in this frame, from 1.
    pub seq: f64,
    /// The line.
    pub line: String,
    /// What it printed, lines joined by `\n`.
    pub output: String,
}

/// Reads a message event's data: `None` for messages that are not ClusterLab's (other scripts
/// on a page post messages too), else the checked request or an error for the host.
pub fn read(data: &wasm_bindgen::JsValue) -> Option<Result<HostRequest, String>> {
    let kind = js_sys::Reflect::get(data, &wasm_bindgen::JsValue::from_str("type"))
        .ok()?
        .as_string()?;
    if !kind.starts_with("clusterlab:") {
        return None;
    }
    Some(
        serde_wasm_bindgen::from_value::<HostMessage>(data.clone())
            .map_err(|e| format!("the page's message '{}' is not valid: {e}", shown(&kind)))
            .and_then(HostMessage::request),
    )
}

fn shown(kind: &str) -> String {
    kind.chars()
        .take(40)
        .map(|c| if c.is_ascii_graphic() { c } else { '?' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use console::panels::Panel;

    #[test]
    fn options_are_checked_into_the_playgrounds() {
        let o = MountOptions {
            scenario: Some("three-plus-three".into()),
            seed: Some(9),
            speed: Some(10.0),
            panels: Some(vec!["terminal".into(), "slots".into()]),
            read_only: Some(true),
            autoplay: Some(true),
            ..MountOptions::default()
        }
        .validate()
        .expect("valid");
        assert!(matches!(o.start, Start::Preset(p) if p.name == "three-plus-three"));
        assert_eq!(
            (o.seed, o.speed, o.read_only, o.play),
            (Some(9), Some(10.0), true, true)
        );
        let panels = o.panels.expect("panels");
        assert!(panels.shows(Panel::Slots) && !panels.shows(Panel::Topology));
        assert_eq!(
            MountOptions::default().validate(),
            Ok(EmbedOptions::default())
        );
    }

    #[test]
    fn bad_options_say_what_is_wrong() {
        let bad = |o: MountOptions| o.validate().expect_err("refused");
        let e = bad(MountOptions {
            scenario: Some("nope".into()),
            ..MountOptions::default()
        });
        assert!(e.contains("there is no scenario 'nope'"), "{e}");
        let e = bad(MountOptions {
            scenario: Some("seed-failover".into()),
            exercise: Some("takeover".into()),
            ..MountOptions::default()
        });
        assert!(e.contains("only one of"), "{e}");
        let e = bad(MountOptions {
            scenario_text: Some("no typed lines".into()),
            ..MountOptions::default()
        });
        assert!(e.contains("no typed lines"), "{e}");
        let e = bad(MountOptions {
            speed: Some(3.0),
            ..MountOptions::default()
        });
        assert!(e.contains("speed must be one of"), "{e}");
        let e = bad(MountOptions {
            panels: Some(vec![]),
            ..MountOptions::default()
        });
        assert!(e.contains("at least one panel"), "{e}");
    }

    #[test]
    fn run_takes_one_bounded_line() {
        let run = |line: &str| {
            HostMessage::Run {
                line: line.to_string(),
            }
            .request()
        };
        assert_eq!(run("PING"), Ok(HostRequest::Run("PING".into())));
        assert!(run("PING\nFLUSHALL").is_err());
        assert!(run(&"x".repeat(MAX_HOST_LINE_CHARS + 1)).is_err());
        assert_eq!(HostMessage::Pause.request(), Ok(HostRequest::Play(false)));
    }
}
