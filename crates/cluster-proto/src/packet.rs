//! Inputs from the network: link events and `clusterProcessPacket`.

use std::net::IpAddr;

use crate::event::NodeEvent;
use crate::flags::NodeFlags;
use crate::ids::{NodeAddr, NodeId};
use crate::link::{Link, LinkId};
use crate::msg::{ClusterMsg, MsgBody, MsgType};
use crate::node::ClusterNode;
use crate::state::ClusterState;
use crate::time::SimTime;

impl ClusterState {
    /// Our outbound connection `link` is established (`clusterLinkConnectHandler`): the first
    /// packet goes out at once, a MEET if we were asked to meet the node, else a PING.
    pub fn handle_link_connected(&mut self, now: SimTime, link: LinkId, local_ip: Option<IpAddr>) {
        let Some(l) = self.links.get_mut(&link) else {
            return;
        };
        l.connected = true;
        l.local_ip = local_ip;
        let Some(idx) = l.node.and_then(|id| self.index_of(&id)) else {
            return;
        };
        let old_ping_sent = self.nodes[idx].ping_sent;
        let meet = self.nodes[idx].flags.contains(NodeFlags::MEET);
        self.send_ping(link, if meet { MsgType::Meet } else { MsgType::Ping }, now);
        // A ping that was already pending keeps its age, or failure detection would restart.
        if old_ping_sent.is_some() {
            self.nodes[idx].ping_sent = old_ping_sent;
        }
        self.nodes[idx].flags.remove(NodeFlags::MEET);
        self.before_sleep(now);
    }

    /// A link failed to connect, or was closed by the peer or by an error (`handleLinkIOError`).
    /// `ping_sent` and `pong_received` survive on the node; the next cron reconnects.
    pub fn handle_link_closed(&mut self, now: SimTime, link: LinkId) {
        if let Some(l) = self.links.remove(&link)
            && let Some(n) = l.node.and_then(|id| self.node_mut(&id))
        {
            if n.link == Some(link) {
                n.link = None;
            }
            if n.inbound_link == Some(link) {
                n.inbound_link = None;
            }
        }
        self.before_sleep(now);
    }

    /// A peer opened a connection to our bus port; returns our id for it.
    pub fn handle_accept(
        &mut self,
        now: SimTime,
        local_ip: Option<IpAddr>,
        peer_ip: Option<IpAddr>,
    ) -> LinkId {
        let id = LinkId(self.next_link);
        self.next_link += 1;
        self.links.insert(
            id,
            Link {
                ctime: now,
                node: None,
                outbound: false,
                connected: true,
                local_ip,
                peer_ip,
            },
        );
        id
    }

    /// A complete bus message arrived on `link` (`clusterProcessPacket`).
    #[doc(alias = "clusterProcessPacket")]
    pub fn handle_packet(&mut self, now: SimTime, link: LinkId, msg: ClusterMsg) {
        self.process_packet(now, link, &msg);
        self.before_sleep(now);
    }

    fn process_packet(&mut self, now: SimTime, link: LinkId, msg: &ClusterMsg) {
        let Some(l) = self.links.get(&link).cloned() else {
            return; // the link was freed while the message was in flight
        };
        let t = msg.msg_type();
        let hdr = &msg.header;
        self.stats.received[t as usize] += 1;

        // The sender: the node this link belongs to, unless that is a handshake record.
        let link_node_ok = l
            .node
            .and_then(|id| self.node(&id))
            .is_some_and(|n| !n.in_handshake());
        let sender = if link_node_ok {
            l.node
        } else {
            self.node(&hdr.sender).map(|n| n.id)
        };
        if let Some(s) = sender {
            let inbound_unbound = !l.outbound && l.node.is_none();
            let sidx = self.index_of(&s).expect("sender was just looked up");
            self.nodes[sidx].data_received = Some(now);
            if inbound_unbound {
                // 7.0 ties an accepted connection to its node on its first known packet; a
                // newer inbound link from the same node replaces the old one.
                if let Some(old) = self.nodes[sidx].inbound_link.filter(|&o| o != link) {
                    self.free_link(old);
                }
                self.nodes[sidx].inbound_link = Some(link);
                if let Some(lm) = self.links.get_mut(&link) {
                    lm.node = Some(s);
                }
            }
        }
        let known_sender = sender.filter(|s| self.node(s).is_some_and(|n| !n.in_handshake()));
        if let Some(s) = known_sender {
            self.current_epoch = self.current_epoch.max(hdr.current_epoch);
            let n = self.node_mut(&s).expect("known sender");
            n.config_epoch = n.config_epoch.max(hdr.config_epoch);
            n.repl_offset = hdr.offset;
            self.handle_paused_master_offset(s, hdr.paused, hdr.offset);
        }

        if matches!(t, MsgType::Ping | MsgType::Meet) {
            // Learn our own address from the connection a peer used to reach us.
            let my_ip_unknown = self.myself().addr.ip.is_none();
            if (t == MsgType::Meet || my_ip_unknown)
                && let Some(ip) = l.local_ip
                && self.myself().addr.ip != Some(ip)
            {
                self.myself_mut().addr.ip = Some(ip);
                self.events.push_back(NodeEvent::MyIpUpdated { ip });
            }
            if sender.is_none() && t == MsgType::Meet {
                let id = NodeId::random(&mut self.rng);
                let addr = NodeAddr {
                    ip: l.peer_ip,
                    port: hdr.port,
                    cport: hdr.cport,
                };
                self.add_node(ClusterNode::new(id, addr, NodeFlags::HANDSHAKE, now));
                self.process_gossip_section(now, None, msg);
            }
            self.send_ping(link, MsgType::Pong, now);
        }

        match &msg.body {
            MsgBody::Ping(_) | MsgBody::Pong(_) | MsgBody::Meet(_) => {
                self.process_ping_like(now, link, &l, sender, msg);
            }
            MsgBody::Fail { id } => {
                let Some(s) = sender else {
                    return;
                };
                if let Some(n) = self.node_mut(id)
                    && !n.is_myself()
                    && !n.flags.contains(NodeFlags::FAIL)
                {
                    n.flags.insert(NodeFlags::FAIL);
                    n.flags.remove(NodeFlags::PFAIL);
                    n.fail_time = Some(now);
                    let failed = *id;
                    self.events
                        .push_back(NodeEvent::FailMessageReceived { sender: s, failed });
                    self.todo_update_state = true;
                }
            }
            MsgBody::Update {
                config_epoch,
                id,
                slots,
            } => {
                if sender.is_none() {
                    return;
                }
                let Some(n) = self.node_mut(id) else {
                    return;
                };
                if n.config_epoch >= *config_epoch {
                    return; // nothing new
                }
                let id = *id;
                if n.is_replica() {
                    self.set_node_as_master(&id);
                }
                if let Some(n) = self.node_mut(&id) {
                    n.config_epoch = *config_epoch;
                }
                self.update_slots_config_with(now, &id, *config_epoch, slots);
            }
            MsgBody::FailoverAuthRequest => {
                if let Some(s) = sender {
                    self.send_failover_auth_if_needed(now, s, msg);
                }
            }
            MsgBody::FailoverAuthAck => {
                if let Some(s) = sender {
                    self.handle_failover_auth_ack(s, hdr.current_epoch);
                }
            }
            MsgBody::MfStart => {
                if let Some(s) = sender {
                    self.handle_mf_start(now, s);
                }
            }
        }
    }

    /// PING, PONG and MEET: handshake completion, liveness, role, slots, epochs, gossip.
    fn process_ping_like(
        &mut self,
        now: SimTime,
        link: LinkId,
        l: &Link,
        sender: Option<NodeId>,
        msg: &ClusterMsg,
    ) {
        let hdr = &msg.header;
        let t = msg.msg_type();
        if l.outbound {
            let Some(link_node) = l.node else {
                return;
            };
            let Some(lidx) = self.index_of(&link_node) else {
                return;
            };
            if self.nodes[lidx].in_handshake() {
                if let Some(known) = sender {
                    // We already know this node under its real id: drop the handshake record.
                    let _ = known;
                    self.delete_node(&link_node);
                    return;
                }
                // Adopt the real name; the role comes from the header's flags.
                self.rename_node(lidx, hdr.sender);
                let n = &mut self.nodes[lidx];
                n.flags.remove(NodeFlags::HANDSHAKE);
                n.flags |= hdr.flags & (NodeFlags::MASTER | NodeFlags::REPLICA);
                if let Some(lm) = self.links.get_mut(&link) {
                    lm.node = Some(hdr.sender);
                }
                self.events
                    .push_back(NodeEvent::HandshakeCompleted { id: hdr.sender });
            } else if link_node != hdr.sender {
                // The address now answers with another id: forget the address.
                let n = &mut self.nodes[lidx];
                n.flags.insert(NodeFlags::NOADDR);
                n.addr = NodeAddr {
                    ip: None,
                    port: 0,
                    cport: 0,
                };
                self.free_link(link);
                return;
            }
        }

        if let Some(s) = sender
            && let Some(n) = self.node_mut(&s)
        {
            n.flags.remove(NodeFlags::NOFAILOVER);
            n.flags |= hdr.flags & NodeFlags::NOFAILOVER;
        }

        // The link's node may have just been renamed from its handshake id.
        let link_node = self.links.get(&link).and_then(|l| l.node);
        if l.outbound
            && t == MsgType::Pong
            && let Some(idx) = link_node.and_then(|id| self.index_of(&id))
        {
            let n = &mut self.nodes[idx];
            n.pong_received = Some(now);
            n.ping_sent = None;
            if n.flags.contains(NodeFlags::PFAIL) {
                n.flags.remove(NodeFlags::PFAIL);
                self.todo_update_state = true;
            } else if n.flags.contains(NodeFlags::FAIL) {
                let id = n.id;
                self.clear_node_failure_if_needed(now, &id);
            }
        }

        let Some(s) = sender else {
            return;
        };

        // Role switch, as the sender announces it.
        match hdr.slaveof {
            None => self.set_node_as_master(&s),
            Some(master_id) => {
                let master_known = self.node(&master_id).is_some();
                let sidx = self.index_of(&s).expect("sender is known");
                if self.nodes[sidx].is_master() {
                    let n = &mut self.nodes[sidx];
                    n.slots = Default::default();
                    n.flags.remove(NodeFlags::MASTER | NodeFlags::MIGRATE_TO);
                    n.flags.insert(NodeFlags::REPLICA);
                    self.todo_update_state = true;
                }
                if master_known && self.nodes[sidx].replica_of != Some(master_id) {
                    if let Some(old) = self.nodes[sidx].replica_of
                        && let Some(om) = self.node_mut(&old)
                    {
                        om.replicas.retain(|r| *r != s);
                    }
                    if let Some(m) = self.node_mut(&master_id)
                        && !m.replicas.contains(&s)
                    {
                        m.replicas.push(s);
                        // clusterNodeAddSlave: a master that has had replicas may be orphaned.
                        m.flags.insert(NodeFlags::MIGRATE_TO);
                    }
                    if let Some(n) = self.node_mut(&s) {
                        n.replica_of = Some(master_id);
                    }
                }
            }
        }

        // Slots: compare what the sender (or its master) claims with what we believe.
        let sender_node = self.node(&s).expect("sender is known");
        let sender_master = if sender_node.is_master() {
            Some(s)
        } else {
            sender_node.replica_of
        };
        let dirty = sender_master
            .and_then(|m| self.node(&m))
            .is_some_and(|m| m.slots != hdr.myslots);
        let sender_is_master = self.node(&s).is_some_and(|n| n.is_master());
        if sender_is_master && dirty {
            self.update_slots_config_with(now, &s, hdr.config_epoch, &hdr.myslots);
        }
        if dirty {
            self.send_update_if_stale(&s, hdr.config_epoch, &hdr.myslots);
        }

        if self.myself().is_master()
            && self.node(&s).is_some_and(|n| n.is_master())
            && hdr.config_epoch == self.myself().config_epoch
        {
            self.handle_config_epoch_collision(&s);
        }

        self.process_gossip_section(now, Some(s), msg);
    }

    /// `clusterRenameNode`: a handshake record takes the real id, keeping its place.
    fn rename_node(&mut self, idx: usize, new_id: NodeId) {
        let old = self.nodes[idx].id;
        self.nodes[idx].id = new_id;
        self.reindex();
        for l in self.links.values_mut() {
            if l.node == Some(old) {
                l.node = Some(new_id);
            }
        }
    }
}
