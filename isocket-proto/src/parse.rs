//! Text → [`Command`] (manual §2).
//!
//! The command name is the leading run of ASCII letters; it is upper-cased
//! into a small stack buffer and dispatched with one `match`, so parsing costs
//! one pass over the name instead of trying every command in turn. The value
//! after the name is parsed with nom.

use core::str::FromStr;

use nom::branch::alt;
use nom::bytes::complete::take_while_m_n;
use nom::character::complete::{alpha1, char, digit1, one_of, space0};
use nom::combinator::{all_consuming, map_opt, opt};
use nom::sequence::preceded;
use nom::{IResult, Parser};

use crate::command::{Command, ListEdit, Setting};
use crate::error::ParseError;
use crate::number::PhoneNumber;
use crate::values::{
    AlertMode, Celsius, Password, PowerState, RelaySeconds, RelayTime, RestartSeconds, RingAction,
    RingConfirm, ScheduleAction, ScheduleDay, ScheduleRule, SensorType, ThermostatMode, TimeOfDay,
    Timestamp, UssdCode,
};

/// The longest command name, `SMSCONFIRMUNAUTH`.
const MAX_NAME_LEN: usize = 16;

type Res<'a, T> = IResult<&'a str, T, ()>;

impl FromStr for Command {
    type Err = ParseError;

    /// Parses one command (without the password prefix; see [`crate::frame()`]).
    ///
    /// ```
    /// use isocket_proto::{Command, ParseError};
    ///
    /// assert_eq!("on30".parse::<Command>()?.to_string(), "ON30");
    /// assert_eq!("ONX".parse::<Command>(), Err(ParseError::UnknownCommand));
    /// assert_eq!("ON0".parse::<Command>(), Err(ParseError::InvalidValue));
    /// # Ok::<(), ParseError>(())
    /// ```
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let name_len = text.bytes().take_while(u8::is_ascii_alphabetic).count();
        let (name, rest) = text
            .split_at_checked(name_len)
            .ok_or(ParseError::UnknownCommand)?;
        let mut buffer = [0u8; MAX_NAME_LEN];
        let upper = buffer
            .get_mut(..name.len())
            .ok_or(ParseError::UnknownCommand)?;
        upper.copy_from_slice(name.as_bytes());
        upper.make_ascii_uppercase();
        dispatch(upper, rest)
    }
}

fn dispatch(name: &[u8], rest: &str) -> Result<Command, ParseError> {
    use Command as C;
    match name {
        b"MAKEMEBOSS" => bare(rest, C::MakeMeBoss),
        b"SECNUMBER" => list_edit(rest, Setting::SecNumber, C::SecNumber),
        b"SECLIST" => assign(rest, Setting::SecList, |v| on_off(v).map(C::SecList)),
        b"PASSWORD" => assign(rest, Setting::Password, |v| {
            optional(v, "NO", Password::parse).map(C::Password)
        }),
        b"ALERTME" => bare(rest, C::AlertMe),
        b"ALERTNUMBER" => list_edit(rest, Setting::AlertNumber, C::AlertNumber),
        b"SMSCONFIRM" => assign(rest, Setting::SmsConfirm, |v| on_off(v).map(C::SmsConfirm)),
        b"RINGCONFIRM" => assign(rest, Setting::RingConfirm, |v| {
            RingConfirm::from_keyword(v).map(C::RingConfirm)
        }),
        b"ERROR" => assign(rest, Setting::ErrorReplies, |v| {
            on_off(v).map(C::ErrorReplies)
        }),
        b"SMSCONFIRMUNAUTH" => assign(rest, Setting::SmsConfirmUnauth, |v| {
            on_off(v).map(C::SmsConfirmUnauth)
        }),
        b"ON" => timed(rest, C::On, C::OnFor),
        b"OFF" => timed(rest, C::Off, C::OffFor),
        b"RESTART" => bare(rest, C::Restart),
        b"RESTARTTIME" => assign(rest, Setting::RestartTime, |v| {
            number(v).and_then(RestartSeconds::new).map(C::RestartTime)
        }),
        b"STATUS" => bare(rest, C::Status),
        b"TEMPERATURE" => bare(rest, C::Temperature),
        b"RUNTIME" => bare(rest, C::Runtime),
        b"RING" => assign(rest, Setting::Ring, |v| {
            RingAction::from_keyword(v).map(C::Ring)
        }),
        b"THERMOSTATON" => bare(rest, C::ThermostatOn),
        b"THERMOSTATOFF" => bare(rest, C::ThermostatOff),
        b"THERMOSTAT" => assign(rest, Setting::Thermostat, |v| {
            ThermostatMode::from_keyword(v).map(C::Thermostat)
        }),
        b"SWITCHOFFTEMP" => assign(rest, Setting::SwitchOffTemp, |v| {
            temperature(v).map(C::SwitchOffTemp)
        }),
        b"SWITCHOFFALERT" => assign(rest, Setting::SwitchOffAlert, |v| {
            on_off(v).map(C::SwitchOffAlert)
        }),
        b"TSENSFAILALERT" => assign(rest, Setting::TSensFailAlert, |v| {
            on_off(v).map(C::TSensFailAlert)
        }),
        b"TRISEALERT" => assign(rest, Setting::TRiseAlert, |v| {
            optional(v, "OFF", temperature).map(C::TRiseAlert)
        }),
        b"TFALLALERT" => assign(rest, Setting::TFallAlert, |v| {
            optional(v, "OFF", temperature).map(C::TFallAlert)
        }),
        b"DATESMS" => bare(rest, C::DateSms),
        b"DATE" if rest.is_empty() => Ok(C::Date),
        b"DATE" => assign(rest, Setting::Date, |v| timestamp(v).map(C::SetDate)),
        b"SENSORTYPE" => assign(rest, Setting::SensorType, |v| {
            SensorType::from_keyword(v).map(C::SensorType)
        }),
        b"ALERT" => assign(rest, Setting::Alert, |v| {
            AlertMode::from_keyword(v).map(C::Alert)
        }),
        b"RELAYTIME" => assign(rest, Setting::RelayTime, |v| {
            relay_time(v).map(C::RelayTime)
        }),
        b"ALARMON" => bare(rest, C::AlarmOn),
        b"ALARMOFF" => bare(rest, C::AlarmOff),
        b"ALARM" => query_only(rest, Setting::Alarm),
        b"SHOWALARMLOG" => bare(rest, C::ShowAlarmLog),
        b"SCHEDULER" => scheduler(rest),
        b"POWERALERT" => assign(rest, Setting::PowerAlert, |v| on_off(v).map(C::PowerAlert)),
        b"POWERSTATE" => assign(rest, Setting::PowerState, |v| {
            PowerState::from_keyword(v).map(C::PowerState)
        }),
        b"CREDITUMS" => assign(rest, Setting::CreditUms, |v| {
            optional(v, "NO", UssdCode::parse).map(C::CreditUms)
        }),
        b"CREDIT" => bare(rest, C::Credit),
        b"SIMCARD" => UssdCode::parse(rest)
            .map(C::SimCard)
            .ok_or(ParseError::InvalidValue),
        b"HARDWARE" => bare(rest, C::Hardware),
        b"SERIALNUM" => bare(rest, C::SerialNum),
        b"FIRMWARE" => bare(rest, C::Firmware),
        _ => Err(ParseError::UnknownCommand),
    }
}

/// A command that takes no value. `NAME?` of a command without a setting is
/// not a command at all.
fn bare(rest: &str, command: Command) -> Result<Command, ParseError> {
    match rest {
        "" => Ok(command),
        "?" => Err(ParseError::UnknownCommand),
        _ => Err(ParseError::InvalidValue),
    }
}

fn query_only(rest: &str, setting: Setting) -> Result<Command, ParseError> {
    match rest {
        "?" => Ok(Command::Query(setting)),
        "" => Err(ParseError::UnknownCommand),
        _ => Err(ParseError::InvalidValue),
    }
}

/// `NAME?`, or `NAME = value` with optional white space around `=`.
fn assign(
    rest: &str,
    setting: Setting,
    value: impl FnOnce(&str) -> Option<Command>,
) -> Result<Command, ParseError> {
    if rest == "?" {
        return Ok(Command::Query(setting));
    }
    let equals: Res<'_, _> = (space0, char('='), space0).parse(rest);
    match equals {
        Ok((v, _)) if !v.is_empty() => value(v).ok_or(ParseError::InvalidValue),
        _ => Err(ParseError::InvalidValue),
    }
}

/// `ON` / `ON<n>`, `OFF` / `OFF<n>`.
fn timed(
    rest: &str,
    plain: Command,
    timed: fn(RelaySeconds) -> Command,
) -> Result<Command, ParseError> {
    if rest.is_empty() || rest == "?" {
        return bare(rest, plain);
    }
    number(rest)
        .and_then(RelaySeconds::new)
        .map(timed)
        .ok_or(ParseError::InvalidValue)
}

/// `+<num>`, `-<num>`, `-ALL`, `?`.
fn list_edit(
    rest: &str,
    setting: Setting,
    edit: fn(ListEdit) -> Command,
) -> Result<Command, ParseError> {
    if rest == "?" {
        return Ok(Command::Query(setting));
    }
    let change = if let Some(number) = rest.strip_prefix('+') {
        PhoneNumber::parse(number).map(ListEdit::Add)
    } else if let Some(number) = rest.strip_prefix('-') {
        if number.eq_ignore_ascii_case("ALL") {
            Some(ListEdit::Clear)
        } else {
            PhoneNumber::parse(number).map(ListEdit::Remove)
        }
    } else {
        None
    };
    change.map(edit).ok_or(ParseError::InvalidValue)
}

/// `+hh:mm,<d>,<act>`, `-hh:mm`, `-ALL`, `?`.
fn scheduler(rest: &str) -> Result<Command, ParseError> {
    if rest == "?" {
        return Ok(Command::Query(Setting::Scheduler));
    }
    let command = if let Some(rule) = rest.strip_prefix('+') {
        complete(schedule_rule, rule).map(Command::SchedulerAdd)
    } else if let Some(at) = rest.strip_prefix('-') {
        if at.eq_ignore_ascii_case("ALL") {
            Some(Command::SchedulerClear)
        } else {
            complete(time_of_day, at).map(Command::SchedulerRemove)
        }
    } else {
        None
    };
    command.ok_or(ParseError::InvalidValue)
}

/// Runs `parser` over the whole of `text`.
fn complete<'a, T>(
    parser: impl Parser<&'a str, Output = T, Error = ()>,
    text: &'a str,
) -> Option<T> {
    all_consuming(parser).parse(text).ok().map(|(_, v)| v)
}

fn on_off(v: &str) -> Option<bool> {
    if v.eq_ignore_ascii_case("ON") {
        Some(true)
    } else if v.eq_ignore_ascii_case("OFF") {
        Some(false)
    } else {
        None
    }
}

/// `keyword` means "none"; anything else must be a valid `T`.
fn optional<T>(v: &str, keyword: &str, parse: impl FnOnce(&str) -> Option<T>) -> Option<Option<T>> {
    if v.eq_ignore_ascii_case(keyword) {
        Some(None)
    } else {
        parse(v).map(Some)
    }
}

/// A whole number of ASCII digits, `None` on overflow.
fn number(v: &str) -> Option<u32> {
    complete(digit1, v).and_then(digits_value)
}

fn digits_value(digits: &str) -> Option<u32> {
    digits.bytes().try_fold(0u32, |n, d| {
        n.checked_mul(10)?.checked_add(u32::from(d - b'0'))
    })
}

/// `10C`, `-5C`, `50F`: whole degrees with a unit (manual §2).
fn temperature(v: &str) -> Option<Celsius> {
    let (minus, digits, unit) = complete((opt(char('-')), digit1, one_of("CcFf")), v)?;
    let magnitude = i32::try_from(digits_value(digits)?).ok()?;
    let degrees = if minus.is_some() {
        -magnitude
    } else {
        magnitude
    };
    if unit.eq_ignore_ascii_case(&'C') {
        Celsius::new(degrees)
    } else {
        Celsius::from_fahrenheit(degrees)
    }
}

/// `ON<n>`, `ON`, `OFF<n>`, `OFF`, `0`.
fn relay_time(v: &str) -> Option<RelayTime> {
    if v == "0" {
        return Some(RelayTime::Unchanged);
    }
    let name_len = v.bytes().take_while(u8::is_ascii_alphabetic).count();
    let (name, seconds) = v.split_at_checked(name_len)?;
    let on = on_off(name)?;
    if seconds.is_empty() {
        return Some(if on { RelayTime::On } else { RelayTime::Off });
    }
    let seconds = number(seconds).and_then(RelaySeconds::new)?;
    Some(if on {
        RelayTime::OnFor(seconds)
    } else {
        RelayTime::OffFor(seconds)
    })
}

/// Exactly two ASCII digits.
fn two_digits(i: &str) -> Res<'_, u32> {
    map_opt(
        take_while_m_n(2, 2, |c: char| c.is_ascii_digit()),
        digits_value,
    )
    .parse(i)
}

/// `,` and the white space phones put after it.
fn comma(i: &str) -> Res<'_, ()> {
    (char(','), space0).map(|_| ()).parse(i)
}

/// `hh:mm`, two digits each.
fn time_of_day(i: &str) -> Res<'_, TimeOfDay> {
    map_opt((two_digits, char(':'), two_digits), |(h, _, m)| {
        TimeOfDay::new(u8::try_from(h).ok()?, u8::try_from(m).ok()?)
    })
    .parse(i)
}

/// `hh:mm,<d>,<act>`.
fn schedule_rule(i: &str) -> Res<'_, ScheduleRule> {
    let day = map_opt(
        take_while_m_n(1, 1, |c: char| c == '*' || c.is_ascii_digit()),
        ScheduleDay::parse,
    );
    let action = map_opt(alpha1, ScheduleAction::from_keyword);
    (time_of_day, comma, day, comma, action)
        .map(|(at, _, day, _, action)| ScheduleRule { at, day, action })
        .parse(i)
}

/// `yy/mm/dd,hh:mm:ss±zz` or `±zz:mm` (manual §2). Zones are whole quarter
/// hours, as every real zone and the SMS time stamp (TS 23.040) are.
fn timestamp(v: &str) -> Option<Timestamp> {
    let date = (two_digits, char('/'), two_digits, char('/'), two_digits);
    let time = (two_digits, char(':'), two_digits, char(':'), two_digits);
    let zone = (
        alt((char('+'), char('-'))),
        two_digits,
        opt(preceded(char(':'), two_digits)),
    );
    let ((yy, _, mo, _, dd), _, (hh, _, mi, _, ss), (sign, zh, zm)) =
        complete((date, comma, time, zone), v)?;
    let zm = zm.unwrap_or(0);
    if zm >= 60 || zm % 15 != 0 {
        return None;
    }
    let magnitude = i32::try_from(zh * 60 + zm).ok()?;
    let offset = if sign == '-' { -magnitude } else { magnitude };
    let year = 2000 + i32::try_from(yy).ok()?;
    Timestamp::from_local((year, mo, dd), (hh, mi, ss), offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_overflow_is_none() {
        assert_eq!(number("4294967295"), Some(u32::MAX));
        assert_eq!(number("4294967296"), None);
        assert_eq!(number(""), None);
        assert_eq!(number("1a"), None);
    }

    #[test]
    fn zones_are_quarter_hours() {
        assert!(timestamp("26/11/21,14:05:09+05:45").is_some());
        assert!(timestamp("26/11/21,14:05:09+05:20").is_none());
        assert!(timestamp("26/11/21,14:05:09+05:60").is_none());
        assert!(timestamp("26/11/21,14:05:09-00").is_some());
    }
}
