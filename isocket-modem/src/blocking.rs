//! The blocking front end over `embedded-io` 0.7 and an embedded-hal
//! `OutputPin` for modem power. Time comes from the caller's clock.
//!
//! The port is anything that reads, says whether it has bytes, and writes:
//! one UART, or its two halves joined with [`crate::split::Split`].
//! [`Modem::into_parts`] gives everything back.

use embedded_hal::digital::OutputPin;
use embedded_io::{Read, ReadReady, Write};

use crate::driver::{Driver, Event, LONG_MESSAGES, OUT_TEXT};

/// A driver bound to a serial port, a power pin and a millisecond clock.
pub struct Modem<S, P, C, const TEXT: usize = OUT_TEXT, const LONG: usize = LONG_MESSAGES> {
    /// The sans-IO core, for commands (`send_sms`, `ack`, `dial` …).
    pub driver: Driver<TEXT, LONG>,
    serial: S,
    power: P,
    clock: C,
}

impl<S, P, C, const TEXT: usize, const LONG: usize> Modem<S, P, C, TEXT, LONG>
where
    S: Read + ReadReady + Write,
    P: OutputPin,
    C: FnMut() -> u64,
{
    /// Binds the driver to its I/O.
    pub fn new(driver: Driver<TEXT, LONG>, serial: S, power: P, clock: C) -> Self {
        Modem {
            driver,
            serial,
            power,
            clock,
        }
    }

    /// The driver, the port, the pin and the clock, back.
    pub fn into_parts(self) -> (Driver<TEXT, LONG>, S, P, C) {
        (self.driver, self.serial, self.power, self.clock)
    }

    /// Does all work that is due without waiting: writes commands, drives
    /// the pin, reads what is available. Returns the next event, if any.
    /// Call it again no later than [`Driver::poll_timeout`], and whenever
    /// the port has bytes.
    pub fn try_poll(&mut self) -> Result<Option<Event>, S::Error> {
        let now = (self.clock)();
        if let Some(on) = self.driver.poll_power() {
            // A pin error leaves the state as it is; supervision retries.
            let _ = if on {
                self.power.set_high()
            } else {
                self.power.set_low()
            };
        }
        if let Some(bytes) = self.driver.poll_transmit(now) {
            self.serial.write_all(bytes)?;
            self.serial.flush()?;
        }
        let mut buf = [0u8; 64];
        while self.serial.read_ready()? {
            let n = self.serial.read(&mut buf)?;
            if n == 0 {
                break;
            }
            self.driver.handle(now, buf.get(..n).unwrap_or_default());
        }
        Ok(self.driver.poll_event())
    }
}
