//! The components' handle on the playground: the frame to draw, and a way to send requests.
//!
//! The engine runs in a Web Worker when the page was built with one (a `<meta
//! name="clusterlab-worker">` names its script), else on the page's thread (the
//! `page-engine` feature: the browser tests mount the app where no worker is built). Both
//! speak the same [`Request`]s and [`Frame`]s. The page itself is built without that
//! feature, so its download holds no simulator.

use std::cell::RefCell;
use std::ops::Deref;
use std::rc::Rc;

use yew::prelude::*;

use crate::engine::Request;
use crate::frame::{Frame, Watch};
use crate::state::Action;

/// What a component gets: the last [`Frame`] (through `Deref`) and the engine's address.
/// Two handles are equal when they hold the same frame, so a component draws again only for
/// a new one.
#[derive(Clone)]
pub struct Ui {
    frame: Rc<Frame>,
    send: Rc<dyn Fn(Request)>,
    local: bool,
    pending: u64,
    stopped: bool,
}

impl std::fmt::Debug for Ui {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ui")
            .field("version", &self.frame.version)
            .field("local", &self.local)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Ui {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.frame, &other.frame)
    }
}

impl Deref for Ui {
    type Target = Frame;

    fn deref(&self) -> &Frame {
        &self.frame
    }
}

impl Ui {
    /// Asks the engine to do `action`.
    pub fn dispatch(&self, action: Action) {
        (self.send)(Request::Act(action));
    }

    /// Tells the engine what the panels show.
    pub fn watch(&self, watch: Watch) {
        (self.send)(Request::Watch(watch));
    }

    /// Whether the engine runs on the page's thread, where the page must tick its clock (a
    /// worker ticks its own).
    pub fn local(&self) -> bool {
        self.local
    }

    /// Requests sent that the engine has not followed yet (a worker answers a moment later;
    /// the page marks it, so a test waits for the frame that follows its click).
    pub fn pending(&self) -> u64 {
        self.pending
    }

    /// Whether no engine runs any more, or none could start: nothing the page sends is
    /// followed, and only reloading the page can help.
    pub fn stopped(&self) -> bool {
        self.stopped
    }
}

/// The engine's script named by the page, if it was built with one.
#[cfg(target_arch = "wasm32")]
fn worker_script() -> Option<String> {
    let meta = web_sys::window()?
        .document()?
        .query_selector("meta[name=clusterlab-worker]")
        .ok()??;
    meta.get_attribute("content").filter(|s| !s.is_empty())
}

/// The engine for a playground with `seed` and an earlier session's `history`: in a worker
/// if the page has one, else on the page's thread (with the `page-engine` feature). The
/// component using it draws again for each new frame.
#[hook]
pub fn use_ui(seed: u64, history: impl FnOnce() -> Vec<String>) -> Ui {
    // Made once: the first frame, drawn at once (no world is needed for it), then the
    // engine's place.
    let first = use_memo((), move |_| {
        let history = history();
        (Rc::new(Frame::fresh(seed, history.clone())), history)
    });
    let backend = use_mut_ref(|| None::<Backend>);
    let frame = use_state(|| Rc::clone(&first.0));
    let redraw = use_force_update();
    let setter = frame.setter();
    let send: Rc<dyn Fn(Request)> = {
        let mut slot = backend.borrow_mut();
        let backend = slot
            .get_or_insert_with(|| Backend::start(seed, first.1.clone(), &first.0, setter, redraw));
        backend.sender()
    };
    let (local, pending, stopped) = match &*backend.borrow() {
        #[cfg(target_arch = "wasm32")]
        Some(Backend::Worker(link)) => (false, link.pending(), link.stopped()),
        Some(Backend::Missing) => (true, 0, true),
        _ => (true, 0, false),
    };
    Ui {
        frame: Rc::clone(&frame),
        send,
        local,
        pending,
        stopped,
    }
}

/// Where the engine runs.
enum Backend {
    /// On the page's thread.
    #[cfg(feature = "page-engine")]
    Local(Rc<dyn Fn(Request)>),
    /// In a Web Worker.
    #[cfg(target_arch = "wasm32")]
    Worker(Rc<worker_link::WorkerLink>),
    /// Nowhere: the page can only say so.
    #[cfg_attr(feature = "page-engine", allow(dead_code))]
    Missing,
}

impl Backend {
    fn start(
        seed: u64,
        history: Vec<String>,
        fresh: &Frame,
        setter: UseStateSetter<Rc<Frame>>,
        redraw: UseForceUpdateHandle,
    ) -> Backend {
        #[cfg(target_arch = "wasm32")]
        if let Some(script) = worker_script()
            && let Some(link) = worker_link::WorkerLink::start(
                &script,
                seed,
                history.clone(),
                fresh,
                setter.clone(),
                redraw,
            )
        {
            return Backend::Worker(link);
        }
        #[cfg(not(target_arch = "wasm32"))]
        drop(redraw);
        #[cfg(feature = "page-engine")]
        {
            let _ = fresh;
            let engine = Rc::new(RefCell::new(crate::engine::Engine::new(
                crate::state::Playground::with_history(seed, history),
            )));
            setter.set(engine.borrow().frame());
            Backend::Local(Rc::new(move |request| {
                // Bound first, so the engine is no longer borrowed when the frame is set.
                let next = engine.borrow_mut().handle(request);
                if let Some(next) = next {
                    setter.set(next);
                }
            }))
        }
        #[cfg(not(feature = "page-engine"))]
        {
            let _ = (seed, history);
            setter.set(Rc::new(Frame {
                error: Some(NO_ENGINE.to_string()),
                ..fresh.clone()
            }));
            Backend::Missing
        }
    }

    fn sender(&self) -> Rc<dyn Fn(Request)> {
        match self {
            #[cfg(feature = "page-engine")]
            Backend::Local(send) => Rc::clone(send),
            #[cfg(target_arch = "wasm32")]
            Backend::Worker(link) => {
                let link = Rc::clone(link);
                Rc::new(move |request| link.send(request))
            }
            Backend::Missing => Rc::new(|_| {}),
        }
    }
}

/// What the page says when its worker failed, with the browser's reason if it gave one.
#[cfg(target_arch = "wasm32")]
fn stopped_note(why: Option<&str>) -> String {
    match why {
        Some(why) => format!("The simulator stopped ({why}). Reload the page to start again."),
        None => "The simulator stopped. Reload the page to start again.".to_string(),
    }
}

/// What the page says when it has no engine to run.
#[cfg_attr(feature = "page-engine", allow(dead_code))]
const NO_ENGINE: &str = "The simulator cannot start: this page runs it in a Web Worker, and the browser did not start one. Reload the page, or try a current browser.";

#[cfg(target_arch = "wasm32")]
mod worker_link {
    use super::*;
    use crate::patch::{apply, decode, encode};
    use crate::worker::{FromEngine, ToEngine};
    use std::cell::Cell;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::Closure;

    /// The page's end of the worker: sends requests (holding them until the worker listens)
    /// and rebuilds frames from its patches.
    pub struct WorkerLink {
        worker: web_sys::Worker,
        /// Messages waiting for the worker to listen; `None` once it does.
        waiting: RefCell<Option<Vec<Vec<u8>>>>,
        /// Messages sent (the start, then requests), and followed by the worker.
        sent: Cell<u64>,
        handled: Rc<Cell<u64>>,
        /// Draws the page again (a request sent, one followed without a new frame).
        redraw: UseForceUpdateHandle,
        /// The worker failed (its script did not load, or it stopped): nothing is sent.
        dead: Rc<Cell<bool>>,
        _onmessage: Closure<dyn FnMut(web_sys::MessageEvent)>,
        _onerror: Closure<dyn FnMut(web_sys::Event)>,
    }

    impl WorkerLink {
        /// Starts the worker's script and its playground.
        pub fn start(
            script: &str,
            seed: u64,
            history: Vec<String>,
            fresh: &Frame,
            setter: UseStateSetter<Rc<Frame>>,
            redraw: UseForceUpdateHandle,
        ) -> Option<Rc<WorkerLink>> {
            let worker = web_sys::Worker::new(script).ok()?;
            let handled = Rc::new(Cell::new(0));
            let dead = Rc::new(Cell::new(false));
            let last = Rc::new(RefCell::new(None::<Rc<Frame>>));
            // The worker failed: the page says so, on the last frame it drew.
            let onerror = {
                let (last, setter, dead) = (Rc::clone(&last), setter.clone(), Rc::clone(&dead));
                let fresh = fresh.clone();
                Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
                    dead.set(true);
                    let shown = last
                        .borrow()
                        .as_deref()
                        .cloned()
                        .unwrap_or_else(|| fresh.clone());
                    // A script that did not load is a plain event; an error inside the worker
                    // says what it was.
                    let why = e
                        .dyn_ref::<web_sys::ErrorEvent>()
                        .map(|e| e.message())
                        .filter(|m| !m.is_empty());
                    setter.set(Rc::new(Frame {
                        error: Some(stopped_note(why.as_deref())),
                        ..shown
                    }));
                })
            };
            worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
            let link = Rc::new_cyclic(|weak: &std::rc::Weak<WorkerLink>| {
                let weak = weak.clone();
                let (handled_now, redraw_now) = (Rc::clone(&handled), redraw.clone());
                let onmessage = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                    move |e: web_sys::MessageEvent| {
                        let bytes = js_sys::Uint8Array::new(&e.data()).to_vec();
                        match decode::<FromEngine>(&bytes) {
                            Ok(FromEngine::Ready) => {
                                if let Some(link) = weak.upgrade() {
                                    link.flush();
                                }
                            }
                            Ok(FromEngine::Handled(n)) => {
                                handled_now.set(n);
                                redraw_now.force_update();
                            }
                            Ok(FromEngine::Frame(patch, n)) => {
                                handled_now.set(n);
                                let mut last = last.borrow_mut();
                                match apply(last.as_deref(), *patch) {
                                    Ok(frame) => {
                                        let frame = Rc::new(frame);
                                        *last = Some(Rc::clone(&frame));
                                        setter.set(frame);
                                    }
                                    Err(e) => {
                                        redraw_now.force_update();
                                        web_sys::console::error_1(
                                            &format!(
                                                "ClusterLab: a frame could not be rebuilt: {e}"
                                            )
                                            .into(),
                                        )
                                    }
                                }
                            }
                            Ok(FromEngine::Error(e)) => {
                                web_sys::console::error_1(&format!("ClusterLab: {e}").into())
                            }
                            Err(e) => web_sys::console::error_1(
                                &format!(
                                    "ClusterLab: a message from the worker could not be read: {e}"
                                )
                                .into(),
                            ),
                        }
                    },
                );
                worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
                WorkerLink {
                    worker,
                    waiting: RefCell::new(Some(Vec::new())),
                    sent: Cell::new(0),
                    handled,
                    redraw,
                    dead,
                    _onmessage: onmessage,
                    _onerror: onerror,
                }
            });
            link.post(encode(&ToEngine::Start { seed, history }));
            link.sent.set(1);
            Some(link)
        }

        /// Sends a request.
        pub fn send(&self, request: Request) {
            if self.dead.get() {
                return;
            }
            self.post(encode(&ToEngine::Request(request)));
            self.sent.set(self.sent.get() + 1);
            self.redraw.force_update();
        }

        /// Whether the worker failed.
        pub fn stopped(&self) -> bool {
            self.dead.get()
        }

        /// Requests sent and not yet followed (none once the worker failed).
        pub fn pending(&self) -> u64 {
            if self.dead.get() {
                return 0;
            }
            self.sent.get().saturating_sub(self.handled.get())
        }

        fn post(&self, bytes: Vec<u8>) {
            if let Some(waiting) = self.waiting.borrow_mut().as_mut() {
                waiting.push(bytes);
                return;
            }
            self.post_now(&bytes);
        }

        fn post_now(&self, bytes: &[u8]) {
            let array = js_sys::Uint8Array::from(bytes);
            let transfer = js_sys::Array::of1(&array.buffer());
            let _ = self.worker.post_message_with_transfer(&array, &transfer);
        }

        /// The worker listens: sends what waited.
        fn flush(&self) {
            let waiting = self.waiting.borrow_mut().take();
            for bytes in waiting.into_iter().flatten() {
                self.post_now(&bytes);
            }
        }
    }

    impl Drop for WorkerLink {
        fn drop(&mut self) {
            self.worker.terminate();
        }
    }
}
