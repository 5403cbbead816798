//! isocket on a WeAct STM32F411CE Black Pill with a Quectel M66/EC21 on USART1.
//!
//! Board mapping only: pins, UART, flash, RTC, watchdog and resets go onto
//! `isocket_device::Device`, which holds every behaviour. Wiring and the
//! design of each part: README.md.
#![no_std]
#![no_main]

mod backup;
mod board;
mod onewire_uart;

use defmt::{info, warn};
use embassy_executor::Spawner;
use embassy_stm32::flash::Flash;
use embassy_stm32::gpio::{Input, Level, Output, Pull, Speed};
use embassy_stm32::usart::{self, Config as UartConfig, HalfDuplexReadback, OutputConfig, Uart};
use embassy_stm32::wdg::IndependentWatchdog;
use embassy_stm32::{bind_interrupts, dma, peripherals};
use embassy_time::{Delay, Instant, Timer};
use isocket_device::board::{Pins, RtsHeld};
use isocket_device::{Device, Turn, WATCHDOG_MS};
use isocket_engine::BoardInfo;
use isocket_modem::profile;
use isocket_sensors::ds18b20::Thermometer;
use isocket_sensors::onewire::uart::UartBus;

use board::BlackPill;
use isocket_storage::NorFlashStore;
use onewire_uart::OneWireUart;
use {defmt_rtt as _, panic_probe as _};

bind_interrupts!(struct Irqs {
    USART1 => usart::InterruptHandler<peripherals::USART1>;
    DMA2_STREAM2 => dma::InterruptHandler<peripherals::DMA2_CH2>;
    DMA2_STREAM7 => dma::InterruptHandler<peripherals::DMA2_CH7>;
});

/// Settings live in sectors 1-3, the 16 KiB sectors after the vector
/// table's (offsets from the flash start; memory.x starts the code at
/// sector 4): an erase stalls the CPU for at most 0.5 s (README).
const STORE: core::ops::Range<u32> = 0x4000..0x1_0000;
/// The modem's bytes, written by DMA while the CPU waits on the flash.
const RING: usize = 1024;

#[embassy_executor::main]
async fn main(_spawner: Spawner) {
    let cause = backup::reset_cause();
    // The 16 MHz HSI is plenty (no PLL). The backup domain is left alone
    // if the RTC already runs on the LSE (see backup::ls_config).
    let mut config = embassy_stm32::Config::default();
    config.rcc.ls = backup::ls_config();
    let p = embassy_stm32::init(config);

    // Outputs first, in their safe state: relay off, modem off, battery held.
    let pins = Pins {
        relay: Output::new(p.PB1, Level::Low, Speed::Low), // wiring: relay
        modem_power: Output::new(p.PB0, Level::Low, Speed::Low), // wiring: modem-power
        battery_hold: Output::new(p.PB9, Level::High, Speed::Low), // wiring: battery-hold
        leds: [
            Output::new(p.PB12, Level::Low, Speed::Low), // wiring: led-power
            Output::new(p.PB13, Level::Low, Speed::Low), // wiring: led-gsm
            Output::new(p.PB14, Level::Low, Speed::Low), // wiring: led-out
        ],
        // Contact and button (the board's KEY on PA0) close to ground.
        contact: Input::new(p.PB6, Pull::Up), // wiring: contact
        button: Input::new(p.PA0, Pull::Up),  // wiring: button
        // High while the mains supply is there (divider from the PSU's 5 V).
        mains: Input::new(p.PB8, Pull::Down), // wiring: mains
    };
    // Up to 4 s on a fresh backup domain, before the watchdog runs.
    let rtc = backup::start().await;
    let mut watchdog = IndependentWatchdog::new(p.IWDG, WATCHDOG_MS * 1000);
    watchdog.unleash();

    // The modem's RTS, held high (stop) while the flash erases or writes:
    // the modem waits instead of overrunning the DMA ring (README).
    let rts = Output::new(p.PB10, Level::Low, Speed::Low); // wiring: modem-rts
    let regions = Flash::new_blocking(p.FLASH).into_blocking_regions();
    let store = NorFlashStore::open(RtsHeld::new(regions.bank1_region1, rts), STORE)
        .inspect_err(|_| warn!("settings flash unusable: factory defaults, no saves"))
        .ok();
    let mut serial = heapless::String::new();
    // The 96-bit factory unique id, 24 hex digits: always fits.
    let _ = serial.push_str(embassy_stm32::uid::uid_hex());
    info!(
        "isocket stm32f411-blackpill {}, RTC: {}",
        serial.as_str(),
        rtc
    );

    let mut uart_config = UartConfig::default();
    uart_config.baudrate = 115_200;
    let uart = match Uart::new(
        p.USART1,
        p.PA10, // wiring: modem-rx
        p.PA9,  // wiring: modem-tx
        p.DMA2_CH7,
        p.DMA2_CH2,
        Irqs,
        uart_config,
    ) {
        Ok(uart) => uart,
        // Only a baud rate the clock cannot make: a build-time mistake.
        Err(_) => defmt::panic!("USART1 configuration"),
    };
    let (tx, rx) = uart.split();
    let mut ring = [0u8; RING];
    let mut rx = rx.into_ring_buffered(&mut ring);
    rx.start_uart();

    // The DS18B20 on USART2's single wire: the USART times every slot.
    let mut one_wire_config = UartConfig::default();
    one_wire_config.tx_config = OutputConfig::OpenDrain; // the 4.7 kΩ pull-up
    let thermometer = Uart::new_blocking_half_duplex(
        p.USART2,
        p.PA2, // wiring: onewire
        one_wire_config,
        HalfDuplexReadback::Readback,
    )
    .inspect_err(|_| warn!("USART2 1-Wire configuration"))
    .ok()
    .map(|uart| Thermometer::new(UartBus::new(OneWireUart(uart), Delay)));

    let mut board = BlackPill {
        tx,
        rx,
        pins,
        thermometer,
        store,
        watchdog,
        cause,
        rtc,
    };
    let info = BoardInfo {
        product: "isocket stm32f411-blackpill",
        serial,
    };
    let mut device = Device::boot(&mut board, info, &profile::M66);
    loop {
        match device.turn(&mut board) {
            Turn::Again { at_ms } => Timer::at(Instant::from_millis(at_ms)).await,
            // Board::reboot does not return here.
            Turn::Reboot => cortex_m::peripheral::SCB::sys_reset(),
        }
    }
}
