//! The alarm input (manual §11): alarms, RELAYTIME, the notification cycle,
//! the 60-s detection lock-out, SMSCHANGE with its rate limit, and the log.

use core::time::Duration;

use isocket_proto::{AlertMode, RelayTime, Reply, SensorType, Timestamp};

use crate::calls::Purpose;
use crate::engine::{Engine, Recipient, render};
use crate::io::{Action, Record};
use crate::settings::Settings;
use crate::time::{Instant, secs};

/// Detection stays off until this long after a notification cycle ends.
pub const DETECTION_LOCKOUT: Duration = secs(60);
/// SMSCHANGE reports at most one change per this period.
pub const SMSCHANGE_HOLD: Duration = secs(60);
/// How long each alarm call rings (manual §11).
pub const ALARM_CALL_RING: Duration = secs(20);

#[derive(Debug, Clone, Default)]
pub(crate) struct Alarm {
    contact_closed: bool,
    /// Detection is off until then (after a cycle ended).
    lockout_until: Option<Instant>,
    /// ALERT=CALL: the index of the next alert number to call.
    calling: Option<usize>,
    /// SMSCHANGE: the state last reported, and until when reports wait.
    reported_active: bool,
    hold_until: Option<Instant>,
    /// When the current alarm happened: its SMS says so, even after a call cycle.
    raised_at: Option<Timestamp>,
}

impl Alarm {
    pub(crate) fn deadline(&self) -> Option<Instant> {
        [self.lockout_until, self.hold_until]
            .into_iter()
            .flatten()
            .min()
    }
}

impl Engine {
    /// Active: closed for a normally-open contact, open for a normally-closed one.
    fn input_active(&self) -> bool {
        match self.settings.sensor_type {
            SensorType::NormallyOpen => self.alarm.contact_closed,
            SensorType::NormallyClosed => !self.alarm.contact_closed,
        }
    }

    pub(crate) fn on_input(&mut self, now: Instant, closed: bool) {
        let was_active = self.input_active();
        self.alarm.contact_closed = closed;
        if !self.settings.alarm_armed {
            return;
        }
        if self.settings.alert == AlertMode::SmsChange {
            if self.input_active() != was_active {
                self.sms_change(now);
            }
        } else {
            self.check_alarm(now);
        }
    }

    /// An alarm occurs while the input is active, armed, and detection is on (level, not edge).
    fn check_alarm(&mut self, now: Instant) {
        let detecting = self.alarm.calling.is_none() && self.alarm.lockout_until.is_none();
        if self.settings.alarm_armed
            && detecting
            && self.settings.alert != AlertMode::SmsChange
            && self.input_active()
        {
            self.raise_alarm(now);
            self.apply_relay_time(now);
            match self.settings.alert {
                AlertMode::Call => {
                    self.alarm.calling = Some(0);
                    self.next_call(now);
                }
                AlertMode::Sms => {
                    self.send_alarm_sms();
                    self.end_cycle(now);
                }
                AlertMode::Off | AlertMode::SmsChange => self.end_cycle(now),
            }
        }
    }

    /// Logs the alarm and marks "ALARM status: Activated".
    fn raise_alarm(&mut self, now: Instant) {
        if self.alarm_log.is_full() {
            self.alarm_log.remove(0);
        }
        self.alarm.raised_at = self.clock.at(now);
        let _ = self.alarm_log.push(self.alarm.raised_at);
        self.push(Action::Save(Record::AlarmLog));
        if !self.settings.alarm_activated {
            self.settings.alarm_activated = true;
            self.save_settings();
        }
    }

    fn send_alarm_sms(&mut self) {
        let reply = Reply::AlarmActivated(self.alarm.raised_at);
        self.send(&Recipient::AlertNumbers, render(&reply));
    }

    fn end_cycle(&mut self, now: Instant) {
        self.alarm.calling = None;
        self.alarm.lockout_until = Some(now + DETECTION_LOCKOUT);
    }

    /// ALERT=CALL: dials the next alert number if the cycle wants one;
    /// nobody left means nobody answered, and the alarm SMS goes to all.
    pub(crate) fn alarm_call_next(&mut self, now: Instant) -> bool {
        let Some(next) = self.alarm.calling else {
            return false;
        };
        match self.settings.alert_numbers.get(next).cloned() {
            Some(to) => {
                self.alarm.calling = Some(next + 1);
                self.dial(now, &to, Purpose::Alarm, ALARM_CALL_RING);
                true
            }
            None => {
                self.send_alarm_sms();
                self.end_cycle(now);
                false
            }
        }
    }

    /// An answer ends the cycle: nobody else is told.
    pub(crate) fn alarm_call_outcome(&mut self, now: Instant, answered: bool) {
        if answered && self.alarm.calling.is_some() {
            self.end_cycle(now);
        }
    }

    /// RELAYTIME on an alarm (manual §11).
    fn apply_relay_time(&mut self, now: Instant) {
        let change = match self.settings.relay_time {
            RelayTime::Unchanged => return,
            RelayTime::On => self.relay.switch(now, true),
            RelayTime::Off => self.relay.switch(now, false),
            RelayTime::OnFor(n) => self.relay.switch_for(now, true, secs(u64::from(n.get()))),
            RelayTime::OffFor(n) => self.relay.switch_for(now, false, secs(u64::from(n.get()))),
        };
        self.relay_changed(change);
    }

    /// SMSCHANGE (manual §11 decision): when the input returns, the relay goes
    /// to the opposite of the RELAYTIME action, whatever happened in between.
    fn revert_relay_time(&mut self, now: Instant) {
        match self.settings.relay_time {
            RelayTime::Unchanged => {}
            RelayTime::On | RelayTime::OnFor(_) => {
                self.switch_relay(now, false);
            }
            RelayTime::Off | RelayTime::OffFor(_) => {
                self.switch_relay(now, true);
            }
        }
    }

    /// SMSCHANGE: the relay follows the input at once; the SMS wait out the rate limit.
    fn sms_change(&mut self, now: Instant) {
        if self.input_active() {
            self.apply_relay_time(now);
        } else {
            self.revert_relay_time(now);
        }
        if self.alarm.hold_until.is_none() {
            self.report_change(now);
        }
    }

    /// Reports the input's state if it differs from the last report; an
    /// activation reported is an alarm.
    fn report_change(&mut self, now: Instant) {
        let active = self.input_active();
        if active == self.alarm.reported_active {
            return;
        }
        self.alarm.reported_active = active;
        self.alarm.hold_until = Some(now + SMSCHANGE_HOLD);
        if active {
            self.raise_alarm(now);
            self.send_alarm_sms();
        } else {
            let reply = Reply::AlarmCleared(self.clock.at(now));
            self.send(&Recipient::AlertNumbers, render(&reply));
        }
    }

    pub(crate) fn alarm_timeout(&mut self, now: Instant) {
        if self.alarm.hold_until.is_some_and(|t| t <= now) {
            self.alarm.hold_until = None;
            if self.settings.alarm_armed && self.settings.alert == AlertMode::SmsChange {
                self.report_change(now);
            }
        }
        if self.alarm.lockout_until.is_some_and(|t| t <= now) {
            self.alarm.lockout_until = None;
            self.check_alarm(now);
        }
    }

    /// Arming starts detection afresh (an input already active alarms at
    /// once); disarming stops a running notification cycle.
    pub(crate) fn alarm_settings_changed(&mut self, now: Instant, before: &Settings) {
        let armed = self.settings.alarm_armed;
        if armed == before.alarm_armed
            && self.settings.alert == before.alert
            && self.settings.sensor_type == before.sensor_type
        {
            return;
        }
        self.hang_up_alarm_call();
        self.alarm = Alarm {
            contact_closed: self.alarm.contact_closed,
            ..Alarm::default()
        };
        if !armed {
            return;
        }
        if self.settings.alert == AlertMode::SmsChange {
            if self.input_active() {
                self.apply_relay_time(now);
                self.report_change(now);
            }
        } else {
            self.check_alarm(now);
        }
        self.next_call(now);
    }

    /// ALARMOFF by the button (manual §8), or ALARMON/AOF by the scheduler: saved without a reply.
    pub(crate) fn set_armed(&mut self, now: Instant, armed: bool) {
        let before = self.settings.clone();
        self.settings.alarm_armed = armed;
        if armed {
            self.settings.alarm_activated = false;
        }
        if self.settings != before {
            self.save_settings();
            self.alarm_settings_changed(now, &before);
        }
    }
}
