//! A frame: everything the page draws, taken from the playground after it changed.
//!
//! The components read a [`Frame`], never the console: so the world can be stepped somewhere
//! the page does not wait on (see `docs/PERFORMANCE.md`, the Web Worker), and a frame holds
//! only what is shown (the running line's last lines, the chosen node's report), not a world
//! of a thousand nodes.

use std::rc::Rc;

use cluster_proto::SimTime;
use cluster_sim::{ClusterView, SlotRun, StoryEntry, WireMsg};
use console::help::Known;
use console::panels::Panels;

use crate::components::inspector::NodeReport;
use crate::components::lost_writes::LostReport;
use crate::state::{
    ExerciseRun, Guide, LineRun, Playground, TermLine, clock_text, greeting_lines, sleep_lines,
};

/// A running line shows at most this many of its last printed lines (a 1,000-node `create`
/// prints thousands, and they are drawn on every clock tick); all of them go to the
/// scrollback when it ends.
pub const MAX_RUNNING_SHOWN: usize = 200;

/// One terminal tab as drawn.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TabFrame {
    /// Stable id, for the tab's label and its element ids.
    pub id: u32,
    /// Scrollback, oldest first.
    pub lines: Rc<Vec<TermLine>>,
    /// The prompt for the next line.
    pub prompt: String,
    /// Lines appended since the tab opened or was last cleared.
    pub appended: u64,
    /// How many times the tab was cleared.
    pub cleared: u64,
}

/// The line running over the clock's ticks, as drawn.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RunningFrame {
    /// The line after its prompt.
    pub input: String,
    /// Its last printed lines, at most [`MAX_RUNNING_SHOWN`].
    pub last: Vec<String>,
    /// How many earlier printed lines are not in `last`.
    pub skipped: usize,
}

/// The timeline bar's part: the span that can be scrubbed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct TimelineFrame {
    range: Option<(SimTime, SimTime)>,
    too_big: bool,
}

impl TimelineFrame {
    /// The first and last moments that can be shown, if any.
    pub fn range(&self) -> Option<(SimTime, SimTime)> {
        self.range
    }

    /// Whether the world is too big to keep snapshots of (no rewinding).
    pub fn too_big(&self) -> bool {
        self.too_big
    }
}

/// What the panels ask of the world beyond its picture: the node the inspector shows and the
/// observer the slot map shows (each only while its panel is shown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Watch {
    /// The inspected node.
    pub inspect: Option<u16>,
    /// The slot map's observer.
    pub slots: Option<u16>,
}

/// What the panels read from the world, taken with each new picture of it (or a new
/// [`Watch`]), not on every tick.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct WorldReport {
    /// What was asked.
    pub watch: Watch,
    /// The inspected node, inside out.
    pub inspector: Option<NodeReport>,
    /// The slot map's observer's view of the slots (`None`: it runs no cluster).
    pub slot_runs: Option<Vec<SlotRun>>,
    /// The acknowledged writes lost, and the workload's report.
    pub lost: LostReport,
    /// Ports and node ids, for Tab completion.
    pub known: Rc<Known>,
}

impl WorldReport {
    /// Reads what `watch` asks of `playground`'s world.
    pub fn of(playground: &Playground, watch: Watch) -> WorldReport {
        let console = playground.console();
        let console = console.borrow();
        let sim = console.sim();
        WorldReport {
            watch,
            inspector: watch.inspect.map(|port| NodeReport::of(sim, port)),
            slot_runs: watch.slots.and_then(|o| sim.slot_map(o)),
            lost: LostReport::of(&console),
            known: Rc::new(Known::of(&console)),
        }
    }
}

/// Everything the page draws at one moment.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Frame {
    /// Bumped on every change of the playground.
    pub version: u64,
    /// The terminal tabs.
    pub tabs: Rc<Vec<TabFrame>>,
    /// The index of the tab typing goes to.
    pub active: usize,
    /// Lines typed so far, oldest first.
    pub history: Rc<Vec<String>>,
    /// Whether virtual time flows by itself.
    pub playing: bool,
    /// Virtual milliseconds per real millisecond while playing.
    pub speed: f64,
    /// The speed the clock reached when it could not keep up; `None` while it keeps up.
    pub behind: Option<f64>,
    /// The virtual clock as Redis's logs print it.
    pub clock: String,
    pub(crate) now: SimTime,
    /// What can be scrubbed.
    pub timeline: TimelineFrame,
    /// `Some(t)`: the learner is looking at time `t` in the past.
    pub cursor: Option<SimTime>,
    /// Each state change in plain words, oldest first.
    pub story: Rc<Vec<StoryEntry>>,
    /// Bumped when the story's numbering jumps back.
    pub story_generation: u64,
    /// The first sequence number of the story's current generation.
    pub story_restart_seq: u64,
    /// The guided walk, if any.
    pub guide: Option<Guide>,
    /// A problem to show above the panels.
    pub error: Option<String>,
    /// The exercise being worked on, if any.
    pub exercise: Option<ExerciseRun>,
    /// The host page drives the world; typing and the buttons that act on it are off.
    pub read_only: bool,
    /// The panels shown, if not the layout's default.
    pub panels: Option<Panels>,
    /// The last line run and what it printed, for the host.
    pub last_run: Option<Rc<LineRun>>,
    /// The line running over the clock's ticks, if any.
    pub running: Option<Rc<RunningFrame>>,
    pub(crate) busy: bool,
    pub(crate) ticking: bool,
    pub(crate) busy_note: String,
    pub(crate) seed: u64,
    /// The transcript up to the moment shown, and when its last line ran.
    pub(crate) transcript: Rc<Vec<String>>,
    pub(crate) transcript_len: usize,
    pub(crate) last_typed: SimTime,
    /// The picture of the world.
    pub view: Rc<ClusterView>,
    /// What the panels read from the world.
    pub world: Rc<WorldReport>,
    /// Messages sent since the last frame (none past the topology's flight limit).
    pub wire: Rc<Vec<WireMsg>>,
    /// The sequence number the world's next message will get (lower than before: the world
    /// was rewound or replaced).
    pub wire_next: u64,
}

impl Frame {
    /// The frame for `p`, with its picture and report of the world and the messages sent
    /// since the last frame.
    pub fn of(
        p: &Playground,
        view: Rc<ClusterView>,
        world: Rc<WorldReport>,
        wire: Rc<Vec<WireMsg>>,
        wire_next: u64,
    ) -> Frame {
        let (transcript_len, last_typed) = p.shown_transcript();
        let running = p.running.as_ref().map(|r| {
            let r = r.borrow();
            let progress = r.progress();
            let all: Vec<&str> = progress.lines().collect();
            let skipped = all.len().saturating_sub(MAX_RUNNING_SHOWN);
            Rc::new(RunningFrame {
                input: r.input(),
                last: all[skipped..].iter().map(|l| l.to_string()).collect(),
                skipped,
            })
        });
        Frame {
            version: p.version,
            tabs: Rc::new(
                p.tabs
                    .iter()
                    .map(|t| TabFrame {
                        id: t.id,
                        lines: Rc::clone(&t.lines),
                        prompt: t.prompt.clone(),
                        appended: t.appended,
                        cleared: t.cleared,
                    })
                    .collect(),
            ),
            active: p.active,
            history: Rc::clone(&p.history),
            playing: p.playing,
            speed: p.speed,
            behind: p.behind,
            clock: p.clock.clone(),
            now: p.now(),
            timeline: TimelineFrame {
                range: p.timeline.range(),
                too_big: p.timeline.too_big(),
            },
            cursor: p.cursor,
            story: Rc::clone(&p.story),
            story_generation: p.story_generation,
            story_restart_seq: p.story_restart_seq,
            guide: p.guide.clone(),
            error: p.error.clone(),
            exercise: p.exercise.clone(),
            read_only: p.read_only,
            panels: p.panels,
            last_run: p.last_run.clone(),
            running,
            busy: p.busy(),
            ticking: p.ticking(),
            busy_note: if p.busy() {
                p.busy_note()
            } else {
                String::new()
            },
            seed: p.seed(),
            transcript: Rc::clone(&p.transcript),
            transcript_len,
            last_typed,
            view,
            world,
            wire,
            wire_next,
        }
    }

    /// What a fresh playground shows, made without a world: the page draws it at once, while
    /// the engine's worker loads (the page's own build has no simulator).
    pub fn fresh(seed: u64, history: Vec<String>) -> Frame {
        let now = SimTime::DEFAULT_START;
        let (lines, appended) = greeting_lines();
        Frame {
            version: 0,
            seed,
            tabs: Rc::new(vec![TabFrame {
                id: 1,
                lines,
                prompt: "$ ".to_string(),
                appended,
                cleared: 0,
            }]),
            active: 0,
            history: Rc::new(history),
            playing: false,
            speed: 1.0,
            behind: None,
            clock: clock_text(now),
            now,
            timeline: TimelineFrame::default(),
            cursor: None,
            story: Rc::default(),
            story_generation: 0,
            story_restart_seq: 0,
            guide: None,
            error: None,
            exercise: None,
            read_only: false,
            panels: None,
            last_run: None,
            running: None,
            busy: false,
            ticking: false,
            busy_note: String::new(),
            transcript: Rc::default(),
            transcript_len: 0,
            last_typed: now,
            view: Rc::default(),
            world: Rc::default(),
            wire: Rc::default(),
            wire_next: 0,
        }
    }

    /// The virtual time of the world shown.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// The active tab.
    pub fn tab(&self) -> &TabFrame {
        &self.tabs[self.active]
    }

    /// The active tab's scrollback.
    pub fn lines(&self) -> &Rc<Vec<TermLine>> {
        &self.tab().lines
    }

    /// The active tab's prompt.
    pub fn prompt(&self) -> &str {
        &self.tab().prompt
    }

    /// Whether a line runs or lines wait to run: typing waits meanwhile.
    pub fn busy(&self) -> bool {
        self.busy
    }

    /// Whether the clock ticks: it plays, or lines run.
    pub fn ticking(&self) -> bool {
        self.ticking
    }

    /// What the terminal says while [`busy`](Self::busy).
    pub fn busy_note(&self) -> &str {
        &self.busy_note
    }

    /// The transcript as a scenario file that reproduces the world shown (see
    /// [`Playground::transcript_text`]).
    pub fn transcript_text(&self) -> String {
        transcript_text(
            &self.transcript[..self.transcript_len],
            self.last_typed,
            self.now,
        )
    }

    /// The state a share link carries (see [`Playground::share`]).
    pub fn share(&self, node: Option<u16>, observer: Option<u16>) -> console::share::SharedState {
        console::share::SharedState {
            node,
            observer,
            ..shared_state(self.seed, &self.transcript, self.cursor, self.panels)
        }
    }
}

/// What a share link carries, without the views' choices: the seed, what was done, the moment
/// shown and the panels.
pub fn shared_state(
    seed: u64,
    transcript: &[String],
    cursor: Option<SimTime>,
    panels: Option<Panels>,
) -> console::share::SharedState {
    console::share::SharedState {
        seed,
        lines: transcript.to_vec(),
        at: cursor.map(|t| t.as_unix_millis()),
        node: None,
        observer: None,
        panels,
    }
}

/// A transcript's lines as a scenario file, with a `sleep` for the time from `last_typed`
/// to `now`.
pub fn transcript_text(lines: &[String], last_typed: SimTime, now: SimTime) -> String {
    let mut text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    if now > last_typed {
        for line in sleep_lines(now - last_typed) {
            text.push_str(&line);
            text.push('\n');
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;

    #[test]
    fn the_first_frame_drawn_without_a_world_shows_what_the_engine_starts_with() {
        let history = vec!["cluster nodes".to_string()];
        let fresh = Frame::fresh(7, history.clone());
        let engine = Engine::new(Playground::with_history(7, history)).frame();
        assert_eq!(fresh.tabs, engine.tabs);
        assert_eq!(fresh.history, engine.history);
        assert_eq!((fresh.now(), &fresh.clock), (engine.now(), &engine.clock));
        assert_eq!(fresh.transcript_text(), engine.transcript_text());
        assert_eq!(fresh.share(None, None), engine.share(None, None));
        assert_eq!(
            (fresh.busy(), fresh.ticking(), fresh.playing, fresh.speed),
            (
                engine.busy(),
                engine.ticking(),
                engine.playing,
                engine.speed
            )
        );
        assert_eq!(fresh.view.nodes, engine.view.nodes);
    }
}
