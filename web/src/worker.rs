//! The engine in a Web Worker: the world is stepped on a thread of its own, and the page only
//! draws the frames it receives (see `docs/PERFORMANCE.md`).
//!
//! Both sides speak in [`ToEngine`] and [`FromEngine`] messages, as bytes ([`crate::patch`]).
//! The worker ticks the clock itself, so a slow tick delays frames, never the page.

use std::cell::RefCell;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use crate::engine::{Engine, Request};
use crate::hooks::TICK_MS;
use crate::patch::{Patch, Sender, decode, encode};
use crate::state::{Action, Playground};
use crate::wallclock::now_ms;

/// What the page sends the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ToEngine {
    /// Make the playground: a world with this seed, and the history of an earlier session
    /// (the worker cannot read the page's storage).
    Start {
        /// The world's seed.
        seed: u64,
        /// Lines typed in earlier sessions.
        history: Vec<String>,
    },
    /// Follow this request.
    Request(Request),
}

/// What the worker sends the page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum FromEngine {
    /// The worker listens: messages sent before were lost, so the page holds them until now.
    Ready,
    /// A new frame, as a patch on the one sent before, and how many requests the worker has
    /// followed so far.
    Frame(Box<Patch>, u64),
    /// The worker followed this many requests so far (sent when the last made no new frame).
    Handled(u64),
    /// A message could not be read.
    Error(String),
}

/// A tick may be late by this much and still count in full (a busy or hidden page delays
/// timers; what is owed beyond it is not run, as when the clock cannot keep up).
const MAX_TICK_MS: f64 = 4.0 * TICK_MS as f64;

/// Real milliseconds a tick may give the world. A world that keeps up needs less and the next
/// tick comes [`TICK_MS`] after this one started; one that cannot gets all of it and the next
/// tick at once, so the world runs nearly all the time: the frame made after each tick (a few
/// ms at 1,000 nodes) is then small beside it. A request waits at most this long for a tick.
const WORKER_TICK_BUDGET_MS: f64 = 90.0;

/// Virtual milliseconds a busy tick may leave to the next ones, and a tick with time to spare
/// may then run ahead of the clock (see [`Playground::with_catch_up`]). A big world's work
/// comes in bursts: at 1,000 nodes, natively, a tenth of a virtual second mostly costs 16 ms
/// but one in ten costs 150 ms or more (985 ms at worst), as waves of PINGs go out together.
/// What a burst leaves owed beyond the debt is dropped, and what the world could have run
/// ahead of a burst it spends idle, so the debt and the lead must span a burst: with 250 and
/// 100 ms the page played 1,000 nodes at 0.84x although the world alone runs at 1.5x in a
/// worker (docs/PERFORMANCE.md). The clock shown then trails real time by up to two seconds
/// in a burst, and leads it by half a second after one.
const WORKER_MAX_DEBT_MS: f64 = 2000.0;
const WORKER_MAX_AHEAD_MS: f64 = 500.0;

/// The worker's state between messages and ticks.
#[derive(Default)]
struct Worker {
    engine: Option<Engine>,
    sender: Sender,
    /// When the last tick started (real ms).
    last_tick: f64,
    /// What the last tick took, frame included (real ms).
    last_cost: f64,
    /// A tick is scheduled.
    scheduled: bool,
    /// Messages followed so far (requests, and the start).
    handled: u64,
}

fn scope() -> web_sys::DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Sends `message` to the page, its bytes handed over rather than copied.
fn post(message: &FromEngine) {
    let bytes = js_sys::Uint8Array::from(encode(message).as_slice());
    let transfer = js_sys::Array::of1(&bytes.buffer());
    let _ = scope().post_message_with_transfer(&bytes, &transfer);
}

impl Worker {
    /// Follows a message from the page.
    fn follow(&mut self, message: ToEngine) {
        let frame = match message {
            ToEngine::Start { seed, history } => {
                self.handled += 1;
                let engine = Engine::new(
                    Playground::with_history(seed, history)
                        .with_tick_budget(WORKER_TICK_BUDGET_MS)
                        .with_catch_up(WORKER_MAX_DEBT_MS, WORKER_MAX_AHEAD_MS),
                );
                let frame = engine.frame();
                self.engine = Some(engine);
                self.sender = Sender::default();
                Some(frame)
            }
            ToEngine::Request(request) => {
                self.handled += 1;
                self.engine.as_mut().and_then(|e| e.handle(request))
            }
        };
        match frame {
            Some(frame) => post(&FromEngine::Frame(
                Box::new(self.sender.patch(&frame)),
                self.handled,
            )),
            None => post(&FromEngine::Handled(self.handled)),
        }
    }

    /// Runs a clock tick: real time since the last one passes in the world.
    fn tick(&mut self) {
        let now = now_ms();
        let real = (now - self.last_tick).clamp(0.0, MAX_TICK_MS);
        self.last_tick = now;
        if let Some(frame) = self
            .engine
            .as_mut()
            .and_then(|e| e.handle(Request::Act(Action::Tick(real))))
        {
            post(&FromEngine::Frame(
                Box::new(self.sender.patch(&frame)),
                self.handled,
            ));
        }
        self.last_cost = now_ms() - now;
    }

    fn ticking(&self) -> bool {
        self.engine.as_ref().is_some_and(|e| e.frame().ticking())
    }

    /// Whether the world barely keeps up, or not at all: the last tick took half a tick's
    /// period or more, or left virtual time owed.
    fn busy(&self) -> bool {
        self.last_cost >= f64::from(TICK_MS) / 2.0
            || self
                .engine
                .as_ref()
                .is_some_and(|e| e.playground().in_debt())
    }
}

/// How the next tick is called: the tick itself, and a channel to call it at once.
struct Scheduler {
    tick: js_sys::Function,
    /// A message on it runs the tick as soon as the worker is free: a timer of 0 ms waits
    /// at least 4 once timers nest, and a tick overdue should not wait at all.
    now: web_sys::MessagePort,
    /// The channel's other end, which runs the tick (held so that it lives as long).
    _runs: web_sys::MessagePort,
}

/// Schedules the next tick while the clock ticks: [`TICK_MS`] after the last one started, or
/// at once if that has passed or if the world is busy: a world that barely keeps up would
/// otherwise sit idle until the timer (about 30 ms a time, measured at 1,000 nodes) with work
/// it could do, and fall behind. At once, the next tick simply owes less. The page's messages
/// still get their turn between ticks.
fn schedule(worker: &mut Worker, scheduler: &Scheduler) {
    if worker.scheduled || !worker.ticking() {
        return;
    }
    if worker.last_tick == 0.0 {
        worker.last_tick = now_ms();
    }
    let wait = if worker.busy() {
        0.0
    } else {
        (worker.last_tick + f64::from(TICK_MS) - now_ms()).max(0.0)
    };
    worker.scheduled = if wait < 1.0 {
        scheduler
            .now
            .post_message(&wasm_bindgen::JsValue::NULL)
            .is_ok()
    } else {
        scope()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&scheduler.tick, wait as i32)
            .is_ok()
    };
}

/// The worker's entry point: listens to the page, and tells it so.
pub fn run() {
    let worker = Rc::new(RefCell::new(Worker::default()));
    // One closure for every tick of the worker's life, rescheduled by itself.
    let tick_slot: Rc<RefCell<Option<Scheduler>>> = Rc::default();
    let tick = {
        let (worker, tick_slot) = (Rc::clone(&worker), Rc::clone(&tick_slot));
        Closure::<dyn FnMut()>::new(move || {
            let mut w = worker.borrow_mut();
            w.scheduled = false;
            if !w.ticking() {
                // Stopped since: the next start counts from then.
                w.last_tick = 0.0;
                return;
            }
            w.tick();
            if let Some(f) = tick_slot.borrow().as_ref() {
                schedule(&mut w, f);
            }
        })
    };
    let tick_fn = tick.as_ref().unchecked_ref::<js_sys::Function>().clone();
    if let Ok(channel) = web_sys::MessageChannel::new() {
        let runs = channel.port1();
        runs.set_onmessage(Some(&tick_fn));
        *tick_slot.borrow_mut() = Some(Scheduler {
            tick: tick_fn,
            now: channel.port2(),
            _runs: runs,
        });
    }
    tick.forget();
    let onmessage =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let bytes = js_sys::Uint8Array::new(&e.data()).to_vec();
            match decode::<ToEngine>(&bytes) {
                Ok(message) => {
                    let mut w = worker.borrow_mut();
                    let was_ticking = w.ticking();
                    w.follow(message);
                    if !was_ticking {
                        w.last_tick = 0.0;
                    }
                    if let Some(f) = tick_slot.borrow().as_ref() {
                        schedule(&mut w, f);
                    }
                }
                Err(e) => post(&FromEngine::Error(format!(
                    "the worker could not read a message: {e}"
                ))),
            }
        });
    scope().set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    post(&FromEngine::Ready);
}
