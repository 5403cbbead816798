//! isocket on a Raspberry Pi Pico (RP2040) with a SIM800L on UART0.
//!
//! Peripheral setup only: pins, UART, flash, watchdog and the retained
//! words go onto `isocket_device::Board`; `Device` holds every behaviour.
//! Wiring and the 24/7 design (watchdog, UART during flash, clock): README.md.
#![no_std]
#![no_main]

mod board;
mod onewire;
mod rx_ring;
#[cfg(feature = "usb")]
mod usb_log;

use board::Pico;
use defmt::{info, warn};
use embassy_executor::Spawner;
use embassy_rp::Peripherals;
use embassy_rp::flash::{Blocking, Flash};
use embassy_rp::gpio::{Input, Level, Output, Pull};
use embassy_rp::peripherals::FLASH;
use embassy_rp::uart::{Config as UartConfig, Uart};
use embassy_rp::watchdog::Watchdog;
use embassy_time::{Duration, Instant, Timer};
use isocket_device::board::{Board, Pins, RtsHeld};
use isocket_device::{Device, Turn, WATCHDOG_MS};
use isocket_engine::BoardInfo;
use isocket_modem::profile;
use isocket_sensors::ds18b20::Thermometer;
use isocket_storage::NorFlashStore;
use onewire::PioBus;
use rx_ring::RxRing;
use {defmt_rtt as _, panic_probe as _};

/// The Pico's W25Q16JV: 2 MiB.
const FLASH_SIZE: usize = 2 * 1024 * 1024;
/// Settings live in the last two 4 KiB sectors; memory.x keeps code out of them.
const STORE: core::ops::Range<u32> = (FLASH_SIZE as u32 - 8192)..FLASH_SIZE as u32;

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    // Built outside this future, so only the board and the device live in
    // its static state (the setup's locals would otherwise keep a slot).
    let (mut board, info) = setup(embassy_rp::init(Default::default()), spawner);
    let mut device = Device::boot(&mut board, info, &profile::SIM800);
    loop {
        match device.turn(&mut board) {
            Turn::Again { at_ms } => Timer::at(Instant::from_millis(at_ms)).await,
            Turn::Reboot => board.reboot(),
        }
    }
}

/// The peripherals onto the board.
fn setup(p: Peripherals, spawner: Spawner) -> (Pico, BoardInfo) {
    let mut watchdog = Watchdog::new(p.WATCHDOG);
    // A probe halting the core pauses the watchdog instead of resetting.
    watchdog.pause_on_debug(true);
    watchdog.start(Duration::from_millis(WATCHDOG_MS.into()));

    // Outputs first, in their safe state: relay off, modem off, battery held.
    let pins = Pins {
        relay: Output::new(p.PIN_3, Level::Low), // wiring: relay
        modem_power: Output::new(p.PIN_2, Level::Low), // wiring: modem-power
        battery_hold: Output::new(p.PIN_8, Level::High), // wiring: battery-hold
        leds: [
            Output::new(p.PIN_10, Level::Low), // wiring: led-power
            Output::new(p.PIN_11, Level::Low), // wiring: led-gsm
            Output::new(p.PIN_12, Level::Low), // wiring: led-out
        ],
        // Contact and button close to ground; mains sense high while present.
        contact: Input::new(p.PIN_5, Pull::Up), // wiring: contact
        button: Input::new(p.PIN_6, Pull::Up),  // wiring: button
        mains: Input::new(p.PIN_7, Pull::Down), // wiring: mains
    };

    let mut flash = Flash::<_, Blocking, FLASH_SIZE>::new_blocking(p.FLASH);
    let serial = unique_id(&mut flash);
    // The modem's RTS, held high (stop) while the flash erases or writes:
    // the modem waits instead of overrunning the DMA ring (README).
    let rts = Output::new(p.PIN_9, Level::Low); // wiring: modem-rts
    let store = NorFlashStore::open(RtsHeld::new(flash, rts), STORE).ok();
    if store.is_none() {
        // Only a misconfigured range gets here; core::fmt stays out of the image.
        warn!("settings flash unusable: factory defaults, no saves");
    }
    info!("isocket rp2040-pico {}", serial.as_str());
    #[cfg(feature = "usb")]
    {
        if let Ok(task) = usb_log::run(p.USB) {
            spawner.spawn(task);
        }
        usb_log::line(format_args!("isocket rp2040-pico {}", serial.as_str()));
    }
    #[cfg(not(feature = "usb"))]
    let _ = spawner;

    let mut uart_config = UartConfig::default();
    uart_config.baudrate = 115_200;
    let uart = Uart::new_blocking(
        p.UART0,
        p.PIN_0, // wiring: modem-tx
        p.PIN_1, // wiring: modem-rx
        uart_config,
    );
    let (tx, uart_rx) = uart.split();
    let rx = RxRing::start(p.DMA_CH0, p.DMA_CH1);

    let bus = PioBus::new(p.PIO0, p.PIN_4); // wiring: onewire

    let board = Pico {
        pins,
        tx,
        _uart_rx: uart_rx,
        rx,
        thermometer: Thermometer::new(bus),
        store,
        watchdog,
    };
    let info = BoardInfo {
        product: "isocket rp2040-pico",
        serial,
    };
    (board, info)
}

/// The flash chip's 64-bit unique id in hex: the SERIALNUM.
fn unique_id(flash: &mut Flash<'_, FLASH, Blocking, FLASH_SIZE>) -> heapless::String<32> {
    let mut id = [0u8; 8];
    let mut serial = heapless::String::new();
    if flash.blocking_unique_id(&mut id).is_err() {
        let _ = serial.push_str("rp2040-unknown");
        return serial;
    }
    for byte in id {
        for nibble in [byte >> 4, byte & 0xF] {
            let _ = serial.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
    serial
}
