//! SMS PDUs: SMS-DELIVER, SMS-SUBMIT and SMS-STATUS-REPORT (3GPP TS 23.040
//! §9.2), with the data coding of 3GPP TS 23.038 §4, in the PDU-mode framing
//! of 27.005 §3 (SMSC address octets, then the TPDU).
//!
//! Decisions where the standards leave room (see `tests/data/pdu_vectors.md`):
//! - The user-data length is obeyed: extra octets are ignored, missing ones
//!   are an error (a truncated message is refused, not half-read).
//! - The DCS is obeyed: a UCS2 body under a GSM-7 DCS (gammu `14.dump`)
//!   decodes as GSM-7. Only USSD guesses, because modems mislabel it.
//! - Alphanumeric addresses decode `floor(semi-octets × 4 / 7)` septets, so
//!   the padding bits never turn into a trailing `@`.
//! - Reserved and compressed codings are read as 8-bit data (no text).
//! - An invalid SCTS (a zone beyond ±14:00, a bad date) leaves the
//!   timestamp `None`; the message itself still decodes.

use chrono::{DateTime, Datelike, FixedOffset, Timelike};
use heapless::{String, Vec};

use crate::septet;
use crate::time;

/// Longest user data: 140 octets (23.040 §9.2.3.16).
pub const MAX_UD: usize = 140;
/// Text capacity of one part in UTF-8 bytes: 160 GSM-7 septets decode to at
/// most 2 bytes each (the basic table ends at U+03A9; `€` is 3 bytes for 2
/// septets), 70 UCS2 units to at most 3.
pub const PART_TEXT: usize = 320;
/// Longest PDU in octets: SMSC (12) + TPDU header (up to 28) + user data.
pub const MAX_PDU: usize = 180;
/// Capacity of an address: 20 digits, or 11 alphanumeric characters of up to 2 bytes.
pub const ADDRESS_LEN: usize = 24;

/// Why a PDU did not decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PduError {
    /// The text is not an even number of hex digits.
    #[error("PDU is not hex")]
    NotHex,
    /// The PDU ends before a field it announces.
    #[error("PDU is truncated")]
    Truncated,
    /// An address length is impossible.
    #[error("bad address")]
    BadAddress,
    /// TP-MTI 3 is reserved.
    #[error("reserved message type")]
    ReservedType,
    /// The user-data header is inconsistent.
    #[error("bad user-data header")]
    BadHeader,
    /// The text does not fit a PDU (encode).
    #[error("text too long")]
    TooLong,
    /// Octets follow the user data ([`decode_hex_exact`]).
    #[error("octets after the user data")]
    TrailingOctets,
}

/// A phone number or an alphanumeric sender (23.040 §9.1.2.5).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Address {
    /// Type of address: 0x91 international, 0x81 unknown, 0xA1 national, 0xD0 alphanumeric.
    pub toa: u8,
    /// Digits (with a leading `+` when international) or the alphanumeric text.
    /// (A one-byte length: an address travels in every SMS event.)
    pub number: String<ADDRESS_LEN, u8>,
}

/// The type of address of a sender whose type the modem did not report
/// (text mode without `AT+CSDH=1`): bit 8 clear, which no real type of
/// address has, and the type of number 111, "reserved for extension"
/// (23.040 §9.1.2.5). A rule that checks the type, even one reading only
/// the type-of-number bits, takes it for no phone number: fail closed.
pub const TOA_NOT_TOLD: u8 = 0x70;
/// Type of address of an international number (23.040 §9.1.2.5).
pub const TOA_INTERNATIONAL: u8 = 0x91;
/// Type of address of an alphanumeric sender (23.040 §9.1.2.5).
pub const TOA_ALPHANUMERIC: u8 = 0xD0;

const TON_INTERNATIONAL: u8 = 0x10;
const TON_ALPHANUMERIC: u8 = 0x50;

impl Address {
    /// An address from `+4912…` (international, 0x91) or `0123…` (unknown, 0x81).
    pub fn new(number: &str) -> Self {
        let toa = if number.starts_with('+') { 0x91 } else { 0x81 };
        Self::with_toa(number, toa)
    }

    /// An address with an explicit type of address.
    pub fn with_toa(number: &str, toa: u8) -> Self {
        let mut n = String::new();
        number.chars().take(ADDRESS_LEN - 1).for_each(|c| {
            n.push(c).ok();
        });
        Address { toa, number: n }
    }

    fn ton(&self) -> u8 {
        self.toa & 0x70
    }

    fn digits(&self) -> impl Iterator<Item = u8> + '_ {
        self.number.bytes().filter_map(|b| match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'*' => Some(0xA),
            b'#' => Some(0xB),
            b'a'..=b'c' => Some(b - b'a' + 0xC),
            _ => None,
        })
    }
}

fn semi_octet_char(n: u8) -> char {
    match n {
        0..=9 => char::from(b'0' + n),
        0xA => '*',
        0xB => '#',
        0xC => 'a',
        0xD => 'b',
        _ => 'c',
    }
}

/// A cursor over PDU octets that never reads past the end.
struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    fn u8(&mut self) -> Result<u8, PduError> {
        let (&first, rest) = self.data.split_first().ok_or(PduError::Truncated)?;
        self.data = rest;
        Ok(first)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], PduError> {
        let (head, rest) = self.data.split_at_checked(n).ok_or(PduError::Truncated)?;
        self.data = rest;
        Ok(head)
    }

    /// An address whose length counts semi-octets (OA, DA, RA).
    fn address(&mut self) -> Result<Address, PduError> {
        let len = usize::from(self.u8()?);
        if len > 20 {
            return Err(PduError::BadAddress);
        }
        let toa = self.u8()?;
        let octets = self.take(len.div_ceil(2))?;
        Ok(decode_address(toa, octets, len))
    }

    /// The SMSC address, whose length counts octets including the TOA.
    fn smsc(&mut self) -> Result<Option<Address>, PduError> {
        let len = usize::from(self.u8()?);
        if len == 0 {
            return Ok(None);
        }
        if len > 12 {
            return Err(PduError::BadAddress);
        }
        let toa = self.u8()?;
        let octets = self.take(len - 1)?;
        Ok(Some(decode_address(toa, octets, octets.len() * 2)))
    }

    fn timestamp(&mut self) -> Result<Option<DateTime<FixedOffset>>, PduError> {
        self.take(7).map(scts)
    }
}

fn decode_address(toa: u8, octets: &[u8], semi_octets: usize) -> Address {
    let mut a = Address {
        toa,
        number: String::new(),
    };
    if toa & 0x70 == TON_ALPHANUMERIC {
        let mut text: String<ADDRESS_LEN> = String::new();
        septet::decode_gsm7(septet::unpack(octets, 0, semi_octets * 4 / 7), &mut text);
        a.number.push_str(&text).ok();
        return a;
    }
    if toa & 0x70 == TON_INTERNATIONAL && semi_octets > 0 {
        a.number.push('+').ok();
    }
    let nibbles = octets
        .iter()
        .flat_map(|b| [b & 0x0F, b >> 4])
        .take(semi_octets);
    for n in nibbles.take_while(|&n| n != 0xF) {
        a.number.push(semi_octet_char(n)).ok();
    }
    a
}

fn swapped(b: u8) -> u32 {
    u32::from(b & 0x0F) * 10 + u32::from(b >> 4)
}

/// A service-centre time stamp (23.040 §9.2.3.11): swapped BCD, zone in
/// quarters with the sign in bit 3 of the swapped octet.
fn scts(o: &[u8]) -> Option<DateTime<FixedOffset>> {
    let &[y, mo, d, h, mi, s, tz] = o.first_chunk::<7>()?;
    let quarters = i32::try_from(swapped(tz & 0xF7)).ok()?;
    let quarters = if tz & 0x08 != 0 { -quarters } else { quarters };
    let offset = time::zone(quarters)?;
    let local = time::naive(
        swapped(y),
        swapped(mo),
        swapped(d),
        swapped(h),
        swapped(mi),
        swapped(s),
    )?;
    local.and_local_timezone(offset).single()
}

fn bcd(v: u32) -> u8 {
    let v = (v % 100) as u8;
    ((v % 10) << 4) | (v / 10)
}

pub(crate) fn encode_scts(t: &DateTime<FixedOffset>) -> [u8; 7] {
    let quarters = t.offset().local_minus_utc() / 900;
    let tz = bcd(quarters.unsigned_abs()) | if quarters < 0 { 0x08 } else { 0 };
    let y = u32::try_from(t.year().rem_euclid(100)).unwrap_or(0);
    [
        bcd(y),
        bcd(t.month()),
        bcd(t.day()),
        bcd(t.hour()),
        bcd(t.minute()),
        bcd(t.second()),
        tz,
    ]
}

/// The alphabet of the user data (23.038 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alphabet {
    /// GSM 7-bit default alphabet.
    Gsm7,
    /// 8-bit data.
    Eight,
    /// UCS2.
    Ucs2,
}

impl Alphabet {
    /// The alphabet a DCS selects.
    pub fn of_dcs(dcs: u8) -> Alphabet {
        let by_bits = |bits: u8| match bits & 0x03 {
            0 | 3 => Alphabet::Gsm7,
            1 => Alphabet::Eight,
            _ => Alphabet::Ucs2,
        };
        match dcs >> 4 {
            // General and auto-deletion groups; compressed text is not supported.
            0x0..=0x7 if dcs & 0x20 != 0 => Alphabet::Eight,
            0x0..=0x7 => by_bits(dcs >> 2),
            0xC | 0xD => Alphabet::Gsm7,
            0xE => Alphabet::Ucs2,
            0xF if dcs & 0x04 != 0 => Alphabet::Eight,
            _ => Alphabet::Gsm7,
        }
    }
}

/// Concatenation information element (23.040 §9.2.3.24.1 and .8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Concat {
    /// Reference shared by all parts (8- or 16-bit).
    pub reference: u16,
    /// Number of parts.
    pub total: u8,
    /// This part, from 1.
    pub seq: u8,
}

/// Application port addressing (23.040 §9.2.3.24.3 and .4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ports {
    /// Destination port.
    pub destination: u16,
    /// Originator port.
    pub origin: u16,
}

/// Decoded user data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserData {
    /// The alphabet.
    pub alphabet: Alphabet,
    /// The text (GSM-7 and UCS2); empty for 8-bit data.
    pub text: String<PART_TEXT>,
    /// The raw payload after the header (8-bit data; also kept for the others).
    pub data: Vec<u8, MAX_UD>,
    /// Concatenation, if the header has it.
    pub concat: Option<Concat>,
    /// Application ports, if the header has them.
    pub ports: Option<Ports>,
}

fn parse_udh(header: &[u8], ud: &mut UserData) -> Result<(), PduError> {
    let mut r = Reader { data: header };
    while !r.data.is_empty() {
        let iei = r.u8()?;
        let len = usize::from(r.u8()?);
        let ie = r.take(len).map_err(|_| PduError::BadHeader)?;
        match (iei, ie) {
            (0x00, &[reference, total, seq]) => {
                ud.concat = Some(Concat {
                    reference: u16::from(reference),
                    total,
                    seq,
                })
            }
            (0x08, &[hi, lo, total, seq]) => {
                ud.concat = Some(Concat {
                    reference: u16::from_be_bytes([hi, lo]),
                    total,
                    seq,
                })
            }
            (0x04, &[destination, origin]) => {
                ud.ports = Some(Ports {
                    destination: u16::from(destination),
                    origin: u16::from(origin),
                })
            }
            (0x05, &[d1, d2, o1, o2]) => {
                ud.ports = Some(Ports {
                    destination: u16::from_be_bytes([d1, d2]),
                    origin: u16::from_be_bytes([o1, o2]),
                })
            }
            _ => {}
        }
    }
    Ok(())
}

fn user_data(r: &mut Reader<'_>, dcs: u8, udhi: bool) -> Result<UserData, PduError> {
    let udl = usize::from(r.u8()?);
    let alphabet = Alphabet::of_dcs(dcs);
    let octets = match alphabet {
        Alphabet::Gsm7 => (udl * 7).div_ceil(8),
        _ => udl,
    };
    if octets > MAX_UD {
        return Err(PduError::Truncated);
    }
    let raw = r.take(octets)?;
    let mut ud = UserData {
        alphabet,
        text: String::new(),
        data: Vec::new(),
        concat: None,
        ports: None,
    };
    let mut header_octets = 0;
    if udhi {
        let udhl = usize::from(*raw.first().ok_or(PduError::BadHeader)?);
        let header = raw.get(1..=udhl).ok_or(PduError::BadHeader)?;
        parse_udh(header, &mut ud)?;
        header_octets = udhl + 1;
    }
    let body = raw.get(header_octets..).unwrap_or_default();
    match alphabet {
        Alphabet::Gsm7 => {
            let header_bits = header_octets * 8;
            let fill = (7 - header_bits % 7) % 7;
            let header_septets = (header_bits + fill) / 7;
            let count = udl.checked_sub(header_septets).ok_or(PduError::BadHeader)?;
            let septets = septet::unpack(raw, header_bits + fill, count);
            septet::decode_gsm7(septets, &mut ud.text);
        }
        Alphabet::Ucs2 => {
            septet::decode_ucs2(body, &mut ud.text);
        }
        Alphabet::Eight => {}
    }
    ud.data
        .extend_from_slice(body)
        .map_err(|_| PduError::Truncated)?;
    Ok(ud)
}

/// An SMS-DELIVER (23.040 §9.2.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deliver {
    /// The SMSC, if the PDU carries one.
    pub smsc: Option<Address>,
    /// The sender.
    pub sender: Address,
    /// TP-PID.
    pub pid: u8,
    /// TP-DCS.
    pub dcs: u8,
    /// When the SMSC received it, in the sender's zone; `None` if invalid.
    pub timestamp: Option<DateTime<FixedOffset>>,
    /// The user data.
    pub user_data: UserData,
}

/// Validity period of a SUBMIT (23.040 §9.2.3.12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    /// No validity field (the SMSC default).
    None,
    /// Relative, already coded as TP-VP (see [`Validity::relative`]).
    Relative(u8),
    /// Absolute time.
    Absolute(DateTime<FixedOffset>),
    /// Enhanced format, kept raw.
    Enhanced([u8; 7]),
}

impl Validity {
    /// The shortest relative TP-VP covering `minutes` (5 min to 63 weeks).
    pub fn relative(minutes: u32) -> Validity {
        const DAY: u32 = 24 * 60;
        let vp = match minutes {
            0..=720 => minutes.div_ceil(5).saturating_sub(1),
            721..=1440 => 143 + (minutes - 720).div_ceil(30),
            1441..=43200 => 166 + minutes.div_ceil(DAY),
            _ => (192 + minutes.div_ceil(7 * DAY)).min(255),
        };
        Validity::Relative(u8::try_from(vp).unwrap_or(255))
    }
}

/// An SMS-SUBMIT (23.040 §9.2.2.2), as decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submit {
    /// The SMSC, if the PDU carries one.
    pub smsc: Option<Address>,
    /// TP-MR.
    pub reference: u8,
    /// The recipient.
    pub recipient: Address,
    /// TP-PID.
    pub pid: u8,
    /// TP-DCS.
    pub dcs: u8,
    /// TP-VP.
    pub validity: Validity,
    /// The user data.
    pub user_data: UserData,
}

/// An SMS-STATUS-REPORT (23.040 §9.2.2.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReport {
    /// The SMSC, if the PDU carries one.
    pub smsc: Option<Address>,
    /// TP-MR of the message this reports on.
    pub reference: u8,
    /// The recipient of that message.
    pub recipient: Address,
    /// When the SMSC received it.
    pub submitted: Option<DateTime<FixedOffset>>,
    /// When it was delivered (or the attempt failed).
    pub discharged: Option<DateTime<FixedOffset>>,
    /// TP-ST: 0x00–0x1F delivered, 0x20–0x3F still trying, above failed.
    pub status: u8,
}

impl StatusReport {
    /// Whether the message was delivered.
    pub fn delivered(&self) -> bool {
        self.status < 0x20
    }
}

/// Any decoded PDU.
#[derive(Debug, Clone, PartialEq, Eq)]
// The variants are all large; the difference is a few bytes.
#[allow(clippy::large_enum_variant)]
pub enum Pdu {
    /// SMS-DELIVER.
    Deliver(Deliver),
    /// SMS-SUBMIT (a sent message read back).
    Submit(Submit),
    /// SMS-STATUS-REPORT.
    StatusReport(StatusReport),
}

/// Decodes PDU-mode hex (SMSC octets first). Whitespace around it and one
/// stray trailing quote (gammu `04.dump`) are tolerated.
pub fn decode_hex(hex: &[u8]) -> Result<Pdu, PduError> {
    let hex = hex.trim_ascii();
    let hex = hex.strip_suffix(b"\"").unwrap_or(hex);
    let mut bytes: Vec<u8, { MAX_PDU + 12 }> = Vec::new();
    septet::from_hex(hex, &mut bytes).ok_or(PduError::NotHex)?;
    decode(&bytes)
}

/// Like [`decode_hex`], but octets after the user data are an error
/// ([`PduError::TrailingOctets`]). For lines that noise may have garbled: a
/// lost and a duplicated digit keep the length but shift the fields between
/// them, and a shifted PDU rarely still ends exactly where its user data does.
pub fn decode_hex_exact(hex: &[u8]) -> Result<Pdu, PduError> {
    let hex = hex.trim_ascii();
    let mut bytes: Vec<u8, { MAX_PDU + 12 }> = Vec::new();
    septet::from_hex(hex, &mut bytes).ok_or(PduError::NotHex)?;
    let mut r = Reader { data: &bytes };
    let smsc = r.smsc()?;
    let pdu = decode_tpdu_from(&mut r, smsc)?;
    match r.data.is_empty() {
        true => Ok(pdu),
        false => Err(PduError::TrailingOctets),
    }
}

/// Decodes PDU octets, SMSC address first.
pub fn decode(pdu: &[u8]) -> Result<Pdu, PduError> {
    let mut r = Reader { data: pdu };
    let smsc = r.smsc()?;
    decode_tpdu_from(&mut r, smsc)
}

/// Decodes a bare TPDU (no SMSC octets), as it appears on the SIM and in oFono's tests.
pub fn decode_tpdu(tpdu: &[u8]) -> Result<Pdu, PduError> {
    decode_tpdu_from(&mut Reader { data: tpdu }, None)
}

fn decode_tpdu_from(r: &mut Reader<'_>, smsc: Option<Address>) -> Result<Pdu, PduError> {
    let fo = r.u8()?;
    let udhi = fo & 0x40 != 0;
    match fo & 0x03 {
        0 => {
            let sender = r.address()?;
            let pid = r.u8()?;
            let dcs = r.u8()?;
            let timestamp = r.timestamp()?;
            let user_data = user_data(r, dcs, udhi)?;
            Ok(Pdu::Deliver(Deliver {
                smsc,
                sender,
                pid,
                dcs,
                timestamp,
                user_data,
            }))
        }
        1 => {
            let reference = r.u8()?;
            let recipient = r.address()?;
            let pid = r.u8()?;
            let dcs = r.u8()?;
            let validity = match (fo >> 3) & 0x03 {
                0 => Validity::None,
                2 => Validity::Relative(r.u8()?),
                3 => {
                    let raw = r.take(7)?;
                    scts(raw).map_or(Validity::None, Validity::Absolute)
                }
                _ => Validity::Enhanced(r.take(7)?.try_into().map_err(|_| PduError::Truncated)?),
            };
            let user_data = user_data(r, dcs, udhi)?;
            Ok(Pdu::Submit(Submit {
                smsc,
                reference,
                recipient,
                pid,
                dcs,
                validity,
                user_data,
            }))
        }
        2 => {
            let reference = r.u8()?;
            let recipient = r.address()?;
            let submitted = r.timestamp()?;
            let discharged = r.timestamp()?;
            let status = r.u8()?;
            Ok(Pdu::StatusReport(StatusReport {
                smsc,
                reference,
                recipient,
                submitted,
                discharged,
                status,
            }))
        }
        _ => Err(PduError::ReservedType),
    }
}

/// Options of an outgoing message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitOptions {
    /// The SMSC to write into the PDU; `None` writes `00` (use the SIM's).
    pub smsc: Option<Address>,
    /// TP-MR (the modem usually overwrites it).
    pub reference: u8,
    /// TP-VP.
    pub validity: Validity,
    /// TP-SRR: ask for a status report.
    pub status_report: bool,
    /// TP-RD: reject duplicates.
    pub reject_duplicates: bool,
}

impl Default for SubmitOptions {
    /// No SMSC, reference 0, validity 1 day (TP-VP 167), no report.
    fn default() -> Self {
        SubmitOptions {
            smsc: None,
            reference: 0,
            validity: Validity::Relative(167),
            status_report: false,
            reject_duplicates: false,
        }
    }
}

/// One encoded SUBMIT: the PDU octets, and the TPDU length `AT+CMGS` wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedPdu {
    /// SMSC octets followed by the TPDU.
    pub bytes: Vec<u8, MAX_PDU>,
    /// The TPDU length (27.005 `AT+CMGS=<length>`).
    pub tpdu_len: usize,
}

impl EncodedPdu {
    /// The PDU in hex, as written after the `>` prompt.
    pub fn hex(&self) -> Vec<u8, { 2 * MAX_PDU }> {
        let mut out = Vec::new();
        septet::to_hex(&self.bytes, &mut out);
        out
    }
}

/// A buffer filled up: the message is too long.
fn full<E>(_: E) -> PduError {
    PduError::TooLong
}

fn push_address(out: &mut Vec<u8, MAX_PDU>, a: &Address, smsc: bool) -> Result<(), PduError> {
    let mut packed: Vec<u8, 12> = Vec::new();
    let semi_octets = if a.ton() == TON_ALPHANUMERIC {
        let septets: Option<Vec<u8, 11>> = septet::septets(&a.number).collect();
        let septets = septets.ok_or(PduError::BadAddress)?;
        septet::pack(septets.iter().copied(), 0, &mut packed).ok_or(PduError::BadAddress)?;
        (septets.len() * 7).div_ceil(4)
    } else {
        let digits: Vec<u8, 20> = a.digits().take(20).collect();
        for pair in digits.chunks(2) {
            let lo = pair.first().copied().unwrap_or(0xF);
            let hi = pair.get(1).copied().unwrap_or(0xF);
            packed.push(lo | (hi << 4)).map_err(full)?;
        }
        digits.len()
    };
    let len = if smsc { packed.len() + 1 } else { semi_octets };
    out.push(u8::try_from(len).map_err(|_| PduError::BadAddress)?)
        .map_err(full)?;
    out.push(a.toa).map_err(full)?;
    out.extend_from_slice(&packed).map_err(full)
}

/// How a text is split into parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Plan {
    alphabet: Alphabet,
    /// Septets (GSM-7) or octets (UCS2) of text per part.
    per_part: usize,
    parts: usize,
}

/// GSM-7 when every character has a septet, else UCS2; one part when it
/// fits 160 septets / 140 octets, else parts of 153 / 134 with a UDH.
fn plan(text: &str) -> Plan {
    match isocket_proto::gsm7::septet_count(text) {
        Some(n) if n <= 160 => Plan {
            alphabet: Alphabet::Gsm7,
            per_part: 160,
            parts: 1,
        },
        Some(n) => Plan {
            alphabet: Alphabet::Gsm7,
            per_part: 153,
            parts: n.div_ceil(153),
        },
        None => {
            let octets = text.encode_utf16().count() * 2;
            match octets {
                0..=140 => Plan {
                    alphabet: Alphabet::Ucs2,
                    per_part: 140,
                    parts: 1,
                },
                _ => Plan {
                    alphabet: Alphabet::Ucs2,
                    per_part: 134,
                    parts: octets.div_ceil(134),
                },
            }
        }
    }
}

/// The text of each part: whole characters (an escape pair or a surrogate
/// pair never straddles two parts), at most `per_part` septets or octets.
fn chunks(text: &str, plan: Plan) -> impl Iterator<Item = &str> {
    let cost = move |c: char| match plan.alphabet {
        Alphabet::Gsm7 => isocket_proto::gsm7::encode(c).map_or(1, |s| s.count()),
        _ => c.len_utf16() * 2,
    };
    let mut rest = text;
    core::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut used = 0;
        let end = rest
            .char_indices()
            .find(|&(_, c)| {
                used += cost(c);
                used > plan.per_part
            })
            .map_or(rest.len(), |(i, _)| i);
        let (head, tail) = rest.split_at_checked(end)?;
        rest = tail;
        Some(head)
    })
}

/// How many parts `text` needs.
pub fn part_count(text: &str) -> usize {
    plan(text).parts.max(1)
}

/// Encodes `text` to `to` as one or more SUBMITs; calls `on_part` with each.
/// Long texts get a concatenation header with the 8-bit `concat_ref`.
pub fn encode_submit(
    to: &Address,
    text: &str,
    options: &SubmitOptions,
    concat_ref: u8,
    mut on_part: impl FnMut(EncodedPdu),
) -> Result<(), PduError> {
    let plan = plan(text);
    let total = u8::try_from(plan.parts).map_err(|_| PduError::TooLong)?;
    if plan.parts <= 1 {
        return encode_part(to, text, options, plan.alphabet, None).map(on_part);
    }
    for (seq, chunk) in chunks(text, plan).enumerate() {
        let seq = u8::try_from(seq + 1).map_err(|_| PduError::TooLong)?;
        let concat = Concat {
            reference: u16::from(concat_ref),
            total,
            seq,
        };
        on_part(encode_part(
            to,
            chunk,
            options,
            plan.alphabet,
            Some(concat),
        )?);
    }
    Ok(())
}

fn encode_part(
    to: &Address,
    text: &str,
    options: &SubmitOptions,
    alphabet: Alphabet,
    concat: Option<Concat>,
) -> Result<EncodedPdu, PduError> {
    let mut out: Vec<u8, MAX_PDU> = Vec::new();
    match &options.smsc {
        Some(smsc) => push_address(&mut out, smsc, true)?,
        None => out.push(0).map_err(full)?,
    }
    let tpdu_start = out.len();
    let vpf = match options.validity {
        Validity::None => 0,
        Validity::Relative(_) => 2,
        Validity::Absolute(_) => 3,
        Validity::Enhanced(_) => 1,
    };
    let fo = 0x01
        | (u8::from(options.reject_duplicates) << 2)
        | (vpf << 3)
        | (u8::from(options.status_report) << 5)
        | (u8::from(concat.is_some()) << 6);
    out.extend_from_slice(&[fo, options.reference])
        .map_err(full)?;
    push_address(&mut out, to, false)?;
    let dcs = if alphabet == Alphabet::Ucs2 {
        0x08
    } else {
        0x00
    };
    out.extend_from_slice(&[0x00, dcs]).map_err(full)?;
    match options.validity {
        Validity::None => {}
        Validity::Relative(vp) => out.push(vp).map_err(full)?,
        Validity::Absolute(t) => out.extend_from_slice(&encode_scts(&t)).map_err(full)?,
        Validity::Enhanced(raw) => out.extend_from_slice(&raw).map_err(full)?,
    }
    let mut ud: Vec<u8, MAX_UD> = Vec::new();
    if let Some(c) = concat {
        let reference = u8::try_from(c.reference).unwrap_or(0);
        ud.extend_from_slice(&[0x05, 0x00, 0x03, reference, c.total, c.seq])
            .map_err(full)?;
    }
    let header_octets = ud.len();
    let udl = match alphabet {
        Alphabet::Gsm7 => {
            let septets: Option<Vec<u8, 160>> = septet::septets(text).collect();
            let septets = septets.ok_or(PduError::TooLong)?;
            let fill = (7 - (header_octets * 8) % 7) % 7;
            // Pack after the header: bit offsets count from the header's end.
            let mut body: Vec<u8, MAX_UD> = Vec::new();
            septet::pack(septets.iter().copied(), fill, &mut body).ok_or(PduError::TooLong)?;
            ud.extend_from_slice(&body).map_err(full)?;
            (header_octets * 8 + fill) / 7 + septets.len()
        }
        _ => {
            septet::encode_ucs2(text, &mut ud).ok_or(PduError::TooLong)?;
            ud.len()
        }
    };
    out.push(u8::try_from(udl).map_err(|_| PduError::TooLong)?)
        .map_err(full)?;
    out.extend_from_slice(&ud).map_err(full)?;
    let tpdu_len = out.len() - tpdu_start;
    Ok(EncodedPdu {
        bytes: out,
        tpdu_len,
    })
}
