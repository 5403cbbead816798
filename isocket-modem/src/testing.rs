//! A scripted modem for tests (feature `testing`, which needs `std`): a fake
//! SIM800-like modem with SIM storage, sending, calls and USSD that answers
//! the [`Driver`]'s commands, with faults injected on the line from modem
//! to host: dropped, duplicated and garbled bytes at seeded random, a
//! missing `OK`, a reboot (`RDY`) in mid-command, silence (timeouts) and no
//! network.
//!
//! ```
//! use isocket_modem::driver::{Driver, Event, State};
//! use isocket_modem::{profile, testing::ScriptedModem};
//!
//! let mut modem = ScriptedModem::new(7);
//! let mut driver = Driver::new(&profile::SIM800, 0);
//! assert!(modem.run(&mut driver, 2_000).contains(&Event::State(State::Ready)));
//! let id = modem.deliver(&mut driver, "+4915112345678", "Socket ON");
//! let events = modem.run(&mut driver, 1_000);
//! assert!(events.iter().any(|e| matches!(e, Event::Sms { id: i, .. } if *i == id)));
//! ```
//!
//! By default the fake never reuses a storage index, so a test can tell
//! every message apart by its index; [`ScriptedModem::reuse_indices`] makes
//! it store at the lowest free index, as real modems do.
//!
//! [`ScriptedModem::command_faults`] corrupt the commands on their way to
//! the modem. A command whose `\r` is lost is not complete: the modem waits,
//! and the next command is appended to it (then it is garbage: `ERROR`).
//!
//! Text mode: with [`ScriptedModem::pdu_mode`] off the fake refuses
//! `AT+CMGF=0`; after `AT+CMGF=1` it lists and reads SIM800-style text
//! records (`AT+CSDH=1` fields) and takes `AT+CMGS="<number>"`.

use std::format;
use std::string::{String, ToString};
use std::vec::Vec;

use chrono::{DateTime, FixedOffset, TimeZone};

use crate::driver::{Driver, Event};
use crate::pdu::{self, Address, SubmitOptions};

/// Byte faults on the modem-to-host line, in parts per thousand per byte.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Faults {
    /// The byte is lost.
    pub drop: u16,
    /// The byte arrives twice.
    pub duplicate: u16,
    /// The byte is replaced by a random one.
    pub garble: u16,
}

impl Faults {
    /// No faults at all.
    pub fn is_clean(&self) -> bool {
        *self == Faults::default()
    }
}

/// How the far end treats our call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FarEnd {
    /// Answers after 4 s.
    Answers,
    /// Rejects after 3 s.
    Rejects,
    /// Lets it ring.
    Ignores,
    /// Waits for [`ScriptedModem::answer_call`] or [`ScriptedModem::reject_call`].
    Manual,
}

/// Our outgoing call inside the fake.
#[derive(Debug, Clone, Copy)]
struct Call {
    since: u64,
    active: bool,
}

/// The fake modem. Its fields are the test's view and levers.
#[derive(Debug)]
pub struct ScriptedModem {
    /// Simulated time in ms.
    pub now: u64,
    /// Stored messages: (index, PDU hex), or (index, text record) as
    /// [`ScriptedModem::store_text`] stores it.
    pub sim: Vec<(u16, String)>,
    /// PDUs (hex) the driver sent through `AT+CMGS`; in text mode, the text.
    pub sent: Vec<String>,
    /// Numbers given to `AT+CMGS="…"` in text mode.
    pub sent_to: Vec<String>,
    /// The modem supports PDU mode (`AT+CMGF=0`); otherwise it answers `ERROR`.
    pub pdu_mode: bool,
    /// Text mode is on (`AT+CMGF=1`).
    pub text_mode: bool,
    /// Every command line received.
    pub log: Vec<String>,
    /// Power pin changes.
    pub power: Vec<bool>,
    /// Random byte faults on the line from modem to host.
    pub faults: Faults,
    /// Random byte faults on the line from host to modem.
    pub command_faults: Faults,
    /// Store new messages at the lowest free index.
    pub reuse_indices: bool,
    /// Answers nothing (every command times out).
    pub silent: bool,
    /// The next answer loses its `OK`.
    pub drop_next_ok: bool,
    /// The next command is lost to a reboot: the modem answers `RDY`.
    pub reboot_next: bool,
    /// Registered to the network; otherwise `AT+CMGS` fails with 331.
    pub registered: bool,
    /// `AT+CMGS` fails with this `+CMS ERROR` (a modem or network error).
    pub send_error: Option<u16>,
    /// How the far end treats our calls.
    pub far_end: FarEnd,
    /// Whether call progress comes as SIMCom URCs (`MO RING`,
    /// `MO CONNECTED`, `NO CARRIER`); otherwise only `AT+CLCC` tells.
    pub call_urcs: bool,
    /// Simulation step in ms.
    pub step_ms: u64,
    rng: u64,
    next_index: u16,
    next_reference: u8,
    awaiting_pdu: bool,
    call: Option<Call>,
    /// Command bytes received and not yet terminated.
    typed: Vec<u8>,
    /// Bytes for the host, when it reads through [`ScriptedModem::read`].
    output: Vec<u8>,
    /// Signal for `AT+CSQ`, in dBm (`None`: unknown, `99`).
    pub signal_dbm: Option<i16>,
    /// USSD answer given at once; `None`: wait for [`ScriptedModem::ussd_reply`].
    pub ussd_answer: Option<String>,
    /// Every USSD code the host sent.
    pub ussd_requests: Vec<String>,
    /// Every number the host dialled.
    pub dialled: Vec<String>,
    /// The host hung up a ringing incoming call.
    pub hung_up_incoming: bool,
    incoming: Option<Incoming>,
    /// How many of `sent` [`ScriptedModem::take_sent`] has handed out.
    sent_taken: usize,
}

/// A concatenated message the host is still sending.
#[derive(Debug)]
struct PartialMessage {
    to: String,
    reference: u16,
    /// Index of its first part in `sent`.
    first: usize,
    parts: Vec<(u8, String)>,
}

/// One sent part as (recipient, text, concatenation): a SUBMIT PDU, or in
/// text mode the body with the number `AT+CMGS` named.
fn sent_part(
    text_mode: bool,
    to: Option<&String>,
    raw: &str,
) -> Option<(String, String, Option<pdu::Concat>)> {
    if let (true, Some(to)) = (text_mode, to) {
        return Some((to.clone(), raw.to_string(), None));
    }
    match pdu::decode_hex(raw.as_bytes()) {
        Ok(pdu::Pdu::Submit(s)) => Some((
            s.recipient.number.to_string(),
            s.user_data.text.to_string(),
            s.user_data.concat,
        )),
        _ => None,
    }
}

/// 27.007 `+CSQ` rssi: 0 is −113 dBm or less, 31 is −51 dBm or more, 99 unknown.
fn csq_rssi(dbm: Option<i16>) -> i32 {
    dbm.map_or(99, |dbm| ((i32::from(dbm) + 113) / 2).clamp(0, 31))
}

/// An incoming call ringing at the fake.
#[derive(Debug, Clone)]
struct Incoming {
    from: String,
    next_ring: u64,
    gives_up_at: u64,
}

/// How often `RING` repeats, and how long a caller lets it ring.
const RING_EVERY_MS: u64 = 3_000;
const CALLER_GIVES_UP_MS: u64 = 30_000;
/// The SCTS of [`ScriptedModem::deliver`]: 2011-01-01 12:34:56 +00.
const DEFAULT_SCTS: (i32, u32, u32, u32, u32, u32) = (2011, 1, 1, 12, 34, 56);

const OK: &str = "\r\nOK\r\n";

/// Commands the fake accepts without doing anything.
const SETTINGS: &[&str] = &[
    "ATE0",
    "AT+CMEE=1",
    "AT+CNMI=",
    "AT+CLIP=1",
    "AT+CREG=2",
    "AT+CEREG=2",
    "AT+CLTS=1",
    "AT+MORING=1",
    "AT+CPMS=",
    "AT+CSCS=",
    "AT+CSDH=1",
    "AT+COLP=1",
];

impl ScriptedModem {
    /// A registered, fault-free modem; `seed` drives the random faults.
    pub fn new(seed: u64) -> Self {
        ScriptedModem {
            now: 0,
            sim: Vec::new(),
            sent: Vec::new(),
            sent_to: Vec::new(),
            pdu_mode: true,
            text_mode: false,
            log: Vec::new(),
            power: Vec::new(),
            faults: Faults::default(),
            command_faults: Faults::default(),
            reuse_indices: false,
            silent: false,
            drop_next_ok: false,
            reboot_next: false,
            registered: true,
            send_error: None,
            far_end: FarEnd::Answers,
            call_urcs: true,
            step_ms: 100,
            // xorshift must not start at zero.
            rng: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            next_index: 1,
            next_reference: 1,
            awaiting_pdu: false,
            call: None,
            typed: Vec::new(),
            output: Vec::new(),
            signal_dbm: Some(-77),
            ussd_answer: Some("Balance 5.00".to_string()),
            ussd_requests: Vec::new(),
            dialled: Vec::new(),
            hung_up_incoming: false,
            incoming: None,
            sent_taken: 0,
        }
    }

    fn random(&mut self) -> u64 {
        // xorshift64*: reproducible per seed, no dependency.
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Stores a message that has been on the SIM since before boot.
    pub fn store(&mut self, pdu_hex: &str) -> u16 {
        let index = match self.reuse_indices {
            true => (1..)
                .find(|i| self.sim.iter().all(|(j, _)| j != i))
                .unwrap_or(1),
            false => {
                self.next_index = self.next_index.wrapping_add(1);
                self.next_index - 1
            }
        };
        self.sim.push((index, pdu_hex.to_string()));
        index
    }

    /// Stores a text-mode record, answered verbatim in text mode: `fields`
    /// are the `+CMGR` parameters from `<stat>` on, `body` the text lines.
    /// In PDU mode the record is a PDU line that does not decode.
    pub fn store_text(&mut self, fields: &str, body: &str) -> u16 {
        self.store(&format!("{fields}\n{body}"))
    }

    /// Stores a text-mode record and announces it with `+CMTI`.
    pub fn deliver_text(&mut self, driver: &mut Driver, fields: &str, body: &str) -> u16 {
        let index = self.store_text(fields, body);
        self.send(driver, &format!("\r\n+CMTI: \"SM\",{index}\r\n"));
        index
    }

    /// A message from `from` arrives (one part per PDU): stored and
    /// announced with `+CMTI`. Returns the index of the last part.
    pub fn deliver(&mut self, driver: &mut Driver, from: &str, text: &str) -> u16 {
        let (y, mo, d, h, mi, s) = DEFAULT_SCTS;
        let sent_at = FixedOffset::east_opt(0)
            .and_then(|utc| utc.with_ymd_and_hms(y, mo, d, h, mi, s).single());
        let last = sent_at.map_or(0, |t| self.deliver_at(from, text, t));
        self.flush(driver);
        last
    }

    /// A message from `from`, time-stamped `sent_at` by the SMSC, arrives:
    /// stored and announced with `+CMTI` to whoever reads the line. Returns
    /// the index of the last part.
    pub fn deliver_at(&mut self, from: &str, text: &str, sent_at: DateTime<FixedOffset>) -> u16 {
        let mut last = 0;
        for part in deliver_pdus_at(from, text, self.next_reference, &sent_at) {
            last = self.store(&part);
            self.emit(&format!("\r\n+CMTI: \"SM\",{last}\r\n"));
        }
        self.next_reference = self.next_reference.wrapping_add(1);
        last
    }

    /// Sends unsolicited bytes through the faulty line.
    pub fn send(&mut self, driver: &mut Driver, text: &str) {
        self.emit(text);
        self.flush(driver);
    }

    /// Queues bytes for the host, after the line faults.
    fn emit(&mut self, text: &str) {
        let line = self.corrupt(text.as_bytes(), self.faults);
        self.output.extend(line);
    }

    /// Hands the queued bytes to `driver` in two reads, split mid-line, as a UART delivers them.
    fn flush(&mut self, driver: &mut Driver) {
        let line = core::mem::take(&mut self.output);
        let (a, b) = line.split_at(line.len() / 2);
        driver.handle(self.now, a);
        driver.handle(self.now, b);
    }

    /// The host writes `bytes` (a UART's other end): each complete command
    /// is answered into the bytes [`ScriptedModem::read`] returns.
    pub fn write(&mut self, bytes: &[u8]) {
        for command in self.receive(bytes) {
            let reply = self.answer(&command);
            self.emit(&reply);
        }
    }

    /// The bytes waiting for the host.
    pub fn read(&mut self) -> Vec<u8> {
        core::mem::take(&mut self.output)
    }

    /// Lets the fake's time run to `now_ms`: call progress and ringing.
    pub fn advance_to(&mut self, now_ms: u64) {
        self.now = self.now.max(now_ms);
        self.call_progress();
        self.ring_progress();
    }

    /// The next moment the fake does something by itself, if any.
    pub fn poll_timeout(&self) -> Option<u64> {
        let ring = self
            .incoming
            .as_ref()
            .map(|c| c.next_ring.min(c.gives_up_at));
        let call = self
            .call
            .filter(|c| !c.active)
            .and_then(|c| match self.far_end {
                FarEnd::Answers => Some(c.since + 4_000),
                FarEnd::Rejects => Some(c.since + 3_000),
                FarEnd::Ignores | FarEnd::Manual => None,
            });
        [ring, call].into_iter().flatten().min()
    }

    /// Someone calls: `RING` and `+CLIP` every 3 s until the host hangs up
    /// (`ATH`) or, after 30 s, the caller gives up.
    pub fn ring(&mut self, from: &str) {
        self.hung_up_incoming = false;
        self.incoming = Some(Incoming {
            from: from.to_string(),
            next_ring: self.now,
            gives_up_at: self.now + CALLER_GIVES_UP_MS,
        });
        self.ring_progress();
    }

    fn ring_progress(&mut self) {
        let Some(call) = self.incoming.clone() else {
            return;
        };
        if self.now >= call.gives_up_at {
            self.incoming = None;
            self.emit("\r\nNO CARRIER\r\n");
            return;
        }
        if self.now >= call.next_ring {
            let toa = if call.from.starts_with('+') { 145 } else { 129 };
            self.emit(&format!(
                "\r\nRING\r\n\r\n+CLIP: \"{}\",{toa},\"\",0,\"\",0\r\n",
                call.from
            ));
            self.incoming = Some(Incoming {
                next_ring: self.now + RING_EVERY_MS,
                ..call
            });
        }
    }

    /// The far end answers the host's call ([`FarEnd::Manual`]).
    pub fn answer_call(&mut self) {
        if let Some(call) = self.call.filter(|c| !c.active) {
            self.call = Some(Call {
                active: true,
                ..call
            });
            if self.call_urcs {
                self.emit("\r\nMO CONNECTED\r\n");
            }
        }
    }

    /// The far end rejects the host's call ([`FarEnd::Manual`]).
    pub fn reject_call(&mut self) {
        if self.call.take().is_some() && self.call_urcs {
            self.emit("\r\nNO CARRIER\r\n");
        }
    }

    /// Whether the host's own call is still ringing.
    pub fn call_ringing(&self) -> bool {
        self.call.is_some_and(|c| !c.active)
    }

    /// The network answers the pending USSD request with `text` (UCS2 when
    /// it is not GSM-7, as networks do).
    pub fn ussd_reply(&mut self, text: &str) {
        let reply = if isocket_proto::gsm7::is_gsm7_text(text) {
            format!("\r\n+CUSD: 0,\"{text}\",15\r\n")
        } else {
            let hex: String = text.encode_utf16().map(|u| format!("{u:04X}")).collect();
            format!("\r\n+CUSD: 0,\"{hex}\",72\r\n")
        };
        self.emit(&reply);
    }

    /// The signal changes: `AT+CSQ` answers it, and an unsolicited `+CSQ` says so at once.
    pub fn set_signal(&mut self, dbm: Option<i16>) {
        self.signal_dbm = dbm;
        let rssi = csq_rssi(dbm);
        self.emit(&format!("\r\n+CSQ: {rssi},99\r\n"));
    }

    /// The SIM is there and ready (`true`), or missing: the `+CPIN` URC.
    pub fn set_sim_ready(&mut self, ready: bool) {
        self.emit(if ready {
            "\r\n+CPIN: READY\r\n"
        } else {
            "\r\n+CPIN: NOT INSERTED\r\n"
        });
    }

    /// Registration changes, with the `+CREG` URC (n=2).
    pub fn set_registered(&mut self, registered: bool) {
        self.registered = registered;
        self.emit(if registered {
            "\r\n+CREG: 1,\"CE00\",\"01CEAD8F\"\r\n"
        } else {
            "\r\n+CREG: 0\r\n"
        });
    }

    /// The network reports its time (SIMCom's `*PSUTTZ`: universal time and the zone in quarters).
    pub fn network_time(&mut self, time: DateTime<FixedOffset>) {
        use chrono::{Datelike, Timelike};
        let utc = time.naive_utc();
        let quarters = time.offset().local_minus_utc() / 900;
        self.emit(&format!(
            "\r\n*PSUTTZ: {},{},{},{},{},{},\"{quarters:+}\",0\r\n",
            utc.year(),
            utc.month(),
            utc.day(),
            utc.hour(),
            utc.minute(),
            utc.second()
        ));
    }

    /// The messages the host sent since the last call, as (recipient, text),
    /// in the order they were sent; a concatenated message once all its
    /// parts have arrived.
    pub fn take_sent(&mut self) -> Vec<(String, String)> {
        let mut done: Vec<(usize, String, String)> = Vec::new();
        let mut open: Vec<PartialMessage> = Vec::new();
        for (i, raw) in self.sent.iter().enumerate().skip(self.sent_taken) {
            let Some((to, text, concat)) = sent_part(self.text_mode, self.sent_to.get(i), raw)
            else {
                continue;
            };
            let Some(c) = concat else {
                done.push((i, to, text));
                continue;
            };
            let position = match open
                .iter()
                .position(|m| m.to == to && m.reference == c.reference)
            {
                Some(p) => p,
                None => {
                    open.push(PartialMessage {
                        to,
                        reference: c.reference,
                        first: i,
                        parts: Vec::new(),
                    });
                    open.len() - 1
                }
            };
            if let Some(message) = open.get_mut(position) {
                message.parts.push((c.seq, text));
                if message.parts.len() == usize::from(c.total) {
                    message.parts.sort();
                    let whole = message.parts.iter().map(|(_, t)| t.as_str()).collect();
                    done.push((message.first, message.to.clone(), whole));
                    message.parts.clear();
                    message.reference = u16::MAX; // complete: no later part matches it
                }
            }
        }
        // Hand out what comes before the first message still missing parts.
        let waiting = open
            .iter()
            .filter(|m| !m.parts.is_empty())
            .map(|m| m.first)
            .min();
        done.retain(|(i, _, _)| waiting.is_none_or(|w| *i < w));
        done.sort_by_key(|(i, _, _)| *i);
        self.sent_taken = waiting.unwrap_or(self.sent.len());
        done.into_iter().map(|(_, to, text)| (to, text)).collect()
    }

    /// `bytes` after the random faults `f`.
    fn corrupt(&mut self, bytes: &[u8], f: Faults) -> Vec<u8> {
        let mut line = Vec::with_capacity(bytes.len());
        for &byte in bytes {
            let roll = self.random() % 1000;
            let (drop, dup) = (u64::from(f.drop), u64::from(f.duplicate));
            if roll < drop {
                continue;
            } else if roll < drop + dup {
                line.extend([byte, byte]);
            } else if roll < drop + dup + u64::from(f.garble) {
                line.push(self.random().to_le_bytes()[0]);
            } else {
                line.push(byte);
            }
        }
        line
    }

    /// The complete command lines among `bytes` after the command faults.
    fn receive(&mut self, bytes: &[u8]) -> Vec<String> {
        let bytes = self.corrupt(bytes, self.command_faults);
        let mut commands = Vec::new();
        for byte in bytes {
            self.typed.push(byte);
            // A command ends at CR; the text after the prompt at Ctrl-Z or ESC.
            let end = if self.awaiting_pdu {
                byte == 0x1A || byte == 0x1B
            } else {
                byte == b'\r'
            };
            if end {
                let typed = core::mem::take(&mut self.typed);
                commands.push(
                    String::from_utf8_lossy(&typed)
                        .trim_end_matches('\r')
                        .to_string(),
                );
            }
        }
        commands
    }

    /// Runs the driver for `ms`; returns its events.
    pub fn run(&mut self, driver: &mut Driver, ms: u64) -> Vec<Event> {
        let mut events = Vec::new();
        let end = self.now + ms;
        while self.now < end {
            self.call_progress();
            self.ring_progress();
            self.flush(driver);
            // Bounded: a driver that kept talking without time passing is a bug to show.
            for _ in 0..64 {
                let Some(tx) = driver.poll_transmit(self.now) else {
                    break;
                };
                let tx = tx.to_vec();
                for command in self.receive(&tx) {
                    let reply = self.answer(&command);
                    self.send(driver, &reply);
                }
            }
            if let Some(on) = driver.poll_power() {
                self.power.push(on);
                self.awaiting_pdu = false;
                self.call = None;
                if on && !self.silent {
                    self.send(driver, "\r\nRDY\r\n");
                }
            }
            while let Some(e) = driver.poll_event() {
                events.push(e);
            }
            self.now += self.step_ms;
        }
        events
    }

    fn call_progress(&mut self) {
        let Some(call) = self.call else {
            return;
        };
        let ringing = self.now.saturating_sub(call.since);
        match self.far_end {
            FarEnd::Answers if !call.active && ringing >= 4_000 => {
                self.call = Some(Call {
                    active: true,
                    ..call
                });
                if self.call_urcs {
                    self.emit("\r\nMO CONNECTED\r\n");
                }
            }
            FarEnd::Rejects if ringing >= 3_000 => {
                self.call = None;
                if self.call_urcs {
                    self.emit("\r\nNO CARRIER\r\n");
                }
            }
            _ => {}
        }
    }

    /// The modem's answer to one command line.
    fn answer(&mut self, command: &str) -> String {
        self.log.push(command.to_string());
        if self.silent {
            return String::new();
        }
        if core::mem::take(&mut self.reboot_next) {
            self.awaiting_pdu = false;
            self.call = None;
            return "\r\nRDY\r\n".to_string();
        }
        let ok = if core::mem::take(&mut self.drop_next_ok) {
            ""
        } else {
            OK
        };
        if core::mem::take(&mut self.awaiting_pdu) {
            let Some(hex) = command.strip_suffix('\u{1a}') else {
                return "\r\nERROR\r\n".to_string();
            };

            self.sent.push(hex.to_string());
            let reference = self.next_reference;
            self.next_reference = self.next_reference.wrapping_add(1);
            return format!("\r\n+CMGS: {reference}\r\n{ok}");
        }
        let index = |prefix: &str| command.strip_prefix(prefix)?.parse::<u16>().ok();
        // A garbled parameter is a syntax error, not an empty index.
        let malformed = ["AT+CMGR=", "AT+CMGD="]
            .iter()
            .any(|p| command.starts_with(p) && index(p).is_none() && command != "AT+CMGD=1,4");
        if malformed {
            return "\r\nERROR\r\n".to_string();
        }
        let body = match command {
            "AT+CPIN?" => "\r\n+CPIN: READY\r\n".to_string(),
            "AT+CREG?" if self.registered => "\r\n+CREG: 2,1,\"CE00\",\"01CEAD8F\"\r\n".to_string(),
            "AT+CREG?" => "\r\n+CREG: 2,2\r\n".to_string(),
            "AT+CSQ" => format!("\r\n+CSQ: {},99\r\n", csq_rssi(self.signal_dbm)),
            "AT+CMGD=1,4" => {
                self.sim.clear();
                String::new()
            }
            "AT+CMGF=0" if !self.pdu_mode => return "\r\nERROR\r\n".to_string(),
            "AT+CMGF=0" => {
                self.text_mode = false;
                String::new()
            }
            "AT+CMGF=1" => {
                self.text_mode = true;
                String::new()
            }
            "AT+CMGL=4" if !self.text_mode => self
                .sim
                .iter()
                .map(|(i, pdu)| format!("\r\n+CMGL: {i},1,,{}\r\n{pdu}\r\n", tpdu_len(pdu)))
                .collect(),
            "AT+CMGL=\"ALL\"" if self.text_mode => self
                .sim
                .iter()
                .map(|(i, stored)| {
                    let (fields, body) = text_record(stored);
                    format!("\r\n+CMGL: {i},{fields}\r\n{body}\r\n")
                })
                .collect(),
            "AT+CMGL=4" | "AT+CMGL=\"ALL\"" => return "\r\n+CMS ERROR: 302\r\n".to_string(),
            "ATH" => {
                if self.incoming.take().is_some() {
                    self.hung_up_incoming = true;
                } else {
                    self.call = None;
                }
                String::new()
            }
            "AT+CLCC" => match self.call {
                Some(call) => {
                    let stat = match (call.active, self.now.saturating_sub(call.since) >= 2_000) {
                        (true, _) => 0,
                        (false, true) => 3,
                        (false, false) => 2,
                    };
                    format!("\r\n+CLCC: 1,0,{stat},0,0,\"+4912345\",145\r\n")
                }
                None => String::new(),
            },
            c if c.starts_with("AT+CMGR=") => {
                match self.sim.iter().find(|(j, _)| Some(*j) == index("AT+CMGR=")) {
                    Some((_, stored)) if self.text_mode => {
                        let (fields, body) = text_record(stored);
                        format!("\r\n+CMGR: {fields}\r\n{body}\r\n")
                    }
                    Some((_, pdu)) => format!("\r\n+CMGR: 1,,{}\r\n{pdu}\r\n", tpdu_len(pdu)),
                    None => return "\r\n+CMS ERROR: 321\r\n".to_string(),
                }
            }
            c if c.starts_with("AT+CMGD=") => {
                let i = index("AT+CMGD=");
                self.sim.retain(|(j, _)| Some(*j) != i);
                String::new()
            }
            c if c.starts_with("AT+CMGS=") && self.send_error.is_some() => {
                return format!("\r\n+CMS ERROR: {}\r\n", self.send_error.unwrap_or(500));
            }
            c if c.starts_with("AT+CMGS=") && self.registered => {
                let quoted = c
                    .strip_prefix("AT+CMGS=\"")
                    .and_then(|n| n.strip_suffix('"'));
                match (quoted, self.text_mode) {
                    (Some(number), true) => self.sent_to.push(number.to_string()),
                    (None, false) => {}
                    _ => return "\r\nERROR\r\n".to_string(),
                }
                self.awaiting_pdu = true;
                return "\r\n> ".to_string();
            }
            c if c.starts_with("AT+CMGS=") => return "\r\n+CMS ERROR: 331\r\n".to_string(),
            c if c.starts_with("AT+CUSD=") => {
                let code = c.split('"').nth(1).unwrap_or_default().to_string();
                self.ussd_requests.push(code);
                return match self.ussd_answer.clone() {
                    Some(answer) => format!("{ok}\r\n+CUSD: 0,\"{answer}\",15\r\n"),
                    None => ok.to_string(),
                };
            }
            c if c.starts_with("ATD") => {
                let number = c.trim_start_matches("ATD").trim_end_matches(';');
                self.dialled.push(number.to_string());
                self.call = Some(Call {
                    since: self.now,
                    active: false,
                });
                let ring = if self.call_urcs {
                    "\r\nMO RING\r\n"
                } else {
                    ""
                };
                return format!("{ok}{ring}");
            }
            c if SETTINGS.iter().any(|s| c.starts_with(s)) => String::new(),
            // Garbled or unknown.
            _ => return "\r\nERROR\r\n".to_string(),
        };
        body + ok
    }
}

/// A stored entry in text mode: (`+CMGR` fields from `<stat>`, body). A PDU
/// is shown as SIM800 does with `AT+CSDH=1`; a text record as stored.
fn text_record(stored: &str) -> (String, String) {
    if let Some((fields, body)) = stored.split_once('\n') {
        return (fields.to_string(), body.to_string());
    }
    let Ok(pdu::Pdu::Deliver(d)) = pdu::decode_hex(stored.as_bytes()) else {
        return ("\"REC UNREAD\",\"\",,".to_string(), stored.to_string());
    };
    let scts = d.timestamp.map(|t| {
        use chrono::{Datelike, Timelike};
        let quarters = t.offset().local_minus_utc() / (15 * 60);
        format!(
            "{:02}/{:02}/{:02},{:02}:{:02}:{:02}{quarters:+03}",
            t.year() % 100,
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    });
    let body: String = match d.user_data.alphabet {
        pdu::Alphabet::Ucs2 => d
            .user_data
            .text
            .encode_utf16()
            .map(|u| format!("{u:04X}"))
            .collect(),
        _ => d.user_data.text.to_string(),
    };
    let fields = format!(
        "\"REC UNREAD\",\"{}\",\"\",\"{}\",{},4,0,{},\"+491710760000\",145,{}",
        d.sender.number,
        scts.unwrap_or_default(),
        d.sender.toa,
        d.dcs,
        d.user_data.text.chars().count()
    );
    (fields, body)
}

/// TPDU length of a PDU in hex with its SMSC part (27.005 `<length>`).
fn tpdu_len(pdu_hex: &str) -> usize {
    let smsc = pdu_hex
        .get(..2)
        .and_then(|h| usize::from_str_radix(h, 16).ok())
        .unwrap_or(0);
    (pdu_hex.len() / 2).saturating_sub(smsc + 1)
}

/// SMS-DELIVER PDUs (hex, no SMSC) carrying `text` from `from`: the SUBMIT
/// encoder's parts with their headers turned into DELIVER headers, so long
/// texts come as concatenated parts.
pub fn deliver_pdus(from: &str, text: &str, concat_ref: u8) -> Vec<String> {
    let (y, mo, d, h, mi, s) = DEFAULT_SCTS;
    FixedOffset::east_opt(0)
        .and_then(|utc| utc.with_ymd_and_hms(y, mo, d, h, mi, s).single())
        .map_or_else(Vec::new, |t| deliver_pdus_at(from, text, concat_ref, &t))
}

/// [`deliver_pdus`] with the SMSC time stamp `sent_at`.
pub fn deliver_pdus_at(
    from: &str,
    text: &str,
    concat_ref: u8,
    sent_at: &DateTime<FixedOffset>,
) -> Vec<String> {
    let mut parts = Vec::new();
    let encoded = pdu::encode_submit(
        &Address::new(from),
        text,
        &SubmitOptions::default(),
        concat_ref,
        |p| parts.push(p),
    );
    if encoded.is_err() {
        return Vec::new();
    }
    parts
        .iter()
        .filter_map(|p| submit_to_deliver(&p.bytes, pdu::encode_scts(sent_at)))
        .map(|bytes| bytes.iter().map(|b| format!("{b:02X}")).collect())
        .collect()
}

/// `00 | FO MR DA PID DCS VP UDL UD` (SUBMIT, relative validity) to
/// `00 | FO OA PID DCS SCTS UDL UD` (DELIVER).
fn submit_to_deliver(submit: &[u8], scts: [u8; 7]) -> Option<Vec<u8>> {
    let smsc = usize::from(*submit.first()?);
    let tpdu = submit.get(1 + smsc..)?;
    let fo = *tpdu.first()?;
    let digits = usize::from(*tpdu.get(2)?);
    let address = tpdu.get(2..4 + digits.div_ceil(2))?;
    let rest = tpdu.get(4 + digits.div_ceil(2)..)?;
    let (pid_dcs, after) = (rest.get(..2)?, rest.get(3..)?); // skips TP-VP
    let mut out = Vec::new();
    out.extend([0x00, 0x04 | (fo & 0x40)]);
    out.extend_from_slice(address);
    out.extend_from_slice(pid_dcs);
    out.extend_from_slice(&scts);
    out.extend_from_slice(after);
    Some(out)
}

#[cfg(test)]
mod byte_stream_tests {
    use super::*;
    use crate::driver::State;
    use crate::profile;

    /// Moves bytes both ways until the line is quiet, like two UARTs.
    fn exchange(modem: &mut ScriptedModem, driver: &mut Driver, now: u64) -> Vec<Event> {
        let mut events = Vec::new();
        modem.advance_to(now);
        for _ in 0..200 {
            let mut busy = false;
            while let Some(tx) = driver.poll_transmit(now) {
                let tx = tx.to_vec();
                modem.write(&tx);
                busy = true;
            }
            let rx = modem.read();
            if !rx.is_empty() {
                driver.handle(now, &rx);
                busy = true;
            }
            while let Some(e) = driver.poll_event() {
                events.push(e);
            }
            if !busy {
                break;
            }
        }
        events
    }

    #[test]
    fn a_driver_talks_to_the_fake_through_bytes_only() {
        let mut modem = ScriptedModem::new(1);
        modem.far_end = FarEnd::Manual;
        modem.ussd_answer = None;
        let mut driver = Driver::new(&profile::SIM800, 0);
        let mut events = Vec::new();
        for t in (0..3_000).step_by(100) {
            events.extend(exchange(&mut modem, &mut driver, t));
        }
        assert!(events.contains(&Event::State(State::Ready)), "{events:?}");

        let sent_at = FixedOffset::east_opt(3600)
            .and_then(|z| z.with_ymd_and_hms(2026, 11, 21, 14, 5, 9).single())
            .unwrap();
        modem.deliver_at("+4915112345678", "STATUS", sent_at);
        let events = exchange(&mut modem, &mut driver, 3_000);
        let sms = events.iter().find_map(|e| match e {
            Event::Sms {
                id, text, sent_at, ..
            } => Some((*id, text.to_string(), *sent_at)),
            _ => None,
        });
        let (id, text, stamp) = sms.expect("the SMS");
        assert_eq!((text.as_str(), stamp), ("STATUS", Some(sent_at)));
        driver.ack(id);

        let long = "x".repeat(200);
        driver.send_sms("+4915112345678", &long).unwrap();
        exchange(&mut modem, &mut driver, 3_100);
        assert_eq!(
            modem.take_sent(),
            vec![("+4915112345678".to_string(), long)]
        );
        assert!(modem.take_sent().is_empty());

        driver.ussd("*100#");
        exchange(&mut modem, &mut driver, 3_200);
        assert_eq!(modem.ussd_requests, ["*100#"]);
        modem.ussd_reply("Баланс 5");
        let events = exchange(&mut modem, &mut driver, 3_300);
        assert!(
            events
                .iter()
                .any(|e| matches!(e, Event::Ussd(u) if u.text.as_str() == "Баланс 5")),
            "{events:?}"
        );

        modem.ring("+4930999999");
        let events = exchange(&mut modem, &mut driver, 3_400);
        assert!(
            events.iter().any(
                |e| matches!(e, Event::Ringing(Some(c)) if c.number.as_str() == "+4930999999")
            )
        );
        driver.hang_up();
        exchange(&mut modem, &mut driver, 3_500);
        assert!(modem.hung_up_incoming);
    }

    #[test]
    fn a_send_waiting_for_the_network_goes_as_soon_as_it_is_back() {
        let mut modem = ScriptedModem::new(2);
        let mut driver = Driver::new(&profile::SIM800, 0);
        for t in (0..3_000).step_by(100) {
            exchange(&mut modem, &mut driver, t);
        }
        // Coverage goes without a URC: the send is tried, refused (331) and backs off.
        modem.registered = false;
        driver.send_sms("+4915112345678", "Power failure!").unwrap();
        exchange(&mut modem, &mut driver, 3_100);
        assert!(modem.take_sent().is_empty(), "no network, nothing sent");
        assert!(
            modem.log.iter().any(|c| c.starts_with("AT+CMGS=")),
            "a send was tried"
        );
        // Back 5 s later, far inside the 30-s back-off: it goes at once.
        modem.set_registered(true);
        exchange(&mut modem, &mut driver, 8_100);
        exchange(&mut modem, &mut driver, 8_100);
        assert_eq!(
            modem.take_sent(),
            vec![("+4915112345678".to_string(), "Power failure!".to_string())]
        );
    }

    #[test]
    fn a_ringing_call_does_not_keep_the_driver_awake() {
        let mut modem = ScriptedModem::new(3);
        modem.far_end = FarEnd::Manual;
        let mut driver = Driver::new(&profile::SIM800, 0);
        for t in (0..3_000).step_by(100) {
            exchange(&mut modem, &mut driver, t);
        }
        driver.dial("+4911");
        exchange(&mut modem, &mut driver, 3_000);
        exchange(&mut modem, &mut driver, 5_000);
        assert!(modem.call_ringing());
        // SIM800 reports call progress by URC: nothing to poll, so no deadline in the past.
        assert!(driver.poll_timeout() > 5_000, "{}", driver.poll_timeout());
        modem.answer_call();
        let events = exchange(&mut modem, &mut driver, 6_000);
        assert!(events.contains(&Event::CallAnswered), "{events:?}");
        assert!(driver.poll_timeout() > 6_000);
    }

    #[test]
    fn a_send_waiting_for_the_network_does_not_keep_the_driver_awake() {
        let mut modem = ScriptedModem::new(4);
        let mut driver = Driver::new(&profile::SIM800, 0);
        for t in (0..3_000).step_by(100) {
            exchange(&mut modem, &mut driver, t);
        }
        modem.set_registered(false);
        exchange(&mut modem, &mut driver, 3_000);
        driver.send_sms("+4915112345678", "Power failure!").unwrap();
        exchange(&mut modem, &mut driver, 3_100);
        exchange(&mut modem, &mut driver, 9_000);
        assert!(driver.poll_timeout() > 9_000, "{}", driver.poll_timeout());
        modem.set_registered(true);
        exchange(&mut modem, &mut driver, 9_100);
        exchange(&mut modem, &mut driver, 9_100);
        assert_eq!(modem.take_sent().len(), 1);
    }
}
