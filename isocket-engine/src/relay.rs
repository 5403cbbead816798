//! The main socket's relay (manual §6): its state, its base state (where it
//! settles once timers end), the one pending timer, and how long it has been on.

use core::time::Duration;

use crate::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Timer {
    at: Instant,
    then_on: bool,
}

/// What a relay operation changed, so the engine knows what to tell the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[must_use]
pub(crate) struct Change {
    pub(crate) switched: bool,
    pub(crate) base_changed: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Relay {
    on: bool,
    base: bool,
    timer: Option<Timer>,
    on_since: Option<Instant>,
}

impl Relay {
    pub(crate) fn new(on: bool, now: Instant) -> Self {
        Relay {
            on,
            base: on,
            timer: None,
            on_since: on.then_some(now),
        }
    }

    pub(crate) fn is_on(&self) -> bool {
        self.on
    }

    pub(crate) fn base(&self) -> bool {
        self.base
    }

    /// When the relay switched on, while it is on.
    pub(crate) fn on_since(&self) -> Option<Instant> {
        self.on_since
    }

    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.timer.map(|t| t.at)
    }

    /// ON / OFF: switch for good, cancelling any timer.
    pub(crate) fn switch(&mut self, now: Instant, on: bool) -> Change {
        self.timer = None;
        self.apply(now, on, on)
    }

    /// ON<n> / OFF<n>: switch now, and the other way after `duration`.
    pub(crate) fn switch_for(&mut self, now: Instant, on: bool, duration: Duration) -> Change {
        self.timer = Some(Timer {
            at: now + duration,
            then_on: !on,
        });
        self.apply(now, on, !on)
    }

    /// RESTART: invert for `duration`, then return to the state before.
    pub(crate) fn restart(&mut self, now: Instant, duration: Duration) -> Change {
        let before = self.on;
        self.switch_for(now, !before, duration)
    }

    /// Runs the timer if it is due.
    pub(crate) fn on_timeout(&mut self, now: Instant) -> Change {
        match self.timer {
            Some(timer) if timer.at <= now => {
                self.timer = None;
                self.apply(now, timer.then_on, self.base)
            }
            _ => Change::default(),
        }
    }

    fn apply(&mut self, now: Instant, on: bool, base: bool) -> Change {
        let change = Change {
            switched: on != self.on,
            base_changed: base != self.base,
        };
        if change.switched {
            self.on = on;
            self.on_since = on.then_some(now);
        }
        self.base = base;
        change
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::secs;

    #[test]
    fn timed_on_settles_off() {
        let t0 = Instant::from_millis(0);
        let mut relay = Relay::new(false, t0);
        let change = relay.switch_for(t0, true, secs(30));
        assert_eq!(
            change,
            Change {
                switched: true,
                base_changed: false
            }
        );
        assert!(relay.is_on());
        assert!(!relay.on_timeout(t0 + secs(29)).switched);
        assert!(relay.on_timeout(t0 + secs(30)).switched);
        assert!(!relay.is_on());
        assert_eq!(relay.deadline(), None);
    }

    #[test]
    fn restart_returns_to_the_state_before() {
        let t0 = Instant::from_millis(0);
        let mut relay = Relay::new(true, t0);
        let _ = relay.restart(t0, secs(10));
        assert!(!relay.is_on());
        assert!(relay.base());
        let _ = relay.on_timeout(t0 + secs(10));
        assert!(relay.is_on());
        assert_eq!(relay.on_since(), Some(t0 + secs(10)));
    }

    #[test]
    fn a_new_command_replaces_the_timer() {
        let t0 = Instant::from_millis(0);
        let mut relay = Relay::new(false, t0);
        let _ = relay.switch_for(t0, true, secs(30));
        let change = relay.switch(t0 + secs(5), true);
        assert_eq!(
            change,
            Change {
                switched: false,
                base_changed: true
            }
        );
        assert_eq!(relay.deadline(), None);
        assert!(!relay.on_timeout(t0 + secs(60)).switched);
        assert!(relay.is_on());
    }
}
