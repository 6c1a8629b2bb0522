//! Splitting a typed line into arguments.
//!
//! Two dialects: [`split_args`] is redis-cli's (`sdssplitargs`), used for lines typed at a
//! `127.0.0.1:7000>` prompt; [`split_shell`] is the small subset of POSIX shell quoting used
//! for `$` lines.

/// redis-cli could not split the line; it prints `Invalid argument(s)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidArguments;

impl std::fmt::Display for InvalidArguments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Invalid argument(s)")
    }
}

impl std::error::Error for InvalidArguments {}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// C's `isspace` in the "C" locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// Splits a line the way redis-cli does (`sdssplitargs`).
///
/// * Arguments are separated by blanks.
/// * `"..."` understands `\n \r \t \b \a`, `\xHH` and a backslash before any other character
///   (which stands for that character); `\x` without two hex digits is just `x`.
/// * `'...'` is literal except for `\'`.
/// * A closing quote must be followed by a blank or the end of the line, and an unclosed
///   quote is an error: both give `Invalid argument(s)`.
/// * A quote may open in the middle of a word: `a"b c"` is the one argument `ab c`.
#[doc(alias = "sdssplitargs")]
pub fn split_args(line: &[u8]) -> Result<Vec<Vec<u8>>, InvalidArguments> {
    // redis-cli works on a C string: a NUL byte ends the line.
    let line = line.split(|&b| b == 0).next().unwrap_or_default();
    let at = |i: usize| line.get(i).copied().unwrap_or(0);
    let mut args = Vec::new();
    let mut p = 0;
    loop {
        while p < line.len() && is_c_space(line[p]) {
            p += 1;
        }
        if p >= line.len() {
            return Ok(args);
        }
        let (mut in_dq, mut in_sq, mut done) = (false, false, false);
        let mut current = Vec::new();
        while !done {
            let c = at(p);
            if in_dq {
                if c == b'\\' && at(p + 1) == b'x' {
                    match (hex_value(at(p + 2)), hex_value(at(p + 3))) {
                        (Some(hi), Some(lo)) => {
                            current.push(hi * 16 + lo);
                            p += 3;
                        }
                        _ => {
                            current.push(b'x');
                            p += 1;
                        }
                    }
                } else if c == b'\\' && p + 1 < line.len() {
                    p += 1;
                    current.push(match line[p] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                } else if c == b'"' {
                    if p + 1 < line.len() && !is_c_space(line[p + 1]) {
                        return Err(InvalidArguments);
                    }
                    done = true;
                } else if p >= line.len() {
                    return Err(InvalidArguments);
                } else {
                    current.push(c);
                }
            } else if in_sq {
                if c == b'\\' && at(p + 1) == b'\'' {
                    p += 1;
                    current.push(b'\'');
                } else if c == b'\'' {
                    if p + 1 < line.len() && !is_c_space(line[p + 1]) {
                        return Err(InvalidArguments);
                    }
                    done = true;
                } else if p >= line.len() {
                    return Err(InvalidArguments);
                } else {
                    current.push(c);
                }
            } else if p >= line.len() {
                done = true;
            } else {
                match c {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => done = true,
                    b'"' => in_dq = true,
                    b'\'' => in_sq = true,
                    _ => current.push(c),
                }
            }
            if p < line.len() {
                p += 1;
            }
        }
        args.push(current);
    }
}

/// The shell could not split a `$` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellSyntaxError(pub String);

impl std::fmt::Display for ShellSyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ShellSyntaxError {}

/// Splits a `$` line like a POSIX shell does for simple commands: blanks separate words,
/// `'...'` is literal, `"..."` keeps `\"`, `\\`, `` \` `` and `\$` escapes, and a backslash
/// outside quotes escapes the next character. Pipes, redirections and variables are not
/// supported and are taken literally.
pub fn split_shell(line: &str) -> Result<Vec<String>, ShellSyntaxError> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut has_word = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                if has_word {
                    words.push(std::mem::take(&mut current));
                    has_word = false;
                }
            }
            '\'' => {
                has_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(ch) => current.push(ch),
                        None => {
                            return Err(ShellSyntaxError(
                                "sh: unexpected EOF while looking for matching `''".into(),
                            ));
                        }
                    }
                }
            }
            '"' => {
                has_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.peek() {
                            Some(&n @ ('"' | '\\' | '$' | '`')) => {
                                current.push(n);
                                chars.next();
                            }
                            _ => current.push('\\'),
                        },
                        Some(ch) => current.push(ch),
                        None => {
                            return Err(ShellSyntaxError(
                                "sh: unexpected EOF while looking for matching `\"'".into(),
                            ));
                        }
                    }
                }
            }
            '\\' => {
                has_word = true;
                if let Some(n) = chars.next() {
                    current.push(n);
                }
            }
            _ => {
                has_word = true;
                current.push(c);
            }
        }
    }
    if has_word {
        words.push(current);
    }
    Ok(words)
}
