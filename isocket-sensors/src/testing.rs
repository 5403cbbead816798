//! A simulated 1-Wire bus with DS18B20 probes, for testing code that reads
//! a probe without hardware (feature `testing`, needs `std`).
//!
//! [`SimBus`] hands out an open-drain pin and a delay that share one bus in
//! simulated time: delays advance the clock, the pin's edges drive the
//! simulated probes, which answer in read slots by the datasheet's rules
//! (reset and presence, ROM commands, the ROM search, Convert T with its
//! conversion time, Read Scratchpad, Write Scratchpad, Read Power Supply).
//! [`SimBus::uart`] is a UART on the same bus instead, for
//! [`UartBus`]: its bytes become the waveform a real UART puts on the wire.
//! Every edge and sample is recorded; [`SimBus::timing_violations`] checks
//! the master's waveform against the DS18B20 datasheet's limits.
//!
//! ```
//! use isocket_sensors::ds18b20::{Ds18b20, Temperature};
//! use isocket_sensors::testing::{SimBus, SimProbe};
//!
//! let sim = SimBus::new([SimProbe::genuine(Temperature::from_sixteenths(21 * 16 + 8))]);
//! let mut bus = sim.one_wire();
//! let mut probe = Ds18b20::probe(&mut bus, None)?;
//! assert_eq!(probe.measure(&mut bus)?.celsius(), 21.5);
//!
//! sim.set_temperature(0, Temperature::from_sixteenths(-5 * 16));
//! assert_eq!(probe.measure(&mut bus)?.celsius(), -5.0);
//! assert_eq!(sim.timing_violations(), Vec::<String>::new());
//! # Ok::<(), isocket_sensors::Error>(())
//! ```

use std::cell::RefCell;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::format;
use std::rc::Rc;
use std::string::String;
use std::vec::Vec;

use embedded_hal::delay::DelayNs;
use embedded_hal::digital::{ErrorType, InputPin, OutputPin};

use crate::ds18b20::{
    CONVERT_T, READ_POWER_SUPPLY, READ_SCRATCHPAD, Temperature, WRITE_SCRATCHPAD,
};
use crate::onewire::uart::{HalfDuplex, SLOT_BAUD, UartBus};
use crate::onewire::{MATCH_ROM, OneWire, READ_ROM, SEARCH_ROM, SKIP_ROM, crc8};

const US: u64 = 1_000;
const MS: u64 = 1_000_000;

/// A genuine Maxim part's ROM (cpetrich/counterfeit_DS18B20, family A).
pub const GENUINE_ROM: [u8; 8] = [0x28, 0x13, 0x9B, 0xBB, 0x0B, 0x00, 0x00, 0x1F];
/// A counterfeit's ROM (family C), the one that never converts.
pub const COUNTERFEIT_ROM: [u8; 8] = [0x28, 0xFF, 0x64, 0x1D, 0xCD, 0x96, 0xF2, 0x01];
/// The datasheet's power-up scratchpad (Figure 7) with factory TH/TL:
/// 85 °C, COUNT_REMAIN 0Ch.
pub const POWER_ON_SCRATCHPAD: [u8; 9] = [0x50, 0x05, 0x4B, 0x46, 0x7F, 0xFF, 0x0C, 0x10, 0x1C];
const COUNTERFEIT_SCRATCHPAD: [u8; 9] = [0x50, 0x05, 0x55, 0x00, 0x7F, 0xFF, 0x0C, 0x10, 0x21];

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
#[derive(Clone, Debug)]
pub struct SimProbe {
    rom: [u8; 8],
    scratchpad: [u8; 9],
    /// What the scratchpad holds after power-up.
    power_on_scratchpad: [u8; 9],
    /// What it measures; `None` for a counterfeit that never converts.
    measures: Option<Temperature>,
    parasite: bool,
    mode: Mode,
    rx: (u8, u8),
    tx: VecDeque<bool>,
    converted_at: Option<u64>,
    holds_low: (u64, u64),
    unplugged: bool,
}

impl SimProbe {
    /// A genuine part with [`GENUINE_ROM`], powered up, measuring `t`.
    pub fn genuine(t: Temperature) -> Self {
        Self::with_rom(GENUINE_ROM, t)
    }

    /// A genuine part with its own ROM code (for buses with several).
    pub fn with_rom(rom: [u8; 8], t: Temperature) -> Self {
        Self {
            rom,
            scratchpad: POWER_ON_SCRATCHPAD,
            power_on_scratchpad: POWER_ON_SCRATCHPAD,
            measures: Some(t),
            parasite: false,
            mode: Mode::Idle,
            rx: (0, 0),
            tx: VecDeque::new(),
            converted_at: None,
            holds_low: (0, 0),
            unplugged: false,
        }
    }

    /// A counterfeit that answers but never converts: it reads 85 °C forever.
    pub fn counterfeit_stuck_at_85() -> Self {
        Self {
            scratchpad: COUNTERFEIT_SCRATCHPAD,
            power_on_scratchpad: COUNTERFEIT_SCRATCHPAD,
            measures: None,
            ..Self::with_rom(COUNTERFEIT_ROM, Temperature::from_sixteenths(0))
        }
    }

    /// The same part, parasite powered (answers 0 to Read Power Supply).
    pub fn parasite_powered(mut self) -> Self {
        self.parasite = true;
        self
    }

    /// The same part, not plugged in yet (see [`SimBus::plug`]).
    pub fn unplugged(mut self) -> Self {
        self.unplugged = true;
        self
    }

    /// Its ROM code.
    pub fn rom(&self) -> [u8; 8] {
        self.rom
    }

    /// Its scratchpad as it stands (a finished conversion applied).
    pub fn scratchpad(&self) -> [u8; 9] {
        self.scratchpad
    }

    fn config(&self) -> u8 {
        self.scratchpad.get(4).copied().unwrap_or(0x7F)
    }

    fn conversion_ns(&self) -> u64 {
        match self.config() >> 5 & 3 {
            0 => 94 * MS,
            1 => 188 * MS,
            2 => 375 * MS,
            _ => 750 * MS,
        }
    }

    /// Applies a finished conversion like a genuine part (COUNT_REMAIN too).
    fn settle(&mut self, now: u64) {
        let (Some(at), Some(t)) = (self.converted_at, self.measures) else {
            return;
        };
        if now < at {
            return;
        }
        let bits = self.config() >> 5 & 3;
        let raw = t.sixteenths() & !((1 << (3 - bits)) - 1);
        let [lsb, msb] = raw.to_le_bytes();
        let pad = &mut self.scratchpad;
        (pad[0], pad[1], pad[6]) = (lsb, msb, 0x10 - (lsb & 0x0F));
        self.reseal();
        self.converted_at = None;
    }

    /// Recomputes the CRC byte.
    fn reseal(&mut self) {
        let (data, crc) = self.scratchpad.split_at_mut(8);
        if let Some(crc) = crc.first_mut() {
            *crc = crc8(data);
        }
    }

    fn queue_bytes(&mut self, bytes: &[u8]) {
        self.tx = bytes
            .iter()
            .flat_map(|b| (0..8).map(move |i| b >> i & 1 != 0))
            .collect();
        self.mode = Mode::Send;
    }

    fn rom_bit(&self, n: usize) -> bool {
        self.rom.get(n / 8).is_some_and(|b| b >> (n % 8) & 1 != 0)
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
            (Mode::RomCommand, READ_ROM) => {
                self.queue_bytes(&self.rom.clone());
                return;
            }
            (Mode::RomCommand, MATCH_ROM) => Mode::MatchRom(0),
            (Mode::RomCommand, SKIP_ROM) => Mode::FunctionCommand,
            (Mode::RomCommand, SEARCH_ROM) => Mode::Search(0, 0),
            (Mode::MatchRom(n), b) if self.rom.get(n) == Some(&b) => {
                if n == 7 {
                    Mode::FunctionCommand
                } else {
                    Mode::MatchRom(n + 1)
                }
            }
            (Mode::FunctionCommand, CONVERT_T) => {
                if self.measures.is_some() {
                    self.converted_at = Some(now + self.conversion_ns());
                }
                Mode::Busy
            }
            (Mode::FunctionCommand, READ_SCRATCHPAD) => {
                self.settle(now);
                self.queue_bytes(&self.scratchpad.clone());
                return;
            }
            (Mode::FunctionCommand, READ_POWER_SUPPLY) => {
                self.queue_bytes(&[if self.parasite { 0 } else { 0xFF }]);
                return;
            }
            (Mode::FunctionCommand, WRITE_SCRATCHPAD) => Mode::WriteScratchpad(0),
            (Mode::WriteScratchpad(n), b) => {
                // TH, TL, then config (whose fixed bits read as the part forces them).
                let value = if n == 2 { b & 0x60 | 0x1F } else { b };
                if let Some(byte) = self.scratchpad.get_mut(2 + n) {
                    *byte = value;
                }
                self.reseal();
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

/// One recorded pin call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trace {
    /// At this time (ns), the master drove the bus low (`true`) or released it.
    Drive(u64, bool),
    /// At this time (ns), the master sampled the bus.
    Sample(u64),
}

#[derive(Default)]
struct Bus {
    now: u64,
    master_low: bool,
    fell_at: u64,
    shorted: bool,
    probes: Vec<SimProbe>,
    trace: Vec<Trace>,
}

impl Bus {
    /// The master drives the bus low (`true`) or releases it.
    fn drive(&mut self, low: bool) {
        if self.master_low == low {
            return;
        }
        let now = self.now;
        self.master_low = low;
        self.trace.push(Trace::Drive(now, low));
        let plugged = self.probes.iter_mut().filter(|d| !d.unplugged);
        if low {
            self.fell_at = now;
            plugged.for_each(|d| d.on_fall(now));
        } else {
            let held = now - self.fell_at;
            plugged.for_each(|d| d.on_rise(now, held));
        }
    }

    fn is_high(&self) -> bool {
        let t = self.now;
        let held = |d: &SimProbe| !d.unplugged && d.holds_low.0 <= t && t < d.holds_low.1;
        !(self.shorted || self.master_low || self.probes.iter().any(held))
    }
}

/// The simulated bus: a handle shared with its pin and delay.
#[derive(Clone)]
pub struct SimBus(Rc<RefCell<Bus>>);

impl SimBus {
    /// A bus with these probes on it (none: nobody answers the reset).
    pub fn new(probes: impl IntoIterator<Item = SimProbe>) -> Self {
        Self(Rc::new(RefCell::new(Bus {
            probes: probes.into_iter().collect(),
            ..Bus::default()
        })))
    }

    /// The open-drain pin the master drives.
    pub fn pin(&self) -> SimPin {
        SimPin(self.0.clone())
    }

    /// The delay that advances the bus's simulated time.
    pub fn delay(&self) -> SimDelay {
        SimDelay(self.0.clone())
    }

    /// A bit-banged 1-Wire master on this bus.
    pub fn one_wire(&self) -> OneWire<SimPin, SimDelay> {
        // The bus starts released, which is all `OneWire::new` would do.
        OneWire::from_released(self.pin(), self.delay())
    }

    /// A half-duplex UART on this bus, at 115200 baud until told otherwise.
    pub fn uart(&self) -> SimUart {
        SimUart {
            bus: self.0.clone(),
            baud: SLOT_BAUD,
        }
    }

    /// A UART 1-Wire master (AN214) on this bus.
    pub fn uart_bus(&self) -> UartBus<SimUart, SimDelay> {
        UartBus::new(self.uart(), self.delay())
    }

    /// Simulated time since the bus was created, in nanoseconds.
    pub fn now_ns(&self) -> u64 {
        self.0.borrow().now
    }

    /// What probe number `index` measures from its next conversion on.
    pub fn set_temperature(&self, index: usize, t: Temperature) {
        if let Some(probe) = self.0.borrow_mut().probes.get_mut(index) {
            probe.measures = Some(t);
        }
    }

    /// Plugs probe number `index` in (`true`) or pulls it out. Plugged in, it
    /// powers up afresh: the power-on scratchpad, no conversion running.
    pub fn plug(&self, index: usize, plugged: bool) {
        if let Some(probe) = self.0.borrow_mut().probes.get_mut(index) {
            if plugged && probe.unplugged {
                probe.scratchpad = probe.power_on_scratchpad;
                probe.mode = Mode::Idle;
                probe.tx.clear();
                probe.converted_at = None;
                probe.holds_low = (0, 0);
            }
            probe.unplugged = !plugged;
        }
    }

    /// Shorts the bus to ground (`true`) or removes the short.
    pub fn set_shorted(&self, shorted: bool) {
        self.0.borrow_mut().shorted = shorted;
    }

    /// A copy of probe number `index` as it stands.
    pub fn probe(&self, index: usize) -> Option<SimProbe> {
        self.0.borrow().probes.get(index).cloned()
    }

    /// Every pin call so far, in order.
    pub fn trace(&self) -> Vec<Trace> {
        self.0.borrow().trace.clone()
    }

    /// Where the master's waveform so far breaks the DS18B20 datasheet's
    /// timing: reset low 480…960 µs, then a presence window of at least
    /// 480 µs; time slots of at least 60 µs with at least 1 µs recovery;
    /// write-1 and read low 1…15 µs, write-0 low 60…120 µs; read samples
    /// within 15 µs of the slot's start. Empty when it meets them all.
    pub fn timing_violations(&self) -> Vec<String> {
        timing_violations(&self.0.borrow().trace)
    }
}

fn timing_violations(trace: &[Trace]) -> Vec<String> {
    let mut found = Vec::new();
    let edges: Vec<(u64, bool)> = trace
        .iter()
        .filter_map(|t| match *t {
            Trace::Drive(at, low) => Some((at, low)),
            Trace::Sample(_) => None,
        })
        .collect();
    for pair in edges.windows(3) {
        let [(fall, true), (rise, false), (next, true)] = pair else {
            continue;
        };
        let low = rise - fall;
        let recovery = next - rise;
        if recovery < US {
            found.push(format!("recovery {recovery} ns at {rise} ns"));
        }
        if low >= 480 * US {
            if low >= 960 * US {
                found.push(format!("reset low {low} ns at {fall} ns"));
            }
            if recovery < 480 * US {
                found.push(format!("presence window {recovery} ns at {rise} ns"));
            }
        } else {
            if !((US..15 * US).contains(&low) || (60 * US..120 * US).contains(&low)) {
                found.push(format!("slot low {low} ns at {fall} ns"));
            }
            if next - fall < 60 * US {
                found.push(format!("slot {} ns at {fall} ns", next - fall));
            }
        }
    }
    let mut last_fall = 0;
    for t in trace {
        match *t {
            Trace::Drive(at, true) => last_fall = at,
            Trace::Sample(at) if at - last_fall < 60 * US && at - last_fall > 15 * US => {
                found.push(format!("sampled {} ns into the slot", at - last_fall));
            }
            _ => {}
        }
    }
    found
}

/// The bus's open-drain pin: `set_low` drives, `set_high` releases, `is_high` samples.
#[derive(Clone)]
pub struct SimPin(Rc<RefCell<Bus>>);

impl ErrorType for SimPin {
    type Error = Infallible;
}

impl OutputPin for SimPin {
    fn set_low(&mut self) -> Result<(), Infallible> {
        self.0.borrow_mut().drive(true);
        Ok(())
    }

    fn set_high(&mut self) -> Result<(), Infallible> {
        self.0.borrow_mut().drive(false);
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

/// The bus's delay: waiting advances simulated time, instantly.
pub struct SimDelay(Rc<RefCell<Bus>>);

impl DelayNs for SimDelay {
    fn delay_ns(&mut self, ns: u32) {
        self.0.borrow_mut().now += u64::from(ns);
    }
}

/// A half-duplex UART on the bus, 8N1: its transmitter drives the bus
/// through an open drain bit by bit (start bit low, data least significant
/// bit first, stop bit released), and its receiver samples the bus in the
/// middle of each bit, in simulated time. A stop bit read low (a framing
/// error) comes back as `0x00`, as [`HalfDuplex::exchange`] asks. Its edges
/// are recorded in the trace; its samples are not (a UART samples every bit,
/// not once per slot).
pub struct SimUart {
    bus: Rc<RefCell<Bus>>,
    baud: u32,
}

impl SimUart {
    /// The baud rate it runs at.
    pub fn baud_rate(&self) -> u32 {
        self.baud
    }
}

impl HalfDuplex for SimUart {
    type Error = Infallible;

    fn set_baud_rate(&mut self, baud: u32) -> Result<(), Infallible> {
        self.baud = baud.max(1);
        Ok(())
    }

    fn exchange(&mut self, byte: u8) -> Result<u8, Infallible> {
        let mut bus = self.bus.borrow_mut();
        let start = bus.now;
        let baud = u64::from(self.baud);
        let bit_start = |i: u64| start + i * 1_000_000_000 / baud;
        let (mut echo, mut stop_high) = (0u8, true);
        for i in 0..10 {
            let high = match i {
                0 => false,
                9 => true,
                n => byte >> (n - 1) & 1 != 0,
            };
            bus.now = bit_start(i);
            bus.drive(!high);
            bus.now = (bit_start(i) + bit_start(i + 1)) / 2;
            let sampled = bus.is_high();
            match i {
                1..=8 => echo |= u8::from(sampled) << (i - 1),
                9 => stop_high = sampled,
                _ => {}
            }
        }
        bus.now = bit_start(10);
        Ok(if stop_high { echo } else { 0x00 })
    }
}
