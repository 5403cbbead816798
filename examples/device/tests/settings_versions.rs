//! Settings versions (`store` module docs): the bytes every released
//! settings layout wrote are committed under `tests/golden/` and must load
//! forever, migrated to today's layout; a firmware upgrade never locks a
//! socket.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use isocket_device::store::{SETTINGS_VERSION, decode_settings, encode_settings};
use isocket_engine::{KnownNumber, Settings};
use isocket_proto::number::NumberType;
use isocket_proto::*;
use isocket_storage::MAX_VALUE_LEN;

/// Version 1 of `rich()`, as the first release saved it.
const V1: &[u8] = include_bytes!("golden/settings_v1.bin");
/// Version 2 of `rich_v2()`: numbers with their type of address, and the
/// known numbers.
const V2: &[u8] = include_bytes!("golden/settings_v2.bin");

/// The types of address of both lists, in order.
fn types(settings: &Settings) -> Vec<NumberType> {
    settings
        .sec_numbers
        .iter()
        .chain(&settings.alert_numbers)
        .map(PhoneNumber::number_type)
        .collect()
}

/// `rich()` with what version 2 adds: a national alert number and a
/// known number.
fn rich_v2() -> Settings {
    let mut s = rich();
    s.alert_numbers
        .push(PhoneNumber::from_address("0301234567", toa::NATIONAL).unwrap())
        .unwrap();
    s.known_numbers
        .push(KnownNumber {
            number: PhoneNumber::from_address("01701234567", toa::UNKNOWN).unwrap(),
            last_right: Some(20_500),
        })
        .unwrap();
    s
}

/// Settings with every list, the password, the scheduler and the
/// thresholds set: what the golden files hold.
fn rich() -> Settings {
    let mut s = Settings::default();
    for i in 0..4u64 {
        let number = PhoneNumber::parse(&format!("{}", 491_511_234_567_800 + i)).unwrap();
        s.sec_numbers.push(number).unwrap();
    }
    s.sec_numbers
        .push(PhoneNumber::parse("+37060000001").unwrap())
        .unwrap();
    s.alert_numbers
        .push(PhoneNumber::parse("+4915112345678").unwrap())
        .unwrap();
    s.alert_numbers
        .push(PhoneNumber::parse("0049301234567").unwrap())
        .unwrap();
    s.sec_list_on = true;
    s.password = Password::parse("ab12C");
    s.sms_confirm = false;
    s.ring_confirm = RingConfirm::Call;
    s.ring = RingAction::Restart;
    s.restart_time = RestartSeconds::new(600).unwrap();
    s.thermostat = ThermostatState {
        enabled: true,
        mode: ThermostatMode::Cooling,
        setpoint: Celsius::new(-5).unwrap(),
    };
    s.switch_off_alert = true;
    s.rise_alert = Celsius::new(40);
    s.fall_alert = Celsius::new(-10);
    s.sensor_type = SensorType::NormallyClosed;
    s.alert = AlertMode::SmsChange;
    s.relay_time = RelayTime::OffFor(RelaySeconds::new(65000).unwrap());
    s.alarm_armed = true;
    for h in [6u8, 7, 22] {
        s.scheduler
            .push(ScheduleRule {
                at: TimeOfDay::new(h, 30).unwrap(),
                day: ScheduleDay::Weekday(h % 7 + 1),
                action: ScheduleAction::Report,
            })
            .unwrap();
    }
    s.power_state = PowerState::Off;
    s.credit_code = UssdCode::parse("*100#");
    s
}

#[test]
fn version_1_settings_load_with_every_number_international() {
    let settings = decode_settings(V1).unwrap();
    assert_eq!(settings, rich());
    // (Numbers compare by their digits: check the types on their own.)
    assert_eq!(types(&settings), vec![NumberType::International; 7]);
    assert!(settings.known_numbers.is_empty());
    assert_eq!(settings.sec_numbers[0].dial(), "+491511234567800");
}

#[test]
fn version_2_settings_load_with_their_types() {
    let settings = decode_settings(V2).unwrap();
    assert_eq!(settings, rich_v2());
    assert_eq!(types(&settings), types(&rich_v2()));
    assert_eq!(types(&settings)[7], NumberType::National);
    assert_eq!(
        settings.known_numbers[0].number.number_type(),
        NumberType::Unknown
    );
}

#[test]
fn a_version_1_value_of_another_shape_does_not_load() {
    // Eleven SECNUMBERs, a number of 16 digits, a bad PASSWORD tag, cut.
    let mut eleven = V1.to_vec();
    eleven[2] = 11;
    let mut long = V1.to_vec();
    long[3] = 16;
    let mut password = V1.to_vec();
    password[0x4F] = 2;
    for bad in [&eleven[..], &long, &password, &V1[..40]] {
        assert_eq!(decode_settings(bad), None);
    }
    assert_eq!(V1[0x4F], 1, "the PASSWORD tag of the golden file");
}

#[test]
fn todays_layout_is_the_latest_golden_file() {
    // Fails when the layout changes: bump SETTINGS_VERSION, add the
    // migration, commit the new golden file (store module docs).
    let mut buf = [0; MAX_VALUE_LEN];
    let bytes = encode_settings(&rich_v2(), &mut buf).unwrap();
    if std::env::var_os("ISOCKET_WRITE_GOLDEN").is_some() {
        let path = format!("tests/golden/settings_v{SETTINGS_VERSION}.bin");
        std::fs::write(path, bytes).unwrap();
    }
    assert_eq!(bytes[0], SETTINGS_VERSION);
    assert_eq!(bytes, V2);
}

#[test]
fn unknown_versions_and_damaged_bytes_do_not_load() {
    let mut newer = V2.to_vec();
    newer[0] = SETTINGS_VERSION + 1;
    assert_eq!(decode_settings(&newer), None);
    assert_eq!(decode_settings(&[]), None);
    assert_eq!(decode_settings(&V2[..V2.len() - 1]), None);
}
