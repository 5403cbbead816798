//! Every reply text of SPEC.md §3–§15, byte for byte.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use isocket_proto::*;

fn cmd(text: &str) -> Command {
    text.parse().unwrap()
}

fn t(c: i32) -> Celsius {
    Celsius::new(c).unwrap()
}

fn phone(n: &str) -> PhoneNumber {
    PhoneNumber::parse(n).unwrap()
}

fn clock() -> Timestamp {
    Timestamp::from_local((2026, 11, 21), (14, 5, 9), 60).unwrap()
}

fn heating(enabled: bool) -> ThermostatState {
    ThermostatState {
        enabled,
        mode: ThermostatMode::Heating,
        setpoint: t(10),
    }
}

fn check(reply: Reply<'_>, expected: &str) {
    let text = reply.to_string();
    assert_eq!(text, expected);
    assert!(gsm7::is_gsm7_text(&text), "{text:?} is not GSM-7");
    // Rendering into a fixed buffer gives the same bytes.
    let mut fixed = heapless::String::<400>::new();
    reply.render(&mut fixed).unwrap();
    assert_eq!(fixed.as_str(), expected);
}

#[test]
fn error_replies() {
    check(
        Reply::UnknownCommand("hello"),
        "HELLO - No such command exists on the device!",
    );
    check(
        Reply::UnknownCommand("größe ✓"),
        "GRÖSSE ? - No such command exists on the device!",
    );
    check(Reply::InvalidPassword, "Invalid access password!");
    check(Reply::IncorrectValue, "Incorrect value!");
    check(
        Reply::ConfigurationExpired("seclist=on"),
        "SECLIST=ON - Time for configuration expired (Conf)!",
    );
    check(Reply::ListFull, "List is full!");
    check(Reply::ExecuteError, "Execute error!");
    check(Reply::AccessDenied, "Access deny!");
    check(Reply::SecListNotActive, "SECLIST is not active!");
}

#[test]
fn confirmations_show_values_as_queries_do() {
    let cases = [
        ("SECNUMBER++4915112345678", "SECNUMBER+4915112345678 - OK"),
        ("SECNUMBER-4915112345678", "SECNUMBER-4915112345678 - OK"),
        ("SECNUMBER-ALL", "SECNUMBER-ALL - OK"),
        ("SECLIST=ON", "SECLIST=ON - OK"),
        ("SECLIST=OFF", "SECLIST=OFF - OK"),
        ("PASSWORD=ab123", "PASSWORD=***** - OK"),
        ("PASSWORD=NO", "PASSWORD=NO - OK"),
        ("ALERTNUMBER+4930123", "ALERTNUMBER+4930123 - OK"),
        ("ALERTNUMBER-4930123", "ALERTNUMBER-4930123 - OK"),
        ("ALERTNUMBER-ALL", "ALERTNUMBER-ALL - OK"),
        ("SMSCONFIRM=ON", "SMSCONFIRM=ON - OK"),
        ("SMSCONFIRM=OFF", "SMSCONFIRM=OFF - OK"),
        ("RINGCONFIRM=SMS", "RINGCONFIRM=SMS - OK"),
        ("ERROR=ON", "ERROR=ON - OK"),
        ("SMSCONFIRMUNAUTH=ON", "SMSCONFIRMUNAUTH=ON - OK"),
        ("RESTARTTIME=5", "RESTARTTIME=5 - OK"),
        ("RING=SWITCH", "RING=SWITCH - OK"),
        ("RING=RESTART", "RING=RESTART - OK"),
        ("RING=NOACTION", "RING=NOACTION - OK"),
        ("SWITCHOFFALERT=ON", "SWITCHOFFALERT=ON - OK"),
        ("TSENSFAILALERT=ON", "TSENSFAILALERT=ON - OK"),
        ("TRISEALERT=35C", "TRISEALERT=35C(95F) - OK"),
        ("TRISEALERT=OFF", "TRISEALERT=OFF - OK"),
        ("TFALLALERT=59F", "TFALLALERT=15C(59F) - OK"),
        (
            "DATE=26/11/21,14:05:09+01",
            "DATE=26/11/21,14:05:09+01 - OK",
        ),
        ("SENSORTYPE=NO", "SENSORTYPE=NO - OK"),
        ("ALERT=SMS", "ALERT=SMS - OK"),
        ("RELAYTIME=ON60", "RELAYTIME=ON60 - OK"),
        ("SCHEDULER+08:00, *, on", "SCHEDULER+08:00,*,ON - OK"),
        ("SCHEDULER-08:00", "SCHEDULER-08:00 - OK"),
        ("SCHEDULER-ALL", "SCHEDULER-ALL - OK"),
        ("POWERALERT=ON", "POWERALERT=ON - OK"),
        ("POWERSTATE=REMEMBER", "POWERSTATE=REMEMBER - OK"),
        ("CREDITUMS=*100#", "CREDITUMS=*100# - OK"),
        ("CREDITUMS=NO", "CREDITUMS=NO - OK"),
    ];
    for (input, expected) in cases {
        check(Reply::Confirmed(&cmd(input)), expected);
    }
}

#[test]
fn security_replies() {
    check(
        Reply::BossAssigned,
        "Your phone number has been assigned for all types of alerts and was added to security list which has been activated",
    );
    check(
        Reply::AlertMeAssigned,
        "Your phone number has been assigned for all types of alerts!",
    );
    let numbers = [phone("4915112345678"), phone("+4930123")];
    check(
        Reply::Setting(SettingValue::SecNumbers(&numbers)),
        "SECNUMBERs: 4915112345678,4930123",
    );
    check(
        Reply::Setting(SettingValue::SecNumbers(&[])),
        "SECNUMBERs: none",
    );
    check(
        Reply::Setting(SettingValue::AlertNumbers(&numbers[..1])),
        "ALERTNUMBERs: 4915112345678",
    );
    check(
        Reply::Setting(SettingValue::AlertNumbers(&[])),
        "ALERTNUMBERs: none",
    );
    check(
        Reply::Setting(SettingValue::SecList(false)),
        "SECLIST=(OFF),ON",
    );
    check(
        Reply::Setting(SettingValue::SecList(true)),
        "SECLIST=OFF,(ON)",
    );
    check(
        Reply::Setting(SettingValue::Password(true)),
        "PASSWORD=*****",
    );
    check(Reply::Setting(SettingValue::Password(false)), "PASSWORD=NO");
}

#[test]
fn listings_put_the_factory_default_first() {
    check(
        Reply::Setting(SettingValue::SmsConfirm(true)),
        "SMSCONFIRM=(ON),OFF",
    );
    check(
        Reply::Setting(SettingValue::SmsConfirm(false)),
        "SMSCONFIRM=ON,(OFF)",
    );
    check(
        Reply::Setting(SettingValue::RingConfirm(RingConfirm::Sms)),
        "RINGCONFIRM=(SMS),CALL,OFF",
    );
    check(
        Reply::Setting(SettingValue::RingConfirm(RingConfirm::Off)),
        "RINGCONFIRM=SMS,CALL,(OFF)",
    );
    check(
        Reply::Setting(SettingValue::ErrorReplies(true)),
        "ERROR=(ON),OFF",
    );
    check(
        Reply::Setting(SettingValue::SmsConfirmUnauth(false)),
        "SMSCONFIRMUNAUTH=(OFF),ON",
    );
    check(
        Reply::Setting(SettingValue::Ring(RingAction::NoAction)),
        "RING=(NOACTION),RESTART,SWITCH",
    );
    check(
        Reply::Setting(SettingValue::Ring(RingAction::Switch)),
        "RING=NOACTION,RESTART,(SWITCH)",
    );
    check(
        Reply::Setting(SettingValue::SwitchOffAlert(false)),
        "SWITCHOFFALERT=(OFF),ON",
    );
    check(
        Reply::Setting(SettingValue::TSensFailAlert(true)),
        "TSENSFAILALERT=OFF,(ON)",
    );
    check(
        Reply::Setting(SettingValue::SensorType(SensorType::NormallyOpen)),
        "SENSORTYPE=(NO),NC",
    );
    check(
        Reply::Setting(SettingValue::Alert(AlertMode::Sms)),
        "ALERT=(SMS),CALL,SMSCHANGE,OFF",
    );
    check(
        Reply::Setting(SettingValue::Alert(AlertMode::SmsChange)),
        "ALERT=SMS,CALL,(SMSCHANGE),OFF",
    );
    check(
        Reply::Setting(SettingValue::PowerAlert(true)),
        "POWERALERT=(ON),OFF",
    );
    check(
        Reply::Setting(SettingValue::PowerState(PowerState::Remember)),
        "POWERSTATE=(REMEMBER),ON,OFF",
    );
}

#[test]
fn factory_defaults_match_spec_16() {
    assert_eq!(RestartSeconds::default().get(), 10);
    assert_eq!(RingAction::default(), RingAction::NoAction);
    assert_eq!(RingConfirm::default(), RingConfirm::Sms);
    assert_eq!(RelayTime::default(), RelayTime::Unchanged);
    assert_eq!(SensorType::default(), SensorType::NormallyOpen);
    assert_eq!(AlertMode::default(), AlertMode::Sms);
    assert_eq!(ThermostatMode::default(), ThermostatMode::Heating);
    assert_eq!(Celsius::default().degrees(), 10);
    assert_eq!(PowerState::default(), PowerState::Remember);
    // Every listing's first option is the factory default.
    assert_eq!(RingAction::ALL[0], RingAction::default());
    assert_eq!(RingConfirm::ALL[0], RingConfirm::default());
    assert_eq!(SensorType::ALL[0], SensorType::default());
    assert_eq!(AlertMode::ALL[0], AlertMode::default());
    assert_eq!(PowerState::ALL[0], PowerState::default());
}

#[test]
fn numeric_setting_queries() {
    check(
        Reply::Setting(SettingValue::RestartTime(RestartSeconds::default())),
        "RESTARTTIME=10 seconds",
    );
    check(
        Reply::Setting(SettingValue::SwitchOffTemp(t(10))),
        "SWITCHOFFTEMP=10C(50F)",
    );
    check(
        Reply::Setting(SettingValue::TRiseAlert(Some(t(35)))),
        "TRISEALERT=35C(95F)",
    );
    check(
        Reply::Setting(SettingValue::TRiseAlert(None)),
        "TRISEALERT=OFF",
    );
    check(
        Reply::Setting(SettingValue::TFallAlert(Some(t(15)))),
        "TFALLALERT=15C(59F)",
    );
    check(
        Reply::Setting(SettingValue::TFallAlert(None)),
        "TFALLALERT=OFF",
    );
    check(
        Reply::Setting(SettingValue::RelayTime(RelayTime::Unchanged)),
        "RELAYTIME=0",
    );
    check(
        Reply::Setting(SettingValue::RelayTime(RelayTime::OnFor(
            RelaySeconds::new(60).unwrap(),
        ))),
        "RELAYTIME=ON60",
    );
    let code = UssdCode::parse("*100#").unwrap();
    check(
        Reply::Setting(SettingValue::CreditUms(Some(&code))),
        "CREDITUMS: *100#",
    );
    check(
        Reply::Setting(SettingValue::CreditUms(None)),
        "CREDITUMS: NO",
    );
    check(
        Reply::Setting(SettingValue::Date(Some(clock()))),
        "DATE 26/11/21,14:05:09+01",
    );
    check(Reply::Setting(SettingValue::Date(None)), "DATE not set");
}

#[test]
fn socket_control_replies() {
    check(Reply::PowerOn, "Power socket ON");
    check(Reply::PowerOff, "Power socket OFF");
    check(
        Reply::PowerOnFor(RelaySeconds::new(30).unwrap()),
        "Power ON for 30 seconds",
    );
    check(
        Reply::PowerOffFor(RelaySeconds::new(65000).unwrap()),
        "Power OFF for 65000 seconds",
    );
    check(Reply::Restarted, "Power socket restarted");
    let reading = Temperature::from_sixteenths(25 * 16);
    check(
        Reply::Temperature(Probe::Reading(reading)),
        "TEMPERATURE: 25C(77F)",
    );
    check(
        Reply::Temperature(Probe::SensorError),
        "TEMPERATURE: Sensor error!",
    );
    check(
        Reply::Temperature(Probe::NoSensor),
        "TEMPERATURE: No sensor",
    );
    check(
        Reply::Runtime(Runtime::OnSince(clock())),
        "Power socket is ON from: 26/11/21,14:05:09",
    );
    check(
        Reply::Runtime(Runtime::OnFor { seconds: 59 }),
        "Power socket is ON for: 0d 00:00:59",
    );
    check(Reply::Runtime(Runtime::Off), "Power socket is OFF");
}

#[test]
fn status_reply_matches_spec_example() {
    let status = Status {
        relay_on: true,
        signal_dbm: Some(-67),
        probe: Probe::Reading(Temperature::from_sixteenths(25 * 16)),
        alarm_armed: false,
        alarm_activated: false,
        clock: Some(clock()),
    };
    check(
        Reply::Status(status),
        "Power socket ON\nSignal: Good (-67dBm)\nTEMP: 25C(77F)\nALARMF: Disabled\nALARM status: No activity\nTime: 26/11/21,14:05:09",
    );
    let status = Status {
        relay_on: false,
        signal_dbm: None,
        probe: Probe::NoSensor,
        alarm_armed: true,
        alarm_activated: true,
        clock: None,
    };
    check(
        Reply::Status(status),
        "Power socket OFF\nSignal: Unknown\nTEMP: No sensor\nALARMF: Enabled\nALARM status: Activated\nTime: not set",
    );
    let status = Status {
        probe: Probe::SensorError,
        signal_dbm: Some(-110),
        ..status
    };
    assert!(
        Reply::Status(status)
            .to_string()
            .contains("Signal: Very poor (-110dBm)\nTEMP: Sensor error!")
    );
}

#[test]
fn thermostat_replies() {
    check(
        Reply::ThermostatStarted(heating(true)),
        "THERMOSTATON - OK\nTHERMOSTAT=HEATING\nSwitch-off temperature: 10C(50F)\nNote! Thermostat is working now!",
    );
    check(
        Reply::ThermostatStopped,
        "THERMOSTATOFF - OK\nNote! Thermostat was disabled!",
    );
    check(
        Reply::ThermostatModeSet(heating(false)),
        "THERMOSTAT=HEATING - OK\nSwitch-off temperature: 10C(50F)\nTHERMOSTAT: Disabled",
    );
    check(
        Reply::SwitchOffTempSet(heating(false)),
        "SWITCHOFFTEMP=10C(50F) - OK\nTHERMOSTAT=HEATING\nTHERMOSTAT: Disabled",
    );
    check(
        Reply::Setting(SettingValue::Thermostat(heating(true))),
        "THERMOSTAT: Enabled\nTHERMOSTAT=HEATING\nSwitch-off temperature: 10C(50F)",
    );
}

#[test]
fn temperature_alerts() {
    let reading = |c: i16| Temperature::from_sixteenths(c * 16);
    check(
        Reply::SwitchOffAlert(reading(10)),
        "SWITCHOFFALERT! Power socket switched OFF at 10C(50F)",
    );
    check(
        Reply::SensorFailureAlert,
        "TSENSFAILALERT! Temperature sensor failure",
    );
    check(
        Reply::RiseAlert {
            reading: reading(36),
            limit: t(35),
        },
        "TRISEALERT! Temperature 36C(97F) is above 35C(95F)",
    );
    check(
        Reply::FallAlert {
            reading: reading(14),
            limit: t(15),
        },
        "TFALLALERT! Temperature 14C(57F) is below 15C(59F)",
    );
}

#[test]
fn date_replies() {
    check(
        Reply::DateSetFromSms(clock()),
        "DATE 26/11/21,14:05:09+01 - OK",
    );
    check(Reply::Date(Some(clock())), "DATE 26/11/21,14:05:09+01");
    check(Reply::Date(None), "DATE not set");
}

#[test]
fn alarm_replies() {
    check(
        Reply::AlarmFunction(true),
        "ALARMON - OK\nALARM function: Enabled",
    );
    check(
        Reply::AlarmFunction(false),
        "ALARMOFF - OK\nALARM function: Disabled",
    );
    let state = AlarmState {
        armed: false,
        sensor_connected: None,
        activated: false,
    };
    check(
        Reply::Setting(SettingValue::Alarm(state)),
        "ALARM function: Disabled\nSensor(s): Connected\nALARM status: No activity",
    );
    let state = AlarmState {
        armed: true,
        sensor_connected: Some(false),
        activated: true,
    };
    check(
        Reply::Setting(SettingValue::Alarm(state)),
        "ALARM function: Enabled\nSensor(s): Not connected\nALARM status: Activated",
    );
    check(Reply::AlarmLog(&[]), "ALARM log: empty");
    check(
        Reply::AlarmLog(&[None, Some(clock())]),
        "ALARM log:\ntime not set\n26/11/21,14:05:09",
    );
    check(
        Reply::AlarmActivated(Some(clock())),
        "ALARM! Sensor activated! Time: 26/11/21,14:05:09",
    );
    check(Reply::AlarmActivated(None), "ALARM! Sensor activated!");
    check(
        Reply::AlarmCleared(Some(clock())),
        "Sensor returned to normal state. Time: 26/11/21,14:05:09",
    );
}

#[test]
fn scheduler_listing() {
    check(
        Reply::Setting(SettingValue::Scheduler(&[])),
        "SCHEDULER: empty",
    );
    let rules: Vec<ScheduleRule> = [
        "SCHEDULER+08:00,*,ON",
        "SCHEDULER+08:00,1,OFF",
        "SCHEDULER+21:30,7,INF",
    ]
    .iter()
    .map(|text| match cmd(text) {
        Command::SchedulerAdd(rule) => rule,
        other => panic!("{other:?}"),
    })
    .collect();
    check(
        Reply::Setting(SettingValue::Scheduler(&rules)),
        "08:00,*,ON\n08:00,1,OFF\n21:30,7,INF",
    );
}

#[test]
fn power_replies() {
    check(
        Reply::PowerFailure(Some(clock())),
        "Power failure! Time: 26/11/21,14:05:09",
    );
    check(Reply::PowerFailure(None), "Power failure!");
    check(
        Reply::PowerRestored {
            relay_on: true,
            at: Some(clock()),
        },
        "Power restored! Power socket ON. Time: 26/11/21,14:05:09",
    );
    check(
        Reply::PowerRestored {
            relay_on: false,
            at: None,
        },
        "Power restored! Power socket OFF.",
    );
}

#[test]
fn version_and_outside_text() {
    check(
        Reply::Hardware("isocket rp2040-pico"),
        "isocket rp2040-pico",
    );
    check(
        Reply::SerialNumber("E6614103E7452D2F"),
        "S/N: E6614103E7452D2F",
    );
    check(Reply::Firmware("0.1.0"), "v0.1.0 (isocket)");
    check(Reply::Ussd("Balance: 5.00 EUR"), "Balance: 5.00 EUR");
    check(Reply::Ussd("Баланс: 5 €"), "??????: 5 €");
}
