//! UI components. Each renders its props and reports user actions through callbacks.

pub mod belief_matrix;
pub mod inspector;
pub mod terminal;
pub mod time_controls;
