//! # isocket-engine
//!
//! The isocket smart socket as a sans-IO state machine, like smoltcp or
//! quinn-proto: the board feeds it [`Event`]s (an SMS, a call, a probe
//! reading, a storage result) with the current monotonic [`Instant`], and
//! drains [`Action`]s (send an SMS, switch the relay, save a record). It
//! never blocks, never reads a clock, never touches a pin and never
//! allocates, so every behaviour of the specification runs at simulated
//! speed in tests.
//!
//! Section numbers (manual §9) refer to the [isocket user manual], which
//! states every command, reply text and behaviour of the device.
//!
//! [isocket user manual]: https://github.com/isocket/isocket/blob/main/docs/manual.md
//!
//! ```
//! use isocket_engine::{Action, BoardInfo, Boot, Engine, Event, Instant, Stored};
//!
//! let board = BoardInfo { product: "isocket example", serial: "0001".try_into().unwrap() };
//! let mut device = Engine::new(board, Stored::default(), Boot::default(), Instant::from_millis(0));
//!
//! let now = Instant::from_millis(1_000);
//! let from = "+4915112345678";
//! let toa = isocket_engine::toa::INTERNATIONAL;
//! device.handle(now, Event::SmsReceived { from, toa, text: "ON", sent_at: None });
//! let (mut sms, mut saved) = (Vec::new(), Vec::new());
//! loop {
//!     while let Some(action) = device.poll_action() {
//!         match action {
//!             Action::SetRelay(on) => println!("relay {on}"),
//!             Action::SendSms { to, text } => sms.push((to, text)),
//!             // Persist device.relay_base_state(), then report it.
//!             Action::Save(record) => saved.push(record),
//!             _ => {}
//!         }
//!     }
//!     // ON is confirmed once the relay's new state is durable.
//!     let Some(record) = saved.pop() else { break };
//!     device.handle(now, Event::Saved { record, ok: true });
//! }
//! assert!(device.relay_is_on());
//! assert_eq!(sms[0].1, "Power socket ON");
//! // Sleep until the next deadline (an LED edge, the minute's probe reading,
//! // a relay timer...) or the next event, whichever comes first.
//! let wake_at = device.poll_timeout();
//! assert!(wake_at.is_some());
//! ```
//!
//! ## Persistence
//!
//! [`Action::Save`] names a record; the board stores [`Engine::settings`],
//! [`Engine::relay_base_state`] or [`Engine::alarm_log`] and reports
//! [`Event::Saved`], in the order asked. A command that changes settings or
//! the relay's base state (ON, OFF) is confirmed only once the save
//! succeeded; a failed save answers `Execute error!` and the engine returns
//! to the settings storage still holds (a relay that switched stays
//! switched). A save not answered within [`SAVE_TIMEOUT`] counts as failed
//! (and the settings are saved again). SMS arriving meanwhile wait (up to 4)
//! and run in order afterwards.
//!
//! ## Choices where the specification is silent
//!
//! - Removing the last SECNUMBER switches SECLIST off (and RING to NOACTION),
//!   as SECNUMBER-ALL does: an active, empty list would lock everybody out.
//! - SMSCONFIRM=ON/OFF is always confirmed; SMSCONFIRM applies from the next
//!   command on.
//! - The RINGCONFIRM=SMS reply to a call is sent whatever SMSCONFIRM says.
//! - MAKEMEBOSS checks both lists for room before changing either.
//! - ALARMON clears "ALARM status: Activated".
//! - Senders without a phone number (hidden, alphanumeric sender IDs, short
//!   codes: see [`isocket_proto::PhoneNumber::from_address`]) are ignored
//!   entirely (manual §19). The credit-protection lock-out keys on the
//!   sender's number. Refusals (`Access deny!`, `Invalid access password!`)
//!   and the other error replies each have their own budget, a sliding
//!   24-hour window (`Execute error!` counts as an error reply).
//! - Password guessing is bounded device-wide: [`DEVICE_PASSWORD_FAILURES`]
//!   wrong passwords from all numbers in a sliding hour close the password
//!   check to numbers not in [`Settings::known_numbers`] until an hour after
//!   the last wrong guess.
//! - An SMS sets an unset clock from its time stamp only once it passed
//!   SECLIST and the password.
//! - STATUS and TEMPERATURE wait at most 3 s for the probe, then answer
//!   `Sensor error!`.
//! - A factory reset also unsets the clock (manual §16 lists it unset).
//! - The thermostat and the alerts compare the exact reading (1/16 °C) with
//!   the whole-degree limit: 10.0625 °C is above 10 °C.
//! - The sample tick is every whole minute of uptime; a board that slept past
//!   several resumes at the next whole minute (no burst of catch-up reads).
//! - TSENSFAILALERT is sent again for the same failure after any thermostat
//!   setting changes.
//! - Arming (ALARMON, or AON) while the input is active raises an alarm at
//!   once (the alarm is a level). Disarming (ALARMOFF, AOF, the button) stops
//!   a running call cycle and hangs up its call.
//! - The alarm SMS carries the time the sensor fired, also when it is sent
//!   after an unanswered call cycle.
//! - With SMSCHANGE every change moves the relay at once; only the SMS wait
//!   for the 60-s rate limit, and the alarm lock-out does not apply.
//! - A mains failure waits at most 30 min for the network before shutting
//!   down without the SMS; after the SMS the device stays up until every
//!   SMS is handed out and the board reports each sent or finally failed
//!   ([`Event::SmsSent`], [`Event::SmsFailed`]), [`send_budget`] at most:
//!   3 min and 2 min per ALERTNUMBER (a `+CMGS` answer may take 60 s, and
//!   one try may fail), 5 min with one and 23 min ([`SEND_BUDGET`]) with
//!   ten; the battery budget is 53 min in all. SMS still waiting then are
//!   forgotten. Mains returning meanwhile gets `Power restored!`. Both that
//!   and the boot SMS read `Power restored! Power socket ON. Time: …`.
//! - SMS wait in the engine ([`SMS_QUEUE`]) until the board's modem has
//!   room ([`Engine::poll_sms`]), in the order they were queued; an alert
//!   goes to every ALERTNUMBER in list order, one at a time, and takes
//!   one place until the last has it. A board that keeps room for alerts
//!   lets them pass waiting replies. With every place taken, a new alert
//!   drops the newest waiting reply, or else replaces the newest alert no
//!   ALERTNUMBER has yet (a contact that stays closed raises `ALARM!`
//!   every minute, faster than a slow network takes ten SMS); a reply is
//!   dropped. Both count in [`Engine::dropped_actions`].
//! - The LED rhythms the manual leaves open (a flash's length, `sim-error`'s
//!   shape) are stated on [`LedPattern`], which renders every pattern.
//! - The board classifies the button ([`ButtonEvent`]): debouncing and the
//!   10 s mark are its job, what a press does is the engine's.
//! - The boot flash is three on/off cycles of 250 ms on POWER and OUT, shown
//!   with the `on`/`off` patterns; while the button is held past 10 s POWER
//!   and OUT show `blink-4hz` until release.
//!
//! ## Size
//!
//! `size_of::<Engine>()` is checked against a budget of 6 KiB by a test
//! (5.7 KiB today on x86_64: settings, their backup during a save, held SMS,
//! the lock-out table, the action queue and the outgoing SMS): the
//! engine lives in a `static` on boards with 264 KiB (RP2040) or 128 KiB of RAM.
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod alarm;
mod button;
mod calls;
mod clock;
mod commands;
mod engine;
mod io;
mod leds;
mod power;
mod relay;
mod scheduler;
mod security;
mod settings;
mod sms;
mod temperature;
mod time;

pub use alarm::{ALARM_CALL_RING, DETECTION_LOCKOUT, SMSCHANGE_HOLD};
pub use calls::{CALLBACK_DELAY, CALLBACK_RING};
pub use engine::{Engine, OutgoingSms, SMS_QUEUE, SmsRoom};
pub use io::{
    Action, BoardInfo, Boot, BootReason, ButtonEvent, Event, Leds, ModemHealth, Record,
    SMS_TEXT_LEN, SmsText,
};
/// Type-of-address octets for [`Event::SmsReceived`] and [`Event::IncomingCall`].
pub use isocket_proto::toa;
pub use leds::{FLASH_MS, LedPattern};
pub use power::{
    FAILURE_SMS_WAIT, SEND_BUDGET, SEND_BUDGET_BASE, SEND_TIME_PER_NUMBER, send_budget,
};
pub use security::{
    DEVICE_PASSWORD_FAILURES, ERROR_BUDGET_WINDOW, ERROR_REPLY_BUDGET, FAILURE_WINDOW,
    KNOWN_NUMBER_DAYS, KNOWN_NUMBERS, KnownNumber, MAX_PASSWORD_FAILURES,
};
pub use settings::{
    ALARM_LOG_ENTRIES, ALERT_NUMBERS, AlarmLog, SCHEDULER_RULES, SEC_NUMBERS, Settings, Stored,
};
pub use sms::{CONFIGURATION_WINDOW, SAVE_TIMEOUT, USSD_TIMEOUT};
pub use temperature::{MEASUREMENT_TIMEOUT, SAMPLE_PERIOD};
pub use time::Instant;

/// The engine's size budget in bytes (checked by a test; see the crate docs).
pub const ENGINE_SIZE_BUDGET: usize = 6 * 1024;

#[cfg(test)]
mod size_tests {
    #[test]
    fn engine_fits_its_budget() {
        let size = core::mem::size_of::<crate::Engine>();
        println!("Engine is {size} bytes");
        assert!(size <= crate::ENGINE_SIZE_BUDGET, "Engine is {size} bytes");
    }
}

/// The README's example runs as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
