//! A simulated year of seeded random events (SMS, temperatures, input flaps,
//! mains failures, reboots, network loss) on the simulated device, checking:
//! - nothing panics and no action is dropped;
//! - every SMS the device sends is one of SPEC's texts;
//! - the relay matches whatever acted last, checked right after each act
//!   whose effect is unambiguous: a command, THERMOSTATON, an alarm's
//!   RELAYTIME, a scheduler rule, a reboot or a mains-failure boot;
//! - settings survive every reboot and mains failure.
//!
//! `cargo test` runs 365 days (a few seconds, even in a debug build);
//! `ISOCKET_SOAK_DAYS` and `ISOCKET_SOAK_SEED` override. It prints the speed
//! in simulated days per second (recorded in BENCHMARKS.md).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::Rng;
use std::time::{Duration, Instant as WallClock};

use chrono::Timelike;
use isocket_engine::Settings;
use isocket_host::scenario::{ProbeSetting, Step};
use isocket_host::sim::Simulator;
use isocket_host::spec_texts::is_spec_text;
use isocket_proto::{PowerState, RelayTime, ThermostatMode};

const BOSS: &str = "+4915112345678";

/// Settings commands the soak mixes in; each is valid and authorised.
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

struct Soak {
    sim: Simulator,
    rng: Rng,
    probe: ProbeSetting,
    texts: u64,
}

impl Soak {
    fn step(&mut self, step: Step) {
        if let Err(e) = self.sim.run(&step) {
            panic!("{step:?} failed: {e}");
        }
    }

    fn sms(&mut self, text: &str) {
        self.step(Step::Sms {
            from: BOSS.into(),
            text: text.into(),
        });
    }

    fn settings(&self) -> Settings {
        self.sim.settings().expect("the device is up")
    }

    /// Checks and consumes everything sent; returns whether an alarm SMS went out.
    fn check_sms(&mut self, context: &str) -> bool {
        let mut alarm = false;
        for sms in self.sim.drain_sent() {
            // USSD answers are the operator's text; the soak sends no CREDIT.
            assert!(
                is_spec_text(&sms.text),
                "not a SPEC text after {context}: {:?}",
                sms.text
            );
            alarm |= sms.text.starts_with("ALARM! Sensor activated!");
            self.texts += 1;
        }
        assert_eq!(
            self.sim.dropped_actions(),
            0,
            "actions dropped after {context}"
        );
        alarm
    }

    fn relay(&self, expected: bool, context: &str) {
        assert_eq!(self.sim.relay_is_on(), expected, "relay after {context}");
    }

    /// The reading the thermostat sees, if it is a valid one.
    fn reading(&self) -> Option<i32> {
        match self.probe {
            ProbeSetting::Reads(s) if (-55 * 16..=125 * 16).contains(&s) => Some(s),
            _ => None,
        }
    }

    fn random_event(&mut self) {
        match self.rng.below(100) {
            0..=19 => {
                let on = self.rng.below(2) == 0;
                self.sms(if on { "ON" } else { "OFF" });
                self.relay(on, "ON/OFF");
            }
            20..=49 => {
                let text = *self.rng.pick(CONFIG);
                self.sms(text);
            }
            50..=57 => {
                let before = self.sim.relay_is_on();
                self.sms("THERMOSTATON");
                let t = self.settings().thermostat;
                let expected = match self.reading() {
                    Some(s) if s < i32::from(t.setpoint.degrees()) * 16 => {
                        t.mode == ThermostatMode::Heating
                    }
                    Some(s) if s > i32::from(t.setpoint.degrees()) * 16 => {
                        t.mode == ThermostatMode::Cooling
                    }
                    _ => before,
                };
                self.relay(expected, "THERMOSTATON");
            }
            58..=69 => {
                self.probe = match self.rng.below(10) {
                    0 => ProbeSetting::Fails,
                    1 => ProbeSetting::Absent,
                    _ => {
                        let sixteenths = self.rng.below(40 * 16) as i32;
                        ProbeSetting::Reads(sixteenths)
                    }
                };
                self.step(Step::Temp(self.probe));
            }
            70..=81 => self.input_flap(),
            82..=85 => self.mains_failure(),
            86..=89 => self.reboot(),
            90..=93 => {
                self.step(Step::NetworkLost);
                let outage = self.rng.below(600);
                self.step(Step::Advance(Duration::from_secs(outage)));
                self.step(Step::NetworkBack);
            }
            94..=96 => {
                let text = format!("X{}", self.rng.below(1000));
                self.step(Step::Sms {
                    from: "+4930999999".into(),
                    text,
                });
            }
            _ => self.step(Step::ButtonPress),
        }
    }

    /// The contact flaps; if an alarm SMS says an alarm happened, RELAYTIME must show.
    fn input_flap(&mut self) {
        for closed in [true, false] {
            let settings = self.settings();
            self.check_sms("before an input change");
            self.step(Step::Input { closed });
            let alarm = self.check_sms("an input change");
            let active =
                closed == (settings.sensor_type == isocket_proto::SensorType::NormallyOpen);
            let relay_time = settings.relay_time;
            let following =
                settings.alarm_armed && settings.alert == isocket_proto::AlertMode::SmsChange;
            if (alarm || following) && active {
                match relay_time {
                    RelayTime::On | RelayTime::OnFor(_) => self.relay(true, "an alarm"),
                    RelayTime::Off | RelayTime::OffFor(_) => self.relay(false, "an alarm"),
                    RelayTime::Unchanged => {}
                }
            }
            if settings.alarm_armed
                && settings.alert == isocket_proto::AlertMode::SmsChange
                && !active
            {
                match relay_time {
                    RelayTime::On | RelayTime::OnFor(_) => self.relay(false, "SMSCHANGE return"),
                    RelayTime::Off | RelayTime::OffFor(_) => self.relay(true, "SMSCHANGE return"),
                    RelayTime::Unchanged => {}
                }
            }
            let pause = 1 + self.rng.below(5);
            self.step(Step::Advance(Duration::from_secs(pause)));
        }
    }

    fn reboot(&mut self) {
        let settings = self.settings();
        self.step(Step::Reboot);
        assert_eq!(self.settings(), settings, "settings after a reboot");
        self.relay(self.sim.stored_relay_base(), "a reboot");
    }

    fn mains_failure(&mut self) {
        let settings = self.settings();
        self.sim.take_booted();
        self.step(Step::PowerLost);
        let outage = self.rng.below(120);
        self.step(Step::Advance(Duration::from_secs(outage)));
        // On battery the device keeps working; mains coming back must not switch it.
        let relay_before = self.sim.relay_is_on();
        self.step(Step::PowerRestored);
        assert_eq!(
            self.sim.settings().as_ref(),
            Some(&settings),
            "settings after a mains failure"
        );
        let base = self.sim.stored_relay_base();
        let expected = match settings.power_state {
            PowerState::Remember => base,
            PowerState::On => true,
            PowerState::Off => false,
        };
        // Mains back before the shutdown leaves the relay as it was; after it, POWERSTATE rules.
        if self.sim.take_booted() {
            self.relay(expected, "a mains-failure boot");
        } else {
            self.relay(relay_before, "mains back before the shutdown");
        }
    }

    /// Advances to the next whole wall minute; checks any rule that fires there.
    fn cross_minute(&mut self) {
        let wall = self.sim.world_time();
        let to_minute =
            60_000 - u64::from(wall.second()) * 1000 - u64::from(wall.nanosecond() / 1_000_000);
        self.step(Step::Advance(Duration::from_millis(to_minute)));
        let wall = self.sim.world_time();
        let (hour, minute) = (wall.hour(), wall.minute());
        let rule = |h, m| hour == h && minute == m;
        let settings = self.settings();
        if settings.thermostat.enabled {
            // The thermostat's own tick may fall on the same instant.
            return;
        }
        let rules = settings.scheduler;
        let fired = rules.iter().find(|r| {
            rule(u32::from(r.at.hour()), u32::from(r.at.minute()))
                && r.day == isocket_proto::ScheduleDay::Every
        });
        if let Some(rule) = fired {
            match rule.action {
                isocket_proto::ScheduleAction::On => self.relay(true, "a scheduler ON"),
                isocket_proto::ScheduleAction::Off => self.relay(false, "a scheduler OFF"),
                _ => {}
            }
        }
    }
}

#[test]
fn a_simulated_year_keeps_every_invariant() {
    let default_days = 365;
    let days: u64 = std::env::var("ISOCKET_SOAK_DAYS")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(default_days);
    let seed: u64 = std::env::var("ISOCKET_SOAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2026);
    let mut soak = Soak {
        sim: Simulator::new(),
        rng: Rng(seed),
        probe: ProbeSetting::Reads(20 * 16),
        texts: 0,
    };
    soak.sms("MAKEMEBOSS");
    soak.check_sms("MAKEMEBOSS");
    let started = WallClock::now();
    for hour in 0..days * 24 {
        // Scheduler rules at 07:00 and 22:00 are checked as their minute starts.
        let wall_hour = soak.sim.world_time().hour();
        if wall_hour == 6 || wall_hour == 21 {
            soak.step(Step::Advance(Duration::from_secs(59 * 60)));
            soak.cross_minute();
        }
        for _ in 0..soak.rng.below(4) {
            let pause = soak.rng.below(15 * 60);
            soak.step(Step::Advance(Duration::from_secs(pause)));
            soak.random_event();
            soak.check_sms(&format!("hour {hour}"));
        }
        let wall = soak.sim.world_time();
        let rest = 3600 - u64::from(wall.minute()) * 60 - u64::from(wall.second());
        soak.step(Step::Advance(Duration::from_secs(rest.min(3600))));
        soak.check_sms(&format!("hour {hour}"));
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "soak: {days} simulated days in {seconds:.2} s = {:.0} days/s ({} SMS checked, seed {seed})",
        days as f64 / seconds,
        soak.texts
    );
    assert!(
        soak.texts > days,
        "the soak exercised too little: {} SMS",
        soak.texts
    );
}
