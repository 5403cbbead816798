//! Reassembly of concatenated SMS (3GPP TS 23.040 §9.2.3.24.1): parts go into
//! a bounded table keyed by sender and reference, and a message whose parts
//! have not all arrived within [`REASSEMBLY_TIMEOUT_MS`] is dropped.
//!
//! A waiting part keeps its text coded as on the air, one byte per GSM-7
//! septet or two per UCS2 unit (at most [`PART_CODED`] bytes), not as UTF-8
//! (up to [`PART_TEXT`]): the table is a third of the size.

use heapless::{String, Vec};

use crate::pdu::{Address, Deliver, PART_TEXT};
use crate::septet;

/// Incomplete messages are dropped after 10 minutes.
pub const REASSEMBLY_TIMEOUT_MS: u64 = 10 * 60 * 1000;

/// Text capacity of a reassembled message.
pub const MESSAGE_TEXT: usize = 4 * PART_TEXT;
/// Bytes of a waiting part's coded text: a concatenated part holds at most
/// 153 septets (134 octets of UCS2) after its header.
pub const PART_CODED: usize = 153;

/// A whole message: one part, or all parts joined in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The sender, with its type of address.
    pub sender: Address,
    /// The text.
    pub text: String<MESSAGE_TEXT>,
}

/// A part's text as coded on the air.
#[derive(Debug)]
struct Part {
    seq: u8,
    /// UCS2 units (big-endian); otherwise GSM-7 septets.
    ucs2: bool,
    coded: Vec<u8, PART_CODED>,
}

impl Part {
    /// GSM-7 septets where the text has them, UCS2 otherwise; `None` if
    /// neither fits (not from a valid part).
    fn new(seq: u8, text: &str) -> Option<Part> {
        let mut coded = Vec::new();
        let gsm = septet::septets(text).try_for_each(|s| coded.push(s?).ok());
        if gsm.is_some() {
            return Some(Part {
                seq,
                ucs2: false,
                coded,
            });
        }
        coded.clear();
        septet::encode_ucs2(text, &mut coded)?;
        Some(Part {
            seq,
            ucs2: true,
            coded,
        })
    }

    fn decode_into(&self, text: &mut String<MESSAGE_TEXT>) {
        match self.ucs2 {
            true => septet::decode_ucs2(&self.coded, text),
            false => septet::decode_gsm7(self.coded.iter().copied(), text),
        };
    }
}

#[derive(Debug)]
struct Slot<const PARTS: usize> {
    /// Parts match on the type of address too: an alphanumeric sender
    /// `123` is not the number `123`.
    sender: Address,
    reference: u16,
    total: u8,
    first_seen_ms: u64,
    parts: Vec<Part, PARTS>,
}

/// What [`Reassembly::push`] did with a part.
// No alloc, so no box: the completed message is returned by value.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pushed {
    /// The message is complete.
    Complete(Message),
    /// Stored; more parts are due.
    Pending,
    /// A duplicate of a stored part, ignored.
    Duplicate,
    /// Dropped: more parts than `PARTS`, or a bad sequence number.
    Rejected,
}

/// Up to `SLOTS` messages of up to `PARTS` parts in flight.
#[derive(Debug)]
pub struct Reassembly<const SLOTS: usize = 4, const PARTS: usize = 4> {
    slots: Vec<Slot<PARTS>, SLOTS>,
}

impl<const SLOTS: usize, const PARTS: usize> Default for Reassembly<SLOTS, PARTS> {
    fn default() -> Self {
        Self::new()
    }
}

/// The text of `parts`, which are in sequence order.
fn joined(parts: &[Part]) -> String<MESSAGE_TEXT> {
    let mut text = String::new();
    for part in parts.iter() {
        part.decode_into(&mut text);
    }
    text
}

impl<const SLOTS: usize, const PARTS: usize> Reassembly<SLOTS, PARTS> {
    /// An empty table.
    pub const fn new() -> Self {
        Reassembly { slots: Vec::new() }
    }

    /// Messages in flight.
    pub fn pending(&self) -> usize {
        self.slots.len()
    }

    /// Drops incomplete messages older than [`REASSEMBLY_TIMEOUT_MS`]; returns how many.
    pub fn expire(&mut self, now_ms: u64) -> usize {
        let before = self.slots.len();
        self.slots
            .retain(|s| now_ms.saturating_sub(s.first_seen_ms) < REASSEMBLY_TIMEOUT_MS);
        before - self.slots.len()
    }

    /// Adds a decoded SMS-DELIVER. A full table evicts its oldest message.
    pub fn push(&mut self, now_ms: u64, sms: &Deliver) -> Pushed {
        self.expire(now_ms);
        let ud = &sms.user_data;
        let sender = sms.sender.clone();
        let Some(c) = ud.concat.filter(|c| c.total > 1) else {
            let mut text = String::new();
            text.push_str(&ud.text).ok(); // PART_TEXT <= MESSAGE_TEXT
            return Pushed::Complete(Message { sender, text });
        };
        if c.seq == 0 || c.seq > c.total || usize::from(c.total) > PARTS {
            return Pushed::Rejected;
        }
        let found = self
            .slots
            .iter()
            .position(|s| s.sender == sender && s.reference == c.reference && s.total == c.total);
        let index = match found {
            Some(i) => i,
            None => {
                if self.slots.is_full() {
                    let oldest = (0..self.slots.len())
                        .min_by_key(|&i| self.slots.get(i).map(|s| s.first_seen_ms));
                    if let Some(i) = oldest {
                        self.slots.swap_remove(i);
                    }
                }
                let slot = Slot {
                    sender: sender.clone(),
                    reference: c.reference,
                    total: c.total,
                    first_seen_ms: now_ms,
                    parts: Vec::new(),
                };
                if self.slots.push(slot).is_err() {
                    return Pushed::Rejected;
                }
                self.slots.len() - 1
            }
        };
        let Some(slot) = self.slots.get_mut(index) else {
            return Pushed::Rejected;
        };
        if slot.parts.iter().any(|p| p.seq == c.seq) {
            return Pushed::Duplicate;
        }
        let Some(part) = Part::new(c.seq, &ud.text) else {
            return Pushed::Rejected;
        };
        // Kept in sequence order: at most a few parts, no sort needed.
        let at = slot.parts.iter().position(|p| p.seq > c.seq);
        let stored = slot.parts.insert(at.unwrap_or(slot.parts.len()), part);
        if stored.is_err() {
            return Pushed::Rejected;
        }
        if slot.parts.len() < usize::from(c.total) {
            return Pushed::Pending;
        }
        let slot = self.slots.swap_remove(index);
        Pushed::Complete(Message {
            sender,
            text: joined(&slot.parts),
        })
    }
}
