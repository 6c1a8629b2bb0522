//! The page layout.

use yew::prelude::*;

use crate::components::terminal::Terminal;

/// The whole playground page.
#[function_component(App)]
pub fn app() -> Html {
    html! {
        <main class="app">
            <header class="app-header">
                <h1>{ "ClusterLab" }</h1>
                <p class="tagline">{ "Type real redis-cli commands into a simulated Redis 7.0 cluster." }</p>
            </header>
            <Terminal seed={1} />
        </main>
    }
}
