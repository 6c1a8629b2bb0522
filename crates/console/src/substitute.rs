//! Command substitution: `$( ... )` in a typed line is replaced by what the command prints.

use std::fmt;

/// A `$(` without its `)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnclosedSubstitution;

impl fmt::Display for UnclosedSubstitution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("sh: syntax error: unexpected end of file (expecting \")\")")
    }
}

impl std::error::Error for UnclosedSubstitution {}

/// Replaces every `$(...)` (parentheses may nest) by `run(inner)`, left to right.
pub fn expand_substitutions(
    line: &str,
    mut run: impl FnMut(&str) -> String,
) -> Result<String, UnclosedSubstitution> {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find("$(") {
        out.push_str(&rest[..start]);
        let body = &rest[start + 2..];
        let mut depth = 1usize;
        let mut end = None;
        for (i, c) in body.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let end = end.ok_or(UnclosedSubstitution)?;
        out.push_str(&run(&body[..end]));
        rest = &body[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_each_substitution() {
        let r = expand_substitutions("a $(x) b $(y(z)) c", |s| format!("<{s}>"));
        assert_eq!(r, Ok("a <x> b <y(z)> c".to_string()));
        assert_eq!(
            expand_substitutions("no subs", |_| String::new()),
            Ok("no subs".into())
        );
        assert_eq!(
            expand_substitutions("a $(b", |_| String::new()),
            Err(UnclosedSubstitution)
        );
    }
}
