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
//! Async, over `embedded-io-async` (feature `async`): each turn waits for
//! the modem's bytes *or* the driver's next deadline, with whatever timer
//! your executor has (here a `sleep_until` you pass in), so timeouts and
//! supervision run while the modem is silent. Only the wait for bytes is
//! ever cancelled (the `asynch` module says what that needs of the port):
//!
//! ```
//! # #[cfg(feature = "async")]
//! # mod example {
//! use core::future::Future;
//! use embedded_hal::digital::OutputPin;
//! use embedded_io_async::{Read, Write};
//! use isocket_modem::asynch::Modem;
//! use isocket_modem::driver::{Driver, Event};
//! use isocket_modem::profile;
//!
//! pub async fn run<S: Read + Write, P: OutputPin, T: Future<Output = ()>>(
//!     serial: S,
//!     pwrkey: P,
//!     now_ms: impl Fn() -> u64,
//!     sleep_until: impl Fn(u64) -> T,
//! ) -> Result<(), S::Error> {
//!     let mut modem = Modem::new(Driver::new(&profile::EC21, now_ms()), serial, pwrkey);
//!     modem.driver.send_sms("+4915112345678", "Socket ON").ok();
//!     loop {
//!         let deadline = sleep_until(modem.driver.poll_timeout());
//!         if let Some(Event::Sms { id, .. }) = modem.poll_until(now_ms(), deadline).await? {
//!             modem.driver.ack(id);
//!         }
//!     }
//! }
//! # }
//! ```
//!
//! A UART in two halves joins with [`split::Split`]; both front ends take
//! any driver size (`Driver<TEXT, LONG>`) and give everything back
//! (`into_parts`). The emulated modem (`testing`) is an `embedded-io` port
//! too (`testing::SharedModem`), blocking and async, with virtual time.
//!
//! ## Decisions where the standards are silent
//!
//! - Two-digit years: below 90 are 20xx ([`time::YEAR_PIVOT`]); zones
//!   beyond ±14:00 are rejected.
//! - PDU decoding obeys TP-UDL (truncated messages are refused) and the DCS
//!   (no alphabet guessing for SMS); USSD does guess, since modems mislabel it.
//! - A single-part SMS is deleted only after [`driver::Driver::ack`]; parts of
//!   a long message are deleted once held in the reassembly table (RAM).
//!   Messages the first init after boot lists without a `+CMTI` having
//!   announced them since [`driver::Driver::new`] were found at start-up:
//!   they are read (so a delete can be checked) and handed out only if
//!   their SCTS is later than the start by a trusted clock
//!   ([`driver::Driver::trusted_time`]: the board's kept clock; or network
//!   time), which they wait for up to [`driver::CLOCK_WAIT_MS`]; otherwise
//!   (no clock, no time stamp, older) they are stale and deleted one by
//!   one, unexecuted. A message announced before the driver's first
//!   command is executed. Fresh messages' reads and deletes go before any
//!   of the start-up clean-up's. Later re-inits and every supervision poll
//!   list the SIM, so no message is lost to a modem reboot or a garbled
//!   `+CMTI`, and none is handed out twice. Outgoing SMS are queued and
//!   retried. Details: [`driver`].
//! - PDU mode is the default. A modem that refuses `AT+CMGF=0` three times
//!   (anything but a busy `+CME ERROR: 14/515`), or a profile with
//!   [`profile::SmsMode::Text`], is driven in text mode (`AT+CMGF=1`,
//!   `AT+CSCS="GSM"`, `AT+CSDH=1`); every init tries PDU mode again. Text
//!   mode has no concatenation and sends only the GSM default alphabet
//!   (details: [`text`]).
//! - A message's text is never a modem message. In a text-mode `+CMGL` or
//!   `+CMGR` answer no line is a URC ([`codec::Frame::Data`]); bodies are
//!   cut by the `<length>` of `AT+CSDH=1` (27.005 §3.1), so a body `OK` or
//!   `RDY` is text. A modem that refuses `AT+CSDH=1` gives no `<length>`:
//!   an answer there counts only after [`driver::SETTLE_MS`] of quiet after
//!   its final result (the rest of a body cut short is data, never a URC),
//!   and a message whose body holds a line a modem could send (a result
//!   code, a URC, a header line) is deleted unexecuted
//!   ([`driver::Event::SmsUndecodable`]). PDU bodies are hex.
//! - The sender's type of address travels with the number
//!   ([`driver::Event::Sms`]'s `from` is a [`pdu::Address`]; parts of a
//!   long message join only with the same type): an alphanumeric sender
//!   (`0xD0`) may read like digits. In text mode it is `<tooa>`; without
//!   `AT+CSDH=1` it is not told, and a sender is international (`0x91`)
//!   only when it is `+` and 11 or more digits, longer than any
//!   alphanumeric sender; otherwise it is [`pdu::TOA_NOT_TOLD`], which
//!   matches no number.
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
//! - Supervision: three command timeouts, a SIM error or an unexpected
//!   `RDY` re-initialise; an init command is tried three times, then the
//!   modem is power-cycled with back-off from 10 s doubling to 10 min.
//!   After a (re)boot the init waits for the modem's "SMS ready" line
//!   (`SMS Ready`, `SMS DONE`, `+QIND: SMS DONE`) or the profile's boot
//!   time, and a busy answer (`+CME ERROR: 14/515`, `+CMS ERROR: 314`) is
//!   asked again with back-off for up to a minute, not counted as a
//!   failure. A registration answer with the power-on `n` (a reset without
//!   `RDY`, as with autobaud) re-initialises; one registration poll every
//!   [`driver::SETTINGS_CHECK_MS`] looks, so such a reset is found and the
//!   modem set up again within 20 s. A query that times out (`+CxREG?`,
//!   `+CSQ`, `+CMGL`, `+CMGR`, `+CLCC`: no side effect) is asked again at
//!   once (autobaud takes the first line after a reset for its baud rate);
//!   sends, dials and USSD keep their own retry rules (at least once for a
//!   send, never twice for a dial or USSD). Unregistered for 5 minutes
//!   re-initialises; if the network stays away, power cycles follow after
//!   10, 20, 40, then every 60 minutes. Registration (every domain of the
//!   profile: LTE modules often register on EPS alone) is polled every 2 s
//!   while unknown or lost, every 30 s otherwise. The init lists the SIM
//!   after `+CNMI` and `+CLIP` are set, so a slow list of a full SIM does
//!   not delay caller ID or announcements.
//! - Modem power is data: [`profile::PowerWiring`] says whether the board's
//!   pin switches the supply or drives PWRKEY, and whether it reads STATUS
//!   ([`driver::Driver::with_power_wiring`], [`driver::Driver::modem_status`]).
//!   A supply is simply cut and restored. A PWRKEY pulse toggles the modem,
//!   so it goes only to a modem known to be off (STATUS low, or `NORMAL
//!   POWER DOWN`) or dead (the last command went unanswered), held long
//!   enough to switch it off ([`profile::Profile::power_off_ms`]) when it
//!   may be on; a modem that answers but must restart gets `AT+CFUN=1,1`.
//!   The default is a switched supply without STATUS.
//! - Calls: an incoming call is one [`driver::Event::Ringing`], with the
//!   number as soon as `+CLIP` gives it (1.5 s at most), however many
//!   `RING`s follow, and one [`driver::Event::IncomingCallEnded`] when it
//!   is hung up or its `RING`s stop for 10 s. With `AT+CLIP=1` a `+CLIP`
//!   follows every `RING` (27.007 §7.6); a call without one is announced
//!   without a number, and the driver asks `AT+CLCC` and checks the
//!   settings (a silent reset forgets `+CLIP`). A number that comes later
//!   in the same call (that answer, or the `+CLIP` after the re-init) is
//!   [`driver::Event::CallerIdentified`], once per call. Calls end with the profile's
//!   command (`AT+CHUP` where `ATH` may be ignored, as on SIM7600 with its
//!   power-on `AT+CVHU=1`).
//! - USSD: only an answer (`<m>` 0 or 1) is relayed, once per request; the
//!   release notice (`+CUSD: 2`, "Initiating Release") never is; a menu
//!   (`<m>` 1) is closed with `AT+CUSD=2`.
//! - Timeouts: 5 s for an ordinary command, 25 s for `AT+CMGL`, 60 s for
//!   the PDU of `AT+CMGS`, `AT+CUSD` and `ATD` (the SIM800 manual's
//!   maximum response times).
//! - A stored entry that reads as a line of the wrong length or not hex is
//!   deleted unread ([`driver::Event::SmsUndecodable`]) once every read of
//!   it gave the same; until then, due sends go between its re-reads.
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
pub mod split;
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
