//! # isocket-proto
//!
//! SMS command codec of the isocket smart socket (work in progress).
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod gsm7;
