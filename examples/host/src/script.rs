//! `isocket-host script FILE...`: runs scenario files and reports them
//! exactly as SCENARIOS.md specifies.

use std::fmt::Write as _;
use std::path::Path;

use crate::scenario;
use crate::sim::Simulator;

/// How one scenario file ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every step passed.
    Pass,
    /// A step failed.
    Fail {
        /// The failing line.
        line: usize,
        /// Why.
        reason: String,
        /// SMS, calls and USSD still unconsumed when it failed.
        unconsumed: Vec<String>,
    },
}

/// Runs a scenario given as text, on a factory-fresh simulated device.
pub fn run_text(text: &str) -> Verdict {
    run_with(text, Simulator::new)
}

/// The same, through the device loop, the real modem driver and the emulated modem.
pub fn run_text_through_at(text: &str) -> Verdict {
    run_with(text, Simulator::through_at)
}

fn run_with(text: &str, simulator: fn() -> Simulator) -> Verdict {
    let steps = match scenario::parse(text) {
        Ok(steps) => steps,
        Err(e) => {
            return Verdict::Fail {
                line: e.line,
                reason: e.reason,
                unconsumed: Vec::new(),
            };
        }
    };
    let mut sim = simulator();
    for line in &steps {
        if let Err(reason) = sim.run(&line.step) {
            return Verdict::Fail {
                line: line.number,
                reason,
                unconsumed: sim.unconsumed(),
            };
        }
    }
    Verdict::Pass
}

/// Runs a scenario file (`through_at`: via the emulated modem); an
/// unreadable file fails at line 0.
pub fn run_file(path: &Path, through_at: bool) -> Verdict {
    match std::fs::read_to_string(path) {
        Ok(text) if through_at => run_text_through_at(&text),
        Ok(text) => run_text(&text),
        Err(e) => Verdict::Fail {
            line: 0,
            reason: format!("cannot read: {e}"),
            unconsumed: Vec::new(),
        },
    }
}

/// The report line(s) for one file: `PASS <file>` or `FAIL <file>:<line>: <reason>`
/// followed by what is still unconsumed.
pub fn report(file: &str, verdict: &Verdict) -> String {
    match verdict {
        Verdict::Pass => format!("PASS {file}"),
        Verdict::Fail {
            line,
            reason,
            unconsumed,
        } => {
            let mut out = format!("FAIL {file}:{line}: {reason}");
            for item in unconsumed {
                let _ = write!(out, "\n  unconsumed {item}");
            }
            out
        }
    }
}

/// Runs every file, prints one report per file and the `N passed, M failed`
/// line; returns whether all passed.
pub fn run_files(files: &[String], through_at: bool) -> bool {
    let mut failed = 0;
    for file in files {
        let verdict = run_file(Path::new(file), through_at);
        if verdict != Verdict::Pass {
            failed += 1;
        }
        println!("{}", report(file, &verdict));
    }
    println!("{} passed, {failed} failed", files.len() - failed);
    failed == 0
}
