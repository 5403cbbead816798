//! What each command does (manual §4–§15), once it has passed the checks of §3.

use heapless::Vec;
use isocket_proto::{
    AlarmState, Command, ListEdit, PhoneNumber, Probe, Reply, RingAction, Runtime, Setting,
    SettingValue, Status, Timestamp,
};

use crate::engine::{Engine, Recipient, render};
use crate::sms::{Failure, Outcome};
use crate::temperature::ProbeUse;
use crate::time::{Instant, secs};

type Result = core::result::Result<Outcome, Failure>;

/// A reply that SMSCONFIRM=OFF silences.
fn confirm(reply: Reply<'_>) -> Result {
    Ok(Outcome::Reply {
        text: render(&reply),
        always: false,
    })
}

/// A reply that is always sent (manual §3 rule 5's list and every Inf command).
fn answer(reply: Reply<'_>) -> Result {
    Ok(Outcome::Reply {
        text: render(&reply),
        always: true,
    })
}

/// Adds `number` unless present; `List is full!` when there is no room.
fn add<const N: usize>(
    list: &mut Vec<PhoneNumber, N>,
    number: &PhoneNumber,
) -> core::result::Result<(), Failure> {
    if !list.contains(number) {
        list.push(number.clone()).map_err(|_| Failure::ListFull)?;
    }
    Ok(())
}

fn edit_list<const N: usize>(
    list: &mut Vec<PhoneNumber, N>,
    edit: &ListEdit,
) -> core::result::Result<(), Failure> {
    match edit {
        ListEdit::Add(number) => add(list, number),
        ListEdit::Remove(number) => {
            let position = list
                .iter()
                .position(|n| n == number)
                .ok_or(Failure::IncorrectValue)?;
            list.remove(position);
            Ok(())
        }
        ListEdit::Clear => {
            list.clear();
            Ok(())
        }
    }
}

impl Engine {
    pub(crate) fn execute(
        &mut self,
        now: Instant,
        sender: Option<&PhoneNumber>,
        command: &Command,
        sent_at: Option<Timestamp>,
    ) -> Result {
        use Command as C;
        let settings = &mut self.settings;
        match command {
            C::MakeMeBoss => {
                let me = sender.ok_or(Failure::IncorrectValue)?;
                let room = |list: &[PhoneNumber], capacity: usize| {
                    list.contains(me) || list.len() < capacity
                };
                if !room(&settings.sec_numbers, settings.sec_numbers.capacity())
                    || !room(&settings.alert_numbers, settings.alert_numbers.capacity())
                {
                    return Err(Failure::ListFull);
                }
                add(&mut settings.sec_numbers, me)?;
                add(&mut settings.alert_numbers, me)?;
                settings.sec_list_on = true;
                confirm(Reply::BossAssigned)
            }
            C::SecNumber(edit) => {
                edit_list(&mut settings.sec_numbers, edit)?;
                // An active but empty list would lock everybody out: it switches off,
                // as SECNUMBER-ALL does.
                if settings.sec_numbers.is_empty() {
                    settings.sec_list_on = false;
                    settings.ring = RingAction::NoAction;
                }
                confirm(Reply::Confirmed(command))
            }
            C::SecList(true) if settings.sec_numbers.is_empty() => Err(Failure::IncorrectValue),
            C::SecList(on) => {
                settings.sec_list_on = *on;
                if !on {
                    settings.ring = RingAction::NoAction;
                }
                confirm(Reply::Confirmed(command))
            }
            C::Password(password) => {
                settings.password = *password;
                // Known numbers knew the old password; the sender knows the new one.
                settings.known_numbers.clear();
                if let (Some(_), Some(me)) = (password, sender) {
                    let wall = self.clock.at(now);
                    crate::security::remember(&mut settings.known_numbers, me, wall);
                }
                confirm(Reply::Confirmed(command))
            }
            C::AlertMe => {
                let me = sender.ok_or(Failure::IncorrectValue)?;
                add(&mut settings.alert_numbers, me)?;
                confirm(Reply::AlertMeAssigned)
            }
            C::AlertNumber(edit) => {
                edit_list(&mut settings.alert_numbers, edit)?;
                confirm(Reply::Confirmed(command))
            }
            C::SmsConfirm(on) => {
                settings.sms_confirm = *on;
                confirm(Reply::Confirmed(command))
            }
            C::RingConfirm(value) => {
                settings.ring_confirm = *value;
                confirm(Reply::Confirmed(command))
            }
            C::ErrorReplies(on) => {
                settings.error_replies = *on;
                confirm(Reply::Confirmed(command))
            }
            C::SmsConfirmUnauth(on) => {
                settings.sms_confirm_unauth = *on;
                confirm(Reply::Confirmed(command))
            }
            C::On | C::Off => {
                let on = matches!(command, C::On);
                let change = self.relay.switch(now, on);
                self.relay_changed(change);
                confirm(if on { Reply::PowerOn } else { Reply::PowerOff })
            }
            C::OnFor(n) | C::OffFor(n) => {
                let on = matches!(command, C::OnFor(_));
                let change = self.relay.switch_for(now, on, secs(u64::from(n.get())));
                self.relay_changed(change);
                confirm(if on {
                    Reply::PowerOnFor(*n)
                } else {
                    Reply::PowerOffFor(*n)
                })
            }
            C::Restart => {
                let duration = secs(u64::from(settings.restart_time.get()));
                let change = self.relay.restart(now, duration);
                self.relay_changed(change);
                confirm(Reply::Restarted)
            }
            C::RestartTime(n) => {
                settings.restart_time = *n;
                confirm(Reply::Confirmed(command))
            }
            C::Status | C::Temperature => {
                if let Some(to) = sender {
                    let usage = if matches!(command, C::Status) {
                        ProbeUse::Status
                    } else {
                        ProbeUse::Temperature
                    };
                    self.wait_for_probe(now, Recipient::One(to.clone()), usage);
                }
                Ok(Outcome::Deferred)
            }
            C::Runtime => {
                let runtime = match self.relay.on_since() {
                    None => Runtime::Off,
                    Some(since) => match self.clock.at_past(now, since) {
                        Some(time) => Runtime::OnSince(time),
                        None => Runtime::OnFor {
                            seconds: u32::try_from(now.since(since).as_secs()).unwrap_or(u32::MAX),
                        },
                    },
                };
                answer(Reply::Runtime(runtime))
            }
            C::Ring(action) if *action != RingAction::NoAction && !settings.sec_list_on => {
                Err(Failure::SecListNotActive)
            }
            C::Ring(action) => {
                settings.ring = *action;
                confirm(Reply::Confirmed(command))
            }
            C::ThermostatOn | C::ThermostatOff => {
                let on = matches!(command, C::ThermostatOn);
                settings.thermostat.enabled = on;
                let reply = if on {
                    Reply::ThermostatStarted(settings.thermostat)
                } else {
                    Reply::ThermostatStopped
                };
                let reply = confirm(reply);
                if on {
                    self.start_thermostat(now);
                }
                reply
            }
            C::Thermostat(mode) => {
                settings.thermostat.mode = *mode;
                confirm(Reply::ThermostatModeSet(settings.thermostat))
            }
            C::SwitchOffTemp(t) => {
                settings.thermostat.setpoint = *t;
                confirm(Reply::SwitchOffTempSet(settings.thermostat))
            }
            C::SwitchOffAlert(on) => {
                settings.switch_off_alert = *on;
                confirm(Reply::Confirmed(command))
            }
            C::TSensFailAlert(on) => {
                settings.sensor_fail_alert = *on;
                confirm(Reply::Confirmed(command))
            }
            C::TRiseAlert(limit) => {
                settings.rise_alert = *limit;
                confirm(Reply::Confirmed(command))
            }
            C::TFallAlert(limit) => {
                settings.fall_alert = *limit;
                confirm(Reply::Confirmed(command))
            }
            C::DateSms => {
                let time = sent_at.ok_or(Failure::ExecuteError)?;
                self.set_clock(now, time);
                confirm(Reply::DateSetFromSms(time))
            }
            C::SetDate(time) => {
                self.set_clock(now, *time);
                confirm(Reply::Confirmed(command))
            }
            C::Date => answer(Reply::Date(self.clock.at(now))),
            C::SensorType(value) => {
                settings.sensor_type = *value;
                confirm(Reply::Confirmed(command))
            }
            C::Alert(value) => {
                settings.alert = *value;
                confirm(Reply::Confirmed(command))
            }
            C::RelayTime(value) => {
                settings.relay_time = *value;
                confirm(Reply::Confirmed(command))
            }
            C::AlarmOn | C::AlarmOff => {
                let on = matches!(command, C::AlarmOn);
                settings.alarm_armed = on;
                if on {
                    settings.alarm_activated = false;
                }
                confirm(Reply::AlarmFunction(on))
            }
            C::ShowAlarmLog => answer(Reply::AlarmLog(&self.alarm_log)),
            C::SchedulerAdd(rule) => {
                let rules = &mut settings.scheduler;
                if let Some(same) = rules
                    .iter_mut()
                    .find(|r| r.at == rule.at && r.day == rule.day)
                {
                    same.action = rule.action;
                } else {
                    let at = rules
                        .iter()
                        .position(|r| (r.at, r.day) > (rule.at, rule.day));
                    let at = at.unwrap_or(rules.len());
                    rules.insert(at, *rule).map_err(|_| Failure::ListFull)?;
                }
                confirm(Reply::Confirmed(command))
            }
            C::SchedulerRemove(at) => {
                let before = settings.scheduler.len();
                settings.scheduler.retain(|r| r.at != *at);
                if settings.scheduler.len() == before {
                    return Err(Failure::IncorrectValue);
                }
                confirm(Reply::Confirmed(command))
            }
            C::SchedulerClear => {
                settings.scheduler.clear();
                confirm(Reply::Confirmed(command))
            }
            C::PowerAlert(on) => {
                settings.power_alert = *on;
                confirm(Reply::Confirmed(command))
            }
            C::PowerState(value) => {
                settings.power_state = *value;
                confirm(Reply::Confirmed(command))
            }
            C::CreditUms(code) => {
                settings.credit_code = code.clone();
                confirm(Reply::Confirmed(command))
            }
            C::Credit | C::SimCard(_) => {
                let code = match command {
                    C::SimCard(code) => code.clone(),
                    _ => settings
                        .credit_code
                        .clone()
                        .ok_or(Failure::IncorrectValue)?,
                };
                let requester = sender.ok_or(Failure::IncorrectValue)?;
                if self.ussd_busy() {
                    return Err(Failure::ExecuteError);
                }
                self.start_ussd(now, requester, code);
                Ok(Outcome::Deferred)
            }
            C::Hardware => answer(Reply::Hardware(self.board.product)),
            C::SerialNum => answer(Reply::SerialNumber(&self.board.serial)),
            C::Firmware => answer(Reply::Firmware(env!("CARGO_PKG_VERSION"))),
            C::Query(setting) => answer(Reply::Setting(self.setting_value(now, *setting))),
        }
    }

    pub(crate) fn status(&self, now: Instant, probe: Probe) -> Status {
        Status {
            relay_on: self.relay.is_on(),
            signal_dbm: self.signal_dbm,
            probe,
            alarm_armed: self.settings.alarm_armed,
            alarm_activated: self.settings.alarm_activated,
            clock: self.clock.at(now),
        }
    }

    fn setting_value(&self, now: Instant, setting: Setting) -> SettingValue<'_> {
        let s = &self.settings;
        match setting {
            Setting::SecNumber => SettingValue::SecNumbers(&s.sec_numbers),
            Setting::SecList => SettingValue::SecList(s.sec_list_on),
            Setting::Password => SettingValue::Password(s.password.is_some()),
            Setting::AlertNumber => SettingValue::AlertNumbers(&s.alert_numbers),
            Setting::SmsConfirm => SettingValue::SmsConfirm(s.sms_confirm),
            Setting::RingConfirm => SettingValue::RingConfirm(s.ring_confirm),
            Setting::ErrorReplies => SettingValue::ErrorReplies(s.error_replies),
            Setting::SmsConfirmUnauth => SettingValue::SmsConfirmUnauth(s.sms_confirm_unauth),
            Setting::RestartTime => SettingValue::RestartTime(s.restart_time),
            Setting::Ring => SettingValue::Ring(s.ring),
            Setting::Thermostat => SettingValue::Thermostat(s.thermostat),
            Setting::SwitchOffTemp => SettingValue::SwitchOffTemp(s.thermostat.setpoint),
            Setting::SwitchOffAlert => SettingValue::SwitchOffAlert(s.switch_off_alert),
            Setting::TSensFailAlert => SettingValue::TSensFailAlert(s.sensor_fail_alert),
            Setting::TRiseAlert => SettingValue::TRiseAlert(s.rise_alert),
            Setting::TFallAlert => SettingValue::TFallAlert(s.fall_alert),
            Setting::Date => SettingValue::Date(self.clock.at(now)),
            Setting::SensorType => SettingValue::SensorType(s.sensor_type),
            Setting::Alert => SettingValue::Alert(s.alert),
            Setting::RelayTime => SettingValue::RelayTime(s.relay_time),
            Setting::Alarm => SettingValue::Alarm(AlarmState {
                armed: s.alarm_armed,
                sensor_connected: None,
                activated: s.alarm_activated,
            }),
            Setting::Scheduler => SettingValue::Scheduler(&s.scheduler),
            Setting::PowerAlert => SettingValue::PowerAlert(s.power_alert),
            Setting::PowerState => SettingValue::PowerState(s.power_state),
            Setting::CreditUms => SettingValue::CreditUms(s.credit_code.as_ref()),
        }
    }
}
