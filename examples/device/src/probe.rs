//! DS18B20 results as the engine sees them (SPEC §9): a reading, a sensor
//! error, or no sensor at all.

use isocket_proto::{Probe, Temperature};
use isocket_sensors::Error;
use isocket_sensors::ds18b20::Temperature as Raw;

/// Converts a DS18B20 read into the engine's [`Probe`]: nobody answering
/// the reset pulse is "No sensor"; every other failure (CRC, the power-on
/// 85 °C, out of range, stale, a shorted bus) is "Sensor error!".
pub fn reading<E>(result: Result<Raw, Error<E>>) -> Probe {
    match result {
        Ok(raw) => Probe::Reading(Temperature::from_sixteenths(i32::from(raw.sixteenths()))),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_map_to_the_spec_texts() {
        let ok: Result<Raw, Error<()>> = Ok(Raw::from_raw(0x0191)); // +25.0625 °C
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
