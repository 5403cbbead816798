#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! isocket-storage: the cost of a save and of a boot-time load on a
//! NorFlashStore over two 4 KiB sectors of RAM flash, in time and in flash
//! operations (printed once: reads, bytes read, writes, bytes written, erases).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use isocket_storage::{NorFlashStore, RamFlash, RelayBaseState, Store, kinds};

type Flash = RamFlash<8192>;

/// Settings (300 bytes), an alarm log and the relay state, as on a device.
fn device_store() -> NorFlashStore<Flash> {
    let mut store = NorFlashStore::open(Flash::new(), 0..8192).unwrap();
    store.write_bytes(kinds::SETTINGS, &[0x55; 300]).unwrap();
    store.write_bytes(kinds::ALARM_LOG, &[0xAA; 84]).unwrap();
    store.save(&RelayBaseState { on: true }).unwrap();
    store
}

fn report(what: &str, store: &NorFlashStore<Flash>, times: u32) {
    let c = store.flash().counters();
    eprintln!(
        "{what}: per op {:.2} reads ({:.0} B), {:.2} writes ({:.0} B), {:.3} erases",
        f64::from(c.reads) / f64::from(times),
        f64::from(c.bytes_read) / f64::from(times),
        f64::from(c.writes) / f64::from(times),
        f64::from(c.bytes_written) / f64::from(times),
        f64::from(c.erases) / f64::from(times),
    );
}

fn storage(c: &mut Criterion) {
    // Flash operations, averaged over many saves (sector changes included).
    let mut store = device_store();
    store.flash_mut().reset_counters();
    let saves = 10_000;
    for i in 0..saves {
        store.save(&RelayBaseState { on: i % 2 == 0 }).unwrap();
    }
    report("relay save", &store, saves);
    let flash = store.into_inner();
    let mut booted = NorFlashStore::open(flash.clone(), 0..8192).unwrap();
    booted.flash_mut().reset_counters();
    booted.load::<RelayBaseState>().unwrap();
    report("relay load (after boot)", &booted, 1);
    let mut boot_flash = flash.clone();
    boot_flash.reset_counters();
    let booted = NorFlashStore::open(boot_flash, 0..8192).unwrap();
    report("boot scan (open)", &booted, 1);

    let mut store = device_store();
    let mut on = false;
    c.bench_function("storage/save_relay_state", |b| {
        b.iter(|| {
            on = !on;
            store.save(black_box(&RelayBaseState { on })).unwrap();
        })
    });
    c.bench_function("storage/open_and_load_relay_state", |b| {
        b.iter(|| {
            let mut store = NorFlashStore::open(black_box(flash.clone()), 0..8192).unwrap();
            store.load::<RelayBaseState>().unwrap()
        })
    });
}

criterion_group!(benches, storage);
criterion_main!(benches);
