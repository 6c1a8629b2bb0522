//! redis-cli's surface and a tiny shell over the ClusterLab simulator.
//!
//! Text goes in, text comes out: [`Console::eval`] takes one typed line and returns exactly what
//! a terminal would show. Both front ends (the `clusterlab` binary and the web playground) print
//! only what this crate returns, so one scenario file tests both.
//!
//! The pieces follow redis-cli and Redis: [`split_args`] is `sdssplitargs`, [`format_tty`] is
//! `cliFormatReplyTTY`, [`parse_command`] applies Redis's lookup and arity rules, and
//! [`cluster_text`] renders CLUSTER NODES and CLUSTER INFO.
#![deny(missing_docs)]

pub mod bench;
mod cli;
mod cluster_replies;
pub mod cluster_text;
mod command;
mod config_cmd;
mod diff;
pub mod embed;
mod exec;
pub mod exercise;
pub mod explore;
pub mod help;
mod info;
pub mod load;
mod manager;
pub mod panels;
pub mod presets;
mod reply;
mod scenario;
pub mod share;
mod shell;
mod split;
mod substitute;
pub mod timing;

pub use cli::{CliArgs, CliInvocation, CliSession, Printed, atoi, parse_cli_args};
pub use command::{
    ClusterCommand, Command, CommandError, cluster_subcommand_names, command_names, parse_command,
};
pub use diff::diff_lines;
pub use exec::{CLUSTER_DISABLED, Client, execute, execute_as};
pub use reply::{Reply, format_raw, format_tty, quote_bytes};
pub use scenario::{
    Mismatch, RunReport, Scenario, Step, Typed, eval_typed, line_matches, lines_match,
    parse_prompt, run_scenario,
};
pub use shell::{Console, Job, MAX_SLEEP_SECS, Output, Session, Started};
pub use split::{InvalidArguments, ShellSyntaxError, split_args, split_shell};
pub use substitute::{UnclosedSubstitution, expand_substitutions};
