#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The AT-level soak (issue 8): thousands of command SMS through the whole
//! device loop — the engine and the real AT driver (`isocket-device`) —
//! talking bytes to the emulated SIM800 of `isocket_modem::testing` while it
//! injects faults:
//! - line noise: bytes dropped, duplicated and garbled on the line from the
//!   modem (`faults`) and, more gently, on the line to it (`command_faults`);
//! - modem reboots in mid-command (`reboot_next`: the command is lost, and
//!   the SIM800 boots as its manual says: `RDY`, busy answers until
//!   `SMS Ready`, every setting forgotten) and lost `OK`s (`drop_next_ok`);
//! - `+CMS ERROR: 500` on every send for a while (`send_error`, toggled);
//! - network loss (`set_registered(false)` for 10 s to 8 min, then back);
//!   the network delivers no SMS meanwhile, as a real one would not;
//! - the driver's own power cycles reset the modem (a half-typed command or
//!   an open `>` prompt is gone) and it announces itself with `RDY`.
//!
//! Every command comes from its own sender number (SECLIST is off, so any
//! number may command): the device's `SmsSent(to)` output names the one
//! command whose reply the network took, so executions are counted exactly
//! even though replies are sent at least once (a lost `+CMGS` answer makes
//! the driver send the part again; those extra copies are counted apart).
//! Commands are `ON<n>`, `OFF<n>` (n unique, so the reply text names the
//! command too) and some `STATUS`. At most [`OUTSTANDING`] commands wait for
//! their reply at any time, as phones waiting for a confirmation do, so the
//! engine's SMS queue never overflows (a reply dropped for want of room
//! would look like a lost command).
//!
//! **Delivered intact**: the command's storage index reached the driver
//! unaltered at least once in a `+CMTI` or a `+CMGL` line, its stored form
//! (the PDU line, or the body line in text mode) reached the driver
//! unaltered at least once, and it was not removed from the SIM by a
//! command the driver did not send. The last is the documented limit of AT
//! without checksums (`isocket-modem` docs): a garbled `AT+CMGD=12` that
//! reads `AT+CMGD=2` deletes message 2 unread. Such messages are counted
//! as "wiped by a retargeted delete", found by comparing the SIM before and
//! after every write with the exact command the driver wrote.
//!
//! Checked at the end, after 45 quiet minutes:
//! - 0 lost: every command delivered intact was executed;
//! - 0 duplicated: no command executed twice (`SmsSent` for its sender at
//!   most once), and every network copy of a reply has the right text;
//! - 0 hangs: every loop is bounded, virtual time always advances (a
//!   deadline left in the past is looked at again 100 ms later), each
//!   delivered command is answered within 30 min, the driver is `Ready`
//!   and the SIM is empty;
//! - re-registration: after every network loss and every modem reboot the
//!   engine shows the network registered (GSM LED `blink-3s`) and the
//!   driver is `Ready` within 60 s of the fault's end.
//!
//! `cargo test` runs 500 commands; `ISOCKET_AT_SOAK_COMMANDS`,
//! `ISOCKET_AT_SOAK_SEED` and `ISOCKET_AT_SOAK_FAULTS` (per mille,
//! `drop,duplicate,garble/drop,duplicate,garble`: from the modem / to the
//! modem) override. Figures of a full run: RELIABILITY.md.

mod common;

use common::Rng;
use std::collections::HashMap;
use std::time::Instant as WallClock;

use chrono::{DateTime, FixedOffset, TimeDelta, TimeZone};
use isocket_device::{Bridge, Output};
use isocket_engine::{BoardInfo, Boot, LedPattern};
use isocket_host::spec_texts::is_spec_text;
use isocket_modem::driver::{COMMAND_TIMEOUT_MS, STORAGE_TIMEOUT_MS, State};
use isocket_modem::pdu::{self, Pdu};
use isocket_modem::profile;
use isocket_modem::testing::{Faults, ScriptedModem};
use isocket_proto::Probe;

/// Commands waiting for their reply at most.
const OUTSTANDING: usize = 3;
/// A command not answered this long no longer holds its slot.
const GIVE_UP_MS: u64 = 30 * 60_000;
/// The quiet time at the end, after the faults stop.
const QUIET_MS: u64 = 45 * 60_000;
/// Network back (or modem rebooted) to engine registered and driver ready:
/// a minute, plus, after a reboot, the SIM800's own start until its SMS
/// service is up (its manual's boot lines, which the emulated modem keeps)
/// and the longer wait for the init's message list when noise ate its
/// answer (the manual's 25 s instead of an ordinary command's 5 s).
const REREGISTRATION_LIMIT_MS: u64 = 60_000
    + isocket_modem::testing::dialect::SIM800.sms_ready_ms
    + (STORAGE_TIMEOUT_MS - COMMAND_TIMEOUT_MS);
/// A deadline left in the past that did nothing is looked at again this much later.
const IDLE_STEP_MS: u64 = 100;
/// The line noise of the default run, per mille per byte: the issue's 5 %
/// of the bytes dropped, duplicated or garbled, on the line that carries the
/// messages (from the modem: 4.5 %) and on the commands (0.5 %).
const FROM_MODEM: Faults = Faults {
    drop: 15,
    duplicate: 15,
    garble: 15,
};
const TO_MODEM: Faults = Faults {
    drop: 2,
    duplicate: 1,
    garble: 2,
};

/// How a message left the SIM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Removed {
    /// By `AT+CMGD=<its index>` exactly as the driver wrote it.
    ByDriver,
    /// By a command the line garbled into a delete of its index.
    Retargeted,
}

#[derive(Debug)]
struct Command {
    /// Digits only.
    sender: String,
    text: String,
    /// The exact reply; `None`: a STATUS (checked against SPEC's texts).
    reply: Option<String>,
    index: u16,
    delivered_at: u64,
    announced: bool,
    intact: bool,
    removed: Option<Removed>,
    /// `SmsSent` outputs naming its sender: executions.
    executions: u32,
    answered_at: Option<u64>,
    /// Copies of its reply the network took (at least once per execution).
    network_copies: u32,
    /// No longer holds an [`OUTSTANDING`] slot.
    released: bool,
}

impl Command {
    fn delivered_intact(&self) -> bool {
        self.announced && self.intact && self.removed != Some(Removed::Retargeted)
    }
}

/// A fault whose end starts the re-registration clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FaultKind {
    NetworkLoss,
    Reboot,
}

#[derive(Debug, Default)]
struct Counts {
    reboots_armed: u64,
    reboots: u64,
    ok_drops_armed: u64,
    ok_drops: u64,
    send_error_spells: u64,
    send_errors: u64,
    network_losses: u64,
    network_down_ms: u64,
    power_cycles: u64,
    bytes_to_modem: u64,
    bytes_from_modem: u64,
    idle_past_deadlines: u64,
    steps: u64,
    text_mode_seen: bool,
    garbled_replies: u64,
    phantom_senders: Vec<String>,
    reregistration_ms: Vec<(FaultKind, u64)>,
}

struct Soak {
    device: Bridge,
    modem: ScriptedModem,
    rng: Rng,
    now: u64,
    world_start: DateTime<FixedOffset>,
    line: (Faults, Faults),
    noisy: bool,
    modem_on: bool,
    network_up: bool,
    led_registered: bool,
    commands: Vec<Command>,
    total: usize,
    by_index: HashMap<u16, usize>,
    by_stored: HashMap<String, usize>,
    by_text: HashMap<String, usize>,
    by_sender: HashMap<String, usize>,
    rx_line: Vec<u8>,
    next_delivery: u64,
    next_reboot: u64,
    next_ok_drop: u64,
    send_error_toggle: u64,
    network_toggle: u64,
    /// Faults whose end waits for re-registration: (kind, end).
    recovering: Vec<(FaultKind, u64)>,
    /// Parts of `modem.sent` looked at.
    sent_seen: usize,
    /// Commands holding a slot.
    open: Vec<usize>,
    counts: Counts,
}

fn env<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// `d,u,g/d,u,g` per mille.
fn parse_line(spec: &str) -> Option<(Faults, Faults)> {
    let side = |s: &str| -> Option<Faults> {
        let v: Vec<u16> = s
            .split(',')
            .map(|n| n.trim().parse().ok())
            .collect::<Option<_>>()?;
        match v.as_slice() {
            [drop, duplicate, garble] => Some(Faults {
                drop: *drop,
                duplicate: *duplicate,
                garble: *garble,
            }),
            _ => None,
        }
    };
    let (a, b) = spec.split_once('/')?;
    Some((side(a)?, side(b)?))
}

impl Soak {
    fn new(seed: u64, total: usize, line: (Faults, Faults)) -> Self {
        let board = BoardInfo {
            product: "isocket at-soak",
            serial: "SOAK-0001".try_into().unwrap(),
        };
        let device = Bridge::new(
            board,
            isocket_engine::Stored::default(),
            Boot::default(),
            &profile::SIM800,
            0,
        );
        let mut modem = ScriptedModem::new(seed);
        modem.signal_dbm = Some(-67);
        let world_start = FixedOffset::east_opt(0)
            .and_then(|utc| utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single())
            .unwrap();
        Soak {
            device,
            modem,
            rng: Rng(seed),
            now: 0,
            world_start,
            line,
            noisy: false,
            modem_on: true,
            network_up: true,
            led_registered: false,
            commands: Vec::with_capacity(total),
            total,
            by_index: HashMap::new(),
            by_stored: HashMap::new(),
            by_text: HashMap::new(),
            by_sender: HashMap::new(),
            rx_line: Vec::new(),
            next_delivery: 0,
            next_reboot: u64::MAX,
            next_ok_drop: u64::MAX,
            send_error_toggle: u64::MAX,
            network_toggle: u64::MAX,
            recovering: Vec::new(),
            open: Vec::new(),
            sent_seen: 0,
            counts: Counts::default(),
        }
    }

    fn recovered(&self) -> bool {
        self.device.modem().state() == State::Ready && self.led_registered
    }

    /// The faults start: line noise and the first of each scheduled fault.
    fn start_faults(&mut self) {
        self.noisy = true;
        self.modem.faults = self.line.0;
        self.modem.command_faults = self.line.1;
        let now = self.now;
        self.next_reboot = now + self.rng.between(60_000, 20 * 60_000);
        self.next_ok_drop = now + self.rng.between(60_000, 10 * 60_000);
        self.send_error_toggle = now + self.rng.between(5 * 60_000, 30 * 60_000);
        self.network_toggle = now + self.rng.between(10 * 60_000, 90 * 60_000);
    }

    /// The faults stop; whatever is on is switched off.
    fn stop_faults(&mut self) {
        self.noisy = false;
        self.modem.faults = Faults::default();
        self.modem.command_faults = Faults::default();
        self.modem.reboot_next = false;
        self.modem.drop_next_ok = false;
        self.modem.send_error = None;
        if !self.network_up {
            self.network_back();
        }
        self.next_reboot = u64::MAX;
        self.next_ok_drop = u64::MAX;
        self.send_error_toggle = u64::MAX;
        self.network_toggle = u64::MAX;
    }

    fn network_back(&mut self) {
        self.network_up = true;
        self.modem.set_registered(true);
        // Whatever was still recovering restarts its clock now.
        for (_, since) in &mut self.recovering {
            *since = self.now;
        }
        self.recovering.push((FaultKind::NetworkLoss, self.now));
    }

    fn next_world_event(&self) -> u64 {
        let delivery = if self.commands.len() < self.total {
            self.next_delivery
        } else {
            u64::MAX
        };
        let give_up = self
            .open
            .iter()
            .map(|&id| self.commands[id].delivered_at + GIVE_UP_MS)
            .min()
            .unwrap_or(u64::MAX);
        [
            delivery,
            give_up,
            self.next_reboot,
            self.next_ok_drop,
            self.send_error_toggle,
            self.network_toggle,
        ]
        .into_iter()
        .min()
        .unwrap_or(u64::MAX)
    }

    /// One step: to the next deadline of the device, the modem or the world.
    fn step(&mut self, limit: u64) {
        self.counts.steps += 1;
        let due = [
            self.device.poll_timeout(),
            self.modem.poll_timeout().unwrap_or(u64::MAX),
            self.next_world_event(),
            limit,
        ]
        .into_iter()
        .min()
        .unwrap_or(u64::MAX);
        if due <= self.now {
            // A deadline in the past that did nothing last time: the device
            // waits for something else (its next poll, bytes); look again
            // soon, as a board loop would, so time always advances.
            self.counts.idle_past_deadlines += 1;
            self.now += IDLE_STEP_MS;
        } else {
            self.now = due;
        }
        let now = self.now;
        self.modem.advance_to(now);
        self.world(now);
        self.device.tick(now);
        self.exchange();
        self.check_recovery();
    }

    fn world(&mut self, now: u64) {
        let commands = &mut self.commands;
        self.open.retain(|&id| {
            let c = &mut commands[id];
            c.released |= now >= c.delivered_at + GIVE_UP_MS;
            !c.released
        });
        if now >= self.next_reboot {
            self.next_reboot = now + self.rng.between(2 * 60_000, 20 * 60_000);
            if !self.modem.reboot_next {
                self.modem.reboot_next = true;
                self.counts.reboots_armed += 1;
            }
        }
        if now >= self.next_ok_drop {
            self.next_ok_drop = now + self.rng.between(60_000, 10 * 60_000);
            if !self.modem.drop_next_ok {
                self.modem.drop_next_ok = true;
                self.counts.ok_drops_armed += 1;
            }
        }
        if now >= self.send_error_toggle {
            if self.modem.send_error.is_some() {
                self.modem.send_error = None;
                self.send_error_toggle = now + self.rng.between(5 * 60_000, 30 * 60_000);
            } else {
                self.modem.send_error = Some(500);
                self.counts.send_error_spells += 1;
                self.send_error_toggle = now + self.rng.between(30_000, 5 * 60_000);
            }
        }
        if now >= self.network_toggle {
            if self.network_up {
                self.network_up = false;
                self.modem.set_registered(false);
                self.counts.network_losses += 1;
                let outage = self.rng.between(10_000, 8 * 60_000);
                self.counts.network_down_ms += outage;
                self.network_toggle = now + outage;
            } else {
                self.network_back();
                self.network_toggle = now + self.rng.between(20 * 60_000, 90 * 60_000);
            }
        }
        if self.commands.len() < self.total && now >= self.next_delivery {
            // The network delivers only to a registered modem that is on.
            if self.open.len() < OUTSTANDING && self.network_up && self.modem_on {
                self.deliver(now);
                self.next_delivery = now + self.rng.between(1_000, 15_000);
            } else {
                self.next_delivery = now + 1_000;
            }
        }
    }

    fn deliver(&mut self, now: u64) {
        let id = self.commands.len();
        let n = id + 1;
        let (text, reply) = match self.rng.next() % 10 {
            0 => ("STATUS".to_string(), None),
            1..=5 => (format!("ON{n}"), Some(format!("Power ON for {n} seconds"))),
            _ => (
                format!("OFF{n}"),
                Some(format!("Power OFF for {n} seconds")),
            ),
        };
        let sender = format!("49170{n:07}");
        let sent_at = self.world_start + TimeDelta::milliseconds(now as i64);
        let sent_at = sent_at - TimeDelta::nanoseconds(i64::from(sent_at.timestamp_subsec_nanos()));
        let index = self.modem.deliver_at(&format!("+{sender}"), &text, sent_at);
        let stored = self
            .modem
            .sim
            .iter()
            .find(|(i, _)| *i == index)
            .map(|(_, s)| s.clone())
            .expect("the message is stored");
        self.by_index.insert(index, id);
        self.by_stored.insert(stored, id);
        self.by_text.insert(text.clone(), id);
        self.by_sender.insert(sender.clone(), id);
        self.open.push(id);
        self.commands.push(Command {
            sender,
            text,
            reply,
            index,
            delivered_at: now,
            announced: false,
            intact: false,
            removed: None,
            executions: 0,
            answered_at: None,
            network_copies: 0,
            released: false,
        });
    }

    /// Moves bytes between the device and the modem until both are quiet
    /// (zero virtual time); carries out the device's outputs.
    fn exchange(&mut self) {
        let now = self.now;
        for _ in 0..10_000 {
            let mut busy = false;
            while let Some(tx) = self.device.modem_tx(now) {
                let tx = tx.to_vec();
                self.write_to_modem(&tx);
                busy = true;
            }
            let rx = self.modem.read();
            if !rx.is_empty() {
                busy = true;
                if self.modem_on {
                    self.counts.bytes_from_modem += rx.len() as u64;
                    self.observe(&rx);
                    self.device.modem_rx(now, &rx);
                }
            }
            self.device.tick(now);
            let outputs: Vec<Output> = std::iter::from_fn(|| self.device.poll_output()).collect();
            for output in outputs {
                busy = true;
                self.output(output);
            }
            self.network_side();
            if !busy {
                return;
            }
        }
        panic!(
            "at {} ms: the device and the modem never went quiet",
            self.now
        );
    }

    fn write_to_modem(&mut self, tx: &[u8]) {
        if !self.modem_on {
            return; // nobody listens
        }
        self.counts.bytes_to_modem += tx.len() as u64;
        let before: Vec<u16> = self.modem.sim.iter().map(|(i, _)| *i).collect();
        let reboot_armed = self.modem.reboot_next;
        let ok_drop_armed = self.modem.drop_next_ok;
        let logged = self.modem.log.len();
        self.modem.write(tx);
        if reboot_armed && !self.modem.reboot_next {
            self.counts.reboots += 1;
            self.recovering.push((FaultKind::Reboot, self.now));
        }
        if ok_drop_armed && !self.modem.drop_next_ok {
            self.counts.ok_drops += 1;
        }
        if self.modem.send_error.is_some() {
            let sends = self.modem.log[logged..]
                .iter()
                .filter(|c| c.starts_with("AT+CMGS="))
                .count();
            self.counts.send_errors += sends as u64;
        }
        if self.modem.sim.len() < before.len() {
            let after: Vec<u16> = self.modem.sim.iter().map(|(i, _)| *i).collect();
            for index in before.into_iter().filter(|i| !after.contains(i)) {
                let own = tx == format!("AT+CMGD={index}\r").as_bytes();
                if let Some(&id) = self.by_index.get(&index) {
                    let c = &mut self.commands[id];
                    c.removed.get_or_insert(if own {
                        Removed::ByDriver
                    } else {
                        Removed::Retargeted
                    });
                }
            }
        }
    }

    /// What reached the driver: announcements naming an index (the rest
    /// of the line may be garbled, the driver needs only the index) and
    /// unaltered stored forms. Lines end at CR or LF, as for the codec.
    fn observe(&mut self, rx: &[u8]) {
        for &byte in rx {
            if byte != b'\n' && byte != b'\r' {
                self.rx_line.push(byte);
                continue;
            }
            let line = std::mem::take(&mut self.rx_line);
            let line = String::from_utf8_lossy(&line);
            if let Some(&id) = self
                .by_stored
                .get(&*line)
                .or_else(|| self.by_text.get(&*line))
            {
                self.commands[id].intact = true;
            }
            let index = if line.starts_with("+CMTI") {
                line.rsplit(',').next()
            } else if let Some(rest) = line.strip_prefix("+CMGL:") {
                rest.split(',').next().map(str::trim)
            } else {
                None
            };
            if let Some(id) = index.and_then(|i| self.by_index.get(&i.parse().ok()?)) {
                self.commands[*id].announced = true;
            }
        }
    }

    fn output(&mut self, output: Output) {
        let now = self.now;
        match output {
            Output::Leds(leds) => self.led_registered = leds.gsm == LedPattern::Blink3s,
            Output::MeasureTemperature => self.device.temperature(now, Probe::NoSensor),
            Output::Save(record) => self.device.saved(now, record, true),
            Output::ModemPower(false) => {
                self.modem_on = false;
                self.counts.power_cycles += 1;
            }
            Output::ModemPower(true) => self.power_on(),
            Output::SmsSent(to) => {
                // A sender no command came from: a message handed out with
                // a garbled sender (checked to be none in `check`).
                let Some(&id) = self.by_sender.get(to.as_str()) else {
                    self.counts.phantom_senders.push(to.as_str().to_string());
                    return;
                };
                let c = &mut self.commands[id];
                c.executions += 1;
                c.answered_at.get_or_insert(now);
                c.released = true;
                self.open.retain(|&o| o != id);
            }
            Output::Reboot | Output::Shutdown | Output::Calling(_) => {
                panic!("at {now} ms: unexpected {output:?}")
            }
            _ => {}
        }
    }

    /// The supply comes back: the modem forgets what was half typed or
    /// waiting at its `>` prompt, and says `RDY` (through the noisy line).
    fn power_on(&mut self) {
        let command_faults = std::mem::take(&mut self.modem.command_faults);
        let armed = std::mem::take(&mut self.modem.reboot_next);
        self.modem.write(&[0x1B]);
        self.modem.write(b"\r");
        let _ = self.modem.read(); // answers of a modem that was off
        self.modem.reboot_next = true;
        self.modem.write(b"AT\r");
        self.modem.reboot_next = armed;
        self.modem.command_faults = command_faults;
        self.modem_on = true;
    }

    /// What the network took from the modem, part by part (every reply
    /// fits one part). A part garbled on the way to the modem (the fake
    /// takes any PDU) is counted, not checked.
    fn network_side(&mut self) {
        let clean = self.modem.command_faults.is_clean() && !self.noisy;
        while let Some(hex) = self.modem.sent.get(self.sent_seen) {
            self.sent_seen += 1;
            let part = match pdu::decode_hex(hex.as_bytes()) {
                Ok(Pdu::Submit(s)) if s.user_data.concat.is_none() => {
                    let to = s.recipient.number;
                    let to = to.strip_prefix('+').unwrap_or(&to).to_string();
                    Some((to, s.user_data.text.to_string()))
                }
                _ => None,
            };
            let reply = part.and_then(|(to, text)| Some((*self.by_sender.get(&to)?, text)));
            let Some((id, text)) = reply else {
                assert!(!clean, "a part that is no reply on a clean line: {hex}");
                self.counts.garbled_replies += 1;
                continue;
            };
            let c = &mut self.commands[id];
            let right = match &c.reply {
                Some(reply) => &text == reply,
                None => text.starts_with("Power socket ") && is_spec_text(&text),
            };
            if right {
                c.network_copies += 1;
            } else {
                assert!(!clean, "the reply to {}: {text:?}", c.text);
                self.counts.garbled_replies += 1;
            }
        }
    }

    fn check_recovery(&mut self) {
        if self.recovering.is_empty() || !self.network_up || !self.recovered() {
            return;
        }
        let now = self.now;
        for (kind, since) in self.recovering.drain(..) {
            self.counts
                .reregistration_ms
                .push((kind, now.saturating_sub(since)));
        }
        self.counts.text_mode_seen |= self.device.modem().text_mode();
    }

    fn run_until(&mut self, end: u64) {
        while self.now < end {
            self.step(end);
        }
    }
}

struct Report {
    commands: usize,
    delivered_intact: usize,
    executed: usize,
    lost: Vec<String>,
    duplicated: Vec<String>,
    wiped: usize,
    not_intact: usize,
    network_copies: u64,
    max_answer_ms: u64,
    max_reregistration_ms: u64,
    virtual_ms: u64,
}

fn soak(seed: u64, total: usize, line: (Faults, Faults)) -> (Soak, Report) {
    let mut s = Soak::new(seed, total, line);
    // Boot on a clean line: registered and ready within a minute.
    s.next_delivery = u64::MAX;
    while !s.recovered() {
        assert!(s.now < 60_000, "the device did not come up");
        s.step(60_000);
    }
    s.next_delivery = s.now;
    s.start_faults();
    // Every loop is bounded: no command may take the soak past this.
    let limit = s.now + total as u64 * 20 * 60_000;
    while s.commands.len() < total || !s.open.is_empty() {
        assert!(
            s.now < limit,
            "hang: {} of {total} commands after {} virtual min",
            s.commands.len(),
            s.now / 60_000
        );
        s.step(limit);
    }
    s.stop_faults();
    let end = s.now + QUIET_MS;
    s.run_until(end);

    let c = &s.commands;
    let delivered: Vec<&Command> = c.iter().filter(|c| c.delivered_intact()).collect();
    let report = Report {
        commands: c.len(),
        delivered_intact: delivered.len(),
        executed: c.iter().filter(|c| c.executions > 0).count(),
        lost: delivered
            .iter()
            .filter(|c| c.executions == 0)
            .map(|c| format!("{} from {} (index {})", c.text, c.sender, c.index))
            .collect(),
        duplicated: c
            .iter()
            .filter(|c| c.executions > 1)
            .map(|c| format!("{} x{}", c.text, c.executions))
            .collect(),
        wiped: c
            .iter()
            .filter(|c| c.removed == Some(Removed::Retargeted) && c.executions == 0)
            .count(),
        not_intact: c
            .iter()
            .filter(|c| !(c.announced && c.intact) && c.removed != Some(Removed::Retargeted))
            .count(),
        network_copies: c.iter().map(|c| u64::from(c.network_copies)).sum(),
        max_answer_ms: c
            .iter()
            .filter_map(|c| Some(c.answered_at? - c.delivered_at))
            .max()
            .unwrap_or(0),
        max_reregistration_ms: s
            .counts
            .reregistration_ms
            .iter()
            .map(|(_, ms)| *ms)
            .max()
            .unwrap_or(0),
        virtual_ms: s.now,
    };
    (s, report)
}

fn check(s: &Soak, r: &Report) {
    assert!(r.lost.is_empty(), "lost commands: {:?}", r.lost);
    assert!(r.duplicated.is_empty(), "duplicated: {:?}", r.duplicated);
    assert!(
        s.counts.phantom_senders.is_empty(),
        "executed for senders who sent nothing: {:?}",
        s.counts.phantom_senders
    );
    // Each execution's reply reached the network, intact unless the line
    // to the modem garbled it.
    let unseen = s
        .commands
        .iter()
        .filter(|c| c.executions > 0 && c.network_copies == 0)
        .count() as u64;
    assert!(
        unseen <= s.counts.garbled_replies,
        "{unseen} replies sent, says the device, but not on the network"
    );
    for c in &s.commands {
        assert!(
            c.executions > 0 || c.network_copies == 0,
            "{}: a reply on the network without an execution",
            c.text
        );
    }
    assert!(
        r.max_answer_ms < GIVE_UP_MS,
        "a command took {} s to answer",
        r.max_answer_ms / 1000
    );
    assert!(
        r.max_reregistration_ms <= REREGISTRATION_LIMIT_MS,
        "re-registration took {} s: {:?}",
        r.max_reregistration_ms / 1000,
        s.counts.reregistration_ms
    );
    assert!(
        s.recovering.is_empty(),
        "never recovered: {:?}",
        s.recovering
    );
    assert_eq!(s.device.modem().state(), State::Ready);
    assert!(s.led_registered);
    assert!(s.modem.sim.is_empty(), "left on the SIM: {:?}", s.modem.sim);
    assert_eq!(s.device.modem().queued_sms(), 0, "replies still queued");
    assert_eq!(s.device.engine().dropped_actions(), 0);
    // The soak exercised what it claims to.
    assert!(
        r.executed * 10 >= r.commands * 9,
        "too few executed: {}",
        r.executed
    );
    assert!(s.counts.reboots > 0 && s.counts.network_losses > 0 && s.counts.send_errors > 0);
}

#[test]
fn commands_survive_a_faulty_modem_line() {
    let total: usize = env("ISOCKET_AT_SOAK_COMMANDS").unwrap_or(500);
    let seed: u64 = env("ISOCKET_AT_SOAK_SEED").unwrap_or(2026);
    let line = std::env::var("ISOCKET_AT_SOAK_FAULTS")
        .ok()
        .map(|spec| parse_line(&spec).expect("faults as d,u,g/d,u,g per mille"))
        .unwrap_or((FROM_MODEM, TO_MODEM));
    let started = WallClock::now();
    let (s, r) = soak(seed, total, line);
    let wall = started.elapsed().as_secs_f64();
    let k = &s.counts;
    let per_kind = |kind| {
        let spells: Vec<u64> = k
            .reregistration_ms
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, ms)| *ms)
            .collect();
        (spells.len(), spells.iter().max().copied().unwrap_or(0))
    };
    let (losses_back, loss_max) = per_kind(FaultKind::NetworkLoss);
    let (reboots_back, reboot_max) = per_kind(FaultKind::Reboot);
    let (from, to) = line;
    println!(
        "AT soak, seed {seed}, line faults per mille from modem {}/{}/{} to modem {}/{}/{} (drop/dup/garble)\n\
         commands sent {}, delivered intact {}, executed {}, lost {}, duplicated {}\n\
         wiped unread by a retargeted delete {}, never intact {}, reply copies on the network {} (+{} garbled)\n\
         faults: reboots {} ({} armed), lost OKs {} ({} armed), send-error spells {} ({} sends refused), \
         network losses {} ({} min down), driver power cycles {}\n\
         bytes to modem {}, from modem {}, text mode seen {}\n\
         re-registration max {:.1} s (network losses {losses_back}: max {:.1} s; reboots {reboots_back}: max {:.1} s)\n\
         handed out with a garbled sender {:?}\n\
         longest answer {:.0} s, virtual time {:.1} h, steps {}, idle past deadlines {}, wall {wall:.2} s",
        from.drop,
        from.duplicate,
        from.garble,
        to.drop,
        to.duplicate,
        to.garble,
        r.commands,
        r.delivered_intact,
        r.executed,
        r.lost.len(),
        r.duplicated.len(),
        r.wiped,
        r.not_intact,
        r.network_copies,
        k.garbled_replies,
        k.reboots,
        k.reboots_armed,
        k.ok_drops,
        k.ok_drops_armed,
        k.send_error_spells,
        k.send_errors,
        k.network_losses,
        k.network_down_ms / 60_000,
        k.power_cycles,
        k.bytes_to_modem,
        k.bytes_from_modem,
        k.text_mode_seen,
        r.max_reregistration_ms as f64 / 1000.0,
        loss_max as f64 / 1000.0,
        reboot_max as f64 / 1000.0,
        k.phantom_senders,
        r.max_answer_ms as f64 / 1000.0,
        r.virtual_ms as f64 / 3_600_000.0,
        k.steps,
        k.idle_past_deadlines,
    );
    check(&s, &r);
}
