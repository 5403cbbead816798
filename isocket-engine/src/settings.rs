//! What the device keeps across reboots: the settings, the relay's base
//! state and the alarm log. Each is its own storage record, so the relay
//! state (written up to once a minute) never rewrites the settings.

use heapless::Vec;
use isocket_proto::{
    AlertMode, Celsius, Password, PhoneNumber, PowerState, RelayTime, RestartSeconds, RingAction,
    RingConfirm, ScheduleRule, SensorType, ThermostatState, Timestamp, UssdCode,
};
use serde::{Deserialize, Serialize};

use crate::security::{KNOWN_NUMBERS, KnownNumber};

/// Numbers on the security list (manual §4).
pub const SEC_NUMBERS: usize = 10;
/// Numbers on the alert list (manual §4).
pub const ALERT_NUMBERS: usize = 10;
/// Scheduler rules (manual §12).
pub const SCHEDULER_RULES: usize = 8;
/// Alarm log entries kept (manual §11).
pub const ALARM_LOG_ENTRIES: usize = 10;

/// Every configurable setting (manual §4–§14). `Default` is the factory state of manual §16.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// SECLIST=ON.
    pub sec_list_on: bool,
    /// SECNUMBER entries, in the order added.
    pub sec_numbers: Vec<PhoneNumber, SEC_NUMBERS>,
    /// PASSWORD, if set.
    pub password: Option<Password>,
    /// ALERTNUMBER entries, notified in this order.
    pub alert_numbers: Vec<PhoneNumber, ALERT_NUMBERS>,
    /// SMSCONFIRM.
    pub sms_confirm: bool,
    /// RINGCONFIRM.
    pub ring_confirm: RingConfirm,
    /// ERROR.
    pub error_replies: bool,
    /// SMSCONFIRMUNAUTH.
    pub sms_confirm_unauth: bool,
    /// RESTARTTIME.
    pub restart_time: RestartSeconds,
    /// RING.
    pub ring: RingAction,
    /// THERMOSTATON/OFF, THERMOSTAT and SWITCHOFFTEMP.
    pub thermostat: ThermostatState,
    /// SWITCHOFFALERT.
    pub switch_off_alert: bool,
    /// TSENSFAILALERT.
    pub sensor_fail_alert: bool,
    /// TRISEALERT.
    pub rise_alert: Option<Celsius>,
    /// TFALLALERT.
    pub fall_alert: Option<Celsius>,
    /// SENSORTYPE.
    pub sensor_type: SensorType,
    /// ALERT.
    pub alert: AlertMode,
    /// RELAYTIME.
    pub relay_time: RelayTime,
    /// ALARMON / ALARMOFF.
    pub alarm_armed: bool,
    /// An alarm occurred since ALARMON ("ALARM status: Activated").
    pub alarm_activated: bool,
    /// SCHEDULER rules, sorted by time then day.
    pub scheduler: Vec<ScheduleRule, SCHEDULER_RULES>,
    /// POWERALERT.
    pub power_alert: bool,
    /// POWERSTATE.
    pub power_state: PowerState,
    /// CREDITUMS.
    pub credit_code: Option<UssdCode>,
    /// Numbers that gave the right password lately (manual §19): heard
    /// while password guessing has closed the check to other numbers.
    /// Cleared when the password changes.
    pub known_numbers: Vec<KnownNumber, KNOWN_NUMBERS>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            sec_list_on: false,
            sec_numbers: Vec::new(),
            password: None,
            alert_numbers: Vec::new(),
            sms_confirm: true,
            ring_confirm: RingConfirm::default(),
            error_replies: true,
            sms_confirm_unauth: false,
            restart_time: RestartSeconds::default(),
            ring: RingAction::default(),
            thermostat: ThermostatState::default(),
            switch_off_alert: false,
            sensor_fail_alert: false,
            rise_alert: None,
            fall_alert: None,
            sensor_type: SensorType::default(),
            alert: AlertMode::default(),
            relay_time: RelayTime::default(),
            alarm_armed: false,
            alarm_activated: false,
            scheduler: Vec::new(),
            power_alert: true,
            power_state: PowerState::default(),
            credit_code: None,
            known_numbers: Vec::new(),
        }
    }
}

impl Settings {
    /// Whether SECLIST or a password protects the device (manual §4: the
    /// configuration window applies only while it is unprotected).
    pub fn is_protected(&self) -> bool {
        self.sec_list_on || self.password.is_some()
    }

    /// Whether `number` is on the security list and the list is active.
    pub fn is_trusted(&self, number: Option<&PhoneNumber>) -> bool {
        self.sec_list_on && number.is_some_and(|n| self.sec_numbers.contains(n))
    }
}

/// The alarm log: when each of the last alarms happened (`None`: clock unset), oldest first.
pub type AlarmLog = Vec<Option<Timestamp>, ALARM_LOG_ENTRIES>;

/// Everything the board loaded from storage at boot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stored {
    /// The settings (factory defaults if storage held none).
    pub settings: Settings,
    /// The relay's last saved base state.
    pub relay_on: bool,
    /// The alarm log.
    pub alarm_log: AlarmLog,
    /// Storage holds settings but no readable copy of them: boot locked
    /// (manual §8) until the factory reset, instead of open.
    pub locked: bool,
}
