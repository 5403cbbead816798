//! # isocket-sensors
//!
//! The smart socket's sensors and outputs on embedded-hal 1.0, `no_std`
//! without alloc:
//!
//! Section numbers (manual §9) refer to the [isocket user manual], which
//! states every command, reply text and behaviour of the device.
//!
//! [isocket user manual]: https://github.com/isocket/isocket/blob/main/docs/manual.md
//!
//! - [`onewire`]: a bit-banged 1-Wire master on one open-drain pin (reset and
//!   presence, bits and bytes, CRC-8, Read/Match/Skip ROM and the AN187 search);
//! - [`ds18b20`]: the DS18B20 probe, blocking or non-blocking (start now, read
//!   later), with the sensor-failure checks of manual §9;
//! - [`input`]: the debounced alarm input (NO/NC) and the button (short press,
//!   10 s hold);
//! - [`led`]: the LED patterns of manual §8;
//! - [`relay`]: the relay output.
//!
//! The input parts and LED patterns are sans-IO: a timestamped sample in, an
//! event out (time in milliseconds from any fixed origin), so they run in
//! simulated time.
//!
//! ```
//! use isocket_sensors::ds18b20::Scratchpad;
//! use isocket_sensors::input::{AlarmInput, Polarity};
//! use isocket_sensors::led::LedPattern;
//!
//! // A scratchpad read from a probe (23 °C, CRC E1h).
//! let pad = Scratchpad::new([0x70, 0x01, 0x4B, 0x46, 0x7F, 0xFF, 0x10, 0x10, 0xE1])?;
//! assert_eq!(pad.temperature()?.celsius(), 23.0);
//!
//! // The alarm contact (normally closed) opens and stays open for 50 ms.
//! let mut alarm = AlarmInput::new(Polarity::NormallyClosed);
//! alarm.sample(0, true);
//! alarm.sample(50, true);
//! alarm.sample(100, false);
//! assert_eq!(alarm.sample(150, false), Some(true));
//!
//! // The POWER LED while the alarm is armed.
//! assert!(LedPattern::Blink1s.is_on(1_050));
//! # Ok::<(), isocket_sensors::Error>(())
//! ```
//!
//! On a board, a DS18B20 alone on its bus, read without blocking:
//!
//! ```no_run
//! # fn run<P, D, E>(pin: P, delay: D, mut now_ms: impl FnMut() -> u64) -> Result<(), isocket_sensors::Error<E>>
//! # where P: embedded_hal::digital::InputPin<Error = E> + embedded_hal::digital::OutputPin<Error = E>,
//! #       D: embedded_hal::delay::DelayNs {
//! use isocket_sensors::{ds18b20::Ds18b20, onewire::OneWire};
//! let mut bus = OneWire::new(pin, delay)?;
//! let mut probe = Ds18b20::probe(&mut bus, None)?;
//! probe.start_conversion(&mut bus, now_ms())?;
//! // ... later, in the device loop:
//! if let Some(t) = probe.try_read(&mut bus, now_ms())? {
//!     let _celsius = t.celsius();
//! }
//! # Ok(()) }
//! ```
#![no_std]
#![deny(unsafe_code)]
#![warn(missing_docs)]

#[cfg(any(test, feature = "testing"))]
extern crate std;

pub mod ds18b20;
pub mod input;
pub mod led;
pub mod onewire;
pub mod relay;
#[cfg(feature = "testing")]
pub mod testing;

/// What can go wrong on the 1-Wire bus or with a probe reading.
///
/// Every variant but `Bus` is a *sensor failure* in the sense of manual §9.
///
/// `E` is the pin's error. Checks that touch no pin (a scratchpad's CRC and
/// value) return `Error` with the default `E = Infallible`;
/// [`Error::on_bus`] turns that into any pin's error type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Error<E = core::convert::Infallible> {
    /// The pin itself failed.
    #[error("1-Wire pin error: {0:?}")]
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
    /// The same failure, typed for a bus whose pin fails with `E`.
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
