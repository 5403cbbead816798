//! Manual §19 on the engine: who is a phone number, who gets answered how,
//! how far password guessing gets, and what a rejected SMS may change.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use isocket_engine::*;
use isocket_proto::Timestamp;

const BOSS: &str = "+4915112345678";

struct Socket {
    engine: Engine,
    now: u64,
}

/// One SMS the engine sent: the number as dialled, and the text.
type Sent = (String, String);

impl Socket {
    fn new() -> Self {
        let board = BoardInfo {
            product: "isocket test",
            serial: "T-1".try_into().unwrap(),
        };
        let engine = Engine::new(
            board,
            Stored::default(),
            Boot::default(),
            Instant::from_millis(0),
        );
        Socket { engine, now: 0 }
    }

    fn at(&mut self, seconds: u64) -> &mut Self {
        self.now = seconds * 1000;
        self
    }

    fn sms_at(&mut self, from: &str, toa: u8, text: &str, sent_at: Option<Timestamp>) -> Vec<Sent> {
        let now = Instant::from_millis(self.now);
        self.engine.handle(
            now,
            Event::SmsReceived {
                from,
                toa,
                text,
                sent_at,
            },
        );
        self.drain()
    }

    fn sms(&mut self, from: &str, toa: u8, text: &str) -> Vec<Sent> {
        self.sms_at(from, toa, text, None)
    }

    fn boss(&mut self, text: &str) -> Vec<Sent> {
        self.sms(BOSS, toa::INTERNATIONAL, text)
    }

    /// The boss's SMS, its saves answered with `saved` (`None`: never).
    fn boss_saving(&mut self, text: &str, saved: Option<bool>) -> Vec<Sent> {
        let now = Instant::from_millis(self.now);
        let (from, toa, sent_at) = (BOSS, toa::INTERNATIONAL, None);
        let sms = Event::SmsReceived {
            from,
            toa,
            text,
            sent_at,
        };
        self.engine.handle(now, sms);
        self.drain_saving(saved)
    }

    /// Drains the actions, answering every save as durable.
    fn drain(&mut self) -> Vec<Sent> {
        self.drain_saving(Some(true))
    }

    /// Drains the actions, answering saves with `saved` (`None`: never).
    fn drain_saving(&mut self, saved: Option<bool>) -> Vec<Sent> {
        let now = Instant::from_millis(self.now);
        let mut sent = Vec::new();
        loop {
            let mut saves = Vec::new();
            while let Some(action) = self.engine.poll_action() {
                match action {
                    Action::Save(record) => saves.push(record),
                    Action::SendSms { to, text } => {
                        sent.push((to.dial().to_string(), text.to_string()))
                    }
                    _ => {}
                }
            }
            let Some(ok) = saved.filter(|_| !saves.is_empty()) else {
                return sent;
            };
            for record in saves {
                self.engine.handle(now, Event::Saved { record, ok });
            }
        }
    }
}

fn one(to: &str, text: &str) -> Vec<Sent> {
    vec![(to.to_string(), text.to_string())]
}

#[test]
fn an_alphanumeric_sender_id_made_of_digits_is_no_phone_number() {
    let mut s = Socket::new();
    // The owner's number is 33612345678 (France, 11 digits).
    s.sms("+33612345678", toa::INTERNATIONAL, "MAKEMEBOSS");
    assert!(s.engine.settings().sec_list_on);
    // A gateway sends with the sender ID "33612345678": TOA 0xD0.
    let sent = s.sms("33612345678", toa::ALPHANUMERIC, "SECNUMBER-ALL");
    assert_eq!(sent, vec![], "never answered");
    assert!(s.engine.settings().sec_list_on, "never executed");
    assert_eq!(s.engine.settings().sec_numbers.len(), 1);
    // Nor on a socket without any protection: its text never runs.
    let mut open = Socket::new();
    assert_eq!(open.sms("33612345678", toa::ALPHANUMERIC, "ON"), vec![]);
    assert!(!open.engine.relay_is_on());
    // Short codes and other non-dialable types neither.
    assert_eq!(open.sms("12345", 0xB1, "ON"), vec![]);
    assert!(!open.engine.relay_is_on());
}

#[test]
fn a_national_sender_is_answered_and_alerted_without_a_plus() {
    let mut s = Socket::new();
    let sent = s.sms("2025550123", toa::UNKNOWN, "MAKEMEBOSS");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, "2025550123", "not +20… (Egypt)");
    let sent = s.sms("2025550123", toa::NATIONAL, "DATE");
    assert_eq!(sent, one("2025550123", "DATE not set"));
    // The alert list keeps the type it was added with.
    let mut s2 = Socket::new();
    s2.sms("2025550123", toa::UNKNOWN, "ALERTME");
    s2.sms("2025550123", toa::UNKNOWN, "ALERTNUMBER+4915112345678");
    s2.sms("2025550123", toa::UNKNOWN, "POWERALERT=ON");
    s2.engine
        .handle(Instant::from_millis(s2.now), Event::NetworkRegistered);
    s2.engine
        .handle(Instant::from_millis(s2.now), Event::MainsLost);
    let sent = s2.drain();
    let to: Vec<&str> = sent.iter().map(|(to, _)| to.as_str()).collect();
    assert_eq!(to, ["2025550123", "+4915112345678"]);
    // A number typed in a command matches the national sender's digits.
    let mut s3 = Socket::new();
    s3.boss("SECNUMBER+2025550123");
    s3.boss("SECLIST=ON");
    let sent = s3.sms("2025550123", toa::UNKNOWN, "ON");
    assert_eq!(sent, one("2025550123", "Power socket ON"));
}

#[test]
fn password_guessing_from_rotating_numbers_is_bounded_device_wide() {
    let mut s = Socket::new();
    s.boss("PASSWORD=12abc");
    s.boss("12abcERROR=OFF");
    // The owner's phone gave the right password: it is known.
    let mut guesses = 0;
    // Nine numbers take turns, each staying under the per-number lock-out.
    for round in 0..50u64 {
        for n in 0..9u64 {
            s.at(round * 9 + n + 10);
            let from = format!("+4930000000{n}");
            let guess = format!("{:05}OFF", round * 9 + n);
            s.sms(&from, toa::INTERNATIONAL, &guess);
            guesses += 1;
        }
    }
    assert_eq!(guesses, 450);
    // The right password from a number never seen: not heard now.
    s.at(500);
    let sent = s.sms("+4930000000009", toa::INTERNATIONAL, "12abcON");
    assert_eq!(sent, vec![]);
    assert!(!s.engine.relay_is_on(), "the guessed password did not run");
    // The owner, known, still switches.
    let sent = s.boss("12abcON");
    assert_eq!(sent, one(BOSS, "Power socket ON"));
    // An hour after the last wrong guess the check is open again.
    s.at(10 + 450 + 3600);
    let sent = s.sms("+4930000000009", toa::INTERNATIONAL, "12abcOFF");
    assert_eq!(sent, one("+4930000000009", "Power socket OFF"));
}

#[test]
fn ten_wrong_guesses_an_hour_and_no_more() {
    let mut s = Socket::new();
    s.boss("PASSWORD=12abc");
    // Count how many wrong guesses get an answer (ERROR=ON, SMSCONFIRMUNAUTH
    // lets strangers be told): each answered one was checked.
    s.boss("12abcSMSCONFIRMUNAUTH=ON");
    let mut answered = 0;
    for i in 0..100u64 {
        s.at(10 + i);
        let from = format!("+49300000{:03}", i % 20);
        answered += s.sms(&from, toa::INTERNATIONAL, "xxxxxON").len();
    }
    assert_eq!(answered, DEVICE_PASSWORD_FAILURES);
}

#[test]
fn a_rejected_sms_does_not_set_the_clock() {
    let mut s = Socket::new();
    s.boss("MAKEMEBOSS");
    let forged = Timestamp::from_local((2030, 1, 1), (0, 0, 0), 14 * 60);
    s.sms_at("+4930999999", toa::INTERNATIONAL, "STATUS", forged);
    assert_eq!(s.boss("DATE"), one(BOSS, "DATE not set"));
    // The owner's own SMS does.
    let real = Timestamp::from_local((2026, 3, 1), (12, 0, 0), 60);
    s.sms_at(BOSS, toa::INTERNATIONAL, "STATUS", real);
    assert_eq!(s.boss("DATE"), one(BOSS, "DATE 26/03/01,12:00:00+01"));
}

#[test]
fn strangers_cannot_use_up_the_owners_error_replies() {
    let mut s = Socket::new();
    s.boss("MAKEMEBOSS");
    s.boss("SMSCONFIRMUNAUTH=ON");
    for i in 0..100u64 {
        s.at(10 + i);
        s.sms(&format!("+4930{i:05}"), toa::INTERNATIONAL, "ON");
    }
    s.at(200);
    assert_eq!(
        s.boss("FOO"),
        one(BOSS, "FOO - No such command exists on the device!")
    );
}

#[test]
fn on_and_off_are_confirmed_only_once_the_relay_state_is_durable() {
    let mut s = Socket::new();
    s.boss("MAKEMEBOSS");
    assert_eq!(
        s.boss_saving("ON", None),
        vec![],
        "not durable yet: no confirmation"
    );
    assert!(s.engine.relay_is_on());
    s.engine.handle(
        Instant::from_millis(s.now),
        Event::Saved {
            record: Record::Relay,
            ok: true,
        },
    );
    assert_eq!(s.drain(), one(BOSS, "Power socket ON"));
    // A failed save answers Execute error!.
    assert_eq!(
        s.boss_saving("OFF", Some(false)),
        one(BOSS, "Execute error!")
    );
}

#[test]
fn a_save_never_answered_times_out_and_sms_handling_goes_on() {
    let mut s = Socket::new();
    s.boss("MAKEMEBOSS");
    assert_eq!(s.boss_saving("RESTARTTIME=20", None), vec![]);
    // Held meanwhile.
    s.at(1);
    assert_eq!(s.boss("RESTARTTIME?"), vec![]);
    s.at(11);
    s.engine.handle_timeout(Instant::from_millis(s.now));
    let sent = s.drain();
    assert_eq!(
        sent,
        vec![
            (BOSS.to_string(), "Execute error!".to_string()),
            (BOSS.to_string(), "RESTARTTIME=10 seconds".to_string()),
        ]
    );
    // Later answers line up again.
    s.at(20);
    assert_eq!(s.boss("RESTARTTIME=30"), one(BOSS, "RESTARTTIME=30 - OK"));
}
