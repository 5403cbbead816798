//! DS18B20 results as the engine sees them (SPEC §9): a reading, a sensor
//! error, or no sensor at all.

use embedded_hal::delay::DelayNs;
use embedded_hal::digital::{InputPin, OutputPin};
use isocket_proto::{Probe, Temperature};
use isocket_sensors::Error;
use isocket_sensors::ds18b20::{Ds18b20, Temperature as Raw};
use isocket_sensors::onewire::OneWire;

/// Converts a DS18B20 read into the engine's [`Probe`]: nobody answering
/// the reset pulse is "No sensor"; every other failure (CRC, the power-on
/// 85 °C, out of range, stale, a shorted bus) is "Sensor error!".
pub fn reading<E>(result: Result<Raw, Error<E>>) -> Probe {
    match result {
        Ok(raw) => Probe::Reading(Temperature::from_sixteenths(raw.sixteenths())),
        Err(Error::NoPresence) => Probe::NoSensor,
        Err(_) => Probe::SensorError,
    }
}

/// A DS18B20 `try_read` as [`crate::runner::Hardware::probe_read`] wants
/// it: `None` while the conversion runs, else the reading or the failure.
pub fn poll<E>(result: Result<Option<Raw>, Error<E>>) -> Option<Probe> {
    match result {
        Ok(None) => None,
        Ok(Some(raw)) => Some(reading::<E>(Ok(raw))),
        Err(e) => Some(reading(Err(e))),
    }
}

/// A DS18B20 alone on its 1-Wire bus, read without blocking: the start/read
/// pair of [`crate::runner::Hardware`].
pub struct Ds18b20Probe<P, D> {
    bus: Option<OneWire<P, D>>,
    sensor: Ds18b20,
}

impl<P, D, E> Ds18b20Probe<P, D>
where
    P: InputPin<Error = E> + OutputPin<Error = E>,
    D: DelayNs,
{
    /// Reads the probe's power mode and resolution; a missing probe (an
    /// empty jack) gets the datasheet defaults and reports "No sensor"
    /// later. No bus (its pin failed): every reading is a sensor error.
    pub fn new(mut bus: Option<OneWire<P, D>>) -> Self {
        let sensor = bus
            .as_mut()
            .and_then(|bus| Ds18b20::probe(bus, None).ok())
            .unwrap_or_else(|| Ds18b20::new(None));
        Self { bus, sensor }
    }

    /// Starts a conversion: when it is due, or the failure.
    pub fn start(&mut self, now_ms: u64) -> Result<u64, Probe> {
        let bus = self.bus.as_mut().ok_or(Probe::SensorError)?;
        self.sensor
            .start_conversion(bus, now_ms)
            .map_err(|e| reading(Err(e)))
    }

    /// The conversion's result, `None` while it runs.
    pub fn read(&mut self, now_ms: u64) -> Option<Probe> {
        let Some(bus) = self.bus.as_mut() else {
            return Some(Probe::SensorError);
        };
        poll(self.sensor.try_read(bus, now_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_map_to_the_spec_texts() {
        let ok: Result<Raw, Error<()>> = Ok(Raw::from_sixteenths(0x0191)); // +25.0625 °C
        assert_eq!(
            reading(ok),
            Probe::Reading(Temperature::from_sixteenths(401))
        );
        assert_eq!(reading::<()>(Err(Error::NoPresence)), Probe::NoSensor);
        assert_eq!(reading::<()>(Err(Error::CrcMismatch)), Probe::SensorError);
        assert_eq!(reading::<()>(Err(Error::PowerOnValue)), Probe::SensorError);
        assert_eq!(reading::<()>(Err(Error::Bus(()))), Probe::SensorError);
    }
}
