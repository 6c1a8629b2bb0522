//! Cluster bus messages (`clusterMsg`), as plain data. The simulator never serializes them; the
//! fields are Redis's so a learner can read a message as Redis would send it.

use crate::flags::NodeFlags;
use crate::ids::{Epoch, NodeId};
use crate::slots::SlotSet;
use std::net::IpAddr;

/// Message types in Redis's numbering, which is also the index of the CLUSTER INFO counters.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum MsgType {
    /// `CLUSTERMSG_TYPE_PING`.
    Ping = 0,
    /// `CLUSTERMSG_TYPE_PONG`.
    Pong = 1,
    /// `CLUSTERMSG_TYPE_MEET`.
    Meet = 2,
    /// `CLUSTERMSG_TYPE_FAIL`.
    Fail = 3,
    /// `CLUSTERMSG_TYPE_FAILOVER_AUTH_REQUEST`.
    FailoverAuthRequest = 5,
    /// `CLUSTERMSG_TYPE_FAILOVER_AUTH_ACK`.
    FailoverAuthAck = 6,
    /// `CLUSTERMSG_TYPE_UPDATE`.
    Update = 7,
    /// `CLUSTERMSG_TYPE_MFSTART`.
    MfStart = 8,
}

/// One gossip entry (`clusterMsgDataGossip`): what the sender believes about some node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GossipEntry {
    /// The node described.
    pub id: NodeId,
    /// The sender's `ping_sent` for it, in whole seconds (0 = none).
    pub ping_sent_secs: u64,
    /// The sender's `pong_received` for it, in whole seconds.
    pub pong_received_secs: u64,
    /// Its IP as the sender knows it.
    pub ip: Option<IpAddr>,
    /// Client port.
    pub port: u16,
    /// Bus port.
    pub cport: u16,
    /// The sender's view of its flags.
    pub flags: NodeFlags,
}

/// The fixed header every bus message carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MsgHeader {
    /// The sender's id.
    pub sender: NodeId,
    /// The sender's client port.
    pub port: u16,
    /// The sender's bus port.
    pub cport: u16,
    /// The sender's `currentEpoch`.
    pub current_epoch: Epoch,
    /// The sender's configEpoch, or its master's if it is a replica.
    pub config_epoch: Epoch,
    /// Replication offset: a master's `master_repl_offset`, a replica's processed offset.
    pub offset: u64,
    /// Slots of the sender, or of its master if it is a replica.
    pub myslots: SlotSet,
    /// The sender's master, if it is a replica of a known master.
    pub slaveof: Option<NodeId>,
    /// The sender's own flags.
    pub flags: NodeFlags,
    /// Whether the sender's cluster state is `ok` (informational).
    pub state_ok: bool,
    /// `CLUSTERMSG_FLAG0_PAUSED`: the sender is a master paused for a manual failover.
    pub paused: bool,
    /// `CLUSTERMSG_FLAG0_FORCEACK`: vote even though the master is not failed.
    pub force_ack: bool,
}

/// The type-specific part of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MsgBody {
    /// PING with gossip.
    Ping(Vec<GossipEntry>),
    /// PONG with gossip.
    Pong(Vec<GossipEntry>),
    /// MEET with gossip: a PING that asks the receiver to add us.
    Meet(Vec<GossipEntry>),
    /// FAIL: the named node is failed, agreed by a majority.
    Fail {
        /// The failed node.
        id: NodeId,
    },
    /// A replica asks masters for their vote.
    FailoverAuthRequest,
    /// A master grants its vote.
    FailoverAuthAck,
    /// The receiver's view of `id` is stale: here is its newer configuration.
    Update {
        /// The node's configEpoch.
        config_epoch: Epoch,
        /// The node.
        id: NodeId,
        /// Its slots.
        slots: SlotSet,
    },
    /// A replica asks its master to start a manual failover.
    MfStart,
}

/// A bus message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterMsg {
    /// Header.
    pub header: MsgHeader,
    /// Body.
    pub body: MsgBody,
}

impl ClusterMsg {
    /// The message's type.
    pub fn msg_type(&self) -> MsgType {
        match self.body {
            MsgBody::Ping(_) => MsgType::Ping,
            MsgBody::Pong(_) => MsgType::Pong,
            MsgBody::Meet(_) => MsgType::Meet,
            MsgBody::Fail { .. } => MsgType::Fail,
            MsgBody::FailoverAuthRequest => MsgType::FailoverAuthRequest,
            MsgBody::FailoverAuthAck => MsgType::FailoverAuthAck,
            MsgBody::Update { .. } => MsgType::Update,
            MsgBody::MfStart => MsgType::MfStart,
        }
    }

    /// The gossip section, for PING, PONG and MEET.
    pub fn gossip(&self) -> &[GossipEntry] {
        match &self.body {
            MsgBody::Ping(g) | MsgBody::Pong(g) | MsgBody::Meet(g) => g,
            _ => &[],
        }
    }

    /// The length Redis would put in `totlen`: 2256 header bytes plus the body.
    pub fn wire_len(&self) -> usize {
        const HEADER: usize = 2256;
        HEADER
            + match &self.body {
                MsgBody::Ping(g) | MsgBody::Pong(g) | MsgBody::Meet(g) => 104 * g.len(),
                MsgBody::Fail { .. } => 40,
                MsgBody::Update { .. } => 8 + 40 + 2048,
                MsgBody::FailoverAuthRequest | MsgBody::FailoverAuthAck | MsgBody::MfStart => 0,
            }
    }
}
