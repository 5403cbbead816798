#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Bit rot: a store with a real history (hundreds of saves of settings,
//! relay state and alarm log, many sector changes) whose last save
//! completed. Flip every bit of the region, one at a time: a fresh boot
//! loads exactly the last saved value of every kind, and the next save
//! lands and keeps the rest.

use isocket_storage::{NorFlashStore, RamFlash, Store, kinds};

const SECTOR: usize = 1024;

/// xorshift64*: reproducible without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

type Model = [Option<Vec<u8>>; 3];

fn open<const SIZE: usize>(flash: RamFlash<SIZE, SECTOR>) -> NorFlashStore<RamFlash<SIZE, SECTOR>> {
    NorFlashStore::open(flash, 0..SIZE as u32).expect("opens")
}

fn check<const SIZE: usize>(
    store: &mut NorFlashStore<RamFlash<SIZE, SECTOR>>,
    model: &Model,
    context: &dyn Fn() -> String,
) {
    for (kind, want) in model.iter().enumerate() {
        let mut buf = [0; 512];
        let got = store
            .read_bytes(kind as u8, &mut buf)
            .unwrap_or_else(|e| panic!("{}: kind {kind}: {e:?}", context()));
        assert_eq!(
            got.map(|len| buf[..len].to_vec()).as_ref(),
            want.as_ref(),
            "{}: kind {kind}",
            context()
        );
    }
}

/// Flips every bit of `flash`, one at a time, and checks each boot.
fn every_bit<const SIZE: usize>(flash: &RamFlash<SIZE, SECTOR>, model: &Model, what: &str) {
    let image = flash.as_bytes();
    for bit in 0..SIZE * 8 {
        let mut flipped = image.to_vec();
        flipped[bit / 8] ^= 1 << (bit % 8);
        let context = || format!("{what}, bit {bit} (byte {:#x})", bit / 8);
        let mut store = open(RamFlash::<SIZE, SECTOR>::from_image(&flipped));
        check(&mut store, model, &context);
        // Every eighth bit, a save on top: it lands and keeps the rest.
        if bit % 8 == 0 {
            let mut after = model.clone();
            store.write_bytes(kinds::RELAY_BASE_STATE, &[1, 1]).unwrap();
            after[1] = Some(vec![1, 1]);
            let mut store = open(store.into_inner());
            check(&mut store, &after, &|| format!("{} then a save", context()));
        }
    }
}

/// Saves a history of `saves` values and flips every bit at a few points
/// of it (after the first save, after sector changes, at the end).
fn history<const SIZE: usize>(seed: u64, saves: usize, checkpoints: &[usize]) {
    let mut rng = Rng(seed);
    let mut store = open(RamFlash::<SIZE, SECTOR>::new());
    let mut model: Model = Default::default();
    let mut erases = 0;
    for save in 1..=saves {
        // Mostly relay changes, sometimes settings (of varying length, the
        // longest near isocket's full settings) or the alarm log.
        let (pick, len) = (rng.next() % 8, rng.next() as usize);
        let (kind, value) = match pick {
            0 => (kinds::SETTINGS, rng.bytes(120 + len % 180)),
            1 => (kinds::ALARM_LOG, rng.bytes(2 + len % 60)),
            _ => (kinds::RELAY_BASE_STATE, vec![1, (rng.next() % 2) as u8]),
        };
        store.write_bytes(kind, &value).unwrap();
        model[usize::from(kind)] = Some(value);
        if checkpoints.contains(&save) {
            every_bit(
                store.flash(),
                &model,
                &format!("seed {seed}, after save {save}"),
            );
        }
        erases = store.flash().counters().erases;
    }
    assert!(erases >= 6, "only {erases} erases: too few sector changes");
}

#[test]
fn every_bit_flipped_on_two_sectors_loads_the_last_values() {
    history::<{ 2 * SECTOR }>(1, 120, &[2, 37, 120]);
}

#[test]
fn every_bit_flipped_on_three_sectors_loads_the_last_values() {
    history::<{ 3 * SECTOR }>(2, 90, &[61, 90]);
}

#[test]
fn a_copy_that_rots_while_running_is_read_from_its_twin() {
    let mut store = open(RamFlash::<{ 2 * SECTOR }, SECTOR>::new());
    let settings = vec![0x5A; 200];
    store.write_bytes(kinds::SETTINGS, &settings).unwrap();
    store.write_bytes(kinds::RELAY_BASE_STATE, &[1, 1]).unwrap();
    // The first copy of the settings: the sector's first record (the
    // first save formats sector 0 and writes the settings first).
    let at = (0..SECTOR)
        .step_by(16)
        .find(|&at| store.flash().as_bytes()[at + 6] == kinds::SETTINGS)
        .unwrap();
    store.flash_mut().flip_bit((at + 20) * 8);
    let mut buf = [0; 512];
    let len = store.read_bytes(kinds::SETTINGS, &mut buf).unwrap();
    assert_eq!(len.map(|len| buf[..len].to_vec()), Some(settings.clone()));
    // A sector change copies the settings from the good copy.
    let erases = store.flash().counters().erases;
    while store.flash().counters().erases == erases {
        store.write_bytes(kinds::RELAY_BASE_STATE, &[1, 0]).unwrap();
    }
    let mut store = open(store.into_inner());
    let len = store.read_bytes(kinds::SETTINGS, &mut buf).unwrap();
    assert_eq!(len.map(|len| buf[..len].to_vec()), Some(settings));
}
