//! What one frame from the modem means, given the command in flight: the
//! answer parsing, apart from the state it changes.

use heapless::Vec;

use super::Op;
use super::events::Event;
use super::inbox::{FNV_BASIS, Sighting, TextRead, content_fingerprint, fnv1a};
use crate::calls::{CallProgress, CallState, CallerId};
use crate::codec::{Final, Frame};
use crate::network::{self, Domain, RegStatus, SimState};
use crate::pdu::{self, Pdu};
use crate::urc::Urc;
use crate::ussd::Ussd;

/// The command in flight, as [`classify`] needs it.
#[derive(Clone, Copy)]
pub(super) struct Expecting {
    pub(super) op: Op,
    /// A `+CMGR` header came; its PDU or text follows.
    pub(super) header: bool,
    /// The header's `<length>` (PDU mode).
    pub(super) pdu_len: Option<u16>,
    /// Fingerprint of the header line.
    pub(super) header_fp: u32,
    /// The answer ended and settles: lines now are no part of it.
    pub(super) settling: bool,
}

/// What one frame means, given the command in flight.
#[allow(clippy::large_enum_variant)]
pub(super) enum Action {
    None,
    Event(Event),
    NewSms(u16),
    /// A message in the init's list.
    Listed(u16),
    Rebooted,
    /// `NORMAL POWER DOWN`: the modem is off.
    PoweredDown,
    SmsReady,
    SettingsLost,
    Registration(Domain, RegStatus),
    /// `RING` (`None`) or `+CLIP`.
    Ring(Option<CallerId>),
    Ussd(Ussd),
    /// A `+CMGR` header, with its `<length>` in PDU mode and its fingerprint
    /// (text mode: neither, the codec frames the body).
    Header(Option<u16>, u32),
    /// A decoded SMS-DELIVER and how to recognise it.
    Pdu(pdu::Deliver, Sighting),
    /// A `+CMGR` body that is no SMS-DELIVER, by its fingerprint.
    Undecodable(u32),
    /// A `+CMGR` line of the wrong length or not hex, with its header's
    /// fingerprint folded in.
    Misshapen(u32),
    Prompt,
    Sent(u8),
    CallListed(CallState),
    /// `+CLCC` listed a ringing incoming call with its number.
    CallerListed(CallerId),
    CallOver(Final),
    Final(Final),
}

/// `OK` with one byte lost, added or changed (`O`, `OKK`, `0K`): no modem
/// sends such a line, line noise does. Taking it for the `OK` it was saves
/// a command timeout, and on a noisy line a failed init or a power cycle.
pub(super) fn is_garbled_ok(line: &[u8]) -> bool {
    match *line {
        [a] => a == b'O' || a == b'K',
        [a, b] => a == b'O' || b == b'K',
        [a, b, c] => (a, b) == (b'O', b'K') || (b, c) == (b'O', b'K') || (a, c) == (b'O', b'K'),
        _ => false,
    }
}

/// The modem is still starting: `+CME ERROR: 14` (SIM busy) or `515`
/// (device busy), 27.007 §9.2; `+CMS ERROR: 314` (SIM busy), 27.005 §3.2.5.
pub(super) fn is_busy(result: Final) -> bool {
    matches!(
        result,
        Final::CmeError(Some(14 | 515)) | Final::CmsError(Some(314))
    )
}

pub(super) fn classify(
    frame: Frame<'_>,
    in_flight: Option<Expecting>,
    text: Option<&mut TextRead>,
) -> Action {
    match frame {
        // A call ends while something else is in flight: not that command's answer.
        Frame::Final(f @ (Final::NoCarrier | Final::Busy | Final::NoAnswer))
            if !in_flight.is_some_and(|e| e.op == Op::Dial) =>
        {
            Action::CallOver(f)
        }
        Frame::Final(f) => Action::Final(f),
        Frame::Prompt => Action::Prompt,
        Frame::Overflow => Action::None,
        Frame::Info(line) => classify_info(line, in_flight, text),
        Frame::Data(data) => {
            // A text-mode body: the sender's text, whatever it reads.
            let reading = in_flight.is_some_and(|e| matches!(e.op, Op::Read(_)) && e.header);
            if let (true, Some(t), false) = (reading, text, in_flight.is_some_and(|e| e.settling)) {
                if t.lines > 0 {
                    extend_truncated(&mut t.body, b"\n");
                }
                t.lines = t.lines.saturating_add(1);
                extend_truncated(&mut t.body, data);
            }
            Action::None
        }
        Frame::Urc(urc) => match urc {
            Urc::NewSms { index, .. } => Action::NewSms(index),
            Urc::Ready => Action::Rebooted,
            Urc::PowerDown => Action::PoweredDown,
            Urc::SmsReady => Action::SmsReady,
            Urc::Ring | Urc::CRing => Action::Ring(None),
            Urc::CallerId(c) => Action::Ring(Some(c)),
            Urc::CallProgress(CallProgress::Answered) => Action::Event(Event::CallAnswered),
            Urc::CallProgress(CallProgress::Ended) => Action::CallOver(Final::NoCarrier),
            Urc::Ussd(u) => Action::Ussd(u.decode()),
            Urc::Registration(r) => Action::Registration(r.domain, r.status),
            Urc::Signal(s) => Action::Event(Event::Signal(s.dbm())),
            Urc::Sim(s) => Action::Event(Event::Sim(s)),
            Urc::NetworkTime(t) => Action::Event(Event::NetworkTime(t)),
            // Direct delivery (+CMT) is not configured; a stray one is
            // dropped rather than handed out without a storage index to ack.
            Urc::StatusReport { body, .. } => match pdu::decode_hex(body) {
                Ok(Pdu::StatusReport(r)) => Action::Event(Event::StatusReport {
                    reference: r.reference,
                    delivered: r.delivered(),
                }),
                _ => Action::None,
            },
            _ => Action::None,
        },
    }
}

fn classify_info(line: &[u8], in_flight: Option<Expecting>, text: Option<&mut TextRead>) -> Action {
    let Some(Expecting {
        op,
        header,
        pdu_len,
        header_fp,
        ..
    }) = in_flight
    else {
        return Action::None;
    };
    match (op, text) {
        // A PDU-mode header (`<stat>` a number) in text mode: the modem was
        // reset without a word and is back in PDU mode, its default. Only
        // a read's first line: a list's body without `<length>` may forge one.
        (Op::Read(_), Some(_)) if !header && pdu_header(line) => return Action::SettingsLost,
        (Op::Read(_), Some(t)) if !header && line.starts_with(b"+CMGR") => {
            t.header.clear();
            t.body.clear();
            t.lines = 0;
            extend_truncated(
                &mut t.header,
                crate::fields::params(line, b"+CMGR").unwrap_or_default(),
            );
            return Action::Header(None, 0);
        }
        // The body comes as data: an information line after the header
        // is the modem's, where a header or the final result should be.
        (Op::Read(_), Some(_)) if header => return Action::None,
        _ => {}
    }
    match op {
        Op::Read(_) if !header && line.starts_with(b"+CMGR") => {
            let length = crate::fields::fields(line, b"+CMGR").and_then(|f| f.last()?.number());
            Action::Header(length, fnv1a(FNV_BASIS, line))
        }
        // Modems send hex: anything else was garbled on the way, and so was
        // a line whose length is not the header's `<length>` (TPDU octets).
        // Noise garbles differently each time; a stored entry that always
        // reads so is condemned by its fingerprint like any undecodable one.
        // The header is in the fingerprint: a garbled `<length>` before an
        // intact line must not count as the same answer.
        Op::Read(_) if header && !crate::septet::is_hex(line) => {
            Action::Misshapen(fnv1a(header_fp, line))
        }
        Op::Read(_)
            if header && pdu_len.is_some_and(|n| Some(usize::from(n)) != tpdu_len(line)) =>
        {
            Action::Misshapen(fnv1a(header_fp, line))
        }
        Op::Read(_) if header => read_pdu(line),
        // The header was garbled past recognition, not the PDU line after it:
        // it counts too, checked on its own (the length check is the header's).
        Op::Read(_) if crate::septet::is_hex(line) => read_pdu(line),
        Op::List | Op::Init(_) if line.starts_with(b"+CMGL") => {
            let index = crate::fields::fields(line, b"+CMGL").and_then(|mut f| f.next()?.number());
            match (op, index) {
                (Op::Init(_), Some(i)) => Action::Listed(i),
                (_, Some(i)) => Action::NewSms(i),
                (_, None) => Action::None,
            }
        }
        Op::SendLength | Op::SendBody if line.starts_with(b"+CMGS") => {
            crate::fields::fields(line, b"+CMGS")
                .and_then(|mut f| f.next()?.number())
                .map_or(Action::None, Action::Sent)
        }
        Op::Poll(domain) => {
            let n = crate::fields::fields(line, domain.prefix())
                .and_then(|mut f| f.next()?.number::<u8>());
            match (n, network::parse_registration(line, true)) {
                // Every init sets n = 2.
                (Some(n), Some(_)) if n != 2 => Action::SettingsLost,
                (_, Some(r)) => Action::Registration(r.domain, r.status),
                (_, None) => Action::None,
            }
        }
        Op::Signal => {
            network::parse_csq(line).map_or(Action::None, |s| Action::Event(Event::Signal(s.dbm())))
        }
        Op::Init(_) if line.starts_with(b"+CPIN") => match network::parse_cpin(line) {
            Some(SimState::Ready) | None => Action::None,
            Some(s) => Action::Event(Event::Sim(s)),
        },
        Op::Clcc => match crate::calls::parse_clcc(line) {
            Some(c) if c.outgoing => Action::CallListed(c.state),
            _ => crate::calls::clcc_caller(line).map_or(Action::None, Action::CallerListed),
        },
        _ => Action::None,
    }
}

/// A `+CMGR`/`+CMGL` header of PDU mode: `<stat>` is a number (after
/// `+CMGL`'s `<index>`), where text mode quotes it.
fn pdu_header(line: &[u8]) -> bool {
    let stat = match line.get(..7) {
        Some(b"+CMGR: ") => line.get(7),
        Some(b"+CMGL: ") => line
            .iter()
            .position(|&b| b == b',')
            .and_then(|comma| line.get(comma + 1)),
        _ => None,
    };
    stat.is_some_and(u8::is_ascii_digit)
}

/// A `+CMGR` PDU line, checked as far as a line without checksum can be.
fn read_pdu(line: &[u8]) -> Action {
    // A PDU with octets after its user data may be stored so, or may
    // be a line shifted by noise: one more read must agree.
    // So may one without a valid time stamp (a shifted SCTS rarely is).
    let (decoded, exact) = match pdu::decode_hex_exact(line) {
        Err(pdu::PduError::TrailingOctets) => (pdu::decode_hex(line), false),
        exact => (exact, true),
    };
    match decoded {
        Ok(Pdu::Deliver(d)) => {
            let sighting = Sighting {
                content: content_fingerprint(&d),
                line: fnv1a(FNV_BASIS, line),
                reads: match exact && d.timestamp.is_some() {
                    true => 2,
                    false => 3,
                },
            };
            Action::Pdu(d, sighting)
        }
        _ => Action::Undecodable(fnv1a(FNV_BASIS, line)),
    }
}

/// TPDU octets of a PDU in hex with its SMSC part (27.005 `<length>`).
fn tpdu_len(hex: &[u8]) -> Option<usize> {
    let smsc = hex.get(..2).and_then(|h| core::str::from_utf8(h).ok());
    let smsc = usize::from_str_radix(smsc?, 16).ok()?;
    (hex.len() / 2).checked_sub(smsc + 1)
}

/// Appends what fits of `bytes`.
fn extend_truncated<const N: usize>(buf: &mut Vec<u8, N>, bytes: &[u8]) {
    let room = N - buf.len();
    buf.extend_from_slice(bytes.get(..room.min(bytes.len())).unwrap_or_default())
        .ok();
}
