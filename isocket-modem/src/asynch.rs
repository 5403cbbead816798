//! The async front end over `embedded-io-async` 0.7.

use embedded_hal::digital::OutputPin;
use embedded_io_async::{Read, Write};

use crate::driver::{Driver, Event};

/// A driver bound to an async serial port and a power pin.
pub struct Modem<S, P> {
    /// The sans-IO core, for commands (`send_sms`, `ack`, `dial` …).
    pub driver: Driver,
    serial: S,
    power: P,
}

impl<S: Read + Write, P: OutputPin> Modem<S, P> {
    /// Binds the driver to its I/O.
    pub fn new(driver: Driver, serial: S, power: P) -> Self {
        Modem {
            driver,
            serial,
            power,
        }
    }

    /// Writes what is due at `now_ms`, then reads once and returns the next
    /// event. Race this against a timer for [`Driver::poll_timeout`].
    pub async fn poll(&mut self, now_ms: u64) -> Result<Option<Event>, S::Error> {
        if let Some(event) = self.driver.poll_event() {
            return Ok(Some(event));
        }
        if let Some(on) = self.driver.poll_power() {
            let _ = if on {
                self.power.set_high()
            } else {
                self.power.set_low()
            };
        }
        if let Some(bytes) = self.driver.poll_transmit(now_ms) {
            self.serial.write_all(bytes).await?;
            self.serial.flush().await?;
        }
        let mut buf = [0u8; 64];
        let n = self.serial.read(&mut buf).await?;
        self.driver.handle(now_ms, buf.get(..n).unwrap_or_default());
        Ok(self.driver.poll_event())
    }
}
