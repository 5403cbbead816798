//! # isocket-modem
//!
//! AT modem driver for SIMCom, Quectel and u-blox GSM modems: AT/URC codec,
//! SMS PDU, calls, USSD, supervision. `no_std`, no allocation.
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod calls;
pub mod codec;
mod fields;
pub mod network;
pub mod pdu;
pub mod reassembly;
pub mod septet;
pub mod time;
pub mod urc;
pub mod ussd;

pub use codec::{Codec, Final, Frame};
pub use urc::Urc;
