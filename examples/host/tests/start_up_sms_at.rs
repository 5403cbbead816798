#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! SMS at start-up through the whole device loop (engine, bridge and AT
//! driver) against the emulated modem (manual §17): a full SIM of old
//! messages does not delay a fresh command, and a message stored while the
//! modem was being set up runs only when a trusted clock shows it newer
//! than the start.

use chrono::{DateTime, FixedOffset, TimeDelta};
use isocket_device::{Bridge, Output};
use isocket_engine::{BoardInfo, Boot, BootReason, Stored};
use isocket_modem::profile::{self, Profile};
use isocket_modem::testing::{Dialect, ScriptedModem, deliver_pdus, dialect};
use isocket_proto::Timestamp;

const BOSS: &str = "+4915112345678";
const ASSIGNED: &str = "Your phone number has been assigned for all types of alerts and was added to security list which has been activated";

/// Moves bytes both ways and runs the device's timers at `now`; returns
/// the relay levels set (the boot sets it off first).
fn turn(device: &mut Bridge, modem: &mut ScriptedModem, now: u64) -> Vec<bool> {
    modem.advance_to(now);
    device.tick(now);
    let mut relay = Vec::new();
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
                Output::Relay(on) => relay.push(on),
                _ => {}
            }
        }
        if !busy {
            break;
        }
    }
    relay
}

/// Runs from `*now` to `end` in 100-ms turns; the relay switchings seen.
fn run_until(device: &mut Bridge, modem: &mut ScriptedModem, now: &mut u64, end: u64) -> Vec<bool> {
    let mut relay = Vec::new();
    while *now < end {
        *now += 100;
        relay.extend(turn(device, modem, *now));
    }
    relay
}

fn device(profile: &'static Profile, clock: Option<DateTime<FixedOffset>>) -> Bridge {
    let board = BoardInfo {
        product: "isocket test",
        serial: "T-1".try_into().unwrap(),
    };
    let boot = Boot {
        reason: BootReason::MainsRestored,
        clock: clock.map(Timestamp::from_datetime),
    };
    Bridge::new(board, Stored::default(), boot, profile, 0)
}

/// The wall time at the device's start.
fn start() -> DateTime<FixedOffset> {
    "2026-12-07T20:00:00+01:00".parse().unwrap()
}

#[test]
fn a_fresh_makemeboss_is_answered_within_40_s_with_a_sim_full_of_old_commands() {
    let mut modem = ScriptedModem::new(1);
    for n in 0..25 {
        // Old commands from 2011 that must never run.
        for part in deliver_pdus(&format!("+49171000{n:04}"), "ON", 0) {
            modem.store(&part);
        }
    }
    // SIM800 manual, AT+CMGL and AT+CMGD: up to 20 s and 25 s for a full
    // SIM (50 messages); a single read or delete is as slow a message.
    modem.storage_ms_per_message = 500;
    let mut device = device(&profile::SIM800, None);
    let mut now = 0;
    let mut relay = Vec::new();
    // Right after start-up: as soon as the modem announces new messages.
    while !modem.volatile.cnmi {
        let end = now + 100;
        relay.extend(run_until(&mut device, &mut modem, &mut now, end));
    }
    let sent_at = start() + TimeDelta::milliseconds(now as i64);
    modem.deliver_at(BOSS, "MAKEMEBOSS", sent_at);
    let arrived = now;
    let mut answered = None;
    while now < arrived + 40_000 && answered.is_none() {
        let end = now + 100;
        relay.extend(run_until(&mut device, &mut modem, &mut now, end));
        let sent = modem.take_sent();
        if sent.iter().any(|(to, text)| to == BOSS && text == ASSIGNED) {
            answered = Some(now - arrived);
        }
    }
    let took = answered.expect("MAKEMEBOSS answered within 40 s");
    assert!(took <= 40_000, "answered after {took} ms");
    // The old ones are deleted unexecuted, after it.
    relay.extend(run_until(&mut device, &mut modem, &mut now, 300_000));
    assert!(modem.sim.is_empty(), "{} left on the SIM", modem.sim.len());
    assert!(!relay.contains(&true), "an old ON ran: {relay:?}");
    assert!(modem.take_sent().is_empty(), "no old command answered");
}

/// A modem powered up with the board, and `ON` from the owner's phone
/// stored during its start-up, sent `sent_after_start_s` after the start:
/// a 27.007 modem announces nothing before `AT+CNMI` (27.005 §3.4.1,
/// `<mt>` 0 at power-on), so the init's list finds it. Returns the relay
/// switchings and whether the SIM was emptied.
fn command_stored_during_start_up(
    family: &'static Dialect,
    profile: &'static Profile,
    kept_clock: Option<DateTime<FixedOffset>>,
    sent_after_start_s: i64,
) -> (Vec<bool>, bool) {
    let mut modem = ScriptedModem::with_dialect(family, 1);
    modem.power_pin(true);
    let mut device = device(profile, kept_clock);
    let sent_at = start() + TimeDelta::seconds(sent_after_start_s);
    assert_ne!(modem.deliver_at(BOSS, "ON", sent_at), 0);
    assert!(!modem.volatile.cnmi);
    let mut now = 0;
    let relay = run_until(&mut device, &mut modem, &mut now, 120_000);
    (relay, modem.sim.is_empty())
}

#[test]
fn a_command_stored_during_start_up_runs_when_the_kept_clock_shows_it_fresh() {
    for (family, profile) in [
        (&dialect::GENERIC, &profile::GENERIC),
        (&dialect::SIM800, &profile::SIM800),
    ] {
        let (relay, emptied) = command_stored_during_start_up(family, profile, Some(start()), 2);
        assert!(relay.contains(&true), "{}: {relay:?}", family.name);
        assert!(emptied, "{}", family.name);
    }
}

#[test]
fn without_a_trusted_clock_a_command_stored_during_start_up_never_runs() {
    for (family, profile) in [
        (&dialect::GENERIC, &profile::GENERIC),
        (&dialect::SIM800, &profile::SIM800),
    ] {
        let (relay, emptied) = command_stored_during_start_up(family, profile, None, 2);
        assert!(!relay.contains(&true), "{}: {relay:?}", family.name);
        assert!(emptied, "{}: deleted unexecuted", family.name);
    }
}

#[test]
fn an_on_sent_during_the_power_cut_never_runs_after_it() {
    for (family, profile) in [
        (&dialect::GENERIC, &profile::GENERIC),
        (&dialect::SIM800, &profile::SIM800),
    ] {
        let (relay, emptied) = command_stored_during_start_up(family, profile, Some(start()), -600);
        assert!(!relay.contains(&true), "{}: {relay:?}", family.name);
        assert!(emptied, "{}: deleted unexecuted", family.name);
    }
}
