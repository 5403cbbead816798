//! The locked boot (manual §8) on the boards' flash store, through AT: a
//! device whose settings have no readable copy left boots locked (no reply
//! to its owner, no call answered, the relay off, POWER and OUT `locked`),
//! an erased store boots factory-fresh, and the factory reset unlocks.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::Duration;

use isocket_engine::LedPattern;
use isocket_host::scenario::{Led, Step};
use isocket_host::sim::Simulator;

const BOSS: &str = "+4915112345678";
const STRANGER: &str = "+4930999999";

fn run(sim: &mut Simulator, step: Step) {
    sim.run(&step).unwrap_or_else(|e| panic!("{step:?}: {e}"));
}

fn sms(sim: &mut Simulator, from: &str, text: &str) {
    run(
        sim,
        Step::Sms {
            from: from.into(),
            text: text.into(),
        },
    );
}

fn expect_sms(sim: &mut Simulator, to: &str, line: &str) {
    run(
        sim,
        Step::ExpectSms {
            to: to.into(),
            lines: vec![line.into()],
            matching: false,
        },
    );
}

fn expect_leds(sim: &mut Simulator, power: LedPattern, out: LedPattern) {
    run(sim, Step::ExpectLed(Led::Power, power));
    run(sim, Step::ExpectLed(Led::Out, out));
}

/// Flips a bit in the value of every settings record in the image (kind 0,
/// tag `A5` at a 16-byte boundary: the layout of the `nor` module docs),
/// both copies of every save: no readable copy is left.
fn rot_every_settings_copy(image: &mut [u8]) -> usize {
    let mut hits = 0;
    for at in (0..image.len() - 16).step_by(16) {
        let len = usize::from(u16::from_le_bytes([image[at + 4], image[at + 5]]));
        if image[at + 6] == 0 && image[at + 7] == 0xA5 && (2..=512).contains(&len) {
            image[at + 13] ^= 0x10;
            hits += 1;
        }
    }
    hits
}

/// An owner with a password, the relay on, then a save of the relay after
/// the settings (so that the lost settings are not the log's last record).
fn configured() -> Simulator {
    let mut sim = Simulator::through_at_and_flash().unwrap();
    sms(&mut sim, BOSS, "MAKEMEBOSS");
    expect_sms(
        &mut sim,
        BOSS,
        "Your phone number has been assigned for all types of alerts and was added to security list which has been activated",
    );
    sms(&mut sim, BOSS, "PASSWORD=abcde");
    expect_sms(&mut sim, BOSS, "PASSWORD=***** - OK");
    sms(&mut sim, BOSS, "abcdeON");
    expect_sms(&mut sim, BOSS, "Power socket ON");
    run(&mut sim, Step::ExpectRelay(true));
    sim
}

#[test]
fn unreadable_settings_boot_locked_and_the_factory_reset_unlocks() {
    let mut sim = configured();
    let mut hits = 0;
    sim.edit_flash(|image| hits = rot_every_settings_copy(image))
        .unwrap();
    assert!(hits >= 4, "only {hits} settings records found");
    run(&mut sim, Step::Reboot);
    run(&mut sim, Step::Advance(Duration::from_secs(3)));
    run(&mut sim, Step::ExpectRelay(false));
    expect_leds(&mut sim, LedPattern::Locked, LedPattern::Locked);

    // Nobody is answered or obeyed: not the owner, not a stranger in what
    // would be the factory state's configuration window. (Calls: the
    // engine's tests/locked.rs; the emulated modem here rings until the
    // device ends the call, which a locked device never does.)
    sms(&mut sim, BOSS, "abcdeON");
    sms(&mut sim, BOSS, "abcdeSTATUS");
    sms(&mut sim, STRANGER, "MAKEMEBOSS");
    sms(&mut sim, STRANGER, "ON");
    run(&mut sim, Step::Advance(Duration::from_secs(60)));
    run(&mut sim, Step::ButtonPress);
    run(&mut sim, Step::Advance(Duration::from_secs(60)));
    run(&mut sim, Step::ExpectNoSms(None));
    run(&mut sim, Step::ExpectNoCall);
    run(&mut sim, Step::ExpectRelay(false));
    expect_leds(&mut sim, LedPattern::Locked, LedPattern::Locked);
    // Still locked after another reboot: nothing was saved over the rot.
    run(&mut sim, Step::Reboot);
    run(&mut sim, Step::Advance(Duration::from_secs(3)));
    expect_leds(&mut sim, LedPattern::Locked, LedPattern::Locked);

    // The factory reset: factory state, saved, unlocked after its reboot.
    run(&mut sim, Step::ButtonHold(Duration::from_secs(10)));
    run(&mut sim, Step::Advance(Duration::from_secs(3)));
    expect_leds(&mut sim, LedPattern::On, LedPattern::Off);
    sms(&mut sim, STRANGER, "PASSWORD?");
    expect_sms(&mut sim, STRANGER, "PASSWORD=NO");
    run(&mut sim, Step::Reboot);
    run(&mut sim, Step::Advance(Duration::from_secs(3)));
    expect_leds(&mut sim, LedPattern::On, LedPattern::Off);
}

#[test]
fn one_flipped_bit_in_the_settings_changes_nothing() {
    let mut sim = configured();
    // The first copy of the newest settings only.
    sim.edit_flash(|image| {
        let newest = (0..image.len() - 16)
            .step_by(16)
            .filter(|&at| image[at + 6] == 0 && image[at + 7] == 0xA5)
            .max_by_key(|&at| u32::from_le_bytes(image[at..at + 4].try_into().unwrap()))
            .unwrap();
        image[newest + 13] ^= 0x10;
    })
    .unwrap();
    run(&mut sim, Step::Reboot);
    run(&mut sim, Step::Advance(Duration::from_secs(3)));
    run(&mut sim, Step::ExpectRelay(true));
    expect_leds(&mut sim, LedPattern::On, LedPattern::On);
    sms(&mut sim, STRANGER, "ON");
    sms(&mut sim, BOSS, "abcdePASSWORD?");
    expect_sms(&mut sim, BOSS, "PASSWORD=*****");
    run(&mut sim, Step::ExpectNoSms(None));
}

#[test]
fn an_erased_store_boots_factory_fresh() {
    let mut sim = Simulator::through_at_and_flash().unwrap();
    sim.edit_flash(|image| image.fill(0xFF)).unwrap();
    run(&mut sim, Step::Reboot);
    run(&mut sim, Step::Advance(Duration::from_secs(3)));
    expect_leds(&mut sim, LedPattern::On, LedPattern::Off);
    sms(&mut sim, STRANGER, "PASSWORD?");
    expect_sms(&mut sim, STRANGER, "PASSWORD=NO");
}
