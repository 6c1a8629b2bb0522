//! The timeline: a scrubber over everything the world has lived through, with marks at the big
//! moments. Dragging it back shows the world as it was; acting there forks a new future.

use yew::prelude::*;

use crate::components::event_log::time_of_day;
use crate::state::Action;
use cluster_sim::Weight;

/// Properties of [`TimelineBar`].
#[derive(Debug, Properties, PartialEq)]
pub struct TimelineBarProps {
    /// The playground's state.
    pub state: crate::ui::Ui,
}

/// The scrubber.
#[function_component(TimelineBar)]
pub fn timeline_bar(props: &TimelineBarProps) -> Html {
    let state = &props.state;
    // The marks' positions go in through the CSSOM (the CSP allows no style attributes).
    let root = crate::cssom::use_data_styles();
    let Some((first, last)) = state.timeline.range() else {
        if state.timeline.too_big() {
            return html! {
                <div class="timeline timeline-off" role="note">
                    { "Rewinding is off: this world is too big to keep copies of." }
                </div>
            };
        }
        return html! {};
    };
    let (first, last) = (first.as_unix_millis(), last.as_unix_millis());
    let now = state.now().as_unix_millis();
    // While live, the end is the present even between snapshots.
    let end = if state.cursor.is_some() {
        last
    } else {
        now.max(last)
    };
    let span = (end - first).max(1);
    let on_input = {
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Ok(ms) = input.value().parse::<u64>() {
                state.dispatch(Action::ScrubTo(ms));
            }
        })
    };
    let live = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::BackToLive))
    };
    let marks = state
        .story
        .iter()
        .filter(|e| e.weight == Weight::Major)
        .map(|e| e.time.as_unix_millis())
        .filter(|&t| t >= first && t <= end);
    html! {
        <div ref={root} class={classes!("timeline", state.cursor.is_some().then_some("rewound"))} role="group" aria-label="timeline">
            <div class="timeline-track">
                <div class="timeline-marks" aria-hidden="true">
                    { for marks.map(|t| {
                        let pct = (t - first) as f64 * 100.0 / span as f64;
                        html! { <span class="mark" data-style={format!("left:{pct:.2}%")}></span> }
                    }) }
                </div>
                <input type="range" class="scrubber" min={first.to_string()} max={end.to_string()} step="1"
                    value={now.to_string()} oninput={on_input}
                    aria-label="scrub through time" aria-valuetext={time_of_day(state.now())} />
            </div>
            if let Some(at) = state.cursor {
                <p class="rewound-note" role="status">
                    { format!("Viewing {} in the past. Type, click or play to fork a new future from here, or ", time_of_day(at)) }
                    <button class="back-to-live" onclick={live}>{ "return to live" }</button>
                </p>
            }
        </div>
    }
}
