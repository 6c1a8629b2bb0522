//! A node's keyspace: database 0 with strings and hashes, and key expiry on the virtual clock.
//!
//! Ordered maps keep every listing (KEYS, SCAN, HGETALL) deterministic; Redis's own order is a
//! hash order, so tests that compare with a real server sort those replies.

use std::collections::BTreeMap;

use cluster_proto::{SimTime, Slot, key_hash_slot};

/// A value stored under a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A string (bytes).
    Str(Vec<u8>),
    /// A hash of fields to values.
    Hash(BTreeMap<Vec<u8>, Vec<u8>>),
}

impl Value {
    /// `TYPE`'s name for it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
            Value::Hash(_) => "hash",
        }
    }
}

/// Database 0 of one server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keyspace {
    values: BTreeMap<Vec<u8>, Value>,
    /// Absolute expiry times of keys that have one.
    expires: BTreeMap<Vec<u8>, SimTime>,
}

impl Keyspace {
    /// Whether `key` exists and has not expired at `now`.
    fn live(&self, key: &[u8], now: SimTime) -> bool {
        self.values.contains_key(key) && self.expires.get(key).is_none_or(|&at| at > now)
    }

    /// The value of `key` at `now` (an expired key reads as missing).
    pub fn get(&self, key: &[u8], now: SimTime) -> Option<&Value> {
        if self.live(key, now) {
            self.values.get(key)
        } else {
            None
        }
    }

    /// The value of `key` for changing it in place (an expired key reads as missing).
    pub fn get_mut(&mut self, key: &[u8], now: SimTime) -> Option<&mut Value> {
        if self.live(key, now) {
            self.values.get_mut(key)
        } else {
            None
        }
    }

    /// Stores `value` under `key` at `now`, dropping any expiry unless `keep_ttl` (an expired
    /// key is gone: its old expiry never carries over to the new value).
    pub fn set(&mut self, key: Vec<u8>, value: Value, keep_ttl: bool, now: SimTime) {
        if !keep_ttl || !self.live(&key, now) {
            self.expires.remove(&key);
        }
        self.values.insert(key, value);
    }

    /// Removes `key`; returns whether it existed (and had not expired) at `now`.
    pub fn remove(&mut self, key: &[u8], now: SimTime) -> bool {
        let existed = self.live(key, now);
        self.values.remove(key);
        self.expires.remove(key);
        existed
    }

    /// Sets the absolute expiry of an existing key; returns whether it exists.
    pub fn expire_at(&mut self, key: &[u8], at: SimTime, now: SimTime) -> bool {
        if !self.live(key, now) {
            return false;
        }
        self.expires.insert(key.to_vec(), at);
        true
    }

    /// Removes the expiry of `key`; returns whether it had one.
    pub fn persist(&mut self, key: &[u8], now: SimTime) -> bool {
        self.live(key, now) && self.expires.remove(key).is_some()
    }

    /// When `key` expires, if it exists and has an expiry.
    pub fn expiry(&self, key: &[u8], now: SimTime) -> Option<SimTime> {
        if self.live(key, now) {
            self.expires.get(key).copied()
        } else {
            None
        }
    }

    /// Keys that exist at `now`, in byte order.
    pub fn keys(&self, now: SimTime) -> impl Iterator<Item = &Vec<u8>> {
        self.values.keys().filter(move |k| self.live(k, now))
    }

    /// How many keys exist at `now`.
    pub fn len(&self, now: SimTime) -> usize {
        self.keys(now).count()
    }

    /// Whether no key exists at `now`.
    pub fn is_empty(&self, now: SimTime) -> bool {
        self.keys(now).next().is_none()
    }

    /// `DBSIZE`: every stored key, also those that expired and were not deleted yet (a master
    /// deletes them when touched or by its active expiry; a replica waits for its master's DEL).
    pub fn dbsize(&self) -> usize {
        self.values.len()
    }

    /// Whether some key has an expiry (so the active expiry has work to watch for).
    pub fn has_expires(&self) -> bool {
        !self.expires.is_empty()
    }

    /// Whether `key` is still stored but expired at `now`.
    pub fn is_expired(&self, key: &[u8], now: SimTime) -> bool {
        self.values.contains_key(key) && self.expires.get(key).is_some_and(|&at| at <= now)
    }

    /// Keys that expired by `now` (a master deletes them and tells its replicas).
    pub fn expired(&self, now: SimTime) -> Vec<Vec<u8>> {
        self.expires
            .iter()
            .filter(|&(_, &at)| at <= now)
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// Removes every key.
    pub fn clear(&mut self) {
        self.values.clear();
        self.expires.clear();
    }

    /// Keys in `slot` that exist at `now`, in byte order.
    pub fn keys_in_slot(&self, slot: Slot, now: SimTime) -> impl Iterator<Item = &Vec<u8>> {
        self.keys(now).filter(move |k| key_hash_slot(k) == slot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expired_keys_read_as_missing_and_persist_drops_the_expiry() {
        let t0 = SimTime::DEFAULT_START;
        let mut db = Keyspace::default();
        db.set(b"a".to_vec(), Value::Str(b"1".to_vec()), false, t0);
        db.set(b"b".to_vec(), Value::Str(b"2".to_vec()), false, t0);
        assert!(db.expire_at(b"a", t0 + 1000, t0));
        assert!(!db.expire_at(b"nope", t0 + 1000, t0));
        assert_eq!(db.len(t0 + 999), 2);
        assert_eq!(db.get(b"a", t0 + 1000), None);
        assert_eq!(db.expired(t0 + 1000), vec![b"a".to_vec()]);
        assert!(db.expire_at(b"b", t0 + 5000, t0));
        assert!(db.persist(b"b", t0));
        assert_eq!(db.expiry(b"b", t0), None);
        // A new SET drops the old expiry; KEEPTTL keeps it.
        db.expire_at(b"b", t0 + 5000, t0);
        db.set(b"b".to_vec(), Value::Str(b"3".to_vec()), true, t0);
        assert_eq!(db.expiry(b"b", t0), Some(t0 + 5000));
        db.set(b"b".to_vec(), Value::Str(b"4".to_vec()), false, t0);
        // A dead key keeps nothing: not even with KEEPTTL.
        db.set(b"c".to_vec(), Value::Str(b"5".to_vec()), false, t0);
        db.expire_at(b"c", t0 + 100, t0);
        db.set(b"c".to_vec(), Value::Str(b"6".to_vec()), true, t0 + 200);
        assert_eq!(db.expiry(b"c", t0 + 200), None);
        assert!(db.get(b"c", t0 + 300).is_some());
        assert_eq!(db.expiry(b"b", t0), None);
        assert_eq!(db.keys_in_slot(key_hash_slot(b"b"), t0).count(), 1);
    }
}
