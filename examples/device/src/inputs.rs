//! The inputs, debounced and classified: the alarm contact, the button and
//! the mains sense, from the raw levels a board samples.

use isocket_engine::ButtonEvent;
use isocket_sensors::input::{Button, Debouncer, Press};

use crate::board::Inputs;

/// How long the alarm contact and the button must be steady to count.
pub const CONTACT_DEBOUNCE_MS: u64 = 50;
/// The mains sense must hold a level this long (glitches on the divider).
pub const MAINS_DEBOUNCE_MS: u64 = 200;

/// What changed at a sample.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Changes {
    /// The contact closed (`true`) or opened.
    pub contact: Option<bool>,
    /// A press, classified.
    pub button: Option<ButtonEvent>,
    /// Mains came back (`true`) or went.
    pub mains: Option<bool>,
}

/// The input filters.
pub struct InputFilter {
    contact: Debouncer,
    button: Button,
    mains: Debouncer,
    /// The device boots assuming mains; only a change is reported.
    mains_present: bool,
}

impl InputFilter {
    /// Filters for raw levels, or, for a board whose inputs come debounced
    /// (hardware filters, a simulator), none: each change counts at once.
    pub fn new(debounced: bool) -> Self {
        let (contact, mains) = if debounced {
            (0, 0)
        } else {
            (CONTACT_DEBOUNCE_MS, MAINS_DEBOUNCE_MS)
        };
        InputFilter {
            contact: Debouncer::new(contact),
            button: Button::with_debounce(contact),
            mains: Debouncer::new(mains),
            mains_present: true,
        }
    }

    /// One sample of the raw levels at `now_ms`.
    pub fn sample(&mut self, now_ms: u64, inputs: Inputs) -> Changes {
        let button = self
            .button
            .sample(now_ms, inputs.button_pressed)
            .map(|press| match press {
                Press::Short => ButtonEvent::ShortPress,
                Press::LongReached => ButtonEvent::LongPressReached,
                Press::LongReleased => ButtonEvent::LongPressReleased,
            });
        let mains = self
            .mains
            .update(now_ms, inputs.mains_present)
            .filter(|present| *present != self.mains_present);
        if let Some(present) = mains {
            self.mains_present = present;
        }
        Changes {
            contact: self.contact.update(now_ms, inputs.contact_closed),
            button,
            mains,
        }
    }

    /// When a level seen will count, or a hold becomes long, if nothing
    /// changes meanwhile.
    pub fn poll_timeout(&self) -> Option<u64> {
        [
            self.contact.poll_timeout(),
            self.button.poll_timeout(),
            self.mains.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
    }
}
