//! The device on a board in memory: the tests set its inputs, read its
//! output levels and reset it the ways hardware resets.

use super::*;
use crate::board::{Inputs, ResetCause};
use isocket_engine::{BootReason, FAILURE_SMS_WAIT, LedPattern, Record, SAMPLE_PERIOD};
use isocket_proto::Temperature;
use isocket_sensors::input::LONG_PRESS_MS;
use isocket_storage::RamStore;
use std::vec::Vec;

struct Fake {
    now: u64,
    inputs: Inputs,
    levels: Levels,
    /// (time, power, gsm, out) at every turn.
    led_history: Vec<(u64, bool, bool, bool)>,
    written: Vec<u8>,
    store: RamStore,
    probe: Probe,
    /// `Some`: starting a conversion fails with this.
    probe_start_fails: Option<Probe>,
    probe_starts: Vec<u64>,
    probe_reads: Vec<u64>,
    outputs: Vec<(u64, Output)>,
    cause: ResetCause,
    kept: [u32; RETAINED_WORDS],
    rtc: Option<u32>,
    feeds: usize,
    reboots: usize,
}

impl Fake {
    fn new() -> Self {
        Fake {
            now: 1_000,
            inputs: Inputs::default(),
            levels: Levels::default(),
            led_history: Vec::new(),
            written: Vec::new(),
            store: RamStore::new(),
            probe: Probe::Reading(Temperature::from_sixteenths(344)),
            probe_start_fails: None,
            probe_starts: Vec::new(),
            probe_reads: Vec::new(),
            outputs: Vec::new(),
            cause: ResetCause::Other,
            kept: [0; RETAINED_WORDS],
            rtc: None,
            feeds: 0,
            reboots: 0,
        }
    }

    fn saw(&self, output: &Output) -> bool {
        self.outputs.iter().any(|(_, o)| o == output)
    }

    fn last_boot(&self) -> Option<BootReport> {
        self.outputs.iter().rev().find_map(|(_, o)| match o {
            Output::Boot(report) => Some(*report),
            _ => None,
        })
    }
}

impl Board for Fake {
    type Store = RamStore;
    fn now_ms(&mut self) -> u64 {
        self.now
    }
    fn modem_read(&mut self, _buf: &mut [u8]) -> usize {
        0 // a silent modem: never registers
    }
    fn modem_write(&mut self, bytes: &[u8]) {
        self.written.extend_from_slice(bytes);
    }
    fn inputs(&mut self) -> Inputs {
        self.inputs
    }
    fn set_levels(&mut self, levels: &Levels) {
        self.levels = *levels;
        let [power, gsm, out] = levels.leds;
        self.led_history.push((self.now, power, gsm, out));
    }
    fn probe_start(&mut self, now_ms: u64) -> Result<u64, Probe> {
        self.probe_starts.push(now_ms);
        match self.probe_start_fails {
            Some(failure) => Err(failure),
            None => Ok(now_ms + 750),
        }
    }
    fn probe_read(&mut self, now_ms: u64) -> Option<Probe> {
        self.probe_reads.push(now_ms);
        Some(self.probe)
    }
    fn store(&mut self) -> Option<&mut RamStore> {
        Some(&mut self.store)
    }
    fn reset_cause(&mut self) -> ResetCause {
        self.cause
    }
    fn retained(&mut self) -> [u32; RETAINED_WORDS] {
        self.kept
    }
    fn retain(&mut self, words: &[u32; RETAINED_WORDS]) {
        self.kept = *words;
    }
    fn rtc_seconds(&mut self) -> Option<u32> {
        self.rtc
    }
    fn feed_watchdog(&mut self) {
        self.feeds += 1;
    }
    fn reboot(&mut self) {
        self.reboots += 1;
        // What a software reset leaves: the chip says "other".
        self.cause = ResetCause::Other;
    }
    fn log(&mut self, output: &Output) {
        self.outputs.push((self.now, output.clone()));
    }
}

fn boot(fake: &mut Fake) -> Device {
    let board = BoardInfo {
        product: "isocket test",
        serial: heapless::String::try_from("0001").unwrap_or_default(),
    };
    Device::boot(fake, board, &isocket_modem::profile::SIM800)
}

/// Turns every `SAMPLE_MS` until `until`; a reboot stops it.
fn run(device: &mut Device, fake: &mut Fake, until: u64) -> Option<Turn> {
    while fake.now < until {
        match device.turn(fake) {
            Turn::Again { at_ms } => {
                assert!(at_ms >= fake.now);
                fake.now = at_ms.clamp(fake.now + 1, fake.now + SAMPLE_MS);
            }
            other => return Some(other),
        }
    }
    None
}

fn ms(d: core::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[test]
fn the_modem_is_powered_and_spoken_to() {
    let mut fake = Fake::new();
    let mut device = boot(&mut fake);
    let _ = device.turn(&mut fake);
    assert!(fake.levels.modem_power, "on from the first turn");
    assert_eq!(run(&mut device, &mut fake, 20_000), None);
    // A silent modem: three unanswered commands, then a power cycle.
    assert!(fake.saw(&Output::ModemPower(false)));
    assert!(fake.levels.modem_power);
    assert!(fake.levels.battery_hold);
    assert!(fake.written.starts_with(b"AT"));
}

#[test]
fn a_button_press_switches_the_relay_and_saves_it() {
    let mut fake = Fake::new();
    let mut device = boot(&mut fake);
    run(&mut device, &mut fake, 2_000);
    assert!(!fake.levels.relay);
    fake.inputs.button_pressed = true;
    run(&mut device, &mut fake, 2_200);
    fake.inputs.button_pressed = false;
    run(&mut device, &mut fake, 2_400);
    assert!(fake.levels.relay);
    assert!(fake.saw(&Output::Save(Record::Relay)));
    // Saved through the store: the next boot finds the relay on.
    assert!(store::load(&mut fake.store).relay_on);
    fake.levels.relay = false;
    let mut device = boot(&mut fake);
    run(&mut device, &mut fake, 2_500);
    assert!(fake.levels.relay);
}

#[test]
fn a_long_press_resets_and_reboots() {
    let mut fake = Fake::new();
    let mut device = boot(&mut fake);
    run(&mut device, &mut fake, 2_000);
    fake.inputs.button_pressed = true;
    run(&mut device, &mut fake, 2_000 + LONG_PRESS_MS + 200);
    // Held past 10 s: POWER and OUT blink fast until release.
    assert_eq!(device.leds().power, LedPattern::Blink4Hz);
    fake.inputs.button_pressed = false;
    assert_eq!(run(&mut device, &mut fake, 20_000), Some(Turn::Reboot));
    assert_eq!(fake.reboots, 1);
    assert!(fake.saw(&Output::Save(Record::Settings)));
    // A reboot the device asked for is a reset, and not a watchdog's.
    fake.cause = ResetCause::Watchdog;
    let device = boot(&mut fake);
    let report = device.boot_report();
    assert_eq!(
        (report.reason, report.watchdog_resets),
        (BootReason::Reset, 0)
    );
}

#[test]
fn leds_show_their_patterns_timed_from_the_last_change() {
    let mut fake = Fake::new();
    let mut device = boot(&mut fake);
    run(&mut device, &mut fake, 8_000);
    let Some((changed_at, leds)) = fake.outputs.iter().rev().find_map(|(t, o)| match o {
        Output::Leds(leds) => Some((*t, *leds)),
        _ => None,
    }) else {
        panic!("no LED patterns");
    };
    // Unregistered and the modem not answering: the GSM LED blinks.
    assert_eq!(leds.gsm, LedPattern::Blink1s);
    assert_eq!(device.leds(), leds);
    let shown: Vec<_> = fake
        .led_history
        .iter()
        .filter(|(t, ..)| *t >= changed_at)
        .collect();
    assert!(shown.len() > 100);
    for (t, power, gsm, out) in shown {
        let since = t - changed_at;
        assert_eq!(*power, leds.power.is_on(since), "power at {t}");
        assert_eq!(*gsm, leds.gsm.is_on(since), "gsm at {t}");
        assert_eq!(*out, leds.out.is_on(since), "out at {t}");
    }
}

#[test]
fn the_probe_is_started_once_and_read_when_due() {
    let mut fake = Fake::new();
    let mut device = boot(&mut fake);
    let period = ms(SAMPLE_PERIOD);
    run(&mut device, &mut fake, 1_000 + 2 * period + 1_000);
    assert_eq!(fake.probe_starts.len(), 2);
    assert_eq!(fake.probe_reads.len(), 2);
    for (start, read) in fake.probe_starts.iter().zip(&fake.probe_reads) {
        // Never before it is due, and at the first turn it is.
        assert!(*read >= start + 750 && *read < start + 750 + SAMPLE_MS);
    }
}

#[test]
fn a_probe_that_cannot_start_is_answered_at_once() {
    let mut fake = Fake::new();
    fake.probe_start_fails = Some(Probe::NoSensor);
    let mut device = boot(&mut fake);
    run(&mut device, &mut fake, 1_000 + ms(SAMPLE_PERIOD) + 1_000);
    assert_eq!(fake.probe_starts.len(), 1);
    assert!(fake.probe_reads.is_empty());
}

#[test]
fn the_watchdog_is_fed_once_per_completed_turn() {
    let mut fake = Fake::new();
    let mut device = boot(&mut fake);
    assert_eq!(fake.feeds, 0, "not before the first turn");
    for turns in 1..=50 {
        let _ = device.turn(&mut fake);
        assert_eq!(fake.feeds, turns);
        fake.now += SAMPLE_MS;
    }
}

#[test]
fn mains_glitches_are_ignored_and_a_lasting_loss_shuts_down() {
    let mut fake = Fake::new();
    let mut device = boot(&mut fake);
    run(&mut device, &mut fake, 2_000);
    // 100 ms without mains: below the 200 ms debounce.
    fake.inputs.mains_present = false;
    run(&mut device, &mut fake, 2_100);
    fake.inputs.mains_present = true;
    let wait = ms(FAILURE_SMS_WAIT);
    assert_eq!(run(&mut device, &mut fake, 2_000 + wait + 60_000), None);
    assert!(fake.levels.battery_hold);
    // A lasting loss, and no network to tell anyone on: shut down.
    fake.inputs.mains_present = false;
    let end = fake.now + wait + 60_000;
    while !fake.saw(&Output::Shutdown) && fake.now < end {
        assert!(matches!(device.turn(&mut fake), Turn::Again { .. }));
        fake.now += SAMPLE_MS;
    }
    assert!(fake.saw(&Output::Shutdown));
    assert!(!fake.levels.battery_hold, "the battery is released");
    assert_eq!(fake.levels.leds, [false; 3]);
}

#[test]
fn mains_back_within_the_grace_reboots_as_mains_restored() {
    let mut fake = Fake::new();
    let mut device = boot(&mut fake);
    run(&mut device, &mut fake, 2_000);
    fake.inputs.mains_present = false;
    let limit = fake.now + ms(FAILURE_SMS_WAIT) + 120_000;
    while !fake.saw(&Output::Shutdown) && fake.now < limit {
        let next = fake.now + 1_000;
        run(&mut device, &mut fake, next);
    }
    let released_at = fake
        .outputs
        .iter()
        .find_map(|(t, o)| (*o == Output::Shutdown).then_some(*t))
        .unwrap_or(u64::MAX);
    fake.inputs.mains_present = true;
    // Still running: the grace passes, fed, and the board is reset.
    let feeds = fake.feeds;
    assert_eq!(
        run(&mut device, &mut fake, released_at + 10_000),
        Some(Turn::Reboot)
    );
    assert!(fake.now >= released_at + SHUTDOWN_GRACE_MS);
    assert!(fake.feeds > feeds);
    let device = boot(&mut fake);
    assert_eq!(device.boot_report().reason, BootReason::MainsRestored);
    // The mark was used up: the next reset is a reset.
    let device = boot(&mut fake);
    assert_eq!(device.boot_report().reason, BootReason::Reset);
}

#[test]
fn repeated_watchdog_resets_boot_in_safe_mode_and_keep_the_settings() {
    let mut fake = Fake::new();
    let mut device = boot(&mut fake);
    // A setting worth keeping: the relay's base state, by the button.
    fake.inputs.button_pressed = true;
    run(&mut device, &mut fake, 1_200);
    fake.inputs.button_pressed = false;
    run(&mut device, &mut fake, 1_400);
    for n in 1..=boot::SAFE_MODE_AFTER {
        // Hangs: the turns stop, the watchdog bites.
        fake.cause = ResetCause::Watchdog;
        device = boot(&mut fake);
        let report = device.boot_report();
        assert_eq!(report.watchdog_resets, n);
        assert_eq!(fake.last_boot(), Some(report), "logged");
        assert_eq!(report.reason, BootReason::Reset);
    }
    assert!(device.boot_report().safe_mode);
    let starts = fake.probe_starts.len();
    let until = fake.now + ms(SAMPLE_PERIOD) + 2_000;
    run(&mut device, &mut fake, until);
    assert_eq!(fake.probe_starts.len(), starts, "the bus is left alone");
    assert!(fake.levels.relay, "settings kept");
    // A boot that runs long enough clears the count.
    let stable = fake.now + boot::STABLE_MS + 1_000;
    run(&mut device, &mut fake, stable);
    fake.cause = ResetCause::Watchdog;
    let device = boot(&mut fake);
    assert_eq!(device.boot_report().watchdog_resets, 1);
}

#[test]
fn the_clock_survives_a_reboot() {
    let mut fake = Fake::new();
    fake.rtc = Some(500);
    let mut device = boot(&mut fake);
    // The engine sets the clock (a network time would): keep it by hand.
    let t = Timestamp::from_local((2026, 12, 3), (12, 0, 0), 60).expect("a valid time");
    device.clock = Some((t, fake.now));
    let later = fake.now + 3_000;
    run(&mut device, &mut fake, later);
    fake.rtc = Some(600); // 100 s later on the RTC
    fake.cause = ResetCause::Watchdog;
    let _device = boot(&mut fake);
    // 3 s run, then 100 s down by the RTC: the boot's clock, kept again.
    let kept = Retained::decode(&fake.kept)
        .clock
        .map(|(unix, ..)| i64::from(unix));
    let elapsed = kept.map(|k| k - t.datetime().timestamp());
    assert!(matches!(elapsed, Some(102..=103)), "{elapsed:?}");
}

#[test]
fn rts_is_held_exactly_while_the_flash_erases_or_writes() {
    use crate::board::RtsHeld;
    use core::cell::RefCell;
    use embedded_hal::digital::{ErrorType, OutputPin};
    use embedded_storage::nor_flash::NorFlash;
    use isocket_storage::{NorFlashStore, RamFlash, Store};
    use std::rc::Rc;

    /// The RTS level at every change, shared with the test.
    #[derive(Clone, Default)]
    struct Rts(Rc<RefCell<Vec<bool>>>);
    impl ErrorType for Rts {
        type Error = core::convert::Infallible;
    }
    impl OutputPin for Rts {
        fn set_low(&mut self) -> Result<(), Self::Error> {
            self.0.borrow_mut().push(false);
            Ok(())
        }
        fn set_high(&mut self) -> Result<(), Self::Error> {
            self.0.borrow_mut().push(true);
            Ok(())
        }
    }

    let rts = Rts::default();
    let mut flash = RtsHeld::new(RamFlash::<8192>::new(), rts.clone());
    assert_eq!(*rts.0.borrow(), [false], "ready from the start");
    flash.erase(0, 4096).unwrap_or_default();
    assert_eq!(*rts.0.borrow(), [false, true, false]);
    // Through the store: every save holds it, and lets it go.
    let mut store = NorFlashStore::open(flash, 0..8192).expect("opens");
    rts.0.borrow_mut().clear();
    store.write_bytes(1, b"settings").expect("saves");
    let levels = rts.0.borrow();
    assert!(levels.len() >= 2 && levels.last() == Some(&false));
    assert!(levels.chunks(2).all(|pair| pair == [true, false]));
}
