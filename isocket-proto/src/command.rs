//! The typed SMS commands of manual §4–§15.

use core::fmt;

#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};

use crate::number::PhoneNumber;
use crate::values::{
    AlertMode, Celsius, Password, PowerState, RelaySeconds, RelayTime, RestartSeconds, RingAction,
    RingConfirm, ScheduleRule, SensorType, ThermostatMode, TimeOfDay, Timestamp, UssdCode,
};

/// The three command types of manual §2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Changes settings; only inside the configuration window while unprotected.
    Conf,
    /// `NAME?`: reports a setting; always allowed, always answered.
    Inf,
    /// Performs an action; always allowed.
    Ctrl,
}

/// An edit of a phone-number list (`SECNUMBER`, `ALERTNUMBER`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum ListEdit {
    /// `+<num>`: add the number.
    Add(PhoneNumber),
    /// `-<num>`: remove the number.
    Remove(PhoneNumber),
    /// `-ALL`: clear the list.
    Clear,
}

/// A setting that `NAME?` reports (manual §2: every setting with a value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum Setting {
    /// `SECNUMBER?`
    SecNumber,
    /// `SECLIST?`
    SecList,
    /// `PASSWORD?`
    Password,
    /// `ALERTNUMBER?`
    AlertNumber,
    /// `SMSCONFIRM?`
    SmsConfirm,
    /// `RINGCONFIRM?`
    RingConfirm,
    /// `ERROR?`
    ErrorReplies,
    /// `SMSCONFIRMUNAUTH?`
    SmsConfirmUnauth,
    /// `RESTARTTIME?`
    RestartTime,
    /// `RING?`
    Ring,
    /// `THERMOSTAT?`
    Thermostat,
    /// `SWITCHOFFTEMP?`
    SwitchOffTemp,
    /// `SWITCHOFFALERT?`
    SwitchOffAlert,
    /// `TSENSFAILALERT?`
    TSensFailAlert,
    /// `TRISEALERT?`
    TRiseAlert,
    /// `TFALLALERT?`
    TFallAlert,
    /// `DATE?` (same answer as `DATE`).
    Date,
    /// `SENSORTYPE?`
    SensorType,
    /// `ALERT?`
    Alert,
    /// `RELAYTIME?`
    RelayTime,
    /// `ALARM?`
    Alarm,
    /// `SCHEDULER?`
    Scheduler,
    /// `POWERALERT?`
    PowerAlert,
    /// `POWERSTATE?`
    PowerState,
    /// `CREDITUMS?`
    CreditUms,
}

impl Setting {
    /// Every queryable setting.
    pub const ALL: &'static [Setting] = &[
        Setting::SecNumber,
        Setting::SecList,
        Setting::Password,
        Setting::AlertNumber,
        Setting::SmsConfirm,
        Setting::RingConfirm,
        Setting::ErrorReplies,
        Setting::SmsConfirmUnauth,
        Setting::RestartTime,
        Setting::Ring,
        Setting::Thermostat,
        Setting::SwitchOffTemp,
        Setting::SwitchOffAlert,
        Setting::TSensFailAlert,
        Setting::TRiseAlert,
        Setting::TFallAlert,
        Setting::Date,
        Setting::SensorType,
        Setting::Alert,
        Setting::RelayTime,
        Setting::Alarm,
        Setting::Scheduler,
        Setting::PowerAlert,
        Setting::PowerState,
        Setting::CreditUms,
    ];

    /// The command name, upper-case.
    pub const fn name(self) -> &'static str {
        match self {
            Setting::SecNumber => "SECNUMBER",
            Setting::SecList => "SECLIST",
            Setting::Password => "PASSWORD",
            Setting::AlertNumber => "ALERTNUMBER",
            Setting::SmsConfirm => "SMSCONFIRM",
            Setting::RingConfirm => "RINGCONFIRM",
            Setting::ErrorReplies => "ERROR",
            Setting::SmsConfirmUnauth => "SMSCONFIRMUNAUTH",
            Setting::RestartTime => "RESTARTTIME",
            Setting::Ring => "RING",
            Setting::Thermostat => "THERMOSTAT",
            Setting::SwitchOffTemp => "SWITCHOFFTEMP",
            Setting::SwitchOffAlert => "SWITCHOFFALERT",
            Setting::TSensFailAlert => "TSENSFAILALERT",
            Setting::TRiseAlert => "TRISEALERT",
            Setting::TFallAlert => "TFALLALERT",
            Setting::Date => "DATE",
            Setting::SensorType => "SENSORTYPE",
            Setting::Alert => "ALERT",
            Setting::RelayTime => "RELAYTIME",
            Setting::Alarm => "ALARM",
            Setting::Scheduler => "SCHEDULER",
            Setting::PowerAlert => "POWERALERT",
            Setting::PowerState => "POWERSTATE",
            Setting::CreditUms => "CREDITUMS",
        }
    }
}

/// One SMS command (manual §4–§15), with typed values.
///
/// [`FromStr`](core::str::FromStr) parses it (case-insensitive, white space
/// allowed around `=` and after `,`); [`Display`](fmt::Display) prints the
/// canonical form, which parses back to the same command.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum Command {
    /// `MAKEMEBOSS`
    MakeMeBoss,
    /// `SECNUMBER+<num>`, `SECNUMBER-<num>`, `SECNUMBER-ALL`
    SecNumber(ListEdit),
    /// `SECLIST=ON|OFF`
    SecList(bool),
    /// `PASSWORD=<5 chars>`, or `PASSWORD=NO` (`None`)
    Password(Option<Password>),
    /// `ALERTME`
    AlertMe,
    /// `ALERTNUMBER+<num>`, `ALERTNUMBER-<num>`, `ALERTNUMBER-ALL`
    AlertNumber(ListEdit),
    /// `SMSCONFIRM=ON|OFF`
    SmsConfirm(bool),
    /// `RINGCONFIRM=SMS|CALL|OFF`
    RingConfirm(RingConfirm),
    /// `ERROR=ON|OFF`
    ErrorReplies(bool),
    /// `SMSCONFIRMUNAUTH=ON|OFF`
    SmsConfirmUnauth(bool),
    /// `ON`
    On,
    /// `OFF`
    Off,
    /// `ON<n>`: on now, off after n s
    OnFor(RelaySeconds),
    /// `OFF<n>`: off now, on after n s
    OffFor(RelaySeconds),
    /// `RESTART`
    Restart,
    /// `RESTARTTIME=<1…600>`
    RestartTime(RestartSeconds),
    /// `STATUS`
    Status,
    /// `TEMPERATURE`
    Temperature,
    /// `RUNTIME`
    Runtime,
    /// `RING=SWITCH|RESTART|NOACTION`
    Ring(RingAction),
    /// `THERMOSTATON`
    ThermostatOn,
    /// `THERMOSTATOFF`
    ThermostatOff,
    /// `THERMOSTAT=HEATING|COOLING`
    Thermostat(ThermostatMode),
    /// `SWITCHOFFTEMP=<t>`
    SwitchOffTemp(Celsius),
    /// `SWITCHOFFALERT=ON|OFF`
    SwitchOffAlert(bool),
    /// `TSENSFAILALERT=ON|OFF`
    TSensFailAlert(bool),
    /// `TRISEALERT=<t>`, or `TRISEALERT=OFF` (`None`)
    TRiseAlert(Option<Celsius>),
    /// `TFALLALERT=<t>`, or `TFALLALERT=OFF` (`None`)
    TFallAlert(Option<Celsius>),
    /// `DATESMS`: set the clock from this SMS's time stamp
    DateSms,
    /// `DATE=yy/mm/dd,hh:mm:ss±zz`
    SetDate(Timestamp),
    /// `DATE`
    Date,
    /// `SENSORTYPE=NO|NC`
    SensorType(SensorType),
    /// `ALERT=SMS|CALL|SMSCHANGE|OFF`
    Alert(AlertMode),
    /// `RELAYTIME=ON<n>|ON|OFF<n>|OFF|0`
    RelayTime(RelayTime),
    /// `ALARMON`
    AlarmOn,
    /// `ALARMOFF`
    AlarmOff,
    /// `SHOWALARMLOG`
    ShowAlarmLog,
    /// `SCHEDULER+hh:mm,<d>,<act>`
    SchedulerAdd(ScheduleRule),
    /// `SCHEDULER-hh:mm`
    SchedulerRemove(TimeOfDay),
    /// `SCHEDULER-ALL`
    SchedulerClear,
    /// `POWERALERT=ON|OFF`
    PowerAlert(bool),
    /// `POWERSTATE=REMEMBER|ON|OFF`
    PowerState(PowerState),
    /// `CREDITUMS=<code>`, or `CREDITUMS=NO` (`None`)
    CreditUms(Option<UssdCode>),
    /// `CREDIT`
    Credit,
    /// `SIMCARD<code>`: send any USSD code
    SimCard(UssdCode),
    /// `HARDWARE`
    Hardware,
    /// `SERIALNUM`
    SerialNum,
    /// `FIRMWARE`
    Firmware,
    /// `NAME?`
    Query(Setting),
}

impl Command {
    /// The command's type, as the manual's tables give it.
    pub fn kind(&self) -> Kind {
        use Command::*;
        match self {
            Query(_) => Kind::Inf,
            MakeMeBoss | SecNumber(_) | SecList(_) | Password(_) | AlertMe | AlertNumber(_)
            | SmsConfirm(_) | RingConfirm(_) | ErrorReplies(_) | SmsConfirmUnauth(_)
            | RestartTime(_) | Ring(_) | Thermostat(_) | SwitchOffTemp(_) | SwitchOffAlert(_)
            | TSensFailAlert(_) | TRiseAlert(_) | TFallAlert(_) | DateSms | SetDate(_)
            | SensorType(_) | Alert(_) | RelayTime(_) | PowerAlert(_) | PowerState(_)
            | CreditUms(_) | SimCard(_) => Kind::Conf,
            On | Off | OnFor(_) | OffFor(_) | Restart | Status | Temperature | Runtime
            | ThermostatOn | ThermostatOff | Date | AlarmOn | AlarmOff | ShowAlarmLog
            | SchedulerAdd(_) | SchedulerRemove(_) | SchedulerClear | Credit | Hardware
            | SerialNum | Firmware => Kind::Ctrl,
        }
    }

    /// The command as a confirmation shows it (manual §3: "the value written the
    /// way it is shown by the query"): temperatures as `10C(50F)`, the password
    /// masked. Used by [`Reply::Confirmed`](crate::Reply::Confirmed).
    pub fn shown(&self) -> impl fmt::Display + '_ {
        Written {
            command: self,
            style: Style::Shown,
        }
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, style: Style) -> fmt::Result {
        use Command::*;
        let on_off = |on: bool| if on { "ON" } else { "OFF" };
        let temperature = |f: &mut fmt::Formatter<'_>, t: Celsius| match style {
            Style::Canonical => write!(f, "{t}"),
            Style::Shown => write!(f, "{}", t.as_reading()),
        };
        match self {
            MakeMeBoss => f.write_str("MAKEMEBOSS"),
            SecNumber(edit) => write_list_edit(f, "SECNUMBER", edit),
            SecList(on) => write!(f, "SECLIST={}", on_off(*on)),
            Password(None) => f.write_str("PASSWORD=NO"),
            Password(Some(p)) => match style {
                Style::Canonical => write!(f, "PASSWORD={}", p.as_str()),
                Style::Shown => f.write_str("PASSWORD=*****"),
            },
            AlertMe => f.write_str("ALERTME"),
            AlertNumber(edit) => write_list_edit(f, "ALERTNUMBER", edit),
            SmsConfirm(on) => write!(f, "SMSCONFIRM={}", on_off(*on)),
            RingConfirm(v) => write!(f, "RINGCONFIRM={v}"),
            ErrorReplies(on) => write!(f, "ERROR={}", on_off(*on)),
            SmsConfirmUnauth(on) => write!(f, "SMSCONFIRMUNAUTH={}", on_off(*on)),
            On => f.write_str("ON"),
            Off => f.write_str("OFF"),
            OnFor(n) => write!(f, "ON{n}"),
            OffFor(n) => write!(f, "OFF{n}"),
            Restart => f.write_str("RESTART"),
            RestartTime(n) => write!(f, "RESTARTTIME={n}"),
            Status => f.write_str("STATUS"),
            Temperature => f.write_str("TEMPERATURE"),
            Runtime => f.write_str("RUNTIME"),
            Ring(v) => write!(f, "RING={v}"),
            ThermostatOn => f.write_str("THERMOSTATON"),
            ThermostatOff => f.write_str("THERMOSTATOFF"),
            Thermostat(v) => write!(f, "THERMOSTAT={v}"),
            SwitchOffTemp(t) => {
                f.write_str("SWITCHOFFTEMP=")?;
                temperature(f, *t)
            }
            SwitchOffAlert(on) => write!(f, "SWITCHOFFALERT={}", on_off(*on)),
            TSensFailAlert(on) => write!(f, "TSENSFAILALERT={}", on_off(*on)),
            TRiseAlert(limit) | TFallAlert(limit) => {
                let name = if matches!(self, TRiseAlert(_)) {
                    "TRISEALERT"
                } else {
                    "TFALLALERT"
                };
                write!(f, "{name}=")?;
                match limit {
                    Some(t) => temperature(f, *t),
                    None => f.write_str("OFF"),
                }
            }
            DateSms => f.write_str("DATESMS"),
            SetDate(t) => write!(f, "DATE={t}"),
            Date => f.write_str("DATE"),
            SensorType(v) => write!(f, "SENSORTYPE={v}"),
            Alert(v) => write!(f, "ALERT={v}"),
            RelayTime(v) => write!(f, "RELAYTIME={v}"),
            AlarmOn => f.write_str("ALARMON"),
            AlarmOff => f.write_str("ALARMOFF"),
            ShowAlarmLog => f.write_str("SHOWALARMLOG"),
            SchedulerAdd(rule) => write!(f, "SCHEDULER+{rule}"),
            SchedulerRemove(at) => write!(f, "SCHEDULER-{at}"),
            SchedulerClear => f.write_str("SCHEDULER-ALL"),
            PowerAlert(on) => write!(f, "POWERALERT={}", on_off(*on)),
            PowerState(v) => write!(f, "POWERSTATE={v}"),
            CreditUms(None) => f.write_str("CREDITUMS=NO"),
            CreditUms(Some(code)) => write!(f, "CREDITUMS={code}"),
            Credit => f.write_str("CREDIT"),
            SimCard(code) => write!(f, "SIMCARD{code}"),
            Hardware => f.write_str("HARDWARE"),
            SerialNum => f.write_str("SERIALNUM"),
            Firmware => f.write_str("FIRMWARE"),
            Query(setting) => write!(f, "{}?", setting.name()),
        }
    }
}

fn write_list_edit(f: &mut fmt::Formatter<'_>, name: &str, edit: &ListEdit) -> fmt::Result {
    match edit {
        ListEdit::Add(n) => write!(f, "{name}+{n}"),
        ListEdit::Remove(n) => write!(f, "{name}-{n}"),
        ListEdit::Clear => write!(f, "{name}-ALL"),
    }
}

#[derive(Clone, Copy)]
enum Style {
    Canonical,
    Shown,
}

struct Written<'a> {
    command: &'a Command,
    style: Style,
}

impl fmt::Display for Written<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.command.write(f, self.style)
    }
}

impl fmt::Display for Command {
    /// The canonical form: upper case, no optional white space, numbers
    /// without `+`, temperatures in °C.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, Style::Canonical)
    }
}
