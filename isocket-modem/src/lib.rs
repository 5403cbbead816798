//! # isocket-modem
//!
//! AT modem driver for SIMCom, Quectel and u-blox GSM modems: AT/URC codec,
//! SMS PDU, calls, USSD, supervision. `no_std`, no allocation, sans IO at
//! its core, with a blocking front end over `embedded-io` and an async one
//! over `embedded-io-async` (feature `async`).
//!
//! - [`codec`]: bytes in, typed final results, info lines and URCs out
//!   (3GPP TS 27.007, 27.005).
//! - [`pdu`], [`septet`], [`reassembly`]: SMS PDUs (3GPP TS 23.040, 23.038).
//! - [`text`]: SMS text mode, the fallback for modems without PDU mode.
//! - [`ussd`], [`calls`], [`network`], [`time`]: typed answers.
//! - [`driver`]: the sans-IO driver: init, SMS storage discipline, send,
//!   calls, USSD, supervision with a power pin; [`profile`]: dialects as data.
//! - [`blocking`], `asynch`: thin front ends.
//! - `testing` (feature `testing`): a scripted fake modem with fault
//!   injection, for this crate's tests and for applications' own.
//!
//! The codec on its own:
//!
//! ```
//! use isocket_modem::{Codec, Frame, Final, Urc};
//!
//! let mut codec: Codec = Codec::new();
//! codec.expect(Some(b"+CSQ"), false);
//! let mut frames = Vec::new();
//! codec.feed(b"\r\n+CSQ: 18,99\r\n\r\nOK\r\n\r\nRING\r\n", |f| frames.push(format!("{f:?}")));
//! assert_eq!(frames[1], format!("{:?}", Frame::Final(Final::Ok)));
//! assert_eq!(frames[2], format!("{:?}", Frame::Urc(Urc::Ring)));
//! ```
//!
//! Blocking, over any `embedded-io` serial port and `OutputPin`:
//!
//! ```
//! use embedded_hal::digital::OutputPin;
//! use embedded_io::{Read, ReadReady, Write};
//! use isocket_modem::blocking::Modem;
//! use isocket_modem::driver::{Driver, Event};
//! use isocket_modem::profile;
//!
//! fn run<S: Read + ReadReady + Write, P: OutputPin>(
//!     serial: S,
//!     pwrkey: P,
//!     clock: impl FnMut() -> u64,
//! ) -> Result<(), S::Error> {
//!     let mut modem = Modem::new(Driver::new(&profile::SIM800, 0), serial, pwrkey, clock);
//!     loop {
//!         match modem.try_poll()? {
//!             Some(Event::Sms { id, from, text, .. }) => {
//!                 // Handle the command, then let the driver delete it.
//!                 let _ = (from, text);
//!                 modem.driver.ack(id);
//!             }
//!             Some(_) | None => {}
//!         }
//!     }
//! }
//! ```
//!
//! Async, over `embedded-io-async` (feature `async`):
//!
//! ```
//! # #[cfg(feature = "async")]
//! # mod example {
//! use embedded_hal::digital::OutputPin;
//! use embedded_io_async::{Read, Write};
//! use isocket_modem::asynch::Modem;
//! use isocket_modem::driver::{Driver, Event};
//! use isocket_modem::profile;
//!
//! pub async fn run<S: Read + Write, P: OutputPin>(serial: S, pwrkey: P, now_ms: impl Fn() -> u64) -> Result<(), S::Error> {
//!     let mut modem = Modem::new(Driver::new(&profile::EC21, now_ms()), serial, pwrkey);
//!     modem.driver.send_sms("+4915112345678", "Socket ON").ok();
//!     loop {
//!         if let Some(Event::Sms { id, .. }) = modem.poll(now_ms()).await? {
//!             modem.driver.ack(id);
//!         }
//!     }
//! }
//! # }
//! ```
//!
//! ## Decisions where the standards are silent
//!
//! - Two-digit years: below 90 are 20xx ([`time::YEAR_PIVOT`]); zones
//!   beyond ±14:00 are rejected.
//! - PDU decoding obeys TP-UDL (truncated messages are refused) and the DCS
//!   (no alphabet guessing for SMS); USSD does guess, since modems mislabel it.
//! - A single-part SMS is deleted only after [`driver::Driver::ack`]; parts of
//!   a long message are deleted once held in the reassembly table (RAM).
//!   Stale messages are deleted only at the first init after boot; later
//!   re-inits and every supervision poll list the SIM instead, so no message
//!   is lost to a modem reboot or a garbled `+CMTI`, and none is handed out
//!   twice. Outgoing SMS are queued and retried. Details: [`driver`].
//! - PDU mode is the default. A modem that refuses `AT+CMGF=0` three times
//!   (anything but a busy `+CME ERROR: 14/515`), or a profile with
//!   [`profile::SmsMode::Text`], is driven in text mode (`AT+CMGF=1`,
//!   `AT+CSCS="GSM"`, `AT+CSDH=1`); every init tries PDU mode again. Text
//!   mode has no concatenation and sends only the GSM default alphabet
//!   (details: [`text`]).
//! - A stored message that never decodes (a broken PDU, a stored status
//!   report or unsent message) is not re-read forever: once
//!   [`driver::UNDECODABLE_AFTER`] reads in a row gave the *same* answer, it
//!   is deleted unread and [`driver::Event::SmsUndecodable`] says so. Line
//!   noise garbles differently each time, so it only delays a message.
//! - [`driver::Event::Sms`] carries the SMSC time stamp in both modes.
//! - AT over a UART has no checksum, so the driver trusts no single
//!   answer: a message is handed out once the same line came back from two
//!   reads, not necessarily in a row (three in text mode, whose lines are
//!   longer, and for a PDU with octets after its user data or without a
//!   valid time stamp; two more if other reads found something else) and,
//!   in PDU mode, the line has the header's `<length>`; a delete counts
//!   once three reads in a row find the index empty; if a read finds the
//!   message still there it is deleted again, and a different message at
//!   that index (reused after a lost answer) is a new one. Each received
//!   SMS costs about two reads, a delete and three reads more. A line one
//!   byte away from `OK` is taken for `OK` (not in a text-mode body). Not
//!   defended: a garbled `AT+CMGD=12` that still reads as a valid command
//!   for another index (`AT+CMGD=2`) deletes that message unread; only
//!   checking the command's echo before its CR could stop it. Survived,
//!   measured: 5 % of the bytes from the modem dropped, duplicated or
//!   garbled (RELIABILITY.md in the repository).
//! - Supervision: three command timeouts, a SIM error, an unexpected `RDY`
//!   or 5 minutes unregistered re-initialise; an init command is tried
//!   three times, then the modem is power-cycled with back-off from 10 s
//!   doubling to 10 min. Registration is polled every 2 s while unknown or
//!   lost, every 30 s otherwise.
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![deny(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "async")]
pub mod asynch;
pub mod blocking;
pub mod calls;
pub mod codec;
pub mod driver;
mod fields;
pub mod network;
pub mod pdu;
pub mod profile;
pub mod reassembly;
pub mod septet;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod text;
pub mod time;
pub mod urc;
pub mod ussd;

pub use codec::{Codec, Final, Frame};
pub use urc::Urc;

/// The README's example runs as a doc test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
