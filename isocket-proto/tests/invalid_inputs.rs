//! Texts that are not valid commands, each mapped to the error reply SPEC §3
//! gives it: an unknown command name, or a known command with a bad value.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use isocket_proto::{Command, ParseError};

const UNKNOWN: &[&str] = &[
    "",
    "   ",
    "ONX",
    "OFFF",
    "STAT",
    "STATUSX",
    "HELLO",
    "X",
    "SECNUMBERS+49",
    "SEC NUMBER+49",
    "MAKEMEBOS",
    "MAKE ME BOSS",
    "THERMOSTATO",
    "ALARMS?",
    "DATEX=26/11/21,14:05:09+01",
    "TEMP",
    "SCHEDULE+08:00,*,ON",
    "12345",
    "+4915112345678",
    "=ON",
    "?",
    "*100#",
    "STATUS?",
    "ON?",
    "RESTART?",
    "CREDIT?",
    "MAKEMEBOSS?",
    "HARDWARE?",
    "ALARM",
    "ÄON",
    "😀",
    "😀ON",
    "ΩSTATUS",
    "SMSCONFIRMUNAUTHX=ON",
    "AVERYLONGCOMMANDNAMETHATGOESONANDON",
    "ÖN",
    "ón",
    "\u{0}ON",
    "-ON",
];

const INVALID: &[&str] = &[
    // relay durations: 1…65000
    "ON0",
    "ON65001",
    "ON99999999999",
    "ON4294967296",
    "ON 30",
    "ON30S",
    "ON3O",
    "ON=30",
    "OFF0",
    "OFF65001",
    "OFF-5",
    "OFF1.5",
    "ON+30",
    "ON٣",
    "ON-30",
    // RESTARTTIME: 1…600
    "RESTARTTIME=0",
    "RESTARTTIME=601",
    "RESTARTTIME=abc",
    "RESTARTTIME=",
    "RESTARTTIME",
    "RESTARTTIME=-1",
    "RESTARTTIME=10s",
    "RESTARTTIME=1 0",
    "RESTARTTIME=99999999999999999999",
    "RESTARTTIME:10",
    // on/off settings
    "SECLIST=MAYBE",
    "SECLIST=",
    "SECLIST",
    "SECLIST=1",
    "SECLIST=ONN",
    "SECLIST=O N",
    "SMSCONFIRM=YES",
    "SMSCONFIRM=TRUE",
    "ERROR=0",
    "SMSCONFIRMUNAUTH=",
    "SWITCHOFFALERT=ENABLE",
    "TSENSFAILALERT=OF",
    "POWERALERT=NO",
    // keyword settings
    "RINGCONFIRM=SMSS",
    "RINGCONFIRM=",
    "RING=TOGGLE",
    "RING=",
    "RING",
    "THERMOSTAT=HEAT",
    "THERMOSTAT=",
    "SENSORTYPE=NCC",
    "SENSORTYPE=N C",
    "ALERT=EMAIL",
    "ALERT=",
    "POWERSTATE=LAST",
    "POWERSTATE=",
    // temperatures: −55…120 °C, −67…248 °F, unit required
    "SWITCHOFFTEMP=10",
    "SWITCHOFFTEMP=C",
    "SWITCHOFFTEMP=10K",
    "SWITCHOFFTEMP=121C",
    "SWITCHOFFTEMP=-56C",
    "SWITCHOFFTEMP=249F",
    "SWITCHOFFTEMP=-68F",
    "SWITCHOFFTEMP=10.5C",
    "SWITCHOFFTEMP=10 C",
    "SWITCHOFFTEMP=+10C",
    "SWITCHOFFTEMP=--10C",
    "SWITCHOFFTEMP=",
    "SWITCHOFFTEMP=10CF",
    "SWITCHOFFTEMP=99999999999C",
    "SWITCHOFFTEMP=10°C",
    "TRISEALERT=35",
    "TRISEALERT=ON",
    "TRISEALERT=OFF35C",
    "TRISEALERT=130C",
    "TRISEALERT=",
    "TFALLALERT=-60C",
    "TFALLALERT=NO",
    "TFALLALERT=15c5",
    // phone numbers: 1–15 digits, one leading +
    "SECNUMBER+1234567890123456",
    "SECNUMBER+",
    "SECNUMBER++",
    "SECNUMBER+++49151",
    "SECNUMBER+49 151",
    "SECNUMBER+49-151",
    "SECNUMBER+49151A",
    "SECNUMBER49151",
    "SECNUMBER-",
    "SECNUMBER-ALLE",
    "SECNUMBER=49151",
    "SECNUMBER",
    "SECNUMBER+ 49151",
    "ALERTNUMBER+1234567890123456",
    "ALERTNUMBER+",
    "ALERTNUMBER-abc",
    "ALERTNUMBER",
    "ALERTNUMBER*49151",
    // passwords: 5 letters or digits
    "PASSWORD=1234",
    "PASSWORD=123456",
    "PASSWORD=",
    "PASSWORD=12 34",
    "PASSWORD=12-34",
    "PASSWORD=äbcde",
    "PASSWORD=NONE",
    "PASSWORD",
    // dates: yy/mm/dd,hh:mm:ss±zz[:mm]
    "DATE=26/13/01,00:00:00+00",
    "DATE=26/00/01,00:00:00+00",
    "DATE=26/01/00,00:00:00+00",
    "DATE=26/01/32,00:00:00+00",
    "DATE=26/04/31,00:00:00+00",
    "DATE=25/02/29,00:00:00+00",
    "DATE=00/02/30,00:00:00+00",
    "DATE=26/11/21,24:00:00+01",
    "DATE=26/11/21,23:60:00+01",
    "DATE=26/11/21,23:59:60+01",
    "DATE=26/11/21,14:05:09",
    "DATE=26/11/21,14:05:09+1",
    "DATE=26/11/21,14:05:09+15",
    "DATE=26/11/21,14:05:09-15",
    "DATE=26/11/21,14:05:09+01:07",
    "DATE=26/11/21,14:05:09+0100",
    "DATE=26/11/21 14:05:09+01",
    "DATE=26/11/21,14:05+01",
    "DATE=2026/11/21,14:05:09+01",
    "DATE=26-11-21,14:05:09+01",
    "DATE=26/11/21,14:05:09+01x",
    "DATE=",
    "DATE 26/11/21,14:05:09+01",
    "DATE=6/11/21,14:05:09+01",
    "DATE=26/11/21,14:5:09+01",
    "DATESMS=26/11/21,14:05:09+01",
    "DATESMS1",
    // relay time
    "RELAYTIME=ON0",
    "RELAYTIME=ON65001",
    "RELAYTIME=00",
    "RELAYTIME=1",
    "RELAYTIME=ONN",
    "RELAYTIME=ON 60",
    "RELAYTIME=",
    "RELAYTIME=OFF-1",
    // scheduler: hh:mm two digits, day * or 1–7, action ON/OFF/INF/AON/AOF
    "SCHEDULER+8:00,*,ON",
    "SCHEDULER+08:0,*,ON",
    "SCHEDULER+24:00,*,ON",
    "SCHEDULER+23:60,*,ON",
    "SCHEDULER+08:00,0,ON",
    "SCHEDULER+08:00,8,ON",
    "SCHEDULER+08:00,**,ON",
    "SCHEDULER+08:00,12,ON",
    "SCHEDULER+08:00,*,TOGGLE",
    "SCHEDULER+08:00,*,",
    "SCHEDULER+08:00,*",
    "SCHEDULER+08:00",
    "SCHEDULER+",
    "SCHEDULER+08:00 ,*,ON",
    "SCHEDULER+08:00,* ,ON",
    "SCHEDULER+08:00;*;ON",
    "SCHEDULER-8:00",
    "SCHEDULER-24:00",
    "SCHEDULER-",
    "SCHEDULER-ALLE",
    "SCHEDULER",
    "SCHEDULER=08:00,*,ON",
    // USSD codes: * or # first, # last, digits * # between
    "CREDITUMS=100#",
    "CREDITUMS=*100",
    "CREDITUMS=*10a#",
    "CREDITUMS=#",
    "CREDITUMS=",
    "CREDITUMS=*100# #",
    "CREDITUMS=*123456789012345678901234#",
    "CREDITUMS=YES",
    "SIMCARD",
    "SIMCARD123#",
    "SIMCARD*123",
    "SIMCARD *123#",
    "SIMCARD=*123#",
    "SIMCARD?",
    // bare commands given a value
    "STATUS=1",
    "STATUS 1",
    "RESTART5",
    "MAKEMEBOSS!",
    "ALERTME=1",
    "THERMOSTATON=1",
    "ALARMON 1",
    "ALARM=ON",
    "ALARM??",
    "SHOWALARMLOG1",
    "FIRMWARE=2",
    // queries with trailing text
    "SECLIST??",
    "SECLIST ?",
    "RING?X",
    // non-ASCII and emoji in values
    "SECLIST=ÖN",
    "RING=SWITCH😀",
    "SECNUMBER+４９１５１",
    "ON３０",
];

#[test]
fn unknown_names_are_unknown_commands() {
    for text in UNKNOWN {
        assert_eq!(
            text.parse::<Command>(),
            Err(ParseError::UnknownCommand),
            "{text:?}"
        );
    }
}

#[test]
fn bad_values_are_invalid_values() {
    for text in INVALID {
        assert_eq!(
            text.parse::<Command>(),
            Err(ParseError::InvalidValue),
            "{text:?}"
        );
    }
}

#[test]
fn very_long_text_is_rejected_without_panic() {
    let long_name = "A".repeat(10_000);
    assert_eq!(
        long_name.parse::<Command>(),
        Err(ParseError::UnknownCommand)
    );
    let long_value = format!("ON{}", "9".repeat(10_000));
    assert_eq!(long_value.parse::<Command>(), Err(ParseError::InvalidValue));
    let long_date = format!("DATE={}", "26/11/21,".repeat(1_000));
    assert_eq!(long_date.parse::<Command>(), Err(ParseError::InvalidValue));
    let emoji = "😀".repeat(1_000);
    assert_eq!(emoji.parse::<Command>(), Err(ParseError::UnknownCommand));
}

#[test]
fn there_are_at_least_150_invalid_inputs() {
    assert!(
        UNKNOWN.len() + INVALID.len() >= 150,
        "{}",
        UNKNOWN.len() + INVALID.len()
    );
}
