//! The clock: virtual time, play/pause, speed, single step, run to the next change.

use yew::prelude::*;

use crate::state::{Action, SPEEDS};

/// Properties of [`TimeControls`].
#[derive(Debug, Properties, PartialEq)]
pub struct TimeControlsProps {
    /// The playground's state.
    pub state: crate::ui::Ui,
}

fn speed_label(speed: f64) -> String {
    if speed < 1.0 {
        format!("{speed}x")
    } else {
        format!("{speed:.0}x")
    }
}

/// The speed a tick that fell behind reached: two decimals below 1x, one above.
fn reached_label(speed: f64) -> String {
    if speed < 1.0 {
        format!("{speed:.2}x")
    } else {
        format!("{speed:.1}x")
    }
}

/// Virtual time and the controls that move it.
#[function_component(TimeControls)]
pub fn time_controls(props: &TimeControlsProps) -> Html {
    let state = &props.state;
    let playing = state.playing;
    let toggle = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::SetPlaying(!playing)))
    };
    let step = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::Step))
    };
    let next_change = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::RunToChange))
    };
    let on_speed = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Ok(speed) = select.value().parse::<f64>() {
                state.dispatch(Action::SetSpeed(speed));
            }
        })
    };
    html! {
        <div class="time-controls" role="group" aria-label="virtual time">
            <span class="clock" aria-live="off" title="virtual time">{ &state.clock }</span>
            <button class="play" onclick={toggle} aria-pressed={playing.to_string()}>
                { if playing { "Pause" } else { "Play" } }
            </button>
            <label class="speed">
                { "Speed " }
                <select onchange={on_speed} aria-label="speed">
                    { for SPEEDS.iter().map(|&s| html! {
                        <option value={s.to_string()} selected={s == state.speed}>{ speed_label(s) }</option>
                    }) }
                </select>
            </label>
            if let Some(reached) = state.behind {
                <span class="behind" role="status"
                    title="each clock tick simulates for at most 30 ms so the page stays responsive">
                    { format!("running at {}: too big a world for {}", reached_label(reached), speed_label(state.speed)) }
                </span>
            }
            <button class="step" onclick={step} disabled={playing} title="run the next event">{ "Step" }</button>
            <button class="next-change" onclick={next_change} disabled={playing}
                title="run until someone's belief, role or process changes">{ "Next change" }</button>
        </div>
    }
}
