//! # isocket-sensors
//!
//! The smart socket's sensors and outputs, `no_std` without alloc: the
//! DS18B20 temperature probe on a 1-Wire bus, the debounced contact and
//! button, and the relay.
//!
//! Section numbers (manual §9) refer to the [isocket user manual], which
//! states every command, reply text and behaviour of the device.
//!
//! [isocket user manual]: https://github.com/isocket/isocket/blob/main/docs/manual.md
//!
//! - [`onewire`]: the 1-Wire [`Bus`](onewire::Bus) trait and its masters:
//!   [`OneWire`](onewire::OneWire), bit-banged on one embedded-hal open-drain
//!   pin, and [`UartBus`](onewire::uart::UartBus), on a half-duplex UART;
//!   CRC-8, Read/Match/Skip ROM and the AN187 search for every bus;
//! - [`ds18b20`]: the DS18B20 probe, blocking or non-blocking (start now, read
//!   later; [`Thermometer`](ds18b20::Thermometer) owns the bus of a probe
//!   alone on it), with the sensor-failure checks of manual §9;
//! - [`input`]: the contact [`Debouncer`](input::Debouncer) and the
//!   [`Button`](input::Button) classifier (short press, 10 s hold);
//! - [`relay`]: the relay output.
//!
//! The input parts are sans-IO: a timestamped sample in, an event out (time
//! in milliseconds from any fixed origin), so they run in simulated time.
//!
//! ```
//! use isocket_sensors::ds18b20::Scratchpad;
//! use isocket_sensors::input::{Button, Debouncer, Press};
//!
//! // A scratchpad read from a probe (23 °C, CRC E1h).
//! let pad = Scratchpad::new([0x70, 0x01, 0x4B, 0x46, 0x7F, 0xFF, 0x10, 0x10, 0xE1])?;
//! assert_eq!(pad.temperature()?.celsius(), 23.0);
//!
//! // The alarm contact closes and stays closed for 50 ms.
//! let mut contact = Debouncer::new(50);
//! contact.update(0, true);
//! assert_eq!(contact.update(50, true), Some(true));
//!
//! // The button, pressed for half a second.
//! let mut button = Button::new();
//! button.sample(0, true);
//! button.sample(50, true);
//! button.sample(500, false);
//! assert_eq!(button.sample(550, false), Some(Press::Short));
//! # Ok::<(), isocket_sensors::Error>(())
//! ```
//!
//! On a board, a DS18B20 alone on its bus, read without blocking:
//!
//! ```no_run
//! # fn run<P, D>(pin: P, delay: D, mut now_ms: impl FnMut() -> u64) -> Result<(), isocket_sensors::Error<P::Error>>
//! # where P: embedded_hal::digital::InputPin + embedded_hal::digital::OutputPin,
//! #       D: embedded_hal::delay::DelayNs {
//! use isocket_sensors::{Error, ds18b20::Thermometer, onewire::OneWire};
//! let mut thermometer = Thermometer::new(OneWire::new(pin, delay)?);
//! let due_ms = thermometer.start(now_ms())?;
//! // ... later, in the device loop, from `due_ms` on:
//! match thermometer.read(now_ms()) {
//!     None => {} // still converting
//!     Some(Ok(t)) => { let _celsius = t.celsius(); }
//!     Some(Err(Error::NoPresence)) => { /* no sensor plugged in */ }
//!     Some(Err(_)) => { /* the sensor failed (manual §9) */ }
//! }
//! # let _ = due_ms; Ok(()) }
//! ```
//!
//! ## Features
//!
//! - `critical-section`: each time slot and reset pulse of the bit-banged
//!   [`OneWire`](onewire::OneWire) runs inside `critical_section::with`
//!   (interrupts wait at most one slot, about 70 µs, or one reset pulse,
//!   about 550 µs); the board provides the implementation.
//! - `testing` (needs std): `testing::SimBus`, a simulated bus with DS18B20
//!   probes in simulated time, for both masters.
//! - `defmt`: derives `defmt::Format` for the public types.
//!
//! ## Decisions
//!
//! - The 1-Wire protocol is written once, against the small
//!   [`Bus`](onewire::Bus) trait, so each board picks the master that keeps
//!   the timing on its chip (a bit-banged pin with interrupts held off, a
//!   UART, a PIO state machine) without a second DS18B20 driver.
//! - No alarm-input polarity (NO/NC) here: `SENSORTYPE` is a setting changed
//!   by SMS, so the engine owns it. This crate reports only whether the
//!   contact is closed ([`input::Debouncer`]).
//! - No LED patterns here: which LED shows what, and how each pattern looks
//!   over time, is the device's behaviour (manual §8), defined by
//!   `isocket-engine`. This crate has no dependency on the engine or its
//!   protocol types; the device maps [`input::Press`] and the probe's
//!   results into the engine's events.
#![no_std]
#![deny(unsafe_code)]
#![warn(missing_docs)]

#[cfg(any(test, feature = "testing"))]
extern crate std;

pub mod ds18b20;
pub mod input;
pub mod onewire;
pub mod relay;
#[cfg(feature = "testing")]
pub mod testing;

/// What can go wrong on the 1-Wire bus or with a probe reading.
///
/// Every variant but `Bus` is a *sensor failure* in the sense of manual §9.
///
/// `E` is the bus hardware's error (a pin's, a UART's). Checks that touch no pin (a scratchpad's CRC and
/// value) return `Error` with the default `E = Infallible`;
/// [`Error::on_bus`] turns that into any bus's error type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Error<E = core::convert::Infallible> {
    /// The bus hardware itself (pin, UART) failed.
    #[error("1-Wire bus error: {0:?}")]
    Bus(E),
    /// Nobody answered the reset pulse.
    #[error("no presence pulse")]
    NoPresence,
    /// The bus is held low (shorted to ground), or read an all-zero ROM.
    #[error("1-Wire bus shorted")]
    BusShorted,
    /// A ROM code or scratchpad failed its CRC-8.
    #[error("CRC mismatch")]
    CrcMismatch,
    /// A scratchpad whose fixed bits are wrong (for example all zeros).
    #[error("not a DS18B20 scratchpad")]
    BadScratchpad,
    /// The power-on 85 °C, not a completed conversion.
    #[error("power-on value 85 °C without a conversion")]
    PowerOnValue,
    /// A reading outside −55…125 °C.
    #[error("temperature out of range")]
    OutOfRange,
    /// No conversion was started, or it never completed.
    #[error("no completed conversion")]
    NotConverted,
    /// The third read in a row with no new conversion.
    #[error("stale reading")]
    Stale,
}

impl Error {
    /// The same failure, typed for a bus whose hardware fails with `E`.
    pub fn on_bus<E>(self) -> Error<E> {
        match self {
            Error::Bus(never) => match never {},
            Error::NoPresence => Error::NoPresence,
            Error::BusShorted => Error::BusShorted,
            Error::CrcMismatch => Error::CrcMismatch,
            Error::BadScratchpad => Error::BadScratchpad,
            Error::PowerOnValue => Error::PowerOnValue,
            Error::OutOfRange => Error::OutOfRange,
            Error::NotConverted => Error::NotConverted,
            Error::Stale => Error::Stale,
        }
    }
}

/// The README's examples run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
