//! Virtual time. A node never reads a clock: every input carries `now`.

use std::fmt;
use std::ops::{Add, Sub};

/// A span of virtual time in milliseconds.
pub type Millis = u64;

/// A point in virtual time: milliseconds since the Unix epoch, the unit Redis uses for
/// `mstime()` and prints in CLUSTER NODES (`ping_sent`, `pong_received`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimTime(u64);

impl SimTime {
    /// The moment the default scenario clock starts: 2020-01-14 23:34:33 UTC, the date of the
    /// transcripts learners read in the failover lesson.
    pub const DEFAULT_START: SimTime = SimTime(1_579_044_873_000);

    /// A time from Unix milliseconds.
    pub const fn from_unix_millis(ms: u64) -> Self {
        SimTime(ms)
    }

    /// Unix milliseconds, as Redis prints them.
    pub const fn as_unix_millis(self) -> u64 {
        self.0
    }

    /// Whole Unix seconds (`server.unixtime`), used where Redis works at second granularity.
    pub const fn as_unix_secs(self) -> u64 {
        self.0 / 1000
    }

    /// Milliseconds elapsed since `earlier`, or 0 if `earlier` is later.
    pub const fn saturating_since(self, earlier: SimTime) -> Millis {
        self.0.saturating_sub(earlier.0)
    }
}

impl Add<Millis> for SimTime {
    type Output = SimTime;
    fn add(self, rhs: Millis) -> SimTime {
        SimTime(self.0.saturating_add(rhs))
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
        write!(f, "{}", self.0)
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
    }
}
