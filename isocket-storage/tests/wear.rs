#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Wear budget (manual §13): one relay-state save a minute for ten years on
//! two 4 KiB sectors stays under 100,000 erase cycles per sector. The
//! figure is measured here and computed in the `nor` module docs.

use isocket_storage::{NorFlashStore, RamFlash, RelayBaseState, Store, kinds};

const TEN_YEARS_OF_MINUTES: u64 = 10 * 36525 * 24 * 60 / 100;
const ENDURANCE: u64 = 100_000;

#[test]
fn a_relay_save_a_minute_for_ten_years_fits_the_endurance() {
    assert_eq!(TEN_YEARS_OF_MINUTES, 5_259_600);
    let mut store = NorFlashStore::open(RamFlash::<8192>::new(), 0..8192).unwrap();
    // Worst case: settings at the largest value, a full alarm log.
    store.write_bytes(kinds::SETTINGS, &[0x55; 512]).unwrap();
    store.write_bytes(kinds::ALARM_LOG, &[0xAA; 84]).unwrap();

    // Warm up past the first sector change, then measure.
    let mut on = false;
    while store.flash().counters().erases < 3 {
        on = !on;
        store.save(&RelayBaseState { on }).unwrap();
    }
    let erases_before = store.flash().counters().erases;
    let saves = 22_000;
    for _ in 0..saves {
        on = !on;
        store.save(&RelayBaseState { on }).unwrap();
    }
    let erases = u64::from(store.flash().counters().erases - erases_before);
    // Every record is written twice: 87 appends (32 bytes) fill what the
    // copied records leave, the 88th changes sector.
    assert_eq!(erases, saves / 88);

    let per_sector = (TEN_YEARS_OF_MINUTES * erases).div_ceil(saves * 2);
    assert_eq!(per_sector, 29_885);
    assert!(per_sector < ENDURANCE);
    // Both sectors share the wear.
    let (a, b) = (
        store.flash().sector_erases(0).unwrap(),
        store.flash().sector_erases(1).unwrap(),
    );
    assert!(a.abs_diff(b) <= 1, "{a} vs {b}");
    assert_eq!(store.load(), Ok(Some(RelayBaseState { on })));
}
