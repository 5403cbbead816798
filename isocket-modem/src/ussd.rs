//! USSD answers (`+CUSD`, 3GPP TS 27.007 §7.15; data coding per 23.038 §5).
//!
//! Real answers come in every shape (modem_transcripts.md §1): plain text,
//! GSM-7 packed hex, UCS2 hex with the right DCS (72), UCS2 hex under a wrong
//! DCS (15, Quectel M35), and UCS2 with a language prefix and trailing
//! garbage (DCS 17, Telit HE910-D). [`decode`] looks at the bytes as well as
//! the DCS, because the DCS lies.

use heapless::{String, Vec};

use crate::fields;
use crate::septet;

/// Text capacity of a decoded USSD answer (182 characters, most 2 bytes).
pub const USSD_TEXT: usize = 400;

/// `<m>` of `+CUSD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UssdStatus {
    /// 0: no further action required.
    Done,
    /// 1: further user action required (a menu).
    ActionRequired,
    /// 2: terminated by the network.
    Terminated,
    /// 3: another local client responded.
    OtherClient,
    /// 4: operation not supported.
    NotSupported,
    /// 5: network time out.
    Timeout,
    /// Anything else.
    Other(u8),
}

impl UssdStatus {
    fn from_code(code: u8) -> Self {
        match code {
            0 => UssdStatus::Done,
            1 => UssdStatus::ActionRequired,
            2 => UssdStatus::Terminated,
            3 => UssdStatus::OtherClient,
            4 => UssdStatus::NotSupported,
            5 => UssdStatus::Timeout,
            other => UssdStatus::Other(other),
        }
    }

    /// Whether this answer is the one a request waits for, rather than the
    /// "Initiating Release" / "Other local client responded" noise before it.
    pub fn is_answer(self) -> bool {
        matches!(self, UssdStatus::Done | UssdStatus::ActionRequired)
    }
}

/// A decoded `+CUSD` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ussd {
    /// The session status.
    pub status: UssdStatus,
    /// The text, decoded whatever its shape.
    pub text: String<USSD_TEXT>,
    /// The DCS as reported, if any.
    pub dcs: Option<u8>,
}

/// A `+CUSD` line as it came, checked but decoded only by
/// [`UssdLine::decode`]: a decoded answer holds [`USSD_TEXT`] bytes, and
/// every frame of the codec would pay for copying them.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct UssdLine<'a> {
    line: &'a [u8],
    /// The session status.
    pub status: UssdStatus,
}

impl<'a> UssdLine<'a> {
    /// A complete `+CUSD:` line (which may hold raw line breaks inside the
    /// quotes); `None` if it has no numeric status.
    pub fn new(line: &'a [u8]) -> Option<Self> {
        let mut f = fields::fields(line, b"+CUSD")?;
        let status = UssdStatus::from_code(f.next()?.number()?);
        Some(UssdLine { line, status })
    }

    /// The line's bytes.
    pub fn line(&self) -> &'a [u8] {
        self.line
    }

    /// The answer, decoded whatever its shape.
    pub fn decode(&self) -> Ussd {
        let mut f = fields::fields(self.line, b"+CUSD")
            .into_iter()
            .flatten()
            .skip(1);
        let raw = f.next().map(|f| f.bytes).unwrap_or_default();
        let dcs = f.next().and_then(|f| f.number());
        let mut text = String::new();
        decode(raw, dcs, &mut text);
        Ussd {
            status: self.status,
            text,
            dcs,
        }
    }
}

/// Shows the decoded answer.
impl core::fmt::Debug for UssdLine<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.decode().fmt(f)
    }
}

/// Parses a complete `+CUSD:` line (which may hold raw line breaks inside the quotes).
pub fn parse(line: &[u8]) -> Option<Ussd> {
    UssdLine::new(line).map(|u| u.decode())
}

enum Coding {
    Gsm7,
    Eight,
    Ucs2,
    Ucs2WithLanguage,
}

/// The alphabet of a USSD (CBS) data coding scheme, 23.038 §5.
fn coding(dcs: u8) -> Coding {
    match dcs {
        0x11 => Coding::Ucs2WithLanguage,
        0x40..=0x7F | 0x90..=0x9F => match (dcs >> 2) & 0x03 {
            1 => Coding::Eight,
            2 => Coding::Ucs2,
            _ => Coding::Gsm7,
        },
        0xF0..=0xFF if dcs & 0x04 != 0 => Coding::Eight,
        _ => Coding::Gsm7,
    }
}

/// Whether hex text reads as UCS2 rather than packed GSM-7: every unit a
/// printable character, and most units in the same 256-character block as
/// the first (real text stays in one script; packed septets look random).
fn looks_ucs2(bytes: &[u8]) -> bool {
    let units = || {
        bytes
            .chunks_exact(2)
            .map(|p| p.first().copied().unwrap_or(0))
    };
    let Some(block) = units().next() else {
        return false;
    };
    let printable = char::decode_utf16(bytes.chunks_exact(2).map(|p| {
        u16::from_be_bytes([
            p.first().copied().unwrap_or(0),
            p.get(1).copied().unwrap_or(0),
        ])
    }))
    .all(|c| c.is_ok_and(|c| !c.is_control() || c == '\n' || c == '\r'));
    let same = units().filter(|&b| b == block).count();
    bytes.len() >= 4 && bytes.len().is_multiple_of(2) && printable && same * 2 >= bytes.len() / 2
}

/// UCS2 text of an answer, up to its first NUL unit: some modems pad the
/// answer with NUL and garbage after it (the HE910-D vector below). An
/// answer is shown, never executed, so a short one is harmless here.
fn decode_ucs2<const N: usize>(bytes: &[u8], out: &mut String<N>) {
    let end = bytes
        .chunks_exact(2)
        .position(|unit| unit == [0, 0])
        .map_or(bytes.len(), |units| units * 2);
    septet::decode_ucs2(bytes.get(..end).unwrap_or_default(), out);
}

/// Decodes the `<str>` of `+CUSD` into `out`.
pub fn decode<const N: usize>(raw: &[u8], dcs: Option<u8>, out: &mut String<N>) {
    let mut bytes: Vec<u8, 256> = Vec::new();
    let hex = septet::is_hex(raw) && raw.len() >= 4 && septet::from_hex(raw, &mut bytes).is_some();
    let coding = dcs.map_or(Coding::Gsm7, coding);
    match (coding, hex) {
        (Coding::Ucs2, true) => decode_ucs2(&bytes, out),
        (Coding::Ucs2WithLanguage, true) => decode_ucs2(bytes.get(2..).unwrap_or_default(), out),
        (Coding::Gsm7, true) if looks_ucs2(&bytes) => decode_ucs2(&bytes, out),
        // Packed GSM-7 always has some hex letters; all-digit text is text.
        (Coding::Gsm7, true) if raw.iter().any(u8::is_ascii_alphabetic) => {
            let count = bytes.len() * 8 / 7;
            septet::decode_gsm7(septet::unpack(&bytes, 0, count), out);
            // A trailing CR is padding when the last septet is unused (23.038 §6.1.2.3.1).
            if out.ends_with('\r') {
                out.pop();
            }
        }
        _ => {
            let chars = raw.utf8_chunks().flat_map(|chunk| {
                let bad = (!chunk.invalid().is_empty()).then_some(char::REPLACEMENT_CHARACTER);
                chunk.valid().chars().chain(bad)
            });
            for c in chars {
                if out.push(c).is_err() {
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(line: &str) -> std::string::String {
        parse(line.as_bytes()).unwrap().text.as_str().into()
    }

    /// PGT USSD sequences and GM at-ussd captures (modem_transcripts.md §2.2, §2.3).
    #[test]
    fn every_shape() {
        assert_eq!(
            text("+CUSD: 0,\"Available Balance: R 96.45 .\",15"),
            "Available Balance: R 96.45 ."
        );
        // (b) quoted text without DCS, national-variant code points kept raw.
        assert!(
            text("+CUSD: 1,\"Kontostand: 3.00 EUR Bitte w{hlen Sie: 1 Konto\"")
                .starts_with("Kontostand")
        );
        // (c) Huawei E160, packed GSM-7 hex, unquoted, no DCS.
        let e160 = text(
            "+CUSD: 0, 49B41C74ACD3D16171D90D66666666666666666666B45CAC76C3CD6CB41B2D060389CB74F9FE4C07DD5CB91AA85897BF1B",
        );
        assert!(e160.starts_with("Ihr"), "{e160}");
        let e160b = text(
            "+CUSD: 0,\"49B41C74ACD3D16171D90D32FBE52072BA0C72CA5DB45CAC76C3CD6CB41B2D060389CB74F9FE4C07D55C371CA85897BF1B\",15",
        );
        assert!(e160b.starts_with("Ihr"), "{e160b}");
        // (d) UCS2 with DCS 72 (E3276), and mislabelled DCS 15 (Quectel M35).
        assert_eq!(text("+CUSD: 0,\"0414043B044F\",72"), "Для");
        assert_eq!(text("+CUSD: 2,\"00480061007600690020006B\",15"), "Havi k");
        // HE910-D: DCS 17, language prefix, UCS2, then NUL and garbage.
        assert_eq!(
            text("+CUSD: 2,\"613906310635064A062F0000FFFF60B1\",17"),
            "رصيد"
        );
        // Multi-line body (PGT).
        assert_eq!(
            text("+CUSD: 1,\"Bal:$100.00 *\r\nExp 01 Jan 2013\",15"),
            "Bal:$100.00 *\r\nExp 01 Jan 2013"
        );
        // Short all-digit text is text, not hex.
        assert_eq!(text("+CUSD: 0,\"1234\",15"), "1234");
        assert_eq!(
            parse(b"+CUSD: 2,\"Initiating Release\",15").unwrap().status,
            UssdStatus::Terminated
        );
    }
}
