//! `sms-cost N`: N command SMS through the engine and the codec (framing,
//! parsing, the security rules, execution, rendering the reply), one after
//! another, from the corpus of every command form. `cargo xtask bench` runs
//! it under `valgrind --tool=callgrind` for N = 0 and N = 2 × the corpus, and
//! divides the difference by the SMS count: instructions per command SMS,
//! the same on any machine load.

use isocket_engine::{Action, BoardInfo, Boot, Engine, Event, Instant, Stored};
use isocket_proto::{Probe, Temperature};

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    // The password commands would turn every later SMS into a wrong-password reply.
    let corpus: Vec<&str> = include_str!("data/commands.txt")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("PASSWORD="))
        .collect();
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
    drain(&mut engine, 0);
    for (i, text) in corpus.iter().cycle().take(count).enumerate() {
        let now = i as u64;
        let sms = Event::SmsReceived {
            from: "+4915112345678",
            text,
            sent_at: None,
        };
        engine.handle(Instant::from_millis(now), sms);
        drain(&mut engine, now);
    }
    println!("{count} SMS, {} corpus forms", corpus.len());
}

/// Plays the board: saves succeed at once, the probe reads 21 °C.
fn drain(engine: &mut Engine, now: u64) {
    loop {
        let mut follow_ups = Vec::new();
        while let Some(action) = engine.poll_action() {
            match action {
                Action::Save(record) => follow_ups.push(Event::Saved { record, ok: true }),
                Action::MeasureTemperature => {
                    let reading = Temperature::from_sixteenths(21 * 16);
                    follow_ups.push(Event::Temperature(Probe::Reading(reading)));
                }
                _ => {}
            }
        }
        if follow_ups.is_empty() {
            return;
        }
        for event in follow_ups {
            engine.handle(Instant::from_millis(now), event);
        }
    }
}
