//! # isocket-proto
//!
//! The SMS command codec of the isocket smart socket: SMS text → typed
//! [`Command`], typed [`Reply`] → the exact reply text of the device's
//! specification, in GSM 7-bit characters only. `no_std`, no allocator.
//!
//! Section numbers (manual §9) refer to the [isocket user manual], which
//! states every command, reply text and behaviour of the device.
//!
//! [isocket user manual]: https://github.com/isocket/isocket/blob/main/docs/manual.md
//!
//! Three steps turn an incoming SMS into a reply:
//!
//! 1. [`frame()`] trims the text, drops anything over 30 characters, and
//!    checks and strips the access password;
//! 2. [`str::parse`] turns the command text into a [`Command`], or a
//!    [`ParseError`] that says which error reply applies;
//! 3. a [`Reply`] renders into any [`core::fmt::Write`].
//!
//! ```
//! use core::fmt::Write;
//! use isocket_proto::{frame, Command, Kind, ParseError, Password, Reply};
//!
//! // Framing: the stored password prefixes the command, in any case.
//! let password = Password::parse("12abc");
//! let text = frame(password.as_ref(), "12ABCswitchofftemp = 50F").unwrap();
//!
//! // Parsing: typed values, canonical printing (°F are stored as whole °C).
//! let command: Command = text.parse()?;
//! assert_eq!(command, Command::SwitchOffTemp(isocket_proto::Celsius::new(10).unwrap()));
//! assert_eq!(command.kind(), Kind::Conf);
//! assert_eq!(command.to_string(), "SWITCHOFFTEMP=10C");
//!
//! // Rendering: the confirmation shows the value as the query does.
//! let mut sms = heapless::String::<160>::new();
//! write!(sms, "{}", Reply::Confirmed(&command)).unwrap();
//! assert_eq!(sms, "SWITCHOFFTEMP=10C(50F) - OK");
//!
//! // Errors map to the manual's error replies.
//! assert_eq!("RESTARTTIME=abc".parse::<Command>(), Err(ParseError::InvalidValue));
//! sms.clear();
//! write!(sms, "{}", Reply::UnknownCommand("hello")).unwrap();
//! assert_eq!(sms, "HELLO - No such command exists on the device!");
//! # Ok::<(), ParseError>(())
//! ```
//!
//! ## Choices where the specification is silent
//!
//! - `STATUS?`, `ON?` and other `NAME?` forms of commands without a setting
//!   are unknown commands; a known name with a malformed tail (`ON 30`,
//!   `STATUS=1`) is an invalid value.
//! - `DATE?` is accepted as the query of the clock and answers like `DATE`.
//! - Temperatures take an optional `-` but no `+`; zone offsets are whole
//!   quarter hours up to ±14:00; two-digit years are 2000–2099.
//! - USSD codes are at most 23 characters (what fits in a 30-character
//!   `SIMCARD` command) and at least 2.
//! - Outside text in replies (unknown command text, USSD answers, board
//!   names) has every non-GSM-7 character replaced by `?`; upper-casing of
//!   the unknown command text follows Unicode (`ß` → `SS`).
//!
//! ## Features
//!
//! - `std`: `std::error::Error` for the error types.
//! - `serde`: `Serialize`/`Deserialize` for the typed values, so the engine
//!   can persist its settings; validation runs again on decoding.
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod command;
pub mod error;
pub mod frame;
pub mod gsm7;
pub mod number;
mod parse;
pub mod reply;
pub mod values;

pub use command::{Command, Kind, ListEdit, Setting};
pub use error::{FrameError, ParseError};
pub use frame::{MAX_COMMAND_CHARS, frame};
pub use number::{NumberType, PHONE_DIGITS, PhoneNumber, SHORT_NUMBER_DIGITS, toa};
pub use reply::{AlarmState, Probe, Reply, Runtime, SettingValue, Status, ThermostatState};
pub use values::{
    AlertMode, Celsius, LocalTime, Password, PowerState, RelaySeconds, RelayTime, RestartSeconds,
    RingAction, RingConfirm, ScheduleAction, ScheduleDay, ScheduleRule, SensorType, Temperature,
    ThermostatMode, TimeOfDay, Timestamp, UssdCode,
};

/// The README's examples run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
