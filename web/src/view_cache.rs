//! The world's picture for the views (`Simulator::view`), built at most as often as the page
//! can afford.
//!
//! A picture reads every node's record of every other and goes through every bus connection
//! (a condensed one counts the links past 2,016 rather than listing them): at 1,000 nodes one
//! cost 0.1 s or more in the browser even with one belief cell per node, back when it still
//! listed the links (docs/PERFORMANCE.md), and the engine makes a frame on every clock tick.
//! While the clock plays or lines run, a picture is therefore reused until twenty times what
//! it cost has passed, which keeps pictures near a twentieth of the engine's time (a big world
//! needs the rest to keep up with real time); a world standing still gets a fresh picture on
//! every change, so a command's effect always shows.

use std::rc::Rc;

use cluster_sim::ClusterView;

use crate::state::Playground;

/// A picture is reused for this many times what it cost to build (while the world moves).
const REUSE_FACTOR: f64 = 20.0;

/// The last picture built.
#[derive(Debug, Clone)]
pub struct ViewCache {
    view: Rc<ClusterView>,
    /// The playground's version it shows.
    version: u64,
    /// When it was built, and what that cost (real ms).
    built_at: f64,
    cost: f64,
}

/// A shared value compared by address: the same picture of the world, not an equal one. As a
/// hook's dependency it re-runs the hook only for a new picture; comparing two pictures of a
/// thousand nodes field by field would cost what the hook saves.
#[derive(Debug)]
pub struct ByPtr<T>(pub Rc<T>);

impl<T> PartialEq for ByPtr<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Whether the cached picture may be shown for `version` at real time `now`; `moving` says
/// the clock plays or lines run.
fn still_good(cache: &ViewCache, version: u64, moving: bool, now: f64) -> bool {
    cache.version == version || (moving && now - cache.built_at < cache.cost * REUSE_FACTOR)
}

/// The picture to draw now: the cached one if it is still good, else a new one.
pub fn view_of(
    slot: &mut Option<ViewCache>,
    state: &Playground,
    clock: &mut dyn FnMut() -> f64,
) -> Rc<ClusterView> {
    let moving = state.ticking();
    let now = clock();
    if let Some(cache) = slot.as_ref()
        && still_good(cache, state.version, moving, now)
    {
        return Rc::clone(&cache.view);
    }
    let view = Rc::new(state.view());
    let cost = clock() - now;
    *slot = Some(ViewCache {
        view: Rc::clone(&view),
        version: state.version,
        built_at: now,
        cost,
    });
    view
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(version: u64, built_at: f64, cost: f64) -> ViewCache {
        ViewCache {
            view: Rc::new(cluster_sim::Simulator::new(1).view()),
            version,
            built_at,
            cost,
        }
    }

    #[test]
    fn a_picture_is_reused_only_while_the_world_moves_and_for_twenty_times_its_cost() {
        // The same version: always good.
        assert!(still_good(&cache(3, 0.0, 300.0), 3, false, 1e9));
        // A new version of a world standing still: rebuilt at once.
        assert!(!still_good(&cache(3, 0.0, 300.0), 4, false, 1.0));
        // Moving: a 30 ms picture serves for 600 ms, a cheap one barely at all.
        assert!(still_good(&cache(3, 0.0, 30.0), 9, true, 599.0));
        assert!(!still_good(&cache(3, 0.0, 30.0), 9, true, 601.0));
        assert!(!still_good(&cache(3, 0.0, 0.1), 9, true, 2.1));
    }

    #[test]
    fn the_cached_picture_is_shared_not_rebuilt() {
        let state = Playground::new(1);
        let mut slot = None;
        let mut clock = || 0.0;
        let a = view_of(&mut slot, &state, &mut clock);
        let b = view_of(&mut slot, &state, &mut clock);
        assert!(Rc::ptr_eq(&a, &b));
    }
}
