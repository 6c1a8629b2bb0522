//! Data commands on one keyspace, as Redis 7.0 runs them (`t_string.c`, `t_hash.c`, `db.c`,
//! `expire.c`): the reply, and the command a master propagates to its replicas. Replicas run
//! the propagated form through the same code, so master and replica never disagree on
//! semantics. Arity is checked before this (by the command table).

use std::collections::BTreeMap;

use cluster_proto::SimTime;

use crate::keyspace::{Keyspace, Value};

/// What a data command answers (the console turns it into redis-cli's text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataReply {
    /// `+OK` and other statuses.
    Status(String),
    /// `-ERR ...` (the whole error line).
    Error(String),
    /// An integer.
    Int(i64),
    /// A bulk string.
    Bulk(Vec<u8>),
    /// The null bulk string.
    Nil,
    /// An array.
    Array(Vec<DataReply>),
}

/// The outcome of a data command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// What the client gets.
    pub reply: DataReply,
    /// What goes to the replicas (and the AOF), if the command changed anything.
    pub propagate: Option<Vec<Vec<u8>>>,
}

const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
const NOT_INT: &str = "ERR value is not an integer or out of range";
const SYNTAX: &str = "ERR syntax error";

fn ok() -> DataReply {
    DataReply::Status("OK".into())
}

fn err(e: &str) -> Applied {
    read(DataReply::Error(e.to_string()))
}

fn read(reply: DataReply) -> Applied {
    Applied {
        reply,
        propagate: None,
    }
}

fn wrote(reply: DataReply, argv: Vec<Vec<u8>>) -> Applied {
    Applied {
        reply,
        propagate: Some(argv),
    }
}

/// Redis's `string2ll`: an optional `-`, then digits without leading zeros, no blanks.
pub fn string2ll(bytes: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(bytes).ok()?;
    let digits = text.strip_prefix('-').unwrap_or(text);
    let canonical = (digits == "0" && !text.starts_with('-'))
        || digits
            .bytes()
            .next()
            .is_some_and(|b| (b'1'..=b'9').contains(&b));
    if !canonical || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn is(arg: &[u8], word: &str) -> bool {
    arg.eq_ignore_ascii_case(word.as_bytes())
}

fn ms(t: SimTime) -> Vec<u8> {
    t.as_unix_millis().to_string().into_bytes()
}

/// Whether the command name is a data command this module runs.
pub fn is_data_command(name: &[u8]) -> bool {
    const NAMES: &[&str] = &[
        "get",
        "set",
        "getdel",
        "del",
        "unlink",
        "exists",
        "incr",
        "incrby",
        "decr",
        "decrby",
        "append",
        "strlen",
        "mget",
        "mset",
        "keys",
        "dbsize",
        "flushall",
        "flushdb",
        "type",
        "expire",
        "pexpire",
        "pexpireat",
        "expireat",
        "ttl",
        "pttl",
        "persist",
        "setex",
        "psetex",
        "hset",
        "hget",
        "hgetall",
        "hdel",
        "select",
    ];
    NAMES.iter().any(|n| is(name, n))
}

/// Runs one data command on `db` at `now`.
pub fn execute(db: &mut Keyspace, argv: &[Vec<u8>], now: SimTime) -> Applied {
    let Some(name) = argv.first() else {
        return err(SYNTAX);
    };
    let name = String::from_utf8_lossy(name).to_ascii_lowercase();
    let a = &argv[1..];
    match name.as_str() {
        "get" => match db.get(&a[0], now) {
            None => read(DataReply::Nil),
            Some(Value::Str(v)) => read(DataReply::Bulk(v.clone())),
            Some(_) => err(WRONGTYPE),
        },
        "set" => set(db, argv, now),
        "setex" | "psetex" => set_ex(db, argv, &name, now),
        "getdel" => match db.get(&a[0], now) {
            None => read(DataReply::Nil),
            Some(Value::Str(v)) => {
                let v = v.clone();
                db.remove(&a[0], now);
                wrote(DataReply::Bulk(v), vec![b"DEL".to_vec(), a[0].clone()])
            }
            Some(_) => err(WRONGTYPE),
        },
        "del" | "unlink" => {
            let n = a.iter().filter(|k| db.remove(k, now)).count();
            if n == 0 {
                read(DataReply::Int(0))
            } else {
                wrote(DataReply::Int(n as i64), argv.to_vec())
            }
        }
        "exists" => read(DataReply::Int(
            a.iter().filter(|k| db.get(k, now).is_some()).count() as i64,
        )),
        "incr" => incr_by(db, argv, &a[0], 1, now),
        "decr" => incr_by(db, argv, &a[0], -1, now),
        "incrby" | "decrby" => match string2ll(&a[1]) {
            None => err(NOT_INT),
            Some(by) if name == "decrby" => match by.checked_neg() {
                Some(by) => incr_by(db, argv, &a[0], by, now),
                None => err("ERR decrement would overflow"),
            },
            Some(by) => incr_by(db, argv, &a[0], by, now),
        },
        "append" => {
            let mut value = match db.get(&a[0], now) {
                None => Vec::new(),
                Some(Value::Str(v)) => v.clone(),
                Some(_) => return err(WRONGTYPE),
            };
            value.extend_from_slice(&a[1]);
            let len = value.len() as i64;
            db.set(a[0].clone(), Value::Str(value), true, now);
            wrote(DataReply::Int(len), argv.to_vec())
        }
        "strlen" => match db.get(&a[0], now) {
            None => read(DataReply::Int(0)),
            Some(Value::Str(v)) => read(DataReply::Int(v.len() as i64)),
            Some(_) => err(WRONGTYPE),
        },
        "mget" => read(DataReply::Array(
            a.iter()
                .map(|k| match db.get(k, now) {
                    Some(Value::Str(v)) => DataReply::Bulk(v.clone()),
                    _ => DataReply::Nil,
                })
                .collect(),
        )),
        "mset" => {
            if !a.len().is_multiple_of(2) {
                return err("ERR wrong number of arguments for 'mset' command");
            }
            for pair in a.chunks(2) {
                db.set(pair[0].clone(), Value::Str(pair[1].clone()), false, now);
            }
            wrote(ok(), argv.to_vec())
        }
        "keys" => read(DataReply::Array(
            db.keys(now)
                .filter(|k| glob_match(&a[0], k))
                .map(|k| DataReply::Bulk(k.clone()))
                .collect(),
        )),
        "dbsize" => read(DataReply::Int(db.dbsize() as i64)),
        "flushall" | "flushdb" => {
            if a.len() > 1 || a.first().is_some_and(|m| !is(m, "async") && !is(m, "sync")) {
                return err(SYNTAX);
            }
            db.clear();
            wrote(ok(), argv.to_vec())
        }
        "type" => read(DataReply::Status(
            db.get(&a[0], now)
                .map_or("none", Value::type_name)
                .to_string(),
        )),
        "expire" | "pexpire" | "expireat" | "pexpireat" => expire(db, &name, a, now),
        "ttl" | "pttl" => read(DataReply::Int(match db.get(&a[0], now) {
            None => -2,
            Some(_) => match db.expiry(&a[0], now) {
                None => -1,
                Some(at) => {
                    let left = at.as_unix_millis().saturating_sub(now.as_unix_millis()) as i64;
                    if name == "ttl" {
                        (left + 500) / 1000
                    } else {
                        left
                    }
                }
            },
        })),
        "persist" => {
            if db.persist(&a[0], now) {
                wrote(DataReply::Int(1), argv.to_vec())
            } else {
                read(DataReply::Int(0))
            }
        }
        "hset" => {
            if a.len() < 3 || a.len().is_multiple_of(2) {
                return err("ERR wrong number of arguments for 'hset' command");
            }
            let mut hash = match db.get(&a[0], now) {
                None => BTreeMap::new(),
                Some(Value::Hash(h)) => h.clone(),
                Some(_) => return err(WRONGTYPE),
            };
            let added = a[1..]
                .chunks(2)
                .filter(|p| hash.insert(p[0].clone(), p[1].clone()).is_none())
                .count();
            db.set(a[0].clone(), Value::Hash(hash), true, now);
            wrote(DataReply::Int(added as i64), argv.to_vec())
        }
        "hget" => match db.get(&a[0], now) {
            None => read(DataReply::Nil),
            Some(Value::Hash(h)) => read(
                h.get(&a[1])
                    .map_or(DataReply::Nil, |v| DataReply::Bulk(v.clone())),
            ),
            Some(_) => err(WRONGTYPE),
        },
        "hgetall" => match db.get(&a[0], now) {
            None => read(DataReply::Array(Vec::new())),
            Some(Value::Hash(h)) => read(DataReply::Array(
                h.iter()
                    .flat_map(|(f, v)| [DataReply::Bulk(f.clone()), DataReply::Bulk(v.clone())])
                    .collect(),
            )),
            Some(_) => err(WRONGTYPE),
        },
        "hdel" => {
            let mut hash = match db.get(&a[0], now) {
                None => return read(DataReply::Int(0)),
                Some(Value::Hash(h)) => h.clone(),
                Some(_) => return err(WRONGTYPE),
            };
            let removed = a[1..].iter().filter(|f| hash.remove(*f).is_some()).count();
            if removed == 0 {
                return read(DataReply::Int(0));
            }
            if hash.is_empty() {
                db.remove(&a[0], now);
            } else {
                db.set(a[0].clone(), Value::Hash(hash), true, now);
            }
            wrote(DataReply::Int(removed as i64), argv.to_vec())
        }
        "scan" => scan(db, a, now),
        // Only ever seen in a replication stream (cluster mode has database 0 only; a
        // transaction arrives whole, so its markers change nothing here).
        "select" | "multi" | "exec" => read(ok()),
        _ => err(&format!("ERR unknown command '{name}'")),
    }
}

/// `SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]`. The cursor here is a position in
/// key order (Redis walks hash-table buckets, so its cursors and batches differ), with the same
/// guarantees: a full iteration returns every key that existed throughout, and ends at 0.
fn scan(db: &Keyspace, a: &[Vec<u8>], now: SimTime) -> Applied {
    let cursor = match std::str::from_utf8(&a[0])
        .ok()
        .and_then(|c| c.parse::<u64>().ok())
    {
        Some(c) => c as usize,
        None => return err("ERR invalid cursor"),
    };
    let (mut pattern, mut count, mut kind): (Option<&[u8]>, usize, Option<String>) =
        (None, 10, None);
    let mut i = 1;
    while i < a.len() {
        let value = a.get(i + 1);
        match (
            String::from_utf8_lossy(&a[i]).to_ascii_lowercase().as_str(),
            value,
        ) {
            ("match", Some(p)) => pattern = Some(p),
            ("count", Some(c)) => match string2ll(c) {
                Some(n) if n >= 1 => count = n as usize,
                Some(_) => return err(SYNTAX),
                None => return err(NOT_INT),
            },
            ("type", Some(t)) => kind = Some(String::from_utf8_lossy(t).to_ascii_lowercase()),
            _ => return err(SYNTAX),
        }
        i += 2;
    }
    let keys: Vec<&Vec<u8>> = db.keys(now).collect();
    let end = cursor.saturating_add(count).min(keys.len());
    let batch = keys.get(cursor.min(keys.len())..end).unwrap_or_default();
    let next = if end >= keys.len() { 0 } else { end };
    let found = batch
        .iter()
        .filter(|k| pattern.is_none_or(|p| glob_match(p, k)))
        .filter(|k| {
            kind.as_deref()
                .is_none_or(|t| db.get(k, now).is_some_and(|v| v.type_name() == t))
        })
        .map(|k| DataReply::Bulk((*k).clone()))
        .collect();
    read(DataReply::Array(vec![
        DataReply::Bulk(next.to_string().into_bytes()),
        DataReply::Array(found),
    ]))
}

fn incr_by(db: &mut Keyspace, argv: &[Vec<u8>], key: &[u8], by: i64, now: SimTime) -> Applied {
    let current = match db.get(key, now) {
        None => 0,
        Some(Value::Str(v)) => match string2ll(v) {
            Some(n) => n,
            None => return err(NOT_INT),
        },
        Some(_) => return err(WRONGTYPE),
    };
    let Some(next) = current.checked_add(by) else {
        return err("ERR increment or decrement would overflow");
    };
    db.set(
        key.to_vec(),
        Value::Str(next.to_string().into_bytes()),
        true,
        now,
    );
    wrote(DataReply::Int(next), argv.to_vec())
}

/// `SETEX key seconds value` / `PSETEX key milliseconds value`: SET with EX/PX, with their own
/// error text (propagated, like SET, as `SET key value PXAT <ms>`).
fn set_ex(db: &mut Keyspace, argv: &[Vec<u8>], name: &str, now: SimTime) -> Applied {
    let Some(n) = string2ll(&argv[2]) else {
        return err(NOT_INT);
    };
    let unit_ms: i64 = if name == "setex" { 1000 } else { 1 };
    let valid = n > 0
        && n.checked_mul(unit_ms)
            .and_then(|ms| ms.checked_add(now.as_unix_millis() as i64))
            .is_some();
    if !valid {
        return err(&format!("ERR invalid expire time in '{name}' command"));
    }
    let unit: &[u8] = if name == "setex" { b"EX" } else { b"PX" };
    let as_set = [
        b"SET".to_vec(),
        argv[1].clone(),
        argv[3].clone(),
        unit.to_vec(),
        argv[2].clone(),
    ];
    set(db, &as_set, now)
}

/// `SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]`; propagated with an
/// absolute `PXAT` expiry, as Redis 7.0 does.
fn set(db: &mut Keyspace, argv: &[Vec<u8>], now: SimTime) -> Applied {
    let (key, value) = (&argv[1], &argv[2]);
    let (mut nx, mut xx, mut get, mut keep_ttl) = (false, false, false, false);
    let mut expire: Option<(&str, &[u8])> = None;
    let mut i = 3;
    while i < argv.len() {
        let opt = &argv[i];
        let next = argv.get(i + 1);
        if is(opt, "nx") && !xx {
            nx = true;
        } else if is(opt, "xx") && !nx {
            xx = true;
        } else if is(opt, "get") {
            get = true;
        } else if is(opt, "keepttl") && expire.is_none() {
            keep_ttl = true;
        } else if let (Some(unit), Some(arg)) = (
            ["ex", "px", "exat", "pxat"]
                .into_iter()
                .find(|u| is(opt, u)),
            next,
        ) && expire.is_none_or(|(u, _)| u == unit)
            && !keep_ttl
        {
            expire = Some((unit, arg));
            i += 1;
        } else {
            return err(SYNTAX);
        }
        i += 1;
    }
    let at = match expire {
        None => None,
        Some((unit, arg)) => {
            let Some(n) = string2ll(arg) else {
                return err(NOT_INT);
            };
            let invalid = || err("ERR invalid expire time in 'set' command");
            if n <= 0 {
                return invalid();
            }
            let abs = match unit {
                "ex" => n
                    .checked_mul(1000)
                    .and_then(|m| m.checked_add(now.as_unix_millis() as i64)),
                "px" => n.checked_add(now.as_unix_millis() as i64),
                "exat" => n.checked_mul(1000),
                _ => Some(n),
            };
            match abs {
                Some(ms) => Some(SimTime::from_unix_millis(ms as u64)),
                None => return invalid(),
            }
        }
    };
    let old = match db.get(key, now) {
        None => None,
        Some(Value::Str(v)) => Some(v.clone()),
        Some(_) if get => return err(WRONGTYPE),
        Some(_) => Some(Vec::new()),
    };
    let old_reply = || old.clone().map_or(DataReply::Nil, DataReply::Bulk);
    if (nx && old.is_some()) || (xx && old.is_none()) {
        return read(if get { old_reply() } else { DataReply::Nil });
    }
    db.set(key.clone(), Value::Str(value.clone()), keep_ttl, now);
    let mut propagated = vec![b"SET".to_vec(), key.clone(), value.clone()];
    if let Some(at) = at {
        db.expire_at(key, at, now);
        propagated.extend([b"PXAT".to_vec(), ms(at)]);
    } else if keep_ttl {
        propagated.push(b"KEEPTTL".to_vec());
    }
    wrote(if get { old_reply() } else { ok() }, propagated)
}

/// `EXPIRE key seconds [NX|XX|GT|LT]` and friends; propagated as `PEXPIREAT`, or `DEL` when
/// the time is already past.
fn expire(db: &mut Keyspace, name: &str, a: &[Vec<u8>], now: SimTime) -> Applied {
    // Redis reads the options before the number, and echoes a bad one as typed.
    let (mut nx, mut xx, mut gt, mut lt) = (false, false, false, false);
    for opt in &a[2..] {
        match String::from_utf8_lossy(opt).to_ascii_lowercase().as_str() {
            "nx" => nx = true,
            "xx" => xx = true,
            "gt" => gt = true,
            "lt" => lt = true,
            _ => {
                return err(&format!(
                    "ERR Unsupported option {}",
                    String::from_utf8_lossy(opt)
                ));
            }
        }
    }
    if nx && (xx || gt || lt) {
        return err("ERR NX and XX, GT or LT options at the same time are not compatible");
    }
    if gt && lt {
        return err("ERR GT and LT options at the same time are not compatible");
    }
    let Some(n) = string2ll(&a[1]) else {
        return err(NOT_INT);
    };
    let base = now.as_unix_millis() as i64;
    let abs = match name {
        "expire" => n.checked_mul(1000).and_then(|m| m.checked_add(base)),
        "pexpire" => n.checked_add(base),
        "expireat" => n.checked_mul(1000),
        _ => Some(n),
    };
    let Some(abs) = abs else {
        return err(&format!("ERR invalid expire time in '{name}' command"));
    };
    if db.get(&a[0], now).is_none() {
        return read(DataReply::Int(0));
    }
    let current = db.expiry(&a[0], now).map(|t| t.as_unix_millis() as i64);
    let refused = (nx && current.is_some())
        || (xx && current.is_none())
        || (gt && current.is_none_or(|c| abs <= c))
        || (lt && current.is_some_and(|c| abs >= c));
    if refused {
        return read(DataReply::Int(0));
    }
    if abs <= base {
        db.remove(&a[0], now);
        return wrote(DataReply::Int(1), vec![b"DEL".to_vec(), a[0].clone()]);
    }
    let at = SimTime::from_unix_millis(abs as u64);
    db.expire_at(&a[0], at, now);
    wrote(
        DataReply::Int(1),
        vec![b"PEXPIREAT".to_vec(), a[0].clone(), ms(at)],
    )
}

/// One pattern element that is not `*`: it matches exactly one byte.
enum GlobOne<'p> {
    Any,
    Byte(u8),
    /// `[...]`: the class body (between `[`/`[^` and `]`) and whether it is negated.
    Class(&'p [u8], bool),
}

impl GlobOne<'_> {
    fn matches(&self, c: u8) -> bool {
        match *self {
            GlobOne::Any => true,
            GlobOne::Byte(b) => b == c,
            GlobOne::Class(body, negate) => {
                let mut matched = false;
                let mut i = 0;
                while i < body.len() {
                    if body[i] == b'\\' && i + 1 < body.len() {
                        matched |= body[i + 1] == c;
                        i += 2;
                    } else if i + 2 < body.len() && body[i + 1] == b'-' {
                        let (lo, hi) = (body[i].min(body[i + 2]), body[i].max(body[i + 2]));
                        matched |= (lo..=hi).contains(&c);
                        i += 3;
                    } else {
                        matched |= body[i] == c;
                        i += 1;
                    }
                }
                matched != negate
            }
        }
    }
}

/// Splits a pattern into `*` (`None`) and single-byte elements.
fn glob_tokens(p: &[u8]) -> Vec<Option<GlobOne<'_>>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            b'*' => {
                // Consecutive stars are one star.
                if !matches!(out.last(), Some(None)) {
                    out.push(None);
                }
                i += 1;
            }
            b'?' => {
                out.push(Some(GlobOne::Any));
                i += 1;
            }
            b'[' => {
                let negate = p.get(i + 1) == Some(&b'^');
                let start = i + 1 + usize::from(negate);
                let mut j = start;
                while j < p.len() && p[j] != b']' {
                    j += if p[j] == b'\\' && j + 1 < p.len() {
                        2
                    } else {
                        1
                    };
                }
                // An unclosed class runs to the end of the pattern, as in Redis.
                out.push(Some(GlobOne::Class(&p[start..j.min(p.len())], negate)));
                i = j + 1;
            }
            b'\\' if i + 1 < p.len() => {
                out.push(Some(GlobOne::Byte(p[i + 1])));
                i += 2;
            }
            c => {
                out.push(Some(GlobOne::Byte(c)));
                i += 1;
            }
        }
    }
    out
}

/// Redis's `stringmatchlen`: `*`, `?`, `[...]` (with `^` and ranges) and `\` escapes. Every
/// element but `*` matches one byte, so backtracking to the last `*` is enough: time is at
/// most pattern × text, never exponential, whatever a user types.
pub fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    let tokens = glob_tokens(pattern);
    let (mut pi, mut ti) = (0, 0);
    // The last `*` seen, and the text position its current match ends at.
    let mut star: Option<(usize, usize)> = None;
    while ti < text.len() {
        match tokens.get(pi) {
            Some(None) => {
                star = Some((pi, ti));
                pi += 1;
                continue;
            }
            Some(Some(one)) if one.matches(text[ti]) => {
                pi += 1;
                ti += 1;
                continue;
            }
            _ => {}
        }
        match star {
            // Let the last `*` take one more byte and try again from there.
            Some((sp, st)) => {
                star = Some((sp, st + 1));
                pi = sp + 1;
                ti = st + 1;
            }
            None => return false,
        }
    }
    tokens[pi..].iter().all(Option::is_none)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(args: &[&str]) -> Vec<Vec<u8>> {
        args.iter().map(|a| a.as_bytes().to_vec()).collect()
    }

    #[test]
    fn strings_follow_redis() {
        let t = SimTime::DEFAULT_START;
        let mut db = Keyspace::default();
        let run = |db: &mut Keyspace, a: &[&str]| execute(db, &v(a), t);
        assert_eq!(run(&mut db, &["SET", "a", "1"]).reply, ok());
        assert_eq!(run(&mut db, &["SET", "a", "2", "NX"]).reply, DataReply::Nil);
        assert_eq!(
            run(&mut db, &["SET", "a", "3", "XX", "GET"]).reply,
            DataReply::Bulk(b"1".to_vec())
        );
        assert_eq!(
            run(&mut db, &["SET", "a", "3", "NX", "XX"]).reply,
            DataReply::Error(SYNTAX.into())
        );
        assert_eq!(
            run(&mut db, &["SET", "a", "3", "EX", "0"]).reply,
            DataReply::Error("ERR invalid expire time in 'set' command".into())
        );
        let ex = run(&mut db, &["SET", "b", "x", "EX", "10"]);
        assert_eq!(
            ex.propagate,
            Some(v(&["SET", "b", "x", "PXAT", "1579044883000"]))
        );
        assert_eq!(run(&mut db, &["TTL", "b"]).reply, DataReply::Int(10));
        assert_eq!(run(&mut db, &["INCR", "a"]).reply, DataReply::Int(4));
        assert_eq!(
            run(&mut db, &["INCR", "b"]).reply,
            DataReply::Error(NOT_INT.into())
        );
        assert_eq!(
            run(&mut db, &["DECRBY", "a", "10"]).reply,
            DataReply::Int(-6)
        );
        assert_eq!(run(&mut db, &["APPEND", "a", "0"]).reply, DataReply::Int(3));
        assert_eq!(
            run(&mut db, &["HSET", "h", "f", "1"]).reply,
            DataReply::Int(1)
        );
        assert_eq!(
            run(&mut db, &["GET", "h"]).reply,
            DataReply::Error(WRONGTYPE.into())
        );
        assert_eq!(
            run(&mut db, &["TYPE", "h"]).reply,
            DataReply::Status("hash".into())
        );
        assert_eq!(
            run(&mut db, &["DEL", "a", "h", "zz"]).reply,
            DataReply::Int(2)
        );
        assert_eq!(
            run(&mut db, &["EXISTS", "a", "b", "b"]).reply,
            DataReply::Int(2)
        );
        assert_eq!(
            run(&mut db, &["DEL", "zz"]).propagate,
            None,
            "nothing deleted, nothing sent"
        );
        assert_eq!(
            run(&mut db, &["KEYS", "*"]).reply,
            DataReply::Array(vec![DataReply::Bulk(b"b".to_vec())])
        );
    }

    #[test]
    fn a_replica_running_the_propagated_commands_ends_with_the_same_data() {
        let t = SimTime::DEFAULT_START;
        let mut master = Keyspace::default();
        let mut replica = Keyspace::default();
        let script: &[&[&str]] = &[
            &["SET", "a", "1", "EX", "100"],
            &["INCR", "a"],
            &["MSET", "x", "1", "y", "2"],
            &["HSET", "h", "f", "v", "g", "w"],
            &["HDEL", "h", "f"],
            &["EXPIRE", "x", "50"],
            &["EXPIRE", "y", "-1"],
            &["GETDEL", "a"],
            &["SET", "k", "v", "KEEPTTL"],
        ];
        for cmd in script {
            let applied = execute(&mut master, &v(cmd), t);
            if let Some(p) = applied.propagate {
                execute(&mut replica, &p, t);
            }
        }
        assert_eq!(master, replica);
        assert_eq!(master.len(t), 3);
    }

    #[test]
    fn scan_walks_every_key_once_and_ends_at_zero() {
        let t = SimTime::DEFAULT_START;
        let mut db = Keyspace::default();
        for i in 0..25 {
            execute(&mut db, &v(&["SET", &format!("k{i}"), "x"]), t);
        }
        execute(&mut db, &v(&["HSET", "h", "f", "v"]), t);
        let mut cursor = "0".to_string();
        let mut seen = Vec::new();
        loop {
            let r = execute(&mut db, &v(&["SCAN", &cursor, "COUNT", "7"]), t).reply;
            let DataReply::Array(parts) = r else {
                panic!("an array")
            };
            let (DataReply::Bulk(next), DataReply::Array(keys)) = (&parts[0], &parts[1]) else {
                panic!("cursor and keys")
            };
            seen.extend(keys.iter().cloned());
            cursor = String::from_utf8_lossy(next).into_owned();
            if cursor == "0" {
                break;
            }
        }
        assert_eq!(seen.len(), 26);
        let hashes = execute(
            &mut db,
            &v(&["SCAN", "0", "COUNT", "100", "TYPE", "hash"]),
            t,
        )
        .reply;
        assert_eq!(
            hashes,
            DataReply::Array(vec![
                DataReply::Bulk(b"0".to_vec()),
                DataReply::Array(vec![DataReply::Bulk(b"h".to_vec())])
            ])
        );
        assert_eq!(
            execute(&mut db, &v(&["SCAN", "x"]), t).reply,
            DataReply::Error("ERR invalid cursor".into())
        );
        assert_eq!(
            execute(&mut db, &v(&["SCAN", "0", "COUNT", "0"]), t).reply,
            DataReply::Error(SYNTAX.into())
        );
    }

    /// The straightforward recursive matcher (exponential on some patterns), as a reference.
    fn reference_glob(pattern: &[u8], text: &[u8]) -> bool {
        fn go(p: &[u8], t: &[u8]) -> bool {
            match p.first() {
                None => t.is_empty(),
                Some(b'*') => {
                    let rest = &p[1..];
                    (0..=t.len()).any(|i| go(rest, &t[i..]))
                }
                Some(b'?') => !t.is_empty() && go(&p[1..], &t[1..]),
                Some(b'[') => {
                    let Some(&c) = t.first() else {
                        return false;
                    };
                    let mut i = 1;
                    let negate = p.get(1) == Some(&b'^');
                    if negate {
                        i += 1;
                    }
                    let mut matched = false;
                    while i < p.len() && p[i] != b']' {
                        if p[i] == b'\\' && i + 1 < p.len() {
                            matched |= p[i + 1] == c;
                            i += 2;
                        } else if i + 2 < p.len() && p[i + 1] == b'-' && p[i + 2] != b']' {
                            let (lo, hi) = (p[i].min(p[i + 2]), p[i].max(p[i + 2]));
                            matched |= (lo..=hi).contains(&c);
                            i += 3;
                        } else {
                            matched |= p[i] == c;
                            i += 1;
                        }
                    }
                    // An unclosed class matches up to the end of the pattern, as Redis does.
                    let after = (i + 1).min(p.len());
                    matched != negate && go(&p[after..], &t[1..])
                }
                Some(b'\\') if p.len() > 1 => t.first() == Some(&p[1]) && go(&p[2..], &t[1..]),
                Some(&c) => t.first() == Some(&c) && go(&p[1..], &t[1..]),
            }
        }
        go(pattern, text)
    }

    #[test]
    fn the_linear_glob_agrees_with_the_recursive_one() {
        // A small alphabet with every special byte, all patterns and texts up to a few bytes,
        // drawn by a fixed linear congruential sequence (deterministic, no extra crate).
        let alphabet = b"ab*?[]^-\\";
        let mut x: u64 = 12345;
        let mut next = |n: usize| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) as usize % n
        };
        for _ in 0..20_000 {
            let p: Vec<u8> = (0..next(7))
                .map(|_| alphabet[next(alphabet.len())])
                .collect();
            let t: Vec<u8> = (0..next(6)).map(|_| alphabet[next(4)]).collect();
            assert_eq!(
                glob_match(&p, &t),
                reference_glob(&p, &t),
                "{:?} {:?}",
                String::from_utf8_lossy(&p),
                String::from_utf8_lossy(&t)
            );
        }
    }

    #[test]
    fn glob_patterns_match_like_redis() {
        for (p, t, yes) in [
            ("*", "anything", true),
            ("h?llo", "hello", true),
            ("h[ae]llo", "hallo", true),
            ("h[^e]llo", "hello", false),
            ("h[a-b]llo", "hbllo", true),
            ("{user1}*", "{user1}.a", true),
            ("\\*", "*", true),
            ("a*b", "acb", true),
            ("a*b", "acd", false),
            ("a**b*c", "axbyc", true),
            ("*a", "ba", true),
            ("*a", "ab", false),
            ("a*", "", false),
            ("", "", true),
            ("*", "", true),
            ("[abc", "b", true),
            ("[a-", "a", true),
            ("x\\", "x\\", true),
            ("[\\]]", "]", true),
            (
                "*b*b*b*b*b*b*b*b*b*b*b*b*b*b*b*c",
                "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
                false,
            ),
        ] {
            assert_eq!(glob_match(p.as_bytes(), t.as_bytes()), yes, "{p} {t}");
        }
    }
}
