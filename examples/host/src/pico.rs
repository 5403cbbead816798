//! `isocket-host pico`: a scenario on the Pico release image, emulated.
//!
//! The chip is `xtask/pico-sim` (rp2040js under Node, a child process on a
//! pipe); this side is everything wired to it: the emulated modem of
//! `isocket_modem::testing` on UART0, the contact, button and mains inputs,
//! the observed outputs, and the supply. Both run in lock-step on the
//! chip's simulated clock, one millisecond at a time, so the firmware's
//! timing, the modem's and the scenario's are one time line.
//!
//! Scenarios are `.scn` files (SCENARIOS.md). On a chip, replies take the
//! time they take, so every `expect` waits up to [`PATIENCE`] of simulated
//! time for its condition, and `expect no sms` watches [`QUIET`] first.
//! Steps that need a view into the firmware (`expect led`, `modem …`,
//! `storage …`, `ussd-reply`) are refused: the pins are all there is.

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use isocket_modem::testing::{FarEnd, ScriptedModem};

use crate::scenario::{self, ProbeSetting, Step};

/// How long an `expect` waits for the chip, in simulated time.
pub const PATIENCE: Duration = Duration::from_secs(60);
/// How long `expect no sms` watches before it passes.
pub const QUIET: Duration = Duration::from_secs(10);
/// The longest the chip runs without the modem's side looking: a modem
/// answers within this, and conditions are checked at least this often.
const MAX_SLICE_MS: u64 = 20;
/// A button press, as a finger makes it.
const PRESS: Duration = Duration::from_millis(200);

/// The board's signals on the Pico's pins, from `examples/wiring.csv`.
#[derive(Debug, Clone)]
pub struct Wiring {
    pins: HashMap<String, u8>,
}

impl Wiring {
    /// Reads the `rp2040-pico` column (`GP<n>` cells) of the wiring table.
    pub fn from_csv(text: &str) -> Result<Self, String> {
        let mut rows = text.lines();
        let header: Vec<&str> = rows
            .next()
            .ok_or("empty wiring table")?
            .split(',')
            .collect();
        let column = header
            .iter()
            .position(|h| *h == "rp2040-pico")
            .ok_or("no rp2040-pico column")?;
        let mut pins = HashMap::new();
        for row in rows {
            let cells: Vec<&str> = row.split(',').collect();
            let (Some(signal), Some(cell)) = (cells.first(), cells.get(column)) else {
                continue;
            };
            if let Some(n) = cell.strip_prefix("GP").and_then(|n| n.parse().ok()) {
                pins.insert((*signal).to_string(), n);
            }
        }
        Ok(Wiring { pins })
    }

    /// The pin of `signal`.
    pub fn pin(&self, signal: &str) -> Result<u8, String> {
        self.pins
            .get(signal)
            .copied()
            .ok_or_else(|| format!("the wiring has no `{signal}` pin"))
    }
}

/// The chip process and its pipe.
struct Chip {
    child: Child,
    to: BufWriter<ChildStdin>,
    from: BufReader<ChildStdout>,
}

impl Chip {
    fn command(&mut self, line: &str) -> Result<(), String> {
        writeln!(self.to, "{line}").map_err(|e| format!("the chip process: {e}"))
    }

    /// Runs the chip up to `us` microseconds, less if something happens;
    /// returns its event lines and its time (us since the first power-on).
    fn run(&mut self, us: u64) -> Result<(Vec<String>, u64), String> {
        self.command(&format!("run {us}"))?;
        self.to
            .flush()
            .map_err(|e| format!("the chip process: {e}"))?;
        let mut events = Vec::new();
        loop {
            let mut line = String::new();
            match self.from.read_line(&mut line) {
                Ok(0) => return Err("the chip process ended".into()),
                Ok(_) if line.starts_with("at ") => {
                    let at = line[3..]
                        .trim()
                        .parse()
                        .map_err(|_| format!("bad `{}`", line.trim()))?;
                    return Ok((events, at));
                }
                Ok(_) => events.push(line.trim_end().to_string()),
                Err(e) => return Err(format!("the chip process: {e}")),
            }
        }
    }
}

impl Drop for Chip {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The emulated Pico and the world around it.
pub struct Bench {
    chip: Chip,
    wiring: Wiring,
    modem: ScriptedModem,
    /// Simulated milliseconds since the first power-on.
    now_ms: u64,
    /// Driven levels of the chip's pins (`b'0'`, `b'1'`, `b'z'`).
    levels: HashMap<u8, u8>,
    mains: bool,
    powered: bool,
    sent: VecDeque<(String, String)>,
    watchdog_resets: usize,
    /// What the chip did that the real one could not, or the probe's
    /// timing complaints: any of these fails the scenario.
    faults: Vec<String>,
    world: DateTime<FixedOffset>,
    /// `PICO_SIM_TRACE` set: every chip event goes to stderr.
    trace: bool,
    /// `PICO_SIM_DEFMT=FILE`: the firmware's raw defmt frames (its RTT
    /// channel), for `defmt-print -e ELF < FILE`.
    defmt: Option<std::fs::File>,
}

impl Bench {
    /// Starts the chip process (`node <harness>/main.mjs`) on `elf`,
    /// powers the board with mains present and the inputs at rest.
    pub fn start(harness: &Path, elf: &Path, wiring: Wiring) -> Result<Self, String> {
        let chip_wiring = format!(
            "onewire={},modemTx={},modemRx={}",
            wiring.pin("onewire")?,
            wiring.pin("modem-tx")?,
            wiring.pin("modem-rx")?
        );
        let mut child = Command::new("node")
            .arg(harness.join("main.mjs"))
            .args(["--elf".as_ref(), elf.as_os_str()])
            .args(["--wiring", &chip_wiring, "--baud", "115200"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start node: {e}"))?;
        let (Some(to), Some(from)) = (child.stdin.take(), child.stdout.take()) else {
            return Err("the chip process has no pipes".into());
        };
        let mut modem = ScriptedModem::new(1);
        modem.far_end = FarEnd::Manual;
        modem.ussd_answer = None;
        // The supply switch is the chip's modem-power pin: off until it drives it.
        modem.power_pin(false);
        let world =
            DateTime::parse_from_rfc3339("2026-01-01T00:00:00+00:00").map_err(|e| e.to_string())?;
        let mut bench = Bench {
            chip: Chip {
                child,
                to: BufWriter::new(to),
                from: BufReader::new(from),
            },
            wiring,
            modem,
            now_ms: 0,
            levels: HashMap::new(),
            mains: true,
            powered: false,
            sent: VecDeque::new(),
            watchdog_resets: 0,
            faults: Vec::new(),
            world,
            trace: std::env::var_os("PICO_SIM_TRACE").is_some(),
            defmt: match std::env::var_os("PICO_SIM_DEFMT") {
                Some(path) => Some(
                    std::fs::File::create(&path)
                        .map_err(|e| format!("{}: {e}", path.to_string_lossy()))?,
                ),
                None => None,
            },
        };
        for (signal, level) in [("contact", true), ("button", true), ("mains", true)] {
            bench.drive(signal, level)?;
        }
        bench.supply(true)?;
        Ok(bench)
    }

    fn drive(&mut self, signal: &str, high: bool) -> Result<(), String> {
        let pin = self.wiring.pin(signal)?;
        self.chip
            .command(&format!("level {pin} {}", u8::from(high)))
    }

    fn supply(&mut self, on: bool) -> Result<(), String> {
        self.powered = on;
        self.chip.command(&format!("power {}", u8::from(on)))
    }

    /// The level the chip drives on `signal`'s pin: `Some(high)`, or `None` if it floats.
    fn output(&self, signal: &str) -> Option<bool> {
        let pin = self.wiring.pin(signal).ok()?;
        match self.levels.get(&pin) {
            Some(b'1') => Some(true),
            Some(b'0') => Some(false),
            _ => None,
        }
    }

    /// The chip runs until something happens, the modem's next deadline,
    /// [`MAX_SLICE_MS`] or `limit_ms`, whichever comes first (one
    /// millisecond at least); its bytes reach the modem, the modem's reach it.
    fn tick(&mut self, limit_ms: u64) -> Result<(), String> {
        let modem_due = self
            .modem
            .poll_timeout()
            .map_or(MAX_SLICE_MS, |at| at.saturating_sub(self.now_ms));
        let slice = modem_due.min(limit_ms).clamp(1, MAX_SLICE_MS);
        let (events, at_us) = self.chip.run(slice * 1000)?;
        for event in events {
            self.event(&event)?;
        }
        self.now_ms = at_us / 1000;
        self.modem.advance_to(self.now_ms);
        // A modem told to obey RTS (AT+IFC=2,…) holds its output while RTS is high.
        let paused = self.modem.volatile.rts && self.output("modem-rts") == Some(true);
        if !paused {
            let out = self.modem.read();
            if !out.is_empty() {
                let hex: String = out.iter().map(|b| format!("{b:02x}")).collect();
                if self.trace {
                    eprintln!(
                        "{:>9} ms  modem {:?}",
                        self.now_ms,
                        String::from_utf8_lossy(&out)
                    );
                }
                self.chip.command(&format!("uart {hex}"))?;
            }
        }
        self.sent.extend(self.modem.take_sent());
        match self.faults.first() {
            Some(fault) => Err(fault.clone()),
            None => Ok(()),
        }
    }

    fn event(&mut self, event: &str) -> Result<(), String> {
        if self.trace {
            eprintln!("{:>9} ms  {event}", self.now_ms);
        }
        let words: Vec<&str> = event.splitn(3, ' ').collect();
        match words.as_slice() {
            ["uart", hex] => self.modem.write(&unhex(hex)?),
            ["pin", pin, level] => {
                let pin: u8 = pin.parse().map_err(|_| format!("bad event `{event}`"))?;
                self.levels
                    .insert(pin, level.bytes().next().unwrap_or(b'z'));
                if Ok(pin) == self.wiring.pin("modem-power") {
                    self.modem.power_pin(*level == "1");
                }
                // Without mains, the battery feeds the board only while held.
                if Ok(pin) == self.wiring.pin("battery-hold") && *level != "1" && !self.mains {
                    self.supply(false)?;
                }
            }
            ["log", hex] => {
                if let Some(file) = &mut self.defmt {
                    file.write_all(&unhex(hex)?)
                        .map_err(|e| format!("the defmt log: {e}"))?;
                }
            }
            ["watchdog", "timer"] => self.watchdog_resets += 1,
            ["watchdog", ..] | ["note", ..] => {}
            ["fault", ..] | ["probe-error", ..] => self.faults.push(event.to_string()),
            _ => return Err(format!("unknown event from the chip: `{event}`")),
        }
        Ok(())
    }

    /// Lets simulated time pass.
    pub fn advance(&mut self, duration: Duration) -> Result<(), String> {
        let end = self.now_ms + millis(duration);
        while self.now_ms < end {
            self.tick(end - self.now_ms)?;
        }
        Ok(())
    }

    /// Runs until `done` holds, for at most [`PATIENCE`].
    fn wait(&mut self, what: &str, mut done: impl FnMut(&mut Self) -> bool) -> Result<(), String> {
        let end = self.now_ms + millis(PATIENCE);
        while !done(self) {
            if self.now_ms >= end {
                return Err(format!("{what}: not within {} s", PATIENCE.as_secs()));
            }
            self.tick(end - self.now_ms)?;
        }
        Ok(())
    }

    fn world_now(&self) -> DateTime<FixedOffset> {
        let elapsed = chrono::Duration::milliseconds(i64::try_from(self.now_ms).unwrap_or(0));
        self.world + elapsed
    }

    /// SMS, calls and USSD still unconsumed, for a failure report.
    pub fn unconsumed(&self) -> Vec<String> {
        self.sent
            .iter()
            .map(|(to, text)| format!("sms {to} {text:?}"))
            .chain(self.modem.dialled.iter().map(|n| format!("call {n}")))
            .chain(
                self.modem
                    .log
                    .iter()
                    .rev()
                    .take(40)
                    .rev()
                    .map(|c| format!("(modem heard {c:?})")),
            )
            .collect()
    }

    /// Carries out one scenario step.
    pub fn run(&mut self, step: &Step) -> Result<(), String> {
        match step {
            Step::Advance(d) => self.advance(*d)?,
            Step::WorldTime(time) => {
                self.world = *time - chrono::Duration::milliseconds(self.now_ms as i64)
            }
            Step::NetworkTime => {
                let now = self.world_now();
                self.modem.network_time(now);
            }
            Step::Sms { from, text } => {
                let now = self.world_now();
                self.modem.deliver_at(from, text, now);
            }
            Step::Call(from) => self.modem.ring(from),
            Step::Answer => self.modem.answer_call(),
            Step::Reject => self.modem.reject_call(),
            Step::Temp(setting) => {
                let probe = match setting {
                    ProbeSetting::Reads(sixteenths) => sixteenths.to_string(),
                    ProbeSetting::Fails => "fail".into(),
                    ProbeSetting::Absent => "none".into(),
                };
                self.chip.command(&format!("probe {probe}"))?;
            }
            Step::Input { closed } => self.drive("contact", !closed)?,
            Step::ButtonPress => self.hold_button(PRESS)?,
            Step::ButtonHold(d) => self.hold_button(*d)?,
            Step::PowerLost => {
                self.mains = false;
                self.drive("mains", false)?;
                if self.output("battery-hold") != Some(true) {
                    self.supply(false)?;
                }
            }
            Step::PowerRestored => {
                self.mains = true;
                self.drive("mains", true)?;
                if !self.powered {
                    self.supply(true)?;
                }
            }
            Step::Reboot => self.chip.command("reset")?,
            Step::Hang => self.chip.command("hang")?,
            Step::NetworkLost => self.modem.set_registered(false),
            Step::NetworkBack => self.modem.set_registered(true),
            Step::Signal(dbm) => self.modem.set_signal(*dbm),
            Step::ExpectSms {
                to,
                lines,
                matching,
            } => self.expect_sms(to, lines, *matching)?,
            Step::ExpectNoSms(to) => {
                self.advance(QUIET)?;
                let wanted =
                    |(number, _): &(String, String)| to.as_ref().is_none_or(|t| t == number);
                if let Some((number, text)) = self.sent.iter().find(|s| wanted(s)) {
                    return Err(format!("an SMS to {number}: {text:?}"));
                }
            }
            Step::ExpectCall(to) => {
                self.wait(&format!("a call to {to}"), |b| {
                    b.modem.dialled.iter().any(|n| n == to)
                })?;
                if let Some(i) = self.modem.dialled.iter().position(|n| n == to) {
                    self.modem.dialled.remove(i);
                }
            }
            Step::ExpectNoCall => {
                self.advance(QUIET)?;
                if let Some(n) = self.modem.dialled.first() {
                    return Err(format!("a call to {n}"));
                }
            }
            Step::ExpectHangup => self.wait("the hang-up", |b| b.modem.hung_up_incoming)?,
            Step::ExpectRelay(on) => {
                let what = format!("the relay pin {}", if *on { "high" } else { "low" });
                self.wait(&what, |b| b.output("relay") == Some(*on))?;
            }
            Step::ExpectShutdown => self.wait("the battery-hold pin low", |b| {
                b.output("battery-hold") != Some(true)
            })?,
            Step::ExpectWatchdogReset => {
                self.wait("a watchdog reset", |b| b.watchdog_resets > 0)?;
                self.watchdog_resets -= 1;
            }
            Step::UssdReply(_)
            | Step::ExpectUssd(_)
            | Step::ExpectLed(..)
            | Step::Modem(_)
            | Step::Storage { .. } => {
                return Err(format!(
                    "{step:?} is not observable on the emulated Pico's pins"
                ));
            }
        }
        Ok(())
    }

    fn hold_button(&mut self, duration: Duration) -> Result<(), String> {
        self.drive("button", false)?;
        self.advance(duration)?;
        self.drive("button", true)
    }

    fn expect_sms(&mut self, to: &str, lines: &[String], matching: bool) -> Result<(), String> {
        let number = to.to_string();
        self.wait(&format!("an SMS to {to}"), |b| {
            b.sent.iter().any(|(n, _)| *n == number)
        })?;
        let position = self
            .sent
            .iter()
            .position(|(n, _)| *n == number)
            .unwrap_or(0);
        let text = self
            .sent
            .get(position)
            .map(|(_, t)| t.clone())
            .unwrap_or_default();
        if !scenario::sms_matches(&text, lines, matching) {
            return Err(format!(
                "SMS to {to} was {text:?}, expected {:?}",
                lines.join("\n")
            ));
        }
        self.sent.remove(position);
        Ok(())
    }

    /// Simulated milliseconds since the first power-on.
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn unhex(hex: &str) -> Result<Vec<u8>, String> {
    (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
                .ok_or_else(|| format!("bad hex from the chip: `{hex}`"))
        })
        .collect()
}

/// `isocket-host pico --elf FILE --harness DIR --wiring CSV --scenario FILE`.
pub fn main(args: &[String]) -> Result<(), String> {
    let mut options: HashMap<&str, &str> = HashMap::new();
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        options.insert(flag.as_str(), value.as_str());
    }
    let get = |flag: &str| {
        options
            .get(flag)
            .map(Path::new)
            .ok_or_else(|| format!("{flag} is required"))
    };
    let scenario_path = get("--scenario")?;
    let text = std::fs::read_to_string(scenario_path)
        .map_err(|e| format!("{}: {e}", scenario_path.display()))?;
    let steps = scenario::parse(&text)
        .map_err(|e| format!("{}:{}: {}", scenario_path.display(), e.line, e.reason))?;
    let wiring_path = get("--wiring")?;
    let wiring = Wiring::from_csv(
        &std::fs::read_to_string(wiring_path)
            .map_err(|e| format!("{}: {e}", wiring_path.display()))?,
    )?;
    let mut bench = Bench::start(get("--harness")?, get("--elf")?, wiring)?;
    for line in &steps {
        if let Err(reason) = bench.run(&line.step) {
            let mut report = format!("FAIL {}:{}: {reason}", scenario_path.display(), line.number);
            for item in bench.unconsumed() {
                report.push_str(&format!("\n  unconsumed {item}"));
            }
            return Err(report);
        }
    }
    println!("PASS {}", scenario_path.display());
    println!("simulated: {:.1} s", bench.now_ms() as f64 / 1000.0);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wiring_table_names_every_pin_the_bench_drives_or_watches() {
        let wiring = Wiring::from_csv(include_str!("../../wiring.csv")).unwrap();
        let pins: Vec<u8> = [
            "modem-tx",
            "modem-rx",
            "modem-rts",
            "modem-power",
            "relay",
            "onewire",
            "contact",
            "button",
            "mains",
            "battery-hold",
        ]
        .iter()
        .map(|s| wiring.pin(s).unwrap())
        .collect();
        assert_eq!(pins, [0, 1, 9, 2, 3, 4, 5, 6, 7, 8]);
        assert!(wiring.pin("speaker").is_err());
    }

    #[test]
    fn a_table_without_the_pico_column_is_an_error() {
        assert!(Wiring::from_csv("signal,part,stm32\nrelay,relay,PB1\n").is_err());
        assert!(Wiring::from_csv("").is_err());
    }

    #[test]
    fn chip_bytes_are_hex_and_anything_else_is_an_error() {
        assert_eq!(unhex("41540d").unwrap(), b"AT\r");
        assert!(unhex("4").is_err());
        assert!(unhex("zz").is_err());
    }
}
