//! The engine: the playground and what turns it into frames for the page.
//!
//! The page talks to it only with [`Request`]s and reads only the [`Frame`]s it returns, so it
//! can run beside the page or, later, in a Web Worker (see `docs/PERFORMANCE.md`).

use std::rc::Rc;

use cluster_sim::WireMsg;
use yew::Reducible;

use crate::components::topology::MAX_FLYING_NODES;
use crate::frame::{Frame, Watch, WorldReport};
use crate::state::{Action, Playground};
use crate::view_cache::{ViewCache, view_of};

/// What the page asks of the engine.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Request {
    /// Do this to the playground.
    Act(Action),
    /// The panels now show this node and this observer.
    Watch(Watch),
}

/// The playground, its picture cache, and the last frame it made.
#[derive(Debug)]
pub struct Engine {
    playground: Rc<Playground>,
    views: Option<ViewCache>,
    watch: Watch,
    /// The first message not yet in a frame.
    wire_next: u64,
    frame: Rc<Frame>,
}

impl Engine {
    /// An engine over `playground`, with its first frame.
    pub fn new(playground: Playground) -> Engine {
        let wire_next = playground.console().borrow().sim().wire().next_seq();
        let mut engine = Engine {
            frame: Rc::new(Frame::of(
                &playground,
                Rc::default(),
                Rc::default(),
                Rc::default(),
                wire_next,
            )),
            playground: Rc::new(playground),
            views: None,
            watch: Watch::default(),
            wire_next,
        };
        engine.refresh(&mut crate::wallclock::now_ms);
        engine
    }

    /// The last frame.
    pub fn frame(&self) -> Rc<Frame> {
        Rc::clone(&self.frame)
    }

    /// The playground (for tests, and for the worker to see whether it owes the world time).
    pub fn playground(&self) -> &Playground {
        &self.playground
    }

    /// Follows `request`; returns the new frame, or `None` when nothing shown changed.
    pub fn handle(&mut self, request: Request) -> Option<Rc<Frame>> {
        self.handle_with(request, &mut crate::wallclock::now_ms)
    }

    /// [`handle`](Self::handle) with a clock for the picture cache.
    pub fn handle_with(
        &mut self,
        request: Request,
        clock: &mut dyn FnMut() -> f64,
    ) -> Option<Rc<Frame>> {
        match request {
            Request::Act(action) => {
                let next = Rc::clone(&self.playground).reduce(action);
                if Rc::ptr_eq(&next, &self.playground) {
                    return None;
                }
                self.playground = next;
            }
            Request::Watch(watch) => {
                if watch == self.watch {
                    return None;
                }
                self.watch = watch;
            }
        }
        self.refresh(clock);
        Some(self.frame())
    }

    /// Makes the frame for the playground as it is now.
    fn refresh(&mut self, clock: &mut dyn FnMut() -> f64) {
        let p = &self.playground;
        let view = view_of(&mut self.views, p, clock);
        // The panels' report is read again with a new picture or a new question only: a
        // node's table in a 1,000-node world lists a thousand others.
        let world = if Rc::ptr_eq(&view, &self.frame.view) && self.frame.world.watch == self.watch {
            Rc::clone(&self.frame.world)
        } else {
            Rc::new(WorldReport::of(p, self.watch))
        };
        let (wire, wire_next) = {
            let console = p.console();
            let console = console.borrow();
            let wire = console.sim().wire();
            let next = wire.next_seq();
            // Past the flight limit messages are not even copied: a big world sends thousands
            // between two frames.
            let msgs: Vec<WireMsg> = if view.nodes.len() <= MAX_FLYING_NODES {
                wire.since(self.wire_next).copied().collect()
            } else {
                Vec::new()
            };
            self.wire_next = next;
            (Rc::new(msgs), next)
        };
        self.frame = Rc::new(Frame::of(p, view, world, wire, wire_next));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::belief_matrix::MAX_MATRIX_NODES;
    use crate::components::inspector::NodeReport;

    fn act(e: &mut Engine, action: Action) -> Option<Rc<Frame>> {
        // A clock that never moves: the picture cache then depends on versions only.
        e.handle_with(Request::Act(action), &mut || 0.0)
    }

    fn submit(e: &mut Engine, line: &str) -> Rc<Frame> {
        act(e, Action::Submit(line.to_string())).expect("a typed line changes the frame")
    }

    #[test]
    fn a_frame_follows_each_change_and_none_is_made_for_no_change() {
        let mut e = Engine::new(Playground::new(1));
        let first = e.frame();
        // The clock does not play: a tick changes nothing, so the page is not drawn again.
        assert!(act(&mut e, Action::Tick(50.0)).is_none());
        let f = submit(&mut e, "redis-server --port 7000 --cluster-enabled yes");
        assert!(f.version > first.version);
        assert_eq!(
            f.view.nodes.len(),
            1,
            "a world standing still gets a new picture"
        );
        let last = f.lines().last().map(|l| l.text.clone());
        assert_eq!(f.lines().len(), first.lines().len() + 1, "{last:?}");
        assert!(f.transcript_text().contains("redis-server --port 7000"));
        assert!(Rc::ptr_eq(&e.frame(), &f));
    }

    #[test]
    fn the_world_report_answers_the_watch_and_is_read_again_only_for_a_new_picture() {
        let mut e = Engine::new(Playground::new(1));
        submit(&mut e, "redis-server --port 7000 --cluster-enabled yes");
        let f = e.frame();
        assert_eq!(f.world.inspector, None, "nothing was asked");
        assert_eq!(f.world.known.ports, vec![7000]);
        let watch = Watch {
            inspect: Some(7000),
            slots: Some(7000),
        };
        let f = e
            .handle_with(Request::Watch(watch), &mut || 0.0)
            .expect("a new question makes a new frame");
        match &f.world.inspector {
            Some(NodeReport::Node { rows, facts, .. }) => {
                assert_eq!(rows.len(), 1);
                assert!(facts.iter().any(|(k, v)| *k == "role" && v == "master"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(f.world.slot_runs.as_ref().map(Vec::len), Some(1));
        // The same question again: nothing to do.
        assert!(e.handle_with(Request::Watch(watch), &mut || 0.0).is_none());
        // Playing makes new frames; while the picture is reused, so is the report.
        act(&mut e, Action::SetPlaying(true));
        let mut slow_clock = {
            let mut t = 0.0;
            move || {
                t += 0.001;
                t
            }
        };
        let a = e
            .handle_with(Request::Act(Action::Tick(50.0)), &mut slow_clock)
            .unwrap();
        let b = e
            .handle_with(Request::Act(Action::Tick(50.0)), &mut slow_clock)
            .unwrap();
        assert!(b.now() > a.now());
        assert!(
            Rc::ptr_eq(&a.view, &b.view),
            "a cheap picture reused while moving"
        );
        assert!(Rc::ptr_eq(&a.world, &b.world));
        let c = e
            .handle_with(Request::Watch(Watch::default()), &mut slow_clock)
            .unwrap();
        assert!(!Rc::ptr_eq(&b.world, &c.world));
        assert_eq!(c.world.inspector, None);
    }

    #[test]
    fn each_message_is_in_one_frame_only() {
        let mut e = Engine::new(Playground::new(1));
        for port in [7000, 7001] {
            submit(
                &mut e,
                &format!("redis-server --port {port} --cluster-enabled yes"),
            );
        }
        submit(&mut e, "redis-cli -p 7000 cluster meet 127.0.0.1 7001");
        let before = e.frame().wire_next;
        act(&mut e, Action::SetPlaying(true));
        let mut seqs = Vec::new();
        for _ in 0..10 {
            let f = act(&mut e, Action::Tick(50.0)).unwrap();
            assert!(f.wire.iter().all(|m| m.seq < f.wire_next));
            seqs.extend(f.wire.iter().map(|m| m.seq));
        }
        assert!(!seqs.is_empty(), "the two nodes met and pinged");
        let expected: Vec<u64> = (before..e.frame().wire_next).collect();
        assert_eq!(seqs, expected, "every message once, in order");
    }

    #[test]
    fn a_world_past_the_matrix_is_pictured_with_one_cell_per_node() {
        // Servers that have met no one: every cell is unknown, and the condensed picture
        // still has one per node (see `Playground::view`).
        for (n, cells) in [
            (MAX_MATRIX_NODES, MAX_MATRIX_NODES * (MAX_MATRIX_NODES - 1)),
            (MAX_MATRIX_NODES + 1, MAX_MATRIX_NODES + 1),
        ] {
            let mut e = Engine::new(Playground::new(1));
            for i in 0..n {
                submit(
                    &mut e,
                    &format!(
                        "redis-server --port {} --cluster-enabled yes --daemonize yes",
                        7000 + i
                    ),
                );
            }
            let view = &e.frame().view;
            assert_eq!((view.nodes.len(), view.beliefs.len()), (n, cells));
        }
    }

    #[test]
    fn the_topology_draws_the_same_from_one_cell_per_node_through_a_failure() {
        use crate::components::topology::consensus;
        use cluster_sim::{Belief, BeliefDetail};
        let mut c = console::Console::new(1);
        for port in 7000..=7002 {
            c.eval_shell(&format!(
                "redis-server --port {port} --cluster-enabled yes --cluster-node-timeout 2000 --daemonize yes"
            ));
        }
        c.eval_shell(
            "redis-cli --cluster create 127.0.0.1:7000 127.0.0.1:7001 127.0.0.1:7002 --cluster-yes",
        );
        c.eval_shell("sleep 2");
        c.eval_shell("sim kill 7000");
        let mut seen = Vec::new();
        for _ in 0..80 {
            c.eval_shell("sleep 0.1");
            let full = consensus(&c.sim().view());
            let condensed = consensus(&c.sim().view_with(BeliefDetail::WorstPerTarget));
            assert_eq!(condensed, full);
            seen.push(full.get(&7000).copied());
        }
        assert!(seen.contains(&Some(Belief::PFail)) && seen.contains(&Some(Belief::Fail)));
    }
}
