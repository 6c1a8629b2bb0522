//! Virtual time. A node never reads a clock: every input carries `now`.

use std::fmt;
use std::num::NonZeroU64;
use std::ops::{Add, Sub};

/// A span of virtual time in milliseconds.
pub type Millis = u64;

/// A point in virtual time: milliseconds since the Unix epoch, the unit Redis uses for
/// `mstime()` and prints in CLUSTER NODES (`ping_sent`, `pong_received`).
///
/// Stored as milliseconds plus one in a `NonZeroU64`, so that an `Option<SimTime>` takes 8
/// bytes, not 16: each node keeps six optional times per known node, and a 1,000-node world
/// holds a million such records. Times saturate one millisecond short of `u64::MAX`.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct SimTime(NonZeroU64);

/// The greatest representable time, in Unix milliseconds.
const MAX_MILLIS: u64 = u64::MAX - 1;

impl SimTime {
    /// The moment the default scenario clock starts: 2020-01-14 23:34:33 UTC, the date of the
    /// transcripts learners read in the failover lesson.
    pub const DEFAULT_START: SimTime = SimTime::from_unix_millis(1_579_044_873_000);

    /// A time from Unix milliseconds.
    pub const fn from_unix_millis(ms: u64) -> Self {
        let ms = if ms > MAX_MILLIS { MAX_MILLIS } else { ms };
        match NonZeroU64::new(ms + 1) {
            Some(v) => SimTime(v),
            None => SimTime(NonZeroU64::MIN), // unreachable: ms + 1 >= 1
        }
    }

    /// Unix milliseconds, as Redis prints them.
    pub const fn as_unix_millis(self) -> u64 {
        self.0.get() - 1
    }

    /// Whole Unix seconds (`server.unixtime`), used where Redis works at second granularity.
    pub const fn as_unix_secs(self) -> u64 {
        self.as_unix_millis() / 1000
    }

    /// Milliseconds elapsed since `earlier`, or 0 if `earlier` is later.
    pub const fn saturating_since(self, earlier: SimTime) -> Millis {
        self.as_unix_millis()
            .saturating_sub(earlier.as_unix_millis())
    }
}

impl Default for SimTime {
    /// The Unix epoch.
    fn default() -> Self {
        SimTime::from_unix_millis(0)
    }
}

impl fmt::Debug for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SimTime({})", self.as_unix_millis())
    }
}

impl Add<Millis> for SimTime {
    type Output = SimTime;
    fn add(self, rhs: Millis) -> SimTime {
        SimTime::from_unix_millis(self.as_unix_millis().saturating_add(rhs))
    }
}

impl Sub<SimTime> for SimTime {
    type Output = Millis;
    fn sub(self, rhs: SimTime) -> Millis {
        self.saturating_since(rhs)
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_unix_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_start_is_the_lesson_date() {
        // 2020-01-14 23:34:33 UTC
        assert_eq!(SimTime::DEFAULT_START.as_unix_secs(), 1_579_044_873);
    }

    #[test]
    fn arithmetic_saturates() {
        let t = SimTime::from_unix_millis(1000);
        assert_eq!(t + 500, SimTime::from_unix_millis(1500));
        assert_eq!(t - SimTime::from_unix_millis(2000), 0);
        assert_eq!(SimTime::from_unix_millis(2500) - t, 1500);
        assert_eq!(SimTime::default().as_unix_millis(), 0);
        assert!(SimTime::default() < t);
        let end = SimTime::from_unix_millis(u64::MAX);
        assert_eq!(end + 5, end, "saturates");
        assert_eq!(end.as_unix_millis(), u64::MAX - 1);
        assert_eq!(format!("{t:?} {t}"), "SimTime(1000) 1000");
        // The point of the representation: no extra word for "never".
        assert_eq!(std::mem::size_of::<Option<SimTime>>(), 8);
    }
}
