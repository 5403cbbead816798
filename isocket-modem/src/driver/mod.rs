//! The sans-IO modem driver: one AT command at a time, URCs turned into
//! [`Event`]s, SMS storage discipline, an outgoing queue and supervision. It
//! never blocks and never reads a clock: the caller passes `now_ms` (a
//! monotonic millisecond count) with every call, writes what
//! [`Driver::poll_transmit`] returns, drives the power pin as
//! [`Driver::poll_power`] says, and feeds what the modem sends to
//! [`Driver::handle`].
//!
//! Decisions where the issue is silent:
//! - A received single-part SMS is deleted only after [`Driver::ack`]; until
//!   then it stays on the SIM. Parts of a concatenated message are deleted
//!   once they are in the reassembly table.
//! - Each storage index handed out is remembered, with a fingerprint of the
//!   message (sender, SCTS, text: the same in PDU and text mode), until
//!   reads prove it deleted, so a duplicated `+CMTI`, a re-read or a list
//!   never hands it out twice (at most once).
//! - A delete is never trusted on its answer alone: any answer, an error or
//!   a timeout makes the index "unsure", and it is read again (every
//!   [`VERIFY_RETRY_MS`] until clear). The same fingerprint: delete again.
//!   Empty (`+CMS ERROR: 321`, or `OK` without a line) [`EMPTY_READS`]
//!   times in a row: gone (once could be a garbled command that read
//!   another index). A different message that reads the same twice: a
//!   new message stored at the freed index (modems reuse the lowest free
//!   one), handed out.
//! - A message is handed out only once the same line came back from two
//!   reads: three in text mode, or when the PDU has octets after its user
//!   data or no valid time stamp (as a line shifted by a lost and a
//!   duplicated digit has); [`NOISY_READS`] more when reads of it also
//!   found something else, as noise then garbles reads the same way often
//!   enough. The reads need not be in a row: on a noisy line most reads of
//!   a long PDU arrive garbled, each differently. A PDU line whose length
//!   is not the header's `<length>` or that is not hex was garbled on the
//!   way and does not count; one after a header too garbled to read counts.
//!   A read that gets no message is repeated after the other work.
//! - A `>` prompt not seen within [`PROMPT_TIMEOUT_MS`] fails the attempt,
//!   and ESC goes out before the next command: the modem may still wait
//!   for the PDU, and would take the command for one.
//! - A line one byte away from `OK` (`OOK`, `OK?`, `0K`) is taken for the
//!   `OK` it was, except as a text-mode message body.
//! - Stale messages are deleted (`AT+CMGD=1,4`) only at the first init after
//!   [`Driver::new`] (device boot). Later re-inits (modem reboot, silence,
//!   power cycle) keep the SIM's messages and list them (`AT+CMGL=4`); the
//!   same list runs with every supervision poll, so a `+CMTI` lost to line
//!   noise delays a message by at most [`POLL_INTERVAL_MS`] instead of losing it.
//! - A `+CMGR` answer without a message (no SMS-DELIVER, or text-mode
//!   status not `REC …`) is fingerprinted (FNV-1a); the same fingerprint
//!   [`UNDECODABLE_AFTER`] times in a row deletes the message unread with
//!   [`Event::SmsUndecodable`]. A different answer restarts the count, so a
//!   read garbled by noise is just retried at the next list.
//! - Reads and deletes that were queued or in flight survive a re-init.
//! - Text mode ([`crate::text`]) replaces `AT+CMGF=0` in the init with
//!   `AT+CMGF=1`, `AT+CSCS="GSM"`, `AT+CSDH=1` (the last two may fail), lists
//!   with `AT+CMGL="ALL"`, and sends with `AT+CMGS="<number>"`; a text body
//!   that spans lines ends at the final result code. A body line that is
//!   itself a final result (an SMS reading just `OK`) cannot be told apart
//!   from the end of the answer; such a message is handed out empty.
//! - Sends wait, like reads, while the event queue is nearly full, so no
//!   `SmsSent` is ever lost to a full queue.
//! - Reading stops while the event queue or the handed-out table is nearly
//!   full, or all [`SMS_SLOTS`] texts wait to be handed out (back-pressure
//!   instead of dropping events): the queue holds small events, and a
//!   message's text has a slot of its own until [`Driver::poll_event`]
//!   hands it out, so the next message stays on the SIM until then.
//! - Outgoing SMS wait in a queue of [`OUTBOX_LEN`]; a failed attempt (error,
//!   timeout, modem reboot) is retried after [`FIRST_RETRY_MS`], doubling up
//!   to [`MAX_BACKOFF_MS`]; a part that goes out ends the other messages'
//!   waits. Parts already sent are not sent again. A message
//!   is dropped only to make room for a new one, and only once it has failed
//!   [`DROPPABLE_AFTER`] times ([`Event::SmsDropped`]). Delivery is at least
//!   once: a `+CMGS` answer lost to noise makes the part go out again.
//! - Supervision: a command timeout counts as silence; three in a row, a SIM
//!   error, 5 minutes unregistered, or an unexpected `RDY` (also in the
//!   middle of the init: the modem forgot its settings) re-initialise. An
//!   init command that fails or goes unanswered is tried
//!   [`INIT_ATTEMPTS`] times before the modem is power-cycled, with
//!   back-off 10 s, 20 s … capped at 10 min. Registration is polled every
//!   [`REGISTRATION_RETRY_MS`] while it is not known to be registered.
//! - Calls: a dialled call not answered within [`DIAL_TIMEOUT_MS`] is hung up
//!   ([`CallEnd::Unanswered`]). Profiles with [`AnswerDetection::ClccPolling`]
//!   poll `AT+CLCC` every [`CLCC_INTERVAL_MS`]: an active call is answered, a
//!   call missing from the list was rejected.
//! - `NO CARRIER`, `BUSY` and `NO ANSWER` while another command is in flight
//!   end the call, not that command.

mod calls;
mod classify;
mod events;
mod inbox;
mod outbox;
mod ussd;

use core::fmt::Write as _;

use heapless::{Deque, String, Vec};

use crate::calls::CallState;
use crate::codec::{Codec, Final, Frame};
use crate::network::{Domain, RegStatus, SimState};
use crate::profile::{AnswerDetection, Profile, SmsMode};
use crate::reassembly::MESSAGE_TEXT;
use crate::ussd::Ussd;

use calls::{Calls, Tick};
use classify::{Action, Expecting, classify, is_busy, is_garbled_ok};
use events::Queued;
pub use events::{CallEnd, Event, SendError, SmsHandle, State};
use inbox::{Answer, Inbox};
use outbox::{Begun, Outbox};
use ussd::UssdRequest;

/// Timeout of an ordinary command.
pub const COMMAND_TIMEOUT_MS: u64 = 5_000;
/// Timeout of `AT+CMGL` (SIM800 manual, AT+CMGL and AT+CMGD: up to 20 s
/// and 25 s with a full SIM).
pub const STORAGE_TIMEOUT_MS: u64 = 25_000;
/// A busy answer during the init (`+CME ERROR: 14` or `515`, `+CMS ERROR:
/// 314`: the SIM or the modem is still starting) is retried after this,
/// doubling up to 8 s, for up to [`BOOT_LIMIT_MS`]; a failed init command
/// waits this long before its next try.
pub const BUSY_RETRY_MS: u64 = 1_000;
/// A modem still busy this long after its init began counts as failing.
pub const BOOT_LIMIT_MS: u64 = 60_000;
/// An incoming call whose `RING` has not come again for this long has
/// ended (the network repeats it every 3 to 6 s; one may be lost to noise).
pub const RING_GAP_MS: u64 = 10_000;
/// `+CLIP` follows each `RING` (27.007 §7.6); a call without one for this
/// long is announced without a number.
pub const CLIP_WAIT_MS: u64 = 1_500;
/// Timeout of an `AT+CMGS` PDU and of `AT+CUSD` (network round trips).
pub const NETWORK_TIMEOUT_MS: u64 = 60_000;
/// Supervision polls registration (and lists stored SMS) this often.
pub const POLL_INTERVAL_MS: u64 = 30_000;
/// Unregistered this long means re-initialise.
pub const UNREGISTERED_LIMIT_MS: u64 = 5 * 60_000;
/// The first power-cycle back-off; it doubles up to [`MAX_BACKOFF_MS`].
pub const FIRST_BACKOFF_MS: u64 = 10_000;
/// The longest power-cycle and send-retry back-off.
pub const MAX_BACKOFF_MS: u64 = 10 * 60_000;
/// Outgoing messages the queue holds.
pub const OUTBOX_LEN: usize = 4;
/// Longest outgoing text, in UTF-8 bytes, of a [`Driver`] by default; a
/// board whose texts are shorter sets its own ([`Driver::with_capacity`]).
pub const OUT_TEXT: usize = 640;
/// Most parts of one outgoing message, and of a received one.
pub const MAX_PARTS: usize = 4;
/// Concatenated messages a [`Driver`] assembles at once by default.
pub const LONG_MESSAGES: usize = 4;
/// The first wait before a failed send is tried again.
pub const FIRST_RETRY_MS: u64 = 30_000;
/// Failed attempts after which a queued message may give up its place.
pub const DROPPABLE_AFTER: u8 = 10;
/// A dialled call not answered within this is hung up.
pub const DIAL_TIMEOUT_MS: u64 = 45_000;
/// `AT+CMGS` waits this long for its `>` prompt (modems give it at once;
/// the network round trip follows the PDU).
pub const PROMPT_TIMEOUT_MS: u64 = 10_000;
/// The ESC that leaves a lost `>` prompt waits this long for an answer it
/// may not get.
pub const ESCAPE_TIMEOUT_MS: u64 = 1_000;
/// `AT+CLCC` polling interval while a dialled call is not answered.
pub const CLCC_INTERVAL_MS: u64 = 1_000;
/// Events the queue holds. An entry is small (tens of bytes): SMS texts
/// wait in [`SMS_SLOTS`] slots of their own.
pub const EVENTS: usize = 8;
/// Reassembled SMS texts ([`MESSAGE_TEXT`] bytes each) waiting to be handed
/// out by [`Driver::poll_event`]. Reading stops while they are all taken,
/// so a message waits on the SIM instead of being dropped.
pub const SMS_SLOTS: usize = 1;
/// Storage indices remembered between hand-out and a successful delete.
pub const TRACKED: usize = 16;
/// Reads of the same stored message that must fail the same way before it
/// is deleted unread ([`Event::SmsUndecodable`]).
pub const UNDECODABLE_AFTER: u8 = 3;
/// Extra reads that must agree on a message whose reads also found
/// something else: the line garbles there.
pub const NOISY_READS: u8 = 2;
/// Reads in a row that must find an index empty before a delete whose
/// answer was lost counts as done.
pub const EMPTY_READS: u8 = 3;
/// Wait between reads of an index whose delete may not have happened.
pub const VERIFY_RETRY_MS: u64 = 1_000;
/// Tries of one init command (an error or no answer) before a power cycle:
/// line noise garbles a command or its `OK` now and then, a modem that is
/// really stuck fails every try.
pub const INIT_ATTEMPTS: u8 = 3;
/// While unregistered (or after a poll without a readable answer),
/// registration is polled this often instead of [`POLL_INTERVAL_MS`].
pub const REGISTRATION_RETRY_MS: u64 = 2_000;
/// `+CMS ERROR: 331`, "no network service" (3GPP TS 27.005 §3.2.5).
const NO_NETWORK_SERVICE: u16 = 331;
/// Room for the longest command: a PDU (up to 176 octets) in hex and Ctrl-Z.
const TX_LEN: usize = 400;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Init(u8),
    /// `AT+CxREG?` of one domain.
    Poll(Domain),
    Signal,
    List,
    Read(u16),
    Delete(u16),
    SendLength,
    SendBody,
    Dial,
    HangUp,
    Ussd,
    /// `AT+CUSD=2`: ends a session the network left open (a menu).
    CancelUssd,
    Clcc,
    /// ESC: leaves a `>` prompt whose answer was lost, so the next command
    /// is not typed into an SMS.
    Escape,
}

struct InFlight {
    op: Op,
    deadline: u64,
    /// The header seen for a `+CMGR`, waiting for its PDU line.
    header: bool,
    /// The header's `<length>` (PDU mode).
    pdu_len: Option<u16>,
    /// Fingerprint of that header line.
    header_fp: u32,
    /// The undecodable answer was a line of the wrong shape (length, hex).
    misshapen: bool,
    /// The `+CMGR` answer held a message.
    got_message: bool,
    /// Fingerprint of a `+CMGR` answer that held no message.
    undecodable: Option<u32>,
    /// The answer had information lines.
    lines: bool,
    /// `+CLCC` listed our outgoing call.
    call_listed: bool,
    /// The SIM reported trouble during this init command.
    sim_trouble: bool,
}

const INIT_HEAD: [&str; 3] = ["ATE0", "AT+CMEE=1", "AT+CPIN?"];
/// Message storage: the SIM for reading, writing and receiving.
const STORAGE: &str = "AT+CPMS=\"SM\",\"SM\",\"SM\"";
/// The init step that lists the stored messages (the mode's list command).
const LIST: &str = "AT+CMGL";
const PDU_MODE: &str = "AT+CMGF=0";
const PDU_FORMAT: &[&str] = &[PDU_MODE];
const TEXT_FORMAT: &[&str] = &["AT+CMGF=1", "AT+CSCS=\"GSM\"", "AT+CSDH=1"];

/// The sans-IO driver.
pub struct Driver<const TEXT: usize = OUT_TEXT, const LONG: usize = LONG_MESSAGES> {
    codec: Codec,
    profile: &'static Profile,
    state: State,
    tx: Vec<u8, TX_LEN>,
    pending_tx: bool,
    in_flight: Option<InFlight>,
    work: Deque<Op, 16>,
    events: Deque<Queued, EVENTS>,
    /// Texts of the [`Queued::Sms`] in the queue, oldest first. Reading
    /// stops while they are all taken, so none is ever dropped.
    sms_texts: Deque<String<MESSAGE_TEXT>, SMS_SLOTS>,
    /// The answer of the [`Queued::Ussd`] in the queue; a newer one replaces it.
    ussd_answer: Option<Ussd>,
    power: Option<bool>,
    power_until: u64,
    power_on_at: Option<u64>,
    /// Init commands wait until this: the modem boots, or was busy.
    hold_until: u64,
    /// Waiting for the modem's "SMS ready" line after a (re)boot.
    booting: bool,
    /// The current init began at this time.
    init_since: u64,
    /// The wait after the next busy answer.
    busy_delay: u64,
    /// SMS text mode: the profile asks for it, or the modem refused PDU mode.
    text_mode: bool,
    /// `AT+CMGF=0` refused at this init.
    pdu_refusals: u8,
    inbox: Inbox<LONG>,
    outbox: Outbox<TEXT>,
    calls: Calls,
    ussd: UssdRequest,
    silent_commands: u8,
    /// Failed tries of the current init command.
    init_failures: u8,
    unregistered_since: Option<u64>,
    next_poll: u64,
    /// A registration poll alone, sooner than [`Driver::next_poll`].
    registration_poll: Option<u64>,
    backoff: u64,
    /// The registration as the profile's domains report it, combined.
    registered: Option<RegStatus>,
    /// Each domain's last report ([`Domain::index`] order).
    domains: [Option<RegStatus>; 3],
    /// Re-inits for lost registration since it was last there; the next
    /// one is a power cycle.
    unregistered_reinits: u8,
}

impl Driver {
    /// A driver that starts by initialising the modem at `now_ms`, with
    /// outgoing texts of up to [`OUT_TEXT`] bytes.
    pub fn new(profile: &'static Profile, now_ms: u64) -> Self {
        Self::with_capacity(profile, now_ms)
    }
}

impl<const TEXT: usize, const LONG: usize> Driver<TEXT, LONG> {
    /// [`Driver::new`] sized for a board: outgoing texts of up to `TEXT`
    /// bytes (each of the [`OUTBOX_LEN`] queued messages keeps that much
    /// RAM), and `LONG` concatenated messages assembled at once (about 650
    /// bytes each; a part of one more evicts the oldest unfinished one).
    pub fn with_capacity(profile: &'static Profile, now_ms: u64) -> Self {
        let mut d = Driver {
            codec: Codec::new(),
            profile,
            state: State::Initialising,
            tx: Vec::new(),
            pending_tx: false,
            in_flight: None,
            work: Deque::new(),
            events: Deque::new(),
            sms_texts: Deque::new(),
            ussd_answer: None,
            power: None,
            power_until: 0,
            power_on_at: None,
            hold_until: now_ms,
            booting: false,
            init_since: now_ms,
            busy_delay: BUSY_RETRY_MS,
            text_mode: false,
            pdu_refusals: 0,
            outbox: Outbox::new(),
            calls: Calls::default(),
            ussd: UssdRequest::default(),
            inbox: Inbox::new(),
            silent_commands: 0,
            init_failures: 0,
            unregistered_since: None,
            next_poll: now_ms + POLL_INTERVAL_MS,
            registration_poll: None,
            backoff: FIRST_BACKOFF_MS,
            registered: None,
            domains: [None; 3],
            unregistered_reinits: 0,
        };
        d.reinit(now_ms);
        d
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// Whether SMS go through text mode (the profile's choice, or the
    /// modem refused PDU mode at the last init).
    pub fn text_mode(&self) -> bool {
        self.text_mode
    }

    /// Outgoing messages still queued.
    pub fn queued_sms(&self) -> usize {
        self.outbox.len()
    }

    fn set_state(&mut self, state: State) {
        if self.state != state {
            self.state = state;
            self.emit(Event::State(state));
        }
    }

    fn emit(&mut self, e: Event) {
        let queued = e.move_payloads(
            // Reads start only with a free slot (`message_room`), so this never
            // fails; on_sms checks again before it comes here.
            |text| self.sms_texts.push_back(text).ok(),
            // One answer waits at a time: a newer one replaces it, queued once.
            |answer| self.ussd_answer.replace(answer).is_none().then_some(()),
        );
        if let Some(queued) = queued {
            self.enqueue(queued);
        }
    }

    fn enqueue(&mut self, e: Queued) {
        if self.events.is_full() {
            // Evict a superseded status event; messages are never evicted
            // because reading stops before the queue fills.
            let mut kept = Deque::new();
            let mut evicted = false;
            while let Some(old) = self.events.pop_front() {
                if !evicted && old.is_droppable() {
                    evicted = true;
                } else {
                    kept.push_back(old).ok();
                }
            }
            self.events = kept;
            if !evicted && e.is_droppable() {
                return;
            }
        }
        self.events.push_back(e).ok();
    }

    /// Drops the queued work and the command in flight. Reads and deletes
    /// live in their own tables and survive; an interrupted send is a failed
    /// attempt, retried later.
    fn clear_work(&mut self, now_ms: u64) {
        self.work.clear();
        match self.in_flight.take().map(|f| f.op) {
            Some(Op::SendLength | Op::SendBody) => {
                self.send_failed(now_ms);
                self.work.push_back(Op::Escape).ok();
            }
            Some(Op::Read(i)) => self.want_read(i),
            _ => {}
        }
        self.codec.done();
    }

    fn reinit(&mut self, now_ms: u64) {
        self.clear_work(now_ms);
        // Every init asks for PDU mode again: a refusal may have been transient.
        self.text_mode = self.profile.sms_mode == SmsMode::Text;
        self.pdu_refusals = 0;
        self.init_failures = 0;
        self.init_since = now_ms;
        self.busy_delay = BUSY_RETRY_MS;
        self.codec.set_text_body(false);
        // After an Escape that clear_work may have queued.
        self.work.push_back(Op::Init(0)).ok();
        self.set_state(State::Initialising);
    }

    /// Tries init command `step` again, or power-cycles after
    /// [`INIT_ATTEMPTS`] failed tries.
    fn init_failed(&mut self, now_ms: u64, step: u8) {
        self.init_failures = self.init_failures.saturating_add(1);
        if self.init_failures >= INIT_ATTEMPTS {
            return self.power_cycle(now_ms);
        }
        self.hold_until = now_ms + BUSY_RETRY_MS;
        self.work.push_front(Op::Init(step)).ok();
    }

    /// The modem answered init command `step` with "busy": it is still
    /// starting. Ask again later, without counting a failure, until
    /// [`BOOT_LIMIT_MS`] after the init began.
    fn init_busy(&mut self, now_ms: u64, step: u8) {
        if now_ms.saturating_sub(self.init_since) >= BOOT_LIMIT_MS {
            return self.init_failed(now_ms, step);
        }
        self.hold_until = now_ms + self.busy_delay;
        self.busy_delay = (self.busy_delay * 2).min(8 * BUSY_RETRY_MS);
        self.work.push_front(Op::Init(step)).ok();
    }

    /// The modem (re)booted: its settings are gone, and its SMS service
    /// comes up [`Profile::boot_ms`] later at most, or when it says so.
    fn rebooted(&mut self, now_ms: u64) {
        self.reinit(now_ms);
        self.booting = true;
        self.hold_until = now_ms + self.profile.boot_ms;
    }

    /// The next registration poll in [`REGISTRATION_RETRY_MS`]: a lost
    /// `+CREG` URC must not cost a whole [`POLL_INTERVAL_MS`].
    fn poll_again_soon(&mut self, now_ms: u64) {
        let at = now_ms + REGISTRATION_RETRY_MS;
        self.registration_poll = Some(self.registration_poll.map_or(at, |t| t.min(at)));
    }

    fn power_cycle(&mut self, now_ms: u64) {
        self.init_failures = 0;
        self.clear_work(now_ms);
        self.power = Some(false);
        let on_at = now_ms + self.profile.power_pulse_ms;
        self.power_on_at = Some(on_at);
        self.power_until = on_at + self.backoff;
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF_MS);
        self.set_state(State::PoweringUp);
    }

    /// Queues a text message; it is split into up to [`MAX_PARTS`] parts and
    /// retried until sent. Returns the handle later events name it by.
    pub fn send_sms(&mut self, to: &str, text: &str) -> Result<SmsHandle, SendError> {
        let accepted = self.outbox.push(to, text)?;
        if let Some(handle) = accepted.dropped {
            self.emit(Event::SmsDropped { handle });
        }
        Ok(accepted.handle)
    }

    /// Confirms that the SMS handed out with `id` was handled: delete it.
    /// The delete is retried until the modem answers it.
    pub fn ack(&mut self, id: u16) {
        self.inbox.ack(id);
    }

    /// The init sequence: the common head, the message format, the
    /// profile's commands; `None` past its end (the stale-SMS step).
    fn init_command(&self, step: u8) -> Option<&'static str> {
        self.init_sequence().nth(usize::from(step))
    }

    /// The init: the head, the message format, the storage and the list of
    /// what it holds (before `+CMTI` is switched on, so nothing is missed
    /// between the two), then the profile's commands.
    fn init_sequence(&self) -> impl Iterator<Item = &'static str> {
        let format = if self.text_mode {
            TEXT_FORMAT
        } else {
            PDU_FORMAT
        };
        let storage = [STORAGE, LIST];
        INIT_HEAD
            .into_iter()
            .chain(format.iter().copied())
            .chain(storage)
            .chain(self.profile.init.iter().copied())
    }

    fn list_command(&self) -> &'static [u8] {
        if self.text_mode {
            b"AT+CMGL=\"ALL\""
        } else {
            b"AT+CMGL=4"
        }
    }

    /// Queues `op` unless it is already queued.
    fn queue(&mut self, op: Op) {
        if !self.work.iter().any(|o| *o == op) {
            self.work.push_back(op).ok();
        }
    }

    /// Dials `number`; [`Event::CallAnswered`] or [`Event::CallEnded`] follows.
    pub fn dial(&mut self, number: &str) {
        self.calls.dial(number);
        self.work.push_back(Op::Dial).ok();
    }

    /// Hangs up a call, ours or a ringing one, with the profile's command.
    pub fn hang_up(&mut self) {
        self.calls.hang_up();
        self.queue(Op::HangUp);
    }

    /// Sends a USSD code such as `*100#`; the network's answer comes as
    /// [`Event::Ussd`] (an empty text when the network refused it). Only
    /// an answer (27.007 §7.15 `<m>` 0 or 1) is relayed, never the release
    /// notice of `<m>` 2; a menu (`<m>` 1) is closed with `AT+CUSD=2`.
    pub fn ussd(&mut self, code: &str) {
        self.ussd.request(code);
        self.work.push_back(Op::Ussd).ok();
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        loop {
            let queued = self.events.pop_front()?;
            // Every queued SMS and USSD answer has its payload in its slot.
            let event = queued.move_payloads(
                |()| self.sms_texts.pop_front(),
                |()| self.ussd_answer.take(),
            );
            if event.is_some() {
                return event;
            }
        }
    }

    /// A change for the power pin (`true`: on / PWRKEY released), if any.
    pub fn poll_power(&mut self) -> Option<bool> {
        self.power.take()
    }

    /// When the driver next wants [`Driver::poll_transmit`] called.
    pub fn poll_timeout(&self) -> u64 {
        if self.state == State::PoweringUp {
            return self.power_on_at.unwrap_or(self.power_until);
        }
        let command = self.in_flight.as_ref().map(|f| f.deadline);
        // What starts a command waits for the one in flight (its answer
        // comes through `handle`) and for the init to end: a time in the
        // past here would make a loop that sleeps until it spin.
        let startable = self.in_flight.is_none() && self.state == State::Ready;
        // Sends wait for the network without a deadline: its return wakes them.
        let sending = self.registered.is_none_or(RegStatus::is_registered);
        let retry = self.outbox.next_retry().filter(|_| sending && startable);
        // Only profiles that poll AT+CLCC wake up for it; an answered call waits for nothing.
        let polling = self.profile.answer == AnswerDetection::ClccPolling;
        let calls = self.calls.wake_at(polling);
        let verify = self.inbox.verify_due().filter(|_| startable);
        let registration = self.registration_poll.filter(|_| startable);
        let poll = startable.then_some(self.next_poll);
        let init_waits = self.in_flight.is_none() && matches!(self.work.front(), Some(Op::Init(_)));
        let init = init_waits.then_some(self.hold_until);
        [command, retry, calls, verify, registration, poll, init]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(self.next_poll)
    }

    /// Bytes to write to the modem now, if any. Call it whenever time passes.
    pub fn poll_transmit(&mut self, now_ms: u64) -> Option<&[u8]> {
        self.on_time(now_ms);
        if self.in_flight.is_none() {
            self.start_next(now_ms);
        }
        if core::mem::take(&mut self.pending_tx) {
            return Some(&self.tx);
        }
        None
    }

    /// Starts the next command: queued work (init first), then deletes
    /// (they free room), then reads (while there is room to hand out), then
    /// the outgoing queue.
    fn start_next(&mut self, now_ms: u64) {
        if let Some(op) = self.work.pop_front() {
            let held = matches!(op, Op::Init(_)) && now_ms < self.hold_until;
            let allowed = self.state == State::Ready || matches!(op, Op::Init(_) | Op::Escape);
            if allowed && !held {
                return self.start(op, now_ms);
            }
            self.work.push_front(op).ok();
            return;
        }
        if self.state != State::Ready {
            return;
        }
        let (room, send_due) = (self.message_room(), self.send_due(now_ms));
        if let Some(op) = self.inbox.next_op(now_ms, room, send_due) {
            return self.start(op, now_ms);
        }
        if send_due {
            self.start_send(now_ms);
        }
    }

    /// A queued message may go now. A send ends in an event, too: no
    /// room, no send.
    fn send_due(&self, now_ms: u64) -> bool {
        self.registered.is_none_or(RegStatus::is_registered)
            && self.event_room()
            && self.outbox.due(now_ms)
    }

    /// Room for one more event that must not be lost, besides a status one.
    fn event_room(&self) -> bool {
        self.events.capacity() - self.events.len() >= 2
    }

    /// Room for one more message event and its text.
    fn message_room(&self) -> bool {
        self.event_room() && !self.sms_texts.is_full()
    }

    fn start_send(&mut self, now_ms: u64) {
        match self.outbox.begin_part(now_ms, self.text_mode) {
            Some(Begun::Part) => self.start(Op::SendLength, now_ms),
            Some(Begun::Dropped(handle)) => self.emit(Event::SmsDropped { handle }),
            None => {}
        }
    }

    fn send_failed(&mut self, now_ms: u64) {
        if let Some(failed) = self.outbox.failed(now_ms) {
            self.emit(failed);
        }
    }

    fn part_sent(&mut self, now_ms: u64) {
        if let Some(sent) = self.outbox.sent(now_ms, self.text_mode) {
            self.emit(sent);
        }
    }

    fn on_time(&mut self, now_ms: u64) {
        if self.state == State::PoweringUp {
            if self.power_on_at.is_some_and(|t| now_ms >= t) {
                self.power_on_at = None;
                self.power = Some(true);
            }
            if now_ms >= self.power_until {
                self.next_poll = now_ms + self.profile.boot_ms;
                self.rebooted(now_ms);
            }
            return;
        }
        if let Some(f) = &self.in_flight {
            if now_ms >= f.deadline {
                self.timed_out(now_ms);
            }
        }
        let registration_due = self.registration_poll.is_some_and(|t| now_ms >= t);
        if registration_due && self.state == State::Ready {
            self.registration_poll = None;
            self.queue_polls();
        }
        if now_ms >= self.next_poll && self.state == State::Ready {
            self.next_poll = now_ms + POLL_INTERVAL_MS;
            self.queue_polls();
            for op in [Op::Signal, Op::List] {
                self.queue(op);
            }
        }
        self.call_timers(now_ms);
        // SPEC §17: unregistered for 5 minutes re-initialises; if that does
        // not bring the network back, power cycles follow after 10, 20, 40
        // and then every 60 minutes (an outage is not the modem's fault).
        let limit = UNREGISTERED_LIMIT_MS << self.unregistered_reinits.min(4);
        if self
            .unregistered_since
            .is_some_and(|t| now_ms.saturating_sub(t) >= limit.min(12 * UNREGISTERED_LIMIT_MS))
        {
            // The time counts again from the first poll after the init.
            self.unregistered_since = None;
            self.unregistered_reinits = self.unregistered_reinits.saturating_add(1);
            match self.unregistered_reinits {
                1 => self.reinit(now_ms),
                _ => self.power_cycle(now_ms),
            }
        }
        self.inbox.expire(now_ms);
    }

    /// Registration polls, one per domain of the profile.
    fn queue_polls(&mut self) {
        for &domain in self.profile.domains {
            self.queue(Op::Poll(domain));
        }
    }

    /// The calls' timers: an unanswered call's end and `AT+CLCC` polls, a
    /// ringing call's announcement and end.
    fn call_timers(&mut self, now_ms: u64) {
        let polling = self.profile.answer == AnswerDetection::ClccPolling;
        match self.calls.call_timers(now_ms, polling) {
            Tick::Nothing => {}
            Tick::Unanswered => {
                self.queue(Op::HangUp);
                self.emit(Event::CallEnded(CallEnd::Unanswered));
            }
            Tick::PollClcc => {
                if self.in_flight.as_ref().is_none_or(|f| f.op != Op::Clcc) {
                    self.queue(Op::Clcc);
                }
            }
        }
        if let Some(e) = self.calls.ring_timers(now_ms) {
            self.emit(e);
        }
    }

    fn timed_out(&mut self, now_ms: u64) {
        let Some(f) = self.in_flight.take() else {
            return;
        };
        self.codec.done();
        if f.op == Op::Escape {
            return; // no answer is the usual answer
        }
        self.silent_commands = self.silent_commands.saturating_add(1);
        match f.op {
            Op::Init(step) => return self.init_failed(now_ms, step),
            Op::Poll(_) => self.poll_again_soon(now_ms),
            Op::SendLength | Op::SendBody => {
                self.send_failed(now_ms);
                self.work.push_front(Op::Escape).ok();
            }
            Op::Read(i) => {
                self.read_answer(now_ms, i, Answer::Unclear);
                self.want_read(i);
            }
            Op::Delete(i) => self.inbox.delete_unsure(i),
            _ => {}
        }
        if self.silent_commands >= 3 {
            self.reinit(now_ms);
        }
    }

    fn start(&mut self, op: Op, now_ms: u64) {
        self.tx.clear();
        let mut timeout = COMMAND_TIMEOUT_MS;
        let mut prompt = false;
        let prefix: Option<&'static [u8]> = match op {
            Op::Init(step) => match self.init_command(step) {
                Some(LIST) => {
                    self.tx.extend_from_slice(self.list_command()).ok();
                    timeout = STORAGE_TIMEOUT_MS;
                    Some(b"+CMGL")
                }
                Some(cmd) => {
                    self.tx.extend_from_slice(cmd.as_bytes()).ok();
                    (step == 2).then_some(b"+CPIN")
                }
                None => None,
            },
            Op::Poll(domain) => {
                self.tx.extend_from_slice(b"AT").ok();
                self.tx.extend_from_slice(domain.prefix()).ok();
                self.tx.push(b'?').ok();
                Some(domain.prefix())
            }
            Op::Signal => {
                self.tx.extend_from_slice(b"AT+CSQ").ok();
                Some(b"+CSQ")
            }
            Op::List => {
                self.tx.extend_from_slice(self.list_command()).ok();
                timeout = STORAGE_TIMEOUT_MS;
                Some(b"+CMGL")
            }
            Op::Read(i) => {
                write!(Buf(&mut self.tx), "AT+CMGR={i}").ok();
                Some(b"+CMGR")
            }
            Op::Delete(i) => {
                write!(Buf(&mut self.tx), "AT+CMGD={i}").ok();
                None
            }
            Op::SendLength => {
                self.outbox.write_length(self.text_mode, &mut self.tx);
                prompt = true;
                timeout = PROMPT_TIMEOUT_MS;
                Some(b"+CMGS")
            }
            Op::SendBody => {
                self.outbox.write_body(&mut self.tx);
                self.tx.push(0x1A).ok();
                timeout = NETWORK_TIMEOUT_MS;
                Some(b"+CMGS")
            }
            Op::Dial => {
                let n = self.calls.dialling(now_ms);
                write!(Buf(&mut self.tx), "ATD{n};").ok();
                timeout = NETWORK_TIMEOUT_MS;
                None
            }
            Op::HangUp => {
                self.tx
                    .extend_from_slice(self.profile.hang_up.as_bytes())
                    .ok();
                None
            }
            Op::Ussd => {
                let c = self.ussd.sending();
                write!(Buf(&mut self.tx), "AT+CUSD=1,\"{c}\",15").ok();
                // Some modems answer OK only with the network's answer.
                timeout = NETWORK_TIMEOUT_MS;
                None
            }
            Op::CancelUssd => {
                self.tx.extend_from_slice(b"AT+CUSD=2").ok();
                None
            }
            Op::Clcc => {
                self.tx.extend_from_slice(b"AT+CLCC").ok();
                Some(b"+CLCC")
            }
            Op::Escape => {
                self.tx.push(0x1B).ok();
                timeout = ESCAPE_TIMEOUT_MS;
                None
            }
        };
        if !matches!(op, Op::SendBody | Op::Escape) {
            self.tx.push(b'\r').ok();
        }
        self.codec.expect(prefix, prompt);
        self.in_flight = Some(InFlight {
            op,
            deadline: now_ms + timeout,
            header: false,
            pdu_len: None,
            header_fp: 0,
            misshapen: false,
            got_message: false,
            undecodable: None,
            lines: false,
            call_listed: false,
            sim_trouble: false,
        });
        self.pending_tx = true;
    }

    /// Feeds bytes read from the modem.
    pub fn handle(&mut self, now_ms: u64, mut input: &[u8]) {
        while !input.is_empty() {
            let in_flight = self.in_flight.as_ref().map(|f| Expecting {
                op: f.op,
                header: f.header,
                pdu_len: f.pdu_len,
                header_fp: f.header_fp,
            });
            let (used, frame) = self.codec.decode(input);
            input = input.get(used..).unwrap_or_default();
            let Some(mut frame) = frame else { continue };
            // A text-mode body line is the sender's text, whatever it reads.
            let text_body = self.text_mode
                && in_flight.is_some_and(|e| matches!(e.op, Op::Read(_)) && e.header);
            if matches!(frame, Frame::Info(line) if is_garbled_ok(line)) && !text_body {
                frame = Frame::Final(Final::Ok);
            }
            if let (Frame::Info(_), Some(f)) = (&frame, &mut self.in_flight) {
                f.lines = true;
            }
            let text = self.text_mode.then_some(&mut self.inbox.text_read);
            let action = classify(frame, in_flight, text);
            self.apply(now_ms, action);
        }
    }

    fn apply(&mut self, now_ms: u64, action: Action) {
        match action {
            Action::None => {}
            Action::Event(e) => {
                if matches!(e, Event::Sim(s) if s != SimState::Ready) {
                    self.on_sim_trouble(now_ms);
                }
                if e == Event::CallAnswered {
                    // Only our own call's answer is news.
                    if !self.calls.answered() {
                        return;
                    }
                }
                self.emit(e);
            }
            Action::NewSms(i) => self.want_read(i),
            Action::Listed(i) => {
                let reading = self.reading(i);
                self.inbox.listed(i, reading);
            }
            // A reboot forgets the settings: the init starts again once the
            // modem is up.
            // While power-cycling, the back-off decides when to start.
            Action::Rebooted if self.state == State::PoweringUp => {}
            Action::Rebooted => self.rebooted(now_ms),
            Action::SmsReady => {
                if core::mem::take(&mut self.booting) {
                    self.hold_until = now_ms;
                }
            }
            // A reset without `RDY` (autobaud) shows in a registration
            // answer with the power-on `n`: every setting is gone.
            Action::SettingsLost => self.reinit(now_ms),
            Action::Registration(domain, status) => self.on_domain(now_ms, domain, status),
            Action::Ring(caller) => {
                if let Some(e) = self.calls.on_ring(now_ms, caller) {
                    self.emit(e);
                }
            }
            Action::Ussd(answer) => self.on_ussd(answer),
            Action::Header(length, fingerprint) => {
                if let Some(f) = &mut self.in_flight {
                    f.pdu_len = length;
                    f.header_fp = fingerprint;
                    f.header = true;
                }
                // A text-mode body is the sender's text, whatever it reads.
                self.codec.set_text_body(self.text_mode);
            }
            Action::Undecodable(fingerprint) | Action::Misshapen(fingerprint) => {
                if let Some(f) = &mut self.in_flight {
                    f.header = false;
                    f.undecodable = Some(fingerprint);
                    f.misshapen = matches!(action, Action::Misshapen(_));
                }
            }
            Action::Pdu(deliver, sighting) => {
                let Some(f) = &mut self.in_flight else {
                    return;
                };
                // One PDU per header: a duplicated line is not a second message.
                f.header = false;
                f.got_message = true;
                if let Op::Read(index) = f.op {
                    self.read_answer(now_ms, index, Answer::Message(deliver, sighting));
                }
            }
            Action::Prompt => {
                if self
                    .in_flight
                    .as_ref()
                    .is_some_and(|f| f.op == Op::SendLength)
                {
                    self.in_flight = None;
                    self.start(Op::SendBody, now_ms);
                }
            }
            Action::Sent(reference) => self.outbox.set_reference(reference),
            Action::CallListed(state) => {
                if let Some(f) = &mut self.in_flight {
                    f.call_listed = true;
                }
                if state == CallState::Active {
                    self.apply(now_ms, Action::Event(Event::CallAnswered));
                }
            }
            Action::CallOver(result) => self.call_over(result),
            Action::Final(result) => self.finish(now_ms, result),
        }
    }

    /// Notes `index` for reading unless it is being read.
    fn want_read(&mut self, index: u16) {
        let reading = self.reading(index);
        self.inbox.want_read(index, reading);
    }

    /// The read of `index` is in flight.
    fn reading(&self, index: u16) -> bool {
        let in_flight = self.in_flight.as_ref();
        in_flight.is_some_and(|f| f.op == Op::Read(index))
    }

    /// Hands `answer` to the inbox, and out what it found.
    fn read_answer(&mut self, now_ms: u64, index: u16, answer: Answer) {
        let (room, reading) = (self.message_room(), self.reading(index));
        if let Some(e) = self.inbox.read_answer(now_ms, index, answer, room, reading) {
            self.emit(e);
        }
    }

    /// `+CPIN` other than `READY`: during the init the command fails (and
    /// the init escalates to a power cycle, with back-off); later the
    /// modem is initialised again after [`BUSY_RETRY_MS`].
    fn on_sim_trouble(&mut self, now_ms: u64) {
        match &mut self.in_flight {
            Some(f) if matches!(f.op, Op::Init(_)) => f.sim_trouble = true,
            _ if self.state == State::Ready => {
                self.reinit(now_ms);
                self.hold_until = now_ms + BUSY_RETRY_MS;
            }
            _ => {}
        }
    }

    /// One domain's registration; the modem is registered when any of the
    /// profile's domains is.
    fn on_domain(&mut self, now_ms: u64, domain: Domain, status: RegStatus) {
        if !self.profile.domains.contains(&domain) {
            return;
        }
        if let Some(slot) = self.domains.get_mut(domain.index()) {
            *slot = Some(status);
        }
        let reports = self.profile.domains.iter();
        let statuses = reports.filter_map(|d| self.domains.get(d.index()).copied().flatten());
        let combined = statuses
            .clone()
            .find(|s| s.is_registered())
            .or_else(|| statuses.clone().next());
        if let Some(combined) = combined {
            self.on_registration(now_ms, combined);
            self.emit(Event::Registration(combined));
        }
    }

    /// A `+CUSD` line: the answer to our request is relayed once.
    fn on_ussd(&mut self, answer: Ussd) {
        let relay = self.ussd.on_answer(answer);
        if relay.cancel {
            self.queue(Op::CancelUssd);
        }
        if let Some(answer) = relay.answer {
            self.emit(Event::Ussd(answer));
        }
    }

    fn call_over(&mut self, result: Final) {
        let e = self.calls.call_over(result);
        self.emit(e);
    }

    fn on_registration(&mut self, now_ms: u64, s: RegStatus) {
        let was_registered = self.registered.is_some_and(RegStatus::is_registered);
        self.registered = Some(s);
        if s.is_registered() {
            self.unregistered_since = None;
            self.unregistered_reinits = 0;
            self.registration_poll = None;
            if !was_registered {
                // Sends that waited out a back-off for lack of network go now.
                self.outbox.retry_now(now_ms);
            }
        } else {
            // Its return may come as a URC that noise garbles: poll too.
            self.poll_again_soon(now_ms);
            self.unregistered_since.get_or_insert(now_ms);
        }
    }

    fn finish(&mut self, now_ms: u64, result: Final) {
        let Some(f) = self.in_flight.take() else {
            return;
        };
        self.codec.done();
        self.silent_commands = 0;
        match (f.op, result) {
            // `+CPIN: SIM PIN` / `NOT READY` with an OK: no use going on.
            (Op::Init(step), Final::Ok) if f.sim_trouble => self.init_failed(now_ms, step),
            (Op::Init(step), Final::Ok) => {
                self.init_failures = 0;
                self.busy_delay = BUSY_RETRY_MS;
                if self.init_command(step) == Some(LIST) {
                    self.inbox.list_done();
                }
                if usize::from(step) + 1 < self.init_sequence().count() {
                    self.work.push_front(Op::Init(step + 1)).ok();
                } else {
                    self.backoff = FIRST_BACKOFF_MS;
                    self.next_poll = now_ms;
                    self.set_state(State::Ready);
                }
            }
            // Still starting: wait for it, with back-off.
            (Op::Init(step), r) if is_busy(r) => self.init_busy(now_ms, step),
            // No PDU mode: fall back to text mode. A garbled command is
            // refused too: ask [`INIT_ATTEMPTS`] times.
            (Op::Init(step), _) if self.init_command(step) == Some(PDU_MODE) => {
                self.pdu_refusals = self.pdu_refusals.saturating_add(1);
                self.text_mode = self.pdu_refusals >= INIT_ATTEMPTS;
                self.work.push_front(Op::Init(step)).ok();
            }
            // The character set and header details are nice to have.
            (Op::Init(step), _)
                if self
                    .init_command(step)
                    .is_some_and(|c| TEXT_FORMAT.get(1..).unwrap_or_default().contains(&c)) =>
            {
                self.work.push_front(Op::Init(step + 1)).ok();
            }
            (Op::Init(step), _) => self.init_failed(now_ms, step),
            (Op::Poll(_), _) if !self.registered.is_some_and(RegStatus::is_registered) => {
                self.poll_again_soon(now_ms);
            }
            (Op::Read(index), Final::Ok) if self.text_mode && f.header => {
                let answer = self.inbox.text_answer();
                self.read_answer(now_ms, index, answer);
            }
            (Op::Read(index), Final::Ok) if !f.got_message => {
                let answer = match (f.undecodable, f.lines) {
                    (Some(fingerprint), _) if f.misshapen => Answer::Misshapen(fingerprint),
                    (Some(fingerprint), _) => Answer::Undecodable(fingerprint),
                    (None, false) => Answer::Nothing,
                    (None, true) => Answer::Garbled,
                };
                self.read_answer(now_ms, index, answer);
            }
            (Op::Read(index), Final::CmsError(Some(321))) => {
                self.read_answer(now_ms, index, Answer::Nothing);
            }
            (Op::Read(_), Final::Ok) => {}
            (Op::Read(index), _) => self.read_answer(now_ms, index, Answer::Unclear),
            // Even an OK may answer a garbled command (another index): a
            // delete counts once a read finds nothing there.
            (Op::Delete(i), _) => self.inbox.delete_unsure(i),
            (Op::SendLength, Final::Ok) => {}
            (Op::SendBody, Final::Ok) => self.part_sent(now_ms),
            (Op::SendLength | Op::SendBody, Final::CmsError(Some(NO_NETWORK_SERVICE))) => {
                // The network is gone even if no URC said so: its return ends the back-off.
                self.on_registration(now_ms, RegStatus::NotRegistered);
                self.send_failed(now_ms);
            }
            (Op::SendLength | Op::SendBody, _) => self.send_failed(now_ms),
            (Op::Dial, Final::Ok) => {}
            (Op::HangUp, Final::Ok) => {
                if let Some(e) = self.calls.hung_up() {
                    self.emit(e);
                }
            }
            (Op::Dial, other) => self.call_over(other),
            // Our call is no longer listed: the far end rejected it.
            (Op::Clcc, Final::Ok) if !f.call_listed && self.calls.unanswered() => {
                self.call_over(Final::NoCarrier);
            }
            _ => {}
        }
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
