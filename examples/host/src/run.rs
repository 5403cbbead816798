//! `isocket-host run --modem /dev/ttyUSB0 [--baud 115200]
//! [--profile NAME] [--state DIR]`: the real device
//! loop against a real modem on a serial port.
//!
//! Standard input drives the simulated hardware with the scenario words
//! (`temp 21.5`, `temp fail`, `input closed`, `input open`, `button press`,
//! `button hold 11s`, `power lost`, `power restored`, `reboot`); standard
//! output prints one line per device event (`relay on`, `relay off`,
//! `led <power|gsm|out> <pattern>`, `sms-sent <number>`, `call <number>`,
//! `shutdown`, `boot …`). Settings persist in `DIR` through the file store;
//! the words a board keeps across a reset (the clock among them) live in
//! `DIR/retained`. `hang` stops the loop for the watchdog's time, then
//! boots as after a watchdog reset. SIGINT and SIGTERM stop it cleanly.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::TryRecvError;
use std::time::{Duration, Instant as WallClock, SystemTime, UNIX_EPOCH};

use isocket_device::board::{Board, Inputs, Levels, RETAINED_WORDS, ResetCause};
use isocket_device::testing::console::{self, Step};
use isocket_device::{Device, Output, SAMPLE_MS, Turn, WATCHDOG_MS};
use isocket_engine::{BoardInfo, Leds};
use isocket_modem::profile::{self, Profile};
use isocket_proto::Probe;
use isocket_storage::FileStore;

/// How often pins are sampled and the serial port is polled.
const LOOP_PERIOD: Duration = Duration::from_millis(5);
/// How long `button press` holds the button down (longer than the debounce).
const PRESS: Duration = Duration::from_millis(200);
/// A DS18B20's 12-bit conversion time.
const CONVERSION_MS: u64 = 750;

/// Parsed command-line options.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Serial device path.
    pub modem: String,
    /// Baud rate.
    pub baud: u32,
    /// Modem dialect.
    pub profile: &'static Profile,
    /// Directory for settings and the clock.
    pub state: PathBuf,
}

/// Parses `--modem PATH [--baud N] [--profile NAME] [--state DIR]`.
pub fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        modem: String::new(),
        baud: 115_200,
        profile: &profile::SIM800,
        state: PathBuf::from("isocket-state"),
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--modem" => options.modem.clone_from(value),
            "--baud" => {
                options.baud = value
                    .parse()
                    .map_err(|_| format!("bad baud rate `{value}`"))?
            }
            "--profile" => options.profile = profile_named(value)?,
            "--state" => options.state = PathBuf::from(value),
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    if options.modem.is_empty() {
        return Err("--modem PATH is required".into());
    }
    Ok(options)
}

/// The profile `name` names (`isocket_modem::profile::ALL`), or an error
/// that lists them all.
fn profile_named(name: &str) -> Result<&'static Profile, String> {
    profile::by_name(name)
        .ok_or_else(|| format!("unknown profile `{name}` (one of: {})", profile_names()))
}

/// Every profile name, as `--profile` takes them.
pub fn profile_names() -> String {
    let names: Vec<&str> = profile::ALL.iter().map(|(n, _)| *n).collect();
    names.join(", ")
}

/// The board: a real serial port to the modem, the rest simulated from
/// standard input, the settings in `DIR` through the file store, and the
/// words kept across a reset in `DIR/retained` (a battery-backed RTC's
/// backup registers: the host's clock is the RTC, so the wall clock the
/// network set survives restarts and the time in between).
struct Host {
    port: Box<dyn serialport::SerialPort>,
    name: String,
    started: WallClock,
    store: FileStore,
    retained: PathBuf,
    /// The last `temp` step.
    probe: Step,
    contact_closed: bool,
    button_until: Option<WallClock>,
    mains_present: bool,
    /// The supply is gone: the battery was released without mains.
    off: bool,
    /// What the chip would say at the next boot.
    cause: ResetCause,
    modem_power: Option<bool>,
    leds: Option<Leds>,
    /// A serial error that ends the run.
    error: Option<String>,
}

impl Host {
    fn apply(&mut self, step: Step) {
        match step {
            Step::Temp(_) | Step::TempNone => self.probe = step,
            Step::Input { closed } => self.contact_closed = closed,
            Step::ButtonPress => self.button_until = Some(WallClock::now() + PRESS),
            Step::ButtonHold { ms } => {
                self.button_until = Some(WallClock::now() + Duration::from_millis(ms))
            }
            Step::PowerLost => self.mains_present = false,
            Step::PowerRestored => self.mains_present = true,
            // The loop resets the device.
            Step::Reboot | Step::Hang => {}
        }
    }
}

impl Board for Host {
    type Store = FileStore;

    fn now_ms(&mut self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn modem_read(&mut self, buf: &mut [u8]) -> usize {
        if self.port.bytes_to_read().unwrap_or(0) == 0 {
            return 0;
        }
        match self.port.read(buf) {
            Ok(n) => n,
            // A signal interrupts the read: the loop's condition ends it cleanly.
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::TimedOut | std::io::ErrorKind::Interrupted
                ) =>
            {
                0
            }
            Err(e) => {
                self.error = Some(format!("{}: {e}", self.name));
                0
            }
        }
    }

    fn modem_write(&mut self, bytes: &[u8]) {
        if let Err(e) = self.port.write_all(bytes) {
            self.error = Some(format!("{}: {e}", self.name));
        }
    }

    fn inputs(&mut self) -> Inputs {
        Inputs {
            contact_closed: self.contact_closed,
            button_pressed: self
                .button_until
                .is_some_and(|until| WallClock::now() < until),
            mains_present: self.mains_present,
        }
    }

    fn set_levels(&mut self, levels: &Levels) {
        if self.modem_power != Some(levels.modem_power) {
            self.modem_power = Some(levels.modem_power);
            eprintln!(
                "modem power {}",
                if levels.modem_power { "on" } else { "off" }
            );
        }
        // Relay and LEDs: the console lines (log) say it all.
        if !levels.battery_hold && !self.mains_present {
            self.off = true;
        }
    }

    fn probe_start(&mut self, now_ms: u64) -> Result<u64, Probe> {
        Ok(now_ms + CONVERSION_MS)
    }

    fn probe_read(&mut self, _now_ms: u64) -> Option<Probe> {
        Some(console::probe(self.probe).unwrap_or(Probe::NoSensor))
    }

    fn store(&mut self) -> Option<&mut FileStore> {
        Some(&mut self.store)
    }

    fn reset_cause(&mut self) -> ResetCause {
        self.cause
    }

    fn retained(&mut self) -> [u32; RETAINED_WORDS] {
        let mut words = [0; RETAINED_WORDS];
        if let Ok(text) = std::fs::read_to_string(&self.retained) {
            for (word, field) in words.iter_mut().zip(text.split_whitespace()) {
                *word = field.parse().unwrap_or(0);
            }
        }
        words
    }

    fn retain(&mut self, words: &[u32; RETAINED_WORDS]) {
        let text: Vec<String> = words.iter().map(u32::to_string).collect();
        if let Err(e) = std::fs::write(&self.retained, text.join(" ") + "\n") {
            eprintln!("{}: {e}", self.retained.display());
        }
    }

    fn rtc_seconds(&mut self) -> Option<u32> {
        let unix = SystemTime::now().duration_since(UNIX_EPOCH).ok()?;
        u32::try_from(unix.as_secs()).ok()
    }

    // The process has no watchdog; a `hang` step models one (see the loop).
    fn feed_watchdog(&mut self) {}

    fn reboot(&mut self) {
        self.cause = ResetCause::Other;
    }

    fn log(&mut self, output: &Output) {
        let mut line = String::new();
        let _ = console::write_event(&mut line, output, &mut self.leds);
        print!("{line}");
        let _ = std::io::stdout().flush();
    }
}

/// Runs until SIGINT, SIGTERM or the end of standard input.
pub fn run(options: &Options) -> ExitCode {
    match run_loop(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("isocket-host run: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_loop(options: &Options) -> Result<(), String> {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, Arc::clone(&stop))
            .map_err(|e| format!("signals: {e}"))?;
    }
    std::fs::create_dir_all(&options.state)
        .map_err(|e| format!("{}: {e}", options.state.display()))?;
    let store = FileStore::open(&options.state).map_err(|e| format!("state: {e}"))?;
    let port = serialport::new(&options.modem, options.baud)
        .timeout(LOOP_PERIOD)
        .open()
        .map_err(|e| format!("{}: {e}", options.modem))?;
    let mut host = Host {
        port,
        name: options.modem.clone(),
        started: WallClock::now(),
        store,
        retained: options.state.join("retained"),
        probe: Step::Temp(Some(20 * 16)),
        contact_closed: false,
        button_until: None,
        mains_present: true,
        off: false,
        // Starting the program is pressing the reset button.
        cause: ResetCause::Other,
        modem_power: None,
        leds: None,
        error: None,
    };
    let lines = crate::interactive::stdin_lines();
    let boot = |host: &mut Host| {
        let board = BoardInfo {
            product: "isocket host",
            serial: "HOST-0001".try_into().unwrap_or_default(),
        };
        Device::boot(host, board, options.profile)
    };
    let mut device = boot(&mut host);
    while !stop.load(Ordering::Relaxed) {
        // Standard input: hardware steps.
        match lines.try_recv() {
            Ok(line) => match console::parse(&line) {
                Ok(Step::PowerRestored) if host.off => {
                    host.mains_present = true;
                    host.off = false;
                    host.cause = ResetCause::PowerOn;
                    device = boot(&mut host);
                }
                Ok(Step::Reboot) => {
                    host.cause = ResetCause::Other;
                    device = boot(&mut host);
                }
                Ok(Step::Hang) if !host.off => {
                    // Nothing turns, nothing feeds: the watchdog bites.
                    std::thread::sleep(Duration::from_millis(u64::from(WATCHDOG_MS)));
                    host.cause = ResetCause::Watchdog;
                    device = boot(&mut host);
                }
                Ok(step) => host.apply(step),
                Err(e) => eprintln!("error: {e}: `{}`", line.trim()),
            },
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Disconnected) => break,
        }
        if host.off {
            std::thread::sleep(LOOP_PERIOD);
            continue;
        }
        let now = host.now_ms();
        match device.turn(&mut host) {
            Turn::Again { at_ms } => {
                let wait = at_ms.saturating_sub(now).clamp(1, SAMPLE_MS);
                std::thread::sleep(Duration::from_millis(wait));
            }
            Turn::Reboot => device = boot(&mut host),
        }
        if let Some(e) = host.error.take() {
            return Err(e);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options_have_defaults_and_checks() {
        let o = parse_args(&args(&["--modem", "/dev/ttyUSB0"])).unwrap();
        assert_eq!(
            (o.modem.as_str(), o.baud, o.profile.name),
            ("/dev/ttyUSB0", 115_200, profile::SIM800.name)
        );
        let o = parse_args(&args(&[
            "--modem",
            "/dev/x",
            "--baud",
            "9600",
            "--profile",
            "M66",
            "--state",
            "/tmp/s",
        ]))
        .unwrap();
        assert_eq!(
            (o.baud, o.profile.name, o.state),
            (9600, profile::M66.name, PathBuf::from("/tmp/s"))
        );
        assert!(parse_args(&args(&[])).is_err());
        assert!(parse_args(&args(&["--modem"])).is_err());
        assert!(parse_args(&args(&["--modem", "/dev/x", "--profile", "nokia"])).is_err());
        for (name, family) in profile::ALL {
            let o = parse_args(&args(&["--modem", "/dev/x", "--profile", name])).unwrap();
            assert_eq!(o.profile.name, family.name);
        }
        assert!(profile_names().contains("a7670"));
        assert!(parse_args(&args(&["--modem", "/dev/x", "--baud", "fast"])).is_err());
        assert!(parse_args(&args(&["--modem", "/dev/x", "--color", "red"])).is_err());
    }
}
