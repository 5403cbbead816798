#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Every alert reaches every ALERTNUMBER (manual §4: ten of them, notified
//! in list order), through the whole device loop, the AT driver and an
//! emulated SIM800 whose network takes its time over each SMS (the SIM800
//! Series AT Command Manual V1.09, §4.2.5 AT+CMGS, allows 60 s): the
//! alarm, the mains failure (all ten before the battery is cut), the
//! scheduler's INF and a temperature alert; a reply that keeps failing
//! does not hold them back; a number the network refuses for good
//! (`+CMS ERROR: 1`, unassigned number) loses only its own message.

use chrono::{DateTime, FixedOffset, TimeZone};
use isocket_device::{Bridge, Output};
use isocket_engine::{BoardInfo, Boot, Stored};
use isocket_modem::profile;
use isocket_modem::testing::ScriptedModem;
use isocket_proto::{Probe, Temperature};

const BOSS: &str = "+4915112345678";
/// A slow network: 50 s for each SMS (under the driver's 60-s timeout).
const SLOW_MS: u64 = 50_000;

/// The ten ALERTNUMBERs, in list order.
fn alert_numbers() -> Vec<String> {
    (0..10).map(|i| format!("+49170000000{i}")).collect()
}

/// 2026-01-01 07:58:00 +01:00, a Thursday.
fn morning() -> DateTime<FixedOffset> {
    FixedOffset::east_opt(3600)
        .unwrap()
        .with_ymd_and_hms(2026, 1, 1, 7, 58, 0)
        .unwrap()
}

/// The device, the emulated modem and the board's world.
struct Rig {
    device: Bridge,
    modem: ScriptedModem,
    now: u64,
    /// What the probe reads, in 1/16 °C.
    probe: i16,
    shutdown_at: Option<u64>,
    /// Everything the network took, in order: (recipient, text).
    sent: Vec<(String, String)>,
}

impl Rig {
    /// A booted device whose owner (BOSS) set ten ALERTNUMBERs.
    fn new() -> Rig {
        let board = BoardInfo {
            product: "isocket test",
            serial: "T-1".try_into().unwrap(),
        };
        let modem = ScriptedModem::new(1);
        let device = Bridge::new(
            board,
            Stored::default(),
            Boot::default(),
            &profile::SIM800,
            0,
        );
        let mut rig = Rig {
            device,
            modem,
            now: 0,
            probe: 20 * 16,
            shutdown_at: None,
            sent: Vec::new(),
        };
        rig.run_for(3_000);
        let mut at = morning();
        for number in alert_numbers() {
            rig.command_at(BOSS, &format!("ALERTNUMBER{number}"), at);
            at += chrono::Duration::seconds(1);
        }
        let replies = rig.take_sent();
        assert_eq!(replies.len(), 10, "{replies:?}");
        assert!(
            replies
                .iter()
                .all(|(to, t)| to == BOSS && t.ends_with("- OK"))
        );
        rig
    }

    /// An SMS from `from` stamped `at`, and time to answer it.
    fn command_at(&mut self, from: &str, text: &str, at: DateTime<FixedOffset>) {
        self.modem.advance_to(self.now);
        self.modem.deliver_at(from, text, at);
        self.run_for(5_000);
    }

    fn command(&mut self, from: &str, text: &str) {
        self.command_at(from, text, morning());
    }

    /// Moves bytes both ways and carries out the outputs at `now`.
    fn turn(&mut self) {
        let now = self.now;
        self.modem.advance_to(now);
        self.device.tick(now);
        for _ in 0..1_000 {
            let mut busy = false;
            while let Some(tx) = self.device.modem_tx(now) {
                let tx = tx.to_vec();
                self.modem.write(&tx);
                busy = true;
            }
            let rx = self.modem.read();
            if !rx.is_empty() {
                self.device.modem_rx(now, &rx);
                busy = true;
            }
            while let Some(output) = self.device.poll_output() {
                busy = true;
                match output {
                    Output::Save(record) => self.device.saved(now, record, true),
                    Output::MeasureTemperature => self.device.temperature(
                        now,
                        Probe::Reading(Temperature::from_sixteenths(self.probe)),
                    ),
                    Output::Shutdown => {
                        self.shutdown_at.get_or_insert(now);
                    }
                    _ => {}
                }
            }
            if !busy {
                break;
            }
        }
        self.sent.extend(self.modem.take_sent());
    }

    /// Runs `ms` more in 100-ms turns.
    fn run_for(&mut self, ms: u64) {
        let end = self.now + ms;
        while self.now < end {
            self.now += 100;
            self.turn();
        }
    }

    /// Runs until `done` holds for what the network took, or `limit` ms.
    fn run_until(&mut self, limit: u64, done: impl Fn(&[(String, String)]) -> bool) {
        let end = self.now + limit;
        while self.now < end && !done(&self.sent) {
            self.now += 100;
            self.turn();
        }
    }

    /// The alarm contact closes for a second: one alarm (a contact that
    /// stays closed raises it again every minute).
    fn door_opens(&mut self) {
        self.device.contact(self.now, true);
        self.run_for(1_000);
        self.device.contact(self.now, false);
    }

    fn take_sent(&mut self) -> Vec<(String, String)> {
        std::mem::take(&mut self.sent)
    }

    /// Waits for `text` (a prefix) to reach every number of `to`, at most
    /// `limit` ms; returns the recipients in the order the network took them.
    fn alert_reaches(&mut self, prefix: &str, to: &[String], limit: u64) -> Vec<String> {
        let count = |sent: &[(String, String)]| {
            sent.iter()
                .filter(|(_, text)| text.starts_with(prefix))
                .count()
        };
        self.run_until(limit, |sent| count(sent) >= to.len());
        let got: Vec<String> = self
            .take_sent()
            .into_iter()
            .filter(|(_, text)| text.starts_with(prefix))
            .map(|(number, _)| number)
            .collect();
        got
    }
}

/// Room for every message on a slow network, one after the other.
fn ten_slow_sends() -> u64 {
    10 * (SLOW_MS + 2_000)
}

#[test]
fn the_alarm_reaches_all_ten_alert_numbers_in_list_order() {
    let mut rig = Rig::new();
    rig.command(BOSS, "ALARMON");
    assert_eq!(rig.take_sent().len(), 1, "ALARMON - OK");
    rig.modem.send_delay_ms = SLOW_MS;
    rig.door_opens();
    let got = rig.alert_reaches("ALARM!", &alert_numbers(), ten_slow_sends());
    assert_eq!(got, alert_numbers());
    assert_eq!(rig.device.engine().dropped_actions(), 0);
}

#[test]
fn the_mains_failure_reaches_all_ten_before_the_battery_is_cut() {
    let mut rig = Rig::new();
    rig.modem.send_delay_ms = SLOW_MS;
    let lost_at = rig.now;
    rig.device.mains(rig.now, false);
    rig.run_until(30 * 60_000, |_| false);
    let shutdown = rig.shutdown_at.expect("shut down");
    let got: Vec<String> = rig
        .take_sent()
        .into_iter()
        .filter(|(_, text)| text.starts_with("Power failure!"))
        .map(|(number, _)| number)
        .collect();
    assert_eq!(got, alert_numbers());
    // Every one took the network 50 s: cut right after the tenth.
    let after = shutdown - lost_at;
    assert!(after >= 10 * SLOW_MS, "cut after {after} ms");
    assert!(after <= 10 * SLOW_MS + 10_000, "cut after {after} ms");
}

#[test]
fn the_scheduler_inf_reaches_all_ten_alert_numbers() {
    let mut rig = Rig::new();
    // The clock was set by the first command (07:58:00); INF at 08:00.
    rig.command(BOSS, "SCHEDULER+08:00,*,INF");
    assert_eq!(rig.take_sent().len(), 1, "SCHEDULER - OK");
    rig.modem.send_delay_ms = SLOW_MS;
    let got = rig.alert_reaches(
        "Power socket",
        &alert_numbers(),
        3 * 60_000 + ten_slow_sends(),
    );
    assert_eq!(got, alert_numbers());
}

#[test]
fn a_temperature_alert_reaches_all_ten_alert_numbers() {
    let mut rig = Rig::new();
    rig.command(BOSS, "TRISEALERT=35C");
    assert_eq!(rig.take_sent().len(), 1, "TRISEALERT - OK");
    rig.modem.send_delay_ms = SLOW_MS;
    rig.probe = 36 * 16;
    let got = rig.alert_reaches("TRISEALERT!", &alert_numbers(), 60_000 + ten_slow_sends());
    assert_eq!(got, alert_numbers());
}

#[test]
fn replies_that_keep_failing_do_not_hold_the_alarm_back() {
    let mut rig = Rig::new();
    rig.command(BOSS, "ALARMON");
    assert_eq!(rig.take_sent().len(), 1, "ALARMON - OK");
    // Four people whose phones are out of service ask for the alert list:
    // the network refuses their replies (a temporary cause, retried).
    for i in 0..4 {
        let stranger = format!("+4916000000{i}");
        rig.modem.refuse_to.push((stranger.clone(), 27));
        rig.command(&stranger, "ALERTNUMBER?");
    }
    rig.modem.send_delay_ms = 10_000;
    rig.door_opens();
    // Ten alarms at 10 s each, and the failing replies' tries between them.
    let got = rig.alert_reaches("ALARM!", &alert_numbers(), 5 * 60_000);
    assert_eq!(got, alert_numbers());
}

#[test]
fn a_number_the_network_refuses_for_good_loses_only_its_own_alert() {
    let mut rig = Rig::new();
    let numbers = alert_numbers();
    rig.modem.refuse_to.push((numbers[2].clone(), 1)); // unassigned number
    rig.command(BOSS, "ALARMON");
    assert_eq!(rig.take_sent().len(), 1, "ALARMON - OK");
    rig.modem.send_delay_ms = SLOW_MS;
    rig.door_opens();
    let others: Vec<String> = numbers
        .iter()
        .filter(|n| **n != numbers[2])
        .cloned()
        .collect();
    // Nine sends, and two refused tries for the third number.
    let got = rig.alert_reaches("ALARM!", &others, 11 * (SLOW_MS + 2_000) + 60_000);
    assert_eq!(got, others);
    // Given up after the cause came twice: no more tries.
    rig.run_for(30 * 60_000);
    let tries = rig
        .modem
        .log
        .iter()
        .filter(|c| c.starts_with("AT+CMGS="))
        .count();
    assert_eq!(tries, 10 + 1 + 11, "set-up replies, ALARMON, alarms");
    assert!(rig.take_sent().is_empty());
}
