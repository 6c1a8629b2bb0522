//! The wire: the most recent bus messages, for views that animate them.

use std::collections::VecDeque;

use cluster_proto::{MsgType, SimTime};

/// At most this many messages are remembered.
pub const MAX_WIRE: usize = 512;

/// One bus message as it left its sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WireMsg {
    /// Increases by one per message, so a view can ask for what is new.
    pub seq: u64,
    /// The sender's client port.
    pub from: u16,
    /// The receiver's client port.
    pub to: u16,
    /// PING, PONG, MEET, FAIL, ...
    pub kind: MsgType,
    /// When it was sent.
    pub sent: SimTime,
    /// When it arrives, or `None` if the network dropped it (partition or loss).
    pub arrives: Option<SimTime>,
}

/// The bounded message record.
#[derive(Debug, Clone, Default)]
pub struct Wire {
    msgs: VecDeque<WireMsg>,
    next_seq: u64,
}

impl Wire {
    /// Records a message, forgetting the oldest beyond [`MAX_WIRE`].
    pub fn record(
        &mut self,
        from: u16,
        to: u16,
        kind: MsgType,
        sent: SimTime,
        arrives: Option<SimTime>,
    ) {
        self.msgs.push_back(WireMsg {
            seq: self.next_seq,
            from,
            to,
            kind,
            sent,
            arrives,
        });
        self.next_seq += 1;
        if self.msgs.len() > MAX_WIRE {
            self.msgs.pop_front();
        }
    }

    /// Remembered messages with `seq >= since`, oldest first.
    pub fn since(&self, since: u64) -> impl Iterator<Item = &WireMsg> {
        self.msgs.iter().filter(move |m| m.seq >= since)
    }

    /// The sequence number the next message will get.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }
}
