//! The attack suite: each attack a stranger (or a faulty flash) can try on
//! the socket, run through the whole device loop ([`rig`]: the engine, the
//! real AT driver and the emulated SIM800, in virtual time), with what it
//! tried, how many times, and whether the socket held.
//!
//! `isocket-host attacks [--all] [NAME…]` runs them and prints one
//! tab-separated line per attack (`attack`, name, tries, `held` or
//! `BROKEN`, `ci` or `open (fix)`, what it tried, outcome); `cargo xtask attacks` writes those
//! lines into RELIABILITY.md's "Attacks tried" table, and
//! `examples/host/tests/attacks.rs` runs each as its own test. An attack
//! whose fix has not landed yet is [`Status::Open`]: written and run by
//! `--all`, kept out of CI and the default run.

pub mod pdu;
pub mod rig;

mod floods;
mod messages;
mod senders;
mod state;

use std::fmt::Write as _;

/// Whether an attack is expected to hold on this code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The socket holds: CI runs it.
    Guarded,
    /// Known to break until this fix lands: out of CI.
    Open(&'static str),
}

/// One attack.
pub struct Attack {
    /// Short name (the test's and the table's).
    pub name: &'static str,
    /// What it tries, in a sentence.
    pub tried: &'static str,
    /// Guarded or open.
    pub status: Status,
    /// Runs it.
    pub run: fn() -> Outcome,
}

/// What one run of an attack found.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Hostile inputs tried (SMS, calls, flipped bits, …).
    pub tries: u64,
    /// What was measured, in words, every figure from the run.
    pub figures: Vec<String>,
    /// Each way the socket did not hold.
    pub failures: Vec<String>,
}

impl Outcome {
    /// An outcome for `tries` hostile inputs.
    pub fn new(tries: u64) -> Self {
        Outcome {
            tries,
            ..Outcome::default()
        }
    }

    /// Notes a figure of the run.
    pub fn note(&mut self, figure: impl Into<String>) -> &mut Self {
        self.figures.push(figure.into());
        self
    }

    /// Requires `held`; otherwise `failure` is why the attack broke through.
    pub fn require(&mut self, held: bool, failure: impl Into<String>) -> &mut Self {
        if !held {
            self.failures.push(failure.into());
        }
        self
    }

    /// Whether the socket held.
    pub fn held(&self) -> bool {
        self.failures.is_empty()
    }

    /// The outcome in one line: the figures, then what broke.
    pub fn summary(&self) -> String {
        let mut out = self.figures.join("; ");
        if !self.failures.is_empty() {
            let _ = write!(
                out,
                "{}BROKEN: {}",
                if out.is_empty() { "" } else { "; " },
                self.failures.join("; ")
            );
        }
        out.replace(['\t', '\n'], " ")
    }
}

/// A fresh device whose owner ([`rig::OWNER`]) sent `MAKEMEBOSS`: on the
/// SECLIST, the list active, first ALERTNUMBER.
pub fn owned() -> rig::Rig {
    let mut rig = rig::Rig::new();
    rig.owner_says("MAKEMEBOSS", 20);
    rig
}

/// Every attack, in the table's order.
pub fn all() -> Vec<Attack> {
    let mut attacks = Vec::new();
    attacks.extend(senders::attacks());
    attacks.extend(messages::attacks());
    attacks.extend(floods::attacks());
    attacks.extend(state::attacks());
    attacks
}

/// The attack called `name`.
pub fn find(name: &str) -> Option<Attack> {
    all().into_iter().find(|a| a.name == name)
}

/// Runs one attack; a panic in the device loop is a broken attack.
pub fn run(attack: &Attack) -> Outcome {
    let run = attack.run;
    match std::panic::catch_unwind(run) {
        Ok(outcome) => outcome,
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            let mut outcome = Outcome::new(0);
            outcome.require(false, format!("panicked: {message}"));
            outcome
        }
    }
}

/// The machine-readable line of one run.
pub fn line(attack: &Attack, outcome: &Outcome) -> String {
    format!(
        "attack\t{}\t{}\t{}\t{}\t{}\t{}",
        attack.name,
        outcome.tries,
        if outcome.held() { "held" } else { "BROKEN" },
        match attack.status {
            Status::Guarded => "ci".to_string(),
            Status::Open(fix) => format!("open ({fix})"),
        },
        attack.tried,
        outcome.summary()
    )
}

/// `isocket-host attacks [--all] [NAME…]`: runs the guarded attacks (all
/// with `--all`, or those named) and prints their lines; `false` if a
/// guarded one broke or a name is unknown.
pub fn main(args: &[String]) -> bool {
    let every = args.iter().any(|a| a == "--all");
    let names: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let attacks = all();
    let mut ok = true;
    for name in &names {
        if !attacks.iter().any(|a| a.name == name.as_str()) {
            eprintln!("no attack called {name}");
            ok = false;
        }
    }
    for attack in &attacks {
        let chosen = match names.is_empty() {
            true => every || attack.status == Status::Guarded,
            false => names.iter().any(|n| n.as_str() == attack.name),
        };
        if !chosen {
            continue;
        }
        let outcome = run(attack);
        println!("{}", line(attack, &outcome));
        if attack.status == Status::Guarded && !outcome.held() {
            ok = false;
        }
    }
    ok
}
