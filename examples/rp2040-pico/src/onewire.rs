//! The DS18B20's 1-Wire bus on a PIO state machine (embassy-rp's
//! `pio_programs::onewire`): the PIO times every slot itself, so neither
//! interrupts nor a flash stall can stretch one, unlike a bit-banged bus.
//!
//! `isocket_sensors::onewire::Bus` is blocking; embassy-rp's driver is
//! async. Each call runs its future to completion with
//! `embassy_futures::block_on` (a busy poll): the PIO makes progress on its
//! own, and the longest call, the scratchpad read, takes about 7 ms.

use embassy_futures::block_on;
use embassy_rp::Peri;
use embassy_rp::bind_interrupts;
use embassy_rp::peripherals::PIO0;
use embassy_rp::pio::{InterruptHandler, Pio, PioPin};
use embassy_rp::pio_programs::onewire::{PioOneWire, PioOneWireProgram};
use embassy_time::{Duration, block_for};
use isocket_sensors::Error;
use isocket_sensors::onewire::Bus;

bind_interrupts!(struct Irqs {
    PIO0_IRQ_0 => InterruptHandler<PIO0>;
});

/// What this master cannot do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, defmt::Format)]
pub enum PioBusError {
    /// The PIO program moves whole bytes: one written slot alone is not
    /// possible. Only the ROM search writes single bits, and this board
    /// addresses its one probe with Skip ROM.
    SingleBitWrite,
}

/// A 1-Wire master on PIO0's state machine 0.
pub struct PioBus {
    wire: PioOneWire<'static, PIO0, 0>,
}

impl PioBus {
    /// Loads the program and starts the state machine on `pin`.
    pub fn new(pio: Peri<'static, PIO0>, pin: Peri<'static, impl PioPin>) -> Self {
        let mut pio = Pio::new(pio, Irqs);
        let program = PioOneWireProgram::new(&mut pio.common);
        let wire = PioOneWire::new(&mut pio.common, pio.sm0, pin, &program);
        PioBus { wire }
    }
}

impl Bus for PioBus {
    type Error = PioBusError;

    /// The program samples the presence window itself; a bus held low
    /// also reads as a presence (its readings then fail their CRC).
    fn reset(&mut self) -> Result<bool, Error<PioBusError>> {
        Ok(block_on(self.wire.reset()))
    }

    fn write_bit(&mut self, _bit: bool) -> Result<(), Error<PioBusError>> {
        Err(Error::Bus(PioBusError::SingleBitWrite))
    }

    /// One byte's read slots, the first one's bit: the DS18B20 answers a
    /// bit-wide request (power supply, conversion done) in the first slot
    /// and leaves the line idle (high) in the others.
    fn read_bit(&mut self) -> Result<bool, Error<PioBusError>> {
        let mut byte = [0u8];
        block_on(self.wire.read_bytes(&mut byte));
        Ok(byte[0] & 1 != 0)
    }

    fn delay_ms(&mut self, ms: u32) {
        block_for(Duration::from_millis(ms.into()));
    }

    fn write_byte(&mut self, byte: u8) -> Result<(), Error<PioBusError>> {
        self.write_bytes(&[byte])
    }

    fn read_byte(&mut self) -> Result<u8, Error<PioBusError>> {
        let mut byte = [0u8];
        self.read_bytes(&mut byte)?;
        Ok(byte[0])
    }

    fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), Error<PioBusError>> {
        block_on(self.wire.write_bytes(bytes));
        Ok(())
    }

    fn read_bytes(&mut self, buf: &mut [u8]) -> Result<(), Error<PioBusError>> {
        block_on(self.wire.read_bytes(buf));
        Ok(())
    }
}
