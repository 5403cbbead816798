//! # isocket-device
//!
//! The one device loop of isocket, written once for every board and the
//! host. A board implements [`Board`] (its modem UART, pins, DS18B20,
//! settings store, clock, watchdog and a few words kept across a reset)
//! and calls [`Device::turn`] every few milliseconds; the device does the
//! rest the same way everywhere:
//!
//! - the engine (the behaviour) and the modem driver (AT over the UART),
//!   bridged in [`bridge`];
//! - the inputs debounced, the DS18B20 started and read without blocking,
//!   the relay and modem power switched, the LED patterns rendered;
//! - settings loaded at boot and saved when the engine asks ([`store`]);
//! - why it booted, the clock across resets, the boot-loop guard
//!   ([`boot`]);
//! - the shutdown on a mains failure: the mark, the battery released, and
//!   a reboot as "mains restored" if the board is still running after
//!   [`SHUTDOWN_GRACE_MS`] (mains came back meanwhile);
//! - the watchdog, fed at the end of every completed turn only.
//!
//! ```
//! use isocket_device::board::{Board, Inputs, Levels, ResetCause, RETAINED_WORDS};
//! use isocket_device::{Device, Turn};
//! use isocket_engine::BoardInfo;
//! use isocket_modem::profile;
//! use isocket_proto::Probe;
//! use isocket_storage::RamStore;
//!
//! #[derive(Default)]
//! struct MyBoard { now: u64, relay: bool, store: RamStore, kept: [u32; RETAINED_WORDS] }
//!
//! impl Board for MyBoard {
//!     type Store = RamStore;
//!     fn now_ms(&mut self) -> u64 { self.now }
//!     fn modem_read(&mut self, _buf: &mut [u8]) -> usize { 0 }
//!     fn modem_write(&mut self, _bytes: &[u8]) {}
//!     fn inputs(&mut self) -> Inputs { Inputs::default() }
//!     fn set_levels(&mut self, levels: &Levels) { self.relay = levels.relay }
//!     fn probe_start(&mut self, now_ms: u64) -> Result<u64, Probe> { Ok(now_ms + 750) }
//!     fn probe_read(&mut self, _now_ms: u64) -> Option<Probe> { Some(Probe::NoSensor) }
//!     fn store(&mut self) -> Option<&mut RamStore> { Some(&mut self.store) }
//!     fn reset_cause(&mut self) -> ResetCause { ResetCause::PowerOn }
//!     fn retained(&mut self) -> [u32; RETAINED_WORDS] { self.kept }
//!     fn retain(&mut self, words: &[u32; RETAINED_WORDS]) { self.kept = *words }
//!     fn feed_watchdog(&mut self) {}
//!     fn reboot(&mut self) {}
//! }
//!
//! let mut board = MyBoard::default();
//! let info = BoardInfo { product: "isocket example", serial: "0001".try_into().unwrap() };
//! let mut device = Device::boot(&mut board, info, &profile::SIM800);
//! loop {
//!     match device.turn(&mut board) {
//!         Turn::Again { at_ms } => board.now = at_ms, // a board sleeps until then
//!         // Only a host or simulator gets here: hardware has reset.
//!         Turn::Reboot => break,
//!     }
//!     # if board.now > 100 { break; }
//! }
//! ```
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod board;
pub mod boot;
pub mod bridge;
pub mod inputs;
pub mod probe;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;

pub use board::Board;
pub use bridge::{Bridge, Modem, Output};

use isocket_engine::{BoardInfo, Leds};
use isocket_modem::profile::Profile;
use isocket_proto::{Probe, Timestamp};

use board::{Levels, RETAINED_WORDS};
use boot::{BootReport, Retained};
use inputs::InputFilter;

/// How often a board should call [`Device::turn`] at the least: the pins
/// are sampled once a turn and the LED patterns change in 100 ms steps.
pub const SAMPLE_MS: u64 = 5;
/// After releasing the battery hold, a board still running this long has
/// mains again: it reboots as "mains restored".
pub const SHUTDOWN_GRACE_MS: u64 = 2_000;
/// The hardware watchdog's timeout, as every board arms it: longer than
/// the slowest turn (a flash sector erase, an SMS written to the UART),
/// within every chip's range (the RP2040's ends at 8.3 s).
pub const WATCHDOG_MS: u32 = 5_000;
/// Modem bytes are read in chunks of this size.
const RX_CHUNK: usize = 64;
/// At most this many chunks a turn, so a babbling UART cannot starve the
/// rest of the loop (2 KiB: more than any board's receive buffer).
const RX_CHUNKS_PER_TURN: usize = 32;

/// What the board does after a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// Come back at this time (ms), or after [`SAMPLE_MS`] if sooner.
    Again {
        /// The next deadline: at most [`SAMPLE_MS`] away, except during
        /// the shutdown grace (up to [`SHUTDOWN_GRACE_MS`]), when nothing
        /// but the wait runs.
        at_ms: u64,
    },
    /// [`Board::reboot`] returned (a host or a simulator): boot again.
    Reboot,
}

/// The device on its board.
pub struct Device {
    bridge: Bridge,
    report: BootReport,
    booted_at: u64,
    levels: Levels,
    leds: Leds,
    /// When the LED patterns started: a change restarts all three, so LEDs
    /// given the same pattern flash together (SPEC §8).
    leds_since: u64,
    inputs: InputFilter,
    /// A DS18B20 conversion in progress: when it is due.
    conversion_ready_at: Option<u64>,
    /// The wall time the engine set, and when.
    clock: Option<(Timestamp, u64)>,
    /// What the board keeps across a reset, and the words last handed over.
    retained: Retained,
    retained_words: [u32; RETAINED_WORDS],
    /// Shutting down: the battery is released; reboot at this time.
    shutdown_until: Option<u64>,
}

impl Device {
    /// Boots on `board`: decides why from its reset cause and retained
    /// words, loads the settings from its store (factory defaults for
    /// whatever is missing) and starts the modem.
    pub fn boot<B: Board>(board: &mut B, info: BoardInfo, profile: &'static Profile) -> Self {
        let now = board.now_ms();
        let cause = board.reset_cause();
        let words = board.retained();
        let (boot, report, retained) = boot::decide(cause, &words, board.rtc_seconds());
        let stored = board.store().map(store::load).unwrap_or_default();
        let mut bridge = Bridge::new(info, stored, boot, profile, now);
        if B::MODEM_RTS {
            bridge = bridge.with_modem_rts();
        }
        let mut device = Device {
            bridge,
            report,
            booted_at: now,
            // The modem on (a supply switched on, PWRKEY released) from the
            // first turn: the driver power-cycles only a modem that does
            // not answer, and a running PWRKEY modem is left running.
            levels: Levels {
                modem_power: true,
                ..Levels::default()
            },
            leds: Leds::default(),
            leds_since: now,
            inputs: InputFilter::new(B::DEBOUNCED),
            conversion_ready_at: None,
            clock: boot.clock.map(|t| (t, now)),
            retained,
            retained_words: words,
            shutdown_until: None,
        };
        // The marks are read: clear them before anything can reset again.
        device.keep(board);
        log(board, &Output::Boot(report));
        device
    }

    /// The bridge, for the engine and the modem driver.
    pub fn bridge(&self) -> &Bridge {
        &self.bridge
    }

    /// How this boot went.
    pub fn boot_report(&self) -> BootReport {
        self.report
    }

    /// The LED patterns shown now.
    pub fn leds(&self) -> Leds {
        self.leds
    }

    /// The output levels set at the last turn.
    pub fn levels(&self) -> Levels {
        self.levels
    }

    /// One loop turn at the board's current time.
    pub fn turn<B: Board>(&mut self, board: &mut B) -> Turn {
        let now = board.now_ms();
        if let Some(until) = self.shutdown_until {
            // Nothing runs but the wait: a board still up has mains again.
            if now >= until {
                return self.reboot(board);
            }
            board.set_levels(&self.levels);
            board.feed_watchdog();
            return Turn::Again { at_ms: until };
        }
        self.modem_io(board, now);

        let changes = self.inputs.sample(now, board.inputs());
        let bridge = &mut self.bridge;
        if let Some(closed) = changes.contact {
            bridge.contact(now, closed);
        }
        if let Some(event) = changes.button {
            bridge.button(now, event);
        }
        if let Some(present) = changes.mains {
            bridge.mains(now, present);
        }
        bridge.tick(now);
        self.poll_probe(board, now);

        while let Some(output) = self.bridge.poll_output() {
            log(board, &output);
            match output {
                Output::Relay(on) => self.levels.relay = on,
                // Unchanged patterns keep their phase.
                Output::Leds(leds) if leds != self.leds => {
                    self.leds = leds;
                    self.leds_since = now;
                }
                Output::MeasureTemperature => self.start_probe(board, now),
                Output::Save(record) => {
                    let ok = board
                        .store()
                        .is_some_and(|s| store::save(s, self.bridge.engine(), record));
                    if !ok {
                        log(board, &Output::SaveFailed(record));
                    }
                    self.bridge.saved(now, record, ok);
                }
                Output::SetClock(time) => self.clock = time.map(|t| (t, now)),
                Output::ModemPower(on) => self.levels.modem_power = on,
                // Whatever is still queued is lost with the reset, as on
                // real hardware.
                Output::Reboot => return self.reboot(board),
                Output::Shutdown => return self.shut_down(board, now),
                // SmsSent, Calling: for the log only.
                _ => {}
            }
        }

        let since = now.saturating_sub(self.leds_since);
        self.levels.leds = [self.leds.power, self.leds.gsm, self.leds.out].map(|p| p.is_on(since));
        board.set_levels(&self.levels);
        if self.retained.watchdog_resets > 0
            && now.saturating_sub(self.booted_at) >= boot::STABLE_MS
        {
            self.retained.watchdog_resets = 0;
        }
        self.keep(board);
        board.feed_watchdog();
        // Bytes the outputs queued (an SMS, a dial) go out next turn at the
        // latest; the device's deadline may be sooner than the next sample.
        let at_ms = self
            .poll_timeout()
            .min(now.saturating_add(SAMPLE_MS))
            .max(now);
        Turn::Again { at_ms }
    }

    /// When the device itself next needs a turn (ms): a timer, a modem
    /// deadline, an input's debounce, a conversion due, the shutdown grace's
    /// end. A board turns every [`SAMPLE_MS`] anyway, for its pins and LEDs;
    /// a simulator whose inputs change only at its own events can skip to
    /// this.
    pub fn poll_timeout(&self) -> u64 {
        if let Some(until) = self.shutdown_until {
            return until;
        }
        [
            Some(self.bridge.poll_timeout()),
            self.inputs.poll_timeout(),
            self.conversion_ready_at,
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(u64::MAX)
    }

    /// Modem bytes in (whatever the board buffered since last turn), then out.
    fn modem_io<B: Board>(&mut self, board: &mut B, now: u64) {
        let mut chunk = [0u8; RX_CHUNK];
        for _ in 0..RX_CHUNKS_PER_TURN {
            let n = board.modem_read(&mut chunk).min(RX_CHUNK);
            if n == 0 {
                break;
            }
            self.bridge
                .modem_rx(now, chunk.get(..n).unwrap_or_default());
        }
        while let Some(bytes) = self.bridge.modem_tx(now) {
            board.modem_write(bytes);
        }
    }

    fn start_probe<B: Board>(&mut self, board: &mut B, now: u64) {
        // One conversion at a time; its answer serves every request.
        if self.conversion_ready_at.is_some() {
            return;
        }
        if self.report.safe_mode {
            self.bridge.temperature(now, Probe::SensorError);
            return;
        }
        match board.probe_start(now) {
            Ok(ready_at) => self.conversion_ready_at = Some(ready_at),
            Err(failure) => self.bridge.temperature(now, failure),
        }
    }

    /// The conversion runs while the loop goes on; read it once due.
    fn poll_probe<B: Board>(&mut self, board: &mut B, now: u64) {
        let due = self.conversion_ready_at.is_some_and(|at| now >= at);
        if !due {
            return;
        }
        if let Some(reading) = board.probe_read(now) {
            self.conversion_ready_at = None;
            self.bridge.temperature(now, reading);
        }
    }

    /// Hands the board what must survive a reset, when it changed: the
    /// marks, the watchdog count and the clock to the second.
    fn keep<B: Board>(&mut self, board: &mut B) {
        let now = board.now_ms();
        let rtc = board.rtc_seconds();
        let (time, set_at) = self.clock.unzip();
        let elapsed = now.saturating_sub(set_at.unwrap_or(now)) / 1000;
        self.retained.set_clock_at(time, elapsed, rtc);
        let words = self.retained.encode();
        if words != self.retained_words {
            board.retain(&words);
            self.retained_words = words;
        }
    }

    fn reboot<B: Board>(&mut self, board: &mut B) -> Turn {
        log(board, &Output::Reboot);
        self.retained.reboot_asked = true;
        self.keep(board);
        board.reboot();
        Turn::Reboot
    }

    /// SPEC §13: the failure SMS is out (or finally failed); cut the
    /// battery. The mark tells the next boot, should mains return before
    /// the supply is gone, that this was a mains failure and not a reset.
    fn shut_down<B: Board>(&mut self, board: &mut B, now: u64) -> Turn {
        self.retained.shutdown = true;
        self.keep(board);
        self.levels.battery_hold = false;
        self.levels.leds = [false; 3];
        board.set_levels(&self.levels);
        board.feed_watchdog();
        let until = now.saturating_add(SHUTDOWN_GRACE_MS);
        self.shutdown_until = Some(until);
        Turn::Again { at_ms: until }
    }
}

/// The board's log hook, and the defmt log with that feature.
fn log<B: Board>(board: &mut B, output: &Output) {
    #[cfg(feature = "defmt")]
    match output {
        Output::SmsSent(to) => defmt::info!("SMS sent to +{}", to.as_str()),
        Output::Calling(to) => defmt::info!("calling +{}", to.as_str()),
        Output::SetClock(time) => defmt::info!("clock set: {}", time.is_some()),
        Output::Reboot => defmt::info!("reboot"),
        Output::Shutdown => defmt::info!("shutdown: releasing the battery hold"),
        Output::Boot(r) => defmt::info!(
            "boot: {}, mains restored: {}, watchdog resets in a row: {}, safe mode: {}",
            r.cause,
            r.reason == isocket_engine::BootReason::MainsRestored,
            r.watchdog_resets,
            r.safe_mode
        ),
        Output::SaveFailed(record) => defmt::warn!("save of record {} failed", *record as u8),
        _ => {}
    }
    board.log(output);
}

#[cfg(test)]
mod tests;
