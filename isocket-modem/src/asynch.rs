//! The async front end over `embedded-io-async` 0.7.
//!
//! [`Modem::poll_until`] is the loop's one call: it writes what is due,
//! then waits for bytes from the modem *or* for the timer the caller
//! passes (a sleep until [`Driver::poll_timeout`]), whichever comes first,
//! so timeouts and supervision run even while the modem is silent.
//!
//! Cancellation: only the wait for bytes is ever raced, never a write, so
//! a command is either written whole or not started. Dropping the future
//! of [`Modem::poll_until`] (or [`Modem::poll`]) while it waits for bytes
//! loses nothing as long as the port's `read` is cancel-safe (it keeps a
//! byte that a dropped `read` had not returned, as a read from an
//! interrupt-fed ring buffer does). Dropped while writing, the command may
//! have gone out in part: the driver then times it out and tries again, as
//! it does a command lost on the line.

use core::future::{Future, poll_fn};
use core::pin::pin;
use core::task::Poll;

use embedded_hal::digital::OutputPin;
use embedded_io_async::{Read, Write};

use crate::driver::{Driver, Event, LONG_MESSAGES, OUT_TEXT};

/// A driver bound to an async serial port and a power pin.
pub struct Modem<S, P, const TEXT: usize = OUT_TEXT, const LONG: usize = LONG_MESSAGES> {
    /// The sans-IO core, for commands (`send_sms`, `ack`, `dial` …).
    pub driver: Driver<TEXT, LONG>,
    serial: S,
    power: P,
}

impl<S: Read + Write, P: OutputPin, const TEXT: usize, const LONG: usize> Modem<S, P, TEXT, LONG> {
    /// Binds the driver to its I/O (one port, or [`crate::split::Split`] halves).
    pub fn new(driver: Driver<TEXT, LONG>, serial: S, power: P) -> Self {
        Modem {
            driver,
            serial,
            power,
        }
    }

    /// The driver, the port and the pin, back.
    pub fn into_parts(self) -> (Driver<TEXT, LONG>, S, P) {
        (self.driver, self.serial, self.power)
    }

    /// Writes what is due at `now_ms`, then waits for bytes or for `timer`,
    /// whichever is first. Returns the next event, if any; `Ok(None)` when
    /// the timer fired first (call again with the new time).
    pub async fn poll_until<T: Future<Output = ()>>(
        &mut self,
        now_ms: u64,
        timer: T,
    ) -> Result<Option<Event>, S::Error> {
        if let Some(event) = self.write_due(now_ms).await? {
            return Ok(Some(event));
        }
        let mut buf = [0u8; 64];
        let n = {
            let mut read = pin!(self.serial.read(&mut buf));
            let mut timer = pin!(timer);
            let raced = poll_fn(|cx| {
                if let Poll::Ready(result) = read.as_mut().poll(cx) {
                    return Poll::Ready(Some(result));
                }
                timer.as_mut().poll(cx).map(|()| None)
            });
            match raced.await {
                Some(result) => result?,
                None => return Ok(self.driver.poll_event()),
            }
        };
        self.driver.handle(now_ms, buf.get(..n).unwrap_or_default());
        Ok(self.driver.poll_event())
    }

    /// [`Modem::poll_until`] without a timer: waits for bytes however long
    /// that takes, so timeouts run only when the modem talks. Prefer
    /// `poll_until` with a timer for the driver's deadline.
    pub async fn poll(&mut self, now_ms: u64) -> Result<Option<Event>, S::Error> {
        self.poll_until(now_ms, core::future::pending()).await
    }

    /// Hands out a waiting event, or drives the pin and writes what is due.
    async fn write_due(&mut self, now_ms: u64) -> Result<Option<Event>, S::Error> {
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
        Ok(None)
    }
}
