//! Hooks that turn real time into actions.

use gloo_timers::callback::Interval;
use yew::prelude::*;

use crate::state::Action;
use crate::ui::Ui;

/// How often the clock ticks while playing, in real milliseconds.
pub const TICK_MS: u32 = 50;

/// While `playing`, or while lines run (see [`crate::frame::Frame::busy`]), dispatches a [`Action::Tick`] every
/// [`TICK_MS`]. The interval is owned by the effect: stopping or unmounting drops it, which
/// cancels it.
#[hook]
pub fn use_clock(state: Ui) {
    // A worker ticks its own clock.
    let ticking = state.ticking() && state.local();
    use_effect_with(ticking, move |&ticking| {
        let interval = ticking.then(|| {
            Interval::new(TICK_MS, move || {
                state.dispatch(Action::Tick(f64::from(TICK_MS)));
            })
        });
        move || drop(interval)
    });
}
