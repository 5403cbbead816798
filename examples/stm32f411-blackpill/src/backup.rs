//! The F411's reset flags and its backup domain (RM0383 §6.3.20, §17):
//! the RTC on the 32.768 kHz LSE crystal and the 20 RTC backup registers,
//! six of which hold the device's retained words. The backup domain keeps
//! both across resets and, powered from VBAT (a coin cell), across a power
//! cut. Registers only: what the words mean is `isocket_device::boot`'s.
//!
//! The RTC counts from its reset value, 2000-01-01 00:00:00, and is never
//! set: [`seconds`] reads its calendar as seconds since then (monotonic
//! for a century, while the domain keeps power).

use embassy_stm32::pac;
use embassy_stm32::pac::rcc::vals::Rtcsel;
use embassy_stm32::rcc::LsConfig;
use embassy_time::{Duration, Instant, Timer};
use isocket_device::board::{RETAINED_WORDS, ResetCause};

/// How long the LSE may take to start: the datasheet's typical start-up
/// time is 2 s; a crystal that needs more is taken as missing.
const LSE_START_MS: u64 = 4_000;

/// Why the chip started, from RCC_CSR; the flags are then cleared so that
/// the next reset reports its own.
pub fn reset_cause() -> ResetCause {
    let csr = pac::RCC.csr().read();
    pac::RCC.csr().modify(|w| w.set_rmvf(true));
    if csr.porrstf() || csr.borrstf() {
        ResetCause::PowerOn
    } else if csr.wdgrstf() || csr.wwdgrstf() {
        ResetCause::Watchdog
    } else {
        ResetCause::Other
    }
}

/// What embassy's clock setup must be told so that it leaves a running
/// RTC alone: it resets the whole backup domain (RTC and backup
/// registers) whenever the domain's clock setup differs from its config,
/// and waits for the LSE forever. So it gets the LSE only when the LSE
/// already runs the RTC; otherwise "off", and [`start`] starts the LSE
/// with a timeout.
pub fn ls_config() -> LsConfig {
    let bdcr = pac::RCC.bdcr().read();
    if bdcr.rtcsel() == Rtcsel::LSE && bdcr.rtcen() && bdcr.lseon() && !bdcr.lsebyp() {
        LsConfig::default_lse()
    } else {
        LsConfig::off()
    }
}

/// Opens the backup domain for writing and starts the RTC on the LSE if
/// it is not running yet. `false`: no LSE (no crystal, or it did not start
/// in time): the backup registers work, the RTC does not.
pub async fn start() -> bool {
    pac::RCC.apb1enr().modify(|w| w.set_pwren(true));
    pac::PWR.cr1().modify(|w| w.set_dbp(true));
    while !pac::PWR.cr1().read().dbp() {}
    let bdcr = pac::RCC.bdcr().read();
    if bdcr.rtcsel() != Rtcsel::LSE || !bdcr.rtcen() {
        // A fresh backup domain (embassy reset any other setup): RTCSEL is
        // still writable.
        pac::RCC.bdcr().modify(|w| w.set_lseon(true));
        let since = Instant::now();
        while !pac::RCC.bdcr().read().lserdy() {
            if since.elapsed() > Duration::from_millis(LSE_START_MS) {
                // Off again, so that the next boot's clock setup matches.
                pac::RCC.bdcr().modify(|w| w.set_lseon(false));
                return false;
            }
            Timer::after_millis(10).await;
        }
        pac::RCC.bdcr().modify(|w| {
            w.set_rtcsel(Rtcsel::LSE);
            w.set_rtcen(true);
        });
    }
    // After a system reset the calendar's shadow registers are readable
    // once RSF is set again (two RTCCLK cycles, 61 µs).
    let since = Instant::now();
    while !pac::RTC.isr().read().rsf() {
        if since.elapsed() > Duration::from_millis(10) {
            return false;
        }
    }
    running()
}

/// The RTC counts: enabled, on the LSE, and the LSE oscillates.
fn running() -> bool {
    let bdcr = pac::RCC.bdcr().read();
    bdcr.rtcsel() == Rtcsel::LSE && bdcr.rtcen() && bdcr.lserdy()
}

/// Seconds since 2000-01-01 on the RTC's calendar; `None` without a
/// running RTC.
pub fn seconds() -> Option<u32> {
    if !running() {
        return None;
    }
    // Reading TR locks DR's shadow until DR is read: a consistent pair.
    let tr = pac::RTC.tr().read();
    let dr = pac::RTC.dr().read();
    let bcd = |tens: u8, units: u8| u32::from(tens) * 10 + u32::from(units);
    let year = bcd(dr.yt(), dr.yu());
    let month = bcd(u8::from(dr.mt()), dr.mu());
    let day = bcd(dr.dt(), dr.du());
    // 24-hour format (FMT = 0, the reset value).
    let time = bcd(tr.ht(), tr.hu()) * 3600 + bcd(tr.mnt(), tr.mnu()) * 60 + bcd(tr.st(), tr.su());
    Some(days_since_2000(year, month, day) * 86_400 + time)
}

/// Days from 2000-01-01 to the date (year 0..=99 after 2000; every fourth
/// year is a leap year in 2000..2100).
fn days_since_2000(year: u32, month: u32, day: u32) -> u32 {
    const BEFORE_MONTH: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let leap_day = u32::from(year.is_multiple_of(4) && month > 2);
    let before = BEFORE_MONTH
        .get(month.saturating_sub(1) as usize)
        .copied()
        .unwrap_or(0);
    year * 365 + year.div_ceil(4) + before + leap_day + day.saturating_sub(1)
}

/// The retained words, from backup registers 0-5.
pub fn retained() -> [u32; RETAINED_WORDS] {
    core::array::from_fn(|n| pac::RTC.bkpr(n).read().bkp())
}

/// Keeps `words` in backup registers 0-5 ([`start`] opened the domain).
pub fn retain(words: &[u32; RETAINED_WORDS]) {
    for (n, word) in words.iter().enumerate() {
        pac::RTC.bkpr(n).write(|w| w.set_bkp(*word));
    }
}
