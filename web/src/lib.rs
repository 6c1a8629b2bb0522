//! The ClusterLab playground: a thin Yew front end over the `console` crate.
//!
//! All behaviour lives in `console`; this crate only keeps the scrollback, reads keys and shows
//! what [`console::Console::eval`] returns. The console runs in a Web Worker (`worker`, built
//! for wasm only), whose [`engine`] sends the page [`frame`]s of what it draws ([`patch`]);
//! the components read frames through a [`ui::Ui`] handle.
#![deny(missing_docs)]

pub mod api;
pub mod app;
pub mod components;
pub mod cssom;
pub mod engine;
pub mod frame;
pub mod hooks;
pub mod host;
pub mod patch;
pub mod state;
pub mod storage;
pub mod timeline;
pub mod ui;
pub mod view_cache;
pub mod wallclock;
#[cfg(target_arch = "wasm32")]
pub mod worker;

/// Mounts the playground on the page's `<body>`.
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}
