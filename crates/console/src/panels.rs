//! Which panels the playground shows: the layout an embed asks for, a learner toggles, and a
//! share link carries. Names are the ones hosts write (`panels=terminal,topology,slots`).

use std::fmt;

/// One panel of the playground.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Panel {
    /// The terminal tabs.
    Terminal,
    /// The clock: virtual time, play/pause, speed, step.
    Clock,
    /// The drawing of the nodes and their links.
    Topology,
    /// The guided walk, the exercise, and (in the full layout) the preset menu.
    Guide,
    /// The timeline bar for scrubbing back.
    Timeline,
    /// Who believes what about whom (PFAIL/FAIL per observer).
    Beliefs,
    /// The slot map as one node sees it.
    Slots,
    /// The selected node's details.
    Inspector,
    /// The story of state changes in plain words.
    Events,
    /// The lost-write ledger.
    LostWrites,
}

impl Panel {
    /// Every panel, in the order the layout lists them.
    pub const ALL: [Panel; 10] = [
        Panel::Terminal,
        Panel::Clock,
        Panel::Topology,
        Panel::Guide,
        Panel::Timeline,
        Panel::Beliefs,
        Panel::Slots,
        Panel::Inspector,
        Panel::Events,
        Panel::LostWrites,
    ];

    /// The name hosts and links use.
    pub fn name(self) -> &'static str {
        match self {
            Panel::Terminal => "terminal",
            Panel::Clock => "clock",
            Panel::Topology => "topology",
            Panel::Guide => "guide",
            Panel::Timeline => "timeline",
            Panel::Beliefs => "beliefs",
            Panel::Slots => "slots",
            Panel::Inspector => "inspector",
            Panel::Events => "events",
            Panel::LostWrites => "lost-writes",
        }
    }

    /// A label for a menu.
    pub fn label(self) -> &'static str {
        match self {
            Panel::Terminal => "Terminal",
            Panel::Clock => "Clock",
            Panel::Topology => "Topology",
            Panel::Guide => "Guide and exercises",
            Panel::Timeline => "Timeline",
            Panel::Beliefs => "Failure beliefs",
            Panel::Slots => "Slot map",
            Panel::Inspector => "Node inspector",
            Panel::Events => "Event log",
            Panel::LostWrites => "Lost writes",
        }
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }

    /// The panel with this name.
    pub fn named(name: &str) -> Option<Panel> {
        Panel::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// A set of panels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Panels(u16);

impl Panels {
    /// The full playground's layout: everything.
    pub const ALL: Panels = Panels((1 << Panel::ALL.len()) - 1);

    /// An embed's layout unless it asks otherwise: small enough for a card in a page.
    pub const EMBED: Panels = Panels(
        (1 << Panel::Terminal as u16)
            | (1 << Panel::Clock as u16)
            | (1 << Panel::Topology as u16)
            | (1 << Panel::Guide as u16),
    );

    /// Whether the set shows `panel`.
    pub fn shows(self, panel: Panel) -> bool {
        self.0 & panel.bit() != 0
    }

    /// The set with `panel` shown if it was hidden and hidden if it was shown.
    pub fn toggled(self, panel: Panel) -> Panels {
        Panels(self.0 ^ panel.bit())
    }

    /// The panels of the set, in layout order.
    pub fn iter(self) -> impl Iterator<Item = Panel> {
        Panel::ALL.into_iter().filter(move |&p| self.shows(p))
    }

    /// A set from names; an unknown name is an error that lists the known ones, and an empty
    /// set is refused (a frame showing nothing is a mistake, not a layout).
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Panels, String> {
        let mut set = Panels(0);
        for name in names {
            let name = name.trim();
            if name.is_empty() {
                continue;
            }
            let panel = Panel::named(name).ok_or_else(|| {
                format!(
                    "there is no panel '{}'; the panels are: {}",
                    crate::embed::shown(name),
                    Panels::ALL
                )
            })?;
            set.0 |= panel.bit();
        }
        if set.0 == 0 {
            return Err("choose at least one panel".to_string());
        }
        Ok(set)
    }

    /// A set from a comma-separated list (`terminal,topology`).
    pub fn parse(list: &str) -> Result<Panels, String> {
        Panels::from_names(list.split(','))
    }
}

impl fmt::Display for Panels {
    /// The comma-separated names, which [`Panels::parse`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(p.name())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_ones_are_refused() {
        assert_eq!(Panels::parse(&Panels::ALL.to_string()), Ok(Panels::ALL));
        assert_eq!(
            Panels::EMBED.to_string(),
            "terminal,clock,topology,guide",
            "the embed default"
        );
        let p = Panels::parse("slots, terminal").expect("valid");
        assert!(p.shows(Panel::Slots) && p.shows(Panel::Terminal) && !p.shows(Panel::Clock));
        assert_eq!(p.to_string(), "terminal,slots");
        let e = Panels::parse("terminal,<b>").expect_err("unknown");
        assert!(
            e.contains("no panel '?b?'") && e.contains("lost-writes"),
            "{e}"
        );
        assert!(Panels::parse("").is_err());
        assert!(Panels::parse(",,").is_err());
    }

    #[test]
    fn toggling_twice_restores_the_set() {
        for p in Panel::ALL {
            let once = Panels::ALL.toggled(p);
            assert!(!once.shows(p));
            assert_eq!(once.toggled(p), Panels::ALL);
        }
    }
}
