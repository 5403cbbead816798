//! Settings survive the storage encoding (serde + postcard, as isocket-storage
//! writes them), fully populated, and fit one storage record.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use isocket_engine::{AlarmLog, Settings};
use isocket_proto::*;

/// isocket-storage's largest record value.
const RECORD_LIMIT: usize = 512;

fn full_settings() -> Settings {
    let mut s = Settings::default();
    for i in 0..10u64 {
        let number = PhoneNumber::parse(&format!("{}", 491_511_234_567_800 + i)).unwrap();
        s.sec_numbers.push(number.clone()).unwrap();
        s.alert_numbers.push(number).unwrap();
    }
    s.sec_list_on = true;
    s.password = Password::parse("ab12C");
    s.sms_confirm = false;
    s.ring_confirm = RingConfirm::Call;
    s.ring = RingAction::Restart;
    s.restart_time = RestartSeconds::new(600).unwrap();
    s.thermostat = ThermostatState {
        enabled: true,
        mode: ThermostatMode::Cooling,
        setpoint: Celsius::new(-55).unwrap(),
    };
    s.rise_alert = Celsius::new(120);
    s.fall_alert = Celsius::new(-10);
    s.sensor_type = SensorType::NormallyClosed;
    s.alert = AlertMode::SmsChange;
    s.relay_time = RelayTime::OffFor(RelaySeconds::new(65000).unwrap());
    s.alarm_armed = true;
    s.alarm_activated = true;
    for h in 0..8u8 {
        let at = TimeOfDay::new(h, 59).unwrap();
        s.scheduler
            .push(ScheduleRule {
                at,
                day: ScheduleDay::Weekday(h % 7 + 1),
                action: ScheduleAction::Report,
            })
            .unwrap();
    }
    s.power_state = PowerState::Off;
    s.credit_code = UssdCode::parse("*123456789012345678901#");
    s
}

#[test]
fn full_settings_round_trip_and_fit_a_record() {
    let settings = full_settings();
    let mut buffer = [0u8; 1024];
    let bytes = postcard::to_slice(&settings, &mut buffer).unwrap();
    assert!(bytes.len() <= RECORD_LIMIT, "{} bytes", bytes.len());
    let back: Settings = postcard::from_bytes(bytes).unwrap();
    assert_eq!(back, settings);
}

#[test]
fn a_full_alarm_log_round_trips() {
    let mut log = AlarmLog::new();
    let t = Timestamp::from_local((2026, 11, 21), (14, 5, 9), -(3 * 60 + 30)).unwrap();
    for i in 0..10 {
        log.push(if i % 3 == 0 { None } else { Some(t) }).unwrap();
    }
    let mut buffer = [0u8; 512];
    let bytes = postcard::to_slice(&log, &mut buffer).unwrap();
    let back: AlarmLog = postcard::from_bytes(bytes).unwrap();
    assert_eq!(back, log);
    assert_eq!(back[1].unwrap().to_string(), "26/11/21,14:05:09-03:30");
}

#[test]
fn out_of_range_values_are_rejected_when_decoding() {
    let settings = Settings::default();
    let mut buffer = [0u8; 1024];
    let bytes = postcard::to_slice(&settings, &mut buffer).unwrap().to_vec();
    // Every single-byte corruption either decodes to valid settings or is an error: never a panic.
    for i in 0..bytes.len() {
        for value in [0x00, 0x7F, 0xFF] {
            let mut corrupt = bytes.clone();
            corrupt[i] = value;
            let _ = postcard::from_bytes::<Settings>(&corrupt);
        }
    }
    // RESTARTTIME=0 is impossible and must not decode.
    let restart_time_zero = {
        let mut s = postcard::to_slice(&settings, &mut buffer).unwrap().to_vec();
        let position = s.iter().position(|&b| b == 10).unwrap();
        s[position] = 0;
        s
    };
    assert!(postcard::from_bytes::<Settings>(&restart_time_zero).is_err());
}
