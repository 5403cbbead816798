//! Attacks by numbers: floods of strangers' SMS and calls, a full SIM,
//! reassembly slots held by parts that never complete, password guesses
//! rotated over many numbers; and alerts that must reach every number.

use super::pdu::{self, Body, GSM7, INTERNATIONAL};
use super::rig::{OWNER, Rig};
use super::{Attack, Outcome, Status, owned};

pub(super) fn attacks() -> Vec<Attack> {
    vec![
        Attack {
            name: "sms-flood",
            tried: "300 SMS from 300 strangers, one a second (commands, `MAKEMEBOSS`, password guesses), the owner's `STATUS` in the middle",
            status: Status::Guarded,
            run: sms_flood,
        },
        Attack {
            name: "sim-full-flood",
            tried: "200 strangers' SMS at once on a 30-message SIM (the network holds the rest), the owner's `ON` behind them",
            status: Status::Guarded,
            run: sim_full_flood,
        },
        Attack {
            name: "call-hammering",
            tried: "`RING=SWITCH`: 60 calls from 20 strangers, each ringing until the caller gives up, then the owner's call",
            status: Status::Guarded,
            run: call_hammering,
        },
        Attack {
            name: "reassembly-slots-held",
            tried: "20 strangers each send part 1 of a 2-part message that never completes, then the owner's `ON`",
            status: Status::Guarded,
            run: reassembly_slots_held,
        },
        Attack {
            name: "unsendable-replies",
            tried: "`SMSCONFIRMUNAUTH=ON`: 6 strangers whose numbers the network refuses (unassigned, transfer rejected) send `ON`, then the owner's `STATUS`",
            status: Status::Guarded,
            run: unsendable_replies,
        },
        Attack {
            name: "password-rotation",
            tried: "60 wrong passwords rotated over 20 numbers in 20 min, then the right one from a 21st number",
            status: Status::Guarded,
            run: password_rotation,
        },
        Attack {
            name: "alerts-to-ten",
            tried: "ten ALERTNUMBERs; an alarm, a temperature alert, a scheduler `INF` and a mains failure",
            status: Status::Guarded,
            run: alerts_to_ten,
        },
        Attack {
            name: "stranger-no-carrier",
            tried: "`ALERT=CALL`: a stranger's call gives up (`NO CARRIER`) while the device's alarm call rings",
            status: Status::Guarded,
            run: stranger_no_carrier,
        },
    ]
}

/// Seconds to the owner's first reply after `since`, polling each second
/// up to `limit_s`.
fn wait_owner(rig: &mut Rig, since: u64, limit_s: u64) -> Option<u64> {
    for second in 0..=limit_s {
        if !rig.sent_to(OWNER, since).is_empty() {
            return Some(second);
        }
        rig.run_s(1);
    }
    None
}

fn stranger(i: usize) -> String {
    format!("+44770090{:04}", i % 10_000)
}

fn sms_flood() -> Outcome {
    let mut rig = owned();
    let settings = rig.settings();
    let since = rig.now();
    let texts = ["ON", "SECNUMBER-ALL", "MAKEMEBOSS", "STATUS", "12345ON"];
    let mut owner_at = 0;
    for i in 0..300 {
        rig.sms(
            &stranger(i),
            texts.get(i % texts.len()).copied().unwrap_or("ON"),
        );
        if i == 150 {
            owner_at = rig.now();
            rig.sms(OWNER, "STATUS");
        }
        rig.run_s(1);
    }
    let answer = rig
        .sent
        .iter()
        .find(|(at, to, _)| *at >= owner_at && to.trim_start_matches('+') == &OWNER[1..])
        .map(|(at, _, _)| (at - owner_at) / 1000);
    rig.run_s(120);
    let to_strangers = rig
        .sent_since(since)
        .iter()
        .filter(|(to, _)| to.trim_start_matches('+') != &OWNER[1..])
        .count();
    let switched = rig.relay_switches(since);
    let unchanged = rig.settings() == settings;
    let left = rig.bench.modem.sim.len();
    let mut outcome = Outcome::new(300);
    outcome
        .note(format!(
            "owner's STATUS answered after {}; relay switched {switched} times, settings {}, {to_strangers} SMS to strangers, {left} messages left on the SIM",
            answer.map_or("never".into(), |s| format!("{s} s")),
            if unchanged { "unchanged" } else { "changed" }
        ))
        .require(answer.is_some_and(|s| s <= 30), "the owner waited over 30 s")
        .require(switched == 0 && unchanged, "a stranger's command ran")
        .require(to_strangers == 0, "strangers were answered");
    outcome
}

fn sim_full_flood() -> Outcome {
    let mut rig = owned();
    let since = rig.now();
    for i in 0..200 {
        rig.sms(&stranger(i), "ON");
    }
    let held = rig.bench.modem.network_queue.len();
    rig.sms(OWNER, "ON");
    let answer = wait_owner(&mut rig, since, 600);
    let replies = rig.sent_to(OWNER, since);
    rig.run_s(600);
    let left = rig.bench.modem.sim.len() + rig.bench.modem.network_queue.len();
    let mut outcome = Outcome::new(200);
    outcome
        .note(format!(
            "the network held {held} for the full SIM; owner's ON answered after {} ({replies:?}); {left} messages left 10 min later",
            answer.map_or("over 10 min".into(), |s| format!("{s} s"))
        ))
        .require(answer.is_some_and(|s| s <= 300), "the owner waited over 5 min")
        .require(
            replies.iter().any(|r| r == "Power socket ON"),
            "the owner's ON was not executed",
        )
        .require(left == 0, "the SIM was not emptied");
    outcome
}

fn call_hammering() -> Outcome {
    let mut rig = owned();
    rig.owner_says("RING=SWITCH", 20);
    let since = rig.now();
    let mut hung_up = 0;
    for i in 0..60 {
        rig.bench.modem.ring(&stranger(i % 20));
        rig.run_s(32);
        hung_up += u64::from(rig.bench.modem.hung_up_incoming);
    }
    let switched = rig.relay_switches(since);
    let sent = rig.sent_since(since).len();
    let owner_since = rig.now();
    rig.bench.modem.ring(OWNER);
    rig.run_s(20);
    let owner_switched = rig.relay_switches(owner_since);
    let mut outcome = Outcome::new(60);
    outcome
        .note(format!(
            "relay switched {switched} times by strangers, {hung_up} of their calls hung up, {sent} SMS sent; the owner's call then switched it {owner_switched} time(s)"
        ))
        .require(switched == 0 && sent == 0, "a stranger's call acted")
        .require(hung_up == 0, "strangers' calls were hung up (left alone by manual §7)")
        .require(owner_switched == 1, "the owner's call did not switch");
    outcome
}

fn reassembly_slots_held() -> Outcome {
    let mut rig = owned();
    for i in 0..20 {
        let at = rig.world_time();
        let first = pdu::deliver(
            INTERNATIONAL,
            &stranger(i),
            GSM7,
            &pdu::concat(u8::try_from(i).unwrap_or(0), 2, 1),
            Body::Text("SECNUMBER-ALL"),
            &at,
        );
        rig.sms_raw(&[first]);
        rig.run_s(2);
    }
    let owner_at = rig.now();
    rig.sms(OWNER, "ON");
    let answer = wait_owner(&mut rig, owner_at, 120);
    let replies = rig.sent_to(OWNER, owner_at);
    let mut outcome = Outcome::new(20);
    outcome
        .note(format!(
            "owner's ON answered after {} ({replies:?}); SECLIST {}",
            answer.map_or("over 2 min".into(), |s| format!("{s} s")),
            if rig.settings().sec_list_on {
                "still on"
            } else {
                "off"
            }
        ))
        .require(
            answer.is_some_and(|s| s <= 30),
            "the owner waited over 30 s",
        )
        .require(
            replies.iter().any(|r| r == "Power socket ON"),
            "not executed",
        )
        .require(
            rig.settings().sec_list_on,
            "a stranger's part changed the list",
        );
    outcome
}

fn password_rotation() -> Outcome {
    let mut rig = Rig::new();
    rig.owner_says("PASSWORD=12abc", 20);
    let known = rig.owner_says("12abcSTATUS", 20);
    let since = rig.now();
    for i in 0..60 {
        rig.sms(&stranger(i % 20), &format!("{:05}ON", 10_000 + i));
        rig.run_s(20);
    }
    let guessed_at = rig.now();
    rig.sms(&stranger(20), "12abcON");
    rig.run_s(30);
    let attacker_switched = rig.relay_switches(guessed_at);
    let wrong_answered = rig
        .sent_since(since)
        .iter()
        .filter(|(to, _)| to.trim_start_matches('+') != &OWNER[1..])
        .count();
    let owner = rig.owner_says("12abcON", 30);
    let mut outcome = Outcome::new(61);
    outcome
        .note(format!(
            "owner's password known ({}); the right password from a fresh number after 60 wrong ones switched the relay {attacker_switched} times; {wrong_answered} replies to the guessers; the owner's `12abcON` then answered {owner:?}",
            known.len()
        ))
        .require(attacker_switched == 0, "the rotated guesses got through")
        .require(owner.iter().any(|r| r == "Power socket ON"), "the owner was locked out");
    outcome
}

/// The owner and nine more ALERTNUMBERs.
const FRIENDS: usize = 9;

fn friend(i: usize) -> String {
    format!("+3361234{:04}", i)
}

fn alerts_to_ten() -> Outcome {
    let mut rig = owned();
    for i in 0..FRIENDS {
        rig.owner_says(&format!("ALERTNUMBER+{}", friend(i)), 10);
    }
    rig.owner_says("DATE=26/01/01,01:00:00+00", 10);
    let mut outcome = Outcome::new(4);
    let mut count = |rig: &mut Rig, what: &str, since: u64, prefix: &str| {
        let reached = (0..FRIENDS)
            .map(friend)
            .chain([OWNER.to_string()])
            .filter(|n| rig.sent_to(n, since).iter().any(|t| t.starts_with(prefix)))
            .count();
        outcome
            .note(format!("{what}: {reached} of {}", FRIENDS + 1))
            .require(reached == FRIENDS + 1, format!("{what} missed numbers"));
    };
    rig.owner_says("ALARMON", 10);
    let since = rig.now();
    rig.bench.inputs.contact_closed = true;
    rig.run_s(300);
    count(&mut rig, "ALARM!", since, "ALARM!");
    rig.bench.inputs.contact_closed = false;
    rig.owner_says("ALARMOFF", 120);

    rig.owner_says("TRISEALERT=25C", 10);
    let since = rig.now();
    rig.bench.probe =
        isocket_proto::Probe::Reading(isocket_proto::Temperature::from_sixteenths(30 * 16));
    rig.run_s(300);
    count(&mut rig, "TRISEALERT!", since, "TRISEALERT!");

    let since = rig.now();
    let minute = rig.now() / 60_000 + 2;
    rig.owner_says(
        &format!("SCHEDULER+{:02}:{:02},*,INF", 1 + minute / 60, minute % 60),
        10,
    );
    rig.run_s(300);
    count(&mut rig, "scheduler INF", since, "Power socket");

    let since = rig.now();
    rig.bench.inputs.mains_present = false;
    rig.run_s(300);
    count(&mut rig, "Power failure!", since, "Power failure!");
    outcome
}

fn stranger_no_carrier() -> Outcome {
    let mut rig = owned();
    rig.owner_says(&format!("ALERTNUMBER+{}", friend(0)), 10);
    rig.owner_says("ALERT=CALL", 10);
    rig.owner_says("ALARMON", 10);
    let since = rig.now();
    rig.bench.modem.ring(&stranger(1));
    rig.run_s(15);
    rig.bench.inputs.contact_closed = true;
    rig.run_s(120);
    let calls: Vec<(u64, String)> = rig
        .bench
        .outputs
        .iter()
        .filter(|(at, _)| *at >= since)
        .filter_map(|(at, o)| match o {
            isocket_device::Output::Calling(to) => Some((*at, to.as_str().to_string())),
            _ => None,
        })
        .collect();
    let first_ring_s = match (calls.first(), calls.get(1)) {
        (Some((a, _)), Some((b, _))) => Some((b - a) / 1000),
        _ => None,
    };
    let mut outcome = Outcome::new(1);
    outcome
        .note(format!(
            "calls {:?}; the first rang {}",
            calls.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>(),
            first_ring_s.map_or("until the end".into(), |s| format!("{s} s"))
        ))
        .require(
            first_ring_s.is_none_or(|s| s >= 20),
            "the stranger's NO CARRIER ended the device's call",
        );
    outcome
}

fn unsendable_replies() -> Outcome {
    let mut rig = owned();
    rig.owner_says("SMSCONFIRMUNAUTH=ON", 10);
    // Strangers whose numbers the network refuses for good: unassigned
    // (cause 1) and short message transfer rejected (21), 3GPP TS 24.011
    // §8.2.5.4 (a spoofed sender that does not exist, a barred one).
    let strangers: Vec<(String, u16)> = (0..6)
        .map(|i| (stranger(100 + i), if i % 2 == 0 { 1 } else { 21 }))
        .collect();
    for (number, cause) in &strangers {
        rig.bench.modem.refuse_to.push((number.clone(), *cause));
        rig.sms(number, "ON");
        rig.run_s(5);
    }
    let owner_at = rig.now();
    rig.sms(OWNER, "STATUS");
    let answer = wait_owner(&mut rig, owner_at, 3600);
    let mut outcome = Outcome::new(strangers.len() as u64);
    outcome
        .note(format!(
            "{} replies the network refuses queued; the owner's STATUS answered after {}",
            strangers.len(),
            answer.map_or("over an hour".into(), |s| format!("{s} s"))
        ))
        .require(
            answer.is_some_and(|s| s <= 120),
            "the owner waited over 2 min",
        );
    outcome
}
