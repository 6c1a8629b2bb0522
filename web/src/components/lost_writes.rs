//! The ledger panel: the running workload (`sim load`), and the acknowledged writes the cluster
//! lost, and why (asynchronous replication means a master can answer OK for a write its replica
//! never gets).

use std::rc::Rc;

use cluster_sim::ClusterView;
use yew::prelude::*;

use crate::components::event_log::time_of_day;
use crate::state::Playground;

/// Properties of [`LostWrites`].
#[derive(Debug, Properties)]
pub struct LostWritesProps {
    /// The playground's state.
    pub state: UseReducerHandle<Playground>,
    /// The picture of the world the other panels show: the ledger is read again when it
    /// changes, not on every clock tick.
    pub view: Rc<ClusterView>,
}

impl PartialEq for LostWritesProps {
    /// As the inspector's: the console read is the same for the page's life.
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.view, &other.view)
    }
}

/// At most this many lost writes are listed (the newest).
pub const SHOWN: usize = 50;

/// The lost-writes panel.
#[function_component(LostWrites)]
pub fn lost_writes(props: &LostWritesProps) -> Html {
    let console = props.state.console();
    let console = console.borrow();
    let ledger = console.sim().ledger();
    let lost: Vec<_> = ledger.lost().collect();
    let acked = ledger.acked().count() + lost.len();
    let skip = lost.len().saturating_sub(SHOWN);
    let load = console.load().map(|l| l.report());
    html! {
        <section class="lost-writes" aria-label="lost writes">
            if let Some(report) = load {
                <h2>{ "Workload" }</h2>
                <pre class="load-report">{ report }</pre>
            }
            <h2>{ "Acknowledged writes lost" }</h2>
            if lost.is_empty() {
                <p class="hint">{ format!(
                    "None of the {acked} acknowledged write(s) has been lost. Writes that a failover loses (try a partition, or `sim latency` then a crash) are listed here with the reason; `sim lost` prints the same."
                ) }</p>
            } else {
                <p class="lost-count">{ format!("{} of {acked} acknowledged write(s) lost", lost.len()) }</p>
                <ol class="lost-list">
                    { for lost[skip..].iter().map(|l| html! {
                        <li>
                            <code>{ &l.write.command }</code>
                            <span class="lost-when">{ format!(" acknowledged by {} at {}, lost at {}", l.write.port, time_of_day(l.write.time), time_of_day(l.at)) }</span>
                            <span class="lost-why">{ &l.reason }</span>
                        </li>
                    }) }
                </ol>
            }
        </section>
    }
}
