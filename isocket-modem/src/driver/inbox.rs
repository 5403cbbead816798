//! The inbox: how a stored message is recognised across reads.

use heapless::Vec;

use crate::pdu;

/// How a read message is recognised.
#[derive(Debug, Clone, Copy)]
pub(super) struct Sighting {
    /// What the message is, the same in PDU and text mode ([`content_fingerprint`]).
    pub(super) content: u32,
    /// What came over the line: reads must agree on this.
    pub(super) line: u32,
    /// Reads that must agree before it is handed out.
    pub(super) reads: u8,
}

/// A text-mode `+CMGR` answer being collected: header parameters and body
/// lines (joined by LF).
#[derive(Default)]
pub(super) struct TextRead {
    pub(super) header: Vec<u8, 200>,
    pub(super) body: Vec<u8, 512>,
    pub(super) lines: u8,
}

pub(super) const FNV_BASIS: u32 = 0x811C_9DC5;
/// The fingerprint of "nothing stored there".
pub(super) const NOTHING: u32 = 0;
/// The fingerprint of an answer too garbled to say what is stored.
pub(super) const GARBLED: u32 = 1;

/// FNV-1a: a cheap fingerprint to tell a stored message from line noise.
pub(super) fn fnv1a(hash: u32, bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .fold(hash, |h, &b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

/// What a message is, the same in PDU and text mode (the mode may change
/// at a re-init): sender, time stamp, text (or data). Noise in other
/// fields (SMSC, `<stat>`, which turns READ) does not make it another.
pub(super) fn content_fingerprint(d: &pdu::Deliver) -> u32 {
    let stamp = d.timestamp.map_or(0, |t| t.timestamp());
    let f = fnv1a(FNV_BASIS, d.sender.number.as_bytes());
    let f = fnv1a(f, &stamp.to_le_bytes());
    let f = fnv1a(f, d.user_data.text.as_bytes());
    match d.user_data.text.is_empty() {
        true => fnv1a(f, &d.user_data.data),
        false => f,
    }
}
