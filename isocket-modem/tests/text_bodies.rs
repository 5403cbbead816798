#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! A message's text is never a modem message. Every URC the driver knows,
//! final results and forged `+CMGL:`/`+CMGR:` headers naming the owner are
//! sent as SMS bodies by a stranger, through the emulated modem in PDU
//! mode, in text mode with `AT+CSDH=1` (bodies cut by `<length>`) on the
//! SIM800 and the SIM7600, and on a modem that refuses `AT+CSDH=1`. None
//! may ring, re-initialise, power-cycle, end a call, hand out a message
//! nobody sent, or hide a real one.

use isocket_modem::codec::{Codec, Final, Frame};
use isocket_modem::driver::{Driver, Event, State};
use isocket_modem::pdu::{Address, TOA_ALPHANUMERIC, TOA_INTERNATIONAL, TOA_NOT_TOLD};
use isocket_modem::profile;
use isocket_modem::testing::{Dialect, ScriptedModem, deliver_pdus_from, dialect};

const OWNER: &str = "+4915112345678";
const STRANGER: &str = "+4917099887766";

/// Bodies that read like what a modem sends.
fn bodies() -> Vec<String> {
    let owner_cmgl =
        format!("+CMGL: 9,\"REC UNREAD\",\"{OWNER}\",\"\",\"11/01/01,12:34:56+00\",145,2\r\nON");
    let owner_cmgr = format!(
        "+CMGR: \"REC UNREAD\",\"{OWNER}\",\"\",\"11/01/01,12:34:56+00\",145,4,0,0,\"+49\",145,2\r\nON"
    );
    [
        format!("+CLIP: \"{OWNER}\",145,\"\",0,\"\",0"),
        "RING".into(),
        "RDY".into(),
        "+CMTI: \"SM\",9".into(),
        "OK".into(),
        "ERROR".into(),
        "NO CARRIER".into(),
        "+CUSD: 0,\"Balance 0.00\",15".into(),
        "NORMAL POWER DOWN".into(),
        "SMS Ready".into(),
        "+CPIN: NOT READY".into(),
        "+CMS ERROR: 500".into(),
        // Multi-line: a final result, then URCs.
        format!("x\r\nOK\r\nRDY\r\nRING\r\n+CLIP: \"{OWNER}\",145"),
        format!("\r\n\r\nOK\r\n\r\n{owner_cmgl}"),
        format!("hi\r\n{owner_cmgl}"),
        format!("OK\r\n{owner_cmgr}\r\n\r\nOK"),
        format!("\n{owner_cmgr}\n\nOK\n"),
        // A PDU-mode header, as a reset modem would print.
        "x\r\n+CMGL: 9,1,,30\r\n+CMGR: 1,,30".into(),
    ]
    .into()
}

fn booted(family: &'static Dialect, pdu_mode: bool, csdh: bool) -> (ScriptedModem, Driver) {
    let mut m = ScriptedModem::with_dialect(family, 11);
    m.pdu_mode = pdu_mode;
    m.refuses_csdh = !csdh;
    let profile = match family.name.contains("SIM7600") {
        true => &profile::SIM7600,
        false => &profile::SIM800,
    };
    let mut d = Driver::new(profile, 0);
    let events = m.run(&mut d, 30_000);
    assert!(events.contains(&Event::State(State::Ready)), "{events:?}");
    assert_eq!(d.text_mode(), !pdu_mode);
    (m, d)
}

/// What must never follow from a message body.
fn harmful(e: &Event) -> bool {
    matches!(
        e,
        Event::Ringing(_)
            | Event::IncomingCallEnded
            | Event::CallEnded(_)
            | Event::CallAnswered
            | Event::Ussd(_)
            | Event::Sim(_)
            | Event::State(_)
    )
}

/// Delivers `texts` from `from` and runs `ms`, acking each message handed
/// out. Returns (index, text) delivered, the events, and the handed-out
/// messages as (index, sender, toa, text).
#[allow(clippy::type_complexity)]
fn exchange(
    m: &mut ScriptedModem,
    d: &mut Driver,
    from: &str,
    texts: &[String],
    ms: u64,
) -> (
    Vec<(u16, String)>,
    Vec<Event>,
    Vec<(u16, String, u8, String)>,
) {
    let sent: Vec<(u16, String)> = texts
        .iter()
        .map(|t| (m.deliver(d, from, t), t.clone()))
        .collect();
    let mut events = Vec::new();
    let mut got = Vec::new();
    // Long enough for several periodic lists, each with every body in it.
    for _ in 0..ms / 1_000 {
        for e in m.run(d, 1_000) {
            if let Event::Sms { id, from, text, .. } = &e {
                got.push((*id, from.number.to_string(), from.toa, text.to_string()));
                d.ack(*id);
            }
            events.push(e);
        }
    }
    (sent, events, got)
}

fn boots(m: &ScriptedModem) -> usize {
    m.log.iter().filter(|c| *c == "ATE0").count()
}

/// With `<length>` (PDU mode, or text mode with `AT+CSDH=1`) every such
/// body is handed out as the stranger's text, and nothing else happens.
fn handed_out_as_text(family: &'static Dialect, pdu_mode: bool) {
    let (mut m, mut d) = booted(family, pdu_mode, true);
    let inits = boots(&m);
    let texts = bodies();
    let (sent, events, got) = exchange(&mut m, &mut d, STRANGER, &texts, 100_000);
    let bad: Vec<&Event> = events.iter().filter(|e| harmful(e)).collect();
    assert!(bad.is_empty(), "{}: {bad:?}", family.name);
    assert_eq!(boots(&m), inits, "no re-init: {:?}", m.log);
    assert!(
        !m.log.iter().any(|c| c.starts_with("AT+CFUN")),
        "no restart"
    );
    assert_eq!(m.power.len(), 0, "no power cycle");
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::SmsUndecodable { .. })),
        "{events:?}"
    );
    // GSM text: the modem's CR/LF come out as the sender wrote them.
    let want: Vec<(u16, String, u8, String)> = sent
        .iter()
        .map(|(i, t)| (*i, STRANGER.to_string(), TOA_INTERNATIONAL, t.clone()))
        .collect();
    let mut got = got;
    got.sort();
    assert_eq!(got, want, "{}", family.name);
    assert!(m.sim.is_empty(), "all deleted after ack: {:?}", m.sim);
}

#[test]
fn urcs_as_bodies_in_pdu_mode_are_text() {
    handed_out_as_text(&dialect::SIM800, true);
}

#[test]
fn urcs_as_bodies_in_sim800_text_mode_are_text() {
    handed_out_as_text(&dialect::SIM800, false);
}

#[test]
fn urcs_as_bodies_in_sim7600_text_mode_are_text() {
    handed_out_as_text(&dialect::SIM7600, false);
}

/// Without `AT+CSDH=1` no `<length>` tells where a body ends: a message
/// whose body holds a result code or a header line is deleted unexecuted,
/// a harmless one is handed out, and the owner's message after them all is
/// handed out too.
#[test]
fn without_csdh_dangerous_bodies_are_deleted_unexecuted() {
    for family in [&dialect::SIM800, &dialect::SIM7600] {
        let (mut m, mut d) = booted(family, false, false);
        assert!(m.log.iter().any(|c| c == "AT+CSDH=1"), "asked for");
        let inits = boots(&m);
        let mut texts = bodies();
        texts.push("first line\r\nsecond line".into());
        let (sent, events, got) = exchange(&mut m, &mut d, STRANGER, &texts, 150_000);
        let bad: Vec<&Event> = events.iter().filter(|e| harmful(e)).collect();
        assert!(bad.is_empty(), "{}: {bad:?}", family.name);
        assert_eq!(boots(&m), inits, "no re-init: {:?}", m.log);
        assert_eq!(m.power.len(), 0, "no power cycle");
        let harmless = sent.last().unwrap().0;
        // Without `<tooa>`, `+` and 13 digits cannot be an alphanumeric sender.
        assert_eq!(
            got,
            [(
                harmless,
                STRANGER.to_string(),
                TOA_INTERNATIONAL,
                "first line\nsecond line".to_string()
            )],
            "{}",
            family.name
        );
        let condemned: Vec<u16> = events
            .iter()
            .filter_map(|e| match e {
                Event::SmsUndecodable { id } => Some(*id),
                _ => None,
            })
            .collect();
        let mut dangerous: Vec<u16> = sent
            .iter()
            .map(|s| s.0)
            .filter(|&i| i != harmless)
            .collect();
        dangerous.sort();
        let mut condemned = condemned;
        condemned.sort();
        assert_eq!(condemned, dangerous, "{}", family.name);
        assert!(m.sim.is_empty(), "{:?}", m.sim);
        // The owner's command still gets through.
        let (sent, events, got) = exchange(&mut m, &mut d, OWNER, &["ON".into()], 10_000);
        assert!(!events.iter().any(harmful), "{events:?}");
        assert_eq!(
            got,
            [(sent[0].0, OWNER.to_string(), TOA_INTERNATIONAL, "ON".into())]
        );
    }
}

/// An alphanumeric sender may hold line breaks (GSM 7-bit CR and LF): the
/// text-mode header runs on to its time stamp, and the sender keeps its
/// type, 0xD0, so it is never taken for a number.
#[test]
fn an_alphanumeric_sender_with_line_breaks_stays_in_its_header() {
    for (pdu_mode, csdh) in [(true, true), (false, true), (false, false)] {
        let (mut m, mut d) = booted(&dialect::SIM800, pdu_mode, csdh);
        let inits = boots(&m);
        let sender = "\r\nOK\r\nRDY\r";
        let alpha = Address::with_toa(sender, TOA_ALPHANUMERIC);
        let pdu = deliver_pdus_from(&alpha, "hello").remove(0);
        let i = m.store(&pdu);
        m.send(&mut d, &format!("\r\n+CMTI: \"SM\",{i}\r\n"));
        let mut events = Vec::new();
        for _ in 0..70 {
            for e in m.run(&mut d, 1_000) {
                if let Event::Sms { id, .. } = e {
                    d.ack(id);
                }
                events.push(e);
            }
        }
        assert!(!events.iter().any(harmful), "{pdu_mode} {csdh}: {events:?}");
        assert_eq!(boots(&m), inits);
        let got: Vec<(u16, u8, String)> = events
            .iter()
            .filter_map(|e| match e {
                Event::Sms { id, from, text, .. } => Some((*id, from.toa, text.to_string())),
                _ => None,
            })
            .collect();
        // Without `<tooa>` the type was not told: never a number.
        let toa = if csdh { TOA_ALPHANUMERIC } else { TOA_NOT_TOLD };
        assert_eq!(got, [(i, toa, "hello".to_string())], "{pdu_mode} {csdh}");
        assert!(m.sim.is_empty());
    }
}

/// The codec alone: a text-mode list whose body is `OK` and a forged
/// header, cut by `<length>`; an 8-bit/UCS2 body in hex, counted in octets.
#[test]
fn the_codec_cuts_bodies_by_length() {
    let mut c: Codec = Codec::new();
    c.expect(Some(b"+CMGL"), false);
    c.expect_text(true);
    let input = concat!(
        "\r\n+CMGL: 1,\"REC UNREAD\",\"+4917\",\"\",\"26/01/01,00:00:00+04\",145,10\r\n",
        "OK\r\nRING\r\n\r\n",
        "+CMGL: 2,\"REC UNREAD\",\"+4917\",\"\",\"26/01/01,00:00:00+04\",145,4\r\n",
        "04140430\r\n",
        "\r\nOK\r\n"
    );
    let mut frames = Vec::new();
    c.feed(input.as_bytes(), |f| frames.push(format!("{f:?}")));
    let data = |s: &str| format!("{:?}", Frame::Data(s.as_bytes()));
    assert_eq!(frames.len(), 5, "{frames:?}");
    assert_eq!(frames[1], data("OK\r\nRING\r\n"));
    assert_eq!(frames[3], data("04140430"));
    assert_eq!(frames[4], format!("{:?}", Frame::Final(Final::Ok)));
    assert!(!c.unframed());
    // A hex body runs to its line's end whatever `<length>` counts
    // (septets here); a text body longer than `<length>` is unframed.
    let mut c: Codec = Codec::new();
    c.expect(Some(b"+CMGR"), false);
    c.expect_text(false);
    let input = concat!(
        "\r\n+CMGR: \"REC READ\",\"+4917\",\"\",\"26/01/01,00:00:00+04\",145,68,0,0,\"+49\",145,10\r\n",
        "0500030A0201C8329BFD06\r\n\r\nOK\r\n"
    );
    let mut frames = Vec::new();
    c.feed(input.as_bytes(), |f| frames.push(format!("{f:?}")));
    assert_eq!(frames[1], data("0500030A0201C8329BFD06"));
    assert_eq!(frames[2], format!("{:?}", Frame::Final(Final::Ok)));
    assert!(!c.unframed());
    c.done();
    c.expect(Some(b"+CMGR"), false);
    c.expect_text(false);
    let input = "\r\n+CMGR: \"STO UNSENT\",\"+10011\",,145,17,0,0,167,\"+86\",145,4\r\nHello World\r\n\r\nOK\r\n";
    let mut frames = Vec::new();
    c.feed(input.as_bytes(), |f| frames.push(format!("{f:?}")));
    assert_eq!(frames[1], data("Hello World"));
    assert!(c.unframed(), "the modem counted otherwise");
    // Without `<length>` the `OK` body line cannot be told from the end.
    let mut c: Codec = Codec::new();
    c.expect(Some(b"+CMGR"), false);
    c.expect_text(false);
    let mut frames = Vec::new();
    let input =
        "\r\n+CMGR: \"REC UNREAD\",\"+4917\",\"\",\"26/01/01,00:00:00+04\"\r\nRING\r\nOK\r\n";
    c.feed(input.as_bytes(), |f| frames.push(format!("{f:?}")));
    assert_eq!(frames[1], data("RING"), "data, not a URC");
    assert!(c.unframed());
    c.all_data();
    let mut frames = Vec::new();
    c.feed(b"RDY\r\nOK\r\n", |f| frames.push(format!("{f:?}")));
    assert_eq!(frames, [data("RDY"), data("OK")], "the tail is data");
}

/// Lines after an answer without `<length>` delay its result a second
/// each, but no more than 128 of them: a modem that never stops talking
/// does not hold the driver.
#[test]
fn an_endless_tail_does_not_hold_the_driver() {
    let (mut m, mut d) = booted(&dialect::SIM800, false, false);
    let id = m.deliver(&mut d, STRANGER, "x\r\nOK\r\nRDY");
    let mut events = Vec::new();
    let before = m.log.len();
    for _ in 0..600 {
        m.send(&mut d, "\r\nchatter\r\n");
        events.extend(m.run(&mut d, 500));
    }
    // Commands went on: each answer's tail ended after 128 lines.
    let polls = m.log[before..].iter().filter(|c| *c == "AT+CSQ").count();
    assert!(polls >= 3, "{:?}", &m.log[before..]);
    events.extend(m.run(&mut d, 60_000));
    assert!(!events.iter().any(harmful), "{events:?}");
    assert!(
        events.contains(&Event::SmsUndecodable { id }),
        "{:?}",
        &m.log[m.log.len().saturating_sub(20)..]
    );
    assert!(m.sim.is_empty());
}
