#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! SMS text mode against the scripted modem: the fallback when a modem
//! refuses `AT+CMGF=0`, and the profile's choice. Header shapes come from
//! `tests/data/modem_transcripts.md` (PGT, GM at-sms-txt, SIM800 snippets).

use isocket_modem::driver::{Driver, Event, State};
use isocket_modem::profile::{self, Profile, SmsMode};
use isocket_modem::testing::ScriptedModem;

static TEXT_SIM800: Profile = Profile {
    name: "SIM800, text mode",
    sms_mode: SmsMode::Text,
    ..profile::SIM800
};

/// A modem without PDU mode, booted with one stale message.
fn booted_without_pdu() -> (ScriptedModem, Driver) {
    let mut m = ScriptedModem::new(3);
    m.pdu_mode = false;
    m.store(&isocket_modem::testing::deliver_pdus("+4917", "stale", 0)[0]);
    let mut d = Driver::new(&profile::SIM800, 0);
    // The board's kept clock: the stale message (2020) is decided at once.
    d.trusted_time(0, "2026-01-01T00:00:00+00:00".parse().unwrap());
    let events = m.run(&mut d, 3_000);
    assert!(events.contains(&Event::State(State::Ready)), "{events:?}");
    assert!(d.text_mode());
    assert!(
        m.sim.is_empty(),
        "stale messages are deleted in text mode too"
    );
    (m, d)
}

/// (id, from, text, sent_at in RFC 3339) of each handed-out message.
fn messages(events: &[Event]) -> Vec<(u16, String, String, Option<String>)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Sms {
                id,
                from,
                text,
                sent_at,
                ..
            } => Some((
                *id,
                from.number.to_string(),
                text.to_string(),
                sent_at.map(|t| t.to_rfc3339()),
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn a_modem_refusing_pdu_mode_is_driven_in_text_mode() {
    let (m, _) = booted_without_pdu();
    let at = |c: &str| m.log.iter().position(|l| l == c).unwrap();
    assert!(at("AT+CMGF=0") < at("AT+CMGF=1"));
    assert!(at("AT+CMGF=1") < at("AT+CSCS=\"GSM\""));
    assert!(at("AT+CSCS=\"GSM\"") < at("AT+CSDH=1"));
}

#[test]
fn the_profile_can_ask_for_text_mode() {
    let mut m = ScriptedModem::new(4);
    let mut d = Driver::new(&TEXT_SIM800, 0);
    assert!(m.run(&mut d, 3_000).contains(&Event::State(State::Ready)));
    assert!(d.text_mode());
    assert!(!m.log.iter().any(|c| c == "AT+CMGF=0"), "{:?}", m.log);
    assert!(m.log.iter().any(|c| c == "AT+CMGF=1"));
}

#[test]
fn a_modem_with_pdu_mode_stays_in_pdu_mode() {
    let mut m = ScriptedModem::new(5);
    let mut d = Driver::new(&profile::SIM800, 0);
    m.run(&mut d, 3_000);
    assert!(!d.text_mode());
    assert!(!m.log.iter().any(|c| c == "AT+CMGF=1"));
}

#[test]
fn receive_with_time_stamp_and_delete_only_after_ack() {
    let (mut m, mut d) = booted_without_pdu();
    // The fake shows a PDU the way SIM800 does in text mode with AT+CSDH=1.
    let a = m.deliver(&mut d, "+18005551212", "Socket ON");
    let events = m.run(&mut d, 1_000);
    assert_eq!(
        messages(&events),
        [(
            a,
            "+18005551212".into(),
            "Socket ON".into(),
            Some("2011-01-01T12:34:56+00:00".into())
        )]
    );
    assert!(m.log.iter().any(|c| *c == format!("AT+CMGR={a}")));
    assert_eq!(m.sim.len(), 1, "nothing deleted before ack");
    d.ack(a);
    m.run(&mut d, 500);
    assert!(m.sim.is_empty());
    assert!(m.log.iter().any(|c| *c == format!("AT+CMGD={a}")));
}

#[test]
fn transcript_header_shapes_and_their_time_stamps() {
    let (mut m, mut d) = booted_without_pdu();
    let cases = [
        // PGT: empty unquoted alpha.
        (
            r#""REC UNREAD","+0123456789",,"13/03/08,15:02:16+08""#,
            "Hello world!",
            Some("2013-03-08T15:02:16+02:00"),
        ),
        // SIM800 snippet: quoted empty alpha, negative zone.
        (
            r#""REC UNREAD","+19705551234","","24/04/01,20:25:57-20""#,
            "x",
            Some("2024-04-01T20:25:57-05:00"),
        ),
        // GM Motorola L7: spaces, four-digit year, no zone, no alpha.
        (
            r#""REC READ", "+4123456789132", "2009/8/18,19:11:45""#,
            "Hoewfliepl jookfotu",
            Some("2009-08-18T19:11:45+00:00"),
        ),
        // GM m2m: +80 quarters is no zone; the message still counts.
        (
            r#""REC READ","3473065111",,"06/05/28,18:15:41+80",129,17,0,18,"+393492001157",145,6"#,
            "hello.",
            None,
        ),
        // AT+CSDH=1 with a UCS2 DCS: the body is UCS2 hex.
        (
            r#""REC UNREAD","+4917",,"24/01/01,00:00:00+04",145,4,0,8,"+49",145,4"#,
            "04140430",
            Some("2024-01-01T00:00:00+01:00"),
        ),
        // GM motorola-long: the body spans lines; one starts with a dot.
        (
            r#""REC READ","+4123",,"09/08/18,19:11:45+08""#,
            "first line\r\n.second\r\nthird",
            Some("2009-08-18T19:11:45+02:00"),
        ),
    ];
    let mut ids = Vec::new();
    for (fields, body, _) in cases {
        ids.push(m.deliver_text(&mut d, fields, body));
    }
    // Records without `<length>` settle a second after each read.
    let got = messages(&m.run(&mut d, 30_000));
    let want: Vec<_> = cases
        .iter()
        .zip(&ids)
        .map(|((fields, body, stamp), id)| {
            let from = fields.split(',').nth(1).unwrap().trim().trim_matches('"');
            let text = match *body {
                "04140430" => "Да".to_string(),
                b => b.replace("\r\n", "\n"),
            };
            (*id, from.to_string(), text, stamp.map(String::from))
        })
        .collect();
    assert_eq!(got, want);
}

#[test]
fn stored_status_reports_and_submits_are_not_messages_and_go_after_three_reads() {
    let (mut m, mut d) = booted_without_pdu();
    m.deliver_text(
        &mut d,
        r#",6,20,"0870000000",129,"13/04/29,19:58:00+04","13/04/29,19:59:00+04",0"#,
        "",
    );
    m.deliver_text(
        &mut d,
        r#""STO UNSENT","+10011",,145,17,0,0,167,"+8613800100500",145,4"#,
        "Hello World",
    );
    let b = m.deliver(&mut d, "+18005551212", "after them");
    let events = m.run(&mut d, 2 * 60_000);
    assert_eq!(
        messages(&events).iter().map(|m| m.0).collect::<Vec<_>>(),
        [b]
    );
    // Re-read at every poll, then deleted unread and reported.
    let dropped = events
        .iter()
        .filter(|e| matches!(e, Event::SmsUndecodable { .. }))
        .count();
    assert_eq!(dropped, 2);
    assert_eq!(m.sim.iter().map(|(i, _)| *i).collect::<Vec<_>>(), [b]);
}

#[test]
fn duplicated_announcements_and_lists_hand_out_once() {
    let (mut m, mut d) = booted_without_pdu();
    let a = m.deliver(&mut d, "+18005551212", "once");
    m.send(&mut d, &format!("\r\n+CMTI: \"SM\",{a}\r\n"));
    let events = m.run(&mut d, 2 * 60_000);
    assert_eq!(messages(&events).len(), 1);
    assert!(m.log.iter().any(|c| c == "AT+CMGL=\"ALL\""), "polls list");
    assert!(!m.log.iter().any(|c| c == "AT+CMGL=4"));
}

#[test]
fn a_reboot_falls_back_again_and_keeps_unread_messages() {
    let (mut m, mut d) = booted_without_pdu();
    let a = m.deliver(&mut d, "+18005551212", "during reboot");
    m.reboot_next = true;
    // The read in flight loses its answer to the reboot, and its `RDY` is
    // no URC inside a text-mode read (it could be a sender's text): the
    // registration poll's power-on `n` tells the reset (at most 30 s).
    let events = m.run(&mut d, 45_000);
    assert!(events.contains(&Event::State(State::Ready)), "{events:?}");
    assert!(d.text_mode());
    assert_eq!(
        messages(&events).iter().map(|m| m.0).collect::<Vec<_>>(),
        [a]
    );
}

#[test]
fn send_through_the_prompt_in_text_mode() {
    let (mut m, mut d) = booted_without_pdu();
    let h = d.send_sms("+15555551234", "Socket ON").unwrap();
    let events = m.run(&mut d, 1_000);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::SmsSent { handle, .. } if *handle == h)),
        "{events:?}"
    );
    assert!(
        m.log.iter().any(|c| c == "AT+CMGS=\"+15555551234\""),
        "{:?}",
        m.log
    );
    assert_eq!(m.sent, ["Socket ON"]);
    // 170 characters: two separate messages of 160 and 10.
    let long = "t".repeat(170);
    let h = d.send_sms("+15555551234", &long).unwrap();
    let events = m.run(&mut d, 2_000);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::SmsSent { handle, .. } if *handle == h))
    );
    assert_eq!(m.sent[1..], ["t".repeat(160), "t".repeat(10)]);
    assert_eq!(m.sent_to.len(), 3);
}

#[test]
fn a_text_body_that_reads_like_a_urc_is_the_text() {
    let (mut m, mut d) = booted_without_pdu();
    // With `AT+CSDH=1` (the body cut by its `<length>`); tests/text_bodies.rs
    // has every URC, and the modem that refuses `AT+CSDH=1`.
    let rdy = m.deliver(&mut d, "+4915112345678", "RDY");
    let events = m.run(&mut d, 3_000);
    let clip = m.deliver(&mut d, "+4915112345678", "+CLIP: \"+4915112345678\",145");
    let later = m.run(&mut d, 3_000);
    let got: Vec<(u16, String)> = messages(&events)
        .into_iter()
        .chain(messages(&later))
        .map(|(id, _, text, _)| (id, text))
        .collect();
    assert_eq!(
        got,
        [
            (rdy, "RDY".to_string()),
            (clip, "+CLIP: \"+4915112345678\",145".to_string())
        ]
    );
    let all: Vec<&Event> = events.iter().chain(&later).collect();
    assert!(
        !all.iter().any(|e| matches!(e, Event::Ringing(_))),
        "{all:?}"
    );
    assert!(
        !all.contains(&&Event::State(State::Initialising)),
        "no re-init: {all:?}"
    );
}

/// A reset without a word puts the modem back in PDU mode, its default
/// (SIM800 manual, AT+CMGF): a read in text mode then gets a PDU-mode
/// header. That is a reset (settings lost), not an undecodable message.
#[test]
fn a_pdu_answer_in_text_mode_is_a_reset_not_a_bad_message() {
    let mut m = ScriptedModem::new(6);
    let mut d = Driver::new(&TEXT_SIM800, 0);
    assert!(m.run(&mut d, 3_000).contains(&Event::State(State::Ready)));
    m.silent_reset();
    let a = m.deliver(&mut d, "+18005551212", "after the reset");
    // No `+CMTI` (the reset forgot AT+CNMI): the next poll lists it.
    m.send(&mut d, &format!("\r\n+CMTI: \"SM\",{a}\r\n"));
    let events = m.run(&mut d, 60_000);
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::SmsUndecodable { .. })),
        "{events:?}"
    );
    assert!(
        events.contains(&Event::State(State::Initialising)),
        "re-init"
    );
    assert_eq!(
        messages(&events).iter().map(|m| m.0).collect::<Vec<_>>(),
        [a]
    );
}
