//! [`Hardware`] for any embedded-hal board wired the isocket way, so a
//! board's main only creates its peripherals and implements [`Platform`]
//! (clock, modem UART, optional hooks).
//!
//! The wiring convention (examples/README.md, "Wiring"): outputs are active
//! high (relay, modem power, LEDs); the alarm contact and the button close to
//! ground (low: closed, pressed); the mains sense is high while mains is there.

use embedded_hal::delay::DelayNs;
use embedded_hal::digital::{InputPin, OutputPin, PinState};
use isocket_proto::{Probe, Timestamp};
use isocket_storage::Store;

use crate::probe::Ds18b20Probe;
use crate::runner::Hardware;

/// What differs from HAL to HAL: the clock, the modem UART and where the
/// wall clock survives a reboot. (The runner logs with its `defmt` feature;
/// a board needing other hooks implements [`Hardware`] itself.)
pub trait Platform {
    /// Milliseconds on the board's monotonic clock.
    fn now_ms(&mut self) -> u64;
    /// See [`Hardware::modem_read`].
    fn modem_read(&mut self, buf: &mut [u8]) -> usize;
    /// See [`Hardware::modem_write`].
    fn modem_write(&mut self, bytes: &[u8]);
    /// See [`Hardware::keep_clock`].
    fn keep_clock(&mut self, clock: Option<(Timestamp, u64)>, now_ms: u64) {
        let _ = (clock, now_ms);
    }
}

/// The pins of the wiring convention above.
pub struct Pins<O, I> {
    /// High: socket on.
    pub relay: O,
    /// High: modem on (PWRKEY released).
    pub modem_power: O,
    /// POWER (green), GSM (blue), OUT (red); high: lit.
    pub leds: [O; 3],
    /// Low: alarm contact closed.
    pub contact: I,
    /// Low: button pressed.
    pub button: I,
    /// High: mains present.
    pub mains: I,
}

/// A whole board: its platform, pins, probe and settings store.
pub struct Board<Pl, O, I, P, D, S> {
    /// Clock, UART and hooks.
    pub platform: Pl,
    /// The pins.
    pub pins: Pins<O, I>,
    /// The DS18B20 on its 1-Wire bus.
    pub probe: Ds18b20Probe<P, D>,
    /// The settings store, if usable.
    pub store: Option<S>,
}

/// An output pin set to `on`; the boards' pins cannot fail (`Infallible`),
/// and a pin that could has nothing better to do than try again next turn.
fn drive<O: OutputPin>(pin: &mut O, on: bool) {
    let _ = pin.set_state(PinState::from(on));
}

impl<Pl, O, I, P, D, S, E> Hardware for Board<Pl, O, I, P, D, S>
where
    Pl: Platform,
    O: OutputPin,
    I: InputPin,
    P: InputPin<Error = E> + OutputPin<Error = E>,
    D: DelayNs,
    S: Store,
{
    type Store = S;

    fn now_ms(&mut self) -> u64 {
        self.platform.now_ms()
    }

    fn modem_read(&mut self, buf: &mut [u8]) -> usize {
        self.platform.modem_read(buf)
    }

    fn modem_write(&mut self, bytes: &[u8]) {
        self.platform.modem_write(bytes);
    }

    fn modem_power(&mut self, on: bool) {
        drive(&mut self.pins.modem_power, on);
    }

    // An input that fails to read is taken as idle: no alarm, no press,
    // mains present (no shutdown on a read error).
    fn contact_closed(&mut self) -> bool {
        self.pins.contact.is_low().unwrap_or(false)
    }

    fn button_pressed(&mut self) -> bool {
        self.pins.button.is_low().unwrap_or(false)
    }

    fn mains_present(&mut self) -> bool {
        self.pins.mains.is_high().unwrap_or(true)
    }

    fn set_relay(&mut self, on: bool) {
        drive(&mut self.pins.relay, on);
    }

    fn set_leds(&mut self, power: bool, gsm: bool, out: bool) {
        for (led, on) in self.pins.leds.iter_mut().zip([power, gsm, out]) {
            drive(led, on);
        }
    }

    fn probe_start(&mut self, now_ms: u64) -> Result<u64, Probe> {
        self.probe.start(now_ms)
    }

    fn probe_read(&mut self, now_ms: u64) -> Option<Probe> {
        self.probe.read(now_ms)
    }

    fn store(&mut self) -> Option<&mut S> {
        self.store.as_mut()
    }

    fn keep_clock(&mut self, clock: Option<(Timestamp, u64)>, now_ms: u64) {
        self.platform.keep_clock(clock, now_ms);
    }
}
