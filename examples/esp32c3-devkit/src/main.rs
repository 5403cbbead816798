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
use esp_hal::{Blocking, time::Duration};
use esp_storage::FlashStorage;
use isocket_device::board::{Board, Pins, Platform};
use isocket_device::probe::Ds18b20Probe;
use isocket_device::runner::{Hardware as _, Runner, SAMPLE_MS, Turn};
use isocket_engine::{BoardInfo, Boot, BootReason};
use isocket_modem::profile;
use isocket_sensors::onewire::OneWire;
use isocket_storage::NorFlashStore;
use {esp_backtrace as _, esp_println as _};

// The app descriptor the ESP-IDF second-stage bootloader checks.
esp_bootloader_esp_idf::esp_app_desc!();

/// Settings live in the first 8 KiB (two 4 KiB sectors) of the `nvs`
/// partition of espflash's default partition table (0x9000..0xF000): this
/// firmware has no ESP-IDF NVS user, and the app partition starts at 0x10000.
const STORE: core::ops::Range<u32> = 0x9000..0xB000;
/// After releasing the battery hold, a board still running has mains again.
const SHUTDOWN_GRACE_MS: u32 = 2000;

#[esp_hal::main]
fn main() -> ! {
    let p = esp_hal::init(esp_hal::Config::default());
    let boot = boot_state();
    let delay = Delay::new();

    // Outputs first, in their safe state: relay off, modem off, battery held.
    let push_pull = OutputConfig::default();
    let relay = Output::new(p.GPIO4, Level::Low, push_pull); // wiring: relay
    let modem_power = Output::new(p.GPIO3, Level::Low, push_pull); // wiring: modem-power
    let mut battery_hold = Output::new(p.GPIO2, Level::High, push_pull); // wiring: battery-hold
    let leds = [
        Output::new(p.GPIO10, Level::Low, push_pull), // wiring: led-power
        Output::new(p.GPIO18, Level::Low, push_pull), // wiring: led-gsm
        Output::new(p.GPIO19, Level::Low, push_pull), // wiring: led-out
    ];
    let pull_up = InputConfig::default().with_pull(Pull::Up);

    let flash = FlashStorage::new(p.FLASH);
    let mut serial = heapless::String::new();
    for byte in esp_hal::efuse::base_mac_address().as_bytes() {
        for nibble in [byte >> 4, byte & 0xF] {
            let _ = serial.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
    let storage = match NorFlashStore::open(flash, STORE) {
        Ok(store) => Some(store),
        Err(e) => {
            // Only a misconfigured range gets here; core::fmt stays out of the image.
            let _ = e;
            warn!("settings flash unusable: factory defaults, no saves");
            None
        }
    };

    info!(
        "isocket esp32c3-devkit {} (after a mains failure: {}, clock kept: {})",
        serial.as_str(),
        boot.reason == BootReason::MainsRestored,
        boot.clock.is_some()
    );

    let uart_config = UartConfig::default().with_baudrate(115_200);
    let uart = match Uart::new(p.UART1, uart_config) {
        Ok(uart) => uart.with_tx(p.GPIO0).with_rx(p.GPIO1), // wiring: modem-tx, modem-rx
        // Only a baud rate the clock cannot make: a build-time mistake.
        Err(_) => defmt::panic!("UART1 configuration"),
    };

    // Open drain with input enabled: the 1-Wire master reads the bus back.
    let mut one_wire_pin = Flex::new(p.GPIO5); // wiring: onewire
    one_wire_pin
        .apply_output_config(&OutputConfig::default().with_drive_mode(DriveMode::OpenDrain));
    one_wire_pin.set_high();
    one_wire_pin.set_input_enable(true);
    one_wire_pin.set_output_enable(true);
    let bus = match OneWire::new(one_wire_pin, delay) {
        Ok(bus) => Some(bus),
        Err(e) => {
            warn!("1-Wire pin: {}", e);
            None
        }
    };

    let mut board = Board {
        platform: DevKit { uart },
        pins: Pins {
            relay,
            modem_power,
            leds,
            // Contact and button (the board's BOOT button on GPIO9) close to ground.
            contact: Input::new(p.GPIO6, pull_up), // wiring: contact
            button: Input::new(p.GPIO9, pull_up),  // wiring: button
            // High while the mains supply is there (divider from the PSU's 5 V).
            mains: Input::new(p.GPIO7, InputConfig::default().with_pull(Pull::Down)), // wiring: mains
        },
        probe: Ds18b20Probe::new(bus),
        store: storage,
    };
    let info = BoardInfo {
        product: "isocket esp32c3-devkit",
        serial,
    };
    let mut runner = Runner::new(&mut board, info, boot, &profile::SIM7600);

    loop {
        match runner.turn(&mut board) {
            Turn::Again { at_ms } => {
                // Blocking board: sleep until the device's next deadline.
                let now = board.now_ms();
                let wait = at_ms.saturating_sub(now).min(SAMPLE_MS);
                delay.delay(Duration::from_millis(wait));
            }
            Turn::Reboot => {
                esp_hal::system::software_reset();
            }
            Turn::Shutdown => {
                info!("releasing the battery hold");
                battery_hold.set_low();
                // Still running: mains came back meanwhile. Start again
                // (as a reset: nothing here survives a reboot to say why).
                delay.delay_millis(SHUTDOWN_GRACE_MS);
                esp_hal::system::software_reset();
            }
        }
    }
}

/// The ESP32-C3's clock and modem UART. No RTC time is kept across a reset
/// (the default `keep_clock`).
struct DevKit<'d> {
    uart: Uart<'d, Blocking>,
}

impl Platform for DevKit<'_> {
    fn now_ms(&mut self) -> u64 {
        Instant::now().duration_since_epoch().as_millis()
    }

    fn modem_read(&mut self, buf: &mut [u8]) -> usize {
        // What the 128-byte FIFO holds (11 ms at 115200 baud): never wait.
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
