#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Pin-level tests on the simulated bus of the `testing` feature: simulated
//! DS18B20s that follow the datasheet's slot rules, in simulated time, read
//! by each master (the bit-banged pin and the AN214 UART), and the master's
//! waveform checked against the datasheet's timing limits.

mod common;

use common::{MS, at, check_waveform, masters};
use isocket_sensors::Error;
use isocket_sensors::ds18b20::{Ds18b20, Resolution};
use isocket_sensors::onewire::{Rom, RomCommands, Search};
use isocket_sensors::testing::{COUNTERFEIT_ROM, GENUINE_ROM, POWER_ON_SCRATCHPAD, SimProbe};

/// Family B1 (counterfeit) ROM: cpetrich/counterfeit_DS18B20 README (CC BY 4.0).
const CLONE_ROM: [u8; 8] = [0x28, 0xAA, 0x3C, 0x61, 0x55, 0x14, 0x01, 0xF0];

#[test]
fn genuine_probe_measures_at_every_resolution() {
    // 25.0625 °C: datasheet Table 1 row.
    for (name, sim, mut bus) in masters(vec![SimProbe::with_rom(GENUINE_ROM, at(0x0191))]) {
        assert_eq!(bus.read_rom(), Ok(Rom::new(GENUINE_ROM).unwrap()), "{name}");
        let mut probe = Ds18b20::probe(&mut *bus, None).unwrap();
        assert!(!probe.is_parasite_powered(), "{name}");
        assert_eq!(probe.resolution(), Resolution::Bits12, "{name}");
        assert_eq!(probe.measure(&mut *bus).unwrap().celsius(), 25.0625);

        for (resolution, celsius) in [
            (Resolution::Bits9, 25.0),
            (Resolution::Bits10, 25.0),
            (Resolution::Bits11, 25.0),
            (Resolution::Bits12, 25.0625),
        ] {
            probe.set_resolution(&mut *bus, resolution).unwrap();
            assert_eq!(
                probe.read_scratchpad(&mut *bus).unwrap().resolution(),
                resolution,
                "{name}"
            );
            let started = sim.now_ns();
            assert_eq!(probe.measure(&mut *bus).unwrap().celsius(), celsius);
            let took = sim.now_ns() - started;
            let needed = u64::from(resolution.conversion_time_ms()) * MS;
            assert!(
                took >= needed && took < needed + 20 * MS,
                "{name}: {resolution:?} took {took} ns"
            );
        }
        check_waveform(name, &sim);
    }
}

#[test]
fn non_blocking_read_waits_for_the_conversion() {
    for (name, _sim, mut bus) in masters(vec![SimProbe::with_rom(GENUINE_ROM, at(-0x0191))]) {
        let bus = &mut *bus;
        let mut probe = Ds18b20::new(None);
        assert_eq!(probe.try_read(bus, 0), Err(Error::NotConverted), "{name}");
        let ready_at = probe.start_conversion(bus, 1_000).unwrap();
        assert_eq!(ready_at, 1_750);
        bus.delay_ms(300);
        assert_eq!(probe.try_read(bus, 1_300), Ok(None), "{name}");
        bus.delay_ms(450);
        let t = probe.try_read(bus, 1_750).unwrap().unwrap();
        assert_eq!(t.celsius(), -25.0625, "{name}");
        // Reading again without a new conversion: twice more, then stale.
        assert_eq!(probe.try_read(bus, 1_800), Ok(Some(t)), "{name}");
        assert_eq!(probe.try_read(bus, 1_850), Ok(Some(t)), "{name}");
        assert_eq!(probe.try_read(bus, 1_900), Err(Error::Stale), "{name}");
        // A new conversion makes it fresh again.
        probe.start_conversion(bus, 2_000).unwrap();
        bus.delay_ms(750);
        assert_eq!(probe.try_read(bus, 2_750), Ok(Some(t)), "{name}");
    }
}

#[test]
fn busy_probe_is_not_read_early() {
    // The caller's clock runs ahead of the bus: the probe still converts, so
    // its busy slot reads 0 and the driver waits.
    for (name, _sim, mut bus) in masters(vec![SimProbe::genuine(at(0x0191))]) {
        let bus = &mut *bus;
        let mut probe = Ds18b20::new(None);
        probe.start_conversion(bus, 0).unwrap();
        bus.delay_ms(700);
        assert_eq!(probe.try_read(bus, 750), Ok(None), "{name}");
        bus.delay_ms(50);
        assert_eq!(probe.try_read(bus, 800), Ok(Some(at(0x0191))), "{name}");
    }
}

#[test]
fn early_read_of_the_power_on_scratchpad_is_a_failure() {
    for (name, _sim, mut bus) in masters(vec![SimProbe::with_rom(GENUINE_ROM, at(0x0170))]) {
        let mut probe = Ds18b20::new(None);
        // The device was never asked to convert: it holds the power-on 85 °C.
        let pad = probe.read_scratchpad(&mut *bus).unwrap();
        assert_eq!(pad.to_bytes(), POWER_ON_SCRATCHPAD, "{name}");
        assert_eq!(pad.temperature(), Err(Error::PowerOnValue), "{name}");
    }
}

#[test]
fn genuine_85_degrees_is_accepted() {
    for (name, _sim, mut bus) in masters(vec![SimProbe::with_rom(GENUINE_ROM, at(0x0550))]) {
        let mut probe = Ds18b20::new(None);
        assert_eq!(
            probe.measure(&mut *bus).map(|t| t.celsius()),
            Ok(85.0),
            "{name}"
        );
    }
}

#[test]
fn counterfeit_stuck_at_85_degrees_is_a_failure() {
    for (name, sim, mut bus) in masters(vec![SimProbe::counterfeit_stuck_at_85()]) {
        let mut probe = Ds18b20::probe(&mut *bus, None).unwrap();
        assert_eq!(probe.measure(&mut *bus), Err(Error::PowerOnValue), "{name}");
        check_waveform(name, &sim);
    }
}

#[test]
fn parasite_power_is_detected() {
    let device = SimProbe::genuine(at(0x0191)).parasite_powered();
    for (name, _sim, mut bus) in masters(vec![device]) {
        let mut probe = Ds18b20::probe(&mut *bus, None).unwrap();
        assert!(probe.is_parasite_powered(), "{name}");
        // No busy polling: the full datasheet time, then the value.
        assert_eq!(probe.measure(&mut *bus).map(|t| t.celsius()), Ok(25.0625));
    }
}

#[test]
fn shorted_bus_is_reported() {
    for (name, sim, mut bus) in masters(vec![SimProbe::with_rom(GENUINE_ROM, at(0))]) {
        sim.set_shorted(true);
        assert_eq!(bus.reset(), Err(Error::BusShorted), "{name}");
        let measured = Ds18b20::new(None).measure(&mut *bus);
        assert_eq!(measured, Err(Error::BusShorted), "{name}");
        // The short removed, the probe answers again.
        sim.set_shorted(false);
        assert_eq!(bus.reset(), Ok(true), "{name}");
    }
}

#[test]
fn missing_device_is_no_presence() {
    for (name, sim, mut bus) in masters(vec![]) {
        assert_eq!(bus.reset(), Ok(false), "{name}");
        assert_eq!(bus.read_rom(), Err(Error::NoPresence), "{name}");
        assert_eq!(
            Ds18b20::probe(&mut *bus, None).map(|_| ()),
            Err(Error::NoPresence),
            "{name}"
        );
        assert_eq!(bus.search_next(&mut Search::new()), Ok(None), "{name}");
        check_waveform(name, &sim);
    }
}

#[test]
fn search_finds_two_devices_and_each_answers_by_rom() {
    let probes = vec![
        SimProbe::with_rom(GENUINE_ROM, at(0x0170)),
        SimProbe::with_rom(CLONE_ROM, at(0x00A2)),
    ];
    for (name, sim, mut bus) in masters(probes) {
        let mut search = Search::new();
        let mut found = vec![];
        while let Some(rom) = bus.search_next(&mut search).unwrap() {
            found.push(rom);
            assert!(found.len() <= 2, "{name}: search does not end");
        }
        found.sort();
        let mut expected = vec![Rom::new(GENUINE_ROM).unwrap(), Rom::new(CLONE_ROM).unwrap()];
        expected.sort();
        assert_eq!(found, expected, "{name}");

        let mut genuine = Ds18b20::new(Some(Rom::new(GENUINE_ROM).unwrap()));
        let mut clone = Ds18b20::new(Some(Rom::new(CLONE_ROM).unwrap()));
        assert_eq!(genuine.measure(&mut *bus).map(|t| t.celsius()), Ok(23.0));
        assert_eq!(clone.measure(&mut *bus).map(|t| t.celsius()), Ok(10.125));
        check_waveform(name, &sim);
    }
}

#[test]
fn search_of_three_devices_with_shared_prefixes() {
    let roms = [GENUINE_ROM, CLONE_ROM, COUNTERFEIT_ROM];
    let probes = vec![
        SimProbe::with_rom(roms[0], at(0)),
        SimProbe::with_rom(roms[1], at(0)),
        SimProbe::counterfeit_stuck_at_85(),
    ];
    for (name, _sim, mut bus) in masters(probes) {
        let mut search = Search::new();
        let mut found = vec![];
        while let Some(rom) = bus.search_next(&mut search).unwrap() {
            found.push(rom.to_bytes());
            assert!(found.len() <= 3, "{name}: search does not end");
        }
        found.sort();
        let mut expected = roms.to_vec();
        expected.sort();
        assert_eq!(found, expected, "{name}");
    }
}
