//! 1-Wire bus masters and the protocol they share.
//!
//! Standards followed:
//! - CRC-8: Maxim Application Note 27, "Understanding and Using Cyclic
//!   Redundancy Checks with Maxim 1-Wire and iButton Products";
//! - ROM search: Maxim Application Note 187, "1-Wire Search Algorithm";
//! - the bit-banged master's slot timings: Maxim Application Note 126,
//!   "1-Wire Communication Through Software", standard speed;
//! - the UART master: Maxim Application Note 214, "Using a UART to Implement
//!   a 1-Wire Bus Master".
//!
//! The protocol (ROM commands, the search, and the DS18B20 driver in
//! [`crate::ds18b20`]) is written once against [`Bus`]: reset and presence,
//! one time slot written or read, and a wait. Three kinds of master implement
//! it:
//!
//! - [`OneWire`]: bit-banged on one open-drain pin and a delay (any
//!   embedded-hal 1.0 board), with the feature `critical-section` to keep
//!   interrupts out of each time slot;
//! - [`uart::UartBus`]: a half-duplex UART, one byte per time slot (AN214);
//! - a board's own master (a PIO state machine, a DS2482 bridge): implement
//!   [`Bus`], and override the byte methods when the hardware moves whole
//!   bytes.
//!
//! [`RomCommands`] adds Read/Match/Skip ROM and the search to every [`Bus`].
//!
//! A DS18B20 reading is a reset, a ROM command (Skip ROM `CCh`, or Match ROM
//! `55h` and 8 ROM bytes), a function command, then its bytes: one Read
//! Scratchpad is a reset, 16 written bits and 72 read ones, about 7 ms at
//! standard speed; Convert T then takes 94–750 ms by resolution. Bytes go
//! least significant bit first. To test code that reads a probe without
//! hardware, use the simulated bus of the `testing` feature
//! (`isocket_sensors::testing`), which serves both masters of this crate.

use crate::Error;

mod bitbang;
pub mod uart;

pub use bitbang::OneWire;

/// A 1-Wire bus master: reset and presence, time slots, and a wait.
///
/// Everything else (bytes, ROM commands, the search, the DS18B20) is built on
/// these. `Error` is the hardware's own error (a pin's, a UART's), reported as
/// [`Error::Bus`]; a bus held low is [`Error::BusShorted`].
///
/// The byte methods are provided, least significant bit first, one slot at a
/// time; a master that moves whole bytes (a PIO program, a UART batch)
/// overrides them.
pub trait Bus {
    /// The error of the hardware under the bus.
    type Error;

    /// Reset pulse, then the presence window: `Ok(true)` when a device
    /// answered, `Ok(false)` when none did, [`Error::BusShorted`] when the
    /// bus is held low.
    fn reset(&mut self) -> Result<bool, Error<Self::Error>>;

    /// Writes one time slot.
    fn write_bit(&mut self, bit: bool) -> Result<(), Error<Self::Error>>;

    /// Reads one time slot: `true` unless a device held the bus low.
    fn read_bit(&mut self) -> Result<bool, Error<Self::Error>>;

    /// Waits `ms` milliseconds: the blocking
    /// [`Ds18b20::measure`](crate::ds18b20::Ds18b20::measure) waits for a
    /// conversion with it.
    fn delay_ms(&mut self, ms: u32);

    /// Writes a byte, least significant bit first.
    fn write_byte(&mut self, byte: u8) -> Result<(), Error<Self::Error>> {
        (0..8).try_for_each(|i| self.write_bit(byte >> i & 1 != 0))
    }

    /// Reads a byte, least significant bit first.
    fn read_byte(&mut self) -> Result<u8, Error<Self::Error>> {
        let mut byte = 0;
        for i in 0..8 {
            if self.read_bit()? {
                byte |= 1 << i;
            }
        }
        Ok(byte)
    }

    /// Writes several bytes.
    fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), Error<Self::Error>> {
        bytes.iter().try_for_each(|&b| self.write_byte(b))
    }

    /// Fills `buf` with bytes read from the bus.
    fn read_bytes(&mut self, buf: &mut [u8]) -> Result<(), Error<Self::Error>> {
        for b in buf.iter_mut() {
            *b = self.read_byte()?;
        }
        Ok(())
    }
}

impl<B: Bus + ?Sized> Bus for &mut B {
    type Error = B::Error;

    fn reset(&mut self) -> Result<bool, Error<Self::Error>> {
        (**self).reset()
    }
    fn write_bit(&mut self, bit: bool) -> Result<(), Error<Self::Error>> {
        (**self).write_bit(bit)
    }
    fn read_bit(&mut self) -> Result<bool, Error<Self::Error>> {
        (**self).read_bit()
    }
    fn delay_ms(&mut self, ms: u32) {
        (**self).delay_ms(ms);
    }
    fn write_byte(&mut self, byte: u8) -> Result<(), Error<Self::Error>> {
        (**self).write_byte(byte)
    }
    fn read_byte(&mut self) -> Result<u8, Error<Self::Error>> {
        (**self).read_byte()
    }
    fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), Error<Self::Error>> {
        (**self).write_bytes(bytes)
    }
    fn read_bytes(&mut self, buf: &mut [u8]) -> Result<(), Error<Self::Error>> {
        (**self).read_bytes(buf)
    }
}

/// The ROM commands and the AN187 search, for every [`Bus`].
///
/// ```
/// use isocket_sensors::onewire::{RomCommands, Search};
/// use isocket_sensors::testing::{SimBus, SimProbe, GENUINE_ROM};
/// # use isocket_sensors::ds18b20::Temperature;
///
/// let sim = SimBus::new([SimProbe::genuine(Temperature::from_sixteenths(0))]);
/// let mut bus = sim.one_wire();
/// assert_eq!(bus.read_rom()?.to_bytes(), GENUINE_ROM);
///
/// let mut search = Search::new();
/// while let Some(rom) = bus.search_next(&mut search)? {
///     assert_eq!(rom.family(), 0x28);
/// }
/// # Ok::<(), isocket_sensors::Error>(())
/// ```
pub trait RomCommands: Bus {
    /// Reset, failing with [`Error::NoPresence`] when nobody answers.
    fn reset_expect_presence(&mut self) -> Result<(), Error<Self::Error>> {
        if self.reset()? {
            Ok(())
        } else {
            Err(Error::NoPresence)
        }
    }

    /// Read ROM (33h): the ROM of the only device on the bus.
    fn read_rom(&mut self) -> Result<Rom, Error<Self::Error>> {
        self.reset_expect_presence()?;
        self.write_byte(READ_ROM)?;
        let mut bytes = [0; 8];
        self.read_bytes(&mut bytes)?;
        Ok(Rom::new(bytes)?)
    }

    /// Reset, then Match ROM (55h) for `rom`, or Skip ROM (CCh) for `None`.
    /// A function command follows.
    fn select(&mut self, rom: Option<&Rom>) -> Result<(), Error<Self::Error>> {
        self.reset_expect_presence()?;
        match rom {
            Some(rom) => {
                let mut command = [MATCH_ROM; 9];
                if let Some(tail) = command.get_mut(1..) {
                    tail.copy_from_slice(&rom.0);
                }
                self.write_bytes(&command)
            }
            None => self.write_byte(SKIP_ROM),
        }
    }

    /// Finds the next device with the AN187 search; `Ok(None)` when done.
    fn search_next(&mut self, search: &mut Search) -> Result<Option<Rom>, Error<Self::Error>> {
        if search.done {
            return Ok(None);
        }
        if !self.reset()? {
            search.done = true;
            return Ok(None);
        }
        self.write_byte(SEARCH_ROM)?;
        let mut rom = [0u8; 8];
        let mut last_zero = 0;
        for (bit_number, byte_index, mask) in rom_bits() {
            let id_bit = self.read_bit()?;
            let complement = self.read_bit()?;
            let direction = match (id_bit, complement) {
                // Nobody answered: the devices left the search.
                (true, true) => {
                    search.done = true;
                    return Ok(None);
                }
                (false, true) => false,
                (true, false) => true,
                // Discrepancy: both values exist on the bus.
                (false, false) => {
                    let previous = search.last.get(byte_index).is_some_and(|b| b & mask != 0);
                    let direction = match bit_number.cmp(&search.last_discrepancy) {
                        core::cmp::Ordering::Less => previous,
                        core::cmp::Ordering::Equal => true,
                        core::cmp::Ordering::Greater => false,
                    };
                    if !direction {
                        last_zero = bit_number;
                    }
                    direction
                }
            };
            if direction {
                if let Some(b) = rom.get_mut(byte_index) {
                    *b |= mask;
                }
            }
            self.write_bit(direction)?;
        }
        search.last_discrepancy = last_zero;
        search.done = last_zero == 0;
        search.last = rom;
        Ok(Some(Rom::new(rom)?))
    }
}

impl<B: Bus + ?Sized> RomCommands for B {}

/// ROM command: read the ROM of the only device on the bus.
pub const READ_ROM: u8 = 0x33;
/// ROM command: address one device by its ROM code.
pub const MATCH_ROM: u8 = 0x55;
/// ROM command: address every device at once.
pub const SKIP_ROM: u8 = 0xCC;
/// ROM command: start a ROM search (AN187).
pub const SEARCH_ROM: u8 = 0xF0;

/// Dallas/Maxim CRC-8 ("CRC-8/MAXIM-DOW": polynomial x⁸+x⁵+x⁴+1, reflected
/// 0x8C, init 0), over bytes in wire order, as in AN27.
///
/// Running it over data followed by its CRC gives 0.
pub fn crc8(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0, |mut crc, &byte| {
        let mut b = byte;
        for _ in 0..8 {
            let mix = (crc ^ b) & 1;
            crc >>= 1;
            if mix != 0 {
                crc ^= 0x8C;
            }
            b >>= 1;
        }
        crc
    })
}

/// A 64-bit ROM code in wire order: family code, 48-bit serial, CRC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Rom([u8; 8]);

impl Rom {
    /// Checks a ROM code read from the bus.
    ///
    /// Rejects a CRC mismatch (noise, bus stuck high reads all ones) and
    /// family 0x00 (a shorted bus reads all zeros, whose CRC is valid).
    pub fn new(bytes: [u8; 8]) -> Result<Self, InvalidRom> {
        if crc8(&bytes) != 0 {
            Err(InvalidRom::CrcMismatch)
        } else if bytes[0] == 0 {
            Err(InvalidRom::NoFamily)
        } else {
            Ok(Self(bytes))
        }
    }

    /// The family code (0x28 for a DS18B20).
    pub fn family(&self) -> u8 {
        self.0[0]
    }

    /// The eight bytes in wire order.
    pub fn to_bytes(self) -> [u8; 8] {
        self.0
    }
}

/// Why a ROM code was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum InvalidRom {
    /// The CRC byte does not match.
    #[error("ROM CRC mismatch")]
    CrcMismatch,
    /// Family code 0: what a shorted bus reads.
    #[error("ROM family code 0")]
    NoFamily,
}

impl<E> From<InvalidRom> for Error<E> {
    fn from(e: InvalidRom) -> Self {
        match e {
            InvalidRom::CrcMismatch => Error::CrcMismatch,
            InvalidRom::NoFamily => Error::BusShorted,
        }
    }
}

/// The 64 ROM bits as (1-based bit number, byte index, bit mask).
fn rom_bits() -> impl Iterator<Item = (u8, usize, u8)> {
    (0u8..64).map(|i| (i + 1, usize::from(i / 8), 1 << (i % 8)))
}

/// State of an AN187 ROM search across calls to [`RomCommands::search_next`].
#[derive(Clone, Debug, Default)]
pub struct Search {
    last: [u8; 8],
    last_discrepancy: u8,
    done: bool,
}

impl Search {
    /// A search that starts from the first device.
    pub fn new() -> Self {
        Self::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Known answers, each from the public source named beside it.
    #[test]
    fn crc8_known_answers() {
        // reveng CRC-8/MAXIM-DOW check value.
        assert_eq!(crc8(b"123456789"), 0xA1);
        // AN27 Example 2, in wire order.
        assert_eq!(crc8(&[0x02, 0x1C, 0xB8, 0x01, 0x00, 0x00, 0x00]), 0xA2);
        assert_eq!(crc8(&[]), 0x00);
        assert_eq!(crc8(&[0x28]), 0xE1);
        // Table entries 1, 2 and 255 are the CRC of that single byte.
        assert_eq!(crc8(&[1]), 0x5E);
        assert_eq!(crc8(&[2]), 0xBC);
        assert_eq!(crc8(&[255]), 0x35);
        // datastat.com byte-order trap.
        let bytes = [0x12, 0x12, 0xA2, 0x14, 0x5F, 0x12, 0xAA, 0x12];
        assert_eq!(crc8(&bytes), 0x6D);
        let mut reversed = bytes;
        reversed.reverse();
        assert_eq!(crc8(&reversed), 0x3D);
        // All ones: a bus stuck high.
        assert_eq!(crc8(&[0xFF; 7]), 0x14);
        assert_eq!(crc8(&[0xFF; 8]), 0xC9);
    }

    // Real ROM codes, wire order: cpetrich/counterfeit_DS18B20 README (CC BY 4.0),
    // plus Maxim AN27's Example 2.
    const REAL_ROMS: [[u8; 8]; 12] = [
        [0x28, 0x13, 0x9B, 0xBB, 0x0B, 0x00, 0x00, 0x1F],
        [0x28, 0xAA, 0x3C, 0x61, 0x55, 0x14, 0x01, 0xF0],
        [0x28, 0xAB, 0x9C, 0xB1, 0x33, 0x14, 0x01, 0x81],
        [0x28, 0xFF, 0x7C, 0x5A, 0x61, 0x16, 0x04, 0xEE],
        [0x28, 0xFF, 0x64, 0x1D, 0xCD, 0x96, 0xF2, 0x01],
        [0x28, 0x1C, 0xBC, 0x46, 0x92, 0x10, 0x02, 0x88],
        [0x28, 0x90, 0xFE, 0x79, 0x97, 0x00, 0x03, 0x20],
        [0x28, 0xFB, 0x10, 0x79, 0xA2, 0x00, 0x03, 0x88],
        [0x28, 0xFD, 0x58, 0x94, 0x97, 0x14, 0x03, 0x05],
        [0x28, 0x24, 0x1D, 0x77, 0x91, 0x04, 0x02, 0xCE],
        [0x28, 0x9E, 0x9C, 0x1F, 0x00, 0x00, 0x80, 0x04],
        [0x02, 0x1C, 0xB8, 0x01, 0x00, 0x00, 0x00, 0xA2],
    ];

    #[test]
    fn real_roms_are_accepted() {
        for bytes in REAL_ROMS {
            let rom = Rom::new(bytes).unwrap();
            assert_eq!(rom.to_bytes(), bytes);
            assert_eq!(rom.family(), bytes[0]);
        }
    }

    #[test]
    fn any_flipped_bit_is_rejected() {
        for bytes in REAL_ROMS {
            for bit in 0..64 {
                let mut bad = bytes;
                bad[bit / 8] ^= 1 << (bit % 8);
                assert!(Rom::new(bad).is_err(), "{bad:02X?}");
            }
        }
    }

    #[test]
    fn shorted_and_floating_bus_roms_are_rejected() {
        // All zeros passes the CRC but is what a shorted bus reads.
        assert_eq!(Rom::new([0; 8]), Err(InvalidRom::NoFamily));
        // All ones: nobody drives the bus.
        assert_eq!(Rom::new([0xFF; 8]), Err(InvalidRom::CrcMismatch));
    }
}
