//! The board loop, written once: a board implements [`Hardware`] for its
//! UART, pins, probe and flash, and calls [`Runner::turn`] every few ms.
//!
//! A turn moves the modem's bytes, samples the contact, button and mains
//! sense, runs the DS18B20's non-blocking start/read sequence, carries out
//! the [`Device`]'s outputs, renders the LED patterns and keeps the software
//! clock. It never blocks or waits: [`Turn`] says when to come back, so the
//! async boards await their own timer and the blocking ones delay.
//!
//! ```
//! use isocket_device::runner::{Hardware, Runner, Turn};
//! use isocket_engine::{BoardInfo, Boot};
//! use isocket_modem::profile;
//! use isocket_proto::Probe;
//! use isocket_storage::RamStore;
//!
//! #[derive(Default)]
//! struct Board { now: u64, relay: bool, store: RamStore }
//!
//! impl Hardware for Board {
//!     type Store = RamStore;
//!     fn now_ms(&mut self) -> u64 { self.now }
//!     fn modem_read(&mut self, _buf: &mut [u8]) -> usize { 0 }
//!     fn modem_write(&mut self, _bytes: &[u8]) {}
//!     fn modem_power(&mut self, _on: bool) {}
//!     fn contact_closed(&mut self) -> bool { false }
//!     fn button_pressed(&mut self) -> bool { false }
//!     fn mains_present(&mut self) -> bool { true }
//!     fn set_relay(&mut self, on: bool) { self.relay = on }
//!     fn set_leds(&mut self, _power: bool, _gsm: bool, _out: bool) {}
//!     fn probe_start(&mut self, now_ms: u64) -> Result<u64, Probe> { Ok(now_ms + 750) }
//!     fn probe_read(&mut self, _now_ms: u64) -> Option<Probe> { Some(Probe::NoSensor) }
//!     fn store(&mut self) -> Option<&mut RamStore> { Some(&mut self.store) }
//! }
//!
//! let mut board = Board::default();
//! let info = BoardInfo { product: "isocket example", serial: "0001".try_into().unwrap() };
//! let mut runner = Runner::new(&mut board, info, Boot::default(), &profile::SIM800);
//! loop {
//!     match runner.turn(&mut board) {
//!         Turn::Again { at_ms } => board.now = at_ms, // a board sleeps until then
//!         Turn::Reboot | Turn::Shutdown => break,     // board-specific
//!     }
//!     # if board.now > 100 { break; }
//! }
//! ```

use isocket_engine::{BoardInfo, Boot, Leds, Record};
use isocket_modem::profile::Profile;
use isocket_proto::{Probe, Timestamp};
use isocket_sensors::input::Debouncer;
use isocket_storage::Store;

use crate::{Device, Output, store};

/// How often a board should call [`Runner::turn`] at the least: the pins
/// are sampled once a turn and the LED patterns change in 100 ms steps.
pub const SAMPLE_MS: u64 = 5;
/// The mains sense must hold a level this long (glitches on the divider).
pub const MAINS_DEBOUNCE_MS: u64 = 200;
/// Modem bytes are read in chunks of this size.
const RX_CHUNK: usize = 64;
/// At most this many chunks a turn, so a babbling UART cannot starve the
/// rest of the loop (2 KiB: more than any board's receive buffer).
const RX_CHUNKS_PER_TURN: usize = 32;

/// What the loop needs from a board. Every method returns at once.
pub trait Hardware {
    /// Where the settings live.
    type Store: Store;

    /// Milliseconds on the board's monotonic clock.
    fn now_ms(&mut self) -> u64;
    /// Copies bytes received from the modem into `buf` without waiting;
    /// returns how many (0: none now, or a UART error the board logged).
    fn modem_read(&mut self, buf: &mut [u8]) -> usize;
    /// Writes bytes to the modem (may wait for the UART to take them).
    fn modem_write(&mut self, bytes: &[u8]);
    /// The modem's power switch or PWRKEY (`true`: on / released).
    fn modem_power(&mut self, on: bool);
    /// The alarm contact, raw (`true`: closed); debounced by the device.
    fn contact_closed(&mut self) -> bool;
    /// The button, raw (`true`: pressed); debounced by the device.
    fn button_pressed(&mut self) -> bool;
    /// The mains sense, raw (`true`: mains present); debounced here.
    fn mains_present(&mut self) -> bool;
    /// The relay (`true`: socket on).
    fn set_relay(&mut self, on: bool);
    /// The three LEDs, already rendered from their patterns.
    fn set_leds(&mut self, power: bool, gsm: bool, out: bool);
    /// Starts a temperature conversion at `now_ms`: when it will be ready,
    /// or the failure to report at once ([`crate::probe::reading`]).
    fn probe_start(&mut self, now_ms: u64) -> Result<u64, Probe>;
    /// The conversion's result once due; `None` while the probe is busy
    /// ([`crate::probe::poll`] converts a DS18B20 `try_read`).
    fn probe_read(&mut self, now_ms: u64) -> Option<Probe>;
    /// The settings store; `None` when the board has none usable (nothing
    /// is then loaded, and every save fails).
    fn store(&mut self) -> Option<&mut Self::Store>;

    /// Keeps the wall clock across a reboot, if the board can: `clock` is
    /// the time the engine last set and the `now_ms` it was set at (`None`:
    /// unset). Called at the end of every turn and before a reboot or
    /// shutdown.
    fn keep_clock(&mut self, clock: Option<(Timestamp, u64)>, now_ms: u64) {
        let _ = (clock, now_ms);
    }
    /// Every output, before the loop carries it out: for logs and consoles.
    fn on_output(&mut self, output: &Output) {
        let _ = output;
    }
    /// A save that did not become durable.
    fn on_save_failed(&mut self, record: Record) {
        let _ = record;
    }
}

/// What the board does after a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// Come back at this time (ms), or after [`SAMPLE_MS`] if sooner.
    Again {
        /// The next deadline, never more than [`SAMPLE_MS`] away.
        at_ms: u64,
    },
    /// Restart the firmware; the clock was handed to [`Hardware::keep_clock`].
    Reboot,
    /// Cut the battery supply (SPEC §13); what follows is board-specific.
    Shutdown,
}

/// The device plus the state a board loop keeps around it.
pub struct Runner {
    device: Device,
    leds: Leds,
    /// When the LED patterns started: a change restarts all three, so LEDs
    /// given the same pattern flash together (SPEC §8).
    leds_since: u64,
    mains: Debouncer,
    mains_present: bool,
    /// A DS18B20 conversion in progress: when it is due.
    conversion_ready_at: Option<u64>,
    /// The wall time the engine set, and when.
    clock: Option<(Timestamp, u64)>,
}

impl Runner {
    /// Boots the device from the board's store (factory defaults for
    /// whatever is missing) at the board's current time.
    pub fn new<H: Hardware>(
        hw: &mut H,
        board: BoardInfo,
        boot: Boot,
        profile: &'static Profile,
    ) -> Self {
        let now = hw.now_ms();
        let stored = hw.store().map(store::load).unwrap_or_default();
        Runner {
            device: Device::new(board, stored, boot, profile, now),
            leds: Leds::default(),
            leds_since: now,
            mains: Debouncer::new(MAINS_DEBOUNCE_MS),
            // The device boots assuming mains; only a change is reported.
            mains_present: true,
            conversion_ready_at: None,
            clock: boot.clock.map(|t| (t, now)),
        }
    }

    /// The device, for its engine and modem driver.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The LED patterns shown now.
    pub fn leds(&self) -> Leds {
        self.leds
    }

    /// One loop turn at the board's current time.
    pub fn turn<H: Hardware>(&mut self, hw: &mut H) -> Turn {
        let now = hw.now_ms();
        self.modem_io(hw, now);

        let (contact, button) = (hw.contact_closed(), hw.button_pressed());
        self.device.sample(now, contact, button);
        if let Some(present) = self.mains.update(now, hw.mains_present()) {
            if present != self.mains_present {
                self.mains_present = present;
                self.device.mains(now, present);
            }
        }
        if now >= self.device.poll_timeout() {
            self.device.tick(now);
        }
        self.poll_probe(hw, now);

        while let Some(output) = self.device.poll_output() {
            log(&output);
            hw.on_output(&output);
            match output {
                Output::Relay(on) => hw.set_relay(on),
                // Unchanged patterns keep their phase.
                Output::Leds(leds) if leds != self.leds => {
                    self.leds = leds;
                    self.leds_since = now;
                }
                Output::MeasureTemperature => self.start_probe(hw, now),
                Output::Save(record) => {
                    let ok = hw
                        .store()
                        .is_some_and(|s| store::save(s, self.device.engine(), record));
                    if !ok {
                        #[cfg(feature = "defmt")]
                        defmt::warn!("save of record {} failed", record as u8);
                        hw.on_save_failed(record);
                    }
                    self.device.saved(now, record, ok);
                }
                Output::SetClock(time) => self.clock = time.map(|t| (t, now)),
                Output::ModemPower(on) => hw.modem_power(on),
                // Whatever is still queued is lost with the reset, as on
                // real hardware; the board decides how to go down.
                Output::Reboot => {
                    hw.keep_clock(self.clock, now);
                    return Turn::Reboot;
                }
                Output::Shutdown => {
                    hw.keep_clock(self.clock, now);
                    return Turn::Shutdown;
                }
                // SmsSent, Calling: for the log only (on_output above).
                _ => {}
            }
        }

        let since = now.saturating_sub(self.leds_since);
        hw.set_leds(
            self.leds.power.is_on(since),
            self.leds.gsm.is_on(since),
            self.leds.out.is_on(since),
        );
        hw.keep_clock(self.clock, now);
        // Bytes the outputs queued (an SMS, a dial) go out next turn at the
        // latest; the device's deadline may be sooner than the next sample.
        let at_ms = self
            .device
            .poll_timeout()
            .min(now.saturating_add(SAMPLE_MS))
            .max(now);
        Turn::Again { at_ms }
    }

    /// Modem bytes in (whatever the board buffered since last turn), then out.
    fn modem_io<H: Hardware>(&mut self, hw: &mut H, now: u64) {
        let mut chunk = [0u8; RX_CHUNK];
        for _ in 0..RX_CHUNKS_PER_TURN {
            let n = hw.modem_read(&mut chunk).min(RX_CHUNK);
            if n == 0 {
                break;
            }
            self.device
                .modem_rx(now, chunk.get(..n).unwrap_or_default());
        }
        while let Some(bytes) = self.device.modem_tx(now) {
            hw.modem_write(bytes);
        }
    }

    fn start_probe<H: Hardware>(&mut self, hw: &mut H, now: u64) {
        // One conversion at a time; its answer serves every request.
        if self.conversion_ready_at.is_some() {
            return;
        }
        match hw.probe_start(now) {
            Ok(ready_at) => self.conversion_ready_at = Some(ready_at),
            Err(failure) => self.device.temperature(now, failure),
        }
    }

    /// The conversion runs while the loop goes on; read it once due.
    fn poll_probe<H: Hardware>(&mut self, hw: &mut H, now: u64) {
        let due = self.conversion_ready_at.is_some_and(|at| now >= at);
        if !due {
            return;
        }
        if let Some(reading) = hw.probe_read(now) {
            self.conversion_ready_at = None;
            self.device.temperature(now, reading);
        }
    }
}

/// The board log: what the network and the engine did (with `defmt`).
fn log(output: &Output) {
    #[cfg(feature = "defmt")]
    match output {
        Output::SmsSent(to) => defmt::info!("SMS sent to +{}", to.as_str()),
        Output::Calling(to) => defmt::info!("calling +{}", to.as_str()),
        Output::SetClock(time) => defmt::info!("clock set: {}", time.is_some()),
        Output::Reboot => defmt::info!("reboot"),
        Output::Shutdown => defmt::info!("shutdown"),
        _ => {}
    }
    #[cfg(not(feature = "defmt"))]
    let _ = output;
}

#[cfg(test)]
mod tests {
    use super::*;
    use isocket_engine::{BootReason, FAILURE_SMS_WAIT, LedPattern, SAMPLE_PERIOD};
    use isocket_proto::Temperature;
    use isocket_sensors::input::LONG_PRESS_MS;
    use isocket_storage::RamStore;
    use std::vec::Vec;

    /// A board in memory: the tests set its inputs and read its outputs.
    struct Fake {
        now: u64,
        button: bool,
        mains: bool,
        relay: bool,
        /// (time, power, gsm, out) at every turn.
        led_history: Vec<(u64, bool, bool, bool)>,
        modem_power: Option<bool>,
        written: Vec<u8>,
        store: RamStore,
        probe: Probe,
        /// `Some`: starting a conversion fails with this.
        probe_start_fails: Option<Probe>,
        probe_starts: Vec<u64>,
        probe_reads: Vec<u64>,
        outputs: Vec<(u64, Output)>,
    }

    impl Fake {
        fn new() -> Self {
            Fake {
                now: 1_000,
                button: false,
                mains: true,
                relay: false,
                led_history: Vec::new(),
                modem_power: None,
                written: Vec::new(),
                store: RamStore::new(),
                probe: Probe::Reading(Temperature::from_sixteenths(344)),
                probe_start_fails: None,
                probe_starts: Vec::new(),
                probe_reads: Vec::new(),
                outputs: Vec::new(),
            }
        }

        fn saw(&self, output: &Output) -> bool {
            self.outputs.iter().any(|(_, o)| o == output)
        }
    }

    impl Hardware for Fake {
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
        fn modem_power(&mut self, on: bool) {
            self.modem_power = Some(on);
        }
        fn contact_closed(&mut self) -> bool {
            false
        }
        fn button_pressed(&mut self) -> bool {
            self.button
        }
        fn mains_present(&mut self) -> bool {
            self.mains
        }
        fn set_relay(&mut self, on: bool) {
            self.relay = on;
        }
        fn set_leds(&mut self, power: bool, gsm: bool, out: bool) {
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
        fn on_output(&mut self, output: &Output) {
            self.outputs.push((self.now, output.clone()));
        }
    }

    fn boot(fake: &mut Fake) -> Runner {
        let board = BoardInfo {
            product: "isocket test",
            serial: heapless::String::try_from("0001").unwrap_or_default(),
        };
        let boot = Boot {
            reason: BootReason::Reset,
            ..Boot::default()
        };
        Runner::new(fake, board, boot, &isocket_modem::profile::SIM800)
    }

    /// Turns every `SAMPLE_MS` until `until`; a turn other than `Again` stops it.
    fn run(runner: &mut Runner, fake: &mut Fake, until: u64) -> Option<Turn> {
        while fake.now < until {
            match runner.turn(fake) {
                Turn::Again { at_ms } => {
                    assert!(at_ms >= fake.now && at_ms <= fake.now + SAMPLE_MS);
                    fake.now += SAMPLE_MS;
                }
                other => return Some(other),
            }
        }
        None
    }

    #[test]
    fn the_modem_is_powered_and_spoken_to() {
        let mut fake = Fake::new();
        let mut runner = boot(&mut fake);
        assert_eq!(run(&mut runner, &mut fake, 20_000), None);
        assert_eq!(fake.modem_power, Some(true));
        assert!(fake.written.starts_with(b"AT"));
    }

    #[test]
    fn a_button_press_switches_the_relay_and_saves_it() {
        let mut fake = Fake::new();
        let mut runner = boot(&mut fake);
        run(&mut runner, &mut fake, 2_000);
        assert!(!fake.relay);
        fake.button = true;
        run(&mut runner, &mut fake, 2_200);
        fake.button = false;
        run(&mut runner, &mut fake, 2_400);
        assert!(fake.relay);
        assert!(fake.saw(&Output::Save(Record::Relay)));
        // Saved through the store: the next boot finds the relay on.
        assert!(store::load(&mut fake.store).relay_on);
        fake.relay = false;
        let mut runner = boot(&mut fake);
        run(&mut runner, &mut fake, 2_500);
        assert!(fake.relay);
    }

    #[test]
    fn a_long_press_resets_and_asks_for_a_reboot() {
        let mut fake = Fake::new();
        let mut runner = boot(&mut fake);
        run(&mut runner, &mut fake, 2_000);
        fake.button = true;
        run(&mut runner, &mut fake, 2_000 + LONG_PRESS_MS + 200);
        // Held past 10 s: POWER and OUT blink fast until release.
        assert_eq!(runner.leds().power, LedPattern::Blink4Hz);
        fake.button = false;
        assert_eq!(run(&mut runner, &mut fake, 20_000), Some(Turn::Reboot));
        assert!(fake.saw(&Output::Save(Record::Settings)));
    }

    #[test]
    fn leds_show_their_patterns_timed_from_the_last_change() {
        let mut fake = Fake::new();
        let mut runner = boot(&mut fake);
        run(&mut runner, &mut fake, 8_000);
        let Some((changed_at, leds)) = fake.outputs.iter().rev().find_map(|(t, o)| match o {
            Output::Leds(leds) => Some((*t, *leds)),
            _ => None,
        }) else {
            panic!("no LED patterns");
        };
        // Unregistered and the modem not answering: the GSM LED blinks.
        assert_eq!(leds.gsm, LedPattern::Blink1s);
        assert_eq!(runner.leds(), leds);
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
        let mut runner = boot(&mut fake);
        let period = u64::try_from(SAMPLE_PERIOD.as_millis()).unwrap_or(u64::MAX);
        run(&mut runner, &mut fake, 1_000 + 2 * period + 1_000);
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
        let mut runner = boot(&mut fake);
        let period = u64::try_from(SAMPLE_PERIOD.as_millis()).unwrap_or(u64::MAX);
        run(&mut runner, &mut fake, 1_000 + period + 1_000);
        assert_eq!(fake.probe_starts.len(), 1);
        assert!(fake.probe_reads.is_empty());
    }

    #[test]
    fn mains_glitches_are_ignored_and_a_lasting_loss_shuts_down() {
        let mut fake = Fake::new();
        let mut runner = boot(&mut fake);
        run(&mut runner, &mut fake, 2_000);
        // 100 ms without mains: below the 200 ms debounce.
        fake.mains = false;
        run(&mut runner, &mut fake, 2_100);
        fake.mains = true;
        let wait = u64::try_from(FAILURE_SMS_WAIT.as_millis()).unwrap_or(u64::MAX);
        assert_eq!(run(&mut runner, &mut fake, 2_000 + wait + 60_000), None);
        // A lasting loss, and no network to tell anyone on: shut down.
        fake.mains = false;
        let end = fake.now + wait + 60_000;
        assert_eq!(run(&mut runner, &mut fake, end), Some(Turn::Shutdown));
        assert!(fake.saw(&Output::Shutdown));
    }
}
