//! The node inspector: one node's `clusterState`, its table of known nodes, its own
//! CLUSTER NODES text and the end of its log.

use cluster_proto::{ClusterHealth, SimTime};
use std::rc::Rc;

use cluster_sim::{ClusterView, Simulator};
use yew::prelude::*;

use crate::state::Playground;

/// Properties of [`Inspector`].
#[derive(Debug, Properties)]
pub struct InspectorProps {
    /// The node's port.
    pub port: u16,
    /// The playground's state (the world is read when the inspector renders).
    pub state: UseReducerHandle<Playground>,
    /// The picture of the world the other panels show: the inspector is drawn again when it
    /// changes, not on every clock tick (a node of a 1,000-node world lists a thousand others).
    pub view: Rc<ClusterView>,
}

impl PartialEq for InspectorProps {
    /// The state is left out: it changes on every tick, while the world it reads from is the
    /// same console for the page's life, and a new picture says when that world changed.
    fn eq(&self, other: &Self) -> bool {
        self.port == other.port && Rc::ptr_eq(&self.view, &other.view)
    }
}

fn ms_ago(now: SimTime, t: Option<SimTime>) -> String {
    t.map_or_else(|| "never".to_string(), |t| format!("{} ms ago", now - t))
}

fn render(sim: &Simulator, port: u16) -> Html {
    let Some(host) = sim.host(port) else {
        return html! { <p>{ format!("No server has run on port {port}.") }</p> };
    };
    let Some(state) = host.cluster.as_ref() else {
        return html! { <p>{ format!("{port} runs without cluster support.") }</p> };
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
    let log_tail: Vec<&String> = host.log.iter().rev().take(8).rev().collect();
    html! {
        <>
            <dl class="facts">
                { for facts.iter().map(|(k, v)| html! { <><dt>{ *k }</dt><dd>{ v }</dd></> }) }
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
                    { for state.nodes().iter().map(|n| {
                        let reports: Vec<String> = n.fail_reports.iter().map(|r| {
                            let by = state.node(&r.reporter).map_or(0, |x| x.addr.port);
                            format!("{by} ({} ms ago)", now - r.time)
                        }).collect();
                        html! {
                            <tr>
                                <td>{ n.addr.port }</td>
                                <td>{ n.flags.names() }</td>
                                <td>{ n.config_epoch }</td>
                                <td>{ if n.is_myself() { "-".to_string() } else { ms_ago(now, n.ping_sent) } }</td>
                                <td>{ if n.is_myself() { "-".to_string() } else { ms_ago(now, n.pong_received) } }</td>
                                <td>{ if n.is_myself() || n.link.is_some() { "connected" } else { "disconnected" } }</td>
                                <td>{ if reports.is_empty() { "-".to_string() } else { reports.join(", ") } }</td>
                                <td>{ n.repl_offset }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
            <details>
                <summary>{ "CLUSTER NODES" }</summary>
                <pre class="nodes-text">{ console::cluster_text::cluster_nodes(state) }</pre>
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
    let console = props.state.console();
    let console = console.borrow();
    html! {
        <section class="inspector" aria-label={format!("node {}", props.port)}>
            <h2>{ format!("Node {}", props.port) }</h2>
            { render(console.sim(), props.port) }
        </section>
    }
}
