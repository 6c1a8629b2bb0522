//! Presets and scenario files: the guided seed walk, ready-made clusters, loading any scenario
//! file, and the transcript of what was done as a scenario to save.

use console::presets::PRESETS;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::state::{Action, MAX_SCENARIO_BYTES};

/// Properties of [`PresetPanel`].
#[derive(Debug, Properties, PartialEq)]
pub struct PresetPanelProps {
    /// The playground's state.
    pub state: crate::ui::Ui,
}

/// Reads a chosen file as text and hands it to the playground (or explains why not).
fn load_file(state: crate::ui::Ui, input: web_sys::HtmlInputElement) {
    let Some(file) = input.files().and_then(|f| f.get(0)) else {
        return;
    };
    // Checked before reading, so a huge file is never pulled into memory.
    if file.size() > MAX_SCENARIO_BYTES as f64 {
        state.dispatch(Action::ShowError(format!(
            "That file is {} KB; scenarios may be at most {} KB.",
            (file.size() / 1024.0).ceil(),
            MAX_SCENARIO_BYTES / 1024
        )));
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
        match text.ok().and_then(|t| t.as_string()) {
            Some(text) => state.dispatch(Action::LoadScenario(text)),
            None => state.dispatch(Action::ShowError(
                "That file could not be read as text.".to_string(),
            )),
        }
        input.set_value("");
    });
}

/// The presets panel.
#[function_component(PresetPanel)]
pub fn preset_panel(props: &PresetPanelProps) -> Html {
    let state = &props.state;
    let choose = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Some(p) = PRESETS.iter().find(|p| p.name == select.value()) {
                state.dispatch(Action::LoadPreset(p));
            }
            select.set_value("");
        })
    };
    let on_file = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                load_file(state.clone(), input);
            }
        })
    };
    let reset = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::Reset))
    };
    html! {
        <section class="preset-panel" aria-label="scenarios">
            <div class="preset-row">
                <label>
                    <span class="visually-hidden">{ "Load a preset" }</span>
                    <select class="preset-select" onchange={choose} aria-label="load a preset">
                        <option value="" selected=true>{ "Load a preset…" }</option>
                        { for PRESETS.iter().map(|p| html! { <option value={p.name} title={p.summary}>{ p.title }</option> }) }
                    </select>
                </label>
                <label class="file-button">
                    { "Open scenario file…" }
                    <input type="file" class="scenario-file" accept=".txt,text/plain" onchange={on_file} />
                </label>
                <button class="reset" onclick={reset}>{ "New empty world" }</button>
            </div>
            <GuidePanel state={state.clone()} />
            <details class="transcript">
                <summary>{ "Transcript: what you did, as a scenario file" }</summary>
                <pre>{ state.transcript_text() }</pre>
            </details>
        </section>
    }
}

/// The guided walk of a guided preset: each step with what to watch, and a button to run the
/// next one. Shown in the presets panel, and on its own in an embed.
#[function_component(GuidePanel)]
pub fn guide_panel(props: &PresetPanelProps) -> Html {
    let state = &props.state;
    // Keep the step to run next in view as the walk goes on.
    let steps_ref = use_node_ref();
    {
        let steps_ref = steps_ref.clone();
        let at = state.guide.as_ref().map(|g| g.next);
        use_effect_with(at, move |_| {
            // Scroll the list itself (not the page) so the current step sits near its top (the
            // list is positioned, so it is the step's offset parent).
            if let Some(list) = steps_ref.cast::<web_sys::HtmlElement>()
                && let Ok(Some(current)) = list.query_selector(".current")
                && let Ok(current) = current.dyn_into::<web_sys::HtmlElement>()
            {
                list.set_scroll_top(current.offset_top() - 8);
            }
        });
    }
    let guide = state.guide.as_ref().map(|g| {
        let next = {
            let state = state.clone();
            Callback::from(move |_: MouseEvent| state.dispatch(Action::GuideNext))
        };
        html! {
            <div class="guide" aria-label="guided walk">
                <h3>{ g.preset.title }</h3>
                <ol class="guide-steps" ref={steps_ref.clone()}>
                    { for g.steps.iter().enumerate().map(|(i, step)| {
                        let status = if i < g.next { "done" } else if i == g.next { "current" } else { "todo" };
                        html! {
                            <li class={classes!("guide-step", status)} aria-current={(i == g.next).then_some("step")}>
                                if !step.explain.is_empty() { <p class="guide-explain">{ &step.explain }</p> }
                                <code class="guide-line">{ &step.line }</code>
                                if i == g.next {
                                    <button class="guide-run" onclick={next.clone()} disabled={state.busy()}>{ "Run this step" }</button>
                                }
                            </li>
                        }
                    }) }
                </ol>
                if g.next >= g.steps.len() {
                    <p class="guide-done" role="status">{ "That was the whole walk. Scrub the timeline back to replay any moment." }</p>
                }
            </div>
        }
    });
    html! { { for guide } }
}
