//! Typed replies → the exact texts of the manual, in GSM-7 only.
//!
//! A [`Reply`] renders through [`core::fmt::Display`], so it writes into any
//! [`core::fmt::Write`] (a `heapless::String`, a UART buffer) without
//! allocating. Text that comes from outside (an unknown command, a USSD
//! answer, a board name) is filtered: characters outside the GSM 7-bit
//! alphabet become `?`.

use core::fmt::{self, Write};

use crate::command::Command;
use crate::gsm7;
use crate::number::PhoneNumber;
use crate::values::{
    AlertMode, Celsius, PowerState, RelaySeconds, RelayTime, RestartSeconds, RingAction,
    RingConfirm, ScheduleRule, SensorType, Temperature, ThermostatMode, Timestamp, UssdCode,
};

/// What the probe gave on the last read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Probe {
    /// A valid reading.
    Reading(Temperature),
    /// The probe answered but the reading failed the checks of manual §9.
    SensorError,
    /// No probe answered.
    NoSensor,
}

impl fmt::Display for Probe {
    /// `25C(77F)`, `Sensor error!` or `No sensor`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Probe::Reading(t) => write!(f, "{t}"),
            Probe::SensorError => f.write_str("Sensor error!"),
            Probe::NoSensor => f.write_str("No sensor"),
        }
    }
}

/// The thermostat's settings and whether it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ThermostatState {
    /// THERMOSTATON was given (and not THERMOSTATOFF since).
    pub enabled: bool,
    /// HEATING or COOLING.
    pub mode: ThermostatMode,
    /// SWITCHOFFTEMP.
    pub setpoint: Celsius,
}

/// Everything the STATUS reply shows (manual §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Status {
    /// The relay.
    pub relay_on: bool,
    /// Signal strength in dBm, if the modem reported one.
    pub signal_dbm: Option<i16>,
    /// The probe.
    pub probe: Probe,
    /// The alarm is armed (ALARMON).
    pub alarm_armed: bool,
    /// An alarm occurred since ALARMON.
    pub alarm_activated: bool,
    /// The device clock, if set.
    pub clock: Option<Timestamp>,
}

/// What RUNTIME reports (manual §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Runtime {
    /// On since this time (the clock is set).
    OnSince(Timestamp),
    /// On for this many seconds (the clock is not set).
    OnFor {
        /// Seconds the relay has been on.
        seconds: u32,
    },
    /// The relay is off.
    Off,
}

/// What ALARM? reports (manual §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AlarmState {
    /// ALARMON.
    pub armed: bool,
    /// Whether a sensor is plugged in, where the board can tell; `None` shows `Connected`.
    pub sensor_connected: Option<bool>,
    /// An alarm occurred since ALARMON.
    pub activated: bool,
}

/// The answer to `NAME?` (manual §3: listings with the factory default first
/// and the current value in parentheses; numeric values as `NAME=<value>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingValue<'a> {
    /// `SECNUMBERs: <n1>,<n2>` / `SECNUMBERs: none`
    SecNumbers(&'a [PhoneNumber]),
    /// `SECLIST=(OFF),ON`
    SecList(bool),
    /// `PASSWORD=*****` / `PASSWORD=NO`: whether one is set, never the password.
    Password(bool),
    /// `ALERTNUMBERs: <n1>,<n2>` / `ALERTNUMBERs: none`
    AlertNumbers(&'a [PhoneNumber]),
    /// `SMSCONFIRM=(ON),OFF`
    SmsConfirm(bool),
    /// `RINGCONFIRM=(SMS),CALL,OFF`
    RingConfirm(RingConfirm),
    /// `ERROR=(ON),OFF`
    ErrorReplies(bool),
    /// `SMSCONFIRMUNAUTH=(OFF),ON`
    SmsConfirmUnauth(bool),
    /// `RESTARTTIME=<n> seconds`
    RestartTime(RestartSeconds),
    /// `RING=(NOACTION),RESTART,SWITCH`
    Ring(RingAction),
    /// `THERMOSTAT: Enabled\nTHERMOSTAT=HEATING\nSwitch-off temperature: 10C(50F)`
    Thermostat(ThermostatState),
    /// `SWITCHOFFTEMP=10C(50F)`
    SwitchOffTemp(Celsius),
    /// `SWITCHOFFALERT=(OFF),ON`
    SwitchOffAlert(bool),
    /// `TSENSFAILALERT=(OFF),ON`
    TSensFailAlert(bool),
    /// `TRISEALERT=35C(95F)` / `TRISEALERT=OFF`
    TRiseAlert(Option<Celsius>),
    /// `TFALLALERT=15C(59F)` / `TFALLALERT=OFF`
    TFallAlert(Option<Celsius>),
    /// `DATE 26/11/21,14:05:09+01` / `DATE not set`
    Date(Option<Timestamp>),
    /// `SENSORTYPE=(NO),NC`
    SensorType(SensorType),
    /// `ALERT=(SMS),CALL,SMSCHANGE,OFF`
    Alert(AlertMode),
    /// `RELAYTIME=ON60`
    RelayTime(RelayTime),
    /// `ALARM function: Disabled\nSensor(s): Connected\nALARM status: No activity`
    Alarm(AlarmState),
    /// One rule per line, `08:00,*,ON`, in the order given; `SCHEDULER: empty`.
    Scheduler(&'a [ScheduleRule]),
    /// `POWERALERT=(ON),OFF`
    PowerAlert(bool),
    /// `POWERSTATE=(REMEMBER),ON,OFF`
    PowerState(PowerState),
    /// `CREDITUMS: *100#` / `CREDITUMS: NO`
    CreditUms(Option<&'a UssdCode>),
}

/// Every SMS text the device sends (manual §3–§15), errors and alerts included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply<'a> {
    /// `<TEXT> - No such command exists on the device!` (TEXT: the command
    /// text after the password; it is upper-cased here).
    UnknownCommand(&'a str),
    /// `Invalid access password!`
    InvalidPassword,
    /// `Incorrect value!`
    IncorrectValue,
    /// `<TEXT> - Time for configuration expired (Conf)!`
    ConfigurationExpired(&'a str),
    /// `List is full!`
    ListFull,
    /// `Execute error!`
    ExecuteError,
    /// `Access deny!`
    AccessDenied,
    /// `SECLIST is not active!` (RING=SWITCH/RESTART while SECLIST is off).
    SecListNotActive,

    /// `<command as shown> - OK`, e.g. `SECLIST=ON - OK`,
    /// `TRISEALERT=35C(95F) - OK`, `PASSWORD=***** - OK`.
    Confirmed(&'a Command),
    /// MAKEMEBOSS's confirmation.
    BossAssigned,
    /// ALERTME's confirmation.
    AlertMeAssigned,
    /// `DATE 26/11/21,14:05:09+01 - OK` (DATESMS).
    DateSetFromSms(Timestamp),
    /// `THERMOSTAT=HEATING - OK\nSwitch-off temperature: 10C(50F)\nTHERMOSTAT: Disabled`
    ThermostatModeSet(ThermostatState),
    /// `SWITCHOFFTEMP=10C(50F) - OK\nTHERMOSTAT=HEATING\nTHERMOSTAT: Disabled`
    SwitchOffTempSet(ThermostatState),
    /// `THERMOSTATON - OK\nTHERMOSTAT=HEATING\nSwitch-off temperature: 10C(50F)\nNote! Thermostat is working now!`
    ThermostatStarted(ThermostatState),
    /// `THERMOSTATOFF - OK\nNote! Thermostat was disabled!`
    ThermostatStopped,
    /// `ALARMON - OK\nALARM function: Enabled` / `ALARMOFF - OK\nALARM function: Disabled`
    AlarmFunction(bool),

    /// `Power socket ON`
    PowerOn,
    /// `Power socket OFF`
    PowerOff,
    /// `Power ON for <n> seconds`
    PowerOnFor(RelaySeconds),
    /// `Power OFF for <n> seconds`
    PowerOffFor(RelaySeconds),
    /// `Power socket restarted`
    Restarted,
    /// The STATUS reply, one item per line.
    Status(Status),
    /// `TEMPERATURE: 25C(77F)` / `TEMPERATURE: Sensor error!` / `TEMPERATURE: No sensor`
    Temperature(Probe),
    /// `Power socket is ON from: …`, `Power socket is ON for: <d>d <hh>:<mm>:<ss>`, `Power socket is OFF`
    Runtime(Runtime),
    /// `DATE 26/11/21,14:05:09+01` / `DATE not set`
    Date(Option<Timestamp>),
    /// The answer to `NAME?`.
    Setting(SettingValue<'a>),
    /// `ALARM log:` then one `yy/mm/dd,hh:mm:ss` line per alarm (`time not
    /// set` where the clock was unset), oldest first; `ALARM log: empty`.
    AlarmLog(&'a [Option<Timestamp>]),
    /// The operator's USSD answer (CREDIT, SIMCARD).
    Ussd(&'a str),
    /// The board's product name (HARDWARE).
    Hardware(&'a str),
    /// `S/N: <serial>`
    SerialNumber(&'a str),
    /// `v<version> (isocket)`
    Firmware(&'a str),

    /// `SWITCHOFFALERT! Power socket switched OFF at 10C(50F)`
    SwitchOffAlert(Temperature),
    /// `TSENSFAILALERT! Temperature sensor failure`
    SensorFailureAlert,
    /// `TRISEALERT! Temperature 36C(97F) is above 35C(95F)`
    RiseAlert {
        /// The reading.
        reading: Temperature,
        /// TRISEALERT.
        limit: Celsius,
    },
    /// `TFALLALERT! Temperature 14C(57F) is below 15C(59F)`
    FallAlert {
        /// The reading.
        reading: Temperature,
        /// TFALLALERT.
        limit: Celsius,
    },
    /// `ALARM! Sensor activated! Time: yy/mm/dd,hh:mm:ss` (no `Time:` part while the clock is unset)
    AlarmActivated(Option<Timestamp>),
    /// `Sensor returned to normal state. Time: …`
    AlarmCleared(Option<Timestamp>),
    /// `Power failure! Time: …`
    PowerFailure(Option<Timestamp>),
    /// `Power restored! Power socket ON. Time: …` (or `OFF`)
    PowerRestored {
        /// The relay after the restore.
        relay_on: bool,
        /// The device clock, if set.
        at: Option<Timestamp>,
    },
}

impl Reply<'_> {
    /// Writes the reply text into `out`.
    pub fn render<W: Write>(&self, out: &mut W) -> fmt::Result {
        write!(out, "{self}")
    }
}

impl fmt::Display for Reply<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reply::UnknownCommand(text) => {
                write!(
                    f,
                    "{} - No such command exists on the device!",
                    Gsm7Upper(text)
                )
            }
            Reply::InvalidPassword => f.write_str("Invalid access password!"),
            Reply::IncorrectValue => f.write_str("Incorrect value!"),
            Reply::ConfigurationExpired(text) => {
                write!(
                    f,
                    "{} - Time for configuration expired (Conf)!",
                    Gsm7Upper(text)
                )
            }
            Reply::ListFull => f.write_str("List is full!"),
            Reply::ExecuteError => f.write_str("Execute error!"),
            Reply::AccessDenied => f.write_str("Access deny!"),
            Reply::SecListNotActive => f.write_str("SECLIST is not active!"),
            Reply::Confirmed(command) => write!(f, "{} - OK", command.shown()),
            Reply::BossAssigned => f.write_str(
                "Your phone number has been assigned for all types of alerts and was added to \
                 security list which has been activated",
            ),
            Reply::AlertMeAssigned => {
                f.write_str("Your phone number has been assigned for all types of alerts!")
            }
            Reply::DateSetFromSms(t) => write!(f, "DATE {t} - OK"),
            Reply::ThermostatModeSet(t) => write!(
                f,
                "THERMOSTAT={} - OK\nSwitch-off temperature: {}\nTHERMOSTAT: {}",
                t.mode,
                t.setpoint.as_reading(),
                enabled(t.enabled)
            ),
            Reply::SwitchOffTempSet(t) => write!(
                f,
                "SWITCHOFFTEMP={} - OK\nTHERMOSTAT={}\nTHERMOSTAT: {}",
                t.setpoint.as_reading(),
                t.mode,
                enabled(t.enabled)
            ),
            Reply::ThermostatStarted(t) => write!(
                f,
                "THERMOSTATON - OK\nTHERMOSTAT={}\nSwitch-off temperature: {}\n\
                 Note! Thermostat is working now!",
                t.mode,
                t.setpoint.as_reading()
            ),
            Reply::ThermostatStopped => {
                f.write_str("THERMOSTATOFF - OK\nNote! Thermostat was disabled!")
            }
            Reply::AlarmFunction(true) => f.write_str("ALARMON - OK\nALARM function: Enabled"),
            Reply::AlarmFunction(false) => f.write_str("ALARMOFF - OK\nALARM function: Disabled"),
            Reply::PowerOn => f.write_str("Power socket ON"),
            Reply::PowerOff => f.write_str("Power socket OFF"),
            Reply::PowerOnFor(n) => write!(f, "Power ON for {n} seconds"),
            Reply::PowerOffFor(n) => write!(f, "Power OFF for {n} seconds"),
            Reply::Restarted => f.write_str("Power socket restarted"),
            Reply::Status(s) => write_status(f, s),
            Reply::Temperature(probe) => write!(f, "TEMPERATURE: {probe}"),
            Reply::Runtime(Runtime::OnSince(t)) => {
                write!(f, "Power socket is ON from: {}", t.local())
            }
            Reply::Runtime(Runtime::OnFor { seconds }) => write!(
                f,
                "Power socket is ON for: {}d {:02}:{:02}:{:02}",
                seconds / 86_400,
                seconds / 3600 % 24,
                seconds / 60 % 60,
                seconds % 60
            ),
            Reply::Runtime(Runtime::Off) => f.write_str("Power socket is OFF"),
            Reply::Date(Some(t)) => write!(f, "DATE {t}"),
            Reply::Date(None) => f.write_str("DATE not set"),
            Reply::Setting(value) => write_setting(f, value),
            Reply::AlarmLog(entries) => write_alarm_log(f, entries),
            Reply::Ussd(text) | Reply::Hardware(text) => write!(f, "{}", Gsm7(text)),
            Reply::SerialNumber(serial) => write!(f, "S/N: {}", Gsm7(serial)),
            Reply::Firmware(version) => write!(f, "v{} (isocket)", Gsm7(version)),
            Reply::SwitchOffAlert(t) => {
                write!(f, "SWITCHOFFALERT! Power socket switched OFF at {t}")
            }
            Reply::SensorFailureAlert => f.write_str("TSENSFAILALERT! Temperature sensor failure"),
            Reply::RiseAlert { reading, limit } => write!(
                f,
                "TRISEALERT! Temperature {reading} is above {}",
                limit.as_reading()
            ),
            Reply::FallAlert { reading, limit } => write!(
                f,
                "TFALLALERT! Temperature {reading} is below {}",
                limit.as_reading()
            ),
            Reply::AlarmActivated(at) => {
                write!(f, "ALARM! Sensor activated!{}", TimeSuffix(*at))
            }
            Reply::AlarmCleared(at) => {
                write!(f, "Sensor returned to normal state.{}", TimeSuffix(*at))
            }
            Reply::PowerFailure(at) => write!(f, "Power failure!{}", TimeSuffix(*at)),
            Reply::PowerRestored { relay_on, at } => write!(
                f,
                "Power restored! Power socket {}.{}",
                on_off(*relay_on),
                TimeSuffix(*at)
            ),
        }
    }
}

fn enabled(on: bool) -> &'static str {
    if on { "Enabled" } else { "Disabled" }
}

fn on_off(on: bool) -> &'static str {
    if on { "ON" } else { "OFF" }
}

/// The signal class STATUS shows for an RSSI in dBm (manual §6).
pub fn signal_quality(dbm: i16) -> &'static str {
    match dbm {
        -60.. => "Excellent",
        -75..=-61 => "Good",
        -90..=-76 => "Fair",
        -105..=-91 => "Poor",
        _ => "Very poor",
    }
}

/// Writes an enumerated setting's listing, `NAME=a,(b),c` (manual §3): every
/// option in the order given (factory default first), the current one in
/// parentheses.
///
/// ```
/// let mut out = heapless::String::<40>::new();
/// isocket_proto::reply::write_listing(&mut out, "RING", &["NOACTION", "RESTART", "SWITCH"], "SWITCH")?;
/// assert_eq!(out, "RING=NOACTION,RESTART,(SWITCH)");
/// # Ok::<(), core::fmt::Error>(())
/// ```
pub fn write_listing<W: Write>(
    out: &mut W,
    name: &str,
    options: &[&str],
    current: &str,
) -> fmt::Result {
    write!(out, "{name}=")?;
    for (i, option) in options.iter().enumerate() {
        if i > 0 {
            out.write_char(',')?;
        }
        if *option == current {
            write!(out, "({option})")?;
        } else {
            out.write_str(option)?;
        }
    }
    Ok(())
}

fn write_on_off_listing<W: Write>(
    out: &mut W,
    name: &str,
    default_on: bool,
    on: bool,
) -> fmt::Result {
    let options: &[&str] = if default_on {
        &["ON", "OFF"]
    } else {
        &["OFF", "ON"]
    };
    write_listing(out, name, options, on_off(on))
}

fn write_status(f: &mut fmt::Formatter<'_>, s: &Status) -> fmt::Result {
    writeln!(f, "Power socket {}", on_off(s.relay_on))?;
    match s.signal_dbm {
        // As i32, like every other signed number in the replies: one
        // formatter in the image.
        Some(dbm) => writeln!(f, "Signal: {} ({}dBm)", signal_quality(dbm), i32::from(dbm))?,
        None => writeln!(f, "Signal: Unknown")?,
    }
    writeln!(f, "TEMP: {}", s.probe)?;
    writeln!(f, "ALARMF: {}", enabled(s.alarm_armed))?;
    writeln!(f, "ALARM status: {}", activity(s.alarm_activated))?;
    match s.clock {
        Some(t) => write!(f, "Time: {}", t.local()),
        None => f.write_str("Time: not set"),
    }
}

fn activity(activated: bool) -> &'static str {
    if activated {
        "Activated"
    } else {
        "No activity"
    }
}

fn write_numbers(f: &mut fmt::Formatter<'_>, name: &str, numbers: &[PhoneNumber]) -> fmt::Result {
    write!(f, "{name}s: ")?;
    if numbers.is_empty() {
        return f.write_str("none");
    }
    for (i, number) in numbers.iter().enumerate() {
        if i > 0 {
            f.write_char(',')?;
        }
        f.write_str(number.as_str())?;
    }
    Ok(())
}

fn write_limit(f: &mut fmt::Formatter<'_>, name: &str, limit: Option<Celsius>) -> fmt::Result {
    match limit {
        Some(t) => write!(f, "{name}={}", t.as_reading()),
        None => write!(f, "{name}=OFF"),
    }
}

fn write_setting(f: &mut fmt::Formatter<'_>, value: &SettingValue<'_>) -> fmt::Result {
    match value {
        SettingValue::SecNumbers(numbers) => write_numbers(f, "SECNUMBER", numbers),
        SettingValue::AlertNumbers(numbers) => write_numbers(f, "ALERTNUMBER", numbers),
        SettingValue::SecList(on) => write_on_off_listing(f, "SECLIST", false, *on),
        SettingValue::Password(true) => f.write_str("PASSWORD=*****"),
        SettingValue::Password(false) => f.write_str("PASSWORD=NO"),
        SettingValue::SmsConfirm(on) => write_on_off_listing(f, "SMSCONFIRM", true, *on),
        SettingValue::RingConfirm(v) => {
            write_listing(f, "RINGCONFIRM", RingConfirm::KEYWORDS, v.keyword())
        }
        SettingValue::ErrorReplies(on) => write_on_off_listing(f, "ERROR", true, *on),
        SettingValue::SmsConfirmUnauth(on) => {
            write_on_off_listing(f, "SMSCONFIRMUNAUTH", false, *on)
        }
        SettingValue::RestartTime(n) => write!(f, "RESTARTTIME={n} seconds"),
        SettingValue::Ring(v) => write_listing(f, "RING", RingAction::KEYWORDS, v.keyword()),
        SettingValue::Thermostat(t) => write!(
            f,
            "THERMOSTAT: {}\nTHERMOSTAT={}\nSwitch-off temperature: {}",
            enabled(t.enabled),
            t.mode,
            t.setpoint.as_reading()
        ),
        SettingValue::SwitchOffTemp(t) => write!(f, "SWITCHOFFTEMP={}", t.as_reading()),
        SettingValue::SwitchOffAlert(on) => write_on_off_listing(f, "SWITCHOFFALERT", false, *on),
        SettingValue::TSensFailAlert(on) => write_on_off_listing(f, "TSENSFAILALERT", false, *on),
        SettingValue::TRiseAlert(limit) => write_limit(f, "TRISEALERT", *limit),
        SettingValue::TFallAlert(limit) => write_limit(f, "TFALLALERT", *limit),
        SettingValue::Date(Some(t)) => write!(f, "DATE {t}"),
        SettingValue::Date(None) => f.write_str("DATE not set"),
        SettingValue::SensorType(v) => {
            write_listing(f, "SENSORTYPE", SensorType::KEYWORDS, v.keyword())
        }
        SettingValue::Alert(v) => write_listing(f, "ALERT", AlertMode::KEYWORDS, v.keyword()),
        SettingValue::RelayTime(v) => write!(f, "RELAYTIME={v}"),
        SettingValue::Alarm(a) => write!(
            f,
            "ALARM function: {}\nSensor(s): {}\nALARM status: {}",
            enabled(a.armed),
            if a.sensor_connected == Some(false) {
                "Not connected"
            } else {
                "Connected"
            },
            activity(a.activated)
        ),
        SettingValue::Scheduler([]) => f.write_str("SCHEDULER: empty"),
        SettingValue::Scheduler(rules) => {
            for (i, rule) in rules.iter().enumerate() {
                if i > 0 {
                    f.write_char('\n')?;
                }
                write!(f, "{rule}")?;
            }
            Ok(())
        }
        SettingValue::PowerAlert(on) => write_on_off_listing(f, "POWERALERT", true, *on),
        SettingValue::PowerState(v) => {
            write_listing(f, "POWERSTATE", PowerState::KEYWORDS, v.keyword())
        }
        SettingValue::CreditUms(Some(code)) => write!(f, "CREDITUMS: {code}"),
        SettingValue::CreditUms(None) => f.write_str("CREDITUMS: NO"),
    }
}

fn write_alarm_log(f: &mut fmt::Formatter<'_>, entries: &[Option<Timestamp>]) -> fmt::Result {
    if entries.is_empty() {
        return f.write_str("ALARM log: empty");
    }
    f.write_str("ALARM log:")?;
    for entry in entries {
        match entry {
            Some(t) => write!(f, "\n{}", t.local())?,
            None => f.write_str("\ntime not set")?,
        }
    }
    Ok(())
}

/// ` Time: yy/mm/dd,hh:mm:ss`, or nothing while the clock is unset.
struct TimeSuffix(Option<Timestamp>);

impl fmt::Display for TimeSuffix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(t) => write!(f, " Time: {}", t.local()),
            None => Ok(()),
        }
    }
}

/// Outside text with every non-GSM-7 character replaced by `?`.
struct Gsm7<'a>(&'a str);

impl fmt::Display for Gsm7<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0
            .chars()
            .try_for_each(|c| f.write_char(gsm7::or_question_mark(c)))
    }
}

/// Outside text upper-cased, every non-GSM-7 character replaced by `?` (manual §3's `<TEXT>`).
struct Gsm7Upper<'a>(&'a str);

impl fmt::Display for Gsm7Upper<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.chars().try_for_each(|c| gsm7::write_upper(f, c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(reply: Reply<'_>) -> String {
        reply.to_string()
    }

    #[test]
    fn signal_classes_have_exact_boundaries() {
        assert_eq!(signal_quality(-60), "Excellent");
        assert_eq!(signal_quality(-61), "Good");
        assert_eq!(signal_quality(-75), "Good");
        assert_eq!(signal_quality(-76), "Fair");
        assert_eq!(signal_quality(-90), "Fair");
        assert_eq!(signal_quality(-91), "Poor");
        assert_eq!(signal_quality(-105), "Poor");
        assert_eq!(signal_quality(-106), "Very poor");
    }

    #[test]
    fn unknown_command_text_is_upper_cased_gsm7() {
        assert_eq!(
            text(Reply::UnknownCommand("hallo ✓")),
            "HALLO ? - No such command exists on the device!"
        );
    }

    #[test]
    fn runtime_without_clock_counts_days() {
        let seconds = 2 * 86_400 + 3 * 3600 + 4 * 60 + 5;
        assert_eq!(
            text(Reply::Runtime(Runtime::OnFor { seconds })),
            "Power socket is ON for: 2d 03:04:05"
        );
    }
}
