//! What the integration tests share: the same simulated probes, read by
//! each master of the crate.
#![allow(dead_code)]

use std::convert::Infallible;

use isocket_sensors::ds18b20::Temperature;
use isocket_sensors::onewire::Bus;
use isocket_sensors::testing::{SimBus, SimProbe};

pub const MS: u64 = 1_000_000;

/// A master on a simulated bus, whichever kind.
pub type DynBus = Box<dyn Bus<Error = Infallible>>;

pub fn at(sixteenths: i16) -> Temperature {
    Temperature::from_sixteenths(sixteenths)
}

/// The probes on a bus of their own for each master: the bit-banged
/// `OneWire`, and the AN214 `UartBus` (through the simulated UART's
/// waveform). Each comes with its name, for the assertion messages.
pub fn masters(probes: Vec<SimProbe>) -> Vec<(&'static str, SimBus, DynBus)> {
    let pin = SimBus::new(probes.clone());
    let uart = SimBus::new(probes);
    let (pin_master, uart_master): (DynBus, DynBus) =
        (Box::new(pin.one_wire()), Box::new(uart.uart_bus()));
    vec![("pin", pin, pin_master), ("uart", uart, uart_master)]
}

/// The waveform so far meets the DS18B20 datasheet's timing.
pub fn check_waveform(name: &str, sim: &SimBus) {
    assert!(!sim.trace().is_empty(), "{name}");
    assert_eq!(sim.timing_violations(), Vec::<String>::new(), "{name}");
}
