//! Temperature (manual §9): the probe read every whole minute of uptime and on
//! demand, the thermostat, and the temperature alerts.

use core::cmp::Ordering;
use core::time::Duration;

use heapless::Deque;
use isocket_proto::{Probe as Reading, Reply, Temperature, ThermostatMode};

use crate::engine::{Engine, Recipient, render};
use crate::io::Action;
use crate::settings::Settings;
use crate::time::{Instant, secs};

/// The sample tick: the probe is read every 60 s of uptime.
pub const SAMPLE_PERIOD: Duration = secs(60);
/// How long the engine waits for a probe reading before taking it as a sensor failure.
pub const MEASUREMENT_TIMEOUT: Duration = secs(3);
/// The DS18B20's range; a reading outside it is a sensor failure (manual §9).
const VALID_SIXTEENTHS: core::ops::RangeInclusive<i16> = -55 * 16..=125 * 16;
/// The alerts re-arm 1 °C inside the limit.
const REARM_SIXTEENTHS: i16 = 16;
/// Replies waiting for a reading.
const WAITING: usize = 4;

/// Which reply waits for a probe reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProbeUse {
    Status,
    Temperature,
}

#[derive(Debug, Clone)]
pub(crate) struct Probe {
    waiters: Deque<(Recipient, ProbeUse), WAITING>,
    measuring_until: Option<Instant>,
    next_sample: Instant,
    /// The reading in flight is a sample tick's.
    tick_pending: bool,
    /// THERMOSTATON waits for a reading to act on.
    thermostat_pending: bool,
    rise_armed: bool,
    fall_armed: bool,
    failure_alerted: bool,
}

impl Probe {
    pub(crate) fn new(now: Instant) -> Self {
        Probe {
            waiters: Deque::new(),
            measuring_until: None,
            next_sample: now + SAMPLE_PERIOD,
            tick_pending: false,
            thermostat_pending: false,
            rise_armed: true,
            fall_armed: true,
            failure_alerted: false,
        }
    }

    pub(crate) fn deadline(&self) -> Option<Instant> {
        Some(match self.measuring_until {
            Some(until) => until.min(self.next_sample),
            None => self.next_sample,
        })
    }
}

/// A reading the checks of manual §9 accept.
fn valid(reading: Reading) -> Option<Temperature> {
    match reading {
        Reading::Reading(t) if VALID_SIXTEENTHS.contains(&t.sixteenths()) => Some(t),
        _ => None,
    }
}

impl Engine {
    fn measure(&mut self, now: Instant) {
        if self.probe.measuring_until.is_none() {
            self.probe.measuring_until = Some(now + MEASUREMENT_TIMEOUT);
            self.push(Action::MeasureTemperature);
        }
    }

    /// STATUS, TEMPERATURE and the scheduler's INF answer with a fresh reading (manual §6).
    pub(crate) fn wait_for_probe(&mut self, now: Instant, to: Recipient, usage: ProbeUse) {
        if self.probe.waiters.push_back((to, usage)).is_ok() {
            self.measure(now);
        }
    }

    /// THERMOSTATON acts at once, on a fresh reading.
    pub(crate) fn start_thermostat(&mut self, now: Instant) {
        self.probe.thermostat_pending = true;
        self.measure(now);
    }

    pub(crate) fn probe_timeout(&mut self, now: Instant) {
        if self.probe.next_sample <= now {
            self.probe.next_sample = self.probe.next_sample + SAMPLE_PERIOD;
            if self.probe.next_sample <= now {
                // Far behind (the board slept): the next whole minute of uptime.
                let periods = now.since(self.booted_at).as_secs() / SAMPLE_PERIOD.as_secs() + 1;
                self.probe.next_sample = self.booted_at + secs(periods * SAMPLE_PERIOD.as_secs());
            }
            self.probe.tick_pending = true;
            self.measure(now);
        }
        if self.probe.measuring_until.is_some_and(|t| t <= now) {
            self.on_probe_reading(now, Reading::SensorError);
        }
    }

    pub(crate) fn on_probe_reading(&mut self, now: Instant, reading: Reading) {
        self.probe.measuring_until = None;
        let reading = match valid(reading) {
            Some(t) => Reading::Reading(t),
            None if reading == Reading::NoSensor => Reading::NoSensor,
            None => Reading::SensorError,
        };
        while let Some((to, usage)) = self.probe.waiters.pop_front() {
            let reply = match usage {
                ProbeUse::Temperature => Reply::Temperature(reading),
                ProbeUse::Status => Reply::Status(self.status(now, reading)),
            };
            self.send(&to, render(&reply));
        }
        let tick = core::mem::take(&mut self.probe.tick_pending);
        let thermostat = core::mem::take(&mut self.probe.thermostat_pending);
        if tick || thermostat {
            self.run_thermostat(now, reading);
        }
        if let (true, Some(t)) = (tick, valid(reading)) {
            self.check_limits(t);
        }
    }

    /// manual §9: HEATING switches off above the setpoint and on below it;
    /// COOLING the other way; equal leaves the relay; a failed reading does nothing.
    fn run_thermostat(&mut self, now: Instant, reading: Reading) {
        let thermostat = self.settings.thermostat;
        if !thermostat.enabled {
            return;
        }
        let Some(t) = valid(reading) else {
            if self.settings.sensor_fail_alert && !self.probe.failure_alerted {
                self.probe.failure_alerted = true;
                self.send(&Recipient::AlertNumbers, render(&Reply::SensorFailureAlert));
            }
            return;
        };
        self.probe.failure_alerted = false;
        let on = match (thermostat.mode, t.cmp(&thermostat.setpoint.as_reading())) {
            (_, Ordering::Equal) => return,
            (ThermostatMode::Heating, Ordering::Less)
            | (ThermostatMode::Cooling, Ordering::Greater) => true,
            _ => false,
        };
        let switched = self.switch_relay(now, on);
        if switched && !on && self.settings.switch_off_alert {
            self.send(&Recipient::AlertNumbers, render(&Reply::SwitchOffAlert(t)));
        }
    }

    /// TRISEALERT / TFALLALERT, each armed until it fires, re-armed 1 °C back inside.
    fn check_limits(&mut self, t: Temperature) {
        let s = t.sixteenths();
        if let Some(limit) = self.settings.rise_alert {
            let l = limit.as_reading().sixteenths();
            if self.probe.rise_armed && s > l {
                self.probe.rise_armed = false;
                let reply = Reply::RiseAlert { reading: t, limit };
                self.send(&Recipient::AlertNumbers, render(&reply));
            } else if s <= l - REARM_SIXTEENTHS {
                self.probe.rise_armed = true;
            }
        }
        if let Some(limit) = self.settings.fall_alert {
            let l = limit.as_reading().sixteenths();
            if self.probe.fall_armed && s < l {
                self.probe.fall_armed = false;
                let reply = Reply::FallAlert { reading: t, limit };
                self.send(&Recipient::AlertNumbers, render(&reply));
            } else if s >= l + REARM_SIXTEENTHS {
                self.probe.fall_armed = true;
            }
        }
    }

    /// New limits re-arm their alert; a thermostat change allows a new failure alert.
    pub(crate) fn temperature_settings_changed(&mut self, before: &Settings) {
        let now = &self.settings;
        if now.rise_alert != before.rise_alert {
            self.probe.rise_armed = true;
        }
        if now.fall_alert != before.fall_alert {
            self.probe.fall_armed = true;
        }
        if now.thermostat != before.thermostat || now.sensor_fail_alert != before.sensor_fail_alert
        {
            self.probe.failure_alerted = false;
        }
    }
}
