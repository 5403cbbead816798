//! A 1-Wire master on a half-duplex UART, after Maxim Application Note 214,
//! "Using a UART to Implement a 1-Wire Bus Master".
//!
//! The UART's TX drives the bus through an open-drain output (or a diode,
//! or the MCU's single-wire half-duplex mode) with the usual pull-up, and
//! its RX reads the bus back, so every byte sent comes back as an *echo*
//! that shows what the devices did to the bus meanwhile. 8 data bits, no
//! parity, 1 stop bit, least significant bit first:
//!
//! - **reset**: at 9600 baud, send `F0h`. Its start bit and four zero bits
//!   hold the bus low 521 µs (the reset pulse); a device's presence pulse
//!   then pulls some of the four one bits low, so an echo other than `F0h`
//!   means presence. An echo of `00h` (with a framing error: the stop bit
//!   read low) is a bus held low: [`Error::BusShorted`].
//! - **time slots**: at 115200 baud, one byte per slot. Write 1: send `FFh`
//!   (only the 8.7 µs start bit is low). Write 0: send `00h` (78 µs low).
//!   Read: send `FFh`; a device answering 0 holds the bus low past the
//!   start bit, so the bit is 1 exactly when the echo is `FFh`.
//!
//! A byte of 1-Wire data is 8 UART bytes; [`UartBus`] hands all 8 to
//! [`HalfDuplex::exchange_all`] at once, so a UART with DMA or a FIFO moves
//! a whole 1-Wire byte per call. The timing comes from the UART's clock:
//! interrupts between bytes only lengthen the recovery time between slots,
//! which the bus tolerates.
//!
//! ```
//! use isocket_sensors::ds18b20::{Ds18b20, Temperature};
//! use isocket_sensors::onewire::uart::UartBus;
//! use isocket_sensors::testing::{SimBus, SimProbe};
//!
//! // The simulated bus, driven through a simulated UART's waveform.
//! let sim = SimBus::new([SimProbe::genuine(Temperature::from_sixteenths(0x0191))]);
//! let mut bus = UartBus::new(sim.uart(), sim.delay());
//! let mut probe = Ds18b20::probe(&mut bus, None)?;
//! assert_eq!(probe.measure(&mut bus)?.celsius(), 25.0625);
//! assert_eq!(sim.timing_violations(), Vec::<String>::new());
//! # Ok::<(), isocket_sensors::Error>(())
//! ```

use embedded_hal::delay::DelayNs;

use super::Bus;
use crate::Error;

/// The baud rate of the reset byte.
pub const RESET_BAUD: u32 = 9_600;
/// The baud rate of the time slots.
pub const SLOT_BAUD: u32 = 115_200;
/// The reset byte, sent at [`RESET_BAUD`].
pub const RESET_BYTE: u8 = 0xF0;
/// The byte of a write-1 or read slot, sent at [`SLOT_BAUD`].
pub const SLOT_ONE: u8 = 0xFF;
/// The byte of a write-0 slot, sent at [`SLOT_BAUD`].
pub const SLOT_ZERO: u8 = 0x00;

/// What the board provides: a half-duplex UART, 8N1, whose receiver hears
/// the bus it transmits on.
pub trait HalfDuplex {
    /// The UART's error (a timeout waiting for the echo, an overrun).
    type Error;

    /// Switches the baud rate ([`RESET_BAUD`] or [`SLOT_BAUD`]), once the
    /// transmitter is idle.
    fn set_baud_rate(&mut self, baud: u32) -> Result<(), Self::Error>;

    /// Sends `byte` and returns the byte received meanwhile (its echo).
    ///
    /// A byte received with a framing error (its stop bit read low: the bus
    /// is held low) must come back as `Ok(0x00)`, not as an error: that is
    /// how a shorted bus shows. Discard anything received before `byte` was
    /// sent.
    fn exchange(&mut self, byte: u8) -> Result<u8, Self::Error>;

    /// Sends every byte of `bytes` back to back and replaces each with its
    /// echo. Override it to use DMA or the FIFO; the default calls
    /// [`HalfDuplex::exchange`] for each byte.
    fn exchange_all(&mut self, bytes: &mut [u8]) -> Result<(), Self::Error> {
        for b in bytes.iter_mut() {
            *b = self.exchange(*b)?;
        }
        Ok(())
    }
}

impl<U: HalfDuplex + ?Sized> HalfDuplex for &mut U {
    type Error = U::Error;

    fn set_baud_rate(&mut self, baud: u32) -> Result<(), Self::Error> {
        (**self).set_baud_rate(baud)
    }
    fn exchange(&mut self, byte: u8) -> Result<u8, Self::Error> {
        (**self).exchange(byte)
    }
    fn exchange_all(&mut self, bytes: &mut [u8]) -> Result<(), Self::Error> {
        (**self).exchange_all(bytes)
    }
}

/// A 1-Wire master on a half-duplex UART (AN214), with a delay for the
/// conversion wait of [`Ds18b20::measure`](crate::ds18b20::Ds18b20::measure).
pub struct UartBus<U, D> {
    uart: U,
    delay: D,
    /// The baud rate last set, `None` before the first or after a failure.
    baud: Option<u32>,
}

impl<U: HalfDuplex, D: DelayNs> UartBus<U, D> {
    /// Takes the UART (at any baud rate: the bus sets its own) and a delay.
    pub fn new(uart: U, delay: D) -> Self {
        Self {
            uart,
            delay,
            baud: None,
        }
    }

    /// Gives the UART and delay back.
    pub fn release(self) -> (U, D) {
        (self.uart, self.delay)
    }

    fn set_baud(&mut self, baud: u32) -> Result<(), Error<U::Error>> {
        if self.baud != Some(baud) {
            self.baud = None;
            self.uart.set_baud_rate(baud).map_err(Error::Bus)?;
            self.baud = Some(baud);
        }
        Ok(())
    }

    /// Sends slot bytes at [`SLOT_BAUD`], replacing each with its echo.
    fn slots(&mut self, slots: &mut [u8]) -> Result<(), Error<U::Error>> {
        self.set_baud(SLOT_BAUD)?;
        self.uart.exchange_all(slots).map_err(Error::Bus)
    }
}

/// The 8 slot bytes that write `byte`, least significant bit first.
fn write_slots(byte: u8) -> [u8; 8] {
    core::array::from_fn(|i| {
        if byte >> i & 1 != 0 {
            SLOT_ONE
        } else {
            SLOT_ZERO
        }
    })
}

/// The byte read in 8 read slots, from their echoes.
fn read_echoes(echoes: [u8; 8]) -> u8 {
    echoes
        .iter()
        .enumerate()
        .fold(0, |byte, (i, &echo)| byte | u8::from(echo == SLOT_ONE) << i)
}

impl<U: HalfDuplex, D: DelayNs> Bus for UartBus<U, D> {
    type Error = U::Error;

    fn reset(&mut self) -> Result<bool, Error<U::Error>> {
        self.set_baud(RESET_BAUD)?;
        match self.uart.exchange(RESET_BYTE).map_err(Error::Bus)? {
            RESET_BYTE => Ok(false),
            0x00 => Err(Error::BusShorted),
            _ => Ok(true),
        }
    }

    fn write_bit(&mut self, bit: bool) -> Result<(), Error<U::Error>> {
        self.slots(&mut [if bit { SLOT_ONE } else { SLOT_ZERO }])
    }

    fn read_bit(&mut self) -> Result<bool, Error<U::Error>> {
        let mut slot = [SLOT_ONE];
        self.slots(&mut slot)?;
        Ok(slot == [SLOT_ONE])
    }

    fn delay_ms(&mut self, ms: u32) {
        self.delay.delay_ms(ms);
    }

    fn write_byte(&mut self, byte: u8) -> Result<(), Error<U::Error>> {
        self.slots(&mut write_slots(byte))
    }

    fn read_byte(&mut self) -> Result<u8, Error<U::Error>> {
        let mut slots = [SLOT_ONE; 8];
        self.slots(&mut slots)?;
        Ok(read_echoes(slots))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_map_to_slots_lsb_first() {
        assert_eq!(
            write_slots(0xCC),
            [0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0xFF, 0xFF]
        );
        assert_eq!(write_slots(0x01), [0xFF, 0, 0, 0, 0, 0, 0, 0]);
        // Any echo but FFh is a device holding the bus: a 0.
        let echoes = [0xFF, 0xFE, 0xFF, 0xF8, 0xFF, 0xFF, 0x00, 0x7F];
        assert_eq!(read_echoes(echoes), 0b0011_0101);
    }
}
