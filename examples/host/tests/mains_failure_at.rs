#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! A mains failure through the whole device loop and the AT driver, against
//! an emulated modem whose network takes 40 s to accept an SMS: the device
//! cuts its battery only once the modem has confirmed the failure SMS
//! (`+CMGS`), not after a fixed grace.

use isocket_device::{Bridge, Output};
use isocket_engine::{BoardInfo, Boot, Stored};
use isocket_modem::profile;
use isocket_modem::testing::ScriptedModem;

/// Moves bytes both ways and runs the device's timers at `now`; returns
/// whether the device asked to shut down.
fn turn(device: &mut Bridge, modem: &mut ScriptedModem, now: u64) -> bool {
    modem.advance_to(now);
    device.tick(now);
    let mut shutdown = false;
    for _ in 0..1_000 {
        let mut busy = false;
        while let Some(tx) = device.modem_tx(now) {
            let tx = tx.to_vec();
            modem.write(&tx);
            busy = true;
        }
        let rx = modem.read();
        if !rx.is_empty() {
            device.modem_rx(now, &rx);
            busy = true;
        }
        while let Some(output) = device.poll_output() {
            busy = true;
            match output {
                Output::Save(record) => device.saved(now, record, true),
                Output::Shutdown => shutdown = true,
                _ => {}
            }
        }
        if !busy {
            break;
        }
    }
    shutdown
}

/// Runs from `*now` to `end` in 100-ms turns; returns when the device first
/// asked to shut down, if it did.
fn run_until(
    device: &mut Bridge,
    modem: &mut ScriptedModem,
    now: &mut u64,
    end: u64,
) -> Option<u64> {
    let mut shutdown_at = None;
    while *now < end {
        *now += 100;
        if turn(device, modem, *now) && shutdown_at.is_none() {
            shutdown_at = Some(*now);
        }
    }
    shutdown_at
}

#[test]
fn the_battery_is_cut_only_after_the_network_took_the_failure_sms() {
    let board = BoardInfo {
        product: "isocket test",
        serial: "T-1".try_into().unwrap(),
    };
    let mut modem = ScriptedModem::new(1);
    let mut device = Bridge::new(
        board,
        Stored::default(),
        Boot::default(),
        &profile::SIM800,
        0,
    );
    let mut now = 0;
    run_until(&mut device, &mut modem, &mut now, 3_000);
    modem.deliver_at(
        "+4915112345678",
        "ALERTME",
        chrono::DateTime::UNIX_EPOCH.into(),
    );
    run_until(&mut device, &mut modem, &mut now, 10_000);
    assert_eq!(modem.take_sent().len(), 1, "the ALERTME reply");

    modem.send_delay_ms = 40_000;
    device.mains(now, false);
    let lost_at = now;
    let shutdown = run_until(&mut device, &mut modem, &mut now, lost_at + 120_000);
    let sent = modem.take_sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].1.starts_with("Power failure!"), "{sent:?}");
    let shutdown = shutdown.expect("shut down");
    assert!(
        shutdown >= lost_at + 40_000,
        "not before the network took it: {} ms",
        shutdown - lost_at
    );
    assert!(
        shutdown <= lost_at + 42_000,
        "right after: {} ms",
        shutdown - lost_at
    );
}
