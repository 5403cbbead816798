#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The AN214 UART master: its UART calls against a scripted UART, and its
//! bytes' waveform against the simulated DS18B20s.

mod common;

use std::collections::VecDeque;

use common::at;
use isocket_sensors::Error;
use isocket_sensors::onewire::uart::{HalfDuplex, RESET_BAUD, SLOT_BAUD, UartBus};
use isocket_sensors::onewire::{Bus, RomCommands};
use isocket_sensors::testing::{GENUINE_ROM, SimBus, SimProbe};

/// A UART that records every call and answers from a script of echoes.
#[derive(Default)]
struct Scripted {
    calls: Vec<Call>,
    echoes: VecDeque<Result<u8, &'static str>>,
}

#[derive(Debug, PartialEq)]
enum Call {
    Baud(u32),
    /// One exchange_all, with the bytes sent.
    Send(Vec<u8>),
}

impl HalfDuplex for Scripted {
    type Error = &'static str;

    fn set_baud_rate(&mut self, baud: u32) -> Result<(), &'static str> {
        self.calls.push(Call::Baud(baud));
        Ok(())
    }

    fn exchange(&mut self, byte: u8) -> Result<u8, &'static str> {
        let mut echo = [byte];
        self.exchange_all(&mut echo)?;
        Ok(echo[0])
    }

    fn exchange_all(&mut self, bytes: &mut [u8]) -> Result<(), &'static str> {
        self.calls.push(Call::Send(bytes.to_vec()));
        for b in bytes {
            // Unscripted: the echo of an idle bus, the byte itself.
            *b = self.echoes.pop_front().unwrap_or(Ok(*b))?;
        }
        Ok(())
    }
}

struct NoDelay;

impl embedded_hal::delay::DelayNs for NoDelay {
    fn delay_ns(&mut self, _ns: u32) {}
}

fn scripted(echoes: &[Result<u8, &'static str>]) -> UartBus<Scripted, NoDelay> {
    let uart = Scripted {
        echoes: echoes.iter().copied().collect(),
        ..Scripted::default()
    };
    UartBus::new(uart, NoDelay)
}

#[test]
fn reset_at_9600_then_one_uart_batch_per_byte_at_115200() {
    let mut bus = scripted(&[Ok(0xE0)]);
    assert_eq!(bus.reset(), Ok(true));
    bus.write_byte(0xCC).unwrap();
    bus.write_byte(0x44).unwrap();
    assert!(bus.read_bit().unwrap());
    assert_eq!(bus.reset(), Ok(false));
    let (uart, _) = bus.release();
    assert_eq!(
        uart.calls,
        vec![
            Call::Baud(RESET_BAUD),
            Call::Send(vec![0xF0]),
            Call::Baud(SLOT_BAUD),
            Call::Send(vec![0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0xFF, 0xFF]),
            Call::Send(vec![0x00, 0x00, 0xFF, 0x00, 0x00, 0x00, 0xFF, 0x00]),
            Call::Send(vec![0xFF]),
            Call::Baud(RESET_BAUD),
            Call::Send(vec![0xF0]),
        ]
    );
}

#[test]
fn reset_echo_tells_presence_absence_and_short() {
    // AN214: F0h back is nobody; anything else a presence pulse; 00h (a
    // framing error, reported as 00h) a bus held low.
    for (echo, reset) in [
        (0xF0, Ok(false)),
        (0xE0, Ok(true)),
        (0x90, Ok(true)),
        (0x00, Err(Error::BusShorted)),
    ] {
        assert_eq!(scripted(&[Ok(echo)]).reset(), reset, "echo {echo:02X}");
    }
    assert_eq!(
        scripted(&[Err("timeout")]).reset(),
        Err(Error::Bus("timeout"))
    );
}

#[test]
fn read_slots_are_one_only_when_the_echo_is_ff() {
    let echoes = [0xFF, 0xFE, 0xFF, 0xF8, 0xFF, 0xFF, 0x00, 0x7F].map(Ok);
    let mut bus = scripted(&echoes);
    assert_eq!(bus.read_byte(), Ok(0b0011_0101));
    let mut bus = scripted(&[Ok(0xFC)]);
    assert_eq!(bus.read_bit(), Ok(false));
}

#[test]
fn a_failed_baud_change_is_retried() {
    struct Flaky(u32);
    impl HalfDuplex for Flaky {
        type Error = ();
        fn set_baud_rate(&mut self, _baud: u32) -> Result<(), ()> {
            self.0 += 1;
            if self.0 == 1 { Err(()) } else { Ok(()) }
        }
        fn exchange(&mut self, byte: u8) -> Result<u8, ()> {
            Ok(byte)
        }
    }
    let mut bus = UartBus::new(Flaky(0), NoDelay);
    assert_eq!(bus.write_bit(true), Err(Error::Bus(())));
    assert_eq!(bus.write_bit(true), Ok(()));
    assert_eq!(bus.release().0.0, 2);
}

#[test]
fn simulated_uart_reset_echoes_as_an214_says() {
    // A real presence pulse lands in the second half of the F0h byte.
    let sim = SimBus::new([SimProbe::genuine(at(0))]);
    let mut uart = sim.uart();
    uart.set_baud_rate(RESET_BAUD).unwrap();
    let echo = uart.exchange(0xF0).unwrap();
    assert_ne!(echo, 0xF0);
    assert_eq!(echo & 0x0F, 0, "the reset pulse itself echoes as sent");
    // Nobody there: the byte comes back as sent.
    assert_eq!(SimBus::new([]).uart().exchange(0xF0), Ok(0xF0));
    // At 115200 the same byte is too short a pulse for a reset.
    let sim = SimBus::new([SimProbe::genuine(at(0))]);
    assert_eq!(sim.uart().exchange(0xF0), Ok(0xF0));
    // Shorted: a framing error, reported as 00h.
    let sim = SimBus::new([]);
    sim.set_shorted(true);
    assert_eq!(sim.uart().exchange(0xFF), Ok(0x00));
}

#[test]
fn simulated_uart_reads_the_rom_with_valid_timing() {
    let sim = SimBus::new([SimProbe::genuine(at(0))]);
    let mut bus = sim.uart_bus();
    assert_eq!(bus.read_rom().map(|rom| rom.to_bytes()), Ok(GENUINE_ROM));
    assert_eq!(bus.release().0.baud_rate(), SLOT_BAUD);
    assert_eq!(sim.timing_violations(), Vec::<String>::new());
}
