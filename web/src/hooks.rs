//! Hooks that turn real time into actions.

use gloo_timers::callback::Interval;
use yew::prelude::*;

use crate::state::{TerminalAction, TerminalState};

/// How often the clock ticks while playing, in real milliseconds.
pub const TICK_MS: u32 = 50;

/// While `playing`, dispatches a [`TerminalAction::Tick`] every [`TICK_MS`]. The interval is
/// owned by the effect: stopping or unmounting drops it, which cancels it.
#[hook]
pub fn use_clock(state: UseReducerHandle<TerminalState>) {
    let playing = state.playing;
    use_effect_with(playing, move |&playing| {
        let interval = playing.then(|| {
            let dispatcher = state.dispatcher();
            Interval::new(TICK_MS, move || {
                dispatcher.dispatch(TerminalAction::Tick(f64::from(TICK_MS)));
            })
        });
        move || drop(interval)
    });
}
