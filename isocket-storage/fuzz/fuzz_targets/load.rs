#![no_main]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The loader against arbitrary flash images (two 1 KiB sectors): it never
//! panics; an image is either loaded, or blank (nothing saved), or a clear
//! `Error::Corrupt`; and the next save works without losing what loaded.

use isocket_storage::{Error, MAX_KINDS, NorFlashStore, RamFlash, RelayBaseState, Store};
use libfuzzer_sys::fuzz_target;

const SIZE: usize = 2048;
type Flash = RamFlash<SIZE, 1024>;

fn open(flash: Flash) -> NorFlashStore<Flash> {
    NorFlashStore::open(flash, 0..SIZE as u32).expect("a valid region always opens")
}

fuzz_target!(|image: &[u8]| {
    let mut store = open(Flash::from_image(image));
    let blank = image.iter().all(|&b| b == 0xFF);
    let mut loaded: [Option<Vec<u8>>; MAX_KINDS] = Default::default();
    let mut corrupt = false;
    for kind in 0..MAX_KINDS as u8 {
        let mut buf = [0; 512];
        match store.read_bytes(kind, &mut buf) {
            Ok(len) => loaded[usize::from(kind)] = len.map(|len| buf[..len].to_vec()),
            Err(Error::Corrupt) => corrupt = true,
            Err(e) => panic!("kind {kind}: {e:?}"),
        }
    }
    if blank {
        assert!(
            !corrupt && loaded.iter().all(Option::is_none),
            "blank flash is empty"
        );
    }
    // Typed loads never panic, whatever the bytes.
    let _ = store.load::<RelayBaseState>();

    // A save lands, and nothing that loaded is lost.
    match store.save(&RelayBaseState { on: true }) {
        Ok(()) => {}
        // A crafted image can fill a sector with valid records, or use up
        // the sequence numbers: refused, not lost.
        Err(Error::Full | Error::Corrupt) => return,
        Err(e) => panic!("save: {e:?}"),
    }
    let mut store = open(store.into_inner());
    assert_eq!(store.load(), Ok(Some(RelayBaseState { on: true })));
    for (kind, before) in loaded.iter().enumerate() {
        if kind == usize::from(isocket_storage::kinds::RELAY_BASE_STATE) || before.is_none() {
            continue;
        }
        let mut buf = [0; 512];
        let len = store.read_bytes(kind as u8, &mut buf).unwrap();
        assert_eq!(
            len.map(|len| buf[..len].to_vec()),
            *before,
            "kind {kind} lost"
        );
    }
});
