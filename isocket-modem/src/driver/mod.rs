//! The sans-IO modem driver: one AT command at a time, URCs turned into
//! [`Event`]s, SMS storage discipline, an outgoing queue and supervision. It
//! never blocks and never reads a clock: the caller passes `now_ms` (a
//! monotonic millisecond count) with every call, writes what
//! [`Driver::poll_transmit`] returns, drives the power pin as
//! [`Driver::poll_power`] says, and feeds what the modem sends to
//! [`Driver::handle`].
//!
//! Decisions:
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
//! - Messages the first init after [`Driver::new`] lists unannounced were
//!   found at start-up: read, then handed out only if newer than the start
//!   by a trusted clock ([`Driver::trusted_time`]), else stale and deleted
//!   one by one (never `AT+CMGD=1,4`), after every fresh message's work. Later re-inits (modem reboot, silence, power
//!   cycle) keep the SIM's messages and list them (`AT+CMGL=4`); the
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
//!   with `AT+CMGL="ALL"`, and sends with `AT+CMGS="<number>"`. Nothing in
//!   a list or read answer is a URC; bodies are cut by `<length>`. Without
//!   it, the answer settles ([`SETTLE_MS`]) and a body holding a line a
//!   modem could send is deleted unexecuted (crate docs, Decisions). A
//!   PDU-mode header in text mode is a modem reset without a word.
//! - Sends wait, like reads, while the event queue is nearly full, so no
//!   `SmsSent` is ever lost to a full queue.
//! - Reading stops while the event queue or the handed-out table is nearly
//!   full, or all [`SMS_SLOTS`] texts wait to be handed out (back-pressure
//!   instead of dropping events): the queue holds small events, and a
//!   message's text has a slot of its own until [`Driver::poll_event`]
//!   hands it out, so the next message stays on the SIM until then.
//! - Outgoing SMS wait in a queue of [`OUTBOX_LEN`]; a full queue refuses
//!   a new one ([`SendError::QueueFull`]) and drops nothing: the caller
//!   holds it until [`Driver::sms_room`] says there is room. Messages go
//!   in queue order, except that one which has failed before waits behind
//!   those queued with [`Driver::send_urgent_sms`]. A failed attempt (error, timeout, modem reboot)
//!   is retried after [`FIRST_RETRY_MS`], doubling up to [`MAX_BACKOFF_MS`],
//!   while the other messages go; a part that goes out ends the other
//!   messages' waits. Parts already sent are not sent again. A message is
//!   dropped ([`Event::SmsDropped`]) only when the network refuses it for
//!   good ([`is_permanent`], the same cause for two tries in a row: a line
//!   that loses a byte turns a `500` into a `50`) or after [`SEND_ATTEMPTS`] failed tries made
//!   while registered (a try without network, `+CMS ERROR: 331`, or one cut
//!   short by a modem restart does not count). Delivery is at least once: a
//!   `+CMGS` answer lost to noise makes the part go out again.
//! - A query that times out is asked again at once; a registration poll
//!   every [`SETTINGS_CHECK_MS`] finds a reset that printed nothing.
//! - Supervision: a command timeout counts as silence; three in a row, a SIM
//!   error or an unexpected `RDY` (also in the middle of the init: the
//!   modem forgot its settings) re-initialise, the init waiting for the
//!   modem to be up ([`BUSY_RETRY_MS`], [`BOOT_LIMIT_MS`]). An init command
//!   that fails or goes unanswered is tried [`INIT_ATTEMPTS`] times before
//!   the modem is restarted, with back-off 10 s, 20 s … capped at 10 min;
//!   how (power pin or command) and the escalation for lost registration
//!   are in the crate docs' Decisions. Registration is polled every
//!   [`REGISTRATION_RETRY_MS`] while it is not known to be registered.
//! - Calls: a number found after a call was announced without one (see
//!   [`CLIP_WAIT_MS`]) is [`Event::CallerIdentified`], once.
//! - Calls: a dialled call not answered within [`DIAL_TIMEOUT_MS`] is hung up
//!   ([`CallEnd::Unanswered`]). Profiles with [`AnswerDetection::ClccPolling`]
//!   poll `AT+CLCC` every [`CLCC_INTERVAL_MS`]: an active call is answered, a
//!   call missing from the list was rejected.
//! - `NO CARRIER`, `BUSY` and `NO ANSWER` while another command is in flight
//!   end the call, not that command.

// One type per concern, each owning its state; `Driver` composes them and
// carries out what their methods return (an event, a command, a re-init).
mod calls;
mod classify;
mod commands;
mod events;
mod inbox;
mod outbox;
mod scheduler;
mod supervision;
mod ussd;

use crate::calls::CallState;
use crate::codec::{Final, Frame};
use crate::network::{self, RegStatus, SimState};
use crate::profile::{AnswerDetection, PowerWiring, Profile};

use calls::{Calls, Ring, Tick};
use classify::{Action, classify, is_busy, is_garbled_ok};
use events::EventQueue;
pub use events::{CallEnd, Event, SendError, SmsHandle, State};
use inbox::{Answer, Inbox};
use outbox::{Begun, Outbox};
use scheduler::{Next, Op, Scheduler};
use supervision::{Escalation, Polls, Restart, Retry, Supervisor};
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
/// long is announced without a number, `AT+CLCC` is asked for its caller
/// and a registration poll checks the settings (a silent reset forgets them).
pub const CLIP_WAIT_MS: u64 = 1_500;
/// Timeout of an `AT+CMGS` PDU and of `AT+CUSD` (network round trips).
pub const NETWORK_TIMEOUT_MS: u64 = 60_000;
/// Supervision polls registration (and lists stored SMS) this often.
pub const POLL_INTERVAL_MS: u64 = 30_000;
/// A reset without `RDY` (autobaud, SIM800 manual §2.2.41.1) forgets
/// `+CNMI` and `+CLIP`: a registration poll this often shows it (the
/// power-on `<n>`), so the set-up is back within 20 s.
pub const SETTINGS_CHECK_MS: u64 = 10_000;
/// Messages found at start-up wait this long after [`Driver::new`] for a
/// trusted clock ([`Driver::trusted_time`], network time) that could show
/// them newer than the start; then, without one, they are stale.
pub const CLOCK_WAIT_MS: u64 = 30_000;
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
/// Failed tries, made while registered, after which a queued message is
/// dropped: with the back-off, about an hour (30 s, 1, 2, 4, 8 min, then
/// every 10 min) when nothing else goes out meanwhile.
pub const SEND_ATTEMPTS: u8 = 10;
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
/// Reassembled SMS texts ([`MESSAGE_TEXT`](crate::reassembly::MESSAGE_TEXT)
/// bytes each) waiting to be handed out by [`Driver::poll_event`]. Reading
/// stops while they are all taken, so a message waits on the SIM instead of
/// being dropped.
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
/// A text-mode answer with a body without `<length>` (a modem that refuses
/// `AT+CSDH=1`) counts only once the modem has been quiet this long after
/// its final result, which may be a line of that body: what comes meanwhile
/// is the rest of it, never a URC (each line of it waits this long more, up
/// to 128 lines).
pub const SETTLE_MS: u64 = 1_000;
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

/// Whether a `+CMS ERROR` cause refuses a message for good: sending it
/// again would fail the same way. 3GPP TS 27.005 §3.2.5 passes on the
/// network's causes: 0…127 are the RP-causes of 3GPP TS 24.011 Annex E.2
/// (mobile originating transfer), 128…255 the TP-FCS values of 3GPP TS
/// 23.040 §9.2.3.22. Permanent: 1 unassigned (unallocated) number, 8
/// operator determined barring, 10 call barred, 21 short message transfer
/// rejected, 29 facility rejected, 30 unknown subscriber, 50 requested
/// facility not subscribed, 69 requested facility not implemented, 193 no
/// SC subscription, 195 invalid SME address, 196 destination SME barred.
/// Everything else is retried: the network's temporary causes (27
/// destination out of service, 38 network out of order, 41 temporary
/// failure, 42 congestion, 47 resources unavailable, 192 SC busy, 194 SC
/// system failure…), protocol errors that a PDU garbled on the serial line
/// also gets (95…111, 304 invalid PDU mode parameter) and the modem's own
/// (300…500) until [`SEND_ATTEMPTS`].
pub fn is_permanent(cause: u16) -> bool {
    matches!(cause, 1 | 8 | 10 | 21 | 29 | 30 | 50 | 69 | 193 | 195 | 196)
}
/// Room for the longest command: a PDU (up to 176 octets) in hex and Ctrl-Z.
const TX_LEN: usize = 400;

/// The sans-IO driver.
pub struct Driver<const TEXT: usize = OUT_TEXT, const LONG: usize = LONG_MESSAGES> {
    profile: &'static Profile,
    state: State,
    scheduler: Scheduler,
    events: EventQueue,
    supervisor: Supervisor,
    inbox: Inbox<LONG>,
    outbox: Outbox<TEXT>,
    calls: Calls,
    ussd: UssdRequest,
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
            profile,
            state: State::Initialising,
            scheduler: Scheduler::new(),
            events: EventQueue::new(),
            supervisor: Supervisor::new(profile, now_ms),
            inbox: Inbox::new(now_ms),
            outbox: Outbox::new(),
            calls: Calls::default(),
            ussd: UssdRequest::default(),
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
        self.supervisor.text_mode
    }

    /// Outgoing messages still queued.
    pub fn queued_sms(&self) -> usize {
        self.outbox.len()
    }

    /// Messages [`Driver::send_sms`] takes now: hand over no more (the
    /// queue refuses, it does not drop).
    pub fn sms_room(&self) -> usize {
        self.outbox.room()
    }

    fn set_state(&mut self, state: State) {
        if self.state != state {
            self.state = state;
            self.emit(Event::State(state));
        }
    }

    fn emit(&mut self, e: Event) {
        self.events.emit(e);
    }

    /// Emits `e`, if there is one.
    fn emit_some(&mut self, e: Option<Event>) {
        if let Some(e) = e {
            self.emit(e);
        }
    }

    /// Drops the queued work and the command in flight. Reads and deletes
    /// live in their own tables and survive; an interrupted send is a failed
    /// attempt, retried later.
    fn clear_work(&mut self, now_ms: u64) {
        match self.scheduler.abort() {
            Some(Op::SendLength | Op::SendBody) => {
                // Cut short by a restart: not the message's fault.
                self.send_failed(now_ms, false);
                self.scheduler.push_back(Op::Escape);
            }
            Some(Op::Read(i)) => self.want_read(i),
            _ => {}
        }
    }

    fn reinit(&mut self, now_ms: u64) {
        self.clear_work(now_ms);
        self.supervisor.begin_init(now_ms);
        // After an Escape that clear_work may have queued.
        self.scheduler.push_back(Op::Init(0));
        self.set_state(State::Initialising);
    }

    /// Tries init command `step` again, or power-cycles after
    /// [`INIT_ATTEMPTS`] failed tries.
    fn init_failed(&mut self, now_ms: u64, step: u8) {
        let retry = self.supervisor.init_failed(now_ms);
        self.init_retry(now_ms, step, retry);
    }

    fn init_retry(&mut self, now_ms: u64, step: u8, retry: Retry) {
        match retry {
            Retry::Again => self.scheduler.push_front(Op::Init(step)),
            Retry::PowerCycle => self.power_cycle(now_ms),
        }
    }

    /// The modem (re)booted: its settings are gone, and its SMS service
    /// comes up [`Profile::boot_ms`] later at most, or when it says so.
    fn rebooted(&mut self, now_ms: u64) {
        self.reinit(now_ms);
        self.supervisor.booted(now_ms);
    }

    /// Restarts the modem: through the power pin, or, where the pin is
    /// PWRKEY and the modem still answers, with `AT+CFUN=1,1`.
    fn power_cycle(&mut self, now_ms: u64) {
        if self.supervisor.restart() == Restart::Command {
            self.reinit(now_ms);
            self.supervisor.restarted_by_command(now_ms);
            return self.scheduler.push_front(Op::Reset);
        }
        self.clear_work(now_ms);
        self.supervisor.power_off(now_ms);
        self.set_state(State::PoweringUp);
    }

    /// The board's power wiring (by default [`PowerWiring::SUPPLY`]).
    pub fn with_power_wiring(mut self, wiring: PowerWiring) -> Self {
        self.supervisor.set_wiring(wiring);
        self
    }

    /// For a board whose UART drives the modem's RTS from its receive FIFO
    /// (hardware flow control): the init also sends `AT+IFC=2,0`, so the
    /// modem holds back while the board cannot take bytes (a flash write
    /// that stalls the CPU). Restored with the other settings after a
    /// reset of the modem.
    pub fn with_rts_flow_control(mut self) -> Self {
        self.supervisor.set_rts_flow_control();
        self
    }

    /// The module's STATUS output, for a board that reads it
    /// ([`PowerWiring::status`]). A PWRKEY modem seen off while the driver
    /// waits for it is pulsed on at once.
    pub fn modem_status(&mut self, now_ms: u64, on: bool) {
        if self.supervisor.set_status(on) && self.state != State::Ready {
            self.power_cycle(now_ms);
        }
    }

    /// Queues a text message; it is split into up to [`MAX_PARTS`] parts and
    /// retried until sent or dropped (see the module's decisions). Returns
    /// the handle later events name it by; a full queue refuses it
    /// ([`Driver::sms_room`]).
    pub fn send_sms(&mut self, to: &str, text: &str) -> Result<SmsHandle, SendError> {
        self.outbox.push(to, text, false)
    }

    /// [`Driver::send_sms`] for a message (an alert) that goes before
    /// those queued with `send_sms` that have failed before: a reply that
    /// keeps failing never takes the network's time ahead of it.
    pub fn send_urgent_sms(&mut self, to: &str, text: &str) -> Result<SmsHandle, SendError> {
        self.outbox.push(to, text, true)
    }

    /// Confirms that the SMS handed out with `id` was handled: delete it.
    /// The delete is retried until the modem answers it.
    pub fn ack(&mut self, id: u16) {
        self.inbox.ack(id);
    }

    /// A clock the application trusts (its kept clock at boot) reads `time`
    /// at `now_ms`. A message found on the SIM at start-up is handed out
    /// only if its SCTS is later than the start by the first such clock (or
    /// network time); with none within [`CLOCK_WAIT_MS`] it is stale.
    pub fn trusted_time(&mut self, now_ms: u64, time: chrono::DateTime<chrono::FixedOffset>) {
        self.inbox.trusted_time(now_ms, time);
    }

    /// Dials `number`; [`Event::CallAnswered`] or [`Event::CallEnded`] follows.
    pub fn dial(&mut self, number: &str) {
        self.calls.dial(number);
        self.scheduler.push_back(Op::Dial);
    }

    /// Hangs up a call, ours or a ringing one, with the profile's command.
    pub fn hang_up(&mut self) {
        self.calls.hang_up();
        self.scheduler.queue(Op::HangUp);
    }

    /// Sends a USSD code such as `*100#`; the network's answer comes as
    /// [`Event::Ussd`] (an empty text when the network refused it). Only
    /// an answer (27.007 §7.15 `<m>` 0 or 1) is relayed, never the release
    /// notice of `<m>` 2; a menu (`<m>` 1) is closed with `AT+CUSD=2`.
    pub fn ussd(&mut self, code: &str) {
        self.ussd.request(code);
        self.scheduler.push_back(Op::Ussd);
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop()
    }

    /// A change for the power pin (`true`: on / PWRKEY released), if any.
    pub fn poll_power(&mut self) -> Option<bool> {
        self.supervisor.poll_power()
    }

    /// When the driver next wants [`Driver::poll_transmit`] called.
    pub fn poll_timeout(&self) -> u64 {
        if self.state == State::PoweringUp {
            return self.supervisor.power_wake();
        }
        let idle = self.scheduler.idle();
        let command = self.scheduler.deadline();
        // What starts a command waits for the one in flight (its answer
        // comes through `handle`) and for the init to end: a time in the
        // past here would make a loop that sleeps until it spin.
        let startable = idle && self.state == State::Ready;
        // Sends wait for the network without a deadline: its return wakes them.
        let sending = self.supervisor.may_send();
        let retry = self.outbox.next_retry().filter(|_| sending && startable);
        // Only profiles that poll AT+CLCC wake up for it; an answered call waits for nothing.
        let polling = self.profile.answer == AnswerDetection::ClccPolling;
        let calls = self.calls.wake_at(polling);
        let verify = self.inbox.verify_due().filter(|_| startable);
        let clock_wait = self.inbox.clock_wait().filter(|_| startable);
        let init_waits = idle && self.scheduler.init_queued();
        let supervision = self.supervisor.wake_at(startable, init_waits);
        [command, retry, calls, verify, clock_wait]
            .into_iter()
            .chain(supervision)
            .flatten()
            .min()
            .unwrap_or(self.supervisor.next_poll())
    }

    /// Bytes to write to the modem now, if any. Call it whenever time passes.
    pub fn poll_transmit(&mut self, now_ms: u64) -> Option<&[u8]> {
        self.on_time(now_ms);
        if self.scheduler.idle() {
            self.start_next(now_ms);
        }
        self.scheduler.transmit()
    }

    /// Starts the next command: queued work (init first), then deletes
    /// (they free room), then reads (while there is room to hand out), then
    /// the outgoing queue.
    fn start_next(&mut self, now_ms: u64) {
        let ready = self.state == State::Ready;
        match self
            .scheduler
            .next_queued(ready, self.supervisor.held(now_ms))
        {
            Next::Start(op) => return self.start(op, now_ms),
            Next::Wait => return,
            Next::Empty => {}
        }
        if !ready {
            return;
        }
        let (room, send_due) = (self.events.message_room(), self.send_due(now_ms));
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
        self.supervisor.may_send() && self.events.event_room() && self.outbox.due(now_ms)
    }

    fn start_send(&mut self, now_ms: u64) {
        match self.outbox.begin_part(now_ms, self.supervisor.text_mode) {
            Some(Begun::Part) => self.start(Op::SendLength, now_ms),
            Some(Begun::Dropped(handle)) => self.emit(Event::SmsDropped { handle }),
            None => {}
        }
    }

    /// The part in flight failed; the try counts if `count` and the modem
    /// is registered.
    fn send_failed(&mut self, now_ms: u64, count: bool) {
        let count = count && self.supervisor.registered();
        let failed = self.outbox.failed(now_ms, count);
        self.emit_some(failed);
    }

    fn on_time(&mut self, now_ms: u64) {
        if self.state == State::PoweringUp {
            if self.supervisor.power_tick(now_ms) {
                self.reinit(now_ms);
                self.supervisor.powered_up(now_ms);
            }
            return;
        }
        if self.scheduler.deadline().is_some_and(|t| now_ms >= t) {
            self.timed_out(now_ms);
        }
        if self.state == State::Ready {
            match self.supervisor.polls_due(now_ms) {
                Polls::Nothing => {}
                Polls::Registration => self.queue_polls(),
                Polls::Check => {
                    if let Some(&domain) = self.profile.domains.first() {
                        self.scheduler.queue(Op::Poll(domain));
                    }
                }
                Polls::All => {
                    self.queue_polls();
                    for op in [Op::Signal, Op::List] {
                        self.scheduler.queue(op);
                    }
                }
            }
        }
        self.call_timers(now_ms);
        match self.supervisor.unregistered_escalation(now_ms) {
            Some(Escalation::Reinit) => self.reinit(now_ms),
            Some(Escalation::PowerCycle) => self.power_cycle(now_ms),
            None => {}
        }
        self.inbox.expire(now_ms);
    }

    /// Registration polls, one per domain of the profile.
    fn queue_polls(&mut self) {
        for &domain in self.profile.domains {
            self.scheduler.queue(Op::Poll(domain));
        }
    }

    /// The calls' timers: an unanswered call's end and `AT+CLCC` polls, a
    /// ringing call's announcement and end.
    fn call_timers(&mut self, now_ms: u64) {
        let polling = self.profile.answer == AnswerDetection::ClccPolling;
        match self.calls.call_timers(now_ms, polling) {
            Tick::Nothing => {}
            Tick::Unanswered => {
                self.scheduler.queue(Op::HangUp);
                self.emit(Event::CallEnded(CallEnd::Unanswered));
            }
            Tick::PollClcc => {
                if !self.scheduler.is(Op::Clcc) {
                    self.scheduler.queue(Op::Clcc);
                }
            }
        }
        match self.calls.ring_timers(now_ms) {
            Ring::Nothing => {}
            Ring::Ended => self.emit(Event::IncomingCallEnded),
            Ring::Unidentified => {
                self.emit(Event::Ringing(None));
                // Ask the modem who calls, and whether it still has its
                // settings: a silent reset shows in the poll's answer.
                self.scheduler.queue(Op::Clcc);
                if let Some(&domain) = self.profile.domains.first() {
                    self.scheduler.queue(Op::Poll(domain));
                }
            }
        }
    }

    fn timed_out(&mut self, now_ms: u64) {
        // A settled answer counts now.
        if self.scheduler.settling() {
            return self.finish(now_ms, Final::Ok);
        }
        let Some(f) = self.scheduler.take_in_flight() else {
            return;
        };
        if f.op == Op::Escape {
            return; // no answer is the usual answer
        }
        let too_silent = self.supervisor.silent();
        match f.op {
            Op::Init(step) => return self.init_failed(now_ms, step),
            // A query changes nothing: ask again at once (autobaud takes
            // the first line after a reset); three silences re-initialise.
            Op::Poll(_) | Op::Signal | Op::List | Op::Clcc => self.scheduler.push_front(f.op),
            Op::SendLength | Op::SendBody => {
                self.send_failed(now_ms, true);
                self.scheduler.push_front(Op::Escape);
            }
            Op::Read(i) => {
                self.read_answer(now_ms, i, Answer::Unclear);
                self.inbox.read_first(i);
            }
            Op::Delete(i) => self.inbox.delete_unsure(i),
            _ => {}
        }
        if too_silent {
            self.reinit(now_ms);
        }
    }

    /// Feeds bytes read from the modem.
    pub fn handle(&mut self, now_ms: u64, mut input: &[u8]) {
        while !input.is_empty() {
            // An answer may change the mode (a re-init, a refused PDU mode).
            let text_mode = self.supervisor.text_mode;
            let in_flight = self.scheduler.expecting();
            let (used, frame) = self.scheduler.decode(input);
            input = input.get(used..).unwrap_or_default();
            let Some(mut frame) = frame else { continue };
            // A text-mode body is `Frame::Data`: never taken for an `OK`.
            if matches!(frame, Frame::Info(line) if is_garbled_ok(line)) {
                frame = Frame::Final(Final::Ok);
            }
            let (info, data) = (
                matches!(frame, Frame::Info(_)),
                matches!(frame, Frame::Data(_)),
            );
            let text = text_mode.then_some(&mut self.inbox.text_read);
            let action = classify(frame, in_flight, text);
            if info {
                self.scheduler.saw_line();
            }
            self.scheduler.saw_frame(now_ms, data);
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
                // The network's time is a trusted clock (manual §17).
                if let Event::NetworkTime(network::NetworkTime { utc: Some(utc), .. }) = e {
                    self.inbox
                        .trusted_time(now_ms, utc.and_utc().fixed_offset());
                }
                // Only our own call's answer is news.
                if e == Event::CallAnswered && !self.calls.answered() {
                    return;
                }
                self.emit(e);
            }
            Action::NewSms(i) => self.want_read(i),
            Action::Listed(i) => {
                let reading = self.scheduler.is(Op::Read(i));
                self.inbox.listed(i, reading);
            }
            // A reboot forgets the settings: the init starts again once the
            // modem is up.
            // While power-cycling, the back-off decides when to start.
            Action::Rebooted if self.state == State::PoweringUp => {}
            Action::Rebooted => self.rebooted(now_ms),
            // A modem behind PWRKEY stays off until pulsed.
            Action::PoweredDown => {
                if self.supervisor.powered_down() {
                    self.power_cycle(now_ms);
                }
            }
            Action::SmsReady => self.supervisor.sms_ready(now_ms),
            // A reset without `RDY` (autobaud) shows in a registration
            // answer with the power-on `n`: every setting is gone.
            Action::SettingsLost => self.reinit(now_ms),
            Action::Registration(domain, status) => {
                if let Some(combined) = self.supervisor.on_domain(domain, status) {
                    self.on_registration(now_ms, combined);
                    self.emit(Event::Registration(combined));
                }
            }
            Action::Ring(caller) => {
                let ringing = self.calls.on_ring(now_ms, caller);
                self.emit_some(ringing);
            }
            Action::Ussd(answer) => {
                let relay = self.ussd.on_answer(answer);
                if relay.cancel {
                    self.scheduler.queue(Op::CancelUssd);
                }
                self.emit_some(relay.answer.map(Event::Ussd));
            }
            Action::Header(length, fingerprint) => {
                self.scheduler.saw_header(length, fingerprint);
            }
            Action::Undecodable(fingerprint) | Action::Misshapen(fingerprint) => {
                let misshapen = matches!(action, Action::Misshapen(_));
                self.scheduler.saw_no_message(fingerprint, misshapen);
            }
            Action::Pdu(deliver, sighting) => {
                if let Some(index) = self.scheduler.saw_message() {
                    self.read_answer(now_ms, index, Answer::Message(deliver, sighting));
                }
            }
            Action::Prompt => {
                if self.scheduler.prompted() {
                    self.start(Op::SendBody, now_ms);
                }
            }
            Action::Sent(reference) => self.outbox.set_reference(reference),
            Action::CallListed(state) => {
                self.scheduler.saw_call();
                if state == CallState::Active {
                    self.apply(now_ms, Action::Event(Event::CallAnswered));
                }
            }
            Action::CallerListed(caller) => {
                let identified = self.calls.listed_caller(now_ms, caller);
                self.emit_some(identified);
            }
            Action::CallOver(result) => self.call_over(result),
            Action::Final(result) => self.finish(now_ms, result),
        }
    }

    /// Notes `index` for reading unless it is being read.
    fn want_read(&mut self, index: u16) {
        let reading = self.scheduler.is(Op::Read(index));
        self.inbox.want_read(index, reading);
    }

    /// Hands `answer` to the inbox, and out what it found.
    fn read_answer(&mut self, now_ms: u64, index: u16, answer: Answer) {
        let room = self.events.message_room();
        let reading = self.scheduler.is(Op::Read(index));
        let found = self.inbox.read_answer(now_ms, index, answer, room, reading);
        self.emit_some(found);
    }

    /// `+CPIN` other than `READY`: during the init the command fails (and
    /// the init escalates to a power cycle, with back-off); later the
    /// modem is initialised again after [`BUSY_RETRY_MS`].
    fn on_sim_trouble(&mut self, now_ms: u64) {
        if !self.scheduler.saw_sim_trouble() && self.state == State::Ready {
            self.reinit(now_ms);
            self.supervisor.hold(now_ms, BUSY_RETRY_MS);
        }
    }

    fn call_over(&mut self, result: Final) {
        match self.calls.call_over(result) {
            Some(ended) => self.emit(ended),
            // Whose call ended? Ask the modem.
            None if !self.scheduler.is(Op::Clcc) => self.scheduler.queue(Op::Clcc),
            None => {}
        }
    }

    fn on_registration(&mut self, now_ms: u64, s: RegStatus) {
        if self.supervisor.on_registration(now_ms, s) {
            // Sends that waited out a back-off for lack of network go now.
            self.outbox.retry_now(now_ms);
        }
    }

    fn finish(&mut self, now_ms: u64, result: Final) {
        // A text-mode body without `<length>` ends at a final result that
        // may be one of its lines: wait for the rest before it counts.
        if self.scheduler.settle(now_ms) {
            return;
        }
        let Some(f) = self.scheduler.take_in_flight() else {
            return;
        };
        self.supervisor.answered();
        match (f.op, result) {
            // `+CPIN: SIM PIN` / `NOT READY` with an OK: no use going on.
            (Op::Init(step), Final::Ok) if f.sim_trouble => self.init_failed(now_ms, step),
            (Op::Init(step), Final::Ok) => {
                if self.supervisor.lists(step) {
                    self.inbox.list_done();
                }
                if self.supervisor.init_ok(now_ms, step) {
                    self.set_state(State::Ready);
                } else {
                    self.scheduler.push_front(Op::Init(step + 1));
                }
            }
            // Still starting: wait for it, with back-off.
            (Op::Init(step), r) if is_busy(r) => {
                let retry = self.supervisor.init_busy(now_ms);
                self.init_retry(now_ms, step, retry);
            }
            // No PDU mode: fall back to text mode. A garbled command is
            // refused too: ask [`INIT_ATTEMPTS`] times.
            (Op::Init(step), _) if self.supervisor.pdu_mode_refused(step) => {
                self.scheduler.push_front(Op::Init(step));
            }
            // The character set and header details are nice to have.
            (Op::Init(step), _) if self.supervisor.optional(step) => {
                self.scheduler.push_front(Op::Init(step + 1));
            }
            (Op::Init(step), _) => self.init_failed(now_ms, step),
            (Op::Poll(_), _) if !self.supervisor.registered() => {
                self.supervisor.poll_again_soon(now_ms);
            }
            (Op::Read(index), r) if self.supervisor.text_mode && f.header => {
                let answer = match (r, f.settle) {
                    (_, true) => self.inbox.text_answer(true, f.tail > 0),
                    (Final::Ok, false) => self.inbox.text_answer(false, false),
                    _ => Answer::Unclear,
                };
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
            (Op::SendBody, Final::Ok) => {
                let sent = self.outbox.sent(now_ms, self.supervisor.text_mode);
                self.emit_some(sent);
            }
            (Op::SendLength | Op::SendBody, Final::CmsError(Some(NO_NETWORK_SERVICE))) => {
                // The network is gone even if no URC said so: its return ends the back-off.
                self.on_registration(now_ms, RegStatus::NotRegistered);
                self.send_failed(now_ms, false);
            }
            (Op::SendLength | Op::SendBody, Final::CmsError(Some(cause)))
                if is_permanent(cause) =>
            {
                let refused = self.outbox.refused(now_ms, cause);
                self.emit_some(refused);
            }
            (Op::SendLength | Op::SendBody, _) => self.send_failed(now_ms, true),
            (Op::Dial, Final::Ok) => {}
            (Op::HangUp, Final::Ok) => {
                let ended = self.calls.hung_up();
                self.emit_some(ended);
            }
            (Op::Dial, other) => self.call_over(other),
            // Our call is no longer listed: the far end rejected it (or
            // ended it, if a call end was unclear).
            (Op::Clcc, Final::Ok) => {
                let ended = self.calls.listed(f.call_listed);
                self.emit_some(ended);
            }
            _ => {}
        }
    }
}
