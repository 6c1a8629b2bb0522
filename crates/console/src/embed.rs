//! What a host page asks of an embedded playground: the address's options
//! (`?embed=1&preset=NAME&speed=10&panels=terminal,topology&readonly=1`) and the option object of
//! the JavaScript API, which the web crate reads into the same [`EmbedOptions`]. Like everything
//! from outside, they are checked strictly and a bad one gets a clear error.

use crate::Scenario;
use crate::exercise::TRACK;
use crate::panels::Panels;
use crate::presets::{PRESETS, Preset};
use crate::share::{MAX_LINK_VIRTUAL_SECS, slept_secs};

/// The longest query string read.
pub const MAX_QUERY_CHARS: usize = 2048;

/// The largest scenario text the playground runs (a loaded file or a host's `scenarioText`).
pub const MAX_SCENARIO_BYTES: usize = 256 * 1024;

/// The speeds the playground offers (virtual ms per real ms): a log scale from 0.01x to 100x.
pub const SPEEDS: [f64; 9] = [0.01, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 100.0];

/// What the world starts with.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Start {
    /// An empty world (no servers).
    #[default]
    Empty,
    /// A built-in scenario (guided or run at once).
    Preset(#[serde(with = "crate::presets::by_name")] &'static Preset),
    /// An exercise of the built-in track (its index).
    Exercise(usize),
    /// The lines of a scenario file, run at once.
    Scenario(String),
}

/// How an embedded playground starts and looks.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EmbedOptions {
    /// The world it starts with.
    pub start: Start,
    /// The world's seed (else the page's).
    pub seed: Option<u64>,
    /// The clock's speed, one of [`SPEEDS`] (else 1x).
    pub speed: Option<f64>,
    /// The panels shown (else the layout's default).
    pub panels: Option<Panels>,
    /// No typing and no buttons that act on the world: the host drives it, the reader watches.
    pub read_only: bool,
    /// The clock runs from the start.
    pub play: bool,
}

impl EmbedOptions {
    /// Sets what the world starts with; only one of a preset, an exercise and a scenario text
    /// may be asked for.
    pub fn set_start(&mut self, start: Start) -> Result<(), String> {
        if self.start != Start::Empty && start != Start::Empty {
            return Err(
                "only one of a scenario, a scenario text and an exercise may be given".to_string(),
            );
        }
        self.start = start;
        Ok(())
    }
}

/// The playground's options from its address.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageQuery {
    /// `embed=1`: the chrome-less layout for a frame.
    pub embed: bool,
    /// `api=1`: the frame waits for a host's `clusterlab:mount` message before it is set up.
    pub api: bool,
    /// Everything else.
    pub options: EmbedOptions,
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
        let (key, raw) = pair.split_once('=').unwrap_or((pair, ""));
        let value = &percent_decode(raw);
        let o = &mut page.options;
        match key {
            "embed" => page.embed = flag(key, value)?,
            "api" => page.api = flag(key, value)?,
            "play" => o.play = flag(key, value)?,
            "readonly" => o.read_only = flag(key, value)?,
            "preset" => o.set_start(Start::Preset(preset_named(value)?))?,
            "exercise" => o.set_start(Start::Exercise(exercise_named(value)?))?,
            "seed" => o.seed = Some(seed_from(value)?),
            "speed" => {
                let n = value
                    .parse::<f64>()
                    .map_err(|_| format!("speed must be a number, not '{}'", shown(value)))?;
                o.speed = Some(speed_from(n)?);
            }
            "panels" => o.panels = Some(Panels::parse(value)?),
            _ => {}
        }
    }
    Ok(page)
}

/// The built-in scenario with this name.
pub fn preset_named(name: &str) -> Result<&'static Preset, String> {
    PRESETS
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| unknown("scenario", name, PRESETS.iter().map(|p| p.name)))
}

/// The index of the exercise with this name.
pub fn exercise_named(name: &str) -> Result<usize, String> {
    TRACK
        .iter()
        .position(|x| x.name == name)
        .ok_or_else(|| unknown("exercise", name, TRACK.iter().map(|x| x.name)))
}

/// A speed the clock offers.
pub fn speed_from(speed: f64) -> Result<f64, String> {
    if SPEEDS.contains(&speed) {
        Ok(speed)
    } else {
        Err(format!(
            "speed must be one of {}",
            SPEEDS.map(|s| s.to_string()).join(", ")
        ))
    }
}

/// A seed written as a decimal number.
pub fn seed_from(value: &str) -> Result<u64, String> {
    value.parse().map_err(|_| {
        format!(
            "seed must be a whole number from 0 to {}, not '{}'",
            u64::MAX,
            shown(value)
        )
    })
}

/// A scenario text a host or a file gives: not too big, with typed lines, and no more virtual
/// time than a share link may ask for (a frame must not freeze its page).
pub fn check_scenario_text(text: &str) -> Result<(), String> {
    if text.len() > MAX_SCENARIO_BYTES {
        return Err(format!(
            "the scenario is {} KB; scenarios may be at most {} KB",
            text.len() / 1024,
            MAX_SCENARIO_BYTES / 1024
        ));
    }
    if Scenario::parse(text).steps.is_empty() {
        return Err(
            "the scenario has no typed lines: a scenario has lines starting with `$ ` or `host:port> `"
                .to_string(),
        );
    }
    let slept = slept_secs(text.lines());
    if slept > MAX_LINK_VIRTUAL_SECS {
        return Err(format!(
            "the scenario sleeps {:.0} virtual hours; at most {:.0} are accepted",
            slept / 3600.0,
            MAX_LINK_VIRTUAL_SECS / 3600.0
        ));
    }
    Ok(())
}

/// `%XX` escapes and `+` as a space, as a browser writes a query; a bad escape stays as is
/// (the value is then refused by whoever reads it, with the text shown).
fn percent_decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
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
pub(crate) fn shown(value: &str) -> String {
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
    use crate::panels::Panel;

    #[test]
    fn options_from_the_address() {
        assert_eq!(parse_query(""), Ok(PageQuery::default()));
        let q = parse_query("?embed=1&preset=three-plus-three&utm_source=docs").expect("valid");
        assert!(q.embed);
        assert!(matches!(q.options.start, Start::Preset(p) if p.name == "three-plus-three"));
        let q = parse_query("embed&exercise=slots-and-redirection&play=1").expect("valid");
        assert_eq!(
            (q.embed, q.options.start, q.options.play),
            (true, Start::Exercise(0), true)
        );
        let q = parse_query("?embed=1&speed=10&seed=42&readonly=1&panels=terminal%2Cslots")
            .expect("valid");
        let o = q.options;
        assert_eq!((o.speed, o.seed, o.read_only), (Some(10.0), Some(42), true));
        let panels = o.panels.expect("panels");
        assert!(panels.shows(Panel::Slots) && !panels.shows(Panel::Topology));
    }

    #[test]
    fn bad_values_are_refused_with_what_is_possible() {
        let e = parse_query("?preset=nope").expect_err("unknown preset");
        assert!(
            e.contains("there is no scenario 'nope'") && e.contains("seed-failover"),
            "{e}"
        );
        let e = parse_query("?exercise=<script>").expect_err("unknown exercise");
        assert!(e.contains("'?script?'"), "{e}");
        let e = parse_query("?exercise=%3Cscript%3E").expect_err("unknown exercise");
        assert!(e.contains("'?script?'"), "{e}");
        assert!(parse_query("?embed=yes").is_err());
        assert!(parse_query("?preset=seed-failover&exercise=takeover").is_err());
        assert!(parse_query(&"a".repeat(MAX_QUERY_CHARS + 2)).is_err());
        let e = parse_query("?speed=3").expect_err("not offered");
        assert!(e.contains("0.01, 0.1, 0.25"), "{e}");
        assert!(parse_query("?speed=NaN").is_err());
        assert!(parse_query("?seed=-1").is_err());
        assert!(parse_query("?panels=").is_err());
        assert!(parse_query("?readonly=maybe").is_err());
    }

    #[test]
    fn escapes_are_decoded_and_bad_ones_kept() {
        assert_eq!(percent_decode("a%2Cb+c"), "a,b c");
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
        assert_eq!(percent_decode("%E2%86%97"), "↗");
        assert_eq!(percent_decode("%FF"), "\u{FFFD}");
    }

    #[test]
    fn scenario_texts_are_checked() {
        assert!(check_scenario_text("$ redis-server --port 7000 --cluster-enabled yes").is_ok());
        assert!(check_scenario_text("# only a comment\n").is_err());
        assert!(check_scenario_text(&"$ sleep 1\n".repeat(MAX_SCENARIO_BYTES / 10 + 1)).is_err());
        let e = check_scenario_text("$ sleep 90000\n").expect_err("a day and more");
        assert!(e.contains("25 virtual hours"), "{e}");
    }
}
