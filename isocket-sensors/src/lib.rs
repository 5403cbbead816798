//! # isocket-sensors
//!
//! DS18B20 over bit-banged 1-Wire, debounced alarm input, button, relay and LED patterns on embedded-hal 1.0.
//!
//! Status: this crate is an empty, documented library for now. The 1-Wire
//! master, the DS18B20 driver and the input parts arrive with the sensors
//! issue; until then it exports nothing.
#![no_std]
#![deny(unsafe_code)]
#![warn(missing_docs)]
