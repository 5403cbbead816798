//! The emulated modem as a serial port: [`SharedModem`] implements the
//! `embedded-io` traits (and, with feature `async`, `embedded-io-async`), so
//! any front end, or an application's own loop, talks to it as to a UART,
//! while the test keeps a handle to drive the world and time.
//!
//! Virtual time: the modem's clock moves only when the test moves it
//! ([`ScriptedModem::advance_to`]) or when a [`Sleep`] is awaited: an
//! awaited sleep jumps the clock to the modem's next happening or to its
//! end, whichever is first, so an async loop runs a silent hour at once.

use std::cell::{RefCell, RefMut};
use std::rc::Rc;

use super::ScriptedModem;

/// A handle to one emulated modem; clones share it. Reading returns what
/// the modem has said so far (`0` bytes when it said nothing: check
/// `read_ready` first, as the blocking front end does); writing types
/// commands into it.
#[derive(Debug, Clone)]
pub struct SharedModem(Rc<RefCell<ScriptedModem>>);

impl SharedModem {
    /// Shares `modem`.
    pub fn new(modem: ScriptedModem) -> Self {
        SharedModem(Rc::new(RefCell::new(modem)))
    }

    /// The modem, to act on the world (`deliver`, `ring`, `advance_to` …).
    /// Do not hold it across an `await`.
    pub fn modem(&self) -> RefMut<'_, ScriptedModem> {
        self.0.borrow_mut()
    }

    /// The modem's clock in ms: the clock for the driver.
    pub fn now(&self) -> u64 {
        self.0.borrow().now
    }

    /// A future that completes when the modem's clock reaches `at_ms`.
    pub fn sleep_until(&self, at_ms: u64) -> Sleep {
        Sleep {
            modem: self.clone(),
            at_ms,
        }
    }
}

impl embedded_io::ErrorType for SharedModem {
    type Error = core::convert::Infallible;
}

impl embedded_io::Read for SharedModem {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        Ok(self.modem().read_into(buf))
    }
}

impl embedded_io::ReadReady for SharedModem {
    fn read_ready(&mut self) -> Result<bool, Self::Error> {
        Ok(!self.0.borrow().output.is_empty())
    }
}

impl embedded_io::Write for SharedModem {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.modem().write(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

#[cfg(feature = "async")]
impl embedded_io_async::Read for SharedModem {
    /// Waits until the modem says something; cancel-safe (no byte is
    /// taken before the read returns).
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        core::future::poll_fn(|cx| {
            let mut modem = self.modem();
            match modem.read_into(buf) {
                0 if !buf.is_empty() => {
                    modem.reader = Some(cx.waker().clone());
                    core::task::Poll::Pending
                }
                n => core::task::Poll::Ready(Ok(n)),
            }
        })
        .await
    }
}

#[cfg(feature = "async")]
impl embedded_io_async::Write for SharedModem {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.modem().write(buf);
        Ok(buf.len())
    }

    async fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// [`SharedModem::sleep_until`]: virtual time passes while it is awaited.
#[derive(Debug)]
pub struct Sleep {
    modem: SharedModem,
    at_ms: u64,
}

impl core::future::Future for Sleep {
    type Output = ();

    fn poll(
        self: core::pin::Pin<&mut Self>,
        cx: &mut core::task::Context<'_>,
    ) -> core::task::Poll<()> {
        let mut modem = self.modem.modem();
        if modem.now >= self.at_ms {
            return core::task::Poll::Ready(());
        }
        // Jump to the modem's next happening, or to the end of the sleep;
        // what the modem then says wakes the reader first.
        let next = modem
            .poll_timeout()
            .unwrap_or(self.at_ms)
            .clamp(modem.now + 1, self.at_ms);
        modem.advance_to(next);
        if next >= self.at_ms {
            return core::task::Poll::Ready(());
        }
        cx.waker().wake_by_ref();
        core::task::Poll::Pending
    }
}
