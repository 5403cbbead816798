//! Record encoding: one format-version byte, then the value in postcard
//! (serde; `to_slice` / `from_bytes`, no heap).
//!
//! Version 1 is today's format. A later crate version that changes the
//! envelope bumps [`FORMAT_VERSION`] and keeps decoding version 1; the golden
//! byte vectors in the tests pin today's bytes.
//!
//! A record whose own layout changes over time (isocket's settings) keeps
//! its versions in the same byte: [`encode_versioned`] writes its layout
//! version, and its owner reads the byte and decodes the rest with
//! [`decode_body`] into the type of that version, then migrates. Version 1
//! of such a record is byte for byte what [`encode`] writes.

use serde::{Serialize, de::DeserializeOwned};

use crate::{Error, MAX_VALUE_LEN};

/// The format version written in front of every value.
pub const FORMAT_VERSION: u8 = 1;

/// Encodes `value` into `buf`; returns the bytes used.
pub fn encode<'a, T: Serialize, E>(value: &T, buf: &'a mut [u8]) -> Result<&'a [u8], Error<E>> {
    encode_versioned(FORMAT_VERSION, value, buf)
}

/// Encodes `value` behind the layout version `version` of its record.
pub fn encode_versioned<'a, T: Serialize, E>(
    version: u8,
    value: &T,
    buf: &'a mut [u8],
) -> Result<&'a [u8], Error<E>> {
    let limit = buf.len().min(MAX_VALUE_LEN);
    let (first, body) = buf
        .get_mut(..limit)
        .and_then(<[u8]>::split_first_mut)
        .ok_or(Error::TooLarge)?;
    *first = version;
    let len = postcard::to_slice(value, body)
        .map_err(|_| Error::TooLarge)?
        .len();
    buf.get(..=len).ok_or(Error::TooLarge)
}

/// Decodes a value written by [`encode`] (any supported format version).
pub fn decode<T: DeserializeOwned, E>(bytes: &[u8]) -> Result<T, Error<E>> {
    match bytes.split_first() {
        Some((&FORMAT_VERSION, body)) => decode_body(body),
        Some((&version, _)) => Err(Error::UnsupportedVersion(version)),
        None => Err(Error::Decode),
    }
}

/// Decodes the bytes after the version byte as `T`, the type of that
/// version.
pub fn decode_body<T: DeserializeOwned, E>(body: &[u8]) -> Result<T, Error<E>> {
    postcard::from_bytes(body).map_err(|_| Error::Decode)
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::convert::Infallible;
    use serde::Deserialize;

    /// A settings-like record with the field types the engine uses.
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Sample {
        enabled: bool,
        setpoint: i16,
        relay_time: Option<u16>,
        numbers: heapless::Vec<heapless::String<16>, 4>,
        mode: Mode,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum Mode {
        Heating,
        Cooling,
    }

    fn sample() -> Sample {
        let mut numbers = heapless::Vec::new();
        numbers
            .push(heapless::String::try_from("+37060000001").unwrap())
            .unwrap();
        numbers
            .push(heapless::String::try_from("112").unwrap())
            .unwrap();
        Sample {
            enabled: true,
            setpoint: -12,
            relay_time: Some(300),
            numbers,
            mode: Mode::Cooling,
        }
    }

    /// Today's bytes for [`sample`]: committed, never to change meaning.
    /// version 1 | true | zigzag(-12)=23 | Some | varint 300 | 2 strings | Cooling=1
    const GOLDEN: &[u8] = &[
        0x01, 0x01, 0x17, 0x01, 0xAC, 0x02, 0x02, 0x0C, b'+', b'3', b'7', b'0', b'6', b'0', b'0',
        b'0', b'0', b'0', b'0', b'1', 0x03, b'1', b'1', b'2', 0x01,
    ];

    #[test]
    fn golden_bytes_keep_decoding() {
        let mut buf = [0; MAX_VALUE_LEN];
        assert_eq!(
            encode::<_, Infallible>(&sample(), &mut buf).unwrap(),
            GOLDEN
        );
        assert_eq!(decode::<Sample, Infallible>(GOLDEN).unwrap(), sample());
    }

    #[test]
    fn unknown_versions_and_garbage_are_errors() {
        assert_eq!(
            decode::<Sample, ()>(&[2, 1]),
            Err(Error::UnsupportedVersion(2))
        );
        assert_eq!(decode::<Sample, ()>(&[]), Err(Error::Decode));
        assert_eq!(decode::<Sample, ()>(&[1, 1, 0x17]), Err(Error::Decode));
    }

    #[test]
    fn too_large_values_are_refused() {
        let mut small = [0; 4];
        assert_eq!(encode::<_, ()>(&sample(), &mut small), Err(Error::TooLarge));
        let big = [7u8; MAX_VALUE_LEN];
        let mut buf = [0; 2 * MAX_VALUE_LEN];
        assert_eq!(
            encode::<_, ()>(&big.as_slice(), &mut buf),
            Err(Error::TooLarge)
        );
    }
}
