//! The DS18B20 as the engine sees it (SPEC §9): a reading, a sensor error,
//! or no sensor at all. The protocol and the non-blocking start/read are
//! isocket-sensors' `Thermometer`, over whichever 1-Wire bus the board has
//! (bit-banged, UART, PIO); this maps its results.

use isocket_proto::{Probe, Temperature};
use isocket_sensors::Error;
use isocket_sensors::ds18b20::{Temperature as Raw, Thermometer};
use isocket_sensors::onewire::Bus;

/// Converts a DS18B20 result into the engine's [`Probe`]: nobody answering
/// the reset pulse is "No sensor"; every other failure (CRC, the power-on
/// 85 °C, out of range, stale, a shorted bus) is "Sensor error!".
pub fn reading<E>(result: Result<Raw, Error<E>>) -> Probe {
    match result {
        Ok(raw) => Probe::Reading(Temperature::from_sixteenths(raw.sixteenths())),
        Err(Error::NoPresence) => Probe::NoSensor,
        Err(_) => Probe::SensorError,
    }
}

/// [`crate::board::Board::probe_start`] for a thermometer, if the board
/// could set its bus up (`None`: every reading is a sensor error).
pub fn start<B: Bus>(thermometer: Option<&mut Thermometer<B>>, now_ms: u64) -> Result<u64, Probe> {
    let thermometer = thermometer.ok_or(Probe::SensorError)?;
    thermometer.start(now_ms).map_err(|e| reading(Err(e)))
}

/// [`crate::board::Board::probe_read`] for a thermometer: `None` while the
/// conversion runs.
pub fn read<B: Bus>(thermometer: Option<&mut Thermometer<B>>, now_ms: u64) -> Option<Probe> {
    let Some(thermometer) = thermometer else {
        return Some(Probe::SensorError);
    };
    thermometer.read(now_ms).map(reading)
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

    /// A bus nobody answers on.
    struct Empty;

    impl Bus for Empty {
        type Error = ();
        fn reset(&mut self) -> Result<bool, Error<()>> {
            Ok(false)
        }
        fn write_bit(&mut self, _bit: bool) -> Result<(), Error<()>> {
            Ok(())
        }
        fn read_bit(&mut self) -> Result<bool, Error<()>> {
            Ok(true)
        }
        fn delay_ms(&mut self, _ms: u32) {}
    }

    #[test]
    fn no_bus_is_a_sensor_error_and_an_empty_one_no_sensor() {
        assert_eq!(start::<Empty>(None, 0), Err(Probe::SensorError));
        assert_eq!(read::<Empty>(None, 0), Some(Probe::SensorError));
        let mut empty = Thermometer::new(Empty);
        assert_eq!(start(Some(&mut empty), 0), Err(Probe::NoSensor));
    }
}
