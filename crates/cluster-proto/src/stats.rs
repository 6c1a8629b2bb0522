//! Bus message counters (`stats_bus_messages_sent/received`), shown by CLUSTER INFO.

/// Cluster bus message types in Redis's numbering order, with the names CLUSTER INFO uses.
pub const MESSAGE_TYPE_NAMES: [&str; 11] = [
    "ping",
    "pong",
    "meet",
    "fail",
    "publish",
    "auth-req",
    "auth-ack",
    "update",
    "mfstart",
    "module",
    "publishshard",
];

/// Messages sent and received, per type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageStats {
    /// Sent, indexed like [`MESSAGE_TYPE_NAMES`].
    pub sent: [u64; 11],
    /// Received, indexed like [`MESSAGE_TYPE_NAMES`].
    pub received: [u64; 11],
}
