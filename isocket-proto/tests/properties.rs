//! Properties over generated inputs: the canonical round trip holds for any
//! command, parsing and framing never panic, every reply is pure GSM-7.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use isocket_proto::*;
use proptest::prelude::*;
use proptest::sample::select;

fn phone() -> impl Strategy<Value = PhoneNumber> {
    "[0-9]{1,15}".prop_map(|d| PhoneNumber::parse(&d).unwrap())
}

fn celsius() -> impl Strategy<Value = Celsius> {
    (-55i32..=120).prop_map(|c| Celsius::new(c).unwrap())
}

fn relay_seconds() -> impl Strategy<Value = RelaySeconds> {
    (1u32..=65000).prop_map(|n| RelaySeconds::new(n).unwrap())
}

fn ussd() -> impl Strategy<Value = UssdCode> {
    "[*#][0-9*#]{0,21}#".prop_map(|c| UssdCode::parse(&c).unwrap())
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    let offset = (-56i32..=56).prop_map(|quarters| quarters * 15);
    (
        2000i32..=2099,
        1u32..=12,
        1u32..=31,
        0u32..24,
        0u32..60,
        0u32..60,
        offset,
    )
        .prop_filter_map("impossible date", |(y, mo, d, h, mi, s, off)| {
            Timestamp::from_local((y, mo, d), (h, mi, s), off)
        })
}

fn time_of_day() -> impl Strategy<Value = TimeOfDay> {
    (0u8..24, 0u8..60).prop_map(|(h, m)| TimeOfDay::new(h, m).unwrap())
}

fn rule() -> impl Strategy<Value = ScheduleRule> {
    let day = prop_oneof![
        Just(ScheduleDay::Every),
        (1u8..=7).prop_map(ScheduleDay::Weekday)
    ];
    (time_of_day(), day, select(ScheduleAction::ALL)).prop_map(|(at, day, action)| ScheduleRule {
        at,
        day,
        action,
    })
}

fn list_edit() -> impl Strategy<Value = ListEdit> {
    prop_oneof![
        phone().prop_map(ListEdit::Add),
        phone().prop_map(ListEdit::Remove),
        Just(ListEdit::Clear)
    ]
}

fn relay_time() -> impl Strategy<Value = RelayTime> {
    prop_oneof![
        Just(RelayTime::Unchanged),
        Just(RelayTime::On),
        Just(RelayTime::Off),
        relay_seconds().prop_map(RelayTime::OnFor),
        relay_seconds().prop_map(RelayTime::OffFor),
    ]
}

fn command() -> impl Strategy<Value = Command> {
    use Command as C;
    let bare = select(vec![
        C::MakeMeBoss,
        C::AlertMe,
        C::On,
        C::Off,
        C::Restart,
        C::Status,
        C::Temperature,
        C::Runtime,
        C::ThermostatOn,
        C::ThermostatOff,
        C::DateSms,
        C::Date,
        C::AlarmOn,
        C::AlarmOff,
        C::ShowAlarmLog,
        C::SchedulerClear,
        C::Credit,
        C::Hardware,
        C::SerialNum,
        C::Firmware,
    ]);
    let flags = (any::<bool>(), 0..7usize).prop_map(|(on, which)| match which {
        0 => C::SecList(on),
        1 => C::SmsConfirm(on),
        2 => C::ErrorReplies(on),
        3 => C::SmsConfirmUnauth(on),
        4 => C::SwitchOffAlert(on),
        5 => C::TSensFailAlert(on),
        _ => C::PowerAlert(on),
    });
    let keywords = prop_oneof![
        select(RingConfirm::ALL).prop_map(C::RingConfirm),
        select(RingAction::ALL).prop_map(C::Ring),
        select(ThermostatMode::ALL).prop_map(C::Thermostat),
        select(SensorType::ALL).prop_map(C::SensorType),
        select(AlertMode::ALL).prop_map(C::Alert),
        select(PowerState::ALL).prop_map(C::PowerState),
    ];
    let valued = prop_oneof![
        list_edit().prop_map(C::SecNumber),
        list_edit().prop_map(C::AlertNumber),
        proptest::option::of("[A-Za-z0-9]{5}".prop_map(|p| Password::parse(&p).unwrap()))
            .prop_map(C::Password),
        relay_seconds().prop_map(C::OnFor),
        relay_seconds().prop_map(C::OffFor),
        (1u32..=600).prop_map(|n| C::RestartTime(RestartSeconds::new(n).unwrap())),
        celsius().prop_map(C::SwitchOffTemp),
        proptest::option::of(celsius()).prop_map(C::TRiseAlert),
        proptest::option::of(celsius()).prop_map(C::TFallAlert),
        timestamp().prop_map(C::SetDate),
        relay_time().prop_map(C::RelayTime),
        rule().prop_map(C::SchedulerAdd),
        time_of_day().prop_map(C::SchedulerRemove),
        proptest::option::of(ussd()).prop_map(C::CreditUms),
        ussd().prop_map(C::SimCard),
        select(Setting::ALL).prop_map(C::Query),
    ];
    prop_oneof![bare, flags, keywords, valued]
}

/// Strings that look like commands: a known name, then value-ish characters.
fn near_miss() -> impl Strategy<Value = String> {
    let names = select(vec![
        "ON",
        "OFF",
        "SECNUMBER",
        "DATE",
        "SCHEDULER",
        "RELAYTIME",
        "SWITCHOFFTEMP",
        "SIMCARD",
        "CREDITUMS",
        "PASSWORD",
        "TRISEALERT",
        "RESTARTTIME",
    ]);
    (names, "[ =+\\-?*#,:/0-9A-Za-zäé😀]{0,40}").prop_map(|(n, rest)| format!("{n}{rest}"))
}

fn outside_text() -> impl Strategy<Value = String> {
    any::<String>()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn canonical_form_parses_back_to_the_same_command(command in command()) {
        let text = command.to_string();
        prop_assert_eq!(text.parse::<Command>(), Ok(command.clone()), "{}", text);
        prop_assert_eq!(text.to_ascii_uppercase(), text.clone(), "canonical is upper case");
        prop_assert!(!text.contains(' '), "canonical has no optional white space: {}", text);
        // Lower case parses the same.
        prop_assert_eq!(text.to_ascii_lowercase().parse::<Command>(), Ok(command));
    }

    #[test]
    fn parsing_never_panics(text in any::<String>()) {
        let _ = text.parse::<Command>();
    }

    #[test]
    fn near_misses_never_panic_and_reparse_canonically(text in near_miss()) {
        if let Ok(command) = text.parse::<Command>() {
            prop_assert_eq!(command.to_string().parse::<Command>(), Ok(command));
        }
    }

    #[test]
    fn framing_never_panics(sms in any::<String>(), password in "[A-Z0-9]{5}") {
        let password = Password::parse(&password).unwrap();
        if let Ok(text) = frame(Some(&password), &sms) {
            prop_assert!(text.chars().count() <= MAX_COMMAND_CHARS);
            let _ = text.parse::<Command>();
        }
        let _ = frame(None, &sms);
    }

    #[test]
    fn confirmations_are_gsm7(command in command()) {
        let text = Reply::Confirmed(&command).to_string();
        prop_assert!(gsm7::is_gsm7_text(&text), "{:?}", text);
    }

    #[test]
    fn replies_with_outside_text_are_gsm7(text in outside_text(), which in 0..6usize) {
        let reply = match which {
            0 => Reply::UnknownCommand(&text),
            1 => Reply::ConfigurationExpired(&text),
            2 => Reply::Ussd(&text),
            3 => Reply::Hardware(&text),
            4 => Reply::SerialNumber(&text),
            _ => Reply::Firmware(&text),
        };
        let rendered = reply.to_string();
        prop_assert!(gsm7::is_gsm7_text(&rendered), "{:?}", rendered);
    }

    #[test]
    fn value_replies_are_gsm7(
        sixteenths in -55 * 16..=125 * 16i16,
        limit in celsius(),
        at in proptest::option::of(timestamp()),
        dbm in proptest::option::of(-130i16..=0),
        relay_on in any::<bool>(),
        numbers in proptest::collection::vec(phone(), 0..10),
        rules in proptest::collection::vec(rule(), 0..8),
        seconds in any::<u32>(),
    ) {
        let reading = Temperature::from_sixteenths(sixteenths);
        let probe = Probe::Reading(reading);
        let thermostat = ThermostatState { enabled: relay_on, mode: ThermostatMode::Cooling, setpoint: limit };
        let log: Vec<Option<Timestamp>> = vec![at, None];
        let status = Status { relay_on, signal_dbm: dbm, probe, alarm_armed: relay_on, alarm_activated: !relay_on, clock: at };
        let replies = [
            Reply::Status(status),
            Reply::Temperature(probe),
            Reply::Runtime(Runtime::OnFor { seconds }),
            Reply::RiseAlert { reading, limit },
            Reply::FallAlert { reading, limit },
            Reply::SwitchOffAlert(reading),
            Reply::AlarmActivated(at),
            Reply::AlarmCleared(at),
            Reply::PowerFailure(at),
            Reply::PowerRestored { relay_on, at },
            Reply::AlarmLog(&log),
            Reply::Date(at),
            Reply::ThermostatStarted(thermostat),
            Reply::Setting(SettingValue::SecNumbers(&numbers)),
            Reply::Setting(SettingValue::Scheduler(&rules)),
            Reply::Setting(SettingValue::Thermostat(thermostat)),
        ];
        for reply in replies {
            let rendered = reply.to_string();
            prop_assert!(gsm7::is_gsm7_text(&rendered), "{:?}", rendered);
        }
    }
}
