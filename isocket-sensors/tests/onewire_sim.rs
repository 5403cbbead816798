#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Pin-level tests: a mock open-drain pin and delay share a simulated bus in
//! simulated time. The bus records the master's waveform and replays
//! simulated DS18B20s that follow the datasheet's slot rules.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::rc::Rc;

use embedded_hal::delay::DelayNs;
use embedded_hal::digital::{ErrorType, InputPin, OutputPin};
use isocket_sensors::Error;
use isocket_sensors::ds18b20::{Ds18b20, Resolution};
use isocket_sensors::onewire::{OneWire, Rom, Search, crc8};

const US: u64 = 1_000;
const MS: u64 = 1_000_000;

// ROM codes: cpetrich/counterfeit_DS18B20 README (CC BY 4.0), ds18b20.md §4.
/// Family A, genuine Maxim.
const GENUINE_ROM: [u8; 8] = [0x28, 0x13, 0x9B, 0xBB, 0x0B, 0x00, 0x00, 0x1F];
/// Family B1 (counterfeit).
const CLONE_ROM: [u8; 8] = [0x28, 0xAA, 0x3C, 0x61, 0x55, 0x14, 0x01, 0xF0];
/// Family C (counterfeit) ROM and initial scratchpad, which it never updates.
const FAKE_ROM: [u8; 8] = [0x28, 0xFF, 0x64, 0x1D, 0xCD, 0x96, 0xF2, 0x01];
const FAKE_SCRATCHPAD: [u8; 9] = [0x50, 0x05, 0x55, 0x00, 0x7F, 0xFF, 0x0C, 0x10, 0x21];
/// Datasheet Figure 7 power-up scratchpad with factory TH/TL.
const POWER_ON_SCRATCHPAD: [u8; 9] = [0x50, 0x05, 0x4B, 0x46, 0x7F, 0xFF, 0x0C, 0x10, 0x1C];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    /// Ignores slots until the next reset.
    Idle,
    /// Receives bytes for a ROM command.
    RomCommand,
    /// Receives a Match ROM code, so many bytes matched so far.
    MatchRom(usize),
    /// Receives a function command.
    FunctionCommand,
    /// Receives TH, TL, config: so many so far.
    WriteScratchpad(usize),
    /// Sends the queued bits in read slots.
    Send,
    /// Converting: read slots say 0 until done.
    Busy,
    /// ROM search: bit number, and step 0 send bit, 1 send complement, 2 receive.
    Search(usize, u8),
}

/// A simulated DS18B20.
struct Device {
    rom: [u8; 8],
    scratchpad: [u8; 9],
    /// The temperature it measures, in 1/16 °C; `None` for a fake that never converts.
    measures: Option<i16>,
    parasite: bool,
    mode: Mode,
    rx: (u8, u8),
    tx: VecDeque<bool>,
    converted_at: Option<u64>,
    holds_low: (u64, u64),
}

impl Device {
    fn genuine(rom: [u8; 8], sixteenths: i16) -> Self {
        Self {
            rom,
            scratchpad: POWER_ON_SCRATCHPAD,
            measures: Some(sixteenths),
            parasite: false,
            mode: Mode::Idle,
            rx: (0, 0),
            tx: VecDeque::new(),
            converted_at: None,
            holds_low: (0, 0),
        }
    }

    fn fake_85() -> Self {
        Self {
            scratchpad: FAKE_SCRATCHPAD,
            measures: None,
            ..Self::genuine(FAKE_ROM, 0)
        }
    }

    fn conversion_ns(&self) -> u64 {
        [94, 188, 375, 750][usize::from(self.scratchpad[4] >> 5 & 3)] * MS
    }

    /// Applies a finished conversion like a genuine part (COUNT_REMAIN too).
    fn settle(&mut self, now: u64) {
        let (Some(at), Some(t)) = (self.converted_at, self.measures) else {
            return;
        };
        if now < at {
            return;
        }
        let bits = self.scratchpad[4] >> 5 & 3;
        let raw = t & !((1 << (3 - bits)) - 1);
        let [lsb, msb] = raw.to_le_bytes();
        self.scratchpad[0] = lsb;
        self.scratchpad[1] = msb;
        self.scratchpad[6] = 0x10 - (lsb & 0x0F);
        self.scratchpad[8] = crc8(&self.scratchpad[..8]);
        self.converted_at = None;
    }

    fn queue_bytes(&mut self, bytes: &[u8]) {
        self.tx = bytes
            .iter()
            .flat_map(|b| (0..8).map(move |i| b >> i & 1 != 0))
            .collect();
        self.mode = Mode::Send;
    }

    fn rom_bit(&self, n: usize) -> bool {
        self.rom[n / 8] >> (n % 8) & 1 != 0
    }

    /// The master pulled the bus low: a device that sends a 0 holds it low.
    fn on_fall(&mut self, now: u64) {
        self.settle(now);
        let bit = match self.mode {
            Mode::Send => self.tx.pop_front().unwrap_or(true),
            Mode::Busy => self.converted_at.is_none(),
            Mode::Search(n, 0) => self.rom_bit(n),
            Mode::Search(n, 1) => !self.rom_bit(n),
            _ => true,
        };
        if self.mode == Mode::Send && self.tx.is_empty() {
            self.mode = Mode::Idle;
        }
        if !bit {
            self.holds_low = (now, now + 30 * US);
        }
    }

    /// The master released the bus after `low` ns.
    fn on_rise(&mut self, now: u64, low: u64) {
        if low >= 480 * US {
            self.mode = Mode::RomCommand;
            self.rx = (0, 0);
            self.holds_low = (now + 30 * US, now + 150 * US);
            return;
        }
        // The device samples 15..60 µs after the fall.
        let bit = low < 15 * US;
        match self.mode {
            Mode::Search(n, step @ (0 | 1)) => self.mode = Mode::Search(n, step + 1),
            Mode::Search(n, _) => {
                self.mode = if bit != self.rom_bit(n) {
                    Mode::Idle
                } else if n == 63 {
                    Mode::FunctionCommand
                } else {
                    Mode::Search(n + 1, 0)
                };
            }
            Mode::RomCommand
            | Mode::MatchRom(_)
            | Mode::FunctionCommand
            | Mode::WriteScratchpad(_) => {
                self.rx.0 |= u8::from(bit) << self.rx.1;
                self.rx.1 += 1;
                if self.rx.1 == 8 {
                    let byte = self.rx.0;
                    self.rx = (0, 0);
                    self.on_byte(now, byte);
                }
            }
            _ => {}
        }
    }

    fn on_byte(&mut self, now: u64, byte: u8) {
        self.mode = match (self.mode, byte) {
            (Mode::RomCommand, 0x33) => {
                self.queue_bytes(&self.rom.clone());
                return;
            }
            (Mode::RomCommand, 0x55) => Mode::MatchRom(0),
            (Mode::RomCommand, 0xCC) => Mode::FunctionCommand,
            (Mode::RomCommand, 0xF0) => Mode::Search(0, 0),
            (Mode::MatchRom(n), b) if b == self.rom[n] => {
                if n == 7 {
                    Mode::FunctionCommand
                } else {
                    Mode::MatchRom(n + 1)
                }
            }
            (Mode::FunctionCommand, 0x44) => {
                if self.measures.is_some() {
                    self.converted_at = Some(now + self.conversion_ns());
                }
                Mode::Busy
            }
            (Mode::FunctionCommand, 0xBE) => {
                self.settle(now);
                self.queue_bytes(&self.scratchpad.clone());
                return;
            }
            (Mode::FunctionCommand, 0xB4) => {
                self.queue_bytes(&[if self.parasite { 0 } else { 0xFF }]);
                return;
            }
            (Mode::FunctionCommand, 0x4E) => Mode::WriteScratchpad(0),
            (Mode::WriteScratchpad(n), b) => {
                self.scratchpad[2 + n] = if n == 2 { b & 0x60 | 0x1F } else { b };
                self.scratchpad[8] = crc8(&self.scratchpad[..8]);
                if n == 2 {
                    Mode::Idle
                } else {
                    Mode::WriteScratchpad(n + 1)
                }
            }
            _ => Mode::Idle,
        };
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Trace {
    /// The master drove the bus low (`true`) or released it.
    Drive(u64, bool),
    /// The master sampled the bus.
    Sample(u64),
}

#[derive(Default)]
struct Bus {
    now: u64,
    master_low: bool,
    fell_at: u64,
    shorted: bool,
    devices: Vec<Device>,
    trace: Vec<Trace>,
}

impl Bus {
    fn is_high(&self) -> bool {
        let t = self.now;
        let held = |d: &Device| d.holds_low.0 <= t && t < d.holds_low.1;
        !(self.shorted || self.master_low || self.devices.iter().any(held))
    }
}

#[derive(Clone)]
struct SimPin(Rc<RefCell<Bus>>);

impl ErrorType for SimPin {
    type Error = Infallible;
}

impl OutputPin for SimPin {
    fn set_low(&mut self) -> Result<(), Infallible> {
        let mut bus = self.0.borrow_mut();
        if !bus.master_low {
            let now = bus.now;
            bus.master_low = true;
            bus.fell_at = now;
            bus.trace.push(Trace::Drive(now, true));
            bus.devices.iter_mut().for_each(|d| d.on_fall(now));
        }
        Ok(())
    }

    fn set_high(&mut self) -> Result<(), Infallible> {
        let mut bus = self.0.borrow_mut();
        if bus.master_low {
            let now = bus.now;
            let low = now - bus.fell_at;
            bus.master_low = false;
            bus.trace.push(Trace::Drive(now, false));
            bus.devices.iter_mut().for_each(|d| d.on_rise(now, low));
        }
        Ok(())
    }
}

impl InputPin for SimPin {
    fn is_high(&mut self) -> Result<bool, Infallible> {
        let mut bus = self.0.borrow_mut();
        let now = bus.now;
        bus.trace.push(Trace::Sample(now));
        Ok(bus.is_high())
    }

    fn is_low(&mut self) -> Result<bool, Infallible> {
        self.is_high().map(|high| !high)
    }
}

struct SimDelay(Rc<RefCell<Bus>>);

impl DelayNs for SimDelay {
    fn delay_ns(&mut self, ns: u32) {
        self.0.borrow_mut().now += u64::from(ns);
    }
}

fn bus_with(devices: Vec<Device>) -> (Rc<RefCell<Bus>>, OneWire<SimPin, SimDelay>) {
    let sim = Rc::new(RefCell::new(Bus {
        devices,
        ..Bus::default()
    }));
    let bus = OneWire::new(SimPin(sim.clone()), SimDelay(sim.clone())).unwrap();
    (sim, bus)
}

#[test]
fn genuine_probe_measures_at_every_resolution() {
    // 25.0625 °C: datasheet Table 1 row.
    let (sim, mut bus) = bus_with(vec![Device::genuine(GENUINE_ROM, 0x0191)]);
    assert_eq!(bus.read_rom().unwrap(), Rom::new(GENUINE_ROM).unwrap());
    let mut probe = Ds18b20::probe(&mut bus, None).unwrap();
    assert!(!probe.is_parasite_powered());
    assert_eq!(probe.resolution(), Resolution::Bits12);
    assert_eq!(probe.measure(&mut bus).unwrap().celsius(), 25.0625);

    for (resolution, celsius) in [
        (Resolution::Bits9, 25.0),
        (Resolution::Bits10, 25.0),
        (Resolution::Bits11, 25.0),
        (Resolution::Bits12, 25.0625),
    ] {
        probe.set_resolution(&mut bus, resolution).unwrap();
        assert_eq!(
            probe.read_scratchpad(&mut bus).unwrap().resolution(),
            resolution
        );
        let started = sim.borrow().now;
        assert_eq!(probe.measure(&mut bus).unwrap().celsius(), celsius);
        let took = sim.borrow().now - started;
        let needed = u64::from(resolution.conversion_time_ms()) * MS;
        assert!(
            took >= needed && took < needed + 20 * MS,
            "{resolution:?} took {took} ns"
        );
    }
    check_waveform(&sim.borrow().trace);
}

#[test]
fn non_blocking_read_waits_for_the_conversion() {
    let (_sim, mut bus) = bus_with(vec![Device::genuine(GENUINE_ROM, -0x0191)]);
    let mut probe = Ds18b20::new(None);
    assert_eq!(probe.try_read(&mut bus, 0), Err(Error::NotConverted));
    let ready_at = probe.start_conversion(&mut bus, 1_000).unwrap();
    assert_eq!(ready_at, 1_750);
    bus.delay_ms(300);
    assert_eq!(probe.try_read(&mut bus, 1_300), Ok(None));
    bus.delay_ms(450);
    let t = probe.try_read(&mut bus, 1_750).unwrap().unwrap();
    assert_eq!(t.celsius(), -25.0625);
    // Reading again without a new conversion: twice more, then stale.
    assert_eq!(probe.try_read(&mut bus, 1_800), Ok(Some(t)));
    assert_eq!(probe.try_read(&mut bus, 1_850), Ok(Some(t)));
    assert_eq!(probe.try_read(&mut bus, 1_900), Err(Error::Stale));
    // A new conversion makes it fresh again.
    probe.start_conversion(&mut bus, 2_000).unwrap();
    bus.delay_ms(750);
    assert_eq!(probe.try_read(&mut bus, 2_750), Ok(Some(t)));
}

#[test]
fn early_read_of_the_power_on_scratchpad_is_a_failure() {
    let (_sim, mut bus) = bus_with(vec![Device::genuine(GENUINE_ROM, 0x0170)]);
    let mut probe = Ds18b20::new(None);
    // The device was never asked to convert: it holds the power-on 85 °C.
    let pad = probe.read_scratchpad(&mut bus).unwrap();
    assert_eq!(pad.to_bytes(), POWER_ON_SCRATCHPAD);
    assert_eq!(pad.temperature::<Infallible>(), Err(Error::PowerOnValue));
}

#[test]
fn genuine_85_degrees_is_accepted() {
    let (_sim, mut bus) = bus_with(vec![Device::genuine(GENUINE_ROM, 0x0550)]);
    let mut probe = Ds18b20::new(None);
    assert_eq!(probe.measure(&mut bus).unwrap().celsius(), 85.0);
}

#[test]
fn counterfeit_stuck_at_85_degrees_is_a_failure() {
    let (sim, mut bus) = bus_with(vec![Device::fake_85()]);
    let mut probe = Ds18b20::probe(&mut bus, None).unwrap();
    assert_eq!(probe.measure(&mut bus), Err(Error::PowerOnValue));
    check_waveform(&sim.borrow().trace);
}

#[test]
fn parasite_power_is_detected() {
    let mut device = Device::genuine(GENUINE_ROM, 0x0191);
    device.parasite = true;
    let (_sim, mut bus) = bus_with(vec![device]);
    let mut probe = Ds18b20::probe(&mut bus, None).unwrap();
    assert!(probe.is_parasite_powered());
    // No busy polling: the full datasheet time, then the value.
    assert_eq!(probe.measure(&mut bus).unwrap().celsius(), 25.0625);
}

#[test]
fn shorted_bus_is_reported() {
    let (sim, mut bus) = bus_with(vec![Device::genuine(GENUINE_ROM, 0)]);
    sim.borrow_mut().shorted = true;
    assert_eq!(bus.reset(), Err(Error::BusShorted));
    assert_eq!(Ds18b20::new(None).measure(&mut bus), Err(Error::BusShorted));
}

#[test]
fn missing_device_is_no_presence() {
    let (sim, mut bus) = bus_with(vec![]);
    assert_eq!(bus.reset(), Ok(false));
    assert_eq!(bus.read_rom(), Err(Error::NoPresence));
    assert_eq!(
        Ds18b20::probe(&mut bus, None).map(|_| ()),
        Err(Error::NoPresence)
    );
    assert_eq!(bus.search_next(&mut Search::new()), Ok(None));
    check_waveform(&sim.borrow().trace);
}

#[test]
fn search_finds_two_devices_and_each_answers_by_rom() {
    let (sim, mut bus) = bus_with(vec![
        Device::genuine(GENUINE_ROM, 0x0170),
        Device::genuine(CLONE_ROM, 0x00A2),
    ]);
    let mut search = Search::new();
    let mut found = vec![];
    while let Some(rom) = bus.search_next(&mut search).unwrap() {
        found.push(rom);
        assert!(found.len() <= 2, "search does not end");
    }
    found.sort();
    let mut expected = vec![Rom::new(GENUINE_ROM).unwrap(), Rom::new(CLONE_ROM).unwrap()];
    expected.sort();
    assert_eq!(found, expected);

    let mut genuine = Ds18b20::new(Some(Rom::new(GENUINE_ROM).unwrap()));
    let mut clone = Ds18b20::new(Some(Rom::new(CLONE_ROM).unwrap()));
    assert_eq!(genuine.measure(&mut bus).unwrap().celsius(), 23.0);
    assert_eq!(clone.measure(&mut bus).unwrap().celsius(), 10.125);
    check_waveform(&sim.borrow().trace);
}

#[test]
fn search_of_three_devices_with_shared_prefixes() {
    let roms = [GENUINE_ROM, CLONE_ROM, FAKE_ROM];
    let (_sim, mut bus) = bus_with(vec![
        Device::genuine(roms[0], 0),
        Device::genuine(roms[1], 0),
        Device::fake_85(),
    ]);
    let mut search = Search::new();
    let mut found = vec![];
    while let Some(rom) = bus.search_next(&mut search).unwrap() {
        found.push(rom.to_bytes());
        assert!(found.len() <= 3, "search does not end");
    }
    found.sort();
    let mut expected = roms.to_vec();
    expected.sort();
    assert_eq!(found, expected);
}

/// Checks the master's waveform against the datasheet's timing limits.
fn check_waveform(trace: &[Trace]) {
    let edges: Vec<(u64, bool)> = trace
        .iter()
        .filter_map(|t| match *t {
            Trace::Drive(at, low) => Some((at, low)),
            Trace::Sample(_) => None,
        })
        .collect();
    assert!(!edges.is_empty());
    for pair in edges.windows(3) {
        let [(fall, true), (rise, false), (next, true)] = pair else {
            continue;
        };
        let low = rise - fall;
        let recovery = next - rise;
        assert!(recovery >= US, "recovery {recovery} ns at {rise}");
        if low >= 480 * US {
            // Reset: 480 µs low, then a 480 µs presence window.
            assert!(low < 960 * US, "reset low {low} ns");
            assert!(recovery >= 480 * US, "presence window {recovery} ns");
        } else {
            // A slot: 60..120 µs, write-1/read low 1..15 µs, write-0 low 60..120 µs.
            assert!((US..15 * US).contains(&low) || (60 * US..120 * US).contains(&low));
            assert!(next - fall >= 60 * US, "slot {} ns at {fall}", next - fall);
        }
    }
    // Read samples fall within 15 µs of the slot's start.
    let mut last_fall = 0;
    for t in trace {
        match *t {
            Trace::Drive(at, true) => last_fall = at,
            Trace::Sample(at) if at - last_fall < 60 * US => {
                assert!(
                    at - last_fall <= 15 * US,
                    "sampled {} ns into the slot",
                    at - last_fall
                )
            }
            _ => {}
        }
    }
}
