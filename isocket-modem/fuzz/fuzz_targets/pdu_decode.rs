#![no_main]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The PDU decoder never panics, on octets or on hex text, and the strict
//! decode the driver uses agrees with the lenient one whenever it succeeds.

use isocket_modem::pdu;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = pdu::decode(data);
    let _ = pdu::decode_tpdu(data);
    let lenient = pdu::decode_hex(data);
    if let Ok(exact) = pdu::decode_hex_exact(data) {
        assert_eq!(Ok(exact), lenient);
    }
});
