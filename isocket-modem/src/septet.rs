//! GSM-7 septet packing, hex text, and UCS2 (3GPP TS 23.038 §6.1.2.1, §6.2.1).
//!
//! The character tables live in `isocket_proto::gsm7`; this module only packs
//! septets into octets and turns code points into text.

use heapless::{String, Vec};
use isocket_proto::gsm7::{self, ESCAPE, Septet};

/// Septet `index` of a packed stream that starts after `fill_bits` padding bits.
fn septet_at(data: &[u8], fill_bits: usize, index: usize) -> Option<u8> {
    let bit = fill_bits + 7 * index;
    let (byte, shift) = (bit / 8, bit % 8);
    let low = u16::from(*data.get(byte)?);
    let high = u16::from(data.get(byte + 1).copied().unwrap_or(0));
    let word = low | (high << 8);
    Some(((word >> shift) & 0x7F) as u8)
}

/// The `count` septets packed in `data` after `fill_bits`; stops early if `data` runs out.
pub fn unpack(data: &[u8], fill_bits: usize, count: usize) -> impl Iterator<Item = u8> + '_ {
    (0..count).map_while(move |i| {
        // The last septet may end exactly at the last octet: check its end bit.
        let end_bit = fill_bits + 7 * (i + 1);
        (end_bit <= data.len() * 8).then(|| septet_at(data, fill_bits, i))?
    })
}

/// Packs `septets` after `fill_bits` zero bits into `out`; `None` if `out` is too small.
pub fn pack<const N: usize>(
    septets: impl IntoIterator<Item = u8>,
    fill_bits: usize,
    out: &mut Vec<u8, N>,
) -> Option<()> {
    let start = out.len();
    let mut bit = fill_bits;
    for s in septets {
        let (byte, shift) = (start + bit / 8, bit % 8);
        while out.len() < byte + 1 + usize::from(shift > 1) {
            out.push(0).ok()?;
        }
        let word = u16::from(s & 0x7F) << shift;
        *out.get_mut(byte)? |= word as u8;
        if let Some(next) = out.get_mut(byte + 1) {
            *next |= (word >> 8) as u8;
        }
        bit += 7;
    }
    // Drop an octet that only holds padding after the last septet.
    let needed = start + bit.div_ceil(8);
    out.truncate(needed.max(start));
    Some(())
}

/// The septets of `text`, or `None` if a character is not in the default alphabet.
pub fn septets(text: &str) -> impl Iterator<Item = Option<u8>> + '_ {
    text.chars()
        .flat_map(|c| match gsm7::encode(c) {
            Some(Septet::Basic(s)) => [Some(Some(s)), None],
            Some(Septet::Extended(s)) => [Some(Some(ESCAPE)), Some(Some(s))],
            None => [Some(None), None],
        })
        .flatten()
}

/// Appends the text of GSM-7 code points; returns `false` if `out` filled up.
///
/// An escape before a septet the extension table lacks shows as a space
/// followed by the basic character (23.038 §6.2.1.1; oFono does the same).
pub fn decode_gsm7<const N: usize>(
    codes: impl IntoIterator<Item = u8>,
    out: &mut String<N>,
) -> bool {
    let mut codes = codes.into_iter().peekable();
    while let Some(code) = codes.next() {
        let c = if code == ESCAPE {
            match codes.peek().and_then(|&n| gsm7::decode_extension(n)) {
                Some(c) => {
                    codes.next();
                    c
                }
                None => ' ',
            }
        } else {
            gsm7::decode_basic(code).unwrap_or(' ')
        };
        if out.push(c).is_err() {
            return false;
        }
    }
    true
}

/// Appends UCS2 (big-endian UTF-16; surrogate pairs accepted) text, every
/// unit of it: a NUL is a character like any other and an unpaired
/// surrogate is U+FFFD. Stopping early would hand out a prefix as the whole
/// text (`ON`, then a NUL and 40 more characters, must not read as a
/// 2-character command). Returns `false` if `out` filled up.
pub fn decode_ucs2<const N: usize>(data: &[u8], out: &mut String<N>) -> bool {
    let units = data.chunks_exact(2).map(|p| {
        u16::from_be_bytes([
            p.first().copied().unwrap_or(0),
            p.get(1).copied().unwrap_or(0),
        ])
    });
    for c in char::decode_utf16(units) {
        if out.push(c.unwrap_or(char::REPLACEMENT_CHARACTER)).is_err() {
            return false;
        }
    }
    true
}

/// Appends the UCS2 units of `text` as big-endian octets.
pub fn encode_ucs2<const N: usize>(text: &str, out: &mut Vec<u8, N>) -> Option<()> {
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_be_bytes()).ok()?;
    }
    Some(())
}

/// The value of one hex digit.
fn nibble(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// Whether `text` is a non-empty, even-length run of hex digits.
pub fn is_hex(text: &[u8]) -> bool {
    !text.is_empty() && text.len().is_multiple_of(2) && text.iter().all(u8::is_ascii_hexdigit)
}

/// Decodes hex text into `out`; `None` on a non-hex character, an odd length,
/// or if `out` is too small.
pub fn from_hex<const N: usize>(text: &[u8], out: &mut Vec<u8, N>) -> Option<()> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    for pair in text.chunks_exact(2) {
        let &[hi, lo] = pair.first_chunk::<2>()?;
        out.push((nibble(hi)? << 4) | nibble(lo)?).ok()?;
    }
    Some(())
}

/// Appends `bytes` as upper-case hex.
pub fn to_hex<const N: usize>(bytes: &[u8], out: &mut Vec<u8, N>) -> Option<()> {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    for &b in bytes {
        out.push(*DIGITS.get(usize::from(b >> 4))?).ok()?;
        out.push(*DIGITS.get(usize::from(b & 0xF))?).ok()?;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ucs2_text_is_never_cut_short_by_a_nul_or_a_lone_surrogate() {
        // "ON", a NUL, then 40 characters: 43 in all, not the command ON.
        let mut units = std::vec![0x004F_u16, 0x004E, 0x0000];
        units.extend(std::iter::repeat_n(0x0041, 40));
        let bytes: std::vec::Vec<u8> = units.iter().flat_map(|u| u.to_be_bytes()).collect();
        let mut text: String<200> = String::new();
        assert!(decode_ucs2(&bytes, &mut text));
        assert_eq!(text.chars().count(), 43);
        assert!(text.starts_with("ON\0A"));
        // A lone surrogate is a replacement character, not the end.
        let mut text: String<20> = String::new();
        assert!(decode_ucs2(
            &[0x00, 0x4F, 0xD8, 0x00, 0x00, 0x4E],
            &mut text
        ));
        assert_eq!(text.as_str(), "O\u{FFFD}N");
    }

    fn hex(s: &str) -> std::vec::Vec<u8> {
        let mut v: Vec<u8, 512> = Vec::new();
        from_hex(s.as_bytes(), &mut v).unwrap();
        v.to_vec()
    }

    fn packed(text: &str) -> std::vec::Vec<u8> {
        let s: std::vec::Vec<u8> = septets(text).map(Option::unwrap).collect();
        let mut v: Vec<u8, 512> = Vec::new();
        pack(s, 0, &mut v).unwrap();
        v.to_vec()
    }

    /// PG `TestGsm7` packing vectors (pdu_vectors.md §4).
    #[test]
    fn pg_packing_vectors() {
        assert_eq!(packed("123"), hex("31D90C"));
        assert_eq!(packed("12345678"), hex("31D98C56B3DD70"));
        assert_eq!(packed("123456789"), hex("31D98C56B3DD7039"));
        assert_eq!(packed("Hello World!"), hex("C8329BFD065DDF72363904"));
        assert_eq!(packed("[{abc}]~"), hex("1BDE0615168F37A98D6FD303"));
        assert_eq!(packed("{åΦΓΛΩΠΨΣΘ€}"), hex("1BD44332A1542C174C6653DEA400"));
        assert_eq!(packed("a[]{}€"), hex("E10D6FE3DBA036A94D19"));
    }

    #[test]
    fn unpack_round_trip() {
        let data = hex("31D98C56B3DD7039");
        let mut s: String<32> = String::new();
        assert!(decode_gsm7(unpack(&data, 0, 9), &mut s));
        assert_eq!(s, "123456789");
    }

    #[test]
    fn hex_rejects_garbage() {
        let mut v: Vec<u8, 8> = Vec::new();
        assert!(from_hex(b"0G", &mut v).is_none());
        assert!(from_hex(b"012", &mut v).is_none());
    }
}
