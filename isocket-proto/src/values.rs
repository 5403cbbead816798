//! Typed command values: each one can only hold what the manual allows.

use core::fmt;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, Timelike};
#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};

/// Defines a keyword enum: its variants in listing order (factory default
/// first, as manual §3 lists them), their keywords, and case-insensitive parsing.
macro_rules! keyword_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $keyword:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, factory default first (the order of the `NAME?` listing).
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Every keyword, in the order of [`Self::ALL`].
            pub const KEYWORDS: &'static [&'static str] = &[$($keyword),+];

            /// The keyword as written in commands and replies.
            pub const fn keyword(self) -> &'static str {
                match self {
                    $($name::$variant => $keyword,)+
                }
            }

            /// Parses the keyword, ignoring ASCII case.
            pub fn from_keyword(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.keyword().eq_ignore_ascii_case(text))
            }

            /// Position in [`Self::ALL`], for listings.
            pub fn index(self) -> usize {
                Self::ALL.iter().position(|v| *v == self).unwrap_or(0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.keyword())
            }
        }
    };
}

keyword_enum! {
    /// `RINGCONFIRM`: how a call-triggered action is confirmed (manual §5, §7).
    #[derive(Default)]
    RingConfirm {
        /// The action's reply as an SMS to the caller.
        #[default] Sms = "SMS",
        /// A call back 10 s later.
        Call = "CALL",
        /// No confirmation.
        Off = "OFF",
    }
}

keyword_enum! {
    /// `RING`: what a call from the security list does (manual §7).
    #[derive(Default)]
    RingAction {
        /// Calls are ignored.
        #[default] NoAction = "NOACTION",
        /// A call restarts the socket.
        Restart = "RESTART",
        /// A call toggles the relay.
        Switch = "SWITCH",
    }
}

keyword_enum! {
    /// `THERMOSTAT`: heating or cooling mode (manual §9).
    #[derive(Default)]
    ThermostatMode {
        /// On below the setpoint, off above it.
        #[default] Heating = "HEATING",
        /// On above the setpoint, off below it.
        Cooling = "COOLING",
    }
}

keyword_enum! {
    /// `SENSORTYPE`: the alarm contact's polarity (manual §11).
    #[derive(Default)]
    SensorType {
        /// Normally open: active when closed.
        #[default] NormallyOpen = "NO",
        /// Normally closed: active when open.
        NormallyClosed = "NC",
    }
}

keyword_enum! {
    /// `ALERT`: how an alarm is notified (manual §11).
    #[derive(Default)]
    AlertMode {
        /// An SMS to every alert number.
        #[default] Sms = "SMS",
        /// Calls in list order, then SMS if nobody answers.
        Call = "CALL",
        /// An SMS on every change of the input.
        SmsChange = "SMSCHANGE",
        /// No notification.
        Off = "OFF",
    }
}

keyword_enum! {
    /// `POWERSTATE`: the relay after a mains failure (manual §13).
    #[derive(Default)]
    PowerState {
        /// The saved base state.
        #[default] Remember = "REMEMBER",
        /// Always on.
        On = "ON",
        /// Always off.
        Off = "OFF",
    }
}

keyword_enum! {
    /// A scheduler rule's action (manual §12).
    ScheduleAction {
        /// Relay on.
        On = "ON",
        /// Relay off.
        Off = "OFF",
        /// STATUS reply to every alert number.
        Report = "INF",
        /// Arm the alarm.
        Arm = "AON",
        /// Disarm the alarm.
        Disarm = "AOF",
    }
}

/// Defines a whole-number newtype limited to an inclusive range.
macro_rules! bounded_number {
    ($(#[$meta:meta])* $name:ident($inner:ty as $serde_inner:literal) in $min:literal..=$max:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
        #[cfg_attr(feature = "serde", serde(try_from = $serde_inner))]
        pub struct $name($inner);

        impl $name {
            /// The smallest allowed value.
            pub const MIN: $name = $name($min);
            /// The largest allowed value.
            pub const MAX: $name = $name($max);

            /// The value, if it is within the allowed range.
            pub fn new(value: u32) -> Option<Self> {
                <$inner>::try_from(value).ok().filter(|v| ($min..=$max).contains(v)).map($name)
            }

            /// The number.
            pub const fn get(self) -> $inner {
                self.0
            }
        }

        impl TryFrom<$inner> for $name {
            type Error = &'static str;
            fn try_from(value: $inner) -> Result<Self, Self::Error> {
                Self::new(u32::from(value)).ok_or(concat!(stringify!($name), " out of range"))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }
    };
}

bounded_number! {
    /// Seconds for `ON<n>`, `OFF<n>` and `RELAYTIME=ON<n>`: 1…65000.
    RelaySeconds(u16 as "u16") in 1..=65000
}

bounded_number! {
    /// `RESTARTTIME`: how long RESTART inverts the relay, 1…600 s.
    RestartSeconds(u16 as "u16") in 1..=600
}

impl Default for RestartSeconds {
    /// Factory default: 10 s (manual §16).
    fn default() -> Self {
        RestartSeconds(10)
    }
}

/// A temperature setting in whole °C, −55…120 (manual §2).
///
/// Commands give it in °C or °F; it is stored and printed in °C
/// (`C = round((F − 32) × 5/9)`, half away from zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "i16"))]
pub struct Celsius(i16);

impl Celsius {
    /// The lowest setting, −55 °C.
    pub const MIN: Celsius = Celsius(-55);
    /// The highest setting, 120 °C.
    pub const MAX: Celsius = Celsius(120);

    /// A setting in °C, if within −55…120.
    pub fn new(degrees: i32) -> Option<Self> {
        i16::try_from(degrees)
            .ok()
            .filter(|d| (-55..=120).contains(d))
            .map(Celsius)
    }

    /// A setting given in °F (−67…248), rounded to whole °C.
    pub fn from_fahrenheit(degrees: i32) -> Option<Self> {
        if !(-67..=248).contains(&degrees) {
            return None;
        }
        Self::new(div_round_half_away((degrees - 32) * 5, 9))
    }

    /// Whole degrees Celsius.
    pub const fn degrees(self) -> i16 {
        self.0
    }

    /// The same temperature as a reading, for comparisons and display.
    pub const fn as_reading(self) -> Temperature {
        Temperature::from_sixteenths(self.0.saturating_mul(16))
    }
}

impl Default for Celsius {
    /// Factory default SWITCHOFFTEMP: 10 °C (manual §16).
    fn default() -> Self {
        Celsius(10)
    }
}

impl TryFrom<i16> for Celsius {
    type Error = &'static str;
    fn try_from(value: i16) -> Result<Self, Self::Error> {
        Self::new(i32::from(value)).ok_or("temperature out of range")
    }
}

impl fmt::Display for Celsius {
    /// The canonical command form, `10C`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // As i32, like every other signed number in the replies: one
        // formatter in the image, not two.
        write!(f, "{}C", i32::from(self.0))
    }
}

/// A measured temperature, exact to 1/16 °C (the DS18B20's resolution): the
/// same `i16` count of sixteenths as the DS18B20 register and as
/// `isocket_sensors::ds18b20::Temperature`, so a reading passes between the
/// crates unchanged (`Temperature::from_sixteenths(raw.sixteenths())`).
///
/// Displayed as `26C(78F)`: both scales rounded from the exact reading, half
/// away from zero (manual §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Temperature(i16);

impl Temperature {
    /// A reading in sixteenths of a degree Celsius.
    pub const fn from_sixteenths(sixteenths: i16) -> Self {
        Temperature(sixteenths)
    }

    /// Sixteenths of a degree Celsius.
    pub const fn sixteenths(self) -> i16 {
        self.0
    }

    /// Whole °C, rounded half away from zero.
    pub fn celsius(self) -> i32 {
        div_round_half_away(i32::from(self.0), 16)
    }

    /// Whole °F, rounded half away from zero from the exact reading.
    pub fn fahrenheit(self) -> i32 {
        // F = C × 9/5 + 32 = (s × 9 + 32 × 80) / 80 with s in sixteenths.
        div_round_half_away(i32::from(self.0) * 9 + 2560, 80)
    }
}

impl fmt::Display for Temperature {
    /// `26C(78F)`, the form every reply uses.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}C({}F)", self.celsius(), self.fahrenheit())
    }
}

/// `n / d` rounded half away from zero (`d > 0`).
pub(crate) fn div_round_half_away(n: i32, d: i32) -> i32 {
    let half = d / 2;
    if n >= 0 {
        n.saturating_add(half) / d
    } else {
        -((half.saturating_sub(n)) / d)
    }
}

/// The access password: exactly 5 ASCII letters or digits (manual §4).
///
/// Stored upper-case because it is compared case-insensitively (phones
/// capitalise the first letter of a message on their own).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Password([u8; Password::LEN]);

impl Password {
    /// The password's length.
    pub const LEN: usize = 5;

    /// Parses 5 ASCII letters or digits, in any case.
    pub fn parse(text: &str) -> Option<Self> {
        let bytes: [u8; Self::LEN] = text.as_bytes().try_into().ok()?;
        bytes
            .iter()
            .all(u8::is_ascii_alphanumeric)
            .then(|| Password(bytes.map(|b| b.to_ascii_uppercase())))
    }

    /// Whether `text` starts with this password, ignoring ASCII case.
    pub fn prefixes(&self, text: &str) -> bool {
        text.as_bytes()
            .get(..Self::LEN)
            .is_some_and(|head| head.eq_ignore_ascii_case(&self.0))
    }

    /// The password, upper-case.
    pub fn as_str(&self) -> &str {
        // Only ASCII alphanumerics are ever stored.
        core::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl fmt::Debug for Password {
    /// Never printed in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(*****)")
    }
}

/// Longest USSD code a command can carry (30 characters less `SIMCARD`).
pub const USSD_CODE_LEN: usize = 23;

/// A USSD code: `*` or `#` first, `#` last, only digits, `*` and `#` between (manual §14).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct UssdCode(heapless::String<USSD_CODE_LEN>);

impl UssdCode {
    /// Parses a USSD code such as `*100#`.
    pub fn parse(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        let valid = bytes.len() >= 2
            && matches!(bytes.first(), Some(b'*' | b'#'))
            && bytes.last() == Some(&b'#')
            && bytes
                .iter()
                .all(|b| b.is_ascii_digit() || matches!(b, b'*' | b'#'));
        if !valid {
            return None;
        }
        heapless::String::try_from(text).ok().map(UssdCode)
    }

    /// The code as sent to the network.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UssdCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `RELAYTIME`: what an alarm does to the relay (manual §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum RelayTime {
    /// `0`: the relay is left as it is (factory default).
    #[default]
    Unchanged,
    /// `ON`: relay on.
    On,
    /// `OFF`: relay off.
    Off,
    /// `ON<n>`: on for n seconds, then off.
    OnFor(RelaySeconds),
    /// `OFF<n>`: off for n seconds, then on.
    OffFor(RelaySeconds),
}

impl fmt::Display for RelayTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RelayTime::Unchanged => f.write_str("0"),
            RelayTime::On => f.write_str("ON"),
            RelayTime::Off => f.write_str("OFF"),
            RelayTime::OnFor(n) => write!(f, "ON{n}"),
            RelayTime::OffFor(n) => write!(f, "OFF{n}"),
        }
    }
}

/// A time of day to the minute, `hh:mm` (scheduler rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct TimeOfDay {
    hour: u8,
    minute: u8,
}

impl TimeOfDay {
    /// A time, if `hour` < 24 and `minute` < 60.
    pub fn new(hour: u8, minute: u8) -> Option<Self> {
        (hour < 24 && minute < 60).then_some(TimeOfDay { hour, minute })
    }

    /// Hour, 0…23.
    pub const fn hour(self) -> u8 {
        self.hour
    }

    /// Minute, 0…59.
    pub const fn minute(self) -> u8 {
        self.minute
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

/// The day a scheduler rule applies to: `*` or `1` (Monday) … `7` (Sunday).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum ScheduleDay {
    /// `*`: every day.
    Every,
    /// One weekday, 1 = Monday … 7 = Sunday.
    Weekday(u8),
}

impl ScheduleDay {
    /// `*` or `1`…`7`.
    pub fn parse(text: &str) -> Option<Self> {
        match text.as_bytes() {
            [b'*'] => Some(ScheduleDay::Every),
            [d @ b'1'..=b'7'] => Some(ScheduleDay::Weekday(d - b'0')),
            _ => None,
        }
    }

    /// Whether the rule applies on `weekday`.
    pub fn includes(self, weekday: chrono::Weekday) -> bool {
        match self {
            ScheduleDay::Every => true,
            ScheduleDay::Weekday(n) => u32::from(n) == weekday.number_from_monday(),
        }
    }
}

impl fmt::Display for ScheduleDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScheduleDay::Every => f.write_str("*"),
            ScheduleDay::Weekday(n) => write!(f, "{n}"),
        }
    }
}

/// A scheduler rule, `hh:mm,<day>,<action>` (manual §12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct ScheduleRule {
    /// When it fires.
    pub at: TimeOfDay,
    /// On which days.
    pub day: ScheduleDay,
    /// What it does.
    pub action: ScheduleAction,
}

impl fmt::Display for ScheduleRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{},{}", self.at, self.day, self.action)
    }
}

/// A wall-clock time with its zone offset, as the device shows it (manual §2, §10).
///
/// Written `yy/mm/dd,hh:mm:ss±zz` (`±zz:mm` for zones that are not whole
/// hours). Two-digit years are 2000–2099.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timestamp(DateTime<FixedOffset>);

impl Timestamp {
    /// The largest zone offset accepted, in minutes (UTC+14:00).
    pub const MAX_OFFSET_MINUTES: i32 = 14 * 60;

    /// A timestamp from its local calendar fields and zone offset in minutes.
    ///
    /// `None` for impossible dates (month 13, Feb 29 of a common year, 24:00)
    /// and offsets beyond ±14:00.
    pub fn from_local(
        date: (i32, u32, u32),
        time: (u32, u32, u32),
        offset_minutes: i32,
    ) -> Option<Self> {
        if offset_minutes.abs() > Self::MAX_OFFSET_MINUTES {
            return None;
        }
        let offset = FixedOffset::east_opt(offset_minutes * 60)?;
        let local = NaiveDate::from_ymd_opt(date.0, date.1, date.2)?
            .and_time(NaiveTime::from_hms_opt(time.0, time.1, time.2)?);
        local.and_local_timezone(offset).single().map(Timestamp)
    }

    /// Wraps a chrono time.
    pub const fn from_datetime(time: DateTime<FixedOffset>) -> Self {
        Timestamp(time)
    }

    /// The chrono time.
    pub const fn datetime(self) -> DateTime<FixedOffset> {
        self.0
    }

    /// The zone offset in minutes east of UTC.
    pub fn offset_minutes(self) -> i32 {
        self.0.offset().local_minus_utc() / 60
    }

    /// `yy/mm/dd,hh:mm:ss` without the zone, as STATUS, RUNTIME and alerts show it.
    pub fn local(self) -> LocalTime {
        LocalTime(self)
    }
}

impl fmt::Display for Timestamp {
    /// `yy/mm/dd,hh:mm:ss±zz`, or `±zz:mm` when the offset has minutes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let offset = self.offset_minutes();
        let sign = if offset < 0 { '-' } else { '+' };
        let (hours, minutes) = (offset.abs() / 60, offset.abs() % 60);
        write!(f, "{}{sign}{hours:02}", self.local())?;
        if minutes != 0 {
            write!(f, ":{minutes:02}")?;
        }
        Ok(())
    }
}

/// A [`Timestamp`] shown without its zone: `yy/mm/dd,hh:mm:ss`.
#[derive(Debug, Clone, Copy)]
pub struct LocalTime(Timestamp);

impl fmt::Display for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0.0;
        write!(
            f,
            "{:02}/{:02}/{:02},{:02}:{:02}:{:02}",
            t.year().rem_euclid(100),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }
}

#[cfg(feature = "serde")]
impl Serialize for Timestamp {
    /// `(unix seconds, offset seconds)`: compact, and needs no allocator.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (self.0.timestamp(), self.0.offset().local_minus_utc()).serialize(serializer)
    }
}

#[cfg(feature = "serde")]
impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (seconds, offset): (i64, i32) = Deserialize::deserialize(deserializer)?;
        let offset = FixedOffset::east_opt(offset)
            .ok_or_else(|| serde::de::Error::custom("zone offset out of range"))?;
        DateTime::from_timestamp(seconds, 0)
            .map(|utc| Timestamp(utc.with_timezone(&offset)))
            .ok_or_else(|| serde::de::Error::custom("time out of range"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fahrenheit_converts_with_rounding() {
        assert_eq!(Celsius::from_fahrenheit(50), Celsius::new(10));
        assert_eq!(Celsius::from_fahrenheit(-67), Celsius::new(-55));
        assert_eq!(Celsius::from_fahrenheit(248), Celsius::new(120));
        // 33 °F = 0.556 °C → 1; 31 °F = −0.556 °C → −1; 0 °F = −17.78 → −18.
        assert_eq!(Celsius::from_fahrenheit(33), Celsius::new(1));
        assert_eq!(Celsius::from_fahrenheit(31), Celsius::new(-1));
        assert_eq!(Celsius::from_fahrenheit(0), Celsius::new(-18));
        assert_eq!(Celsius::from_fahrenheit(249), None);
        assert_eq!(Celsius::from_fahrenheit(-68), None);
    }

    #[test]
    fn readings_round_half_away_from_zero() {
        let show = |s: i16| {
            let mut out = heapless::String::<16>::new();
            core::fmt::write(
                &mut out,
                format_args!("{}", Temperature::from_sixteenths(s)),
            )
            .unwrap();
            out
        };
        assert_eq!(show(25 * 16 + 8), "26C(78F)"); // 25.5 °C
        assert_eq!(show(35 * 16), "35C(95F)");
        assert_eq!(show(-(2 * 16 + 8)), "-3C(28F)"); // −2.5 °C → −3, 27.5 °F → 28
        assert_eq!(show(-49), "-3C(26F)"); // −3.0625 °C = 26.4875 °F
        assert_eq!(show(-55 * 16), "-55C(-67F)");
        assert_eq!(show(-(17 * 16 + 12)), "-18C(0F)"); // −17.75 °C = 0.05 °F
        assert_eq!(show(-(18 * 16)), "-18C(0F)"); // −0.4 °F rounds to 0
    }

    #[test]
    fn passwords_are_five_alphanumerics() {
        assert_eq!(Password::parse("12abc").unwrap().as_str(), "12ABC");
        assert!(Password::parse("12ab").is_none());
        assert!(Password::parse("12ab!").is_none());
        assert!(Password::parse("12abcd").is_none());
        assert!(Password::parse("12äb").is_none());
        assert!(Password::parse("12ABC").unwrap().prefixes("12abcSTATUS"));
        assert!(!Password::parse("12ABC").unwrap().prefixes("12ab"));
    }

    #[test]
    fn timestamps_print_their_zone() {
        let t = Timestamp::from_local((2026, 11, 21), (14, 5, 9), 60).unwrap();
        assert_eq!(format!("{t}"), "26/11/21,14:05:09+01");
        let t = Timestamp::from_local((2026, 1, 2), (3, 4, 5), -(3 * 60 + 30)).unwrap();
        assert_eq!(format!("{t}"), "26/01/02,03:04:05-03:30");
        assert_eq!(format!("{}", t.local()), "26/01/02,03:04:05");
        assert!(Timestamp::from_local((2025, 2, 29), (0, 0, 0), 0).is_none());
        assert!(Timestamp::from_local((2028, 2, 29), (0, 0, 0), 0).is_some());
        assert!(Timestamp::from_local((2026, 1, 1), (24, 0, 0), 0).is_none());
        assert!(Timestamp::from_local((2026, 1, 1), (0, 0, 0), 15 * 60).is_none());
    }
}
