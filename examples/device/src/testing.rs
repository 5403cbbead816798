//! Test support, behind the `testing` feature: what lets one harness drive
//! the QEMU firmware, `isocket-host run` and the simulator alike.
//!
//! - [`console`]: the console vocabulary, hardware steps in and event
//!   lines out, in the words of the scenario format.

pub mod console;
