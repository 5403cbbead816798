//! A power-fail-safe, wear-levelled record log on NOR flash.
//!
//! # Layout
//!
//! The region is a ring of two or more erase sectors. Records are appended
//! to the current sector, each padded to [`ALIGN`] bytes:
//!
//! | bytes | field |
//! |---|---|
//! | 0..4 | sequence number, u32 LE, one higher for every record written |
//! | 4..6 | value length, u16 LE |
//! | 6 | kind |
//! | 7 | tag: `A5` value, `5A` sector commit |
//! | 8..12 | CRC-32 of bytes 0..8 and the value |
//! | 12.. | the value, then `FF` up to the next multiple of [`ALIGN`] |
//!
//! Every record is written **twice**, back to back, with the same
//! sequence number; each record (each copy of a value, and each copy of a
//! commit) takes the next sequence number.
//!
//! When the current sector is full, the next one is erased, the latest value
//! of every kind is copied into it (the value being saved replacing its old
//! one), and a *commit* record seals it. A sector without a commit record
//! never counts, so the previous sector stays the current one, intact, until
//! the new one is sealed. At boot the valid sector with the newest commit is
//! current, and within it the newest record of each kind wins.
//!
//! Every write goes to erased flash, once per word, in one `write` call per
//! copy: a power cut leaves at most one torn copy at the end of the log,
//! whose CRC fails. That sector takes no more appends, and the next save
//! moves on to the next sector. Before appending, the store also reads the
//! target back to make sure it is still erased.
//!
//! # Bit rot
//!
//! The CRC-32 catches any one flipped bit in a record, in its sequence
//! number, length, kind or tag as in its value: the copy is unreadable,
//! never a different valid record. The scan steps over an unreadable copy
//! [`ALIGN`] bytes at a time (a flipped length cannot say where the next
//! record starts) and reads its twin. So one flipped bit anywhere in a store
//! whose last save completed loads exactly the last saved values:
//!
//! - in a value or a commit record: its twin reads (and a sector stays
//!   sealed by its other commit);
//! - in the erased tail: it reads as a torn record after the last one, or
//!   as programmed flash where the next append goes; either way the sector
//!   takes no more appends;
//! - in an older sector: it no longer matters.
//!
//! A sector in which not every record has its twin, or that has unreadable
//! bytes, takes no more appends: the next save rewrites every live value,
//! twice, into a fresh sector, which repairs the damage. (So does the first
//! save over a store written by the first layout, which wrote one copy.)
//!
//! A gap in the sequence numbers of the current sector means a whole record
//! was lost, both copies, and nobody can tell of which kind: nothing in the
//! store is trusted, [`Error::Corrupt`] for every kind rather than an older
//! value. So is a store with data but no sealed sector that is not an
//! interrupted first save. A save into a corrupt store starts afresh: the
//! kinds not saved since read as never saved. (Two faults at once, such as
//! both copies of the newest record lost at the very end of the log, can
//! still look like a power cut during that save, and load the value before
//! it.)

//! # Why our own log rather than sequential-storage
//!
//! sequential-storage 8 is async-only (embedded-storage-async), so each call
//! would need an executor or a block-on shim; its map also keeps items in
//! page order with its own cache types. This store needs far less: a dozen
//! kinds, one value each, a synchronous `NorFlash`, and a wear budget we can
//! compute by hand from a layout that fits in the table above. A few hundred
//! lines, tested by cutting the power at every byte of 1,000 random save
//! sequences, by flipping every bit of stores with a long history, and by
//! fuzzing the loader.
//!
//! # Wear budget (manual §13)
//!
//! One relay-state change per minute for ten years is
//! 10 × 365.25 × 24 × 60 = **5,259,600** saves. A relay record is 12 bytes
//! of header and 2 of value (version byte, `bool`): one 16-byte slot, two
//! copies.
//!
//! On a region of two 4 KiB sectors, with the worst case of settings at the
//! full [`crate::MAX_VALUE_LEN`] (512 + 12 → 528 bytes), an alarm log of
//! 10 × 8 bytes and a few more (84 + 12 → 96 bytes), the relay record (16)
//! and the commit record (16), each twice, copied into every new sector,
//! 4096 − 2 × 656 = 2784 bytes remain: 87 appends of 32 bytes, and the 88th
//! save changes sector. 5,259,600 / 88 = 59,769 sector changes, shared by
//! two sectors: **29,885 erases per sector** in ten years, 30 % of a
//! 100,000-cycle endurance (the copies cost 2.5 times the wear of a single
//! copy, which the endurance affords). `tests/wear.rs` measures the same
//! figure.
//!
//! Sequence numbers are u32: at one save a minute they last 8,000 years.
//!
//! # Limits
//!
//! `WRITE_SIZE` and `READ_SIZE` must divide [`ALIGN`] (16), and the sector
//! size must be a multiple of it: true of RP2040, STM32F4/L4, nRF and ESP32
//! flash; STM32H7's 32-byte words are not supported. Kinds above
//! [`crate::MAX_KINDS`] found in flash (a newer firmware's) are ignored and
//! not copied on sector changes.

use embedded_storage::nor_flash::NorFlash;

use crate::crc32::Crc32;
use crate::{Error, Kind, MAX_KINDS, MAX_VALUE_LEN, Store, kind_index};

/// Records start at multiples of this, and take a multiple of it.
pub const ALIGN: usize = 16;
/// Header bytes in front of the value.
const HEADER: usize = 12;
/// The longest record, header and padding included.
const MAX_RECORD: usize = round_up(HEADER + MAX_VALUE_LEN);

const TAG_VALUE: u8 = 0xA5;
const TAG_COMMIT: u8 = 0x5A;

const fn round_up(len: usize) -> usize {
    len.div_ceil(ALIGN) * ALIGN
}

/// A record header, as parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Header {
    seq: u32,
    len: usize,
    kind: Kind,
    tag: u8,
}

/// Writes a header for `value` into `record[..HEADER]`.
fn seal(record: &mut [u8], seq: u32, kind: Kind, tag: u8, len: usize) {
    let len16 = u16::try_from(len).unwrap_or(u16::MAX).to_le_bytes();
    let mut first = [0u8; 8];
    first[..4].copy_from_slice(&seq.to_le_bytes());
    first[4..6].copy_from_slice(&len16);
    first[6] = kind;
    first[7] = tag;
    let value = record.get(HEADER..HEADER + len).unwrap_or(&[]);
    let crc = Crc32::new().update(&first).update(value).finish();
    let mut header = [0u8; HEADER];
    header[..8].copy_from_slice(&first);
    header[8..].copy_from_slice(&crc.to_le_bytes());
    if let Some(target) = record.get_mut(..HEADER) {
        target.copy_from_slice(&header);
    }
}

/// Parses and checks the record at the start of `bytes` (which holds at
/// least `ALIGN` bytes); `None` for anything but a whole, valid record.
fn parse(bytes: &[u8]) -> Option<Header> {
    let field = |at: usize| {
        bytes
            .get(at..at + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
    };
    let seq = u32::from_le_bytes(field(0)?);
    let len = usize::from(u16::from_le_bytes([*bytes.get(4)?, *bytes.get(5)?]));
    let header = Header {
        seq,
        len,
        kind: *bytes.get(6)?,
        tag: *bytes.get(7)?,
    };
    let crc = u32::from_le_bytes(field(8)?);
    let valid_tag = header.tag == TAG_VALUE || (header.tag == TAG_COMMIT && len == 0);
    let value = bytes.get(HEADER..HEADER + len)?;
    let first = bytes.get(..8)?;
    (valid_tag && len <= MAX_VALUE_LEN && Crc32::new().update(first).update(value).finish() == crc)
        .then_some(header)
}

/// What a scan of one sector found.
#[derive(Clone, Copy, Debug, Default)]
struct SectorScan {
    /// Sequence number of the commit record, if the sector is sealed.
    commit: Option<u32>,
    /// The highest sequence number in the sector.
    last_seq: Option<u32>,
    /// Offset just after the last valid record.
    end: usize,
    /// Scanning stopped at erased flash (not at a torn or foreign record).
    clean: bool,
    /// Unreadable bytes before a valid record (a damaged copy, or worse).
    mid_bad: bool,
    /// Not every record has its twin, or the tail is not erased: the next
    /// save rewrites the live records into a fresh sector.
    degraded: bool,
    /// A sequence number is missing: a whole record was lost, of a kind
    /// nobody can tell.
    damaged: bool,
}

/// Where the next record goes.
#[derive(Clone, Copy, Debug)]
struct Head {
    sector: usize,
    offset: usize,
    /// False once a torn record or unexpected data was found at `offset`.
    appendable: bool,
}

/// The latest record of a kind: the address of its first readable copy in
/// the region, its value length, and whether its twin follows it. (A flag
/// rather than an address: the index stays as small as with one copy.)
#[derive(Clone, Copy, Debug)]
struct Slot {
    at: usize,
    len: usize,
    paired: bool,
}

/// A [`Store`] on a region of NOR flash; see the [module docs](self).
#[derive(Clone)]
pub struct NorFlashStore<F> {
    flash: F,
    start: u32,
    sector_size: usize,
    sectors: usize,
    head: Option<Head>,
    /// No sealed sector, but something that is neither erased nor torn.
    corrupt: bool,
    /// `None` once sequence numbers ran out (only a crafted image gets there).
    next_seq: Option<u32>,
    index: [Option<Slot>; MAX_KINDS],
    buf: [u8; MAX_RECORD],
}

impl<F: NorFlash> NorFlashStore<F> {
    /// Opens the store on the flash range `range` (whole sectors, two at
    /// least) and scans it. Corruption is not an error here: it shows when
    /// loading (see [`Error::Corrupt`]).
    pub fn open(flash: F, range: core::ops::Range<u32>) -> Result<Self, Error<F::Error>> {
        let sector_size = F::ERASE_SIZE;
        let len =
            usize::try_from(range.end.saturating_sub(range.start)).map_err(|_| Error::BadRegion)?;
        let usable = F::WRITE_SIZE > 0
            && F::READ_SIZE > 0
            && ALIGN.is_multiple_of(F::WRITE_SIZE)
            && ALIGN.is_multiple_of(F::READ_SIZE)
            && sector_size >= 4 * ALIGN
            && sector_size.is_multiple_of(ALIGN)
            && (range.start as usize).is_multiple_of(sector_size)
            && len.is_multiple_of(sector_size)
            && len / sector_size >= 2;
        if !usable || range.end as usize > flash.capacity() {
            return Err(Error::BadRegion);
        }
        let mut store = Self {
            flash,
            start: range.start,
            sector_size,
            sectors: len / sector_size,
            head: None,
            corrupt: false,
            next_seq: Some(0),
            index: [None; MAX_KINDS],
            buf: [0xFF; MAX_RECORD],
        };
        store.mount()?;
        Ok(store)
    }

    /// The flash, to look at (for example its operation counters).
    pub fn flash(&self) -> &F {
        &self.flash
    }

    /// The flash, for a test to act on (cut its power, for example).
    /// Writing to the region behind the store's back voids its guarantees.
    pub fn flash_mut(&mut self) -> &mut F {
        &mut self.flash
    }

    /// Gives the flash back.
    pub fn into_inner(self) -> F {
        self.flash
    }

    /// Scans every sector, picks the current one and indexes it.
    fn mount(&mut self) -> Result<(), Error<F::Error>> {
        let mut current: Option<(usize, SectorScan, [Option<Slot>; MAX_KINDS])> = None;
        let mut corrupt = false;
        let mut last_seq = None;
        for sector in 0..self.sectors {
            let mut index: [Option<Slot>; MAX_KINDS] = [None; MAX_KINDS];
            let scan = self.scan(sector, |header, at, twin| {
                let slot = index.get_mut(usize::from(header.kind));
                if let (Some(slot), TAG_VALUE) = (slot, header.tag) {
                    match slot {
                        Some(first) if twin => first.paired = true,
                        _ => {
                            *slot = Some(Slot {
                                at,
                                len: header.len,
                                paired: false,
                            })
                        }
                    }
                }
            })?;
            last_seq = last_seq.max(scan.last_seq);
            match scan.commit {
                Some(commit) => {
                    if current.is_none_or(|(_, c, _)| c.commit < Some(commit)) {
                        current = Some((sector, scan, index));
                    }
                }
                None => {
                    corrupt |= scan.damaged
                        || scan.mid_bad
                        || (!scan.clean && !self.is_torn_tail(sector, scan.end)?)
                }
            }
        }
        self.next_seq = last_seq.map_or(Some(0), |s| s.checked_add(1));
        // A sealed sector that lost a whole record cannot say which kind
        // it was: nothing in it is trusted, rather than an older value.
        let damaged = current.is_some_and(|(_, scan, _)| scan.damaged);
        self.corrupt = damaged || (corrupt && current.is_none());
        self.index = match current {
            Some((_, _, index)) if !damaged => index,
            _ => [None; MAX_KINDS],
        };
        self.head = current.map(|(sector, scan, _)| Head {
            sector,
            offset: scan.end,
            appendable: !scan.degraded,
        });
        Ok(())
    }

    /// Walks the valid records of `sector` from its start, stepping over
    /// unreadable ones [`ALIGN`] bytes at a time; `visit` gets each record,
    /// its address and whether it is the twin of the record before.
    fn scan(
        &mut self,
        sector: usize,
        mut visit: impl FnMut(Header, usize, bool),
    ) -> Result<SectorScan, Error<F::Error>> {
        let base = sector * self.sector_size;
        let mut scan = SectorScan::default();
        // In unreadable bytes: erased flash no longer means the end.
        let mut bad = false;
        // The last valid record, and whether its twin followed.
        let mut prev: Option<(Header, bool)> = None;
        let mut offset = 0;
        while offset + ALIGN <= self.sector_size {
            let at = base + offset;
            let first = self.buf.get_mut(..ALIGN).ok_or(Error::BadRegion)?;
            read(&mut self.flash, self.start, at, first)?;
            if !bad && first.iter().all(|&b| b == 0xFF) {
                break;
            }
            let len = first.get(4..6).map_or(usize::MAX, |b| {
                usize::from(u16::from_le_bytes([
                    b.first().copied().unwrap_or(0xFF),
                    b.last().copied().unwrap_or(0xFF),
                ]))
            });
            let size = round_up(HEADER.saturating_add(len));
            let mut header = None;
            if len <= MAX_VALUE_LEN && offset + size <= self.sector_size {
                let rest = self.buf.get_mut(ALIGN..size).ok_or(Error::BadRegion)?;
                read(&mut self.flash, self.start, at + ALIGN, rest)?;
                header = parse(self.buf.get(..size).ok_or(Error::BadRegion)?);
            }
            let Some(header) = header else {
                bad = true;
                offset += ALIGN;
                continue;
            };
            scan.mid_bad |= bad;
            bad = false;
            // Both copies of a record share its sequence number, and each
            // record takes the next one: a gap is a lost record.
            let twin = prev.is_some_and(|(p, paired)| p == header && !paired);
            if let Some((p, paired)) = prev.filter(|_| !twin) {
                scan.degraded |= !paired;
                scan.damaged |= p.seq.checked_add(1) != Some(header.seq);
            }
            prev = Some((header, twin));
            if header.tag == TAG_COMMIT {
                scan.commit = Some(header.seq);
            }
            scan.last_seq = scan.last_seq.max(Some(header.seq));
            visit(header, at, twin);
            offset += size;
            scan.end = offset;
        }
        scan.clean = !bad;
        scan.degraded |= bad || scan.mid_bad || prev.is_some_and(|(_, paired)| !paired);
        Ok(scan)
    }

    /// Does the sector end, from `end`, look like one torn record (a prefix
    /// of a record, then erased flash)? Then it is an interrupted sector
    /// change, not corruption.
    fn is_torn_tail(&mut self, sector: usize, end: usize) -> Result<bool, Error<F::Error>> {
        let base = sector * self.sector_size;
        let first = self.buf.get_mut(..ALIGN).ok_or(Error::BadRegion)?;
        read(&mut self.flash, self.start, base + end, first)?;
        // Lengths fit in 10 bits, so a longer one means the write stopped
        // before the length (or a bit flipped in erased flash): the record
        // is torn in its first chunk.
        let len = match (first.get(4).copied(), first.get(5).copied()) {
            (Some(low), Some(high)) => usize::from(u16::from_le_bytes([low, high])),
            _ => usize::MAX,
        };
        let limit = if len > MAX_VALUE_LEN {
            ALIGN
        } else {
            round_up(HEADER + len)
        };
        if end + limit > self.sector_size {
            return Ok(false);
        }
        let mut offset = end + limit;
        while offset < self.sector_size {
            let chunk = self.buf.get_mut(..ALIGN).ok_or(Error::BadRegion)?;
            read(&mut self.flash, self.start, base + offset, chunk)?;
            if chunk.iter().any(|&b| b != 0xFF) {
                return Ok(false);
            }
            offset += ALIGN;
        }
        Ok(true)
    }

    /// Reads the record in `slot` into `buf[..size]`, checking it again;
    /// its twin when the first copy no longer reads.
    fn read_record(&mut self, slot: Slot) -> Result<usize, Error<F::Error>> {
        let size = round_up(HEADER + slot.len);
        for copy in 0..=usize::from(slot.paired) {
            let record = self.buf.get_mut(..size).ok_or(Error::Corrupt)?;
            read(&mut self.flash, self.start, slot.at + copy * size, record)?;
            if parse(record).is_some_and(|header| header.len == slot.len) {
                return Ok(size);
            }
        }
        Err(Error::Corrupt)
    }

    /// Seals `buf[..HEADER + len]` with the next sequence number, pads it
    /// and writes it twice at the head, which must have room and be erased.
    fn append(&mut self, kind: Kind, tag: u8, len: usize) -> Result<Slot, Error<F::Error>> {
        let head = self.head.ok_or(Error::Corrupt)?;
        let size = round_up(HEADER + len);
        let seq = self.next_seq.ok_or(Error::Corrupt)?;
        seal(&mut self.buf, seq, kind, tag, len);
        if let Some(padding) = self.buf.get_mut(HEADER + len..size) {
            padding.fill(0xFF);
        }
        let at = head.sector * self.sector_size + head.offset;
        // Whatever happens next, these slots are used: never program twice.
        self.head = Some(Head {
            offset: head.offset + 2 * size,
            ..head
        });
        self.next_seq = seq.checked_add(1);
        let record = self.buf.get(..size).ok_or(Error::TooLarge)?;
        for copy in [at, at + size] {
            let offset = self.start + u32::try_from(copy).map_err(|_| Error::BadRegion)?;
            if let Err(e) = self.flash.write(offset, record) {
                // Maybe torn: nothing may follow it in this sector.
                if let Some(head) = &mut self.head {
                    head.appendable = false;
                }
                return Err(Error::Device(e));
            }
        }
        Ok(Slot {
            at,
            len,
            paired: true,
        })
    }

    /// Can both copies of a record of `size` bytes go at the head without
    /// a sector change?
    fn head_has_room(&mut self, size: usize) -> Result<bool, Error<F::Error>> {
        let Some(head) = self.head else {
            return Ok(false);
        };
        if !head.appendable || head.offset + 2 * size > self.sector_size {
            return Ok(false);
        }
        let at = head.sector * self.sector_size + head.offset;
        let mut erased = true;
        for copy in [at, at + size] {
            let target = self.buf.get_mut(..size).ok_or(Error::TooLarge)?;
            read(&mut self.flash, self.start, copy, target)?;
            erased &= target.iter().all(|&b| b == 0xFF);
        }
        if !erased {
            self.head = Some(Head {
                appendable: false,
                ..head
            });
        }
        Ok(erased)
    }

    /// Moves to the next sector: erase it, copy the latest value of every
    /// kind but `kind`, write `value` for `kind`, then seal the sector.
    fn change_sector(&mut self, kind: Kind, value: &[u8]) -> Result<(), Error<F::Error>> {
        let kind_slot = kind_index(kind)?;
        let needed = self
            .index
            .iter()
            .enumerate()
            .filter(|&(k, _)| k != kind_slot)
            .filter_map(|(_, slot)| slot.map(|s| round_up(HEADER + s.len)))
            .sum::<usize>()
            + round_up(HEADER + value.len())
            + round_up(HEADER);
        // Every record is written twice.
        let needed = 2 * needed;
        if needed > self.sector_size {
            return Err(Error::Full);
        }
        let target = self.head.map_or(0, |h| (h.sector + 1) % self.sectors);
        let from =
            self.start + u32::try_from(target * self.sector_size).map_err(|_| Error::BadRegion)?;
        let to = from + u32::try_from(self.sector_size).map_err(|_| Error::BadRegion)?;
        // Until the commit record is written, the old head stays current.
        let old = (self.head, self.index);
        self.flash.erase(from, to).map_err(Error::Device)?;
        self.head = Some(Head {
            sector: target,
            offset: 0,
            appendable: true,
        });
        let result = self.fill_new_sector(kind_slot, kind, value, old.1);
        if result.is_err() {
            // Not sealed: the old sector is still the valid one.
            (self.head, self.index) = old;
            if let Some(head) = &mut self.head {
                head.appendable = false;
            }
        }
        result
    }

    fn fill_new_sector(
        &mut self,
        kind_slot: usize,
        kind: Kind,
        value: &[u8],
        old_index: [Option<Slot>; MAX_KINDS],
    ) -> Result<(), Error<F::Error>> {
        let mut index = [None; MAX_KINDS];
        for (k, (old, new)) in old_index.iter().zip(index.iter_mut()).enumerate() {
            let Some(slot) = old.filter(|_| k != kind_slot) else {
                continue;
            };
            self.read_record(slot)?;
            let kind = Kind::try_from(k).map_err(|_| Error::InvalidKind(Kind::MAX))?;
            *new = Some(self.append(kind, TAG_VALUE, slot.len)?);
        }
        self.buf_value(value)?;
        let slot = self.append(kind, TAG_VALUE, value.len())?;
        if let Some(new) = index.get_mut(kind_slot) {
            *new = Some(slot);
        }
        self.append(0, TAG_COMMIT, 0)?;
        self.index = index;
        Ok(())
    }

    /// Puts `value` into the record buffer, after the header.
    fn buf_value(&mut self, value: &[u8]) -> Result<(), Error<F::Error>> {
        self.buf
            .get_mut(HEADER..HEADER + value.len())
            .ok_or(Error::TooLarge)?
            .copy_from_slice(value);
        Ok(())
    }
}

/// Reads at region offset `at`.
fn read<F: NorFlash>(
    flash: &mut F,
    start: u32,
    at: usize,
    buf: &mut [u8],
) -> Result<(), Error<F::Error>> {
    let offset = u32::try_from(at).map_err(|_| Error::BadRegion)?;
    flash.read(start + offset, buf).map_err(Error::Device)
}

impl<F: NorFlash> Store for NorFlashStore<F> {
    type Error = F::Error;

    fn read_bytes(&mut self, kind: Kind, buf: &mut [u8]) -> Result<Option<usize>, Error<F::Error>> {
        let k = kind_index(kind)?;
        if self.corrupt {
            return Err(Error::Corrupt);
        }
        let Some(slot) = self.index.get(k).copied().flatten() else {
            return Ok(None);
        };
        self.read_record(slot)?;
        let value = self
            .buf
            .get(HEADER..HEADER + slot.len)
            .ok_or(Error::Corrupt)?;
        buf.get_mut(..slot.len)
            .ok_or(Error::TooLarge)?
            .copy_from_slice(value);
        Ok(Some(slot.len))
    }

    fn write_bytes(&mut self, kind: Kind, bytes: &[u8]) -> Result<(), Error<F::Error>> {
        let k = kind_index(kind)?;
        if bytes.len() > MAX_VALUE_LEN {
            return Err(Error::TooLarge);
        }
        if self.head_has_room(round_up(HEADER + bytes.len()))? {
            self.buf_value(bytes)?;
            let slot = self.append(kind, TAG_VALUE, bytes.len())?;
            if let Some(entry) = self.index.get_mut(k) {
                *entry = Some(slot);
            }
            return Ok(());
        }
        self.change_sector(kind, bytes)?;
        self.corrupt = false;
        Ok(())
    }
}
