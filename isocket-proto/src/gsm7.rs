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
    fn counts_septets() {
        assert_eq!(septet_count("a{b}"), Some(6));
        assert_eq!(septet_count("ok ✓"), None);
        assert_eq!(septet_count(""), Some(0));
    }
}
