#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Loading at boot: blank flash, garbage, a golden image from today's
//! format, and valid data next to garbage.

use isocket_storage::{Error, NorFlashStore, RamFlash, Record, RelayBaseState, Store, kinds};
use serde::{Deserialize, Serialize};

type Flash = RamFlash<512, 256>;

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct AlarmLog {
    /// Seconds since 2000, oldest first.
    entries: heapless::Vec<u32, 10>,
}

impl Record for AlarmLog {
    const KIND: u8 = kinds::ALARM_LOG;
}

fn alarm_log() -> AlarmLog {
    AlarmLog {
        entries: heapless::Vec::from_slice(&[851_000_000, 851_003_600]).unwrap(),
    }
}

/// Sector 0 after saving `RelayBaseState { on: true }`, then `alarm_log()`,
/// on blank flash, in format version 1, by the first layout, which wrote
/// each record once. Committed: it must load forever.
// (CRCs and varints cross-checked with Python's zlib.crc32 and a LEB128 encoder.)
const GOLDEN_SECTOR_0: &[u8] = &[
    // seq 0, len 2, kind 1, value, CRC-32 A7513044: version 1, true
    0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0xA5, 0x44, 0x30, 0x51, 0xA7, 0x01, 0x01, 0xFF, 0xFF,
    // seq 1, commit, CRC-32 2236671D
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x5A, 0x1D, 0x67, 0x36, 0x22, 0xFF, 0xFF, 0xFF, 0xFF,
    // seq 2, len 12, kind 2, CRC-32 609A9ED7: version 1, 2 entries, varint 851000000, 851003600
    0x02, 0x00, 0x00, 0x00, 0x0C, 0x00, 0x02, 0xA5, 0xD7, 0x9E, 0x9A, 0x60, 0x01, 0x02, 0xC0, 0xF5,
    0xE4, 0x95, 0x03, 0xD0, 0x91, 0xE5, 0x95, 0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
];

fn open(flash: Flash) -> NorFlashStore<Flash> {
    NorFlashStore::open(flash, 0..512).unwrap()
}

#[test]
fn blank_flash_loads_nothing() {
    let mut store = open(Flash::new());
    assert_eq!(store.load::<RelayBaseState>(), Ok(None));
    assert_eq!(
        store.load_or_default::<RelayBaseState>(),
        Ok(RelayBaseState { on: false })
    );
}

/// Today's layout: the same records, each written twice in a row.
fn golden_twice() -> Vec<u8> {
    let records = [0..16, 16..32, 32..64];
    records
        .iter()
        .flat_map(|r| [&GOLDEN_SECTOR_0[r.clone()], &GOLDEN_SECTOR_0[r.clone()]])
        .flatten()
        .copied()
        .collect()
}

#[test]
fn todays_bytes_are_the_golden_records_twice() {
    let mut store = open(Flash::new());
    store.save(&RelayBaseState { on: true }).unwrap();
    store.save(&alarm_log()).unwrap();
    let flash = store.into_inner();
    let golden = golden_twice();
    assert_eq!(&flash.as_bytes()[..golden.len()], golden);
    assert!(flash.as_bytes()[golden.len()..].iter().all(|&b| b == 0xFF));
}

#[test]
fn any_flipped_bit_of_todays_image_loads_the_same() {
    let golden = golden_twice();
    for bit in 0..512 * 8 {
        let mut image = golden.clone();
        image.resize(512, 0xFF);
        image[bit / 8] ^= 1 << (bit % 8);
        let mut store = open(Flash::from_image(&image));
        assert_eq!(
            store.load(),
            Ok(Some(RelayBaseState { on: true })),
            "bit {bit}"
        );
        assert_eq!(store.load(), Ok(Some(alarm_log())), "bit {bit}");
        // And a new save heals and lands.
        store.save(&RelayBaseState { on: false }).unwrap();
        let mut store = open(store.into_inner());
        assert_eq!(
            store.load(),
            Ok(Some(RelayBaseState { on: false })),
            "bit {bit}"
        );
        assert_eq!(store.load(), Ok(Some(alarm_log())), "bit {bit}");
    }
}

#[test]
fn the_golden_image_keeps_loading() {
    let mut store = open(Flash::from_image(GOLDEN_SECTOR_0));
    assert_eq!(store.load(), Ok(Some(RelayBaseState { on: true })));
    assert_eq!(store.load(), Ok(Some(alarm_log())));
    // And takes new saves on top.
    store.save(&RelayBaseState { on: false }).unwrap();
    let mut store = open(store.into_inner());
    assert_eq!(store.load(), Ok(Some(RelayBaseState { on: false })));
    assert_eq!(store.load(), Ok(Some(alarm_log())));
}

#[test]
fn garbage_is_corrupt_and_a_save_recovers() {
    let garbage: Vec<u8> = (0..512u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let mut store = open(Flash::from_image(&garbage));
    assert_eq!(store.load::<RelayBaseState>(), Err(Error::Corrupt));
    store.save(&RelayBaseState { on: true }).unwrap();
    let mut store = open(store.into_inner());
    assert_eq!(store.load(), Ok(Some(RelayBaseState { on: true })));
}

#[test]
fn valid_data_beside_garbage_loads() {
    let mut image = GOLDEN_SECTOR_0.to_vec();
    image.resize(256, 0xFF);
    image.extend((0..256u32).map(|i| (i * 7) as u8));
    let mut store = open(Flash::from_image(&image));
    assert_eq!(store.load(), Ok(Some(RelayBaseState { on: true })));
}

#[test]
fn a_flipped_bit_in_the_last_single_copy_reads_as_a_torn_save() {
    // The first layout's single copies: a bit flipped in the alarm log
    // value, the last record, looks like a save cut short by a power cut
    // (the value before it: none). The earlier relay record is fine.
    let mut image = GOLDEN_SECTOR_0.to_vec();
    image[0x2E] ^= 0x04;
    let mut store = open(Flash::from_image(&image));
    assert_eq!(store.load(), Ok(Some(RelayBaseState { on: true })));
    assert_eq!(store.load::<AlarmLog>(), Ok(None));
}

#[test]
fn bad_regions_are_refused() {
    let open = |range| NorFlashStore::open(Flash::new(), range).map(|_| ());
    assert_eq!(open(0..256), Err(Error::BadRegion)); // one sector
    assert_eq!(open(0..384), Err(Error::BadRegion)); // not whole sectors
    assert_eq!(open(256..1024), Err(Error::BadRegion)); // past the end
    assert_eq!(
        open(std::ops::Range { start: 512, end: 0 }),
        Err(Error::BadRegion)
    );
}

#[test]
fn oversized_values_and_kinds_are_refused() {
    let mut store = open(Flash::new());
    assert_eq!(store.write_bytes(16, &[1]), Err(Error::InvalidKind(16)));
    assert_eq!(store.write_bytes(0, &[0; 513]), Err(Error::TooLarge));
    // Two copies each of two 100-byte values and of the commit record
    // cannot share a 256-byte sector.
    store.write_bytes(0, &[0; 100]).unwrap();
    assert_eq!(store.write_bytes(1, &[0; 100]), Err(Error::Full));
    assert_eq!(store.read_bytes(0, &mut [0; 512]), Ok(Some(100)));
}
