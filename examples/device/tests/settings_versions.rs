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
use isocket_engine::Settings;
use isocket_proto::*;
use isocket_storage::MAX_VALUE_LEN;

/// Version 1 of `rich()`, as the first release saved it.
const V1: &[u8] = include_bytes!("golden/settings_v1.bin");

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
fn version_1_settings_load() {
    assert_eq!(decode_settings(V1), Some(rich()));
}

#[test]
fn todays_layout_is_the_latest_golden_file() {
    // Fails when the layout changes: bump SETTINGS_VERSION, add the
    // migration, commit the new golden file (store module docs).
    let mut buf = [0; MAX_VALUE_LEN];
    let bytes = encode_settings(&rich(), &mut buf).unwrap();
    if std::env::var_os("ISOCKET_WRITE_GOLDEN").is_some() {
        let path = format!("tests/golden/settings_v{SETTINGS_VERSION}.bin");
        std::fs::write(path, bytes).unwrap();
    }
    assert_eq!(bytes[0], SETTINGS_VERSION);
    assert_eq!(bytes, V1);
}

#[test]
fn unknown_versions_and_damaged_bytes_do_not_load() {
    let mut newer = V1.to_vec();
    newer[0] = SETTINGS_VERSION + 1;
    assert_eq!(decode_settings(&newer), None);
    assert_eq!(decode_settings(&[]), None);
    assert_eq!(decode_settings(&V1[..V1.len() - 1]), None);
}
