//! What survives a reset, and what the device makes of it at boot: why it
//! started (SPEC §13), the wall clock (SPEC §10), the marks of a shutdown
//! and of its own reboots, and the boot-loop guard.
//!
//! Six words a board keeps across a reset ([`crate::board::Board::retained`]):
//!
//! | word | holds |
//! |------|-------|
//! | 0 | magic: the words were written by this firmware |
//! | 1 | flags (shutdown, reboot asked, clock valid) and watchdog resets in a row |
//! | 2 | the wall clock, Unix seconds (UTC) |
//! | 3 | its UTC offset, seconds |
//! | 4 | the board's RTC seconds when word 2 was written (0 without an RTC) |
//! | 5 | a checksum of words 0–4 |
//!
//! # Decisions
//! - A power-on reset means the supply was gone. The board only loses it
//!   when it shut itself down for a mains failure (or the battery ran
//!   flat), so a power-on boots as "mains restored". So does any boot that
//!   finds the shutdown mark: mains came back during the shutdown grace.
//! - Every other boot is a reset. One the device did not ask for, with the
//!   watchdog as the cause, is counted and logged.
//! - **Boot-loop guard** (after ESPHome's safe mode): after
//!   [`SAFE_MODE_AFTER`] watchdog resets in a row the device boots in safe
//!   mode. It never touches the DS18B20 bus (a stuck 1-Wire bus is the one
//!   peripheral of ours that can hang a turn; every reading is then a
//!   sensor error, so the thermostat stops switching and says so), and
//!   keeps everything else: settings, SECLIST and password load as always,
//!   and SMS and calls are answered. The count clears once a boot has run
//!   for [`STABLE_MS`].
//! - The clock is kept to the second. With an RTC, the time the board was
//!   down counts too; without one, a reset is taken as instant, and a power
//!   cut loses the clock unless the board has an RTC on a backup battery
//!   that keeps the retained words too (the STM32's VBAT domain).

use isocket_engine::{Boot, BootReason};
use isocket_proto::Timestamp;

use crate::board::{RETAINED_WORDS, ResetCause};

/// Watchdog resets in a row before the device boots in safe mode.
pub const SAFE_MODE_AFTER: u8 = 3;
/// A boot that ran this long clears the watchdog count (10 min).
pub const STABLE_MS: u64 = 10 * 60 * 1000;

const MAGIC: u32 = 0x150C_B007;
const SHUTDOWN: u32 = 1 << 0;
const REBOOT_ASKED: u32 = 1 << 1;
const CLOCK: u32 = 1 << 2;
const COUNT_SHIFT: u32 = 8;

/// What the device found at boot, for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BootReport {
    /// What the chip said.
    pub cause: ResetCause,
    /// What the engine was told.
    pub reason: BootReason,
    /// Watchdog resets in a row, this one included.
    pub watchdog_resets: u8,
    /// The boot-loop guard is on: the DS18B20 is left alone.
    pub safe_mode: bool,
}

/// The retained state, decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Retained {
    /// The device released the battery hold.
    pub shutdown: bool,
    /// The device asked for the coming reset.
    pub reboot_asked: bool,
    /// Watchdog resets in a row.
    pub watchdog_resets: u8,
    /// Unix seconds, UTC offset and the RTC seconds then.
    pub clock: Option<(u32, i32, u32)>,
}

impl Retained {
    /// Decodes `words`; anything not written by this firmware (a power-on,
    /// a torn write) reads as nothing kept.
    pub fn decode(words: &[u32; RETAINED_WORDS]) -> Self {
        let [magic, flags, unix, offset, rtc, sum] = *words;
        if magic != MAGIC || sum != checksum(&[magic, flags, unix, offset, rtc]) {
            return Retained::default();
        }
        Retained {
            shutdown: flags & SHUTDOWN != 0,
            reboot_asked: flags & REBOOT_ASKED != 0,
            watchdog_resets: (flags >> COUNT_SHIFT) as u8,
            clock: (flags & CLOCK != 0).then_some((unix, offset as i32, rtc)),
        }
    }

    /// The words to keep.
    pub fn encode(&self) -> [u32; RETAINED_WORDS] {
        let (unix, offset, rtc) = self.clock.unwrap_or_default();
        let flags = (u32::from(self.shutdown) * SHUTDOWN)
            | (u32::from(self.reboot_asked) * REBOOT_ASKED)
            | (u32::from(self.clock.is_some()) * CLOCK)
            | (u32::from(self.watchdog_resets) << COUNT_SHIFT);
        let words = [MAGIC, flags, unix, offset as u32, rtc];
        let [a, b, c, d, e] = words;
        [a, b, c, d, e, checksum(&words)]
    }

    /// Keeps `time` (the wall clock now) with the RTC reading taken with it.
    pub fn set_clock(&mut self, time: Option<Timestamp>, rtc_seconds: Option<u32>) {
        self.set_clock_at(time, 0, rtc_seconds);
    }

    /// Keeps `time` advanced by `elapsed_s` seconds: plain arithmetic, as
    /// this runs every turn.
    pub fn set_clock_at(
        &mut self,
        time: Option<Timestamp>,
        elapsed_s: u64,
        rtc_seconds: Option<u32>,
    ) {
        self.clock = time.and_then(|t| {
            let t = t.datetime();
            let unix = u64::try_from(t.timestamp()).ok()?.checked_add(elapsed_s)?;
            let unix = u32::try_from(unix).ok()?;
            Some((unix, t.offset().local_minus_utc(), rtc_seconds.unwrap_or(0)))
        });
    }

    /// The clock as it stands now, `rtc_seconds` later on the same RTC.
    fn clock_now(&self, rtc_seconds: Option<u32>) -> Option<Timestamp> {
        let (unix, offset, then) = self.clock?;
        let elapsed = match rtc_seconds {
            // An RTC that went backwards was reset with its battery: the
            // time it kept is gone.
            Some(now) => now.checked_sub(then)?,
            None => 0,
        };
        let zone = chrono::FixedOffset::east_opt(offset)?;
        let utc = chrono::DateTime::from_timestamp(i64::from(unix) + i64::from(elapsed), 0)?;
        Some(Timestamp::from_datetime(utc.with_timezone(&zone)))
    }
}

/// A small checksum, so that power-on garbage that happens to start with
/// the magic is not taken for a kept state.
fn checksum(words: &[u32; 5]) -> u32 {
    words.iter().fold(0x9E37_79B9, |sum, w| {
        (sum ^ w).rotate_left(5).wrapping_mul(0x0100_0193)
    })
}

/// Decides the boot from the reset cause and the retained words; returns
/// what the engine is told, the report, and the words to keep from now on
/// (marks cleared, the count updated).
pub fn decide(
    cause: ResetCause,
    words: &[u32; RETAINED_WORDS],
    rtc_seconds: Option<u32>,
) -> (Boot, BootReport, Retained) {
    let mut kept = Retained::decode(words);
    if cause == ResetCause::PowerOn && rtc_seconds.is_none() {
        // Without an RTC nobody counted the time the power was off.
        kept.clock = None;
    }
    let mains_restored = cause == ResetCause::PowerOn || kept.shutdown;
    let unexpected = cause == ResetCause::Watchdog && !kept.reboot_asked && !kept.shutdown;
    let watchdog_resets = if unexpected {
        kept.watchdog_resets.saturating_add(1)
    } else {
        0
    };
    let boot = Boot {
        reason: if mains_restored {
            BootReason::MainsRestored
        } else {
            BootReason::Reset
        },
        clock: kept.clock_now(rtc_seconds),
    };
    let report = BootReport {
        cause,
        reason: boot.reason,
        watchdog_resets,
        safe_mode: watchdog_resets >= SAFE_MODE_AFTER,
    };
    let mut next = Retained {
        watchdog_resets,
        ..Retained::default()
    };
    next.set_clock(boot.clock, rtc_seconds);
    (boot, report, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time() -> Timestamp {
        Timestamp::from_local((2026, 12, 3), (10, 0, 0), 60).expect("a valid time")
    }

    fn kept(retained: Retained) -> [u32; RETAINED_WORDS] {
        retained.encode()
    }

    #[test]
    fn words_round_trip_and_garbage_reads_as_nothing() {
        let mut r = Retained {
            shutdown: true,
            reboot_asked: false,
            watchdog_resets: 2,
            clock: None,
        };
        r.set_clock(Some(time()), Some(77));
        assert_eq!(Retained::decode(&r.encode()), r);
        let mut torn = r.encode();
        torn[2] ^= 1;
        assert_eq!(Retained::decode(&torn), Retained::default());
        assert_eq!(Retained::decode(&[0; 6]), Retained::default());
        assert_eq!(Retained::decode(&[u32::MAX; 6]), Retained::default());
    }

    #[test]
    fn power_on_and_the_shutdown_mark_mean_mains_restored() {
        let marked = kept(Retained {
            shutdown: true,
            ..Retained::default()
        });
        let (boot, ..) = decide(ResetCause::PowerOn, &marked, None);
        assert_eq!(boot.reason, BootReason::MainsRestored);
        // Mains came back within the grace: the device reset itself.
        let (boot, report, next) = decide(ResetCause::Other, &marked, None);
        assert_eq!(boot.reason, BootReason::MainsRestored);
        assert_eq!(report.watchdog_resets, 0);
        assert!(!next.shutdown, "the mark is cleared");
        let (boot, ..) = decide(ResetCause::Other, &kept(Retained::default()), None);
        assert_eq!(boot.reason, BootReason::Reset);
    }

    #[test]
    fn watchdog_resets_count_until_safe_mode_and_asked_reboots_do_not() {
        let mut words = kept(Retained::default());
        for n in 1..=SAFE_MODE_AFTER + 1 {
            let (boot, report, next) = decide(ResetCause::Watchdog, &words, None);
            assert_eq!(boot.reason, BootReason::Reset);
            assert_eq!(report.watchdog_resets, n);
            assert_eq!(report.safe_mode, n >= SAFE_MODE_AFTER);
            words = next.encode();
        }
        // A reboot the device asked for (its own reset goes through the
        // watchdog on some chips) ends the run.
        let mut asked = Retained::decode(&words);
        asked.reboot_asked = true;
        let (_, report, _) = decide(ResetCause::Watchdog, &asked.encode(), None);
        assert_eq!(report.watchdog_resets, 0);
        assert!(!report.safe_mode);
    }

    #[test]
    fn the_clock_survives_a_reset_and_with_an_rtc_the_time_down() {
        let mut r = Retained::default();
        r.set_clock(Some(time()), Some(1_000));
        let (boot, _, next) = decide(ResetCause::Watchdog, &r.encode(), Some(1_090));
        let later = boot.clock.map(|t| t.datetime().timestamp());
        assert_eq!(later, Some(time().datetime().timestamp() + 90));
        assert_eq!(boot.clock.map(|t| t.offset_minutes()), Some(60));
        assert!(next.clock.is_some(), "kept on for the next reset");
        // Without an RTC the reset is taken as instant.
        let mut r = Retained::default();
        r.set_clock(Some(time()), None);
        let (boot, ..) = decide(ResetCause::Other, &r.encode(), None);
        assert_eq!(boot.clock, Some(time()));
        // An RTC that went backwards lost its battery: no clock.
        let mut r = Retained::default();
        r.set_clock(Some(time()), Some(1_000));
        let (boot, ..) = decide(ResetCause::Other, &r.encode(), Some(5));
        assert_eq!(boot.clock, None);
        // Across a power cut only an RTC (on its backup battery) keeps time.
        let mut r = Retained::default();
        r.set_clock(Some(time()), Some(1_000));
        let (boot, ..) = decide(ResetCause::PowerOn, &r.encode(), Some(4_600));
        let later = boot.clock.map(|t| t.datetime().timestamp());
        assert_eq!(later, Some(time().datetime().timestamp() + 3_600));
        let (boot, ..) = decide(ResetCause::PowerOn, &r.encode(), None);
        assert_eq!(boot.clock, None);
    }
}
