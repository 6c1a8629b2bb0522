//! The terminal: scrollback, prompt, an input line with history on the arrow keys.

use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::state::{Action, LineKind, TermLine};

/// Properties of [`Terminal`].
#[derive(Debug, Properties, PartialEq)]
pub struct TerminalProps {
    /// The playground's state, owned by the app.
    pub state: crate::ui::Ui,
}

/// Where the arrow keys are in the history: `None` means editing a new line.
fn step_history(len: usize, at: Option<usize>, up: bool) -> Option<usize> {
    match (at, up) {
        (_, true) if len == 0 => None,
        (None, true) => Some(len - 1),
        (Some(i), true) => Some(i.saturating_sub(1)),
        (Some(i), false) if i + 1 < len => Some(i + 1),
        (_, false) => None,
    }
}

/// Ctrl-C copies when text is selected, as in a terminal emulator; only otherwise it
/// interrupts.
fn has_selection() -> bool {
    web_sys::window()
        .and_then(|w| w.get_selection().ok().flatten())
        .is_some_and(|s| !s.is_collapsed())
}

/// Where the history survives a reload.
pub const HISTORY_KEY: &str = "clusterlab.history";

/// The history an earlier visit saved.
pub fn load_history() -> Vec<String> {
    crate::storage::load_lines(HISTORY_KEY)
}

/// Properties of [`Scrollback`].
#[derive(Debug, Properties)]
pub struct ScrollbackProps {
    /// The lines, oldest first.
    pub lines: Rc<Vec<TermLine>>,
}

impl PartialEq for ScrollbackProps {
    /// The same list, not an equal one: the clock re-renders the page many times a second, and
    /// comparing thousands of unchanged lines each time would cost frames.
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.lines, &other.lines)
    }
}

/// The printed lines. Re-rendered only when the tab's scrollback changes.
#[function_component(Scrollback)]
pub fn scrollback(props: &ScrollbackProps) -> Html {
    html! {
        { for props.lines.iter().map(|l| {
            let class = match l.kind {
                LineKind::Input => "terminal-line input",
                LineKind::Output => "terminal-line output",
            };
            html! { <pre class={class}>{ &l.text }</pre> }
        }) }
    }
}

/// A terminal on the app's console.
#[function_component(Terminal)]
pub fn terminal(props: &TerminalProps) -> Html {
    let state = props.state.clone();
    // Save the history whenever it changes (a private window may refuse: that is fine).
    use_effect_with(state.history.clone(), |history| {
        crate::storage::save_lines(HISTORY_KEY, history);
    });
    let input = use_state(String::new);
    let history_at = use_state(|| None::<usize>);
    let input_ref = use_node_ref();
    let stop_ref = use_node_ref();
    let screen_ref = use_node_ref();

    // While lines run the prompt is gone: the Stop button takes the focus it leaves behind
    // (so Ctrl-C reaches it), and the prompt takes it back when they end. Focus elsewhere (a
    // button, a panel) is left alone.
    {
        let (input_ref, stop_ref) = (input_ref.clone(), stop_ref.clone());
        use_effect_with(state.busy(), move |&busy| {
            let lost = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element())
                .is_none_or(|el| el.tag_name() == "BODY");
            let target = if busy { stop_ref } else { input_ref };
            if let (true, Some(el)) = (lost, target.cast::<web_sys::HtmlElement>()) {
                let _ = el.focus();
            }
        });
    }

    // What a running line printed so far: its last lines only, the whole of it goes to the
    // scrollback when it ends (a thousand-node `create` prints thousands of lines, and this part
    // is drawn on every clock tick).
    let progress = state.running.clone();
    // Keep the newest line in view when the lines change. Not on every clock tick: reading the
    // height makes the browser lay the page out again, a big world's drawing included.
    {
        let screen_ref = screen_ref.clone();
        let shown = (
            Rc::as_ptr(state.lines()) as usize,
            state.lines().len(),
            state.active,
            progress.as_ref().map(|r| r.last.len() + r.skipped),
            state.busy(),
        );
        use_effect_with(shown, move |_| {
            if let Some(el) = screen_ref.cast::<web_sys::Element>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }

    let oninput = {
        let input = input.clone();
        Callback::from(move |e: InputEvent| {
            let el: HtmlInputElement = e.target_unchecked_into();
            input.set(el.value());
        })
    };

    let onkeydown = {
        let (state, input, history_at) = (state.clone(), input.clone(), history_at.clone());
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Enter" => {
                e.prevent_default();
                state.dispatch(Action::Submit((*input).clone()));
                input.set(String::new());
                history_at.set(None);
            }
            "Tab" => {
                e.prevent_default();
                if let Some(line) = console::help::complete_line_with(&input, &state.world.known) {
                    input.set(line);
                }
            }
            "l" | "L" if e.ctrl_key() => {
                e.prevent_default();
                state.dispatch(Action::Clear);
            }
            "c" | "C" if e.ctrl_key() && !has_selection() => {
                e.prevent_default();
                state.dispatch(Action::Interrupt((*input).clone()));
                input.set(String::new());
                history_at.set(None);
            }
            key @ ("ArrowUp" | "ArrowDown") => {
                e.prevent_default();
                let at = step_history(state.history.len(), *history_at, key == "ArrowUp");
                history_at.set(at);
                input.set(at.map(|i| state.history[i].clone()).unwrap_or_default());
            }
            _ => {}
        })
    };

    let stop = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::Interrupt(String::new())))
    };
    let stop_key = {
        let state = state.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.ctrl_key() && e.key().eq_ignore_ascii_case("c") && !has_selection() {
                e.prevent_default();
                state.dispatch(Action::Interrupt(String::new()));
            }
        })
    };

    let focus = {
        let input_ref = input_ref.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(el) = input_ref.cast::<HtmlInputElement>() {
                let _ = el.focus();
            }
        })
    };

    // redis-cli greys the arguments still to type after the cursor; the shell does not.
    let hint = (state.prompt() != "$ ")
        .then(|| console::help::hint(&input))
        .flatten();
    let tabs = tab_strip(&state);
    html! {
        <div class="terminal-box">
        { tabs }
        <section class="terminal" ref={screen_ref} onclick={focus} aria-label="terminal" role="tabpanel"
            id={format!("terminal-{}", state.tab().id)}>
            <Scrollback lines={Rc::clone(state.lines())} />
            if state.busy() {
                // A line that waits on virtual time, or a scenario's lines: what runs now and
                // what it printed so far; the prompt comes back when all have run.
                if let Some(r) = progress {
                    <pre class="terminal-line input">{ &r.input }</pre>
                    if r.skipped > 0 {
                        <p class="terminal-earlier">{ format!("({} earlier lines, shown when it ends)", r.skipped) }</p>
                    }
                    { for r.last.iter().map(|l| html! { <pre class="terminal-line output">{ l }</pre> }) }
                }
                <p class="terminal-running" role="status">{ state.busy_note() }</p>
                <button class="terminal-stop" ref={stop_ref} onclick={stop} onkeydown={stop_key}
                    title="stop the running sleep, and the lines waiting after it">{ "Stop (Ctrl-C)" }</button>
            } else if state.read_only {
                // The host page runs the lines; the reader watches.
                <p class="terminal-read-only">{ "Read-only: the page runs the commands here." }</p>
            } else {
            <div class="terminal-prompt-line">
                <span class="terminal-prompt">{ state.prompt() }</span>
                <span class="input-wrap">
                <input
                    ref={input_ref}
                    class="terminal-input"
                    type="text"
                    value={(*input).clone()}
                    {oninput}
                    {onkeydown}
                    autofocus=true
                    spellcheck="false"
                    autocomplete="off"
                    aria-label="command line"
                />
                if let Some(h) = hint {
                    <span class="terminal-hint" aria-hidden="true">
                        <span class="hint-spacer">{ (*input).clone() }</span>{ h }
                    </span>
                }
                </span>
            </div>
            }
        </section>
        </div>
    }
}

/// The row of terminal tabs: each is its own shell on the same world.
fn tab_strip(state: &crate::ui::Ui) -> Html {
    let add = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::NewTab))
    };
    let close = {
        let state = state.clone();
        let active = state.active;
        Callback::from(move |_: MouseEvent| state.dispatch(Action::CloseTab(active)))
    };
    html! {
        <div class="terminal-tabs">
            <div role="tablist" aria-label="terminals">
                { for state.tabs.iter().enumerate().map(|(i, tab)| {
                    let active = i == state.active;
                    let select = {
                        let state = state.clone();
                        Callback::from(move |_: MouseEvent| state.dispatch(Action::SelectTab(i)))
                    };
                    let label = if tab.prompt == "$ " { "shell".to_string() } else { tab.prompt.trim_end_matches("> ").to_string() };
                    html! {
                        <button role="tab" aria-selected={active.to_string()} aria-controls={format!("terminal-{}", tab.id)}
                            class={classes!("terminal-tab", active.then_some("active"))} onclick={select}>
                            { format!("{} · {label}", tab.id) }
                        </button>
                    }
                }) }
            </div>
            <button class="tab-new" onclick={add} aria-label="new terminal" title="new terminal">{ "+" }</button>
            if state.tabs.len() > 1 {
                <button class="tab-close" onclick={close} aria-label={format!("close terminal {}", state.tab().id)}
                    title="close this terminal">{ "×" }</button>
            }
        </div>
    }
}
