//! Attacks through what a message says and how it is coded: a
//! concatenated message with a part missing, hostile PDUs, over-long texts,
//! NUL and control characters, case games with the password, and a USSD
//! code that tries to break out of its AT command.

use super::pdu::{self, Body, GSM7, INTERNATIONAL, UCS2};
use super::rig::{OWNER, Rig};
use super::{Attack, Outcome, Status, owned};

pub(super) fn attacks() -> Vec<Attack> {
    vec![
        Attack {
            name: "concatenated-part-missing",
            tried: "the owner's `OFF` as part 1 of 2, and a lone part 3 of 3, the other parts never coming",
            status: Status::Guarded,
            run: concatenated_part_missing,
        },
        Attack {
            name: "hostile-pdus",
            tried: "seeded random PDUs, truncated ones, lengths that lie, and every single-octet change of a stranger's `SECNUMBER-ALL`",
            status: Status::Guarded,
            run: hostile_pdus,
        },
        Attack {
            name: "over-long-text",
            tried: "the owner's commands padded past 30 characters (inside, not at the ends), and a 2-part 200-character text",
            status: Status::Guarded,
            run: over_long_text,
        },
        Attack {
            name: "ucs2-nul",
            tried: "the owner's UCS2 text `ON`, a NUL, then 30 more characters: over 30, so it must not run",
            status: Status::Guarded,
            run: ucs2_nul,
        },
        Attack {
            name: "control-characters",
            tried: "the owner's `ON` with control, zero-width and full-width characters in UCS2",
            status: Status::Guarded,
            run: control_characters,
        },
        Attack {
            name: "password-case-variants",
            tried: "5 wrong passwords in changing case from one number, then the right one from it",
            status: Status::Guarded,
            run: password_case_variants,
        },
        Attack {
            name: "ussd-injection",
            tried: "`CREDITUMS=` values that would close the quoted USSD string or end the AT command, then `CREDIT`",
            status: Status::Guarded,
            run: ussd_injection,
        },
    ]
}

const STRANGER: &str = "+447700900123";

fn concatenated_part_missing() -> Outcome {
    let mut rig = owned();
    rig.owner_says("ON", 20);
    let since = rig.now();
    let at = rig.world_time();
    // Part 1 of 2 only: executing what came would switch off for good.
    rig.sms_raw(&[pdu::deliver(
        INTERNATIONAL,
        OWNER,
        GSM7,
        &pdu::concat(41, 2, 1),
        Body::Text("OFF"),
        &at,
    )]);
    rig.run_s(60);
    // The last part of another message alone.
    rig.sms_raw(&[pdu::deliver(
        INTERNATIONAL,
        OWNER,
        GSM7,
        &pdu::concat(42, 3, 3),
        Body::Text("OFF"),
        &at,
    )]);
    rig.run_s(15 * 60);
    let replies = rig.sent_since(since);
    let switched = rig.relay_switches(since);
    let left = rig.bench.modem.sim.len();
    let answer = owner_answer_s(&mut rig, "STATUS", 120);
    let mut outcome = Outcome::new(2);
    outcome
        .note(format!(
            "after 15 min: relay switched {switched} times, {} replies, {left} parts left on the SIM; owner's STATUS then answered after {}",
            replies.len(),
            seconds(answer)
        ))
        .require(switched == 0, "a prefix was executed")
        .require(replies.is_empty(), "a prefix was answered")
        .require(answer.is_some(), "the owner was not answered");
    outcome
}

/// Seconds to the owner's reply to `text`, if within `limit_s`.
fn owner_answer_s(rig: &mut Rig, text: &str, limit_s: u64) -> Option<u64> {
    let since = rig.now();
    rig.sms(OWNER, text);
    for second in 1..=limit_s {
        rig.run_s(1);
        if !rig.sent_to(OWNER, since).is_empty() {
            return Some(second);
        }
    }
    None
}

fn seconds(s: Option<u64>) -> String {
    s.map_or("never".into(), |s| format!("{s} s"))
}

/// xorshift64*, seeded: the same PDUs on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn byte(&mut self) -> u8 {
        self.next().to_le_bytes()[0]
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn hostile_pdus() -> Outcome {
    let mut rig = owned();
    let settings = rig.settings();
    let since = rig.now();
    let at = rig.world_time();
    let mut rng = Rng(0x1507_2026);
    let mut pdus: Vec<String> = Vec::new();
    // Random octets of random length.
    for _ in 0..100 {
        let len = 1 + (rng.next() % 180) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rng.byte()).collect();
        pdus.push(hex(&bytes));
    }
    // Not hex at all, odd length, empty user data, lying lengths.
    let valid = pdu::text_from(INTERNATIONAL, STRANGER, "SECNUMBER-ALL", &at);
    pdus.extend([
        "ZZ".to_string(),
        "0".to_string(),
        format!("{valid}0"),
        valid[..valid.len() / 2].to_string(),
        format!("{}FF", &valid[..valid.len() - 2]),
        format!("{valid}00112233"),
    ]);
    // Every single-octet change of a stranger's message.
    let octets: Vec<u8> = (0..valid.len() / 2)
        .filter_map(|i| u8::from_str_radix(valid.get(2 * i..2 * i + 2)?, 16).ok())
        .collect();
    for i in 0..octets.len() {
        let mut changed = octets.clone();
        if let Some(b) = changed.get_mut(i) {
            *b ^= 1 << (rng.next() % 8);
        }
        pdus.push(hex(&changed));
    }
    for pdu in &pdus {
        rig.sms_raw(std::slice::from_ref(pdu));
        rig.run_ms(2_000);
    }
    rig.run_s(120);
    let replies = rig.sent_since(since);
    let switched = rig.relay_switches(since);
    let unchanged = rig.settings() == settings;
    let answer = owner_answer_s(&mut rig, "STATUS", 120);
    let left = rig.bench.modem.sim.len();
    let mut outcome = Outcome::new(pdus.len() as u64);
    outcome
        .note(format!(
            "relay switched {switched} times, settings {}, {} SMS sent; owner's STATUS then answered after {}; {left} messages left on the SIM",
            if unchanged { "unchanged" } else { "changed" },
            replies.len(),
            seconds(answer)
        ))
        .require(switched == 0, "the relay was switched")
        .require(unchanged, "a setting changed")
        .require(replies.is_empty(), format!("{} SMS sent", replies.len()))
        .require(answer.is_some_and(|s| s <= 60), "the owner waited over a minute");
    outcome
}

fn over_long_text() -> Outcome {
    let mut rig = owned();
    let since = rig.now();
    let texts = [
        "SECNUMBER+123456789012345678901".to_string(),
        format!("ON{}X", " ".repeat(28)),
        format!("ON {}", "A".repeat(200)),
        format!("SECNUMBER-ALL{}", " ".repeat(10) + "12345678"),
    ];
    for text in &texts {
        rig.sms(OWNER, text);
        rig.run_s(30);
    }
    let replies = rig.sent_since(since);
    let switched = rig.relay_switches(since);
    let list_on = rig.settings().sec_list_on;
    let mut outcome = Outcome::new(texts.len() as u64);
    outcome
        .note(format!(
            "{} replies, relay switched {switched} times, SECLIST {}",
            replies.len(),
            if list_on { "still on" } else { "off" }
        ))
        .require(replies.is_empty(), format!("answered: {replies:?}"))
        .require(switched == 0 && list_on, "a text over 30 characters ran");
    outcome
}

/// The owner's message as UCS2 code units.
fn ucs2_from_owner(rig: &mut Rig, units: &[u16]) {
    let at = rig.world_time();
    let octets = pdu::ucs2(units);
    rig.sms_raw(&[pdu::deliver(
        INTERNATIONAL,
        OWNER,
        UCS2,
        &[],
        Body::Octets(&octets),
        &at,
    )]);
}

fn ucs2_nul() -> Outcome {
    let mut rig = owned();
    let since = rig.now();
    let mut units: Vec<u16> = "ON".encode_utf16().collect();
    units.push(0);
    units.extend("X".repeat(30).encode_utf16());
    ucs2_from_owner(&mut rig, &units);
    rig.run_s(30);
    let replies = rig.sent_since(since);
    let switched = rig.relay_switches(since);
    let mut outcome = Outcome::new(1);
    outcome
        .note(format!(
            "relay switched {switched} times, {} replies",
            replies.len()
        ))
        .require(switched == 0, "the text before the NUL ran")
        .require(replies.is_empty(), format!("answered: {replies:?}"));
    outcome
}

fn control_characters() -> Outcome {
    let mut rig = owned();
    let since = rig.now();
    let texts = [
        "O\u{1}N",
        "ON\u{7}",
        "\u{1b}ON",
        "O\u{7f}N",
        "\u{200b}ON",
        "O\u{200d}N",
        "\u{ff2f}\u{ff2e}",
        "O\u{301}N",
    ];
    for text in texts {
        let units: Vec<u16> = text.encode_utf16().collect();
        ucs2_from_owner(&mut rig, &units);
        rig.run_s(20);
    }
    let replies = rig.sent_since(since);
    let switched = rig.relay_switches(since);
    let not_gsm7 = replies
        .iter()
        .filter(|(_, t)| !isocket_proto::gsm7::is_gsm7_text(t))
        .count();
    let mut outcome = Outcome::new(texts.len() as u64);
    outcome
        .note(format!(
            "relay switched {switched} times; {} replies, {not_gsm7} with characters outside GSM-7",
            replies.len()
        ))
        .require(switched == 0, "a disguised `ON` switched the relay")
        .require(not_gsm7 == 0, "a reply echoed a character outside GSM-7");
    outcome
}

fn password_case_variants() -> Outcome {
    let mut rig = Rig::new();
    let set = rig.owner_says("PASSWORD=12abc", 20);
    let since = rig.now();
    let guesses = ["12ABDON", "12abdON", "12AbDON", "12aBdon", "12ABdOn"];
    for guess in guesses {
        rig.sms(STRANGER, guess);
        rig.run_s(20);
    }
    rig.sms(STRANGER, "12ABCON");
    rig.run_s(20);
    let switched = rig.relay_switches(since);
    let owner = rig.owner_says("12aBcON", 20);
    let mut outcome = Outcome::new(guesses.len() as u64 + 1);
    outcome
        .note(format!(
            "password set: {}; the right password after 5 wrong ones switched the relay {switched} times; another number's `12aBcON` answered {:?}",
            set.iter().any(|r| r == "PASSWORD=***** - OK"),
            owner
        ))
        .require(switched == 0, "the locked-out number got in")
        .require(
            owner.iter().any(|r| r == "Power socket ON"),
            "the owner's mixed-case password was refused",
        );
    outcome
}

fn ussd_injection() -> Outcome {
    let mut rig = Rig::new();
    let values = [
        "CREDITUMS=*100#\";+CFUN=0;\"",
        "CREDITUMS=*100#\r\nAT+CFUN=0",
        "CREDITUMS=*100#\u{1a}AT+CFUN=0",
        "CREDITUMS=*100#,15;+CFUN=0",
        "CREDITUMS=*100\"#",
    ];
    let mut refused = 0;
    for value in values {
        let asked = rig.now();
        rig.sms(OWNER, value);
        rig.run_s(20);
        let replies = rig.sent_to(OWNER, asked);
        refused += usize::from(replies.iter().any(|r| r == "Incorrect value!"));
        rig.sms(OWNER, "CREDIT");
        rig.run_s(60);
    }
    let injected = rig
        .bench
        .modem
        .log
        .iter()
        .filter(|l| l.contains("CFUN=0") || (l.contains("CUSD") && l.contains(';')))
        .count();
    let ussd = rig.bench.modem.ussd_requests.len();
    let mut outcome = Outcome::new(values.len() as u64);
    outcome
        .note(format!(
            "{refused} of {} values refused with `Incorrect value!`; {ussd} USSD requests, {injected} AT lines carrying the payload",
            values.len()
        ))
        .require(injected == 0, "the payload reached the modem")
        .require(refused == values.len(), "a hostile code was accepted");
    outcome
}
