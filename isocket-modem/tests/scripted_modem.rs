#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! A scripted modem drives the sans-IO driver through init, receive/ack,
//! send, calls, USSD and supervision, with faults injected.

use isocket_modem::driver::{Driver, Event, State};
use isocket_modem::profile;

/// A fake SIM800: answers each command line from its SIM storage.
struct Scripted {
    now: u64,
    sim: Vec<(u16, &'static str)>,
    silent: bool,
    drop_next_ok: bool,
    garble: bool,
    log: Vec<String>,
    power: Vec<bool>,
}

const PDU: &str = "07912143658709F1040B918100551512F20000111010214365000AE8329BFD4697D9EC37";

impl Scripted {
    fn new() -> Self {
        Scripted {
            now: 0,
            sim: vec![],
            silent: false,
            drop_next_ok: false,
            garble: false,
            log: vec![],
            power: vec![],
        }
    }

    fn answer(&mut self, cmd: &str) -> String {
        self.log.push(cmd.to_string());
        if self.silent {
            return String::new();
        }
        let ok = if std::mem::take(&mut self.drop_next_ok) {
            ""
        } else {
            "\r\nOK\r\n"
        };
        let body = match cmd {
            "AT+CPIN?" => "\r\n+CPIN: READY\r\n".to_string(),
            "AT+CREG?" => "\r\n+CREG: 2,1,\"CE00\",\"01CEAD8F\"\r\n".to_string(),
            "AT+CSQ" => "\r\n+CSQ: 18,99\r\n".to_string(),
            "AT+CMGD=1,4" => {
                self.sim.clear();
                String::new()
            }
            c if c.starts_with("AT+CMGR=") => {
                let i: u16 = c[8..].parse().unwrap();
                match self.sim.iter().find(|(j, _)| *j == i) {
                    Some((_, pdu)) => {
                        format!("\r\n+CMGR: 0,,{}\r\n{}\r\n", (pdu.len() - 16) / 2, pdu)
                    }
                    None => String::new(),
                }
            }
            c if c.starts_with("AT+CMGD=") => {
                let i: u16 = c[8..].parse().unwrap();
                self.sim.retain(|(j, _)| *j != i);
                String::new()
            }
            c if c.starts_with("AT+CMGS=") => return "\r\n> ".to_string(),
            c if c.ends_with('\u{1a}') => "\r\n+CMGS: 42\r\n".to_string(),
            c if c.starts_with("AT+CUSD=") => {
                return "\r\nOK\r\n\r\n+CUSD: 0,\"Balance 5.00\",15\r\n".to_string();
            }
            c if c.starts_with("ATD") => {
                return "\r\nOK\r\n\r\nMO RING\r\n\r\nMO CONNECTED\r\n".to_string();
            }
            _ => String::new(),
        };
        let mut out = body + ok;
        if std::mem::take(&mut self.garble) {
            out.insert_str(0, "\u{7f}\u{0}garbage ~~\r\n");
        }
        out
    }

    /// Runs the driver for `ms` in 100 ms steps; returns the events.
    fn run(&mut self, d: &mut Driver, ms: u64) -> Vec<Event> {
        let mut events = vec![];
        let end = self.now + ms;
        while self.now < end {
            while let Some(tx) = d.poll_transmit(self.now) {
                let cmd = String::from_utf8_lossy(tx)
                    .trim_end_matches('\r')
                    .to_string();
                let reply = self.answer(&cmd);
                // Feed the reply in two chunks split mid-line.
                let (a, b) = reply.as_bytes().split_at(reply.len() / 2);
                d.handle(self.now, a);
                d.handle(self.now, b);
            }
            if let Some(p) = d.poll_power() {
                self.power.push(p);
            }
            while let Some(e) = d.poll_event() {
                events.push(e);
            }
            self.now += 100;
        }
        events
    }

    fn urc(&mut self, d: &mut Driver, text: &str) {
        for b in text.bytes() {
            d.handle(self.now, &[b]);
        }
    }
}

fn booted() -> (Scripted, Driver) {
    let mut m = Scripted::new();
    m.sim.push((1, PDU)); // stale at boot
    let mut d = Driver::new(&profile::SIM800, 0);
    let events = m.run(&mut d, 2_000);
    assert!(events.contains(&Event::State(State::Ready)), "{events:?}");
    assert!(m.sim.is_empty(), "stale messages are deleted at init");
    (m, d)
}

#[test]
fn receive_hand_out_and_delete_only_after_ack() {
    let (mut m, mut d) = booted();
    m.sim.push((3, PDU));
    m.sim.push((4, PDU));
    m.urc(&mut d, "\r\n+CMTI: \"SM\",3\r\n\r\n+CMTI: \"SM\",4\r\n");
    let events = m.run(&mut d, 1_000);
    let ids: Vec<u16> = events
        .iter()
        .filter_map(|e| match e {
            Event::Sms { id, text, .. } => {
                assert_eq!(text, "hellohello");
                Some(*id)
            }
            _ => None,
        })
        .collect();
    assert_eq!(ids, [3, 4]);
    assert_eq!(m.sim.len(), 2, "nothing deleted before ack");
    d.ack(3);
    m.run(&mut d, 500);
    assert_eq!(m.sim, [(4, PDU)]);
}

#[test]
fn send_sms_through_the_prompt() {
    let (mut m, mut d) = booted();
    d.send_sms("+15555551234", "hi").unwrap();
    let events = m.run(&mut d, 1_000);
    assert!(
        events.contains(&Event::SmsSent { reference: 42 }),
        "{events:?}"
    );
    assert!(m.log.iter().any(|c| c == "AT+CMGS=16"), "{:?}", m.log);
}

#[test]
fn ussd_and_calls() {
    let (mut m, mut d) = booted();
    d.ussd("*100#");
    let events = m.run(&mut d, 500);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Ussd(u) if u.text == "Balance 5.00"))
    );
    d.dial("+4912345");
    let events = m.run(&mut d, 500);
    assert!(events.contains(&Event::CallAnswered), "{events:?}");
    m.urc(
        &mut d,
        "\r\nRING\r\n\r\n+CLIP: \"+27821231234\",145,,,,0\r\n",
    );
    let events = m.run(&mut d, 200);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Ringing(Some(c)) if c.number == "+27821231234"))
    );
    m.urc(&mut d, "\r\nNO CARRIER\r\n");
    assert!(m.run(&mut d, 200).contains(&Event::CallEnded));
}

#[test]
fn garbage_and_a_missing_ok_do_not_lose_messages() {
    let (mut m, mut d) = booted();
    m.sim.push((5, PDU));
    m.garble = true;
    m.drop_next_ok = true;
    m.urc(&mut d, "\r\n+CMTI: \"SM\",5\r\n");
    let events = m.run(&mut d, 10_000);
    assert!(
        events.iter().any(|e| matches!(e, Event::Sms { id: 5, .. })),
        "{events:?}"
    );
    assert_eq!(m.sim.len(), 1, "still stored until acked");
}

#[test]
fn reboot_mid_command_reinitialises() {
    let (mut m, mut d) = booted();
    m.urc(&mut d, "\r\nRDY\r\n");
    let events = m.run(&mut d, 2_000);
    assert!(events.contains(&Event::State(State::Initialising)));
    let init = events
        .iter()
        .position(|e| *e == Event::State(State::Initialising))
        .unwrap();
    assert!(
        events[init..].contains(&Event::State(State::Ready)),
        "{events:?}"
    );
}

#[test]
fn silent_modem_is_power_cycled_with_back_off() {
    let (mut m, mut d) = booted();
    m.silent = true;
    let events = m.run(&mut d, 5 * 60_000);
    assert!(
        events.contains(&Event::State(State::PoweringUp)),
        "{events:?}"
    );
    assert!(m.power.starts_with(&[false, true]), "{:?}", m.power);
    m.silent = false;
    let events = m.run(&mut d, 15 * 60_000);
    assert!(events.contains(&Event::State(State::Ready)), "{events:?}");
}

#[test]
fn unregistered_for_five_minutes_reinitialises() {
    let (mut m, mut d) = booted();
    m.urc(&mut d, "\r\n+CREG: 2\r\n"); // searching
    let events = m.run(&mut d, 20_000);
    assert!(events.contains(&Event::Registration(
        isocket_modem::network::RegStatus::Searching
    )));
    // The periodic AT+CREG? says registered again, so no re-init happens.
    let events = m.run(&mut d, 6 * 60_000);
    assert!(
        !events.contains(&Event::State(State::Initialising)),
        "{events:?}"
    );
}
