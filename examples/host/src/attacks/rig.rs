//! The bench every attack runs on: the whole device loop
//! (`isocket_device::Device`, so the engine and the real AT driver) on a
//! board whose modem UART is the emulated SIM800 of
//! `isocket_modem::testing`, whose store is the boards' `NorFlashStore` on
//! a RAM flash, in virtual time. The attacker acts on the modem (an SMS
//! from any sender, with any bytes; a call) and on the flash; the test
//! reads what the network took from the device, the relay pin and the
//! engine's settings.

use std::collections::VecDeque;

use chrono::{DateTime, Duration as Span, FixedOffset, TimeZone};
use isocket_device::board::{Board, Inputs, Levels, RETAINED_WORDS, ResetCause};
use isocket_device::{Device, Output, Turn};
use isocket_engine::BoardInfo;
use isocket_modem::profile;
use isocket_modem::testing::{FarEnd, ScriptedModem};
use isocket_proto::Probe;
use isocket_storage::ram_flash::RamFlashError;
use isocket_storage::{Error, Kind, NorFlashStore, RamFlash, Store};

/// The owner's phone in the attacks (international).
pub const OWNER: &str = "+4915112345678";
/// Flash size: two 4 KiB sectors, as on the boards.
const FLASH: usize = 8192;

type Flash = NorFlashStore<RamFlash<FLASH>>;

/// The board's store: the NorFlash log, and a lever that makes saves fail.
pub struct BenchStore {
    flash: Option<Flash>,
    /// Every save fails from now on (a worn or failing flash).
    pub fail: bool,
}

impl Store for BenchStore {
    type Error = ();

    fn read_bytes(&mut self, kind: Kind, buf: &mut [u8]) -> Result<Option<usize>, Error<()>> {
        match self.flash.as_mut() {
            Some(f) => f
                .read_bytes(kind, buf)
                .map_err(|e| e.map_device(|_: RamFlashError| ())),
            None => Ok(None),
        }
    }

    fn write_bytes(&mut self, kind: Kind, bytes: &[u8]) -> Result<(), Error<()>> {
        match (self.fail, self.flash.as_mut()) {
            (false, Some(f)) => f
                .write_bytes(kind, bytes)
                .map_err(|e| e.map_device(|_: RamFlashError| ())),
            _ => Err(Error::Device(())),
        }
    }
}

/// The simulated board.
pub struct Bench {
    /// The emulated modem: the attacker's and the network's lever.
    pub modem: ScriptedModem,
    now: u64,
    /// The pins as the world sets them.
    pub inputs: Inputs,
    /// The relay pin as the device last set it.
    pub relay: bool,
    /// The probe's answer.
    pub probe: Probe,
    /// The settings store.
    pub store: BenchStore,
    retained: [u32; RETAINED_WORDS],
    cause: ResetCause,
    modem_power: bool,
    rx: VecDeque<u8>,
    /// Bytes moved in the last turn.
    moved: bool,
    /// Everything the device output, with the time (ms).
    pub outputs: Vec<(u64, Output)>,
}

impl Board for Bench {
    type Store = BenchStore;
    const DEBOUNCED: bool = true;

    fn now_ms(&mut self) -> u64 {
        self.now
    }

    fn modem_read(&mut self, buf: &mut [u8]) -> usize {
        if self.rx.is_empty() {
            let rx = self.modem.read();
            self.rx.extend(rx);
        }
        let mut n = 0;
        for (slot, byte) in buf
            .iter_mut()
            .zip(std::iter::from_fn(|| self.rx.pop_front()))
        {
            *slot = byte;
            n += 1;
        }
        self.moved |= n > 0;
        n
    }

    fn modem_write(&mut self, bytes: &[u8]) {
        self.modem.write(bytes);
        self.moved = true;
    }

    fn inputs(&mut self) -> Inputs {
        self.inputs
    }

    fn set_levels(&mut self, levels: &Levels) {
        self.relay = levels.relay;
        if levels.modem_power != self.modem_power {
            self.modem_power = levels.modem_power;
            self.modem.power_pin(levels.modem_power);
        }
    }

    fn probe_start(&mut self, now_ms: u64) -> Result<u64, Probe> {
        Ok(now_ms)
    }

    fn probe_read(&mut self, _now_ms: u64) -> Option<Probe> {
        Some(self.probe)
    }

    fn store(&mut self) -> Option<&mut BenchStore> {
        Some(&mut self.store)
    }

    fn reset_cause(&mut self) -> ResetCause {
        self.cause
    }

    fn retained(&mut self) -> [u32; RETAINED_WORDS] {
        self.retained
    }

    fn retain(&mut self, words: &[u32; RETAINED_WORDS]) {
        self.retained = *words;
    }

    fn rtc_seconds(&mut self) -> Option<u32> {
        u32::try_from(self.now / 1000).ok()
    }

    fn feed_watchdog(&mut self) {}

    fn reboot(&mut self) {
        self.cause = ResetCause::Other;
    }

    fn log(&mut self, output: &Output) {
        self.outputs.push((self.now, output.clone()));
    }
}

/// The device on its bench, and the world's clock.
pub struct Rig {
    /// The board (modem, pins, store).
    pub bench: Bench,
    /// The device under attack.
    pub device: Device,
    /// The world's wall time at uptime 0.
    world_start: DateTime<FixedOffset>,
    /// Every SMS the network took from the device: (ms, to, text).
    pub sent: Vec<(u64, String, String)>,
    /// How many times the device booted.
    pub boots: u32,
}

fn board_info() -> BoardInfo {
    BoardInfo {
        product: "isocket attack bench",
        serial: "ATK-0001".try_into().unwrap_or_default(),
    }
}

impl Rig {
    /// A factory-fresh device (erased flash) on a registered SIM800 in PDU
    /// mode, run until its modem is ready.
    pub fn new() -> Self {
        Self::with_modem(|_| {})
    }

    /// The same, the emulated modem set up by `setup` before the boot
    /// (text mode only, another dialect, …).
    pub fn with_modem(setup: impl FnOnce(&mut ScriptedModem)) -> Self {
        let mut modem = ScriptedModem::new(1);
        modem.far_end = FarEnd::Manual;
        setup(&mut modem);
        let flash = NorFlashStore::open(RamFlash::<FLASH>::new(), 0..FLASH as u32).ok();
        let mut bench = Bench {
            modem,
            now: 0,
            inputs: Inputs::default(),
            relay: false,
            probe: Probe::Reading(isocket_proto::Temperature::from_sixteenths(20 * 16)),
            store: BenchStore { flash, fail: false },
            retained: [0; RETAINED_WORDS],
            cause: ResetCause::PowerOn,
            modem_power: true,
            rx: VecDeque::new(),
            moved: false,
            outputs: Vec::new(),
        };
        let device = Device::boot(&mut bench, board_info(), &profile::SIM800);
        let world_start = FixedOffset::east_opt(0)
            .and_then(|utc| utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single())
            .unwrap_or_default();
        let mut rig = Rig {
            bench,
            device,
            world_start,
            sent: Vec::new(),
            boots: 1,
        };
        rig.run_s(30);
        rig
    }

    /// Virtual time since the first boot, ms.
    pub fn now(&self) -> u64 {
        self.bench.now
    }

    /// The world's wall time now.
    pub fn world_time(&self) -> DateTime<FixedOffset> {
        self.world_start + Span::milliseconds(i64::try_from(self.bench.now).unwrap_or(i64::MAX))
    }

    /// Runs the device and the modem for `ms` of virtual time.
    pub fn run_ms(&mut self, ms: u64) {
        let end = self.bench.now.saturating_add(ms);
        loop {
            self.turn();
            self.collect_sent();
            if self.bench.now >= end {
                break;
            }
            let due = [
                Some(self.device.poll_timeout()),
                self.bench.modem.poll_timeout(),
            ]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(u64::MAX);
            // At least a millisecond on, at most a second (the modem's
            // 100-ms steps and the device's sample ticks run in between).
            let next = due
                .clamp(self.bench.now + 1, self.bench.now + 1_000)
                .min(end);
            self.bench.now = next;
            self.bench.modem.advance_to(next);
        }
    }

    /// Runs for `s` seconds.
    pub fn run_s(&mut self, s: u64) {
        self.run_ms(s * 1000);
    }

    /// Turns until the device and the modem are quiet at this instant.
    fn turn(&mut self) {
        for _ in 0..1_000 {
            let before = self.bench.outputs.len();
            self.bench.moved = false;
            if self.device.turn(&mut self.bench) == Turn::Reboot {
                self.reboot(false);
                return;
            }
            let busy = self.bench.moved
                || self.bench.outputs.len() != before
                || self.device.poll_timeout() <= self.bench.now;
            if !busy {
                break;
            }
        }
    }

    fn collect_sent(&mut self) {
        let now = self.bench.now;
        for (to, text) in self.bench.modem.take_sent() {
            self.sent.push((now, to, text));
        }
    }

    /// Boots the device again from what its store holds: a reset, or a
    /// power cut (`power_on`).
    pub fn reboot(&mut self, power_on: bool) {
        self.bench.cause = if power_on {
            ResetCause::PowerOn
        } else {
            ResetCause::Other
        };
        self.device = Device::boot(&mut self.bench, board_info(), &profile::SIM800);
        self.boots += 1;
    }

    /// An SMS from `from` (international with `+`, else unknown type),
    /// time-stamped now by the SMSC, as the network delivers it.
    pub fn sms(&mut self, from: &str, text: &str) {
        let at = self.world_time();
        self.bench.modem.deliver_at(from, text, at);
    }

    /// An SMS as DELIVER PDUs the attack built (see [`super::pdu`]).
    pub fn sms_raw(&mut self, pdus: &[String]) {
        self.bench.modem.deliver_raw(pdus);
    }

    /// The SMS the network took for `to` (with or without `+`) since `since` ms.
    pub fn sent_to(&self, to: &str, since: u64) -> Vec<String> {
        let want = to.trim_start_matches('+');
        self.sent
            .iter()
            .filter(|(at, t, _)| *at >= since && t.trim_start_matches('+') == want)
            .map(|(_, _, text)| text.clone())
            .collect()
    }

    /// Every SMS the network took since `since` ms.
    pub fn sent_since(&self, since: u64) -> Vec<(String, String)> {
        self.sent
            .iter()
            .filter(|(at, _, _)| *at >= since)
            .map(|(_, t, text)| (t.clone(), text.clone()))
            .collect()
    }

    /// The owner's SMS `text`, and the replies to the owner within `wait_s`.
    pub fn owner_says(&mut self, text: &str, wait_s: u64) -> Vec<String> {
        let since = self.now();
        self.sms(OWNER, text);
        self.run_s(wait_s);
        self.sent_to(OWNER, since)
    }

    /// The engine's settings now.
    pub fn settings(&self) -> isocket_engine::Settings {
        self.device.bridge().engine().settings().clone()
    }

    /// How many times the device switched the relay since `since` ms.
    pub fn relay_switches(&self, since: u64) -> u64 {
        let mut last = None;
        let mut switches = 0;
        for (at, output) in &self.bench.outputs {
            if let isocket_device::Output::Relay(on) = output {
                if *at >= since && last.is_some_and(|l| l != *on) {
                    switches += 1;
                }
                last = Some(*on);
            }
        }
        switches
    }

    /// The relay pin.
    pub fn relay(&self) -> bool {
        self.bench.relay
    }

    /// The flash image as it is (the attacker's view of the chip).
    pub fn flash_image(&self) -> Vec<u8> {
        self.bench
            .store
            .flash
            .as_ref()
            .map(|f| f.flash().as_bytes().to_vec())
            .unwrap_or_default()
    }

    /// Replaces the flash with `image` (the next boot reads it).
    pub fn set_flash_image(&mut self, image: &[u8]) {
        self.bench.store.flash =
            NorFlashStore::open(RamFlash::<FLASH>::from_image(image), 0..FLASH as u32).ok();
    }

    /// Whether the device's boot found a readable store (the board's store
    /// opened on this image).
    pub fn store_opens(&self) -> bool {
        self.bench.store.flash.is_some()
    }
}

impl Default for Rig {
    fn default() -> Self {
        Self::new()
    }
}
