//! The bit-banged master: one open-drain pin and a delay.

use embedded_hal::delay::DelayNs;
use embedded_hal::digital::{InputPin, OutputPin};

use super::Bus;
use crate::Error;

/// AN126 standard-speed delays, in microseconds.
mod timing {
    /// Write-1 low time.
    pub const A: u32 = 6;
    /// Write-1 release time (rest of the slot).
    pub const B: u32 = 64;
    /// Write-0 low time.
    pub const C: u32 = 60;
    /// Write-0 recovery time.
    pub const D: u32 = 10;
    /// Read: wait after release before sampling.
    pub const E: u32 = 9;
    /// Read: rest of the slot after the sample.
    pub const F: u32 = 55;
    /// Reset low time.
    pub const H: u32 = 480;
    /// Reset: wait after release before sampling presence.
    pub const I: u32 = 70;
    /// Reset: rest of the presence window.
    pub const J: u32 = 410;
}

/// A bit-banged 1-Wire master that owns its pin and delay.
///
/// The pin must be open drain with a pull-up (about 4.7 kΩ): `set_low` drives
/// the bus low, `set_high` releases it, `is_high` samples it.
///
/// ## Pin calls and timing
///
/// Every bus operation is a fixed sequence of calls on the pin and the delay
/// (Maxim AN126 standard speed; µs). A mock pin sees exactly these, in this
/// order:
///
/// | operation | calls |
/// |---|---|
/// | [`OneWire::new`] | `set_high` |
/// | [`Bus::reset`] | `is_low` (low: [`Error::BusShorted`]), `set_low`, delay 480, `set_high`, delay 70, `is_low` (low: presence), delay 410, `is_low` (low: shorted) |
/// | write a 1 | `set_low`, delay 6, `set_high`, delay 64 |
/// | write a 0 | `set_low`, delay 60, `set_high`, delay 10 |
/// | read a bit | `set_low`, delay 6, `set_high`, delay 9, `is_high` (the bit), delay 55 |
///
/// The delays are the minimum: the bus tolerates longer slots (an interrupt
/// between calls), except that a read must sample within 15 µs of pulling
/// the bus low, a write-0 must stay low under 120 µs, and the presence
/// sample must fall 60–240 µs after the reset pulse.
///
/// ## Interrupts
///
/// With the feature `critical-section`, each time slot and each reset pulse
/// runs inside one `critical_section::with`, so no interrupt can stretch it:
/// from `set_low` to the end of the slot's last delay (about 70 µs), and for
/// a reset from `set_low` to the presence sample (about 550 µs; the 410 µs
/// after it and the checks before and after run with interrupts on).
/// Interrupts wait at most that long, never a whole byte. Without the
/// feature, keep interrupts short or off during bus traffic on a busy
/// system. The board provides the `critical-section` implementation, as its
/// HAL or runtime does.
pub struct OneWire<P, D> {
    pin: P,
    delay: D,
}

impl<P, D> OneWire<P, D>
where
    P: InputPin + OutputPin,
    D: DelayNs,
{
    /// Takes the pin (released) and a delay.
    pub fn new(mut pin: P, delay: D) -> Result<Self, Error<P::Error>> {
        pin.set_high().map_err(Error::Bus)?;
        Ok(Self { pin, delay })
    }

    /// A master on a pin already released (no pin call).
    #[cfg(feature = "testing")]
    pub(crate) fn from_released(pin: P, delay: D) -> Self {
        Self { pin, delay }
    }

    /// Gives the pin and delay back.
    pub fn release(self) -> (P, D) {
        (self.pin, self.delay)
    }

    /// Runs one time slot (or reset pulse), with interrupts off under the
    /// feature `critical-section`.
    fn slot<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        #[cfg(feature = "critical-section")]
        {
            critical_section::with(|_| f(self))
        }
        #[cfg(not(feature = "critical-section"))]
        {
            f(self)
        }
    }
}

impl<P, D> Bus for OneWire<P, D>
where
    P: InputPin + OutputPin,
    D: DelayNs,
{
    type Error = P::Error;

    /// A bus that is low before the reset or still low at the end of the
    /// presence window is shorted: [`Error::BusShorted`].
    fn reset(&mut self) -> Result<bool, Error<P::Error>> {
        if self.pin.is_low().map_err(Error::Bus)? {
            return Err(Error::BusShorted);
        }
        let present = self.slot(|bus| {
            bus.pin.set_low().map_err(Error::Bus)?;
            bus.delay.delay_us(timing::H);
            bus.pin.set_high().map_err(Error::Bus)?;
            bus.delay.delay_us(timing::I);
            bus.pin.is_low().map_err(Error::Bus)
        })?;
        self.delay.delay_us(timing::J);
        if self.pin.is_low().map_err(Error::Bus)? {
            return Err(Error::BusShorted);
        }
        Ok(present)
    }

    fn write_bit(&mut self, bit: bool) -> Result<(), Error<P::Error>> {
        let (low, high) = if bit {
            (timing::A, timing::B)
        } else {
            (timing::C, timing::D)
        };
        self.slot(|bus| {
            bus.pin.set_low().map_err(Error::Bus)?;
            bus.delay.delay_us(low);
            bus.pin.set_high().map_err(Error::Bus)?;
            bus.delay.delay_us(high);
            Ok(())
        })
    }

    fn read_bit(&mut self) -> Result<bool, Error<P::Error>> {
        self.slot(|bus| {
            bus.pin.set_low().map_err(Error::Bus)?;
            bus.delay.delay_us(timing::A);
            bus.pin.set_high().map_err(Error::Bus)?;
            bus.delay.delay_us(timing::E);
            let bit = bus.pin.is_high().map_err(Error::Bus)?;
            bus.delay.delay_us(timing::F);
            Ok(bit)
        })
    }

    fn delay_ms(&mut self, ms: u32) {
        self.delay.delay_ms(ms);
    }
}
