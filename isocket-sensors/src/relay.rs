//! The relay: an output pin that remembers what it was told.

use embedded_hal::digital::OutputPin;

/// A relay on an output pin, active high or active low.
///
/// ```
/// # use core::convert::Infallible;
/// # struct Pin(bool);
/// # impl embedded_hal::digital::ErrorType for Pin { type Error = Infallible; }
/// # impl embedded_hal::digital::OutputPin for Pin {
/// #     fn set_low(&mut self) -> Result<(), Infallible> { self.0 = false; Ok(()) }
/// #     fn set_high(&mut self) -> Result<(), Infallible> { self.0 = true; Ok(()) }
/// # }
/// use isocket_sensors::relay::Relay;
/// let mut relay = Relay::new(Pin(false), true)?;
/// relay.toggle()?;
/// assert!(relay.is_on());
/// # Ok::<(), Infallible>(())
/// ```
#[derive(Debug)]
pub struct Relay<P> {
    pin: P,
    active_high: bool,
    on: bool,
}

impl<P: OutputPin> Relay<P> {
    /// Takes the pin and switches the relay off.
    pub fn new(pin: P, active_high: bool) -> Result<Self, P::Error> {
        let mut relay = Self {
            pin,
            active_high,
            on: false,
        };
        relay.set(false)?;
        Ok(relay)
    }

    /// Switches the relay on or off.
    pub fn set(&mut self, on: bool) -> Result<(), P::Error> {
        if on == self.active_high {
            self.pin.set_high()?;
        } else {
            self.pin.set_low()?;
        }
        self.on = on;
        Ok(())
    }

    /// Flips the relay.
    pub fn toggle(&mut self) -> Result<(), P::Error> {
        self.set(!self.on)
    }

    /// Is the relay on (as last set)?
    pub fn is_on(&self) -> bool {
        self.on
    }

    /// Gives the pin back.
    pub fn release(self) -> P {
        self.pin
    }
}
