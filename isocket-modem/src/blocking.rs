//! The blocking front end over `embedded-io` 0.7 and an embedded-hal
//! `OutputPin` for modem power. Time comes from the caller's clock.

use embedded_hal::digital::OutputPin;
use embedded_io::{Read, ReadReady, Write};

use crate::driver::{Driver, Event};

/// A driver bound to a serial port, a power pin and a millisecond clock.
pub struct Modem<S, P, C> {
    /// The sans-IO core, for commands (`send_sms`, `ack`, `dial` …).
    pub driver: Driver,
    serial: S,
    power: P,
    clock: C,
}

impl<S: Read + ReadReady + Write, P: OutputPin, C: FnMut() -> u64> Modem<S, P, C> {
    /// Binds the driver to its I/O.
    pub fn new(driver: Driver, serial: S, power: P, clock: C) -> Self {
        Modem {
            driver,
            serial,
            power,
            clock,
        }
    }

    /// Does all work that is due without waiting: writes commands, drives
    /// the pin, reads what is available. Returns the next event, if any.
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
