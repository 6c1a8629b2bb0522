//! Replies as the server sends them (RESP2) and as redis-cli prints them.

/// A reply value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// `+OK`: printed bare.
    Status(String),
    /// `-ERR ...`: printed `(error) ERR ...`.
    Error(String),
    /// `:12182`: printed `(integer) 12182`.
    Integer(i64),
    /// `$3 foo`: printed `"foo"` with non-printable bytes escaped.
    Bulk(Vec<u8>),
    /// `$-1`: printed `(nil)`.
    Nil,
    /// `*N`: printed as a numbered list, or `(empty array)`.
    Array(Vec<Reply>),
}

impl Reply {
    /// `+OK`.
    pub fn ok() -> Reply {
        Reply::Status("OK".into())
    }

    /// A bulk string from text.
    pub fn bulk(text: impl Into<Vec<u8>>) -> Reply {
        Reply::Bulk(text.into())
    }

    /// An error reply; `text` is the whole line after `-` (`ERR ...`, `MOVED ...`).
    pub fn error(text: impl std::fmt::Display) -> Reply {
        // Redis never lets a newline into an error line (`addReplyErrorLength` sanitizes).
        Reply::Error(text.to_string().replace(['\r', '\n'], " "))
    }

    /// Whether this is an error reply.
    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }
}

/// Appends `bytes` quoted and escaped the way `sdscatrepr` does.
#[doc(alias = "sdscatrepr")]
pub fn quote_bytes(out: &mut String, bytes: &[u8]) {
    out.push('"');
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
}

/// Formats a reply as redis-cli does on a terminal (`cliFormatReplyTTY`).
#[doc(alias = "cliFormatReplyTTY")]
pub fn format_tty(reply: &Reply) -> String {
    let mut out = String::new();
    format_tty_into(&mut out, reply, "");
    out
}

fn format_tty_into(out: &mut String, reply: &Reply, prefix: &str) {
    match reply {
        Reply::Status(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Reply::Error(e) => {
            out.push_str("(error) ");
            out.push_str(e);
            out.push('\n');
        }
        Reply::Integer(i) => out.push_str(&format!("(integer) {i}\n")),
        Reply::Bulk(b) => {
            quote_bytes(out, b);
            out.push('\n');
        }
        Reply::Nil => out.push_str("(nil)\n"),
        Reply::Array(items) if items.is_empty() => out.push_str("(empty array)\n"),
        Reply::Array(items) => {
            // Indices are right-aligned to the widest one; nested replies are indented by the
            // index width plus ") ", and the first line of a nested reply shares the parent's
            // line.
            let width = items.len().to_string().len();
            let child_prefix = format!("{prefix}{}", " ".repeat(width + 2));
            for (i, item) in items.iter().enumerate() {
                let lead = if i == 0 { "" } else { prefix };
                out.push_str(&format!("{lead}{:>width$}) ", i + 1));
                format_tty_into(out, item, &child_prefix);
            }
        }
    }
}

/// Formats a reply as redis-cli does when its output is not a terminal, or for commands it
/// prints verbatim (`cliFormatReplyRaw`): no quotes, no type tags, elements one per line.
/// Unlike [`format_tty`], no final newline is added.
#[doc(alias = "cliFormatReplyRaw")]
pub fn format_raw(reply: &Reply) -> Vec<u8> {
    let mut out = Vec::new();
    format_raw_into(&mut out, reply);
    out
}

fn format_raw_into(out: &mut Vec<u8>, reply: &Reply) {
    match reply {
        Reply::Status(s) => out.extend_from_slice(s.as_bytes()),
        Reply::Error(e) => {
            out.extend_from_slice(e.as_bytes());
            out.push(b'\n');
        }
        Reply::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Reply::Bulk(b) => out.extend_from_slice(b),
        Reply::Nil => {}
        Reply::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b'\n');
                }
                format_raw_into(out, item);
            }
        }
    }
}
