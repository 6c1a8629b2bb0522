//! The page layout: it owns the playground's state and hands it to the components.

use yew::prelude::*;

use crate::components::belief_matrix::BeliefMatrix;
use crate::components::event_log::{Announcer, EventLog};
use crate::components::exercise_panel::ExercisePanel;
use crate::components::inspector::Inspector;
use crate::components::lost_writes::LostWrites;
use crate::components::preset_panel::{GuidePanel, PresetPanel};
use crate::components::slot_map::SlotMap;
use crate::components::terminal::{Terminal, load_history};
use crate::components::time_controls::TimeControls;
use crate::components::timeline_bar::TimelineBar;
use crate::components::topology::Topology;
use crate::hooks::use_clock;
use crate::state::{Action, Playground};

/// The seed a fresh page starts with, so that shared transcripts match.
pub const PAGE_SEED: u64 = 1;

/// The full playground (no `embed`), with what this frame shows as a share link.
fn full_playground_url(state: &Playground) -> String {
    let base = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_else(|| "./".to_string());
    format!("{base}{}", state.share(None, None).to_fragment())
}

/// The address's fragment (`#...`), if any.
fn location_hash() -> Option<String> {
    web_sys::window()?.location().hash().ok()
}

/// Puts the link in the address bar (without reloading or adding a history entry) and on the
/// clipboard; says what happened.
fn copy_share_link(fragment: &str) -> String {
    let Some(window) = web_sys::window() else {
        return String::new();
    };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(fragment));
    }
    let url = window
        .location()
        .href()
        .unwrap_or_else(|_| fragment.to_string());
    // The clipboard may be refused (no permission, no secure context): the address bar still
    // has the link.
    let _ = window.navigator().clipboard().write_text(&url);
    format!(
        "Link ready ({} characters): in the address bar, and on the clipboard if the browser allows.",
        url.len()
    )
}

/// The whole playground page.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| Playground::with_history(PAGE_SEED, load_history()));
    // `?embed=1&preset=...&exercise=...`, read once.
    let query = use_state(|| {
        let search = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        console::embed::parse_query(&search)
    });
    let embed = query.as_ref().is_ok_and(|q| q.embed);
    use_clock(state.clone());
    let selected = use_state(|| None::<u16>);
    let observer = use_state(|| None::<u16>);
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
    let view = state.view();
    let ports: Vec<u16> = view.nodes.iter().map(|n| n.port).collect();
    // The slot map shows the chosen observer, else the inspected node, else the first one.
    let slot_observer = (*observer)
        .filter(|p| ports.contains(p))
        .or(*selected)
        .or_else(|| view.nodes.iter().find(|n| n.running).map(|n| n.port))
        .or_else(|| ports.first().copied());
    let on_observer = {
        let observer = observer.clone();
        Callback::from(move |p: u16| observer.set(Some(p)))
    };
    let dismiss = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::DismissError))
    };
    // A share link in the address: replay it once, when the page opens; else a preset or an
    // exercise the address names.
    {
        let state = state.clone();
        let (selected, observer) = (selected.clone(), observer.clone());
        let query = (*query).clone();
        use_effect_with((), move |_| {
            match query {
                Err(e) => state.dispatch(Action::ShowError(format!(
                    "The address's options cannot be used: {e}."
                ))),
                Ok(q) => {
                    if let Some(p) = q.preset {
                        state.dispatch(Action::LoadPreset(p));
                    }
                    if let Some(i) = q.exercise {
                        state.dispatch(Action::LoadExercise(i));
                    }
                    if q.play {
                        state.dispatch(Action::SetPlaying(true));
                    }
                }
            }
            if let Some(hash) = location_hash().filter(|h| h.len() > 1) {
                match console::share::SharedState::from_fragment(&hash) {
                    Ok(link) => {
                        selected.set(link.node);
                        observer.set(link.observer);
                        state.dispatch(Action::OpenLink(std::rc::Rc::new(link)));
                    }
                    Err(e) => state.dispatch(Action::ShowError(format!(
                        "This share link cannot be opened: {e}."
                    ))),
                }
            }
        });
    }
    // Tell a host page when a replica is promoted (compared with the roles seen last render).
    {
        let nodes = view.nodes.clone();
        let seen = use_mut_ref(Vec::<cluster_sim::NodeView>::new);
        use_effect_with(
            nodes
                .iter()
                .map(|n| (n.port, n.role, n.running))
                .collect::<Vec<_>>(),
            move |_| {
                for port in cluster_sim::promoted(&seen.borrow(), &nodes) {
                    crate::host::post(
                        "node-promoted",
                        &[("port", wasm_bindgen::JsValue::from(port))],
                    );
                }
                *seen.borrow_mut() = nodes;
            },
        );
    }
    use_effect_with((), |_| crate::host::post("ready", &[]));
    let link_status = use_state(String::new);
    let copy_link = {
        let state = state.clone();
        let (selected, observer) = (selected.clone(), observer.clone());
        let link_status = link_status.clone();
        Callback::from(move |_: MouseEvent| {
            let fragment = state.share(*selected, *observer).to_fragment();
            link_status.set(copy_share_link(&fragment));
        })
    };
    if embed {
        // The link carries what this frame shows; computed on click, not on every render.
        let open_full = {
            let state = state.clone();
            Callback::from(move |e: MouseEvent| {
                if let Some(a) = e
                    .current_target()
                    .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
                {
                    let _ = a.set_attribute("href", &full_playground_url(&state));
                }
            })
        };
        let error = state.error.as_ref().map(|error| {
            html! {
                <div class="error-banner" role="alert">
                    <span>{ error }</span>
                    <button onclick={dismiss.clone()} aria-label="dismiss">{ "×" }</button>
                </div>
            }
        });
        return html! {
            <main class="app embed">
                <header class="embed-header">
                    <span class="embed-brand">{ "ClusterLab" }</span>
                    <TimeControls state={state.clone()} />
                    <a class="open-full" href="./" target="_blank" rel="noopener" onclick={open_full}>{ "Open the full playground ↗" }</a>
                </header>
                { for error }
                if state.exercise.is_some() {
                    <ExercisePanel state={state.clone()} />
                }
                if state.guide.is_some() {
                    <GuidePanel state={state.clone()} />
                }
                <Terminal state={state.clone()} />
                <Topology state={state.clone()} view={view.clone()} selected={*selected} on_select={on_select.clone()} />
                <Announcer state={state.clone()} />
            </main>
        };
    }
    // Only the full layout shows the slot map: an embed does not compute it.
    let runs = slot_observer.and_then(|p| state.console().borrow().sim().slot_map(p));
    html! {
        <main class="app">
            <header class="app-header">
                <div class="brand">
                    <h1>{ "ClusterLab" }</h1>
                    <p class="tagline">{ "A Redis 7.0 cluster in your browser: type real redis-cli commands, watch failover happen." }</p>
                </div>
                <TimeControls state={state.clone()} />
                <div class="share">
                    <button class="copy-link" onclick={copy_link}>{ "Copy link" }</button>
                    <span class="link-status" role="status">{ (*link_status).clone() }</span>
                </div>
            </header>
            <TimelineBar state={state.clone()} />
            if let Some(error) = &state.error {
                <div class="error-banner" role="alert">
                    <span>{ error }</span>
                    <button onclick={dismiss} aria-label="dismiss">{ "×" }</button>
                </div>
            }
            <div class="workspace">
                <div class="column left">
                    <Terminal state={state.clone()} />
                    <ExercisePanel state={state.clone()} />
                    <PresetPanel state={state.clone()} />
                </div>
                <div class="column right">
                    <Topology state={state.clone()} view={view.clone()} selected={*selected} on_select={on_select.clone()} />
                    <div class="panels">
                        <BeliefMatrix view={view.clone()} selected={*selected} {on_select} />
                        if let Some(o) = slot_observer {
                            <SlotMap observer={o} {runs} {ports} {on_observer} />
                        }
                    </div>
                    if let Some(port) = *selected {
                        <Inspector {port} state={state.clone()} />
                    }
                    <EventLog state={state.clone()} />
                    <LostWrites state={state.clone()} />
                </div>
            </div>
            <Announcer state={state.clone()} />
        </main>
    }
}
