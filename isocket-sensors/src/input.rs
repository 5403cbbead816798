//! Debounced contact inputs: the alarm input and the button (manual §8, §11).
//!
//! Sans-IO: each takes timestamped samples (milliseconds from any fixed
//! origin, non-decreasing) and returns an event when something happened.

/// Default debounce time for the alarm input and the button.
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

/// How the alarm contact is wired (manual §11 `SENSORTYPE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Polarity {
    /// Normally open: active when closed.
    #[default]
    NormallyOpen,
    /// Normally closed: active when open.
    NormallyClosed,
}

impl Polarity {
    fn is_active(self, closed: bool) -> bool {
        match self {
            Self::NormallyOpen => closed,
            Self::NormallyClosed => !closed,
        }
    }
}

/// The alarm input: a debounced contact read as logically active or not.
///
/// ```
/// use isocket_sensors::input::{AlarmInput, Polarity};
/// let mut alarm = AlarmInput::new(Polarity::NormallyOpen);
/// assert_eq!(alarm.sample(0, true), None);
/// assert_eq!(alarm.sample(50, true), Some(true)); // closed 50 ms: active
/// ```
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AlarmInput {
    polarity: Polarity,
    contact: Debouncer,
}

impl AlarmInput {
    /// An input with the default 50 ms debounce.
    pub fn new(polarity: Polarity) -> Self {
        Self::with_debounce(polarity, DEFAULT_DEBOUNCE_MS)
    }

    /// An input with its own debounce time.
    pub fn with_debounce(polarity: Polarity, debounce_ms: u64) -> Self {
        Self {
            polarity,
            contact: Debouncer::new(debounce_ms),
        }
    }

    /// Logically active? Inactive until the contact's state is known.
    pub fn is_active(&self) -> bool {
        self.contact
            .level()
            .is_some_and(|closed| self.polarity.is_active(closed))
    }

    /// Feeds a sample of the contact (`closed`); returns the new logical
    /// state when it changed.
    pub fn sample(&mut self, now_ms: u64, closed: bool) -> Option<bool> {
        let before = self.is_active();
        self.contact.update(now_ms, closed)?;
        let after = self.is_active();
        (after != before).then_some(after)
    }

    /// Changes NO/NC; returns the new logical state when it changed.
    pub fn set_polarity(&mut self, polarity: Polarity) -> Option<bool> {
        let before = self.is_active();
        self.polarity = polarity;
        let after = self.is_active();
        (after != before).then_some(after)
    }
}

/// What the button did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ButtonEvent {
    /// Released before [`LONG_PRESS_MS`].
    ShortPress,
    /// Still held at [`LONG_PRESS_MS`]: time to show the LED signal.
    LongPressReached,
    /// Released after a long press: time for the factory reset.
    LongPressReleased,
}

/// The push button: short press, or hold of 10 s or more.
///
/// ```
/// use isocket_sensors::input::{Button, ButtonEvent};
/// let mut button = Button::new();
/// button.sample(0, true);
/// button.sample(50, true); // pressed (debounced)
/// assert_eq!(button.sample(10_050, true), Some(ButtonEvent::LongPressReached));
/// button.sample(10_100, false);
/// assert_eq!(button.sample(10_150, false), Some(ButtonEvent::LongPressReleased));
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

    /// When the next event can happen without a new edge: the 10 s mark.
    pub fn poll_timeout(&self) -> Option<u64> {
        match self.pressed_at {
            Some(at) if !self.long => Some(at.saturating_add(LONG_PRESS_MS)),
            _ => None,
        }
    }

    /// Feeds a sample (`pressed`); call it at least every few tens of ms.
    pub fn sample(&mut self, now_ms: u64, pressed: bool) -> Option<ButtonEvent> {
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
                        ButtonEvent::LongPressReleased
                    } else {
                        ButtonEvent::ShortPress
                    }
                })
            }
            None => {
                let at = self.pressed_at?;
                if !self.long && now_ms.saturating_sub(at) >= LONG_PRESS_MS {
                    self.long = true;
                    Some(ButtonEvent::LongPressReached)
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
        let mut alarm = AlarmInput::new(Polarity::NormallyOpen);
        assert_eq!(feed(0, 100, |t| alarm.sample(t, false)), vec![]);
        // Closed 40 ms, open again: a bounce.
        assert_eq!(feed(100, 140, |t| alarm.sample(t, true)), vec![]);
        assert_eq!(feed(140, 300, |t| alarm.sample(t, false)), vec![]);
        assert!(!alarm.is_active());
        // Closed for good: active 50 ms after the first closed sample.
        assert_eq!(feed(300, 500, |t| alarm.sample(t, true)), vec![(350, true)]);
        assert_eq!(
            feed(500, 700, |t| alarm.sample(t, false)),
            vec![(550, false)]
        );
    }

    #[test]
    fn debounce_time_is_configurable() {
        let mut alarm = AlarmInput::with_debounce(Polarity::NormallyOpen, 200);
        assert_eq!(feed(0, 400, |t| alarm.sample(t, true)), vec![(200, true)]);
    }

    #[test]
    fn normally_closed_is_active_when_open() {
        let mut alarm = AlarmInput::new(Polarity::NormallyClosed);
        assert_eq!(feed(0, 100, |t| alarm.sample(t, true)), vec![]);
        assert_eq!(
            feed(100, 200, |t| alarm.sample(t, false)),
            vec![(150, true)]
        );
        // Switching to NO while open: inactive at once.
        assert_eq!(alarm.set_polarity(Polarity::NormallyOpen), Some(false));
        assert_eq!(alarm.set_polarity(Polarity::NormallyOpen), None);
    }

    #[test]
    fn short_press_toggles_on_release() {
        let mut b = Button::new();
        assert_eq!(feed(0, 100, |t| b.sample(t, false)), vec![]);
        assert_eq!(feed(100, 600, |t| b.sample(t, true)), vec![]);
        assert!(b.is_pressed());
        assert_eq!(b.poll_timeout(), Some(10_150));
        let events = feed(600, 700, |t| b.sample(t, false));
        assert_eq!(events, vec![(650, ButtonEvent::ShortPress)]);
    }

    #[test]
    fn hold_of_ten_seconds_signals_then_resets_on_release() {
        let mut b = Button::new();
        let events = feed(0, 10_200, |t| b.sample(t, true));
        assert_eq!(events, vec![(10_050, ButtonEvent::LongPressReached)]);
        assert_eq!(b.poll_timeout(), None);
        let events = feed(20_000, 20_100, |t| b.sample(t, false));
        assert_eq!(events, vec![(20_050, ButtonEvent::LongPressReleased)]);
    }

    #[test]
    fn release_just_before_ten_seconds_is_short() {
        let mut b = Button::new();
        feed(0, 10_000, |t| b.sample(t, true));
        let events = feed(10_000, 10_100, |t| b.sample(t, false));
        // Pressed (debounced) at 50, let go at 10_000: 9.95 s, short.
        assert_eq!(events, vec![(10_050, ButtonEvent::ShortPress)]);
    }
}
