//! The device's wall clock (manual §10): unset until DATE, DATESMS, network
//! time or the first SMS's time stamp sets it; then it runs with the
//! monotonic clock and shows the zone it was set in.

use chrono::{TimeDelta, Timelike};
use isocket_proto::Timestamp;

use crate::time::Instant;

/// The wall clock, anchored to a monotonic instant.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Clock {
    anchor: Option<(Instant, Timestamp)>,
}

impl Clock {
    pub(crate) fn set(&mut self, now: Instant, time: Timestamp) {
        self.anchor = Some((now, time));
    }

    pub(crate) fn clear(&mut self) {
        self.anchor = None;
    }

    pub(crate) fn is_set(&self) -> bool {
        self.anchor.is_some()
    }

    /// The wall time at `now`, whole seconds, or `None` while unset.
    pub(crate) fn at(&self, now: Instant) -> Option<Timestamp> {
        let (anchor, time) = self.anchor?;
        let elapsed = i64::try_from(now.since(anchor).as_secs()).ok()?;
        let wall = time
            .datetime()
            .checked_add_signed(TimeDelta::try_seconds(elapsed)?)?;
        Some(Timestamp::from_datetime(wall))
    }

    /// The monotonic instant at which the wall clock next enters a new minute.
    pub(crate) fn next_minute(&self, now: Instant) -> Option<Instant> {
        let (anchor, time) = self.anchor?;
        let elapsed = now.since(anchor).as_secs();
        let second = (u64::from(time.datetime().second()) + elapsed) % 60;
        Some(anchor + crate::time::secs(elapsed + 60 - second))
    }

    /// The wall time at which the monotonic instant `then` (≤ `now`) happened.
    pub(crate) fn at_past(&self, now: Instant, then: Instant) -> Option<Timestamp> {
        let current = self.at(now)?;
        let ago = i64::try_from(now.since(then).as_secs()).ok()?;
        let wall = current
            .datetime()
            .checked_sub_signed(TimeDelta::try_seconds(ago)?)?;
        Some(Timestamp::from_datetime(wall))
    }
}
