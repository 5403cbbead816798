//! isocket on an ESP32-C3 DevKit with a SIMCom SIM7600 on UART1.
//!
//! Board mapping only: pins, UART, flash, clock and resets go onto
//! `isocket_device::Device`, which holds every behaviour. Wiring: README.md.
#![no_std]
#![no_main]

use defmt::{info, warn};
use embedded_io::Write as _;
use esp_hal::delay::Delay;
use esp_hal::gpio::{DriveMode, Flex, Input, InputConfig, Level, Output, OutputConfig, Pull};
use esp_hal::rtc_cntl::SocResetReason;
use esp_hal::time::Instant;
use esp_hal::uart::{Config as UartConfig, Uart};
use esp_storage::FlashStorage;
use isocket_device::{Device, Output as Do, probe, store};
use isocket_engine::{BoardInfo, Boot, BootReason, LedPattern, Leds};
use isocket_modem::profile;
use isocket_sensors::ds18b20::Ds18b20;
use isocket_sensors::input::Debouncer;
use isocket_sensors::onewire::OneWire;
use isocket_storage::NorFlashStore;
use {esp_backtrace as _, esp_println as _};

// The app descriptor the ESP-IDF second-stage bootloader checks.
esp_bootloader_esp_idf::esp_app_desc!();

/// Settings live in the first 8 KiB (two 4 KiB sectors) of the `nvs`
/// partition of espflash's default partition table (0x9000..0xF000): this
/// firmware has no ESP-IDF NVS user, and the app partition starts at 0x10000.
const STORE: core::ops::Range<u32> = 0x9000..0xB000;
/// Pins are sampled this often; the device debounces them.
const SAMPLE_MS: u32 = 5;
/// The mains-sense input must hold a level this long (glitches on the divider).
const MAINS_DEBOUNCE_MS: u64 = 200;
/// After releasing the battery hold, a board still running has mains again.
const SHUTDOWN_GRACE_MS: u32 = 2000;

#[esp_hal::main]
fn main() -> ! {
    let p = esp_hal::init(esp_hal::Config::default());
    let boot = boot_state();
    let delay = Delay::new();

    // Outputs first, in their safe state: relay off, modem off, battery held.
    let push_pull = OutputConfig::default();
    let mut relay = Output::new(p.GPIO4, Level::Low, push_pull);
    let mut modem_power = Output::new(p.GPIO3, Level::Low, push_pull);
    let mut battery_hold = Output::new(p.GPIO2, Level::High, push_pull);
    let mut led_power = Output::new(p.GPIO10, Level::Low, push_pull);
    let mut led_gsm = Output::new(p.GPIO18, Level::Low, push_pull);
    let mut led_out = Output::new(p.GPIO19, Level::Low, push_pull);
    // Contact and button (the board's BOOT button on GPIO9) close to ground.
    let pull_up = InputConfig::default().with_pull(Pull::Up);
    let contact = Input::new(p.GPIO6, pull_up);
    let button = Input::new(p.GPIO9, pull_up);
    // High while the mains supply is there (divider from the PSU's 5 V).
    let mains = Input::new(p.GPIO7, InputConfig::default().with_pull(Pull::Down));

    let flash = FlashStorage::new(p.FLASH);
    let mut serial = heapless::String::new();
    for byte in esp_hal::efuse::base_mac_address().as_bytes() {
        for nibble in [byte >> 4, byte & 0xF] {
            let _ = serial.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
    let mut storage = match NorFlashStore::open(flash, STORE) {
        Ok(store) => Some(store),
        Err(e) => {
            // Only a misconfigured range gets here; core::fmt stays out of the image.
            let _ = e;
            warn!("settings flash unusable: factory defaults, no saves");
            None
        }
    };
    let stored = storage.as_mut().map(store::load).unwrap_or_default();

    info!(
        "isocket esp32c3-devkit {} (after a mains failure: {}, clock kept: {})",
        serial.as_str(),
        boot.reason == BootReason::MainsRestored,
        boot.clock.is_some()
    );

    let uart_config = UartConfig::default().with_baudrate(115_200);
    let mut uart = match Uart::new(p.UART1, uart_config) {
        Ok(uart) => uart.with_tx(p.GPIO0).with_rx(p.GPIO1),
        // Only a baud rate the clock cannot make: a build-time mistake.
        Err(_) => defmt::panic!("UART1 configuration"),
    };

    // Open drain with input enabled: the 1-Wire master reads the bus back.
    let mut one_wire_pin = Flex::new(p.GPIO5);
    one_wire_pin
        .apply_output_config(&OutputConfig::default().with_drive_mode(DriveMode::OpenDrain));
    one_wire_pin.set_high();
    one_wire_pin.set_input_enable(true);
    one_wire_pin.set_output_enable(true);
    let mut bus = match OneWire::new(one_wire_pin, delay) {
        Ok(bus) => Some(bus),
        Err(e) => {
            warn!("1-Wire pin: {}", e);
            None
        }
    };
    // Reads the probe's power mode and resolution; a missing probe (the jack
    // is empty) gets the datasheet defaults and reports "No sensor" later.
    let mut ds18b20 = bus
        .as_mut()
        .and_then(|bus| Ds18b20::probe(bus, None).ok())
        .unwrap_or_else(|| Ds18b20::new(None));

    let board = BoardInfo {
        product: "isocket esp32c3-devkit",
        serial,
    };
    let now = millis();
    let mut device = Device::new(board, stored, boot, &profile::SIM7600, now);

    let mut leds = LedState::new(now);
    let mut conversion_ready_at: Option<u64> = None;
    let mut mains_sense = Debouncer::new(MAINS_DEBOUNCE_MS);
    let mut mains_present = true;
    let mut rx_chunk = [0u8; 64];

    loop {
        let now = millis();

        // Modem bytes in: the 128-byte FIFO holds 11 ms at 115200 baud.
        loop {
            match uart.read_buffered(&mut rx_chunk) {
                Ok(0) => break,
                Ok(n) => device.modem_rx(now, rx_chunk.get(..n).unwrap_or(&[])),
                Err(e) => {
                    warn!("modem UART: {}", e);
                    break;
                }
            }
        }
        // Modem bytes out.
        while let Some(bytes) = device.modem_tx(now) {
            if let Err(e) = uart.write_all(bytes) {
                warn!("modem UART: {}", e);
            }
        }

        device.sample(now, contact.is_low(), button.is_low());
        if let Some(present) = mains_sense.update(now, mains.is_high())
            && present != mains_present
        {
            mains_present = present;
            device.mains(now, present);
        }
        if now >= device.poll_timeout() {
            device.tick(now);
        }

        // The DS18B20 conversion runs while the loop goes on; read it once due.
        if let (Some(ready_at), Some(bus)) = (conversion_ready_at, bus.as_mut())
            && now >= ready_at
        {
            let reading = match ds18b20.try_read(bus, now) {
                Ok(None) => None, // still busy: next turn
                Ok(Some(t)) => Some(probe::reading::<()>(Ok(t))),
                Err(e) => Some(probe::reading(Err(e))),
            };
            if let Some(reading) = reading {
                conversion_ready_at = None;
                device.temperature(now, reading);
            }
        }

        while let Some(output) = device.poll_output() {
            match output {
                Do::Relay(on) => relay.set_level(level(on)),
                Do::Leds(patterns) => leds.set(patterns, now),
                Do::MeasureTemperature => {
                    if conversion_ready_at.is_some() {
                        continue; // one conversion at a time; its answer serves both
                    }
                    let Some(bus) = bus.as_mut() else {
                        device.temperature(now, isocket_proto::Probe::SensorError);
                        continue;
                    };
                    match ds18b20.start_conversion(bus, now) {
                        Ok(ready_at) => conversion_ready_at = Some(ready_at),
                        Err(e) => device.temperature(now, probe::reading::<_>(Err(e))),
                    }
                }
                Do::Save(record) => {
                    let ok = storage
                        .as_mut()
                        .is_some_and(|s| store::save(s, device.engine(), record));
                    if !ok {
                        warn!("save of record {} failed", record as u8);
                    }
                    device.saved(now, record, ok);
                }
                // The engine runs the wall clock; with no battery-backed RTC
                // wired here there is nothing to keep it in across a reset.
                Do::SetClock(time) => info!("clock set: {}", time.is_some()),
                Do::ModemPower(on) => modem_power.set_level(level(on)),
                Do::SmsSent(to) => info!("SMS sent to +{}", to.as_str()),
                Do::Calling(to) => info!("calling +{}", to.as_str()),
                Do::Reboot => {
                    info!("reboot");
                    esp_hal::system::software_reset();
                }
                Do::Shutdown => {
                    info!("shutdown: releasing the battery hold");
                    battery_hold.set_low();
                    // Still running: mains came back meanwhile. Start again
                    // (as a reset: nothing here survives a reboot to say why).
                    delay.delay_millis(SHUTDOWN_GRACE_MS);
                    esp_hal::system::software_reset();
                }
                // Outputs added later: nothing for this board to do.
                _ => {}
            }
        }

        led_power.set_level(level(leds.power_on(now)));
        led_gsm.set_level(level(leds.gsm_on(now)));
        led_out.set_level(level(leds.out_on(now)));
        delay.delay_millis(SAMPLE_MS);
    }
}

fn millis() -> u64 {
    Instant::now().duration_since_epoch().as_millis()
}

fn level(on: bool) -> Level {
    if on { Level::High } else { Level::Low }
}

/// Why we booted, from the reset cause.
///
/// A power-on (or brown-out) reset means the supply was gone: the board only
/// loses power when it shut itself down for a mains failure (or the battery
/// ran flat), so that counts as "mains restored" (SPEC §13). Anything else
/// (software, watchdog, EN pin) is a reset. No RTC time is kept: the clock
/// is unset.
fn boot_state() -> Boot {
    let power_on = matches!(
        esp_hal::system::reset_reason(),
        Some(SocResetReason::ChipPowerOn | SocResetReason::SysBrownOut)
    );
    Boot {
        reason: if power_on {
            BootReason::MainsRestored
        } else {
            BootReason::Reset
        },
        clock: None,
    }
}

/// The three LED patterns and when they started: a change restarts all
/// three, so LEDs given the same pattern flash together (SPEC §8).
struct LedState {
    leds: Leds,
    since: u64,
}

impl LedState {
    fn new(now: u64) -> Self {
        Self {
            leds: Leds {
                power: LedPattern::Off,
                gsm: LedPattern::Off,
                out: LedPattern::Off,
            },
            since: now,
        }
    }

    fn set(&mut self, leds: Leds, now: u64) {
        if leds != self.leds {
            self.leds = leds;
            self.since = now;
        }
    }

    fn power_on(&self, now: u64) -> bool {
        self.leds.power.is_on(now.saturating_sub(self.since))
    }

    fn gsm_on(&self, now: u64) -> bool {
        self.leds.gsm.is_on(now.saturating_sub(self.since))
    }

    fn out_on(&self, now: u64) -> bool {
        self.leds.out.is_on(now.saturating_sub(self.since))
    }
}
