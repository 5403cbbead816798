//! What the ESP32-C3 keeps across a reset: the reset cause, six words of
//! RTC fast memory and the RTC timer (README.md, "Clock").

use esp_hal::rtc_cntl::{Rtc, SocResetReason};
use isocket_device::board::{RETAINED_WORDS, ResetCause};

/// The device's words, in RTC fast memory. Not initialised at boot; the
/// runtime zeroes the section after a chip power-on (reset reason 1) only,
/// so they survive software, watchdog and brown-out resets.
#[esp_hal::ram(unstable(rtc_fast, persistent))]
static mut WORDS: [u32; RETAINED_WORDS] = [0; RETAINED_WORDS];

/// The words as the last boot left them (zeroes after a power-on).
pub fn load() -> [u32; RETAINED_WORDS] {
    // SAFETY: one core, and the words are only touched here and in
    // `store`, from the main loop: no reference to the static is made.
    unsafe { (&raw const WORDS).read_volatile() }
}

/// Keeps `words` for the next boot.
pub fn store(words: &[u32; RETAINED_WORDS]) {
    // SAFETY: as in `load`.
    unsafe { (&raw mut WORDS).write_volatile(*words) }
}

/// Why the chip started, from the ROM's reset reason.
///
/// - `ChipPowerOn` (1): the supply came up, also after a brown-out from
///   off (the C3 reports a chip-level brown-out as 1 too): RTC memory and
///   the RTC timer start afresh.
/// - Every watchdog: the RTC watchdog (this board's: `CoreRtcWdt`), the
///   timer groups' MWDTs and the super watchdog.
/// - Everything else is `Other`, `SysBrownOut` (15) included: the supply
///   dipped while the chip ran (a modem burst on a weak supply), RTC memory
///   is kept, and the device's shutdown mark tells whether it was the
///   battery running down after a shutdown.
pub fn reset_cause() -> ResetCause {
    match esp_hal::system::reset_reason() {
        Some(SocResetReason::ChipPowerOn) => ResetCause::PowerOn,
        Some(
            SocResetReason::CoreRtcWdt
            | SocResetReason::SysRtcWdt
            | SocResetReason::Cpu0RtcWdt
            | SocResetReason::CoreMwdt0
            | SocResetReason::CoreMwdt1
            | SocResetReason::Cpu0Mwdt0
            | SocResetReason::Cpu0Mwdt1
            | SocResetReason::SysSuperWdt,
        ) => ResetCause::Watchdog,
        _ => ResetCause::Other,
    }
}

/// Seconds on the RTC timer: the 48-bit counter of the RTC slow clock
/// (about 136 kHz, calibrated at boot), cleared only by a chip power-on and
/// by resets of the RTC domain (`Sys*`); the software reset and this
/// board's watchdog reset leave it counting.
pub fn rtc_seconds(rtc: &Rtc<'_>) -> u32 {
    let secs = rtc.time_since_power_up().as_secs();
    u32::try_from(secs).unwrap_or(u32::MAX)
}
