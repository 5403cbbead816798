//! What the driver tells the application: [`Event`]s and the types they
//! carry, and why a send was refused.

use chrono::{DateTime, FixedOffset};
use heapless::{Deque, String};

use crate::calls::CallerId;
use crate::network::{self, RegStatus, SimState};
use crate::pdu;
use crate::reassembly::MESSAGE_TEXT;
use crate::ussd::Ussd;

use super::{EVENTS, SMS_SLOTS};

/// Names a queued outgoing SMS in later events.
pub type SmsHandle = u16;

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

/// Why a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CallEnd {
    /// A call that was up (or an incoming call) ended.
    Ended,
    /// Our call was rejected or busy before it was answered.
    Rejected,
    /// Our call was not answered in time.
    Unanswered,
}

/// Why [`Driver::send_sms`](super::Driver::send_sms) refused a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// The queue is full of messages that have not failed often enough to drop.
    #[error("outgoing SMS queue full")]
    QueueFull,
    /// More bytes than the driver's text capacity ([`OUT_TEXT`](super::OUT_TEXT) by default)
    /// or more than [`MAX_PARTS`](super::MAX_PARTS) parts.
    #[error("SMS text too long")]
    TooLong,
    /// The PDU encoder refused the text or number.
    #[error("SMS encoding: {0}")]
    Pdu(#[from] pdu::PduError),
}

/// What happened, for the application.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
#[allow(clippy::large_enum_variant)] // no alloc: events are handed out by value
// The queue holds the smaller `Queued`: a big `Event` lives only on the
// caller's stack between `poll_event` and its handling.
pub enum Event<Text = String<MESSAGE_TEXT>, Answer = Ussd> {
    /// The driver state changed.
    State(State),
    /// A whole SMS. Call [`Driver::ack`](super::Driver::ack) with `id` once it is handled.
    Sms {
        /// Storage index of its last part; pass it to [`Driver::ack`](super::Driver::ack).
        id: u16,
        /// The sender with its type of address (23.040 §9.1.2.5), as the
        /// modem reported it: match `toa` as well as `number`, since an
        /// alphanumeric sender (`0xD0`) may read like digits. In text mode
        /// without a type from the modem it is [`pdu::TOA_NOT_TOLD`].
        from: pdu::Address,
        /// The text.
        text: Text,
        /// The SMSC time stamp (TP-SCTS) of the part that completed it, in
        /// the sender's zone; `None` if missing or invalid.
        sent_at: Option<DateTime<FixedOffset>>,
    },
    /// Every part of a queued SMS was sent.
    SmsSent {
        /// From [`Driver::send_sms`](super::Driver::send_sms).
        handle: SmsHandle,
        /// TP-MR of the last part, from `+CMGS`.
        reference: u8,
    },
    /// An attempt to send failed; the message stays queued and is retried.
    SmsFailed {
        /// From [`Driver::send_sms`](super::Driver::send_sms).
        handle: SmsHandle,
        /// Failed attempts so far.
        attempts: u8,
    },
    /// A message that kept failing gave up its place to a new one.
    SmsDropped {
        /// From [`Driver::send_sms`](super::Driver::send_sms).
        handle: SmsHandle,
    },
    /// The message stored at `id` never decoded: [`UNDECODABLE_AFTER`](super::UNDECODABLE_AFTER)
    /// reads gave the same undecodable answer (a broken PDU, or a stored
    /// status report or unsent message), so it is deleted unread rather
    /// than re-read forever.
    SmsUndecodable {
        /// The storage index it had.
        id: u16,
    },
    /// A status report (`+CDS`) for a sent part.
    StatusReport {
        /// TP-MR of the reported part.
        reference: u8,
        /// Whether it was delivered.
        delivered: bool,
    },
    /// Someone is calling: once per call, however many `RING`s it brings,
    /// with the number as soon as `+CLIP` gives it.
    Ringing(Option<CallerId>),
    /// The call of the last [`Event::Ringing`], announced without a
    /// number, gave its caller later in the same call (a `+CLIP` after the
    /// modem was set up again, or `AT+CLCC`). Once per call; never after
    /// a [`Event::Ringing`] that had a number.
    CallerIdentified(CallerId),
    /// The incoming call of the last [`Event::Ringing`] is over (hung up,
    /// or its `RING`s stopped for [`RING_GAP_MS`](super::RING_GAP_MS)).
    IncomingCallEnded,
    /// Our call was answered.
    CallAnswered,
    /// A call ended.
    CallEnded(CallEnd),
    /// A USSD answer.
    Ussd(Answer),
    /// Registration changed.
    Registration(RegStatus),
    /// Signal in dBm (`None`: unknown).
    Signal(Option<i16>),
    /// SIM state.
    Sim(SimState),
    /// Network time URC.
    NetworkTime(network::NetworkTime),
}

/// An [`Event`] in the driver's queue, without its big payloads: the text
/// of an SMS waits in one of [`SMS_SLOTS`] slots and a USSD answer in its
/// own slot, so the queue costs tens of bytes an entry, not kilobytes.
type Queued = Event<(), ()>;

impl<T, A> Event<T, A> {
    /// Status events that a newer one supersedes; the first to go when the
    /// queue is full (messages never are: reading stops before that).
    fn is_droppable(&self) -> bool {
        matches!(
            self,
            Event::State(_) | Event::Registration(_) | Event::Signal(_) | Event::NetworkTime(_)
        )
    }

    /// The same event with its SMS text and USSD answer moved by `text` and
    /// `answer`; `None` when one of them has nowhere to go.
    fn move_payloads<T2, A2>(
        self,
        text: impl FnOnce(T) -> Option<T2>,
        answer: impl FnOnce(A) -> Option<A2>,
    ) -> Option<Event<T2, A2>> {
        Some(match self {
            Event::State(s) => Event::State(s),
            Event::Sms {
                id,
                from,
                text: t,
                sent_at,
            } => Event::Sms {
                id,
                from,
                text: text(t)?,
                sent_at,
            },
            Event::SmsSent { handle, reference } => Event::SmsSent { handle, reference },
            Event::SmsFailed { handle, attempts } => Event::SmsFailed { handle, attempts },
            Event::SmsDropped { handle } => Event::SmsDropped { handle },
            Event::SmsUndecodable { id } => Event::SmsUndecodable { id },
            Event::StatusReport {
                reference,
                delivered,
            } => Event::StatusReport {
                reference,
                delivered,
            },
            Event::Ringing(c) => Event::Ringing(c),
            Event::CallerIdentified(c) => Event::CallerIdentified(c),
            Event::IncomingCallEnded => Event::IncomingCallEnded,
            Event::CallAnswered => Event::CallAnswered,
            Event::CallEnded(end) => Event::CallEnded(end),
            Event::Ussd(a) => Event::Ussd(answer(a)?),
            Event::Registration(r) => Event::Registration(r),
            Event::Signal(s) => Event::Signal(s),
            Event::Sim(s) => Event::Sim(s),
            Event::NetworkTime(t) => Event::NetworkTime(t),
        })
    }
}

/// The events waiting for [`Driver::poll_event`](super::Driver::poll_event),
/// with the slots that hold their big payloads.
pub(super) struct EventQueue {
    events: Deque<Queued, EVENTS>,
    /// Texts of the [`Queued::Sms`] in the queue, oldest first. Reading
    /// stops while they are all taken, so none is ever dropped.
    sms_texts: Deque<String<MESSAGE_TEXT>, SMS_SLOTS>,
    /// The answer of the [`Queued::Ussd`] in the queue; a newer one replaces it.
    ussd_answer: Option<Ussd>,
}

impl EventQueue {
    pub(super) fn new() -> Self {
        EventQueue {
            events: Deque::new(),
            sms_texts: Deque::new(),
            ussd_answer: None,
        }
    }

    pub(super) fn emit(&mut self, e: Event) {
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

    /// The next event, if any.
    pub(super) fn pop(&mut self) -> Option<Event> {
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

    /// Room for one more event that must not be lost, besides a status one.
    pub(super) fn event_room(&self) -> bool {
        self.events.capacity() - self.events.len() >= 2
    }

    /// Room for one more message event and its text.
    pub(super) fn message_room(&self) -> bool {
        self.event_room() && !self.sms_texts.is_full()
    }
}
