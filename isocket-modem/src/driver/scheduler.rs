//! Command scheduling: one AT command at a time. The work queue, the
//! command in flight with what its answer has shown so far, the bytes to
//! transmit and the codec that frames the answer.

use heapless::{Deque, Vec};

use super::classify::Expecting;
use super::{SETTLE_MS, TX_LEN};

/// Lines after a settling answer's result that each wait [`SETTLE_MS`]
/// more: a list's rest (two lines a message, a full SIM's worth).
const TAIL_LINES: u8 = 128;
use crate::codec::{Codec, Frame};
use crate::network::Domain;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
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
    /// `AT+CFUN=1,1`: restarts a running modem (27.007 §8.2).
    Reset,
}

pub(super) struct InFlight {
    pub(super) op: Op,
    deadline: u64,
    /// The header seen for a `+CMGR`, waiting for its PDU line.
    pub(super) header: bool,
    /// The header's `<length>` (PDU mode).
    pub(super) pdu_len: Option<u16>,
    /// Fingerprint of that header line.
    pub(super) header_fp: u32,
    /// The undecodable answer was a line of the wrong shape (length, hex).
    pub(super) misshapen: bool,
    /// The `+CMGR` answer held a message.
    pub(super) got_message: bool,
    /// Fingerprint of a `+CMGR` answer that held no message.
    pub(super) undecodable: Option<u32>,
    /// The answer had information lines.
    pub(super) lines: bool,
    /// `+CLCC` listed our outgoing call.
    pub(super) call_listed: bool,
    /// The SIM reported trouble during this init command.
    pub(super) sim_trouble: bool,
    /// A text-mode answer with a body without `<length>` ended: what
    /// follows for [`SETTLE_MS`] may be the rest of that body. Its result
    /// no longer matters (a list listed what came before it, a read is
    /// judged by its body and that tail).
    pub(super) settle: bool,
    /// Lines came while settling.
    pub(super) tail: u8,
}

/// How a command written by [`Scheduler::begin`] is answered.
pub(super) struct Expect {
    pub(super) timeout: u64,
    /// The prefix of its information lines.
    pub(super) prefix: Option<&'static [u8]>,
    /// It waits for a `>` prompt.
    pub(super) prompt: bool,
    /// A text-mode `AT+CMGL` (`Some(true)`) or `AT+CMGR` (`Some(false)`).
    pub(super) text: Option<bool>,
}

/// What [`Scheduler::next_queued`] found at the head of the queue.
pub(super) enum Next {
    Start(Op),
    /// Queued work that may not start yet: nothing else may either.
    Wait,
    Empty,
}

/// The work queue and the command in flight.
pub(super) struct Scheduler {
    codec: Codec,
    tx: Vec<u8, TX_LEN>,
    pending_tx: bool,
    in_flight: Option<InFlight>,
    work: Deque<Op, 16>,
}

impl Scheduler {
    pub(super) fn new() -> Self {
        Scheduler {
            codec: Codec::new(),
            tx: Vec::new(),
            pending_tx: false,
            in_flight: None,
            work: Deque::new(),
        }
    }

    /// Queues `op` unless it is already queued.
    pub(super) fn queue(&mut self, op: Op) {
        if !self.work.iter().any(|o| *o == op) {
            self.work.push_back(op).ok();
        }
    }

    /// Queues `op` last, even if it is queued already.
    pub(super) fn push_back(&mut self, op: Op) {
        self.work.push_back(op).ok();
    }

    /// Queues `op` first.
    pub(super) fn push_front(&mut self, op: Op) {
        self.work.push_front(op).ok();
    }

    /// Drops the queued work and the command in flight, whose op it returns.
    pub(super) fn abort(&mut self) -> Option<Op> {
        self.work.clear();
        let op = self.in_flight.take().map(|f| f.op);
        self.codec.done();
        op
    }

    /// The command in flight is over (answered or timed out).
    pub(super) fn take_in_flight(&mut self) -> Option<InFlight> {
        let f = self.in_flight.take()?;
        self.codec.done();
        Some(f)
    }

    /// The command in flight is `op`.
    pub(super) fn is(&self, op: Op) -> bool {
        self.in_flight.as_ref().is_some_and(|f| f.op == op)
    }

    /// No command is in flight.
    pub(super) fn idle(&self) -> bool {
        self.in_flight.is_none()
    }

    /// The deadline of the command in flight.
    pub(super) fn deadline(&self) -> Option<u64> {
        self.in_flight.as_ref().map(|f| f.deadline)
    }

    /// The next queued command is an init command.
    pub(super) fn init_queued(&self) -> bool {
        matches!(self.work.front(), Some(Op::Init(_)))
    }

    /// The head of the queue, if it may start: init commands once `held`
    /// is over, anything else only when `ready` (ESC always).
    pub(super) fn next_queued(&mut self, ready: bool, held: bool) -> Next {
        let Some(op) = self.work.pop_front() else {
            return Next::Empty;
        };
        let held = matches!(op, Op::Init(_)) && held;
        let allowed = ready || matches!(op, Op::Init(_) | Op::Escape | Op::Reset);
        if allowed && !held {
            return Next::Start(op);
        }
        self.work.push_front(op).ok();
        Next::Wait
    }

    /// The answer had an information line.
    pub(super) fn saw_line(&mut self) {
        if let Some(f) = &mut self.in_flight {
            f.lines = true;
        }
    }

    /// A `+CMGR` header, with its `<length>` (PDU mode) and fingerprint.
    pub(super) fn saw_header(&mut self, length: Option<u16>, fingerprint: u32) {
        if let Some(f) = &mut self.in_flight {
            f.pdu_len = length;
            f.header_fp = fingerprint;
            f.header = true;
        }
    }

    /// A `+CMGR` body that made no message, by its fingerprint.
    pub(super) fn saw_no_message(&mut self, fingerprint: u32, misshapen: bool) {
        if let Some(f) = &mut self.in_flight {
            f.header = false;
            f.undecodable = Some(fingerprint);
            f.misshapen = misshapen;
        }
    }

    /// A `+CMGR` body that made a message; the index read, if a read is
    /// in flight.
    pub(super) fn saw_message(&mut self) -> Option<u16> {
        let f = self.in_flight.as_mut()?;
        // One PDU per header: a duplicated line is not a second message.
        f.header = false;
        f.got_message = true;
        match f.op {
            Op::Read(index) => Some(index),
            _ => None,
        }
    }

    /// `+CLCC` listed our outgoing call.
    pub(super) fn saw_call(&mut self) {
        if let Some(f) = &mut self.in_flight {
            f.call_listed = true;
        }
    }

    /// The SIM reported trouble; `true` if an init command is in flight
    /// (it fails then).
    pub(super) fn saw_sim_trouble(&mut self) -> bool {
        match &mut self.in_flight {
            Some(f) if matches!(f.op, Op::Init(_)) => {
                f.sim_trouble = true;
                true
            }
            _ => false,
        }
    }

    /// The `>` prompt: `true` if it was awaited (the length command is
    /// over, the body may go).
    pub(super) fn prompted(&mut self) -> bool {
        if !self.is(Op::SendLength) {
            return false;
        }
        self.in_flight = None;
        true
    }

    /// The buffer to write the next command into, empty.
    pub(super) fn begin(&mut self) -> &mut Vec<u8, TX_LEN> {
        self.tx.clear();
        &mut self.tx
    }

    /// Sends what [`Scheduler::begin`] wrote as `op`.
    pub(super) fn launch(&mut self, op: Op, now_ms: u64, expect: Expect) {
        if !matches!(op, Op::SendBody | Op::Escape) {
            self.tx.push(b'\r').ok();
        }
        self.codec.expect(expect.prefix, expect.prompt);
        if let Some(list) = expect.text {
            self.codec.expect_text(list);
        }
        self.in_flight = Some(InFlight {
            op,
            deadline: now_ms + expect.timeout,
            header: false,
            pdu_len: None,
            header_fp: 0,
            misshapen: false,
            got_message: false,
            undecodable: None,
            lines: false,
            call_listed: false,
            sim_trouble: false,
            settle: false,
            tail: 0,
        });
        self.pending_tx = true;
    }

    /// The bytes of a command just started, once.
    pub(super) fn transmit(&mut self) -> Option<&[u8]> {
        core::mem::take(&mut self.pending_tx).then_some(&self.tx)
    }

    /// The command in flight, as [`classify`](super::classify::classify) needs it.
    pub(super) fn expecting(&self) -> Option<Expecting> {
        self.in_flight.as_ref().map(|f| Expecting {
            op: f.op,
            header: f.header,
            pdu_len: f.pdu_len,
            header_fp: f.header_fp,
            settling: f.settle,
        })
    }

    /// Frames bytes from the modem: how many were used, and a frame if
    /// one is complete.
    pub(super) fn decode<'a>(&'a mut self, input: &'a [u8]) -> (usize, Option<Frame<'a>>) {
        self.codec.decode(input)
    }

    /// The text-mode answer in flight ended, and it had a body without
    /// `<length>`: `true` if it now settles for [`SETTLE_MS`], every line
    /// data, before it counts.
    pub(super) fn settle(&mut self, now_ms: u64) -> bool {
        let Some(f) = self.in_flight.as_mut() else {
            return false;
        };
        if f.settle || !self.codec.unframed() {
            return false;
        }
        f.settle = true;
        f.deadline = now_ms + SETTLE_MS;
        self.codec.all_data();
        true
    }

    /// The answer in flight is settling.
    pub(super) fn settling(&self) -> bool {
        self.in_flight.as_ref().is_some_and(|f| f.settle)
    }

    /// A frame came: while settling, a line of the tail, and the answer
    /// waits [`SETTLE_MS`] more, up to [`TAIL_LINES`] lines (a modem that
    /// never stops talking does not hold the driver).
    pub(super) fn saw_frame(&mut self, now_ms: u64, data: bool) {
        let Some(f) = &mut self.in_flight else {
            return;
        };
        f.lines |= data;
        if f.settle && f.tail < TAIL_LINES {
            f.tail += 1;
            f.deadline = now_ms + SETTLE_MS;
        }
    }
}
