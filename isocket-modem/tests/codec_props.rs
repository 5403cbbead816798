#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The codec never panics, and chunking never changes what it decodes.

use isocket_modem::Codec;
use proptest::prelude::*;

fn decode_all(input: &[u8], split: usize, prefix: Option<&'static [u8]>) -> Vec<String> {
    decode_chunks(input, split, prefix, true)
}

/// Frames of `input` fed as two chunks split at `split`.
fn decode_chunks(
    input: &[u8],
    split: usize,
    prefix: Option<&'static [u8]>,
    prompt: bool,
) -> Vec<String> {
    let mut codec: Codec<64> = Codec::new();
    codec.expect(prefix, prompt);
    let mut out = vec![];
    let (a, b) = input.split_at(split.min(input.len()));
    codec.feed(a, |f| out.push(format!("{f:?}")));
    codec.feed(b, |f| out.push(format!("{f:?}")));
    out
}

/// Bytes that look like modem output often enough to reach deep paths.
fn modem_bytes() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop_oneof![
        Just(b"\r\n".to_vec()),
        Just(b"OK".to_vec()),
        Just(b"+CREG: ".to_vec()),
        Just(b"+CMT: ".to_vec()),
        Just(b"+CDS: 1".to_vec()),
        Just(b"+CUSD: 1,\"".to_vec()),
        Just(b"+CLIP: ".to_vec()),
        Just(b"+CCLK: ".to_vec()),
        Just(b"*PSUTTZ: ".to_vec()),
        Just(b"> ".to_vec()),
        Just(b"\"".to_vec()),
        Just(b",".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..12),
    ];
    proptest::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

/// Frames of a text-mode list or read answer fed in chunks of `size`.
fn decode_text(input: &[u8], size: usize, list: bool) -> Vec<String> {
    let mut codec: Codec<64> = Codec::new();
    codec.expect(Some(if list { b"+CMGL" } else { b"+CMGR" }), false);
    codec.expect_text(list);
    let mut out = vec![];
    for chunk in input.chunks(size.max(1)) {
        codec.feed(chunk, |f| out.push(format!("{f:?}")));
    }
    out
}

/// Text-mode answers: headers with and without `<length>`, line breaks
/// anywhere, bodies that read like result codes.
fn text_answers() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop_oneof![
        Just(b"\r\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"OK".to_vec()),
        Just(b"RDY".to_vec()),
        Just(b"+CMGL: 1,\"REC UNREAD\",\"+49\",,\"26/01/01,00:00:00+04\",145,".to_vec()),
        Just(b"+CMGR: \"REC READ\",\"".to_vec()),
        Just(b"\",\"\",\"26/01/01,00:00:00+04\"".to_vec()),
        Just(b",145,4,0,8,\"+49\",145,".to_vec()),
        Just(b"+CMGL: 2,\"STO UNSENT\",\"+1\",,,145,".to_vec()),
        Just(b"0414".to_vec()),
        (0u8..30).prop_map(|n| n.to_string().into_bytes()),
        proptest::collection::vec(any::<u8>(), 0..8),
    ];
    proptest::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

proptest! {
    /// The text-mode framing is a byte-by-byte state machine: whole,
    /// split anywhere or byte by byte, it gives the same frames.
    #[test]
    fn text_answers_do_not_depend_on_chunking(input in text_answers(), size in 1usize..50, list in any::<bool>()) {
        let whole = decode_text(&input, usize::MAX, list);
        prop_assert_eq!(&whole, &decode_text(&input, size, list));
        prop_assert_eq!(&whole, &decode_text(&input, 1, list));
    }

    #[test]
    fn never_panics_on_any_bytes(input in proptest::collection::vec(any::<u8>(), 0..600), split in 0usize..600) {
        decode_all(&input, split, Some(b"+CREG"));
    }

    /// Without a prompt the zero-copy path frames whole lines; byte by
    /// byte everything goes through the buffer. Both must agree.
    #[test]
    fn fast_and_buffered_paths_agree(input in modem_bytes()) {
        let prefix: Option<&'static [u8]> = Some(b"+CREG");
        let whole = decode_chunks(&input, usize::MAX, prefix, false);
        let mut codec: Codec<64> = Codec::new();
        codec.expect(prefix, false);
        let mut bytes = vec![];
        for b in input.chunks(1) {
            codec.feed(b, |f| bytes.push(format!("{f:?}")));
        }
        prop_assert_eq!(whole, bytes);
    }

    #[test]
    fn chunking_does_not_matter(input in modem_bytes(), split in 0usize..400) {
        let prefix: Option<&'static [u8]> = Some(b"+CREG");
        prop_assert_eq!(decode_all(&input, usize::MAX, prefix), decode_all(&input, split, prefix));
    }
}
