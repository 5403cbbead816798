//! `sms-cost N`: N command SMS through the engine (framing, parsing, the
//! security rules, execution, rendering the reply), one after another, from
//! the weighted mix of `data/sms_mix.txt` (everyday commands weighted up,
//! every other form once, confirmations on). `cargo xtask bench` runs it
//! under `valgrind --tool=callgrind` for N = 0 and N = two rounds (236), and divides the
//! difference by the SMS count: instructions per command SMS, the same on any
//! machine load.
//!
//! It prints `N SMS, R replies, F forms in a round of M`; it fails when a
//! command of the mix got no reply (confirmations switched off would bias
//! the figure low).

use std::process::ExitCode;

use isocket_engine::{Action, BoardInfo, Boot, Engine, Event, Instant, Stored};
use isocket_proto::{Probe, Temperature};

const BOSS: &str = "+4915112345678";

fn main() -> ExitCode {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    let forms = mix();
    let round = shuffled(&forms);
    let board = BoardInfo {
        product: "isocket bench",
        serial: "B-1".try_into().unwrap_or_default(),
    };
    let mut engine = Engine::new(
        board,
        Stored::default(),
        Boot::default(),
        Instant::from_millis(0),
    );
    let mut replies = 0;
    sms(&mut engine, 0, "MAKEMEBOSS");
    drain(&mut engine, 0);
    let mut unanswered = Vec::new();
    for (i, text) in round.iter().cycle().take(count).enumerate() {
        // A second apart: timed switching and RESTART run their timers.
        let now = 1000 * (i as u64 + 1);
        engine.handle_timeout(Instant::from_millis(now));
        sms(&mut engine, now, text);
        let got = drain(&mut engine, now);
        if got == 0 {
            unanswered.push(*text);
        }
        replies += got;
    }
    println!(
        "{count} SMS, {replies} replies, {} forms in a round of {}",
        forms.len(),
        round.len()
    );
    if unanswered.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("sms-cost: no reply to {unanswered:?}");
        ExitCode::FAILURE
    }
}

fn sms(engine: &mut Engine, now: u64, text: &str) {
    let sms = Event::SmsReceived {
        from: BOSS,
        toa: isocket_engine::toa::INTERNATIONAL,
        text,
        sent_at: None,
    };
    engine.handle(Instant::from_millis(now), sms);
}

/// `(weight, command)` lines of the mix.
fn mix() -> Vec<(usize, &'static str)> {
    include_str!("data/sms_mix.txt")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let (weight, text) = l.split_once(' ')?;
            Some((weight.parse().ok()?, text))
        })
        .collect()
}

/// One round of the mix, each command `weight` times, in an order fixed by a
/// small seeded shuffle (so switching is spread over the round).
fn shuffled(forms: &[(usize, &'static str)]) -> Vec<&'static str> {
    let mut round: Vec<&str> = forms
        .iter()
        .flat_map(|&(weight, text)| std::iter::repeat_n(text, weight))
        .collect();
    let mut state: u64 = 2026;
    for i in (1..round.len()).rev() {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        round.swap(i, (state >> 33) as usize % (i + 1));
    }
    round
}

/// Plays the board: saves succeed at once, the probe reads 21 °C, the
/// operator answers USSD. Returns the SMS the engine sent.
fn drain(engine: &mut Engine, now: u64) -> usize {
    let mut sent = 0;
    loop {
        let mut follow_ups = Vec::new();
        let mut ussd = false;
        while let Some(action) = engine.poll_action() {
            match action {
                Action::SendSms { .. } => sent += 1,
                Action::Save(record) => follow_ups.push(Event::Saved { record, ok: true }),
                Action::MeasureTemperature => {
                    let reading = Temperature::from_sixteenths(21 * 16);
                    follow_ups.push(Event::Temperature(Probe::Reading(reading)));
                }
                Action::SendUssd(_) => ussd = true,
                _ => {}
            }
        }
        if ussd {
            follow_ups.push(Event::UssdAnswer("Balance 12.34 EUR, valid to 31.12."));
        }
        if follow_ups.is_empty() {
            return sent;
        }
        for event in follow_ups {
            engine.handle(Instant::from_millis(now), event);
        }
    }
}
