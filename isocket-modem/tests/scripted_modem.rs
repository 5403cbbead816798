#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The in-crate scripted modem drives the sans-IO driver through init,
//! receive/ack, send (single and multi-part, queued and retried), calls,
//! USSD and supervision, with single faults placed by hand. Random fault
//! schedules are in `fault_injection.rs`.

use isocket_modem::driver::{
    COMMAND_TIMEOUT_MS, CallEnd, Driver, EMPTY_READS, Event, NOISY_READS, State,
};
use isocket_modem::network::RegStatus;
use isocket_modem::profile::{self, Profile};
use isocket_modem::testing::{Dialect, FarEnd, ScriptedModem, dialect};

const PDU: &str = "07912143658709F1040B918100551512F20000111010214365000AE8329BFD4697D9EC37";

fn booted_with(profile: &'static Profile, family: &'static Dialect) -> (ScriptedModem, Driver) {
    let mut m = ScriptedModem::with_dialect(family, 1);
    m.store(PDU); // stale at boot: sent in 2011
    let mut d = Driver::new(profile, 0);
    // The board's kept clock: the stale message is decided at once.
    d.trusted_time(0, "2026-01-01T00:00:00+00:00".parse().unwrap());
    let events = m.run(&mut d, 2_000);
    assert!(events.contains(&Event::State(State::Ready)), "{events:?}");
    assert!(m.sim.is_empty(), "stale messages are deleted at init");
    (m, d)
}

fn booted() -> (ScriptedModem, Driver) {
    booted_with(&profile::SIM800, &dialect::SIM800)
}

fn sms_ids(events: &[Event]) -> Vec<u16> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Sms { id, .. } => Some(*id),
            _ => None,
        })
        .collect()
}

#[test]
fn receive_hand_out_and_delete_only_after_ack() {
    let (mut m, mut d) = booted();
    let a = m.deliver(&mut d, "+18005551212", "hellohello");
    let b = m.deliver(&mut d, "+18005551212", "again");
    let events = m.run(&mut d, 1_000);
    assert_eq!(sms_ids(&events), [a, b]);
    assert_eq!(m.sim.len(), 2, "nothing deleted before ack");
    d.ack(a);
    m.run(&mut d, 500);
    assert_eq!(m.sim.iter().map(|(i, _)| *i).collect::<Vec<_>>(), [b]);
}

#[test]
fn a_duplicated_cmti_hands_a_message_out_once() {
    let (mut m, mut d) = booted();
    let a = m.deliver(&mut d, "+18005551212", "once");
    m.send(&mut d, &format!("\r\n+CMTI: \"SM\",{a}\r\n"));
    // The periodic list sees it still stored, too.
    let events = m.run(&mut d, 2 * 60_000);
    assert_eq!(sms_ids(&events), [a]);
}

#[test]
fn concatenated_message_is_reassembled_and_its_parts_deleted() {
    let (mut m, mut d) = booted();
    let text = "x".repeat(200);
    let last = m.deliver(&mut d, "+18005551212", &text);
    let events = m.run(&mut d, 2_000);
    let got: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Sms { id, text, .. } => Some((*id, text.to_string())),
            _ => None,
        })
        .collect();
    assert_eq!(got, [(last, text)]);
    assert_eq!(
        m.sim.len(),
        1,
        "the first part is deleted, the last waits for ack"
    );
}

#[test]
fn send_sms_through_the_prompt() {
    let (mut m, mut d) = booted();
    let h = d.send_sms("+15555551234", "hi").unwrap();
    let events = m.run(&mut d, 1_000);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::SmsSent { handle, .. } if *handle == h)),
        "{events:?}"
    );
    assert!(m.log.iter().any(|c| c == "AT+CMGS=16"), "{:?}", m.log);
}

#[test]
fn long_sms_goes_out_in_concatenated_parts() {
    let (mut m, mut d) = booted();
    let text = "Temperature report. ".repeat(20); // 400 chars: 3 parts
    let h = d.send_sms("+15555551234", &text).unwrap();
    let events = m.run(&mut d, 2_000);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::SmsSent { handle, .. } if *handle == h))
    );
    assert_eq!(m.sent.len(), 3);
    assert!(
        d.send_sms("+1", &"y".repeat(1_000)).is_err(),
        "over 4 parts"
    );
}

#[test]
fn sms_without_network_is_queued_and_retried() {
    let (mut m, mut d) = booted();
    m.registered = false;
    let h = d.send_sms("+15555551234", "queued").unwrap();
    let events = m.run(&mut d, 2 * 60_000);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::SmsFailed { handle, .. } if *handle == h))
    );
    assert!(m.sent.is_empty());
    assert_eq!(d.queued_sms(), 1, "not dropped");
    m.registered = true;
    let events = m.run(&mut d, 4 * 60_000);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::SmsSent { handle, .. } if *handle == h)),
        "{events:?}"
    );
    assert_eq!(m.sent.len(), 1);
    assert_eq!(d.queued_sms(), 0);
}

#[test]
fn a_full_queue_refuses_and_drops_nothing_until_tries_run_out() {
    let (mut m, mut d) = booted();
    m.send_error = Some(500);
    for i in 0..4 {
        d.send_sms("+15555551234", &format!("n{i}")).unwrap();
    }
    assert_eq!(d.sms_room(), 0);
    assert!(d.send_sms("+15555551234", "fifth").is_err());
    // Nine failed tries each: still queued.
    let events = m.run(&mut d, 40 * 60_000);
    assert!(
        !events.iter().any(|e| matches!(e, Event::SmsDropped { .. })),
        "{events:?}"
    );
    assert!(d.send_sms("+15555551234", "fifth").is_err());
    // The tenth try, with back-off up to 10 min: about an hour.
    let events = m.run(&mut d, 40 * 60_000);
    let dropped = events
        .iter()
        .filter(|e| matches!(e, Event::SmsDropped { .. }))
        .count();
    assert_eq!(dropped, 4, "{events:?}");
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::SmsFailed { attempts: 9, .. }))
    );
    assert_eq!(d.sms_room(), 4);
}

#[test]
fn tries_without_network_do_not_count() {
    let (mut m, mut d) = booted();
    // Registered, says the modem, but no SMS service (`+CMS ERROR: 331`):
    // each poll finds it registered again, and the message is tried again.
    m.send_error = Some(331);
    let h = d.send_sms("+15555551234", "queued").unwrap();
    // Hours of tries: never dropped.
    let events = m.run(&mut d, 3 * 60 * 60_000);
    let tries = m.log.iter().filter(|c| c.starts_with("AT+CMGS=")).count();
    assert!(tries > 10, "{tries} tries");
    assert!(
        !events.iter().any(|e| matches!(e, Event::SmsDropped { .. })),
        "{events:?}"
    );
    m.send_error = None;
    let events = m.run(&mut d, 11 * 60_000);
    assert!(sent(&events, h), "{events:?}");
}

#[test]
fn a_permanent_refusal_drops_only_that_message() {
    let (mut m, mut d) = booted();
    m.send_delay_ms = 40_000;
    m.refuse_to.push(("+15555550001".into(), 1)); // unassigned number
    let bad = d.send_sms("+15555550001", "to nobody").unwrap();
    let good = d.send_sms("+15555550002", "to somebody").unwrap();
    let events = m.run(&mut d, 5 * 60_000);
    assert!(
        events
            .iter()
            .any(|e| *e == Event::SmsDropped { handle: bad }),
        "{events:?}"
    );
    assert!(sent(&events, good), "{events:?}");
    assert!(!sent(&events, bad));
    // Tried twice (the same cause twice in a row), not ten times.
    assert_eq!(
        m.log.iter().filter(|c| c.starts_with("AT+CMGS=")).count(),
        3
    );
    assert_eq!(d.queued_sms(), 0);
}

#[test]
fn a_temporary_refusal_keeps_the_message_and_lets_the_others_go() {
    let (mut m, mut d) = booted();
    m.refuse_to.push(("+15555550001".into(), 27)); // destination out of service
    let bad = d.send_sms("+15555550001", "later").unwrap();
    let good = d.send_sms("+15555550002", "now").unwrap();
    let events = m.run(&mut d, 5 * 60_000);
    assert!(sent(&events, good), "{events:?}");
    assert!(!events.iter().any(|e| matches!(e, Event::SmsDropped { .. })));
    m.refuse_to.clear();
    let events = m.run(&mut d, 10 * 60_000);
    assert!(sent(&events, bad), "{events:?}");
}

#[test]
fn urgent_messages_go_before_one_that_failed() {
    let (mut m, mut d) = booted();
    m.send_delay_ms = 5_000;
    m.refuse_to.push(("+15555550001".into(), 27)); // destination out of service
    d.send_sms("+15555550001", "reply").unwrap();
    m.run(&mut d, 34_000); // refused at about 5 s: due again 30 s later
    m.refuse_to.clear();
    // Alert 1 goes at once; the reply is due when it is done, as is alert 2.
    d.send_urgent_sms("+15555550002", "alert 1").unwrap();
    d.send_urgent_sms("+15555550003", "alert 2").unwrap();
    m.run(&mut d, 60_000);
    let texts: Vec<String> = m.take_sent().into_iter().map(|(_, t)| t).collect();
    assert_eq!(texts, ["alert 1", "alert 2", "reply"]);
}

#[test]
fn fresh_messages_go_in_queue_order() {
    let (mut m, mut d) = booted();
    d.send_sms("+15555550001", "reply").unwrap();
    d.send_urgent_sms("+15555550002", "alert").unwrap();
    m.run(&mut d, 10_000);
    let texts: Vec<String> = m.take_sent().into_iter().map(|(_, t)| t).collect();
    assert_eq!(texts, ["reply", "alert"]);
}

#[test]
fn status_report_becomes_an_event() {
    let (mut m, mut d) = booted();
    // pdu_vectors.md R5 (gammu): TP-MR 232, delivered.
    m.send(
        &mut d,
        "\r\n+CDS: 33\r\n079124603050020006E80C91666666666666909070618422809090706184628000\r\n",
    );
    let events = m.run(&mut d, 200);
    assert!(
        events.contains(&Event::StatusReport {
            reference: 232,
            delivered: true
        }),
        "{events:?}"
    );
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
    let events = m.run(&mut d, 6_000);
    assert!(events.contains(&Event::CallAnswered), "{events:?}");
    m.send(&mut d, "\r\nNO CARRIER\r\n");
    assert!(
        m.run(&mut d, 200)
            .contains(&Event::CallEnded(CallEnd::Ended))
    );
    m.send(
        &mut d,
        "\r\nRING\r\n\r\n+CLIP: \"+27821231234\",145,,,,0\r\n",
    );
    let events = m.run(&mut d, 200);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Ringing(Some(c)) if c.number == "+27821231234"))
    );
}

#[test]
fn clcc_polling_tells_answered_rejected_and_unanswered() {
    for (far_end, expected) in [
        (FarEnd::Answers, Event::CallAnswered),
        (FarEnd::Rejects, Event::CallEnded(CallEnd::Rejected)),
        (FarEnd::Ignores, Event::CallEnded(CallEnd::Unanswered)),
    ] {
        let (mut m, mut d) = booted_with(&profile::EC21, &dialect::EC21);
        m.far_end = far_end;
        d.dial("+4912345");
        let events = m.run(&mut d, 60_000);
        assert!(events.contains(&expected), "{far_end:?}: {events:?}");
        let polls = m.log.iter().filter(|c| *c == "AT+CLCC").count();
        assert!(polls >= 3, "{far_end:?}: {polls} polls");
        if far_end == FarEnd::Ignores {
            assert!(
                m.log.iter().any(|c| c == "AT+CHUP"),
                "hung up as the EC21 obeys"
            );
        }
    }
}

#[test]
fn garbage_and_a_missing_ok_do_not_lose_messages() {
    let (mut m, mut d) = booted();
    m.send(&mut d, "\u{7f}\u{0}garbage ~~\r\n");
    m.drop_next_ok = true;
    let a = m.deliver(&mut d, "+18005551212", "still here");
    let events = m.run(&mut d, 10_000);
    assert_eq!(sms_ids(&events), [a]);
    assert_eq!(m.sim.len(), 1, "still stored until acked");
}

#[test]
fn reboot_mid_command_reinitialises_and_keeps_pending_work() {
    let (mut m, mut d) = booted();
    let a = m.deliver(&mut d, "+18005551212", "during reboot");
    m.reboot_next = true; // the AT+CMGR is lost to the reboot
    // RDY, then `SMS Ready` 9 s after the reboot (SIM800).
    let events = m.run(&mut d, 12_000);
    let init = events
        .iter()
        .position(|e| *e == Event::State(State::Initialising))
        .expect("re-init");
    assert!(
        events[init..].contains(&Event::State(State::Ready)),
        "{events:?}"
    );
    assert_eq!(sms_ids(&events), [a], "read after the re-init, not deleted");
    assert!(
        !m.log.iter().any(|c| c == "AT+CMGD=1,4"),
        "no delete-all, ever"
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
fn unregistered_then_registered_again_does_not_reinitialise() {
    let (mut m, mut d) = booted();
    m.send(&mut d, "\r\n+CREG: 2\r\n"); // searching
    let events = m.run(&mut d, 20_000);
    assert!(events.contains(&Event::Registration(RegStatus::Searching)));
    // The periodic AT+CREG? says registered again, so no re-init happens.
    let events = m.run(&mut d, 6 * 60_000);
    assert!(
        !events.contains(&Event::State(State::Initialising)),
        "{events:?}"
    );
}

/// Truncated: TP-UDL says 10 septets, the data holds fewer (pdu_fixtures.json style).
const BROKEN_PDU: &str = "07912143658709F1040B918100551512F20000111010214365000AE8329B";

fn reads_of(m: &ScriptedModem, index: u16) -> usize {
    let cmd = format!("AT+CMGR={index}");
    m.log.iter().filter(|c| **c == cmd).count()
}

#[test]
fn a_stored_pdu_that_never_decodes_is_deleted_and_reported() {
    let (mut m, mut d) = booted();
    let bad = m.store(BROKEN_PDU);
    m.send(&mut d, &format!("\r\n+CMTI: \"SM\",{bad}\r\n"));
    let good = m.deliver(&mut d, "+18005551212", "still fine");
    let events = m.run(&mut d, 3 * 60_000);
    assert_eq!(sms_ids(&events), [good]);
    let dropped: Vec<_> = events
        .iter()
        .filter(|e| matches!(e, Event::SmsUndecodable { .. }))
        .collect();
    assert_eq!(dropped, [&Event::SmsUndecodable { id: bad }]);
    // Three strikes, then three reads that find the index empty after the delete.
    assert_eq!(reads_of(&m, bad), 3 + usize::from(EMPTY_READS));
    assert_eq!(m.sim.iter().map(|(i, _)| *i).collect::<Vec<_>>(), [good]);
}

#[test]
fn a_read_garbled_by_noise_does_not_condemn_a_message() {
    let (mut m, mut d) = booted();
    let i = m.store(PDU);
    m.send(&mut d, &format!("\r\n+CMTI: \"SM\",{i}\r\n"));
    // Noise makes each of the first reads a different undecodable answer;
    // reads of the same index follow at once, so each is answered by hand.
    for garbled in [
        BROKEN_PDU,
        "07912143658709F1040B918100551512F20000111010214365000AE8329C",
    ] {
        m.sim[0].1 = garbled.to_string();
        let tx = d.poll_transmit(m.now).expect("a read").to_vec();
        assert_eq!(tx, format!("AT+CMGR={i}\r").as_bytes());
        m.write(&tx);
        let answer = m.read();
        d.handle(m.now, &answer);
    }
    m.sim[0].1 = PDU.to_string();
    let events = m.run(&mut d, 30_000);
    assert_eq!(
        reads_of(&m, i),
        2 + 2 + usize::from(NOISY_READS),
        "two garbled reads, then two that agree and the noisy line's extra ones"
    );
    assert_eq!(sms_ids(&events), [i]);
}

#[test]
fn a_lost_delete_answer_does_not_delete_a_new_message_at_the_same_index() {
    let (mut m, mut d) = booted();
    m.reuse_indices = true;
    let a = m.deliver(&mut d, "+18005551212", "first");
    assert_eq!(sms_ids(&m.run(&mut d, 1_000)), [a]);
    d.ack(a);
    m.drop_next_ok = true; // the AT+CMGD is done, its OK lost
    m.run(&mut d, 1_000);
    assert!(m.sim.is_empty(), "deleted, but the driver does not know");
    // A new message lands in the freed index before the delete is retried.
    let b = m.deliver(&mut d, "+18005551212", "second");
    assert_eq!(b, a, "the modem reuses the lowest free index");
    let events = m.run(&mut d, 60_000);
    assert_eq!(
        sms_ids(&events),
        [b],
        "the new message is read, not deleted"
    );
    assert_eq!(m.sim.len(), 1, "kept until acked");
    d.ack(b);
    m.run(&mut d, 1_000);
    assert!(m.sim.is_empty());
}

#[test]
fn a_lost_delete_answer_with_the_message_still_stored_deletes_it_once() {
    let (mut m, mut d) = booted();
    m.reuse_indices = true;
    let a = m.deliver(&mut d, "+18005551212", "first");
    assert_eq!(sms_ids(&m.run(&mut d, 1_000)), [a]);
    d.ack(a);
    m.silent = true; // the AT+CMGD is lost: the message stays
    m.run(&mut d, 6_000);
    m.silent = false;
    let events = m.run(&mut d, 60_000);
    assert!(sms_ids(&events).is_empty(), "not handed out again");
    assert!(
        m.sim.is_empty(),
        "deleted after the read showed it unchanged"
    );
}

#[test]
fn a_message_is_handed_out_only_when_two_reads_agree() {
    let (mut m, mut d) = booted();
    let a = m.deliver(&mut d, "+18005551212", "Socket ON");
    m.run(&mut d, 1_000);
    let reads = m
        .log
        .iter()
        .filter(|c| **c == format!("AT+CMGR={a}"))
        .count();
    assert_eq!(reads, 2);
}

#[test]
fn a_lost_ok_in_the_init_is_tried_again_not_power_cycled() {
    let mut m = ScriptedModem::new(1);
    m.drop_next_ok = true; // the first ATE0 goes unanswered
    let mut d = Driver::new(&profile::SIM800, 0);
    let events = m.run(&mut d, 10_000);
    assert!(events.contains(&Event::State(State::Ready)), "{events:?}");
    assert!(
        !events.contains(&Event::State(State::PoweringUp)),
        "{events:?}"
    );
    assert!(m.power.is_empty(), "{:?}", m.power);
    assert_eq!(m.log.iter().filter(|c| *c == "ATE0").count(), 2);
}

#[test]
fn an_init_command_failing_every_try_power_cycles() {
    let mut m = ScriptedModem::new(1);
    m.silent = true;
    let mut d = Driver::new(&profile::SIM800, 0);
    let events = m.run(&mut d, 20_000);
    assert!(
        events.contains(&Event::State(State::PoweringUp)),
        "{events:?}"
    );
    let tries = m.log.iter().filter(|c| *c == "ATE0").count();
    assert_eq!(tries, usize::from(isocket_modem::driver::INIT_ATTEMPTS));
}

#[test]
fn an_ok_garbled_by_one_byte_ends_the_command() {
    let (m, mut d) = booted();
    let now = m.now;
    d.hang_up();
    assert_eq!(d.poll_transmit(now), Some(&b"ATH\r"[..]));
    d.handle(now, b"\r\nOKK\r\n");
    // Nothing is in flight any more: the next command goes at once.
    d.hang_up();
    assert_eq!(d.poll_transmit(now), Some(&b"ATH\r"[..]));
    d.handle(now, b"\r\nOX?\r\n"); // two bytes off: not an OK
    d.hang_up();
    assert_eq!(d.poll_transmit(now), None, "still waiting for the answer");
}

#[test]
fn registration_is_polled_often_while_the_network_is_gone() {
    let (mut m, mut d) = booted();
    m.set_registered(false);
    let start = m.log.len();
    m.run(&mut d, 60_000);
    let polls = m.log[start..].iter().filter(|c| *c == "AT+CREG?").count();
    // Every 2 s instead of every 30 s (the URC may have been lost).
    assert!(polls >= 25, "{polls} polls in a minute");
    m.set_registered(true);
    let start = m.log.len();
    m.run(&mut d, 60_000);
    let polls = m.log[start..].iter().filter(|c| *c == "AT+CREG?").count();
    // A settings check every SETTINGS_CHECK_MS, the full polls sharing it.
    let checks = (60_000 / isocket_modem::driver::SETTINGS_CHECK_MS) as usize;
    assert!(polls <= checks + 1, "{polls} polls in a registered minute");
}

#[test]
fn a_lost_prompt_is_left_with_esc_before_the_next_command() {
    let (mut m, mut d) = booted();
    let handle = d.send_sms("+4915112345678", "hello").unwrap();
    let tx = d.poll_transmit(m.now).expect("AT+CMGS").to_vec();
    assert!(tx.starts_with(b"AT+CMGS="), "{tx:?}");
    m.write(&tx);
    let _lost = m.read(); // the "> " never reaches the driver
    // The modem still waits for a PDU: without ESC the next command would
    // be typed into it. The driver gives up the send and escapes first.
    let events = m.run(&mut d, 2 * 60_000);
    let sent = |e: &Event| matches!(e, Event::SmsSent { handle: h, .. } if *h == handle);
    assert!(events.iter().any(sent), "{events:?}");
    assert!(
        !events.contains(&Event::State(State::PoweringUp)),
        "{events:?}"
    );
    assert_eq!(m.sent.len(), 1, "sent once: {:?}", m.sent);
}

fn sent(events: &[Event], handle: u16) -> bool {
    events
        .iter()
        .any(|e| matches!(e, Event::SmsSent { handle: h, .. } if *h == handle))
}

#[test]
fn a_sent_part_ends_the_other_messages_back_off() {
    let (mut m, mut d) = booted();
    m.send_error = Some(500);
    let a = d.send_sms("+15555551234", "first").unwrap();
    m.run(&mut d, 100_000); // a fails at 0, 30 and 90 s: next try at 210 s
    let b = d.send_sms("+15555551235", "second").unwrap();
    m.run(&mut d, 1_000); // b fails once: next try 30 s later
    m.send_error = None;
    let events = m.run(&mut d, 35_000);
    assert!(sent(&events, b), "{events:?}");
    // The network took b: a goes at once instead of waiting until 210 s.
    assert!(sent(&events, a), "{events:?}");
}

#[test]
fn poll_timeout_is_not_in_the_past_while_a_command_is_in_flight() {
    let (m, mut d) = booted();
    d.hang_up();
    assert_eq!(d.poll_transmit(m.now), Some(&b"ATH\r"[..]));
    // Due at once, but it cannot start before ATH is answered.
    d.send_sms("+15555551234", "hi").unwrap();
    assert!(
        d.poll_timeout() > m.now,
        "{} <= {}",
        d.poll_timeout(),
        m.now
    );
}

#[test]
fn a_pdu_after_a_garbled_header_still_counts() {
    let (mut m, mut d) = booted();
    let i = m.store(PDU);
    m.send(&mut d, &format!("\r\n+CMTI: \"SM\",{i}\r\n"));
    // Two reads whose header line noise made unreadable; the PDU is intact.
    let mut events = Vec::new();
    for _ in 0..2 {
        let tx = d.poll_transmit(m.now).expect("a read").to_vec();
        assert_eq!(tx, format!("AT+CMGR={i}\r").as_bytes());
        d.handle(
            m.now,
            format!("\r\n+CMXR: 0,,36\r\n{PDU}\r\n\r\nOK\r\n").as_bytes(),
        );
        events.extend(std::iter::from_fn(|| d.poll_event()));
    }
    assert_eq!(sms_ids(&events), [i]);
}

#[test]
fn three_unanswered_commands_in_a_row_mean_a_reinit() {
    let (mut m, mut d) = booted();
    m.silent = true;
    let quiet_from = m.log.len();
    m.run(&mut d, 2 * 60_000);
    let unanswered = m.log[quiet_from..]
        .iter()
        .take_while(|c| *c != "ATE0")
        .count();
    assert_eq!(unanswered, 3, "{:?}", &m.log[quiet_from..]);
}

#[test]
fn a_read_that_times_out_is_asked_again_at_once() {
    let (mut m, mut d) = booted();
    m.silent = true;
    let index = m.deliver(&mut d, "+18005551212", "hello");
    // Another message waits: the retry goes before it.
    m.deliver(&mut d, "+18005551212", "again");
    let read = format!("AT+CMGR={index}");
    let mut sent = Vec::new();
    for _ in 0..80 {
        let start = m.log.len();
        m.run(&mut d, 100);
        sent.extend(m.log[start..].iter().map(|c| (m.now, c.clone())));
        // The first read went unanswered; the modem answers again.
        if sent.iter().any(|(_, c)| *c == read) {
            m.silent = false;
        }
    }
    let reads: Vec<u64> = sent
        .iter()
        .filter(|(_, c)| *c == read)
        .map(|(t, _)| *t)
        .collect();
    assert!(reads.len() >= 2, "{sent:?}");
    // The next command after the timeout is the same read.
    let first = sent.iter().position(|(_, c)| *c == read).unwrap();
    assert_eq!(sent[first + 1].1, read, "{sent:?}");
    assert!(reads[1] - reads[0] <= COMMAND_TIMEOUT_MS + 200, "{reads:?}");
}

#[test]
fn a_strangers_no_carrier_does_not_end_our_call() {
    // Our call rings at the far end (nobody answers yet) while a stranger
    // calls us and gives up: the SIM800 prints `NO CARRIER` for the missed
    // call, which names no call. Only `AT+CLCC` tells whose call it was.
    let (mut m, mut d) = booted();
    m.far_end = FarEnd::Manual;
    d.dial("+4912345");
    m.run(&mut d, 2_000);
    m.ring("+4930999999");
    let events = m.run(&mut d, 35_000);
    assert!(events.contains(&Event::IncomingCallEnded), "{events:?}");
    assert!(
        !events.iter().any(|e| matches!(e, Event::CallEnded(_))),
        "{events:?}"
    );
    assert!(m.call_ringing(), "our call still rings");
    // Our own call's end is still ours.
    m.reject_call();
    let events = m.run(&mut d, 5_000);
    assert!(
        events.contains(&Event::CallEnded(CallEnd::Rejected)),
        "{events:?}"
    );
}
