//! Reassembly of concatenated SMS (3GPP TS 23.040 §9.2.3.24.1): parts go into
//! a bounded table keyed by sender and reference, and a message whose parts
//! have not all arrived within [`REASSEMBLY_TIMEOUT_MS`] is dropped.

use heapless::{String, Vec};

use crate::pdu::{ADDRESS_LEN, Deliver, PART_TEXT};

/// Incomplete messages are dropped after 10 minutes.
pub const REASSEMBLY_TIMEOUT_MS: u64 = 10 * 60 * 1000;

/// Text capacity of a reassembled message.
pub const MESSAGE_TEXT: usize = 4 * PART_TEXT;

/// A whole message: one part, or all parts joined in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The sender.
    pub sender: String<ADDRESS_LEN>,
    /// The text.
    pub text: String<MESSAGE_TEXT>,
}

#[derive(Debug)]
struct Slot<const PARTS: usize> {
    sender: String<ADDRESS_LEN>,
    reference: u16,
    total: u8,
    first_seen_ms: u64,
    parts: Vec<(u8, String<PART_TEXT>), PARTS>,
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

fn joined(parts: &mut [(u8, String<PART_TEXT>)]) -> String<MESSAGE_TEXT> {
    parts.sort_unstable_by_key(|(seq, _)| *seq);
    let mut text = String::new();
    for c in parts.iter().flat_map(|(_, t)| t.chars()) {
        if text.push(c).is_err() {
            break;
        }
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
        let sender = sms.sender.number.clone();
        let Some(c) = ud.concat.filter(|c| c.total > 1) else {
            let mut parts = [(1, ud.text.clone())];
            return Pushed::Complete(Message {
                sender,
                text: joined(&mut parts),
            });
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
        if slot.parts.iter().any(|(seq, _)| *seq == c.seq) {
            return Pushed::Duplicate;
        }
        if slot.parts.push((c.seq, ud.text.clone())).is_err() {
            return Pushed::Rejected;
        }
        if slot.parts.len() < usize::from(c.total) {
            return Pushed::Pending;
        }
        let mut slot = self.slots.swap_remove(index);
        Pushed::Complete(Message {
            sender,
            text: joined(&mut slot.parts),
        })
    }
}
