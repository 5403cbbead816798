//! # isocket-storage
//!
//! Power-cut-safe persistence of isocket settings and alarm log: NorFlash, file and RAM stores.
//!
//! Status: this crate is an empty, documented library for now. The store
//! trait and its NorFlash, file and RAM implementations arrive with the
//! storage issue; until then it exports nothing.
#![no_std]
#![deny(unsafe_code)]
#![warn(missing_docs)]
