//! DS18B20 temperature probe, after the Maxim DS18B20 datasheet (19-7487):
//! function commands, scratchpad layout (Figure 7), conversion times and the
//! temperature format (Table 1).
//!
//! [`Ds18b20`] is the driver for one probe, given the [`Bus`] at each call
//! (one bus can serve several probes, addressed by ROM); [`Thermometer`]
//! owns the bus of a probe alone on it and reads it without blocking.
//!
//! A reading is a *sensor failure* (manual §9) when there is no presence pulse,
//! the CRC does not match, the value is the power-on 85 °C without a completed
//! conversion, it lies outside −55…125 °C, or it is the third read in a row
//! with no new conversion. Each failure is its own [`Error`] variant.
//!
//! **Decision: telling the power-on 85 °C from a real 85 °C.** The temperature
//! bytes are the same, but a genuine part rewrites byte 6 (COUNT_REMAIN) on
//! every conversion: a conversion that reads 85.000 °C leaves `0x10` there,
//! while the power-on scratchpad holds `0x0C` (datasheet Figure 7; cpetrich,
//! "counterfeit_DS18B20"). So `0x0550` with byte 6 = `0x0C` is
//! [`Error::PowerOnValue`]. Counterfeits that never update byte 6 would have
//! a real 85.000 °C rejected too: a failure on the safe side.
//!
//! **Decision: stale data.** The driver counts the reads since its last
//! completed conversion; the first is fresh, and the third read in a row
//! without a new conversion after it fails with [`Error::Stale`].

use crate::Error;
use crate::onewire::{Bus, Rom, RomCommands, crc8};

/// Family code of the DS18B20.
pub const FAMILY: u8 = 0x28;

/// Function command: start a temperature conversion.
pub const CONVERT_T: u8 = 0x44;
/// Function command: write TH, TL and the configuration register.
pub const WRITE_SCRATCHPAD: u8 = 0x4E;
/// Function command: read the 9-byte scratchpad.
pub const READ_SCRATCHPAD: u8 = 0xBE;
/// Function command: parasite-powered devices answer 0 in the next read slot.
pub const READ_POWER_SUPPLY: u8 = 0xB4;

/// The lowest temperature the part measures, in 1/16 °C (−55 °C).
const MIN_RAW: i16 = -55 * 16;
/// The highest temperature the part measures, in 1/16 °C (+125 °C).
const MAX_RAW: i16 = 125 * 16;
/// The power-on reset value of the temperature register (+85 °C).
const POWER_ON_RAW: i16 = 0x0550;
/// COUNT_REMAIN (byte 6) in the power-on scratchpad.
const POWER_ON_COUNT_REMAIN: u8 = 0x0C;
/// The read without a new conversion that counts as stale (manual §9).
const STALE_READS: u8 = 3;

/// Conversion resolution (configuration register bits R1 R0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Resolution {
    /// 0.5 °C, 93.75 ms.
    Bits9 = 0,
    /// 0.25 °C, 187.5 ms.
    Bits10 = 1,
    /// 0.125 °C, 375 ms.
    Bits11 = 2,
    /// 0.0625 °C, 750 ms (power-on default).
    Bits12 = 3,
}

impl Resolution {
    /// The maximum conversion time, rounded up to whole milliseconds.
    pub fn conversion_time_ms(self) -> u32 {
        match self {
            Self::Bits9 => 94,
            Self::Bits10 => 188,
            Self::Bits11 => 375,
            Self::Bits12 => 750,
        }
    }

    /// The configuration register value: `0 R1 R0 1 1 1 1 1`.
    pub fn config_byte(self) -> u8 {
        (self as u8) << 5 | 0x1F
    }

    /// Reads R1 R0 from a configuration register value.
    pub fn from_config_byte(config: u8) -> Self {
        match config >> 5 & 0b11 {
            0 => Self::Bits9,
            1 => Self::Bits10,
            2 => Self::Bits11,
            _ => Self::Bits12,
        }
    }

    /// Clears the bits the datasheet leaves undefined at this resolution.
    fn mask(self, raw: i16) -> i16 {
        raw & !((1 << (3 - self as u8)) - 1)
    }
}

/// A temperature in 1/16 °C, exactly as the DS18B20 reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Temperature(i16);

impl Temperature {
    /// From 1/16 °C steps: the raw 16-bit two's complement register value.
    pub const fn from_sixteenths(raw: i16) -> Self {
        Self(raw)
    }

    /// The raw value: 1/16 °C steps.
    pub const fn sixteenths(self) -> i16 {
        self.0
    }

    /// Degrees Celsius; exact, since every 1/16 step is a binary fraction.
    pub fn celsius(self) -> f32 {
        f32::from(self.0) / 16.0
    }

    /// Thousandths of a degree, truncated toward zero (as Linux `w1_therm`).
    pub fn millicelsius(self) -> i32 {
        i32::from(self.0) * 1000 / 16
    }
}

/// The 9-byte scratchpad, with its CRC and fixed bits checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Scratchpad([u8; 9]);

impl Scratchpad {
    /// Checks bytes as read from the bus.
    ///
    /// Fails with [`Error::CrcMismatch`], or [`Error::BadScratchpad`] when the
    /// configuration register's fixed bits are wrong (bit 7 reads 0, bits 4..0
    /// read 1): the all-zero scratchpad, which passes the CRC, is no data.
    pub fn new(bytes: [u8; 9]) -> Result<Self, Error> {
        if crc8(&bytes) != 0 {
            Err(Error::CrcMismatch)
        } else if bytes[4] & 0x9F != 0x1F {
            Err(Error::BadScratchpad)
        } else {
            Ok(Self(bytes))
        }
    }

    /// The bytes, byte 0 first.
    pub fn to_bytes(self) -> [u8; 9] {
        self.0
    }

    /// The temperature register as read, undefined low bits included.
    pub fn raw_temperature(&self) -> i16 {
        i16::from_le_bytes([self.0[0], self.0[1]])
    }

    /// TH (or user byte 1) and TL (or user byte 2).
    pub fn alarm_registers(&self) -> (u8, u8) {
        (self.0[2], self.0[3])
    }

    /// The resolution in the configuration register.
    pub fn resolution(&self) -> Resolution {
        Resolution::from_config_byte(self.0[4])
    }

    /// The temperature, or the failure it shows: [`Error::OutOfRange`],
    /// [`Error::PowerOnValue`] (see the module docs).
    pub fn temperature(&self) -> Result<Temperature, Error> {
        let raw = self.resolution().mask(self.raw_temperature());
        if !(MIN_RAW..=MAX_RAW).contains(&raw) {
            Err(Error::OutOfRange)
        } else if raw == POWER_ON_RAW && self.0[6] == POWER_ON_COUNT_REMAIN {
            Err(Error::PowerOnValue)
        } else {
            Ok(Temperature(raw))
        }
    }
}

/// Where the last conversion stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Conversion {
    /// None started since the driver was created.
    None,
    /// Started; the datasheet time runs out at `ready_at` (ms).
    Running { ready_at: u64 },
    /// Completed; `reads` reads of its result so far.
    Done { reads: u8 },
}

/// A DS18B20 driver: one probe, addressed by ROM or alone on its bus.
///
/// Time is passed in as milliseconds from any fixed origin, so the
/// non-blocking form ([`Ds18b20::start_conversion`], then
/// [`Ds18b20::try_read`]) never waits for the conversion.
#[derive(Clone, Debug)]
pub struct Ds18b20 {
    rom: Option<Rom>,
    resolution: Resolution,
    parasite: bool,
    conversion: Conversion,
}

impl Ds18b20 {
    /// A driver for the probe with `rom`, or for the only device on the bus
    /// (Skip ROM) with `None`. It assumes 12-bit, externally powered until
    /// [`Ds18b20::probe`] or [`Ds18b20::set_resolution`] says otherwise.
    pub fn new(rom: Option<Rom>) -> Self {
        Self {
            rom,
            resolution: Resolution::Bits12,
            parasite: false,
            conversion: Conversion::None,
        }
    }

    /// Creates the driver and reads the probe's power mode and resolution.
    pub fn probe<B: Bus + ?Sized>(bus: &mut B, rom: Option<Rom>) -> Result<Self, Error<B::Error>> {
        let mut sensor = Self::new(rom);
        sensor.parasite = sensor.read_power_supply(bus)?;
        sensor.resolution = sensor.read_scratchpad(bus)?.resolution();
        Ok(sensor)
    }

    /// The ROM this driver addresses, if any.
    pub fn rom(&self) -> Option<&Rom> {
        self.rom.as_ref()
    }

    /// The resolution the driver waits for.
    pub fn resolution(&self) -> Resolution {
        self.resolution
    }

    /// Whether the probe said it is parasite powered.
    pub fn is_parasite_powered(&self) -> bool {
        self.parasite
    }

    /// Read Power Supply (B4h): `true` when the probe is parasite powered.
    ///
    /// A parasite-powered probe needs a strong pull-up during conversions,
    /// which an open-drain pin cannot give: the board must provide it. The
    /// driver then never polls the busy flag and always waits the full time.
    pub fn read_power_supply<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
    ) -> Result<bool, Error<B::Error>> {
        bus.select(self.rom.as_ref())?;
        bus.write_byte(READ_POWER_SUPPLY)?;
        self.parasite = !bus.read_bit()?;
        Ok(self.parasite)
    }

    /// Read Scratchpad (BEh), checked by [`Scratchpad::new`].
    pub fn read_scratchpad<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
    ) -> Result<Scratchpad, Error<B::Error>> {
        bus.select(self.rom.as_ref())?;
        bus.write_byte(READ_SCRATCHPAD)?;
        let mut bytes = [0; 9];
        bus.read_bytes(&mut bytes)?;
        Scratchpad::new(bytes).map_err(Error::on_bus)
    }

    /// Sets the resolution in the scratchpad (not in EEPROM), keeping TH and TL.
    pub fn set_resolution<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        resolution: Resolution,
    ) -> Result<(), Error<B::Error>> {
        let (th, tl) = self.read_scratchpad(bus)?.alarm_registers();
        bus.select(self.rom.as_ref())?;
        bus.write_bytes(&[WRITE_SCRATCHPAD, th, tl, resolution.config_byte()])?;
        self.resolution = resolution;
        Ok(())
    }

    /// Convert T (44h) at `now_ms`; returns when the result will be ready.
    pub fn start_conversion<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        now_ms: u64,
    ) -> Result<u64, Error<B::Error>> {
        self.conversion = Conversion::None;
        bus.select(self.rom.as_ref())?;
        bus.write_byte(CONVERT_T)?;
        let ready_at = now_ms.saturating_add(u64::from(self.resolution.conversion_time_ms()));
        self.conversion = Conversion::Running { ready_at };
        Ok(ready_at)
    }

    /// The result of the last conversion: `Ok(None)` while it is not ready.
    ///
    /// Fails with [`Error::NotConverted`] when no conversion was started, or
    /// the probe is still busy at twice the datasheet time.
    pub fn try_read<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        now_ms: u64,
    ) -> Result<Option<Temperature>, Error<B::Error>> {
        let reads = match self.conversion {
            Conversion::None => return Err(Error::NotConverted),
            Conversion::Running { ready_at } => {
                if now_ms < ready_at {
                    return Ok(None);
                }
                // Externally powered probes answer 0 in read slots while busy.
                if !self.parasite && !bus.read_bit()? {
                    let give_up_at =
                        ready_at.saturating_add(u64::from(self.resolution.conversion_time_ms()));
                    if now_ms < give_up_at {
                        return Ok(None);
                    }
                    self.conversion = Conversion::None;
                    return Err(Error::NotConverted);
                }
                0
            }
            Conversion::Done { reads } => reads,
        };
        let reads = reads.saturating_add(1);
        self.conversion = Conversion::Done { reads };
        if reads > STALE_READS {
            return Err(Error::Stale);
        }
        self.read_scratchpad(bus)?
            .temperature()
            .map(Some)
            .map_err(Error::on_bus)
    }

    /// Blocking measurement: starts a conversion, waits for it, reads it.
    pub fn measure<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
    ) -> Result<Temperature, Error<B::Error>> {
        const POLL_MS: u32 = 10;
        let mut now = 0;
        let ready_at = self.start_conversion(bus, now)?;
        loop {
            let wait = u32::try_from(ready_at.saturating_sub(now)).unwrap_or(u32::MAX);
            let wait = wait.max(POLL_MS);
            bus.delay_ms(wait);
            now = now.saturating_add(u64::from(wait));
            if let Some(t) = self.try_read(bus, now)? {
                return Ok(t);
            }
        }
    }
}

/// A DS18B20 alone on its bus (Skip ROM), read without blocking: [`start`]
/// a conversion, do something else, [`read`] the result when it is due.
///
/// The results are the sensor failures of manual §9 as [`Error`] variants:
/// [`Error::NoPresence`] when no sensor answered (an empty jack), any other
/// variant when the sensor is there but failed.
///
/// The probe's power mode and resolution are read at the first [`start`],
/// and again at the next [`start`] after any failure, so a probe plugged in
/// or replaced while the device runs is read with its own settings.
///
/// ```
/// use isocket_sensors::Error;
/// use isocket_sensors::ds18b20::{Temperature, Thermometer};
/// use isocket_sensors::onewire::Bus;
/// use isocket_sensors::testing::{SimBus, SimProbe};
///
/// let sim = SimBus::new([SimProbe::genuine(Temperature::from_sixteenths(-88))]);
/// let mut thermometer = Thermometer::new(sim.one_wire());
/// let due_ms = thermometer.start(1_000)?;
/// assert_eq!(due_ms, 1_750); // 12-bit: 750 ms
/// assert_eq!(thermometer.read(1_100), None); // still converting
/// thermometer.bus_mut().delay_ms(750); // the simulated time passes
/// assert_eq!(thermometer.read(due_ms), Some(Ok(Temperature::from_sixteenths(-88))));
///
/// // An empty jack.
/// let mut missing = Thermometer::new(SimBus::new([]).one_wire());
/// assert_eq!(missing.start(0), Err(Error::NoPresence));
/// # Ok::<(), Error>(())
/// ```
///
/// [`start`]: Thermometer::start
/// [`read`]: Thermometer::read
pub struct Thermometer<B> {
    bus: B,
    sensor: Ds18b20,
    probed: bool,
}

impl<B: Bus> Thermometer<B> {
    /// Takes the bus; nothing is sent until [`Thermometer::start`].
    pub fn new(bus: B) -> Self {
        Self {
            bus,
            sensor: Ds18b20::new(None),
            probed: false,
        }
    }

    /// Starts a conversion at `now_ms`: when its result is due (ms), or the
    /// failure.
    pub fn start(&mut self, now_ms: u64) -> Result<u64, Error<B::Error>> {
        let started = self
            .probe()
            .and_then(|()| self.sensor.start_conversion(&mut self.bus, now_ms));
        self.probed &= started.is_ok();
        started
    }

    /// The started conversion's result: `None` while it runs, then the
    /// temperature or the failure ([`Error::NotConverted`] without a start,
    /// or when the probe is still busy at twice the datasheet time).
    pub fn read(&mut self, now_ms: u64) -> Option<Result<Temperature, Error<B::Error>>> {
        let read = self.sensor.try_read(&mut self.bus, now_ms).transpose();
        self.probed &= !matches!(read, Some(Err(_)));
        read
    }

    /// The driver, with the power mode and resolution it uses.
    pub fn sensor(&self) -> &Ds18b20 {
        &self.sensor
    }

    /// The bus, for other traffic between conversions.
    pub fn bus_mut(&mut self) -> &mut B {
        &mut self.bus
    }

    /// Gives the bus back.
    pub fn release(self) -> B {
        self.bus
    }

    /// Reads the power mode and resolution unless done since the last failure.
    fn probe(&mut self) -> Result<(), Error<B::Error>> {
        if !self.probed {
            self.sensor = Ds18b20::probe(&mut self.bus, None)?;
            self.probed = true;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratchpad(bytes: [u8; 9]) -> Result<Scratchpad, Error> {
        Scratchpad::new(bytes)
    }

    /// Builds a valid 12-bit scratchpad around a temperature register value.
    fn with_temperature(raw: [u8; 2]) -> [u8; 9] {
        let mut bytes = [raw[0], raw[1], 0x4B, 0x46, 0x7F, 0xFF, 0x10, 0x10, 0];
        bytes[8] = crc8(&bytes[..8]);
        bytes
    }

    // Datasheet Table 1 (Maxim 19-7487), all ten rows.
    const TABLE_1: [(f32, [u8; 2]); 10] = [
        (125.0, [0xD0, 0x07]),
        (85.0, [0x50, 0x05]),
        (25.0625, [0x91, 0x01]),
        (10.125, [0xA2, 0x00]),
        (0.5, [0x08, 0x00]),
        (0.0, [0x00, 0x00]),
        (-0.5, [0xF8, 0xFF]),
        (-10.125, [0x5E, 0xFF]),
        (-25.0625, [0x6F, 0xFE]),
        (-55.0, [0x90, 0xFC]),
    ];

    #[test]
    fn datasheet_table_1_converts_exactly() {
        for (celsius, raw) in TABLE_1 {
            // Byte 6 = 0x10 as after a real conversion, so 85 °C is accepted.
            let t = scratchpad(with_temperature(raw)).unwrap().temperature();
            assert_eq!(t.unwrap().celsius(), celsius, "{raw:02X?}");
            assert_eq!(i32::from(t.unwrap().sixteenths()), (celsius * 16.0) as i32);
        }
    }

    #[test]
    fn millicelsius_truncates_like_w1_therm() {
        assert_eq!(Temperature::from_sixteenths(0x0191).millicelsius(), 25062);
        assert_eq!(Temperature::from_sixteenths(-0x0191).millicelsius(), -25062);
    }

    #[test]
    fn undefined_low_bits_are_masked_per_resolution() {
        // 25.0625 °C has bit 0 set: 11-bit drops it, 9-bit keeps whole halves.
        let mut bytes = with_temperature([0x91, 0x01]);
        for (config, celsius) in [(0x7F, 25.0625), (0x5F, 25.0), (0x3F, 25.0), (0x1F, 25.0)] {
            bytes[4] = config;
            bytes[8] = crc8(&bytes[..8]);
            let t = scratchpad(bytes).unwrap().temperature().unwrap();
            assert_eq!(t.celsius(), celsius, "config {config:02X}");
        }
    }

    #[test]
    fn resolution_config_bytes_and_times() {
        let all = [
            Resolution::Bits9,
            Resolution::Bits10,
            Resolution::Bits11,
            Resolution::Bits12,
        ];
        let configs = [0x1F, 0x3F, 0x5F, 0x7F];
        let times = [94, 188, 375, 750];
        for ((r, config), ms) in all.into_iter().zip(configs).zip(times) {
            assert_eq!(r.config_byte(), config);
            assert_eq!(Resolution::from_config_byte(config), r);
            assert_eq!(r.conversion_time_ms(), ms);
        }
    }

    // Real scratchpads, each with its source below.
    #[test]
    fn real_scratchpads() {
        // Datasheet power-up state; cpetrich Family A/B; Linux w1_slave dumps.
        let power_on = scratchpad([0x50, 0x05, 0x4B, 0x46, 0x7F, 0xFF, 0x0C, 0x10, 0x1C]).unwrap();
        assert_eq!(power_on.temperature(), Err(Error::PowerOnValue));
        // Linux w1_therm capture.
        let t = scratchpad([0x70, 0x01, 0x4B, 0x46, 0x7F, 0xFF, 0x10, 0x10, 0xE1]).unwrap();
        assert_eq!(t.temperature().unwrap().celsius(), 23.0);
        // Genuine-part COUNT_REMAIN pattern.
        let t = scratchpad([0x73, 0x01, 0x4B, 0x46, 0x7F, 0xFF, 0x0D, 0x10, 0x41]).unwrap();
        assert_eq!(t.temperature().unwrap().celsius(), 23.1875);
        // cpetrich Family C (counterfeit) initial scratchpad.
        let fake = scratchpad([0x50, 0x05, 0x55, 0x00, 0x7F, 0xFF, 0x0C, 0x10, 0x21]).unwrap();
        assert_eq!(fake.temperature(), Err(Error::PowerOnValue));
    }

    #[test]
    fn bad_crc_scratchpads_are_rejected() {
        for bytes in [
            // cpetrich Family D2 "initial scratchpad" as printed (calc 0x96).
            [0x90, 0x01, 0x55, 0x05, 0x7F, 0x7E, 0x81, 0x66, 0x27],
            // Hand-made mock with a copied CRC (calc 0x16).
            [0x75, 0x01, 0x4B, 0x46, 0x7F, 0xFF, 0x0C, 0x10, 0x1C],
            // Hand-made "negative" mock (calc 0xBE).
            [0x6A, 0xFE, 0x4B, 0x46, 0x7F, 0xFF, 0x0C, 0x10, 0x3F],
            // Intentional BAD_CRC fixture (calc 0x8C).
            [0xA1, 0x01, 0x4B, 0x46, 0x7F, 0xFF, 0x0C, 0x10, 0x5C],
            // Nobody drives the bus: crc8(FF×8) = 0xC9.
            [0xFF; 9],
        ] {
            assert_eq!(scratchpad(bytes), Err(Error::CrcMismatch), "{bytes:02X?}");
        }
    }

    #[test]
    fn all_zero_scratchpad_is_no_data() {
        // Passes the CRC, but the configuration register cannot read 0.
        assert_eq!(scratchpad([0; 9]), Err(Error::BadScratchpad));
    }

    #[test]
    fn out_of_range_values_fail() {
        // 0x07FF (127.9375 °C): what a genuine part reads after a failed
        // conversion (cpetrich/counterfeit_DS18B20).
        for raw in [[0xFF, 0x07], [0xE0, 0x07], [0x80, 0xFC]] {
            let t = scratchpad(with_temperature(raw)).unwrap().temperature();
            assert_eq!(t, Err(Error::OutOfRange), "{raw:02X?}");
        }
    }
}
