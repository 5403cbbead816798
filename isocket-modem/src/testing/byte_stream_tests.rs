use super::*;
use crate::driver::State;
use crate::profile;

/// Moves bytes both ways until the line is quiet, like two UARTs.
fn exchange(modem: &mut ScriptedModem, driver: &mut Driver, now: u64) -> Vec<Event> {
    let mut events = Vec::new();
    modem.advance_to(now);
    for _ in 0..200 {
        let mut busy = false;
        while let Some(tx) = driver.poll_transmit(now) {
            let tx = tx.to_vec();
            modem.write(&tx);
            busy = true;
        }
        let rx = modem.read();
        if !rx.is_empty() {
            driver.handle(now, &rx);
            busy = true;
        }
        while let Some(e) = driver.poll_event() {
            events.push(e);
        }
        if !busy {
            break;
        }
    }
    events
}

#[test]
fn a_driver_talks_to_the_fake_through_bytes_only() {
    let mut modem = ScriptedModem::new(1);
    modem.far_end = FarEnd::Manual;
    modem.ussd_answer = None;
    let mut driver = Driver::new(&profile::SIM800, 0);
    let mut events = Vec::new();
    for t in (0..3_000).step_by(100) {
        events.extend(exchange(&mut modem, &mut driver, t));
    }
    assert!(events.contains(&Event::State(State::Ready)), "{events:?}");

    let sent_at = FixedOffset::east_opt(3600)
        .and_then(|z| z.with_ymd_and_hms(2026, 11, 21, 14, 5, 9).single())
        .unwrap();
    modem.deliver_at("+4915112345678", "STATUS", sent_at);
    let events = exchange(&mut modem, &mut driver, 3_000);
    let sms = events.iter().find_map(|e| match e {
        Event::Sms {
            id, text, sent_at, ..
        } => Some((*id, text.to_string(), *sent_at)),
        _ => None,
    });
    let (id, text, stamp) = sms.expect("the SMS");
    assert_eq!((text.as_str(), stamp), ("STATUS", Some(sent_at)));
    driver.ack(id);

    let long = "x".repeat(200);
    driver.send_sms("+4915112345678", &long).unwrap();
    exchange(&mut modem, &mut driver, 3_100);
    assert_eq!(
        modem.take_sent(),
        vec![("+4915112345678".to_string(), long)]
    );
    assert!(modem.take_sent().is_empty());

    driver.ussd("*100#");
    exchange(&mut modem, &mut driver, 3_200);
    assert_eq!(modem.ussd_requests, ["*100#"]);
    modem.ussd_reply("Баланс 5");
    let events = exchange(&mut modem, &mut driver, 3_300);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Ussd(u) if u.text.as_str() == "Баланс 5")),
        "{events:?}"
    );

    modem.ring("+4930999999");
    let events = exchange(&mut modem, &mut driver, 3_400);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Ringing(Some(c)) if c.number.as_str() == "+4930999999"))
    );
    driver.hang_up();
    exchange(&mut modem, &mut driver, 3_500);
    assert!(modem.hung_up_incoming);
}

#[test]
fn a_send_waiting_for_the_network_goes_as_soon_as_it_is_back() {
    let mut modem = ScriptedModem::new(2);
    let mut driver = Driver::new(&profile::SIM800, 0);
    for t in (0..3_000).step_by(100) {
        exchange(&mut modem, &mut driver, t);
    }
    // Coverage goes without a URC: the send is tried, refused (331) and backs off.
    modem.registered = false;
    driver.send_sms("+4915112345678", "Power failure!").unwrap();
    exchange(&mut modem, &mut driver, 3_100);
    assert!(modem.take_sent().is_empty(), "no network, nothing sent");
    assert!(
        modem.log.iter().any(|c| c.starts_with("AT+CMGS=")),
        "a send was tried"
    );
    // Back 5 s later, far inside the 30-s back-off: it goes at once.
    modem.set_registered(true);
    exchange(&mut modem, &mut driver, 8_100);
    exchange(&mut modem, &mut driver, 8_100);
    assert_eq!(
        modem.take_sent(),
        vec![("+4915112345678".to_string(), "Power failure!".to_string())]
    );
}

#[test]
fn a_ringing_call_does_not_keep_the_driver_awake() {
    let mut modem = ScriptedModem::new(3);
    modem.far_end = FarEnd::Manual;
    let mut driver = Driver::new(&profile::SIM800, 0);
    for t in (0..3_000).step_by(100) {
        exchange(&mut modem, &mut driver, t);
    }
    driver.dial("+4911");
    exchange(&mut modem, &mut driver, 3_000);
    exchange(&mut modem, &mut driver, 5_000);
    assert!(modem.call_ringing());
    // SIM800 reports call progress by URC: nothing to poll, so no deadline in the past.
    assert!(driver.poll_timeout() > 5_000, "{}", driver.poll_timeout());
    modem.answer_call();
    let events = exchange(&mut modem, &mut driver, 6_000);
    assert!(events.contains(&Event::CallAnswered), "{events:?}");
    assert!(driver.poll_timeout() > 6_000);
}

#[test]
fn a_send_waiting_for_the_network_does_not_keep_the_driver_awake() {
    let mut modem = ScriptedModem::new(4);
    let mut driver = Driver::new(&profile::SIM800, 0);
    for t in (0..3_000).step_by(100) {
        exchange(&mut modem, &mut driver, t);
    }
    modem.set_registered(false);
    exchange(&mut modem, &mut driver, 3_000);
    driver.send_sms("+4915112345678", "Power failure!").unwrap();
    exchange(&mut modem, &mut driver, 3_100);
    exchange(&mut modem, &mut driver, 9_000);
    assert!(driver.poll_timeout() > 9_000, "{}", driver.poll_timeout());
    modem.set_registered(true);
    exchange(&mut modem, &mut driver, 9_100);
    exchange(&mut modem, &mut driver, 9_100);
    assert_eq!(modem.take_sent().len(), 1);
}
