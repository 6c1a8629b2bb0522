//! What a page address asks of the playground: `?embed=1&preset=NAME&exercise=NAME`. Host
//! pages write these into their `<iframe>`s; like everything from outside, they are checked
//! strictly and a bad one gets a clear error.

use crate::exercise::TRACK;
use crate::presets::{PRESETS, Preset};

/// The longest query string read.
pub const MAX_QUERY_CHARS: usize = 2048;

/// The playground's options from its address.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageQuery {
    /// `embed=1`: the chrome-less layout for a frame.
    pub embed: bool,
    /// `preset=NAME`: start with this preset.
    pub preset: Option<&'static Preset>,
    /// `exercise=NAME`: start this exercise of the track (its index).
    pub exercise: Option<usize>,
    /// `play=1`: the clock runs from the start.
    pub play: bool,
}

/// Reads `?key=value&...` (the leading `?` is optional). Unknown keys are ignored, so a host
/// may add its own; the known ones must have valid values.
pub fn parse_query(search: &str) -> Result<PageQuery, String> {
    let query = search.strip_prefix('?').unwrap_or(search);
    if query.len() > MAX_QUERY_CHARS {
        return Err(format!(
            "the address's options are {} characters long; at most {MAX_QUERY_CHARS} are read",
            query.len()
        ));
    }
    let mut page = PageQuery::default();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "embed" => page.embed = flag(key, value)?,
            "play" => page.play = flag(key, value)?,
            "preset" => {
                page.preset = Some(
                    PRESETS
                        .iter()
                        .find(|p| p.name == value)
                        .ok_or_else(|| unknown("preset", value, PRESETS.iter().map(|p| p.name)))?,
                );
            }
            "exercise" => {
                page.exercise = Some(
                    TRACK
                        .iter()
                        .position(|x| x.name == value)
                        .ok_or_else(|| unknown("exercise", value, TRACK.iter().map(|x| x.name)))?,
                );
            }
            _ => {}
        }
    }
    if page.preset.is_some() && page.exercise.is_some() {
        return Err("the address asks for both a preset and an exercise: choose one".to_string());
    }
    Ok(page)
}

/// `1`/`true`/nothing or `0`/`false`.
fn flag(key: &str, value: &str) -> Result<bool, String> {
    match value {
        "1" | "true" | "" => Ok(true),
        "0" | "false" => Ok(false),
        _ => Err(format!("{key} must be 1 or 0, not '{}'", shown(value))),
    }
}

/// A value as it may be shown: short, and only plain characters (it is text, never markup,
/// but a page should not echo arbitrary input at length either).
fn shown(value: &str) -> String {
    let plain: String = value
        .chars()
        .take(40)
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '?'
            }
        })
        .collect();
    if value.chars().count() > 40 {
        format!("{plain}...")
    } else {
        plain
    }
}

fn unknown<'a>(what: &str, value: &str, names: impl Iterator<Item = &'a str>) -> String {
    format!(
        "there is no {what} '{}'; the {what}s are: {}",
        shown(value),
        names.collect::<Vec<_>>().join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_from_the_address() {
        assert_eq!(parse_query(""), Ok(PageQuery::default()));
        let q = parse_query("?embed=1&preset=three-plus-three&utm_source=docs").expect("valid");
        assert!(q.embed);
        assert_eq!(q.preset.map(|p| p.name), Some("three-plus-three"));
        let q = parse_query("embed&exercise=slots-and-redirection&play=1").expect("valid");
        assert_eq!((q.embed, q.exercise, q.play), (true, Some(0), true));
    }

    #[test]
    fn bad_values_are_refused_with_what_is_possible() {
        let e = parse_query("?preset=nope").expect_err("unknown preset");
        assert!(
            e.contains("there is no preset 'nope'") && e.contains("seed-failover"),
            "{e}"
        );
        let e = parse_query("?exercise=<script>").expect_err("unknown exercise");
        assert!(e.contains("'?script?'"), "{e}");
        assert!(parse_query("?embed=yes").is_err());
        assert!(parse_query("?preset=seed-failover&exercise=takeover").is_err());
        assert!(parse_query(&"a".repeat(MAX_QUERY_CHARS + 2)).is_err());
    }
}
