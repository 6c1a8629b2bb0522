//! The node inspector: one node's `clusterState`, its table of known nodes, its own
//! CLUSTER NODES text and the end of its log.

use cluster_proto::{ClusterHealth, SimTime};
use std::rc::Rc;

use cluster_sim::Simulator;
use yew::prelude::*;

use crate::frame::WorldReport;

/// Properties of [`Inspector`].
#[derive(Debug, Properties)]
pub struct InspectorProps {
    /// The node's port.
    pub port: u16,
    /// What the engine read from the world (the inspected node's report among it): drawn
    /// again for a new report, not on every clock tick (a node of a 1,000-node world lists a
    /// thousand others).
    pub world: Rc<WorldReport>,
}

impl PartialEq for InspectorProps {
    fn eq(&self, other: &Self) -> bool {
        self.port == other.port && Rc::ptr_eq(&self.world, &other.world)
    }
}

/// One row of a node's table of known nodes, as the inspector shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KnownRow {
    /// The known node's port.
    pub port: u16,
    /// Its flags, as CLUSTER NODES prints them.
    pub flags: String,
    /// Its configEpoch.
    pub config_epoch: u64,
    /// When the last PING to it was sent (`-` for myself).
    pub ping_sent: String,
    /// When its last PONG came (`-` for myself).
    pub pong_received: String,
    /// `connected` or `disconnected`.
    pub link: String,
    /// Its failure reports: by whom, and how long ago.
    pub reports: String,
    /// Its replication offset.
    pub repl_offset: u64,
}

/// One node, inside out: what the inspector shows.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum NodeReport {
    /// No server has run on the port.
    NoServer,
    /// The server runs without cluster support.
    NoCluster,
    /// A cluster node.
    Node {
        /// Its `clusterState`'s facts, by name.
        facts: Vec<(String, String)>,
        /// Its table of known nodes.
        rows: Vec<KnownRow>,
        /// Its CLUSTER NODES text.
        nodes_text: String,
        /// The last lines of its log.
        log_tail: Vec<String>,
    },
}

fn ms_ago(now: SimTime, t: Option<SimTime>) -> String {
    t.map_or_else(|| "never".to_string(), |t| format!("{} ms ago", now - t))
}

impl NodeReport {
    /// Reads the node on `port` from `sim`.
    pub fn of(sim: &Simulator, port: u16) -> NodeReport {
        let Some(host) = sim.host(port) else {
            return NodeReport::NoServer;
        };
        let Some(state) = host.cluster.as_ref() else {
            return NodeReport::NoCluster;
        };
        let now = sim.now();
        let election = state.election();
        let me = state.myself();
        let facts: Vec<(&str, String)> = vec![
            (
                "process",
                if host.is_running() {
                    format!("running, pid {}", host.pid)
                } else {
                    "down".into()
                },
            ),
            ("myself", me.id.to_string()),
            (
                "role",
                if me.is_replica() {
                    "replica".into()
                } else {
                    "master".into()
                },
            ),
            (
                "state",
                match state.health() {
                    ClusterHealth::Ok => "ok".into(),
                    ClusterHealth::Fail => "fail".into(),
                },
            ),
            ("size", state.cluster_size().to_string()),
            ("currentEpoch", state.current_epoch().to_string()),
            ("configEpoch", me.config_epoch.to_string()),
            ("lastVoteEpoch", state.last_vote_epoch().to_string()),
            ("repl offset", me.repl_offset.to_string()),
            (
                "failover_auth",
                if election.auth_time == 0 {
                    "no election yet".into()
                } else {
                    format!(
                        "epoch {}, rank {}, {} vote(s), request {}",
                        election.auth_epoch,
                        election.auth_rank,
                        election.auth_count,
                        if election.auth_sent {
                            "sent"
                        } else {
                            "not sent"
                        }
                    )
                },
            ),
        ];
        let rows = state
            .nodes()
            .iter()
            .map(|n| {
                let reports: Vec<String> = n
                    .fail_reports
                    .iter()
                    .map(|r| {
                        let by = state.node(&r.reporter).map_or(0, |x| x.addr.port);
                        format!("{by} ({} ms ago)", now - r.time)
                    })
                    .collect();
                let me = n.is_myself();
                KnownRow {
                    port: n.addr.port,
                    flags: n.flags.names(),
                    config_epoch: n.config_epoch,
                    ping_sent: if me {
                        "-".into()
                    } else {
                        ms_ago(now, n.ping_sent)
                    },
                    pong_received: if me {
                        "-".into()
                    } else {
                        ms_ago(now, n.pong_received)
                    },
                    link: if me || n.link.is_some() {
                        "connected"
                    } else {
                        "disconnected"
                    }
                    .into(),
                    reports: if reports.is_empty() {
                        "-".into()
                    } else {
                        reports.join(", ")
                    },
                    repl_offset: n.repl_offset,
                }
            })
            .collect();
        let skip = host.log.len().saturating_sub(8);
        NodeReport::Node {
            facts: facts.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            rows,
            nodes_text: console::cluster_text::cluster_nodes(state),
            log_tail: host.log.iter().skip(skip).cloned().collect(),
        }
    }
}

fn render(report: &NodeReport, port: u16) -> Html {
    let (facts, rows, nodes_text, log_tail) = match report {
        NodeReport::NoServer => {
            return html! { <p>{ format!("No server has run on port {port}.") }</p> };
        }
        NodeReport::NoCluster => {
            return html! { <p>{ format!("{port} runs without cluster support.") }</p> };
        }
        NodeReport::Node {
            facts,
            rows,
            nodes_text,
            log_tail,
        } => (facts, rows, nodes_text, log_tail),
    };
    html! {
        <>
            <dl class="facts">
                { for facts.iter().map(|(k, v)| html! { <><dt>{ k }</dt><dd>{ v }</dd></> }) }
            </dl>
            <table class="known-nodes">
                <caption>{ "Known nodes, as this node sees them" }</caption>
                <thead><tr>
                    <th scope="col">{ "port" }</th><th scope="col">{ "flags" }</th>
                    <th scope="col">{ "epoch" }</th><th scope="col">{ "ping sent" }</th>
                    <th scope="col">{ "pong received" }</th><th scope="col">{ "link" }</th>
                    <th scope="col">{ "failure reports" }</th><th scope="col">{ "repl offset" }</th>
                </tr></thead>
                <tbody>
                    { for rows.iter().map(|r| html! {
                        <tr>
                            <td>{ r.port }</td>
                            <td>{ &r.flags }</td>
                            <td>{ r.config_epoch }</td>
                            <td>{ &r.ping_sent }</td>
                            <td>{ &r.pong_received }</td>
                            <td>{ &r.link }</td>
                            <td>{ &r.reports }</td>
                            <td>{ r.repl_offset }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            <details>
                <summary>{ "CLUSTER NODES" }</summary>
                <pre class="nodes-text">{ nodes_text }</pre>
            </details>
            <details open=true>
                <summary>{ "Log" }</summary>
                <pre class="node-log">{ for log_tail.iter().map(|l| format!("{l}\n")) }</pre>
            </details>
        </>
    }
}

/// One node, inside out.
#[function_component(Inspector)]
pub fn inspector(props: &InspectorProps) -> Html {
    // The engine reports the node the page asked for; until it answers, it has none.
    let report = props
        .world
        .inspector
        .as_ref()
        .filter(|_| props.world.watch.inspect == Some(props.port));
    html! {
        <section class="inspector" aria-label={format!("node {}", props.port)}>
            <h2>{ format!("Node {}", props.port) }</h2>
            { for report.map(|r| render(r, props.port)) }
        </section>
    }
}
