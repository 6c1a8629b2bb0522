//! Who believes what about whom: each running node's opinion of every other node.

use std::collections::BTreeMap;
use std::rc::Rc;

use cluster_sim::{Belief, BeliefCell, ClusterView};
use yew::prelude::*;

/// The most nodes the matrix shows: it has a cell per pair, and past this a page would spend
/// its frames drawing thousands of cells nobody can read.
pub const MAX_MATRIX_NODES: usize = 40;

/// Properties of [`BeliefMatrix`].
#[derive(Debug, Properties, PartialEq)]
pub struct BeliefMatrixProps {
    /// The world to show.
    pub view: Rc<ClusterView>,
    /// The node being inspected.
    #[prop_or_default]
    pub selected: Option<u16>,
    /// A node's row was chosen.
    #[prop_or_default]
    pub on_select: Callback<u16>,
}

fn cell_text(belief: Belief) -> (&'static str, &'static str) {
    match belief {
        Belief::Ok => ("ok", "belief-ok"),
        Belief::PFail => ("fail?", "belief-pfail"),
        Belief::Fail => ("fail", "belief-fail"),
        Belief::Unknown => ("?", "belief-unknown"),
    }
}

/// A table: rows are observers, columns the nodes they judge. `fail?` is one node's own
/// suspicion; `fail` is the cluster's agreement. The number is how many masters reported it.
#[function_component(BeliefMatrix)]
pub fn belief_matrix(props: &BeliefMatrixProps) -> Html {
    let view = &props.view;
    if view.nodes.is_empty() {
        return html! {
            <section class="belief-matrix empty" aria-label="beliefs">
                <p>{ "Start nodes to see what each one believes about the others." }</p>
            </section>
        };
    }
    if view.nodes.len() > MAX_MATRIX_NODES {
        return html! {
            <section class="belief-matrix empty" aria-label="beliefs">
                <p>{ format!(
                    "{} nodes: too many for a table of every pair (it shows up to {MAX_MATRIX_NODES}). \
                     The inspector shows what one node believes: choose it in the topology.",
                    view.nodes.len()
                ) }</p>
            </section>
        };
    }
    let ports: Vec<u16> = view.nodes.iter().map(|n| n.port).collect();
    // Each cell by its pair, looked up once per cell.
    let cells: BTreeMap<(u16, u16), &BeliefCell> = view
        .beliefs
        .iter()
        .map(|b| ((b.observer, b.target), b))
        .collect();
    html! {
        <section class="belief-matrix" aria-label="beliefs">
            <table>
                <caption>{ "What each node believes (rows) about the others (columns)" }</caption>
                <thead>
                    <tr>
                        <th scope="col">{ "" }</th>
                        { for ports.iter().map(|p| html! { <th scope="col">{ p }</th> }) }
                    </tr>
                </thead>
                <tbody>
                    { for view.nodes.iter().map(|observer| {
                        let row_label = format!("{} {}", observer.port, if observer.running { &observer.role } else { "down" });
                        let port = observer.port;
                        let on_select = props.on_select.clone();
                        let choose = Callback::from(move |_: MouseEvent| on_select.emit(port));
                        let selected = props.selected == Some(port);
                        html! {
                            <tr class={classes!(if observer.running { None } else { Some("down") }, selected.then_some("selected"))}>
                                <th scope="row">
                                    <button class="row-select" onclick={choose} aria-pressed={selected.to_string()}
                                        title={format!("inspect {port}")}>{ row_label }</button>
                                </th>
                                { for ports.iter().map(|&target| {
                                    if target == observer.port {
                                        return html! { <td class="self">{ "·" }</td> };
                                    }
                                    match cells.get(&(observer.port, target)) {
                                        None => html! { <td class="belief-none">{ "" }</td> },
                                        Some(b) => {
                                            let (text, class) = cell_text(b.belief);
                                            let title = format!("{} sees {}: {} ({} failure report(s))", b.observer, b.target, text, b.reports);
                                            html! {
                                                <td class={class} title={title}>
                                                    { text }
                                                    if b.reports > 0 { <sup>{ b.reports }</sup> }
                                                </td>
                                            }
                                        }
                                    }
                                }) }
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </section>
    }
}
