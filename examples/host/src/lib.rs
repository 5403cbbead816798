//! # isocket-host
//!
//! The isocket device on a PC. `cargo run -p isocket-host` starts the
//! interactive simulator; `isocket-host script FILE...` runs scenario files
//! (the `.scn` format of SCENARIOS.md) against a simulated device in virtual
//! time, so a simulated day takes milliseconds.
//!
//! ```
//! use isocket_host::script::{run_text, Verdict};
//!
//! let scenario = "sms +4915112345678 MAKEMEBOSS\n\
//!                 expect sms +4915112345678\n  \
//!                   Your phone number has been assigned for all types of alerts and was added to security list which has been activated\n\
//!                 sms +4915112345678 on30\n\
//!                 expect sms +4915112345678\n  Power ON for 30 seconds\n\
//!                 advance 31s\n\
//!                 expect relay off\n";
//! assert_eq!(run_text(scenario), Verdict::Pass);
//! ```
//!
//! Additions to the scenario vocabulary (SCENARIOS.md allows additions):
//! - `storage fail` / `storage ok` make the simulated storage fail or succeed
//!   from then on, to exercise the `Execute error!` path;
//! - `modem ok` / `modem sim-error` / `modem failure` set what the modem's
//!   supervisor reports, for the LED patterns of SPEC §8;
//! - `hang` (the firmware locks up) and `expect watchdog-reset` (the
//!   watchdog has reset the device since the last such expectation), for a
//!   device with a watchdog: `isocket-host pico` runs them on the emulated
//!   Pico; the simulator refuses them.
//!
//! `isocket-host pico --elf FILE --harness DIR --wiring CSV --scenario FILE`
//! runs a scenario on the Pico's release image in rp2040js ([`pico`]);
//! `cargo xtask pico-sim` builds and runs it (xtask/README.md).

#[cfg(not(target_arch = "wasm32"))]
pub mod attacks;
pub mod e2e;
pub mod interactive;
#[cfg(not(target_arch = "wasm32"))]
pub mod pico;
#[cfg(not(target_arch = "wasm32"))]
pub mod run;
pub mod scenario;
pub mod script;
pub mod sim;
pub mod spec_texts;
