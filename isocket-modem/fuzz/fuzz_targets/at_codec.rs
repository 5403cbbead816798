#![no_main]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The AT codec never panics, whatever the bytes and however they are split.

use isocket_modem::Codec;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    let mut codec: Codec<128> = Codec::new();
    codec.expect(Some(b"+CREG"), true);
    let (a, b) = rest.split_at(usize::from(split).min(rest.len()));
    codec.feed(a, |_| {});
    codec.feed(b, |_| {});
});
