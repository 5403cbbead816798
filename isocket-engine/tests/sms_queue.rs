//! The engine's outgoing SMS under back-pressure: a board whose modem
//! queue fills takes SMS with `poll_sms` only while it has room; nothing
//! else waits for them, alerts go to every ALERTNUMBER in list order, pass
//! replies that have no room, and find room themselves.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use isocket_engine::*;

const BOSS: &str = "+4915112345678";
const NO_ROOM: SmsRoom = SmsRoom {
    alerts: false,
    replies: false,
};
const ALERTS_ONLY: SmsRoom = SmsRoom {
    alerts: true,
    replies: false,
};

fn at(seconds: u64) -> Instant {
    Instant::from_millis(seconds * 1000)
}

fn numbers() -> Vec<String> {
    (0..10).map(|i| format!("49170000000{i}")).collect()
}

/// An engine whose BOSS set ten ALERTNUMBERs, its replies taken, the
/// alarm armed.
fn engine() -> Engine {
    let board = BoardInfo {
        product: "isocket test",
        serial: "T-1".try_into().unwrap(),
    };
    let mut e = Engine::new(board, Stored::default(), Boot::default(), at(0));
    // The clock, so that each alarm names its time.
    let time = isocket_proto::Timestamp::from_local((2026, 1, 1), (8, 0, 0), 60).unwrap();
    e.handle(at(0), Event::NetworkTime(time));
    for (i, number) in numbers().iter().enumerate() {
        command(&mut e, 1 + i as u64, BOSS, &format!("ALERTNUMBER+{number}"));
        sent(&mut e, 1 + i as u64);
    }
    command(&mut e, 20, BOSS, "ALARMON");
    sent(&mut e, 20);
    assert_eq!(e.dropped_actions(), 0);
    e
}

/// Every SMS waiting goes out and is reported sent.
fn sent(e: &mut Engine, seconds: u64) {
    while e.poll_sms(SmsRoom::ANY).is_some() {
        e.handle(at(seconds), Event::SmsSent);
    }
}

/// An SMS from `from`; saves succeed; other actions are taken.
fn command(e: &mut Engine, seconds: u64, from: &str, text: &str) {
    e.handle(
        at(seconds),
        Event::SmsReceived {
            from,
            toa: toa::INTERNATIONAL,
            text,
            sent_at: None,
        },
    );
    while let Some(action) = e.poll_other_action() {
        if let Action::Save(record) = action {
            e.handle(at(seconds), Event::Saved { record, ok: true });
        }
    }
}

fn alarm(e: &mut Engine, seconds: u64) {
    e.handle(at(seconds), Event::InputContact(true));
    e.handle(at(seconds), Event::InputContact(false));
    while e.poll_other_action().is_some() {}
}

#[test]
fn an_alert_goes_to_every_number_in_list_order_one_at_a_time() {
    let mut e = engine();
    alarm(&mut e, 30);
    assert_eq!(e.poll_sms(NO_ROOM), None, "no room: it waits");
    let mut to = Vec::new();
    while let Some(sms) = e.poll_sms(ALERTS_ONLY) {
        assert!(sms.alert);
        assert!(sms.text.starts_with("ALARM!"), "{}", sms.text);
        to.push(sms.to.as_str().to_string());
    }
    assert_eq!(to, numbers());
    assert_eq!(e.dropped_actions(), 0);
}

#[test]
fn actions_other_than_sms_do_not_wait_for_room() {
    let mut e = engine();
    // Replies that the board has no room for yet.
    for i in 0..3 {
        e.handle(
            at(30 + i),
            Event::SmsReceived {
                from: BOSS,
                toa: toa::INTERNATIONAL,
                text: "ON",
                sent_at: None,
            },
        );
    }
    e.handle(
        at(40),
        Event::SmsReceived {
            from: BOSS,
            toa: toa::INTERNATIONAL,
            text: "OFF",
            sent_at: None,
        },
    );
    let mut relay = Vec::new();
    while let Some(action) = e.poll_other_action() {
        if let Action::SetRelay(on) = action {
            relay.push(on);
        }
        assert!(!matches!(action, Action::SendSms { .. }));
    }
    assert_eq!(relay, [true, false]);
}

#[test]
fn an_alert_passes_replies_that_have_no_room() {
    let mut e = engine();
    command(&mut e, 30, BOSS, "ALERTNUMBER?");
    command(&mut e, 31, BOSS, "ALARM?");
    alarm(&mut e, 32);
    let first = e.poll_sms(ALERTS_ONLY).unwrap();
    assert!(first.text.starts_with("ALARM!"));
    // With room for any, the order they were queued in.
    let any = e.poll_sms(SmsRoom::ANY).unwrap();
    assert!(any.text.starts_with("ALERTNUMBERs:"), "{}", any.text);
}

#[test]
fn an_alert_finds_room_by_dropping_the_newest_waiting_reply() {
    let mut e = engine();
    for i in 0..SMS_QUEUE as u64 {
        command(&mut e, 30 + i, BOSS, "ALARM?");
    }
    alarm(&mut e, 40);
    assert_eq!(e.dropped_actions(), 1, "one reply");
    let mut texts = Vec::new();
    while let Some(sms) = e.poll_sms(SmsRoom::ANY) {
        texts.push(sms.text.as_str().lines().next().unwrap().to_string());
    }
    let alarms = texts.iter().filter(|t| t.starts_with("ALARM!")).count();
    assert_eq!(alarms, 10);
    assert_eq!(texts.len(), SMS_QUEUE - 1 + 10);
}

#[test]
fn alerts_faster_than_the_network_keep_the_first_and_the_latest() {
    let mut e = engine();
    // Eight alarms, one a minute (the contact stays closed), no room at all.
    e.handle(at(30), Event::InputContact(true));
    let mut now = 30;
    for _ in 0..7 {
        now += 61;
        e.handle_timeout(at(now));
    }
    while e.poll_other_action().is_some() {}
    assert_eq!(e.dropped_actions() as usize, 8 - SMS_QUEUE);
    let mut per_number: Vec<Vec<String>> = vec![Vec::new(); 10];
    while let Some(sms) = e.poll_sms(ALERTS_ONLY) {
        let i = numbers().iter().position(|n| n == sms.to.as_str()).unwrap();
        per_number[i].push(sms.text.as_str().to_string());
    }
    // Every number gets the same alarms: the first ones and the latest.
    assert!(per_number.iter().all(|texts| *texts == per_number[0]));
    let times: Vec<&str> = per_number[0]
        .iter()
        .map(|t| t.rsplit(',').next().unwrap())
        .collect();
    // The k-th alarm at 08:0k:(30 + k).
    let alarm = |k: usize| format!("08:0{k}:{}", 30 + k);
    let mut expected: Vec<String> = (0..SMS_QUEUE - 1).map(alarm).collect();
    expected.push(alarm(7));
    assert_eq!(times, expected);
}

#[test]
fn the_mains_failure_budget_waits_for_every_number() {
    let mut e = engine();
    e.handle(at(30), Event::NetworkRegistered);
    e.handle(at(30), Event::MainsLost);
    // The modem takes one at a time; each is sent 50 s later.
    let mut now = 30;
    for _ in 0..10 {
        let sms = e.poll_sms(ALERTS_ONLY).unwrap();
        assert!(sms.text.starts_with("Power failure!"));
        now += 50;
        e.handle(at(now), Event::SmsSent);
        if e.poll_sms(NO_ROOM).is_none() {
            let shutdown =
                std::iter::from_fn(|| e.poll_other_action()).any(|a| a == Action::Shutdown);
            assert_eq!(shutdown, now == 30 + 500, "at {now}");
        }
    }
    assert_eq!(send_budget(10), SEND_BUDGET);
    assert!(SEND_BUDGET.as_secs() >= 10 * 60, "ten 60-s answers");
}
