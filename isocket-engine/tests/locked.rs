//! The locked boot (manual §8): storage held settings but none of them was
//! readable. Nobody's SMS or call acts, nothing is sent or saved, the relay
//! stays off and POWER and OUT show `locked`, until the factory reset.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use isocket_engine::*;
use isocket_proto::Timestamp;

const BOSS: &str = "+4915112345678";

fn at(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

fn locked_engine(reason: BootReason) -> Engine {
    let board = BoardInfo {
        product: "isocket test",
        serial: "T-1".try_into().unwrap(),
    };
    let stored = Stored {
        // What the device passes when the settings do not load: defaults
        // (SECLIST off, no password, the configuration window open).
        relay_on: true,
        locked: true,
        ..Stored::default()
    };
    // The clock set, so that the scheduler's minute ticks run.
    let clock = Timestamp::from_local((2026, 11, 21), (14, 5, 9), 60);
    let boot = Boot { reason, clock };
    Engine::new(board, stored, boot, at(0))
}

fn drain(engine: &mut Engine) -> Vec<Action> {
    std::iter::from_fn(|| engine.poll_action()).collect()
}

fn leds(actions: &[Action]) -> Option<Leds> {
    actions.iter().rev().find_map(|a| match a {
        Action::SetLeds(leds) => Some(*leds),
        _ => None,
    })
}

#[test]
fn a_locked_engine_ignores_sms_calls_inputs_and_keeps_the_relay_off() {
    for reason in [BootReason::Reset, BootReason::MainsRestored] {
        let mut engine = locked_engine(reason);
        let boot = drain(&mut engine);
        assert!(engine.is_locked());
        assert!(boot.contains(&Action::SetRelay(false)), "{boot:?}");
        assert!(!engine.relay_is_on());

        let mut t = 2_000;
        let mut later = Vec::new();
        for event in [
            Event::NetworkRegistered,
            Event::SmsReceived {
                from: BOSS,
                text: "MAKEMEBOSS",
                sent_at: None,
                toa: toa::INTERNATIONAL,
            },
            Event::SmsReceived {
                from: BOSS,
                text: "ON",
                sent_at: None,
                toa: toa::INTERNATIONAL,
            },
            Event::SmsReceived {
                from: BOSS,
                text: "STATUS",
                sent_at: None,
                toa: toa::INTERNATIONAL,
            },
            Event::IncomingCall {
                from: BOSS,
                toa: toa::INTERNATIONAL,
            },
            Event::IncomingCallEnded,
            Event::Button(ButtonEvent::ShortPress),
            Event::InputContact(true),
        ] {
            engine.handle(at(t), event);
            later.extend(drain(&mut engine));
            t += 60_000;
        }
        // A day of timers: scheduler, probe, everything.
        for minute in 0..24 * 60 {
            let now = at(t + minute * 60_000);
            engine.handle_timeout(now);
            later.extend(drain(&mut engine));
            // No timer stays due: a board sleeping until the next deadline
            // must not spin.
            assert!(engine.poll_timeout().is_some_and(|next| next > now));
        }
        engine.handle(at(t + 86_400_000), Event::MainsLost);
        later.extend(drain(&mut engine));
        let acting: Vec<_> = later
            .iter()
            .filter(|a| {
                matches!(
                    a,
                    Action::SendSms { .. }
                        | Action::Save(_)
                        | Action::SetRelay(true)
                        | Action::Dial(_)
                        | Action::HangUp
                        | Action::SendUssd(_)
                )
            })
            .collect();
        assert!(acting.is_empty(), "{reason:?}: {acting:?}");
        assert!(!engine.relay_is_on());
        assert!(engine.is_locked());
    }
}

#[test]
fn a_locked_engine_shows_locked_on_power_and_out() {
    let mut engine = locked_engine(BootReason::Reset);
    drain(&mut engine);
    // After the boot flash (1.5 s).
    engine.handle_timeout(at(2_000));
    let shown = leds(&drain(&mut engine)).expect("the LEDs change after the boot flash");
    assert_eq!(shown.power, LedPattern::Locked);
    assert_eq!(shown.out, LedPattern::Locked);
    assert_eq!(shown.gsm, LedPattern::Blink1s);
    // Registration still shows on GSM.
    engine.handle(at(3_000), Event::NetworkRegistered);
    let shown = leds(&drain(&mut engine)).unwrap();
    assert_eq!(
        (shown.power, shown.gsm),
        (LedPattern::Locked, LedPattern::Blink3s)
    );
}

#[test]
fn the_factory_reset_unlocks_and_saves_the_factory_state() {
    let mut engine = locked_engine(BootReason::Reset);
    drain(&mut engine);
    engine.handle(at(2_000), Event::Button(ButtonEvent::LongPressReached));
    let held = drain(&mut engine);
    assert_eq!(leds(&held).map(|l| l.power), Some(LedPattern::Blink4Hz));
    engine.handle(at(13_000), Event::Button(ButtonEvent::LongPressReleased));
    let reset = drain(&mut engine);
    assert!(!engine.is_locked());
    for record in [Record::Settings, Record::Relay, Record::AlarmLog] {
        assert!(reset.contains(&Action::Save(record)), "{reset:?}");
    }
    assert_eq!(reset.last(), Some(&Action::Reboot));
    assert_eq!(engine.settings(), &Settings::default());
}
