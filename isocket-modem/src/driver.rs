//! The sans-IO modem driver: one AT command at a time, URCs turned into
//! [`Event`]s, SMS storage discipline and supervision. It never blocks and
//! never reads a clock: the caller passes `now_ms` (a monotonic millisecond
//! count) with every call, writes what [`Driver::poll_transmit`] returns,
//! drives the power pin as [`Driver::poll_power`] says, and feeds what the
//! modem sends to [`Driver::handle`].
//!
//! Decisions where the issue is silent:
//! - A received single-part SMS is deleted only after [`Driver::ack`]; until
//!   then it stays on the SIM, so a crash or reboot re-delivers it. Parts of
//!   a concatenated message are deleted once they are in the reassembly table.
//! - Stale messages are deleted at init with `AT+CMGD=1,4`.
//! - `+CMS ERROR: 322` (memory full) triggers the same delete-all.
//! - Supervision: a command timeout counts as silence; three in a row, a SIM
//!   error, 5 minutes unregistered, or an unexpected `RDY` re-initialise;
//!   a failed init power-cycles with back-off 10 s, 20 s … capped at 10 min.

use core::fmt::Write as _;

use heapless::{Deque, String, Vec};

use crate::calls::{CallProgress, CallerId, Number};
use crate::codec::{Codec, Final, Frame};
use crate::network::{self, RegStatus, SimState};
use crate::pdu::{self, Address, Pdu, SubmitOptions};
use crate::profile::Profile;
use crate::reassembly::{MESSAGE_TEXT, Pushed, Reassembly};
use crate::urc::Urc;
use crate::ussd::Ussd;

/// Timeout of an ordinary command.
pub const COMMAND_TIMEOUT_MS: u64 = 5_000;
/// Timeout of `AT+CMGS` and `AT+CUSD` (network round trips).
pub const NETWORK_TIMEOUT_MS: u64 = 60_000;
/// Supervision polls registration this often.
pub const POLL_INTERVAL_MS: u64 = 30_000;
/// Unregistered this long means re-initialise.
pub const UNREGISTERED_LIMIT_MS: u64 = 5 * 60_000;
/// The first power-cycle back-off; it doubles up to [`MAX_BACKOFF_MS`].
pub const FIRST_BACKOFF_MS: u64 = 10_000;
/// The longest power-cycle back-off.
pub const MAX_BACKOFF_MS: u64 = 10 * 60_000;

/// Driver state, reported on every change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Power-cycling through the pin.
    PoweringUp,
    /// Sending the init sequence.
    Initialising,
    /// Working.
    Ready,
}

/// What happened, for the application.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
#[allow(clippy::large_enum_variant)] // no alloc: events are handed out by value
pub enum Event {
    /// The driver state changed.
    State(State),
    /// A whole SMS. Call [`Driver::ack`] with `id` once it is handled.
    Sms {
        /// Storage index of its last part; pass it to [`Driver::ack`].
        id: u16,
        /// The sender.
        from: Number,
        /// The text.
        text: String<MESSAGE_TEXT>,
    },
    /// An SMS part was sent; `reference` is TP-MR.
    SmsSent {
        /// TP-MR from `+CMGS`.
        reference: u8,
    },
    /// An SMS could not be sent; the caller may queue it again.
    SmsFailed,
    /// Someone is calling.
    Ringing(Option<CallerId>),
    /// Our call was answered.
    CallAnswered,
    /// Our call was rejected, unanswered or ended.
    CallEnded,
    /// A USSD answer.
    Ussd(Ussd),
    /// Registration changed.
    Registration(RegStatus),
    /// Signal in dBm (`None`: unknown).
    Signal(Option<i16>),
    /// SIM state.
    Sim(SimState),
    /// Network time URC.
    NetworkTime(network::NetworkTime),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Init(u8),
    Poll,
    Signal,
    Read(u16),
    Delete(u16),
    DeleteAll,
    SendLength,
    SendBody,
    Dial,
    HangUp,
    Ussd,
    Clcc,
}

struct InFlight {
    op: Op,
    deadline: u64,
    /// The header seen for a `+CMGR`, waiting for its PDU line.
    header: bool,
}

const INIT_HEAD: [&str; 3] = ["ATE0", "AT+CMEE=1", "AT+CPIN?"];

/// The sans-IO driver.
pub struct Driver {
    codec: Codec,
    profile: &'static Profile,
    state: State,
    tx: Vec<u8, 400>,
    pending_tx: bool,
    in_flight: Option<InFlight>,
    work: Deque<Op, 16>,
    events: Deque<Event, 8>,
    power: Option<bool>,
    power_until: u64,
    power_on_at: Option<u64>,
    outgoing: Option<pdu::EncodedPdu>,
    dial: Option<Number>,
    ussd: Option<String<32>>,
    reassembly: Reassembly,
    silent_commands: u8,
    unregistered_since: Option<u64>,
    next_poll: u64,
    backoff: u64,
    registered: Option<RegStatus>,
}

impl Driver {
    /// A driver that starts by initialising the modem at `now_ms`.
    pub fn new(profile: &'static Profile, now_ms: u64) -> Self {
        let mut d = Driver {
            codec: Codec::new(),
            profile,
            state: State::Initialising,
            tx: Vec::new(),
            pending_tx: false,
            in_flight: None,
            work: Deque::new(),
            events: Deque::new(),
            power: None,
            power_until: 0,
            power_on_at: None,
            outgoing: None,
            dial: None,
            ussd: None,
            reassembly: Reassembly::new(),
            silent_commands: 0,
            unregistered_since: None,
            next_poll: now_ms + POLL_INTERVAL_MS,
            backoff: FIRST_BACKOFF_MS,
            registered: None,
        };
        d.reinit();
        d
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    fn set_state(&mut self, state: State) {
        if self.state != state {
            self.state = state;
            self.emit(Event::State(state));
        }
    }

    fn emit(&mut self, e: Event) {
        if self.events.is_full() {
            self.events.pop_front();
        }
        self.events.push_back(e).ok();
    }

    fn reinit(&mut self) {
        self.work.clear();
        self.in_flight = None;
        self.codec.done();
        self.work.push_back(Op::Init(0)).ok();
        self.set_state(State::Initialising);
    }

    fn power_cycle(&mut self, now_ms: u64) {
        self.work.clear();
        self.in_flight = None;
        self.power = Some(false);
        let on_at = now_ms + self.profile.power_pulse_ms;
        self.power_on_at = Some(on_at);
        self.power_until = on_at + self.backoff;
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF_MS);
        self.set_state(State::PoweringUp);
    }

    /// Queues a text message; it is split into parts as needed.
    pub fn send_sms(&mut self, to: &str, text: &str) -> Result<(), pdu::PduError> {
        let mut parts: Vec<pdu::EncodedPdu, 4> = Vec::new();
        let mut overflow = false;
        pdu::encode_submit(&Address::new(to), text, &SubmitOptions::default(), 0, |p| {
            overflow |= parts.push(p).is_err();
        })?;
        if overflow || parts.len() != 1 {
            // One part at a time keeps the core small; longer texts need the caller to split.
            return Err(pdu::PduError::TooLong);
        }
        self.outgoing = parts.pop();
        self.work
            .push_back(Op::SendLength)
            .map_err(|_| pdu::PduError::TooLong)
    }

    /// Confirms that the SMS handed out with `id` was handled: delete it.
    pub fn ack(&mut self, id: u16) {
        self.work.push_back(Op::Delete(id)).ok();
    }

    /// Dials `number`; [`Event::CallAnswered`] or [`Event::CallEnded`] follows.
    pub fn dial(&mut self, number: &str) {
        self.dial = Some(crate::calls::number(number.as_bytes()));
        self.work.push_back(Op::Dial).ok();
    }

    /// Hangs up.
    pub fn hang_up(&mut self) {
        self.work.push_back(Op::HangUp).ok();
    }

    /// Sends a USSD code such as `*100#`.
    pub fn ussd(&mut self, code: &str) {
        let mut c = String::new();
        c.push_str(code).ok();
        self.ussd = Some(c);
        self.work.push_back(Op::Ussd).ok();
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// A change for the power pin (`true`: on / PWRKEY released), if any.
    pub fn poll_power(&mut self) -> Option<bool> {
        self.power.take()
    }

    /// When the driver next wants [`Driver::poll_transmit`] called.
    pub fn poll_timeout(&self) -> u64 {
        let deadline = self
            .in_flight
            .as_ref()
            .map_or(self.next_poll, |f| f.deadline);
        match self.state {
            State::PoweringUp => self.power_on_at.unwrap_or(self.power_until),
            _ => deadline.min(self.next_poll),
        }
    }

    /// Bytes to write to the modem now, if any. Call it whenever time passes.
    pub fn poll_transmit(&mut self, now_ms: u64) -> Option<&[u8]> {
        self.on_time(now_ms);
        if self.in_flight.is_none() {
            if let Some(op) = self.work.pop_front() {
                self.start(op, now_ms);
            }
        }
        if core::mem::take(&mut self.pending_tx) {
            return Some(&self.tx);
        }
        None
    }

    fn on_time(&mut self, now_ms: u64) {
        if self.state == State::PoweringUp {
            if self.power_on_at.is_some_and(|t| now_ms >= t) {
                self.power_on_at = None;
                self.power = Some(true);
            }
            if now_ms >= self.power_until {
                self.reinit();
                self.in_flight = None;
                self.next_poll = now_ms + self.profile.boot_ms;
                self.work.clear();
                self.work.push_back(Op::Init(0)).ok();
            }
            return;
        }
        if let Some(f) = &self.in_flight {
            if now_ms >= f.deadline {
                self.timed_out(now_ms);
            }
        }
        if now_ms >= self.next_poll && self.state == State::Ready {
            self.next_poll = now_ms + POLL_INTERVAL_MS;
            self.work.push_back(Op::Poll).ok();
            self.work.push_back(Op::Signal).ok();
        }
        if self
            .unregistered_since
            .is_some_and(|t| now_ms.saturating_sub(t) >= UNREGISTERED_LIMIT_MS)
        {
            self.unregistered_since = Some(now_ms);
            self.reinit();
        }
        self.reassembly.expire(now_ms);
    }

    fn timed_out(&mut self, now_ms: u64) {
        let Some(f) = self.in_flight.take() else {
            return;
        };
        self.codec.done();
        self.silent_commands += 1;
        match f.op {
            Op::Init(_) => self.power_cycle(now_ms),
            Op::SendLength | Op::SendBody => self.emit(Event::SmsFailed),
            _ if self.silent_commands >= 3 => self.reinit(),
            _ => {}
        }
    }

    fn start(&mut self, op: Op, now_ms: u64) {
        self.tx.clear();
        let mut timeout = COMMAND_TIMEOUT_MS;
        let mut prompt = false;
        let prefix: Option<&'static [u8]> = match op {
            Op::Init(step) => {
                let i = usize::from(step);
                let cmd = INIT_HEAD
                    .get(i)
                    .or_else(|| self.profile.init.get(i - INIT_HEAD.len()));
                match cmd {
                    Some(cmd) => {
                        self.tx.extend_from_slice(cmd.as_bytes()).ok();
                    }
                    None => {
                        // Stale messages at boot: delete them unexecuted.
                        self.tx.extend_from_slice(b"AT+CMGD=1,4").ok();
                    }
                }
                (step == 2).then_some(b"+CPIN")
            }
            Op::Poll => {
                self.tx.extend_from_slice(b"AT+CREG?").ok();
                Some(b"+CREG")
            }
            Op::Signal => {
                self.tx.extend_from_slice(b"AT+CSQ").ok();
                Some(b"+CSQ")
            }
            Op::Read(i) => {
                write!(Buf(&mut self.tx), "AT+CMGR={i}").ok();
                Some(b"+CMGR")
            }
            Op::Delete(i) => {
                write!(Buf(&mut self.tx), "AT+CMGD={i}").ok();
                None
            }
            Op::DeleteAll => {
                self.tx.extend_from_slice(b"AT+CMGD=1,4").ok();
                None
            }
            Op::SendLength => {
                let len = self.outgoing.as_ref().map_or(0, |p| p.tpdu_len);
                write!(Buf(&mut self.tx), "AT+CMGS={len}").ok();
                prompt = true;
                timeout = NETWORK_TIMEOUT_MS;
                Some(b"+CMGS")
            }
            Op::SendBody => {
                if let Some(p) = &self.outgoing {
                    self.tx.extend_from_slice(&p.hex()).ok();
                }
                self.tx.push(0x1A).ok();
                timeout = NETWORK_TIMEOUT_MS;
                Some(b"+CMGS")
            }
            Op::Dial => {
                let n = self.dial.clone().unwrap_or_default();
                write!(Buf(&mut self.tx), "ATD{n};").ok();
                timeout = NETWORK_TIMEOUT_MS;
                None
            }
            Op::HangUp => {
                self.tx.extend_from_slice(b"ATH").ok();
                None
            }
            Op::Ussd => {
                let c = self.ussd.clone().unwrap_or_default();
                write!(Buf(&mut self.tx), "AT+CUSD=1,\"{c}\",15").ok();
                None
            }
            Op::Clcc => {
                self.tx.extend_from_slice(b"AT+CLCC").ok();
                Some(b"+CLCC")
            }
        };
        if op != Op::SendBody {
            self.tx.push(b'\r').ok();
        }
        self.codec.expect(prefix, prompt);
        self.in_flight = Some(InFlight {
            op,
            deadline: now_ms + timeout,
            header: false,
        });
        self.pending_tx = true;
    }

    /// Feeds bytes read from the modem.
    pub fn handle(&mut self, now_ms: u64, mut input: &[u8]) {
        while !input.is_empty() {
            let (used, frame) = self.codec.decode(input);
            input = input.get(used..).unwrap_or_default();
            let Some(frame) = frame else { continue };
            let action = classify(frame, self.in_flight.as_ref().map(|f| (f.op, f.header)));
            self.apply(now_ms, action);
        }
    }

    fn apply(&mut self, now_ms: u64, action: Action) {
        match action {
            Action::None => {}
            Action::Event(e) => {
                if let Event::Registration(s) = e {
                    self.on_registration(now_ms, s);
                }
                if matches!(e, Event::Sim(s) if s != SimState::Ready) {
                    self.reinit();
                }
                self.emit(e);
            }
            Action::NewSms(i) => {
                self.work.push_back(Op::Read(i)).ok();
            }
            Action::Rebooted => {
                if !matches!(self.in_flight.as_ref().map(|f| f.op), Some(Op::Init(_))) {
                    self.reinit();
                }
            }
            Action::Header => {
                if let Some(f) = &mut self.in_flight {
                    f.header = true;
                }
            }
            Action::Pdu(deliver) => self.on_sms(now_ms, deliver),
            Action::Prompt => {
                self.in_flight = None;
                self.start(Op::SendBody, now_ms);
            }
            Action::Sent(reference) => self.emit(Event::SmsSent { reference }),
            Action::Final(result) => self.finish(now_ms, result),
        }
    }

    fn on_registration(&mut self, now_ms: u64, s: RegStatus) {
        self.registered = Some(s);
        if s.is_registered() {
            self.unregistered_since = None;
        } else if self.unregistered_since.is_none() {
            self.unregistered_since = Some(now_ms);
        }
    }

    fn on_sms(&mut self, now_ms: u64, deliver: pdu::Deliver) {
        let Some(InFlight {
            op: Op::Read(index),
            ..
        }) = self.in_flight
        else {
            return;
        };
        match self.reassembly.push(now_ms, &deliver) {
            Pushed::Complete(m) => {
                self.emit(Event::Sms {
                    id: index,
                    from: m.sender,
                    text: m.text,
                });
            }
            _ => {
                self.work.push_back(Op::Delete(index)).ok();
            }
        }
    }

    fn finish(&mut self, now_ms: u64, result: Final) {
        let Some(f) = self.in_flight.take() else {
            if matches!(result, Final::NoCarrier | Final::Busy | Final::NoAnswer) {
                self.emit(Event::CallEnded);
            }
            return;
        };
        self.codec.done();
        self.silent_commands = 0;
        match (f.op, result) {
            (Op::Init(step), Final::Ok) => {
                let total = INIT_HEAD.len() + self.profile.init.len();
                if usize::from(step) < total {
                    self.work.push_front(Op::Init(step + 1)).ok();
                } else {
                    self.backoff = FIRST_BACKOFF_MS;
                    self.next_poll = now_ms;
                    self.set_state(State::Ready);
                }
            }
            // A modem that is still booting answers ERROR or +CME ERROR: 515/14.
            (Op::Init(_), _) => self.power_cycle(now_ms),
            (Op::SendLength | Op::SendBody, Final::Ok) => {}
            (Op::SendLength | Op::SendBody, Final::CmsError(Some(322)))
            | (Op::Read(_), Final::CmsError(Some(322))) => {
                self.work.push_front(Op::DeleteAll).ok();
                self.emit(Event::SmsFailed);
            }
            (Op::SendLength | Op::SendBody, _) => self.emit(Event::SmsFailed),
            (Op::Dial, Final::Ok)
                if self.profile.answer == crate::profile::AnswerDetection::Colp =>
            {
                self.emit(Event::CallAnswered)
            }
            (Op::Dial, Final::Ok)
                if self.profile.answer == crate::profile::AnswerDetection::ClccPolling =>
            {
                self.work.push_back(Op::Clcc).ok();
            }
            (Op::Dial, Final::Ok) => {}
            (Op::Dial, _) => self.emit(Event::CallEnded),
            _ => {}
        }
    }
}

/// What one frame means, given the command in flight.
#[allow(clippy::large_enum_variant)]
enum Action {
    None,
    Event(Event),
    NewSms(u16),
    Rebooted,
    Header,
    Pdu(pdu::Deliver),
    Prompt,
    Sent(u8),
    Final(Final),
}

fn classify(frame: Frame<'_>, in_flight: Option<(Op, bool)>) -> Action {
    match frame {
        Frame::Final(f) => Action::Final(f),
        Frame::Prompt => Action::Prompt,
        Frame::Overflow => Action::None,
        Frame::Info(line) => match in_flight {
            Some((Op::Read(_), false)) if line.starts_with(b"+CMGR") => Action::Header,
            Some((Op::Read(_), true)) => match pdu::decode_hex(line) {
                Ok(Pdu::Deliver(d)) => Action::Pdu(d),
                _ => Action::None,
            },
            Some((Op::SendLength | Op::SendBody, _)) if line.starts_with(b"+CMGS") => {
                crate::fields::fields(line, b"+CMGS")
                    .and_then(|mut f| f.next()?.number())
                    .map_or(Action::None, Action::Sent)
            }
            Some((Op::Poll, _)) => network::parse_registration(line, true)
                .map_or(Action::None, |r| {
                    Action::Event(Event::Registration(r.status))
                }),
            Some((Op::Signal, _)) => network::parse_csq(line)
                .map_or(Action::None, |s| Action::Event(Event::Signal(s.dbm()))),
            Some((Op::Init(_), _)) if line.starts_with(b"+CPIN") => match network::parse_cpin(line)
            {
                Some(SimState::Ready) | None => Action::None,
                Some(s) => Action::Event(Event::Sim(s)),
            },
            Some((Op::Clcc, _)) => match crate::calls::parse_clcc(line).map(|c| c.state) {
                Some(crate::calls::CallState::Active) => Action::Event(Event::CallAnswered),
                _ => Action::None,
            },
            _ => Action::None,
        },
        Frame::Urc(urc) => match urc {
            Urc::NewSms { index, .. } => Action::NewSms(index),
            Urc::Ready => Action::Rebooted,
            Urc::Ring | Urc::CRing => Action::Event(Event::Ringing(None)),
            Urc::CallerId(c) => Action::Event(Event::Ringing(Some(c))),
            Urc::CallProgress(CallProgress::Answered) => Action::Event(Event::CallAnswered),
            Urc::CallProgress(CallProgress::Ended) => Action::Event(Event::CallEnded),
            Urc::Ussd(u) => Action::Event(Event::Ussd(u)),
            Urc::Registration(r) => Action::Event(Event::Registration(r.status)),
            Urc::Signal(s) => Action::Event(Event::Signal(s.dbm())),
            Urc::Sim(s) => Action::Event(Event::Sim(s)),
            Urc::NetworkTime(t) => Action::Event(Event::NetworkTime(t)),
            Urc::Sms { body, .. } => match pdu::decode_hex(body) {
                Ok(Pdu::Deliver(d)) => Action::Pdu(d),
                _ => Action::None,
            },
            _ => Action::None,
        },
    }
}

/// `core::fmt::Write` into a bounded byte buffer; overflow truncates.
struct Buf<'a, const N: usize>(&'a mut Vec<u8, N>);

impl<const N: usize> core::fmt::Write for Buf<'_, N> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.0
            .extend_from_slice(s.as_bytes())
            .map_err(|_| core::fmt::Error)
    }
}
