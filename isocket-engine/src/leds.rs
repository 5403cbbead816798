//! The three LEDs (manual §8), derived from the device's state after every
//! event; the board hears of them only when a pattern changes.
//! [`LedPattern`] renders each pattern over time for the board's LED driver.

use core::time::Duration;

use crate::engine::Engine;
use crate::io::{Action, Leds, ModemHealth};
use crate::time::Instant;

/// How long one flash of `blink-1s` and `blink-3s` lasts.
pub const FLASH_MS: u64 = 200;

/// A named LED pattern of manual §8, and how it looks over time.
///
/// The board's LED driver, the simulator and the console all render it with
/// [`LedPattern::is_on`], so they agree on what `blink-1s` looks like.
///
/// **Decision** (the manual names the rhythms, not every duty cycle): a
/// "flash" of `blink-1s` and `blink-3s` lasts [`FLASH_MS`]; `blink-4hz` is on
/// for the first half of each 250 ms; `sim-error` is four `blink-4hz` flashes
/// in its first second, then on for two seconds; `locked` is two [`FLASH_MS`]
/// flashes [`FLASH_MS`] apart, then dark, every 2 s. Every pattern starts on at
/// time 0 (except `off`), so two LEDs given the same start time flash
/// together.
///
/// ```
/// use isocket_engine::LedPattern;
///
/// // The POWER LED while the alarm is armed: a 200 ms flash each second.
/// let armed = LedPattern::from_name("blink-1s").unwrap();
/// assert_eq!(armed, LedPattern::Blink1s);
/// assert_eq!(armed.period_ms(), Some(1_000));
/// assert!(armed.is_on(1_050));
/// assert!(!armed.is_on(1_250));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum LedPattern {
    /// Always off.
    #[default]
    Off,
    /// Always on.
    On,
    /// One flash per second.
    Blink1s,
    /// One flash every 3 s.
    Blink3s,
    /// Four flashes per second.
    Blink4Hz,
    /// Four flashes in one second, then 2 s on.
    SimError,
    /// Two flashes, then dark, every 2 s: the settings did not load.
    Locked,
}

impl LedPattern {
    /// Every pattern, in the order of manual §8.
    pub const ALL: [Self; 7] = [
        Self::Off,
        Self::On,
        Self::Blink1s,
        Self::Blink3s,
        Self::Blink4Hz,
        Self::SimError,
        Self::Locked,
    ];

    /// The simulator's name of the pattern.
    pub fn name(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::On => "on",
            Self::Blink1s => "blink-1s",
            Self::Blink3s => "blink-3s",
            Self::Blink4Hz => "blink-4hz",
            Self::SimError => "sim-error",
            Self::Locked => "locked",
        }
    }

    /// Looks a pattern up by its simulator name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The repetition period in ms (`None` for the steady patterns).
    pub fn period_ms(self) -> Option<u64> {
        match self {
            Self::Off | Self::On => None,
            Self::Blink1s => Some(1000),
            Self::Blink3s => Some(3000),
            Self::Blink4Hz => Some(250),
            Self::SimError => Some(3000),
            Self::Locked => Some(2000),
        }
    }

    /// Is the LED on at `elapsed_ms` after the pattern started?
    pub fn is_on(self, elapsed_ms: u64) -> bool {
        let phase = self.period_ms().map_or(0, |p| elapsed_ms % p);
        match self {
            Self::Off => false,
            Self::On => true,
            Self::Blink1s | Self::Blink3s => phase < FLASH_MS,
            Self::Blink4Hz => phase < 125,
            Self::SimError => phase >= 1000 || Self::Blink4Hz.is_on(phase),
            Self::Locked => phase < FLASH_MS || (2 * FLASH_MS..3 * FLASH_MS).contains(&phase),
        }
    }
}

/// Each half of a boot flash: POWER and OUT flash 3 times together.
const BOOT_FLASH_HALF: Duration = Duration::from_millis(250);
const BOOT_FLASH_HALVES: u64 = 6;

#[derive(Debug, Clone)]
pub(crate) struct LedState {
    shown: Option<Leds>,
    booted_at: Instant,
    next_flash_edge: Option<Instant>,
    /// The button has been held 10 s: POWER and OUT blink until release.
    pub(crate) reset_hold: bool,
}

impl LedState {
    pub(crate) fn new(now: Instant) -> Self {
        LedState {
            shown: None,
            booted_at: now,
            next_flash_edge: None,
            reset_hold: false,
        }
    }

    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.next_flash_edge
    }
}

impl Engine {
    fn leds_now(&mut self, now: Instant) -> Leds {
        let healthy = self.modem == ModemHealth::Ok;
        let power = if self.modem == ModemHealth::SimError {
            LedPattern::SimError
        } else if self.settings.alarm_armed && self.settings.alarm_activated {
            LedPattern::Blink4Hz
        } else if self.settings.alarm_armed {
            LedPattern::Blink1s
        } else {
            LedPattern::On
        };
        let gsm = if self.registered {
            LedPattern::Blink3s
        } else {
            LedPattern::Blink1s
        };
        let out = match (healthy, self.relay.is_on()) {
            (false, _) => LedPattern::Blink4Hz,
            (true, true) => LedPattern::On,
            (true, false) => LedPattern::Off,
        };
        let half = now.since(self.leds.booted_at).as_millis() / BOOT_FLASH_HALF.as_millis();
        let half = u64::try_from(half).unwrap_or(u64::MAX);
        if half < BOOT_FLASH_HALVES {
            self.leds.next_flash_edge =
                Some(self.leds.booted_at + BOOT_FLASH_HALF * (half as u32 + 1));
            let flash = if half % 2 == 0 {
                LedPattern::On
            } else {
                LedPattern::Off
            };
            return Leds {
                power: flash,
                gsm,
                out: flash,
            };
        }
        self.leds.next_flash_edge = None;
        if self.leds.reset_hold {
            return Leds {
                power: LedPattern::Blink4Hz,
                gsm,
                out: LedPattern::Blink4Hz,
            };
        }
        if self.locked {
            return Leds {
                power: LedPattern::Locked,
                gsm,
                out: LedPattern::Locked,
            };
        }
        Leds { power, gsm, out }
    }

    pub(crate) fn refresh_leds(&mut self, now: Instant) {
        let leds = self.leds_now(now);
        if self.leds.shown != Some(leds) {
            self.leds.shown = Some(leds);
            self.push(Action::SetLeds(leds));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts off→on edges over `[0, ms)`, with the on-time in ms.
    fn flashes(p: LedPattern, ms: u64) -> (usize, u64) {
        let mut edges = 0;
        let mut on_ms = 0;
        let mut was_on = false;
        for t in 0..ms {
            let on = p.is_on(t);
            edges += usize::from(on && !was_on);
            on_ms += u64::from(on);
            was_on = on;
        }
        (edges, on_ms)
    }

    #[test]
    fn every_pattern_has_its_rhythm() {
        assert_eq!(flashes(LedPattern::Off, 6000), (0, 0));
        assert_eq!(flashes(LedPattern::On, 6000), (1, 6000));
        assert_eq!(flashes(LedPattern::Blink1s, 6000), (6, 6 * FLASH_MS));
        assert_eq!(flashes(LedPattern::Blink3s, 6000), (2, 2 * FLASH_MS));
        assert_eq!(flashes(LedPattern::Blink4Hz, 1000), (4, 500));
        // Per 3 s: four short flashes, then one 2 s on.
        assert_eq!(flashes(LedPattern::SimError, 3000), (5, 500 + 2000));
        assert!(LedPattern::SimError.is_on(2999));
        // Two flashes, then dark until the next 2 s.
        assert_eq!(flashes(LedPattern::Locked, 4000), (4, 4 * FLASH_MS));
        assert!(LedPattern::Locked.is_on(450) && !LedPattern::Locked.is_on(300));
        assert!(!LedPattern::Locked.is_on(1999) && LedPattern::Locked.is_on(2000));
        assert!(!LedPattern::SimError.is_on(3125));
    }

    #[test]
    fn names_round_trip() {
        for p in LedPattern::ALL {
            assert_eq!(LedPattern::from_name(p.name()), Some(p));
        }
        assert_eq!(LedPattern::from_name("disco"), None);
    }
}
