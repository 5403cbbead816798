//! isocket on an ESP32-C3 DevKit with a SIMCom SIM7600 on UART1.
//!
//! Board mapping only: pins, UART, flash, RTC and watchdog go onto
//! `isocket_device::Board`; `Device` holds every behaviour. Wiring and
//! design: README.md.
#![no_std]
#![no_main]

mod board;
mod retained;

use defmt::{info, warn};
use esp_hal::delay::Delay;
use esp_hal::gpio::{DriveMode, Flex, Input, InputConfig, Level, Output, OutputConfig, Pull};
use esp_hal::rtc_cntl::{Rtc, RwdtStage, RwdtStageAction};
use esp_hal::time::Duration;
use esp_hal::uart::{Config as UartConfig, HwFlowControl, RtsConfig, Uart};
use esp_storage::FlashStorage;
use isocket_device::board::{Board, Pins};
use isocket_device::{Device, SAMPLE_MS, Turn, WATCHDOG_MS};
use isocket_engine::BoardInfo;
use isocket_modem::profile;
use isocket_sensors::ds18b20::Thermometer;
use isocket_sensors::onewire::OneWire;
use isocket_storage::NorFlashStore;
use {esp_backtrace as _, esp_println as _};

use board::DevKit;

// The app descriptor the ESP-IDF second-stage bootloader checks.
esp_bootloader_esp_idf::esp_app_desc!();

/// Settings live in the first 8 KiB (two 4 KiB sectors) of the `nvs`
/// partition of espflash's default partition table (0x9000..0xF000): this
/// firmware has no ESP-IDF NVS user, and the app partition starts at 0x10000.
const STORE: core::ops::Range<u32> = 0x9000..0xB000;
/// RX FIFO fill (of 128 bytes) at which UART1 raises RTS, so the modem
/// pauses: 64 bytes (5.6 ms at 115200 baud) of room for what it still sends.
const RTS_THRESHOLD: u8 = 64;

#[esp_hal::main]
fn main() -> ! {
    let p = esp_hal::init(esp_hal::Config::default());

    // The RTC watchdog (esp_hal::init disabled the bootloader's): stage 0
    // resets the digital core, leaving RTC memory and the RTC timer.
    let mut rtc = Rtc::new(p.RTC_TIMER);
    let timeout = Duration::from_millis(u64::from(WATCHDOG_MS));
    rtc.rwdt.set_timeout(RwdtStage::Stage0, timeout);
    rtc.rwdt.enable();
    rtc.rwdt
        .set_stage_action(RwdtStage::Stage0, RwdtStageAction::ResetCore);

    // Outputs first, in their safe state: relay off, modem off, battery held.
    let push_pull = OutputConfig::default();
    let pull_up = InputConfig::default().with_pull(Pull::Up);
    let pins = Pins {
        relay: Output::new(p.GPIO4, Level::Low, push_pull), // wiring: relay
        modem_power: Output::new(p.GPIO3, Level::Low, push_pull), // wiring: modem-power
        battery_hold: Output::new(p.GPIO2, Level::High, push_pull), // wiring: battery-hold
        leds: [
            Output::new(p.GPIO10, Level::Low, push_pull), // wiring: led-power
            Output::new(p.GPIO18, Level::Low, push_pull), // wiring: led-gsm
            Output::new(p.GPIO19, Level::Low, push_pull), // wiring: led-out
        ],
        // Contact and button (the board's BOOT button on GPIO9) close to ground.
        contact: Input::new(p.GPIO6, pull_up), // wiring: contact
        button: Input::new(p.GPIO9, pull_up),  // wiring: button
        // High while the mains supply is there (divider from the PSU's 5 V).
        mains: Input::new(p.GPIO7, InputConfig::default().with_pull(Pull::Down)), // wiring: mains
    };

    let mut serial = heapless::String::new();
    for byte in esp_hal::efuse::base_mac_address().as_bytes() {
        for nibble in [byte >> 4, byte & 0xF] {
            let _ = serial.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
    let store = NorFlashStore::open(FlashStorage::new(p.FLASH), STORE).ok();
    if store.is_none() {
        // Only a misconfigured range gets here; core::fmt stays out of the image.
        warn!("settings flash unusable: factory defaults, no saves");
    }

    // Hardware flow control on receive: RTS stops the modem while the CPU
    // cannot read (a flash erase), so the 128-byte FIFO never overflows.
    let flow = HwFlowControl {
        rts: RtsConfig::Enabled(RTS_THRESHOLD),
        ..HwFlowControl::default()
    };
    let uart_config = UartConfig::default()
        .with_baudrate(115_200)
        .with_hw_flow_ctrl(flow);
    let uart = match Uart::new(p.UART1, uart_config) {
        Ok(uart) => uart.with_tx(p.GPIO0).with_rx(p.GPIO1), // wiring: modem-tx, modem-rx
        // Only a baud rate the clock cannot make: a build-time mistake.
        Err(_) => defmt::panic!("UART1 configuration"),
    };
    let uart = uart.with_rts(p.GPIO8); // wiring: modem-rts

    // Open drain with input enabled: the 1-Wire master reads the bus back.
    let mut one_wire_pin = Flex::new(p.GPIO5); // wiring: onewire
    one_wire_pin
        .apply_output_config(&OutputConfig::default().with_drive_mode(DriveMode::OpenDrain));
    one_wire_pin.set_high();
    one_wire_pin.set_input_enable(true);
    one_wire_pin.set_output_enable(true);
    // Each reset pulse and time slot runs in a critical section
    // (isocket-sensors' `critical-section` feature): no interrupt stretches it.
    let thermometer = OneWire::new(one_wire_pin, Delay::new())
        .inspect_err(|e| warn!("1-Wire pin: {}", e))
        .ok()
        .map(Thermometer::new);

    let mut board = DevKit {
        uart,
        pins,
        thermometer,
        store,
        rtc,
    };
    let info = BoardInfo {
        product: "isocket esp32c3-devkit",
        serial,
    };
    info!("isocket esp32c3-devkit {}", info.serial.as_str());
    let mut device = Device::boot(&mut board, info, &profile::SIM7600);
    let delay = Delay::new();
    loop {
        // Turn::Reboot never comes: `reboot` does not return here.
        if let Turn::Again { at_ms } = device.turn(&mut board) {
            // Blocking board: sleep until the device's next deadline.
            let wait = at_ms.saturating_sub(board.now_ms()).min(SAMPLE_MS);
            delay.delay(Duration::from_millis(wait));
        }
    }
}
