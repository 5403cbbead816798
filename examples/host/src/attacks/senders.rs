//! Attacks on who the device thinks a sender is: an alphanumeric sender ID
//! made of a trusted number's digits, a national number answered in
//! international format, and (text mode) message bodies that read like the
//! modem's own lines.

use super::pdu::{self, ALPHANUMERIC, NATIONAL, UNKNOWN};
use super::rig::{OWNER, Rig};
use super::{Attack, Outcome, Status, owned};

pub(super) fn attacks() -> Vec<Attack> {
    vec![
        Attack {
            name: "alphanumeric-sender-id",
            tried: "`SECNUMBER-ALL`, `ON`, `SECLIST=OFF` from an alphanumeric sender ID (TOA 0xD0) spelling a SECNUMBER's digits, in PDU and text mode",
            status: Status::Guarded,
            run: alphanumeric_sender_id,
        },
        Attack {
            name: "national-sender",
            tried: "`STATUS` from senders in national (TOA 161) and unknown (TOA 129) format, in PDU and text mode",
            status: Status::Guarded,
            run: national_sender,
        },
        Attack {
            name: "short-code-sender",
            tried: "`STATUS` and `ON` to an unprotected socket from senders the network marks not dialable (abbreviated TOA 0xE1, network-specific 0xB1)",
            status: Status::Guarded,
            run: short_code_sender,
        },
        Attack {
            name: "short-number-unknown-type",
            tried: "`STATUS` and `ON` to an unprotected socket from 5- and 6-digit numbers of unknown type (TOA 129)",
            status: Status::Guarded,
            run: short_number_unknown_type,
        },
        Attack {
            name: "hidden-caller",
            tried: "`RING=SWITCH`: withheld callers (also right after the owner's call), a caller ID of letters, a stranger's `RING` without `+CLIP`",
            status: Status::Guarded,
            run: hidden_caller,
        },
        Attack {
            name: "text-mode-clip-body",
            tried: "text mode, `RING=SWITCH`: a stranger's SMS whose body is `RING` and `+CLIP: \"+<owner>\",145`",
            status: Status::Guarded,
            run: text_mode_clip_body,
        },
        Attack {
            name: "text-mode-rdy-body",
            tried: "text mode: a stranger's SMS whose body is `RDY` (the modem's reboot line)",
            status: Status::Guarded,
            run: text_mode_rdy_body,
        },
    ]
}

/// A friend's number on the owner's SECLIST; the attacker registers an
/// alphanumeric sender ID of the same digits (SMS gateways let anyone do so).
const FRIEND: &str = "33612345678";

fn alphanumeric_sender_id() -> Outcome {
    let commands = ["SECNUMBER-ALL", "ON", "SECLIST=OFF"];
    let mut outcome = Outcome::new(2 * commands.len() as u64);
    // PDU mode, then text mode (the sender's type from `AT+CSDH=1`).
    for text_mode in [false, true] {
        let mut rig = match text_mode {
            false => owned(),
            true => self::text_mode(),
        };
        rig.owner_says(&format!("SECNUMBER+{FRIEND}"), 20);
        let since = rig.now();
        for text in commands {
            let at = rig.world_time();
            rig.sms_raw(&[pdu::text_from(ALPHANUMERIC, FRIEND, text, &at)]);
            rig.run_s(20);
        }
        let settings = rig.settings();
        let replies = rig.sent_since(since);
        let switched = rig.relay_switches(since);
        outcome
            .note(format!(
                "{}: SECLIST {} with {} numbers, relay switched {switched} times, {} replies",
                if text_mode { "text mode" } else { "PDU mode" },
                if settings.sec_list_on { "on" } else { "off" },
                settings.sec_numbers.len(),
                replies.len()
            ))
            .require(
                settings.sec_list_on && settings.sec_numbers.len() == 2,
                "the list was changed",
            )
            .require(switched == 0, "the relay was switched")
            .require(replies.is_empty(), "an alphanumeric sender was answered");
    }
    outcome
}

fn national_sender() -> Outcome {
    let senders = [(NATIONAL, "2025550123"), (UNKNOWN, "2025550124")];
    let mut outcome = Outcome::new(2 * senders.len() as u64);
    for text_mode in [false, true] {
        let mut rig = match text_mode {
            false => Rig::new(),
            true => Rig::with_modem(|m| m.pdu_mode = false),
        };
        for (toa, number) in senders {
            let since = rig.now();
            let at = rig.world_time();
            rig.sms_raw(&[pdu::text_from(toa, number, "STATUS", &at)]);
            rig.run_s(20);
            let to: Vec<String> = rig
                .sent
                .iter()
                .filter(|(t, _, _)| *t >= since)
                .map(|(_, to, _)| to.clone())
                .collect();
            let mode = if text_mode { "text mode" } else { "PDU mode" };
            outcome
                .note(format!("{mode}, TOA {toa}: answered to {to:?}"))
                .require(
                    to.iter().all(|t| t == number) && !to.is_empty(),
                    format!("{mode}: TOA {toa} `{number}` not answered as `{number}`"),
                );
        }
    }
    outcome
}

fn short_code_sender() -> Outcome {
    short_senders(&[(0xE1, "4242"), (0xB1, "80888")])
}

fn short_number_unknown_type() -> Outcome {
    short_senders(&[(UNKNOWN, "80888"), (UNKNOWN, "242424")])
}

/// `STATUS` and `ON` from each sender to a fresh (unprotected) socket:
/// none may be answered (it may cost money) or executed.
fn short_senders(senders: &[(u8, &str)]) -> Outcome {
    let mut rig = Rig::new();
    let since = rig.now();
    let mut tries = 0;
    for &(toa, number) in senders {
        for text in ["STATUS", "ON"] {
            let at = rig.world_time();
            rig.sms_raw(&[pdu::text_from(toa, number, text, &at)]);
            rig.run_s(20);
            tries += 1;
        }
    }
    let replies = rig.sent_since(since);
    let switched = rig.relay_switches(since);
    let mut outcome = Outcome::new(tries);
    outcome
        .note(format!(
            "{} replies, relay switched {switched} times",
            replies.len()
        ))
        .require(replies.is_empty(), "a short code was answered")
        .require(switched == 0, "a short code's command ran");
    outcome
}

fn hidden_caller() -> Outcome {
    let mut rig = owned();
    rig.owner_says("RING=SWITCH", 20);
    let since = rig.now();
    // A withheld number (`+CLIP: "",128`), a caller ID no phone has.
    for caller in ["", "SHOP"] {
        rig.bench.modem.ring(caller);
        rig.run_s(35);
    }
    // The owner's call (one switch, one reply), then a withheld caller
    // right after: the owner's caller ID must not carry over.
    let owner_at = rig.now();
    rig.bench.modem.ring(OWNER);
    rig.run_s(35);
    let owner_switched = rig.relay_switches(owner_at);
    rig.bench.modem.ring("");
    rig.run_s(35);
    // A stranger's RING with no caller line at all (CLIP forgotten by a
    // silent reset): whatever the driver learns later is the stranger's.
    rig.bench.modem.volatile.clip = false;
    rig.bench.modem.ring("+447700900123");
    rig.run_s(35);
    let strangers_switched = rig.relay_switches(since) - owner_switched;
    let to_others = rig
        .sent_since(since)
        .iter()
        .filter(|(to, _)| to.trim_start_matches('+') != OWNER.trim_start_matches('+'))
        .count();
    let to_owner = rig.sent_to(OWNER, since).len();
    let mut outcome = Outcome::new(4);
    outcome
        .note(format!(
            "relay switched {strangers_switched} times by calls without the owner's ID, {} by the owner's; {to_owner} SMS to the owner, {to_others} to others",
            owner_switched
        ))
        .require(
            strangers_switched == 0,
            "a call without the owner's caller ID switched the relay",
        )
        .require(owner_switched == 1 && to_owner == 1, "the owner's own call did not act once")
        .require(to_others == 0, "a caller without an ID was answered");
    outcome
}

fn text_mode() -> Rig {
    let mut rig = Rig::with_modem(|m| m.pdu_mode = false);
    rig.owner_says("MAKEMEBOSS", 30);
    rig
}

/// A stranger's message arrives while the device runs (read with
/// `AT+CMGR`), or waits on the SIM while the device restarts (listed with
/// `AT+CMGL` by the driver's start).
fn arrives(rig: &mut Rig, from: &str, body: &str, at_boot: bool) {
    rig.sms(from, body);
    if at_boot {
        rig.reboot(false);
    }
}

fn text_mode_clip_body() -> Outcome {
    let mut rig = text_mode();
    let set = rig.owner_says("RING=SWITCH", 30);
    let stranger = "+447700900123";
    let bodies = [
        format!("+CLIP: \"{OWNER}\",145,\"\",0,\"\",0"),
        format!("RING\n\n+CLIP: \"{OWNER}\",145,\"\",0,\"\",0"),
        format!("RING\r\n+CLIP: \"{OWNER}\",145"),
    ];
    let since = rig.now();
    let mut tries = 0;
    for at_boot in [false, true] {
        for body in &bodies {
            arrives(&mut rig, stranger, body, at_boot);
            rig.run_s(40);
            tries += 1;
        }
    }
    let switched = rig.relay_switches(since);
    let replies = rig.sent_since(since);
    let mut outcome = Outcome::new(tries);
    outcome
        .note(format!(
            "RING=SWITCH set: {}; read at once and listed at a restart: relay switched {switched} times, {} SMS sent",
            set.iter().any(|r| r.contains("RING=SWITCH - OK")),
            replies.len()
        ))
        .require(switched == 0, "a message body was taken for the owner's call")
        .require(replies.is_empty(), format!("answered: {replies:?}"));
    outcome
}

fn text_mode_rdy_body() -> Outcome {
    let mut rig = text_mode();
    let stranger = "+447700900123";
    let bodies = ["RDY", "RDY\r\n+CPIN: READY\r\nSMS Ready", "\r\nRDY\r\n"];
    let mut outcome = Outcome::new(2 * bodies.len() as u64);
    for at_boot in [false, true] {
        for body in bodies {
            arrives(&mut rig, stranger, body, at_boot);
            rig.run_s(10);
            let since = rig.now();
            rig.sms(OWNER, "STATUS");
            let mut answered = None;
            for second in 1..=120 {
                rig.run_s(1);
                if !rig.sent_to(OWNER, since).is_empty() {
                    answered = Some(second);
                    break;
                }
            }
            let left = rig.bench.modem.sim.len();
            outcome
                .note(format!(
                    "`{}` {}: owner's STATUS answered after {}, {left} messages left on the SIM",
                    body.escape_debug(),
                    if at_boot {
                        "listed at a restart"
                    } else {
                        "read at once"
                    },
                    answered.map_or("more than 120 s".into(), |s| format!("{s} s"))
                ))
                .require(
                    answered.is_some(),
                    "the owner was not answered within 2 min",
                )
                .require(left == 0, "the stranger's message stays on the SIM");
        }
    }
    outcome
}
