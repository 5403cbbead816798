//! The text console of a device: hardware steps in, event lines out, in the
//! words of the scenario format. `isocket-host run` speaks it on standard
//! input and output, the QEMU firmware on its second UART, so one test
//! harness can drive either.
//!
//! In: `temp 21.5`, `temp fail`, `temp none`, `input closed`, `input open`,
//! `button press`, `button hold 11s`, `power lost`, `power restored`,
//! `reboot`, `hang` (the firmware stops turning, as a bug would: the
//! watchdog's case).
//!
//! Out: `boot <power-on|watchdog|other> <reset|mains-restored>` (with
//! ` safe-mode` when the boot-loop guard is on), `relay on`, `relay off`,
//! `led <power|gsm|out> <pattern>`, `sms-sent <number>`, `call <number>`,
//! `shutdown`.
//!
//! ```
//! use isocket_device::testing::console::{Step, parse};
//! assert_eq!(parse("temp -3.0625"), Ok(Step::Temp(Some(-49))));
//! assert_eq!(parse("button hold 11s"), Ok(Step::ButtonHold { ms: 11_000 }));
//! assert!(parse("sms +49 ON").is_err());
//! ```

use core::fmt::{self, Write};

use isocket_engine::{BootReason, Leds};
use isocket_proto::{Probe, Temperature};

use crate::Output;
use crate::board::ResetCause;

/// A hardware step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The probe reads this many sixteenths of a °C (`None`: every read fails).
    Temp(Option<i32>),
    /// No probe answers.
    TempNone,
    /// The alarm contact.
    Input {
        /// Closed.
        closed: bool,
    },
    /// A short press of the button.
    ButtonPress,
    /// The button held this long.
    ButtonHold {
        /// Milliseconds.
        ms: u64,
    },
    /// Mains fails.
    PowerLost,
    /// Mains returns (boots a device that shut down).
    PowerRestored,
    /// A reset.
    Reboot,
    /// The firmware hangs (stops turning, so stops feeding the watchdog).
    Hang,
}

/// Why a console line is not a hardware step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleError {
    /// Not one of the steps above.
    UnknownStep,
    /// A step with a bad value.
    BadValue,
}

impl fmt::Display for ConsoleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConsoleError::UnknownStep => "not a hardware step",
            ConsoleError::BadValue => "bad value",
        })
    }
}

/// Parses one console line.
pub fn parse(line: &str) -> Result<Step, ConsoleError> {
    let mut words = line.split_ascii_whitespace();
    let step = match (words.next(), words.next(), words.next()) {
        (Some("temp"), Some("fail"), None) => Step::Temp(None),
        (Some("temp"), Some("none"), None) => Step::TempNone,
        (Some("temp"), Some(value), None) => Step::Temp(Some(sixteenths(value)?)),
        (Some("input"), Some("closed"), None) => Step::Input { closed: true },
        (Some("input"), Some("open"), None) => Step::Input { closed: false },
        (Some("button"), Some("press"), None) => Step::ButtonPress,
        (Some("button"), Some("hold"), Some(d)) => Step::ButtonHold {
            ms: duration_ms(d)?,
        },
        (Some("power"), Some("lost"), None) => Step::PowerLost,
        (Some("power"), Some("restored"), None) => Step::PowerRestored,
        (Some("reboot"), None, None) => Step::Reboot,
        (Some("hang"), None, None) => Step::Hang,
        _ => return Err(ConsoleError::UnknownStep),
    };
    match words.next() {
        None => Ok(step),
        Some(_) => Err(ConsoleError::UnknownStep),
    }
}

/// What the probe reports for a `temp` setting: readings outside the
/// DS18B20's range (−55…125 °C) are failures (SPEC §9).
pub fn probe(setting: Step) -> Option<Probe> {
    match setting {
        Step::Temp(Some(s)) if (-55 * 16..=125 * 16).contains(&s) => i16::try_from(s)
            .ok()
            .map(|s| Probe::Reading(Temperature::from_sixteenths(s))),
        Step::Temp(_) => Some(Probe::SensorError),
        Step::TempNone => Some(Probe::NoSensor),
        _ => None,
    }
}

/// `21.5`, `-3.0625`: a decimal in °C to sixteenths, without floating point.
fn sixteenths(text: &str) -> Result<i32, ConsoleError> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() || whole.len() > 4 || fraction.len() > 6 {
        return Err(ConsoleError::BadValue);
    }
    let number = |s: &str| -> Result<i64, ConsoleError> {
        if s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse::<i64>().map_err(|_| ConsoleError::BadValue)
        } else {
            Err(ConsoleError::BadValue)
        }
    };
    let scale = 10i64.pow(u32::try_from(fraction.len()).unwrap_or(0));
    let value = number(whole)? * scale
        + if fraction.is_empty() {
            0
        } else {
            number(fraction)?
        };
    // Round to the nearest sixteenth, half away from zero.
    let s = (value * 16 * 2 + scale) / (2 * scale);
    let s = i32::try_from(s).map_err(|_| ConsoleError::BadValue)?;
    Ok(if negative { -s } else { s })
}

/// `250ms`, `30s`, `5m`, `2h`, `3d`, or a sum such as `1m30s`, in ms.
pub fn duration_ms(text: &str) -> Result<u64, ConsoleError> {
    let mut total = 0u64;
    let mut rest = text;
    if rest.is_empty() {
        return Err(ConsoleError::BadValue);
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (number, tail) = rest
            .split_at_checked(digits)
            .ok_or(ConsoleError::BadValue)?;
        let n: u64 = number.parse().map_err(|_| ConsoleError::BadValue)?;
        let unit = tail.bytes().take_while(u8::is_ascii_alphabetic).count();
        let (unit, tail) = tail.split_at_checked(unit).ok_or(ConsoleError::BadValue)?;
        let ms = match unit {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => return Err(ConsoleError::BadValue),
        };
        total = total.saturating_add(n.saturating_mul(ms));
        rest = tail;
    }
    Ok(total)
}

/// Writes the console lines for an output (none for outputs the board
/// handles silently); `leds` is what the LEDs showed before, and is updated.
pub fn write_event<W: Write>(out: &mut W, output: &Output, leds: &mut Option<Leds>) -> fmt::Result {
    match output {
        Output::Boot(report) => {
            let cause = match report.cause {
                ResetCause::PowerOn => "power-on",
                ResetCause::Watchdog => "watchdog",
                ResetCause::Other => "other",
            };
            let reason = match report.reason {
                BootReason::Reset => "reset",
                BootReason::MainsRestored => "mains-restored",
            };
            let safe = if report.safe_mode { " safe-mode" } else { "" };
            writeln!(out, "boot {cause} {reason}{safe}")
        }
        Output::Relay(on) => writeln!(out, "relay {}", if *on { "on" } else { "off" }),
        Output::Leds(new) => {
            let before = leds.replace(*new);
            for (name, was, now) in [
                ("power", before.map(|l| l.power), new.power),
                ("gsm", before.map(|l| l.gsm), new.gsm),
                ("out", before.map(|l| l.out), new.out),
            ] {
                if was != Some(now) {
                    writeln!(out, "led {name} {}", now.name())?;
                }
            }
            Ok(())
        }
        Output::SmsSent(to) => writeln!(out, "sms-sent {to}"),
        Output::Calling(to) => writeln!(out, "call {to}"),
        Output::Shutdown => writeln!(out, "shutdown"),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use isocket_engine::LedPattern;

    #[test]
    fn temperatures_are_exact_sixteenths() {
        assert_eq!(sixteenths("21.5"), Ok(344));
        assert_eq!(sixteenths("-3.0625"), Ok(-49));
        assert_eq!(sixteenths("25"), Ok(400));
        assert_eq!(sixteenths("0.03125"), Ok(1)); // half a sixteenth rounds away from zero
        assert!(sixteenths("x").is_err());
        assert!(sixteenths("1.2.3").is_err());
        assert!(sixteenths("").is_err());
        assert!(sixteenths("99999999").is_err());
    }

    #[test]
    fn steps_parse_exactly() {
        assert_eq!(parse("input closed"), Ok(Step::Input { closed: true }));
        assert_eq!(parse(" power  lost "), Ok(Step::PowerLost));
        assert_eq!(
            parse("button hold 1m30s"),
            Ok(Step::ButtonHold { ms: 90_000 })
        );
        assert_eq!(parse("reboot now"), Err(ConsoleError::UnknownStep));
        assert_eq!(parse("hang"), Ok(Step::Hang));
        assert_eq!(parse("button hold 5x"), Err(ConsoleError::BadValue));
        assert_eq!(probe(Step::Temp(Some(126 * 16))), Some(Probe::SensorError));
        assert_eq!(probe(Step::TempNone), Some(Probe::NoSensor));
    }

    #[test]
    fn events_print_what_changed() {
        let mut text = heapless::String::<128>::new();
        let mut leds = None;
        let on = Leds {
            power: LedPattern::On,
            gsm: LedPattern::Blink1s,
            out: LedPattern::Off,
        };
        write_event(&mut text, &Output::Leds(on), &mut leds).unwrap();
        write_event(
            &mut text,
            &Output::Leds(Leds {
                out: LedPattern::On,
                ..on
            }),
            &mut leds,
        )
        .unwrap();
        write_event(&mut text, &Output::Relay(true), &mut leds).unwrap();
        write_event(&mut text, &Output::MeasureTemperature, &mut leds).unwrap();
        assert_eq!(
            text,
            "led power on\nled gsm blink-1s\nled out off\nled out on\nrelay on\n"
        );
    }
}
