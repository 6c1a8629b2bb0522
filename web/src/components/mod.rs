//! UI components. Each renders its props and reports user actions through callbacks.

pub mod belief_matrix;
pub mod event_log;
pub mod exercise_panel;
pub mod inspector;
pub mod lost_writes;
pub mod panel_menu;
pub mod preset_panel;
pub mod slot_map;
pub mod terminal;
pub mod time_controls;
pub mod timeline_bar;
pub mod topology;
