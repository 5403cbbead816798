#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Power cuts: for 1,000 seeded random save sequences, cut the power at every
//! step (byte programmed, half-sector erased) of every save. After each cut,
//! a fresh boot must load, for every kind, the value committed before the
//! interrupted save, or for its kind the new value; never anything else and
//! never an error. Then the store must take new saves.

use isocket_storage::ram_flash::RamFlashError;
use isocket_storage::{Error, NorFlashStore, RamFlash, Store};

// Small sectors and values, so that most sequences change sectors more than
// once (the live set, two copies of 3 × 32 bytes and of the commit, fits
// in 256 bytes).
const SECTOR: usize = 256;
const KINDS: u8 = 3;
const SAVES: usize = 6;
const MAX_LEN: usize = 12;

/// xorshift64*: reproducible without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

type Model = [Option<Vec<u8>>; KINDS as usize];

fn open<const SIZE: usize>(flash: RamFlash<SIZE, SECTOR>) -> NorFlashStore<RamFlash<SIZE, SECTOR>> {
    NorFlashStore::open(flash, 0..SIZE as u32).expect("open after a cut")
}

/// Every kind loads as the model says, except `changed`, which may also
/// hold `new`.
fn check<const SIZE: usize>(
    store: &mut NorFlashStore<RamFlash<SIZE, SECTOR>>,
    model: &Model,
    changed: Option<(u8, &[u8])>,
    context: impl Fn() -> String,
) {
    for kind in 0..KINDS {
        let mut buf = [0; 64];
        let got = match store.read_bytes(kind, &mut buf) {
            Ok(len) => len.map(|len| buf[..len].to_vec()),
            Err(e) => panic!("{}: kind {kind}: {e:?}", context()),
        };
        let old = &model[usize::from(kind)];
        let new_ok = changed.is_some_and(|(k, new)| k == kind && got.as_deref() == Some(new));
        assert!(
            got == *old || new_ok,
            "{}: kind {kind}: got {got:?}, had {old:?}",
            context()
        );
    }
}

/// Runs one sequence; returns how many sectors it erased.
fn run_sequence<const SIZE: usize>(seed: u64) -> u32 {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut flash = RamFlash::<SIZE, SECTOR>::new();
    let mut model: Model = Default::default();
    for save in 0..SAVES {
        let kind = rng.below(usize::from(KINDS)) as u8;
        let value: Vec<u8> = (0..rng.below(MAX_LEN + 1))
            .map(|_| rng.next() as u8)
            .collect();
        let context = |cut| move || format!("seed {seed}, save {save}, cut after {cut}");

        // The save without a cut: how many steps it takes.
        let booted = open(flash);
        let mut whole = booted.clone();
        let before = whole.flash().steps();
        whole.write_bytes(kind, &value).unwrap();
        let steps = (whole.flash().steps() - before) as usize;

        for cut in 0..steps {
            let mut store = booted.clone();
            store.flash_mut().cut_power_after(cut);
            let result = store.write_bytes(kind, &value);
            assert_eq!(
                result,
                Err(Error::Device(RamFlashError::PowerCut)),
                "{}",
                context(cut)()
            );
            let mut cut_flash = store.into_inner();
            cut_flash.restore_power();
            let mut store = open(cut_flash);
            check(&mut store, &model, Some((kind, &value)), context(cut));
            // The store still works: a new save lands, the rest is intact.
            // (Every third cut, to keep the test fast in debug builds.)
            if cut % 3 != 0 {
                continue;
            }
            let mut after = model.clone();
            let mut current = [0; 64];
            if let Some(len) = store.read_bytes(kind, &mut current).unwrap() {
                after[usize::from(kind)] = Some(current[..len].to_vec());
            } else {
                after[usize::from(kind)] = None;
            }
            let other = (kind + 1) % KINDS;
            store.write_bytes(other, b"after").unwrap();
            after[usize::from(other)] = Some(b"after".to_vec());
            let mut store = open(store.into_inner());
            check(&mut store, &after, None, || {
                format!("{} then a new save", context(cut)())
            });
        }

        flash = whole.into_inner();
        model[usize::from(kind)] = Some(value);
        check(&mut open(flash.clone()), &model, None, context(steps));
    }
    flash.counters().erases
}

#[test]
fn power_cut_at_every_step_two_sectors_seeds_0_to_499() {
    let erases: u32 = (0..500).map(run_sequence::<{ 2 * SECTOR }>).sum();
    // Formatting takes one erase; the rest are sector changes under test.
    assert!(erases >= 2 * 500, "only {erases} erases");
}

#[test]
fn power_cut_at_every_step_three_sectors_seeds_500_to_999() {
    let erases: u32 = (500..1000).map(run_sequence::<{ 3 * SECTOR }>).sum();
    assert!(erases >= 2 * 500, "only {erases} erases");
}
