//! The outbox: queued outgoing SMS, sent one part at a time, urgent ones
//! first, retried with back-off until sent, refused for good (a permanent
//! `+CMS ERROR` cause) or out of tries, and named by handles in the events
//! that report them.

use core::fmt::Write as _;

use heapless::{String, Vec};

use super::commands::Buf;
use super::events::{Event, SendError, SmsHandle};
use super::{FIRST_RETRY_MS, MAX_BACKOFF_MS, MAX_PARTS, OUTBOX_LEN, SEND_ATTEMPTS, TX_LEN};
use crate::pdu::{self, Address, EncodedPdu, SubmitOptions};
use crate::text;

/// A queued outgoing message; parts are encoded when they are sent.
struct Outgoing<const TEXT: usize> {
    handle: SmsHandle,
    to: Address,
    text: String<TEXT>,
    concat_ref: u8,
    parts: u8,
    next_part: u8,
    /// Sent before every message that is not (an alert before replies).
    urgent: bool,
    /// Failed tries that count towards [`SEND_ATTEMPTS`] (made while registered).
    attempts: u8,
    /// Every failed try, for the back-off.
    failures: u8,
    /// The permanent cause the last try was refused with.
    refused_with: Option<u16>,
    not_before: u64,
}

/// The part of a queued message being sent.
struct Part {
    handle: SmsHandle,
    index: u8,
    /// `None` in text mode, where the text is typed from the outbox.
    pdu: Option<EncodedPdu>,
}

/// What [`Outbox::begin_part`] did with the first message due.
pub(super) enum Begun {
    /// A part is ready: send its length command.
    Part,
    /// The message cannot be encoded any more: it is gone.
    Dropped(SmsHandle),
}

/// Outgoing messages, the part in flight and the handles.
pub(super) struct Outbox<const TEXT: usize> {
    messages: Vec<Outgoing<TEXT>, OUTBOX_LEN>,
    /// The part being sent.
    part: Option<Part>,
    /// TP-MR of the last `+CMGS` answer.
    last_reference: u8,
    next_handle: SmsHandle,
}

impl<const TEXT: usize> Outbox<TEXT> {
    pub(super) fn new() -> Self {
        Outbox {
            messages: Vec::new(),
            part: None,
            last_reference: 0,
            next_handle: 0,
        }
    }

    /// Outgoing messages still queued.
    pub(super) fn len(&self) -> usize {
        self.messages.len()
    }

    /// Room for more messages.
    pub(super) fn room(&self) -> usize {
        OUTBOX_LEN - self.messages.len()
    }

    /// Queues a text message, split into up to [`MAX_PARTS`] parts. A full
    /// queue refuses it: nothing queued is dropped to make room.
    pub(super) fn push(
        &mut self,
        to: &str,
        text: &str,
        urgent: bool,
    ) -> Result<SmsHandle, SendError> {
        let to = Address::new(to);
        let mut stored = String::new();
        stored.push_str(text).map_err(|_| SendError::TooLong)?;
        let concat_ref = self.next_handle.to_le_bytes()[0];
        let mut parts = 0usize;
        pdu::encode_submit(&to, text, &SubmitOptions::default(), concat_ref, |_| {
            parts += 1;
        })?;
        let parts = u8::try_from(parts)
            .ok()
            .filter(|&p| usize::from(p) <= MAX_PARTS)
            .ok_or(SendError::TooLong)?;
        let handle = self.next_handle;
        self.next_handle = self.next_handle.wrapping_add(1);
        self.messages
            .push(Outgoing {
                handle,
                to,
                text: stored,
                concat_ref,
                parts,
                next_part: 0,
                urgent,
                attempts: 0,
                failures: 0,
                refused_with: None,
                not_before: 0,
            })
            .map_err(|_| SendError::QueueFull)?;
        Ok(handle)
    }

    /// When the first message backing off may go again.
    pub(super) fn next_retry(&self) -> Option<u64> {
        self.messages.iter().map(|o| o.not_before).min()
    }

    /// A queued message may go now.
    pub(super) fn due(&self, now_ms: u64) -> bool {
        self.messages.iter().any(|o| o.not_before <= now_ms)
    }

    /// The network takes messages again: those backing off go now.
    pub(super) fn retry_now(&mut self, now_ms: u64) {
        for message in self.messages.iter_mut() {
            message.not_before = message.not_before.min(now_ms);
        }
    }

    /// Picks the next part of the first message due that is urgent or has
    /// not failed yet, else of the first message due (one that keeps
    /// failing waits behind the urgent ones); `None` if none is due.
    pub(super) fn begin_part(&mut self, now_ms: u64, text_mode: bool) -> Option<Begun> {
        let due = |o: &&Outgoing<TEXT>| o.not_before <= now_ms;
        let mut queued = self.messages.iter();
        let o = queued
            .clone()
            .filter(due)
            .find(|o| o.urgent || o.failures == 0)
            .or_else(|| queued.find(due))?;
        let (handle, wanted) = (o.handle, o.next_part);
        if text_mode {
            self.part = Some(Part {
                handle,
                index: wanted,
                pdu: None,
            });
            return Some(Begun::Part);
        }
        let mut part = None;
        let mut seq = 0u8;
        let encoded = pdu::encode_submit(
            &o.to,
            &o.text,
            &SubmitOptions::default(),
            o.concat_ref,
            |p| {
                if seq == wanted {
                    part = Some(p);
                }
                seq = seq.saturating_add(1);
            },
        );
        match (encoded, part) {
            (Ok(()), Some(p)) => {
                self.part = Some(Part {
                    handle,
                    index: wanted,
                    pdu: Some(p),
                });
                Some(Begun::Part)
            }
            // push checked the encoding; a failure here cannot be retried.
            _ => {
                self.messages.retain(|o| o.handle != handle);
                Some(Begun::Dropped(handle))
            }
        }
    }

    /// The queued message whose part is being sent.
    fn sending(&self) -> Option<&Outgoing<TEXT>> {
        let handle = self.part.as_ref()?.handle;
        self.messages.iter().find(|o| o.handle == handle)
    }

    /// `AT+CMGS` for the part being sent: the number in text mode, the
    /// TPDU length in PDU mode.
    pub(super) fn write_length(&self, text_mode: bool, tx: &mut Vec<u8, TX_LEN>) {
        if text_mode {
            let to = self.sending().map(|o| o.to.number.as_str());
            write!(Buf(tx), "AT+CMGS=\"{}\"", to.unwrap_or_default()).ok();
        } else {
            let len = self.part.as_ref().and_then(|p| p.pdu.as_ref());
            let len = len.map_or(0, |p| p.tpdu_len);
            write!(Buf(tx), "AT+CMGS={len}").ok();
        }
    }

    /// The body of the part being sent (PDU hex, or its text), without
    /// the Ctrl-Z.
    pub(super) fn write_body(&self, tx: &mut Vec<u8, TX_LEN>) {
        match self.part.as_ref().and_then(|p| p.pdu.as_ref()) {
            Some(pdu) => {
                tx.extend_from_slice(&pdu.hex()).ok();
            }
            None => {
                let index = self.part.as_ref().map_or(0, |p| p.index);
                if let Some(o) = self.sending() {
                    let mut body: Vec<u8, { text::TEXT_PART }> = Vec::new();
                    text::encode_part(&o.text, usize::from(index), &mut body);
                    tx.extend_from_slice(&body).ok();
                }
            }
        }
    }

    /// The TP-MR a `+CMGS` answer gave.
    pub(super) fn set_reference(&mut self, reference: u8) {
        self.last_reference = reference;
    }

    /// The part in flight failed: the message backs off, or, after
    /// [`SEND_ATTEMPTS`] tries that `count` (made while registered), is
    /// dropped.
    pub(super) fn failed(&mut self, now_ms: u64, count: bool) -> Option<Event> {
        self.failed_with(now_ms, count, None)
    }

    /// The network refused the part in flight with a permanent `cause`:
    /// the message is dropped once two tries in a row got it (a line that
    /// loses a byte turns a `500` into a `50`), else it is a failed try.
    pub(super) fn refused(&mut self, now_ms: u64, cause: u16) -> Option<Event> {
        self.failed_with(now_ms, true, Some(cause))
    }

    fn failed_with(&mut self, now_ms: u64, count: bool, cause: Option<u16>) -> Option<Event> {
        let Part { handle, .. } = self.part.take()?;
        let i = self.messages.iter().position(|o| o.handle == handle)?;
        let o = self.messages.get_mut(i)?;
        let again = cause.is_some() && o.refused_with == cause;
        o.refused_with = cause;
        o.failures = o.failures.saturating_add(1);
        o.attempts = o.attempts.saturating_add(u8::from(count));
        if again || o.attempts >= SEND_ATTEMPTS {
            self.messages.remove(i);
            return Some(Event::SmsDropped { handle });
        }
        let wait = FIRST_RETRY_MS << u32::from(o.failures.clamp(1, 6) - 1);
        o.not_before = now_ms + wait.min(MAX_BACKOFF_MS);
        let attempts = o.attempts;
        Some(Event::SmsFailed { handle, attempts })
    }

    /// The part in flight went out; [`Event::SmsSent`] once it was the last.
    pub(super) fn sent(&mut self, now_ms: u64, text_mode: bool) -> Option<Event> {
        let Part { handle, .. } = self.part.take()?;
        // The network takes messages again: those backing off go now.
        self.retry_now(now_ms);
        let i = self.messages.iter().position(|o| o.handle == handle)?;
        let done = self.messages.get_mut(i).is_some_and(|o| {
            o.next_part = o.next_part.saturating_add(1);
            // Text mode has its own, never larger, split (no UDH).
            let parts = match text_mode {
                true => text::part_count(&o.text),
                false => usize::from(o.parts),
            };
            usize::from(o.next_part) >= parts
        });
        if !done {
            return None;
        }
        self.messages.remove(i);
        let reference = self.last_reference;
        Some(Event::SmsSent { handle, reference })
    }
}
