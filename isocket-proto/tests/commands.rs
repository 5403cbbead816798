//! Every command of SPEC.md §4–§15: its valid forms, in any case and with the
//! white space phones insert, parse to the right typed command, kind and
//! canonical text.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;

use isocket_proto::{Command, Kind, Setting};

/// (input, canonical form, kind)
const TABLE: &[(&str, &str, Kind)] = &[
    // §4 security
    ("MAKEMEBOSS", "MAKEMEBOSS", Kind::Conf),
    (
        "SECNUMBER+4915112345678",
        "SECNUMBER+4915112345678",
        Kind::Conf,
    ),
    (
        "SECNUMBER++4915112345678",
        "SECNUMBER+4915112345678",
        Kind::Conf,
    ),
    (
        "SECNUMBER+123456789012345",
        "SECNUMBER+123456789012345",
        Kind::Conf,
    ),
    ("SECNUMBER+1", "SECNUMBER+1", Kind::Conf),
    (
        "SECNUMBER-4915112345678",
        "SECNUMBER-4915112345678",
        Kind::Conf,
    ),
    (
        "SECNUMBER-+4915112345678",
        "SECNUMBER-4915112345678",
        Kind::Conf,
    ),
    ("SECNUMBER-ALL", "SECNUMBER-ALL", Kind::Conf),
    ("SECNUMBER?", "SECNUMBER?", Kind::Inf),
    ("SECLIST=ON", "SECLIST=ON", Kind::Conf),
    ("SECLIST=OFF", "SECLIST=OFF", Kind::Conf),
    ("SECLIST?", "SECLIST?", Kind::Inf),
    ("PASSWORD=12abc", "PASSWORD=12ABC", Kind::Conf),
    ("PASSWORD=ABCDE", "PASSWORD=ABCDE", Kind::Conf),
    ("PASSWORD=NO", "PASSWORD=NO", Kind::Conf),
    ("PASSWORD?", "PASSWORD?", Kind::Inf),
    ("ALERTME", "ALERTME", Kind::Conf),
    (
        "ALERTNUMBER+4930123456",
        "ALERTNUMBER+4930123456",
        Kind::Conf,
    ),
    (
        "ALERTNUMBER++4930123456",
        "ALERTNUMBER+4930123456",
        Kind::Conf,
    ),
    (
        "ALERTNUMBER-4930123456",
        "ALERTNUMBER-4930123456",
        Kind::Conf,
    ),
    ("ALERTNUMBER-ALL", "ALERTNUMBER-ALL", Kind::Conf),
    ("ALERTNUMBER?", "ALERTNUMBER?", Kind::Inf),
    // §5 confirmations and errors
    ("SMSCONFIRM=ON", "SMSCONFIRM=ON", Kind::Conf),
    ("SMSCONFIRM=OFF", "SMSCONFIRM=OFF", Kind::Conf),
    ("SMSCONFIRM?", "SMSCONFIRM?", Kind::Inf),
    ("RINGCONFIRM=SMS", "RINGCONFIRM=SMS", Kind::Conf),
    ("RINGCONFIRM=CALL", "RINGCONFIRM=CALL", Kind::Conf),
    ("RINGCONFIRM=OFF", "RINGCONFIRM=OFF", Kind::Conf),
    ("RINGCONFIRM?", "RINGCONFIRM?", Kind::Inf),
    ("ERROR=ON", "ERROR=ON", Kind::Conf),
    ("ERROR=OFF", "ERROR=OFF", Kind::Conf),
    ("ERROR?", "ERROR?", Kind::Inf),
    ("SMSCONFIRMUNAUTH=ON", "SMSCONFIRMUNAUTH=ON", Kind::Conf),
    ("SMSCONFIRMUNAUTH=OFF", "SMSCONFIRMUNAUTH=OFF", Kind::Conf),
    ("SMSCONFIRMUNAUTH?", "SMSCONFIRMUNAUTH?", Kind::Inf),
    // §6 main socket
    ("ON", "ON", Kind::Ctrl),
    ("OFF", "OFF", Kind::Ctrl),
    ("ON1", "ON1", Kind::Ctrl),
    ("ON30", "ON30", Kind::Ctrl),
    ("ON65000", "ON65000", Kind::Ctrl),
    ("ON030", "ON30", Kind::Ctrl),
    ("OFF1", "OFF1", Kind::Ctrl),
    ("OFF65000", "OFF65000", Kind::Ctrl),
    ("RESTART", "RESTART", Kind::Ctrl),
    ("RESTARTTIME=1", "RESTARTTIME=1", Kind::Conf),
    ("RESTARTTIME=600", "RESTARTTIME=600", Kind::Conf),
    ("RESTARTTIME?", "RESTARTTIME?", Kind::Inf),
    ("STATUS", "STATUS", Kind::Ctrl),
    ("TEMPERATURE", "TEMPERATURE", Kind::Ctrl),
    ("RUNTIME", "RUNTIME", Kind::Ctrl),
    // §7 calls
    ("RING=SWITCH", "RING=SWITCH", Kind::Conf),
    ("RING=RESTART", "RING=RESTART", Kind::Conf),
    ("RING=NOACTION", "RING=NOACTION", Kind::Conf),
    ("RING?", "RING?", Kind::Inf),
    // §9 temperature
    ("THERMOSTATON", "THERMOSTATON", Kind::Ctrl),
    ("THERMOSTATOFF", "THERMOSTATOFF", Kind::Ctrl),
    ("THERMOSTAT=HEATING", "THERMOSTAT=HEATING", Kind::Conf),
    ("THERMOSTAT=COOLING", "THERMOSTAT=COOLING", Kind::Conf),
    ("THERMOSTAT?", "THERMOSTAT?", Kind::Inf),
    ("SWITCHOFFTEMP=10C", "SWITCHOFFTEMP=10C", Kind::Conf),
    ("SWITCHOFFTEMP=50F", "SWITCHOFFTEMP=10C", Kind::Conf),
    ("SWITCHOFFTEMP=-5C", "SWITCHOFFTEMP=-5C", Kind::Conf),
    ("SWITCHOFFTEMP=-55C", "SWITCHOFFTEMP=-55C", Kind::Conf),
    ("SWITCHOFFTEMP=120C", "SWITCHOFFTEMP=120C", Kind::Conf),
    ("SWITCHOFFTEMP=-67F", "SWITCHOFFTEMP=-55C", Kind::Conf),
    ("SWITCHOFFTEMP=248F", "SWITCHOFFTEMP=120C", Kind::Conf),
    ("SWITCHOFFTEMP=0C", "SWITCHOFFTEMP=0C", Kind::Conf),
    ("SWITCHOFFTEMP=33F", "SWITCHOFFTEMP=1C", Kind::Conf),
    ("SWITCHOFFTEMP?", "SWITCHOFFTEMP?", Kind::Inf),
    ("SWITCHOFFALERT=ON", "SWITCHOFFALERT=ON", Kind::Conf),
    ("SWITCHOFFALERT=OFF", "SWITCHOFFALERT=OFF", Kind::Conf),
    ("SWITCHOFFALERT?", "SWITCHOFFALERT?", Kind::Inf),
    ("TSENSFAILALERT=ON", "TSENSFAILALERT=ON", Kind::Conf),
    ("TSENSFAILALERT=OFF", "TSENSFAILALERT=OFF", Kind::Conf),
    ("TSENSFAILALERT?", "TSENSFAILALERT?", Kind::Inf),
    ("TRISEALERT=35C", "TRISEALERT=35C", Kind::Conf),
    ("TRISEALERT=95F", "TRISEALERT=35C", Kind::Conf),
    ("TRISEALERT=OFF", "TRISEALERT=OFF", Kind::Conf),
    ("TRISEALERT?", "TRISEALERT?", Kind::Inf),
    ("TFALLALERT=15C", "TFALLALERT=15C", Kind::Conf),
    ("TFALLALERT=-10C", "TFALLALERT=-10C", Kind::Conf),
    ("TFALLALERT=OFF", "TFALLALERT=OFF", Kind::Conf),
    ("TFALLALERT?", "TFALLALERT?", Kind::Inf),
    // §10 date and time
    ("DATESMS", "DATESMS", Kind::Conf),
    (
        "DATE=26/11/21,14:05:09+01",
        "DATE=26/11/21,14:05:09+01",
        Kind::Conf,
    ),
    (
        "DATE=26/11/21,14:05:09-03:30",
        "DATE=26/11/21,14:05:09-03:30",
        Kind::Conf,
    ),
    (
        "DATE=28/02/29,23:59:59+00",
        "DATE=28/02/29,23:59:59+00",
        Kind::Conf,
    ),
    (
        "DATE=26/01/01,00:00:00-00",
        "DATE=26/01/01,00:00:00+00",
        Kind::Conf,
    ),
    (
        "DATE=26/06/30,12:00:00+05:45",
        "DATE=26/06/30,12:00:00+05:45",
        Kind::Conf,
    ),
    (
        "DATE=26/06/30,12:00:00+14",
        "DATE=26/06/30,12:00:00+14",
        Kind::Conf,
    ),
    (
        "DATE=26/06/30,12:00:00+01:00",
        "DATE=26/06/30,12:00:00+01",
        Kind::Conf,
    ),
    ("DATE", "DATE", Kind::Ctrl),
    ("DATE?", "DATE?", Kind::Inf),
    // §11 alarm input
    ("SENSORTYPE=NO", "SENSORTYPE=NO", Kind::Conf),
    ("SENSORTYPE=NC", "SENSORTYPE=NC", Kind::Conf),
    ("SENSORTYPE?", "SENSORTYPE?", Kind::Inf),
    ("ALERT=SMS", "ALERT=SMS", Kind::Conf),
    ("ALERT=SMSCHANGE", "ALERT=SMSCHANGE", Kind::Conf),
    ("ALERT=CALL", "ALERT=CALL", Kind::Conf),
    ("ALERT=OFF", "ALERT=OFF", Kind::Conf),
    ("ALERT?", "ALERT?", Kind::Inf),
    ("RELAYTIME=ON60", "RELAYTIME=ON60", Kind::Conf),
    ("RELAYTIME=ON", "RELAYTIME=ON", Kind::Conf),
    ("RELAYTIME=OFF120", "RELAYTIME=OFF120", Kind::Conf),
    ("RELAYTIME=OFF", "RELAYTIME=OFF", Kind::Conf),
    ("RELAYTIME=0", "RELAYTIME=0", Kind::Conf),
    ("RELAYTIME=ON65000", "RELAYTIME=ON65000", Kind::Conf),
    ("RELAYTIME?", "RELAYTIME?", Kind::Inf),
    ("ALARMON", "ALARMON", Kind::Ctrl),
    ("ALARMOFF", "ALARMOFF", Kind::Ctrl),
    ("ALARM?", "ALARM?", Kind::Inf),
    ("SHOWALARMLOG", "SHOWALARMLOG", Kind::Ctrl),
    // §12 scheduler
    ("SCHEDULER+08:00,*,ON", "SCHEDULER+08:00,*,ON", Kind::Ctrl),
    ("SCHEDULER+23:59,7,OFF", "SCHEDULER+23:59,7,OFF", Kind::Ctrl),
    ("SCHEDULER+00:00,1,INF", "SCHEDULER+00:00,1,INF", Kind::Ctrl),
    ("SCHEDULER+12:30,3,AON", "SCHEDULER+12:30,3,AON", Kind::Ctrl),
    ("SCHEDULER+12:30,5,AOF", "SCHEDULER+12:30,5,AOF", Kind::Ctrl),
    ("SCHEDULER-08:00", "SCHEDULER-08:00", Kind::Ctrl),
    ("SCHEDULER-ALL", "SCHEDULER-ALL", Kind::Ctrl),
    ("SCHEDULER?", "SCHEDULER?", Kind::Inf),
    // §13 mains power
    ("POWERALERT=ON", "POWERALERT=ON", Kind::Conf),
    ("POWERALERT=OFF", "POWERALERT=OFF", Kind::Conf),
    ("POWERALERT?", "POWERALERT?", Kind::Inf),
    ("POWERSTATE=REMEMBER", "POWERSTATE=REMEMBER", Kind::Conf),
    ("POWERSTATE=ON", "POWERSTATE=ON", Kind::Conf),
    ("POWERSTATE=OFF", "POWERSTATE=OFF", Kind::Conf),
    ("POWERSTATE?", "POWERSTATE?", Kind::Inf),
    // §14 credit
    ("CREDITUMS=*100#", "CREDITUMS=*100#", Kind::Conf),
    ("CREDITUMS=#123*4#", "CREDITUMS=#123*4#", Kind::Conf),
    ("CREDITUMS=NO", "CREDITUMS=NO", Kind::Conf),
    ("CREDITUMS?", "CREDITUMS?", Kind::Inf),
    ("CREDIT", "CREDIT", Kind::Ctrl),
    ("SIMCARD*123#", "SIMCARD*123#", Kind::Conf),
    ("SIMCARD*100*2#", "SIMCARD*100*2#", Kind::Conf),
    // §15 version information
    ("HARDWARE", "HARDWARE", Kind::Ctrl),
    ("SERIALNUM", "SERIALNUM", Kind::Ctrl),
    ("FIRMWARE", "FIRMWARE", Kind::Ctrl),
];

fn parse(text: &str) -> Command {
    text.parse()
        .unwrap_or_else(|e| panic!("{text:?} should parse, got {e:?}"))
}

#[test]
fn every_valid_form_parses_to_its_canonical_command() {
    for &(input, canonical, kind) in TABLE {
        let command = parse(input);
        assert_eq!(command.to_string(), canonical, "{input}");
        assert_eq!(command.kind(), kind, "{input}");
        assert_eq!(
            parse(canonical),
            command,
            "canonical {canonical} round trip"
        );
    }
}

#[test]
fn case_does_not_matter() {
    for &(input, canonical, _) in TABLE {
        let lower = input.to_lowercase();
        assert_eq!(parse(&lower).to_string(), canonical, "{lower}");
        // Phones capitalise the first letter on their own.
        let mut capitalised = lower.clone();
        capitalised[..1].make_ascii_uppercase();
        assert_eq!(parse(&capitalised).to_string(), canonical, "{capitalised}");
    }
}

#[test]
fn surrounding_white_space_is_trimmed() {
    for &(input, canonical, _) in TABLE {
        for padded in [
            format!("  {input}\r\n"),
            format!("\t{input} "),
            format!("\n{input}\n"),
        ] {
            assert_eq!(parse(&padded).to_string(), canonical, "{padded:?}");
        }
    }
}

#[test]
fn white_space_is_allowed_around_equals_and_after_commas() {
    let mut variants = 0;
    for &(input, canonical, _) in TABLE {
        if !input.contains('=') && !input.contains(',') {
            continue;
        }
        for spaced in [
            input.replacen('=', " = ", 1).replace(',', ", "),
            input.replacen('=', "=  ", 1).replace(',', ",\t"),
            input.replacen('=', "\t=", 1).replace(',', ",   "),
        ] {
            assert_eq!(parse(&spaced).to_string(), canonical, "{spaced:?}");
            variants += 1;
        }
    }
    assert!(variants > 150, "only {variants} spaced variants");
}

/// The table must name every command and every query: a new `Command`
/// variant or `Setting` without a row fails here.
#[test]
fn table_covers_every_command_and_query() {
    fn variant(command: &Command) -> &'static str {
        use Command::*;
        match command {
            MakeMeBoss => "MakeMeBoss",
            SecNumber(_) => "SecNumber",
            SecList(_) => "SecList",
            Password(_) => "Password",
            AlertMe => "AlertMe",
            AlertNumber(_) => "AlertNumber",
            SmsConfirm(_) => "SmsConfirm",
            RingConfirm(_) => "RingConfirm",
            ErrorReplies(_) => "ErrorReplies",
            SmsConfirmUnauth(_) => "SmsConfirmUnauth",
            On => "On",
            Off => "Off",
            OnFor(_) => "OnFor",
            OffFor(_) => "OffFor",
            Restart => "Restart",
            RestartTime(_) => "RestartTime",
            Status => "Status",
            Temperature => "Temperature",
            Runtime => "Runtime",
            Ring(_) => "Ring",
            ThermostatOn => "ThermostatOn",
            ThermostatOff => "ThermostatOff",
            Thermostat(_) => "Thermostat",
            SwitchOffTemp(_) => "SwitchOffTemp",
            SwitchOffAlert(_) => "SwitchOffAlert",
            TSensFailAlert(_) => "TSensFailAlert",
            TRiseAlert(_) => "TRiseAlert",
            TFallAlert(_) => "TFallAlert",
            DateSms => "DateSms",
            SetDate(_) => "SetDate",
            Date => "Date",
            SensorType(_) => "SensorType",
            Alert(_) => "Alert",
            RelayTime(_) => "RelayTime",
            AlarmOn => "AlarmOn",
            AlarmOff => "AlarmOff",
            ShowAlarmLog => "ShowAlarmLog",
            SchedulerAdd(_) => "SchedulerAdd",
            SchedulerRemove(_) => "SchedulerRemove",
            SchedulerClear => "SchedulerClear",
            PowerAlert(_) => "PowerAlert",
            PowerState(_) => "PowerState",
            CreditUms(_) => "CreditUms",
            Credit => "Credit",
            SimCard(_) => "SimCard",
            Hardware => "Hardware",
            SerialNum => "SerialNum",
            Firmware => "Firmware",
            Query(_) => "Query",
        }
    }
    let commands: Vec<Command> = TABLE.iter().map(|(input, _, _)| parse(input)).collect();
    let seen: BTreeSet<&str> = commands.iter().map(variant).collect();
    assert_eq!(seen.len(), 49, "variants covered: {seen:?}");
    let queried: BTreeSet<String> = commands
        .iter()
        .filter_map(|c| match c {
            Command::Query(s) => Some(s.name().to_string()),
            _ => None,
        })
        .collect();
    for setting in Setting::ALL {
        assert!(
            queried.contains(setting.name()),
            "no row for {}?",
            setting.name()
        );
    }
}
