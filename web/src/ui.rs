//! The components' handle on the playground: the frame to draw, and a way to send actions.

use std::ops::Deref;
use std::rc::Rc;

use yew::prelude::*;

use crate::engine::{Engine, Request};
use crate::frame::{Frame, Watch};
use crate::state::{Action, Playground};

/// What a component gets: the last [`Frame`] (through `Deref`) and the engine's address.
/// Two handles are equal when they hold the same frame, so a component draws again only for
/// a new one.
#[derive(Clone)]
pub struct Ui {
    frame: Rc<Frame>,
    send: Rc<dyn Fn(Request)>,
}

impl std::fmt::Debug for Ui {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ui")
            .field("version", &self.frame.version)
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

    /// The frame itself.
    pub fn frame(&self) -> &Rc<Frame> {
        &self.frame
    }
}

/// An engine over the playground `init` makes, on the page's thread; the component using
/// it draws again for each new frame.
#[hook]
pub fn use_ui(init: impl FnOnce() -> Playground) -> Ui {
    let engine = use_mut_ref(|| Engine::new(init()));
    let frame = {
        let engine = std::rc::Rc::clone(&engine);
        use_state(move || engine.borrow().frame())
    };
    let send: Rc<dyn Fn(Request)> = {
        let setter = frame.setter();
        Rc::new(move |request| {
            // Bound first, so the engine is no longer borrowed when the frame is set.
            let next = engine.borrow_mut().handle(request);
            if let Some(next) = next {
                setter.set(next);
            }
        })
    };
    Ui {
        frame: Rc::clone(&frame),
        send,
    }
}
