//! `cargo run -p isocket-host`: the device in a terminal. Type scenario
//! steps (`sms +4915112345678 STATUS`, `call +49…`, `temp 25`, `advance 1m`,
//! `expect relay on`, …); the device's SMS, calls, relay and LED changes print
//! as they happen. Time runs in real time; `advance` skips ahead.

use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant as WallClock};

use crate::scenario::{self, Step};
use crate::sim::Simulator;

const HELP: &str = "\
Steps (the .scn vocabulary of SCENARIOS.md):
  sms <number> <text>      call <number>       answer | reject
  temp <°C> | fail | none  button press | hold <dur>
  signal <dBm> | unknown   network lost | back  network-time
  reboot                   advance <dur>        storage fail | ok
  expect sms <number>      (then the expected text on indented lines)
  expect relay on|off      expect call <number> expect no sms
  help                     quit";

/// How often the simulator catches up with the wall clock while idle.
const IDLE_TICK: Duration = Duration::from_millis(200);

/// Runs the interactive simulator until `quit` or the end of input.
pub fn run() -> ExitCode {
    println!("isocket simulator: a factory-fresh socket, registered on the network.");
    println!("Type `help` for the steps. Try: sms +4915112345678 MAKEMEBOSS");
    // Through the real modem driver, against the built-in emulated modem.
    let mut sim = Simulator::through_at();
    let _ = sim.take_log();
    let lines = stdin_lines();
    let mut wall = WallClock::now();
    let mut body: Option<(String, Vec<String>)> = None;
    prompt();
    loop {
        let line = match lines.recv_timeout(IDLE_TICK) {
            Ok(line) => Some(line),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return ExitCode::SUCCESS,
        };
        // Virtual time follows the wall clock.
        let elapsed = wall.elapsed();
        wall = WallClock::now();
        sim.advance(elapsed);
        print_log(&mut sim);
        let Some(line) = line else {
            continue;
        };
        // An `expect sms` body: indented lines, ended by an empty line.
        if let Some((header, lines)) = body.as_mut() {
            if line.starts_with([' ', '\t']) && !line.trim().is_empty() {
                lines.push(line);
                continue;
            }
            let text = format!("{header}\n{}", lines.join("\n"));
            body = None;
            run_steps(&mut sim, &text);
            if line.trim().is_empty() {
                prompt();
                continue;
            }
        }
        match line.trim() {
            "" => {}
            "quit" | "exit" => return ExitCode::SUCCESS,
            "help" => println!("{HELP}"),
            step if step.starts_with("expect sms") => body = Some((step.to_string(), Vec::new())),
            _ => run_steps(&mut sim, &line),
        }
        if body.is_none() {
            prompt();
        }
    }
}

fn run_steps(sim: &mut Simulator, text: &str) {
    match scenario::parse(text) {
        Ok(steps) => {
            for line in steps {
                let expectation = matches!(
                    line.step,
                    Step::ExpectSms { .. }
                        | Step::ExpectNoSms(_)
                        | Step::ExpectCall(_)
                        | Step::ExpectNoCall
                        | Step::ExpectHangup
                        | Step::ExpectUssd(_)
                        | Step::ExpectRelay(_)
                        | Step::ExpectLed(..)
                        | Step::ExpectShutdown
                );
                let result = sim.run(&line.step);
                print_log(sim);
                match result {
                    Ok(()) if expectation => println!("ok"),
                    Ok(()) => {}
                    Err(reason) => println!("FAIL: {reason}"),
                }
            }
        }
        Err(e) => println!("error: {}", e.reason),
    }
}

fn print_log(sim: &mut Simulator) {
    for (at, entry) in sim.take_log() {
        let (s, ms) = (at.as_secs(), at.subsec_millis());
        println!(
            "[{:>3}:{:02}:{:02}.{ms:03}] {entry}",
            s / 3600,
            s / 60 % 60,
            s % 60
        );
    }
}

fn prompt() {
    print!("> ");
    let _ = std::io::stdout().flush();
}

/// Standard input, line by line, from a reader thread (so the loop never blocks on it).
pub(crate) fn stdin_lines() -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}
