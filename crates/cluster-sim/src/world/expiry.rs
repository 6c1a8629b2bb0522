//! Key expiry as Redis 7.0 does it: a master deletes an expired key when a command touches it
//! (`expireIfNeeded`) or in its active expiry cycle, and tells its replicas with a `DEL` in the
//! replication stream; a replica never deletes on its own (it only reads the key as missing),
//! so until the DEL arrives its `DBSIZE` still counts the key.

use super::{Event, Simulator};

/// `activeExpireCycle` runs from `serverCron` at `hz 10`.
const ACTIVE_EXPIRE_PERIOD_MS: u64 = 100;

impl Simulator {
    /// Arms the active expiry cycle if some server holds a key with an expiry. Called where
    /// expiries can appear: writes, restarts, syncs.
    pub(super) fn arm_expire_cron(&mut self) {
        if self.expire_cron_armed || !self.hosts.values().any(|h| h.db.has_expires()) {
            return;
        }
        self.expire_cron_armed = true;
        let at = self.now + ACTIVE_EXPIRE_PERIOD_MS;
        self.schedule(at, Event::ExpireCron);
    }

    /// One active expiry cycle on every master that may run it. With a handful of keys Redis's
    /// sampling finds them all in one cycle, so every expired key goes.
    pub(super) fn expire_cron(&mut self) {
        self.expire_cron_armed = false;
        let now = self.now;
        let masters: Vec<u16> = self
            .hosts
            .iter()
            .filter(|(_, h)| {
                h.is_running()
                    && h.active_expire
                    && h.replica_of.is_none()
                    && h.paused_until.is_none()
                    // A master pausing writes for a manual failover pauses expiry too.
                    && !h.cluster.as_ref().is_some_and(|c| c.writes_paused(now))
                    && !h.cluster.as_ref().is_some_and(|c| c.myself().is_replica())
            })
            .map(|(&p, _)| p)
            .collect();
        for port in masters {
            let expired = self.hosts[&port].db.expired(now);
            self.delete_expired(port, &expired);
        }
        self.arm_expire_cron();
    }

    /// `expireIfNeeded` for the keys a command is about to touch on `port`: on a master each
    /// expired one is deleted and a `DEL` goes to the replicas; a replica leaves them alone.
    pub fn expire_if_needed(&mut self, port: u16, keys: &[&[u8]]) {
        let now = self.now;
        let Some(h) = self.running(port) else {
            return;
        };
        let replica =
            h.replica_of.is_some() || h.cluster.as_ref().is_some_and(|c| c.myself().is_replica());
        if replica {
            return;
        }
        let expired: Vec<Vec<u8>> = keys
            .iter()
            .filter(|k| h.db.is_expired(k, now))
            .map(|k| k.to_vec())
            .collect();
        self.delete_expired(port, &expired);
    }

    fn delete_expired(&mut self, port: u16, keys: &[Vec<u8>]) {
        let now = self.now;
        for key in keys {
            if let Some(h) = self.hosts.get_mut(&port) {
                h.db.remove(key, now);
            }
            // Not a client's write: it stays out of the ledger of acknowledged writes.
            self.propagate_internal(port, vec![b"DEL".to_vec(), key.clone()]);
        }
    }

    /// `DEBUG SET-ACTIVE-EXPIRE <0|1>` on a running server.
    pub fn set_active_expire(&mut self, port: u16, on: bool) {
        if let Some(h) = self.hosts.get_mut(&port).filter(|h| h.is_running()) {
            h.active_expire = on;
        }
        self.arm_expire_cron();
    }

    /// `CONFIG SET appendonly yes|no` on a running server (until it restarts).
    pub fn set_appendonly(&mut self, port: u16, on: bool) {
        if let Some(h) = self.hosts.get_mut(&port).filter(|h| h.is_running()) {
            h.appendonly_now = Some(on);
        }
    }

    /// `SAVE`: the dataset as it is now becomes what a restart loads (unless an AOF is read
    /// instead, which has everything anyway).
    pub fn save(&mut self, port: u16) {
        if let Some(h) = self.hosts.get_mut(&port).filter(|h| h.is_running()) {
            h.saved_db = Some(h.db.clone());
            h.saved_at = Some((h.replid.clone(), h.repl_offset));
        }
    }
}
