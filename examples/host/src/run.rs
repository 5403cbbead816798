//! `isocket-host run --modem /dev/ttyUSB0 [--baud 115200]
//! [--profile NAME] [--state DIR]`: the real device
//! loop against a real modem on a serial port.
//!
//! Standard input drives the simulated hardware with the scenario words
//! (`temp 21.5`, `temp fail`, `input closed`, `input open`, `button press`,
//! `button hold 11s`, `power lost`, `power restored`, `reboot`); standard
//! output prints one line per device event (`relay on`, `relay off`,
//! `led <power|gsm|out> <pattern>`, `sms-sent <number>`, `call <number>`,
//! `shutdown`). Settings persist in `DIR` through the file store; the clock
//! survives restarts in `DIR/clock`. SIGINT and SIGTERM stop it cleanly.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::TryRecvError;
use std::time::{Duration, Instant as WallClock, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, FixedOffset};
use isocket_device::console::{self, Step};
use isocket_device::{Device, Output, store};
use isocket_engine::{BoardInfo, Boot, BootReason, Leds};
use isocket_modem::profile::{self, Profile};
use isocket_proto::Timestamp;
use isocket_storage::FileStore;

/// How often pins are sampled and the serial port is polled.
const LOOP_PERIOD: Duration = Duration::from_millis(5);
/// How long `button press` holds the button down (longer than the debounce).
const PRESS: Duration = Duration::from_millis(200);

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

/// The board's hardware, simulated from standard input.
struct Hardware {
    /// The last `temp` step.
    probe: Step,
    contact_closed: bool,
    button_until: Option<WallClock>,
    leds: Option<Leds>,
}

/// The battery-backed clock, kept in a file: the time set and the system time then.
struct ClockFile(PathBuf);

impl ClockFile {
    fn load(&self) -> Option<Timestamp> {
        let text = std::fs::read_to_string(&self.0).ok()?;
        let mut fields = text.split_whitespace().map(str::parse::<i64>);
        let (set, offset, at) = (
            fields.next()?.ok()?,
            fields.next()?.ok()?,
            fields.next()?.ok()?,
        );
        let zone = FixedOffset::east_opt(i32::try_from(offset).ok()?)?;
        let elapsed = unix_now().saturating_sub(at);
        let time = DateTime::from_timestamp(set.checked_add(elapsed)?, 0)?.with_timezone(&zone);
        Some(Timestamp::from_datetime(time))
    }

    fn save(&self, time: Option<Timestamp>) -> std::io::Result<()> {
        match time {
            Some(t) => {
                let t = t.datetime();
                let text = format!(
                    "{} {} {}\n",
                    t.timestamp(),
                    t.offset().local_minus_utc(),
                    unix_now()
                );
                std::fs::write(&self.0, text)
            }
            None => std::fs::remove_file(&self.0).or(Ok(())),
        }
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
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
    let mut store = FileStore::open(&options.state).map_err(|e| format!("state: {e}"))?;
    let clock = ClockFile(options.state.join("clock"));
    let mains_marker = options.state.join("shut-down-for-mains");
    let mut port = serialport::new(&options.modem, options.baud)
        .timeout(LOOP_PERIOD)
        .open()
        .map_err(|e| format!("{}: {e}", options.modem))?;
    let lines = crate::interactive::stdin_lines();
    let started = WallClock::now();
    let now_ms = || u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let mut hardware = Hardware {
        probe: Step::Temp(Some(20 * 16)),
        contact_closed: false,
        button_until: None,
        leds: None,
    };
    let boot = |store: &mut FileStore, reason: BootReason| {
        let board = BoardInfo {
            product: "isocket host",
            serial: "HOST-0001".try_into().unwrap_or_default(),
        };
        Device::new(
            board,
            store::load(store),
            Boot {
                reason,
                clock: clock.load(),
            },
            options.profile,
            now_ms(),
        )
    };
    let reason = if std::fs::remove_file(&mains_marker).is_ok() {
        BootReason::MainsRestored
    } else {
        BootReason::Reset
    };
    let mut device = Some(boot(&mut store, reason));
    let mut buffer = [0u8; 256];
    while !stop.load(Ordering::Relaxed) {
        let now = now_ms();
        // Standard input: hardware steps.
        match lines.try_recv() {
            Ok(line) => match console::parse(&line) {
                Ok(Step::PowerRestored) if device.is_none() => {
                    let _ = std::fs::remove_file(&mains_marker);
                    device = Some(boot(&mut store, BootReason::MainsRestored));
                }
                Ok(Step::Reboot) => device = Some(boot(&mut store, BootReason::Reset)),
                Ok(step) => apply(&mut hardware, device.as_mut(), now, step),
                Err(e) => eprintln!("error: {e}: `{}`", line.trim()),
            },
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Disconnected) => break,
        }
        let Some(dev) = device.as_mut() else {
            std::thread::sleep(LOOP_PERIOD);
            continue;
        };
        // The modem: bytes in (the read's timeout paces the loop), bytes out.
        match port.read(&mut buffer) {
            Ok(n) => dev.modem_rx(now_ms(), buffer.get(..n).unwrap_or_default()),
            // A signal interrupts the read: the loop's condition ends it cleanly.
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::TimedOut | std::io::ErrorKind::Interrupted
                ) => {}
            Err(e) => return Err(format!("{}: {e}", options.modem)),
        }
        while let Some(bytes) = dev.modem_tx(now_ms()) {
            port.write_all(bytes)
                .map_err(|e| format!("{}: {e}", options.modem))?;
        }
        let pressed = hardware
            .button_until
            .is_some_and(|until| WallClock::now() < until);
        dev.sample(now_ms(), hardware.contact_closed, pressed);
        dev.tick(now_ms());
        let mut reboot = None;
        while let Some(output) = dev.poll_output() {
            let mut line = String::new();
            let _ = console::write_event(&mut line, &output, &mut hardware.leds);
            print!("{line}");
            match output {
                Output::MeasureTemperature => {
                    if let Some(reading) = console::probe(hardware.probe) {
                        dev.temperature(now_ms(), reading);
                    }
                }
                Output::Save(record) => {
                    let ok = store::save(&mut store, dev.engine(), record);
                    dev.saved(now_ms(), record, ok);
                }
                Output::SetClock(time) => {
                    if let Err(e) = clock.save(time) {
                        eprintln!("clock: {e}");
                    }
                }
                Output::Reboot => reboot = Some(BootReason::Reset),
                Output::Shutdown => {
                    let _ = std::fs::write(&mains_marker, b"");
                    reboot = None;
                    device = None;
                    break;
                }
                Output::ModemPower(on) => {
                    eprintln!("modem power {}", if on { "on" } else { "off" })
                }
                // Relay, LEDs, SMS and calls: the console line printed above says it all.
                _ => {}
            }
        }
        if let Some(reason) = reboot {
            device = Some(boot(&mut store, reason));
        }
        let _ = std::io::stdout().flush();
    }
    Ok(())
}

fn apply(hardware: &mut Hardware, device: Option<&mut Device>, now: u64, step: Step) {
    match step {
        Step::Temp(_) | Step::TempNone => hardware.probe = step,
        Step::Input { closed } => hardware.contact_closed = closed,
        Step::ButtonPress => hardware.button_until = Some(WallClock::now() + PRESS),
        Step::ButtonHold { ms } => {
            hardware.button_until = Some(WallClock::now() + Duration::from_millis(ms))
        }
        Step::PowerLost | Step::PowerRestored => {
            if let Some(device) = device {
                device.mains(now, step == Step::PowerRestored);
            }
        }
        Step::Reboot => {}
    }
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

    #[test]
    fn the_clock_file_keeps_running() {
        let dir = std::env::temp_dir().join(format!("isocket-clock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = ClockFile(dir.join("clock"));
        assert_eq!(file.load(), None);
        let t = Timestamp::from_local((2026, 11, 21), (14, 5, 9), 60).unwrap();
        file.save(Some(t)).unwrap();
        let loaded = file.load().unwrap();
        let drift = loaded.datetime().timestamp() - t.datetime().timestamp();
        assert!((0..=2).contains(&drift), "{drift}");
        assert_eq!(loaded.offset_minutes(), 60);
        file.save(None).unwrap();
        assert_eq!(file.load(), None);
        let _ = std::fs::remove_dir_all(dir);
    }
}
