//! # isocket-engine
//!
//! The isocket device as a sans-IO state machine: events in, actions out, time passed in.
//!
//! Status: this crate is an empty, documented library for now. The device
//! engine (SPEC.md §2–§16) arrives with the engine issues; until then it
//! exports nothing, so nobody comes to depend on a placeholder API.
#![no_std]
#![deny(unsafe_code)]
#![warn(missing_docs)]
