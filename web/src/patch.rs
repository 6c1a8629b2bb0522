//! Frames between threads: the engine's thread sends each [`Frame`] as a [`Patch`] on the one
//! it sent before, and the page rebuilds the frame from the patch and its last frame.
//!
//! A frame goes out on every clock tick, but its big parts change seldom (the picture of a
//! 1,000-node world holds a million cells) or only grow (the scrollback, the story). A patch
//! leaves out what is unchanged and carries only the new end of what grew.

use std::rc::Rc;

use bincode::Options;
use console::exercise::{Exercise, TRACK};
use serde::{Deserialize, Serialize};

use crate::frame::{Frame, TabFrame};
use crate::state::TermLine;

/// How a part of the frame travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Part {
    /// In full.
    New,
    /// Not at all: the last frame's is still good.
    Same,
    /// Only its new end: the last frame's part with this appended, then cut from the front
    /// to `len` items.
    Grown {
        /// The length of the whole.
        len: usize,
    },
}

/// A frame as sent: the frame with its unchanged parts left empty, and how to rebuild each.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Patch {
    frame: Frame,
    tabs: Vec<Part>,
    history: Part,
    story: Part,
    transcript: Part,
    view: Part,
    world: Part,
}

/// The new end of `new`, if `new` is `old` with items appended (`None`: it travels in full).
fn appended<T: PartialEq + Clone>(old: &[T], new: &[T]) -> Option<Vec<T>> {
    (new.len() >= old.len() && new[..old.len()] == *old).then(|| new[old.len()..].to_vec())
}

/// How a shared list that only grows (or is replaced) travels, and what of it goes into the
/// patch.
fn list_part<T: PartialEq + Clone>(
    old: Option<&Rc<Vec<T>>>,
    new: &Rc<Vec<T>>,
) -> (Part, Rc<Vec<T>>) {
    match old {
        Some(old) if Rc::ptr_eq(old, new) => (Part::Same, Rc::default()),
        Some(old) => match appended(old, new) {
            Some(tail) => (Part::Grown { len: new.len() }, Rc::new(tail)),
            None => (Part::New, Rc::clone(new)),
        },
        None => (Part::New, Rc::clone(new)),
    }
}

/// How a list of numbered entries, cut from the front at a limit, travels: what is numbered
/// after the last frame's newest entry is its new end, unless `renumbered` (the numbering
/// started over) or nothing numbered is left in common.
fn numbered_part<T: Clone>(
    old: Option<&Rc<Vec<T>>>,
    new: &Rc<Vec<T>>,
    renumbered: bool,
    number: impl Fn(&T) -> u64,
) -> (Part, Rc<Vec<T>>) {
    let Some(old) = old.filter(|_| !renumbered) else {
        return (Part::New, Rc::clone(new));
    };
    if Rc::ptr_eq(old, new) {
        return (Part::Same, Rc::default());
    }
    let newest = old.last().map(&number);
    let from = new.partition_point(|e| Some(number(e)) <= newest);
    // The new end's first entry must follow the last frame's newest at once, and what is
    // kept must still be there (a fork drops entries: it also starts a new numbering).
    let follows = match (newest, new.get(from)) {
        (Some(n), Some(e)) => number(e) == n + 1,
        (_, None) => true,
        (None, Some(_)) => false,
    };
    let kept = from == 0 || Some(number(&new[from - 1])) == newest;
    if follows && kept && from <= old.len() {
        (
            Part::Grown { len: new.len() },
            Rc::new(new[from..].to_vec()),
        )
    } else {
        (Part::New, Rc::clone(new))
    }
}

/// Rebuilds a shared list from the last frame's and the patch's.
fn list_apply<T: Clone>(
    old: Option<&Rc<Vec<T>>>,
    part: Part,
    sent: Rc<Vec<T>>,
) -> Result<Rc<Vec<T>>, String> {
    match (part, old) {
        (Part::New, _) => Ok(sent),
        (Part::Same, Some(old)) => Ok(Rc::clone(old)),
        (Part::Grown { len }, Some(old)) => {
            let mut all = Vec::with_capacity(old.len() + sent.len());
            all.extend(old.iter().cloned());
            all.extend(sent.iter().cloned());
            let cut = all
                .len()
                .checked_sub(len)
                .ok_or("a grown list is shorter than said")?;
            all.drain(..cut);
            Ok(Rc::new(all))
        }
        (_, None) => Err("a patch refers to a part the page does not have".to_string()),
    }
}

/// How a tab's scrollback travels: the lines appended since the last frame, if the tab was not
/// cleared since (the scrollback is cut from the front at its limit, and a screen repeats
/// lines such as `OK`, so only the tab's count says what is new).
fn tab_part(old: Option<&TabFrame>, new: &TabFrame) -> (Part, Rc<Vec<TermLine>>) {
    match old {
        Some(old) if Rc::ptr_eq(&old.lines, &new.lines) => (Part::Same, Rc::default()),
        Some(old) if old.cleared == new.cleared && new.appended >= old.appended => {
            let count = (new.appended - old.appended) as usize;
            match new.lines.len().checked_sub(count) {
                Some(from) => (
                    Part::Grown {
                        len: new.lines.len(),
                    },
                    Rc::new(new.lines[from..].to_vec()),
                ),
                None => (Part::New, Rc::clone(&new.lines)),
            }
        }
        _ => (Part::New, Rc::clone(&new.lines)),
    }
}

/// A shared value that travels whole or not at all.
fn whole_part<T: Default>(old: Option<&Rc<T>>, new: &Rc<T>) -> (Part, Rc<T>) {
    match old {
        Some(old) if Rc::ptr_eq(old, new) => (Part::Same, Rc::default()),
        _ => (Part::New, Rc::clone(new)),
    }
}

fn whole_apply<T>(old: Option<&Rc<T>>, part: Part, sent: Rc<T>) -> Result<Rc<T>, String> {
    match (part, old) {
        (Part::New, _) => Ok(sent),
        (Part::Same, Some(old)) => Ok(Rc::clone(old)),
        _ => Err("a patch refers to a part the page does not have".to_string()),
    }
}

/// The engine's side: remembers the last frame sent.
#[derive(Debug, Default)]
pub struct Sender {
    last: Option<Rc<Frame>>,
}

impl Sender {
    /// `frame` as a patch on the last frame sent.
    pub fn patch(&mut self, frame: &Rc<Frame>) -> Patch {
        let last = self.last.replace(Rc::clone(frame));
        let last = last.as_deref();
        let mut out = (**frame).clone();
        let mut tabs = Vec::with_capacity(frame.tabs.len());
        let mut sent_tabs = Vec::with_capacity(frame.tabs.len());
        for tab in frame.tabs.iter() {
            let old = last.and_then(|l| l.tabs.iter().find(|t| t.id == tab.id));
            let (part, lines) = tab_part(old, tab);
            tabs.push(part);
            sent_tabs.push(TabFrame {
                lines,
                ..tab.clone()
            });
        }
        out.tabs = Rc::new(sent_tabs);
        let history;
        (history, out.history) = list_part(last.map(|l| &l.history), &frame.history);
        let story;
        (story, out.story) = numbered_part(
            last.map(|l| &l.story),
            &frame.story,
            last.is_some_and(|l| l.story_generation != frame.story_generation),
            |e| e.seq,
        );
        let transcript;
        (transcript, out.transcript) = list_part(last.map(|l| &l.transcript), &frame.transcript);
        let view;
        (view, out.view) = whole_part(last.map(|l| &l.view), &frame.view);
        let world;
        (world, out.world) = whole_part(last.map(|l| &l.world), &frame.world);
        Patch {
            frame: out,
            tabs,
            history,
            story,
            transcript,
            view,
            world,
        }
    }
}

/// The page's side: the frame `patch` describes, given the last frame rebuilt (`None` before
/// the first).
pub fn apply(last: Option<&Frame>, patch: Patch) -> Result<Frame, String> {
    let Patch {
        mut frame,
        tabs,
        history,
        story,
        transcript,
        view,
        world,
    } = patch;
    if tabs.len() != frame.tabs.len() {
        return Err("a patch's tabs do not match".to_string());
    }
    let mut rebuilt = Vec::with_capacity(tabs.len());
    for (tab, part) in frame.tabs.iter().zip(tabs) {
        let old = last.and_then(|l| l.tabs.iter().find(|t| t.id == tab.id));
        rebuilt.push(TabFrame {
            lines: list_apply(old.map(|t| &t.lines), part, Rc::clone(&tab.lines))?,
            ..tab.clone()
        });
    }
    frame.tabs = Rc::new(rebuilt);
    frame.history = list_apply(last.map(|l| &l.history), history, frame.history)?;
    frame.story = list_apply(last.map(|l| &l.story), story, frame.story)?;
    frame.transcript = list_apply(last.map(|l| &l.transcript), transcript, frame.transcript)?;
    frame.view = whole_apply(last.map(|l| &l.view), view, frame.view)?;
    frame.world = whole_apply(last.map(|l| &l.world), world, frame.world)?;
    // What follows from a name or a number is not sent: the guide's steps and the exercise.
    if let Some(g) = frame.guide.as_mut() {
        g.steps = match last.and_then(|l| l.guide.as_ref()) {
            Some(old) if old.preset.name == g.preset.name => Rc::clone(&old.steps),
            _ => Rc::new(console::presets::guide(g.preset.text)),
        };
    }
    if let Some(x) = frame.exercise.as_mut() {
        x.exercise = match last.and_then(|l| l.exercise.as_ref()) {
            Some(old) if old.index == x.index => Rc::clone(&old.exercise),
            _ => {
                let builtin = TRACK.get(x.index).ok_or("no such exercise")?;
                Rc::new(Exercise::parse(builtin.text).map_err(|e| e.to_string())?)
            }
        };
    }
    Ok(frame)
}

/// The exercise a frame holds until the page fills it in from its index ([`apply`]).
pub fn unparsed_exercise() -> Rc<Exercise> {
    Rc::new(Exercise {
        title: String::new(),
        goal: String::new(),
        hints: Vec::new(),
        allowed: None,
        setup: String::new(),
        checks: Vec::new(),
    })
}

/// The bytes of a message between the threads.
pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // Only a value that cannot be written fails (none of ours): an empty message then reads
    // as an error on the other side.
    bincode::DefaultOptions::new()
        .serialize(value)
        .unwrap_or_default()
}

/// A message from its bytes.
pub fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    bincode::DefaultOptions::new()
        .deserialize(bytes)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Engine, Request};
    use crate::frame::Watch;
    use crate::state::{Action, Playground};

    #[test]
    fn a_grown_list_sends_only_its_new_end() {
        assert_eq!(appended(&[1, 2, 3], &[1, 2, 3, 3, 5]), Some(vec![3, 5]));
        assert_eq!(appended(&[1, 2, 3], &[1, 2, 3]), Some(vec![]));
        assert_eq!(appended::<u8>(&[], &[1]), Some(vec![1]));
        // Not a growth: cut, cleared or changed.
        assert_eq!(appended(&[1, 2, 3], &[2, 3, 4]), None);
        assert_eq!(appended(&[1, 2, 3], &[9]), None);
        assert_eq!(appended(&[1, 2, 3], &[1, 9, 3, 4]), None);
    }

    #[test]
    fn numbered_entries_send_what_follows_the_newest() {
        let old = Rc::new(vec![3u64, 4, 5]);
        let seq = |e: &u64| *e;
        // Grown, and cut from the front at a limit.
        let (part, tail) = numbered_part(Some(&old), &Rc::new(vec![5, 6, 7]), false, seq);
        assert_eq!((part, tail.to_vec()), (Part::Grown { len: 3 }, vec![6, 7]));
        // Renumbered (a fork, a new world): whole.
        let (part, _) = numbered_part(Some(&old), &Rc::new(vec![5, 6]), true, seq);
        assert_eq!(part, Part::New);
        // A gap means entries were dropped and others added: whole.
        let (part, _) = numbered_part(Some(&old), &Rc::new(vec![3, 4, 5, 7]), false, seq);
        assert_eq!(part, Part::New);
        // Dropped from the end without a new numbering: whole.
        let (part, _) = numbered_part(Some(&old), &Rc::new(vec![3, 4]), false, seq);
        assert_eq!(part, Part::New);
        // All cut but new ones that follow: only those.
        let (part, tail) = numbered_part(Some(&old), &Rc::new(vec![6]), false, seq);
        assert_eq!((part, tail.to_vec()), (Part::Grown { len: 1 }, vec![6]));
    }

    /// Sends every frame the engine makes through the patches, as bytes, and checks the page
    /// rebuilds each exactly.
    struct Pipe {
        engine: Engine,
        sender: Sender,
        page: Option<Frame>,
        parts: Vec<Patch>,
        /// Real milliseconds, one more at each reading: a picture costs a millisecond.
        clock: f64,
    }

    impl Pipe {
        fn new() -> Pipe {
            let mut pipe = Pipe {
                engine: Engine::new(Playground::new(1)),
                sender: Sender::default(),
                page: None,
                parts: Vec::new(),
                clock: 0.0,
            };
            let first = pipe.engine.frame();
            pipe.send(&first);
            pipe
        }

        fn send(&mut self, frame: &Rc<Frame>) {
            let patch = self.sender.patch(frame);
            self.parts.push(patch.clone());
            let bytes = encode(&patch);
            let patch: Patch = decode(&bytes).expect("a patch reads back");
            let rebuilt = apply(self.page.as_ref(), patch).expect("a patch applies");
            assert_eq!(encode(&rebuilt), encode(&**frame), "rebuilt as made");
            assert_eq!(
                rebuilt.guide.as_ref().map(|g| Rc::clone(&g.steps)),
                frame.guide.as_ref().map(|g| Rc::clone(&g.steps))
            );
            assert_eq!(
                rebuilt.exercise.as_ref().map(|x| x.exercise.title.clone()),
                frame.exercise.as_ref().map(|x| x.exercise.title.clone())
            );
            self.page = Some(rebuilt);
        }

        fn act(&mut self, action: Action) {
            let mut clock = self.clock;
            let made = self.engine.handle_with(Request::Act(action), &mut || {
                clock += 1.0;
                clock
            });
            self.clock = clock;
            if let Some(f) = made {
                self.send(&f);
            }
        }

        fn last(&self) -> &Patch {
            self.parts.last().expect("a patch was sent")
        }
    }

    #[test]
    fn every_frame_is_rebuilt_exactly_from_its_patch() {
        let mut p = Pipe::new();
        for line in [
            "redis-server --port 7000 --cluster-enabled yes",
            "redis-server --port 7001 --cluster-enabled yes",
            "redis-cli -p 7000 cluster meet 127.0.0.1 7001",
            "redis-cli -p 7000 cluster addslots 1 2 3",
        ] {
            p.act(Action::Submit(line.to_string()));
            assert!(
                matches!(p.last().tabs[..], [Part::Grown { .. }]),
                "{line}: {:?}",
                p.last().tabs
            );
        }
        p.act(Action::NewTab);
        assert_eq!(p.last().tabs, vec![Part::Same, Part::New]);
        p.act(Action::Submit("redis-cli -p 7001".to_string()));
        p.act(Action::Submit("cluster nodes".to_string()));
        p.act(Action::Clear);
        assert_eq!(p.last().tabs, vec![Part::Same, Part::New]);
        p.act(Action::SetPlaying(true));
        let mut reused = 0;
        for _ in 0..20 {
            p.act(Action::Tick(50.0));
            reused += usize::from(p.last().view == Part::Same);
            assert_eq!(p.last().history, Part::Same);
            assert_eq!(p.last().tabs, vec![Part::Same, Part::Same]);
        }
        assert!(
            reused > 10,
            "the picture is reused while playing: {reused} of 20"
        );
        p.act(Action::SetPlaying(false));
        p.act(Action::Submit("cluster info".to_string()));
        p.engine.handle_with(
            Request::Watch(Watch {
                inspect: Some(7000),
                slots: Some(7001),
            }),
            &mut || 0.0,
        );
        let f = p.engine.frame();
        p.send(&f);
        assert_eq!(p.last().world, Part::New);
        p.act(Action::LoadPreset(
            console::presets::preset("seed-failover").expect("a built-in preset"),
        ));
        p.act(Action::GuideNext);
        p.act(Action::LoadExercise(0));
        p.act(Action::ShowHint);
        p.act(Action::Tick(50.0));
        p.act(Action::CheckExercise);
        assert!(p.page.as_ref().is_some_and(|f| f.exercise.is_some()));
    }

    #[test]
    fn a_patch_that_does_not_fit_the_page_is_refused() {
        let mut sender = Sender::default();
        let engine = Engine::new(Playground::new(1));
        let first = sender.patch(&engine.frame());
        let page = apply(None, first).expect("the first patch is whole");
        let mut engine = engine;
        let next = engine
            .handle_with(Request::Act(Action::Submit("help".into())), &mut || 0.0)
            .expect("a new frame");
        let patch = sender.patch(&next);
        assert!(apply(Some(&page), patch.clone()).is_ok());
        // The page lost the frame the patch builds on.
        assert!(apply(None, patch).is_err());
        assert!(decode::<Patch>(&[1, 2, 3]).is_err());
    }
}
