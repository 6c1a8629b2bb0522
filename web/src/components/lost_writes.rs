//! The ledger panel: the running workload (`sim load`), and the acknowledged writes the cluster
//! lost, and why (asynchronous replication means a master can answer OK for a write its replica
//! never gets).

use std::rc::Rc;

use cluster_proto::SimTime;
use console::Console;
use yew::prelude::*;

use crate::components::event_log::time_of_day;
use crate::frame::WorldReport;

/// Properties of [`LostWrites`].
#[derive(Debug, Properties)]
pub struct LostWritesProps {
    /// What the engine read from the world (the ledger's report among it): drawn again for a
    /// new report, not on every clock tick.
    pub world: Rc<WorldReport>,
}

impl PartialEq for LostWritesProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.world, &other.world)
    }
}

/// At most this many lost writes are listed (the newest).
pub const SHOWN: usize = 50;

/// One lost write, as listed.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LostEntry {
    /// The write, as sent.
    pub command: String,
    /// The node that acknowledged it.
    pub port: u16,
    /// When it was acknowledged.
    pub acked: SimTime,
    /// When it was lost.
    pub at: SimTime,
    /// Why.
    pub reason: String,
}

/// What the panel shows: the workload's report, the counts, and the newest losses.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct LostReport {
    /// `sim load`'s report, while a workload runs.
    pub load: Option<String>,
    /// Acknowledged writes, lost ones included.
    pub acked: usize,
    /// How many were lost.
    pub lost: usize,
    /// The newest [`SHOWN`] losses, oldest first.
    pub newest: Vec<LostEntry>,
}

impl LostReport {
    /// Reads the ledger of `console`'s world.
    pub fn of(console: &Console) -> LostReport {
        let ledger = console.sim().ledger();
        let lost = ledger.lost().count();
        LostReport {
            load: console.load().map(|l| l.report()),
            acked: ledger.acked().count() + lost,
            lost,
            newest: ledger
                .lost()
                .skip(lost.saturating_sub(SHOWN))
                .map(|l| LostEntry {
                    command: l.write.command.clone(),
                    port: l.write.port,
                    acked: l.write.time,
                    at: l.at,
                    reason: l.reason.clone(),
                })
                .collect(),
        }
    }
}

/// The lost-writes panel.
#[function_component(LostWrites)]
pub fn lost_writes(props: &LostWritesProps) -> Html {
    let report = &props.world.lost;
    let acked = report.acked;
    html! {
        <section class="lost-writes" aria-label="lost writes">
            if let Some(load) = &report.load {
                <h2>{ "Workload" }</h2>
                <pre class="load-report">{ load }</pre>
            }
            <h2>{ "Acknowledged writes lost" }</h2>
            if report.lost == 0 {
                <p class="hint">{ format!(
                    "None of the {acked} acknowledged write(s) has been lost. Writes that a failover loses (try a partition, or `sim latency` then a crash) are listed here with the reason; `sim lost` prints the same."
                ) }</p>
            } else {
                <p class="lost-count">{ format!("{} of {acked} acknowledged write(s) lost", report.lost) }</p>
                <ol class="lost-list">
                    { for report.newest.iter().map(|l| html! {
                        <li>
                            <code>{ &l.command }</code>
                            <span class="lost-when">{ format!(" acknowledged by {} at {}, lost at {}", l.port, time_of_day(l.acked), time_of_day(l.at)) }</span>
                            <span class="lost-why">{ &l.reason }</span>
                        </li>
                    }) }
                </ol>
            }
        </section>
    }
}
