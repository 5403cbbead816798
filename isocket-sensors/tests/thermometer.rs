#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The non-blocking `Thermometer` on the simulated bus, through each master:
//! readings, an empty jack, a probe plugged in later, failures.

mod common;

use common::{at, masters};
use isocket_sensors::Error;
use isocket_sensors::ds18b20::{Resolution, Thermometer};
use isocket_sensors::onewire::{Bus, OneWire};
use isocket_sensors::testing::{SimBus, SimProbe};

#[test]
fn start_then_read_when_due() {
    for (name, sim, mut bus) in masters(vec![SimProbe::genuine(at(0x0191))]) {
        let mut thermometer = Thermometer::new(&mut *bus);
        let due = thermometer.start(10_000).unwrap();
        assert_eq!(due, 10_750, "{name}");
        assert_eq!(thermometer.sensor().resolution(), Resolution::Bits12);
        assert_eq!(thermometer.read(10_100), None, "{name}");
        thermometer.bus_mut().delay_ms(750);
        assert_eq!(thermometer.read(due), Some(Ok(at(0x0191))), "{name}");

        // The next minute: a new value.
        sim.set_temperature(0, at(-0x0191));
        let due = thermometer.start(70_000).unwrap();
        thermometer.bus_mut().delay_ms(750);
        assert_eq!(thermometer.read(due), Some(Ok(at(-0x0191))), "{name}");
    }
}

#[test]
fn read_without_start_is_not_converted() {
    for (name, _sim, mut bus) in masters(vec![SimProbe::genuine(at(0))]) {
        let mut thermometer = Thermometer::new(&mut *bus);
        assert_eq!(
            thermometer.read(0),
            Some(Err(Error::NotConverted)),
            "{name}"
        );
    }
}

#[test]
fn empty_jack_is_no_presence_until_a_probe_is_plugged_in() {
    // A parasite-powered probe, plugged in after the first attempt: the
    // thermometer reads its power mode then, and waits the full time.
    let late = SimProbe::genuine(at(0x0170)).parasite_powered().unplugged();
    for (name, sim, mut bus) in masters(vec![late]) {
        let mut thermometer = Thermometer::new(&mut *bus);
        assert_eq!(thermometer.start(0), Err(Error::NoPresence), "{name}");
        sim.plug(0, true);
        let due = thermometer.start(60_000).unwrap();
        assert!(thermometer.sensor().is_parasite_powered(), "{name}");
        thermometer.bus_mut().delay_ms(750);
        assert_eq!(thermometer.read(due), Some(Ok(at(0x0170))), "{name}");
    }
}

#[test]
fn a_probe_swapped_after_a_failure_is_read_afresh() {
    // An externally powered probe, pulled out mid-conversion; a parasite-
    // powered one plugged in its place.
    let probes = vec![
        SimProbe::genuine(at(0x0191)),
        SimProbe::genuine(at(0x0170)).parasite_powered().unplugged(),
    ];
    for (name, sim, mut bus) in masters(probes) {
        let mut thermometer = Thermometer::new(&mut *bus);
        let due = thermometer.start(0).unwrap();
        assert!(!thermometer.sensor().is_parasite_powered(), "{name}");
        sim.plug(0, false);
        thermometer.bus_mut().delay_ms(750);
        assert_eq!(
            thermometer.read(due),
            Some(Err(Error::NoPresence)),
            "{name}"
        );
        sim.plug(1, true);
        let due = thermometer.start(60_000).unwrap();
        assert!(thermometer.sensor().is_parasite_powered(), "{name}");
        thermometer.bus_mut().delay_ms(750);
        assert_eq!(thermometer.read(due), Some(Ok(at(0x0170))), "{name}");
    }
}

#[test]
fn failures_are_sensor_errors_not_no_presence() {
    for (name, sim, mut bus) in masters(vec![SimProbe::counterfeit_stuck_at_85()]) {
        let mut thermometer = Thermometer::new(&mut *bus);
        let due = thermometer.start(0).unwrap();
        thermometer.bus_mut().delay_ms(750);
        assert_eq!(thermometer.read(due), Some(Err(Error::PowerOnValue)));
        sim.set_shorted(true);
        assert_eq!(thermometer.start(60_000), Err(Error::BusShorted), "{name}");
    }
}

#[test]
fn owns_either_master() {
    let sim = SimBus::new([SimProbe::genuine(at(0x00A2))]);
    let mut pin = Thermometer::new(sim.one_wire());
    let due = pin.start(0).unwrap();
    pin.bus_mut().delay_ms(750);
    assert_eq!(pin.read(due), Some(Ok(at(0x00A2))));
    let _: OneWire<_, _> = pin.release();

    let sim = SimBus::new([SimProbe::genuine(at(0x00A2))]);
    let mut uart = Thermometer::new(sim.uart_bus());
    let due = uart.start(0).unwrap();
    uart.bus_mut().delay_ms(750);
    assert_eq!(uart.read(due), Some(Ok(at(0x00A2))));
    assert_eq!(uart.bus_mut().reset(), Ok(true));
}
