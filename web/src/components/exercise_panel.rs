//! The exercise panel: choose an exercise of the built-in track, read its goal, ask for hints,
//! check, and see what is still missing. Progress stays in local storage, and a solved exercise
//! is announced to the host page when the playground is embedded.

use console::exercise::TRACK;
use wasm_bindgen::JsValue;
use yew::prelude::*;

use crate::state::Action;

/// Local storage key of the solved exercises' names, one per line.
pub const PROGRESS_KEY: &str = "clusterlab.exercises.done";

/// Properties of [`ExercisePanel`].
#[derive(Debug, Properties, PartialEq)]
pub struct ExercisePanelProps {
    /// The playground's state.
    pub state: crate::ui::Ui,
}

/// The names of the exercises solved in this browser.
pub fn solved() -> Vec<String> {
    crate::storage::load_lines(PROGRESS_KEY)
}

fn mark_solved(name: &str) {
    let mut done = solved();
    if !done.iter().any(|d| d == name) {
        done.push(name.to_string());
        crate::storage::save_lines(PROGRESS_KEY, &done);
    }
}

/// The exercise panel.
#[function_component(ExercisePanel)]
pub fn exercise_panel(props: &ExercisePanelProps) -> Html {
    let state = &props.state;
    // Progress, read again whenever a verdict arrives.
    let verdict = state.exercise.as_ref().and_then(|x| x.verdict.clone());
    let done = use_state(solved);
    // The track's titles, parsed once (not at every tick of the clock).
    let titles = use_memo((), |_| {
        TRACK
            .iter()
            .map(|b| {
                console::exercise::Exercise::parse(b.text)
                    .map(|x| x.title)
                    .unwrap_or_else(|_| b.name.to_string())
            })
            .collect::<Vec<_>>()
    });
    {
        let done = done.clone();
        let run = state.exercise.clone();
        use_effect_with(verdict.clone(), move |v| {
            if let (Some(v), Some(run)) = (v, run)
                && v.passed()
                && let Some(builtin) = TRACK.get(run.index)
            {
                mark_solved(builtin.name);
                crate::host::post(
                    "exercise-completed",
                    &[
                        ("exercise", JsValue::from_str(builtin.name)),
                        ("title", JsValue::from_str(&run.exercise.title)),
                    ],
                );
                done.set(solved());
            }
        });
    }
    let choose = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Ok(i) = select.value().parse::<usize>() {
                state.dispatch(Action::LoadExercise(i));
            }
            select.set_value("");
        })
    };
    let dispatch = |a: fn() -> Action| {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(a()))
    };
    let current = state.exercise.as_ref().map(|x| {
        let hints_left = x.exercise.hints.len() - x.hints_shown;
        html! {
            <div class="exercise" aria-label="exercise">
                <h3>{ &x.exercise.title }</h3>
                <p class="exercise-goal"><strong>{ "Goal: " }</strong>{ &x.exercise.goal }</p>
                if x.exercise.allowed.is_some() {
                    <p class="exercise-allowed">{ format!("Allowed commands: {}", x.exercise.allowed.as_deref().unwrap_or_default().join(" ")) }</p>
                }
                <ol class="exercise-hints">
                    { for x.exercise.hints.iter().take(x.hints_shown).map(|h| html! { <li>{ h }</li> }) }
                </ol>
                <div class="exercise-buttons">
                    <button class="exercise-hint" onclick={dispatch(|| Action::ShowHint)} disabled={hints_left == 0}>
                        { if hints_left == 0 { "No more hints".to_string() } else { format!("Hint ({hints_left} left)") } }
                    </button>
                    <button class="exercise-check" onclick={dispatch(|| Action::CheckExercise)}>{ "Check" }</button>
                    <button class="exercise-close" onclick={dispatch(|| Action::CloseExercise)}>{ "Leave exercise" }</button>
                </div>
                <div class="exercise-verdict" role="status" aria-live="polite">
                    { for x.verdict.as_ref().map(|v| if v.passed() {
                        html! { <p class="verdict-solved">{ "Solved! Every check passes." }</p> }
                    } else {
                        html! {
                            <div class="verdict-missing">
                                { for v.refused.iter().map(|r| html! { <p>{ format!("Not allowed here: {r}") }</p> }) }
                                { for v.missing.iter().map(|m| html! {
                                    <details>
                                        <summary>{ format!("Not yet: {}", m.want) }</summary>
                                        <pre>{ format!("{}\nexpected:\n{}\ngot:\n{}", m.typed, m.expected.join("\n"), m.actual.join("\n")) }</pre>
                                    </details>
                                }) }
                            </div>
                        }
                    }) }
                </div>
            </div>
        }
    });
    html! {
        <section class="exercise-panel" aria-label="exercises">
            <label>
                <span class="visually-hidden">{ "Start an exercise" }</span>
                <select class="exercise-select" onchange={choose} aria-label="start an exercise">
                    <option value="" selected=true>{ format!("Exercises ({} of {} solved)…", TRACK.iter().filter(|b| done.iter().any(|d| d == b.name)).count(), TRACK.len()) }</option>
                    { for TRACK.iter().enumerate().map(|(i, b)| {
                        let title = &titles[i];
                        let mark = if done.iter().any(|d| d == b.name) { "✓ " } else { "" };
                        html! { <option value={i.to_string()}>{ format!("{mark}{}. {title}", i + 1) }</option> }
                    }) }
                </select>
            </label>
            { for current }
        </section>
    }
}
