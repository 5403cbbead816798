//! The three LEDs (manual §8), derived from the device's state after every
//! event; the board hears of them only when a pattern changes.

use core::time::Duration;

use crate::engine::Engine;
use crate::io::{Action, LedPattern, Leds, ModemHealth};
use crate::time::Instant;

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
