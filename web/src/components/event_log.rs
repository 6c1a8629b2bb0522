//! The event log: each state change in plain words, with the rule behind it. Each entry is a
//! link to its moment on the timeline.

use std::rc::Rc;

use cluster_proto::SimTime;
use cluster_sim::{StoryEntry, Weight};
use yew::prelude::*;

use crate::state::Action;

/// Properties of [`EventLog`].
#[derive(Debug, Properties, PartialEq)]
pub struct EventLogProps {
    /// The playground's state.
    pub state: crate::ui::Ui,
}

/// At most this many entries are drawn (the newest).
pub const SHOWN: usize = 300;

/// `hh:mm:ss.mmm` of a virtual time.
pub fn time_of_day(t: SimTime) -> String {
    let ms = t.as_unix_millis();
    let day = ms % 86_400_000;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        day / 3_600_000,
        day / 60_000 % 60,
        day / 1000 % 60,
        day % 1000
    )
}

/// Who an entry is about: a port, or the network.
pub fn actor(e: &StoryEntry) -> String {
    if e.port == 0 {
        "network".to_string()
    } else {
        e.port.to_string()
    }
}

/// The event log panel.
#[function_component(EventLog)]
pub fn event_log(props: &EventLogProps) -> Html {
    let state = &props.state;
    let all = use_state(|| false);
    let list_ref = use_node_ref();
    {
        let list_ref = list_ref.clone();
        // The newest entry's number, not the count: the count stops growing at the story's cap.
        use_effect_with(state.story.last().map(|e| e.seq), move |_| {
            if let Some(el) = list_ref.cast::<web_sys::Element>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }
    let toggle = {
        let all = all.clone();
        Callback::from(move |_: Event| all.set(!*all))
    };
    let empty = !state
        .story
        .iter()
        .any(|e| *all || e.weight == Weight::Major);
    let on_scrub = {
        let state = state.clone();
        Callback::from(move |ms: u64| state.dispatch(Action::ScrubTo(ms)))
    };
    html! {
        <section class="event-log" aria-label="event log">
            <div class="panel-head">
                <h2>{ "What happened, and why" }</h2>
                <label class="details"><input type="checkbox" checked={*all} onchange={toggle} />{ " details" }</label>
            </div>
            if empty {
                <p class="hint">{ "Changes of belief, elections and promotions are explained here as they happen." }</p>
            }
            <ol class="events" ref={list_ref}>
                <Entries story={Rc::clone(&state.story)} all={*all} cursor={state.cursor} {on_scrub} />
            </ol>
        </section>
    }
}

/// Properties of [`Entries`].
#[derive(Debug, Properties)]
struct EntriesProps {
    story: Rc<Vec<StoryEntry>>,
    /// Details too, not only the major entries.
    all: bool,
    /// The moment shown, if in the past: later entries are the future.
    cursor: Option<SimTime>,
    /// An entry's time was clicked (virtual ms since the epoch).
    on_scrub: Callback<u64>,
}

impl PartialEq for EntriesProps {
    /// The same story (not an equal one) and the same choices; the callback, made anew on
    /// each frame, does the same whatever the frame.
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.story, &other.story)
            && self.all == other.all
            && self.cursor == other.cursor
    }
}

/// The entries, newest last. Drawn again only when the story or the choices change, not on
/// every clock tick.
#[function_component(Entries)]
fn entries(props: &EntriesProps) -> Html {
    let entries: Vec<&StoryEntry> = props
        .story
        .iter()
        .filter(|e| props.all || e.weight == Weight::Major)
        .collect();
    let skip = entries.len().saturating_sub(SHOWN);
    html! {
        { for entries[skip..].iter().map(|e| {
            let future = props.cursor.is_some_and(|c| e.time > c);
            let ms = e.time.as_unix_millis();
            let onclick = props.on_scrub.reform(move |_: MouseEvent| ms);
            html! {
                <li key={e.seq} class={classes!(if e.weight == Weight::Major { "major" } else { "detail" }, future.then_some("future"))}>
                    <button class="event-time" {onclick} title="show the world at this moment">{ time_of_day(e.time) }</button>
                    <span class="event-actor">{ actor(e) }</span>
                    <span class="event-text">{ &e.text }</span>
                    <span class="event-rule">{ &*e.rule }</span>
                </li>
            }
        }) }
    }
}

/// Properties of [`Announcer`].
#[derive(Debug, Properties, PartialEq)]
pub struct AnnouncerProps {
    /// The playground's state.
    pub state: crate::ui::Ui,
}

/// An ARIA live region that speaks the newest major events as sentences.
#[function_component(Announcer)]
pub fn announcer(props: &AnnouncerProps) -> Html {
    let state = &props.state;
    // (story generation, first sequence number not yet spoken)
    let last_seen = use_mut_ref(|| None::<(u64, u64)>);
    let spoken = use_mut_ref(String::new);
    {
        let mut seen = last_seen.borrow_mut();
        let next = state.story.last().map_or(0, |e| e.seq + 1);
        let from = match *seen {
            // The first render: what is already there was not news.
            None => next,
            Some((generation, from)) if generation == state.story_generation => from,
            // A fork or a new world numbers its entries again from this point.
            Some(_) => state.story_restart_seq,
        };
        if next > from {
            // A few sentences at most per update, so a screen reader is not flooded.
            let fresh: Vec<String> = state
                .story
                .iter()
                .filter(|e| e.seq >= from && e.weight == Weight::Major)
                .rev()
                .take(3)
                .map(|e| e.text.clone())
                .collect();
            if !fresh.is_empty() {
                *spoken.borrow_mut() = fresh.into_iter().rev().collect::<Vec<_>>().join(" ");
            }
        }
        *seen = Some((state.story_generation, next.max(from)));
    }
    html! {
        <div class="visually-hidden announcer" aria-live="polite" aria-atomic="true">{ spoken.borrow().clone() }</div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_like_a_clock() {
        assert_eq!(time_of_day(SimTime::DEFAULT_START), "23:34:33.000");
        assert_eq!(time_of_day(SimTime::DEFAULT_START + 1_234), "23:34:34.234");
    }
}
