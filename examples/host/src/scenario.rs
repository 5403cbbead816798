//! The `.scn` scenario format (SCENARIOS.md): one step per line, parsed into
//! typed [`Step`]s. Any unknown or malformed step is an error at its line.

use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};

/// What the probe reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeSetting {
    /// A reading, in sixteenths of a degree Celsius.
    Reads(i32),
    /// Present, but every read fails.
    Fails,
    /// No probe answers.
    Absent,
}

impl ProbeSetting {
    /// What the probe and its driver report (the device console's rule).
    pub fn reading(self) -> isocket_proto::Probe {
        use isocket_device::testing::console::{Step, probe};
        let step = match self {
            ProbeSetting::Reads(s) => Step::Temp(Some(s)),
            ProbeSetting::Fails => Step::Temp(None),
            ProbeSetting::Absent => Step::TempNone,
        };
        probe(step).unwrap_or(isocket_proto::Probe::SensorError)
    }
}

/// One of the three LEDs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Led {
    /// POWER, green.
    Power,
    /// GSM, blue.
    Gsm,
    /// OUT, red.
    Out,
}

/// One scenario step.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// `advance <dur>`
    Advance(Duration),
    /// `world-time <yyyy-mm-dd> <hh:mm:ss> <±hh>`
    WorldTime(DateTime<FixedOffset>),
    /// `network-time`
    NetworkTime,
    /// `sms <number> <text>`; `from` is empty for `hidden`.
    Sms {
        /// Sender.
        from: String,
        /// Text, verbatim.
        text: String,
    },
    /// `call <number>`
    Call(String),
    /// `answer`
    Answer,
    /// `reject`
    Reject,
    /// `ussd-reply <text>`
    UssdReply(String),
    /// `temp <°C>` / `temp fail` / `temp none`
    Temp(ProbeSetting),
    /// `input closed` / `input open`
    Input {
        /// Whether the contact is closed.
        closed: bool,
    },
    /// `button press`
    ButtonPress,
    /// `button hold <dur>`
    ButtonHold(Duration),
    /// `power lost`
    PowerLost,
    /// `power restored`
    PowerRestored,
    /// `reboot`
    Reboot,
    /// `network lost`
    NetworkLost,
    /// `network back`
    NetworkBack,
    /// `signal <dBm>` / `signal unknown`
    Signal(Option<i16>),
    /// `expect sms <number> [matching]` with its body lines.
    ExpectSms {
        /// Recipient.
        to: String,
        /// Body lines (indentation removed).
        lines: Vec<String>,
        /// Whether each line is a regular expression.
        matching: bool,
    },
    /// `expect no sms [<number>]`
    ExpectNoSms(Option<String>),
    /// `expect call <number>`
    ExpectCall(String),
    /// `expect no call`
    ExpectNoCall,
    /// `expect hangup`
    ExpectHangup,
    /// `expect ussd <code>`
    ExpectUssd(String),
    /// `expect relay on|off`
    ExpectRelay(bool),
    /// `expect led <led> <pattern>`
    ExpectLed(Led, isocket_engine::LedPattern),
    /// `expect shutdown`
    ExpectShutdown,
    /// `modem ok` / `modem sim-error` / `modem failure` (an addition): what the
    /// modem's supervisor reports.
    Modem(isocket_engine::ModemHealth),
    /// `storage fail` / `storage ok` (an addition): saves fail or succeed from now on.
    Storage {
        /// Whether saves fail.
        fail: bool,
    },
    /// `hang` (an addition, for a device with a watchdog): the firmware locks up.
    Hang,
    /// `expect watchdog-reset` (an addition): the watchdog has reset the
    /// device since the last such expectation.
    ExpectWatchdogReset,
}

/// A step and the line it starts on (1-based).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Line number in the file.
    pub number: usize,
    /// The step.
    pub step: Step,
}

/// A malformed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Line number in the file.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// LED pattern names of manual §8 (`locked`: an addition, the settings
/// did not load).
pub const LED_PATTERNS: &[&str] = &[
    "off",
    "on",
    "blink-1s",
    "blink-3s",
    "blink-4hz",
    "sim-error",
    "locked",
];

/// Parses a whole scenario file.
pub fn parse(text: &str) -> Result<Vec<Line>, SyntaxError> {
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l)).peekable();
    let mut steps = Vec::new();
    while let Some((number, line)) = lines.next() {
        if is_blank_or_comment(line) {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            return Err(SyntaxError {
                line: number,
                reason: "indented line outside an `expect sms` body".into(),
            });
        }
        let error = |reason: String| SyntaxError {
            line: number,
            reason,
        };
        let mut step = parse_step(line).map_err(error)?;
        if let Step::ExpectSms { lines: body, .. } = &mut step {
            while let Some((_, next)) = lines.peek() {
                if !next.starts_with([' ', '\t']) || next.trim().is_empty() {
                    break;
                }
                body.push(next.trim_start().to_string());
                lines.next();
            }
            if body.is_empty() {
                return Err(SyntaxError {
                    line: number,
                    reason: "`expect sms` needs indented body lines".into(),
                });
            }
        }
        steps.push(Line { number, step });
    }
    Ok(steps)
}

fn is_blank_or_comment(line: &str) -> bool {
    let trimmed = line.trim();
    trimmed.is_empty() || trimmed.starts_with('#')
}

/// Every step verb, for precise error messages.
const VERBS: &[&str] = &[
    "advance",
    "world-time",
    "network-time",
    "sms",
    "call",
    "answer",
    "reject",
    "ussd-reply",
    "temp",
    "input",
    "button",
    "power",
    "reboot",
    "network",
    "signal",
    "expect",
    "storage",
    "hang",
];

/// Parses one step line (no body); also used by the interactive simulator.
pub fn parse_step(line: &str) -> Result<Step, String> {
    let words: Vec<&str> = line.split(' ').filter(|w| !w.is_empty()).collect();
    let step = match words.as_slice() {
        ["advance", d] => Step::Advance(parse_duration(d)?),
        ["world-time", date, time, zone] => Step::WorldTime(parse_world_time(date, time, zone)?),
        ["network-time"] => Step::NetworkTime,
        ["sms", number, ..] => {
            let text = rest_after(line, 2).ok_or("`sms` needs a number and a text")?;
            Step::Sms {
                from: parse_number(number)?,
                text: text.to_string(),
            }
        }
        ["call", number] => Step::Call(parse_number(number)?),
        ["answer"] => Step::Answer,
        ["reject"] => Step::Reject,
        ["ussd-reply", ..] => Step::UssdReply(
            rest_after(line, 1)
                .ok_or("`ussd-reply` needs a text")?
                .to_string(),
        ),
        ["temp", "fail"] => Step::Temp(ProbeSetting::Fails),
        ["temp", "none"] => Step::Temp(ProbeSetting::Absent),
        ["temp", value] => Step::Temp(ProbeSetting::Reads(parse_celsius(value)?)),
        ["input", "closed"] => Step::Input { closed: true },
        ["input", "open"] => Step::Input { closed: false },
        ["button", "press"] => Step::ButtonPress,
        ["button", "hold", d] => Step::ButtonHold(parse_duration(d)?),
        ["power", "lost"] => Step::PowerLost,
        ["power", "restored"] => Step::PowerRestored,
        ["reboot"] => Step::Reboot,
        ["network", "lost"] => Step::NetworkLost,
        ["network", "back"] => Step::NetworkBack,
        ["signal", "unknown"] => Step::Signal(None),
        ["signal", dbm] => Step::Signal(Some(
            dbm.parse().map_err(|_| format!("bad signal `{dbm}`"))?,
        )),
        ["expect", "sms", number] => Step::ExpectSms {
            to: parse_number(number)?,
            lines: Vec::new(),
            matching: false,
        },
        ["expect", "sms", number, "matching"] => Step::ExpectSms {
            to: parse_number(number)?,
            lines: Vec::new(),
            matching: true,
        },
        ["expect", "no", "sms"] => Step::ExpectNoSms(None),
        ["expect", "no", "sms", number] => Step::ExpectNoSms(Some(parse_number(number)?)),
        ["expect", "call", number] => Step::ExpectCall(parse_number(number)?),
        ["expect", "no", "call"] => Step::ExpectNoCall,
        ["expect", "hangup"] => Step::ExpectHangup,
        ["expect", "ussd", code] => Step::ExpectUssd((*code).to_string()),
        ["expect", "relay", "on"] => Step::ExpectRelay(true),
        ["expect", "relay", "off"] => Step::ExpectRelay(false),
        ["expect", "led", led, pattern] => {
            let led = match *led {
                "power" => Led::Power,
                "gsm" => Led::Gsm,
                "out" => Led::Out,
                other => return Err(format!("unknown LED `{other}`")),
            };
            let pattern = isocket_engine::LedPattern::from_name(pattern)
                .ok_or_else(|| format!("unknown LED pattern `{pattern}`"))?;
            Step::ExpectLed(led, pattern)
        }
        ["expect", "shutdown"] => Step::ExpectShutdown,
        ["modem", "ok"] => Step::Modem(isocket_engine::ModemHealth::Ok),
        ["modem", "sim-error"] => Step::Modem(isocket_engine::ModemHealth::SimError),
        ["modem", "failure"] => Step::Modem(isocket_engine::ModemHealth::ModemError),
        ["storage", "fail"] => Step::Storage { fail: true },
        ["storage", "ok"] => Step::Storage { fail: false },
        ["hang"] => Step::Hang,
        ["expect", "watchdog-reset"] => Step::ExpectWatchdogReset,
        [] => return Err("empty step".into()),
        [verb, ..] if VERBS.contains(verb) => {
            return Err(format!("malformed `{verb}` step: `{}`", line.trim_end()));
        }
        [verb, ..] => return Err(format!("unknown step `{verb}`")),
    };
    Ok(step)
}

/// Whether an SMS text is what an `expect sms` body asks for: line by
/// line, trailing blanks ignored, each body line a whole-line regular
/// expression when `matching`.
pub fn sms_matches(text: &str, body: &[String], matching: bool) -> bool {
    let got: Vec<&str> = text.split('\n').map(str::trim_end).collect();
    got.len() == body.len()
        && got.iter().zip(body).all(|(g, w)| {
            let w = w.trim_end();
            if matching {
                regex::Regex::new(&format!("^(?:{w})$")).is_ok_and(|re| re.is_match(g))
            } else {
                *g == w
            }
        })
}

/// The text after the first `words` words and the spaces that follow them.
fn rest_after(line: &str, words: usize) -> Option<&str> {
    let mut rest = line;
    for _ in 0..words {
        rest = rest.trim_start_matches(' ');
        let end = rest.find(' ')?;
        rest = &rest[end..];
    }
    let text = rest.trim_start_matches(' ');
    (!text.is_empty()).then_some(text)
}

/// `+4915112345678`, `4930…`, or `hidden` (no caller id: empty).
fn parse_number(word: &str) -> Result<String, String> {
    if word == "hidden" {
        return Ok(String::new());
    }
    let digits = word.strip_prefix('+').unwrap_or(word);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("bad phone number `{word}`"));
    }
    Ok(word.to_string())
}

/// `250ms`, `30s`, `5m`, `2h`, `3d`, or a sum such as `1m30s`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    isocket_device::testing::console::duration_ms(text)
        .map(Duration::from_millis)
        .map_err(|_| format!("bad duration `{text}`"))
}

/// `21.5`, `-3.0625`: to sixteenths of a degree (the DS18B20's resolution).
fn parse_celsius(text: &str) -> Result<i32, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("bad temperature `{text}`"))?;
    if !value.is_finite() || value.abs() > 1000.0 {
        return Err(format!("bad temperature `{text}`"));
    }
    Ok((value * 16.0).round() as i32)
}

fn parse_world_time(date: &str, time: &str, zone: &str) -> Result<DateTime<FixedOffset>, String> {
    let date =
        NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| format!("bad date `{date}`"))?;
    let time =
        NaiveTime::parse_from_str(time, "%H:%M:%S").map_err(|_| format!("bad time `{time}`"))?;
    let hours: i32 = match zone.as_bytes().first() {
        Some(b'+' | b'-') => zone.parse().map_err(|_| format!("bad zone `{zone}`"))?,
        _ => return Err(format!("bad zone `{zone}` (±hh)")),
    };
    let offset = hours
        .checked_mul(3600)
        .and_then(FixedOffset::east_opt)
        .ok_or_else(|| format!("bad zone `{zone}`"))?;
    date.and_time(time)
        .and_local_timezone(offset)
        .single()
        .ok_or_else(|| "impossible local time".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_add_up() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("3d"), Ok(Duration::from_secs(3 * 86_400)));
        assert!(parse_duration("5").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn sms_text_is_the_verbatim_rest_of_the_line() {
        assert_eq!(
            parse_step("sms +4915112345678   on30  "),
            Ok(Step::Sms {
                from: "+4915112345678".into(),
                text: "on30  ".into()
            })
        );
        assert_eq!(
            parse_step("sms hidden STATUS"),
            Ok(Step::Sms {
                from: String::new(),
                text: "STATUS".into()
            })
        );
        assert!(parse_step("sms +49").is_err());
    }

    #[test]
    fn expect_sms_collects_its_body() {
        let steps = parse("expect sms +49\n  line one\n\tline two  \nexpect no sms\n").unwrap();
        assert_eq!(
            steps[0].step,
            Step::ExpectSms {
                to: "+49".into(),
                lines: vec!["line one".into(), "line two  ".into()],
                matching: false
            }
        );
        assert_eq!(
            steps[1],
            Line {
                number: 4,
                step: Step::ExpectNoSms(None)
            }
        );
    }

    #[test]
    fn malformed_steps_fail_at_their_line() {
        assert_eq!(parse("# c\n\nfly away\n").unwrap_err().line, 3);
        assert!(parse("expect sms +49\nadvance 1s\n").is_err());
        assert!(parse("advance 1s 2s").is_err());
        assert!(parse("expect led power purple").is_err());
        assert!(parse("temp warm").is_err());
        assert!(parse("  indented").is_err());
    }

    #[test]
    fn zones_out_of_range_are_errors_not_overflows() {
        // Found by the scenario fuzz target: +99999999 hours overflowed.
        assert!(parse_step("world-time 2026-05-01 12:00:00 +99999999").is_err());
        assert!(parse_step("world-time 2026-05-01 12:00:00 +24").is_err());
        assert!(parse_step("world-time 2026-05-01 12:00:00 -12").is_ok());
    }

    #[test]
    fn temperatures_are_sixteenths() {
        assert_eq!(
            parse_step("temp 21.5"),
            Ok(Step::Temp(ProbeSetting::Reads(344)))
        );
        assert_eq!(
            parse_step("temp -3.0625"),
            Ok(Step::Temp(ProbeSetting::Reads(-49)))
        );
    }
}
