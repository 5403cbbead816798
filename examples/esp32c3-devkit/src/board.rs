//! The DevKit's side of the device: what `isocket_device::Board` asks of
//! the chip (UART1 with its RTS, the RTC watchdog, the reset reason, RTC
//! memory and the RTC timer, the DS18B20, the flash). main.rs only sets the
//! peripherals up.

use defmt::warn;
use embedded_io::Write as _;
use esp_hal::Blocking;
use esp_hal::delay::Delay;
use esp_hal::gpio::{Flex, Input, Output};
use esp_hal::rtc_cntl::Rtc;
use esp_hal::time::Instant;
use esp_hal::uart::Uart;
use esp_storage::FlashStorage;
use isocket_device::board::{Board, Inputs, Levels, Pins, RETAINED_WORDS, ResetCause};
use isocket_device::probe;
use isocket_proto::Probe;
use isocket_sensors::ds18b20::Thermometer;
use isocket_sensors::onewire::OneWire;
use isocket_storage::NorFlashStore;

use crate::retained;

/// The ESP32-C3 DevKit as the device sees it.
pub struct DevKit<'d> {
    pub uart: Uart<'d, Blocking>,
    pub pins: Pins<Output<'d>, Input<'d>>,
    pub thermometer: Option<Thermometer<OneWire<Flex<'d>, Delay>>>,
    pub store: Option<NorFlashStore<FlashStorage<'d>>>,
    pub rtc: Rtc<'d>,
}

impl<'d> Board for DevKit<'d> {
    type Store = NorFlashStore<FlashStorage<'d>>;
    /// UART1 drives the modem's RTS (GPIO8): the modem is told to obey it.
    const MODEM_RTS: bool = true;

    fn now_ms(&mut self) -> u64 {
        Instant::now().duration_since_epoch().as_millis()
    }

    fn modem_read(&mut self, buf: &mut [u8]) -> usize {
        // What the 128-byte FIFO holds: never wait.
        self.uart.read_buffered(buf).unwrap_or_else(|e| {
            warn!("modem UART: {}", e);
            0
        })
    }

    fn modem_write(&mut self, bytes: &[u8]) {
        if let Err(e) = self.uart.write_all(bytes) {
            warn!("modem UART: {}", e);
        }
    }

    fn inputs(&mut self) -> Inputs {
        self.pins.inputs()
    }

    fn set_levels(&mut self, levels: &Levels) {
        self.pins.set(levels);
    }

    fn probe_start(&mut self, now_ms: u64) -> Result<u64, Probe> {
        probe::start(self.thermometer.as_mut(), now_ms)
    }

    fn probe_read(&mut self, now_ms: u64) -> Option<Probe> {
        probe::read(self.thermometer.as_mut(), now_ms)
    }

    fn store(&mut self) -> Option<&mut Self::Store> {
        self.store.as_mut()
    }

    fn reset_cause(&mut self) -> ResetCause {
        retained::reset_cause()
    }

    fn retained(&mut self) -> [u32; RETAINED_WORDS] {
        retained::load()
    }

    fn retain(&mut self, words: &[u32; RETAINED_WORDS]) {
        retained::store(words);
    }

    fn rtc_seconds(&mut self) -> Option<u32> {
        Some(retained::rtc_seconds(&self.rtc))
    }

    fn feed_watchdog(&mut self) {
        self.rtc.rwdt.feed();
    }

    fn reboot(&mut self) {
        // A core reset (RTC_CNTL_SW_SYS_RST): reason `CoreSw`, RTC kept.
        esp_hal::system::software_reset();
    }
}
