//! Phone numbers and the type of address they came with (manual §19; 3GPP TS 24.008
//! §10.5.4.7 and TS 23.040 §9.1.2.5: the type-of-address octet of a caller
//! ID, an SMS sender or a destination).

use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};

#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};

/// Most digits a phone number may have (E.164).
pub const PHONE_DIGITS: usize = 15;

/// A sender of at most this many digits, not in international format, is a
/// short code, not a phone (manual §19).
pub const SHORT_NUMBER_DIGITS: usize = 6;

/// Type-of-address octets as modems report them (`+CLIP`, `+CMGL`, `<tooa>`,
/// the TP-OA of a PDU).
pub mod toa {
    /// International number, ISDN numbering plan (`+` and the country code).
    pub const INTERNATIONAL: u8 = 0x91;
    /// Unknown type, ISDN numbering plan: the number as dialled.
    pub const UNKNOWN: u8 = 0x81;
    /// National number, ISDN numbering plan.
    pub const NATIONAL: u8 = 0xA1;
    /// Alphanumeric sender ID (GSM-7 text), TS 23.040 §9.1.2.5.
    pub const ALPHANUMERIC: u8 = 0xD0;
}

/// What kind of phone number it is: the type-of-number bits of its type of
/// address. It says how to dial the number back, never whether it is the
/// same number as another (that is the digits alone, manual §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum NumberType {
    /// International format: dialled with a `+` (TOA 145).
    #[default]
    International,
    /// Unknown type (TOA 129): dialled as it came, without a `+`.
    Unknown,
    /// National format (TOA 161): dialled as it came, without a `+`.
    National,
}

impl NumberType {
    /// The type of a number with type-of-address octet `toa`; `None` for
    /// every type that is no phone number to trust or answer: alphanumeric
    /// sender IDs, network-specific and subscriber numbers, abbreviated
    /// (short) numbers and the reserved type.
    pub fn of_toa(toa: u8) -> Option<Self> {
        match (toa >> 4) & 0b111 {
            0b000 => Some(NumberType::Unknown),
            0b001 => Some(NumberType::International),
            0b010 => Some(NumberType::National),
            _ => None,
        }
    }

    /// The type-of-address octet to dial it with (ISDN numbering plan).
    pub fn toa(self) -> u8 {
        match self {
            NumberType::International => toa::INTERNATIONAL,
            NumberType::Unknown => toa::UNKNOWN,
            NumberType::National => toa::NATIONAL,
        }
    }
}

/// A phone number: 1–15 digits, stored without `+` (manual §2), and the
/// type of address it came with.
///
/// Two numbers are the same number when their digit strings are equal,
/// whatever their types ([`PartialEq`], [`Hash`] and [`Ord`] look at the
/// digits only): `+4917…` from a phone and `4917…` typed in a command
/// match. The type only says how to call back: a number that came as a
/// national or unknown-type sender is answered without a `+`
/// ([`PhoneNumber::dial`]).
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct PhoneNumber {
    // A one-byte length: the lists hold many numbers, in RAM several times.
    digits: heapless::String<PHONE_DIGITS, u8>,
    kind: NumberType,
}

impl PhoneNumber {
    /// Parses `[+]digits`, 1–15 digits, nothing else: a number written in
    /// a command, in international format (manual §2).
    pub fn parse(text: &str) -> Option<Self> {
        Self::with_type(text, NumberType::International)
    }

    /// A sender or caller as the network gave it: the number and its
    /// type-of-address octet. `None` for anything that is no phone number:
    /// hidden (empty), alphanumeric (TOA `0xD0`, even when it is all
    /// digits), short-code and other non-dialable types, or anything but
    /// `[+]digits`, and a number of at most [`SHORT_NUMBER_DIGITS`] digits
    /// that is not international: operators' short codes, which may be
    /// premium-rate to answer. A leading `+` is international whatever the
    /// octet says (modems that report TOA 129 for `+49…` exist); nothing
    /// else is guessed.
    pub fn from_address(number: &str, toa: u8) -> Option<Self> {
        let kind = NumberType::of_toa(toa)?;
        let kind = match number.starts_with('+') {
            true => NumberType::International,
            false => kind,
        };
        let parsed = Self::with_type(number, kind)?;
        let short = parsed.digits.len() <= SHORT_NUMBER_DIGITS;
        (kind == NumberType::International || !short).then_some(parsed)
    }

    fn with_type(text: &str, kind: NumberType) -> Option<Self> {
        let digits = text.strip_prefix('+').unwrap_or(text);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let digits = heapless::String::try_from(digits).ok()?;
        Some(PhoneNumber { digits, kind })
    }

    /// The digits, as replies show them.
    pub fn as_str(&self) -> &str {
        &self.digits
    }

    /// The type of address it came with.
    pub fn number_type(&self) -> NumberType {
        self.kind
    }

    /// The number as it is dialled or sent to: `+` and the digits when
    /// international, the digits alone otherwise (never a `+` in front of
    /// a national number, which would call another country).
    pub fn dial(&self) -> heapless::String<{ PHONE_DIGITS + 1 }> {
        let mut out = heapless::String::new();
        if self.kind == NumberType::International {
            let _ = out.push('+');
        }
        let _ = out.push_str(&self.digits);
        out
    }
}

impl PartialEq for PhoneNumber {
    fn eq(&self, other: &Self) -> bool {
        self.digits == other.digits
    }
}

impl Eq for PhoneNumber {}

impl Hash for PhoneNumber {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.digits.hash(state);
    }
}

impl PartialOrd for PhoneNumber {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PhoneNumber {
    fn cmp(&self, other: &Self) -> Ordering {
        self.digits.cmp(&other.digits)
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.digits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_numbers_are_international() {
        let n = PhoneNumber::parse("+4915112345678").unwrap();
        assert_eq!(n.as_str(), "4915112345678");
        assert_eq!(n.dial().as_str(), "+4915112345678");
        assert_eq!(
            PhoneNumber::parse("4915112345678").unwrap().dial(),
            n.dial()
        );
        assert_eq!(PhoneNumber::parse("++49"), None);
        assert_eq!(PhoneNumber::parse(""), None);
        assert_eq!(PhoneNumber::parse("1234567890123456"), None);
    }

    #[test]
    fn alphanumeric_senders_are_no_numbers_even_all_digits() {
        assert_eq!(
            PhoneNumber::from_address("33612345678", toa::ALPHANUMERIC),
            None
        );
        assert_eq!(
            PhoneNumber::from_address("Vodafone", toa::ALPHANUMERIC),
            None
        );
        // Network-specific (0xB1), subscriber (0xC1), abbreviated (0xE1).
        for toa in [0xB1, 0xC1, 0xE1, 0xF1] {
            assert_eq!(PhoneNumber::from_address("12345", toa), None, "{toa:#x}");
        }
        assert_eq!(PhoneNumber::from_address("", toa::UNKNOWN), None);
        // Short codes of unknown or national type: at most 6 digits.
        assert_eq!(PhoneNumber::from_address("80888", toa::UNKNOWN), None);
        assert_eq!(PhoneNumber::from_address("242424", toa::NATIONAL), None);
        assert!(PhoneNumber::from_address("2424242", toa::NATIONAL).is_some());
        assert!(PhoneNumber::from_address("+491111", toa::UNKNOWN).is_some());
    }

    #[test]
    fn national_senders_are_answered_without_a_plus() {
        let n = PhoneNumber::from_address("2025550123", 129).unwrap();
        assert_eq!(n.number_type(), NumberType::Unknown);
        assert_eq!(n.dial().as_str(), "2025550123");
        let n = PhoneNumber::from_address("2025550123", 161).unwrap();
        assert_eq!(n.dial().as_str(), "2025550123");
        // Equal digits are the same number (manual §2), whatever the type.
        assert_eq!(n, PhoneNumber::parse("+2025550123").unwrap());
        // A `+` is international, whatever the octet says.
        let n = PhoneNumber::from_address("+4915112345678", 129).unwrap();
        assert_eq!(n.dial().as_str(), "+4915112345678");
        let n = PhoneNumber::from_address("4915112345678", 145).unwrap();
        assert_eq!(n.dial().as_str(), "+4915112345678");
    }
}
