//! Share links: the whole state of the playground (what was done, as a scenario, the seed, the
//! moment shown, the selected node, the node the slot map shows, the panels shown) in a URL
//! fragment, compressed. Opening the link replays the scenario, so it comes back exactly.
//!
//! A link is `#s=` followed by base64url (no padding) of a small LZ77 stream of the text
//!
//! ```text
//! clusterlab-share 1
//! seed 7
//! at 1579044890000
//! node 7003
//! observer 7001
//! panels terminal,clock,topology,slots
//!
//! $ redis-server --port 7000 ...
//! ```
//!
//! Everything in a link is untrusted: sizes are bounded before anything is decoded, and every
//! field is checked, with an error that says what is wrong.

use std::fmt;

use crate::panels::Panels;

/// The largest fragment accepted (characters after `#s=`).
pub const MAX_LINK_CHARS: usize = 64 * 1024;

/// The largest decoded state (the same bound as an opened scenario file).
pub const MAX_STATE_BYTES: usize = 256 * 1024;

/// The most virtual time a link may make the page simulate when it opens (its `sleep` lines
/// added up), so that a link cannot freeze the tab.
pub const MAX_LINK_VIRTUAL_SECS: f64 = 86_400.0;

const MAGIC: &str = "clusterlab-share 1";

/// What a share link carries.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct SharedState {
    /// The world's seed.
    pub seed: u64,
    /// What was done: scenario lines (`$ ...`, `host:port> ...`, comments).
    pub lines: Vec<String>,
    /// The moment shown, in virtual milliseconds since the Unix epoch, if not the live end.
    pub at: Option<u64>,
    /// The selected node's port.
    pub node: Option<u16>,
    /// The node whose view the slot map shows, if chosen.
    pub observer: Option<u16>,
    /// The panels shown, if not the layout's default.
    pub panels: Option<Panels>,
}

/// Why a link could not be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkError {
    /// The fragment does not start with `#s=` (or `s=`).
    NotALink,
    /// Longer than [`MAX_LINK_CHARS`].
    TooLong(usize),
    /// A character that is not base64url.
    BadCharacter(char),
    /// The compressed data is cut off or refers outside itself.
    Corrupt,
    /// It would decode to more than [`MAX_STATE_BYTES`].
    TooBig,
    /// Not the text of a ClusterLab link (or a newer version).
    UnknownFormat,
    /// A field with a bad value.
    BadField(String),
    /// Its `sleep` lines add up to more than [`MAX_LINK_VIRTUAL_SECS`].
    TooMuchTime(u64),
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::NotALink => {
                f.write_str("this is not a ClusterLab share link (it should end in #s=...)")
            }
            LinkError::TooLong(n) => write!(
                f,
                "the link is {n} characters long; share links may have at most {MAX_LINK_CHARS}"
            ),
            LinkError::BadCharacter(c) => write!(
                f,
                "the link contains {c:?}, which a share link never does: was it cut or changed?"
            ),
            LinkError::Corrupt => {
                f.write_str("the link is damaged (cut off or changed): its data does not decode")
            }
            LinkError::TooBig => write!(
                f,
                "the link would open more than {} KB of scenario; at most that is accepted",
                MAX_STATE_BYTES / 1024
            ),
            LinkError::UnknownFormat => {
                f.write_str("the link was not made by this version of ClusterLab (unknown format)")
            }
            LinkError::BadField(why) => write!(f, "the link has a bad value: {why}"),
            LinkError::TooMuchTime(secs) => write!(
                f,
                "it would simulate {:.0} virtual hours; at most {:.0} are accepted",
                *secs as f64 / 3600.0,
                MAX_LINK_VIRTUAL_SECS / 3600.0
            ),
        }
    }
}

impl SharedState {
    /// The text a link compresses.
    fn to_text(&self) -> String {
        let mut t = format!("{MAGIC}\nseed {}\n", self.seed);
        if let Some(at) = self.at {
            t.push_str(&format!("at {at}\n"));
        }
        if let Some(node) = self.node {
            t.push_str(&format!("node {node}\n"));
        }
        if let Some(o) = self.observer {
            t.push_str(&format!("observer {o}\n"));
        }
        if let Some(p) = self.panels {
            t.push_str(&format!("panels {p}\n"));
        }
        t.push('\n');
        for l in &self.lines {
            t.push_str(l);
            t.push('\n');
        }
        t
    }

    fn from_text(text: &str) -> Result<SharedState, LinkError> {
        let mut lines = text.split('\n');
        if lines.next() != Some(MAGIC) {
            return Err(LinkError::UnknownFormat);
        }
        let mut state = SharedState::default();
        let mut seen_seed = false;
        for line in lines.by_ref() {
            if line.is_empty() {
                break;
            }
            let (key, value) = line.split_once(' ').unwrap_or((line, ""));
            let bad = |what: &str| LinkError::BadField(format!("{what} '{value}'"));
            match key {
                "seed" => {
                    state.seed = value.parse().map_err(|_| bad("seed"))?;
                    seen_seed = true;
                }
                "at" => state.at = Some(value.parse().map_err(|_| bad("time"))?),
                "node" | "observer" => {
                    let port = value
                        .parse()
                        .ok()
                        .filter(|&p: &u16| p > 0)
                        .ok_or_else(|| bad("node port"))?;
                    if key == "node" {
                        state.node = Some(port);
                    } else {
                        state.observer = Some(port);
                    }
                }
                "panels" => state.panels = Some(Panels::parse(value).map_err(LinkError::BadField)?),
                _ => return Err(LinkError::BadField(format!("unknown field '{key}'"))),
            }
        }
        if !seen_seed {
            return Err(LinkError::BadField("no seed".to_string()));
        }
        state.lines = lines.map(str::to_string).collect();
        // The text ends with a newline: the split leaves one empty piece after it.
        if state.lines.last().is_some_and(String::is_empty) {
            state.lines.pop();
        }
        Ok(state)
    }

    /// Refuses a state whose replay would simulate more than [`MAX_LINK_VIRTUAL_SECS`].
    pub fn check_limits(&self) -> Result<(), LinkError> {
        let slept = slept_secs(self.lines.iter().map(String::as_str));
        if slept > MAX_LINK_VIRTUAL_SECS {
            return Err(LinkError::TooMuchTime(slept as u64));
        }
        Ok(())
    }

    /// The fragment of a link to this state: `#s=...`.
    pub fn to_fragment(&self) -> String {
        format!("#s={}", base64url(&compress(self.to_text().as_bytes())))
    }

    /// Reads a fragment (`#s=...` or `s=...`).
    pub fn from_fragment(fragment: &str) -> Result<SharedState, LinkError> {
        let data = fragment
            .strip_prefix('#')
            .unwrap_or(fragment)
            .strip_prefix("s=")
            .ok_or(LinkError::NotALink)?;
        if data.len() > MAX_LINK_CHARS {
            return Err(LinkError::TooLong(data.len()));
        }
        let bytes = unbase64url(data)?;
        let text = decompress(&bytes, MAX_STATE_BYTES)?;
        let text = String::from_utf8(text).map_err(|_| LinkError::Corrupt)?;
        let state = SharedState::from_text(&text)?;
        state.check_limits()?;
        Ok(state)
    }
}

/// The virtual seconds the `$ sleep N` lines of a scenario add up to.
pub fn slept_secs<'a>(lines: impl Iterator<Item = &'a str>) -> f64 {
    lines
        .filter_map(|l| l.strip_prefix("$ sleep ")?.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .sum()
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(B64[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

fn unbase64url(text: &str) -> Result<Vec<u8>, LinkError> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.chars() {
        let v = match c {
            'A'..='Z' => c as u32 - 'A' as u32,
            'a'..='z' => c as u32 - 'a' as u32 + 26,
            '0'..='9' => c as u32 - '0' as u32 + 52,
            '-' => 62,
            '_' => 63,
            _ => return Err(LinkError::BadCharacter(c)),
        };
        acc = acc << 6 | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

/// Matches look this far back.
const WINDOW: usize = 4095;
/// Shortest match worth a reference.
const MIN_MATCH: usize = 4;
/// Longest match one reference carries.
const MAX_MATCH: usize = MIN_MATCH + 127;

/// A small LZ77: a stream of items, each a literal run (`0xxxxxxx` = length-1, then the bytes)
/// or a reference (`1lllllll`, length - MIN_MATCH, then the distance in two bytes). Scenario
/// text repeats itself a lot (`redis-server --port 700N ...`), which this catches; it needs no
/// dependency and its decoder is a few lines that are easy to bound.
pub fn compress(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut literals: Vec<u8> = Vec::new();
    let flush = |lits: &mut Vec<u8>, out: &mut Vec<u8>| {
        for run in lits.chunks(128) {
            out.push((run.len() - 1) as u8);
            out.extend_from_slice(run);
        }
        lits.clear();
    };
    // The last position each 4-byte sequence was seen at (a sorted map keeps this
    // deterministic and dependency-free).
    let mut last_seen: std::collections::BTreeMap<[u8; MIN_MATCH], Vec<usize>> =
        std::collections::BTreeMap::new();
    let mut i = 0;
    while i < input.len() {
        let mut best = (0, 0);
        if i + MIN_MATCH <= input.len() {
            let key: [u8; MIN_MATCH] = input[i..i + MIN_MATCH].try_into().unwrap_or_default();
            if let Some(starts) = last_seen.get(&key) {
                // The most recent few candidates within the window.
                for &s in starts.iter().rev().take(16) {
                    if i - s > WINDOW {
                        break;
                    }
                    let len = input[i..]
                        .iter()
                        .zip(&input[s..])
                        .take(MAX_MATCH)
                        .take_while(|(a, b)| a == b)
                        .count();
                    if len > best.0 {
                        best = (len, i - s);
                    }
                }
            }
        }
        let step = if best.0 >= MIN_MATCH {
            flush(&mut literals, &mut out);
            out.push(0x80 | (best.0 - MIN_MATCH) as u8);
            out.extend_from_slice(&(best.1 as u16).to_be_bytes());
            best.0
        } else {
            literals.push(input[i]);
            1
        };
        for p in i..i + step {
            if p + MIN_MATCH <= input.len() {
                let key: [u8; MIN_MATCH] = input[p..p + MIN_MATCH].try_into().unwrap_or_default();
                last_seen.entry(key).or_default().push(p);
            }
        }
        i += step;
    }
    flush(&mut literals, &mut out);
    out
}

/// Undoes [`compress`], refusing to produce more than `limit` bytes or to read past the end.
pub fn decompress(data: &[u8], limit: usize) -> Result<Vec<u8>, LinkError> {
    let mut out: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < data.len() {
        let head = data[i];
        i += 1;
        if head & 0x80 == 0 {
            let n = usize::from(head) + 1;
            let run = data.get(i..i + n).ok_or(LinkError::Corrupt)?;
            if out.len() + n > limit {
                return Err(LinkError::TooBig);
            }
            out.extend_from_slice(run);
            i += n;
        } else {
            let len = usize::from(head & 0x7f) + MIN_MATCH;
            let d = data.get(i..i + 2).ok_or(LinkError::Corrupt)?;
            let dist = usize::from(u16::from_be_bytes([d[0], d[1]]));
            i += 2;
            if dist == 0 || dist > out.len() {
                return Err(LinkError::Corrupt);
            }
            if out.len() + len > limit {
                return Err(LinkError::TooBig);
            }
            let start = out.len() - dist;
            // Byte by byte: a reference may overlap what it produces.
            for k in 0..len {
                let b = out[start + k];
                out.push(b);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> SharedState {
        SharedState {
            seed: 7,
            lines: vec![
                "$ redis-server --port 7000 --cluster-enabled yes --daemonize yes".into(),
                "$ redis-server --port 7001 --cluster-enabled yes --daemonize yes".into(),
                "127.0.0.1:7000> SET a 1".into(),
                "# a comment".into(),
            ],
            at: Some(1_579_044_890_000),
            node: Some(7001),
            observer: Some(7002),
            panels: Some(Panels::EMBED),
        }
    }

    #[test]
    fn a_state_survives_a_link() {
        let s = sample();
        let link = s.to_fragment();
        assert!(link.starts_with("#s="));
        assert!(link[3..].bytes().all(|b| B64.contains(&b)));
        assert_eq!(SharedState::from_fragment(&link), Ok(s));
    }

    #[test]
    fn repeated_lines_compress() {
        let text = "$ redis-server --port 7000 --cluster-enabled yes --daemonize yes\n".repeat(20);
        let packed = compress(text.as_bytes());
        assert!(
            packed.len() < text.len() / 5,
            "{} of {}",
            packed.len(),
            text.len()
        );
        assert_eq!(
            decompress(&packed, usize::MAX).as_deref(),
            Ok(text.as_bytes())
        );
    }

    #[test]
    fn damaged_links_get_clear_errors() {
        assert_eq!(
            SharedState::from_fragment("#x=abc"),
            Err(LinkError::NotALink)
        );
        assert_eq!(
            SharedState::from_fragment("#s=ab<script>"),
            Err(LinkError::BadCharacter('<'))
        );
        let long = format!("#s={}", "A".repeat(MAX_LINK_CHARS + 1));
        assert!(matches!(
            SharedState::from_fragment(&long),
            Err(LinkError::TooLong(_))
        ));
        let link = sample().to_fragment();
        let cut = &link[..link.len() / 2];
        assert!(SharedState::from_fragment(cut).is_err());
        // A reference pointing before the start.
        assert_eq!(decompress(&[0x80, 0, 9], 100), Err(LinkError::Corrupt));
        // A tiny link that would expand beyond the limit.
        let bomb: Vec<u8> = [vec![0u8, b'x'], [0xff, 0, 1].repeat(3000)].concat();
        assert_eq!(decompress(&bomb, MAX_STATE_BYTES), Err(LinkError::TooBig));
        let text = "clusterlab-share 1\nseed x\n\n";
        let frag = format!("#s={}", base64url(&compress(text.as_bytes())));
        assert_eq!(
            SharedState::from_fragment(&frag),
            Err(LinkError::BadField("seed 'x'".into()))
        );
        let text = "clusterlab-share 1\nseed 1\npanels terminal,nope\n\n";
        let frag = format!("#s={}", base64url(&compress(text.as_bytes())));
        assert!(matches!(
            SharedState::from_fragment(&frag),
            Err(LinkError::BadField(e)) if e.contains("no panel 'nope'")
        ));
        let frag = format!("#s={}", base64url(&compress(b"hello")));
        assert_eq!(
            SharedState::from_fragment(&frag),
            Err(LinkError::UnknownFormat)
        );
        for e in [LinkError::NotALink, LinkError::Corrupt, LinkError::TooBig] {
            assert!(!e.to_string().is_empty());
        }
    }
}
