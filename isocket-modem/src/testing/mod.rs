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
//! `AT+CMGF=0`; after `AT+CMGF=1` it lists and reads text records as its
//! dialect's manual shows them, with the `AT+CSDH=1` fields once that is
//! set (refused with [`ScriptedModem::refuses_csdh`]), and takes
//! `AT+CMGS="<number>"`. A message body is printed as the sender wrote it,
//! line breaks and result codes included.

use std::format;
use std::string::{String, ToString};
use std::vec::Vec;

use chrono::{DateTime, FixedOffset, TimeZone};

use crate::driver::{Driver, Event};
use crate::pdu::{self, Address, SubmitOptions};

mod answer;
pub mod dialect;
pub mod port;
mod text_records;

pub use dialect::{DialProgress, Dialect, Domains};
pub use port::SharedModem;

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
    /// Text mode is on (`AT+CMGF=1`; a reset goes back to PDU mode, the
    /// SIM800 manual's default `AT+CMGF=0`).
    pub text_mode: bool,
    /// `AT+CSDH=1` answers `ERROR`: text-mode headers never carry
    /// `<tooa>` and `<length>`.
    pub refuses_csdh: bool,
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
    /// Answers nothing (every command times out), also after a power cycle.
    pub silent: bool,
    /// Hung: answers nothing until its power is cut (then it boots well).
    pub hung: bool,
    /// How the board's power pin reaches the modem.
    pub wiring: Wiring,
    /// The modem is on.
    pub powered: bool,
    /// The PWRKEY went low at this time and is still held.
    key_down_at: Option<u64>,
    /// The next answer loses its `OK`.
    pub drop_next_ok: bool,
    /// The next command is lost to a reboot: the modem answers `RDY`.
    pub reboot_next: bool,
    /// Registered to the network; otherwise `AT+CMGS` fails with 331.
    pub registered: bool,
    /// `AT+CMGS` fails with this `+CMS ERROR`: a cause of the modem (300
    /// and up) at once, instead of the `>` prompt; a cause of the network
    /// (below 300, 3GPP TS 27.005 §3.2.5) after the PDU, as the network's
    /// answer, [`Self::send_delay_ms`] later.
    pub send_error: Option<u16>,
    /// The network refuses messages to these numbers (digits, with or
    /// without `+`) with this cause, after the PDU and
    /// [`Self::send_delay_ms`] (an RP-ERROR, 3GPP TS 24.011 §7.3.4): 1 for
    /// an unassigned number, 27 for a phone out of service.
    pub refuse_to: Vec<(String, u16)>,
    /// How the far end treats our calls.
    pub far_end: FarEnd,
    /// The family whose manual the fake follows.
    pub dialect: &'static Dialect,
    /// Registration domains the network grants while [`Self::registered`]:
    /// the dialect's by default; LTE-only coverage is `eps` alone.
    pub domains: Domains,
    /// The SIM card's state (`AT+CPIN?`, 27.007 §8.3).
    pub sim_card: SimCard,
    /// A fixed baud rate: a reboot prints the dialect's boot lines. With
    /// autobaud (`false`) a reboot is silent (SIM800 manual, AT+IPR).
    pub fixed_baud: bool,
    /// The network's answer to `AT+CMGS` takes this long (27.005 §3.5.1;
    /// SIM800 Series AT Command Manual V1.09 §4.2.5 AT+CMGS: maximum
    /// response time 60 s; slow networks take 40 s and more). 0 by
    /// default: scenarios expect a reply without time passing; tests of
    /// timing set a real network's delay.
    pub send_delay_ms: u64,
    /// `AT+CMGL` and `AT+CMGD=1,4` take this long per stored message
    /// (SIM800 manual, AT+CMGD: up to 25 s for 50 messages), and a
    /// single `AT+CMGR` or `AT+CMGD` this long too.
    pub storage_ms_per_message: u64,
    /// How the network ends a USSD session.
    pub ussd_session: UssdSession,
    /// Messages the SIM holds (`AT+CPMS?` `<total>`; 30 on many SIMs).
    /// With no room left the network keeps new messages and retries once
    /// a message is deleted (3GPP TS 23.040 §10.3, memory capacity exceeded).
    pub capacity: usize,
    /// Messages the network holds for a full SIM: (from, text, sent at).
    pub network_queue: Vec<(String, String, DateTime<FixedOffset>)>,
    /// Messages of [`ScriptedModem::deliver_raw`] the network holds for a full SIM.
    pub raw_queue: Vec<Vec<String>>,
    /// The settings that a reboot forgets (V.250 §6.2.4 echo; 27.005
    /// §3.4.1 CNMI; 27.007 §7.2, §7.6, §7.8 and the vendors' AT+CVHU,
    /// AT+MORING): every family powers up with echo on and the rest off.
    pub volatile: Volatile,
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
    /// When the modem last powered up or reset; `None`: long ago.
    booted_at: Option<u64>,
    /// Boot lines still to print: (time, line).
    boot_lines: Vec<(u64, &'static str)>,
    /// Reset with autobaud and no line read since: the next command line
    /// only tells the modem the baud rate, and is not answered (SIM800
    /// manual §2.2.41.1, "Auto-bauding": the host must send `AT` first).
    unsynced: bool,
    /// Answers of slow commands, due at their time; commands typed
    /// meanwhile wait in `backlog`, as the modem reads its UART buffer only
    /// after the command in progress.
    delayed: Option<(u64, String)>,
    backlog: Vec<String>,
    /// A USSD release line due at its time.
    ussd_release: Option<u64>,
    /// The async reader waiting for bytes ([`port::SharedModem`]).
    reader: Option<core::task::Waker>,
}

/// How the board's power pin reaches the modem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wiring {
    /// The pin switches the modem's supply: low is off, high boots it.
    Supply,
    /// The pin drives PWRKEY: held low for the dialect's time and
    /// released, it switches a modem that is off on, and one that is on off
    /// (hardware design guides: SIM800 at least 1 s either way, SIM7600 and
    /// A76xx 0.5 s on and 2.5 s off; power-off prints `NORMAL POWER DOWN`).
    PwrKey,
}

/// The SIM card, as `AT+CPIN?` reports it (27.007 §8.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimCard {
    /// `+CPIN: READY`.
    Ready,
    /// `+CPIN: SIM PIN`: SMS commands answer `+CMS ERROR: 311`.
    Pin,
    /// `+CPIN: NOT READY` (the card is still initialising or failed).
    NotReady,
    /// `+CME ERROR: 10` (SIM not inserted).
    Missing,
}

/// How the network ends a USSD session (27.007 §7.15 `<m>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UssdSession {
    /// `+CUSD: 0,"answer"`: no further action.
    Done,
    /// `+CUSD: 1,"answer"` (a menu), then, unless the host ends it with
    /// `AT+CUSD=2`, `+CUSD: 2` when the network times it out 10 s later.
    Menu,
    /// `+CUSD: 0,"answer"`, then `+CUSD: 2,"Initiating Release"`.
    Release,
}

/// The settings a reboot forgets, at their power-on values by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Volatile {
    /// `ATE1`: commands are echoed.
    pub echo: bool,
    /// `AT+CNMI=2,1…`: new messages are announced with `+CMTI`.
    pub cnmi: bool,
    /// `AT+CLIP=1`: `+CLIP` follows each `RING`.
    pub clip: bool,
    /// `AT+COLP=1`.
    pub colp: bool,
    /// `AT+MORING=1` (SIMCom).
    pub moring: bool,
    /// `AT+CVHU=1` (power-on value where the command exists).
    pub cvhu: bool,
    /// `n` of `AT+CREG`, `AT+CGREG`, `AT+CEREG`.
    pub reg_n: [u8; 3],
    /// `AT+IFC=2,…`: the modem obeys RTS (off at power-on).
    pub rts: bool,
    /// `AT+CSDH=1`: text-mode headers show `<tooa>`, `<length>` and the
    /// rest (27.005 §3.3.3; 0 at power-on).
    pub csdh: bool,
}

impl Volatile {
    /// The power-on values of `dialect`.
    pub fn power_on(dialect: &Dialect) -> Self {
        Volatile {
            echo: true,
            cnmi: false,
            clip: false,
            colp: false,
            moring: false,
            cvhu: dialect.cvhu,
            reg_n: [0; 3],
            rts: false,
            csdh: false,
        }
    }
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

/// How long a caller lets it ring.
const CALLER_GIVES_UP_MS: u64 = 30_000;
/// The SCTS of [`ScriptedModem::deliver`]: 2011-01-01 12:34:56 +00.
const DEFAULT_SCTS: (i32, u32, u32, u32, u32, u32) = (2011, 1, 1, 12, 34, 56);

const OK: &str = "\r\nOK\r\n";

impl ScriptedModem {
    /// A registered, fault-free SIM800 that booted long ago; `seed` drives
    /// the random faults.
    pub fn new(seed: u64) -> Self {
        Self::with_dialect(&dialect::SIM800, seed)
    }

    /// A registered, fault-free modem of `dialect` that booted long ago,
    /// with its power-on settings.
    pub fn with_dialect(dialect: &'static Dialect, seed: u64) -> Self {
        ScriptedModem {
            now: 0,
            sim: Vec::new(),
            sent: Vec::new(),
            sent_to: Vec::new(),
            pdu_mode: true,
            text_mode: false,
            refuses_csdh: false,
            log: Vec::new(),
            power: Vec::new(),
            faults: Faults::default(),
            command_faults: Faults::default(),
            reuse_indices: false,
            silent: false,
            hung: false,
            wiring: Wiring::Supply,
            powered: true,
            key_down_at: None,
            drop_next_ok: false,
            reboot_next: false,
            registered: true,
            send_error: None,
            refuse_to: Vec::new(),
            far_end: FarEnd::Answers,
            dialect,
            domains: dialect.domains,
            sim_card: SimCard::Ready,
            fixed_baud: true,
            send_delay_ms: 0,
            storage_ms_per_message: 0,
            ussd_session: UssdSession::Done,
            capacity: 30,
            network_queue: Vec::new(),
            raw_queue: Vec::new(),
            volatile: Volatile::power_on(dialect),
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
            booted_at: None,
            boot_lines: Vec::new(),
            unsynced: false,
            delayed: None,
            backlog: Vec::new(),
            ussd_release: None,
            reader: None,
        }
    }

    /// The modem resets now, as after a brown-out: it forgets its settings
    /// and ends calls, prints its boot lines (with a fixed baud rate), and
    /// is busy until its parts are up ([`Dialect`]).
    pub fn reboot(&mut self) {
        self.awaiting_pdu = false;
        self.call = None;
        self.incoming = None;
        self.delayed = None;
        self.backlog.clear();
        self.ussd_release = None;
        self.typed.clear();
        self.volatile = Volatile::power_on(self.dialect);
        // A modem without PDU mode has only text mode.
        self.text_mode = !self.pdu_mode;
        self.booted_at = Some(self.now);
        self.boot_lines = match self.fixed_baud {
            true => self.dialect.boot.to_vec(),
            false => Vec::new(),
        };
        self.unsynced = !self.fixed_baud;
        self.boot_progress();
    }

    /// A reset without a word (autobaud, or a watchdog in the module):
    /// settings forgotten, no boot lines.
    pub fn silent_reset(&mut self) {
        let fixed = core::mem::replace(&mut self.fixed_baud, false);
        self.reboot();
        self.fixed_baud = fixed;
    }

    /// Milliseconds since the last reset, or `u64::MAX` if none.
    fn uptime(&self) -> u64 {
        self.booted_at
            .map_or(u64::MAX, |t| self.now.saturating_sub(t))
    }

    /// Prints the boot lines that are due.
    fn boot_progress(&mut self) {
        let uptime = self.uptime();
        while let Some(&(at, line)) = self.boot_lines.first() {
            if at > uptime {
                break;
            }
            self.boot_lines.remove(0);
            // A dead modem prints nothing.
            if self.silent || !self.powered {
                continue;
            }
            // Without a ready SIM: its state instead of READY, and no SMS service.
            let sms_ready = ["SMS Ready", "SMS DONE", "+QIND: SMS DONE"].contains(&line);
            match (line, self.sim_card) {
                (_, SimCard::Ready) => self.emit(&format!("\r\n{line}\r\n")),
                ("+CPIN: READY", card) => {
                    let state = match card {
                        SimCard::Pin => "SIM PIN",
                        SimCard::NotReady => "NOT READY",
                        _ => "NOT INSERTED",
                    };
                    self.emit(&format!("\r\n+CPIN: {state}\r\n"));
                }
                _ if sms_ready => {}
                _ => self.emit(&format!("\r\n{line}\r\n")),
            }
        }
    }

    /// Whether our call's progress comes as SIMCom URCs.
    fn call_urcs(&self) -> bool {
        self.dialect.dial == DialProgress::MoRing && self.volatile.moring
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
    pub fn deliver_text<const T: usize, const L: usize>(
        &mut self,
        driver: &mut Driver<T, L>,
        fields: &str,
        body: &str,
    ) -> u16 {
        let index = self.store_text(fields, body);
        self.announce(index);
        self.flush(driver);
        index
    }

    /// A message from `from` arrives (one part per PDU): stored and
    /// announced with `+CMTI`. Returns the index of the last part.
    pub fn deliver<const T: usize, const L: usize>(
        &mut self,
        driver: &mut Driver<T, L>,
        from: &str,
        text: &str,
    ) -> u16 {
        let (y, mo, d, h, mi, s) = DEFAULT_SCTS;
        let sent_at = FixedOffset::east_opt(0)
            .and_then(|utc| utc.with_ymd_and_hms(y, mo, d, h, mi, s).single());
        let last = sent_at.map_or(0, |t| self.deliver_at(from, text, t));
        self.flush(driver);
        last
    }

    /// A message from `from`, time-stamped `sent_at` by the SMSC, arrives:
    /// stored and announced with `+CMTI` to whoever reads the line. Returns
    /// the index of the last part; 0 when the SIM had no room, the
    /// dialect's storage-full line went out and the network keeps it.
    pub fn deliver_at(&mut self, from: &str, text: &str, sent_at: DateTime<FixedOffset>) -> u16 {
        let parts = deliver_pdus_at(from, text, self.next_reference, &sent_at);
        if self.sim.len() + parts.len() > self.capacity {
            if let Some(full) = self.dialect.storage_full {
                self.emit(&format!("\r\n{full}\r\n"));
            }
            self.network_queue
                .push((from.to_string(), text.to_string(), sent_at));
            return 0;
        }
        let mut last = 0;
        for part in parts {
            last = self.store(&part);
            self.announce(last);
        }
        self.next_reference = self.next_reference.wrapping_add(1);
        last
    }

    /// A message arrives as DELIVER PDUs a test built itself (hex, no
    /// SMSC octet): any sender type of address (alphanumeric 0xD0, national
    /// 0xA1, unknown 0x81), any coding, header or body bytes, a missing
    /// concatenated part. Each PDU is stored and announced with `+CMTI`, as
    /// [`ScriptedModem::deliver_at`] does; returns the last index. With no
    /// room on the SIM: the dialect's storage-full line, and the network
    /// keeps the message ([`ScriptedModem::raw_queue`]) until a message is
    /// deleted (23.040 §10.3); returns 0.
    pub fn deliver_raw(&mut self, pdus: &[String]) -> u16 {
        if self.sim.len() + pdus.len() > self.capacity {
            if let Some(full) = self.dialect.storage_full {
                self.emit(&format!("\r\n{full}\r\n"));
            }
            self.raw_queue.push(pdus.to_vec());
            return 0;
        }
        let mut last = 0;
        for pdu in pdus {
            last = self.store(pdu);
            self.announce(last);
        }
        last
    }

    /// The network retries what it holds once the SIM has room.
    fn network_retry(&mut self) {
        while let Some(pdus) = self.raw_queue.first() {
            if self.sim.len() + pdus.len() > self.capacity {
                break;
            }
            let pdus = self.raw_queue.remove(0);
            self.deliver_raw(&pdus);
        }
        while let Some((from, text, sent_at)) = self.network_queue.first().cloned() {
            let parts = deliver_pdus_at(&from, &text, self.next_reference, &sent_at).len();
            if self.sim.len() + parts > self.capacity {
                return;
            }
            self.network_queue.remove(0);
            self.deliver_at(&from, &text, sent_at);
        }
    }

    /// `+CMTI` for a message stored at `index`, if `AT+CNMI` asked for it
    /// (27.005 §3.4.1: by default a modem announces nothing).
    fn announce(&mut self, index: u16) {
        if self.volatile.cnmi {
            self.emit(&format!("\r\n+CMTI: \"SM\",{index}\r\n"));
        }
    }

    /// Sends unsolicited bytes through the faulty line.
    pub fn send<const T: usize, const L: usize>(&mut self, driver: &mut Driver<T, L>, text: &str) {
        self.emit(text);
        self.flush(driver);
    }

    /// Queues bytes for the host, after the line faults.
    fn emit(&mut self, text: &str) {
        let line = self.corrupt(text.as_bytes(), self.faults);
        self.output.extend(line);
        if let Some(reader) = self.reader.take() {
            reader.wake();
        }
    }

    /// Hands the queued bytes to `driver` in two reads, split mid-line, as a UART delivers them.
    fn flush<const T: usize, const L: usize>(&mut self, driver: &mut Driver<T, L>) {
        let line = core::mem::take(&mut self.output);
        let (a, b) = line.split_at(line.len() / 2);
        driver.handle(self.now, a);
        driver.handle(self.now, b);
    }

    /// The host writes `bytes` (a UART's other end): each complete command
    /// is answered into the bytes [`ScriptedModem::read`] returns.
    pub fn write(&mut self, bytes: &[u8]) {
        for command in self.receive(bytes) {
            if self.delayed.is_some() {
                self.backlog.push(command);
                continue;
            }
            let reply = self.answer(&command);
            self.emit(&reply);
        }
    }

    /// The bytes waiting for the host.
    pub fn read(&mut self) -> Vec<u8> {
        core::mem::take(&mut self.output)
    }

    /// Moves up to `buf.len()` waiting bytes into `buf`; how many.
    fn read_into(&mut self, buf: &mut [u8]) -> usize {
        let n = buf.len().min(self.output.len());
        for (slot, byte) in buf.iter_mut().zip(self.output.drain(..n)) {
            *slot = byte;
        }
        n
    }

    /// Lets the fake's time run to `now_ms`: call progress and ringing.
    pub fn advance_to(&mut self, now_ms: u64) {
        self.now = self.now.max(now_ms);
        self.tick();
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
        let boot = self
            .boot_lines
            .first()
            .zip(self.booted_at)
            .map(|((at, _), t)| t + at);
        let slow = self.delayed.as_ref().map(|(at, _)| *at);
        [ring, call, boot, slow, self.ussd_release]
            .into_iter()
            .flatten()
            .min()
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
            if self.dialect.missed_call_no_carrier {
                self.emit("\r\nNO CARRIER\r\n");
            }
            return;
        }
        if self.now >= call.next_ring {
            self.emit("\r\nRING\r\n");
            if self.volatile.clip {
                // 27.007 §7.6: a withheld number is empty, `<CLI validity>` 1.
                let (toa, validity) = match call.from.as_str() {
                    "" => (128, 1),
                    f if f.starts_with('+') => (145, 0),
                    _ => (129, 0),
                };
                self.emit(&format!(
                    "\r\n+CLIP: \"{}\",{toa},\"\",0,\"\",{validity}\r\n",
                    call.from
                ));
            }
            self.incoming = Some(Incoming {
                next_ring: self.now + self.dialect.ring_every_ms,
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
            if self.call_urcs() {
                self.emit("\r\nMO CONNECTED\r\n");
            }
            if self.dial_pending() {
                self.emit("\r\n+COLP: \"+4912345\",145\r\n\r\nOK\r\n");
            }
        }
    }

    /// The far end rejects the host's call ([`FarEnd::Manual`]).
    pub fn reject_call(&mut self) {
        if self.call.take().is_some() {
            if self.call_urcs() {
                self.emit("\r\nNO CARRIER\r\n");
            }
            if self.dial_pending() {
                self.emit("\r\nBUSY\r\n");
            }
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
        self.set_sim(match ready {
            true => SimCard::Ready,
            false => SimCard::Missing,
        });
    }

    /// The SIM card changes state, with the `+CPIN` URC SIMCom and Quectel send.
    pub fn set_sim(&mut self, card: SimCard) {
        self.sim_card = card;
        self.emit(match card {
            SimCard::Ready => "\r\n+CPIN: READY\r\n",
            SimCard::Pin => "\r\n+CPIN: SIM PIN\r\n",
            SimCard::NotReady => "\r\n+CPIN: NOT READY\r\n",
            SimCard::Missing => "\r\n+CPIN: NOT INSERTED\r\n",
        });
    }

    /// Registration changes, with a URC for each domain whose `n` asks for one.
    pub fn set_registered(&mut self, registered: bool) {
        self.registered = registered;
        for domain in 0..3 {
            if let Some(urc) = self.registration_line(domain, false) {
                self.emit(&urc);
            }
        }
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
    pub fn run<const T: usize, const L: usize>(
        &mut self,
        driver: &mut Driver<T, L>,
        ms: u64,
    ) -> Vec<Event> {
        let mut events = Vec::new();
        let end = self.now + ms;
        while self.now < end {
            self.tick();
            self.flush(driver);
            // Bounded: a driver that kept talking without time passing is a bug to show.
            for _ in 0..64 {
                let Some(tx) = driver.poll_transmit(self.now) else {
                    break;
                };
                let tx = tx.to_vec();
                self.write(&tx);
                self.flush(driver);
            }
            while let Some(on) = driver.poll_power() {
                self.power_pin(on);
                self.flush(driver);
            }
            while let Some(e) = driver.poll_event() {
                events.push(e);
            }
            self.now += self.step_ms;
        }
        events
    }

    /// The power pin (supply switch, or PWRKEY released): power-on boots.
    pub fn power_pin(&mut self, on: bool) {
        self.power.push(on);
        match (self.wiring, on) {
            (Wiring::Supply, true) => self.switch_on(),
            (Wiring::Supply, false) => self.switch_off(),
            (Wiring::PwrKey, false) => self.key_down_at = Some(self.now),
            (Wiring::PwrKey, true) => {
                let held = self.key_down_at.take().map(|t| self.now.saturating_sub(t));
                let needed = match self.powered {
                    true => self.dialect.pwrkey_off_ms,
                    false => self.dialect.pwrkey_on_ms,
                };
                match (held.is_some_and(|ms| ms >= needed), self.powered) {
                    (false, _) => {}
                    (true, true) => {
                        if !self.silent {
                            self.emit("\r\nNORMAL POWER DOWN\r\n");
                        }
                        self.switch_off();
                    }
                    (true, false) => self.switch_on(),
                }
            }
        }
    }

    fn switch_on(&mut self) {
        self.powered = true;
        self.reboot();
    }

    /// Off: nothing answers until it boots again; a hang is over.
    fn switch_off(&mut self) {
        self.powered = false;
        self.hung = false;
        self.awaiting_pdu = false;
        self.call = None;
        self.incoming = None;
        self.delayed = None;
        self.backlog.clear();
        self.boot_lines.clear();
    }

    /// What happens by itself as time passes: boot lines, slow answers
    /// (and the commands typed meanwhile), the USSD release, calls and rings.
    fn tick(&mut self) {
        self.boot_progress();
        self.network_retry();
        if self.delayed.as_ref().is_some_and(|(at, _)| *at <= self.now) {
            if let Some((_, answer)) = self.delayed.take() {
                self.emit(&answer);
            }
            while self.delayed.is_none() && !self.backlog.is_empty() {
                let command = self.backlog.remove(0);
                let reply = self.answer(&command);
                self.emit(&reply);
            }
        }
        if self.ussd_release.is_some_and(|at| at <= self.now) {
            self.ussd_release = None;
            self.emit("\r\n+CUSD: 2,\"Initiating Release\",15\r\n");
        }
        self.call_progress();
        self.ring_progress();
    }

    fn call_progress(&mut self) {
        let Some(call) = self.call else {
            return;
        };
        let ringing = self.now.saturating_sub(call.since);
        match self.far_end {
            FarEnd::Answers if !call.active && ringing >= 4_000 => self.answer_call(),
            FarEnd::Rejects if ringing >= 3_000 => self.reject_call(),
            _ => {}
        }
    }

    /// Whether `ATD` is still waiting for the call to end (COLP on).
    fn dial_pending(&self) -> bool {
        self.dialect.dial == DialProgress::Colp && self.volatile.colp
    }
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

/// [`deliver_pdus`] from an address of any type: an alphanumeric sender
/// is `Address::with_toa("Bank", 0xD0)`.
pub fn deliver_pdus_from(from: &Address, text: &str) -> Vec<String> {
    let (y, mo, d, h, mi, s) = DEFAULT_SCTS;
    FixedOffset::east_opt(0)
        .and_then(|utc| utc.with_ymd_and_hms(y, mo, d, h, mi, s).single())
        .map_or_else(Vec::new, |t| addressed(from, text, 0, &t))
}

/// [`deliver_pdus`] with the SMSC time stamp `sent_at`.
pub fn deliver_pdus_at(
    from: &str,
    text: &str,
    concat_ref: u8,
    sent_at: &DateTime<FixedOffset>,
) -> Vec<String> {
    addressed(&Address::new(from), text, concat_ref, sent_at)
}

fn addressed(
    from: &Address,
    text: &str,
    concat_ref: u8,
    sent_at: &DateTime<FixedOffset>,
) -> Vec<String> {
    let mut parts = Vec::new();
    let encoded = pdu::encode_submit(from, text, &SubmitOptions::default(), concat_ref, |p| {
        parts.push(p)
    });
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
mod byte_stream_tests;
