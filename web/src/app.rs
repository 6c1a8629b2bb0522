//! The page layout: it owns the playground's state and hands it to the components.

use yew::prelude::*;

use crate::api::{HostRequest, OutputEvent, StateEvent};
use crate::components::belief_matrix::BeliefMatrix;
use crate::components::event_log::{Announcer, EventLog};
use crate::components::exercise_panel::ExercisePanel;
use crate::components::inspector::Inspector;
use crate::components::lost_writes::LostWrites;
use crate::components::panel_menu::PanelMenu;
use crate::components::preset_panel::{GuidePanel, PresetPanel};
use crate::components::slot_map::SlotMap;
use crate::components::terminal::{Terminal, load_history};
use crate::components::time_controls::TimeControls;
use crate::components::timeline_bar::TimelineBar;
use crate::components::topology::Topology;
use crate::frame::{Frame, Watch};
use crate::hooks::use_clock;
use crate::state::Action;
use crate::ui::{Ui, use_ui};
use crate::view_cache::ByPtr;
use console::embed::EmbedOptions;
use console::panels::{Panel, Panels};
use std::rc::Rc;

/// The seed a fresh page starts with, so that shared transcripts match.
pub const PAGE_SEED: u64 = 1;

/// The full playground (no `embed`), with what this frame shows as a share link.
fn full_playground_url(state: &Frame) -> String {
    let base = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_else(|| "./".to_string());
    format!("{base}{}", state.share(None, None).to_fragment())
}

/// Loads the page again: what a page whose simulator stopped can still do.
fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
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

/// Follows a host page's request (from the JavaScript API).
fn follow(
    state: &Ui,
    mounted: &Rc<std::cell::RefCell<Rc<EmbedOptions>>>,
    request: Result<HostRequest, String>,
) {
    match request {
        Ok(HostRequest::Configure(options)) => {
            *mounted.borrow_mut() = Rc::clone(&options);
            state.dispatch(Action::Configure(options));
        }
        Ok(HostRequest::Run(line)) => state.dispatch(Action::HostRun(line)),
        Ok(HostRequest::Play(playing)) => state.dispatch(Action::SetPlaying(playing)),
        Ok(HostRequest::Reset) => {
            let options = Rc::clone(&mounted.borrow());
            state.dispatch(Action::Configure(options));
        }
        Err(e) => {
            crate::host::post("error", &[("message", wasm_bindgen::JsValue::from_str(&e))]);
            state.dispatch(Action::ShowError(format!(
                "The page's request cannot be followed: {e}."
            )));
        }
    }
}

/// The whole playground page.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_ui(PAGE_SEED, load_history);
    // `?embed=1&preset=...&speed=...`, read once.
    let query = use_state(|| {
        let search = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        console::embed::parse_query(&search)
    });
    let embed = query.as_ref().is_ok_and(|q| q.embed);
    let layout = if embed { Panels::EMBED } else { Panels::ALL };
    let panels = state.panels.unwrap_or(layout);
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
    let view = Rc::clone(&state.view);
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
    // Tell the engine what the inspector and the slot map show, so that its frames report it.
    {
        let watch = Watch {
            inspect: (*selected).filter(|_| panels.shows(Panel::Inspector)),
            slots: slot_observer.filter(|_| panels.shows(Panel::Slots)),
        };
        let state = state.clone();
        use_effect_with(watch, move |&watch| state.watch(watch));
    }
    let dismiss = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::DismissError))
    };
    // The options the world was set up with, for the host's `reset`.
    let mounted = use_mut_ref(|| {
        Rc::new(
            query
                .as_ref()
                .map(|q| q.options.clone())
                .unwrap_or_default(),
        )
    });
    // When the page opens: the address's options, then a share link in the address (replayed
    // once); then listen to the host page and tell it the frame is ready.
    {
        let state = state.clone();
        let (selected, observer) = (selected.clone(), observer.clone());
        let query = (*query).clone();
        let mounted = Rc::clone(&mounted);
        use_effect_with((), move |_| {
            match query {
                Err(e) => state.dispatch(Action::ShowError(format!(
                    "The address's options cannot be used: {e}."
                ))),
                Ok(q) if q.options != EmbedOptions::default() => {
                    state.dispatch(Action::Configure(Rc::clone(&mounted.borrow())));
                }
                Ok(_) => {}
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
            let listener = {
                let state = state.clone();
                crate::host::listen(move |request| follow(&state, &mounted, request))
            };
            crate::host::post("ready", &[]);
            move || drop(listener)
        });
    }
    // Tell a host page when a replica is promoted (compared with the last picture's roles;
    // only a new picture is compared, not every clock tick).
    {
        let seen = use_mut_ref(Rc::<cluster_sim::ClusterView>::default);
        use_effect_with(ByPtr(Rc::clone(&view)), move |view| {
            for port in cluster_sim::promoted(&seen.borrow().nodes, &view.0.nodes) {
                crate::host::post(
                    "node-promoted",
                    &[("port", wasm_bindgen::JsValue::from(port))],
                );
            }
            *seen.borrow_mut() = Rc::clone(&view.0);
        });
    }
    // Tell it the state when something a host may show changes (not on every clock tick).
    // Built on every render, so only when there is a host to tell.
    let in_frame = *use_state(crate::host::in_frame);
    {
        let event = in_frame.then(|| StateEvent::of(&state, &view));
        use_effect_with(event, |event| {
            if let Some(event) = event {
                crate::host::post_value("state", event);
            }
        });
    }
    // And each line run, with its output.
    use_effect_with(state.last_run.clone(), |run| {
        if let Some(run) = run {
            crate::host::post_value(
                "output",
                &OutputEvent {
                    seq: run.seq as f64,
                    line: run.line.clone(),
                    output: run.output.clone(),
                },
            );
        }
    });
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
    // With no engine left, dismissing would leave a page that silently does nothing: the
    // banner's button reloads instead.
    let stopped = state.stopped();
    let error = state.error.as_ref().map(|error| {
        let button = if stopped {
            html! { <button class="reload" onclick={Callback::from(|_: MouseEvent| reload())}>{ "Reload" }</button> }
        } else {
            html! { <button onclick={dismiss.clone()} aria-label="dismiss">{ "×" }</button> }
        };
        html! {
            <div class="error-banner" role="alert">
                <span>{ error }</span>
                { button }
            </div>
        }
    });
    // The slot map is computed only when it is shown.
    let slot_map = panels
        .shows(Panel::Slots)
        .then_some(slot_observer)
        .flatten()
        .map(|o| {
            // Until the engine answers for a new observer, the last one's map is left out.
            let world = &state.world;
            let runs = (world.watch.slots == Some(o))
                .then(|| world.slot_runs.clone())
                .flatten();
            html! { <SlotMap observer={o} {runs} ports={ports.clone()} {on_observer} /> }
        });
    let show = |p: Panel| panels.shows(p);
    let topology = html! {
        <Topology state={state.clone()} view={Rc::clone(&view)} selected={*selected} on_select={on_select.clone()} />
    };
    let beliefs = html! {
        <BeliefMatrix view={Rc::clone(&view)} selected={*selected} on_select={on_select.clone()} />
    };
    let inspector = (*selected).filter(|_| show(Panel::Inspector)).map(|port| {
        html! { <Inspector {port} world={Rc::clone(&state.world)} /> }
    });
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
        return html! {
            <main class={classes!("app", "embed", state.read_only.then_some("read-only"))} data-pending={state.pending().to_string()}>
                <header class="embed-header">
                    <span class="embed-brand">{ "ClusterLab" }</span>
                    if show(Panel::Clock) {
                        <TimeControls state={state.clone()} />
                    }
                    <a class="open-full" href="./" target="_blank" rel="noopener" onclick={open_full}>{ "Open the full playground ↗" }</a>
                </header>
                if show(Panel::Timeline) {
                    <TimelineBar state={state.clone()} />
                }
                { for error }
                if show(Panel::Guide) && state.exercise.is_some() {
                    <ExercisePanel state={state.clone()} />
                }
                if show(Panel::Guide) && state.guide.is_some() {
                    <GuidePanel state={state.clone()} />
                }
                if show(Panel::Terminal) {
                    <Terminal state={state.clone()} />
                }
                if show(Panel::Topology) {
                    { topology }
                }
                if show(Panel::Beliefs) {
                    { beliefs }
                }
                { for slot_map }
                { for inspector }
                if show(Panel::Events) {
                    <EventLog state={state.clone()} />
                }
                if show(Panel::LostWrites) {
                    <LostWrites world={Rc::clone(&state.world)} />
                }
                <Announcer state={state.clone()} />
            </main>
        };
    }
    html! {
        <main class={classes!("app", state.read_only.then_some("read-only"))} data-pending={state.pending().to_string()}>
            <header class="app-header">
                <div class="brand">
                    <h1>{ "ClusterLab" }</h1>
                    <p class="tagline">{ "A Redis 7.0 cluster in your browser: type real redis-cli commands, watch failover happen." }</p>
                </div>
                if show(Panel::Clock) {
                    <TimeControls state={state.clone()} />
                }
                <div class="share">
                    <PanelMenu state={state.clone()} shown={panels} {layout} />
                    <button class="copy-link" onclick={copy_link}>{ "Copy link" }</button>
                    <span class="link-status" role="status">{ (*link_status).clone() }</span>
                </div>
            </header>
            if show(Panel::Timeline) {
                <TimelineBar state={state.clone()} />
            }
            { for error }
            <div class="workspace">
                <div class="column left">
                    if show(Panel::Terminal) {
                        <Terminal state={state.clone()} />
                    }
                    if show(Panel::Guide) {
                        <ExercisePanel state={state.clone()} />
                        <PresetPanel state={state.clone()} />
                    }
                </div>
                <div class="column right">
                    if show(Panel::Topology) {
                        { topology }
                    }
                    <div class="panels">
                        if show(Panel::Beliefs) {
                            { beliefs }
                        }
                        { for slot_map }
                    </div>
                    { for inspector }
                    if show(Panel::Events) {
                        <EventLog state={state.clone()} />
                    }
                    if show(Panel::LostWrites) {
                        <LostWrites world={Rc::clone(&state.world)} />
                    }
                </div>
            </div>
            <Announcer state={state.clone()} />
        </main>
    }
}
