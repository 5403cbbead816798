//! The GSM 7-bit default alphabet and its extension table (3GPP TS 23.038 §6.2.1).
//!
//! This is the one copy of the alphabet in the project: replies are checked
//! against it here, and the modem's SMS PDU codec packs septets with it.
//!
//! ```
//! use isocket_proto::gsm7::{self, Septet};
//!
//! assert_eq!(gsm7::encode('@'), Some(Septet::Basic(0x00)));
//! assert_eq!(gsm7::encode('€'), Some(Septet::Extended(0x65)));
//! assert_eq!(gsm7::encode('✓'), None);
//! assert_eq!(gsm7::decode_basic(0x5F), Some('§'));
//! assert!(gsm7::is_gsm7_text("Power socket ON"));
//! ```

use core::fmt;

/// The escape septet that selects the extension table for the next septet.
pub const ESCAPE: u8 = 0x1B;

/// The basic table, indexed by septet. Position 0x1B is [`ESCAPE`], not a character.
const BASIC: [char; 128] = [
    '@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å', //
    'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', '\u{1B}', 'Æ', 'æ', 'ß', 'É', //
    ' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/', //
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?', //
    '¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', //
    'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§', //
    '¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', //
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à', //
];

/// The extension table: (septet after [`ESCAPE`], character).
const EXTENSION: [(u8, char); 10] = [
    (0x0A, '\u{0C}'), // form feed
    (0x14, '^'),
    (0x28, '{'),
    (0x29, '}'),
    (0x2F, '\\'),
    (0x3C, '['),
    (0x3D, '~'),
    (0x3E, ']'),
    (0x40, '|'),
    (0x65, '€'),
];

/// A character's code in the default alphabet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Septet {
    /// One septet of the basic table.
    Basic(u8),
    /// [`ESCAPE`] followed by this septet of the extension table (costs two septets).
    Extended(u8),
}

impl Septet {
    /// How many septets the character takes in a message: 1 or 2.
    pub const fn count(self) -> usize {
        match self {
            Septet::Basic(_) => 1,
            Septet::Extended(_) => 2,
        }
    }
}

const NOT_GSM7: u8 = 0xFF;
const EXTENDED_FLAG: u8 = 0x80;

/// ASCII → septet, built at compile time from the two tables above so they
/// can never disagree. `NOT_GSM7` marks ASCII characters the alphabet lacks.
const ASCII_TO_SEPTET: [u8; 128] = build_ascii_table();

// Evaluated at compile time only: an out-of-range index fails the build.
#[allow(clippy::indexing_slicing)]
const fn build_ascii_table() -> [u8; 128] {
    let mut table = [NOT_GSM7; 128];
    let mut septet = 0;
    while septet < 128 {
        let c = BASIC[septet] as u32;
        if c < 128 && septet != ESCAPE as usize {
            table[c as usize] = septet as u8;
        }
        septet += 1;
    }
    let mut i = 0;
    while i < EXTENSION.len() {
        let (septet, c) = EXTENSION[i];
        if (c as u32) < 128 {
            table[c as usize] = septet | EXTENDED_FLAG;
        }
        i += 1;
    }
    table
}

/// The character of a basic-table septet; `None` for [`ESCAPE`] and values above 0x7F.
pub fn decode_basic(septet: u8) -> Option<char> {
    if septet == ESCAPE {
        return None;
    }
    BASIC.get(usize::from(septet)).copied()
}

/// The character of an extension-table septet (the one after [`ESCAPE`]);
/// `None` where the table defines nothing.
pub fn decode_extension(septet: u8) -> Option<char> {
    EXTENSION
        .iter()
        .find(|(code, _)| *code == septet)
        .map(|(_, c)| *c)
}

/// The septet(s) for `c`, or `None` if the default alphabet lacks it.
pub fn encode(c: char) -> Option<Septet> {
    if c.is_ascii() {
        let code = ASCII_TO_SEPTET.get(c as usize).copied().unwrap_or(NOT_GSM7);
        return match code {
            NOT_GSM7 => None,
            code if code & EXTENDED_FLAG != 0 => Some(Septet::Extended(code & !EXTENDED_FLAG)),
            code => Some(Septet::Basic(code)),
        };
    }
    if let Some(septet) = BASIC.iter().position(|&b| b == c) {
        return u8::try_from(septet).ok().map(Septet::Basic);
    }
    EXTENSION
        .iter()
        .find(|(_, e)| *e == c)
        .map(|(code, _)| Septet::Extended(*code))
}

/// Whether `c` can be sent in the default alphabet (basic or extension table).
pub fn is_gsm7(c: char) -> bool {
    encode(c).is_some()
}

/// Whether every character of `text` can be sent in the default alphabet.
pub fn is_gsm7_text(text: &str) -> bool {
    text.chars().all(is_gsm7)
}

/// How many septets `text` takes, or `None` if it is not pure GSM-7.
pub fn septet_count(text: &str) -> Option<usize> {
    text.chars()
        .try_fold(0, |n, c| encode(c).map(|s| n + s.count()))
}

/// Writes `c` upper-cased as GSM 7-bit text: what `char::to_uppercase`
/// gives, every character the alphabet lacks as `?` (one per character of
/// the upper case: `ﬃ` → `FFI`, `ŉ` → `?N`, `ᾳ` → `??`).
///
/// core's `to_uppercase` would bring its whole Unicode case table (about
/// 12 KiB of flash) for the few characters whose answer here differs from
/// the character itself: ASCII and [`UPPER_EXCEPTIONS`]. A test checks this
/// against `to_uppercase` for every `char`.
pub(crate) fn write_upper<W: fmt::Write>(out: &mut W, c: char) -> fmt::Result {
    if c.is_ascii() {
        return out.write_char(or_question_mark(c.to_ascii_uppercase()));
    }
    // Greek with ypogegrammeni: a capital and Ι, neither in the alphabet.
    if ('\u{1F80}'..='\u{1FAF}').contains(&c) {
        return out.write_str("??");
    }
    match UPPER_EXCEPTIONS.binary_search_by_key(&c, |(from, _)| *from) {
        Ok(i) => out.write_str(UPPER_EXCEPTIONS.get(i).map_or("?", |(_, to)| to)),
        // Its own upper case, or one that is `?` as the character itself is.
        Err(_) => out.write_char(or_question_mark(c)),
    }
}

/// `c`, or `?` if the alphabet lacks it.
pub(crate) fn or_question_mark(c: char) -> char {
    if is_gsm7(c) { c } else { '?' }
}

/// The non-ASCII characters whose upper case, as GSM-7 text, is not what
/// the character itself is as GSM-7 text (itself or `?`), and that upper
/// case: sorted, for the binary search.
/// Derived from `char::to_uppercase`; the test `upper_case_matches_core`
/// says which entry is wrong should a Unicode update change one.
#[rustfmt::skip]
const UPPER_EXCEPTIONS: [(char, &str); 84] = [
    ('\u{00DF}', "SS"), ('\u{00E0}', "?"), ('\u{00E4}', "Ä"), ('\u{00E5}', "Å"),
    ('\u{00E6}', "Æ"), ('\u{00E7}', "Ç"), ('\u{00E8}', "?"), ('\u{00E9}', "É"),
    ('\u{00EC}', "?"), ('\u{00F1}', "Ñ"), ('\u{00F2}', "?"), ('\u{00F6}', "Ö"),
    ('\u{00F8}', "Ø"), ('\u{00F9}', "?"), ('\u{00FC}', "Ü"), ('\u{0131}', "I"),
    ('\u{0149}', "?N"), ('\u{017F}', "S"), ('\u{01F0}', "J?"), ('\u{0390}', "???"),
    ('\u{03B0}', "???"), ('\u{03B3}', "Γ"), ('\u{03B4}', "Δ"), ('\u{03B8}', "Θ"),
    ('\u{03BB}', "Λ"), ('\u{03BE}', "Ξ"), ('\u{03C0}', "Π"), ('\u{03C2}', "Σ"),
    ('\u{03C3}', "Σ"), ('\u{03C6}', "Φ"), ('\u{03C8}', "Ψ"), ('\u{03C9}', "Ω"),
    ('\u{03D1}', "Θ"), ('\u{03D5}', "Φ"), ('\u{03D6}', "Π"), ('\u{0587}', "??"),
    ('\u{1E96}', "H?"), ('\u{1E97}', "T?"), ('\u{1E98}', "W?"), ('\u{1E99}', "Y?"),
    ('\u{1E9A}', "A?"), ('\u{1F50}', "??"), ('\u{1F52}', "???"), ('\u{1F54}', "???"),
    ('\u{1F56}', "???"), ('\u{1FB2}', "??"), ('\u{1FB3}', "??"), ('\u{1FB4}', "??"),
    ('\u{1FB6}', "??"), ('\u{1FB7}', "???"), ('\u{1FBC}', "??"), ('\u{1FC2}', "??"),
    ('\u{1FC3}', "??"), ('\u{1FC4}', "??"), ('\u{1FC6}', "??"), ('\u{1FC7}', "???"),
    ('\u{1FCC}', "??"), ('\u{1FD2}', "???"), ('\u{1FD3}', "???"), ('\u{1FD6}', "??"),
    ('\u{1FD7}', "???"), ('\u{1FE2}', "???"), ('\u{1FE3}', "???"), ('\u{1FE4}', "??"),
    ('\u{1FE6}', "??"), ('\u{1FE7}', "???"), ('\u{1FF2}', "??"), ('\u{1FF3}', "Ω?"),
    ('\u{1FF4}', "??"), ('\u{1FF6}', "Ω?"), ('\u{1FF7}', "Ω??"), ('\u{1FFC}', "Ω?"),
    ('\u{FB00}', "FF"), ('\u{FB01}', "FI"), ('\u{FB02}', "FL"), ('\u{FB03}', "FFI"),
    ('\u{FB04}', "FFL"), ('\u{FB05}', "ST"), ('\u{FB06}', "ST"), ('\u{FB13}', "??"),
    ('\u{FB14}', "??"), ('\u{FB15}', "??"), ('\u{FB16}', "??"), ('\u{FB17}', "??"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_basic_septet_round_trips() {
        for septet in 0u8..128 {
            if septet == ESCAPE {
                assert_eq!(decode_basic(septet), None);
                continue;
            }
            let c = decode_basic(septet).unwrap();
            assert_eq!(encode(c), Some(Septet::Basic(septet)), "{c:?}");
        }
    }

    #[test]
    fn every_extension_septet_round_trips() {
        for (septet, c) in EXTENSION {
            assert_eq!(decode_extension(septet), Some(c));
            assert_eq!(encode(c), Some(Septet::Extended(septet)), "{c:?}");
        }
        assert_eq!(decode_extension(0x41), None);
    }

    #[test]
    fn ascii_gaps_are_not_gsm7() {
        // Backtick and the C0 controls other than LF, CR, FF are missing from the alphabet.
        for c in ['`', '\t', '\u{0}', '\u{1B}', '\u{7F}'] {
            assert!(!is_gsm7(c), "{c:?}");
        }
        assert!(is_gsm7('\u{0C}'));
    }

    #[test]
    fn spec_sensitive_characters() {
        // 3GPP TS 23.038: 0x24 is the currency sign, 0x02 the dollar, 0x5F the section sign.
        assert_eq!(decode_basic(0x24), Some('¤'));
        assert_eq!(encode('$'), Some(Septet::Basic(0x02)));
        assert_eq!(decode_basic(0x5F), Some('§'));
        assert_eq!(decode_basic(0x80), None);
    }

    #[test]
    fn upper_case_matches_core() {
        let (mut ours, mut core) = (String::new(), String::new());
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            ours.clear();
            core.clear();
            write_upper(&mut ours, c).unwrap();
            core.extend(c.to_uppercase().map(or_question_mark));
            assert_eq!(ours, core, "{c:?} (U+{:04X})", u32::from(c));
        }
    }

    #[test]
    fn upper_case_exceptions_are_sorted() {
        assert!(UPPER_EXCEPTIONS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn counts_septets() {
        assert_eq!(septet_count("a{b}"), Some(6));
        assert_eq!(septet_count("ok ✓"), None);
        assert_eq!(septet_count(""), Some(0));
    }
}
