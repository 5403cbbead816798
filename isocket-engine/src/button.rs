//! The hidden button (manual §8) and the factory reset (manual §16).

use crate::engine::Engine;
use crate::io::{Action, ButtonEvent, Record};
use crate::settings::Settings;
use crate::time::Instant;

impl Engine {
    /// A short press toggles the relay, or disarms an armed alarm (no SMS);
    /// a hold of 10 s resets to factory state.
    pub(crate) fn on_button(&mut self, now: Instant, button: ButtonEvent) {
        match button {
            ButtonEvent::ShortPress if self.settings.alarm_armed => self.set_armed(now, false),
            ButtonEvent::ShortPress => {
                let on = !self.relay.is_on();
                self.switch_relay(now, on);
            }
            ButtonEvent::LongPressReached => self.leds.reset_hold = true,
            ButtonEvent::LongPressReleased => self.factory_reset(now),
        }
    }

    /// Everything back to factory state, saved, then a reboot.
    fn factory_reset(&mut self, now: Instant) {
        // Unlocks a device that booted locked: the factory state is saved.
        self.locked = false;
        self.inbox.clear();
        self.settings = Settings::default();
        self.alarm_log.clear();
        self.clock.clear();
        self.switch_relay(now, false);
        self.save_settings();
        self.save_relay();
        self.push(Action::Save(Record::AlarmLog));
        self.push(Action::SetClock(None));
        self.push(Action::Reboot);
    }
}
