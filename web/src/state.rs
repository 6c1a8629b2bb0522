//! The playground's state: the world, the terminal tabs, the clock, the transcript, the timeline
//! and the story. Only [`Playground::reduce`] changes it.

use std::cell::RefCell;
use std::rc::Rc;

use cluster_proto::SimTime;
use cluster_sim::StoryEntry;
use console::embed::{EmbedOptions, Start};
use console::exercise::{Exercise, TRACK, Verdict};
use console::panels::{Panel, Panels};
use console::presets::{GuideStep, Preset, guide};
use console::{Console, Job, Scenario, Session, Started, Typed, eval_typed};
use yew::Reducible;

use crate::timeline::{Snapshot, Timeline, snapshot_interval};

/// At most this many scrollback lines are kept per tab, so a long session stays fast.
pub const MAX_SCROLLBACK: usize = 5000;

/// At most this many story entries are kept.
pub const MAX_STORY_KEPT: usize = 3000;

pub use console::embed::{MAX_SCENARIO_BYTES, SPEEDS};

/// "Run to the next change" gives up after this much virtual time.
pub const RUN_TO_CHANGE_LIMIT: u64 = 120_000;

/// At most this many terminal tabs.
pub const MAX_TABS: usize = 6;

/// Real milliseconds a clock tick (every [`crate::hooks::TICK_MS`]) may spend simulating; the
/// rest of the tick stays with the page for drawing and input.
pub const TICK_BUDGET_MS: f64 = 30.0;

/// A tick runs virtual time in slices of at most this many milliseconds, checking its budget
/// between them. Small enough that one slice of a 1,000-node world stays well under a frame.
const TICK_SLICE_MS: u64 = 10;

/// How many ticks after one that left a debt the clock may run ahead (see
/// [`Playground::with_catch_up`]): a few seconds of them.
const LEAD_TICKS: u32 = 40;

/// The events a slice may run at first, at least and at most. A thousand nodes meeting at
/// once run thousands of events in one virtual millisecond, so a slice is cut by events too.
const SLICE_EVENTS: u64 = 4096;
const MIN_SLICE_EVENTS: u64 = 64;
const MAX_SLICE_EVENTS: u64 = 1 << 22;

/// How much of the world one step of a tick runs: virtual milliseconds, and events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Slice {
    ms: u64,
    events: u64,
}

impl Slice {
    const FIRST: Slice = Slice {
        ms: TICK_SLICE_MS,
        events: SLICE_EVENTS,
    };

    /// The next slice after one that took `took` real ms: halved (down to a millisecond and
    /// [`MIN_SLICE_EVENTS`]) while a slice costs more than half the tick's budget, doubled (up
    /// to `max_ms` and [`MAX_SLICE_EVENTS`]) while it costs little. Slicing changes nothing in
    /// the world: events run in time order whatever the steps.
    fn adapt(self, took: f64, max_ms: u64) -> Slice {
        if took > TICK_BUDGET_MS / 2.0 {
            Slice {
                ms: (self.ms / 2).max(1),
                events: (self.events / 2).max(MIN_SLICE_EVENTS),
            }
        } else if took < TICK_BUDGET_MS / 8.0 {
            Slice {
                ms: (self.ms * 2).min(max_ms),
                events: (self.events * 2).min(MAX_SLICE_EVENTS),
            }
        } else {
            self
        }
    }
}

/// The longest slice a running line gets at once (virtual ms).
const MAX_RUNNING_SLICE_MS: u64 = 60_000;

/// What a scrollback line is, for styling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LineKind {
    /// A typed line with its prompt.
    Input,
    /// Something a command printed.
    Output,
}

/// One line of scrollback.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TermLine {
    /// Input or output.
    pub kind: LineKind,
    /// The text, without its newline.
    pub text: String,
}

/// One terminal tab: its own scrollback and its own shell or redis-cli connection.
#[derive(Debug, Clone, PartialEq)]
pub struct Tab {
    /// Stable id, for the tab's label and its element ids.
    pub id: u32,
    /// Scrollback, oldest first.
    pub lines: Rc<Vec<TermLine>>,
    /// The prompt for the next line.
    pub prompt: String,
    /// Lines appended since the tab opened or was last cleared, cut ones included: with
    /// `cleared`, what tells a frame's patch which lines are new (see [`crate::patch`]).
    pub appended: u64,
    /// How many times the tab was cleared.
    pub cleared: u64,
    session: Session,
}

/// A guided walk through a preset.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Guide {
    /// The preset.
    #[serde(with = "console::presets::by_name")]
    pub preset: &'static Preset,
    /// Its steps (not sent between threads: they follow from the preset, see
    /// [`crate::patch`]).
    #[serde(skip)]
    pub steps: Rc<Vec<GuideStep>>,
    /// The index of the next step to run.
    pub next: usize,
}

/// The playground model.
#[derive(Debug, Clone)]
pub struct Playground {
    console: Rc<RefCell<Console>>,
    seed: u64,
    /// The terminal tabs.
    pub tabs: Rc<Vec<Tab>>,
    /// The index of the tab typing goes to.
    pub active: usize,
    next_tab_id: u32,
    /// Lines typed so far, oldest first (for the arrow keys; shared by the tabs).
    pub history: Rc<Vec<String>>,
    /// Bumped on every change, so views can react (e.g. scroll to the bottom).
    pub version: u64,
    /// Whether virtual time flows by itself.
    pub playing: bool,
    /// Virtual milliseconds per real millisecond while playing.
    pub speed: f64,
    /// Virtual time owed to the world but not yet run: less than a millisecond, up to
    /// `max_debt` that a busy tick could not run, or (negative) what a tick ran ahead of the
    /// clock.
    carry: f64,
    /// Virtual milliseconds a tick that could not run all it owed passes on to the next ones,
    /// and that a tick may run ahead of the clock (see [`Playground::with_catch_up`]); 0 on
    /// the page's thread.
    max_debt: f64,
    max_ahead: f64,
    /// Ticks left in which the clock may run ahead: set by a tick that left a debt, so that a
    /// world that keeps up easily never runs ahead (its clock would jump when play starts).
    lead_ticks: u32,
    /// What the clock's next slice runs (see [`Slice::adapt`]).
    play_slice: Slice,
    /// Real milliseconds a tick may spend simulating ([`TICK_BUDGET_MS`] on the page's
    /// thread; more in a worker, which draws nothing).
    tick_budget: f64,
    /// The speed the last tick reached, when it could not run all the virtual time it owed
    /// within its budget, debt allowed aside (a big world at a high speed); `None` while it
    /// keeps up.
    pub behind: Option<f64>,
    /// The virtual clock as Redis's logs print it.
    pub clock: String,
    /// What was done, as a scenario file: typed lines, clicks as `sim` lines, `sleep` for the
    /// time the clock played. Replaying it reproduces the world.
    pub transcript: Rc<Vec<String>>,
    last_typed: SimTime,
    /// Snapshots for scrubbing back.
    pub timeline: Rc<Timeline>,
    /// `Some(t)`: the learner is looking at time `t` in the past; acting there forks.
    pub cursor: Option<SimTime>,
    cursor_index: usize,
    /// Whether the live world has been saved as the timeline's last snapshot.
    head_saved: bool,
    /// Each state change in plain words, oldest first (of the live run: scrubbing back shows
    /// later entries as the future).
    pub story: Rc<Vec<StoryEntry>>,
    /// The guided walk, if a guided preset is loaded.
    pub guide: Option<Guide>,
    /// Bumped when the story's numbering jumps back (a fork or a new world), so that views
    /// counting entries by sequence number start over from [`Playground::story_restart_seq`].
    pub story_generation: u64,
    /// The first sequence number of the story's current generation.
    pub story_restart_seq: u64,
    /// A problem to show above the panels (a scenario that could not be loaded).
    pub error: Option<String>,
    /// The exercise being worked on, if any.
    pub exercise: Option<ExerciseRun>,
    /// The host page drives the world; typing and the buttons that act on it are off.
    pub read_only: bool,
    /// The panels shown, if not the layout's default (an embed's or the full page's).
    pub panels: Option<Panels>,
    /// The last line run (typed, or sent by the host page) and what it printed, for the host.
    pub last_run: Option<Rc<LineRun>>,
    /// A line (typed, or a scenario's) that waits on virtual time (`sleep`, a cluster
    /// joining) and runs a slice per clock tick, so that a big world does not freeze the page.
    pub running: Option<Rc<RefCell<RunningLine>>>,
    /// Lines the host page sent while a line was running, run after it in order.
    pending: Rc<Vec<String>>,
    /// Lines of a loaded scenario still to run, in order, before anything else.
    queue: Rc<Vec<Typed>>,
    /// Ctrl-C was pressed while a line that cannot stop midway ran: how many waiting lines
    /// it dropped, told when that line ends.
    stopping: Option<usize>,
    /// A share link's moment, shown once its lines have run.
    scrub_after: Option<SimTime>,
}

/// A line still running (typed, or a scenario's), and what is needed to show it when it ends.
#[derive(Debug)]
pub struct RunningLine {
    job: Option<Job>,
    line: String,
    started: SimTime,
    shown_prompt: String,
    recorded_prompt: String,
    /// A scenario's line (shown as the file has it), not a typed one.
    from_scenario: bool,
    /// Virtual milliseconds the next slice may run: it grows while slices are quick.
    slice: Slice,
}

impl RunningLine {
    /// The line as typed, after its prompt.
    pub fn input(&self) -> String {
        format!("{}{}", self.shown_prompt, self.line)
    }

    /// What it printed so far.
    pub fn progress(&self) -> String {
        self.job.as_ref().map(Job::progress).unwrap_or_default()
    }

    /// Virtual milliseconds since it started.
    pub fn elapsed(&self, now: SimTime) -> u64 {
        now - self.started
    }
}

/// A line that was run and its output, numbered so that two equal runs are told apart.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LineRun {
    /// Counts runs from 1 in this page.
    pub seq: u64,
    /// The line as typed.
    pub line: String,
    /// What it printed (as the terminal shows it, lines joined by `\n`).
    pub output: String,
}

/// An exercise in progress.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ExerciseRun {
    /// Its place in [`TRACK`].
    pub index: usize,
    /// The parsed exercise (not sent between threads: it follows from the index, see
    /// [`crate::patch`]).
    #[serde(skip, default = "crate::patch::unparsed_exercise")]
    pub exercise: Rc<Exercise>,
    /// How many hints are shown.
    pub hints_shown: usize,
    /// The last check's verdict.
    pub verdict: Option<Rc<Verdict>>,
}

fn clock_of(console: &Console) -> String {
    clock_text(console.sim().now())
}

/// The virtual clock as the page shows it: Redis's log timestamp.
pub fn clock_text(now: SimTime) -> String {
    format!("{} UTC", cluster_sim::log_timestamp(now))
}

/// `$ sleep` lines for a span of virtual time, each within what `sleep` accepts.
pub fn sleep_lines(ms: u64) -> Vec<String> {
    let max = (console::MAX_SLEEP_SECS as u64) * 1000;
    let mut lines = Vec::new();
    let mut left = ms;
    while left > 0 {
        let chunk = left.min(max);
        lines.push(format!("$ sleep {}", sleep_secs(chunk)));
        left -= chunk;
    }
    lines
}

/// `sleep`'s argument for a span of virtual time: seconds, as short as exact.
pub fn sleep_secs(ms: u64) -> String {
    let s = format!("{}.{:03}", ms / 1000, ms % 1000);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The first lines of a fresh playground's terminal.
pub const GREETING: [&str; 3] = [
    "# ClusterLab: a simulated Redis 7.0 cluster. Type `help` to see what you can do.",
    "# Try: redis-server --port 7000 --cluster-enabled yes --daemonize yes",
    "#      redis-cli -p 7000",
];

/// The first tab's lines: the greeting, and how many lines that appends (a tab counts them).
pub fn greeting_lines() -> (Rc<Vec<TermLine>>, u64) {
    (
        Rc::new(GREETING.iter().map(|t| output_line(t)).collect()),
        GREETING.len() as u64,
    )
}

/// A line a command printed.
pub fn output_line(text: &str) -> TermLine {
    TermLine {
        kind: LineKind::Output,
        text: text.to_string(),
    }
}

/// Splits printed text into scrollback lines. Redis's `\r\n` shows as a plain line break.
fn printed_lines(text: &str) -> impl Iterator<Item = TermLine> + '_ {
    let body = text.strip_suffix('\n').unwrap_or(text);
    body.split('\n')
        .filter(move |_| !text.is_empty())
        .map(|l| output_line(l.strip_suffix('\r').unwrap_or(l)))
}

/// The note for lines Ctrl-C dropped before they ran (none for none).
fn dropped_note(dropped: usize) -> Option<TermLine> {
    (dropped > 0).then(|| {
        output_line(&format!(
            "# Stopped: {dropped} more line{} not run.",
            if dropped == 1 { " was" } else { "s were" }
        ))
    })
}

/// Whether a shell line only lets time pass (`sleep N`, with no `$(...)` that could act).
fn is_plain_sleep(line: &str) -> bool {
    line.split_whitespace().next() == Some("sleep") && !line.contains("$(")
}

/// At most this many history lines are kept (and saved across reloads).
pub const MAX_HISTORY: usize = 500;

/// Things the playground can be asked to do.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Action {
    /// A line was typed in the active tab and Enter pressed.
    Submit(String),
    /// A button was clicked: run this `sim` (or other `$`) line without leaving the active
    /// tab's redis-cli, and record it like a typed line.
    Click(String),
    /// Ctrl-C: the line is abandoned, shown with `^C`.
    Interrupt(String),
    /// Ctrl-L: the active tab's screen is cleared.
    Clear,
    /// Real time passed (ms): while playing, virtual time follows at the chosen speed.
    Tick(f64),
    /// Start or stop the clock.
    SetPlaying(bool),
    /// Choose the speed.
    SetSpeed(f64),
    /// Run exactly the next event of the world.
    Step,
    /// Run until the next change of belief, role or process.
    RunToChange,
    /// Show the world as it was at this time (virtual ms since the Unix epoch).
    ScrubTo(u64),
    /// Leave the past and return to the live end of the timeline.
    BackToLive,
    /// Open a new terminal tab (a new shell).
    NewTab,
    /// Make this tab the active one.
    SelectTab(usize),
    /// Close this tab (the last one stays).
    CloseTab(usize),
    /// Start a new, empty world (the terminals stay).
    Reset,
    /// A fresh world with a built-in scenario: guided step by step, or run at once.
    LoadPreset(#[serde(with = "console::presets::by_name")] &'static Preset),
    /// Run the next step of the guided walk.
    GuideNext,
    /// A fresh world running the lines of a scenario file's text.
    LoadScenario(String),
    /// Show a problem in the error banner (a file that could not be read).
    ShowError(String),
    /// Hide the error banner.
    DismissError,
    /// A fresh world with this exercise of the built-in track set up.
    LoadExercise(usize),
    /// Show the next hint of the exercise.
    ShowHint,
    /// Check the exercise on a copy of the world.
    CheckExercise,
    /// Leave the exercise (the world stays).
    CloseExercise,
    /// A fresh world replaying a share link's scenario, at its seed and moment.
    OpenLink(Rc<console::share::SharedState>),
    /// A host page's options (the address's or the JavaScript API's): a fresh world set up as
    /// asked, with its speed, panels and read-only mode.
    Configure(Rc<EmbedOptions>),
    /// A line the host page runs through the JavaScript API: as if typed in the active tab,
    /// even when the playground is read-only (the host is the author).
    HostRun(String),
    /// Show or hide a panel; `layout` is the set shown when none was chosen yet.
    TogglePanel {
        /// The panel.
        panel: Panel,
        /// The layout's default set.
        layout: Panels,
    },
}

impl Playground {
    /// The state a share link carries: the seed, what was done, the moment shown, and the
    /// views' choices the page passes in.
    pub fn share(&self, node: Option<u16>, observer: Option<u16>) -> console::share::SharedState {
        console::share::SharedState {
            node,
            observer,
            ..crate::frame::shared_state(self.seed, &self.transcript, self.cursor, self.panels)
        }
    }

    /// A fresh playground with the history of an earlier session.
    pub fn with_history(seed: u64, history: Vec<String>) -> Self {
        let skip = history.len().saturating_sub(MAX_HISTORY);
        Playground {
            history: Rc::new(history.into_iter().skip(skip).collect()),
            ..Playground::new(seed)
        }
    }

    /// A fresh playground over a new world with `seed`, with a greeting.
    pub fn new(seed: u64) -> Self {
        let console = Console::new(seed);
        let (lines, appended) = greeting_lines();
        let mut p = Playground {
            clock: clock_of(&console),
            last_typed: console.sim().now(),
            console: Rc::new(RefCell::new(console)),
            seed,
            tabs: Rc::new(vec![Tab {
                id: 1,
                lines,
                prompt: "$ ".to_string(),
                appended,
                cleared: 0,
                session: Session::Shell,
            }]),
            active: 0,
            next_tab_id: 2,
            history: Rc::new(Vec::new()),
            version: 0,
            playing: false,
            speed: 1.0,
            carry: 0.0,
            max_debt: 0.0,
            max_ahead: 0.0,
            lead_ticks: 0,
            play_slice: Slice::FIRST,
            tick_budget: TICK_BUDGET_MS,
            behind: None,
            transcript: Rc::new(Vec::new()),
            timeline: Rc::new(Timeline::default()),
            cursor: None,
            cursor_index: 0,
            head_saved: false,
            story: Rc::new(Vec::new()),
            guide: None,
            story_generation: 0,
            story_restart_seq: 0,
            error: None,
            exercise: None,
            read_only: false,
            panels: None,
            last_run: None,
            running: None,
            pending: Rc::new(Vec::new()),
            queue: Rc::new(Vec::new()),
            stopping: None,
            scrub_after: None,
        };
        p.snapshot(true, p.now(), false);
        p
    }

    /// Lets each clock tick simulate for up to `ms` real milliseconds (a worker has a core of
    /// its own and can give the world most of each tick).
    pub fn with_tick_budget(self, ms: f64) -> Self {
        Playground {
            tick_budget: ms,
            ..self
        }
    }

    /// Lets a tick that could not run all the virtual time it owed pass up to `debt` ms of it
    /// on to the next ticks, and a tick that has time left, soon after one that left a debt,
    /// run up to `ahead` ms ahead of the clock. A big world's work comes in bursts (at 1,000
    /// nodes, a wave of PINGs once a second: docs/PERFORMANCE.md): a tick falls behind in a
    /// burst and has little to do after it, and without these the world would idle then and
    /// fall behind for good. On the page's thread both are 0, as paying a debt would hold the
    /// page for longer; a worker draws nothing. The clock shown then trails real time by at
    /// most `debt` and leads it by at most `ahead`, and only in a world that could not keep
    /// up.
    pub fn with_catch_up(self, debt: f64, ahead: f64) -> Self {
        Playground {
            max_debt: debt,
            max_ahead: ahead,
            ..self
        }
    }

    /// Whether the clock owes the world virtual time that a tick could not run.
    pub fn in_debt(&self) -> bool {
        self.carry >= 1.0
    }

    /// The console, for the engine, which reads what the page draws from its world.
    pub fn console(&self) -> Rc<RefCell<Console>> {
        Rc::clone(&self.console)
    }

    /// What the world looks like now, for the views. Past
    /// [`MAX_MATRIX_NODES`](crate::components::belief_matrix::MAX_MATRIX_NODES) the belief
    /// matrix shows no cells and the topology only each node's worst belief (its
    /// `consensus`), so a big world's picture has one cell per node, not a million.
    pub fn view(&self) -> cluster_sim::ClusterView {
        let console = self.console.borrow();
        let sim = console.sim();
        let nodes = sim.hosts().filter(|(_, h)| h.cluster.is_some()).count();
        sim.view_with(
            if nodes > crate::components::belief_matrix::MAX_MATRIX_NODES {
                cluster_sim::BeliefDetail::WorstPerTarget
            } else {
                cluster_sim::BeliefDetail::Full
            },
        )
    }

    /// The virtual time of the world shown.
    pub fn now(&self) -> SimTime {
        self.console.borrow().sim().now()
    }

    /// The active tab.
    pub fn tab(&self) -> &Tab {
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

    /// The transcript as a scenario file that reproduces the world shown: the lines up to this
    /// moment, and a `sleep` for the time that passed since the last one.
    pub fn transcript_text(&self) -> String {
        let (len, last_typed) = self.shown_transcript();
        crate::frame::transcript_text(&self.transcript[..len], last_typed, self.now())
    }

    /// How many of the transcript's lines lead to the moment shown, and when the last of them
    /// ran (in the past, a snapshot's; else the live world's).
    pub fn shown_transcript(&self) -> (usize, SimTime) {
        match self.cursor {
            Some(_) => {
                let snap = &self.timeline.snapshots()[self.cursor_index];
                (snap.transcript_len, snap.last_typed)
            }
            None => (self.transcript.len(), self.last_typed),
        }
    }

    /// The world's seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    fn bump(&mut self) {
        self.version += 1;
        self.clock = clock_of(&self.console.borrow());
    }

    /// Moves new story entries from the world into the playground's own bounded list.
    fn drain_story(&mut self) {
        let new = self.console.borrow_mut().sim_mut().drain_story();
        if new.is_empty() {
            return;
        }
        let story = Rc::make_mut(&mut self.story);
        story.extend(new);
        let excess = story.len().saturating_sub(MAX_STORY_KEPT);
        story.drain(..excess);
    }

    fn snapshot(&mut self, anchor: bool, started: SimTime, sleep_only: bool) {
        self.drain_story();
        if !Timeline::keeps(&self.console.borrow()) {
            // Too big to copy (hundreds of nodes): no rewinding, and no time spent copying.
            if !self.timeline.too_big() {
                Rc::make_mut(&mut self.timeline).give_up();
            }
            self.head_saved = true;
            return;
        }
        let console = self.console.borrow().clone();
        let story_next_seq = console.sim().story().next_seq();
        Rc::make_mut(&mut self.timeline).push(Snapshot {
            time: console.sim().now(),
            console,
            transcript_len: self.transcript.len(),
            last_typed: self.last_typed,
            story_next_seq,
            guide_next: self.guide.as_ref().map(|g| g.next),
            anchor,
            started,
            sleep_only,
        });
        self.head_saved = true;
    }

    /// Called before anything changes the world: if the learner is in the past, the future
    /// after that moment is dropped and the world goes on from there (a fork).
    fn fork_if_rewound(&mut self) {
        self.head_saved = false;
        if self.cursor.take().is_none() {
            return;
        }
        let index = self.cursor_index;
        let snap = Rc::clone(&self.timeline.snapshots()[index]);
        // Inside (or at the end of) a guided `sleep` step, that step counts as done: its time
        // has passed, and the next step is what the learner expects to run.
        let guide_next = match self.timeline.snapshots().get(index + 1) {
            Some(next) if next.anchor && next.sleep_only && next.started <= self.now() => {
                next.guide_next
            }
            _ => snap.guide_next,
        };
        Rc::make_mut(&mut self.timeline).truncate_after(index);
        Rc::make_mut(&mut self.transcript).truncate(snap.transcript_len);
        Rc::make_mut(&mut self.story).retain(|e| e.seq < snap.story_next_seq);
        self.last_typed = snap.last_typed;
        if let (Some(g), Some(next)) = (self.guide.as_mut(), guide_next) {
            g.next = next;
        }
        self.new_story_generation(snap.story_next_seq);
        self.drain_story();
    }

    fn new_story_generation(&mut self, restart_seq: u64) {
        self.story_generation += 1;
        self.story_restart_seq = restart_seq;
    }

    /// Records a line in the transcript, with a `sleep` for the time that passed since the
    /// previous one.
    fn record(&mut self, line: String, started: SimTime) {
        let transcript = Rc::make_mut(&mut self.transcript);
        if started > self.last_typed {
            transcript.extend(sleep_lines(started - self.last_typed));
        }
        transcript.push(line);
        self.last_typed = self.now();
    }

    fn push_lines(&mut self, new: impl IntoIterator<Item = TermLine>, clear: bool) {
        let tabs = Rc::make_mut(&mut self.tabs);
        let tab = &mut tabs[self.active];
        let lines = Rc::make_mut(&mut tab.lines);
        if clear {
            lines.clear();
            tab.cleared += 1;
            tab.appended = 0;
        }
        let before = lines.len();
        lines.extend(new);
        tab.appended += (lines.len() - before) as u64;
        let excess = lines.len().saturating_sub(MAX_SCROLLBACK);
        lines.drain(..excess);
    }

    fn remember(&mut self, line: &str) {
        let history = Rc::make_mut(&mut self.history);
        if !line.trim().is_empty() && history.last().map(String::as_str) != Some(line) {
            history.push(line.to_string());
            let excess = history.len().saturating_sub(MAX_HISTORY);
            history.drain(..excess);
        }
    }

    /// Runs a line typed in the active tab. A line that waits on virtual time runs for at
    /// most a tick's budget here and goes on with the clock's ticks.
    fn submit(&mut self, line: &str) {
        self.submit_with(line, &mut crate::wallclock::now_ms);
    }

    fn submit_with(&mut self, line: &str, clock: &mut dyn FnMut() -> f64) {
        let start = clock();
        self.start_submit(line);
        self.work(start, clock);
    }

    /// Whether a line runs or scenario lines wait to run: typing waits meanwhile.
    pub fn busy(&self) -> bool {
        self.running.is_some() || !self.queue.is_empty() || !self.pending.is_empty()
    }

    /// Whether the clock ticks: it plays, or lines run ([`busy`](Self::busy)).
    pub fn ticking(&self) -> bool {
        self.playing || self.busy()
    }

    /// What the terminal says while [`busy`](Self::busy).
    pub fn busy_note(&self) -> String {
        let mut note = match &self.running {
            Some(r) => format!(
                "Running: {} s of virtual time so far.",
                sleep_secs(r.borrow().elapsed(self.now()))
            ),
            None => "Running.".to_string(),
        };
        if self.stopping.is_some() {
            note.push_str(
                " Ctrl-C: redis-cli --cluster ends once the nodes agree (a transcript could not replay it stopped midway); nothing runs after it.",
            );
            return note;
        }
        let waiting = self.queue.len() + self.pending.len();
        if waiting > 0 {
            note.push_str(&format!(
                " {waiting} more line{} to run.",
                if waiting == 1 { "" } else { "s" }
            ));
        }
        note
    }

    fn start_submit(&mut self, line: &str) {
        if line.trim().is_empty() {
            // An empty line only shows a new prompt: it changes nothing, so it does not fork.
            let text = self.prompt().to_string();
            self.push_lines(
                [TermLine {
                    kind: LineKind::Input,
                    text,
                }],
                false,
            );
            return;
        }
        self.fork_if_rewound();
        let started = self.now();
        let shown_prompt = self.prompt().to_string();
        // A scenario names the node in prompt lines, even when redis-cli shows
        // `not connected> ` (it reconnects when the next command is sent).
        let recorded_prompt = match &self.tab().session {
            Session::Shell => "$ ".to_string(),
            Session::Cli(c) => format!("{}:{}> ", c.host, c.port),
        };
        let step = {
            let mut c = self.console.borrow_mut();
            c.set_session(self.tab().session.clone());
            c.start(line)
        };
        let run = RunningLine {
            job: None,
            line: line.to_string(),
            started,
            shown_prompt,
            recorded_prompt,
            from_scenario: false,
            slice: Slice::FIRST,
        };
        self.started(run, step);
    }

    /// Starts one scenario line (as a preset or a loaded file does) in the active tab.
    fn start_typed(&mut self, typed: &Typed) {
        self.fork_if_rewound();
        let started = self.now();
        let (prompt, step) = {
            let mut c = self.console.borrow_mut();
            c.set_session(self.tab().session.clone());
            match typed {
                Typed::Shell(cmd) => ("$ ".to_string(), c.start_shell(cmd)),
                Typed::Prompt { .. } => {
                    let (shown, out) = eval_typed(&mut c, typed);
                    let prompt = shown
                        .strip_suffix(out.line.as_str())
                        .unwrap_or("")
                        .to_string();
                    (prompt, Started::Done(out))
                }
            }
        };
        let line = match typed {
            Typed::Shell(cmd) => cmd.clone(),
            Typed::Prompt { command, .. } => command.clone(),
        };
        let run = RunningLine {
            job: None,
            line,
            started,
            shown_prompt: prompt.clone(),
            recorded_prompt: prompt,
            from_scenario: true,
            slice: Slice::FIRST,
        };
        self.started(run, step);
    }

    /// A line has started: shown now if it ended, else kept running.
    fn started(&mut self, mut run: RunningLine, step: Started) {
        match step {
            Started::Done(out) => self.finish_line(&run, out),
            Started::Running(job) => {
                run.job = Some(job);
                self.running = Some(Rc::new(RefCell::new(run)));
            }
        }
    }

    /// Lets the running line go on, then the scenario's lines and the host's in order, until
    /// the tick's real-time budget (counted from `start`) is used.
    fn work(&mut self, start: f64, clock: &mut dyn FnMut() -> f64) {
        loop {
            if let Some(running) = self.running.clone() {
                let mut r = running.borrow_mut();
                let Some(job) = r.job.take() else {
                    self.running = None;
                    continue;
                };
                let before = clock();
                let step =
                    self.console
                        .borrow_mut()
                        .resume_at_most(job, r.slice.ms, r.slice.events);
                match step {
                    Started::Done(out) => {
                        self.running = None;
                        self.finish_line(&r, out);
                        if let Some(dropped) = self.stopping.take() {
                            self.push_lines(dropped_note(dropped), false);
                        }
                    }
                    Started::Running(job) => {
                        r.job = Some(job);
                        // Longer slices waste less time checking the clock.
                        r.slice = r.slice.adapt(clock() - before, MAX_RUNNING_SLICE_MS);
                    }
                }
            } else if let Some((next, rest)) = self.queue.split_first() {
                let next = next.clone();
                self.queue = Rc::new(rest.to_vec());
                self.start_typed(&next);
            } else if let Some((next, rest)) = self.pending.split_first() {
                let next = next.clone();
                self.pending = Rc::new(rest.to_vec());
                self.start_submit(&next);
            } else {
                // A share link's moment, once its lines have all run.
                if let Some(at) = self.scrub_after.take() {
                    self.scrub_to(at);
                }
                break;
            }
            if clock() - start > self.tick_budget {
                break;
            }
        }
        self.drain_story();
    }

    /// Shows a line that ended, records it and saves the moment.
    fn finish_line(&mut self, run: &RunningLine, out: console::Output) {
        if run.from_scenario {
            self.finish_typed(run, out);
            return;
        }
        let line = run.line.as_str();
        let started = run.started;
        let session = self.console.borrow().session().clone();
        // A scenario writes prompt lines as `host:port> `; the shell's is `$ `.
        let sleep_only = run.recorded_prompt == "$ " && is_plain_sleep(line);
        self.record(format!("{}{}", run.recorded_prompt, out.line), started);
        let mut new = Vec::new();
        if !out.clear {
            new.push(TermLine {
                kind: LineKind::Input,
                text: format!("{}{line}", run.shown_prompt),
            });
            new.extend(printed_lines(&out.text));
        }
        self.push_lines(new, out.clear);
        let output = printed_lines(&out.text)
            .map(|l| l.text)
            .collect::<Vec<_>>()
            .join("\n");
        self.set_last_run(line, output);
        let prompt = self.console.borrow().prompt();
        let tab = &mut Rc::make_mut(&mut self.tabs)[self.active];
        tab.session = session;
        tab.prompt = prompt;
        self.remember(line);
        self.snapshot(true, started, sleep_only);
    }

    /// Tells the host page what the last line printed, numbered after the one before.
    fn set_last_run(&mut self, line: &str, output: String) {
        self.last_run = Some(Rc::new(LineRun {
            seq: self.last_run.as_ref().map_or(1, |r| r.seq + 1),
            line: line.to_string(),
            output,
        }));
    }

    /// Ctrl-C while lines run, as in a shell running a script: a running `sleep` stops where
    /// it is, and the lines still waiting (the rest of a loaded file, the host page's) are
    /// dropped. The cluster manager's wait for the nodes to agree goes on to its end, because
    /// a transcript could not replay it stopped midway; the terminal says so meanwhile.
    fn interrupt_running(&mut self) {
        let dropped = self.queue.len() + self.pending.len();
        self.queue = Rc::new(Vec::new());
        self.pending = Rc::new(Vec::new());
        // A share link's moment is out of reach once its lines stop.
        self.scrub_after = None;
        let Some(running) = self.running.clone() else {
            self.push_lines(dropped_note(dropped), false);
            return;
        };
        let r = running.borrow();
        if !(r.job.as_ref().is_some_and(Job::sleeping) && is_plain_sleep(&r.line)) {
            self.stopping = Some(self.stopping.unwrap_or(0) + dropped);
            return;
        }
        self.running = None;
        let mut new = vec![TermLine {
            kind: LineKind::Input,
            text: r.input(),
        }];
        new.extend(printed_lines(&r.progress()));
        // A terminal echoes ^C on its own line, under the line it stopped.
        new.push(output_line("^C"));
        new.extend(dropped_note(dropped));
        self.push_lines(new, false);
        if !r.from_scenario {
            self.remember(&r.line);
            self.set_last_run(&r.line, "^C".to_string());
        }
        // The line is not recorded: the time it let pass is, as a `sleep` before the next
        // line, exactly as when the clock plays.
        self.snapshot(true, r.started, true);
    }

    /// Runs a `$` line for a button, keeping the active tab's session.
    fn click(&mut self, line: &str) {
        self.fork_if_rewound();
        let started = self.now();
        let out = {
            let mut c = self.console.borrow_mut();
            let out = c.eval_shell(line);
            c.set_session(self.tab().session.clone());
            out
        };
        self.record(format!("$ {}", out.line), started);
        let mut new = vec![TermLine {
            kind: LineKind::Input,
            text: format!("$ {line}"),
        }];
        new.extend(printed_lines(&out.text));
        self.push_lines(new, false);
        self.snapshot(true, started, false);
    }

    /// Shows a scenario line that ended, records it and saves the moment.
    fn finish_typed(&mut self, run: &RunningLine, out: console::Output) {
        let shown = format!("{}{}", run.shown_prompt, out.line);
        let (session, prompt) = {
            let c = self.console.borrow();
            (c.session().clone(), c.prompt())
        };
        let sleep_only = run.shown_prompt == "$ " && is_plain_sleep(&run.line);
        self.record(shown.clone(), run.started);
        let mut new = vec![TermLine {
            kind: LineKind::Input,
            text: shown,
        }];
        new.extend(printed_lines(&out.text));
        self.push_lines(new, out.clear);
        let tab = &mut Rc::make_mut(&mut self.tabs)[self.active];
        tab.session = session;
        tab.prompt = prompt;
        self.snapshot(true, run.started, sleep_only);
    }

    /// A new world; tabs keep their scrollback but go back to the shell.
    fn reset_world(&mut self, note: &str) {
        self.running = None;
        self.stopping = None;
        self.scrub_after = None;
        self.pending = Rc::new(Vec::new());
        self.queue = Rc::new(Vec::new());
        let fresh = Playground::new(self.seed);
        let console = fresh.console.borrow().clone();
        *self.console.borrow_mut() = console;
        self.timeline = fresh.timeline;
        self.transcript = fresh.transcript;
        self.story = fresh.story;
        self.last_typed = fresh.last_typed;
        self.cursor = None;
        self.head_saved = true;
        self.guide = None;
        self.exercise = None;
        self.new_story_generation(0);
        self.playing = false;
        self.error = None;
        for tab in Rc::make_mut(&mut self.tabs).iter_mut() {
            tab.session = Session::Shell;
            tab.prompt = "$ ".to_string();
        }
        self.push_lines([output_line(note)], false);
    }

    /// A fresh world with a preset: its guided walk, or all its lines run at once.
    fn load_preset(&mut self, preset: &'static Preset) {
        self.reset_world(&format!("# Preset: {}", preset.title));
        if preset.guided {
            self.guide = Some(Guide {
                preset,
                steps: Rc::new(guide(preset.text)),
                next: 0,
            });
        } else {
            let steps = guide(preset.text).into_iter().map(|s| s.typed).collect();
            self.run_queued(steps);
        }
    }

    /// A fresh world with an exercise of the track set up.
    fn load_exercise(&mut self, index: usize) {
        let Some(builtin) = TRACK.get(index) else {
            return;
        };
        match Exercise::parse(builtin.text) {
            Ok(exercise) => {
                self.reset_world(&format!("# Exercise: {}", exercise.title));
                let steps = Scenario::parse(&exercise.setup).steps;
                self.run_queued(steps.into_iter().map(|s| s.typed).collect());
                self.exercise = Some(ExerciseRun {
                    index,
                    exercise: Rc::new(exercise),
                    hints_shown: 0,
                    verdict: None,
                });
            }
            Err(e) => self.error = Some(format!("That exercise is broken: {e}")),
        }
    }

    /// A fresh world running a scenario's lines (already checked).
    fn load_scenario(&mut self, text: &str, note: &str) {
        self.reset_world(note);
        let steps = Scenario::parse(text).steps;
        self.run_queued(steps.into_iter().map(|s| s.typed).collect());
    }

    /// Runs scenario lines in order: as many as a tick's budget allows now, the rest with the
    /// clock's ticks (a file that builds a big cluster would otherwise freeze the page).
    fn run_queued(&mut self, steps: Vec<Typed>) {
        let clock = &mut crate::wallclock::now_ms;
        let start = clock();
        Rc::make_mut(&mut self.queue).extend(steps);
        self.work(start, clock);
    }

    /// Applies a host page's options: seed, world, speed, panels, read-only, clock.
    fn configure(&mut self, options: &EmbedOptions) {
        if let Some(seed) = options.seed {
            self.seed = seed;
        }
        match &options.start {
            Start::Empty => self.reset_world("# A new, empty world."),
            Start::Preset(p) => self.load_preset(p),
            Start::Exercise(i) => self.load_exercise(*i),
            Start::Scenario(text) => match console::embed::check_scenario_text(text) {
                Ok(()) => self.load_scenario(text, "# The page's scenario."),
                Err(e) => {
                    self.reset_world("# A new, empty world.");
                    self.error = Some(format!("The page's scenario cannot be run: {e}."));
                }
            },
        }
        if let Some(speed) = options.speed {
            self.speed = speed;
        }
        if options.panels.is_some() {
            self.panels = options.panels;
        }
        self.read_only = options.read_only;
        self.playing = options.play;
        self.carry = 0.0;
    }

    /// After a tick of `real_ms` that owed `owed` virtual ms, set out to run `goal` and ran
    /// `ran`: keeps what did not run as a debt, up to `max_debt` (or what ran ahead as a
    /// negative one), and notes the speed reached if more than that was left.
    fn settle_tick(&mut self, owed: f64, goal: f64, ran: u64, real_ms: f64) {
        let left = owed - ran as f64;
        if left >= 1.0 {
            self.lead_ticks = LEAD_TICKS;
        }
        self.behind = if (ran as f64) < goal && left > self.max_debt {
            // What could not run beyond the debt allowed is dropped, not owed: catching up
            // later would only freeze the page for longer.
            self.carry = self.max_debt;
            Some(ran as f64 / real_ms)
        } else {
            self.carry = left;
            None
        };
    }

    /// Lets up to `ms` of virtual time pass in slices, stopping once the tick has used its
    /// real-time budget; returns the virtual milliseconds that ran. Slicing changes nothing in
    /// the world: events run in time order whatever the steps.
    fn play_within_budget(&mut self, ms: u64, clock: &mut dyn FnMut() -> f64) -> u64 {
        let start = clock();
        let mut ran = 0;
        while ran < ms {
            let slice = (ms - ran).min(self.play_slice.ms);
            let before = clock();
            ran += self.play_for(slice, self.play_slice.events);
            let now = clock();
            self.play_slice = self.play_slice.adapt(now - before, TICK_SLICE_MS);
            if now - start > self.tick_budget {
                break;
            }
        }
        ran
    }

    /// Lets the clock's virtual time pass: `ms`, or less if `max_events` events run first;
    /// returns the virtual milliseconds that passed.
    fn play_for(&mut self, ms: u64, max_events: u64) -> u64 {
        self.fork_if_rewound();
        let before = self.now();
        self.console.borrow_mut().advance_at_most(ms, max_events);
        self.snapshot_if_due();
        self.now() - before
    }

    fn snapshot_if_due(&mut self) {
        let last = self.timeline.last().map(|s| s.time);
        let now = self.now();
        let every = snapshot_interval(&self.console.borrow());
        if last.is_none_or(|t| now - t >= every) {
            self.snapshot(false, now, false);
        } else {
            self.drain_story();
        }
    }

    fn scrub_to(&mut self, t: SimTime) {
        if self.cursor.is_none() && !self.head_saved {
            let now = self.now();
            self.snapshot(false, now, false);
        }
        let Some(restored) = self.timeline.world_at(t) else {
            return;
        };
        let live_end = self.timeline.snapshots().len() - 1;
        let at = restored.console.sim().now();
        *self.console.borrow_mut() = restored.console;
        self.playing = false;
        if restored.index == live_end && self.timeline.last().is_some_and(|s| s.time == at) {
            self.cursor = None;
            self.head_saved = true;
        } else {
            self.cursor = Some(at);
            self.cursor_index = restored.index;
        }
    }
}

impl PartialEq for Playground {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.console, &other.console) && self.version == other.version
    }
}

impl Reducible for Playground {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        if s.busy() {
            match action {
                // The running line goes on; the clock waits for it, as the shell does.
                Action::Tick(_) => {
                    let clock = &mut crate::wallclock::now_ms;
                    let start = clock();
                    s.work(start, clock);
                    s.bump();
                    return Rc::new(s);
                }
                // The host's lines run after it, in order.
                Action::HostRun(line) => {
                    Rc::make_mut(&mut s.pending).push(line);
                    return Rc::new(s);
                }
                // What does not act on the world, and what replaces it, goes on; the rest
                // waits for the line (the terminal shows it running).
                Action::SetPlaying(_)
                | Action::SetSpeed(_)
                | Action::TogglePanel { .. }
                | Action::ShowError(_)
                | Action::DismissError
                | Action::ShowHint
                | Action::CloseExercise
                | Action::Reset
                | Action::LoadPreset(_)
                | Action::LoadExercise(_)
                | Action::LoadScenario(_)
                | Action::OpenLink(_)
                | Action::Configure(_) => {}
                Action::Interrupt(_) => {
                    s.interrupt_running();
                    s.bump();
                    return Rc::new(s);
                }
                _ => return self,
            }
        }
        match action {
            Action::Tick(real_ms) => {
                if !s.playing {
                    return self;
                }
                let owed = s.carry + real_ms * s.speed;
                // What this tick runs: what is owed, and in a worker that was lately in debt up
                // to `max_ahead` more.
                let ahead = if s.lead_ticks > 0 {
                    s.lead_ticks -= 1;
                    s.max_ahead
                } else {
                    0.0
                };
                let goal = (owed + ahead).floor();
                if goal < 1.0 {
                    s.carry = owed;
                    return Rc::new(s);
                }
                let ran = s.play_within_budget(goal as u64, &mut crate::wallclock::now_ms);
                s.settle_tick(owed, goal, ran, real_ms);
            }
            Action::SetPlaying(playing) => {
                s.playing = playing;
                s.carry = 0.0;
                s.behind = None;
            }
            Action::SetSpeed(speed) => {
                s.speed = speed.clamp(SPEEDS[0], SPEEDS[SPEEDS.len() - 1]);
                s.behind = None;
            }
            Action::Step => {
                s.fork_if_rewound();
                {
                    let mut c = s.console.borrow_mut();
                    c.sim_mut().step();
                    // Finish the millisecond: a scenario's `sleep` can only stop between
                    // milliseconds, so this keeps the transcript a faithful replay.
                    c.sim_mut().advance(0);
                }
                s.snapshot_if_due();
            }
            Action::RunToChange => {
                s.fork_if_rewound();
                s.console
                    .borrow_mut()
                    .sim_mut()
                    .run_until_change(RUN_TO_CHANGE_LIMIT);
                s.snapshot_if_due();
            }
            Action::ScrubTo(ms) => s.scrub_to(SimTime::from_unix_millis(ms)),
            Action::BackToLive => {
                if s.cursor.is_none() {
                    return self;
                }
                if let Some(last) = s.timeline.last().map(|l| l.time) {
                    s.scrub_to(last);
                }
            }
            Action::Clear => s.push_lines([], true),
            Action::Interrupt(line) => {
                let text = format!("{}{line}^C", s.prompt());
                s.push_lines(
                    [TermLine {
                        kind: LineKind::Input,
                        text,
                    }],
                    false,
                );
            }
            Action::Submit(_) | Action::Click(_) if s.read_only => return self,
            Action::HostRun(line) => s.submit(&line),
            Action::Configure(options) => s.configure(&options),
            Action::TogglePanel { panel, layout } => {
                let next = s.panels.unwrap_or(layout).toggled(panel);
                // The last panel stays: a page showing nothing has no way back but a reload.
                if next.iter().next().is_none() {
                    return self;
                }
                s.panels = Some(next);
            }
            Action::Submit(line) => {
                // An exercise may limit the commands: a refused line is shown, not run.
                let refusal = s.exercise.as_ref().and_then(|x| {
                    let typed = match &s.tab().session {
                        Session::Shell => Typed::Shell(line.clone()),
                        Session::Cli(c) => Typed::Prompt {
                            host: c.host.clone(),
                            port: u16::try_from(c.port).unwrap_or(0),
                            command: line.clone(),
                        },
                    };
                    x.exercise.allows(&typed).err()
                });
                match refusal {
                    Some(why) if !line.trim().is_empty() => {
                        let input = TermLine {
                            kind: LineKind::Input,
                            text: format!("{}{line}", s.prompt()),
                        };
                        s.push_lines([input, output_line(&format!("(error) {why}"))], false);
                    }
                    _ => s.submit(&line),
                }
            }
            Action::LoadExercise(index) => s.load_exercise(index),
            Action::ShowHint => {
                if let Some(x) = s.exercise.as_mut() {
                    x.hints_shown = (x.hints_shown + 1).min(x.exercise.hints.len());
                }
            }
            Action::CheckExercise => {
                let verdict = s
                    .exercise
                    .as_ref()
                    .map(|x| x.exercise.check(&s.console.borrow()));
                if let (Some(x), Some(v)) = (s.exercise.as_mut(), verdict) {
                    x.verdict = Some(Rc::new(v));
                }
            }
            Action::CloseExercise => s.exercise = None,
            Action::OpenLink(link) => match link.check_limits() {
                Err(e) => s.error = Some(format!("This share link cannot be opened: {e}.")),
                Ok(()) => {
                    s.seed = link.seed;
                    s.reset_world("# Opened a shared link.");
                    s.scrub_after = link.at.map(SimTime::from_unix_millis);
                    s.panels = link.panels;
                    let steps = Scenario::parse(&link.lines.join("\n")).steps;
                    s.run_queued(steps.into_iter().map(|s| s.typed).collect());
                }
            },
            Action::Click(line) => s.click(&line),
            Action::NewTab => {
                if s.tabs.len() < MAX_TABS {
                    let id = s.next_tab_id;
                    s.next_tab_id += 1;
                    let tabs = Rc::make_mut(&mut s.tabs);
                    tabs.push(Tab {
                        id,
                        lines: Rc::new(vec![output_line(&format!(
                            "# Terminal {id}: a new shell on the same cluster."
                        ))]),
                        prompt: "$ ".to_string(),
                        appended: 1,
                        cleared: 0,
                        session: Session::Shell,
                    });
                    s.active = tabs.len() - 1;
                }
            }
            Action::SelectTab(i) => {
                if i < s.tabs.len() {
                    s.active = i;
                }
            }
            Action::CloseTab(i) => {
                if s.tabs.len() > 1 && i < s.tabs.len() {
                    Rc::make_mut(&mut s.tabs).remove(i);
                    if s.active >= i && s.active > 0 {
                        s.active -= 1;
                    }
                }
            }
            Action::Reset => s.reset_world("# A new, empty world."),
            Action::LoadPreset(preset) => s.load_preset(preset),
            Action::GuideNext => {
                // Fork first: that rewinds the walk too, so the step run is the one shown.
                s.fork_if_rewound();
                let next = s.guide.as_mut().and_then(|g| {
                    let step = g.steps.get(g.next).cloned()?;
                    g.next += 1;
                    Some(step)
                });
                if let Some(step) = next {
                    s.run_queued(vec![step.typed]);
                }
            }
            Action::LoadScenario(text) => match console::embed::check_scenario_text(&text) {
                Err(e) => s.error = Some(format!("That file cannot be loaded: {e}.")),
                Ok(()) => s.load_scenario(&text, "# Loaded a scenario file."),
            },
            Action::ShowError(e) => s.error = Some(e),
            Action::DismissError => s.error = None,
        }
        s.bump();
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn act(s: Rc<Playground>, action: Action) -> Rc<Playground> {
        s.reduce(action)
    }

    fn submit(s: Rc<Playground>, line: &str) -> Rc<Playground> {
        act(s, Action::Submit(line.to_string()))
    }

    fn last_lines(s: &Playground, n: usize) -> Vec<String> {
        let lines = &s.tabs[s.active].lines;
        lines[lines.len().saturating_sub(n)..]
            .iter()
            .map(|l| l.text.clone())
            .collect()
    }

    #[test]
    fn an_exercise_sets_up_its_world_and_checks_the_learners_work() {
        let s = Rc::new(Playground::new(1));
        let s = act(s, Action::LoadExercise(0));
        let x = s.exercise.clone().expect("an exercise runs");
        assert_eq!(x.exercise.title, "Slots and redirection");
        // The setup ran: three masters with their slots, and it is in the transcript.
        assert!(nodes(&s, 7001).contains("5461-10922"));
        assert!(s.transcript_text().contains("--cluster create"));
        let s = act(s, Action::ShowHint);
        assert_eq!(s.exercise.as_ref().map(|x| x.hints_shown), Some(1));
        let verdict = |s: &Playground| {
            s.exercise
                .as_ref()
                .and_then(|x| x.verdict.clone())
                .expect("a verdict")
        };
        let s = act(s, Action::CheckExercise);
        assert!(!verdict(&s).passed());
        let s = submit(s, "redis-cli -c -p 7000 SET user:1 alice");
        let s = act(s, Action::CheckExercise);
        assert!(verdict(&s).passed(), "{}", verdict(&s));
        // Another preset leaves the exercise.
        let s = act(s, Action::Reset);
        assert!(s.exercise.is_none());
    }

    #[test]
    fn a_share_link_reopens_the_same_world_at_the_same_moment() {
        let mut s = act(
            Rc::new(Playground::new(3)),
            Action::LoadPreset(&console::presets::PRESETS[1]),
        );
        s = submit(s, "sim kill 7000");
        s = submit(s, "sleep 30");
        let after = nodes(&s, 7001);
        let earlier = s
            .timeline
            .snapshots()
            .get(2)
            .map(|snap| snap.time)
            .expect("snapshots");
        s = act(s, Action::ScrubTo(earlier.as_unix_millis()));
        let shown = nodes(&s, 7001);
        let link = s.share(Some(7003), None);
        assert_eq!(link.seed, 3);
        let fragment = link.to_fragment();
        let opened = console::share::SharedState::from_fragment(&fragment).expect("decodes");
        let t = act(
            Rc::new(Playground::new(1)),
            Action::OpenLink(Rc::new(opened)),
        );
        assert_eq!(t.cursor, s.cursor, "the same moment");
        assert_eq!(nodes(&t, 7001), shown);
        let t = act(t, Action::BackToLive);
        assert_eq!(nodes(&t, 7001), after, "and the same future");
        assert!(t.error.is_none());
        // A link that would simulate too much is refused with a reason.
        let mut heavy = console::share::SharedState {
            seed: 1,
            ..Default::default()
        };
        heavy.lines = vec!["$ sleep 86400".to_string(); 2];
        let t = act(t, Action::OpenLink(Rc::new(heavy)));
        assert!(
            t.error
                .as_deref()
                .is_some_and(|e| e.contains("virtual hours"))
        );
    }

    #[test]
    fn a_host_configures_the_world_and_drives_a_read_only_playground() {
        let options = EmbedOptions {
            start: Start::Preset(console::presets::preset("three-plus-three").expect("preset")),
            seed: Some(42),
            speed: Some(10.0),
            panels: Some(Panels::parse("terminal,slots").expect("valid")),
            read_only: true,
            play: true,
        };
        let s = act(
            Rc::new(Playground::new(1)),
            Action::Configure(Rc::new(options)),
        );
        assert_eq!((s.seed, s.speed, s.playing), (42, 10.0, true));
        assert_eq!(s.view().nodes.len(), 6);
        assert_eq!(
            s.panels.map(|p| p.to_string()).as_deref(),
            Some("terminal,slots")
        );
        // Typing and buttons are refused; the host's lines run and are reported.
        let before = s.transcript.len();
        let s = submit(s, "sim kill 7000");
        let s = act(s, Action::Click("sim kill 7000".into()));
        assert_eq!(s.transcript.len(), before, "nothing ran");
        assert!(s.last_run.is_none());
        // As typed in the active tab: the preset left it in redis-cli.
        let s = act(s, Action::HostRun("PING".into()));
        let run = s.last_run.clone().expect("a run");
        assert_eq!(
            (run.seq, run.line.as_str(), run.output.as_str()),
            (1, "PING", "PONG")
        );
        let s = act(s, Action::HostRun("DBSIZE".into()));
        assert_eq!(
            s.last_run.as_ref().map(|r| (r.seq, r.output.clone())),
            Some((2, "(integer) 0".into()))
        );
        // The same options again give the same world (the API's reset).
        let mut again = act(
            Rc::new(Playground::new(1)),
            Action::Configure(Rc::new(EmbedOptions {
                start: Start::Preset(console::presets::preset("three-plus-three").expect("preset")),
                seed: Some(42),
                ..EmbedOptions::default()
            })),
        );
        assert_eq!(
            nodes(&again, 7000),
            nodes(
                &act(
                    s,
                    Action::Configure(Rc::clone(&Rc::new(EmbedOptions {
                        start: Start::Preset(
                            console::presets::preset("three-plus-three").expect("preset")
                        ),
                        seed: Some(42),
                        ..EmbedOptions::default()
                    })))
                ),
                7000
            )
        );
        // A bad scenario text leaves an empty world and says why.
        again = act(
            again,
            Action::Configure(Rc::new(EmbedOptions {
                start: Start::Scenario("$ sleep 90000".into()),
                ..EmbedOptions::default()
            })),
        );
        assert!(
            again
                .error
                .as_deref()
                .is_some_and(|e| e.contains("virtual hours"))
        );
        assert!(again.view().nodes.is_empty());
    }

    #[test]
    fn panels_toggle_but_the_last_one_stays_and_links_carry_them() {
        let s = Rc::new(Playground::new(1));
        let s = act(
            s,
            Action::TogglePanel {
                panel: Panel::Events,
                layout: Panels::ALL,
            },
        );
        let shown = s.panels.expect("chosen");
        assert!(!shown.shows(Panel::Events) && shown.shows(Panel::Slots));
        let link = s.share(None, None);
        let t = act(Rc::new(Playground::new(1)), Action::OpenLink(Rc::new(link)));
        assert_eq!(t.panels, Some(shown), "the link carries the layout");
        let mut s = act(
            Rc::new(Playground::new(1)),
            Action::TogglePanel {
                panel: Panel::Terminal,
                layout: Panels::EMBED,
            },
        );
        for p in [Panel::Clock, Panel::Topology, Panel::Guide] {
            s = act(
                s,
                Action::TogglePanel {
                    panel: p,
                    layout: Panels::EMBED,
                },
            );
        }
        assert_eq!(
            s.panels.map(|p| p.to_string()).as_deref(),
            Some("guide"),
            "the last panel stays"
        );
    }

    #[test]
    fn an_exercise_refuses_commands_it_does_not_allow() {
        // "Moving a slot by hand" allows CLUSTER and MIGRATE but not the cluster manager.
        let index = TRACK
            .iter()
            .position(|b| b.name == "moving-a-slot-by-hand")
            .expect("in the track");
        let s = act(Rc::new(Playground::new(1)), Action::LoadExercise(index));
        let before = s.transcript_text();
        let s = submit(s, "redis-cli --cluster reshard 127.0.0.1:7000");
        assert_eq!(s.transcript_text(), before, "the refused line did not run");
        let shown = last_lines(&s, 1).join("\n");
        assert!(shown.contains("'reshard' is not allowed"), "{shown}");
        let s = submit(s, "redis-cli -p 7001 CLUSTER COUNTKEYSINSLOT 10778");
        assert_eq!(last_lines(&s, 1), vec!["(integer) 1".to_string()]);
    }

    fn nodes(s: &Playground, port: u16) -> String {
        let mut c = s.console().borrow().clone();
        c.eval_at("127.0.0.1", port, "CLUSTER NODES").text
    }

    #[test]
    fn ticks_move_virtual_time_at_the_chosen_speed_only_while_playing() {
        let s = Rc::new(Playground::new(1));
        let s = submit(s, "redis-server --port 7000 --cluster-enabled yes");
        let start = s.clock.clone();
        // Paused: nothing moves.
        let s = act(s, Action::Tick(1000.0));
        assert_eq!(s.clock, start);
        let s = act(s, Action::SetPlaying(true));
        let s = act(s, Action::SetSpeed(10.0));
        let s = act(s, Action::Tick(100.0));
        assert_eq!(s.clock, "14 Jan 2020 23:34:34.000 UTC");
        // Slow motion keeps the fractions: 0.01x over 50 ms ticks adds up.
        let mut s = act(s, Action::SetSpeed(0.01));
        for _ in 0..200 {
            s = act(s, Action::Tick(50.0));
        }
        assert_eq!(s.clock, "14 Jan 2020 23:34:34.100 UTC");
        // Speeds outside the scale are clamped.
        let s = act(s, Action::SetSpeed(1e9));
        assert_eq!(s.speed, 100.0);
    }

    #[test]
    fn a_long_line_runs_over_ticks_and_ends_as_if_it_ran_at_once() {
        let six = || {
            let mut s = Rc::new(Playground::new(2));
            for p in 7000..=7005 {
                s = submit(
                    s,
                    &format!("redis-server --port {p} --cluster-enabled yes --daemonize yes"),
                );
            }
            s
        };
        let create = "redis-cli --cluster create 127.0.0.1:7000 127.0.0.1:7001 127.0.0.1:7002 127.0.0.1:7003 127.0.0.1:7004 127.0.0.1:7005 --cluster-replicas 1 --cluster-yes";
        let info = "redis-cli -p 7000 CLUSTER INFO";
        let whole = act(submit(six(), create), Action::HostRun(info.into()));
        assert!(whole.running.is_none());

        // A clock that moves 10 ms per reading: the tick's budget ends after two slices, long
        // before the nodes have joined.
        let mut s = (*six()).clone();
        let mut t = 0.0;
        let mut clock = || {
            t += 10.0;
            t
        };
        s.submit_with(create, &mut clock);
        let s = Rc::new(s);
        let running = s.running.clone().expect("still running");
        assert_eq!(running.borrow().input(), format!("$ {create}"));
        assert!(
            running
                .borrow()
                .progress()
                .contains(">>> Sending CLUSTER MEET messages")
        );
        assert!(
            !s.lines()
                .iter()
                .any(|l| l.text.contains("--cluster create"))
        );
        // Typing and buttons wait for it; the host's lines are queued.
        let typed = act(
            Rc::clone(&s),
            Action::Submit("redis-cli -p 7000 PING".into()),
        );
        assert!(Rc::ptr_eq(&typed, &s));
        let s = act(s, Action::HostRun(info.into()));
        assert!(s.running.is_some());
        // A tick lets it go on (natively the clock stands still, so it ends), then the host's
        // line runs.
        let s = act(s, Action::Tick(50.0));
        assert!(s.running.is_none());
        assert_eq!(s.transcript_text(), whole.transcript_text());
        let texts = |p: &Playground| p.lines().iter().map(|l| l.text.clone()).collect::<Vec<_>>();
        assert_eq!(texts(&s), texts(&whole));
        assert_eq!(
            s.console.borrow().sim().trace_hash(),
            whole.console.borrow().sim().trace_hash()
        );
        assert_eq!(s.last_run.as_ref().map(|r| r.line.as_str()), Some(info));
        assert!(s.timeline.range().is_some_and(|(_, end)| end == s.now()));
    }

    #[test]
    fn a_loaded_scenario_runs_over_ticks_and_ends_as_if_it_ran_at_once() {
        let text = "$ redis-server --port 7000 --cluster-enabled yes --daemonize yes\n$ redis-server --port 7001 --cluster-enabled yes --daemonize yes\n$ redis-server --port 7002 --cluster-enabled yes --daemonize yes\n$ redis-cli --cluster create 127.0.0.1:7000 127.0.0.1:7001 127.0.0.1:7002 --cluster-replicas 0 --cluster-yes\n$ sleep 3\n127.0.0.1:7001> CLUSTER INFO\n";
        let whole = act(
            Rc::new(Playground::new(5)),
            Action::LoadScenario(text.into()),
        );
        assert!(!whole.busy());

        // The same lines with a clock that moves 10 ms per reading: a few run, then the tick's
        // budget is used.
        let mut s = Playground::new(5);
        s.reset_world("# Loaded a scenario file.");
        let steps = Scenario::parse(text).steps.into_iter().map(|s| s.typed);
        Rc::make_mut(&mut s.queue).extend(steps);
        let mut t = 0.0;
        let mut clock = || {
            t += 10.0;
            t
        };
        s.work(0.0, &mut clock);
        let s = Rc::new(s);
        assert!(s.busy());
        assert!(s.busy_note().contains("more line"), "{}", s.busy_note());
        let typed = act(
            Rc::clone(&s),
            Action::Submit("redis-cli -p 7000 PING".into()),
        );
        assert!(Rc::ptr_eq(&typed, &s));
        let s = act(s, Action::Tick(50.0));
        assert!(!s.busy());
        assert_eq!(s.transcript_text(), whole.transcript_text());
        let texts = |p: &Playground| p.lines().iter().map(|l| l.text.clone()).collect::<Vec<_>>();
        assert_eq!(texts(&s), texts(&whole));
        assert!(texts(&s).iter().any(|l| l == "cluster_state:ok"));
        assert_eq!(
            s.console.borrow().sim().trace_hash(),
            whole.console.borrow().sim().trace_hash()
        );
    }

    /// A clock that moves 10 ms per reading, so that a tick's budget ends after a few slices.
    fn slow_clock() -> impl FnMut() -> f64 {
        let mut t = 0.0;
        move || {
            t += 10.0;
            t
        }
    }

    #[test]
    fn ctrl_c_stops_a_sleep_where_it_is_and_the_transcript_still_replays() {
        let s = submit(three_masters(), "redis-cli -p 7000 SET a 1");
        let start = s.now();
        let mut s = (*s).clone();
        s.submit_with("sleep 100", &mut slow_clock());
        s.work(0.0, &mut slow_clock());
        let s = Rc::new(s);
        let reached = s.now();
        assert!(s.running.is_some());
        assert!(reached > start && reached < start + 100_000, "{reached:?}");
        let s = act(s, Action::Interrupt(String::new()));
        assert!(!s.busy());
        assert_eq!(s.now(), reached, "the world stays where the sleep stopped");
        assert_eq!(last_lines(&s, 2), ["$ sleep 100", "^C"]);
        assert_eq!(s.last_run.as_ref().map(|r| r.output.as_str()), Some("^C"));
        assert!(s.timeline.range().is_some_and(|(_, end)| end == reached));
        // The stopped line is not in the transcript; the time it let pass is.
        let s = submit(s, "redis-cli -p 7000 GET a");
        let t = s.transcript_text();
        assert!(!t.contains("sleep 100"), "{t}");
        let slept = format!("$ sleep {}\n", sleep_secs(reached - start));
        assert!(t.contains(&slept), "{slept} in {t}");
        assert_eq!(replayed_hash(&t), s.console().borrow().sim().trace_hash());
    }

    #[test]
    fn a_command_typed_where_a_slice_stopped_inside_a_millisecond_still_replays() {
        // The clock stops a few events at a time, inside milliseconds, then a command is
        // typed: it must run where a replayed `sleep` would put it, after the millisecond.
        let mut typed_inside = 0;
        let world = three_masters();
        for stop in 1..40 {
            // A copy of the world (clones of a playground share its console).
            let mut s = (*world).clone();
            s.console = Rc::new(RefCell::new(world.console().borrow().clone()));
            for _ in 0..stop {
                s.play_for(5, 1);
            }
            let mut probe = s.console().borrow().clone();
            let (now, run) = (probe.sim().now(), probe.sim().events_run());
            probe.sim_mut().finish_millisecond();
            if probe.sim().events_run() > run && probe.sim().now() == now {
                typed_inside += 1;
            }
            let s = submit(Rc::new(s), "redis-cli -p 7000 SET a 1");
            let t = s.transcript_text();
            assert_eq!(
                replayed_hash(&t),
                s.console().borrow().sim().trace_hash(),
                "stopped after {stop} slices: {t}"
            );
        }
        assert!(typed_inside > 0, "no slice stopped inside a millisecond");
    }

    #[test]
    fn ctrl_c_drops_waiting_lines_and_lets_the_join_end() {
        let text = "$ redis-server --port 7000 --cluster-enabled yes --daemonize yes\n$ redis-server --port 7001 --cluster-enabled yes --daemonize yes\n$ redis-server --port 7002 --cluster-enabled yes --daemonize yes\n$ redis-cli --cluster create 127.0.0.1:7000 127.0.0.1:7001 127.0.0.1:7002 --cluster-replicas 0 --cluster-yes\n$ sleep 3\n127.0.0.1:7001> CLUSTER INFO\n";
        let mut s = Playground::new(1);
        s.reset_world("# Loaded a scenario file.");
        let steps = Scenario::parse(text).steps.into_iter().map(|s| s.typed);
        Rc::make_mut(&mut s.queue).extend(steps);
        while s
            .running
            .as_ref()
            .is_none_or(|r| !r.borrow().line.contains("create"))
        {
            s.work(0.0, &mut slow_clock());
        }
        let s = act(Rc::new(s), Action::Interrupt(String::new()));
        // The cluster manager cannot stop midway: it goes on, and says why.
        assert!(s.running.is_some());
        assert!(s.queue.is_empty());
        assert!(s.busy_note().contains("Ctrl-C"), "{}", s.busy_note());
        let s = act(s, Action::Tick(50.0));
        assert!(!s.busy());
        assert_eq!(last_lines(&s, 1), ["# Stopped: 2 more lines were not run."]);
        let t = s.transcript_text();
        assert!(t.ends_with("--cluster-replicas 0 --cluster-yes\n"), "{t}");
        assert_eq!(replayed_hash(&t), s.console().borrow().sim().trace_hash());
        // Ctrl-C with nothing running is a shell's: the line typed so far, abandoned.
        let s = act(s, Action::Interrupt("GET a".into()));
        assert_eq!(last_lines(&s, 1), ["$ GET a^C"]);
    }

    #[test]
    fn a_world_too_big_to_copy_plays_on_without_a_timeline() {
        let mut s = Rc::new(Playground::new(1));
        for p in 30000..30700 {
            s = submit(s, &format!("redis-server --port {p} --cluster-enabled yes"));
        }
        assert!(s.timeline.too_big());
        assert_eq!(s.timeline.range(), None);
        // Scrubbing has nowhere to go, and the world plays and takes commands as before.
        let before = s.now();
        let s = act(s, Action::ScrubTo(before.as_unix_millis() - 1000));
        assert_eq!((s.now(), s.cursor), (before, None));
        let s = act(s, Action::SetPlaying(true));
        let s = act(s, Action::Tick(100.0));
        assert_eq!(s.now(), before + 100);
        let s = submit(s, "redis-cli -p 30000 PING");
        assert_eq!(last_lines(&s, 1), ["PONG"]);
        assert!(s.transcript_text().contains("redis-cli -p 30000 PING"));
        // A new world has its timeline back.
        let s = act(s, Action::Reset);
        assert!(!s.timeline.too_big());
        assert!(s.timeline.range().is_some());
    }

    #[test]
    fn a_tick_stops_at_its_budget_and_slicing_changes_nothing() {
        // A fresh two-node world each time (clones of a playground share its console).
        let world = || {
            let s = Rc::new(Playground::new(3));
            let s = submit(
                s,
                "redis-server --port 7000 --cluster-enabled yes --daemonize yes",
            );
            let s = submit(
                s,
                "redis-server --port 7001 --cluster-enabled yes --daemonize yes",
            );
            let s = submit(s, "redis-cli -p 7000 CLUSTER MEET 127.0.0.1 7001");
            (*s).clone()
        };
        // A clock that moves 20 ms per look: a 10 ms slice "takes" 20 ms, more than half the
        // tick's budget, so the tick stops after it and the next slices are shorter, down to a
        // millisecond; a quick clock makes them long again.
        let mut t = 0.0;
        let mut slow = || {
            t += 20.0;
            t
        };
        let mut w = world();
        assert_eq!(w.play_within_budget(5000, &mut slow), 10);
        assert_eq!(w.play_slice.ms, 5);
        assert_eq!(w.play_within_budget(5000, &mut slow), 5);
        for _ in 0..5 {
            w.play_within_budget(5000, &mut slow);
        }
        assert_eq!(w.play_slice.ms, 1);
        assert_eq!(w.play_slice.events, SLICE_EVENTS >> 6);
        let mut t = 0.0;
        let mut quick = || {
            t += 1.0;
            t
        };
        assert!(w.play_within_budget(5000, &mut quick) > 10);
        assert_eq!(w.play_slice.ms, TICK_SLICE_MS);
        // A clock that stands still lets all of it run, and five hundred slices give the same
        // world as one `sleep`.
        let mut sliced = world();
        assert_eq!(sliced.play_within_budget(5000, &mut || 0.0), 5000);
        let slept = submit(Rc::new(world()), "sleep 5");
        assert_eq!(sliced.now(), slept.now());
        assert_eq!(
            sliced.console.borrow().sim().trace_hash(),
            slept.console.borrow().sim().trace_hash()
        );
        // Behind: the tick reports the speed it reached, and changing speed clears it.
        let mut behind = world();
        behind.playing = true;
        behind.behind = Some(0.4);
        let behind = act(Rc::new(behind), Action::SetSpeed(2.0));
        assert_eq!(behind.behind, None);
    }

    #[test]
    fn sleep_arguments_are_short_and_exact() {
        assert_eq!(sleep_secs(2000), "2");
        assert_eq!(sleep_secs(2350), "2.35");
        assert_eq!(sleep_secs(1), "0.001");
        assert_eq!(sleep_secs(0), "0");
    }

    /// Three masters with node-timeout 2000, typed.
    fn three_masters() -> Rc<Playground> {
        let mut s = Rc::new(Playground::new(1));
        for p in 7000..=7002 {
            s = submit(
                s,
                &format!(
                    "redis-server --port {p} --cluster-enabled yes --cluster-node-timeout 2000 --daemonize yes"
                ),
            );
        }
        submit(
            s,
            "redis-cli --cluster create 127.0.0.1:7000 127.0.0.1:7001 127.0.0.1:7002 --cluster-replicas 0 --cluster-yes",
        )
    }

    #[test]
    fn a_click_is_recorded_as_the_line_that_typing_would_run_with_the_same_outcome() {
        // Typed, in the shell.
        let typed = submit(three_masters(), "sleep 2");
        let typed = submit(typed, "sim kill 7000");
        let typed = submit(typed, "sleep 5");
        // Clicked, while the tab is inside redis-cli, and with the clock playing instead of sleep.
        let clicked = submit(three_masters(), "redis-cli -p 7001");
        let clicked = act(clicked, Action::SetPlaying(true));
        let clicked = act(clicked, Action::SetSpeed(100.0));
        let clicked = act(clicked, Action::Tick(20.0));
        let clicked = act(clicked, Action::Click("sim kill 7000".into()));
        assert_eq!(
            clicked.prompt(),
            "127.0.0.1:7001> ",
            "the tab stays in redis-cli"
        );
        let clicked = act(clicked, Action::Tick(50.0));
        let clicked = act(clicked, Action::SetPlaying(false));
        assert_eq!(clicked.now(), typed.now());
        assert_eq!(nodes(&clicked, 7001), nodes(&typed, 7001));
        assert!(nodes(&typed, 7001).contains("master,fail"));
        let t = clicked.transcript_text();
        assert!(
            t.ends_with("$ redis-cli -p 7001\n$ sleep 2\n$ sim kill 7000\n$ sleep 5\n"),
            "{t}"
        );
        // The transcript is a scenario: replaying it gives the same world.
        let mut c = Console::new(1);
        for step in Scenario::parse(&t).steps {
            eval_typed(&mut c, &step.typed);
        }
        assert_eq!(
            c.sim().trace_hash(),
            clicked.console().borrow().sim().trace_hash()
        );
    }

    #[test]
    fn scrubbing_back_shows_the_earlier_world_and_acting_there_forks() {
        let s = submit(three_masters(), "sleep 2");
        let before_kill = s.now();
        let healthy = nodes(&s, 7001);
        let s = submit(s, "sim kill 7000");
        let s = submit(s, "sleep 6");
        let dead = nodes(&s, 7001);
        assert!(dead.contains("master,fail") && !healthy.contains("fail"));
        let story_len = s.story.len();
        assert!(
            s.story
                .iter()
                .any(|e| e.text.contains("marks 7000 as FAIL"))
        );
        // Back to just before the kill.
        let s = act(s, Action::ScrubTo(before_kill.as_unix_millis()));
        assert_eq!(s.cursor, Some(before_kill));
        assert_eq!(nodes(&s, 7001), healthy);
        assert_eq!(s.story.len(), story_len, "the story still shows the future");
        // Forward again, to the live end: nothing was lost.
        let s = act(s, Action::BackToLive);
        assert_eq!(s.cursor, None);
        assert_eq!(nodes(&s, 7001), dead);
        // Back again, and fork: crash 7001 instead.
        let s = act(s, Action::ScrubTo(before_kill.as_unix_millis()));
        let s = submit(s, "sim crash 7001");
        assert_eq!(s.cursor, None);
        let t = s.transcript_text();
        assert!(t.ends_with("$ sleep 2\n$ sim crash 7001\n"), "{t}");
        assert!(!t.contains("sim kill 7000"));
        assert!(
            !s.story
                .iter()
                .any(|e| e.text.contains("marks 7000 as FAIL"))
        );
        assert!(s.timeline.range().is_some_and(|(_, end)| end == s.now()));
    }

    #[test]
    fn long_gaps_become_several_sleeps_that_sleep_accepts() {
        assert_eq!(sleep_lines(0), Vec::<String>::new());
        assert_eq!(
            sleep_lines(90_000_000),
            vec!["$ sleep 86400", "$ sleep 3600"]
        );
    }

    fn replayed_hash(transcript: &str) -> u64 {
        let mut c = Console::new(1);
        for step in Scenario::parse(transcript).steps {
            eval_typed(&mut c, &step.typed);
        }
        c.sim().trace_hash()
    }

    #[test]
    fn steps_and_runs_to_a_change_replay_exactly() {
        let s = submit(three_masters(), "sleep 1");
        let mut s = act(s, Action::Step);
        for _ in 0..5 {
            s = act(s, Action::Step);
        }
        let s = submit(s, "sim kill 7001");
        let s = act(s, Action::RunToChange);
        let s = act(s, Action::RunToChange);
        let s = submit(s, "sim crash 7002");
        let hash = s.console().borrow().sim().trace_hash();
        assert_eq!(replayed_hash(&s.transcript_text()), hash);
    }

    #[test]
    fn lines_typed_while_not_connected_are_recorded_with_their_node() {
        let s = three_masters();
        let s = submit(s, "redis-cli -p 7000");
        let s = act(s, Action::Click("sim crash 7000".into()));
        let s = submit(s, "PING");
        assert_eq!(s.prompt(), "not connected> ");
        let s = act(s, Action::Click("sim restart 7000".into()));
        let s = submit(s, "CLUSTER BUMPEPOCH");
        let t = s.transcript_text();
        assert!(t.contains("\n127.0.0.1:7000> PING\n"), "{t}");
        assert!(t.contains("\n127.0.0.1:7000> CLUSTER BUMPEPOCH\n"), "{t}");
        let hash = s.console().borrow().sim().trace_hash();
        assert_eq!(replayed_hash(&t), hash);
    }

    #[test]
    fn a_fork_rewinds_the_guided_walk_and_keeps_the_story_numbered_once() {
        let seed = console::presets::preset("seed-failover").expect("preset");
        let mut s = act(Rc::new(Playground::new(1)), Action::LoadPreset(seed));
        let kill_at = s
            .guide
            .as_ref()
            .and_then(|g| g.steps.iter().position(|st| st.line == "$ sim kill 7000"))
            .expect("a kill step");
        for _ in 0..=kill_at + 1 {
            s = act(s, Action::GuideNext);
        }
        let killed = s
            .story
            .iter()
            .find(|e| e.text.contains("7000 was sent SIGINT"))
            .map(|e| e.time)
            .expect("the kill is in the story");
        let generation = s.story_generation;
        let s = act(s, Action::ScrubTo(killed.as_unix_millis()));
        let s = act(s, Action::GuideNext);
        assert_eq!(s.guide.as_ref().map(|g| g.next), Some(kill_at + 1));
        assert!(s.transcript_text().ends_with("$ sim kill 7000\n"));
        assert!(s.story_generation > generation);
        let seqs: Vec<u64> = s.story.iter().map(|e| e.seq).collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
        assert_eq!(
            s.story
                .iter()
                .filter(|e| e.text.contains("7000 was sent SIGINT"))
                .count(),
            1
        );
    }

    #[test]
    fn tabs_keep_their_own_connection() {
        let s = three_masters();
        let s = submit(s, "redis-cli -p 7000");
        let s = act(s, Action::NewTab);
        assert_eq!(s.active, 1);
        assert_eq!(s.prompt(), "$ ");
        let s = submit(s, "redis-cli -p 7002");
        let s = act(s, Action::SelectTab(0));
        assert_eq!(s.prompt(), "127.0.0.1:7000> ");
        let s = submit(s, "CLUSTER MYID");
        let s = act(s, Action::SelectTab(1));
        assert_eq!(s.prompt(), "127.0.0.1:7002> ");
        assert!(
            s.transcript_text()
                .contains("127.0.0.1:7000> CLUSTER MYID\n")
        );
        let s = act(s, Action::CloseTab(1));
        assert_eq!((s.tabs.len(), s.active), (1, 0));
        let s = act(s, Action::CloseTab(0));
        assert_eq!(s.tabs.len(), 1, "the last tab stays");
    }

    #[test]
    fn presets_load_guided_or_at_once_and_bad_files_explain_themselves() {
        let s = Rc::new(Playground::new(1));
        let seed = console::presets::preset("seed-failover").expect("preset");
        let mut s = act(s, Action::LoadPreset(seed));
        let steps = s.guide.as_ref().map(|g| g.steps.len()).expect("guided");
        for _ in 0..steps {
            s = act(s, Action::GuideNext);
        }
        assert!(nodes(&s, 7003).contains("myself,master"));
        assert_eq!(s.guide.as_ref().map(|g| g.next), Some(steps));
        let three = console::presets::preset("three-plus-three").expect("preset");
        let s = act(s, Action::LoadPreset(three));
        assert!(s.guide.is_none());
        assert_eq!(s.view().nodes.len(), 6);
        let s = act(s, Action::LoadScenario("hello\nworld\n".into()));
        assert!(
            s.error
                .as_deref()
                .is_some_and(|e| e.contains("no typed lines"))
        );
        assert_eq!(
            s.view().nodes.len(),
            6,
            "a refused file leaves the world alone"
        );
        let s = act(s, Action::LoadScenario("x".repeat(MAX_SCENARIO_BYTES + 1)));
        assert!(
            s.error
                .as_deref()
                .is_some_and(|e| e.contains("at most 256 KB"))
        );
        let s = act(
            s,
            Action::LoadScenario("$ redis-server --port 7000 --cluster-enabled yes\n".into()),
        );
        assert_eq!(s.view().nodes.len(), 1);
        assert!(s.error.is_none());
    }

    #[test]
    fn a_bigger_tick_budget_runs_more_of_the_world_per_tick() {
        // A clock that moves 4 ms per reading: each slice costs 4 ms, so the budget says how
        // many slices a tick runs.
        let ran = |budget: f64| {
            let mut s = Playground::new(1).with_tick_budget(budget);
            s.playing = true;
            let mut t = 0.0;
            let mut clock = || {
                t += 4.0;
                t
            };
            s.play_within_budget(10_000, &mut clock)
        };
        let page = ran(TICK_BUDGET_MS);
        let worker = ran(40.0);
        assert!(page > 0 && worker > page, "{page} then {worker}");
    }

    #[test]
    fn a_tick_left_behind_drops_its_debt_on_the_page_and_keeps_some_in_a_worker() {
        // The page's thread: what did not run is dropped, and the speed reached shows.
        let mut page = Playground::new(1);
        page.settle_tick(100.5, 100.0, 60, 50.0);
        assert_eq!((page.in_debt(), page.behind), (false, Some(1.2)));
        // All of it ran: the part of a millisecond is owed, and all is well.
        page.settle_tick(100.5, 100.0, 100, 50.0);
        assert_eq!((page.carry, page.behind), (0.5, None));
        // A worker: up to 250 ms is owed to the next ticks, and the clock is not behind.
        let mut worker = Playground::new(1).with_catch_up(250.0, 100.0);
        worker.settle_tick(100.0, 200.0, 60, 50.0);
        assert_eq!((worker.carry, worker.behind), (40.0, None));
        assert!(worker.in_debt() && worker.lead_ticks == LEAD_TICKS);
        // Paid off and ran 60 ms ahead: the next tick owes that much less.
        worker.settle_tick(140.0, 240.0, 200, 50.0);
        assert_eq!((worker.carry, worker.behind), (-60.0, None));
        assert!(!worker.in_debt());
        // Beyond what may be owed, the rest is dropped and the clock is behind.
        worker.settle_tick(400.0, 500.0, 100, 100.0);
        assert_eq!((worker.carry, worker.behind), (250.0, Some(1.0)));
    }

    #[test]
    fn a_worker_runs_ahead_of_the_clock_by_at_most_its_lead_after_a_debt() {
        // `in_debt`: a tick owed 100 ms and ran 60 of them.
        let ticked = |s: Playground, in_debt: bool| {
            let s = submit(
                Rc::new(s),
                "redis-server --port 7000 --cluster-enabled yes --daemonize yes",
            );
            let mut s = (*act(s, Action::SetPlaying(true))).clone();
            if in_debt {
                s.settle_tick(100.0, 100.0, 60, 50.0);
            }
            let start = s.now();
            let s = act(Rc::new(s), Action::Tick(50.0));
            let first = s.now() - start;
            // Ahead already: the next tick runs only what the clock owes.
            let s = act(s, Action::Tick(50.0));
            (first, s.now() - start)
        };
        let worker = || Playground::new(1).with_catch_up(250.0, 100.0);
        // A world that keeps up never runs ahead, in a worker or not.
        assert_eq!(ticked(Playground::new(1), false), (50, 100));
        assert_eq!(ticked(worker(), false), (50, 100));
        // After a debt of 40 ms: that, this tick's 50 and 100 ahead; then only what is owed.
        assert_eq!(ticked(worker(), true), (190, 240));
        // On the page's thread the debt was dropped.
        assert_eq!(ticked(Playground::new(1), true), (50, 100));
    }
}
