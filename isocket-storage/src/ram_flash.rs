//! A NOR flash in RAM that behaves like the real thing where it matters:
//! erased bytes read `0xFF`, every 4-byte word may be programmed once between
//! erases, offsets and lengths must be aligned, and the power can be cut
//! after a number of steps (each programmed byte is a step; an erase is two:
//! one per half sector, so a cut can leave a sector half erased).
//!
//! It counts operations, for benches and the wear test.

use embedded_storage::nor_flash::{
    ErrorType, NorFlash, NorFlashError, NorFlashErrorKind, ReadNorFlash,
};

/// Sectors whose erases are counted one by one.
const COUNTED_SECTORS: usize = 32;

/// Why a [`RamFlash`] operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RamFlashError {
    /// Offset or length not a multiple of the read, write or erase size.
    NotAligned,
    /// Outside the flash.
    OutOfBounds,
    /// A word programmed twice without an erase.
    WriteTwice,
    /// The power was cut; nothing works until [`RamFlash::restore_power`].
    PowerCut,
}

impl NorFlashError for RamFlashError {
    fn kind(&self) -> NorFlashErrorKind {
        match self {
            Self::NotAligned => NorFlashErrorKind::NotAligned,
            Self::OutOfBounds => NorFlashErrorKind::OutOfBounds,
            Self::WriteTwice | Self::PowerCut => NorFlashErrorKind::Other,
        }
    }
}

/// How many operations a [`RamFlash`] served.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// `read` calls.
    pub reads: u32,
    /// Bytes read.
    pub bytes_read: u32,
    /// `write` calls.
    pub writes: u32,
    /// Bytes programmed.
    pub bytes_written: u32,
    /// Sectors erased.
    pub erases: u32,
}

/// `SIZE` bytes of NOR flash in `SECTOR`-byte erase sectors (4 KiB by default).
#[derive(Clone, Debug)]
pub struct RamFlash<const SIZE: usize, const SECTOR: usize = 4096> {
    bytes: [u8; SIZE],
    programmed: [bool; SIZE],
    /// Steps left before the power goes; `None`: no cut planned.
    steps_left: Option<usize>,
    powered: bool,
    counters: Counters,
    sector_erases: [u32; COUNTED_SECTORS],
}

impl<const SIZE: usize, const SECTOR: usize> Default for RamFlash<SIZE, SECTOR> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const SIZE: usize, const SECTOR: usize> RamFlash<SIZE, SECTOR> {
    /// Programming granularity.
    pub const WORD: usize = 4;

    /// A fully erased flash.
    pub fn new() -> Self {
        Self {
            bytes: [0xFF; SIZE],
            programmed: [false; SIZE],
            steps_left: None,
            powered: true,
            counters: Counters::default(),
            sector_erases: [0; COUNTED_SECTORS],
        }
    }

    /// A flash holding `image` from offset 0 (for example a fuzzer's input),
    /// the rest erased. Words that read all `0xFF` count as erased, as they
    /// would to any reader of real flash.
    pub fn from_image(image: &[u8]) -> Self {
        let mut flash = Self::new();
        for (word, source) in flash
            .bytes
            .chunks_mut(Self::WORD)
            .zip(image.chunks(Self::WORD))
        {
            if let Some(word) = word.get_mut(..source.len()) {
                word.copy_from_slice(source);
            }
        }
        for (programmed, word) in flash
            .programmed
            .chunks_mut(Self::WORD)
            .zip(flash.bytes.chunks(Self::WORD))
        {
            programmed.fill(word.iter().any(|&b| b != 0xFF));
        }
        flash
    }

    /// The whole content.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Cuts the power after `steps` more steps (bytes programmed, half-sector
    /// erases); the operation in progress then fails with
    /// [`RamFlashError::PowerCut`], and so does every later one.
    pub fn cut_power_after(&mut self, steps: usize) {
        self.steps_left = Some(steps);
    }

    /// Powers up again, with no cut planned.
    pub fn restore_power(&mut self) {
        self.steps_left = None;
        self.powered = true;
    }

    /// Flips bit `bit % 8` of byte `bit / 8`: bit rot, behind the back of
    /// whatever uses the flash. Out of range: nothing.
    pub fn flip_bit(&mut self, bit: usize) {
        if let Some(byte) = self.bytes.get_mut(bit / 8) {
            *byte ^= 1 << (bit % 8);
        }
    }

    /// Steps taken so far (bytes programmed plus half-sector erases).
    pub fn steps(&self) -> u64 {
        u64::from(self.counters.bytes_written) + 2 * u64::from(self.counters.erases)
    }

    /// The operation counters.
    pub fn counters(&self) -> Counters {
        self.counters
    }

    /// Resets the operation counters (erase counts per sector stay).
    pub fn reset_counters(&mut self) {
        self.counters = Counters::default();
    }

    /// How often `sector` was erased (the first 32 sectors are counted).
    pub fn sector_erases(&self, sector: usize) -> Option<u32> {
        self.sector_erases.get(sector).copied()
    }

    /// Takes one step; `false` when the power goes now.
    fn step(&mut self) -> bool {
        match &mut self.steps_left {
            Some(0) => {
                self.powered = false;
                false
            }
            Some(n) => {
                *n -= 1;
                true
            }
            None => true,
        }
    }

    fn check(&self, offset: u32, len: usize, align: usize) -> Result<usize, RamFlashError> {
        if !self.powered {
            return Err(RamFlashError::PowerCut);
        }
        let start = usize::try_from(offset).map_err(|_| RamFlashError::OutOfBounds)?;
        if !start.is_multiple_of(align) || !len.is_multiple_of(align) {
            return Err(RamFlashError::NotAligned);
        }
        match start.checked_add(len) {
            Some(end) if end <= SIZE => Ok(start),
            _ => Err(RamFlashError::OutOfBounds),
        }
    }

    /// Erases `[start, end)`.
    fn erase_range(&mut self, start: usize, end: usize) {
        if let (Some(bytes), Some(programmed)) = (
            self.bytes.get_mut(start..end),
            self.programmed.get_mut(start..end),
        ) {
            bytes.fill(0xFF);
            programmed.fill(false);
        }
    }
}

impl<const SIZE: usize, const SECTOR: usize> ErrorType for RamFlash<SIZE, SECTOR> {
    type Error = RamFlashError;
}

impl<const SIZE: usize, const SECTOR: usize> ReadNorFlash for RamFlash<SIZE, SECTOR> {
    const READ_SIZE: usize = 1;

    fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), Self::Error> {
        let start = self.check(offset, bytes.len(), Self::READ_SIZE)?;
        let source = self
            .bytes
            .get(start..start + bytes.len())
            .ok_or(RamFlashError::OutOfBounds)?;
        bytes.copy_from_slice(source);
        self.counters.reads += 1;
        self.counters.bytes_read += bytes.len() as u32;
        Ok(())
    }

    fn capacity(&self) -> usize {
        SIZE
    }
}

impl<const SIZE: usize, const SECTOR: usize> NorFlash for RamFlash<SIZE, SECTOR> {
    const WRITE_SIZE: usize = Self::WORD;
    const ERASE_SIZE: usize = SECTOR;

    fn erase(&mut self, from: u32, to: u32) -> Result<(), Self::Error> {
        let len = to.checked_sub(from).ok_or(RamFlashError::OutOfBounds)? as usize;
        let start = self.check(from, len, SECTOR)?;
        for sector_start in (start..start + len).step_by(SECTOR.max(1)) {
            let half = sector_start + SECTOR / 2;
            for (from, to) in [(sector_start, half), (half, sector_start + SECTOR)] {
                if !self.step() {
                    return Err(RamFlashError::PowerCut);
                }
                self.erase_range(from, to);
            }
            self.counters.erases += 1;
            if let Some(count) = self.sector_erases.get_mut(sector_start / SECTOR.max(1)) {
                *count += 1;
            }
        }
        Ok(())
    }

    fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), Self::Error> {
        let start = self.check(offset, bytes.len(), Self::WORD)?;
        let programmed = self
            .programmed
            .get(start..start + bytes.len())
            .ok_or(RamFlashError::OutOfBounds)?;
        if programmed.iter().any(|&p| p) {
            return Err(RamFlashError::WriteTwice);
        }
        self.counters.writes += 1;
        for (i, &value) in bytes.iter().enumerate() {
            if !self.step() {
                return Err(RamFlashError::PowerCut);
            }
            // NOR programming can only clear bits.
            if let (Some(byte), Some(programmed)) = (
                self.bytes.get_mut(start + i),
                self.programmed.get_mut(start + i),
            ) {
                *byte &= value;
                *programmed = true;
            }
            self.counters.bytes_written += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enforces_nor_rules() {
        let mut flash = RamFlash::<1024, 256>::new();
        assert_eq!(flash.write(1, &[0; 4]), Err(RamFlashError::NotAligned));
        assert_eq!(flash.write(0, &[0; 3]), Err(RamFlashError::NotAligned));
        assert_eq!(flash.write(1024, &[0; 4]), Err(RamFlashError::OutOfBounds));
        flash.write(0, &[1, 2, 3, 4]).unwrap();
        assert_eq!(
            flash.write(0, &[1, 2, 3, 4]),
            Err(RamFlashError::WriteTwice)
        );
        assert_eq!(flash.erase(0, 100), Err(RamFlashError::NotAligned));
        flash.erase(0, 256).unwrap();
        flash.write(0, &[1, 2, 3, 4]).unwrap();
        assert_eq!(flash.sector_erases(0), Some(1));
    }

    #[test]
    fn power_cut_tears_writes_and_erases() {
        let mut flash = RamFlash::<1024, 256>::new();
        flash.write(256, &[0; 8]).unwrap();
        flash.cut_power_after(2);
        assert_eq!(flash.write(0, &[0; 4]), Err(RamFlashError::PowerCut));
        assert_eq!(flash.as_bytes()[..4], [0, 0, 0xFF, 0xFF]);
        assert_eq!(flash.write(8, &[0; 4]), Err(RamFlashError::PowerCut));
        flash.restore_power();
        flash.cut_power_after(1);
        assert_eq!(flash.erase(256, 512), Err(RamFlashError::PowerCut));
        flash.restore_power();
        // Half erased: the first half of the sector is 0xFF again.
        assert_eq!(flash.as_bytes()[256..264], [0xFF; 8]);
    }
}
