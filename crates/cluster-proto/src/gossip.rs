//! Building PING/PONG/MEET messages and reading their gossip sections.

use crate::event::NodeEvent;
use crate::flags::NodeFlags;
use crate::ids::{NodeAddr, NodeId};
use crate::link::LinkId;
use crate::msg::{ClusterMsg, GossipEntry, MsgBody, MsgType};
use crate::node::ClusterNode;
use crate::state::ClusterState;
use crate::time::SimTime;

fn entry_for(n: &ClusterNode) -> GossipEntry {
    GossipEntry {
        id: n.id,
        ping_sent_secs: n.ping_sent.map_or(0, |t| t.as_unix_secs()),
        pong_received_secs: n.pong_received.map_or(0, |t| t.as_unix_secs()),
        ip: n.addr.ip,
        port: n.addr.port,
        cport: n.addr.cport,
        flags: n.flags,
    }
}

impl ClusterState {
    /// `clusterSendPing`: a PING, PONG or MEET on `link` with a gossip section of about a
    /// tenth of the known nodes (at least 3) chosen at random, plus every PFAIL node.
    #[doc(alias = "clusterSendPing")]
    pub(crate) fn send_ping(&mut self, link: LinkId, kind: MsgType, now: SimTime) {
        let total = self.nodes.len();
        let mut freshnodes = total as i64 - 2;
        let wanted = ((total / 10).max(3) as i64).min(freshnodes).max(0) as usize;
        let mut pfail_wanted = self.stats_pfail_nodes;

        if kind == MsgType::Ping
            && let Some(n) = self
                .links
                .get(&link)
                .and_then(|l| l.node)
                .and_then(|id| self.node_mut(&id))
        {
            n.ping_sent = Some(now);
        }

        let mut chosen: Vec<usize> = Vec::with_capacity(wanted);
        // Which nodes are already in the section, as bits: Redis scans the section for each
        // pick, which at 1,000 nodes (100 entries, 300 picks) costs more than the rest.
        let mut in_section = vec![0u64; total.div_ceil(64)];
        let mut iterations = wanted * 3;
        while freshnodes > 0 && chosen.len() < wanted && iterations > 0 {
            iterations -= 1;
            let j = self.random_index();
            let n = &self.nodes[j];
            if n.is_myself() || n.flags.contains(NodeFlags::PFAIL) {
                continue;
            }
            // Nodes nobody can use are not worth gossiping (Redis counts them as "seen").
            if n.flags.intersects(NodeFlags::HANDSHAKE | NodeFlags::NOADDR)
                || (n.link.is_none() && n.slots.is_empty())
            {
                freshnodes -= 1;
                continue;
            }
            if in_section[j / 64] & (1 << (j % 64)) != 0 {
                continue;
            }
            in_section[j / 64] |= 1 << (j % 64);
            chosen.push(j);
            freshnodes -= 1;
        }
        let mut entries: Vec<GossipEntry> =
            chosen.iter().map(|&j| entry_for(&self.nodes[j])).collect();
        // Every PFAIL node rides along, so suspicions reach a majority quickly.
        for n in &self.nodes {
            if pfail_wanted == 0 {
                break;
            }
            if n.flags.intersects(NodeFlags::HANDSHAKE | NodeFlags::NOADDR)
                || !n.flags.contains(NodeFlags::PFAIL)
            {
                continue;
            }
            entries.push(entry_for(n));
            pfail_wanted -= 1;
        }
        let body = match kind {
            MsgType::Pong => MsgBody::Pong(entries),
            MsgType::Meet => MsgBody::Meet(entries),
            _ => MsgBody::Ping(entries),
        };
        self.send(link, body);
    }

    /// `clusterBroadcastMessage`: `body` on every outbound link, skipping handshake nodes.
    pub(crate) fn broadcast(&mut self, body: MsgBody) {
        let links: Vec<LinkId> = self
            .nodes
            .iter()
            .filter(|n| !n.is_myself() && !n.in_handshake())
            .filter_map(|n| n.link)
            .collect();
        for l in links {
            self.send(l, body.clone());
        }
    }

    /// `clusterProcessGossipSection`. `sender` is the packet's known sender, or `None` for a
    /// MEET from a node we do not know yet.
    #[doc(alias = "clusterProcessGossipSection")]
    pub(crate) fn process_gossip_section(
        &mut self,
        now: SimTime,
        sender: Option<NodeId>,
        msg: &ClusterMsg,
    ) {
        let sender_is_master = sender
            .and_then(|s| self.node(&s))
            .is_some_and(|n| n.is_master());
        for g in msg.gossip() {
            let flags = g.flags;
            let failing = flags.intersects(NodeFlags::PFAIL | NodeFlags::FAIL);
            // Looked up once: nothing below adds or removes nodes, so `idx` stays valid.
            if let Some(idx) = self.index_of(&g.id) {
                if let Some(s) = sender
                    && sender_is_master
                    && g.id != self.myself
                {
                    if failing {
                        if self.add_failure_report_at(now, idx, s) {
                            self.events.push_back(NodeEvent::FailureReported {
                                reporter: s,
                                node: g.id,
                            });
                        }
                        self.mark_node_as_failing_if_needed(now, &g.id);
                    } else if self.del_failure_report_at(now, idx, &s) {
                        self.events.push_back(NodeEvent::BackOnline {
                            reporter: s,
                            node: g.id,
                        });
                    }
                }

                // A fresher PONG time seen by others helps us avoid a pointless ping.
                let reports = self.failure_reports_count_at(now, idx);
                let n = &mut self.nodes[idx];
                if !failing && n.ping_sent.is_none() && reports == 0 {
                    let pong_time = SimTime::from_unix_millis(g.pong_received_secs * 1000);
                    if pong_time <= now + 500 && Some(pong_time) > n.pong_received {
                        n.pong_received = Some(pong_time);
                    }
                }

                // A node we think is down shows up healthy elsewhere: adopt its address.
                let n = &self.nodes[idx];
                if n.is_failing()
                    && !flags.contains(NodeFlags::NOADDR)
                    && !failing
                    && (n.addr.ip != g.ip || n.addr.port != g.port || n.addr.cport != g.cport)
                {
                    let link = n.link;
                    if let Some(l) = link {
                        self.free_link(l);
                    }
                    let n = &mut self.nodes[idx];
                    n.addr = NodeAddr {
                        ip: g.ip,
                        port: g.port,
                        cport: g.cport,
                    };
                    n.flags.remove(NodeFlags::NOADDR);
                }
            } else if sender.is_some()
                && !flags.contains(NodeFlags::NOADDR)
                && !self.blacklisted(now, &g.id)
            {
                let addr = NodeAddr {
                    ip: g.ip,
                    port: g.port,
                    cport: g.cport,
                };
                self.add_node(ClusterNode::new(g.id, addr, flags, now));
            }
        }
    }

    /// Whether `id` was FORGET-ten less than a minute ago.
    pub(crate) fn blacklisted(&mut self, now: SimTime, id: &NodeId) -> bool {
        self.blacklist.retain(|_, until| *until > now);
        self.blacklist.contains_key(id)
    }
}
