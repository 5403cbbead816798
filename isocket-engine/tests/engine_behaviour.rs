//! Engine behaviour that needs a board slower or stranger than the simulator's:
//! SMS without time stamps, saves still in flight, alphanumeric senders.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use isocket_engine::*;
use isocket_proto::Probe;

const BOSS: &str = "+4915112345678";

fn engine() -> Engine {
    let board = BoardInfo {
        product: "isocket test",
        serial: "T-1".try_into().unwrap(),
    };
    Engine::new(
        board,
        Stored::default(),
        Boot::default(),
        Instant::from_millis(0),
    )
}

fn at(seconds: u64) -> Instant {
    Instant::from_millis(seconds * 1000)
}

fn sms(engine: &mut Engine, seconds: u64, from: &str, text: &str) {
    engine.handle(
        at(seconds),
        Event::SmsReceived {
            from,
            toa: isocket_engine::toa::INTERNATIONAL,
            text,
            sent_at: None,
        },
    );
}

/// Drains the actions, answering saves with `save_ok` and probe reads with 21 °C.
fn drain(engine: &mut Engine, seconds: u64, save_ok: bool) -> Vec<Action> {
    let mut all = Vec::new();
    loop {
        let mut follow_ups = Vec::new();
        while let Some(action) = engine.poll_action() {
            match &action {
                Action::Save(record) => follow_ups.push(Event::Saved {
                    record: *record,
                    ok: save_ok,
                }),
                Action::MeasureTemperature => {
                    let reading = isocket_proto::Temperature::from_sixteenths(21 * 16);
                    follow_ups.push(Event::Temperature(Probe::Reading(reading)));
                }
                _ => {}
            }
            all.push(action);
        }
        if follow_ups.is_empty() {
            return all;
        }
        for event in follow_ups {
            engine.handle(at(seconds), event);
        }
    }
}

fn texts(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::SendSms { text, .. } => Some(text.as_str().to_string()),
            _ => None,
        })
        .collect()
}

#[test]
fn without_a_time_stamp_the_clock_stays_unset() {
    let mut e = engine();
    let _ = drain(&mut e, 0, true);
    sms(&mut e, 1, BOSS, "DATE");
    assert_eq!(texts(&drain(&mut e, 1, true)), ["DATE not set"]);
    sms(&mut e, 2, BOSS, "DATESMS");
    assert_eq!(texts(&drain(&mut e, 2, true)), ["Execute error!"]);
    sms(&mut e, 3, BOSS, "STATUS");
    let status = texts(&drain(&mut e, 3, true));
    assert!(status[0].ends_with("Time: not set"), "{status:?}");
}

#[test]
fn runtime_counts_while_the_clock_is_unset() {
    let mut e = engine();
    sms(&mut e, 0, BOSS, "ON");
    let _ = drain(&mut e, 0, true);
    sms(&mut e, 2 * 86_400 + 3723, BOSS, "RUNTIME");
    assert_eq!(
        texts(&drain(&mut e, 0, true)),
        ["Power socket is ON for: 2d 01:02:03"]
    );
}

#[test]
fn confirmation_waits_for_the_save_and_later_sms_wait_too() {
    let mut e = engine();
    let _ = drain(&mut e, 0, true);
    sms(&mut e, 1, BOSS, "RESTARTTIME=20");
    let actions: Vec<Action> = std::iter::from_fn(|| e.poll_action()).collect();
    assert_eq!(
        actions,
        [Action::Save(Record::Settings)],
        "no confirmation before the save"
    );
    assert_eq!(
        e.settings().restart_time.get(),
        20,
        "the board saves the new settings"
    );
    // Two more commands arrive while the save is in flight.
    sms(&mut e, 1, BOSS, "RESTARTTIME?");
    sms(&mut e, 1, BOSS, "ON");
    assert_eq!(e.poll_action(), None);
    e.handle(
        at(1),
        Event::Saved {
            record: Record::Settings,
            ok: true,
        },
    );
    assert_eq!(
        texts(&drain(&mut e, 1, true)),
        [
            "RESTARTTIME=20 - OK",
            "RESTARTTIME=20 seconds",
            "Power socket ON"
        ]
    );
}

#[test]
fn a_failed_save_keeps_what_storage_holds() {
    let mut e = engine();
    let _ = drain(&mut e, 0, true);
    sms(&mut e, 1, BOSS, "MAKEMEBOSS");
    assert_eq!(texts(&drain(&mut e, 1, false)), ["Execute error!"]);
    assert!(!e.settings().sec_list_on);
    assert!(e.settings().sec_numbers.is_empty());
    assert_eq!(e.settings(), &Settings::default());
}

#[test]
fn alphanumeric_and_hidden_senders_get_no_reply() {
    let mut e = engine();
    let _ = drain(&mut e, 0, true);
    sms(&mut e, 1, "Vodafone", "STATUS");
    sms(&mut e, 1, "", "HELLO");
    assert!(texts(&drain(&mut e, 1, true)).is_empty());
    // MAKEMEBOSS needs a number to add.
    sms(&mut e, 1, "Vodafone", "MAKEMEBOSS");
    let _ = drain(&mut e, 1, true);
    assert!(!e.settings().sec_list_on);
}

#[test]
fn a_silent_probe_answers_sensor_error() {
    let mut e = engine();
    let _ = drain(&mut e, 0, true);
    sms(&mut e, 1, BOSS, "TEMPERATURE");
    let actions: Vec<Action> = std::iter::from_fn(|| e.poll_action()).collect();
    assert!(actions.contains(&Action::MeasureTemperature), "{actions:?}");
    assert!(e.poll_timeout().unwrap() <= at(1) + MEASUREMENT_TIMEOUT);
    e.handle_timeout(Instant::from_millis(
        at(1).as_millis() + MEASUREMENT_TIMEOUT.as_millis() as u64 - 1,
    ));
    assert!(
        texts(&drain(&mut e, 4, true)).is_empty(),
        "no answer before the timeout"
    );
    e.handle_timeout(at(1) + MEASUREMENT_TIMEOUT);
    assert_eq!(
        texts(&drain(&mut e, 4, true)),
        ["TEMPERATURE: Sensor error!"]
    );
}

#[test]
fn credit_without_an_answer_is_an_execute_error() {
    let mut e = engine();
    let _ = drain(&mut e, 0, true);
    sms(&mut e, 1, BOSS, "CREDIT");
    assert_eq!(texts(&drain(&mut e, 1, true)), ["Incorrect value!"]);
    sms(&mut e, 2, BOSS, "CREDITUMS=*100#");
    let _ = drain(&mut e, 2, true);
    sms(&mut e, 3, BOSS, "CREDIT");
    let actions = drain(&mut e, 3, true);
    assert!(
        actions
            .iter()
            .any(|a| matches!(a, Action::SendUssd(code) if code.as_str() == "*100#"))
    );
    e.handle_timeout(at(3) + USSD_TIMEOUT);
    assert_eq!(texts(&drain(&mut e, 33, true)), ["Execute error!"]);
}

#[test]
fn a_draining_board_never_loses_actions() {
    let mut e = engine();
    for i in 0..200 {
        sms(&mut e, i, BOSS, if i % 2 == 0 { "ON5" } else { "STATUS" });
        let _ = drain(&mut e, i, true);
        e.handle_timeout(at(i));
    }
    assert_eq!(e.dropped_actions(), 0);
}

/// The queue keeps SMS texts apart from its (small) entries: each text
/// comes out with its own action, in order, and what finds no room is
/// counted, never mixed up.
#[test]
fn queued_sms_keep_their_texts_and_order_without_draining() {
    let mut e = engine();
    let _ = drain(&mut e, 0, true);
    let senders: Vec<String> = (1..=SMS_QUEUE + 1).map(|i| format!("+49170{i}")).collect();
    for (i, sender) in senders.iter().enumerate() {
        sms(&mut e, 1, sender, &format!("ON{}", i + 1));
    }
    let mut replies = Vec::new();
    while let Some(action) = e.poll_action() {
        if let Action::SendSms { to, text } = action {
            replies.push((to.as_str().to_string(), text.as_str().to_string()));
        }
    }
    let expected: Vec<_> = (1..=SMS_QUEUE)
        .map(|i| (format!("49170{i}"), format!("Power ON for {i} seconds")))
        .collect();
    assert_eq!(replies, expected);
    assert_eq!(e.dropped_actions(), 1, "the last reply found no room");
}

#[test]
fn holding_the_button_ten_seconds_blinks_power_and_out() {
    let mut e = engine();
    e.handle_timeout(at(2));
    let _ = drain(&mut e, 2, true);
    e.handle(at(12), Event::Button(ButtonEvent::LongPressReached));
    let leds = Leds {
        power: LedPattern::Blink4Hz,
        gsm: LedPattern::Blink1s,
        out: LedPattern::Blink4Hz,
    };
    assert!(drain(&mut e, 12, true).contains(&Action::SetLeds(leds)));
    e.handle(at(13), Event::Button(ButtonEvent::LongPressReleased));
    let actions = drain(&mut e, 13, true);
    assert_eq!(actions.last(), Some(&Action::Reboot));
    assert!(actions.contains(&Action::SetClock(None)));
    assert_eq!(e.settings(), &Settings::default());
}

/// A device on battery with two alert numbers, the failure SMS handed out.
fn on_battery_notified() -> Engine {
    let mut e = engine();
    sms(&mut e, 1, BOSS, "MAKEMEBOSS");
    sms(&mut e, 2, BOSS, "ALERTME");
    sms(&mut e, 3, BOSS, "ALERTNUMBER+4917012345678");
    drain(&mut e, 3, true);
    e.handle(at(4), Event::NetworkRegistered);
    // Every earlier reply settles before the mains fails.
    for _ in 0..3 {
        e.handle(at(4), Event::SmsSent);
    }
    e.handle(at(10), Event::MainsLost);
    let failure = texts(&drain(&mut e, 10, true));
    assert_eq!(failure.len(), 2, "{failure:?}");
    assert!(failure.iter().all(|t| t.starts_with("Power failure!")));
    e
}

fn shut_down(actions: &[Action]) -> bool {
    actions.contains(&Action::Shutdown)
}

#[test]
fn on_battery_the_device_waits_for_a_slow_network_to_take_every_failure_sms() {
    let mut e = on_battery_notified();
    // A network that needs 40 s: still up after the old 30-s grace.
    e.handle_timeout(at(45));
    assert!(!shut_down(&drain(&mut e, 45, true)));
    e.handle(at(50), Event::SmsSent);
    assert!(!shut_down(&drain(&mut e, 50, true)), "one of two sent");
    e.handle(at(51), Event::SmsFailed);
    assert!(shut_down(&drain(&mut e, 51, true)), "both settled");
}

#[test]
fn on_battery_the_send_budget_bounds_the_wait() {
    let mut e = on_battery_notified();
    // Two ALERTNUMBERs: 3 min and 2 min for each.
    let budget = send_budget(2).as_secs();
    assert_eq!(budget, 7 * 60);
    assert_eq!(SEND_BUDGET, send_budget(ALERT_NUMBERS));
    e.handle_timeout(at(10 + budget - 1));
    assert!(!shut_down(&drain(&mut e, 10 + budget - 1, true)));
    e.handle_timeout(at(10 + budget));
    assert!(shut_down(&drain(&mut e, 10 + budget, true)));
}

#[test]
fn a_call_hidden_at_first_and_identified_later_is_acted_on_once() {
    let mut e = engine();
    sms(&mut e, 1, BOSS, "MAKEMEBOSS");
    sms(&mut e, 2, BOSS, "RING=SWITCH");
    drain(&mut e, 2, true);
    let relay = |actions: &[Action]| {
        actions
            .iter()
            .filter(|a| matches!(a, Action::SetRelay(_)))
            .count()
    };
    // RING without +CLIP: no caller yet, nothing done.
    e.handle(at(10), Event::IncomingCall { from: "", toa: 0 });
    assert_eq!(relay(&drain(&mut e, 10, true)), 0);
    // Its +CLIP after the modem was set up again: the owner's call.
    e.handle(
        at(12),
        Event::IncomingCall {
            from: BOSS,
            toa: isocket_engine::toa::INTERNATIONAL,
        },
    );
    let actions = drain(&mut e, 12, true);
    assert_eq!(relay(&actions), 1);
    assert!(actions.contains(&Action::HangUp));
    // The same call reported again: not switched back.
    e.handle(
        at(13),
        Event::IncomingCall {
            from: BOSS,
            toa: isocket_engine::toa::INTERNATIONAL,
        },
    );
    assert_eq!(relay(&drain(&mut e, 13, true)), 0);
    // The next call is acted on.
    e.handle(at(20), Event::IncomingCallEnded);
    e.handle(
        at(40),
        Event::IncomingCall {
            from: BOSS,
            toa: isocket_engine::toa::INTERNATIONAL,
        },
    );
    assert_eq!(relay(&drain(&mut e, 40, true)), 1);
}
