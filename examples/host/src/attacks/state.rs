//! Attacks on what the device keeps: its flash (one flipped bit, every
//! copy unreadable), its clock and its error-reply budget (changed by a
//! rejected SMS), and confirmations sent before the change is durable.

use super::pdu::{self, INTERNATIONAL};
use super::rig::{OWNER, Rig};
use super::{Attack, Outcome, Status, owned};

pub(super) fn attacks() -> Vec<Attack> {
    vec![
        Attack {
            name: "flash-bit-flip",
            tried: "every single-bit flip of the written flash (settings, relay and commit records), each booted",
            status: Status::Guarded,
            run: flash_bit_flip,
        },
        Attack {
            name: "unreadable-settings",
            tried: "every record of the flash garbled, then strangers' and the owner's `ON`; then the button's factory reset",
            status: Status::Guarded,
            run: unreadable_settings,
        },
        Attack {
            name: "clock-by-rejected-sms",
            tried: "clock unset: a stranger's SMS stamped 2030, refused by the SECLIST",
            status: Status::Guarded,
            run: clock_by_rejected_sms,
        },
        Attack {
            name: "error-budget-by-stranger",
            tried: "`SMSCONFIRMUNAUTH=ON`: 25 strangers' SMS (each an `Access deny!`), then the owner's mistyped command",
            status: Status::Guarded,
            run: error_budget_by_stranger,
        },
        Attack {
            name: "save-never-answered",
            tried: "a board (the bridge alone) that never reports a settings save done: the owner's `RESTARTTIME=25`, then `STATUS`",
            status: Status::Guarded,
            run: save_never_answered,
        },
        Attack {
            name: "confirmed-before-durable",
            tried: "the owner's `ON` and `OFF` while every save fails",
            status: Status::Guarded,
            run: confirmed_before_durable,
        },
    ]
}

const STRANGER: &str = "+447700900123";

/// The security the owner set: SECLIST, its numbers, a password.
fn security(rig: &Rig) -> (bool, usize, bool) {
    let s = rig.settings();
    (s.sec_list_on, s.sec_numbers.len(), s.password.is_some())
}

fn flash_bit_flip() -> Outcome {
    let mut rig = owned();
    rig.owner_says("SECNUMBER+33612345678", 10);
    // Old relay records (written before the password), then the password.
    for _ in 0..5 {
        rig.owner_says("ON", 5);
        rig.owner_says("OFF", 5);
    }
    rig.owner_says("PASSWORD=12abc", 10);
    let last = security(&rig);
    let image = rig.flash_image();
    let used = image.iter().rposition(|b| *b != 0xFF).map_or(0, |i| i + 1);
    // The bench itself: the image as written boots with the last settings.
    rig.reboot(false);
    let intact = security(&rig) == last;
    let mut weaker = 0;
    let mut flips = 0;
    for byte in 0..used {
        for bit in 0..8 {
            let mut flipped = image.clone();
            if let Some(b) = flipped.get_mut(byte) {
                *b ^= 1 << bit;
            }
            rig.set_flash_image(&flipped);
            rig.reboot(false);
            flips += 1;
            let now = security(&rig);
            weaker += u64::from(now != last);
        }
    }
    rig.set_flash_image(&image);
    let mut outcome = Outcome::new(flips);
    outcome
        .note(format!(
            "{used} bytes written; unflipped, it boots with the last saved security: {}; {weaker} of {flips} flips booted with other security",
            if intact { "yes" } else { "no" }
        ))
        .require(intact, "the intact image lost the security")
        .require(weaker == 0, "a flipped bit changed the security");
    outcome
}

fn unreadable_settings() -> Outcome {
    let mut rig = owned();
    rig.owner_says("PASSWORD=12abc", 10);
    let mut image = rig.flash_image();
    let used = image.iter().rposition(|b| *b != 0xFF).map_or(0, |i| i + 1);
    for b in image.iter_mut().take(used) {
        *b ^= 0x5A;
    }
    rig.set_flash_image(&image);
    rig.reboot(true);
    rig.run_s(30);
    let since = rig.now();
    rig.sms(STRANGER, "ON");
    rig.run_s(20);
    rig.sms(OWNER, "12abcON");
    rig.run_s(20);
    rig.sms(OWNER, "ON");
    rig.run_s(20);
    let switched = rig.relay_switches(since);
    let sent = rig.sent_since(since);
    let relay = rig.relay();
    // The owner's way back: the button held 10 s (factory reset), then
    // MAKEMEBOSS.
    rig.bench.inputs.button_pressed = true;
    rig.run_s(11);
    rig.bench.inputs.button_pressed = false;
    rig.run_s(30);
    let recovered = rig.owner_says("MAKEMEBOSS", 30);
    let mut outcome = Outcome::new(3);
    outcome
        .note(format!(
            "{used} bytes garbled; relay switched {switched} times, {} replies, relay {}; after the button's factory reset, MAKEMEBOSS answered: {}",
            sent.len(),
            if relay { "ON" } else { "OFF" },
            if recovered.is_empty() { "no" } else { "yes" }
        ))
        .require(switched == 0 && !relay, "an unreadable store booted open")
        .require(!recovered.is_empty(), "the owner could not take the socket back");
    outcome
}

/// The owner's SMS without a valid time stamp (TP-SCTS all `FF`): it sets
/// no clock.
fn owner_unstamped(rig: &mut Rig, text: &str) {
    let at = rig.world_time();
    let hex = pdu::text_from(INTERNATIONAL, OWNER, text, &at);
    // 00 SMSC, FO, OA length and TOA, 7 address octets, PID, DCS: 13 octets.
    let stamped = format!(
        "{}{}{}",
        hex.get(..26).unwrap_or_default(),
        "FF".repeat(7),
        hex.get(40..).unwrap_or_default()
    );
    rig.sms_raw(&[stamped]);
}

fn clock_by_rejected_sms() -> Outcome {
    let mut rig = Rig::new();
    owner_unstamped(&mut rig, "MAKEMEBOSS");
    rig.run_s(30);
    let since = rig.now();
    owner_unstamped(&mut rig, "DATE");
    rig.run_s(30);
    let before = rig.sent_to(OWNER, since);
    let future = chrono::DateTime::parse_from_rfc3339("2030-06-01T12:00:00+02:00")
        .unwrap_or_else(|_| rig.world_time());
    rig.bench.modem.deliver_at(STRANGER, "ON", future);
    rig.run_s(30);
    let since = rig.now();
    owner_unstamped(&mut rig, "DATE");
    rig.run_s(30);
    let after = rig.sent_to(OWNER, since);
    let mut outcome = Outcome::new(1);
    outcome
        .note(format!("owner's DATE before: {before:?}, after: {after:?}"))
        .require(
            after.iter().any(|r| r == "DATE not set"),
            "the rejected SMS set the clock",
        );
    outcome
}

fn error_budget_by_stranger() -> Outcome {
    let mut rig = owned();
    rig.owner_says("SMSCONFIRMUNAUTH=ON", 10);
    let since = rig.now();
    for i in 0..25 {
        rig.sms(&format!("+44770090{:04}", i), "ON");
        rig.run_s(10);
    }
    let denied = rig
        .sent_since(since)
        .iter()
        .filter(|(_, t)| t == "Access deny!")
        .count();
    let owner = rig.owner_says("SWITCH", 20);
    let mut outcome = Outcome::new(25);
    outcome
        .note(format!(
            "{denied} `Access deny!` replies; the owner's `SWITCH` then answered {owner:?}"
        ))
        .require(
            owner
                .iter()
                .any(|r| r == "SWITCH - No such command exists on the device!"),
            "strangers used up the owner's error replies",
        );
    outcome
}

fn confirmed_before_durable() -> Outcome {
    let mut rig = owned();
    rig.bench.store.fail = true;
    let on = rig.owner_says("ON", 20);
    let off = rig.owner_says("OFF", 20);
    let confirmed = on
        .iter()
        .chain(&off)
        .filter(|r| r.starts_with("Power socket"))
        .count();
    let mut outcome = Outcome::new(2);
    outcome
        .note(format!("replies while saves fail: {on:?}, {off:?}"))
        .require(confirmed == 0, "confirmed a change that is not durable");
    outcome
}

/// Through the bridge alone (engine and AT driver, no `Device`): a board
/// whose store takes a save and never reports it (an asynchronous flash
/// driver that lost its completion). `Device` saves synchronously, so
/// only a board built on the bridge meets this.
fn save_never_answered() -> Outcome {
    use isocket_device::{Bridge, Output};
    use isocket_engine::{BoardInfo, Boot, Stored};
    use isocket_modem::testing::ScriptedModem;

    let board = BoardInfo {
        product: "isocket attack bench",
        serial: "ATK-0002".try_into().unwrap_or_default(),
    };
    let mut modem = ScriptedModem::new(1);
    let mut bridge = Bridge::new(
        board,
        Stored::default(),
        Boot::default(),
        &isocket_modem::profile::SIM800,
        0,
    );
    let mut now = 0;
    let mut saves = 0;
    let mut run = |bridge: &mut Bridge, modem: &mut ScriptedModem, now: &mut u64, ms: u64| {
        let end = *now + ms;
        while *now < end {
            *now += 100;
            modem.advance_to(*now);
            bridge.tick(*now);
            for _ in 0..100 {
                let mut busy = false;
                while let Some(tx) = bridge.modem_tx(*now) {
                    let tx = tx.to_vec();
                    modem.write(&tx);
                    busy = true;
                }
                let rx = modem.read();
                if !rx.is_empty() {
                    bridge.modem_rx(*now, &rx);
                    busy = true;
                }
                while let Some(output) = bridge.poll_output() {
                    busy = true;
                    if let Output::Save(_) = output {
                        saves += 1; // taken, never reported
                    }
                }
                if !busy {
                    break;
                }
            }
        }
    };
    run(&mut bridge, &mut modem, &mut now, 30_000);
    let at = |now: u64| {
        chrono::DateTime::UNIX_EPOCH.fixed_offset()
            + chrono::Duration::milliseconds(i64::try_from(now).unwrap_or(0))
    };
    modem.deliver_at(OWNER, "RESTARTTIME=25", at(now));
    run(&mut bridge, &mut modem, &mut now, 30_000);
    let confirmed = modem.take_sent();
    modem.deliver_at(OWNER, "STATUS", at(now));
    let mut answered = None;
    for second in 1..=300 {
        run(&mut bridge, &mut modem, &mut now, 1_000);
        let sent = modem.take_sent();
        if sent.iter().any(|(_, t)| t.starts_with("Power socket")) {
            answered = Some(second);
            break;
        }
    }
    let mut outcome = Outcome::new(1);
    outcome
        .note(format!(
            "{saves} save(s) taken and never reported, `RESTARTTIME=25` answered {confirmed:?}; the owner's STATUS answered after {}",
            answered.map_or("over 5 min".into(), |s| format!("{s} s"))
        ))
        .require(answered.is_some(), "the device stayed deaf behind the pending save")
        .require(
            !confirmed.iter().any(|(_, t)| t.ends_with("- OK")),
            "a change never saved was confirmed",
        );
    outcome
}
