//! The "Panels" menu of the full playground: which panels are shown. The choice travels in
//! share links, so a teacher can send a focused layout.

use console::panels::{Panel, Panels};
use yew::prelude::*;

use crate::state::Action;

/// Properties of [`PanelMenu`].
#[derive(Debug, Properties, PartialEq)]
pub struct PanelMenuProps {
    /// The playground's state, owned by the app.
    pub state: crate::ui::Ui,
    /// The panels shown.
    pub shown: Panels,
    /// The layout's default set (what is shown before anything is chosen).
    pub layout: Panels,
}

/// A drop-down list of checkboxes, one per panel.
#[function_component(PanelMenu)]
pub fn panel_menu(props: &PanelMenuProps) -> Html {
    let only_one = props.shown.iter().count() == 1;
    html! {
        <details class="panel-menu">
            <summary>{ "Panels" }</summary>
            <fieldset>
                <legend class="visually-hidden">{ "Panels shown" }</legend>
                { for Panel::ALL.iter().map(|&panel| {
                    let checked = props.shown.shows(panel);
                    let onchange = {
                        let (state, layout) = (props.state.clone(), props.layout);
                        Callback::from(move |_: Event| state.dispatch(Action::TogglePanel { panel, layout }))
                    };
                    html! {
                        <label class="panel-choice">
                            <input type="checkbox" name={panel.name()} {checked} {onchange}
                                disabled={checked && only_one} />
                            { panel.label() }
                        </label>
                    }
                }) }
            </fieldset>
        </details>
    }
}
