//! The topology: masters on a ring with their replicas outside them, bus links, partitions, and
//! bus messages flying between nodes. Nodes can be chosen, killed, crashed, restarted, paused
//! and partitioned; every action runs the `sim` line a learner could have typed.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use cluster_proto::MsgType;
use cluster_sim::{Belief, ClusterView, NodeView, WireMsg};
use yew::prelude::*;

use crate::state::Action;
use crate::view_cache::ByPtr;

/// Properties of [`Topology`].
#[derive(Debug, Properties, PartialEq)]
pub struct TopologyProps {
    /// The playground's state (for actions and the message record).
    pub state: crate::ui::Ui,
    /// The world to draw (the app computes it once per render for every panel).
    pub view: Rc<ClusterView>,
    /// The node being inspected.
    #[prop_or_default]
    pub selected: Option<u16>,
    /// A node was chosen.
    #[prop_or_default]
    pub on_select: Callback<u16>,
}

/// The message types a learner can show or hide, with their labels.
pub const MESSAGE_KINDS: [(MsgType, &str); 7] = [
    (MsgType::Ping, "PING"),
    (MsgType::Pong, "PONG"),
    (MsgType::Meet, "MEET"),
    (MsgType::Fail, "FAIL"),
    (MsgType::FailoverAuthRequest, "FAILOVER_AUTH_REQUEST"),
    (MsgType::FailoverAuthAck, "FAILOVER_AUTH_ACK"),
    (MsgType::Update, "UPDATE"),
];

/// The CSS class of a message type.
pub fn kind_class(kind: MsgType) -> &'static str {
    match kind {
        MsgType::Ping => "msg-ping",
        MsgType::Pong => "msg-pong",
        MsgType::Meet => "msg-meet",
        MsgType::Fail => "msg-fail",
        MsgType::FailoverAuthRequest => "msg-auth-req",
        MsgType::FailoverAuthAck => "msg-auth-ack",
        MsgType::Update => "msg-update",
        MsgType::MfStart => "msg-mfstart",
    }
}

/// The drawing's size (SVG user units).
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 500.0;
const RING: f64 = 118.0;
const OUTER: f64 = 210.0;

/// Where each node sits: masters evenly on a ring, each master's replicas just outside it.
/// A replica whose master is not on the ring (unknown, or itself a replica for a moment after
/// a failover) sits on the ring as if it were a master, so every node is drawn somewhere.
/// A few passes over the nodes, no more: a picture of a thousand nodes is laid out anew.
pub fn layout(view: &ClusterView) -> BTreeMap<u16, (f64, f64)> {
    let (cx, cy) = (WIDTH / 2.0, HEIGHT / 2.0);
    let known: BTreeSet<u16> = view.nodes.iter().map(|n| n.port).collect();
    let master_in = |n: &NodeView, set: &BTreeSet<u16>| {
        n.master_port
            .filter(|m| n.role == "slave" && set.contains(m))
    };
    let ring: BTreeSet<u16> = view
        .nodes
        .iter()
        .filter(|n| master_in(n, &known).is_none())
        .map(|n| n.port)
        .collect();
    let mut masters = Vec::new();
    let mut replicas_of: BTreeMap<u16, Vec<u16>> = BTreeMap::new();
    for n in &view.nodes {
        match master_in(n, &ring) {
            Some(m) => replicas_of.entry(m).or_default().push(n.port),
            None => masters.push(n.port),
        }
    }
    let mut at = BTreeMap::new();
    let count = masters.len().max(1) as f64;
    for (i, &m) in masters.iter().enumerate() {
        let angle = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / count;
        let r = if masters.len() == 1 { 0.0 } else { RING };
        at.insert(m, (cx + r * angle.cos(), cy + r * angle.sin()));
        let replicas = replicas_of.get(&m).map_or(&[][..], Vec::as_slice);
        let spread = (std::f64::consts::TAU / count / 2.5).min(0.5);
        for (j, &r) in replicas.iter().enumerate() {
            let offset = (j as f64 - (replicas.len() as f64 - 1.0) / 2.0) * spread;
            let a = angle + offset;
            at.insert(r, (cx + OUTER * a.cos(), cy + OUTER * a.sin()));
        }
    }
    at
}

/// What the cluster agrees on about each node: the worst belief any running node holds (in
/// one pass over the beliefs, which number N² in a world of N nodes).
pub(crate) fn consensus(view: &ClusterView) -> BTreeMap<u16, Belief> {
    let mut worst = BTreeMap::new();
    for b in &view.beliefs {
        let w = worst.entry(b.target).or_insert(Belief::Ok);
        match (b.belief, *w) {
            (Belief::Fail, _) => *w = Belief::Fail,
            (Belief::PFail, Belief::Ok) => *w = Belief::PFail,
            _ => {}
        }
    }
    worst
}

/// The most bus links and cuts drawn: a full mesh of 64 nodes. Past it the lines would only
/// grey the drawing out and cost the page its frames, so they are counted instead (and a
/// condensed picture of the world lists none: it stops at the same number).
pub const MAX_DRAWN_LINES: usize = cluster_sim::MAX_LISTED_LINES;

/// A message drawn in flight.
#[derive(Debug, Clone, PartialEq)]
struct Flight {
    seq: u64,
    kind: MsgType,
    from: (f64, f64),
    to: (f64, f64),
    dropped: bool,
    born_ms: f64,
}

/// How long a message takes to cross the drawing, in real ms (a protocol message takes well
/// under a millisecond; this is slowed down to be seen).
pub const FLIGHT_MS: f64 = 900.0;

/// At most this many messages fly at once; the rest are counted, not drawn.
pub const MAX_FLIGHTS: usize = 80;

/// Messages fly only in worlds of at most this many nodes. A thousand nodes send thousands of
/// messages a second: the few drawn would say nothing, and animating them makes the browser
/// paint the whole drawing again on every frame.
pub const MAX_FLYING_NODES: usize = 200;

fn real_now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Takes the messages sent since `seen` and adds those shown by the filter to `flights`.
fn take_new_flights(
    flights: &mut Vec<Flight>,
    seen: &mut u64,
    wire: &[WireMsg],
    next_seq: u64,
    at: &BTreeMap<u16, (f64, f64)>,
    shown: &[MsgType],
) {
    let now = real_now_ms();
    flights.retain(|f| now - f.born_ms < FLIGHT_MS);
    // A rewound world numbers its messages from an earlier point: start over.
    if next_seq < *seen {
        flights.clear();
    }
    // After a jump in time (a `sleep`), only the newest messages are worth drawing.
    let room = MAX_FLIGHTS.saturating_sub(flights.len());
    let fresh: Vec<&WireMsg> = wire
        .iter()
        .filter(|m| m.seq >= *seen && shown.contains(&m.kind))
        .collect();
    let skip = fresh.len().saturating_sub(room);
    for m in fresh.into_iter().skip(skip) {
        let (Some(&from), Some(&to)) = (at.get(&m.from), at.get(&m.to)) else {
            continue;
        };
        flights.push(Flight {
            seq: m.seq,
            kind: m.kind,
            from,
            to,
            dropped: m.arrives.is_none(),
            born_ms: now,
        });
    }
    *seen = next_seq;
}

fn node_label(n: &NodeView, belief: Belief) -> String {
    let role = if n.role == "slave" {
        "replica"
    } else {
        "master"
    };
    let mut parts = vec![format!("{} {role}", n.port)];
    if let Some(m) = n.master_port {
        parts.push(format!("of {m}"));
    }
    if !n.slots.is_empty() {
        parts.push(format!("slots {}", n.slots));
    }
    parts.push(format!("configEpoch {}", n.config_epoch));
    parts.push(
        match (n.running, n.paused, belief) {
            (false, _, _) => "process down",
            (_, true, _) => "paused",
            (_, _, Belief::Fail) => "marked FAIL",
            (_, _, Belief::PFail) => "suspected (fail?)",
            _ => "ok",
        }
        .to_string(),
    );
    parts.join(", ")
}

/// The slots text, shortened to fit under a node.
fn short_slots(slots: &str) -> String {
    if slots.chars().count() <= 14 {
        slots.to_string()
    } else {
        let head: String = slots.chars().take(12).collect();
        format!("{head}…")
    }
}

/// How many of these lines are drawn: all of them, or none when there are more than
/// [`MAX_DRAWN_LINES`] (`count`: how many there are, listed or not).
fn drawable(lines: &[(u16, u16)], count: usize) -> usize {
    if count <= MAX_DRAWN_LINES {
        lines.len()
    } else {
        0
    }
}

/// What the topology says instead of drawing its lines, when there are too many of either
/// kind (counted, as a condensed picture lists none past [`MAX_DRAWN_LINES`]).
fn too_many_lines(view: &ClusterView) -> Option<String> {
    (view.link_count > MAX_DRAWN_LINES || view.cut_count > MAX_DRAWN_LINES).then(|| {
        format!(
            "{} bus links and {} cut paths: too many lines to draw (up to {MAX_DRAWN_LINES}).",
            view.link_count, view.cut_count
        )
    })
}

/// Properties of [`Lines`].
#[derive(Debug, Properties)]
struct LinesProps {
    view: Rc<ClusterView>,
    at: Rc<BTreeMap<u16, (f64, f64)>>,
}

impl PartialEq for LinesProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.view, &other.view) && Rc::ptr_eq(&self.at, &other.at)
    }
}

/// The bus links and the cut paths. Redrawn only with a new picture of the world, not on every
/// clock tick (the flights above them move every frame).
#[function_component(Lines)]
fn lines(props: &LinesProps) -> Html {
    let (view, at) = (&props.view, &props.at);
    let links = view.links[..drawable(&view.links, view.link_count)].iter().filter_map(|&(a, b)| {
        let (&(x1, y1), &(x2, y2)) = (at.get(&a)?, at.get(&b)?);
        Some(html! {
            <line class="bus-link" x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()} />
        })
    });
    // A cut both ways is one red dashed line; one way, an arrow shows the dead direction.
    let cut_set: BTreeSet<(u16, u16)> = view.cuts.iter().copied().collect();
    let cuts = view.cuts[..drawable(&view.cuts, view.cut_count)].iter().filter_map(|&(a, b)| {
        let both = cut_set.contains(&(b, a));
        if both && a > b {
            return None;
        }
        let (&(x1, y1), &(x2, y2)) = (at.get(&a)?, at.get(&b)?);
        let class = if both { "cut both" } else { "cut one-way" };
        Some(html! {
            <line class={class} x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()}
                marker-end={(!both).then_some("url(#cut-arrow)")}>
                <title>{ if both { format!("{a} and {b} cannot reach each other") } else { format!("packets from {a} to {b} are dropped") } }</title>
            </line>
        })
    });
    html! {
        <>
            <g class="links">{ for links }</g>
            <g class="cuts">{ for cuts }</g>
        </>
    }
}

/// Properties of [`Nodes`].
#[derive(Debug, Properties)]
struct NodesProps {
    view: Rc<ClusterView>,
    at: Rc<BTreeMap<u16, (f64, f64)>>,
    selected: Option<u16>,
    /// The nodes chosen for a partition.
    group: Vec<u16>,
    /// Choosing a node adds it to the group instead of inspecting it.
    partition_mode: bool,
    /// A node was chosen (clicked, or Enter).
    on_choose: Callback<u16>,
}

impl PartialEq for NodesProps {
    /// Everything but the callback, which the parent makes anew on each frame: what it does
    /// depends only on the fields compared here.
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.view, &other.view)
            && Rc::ptr_eq(&self.at, &other.at)
            && self.selected == other.selected
            && self.group == other.group
            && self.partition_mode == other.partition_mode
    }
}

/// The nodes. Redrawn only when the picture of the world or the choice changes: a thousand
/// nodes cost the page most of a frame to build and compare.
#[function_component(Nodes)]
fn nodes(props: &NodesProps) -> Html {
    let (view, at) = (&props.view, &props.at);
    let agreed = consensus(view);
    let nodes = view.nodes.iter().map(|n| {
        let (x, y) = at.get(&n.port).copied().unwrap_or((0.0, 0.0));
        let belief = agreed.get(&n.port).copied().unwrap_or(Belief::Ok);
        let replica = n.role == "slave";
        let state_class = match (n.running, n.paused, belief) {
            (false, _, _) => "down",
            (_, true, _) => "paused",
            (_, _, Belief::Fail) => "fail",
            (_, _, Belief::PFail) => "pfail",
            _ => "ok",
        };
        let icon = match state_class {
            "down" | "fail" => "✕",
            "paused" => "⏸",
            "pfail" => "?",
            _ => "",
        };
        let selected = props.selected == Some(n.port);
        let grouped = props.group.contains(&n.port);
        let port = n.port;
        let onclick = props.on_choose.reform(move |_: MouseEvent| port);
        let choose = props.on_choose.clone();
        let onkeydown = Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                choose.emit(port);
            }
        });
        let shape = if replica {
            html! { <rect class="shape" x={(x - 22.0).to_string()} y={(y - 22.0).to_string()} width="44" height="44" rx="9" /> }
        } else {
            html! { <circle class="shape" cx={x.to_string()} cy={y.to_string()} r="28" /> }
        };
        let below = if replica { 36.0 } else { 42.0 };
        let label = node_label(n, belief);
        html! {
            <g class={classes!("node", state_class, if replica { "replica" } else { "master" }, selected.then_some("selected"), grouped.then_some("grouped"))}
                tabindex="0" role="button" aria-pressed={selected.to_string()}
                data-label={label.clone()} {onclick} {onkeydown}>
                // The SVG title names the node for assistive technology (and shows on hover);
                // the drawn texts repeat parts of it and are hidden from the accessibility tree.
                <title>{ label }</title>
                { shape }
                <text class="port" x={x.to_string()} y={(y + 5.0).to_string()} aria-hidden="true">{ n.port }</text>
                if !icon.is_empty() {
                    <text class="icon" x={(x + 22.0).to_string()} y={(y - 18.0).to_string()} aria-hidden="true">{ icon }</text>
                }
                <text class="meta" x={x.to_string()} y={(y + below).to_string()} aria-hidden="true">
                    { format!("e{}{}", n.config_epoch, if n.slots.is_empty() { String::new() } else { format!(" · {}", short_slots(&n.slots)) }) }
                </text>
            </g>
        }
    });
    html! { <g class="nodes">{ for nodes }</g> }
}

/// The topology panel.
#[function_component(Topology)]
pub fn topology(props: &TopologyProps) -> Html {
    let state = &props.state;
    // The flights' coordinates go in through the CSSOM (the CSP allows no style attributes).
    let root = crate::cssom::use_data_styles();
    let view = &props.view;
    // Laid out once per picture of the world, not once per frame.
    let at = use_memo(ByPtr(Rc::clone(view)), |v| layout(&v.0));
    let flights = use_mut_ref(Vec::<Flight>::new);
    let seen = use_mut_ref(|| u64::MAX);
    let shown = use_state(|| MESSAGE_KINDS.iter().map(|(k, _)| *k).collect::<Vec<_>>());
    let partition_mode = use_state(|| false);
    let group = use_state(Vec::<u16>::new);

    {
        let mut seen = seen.borrow_mut();
        if *seen == u64::MAX {
            *seen = state.wire_next; // do not replay history on the first render
        }
        if view.nodes.len() <= MAX_FLYING_NODES {
            take_new_flights(
                &mut flights.borrow_mut(),
                &mut seen,
                &state.wire,
                state.wire_next,
                &at,
                &shown,
            );
        } else {
            // The engine sends none for a big world.
            flights.borrow_mut().clear();
            *seen = state.wire_next;
        }
    }

    if view.nodes.is_empty() {
        return html! {
            <section class="topology empty" aria-label="topology">
                <p>{ "No nodes yet. Start one with redis-server, or load a preset." }</p>
            </section>
        };
    }

    let on_choose = {
        let on_select = props.on_select.clone();
        let partition_mode = partition_mode.clone();
        let group = group.clone();
        Callback::from(move |port: u16| {
            if *partition_mode {
                let mut g = (*group).clone();
                if let Some(i) = g.iter().position(|&p| p == port) {
                    g.remove(i);
                } else {
                    g.push(port);
                    g.sort_unstable();
                }
                group.set(g);
            } else {
                on_select.emit(port);
            }
        })
    };

    let flying = flights.borrow().clone();
    let flights_html = flying.iter().map(|f| {
        let (x1, y1) = f.from;
        let (x2, y2) = if f.dropped {
            ((f.from.0 + f.to.0) / 2.0, (f.from.1 + f.to.1) / 2.0)
        } else {
            f.to
        };
        let style = format!(
            "--x1:{x1:.1}px;--y1:{y1:.1}px;--x2:{x2:.1}px;--y2:{y2:.1}px;animation-duration:{FLIGHT_MS}ms"
        );
        html! {
            <circle key={f.seq} class={classes!("flight", kind_class(f.kind), f.dropped.then_some("dropped"))} r="5" data-style={style} />
        }
    });

    let toolbar = node_toolbar(props, view);
    let partition_bar = partition_toolbar(state, view, &partition_mode, &group);
    let filter = html! {
        <fieldset class="msg-filter">
            <legend>{ "Messages shown" }</legend>
            { for MESSAGE_KINDS.iter().map(|&(kind, label)| {
                let on = shown.contains(&kind);
                let shown = shown.clone();
                let toggle = Callback::from(move |_: Event| {
                    let mut s = (*shown).clone();
                    if let Some(i) = s.iter().position(|k| *k == kind) { s.remove(i); } else { s.push(kind); }
                    shown.set(s);
                });
                html! {
                    <label class={classes!("msg-kind", kind_class(kind))}>
                        <input type="checkbox" checked={on} onchange={toggle} />
                        <span class="swatch" aria-hidden="true"></span>{ label }
                    </label>
                }
            }) }
        </fieldset>
    };

    html! {
        <section ref={root} class="topology" aria-label="topology">
            <svg class="topology-svg" viewBox={format!("0 0 {WIDTH} {HEIGHT}")} role="group" aria-label="cluster topology: circles are masters, squares replicas">
                <defs>
                    <marker id="cut-arrow" viewBox="0 0 10 10" refX="30" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" class="cut-arrow" />
                    </marker>
                </defs>
                <Lines view={Rc::clone(view)} at={Rc::clone(&at)} />
                <g class="flights" aria-hidden="true">{ for flights_html }</g>
                <Nodes view={Rc::clone(view)} at={Rc::clone(&at)} selected={props.selected}
                    group={(*group).clone()} partition_mode={*partition_mode} {on_choose} />
            </svg>
            // Read-only: the host page acts on the world, the reader only looks.
            if !state.read_only {
                { toolbar }
                { partition_bar }
            }
            if view.nodes.len() <= MAX_FLYING_NODES {
                { filter }
            } else {
                <p class="hint">{ format!(
                    "Messages are drawn in flight up to {MAX_FLYING_NODES} nodes: {} nodes send too many to follow.",
                    view.nodes.len()
                ) }</p>
            }
            if let Some(hint) = too_many_lines(view) {
                <p class="hint">{ hint }</p>
            }
        </section>
    }
}

/// Kill, crash, restart and pause buttons for the chosen node.
fn node_toolbar(props: &TopologyProps, view: &ClusterView) -> Html {
    let Some(port) = props.selected else {
        return html! { <p class="hint">{ "Choose a node (click, or Tab then Enter) to inspect it and act on it." }</p> };
    };
    let Some(node) = view.nodes.iter().find(|n| n.port == port) else {
        return html! {};
    };
    let button = |label: &str, line: String, enabled: bool, class: &'static str| {
        let state = props.state.clone();
        let onclick =
            Callback::from(move |_: MouseEvent| state.dispatch(Action::Click(line.clone())));
        html! { <button class={classes!("node-action", class)} {onclick} disabled={!enabled}>{ label.to_string() }</button> }
    };
    let up = node.running;
    html! {
        <div class="node-actions" role="group" aria-label={format!("act on {port}")}>
            <span class="node-actions-label">{ format!("{port}:") }</span>
            { button("Kill (SIGINT)", format!("sim kill {port}"), up, "kill") }
            { button("Crash (SIGKILL)", format!("sim crash {port}"), up, "crash") }
            { button("Pause 10 s", format!("sim pause {port} 10"), up && !node.paused, "pause") }
            { button("Restart", format!("sim restart {port}"), !up, "restart") }
        </div>
    }
}

/// Choosing a group of nodes and cutting it off, both ways or one way.
fn partition_toolbar(
    state: &crate::ui::Ui,
    view: &ClusterView,
    mode: &UseStateHandle<bool>,
    group: &UseStateHandle<Vec<u16>>,
) -> Html {
    let toggle = {
        let (mode, group) = (mode.clone(), group.clone());
        Callback::from(move |_: MouseEvent| {
            mode.set(!*mode);
            group.set(Vec::new());
        })
    };
    let list = |ports: &[u16]| {
        ports
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(",")
    };
    let others: Vec<u16> = view
        .nodes
        .iter()
        .map(|n| n.port)
        .filter(|p| !group.contains(p))
        .collect();
    let run = |line: String| {
        let (state, mode, group) = (state.clone(), mode.clone(), group.clone());
        Callback::from(move |_: MouseEvent| {
            state.dispatch(Action::Click(line.clone()));
            mode.set(false);
            group.set(Vec::new());
        })
    };
    let ready = !group.is_empty() && !others.is_empty();
    let heal = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::Click("sim heal".into())))
    };
    html! {
        <div class="partition-actions" role="group" aria-label="network">
            <button class="partition-mode" onclick={toggle} aria-pressed={mode.to_string()}>
                { if **mode { "Cancel" } else { "Partition…" } }
            </button>
            if **mode {
                <span class="hint">{ if group.is_empty() { "Choose the nodes to cut off.".to_string() } else { format!("Cut off {}:", list(group)) } }</span>
                <button class="cut-both" disabled={!ready} onclick={run(format!("sim partition {}", list(group)))}>{ "Both ways" }</button>
                <button class="cut-one-way" disabled={!ready} onclick={run(format!("sim partition {} -> {}", list(group), list(&others)))}>{ "Their packets out only" }</button>
            }
            <button class="heal" onclick={heal} disabled={view.cut_count == 0}>{ "Heal network" }</button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use console::Console;

    /// A cluster of the servers on `ports` (started with `options`) with `replicas` each.
    fn cluster(ports: std::ops::RangeInclusive<u16>, options: &str, replicas: u8) -> Console {
        let mut c = Console::new(1);
        for p in ports.clone() {
            c.eval_shell(&format!(
                "redis-server --port {p} --cluster-enabled yes {options}--daemonize yes"
            ));
        }
        let addrs: Vec<String> = ports.map(|p| format!("127.0.0.1:{p}")).collect();
        c.eval_shell(&format!(
            "redis-cli --cluster create {} --cluster-replicas {replicas} --cluster-yes",
            addrs.join(" ")
        ));
        c
    }

    #[test]
    fn replicas_sit_outside_their_master_and_every_node_is_placed() {
        let mut c = cluster(7000..=7005, "", 1);
        c.eval_shell("sleep 3");
        let view = c.sim().view();
        let at = layout(&view);
        assert_eq!(at.len(), 6);
        let center = (WIDTH / 2.0, HEIGHT / 2.0);
        let dist = |p: (f64, f64)| ((p.0 - center.0).powi(2) + (p.1 - center.1).powi(2)).sqrt();
        for n in &view.nodes {
            let d = dist(at[&n.port]);
            if n.role == "slave" {
                assert!((d - OUTER).abs() < 1e-6, "{} at {d}", n.port);
                let m = at[&n.master_port.expect("a master")];
                let gap = ((m.0 - at[&n.port].0).powi(2) + (m.1 - at[&n.port].1).powi(2)).sqrt();
                assert!(
                    gap < OUTER - RING + 40.0,
                    "replica {} is near its master",
                    n.port
                );
            } else {
                assert!((d - RING).abs() < 1e-6);
            }
        }
    }

    #[test]
    fn a_replica_without_a_master_on_the_ring_is_drawn_on_it() {
        let node = |port: u16, master: Option<u16>| NodeView {
            port,
            running: true,
            paused: false,
            role: if master.is_some() { "slave" } else { "master" }.into(),
            master_port: master,
            slots: String::new(),
            config_epoch: 0,
            current_epoch: 0,
            cluster_ok: true,
        };
        // 7001 follows 7000; 7002 an unknown node; 7003 follows 7001, itself a replica.
        let view = ClusterView {
            nodes: vec![
                node(7000, None),
                node(7001, Some(7000)),
                node(7002, Some(9999)),
                node(7003, Some(7001)),
            ],
            ..ClusterView::default()
        };
        let at = layout(&view);
        let center = (WIDTH / 2.0, HEIGHT / 2.0);
        let dist = |p: u16| ((at[&p].0 - center.0).powi(2) + (at[&p].1 - center.1).powi(2)).sqrt();
        assert_eq!(at.len(), 4, "every node is placed: {at:?}");
        for (port, radius) in [(7000, RING), (7001, OUTER), (7002, RING), (7003, RING)] {
            assert!(
                (dist(port) - radius).abs() < 1e-6,
                "{port} at {}",
                dist(port)
            );
        }
    }

    #[test]
    fn the_agreed_belief_is_the_worst_any_running_node_holds() {
        let mut c = cluster(7000..=7002, "--cluster-node-timeout 2000 ", 0);
        c.eval_shell("sleep 2");
        let agreed = consensus(&c.sim().view());
        assert!(agreed.values().all(|&b| b == Belief::Ok), "{agreed:?}");
        c.eval_shell("sim kill 7000");
        // One node's suspicion is enough to show `fail?`; the agreement shows `fail`.
        let mut seen = Vec::new();
        for _ in 0..60 {
            c.eval_shell("sleep 0.1");
            let b = consensus(&c.sim().view())[&7000];
            if seen.last() != Some(&b) {
                seen.push(b);
            }
        }
        assert_eq!(seen, [Belief::Ok, Belief::PFail, Belief::Fail]);
        let agreed = consensus(&c.sim().view());
        assert_eq!((agreed[&7001], agreed[&7002]), (Belief::Ok, Belief::Ok));
    }

    #[test]
    fn lines_past_the_limit_are_counted_not_drawn() {
        // A condensed picture of a big world lists no links, only their number.
        let big = ClusterView {
            link_count: MAX_DRAWN_LINES + 129,
            ..ClusterView::default()
        };
        assert_eq!(drawable(&big.links, big.link_count), 0);
        assert_eq!(
            too_many_lines(&big).as_deref(),
            Some("2145 bus links and 0 cut paths: too many lines to draw (up to 2016).")
        );
        // Cuts alone can be too many, while the links are still drawn.
        let links = vec![(7000, 7001), (7000, 7002)];
        let cut = ClusterView {
            links: links.clone(),
            link_count: 2,
            cut_count: 2178,
            ..ClusterView::default()
        };
        assert_eq!(drawable(&cut.links, cut.link_count), 2);
        assert_eq!(drawable(&cut.cuts, cut.cut_count), 0);
        assert!(too_many_lines(&cut).is_some_and(|h| h.starts_with("2 bus links and 2178 cut")));
        // Up to the limit everything listed is drawn and nothing is said.
        let small = ClusterView {
            links,
            link_count: 2,
            cuts: vec![(7001, 7000)],
            cut_count: 1,
            ..ClusterView::default()
        };
        assert_eq!(drawable(&small.cuts, small.cut_count), 1);
        assert_eq!(too_many_lines(&small), None);
    }
}
