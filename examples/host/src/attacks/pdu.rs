//! SMS-DELIVER PDUs as an attacker's network would hand them to the modem
//! (3GPP TS 23.040 §9.2.2.1): any sender type of address, any coding, a
//! user-data header, body bytes the device's own encoder would never make.

use chrono::{DateTime, Datelike, FixedOffset, Timelike};
use isocket_modem::septet;

/// Type of address: international number (23.040 §9.1.2.5).
pub const INTERNATIONAL: u8 = 0x91;
/// Type of address: unknown (a number as dialled).
pub const UNKNOWN: u8 = 0x81;
/// Type of address: national number.
pub const NATIONAL: u8 = 0xA1;
/// Type of address: alphanumeric (GSM-7 text, a sender ID).
pub const ALPHANUMERIC: u8 = 0xD0;

/// Data coding scheme: GSM-7 default alphabet (23.038 §4).
pub const GSM7: u8 = 0x00;
/// Data coding scheme: 8-bit data.
pub const OCTETS: u8 = 0x04;
/// Data coding scheme: UCS2.
pub const UCS2: u8 = 0x08;

/// The user data of one part.
pub enum Body<'a> {
    /// GSM-7 septets of this text (characters outside the alphabet dropped).
    Text(&'a str),
    /// Raw octets (UCS2 or 8-bit data, per the DCS).
    Octets(&'a [u8]),
}

/// One DELIVER PDU, hex, without the SMSC octet's address (length 00).
pub fn deliver(
    toa: u8,
    sender: &str,
    dcs: u8,
    header: &[u8],
    body: Body<'_>,
    at: &DateTime<FixedOffset>,
) -> String {
    let mut out = vec![0x00, 0x04 | if header.is_empty() { 0 } else { 0x40 }];
    out.extend(address(toa, sender));
    out.extend([0x00, dcs]);
    out.extend(scts(at));
    let udh: Vec<u8> = match header.len() {
        0 => Vec::new(),
        n => std::iter::once(u8::try_from(n).unwrap_or(0))
            .chain(header.iter().copied())
            .collect(),
    };
    match body {
        Body::Text(text) => {
            let septets: Vec<u8> = septet::septets(text).flatten().collect();
            let header_septets = (udh.len() * 8).div_ceil(7);
            let fill = header_septets * 7 - udh.len() * 8;
            let udl = header_septets + septets.len();
            out.push(u8::try_from(udl).unwrap_or(u8::MAX));
            out.extend(&udh);
            out.extend(pack(&septets, fill));
        }
        Body::Octets(octets) => {
            out.push(u8::try_from(udh.len() + octets.len()).unwrap_or(u8::MAX));
            out.extend(&udh);
            out.extend(octets);
        }
    }
    out.iter().map(|b| format!("{b:02X}")).collect()
}

/// A GSM-7 text from an international number, one part.
pub fn text_from(toa: u8, sender: &str, text: &str, at: &DateTime<FixedOffset>) -> String {
    deliver(toa, sender, GSM7, &[], Body::Text(text), at)
}

/// UCS2 octets of `units` (big-endian), for [`Body::Octets`] with [`UCS2`].
pub fn ucs2(units: &[u16]) -> Vec<u8> {
    units.iter().flat_map(|u| u.to_be_bytes()).collect()
}

/// A concatenation header element (23.040 §9.2.3.24.1): 8-bit reference.
pub fn concat(reference: u8, total: u8, seq: u8) -> [u8; 5] {
    [0x00, 0x03, reference, total, seq]
}

/// TP-OA: length in semi-octets (digits, or the packed text's), TOA, value.
fn address(toa: u8, sender: &str) -> Vec<u8> {
    let digits = sender.trim_start_matches('+');
    if toa & 0x70 == 0x50 {
        let septets: Vec<u8> = septet::septets(digits).flatten().collect();
        let packed = pack(&septets, 0);
        let semi_octets = (septets.len() * 7).div_ceil(4);
        let mut out = vec![u8::try_from(semi_octets).unwrap_or(0), toa];
        out.extend(packed);
        return out;
    }
    let nibbles: Vec<u8> = digits
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    let mut out = vec![u8::try_from(nibbles.len()).unwrap_or(0), toa];
    out.extend(nibbles.chunks(2).map(|pair| match pair {
        [a, b] => a | (b << 4),
        [a] => a | 0xF0,
        _ => 0xFF,
    }));
    out
}

/// Septets packed after `fill` zero bits (23.038 §6.1.2.1.1).
fn pack(septets: &[u8], fill: usize) -> Vec<u8> {
    let mut out = vec![0u8; (fill + septets.len() * 7).div_ceil(8)];
    for (i, &s) in septets.iter().enumerate() {
        let bit = fill + i * 7;
        let word = u16::from(s & 0x7F) << (bit % 8);
        if let Some(b) = out.get_mut(bit / 8) {
            *b |= word as u8;
        }
        if let Some(b) = out.get_mut(bit / 8 + 1) {
            *b |= (word >> 8) as u8;
        }
    }
    out
}

/// TP-SCTS: swapped BCD, the zone in quarters (23.040 §9.2.3.11).
fn scts(t: &DateTime<FixedOffset>) -> [u8; 7] {
    let bcd = |v: u32| {
        let v = (v % 100) as u8;
        ((v % 10) << 4) | (v / 10)
    };
    let quarters = t.offset().local_minus_utc() / 900;
    let zone = bcd(quarters.unsigned_abs()) | if quarters < 0 { 0x08 } else { 0 };
    [
        bcd(u32::try_from(t.year().rem_euclid(100)).unwrap_or(0)),
        bcd(t.month()),
        bcd(t.day()),
        bcd(t.hour()),
        bcd(t.minute()),
        bcd(t.second()),
        zone,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use isocket_modem::pdu::{self, Pdu};

    fn at() -> DateTime<FixedOffset> {
        use chrono::TimeZone;
        FixedOffset::east_opt(3600)
            .and_then(|z| z.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).single())
            .unwrap_or_default()
    }

    #[test]
    fn the_modems_decoder_reads_what_is_built() {
        let hex = text_from(ALPHANUMERIC, "33612345678", "STATUS", &at());
        let Ok(Pdu::Deliver(d)) = pdu::decode_hex(hex.as_bytes()) else {
            panic!("{hex}");
        };
        assert_eq!(
            (d.sender.toa, d.sender.number.as_str()),
            (0xD0, "33612345678")
        );
        assert_eq!(d.user_data.text.as_str(), "STATUS");
        assert_eq!(d.timestamp, Some(at()));

        let hex = deliver(
            NATIONAL,
            "2025550123",
            GSM7,
            &concat(7, 2, 1),
            Body::Text("SECNUMBER"),
            &at(),
        );
        let Ok(Pdu::Deliver(d)) = pdu::decode_hex(hex.as_bytes()) else {
            panic!("{hex}");
        };
        assert_eq!(
            (d.sender.toa, d.sender.number.as_str()),
            (0xA1, "2025550123")
        );
        assert_eq!(d.user_data.text.as_str(), "SECNUMBER");
        let c = d.user_data.concat.unwrap_or_else(|| panic!("no header"));
        assert_eq!((c.reference, c.total, c.seq), (7, 2, 1));

        let hex = deliver(
            INTERNATIONAL,
            "+4915112345678",
            UCS2,
            &[],
            Body::Octets(&ucs2(&[0x4F, 0x4E])),
            &at(),
        );
        let Ok(Pdu::Deliver(d)) = pdu::decode_hex(hex.as_bytes()) else {
            panic!("{hex}");
        };
        assert_eq!(d.sender.number.as_str(), "+4915112345678");
        assert_eq!(d.user_data.text.as_str(), "ON");
    }
}
