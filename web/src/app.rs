//! The page layout: it owns the playground's state and hands it to the components.

use yew::prelude::*;

use crate::components::belief_matrix::BeliefMatrix;
use crate::components::inspector::Inspector;
use crate::components::terminal::{Terminal, load_history};
use crate::components::time_controls::TimeControls;
use crate::hooks::use_clock;
use crate::state::Playground;

/// The seed a fresh page starts with, so that shared transcripts match.
pub const PAGE_SEED: u64 = 1;

/// The whole playground page.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| Playground::with_history(PAGE_SEED, load_history()));
    use_clock(state.clone());
    let selected = use_state(|| None::<u16>);
    let on_select = {
        let selected = selected.clone();
        Callback::from(move |port: u16| {
            // Choosing the inspected node again closes the inspector.
            selected.set(if *selected == Some(port) {
                None
            } else {
                Some(port)
            });
        })
    };
    html! {
        <main class="app">
            <header class="app-header">
                <div>
                    <h1>{ "ClusterLab" }</h1>
                    <p class="tagline">{ "Type real redis-cli commands into a simulated Redis 7.0 cluster." }</p>
                </div>
                <TimeControls state={state.clone()} />
            </header>
            <div class="workspace">
                <Terminal state={state.clone()} />
                <aside class="side-panel">
                    <BeliefMatrix view={state.view()} selected={*selected} {on_select} />
                    if let Some(port) = *selected {
                        <Inspector {port} state={state.clone()} />
                    }
                </aside>
            </div>
        </main>
    }
}
