#![no_main]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Bit rot on a store the store wrote itself (two 1 KiB sectors): the
//! input is a bit position (4 bytes) and a history of saves (kind, length,
//! value bytes). After the history, one flipped bit anywhere must load
//! exactly the last saved values, and the next save must land.

use isocket_storage::{NorFlashStore, RamFlash, Store};
use libfuzzer_sys::fuzz_target;

const SIZE: usize = 2048;
type Flash = RamFlash<SIZE, 1024>;
const KINDS: usize = 3;

fn open(flash: Flash) -> NorFlashStore<Flash> {
    NorFlashStore::open(flash, 0..SIZE as u32).expect("a valid region always opens")
}

fn check(store: &mut NorFlashStore<Flash>, model: &[Option<Vec<u8>>; KINDS], bit: usize) {
    for (kind, want) in model.iter().enumerate() {
        let mut buf = [0; 512];
        let got = store.read_bytes(kind as u8, &mut buf);
        let got = got.map(|len| len.map(|len| buf[..len].to_vec()));
        assert_eq!(got.as_ref(), Ok(want), "bit {bit}, kind {kind}");
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((bit, mut ops)) = input.split_first_chunk::<4>() else {
        return;
    };
    let bit = u32::from_le_bytes(*bit) as usize % (SIZE * 8);
    let mut store = open(Flash::new());
    let mut model: [Option<Vec<u8>>; KINDS] = Default::default();
    while let [kind, len, rest @ ..] = ops {
        let len = usize::from(*len).min(rest.len());
        let (value, rest) = rest.split_at(len);
        let kind = usize::from(*kind) % KINDS;
        // Refused (too large for the sector with the rest): nothing changed.
        if store.write_bytes(kind as u8, value).is_ok() {
            model[kind] = Some(value.to_vec());
        }
        ops = rest;
    }
    let mut image = store.into_inner().as_bytes().to_vec();
    image[bit / 8] ^= 1 << (bit % 8);
    let mut store = open(Flash::from_image(&image));
    check(&mut store, &model, bit);
    if store.write_bytes(1, b"after").is_ok() {
        model[1] = Some(b"after".to_vec());
    }
    let mut store = open(store.into_inner());
    check(&mut store, &model, bit);
});
