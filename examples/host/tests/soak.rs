//! A simulated year of seeded random events (SMS, temperatures, input flaps,
//! mains failures, reboots, network loss, strangers, the button) on the
//! simulated device, checked against an independent model written from SPEC
//! (`Model` below: relay, timers, thermostat, scheduler, alarm, power):
//! - the relay after every act: every event the soak causes, and every
//!   instant the model says something acts on its own (a timer ends, the
//!   thermostat's minute tick, a scheduler minute, the shutdown after a
//!   mains failure): the soak stops the simulation there and looks;
//! - every reply: each command's reply is the text the model says that
//!   command should get (SMSCONFIRM honoured), to the sender; any other SMS
//!   is one of the unsolicited texts SPEC names (alerts, power reports);
//! - settings survive every reboot and mains failure; no action is dropped.
//!
//! Where SPEC leaves open the order of two acts at the same millisecond (a
//! scheduler rule and a thermostat tick switching the relay different ways
//! at one whole minute), either order is accepted and the model goes on
//! from the one the device took.
//!
//! Two variants: the engine alone, and the whole device loop through the AT
//! driver talking to the emulated modem, with the engine's records in the
//! boards' `NorFlashStore` on a RAM flash. `cargo test` runs 365 days on the
//! engine and 30 days through AT; `ISOCKET_SOAK_DAYS`,
//! `ISOCKET_SOAK_AT_DAYS` and `ISOCKET_SOAK_SEED` override. Each prints its
//! speed, `soak <variant>: … = <n> days/s` (unrounded), which `cargo xtask bench`
//! reports.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::Rng;
use std::collections::VecDeque;
use std::time::{Duration, Instant as WallClock};

use chrono::{DateTime, Datelike, FixedOffset, TimeDelta, Timelike};
use isocket_host::scenario::{ProbeSetting, Step};
use isocket_host::sim::Simulator;
use isocket_host::spec_texts::is_spec_text;

const BOSS: &str = "+4915112345678";
const STRANGER: &str = "+4930999999";

/// Commands the soak mixes in; each is valid and authorised.
const CONFIG: &[&str] = &[
    "THERMOSTATOFF",
    "THERMOSTAT=HEATING",
    "THERMOSTAT=COOLING",
    "SWITCHOFFTEMP=18C",
    "SWITCHOFFTEMP=22C",
    "SWITCHOFFALERT=ON",
    "TSENSFAILALERT=ON",
    "TRISEALERT=30C",
    "TFALLALERT=5C",
    "TRISEALERT=OFF",
    "ALARMON",
    "ALARMOFF",
    "ALERT=SMS",
    "ALERT=SMSCHANGE",
    "ALERT=OFF",
    "ALERT=CALL",
    "RELAYTIME=ON",
    "RELAYTIME=OFF",
    "RELAYTIME=ON30",
    "RELAYTIME=OFF30",
    "RELAYTIME=0",
    "SENSORTYPE=NO",
    "SENSORTYPE=NC",
    "SCHEDULER+07:00,*,ON",
    "SCHEDULER+22:00,*,OFF",
    "SCHEDULER+12:30,3,INF",
    "SCHEDULER-ALL",
    "POWERSTATE=ON",
    "POWERSTATE=OFF",
    "POWERSTATE=REMEMBER",
    "STATUS",
    "TEMPERATURE",
    "RUNTIME",
    "DATE",
    "SHOWALARMLOG",
    "ALARM?",
    "SCHEDULER?",
    "RESTART",
    "ON45",
    "OFF45",
    "SMSCONFIRM=OFF",
    "SMSCONFIRM=ON",
];

/// Texts the device sends on its own (SPEC §9, §11, §12, §13).
const UNSOLICITED: &[&str] = &[
    "ALARM! Sensor activated!",
    "Sensor returned to normal state.",
    "Power failure!",
    "Power restored!",
    "SWITCHOFFALERT!",
    "TSENSFAILALERT!",
    "TRISEALERT!",
    "TFALLALERT!",
    // The scheduler's INF rule: a STATUS reply to every ALERTNUMBER.
    "Power socket O",
];

/// What RELAYTIME does on an alarm (SPEC §11).
#[derive(Clone, Copy, Debug, PartialEq)]
enum RelayTime {
    Unchanged,
    On,
    Off,
    OnFor(u64),
    OffFor(u64),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Alert {
    Sms,
    SmsChange,
    Call,
    Off,
}

/// A scheduler rule: hour, minute, weekday (`None`: every day), action.
type Rule = (u32, u32, Option<u32>, &'static str);

/// The device as SPEC describes it, from the soak's acts alone.
#[derive(Clone, Debug)]
struct Model {
    // The relay (SPEC §6).
    on: bool,
    base: bool,
    timer: Option<(u64, bool)>,
    on_since: u64,
    // The thermostat (SPEC §9).
    thermostat: bool,
    heating: bool,
    setpoint: i32,
    /// The sample tick runs at `booted + k × 60 s`.
    booted: u64,
    // The alarm (SPEC §11).
    armed: bool,
    activated: bool,
    /// The contact as the device last heard of it (open at boot).
    closed: bool,
    normally_closed: bool,
    alert: Alert,
    relay_time: RelayTime,
    /// No alarm before this uptime (the lock-out after an alarm).
    detect_from: u64,
    alarm_log: VecDeque<String>,
    // Scheduler (SPEC §12), power (§13), confirmations (§5).
    rules: Vec<Rule>,
    power_state: &'static str,
    confirm: bool,
    /// Shut down after a mains failure, waiting for mains.
    down: bool,
    shutdown_at: Option<u64>,
}

impl Model {
    fn new() -> Self {
        Model {
            on: false,
            base: false,
            timer: None,
            on_since: 0,
            thermostat: false,
            heating: true,
            setpoint: 10,
            booted: 0,
            armed: false,
            activated: false,
            closed: false,
            normally_closed: false,
            alert: Alert::Sms,
            relay_time: RelayTime::Unchanged,
            detect_from: 0,
            alarm_log: VecDeque::new(),
            rules: Vec::new(),
            power_state: "REMEMBER",
            confirm: true,
            down: false,
            shutdown_at: None,
        }
    }

    /// Off for good, until the next boot.
    fn shut_down(&mut self) {
        self.down = true;
        self.shutdown_at = None;
        self.timer = None;
    }

    fn set(&mut self, now: u64, on: bool, base: bool) {
        if on && !self.on {
            self.on_since = now;
        }
        self.on = on;
        self.base = base;
    }

    /// ON / OFF, the button, the scheduler, the thermostat: for good.
    fn switch(&mut self, now: u64, on: bool) {
        self.timer = None;
        self.set(now, on, on);
    }

    /// ON<n> / OFF<n>: now, and the other way after `secs`.
    fn switch_for(&mut self, now: u64, on: bool, secs: u64) {
        self.timer = Some((now + secs * 1000, !on));
        self.set(now, on, !on);
    }

    /// What the thermostat decides on `reading` (sixteenths), if anything.
    fn thermostat_says(&self, reading: Option<i32>) -> Option<bool> {
        let r = reading?;
        let limit = self.setpoint * 16;
        if !self.thermostat || r == limit {
            return None;
        }
        Some((r < limit) == self.heating)
    }

    fn boot(&mut self, now: u64, on: bool) {
        self.timer = None;
        self.booted = now;
        self.down = false;
        self.shutdown_at = None;
        self.detect_from = 0;
        // A new engine takes the contact as open until the board reports it.
        self.closed = false;
        self.on_since = now;
        self.on = on;
        self.base = on;
    }

    /// The next instant something acts on its own, after `now`.
    fn next_act(&self, now: u64, clock: &DateTime<FixedOffset>) -> Option<u64> {
        if self.down {
            return None;
        }
        let timer = self.timer.map(|(at, _)| at);
        let tick = self
            .thermostat
            .then(|| self.booted + ((now - self.booted) / 60_000 + 1) * 60_000);
        let to_minute =
            60_000 - u64::from(clock.second()) * 1000 - u64::from(clock.timestamp_subsec_millis());
        let minute = (!self.rules.is_empty()).then_some(now + to_minute);
        [timer, tick, minute, self.shutdown_at]
            .into_iter()
            .flatten()
            .filter(|&t| t > now)
            .min()
    }

    /// Runs what acts at `now` by itself: the relay the device may show
    /// (two where SPEC leaves the order open).
    fn act(&mut self, now: u64, clock: &DateTime<FixedOffset>, reading: Option<i32>) -> Vec<bool> {
        if self.down {
            return vec![self.on];
        }
        if let Some((at, then)) = self.timer.filter(|(at, _)| *at <= now) {
            let _ = at;
            self.timer = None;
            let base = self.base;
            self.set(now, then, base);
        }
        let ticks =
            self.thermostat && (now - self.booted).is_multiple_of(60_000) && now > self.booted;
        let thermo = if ticks {
            self.thermostat_says(reading)
        } else {
            None
        };
        let whole_minute = clock.second() == 0 && clock.timestamp_subsec_millis() == 0;
        let weekday = clock.weekday().number_from_monday();
        let scheduled = whole_minute
            .then(|| {
                self.rules.iter().find(|(h, m, day, act)| {
                    *h == clock.hour()
                        && *m == clock.minute()
                        && day.is_none_or(|d| d == weekday)
                        && (*act == "ON" || *act == "OFF")
                })
            })
            .flatten()
            .map(|(_, _, _, act)| *act == "ON");
        let mut shown = Vec::new();
        match (thermo, scheduled) {
            (Some(a), Some(b)) if a != b => {
                // Same millisecond, order open: either may come last.
                shown.extend([a, b]);
            }
            (Some(on), _) | (None, Some(on)) => self.switch(now, on),
            (None, None) => {}
        }
        if self.shutdown_at.is_some_and(|t| t <= now) {
            self.shut_down();
        }
        if shown.is_empty() {
            shown.push(self.on);
        }
        shown
    }

    /// The contact reported `closed`: whether an alarm occurs. With
    /// SMSCHANGE the relay follows each change of the input's activity.
    fn input(&mut self, now: u64, closed: bool, wall: &str) -> bool {
        let was_active = self.closed != self.normally_closed;
        self.closed = closed;
        let active = closed != self.normally_closed;
        if !self.armed || self.down {
            return false;
        }
        if self.alert == Alert::SmsChange {
            if active == was_active {
                return false;
            }
            if !active {
                match self.relay_time {
                    RelayTime::On | RelayTime::OnFor(_) => self.switch(now, false),
                    RelayTime::Off | RelayTime::OffFor(_) => self.switch(now, true),
                    RelayTime::Unchanged => {}
                }
                return false;
            }
        }
        let alarm = active && now >= self.detect_from;
        if alarm || (active && self.alert == Alert::SmsChange) {
            match self.relay_time {
                RelayTime::Unchanged => {}
                RelayTime::On => self.switch(now, true),
                RelayTime::Off => self.switch(now, false),
                RelayTime::OnFor(n) => self.switch_for(now, true, n),
                RelayTime::OffFor(n) => self.switch_for(now, false, n),
            }
        }
        if alarm {
            self.activated = true;
            self.alarm_log.push_back(wall.to_string());
            if self.alarm_log.len() > 10 {
                self.alarm_log.pop_front();
            }
            // One ALERTNUMBER: a call rings 20 s first. SMSCHANGE holds
            // its next report 60 s.
            let cycle = if self.alert == Alert::Call { 20_000 } else { 0 };
            self.detect_from = now + cycle + 60_000;
        }
        alarm
    }

    fn temperature(sixteenths: i32) -> String {
        let c = (f64::from(sixteenths) / 16.0).round();
        let f = (f64::from(sixteenths) / 16.0 * 9.0 / 5.0 + 32.0).round();
        format!("{c:.0}C({f:.0}F)")
    }

    fn probe_text(probe: ProbeSetting) -> String {
        match probe {
            ProbeSetting::Reads(s) if (-55 * 16..=125 * 16).contains(&s) => Self::temperature(s),
            ProbeSetting::Absent => "No sensor".into(),
            _ => "Sensor error!".into(),
        }
    }

    fn mode(&self) -> &'static str {
        if self.heating { "HEATING" } else { "COOLING" }
    }

    fn enabled(on: bool) -> &'static str {
        if on { "Enabled" } else { "Disabled" }
    }

    fn on_off(on: bool) -> &'static str {
        if on { "ON" } else { "OFF" }
    }

    /// Carries out `command` (an entry of [`CONFIG`], ON or OFF) and returns
    /// the reply SPEC gives it, if any.
    fn command(
        &mut self,
        now: u64,
        command: &str,
        probe: ProbeSetting,
        clock: &DateTime<FixedOffset>,
    ) -> Option<String> {
        let reading = match probe {
            ProbeSetting::Reads(s) if (-55 * 16..=125 * 16).contains(&s) => Some(s),
            _ => None,
        };
        let wall = |t: &DateTime<FixedOffset>| t.format("%y/%m/%d,%H:%M:%S").to_string();
        let setpoint = Self::temperature(self.setpoint * 16);
        let confirmed = |text: String, confirm: bool| confirm.then_some(text);
        let confirm = self.confirm;
        match command {
            "ON" | "OFF" => {
                let on = command == "ON";
                self.switch(now, on);
                confirmed(format!("Power socket {}", Self::on_off(on)), confirm)
            }
            "ON45" | "OFF45" => {
                let on = command == "ON45";
                self.switch_for(now, on, 45);
                confirmed(format!("Power {} for 45 seconds", Self::on_off(on)), confirm)
            }
            "RESTART" => {
                let before = self.on;
                self.switch_for(now, !before, 10);
                confirmed("Power socket restarted".into(), confirm)
            }
            "THERMOSTATON" => {
                self.thermostat = true;
                if let Some(on) = self.thermostat_says(reading) {
                    self.switch(now, on);
                }
                confirmed(
                    format!(
                        "THERMOSTATON - OK\nTHERMOSTAT={}\nSwitch-off temperature: {setpoint}\nNote! Thermostat is working now!",
                        self.mode()
                    ),
                    confirm,
                )
            }
            "THERMOSTATOFF" => {
                self.thermostat = false;
                confirmed("THERMOSTATOFF - OK\nNote! Thermostat was disabled!".into(), confirm)
            }
            "THERMOSTAT=HEATING" | "THERMOSTAT=COOLING" => {
                self.heating = command.ends_with("HEATING");
                confirmed(
                    format!(
                        "THERMOSTAT={} - OK\nSwitch-off temperature: {setpoint}\nTHERMOSTAT: {}",
                        self.mode(),
                        Self::enabled(self.thermostat)
                    ),
                    confirm,
                )
            }
            "SWITCHOFFTEMP=18C" | "SWITCHOFFTEMP=22C" => {
                self.setpoint = if command.ends_with("18C") { 18 } else { 22 };
                confirmed(
                    format!(
                        "SWITCHOFFTEMP={} - OK\nTHERMOSTAT={}\nTHERMOSTAT: {}",
                        Self::temperature(self.setpoint * 16),
                        self.mode(),
                        Self::enabled(self.thermostat)
                    ),
                    confirm,
                )
            }
            "MAKEMEBOSS" => confirmed(
                "Your phone number has been assigned for all types of alerts and was added to security list which has been activated".into(),
                confirm,
            ),
            "TRISEALERT=30C" => confirmed("TRISEALERT=30C(86F) - OK".into(), confirm),
            "TFALLALERT=5C" => confirmed("TFALLALERT=5C(41F) - OK".into(), confirm),
            "ALARMON" | "ALARMOFF" => {
                self.armed = command == "ALARMON";
                if self.armed {
                    self.activated = false;
                }
                confirmed(
                    format!("{command} - OK\nALARM function: {}", Self::enabled(self.armed)),
                    confirm,
                )
            }
            "SENSORTYPE=NO" | "SENSORTYPE=NC" => {
                self.normally_closed = command.ends_with("NC");
                confirmed(format!("{command} - OK"), confirm)
            }
            "SCHEDULER-ALL" => {
                self.rules.clear();
                confirmed(format!("{command} - OK"), confirm)
            }
            "STATUS" => Some(format!(
                "Power socket {}\nSignal: Good (-67dBm)\nTEMP: {}\nALARMF: {}\nALARM status: {}\nTime: {}",
                Self::on_off(self.on),
                Self::probe_text(probe),
                Self::enabled(self.armed),
                if self.activated { "Activated" } else { "No activity" },
                wall(clock)
            )),
            "TEMPERATURE" => Some(format!("TEMPERATURE: {}", Self::probe_text(probe))),
            "RUNTIME" => Some(if self.on {
                let since = *clock - TimeDelta::milliseconds((now - self.on_since) as i64);
                format!("Power socket is ON from: {}", wall(&since))
            } else {
                "Power socket is OFF".into()
            }),
            "DATE" => Some(format!("DATE {}+00", wall(clock))),
            "SHOWALARMLOG" => Some(if self.alarm_log.is_empty() {
                "ALARM log: empty".into()
            } else {
                let lines: Vec<&str> = self.alarm_log.iter().map(String::as_str).collect();
                format!("ALARM log:\n{}", lines.join("\n"))
            }),
            "ALARM?" => Some(format!(
                "ALARM function: {}\nSensor(s): Connected\nALARM status: {}",
                Self::enabled(self.armed),
                if self.activated { "Activated" } else { "No activity" }
            )),
            "SCHEDULER?" => Some(if self.rules.is_empty() {
                "SCHEDULER: empty".into()
            } else {
                let mut rules = self.rules.clone();
                rules.sort_by_key(|(h, m, day, _)| (*h, *m, day.unwrap_or(0)));
                let lines: Vec<String> = rules
                    .iter()
                    .map(|(h, m, day, act)| {
                        let day = day.map_or("*".to_string(), |d| d.to_string());
                        format!("{h:02}:{m:02},{day},{act}")
                    })
                    .collect();
                lines.join("\n")
            }),
            "SMSCONFIRM=OFF" | "SMSCONFIRM=ON" => {
                self.confirm = command.ends_with("ON");
                Some(format!("{command} - OK"))
            }
            _ => {
                if let Some(rule) = command.strip_prefix("SCHEDULER+") {
                    let parts: Vec<&str> = rule.split(',').collect();
                    let (h, m) = parts[0].split_once(':').unwrap();
                    let day = parts[1].parse().ok();
                    let act = ["ON", "OFF", "INF"].into_iter().find(|a| *a == parts[2]).unwrap();
                    let (h, m) = (h.parse().unwrap(), m.parse().unwrap());
                    self.rules.retain(|r| (r.0, r.1, r.2) != (h, m, day));
                    self.rules.push((h, m, day, act));
                } else if let Some(mode) = command.strip_prefix("ALERT=") {
                    self.alert = match mode {
                        "SMS" => Alert::Sms,
                        "SMSCHANGE" => Alert::SmsChange,
                        "CALL" => Alert::Call,
                        _ => Alert::Off,
                    };
                } else if let Some(value) = command.strip_prefix("RELAYTIME=") {
                    self.relay_time = match value {
                        "ON" => RelayTime::On,
                        "OFF" => RelayTime::Off,
                        "0" => RelayTime::Unchanged,
                        v if v.starts_with("ON") => RelayTime::OnFor(v[2..].parse().unwrap()),
                        v => RelayTime::OffFor(v[3..].parse().unwrap()),
                    };
                } else if let Some(state) = command.strip_prefix("POWERSTATE=") {
                    self.power_state = ["ON", "OFF", "REMEMBER"].into_iter().find(|s| *s == state).unwrap();
                }
                // SWITCHOFFALERT, TSENSFAILALERT, TRISEALERT=OFF and the rest above.
                confirmed(format!("{command} - OK"), confirm)
            }
        }
    }
}

/// A reply the soak waits for, and the command and time it answers.
struct Expected {
    text: String,
    after: String,
}

impl std::fmt::Debug for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} (for {})", self.text, self.after)
    }
}

/// `yy/mm/dd,hh:mm:ss` stamps in `text`, and the text with them blanked.
fn stamps(text: &str) -> (String, Vec<i64>) {
    let re = regex::Regex::new(r"\d\d/\d\d/\d\d,\d\d:\d\d:\d\d").unwrap();
    let seconds = re
        .find_iter(text)
        .filter_map(|m| chrono::NaiveDateTime::parse_from_str(m.as_str(), "%y/%m/%d,%H:%M:%S").ok())
        .map(|t| t.and_utc().timestamp())
        .collect();
    (re.replace_all(text, "<time>").into_owned(), seconds)
}

/// Equal, but for clock stamps within `slack_s` (the AT path may render a
/// reply a moment after the soak's act).
fn same_reply(got: &str, want: &str, slack_s: i64) -> bool {
    if got == want {
        return true;
    }
    let (got_text, got_times) = stamps(got);
    let (want_text, want_times) = stamps(want);
    got_text == want_text
        && got_times.len() == want_times.len()
        && got_times
            .iter()
            .zip(&want_times)
            .all(|(g, w)| (g - w).abs() <= slack_s)
}

struct Soak {
    sim: Simulator,
    model: Model,
    rng: Rng,
    probe: ProbeSetting,
    /// Replies not seen yet.
    pending: VecDeque<Expected>,
    /// Replies must arrive by the check after their act (engine alone);
    /// through AT, by the end of the hour.
    immediate: bool,
    texts: u64,
    replies: u64,
    checks: u64,
    /// `ISOCKET_SOAK_TRACE=1`: every act on standard error.
    trace: bool,
}

impl Soak {
    fn new(sim: Simulator, seed: u64, immediate: bool) -> Self {
        Soak {
            sim,
            model: Model::new(),
            rng: Rng(seed),
            probe: ProbeSetting::Reads(20 * 16),
            pending: VecDeque::new(),
            immediate,
            texts: 0,
            replies: 0,
            checks: 0,
            trace: env("ISOCKET_SOAK_TRACE").is_some(),
        }
    }

    fn now(&self) -> u64 {
        self.sim.uptime().as_millis() as u64
    }

    fn step(&mut self, step: Step) {
        if self.trace && !matches!(step, Step::Advance(_)) {
            eprintln!("{} {step:?}", self.sim.world_time());
        }
        if let Err(e) = self.sim.run(&step) {
            panic!("{step:?} failed: {e}");
        }
    }

    fn reading(&self) -> Option<i32> {
        match self.probe {
            ProbeSetting::Reads(s) if (-55 * 16..=125 * 16).contains(&s) => Some(s),
            _ => None,
        }
    }

    /// Lets `duration` pass, stopping at every instant the model says
    /// something acts by itself, and checking the relay there.
    fn advance(&mut self, duration: Duration) {
        let end = self.now() + duration.as_millis() as u64;
        loop {
            let now = self.now();
            let next = self.model.next_act(now, &self.sim.world_time());
            match next {
                Some(at) if at <= end => {
                    self.step(Step::Advance(Duration::from_millis(at - now)));
                    let clock = self.sim.world_time();
                    let reading = self.reading();
                    let shown = self.model.act(at, &clock, reading);
                    self.check_relay_among(&shown, "a timer, tick, rule or shutdown");
                }
                _ => break,
            }
        }
        let rest = end - self.now();
        if rest > 0 {
            self.step(Step::Advance(Duration::from_millis(rest)));
        }
        self.check("time passing");
    }

    fn check_relay_among(&mut self, shown: &[bool], context: &str) {
        let relay = self.sim.relay_is_on();
        assert!(
            shown.contains(&relay),
            "relay {relay} after {context} at {:?} (uptime {} ms, probe {:?}), model says {shown:?}: {:?}\ndevice: {:?}\nlog: {:?}",
            self.sim.world_time(),
            self.now(),
            self.probe,
            self.model,
            self.sim.settings(),
            self.sim
                .take_log()
                .iter()
                .rev()
                .take(16)
                .collect::<Vec<_>>()
        );
        if shown.len() > 1 {
            // The device took one of SPEC's orders; go on from it.
            self.model.switch(self.now(), relay);
        }
        self.checks += 1;
        self.check_sms(context);
    }

    fn check(&mut self, context: &str) {
        let on = self.model.on;
        self.check_relay_among(&[on], context);
    }

    /// Every SMS: a pending reply, or one of SPEC's unsolicited texts.
    fn check_sms(&mut self, context: &str) {
        let slack = if self.immediate { 0 } else { 5 };
        for sms in self.sim.drain_sent() {
            self.texts += 1;
            let to_boss = sms.to == BOSS.trim_start_matches('+');
            let position = self
                .pending
                .iter()
                .position(|e| same_reply(&sms.text, &e.text, slack));
            if let (true, Some(i)) = (to_boss, position) {
                self.pending.remove(i);
                self.replies += 1;
                continue;
            }
            assert!(
                to_boss
                    && is_spec_text(&sms.text)
                    && UNSOLICITED.iter().any(|p| sms.text.starts_with(p)),
                "unexpected SMS to {} after {context}: {:?}; waiting for {:?}",
                sms.to,
                sms.text,
                self.pending
            );
        }
        assert_eq!(
            self.sim.dropped_actions(),
            0,
            "actions dropped after {context}"
        );
        if self.immediate {
            assert!(
                self.pending.is_empty(),
                "no reply after {context}: {:?}",
                self.pending
            );
        }
    }

    fn command(&mut self, text: &'static str) {
        let now = self.now();
        let clock = self.sim.world_time();
        let reply = self.model.command(now, text, self.probe, &clock);
        self.step(Step::Sms {
            from: BOSS.into(),
            text: text.into(),
        });
        if let Some(reply) = reply {
            self.pending.push_back(Expected {
                text: reply,
                after: format!("{text} at {clock}"),
            });
        }
        self.check(text);
    }

    fn random_event(&mut self) {
        match self.rng.below(100) {
            0..=19 => {
                let on = self.rng.below(2) == 0;
                self.command(if on { "ON" } else { "OFF" });
            }
            20..=49 => {
                let text = *self.rng.pick(CONFIG);
                if text.starts_with("SENSORTYPE=") {
                    self.sensor_type(text);
                } else {
                    self.command(text);
                }
            }
            50..=57 => self.command("THERMOSTATON"),
            58..=69 => {
                self.probe = match self.rng.below(10) {
                    0 => ProbeSetting::Fails,
                    1 => ProbeSetting::Absent,
                    _ => ProbeSetting::Reads(self.rng.below(40 * 16) as i32),
                };
                self.step(Step::Temp(self.probe));
                self.check("a new temperature");
            }
            70..=81 => self.input_flap(),
            82..=85 => self.mains_failure(),
            86..=89 => self.reboot(),
            90..=93 => {
                self.step(Step::NetworkLost);
                self.check("network lost");
                let outage = self.rng.below(600);
                self.advance(Duration::from_secs(outage));
                self.step(Step::NetworkBack);
                self.check("network back");
            }
            94..=96 => {
                let text = format!("X{}", self.rng.below(1000));
                self.step(Step::Sms {
                    from: STRANGER.into(),
                    text,
                });
                self.check("a stranger's SMS");
            }
            _ => {
                self.step(Step::ButtonPress);
                let now = self.now();
                if self.model.armed {
                    self.model.armed = false;
                } else {
                    let on = !self.model.on;
                    self.model.switch(now, on);
                }
                self.check("the button");
            }
        }
    }

    /// The contact goes active and back to normal: closed then open for a
    /// normally-open contact, the other way for a normally-closed one. Flaps
    /// are a minute past the lock-out after the last alarm (SPEC §11), so
    /// every activation while armed is an alarm.
    fn input_flap(&mut self) {
        let wait = self
            .model
            .detect_from
            .saturating_add(60_000)
            .saturating_sub(self.now());
        if wait > 0 {
            self.advance(Duration::from_millis(wait));
        }
        let normal = self.model.normally_closed;
        for closed in [!normal, normal] {
            self.contact(closed, "an input change");
            let pause = 1 + self.rng.below(5);
            self.advance(Duration::from_secs(pause));
        }
    }

    /// After a boot the board reports the contact, at rest (normal).
    fn report_contact(&mut self) {
        let closed = self.model.normally_closed;
        self.contact(closed, "the contact reported after a boot");
    }

    /// The contact is `closed` now, for the model and the device.
    fn contact(&mut self, closed: bool, context: &str) {
        let now = self.now();
        let wall = self
            .sim
            .world_time()
            .format("%y/%m/%d,%H:%M:%S")
            .to_string();
        self.model.input(now, closed, &wall);
        self.step(Step::Input { closed });
        self.check(context);
    }

    /// SENSORTYPE while disarmed (the contact at rest would turn active),
    /// then the contact moved to its new normal state.
    fn sensor_type(&mut self, text: &'static str) {
        if self.model.armed {
            self.command("ALARMOFF");
        }
        self.command(text);
        let closed = self.model.normally_closed;
        let now = self.now();
        self.model.input(now, closed, "");
        self.step(Step::Input { closed });
        self.check("the contact at rest");
    }

    fn reboot(&mut self) {
        let settings = self.sim.settings().expect("the device is up");
        self.step(Step::Reboot);
        assert_eq!(
            self.sim.settings(),
            Some(settings),
            "settings after a reboot"
        );
        let (now, base) = (self.now(), self.model.base);
        self.model.boot(now, base);
        self.board_reports_contact();
        self.check("a reboot");
        self.report_contact();
    }

    /// Through AT the device runs on a board, which samples the contact
    /// from its first turn: the engine hears it at boot, not when the
    /// world says so.
    fn board_reports_contact(&mut self) {
        if !self.immediate {
            let closed = self.model.normally_closed;
            let wall = self.sim.world_time().format("%y/%m/%d,%H:%M:%S");
            let now = self.now();
            self.model.input(now, closed, &wall.to_string());
        }
    }

    /// Mains away for up to 2 min. The device sends its power-failure SMS
    /// and shuts down once the network took it (at once in this world,
    /// whose network is always there); back later, it boots per POWERSTATE.
    fn mains_failure(&mut self) {
        let settings = self.sim.settings().expect("the device is up");
        self.sim.take_booted();
        // Not within a moment of the shutdown: the AT path takes a moment
        // to send the SMS.
        let outage = self.rng.below(120).max(2);
        self.step(Step::PowerLost);
        match self.immediate {
            true => self.model.shut_down(),
            false => self.model.shutdown_at = Some(self.now() + 1_000),
        }
        self.check("mains lost");
        self.advance(Duration::from_secs(outage));
        self.step(Step::PowerRestored);
        let booted = self.sim.take_booted();
        assert_eq!(
            booted, self.model.down,
            "a boot after {outage} s without mains"
        );
        if self.model.down {
            let on = match self.model.power_state {
                "ON" => true,
                "OFF" => false,
                _ => self.model.base,
            };
            let now = self.now();
            self.model.boot(now, on);
            self.board_reports_contact();
        } else {
            self.model.shutdown_at = None;
        }
        assert_eq!(
            self.sim.settings(),
            Some(settings),
            "settings after a mains failure"
        );
        self.check("mains back");
        if booted {
            self.report_contact();
        }
    }
}

fn env(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// Runs `days` of the soak on `sim`; returns (wall seconds, soak).
fn year(sim: Simulator, days: u64, seed: u64, immediate: bool) -> (f64, Soak) {
    let mut soak = Soak::new(sim, seed, immediate);
    // The device is up and its modem ready before the first SMS sets its clock.
    soak.advance(Duration::from_secs(5));
    soak.command("MAKEMEBOSS");
    let started = WallClock::now();
    for hour in 0..days * 24 {
        for _ in 0..soak.rng.below(4) {
            let pause = soak.rng.below(15 * 60);
            soak.advance(Duration::from_secs(pause));
            soak.random_event();
        }
        let wall = soak.sim.world_time();
        let rest = 3600 - u64::from(wall.minute()) * 60 - u64::from(wall.second());
        soak.advance(Duration::from_secs(rest.min(3600)));
        assert!(
            soak.pending.is_empty(),
            "no reply by the end of hour {hour}: {:?}",
            soak.pending
        );
    }
    (started.elapsed().as_secs_f64(), soak)
}

fn report(variant: &str, days: u64, seed: u64, seconds: f64, soak: &Soak) {
    println!(
        "soak {variant}: {days} simulated days in {seconds:.2} s = {} days/s ({} relay checks, {} replies matched, {} SMS, seed {seed})",
        days as f64 / seconds,
        soak.checks,
        soak.replies,
        soak.texts
    );
    assert!(
        soak.replies > days,
        "the soak exercised too little: {} replies",
        soak.replies
    );
}

#[test]
fn a_simulated_year_keeps_every_invariant() {
    let days = env("ISOCKET_SOAK_DAYS").unwrap_or(365);
    let seed = env("ISOCKET_SOAK_SEED").unwrap_or(2026);
    let (seconds, soak) = year(Simulator::new(), days, seed, true);
    report("engine", days, seed, seconds, &soak);
}

#[test]
fn a_simulated_month_through_at_and_flash_keeps_every_invariant() {
    let days = env("ISOCKET_SOAK_AT_DAYS").unwrap_or(30);
    let seed = env("ISOCKET_SOAK_SEED").unwrap_or(2026);
    let sim = Simulator::through_at_and_flash().expect("the RAM flash store opens");
    let (seconds, soak) = year(sim, days, seed, false);
    report("through-at", days, seed, seconds, &soak);
}
