//! Debounced contact inputs: the alarm contact and the button (manual §8, §11).
//!
//! Sans-IO: each takes timestamped samples (milliseconds from any fixed
//! origin, non-decreasing) and returns an event when something happened.
//!
//! - [`Debouncer`]: a contact's level, accepted once stable for the debounce
//!   time (the alarm contact: whether it is closed).
//! - [`Button`]: the push button classified into [`Press`]es.
//!
//! **Decision: no NO/NC here.** Whether a closed alarm contact means alarm
//! (`SENSORTYPE`, manual §11) is a setting changed by SMS, so the engine
//! owns it; this module reports only whether the contact is closed.

/// Default debounce time for the alarm contact and the button.
pub const DEFAULT_DEBOUNCE_MS: u64 = 50;
/// A button hold of at least this long is a long press (factory reset).
pub const LONG_PRESS_MS: u64 = 10_000;

/// Accepts a new level once the raw samples kept it for the debounce time.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Debouncer {
    period_ms: u64,
    stable: Option<bool>,
    candidate: Option<(bool, u64)>,
}

impl Debouncer {
    /// A debouncer whose level is unknown until the first stable sample run.
    pub fn new(period_ms: u64) -> Self {
        Self {
            period_ms,
            stable: None,
            candidate: None,
        }
    }

    /// The debounced level, once known.
    pub fn level(&self) -> Option<bool> {
        self.stable
    }

    /// When a level seen but not yet accepted will be, if it holds: the
    /// time to sample again without waiting for an edge.
    pub fn poll_timeout(&self) -> Option<u64> {
        self.candidate
            .map(|(_, since)| since.saturating_add(self.period_ms))
    }

    /// Feeds one sample; returns the new debounced level when it changed.
    pub fn update(&mut self, now_ms: u64, level: bool) -> Option<bool> {
        if self.stable == Some(level) {
            self.candidate = None;
            return None;
        }
        let since = match self.candidate {
            Some((candidate, since)) if candidate == level => since,
            _ => {
                self.candidate = Some((level, now_ms));
                now_ms
            }
        };
        if now_ms.saturating_sub(since) >= self.period_ms {
            self.stable = Some(level);
            self.candidate = None;
            Some(level)
        } else {
            None
        }
    }
}

/// What the button did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Press {
    /// Released before [`LONG_PRESS_MS`].
    Short,
    /// Still held at [`LONG_PRESS_MS`] (reported once, while held).
    LongReached,
    /// Released after [`Press::LongReached`].
    LongReleased,
}

/// The push button: short press, or hold of 10 s or more.
///
/// ```
/// use isocket_sensors::input::{Button, Press};
/// let mut button = Button::new();
/// button.sample(0, true);
/// button.sample(50, true); // pressed (debounced)
/// assert_eq!(button.sample(10_050, true), Some(Press::LongReached));
/// button.sample(10_100, false);
/// assert_eq!(button.sample(10_150, false), Some(Press::LongReleased));
/// ```
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Button {
    contact: Debouncer,
    pressed_at: Option<u64>,
    long: bool,
}

impl Default for Button {
    fn default() -> Self {
        Self::new()
    }
}

impl Button {
    /// A button with the default 50 ms debounce.
    pub fn new() -> Self {
        Self::with_debounce(DEFAULT_DEBOUNCE_MS)
    }

    /// A button with its own debounce time.
    pub fn with_debounce(debounce_ms: u64) -> Self {
        Self {
            contact: Debouncer::new(debounce_ms),
            pressed_at: None,
            long: false,
        }
    }

    /// Is the button held (debounced)?
    pub fn is_pressed(&self) -> bool {
        self.pressed_at.is_some()
    }

    /// When the next event can happen without a new edge: an edge's
    /// debounce ending, or the 10 s mark.
    pub fn poll_timeout(&self) -> Option<u64> {
        let long = match self.pressed_at {
            Some(at) if !self.long => Some(at.saturating_add(LONG_PRESS_MS)),
            _ => None,
        };
        [self.contact.poll_timeout(), long]
            .into_iter()
            .flatten()
            .min()
    }

    /// Feeds a sample (`pressed`); call it at least every few tens of ms.
    pub fn sample(&mut self, now_ms: u64, pressed: bool) -> Option<Press> {
        match self.contact.update(now_ms, pressed) {
            Some(true) => {
                self.pressed_at = Some(now_ms);
                self.long = false;
                None
            }
            Some(false) => {
                let was_long = self.long;
                self.long = false;
                self.pressed_at.take().map(|_| {
                    if was_long {
                        Press::LongReleased
                    } else {
                        Press::Short
                    }
                })
            }
            None => {
                let at = self.pressed_at?;
                if !self.long && now_ms.saturating_sub(at) >= LONG_PRESS_MS {
                    self.long = true;
                    Some(Press::LongReached)
                } else {
                    None
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::{vec, vec::Vec};

    /// Feeds `level` every 10 ms over `[from, to)`; collects the events.
    fn feed<T>(from: u64, to: u64, mut f: impl FnMut(u64) -> Option<T>) -> Vec<(u64, T)> {
        (from..to)
            .step_by(10)
            .filter_map(|t| f(t).map(|e| (t, e)))
            .collect()
    }

    #[test]
    fn bounces_shorter_than_the_debounce_are_ignored() {
        let mut contact = Debouncer::new(DEFAULT_DEBOUNCE_MS);
        assert_eq!(contact.level(), None);
        // Open from the start: known (open) after 50 ms.
        assert_eq!(
            feed(0, 100, |t| contact.update(t, false)),
            vec![(50, false)]
        );
        // Closed 40 ms, open again: a bounce.
        assert_eq!(feed(100, 140, |t| contact.update(t, true)), vec![]);
        assert_eq!(feed(140, 300, |t| contact.update(t, false)), vec![]);
        assert_eq!(contact.level(), Some(false));
        // Closed for good: closed 50 ms after the first closed sample.
        assert_eq!(
            feed(300, 500, |t| contact.update(t, true)),
            vec![(350, true)]
        );
        assert_eq!(
            feed(500, 700, |t| contact.update(t, false)),
            vec![(550, false)]
        );
    }

    #[test]
    fn debounce_time_is_configurable() {
        let mut contact = Debouncer::new(200);
        assert_eq!(feed(0, 400, |t| contact.update(t, true)), vec![(200, true)]);
    }

    #[test]
    fn short_press_toggles_on_release() {
        let mut b = Button::new();
        assert_eq!(feed(0, 100, |t| b.sample(t, false)), vec![]);
        assert_eq!(feed(100, 600, |t| b.sample(t, true)), vec![]);
        assert!(b.is_pressed());
        assert_eq!(b.poll_timeout(), Some(10_150));
        b.sample(600, false);
        assert_eq!(b.poll_timeout(), Some(650), "the release's debounce");
        let events = feed(610, 700, |t| b.sample(t, false));
        assert_eq!(events, vec![(650, Press::Short)]);
    }

    #[test]
    fn hold_of_ten_seconds_signals_then_resets_on_release() {
        let mut b = Button::new();
        let events = feed(0, 10_200, |t| b.sample(t, true));
        assert_eq!(events, vec![(10_050, Press::LongReached)]);
        assert_eq!(b.poll_timeout(), None);
        let events = feed(20_000, 20_100, |t| b.sample(t, false));
        assert_eq!(events, vec![(20_050, Press::LongReleased)]);
    }

    #[test]
    fn release_just_before_ten_seconds_is_short() {
        let mut b = Button::new();
        feed(0, 10_000, |t| b.sample(t, true));
        let events = feed(10_000, 10_100, |t| b.sample(t, false));
        // Pressed (debounced) at 50, let go at 10_000: 9.95 s, short.
        assert_eq!(events, vec![(10_050, Press::Short)]);
    }

    #[test]
    fn a_debouncer_says_when_a_new_level_is_due() {
        let mut d = Debouncer::new(50);
        assert_eq!(d.poll_timeout(), None);
        assert_eq!(d.update(100, true), None);
        assert_eq!(d.poll_timeout(), Some(150));
        assert_eq!(d.update(150, true), Some(true));
        assert_eq!(d.poll_timeout(), None);
        // Zero debounce: every change at once.
        let mut d = Debouncer::new(0);
        assert_eq!(d.update(7, true), Some(true));
        assert_eq!(d.update(7, false), Some(false));
    }
}
