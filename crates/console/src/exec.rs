//! Executing a parsed command on one node.

use cluster_proto::key_hash_slot;
use cluster_sim::Host;

use crate::cluster_text::{cluster_info, cluster_nodes};
use crate::command::{ClusterCommand, Command, parse_command};
use crate::help::CLUSTER_HELP;
use crate::reply::Reply;

/// Redis's reply when a CLUSTER command reaches a node started without `cluster-enabled yes`.
pub const CLUSTER_DISABLED: &str = "ERR This instance has cluster support disabled";

/// Parses and runs `argv` on `host`, returning the reply the server sends.
pub fn execute(host: &Host, argv: &[Vec<u8>]) -> Reply {
    match parse_command(argv) {
        Ok(cmd) => run(host, cmd),
        Err(e) => Reply::error(e),
    }
}

fn run(host: &Host, cmd: Command) -> Reply {
    match cmd {
        Command::Ping(None) => Reply::Status("PONG".into()),
        Command::Ping(Some(msg)) => Reply::Bulk(msg),
        Command::Echo(msg) => Reply::Bulk(msg),
        Command::Cluster(sub) => {
            let Some(state) = host.cluster.as_ref() else {
                return Reply::error(CLUSTER_DISABLED);
            };
            match sub {
                ClusterCommand::Help => Reply::Array(
                    CLUSTER_HELP
                        .iter()
                        .map(|l| Reply::Status((*l).to_string()))
                        .collect(),
                ),
                ClusterCommand::Info => Reply::bulk(cluster_info(state)),
                ClusterCommand::KeySlot(key) => Reply::Integer(i64::from(key_hash_slot(&key))),
                ClusterCommand::MyId => Reply::bulk(state.myself_id().to_string()),
                ClusterCommand::Nodes => Reply::bulk(cluster_nodes(state)),
            }
        }
    }
}
