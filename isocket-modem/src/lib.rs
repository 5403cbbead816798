//! # isocket-modem
//!
//! AT modem driver for SIMCom, Quectel and u-blox GSM modems: AT/URC codec, SMS PDU, calls, USSD, supervision.
//!
//! Status: this crate is an empty, documented library for now. The sans-IO AT
//! core, the SMS PDU codec and the blocking and async front ends arrive with
//! the modem issue; until then it exports nothing.
#![no_std]
#![deny(unsafe_code)]
#![warn(missing_docs)]
